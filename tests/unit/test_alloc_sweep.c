/*
 * test_alloc_sweep.c - allocation-failure sweeps across modules (curl's torture mode, SQLite's
 * fault tests): for N = 1, 2, ... the N-th allocation made through src/util/alloc.h fails, and the
 * operation under test must either return LH_ENOMEM with a message, or succeed with exactly the
 * result it has without a failure (a failure swallowed silently, such as a dropped match, is a bug
 * too). The sweep ends at the first N the operation no longer reaches. Leaks show up under ASan
 * (LH_SANITIZE=ON: the CI build), crashes anywhere.
 *
 * Operations: the rule loader (a pack using every key, and the built-in pack with a stride), the
 * engine (compile without cache, compile and write the cache, read the cache; scanner; scan), the
 * whole pipeline from a pack to a JSON report, every reporter, the config loader with the filter
 * set up from it, the baseline loader and renderer, and the ref-update parsers.
 *
 * Tokens are assembled at run time; this file holds no scannable secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/finding.h"
#include "filter/baseline.h"
#include "filter/config.h"
#include "filter/filter.h"
#include "git/git.h"
#include "report/report.h"
#include "rules/precompiled.h"
#include "rules/rules.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

static const char pack[] =
    "rules:\n"
    "- id: sweep.token\n"
    "  name: Sweep token\n"
    "  pattern: '\\b(swp_[A-Za-z0-9]{24})\\b'\n"
    "  keywords: [swp_]\n"
    "  min_entropy: 2.5\n"
    "  severity: critical\n"
    "  confidence: high\n"
    "  references: [https://example.com/a, https://example.com/b]\n"
    "  remediation: Rotate it.\n"
    "  allow: ['^swp_0+$']\n"
    "  examples: ['t = swp_Q3wZ7rJx2M5t4KhNa8Vb6Yc1']\n"
    "  negative_examples: ['t = swp_000000000000000000000000']\n"
    "- id: sweep.assign\n"
    "  name: Sweep assignment with a lookahead (prefiltered)\n"
    "  pattern: '(?i)passw(?:or)?d\\s*=\\s*\"(?<secret>[^\"\\s]{8,64})\"(?!x)'\n"
    "  severity: medium\n"
    "  confidence: low\n"
    "- id: sweep.card\n"
    "  name: Sweep card number\n"
    "  pattern: '\\b(4[0-9]{15})\\b'\n"
    "  validate: luhn\n"
    "  severity: low\n"
    "  confidence: medium\n"
    "- id: sweep.off\n"
    "  name: Disabled after loading\n"
    "  pattern: '(never)'\n"
    "  severity: low\n"
    "  confidence: low\n";

static const char text[] = "# config\n"
                           "token = swp_Q3wZ7rJx2M5t4KhNa8Vb6Yc1\n"
                           "zero = swp_000000000000000000000000\n"
                           "password = \"k7Gq2Vx9Lm4Rt8\"\n"
                           "card 4111111111111111 and 4111111111111112\n"
                           "again swp_Zq3xVb7TnLw2Pk9RsYd4Hf6J # leakhound:allow\n";

static const char config[] = "version: 1\n"
                             "rules:\n"
                             "  packs: [extra/rules.yml]\n"
                             "  disable: [sweep.card]\n"
                             "paths:\n"
                             "  skip: [vendor, \"*.min.js\", tests/fixtures]\n"
                             "allow:\n"
                             "  - rule: sweep.*\n"
                             "    secret: '^swp_0+$'\n"
                             "    reason: zeros\n"
                             "  - line: 'EXAMPLE'\n"
                             "    reason: docs\n"
                             "max_file_size: 2M\n"
                             "inline_allow: false\n"
                             "baseline: base.yml\n"
                             "audit_log: audit.jsonl\n"
                             "hook:\n"
                             "  deadline: 10s\n"
                             "  on_deadline: deny\n"
                             "  max_commits: 100\n";

static const char baseline[] =
    "schema: leakhound.baseline/v1\n"
    "entries:\n"
    "  - fingerprint: 0b5c3c0e9f4a0e1f7a4a0d6f6e77b0a3f0c9e6a1d1bfb2f4b4f3a0c8d1e2f3a4\n"
    "    rule: sweep.token\n"
    "    path: src/a.py\n"
    "    line: 3\n"
    "    pinned: true\n"
    "    reason: reviewed\n"
    "  - fingerprint: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
    "    rule: sweep.assign\n";

/* ---- the sweep ------------------------------------------------------------------------------ */

typedef int (*sweep_op)(void *ctx);

/* Runs op once unarmed (it must succeed), then with the N-th allocation failing for N = 1, 1 +
 * stride, ... until op no longer reaches N. Returns the number of failure points tried. */
static unsigned long sweep(const char *what, sweep_op op, void *ctx, unsigned long stride)
{
    unsigned long n, total, tried = 0;
    int rc;

    lh_alloc_fail_at(0);
    rc = op(ctx);
    total = lh_alloc_count();
    if (rc != 0)
        fail_msg("%s: fails without injected failures: %d %s", what, rc, lh_error_last());
    assert_true(total > 0);
    for (n = 1;; n += stride) {
        bool reached;

        lh_error_clear();
        lh_alloc_fail_at(n);
        rc = op(ctx);
        reached = lh_alloc_count() >= n;
        lh_alloc_fail_at(0);
        tried++;
        if (rc != 0 && rc != LH_ENOMEM)
            fail_msg("%s: allocation %lu failed: returned %d (%s), not LH_ENOMEM", what, n, rc,
                     lh_error_last());
        if (rc == LH_ENOMEM && lh_error_last()[0] == '\0')
            fail_msg("%s: allocation %lu failed: LH_ENOMEM without a message", what, n);
        if (rc == LH_ENOMEM && !reached)
            fail_msg("%s: LH_ENOMEM although allocation %lu was never made", what, n);
        if (!reached)
            break;
        /* a success after an injected failure is fine only when the result is the same: ops
         * check that themselves and return LH_EINVALID otherwise */
    }
    print_message("%s: %lu allocations, %lu failure points tried\n", what, total, tried);
    return tried;
}

/* ---- fixtures shared by the ops ------------------------------------------------------------ */

struct ctx {
    struct lh_ruleset *rs;    /* the sweep pack, loaded once */
    struct lh_engine *engine; /* compiled once, no cache */
    size_t ref_rules;
    size_t ref_matches;
    struct lh_findings ref_findings;
    struct lh_report_meta meta;
    char *ref_render[5];
    size_t ref_render_len[5];
    char *ref_json;
    size_t ref_json_len;
    char cache_dir[64];
};

static void chunk_of(struct lh_chunk *c, const char *data, size_t len)
{
    memset(c, 0, sizeof(*c));
    c->data = (const unsigned char *)data;
    c->len = len;
    c->path = "src/settings.py";
    c->kind = LH_SRC_FILE;
}

struct collect {
    size_t n;
    struct lh_findings *fs; /* NULL: count only */
    struct lh_lineidx li;
    int rc;
};

static int on_match(void *payload, const struct lh_chunk *c, const struct lh_match *m)
{
    struct collect *col = payload;
    struct lh_finding f;
    int rc;

    col->n++;
    if (col->fs == NULL)
        return 0;
    rc = lh_finding_init(&f, c, m, &col->li);
    if (rc == 0) {
        rc = lh_findings_push(col->fs, &f);
        if (rc != 0)
            lh_finding_release(&f);
    }
    if (rc != 0) {
        col->rc = rc;
        return 1;
    }
    return 0;
}

/* Scans text with e; counts matches and, when fs is set, collects findings. */
static int scan_text(const struct lh_engine *e, struct lh_findings *fs, size_t *n_matches)
{
    struct lh_scanner *s = NULL;
    struct lh_chunk c;
    struct collect col;
    int rc;

    memset(&col, 0, sizeof(col));
    col.fs = fs;
    chunk_of(&c, text, sizeof(text) - 1);
    lh_lineidx_init(&col.li, c.data, c.len);
    rc = lh_scanner_new(&s, e);
    if (rc == 0)
        rc = lh_scanner_scan(s, &c, on_match, &col);
    if (rc == LH_EUSER)
        rc = lh_error_set(col.rc, "collecting findings: %s", lh_error_str(col.rc));
    lh_scanner_free(s);
    *n_matches = col.n;
    return rc;
}

static void empty_dir(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char p[512];

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (snprintf(p, sizeof(p), "%s/%.255s", path, de->d_name) < (int)sizeof(p))
            unlink(p);
    }
    closedir(d);
}

/* ---- ops --------------------------------------------------------------------------------------
 */

static int op_rules(void *vctx)
{
    struct ctx *cx = vctx;
    struct lh_ruleset *rs = NULL;
    int rc = lh_ruleset_new(&rs);

    if (rc == 0)
        rc = lh_ruleset_load_buffer(rs, "sweep.yml", pack, sizeof(pack) - 1);
    if (rc == 0 && cx->ref_rules && lh_ruleset_count(rs) != cx->ref_rules)
        rc = lh_error_set(LH_EINVALID, "%zu rules, expected %zu", lh_ruleset_count(rs),
                          cx->ref_rules);
    lh_ruleset_free(rs);
    return rc;
}

static int rules_builtin(void *vctx, int (*load)(struct lh_ruleset *))
{
    struct lh_ruleset *rs = NULL;
    size_t *ref = vctx;
    int rc = lh_ruleset_new(&rs);

    if (rc == 0)
        rc = load(rs);
    if (rc == 0 && *ref && lh_ruleset_count(rs) != *ref)
        rc = lh_error_set(LH_EINVALID, "%zu built-in rules, expected %zu", lh_ruleset_count(rs),
                          *ref);
    if (rc == 0)
        *ref = lh_ruleset_count(rs);
    lh_ruleset_free(rs);
    return rc;
}

/* the built-in pack as a run loads it: precompiled when the build made it so, else YAML */
static int op_rules_builtin(void *vctx)
{
    return rules_builtin(vctx, lh_ruleset_load_builtin);
}

static int op_rules_builtin_yaml(void *vctx)
{
    return rules_builtin(vctx, lh_ruleset_load_builtin_yaml);
}

/* Compiles (opts decide the cache), scans, compares the match count with the reference. */
static int engine_scan(struct ctx *cx, const struct lh_engine_opts *opts)
{
    struct lh_engine *e = NULL;
    size_t n = 0;
    int rc = lh_engine_new(&e, cx->rs, opts);

    if (rc == 0)
        rc = scan_text(e, NULL, &n);
    if (rc == 0 && n != cx->ref_matches)
        rc = lh_error_set(LH_EINVALID, "%zu matches, expected %zu", n, cx->ref_matches);
    lh_engine_free(e);
    return rc;
}

static int op_engine_nocache(void *vctx)
{
    struct lh_engine_opts o = {.no_cache = true};

    return engine_scan(vctx, &o);
}

static int op_engine_small_window(void *vctx)
{
    struct lh_engine_opts o = {.no_cache = true, .window = 16};
    struct ctx *cx = vctx;
    struct lh_engine *e = NULL;
    size_t n = 0;
    int rc = lh_engine_new(&e, cx->rs, &o);

    /* a tiny window finds fewer matches; only the error contract is checked here */
    if (rc == 0)
        rc = scan_text(e, NULL, &n);
    lh_engine_free(e);
    return rc;
}

static int op_engine_cache_write(void *vctx)
{
    struct ctx *cx = vctx;
    struct lh_engine_opts o = {.cache_dir = cx->cache_dir};

    empty_dir(cx->cache_dir);
    return engine_scan(cx, &o);
}

static int op_engine_cache_read(void *vctx)
{
    struct ctx *cx = vctx;
    struct lh_engine_opts o = {.cache_dir = cx->cache_dir};

    return engine_scan(cx, &o);
}

static int op_scan(void *vctx)
{
    struct ctx *cx = vctx;
    size_t n = 0;
    int rc = scan_text(cx->engine, NULL, &n);

    if (rc == 0 && n != cx->ref_matches)
        rc = lh_error_set(LH_EINVALID, "%zu matches, expected %zu", n, cx->ref_matches);
    return rc;
}

/* pack -> rules -> engine -> scan -> findings -> sort -> JSON report, compared byte for byte */
static int op_pipeline(void *vctx)
{
    struct ctx *cx = vctx;
    struct lh_ruleset *rs = NULL;
    struct lh_engine *e = NULL;
    struct lh_engine_opts o = {.no_cache = true};
    struct lh_findings fs;
    struct lh_report_meta meta = cx->meta;
    struct lh_buf b;
    size_t n = 0;
    int rc;

    lh_findings_init(&fs);
    lh_buf_init(&b, 1 << 20);
    rc = lh_ruleset_new(&rs);
    if (rc == 0)
        rc = lh_ruleset_load_buffer(rs, "sweep.yml", pack, sizeof(pack) - 1);
    if (rc == 0)
        rc = lh_engine_new(&e, rs, &o);
    if (rc == 0)
        rc = scan_text(e, &fs, &n);
    if (rc == 0) {
        lh_findings_sort(&fs);
        meta.ruleset = rs;
        rc = lh_report_render(&b, LH_FMT_JSON, &fs, &meta);
    }
    if (rc == 0 && cx->ref_json &&
        (b.len != cx->ref_json_len || memcmp(b.ptr, cx->ref_json, b.len) != 0))
        rc = lh_error_set(LH_EINVALID, "the JSON report differs from the reference");
    if (rc == 0 && cx->ref_json == NULL) {
        cx->ref_json_len = b.len;
        rc = lh_buf_detach(&b, &cx->ref_json, &cx->ref_json_len);
    }
    lh_buf_release(&b);
    lh_findings_release(&fs);
    lh_engine_free(e);
    lh_ruleset_free(rs);
    return rc;
}

struct render_ctx {
    struct ctx *cx;
    enum lh_format fmt;
};

static int op_render(void *vctx)
{
    struct render_ctx *r = vctx;
    struct ctx *cx = r->cx;
    struct lh_buf b;
    int rc;

    lh_buf_init(&b, 1 << 20);
    rc = lh_report_render(&b, r->fmt, &cx->ref_findings, &cx->meta);
    if (rc == 0 && cx->ref_render[r->fmt] &&
        (b.len != cx->ref_render_len[r->fmt] || memcmp(b.ptr, cx->ref_render[r->fmt], b.len) != 0))
        rc = lh_error_set(LH_EINVALID, "the %s report differs from the reference",
                          lh_format_name(r->fmt));
    if (rc == 0 && cx->ref_render[r->fmt] == NULL)
        rc = lh_buf_detach(&b, &cx->ref_render[r->fmt], &cx->ref_render_len[r->fmt]);
    lh_buf_release(&b);
    return rc;
}

static int op_config_filter(void *vctx)
{
    struct lh_config *c = NULL;
    struct lh_filter *f = NULL;
    size_t i;
    int rc;

    (void)vctx;
    rc = lh_config_load_buffer(&c, "sweep-config.yml", "/repo", config, sizeof(config) - 1, false);
    if (rc == 0)
        rc = lh_filter_new(&f);
    if (rc == 0)
        rc = lh_filter_set_root(f, "/repo");
    for (i = 0; rc == 0 && i < c->n_skip_paths; i++)
        rc = lh_filter_add_path_glob(f, c->skip_paths[i].value);
    for (i = 0; rc == 0 && i < c->n_allow; i++)
        rc = lh_filter_add_allow(f, c->allow[i].rule, c->allow[i].secret, c->allow[i].line,
                                 c->allow[i].where);
    if (rc == 0 && !lh_filter_path_excluded(f, "/repo/vendor/x.js"))
        rc = lh_error_set(LH_EINVALID, "vendor/ is not excluded");
    lh_filter_free(f);
    lh_config_free(c);
    return rc;
}

static int op_baseline(void *vctx)
{
    struct lh_baseline *b = NULL;
    struct lh_buf out;
    int rc;

    (void)vctx;
    lh_buf_init(&out, 1 << 20);
    rc = lh_baseline_new(&b);
    if (rc == 0)
        rc = lh_baseline_load_buffer(b, "sweep-baseline.yml", baseline, sizeof(baseline) - 1);
    if (rc == 0 && lh_baseline_count(b) != 2)
        rc = lh_error_set(LH_EINVALID, "%zu baseline entries", lh_baseline_count(b));
    if (rc == 0) {
        lh_baseline_sort(b);
        rc = lh_baseline_render(&out, b);
    }
    lh_buf_release(&out);
    lh_baseline_free(b);
    return rc;
}

static int op_ref_updates(void *vctx)
{
    static const char receive[] =
        "0000000000000000000000000000000000000000 1234567890abcdef1234567890abcdef12345678 "
        "refs/heads/main\n"
        "1234567890abcdef1234567890abcdef12345678 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
        "refs/heads/topic\n";
    static const char push[] =
        "refs/heads/main 1234567890abcdef1234567890abcdef12345678 refs/heads/main "
        "0000000000000000000000000000000000000000\n";
    struct lh_git_ref_updates u;
    int rc;

    (void)vctx;
    memset(&u, 0, sizeof(u));
    rc = lh_git_parse_ref_updates(&u, receive, sizeof(receive) - 1, 0);
    if (rc == 0 && u.len != 2)
        rc = lh_error_set(LH_EINVALID, "%zu updates", u.len);
    lh_git_ref_updates_release(&u);
    if (rc == 0)
        rc = lh_git_parse_push_updates(&u, push, sizeof(push) - 1, 0);
    lh_git_ref_updates_release(&u);
    return rc;
}

/* ---- tests ------------------------------------------------------------------------------------
 */

static int setup(void **state)
{
    struct ctx *cx = calloc(1, sizeof(*cx));
    struct lh_engine_opts o = {.no_cache = true};
    size_t n = 0;

    assert_non_null(cx);
    assert_int_equal(lh_ruleset_new(&cx->rs), 0);
    assert_int_equal(lh_ruleset_load_buffer(cx->rs, "sweep.yml", pack, sizeof(pack) - 1), 0);
    cx->ref_rules = lh_ruleset_count(cx->rs);
    assert_int_equal(lh_ruleset_disable(cx->rs, "sweep.off"), 0);
    assert_int_equal(lh_engine_new(&cx->engine, cx->rs, &o), 0);
    lh_findings_init(&cx->ref_findings);
    assert_int_equal(scan_text(cx->engine, &cx->ref_findings, &n), 0);
    cx->ref_matches = n;
    /* the token, the password, the valid card and the allowed-inline token (the engine does not
     * filter); the all-zero token is dropped by the rule's allow pattern, the bad card by luhn */
    assert_true(n >= 3);
    lh_findings_sort(&cx->ref_findings);
    cx->meta.tool_version = "0.0.0-sweep";
    cx->meta.ruleset_hash = lh_engine_info(cx->engine)->ruleset_hash;
    cx->meta.ruleset = cx->rs;
    cx->meta.mode = "dir";
    cx->meta.root = "/repo";
    cx->meta.start_ms = 1112911993000;
    cx->meta.end_ms = 1112911995345;
    cx->meta.chunks = 1;
    cx->meta.bytes = sizeof(text) - 1;
    snprintf(cx->cache_dir, sizeof(cx->cache_dir), "/tmp/lh-sweep-cache.XXXXXX");
    assert_non_null(mkdtemp(cx->cache_dir));
    *state = cx;
    return 0;
}

static int teardown(void **state)
{
    struct ctx *cx = *state;
    int i;

    if (cx == NULL)
        return 0;
    empty_dir(cx->cache_dir);
    rmdir(cx->cache_dir);
    for (i = 0; i < 5; i++)
        free(cx->ref_render[i]);
    free(cx->ref_json);
    lh_findings_release(&cx->ref_findings);
    lh_engine_free(cx->engine);
    lh_ruleset_free(cx->rs);
    free(cx);
    return 0;
}

static void test_rules_loader(void **state)
{
    assert_true(sweep("rules: load a pack", op_rules, *state, 1) > 10);
}

static void test_rules_builtin(void **state)
{
    size_t ref = 0;

    (void)state;
    /* parsing the YAML makes tens of thousands of allocations: every 97th is failed; the
     * precompiled pack makes one per rule, and every one is */
    assert_int_equal(op_rules_builtin_yaml(&ref), 0);
    assert_true(ref > 100);
    assert_true(sweep("rules: parse the built-in pack", op_rules_builtin_yaml, &ref, 97) > 10);
    assert_true(sweep("rules: load the built-in pack", op_rules_builtin, &ref, 1) > 10);
}

static void test_engine(void **state)
{
    struct ctx *cx = *state;

    assert_true(sweep("engine: compile (no cache) and scan", op_engine_nocache, cx, 1) > 10);
    assert_true(sweep("engine: compile with a 16-byte window and scan", op_engine_small_window, cx,
                      1) > 10);
    assert_true(sweep("engine: compile, write the cache, scan", op_engine_cache_write, cx, 1) > 10);
    /* the cache now holds the database: every run reads it */
    assert_true(sweep("engine: read the cache, scan", op_engine_cache_read, cx, 1) > 1);
    assert_true(sweep("engine: scanner and scan", op_scan, cx, 1) > 1);
}

static void test_pipeline(void **state)
{
    assert_true(sweep("pipeline: pack to JSON report", op_pipeline, *state, 1) > 20);
}

static void test_reporters(void **state)
{
    struct ctx *cx = *state;
    static const char *const names[] = {"text", "json", "jsonl", "sarif", "gitlab"};
    struct render_ctx r;
    char what[64];
    int f;

    r.cx = cx;
    for (f = LH_FMT_TEXT; f <= LH_FMT_GITLAB; f++) {
        r.fmt = (enum lh_format)f;
        snprintf(what, sizeof(what), "report: %s", names[f]);
        sweep(what, op_render, &r, 1);
        assert_non_null(cx->ref_render[f]);
    }
}

static void test_config_filter(void **state)
{
    assert_true(sweep("config + filter", op_config_filter, *state, 1) > 10);
}

static void test_baseline(void **state)
{
    assert_true(sweep("baseline: load, sort, render", op_baseline, *state, 1) > 5);
}

static void test_ref_updates(void **state)
{
    assert_true(sweep("git: ref-update parsers", op_ref_updates, *state, 1) > 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_loader), cmocka_unit_test(test_rules_builtin),
        cmocka_unit_test(test_engine),       cmocka_unit_test(test_pipeline),
        cmocka_unit_test(test_reporters),    cmocka_unit_test(test_config_filter),
        cmocka_unit_test(test_baseline),     cmocka_unit_test(test_ref_updates),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
