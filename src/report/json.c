/*
 * json.c - the machine formats: json (one indented document, schema "leakhound.report/v1") and
 * jsonl (one leakhound.finding/v1 record per line, then one "leakhound.summary/v1" line), both
 * described by schemas/finding.schema.json.
 *
 * jsonl is rendered a record at a time so a big report never holds more than one json-c tree;
 * every line is a complete JSON value, so a consumer can stream it (ripgrep's JSON Lines printer).
 */
#include "report/report_int.h"
#include "util/error.h"

static void lh_json_head(json_object *root, bool *bad, const char *schema,
                         const struct lh_report_meta *meta)
{
    lh_rj_add(root, "schema", lh_rj_str(bad, schema), bad);
    lh_rj_add(root, "version", lh_rj_str(bad, meta->tool_version ? meta->tool_version : LH_VERSION),
              bad);
    lh_rj_add(root, "ruleset_hash", lh_rj_str(bad, meta->ruleset_hash), bad);
    lh_rj_add(root, "mode", lh_rj_str(bad, meta->mode), bad);
}

int lh_report_json(struct lh_buf *out, const struct lh_findings *fs,
                   const struct lh_report_meta *meta)
{
    bool bad = false;
    json_object *root = lh_rj_obj(&bad), *arr, *sum;
    size_t i;
    int rc;

    if (root == NULL)
        return lh_error_set(LH_ENOMEM, "json report: out of memory");
    lh_json_head(root, &bad, "leakhound.report/v1", meta);
    arr = lh_rj_arr(&bad);
    for (i = 0; arr && !bad && i < fs->len; i++)
        lh_rj_push(arr, lh_rj_finding(&bad, &fs->items[i], meta), &bad);
    lh_rj_add(root, "findings", arr, &bad);
    sum = lh_rj_obj(&bad);
    if (sum)
        lh_rj_summary(sum, &bad, fs, meta);
    lh_rj_add(root, "summary", sum, &bad);
    rc = lh_rj_emit(out, root, true, bad);
    json_object_put(root);
    return rc ? lh_report_fail(rc, "json") : 0;
}

int lh_report_jsonl(struct lh_buf *out, const struct lh_findings *fs,
                    const struct lh_report_meta *meta)
{
    bool bad = false;
    json_object *o;
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < fs->len; i++) {
        o = lh_rj_finding(&bad, &fs->items[i], meta);
        rc = lh_rj_emit(out, o, false, bad);
        json_object_put(o);
    }
    if (rc == 0) {
        o = lh_rj_obj(&bad);
        if (o) {
            lh_json_head(o, &bad, "leakhound.summary/v1", meta);
            lh_rj_summary(o, &bad, fs, meta);
        }
        rc = lh_rj_emit(out, o, false, bad);
        json_object_put(o);
    }
    return rc ? lh_report_fail(rc, "jsonl") : 0;
}
