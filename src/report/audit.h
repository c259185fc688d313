/*
 * audit.h - audit events: one JSON object per line per decision, schema "leakhound.audit/v1"
 * (schemas/audit.schema.json, docs/audit.md), for log pipelines. Collection stays out of process:
 * the event goes to a file (appended), standard output, or syslog(3); no vendor SDKs.
 *
 * An event says what was decided (push.rejected, commit.allowed, ...), where (repository, refs with
 * old and new ids), by whom (pusher, protocol), over what (commits, blobs, bytes), what was found
 * (rule ids and fingerprints only: NEVER the secret and NEVER a redacted prefix of it), what was
 * suppressed and why, how long it took, and with which leakhound and rule set.
 *
 * Atomicity: a file destination is opened with O_APPEND and each event is written with one write()
 * of the whole line. On Linux, for a regular file on a local file system, the kernel holds the file's
 * lock for the whole write and moves the offset to the end under it, so concurrent writers (hooks
 * of simultaneous pushes) never interleave or overwrite lines, whatever the line length. This does
 * not hold on NFS; use syslog or one file per host there.
 *
 * Typical use from a hook subcommand:
 *
 *     struct lh_audit_ctx ctx;
 *     lh_audit_ctx_init(&ctx);
 *     ctx.mode = "pre-receive"; ctx.refs = refs; ctx.n_refs = n; ctx.findings = &res.findings;
 *     ctx.suppressed = res.filt.dropped; ctx.commits = n_commits; ...
 *     if (lh_audit_emit(cli->audit_log, LH_AUDIT_PUSH_REJECTED, &ctx))
 *         lh_cli_warn("audit log: %s", lh_error_last());
 *
 * Thread-safety: render is a pure function of its inputs and the environment; emit may be called
 * from any thread or process at once (see Atomicity).
 */
#ifndef LH_REPORT_AUDIT_H
#define LH_REPORT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/finding.h"
#include "util/buf.h"

#define LH_AUDIT_SCHEMA "leakhound.audit/v1"

/* Distinct (rule, fingerprint) pairs listed per event; more are counted in findings_omitted, so a
 * push of a leaked dump cannot make one log line unbounded. */
#define LH_AUDIT_MAX_FINDINGS 1000u

enum lh_audit_event {
    LH_AUDIT_COMMIT_BLOCKED,    /* "commit.blocked": pre-commit found secrets */
    LH_AUDIT_COMMIT_ALLOWED,    /* "commit.allowed" */
    LH_AUDIT_PUSH_REJECTED,     /* "push.rejected": pre-receive/pre-push refused the push */
    LH_AUDIT_PUSH_ACCEPTED,     /* "push.accepted" */
    LH_AUDIT_PUSH_BYPASSED,     /* "push.bypassed": findings, but a permitted bypass let it through */
    LH_AUDIT_SCAN_INCOMPLETE,   /* "scan.incomplete": objects missing or unreadable input */
    LH_AUDIT_DEADLINE_EXCEEDED, /* "deadline.exceeded": the deadline or max_commits was hit */
    LH_AUDIT_SCAN_COMPLETED,    /* "scan.completed": a scan outside a hook (dir, stdin, git, ci) */
    LH_AUDIT__COUNT
};

const char *lh_audit_event_name(enum lh_audit_event e);
/* LH_EINVALID for an unknown name. */
int lh_audit_event_parse(enum lh_audit_event *out, const char *name);

struct lh_audit_ref {
    const char *name;   /* "refs/heads/main" */
    const char *old_id; /* hex; all zeros for a creation */
    const char *new_id; /* hex; all zeros for a deletion */
};

struct lh_audit_ctx {
    int64_t timestamp_ms;          /* Unix epoch ms; 0: now */
    const char *mode;              /* the subcommand: "pre-receive", "pre-commit", "dir", ... */
    const char *repository;        /* path; GL_PROJECT_PATH / GITHUB_REPO_NAME win when set */
    const struct lh_audit_ref *refs;
    size_t n_refs;
    const char *pusher;            /* NULL: GL_USERNAME, GITHUB_USER_LOGIN, else the OS user */
    const char *protocol;          /* NULL: GL_PROTOCOL when set, else unknown (null) */
    uint64_t commits, blobs, bytes;
    const struct lh_findings *findings; /* may be NULL; only rule ids and fingerprints are read */
    const uint64_t *suppressed;    /* LH_DROP__COUNT counters (filter.h), or NULL */
    int64_t duration_ms;
    const char *tool_version;      /* NULL: LH_VERSION */
    const char *ruleset_hash;      /* may be NULL */
    int exit_code;                 /* the process exit status decided; -1: not decided */
    bool incomplete;               /* the scan could not see everything */
    const char *message;           /* a short note (why a bypass was allowed, ...), or NULL */
};

void lh_audit_ctx_init(struct lh_audit_ctx *ctx);

/* Appends one event as a single line of JSON ending in '\n'. */
int lh_audit_render(struct lh_buf *out, enum lh_audit_event ev, const struct lh_audit_ctx *ctx);

/* Writes one rendered line (with its '\n') to dest: a file path (created 0640, appended with one
 * write()), "-" for standard output, or "syslog" (facility LOG_AUTH, ident "leakhound", the line
 * without its newline; warning level for blocked/rejected/bypassed/incomplete/deadline events,
 * info otherwise). LH_EIO with the path and errno text on failure. */
int lh_audit_write(const char *dest, enum lh_audit_event ev, const char *line, size_t len);

/* Render and write. dest NULL: nothing (returns 0). */
int lh_audit_emit(const char *dest, enum lh_audit_event ev, const struct lh_audit_ctx *ctx);

#endif
