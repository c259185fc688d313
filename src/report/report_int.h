/*
 * report_int.h - what the reporters share and nobody else sees: the reporter table entry, json-c
 * builders that turn allocation failures into one sticky flag, the finding record of json/jsonl,
 * timestamps, URIs and counts.
 *
 * The json-c builders take a `bool *bad`: a builder that fails sets it and returns NULL, so a
 * reporter builds its whole tree and checks once. Every string goes through lh_text_utf8 first, so
 * json-c only ever sees valid UTF-8. Not part of the module's interface (report.h is).
 */
#ifndef LH_REPORT_REPORT_INT_H
#define LH_REPORT_REPORT_INT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "rules/rules.h"

typedef int (*lh_report_fn)(struct lh_buf *out, const struct lh_findings *fs,
                            const struct lh_report_meta *meta);

int lh_report_text(struct lh_buf *out, const struct lh_findings *fs,
                   const struct lh_report_meta *meta);
int lh_report_json(struct lh_buf *out, const struct lh_findings *fs,
                   const struct lh_report_meta *meta);
int lh_report_jsonl(struct lh_buf *out, const struct lh_findings *fs,
                    const struct lh_report_meta *meta);
int lh_report_sarif(struct lh_buf *out, const struct lh_findings *fs,
                    const struct lh_report_meta *meta);
int lh_report_gitlab(struct lh_buf *out, const struct lh_findings *fs,
                     const struct lh_report_meta *meta);

/* ---- json-c builders (see the paragraph above) ---- */

/* s as a JSON string made valid UTF-8; json null (NULL, *bad untouched) when s is NULL. */
json_object *lh_rj_str(bool *bad, const char *s);
json_object *lh_rj_strn(bool *bad, const void *data, size_t len);
json_object *lh_rj_int(bool *bad, int64_t v);
json_object *lh_rj_bool(bool *bad, bool v);
/* A number printed with exactly `decimals` decimals (0 for NaN and infinities). */
json_object *lh_rj_fixed(bool *bad, double v, int decimals);
json_object *lh_rj_obj(bool *bad);
json_object *lh_rj_arr(bool *bad);
/* Adds v (which may be NULL: json null) under key; on failure puts v and sets *bad. */
void lh_rj_add(json_object *obj, const char *key, json_object *v, bool *bad);
/* Like lh_rj_add, but leaves the key out when v is NULL. */
void lh_rj_add_opt(json_object *obj, const char *key, json_object *v, bool *bad);
void lh_rj_push(json_object *arr, json_object *v, bool *bad);
/* Serialises root (pretty: indented, else one line) and appends it and a '\n' to out. Returns 0,
 * LH_ENOMEM (also when *bad is set) or LH_ELIMIT. Does not put root. */
int lh_rj_emit(struct lh_buf *out, json_object *root, bool pretty, bool bad);

/* The leakhound.finding/v1 record of f. */
json_object *lh_rj_finding(bool *bad, const struct lh_finding *f,
                           const struct lh_report_meta *meta);
/* The summary fields (findings, by_severity, chunks, bytes, skipped, suppressed, incomplete,
 * start, end, duration_ms) added to obj. */
void lh_rj_summary(json_object *obj, bool *bad, const struct lh_findings *fs,
                   const struct lh_report_meta *meta);
/* f's redacted secret (never the secret itself, whatever show_secrets says) as a JSON string. */
json_object *lh_rj_redacted(bool *bad, const struct lh_finding *f);

/* ---- small shared helpers ---- */

/* Room for any struct tm printed with %d fields; real dates need 24 bytes. */
#define LH_REPORT_TIME_LEN 96
/* ms since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" (with_ms) or "YYYY-MM-DDTHH:MM:SS" (UTC). */
void lh_report_time(char out[LH_REPORT_TIME_LEN], int64_t ms, bool with_ms);

/* Counts findings per severity (index enum lh_severity). */
void lh_report_count_severity(const struct lh_findings *fs, uint64_t counts[4]);

/* The path to show for f: relative to meta->root when it lies under it, "./" stripped. */
const char *lh_report_relpath(const char *path, const struct lh_report_meta *meta);

/* Appends s percent-encoded for a URI path: unreserved characters and '/' pass, every other
 * byte becomes %XX. */
int lh_report_uri_path(struct lh_buf *b, const char *s);

/* Appends the standard base64 encoding of data. */
int lh_report_base64(struct lh_buf *b, const void *data, size_t len);

/* Turns a buffer status into the reporter's result with a message. */
int lh_report_fail(int rc, const char *what);

#endif
