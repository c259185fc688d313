/*
 * filter.h - what to keep: decides for each confirmed match whether it becomes a finding.
 *
 * Match by match, in order: the match must touch an added line (diff-based chunks only), must not sit
 * on a line with an inline allow marker (leakhound:allow, leakhound:allow-next-line on the line
 * before, gitleaks:allow, "pragma: allowlist secret") unless inline markers are off, its path must
 * not be excluded, and no per-rule allow regex of the config may match its secret or line. Then, on
 * the collected and sorted findings (lh_filter_collected): one finding per secret and place, and
 * its fingerprint must not be in the baseline (after the dedupe, so that a baseline of the
 * survivors suppresses exactly them). Every drop is counted by reason.
 *
 * Threads: a struct lh_filter is immutable after setup and shared; counters live in the caller's
 * struct lh_filter_stats, one per worker (the baseline's own hit counters are atomic).
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
    LH_DROP_DUPLICATE,    /* another rule's finding reports the same secret at the same place */
    LH_DROP__COUNT
};

const char *lh_drop_reason_name(enum lh_drop_reason r);

struct lh_filter_stats {
    uint64_t dropped[LH_DROP__COUNT];
};

struct lh_filter;
struct lh_baseline;

int lh_filter_new(struct lh_filter **out);
void lh_filter_free(struct lh_filter *f);
void lh_filter_set_inline_allow(struct lh_filter *f, bool on); /* default on */

/* True when the match at m in c is outside the added lines of c (c->added == NULL: never). */
bool lh_filter_outside_added(const struct lh_chunk *c, uint32_t line_start, uint32_t line_end);
/* True when an inline allow marker covers line `line` (1-based) of c. */
bool lh_filter_inline_allowed(const struct lh_chunk *c, size_t match_start, uint32_t line);

/* Paths. Globs and baseline pins compare the path relative to the scan root: the root prefix (when
 * set and present) and any leading "./" are stripped. Returns a pointer into path. */
int lh_filter_set_root(struct lh_filter *f, const char *root);
const char *lh_filter_relpath(const struct lh_filter *f, const char *path);

/* Adds a glob of paths to skip (fnmatch(3), '*' also matches '/'). A glob without '/' matches any
 * single path component (a file or directory name anywhere: "node_modules", "*.min.js"); a glob
 * with '/' matches the relative path or any of its leading directories ("tests/fixtures", or
 * "docs/" then "*.md", where the star crosses slashes); a leading '/' and a trailing '/' are
 * ignored. LH_EINVALID for an empty glob. */
int lh_filter_add_path_glob(struct lh_filter *f, const char *glob);
/* True when path (as the source names it) is excluded by a glob. */
bool lh_filter_path_excluded(const struct lh_filter *f, const char *path);

/* Adds a per-rule allow: a match of a rule whose id matches rule_glob (fnmatch; NULL or "*" for
 * every rule) is dropped when secret_re (PCRE2, may be NULL) matches the secret and line_re (may be
 * NULL) matches the line(s) holding it; at least one of the two is required, and both must match
 * when both are given. where ("FILE:LINE:COL", may be NULL) prefixes compile errors
 * (LH_EINVALID). */
int lh_filter_add_allow(struct lh_filter *f, const char *rule_glob, const char *secret_re,
                        const char *line_re, const char *where);

/* Drops findings whose fingerprint the baseline covers (lh_filter_collected). b is not owned; it
 * must be sorted and outlive the filter (NULL: none). */
void lh_filter_set_baseline(struct lh_filter *f, struct lh_baseline *b);
/* The baseline set, or NULL. */
const struct lh_baseline *lh_filter_baseline(const struct lh_filter *f);

/* Returns true to keep; false with *why set to drop. line_start/line_end as computed for m. */
bool lh_filter_keep(const struct lh_filter *f, const struct lh_chunk *c, const struct lh_match *m,
                    uint32_t line_start, uint32_t line_end, enum lh_drop_reason *why);

/* One secret at one place gives one finding: of findings of different rules in the same path,
 * commit and blob whose secret spans overlap, only the best is kept (the more confident rule, then
 * a provider's rule over a generic one, a passed checksum, the higher severity, the longer secret,
 * the smaller rule id). l must be sorted by lh_findings_sort and stays sorted. Each finding dropped
 * is released and counted in st->dropped[LH_DROP_DUPLICATE] (st may be NULL). Returns how many
 * were dropped. Not thread-safe: call it on the merged list. */
size_t lh_filter_dedupe(struct lh_findings *l, struct lh_filter_stats *st);

/* Drops the findings whose fingerprint the filter's baseline covers at their path (relative to the
 * root), counting LH_DROP_BASELINE and a hit on the entry. Returns how many were dropped. */
size_t lh_filter_baseline_findings(const struct lh_filter *f, struct lh_findings *l,
                                   struct lh_filter_stats *st);

/* The filters of the collected findings, in their order: lh_filter_dedupe, then
 * lh_filter_baseline_findings. l must be sorted by lh_findings_sort; it stays sorted. */
void lh_filter_collected(const struct lh_filter *f, struct lh_findings *l,
                         struct lh_filter_stats *st);

#endif
