/*
 * sarif.c - SARIF 2.1.0 (OASIS) for code-scanning dashboards: one run, the driver's rules are the
 * rules that produced a result (sorted by id, so ruleIndex is stable), one result per finding.
 *
 * Invariants: locations are relative URIs against %SRCROOT% (percent-encoded bytes, so a path that
 * is not UTF-8 survives), regions are 1-based with an exclusive endColumn (our col_end + 1; columns
 * count bytes), the message carries only the redacted secret, and the secret itself appears only
 * in result.properties.secret under show_secrets. partialFingerprints["leakhound/v1"] is the
 * location-independent fingerprint, so a dashboard follows a secret across moves.
 */
#include "report/report_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

#define LH_SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
#define LH_INFO_URI "https://leakhound.dev/"

static const char *lh_sarif_level(enum lh_severity s)
{
    switch (s) {
    case LH_SEV_CRITICAL:
    case LH_SEV_HIGH:
        return "error";
    case LH_SEV_MEDIUM:
        return "warning";
    case LH_SEV_LOW:
        break;
    }
    return "note";
}

/* GitHub code scanning reads "security-severity" (a CVSS-like score) to rank alerts. */
static const char *lh_sarif_score(enum lh_severity s)
{
    switch (s) {
    case LH_SEV_CRITICAL:
        return "9.5";
    case LH_SEV_HIGH:
        return "8.0";
    case LH_SEV_MEDIUM:
        return "5.5";
    case LH_SEV_LOW:
        break;
    }
    return "3.0";
}

static int lh_rule_cmp(const void *x, const void *y)
{
    const struct lh_rule *a = *(const struct lh_rule *const *)x;
    const struct lh_rule *b = *(const struct lh_rule *const *)y;

    return strcmp(a->id, b->id);
}

/* The distinct rules of fs sorted by id (*out is lh_malloc'd; NULL when n is 0). */
static int lh_sarif_rules(const struct lh_rule ***out, size_t *n, const struct lh_findings *fs)
{
    const struct lh_rule **v;
    size_t i, k = 0;

    *out = NULL;
    *n = 0;
    if (fs->len == 0)
        return 0;
    v = lh_malloc(fs->len * sizeof(*v));
    if (v == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    for (i = 0; i < fs->len; i++)
        v[i] = fs->items[i].rule;
    qsort(v, fs->len, sizeof(*v), lh_rule_cmp);
    for (i = 0; i < fs->len; i++)
        if (k == 0 || strcmp(v[k - 1]->id, v[i]->id) != 0)
            v[k++] = v[i];
    *out = v;
    *n = k;
    return 0;
}

static size_t lh_sarif_index(const struct lh_rule **v, size_t n, const struct lh_rule *r)
{
    const struct lh_rule **hit = bsearch(&r, v, n, sizeof(*v), lh_rule_cmp);

    return hit ? (size_t)(hit - v) : 0;
}

static json_object *lh_sarif_text(bool *bad, const char *s)
{
    json_object *o = lh_rj_obj(bad);

    lh_rj_add(o, "text", lh_rj_str(bad, s), bad);
    return o;
}

static json_object *lh_sarif_rule(bool *bad, const struct lh_rule *r)
{
    json_object *o = lh_rj_obj(bad), *p, *tags;
    struct lh_buf b;
    const char *name = r->name ? r->name : r->id;
    const char *dot;

    if (o == NULL)
        return NULL;
    lh_buf_init(&b, 1u << 20);
    lh_rj_add(o, "id", lh_rj_str(bad, r->id), bad);
    lh_rj_add(o, "name", lh_rj_str(bad, name), bad);
    lh_rj_add(o, "shortDescription", lh_sarif_text(bad, name), bad);
    if (lh_buf_addf(&b, "%s (leakhound rule %s): a %s-severity secret, %s confidence.", name, r->id,
                    lh_severity_name(r->severity), lh_confidence_name(r->confidence)))
        *bad = true;
    lh_rj_add(o, "fullDescription", lh_sarif_text(bad, b.ptr), bad);
    lh_rj_add(o, "help",
              lh_sarif_text(bad, r->remediation
                                     ? r->remediation
                                     : "Remove the secret from the code, revoke it at its "
                                       "provider and replace it with a short-lived or scoped "
                                       "credential."),
              bad);
    if (r->n_references > 0 && strncmp(r->references[0], "http", 4) == 0)
        lh_rj_add(o, "helpUri", lh_rj_str(bad, r->references[0]), bad);
    p = lh_rj_obj(bad);
    lh_rj_add(p, "level", lh_rj_str(bad, lh_sarif_level(r->severity)), bad);
    lh_rj_add(o, "defaultConfiguration", p, bad);

    p = lh_rj_obj(bad);
    lh_rj_add(p, "severity", lh_rj_str(bad, lh_severity_name(r->severity)), bad);
    lh_rj_add(p, "confidence", lh_rj_str(bad, lh_confidence_name(r->confidence)), bad);
    lh_rj_add(p, "security-severity", lh_rj_str(bad, lh_sarif_score(r->severity)), bad);
    lh_rj_add(p, "precision", lh_rj_str(bad, lh_confidence_name(r->confidence)), bad);
    tags = lh_rj_arr(bad);
    lh_rj_push(tags, lh_rj_str(bad, "security"), bad);
    lh_rj_push(tags, lh_rj_str(bad, "secret"), bad);
    dot = strchr(r->id, '.');
    if (dot && dot != r->id)
        lh_rj_push(tags, lh_rj_strn(bad, r->id, (size_t)(dot - r->id)), bad);
    lh_rj_add(p, "tags", tags, bad);
    lh_rj_add(o, "properties", p, bad);
    lh_buf_release(&b);
    return o;
}

static json_object *lh_sarif_location(bool *bad, const struct lh_finding *f,
                                      const struct lh_report_meta *meta)
{
    json_object *loc = lh_rj_obj(bad), *phys = lh_rj_obj(bad), *art = lh_rj_obj(bad);
    json_object *reg = lh_rj_obj(bad);
    const char *path = lh_report_relpath(f->path, meta);
    struct lh_buf b;

    lh_buf_init(&b, (size_t)64 << 10);
    if (path[0] == '/') {
        /* outside the root: an absolute file URI, not relative to %SRCROOT% */
        if (lh_buf_adds(&b, "file://") || lh_report_uri_path(&b, path))
            *bad = true;
    } else if (lh_report_uri_path(&b, path) || lh_buf_add(&b, "", 0)) {
        *bad = true;
    }
    lh_rj_add(art, "uri", lh_rj_str(bad, b.ptr ? b.ptr : ""), bad);
    if (path[0] != '/')
        lh_rj_add(art, "uriBaseId", lh_rj_str(bad, "%SRCROOT%"), bad);
    lh_buf_release(&b);

    lh_rj_add(reg, "startLine", lh_rj_int(bad, f->line_start ? f->line_start : 1), bad);
    lh_rj_add(reg, "startColumn", lh_rj_int(bad, f->col_start ? f->col_start : 1), bad);
    lh_rj_add(reg, "endLine", lh_rj_int(bad, f->line_end ? f->line_end : 1), bad);
    lh_rj_add(reg, "endColumn", lh_rj_int(bad, (int64_t)f->col_end + 1), bad);
    lh_rj_add(phys, "artifactLocation", art, bad);
    lh_rj_add(phys, "region", reg, bad);
    lh_rj_add(loc, "physicalLocation", phys, bad);
    return loc;
}

static json_object *lh_sarif_result(bool *bad, const struct lh_finding *f, size_t rule_index,
                                    const struct lh_report_meta *meta)
{
    const struct lh_rule *r = f->rule;
    json_object *o = lh_rj_obj(bad), *p, *arr;
    struct lh_buf b;

    if (o == NULL)
        return NULL;
    lh_buf_init(&b, 1u << 20);
    lh_rj_add(o, "ruleId", lh_rj_str(bad, r->id), bad);
    lh_rj_add(o, "ruleIndex", lh_rj_int(bad, (int64_t)rule_index), bad);
    lh_rj_add(o, "level", lh_rj_str(bad, lh_sarif_level(r->severity)), bad);
    if (lh_buf_adds(&b, r->name ? r->name : r->id) || lh_buf_adds(&b, " found: ") ||
        lh_finding_redact(&b, f, false))
        *bad = true;
    lh_rj_add(o, "message", lh_sarif_text(bad, b.ptr), bad);
    arr = lh_rj_arr(bad);
    lh_rj_push(arr, lh_sarif_location(bad, f, meta), bad);
    lh_rj_add(o, "locations", arr, bad);
    p = lh_rj_obj(bad);
    lh_rj_add(p, "leakhound/v1", lh_rj_str(bad, f->fingerprint), bad);
    lh_rj_add(o, "partialFingerprints", p, bad);

    p = lh_rj_obj(bad);
    lh_rj_add_opt(p, "commit", lh_rj_str(bad, f->commit), bad);
    lh_rj_add_opt(p, "author", lh_rj_str(bad, f->author), bad);
    lh_rj_add_opt(p, "author_email", lh_rj_str(bad, f->author_email), bad);
    lh_rj_add_opt(p, "date", lh_rj_str(bad, f->date), bad);
    lh_rj_add(p, "source", lh_rj_str(bad, lh_source_kind_name(f->source)), bad);
    lh_rj_add(p, "validated", lh_rj_bool(bad, f->validated), bad);
    lh_rj_add(p, "confidence", lh_rj_str(bad, lh_confidence_name(r->confidence)), bad);
    lh_rj_add(p, "redacted", lh_rj_redacted(bad, f), bad);
    if (meta->show_secrets)
        lh_rj_add(p, "secret", lh_rj_strn(bad, f->secret, f->secret_len), bad);
    lh_rj_add(o, "properties", p, bad);
    lh_buf_release(&b);
    return o;
}

static json_object *lh_sarif_invocation(bool *bad, const struct lh_report_meta *meta)
{
    json_object *o = lh_rj_obj(bad), *arr, *n;
    char t[LH_REPORT_TIME_LEN];

    lh_rj_add(o, "executionSuccessful", lh_rj_bool(bad, !meta->incomplete), bad);
    if (meta->start_ms > 0) {
        lh_report_time(t, meta->start_ms, true);
        lh_rj_add(o, "startTimeUtc", lh_rj_str(bad, t), bad);
    }
    if (meta->end_ms > 0) {
        lh_report_time(t, meta->end_ms, true);
        lh_rj_add(o, "endTimeUtc", lh_rj_str(bad, t), bad);
    }
    if (meta->incomplete) {
        arr = lh_rj_arr(bad);
        n = lh_rj_obj(bad);
        lh_rj_add(n, "level", lh_rj_str(bad, "warning"), bad);
        lh_rj_add(n, "message",
                  lh_sarif_text(bad, "the scan is incomplete: some objects or files could not be "
                                     "read, so secrets may be missing from this report"),
                  bad);
        lh_rj_push(arr, n, bad);
        lh_rj_add(o, "toolExecutionNotifications", arr, bad);
    }
    return o;
}

int lh_report_sarif(struct lh_buf *out, const struct lh_findings *fs,
                    const struct lh_report_meta *meta)
{
    const struct lh_rule **rules = NULL;
    json_object *root = NULL, *run, *tool, *driver, *arr, *p;
    bool bad = false;
    size_t n_rules = 0, i;
    int rc;

    rc = lh_sarif_rules(&rules, &n_rules, fs);
    if (rc)
        goto out;
    root = lh_rj_obj(&bad);
    lh_rj_add(root, "$schema", lh_rj_str(&bad, LH_SARIF_SCHEMA), &bad);
    lh_rj_add(root, "version", lh_rj_str(&bad, "2.1.0"), &bad);
    run = lh_rj_obj(&bad);
    tool = lh_rj_obj(&bad);
    driver = lh_rj_obj(&bad);
    lh_rj_add(driver, "name", lh_rj_str(&bad, "leakhound"), &bad);
    lh_rj_add(driver, "version",
              lh_rj_str(&bad, meta->tool_version ? meta->tool_version : LH_VERSION), &bad);
    lh_rj_add(driver, "informationUri", lh_rj_str(&bad, LH_INFO_URI), &bad);
    arr = lh_rj_arr(&bad);
    for (i = 0; arr && !bad && i < n_rules; i++)
        lh_rj_push(arr, lh_sarif_rule(&bad, rules[i]), &bad);
    lh_rj_add(driver, "rules", arr, &bad);
    lh_rj_add(tool, "driver", driver, &bad);
    lh_rj_add(run, "tool", tool, &bad);

    if (meta->root && meta->root[0] == '/') {
        struct lh_buf b;
        json_object *base = lh_rj_obj(&bad), *loc = lh_rj_obj(&bad);
        size_t n = strlen(meta->root);
        lh_buf_init(&b, (size_t)64 << 10);
        if (lh_buf_adds(&b, "file://") || lh_report_uri_path(&b, meta->root) ||
            ((n == 0 || meta->root[n - 1] != '/') && lh_buf_addc(&b, '/')))
            bad = true;
        lh_rj_add(loc, "uri", lh_rj_str(&bad, b.ptr ? b.ptr : ""), &bad);
        lh_rj_add(base, "%SRCROOT%", loc, &bad);
        lh_rj_add(run, "originalUriBaseIds", base, &bad);
        lh_buf_release(&b);
    }
    arr = lh_rj_arr(&bad);
    lh_rj_push(arr, lh_sarif_invocation(&bad, meta), &bad);
    lh_rj_add(run, "invocations", arr, &bad);

    arr = lh_rj_arr(&bad);
    for (i = 0; arr && !bad && i < fs->len; i++)
        lh_rj_push(arr,
                   lh_sarif_result(&bad, &fs->items[i],
                                   lh_sarif_index(rules, n_rules, fs->items[i].rule), meta),
                   &bad);
    lh_rj_add(run, "results", arr, &bad);

    p = lh_rj_obj(&bad);
    lh_rj_add_opt(p, "mode", lh_rj_str(&bad, meta->mode), &bad);
    lh_rj_add_opt(p, "ruleset_hash", lh_rj_str(&bad, meta->ruleset_hash), &bad);
    lh_rj_add(run, "properties", p, &bad);

    arr = lh_rj_arr(&bad);
    lh_rj_push(arr, run, &bad);
    lh_rj_add(root, "runs", arr, &bad);
    rc = lh_rj_emit(out, root, true, bad);
out:
    json_object_put(root);
    free(rules);
    return rc ? lh_report_fail(rc, "sarif") : 0;
}
