/*
 * test_engine.c - the engine end to end on an inline rule pack: each kind of rule (plain capture,
 * named secret group, prefilter with lookbehind and back-reference, unbounded width), the secret
 * checks (min_entropy, github-crc32 with and without --no-validate, allow patterns), and the
 * buffer shapes that break windowed confirms (start and end of buffer, NUL bytes, CRLF, a secret
 * longer than the window, overlapping candidates, a 100 MB single line, a rule matching every byte).
 *
 * Every case runs twice (YARA's test_pass): with the default confirm window and with the window
 * forced to 8 bytes; both must give exactly the expected matches. Tokens that look like real
 * credentials are assembled at run time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcre2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "rules/precompiled.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/limits.h"

static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static const char pack[] =
    "rules:\n"
    "- id: t.plain\n"
    "  name: plain capture\n"
    "  pattern: '\\b(tok_[A-Za-z0-9]{20})\\b'\n"
    "  severity: high\n"
    "  confidence: high\n"
    "- id: t.named\n"
    "  name: named secret group, unbounded width\n"
    "  pattern: '(?i)(apikey)\\s*[:=]\\s*\"?(?<secret>[a-f0-9]{32})\\b'\n"
    "  severity: high\n"
    "  confidence: medium\n"
    "- id: t.prefilter\n"
    "  name: lookbehind and back-reference\n"
    "  pattern: '(?<=pwd=)([\"''])(?<secret>[A-Z0-9]{16})\\1'\n"
    "  severity: medium\n"
    "  confidence: medium\n"
    "- id: t.entropy\n"
    "  name: minimum entropy\n"
    "  pattern: '\\b(ent_[a-z0-9]{16})\\b'\n"
    "  min_entropy: 3.0\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.gh\n"
    "  name: checksum validator\n"
    "  pattern: '\\b(ghp_[A-Za-z0-9]{36})\\b'\n"
    "  validate: github-crc32\n"
    "  severity: critical\n"
    "  confidence: high\n"
    "- id: t.allow\n"
    "  name: allow pattern\n"
    "  pattern: '\\b(alw_[A-Za-z0-9]{12})\\b'\n"
    "  allow: ['^alw_TEST']\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.long\n"
    "  name: unbounded secret\n"
    "  pattern: 'longsecret=([A-Za-z0-9]{30,})'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.rep\n"
    "  name: overlapping candidates\n"
    "  pattern: '(zq[a-z]{8})'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.line\n"
    "  name: a whole line, the newline consumed\n"
    "  pattern: '(?:^|\\n)[A-Z_]{0,40}TOKEN[A-Z_]{0,40}=(?<secret>[a-z_]{12,64})[ \\t]*(?:\\r?\\n|$)'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.suffix\n"
    "  name: an optional prefix\n"
    "  pattern: '(?:aws_)?secret_key\\s*[:=]\\s*\"?([A-Za-z0-9]{20})'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.disabled\n"
    "  name: disabled rule\n"
    "  pattern: '(tok_[A-Za-z0-9]{4})'\n"
    "  severity: low\n"
    "  confidence: low\n";

/* ---- helpers ------------------------------------------------------------------------------- */

static void fill(char *out, size_t n, const char *alphabet, uint32_t seed)
{
    size_t k = strlen(alphabet), i;
    uint32_t x = seed ? seed : 1;

    for (i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = alphabet[x % k];
    }
    out[n] = '\0';
}

/* "ghp_" + 30 random + base62(crc32); out holds 41 bytes. bad: corrupt the checksum. */
static void gh_token(char *out, uint32_t seed, bool bad)
{
    memcpy(out, "ghp", 3);
    out[3] = '_';
    fill(out + 4, 30, alnum, seed);
    lh_base62(out + 34, lh_crc32(out + 4, 30), 6);
    if (bad)
        out[39] = out[39] == 'A' ? 'B' : 'A';
    out[40] = '\0';
}

struct got {
    char rule[32];
    size_t start, end;
    char secret[256];
    size_t secret_len;
    bool validated;
};

struct sink {
    struct got items[200];
    size_t n;
};

static int on_match(void *payload, const struct lh_chunk *c, const struct lh_match *m)
{
    struct sink *s = payload;
    struct got *g;
    size_t n = m->secret_end - m->secret_start;

    if (s->n == sizeof(s->items) / sizeof(s->items[0]))
        return 1;
    g = &s->items[s->n++];
    snprintf(g->rule, sizeof(g->rule), "%s", m->rule->id);
    g->start = m->start;
    g->end = m->end;
    if (n >= sizeof(g->secret))
        n = sizeof(g->secret) - 1;
    memcpy(g->secret, c->data + m->secret_start, n);
    g->secret[n] = '\0';
    g->secret_len = m->secret_end - m->secret_start;
    g->validated = m->validated;
    return 0;
}

static struct lh_ruleset *load(const char *yaml)
{
    struct lh_ruleset *rs = NULL;

    assert_int_equal(lh_ruleset_new(&rs), 0);
    if (lh_ruleset_load_buffer(rs, "test.yml", yaml, strlen(yaml)) != 0)
        fail_msg("%s", lh_error_last());
    return rs;
}

static struct lh_engine *engine(const struct lh_ruleset *rs, size_t window, bool no_validate)
{
    struct lh_engine_opts o;
    struct lh_engine *e = NULL;

    memset(&o, 0, sizeof(o));
    o.no_cache = true;
    o.window = window;
    o.no_validate = no_validate;
    if (lh_engine_new(&e, rs, &o) != 0)
        fail_msg("%s", lh_error_last());
    return e;
}

static void scan(struct sink *out, struct lh_scanner *s, const void *data, size_t len)
{
    struct lh_chunk c;

    memset(&c, 0, sizeof(c));
    c.data = data;
    c.len = len;
    c.path = "t.txt";
    c.kind = LH_SRC_FILE;
    memset(out, 0, sizeof(*out));
    assert_int_equal(lh_scanner_scan(s, &c, on_match, out), 0);
}

/* ---- the case table ------------------------------------------------------------------------ */

struct want {
    const char *rule;
    const char *secret;
    long start; /* -1: not checked */
};

struct tcase {
    const char *name;
    char *data;
    size_t len;
    bool no_validate;
    struct want want[8];
    size_t n_want;
    bool validated; /* expected for t.gh matches */
};

struct fixture {
    struct lh_ruleset *rs;
    char gh_good[41], gh_bad[41];
    char long_secret[201];
};

static char *dupmem(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    assert_non_null(p);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    char buf[4096];
    va_list ap;

    va_start(ap, f);
    vsnprintf(buf, sizeof(buf), f, ap);
    va_end(ap);
    return dupmem(buf, strlen(buf));
}

static size_t build_cases(struct tcase *t, struct fixture *fx)
{
    size_t n = 0;
    static const char nul_text[] = "\0\0key tok_N0llBytesAreF1neHere\0\0";

#define CASE(nm, text) (t[n].name = (nm), t[n].data = (text), t[n].len = strlen(t[n].data), &t[n++])
#define WANT(tc, r, s, st)                                                                        \
    ((tc)->want[(tc)->n_want].rule = (r), (tc)->want[(tc)->n_want].secret = (s),                  \
     (tc)->want[(tc)->n_want++].start = (st))
    struct tcase *c;

    c = CASE("plain", fmt("x = tok_AbCdEfGhIjKlMnOpQrSt;\n"));
    WANT(c, "t.plain", "tok_AbCdEfGhIjKlMnOpQrSt", 4);
    c = CASE("plain too long", fmt("x = tok_AbCdEfGhIjKlMnOpQrStUv;\n"));
    c = CASE("named", fmt("config:\n  ApiKey = \"0123456789abcdef0123456789abcdef\"\n"));
    WANT(c, "t.named", "0123456789abcdef0123456789abcdef", 10);
    c = CASE("named, spaces longer than the window",
             fmt("APIKEY                         :         0123456789abcdef0123456789abcdef\n"));
    WANT(c, "t.named", "0123456789abcdef0123456789abcdef", 0);
    c = CASE("prefilter", fmt("db.pwd='ABCDEFGH12345678' \n"));
    WANT(c, "t.prefilter", "ABCDEFGH12345678", 7);
    c = CASE("prefilter, quotes differ", fmt("db.pwd='ABCDEFGH12345678\" \n"));
    c = CASE("prefilter, lookbehind fails", fmt("db.pwx='ABCDEFGH12345678' \n"));
    c = CASE("entropy kept", fmt("v: ent_a1b2c3d4e5f6g7h8\n"));
    WANT(c, "t.entropy", "ent_a1b2c3d4e5f6g7h8", 3);
    c = CASE("entropy dropped", fmt("v: ent_aaaaaaaaaaaaaaaa\n"));
    c = CASE("validator passes", fmt("GITHUB_TOKEN=%s\n", fx->gh_good));
    WANT(c, "t.gh", fx->gh_good, 13);
    c->validated = true;
    c = CASE("validator fails", fmt("GITHUB_TOKEN=%s\n", fx->gh_bad));
    c = CASE("validator fails, no_validate", fmt("GITHUB_TOKEN=%s\n", fx->gh_bad));
    c->no_validate = true;
    WANT(c, "t.gh", fx->gh_bad, 13);
    c->validated = false;
    c = CASE("allow drops", fmt("a alw_TESTTESTTEST b\n"));
    c = CASE("allow keeps", fmt("a alw_Xy12Zq34Rt56 b\n"));
    WANT(c, "t.allow", "alw_Xy12Zq34Rt56", 2);
    c = CASE("secret longer than the window", fmt("# x\nlongsecret=%s\n", fx->long_secret));
    WANT(c, "t.long", fx->long_secret, 4);
    c = CASE("overlapping candidates", fmt("zqzqzqzqzqzqzqzqzqzqzqzq\n"));
    WANT(c, "t.rep", "zqzqzqzqzq", 0);
    WANT(c, "t.rep", "zqzqzqzqzq", 10);
    c = CASE("start and end of buffer", fmt("tok_AbCdEfGhIjKlMnOpQrSt tok_ZyXwVuTsRqPoNmLkJiHg"));
    WANT(c, "t.plain", "tok_AbCdEfGhIjKlMnOpQrSt", 0);
    WANT(c, "t.plain", "tok_ZyXwVuTsRqPoNmLkJiHg", 25);
    c = CASE("NUL bytes", dupmem(nul_text, sizeof(nul_text) - 1));
    c->len = sizeof(nul_text) - 1;
    WANT(c, "t.plain", "tok_N0llBytesAreF1neHere", 6);
    c = CASE("CRLF", fmt("a=1\r\napikey=0123456789abcdef0123456789abcdef\r\nb=2\r\n"));
    WANT(c, "t.named", "0123456789abcdef0123456789abcdef", 5);
    c = CASE("several rules sorted by start",
             fmt("db.pwd='ABCDEFGH12345678' tok_AbCdEfGhIjKlMnOpQrSt zqabcdefgh %s", fx->gh_good));
    WANT(c, "t.prefilter", "ABCDEFGH12345678", 7);
    WANT(c, "t.plain", "tok_AbCdEfGhIjKlMnOpQrSt", 26);
    WANT(c, "t.rep", "zqabcdefgh", 51);
    WANT(c, "t.gh", fx->gh_good, 62);
    c->validated = true;
    c = CASE("disabled rule stays quiet", fmt("tok_AbCd\n"));
    /* the first match consumes the newline the second would start with: one match, not two */
    c = CASE("a match that ends where the next would begin",
             fmt("x\nTOKEN_SET=https_auth_acme_dev_x\nTOKEN=backup_value_role\n"));
    WANT(c, "t.line", "https_auth_acme_dev_x", 1);
    /* the window must not cut the optional prefix off (35 bytes: the 32-byte window starts
     * inside "aws_", one byte before "secret_key") */
    c = CASE("optional prefix before the window", fmt("x aws_secret_key=AbCdEfGhIjKlMnOpQrSt\n"));
    WANT(c, "t.suffix", "AbCdEfGhIjKlMnOpQrSt", 2);
#undef CASE
#undef WANT
    return n;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));

    fx->rs = load(pack);
    assert_int_equal(lh_ruleset_disable(fx->rs, "t.disabled"), 0);
    gh_token(fx->gh_good, 7, false);
    gh_token(fx->gh_bad, 7, true);
    fill(fx->long_secret, 200, alnum, 99);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    lh_ruleset_free(fx->rs);
    free(fx);
    return 0;
}

static const size_t windows[] = {0, 8};

static void test_cases(void **state)
{
    struct fixture *fx = *state;
    struct tcase cases[64];
    struct sink got;
    size_t n, i, w, k;

    memset(cases, 0, sizeof(cases));
    n = build_cases(cases, fx);
    for (w = 0; w < 2; w++) {
        for (int nv = 0; nv < 2; nv++) {
            struct lh_engine *e = engine(fx->rs, windows[w], nv);
            struct lh_scanner *s = NULL;

            assert_int_equal(lh_scanner_new(&s, e), 0);
            for (i = 0; i < n; i++) {
                if (cases[i].no_validate != (nv == 1))
                    continue;
                scan(&got, s, cases[i].data, cases[i].len);
                if (got.n != cases[i].n_want)
                    fail_msg("window %zu, case '%s': %zu matches, want %zu (first: %s %s)",
                             windows[w], cases[i].name, got.n, cases[i].n_want,
                             got.n ? got.items[0].rule : "-", got.n ? got.items[0].secret : "-");
                for (k = 0; k < got.n; k++) {
                    const struct want *wt = &cases[i].want[k];
                    if (strcmp(got.items[k].rule, wt->rule) != 0 ||
                        strcmp(got.items[k].secret, wt->secret) != 0 ||
                        (wt->start >= 0 && got.items[k].start != (size_t)wt->start))
                        fail_msg("window %zu, case '%s', match %zu: got %s '%s' at %zu, want %s "
                                 "'%s' at %ld",
                                 windows[w], cases[i].name, k, got.items[k].rule,
                                 got.items[k].secret, got.items[k].start, wt->rule, wt->secret,
                                 wt->start);
                    if (strcmp(wt->rule, "t.gh") == 0)
                        assert_int_equal(got.items[k].validated, cases[i].validated);
                    else
                        assert_false(got.items[k].validated);
                }
            }
            lh_scanner_free(s);
            lh_engine_free(e);
        }
    }
    for (i = 0; i < n; i++)
        free(cases[i].data);
}

static void test_info_and_stats(void **state)
{
    struct fixture *fx = *state;
    struct lh_engine *e = engine(fx->rs, 0, false);
    const struct lh_engine_info *info = lh_engine_info(e);
    struct lh_scanner *s = NULL;
    struct lh_scan_stats st, acc;
    struct sink got;
    char text[128];

    assert_int_equal(info->n_patterns, 10); /* t.disabled left out */
    assert_int_equal(info->n_prefilter, 1);
    assert_int_equal(strlen(info->ruleset_hash), 64);
    assert_ptr_equal(lh_engine_ruleset(e), fx->rs);
    assert_int_equal(lh_scanner_new(&s, e), 0);
    snprintf(text, sizeof(text), "ent_aaaaaaaaaaaaaaaa %s alw_TESTTESTTEST", fx->gh_bad);
    scan(&got, s, text, strlen(text));
    assert_int_equal(got.n, 0);
    lh_scanner_stats(s, &st);
    assert_int_equal(st.chunks, 1);
    assert_int_equal(st.bytes, strlen(text));
    assert_true(st.candidates >= 3);
    assert_true(st.confirms >= 3);
    assert_int_equal(st.drop_entropy, 1);
    assert_int_equal(st.drop_validator, 1);
    assert_int_equal(st.drop_allow, 1);
    assert_int_equal(st.matches, 0);
    memset(&acc, 0, sizeof(acc));
    lh_scan_stats_add(&acc, &st);
    lh_scan_stats_add(&acc, &st);
    assert_int_equal(acc.drop_allow, 2);
    assert_int_equal(acc.bytes, 2 * strlen(text));
    lh_scanner_free(s);
    lh_engine_free(e);
}

/* A callback that stops the scan makes it return LH_EUSER. */
static int stop_cb(void *payload, const struct lh_chunk *c, const struct lh_match *m)
{
    (void)c;
    (void)m;
    (*(int *)payload)++;
    return 1;
}

static void test_callback_stops(void **state)
{
    struct fixture *fx = *state;
    struct lh_engine *e = engine(fx->rs, 0, false);
    struct lh_scanner *s = NULL;
    struct lh_chunk c;
    const char *text = "tok_AbCdEfGhIjKlMnOpQrSt tok_ZyXwVuTsRqPoNmLkJiHg";
    int calls = 0;

    assert_int_equal(lh_scanner_new(&s, e), 0);
    memset(&c, 0, sizeof(c));
    c.data = (const unsigned char *)text;
    c.len = strlen(text);
    c.path = "t";
    assert_int_equal(lh_scanner_scan(s, &c, stop_cb, &calls), LH_EUSER);
    assert_int_equal(calls, 1);
    lh_scanner_free(s);
    lh_engine_free(e);
}

/* Threads share one engine (first candidates race to JIT-compile the same rules) and each owns
 * a scanner; every thread must see every match. */
struct worker {
    const struct lh_engine *e;
    const char *text;
    size_t matches;
    int rc;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct lh_scanner *s = NULL;
    struct lh_scan_stats st;
    struct lh_chunk c;
    int i;

    w->rc = lh_scanner_new(&s, w->e);
    memset(&c, 0, sizeof(c));
    c.data = (const unsigned char *)w->text;
    c.len = strlen(w->text);
    c.path = "t";
    for (i = 0; i < 200 && w->rc == 0; i++)
        w->rc = lh_scanner_scan(s, &c, NULL, NULL);
    if (s) {
        lh_scanner_stats(s, &st);
        w->matches = st.matches;
    }
    lh_scanner_free(s);
    return NULL;
}

static void test_threads(void **state)
{
    struct fixture *fx = *state;
    struct lh_engine *e = engine(fx->rs, 0, false);
    struct worker w[4];
    pthread_t t[4];
    char text[512];
    int i;

    snprintf(text, sizeof(text),
             "db.pwd='ABCDEFGH12345678' tok_AbCdEfGhIjKlMnOpQrSt zqabcdefgh %s\n"
             "apikey: 0123456789abcdef0123456789abcdef\n",
             fx->gh_good);
    for (i = 0; i < 4; i++) {
        w[i].e = e;
        w[i].text = text;
        w[i].matches = 0;
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].rc, 0);
        assert_int_equal(w[i].matches, 200 * 5);
    }
    lh_engine_free(e);
}

static void test_100mb_line(void **state)
{
    struct fixture *fx = *state;
    const size_t len = 100u * 1024 * 1024;
    const size_t at = len / 2 + 3;
    char *buf = malloc(len);
    struct sink got;
    size_t w;

    assert_non_null(buf);
    memset(buf, 'a', len);
    memcpy(buf + at, " tok_AbCdEfGhIjKlMnOpQrSt ", 26);
    memcpy(buf + len - 41, " ", 1);
    memcpy(buf + len - 40, fx->gh_good, 40);
    for (w = 0; w < 2; w++) {
        struct lh_engine *e = engine(fx->rs, windows[w], false);
        struct lh_scanner *s = NULL;

        assert_int_equal(lh_scanner_new(&s, e), 0);
        scan(&got, s, buf, len);
        assert_int_equal(got.n, 2);
        assert_string_equal(got.items[0].rule, "t.plain");
        assert_int_equal(got.items[0].start, at + 1);
        assert_string_equal(got.items[1].rule, "t.gh");
        assert_int_equal(got.items[1].start, len - 40);
        assert_int_equal(got.items[1].end, len);
        lh_scanner_free(s);
        lh_engine_free(e);
    }
    free(buf);
}

static void test_candidate_cap(void **state)
{
    static const char every[] = "rules:\n"
                                "- id: t.every\n"
                                "  name: matches every byte\n"
                                "  pattern: '([a-z])'\n"
                                "  severity: low\n"
                                "  confidence: low\n";
    struct lh_ruleset *rs = load(every);
    const size_t len = 3 * LH_MAX_CANDIDATES_PER_RULE;
    char *buf = malloc(len);
    struct sink got;
    struct lh_scan_stats st;
    size_t w, k;

    (void)state;
    assert_non_null(buf);
    memset(buf, 'q', len);
    for (w = 0; w < 2; w++) {
        struct lh_engine *e = engine(rs, windows[w], false);
        struct lh_scanner *s = NULL;

        assert_int_equal(lh_scanner_new(&s, e), 0);
        scan(&got, s, buf, len);
        assert_int_equal(got.n, LH_MAX_MATCHES_PER_RULE);
        for (k = 0; k < got.n; k++)
            assert_int_equal(got.items[k].start, k);
        lh_scanner_stats(s, &st);
        assert_int_equal(st.candidates, LH_MAX_CANDIDATES_PER_RULE);
        /* candidates past the cap, and confirmed matches past the match cap */
        assert_true(st.capped >= len - LH_MAX_CANDIDATES_PER_RULE);
        assert_true(st.capped > len - LH_MAX_CANDIDATES_PER_RULE);
        lh_scanner_free(s);
        lh_engine_free(e);
    }
    free(buf);
    lh_ruleset_free(rs);
}

static void expect_rule_error(const char *yaml, const char *needle)
{
    struct lh_ruleset *rs = load(yaml);
    struct lh_engine_opts o;
    struct lh_engine *e = NULL;

    memset(&o, 0, sizeof(o));
    o.no_cache = true;
    assert_int_equal(lh_engine_new(&e, rs, &o), LH_ERULE);
    assert_null(e);
    if (strstr(lh_error_last(), needle) == NULL)
        fail_msg("error '%s' lacks '%s'", lh_error_last(), needle);
    lh_ruleset_free(rs);
}

static void test_rule_errors(void **state)
{
    (void)state;
    expect_rule_error("rules:\n"
                      "- id: t.callout\n"
                      "  name: x\n"
                      "  pattern: '(abc)(?C1)'\n"
                      "  severity: low\n"
                      "  confidence: low\n",
                      "test.yml:4:");
    expect_rule_error("rules:\n"
                      "- id: t.callout\n"
                      "  name: x\n"
                      "  pattern: '(abc)(?C1)'\n"
                      "  severity: low\n"
                      "  confidence: low\n",
                      "rule t.callout: Hyperscan rejected the pattern: ");
    expect_rule_error("rules:\n"
                      "- id: t.val\n"
                      "  name: x\n"
                      "  pattern: '(abc)'\n"
                      "  validate: no-such-validator\n"
                      "  severity: low\n"
                      "  confidence: low\n",
                      "rule t.val: unknown validator");
    expect_rule_error("rules:\n"
                      "- id: t.allowbad\n"
                      "  name: x\n"
                      "  pattern: '(abc)'\n"
                      "  allow: ['(unclosed']\n"
                      "  severity: low\n"
                      "  confidence: low\n",
                      "rule t.allowbad: PCRE2 rejected the allow pattern at offset");
}

/* LH_MAX_HS_SCRATCH: over the cap the engine is refused with the packs named, whether the database
 * was compiled or came from the cache; at the default cap the same set builds. */
static void test_scratch_limit(void **state)
{
    struct fixture *fx = *state;
    struct lh_engine_opts o;
    struct lh_engine *e = NULL;
    char dir[] = "/tmp/lh-test-scratch-XXXXXX";
    int pass;

    assert_non_null(mkdtemp(dir));
    for (pass = 0; pass < 2; pass++) { /* 0: compiled and cached, 1: from the cache */
        memset(&o, 0, sizeof(o));
        o.cache_dir = dir;
        assert_int_equal(lh_engine_new(&e, fx->rs, &o), 0);
        assert_int_equal(lh_engine_info(e)->cache_hit, pass == 1);
        lh_engine_free(e);
        e = NULL;
        o.max_scratch = 64; /* bytes: less than any database needs */
        assert_int_equal(lh_engine_new(&e, fx->rs, &o), LH_ELIMIT);
        assert_null(e);
        if (strstr(lh_error_last(), "rule pack test.yml: the 10 rules need ") == NULL ||
            strstr(lh_error_last(), "over the limit of 64 (LH_MAX_HS_SCRATCH)") == NULL)
            fail_msg("unexpected error: %s", lh_error_last());
    }
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
}

/* ---- triggers: Hyperscan compiles a part of the rule, PCRE2 confirms the whole ------------- */

static const char trigger_pack[] =
    "rules:\n"
    "- id: t.trig-suffix\n"
    "  name: bounded, trigger to the end\n"
    "  pattern: '(?m:^)[ \\t]{0,8}[a-z_]{0,10}(?#trigger)key[a-z_]{0,10}[ \\t]{0,4}=[ \\t]{0,4}"
    "(?<secret>[A-Za-z0-9]{8,20})'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.trig-infix\n"
    "  name: bounded, trigger in the middle\n"
    "  pattern: '(?i:https?)(?#trigger)://[a-z]{1,16}:(?#trigger-end)(?<secret>[A-Za-z0-9]{6,24})"
    "@[a-z.]{1,30}'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.trig-run\n"
    "  name: a trigger that reports every byte of a long run\n"
    "  pattern: '(?<secret>k[0-9]{2})(?#trigger)[a-z0-9]{1,4}'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.trig-prefilter\n"
    "  name: unbounded prefilter, trigger to the end\n"
    "  pattern: '(?m:^)[ \\t]*(?#trigger)tok(?=en)en=(?<secret>[a-z0-9]{8,})'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.line-exact\n"
    "  name: exact, unbounded, no match holds a newline (confirmed from the line start)\n"
    "  pattern: '[a-z_]{0,3}key=(?<secret>Q1w2[A-Za-z0-9]{4,})'\n"
    "  severity: low\n"
    "  confidence: low\n"
    "- id: t.lines\n"
    "  name: exact, unbounded, matches may hold newlines\n"
    "  pattern: 'ab:\\s*(?<secret>AbC[A-Za-z0-9]{3,})'\n"
    "  severity: low\n"
    "  confidence: low\n";

/* Every match of pattern in text, as one whole-buffer PCRE2 pass reports them (leftmost, not
 * overlapping, an empty match steps one byte): what the engine must reproduce. */
static size_t pcre_all(struct got *out, size_t cap, const char *rule, const char *pattern,
                       const char *text, size_t len)
{
    int err;
    PCRE2_SIZE off, *ov, at = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    pcre2_match_data *md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
    size_t n = 0;

    assert_non_null(md);
    while (at <= len && pcre2_match(re, (PCRE2_SPTR)text, len, at, 0, md, NULL) > 0) {
        ov = pcre2_get_ovector_pointer(md);
        if (ov[1] == ov[0]) {
            at = ov[0] + 1;
            continue;
        }
        assert_true(n < cap);
        snprintf(out[n].rule, sizeof(out[n].rule), "%s", rule);
        out[n].start = ov[0];
        out[n].end = ov[1];
        snprintf(out[n].secret, sizeof(out[n].secret), "%.*s", (int)(ov[3] - ov[2]), text + ov[2]);
        n++;
        at = ov[1];
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return n;
}

static int cmp_got(const void *a, const void *b)
{
    const struct got *x = a, *y = b;
    int c = (x->start > y->start) - (x->start < y->start);

    return c ? c : strcmp(x->rule, y->rule);
}

/* Random lines made of the rules' pieces: keys, URLs with and without credentials, tokens, blanks,
 * CR, near misses, so that triggers fire far more often than the rules match. */
static size_t trigger_text(char *out, size_t cap, uint32_t seed)
{
    static const char *const pieces[] = {
        "key",     "my_key",  "keyring", " = ",     "=",       "  ",      "\t",     "AbC123xyZ9",
        "Q1w2E3r4T5y6", "short", "https://", "HTTP://", "http:/", "://", "deploy:", "ab:",
        "@",       "host.example", "tok",   "token=",  "tokens=", "abcdefgh12", "x",     "\r\n",
        "\n",      "\n",      "\n    ",  "_",       "k",       "ey",      "=zzzzzzzzzzzzzzzzzzzzzzz",
        "\nkey = AbC123xyZ9",   "\n  my_key=Q1w2E3r4T5y6Q1w2E3r4", "\nkey=short",
        "https://deploy:AbC123xyZ9@host.example", "HTTP://ab:Q1w2E3r4T5y6@x",
        "https://ab:short@x",   "https://host.example:8443/x", "\ntoken=abcdefgh12",
        "\n\t token=abcdefgh12abcdefgh12", "\ntokens=abcdefgh12",
        /* long alphanumeric runs: t.trig-run's trigger ends at every byte of them */
        "k12ab", "zz9", "k3", "4k56", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
    };
    const size_t np = sizeof(pieces) / sizeof(pieces[0]);
    uint32_t x = seed;
    size_t n = 0;

    for (;;) {
        const char *p;
        size_t k;

        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p = pieces[x % np];
        k = strlen(p);
        if (n + k + 1 > cap)
            break;
        memcpy(out + n, p, k);
        n += k;
    }
    out[n] = '\0';
    return n;
}

static void test_trigger_matches_pcre2(void **state)
{
    struct lh_ruleset *rs = load(trigger_pack);
    static struct got want[4096];
    static char text[8192];
    struct lh_scanner *s = NULL;
    struct lh_engine *e;
    struct lh_chunk c;
    struct sink got;
    size_t w, nw, i, k, len;
    uint32_t seed;

    (void)state;
    for (w = 0; w < 2; w++) {
        e = engine(rs, windows[w], false);
        assert_int_equal(lh_engine_info(e)->n_prefilter, 4); /* a trigger makes a prefilter */
        assert_int_equal(lh_engine_info(e)->n_patterns, 6);
        assert_int_equal(lh_scanner_new(&s, e), 0);
        for (seed = 1; seed <= 40; seed++) {
            len = trigger_text(text, seed <= 20 ? 2000 : 8000, seed * 2654435761u);
            nw = 0;
            for (i = 0; i < lh_ruleset_count(rs); i++)
                nw += pcre_all(want + nw, sizeof(want) / sizeof(want[0]) - nw,
                               lh_ruleset_get(rs, i)->id, lh_ruleset_get(rs, i)->pattern, text,
                               len);
            qsort(want, nw, sizeof(want[0]), cmp_got);
            memset(&c, 0, sizeof(c));
            c.data = (const unsigned char *)text;
            c.len = len;
            c.path = "t.txt";
            c.kind = LH_SRC_FILE;
            memset(&got, 0, sizeof(got));
            assert_true(nw > 0 && nw <= sizeof(got.items) / sizeof(got.items[0]));
            assert_int_equal(lh_scanner_scan(s, &c, on_match, &got), 0);
            if (got.n != nw)
                fail_msg("window %zu, seed %u: %zu matches, PCRE2 finds %zu", windows[w], seed,
                         got.n, nw);
            for (k = 0; k < nw; k++)
                if (strcmp(got.items[k].rule, want[k].rule) != 0 ||
                    got.items[k].start != want[k].start || got.items[k].end != want[k].end ||
                    strcmp(got.items[k].secret, want[k].secret) != 0)
                    fail_msg("window %zu, seed %u, match %zu: got %s [%zu,%zu) '%s', PCRE2 %s "
                             "[%zu,%zu) '%s'",
                             windows[w], seed, k, got.items[k].rule, got.items[k].start,
                             got.items[k].end, got.items[k].secret, want[k].rule, want[k].start,
                             want[k].end, want[k].secret);
        }
        lh_scanner_free(s);
        lh_engine_free(e);
    }
    lh_ruleset_free(rs);
}

static void expect_trigger_error(const char *pattern, const char *needle)
{
    char yaml[1024];

    snprintf(yaml, sizeof(yaml),
             "rules:\n- id: t.trig\n  name: x\n  pattern: '%s'\n  severity: low\n"
             "  confidence: low\n",
             pattern);
    expect_rule_error(yaml, needle);
}

static void test_trigger_errors(void **state)
{
    static const char misplaced[] = "rule t.trig: (?#trigger) must appear once";

    (void)state;
    expect_trigger_error("(?:a(?#trigger)b)(c)", misplaced);          /* inside a group */
    expect_trigger_error("a(?#trigger)b(?#trigger)(c)", misplaced);   /* twice */
    expect_trigger_error("(abc)(?#trigger)", misplaced);              /* at the end */
    expect_trigger_error("(a)b(?#trigger)+c", misplaced);             /* before a quantifier */
    expect_trigger_error("(a)b|c(?#trigger)d", misplaced);            /* top-level alternation */
    expect_trigger_error("(?i)(a)(?#trigger)bc", misplaced);          /* unscoped (?i) before */
    expect_trigger_error("(a)(?#trigger-end)bc", misplaced);          /* end without start */
    expect_trigger_error("(a)(?#trigger-end)b(?#trigger)c", misplaced); /* out of order */
    expect_trigger_error("(a)\\s*(?#trigger)bc", "rule t.trig: a trigger needs a pattern of "
                                                 "bounded width");
    expect_trigger_error("(?=x)(a)\\s*b(?#trigger)c(?#trigger-end)d",
                         "rule t.trig: a trigger needs a pattern of bounded width");
    expect_trigger_error("(a)(?#trigger)b?(?#trigger-end)c",
                         "rule t.trig: the trigger can match an empty string");
}

static void test_hs_pattern_rewrite(void **state)
{
    struct lh_ruleset *rs = load("rules:\n"
                                 "- id: t.syntax\n"
                                 "  name: branch reset, quoted name, \\K\n"
                                 "  pattern: '(?|k|q)(?''secret''[0-9]{4})x\\Ky'\n"
                                 "  severity: low\n"
                                 "  confidence: low\n"
                                 "- id: t.syntax2\n"
                                 "  name: Python-style name\n"
                                 "  pattern: 'zz(?P<secret>[0-9]{3})'\n"
                                 "  severity: low\n"
                                 "  confidence: low\n");
    struct lh_engine *e;
    struct lh_scanner *s = NULL;
    struct sink got;
    const char *text = "-- k1234xy q9876xy k12xy zz123";
    size_t w;

    (void)state;
    for (w = 0; w < 2; w++) {
        e = engine(rs, windows[w], false);
        assert_int_equal(lh_engine_info(e)->n_prefilter, 0); /* all rewritten, none approximated */
        assert_int_equal(lh_scanner_new(&s, e), 0);
        scan(&got, s, text, strlen(text));
        assert_int_equal(got.n, 3);
        assert_string_equal(got.items[0].secret, "1234");
        assert_int_equal(got.items[0].start, 9); /* \K moved the start */
        assert_string_equal(got.items[1].secret, "9876");
        assert_string_equal(got.items[2].secret, "123");
        assert_string_equal(got.items[2].rule, "t.syntax2");
        lh_scanner_free(s);
        lh_engine_free(e);
    }
    lh_ruleset_free(rs);
}

/* ---- selftest ------------------------------------------------------------------------------ */

struct failures {
    char msgs[16][256];
    uint32_t lines[16];
    int n;
};

static void on_failure(void *payload, const struct lh_rule *r, const char *file, uint32_t line,
                       const char *msg)
{
    struct failures *f = payload;

    if (f->n < 16) {
        snprintf(f->msgs[f->n], sizeof(f->msgs[0]), "%s:%s:%s", file, r->id, msg);
        f->lines[f->n] = line;
    }
    f->n++;
}

static void test_selftest(void **state)
{
    char good[41], bad[41], yaml[4096];
    struct lh_ruleset *rs;
    struct lh_engine_opts o;
    struct failures f;
    int rc;

    (void)state;
    gh_token(good, 11, false);
    gh_token(bad, 11, true);
    snprintf(yaml, sizeof(yaml),
             "rules:\n"
             "- id: s.ok\n"
             "  name: passes\n"
             "  pattern: '\\b(ghp_[A-Za-z0-9]{36})\\b'\n"
             "  validate: github-crc32\n"
             "  severity: low\n"
             "  confidence: low\n"
             "  examples:\n"
             "  - 'x=%s'\n"
             "  negative_examples:\n"
             "  - 'x=%s'\n"
             "- id: s.bad\n"
             "  name: fails\n"
             "  pattern: '\\b(ent_[a-z0-9]{16})\\b'\n"
             "  min_entropy: 3.0\n"
             "  severity: low\n"
             "  confidence: low\n"
             "  examples:\n"
             "  - 'nothing here'\n"
             "  - 'ent_aaaaaaaaaaaaaaaa'\n"
             "  negative_examples:\n"
             "  - 'ent_a1b2c3d4e5f6g7h8'\n"
             "- id: s.broken\n"
             "  name: Hyperscan rejects it\n"
             "  pattern: '(abc)(?C1)'\n"
             "  severity: low\n"
             "  confidence: low\n",
             good, bad);
    rs = load(yaml);
    memset(&o, 0, sizeof(o));
    o.no_cache = true;
    memset(&f, 0, sizeof(f));
    rc = lh_engine_selftest(rs, &o, on_failure, &f);
    assert_int_equal(rc, 4);
    assert_int_equal(f.n, 4);
    assert_non_null(strstr(f.msgs[0], "s.broken:Hyperscan rejected the pattern"));
    assert_int_equal(f.lines[0], 25);
    assert_string_equal(f.msgs[1], "test.yml:s.bad:example does not match");
    assert_int_equal(f.lines[1], 19);
    assert_non_null(strstr(f.msgs[2], "s.bad:example matches but the secret fails min_entropy"));
    assert_int_equal(f.lines[2], 20);
    assert_non_null(strstr(f.msgs[3], "s.bad:negative example matches: ent_"));
    assert_int_equal(f.lines[3], 22);
    lh_ruleset_free(rs);
}

/* ---- the precompiled built-in pack --------------------------------------------------------- */

static void same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void same_strv(char *const *a, size_t na, char *const *b, size_t nb)
{
    size_t i;

    assert_int_equal(na, nb);
    for (i = 0; i < na; i++)
        same_str(a[i], b[i]);
}

static void same_located(const struct lh_located *a, size_t na, const struct lh_located *b,
                         size_t nb)
{
    size_t i;

    assert_int_equal(na, nb);
    for (i = 0; i < na; i++) {
        assert_int_equal(a[i].len, b[i].len);
        assert_memory_equal(a[i].text, b[i].text, a[i].len);
        assert_int_equal(a[i].line, b[i].line);
        assert_int_equal(a[i].col, b[i].col);
    }
}

/* "rule start end secret_start secret_end\n" for every match, into a buf */
static int list_match(void *payload, const struct lh_chunk *c, const struct lh_match *m)
{
    (void)c;
    return lh_buf_addf(payload, "%s %zu %zu %zu %zu\n", m->rule->id, m->start, m->end,
                       m->secret_start, m->secret_end) == 0 ? 0 : 1;
}

static void scan_list(struct lh_buf *out, const struct lh_engine *e, const struct lh_buf *text)
{
    struct lh_scanner *s = NULL;
    struct lh_chunk c;

    memset(&c, 0, sizeof(c));
    c.data = (const unsigned char *)text->ptr;
    c.len = text->len;
    c.path = "examples.txt";
    c.kind = LH_SRC_FILE;
    assert_int_equal(lh_scanner_new(&s, e), 0);
    assert_int_equal(lh_scanner_scan(s, &c, list_match, out), 0);
    lh_scanner_free(s);
}

/* The precompiled pack is the YAML pack: every field of every rule; and the engine built from it
 * (rules and database from the binary, PCRE2 compiled lazily) finds exactly what an engine compiled
 * from the parsed YAML finds, over every example and negative example of the pack. */
static void test_precompiled(void **state)
{
    struct lh_ruleset *pc = NULL, *yaml = NULL;
    struct lh_engine *e1 = NULL, *e2 = NULL;
    struct lh_engine_opts o;
    struct lh_buf text, l1, l2;
    size_t i, k;

    (void)state;
    if (lh_precompiled_get() == NULL)
        skip(); /* configured with -DLH_PRECOMPILE=OFF */
    assert_int_equal(lh_ruleset_new(&pc), 0);
    assert_int_equal(lh_ruleset_new(&yaml), 0);
    assert_int_equal(lh_ruleset_load_builtin(pc), 0);
    assert_int_equal(lh_ruleset_load_builtin_yaml(yaml), 0);
    assert_true(lh_ruleset_count(pc) > 100);
    assert_int_equal(lh_ruleset_count(pc), lh_ruleset_count(yaml));
    lh_buf_init(&text, (size_t)1 << 26);
    for (i = 0; i < lh_ruleset_count(pc); i++) {
        const struct lh_rule *a = lh_ruleset_get(pc, i), *b = lh_ruleset_get(yaml, i);

        assert_int_equal(a->builtin, i + 1);
        assert_int_equal(b->builtin, 0);
        same_str(a->id, b->id);
        same_str(a->name, b->name);
        same_str(a->pattern, b->pattern);
        assert_int_equal(a->secret_group, b->secret_group);
        same_strv(a->keywords, a->n_keywords, b->keywords, b->n_keywords);
        assert_true(a->min_entropy == b->min_entropy);
        same_str(a->validate, b->validate);
        assert_int_equal(a->severity, b->severity);
        assert_int_equal(a->confidence, b->confidence);
        same_strv(a->references, a->n_references, b->references, b->n_references);
        same_str(a->remediation, b->remediation);
        same_strv(a->allow, a->n_allow, b->allow, b->n_allow);
        same_located(a->examples, a->n_examples, b->examples, b->n_examples);
        same_located(a->negatives, a->n_negatives, b->negatives, b->n_negatives);
        assert_int_equal(a->disabled, b->disabled);
        same_str(a->file, b->file);
        assert_int_equal(a->line, b->line);
        assert_int_equal(a->col, b->col);
        assert_int_equal(a->pattern_line, b->pattern_line);
        assert_int_equal(a->pattern_col, b->pattern_col);
        assert_ptr_equal(lh_ruleset_find(pc, a->id), a);
        for (k = 0; k < a->n_examples; k++) {
            assert_int_equal(lh_buf_add(&text, a->examples[k].text, a->examples[k].len), 0);
            assert_int_equal(lh_buf_addc(&text, '\n'), 0);
        }
        for (k = 0; k < a->n_negatives; k++) {
            assert_int_equal(lh_buf_add(&text, a->negatives[k].text, a->negatives[k].len), 0);
            assert_int_equal(lh_buf_addc(&text, '\n'), 0);
        }
    }

    memset(&o, 0, sizeof(o));
    o.cache_dir = "/nonexistent/leakhound-test-cache"; /* never needed by the built-in database */
    assert_int_equal(lh_engine_new(&e1, pc, &o), 0);
    assert_true(lh_engine_info(e1)->embedded_db);
    assert_true(lh_engine_info(e1)->cache_hit);
    o.no_cache = true;
    assert_int_equal(lh_engine_new(&e2, yaml, &o), 0);
    assert_false(lh_engine_info(e2)->embedded_db);
    assert_false(lh_engine_info(e2)->cache_hit);
    assert_string_equal(lh_engine_info(e1)->ruleset_hash, lh_engine_info(e2)->ruleset_hash);
    assert_int_equal(lh_engine_info(e1)->n_prefilter, lh_engine_info(e2)->n_prefilter);

    lh_buf_init(&l1, (size_t)1 << 26);
    lh_buf_init(&l2, (size_t)1 << 26);
    scan_list(&l1, e1, &text);
    scan_list(&l2, e2, &text);
    assert_true(l1.len > 1000); /* hundreds of examples match */
    assert_int_equal(l1.len, l2.len);
    assert_memory_equal(l1.ptr, l2.ptr, l1.len);

    /* a rule disabled: no longer the precompiled set, so not its database */
    assert_int_equal(lh_ruleset_disable(pc, lh_ruleset_get(pc, 0)->id), 0);
    lh_engine_free(e1);
    o.no_cache = true;
    assert_int_equal(lh_engine_new(&e1, pc, &o), 0);
    assert_false(lh_engine_info(e1)->embedded_db);
    assert_string_not_equal(lh_engine_info(e1)->ruleset_hash, lh_engine_info(e2)->ruleset_hash);

    lh_buf_release(&l1);
    lh_buf_release(&l2);
    lh_buf_release(&text);
    lh_engine_free(e1);
    lh_engine_free(e2);
    lh_ruleset_free(pc);
    lh_ruleset_free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_info_and_stats, setup, teardown),
        cmocka_unit_test_setup_teardown(test_callback_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_100mb_line, setup, teardown),
        cmocka_unit_test(test_candidate_cap),
        cmocka_unit_test(test_rule_errors),
        cmocka_unit_test_setup_teardown(test_scratch_limit, setup, teardown),
        cmocka_unit_test(test_trigger_matches_pcre2),
        cmocka_unit_test(test_trigger_errors),
        cmocka_unit_test(test_hs_pattern_rewrite),
        cmocka_unit_test(test_selftest),
        cmocka_unit_test(test_precompiled),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
