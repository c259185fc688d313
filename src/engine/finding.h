/*
 * finding.h - a finding: a confirmed match that survived the filters, copied out of its chunk with
 * everything a report needs, and the list type reporters take.
 *
 * Ownership: a finding owns all its strings and its secret bytes (lh_finding_release frees them);
 * rule points into the ruleset, which must outlive the finding. A finding list owns its findings.
 * Not thread-safe: each worker fills its own list, lh_findings_merge joins them.
 */
#ifndef LH_ENGINE_FINDING_H
#define LH_ENGINE_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "util/buf.h"
#include "util/chunk.h"
#include "util/text.h"

struct lh_finding {
    const struct lh_rule *rule;
    char *path;
    unsigned char *secret; /* bytes, not a C string (NUL-terminated for convenience only) */
    size_t secret_len;
    char fingerprint[65]; /* hex SHA-256 of rule_id "\0" secret */
    uint32_t line_start, line_end, col_start, col_end; /* 1-based; columns in bytes, end inclusive */
    enum lh_source_kind source;
    char *commit, *author, *author_email, *date, *blob_id; /* NULL when unknown */
    double entropy;
    bool validated;
};

/* Fills f from match m in chunk c. li maps offsets of c->data to lines (reuse it across the
 * matches of one chunk). Returns 0 or LH_ENOMEM (f is then released). */
int lh_finding_init(struct lh_finding *f, const struct lh_chunk *c, const struct lh_match *m,
                    struct lh_lineidx *li);
void lh_finding_release(struct lh_finding *f);
/* Sets provenance strings (each may be NULL, replacing what was there). */
int lh_finding_set_provenance(struct lh_finding *f, const char *commit, const char *author,
                              const char *email, const char *date);

/* Appends the redacted form: at most 4 leading bytes of the secret (fewer for short secrets),
 * escaped for display, then "…". show_secrets appends the whole secret, escaped. */
int lh_finding_redact(struct lh_buf *b, const struct lh_finding *f, bool show_secrets);

struct lh_findings {
    struct lh_finding *items;
    size_t len;
    size_t cap;
};

void lh_findings_init(struct lh_findings *l);
void lh_findings_release(struct lh_findings *l);
/* Moves *f into the list (on success f is owned by the list). */
int lh_findings_push(struct lh_findings *l, struct lh_finding *f);
/* Moves every finding of src to the end of dst; src is left empty. */
int lh_findings_merge(struct lh_findings *dst, struct lh_findings *src);
/* Sorts by (path, line, column, rule id, fingerprint, date, commit, blob) and removes repeats of one
 * secret at one place, keeping the oldest commit (before commits are known, copies from different
 * blobs are kept so attribution can choose): output is the same for any number of threads. Where findings of
 * rules with different confidence overlap in one place, only the most confident one is kept (a
 * generic detector repeating what a provider rule found is noise). */
void lh_findings_sort(struct lh_findings *l);
/* Removes the released findings (rule == NULL), keeping the order of the others; returns how many
 * it removed. */
size_t lh_findings_compact(struct lh_findings *l);

#endif
