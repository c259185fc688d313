/*
 * fuzz_engine.c - the engine over arbitrary bytes with the full built-in rule pack.
 *
 * Two engines are compiled once per process (no cache, so the run never touches the disk): one with
 * the default confirm window and one with a 64-byte window (the boundary case, as the engine unit
 * tests force it). Each input is scanned as a file chunk by both, and every match is turned into a
 * finding and redacted, the way the CLI pipeline does.
 *
 * Invariants checked: no crash, leak or read past len; every match lies inside the chunk, its
 * secret inside the match, its rule in the ruleset; matches come in increasing start order; the
 * finding's lines and columns are 1-based and ordered; the redacted form is never the whole secret
 * when the secret is longer than 4 bytes; lh_scanner_scan returns 0.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/finding.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

static struct lh_ruleset *g_rs;
static struct lh_engine *g_engine[2];
static struct lh_scanner *g_scanner[2];

struct scan_state {
    size_t last_start;
    size_t n;
    struct lh_lineidx li;
};

/* memmem is a GNU extension; the build is strict POSIX. */
static bool contains(const void *hay, size_t hn, const void *needle, size_t nn)
{
    const unsigned char *h = hay;
    size_t i;

    for (i = 0; nn && i + nn <= hn; i++)
        if (memcmp(h + i, needle, nn) == 0)
            return true;
    return false;
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_engine: %s: %s\n", what, lh_error_last());
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct lh_engine_opts opts;
    int i;

    (void)argc;
    (void)argv;
    if (lh_ruleset_new(&g_rs) != 0 || lh_ruleset_load_builtin(g_rs) != 0)
        die("built-in pack");
    for (i = 0; i < 2; i++) {
        memset(&opts, 0, sizeof(opts));
        opts.no_cache = true;
        opts.window = i == 0 ? 0 : 64;
        if (lh_engine_new(&g_engine[i], g_rs, &opts) != 0)
            die("engine");
        if (lh_scanner_new(&g_scanner[i], g_engine[i]) != 0)
            die("scanner");
    }
    return 0;
}

static int on_match(void *payload, const struct lh_chunk *c, const struct lh_match *m)
{
    struct scan_state *st = payload;
    struct lh_finding f;
    struct lh_buf b;

    if (m->start > m->end || m->end > c->len || m->secret_start < m->start ||
        m->secret_end > m->end || m->secret_start > m->secret_end)
        abort();
    if (m->rule == NULL || m->rule_index >= lh_ruleset_count(g_rs) ||
        lh_ruleset_get(g_rs, m->rule_index) != m->rule)
        abort();
    if (st->n && m->start < st->last_start)
        abort();
    st->last_start = m->start;
    st->n++;
    if (lh_finding_init(&f, c, m, &st->li) != 0)
        return 0; /* LH_ENOMEM only */
    if (f.line_start < 1 || f.line_end < f.line_start || f.col_start < 1 ||
        (f.line_start == f.line_end && f.col_end + 1 < f.col_start))
        abort();
    lh_buf_init(&b, 1 << 20);
    if (lh_finding_redact(&b, &f, false) == 0 && f.secret_len > 4 &&
        contains(b.ptr, b.len, f.secret, f.secret_len))
        abort(); /* the redacted form revealed the secret */
    lh_buf_release(&b);
    lh_finding_release(&f);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_chunk c;
    int i;

    if (g_rs == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    memset(&c, 0, sizeof(c));
    c.data = data;
    c.len = size;
    c.path = "fuzz/input.txt";
    c.kind = LH_SRC_FILE;
    for (i = 0; i < 2; i++) {
        struct scan_state st;

        memset(&st, 0, sizeof(st));
        lh_lineidx_init(&st.li, data, size);
        if (lh_scanner_scan(g_scanner[i], &c, on_match, &st) != 0)
            die("scan");
    }
    return 0;
}
