/*
 * dedupe.c - one secret at one place gives one finding. After lh_findings_sort (which already drops
 * exact repeats and, silently, a less confident finding under a more confident one), two rules of
 * equal confidence can still report the same bytes: generic.env-assignment and
 * generic.config-unquoted on one .env line, two npm rules on one .npmrc token, a service-account
 * key that is also a PKCS#8 key. Of each such group one finding is kept, the best by
 * lh_dedupe_rank, and every finding dropped is counted as LH_DROP_DUPLICATE.
 *
 * Invariants: "one place" is the same path, commit and blob with overlapping secret spans (line and
 * column, end inclusive), so copies of a secret in other files, versions or blobs are never merged;
 * the rank is a total order on distinct rules, so the outcome does not depend on the number of
 * threads; the list stays sorted. Work is bounded by the findings that share a path and start
 * before the current one ends.
 */
#include "filter/filter.h"

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

size_t lh_filter_dedupe(struct lh_findings *l, struct lh_filter_stats *st)
{
    size_t i, j, out = 0, dropped = 0;

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
    for (i = 0; i < l->len; i++) {
        if (l->items[i].rule == NULL)
            continue;
        if (out != i)
            l->items[out] = l->items[i];
        out++;
    }
    l->len = out;
    if (st != NULL)
        st->dropped[LH_DROP_DUPLICATE] += dropped;
    return dropped;
}
