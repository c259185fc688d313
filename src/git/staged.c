/*
 * staged.c - the pre-commit source: HEAD's tree (the empty tree on an unborn branch) against the
 * index, as `git diff --cached` sees it, reading the index's blobs and never the working tree (so
 * `git add -p` partial staging is scanned exactly as it will be committed).
 *
 * The diff is made once at construction, single-threaded (a commit touches few files); workers then
 * load blobs with their own repository handles. Items that must be skipped are kept in the list and
 * reported from next(), because the pipeline installs the skip callback only when the run starts.
 * Invariant: read-only; the index is read, never written (git_repository_index does not refresh
 * or write it).
 */
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct lh_staged_item {
    char *path;
    git_oid id;
    struct lh_ranges ranges;
    bool whole; /* a new file: every line counts */
    int skip;   /* -1, or the lh_skip_reason to report */
};

struct lh_staged_worker {
    git_repository *repo;
    git_blob *blob;
    char hex[LH_GIT_HEX_BUF];
};

struct lh_staged_src {
    struct lh_source base;
    struct lh_git_repo *repo; /* not owned */
    struct lh_git_source_opts opts;
    struct lh_staged_item *items;
    size_t n_items, cap_items;
    char **conflicts;
    size_t n_conflicts, cap_conflicts;
    atomic_size_t next;
    struct lh_staged_worker *w;
    struct lh_staged_item *cur; /* the item file_cb is filling */
    git_index *index;
};

static void lh_staged_free(struct lh_source *s)
{
    struct lh_staged_src *st = (struct lh_staged_src *)s;
    size_t i;

    if (st == NULL)
        return;
    for (i = 0; i < st->n_items; i++) {
        free(st->items[i].path);
        lh_ranges_release(&st->items[i].ranges);
    }
    free(st->items);
    for (i = 0; i < st->n_conflicts; i++)
        free(st->conflicts[i]);
    free(st->conflicts);
    if (st->w) {
        for (i = 0; i < st->base.workers; i++) {
            git_blob_free(st->w[i].blob);
            git_repository_free(st->w[i].repo);
        }
        free(st->w);
    }
    git_index_free(st->index);
    free(st);
}

static int lh_staged_next(struct lh_source *s, unsigned wi, struct lh_chunk *out)
{
    struct lh_staged_src *st = (struct lh_staged_src *)s;
    struct lh_staged_worker *w = &st->w[wi];
    int rc;

    for (;;) {
        size_t i = atomic_fetch_add(&st->next, 1);
        struct lh_staged_item *it;
        const void *data;
        size_t len;

        if (i >= st->n_items)
            return LH_ITEROVER;
        it = &st->items[i];
        if (it->skip >= 0) {
            lh_source_skip(s, it->path, (enum lh_skip_reason)it->skip);
            continue;
        }
        if (w->repo == NULL) {
            rc = lh_git__reopen(st->repo, &w->repo);
            if (rc)
                return rc;
        }
        rc = git_blob_lookup(&w->blob, w->repo, &it->id);
        if (rc < 0) {
            lh_source_skip(s, it->path, LH_SKIP_MISSING_OBJECT);
            continue;
        }
        data = git_blob_rawcontent(w->blob);
        len = (size_t)git_blob_rawsize(w->blob);
        if (len > st->opts.max_size) {
            lh_source_skip(s, it->path, LH_SKIP_TOO_LARGE);
            git_blob_free(w->blob);
            w->blob = NULL;
            continue;
        }
        if (!st->opts.scan_binary && lh_is_binary(data, len)) {
            lh_source_skip(s, it->path, LH_SKIP_BINARY);
            git_blob_free(w->blob);
            w->blob = NULL;
            continue;
        }
        git_oid_tostr(w->hex, sizeof(w->hex), &it->id);
        memset(out, 0, sizeof(*out));
        out->data = data;
        out->len = len;
        out->path = it->path;
        out->kind = LH_SRC_INDEX;
        out->added = it->whole ? NULL : it->ranges.v;
        out->n_added = it->whole ? 0 : it->ranges.n;
        out->blob_id = w->hex;
        return 0;
    }
}

static void lh_staged_release(struct lh_source *s, unsigned wi, struct lh_chunk *c)
{
    struct lh_staged_src *st = (struct lh_staged_src *)s;

    (void)c;
    git_blob_free(st->w[wi].blob);
    st->w[wi].blob = NULL;
}

static const struct lh_source_ops lh_staged_ops = {lh_staged_next, lh_staged_release, lh_staged_free};

static bool lh_is_conflicted(const struct lh_staged_src *st, const char *path)
{
    size_t i;

    for (i = 0; i < st->n_conflicts; i++)
        if (strcmp(st->conflicts[i], path) == 0)
            return true;
    return false;
}

static int lh_staged_file_cb(const git_diff_delta *d, float progress, void *payload)
{
    struct lh_staged_src *st = payload;
    struct lh_staged_item *it;
    const git_index_entry *ie;
    const char *path = d->new_file.path ? d->new_file.path : d->old_file.path;

    (void)progress;
    st->cur = NULL;
    if (d->status == GIT_DELTA_DELETED || d->status == GIT_DELTA_UNMODIFIED ||
        d->status == GIT_DELTA_CONFLICTED || lh_is_conflicted(st, path))
        return 0;
    if (d->new_file.mode != GIT_FILEMODE_BLOB && d->new_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE &&
        d->new_file.mode != GIT_FILEMODE_LINK && d->new_file.mode != GIT_FILEMODE_COMMIT)
        return 0;
    ie = git_index_get_bypath(st->index, path, 0);
    if (ie && (ie->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD))
        return 0; /* `git add -N`: nothing is staged yet */
    if (lh_array_grow((void **)&st->items, &st->cap_items, st->n_items + 1, sizeof(*st->items)))
        return lh_error_set(LH_ENOMEM, "out of memory"), GIT_EUSER;
    it = &st->items[st->n_items];
    memset(it, 0, sizeof(*it));
    it->path = lh_strdup(path);
    if (it->path == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory"), GIT_EUSER;
    st->n_items++;
    it->id = d->new_file.id;
    it->skip = -1;
    if (d->new_file.mode == GIT_FILEMODE_COMMIT)
        it->skip = LH_SKIP_SUBMODULE;
    else if (d->new_file.mode == GIT_FILEMODE_LINK)
        it->skip = LH_SKIP_SYMLINK;
    it->whole = d->status == GIT_DELTA_ADDED ||
                (d->old_file.mode != GIT_FILEMODE_BLOB &&
                 d->old_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE);
    if (it->skip < 0 && !it->whole)
        st->cur = it;
    return 0;
}

static int lh_staged_hunk_cb(const git_diff_delta *d, const git_diff_hunk *h, void *payload)
{
    struct lh_staged_src *st = payload;

    if (st->cur == NULL)
        return 0;
    return lh_git__hunk_cb(d, h, &st->cur->ranges);
}

static int lh_collect_conflicts(struct lh_staged_src *st)
{
    git_index_conflict_iterator *it = NULL;
    const git_index_entry *a, *o, *t;
    int rc = 0;

    if (!git_index_has_conflicts(st->index))
        return 0;
    if (git_index_conflict_iterator_new(&it, st->index) < 0)
        return lh_git__error(LH_EGIT, "reading the index conflicts");
    while (git_index_conflict_next(&a, &o, &t, it) == 0) {
        const char *p = o ? o->path : t ? t->path : a ? a->path : NULL;
        if (p == NULL)
            continue;
        if (lh_array_grow((void **)&st->conflicts, &st->cap_conflicts, st->n_conflicts + 1,
                          sizeof(*st->conflicts))) {
            rc = lh_error_set(LH_ENOMEM, "out of memory");
            break;
        }
        st->conflicts[st->n_conflicts] = lh_strdup(p);
        if (st->conflicts[st->n_conflicts] == NULL) {
            rc = lh_error_set(LH_ENOMEM, "out of memory");
            break;
        }
        st->n_conflicts++;
    }
    git_index_conflict_iterator_free(it);
    return rc;
}

int lh_git_staged_source_new(struct lh_source **out, struct lh_git_repo *repo,
                             const struct lh_git_source_opts *opts)
{
    struct lh_staged_src *st;
    git_object *head = NULL;
    git_tree *tree = NULL;
    git_diff *diff = NULL;
    git_diff_options dopts;
    int rc, grc;

    *out = NULL;
    st = lh_calloc(1, sizeof(*st));
    if (st == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    st->base.ops = &lh_staged_ops;
    if (opts)
        st->opts = *opts;
    if (st->opts.max_size == 0)
        st->opts.max_size = LH_DEFAULT_MAX_FILE_SIZE;
    st->base.workers = st->opts.workers ? st->opts.workers : 1;
    st->repo = repo;
    atomic_init(&st->next, 0);

    if (git_repository_is_bare(repo->repo)) {
        rc = lh_error_set(LH_EINVALID, "%s: a bare repository has no index to scan",
                          repo->gitdir);
        goto fail;
    }
    if (git_repository_index(&st->index, repo->repo) < 0) {
        rc = lh_git__error(LH_EGIT, "reading the index");
        goto fail;
    }
    grc = git_revparse_single(&head, repo->repo, "HEAD^{tree}");
    if (grc == 0) {
        tree = (git_tree *)head;
        head = NULL;
    } else if (grc != GIT_ENOTFOUND && !git_repository_head_unborn(repo->repo)) {
        rc = lh_git__error(LH_EINCOMPLETE, "reading HEAD's tree");
        goto fail;
    }
    rc = lh_collect_conflicts(st);
    if (rc)
        goto fail;
    lh_git__diff_opts(&dopts);
    if (git_diff_tree_to_index(&diff, repo->repo, tree, st->index, &dopts) < 0) {
        rc = lh_git__error(LH_EGIT, "diffing HEAD against the index");
        goto fail;
    }
    grc = git_diff_foreach(diff, lh_staged_file_cb, NULL, lh_staged_hunk_cb, NULL, st);
    if (grc < 0) {
        rc = grc == GIT_EUSER ? LH_ENOMEM : lh_git__error(LH_EGIT, "computing the staged diff");
        goto fail;
    }
    {
        /* a modified file whose change only deletes lines adds nothing to scan */
        size_t i, k = 0;
        for (i = 0; i < st->n_items; i++) {
            struct lh_staged_item *it = &st->items[i];
            if (it->skip < 0 && !it->whole && it->ranges.n == 0) {
                free(it->path);
                lh_ranges_release(&it->ranges);
                continue;
            }
            st->items[k++] = *it;
        }
        st->n_items = k;
    }
    st->w = lh_calloc(st->base.workers, sizeof(*st->w));
    if (st->w == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    git_diff_free(diff);
    git_tree_free(tree);
    *out = &st->base;
    return 0;
fail:
    git_diff_free(diff);
    git_tree_free(tree);
    git_object_free(head);
    lh_staged_free(&st->base);
    return rc;
}

size_t lh_git_staged_conflicts(const struct lh_source *src, const char *const **paths)
{
    const struct lh_staged_src *st = (const struct lh_staged_src *)src;

    if (paths)
        *paths = (const char *const *)st->conflicts;
    return st->n_conflicts;
}

size_t lh_git_staged_count(const struct lh_source *src)
{
    return ((const struct lh_staged_src *)src)->n_items;
}
