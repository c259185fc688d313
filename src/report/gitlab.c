/*
 * gitlab.c - the GitLab secret-detection report (security-report-schemas, format 15.2.4), which
 * GitLab CI ingests as artifacts:reports:secret_detection.
 *
 * Invariants: each vulnerability id is a UUID-shaped value derived from the fingerprint and the
 * location (same finding, same id across runs; two places, two ids); location.commit.sha is the
 * commit or forty zeros for a file outside git (the schema requires one); raw_source_code_extract
 * holds the redacted secret unless show_secrets; strings are cut to the schema's maximum lengths at
 * a UTF-8 boundary; times are UTC "YYYY-MM-DDTHH:MM:SS" from meta.
 */
#include "report/report_int.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/text.h"

#include <stdio.h>
#include <string.h>

#define LH_GITLAB_VERSION "15.2.4"
#define LH_GITLAB_SCHEMA                                                                           \
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"               \
    "v" LH_GITLAB_VERSION "/dist/secret-detection-report-format.json"
#define LH_ZERO_SHA "0000000000000000000000000000000000000000"
#define LH_GITLAB_NAME_MAX 255u
#define LH_GITLAB_SOLUTION_MAX 7000u

static const char *lh_gitlab_severity(enum lh_severity s)
{
    switch (s) {
    case LH_SEV_CRITICAL:
        return "Critical";
    case LH_SEV_HIGH:
        return "High";
    case LH_SEV_MEDIUM:
        return "Medium";
    case LH_SEV_LOW:
        break;
    }
    return "Low";
}

/* s as a JSON string of at most max bytes, cut before a UTF-8 continuation byte. */
static json_object *lh_gitlab_cut(bool *bad, const char *s, size_t max)
{
    struct lh_buf b;
    json_object *o;
    size_t n;

    if (s == NULL)
        return NULL;
    lh_buf_init(&b, strlen(s) * 3 + 16);
    if (lh_text_utf8(&b, s, strlen(s)) != 0) {
        lh_buf_release(&b);
        *bad = true;
        return NULL;
    }
    n = b.len;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)b.ptr[n] & 0xc0) == 0x80)
            n--;
    }
    o = json_object_new_string_len(b.ptr ? b.ptr : "", (int)n);
    lh_buf_release(&b);
    if (o == NULL)
        *bad = true;
    return o;
}

/* A UUID-shaped id (version nibble 8: vendor-defined, RFC 9562) from the finding's identity. */
static void lh_gitlab_id(char out[37], const struct lh_finding *f)
{
    char hex[65], pos[64];
    const void *parts[4];
    size_t lens[4];
    static const char var[] = "89ab";
    unsigned v;

    snprintf(pos, sizeof(pos), "%u:%u", f->line_start, f->col_start);
    parts[0] = f->fingerprint;
    lens[0] = strlen(f->fingerprint) + 1; /* with its NUL as a separator */
    parts[1] = f->path;
    lens[1] = strlen(f->path) + 1;
    parts[2] = pos;
    lens[2] = strlen(pos) + 1;
    parts[3] = f->commit ? f->commit : "";
    lens[3] = strlen(parts[3]);
    lh_sha256_hex(hex, parts, lens, 4);
    hex[12] = '8';
    v = (unsigned)(hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0');
    hex[16] = var[v & 3];
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static json_object *lh_gitlab_party(bool *bad, const char *version)
{
    json_object *o = lh_rj_obj(bad), *v = lh_rj_obj(bad);

    lh_rj_add(o, "id", lh_rj_str(bad, "leakhound"), bad);
    lh_rj_add(o, "name", lh_rj_str(bad, "leakhound"), bad);
    lh_rj_add(o, "version", lh_rj_str(bad, version), bad);
    lh_rj_add(v, "name", lh_rj_str(bad, "leakhound"), bad);
    lh_rj_add(o, "vendor", v, bad);
    return o;
}

static json_object *lh_gitlab_vuln(bool *bad, const struct lh_finding *f,
                                   const struct lh_report_meta *meta)
{
    const struct lh_rule *r = f->rule;
    const char *name = r->name ? r->name : r->id;
    const char *path = lh_report_relpath(f->path, meta);
    json_object *o = lh_rj_obj(bad), *loc, *c, *arr, *id;
    struct lh_buf b;
    char uuid[37];
    size_t i;

    if (o == NULL)
        return NULL;
    lh_buf_init(&b, (size_t)1 << 20);
    lh_gitlab_id(uuid, f);
    lh_rj_add(o, "id", lh_rj_str(bad, uuid), bad);
    lh_rj_add(o, "category", lh_rj_str(bad, "secret_detection"), bad);
    lh_rj_add(o, "name", lh_gitlab_cut(bad, name, LH_GITLAB_NAME_MAX), bad);
    if (lh_buf_addf(&b, "%s (leakhound rule %s, %s confidence%s) in %s line %u.", name, r->id,
                    lh_confidence_name(r->confidence), f->validated ? ", checksum valid" : "", path,
                    f->line_start))
        *bad = true;
    lh_rj_add(o, "description", lh_rj_str(bad, b.ptr), bad);
    lh_rj_add(o, "severity", lh_rj_str(bad, lh_gitlab_severity(r->severity)), bad);
    lh_rj_add(o, "solution",
              lh_gitlab_cut(bad,
                            r->remediation ? r->remediation
                                           : "Remove the secret from the code, revoke it at its "
                                             "provider and replace it with a short-lived or "
                                             "scoped credential.",
                            LH_GITLAB_SOLUTION_MAX),
              bad);

    loc = lh_rj_obj(bad);
    lh_rj_add(loc, "file", lh_rj_str(bad, path), bad);
    lh_rj_add(loc, "start_line", lh_rj_int(bad, f->line_start), bad);
    lh_rj_add(loc, "end_line", lh_rj_int(bad, f->line_end), bad);
    c = lh_rj_obj(bad);
    lh_rj_add_opt(c, "author", lh_rj_str(bad, f->author), bad);
    lh_rj_add_opt(c, "date", lh_rj_str(bad, f->date), bad);
    lh_rj_add(c, "sha", lh_rj_str(bad, f->commit && f->commit[0] ? f->commit : LH_ZERO_SHA), bad);
    lh_rj_add(loc, "commit", c, bad);
    lh_rj_add(o, "location", loc, bad);

    arr = lh_rj_arr(bad);
    id = lh_rj_obj(bad);
    lh_buf_reset(&b);
    if (lh_buf_addf(&b, "leakhound rule ID %s", r->id))
        *bad = true;
    lh_rj_add(id, "type", lh_rj_str(bad, "leakhound_rule_id"), bad);
    lh_rj_add(id, "name", lh_rj_str(bad, b.ptr), bad);
    lh_rj_add(id, "value", lh_rj_str(bad, r->id), bad);
    lh_rj_push(arr, id, bad);
    lh_rj_add(o, "identifiers", arr, bad);

    arr = NULL;
    for (i = 0; i < r->n_references; i++) {
        json_object *l;
        if (strncmp(r->references[i], "http://", 7) != 0 &&
            strncmp(r->references[i], "https://", 8) != 0)
            continue;
        if (arr == NULL)
            arr = lh_rj_arr(bad);
        l = lh_rj_obj(bad);
        lh_rj_add(l, "url", lh_rj_str(bad, r->references[i]), bad);
        lh_rj_push(arr, l, bad);
    }
    lh_rj_add_opt(o, "links", arr, bad);

    lh_buf_reset(&b);
    if (lh_finding_redact(&b, f, meta->show_secrets) || lh_buf_add(&b, "", 0))
        *bad = true;
    lh_rj_add(o, "raw_source_code_extract", lh_rj_str(bad, b.ptr), bad);
    lh_buf_release(&b);
    return o;
}

int lh_report_gitlab(struct lh_buf *out, const struct lh_findings *fs,
                     const struct lh_report_meta *meta)
{
    const char *version = meta->tool_version ? meta->tool_version : LH_VERSION;
    json_object *root, *scan, *arr, *m;
    bool bad = false;
    char t[LH_REPORT_TIME_LEN];
    size_t i;
    int rc;

    root = lh_rj_obj(&bad);
    lh_rj_add(root, "version", lh_rj_str(&bad, LH_GITLAB_VERSION), &bad);
    lh_rj_add(root, "schema", lh_rj_str(&bad, LH_GITLAB_SCHEMA), &bad);
    scan = lh_rj_obj(&bad);
    lh_rj_add(scan, "analyzer", lh_gitlab_party(&bad, version), &bad);
    lh_rj_add(scan, "scanner", lh_gitlab_party(&bad, version), &bad);
    lh_rj_add(scan, "type", lh_rj_str(&bad, "secret_detection"), &bad);
    lh_report_time(t, meta->start_ms, false);
    lh_rj_add(scan, "start_time", lh_rj_str(&bad, t), &bad);
    lh_report_time(t, meta->end_ms, false);
    lh_rj_add(scan, "end_time", lh_rj_str(&bad, t), &bad);
    lh_rj_add(scan, "status", lh_rj_str(&bad, meta->incomplete ? "failure" : "success"), &bad);
    if (meta->incomplete) {
        arr = lh_rj_arr(&bad);
        m = lh_rj_obj(&bad);
        lh_rj_add(m, "level", lh_rj_str(&bad, "warn"), &bad);
        lh_rj_add(m, "value",
                  lh_rj_str(&bad, "the scan is incomplete: some objects or files could not be "
                                  "read, so secrets may be missing from this report"),
                  &bad);
        lh_rj_push(arr, m, &bad);
        lh_rj_add(scan, "messages", arr, &bad);
    }
    lh_rj_add(root, "scan", scan, &bad);
    arr = lh_rj_arr(&bad);
    for (i = 0; arr && !bad && i < fs->len; i++)
        lh_rj_push(arr, lh_gitlab_vuln(&bad, &fs->items[i], meta), &bad);
    lh_rj_add(root, "vulnerabilities", arr, &bad);
    rc = lh_rj_emit(out, root, true, bad);
    json_object_put(root);
    return rc ? lh_report_fail(rc, "gitlab") : 0;
}
