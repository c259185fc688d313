/*
 * selftest.c - what `leakhound rules check` runs (Nosey Parker's cmd_rules_check): every enabled
 * rule's pattern compiled alone by Hyperscan (exact, else prefilter) and by PCRE2, then the whole
 * set compiled into one engine, every example scanned as its own chunk (it must yield a match of
 * its rule that passes the rule's checks), every negative example scanned (it must yield none).
 *
 * A rule that fails to compile is reported and left out of the engine, so one bad rule does not
 * hide the verdicts on the others. A failing example is scanned again with the checks relaxed to
 * say whether the pattern or a check rejected it. Negative verdicts never print the secret whole.
 */
#include "engine/engine_int.h"

#include <string.h>

#include "engine/finding.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

struct lh_probe {
    size_t rule_index;
    bool found;
    struct lh_match first;
};

static int lh_probe_cb(void *payload, const struct lh_chunk *c, const struct lh_match *m)
{
    struct lh_probe *p = payload;

    (void)c;
    if (m->rule_index == p->rule_index && !p->found) {
        p->found = true;
        p->first = *m;
    }
    return 0;
}

static int lh_probe(struct lh_probe *p, struct lh_scanner *s, size_t rule_index,
                    const struct lh_located *ex)
{
    struct lh_chunk c;

    memset(&c, 0, sizeof(c));
    c.data = (const unsigned char *)ex->text;
    c.len = ex->len;
    c.path = "<example>";
    c.kind = LH_SRC_FILE;
    memset(p, 0, sizeof(*p));
    p->rule_index = rule_index;
    return lh_scanner_scan(s, &c, lh_probe_cb, p);
}

/* Compiles one rule's patterns alone; reports each problem through cb. Returns the problems. */
static int lh_check_compile(const struct lh_rule *r, lh_selftest_cb cb, void *payload)
{
    const char *file = r->file ? r->file : "<rules>";
    struct lh_buf msg;
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    char *hsp = NULL;
    PCRE2_UCHAR emsg[256];
    PCRE2_SIZE off;
    pcre2_code *code;
    int bad = 0, ec, rc;
    size_t k;

    lh_buf_init(&msg, 65536);
    rc = lh_engine_hs_pattern(&hsp, r->pattern);
    if (rc)
        return rc;
    if (hs_compile(hsp, 0, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        err = NULL;
        if (hs_compile(hsp, HS_FLAG_PREFILTER, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
            lh_buf_reset(&msg);
            if (lh_buf_addf(&msg, "Hyperscan rejected the pattern: %s",
                            err ? err->message : "unknown error") == 0)
                cb(payload, r, file, r->pattern_line, msg.ptr);
            hs_free_compile_error(err);
            bad++;
        }
    }
    hs_free_database(db);
    if (bad == 0) { /* the engine's own verdict: the trigger marker, the prefilter fallback */
        struct lh_erule er;
        const char *m;

        memset(&er, 0, sizeof(er));
        er.rule = r;
        er.hs_pattern = hsp;
        if (lh_engine_classify(&er) != 0) {
            m = strstr(lh_error_last(), ": rule ");
            m = m ? strchr(m + 7, ':') : NULL;
            cb(payload, r, file, r->pattern_line, m ? m + 2 : lh_error_last());
            bad++;
        }
        free(er.hs_trigger);
    }
    free(hsp);
    for (k = 0; k <= r->n_allow; k++) {
        const char *pat = k == 0 ? r->pattern : r->allow[k - 1];

        code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
        if (code) {
            pcre2_code_free(code);
            continue;
        }
        if (pcre2_get_error_message(ec, emsg, sizeof(emsg)) < 0)
            memcpy(emsg, "unknown error", sizeof("unknown error"));
        lh_buf_reset(&msg);
        if (k == 0)
            rc = lh_buf_addf(&msg, "PCRE2 rejected the pattern at offset %zu: %s", (size_t)off,
                             (const char *)emsg);
        else
            rc = lh_buf_addf(&msg, "PCRE2 rejected allow pattern %zu at offset %zu: %s", k,
                             (size_t)off, (const char *)emsg);
        if (rc == 0)
            cb(payload, r, file, r->pattern_line, msg.ptr);
        bad++;
    }
    if (r->validate && lh_validator_find(r->validate) == NULL) {
        lh_buf_reset(&msg);
        if (lh_buf_addf(&msg, "unknown validator \"%s\"", r->validate) == 0)
            cb(payload, r, file, r->line, msg.ptr);
        bad++;
    }
    lh_buf_release(&msg);
    return bad;
}

/* Says which check rejects the secret of a relaxed match m. */
static int lh_why(struct lh_buf *b, const struct lh_engine *e, const struct lh_erule *er,
                  const struct lh_located *ex, const struct lh_match *m)
{
    const struct lh_rule *r = er->rule;
    const unsigned char *sec = (const unsigned char *)ex->text + m->secret_start;
    size_t slen = m->secret_end - m->secret_start;
    pcre2_match_data *md;
    size_t k;

    if (r->min_entropy > 0 && m->entropy < r->min_entropy)
        return lh_buf_addf(b, "example matches but the secret fails min_entropy (%.2f < %.2f)",
                           m->entropy, r->min_entropy);
    if (er->validator && !er->validator->fn(sec, slen) &&
        !(er->validator->checksum && e->opts.no_validate))
        return lh_buf_addf(b, "example matches but the secret fails validator %s",
                           er->validator->name);
    md = pcre2_match_data_create(1, NULL);
    if (md == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    for (k = 0; k < er->n_allow; k++)
        if (pcre2_match(er->allow[k], sec, slen, 0, 0, md, NULL) >= 0)
            break;
    pcre2_match_data_free(md);
    if (k < er->n_allow)
        return lh_buf_addf(b, "example matches but the secret fails allow pattern %zu (%s)",
                           k + 1, r->allow[k]);
    return lh_buf_adds(b, "example matches but the secret fails the rule's checks");
}

static const struct lh_erule *lh_find_erule(const struct lh_engine *e, size_t rule_index)
{
    size_t i;

    for (i = 0; i < e->n_rules; i++)
        if (e->rules[i].rule_index == rule_index)
            return &e->rules[i];
    return NULL;
}

int lh_engine_selftest(const struct lh_ruleset *rs, const struct lh_engine_opts *opts,
                       lh_selftest_cb cb, void *payload)
{
    size_t n = lh_ruleset_count(rs), i, k;
    struct lh_engine *e = NULL;
    struct lh_scanner *s = NULL, *relaxed = NULL;
    struct lh_probe p;
    struct lh_buf msg;
    bool *skip;
    int failures = 0, rc = 0;

    lh_buf_init(&msg, 65536);
    skip = lh_calloc(n ? n : 1, sizeof(*skip));
    if (skip == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        const struct lh_rule *r = lh_ruleset_get(rs, i);

        if (r->disabled)
            continue;
        rc = lh_check_compile(r, cb, payload);
        if (rc < 0)
            goto out;
        if (rc > 0) {
            failures += rc;
            skip[i] = true;
        }
    }
    rc = lh_engine_build(&e, rs, opts, skip);
    if (rc == 0)
        rc = lh_scanner_new(&s, e);
    if (rc == 0)
        rc = lh_scanner_new(&relaxed, e);
    if (rc)
        goto out;
    lh_scanner_set_relaxed(relaxed, true);
    for (i = 0; i < n; i++) {
        const struct lh_rule *r = lh_ruleset_get(rs, i);
        const struct lh_erule *er;
        const char *file = r->file ? r->file : "<rules>";

        if (r->disabled || skip[i])
            continue;
        er = lh_find_erule(e, i);
        for (k = 0; k < r->n_examples; k++) {
            const struct lh_located *ex = &r->examples[k];

            rc = lh_probe(&p, s, i, ex);
            if (rc)
                goto out;
            if (p.found)
                continue;
            rc = lh_probe(&p, relaxed, i, ex);
            if (rc)
                goto out;
            lh_buf_reset(&msg);
            if (p.found)
                rc = lh_why(&msg, e, er, ex, &p.first);
            else
                rc = lh_buf_adds(&msg, "example does not match");
            if (rc)
                goto out;
            cb(payload, r, file, ex->line, msg.ptr);
            failures++;
        }
        for (k = 0; k < r->n_negatives; k++) {
            const struct lh_located *ex = &r->negatives[k];
            struct lh_finding f;

            rc = lh_probe(&p, s, i, ex);
            if (rc)
                goto out;
            if (!p.found)
                continue;
            memset(&f, 0, sizeof(f));
            f.secret = (unsigned char *)ex->text + p.first.secret_start;
            f.secret_len = p.first.secret_end - p.first.secret_start;
            lh_buf_reset(&msg);
            rc = lh_buf_adds(&msg, "negative example matches: ");
            if (rc == 0)
                rc = lh_finding_redact(&msg, &f, false);
            if (rc)
                goto out;
            cb(payload, r, file, ex->line, msg.ptr);
            failures++;
        }
    }
out:
    lh_scanner_free(relaxed);
    lh_scanner_free(s);
    lh_engine_free(e);
    free(skip);
    lh_buf_release(&msg);
    return rc < 0 ? rc : failures;
}
