/*
 * test_event.c - src/git/event.c, the GitHub Actions event reader: pull_request and
 * pull_request_target, a pull_request member under another event name, push, a new branch
 * (before all zeros) and a deletion (after all zeros), SHA-256 ids, absent and null members, wrong
 * types, malformed ids and branch names, invalid JSON, and an allocation-failure sweep. Every input
 * is handed over in a heap buffer of exactly its length (no terminator), so a read past the end is
 * an ASan report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "git/git.h"
#include "util/alloc.h"
#include "util/error.h"

#define A40 "1111111111111111111111111111111111111111"
#define B40 "2222222222222222222222222222222222222222"
#define C64 "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define Z40 "0000000000000000000000000000000000000000"

/* A pull_request event as GitHub writes it, trimmed (the reader must skip what it does not use). */
static const char pr_json[] =
    "{\"action\": \"synchronize\", \"number\": 7,\n"
    " \"pull_request\": {\"id\": 1, \"title\": \"t\", \"labels\": [],\n"
    "   \"base\": {\"ref\": \"main\", \"sha\": \"" A40 "\", \"repo\": {\"fork\": false}},\n"
    "   \"head\": {\"ref\": \"feature\", \"sha\": \"" B40 "\", \"user\": null}},\n"
    " \"repository\": {\"default_branch\": \"main\", \"full_name\": \"o/r\", \"size\": 12.5},\n"
    " \"sender\": {\"login\": \"octocat\"}}\n";

static const char push_json[] =
    "{\"ref\": \"refs/heads/feature\", \"before\": \"" A40 "\", \"after\": \"" B40 "\",\n"
    " \"created\": false, \"commits\": [{\"id\": \"" B40 "\"}],\n"
    " \"repository\": {\"default_branch\": \"trunk\"}}";

/* Parses s (without its terminator, in an exact-size heap copy). */
static int parse(struct lh_git_event *ev, const char *name, const char *s)
{
    size_t len = strlen(s);
    char *copy = malloc(len ? len : 1);
    int rc;

    assert_non_null(copy);
    memcpy(copy, s, len);
    lh_error_clear();
    rc = lh_git_event_parse(ev, name, copy, len);
    free(copy);
    return rc;
}

static void assert_empty(const struct lh_git_event *ev)
{
    assert_int_equal(ev->kind, LH_GIT_EVENT_PUSH);
    assert_null(ev->base);
    assert_null(ev->head);
    assert_null(ev->default_branch);
}

/* Parsing fails with LH_EINVALID, an empty result and a message containing want. */
static void expect_invalid(const char *name, const char *json, const char *want)
{
    struct lh_git_event ev;
    int rc = parse(&ev, name, json);

    if (rc != LH_EINVALID || strstr(lh_error_last(), want) == NULL)
        fail_msg("input %s: rc %d, message \"%s\", wanted LH_EINVALID and \"%s\"", json, rc,
                 lh_error_last(), want);
    assert_empty(&ev);
    lh_git_event_release(&ev);
}

static void test_pull_request(void **state)
{
    static const char *const names[] = {"pull_request", "pull_request_target", NULL};
    struct lh_git_event ev;
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        assert_int_equal(parse(&ev, names[i], pr_json), 0);
        assert_int_equal(ev.kind, LH_GIT_EVENT_PULL_REQUEST);
        assert_string_equal(ev.base, A40);
        assert_string_equal(ev.head, B40);
        assert_string_equal(ev.default_branch, "main");
        lh_git_event_release(&ev);
        assert_empty(&ev);
        lh_git_event_release(&ev); /* twice is fine */
    }
    /* an issue_comment on a pull request carries a pull_request member without head/base: its
     * run is about the default branch, read as a push without ids */
    assert_int_equal(parse(&ev, "issue_comment", pr_json), 0);
    assert_int_equal(ev.kind, LH_GIT_EVENT_PUSH);
    assert_null(ev.base);
    assert_null(ev.head);
    assert_string_equal(ev.default_branch, "main");
    lh_git_event_release(&ev);
}

static void test_push(void **state)
{
    struct lh_git_event ev;

    (void)state;
    assert_int_equal(parse(&ev, "push", push_json), 0);
    assert_int_equal(ev.kind, LH_GIT_EVENT_PUSH);
    assert_string_equal(ev.base, A40);
    assert_string_equal(ev.head, B40);
    assert_string_equal(ev.default_branch, "trunk");
    lh_git_event_release(&ev);

    /* a new branch: before is all zeros, kept as written for the caller to recognise */
    assert_int_equal(parse(&ev, "push", "{\"before\": \"" Z40 "\", \"after\": \"" B40 "\"}"), 0);
    assert_string_equal(ev.base, Z40);
    assert_true(lh_git_is_zero_id(ev.base, strlen(ev.base)));
    assert_string_equal(ev.head, B40);
    assert_null(ev.default_branch);
    lh_git_event_release(&ev);

    /* a deletion; SHA-256 ids; upper-case hex kept as written */
    assert_int_equal(parse(&ev, "push", "{\"before\": \"" C64 "\", \"after\": \"" Z40 "\"}"), 0);
    assert_string_equal(ev.base, C64);
    assert_true(lh_git_is_zero_id(ev.head, strlen(ev.head)));
    lh_git_event_release(&ev);
    assert_int_equal(parse(&ev, NULL, "{\"after\": \"ABCDEF0123456789ABCDEF0123456789ABCDEF01\"}"),
                     0);
    assert_string_equal(ev.head, "ABCDEF0123456789ABCDEF0123456789ABCDEF01");
    assert_null(ev.base);
    lh_git_event_release(&ev);
}

static void test_missing_and_null(void **state)
{
    struct lh_git_event ev;

    (void)state;
    /* workflow_dispatch, schedule: no ids at all */
    assert_int_equal(parse(&ev, "workflow_dispatch", "{}"), 0);
    assert_empty(&ev);
    assert_int_equal(parse(&ev, "push", " \n{\"repository\": {}}\n\n"), 0);
    assert_empty(&ev);
    assert_int_equal(
        parse(&ev, "push", "{\"before\": null, \"after\": null, \"repository\": null}"), 0);
    assert_empty(&ev);
    /* a pull request without sides, or with null ones */
    assert_int_equal(parse(&ev, "pull_request", "{\"pull_request\": {}}"), 0);
    assert_int_equal(ev.kind, LH_GIT_EVENT_PULL_REQUEST);
    assert_null(ev.base);
    assert_null(ev.head);
    lh_git_event_release(&ev);
    assert_int_equal(parse(&ev, "pull_request", "{\"pull_request\": null}"), 0);
    assert_int_equal(ev.kind, LH_GIT_EVENT_PULL_REQUEST);
    assert_null(ev.head);
    lh_git_event_release(&ev);
    assert_int_equal(parse(&ev, "pull_request",
                           "{\"pull_request\": {\"head\": {\"sha\": \"" B40
                           "\"}, \"base\": null}}"),
                     0);
    assert_string_equal(ev.head, B40);
    assert_null(ev.base);
    lh_git_event_release(&ev);
    /* a pull_request event name without the member: read as a push (no ids) */
    assert_int_equal(parse(&ev, "pull_request", "{\"after\": \"" B40 "\"}"), 0);
    assert_int_equal(ev.kind, LH_GIT_EVENT_PUSH);
    assert_string_equal(ev.head, B40);
    lh_git_event_release(&ev);
}

static void test_wrong_types(void **state)
{
    (void)state;
    expect_invalid("push", "{\"after\": 5}", "after: expected a string, got int");
    expect_invalid("push", "{\"before\": [\"" A40 "\"]}", "before: expected a string, got array");
    expect_invalid("push", "{\"after\": true}", "after: expected a string, got boolean");
    expect_invalid("push", "{\"repository\": \"o/r\"}",
                   "repository: expected an object, got string");
    expect_invalid("push", "{\"repository\": {\"default_branch\": 1.5}}",
                   "repository.default_branch: expected a string, got double");
    expect_invalid("pull_request", "{\"pull_request\": 7}", "pull_request: expected an object");
    expect_invalid("pull_request", "{\"pull_request\": {\"head\": \"" B40 "\"}}",
                   "pull_request.head: expected an object, got string");
    expect_invalid("pull_request", "{\"pull_request\": {\"base\": []}}",
                   "pull_request.base: expected an object, got array");
    expect_invalid("pull_request_target", "{\"pull_request\": {\"base\": {\"sha\": {}}}}",
                   "pull_request.base.sha: expected a string, got object");
    /* the wrong type is reported even when the other side is fine */
    expect_invalid("pull_request",
                   "{\"pull_request\": {\"head\": {\"sha\": \"" B40 "\"}, \"base\": {\"sha\": 0}}}",
                   "pull_request.base.sha");
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_invalid("push", "{\"after\": \"\"}", "after: not a commit id");
    expect_invalid("push", "{\"after\": \"HEAD\"}",
                   "after: not a commit id (40 or 64 hex digits; got 4 bytes)");
    expect_invalid("push", "{\"after\": \"" A40 "1\"}", "got 41 bytes");
    expect_invalid("push", "{\"before\": \"111111111111111111111111111111111111111g\"}",
                   "before: not a commit id");
    expect_invalid("push", "{\"before\": \"" C64 "0\"}", "got 65 bytes");
    /* an escaped NUL must not cut the id short into something that looks valid */
    expect_invalid("push", "{\"after\": \"" A40 "\\u0000xyz\"}", "got 44 bytes");
    expect_invalid("push", "{\"repository\": {\"default_branch\": \"\"}}",
                   "repository.default_branch: empty");
    expect_invalid("push", "{\"repository\": {\"default_branch\": \"ma\\u0000in\"}}",
                   "repository.default_branch: control character at byte 2");
    expect_invalid("push", "{\"repository\": {\"default_branch\": \"a\\nb\"}}",
                   "control character at byte 1");
}

static void test_invalid_json(void **state)
{
    (void)state;
    expect_invalid("push", "", "unexpected end of input");
    expect_invalid("push", "   ", "unexpected end of input");
    expect_invalid("push", "{not json", "invalid JSON at byte");
    expect_invalid("push", "{\"after\": \"" B40 "\"", "unexpected end of input");
    expect_invalid("push", "{} {}", "trailing data at byte 3");
    expect_invalid("push", "{}x", "trailing data at byte 2");
    expect_invalid("push", "[\"" B40 "\"]", "expected a JSON object, got array");
    expect_invalid("push", "\"" B40 "\"", "expected a JSON object, got string");
    expect_invalid("push", "null", "expected a JSON object, got null");
    expect_invalid("push", "12 ", "expected a JSON object, got int");
    expect_invalid("push", "12", "expected a JSON object, got int");
}

/* Every allocation failure is LH_ENOMEM with a message and an empty result, or is not reached. */
static void test_alloc_sweep(void **state)
{
    struct lh_git_event ev;
    unsigned long n;
    int rc;

    (void)state;
    for (n = 1;; n++) {
        lh_alloc_fail_at(n);
        rc = parse(&ev, "pull_request", pr_json);
        lh_alloc_fail_at(0);
        if (rc == 0) {
            assert_string_equal(ev.base, A40);
            assert_string_equal(ev.head, B40);
            assert_string_equal(ev.default_branch, "main");
            lh_git_event_release(&ev);
            break;
        }
        assert_int_equal(rc, LH_ENOMEM);
        assert_string_equal(lh_error_last(), "out of memory");
        assert_empty(&ev);
    }
    assert_int_equal(n, 4); /* three copies, then no failure reached */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pull_request),     cmocka_unit_test(test_push),
        cmocka_unit_test(test_missing_and_null), cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_bad_values),       cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_alloc_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
