/*
 * test_baseline.c - the baseline file: strict loading with FILE:LINE:COL errors, sorting and
 * dedupe, a stable render that loads back to the same entries, awkward strings, matching with pins
 * and hit counts, and an allocation-failure sweep over loading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "filter/baseline.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#define FP_A "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define FP_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define FP_C "5555555555555555555555555555555555555555555555555555555555555555"

static const char good[] = "schema: leakhound.baseline/v1\n"
                           "entries:\n"
                           "  - fingerprint: " FP_B "\n"
                           "    rule: github.pat.classic\n"
                           "    path: \"src/a.py\"\n"
                           "    line: 4\n"
                           "    reason: \"revoked\"\n"
                           "  - fingerprint: " FP_A "\n"
                           "    rule: aws.access-key-id\n"
                           "    path: \"tests/k.txt\"\n"
                           "    pinned: true\n";

static void test_load_and_sort(void **state)
{
    struct lh_baseline *b = NULL;
    const struct lh_baseline_entry *e;
    (void)state;

    assert_int_equal(lh_baseline_new(&b), 0);
    assert_int_equal(lh_baseline_load_buffer(b, "bl.yml", good, sizeof(good) - 1), 0);
    assert_int_equal(lh_baseline_count(b), 2);
    e = lh_baseline_get(b, 0);
    assert_string_equal(e->fingerprint, FP_A);
    assert_true(e->pinned);
    assert_int_equal(e->file_line, 8);
    e = lh_baseline_get(b, 1);
    assert_string_equal(e->fingerprint, FP_B);
    assert_string_equal(e->rule, "github.pat.classic");
    assert_string_equal(e->path, "src/a.py");
    assert_int_equal(e->line, 4);
    assert_false(e->pinned);
    assert_string_equal(lh_baseline_reason(b, FP_B), "revoked");
    assert_null(lh_baseline_reason(b, FP_A));

    assert_true(lh_baseline_match(b, FP_B, "anywhere.txt"));
    assert_true(lh_baseline_match(b, FP_A, "tests/k.txt"));
    assert_false(lh_baseline_match(b, FP_A, "tests/other.txt"));
    assert_false(lh_baseline_match(b, FP_C, "src/a.py"));
    assert_int_equal(lh_baseline_hits(b, 0), 1);
    assert_int_equal(lh_baseline_hits(b, 1), 1);
    lh_baseline_reset_hits(b);
    assert_int_equal(lh_baseline_hits(b, 0), 0);
    lh_baseline_free(b);
}

static void expect_error(const char *text, const char *msg)
{
    struct lh_baseline *b = NULL;

    assert_int_equal(lh_baseline_new(&b), 0);
    assert_int_equal(lh_baseline_load_buffer(b, "bl.yml", text, strlen(text)), LH_EINVALID);
    if (strstr(lh_error_last(), msg) == NULL)
        fail_msg("expected '%s' in '%s'", msg, lh_error_last());
    lh_baseline_free(b);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("", "bl.yml:1:1: empty baseline");
    expect_error("entries: []\n", "bl.yml:1:1: a baseline needs 'schema: leakhound.baseline/v1'");
    expect_error("schema: leakhound.baseline/v2\nentries: []\n",
                 "bl.yml:1:9: unsupported baseline schema 'leakhound.baseline/v2'");
    expect_error("schema: leakhound.baseline/v1\n", "a baseline needs 'entries'");
    expect_error("schema: leakhound.baseline/v1\nentries: []\nextra: 1\n",
                 "bl.yml:3:1: unknown key 'extra' in a baseline");
    expect_error("schema: leakhound.baseline/v1\nentries: {}\n",
                 "bl.yml:2:10: entries must be a list, not a mapping");
    expect_error("schema: leakhound.baseline/v1\nentries:\n  - fingerprint: abc\n    rule: r\n",
                 "bl.yml:3:18: fingerprint must be 64 lowercase hex digits");
    expect_error("schema: leakhound.baseline/v1\nentries:\n  - rule: r\n",
                 "bl.yml:3:5: a baseline entry needs a fingerprint");
    expect_error("schema: leakhound.baseline/v1\nentries:\n  - fingerprint: " FP_A "\n",
                 "bl.yml:3:5: a baseline entry needs a rule");
    expect_error("schema: leakhound.baseline/v1\nentries:\n  - fingerprint: " FP_A
                 "\n    rule: r\n    colour: red\n",
                 "bl.yml:5:5: unknown key 'colour' in a baseline entry");
    expect_error("schema: leakhound.baseline/v1\nentries:\n  - fingerprint: " FP_A
                 "\n    rule: r\n    line: -3\n",
                 "bl.yml:5:11: line must be a whole number");
    expect_error("schema: leakhound.baseline/v1\nentries:\n  - fingerprint: " FP_A
                 "\n    rule: r\n    pinned: yes\n",
                 "bl.yml:5:13: pinned must be true or false");
    expect_error("schema: leakhound.baseline/v1\nentries:\n  - fingerprint: " FP_A
                 "\n    rule: r\n    pinned: true\n",
                 "bl.yml:3:5: a pinned baseline entry needs a path");
    expect_error("schema: leakhound.baseline/v1\nentries:\n  - fingerprint: " FP_A
                 "\n    rule: r\n  - fingerprint: " FP_A "\n    rule: r\n",
                 "bl.yml:5:5: duplicate baseline entry for " FP_A " (first at line 3)");
    expect_error("schema: leakhound.baseline/v1\nentries: [\n", "bl.yml:");
    expect_error("schema: &a leakhound.baseline/v1\nentries: []\n", "anchors are not allowed");
    expect_error("schema: leakhound.baseline/v1\nentries: []\nentries: []\n",
                 "bl.yml:3:1: duplicate key 'entries' (first at line 2)");
}

static void test_render_roundtrip(void **state)
{
    struct lh_baseline *b = NULL, *c = NULL;
    struct lh_buf out, again;
    const struct lh_baseline_entry *e;
    (void)state;

    assert_int_equal(lh_baseline_new(&b), 0);
    /* out of order, a duplicate, awkward strings */
    assert_int_equal(lh_baseline_add(b, FP_B, "r.two", "dir/with \"quotes\"\\and\ttab.txt", 9,
                                     true, "line1\nline2 \xe2\x80\xa8 ok"),
                     0);
    assert_int_equal(lh_baseline_add(b, FP_A, "r.one", "a.txt", 1, false, NULL), 0);
    assert_int_equal(lh_baseline_add(b, FP_A, "r.one", "b.txt", 2, false, NULL), 0); /* dup */
    assert_int_equal(lh_baseline_add(b, FP_A, "r.one", "b.txt", 2, true, NULL), 0);
    assert_int_equal(lh_baseline_add(b, "nothex", "r", NULL, 0, false, NULL), LH_EINVALID);
    assert_int_equal(lh_baseline_count(b), 3);

    lh_buf_init(&out, 1 << 20);
    assert_int_equal(lh_baseline_render(&out, b), 0);
    assert_non_null(strstr(out.ptr, "schema: leakhound.baseline/v1\nentries:\n  - fingerprint: " FP_A
                                    "\n    rule: \"r.one\"\n    path: \"a.txt\"\n    line: 1\n"
                                    "  - fingerprint: " FP_A));
    assert_null(strstr(out.ptr, "T")); /* no timestamps, nothing that churns */

    assert_int_equal(lh_baseline_new(&c), 0);
    assert_int_equal(lh_baseline_load_buffer(c, "rt.yml", out.ptr, out.len), 0);
    assert_int_equal(lh_baseline_count(c), 3);
    e = lh_baseline_get(c, 2);
    assert_string_equal(e->fingerprint, FP_B);
    assert_string_equal(e->path, "dir/with \"quotes\"\\and\ttab.txt");
    assert_string_equal(e->reason, "line1\nline2 \xe2\x80\xa8 ok");
    assert_true(e->pinned);
    assert_int_equal(e->line, 9);

    /* rendering is stable: the same bytes twice */
    lh_buf_init(&again, 1 << 20);
    assert_int_equal(lh_baseline_render(&again, c), 0);
    assert_string_equal(out.ptr, again.ptr);

    lh_buf_release(&out);
    lh_buf_release(&again);
    lh_baseline_free(b);
    lh_baseline_free(c);
}

static void test_empty_render(void **state)
{
    struct lh_baseline *b = NULL, *c = NULL;
    struct lh_buf out;
    (void)state;

    assert_int_equal(lh_baseline_new(&b), 0);
    lh_buf_init(&out, 4096);
    assert_int_equal(lh_baseline_render(&out, b), 0);
    assert_non_null(strstr(out.ptr, "entries: []\n"));
    assert_int_equal(lh_baseline_new(&c), 0);
    assert_int_equal(lh_baseline_load_buffer(c, "e.yml", out.ptr, out.len), 0);
    assert_int_equal(lh_baseline_count(c), 0);
    assert_false(lh_baseline_match(c, FP_A, "x"));
    lh_buf_release(&out);
    lh_baseline_free(b);
    lh_baseline_free(c);
}

static void test_alloc_failure_sweep(void **state)
{
    struct lh_baseline *b = NULL;
    unsigned long n, total;
    int rc;
    (void)state;

    lh_alloc_fail_at(0);
    assert_int_equal(lh_baseline_new(&b), 0);
    assert_int_equal(lh_baseline_load_buffer(b, "bl.yml", good, sizeof(good) - 1), 0);
    total = lh_alloc_count();
    lh_baseline_free(b);
    for (n = 1; n <= total; n++) {
        b = NULL;
        lh_alloc_fail_at(n);
        rc = lh_baseline_new(&b);
        if (rc == 0)
            rc = lh_baseline_load_buffer(b, "bl.yml", good, sizeof(good) - 1);
        lh_alloc_fail_at(0);
        assert_int_equal(rc, LH_ENOMEM);
        lh_baseline_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_sort),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_render_roundtrip),
        cmocka_unit_test(test_empty_render),
        cmocka_unit_test(test_alloc_failure_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
