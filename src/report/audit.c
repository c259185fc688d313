/*
 * audit.c - rendering audit events with json-c and appending them atomically (one write() per line
 * to an O_APPEND file, or one syslog(3) call). Invariants: an event never carries secret bytes (only
 * rule ids and fingerprints are read from findings), every string is valid UTF-8 before json-c sees
 * it, and a rendered event is exactly one line.
 */
#include "report/audit.h"
#include "filter/filter.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *const lh_event_names[LH_AUDIT__COUNT] = {
    "commit.blocked",    "commit.allowed",  "push.rejected",      "push.accepted",
    "push.bypassed",     "scan.incomplete", "deadline.exceeded",  "scan.completed",
};

const char *lh_audit_event_name(enum lh_audit_event e)
{
    return (unsigned)e < LH_AUDIT__COUNT ? lh_event_names[e] : "unknown";
}

int lh_audit_event_parse(enum lh_audit_event *out, const char *name)
{
    unsigned i;

    for (i = 0; i < LH_AUDIT__COUNT; i++)
        if (strcmp(lh_event_names[i], name) == 0) {
            *out = (enum lh_audit_event)i;
            return 0;
        }
    return lh_error_set(LH_EINVALID, "unknown audit event '%s'", name);
}

void lh_audit_ctx_init(struct lh_audit_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->exit_code = -1;
}

/* ---- rendering --------------------------------------------------------------------------- */

/* A json string of s made valid UTF-8, or json null for NULL. *bad is set on allocation failure. */
static json_object *lh_jstr(const char *s, bool *bad)
{
    struct lh_buf b;
    json_object *o;

    if (s == NULL)
        return NULL;
    lh_buf_init(&b, 1u << 20);
    if (lh_text_utf8(&b, s, strlen(s)) != 0) {
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

static void lh_jadd(json_object *obj, const char *key, json_object *v, bool *bad)
{
    if (json_object_object_add(obj, key, v) != 0) {
        json_object_put(v);
        *bad = true;
    }
}

static json_object *lh_jint(int64_t v, bool *bad)
{
    json_object *o = json_object_new_int64(v);

    if (o == NULL)
        *bad = true;
    return o;
}

static json_object *lh_jobj(bool *bad)
{
    json_object *o = json_object_new_object();

    if (o == NULL)
        *bad = true;
    return o;
}

static const char *lh_env(const char *name)
{
    const char *v = getenv(name);

    return v && v[0] ? v : NULL;
}

/* The OS user name into buf, or NULL. */
static const char *lh_os_user(char *buf, size_t n)
{
    struct passwd pw, *res = NULL;
    char tmp[1024];
    const char *u;

    if (getpwuid_r(geteuid(), &pw, tmp, sizeof(tmp), &res) == 0 && res && res->pw_name) {
        snprintf(buf, n, "%s", res->pw_name);
        return buf;
    }
    u = lh_env("USER");
    if (u) {
        snprintf(buf, n, "%s", u);
        return buf;
    }
    return NULL;
}

static void lh_iso_ms(char out[64], int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&s, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static int lh_fp_cmp(const void *x, const void *y)
{
    const struct lh_finding *a = *(const struct lh_finding *const *)x;
    const struct lh_finding *b = *(const struct lh_finding *const *)y;
    int c = strcmp(a->rule->id, b->rule->id);

    return c ? c : strcmp(a->fingerprint, b->fingerprint);
}

/* Distinct (rule id, fingerprint) pairs with how often each was found, sorted, capped. */
static json_object *lh_jfindings(const struct lh_findings *fs, uint64_t *omitted, bool *bad)
{
    const struct lh_finding **v = NULL;
    json_object *arr = json_object_new_array();
    size_t i, j, listed = 0;

    *omitted = 0;
    if (arr == NULL) {
        *bad = true;
        return NULL;
    }
    if (fs == NULL || fs->len == 0)
        return arr;
    v = lh_malloc(fs->len * sizeof(*v));
    if (v == NULL) {
        *bad = true;
        return arr;
    }
    for (i = 0; i < fs->len; i++)
        v[i] = &fs->items[i];
    qsort(v, fs->len, sizeof(*v), lh_fp_cmp);
    for (i = 0; i < fs->len; i = j) {
        json_object *o;
        for (j = i + 1; j < fs->len && lh_fp_cmp(&v[i], &v[j]) == 0; j++)
            ;
        if (listed >= LH_AUDIT_MAX_FINDINGS) {
            (*omitted)++;
            continue;
        }
        o = lh_jobj(bad);
        if (o == NULL)
            break;
        lh_jadd(o, "rule_id", lh_jstr(v[i]->rule->id, bad), bad);
        lh_jadd(o, "fingerprint", lh_jstr(v[i]->fingerprint, bad), bad);
        lh_jadd(o, "count", lh_jint((int64_t)(j - i), bad), bad);
        if (json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            *bad = true;
        }
        listed++;
    }
    free(v);
    return arr;
}

int lh_audit_render(struct lh_buf *out, enum lh_audit_event ev, const struct lh_audit_ctx *ctx)
{
    json_object *root, *o, *arr;
    bool bad = false;
    char ts[64], user[256];
    const char *repo, *pusher, *proto, *s;
    uint64_t omitted = 0, total = 0;
    size_t i, n;
    int rc = 0;

    if ((unsigned)ev >= LH_AUDIT__COUNT)
        return lh_error_set(LH_EINVALID, "unknown audit event %d", (int)ev);
    root = json_object_new_object();
    if (root == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");

    if (ctx->timestamp_ms > 0) {
        lh_iso_ms(ts, ctx->timestamp_ms);
    } else {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        lh_iso_ms(ts, (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000);
    }
    repo = lh_env("GL_PROJECT_PATH");
    if (repo == NULL)
        repo = lh_env("GITHUB_REPO_NAME");
    if (repo == NULL)
        repo = ctx->repository;
    pusher = ctx->pusher;
    if (pusher == NULL)
        pusher = lh_env("GL_USERNAME");
    if (pusher == NULL)
        pusher = lh_env("GITHUB_USER_LOGIN");
    if (pusher == NULL)
        pusher = lh_os_user(user, sizeof(user));
    proto = ctx->protocol ? ctx->protocol : lh_env("GL_PROTOCOL");

    lh_jadd(root, "schema", lh_jstr(LH_AUDIT_SCHEMA, &bad), &bad);
    lh_jadd(root, "timestamp", lh_jstr(ts, &bad), &bad);
    lh_jadd(root, "event", lh_jstr(lh_audit_event_name(ev), &bad), &bad);
    lh_jadd(root, "mode", lh_jstr(ctx->mode, &bad), &bad);
    lh_jadd(root, "repository", lh_jstr(repo, &bad), &bad);
    lh_jadd(root, "repository_path", lh_jstr(ctx->repository, &bad), &bad);

    arr = json_object_new_array();
    if (arr == NULL)
        bad = true;
    for (i = 0; arr && i < ctx->n_refs; i++) {
        o = lh_jobj(&bad);
        if (o == NULL)
            break;
        lh_jadd(o, "name", lh_jstr(ctx->refs[i].name, &bad), &bad);
        lh_jadd(o, "old", lh_jstr(ctx->refs[i].old_id, &bad), &bad);
        lh_jadd(o, "new", lh_jstr(ctx->refs[i].new_id, &bad), &bad);
        if (json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            bad = true;
        }
    }
    lh_jadd(root, "refs", arr, &bad);
    lh_jadd(root, "pusher", lh_jstr(pusher, &bad), &bad);
    lh_jadd(root, "protocol", lh_jstr(proto, &bad), &bad);

    o = lh_jobj(&bad);
    if (o) {
        lh_jadd(o, "commits", lh_jint((int64_t)ctx->commits, &bad), &bad);
        lh_jadd(o, "blobs", lh_jint((int64_t)ctx->blobs, &bad), &bad);
        lh_jadd(o, "bytes", lh_jint((int64_t)ctx->bytes, &bad), &bad);
        lh_jadd(o, "findings", lh_jint(ctx->findings ? (int64_t)ctx->findings->len : 0, &bad),
                &bad);
        lh_jadd(root, "counts", o, &bad);
    }
    lh_jadd(root, "findings", lh_jfindings(ctx->findings, &omitted, &bad), &bad);
    lh_jadd(root, "findings_omitted", lh_jint((int64_t)omitted, &bad), &bad);

    o = lh_jobj(&bad);
    if (o) {
        for (n = 0; n < LH_DROP__COUNT; n++) {
            uint64_t c = ctx->suppressed ? ctx->suppressed[n] : 0;
            total += c;
            lh_jadd(o, lh_drop_reason_name((enum lh_drop_reason)n), lh_jint((int64_t)c, &bad),
                    &bad);
        }
        lh_jadd(o, "total", lh_jint((int64_t)total, &bad), &bad);
        lh_jadd(root, "suppressed", o, &bad);
    }
    lh_jadd(root, "duration_ms", lh_jint(ctx->duration_ms, &bad), &bad);
    lh_jadd(root, "incomplete", json_object_new_boolean(ctx->incomplete), &bad);
    lh_jadd(root, "exit_code", ctx->exit_code >= 0 ? lh_jint(ctx->exit_code, &bad) : NULL, &bad);
    lh_jadd(root, "message", lh_jstr(ctx->message, &bad), &bad);
    o = lh_jobj(&bad);
    if (o) {
        lh_jadd(o, "name", lh_jstr("leakhound", &bad), &bad);
        lh_jadd(o, "version", lh_jstr(ctx->tool_version ? ctx->tool_version : LH_VERSION, &bad),
                &bad);
        lh_jadd(o, "ruleset_hash", lh_jstr(ctx->ruleset_hash, &bad), &bad);
        lh_jadd(root, "tool", o, &bad);
    }
    if (bad) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
    if (s == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    rc = lh_buf_adds(out, s);
    if (rc == 0)
        rc = lh_buf_addc(out, '\n');
    if (rc)
        rc = lh_error_set(rc, "audit event: %s", rc == LH_ENOMEM ? "out of memory" : "too large");
out:
    json_object_put(root);
    return rc;
}

/* ---- writing ----------------------------------------------------------------------------- */

static int lh_write_all_once(int fd, const char *line, size_t len, const char *name)
{
    ssize_t n;

    do {
        n = write(fd, line, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return lh_error_set(LH_EIO, "%s: cannot write the audit event: %s", name, strerror(errno));
    if ((size_t)n != len)
        return lh_error_set(LH_EIO, "%s: short write of the audit event (%zd of %zu bytes)", name,
                            n, len);
    return 0;
}

static bool lh_event_is_warning(enum lh_audit_event ev)
{
    return ev == LH_AUDIT_COMMIT_BLOCKED || ev == LH_AUDIT_PUSH_REJECTED ||
           ev == LH_AUDIT_PUSH_BYPASSED || ev == LH_AUDIT_SCAN_INCOMPLETE ||
           ev == LH_AUDIT_DEADLINE_EXCEEDED;
}

int lh_audit_write(const char *dest, enum lh_audit_event ev, const char *line, size_t len)
{
    int fd, rc;

    if (dest == NULL)
        return 0;
    if (strcmp(dest, "syslog") == 0) {
        if (len > 0 && line[len - 1] == '\n')
            len--;
        openlog("leakhound", LOG_PID, LOG_AUTH);
        syslog((lh_event_is_warning(ev) ? LOG_WARNING : LOG_INFO) | LOG_AUTH, "%.*s", (int)len,
               line);
        closelog();
        return 0;
    }
    if (strcmp(dest, "-") == 0)
        return lh_write_all_once(STDOUT_FILENO, line, len, "standard output");
    do {
        fd = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return lh_error_set(LH_EIO, "%s: cannot open the audit log: %s", dest, strerror(errno));
    rc = lh_write_all_once(fd, line, len, dest);
    if (close(fd) != 0 && rc == 0)
        rc = lh_error_set(LH_EIO, "%s: cannot write the audit event: %s", dest, strerror(errno));
    return rc;
}

int lh_audit_emit(const char *dest, enum lh_audit_event ev, const struct lh_audit_ctx *ctx)
{
    struct lh_buf b;
    int rc;

    if (dest == NULL)
        return 0;
    lh_buf_init(&b, (size_t)64 << 20);
    rc = lh_audit_render(&b, ev, ctx);
    if (rc == 0)
        rc = lh_audit_write(dest, ev, b.ptr, b.len);
    lh_buf_release(&b);
    return rc;
}
