/*
 * report.h - turning sorted findings into text for people and versioned JSON for machines.
 *
 * One reporter per format behind one table. A reporter renders the whole (sorted) finding list plus
 * the scan's metadata into a bounded buffer; the CLI decides where the bytes go. Reporters never
 * print, never see git, and never emit a secret unless meta->show_secrets: every output carries the
 * redacted form (at most 4 leading characters, then "…").
 *
 * Thread-safety: pure functions of their inputs.
 */
#ifndef LH_REPORT_REPORT_H
#define LH_REPORT_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/finding.h"
#include "util/buf.h"
#include "util/chunk.h"

enum lh_format { LH_FMT_TEXT, LH_FMT_JSON, LH_FMT_JSONL, LH_FMT_SARIF, LH_FMT_GITLAB };

/* LH_EINVALID for an unknown name. */
int lh_format_parse(enum lh_format *out, const char *name);
const char *lh_format_name(enum lh_format f);

struct lh_report_meta {
    const char *tool_version;
    const char *ruleset_hash;   /* SHA-256 of the rule set (engine info) */
    const struct lh_ruleset *ruleset;
    bool show_secrets;
    bool color;                 /* text only: ANSI colours */
    const char *mode;           /* "dir", "stdin", "pre-commit", "git", ... */
    const char *root;           /* repository root or scan root, for relative URIs; may be NULL */
    int64_t start_ms, end_ms;   /* Unix epoch milliseconds */
    uint64_t skipped[LH_SKIP__COUNT];
    uint64_t dropped_total;     /* suppressed by filters */
    uint64_t chunks, bytes;
    bool incomplete;            /* the scan could not see everything */
    const char *what_now;       /* text only: a mode-specific "what now" section, or NULL */
};

/* Renders fs (already sorted) in format fmt, appending to out. */
int lh_report_render(struct lh_buf *out, enum lh_format fmt, const struct lh_findings *fs,
                     const struct lh_report_meta *meta);

#endif
