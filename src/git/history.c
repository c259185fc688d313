/*
 * history.c - the `git --all` source: every object reachable from any ref, each unique blob once.
 *
 * Construction enumerates, single-threaded, reading raw objects straight from the object
 * database's backends (no lock, no object cache, no parsed git_tree/git_commit objects: a tree is
 * "mode SP name NUL id" entries, parsed in place):
 *  1. the roots: every ref and HEAD, annotated tags peeled one by one (their messages are items);
 *  2. every reachable commit (our own traversal: a missing commit is a counted skip, not a failed
 *     walk, so shallow and partial clones scan what they have), keeping its tree, parents and
 *     committer time;
 *  3. the commits in a parents-first order, oldest committer time first among the ready ones (ties
 *     by id), walking each commit's tree into the trees not met before. A blob is first met under
 *     the earliest commit that has it, at the path it has there: no ancestor of that commit has it
 *     (every ancestor was walked before, and a tree met before is not opened again, so a blob in it
 *     would have been met then). So each blob item records its introducing commit and path, and
 *     provenance for findings costs a lookup (lh_git__history_origins) instead of a second walk;
 *  4. trees and blobs that only tags reach, with no commit to attribute them to.
 * Then the work list is sorted by the object's offset in its pack, read straight from the pack .idx
 * files, because reading in pack order keeps delta bases warm (2.3-3.3x faster than id order, issue
 * 6); loose objects go last.
 *
 * Workers claim consecutive batches of the sorted list (one atomic add per batch) and read with
 * their own repository and object database handles (a shared odb serialises on its lock). Commit
 * and tag messages are parsed from the raw objects. Invariant: read-only, memory bounded by the
 * number of reachable objects (ids, first paths, one record per commit), never by their contents.
 */
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/limits.h"

#include <git2/sys/odb_backend.h>

#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum lh_hkind { LH_H_BLOB, LH_H_COMMIT, LH_H_TAG, LH_H_SKIP };

#define LH_NO_ORIGIN UINT32_MAX

struct lh_hitem {
    git_oid id;
    uint32_t origin; /* blob: index into lh_hist_src.origin of its introducing commit, or none */
    uint64_t key;    /* pack number << 40 | offset; UINT64_MAX when loose or unknown */
    char *path;      /* blob: first path; skip: what to name */
    uint8_t kind;
    uint8_t skip;    /* LH_H_SKIP: the lh_skip_reason */
};

/* A commit met by the traversal, before ordering. */
struct lh_hcommit {
    git_oid id;
    git_oid tree;
    int64_t time;   /* committer time */
    uint32_t first; /* parents: lh_hist_src.par[first .. first + np) */
    uint32_t np;
};

#define LH_HIST_BATCH 32u       /* items a worker claims at once: neighbours share delta bases */
#define LH_HIST_MAX_DEPTH 512u  /* tree nesting followed; deeper is a counted skip */
#define LH_HIST_MAX_BACKENDS 16u
/* libgit2 maps packs in windows (1 GiB each, 8 GiB in all by default): a mapped page counts in the
 * resident set, so a scan of a big pack would hold all of it. Trees lie all over a pack and the
 * walk jumps between them, so enumeration gets more room than the in-order read that follows. */
#define LH_HIST_WINDOW ((size_t)32 << 20)
#define LH_HIST_MAPPED_ENUM ((size_t)256 << 20)
#define LH_HIST_MAPPED_READ ((size_t)128 << 20)
/* Resolved objects a pack reader keeps as delta bases. Reading in pack order finds its bases among
 * the last few objects (4 MiB reads as fast as 32 here); the tree walk jumps around the pack and
 * gains from more (enumeration 1.58 s with 4 MiB, 1.14 s with 32), up to a quarter of the packs'
 * size: git cat-file maps whole packs, so a small repository is read in less than that too. */
#define LH_HIST_BASE_CACHE_READ ((size_t)4 << 20)
#define LH_HIST_BASE_CACHE_ENUM_MIN ((size_t)4 << 20)
#define LH_HIST_BASE_CACHE_ENUM_MAX ((size_t)32 << 20)

/* An object read straight from the backends (data owned by libgit2's allocator), or through
 * git_odb_read when no backend had it (the odb refreshes its pack list, and knows the empty tree). */
struct lh_raw {
    const unsigned char *data;
    size_t len;
    git_object_t type;
    void *own;
    bool own_libc; /* own came from our allocator (free()), not from a backend */
    git_odb_object *obj;
};

struct lh_odbr {
    git_odb *odb;
    git_odb_backend *be[LH_HIST_MAX_BACKENDS];
    size_t n;
};

struct lh_hist_worker {
    git_repository *repo;
    git_odb *odb;
    git_odb_object *obj;
    struct lh_pack_reader *pr;
    const unsigned char *data; /* the object handed out: from obj or pr */
    size_t len;
    size_t cur, end;
    char hex[LH_GIT_HEX_BUF];
    char commit_hex[LH_GIT_HEX_BUF];
    char author[256];
    char email[256];
    char date[32];
    char path[512];
};

struct lh_hist_src {
    struct lh_source base;
    struct lh_git_repo *repo; /* not owned */
    struct lh_git_source_opts opts;
    struct lh_hitem *items;
    size_t n_items, cap_items;
    struct lh_packset *packs; /* the packs whose .idx were read, by pack number; may be NULL */
    git_oid *origin;          /* introducing commits, in walk order */
    size_t n_origin;
    atomic_size_t next;
    atomic_uint_fast64_t done, bytes;
    struct lh_hist_worker *w;
};

/* A pack .idx held in memory while enumerating. */
struct lh_idxfile {
    unsigned char *d; /* NULL: not usable */
    size_t len, n;
    bool v2;
};

/* Enumeration state, gone once the work list is built. */
struct lh_enum {
    struct lh_hist_src *hs;
    git_repository *repo;     /* a handle of its own: closing it unmaps the packs it mapped */
    struct lh_odbr rd;
    struct lh_oidmap index;   /* blob/commit/tag id -> item index */
    struct lh_oidmap trees;   /* trees already walked */
    struct lh_oidmap cmap;    /* commit id -> index into commits, SIZE_MAX when missing */
    struct lh_hcommit *commits;
    size_t n_commits, cap_commits;
    git_oid *par;             /* parent ids of every commit, then */
    uint32_t *pidx;           /* each resolved to a commit index (UINT32_MAX: missing) */
    size_t n_par, cap_par;
    git_oid *roots;           /* commits the refs point at */
    size_t n_roots, cap_roots;
    git_oid *other;           /* trees and blobs refs or tags point at */
    char **other_name;
    size_t n_other, cap_other, cap_other_name;
    struct lh_buf prefix;
    struct lh_idxfile *idx;   /* the .idx files, by pack number */
    size_t n_idx;
    struct lh_pack_reader *pr; /* reads trees and commits the .idx files list */
};

static int lh_odbr_open(struct lh_odbr *r, git_repository *repo)
{
    size_t i, n;

    memset(r, 0, sizeof(*r));
    if (git_repository_odb(&r->odb, repo) < 0)
        return lh_git__error(LH_EGIT, "opening the object database");
    n = git_odb_num_backends(r->odb);
    for (i = 0; i < n && r->n < LH_HIST_MAX_BACKENDS; i++) {
        git_odb_backend *b = NULL;
        if (git_odb_get_backend(&b, r->odb, i) == 0 && b && b->read)
            r->be[r->n++] = b;
    }
    return 0;
}

static void lh_odbr_close(struct lh_odbr *r)
{
    git_odb_free(r->odb);
    memset(r, 0, sizeof(*r));
}

static void lh_raw_free(struct lh_raw *o)
{
    if (o->own && o->own_libc)
        free(o->own);
    else if (o->own)
        git_odb_backend_data_free(NULL, o->own);
    git_odb_object_free(o->obj);
    memset(o, 0, sizeof(*o));
}

/* Reads id in the backends' priority order (packs first), as git_odb_read does. 0 or -1. */
static int lh_odbr_read(struct lh_odbr *r, const git_oid *id, struct lh_raw *out)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < r->n; i++) {
        void *data = NULL;
        size_t len = 0;
        git_object_t t = GIT_OBJECT_INVALID;
        if (r->be[i]->read(&data, &len, &t, r->be[i], id) == 0) {
            out->own = data;
            out->data = data;
            out->len = len;
            out->type = t;
            return 0;
        }
    }
    if (git_odb_read(&out->obj, r->odb, id) < 0) {
        out->obj = NULL;
        return -1;
    }
    out->data = git_odb_object_data(out->obj);
    out->len = git_odb_object_size(out->obj);
    out->type = git_odb_object_type(out->obj);
    return 0;
}

static void lh_hist_free(struct lh_source *s)
{
    struct lh_hist_src *hs = (struct lh_hist_src *)s;
    size_t i;

    if (hs == NULL)
        return;
    if (hs->repo && hs->repo->history == hs)
        hs->repo->history = NULL;
    if (hs->w) {
        for (i = 0; i < hs->base.workers; i++) {
            git_odb_object_free(hs->w[i].obj);
            lh_pack_reader_free(hs->w[i].pr);
            git_odb_free(hs->w[i].odb);
            git_repository_free(hs->w[i].repo);
        }
        free(hs->w);
    }
    for (i = 0; i < hs->n_items; i++)
        free(hs->items[i].path);
    free(hs->items);
    lh_packset_free(hs->packs);
    free(hs->origin);
    free(hs);
}

/* Appends an item; path (plen bytes, may be NULL) is copied. */
static int lh_hist_push(struct lh_hist_src *hs, const git_oid *id, enum lh_hkind kind,
                        const char *path, size_t plen, uint32_t origin)
{
    struct lh_hitem *it;

    if (lh_array_grow((void **)&hs->items, &hs->cap_items, hs->n_items + 1, sizeof(*hs->items)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    it = &hs->items[hs->n_items];
    memset(it, 0, sizeof(*it));
    it->id = *id;
    it->kind = (uint8_t)kind;
    it->key = UINT64_MAX;
    it->origin = origin;
    if (path) {
        it->path = lh_malloc(plen + 1);
        if (it->path == NULL)
            return lh_error_set(LH_ENOMEM, "out of memory");
        memcpy(it->path, path, plen);
        it->path[plen] = '\0';
    }
    hs->n_items++;
    return 0;
}

/* Adds an item unless its id is known; *added (may be NULL) tells. */
static int lh_hist_add(struct lh_enum *e, const git_oid *id, enum lh_hkind kind, const char *path,
                       size_t plen, uint32_t origin, bool *added)
{
    bool add;
    int rc = lh_oidmap_put(&e->index, id, e->hs->n_items, &add, NULL);

    if (rc)
        return rc;
    if (added)
        *added = add;
    if (!add)
        return 0;
    return lh_hist_push(e->hs, id, kind, path, plen, origin);
}

static int lh_hist_skip(struct lh_hist_src *hs, const char *what, enum lh_skip_reason why)
{
    git_oid zero;
    int rc;

    memset(&zero, 0, sizeof(zero));
    rc = lh_hist_push(hs, &zero, LH_H_SKIP, what, strlen(what), LH_NO_ORIGIN);
    if (rc == 0)
        hs->items[hs->n_items - 1].skip = (uint8_t)why;
    return rc;
}

static int lh_hist_skip_id(struct lh_hist_src *hs, const struct lh_buf *prefix, const git_oid *id,
                           enum lh_skip_reason why)
{
    char hex[LH_GIT_HEX_BUF];

    if (prefix->len)
        return lh_hist_skip(hs, prefix->ptr, why);
    git_oid_tostr(hex, sizeof(hex), id);
    return lh_hist_skip(hs, hex, why);
}

static int lh_enum_read(struct lh_enum *e, const git_oid *id, struct lh_raw *out);

/* Walks tree id (already marked walked) under e->prefix; new blobs get origin. Entries are parsed
 * in place: "<octal mode> SP <name> NUL <20-byte id>", modes read as libgit2 normalises them. */
static int lh_hist_tree(struct lh_enum *e, const git_oid *id, unsigned depth, uint32_t origin)
{
    struct lh_buf *prefix = &e->prefix;
    size_t plen = prefix->len;
    const unsigned char *p, *end;
    struct lh_raw raw;
    int rc = 0;

    if (depth > LH_HIST_MAX_DEPTH)
        return lh_hist_skip_id(e->hs, prefix, id, LH_SKIP_UNREADABLE);
    if (lh_enum_read(e, id, &raw) < 0)
        return lh_hist_skip_id(e->hs, prefix, id, LH_SKIP_MISSING_OBJECT);
    if (raw.type != GIT_OBJECT_TREE) {
        lh_raw_free(&raw);
        return lh_hist_skip_id(e->hs, prefix, id, LH_SKIP_UNREADABLE);
    }
    p = raw.data;
    end = p + raw.len;
    while (p < end && rc == 0) {
        const unsigned char *name, *nul;
        unsigned mode = 0, digits = 0;
        git_oid eid;
        size_t nlen;
        bool add;

        while (p < end && *p >= '0' && *p <= '7' && digits < 8) {
            mode = mode * 8 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (digits == 0 || p >= end || *p != ' ') {
            rc = lh_hist_skip_id(e->hs, prefix, id, LH_SKIP_UNREADABLE);
            break;
        }
        name = ++p;
        nul = memchr(p, '\0', (size_t)(end - p));
        if (nul == NULL || nul == name || (size_t)(end - nul - 1) < GIT_OID_RAWSZ) {
            rc = lh_hist_skip_id(e->hs, prefix, id, LH_SKIP_UNREADABLE);
            break;
        }
        nlen = (size_t)(nul - name);
        memcpy(eid.id, nul + 1, GIT_OID_RAWSZ);
        p = nul + 1 + GIT_OID_RAWSZ;
        if ((mode & ~0777u) == 0040000u) {
            rc = lh_oidmap_put(&e->trees, &eid, 0, &add, NULL);
            if (rc || !add)
                continue;
            if ((plen && (rc = lh_buf_addc(prefix, '/')) != 0) ||
                (rc = lh_buf_add(prefix, name, nlen)) != 0) {
                /* a path past the limit: named by its parent, its contents not followed */
                prefix->len = plen;
                if (prefix->ptr)
                    prefix->ptr[plen] = '\0';
                rc = rc == LH_ELIMIT ? lh_hist_skip_id(e->hs, prefix, &eid, LH_SKIP_UNREADABLE) : rc;
                continue;
            }
            rc = lh_hist_tree(e, &eid, depth + 1, origin);
            prefix->len = plen;
            if (prefix->ptr)
                prefix->ptr[plen] = '\0';
        } else if ((mode & 0100u) || ((mode & ~0777u) != 0160000u && (mode & ~0777u) != 0120000u)) {
            /* a blob (executable or not); symlinks hold a path and gitlinks a commit of another
             * repository: neither is content */
            rc = lh_oidmap_put(&e->index, &eid, e->hs->n_items, &add, NULL);
            if (rc || !add)
                continue;
            if (plen) {
                if ((rc = lh_buf_addc(prefix, '/')) == 0 &&
                    (rc = lh_buf_add(prefix, name, nlen)) == 0)
                    rc = lh_hist_push(e->hs, &eid, LH_H_BLOB, prefix->ptr, prefix->len, origin);
                prefix->len = plen;
                prefix->ptr[plen] = '\0';
                if (rc == LH_ELIMIT) /* named by its directory */
                    rc = lh_hist_push(e->hs, &eid, LH_H_BLOB, prefix->ptr, plen, origin);
            } else {
                rc = lh_hist_push(e->hs, &eid, LH_H_BLOB, (const char *)name, nlen, origin);
            }
        }
    }
    lh_raw_free(&raw);
    return rc;
}

static int lh_hist_deadline(const struct lh_hist_src *hs)
{
    struct timespec ts;

    if (hs->opts.deadline_ns == 0)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec > hs->opts.deadline_ns)
        return lh_error_set(LH_EDEADLINE, "the deadline passed while listing objects");
    return 0;
}

static int lh_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parses 40 lowercase hex digits. */
static bool lh_parse_hex_oid(git_oid *out, const unsigned char *p, size_t avail)
{
    size_t i;

    if (avail < GIT_OID_HEXSZ)
        return false;
    for (i = 0; i < GIT_OID_RAWSZ; i++) {
        int hi = lh_hexval(p[2 * i]), lo = lh_hexval(p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out->id[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

/* Parses a raw commit's header: its tree, parents (appended to e->par) and committer time. */
static int lh_parse_commit(struct lh_enum *e, const struct lh_raw *raw, struct lh_hcommit *c)
{
    const unsigned char *p = raw->data, *end = p + raw->len;
    bool have_tree = false;

    c->first = (uint32_t)e->n_par;
    c->np = 0;
    c->time = 0;
    while (p < end && *p != '\n') {
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (ll > 5 && memcmp(p, "tree ", 5) == 0) {
            have_tree = lh_parse_hex_oid(&c->tree, p + 5, ll - 5);
        } else if (ll > 7 && memcmp(p, "parent ", 7) == 0) {
            git_oid pid;
            if (lh_parse_hex_oid(&pid, p + 7, ll - 7)) {
                if (lh_array_grow((void **)&e->par, &e->cap_par, e->n_par + 1, sizeof(*e->par)))
                    return lh_error_set(LH_ENOMEM, "out of memory");
                e->par[e->n_par++] = pid;
                c->np++;
            }
        } else if (ll > 10 && memcmp(p, "committer ", 10) == 0) {
            /* "committer Name <email> 1234567890 +0000": the number after the last '>' */
            const unsigned char *gt = NULL, *q;
            int64_t v = 0;
            for (q = p; q < p + ll; q++)
                if (*q == '>')
                    gt = q;
            if (gt) {
                for (q = gt + 1; q < p + ll && *q == ' '; q++)
                    ;
                for (; q < p + ll && *q >= '0' && *q <= '9' && v < ((int64_t)1 << 50); q++)
                    v = v * 10 + (*q - '0');
            }
            c->time = v;
        }
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return have_tree ? 0 : 1;
}

/* Step 2: every commit reachable from the roots, by id, parents pushed without loading them. */
static int lh_hist_list_commits(struct lh_enum *e)
{
    struct lh_hist_src *hs = e->hs;
    git_oid *stack = e->roots;
    size_t n = e->n_roots, cap = e->cap_roots;
    int rc = 0;

    e->roots = NULL;
    e->n_roots = e->cap_roots = 0;
    while (n > 0 && rc == 0) {
        git_oid id = stack[--n];
        struct lh_hcommit c;
        struct lh_raw raw;
        bool add;
        uint32_t k;

        if (lh_oidmap_ref(&e->cmap, &id))
            continue;
        if (lh_enum_read(e, &id, &raw) < 0 || raw.type != GIT_OBJECT_COMMIT) {
            char hex[LH_GIT_HEX_BUF];
            lh_raw_free(&raw);
            git_oid_tostr(hex, sizeof(hex), &id);
            /* a shallow clone's boundary parents are absent by design; still incomplete */
            rc = lh_oidmap_put(&e->cmap, &id, SIZE_MAX, &add, NULL);
            if (rc == 0)
                rc = lh_hist_skip(hs, hex, LH_SKIP_MISSING_OBJECT);
            continue;
        }
        c.id = id;
        rc = lh_parse_commit(e, &raw, &c);
        lh_raw_free(&raw);
        if (rc == 1) {
            char hex[LH_GIT_HEX_BUF];
            git_oid_tostr(hex, sizeof(hex), &id);
            rc = lh_oidmap_put(&e->cmap, &id, SIZE_MAX, &add, NULL);
            if (rc == 0)
                rc = lh_hist_skip(hs, hex, LH_SKIP_UNREADABLE);
            continue;
        }
        if (rc)
            break;
        if (e->n_commits >= UINT32_MAX - 1 || e->n_par >= UINT32_MAX - 1) {
            rc = lh_error_set(LH_ELIMIT, "too many commits");
            break;
        }
        rc = lh_oidmap_put(&e->cmap, &id, e->n_commits, &add, NULL);
        if (rc == 0 && lh_array_grow((void **)&e->commits, &e->cap_commits, e->n_commits + 1,
                                     sizeof(*e->commits)))
            rc = lh_error_set(LH_ENOMEM, "out of memory");
        if (rc)
            break;
        e->commits[e->n_commits++] = c;
        for (k = 0; k < c.np; k++) {
            const git_oid *pid = &e->par[c.first + k];
            if (lh_oidmap_ref(&e->cmap, pid))
                continue;
            if (lh_array_grow((void **)&stack, &cap, n + 1, sizeof(*stack))) {
                rc = lh_error_set(LH_ENOMEM, "out of memory");
                break;
            }
            stack[n++] = *pid;
        }
        if (rc == 0 && (e->n_commits & 1023) == 0)
            rc = lh_hist_deadline(hs);
    }
    free(stack);
    return rc;
}

/* True when commit a comes before commit b among the ready ones: older, then smaller id. */
static bool lh_commit_before(const struct lh_hcommit *a, const struct lh_hcommit *b)
{
    if (a->time != b->time)
        return a->time < b->time;
    return memcmp(a->id.id, b->id.id, GIT_OID_RAWSZ) < 0;
}

static void lh_heap_push(uint32_t *heap, size_t *n, uint32_t v, const struct lh_hcommit *cs)
{
    size_t i = (*n)++;

    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!lh_commit_before(&cs[v], &cs[heap[up]]))
            break;
        heap[i] = heap[up];
        i = up;
    }
    heap[i] = v;
}

static uint32_t lh_heap_pop(uint32_t *heap, size_t *n, const struct lh_hcommit *cs)
{
    uint32_t top = heap[0], v = heap[--*n];
    size_t i = 0, len = *n;

    for (;;) {
        size_t l = 2 * i + 1, m = l;
        if (l >= len)
            break;
        if (l + 1 < len && lh_commit_before(&cs[heap[l + 1]], &cs[heap[l]]))
            m = l + 1;
        if (!lh_commit_before(&cs[heap[m]], &cs[v]))
            break;
        heap[i] = heap[m];
        i = m;
    }
    if (len)
        heap[i] = v;
    return top;
}

/* Step 3: commits parents first (Kahn's algorithm, a heap on committer time), each one's message
 * item added and its tree walked into trees not met before. */
static int lh_hist_walk_commits(struct lh_enum *e)
{
    struct lh_hist_src *hs = e->hs;
    size_t nc = e->n_commits, i, n_heap = 0, done = 0;
    uint32_t *pending = NULL, *coff = NULL, *child = NULL, *heap = NULL;
    int rc = 0;

    if (nc == 0)
        return 0;
    pending = lh_calloc(nc, sizeof(*pending));
    coff = lh_calloc(nc + 1, sizeof(*coff));
    child = lh_malloc((e->n_par ? e->n_par : 1) * sizeof(*child));
    heap = lh_malloc(nc * sizeof(*heap));
    e->pidx = lh_malloc((e->n_par ? e->n_par : 1) * sizeof(*e->pidx));
    hs->origin = lh_malloc(nc * sizeof(*hs->origin));
    if (!pending || !coff || !child || !heap || !e->pidx || !hs->origin) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    /* resolve parents; children lists in one array (counts, prefix sums, fill) */
    for (i = 0; i < e->n_par; i++) {
        size_t *v = lh_oidmap_ref(&e->cmap, &e->par[i]);
        e->pidx[i] = v && *v != SIZE_MAX ? (uint32_t)*v : UINT32_MAX;
        if (e->pidx[i] != UINT32_MAX)
            coff[e->pidx[i] + 1]++;
    }
    for (i = 0; i < nc; i++)
        coff[i + 1] += coff[i];
    for (i = 0; i < nc; i++) {
        const struct lh_hcommit *c = &e->commits[i];
        uint32_t k;
        for (k = 0; k < c->np; k++) {
            uint32_t pi = e->pidx[c->first + k];
            if (pi == UINT32_MAX)
                continue;
            pending[i]++;
            child[coff[pi]++] = (uint32_t)i;
        }
    }
    /* coff[p] now points at the end of p's children: shift back to their starts */
    for (i = nc; i > 0; i--)
        coff[i] = coff[i - 1];
    coff[0] = 0;
    for (i = 0; i < nc; i++)
        if (pending[i] == 0)
            lh_heap_push(heap, &n_heap, (uint32_t)i, e->commits);
    while (rc == 0 && done < nc) {
        const struct lh_hcommit *c;
        uint32_t ci, k, ord = (uint32_t)hs->n_origin;
        bool add;

        if (n_heap == 0) {
            /* only a corrupt graph (a cycle) leaves commits unreached: take them in list order */
            for (i = 0; i < nc; i++)
                if (pending[i] != 0 && pending[i] != UINT32_MAX) {
                    pending[i] = 0;
                    lh_heap_push(heap, &n_heap, (uint32_t)i, e->commits);
                    break;
                }
            if (n_heap == 0)
                break;
        }
        ci = lh_heap_pop(heap, &n_heap, e->commits);
        pending[ci] = UINT32_MAX;
        c = &e->commits[ci];
        hs->origin[hs->n_origin++] = c->id;
        done++;
        if (!hs->opts.no_messages)
            rc = lh_hist_add(e, &c->id, LH_H_COMMIT, NULL, 0, LH_NO_ORIGIN, NULL);
        if (rc == 0)
            rc = lh_oidmap_put(&e->trees, &c->tree, 0, &add, NULL);
        if (rc == 0 && add) {
            lh_buf_reset(&e->prefix);
            rc = lh_hist_tree(e, &c->tree, 0, ord);
        }
        for (k = coff[ci]; k < coff[ci + 1]; k++) {
            uint32_t ch = child[k];
            if (pending[ch] != UINT32_MAX && pending[ch] > 0 && --pending[ch] == 0)
                lh_heap_push(heap, &n_heap, ch, e->commits);
        }
        if (rc == 0 && (done & 255) == 0)
            rc = lh_hist_deadline(hs);
    }
out:
    free(pending);
    free(coff);
    free(child);
    free(heap);
    return rc;
}

/* Step 1: the starting points: every ref and HEAD, tags peeled (their messages become items). */
static int lh_hist_roots(struct lh_enum *e)
{
    struct lh_hist_src *hs = e->hs;
    git_repository *repo = e->repo;
    git_reference_iterator *it = NULL;
    git_reference *ref = NULL;
    int rc = 0, head_done = 0;

    if (git_reference_iterator_new(&it, repo) < 0) {
        rc = lh_git__error(LH_EGIT, "listing refs");
        goto out;
    }
    for (;;) {
        git_object *obj = NULL;
        const git_oid *target;
        const char *name;
        int grc;

        if (!head_done) {
            head_done = 1;
            git_reference *head = NULL;
            grc = git_reference_lookup(&head, repo, "HEAD");
            if (grc == 0 && git_reference_resolve(&ref, head) == 0) {
                git_reference_free(head);
            } else {
                git_reference_free(head);
                git_reference_free(ref);
                ref = NULL;
                continue; /* unborn HEAD */
            }
        } else {
            grc = git_reference_next(&ref, it);
            if (grc == GIT_ITEROVER)
                break;
            if (grc < 0) {
                rc = lh_git__error(LH_EGIT, "listing refs");
                goto out;
            }
        }
        if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) {
            git_reference_free(ref);
            ref = NULL;
            continue;
        }
        target = git_reference_target(ref);
        name = git_reference_name(ref);
        if (git_object_lookup(&obj, repo, target, GIT_OBJECT_ANY) < 0) {
            rc = lh_hist_skip(hs, name, LH_SKIP_MISSING_OBJECT);
            git_reference_free(ref);
            ref = NULL;
            if (rc)
                goto out;
            continue;
        }
        /* peel tags of tags of ... until something that is not a tag */
        while (rc == 0 && git_object_type(obj) == GIT_OBJECT_TAG) {
            git_object *next = NULL;
            bool add = true;
            if (!hs->opts.no_messages) {
                rc = lh_hist_add(e, git_object_id(obj), LH_H_TAG, NULL, 0, LH_NO_ORIGIN, &add);
                if (rc || !add)
                    break;
            }
            if (git_tag_target(&next, (git_tag *)obj) < 0) {
                char hex[LH_GIT_HEX_BUF];
                git_oid_tostr(hex, sizeof(hex), git_tag_target_id((git_tag *)obj));
                rc = lh_hist_skip(hs, hex, LH_SKIP_MISSING_OBJECT);
                next = NULL;
            }
            git_object_free(obj);
            obj = next;
        }
        if (rc == 0 && obj) {
            switch (git_object_type(obj)) {
            case GIT_OBJECT_COMMIT:
                if (lh_array_grow((void **)&e->roots, &e->cap_roots, e->n_roots + 1,
                                  sizeof(*e->roots)))
                    rc = lh_error_set(LH_ENOMEM, "out of memory");
                else
                    e->roots[e->n_roots++] = *git_object_id(obj);
                break;
            case GIT_OBJECT_TREE:
            case GIT_OBJECT_BLOB: {
                char *copy = lh_strdup(name);
                if (copy == NULL ||
                    lh_array_grow((void **)&e->other, &e->cap_other, e->n_other + 1,
                                  sizeof(*e->other)) ||
                    lh_array_grow((void **)&e->other_name, &e->cap_other_name, e->n_other + 1,
                                  sizeof(*e->other_name))) {
                    free(copy);
                    rc = lh_error_set(LH_ENOMEM, "out of memory");
                    break;
                }
                e->other[e->n_other] = *git_object_id(obj);
                /* a tree is walked from the root (no prefix), a blob is named by its ref */
                e->other_name[e->n_other++] =
                    git_object_type(obj) == GIT_OBJECT_TREE ? (free(copy), NULL) : copy;
                break;
            }
            default:
                break;
            }
        }
        git_object_free(obj);
        git_reference_free(ref);
        ref = NULL;
        if (rc)
            goto out;
    }
out:
    git_reference_free(ref);
    git_reference_iterator_free(it);
    return rc;
}

/* Step 4: trees and blobs only refs and tags reach (no commit to attribute them to). */
static int lh_hist_other(struct lh_enum *e)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < e->n_other && rc == 0; i++) {
        bool add;
        if (e->other_name[i]) {
            rc = lh_hist_add(e, &e->other[i], LH_H_BLOB, e->other_name[i],
                             strlen(e->other_name[i]), LH_NO_ORIGIN, NULL);
            continue;
        }
        rc = lh_oidmap_put(&e->trees, &e->other[i], 0, &add, NULL);
        if (rc == 0 && add) {
            lh_buf_reset(&e->prefix);
            rc = lh_hist_tree(e, &e->other[i], 0, LH_NO_ORIGIN);
        }
    }
    return rc;
}

static void lh_enum_release(struct lh_enum *e)
{
    size_t i;

    lh_odbr_close(&e->rd);
    lh_pack_reader_free(e->pr);
    e->pr = NULL;
    for (i = 0; i < e->n_idx; i++)
        free(e->idx[i].d);
    free(e->idx);
    e->idx = NULL;
    e->n_idx = 0;
    git_repository_free(e->repo);
    e->repo = NULL;
    lh_oidmap_release(&e->index);
    lh_oidmap_release(&e->trees);
    lh_oidmap_release(&e->cmap);
    free(e->commits);
    free(e->par);
    free(e->pidx);
    free(e->roots);
    free(e->other);
    for (i = 0; i < e->n_other; i++)
        free(e->other_name[i]);
    free(e->other_name);
    lh_buf_release(&e->prefix);
}

static uint32_t lh_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads one pack .idx (v1 or v2) into x; a file that does not parse leaves x empty (the pack is
 * then read through libgit2 only, and its objects sort last). */
static void lh_idx_load(struct lh_idxfile *x, const char *file)
{
    FILE *f = fopen(file, "rb");
    struct stat st;
    size_t len, n;

    memset(x, 0, sizeof(*x));
    if (f == NULL)
        return;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 1032 || st.st_size > ((off_t)1 << 34))
        goto out;
    len = (size_t)st.st_size;
    x->d = lh_malloc(len);
    if (x->d == NULL || fread(x->d, 1, len, f) != len)
        goto bad;
    x->v2 = memcmp(x->d, "\377tOc", 4) == 0 && lh_be32(x->d + 4) == 2;
    n = lh_be32(x->d + (x->v2 ? 8 : 0) + 255 * 4);
    if (x->v2 ? n > (len - 1032) / 28 : n > (len - 1024) / 24)
        goto bad;
    x->len = len;
    x->n = n;
    goto out;
bad:
    free(x->d);
    x->d = NULL;
out:
    fclose(f);
}

static const unsigned char *lh_idx_id(const struct lh_idxfile *x, size_t i)
{
    return x->v2 ? x->d + 1032 + i * 20 : x->d + 1024 + i * 24 + 4;
}

/* The offset of entry i; UINT64_MAX when the .idx is inconsistent. */
static uint64_t lh_idx_off(const struct lh_idxfile *x, size_t i)
{
    uint64_t off;

    if (!x->v2)
        return lh_be32(x->d + 1024 + i * 24);
    off = lh_be32(x->d + 1032 + x->n * 24 + i * 4);
    if (off & 0x80000000u) {
        size_t big = 1032 + x->n * 28 + (off & 0x7fffffffu) * 8;
        if (big + 8 > x->len)
            return UINT64_MAX;
        off = (uint64_t)lh_be32(x->d + big) << 32 | lh_be32(x->d + big + 4);
    }
    return off;
}

/* Finds id in the loaded .idx files: its pack number and offset. */
static bool lh_enum_find(const struct lh_enum *e, const git_oid *id, size_t *pack, uint64_t *off)
{
    size_t k;

    for (k = 0; k < e->n_idx; k++) {
        const struct lh_idxfile *x = &e->idx[k];
        const unsigned char *fan;
        size_t lo, hi;
        if (x->d == NULL)
            continue;
        fan = x->d + (x->v2 ? 8 : 0);
        lo = id->id[0] ? lh_be32(fan + (id->id[0] - 1) * 4) : 0;
        hi = lh_be32(fan + id->id[0] * 4);
        if (hi > x->n || lo > hi)
            continue;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = memcmp(lh_idx_id(x, mid), id->id, GIT_OID_RAWSZ);
            if (c == 0) {
                *pack = k;
                *off = lh_idx_off(x, mid);
                return *off < (1ull << 40);
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return false;
}

static int lh_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every .idx of the repository's pack directory (a stable numbering: sorted by name) and
 * opens the packs for the pack reader. Without a pack directory, libgit2 reads everything. */
static void lh_hist_load_packs(struct lh_enum *e)
{
    struct lh_hist_src *hs = e->hs;
    char dir[4096], file[4096 + 256];
    char **names = NULL;
    size_t n = 0, cap = 0, i, j;
    struct dirent *de;
    DIR *dp;
    const char *objdir = getenv("GIT_OBJECT_DIRECTORY");

    if (objdir && (hs->repo->flags & LH_GIT_OPEN_FROM_ENV))
        snprintf(dir, sizeof(dir), "%s/pack", objdir);
    else
        snprintf(dir, sizeof(dir), "%sobjects/pack", git_repository_commondir(hs->repo->repo));
    dp = opendir(dir);
    if (dp == NULL)
        return;
    while ((de = readdir(dp)) != NULL) {
        size_t l = strlen(de->d_name);
        char *copy;
        if (l < 5 || strcmp(de->d_name + l - 4, ".idx") != 0)
            continue;
        copy = lh_strdup(de->d_name);
        if (copy == NULL || lh_array_grow((void **)&names, &cap, n + 1, sizeof(*names))) {
            free(copy);
            break;
        }
        names[n++] = copy;
    }
    closedir(dp);
    if (n > 1)
        qsort(names, n, sizeof(*names), lh_name_cmp);
    e->idx = lh_calloc(n ? n : 1, sizeof(*e->idx));
    hs->packs = lh_calloc(1, sizeof(*hs->packs));
    for (i = 0; i < n && e->idx; i++) {
        struct lh_idxfile *x = &e->idx[i];
        uint64_t *offs = NULL;
        size_t l = strlen(names[i]);
        snprintf(file, sizeof(file), "%s/%s", dir, names[i]);
        lh_idx_load(x, file);
        e->n_idx++;
        if (x->d && (offs = lh_malloc((x->n ? x->n : 1) * sizeof(*offs))) != NULL) {
            for (j = 0; j < x->n; j++) {
                offs[j] = lh_idx_off(x, j);
                if (offs[j] == UINT64_MAX) { /* inconsistent: no pack reading from it */
                    free(offs);
                    offs = NULL;
                    break;
                }
            }
        }
        snprintf(file, sizeof(file), "%s/%.*s.pack", dir, (int)(l - 4), names[i]);
        if (hs->packs && lh_packset_add(hs->packs, file, offs, offs ? x->n : 0)) {
            lh_packset_free(hs->packs); /* out of memory: libgit2 reads everything */
            hs->packs = NULL;
        }
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Reads an object for the enumeration: through the pack reader when an .idx lists it (a copy: a
 * tree stays open while its subtrees are read), else from the backends. 0 or -1. */
static int lh_enum_read(struct lh_enum *e, const git_oid *id, struct lh_raw *out)
{
    const unsigned char *d;
    git_object_t t;
    uint64_t off;
    size_t pack, len;

    if (e->pr && lh_enum_find(e, id, &pack, &off) &&
        lh_pack_read(e->pr, pack, off, UINT64_MAX, &d, &len, &t) == 0) {
        memset(out, 0, sizeof(*out));
        out->own = lh_memdup(d, len ? len : 1);
        if (out->own) {
            out->own_libc = true;
            out->data = out->own;
            out->len = len;
            out->type = t;
            return 0;
        }
    }
    return lh_odbr_read(&e->rd, id, out);
}

/* Stamps every listed object with (pack number, offset), for the pack-order sort. */
static void lh_hist_stamp(struct lh_enum *e)
{
    size_t k, i;

    for (k = 0; k < e->n_idx; k++) {
        const struct lh_idxfile *x = &e->idx[k];
        for (i = 0; x->d && i < x->n; i++) {
            git_oid id;
            size_t *idx;
            uint64_t off;
            memcpy(id.id, lh_idx_id(x, i), GIT_OID_RAWSZ);
            idx = lh_oidmap_ref(&e->index, &id);
            if (idx == NULL || *idx == SIZE_MAX || e->hs->items[*idx].key != UINT64_MAX)
                continue; /* an object in two packs is read from the first */
            off = lh_idx_off(x, i);
            if (off < (1ull << 40))
                e->hs->items[*idx].key = (uint64_t)k << 40 | off;
        }
    }
}

static int lh_item_cmp(const void *a, const void *b)
{
    const struct lh_hitem *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return memcmp(x->id.id, y->id.id, GIT_OID_RAWSZ);
}

/* Parses "Name <email> 1234567890 +0000" from a raw commit/tag header line into the worker. */
static void lh_parse_person(struct lh_hist_worker *w, const char *line, size_t len)
{
    const char *lt = memchr(line, '<', len), *gt;
    git_time t = {0, 0, 0};
    size_t nl;

    w->author[0] = w->email[0] = w->date[0] = '\0';
    if (lt == NULL)
        return;
    gt = memchr(lt, '>', len - (size_t)(lt - line));
    if (gt == NULL)
        return;
    nl = (size_t)(lt - line);
    while (nl && line[nl - 1] == ' ')
        nl--;
    snprintf(w->author, sizeof(w->author), "%.*s", (int)nl, line);
    snprintf(w->email, sizeof(w->email), "%.*s", (int)(gt - lt - 1), lt + 1);
    {
        const char *p = gt + 1, *end = line + len;
        int64_t v = 0;
        while (p < end && *p == ' ')
            p++;
        while (p < end && *p >= '0' && *p <= '9' && v < ((int64_t)1 << 50))
            v = v * 10 + (*p++ - '0');
        t.time = v;
    }
    lh_git__iso8601(w->date, &t);
}

/* Fills a message chunk from a raw commit or tag object: headers up to the first blank line. */
static bool lh_message_chunk(struct lh_hist_worker *w, const struct lh_hitem *it,
                             struct lh_chunk *out)
{
    const char *d = (const char *)w->data;
    size_t len = w->len, pos = 0;
    const char *who = it->kind == LH_H_COMMIT ? "author " : "tagger ";
    size_t wl = strlen(who);

    w->commit_hex[0] = '\0';
    if (it->kind == LH_H_COMMIT)
        git_oid_tostr(w->commit_hex, sizeof(w->commit_hex), &it->id);
    while (pos < len) {
        const char *nl = memchr(d + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (d + pos)) : len - pos;
        if (ll == 0) {
            pos++;
            break;
        }
        if (ll > wl && memcmp(d + pos, who, wl) == 0)
            lh_parse_person(w, d + pos + wl, ll - wl);
        else if (it->kind == LH_H_TAG && ll > 7 && memcmp(d + pos, "object ", 7) == 0)
            snprintf(w->commit_hex, sizeof(w->commit_hex), "%.*s", (int)(ll - 7), d + pos + 7);
        else if (it->kind == LH_H_TAG && ll > 4 && memcmp(d + pos, "tag ", 4) == 0)
            snprintf(w->path, sizeof(w->path), "<tag message %.*s>", (int)(ll - 4), d + pos + 4);
        pos += ll + 1;
    }
    if (pos >= len)
        return false;
    out->data = (const unsigned char *)d + pos;
    out->len = len - pos;
    out->kind = LH_SRC_COMMIT;
    out->path = it->kind == LH_H_COMMIT ? "<commit message>" : w->path;
    out->commit = w->commit_hex[0] ? w->commit_hex : NULL;
    out->author = w->author[0] ? w->author : NULL;
    out->author_email = w->email[0] ? w->email : NULL;
    out->date = w->date[0] ? w->date : NULL;
    return true;
}

static int lh_hist_next(struct lh_source *s, unsigned wi, struct lh_chunk *out)
{
    struct lh_hist_src *hs = (struct lh_hist_src *)s;
    struct lh_hist_worker *w = &hs->w[wi];
    int rc;

    if (w->repo == NULL) {
        rc = lh_git__reopen(hs->repo, &w->repo);
        if (rc)
            return rc;
        if (git_repository_odb(&w->odb, w->repo) < 0)
            return lh_git__error(LH_EGIT, "opening the object database");
        if (hs->packs && hs->packs->n) {
            rc = lh_pack_reader_new(&w->pr, hs->packs, LH_HIST_BASE_CACHE_READ);
            if (rc)
                return rc;
        }
    }
    for (;;) {
        struct lh_hitem *it;
        const void *data;
        size_t len;

        if (w->cur >= w->end) {
            size_t start = atomic_fetch_add(&hs->next, LH_HIST_BATCH);
            if (start >= hs->n_items)
                return LH_ITEROVER;
            w->cur = start;
            w->end = start + LH_HIST_BATCH < hs->n_items ? start + LH_HIST_BATCH : hs->n_items;
        }
        it = &hs->items[w->cur++];
        atomic_fetch_add(&hs->done, 1);
        if (it->kind == LH_H_SKIP) {
            lh_source_skip(s, it->path ? it->path : "", (enum lh_skip_reason)it->skip);
            continue;
        }
        if (w->pr && it->key != UINT64_MAX) {
            git_object_t t;
            int prc = lh_pack_read(w->pr, (size_t)(it->key >> 40), it->key & ((1ull << 40) - 1),
                                   it->kind == LH_H_BLOB ? hs->opts.max_size : UINT64_MAX,
                                   &w->data, &w->len, &t);
            if (prc == 1) {
                lh_source_skip(s, it->path, LH_SKIP_TOO_LARGE);
                continue;
            }
            if (prc == 0 && t == (it->kind == LH_H_BLOB     ? GIT_OBJECT_BLOB
                                  : it->kind == LH_H_COMMIT ? GIT_OBJECT_COMMIT
                                                            : GIT_OBJECT_TAG))
                goto have;
            /* declined: libgit2 reads it */
        }
        if (it->kind == LH_H_BLOB) {
            size_t sz;
            git_object_t t;
            /* the header read is cheap (a delta's header holds the size) and keeps a huge blob
             * from ever being inflated */
            if (git_odb_read_header(&sz, &t, w->odb, &it->id) < 0) {
                lh_source_skip(s, it->path, LH_SKIP_MISSING_OBJECT);
                continue;
            }
            if (sz > hs->opts.max_size) {
                lh_source_skip(s, it->path, LH_SKIP_TOO_LARGE);
                continue;
            }
        }
        if (git_odb_read(&w->obj, w->odb, &it->id) < 0) {
            char hex[LH_GIT_HEX_BUF];
            git_oid_tostr(hex, sizeof(hex), &it->id);
            lh_source_skip(s, it->path ? it->path : hex, LH_SKIP_MISSING_OBJECT);
            continue;
        }
        w->data = git_odb_object_data(w->obj);
        w->len = git_odb_object_size(w->obj);
    have:
        memset(out, 0, sizeof(*out));
        if (it->kind != LH_H_BLOB) {
            if (!lh_message_chunk(w, it, out)) {
                git_odb_object_free(w->obj);
                w->obj = NULL;
                continue;
            }
            atomic_fetch_add(&hs->bytes, out->len);
            return 0;
        }
        data = w->data;
        len = w->len;
        if (!hs->opts.scan_binary && lh_is_binary(data, len)) {
            lh_source_skip(s, it->path, LH_SKIP_BINARY);
            git_odb_object_free(w->obj);
            w->obj = NULL;
            continue;
        }
        git_oid_tostr(w->hex, sizeof(w->hex), &it->id);
        out->data = data;
        out->len = len;
        out->path = it->path;
        out->kind = LH_SRC_COMMIT;
        out->blob_id = w->hex;
        atomic_fetch_add(&hs->bytes, len);
        return 0;
    }
}

static void lh_hist_release(struct lh_source *s, unsigned wi, struct lh_chunk *c)
{
    struct lh_hist_src *hs = (struct lh_hist_src *)s;

    (void)c;
    git_odb_object_free(hs->w[wi].obj);
    hs->w[wi].obj = NULL;
}

static const struct lh_source_ops lh_hist_ops = {lh_hist_next, lh_hist_release, lh_hist_free};

int lh_git_history_source_new(struct lh_source **out, struct lh_git_repo *repo,
                              const struct lh_git_source_opts *opts)
{
    struct lh_hist_src *hs;
    struct lh_enum e;
    int rc;

    *out = NULL;
    memset(&e, 0, sizeof(e));
    lh_oidmap_init(&e.index);
    lh_oidmap_init(&e.trees);
    lh_oidmap_init(&e.cmap);
    lh_buf_init(&e.prefix, 64 * 1024);
    hs = lh_calloc(1, sizeof(*hs));
    if (hs == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    e.hs = hs;
    hs->base.ops = &lh_hist_ops;
    if (opts)
        hs->opts = *opts;
    if (hs->opts.max_size == 0)
        hs->opts.max_size = LH_DEFAULT_MAX_FILE_SIZE;
    hs->base.workers = hs->opts.workers ? hs->opts.workers : 1;
    hs->repo = repo;
    atomic_init(&hs->next, 0);
    atomic_init(&hs->done, 0);
    atomic_init(&hs->bytes, 0);
    hs->w = lh_calloc(hs->base.workers, sizeof(*hs->w));
    if (hs->w == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    /* process-wide, as libgit2's mapping is: bounds the pack pages a scan keeps mapped */
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, LH_HIST_WINDOW);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, LH_HIST_MAPPED_ENUM);
    rc = lh_git__reopen(repo, &e.repo);
    if (rc == 0)
        rc = lh_odbr_open(&e.rd, e.repo);
    if (rc == 0) {
        lh_hist_load_packs(&e);
        if (hs->packs && hs->packs->n) {
            uint64_t bytes = 0;
            size_t k;
            for (k = 0; k < hs->packs->n; k++)
                bytes += hs->packs->p[k].size;
            bytes /= 4;
            rc = lh_pack_reader_new(&e.pr, hs->packs,
                                    bytes < LH_HIST_BASE_CACHE_ENUM_MIN   ? LH_HIST_BASE_CACHE_ENUM_MIN
                                    : bytes > LH_HIST_BASE_CACHE_ENUM_MAX ? LH_HIST_BASE_CACHE_ENUM_MAX
                                                                          : (size_t)bytes);
        }
    }
    if (rc == 0)
        rc = lh_hist_roots(&e);
    if (rc == 0)
        rc = lh_hist_list_commits(&e);
    if (rc == 0)
        rc = lh_hist_walk_commits(&e);
    if (rc == 0)
        rc = lh_hist_other(&e);
    if (rc)
        goto fail;
    lh_hist_stamp(&e);
    if (hs->n_items > 1)
        qsort(hs->items, hs->n_items, sizeof(*hs->items), lh_item_cmp);
    /* the maps are not needed while scanning, nor the enumeration's pack windows (unless another
     * handle holds the same pack open); reading in pack order needs few windows */
    lh_enum_release(&e);
    git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, LH_HIST_MAPPED_READ);
    if (repo->history == NULL)
        repo->history = hs;
    *out = &hs->base;
    return 0;
fail:
    lh_enum_release(&e);
    lh_hist_free(&hs->base);
    return rc;
}

int lh_git__history_origins(struct lh_git_repo *r, const struct lh_oidmap *want,
                            struct lh_git_origin *origins, size_t *resolved)
{
    struct lh_hist_src *hs = r->history;
    git_commit *c = NULL;
    uint32_t c_origin = LH_NO_ORIGIN;
    size_t i;
    int rc = 0;

    *resolved = 0;
    if (hs == NULL || want->len == 0)
        return 0;
    for (i = 0; i < hs->n_items && rc == 0; i++) {
        const struct lh_hitem *it = &hs->items[i];
        size_t *idx;

        if (it->kind != LH_H_BLOB || (idx = lh_oidmap_ref(want, &it->id)) == NULL)
            continue;
        (*resolved)++;
        if (it->origin == LH_NO_ORIGIN || it->origin >= hs->n_origin)
            continue;
        if (c == NULL || c_origin != it->origin) {
            git_commit_free(c);
            c = NULL;
            c_origin = it->origin;
            if (git_commit_lookup(&c, r->repo, &hs->origin[it->origin]) < 0) {
                c = NULL;
                rc = lh_git__error(LH_EGIT, "reading a commit");
                break;
            }
        }
        rc = lh_git__origin_fill(&origins[*idx], c, it->path ? it->path : "");
    }
    git_commit_free(c);
    return rc;
}

void lh_git_source_progress(const struct lh_source *src, struct lh_git_progress *out)
{
    memset(out, 0, sizeof(*out));
    if (src->ops == &lh_hist_ops) {
        struct lh_hist_src *hs = (struct lh_hist_src *)src;
        out->items_total = hs->n_items;
        out->items_done = atomic_load(&hs->done);
        out->bytes_done = atomic_load(&hs->bytes);
    } else if (lh_git__is_range(src)) {
        lh_git__range_progress(src, out);
    }
}
