/*
 * report.c - the reporter table, format names, and what the reporters share: json-c builders with
 * a sticky failure flag, the leakhound.finding/v1 record and the summary, timestamps, relative
 * paths, URI encoding and base64.
 *
 * Invariants: every string handed to json-c has been through lh_text_utf8 (valid UTF-8 only); the
 * secret bytes reach an output only through lh_rj_finding with meta->show_secrets set; nothing here
 * reads the clock (times come from meta), so the same input always renders the same bytes.
 */
#include "report/report_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
    const char *name;
    lh_report_fn render;
} lh_reporters[] = {
    [LH_FMT_TEXT] = {"text", lh_report_text},       [LH_FMT_JSON] = {"json", lh_report_json},
    [LH_FMT_JSONL] = {"jsonl", lh_report_jsonl},    [LH_FMT_SARIF] = {"sarif", lh_report_sarif},
    [LH_FMT_GITLAB] = {"gitlab", lh_report_gitlab},
};

#define LH_N_REPORTERS (sizeof(lh_reporters) / sizeof(lh_reporters[0]))

int lh_format_parse(enum lh_format *out, const char *name)
{
    size_t i;

    for (i = 0; name && i < LH_N_REPORTERS; i++)
        if (strcmp(lh_reporters[i].name, name) == 0) {
            *out = (enum lh_format)i;
            return 0;
        }
    return lh_error_set(LH_EINVALID,
                        "unknown format '%s' (expected text, json, jsonl, sarif or gitlab)",
                        name ? name : "");
}

const char *lh_format_name(enum lh_format f)
{
    return (size_t)f < LH_N_REPORTERS ? lh_reporters[f].name : "unknown";
}

int lh_report_render(struct lh_buf *out, enum lh_format fmt, const struct lh_findings *fs,
                     const struct lh_report_meta *meta)
{
    static const struct lh_findings none;

    if ((size_t)fmt >= LH_N_REPORTERS)
        return lh_error_set(LH_EINVALID, "unknown format %d", (int)fmt);
    if (meta == NULL)
        return lh_error_set(LH_EINVALID, "report: no metadata");
    return lh_reporters[fmt].render(out, fs ? fs : &none, meta);
}

int lh_report_fail(int rc, const char *what)
{
    if (rc == LH_ENOMEM)
        return lh_error_set(rc, "%s report: out of memory", what);
    if (rc == LH_ELIMIT)
        return lh_error_set(rc, "%s report: larger than the output limit", what);
    return rc;
}

/* ---- json-c builders ---------------------------------------------------------------------- */

json_object *lh_rj_strn(bool *bad, const void *data, size_t len)
{
    struct lh_buf b;
    json_object *o;

    lh_buf_init(&b, len * 3 + 16); /* each invalid byte becomes a 3-byte U+FFFD */
    if (lh_text_utf8(&b, data, len) != 0) {
        lh_buf_release(&b);
        *bad = true;
        return NULL;
    }
    o = json_object_new_string_len(b.ptr ? b.ptr : "", (int)b.len);
    lh_buf_release(&b);
    if (o == NULL)
        *bad = true;
    return o;
}

json_object *lh_rj_str(bool *bad, const char *s)
{
    if (s == NULL)
        return NULL;
    return lh_rj_strn(bad, s, strlen(s));
}

json_object *lh_rj_int(bool *bad, int64_t v)
{
    json_object *o = json_object_new_int64(v);

    if (o == NULL)
        *bad = true;
    return o;
}

json_object *lh_rj_bool(bool *bad, bool v)
{
    json_object *o = json_object_new_boolean(v);

    if (o == NULL)
        *bad = true;
    return o;
}

json_object *lh_rj_fixed(bool *bad, double v, int decimals)
{
    char tmp[64];
    json_object *o;

    if (!isfinite(v))
        v = 0;
    snprintf(tmp, sizeof(tmp), "%.*f", decimals, v);
    o = json_object_new_double_s(v, tmp);
    if (o == NULL)
        *bad = true;
    return o;
}

json_object *lh_rj_obj(bool *bad)
{
    json_object *o = json_object_new_object();

    if (o == NULL)
        *bad = true;
    return o;
}

json_object *lh_rj_arr(bool *bad)
{
    json_object *o = json_object_new_array();

    if (o == NULL)
        *bad = true;
    return o;
}

void lh_rj_add(json_object *obj, const char *key, json_object *v, bool *bad)
{
    if (obj == NULL || json_object_object_add(obj, key, v) != 0) {
        json_object_put(v);
        *bad = true;
    }
}

void lh_rj_add_opt(json_object *obj, const char *key, json_object *v, bool *bad)
{
    if (v != NULL)
        lh_rj_add(obj, key, v, bad);
}

void lh_rj_push(json_object *arr, json_object *v, bool *bad)
{
    if (arr == NULL || json_object_array_add(arr, v) != 0) {
        json_object_put(v);
        *bad = true;
    }
}

int lh_rj_emit(struct lh_buf *out, json_object *root, bool pretty, bool bad)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
    const char *s;
    size_t len;
    int rc;

    if (bad || root == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN;
    s = json_object_to_json_string_length(root, flags, &len);
    if (s == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    rc = lh_buf_add(out, s, len);
    if (rc == 0)
        rc = lh_buf_addc(out, '\n');
    return rc;
}

json_object *lh_rj_redacted(bool *bad, const struct lh_finding *f)
{
    struct lh_buf b;
    json_object *o;

    lh_buf_init(&b, 256);
    if (lh_finding_redact(&b, f, false) != 0) {
        lh_buf_release(&b);
        *bad = true;
        return NULL;
    }
    o = lh_rj_strn(bad, b.ptr ? b.ptr : "", b.len);
    lh_buf_release(&b);
    return o;
}

json_object *lh_rj_finding(bool *bad, const struct lh_finding *f, const struct lh_report_meta *meta)
{
    const struct lh_rule *r = f->rule;
    json_object *o = lh_rj_obj(bad);

    if (o == NULL)
        return NULL;
    lh_rj_add(o, "schema", lh_rj_str(bad, "leakhound.finding/v1"), bad);
    lh_rj_add(o, "rule_id", lh_rj_str(bad, r->id), bad);
    lh_rj_add(o, "rule_name", lh_rj_str(bad, r->name ? r->name : r->id), bad);
    lh_rj_add(o, "severity", lh_rj_str(bad, lh_severity_name(r->severity)), bad);
    lh_rj_add(o, "confidence", lh_rj_str(bad, lh_confidence_name(r->confidence)), bad);
    lh_rj_add(o, "fingerprint", lh_rj_str(bad, f->fingerprint), bad);
    lh_rj_add(o, "redacted", lh_rj_redacted(bad, f), bad);
    if (meta->show_secrets) {
        lh_rj_add(o, "secret", lh_rj_strn(bad, f->secret, f->secret_len), bad);
        if (!lh_text_is_utf8(f->secret, f->secret_len)) {
            struct lh_buf b;
            lh_buf_init(&b, f->secret_len / 3 * 4 + 8);
            if (lh_report_base64(&b, f->secret, f->secret_len) != 0)
                *bad = true;
            else
                lh_rj_add(o, "secret_base64", lh_rj_strn(bad, b.ptr ? b.ptr : "", b.len), bad);
            lh_buf_release(&b);
        }
    }
    lh_rj_add(o, "path", lh_rj_str(bad, lh_report_relpath(f->path, meta)), bad);
    lh_rj_add(o, "line_start", lh_rj_int(bad, f->line_start), bad);
    lh_rj_add(o, "line_end", lh_rj_int(bad, f->line_end), bad);
    lh_rj_add(o, "col_start", lh_rj_int(bad, f->col_start), bad);
    lh_rj_add(o, "col_end", lh_rj_int(bad, f->col_end), bad);
    lh_rj_add(o, "commit", lh_rj_str(bad, f->commit), bad);
    lh_rj_add(o, "author", lh_rj_str(bad, f->author), bad);
    lh_rj_add(o, "author_email", lh_rj_str(bad, f->author_email), bad);
    lh_rj_add(o, "date", lh_rj_str(bad, f->date), bad);
    lh_rj_add(o, "source", lh_rj_str(bad, lh_source_kind_name(f->source)), bad);
    lh_rj_add(o, "entropy", lh_rj_fixed(bad, f->entropy, 3), bad);
    lh_rj_add(o, "validated", lh_rj_bool(bad, f->validated), bad);
    lh_rj_add(o, "remediation", lh_rj_str(bad, r->remediation), bad);
    return o;
}

void lh_rj_summary(json_object *obj, bool *bad, const struct lh_findings *fs,
                   const struct lh_report_meta *meta)
{
    static const enum lh_severity order[] = {LH_SEV_CRITICAL, LH_SEV_HIGH, LH_SEV_MEDIUM,
                                             LH_SEV_LOW};
    uint64_t counts[4];
    json_object *o;
    char t[LH_REPORT_TIME_LEN];
    size_t i;

    lh_report_count_severity(fs, counts);
    lh_rj_add(obj, "findings", lh_rj_int(bad, (int64_t)fs->len), bad);
    o = lh_rj_obj(bad);
    for (i = 0; o && i < 4; i++)
        lh_rj_add(o, lh_severity_name(order[i]), lh_rj_int(bad, (int64_t)counts[order[i]]), bad);
    lh_rj_add(obj, "by_severity", o, bad);
    lh_rj_add(obj, "chunks", lh_rj_int(bad, (int64_t)meta->chunks), bad);
    lh_rj_add(obj, "bytes", lh_rj_int(bad, (int64_t)meta->bytes), bad);
    o = lh_rj_obj(bad);
    for (i = 0; o && i < LH_SKIP__COUNT; i++)
        lh_rj_add(o, lh_skip_reason_name((enum lh_skip_reason)i),
                  lh_rj_int(bad, (int64_t)meta->skipped[i]), bad);
    lh_rj_add(obj, "skipped", o, bad);
    lh_rj_add(obj, "suppressed", lh_rj_int(bad, (int64_t)meta->dropped_total), bad);
    lh_rj_add(obj, "incomplete", lh_rj_bool(bad, meta->incomplete), bad);
    lh_report_time(t, meta->start_ms, true);
    lh_rj_add(obj, "start", meta->start_ms > 0 ? lh_rj_str(bad, t) : NULL, bad);
    lh_report_time(t, meta->end_ms, true);
    lh_rj_add(obj, "end", meta->end_ms > 0 ? lh_rj_str(bad, t) : NULL, bad);
    lh_rj_add(obj, "duration_ms",
              meta->start_ms > 0 && meta->end_ms >= meta->start_ms
                  ? lh_rj_int(bad, meta->end_ms - meta->start_ms)
                  : NULL,
              bad);
}

/* ---- small helpers ------------------------------------------------------------------------ */

void lh_report_time(char out[LH_REPORT_TIME_LEN], int64_t ms, bool with_ms)
{
    time_t s;
    struct tm tm;

    if (ms < 0)
        ms = 0;
    s = (time_t)(ms / 1000);
    memset(&tm, 0, sizeof(tm));
    gmtime_r(&s, &tm);
    if (with_ms)
        snprintf(out, LH_REPORT_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    else
        snprintf(out, LH_REPORT_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void lh_report_count_severity(const struct lh_findings *fs, uint64_t counts[4])
{
    size_t i;

    memset(counts, 0, 4 * sizeof(counts[0]));
    for (i = 0; i < fs->len; i++) {
        unsigned s = (unsigned)fs->items[i].rule->severity;
        if (s < 4)
            counts[s]++;
    }
}

const char *lh_report_relpath(const char *path, const struct lh_report_meta *meta)
{
    const char *root = meta->root;
    size_t n;

    if (path == NULL)
        return "";
    if (root && root[0]) {
        n = strlen(root);
        while (n > 1 && root[n - 1] == '/')
            n--;
        if (strncmp(path, root, n) == 0 && (path[n] == '/' || root[n - 1] == '/')) {
            path += n;
            while (*path == '/')
                path++;
        }
    }
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/')
            path++;
    }
    return path;
}

int lh_report_uri_path(struct lh_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    int rc = 0;

    for (; *p && rc == 0; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            rc = lh_buf_addc(b, (char)c);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = lh_buf_add(b, esc, 3);
        }
    }
    return rc;
}

int lh_report_base64(struct lh_buf *b, const void *data, size_t len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    size_t i;
    int rc = 0;

    /* the empty string encodes to nothing, but the buffer must still hold a valid C string */
    if (len == 0)
        return lh_buf_add(b, "", 0);
    for (i = 0; i + 2 < len && rc == 0; i += 3) {
        char q[4] = {tab[p[i] >> 2], tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
                     tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)], tab[p[i + 2] & 63]};
        rc = lh_buf_add(b, q, 4);
    }
    if (rc == 0 && len - i == 1) {
        char q[4] = {tab[p[i] >> 2], tab[(p[i] & 3) << 4], '=', '='};
        rc = lh_buf_add(b, q, 4);
    } else if (rc == 0 && len - i == 2) {
        char q[4] = {tab[p[i] >> 2], tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
                     tab[(p[i + 1] & 15) << 2], '='};
        rc = lh_buf_add(b, q, 4);
    }
    return rc;
}
