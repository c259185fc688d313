/*
 * test_report.c - the reporters: every format against its golden file (tests/data/golden, rewritten
 * with LH_UPDATE_GOLDEN=1), with secrets hidden and shown; no secret byte in any output unless
 * shown; colour only in text and only when asked; no raw control byte in text; valid UTF-8 JSON;
 * SARIF rule indexes and fingerprints; GitLab ids; the output limit; an allocation-failure sweep.
 *
 * Findings are built by hand from a small pack loaded with lh_ruleset_load_buffer; tokens are
 * assembled at run time, so this file holds no scannable secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/finding.h"
#include "report/report.h"
#include "rules/rules.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/text.h"

static const char pack[] =
    "rules:\n"
    "- id: test.github.pat\n"
    "  name: Test GitHub token\n"
    "  pattern: '\\b(tst_[A-Za-z0-9]{36})\\b'\n"
    "  severity: critical\n"
    "  confidence: high\n"
    "  references: [https://example.com/revoke-github]\n"
    "  remediation: >\n"
    "    Delete the token at https://github.com/settings/tokens and replace it with a "
    "fine-grained\n"
    "    token scoped to one repository with an expiry, or with OIDC in CI. This sentence is here\n"
    "    so that the remediation wraps over several lines of the text report.\n"
    "- id: test.aws.key\n"
    "  name: Test AWS access key\n"
    "  pattern: '\\b(EXAMPLEKEY[A-Z0-9]{10})\\b'\n"
    "  severity: high\n"
    "  confidence: high\n"
    "  remediation: Deactivate the key in IAM.\n"
    "- id: test.generic.secret\n"
    "  name: Test generic secret\n"
    "  pattern: 'secret=(\\S+)'\n"
    "  severity: medium\n"
    "  confidence: low\n"
    "- id: test.webhook\n"
    "  name: \"Test webhook \\e[31m\"\n"
    "  pattern: 'hook=(\\S+)'\n"
    "  severity: low\n"
    "  confidence: medium\n"
    "  remediation: \"Rotate\\tthe\\nhook \\e[2J now.\"\n";

struct fixture {
    struct lh_ruleset *rs;
    struct lh_findings fs;
    struct lh_report_meta meta;
    /* the secrets, to look for in outputs */
    unsigned char secrets[4][64];
    size_t secret_lens[4];
};

static const char *const fmt_ext[] = {"txt", "json", "jsonl", "sarif", "gitlab.json"};

static void add(struct fixture *fx, size_t k, const char *rule_id, const void *secret, size_t slen,
                const char *path, uint32_t line, uint32_t col, enum lh_source_kind src,
                const char *commit, const char *author, const char *email, const char *date)
{
    struct lh_finding f;
    const struct lh_rule *r = lh_ruleset_find(fx->rs, rule_id);
    const void *parts[3];
    size_t lens[3];

    assert_non_null(r);
    assert_true(slen <= sizeof(fx->secrets[k]));
    memcpy(fx->secrets[k], secret, slen);
    fx->secret_lens[k] = slen;
    memset(&f, 0, sizeof(f));
    f.rule = r;
    f.secret = malloc(slen + 1);
    assert_non_null(f.secret);
    memcpy(f.secret, secret, slen);
    f.secret[slen] = 0;
    f.secret_len = slen;
    f.path = strdup(path);
    assert_non_null(f.path);
    parts[0] = r->id;
    lens[0] = strlen(r->id);
    parts[1] = "";
    lens[1] = 1;
    parts[2] = secret;
    lens[2] = slen;
    lh_sha256_hex(f.fingerprint, parts, lens, 3);
    f.line_start = f.line_end = line;
    f.col_start = col;
    f.col_end = col + (uint32_t)slen - 1;
    f.source = src;
    f.entropy = lh_entropy(secret, slen);
    f.validated = k == 0;
    assert_int_equal(lh_finding_set_provenance(&f, commit, author, email, date), 0);
    assert_int_equal(lh_findings_push(&fx->fs, &f), 0);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    char gh[41], ak[21];
    /* a NUL, a byte that is not UTF-8 and an escape in one secret */
    static const unsigned char odd[] = {'s',  '3', 'c', 'R',  'e', 't', 0,   'V', 'a', 'l',
                                        0xff, 'u', 'e', 0x1b, '[', '1', 'm', 'Z', 'q', '9'};
    static const char hook[] = "https://hooks.example.com/T0"
                               "1/B02/Xy7Kq2Lm9Rt4";

    assert_non_null(fx);
    assert_int_equal(lh_ruleset_new(&fx->rs), 0);
    assert_int_equal(lh_ruleset_load_buffer(fx->rs, "test-pack.yml", pack, sizeof(pack) - 1), 0);
    lh_findings_init(&fx->fs);

    /* like no real provider's token, and holding "EXAMPLE" so that generic rules call them
     * placeholders: the goldens that show secrets must not trip a scanner */
    memcpy(gh, "tst_EXAMPLE7TnLw2Pk9RsYd4Hf6Jm8Cg1A0aBcD", 40);
    gh[40] = 0;
    memcpy(ak, "EXAMPLEKEYQ3WZ7RJX2M", 20);
    ak[20] = 0;

    add(fx, 0, "test.github.pat", gh, 40, "/repo/src/config.py", 4, 11, LH_SRC_FILE, NULL, NULL,
        NULL, NULL);
    add(fx, 1, "test.aws.key", ak, 20, "./deploy/aws.env", 2, 19, LH_SRC_INDEX, NULL, NULL, NULL,
        NULL);
    add(fx, 2, "test.generic.secret", odd, sizeof(odd), "odd/caf\xe9\x1b[2J\x07name \"q\".txt", 7,
        8, LH_SRC_COMMIT, "0123456789abcdef0123456789abcdef01234567",
        "Mallory \x1b]0;pwned\x07 \xff\xfe", "mallory@example.com", "2005-04-07T22:13:13Z");
    add(fx, 3, "test.webhook", hook, strlen(hook), "hooks/notify.sh", 12, 6, LH_SRC_COMMIT,
        "89abcdef0123456789abcdef0123456789abcdef", "A U Thor", NULL, NULL);
    lh_findings_sort(&fx->fs);

    fx->meta.tool_version = "0.0.0-test";
    fx->meta.ruleset_hash = "5e7d0c1f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5";
    fx->meta.ruleset = fx->rs;
    fx->meta.mode = "dir";
    fx->meta.root = "/repo";
    fx->meta.start_ms = 1112911993000;
    fx->meta.end_ms = 1112911995345;
    fx->meta.skipped[LH_SKIP_BINARY] = 2;
    fx->meta.skipped[LH_SKIP_TOO_LARGE] = 1;
    fx->meta.dropped_total = 3;
    fx->meta.chunks = 12;
    fx->meta.bytes = 4200000;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    lh_findings_release(&fx->fs);
    lh_ruleset_free(fx->rs);
    free(fx);
    return 0;
}

static void render(struct lh_buf *b, enum lh_format fmt, const struct lh_findings *fs,
                   const struct lh_report_meta *meta)
{
    lh_buf_init(b, (size_t)16 << 20);
    assert_int_equal(lh_report_render(b, fmt, fs, meta), 0);
    assert_non_null(b->ptr);
}

/* Compares b with tests/data/golden/name, or rewrites the file under LH_UPDATE_GOLDEN=1. */
static void golden(const char *name, const struct lh_buf *b)
{
    char path[512];
    const char *upd = getenv("LH_UPDATE_GOLDEN");
    FILE *f;
    char *want;
    long n;

    snprintf(path, sizeof(path), "%s/golden/%s", LH_TEST_DATA, name);
    if (upd && strcmp(upd, "1") == 0) {
        f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(b->ptr, 1, b->len, f), b->len);
        assert_int_equal(fclose(f), 0);
        return;
    }
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("missing golden file %s (run with LH_UPDATE_GOLDEN=1 and review it)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    want = malloc((size_t)n + 1);
    assert_non_null(want);
    assert_int_equal(fread(want, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    want[n] = 0;
    if ((size_t)n != b->len || memcmp(want, b->ptr, b->len) != 0) {
        fprintf(stderr, "--- %s differs; got:\n%.*s\n", path, (int)b->len, b->ptr);
        free(want);
        fail_msg("output differs from %s (LH_UPDATE_GOLDEN=1 rewrites it)", path);
    }
    free(want);
}

static bool contains(const struct lh_buf *b, const void *needle, size_t n)
{
    size_t i;

    if (n == 0 || b->len < n)
        return false;
    for (i = 0; i + n <= b->len; i++)
        if (memcmp(b->ptr + i, needle, n) == 0)
            return true;
    return false;
}

static void test_format_names(void **state)
{
    enum lh_format f;
    static const char *const names[] = {"text", "json", "jsonl", "sarif", "gitlab"};
    unsigned i;
    (void)state;

    for (i = 0; i < 5; i++) {
        assert_int_equal(lh_format_parse(&f, names[i]), 0);
        assert_string_equal(lh_format_name(f), names[i]);
    }
    assert_int_equal(lh_format_parse(&f, "xml"), LH_EINVALID);
    assert_non_null(strstr(lh_error_last(), "xml"));
    assert_int_equal(lh_format_parse(&f, "JSON"), LH_EINVALID);
    assert_string_equal(lh_format_name((enum lh_format)99), "unknown");
}

static void test_golden_all(void **state)
{
    struct fixture *fx = *state;
    struct lh_report_meta meta = fx->meta;
    struct lh_findings none;
    struct lh_buf b;
    char name[64];
    unsigned fmt, show;

    for (fmt = LH_FMT_TEXT; fmt <= LH_FMT_GITLAB; fmt++) {
        for (show = 0; show < 2; show++) {
            meta.show_secrets = show;
            render(&b, (enum lh_format)fmt, &fx->fs, &meta);
            snprintf(name, sizeof(name), "report%s.%s", show ? "-secrets" : "", fmt_ext[fmt]);
            golden(name, &b);
            lh_buf_release(&b);
        }
    }
    /* colour, a what_now from the CLI, an incomplete scan */
    meta.show_secrets = false;
    meta.color = true;
    meta.incomplete = true;
    meta.what_now = "The commit was stopped.\n  1. Remove it.";
    render(&b, LH_FMT_TEXT, &fx->fs, &meta);
    golden("report-color.txt", &b);
    lh_buf_release(&b);

    /* nothing found */
    lh_findings_init(&none);
    meta = fx->meta;
    meta.mode = "git";
    for (fmt = LH_FMT_TEXT; fmt <= LH_FMT_GITLAB; fmt++) {
        render(&b, (enum lh_format)fmt, &none, &meta);
        snprintf(name, sizeof(name), "empty.%s", fmt_ext[fmt]);
        golden(name, &b);
        lh_buf_release(&b);
    }
}

static void test_secret_never_shown(void **state)
{
    struct fixture *fx = *state;
    struct lh_report_meta meta = fx->meta;
    struct lh_buf b;
    unsigned fmt;
    size_t k;

    for (fmt = LH_FMT_TEXT; fmt <= LH_FMT_GITLAB; fmt++) {
        render(&b, (enum lh_format)fmt, &fx->fs, &meta);
        for (k = 0; k < 4; k++) {
            /* neither the secret nor anything past the redacted prefix (first 4 bytes) */
            assert_false(contains(&b, fx->secrets[k], fx->secret_lens[k]));
            assert_false(contains(&b, fx->secrets[k] + 4, 8));
        }
        lh_buf_release(&b);
    }
    /* shown: the text report and the json record carry the secrets (UTF-8 ones verbatim) */
    meta.show_secrets = true;
    for (fmt = LH_FMT_TEXT; fmt <= LH_FMT_JSONL; fmt++) {
        render(&b, (enum lh_format)fmt, &fx->fs, &meta);
        assert_true(contains(&b, fx->secrets[0], fx->secret_lens[0]));
        assert_true(contains(&b, fx->secrets[1], fx->secret_lens[1]));
        lh_buf_release(&b);
    }
}

static void test_color_and_controls(void **state)
{
    struct fixture *fx = *state;
    struct lh_report_meta meta = fx->meta;
    struct lh_buf b;
    unsigned fmt, color;
    size_t i;

    for (color = 0; color < 2; color++) {
        meta.color = color;
        for (fmt = LH_FMT_TEXT; fmt <= LH_FMT_GITLAB; fmt++) {
            meta.show_secrets = false;
            render(&b, (enum lh_format)fmt, &fx->fs, &meta);
            if (fmt == LH_FMT_TEXT && color)
                assert_non_null(strstr(b.ptr, "\033["));
            else
                assert_null(memchr(b.ptr, 0x1b, b.len));
            /* no raw control byte but newlines (and the colour codes themselves) */
            for (i = 0; i < b.len; i++) {
                unsigned char c = (unsigned char)b.ptr[i];
                if (c == 0x1b && fmt == LH_FMT_TEXT && color)
                    continue;
                assert_true(c == '\n' || (c >= 0x20 && c != 0x7f));
            }
            if (fmt == LH_FMT_TEXT) {
                assert_non_null(strstr(b.ptr, "caf\\xe9\\x1b[2J\\x07name"));
                assert_non_null(strstr(b.ptr, "Mallory \\x1b]0;pwned\\x07 \\xff\\xfe"));
            } else {
                assert_true(lh_text_is_utf8(b.ptr, b.len));
            }
            lh_buf_release(&b);
        }
    }
}

static json_object *get(json_object *o, const char *path)
{
    char key[64];
    const char *dot;
    json_object *v = o;

    while (v && *path) {
        dot = strchr(path, '.');
        snprintf(key, sizeof(key), "%.*s", dot ? (int)(dot - path) : (int)strlen(path), path);
        if (key[0] >= '0' && key[0] <= '9')
            v = json_object_array_get_idx(v, (size_t)strtoul(key, NULL, 10));
        else if (!json_object_object_get_ex(v, key, &v))
            v = NULL;
        path = dot ? dot + 1 : "";
    }
    return v;
}

static void test_json_records(void **state)
{
    struct fixture *fx = *state;
    struct lh_report_meta meta = fx->meta;
    struct lh_buf b;
    json_object *doc, *fin, *line;
    size_t i, start = 0, n = 0;

    meta.show_secrets = true;
    render(&b, LH_FMT_JSON, &fx->fs, &meta);
    doc = json_tokener_parse(b.ptr);
    assert_non_null(doc);
    fin = get(doc, "findings");
    assert_int_equal(json_object_array_length(fin), 4);
    for (i = 0; i < 4; i++) {
        json_object *r = json_object_array_get_idx(fin, i);
        const struct lh_finding *f = &fx->fs.items[i];
        assert_string_equal(json_object_get_string(get(r, "fingerprint")), f->fingerprint);
        assert_string_equal(json_object_get_string(get(r, "rule_id")), f->rule->id);
        assert_int_equal(json_object_get_int64(get(r, "col_end")), f->col_end);
        if (lh_text_is_utf8(f->secret, f->secret_len)) {
            assert_null(get(r, "secret_base64"));
        } else {
            /* the exact bytes survive in base64; "secret" is the lossy UTF-8 form */
            assert_non_null(get(r, "secret_base64"));
            assert_string_equal(json_object_get_string(get(r, "secret_base64")),
                                "czNjUmV0AFZhbP91ZRtbMW1acTk=");
        }
    }
    assert_string_equal(json_object_get_string(get(doc, "findings.0.path")), "deploy/aws.env");
    assert_int_equal(json_object_get_int64(get(doc, "summary.skipped.binary")), 2);
    json_object_put(doc);
    lh_buf_release(&b);

    /* jsonl: one finding per line, then the summary */
    render(&b, LH_FMT_JSONL, &fx->fs, &meta);
    for (i = 0; i < b.len; i++) {
        if (b.ptr[i] != '\n')
            continue;
        b.ptr[i] = 0;
        line = json_tokener_parse(b.ptr + start);
        assert_non_null(line);
        assert_string_equal(json_object_get_string(get(line, "schema")),
                            n < 4 ? "leakhound.finding/v1" : "leakhound.summary/v1");
        json_object_put(line);
        start = i + 1;
        n++;
    }
    assert_int_equal(n, 5);
    lh_buf_release(&b);
}

static void test_sarif_and_gitlab(void **state)
{
    struct fixture *fx = *state;
    struct lh_buf b;
    json_object *doc, *res, *rules, *vulns;
    size_t i, j;

    render(&b, LH_FMT_SARIF, &fx->fs, &fx->meta);
    doc = json_tokener_parse(b.ptr);
    assert_non_null(doc);
    res = get(doc, "runs.0.results");
    rules = get(doc, "runs.0.tool.driver.rules");
    assert_int_equal(json_object_array_length(res), 4);
    assert_int_equal(json_object_array_length(rules), 4);
    for (i = 0; i < 4; i++) {
        json_object *r = json_object_array_get_idx(res, i);
        int64_t idx = json_object_get_int64(get(r, "ruleIndex"));
        const struct lh_finding *f = &fx->fs.items[i];
        assert_string_equal(
            json_object_get_string(get(json_object_array_get_idx(rules, idx), "id")),
            json_object_get_string(get(r, "ruleId")));
        assert_string_equal(json_object_get_string(get(r, "partialFingerprints.leakhound/v1")),
                            f->fingerprint);
        assert_int_equal(
            json_object_get_int64(get(r, "locations.0.physicalLocation.region.endColumn")),
            f->col_end + 1);
    }
    /* sorted by path: ./deploy, /repo/src, hooks, odd; relative to the root, percent-encoded */
    assert_string_equal(
        json_object_get_string(get(res, "1.locations.0.physicalLocation.artifactLocation.uri")),
        "src/config.py");
    assert_string_equal(
        json_object_get_string(get(res, "3.locations.0.physicalLocation.artifactLocation.uri")),
        "odd/caf%E9%1B%5B2J%07name%20%22q%22.txt");
    json_object_put(doc);
    lh_buf_release(&b);

    render(&b, LH_FMT_GITLAB, &fx->fs, &fx->meta);
    doc = json_tokener_parse(b.ptr);
    assert_non_null(doc);
    vulns = get(doc, "vulnerabilities");
    assert_int_equal(json_object_array_length(vulns), 4);
    for (i = 0; i < 4; i++) {
        const char *id = json_object_get_string(get(json_object_array_get_idx(vulns, i), "id"));
        assert_int_equal(strlen(id), 36);
        assert_int_equal(id[14], '8');
        for (j = 0; j < i; j++)
            assert_string_not_equal(
                id, json_object_get_string(get(json_object_array_get_idx(vulns, j), "id")));
    }
    assert_string_equal(json_object_get_string(get(vulns, "0.location.commit.sha")),
                        "0000000000000000000000000000000000000000");
    assert_string_equal(json_object_get_string(get(doc, "scan.start_time")), "2005-04-07T22:13:13");
    json_object_put(doc);
    lh_buf_release(&b);
}

static void test_output_limit(void **state)
{
    struct fixture *fx = *state;
    struct lh_buf b;
    unsigned fmt;

    for (fmt = LH_FMT_TEXT; fmt <= LH_FMT_GITLAB; fmt++) {
        lh_buf_init(&b, 100);
        assert_int_equal(lh_report_render(&b, (enum lh_format)fmt, &fx->fs, &fx->meta), LH_ELIMIT);
        assert_true(b.len <= 100);
        lh_buf_release(&b);
    }
}

static void test_alloc_sweep(void **state)
{
    struct fixture *fx = *state;
    struct lh_report_meta meta = fx->meta;
    struct lh_buf want, b;
    unsigned long n, used;
    unsigned fmt, show;
    int rc;

    for (fmt = LH_FMT_TEXT; fmt <= LH_FMT_GITLAB; fmt++) {
        for (show = 0; show < 2; show++) {
            meta.show_secrets = show;
            render(&want, (enum lh_format)fmt, &fx->fs, &meta);
            for (n = 1;; n++) {
                lh_buf_init(&b, (size_t)16 << 20);
                lh_alloc_fail_at(n);
                rc = lh_report_render(&b, (enum lh_format)fmt, &fx->fs, &meta);
                used = lh_alloc_count();
                lh_alloc_fail_at(0);
                if (rc != 0) {
                    assert_int_equal(rc, LH_ENOMEM);
                } else {
                    assert_int_equal(b.len, want.len);
                    assert_memory_equal(b.ptr, want.ptr, want.len);
                }
                lh_buf_release(&b);
                if (used < n) {
                    assert_int_equal(rc, 0);
                    break;
                }
                assert_true(n < 100000);
            }
            lh_buf_release(&want);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_names),
        cmocka_unit_test_setup_teardown(test_golden_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_never_shown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_color_and_controls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sarif_and_gitlab, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_sweep, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
