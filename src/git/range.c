/*
 * range.c - the commit-range source behind pre-push, pre-receive, ci and `git --range`: the commits
 * of `rev-list INCLUDE... --not EXCLUDE...`, each diffed against every parent.
 *
 * Construction lists the commits (one revwalk, parents before children) and the annotated tags met
 * among the includes; that is cheap and bounded by max_commits. Workers then claim whole commits
 * (an atomic index) and diff them with their own repository handle: tree against first parent
 * (the empty tree for a root) finds the changed paths; a modified path's added lines come from its
 * zero-context hunks; for a merge each remaining path is diffed against the same path in every
 * other parent and the added ranges are intersected, so only lines that no parent had survive (an
 * "evil merge" is caught, a clean merge adds nothing). A worker yields its commit's message first,
 * then one chunk per changed blob, holding the commit (whose author strings the chunks point into)
 * until it moves on. Output order does not matter: the pipeline sorts findings.
 * Invariant: read-only.
 */
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lh_pend {
    char *path;
    git_oid blob;
    struct lh_ranges ranges;
    bool whole;
};

struct lh_range_worker {
    git_repository *repo;
    git_commit *commit;
    git_tag *tag;
    git_blob *blob;
    char commit_hex[LH_GIT_HEX_BUF];
    char blob_hex[LH_GIT_HEX_BUF];
    char date[32];
    bool msg_pending;
    struct lh_pend *pend;
    size_t n_pend, i_pend, cap_pend;
    char *tag_path;
};

struct lh_range_src {
    struct lh_source base;
    struct lh_git_repo *repo; /* not owned */
    struct lh_git_source_opts opts;
    git_oid *commits;
    size_t n_commits, cap_commits;
    git_oid *tags;
    size_t n_tags, cap_tags;
    atomic_size_t next;
    atomic_uint_fast64_t done, bytes;
    struct lh_range_worker *w;
};

static void lh_pend_clear(struct lh_range_worker *w)
{
    size_t i;

    for (i = 0; i < w->n_pend; i++) {
        free(w->pend[i].path);
        lh_ranges_release(&w->pend[i].ranges);
    }
    w->n_pend = w->i_pend = 0;
}

static void lh_range_free(struct lh_source *s)
{
    struct lh_range_src *rs = (struct lh_range_src *)s;
    unsigned i;

    if (rs == NULL)
        return;
    if (rs->w) {
        for (i = 0; i < rs->base.workers; i++) {
            struct lh_range_worker *w = &rs->w[i];
            lh_pend_clear(w);
            free(w->pend);
            free(w->tag_path);
            git_blob_free(w->blob);
            git_tag_free(w->tag);
            git_commit_free(w->commit);
            git_repository_free(w->repo);
        }
        free(rs->w);
    }
    free(rs->commits);
    free(rs->tags);
    free(rs);
}

static int lh_pend_push(struct lh_range_worker *w, const char *path, const git_oid *id, bool whole)
{
    struct lh_pend *p;

    if (lh_array_grow((void **)&w->pend, &w->cap_pend, w->n_pend + 1, sizeof(*w->pend)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    p = &w->pend[w->n_pend];
    memset(p, 0, sizeof(*p));
    p->path = lh_strdup(path);
    if (p->path == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    p->blob = *id;
    p->whole = whole;
    w->n_pend++;
    return 0;
}

static bool lh_is_file_mode(git_filemode_t m)
{
    return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/* The added ranges of new_id at path relative to tree `other` (whole when other lacks it). Sets
 * *same when other has the identical blob at that path. */
static int lh_ranges_against(struct lh_range_worker *w, git_tree *other, const char *path,
                             const git_oid *new_id, struct lh_ranges *out, bool *whole, bool *same)
{
    git_tree_entry *e = NULL;
    git_blob *ob = NULL, *nb = NULL;
    git_diff_options o;
    int rc = 0;

    *whole = false;
    *same = false;
    if (git_tree_entry_bypath(&e, other, path) < 0 || !lh_is_file_mode(git_tree_entry_filemode(e))) {
        *whole = true;
        goto out;
    }
    if (git_oid_equal(git_tree_entry_id(e), new_id)) {
        *same = true;
        goto out;
    }
    if (git_blob_lookup(&ob, w->repo, git_tree_entry_id(e)) < 0 ||
        git_blob_lookup(&nb, w->repo, new_id) < 0) {
        rc = LH_EINCOMPLETE;
        goto out;
    }
    lh_git__diff_opts(&o);
    if (git_diff_blobs(ob, path, nb, path, &o, NULL, NULL, lh_git__hunk_cb, NULL, out) < 0)
        rc = lh_error_last()[0] ? LH_ENOMEM : lh_git__error(LH_EGIT, "diffing a blob");
out:
    git_blob_free(ob);
    git_blob_free(nb);
    git_tree_entry_free(e);
    return rc;
}

/* Fills w->pend with the commit's changed blobs and their added ranges. A missing parent or object
 * is reported as a skip and the commit yields what it can. */
static int lh_diff_commit(struct lh_range_src *rs, struct lh_range_worker *w)
{
    git_tree *tree = NULL, *p0 = NULL, *pk = NULL;
    git_commit *parent = NULL;
    git_diff *diff = NULL;
    git_diff_options o;
    git_diff_find_options fo;
    unsigned np = git_commit_parentcount(w->commit), k;
    size_t i, n, keep;
    int rc = 0;

    if (git_commit_tree(&tree, w->commit) < 0) {
        lh_source_skip(&rs->base, w->commit_hex, LH_SKIP_MISSING_OBJECT);
        goto out;
    }
    if (np > 0) {
        if (git_commit_parent(&parent, w->commit, 0) < 0 || git_commit_tree(&p0, parent) < 0) {
            /* a shallow boundary: the parent is not here, so neither is what it had */
            lh_source_skip(&rs->base, w->commit_hex, LH_SKIP_MISSING_OBJECT);
            goto out;
        }
        git_commit_free(parent);
        parent = NULL;
    }
    lh_git__diff_opts(&o);
    if (git_diff_tree_to_tree(&diff, w->repo, p0, tree, &o) < 0) {
        lh_source_skip(&rs->base, w->commit_hex, LH_SKIP_MISSING_OBJECT);
        goto out;
    }
    /* an exact rename adds no line; finding them costs no blob reads */
    git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
    fo.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_EXACT_MATCH_ONLY;
    git_diff_find_similar(diff, &fo);
    n = git_diff_num_deltas(diff);
    for (i = 0; i < n; i++) {
        const git_diff_delta *d = git_diff_get_delta(diff, i);
        bool whole;
        if (d->status == GIT_DELTA_DELETED || d->status == GIT_DELTA_UNMODIFIED)
            continue;
        if (d->new_file.mode == GIT_FILEMODE_COMMIT) {
            lh_source_skip(&rs->base, d->new_file.path, LH_SKIP_SUBMODULE);
            continue;
        }
        if (d->new_file.mode == GIT_FILEMODE_LINK) {
            lh_source_skip(&rs->base, d->new_file.path, LH_SKIP_SYMLINK);
            continue;
        }
        if (!lh_is_file_mode(d->new_file.mode))
            continue;
        if ((d->status == GIT_DELTA_RENAMED || d->status == GIT_DELTA_COPIED) &&
            git_oid_equal(&d->old_file.id, &d->new_file.id))
            continue;
        whole = d->status == GIT_DELTA_ADDED || d->status == GIT_DELTA_RENAMED ||
                d->status == GIT_DELTA_COPIED || !lh_is_file_mode(d->old_file.mode);
        rc = lh_pend_push(w, d->new_file.path, &d->new_file.id, whole);
        if (rc)
            goto out;
        if (!whole) {
            git_patch *patch = NULL;
            size_t h, nh;
            if (git_patch_from_diff(&patch, diff, i) < 0 || patch == NULL) {
                lh_source_skip(&rs->base, d->new_file.path, LH_SKIP_MISSING_OBJECT);
                git_patch_free(patch);
                w->pend[w->n_pend - 1].ranges.n = 0;
                continue;
            }
            nh = git_patch_num_hunks(patch);
            for (h = 0; h < nh && rc == 0; h++) {
                const git_diff_hunk *hk = NULL;
                size_t nl;
                if (git_patch_get_hunk(&hk, &nl, patch, h) == 0 && hk->new_lines > 0)
                    rc = lh_ranges_add(&w->pend[w->n_pend - 1].ranges, (uint32_t)hk->new_start,
                                       (uint32_t)(hk->new_start + hk->new_lines - 1));
            }
            git_patch_free(patch);
            if (rc)
                goto out;
        }
    }
    /* a merge: keep only lines that are new relative to every other parent too */
    for (k = 1; k < np; k++) {
        if (git_commit_parent(&parent, w->commit, k) < 0 || git_commit_tree(&pk, parent) < 0) {
            lh_source_skip(&rs->base, w->commit_hex, LH_SKIP_MISSING_OBJECT);
            git_commit_free(parent);
            parent = NULL;
            continue;
        }
        for (i = 0; i < w->n_pend; i++) {
            struct lh_pend *p = &w->pend[i];
            struct lh_ranges r = {0};
            bool whole, same;
            if (!p->whole && p->ranges.n == 0)
                continue;
            rc = lh_ranges_against(w, pk, p->path, &p->blob, &r, &whole, &same);
            if (rc == LH_EINCOMPLETE) {
                lh_source_skip(&rs->base, p->path, LH_SKIP_MISSING_OBJECT);
                rc = 0;
            } else if (rc) {
                lh_ranges_release(&r);
                goto out;
            } else if (same) {
                p->whole = false;
                p->ranges.n = 0;
            } else if (!whole) {
                if (p->whole) {
                    lh_ranges_release(&p->ranges);
                    p->ranges = r;
                    p->whole = false;
                    r.v = NULL;
                } else {
                    lh_ranges_intersect(&p->ranges, &r);
                }
            }
            lh_ranges_release(&r);
        }
        git_tree_free(pk);
        pk = NULL;
        git_commit_free(parent);
        parent = NULL;
    }
    /* drop what adds nothing (a change that only deletes lines) */
    for (i = 0, keep = 0; i < w->n_pend; i++) {
        if (!w->pend[i].whole && w->pend[i].ranges.n == 0) {
            free(w->pend[i].path);
            lh_ranges_release(&w->pend[i].ranges);
            continue;
        }
        w->pend[keep++] = w->pend[i];
    }
    w->n_pend = keep;
out:
    git_diff_free(diff);
    git_commit_free(parent);
    git_tree_free(pk);
    git_tree_free(p0);
    git_tree_free(tree);
    return rc;
}

static void lh_fill_commit_meta(struct lh_range_worker *w, struct lh_chunk *out)
{
    const git_signature *a = git_commit_author(w->commit);

    out->kind = LH_SRC_COMMIT;
    out->commit = w->commit_hex;
    if (a) {
        out->author = a->name;
        out->author_email = a->email;
        lh_git__iso8601(w->date, &a->when);
        out->date = w->date;
    }
}

/* Starts task t (tags first, then commits). */
static int lh_range_start(struct lh_range_src *rs, struct lh_range_worker *w, size_t t)
{
    git_commit_free(w->commit);
    w->commit = NULL;
    git_tag_free(w->tag);
    w->tag = NULL;
    lh_pend_clear(w);
    w->msg_pending = false;
    if (t < rs->n_tags) {
        const char *name;
        if (git_tag_lookup(&w->tag, w->repo, &rs->tags[t]) < 0) {
            char hex[LH_GIT_HEX_BUF];
            git_oid_tostr(hex, sizeof(hex), &rs->tags[t]);
            lh_source_skip(&rs->base, hex, LH_SKIP_MISSING_OBJECT);
            return 0;
        }
        name = git_tag_name(w->tag);
        free(w->tag_path);
        w->tag_path = NULL;
        {
            size_t n = strlen(name ? name : "") + 32;
            w->tag_path = lh_malloc(n);
            if (w->tag_path == NULL)
                return lh_error_set(LH_ENOMEM, "out of memory");
            snprintf(w->tag_path, n, "<tag message %s>", name ? name : "");
        }
        w->msg_pending = !rs->opts.no_messages;
        return 0;
    }
    t -= rs->n_tags;
    git_oid_tostr(w->commit_hex, sizeof(w->commit_hex), &rs->commits[t]);
    if (git_commit_lookup(&w->commit, w->repo, &rs->commits[t]) < 0) {
        lh_source_skip(&rs->base, w->commit_hex, LH_SKIP_MISSING_OBJECT);
        return 0;
    }
    w->msg_pending = !rs->opts.no_messages;
    return lh_diff_commit(rs, w);
}

static int lh_range_next(struct lh_source *s, unsigned wi, struct lh_chunk *out)
{
    struct lh_range_src *rs = (struct lh_range_src *)s;
    struct lh_range_worker *w = &rs->w[wi];
    int rc;

    if (w->repo == NULL) {
        rc = lh_git__reopen(rs->repo, &w->repo);
        if (rc)
            return rc;
    }
    for (;;) {
        memset(out, 0, sizeof(*out));
        if (w->msg_pending) {
            w->msg_pending = false;
            if (w->tag) {
                const git_signature *t = git_tag_tagger(w->tag);
                const char *m = git_tag_message(w->tag);
                if (m == NULL || *m == '\0')
                    continue;
                out->data = (const unsigned char *)m;
                out->len = strlen(m);
                out->path = w->tag_path;
                out->kind = LH_SRC_COMMIT;
                git_oid_tostr(w->commit_hex, sizeof(w->commit_hex), git_tag_target_id(w->tag));
                out->commit = w->commit_hex;
                if (t) {
                    out->author = t->name;
                    out->author_email = t->email;
                    lh_git__iso8601(w->date, &t->when);
                    out->date = w->date;
                }
            } else {
                const char *m = git_commit_message(w->commit);
                if (m == NULL || *m == '\0')
                    continue;
                out->data = (const unsigned char *)m;
                out->len = strlen(m);
                out->path = "<commit message>";
                lh_fill_commit_meta(w, out);
            }
            atomic_fetch_add(&rs->bytes, out->len);
            return 0;
        }
        if (w->commit && w->i_pend < w->n_pend) {
            struct lh_pend *p = &w->pend[w->i_pend++];
            const void *data;
            size_t len;
            if (git_blob_lookup(&w->blob, w->repo, &p->blob) < 0) {
                lh_source_skip(s, p->path, LH_SKIP_MISSING_OBJECT);
                continue;
            }
            data = git_blob_rawcontent(w->blob);
            len = (size_t)git_blob_rawsize(w->blob);
            if (len > rs->opts.max_size || (!rs->opts.scan_binary && lh_is_binary(data, len))) {
                lh_source_skip(s, p->path, len > rs->opts.max_size ? LH_SKIP_TOO_LARGE
                                                                   : LH_SKIP_BINARY);
                git_blob_free(w->blob);
                w->blob = NULL;
                continue;
            }
            git_oid_tostr(w->blob_hex, sizeof(w->blob_hex), &p->blob);
            out->data = data;
            out->len = len;
            out->path = p->path;
            out->added = p->whole ? NULL : p->ranges.v;
            out->n_added = p->whole ? 0 : p->ranges.n;
            out->blob_id = w->blob_hex;
            lh_fill_commit_meta(w, out);
            atomic_fetch_add(&rs->bytes, len);
            return 0;
        }
        {
            size_t t = atomic_fetch_add(&rs->next, 1);
            if (t >= rs->n_tags + rs->n_commits) {
                lh_pend_clear(w);
                return LH_ITEROVER;
            }
            rc = lh_range_start(rs, w, t);
            atomic_fetch_add(&rs->done, 1);
            if (rc)
                return rc;
        }
    }
}

static void lh_range_release(struct lh_source *s, unsigned wi, struct lh_chunk *c)
{
    struct lh_range_src *rs = (struct lh_range_src *)s;

    (void)c;
    git_blob_free(rs->w[wi].blob);
    rs->w[wi].blob = NULL;
}

static const struct lh_source_ops lh_range_ops = {lh_range_next, lh_range_release, lh_range_free};

static int lh_push_oid(git_oid **v, size_t *n, size_t *cap, const git_oid *id)
{
    if (lh_array_grow((void **)v, cap, *n + 1, sizeof(**v)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    (*v)[(*n)++] = *id;
    return 0;
}

static int64_t lh_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Resolves rev to an object; LH_ENOTFOUND naming it when absent. */
static int lh_rev_object(git_object **out, git_repository *repo, const char *rev)
{
    git_oid id;
    int rc;

    if (lh_git_is_hex_id(rev, strlen(rev)) && git_oid_fromstr(&id, rev) == 0)
        rc = git_object_lookup(out, repo, &id, GIT_OBJECT_ANY);
    else
        rc = git_revparse_single(out, repo, rev);
    if (rc < 0)
        return lh_error_set(LH_ENOTFOUND, "%s: no such object in this repository", rev);
    return 0;
}

static int lh_range_walk(struct lh_range_src *rs, const struct lh_git_range *range)
{
    git_repository *repo = rs->repo->repo;
    git_revwalk *walk = NULL;
    git_object *obj = NULL, *peeled = NULL;
    git_oid id;
    size_t i;
    int rc = 0, grc, pushed = 0;

    if (git_revwalk_new(&walk, repo) < 0)
        return lh_git__error(LH_EGIT, "starting the revision walk");
    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
    for (i = 0; i < range->n_include; i++) {
        rc = lh_rev_object(&obj, repo, range->include[i]);
        if (rc)
            goto out;
        if (git_object_type(obj) == GIT_OBJECT_TAG) {
            /* an annotated tag: scan its message; tags of tags are peeled one by one */
            git_object *cur = obj, *next = NULL;
            git_object_dup(&cur, obj);
            while (cur && git_object_type(cur) == GIT_OBJECT_TAG) {
                rc = lh_push_oid(&rs->tags, &rs->n_tags, &rs->cap_tags, git_object_id(cur));
                if (rc) {
                    git_object_free(cur);
                    goto out;
                }
                if (git_tag_target(&next, (git_tag *)cur) < 0)
                    next = NULL;
                git_object_free(cur);
                cur = next;
            }
            git_object_free(cur);
        }
        if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0) {
            if (git_revwalk_push(walk, git_object_id(peeled)) < 0) {
                rc = lh_git__error(LH_EINCOMPLETE, range->include[i]);
                goto out;
            }
            pushed++;
        }
        git_object_free(peeled);
        peeled = NULL;
        git_object_free(obj);
        obj = NULL;
    }
    for (i = 0; i < range->n_exclude; i++) {
        rc = lh_rev_object(&obj, repo, range->exclude[i]);
        if (rc)
            goto out;
        if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0 &&
            git_revwalk_hide(walk, git_object_id(peeled)) < 0) {
            rc = lh_git__error(LH_EINCOMPLETE, range->exclude[i]);
            goto out;
        }
        git_object_free(peeled);
        peeled = NULL;
        git_object_free(obj);
        obj = NULL;
    }
    if (range->exclude_all_refs && git_revwalk_hide_glob(walk, "refs/*") < 0) {
        rc = lh_git__error(LH_EGIT, "hiding the existing refs");
        goto out;
    }
    if (range->exclude_remote) {
        char glob[512];
        snprintf(glob, sizeof(glob), "refs/remotes/%s/*", range->exclude_remote);
        if (git_revwalk_hide_glob(walk, glob) < 0) {
            rc = lh_git__error(LH_EGIT, "hiding the remote's refs");
            goto out;
        }
    }
    if (pushed == 0)
        goto out;
    for (;;) {
        grc = git_revwalk_next(&id, walk);
        if (grc == GIT_ITEROVER)
            break;
        if (grc < 0) {
            rc = lh_git__error(LH_EINCOMPLETE, "walking the commits (objects are missing; is this "
                                               "a shallow clone?)");
            goto out;
        }
        if (rs->opts.max_commits && rs->n_commits >= rs->opts.max_commits) {
            rc = lh_error_set(LH_ELIMIT, "more than %zu new commits (--max-commits)",
                              rs->opts.max_commits);
            goto out;
        }
        if (rs->opts.deadline_ns && (rs->n_commits & 255) == 0 && lh_mono_ns() > rs->opts.deadline_ns) {
            rc = lh_error_set(LH_EDEADLINE, "the deadline passed while listing commits");
            goto out;
        }
        rc = lh_push_oid(&rs->commits, &rs->n_commits, &rs->cap_commits, &id);
        if (rc)
            goto out;
    }
out:
    git_object_free(peeled);
    git_object_free(obj);
    git_revwalk_free(walk);
    return rc;
}

int lh_git_range_source_new(struct lh_source **out, struct lh_git_repo *repo,
                            const struct lh_git_range *range, const struct lh_git_source_opts *opts)
{
    struct lh_range_src *rs;
    int rc;

    *out = NULL;
    rs = lh_calloc(1, sizeof(*rs));
    if (rs == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    rs->base.ops = &lh_range_ops;
    if (opts)
        rs->opts = *opts;
    if (rs->opts.max_size == 0)
        rs->opts.max_size = LH_DEFAULT_MAX_FILE_SIZE;
    rs->base.workers = rs->opts.workers ? rs->opts.workers : 1;
    rs->repo = repo;
    atomic_init(&rs->next, 0);
    atomic_init(&rs->done, 0);
    atomic_init(&rs->bytes, 0);
    rs->w = lh_calloc(rs->base.workers, sizeof(*rs->w));
    if (rs->w == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    rc = lh_range_walk(rs, range);
    if (rc)
        goto fail;
    *out = &rs->base;
    return 0;
fail:
    lh_range_free(&rs->base);
    return rc;
}

size_t lh_git_range_source_commits(const struct lh_source *src)
{
    return ((const struct lh_range_src *)src)->n_commits;
}

void lh_git__range_progress(const struct lh_source *src, struct lh_git_progress *out)
{
    const struct lh_range_src *rs = (const struct lh_range_src *)src;

    out->items_total = rs->n_tags + rs->n_commits;
    out->items_done = atomic_load(&((struct lh_range_src *)rs)->done);
    out->bytes_done = atomic_load(&((struct lh_range_src *)rs)->bytes);
}

bool lh_git__is_range(const struct lh_source *src)
{
    return src->ops == &lh_range_ops;
}
