/*
 * test_config.c - .leakhound.yml: every key read, every kind of mistake reported as FILE:LINE:COL,
 * the server section only in a server config, the server's restriction of a repository config, and
 * an allocation-failure sweep over loading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/config.h"
#include "util/alloc.h"
#include "util/error.h"

static const char full[] = "version: 1\n"
                           "rules:\n"
                           "  packs: [ci/extra.yml, /etc/leakhound/site.yml]\n"
                           "  disable:\n"
                           "    - generic.password\n"
                           "paths:\n"
                           "  skip: [vendor/, '*.min.js']\n"
                           "allow:\n"
                           "  - rule: github.*\n"
                           "    secret: '^ghp_0{36}$'\n"
                           "    reason: all-zero test token\n"
                           "  - line: 'EXAMPLE'\n"
                           "    reason: documentation\n"
                           "max_file_size: 2M\n"
                           "inline_allow: false\n"
                           "audit_log: logs/audit.jsonl\n"
                           "baseline: .leakhound-baseline.yml\n"
                           "hook:\n"
                           "  deadline: 250ms\n"
                           "  on_deadline: allow\n"
                           "  max_commits: 500\n"
                           "  allow_bypass: true\n";

static void test_full(void **state)
{
    struct lh_config *c = NULL;
    (void)state;

    assert_int_equal(lh_config_load_buffer(&c, "repo/.leakhound.yml", "repo", full,
                                           sizeof(full) - 1, false),
                     0);
    assert_int_equal(c->n_rule_packs, 2);
    assert_string_equal(c->rule_packs[0].value, "repo/ci/extra.yml");
    assert_string_equal(c->rule_packs[0].where, "repo/.leakhound.yml:3:11");
    assert_string_equal(c->rule_packs[1].value, "/etc/leakhound/site.yml");
    assert_int_equal(c->n_disable, 1);
    assert_string_equal(c->disable[0].value, "generic.password");
    assert_string_equal(c->disable[0].where, "repo/.leakhound.yml:5:7");
    assert_int_equal(c->n_skip_paths, 2);
    assert_string_equal(c->skip_paths[1].value, "*.min.js");
    assert_int_equal(c->n_allow, 2);
    assert_string_equal(c->allow[0].rule, "github.*");
    assert_string_equal(c->allow[0].secret, "^ghp_0{36}$");
    assert_null(c->allow[0].line);
    assert_null(c->allow[1].rule);
    assert_string_equal(c->allow[1].line, "EXAMPLE");
    assert_string_equal(c->allow[1].where, "repo/.leakhound.yml:12:5");
    assert_true(c->has_max_file_size);
    assert_int_equal(c->max_file_size, 2u << 20);
    assert_true(c->has_inline_allow);
    assert_false(c->inline_allow);
    assert_string_equal(c->audit_log, "repo/logs/audit.jsonl");
    assert_string_equal(c->baseline, "repo/.leakhound-baseline.yml");
    assert_true(c->has_deadline);
    assert_true(c->deadline_s > 0.2499 && c->deadline_s < 0.2501);
    assert_int_equal(c->on_deadline, LH_ON_DEADLINE_ALLOW);
    assert_int_equal(c->max_commits, 500);
    assert_true(c->allow_bypass);
    assert_string_equal(c->where[LH_CK_DEADLINE], "repo/.leakhound.yml:19:13");
    lh_config_free(c);
}

static void test_empty_and_special(void **state)
{
    struct lh_config *c = NULL;
    const char *t;
    (void)state;

    assert_int_equal(lh_config_load_buffer(&c, ".leakhound.yml", NULL, "", 0, false), 0);
    assert_int_equal(c->n_rule_packs + c->n_disable + c->n_skip_paths + c->n_allow, 0);
    assert_false(c->has_deadline);
    assert_true(c->inline_allow);
    lh_config_free(c);
    t = "audit_log: syslog\nhook: {deadline: 4}\n";
    assert_int_equal(lh_config_load_buffer(&c, "c.yml", "d", t, strlen(t), false), 0);
    assert_string_equal(c->audit_log, "syslog");
    assert_true(c->deadline_s == 4.0);
    lh_config_free(c);
    t = "audit_log: '-'\n";
    assert_int_equal(lh_config_load_buffer(&c, "c.yml", "d", t, strlen(t), false), 0);
    assert_string_equal(c->audit_log, "-");
    lh_config_free(c);
}

static void expect_error(const char *text, bool server, const char *msg)
{
    struct lh_config *c = NULL;
    int rc = lh_config_load_buffer(&c, "c.yml", ".", text, strlen(text), server);

    assert_int_equal(rc, LH_EINVALID);
    assert_null(c);
    if (strstr(lh_error_last(), msg) == NULL)
        fail_msg("expected '%s' in '%s'", msg, lh_error_last());
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("colour: red\n", false, "c.yml:1:1: unknown key 'colour'");
    expect_error("version: 2\n", false, "c.yml:1:10: unsupported config version 2");
    expect_error("- a\n- b\n", false, "c.yml:1:1: a leakhound config must be a mapping, not a list");
    expect_error("rules: [a.yml]\n", false, "c.yml:1:8: rules must be a mapping, not a list");
    expect_error("rules:\n  pack: [a.yml]\n", false, "c.yml:2:3: unknown key 'rules.pack'");
    expect_error("rules:\n  disable: generic.password\n", false,
                 "c.yml:2:12: rules.disable must be a list, not a scalar");
    expect_error("rules:\n  disable: [[x]]\n", false,
                 "c.yml:2:13: rules.disable must be a string, not a list");
    expect_error("paths:\n  skip: ['']\n", false, "c.yml:2:10: paths.skip must not be empty");
    expect_error("allow:\n  - rule: x\n    reason: r\n", false,
                 "c.yml:2:5: an allow entry needs 'secret' or 'line'");
    expect_error("allow:\n  - line: x\n", false, "c.yml:2:5: an allow entry needs a 'reason'");
    expect_error("allow:\n  - line: x\n    reason: r\n    path: y\n", false,
                 "c.yml:4:5: unknown key 'path' in an allow entry");
    expect_error("max_file_size: 10X\n", false, "c.yml:1:16: max_file_size must be a positive size");
    expect_error("max_file_size: 0\n", false, "c.yml:1:16: max_file_size must be a positive size");
    expect_error("inline_allow: 'false'\n", false, "c.yml:1:15: inline_allow must be true or false");
    expect_error("inline_allow: yes\n", false, "c.yml:1:15: inline_allow must be true or false");
    expect_error("hook:\n  deadline: soon\n", false, "c.yml:2:13: hook.deadline must be a duration");
    expect_error("hook:\n  deadline: 90000\n", false, "c.yml:2:13: hook.deadline must be a duration");
    expect_error("hook:\n  on_deadline: maybe\n", false,
                 "c.yml:2:16: hook.on_deadline must be deny or allow, not 'maybe'");
    expect_error("hook:\n  max_commits: 0\n", false, "c.yml:2:16: hook.max_commits must be at least 1");
    expect_error("hook:\n  max_commits: -1\n", false, "c.yml:2:16: hook.max_commits must be a whole");
    expect_error("hook:\n  bypass: true\n", false, "c.yml:2:3: unknown key 'hook.bypass'");
    expect_error("server:\n  repository_config: ignore\n", false,
                 "c.yml:1:1: 'server' is only allowed in a server config");
    expect_error("server:\n  repository_config: trust\n", true,
                 "c.yml:2:22: server.repository_config must be tighten or ignore");
    expect_error("paths: &p {skip: [a]}\n", false, "c.yml:1:8: anchors are not allowed here");
    expect_error("a: [\n", false, "c.yml:");
    expect_error("---\n{}\n---\n{}\n", false, "only one YAML document is allowed");
    expect_error("inline_allow: true\nhook: {}\ninline_allow: false\n", false,
                 "c.yml:3:1: duplicate key 'inline_allow' (first at line 1)");
    expect_error("allow:\n  - line: a\n    reason: r\n    line: b\n", false,
                 "c.yml:4:5: duplicate key 'line' (first at line 2)");
}

static void test_deep_nesting(void **state)
{
    char text[400];
    size_t i;
    (void)state;

    for (i = 0; i < 100; i++)
        text[i] = '[';
    text[100] = '\0';
    expect_error(text, false, "nested too deeply");
}

static void test_server_section(void **state)
{
    struct lh_config *c = NULL;
    const char *t = "server:\n  repository_config: ignore\ninline_allow: false\n";
    (void)state;

    assert_int_equal(lh_config_load_buffer(&c, "s.yml", "/etc", t, strlen(t), true), 0);
    assert_true(c->is_server);
    assert_int_equal(c->repo_mode, LH_REPO_CONFIG_IGNORE);
    lh_config_free(c);
}

struct warned {
    char text[4096];
    unsigned n;
};

static void on_warn(void *payload, const char *where, const char *what)
{
    struct warned *w = payload;
    size_t len = strlen(w->text);

    snprintf(w->text + len, sizeof(w->text) - len, "%s: %s\n", where, what);
    w->n++;
}

static void test_restrict(void **state)
{
    struct lh_config *repo = NULL, *server = NULL;
    struct warned w;
    const char *strict = "inline_allow: false\nhook:\n  on_deadline: deny\n  allow_bypass: false\n"
                         "rules:\n  packs: [ok/pack.yml, ../escape.yml]\n";
    (void)state;

    memset(&w, 0, sizeof(w));
    assert_int_equal(lh_config_load_buffer(&server, "s.yml", "/etc", "", 0, true), 0);
    assert_int_equal(lh_config_load_buffer(&repo, "r/.leakhound.yml", "r", full,
                                           sizeof(full) - 1, false),
                     0);
    lh_config_restrict(repo, server, on_warn, &w);
    /* everything that weakens is gone, each with a warning naming where it was */
    assert_int_equal(repo->n_disable + repo->n_skip_paths + repo->n_allow, 0);
    assert_false(repo->has_max_file_size);
    assert_null(repo->audit_log);
    assert_null(repo->baseline);
    assert_false(repo->has_deadline);
    assert_false(repo->has_max_commits);
    assert_false(repo->has_on_deadline); /* it said allow */
    assert_false(repo->has_allow_bypass); /* it said true */
    /* inline_allow: false is stricter: it stays */
    assert_true(repo->has_inline_allow);
    assert_false(repo->inline_allow);
    /* a pack inside the repository stays, an absolute one goes */
    assert_int_equal(repo->n_rule_packs, 1);
    assert_string_equal(repo->rule_packs[0].value, "r/ci/extra.yml");
    assert_non_null(strstr(w.text, "r/.leakhound.yml:5:7: rules.disable is ignored"));
    assert_non_null(strstr(w.text, "r/.leakhound.yml:19:13: hook.deadline is ignored"));
    assert_non_null(strstr(w.text, "r/.leakhound.yml:3:25: rules.packs outside the repository"));
    assert_non_null(strstr(w.text, "r/.leakhound.yml:12:5: allow is ignored"));
    assert_int_equal(w.n, 13);
    lh_config_free(repo);

    /* stricter settings stay, a pack escaping with ".." goes */
    memset(&w, 0, sizeof(w));
    assert_int_equal(lh_config_load_buffer(&repo, "r/.leakhound.yml", "r", strict, strlen(strict),
                                           false),
                     0);
    lh_config_restrict(repo, server, on_warn, &w);
    assert_true(repo->has_on_deadline);
    assert_int_equal(repo->on_deadline, LH_ON_DEADLINE_DENY);
    assert_true(repo->has_allow_bypass);
    assert_false(repo->allow_bypass);
    assert_true(repo->has_inline_allow);
    assert_int_equal(repo->n_rule_packs, 1);
    assert_string_equal(repo->rule_packs[0].value, "r/ok/pack.yml");
    assert_int_equal(w.n, 1);
    lh_config_free(repo);
    lh_config_free(server);
}

static void test_load_file(void **state)
{
    struct lh_config *c = NULL;
    char path[] = "/tmp/lh-config-XXXXXX";
    FILE *f;
    int fd;
    (void)state;

    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("rules:\n  packs: [p.yml]\n", f);
    fclose(f);
    assert_int_equal(lh_config_load_file(&c, path, false), 0);
    assert_string_equal(c->rule_packs[0].value, "/tmp/p.yml");
    lh_config_free(c);
    remove(path);
    assert_int_equal(lh_config_load_file(&c, path, false), LH_ENOTFOUND);
    assert_null(c);
}

static void test_alloc_failure_sweep(void **state)
{
    struct lh_config *c = NULL;
    unsigned long n, total;
    int rc;
    (void)state;

    lh_alloc_fail_at(0);
    assert_int_equal(lh_config_load_buffer(&c, "c.yml", "d", full, sizeof(full) - 1, false), 0);
    total = lh_alloc_count();
    lh_config_free(c);
    for (n = 1; n <= total; n++) {
        c = NULL;
        lh_alloc_fail_at(n);
        rc = lh_config_load_buffer(&c, "c.yml", "d", full, sizeof(full) - 1, false);
        lh_alloc_fail_at(0);
        assert_int_equal(rc, LH_ENOMEM);
        assert_null(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_empty_and_special),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_server_section),
        cmocka_unit_test(test_restrict),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_alloc_failure_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
