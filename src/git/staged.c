/*
 * staged.c - the pre-commit source: HEAD's tree (the empty tree on an unborn branch) against the
 * index, as `git diff --cached` sees it, reading the index's blobs and never the working tree (so
 * `git add -p` partial staging is scanned exactly as it will be committed).
 *
 * The changed paths are listed once at construction, single-threaded. The index file is read here
 * directly (versions 2 to 4) together with its cache tree (the TREE extension, which git keeps up
 * to date and `git commit` itself writes trees from): a directory whose cached tree id is HEAD's
 * subtree id, with as many entries as the cache says, is skipped without opening a tree, so a
 * commit of a few files costs what those files' directories cost, not what the repository's size
 * costs. An index this reader does not take (a split or sparse index, a required extension it
 * does not know, anything malformed) is left to libgit2's HEAD-to-index diff, which gives the same
 * list the slow way. Workers then read each changed blob once with their own repository handles;
 * a modified file's added lines are its zero-context hunks against HEAD's blob, computed when it is
 * yielded (a change that only deletes lines yields nothing). Items that must be skipped are kept in
 * the list and reported from next(), because the pipeline installs the skip callback only when the
 * run starts.
 * Invariant: read-only; the index file is read, never locked or written.
 */
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool lh_git__staged_no_fast;

struct lh_staged_item {
    char *path;
    git_oid id;
    git_oid old;   /* HEAD's blob at path, when modified */
    bool modified; /* HEAD has another regular file at path: only added lines count */
    int skip;      /* -1, or the lh_skip_reason to report */
};

struct lh_staged_worker {
    git_repository *repo;
    git_blob *blob;
    struct lh_ranges cur;
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
    git_index *index; /* the libgit2 path only */
};

static void lh_staged_free(struct lh_source *s)
{
    struct lh_staged_src *st = (struct lh_staged_src *)s;
    size_t i;

    if (st == NULL)
        return;
    for (i = 0; i < st->n_items; i++)
        free(st->items[i].path);
    free(st->items);
    for (i = 0; i < st->n_conflicts; i++)
        free(st->conflicts[i]);
    free(st->conflicts);
    if (st->w) {
        for (i = 0; i < st->base.workers; i++) {
            git_blob_free(st->w[i].blob);
            lh_ranges_release(&st->w[i].cur);
            git_repository_free(st->w[i].repo);
        }
        free(st->w);
    }
    git_index_free(st->index);
    free(st);
}

/* Drops w->blob; returns rc. */
static int lh_staged_drop(struct lh_staged_worker *w, int rc)
{
    git_blob_free(w->blob);
    w->blob = NULL;
    return rc;
}

static int lh_staged_next(struct lh_source *s, unsigned wi, struct lh_chunk *out)
{
    struct lh_staged_src *st = (struct lh_staged_src *)s;
    struct lh_staged_worker *w = &st->w[wi];
    int rc;

    for (;;) {
        size_t i = atomic_fetch_add(&st->next, 1);
        struct lh_staged_item *it;
        git_blob *ob = NULL;
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
        if (git_blob_lookup(&w->blob, w->repo, &it->id) < 0) {
            lh_source_skip(s, it->path, LH_SKIP_MISSING_OBJECT);
            continue;
        }
        data = git_blob_rawcontent(w->blob);
        len = (size_t)git_blob_rawsize(w->blob);
        if (len > st->opts.max_size || (!st->opts.scan_binary && lh_is_binary(data, len))) {
            lh_source_skip(s, it->path, len > st->opts.max_size ? LH_SKIP_TOO_LARGE : LH_SKIP_BINARY);
            lh_staged_drop(w, 0);
            continue;
        }
        w->cur.n = 0;
        if (it->modified) {
            if (git_blob_lookup(&ob, w->repo, &it->old) < 0) {
                lh_source_skip(s, it->path, LH_SKIP_MISSING_OBJECT);
                lh_staged_drop(w, 0);
                continue;
            }
            rc = lh_git__added_lines(ob, w->blob, it->path, false, &w->cur);
            git_blob_free(ob);
            if (rc)
                return lh_staged_drop(w, rc);
            if (w->cur.n == 0) {
                lh_staged_drop(w, 0); /* the change only deletes lines */
                continue;
            }
        }
        git_oid_tostr(w->hex, sizeof(w->hex), &it->id);
        memset(out, 0, sizeof(*out));
        out->data = data;
        out->len = len;
        out->path = it->path;
        out->kind = LH_SRC_INDEX;
        out->added = it->modified ? w->cur.v : NULL;
        out->n_added = it->modified ? w->cur.n : 0;
        out->blob_id = w->hex;
        return 0;
    }
}

static void lh_staged_release(struct lh_source *s, unsigned wi, struct lh_chunk *c)
{
    struct lh_staged_src *st = (struct lh_staged_src *)s;

    (void)c;
    lh_staged_drop(&st->w[wi], 0);
}

static const struct lh_source_ops lh_staged_ops = {lh_staged_next, lh_staged_release, lh_staged_free};

static bool lh_is_file_mode(unsigned m)
{
    return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/* Records a changed index entry (path, id, mode) against HEAD's entry old (NULL: HEAD has none
 * there), as `git diff --cached` would list it: submodules and symlinks as counted skips, regular
 * files whole when new and as a modification against HEAD's blob otherwise; a gitlink that moved
 * and a mode-only change add nothing. */
static int lh_staged_add(struct lh_staged_src *st, const char *path, size_t len, const git_oid *id,
                         unsigned mode, const git_oid *old_id, unsigned old_mode)
{
    struct lh_staged_item *it;
    bool old_file = old_id && lh_is_file_mode(old_mode);

    if (old_id && old_mode == mode && git_oid_equal(old_id, id))
        return 0;
    if (mode == GIT_FILEMODE_COMMIT && old_id && old_mode == GIT_FILEMODE_COMMIT)
        return 0; /* submodules are not followed (GIT_DIFF_IGNORE_SUBMODULES) */
    if (mode != GIT_FILEMODE_COMMIT && mode != GIT_FILEMODE_LINK && !lh_is_file_mode(mode))
        return 0;
    if (lh_is_file_mode(mode) && old_file && git_oid_equal(old_id, id))
        return 0; /* only the executable bit changed */
    if (lh_array_grow((void **)&st->items, &st->cap_items, st->n_items + 1, sizeof(*st->items)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    it = &st->items[st->n_items];
    memset(it, 0, sizeof(*it));
    it->path = lh_strndup(path, len);
    if (it->path == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    st->n_items++;
    it->id = *id;
    it->skip = mode == GIT_FILEMODE_COMMIT ? LH_SKIP_SUBMODULE
               : mode == GIT_FILEMODE_LINK ? LH_SKIP_SYMLINK
                                           : -1;
    if (it->skip < 0 && old_file) {
        it->modified = true;
        it->old = *old_id;
    }
    return 0;
}

static int lh_add_conflict(struct lh_staged_src *st, const char *p, size_t len)
{
    if (st->n_conflicts && strlen(st->conflicts[st->n_conflicts - 1]) == len &&
        memcmp(st->conflicts[st->n_conflicts - 1], p, len) == 0)
        return 0; /* the same path's other stage */
    if (lh_array_grow((void **)&st->conflicts, &st->cap_conflicts, st->n_conflicts + 1,
                      sizeof(*st->conflicts)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    st->conflicts[st->n_conflicts] = lh_strndup(p, len);
    if (st->conflicts[st->n_conflicts] == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    st->n_conflicts++;
    return 0;
}

/* ---- the index file, read directly ------------------------------------------------------- */

#define LH_IX_DECLINE 1         /* not an index this reader takes: use libgit2 */
#define LH_IX_MAX_DEPTH 4096u   /* directory levels walked here (git's core.maxTreeDepth is 4096) */
#define LH_IX_OID_RAW 20u       /* SHA-1: libgit2 1.5 reads no other repositories */

struct lh_ixent {
    size_t off, len; /* the path in lh_index.paths */
    git_oid id;
    unsigned mode;
    unsigned stage;
    bool ita; /* intent to add (`git add -N`): nothing staged yet */
};

/* A cache-tree node; nodes are in pre-order, end is the index just past its subtree. */
struct lh_ctnode {
    const unsigned char *name;
    size_t name_len;
    long count; /* entries below it, or -1 when invalidated */
    size_t n_sub, end;
    git_oid id;
};

struct lh_index {
    unsigned char *buf;
    size_t len;
    char *paths;
    size_t paths_len, paths_cap;
    struct lh_ixent *e;
    size_t n;
    struct lh_ctnode *ct;
    size_t n_ct, cap_ct;
};

static void lh_index_release(struct lh_index *ix)
{
    free(ix->buf);
    free(ix->paths);
    free(ix->e);
    free(ix->ct);
    memset(ix, 0, sizeof(*ix));
}

static uint32_t lh_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned lh_be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* The index file libgit2 opens for r: $GIT_INDEX_FILE in hook mode, else <git dir>/index. */
static int lh_index_read(struct lh_index *ix, const struct lh_git_repo *r)
{
    const char *f = (r->flags & LH_GIT_OPEN_FROM_ENV) ? getenv("GIT_INDEX_FILE") : NULL;
    char *path = NULL;
    struct stat sb;
    size_t got = 0;
    int fd, rc = LH_IX_DECLINE;

    if (f && *f)
        path = lh_strdup(f);
    else if (r->gitdir) {
        size_t n = strlen(r->gitdir) + sizeof("index");
        path = lh_malloc(n);
        if (path)
            snprintf(path, n, "%sindex", r->gitdir);
    }
    if (path == NULL)
        return LH_IX_DECLINE;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return LH_IX_DECLINE;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < 32)
        goto out;
    ix->len = (size_t)sb.st_size;
    ix->buf = lh_malloc(ix->len);
    if (ix->buf == NULL)
        goto out;
    while (got < ix->len) {
        ssize_t k = read(fd, ix->buf + got, ix->len - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            goto out;
        got += (size_t)k;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}

/* Appends a path: na bytes of the arena at offset a (the previous path's prefix), then b. */
static int lh_paths_put(struct lh_index *ix, size_t a, size_t na, const char *b, size_t nb)
{
    size_t need = ix->paths_len + na + nb + 1;

    if (lh_array_grow((void **)&ix->paths, &ix->paths_cap, need, 1))
        return LH_IX_DECLINE;
    memmove(ix->paths + ix->paths_len, ix->paths + a, na);
    memcpy(ix->paths + ix->paths_len + na, b, nb);
    ix->paths[ix->paths_len + na + nb] = '\0';
    ix->paths_len = need;
    return 0;
}

/* A decimal (optionally negative) ending at stop; advances *p past stop. */
static int lh_ct_num(const unsigned char **p, const unsigned char *end, int stop, long *out)
{
    const unsigned char *q = *p;
    bool neg = false;
    long v = 0;

    if (q < end && *q == '-') {
        neg = true;
        q++;
    }
    if (q >= end || *q < '0' || *q > '9')
        return LH_IX_DECLINE;
    while (q < end && *q >= '0' && *q <= '9' && v < 100000000L)
        v = v * 10 + (*q++ - '0');
    if (q >= end || *q != stop)
        return LH_IX_DECLINE;
    *p = q + 1;
    *out = neg ? -v : v;
    return 0;
}

/* One cache-tree node and its subtrees (pre-order). */
static int lh_ct_parse(struct lh_index *ix, const unsigned char **pp, const unsigned char *end,
                       unsigned depth)
{
    const unsigned char *p = *pp, *nul = memchr(p, 0, (size_t)(end - p));
    struct lh_ctnode *c;
    long count, n_sub, k;
    size_t me;

    if (nul == NULL || depth > LH_IX_MAX_DEPTH)
        return LH_IX_DECLINE;
    if (lh_array_grow((void **)&ix->ct, &ix->cap_ct, ix->n_ct + 1, sizeof(*ix->ct)))
        return LH_IX_DECLINE;
    me = ix->n_ct++;
    c = &ix->ct[me];
    c->name = p;
    c->name_len = (size_t)(nul - p);
    p = nul + 1;
    if (lh_ct_num(&p, end, ' ', &count) || lh_ct_num(&p, end, '\n', &n_sub) || n_sub < 0)
        return LH_IX_DECLINE;
    c->count = count < 0 ? -1 : count;
    c->n_sub = (size_t)n_sub;
    if (count >= 0) {
        if ((size_t)(end - p) < LH_IX_OID_RAW)
            return LH_IX_DECLINE;
        git_oid_fromraw(&c->id, p);
        p += LH_IX_OID_RAW;
    }
    for (k = 0; k < n_sub; k++) {
        int rc = lh_ct_parse(ix, &p, end, depth + 1);
        if (rc)
            return rc;
    }
    ix->ct[me].end = ix->n_ct;
    *pp = p;
    return 0;
}

static unsigned lh_ix_mode(uint32_t m)
{
    switch (m & 0170000) {
    case 0100000:
        return (m & 0100) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
    case 0120000:
        return GIT_FILEMODE_LINK;
    case 0160000:
        return GIT_FILEMODE_COMMIT;
    default:
        return 0; /* a sparse directory entry or garbage */
    }
}

/* Parses the entries and the cache tree. LH_IX_DECLINE for anything it does not take. */
static int lh_index_parse(struct lh_index *ix)
{
    const unsigned char *p = ix->buf, *end = ix->buf + ix->len - LH_IX_OID_RAW;
    size_t prev = 0, prev_len = 0, i;
    uint32_t ver, n;

    if (memcmp(p, "DIRC", 4) != 0)
        return LH_IX_DECLINE;
    ver = lh_be32(p + 4);
    n = lh_be32(p + 8);
    p += 12;
    if (ver < 2 || ver > 4 || n > (size_t)(end - p) / 62)
        return LH_IX_DECLINE;
    ix->e = lh_calloc(n ? n : 1, sizeof(*ix->e));
    if (ix->e == NULL)
        return LH_IX_DECLINE;
    for (i = 0; i < n; i++) {
        const unsigned char *ent = p, *nul;
        struct lh_ixent *e = &ix->e[i];
        unsigned flags, xflags = 0;
        size_t hdr = 62, len;

        if (end - p < 62)
            return LH_IX_DECLINE;
        flags = lh_be16(p + 60);
        if (flags & 0x4000) {
            if (ver < 3 || end - p < 64)
                return LH_IX_DECLINE;
            xflags = lh_be16(p + 62);
            hdr = 64;
        }
        e->mode = lh_ix_mode(lh_be32(p + 24));
        if (e->mode == 0)
            return LH_IX_DECLINE;
        git_oid_fromraw(&e->id, p + 40);
        e->stage = (flags >> 12) & 3;
        e->ita = (xflags & 0x2000) != 0;
        p += hdr;
        e->off = ix->paths_len;
        if (ver == 4) {
            /* prefix-compressed: strip N bytes of the previous path, append a NUL-ended suffix */
            size_t strip = *p & 127;
            while (p < end && (*p & 128)) {
                p++;
                if (p >= end || strip > ((size_t)1 << 40))
                    return LH_IX_DECLINE;
                strip = ((strip + 1) << 7) | (*p & 127);
            }
            p++;
            if (p >= end || strip > prev_len)
                return LH_IX_DECLINE;
            nul = memchr(p, 0, (size_t)(end - p));
            if (nul == NULL)
                return LH_IX_DECLINE;
            len = prev_len - strip + (size_t)(nul - p);
            if (lh_paths_put(ix, prev, prev_len - strip, (const char *)p, (size_t)(nul - p)))
                return LH_IX_DECLINE;
            p = nul + 1;
        } else {
            nul = memchr(p, 0, (size_t)(end - p));
            if (nul == NULL)
                return LH_IX_DECLINE;
            len = (size_t)(nul - p);
            if (((flags & 0xfff) != 0xfff && (flags & 0xfff) != len) ||
                lh_paths_put(ix, 0, 0, (const char *)p, len))
                return LH_IX_DECLINE;
            /* 1 to 8 NULs pad the entry to a multiple of 8 bytes */
            p = ent + ((hdr + len + 8) & ~(size_t)7);
            if (p > end)
                return LH_IX_DECLINE;
        }
        e->len = len;
        if (len == 0)
            return LH_IX_DECLINE;
        if (i > 0) {
            /* the walk relies on git's order: by path, then stage */
            const struct lh_ixent *q = &ix->e[i - 1];
            size_t m = q->len < len ? q->len : len;
            int c = memcmp(ix->paths + q->off, ix->paths + e->off, m);
            if (c > 0 || (c == 0 && (q->len > len || (q->len == len && q->stage >= e->stage))))
                return LH_IX_DECLINE;
        }
        prev = e->off;
        prev_len = len;
    }
    ix->n = n;
    /* extensions: an optional one (upper case) is skipped unless it is the cache tree; a required
     * one (a split index's link, a sparse index's sdir) means libgit2 must read this index */
    while (end - p >= 8) {
        const unsigned char *sig = p;
        size_t sz = lh_be32(p + 4);
        p += 8;
        if (sz > (size_t)(end - p) || sig[0] < 'A' || sig[0] > 'Z')
            return LH_IX_DECLINE;
        if (memcmp(sig, "TREE", 4) == 0 && sz > 0) {
            const unsigned char *q = p;
            if (lh_ct_parse(ix, &q, p + sz, 0))
                ix->n_ct = 0; /* not trusted: every directory is compared */
        }
        p += sz;
    }
    return p == end ? 0 : LH_IX_DECLINE;
}

/* The child of cache-tree node ct named name, or -1. */
static long lh_ct_child(const struct lh_index *ix, long ct, const char *name, size_t len)
{
    size_t c, k;

    if (ct < 0 || (size_t)ct >= ix->n_ct)
        return -1;
    c = (size_t)ct + 1;
    for (k = 0; k < ix->ct[ct].n_sub && c < ix->n_ct; k++) {
        if (ix->ct[c].name_len == len && memcmp(ix->ct[c].name, name, len) == 0)
            return (long)c;
        c = ix->ct[c].end;
    }
    return -1;
}

/* git's tree order between a tree entry and an index path component (name, len, dir). */
static int lh_name_cmp(const git_tree_entry *te, const char *name, size_t len, bool dir)
{
    const unsigned char *a = (const unsigned char *)git_tree_entry_name(te);
    const unsigned char *b = (const unsigned char *)name;
    bool da = git_tree_entry_filemode(te) == GIT_FILEMODE_TREE;
    unsigned ca, cb;
    size_t i = 0;

    while (a[i] && i < len && a[i] == b[i])
        i++;
    ca = a[i] ? a[i] : da ? '/' : 0;
    cb = i < len ? b[i] : dir ? '/' : 0;
    if (ca != cb)
        return ca < cb ? -1 : 1;
    if (a[i] == 0 && i == len)
        return 0;
    return a[i] == 0 ? -1 : 1;
}

/* True when cache-tree node ct says the index entries [lo, hi) make exactly the tree id. */
static bool lh_ct_same(const struct lh_index *ix, long ct, size_t lo, size_t hi, const git_oid *id)
{
    return ct >= 0 && ix->ct[ct].count >= 0 && (size_t)ix->ct[ct].count == hi - lo &&
           git_oid_equal(&ix->ct[ct].id, id);
}

/* Compares HEAD's tree t (NULL: none) with the index entries [lo, hi), which all lie below the
 * directory whose path is their first plen bytes; ct is that directory's cache-tree node or -1.
 * A subdirectory the cache tree shows unchanged is passed over before its tree is opened. */
static int lh_ix_walk(struct lh_staged_src *st, const struct lh_index *ix, git_tree *t, long ct,
                      size_t plen, size_t lo, size_t hi, unsigned depth)
{
    size_t nt = t ? git_tree_entrycount(t) : 0, ti = 0, i = lo;
    int rc = 0;

    if (depth > LH_IX_MAX_DEPTH)
        return LH_IX_DECLINE;
    if (t && lh_ct_same(ix, ct, lo, hi, git_tree_id(t)))
        return 0; /* the index has exactly HEAD's tree here */
    while (rc == 0 && (i < hi || ti < nt)) {
        const git_tree_entry *te = ti < nt ? git_tree_entry_byindex(t, ti) : NULL;
        const struct lh_ixent *e = i < hi ? &ix->e[i] : NULL;
        const char *path = e ? ix->paths + e->off : NULL, *name = NULL, *sl = NULL;
        size_t len = 0, j = i + 1;
        int c;

        if (e) {
            name = path + plen;
            sl = memchr(name, '/', e->len - plen);
            len = sl ? (size_t)(sl - name) : e->len - plen;
            /* the entries of this subdirectory, or this path's other stages */
            while (j < hi && ix->e[j].len >= plen + len + (sl != NULL) &&
                   memcmp(ix->paths + ix->e[j].off, path, plen + len + (sl != NULL)) == 0 &&
                   (sl != NULL || ix->e[j].len == e->len))
                j++;
        }
        c = te == NULL ? 1 : e == NULL ? -1 : lh_name_cmp(te, name, len, sl != NULL);
        if (c < 0) {
            ti++; /* only HEAD has it: a deletion adds nothing */
            continue;
        }
        if (c == 0)
            ti++;
        else
            te = NULL;
        if (sl) {
            git_tree *sub = NULL;
            long cc = lh_ct_child(ix, ct, name, len);
            if (te && lh_ct_same(ix, cc, i, j, git_tree_entry_id(te))) {
                i = j;
                continue;
            }
            if (te && git_tree_lookup(&sub, st->repo->repo, git_tree_entry_id(te)) < 0)
                return lh_git__error(LH_EINCOMPLETE, "reading HEAD's tree");
            rc = lh_ix_walk(st, ix, sub, cc, plen + len + 1, i, j, depth + 1);
            git_tree_free(sub);
        } else if (e->stage == 0 && !e->ita) {
            rc = lh_staged_add(st, path, e->len, &e->id, e->mode, te ? git_tree_entry_id(te) : NULL,
                               te ? (unsigned)git_tree_entry_filemode(te) : 0);
        }
        i = j;
    }
    return rc;
}

/* The fast path: 0, an error, or LH_IX_DECLINE (nothing listed; use libgit2). */
static int lh_staged_fast(struct lh_staged_src *st, git_tree *head)
{
    struct lh_index ix;
    size_t i;
    int rc;

    memset(&ix, 0, sizeof(ix));
    rc = lh_index_read(&ix, st->repo);
    if (rc == 0)
        rc = lh_index_parse(&ix);
    for (i = 0; rc == 0 && i < ix.n; i++) {
        if (ix.e[i].stage)
            rc = lh_add_conflict(st, ix.paths + ix.e[i].off, ix.e[i].len);
    }
    if (rc == 0)
        rc = lh_ix_walk(st, &ix, head, ix.n_ct ? 0 : -1, 0, 0, ix.n, 0);
    lh_index_release(&ix);
    if (rc == LH_IX_DECLINE) {
        for (i = 0; i < st->n_items; i++)
            free(st->items[i].path);
        st->n_items = 0;
        for (i = 0; i < st->n_conflicts; i++)
            free(st->conflicts[i]);
        st->n_conflicts = 0;
    }
    return rc;
}

/* ---- the libgit2 path -------------------------------------------------------------------- */

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
    const git_index_entry *ie;
    const char *path = d->new_file.path ? d->new_file.path : d->old_file.path;
    bool had = d->status != GIT_DELTA_ADDED && d->old_file.mode != 0;

    (void)progress;
    if (d->status == GIT_DELTA_DELETED || d->status == GIT_DELTA_UNMODIFIED ||
        d->status == GIT_DELTA_CONFLICTED || lh_is_conflicted(st, path))
        return 0;
    ie = git_index_get_bypath(st->index, path, 0);
    if (ie && (ie->flags_extended & GIT_INDEX_ENTRY_INTENT_TO_ADD))
        return 0; /* `git add -N`: nothing is staged yet */
    if (lh_staged_add(st, path, strlen(path), &d->new_file.id, d->new_file.mode,
                      had ? &d->old_file.id : NULL, had ? d->old_file.mode : 0))
        return GIT_EUSER;
    return 0;
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
    while (rc == 0 && git_index_conflict_next(&a, &o, &t, it) == 0) {
        const char *p = o ? o->path : t ? t->path : a ? a->path : NULL;
        if (p)
            rc = lh_add_conflict(st, p, strlen(p));
    }
    git_index_conflict_iterator_free(it);
    return rc;
}

static int lh_staged_libgit2(struct lh_staged_src *st, git_tree *tree)
{
    git_diff *diff = NULL;
    git_diff_options dopts;
    int rc, grc;

    if (git_repository_index(&st->index, st->repo->repo) < 0)
        return lh_git__error(LH_EGIT, "reading the index");
    rc = lh_collect_conflicts(st);
    if (rc)
        return rc;
    lh_git__diff_opts(&dopts);
    if (git_diff_tree_to_index(&diff, st->repo->repo, tree, st->index, &dopts) < 0)
        return lh_git__error(LH_EGIT, "diffing HEAD against the index");
    grc = git_diff_foreach(diff, lh_staged_file_cb, NULL, NULL, NULL, st);
    git_diff_free(diff);
    if (grc < 0)
        return grc == GIT_EUSER ? LH_ENOMEM : lh_git__error(LH_EGIT, "computing the staged diff");
    return 0;
}

int lh_git_staged_source_new(struct lh_source **out, struct lh_git_repo *repo,
                             const struct lh_git_source_opts *opts)
{
    struct lh_staged_src *st;
    git_object *head = NULL;
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
    grc = git_revparse_single(&head, repo->repo, "HEAD^{tree}");
    if (grc != 0 && grc != GIT_ENOTFOUND && !git_repository_head_unborn(repo->repo)) {
        rc = lh_git__error(LH_EINCOMPLETE, "reading HEAD's tree");
        goto fail;
    }
    rc = lh_git__staged_no_fast ? LH_IX_DECLINE : lh_staged_fast(st, (git_tree *)head);
    if (rc == LH_IX_DECLINE)
        rc = lh_staged_libgit2(st, (git_tree *)head);
    if (rc)
        goto fail;
    st->w = lh_calloc(st->base.workers, sizeof(*st->w));
    if (st->w == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    git_object_free(head);
    *out = &st->base;
    return 0;
fail:
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
