/*
 * filter.h - what to keep: decides for each confirmed match whether it becomes a finding.
 *
 * In order: the match must touch an added line (diff-based chunks only), must not sit on a line with
 * an inline allow marker (leakhound:allow, leakhound:allow-next-line on the line before,
 * gitleaks:allow, "pragma: allowlist secret") unless inline markers are off, its path must not be
 * excluded, and its fingerprint must not be in the baseline. Every drop is counted by reason.
 *
 * Threads: a struct lh_filter is immutable after setup and shared; counters live in the caller's
 * struct lh_filter_stats, one per worker.
 */
#ifndef LH_FILTER_FILTER_H
#define LH_FILTER_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/finding.h"
#include "util/chunk.h"

enum lh_drop_reason {
    LH_DROP_NOT_ADDED,    /* outside the added lines of a diff */
    LH_DROP_INLINE_ALLOW, /* an inline allow marker */
    LH_DROP_PATH,         /* an excluded path */
    LH_DROP_BASELINE,     /* fingerprint in the baseline */
    LH_DROP_CONFIG_ALLOW, /* a per-rule allow regex from the config */
    LH_DROP__COUNT
};

const char *lh_drop_reason_name(enum lh_drop_reason r);

struct lh_filter_stats {
    uint64_t dropped[LH_DROP__COUNT];
};

struct lh_filter;

int lh_filter_new(struct lh_filter **out);
void lh_filter_free(struct lh_filter *f);
void lh_filter_set_inline_allow(struct lh_filter *f, bool on); /* default on */

/* True when the match at m in c is outside the added lines of c (c->added == NULL: never). */
bool lh_filter_outside_added(const struct lh_chunk *c, uint32_t line_start, uint32_t line_end);
/* True when an inline allow marker covers line `line` (1-based) of c. */
bool lh_filter_inline_allowed(const struct lh_chunk *c, size_t match_start, uint32_t line);

/* Returns true to keep; false with *why set to drop. line_start/line_end as computed for m. */
bool lh_filter_keep(const struct lh_filter *f, const struct lh_chunk *c, const struct lh_match *m,
                    uint32_t line_start, uint32_t line_end, enum lh_drop_reason *why);

#endif
