/*
 * event.c - the GitHub Actions event reader: the JSON GitHub writes to $GITHUB_EVENT_PATH, reduced
 * to what `leakhound ci` needs (which commits a pull request or a push is about). A pure function
 * over bytes, no repository and no file access: it is unit-tested and fuzzed.
 *
 * Invariants: on success every id in the result is NULL or 40/64 hex digits, and the default
 * branch is NULL or a non-empty string without control characters, all owned by the result; on
 * failure the result is empty and the message names the field. A JSON null counts as absent (GitHub
 * writes null for values an event does not have); any other wrong type is an error, never a
 * silently dropped field.
 */
#include "git/git.h"
#include "util/alloc.h"
#include "util/error.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lh_git_event_init(struct lh_git_event *ev)
{
    memset(ev, 0, sizeof(*ev));
}

void lh_git_event_release(struct lh_git_event *ev)
{
    free(ev->base);
    free(ev->head);
    free(ev->default_branch);
    lh_git_event_init(ev);
}

/* The member key of obj: NULL when obj is NULL, or the member is absent or null. */
static struct json_object *lh_member(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    if (obj == NULL || !json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

/* *out := the member key of obj when it is an object (NULL when absent or null). path names the
 * member in messages. */
static int lh_get_object(struct json_object **out, struct json_object *obj, const char *key,
                         const char *path)
{
    struct json_object *v = lh_member(obj, key);

    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_object))
        return lh_error_set(LH_EINVALID, "GitHub event: %s: expected an object, got %s", path,
                            json_type_to_name(json_object_get_type(v)));
    *out = v;
    return 0;
}

/* *out := an owned copy of the string member key of obj (NULL when absent or null). hex: it must
 * be a 40 or 64 hex digit object id; else a name: non-empty, no control characters (a \u0000
 * escape included, which would cut the C string short). */
static int lh_get_string(char **out, struct json_object *obj, const char *key, const char *path,
                         bool hex)
{
    struct json_object *v = lh_member(obj, key);
    const char *s;
    size_t len, i;

    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return lh_error_set(LH_EINVALID, "GitHub event: %s: expected a string, got %s", path,
                            json_type_to_name(json_object_get_type(v)));
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (hex && !lh_git_is_hex_id(s, len))
        return lh_error_set(
            LH_EINVALID, "GitHub event: %s: not a commit id (40 or 64 hex digits; got %zu bytes)",
            path, len);
    if (!hex) {
        if (len == 0)
            return lh_error_set(LH_EINVALID, "GitHub event: %s: empty", path);
        for (i = 0; i < len; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                return lh_error_set(LH_EINVALID, "GitHub event: %s: control character at byte %zu",
                                    path, i);
    }
    *out = lh_strndup(s, len);
    if (*out == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    return 0;
}

/* *out := pull_request.<side>.sha (pr may be NULL: a null pull_request). */
static int lh_get_side_sha(char **out, struct json_object *pr, const char *side)
{
    struct json_object *o;
    char path[32];
    int rc;

    *out = NULL;
    snprintf(path, sizeof(path), "pull_request.%s", side);
    rc = lh_get_object(&o, pr, side, path);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "pull_request.%s.sha", side);
    return lh_get_string(out, o, "sha", path, true);
}

/* Parses data[0..len) into a json-c tree (*out, released by the caller). Trailing bytes other
 * than whitespace are an error: GitHub writes one object per file. */
static int lh_parse_json(struct json_object **out, const char *data, size_t len)
{
    struct json_tokener *tok = NULL;
    enum json_tokener_error jerr;
    size_t end;
    int rc = 0;

    *out = NULL;
    if (len > (size_t)INT_MAX)
        return lh_error_set(LH_ELIMIT, "GitHub event: %zu bytes is too large", len);
    tok = json_tokener_new();
    if (tok == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    *out = json_tokener_parse_ex(tok, data, (int)len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* all of data was consumed; a bare scalar ("null", "12") waits for a delimiter, so hand
         * the tokener its end-of-input mark */
        *out = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
        if (jerr != json_tokener_success) {
            rc = lh_error_set(LH_EINVALID, "GitHub event: invalid JSON: unexpected end of input");
            goto out;
        }
    }
    if (jerr != json_tokener_success) {
        rc = lh_error_set(LH_EINVALID, "GitHub event: invalid JSON at byte %zu: %s", end,
                          json_tokener_error_desc(jerr));
        goto out;
    }
    /* a JSON null parses to NULL with json_tokener_success: "not an object", below */
    for (; end < len; end++) {
        if (data[end] != ' ' && data[end] != '\t' && data[end] != '\n' && data[end] != '\r') {
            rc = lh_error_set(LH_EINVALID, "GitHub event: invalid JSON: trailing data at byte %zu",
                              end);
            goto out;
        }
    }
    if (*out == NULL || !json_object_is_type(*out, json_type_object))
        rc = lh_error_set(LH_EINVALID, "GitHub event: expected a JSON object, got %s",
                          json_type_to_name(json_object_get_type(*out)));
out:
    if (rc) {
        json_object_put(*out);
        *out = NULL;
    }
    json_tokener_free(tok);
    return rc;
}

int lh_git_event_parse(struct lh_git_event *out, const char *event_name, const void *data,
                       size_t len)
{
    struct json_object *root = NULL, *repo, *pr;
    int rc;

    lh_git_event_init(out);
    rc = lh_parse_json(&root, data, len);
    if (rc)
        goto out;
    rc = lh_get_object(&repo, root, "repository", "repository");
    if (rc)
        goto out;
    rc = lh_get_string(&out->default_branch, repo, "default_branch", "repository.default_branch",
                       false);
    if (rc)
        goto out;
    /* A pull_request member with an event name that is not pull_request* (issue_comment,
     * check_run, ...) does not describe this run's commits: those runs are read as pushes. */
    if (json_object_object_get_ex(root, "pull_request", NULL) &&
        (event_name == NULL || strncmp(event_name, "pull_request", 12) == 0)) {
        out->kind = LH_GIT_EVENT_PULL_REQUEST;
        rc = lh_get_object(&pr, root, "pull_request", "pull_request");
        if (rc)
            goto out;
        rc = lh_get_side_sha(&out->head, pr, "head");
        if (rc)
            goto out;
        rc = lh_get_side_sha(&out->base, pr, "base");
    } else {
        out->kind = LH_GIT_EVENT_PUSH;
        rc = lh_get_string(&out->head, root, "after", "after", true);
        if (rc)
            goto out;
        rc = lh_get_string(&out->base, root, "before", "before", true);
    }
out:
    json_object_put(root);
    if (rc)
        lh_git_event_release(out);
    return rc;
}
