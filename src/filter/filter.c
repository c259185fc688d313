/*
 * filter.c - the keep/drop decision for confirmed matches. Checks run cheapest first; each drop
 * names its reason so the pipeline can count it (--verbose says why).
 */
#include "filter/filter.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

struct lh_filter {
    bool inline_allow;
};

const char *lh_drop_reason_name(enum lh_drop_reason r)
{
    switch (r) {
    case LH_DROP_NOT_ADDED:
        return "not-added";
    case LH_DROP_INLINE_ALLOW:
        return "inline-allow";
    case LH_DROP_PATH:
        return "path";
    case LH_DROP_BASELINE:
        return "baseline";
    case LH_DROP_CONFIG_ALLOW:
        return "config-allow";
    case LH_DROP__COUNT:
        break;
    }
    return "unknown";
}

int lh_filter_new(struct lh_filter **out)
{
    struct lh_filter *f = lh_calloc(1, sizeof(*f));

    *out = NULL;
    if (f == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    f->inline_allow = true;
    *out = f;
    return 0;
}

void lh_filter_free(struct lh_filter *f)
{
    free(f);
}

void lh_filter_set_inline_allow(struct lh_filter *f, bool on)
{
    f->inline_allow = on;
}

bool lh_filter_outside_added(const struct lh_chunk *c, uint32_t line_start, uint32_t line_end)
{
    size_t lo = 0, hi = c->n_added;

    if (c->added == NULL)
        return false;
    /* binary search for the first range that ends at or after line_start */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->added[mid].last < line_start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return !(lo < c->n_added && c->added[lo].first <= line_end);
}

/* Finds needle in [p, p+n) (memmem is not C11). */
static const char *lh_find(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    if (k == 0 || n < k)
        return NULL;
    for (i = 0; i + k <= n; i++)
        if (p[i] == needle[0] && memcmp(p + i, needle, k) == 0)
            return p + i;
    return NULL;
}

/* True when [p, p+n) holds a same-line marker. "leakhound:allow-next-line" is not one. */
static bool lh_has_line_marker(const char *p, size_t n)
{
    static const char tag[] = "leakhound:allow";
    const char *end = p + n, *q = p;

    while ((q = lh_find(q, (size_t)(end - q), tag)) != NULL) {
        const char *after = q + sizeof(tag) - 1;
        if (after >= end || *after != '-')
            return true;
        q = after;
    }
    return lh_find(p, n, "gitleaks:allow") != NULL ||
           lh_find(p, n, "pragma: allowlist secret") != NULL;
}

static bool lh_has_next_line_marker(const char *p, size_t n)
{
    return lh_find(p, n, "leakhound:allow-next-line") != NULL ||
           lh_find(p, n, "pragma: allowlist nextline secret") != NULL;
}

bool lh_filter_inline_allowed(const struct lh_chunk *c, size_t match_start, uint32_t line)
{
    const char *d = (const char *)c->data;
    size_t bol = match_start, eol = match_start, pbol;

    if (match_start > c->len)
        return false;
    while (bol > 0 && d[bol - 1] != '\n')
        bol--;
    while (eol < c->len && d[eol] != '\n')
        eol++;
    if (lh_has_line_marker(d + bol, eol - bol))
        return true;
    if (line <= 1 || bol == 0)
        return false;
    pbol = bol - 1;
    while (pbol > 0 && d[pbol - 1] != '\n')
        pbol--;
    return lh_has_next_line_marker(d + pbol, bol - 1 - pbol);
}

bool lh_filter_keep(const struct lh_filter *f, const struct lh_chunk *c, const struct lh_match *m,
                    uint32_t line_start, uint32_t line_end, enum lh_drop_reason *why)
{
    if (lh_filter_outside_added(c, line_start, line_end)) {
        *why = LH_DROP_NOT_ADDED;
        return false;
    }
    if (f->inline_allow && lh_filter_inline_allowed(c, m->secret_start, line_start)) {
        *why = LH_DROP_INLINE_ALLOW;
        return false;
    }
    return true;
}
