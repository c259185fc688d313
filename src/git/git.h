/*
 * git.h - git repositories as sources of chunks: staged changes (pre-commit), commit ranges
 * (pre-push, pre-receive, ci, `git --range`), and whole histories (`git --all`), plus the small
 * pieces the hooks need (ref-update parsers, revision resolution, the hooks directory).
 *
 * Only this module includes git2.h; everything it hands out is a struct lh_chunk (src/util/chunk.h)
 * or plain C data. Usage:
 *
 *     struct lh_git_repo *r; struct lh_source *src;
 *     lh_git_init();                                      once per process, after git_libgit2_init
 *     lh_git_repo_open(&r, NULL, LH_GIT_OPEN_FROM_ENV);   a hook: GIT_DIR, quarantine, GIT_INDEX_FILE
 *     lh_git_staged_source_new(&src, r, &opts);           or _range_ / _history_
 *     ... run src through the pipeline ...
 *     src->ops->free(src); lh_git_repo_free(r);
 *
 * Opening. Hook modes open with GIT_REPOSITORY_OPEN_FROM_ENV, so a temporary index
 * ($GIT_INDEX_FILE under `git commit -a` / `git commit <paths>`) and git's push quarantine
 * ($GIT_OBJECT_DIRECTORY, $GIT_ALTERNATE_OBJECT_DIRECTORIES) are seen exactly as git sees them. Bare
 * repositories and linked worktrees work. Every source opens one extra repository handle per worker
 * the same way (two threads sharing one object database are slower than one, lock contention).
 *
 * Owner validation (safe.directory). lh_git_init() turns libgit2's owner validation off. That check
 * exists because git runs programs named in a repository's config (core.fsmonitor, hooks, filters);
 * leakhound reads objects, refs and the index and never runs anything a repository's config names,
 * never applies filters or textconv, and never writes, so reading a repository owned by another user
 * (a CI checkout made by another uid, a server hook, an auditor scanning a copy) is safe. The one
 * command that writes, `install`, asks lh_git_repo_open() for LH_GIT_OPEN_OWNER_CHECK and so refuses
 * a repository git itself would refuse.
 *
 * Reads are read-only: no source writes the index, refs, objects or the working tree.
 *
 * Missing objects (shallow or partial clones, broken repositories) are reported through
 * lh_source_skip(..., LH_SKIP_MISSING_OBJECT) and the scan goes on; the run is then incomplete.
 *
 * Threads: a struct lh_git_repo is used by one thread at a time. Sources are safe for concurrent
 * next()/release() with distinct worker indexes (each worker owns its repository handle).
 */
#ifndef LH_GIT_GIT_H
#define LH_GIT_GIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/chunk.h"

/* Longest hex object id (SHA-256), plus one for the NUL. */
#define LH_GIT_HEX_MAX 64
#define LH_GIT_HEX_BUF (LH_GIT_HEX_MAX + 1)

/* Sets process-wide libgit2 options for read-only scanning: owner validation off (see above),
 * strict hash verification off (we never write, and verifying doubles read cost), a larger object
 * cache. Call after git_libgit2_init(). Returns 0 or LH_EGIT. */
int lh_git_init(void);

enum {
    LH_GIT_OPEN_FROM_ENV = 1 << 0,    /* honour GIT_DIR, GIT_INDEX_FILE, GIT_OBJECT_DIRECTORY, ... */
    LH_GIT_OPEN_SEARCH = 1 << 1,      /* search upwards from path for a repository */
    LH_GIT_OPEN_OWNER_CHECK = 1 << 2, /* refuse a repository owned by someone else (writers) */
};

struct lh_git_repo;

/* Opens the repository at path (NULL: "."). LH_ENOTFOUND when there is none, LH_EGIT otherwise. */
int lh_git_repo_open(struct lh_git_repo **out, const char *path, unsigned flags);
void lh_git_repo_free(struct lh_git_repo *r);
/* The git directory (with a trailing slash), and the working tree or NULL when bare. */
const char *lh_git_repo_gitdir(const struct lh_git_repo *r);
const char *lh_git_repo_workdir(const struct lh_git_repo *r);
bool lh_git_repo_is_shallow(const struct lh_git_repo *r);

/* Resolves a revision (hex id, ref name, HEAD~2, ...) and peels it to a commit; writes the hex id.
 * LH_ENOTFOUND when it does not name an object that exists here (a shallow clone lacking a base). */
int lh_git_resolve_commit(struct lh_git_repo *r, const char *rev, char out[LH_GIT_HEX_BUF]);
/* True when the object with this hex id exists (in the quarantine too). */
bool lh_git_has_object(struct lh_git_repo *r, const char *hex);
/* The remote's default branch as a ref name: refs/remotes/<remote>/HEAD's target, else the first of
 * refs/remotes/<remote>/{main,master}, refs/heads/{main,master} that exists. LH_ENOTFOUND if none.
 * remote NULL means "origin". */
int lh_git_default_branch(struct lh_git_repo *r, const char *remote, char *out, size_t out_len);

/* The hooks directory git would use, as `git rev-parse --git-path hooks` computes it: core.hooksPath
 * from the repository's config (relative values are relative to the working tree, or the git
 * directory when bare; ~/ expands), else <common git dir>/hooks. global: only the global config's
 * core.hooksPath (LH_ENOTFOUND when unset). r may be NULL with global. *shadowed is set when a
 * repository-local core.hooksPath hides a global one. Writes at most out_len bytes. */
int lh_git_hooks_dir(struct lh_git_repo *r, bool global, char *out, size_t out_len, bool *shadowed);

/* True for an all-zero id of 40 (SHA-1) or 64 (SHA-256) hex digits: git's "no object". */
bool lh_git_is_zero_id(const char *hex, size_t len);
/* True for 40 or 64 hex digits. */
bool lh_git_is_hex_id(const char *hex, size_t len);

/* ---- ref updates (pure parsers, no repository: fuzzable) ------------------------------------ */

struct lh_git_ref_update {
    char old_id[LH_GIT_HEX_BUF]; /* pre-receive: old; pre-push: the remote's current id */
    char new_id[LH_GIT_HEX_BUF]; /* pre-receive: new; pre-push: the local id being pushed */
    char *ref;                   /* pre-receive: the ref; pre-push: the remote ref */
    char *local_ref;             /* pre-push only: the local ref (NULL for pre-receive) */
};

struct lh_git_ref_updates {
    struct lh_git_ref_update *items;
    size_t len;
    size_t cap;
};

void lh_git_ref_updates_release(struct lh_git_ref_updates *u);

/* Parses pre-receive (and post-receive, update) stdin: lines "<old> <new> <ref>\n". Ids are 40 or
 * 64 hex digits; a final line without "\n" is accepted; blank lines are ignored; anything else is
 * LH_EINVALID naming the line. At most max_lines lines (0: no limit): more is LH_ELIMIT. Appends to
 * *out (initialize it zeroed); on error *out holds what parsed before the bad line. */
int lh_git_parse_ref_updates(struct lh_git_ref_updates *out, const void *data, size_t len,
                             size_t max_lines);
/* Parses pre-push stdin: "<local ref> <local id> <remote ref> <remote id>\n" (same rules). */
int lh_git_parse_push_updates(struct lh_git_ref_updates *out, const void *data, size_t len,
                              size_t max_lines);

/* ---- GitHub Actions event (pure parser, no repository: fuzzable) ---------------------------- */

/* Largest event file `leakhound ci` reads. $GITHUB_EVENT_PATH holds the event's webhook payload,
 * and GitHub caps webhook payloads at 25 MB (it does not deliver larger ones); 25 MiB covers either
 * reading of "MB", and anything larger is not a file GitHub wrote. */
#define LH_GIT_EVENT_MAX_SIZE (25u * 1024 * 1024)

enum lh_git_event_kind {
    LH_GIT_EVENT_PUSH = 0,     /* push, and every event that is not a pull request */
    LH_GIT_EVENT_PULL_REQUEST, /* pull_request, pull_request_target, ... */
};

/* What a CI run is about. Held by value: lh_git_event_init / lh_git_event_release. */
struct lh_git_event {
    enum lh_git_event_kind kind;
    char *base;           /* pull_request.base.sha, or the push's "before" (all zeros: a new
                             branch); 40/64 hex digits as written, or NULL when absent */
    char *head;           /* pull_request.head.sha, or the push's "after" (all zeros: a deletion) */
    char *default_branch; /* repository.default_branch (a branch name), or NULL */
};

void lh_git_event_init(struct lh_git_event *ev);
/* Frees the strings and empties ev; accepts an initialized or released ev. */
void lh_git_event_release(struct lh_git_event *ev);

/* Reads the JSON GitHub Actions writes to $GITHUB_EVENT_PATH (data[0..len), one object). With an
 * event_name starting with "pull_request" (or NULL) and a "pull_request" member, the result is a
 * pull request (head/base from pull_request.{head,base}.sha); otherwise a push ("after"/"before";
 * both NULL for events without them, such as workflow_dispatch). Absent and null members give NULL
 * fields. Invalid JSON, trailing bytes, a top level that is not an object, a member of the wrong
 * type, an id that is not 40/64 hex digits, and an empty or control-character default branch are
 * LH_EINVALID naming the member; more than INT_MAX bytes is LH_ELIMIT. *out is initialized here,
 * owns copies of every string, and is empty on failure. Thread-safe (no shared state). */
int lh_git_event_parse(struct lh_git_event *out, const char *event_name, const void *data,
                       size_t len);

/* ---- sources ------------------------------------------------------------------------------- */

struct lh_git_source_opts {
    uint64_t max_size;   /* blobs larger are skipped (LH_SKIP_TOO_LARGE); 0: LH_DEFAULT_MAX_FILE_SIZE */
    bool scan_binary;    /* scan blobs that look binary (skipped and counted by default) */
    unsigned workers;    /* worker indexes next() will see; 0: 1 */
    size_t max_commits;  /* range: more new commits than this is LH_ELIMIT; 0: no limit */
    int64_t deadline_ns; /* range/history setup: CLOCK_MONOTONIC ns after which setup stops with
                            LH_EDEADLINE; 0: none */
    bool no_messages;    /* range: do not yield commit and tag messages */
    uint64_t max_bytes;  /* range: reading more bytes of changed blobs and messages than this makes
                            next() fail with LH_ELIMIT (a blob skipped as too large is not read and
                            does not count); 0: no limit */
};

/* Staged changes: HEAD's tree (the empty tree on an unborn branch) against the index, reading index
 * blobs, never the working tree. The index file (v2-v4) is read directly and directories its cache
 * tree shows unchanged are never opened; other indexes go through libgit2 (a split index is an
 * LH_EGIT error either way: libgit2 1.5 does not read one). Added and modified regular files and executables yield a chunk
 * (LH_SRC_INDEX) with the ranges of added lines (NULL for a new file: every line counts).
 * Deletions, intent-to-add entries, submodules (skipped and counted) and symlinks (counted) yield
 * nothing. Conflicted paths are not scanned; lh_git_staged_conflicts() lists them. */
int lh_git_staged_source_new(struct lh_source **out, struct lh_git_repo *repo,
                             const struct lh_git_source_opts *opts);
/* Number of conflicted (unmerged) paths in the index; *paths (may be NULL) points at them, owned by
 * the source. */
size_t lh_git_staged_conflicts(const struct lh_source *src, const char *const **paths);
/* Number of changed paths the staged source will look at (after the diff, before skips). */
size_t lh_git_staged_count(const struct lh_source *src);

/* A set of commits, as `git rev-list INCLUDE... --not EXCLUDE...` would select them. */
struct lh_git_range {
    const char *const *include; /* revisions; annotated tags are peeled and their message scanned */
    size_t n_include;
    const char *const *exclude; /* revisions to hide */
    size_t n_exclude;
    bool exclude_all_refs;      /* also hide every ref (`--not --all`), as pre-receive does */
    const char *exclude_remote; /* also hide refs/remotes/<name>/ * (`--not --remotes=NAME`) */
};

/* Every commit in the range against each parent (the empty tree for a root commit): each changed
 * blob whole with the ranges of lines added relative to EVERY parent (so a merge yields only what
 * no parent had: an "evil merge"), commit messages and annotated tag messages (path
 * "<commit message>" / "<tag message>"), all LH_SRC_COMMIT with commit, author, email, date
 * (ISO 8601 UTC). An unknown include or exclude is LH_ENOTFOUND naming it; an include whose objects
 * are missing is LH_EINCOMPLETE. The commits are listed at construction (bounded by max_commits:
 * exceeding it is LH_ELIMIT, never truncation); diffs are computed lazily by the workers, subtrees
 * with the same id on both sides are never opened, and each changed blob is read once per commit
 * that changes it (blobs are not deduplicated across commits). */
int lh_git_range_source_new(struct lh_source **out, struct lh_git_repo *repo,
                            const struct lh_git_range *range,
                            const struct lh_git_source_opts *opts);
/* Number of commits the range selected. */
size_t lh_git_range_source_commits(const struct lh_source *src);

/* Every blob reachable from any ref (branches, tags, remotes, notes, stash; HEAD too), each unique
 * blob once, no added-line restriction, in pack offset order (delta chains stay warm), plus every
 * reachable commit's message and annotated tag messages. Chunks carry the blob id and the first path
 * the blob was seen at; attribute findings afterwards with lh_git_provenance(). */
int lh_git_history_source_new(struct lh_source **out, struct lh_git_repo *repo,
                              const struct lh_git_source_opts *opts);

struct lh_git_progress {
    uint64_t items_total; /* chunks the source will yield at most */
    uint64_t items_done;
    uint64_t bytes_done;
};

/* A snapshot of a range or history source's progress; safe to call from another thread while the
 * workers run. */
void lh_git_source_progress(const struct lh_source *src, struct lh_git_progress *out);

/* ---- provenance ---------------------------------------------------------------------------- */

/* The commit that introduced a blob at a path. */
struct lh_git_origin {
    char *commit; /* hex; NULL when no reachable commit introduced the blob */
    char *path;
    char *author;
    char *author_email;
    char *date;   /* ISO 8601 UTC */
};

/* For each blob id (hex) finds the earliest commit (parents before children, then commit time)
 * reachable from any ref whose tree has the blob at a path where no parent had it, and that path.
 * Walks every commit once, comparing trees by id (unchanged subtrees are never opened), so it costs
 * about what listing every commit's changed paths costs. *out receives n origins in the order of
 * blob_ids; free with lh_git_origins_free(). */
int lh_git_provenance(struct lh_git_origin **out, struct lh_git_repo *repo,
                      const char *const *blob_ids, size_t n);
void lh_git_origins_free(struct lh_git_origin *o, size_t n);

#endif
