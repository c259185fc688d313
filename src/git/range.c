/*
 * range.c - the commit-range source behind pre-push, pre-receive, ci and `git --range`: the commits
 * of `rev-list INCLUDE... --not EXCLUDE...`, each diffed against every parent.
 *
 * Construction lists the commits (one revwalk, parents before children) and the annotated tags met
 * among the includes; that is cheap and bounded by max_commits. Workers then claim whole commits
 * (an atomic index) and diff them with their own repository handle.
 *
 * The tree diff (commit against its first parent, or the empty tree for a root) is our own merge
 * walk over the two trees' sorted entries: a subtree whose id is the same on both sides is never
 * opened, so a commit costs what its changed paths cost, not what the repository's size costs
 * (libgit2's tree-to-tree diff expands every subtree of both sides). It yields the changed regular
 * files: added ones whole, modified ones with the old blob's id. Symlinks and submodules that change
 * are counted as skips. Exact renames add nothing and are dropped: a new file whose blob a deleted
 * file had (one deleted file pairs with one new one), and a new directory whose tree a deleted
 * directory had, without opening either.
 *
 * The blobs are read lazily, one at a time, when the worker yields them: a modified file's added
 * lines are its zero-context hunks against the old blob; for a merge each file is also compared
 * with the same path in every other parent and the added ranges intersected, so only lines that no
 * parent had survive (an "evil merge" is caught, a clean merge adds nothing). A file that adds no
 * line is dropped. A worker yields its commit's message first, then one chunk per changed blob,
 * holding the commit (whose author strings the chunks point into) and its parents' trees until it
 * moves on. Output order does not matter: the pipeline sorts findings.
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

#define LH_RANGE_CACHED_BLOB (256u * 1024)        /* blobs up to this stay in the object cache */
#define LH_RANGE_CACHE ((size_t)64 * 1024 * 1024) /* object cache per repository handle */

/* In a bare repository two blobs larger than this together are diffed by id: git_diff_buffers
 * hashes both sides (SHA-1DC), git_diff_blobs looks .gitattributes up (four stat calls a file);
 * hashing costs more from a few KiB on (measured: 1 000 commits of ~20 KiB files, 50 000 commits
 * of one-line files). */
#define LH_RANGE_DIFF_BY_ID (8u * 1024)

/* A changed regular file of the commit being yielded. */
struct lh_pend {
    char *path;
    git_oid blob;
    git_oid old;   /* the first parent's blob at path, when modified */
    bool modified; /* the first parent has another regular file at path: only added lines count */
};

/* One level of the tree walk: the old and new trees (either may be NULL) and the next entry of each. */
struct lh_tframe {
    git_tree *o, *n;
    size_t io, in;
    size_t plen; /* length of the path prefix (with its '/') of this level's entries */
};

/* A directory only the new tree has, walked after the main pass unless a deleted one matches. */
struct lh_newdir {
    git_oid id;
    char *path;
};

struct lh_range_worker {
    git_repository *repo;
    git_odb *odb; /* sizes are asked before a blob is read */
    git_commit *commit;
    git_tag *tag;
    git_blob *blob;
    git_tree **ptrees; /* every parent's tree (NULL where unreadable) while the commit is yielded */
    size_t n_ptrees, cap_ptrees;
    char commit_hex[LH_GIT_HEX_BUF];
    char blob_hex[LH_GIT_HEX_BUF];
    char date[32];
    bool msg_pending;
    struct lh_pend *pend;
    size_t n_pend, i_pend, cap_pend;
    struct lh_ranges cur; /* the added lines of the chunk being yielded */
    char *tag_path;
    /* tree-diff scratch, kept from commit to commit */
    struct lh_tframe *stack;
    size_t n_stack, cap_stack;
    char *pathbuf;
    size_t path_cap;
    struct lh_newdir *newdirs;
    size_t n_newdirs, cap_newdirs;
    git_oid *gonedirs;
    size_t n_gonedirs, cap_gonedirs;
    struct lh_oidmap gone; /* blob id -> regular files with it that the commit deleted */
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
    atomic_uint_fast64_t read; /* bytes of blobs and messages read, against opts.max_bytes */
    struct lh_range_worker *w;
};

/* Forgets the commit being yielded: its pending files, trees and diff scratch. */
static void lh_commit_clear(struct lh_range_worker *w)
{
    size_t i;

    for (i = 0; i < w->n_pend; i++)
        free(w->pend[i].path);
    w->n_pend = w->i_pend = 0;
    for (i = 0; i < w->n_ptrees; i++)
        git_tree_free(w->ptrees[i]);
    w->n_ptrees = 0;
    for (i = 0; i < w->n_stack; i++) {
        git_tree_free(w->stack[i].o);
        git_tree_free(w->stack[i].n);
    }
    w->n_stack = 0;
    for (i = 0; i < w->n_newdirs; i++)
        free(w->newdirs[i].path);
    w->n_newdirs = 0;
    w->n_gonedirs = 0;
    if (w->gone.len)
        lh_oidmap_release(&w->gone);
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
            lh_commit_clear(w);
            lh_oidmap_release(&w->gone);
            free(w->pend);
            free(w->ptrees);
            free(w->stack);
            free(w->pathbuf);
            free(w->newdirs);
            free(w->gonedirs);
            lh_ranges_release(&w->cur);
            free(w->tag_path);
            git_blob_free(w->blob);
            git_tag_free(w->tag);
            git_commit_free(w->commit);
            git_odb_free(w->odb);
            git_repository_free(w->repo);
        }
        free(rs->w);
    }
    free(rs->commits);
    free(rs->tags);
    free(rs);
}

static bool lh_is_file_mode(git_filemode_t m)
{
    return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE;
}

static int lh_oom(void)
{
    return lh_error_set(LH_ENOMEM, "out of memory");
}

/* Writes name (and a '/' when dir) at w->pathbuf + plen; returns the new length or 0 on ENOMEM. */
static size_t lh_path_put(struct lh_range_worker *w, size_t plen, const char *name, bool dir)
{
    size_t n = strlen(name), need = plen + n + 2;

    if (lh_array_grow((void **)&w->pathbuf, &w->path_cap, need, 1))
        return 0;
    memcpy(w->pathbuf + plen, name, n);
    if (dir)
        w->pathbuf[plen + n++] = '/';
    w->pathbuf[plen + n] = '\0';
    return plen + n;
}

static int lh_pend_push(struct lh_range_worker *w, const char *path, const git_oid *id,
                        const git_oid *old)
{
    struct lh_pend *p;

    if (lh_array_grow((void **)&w->pend, &w->cap_pend, w->n_pend + 1, sizeof(*w->pend)))
        return lh_oom();
    p = &w->pend[w->n_pend];
    memset(p, 0, sizeof(*p));
    p->path = lh_strdup(path);
    if (p->path == NULL)
        return lh_oom();
    p->blob = *id;
    if (old) {
        p->old = *old;
        p->modified = true;
    }
    w->n_pend++;
    return 0;
}

/* Pushes a level of the walk; takes o and n (freed here on failure). */
static int lh_frame_push(struct lh_range_worker *w, git_tree *o, git_tree *n, size_t plen)
{
    struct lh_tframe *f;

    if (lh_array_grow((void **)&w->stack, &w->cap_stack, w->n_stack + 1, sizeof(*w->stack))) {
        git_tree_free(o);
        git_tree_free(n);
        return lh_oom();
    }
    f = &w->stack[w->n_stack++];
    f->o = o;
    f->n = n;
    f->io = f->in = 0;
    f->plen = plen;
    return 0;
}

/* git's tree order (base_name_compare): bytes, with a directory's name compared as if it ended in
 * '/'. Entries compare equal only with the same name and the same directory-ness. */
static int lh_entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
    const unsigned char *x = (const unsigned char *)git_tree_entry_name(a);
    const unsigned char *y = (const unsigned char *)git_tree_entry_name(b);
    bool da = git_tree_entry_filemode(a) == GIT_FILEMODE_TREE;
    bool db = git_tree_entry_filemode(b) == GIT_FILEMODE_TREE;
    unsigned cx, cy;

    while (*x && *x == *y) {
        x++;
        y++;
    }
    cx = *x ? *x : da ? '/' : 0;
    cy = *y ? *y : db ? '/' : 0;
    if (cx != cy)
        return cx < cy ? -1 : 1;
    if (*x == 0 && *y == 0)
        return 0;
    /* one name ended in an implied '/', the other has a real one (a malformed name): ended first */
    return *x == 0 ? -1 : 1;
}

static int lh_gone_add(struct lh_range_worker *w, const git_oid *id)
{
    size_t *c = lh_oidmap_ref(&w->gone, id);

    if (c) {
        (*c)++;
        return 0;
    }
    return lh_oidmap_put(&w->gone, id, 1, NULL, NULL);
}

/* A non-directory entry e of the new tree that differs from old (the same-named non-directory entry
 * of the old tree, or NULL). Path: w->pathbuf. */
static int lh_leaf(struct lh_range_src *rs, struct lh_range_worker *w, const git_tree_entry *e,
                   const git_tree_entry *old)
{
    git_filemode_t m = git_tree_entry_filemode(e);
    bool old_file = old && lh_is_file_mode(git_tree_entry_filemode(old));

    if (old_file && !lh_is_file_mode(m) && lh_gone_add(w, git_tree_entry_id(old)))
        return LH_ENOMEM;
    if (m == GIT_FILEMODE_COMMIT) {
        /* submodules are not followed; a changed pointer adds no text of this repository */
        if (old == NULL || git_tree_entry_filemode(old) != GIT_FILEMODE_COMMIT)
            lh_source_skip(&rs->base, w->pathbuf, LH_SKIP_SUBMODULE);
        return 0;
    }
    if (m == GIT_FILEMODE_LINK) {
        lh_source_skip(&rs->base, w->pathbuf, LH_SKIP_SYMLINK);
        return 0;
    }
    if (!lh_is_file_mode(m))
        return 0;
    if (old_file && git_oid_equal(git_tree_entry_id(old), git_tree_entry_id(e)))
        return 0; /* only the executable bit changed */
    return lh_pend_push(w, w->pathbuf, git_tree_entry_id(e), old_file ? git_tree_entry_id(old) : NULL);
}

/* Looks up the subtree e names; reports it missing (path: w->pathbuf) and gives NULL when absent. */
static git_tree *lh_subtree(struct lh_range_src *rs, struct lh_range_worker *w,
                            const git_tree_entry *e)
{
    git_tree *t = NULL;

    if (git_tree_lookup(&t, w->repo, git_tree_entry_id(e)) < 0) {
        lh_source_skip(&rs->base, w->pathbuf, LH_SKIP_MISSING_OBJECT);
        return NULL;
    }
    return t;
}

/* Walks new tree n against old tree o (either may be NULL; both taken) below the prefix
 * w->pathbuf[0, plen). all: descend into directories only one side has (else a new one is put on
 * w->newdirs and a deleted one on w->gonedirs, for the rename pass). The stack bounds memory by the
 * tree depth, not by recursion. */
static int lh_tree_diff(struct lh_range_src *rs, struct lh_range_worker *w, git_tree *o,
                        git_tree *n, size_t plen, bool all)
{
    size_t base = w->n_stack;
    int rc;

    rc = lh_frame_push(w, o, n, plen);
    while (rc == 0 && w->n_stack > base) {
        struct lh_tframe *f = &w->stack[w->n_stack - 1];
        size_t no = f->o ? git_tree_entrycount(f->o) : 0, nn = f->n ? git_tree_entrycount(f->n) : 0;
        const git_tree_entry *eo, *en;
        git_tree *so = NULL, *sn = NULL;
        size_t fplen = f->plen, len;
        int c;

        if (f->io >= no && f->in >= nn) {
            git_tree_free(f->o);
            git_tree_free(f->n);
            w->n_stack--;
            continue;
        }
        eo = f->io < no ? git_tree_entry_byindex(f->o, f->io) : NULL;
        en = f->in < nn ? git_tree_entry_byindex(f->n, f->in) : NULL;
        c = eo == NULL ? 1 : en == NULL ? -1 : lh_entry_cmp(eo, en);
        if (c < 0) {
            /* only the old tree has it: a deletion (a rename's source) */
            f->io++;
            if (git_tree_entry_filemode(eo) == GIT_FILEMODE_TREE) {
                if (!all) {
                    if (lh_array_grow((void **)&w->gonedirs, &w->cap_gonedirs, w->n_gonedirs + 1,
                                      sizeof(*w->gonedirs)))
                        return lh_oom();
                    w->gonedirs[w->n_gonedirs++] = *git_tree_entry_id(eo);
                    continue;
                }
                len = lh_path_put(w, fplen, git_tree_entry_name(eo), true);
                if (len == 0)
                    return lh_oom();
                so = lh_subtree(rs, w, eo);
                if (so)
                    rc = lh_frame_push(w, so, NULL, len);
            } else if (lh_is_file_mode(git_tree_entry_filemode(eo))) {
                rc = lh_gone_add(w, git_tree_entry_id(eo));
            }
            continue;
        }
        f->in++;
        if (c == 0) {
            f->io++;
            if (git_oid_equal(git_tree_entry_id(eo), git_tree_entry_id(en)) &&
                git_tree_entry_filemode(eo) == git_tree_entry_filemode(en))
                continue; /* unchanged: a directory is never opened */
        } else {
            eo = NULL;
        }
        len = lh_path_put(w, fplen, git_tree_entry_name(en), false);
        if (len == 0)
            return lh_oom();
        if (git_tree_entry_filemode(en) != GIT_FILEMODE_TREE) {
            rc = lh_leaf(rs, w, en, eo);
            continue;
        }
        if (eo == NULL && !all) {
            struct lh_newdir *d;
            if (lh_array_grow((void **)&w->newdirs, &w->cap_newdirs, w->n_newdirs + 1,
                              sizeof(*w->newdirs)))
                return lh_oom();
            d = &w->newdirs[w->n_newdirs];
            d->id = *git_tree_entry_id(en);
            d->path = lh_strdup(w->pathbuf);
            if (d->path == NULL)
                return lh_oom();
            w->n_newdirs++;
            continue;
        }
        sn = lh_subtree(rs, w, en);
        if (sn == NULL)
            continue;
        /* an unreadable old side: everything below counts as new (more is scanned, never less) */
        so = eo ? lh_subtree(rs, w, eo) : NULL;
        w->pathbuf[len++] = '/';
        w->pathbuf[len] = '\0';
        rc = lh_frame_push(w, so, sn, len);
    }
    return rc;
}

/* Drops exact renames: a new directory that a deleted one had (never opened), then a whole new file
 * whose blob a deleted file had, each deleted one pairing with one new one. The other new
 * directories are walked as all new. */
static int lh_renames(struct lh_range_src *rs, struct lh_range_worker *w)
{
    struct lh_oidmap gonetrees;
    size_t i, keep, *c;
    git_tree *t;
    int rc = 0;

    lh_oidmap_init(&gonetrees);
    for (i = 0; i < w->n_gonedirs && w->n_newdirs; i++) {
        c = lh_oidmap_ref(&gonetrees, &w->gonedirs[i]);
        if (c)
            (*c)++;
        else if (lh_oidmap_put(&gonetrees, &w->gonedirs[i], 1, NULL, NULL))
            goto oom;
    }
    for (i = 0; i < w->n_newdirs; i++) {
        struct lh_newdir *d = &w->newdirs[i];
        size_t len;
        c = lh_oidmap_ref(&gonetrees, &d->id);
        if (c && *c > 0) {
            (*c)--;
            continue;
        }
        len = lh_path_put(w, 0, d->path, true);
        if (len == 0)
            goto oom;
        if (git_tree_lookup(&t, w->repo, &d->id) < 0) {
            lh_source_skip(&rs->base, d->path, LH_SKIP_MISSING_OBJECT);
            continue;
        }
        rc = lh_tree_diff(rs, w, NULL, t, len, true);
        if (rc)
            goto out;
    }
    for (i = 0, keep = 0; i < w->n_pend; i++)
        keep += !w->pend[i].modified;
    if (keep == 0)
        goto out;
    /* deleted directories no new one took whole: their files may be the sources of renames */
    for (i = 0; i < w->n_gonedirs; i++) {
        c = lh_oidmap_ref(&gonetrees, &w->gonedirs[i]);
        if (c) {
            if (*c == 0)
                continue;
            (*c)--;
        }
        if (git_tree_lookup(&t, w->repo, &w->gonedirs[i]) < 0)
            continue; /* unreadable: fewer rename sources, so more is scanned */
        rc = lh_tree_diff(rs, w, t, NULL, 0, true);
        if (rc)
            goto out;
    }
    if (w->gone.len == 0)
        goto out;
    for (i = 0, keep = 0; i < w->n_pend; i++) {
        struct lh_pend *p = &w->pend[i];
        c = p->modified ? NULL : lh_oidmap_ref(&w->gone, &p->blob);
        if (c && *c > 0) {
            (*c)--;
            free(p->path);
            continue;
        }
        w->pend[keep++] = *p;
    }
    w->n_pend = keep;
out:
    lh_oidmap_release(&gonetrees);
    return rc;
oom:
    rc = lh_oom();
    goto out;
}

/* Lists the commit's changed files in w->pend and keeps its parents' trees in w->ptrees. A missing
 * tree or first parent is reported as a skip and the commit yields its message only. */
static int lh_diff_commit(struct lh_range_src *rs, struct lh_range_worker *w)
{
    git_tree *tree = NULL, *p0 = NULL;
    git_commit *parent = NULL;
    size_t np = git_commit_parentcount(w->commit), k;
    int rc;

    if (git_commit_tree(&tree, w->commit) < 0) {
        lh_source_skip(&rs->base, w->commit_hex, LH_SKIP_MISSING_OBJECT);
        return 0;
    }
    if (lh_array_grow((void **)&w->ptrees, &w->cap_ptrees, np ? np : 1, sizeof(*w->ptrees))) {
        git_tree_free(tree);
        return lh_oom();
    }
    for (k = 0; k < np; k++) {
        git_tree *t = NULL;
        if (git_commit_parent(&parent, w->commit, (unsigned)k) < 0 || git_commit_tree(&t, parent) < 0) {
            /* a shallow boundary: the parent is not here, so neither is what it had */
            lh_source_skip(&rs->base, w->commit_hex, LH_SKIP_MISSING_OBJECT);
            t = NULL;
        }
        git_commit_free(parent);
        parent = NULL;
        w->ptrees[w->n_ptrees++] = t;
    }
    if (np > 0 && w->ptrees[0] == NULL) {
        git_tree_free(tree);
        return 0;
    }
    /* the walk takes its trees; the parents' stay held for the merge comparisons */
    if (np > 0 && git_object_dup((git_object **)&p0, (git_object *)w->ptrees[0]) < 0) {
        git_tree_free(tree);
        return lh_oom();
    }
    rc = lh_tree_diff(rs, w, p0, tree, 0, false);
    if (rc == 0)
        rc = lh_renames(rs, w);
    return rc;
}

/* Whether to diff w->blob against old by id (see LH_RANGE_DIFF_BY_ID). */
static bool lh_by_id(struct lh_range_worker *w, const git_blob *old)
{
    return git_repository_is_bare(w->repo) &&
           git_blob_rawsize(old) + git_blob_rawsize(w->blob) > LH_RANGE_DIFF_BY_ID;
}

/* The regular file tree t has at path, or NULL. */
static git_tree_entry *lh_file_at(git_tree *t, const char *path)
{
    git_tree_entry *e = NULL;

    if (t == NULL || git_tree_entry_bypath(&e, t, path) < 0)
        return NULL;
    if (!lh_is_file_mode(git_tree_entry_filemode(e))) {
        git_tree_entry_free(e);
        return NULL;
    }
    return e;
}

/* Narrows w->cur (whole: every line so far) to the lines of w->blob that other parent tree t lacks
 * at path. *whole stays true when t has no file there. LH_EINCOMPLETE when its blob is missing. */
static int lh_against_parent(struct lh_range_worker *w, git_tree *t, const char *path,
                             bool *whole)
{
    git_tree_entry *e = lh_file_at(t, path);
    git_blob *ob = NULL;
    struct lh_ranges r = {0};
    int rc = 0;

    if (e == NULL)
        return 0;
    if (git_blob_lookup(&ob, w->repo, git_tree_entry_id(e)) < 0) {
        rc = LH_EINCOMPLETE;
        goto out;
    }
    rc = lh_git__added_lines(ob, w->blob, path, lh_by_id(w, ob), &r);
    if (rc)
        goto out;
    if (*whole) {
        lh_ranges_release(&w->cur);
        w->cur = r;
        r.v = NULL;
        *whole = false;
    } else {
        lh_ranges_intersect(&w->cur, &r);
    }
out:
    lh_ranges_release(&r);
    git_blob_free(ob);
    git_tree_entry_free(e);
    return rc;
}

/* Accounts len more bytes read; LH_ELIMIT once the total passes opts.max_bytes. */
static int lh_read_budget(struct lh_range_src *rs, uint64_t len)
{
    uint64_t before = atomic_fetch_add(&rs->read, len);

    if (rs->opts.max_bytes && before + len > rs->opts.max_bytes)
        return lh_error_set(LH_ELIMIT, "the pushed commits have more than %llu bytes of changed "
                                       "files and messages to scan",
                            (unsigned long long)rs->opts.max_bytes);
    return 0;
}

/* Reads pending file p into w->blob and computes its added lines into w->cur (*whole: all of it).
 * Returns 0 with w->blob set to yield it, 0 with w->blob NULL when it adds nothing or is skipped
 * (counted), or an error. */
static int lh_pend_read(struct lh_range_src *rs, struct lh_range_worker *w, const struct lh_pend *p,
                        bool *whole)
{
    git_blob *ob = NULL;
    git_tree_entry *e;
    git_object_t type;
    const void *data;
    size_t len, k;
    int rc = 0;

    w->cur.n = 0;
    *whole = !p->modified;
    /* a merge: a parent that has this very file means no line of it is new */
    for (k = 1; k < w->n_ptrees; k++) {
        bool same;
        e = lh_file_at(w->ptrees[k], p->path);
        same = e && git_oid_equal(git_tree_entry_id(e), &p->blob);
        git_tree_entry_free(e);
        if (same)
            return 0;
    }
    /* the size first: a blob over max_size is never read (a hostile push's 1 GB file) */
    if (w->odb == NULL && git_repository_odb(&w->odb, w->repo) < 0)
        return lh_git__error(LH_EGIT, "opening the object database");
    if (git_odb_read_header(&len, &type, w->odb, &p->blob) < 0 || type != GIT_OBJECT_BLOB) {
        lh_source_skip(&rs->base, p->path, LH_SKIP_MISSING_OBJECT);
        return 0;
    }
    if (len > rs->opts.max_size) {
        lh_source_skip(&rs->base, p->path, LH_SKIP_TOO_LARGE);
        return 0;
    }
    rc = lh_read_budget(rs, len);
    if (rc)
        return rc;
    if (git_blob_lookup(&w->blob, w->repo, &p->blob) < 0) {
        lh_source_skip(&rs->base, p->path, LH_SKIP_MISSING_OBJECT);
        return 0;
    }
    data = git_blob_rawcontent(w->blob);
    len = (size_t)git_blob_rawsize(w->blob);
    if (len > rs->opts.max_size || (!rs->opts.scan_binary && lh_is_binary(data, len))) {
        lh_source_skip(&rs->base, p->path,
                       len > rs->opts.max_size ? LH_SKIP_TOO_LARGE : LH_SKIP_BINARY);
        goto drop;
    }
    if (p->modified) {
        if (git_blob_lookup(&ob, w->repo, &p->old) < 0) {
            lh_source_skip(&rs->base, p->path, LH_SKIP_MISSING_OBJECT);
            goto drop;
        }
        rc = lh_git__added_lines(ob, w->blob, p->path, lh_by_id(w, ob), &w->cur);
        git_blob_free(ob);
        if (rc)
            goto drop;
    }
    for (k = 1; k < w->n_ptrees && (*whole || w->cur.n); k++) {
        rc = lh_against_parent(w, w->ptrees[k], p->path, whole);
        if (rc == LH_EINCOMPLETE) {
            lh_source_skip(&rs->base, p->path, LH_SKIP_MISSING_OBJECT);
            rc = 0;
        } else if (rc) {
            goto drop;
        }
    }
    if (*whole || w->cur.n)
        return 0;
drop:
    git_blob_free(w->blob);
    w->blob = NULL;
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
    lh_commit_clear(w);
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
            rc = lh_read_budget(rs, out->len);
            if (rc)
                return rc;
            atomic_fetch_add(&rs->bytes, out->len);
            return 0;
        }
        if (w->commit && w->i_pend < w->n_pend) {
            struct lh_pend *p = &w->pend[w->i_pend++];
            bool whole;
            rc = lh_pend_read(rs, w, p, &whole);
            if (rc)
                return rc;
            if (w->blob == NULL)
                continue;
            git_oid_tostr(w->blob_hex, sizeof(w->blob_hex), &p->blob);
            out->data = git_blob_rawcontent(w->blob);
            out->len = (size_t)git_blob_rawsize(w->blob);
            out->path = p->path;
            out->added = whole ? NULL : w->cur.v;
            out->n_added = whole ? 0 : w->cur.n;
            out->blob_id = w->blob_hex;
            lh_fill_commit_meta(w, out);
            atomic_fetch_add(&rs->bytes, out->len);
            return 0;
        }
        {
            size_t t = atomic_fetch_add(&rs->next, 1);
            if (t >= rs->n_tags + rs->n_commits) {
                lh_commit_clear(w);
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
    atomic_init(&rs->read, 0);
    rs->w = lh_calloc(rs->base.workers, sizeof(*rs->w));
    if (rs->w == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    rc = lh_range_walk(rs, range);
    if (rc)
        goto fail;
    /* a modified file's old blob is usually a blob an earlier commit of the range changed: keep
     * blobs of up to LH_RANGE_CACHED_BLOB in each handle's object cache (libgit2 caches none by
     * default), the cache as a whole bounded by LH_RANGE_CACHE */
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_BLOB, (size_t)LH_RANGE_CACHED_BLOB);
    git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)LH_RANGE_CACHE);
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
