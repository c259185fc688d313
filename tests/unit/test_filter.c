/*
 * test_filter.c - the keep/drop decision: inline allow markers in many comment syntaxes (and
 * --no-inline-allow), added lines, path globs, per-rule allow regexes, baseline fingerprints (on the
 * collected findings), and an allocation-failure sweep over filter setup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "filter/baseline.h"
#include "filter/filter.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"

/* A fake secret, split so that this file holds no scannable token. */
#define SECRET "tok" "_Q7x9Lm2Vb8Nc4Rt6Yp1"

static struct lh_rule rule_a = {.id = (char *)"test.token"};
static struct lh_rule rule_b = {.id = (char *)"other.key"};

struct scan {
    struct lh_chunk c;
    struct lh_match m;
    uint32_t line;
};

/* Points a chunk at text and a match at the nth (0-based) occurrence of SECRET in it. */
static void scan_at(struct scan *s, const char *path, const char *text, int nth,
                    const struct lh_rule *r)
{
    const char *p = text;
    uint32_t line = 1;
    const char *q;

    memset(s, 0, sizeof(*s));
    s->c.data = (const unsigned char *)text;
    s->c.len = strlen(text);
    s->c.path = path;
    p = strstr(text, SECRET);
    while (p && nth-- > 0)
        p = strstr(p + 1, SECRET);
    assert_non_null(p);
    for (q = text; q < p; q++)
        if (*q == '\n')
            line++;
    s->m.rule = r;
    s->m.start = s->m.secret_start = (size_t)(p - text);
    s->m.end = s->m.secret_end = s->m.secret_start + strlen(SECRET);
    s->line = line;
}

static bool keep(const struct lh_filter *f, struct scan *s, enum lh_drop_reason *why)
{
    return lh_filter_keep(f, &s->c, &s->m, s->line, s->line, why);
}

static void expect_inline(const char *text, int nth, bool allowed)
{
    struct lh_filter *f = NULL;
    struct scan s;
    enum lh_drop_reason why = LH_DROP__COUNT;

    assert_int_equal(lh_filter_new(&f), 0);
    scan_at(&s, "x", text, nth, &rule_a);
    if (allowed) {
        assert_false(keep(f, &s, &why));
        assert_int_equal(why, LH_DROP_INLINE_ALLOW);
        /* --no-inline-allow: the same match is kept */
        lh_filter_set_inline_allow(f, false);
        assert_true(keep(f, &s, &why));
    } else {
        assert_true(keep(f, &s, &why));
    }
    lh_filter_free(f);
}

static void test_inline_comment_syntaxes(void **state)
{
    (void)state;
    expect_inline("token = \"" SECRET "\"  # leakhound:allow\n", 0, true);            /* sh, py */
    expect_inline("const t = \"" SECRET "\"; // leakhound:allow\n", 0, true);         /* C, JS */
    expect_inline("char *t = \"" SECRET "\"; /* leakhound:allow */\n", 0, true);      /* C */
    expect_inline("<token>" SECRET "</token> <!-- leakhound:allow -->\n", 0, true);    /* XML */
    expect_inline("SELECT '" SECRET "'; -- leakhound:allow\n", 0, true);              /* SQL, Lua */
    expect_inline("token = " SECRET " ; leakhound:allow\n", 0, true);                  /* ini, lisp */
    expect_inline("token: " SECRET " # gitleaks:allow\n", 0, true);
    expect_inline("token = '" SECRET "'  # pragma: allowlist secret\n", 0, true);
    expect_inline("a = 1\ntoken = " SECRET "\n", 0, false);
    /* a marker on another line (not the one before) does not count */
    expect_inline("# leakhound:allow\nb = 2\ntoken = " SECRET "\n", 0, false);
}

static void test_inline_next_line(void **state)
{
    (void)state;
    expect_inline("# leakhound:allow-next-line\ntoken = " SECRET "\n", 0, true);
    expect_inline("// leakhound:allow-next-line\nconst t = '" SECRET "';\n", 0, true);
    expect_inline("<!-- leakhound:allow-next-line -->\n<t>" SECRET "</t>\n", 0, true);
    expect_inline("-- leakhound:allow-next-line\nSELECT '" SECRET "';\n", 0, true);
    expect_inline("; leakhound:allow-next-line\nt=" SECRET "\n", 0, true);
    expect_inline("/* leakhound:allow-next-line */\nt=" SECRET "\n", 0, true);
    expect_inline("# pragma: allowlist nextline secret\nt=" SECRET "\n", 0, true);
    /* allow-next-line is not a same-line marker */
    expect_inline("t=" SECRET " # leakhound:allow-next-line\n", 0, false);
    /* ... and covers exactly one line */
    expect_inline("t=" SECRET " # leakhound:allow-next-line\nu=" SECRET "\nv=" SECRET "\n", 1, true);
    expect_inline("t=" SECRET " # leakhound:allow-next-line\nu=" SECRET "\nv=" SECRET "\n", 2, false);
    /* CRLF line ends */
    expect_inline("# leakhound:allow-next-line\r\nt=" SECRET "\r\n", 0, true);
    /* the first line of a chunk has no line before it */
    expect_inline("t=" SECRET "\n", 0, false);
}

static void test_added_lines(void **state)
{
    struct lh_filter *f = NULL;
    struct lh_line_range added[] = {{2, 3}, {7, 7}};
    struct scan s;
    enum lh_drop_reason why;
    (void)state;

    assert_int_equal(lh_filter_new(&f), 0);
    scan_at(&s, "x", "a\nt=" SECRET "\n", 0, &rule_a);
    s.c.added = added;
    s.c.n_added = 2;
    assert_true(keep(f, &s, &why));
    scan_at(&s, "x", "a\nb\nc\nt=" SECRET "\n", 0, &rule_a);
    s.c.added = added;
    s.c.n_added = 2;
    assert_false(keep(f, &s, &why));
    assert_int_equal(why, LH_DROP_NOT_ADDED);
    assert_true(lh_filter_outside_added(&s.c, 8, 9));
    assert_false(lh_filter_outside_added(&s.c, 6, 7));
    lh_filter_free(f);
}

static void test_path_globs(void **state)
{
    struct lh_filter *f = NULL;
    struct scan s;
    enum lh_drop_reason why;
    (void)state;

    assert_int_equal(lh_filter_new(&f), 0);
    assert_int_equal(lh_filter_set_root(f, "./repo/"), 0);
    assert_int_equal(lh_filter_add_path_glob(f, "node_modules"), 0);
    assert_int_equal(lh_filter_add_path_glob(f, "*.min.js"), 0);
    assert_int_equal(lh_filter_add_path_glob(f, "tests/fixtures/"), 0);
    assert_int_equal(lh_filter_add_path_glob(f, "/docs/*.md"), 0);
    assert_int_equal(lh_filter_add_path_glob(f, "/"), LH_EINVALID);

    assert_string_equal(lh_filter_relpath(f, "repo/src/a.c"), "src/a.c");
    assert_string_equal(lh_filter_relpath(f, "./repo/src/a.c"), "src/a.c");
    assert_string_equal(lh_filter_relpath(f, "repository/a.c"), "repository/a.c");
    assert_true(lh_filter_path_excluded(f, "repo/web/node_modules/x/y.js"));
    assert_true(lh_filter_path_excluded(f, "repo/web/app.min.js"));
    assert_true(lh_filter_path_excluded(f, "repo/tests/fixtures/keys/a.pem"));
    assert_true(lh_filter_path_excluded(f, "repo/docs/guide.md"));
    assert_true(lh_filter_path_excluded(f, "repo/docs/sub/guide.md")); /* '*' crosses '/' */
    assert_false(lh_filter_path_excluded(f, "repo/src/docs/guide.md")); /* anchored */
    assert_false(lh_filter_path_excluded(f, "repo/tests/fixtures.c"));
    assert_false(lh_filter_path_excluded(f, "repo/src/app.js"));
    assert_false(lh_filter_path_excluded(f, "repo/node_modules_not/x.js"));

    scan_at(&s, "repo/web/app.min.js", "t=" SECRET "\n", 0, &rule_a);
    assert_false(keep(f, &s, &why));
    assert_int_equal(why, LH_DROP_PATH);
    scan_at(&s, "repo/src/app.js", "t=" SECRET "\n", 0, &rule_a);
    assert_true(keep(f, &s, &why));
    lh_filter_free(f);
}

static void test_config_allow(void **state)
{
    struct lh_filter *f = NULL;
    struct scan s;
    enum lh_drop_reason why;
    (void)state;

    assert_int_equal(lh_filter_new(&f), 0);
    /* secret regex, for one rule family */
    assert_int_equal(lh_filter_add_allow(f, "test.*", "^tok_Q7", NULL, "c.yml:3:5"), 0);
    /* line regex, every rule */
    assert_int_equal(lh_filter_add_allow(f, NULL, NULL, "EXAMPLE_ONLY", "c.yml:7:5"), 0);
    /* both: both must match */
    assert_int_equal(lh_filter_add_allow(f, "other.key", "Rt6", "^fixture:", "c.yml:9:5"), 0);

    scan_at(&s, "a", "t=" SECRET "\n", 0, &rule_a);
    assert_false(keep(f, &s, &why));
    assert_int_equal(why, LH_DROP_CONFIG_ALLOW);
    scan_at(&s, "a", "t=" SECRET "\n", 0, &rule_b);
    assert_true(keep(f, &s, &why)); /* the secret regex is for test.* only */
    scan_at(&s, "a", "x\nEXAMPLE_ONLY t=" SECRET "\ny\n", 0, &rule_b);
    assert_false(keep(f, &s, &why));
    scan_at(&s, "a", "fixture: " SECRET "\n", 0, &rule_b);
    assert_false(keep(f, &s, &why));
    scan_at(&s, "a", "real: " SECRET "\n", 0, &rule_b);
    assert_true(keep(f, &s, &why)); /* secret matches, line does not */

    assert_int_equal(lh_filter_add_allow(f, NULL, "(unclosed", NULL, "c.yml:12:13"), LH_EINVALID);
    assert_non_null(strstr(lh_error_last(), "c.yml:12:13: secret: invalid regular expression"));
    assert_int_equal(lh_filter_add_allow(f, NULL, NULL, NULL, "c.yml:14:3"), LH_EINVALID);
    assert_non_null(strstr(lh_error_last(), "c.yml:14:3"));
    lh_filter_free(f);
}

static void fingerprint(char out[65], const char *rule, const char *secret)
{
    const void *parts[3] = {rule, "", secret};
    size_t lens[3] = {strlen(rule), 1, strlen(secret)};

    lh_sha256_hex(out, parts, lens, 3);
}

/* A finding of rule r for SECRET (or SECRET "X" when longer) at path, line 1. */
static void push_finding(struct lh_findings *l, const struct lh_rule *r, const char *path,
                         bool longer)
{
    struct lh_finding x;
    const char *secret = longer ? SECRET "X" : SECRET;

    memset(&x, 0, sizeof(x));
    x.rule = r;
    x.path = lh_strdup(path);
    x.secret = (unsigned char *)lh_strdup(secret);
    assert_non_null(x.path);
    assert_non_null(x.secret);
    x.secret_len = strlen(secret);
    fingerprint(x.fingerprint, r->id, secret);
    x.line_start = x.line_end = 1;
    x.col_start = 3;
    x.col_end = (uint32_t)(2 + x.secret_len);
    assert_int_equal(lh_findings_push(l, &x), 0);
}

static void test_baseline(void **state)
{
    struct lh_filter *f = NULL;
    struct lh_baseline *b = NULL;
    struct lh_filter_stats st;
    struct lh_findings l;
    char fp[65];
    (void)state;

    assert_int_equal(lh_filter_new(&f), 0);
    assert_int_equal(lh_filter_set_root(f, "repo"), 0);
    assert_int_equal(lh_baseline_new(&b), 0);
    fingerprint(fp, "test.token", SECRET);
    assert_int_equal(lh_baseline_add(b, fp, "test.token", "src/a.py", 1, false, NULL), 0);
    fingerprint(fp, "other.key", SECRET);
    assert_int_equal(lh_baseline_add(b, fp, "other.key", "src/pinned.py", 1, true, NULL), 0);
    lh_baseline_sort(b);
    lh_filter_set_baseline(f, b);
    assert_ptr_equal(lh_filter_baseline(f), b);

    /* the match-by-match decision does not look at the baseline: the collected findings do */
    {
        struct scan sc;
        enum lh_drop_reason why;
        scan_at(&sc, "repo/src/elsewhere.py", "a=" SECRET "\n", 0, &rule_a);
        assert_true(keep(f, &sc, &why));
    }
    memset(&st, 0, sizeof(st));
    lh_findings_init(&l);
    /* 0: the baselined secret, anywhere: dropped */
    push_finding(&l, &rule_a, "repo/src/elsewhere.py", false);
    /* 1: a different secret: kept */
    push_finding(&l, &rule_a, "repo/src/other.py", true);
    /* 2: the same secret under another rule has another fingerprint: kept */
    push_finding(&l, &rule_b, "repo/src/a.py", false);
    /* 3: pinned, at its path: dropped */
    push_finding(&l, &rule_b, "repo/src/pinned.py", false);
    lh_findings_sort(&l);
    assert_int_equal(lh_filter_baseline_findings(f, &l, &st), 2);
    assert_int_equal(st.dropped[LH_DROP_BASELINE], 2);
    assert_int_equal(l.len, 2);
    assert_string_equal(l.items[0].path, "repo/src/a.py");
    assert_string_equal(l.items[1].path, "repo/src/other.py");
    assert_int_equal(lh_baseline_hits(b, 0) + lh_baseline_hits(b, 1), 2);
    lh_findings_release(&l);

    /* no baseline: nothing is dropped */
    lh_filter_set_baseline(f, NULL);
    lh_findings_init(&l);
    push_finding(&l, &rule_a, "repo/src/elsewhere.py", false);
    assert_int_equal(lh_filter_baseline_findings(f, &l, &st), 0);
    assert_int_equal(l.len, 1);
    lh_findings_release(&l);
    lh_filter_free(f);
    lh_baseline_free(b);
}

static void test_reason_names(void **state)
{
    (void)state;
    assert_string_equal(lh_drop_reason_name(LH_DROP_NOT_ADDED), "not-added");
    assert_string_equal(lh_drop_reason_name(LH_DROP_INLINE_ALLOW), "inline-allow");
    assert_string_equal(lh_drop_reason_name(LH_DROP_PATH), "path");
    assert_string_equal(lh_drop_reason_name(LH_DROP_BASELINE), "baseline");
    assert_string_equal(lh_drop_reason_name(LH_DROP_CONFIG_ALLOW), "config-allow");
}

static int setup_all(struct lh_filter **out)
{
    struct lh_filter *f = NULL;
    int rc = lh_filter_new(&f);

    if (rc == 0)
        rc = lh_filter_set_root(f, "root");
    if (rc == 0)
        rc = lh_filter_add_path_glob(f, "vendor");
    if (rc == 0)
        rc = lh_filter_add_path_glob(f, "a/b");
    if (rc == 0)
        rc = lh_filter_add_allow(f, "x.*", "abc", "def", "w");
    if (rc == 0)
        rc = lh_filter_add_allow(f, NULL, NULL, "ghi", "w");
    if (rc) {
        lh_filter_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

static void test_alloc_failure_sweep(void **state)
{
    struct lh_filter *f = NULL;
    unsigned long n, total;
    (void)state;

    lh_alloc_fail_at(0);
    assert_int_equal(setup_all(&f), 0);
    total = lh_alloc_count();
    lh_filter_free(f);
    for (n = 1; n <= total; n++) {
        int rc;
        f = NULL;
        lh_alloc_fail_at(n);
        rc = setup_all(&f);
        lh_alloc_fail_at(0);
        assert_int_equal(rc, LH_ENOMEM);
        assert_null(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inline_comment_syntaxes),
        cmocka_unit_test(test_inline_next_line),
        cmocka_unit_test(test_added_lines),
        cmocka_unit_test(test_path_globs),
        cmocka_unit_test(test_config_allow),
        cmocka_unit_test(test_baseline),
        cmocka_unit_test(test_reason_names),
        cmocka_unit_test(test_alloc_failure_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
