/*
 * scanner.c - one thread's scanning state and the two-stage match: Hyperscan end offsets, then a
 * PCRE2 confirm in a bounded window before each, then the rule's secret checks.
 *
 * Invariants and bounds:
 * - A scanner is owned by one thread. Its arrays (candidates, deduplicated ends, pending and
 *   confirmed matches) are reused from chunk to chunk; a chunk without candidates costs hs_scan.
 * - At most LH_MAX_CANDIDATES_PER_RULE end offsets per rule per chunk are kept; later ones are
 *   counted in `capped`. At most LH_MAX_MATCHES_PER_RULE matches per rule per chunk reach the
 *   callback; each later one that passes the checks is counted in `capped`.
 * - Confirming a rule's candidates imitates one PCRE2 pass over the whole chunk that reports
 *   non-overlapping leftmost matches. Candidates are grouped into regions (the windows [end - w,
 *   end] that overlap), and PCRE2 iterates the region from max(window start, end of this rule's
 *   last match). The subject is the whole chunk from offset 0 (so \b and lookbehind see what
 *   precedes) clipped a little after the region, with PCRE2_PARTIAL_HARD: when a match attempt
 *   needs bytes past the clip (a greedy run, lookahead, \b, $), PCRE2 says so and the clip grows,
 *   so a clipped search answers exactly like a whole-chunk one yet never walks a huge buffer.
 *   A window smaller than the pattern can be (the tests force 8 bytes) is detected and doubled:
 *   a candidate too close to the first match's start to be the end of a match starting there, a
 *   first match beginning exactly at the window start, or an earlier-starting overlapping match
 *   found by a second search from further back. Growth stops at this rule's last match or the
 *   chunk start for exact patterns (Hyperscan's offset proves that a match ends there) and at the
 *   default window for prefilter ones. A window as wide as a bounded pattern needs no check.
 * - A rule with a trigger (engine_int.h) gets offsets inside its matches, not their ends. Its
 *   pattern is bounded (or the trigger runs to the end), and the window starts at the pattern's
 *   full width: every match then holds a candidate at most that far from its start, so a search
 *   from (candidate - width) finds what a whole-chunk pass finds, by the same argument as for a
 *   trusted window (any match starting earlier has an earlier candidate, in an earlier region).
 * - A rule none of whose matches can hold a newline (lh_engine_one_line) searches a region from no
 *   earlier than the start of its first candidate's line, and such a search is trusted: a match
 *   that holds or ends at a candidate lies in that candidate's line, and the lines of later
 *   candidates start no earlier. Its regions end at a line break (any partition of the candidates
 *   would do, by the same argument), so a line rule's confirm reads the lines that hold
 *   candidates, not windows of the pattern's full width (generic.config-unquoted: ~430 bytes,
 *   nine lines of a dense file) and the lines between them.
 * - Matches reach the callback sorted by (start, rule index).
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/text.h"

/* A PCRE2 match awaiting the rule's checks. */
struct lh_pending {
    size_t start, end, secret_start, secret_end;
};

/* A trigger rule's consecutive end offsets (a trigger that ends in a run of value bytes reports
 * one per byte) are kept as the run's first and last: for a rule confirmed in trusted windows of
 * its full width only a region's first and last candidates matter, and the gaps between kept ends
 * stay within LH_WINDOW_MARGIN (a run is cut there), far inside that width, so the regions are the
 * same. It keeps the candidate array, its sort and LH_MAX_CANDIDATES_PER_RULE about one per line. */
struct lh_run {
    size_t last;    /* index + 1 in cands of this id's last kept end; 0: none in this chunk */
    size_t first;   /* the end offset that starts the current run */
    bool tail;      /* cands[last - 1] is the run's tail, replaced as the run grows */
};

struct lh_scanner {
    const struct lh_engine *e;
    hs_scratch_t *scratch;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    struct lh_scan_stats st;
    bool relaxed;
    int err; /* set by the Hyperscan callback when it stops the scan */

    uint64_t *cands; /* (pattern id << 32) | end offset */
    size_t n_cands, cap_cands;
    uint32_t *counts; /* candidates kept per pattern id in the current chunk */
    struct lh_run *runs; /* per pattern id: the run of consecutive ends being compressed */
    bool *compress;      /* per pattern id: a trigger rule (lh_trigger_rule) */
    size_t *ends;     /* one rule's sorted, distinct end offsets */
    size_t cap_ends;
    struct lh_pending *pend;
    size_t n_pend, cap_pend;
    struct lh_match *matches;
    size_t n_matches, cap_matches;
};

/* A rule whose pattern has a trigger and a bounded width: confirmed in windows of its full width
 * (lh_confirm_rule), so its runs of ends may be compressed (struct lh_run). The pattern is searched
 * rather than a flag kept, because a database from the cache skips classifying. */
static bool lh_trigger_rule(const struct lh_erule *er)
{
    return er->max_width != UINT32_MAX && strstr(er->rule->pattern, LH_TRIGGER_MARK) != NULL;
}

int lh_scanner_new(struct lh_scanner **out, const struct lh_engine *e)
{
    struct lh_scanner *s;
    int rc = 0;

    *out = NULL;
    s = lh_calloc(1, sizeof(*s));
    if (s == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory creating a scanner");
    s->e = e;
    if (e->scratch && hs_clone_scratch(e->scratch, &s->scratch) != HS_SUCCESS) {
        s->scratch = NULL;
        rc = lh_error_set(LH_ENOMEM, "cannot clone Hyperscan scratch space");
        goto out;
    }
    s->counts = lh_calloc(e->n_rules ? e->n_rules : 1, sizeof(*s->counts));
    s->runs = lh_calloc(e->n_rules ? e->n_rules : 1, sizeof(*s->runs));
    s->compress = lh_calloc(e->n_rules ? e->n_rules : 1, sizeof(*s->compress));
    if (s->runs && s->compress)
        for (size_t i = 0; i < e->n_rules; i++)
            s->compress[i] = lh_trigger_rule(&e->rules[i]);
    s->md = pcre2_match_data_create(e->max_group + 1, e->gctx);
    s->mctx = pcre2_match_context_create(e->gctx);
    s->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, e->gctx);
    if (s->counts == NULL || s->runs == NULL || s->compress == NULL || s->md == NULL ||
        s->mctx == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory creating a scanner");
        goto out;
    }
    pcre2_set_match_limit(s->mctx, LH_PCRE2_MATCH_LIMIT);
    pcre2_set_depth_limit(s->mctx, LH_PCRE2_DEPTH_LIMIT);
    if (s->jstack) /* NULL when PCRE2 was built without JIT: the default stack is then unused */
        pcre2_jit_stack_assign(s->mctx, NULL, s->jstack);
out:
    if (rc) {
        lh_scanner_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void lh_scanner_free(struct lh_scanner *s)
{
    if (s == NULL)
        return;
    hs_free_scratch(s->scratch);
    pcre2_jit_stack_free(s->jstack);
    pcre2_match_context_free(s->mctx);
    pcre2_match_data_free(s->md);
    free(s->cands);
    free(s->counts);
    free(s->runs);
    free(s->compress);
    free(s->ends);
    free(s->pend);
    free(s->matches);
    free(s);
}

void lh_scanner_set_relaxed(struct lh_scanner *s, bool relaxed)
{
    s->relaxed = relaxed;
}

void lh_scanner_stats(const struct lh_scanner *s, struct lh_scan_stats *out)
{
    *out = s->st;
}

void lh_scan_stats_add(struct lh_scan_stats *acc, const struct lh_scan_stats *x)
{
    acc->chunks += x->chunks;
    acc->bytes += x->bytes;
    acc->candidates += x->candidates;
    acc->confirms += x->confirms;
    acc->matches += x->matches;
    acc->drop_entropy += x->drop_entropy;
    acc->drop_validator += x->drop_validator;
    acc->drop_allow += x->drop_allow;
    acc->capped += x->capped;
    acc->pcre_limit += x->pcre_limit;
    acc->ns_match += x->ns_match;
    acc->ns_confirm += x->ns_confirm;
}

/* ---- stage one: Hyperscan ------------------------------------------------------------------ */

static int lh_on_hs(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    struct lh_scanner *s = ctx;

    (void)from;
    (void)flags;
    if (s->compress[id] && s->runs[id].last) {
        struct lh_run *run = &s->runs[id];
        uint64_t *prev = &s->cands[run->last - 1];

        if ((*prev & 0xffffffffu) + 1 == to) {
            if (run->tail && to - run->first <= LH_WINDOW_MARGIN) {
                *prev = ((uint64_t)id << 32) | (uint64_t)to;
                return 0;
            }
            if (!run->tail)
                run->first = (size_t)(*prev & 0xffffffffu);
        }
    }
    if (s->counts[id] >= LH_MAX_CANDIDATES_PER_RULE) {
        s->st.capped++;
        return 0;
    }
    if (s->n_cands == s->cap_cands &&
        lh_array_grow((void **)&s->cands, &s->cap_cands, s->n_cands + 1, sizeof(*s->cands))) {
        s->err = LH_ENOMEM;
        return 1;
    }
    s->counts[id]++;
    if (s->compress[id]) {
        struct lh_run *run = &s->runs[id];
        /* the new end extends a run when it follows the last kept one and the run has room */
        bool follows = run->last && (s->cands[run->last - 1] & 0xffffffffu) + 1 == to;

        run->tail = follows && to - run->first <= LH_WINDOW_MARGIN;
        run->last = s->n_cands + 1;
    }
    s->cands[s->n_cands++] = ((uint64_t)id << 32) | (uint64_t)to;
    return 0;
}

static int lh_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

static int lh_cmp_match(const void *a, const void *b)
{
    const struct lh_match *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->rule_index != y->rule_index)
        return x->rule_index < y->rule_index ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* ---- stage two: PCRE2 ---------------------------------------------------------------------- */

static int lh_run(struct lh_scanner *s, const struct lh_erule *er, const unsigned char *data,
                  size_t len, size_t start, uint32_t options)
{
    s->st.confirms++;
    if (options & PCRE2_PARTIAL_HARD ? er->jit_partial : er->jit)
        return pcre2_jit_match(er->code, data, len, start, options, s->md, s->mctx);
    return pcre2_match(er->code, data, len, start, options, s->md, s->mctx);
}

/* Searches from q in the chunk clipped at *clip. While the clip is short of the chunk's end the
 * search runs with PCRE2_PARTIAL_HARD, so PCRE2 says when a match attempt needed bytes past the
 * clip (a greedy run, a lookahead, \b or $ at the clip); the clip then grows (doubling its reach)
 * and the search is redone. A complete match or a no-match is therefore exactly what a search of
 * the whole chunk would give. A partial match starting after limit is not this region's: no match. */
static int lh_search(struct lh_scanner *s, const struct lh_erule *er, const struct lh_chunk *c,
                     size_t *clip, size_t q, size_t limit)
{
    int rc;

    if (q > limit)
        return PCRE2_ERROR_NOMATCH;
    /* No attempt starts after limit (the codes are compiled with PCRE2_USE_OFFSET_LIMIT): a
     * search that finds nothing stops there instead of walking on to the clip. */
    pcre2_set_offset_limit(s->mctx, limit);
    for (;;) { /* bounded: the clip at least doubles its reach until it is the chunk's end */
        size_t reach;

        rc = lh_run(s, er, c->data, *clip, q, *clip < c->len ? PCRE2_PARTIAL_HARD : 0);
        if (rc != PCRE2_ERROR_PARTIAL)
            break;
        if (pcre2_get_ovector_pointer(s->md)[0] > limit) {
            rc = PCRE2_ERROR_NOMATCH;
            break;
        }
        reach = *clip - q < LH_LOOKAHEAD_MARGIN ? LH_LOOKAHEAD_MARGIN : *clip - q;
        *clip = c->len - *clip > reach ? *clip + reach : c->len;
    }
    pcre2_set_offset_limit(s->mctx, PCRE2_UNSET); /* allow patterns run with the same context */
    return rc;
}

/* Classifies a negative PCRE2 result: 0 for no match or a counted limit, LH_ENOMEM otherwise. */
static int lh_run_failed(struct lh_scanner *s, int rc)
{
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc == PCRE2_ERROR_NOMEMORY)
        return lh_error_set(LH_ENOMEM, "out of memory confirming a match");
    /* match, depth, heap or JIT stack limit, or anything else PCRE2 gives up on */
    s->st.pcre_limit++;
    return 0;
}

static bool lh_allowed(struct lh_scanner *s, const struct lh_erule *er, const unsigned char *p,
                       size_t len)
{
    size_t k;

    for (k = 0; k < er->n_allow; k++) {
        int rc = pcre2_match(er->allow[k], p, len, 0, 0, s->md, s->mctx);
        if (rc >= 0)
            return true;
        if (rc != PCRE2_ERROR_NOMATCH)
            s->st.pcre_limit++;
    }
    return false;
}

/* Applies the rule's checks to one PCRE2 match and keeps it when it passes. */
static int lh_accept(struct lh_scanner *s, const struct lh_chunk *c, const struct lh_erule *er,
                     const struct lh_pending *p, uint32_t *kept)
{
    const struct lh_rule *r = er->rule;
    const unsigned char *sec = c->data + p->secret_start;
    size_t slen = p->secret_end - p->secret_start;
    struct lh_match *m;
    bool validated = false;
    double h = lh_entropy(sec, slen);

    if (!s->relaxed) {
        if (r->min_entropy > 0 && h < r->min_entropy) {
            s->st.drop_entropy++;
            return 0;
        }
        if (er->validator) {
            bool ok = er->validator->fn(sec, slen);
            if (!ok && !(er->validator->checksum && s->e->opts.no_validate)) {
                s->st.drop_validator++;
                return 0;
            }
            validated = ok && er->validator->checksum;
        }
        if (er->n_allow && lh_allowed(s, er, sec, slen)) {
            s->st.drop_allow++;
            return 0;
        }
    }
    if (*kept >= LH_MAX_MATCHES_PER_RULE) {
        s->st.capped++;
        return 0;
    }
    if (lh_array_grow((void **)&s->matches, &s->cap_matches, s->n_matches + 1,
                      sizeof(*s->matches)))
        return LH_ENOMEM;
    m = &s->matches[s->n_matches++];
    m->rule = r;
    m->rule_index = er->rule_index;
    m->start = p->start;
    m->end = p->end;
    m->secret_start = p->secret_start;
    m->secret_end = p->secret_end;
    m->entropy = h;
    m->validated = validated;
    (*kept)++;
    return 0;
}

/* Records the current match data as a pending match. */
static int lh_pend(struct lh_scanner *s, const struct lh_erule *er, size_t start, size_t end)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    uint32_t npairs = pcre2_get_ovector_count(s->md);
    uint32_t g = er->rule->secret_group;
    struct lh_pending *p;

    if (lh_array_grow((void **)&s->pend, &s->cap_pend, s->n_pend + 1, sizeof(*s->pend)))
        return LH_ENOMEM;
    p = &s->pend[s->n_pend++];
    p->start = start;
    p->end = end;
    if (g > 0 && g < npairs && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] >= ov[2 * g]) {
        p->secret_start = ov[2 * g];
        p->secret_end = ov[2 * g + 1];
    } else {
        p->secret_start = start;
        p->secret_end = end;
    }
    return 0;
}

static size_t lh_min(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* A match of a one-line rule (er->one_line) that holds or ends at the offset `at` lies inside at's
 * line, since the bytes between its start and `at` are part of it. When that line starts at or
 * after *r (a '\n' in [*r - 1, at)), moves *r to the line's start and returns true: a search from
 * there finds every match a whole-chunk pass finds from *r on that holds a candidate >= at. */
static bool lh_line_start(size_t *r, const unsigned char *data, size_t at)
{
    size_t from = *r > 0 ? *r - 1 : 0, k;

    for (k = at; k > from; k--) /* bounded by the window: at - *r + 1 bytes */
        if (data[k - 1] == '\n') {
            *r = k;
            return true;
        }
    return false;
}

/* Confirms one rule's distinct, sorted end offsets E[0..n). */
static int lh_confirm_rule(struct lh_scanner *s, const struct lh_chunk *c, struct lh_erule *er,
                           const size_t *E, size_t n)
{
    const struct lh_engine *e = s->e;
    const size_t len = c->len;
    const bool exact = !(er->hs_flags & HS_FLAG_PREFILTER);
    const bool bounded = er->max_width != UINT32_MAX;
    const size_t natural = bounded ? (size_t)er->max_width + LH_WINDOW_MARGIN
                                   : (e->window > LH_CONFIRM_WINDOW ? e->window
                                                                    : LH_CONFIRM_WINDOW);
    /* A trigger (engine_int.h) may report an offset inside a match rather than its end: only a
     * window of the pattern's whole width is sure to hold the match before it (and the checks for
     * narrower windows below assume every end offset), so such a rule never starts narrower. */
    const bool trigger = lh_trigger_rule(er);
    const size_t w0 = trigger ? natural
                              : lh_min(bounded ? natural : LH_UNBOUNDED_WINDOW, e->window);
    size_t pos = 0; /* end of this rule's last PCRE2 match: the search never starts before */
    size_t i = 0, k;
    uint32_t kept = 0;
    int rc;

    rc = lh_engine_jit((struct lh_engine *)e, er);
    if (rc)
        return rc;
    while (i < n) {
        size_t w = w0, j = i, rend = E[i];

        if (E[i] <= pos) {
            i++;
            continue;
        }
        for (;;) { /* bounded by log2 of the chunk length: w doubles or the loop ends */
            size_t r = E[i] > w ? E[i] - w : 0;
            size_t tail, clip, q;
            bool trusted, can_grow, grow = false;

            if (r < pos)
                r = pos;
            /* Trusted: the search starts where a whole-chunk pass would stand, or the window is at
             * least the pattern's width (every match ending in the region starts inside it), or
             * at the start of the first candidate's line for a rule whose matches hold no '\n'. */
            trusted = r <= pos || (bounded && w >= natural);
            if (er->one_line && lh_line_start(&r, c->data, E[i]))
                trusted = true;
            can_grow = !trusted && (exact || w < natural);
            j = i;
            rend = E[i];
            /* a one-line rule's region ends with its line: the next line's search starts there */
            while (j + 1 < n && E[j + 1] - rend <= w &&
                   !(er->one_line && memchr(c->data + rend, '\n', E[j + 1] - rend) != NULL))
                rend = E[++j];
            tail = (bounded ? (size_t)er->max_width : w) + LH_LOOKAHEAD_MARGIN;
            clip = len - rend > tail ? rend + tail : len;
            s->n_pend = 0;
            q = r;
            for (;;) { /* each pass consumes at least one byte of [r, clip) */
                PCRE2_SIZE *ov;
                size_t ms, me;

                rc = lh_search(s, er, c, &clip, q, rend);
                if (rc < 0) {
                    rc = lh_run_failed(s, rc);
                    if (rc)
                        return rc;
                    break;
                }
                ov = pcre2_get_ovector_pointer(s->md);
                ms = ov[0];
                me = ov[1];
                if (ms > rend)
                    break; /* it belongs to a later region */
                if (me <= ms || me <= q) { /* empty (or \K-shifted) match: step over it */
                    q = (ms > q ? ms : q) + 1;
                    if (q >= clip)
                        break;
                    continue;
                }
                if (s->n_pend == 0 && ms == r && can_grow) {
                    grow = true; /* it may begin before the window */
                    break;
                }
                rc = lh_pend(s, er, ms, me);
                if (rc)
                    return rc;
                q = me;
                /* a further match would end at a later candidate; none left in this region means
                 * any such match belongs to (or is found by growing) a later region */
                if (q >= clip || E[j] <= q)
                    break;
            }
            if (!grow && can_grow) {
                /* A candidate too close to (or before) the first match's start to be the end of a
                 * match starting at or after it: that match began before the window. */
                size_t first = s->n_pend ? s->pend[0].start : SIZE_MAX;
                size_t minw = er->min_width ? er->min_width : 1;
                for (k = i; k <= j; k++)
                    if (E[k] < first || E[k] - first < minw) {
                        grow = true;
                        break;
                    }
            }
            if (!grow && can_grow && s->n_pend) {
                /* A second opinion from further back: an earlier-starting match that overlaps the
                 * first one means the window cut a match short on the left. */
                size_t len1 = s->pend[0].end - s->pend[0].start;
                size_t back = w > len1 ? w : len1;
                size_t r2 = r - pos > back ? r - back : pos;

                rc = lh_search(s, er, c, &clip, r2, s->pend[0].start);
                if (rc >= 0 && pcre2_get_ovector_pointer(s->md)[0] < s->pend[0].start)
                    grow = true;
                else if (rc < 0 && (rc = lh_run_failed(s, rc)) != 0)
                    return rc;
            }
            if (!grow)
                break;
            /* Exact: double (the candidate proves a match, usually just out of reach). Prefilter:
             * the candidate may be false, and a false one would climb every step; go straight
             * to the widest window it may have. */
            if (!exact)
                w = natural;
            else
                w = w > SIZE_MAX / 2 ? SIZE_MAX : w * 2;
        }
        for (k = 0; k < s->n_pend; k++) {
            rc = lh_accept(s, c, er, &s->pend[k], &kept);
            if (rc)
                return rc;
        }
        if (s->n_pend)
            pos = s->pend[s->n_pend - 1].end;
        i = j + 1;
    }
    return 0;
}

int lh_scanner_scan(struct lh_scanner *s, const struct lh_chunk *c, lh_match_cb cb, void *payload)
{
    const struct lh_engine *e = s->e;
    uint64_t t0, t1;
    size_t i, n;
    hs_error_t hrc;
    int rc = 0;

    s->st.chunks++;
    s->st.bytes += c->len;
    if (e->db == NULL || c->len == 0)
        return 0;
    if (c->len > UINT32_MAX)
        return lh_error_set(LH_ELIMIT, "%s: chunk of %zu bytes is larger than 4 GiB", c->path,
                            c->len);
    s->n_cands = 0;
    s->n_matches = 0;
    s->err = 0;
    t0 = lh_engine_now_ns();
    hrc = hs_scan(e->db, (const char *)c->data, (unsigned)c->len, 0, s->scratch, lh_on_hs, s);
    t1 = lh_engine_now_ns();
    s->st.ns_match += t1 - t0;
    if (hrc != HS_SUCCESS) {
        if (hrc == HS_SCAN_TERMINATED && s->err)
            rc = lh_error_set(s->err, "out of memory collecting candidates in %s", c->path);
        else
            rc = lh_error_set(LH_EINVALID, "Hyperscan scan of %s failed (%d)", c->path, (int)hrc);
        goto out;
    }
    if (s->n_cands == 0)
        return 0;
    s->st.candidates += s->n_cands;
    qsort(s->cands, s->n_cands, sizeof(*s->cands), lh_cmp_u64);
    for (i = 0; i < s->n_cands && rc == 0; i = n) {
        uint32_t id = (uint32_t)(s->cands[i] >> 32);
        size_t m = 0;

        for (n = i; n < s->n_cands && (uint32_t)(s->cands[n] >> 32) == id; n++) {
            size_t end = (size_t)(s->cands[n] & 0xffffffffu);
            if (m > 0 && s->ends[m - 1] == end)
                continue; /* a repeated end offset is confirmed once */
            if (m == s->cap_ends &&
                lh_array_grow((void **)&s->ends, &s->cap_ends, m + 1, sizeof(*s->ends))) {
                rc = LH_ENOMEM;
                break;
            }
            s->ends[m++] = end;
        }
        if (rc == 0)
            rc = lh_confirm_rule(s, c, &e->rules[id], s->ends, m);
    }
    s->st.ns_confirm += lh_engine_now_ns() - t1;
    if (rc)
        goto out;
    if (s->n_matches > 1) /* matches is NULL until the first match (qsort's pointer is nonnull) */
        qsort(s->matches, s->n_matches, sizeof(*s->matches), lh_cmp_match);
    for (i = 0; i < s->n_matches; i++) {
        s->st.matches++;
        if (cb && cb(payload, c, &s->matches[i]) != 0) {
            rc = lh_error_set(LH_EUSER, "scan of %s stopped by the match callback", c->path);
            break;
        }
    }
out:
    for (i = 0; i < s->n_cands; i++)
        s->counts[s->cands[i] >> 32] = 0;
    for (i = 0; i < s->n_cands; i++)
        s->runs[s->cands[i] >> 32].last = 0;
    return rc;
}
