/*
 * test_audit.c - audit events: the leakhound.audit/v1 fields, never a secret or a prefix of one,
 * the environment's repository/pusher/protocol, one valid JSON line whatever the input bytes, the
 * findings cap, appends to a file, and 8 processes appending to one log without interleaving.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/finding.h"
#include "filter/filter.h"
#include "report/audit.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"

/* Split so that this file holds no scannable token. */
#define SECRET "zq9X" "Vb8Nc4Rt6Yp1Lm2Q7x9"

static struct lh_rule rule_a = {.id = (char *)"test.token"};
static struct lh_rule rule_b = {.id = (char *)"aa.key"};

static void add_finding(struct lh_findings *l, const struct lh_rule *r, const char *secret,
                        const char *path)
{
    struct lh_finding f;
    const void *parts[3] = {r->id, "", secret};
    size_t lens[3] = {strlen(r->id), 1, strlen(secret)};

    memset(&f, 0, sizeof(f));
    f.rule = r;
    f.secret = (unsigned char *)strdup(secret);
    f.secret_len = strlen(secret);
    f.path = strdup(path);
    lh_sha256_hex(f.fingerprint, parts, lens, 3);
    assert_int_equal(lh_findings_push(l, &f), 0);
}

static void clear_env(void)
{
    unsetenv("GL_PROJECT_PATH");
    unsetenv("GITHUB_REPO_NAME");
    unsetenv("GL_USERNAME");
    unsetenv("GITHUB_USER_LOGIN");
    unsetenv("GL_PROTOCOL");
}

static json_object *parse_line(const char *s, size_t len)
{
    json_object *o;

    assert_true(len > 0);
    assert_int_equal(s[len - 1], '\n');
    assert_null(memchr(s, '\n', len - 1)); /* exactly one line */
    o = json_tokener_parse(s);
    assert_non_null(o);
    return o;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v) || v == NULL)
        return NULL;
    return json_object_get_string(v);
}

static int64_t jint(json_object *o, const char *key)
{
    json_object *v = NULL;

    assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_int64(v);
}

static void test_event_fields(void **state)
{
    struct lh_findings fs;
    struct lh_audit_ctx ctx;
    struct lh_audit_ref refs[2] = {
        {"refs/heads/main", "1111111111111111111111111111111111111111",
         "2222222222222222222222222222222222222222"},
        {"refs/heads/new", "0000000000000000000000000000000000000000",
         "3333333333333333333333333333333333333333"},
    };
    uint64_t dropped[LH_DROP__COUNT] = {0};
    struct lh_buf b;
    json_object *o, *v, *f0;
    (void)state;

    clear_env();
    lh_findings_init(&fs);
    add_finding(&fs, &rule_a, SECRET, "a.py");
    add_finding(&fs, &rule_a, SECRET, "b.py"); /* same secret twice: one entry, count 2 */
    add_finding(&fs, &rule_b, SECRET "x", "c.py");
    dropped[LH_DROP_INLINE_ALLOW] = 2;
    dropped[LH_DROP_BASELINE] = 5;

    lh_audit_ctx_init(&ctx);
    ctx.timestamp_ms = 1700000000123;
    ctx.mode = "pre-receive";
    ctx.repository = "/srv/git/app.git";
    ctx.refs = refs;
    ctx.n_refs = 2;
    ctx.pusher = "alice";
    ctx.protocol = "ssh";
    ctx.commits = 3;
    ctx.blobs = 7;
    ctx.bytes = 4096;
    ctx.findings = &fs;
    ctx.suppressed = dropped;
    ctx.duration_ms = 42;
    ctx.ruleset_hash = "abc";
    ctx.exit_code = 1;

    lh_buf_init(&b, 1 << 20);
    assert_int_equal(lh_audit_render(&b, LH_AUDIT_PUSH_REJECTED, &ctx), 0);
    /* never the secret, never a redacted prefix of it */
    assert_null(strstr(b.ptr, "zq9X"));
    assert_null(strstr(b.ptr, "Vb8Nc4"));
    o = parse_line(b.ptr, b.len);
    assert_string_equal(jstr(o, "schema"), "leakhound.audit/v1");
    assert_string_equal(jstr(o, "timestamp"), "2023-11-14T22:13:20.123Z");
    assert_string_equal(jstr(o, "event"), "push.rejected");
    assert_string_equal(jstr(o, "mode"), "pre-receive");
    assert_string_equal(jstr(o, "repository"), "/srv/git/app.git");
    assert_string_equal(jstr(o, "pusher"), "alice");
    assert_string_equal(jstr(o, "protocol"), "ssh");
    assert_int_equal(jint(o, "duration_ms"), 42);
    assert_int_equal(jint(o, "exit_code"), 1);
    assert_true(json_object_object_get_ex(o, "refs", &v));
    assert_int_equal(json_object_array_length(v), 2);
    assert_string_equal(jstr(json_object_array_get_idx(v, 1), "name"), "refs/heads/new");
    assert_string_equal(jstr(json_object_array_get_idx(v, 1), "old"),
                        "0000000000000000000000000000000000000000");
    assert_true(json_object_object_get_ex(o, "counts", &v));
    assert_int_equal(jint(v, "commits"), 3);
    assert_int_equal(jint(v, "blobs"), 7);
    assert_int_equal(jint(v, "bytes"), 4096);
    assert_int_equal(jint(v, "findings"), 3);
    assert_true(json_object_object_get_ex(o, "findings", &v));
    assert_int_equal(json_object_array_length(v), 2);
    f0 = json_object_array_get_idx(v, 0); /* sorted by rule id */
    assert_string_equal(jstr(f0, "rule_id"), "aa.key");
    f0 = json_object_array_get_idx(v, 1);
    assert_string_equal(jstr(f0, "rule_id"), "test.token");
    assert_string_equal(jstr(f0, "fingerprint"), fs.items[0].fingerprint);
    assert_int_equal(jint(f0, "count"), 2);
    assert_int_equal(json_object_object_length(f0), 3); /* nothing else about the finding */
    assert_true(json_object_object_get_ex(o, "suppressed", &v));
    assert_int_equal(jint(v, "inline-allow"), 2);
    assert_int_equal(jint(v, "baseline"), 5);
    assert_int_equal(jint(v, "path"), 0);
    assert_int_equal(jint(v, "total"), 7);
    assert_true(json_object_object_get_ex(o, "tool", &v));
    assert_string_equal(jstr(v, "name"), "leakhound");
    assert_string_equal(jstr(v, "version"), LH_VERSION);
    assert_string_equal(jstr(v, "ruleset_hash"), "abc");
    json_object_put(o);
    lh_buf_release(&b);
    lh_findings_release(&fs);
}

static void test_environment(void **state)
{
    struct lh_audit_ctx ctx;
    struct lh_buf b;
    json_object *o;
    (void)state;

    clear_env();
    lh_audit_ctx_init(&ctx);
    ctx.repository = "/srv/git/app.git";
    setenv("GL_PROJECT_PATH", "group/app", 1);
    setenv("GL_USERNAME", "bob", 1);
    setenv("GITHUB_USER_LOGIN", "carol", 1);
    setenv("GL_PROTOCOL", "http", 1);
    lh_buf_init(&b, 1 << 20);
    assert_int_equal(lh_audit_render(&b, LH_AUDIT_PUSH_ACCEPTED, &ctx), 0);
    o = parse_line(b.ptr, b.len);
    assert_string_equal(jstr(o, "repository"), "group/app");
    assert_string_equal(jstr(o, "repository_path"), "/srv/git/app.git");
    assert_string_equal(jstr(o, "pusher"), "bob");
    assert_string_equal(jstr(o, "protocol"), "http");
    assert_null(jstr(o, "exit_code")); /* not decided: null */
    json_object_put(o);

    clear_env();
    setenv("GITHUB_REPO_NAME", "org/app", 1);
    setenv("GITHUB_USER_LOGIN", "carol", 1);
    lh_buf_reset(&b);
    assert_int_equal(lh_audit_render(&b, LH_AUDIT_PUSH_ACCEPTED, &ctx), 0);
    o = parse_line(b.ptr, b.len);
    assert_string_equal(jstr(o, "repository"), "org/app");
    assert_string_equal(jstr(o, "pusher"), "carol");
    assert_null(jstr(o, "protocol"));
    json_object_put(o);

    clear_env();
    lh_buf_reset(&b);
    assert_int_equal(lh_audit_render(&b, LH_AUDIT_SCAN_COMPLETED, &ctx), 0);
    o = parse_line(b.ptr, b.len);
    assert_non_null(jstr(o, "pusher")); /* the OS user */
    assert_non_null(strstr(jstr(o, "timestamp"), "Z"));
    json_object_put(o);
    lh_buf_release(&b);
}

static void test_hostile_bytes(void **state)
{
    struct lh_audit_ctx ctx;
    struct lh_audit_ref ref = {"refs/heads/\xff\x1b[31m\n\"x", "a", "b"};
    struct lh_buf b;
    json_object *o;
    (void)state;

    clear_env();
    lh_audit_ctx_init(&ctx);
    ctx.refs = &ref;
    ctx.n_refs = 1;
    ctx.message = "line1\nline2\x80";
    lh_buf_init(&b, 1 << 20);
    assert_int_equal(lh_audit_render(&b, LH_AUDIT_PUSH_BYPASSED, &ctx), 0);
    o = parse_line(b.ptr, b.len); /* still one line of valid JSON */
    assert_string_equal(jstr(o, "message"), "line1\nline2\xef\xbf\xbd");
    json_object_put(o);
    lh_buf_release(&b);
    assert_int_equal(lh_audit_render(&b, LH_AUDIT__COUNT, &ctx), LH_EINVALID);
}

static void test_findings_cap(void **state)
{
    struct lh_findings fs;
    struct lh_audit_ctx ctx;
    struct lh_buf b;
    json_object *o, *v;
    char s[64];
    unsigned i;
    (void)state;

    clear_env();
    lh_findings_init(&fs);
    for (i = 0; i < LH_AUDIT_MAX_FINDINGS + 5; i++) {
        snprintf(s, sizeof(s), "secret-%u", i);
        add_finding(&fs, &rule_a, s, "p");
    }
    lh_audit_ctx_init(&ctx);
    ctx.findings = &fs;
    lh_buf_init(&b, 1 << 24);
    assert_int_equal(lh_audit_render(&b, LH_AUDIT_SCAN_COMPLETED, &ctx), 0);
    o = parse_line(b.ptr, b.len);
    assert_true(json_object_object_get_ex(o, "findings", &v));
    assert_int_equal(json_object_array_length(v), LH_AUDIT_MAX_FINDINGS);
    assert_int_equal(jint(o, "findings_omitted"), 5);
    json_object_put(o);
    lh_buf_release(&b);
    lh_findings_release(&fs);
}

static void test_event_names(void **state)
{
    enum lh_audit_event e;
    unsigned i;
    (void)state;

    for (i = 0; i < LH_AUDIT__COUNT; i++) {
        assert_int_equal(lh_audit_event_parse(&e, lh_audit_event_name((enum lh_audit_event)i)), 0);
        assert_int_equal(e, i);
    }
    assert_string_equal(lh_audit_event_name(LH_AUDIT_DEADLINE_EXCEEDED), "deadline.exceeded");
    assert_int_equal(lh_audit_event_parse(&e, "push.maybe"), LH_EINVALID);
}

static size_t count_valid_lines(const char *path, unsigned *bad)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, n = 0;
    ssize_t len;

    assert_non_null(f);
    *bad = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        json_object *o = json_tokener_parse(line);
        if (o == NULL || line[len - 1] != '\n')
            (*bad)++;
        json_object_put(o);
        n++;
    }
    free(line);
    fclose(f);
    return n;
}

static void test_append_file(void **state)
{
    char dir[] = "/tmp/lh-audit-XXXXXX";
    char path[256];
    struct lh_audit_ctx ctx;
    unsigned bad;
    (void)state;

    clear_env();
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/audit.jsonl", dir);
    lh_audit_ctx_init(&ctx);
    assert_int_equal(lh_audit_emit(path, LH_AUDIT_COMMIT_BLOCKED, &ctx), 0);
    assert_int_equal(lh_audit_emit(path, LH_AUDIT_COMMIT_ALLOWED, &ctx), 0);
    assert_int_equal(lh_audit_emit(NULL, LH_AUDIT_COMMIT_ALLOWED, &ctx), 0);
    assert_int_equal(count_valid_lines(path, &bad), 2);
    assert_int_equal(bad, 0);
    remove(path);
    snprintf(path, sizeof(path), "%s/missing/audit.jsonl", dir);
    assert_int_equal(lh_audit_emit(path, LH_AUDIT_COMMIT_ALLOWED, &ctx), LH_EIO);
    assert_non_null(strstr(lh_error_last(), "missing/audit.jsonl: cannot open the audit log"));
    rmdir(dir);
}

/* 8 processes, each appending events longer than PIPE_BUF, to one file: no line is torn. */
static void test_concurrent_writers(void **state)
{
    char dir[] = "/tmp/lh-audit-XXXXXX";
    char path[256];
    pid_t pids[8];
    unsigned i, bad;
    int status;
    (void)state;

    clear_env();
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/audit.jsonl", dir);
    for (i = 0; i < 8; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct lh_findings fs;
            struct lh_audit_ctx ctx;
            char s[64];
            unsigned k;
            int rc = 0;
            lh_findings_init(&fs);
            for (k = 0; k < 60; k++) { /* ~60 x 120 bytes: well over PIPE_BUF (4096) */
                snprintf(s, sizeof(s), "w%u-secret-%u", i, k);
                add_finding(&fs, &rule_a, s, "p");
            }
            lh_audit_ctx_init(&ctx);
            ctx.findings = &fs;
            ctx.commits = i;
            for (k = 0; k < 150 && rc == 0; k++)
                rc = lh_audit_emit(path, LH_AUDIT_PUSH_REJECTED, &ctx);
            lh_findings_release(&fs);
            _exit(rc == 0 ? 0 : 1);
        }
    }
    for (i = 0; i < 8; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_int_equal(count_valid_lines(path, &bad), 8 * 150);
    assert_int_equal(bad, 0);
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_fields),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_hostile_bytes),
        cmocka_unit_test(test_findings_cap),
        cmocka_unit_test(test_event_names),
        cmocka_unit_test(test_append_file),
        cmocka_unit_test(test_concurrent_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
