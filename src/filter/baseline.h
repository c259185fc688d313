/*
 * baseline.h - accepted findings, keyed by their content-bound fingerprint.
 *
 * A baseline lists findings a team has reviewed and accepted (test fixtures, revoked keys that stay
 * in history). An entry suppresses exactly the secret whose fingerprint it carries (hex SHA-256 of
 * rule_id NUL secret, as struct lh_finding.fingerprint): a different secret on the same line has a
 * different fingerprint and is still reported. An entry may be pinned to a path, and then it
 * suppresses that secret only there.
 *
 * The file is YAML, written so that merges are easy: entries sorted by fingerprint (then path), one
 * block per entry, no timestamps. See docs/config.md.
 *
 *     schema: leakhound.baseline/v1
 *     entries:
 *       - fingerprint: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 *         rule: github.pat.classic
 *         path: "tests/fixtures/config.py"
 *         line: 4
 *         pinned: true
 *         reason: "revoked 2024-05-01, kept in history"
 *
 * Ownership: the baseline owns its entries and strings. Threads: after loading (and lh_baseline_sort),
 * lh_baseline_match may be called from any number of threads at once; it counts hits atomically,
 * which is all lh_baseline_hits reads.
 */
#ifndef LH_FILTER_BASELINE_H
#define LH_FILTER_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/finding.h"
#include "util/buf.h"

#define LH_BASELINE_SCHEMA "leakhound.baseline/v1"

struct lh_baseline_entry {
    char fingerprint[65]; /* lowercase hex */
    char *rule;           /* the rule id */
    char *path;           /* where it was seen first (relative to the scan root), or NULL */
    uint32_t line;        /* the line there, 0 when unknown */
    bool pinned;          /* suppress only at path */
    char *reason;         /* why it was accepted, or NULL */
    uint32_t file_line;   /* line of the entry in the baseline file (0: not from a file) */
};

struct lh_baseline;

int lh_baseline_new(struct lh_baseline **out);
void lh_baseline_free(struct lh_baseline *b);

/* Loads entries from a baseline file (strict: unknown keys, wrong types, malformed fingerprints and
 * duplicate entries are LH_EINVALID with "FILE:LINE:COL: ..."). Entries are added to what b has. */
int lh_baseline_load_file(struct lh_baseline *b, const char *path);
int lh_baseline_load_buffer(struct lh_baseline *b, const char *name, const char *data, size_t len);

/* Adds one entry (copies the strings; path, reason may be NULL; pinned needs a path). An entry with
 * the same fingerprint and the same pin as an existing one is not added twice. */
int lh_baseline_add(struct lh_baseline *b, const char *fingerprint, const char *rule,
                    const char *path, uint32_t line, bool pinned, const char *reason);

/* Sorts by (fingerprint, pinned path). Must be called after adding and before matching. */
void lh_baseline_sort(struct lh_baseline *b);

size_t lh_baseline_count(const struct lh_baseline *b);
const struct lh_baseline_entry *lh_baseline_get(const struct lh_baseline *b, size_t i);
/* The reason recorded for fingerprint (any entry), or NULL. b must be sorted. */
const char *lh_baseline_reason(const struct lh_baseline *b, const char *fingerprint);

/* True when an entry covers the finding with this fingerprint at path (relative to the scan root);
 * counts a hit on that entry. Thread-safe. */
bool lh_baseline_match(const struct lh_baseline *b, const char *fingerprint, const char *path);
/* How many times entry i matched. */
uint64_t lh_baseline_hits(const struct lh_baseline *b, size_t i);
void lh_baseline_reset_hits(struct lh_baseline *b);

/* Writes the baseline file (sorted first). */
int lh_baseline_render(struct lh_buf *out, struct lh_baseline *b);

#endif
