/*
 * collected.c - the filters that need the findings of a place together, run after lh_findings_sort
 * (which already drops exact repeats and, silently, a less confident finding under a more confident
 * one at the same place): first one finding per secret and place, then the baseline. The CLI runs
 * them on each chunk's findings as soon as the chunk is scanned (a place is within one chunk), so
 * that only survivors count against the findings cap, and again on the merged list.
 *
 * One secret at one place gives one finding: two rules of equal confidence can still report the
 * same bytes (generic.env-assignment and generic.config-unquoted on one .env line, two npm rules on
 * one .npmrc token, a service-account key that is also a PKCS#8 key). Of each such group the best by
 * lh_dedupe_rank is kept; the others are counted as LH_DROP_DUPLICATE. "One place" is the same path,
 * commit and blob with overlapping secret spans (line and column, end inclusive), so copies of a
 * secret in other files, versions or blobs are never merged; the rank is a total order on distinct
 * rules, so the outcome does not depend on the number of threads.
 *
 * The baseline comes after the dedupe, and that order matters: a baseline written by `baseline
 * create` lists the findings that survived the dedupe, so it must be compared with the same
 * survivors; checked match by match before, it dropped the survivor and let the other rules'
 * findings of the same secret through, and a scan with a fresh baseline was not clean.
 *
 * Invariants: the list stays sorted; work is bounded by the findings that share a path and start
 * before the current one ends, and one baseline lookup per finding.
 */
#include "filter/filter.h"
#include "filter/baseline.h"

#include <string.h>

static bool lh_dedupe_streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* (l1, c1) strictly before (l2, c2) */
static bool lh_dedupe_before(uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2)
{
    return l1 < l2 || (l1 == l2 && c1 < c2);
}

static bool lh_dedupe_same_place(const struct lh_finding *a, const struct lh_finding *b)
{
    if (strcmp(a->path, b->path) != 0 || !lh_dedupe_streq(a->commit, b->commit) ||
        !lh_dedupe_streq(a->blob_id, b->blob_id))
        return false;
    return !lh_dedupe_before(a->line_end, a->col_end, b->line_start, b->col_start) &&
           !lh_dedupe_before(b->line_end, b->col_end, a->line_start, a->col_start);
}

/* Generic rules are keyword-based ("generic." ids); a provider's rule knows the format. */
static bool lh_dedupe_generic(const struct lh_rule *r)
{
    return strncmp(r->id, "generic.", 8) == 0;
}

/*
 * Positive when a is the better report of the secret, negative when b is, 0 for one rule: the more
 * confident rule; a provider rule over a generic one; a checksum that passed; the higher severity;
 * the longer secret (the span that holds the other, e.g. a key with its trailing line break); and
 * last the smaller rule id, so that the choice is deterministic.
 */
static int lh_dedupe_rank(const struct lh_finding *a, const struct lh_finding *b)
{
    if (a->rule->confidence != b->rule->confidence)
        return a->rule->confidence > b->rule->confidence ? 1 : -1;
    if (lh_dedupe_generic(a->rule) != lh_dedupe_generic(b->rule))
        return lh_dedupe_generic(b->rule) ? 1 : -1;
    if (a->validated != b->validated)
        return a->validated ? 1 : -1;
    if (a->rule->severity != b->rule->severity)
        return a->rule->severity > b->rule->severity ? 1 : -1;
    if (a->secret_len != b->secret_len)
        return a->secret_len > b->secret_len ? 1 : -1;
    return strcmp(b->rule->id, a->rule->id);
}

/* Removes the released findings (rule == NULL), keeping the order of the others, and counts the
 * dropped ones under why in st (may be NULL). Returns dropped. */
static size_t lh_collected_finish(struct lh_findings *l, struct lh_filter_stats *st,
                                  enum lh_drop_reason why, size_t dropped)
{
    lh_findings_compact(l);
    if (st != NULL)
        st->dropped[why] += dropped;
    return dropped;
}

size_t lh_filter_dedupe(struct lh_findings *l, struct lh_filter_stats *st)
{
    size_t i, j, dropped = 0;

    for (i = 0; i < l->len; i++) {
        if (l->items[i].rule == NULL)
            continue;
        /* sorted by (path, line_start, ...): a later finding can overlap items[i] only while it
         * has the same path and starts no later than items[i] ends */
        for (j = i + 1; j < l->len; j++) {
            struct lh_finding *a = &l->items[i], *b = &l->items[j];
            int r;
            if (b->rule == NULL)
                continue;
            if (strcmp(b->path, a->path) != 0 || b->line_start > a->line_end)
                break;
            if (!lh_dedupe_same_place(a, b))
                continue;
            r = lh_dedupe_rank(a, b);
            if (r == 0)
                continue;
            lh_finding_release(r > 0 ? b : a);
            dropped++;
            if (a->rule == NULL)
                break;
        }
    }
    return lh_collected_finish(l, st, LH_DROP_DUPLICATE, dropped);
}

size_t lh_filter_baseline_findings(const struct lh_filter *f, struct lh_findings *l,
                                   struct lh_filter_stats *st)
{
    const struct lh_baseline *b = lh_filter_baseline(f);
    size_t i, dropped = 0;

    if (b == NULL)
        return 0;
    for (i = 0; i < l->len; i++) {
        struct lh_finding *x = &l->items[i];
        if (!lh_baseline_match(b, x->fingerprint, lh_filter_relpath(f, x->path)))
            continue;
        lh_finding_release(x);
        dropped++;
    }
    return lh_collected_finish(l, st, LH_DROP_BASELINE, dropped);
}

void lh_filter_collected(const struct lh_filter *f, struct lh_findings *l,
                         struct lh_filter_stats *st)
{
    lh_filter_dedupe(l, st);
    lh_filter_baseline_findings(f, l, st);
}
