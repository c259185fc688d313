/*
 * pack.c - a read-only pack reader for the history scan: objects by (pack, offset), read with
 * pread (nothing mapped, so nothing of the pack counts in the resident set), inflated in one call
 * (libdeflate when built with it, else zlib with one reused stream), deltas applied here, and a
 * per-reader delta-base cache bounded in bytes (least recently used goes first).
 *
 * Only what the .idx files list is read here, by offset; the history source falls back to libgit2
 * for anything this reader declines (loose objects, a REF_DELTA, a malformed entry): it never
 * guesses. Invariants: an entry spans [offset, next offset in the pack), taken from the .idx; an
 * OFS_DELTA's base lies before it in the same pack; every size is checked before it is trusted.
 * A pack set is read-only once opened and shared by the workers; each worker has its own reader.
 */
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef LH_HAVE_LIBDEFLATE
#include <libdeflate.h>
#else
#include <zlib.h>
#endif

#define LH_PACK_MAX_OBJECT ((uint64_t)1 << 31) /* larger objects are left to libgit2 */
#define LH_PACK_MAX_CHAIN 5000u                /* delta chain depth followed (git makes <= 4095) */
#define LH_PACK_KEEP_IN ((size_t)4 << 20)      /* a bigger read buffer is given back after use */
#define LH_PACK_CACHE_BITS 16u                 /* 2^16 hash buckets in the base cache */
#define LH_PACK_SMALL_ENTRY 65536u             /* entries up to this are read in one pread */

struct lh_pack_cent {
    uint64_t key; /* pack << 40 | offset */
    unsigned char *buf;
    size_t len;
    int type;
    struct lh_pack_cent *hnext, *older, *newer;
};

struct lh_pack_reader {
    const struct lh_packset *ps;
#ifdef LH_HAVE_LIBDEFLATE
    struct libdeflate_decompressor *dd;
#else
    z_stream zs;
    bool zs_ready;
#endif
    unsigned char *in;
    size_t in_cap;
    struct lh_pack_cent *bucket[1u << LH_PACK_CACHE_BITS];
    struct lh_pack_cent *oldest, *newest;
    size_t cached, budget;
    unsigned char *last; /* the previous result when the cache did not take it */
};

void lh_packset_free(struct lh_packset *ps)
{
    size_t i;

    if (ps == NULL)
        return;
    for (i = 0; i < ps->n; i++) {
        if (ps->p[i].fd >= 0)
            close(ps->p[i].fd);
        free(ps->p[i].offs);
    }
    free(ps->p);
    free(ps);
}

static int lh_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

int lh_packset_add(struct lh_packset *ps, const char *pack_path, uint64_t *offs, size_t n)
{
    struct lh_pack *p;
    struct stat st;
    int fd;

    if (lh_array_grow((void **)&ps->p, &ps->cap, ps->n + 1, sizeof(*ps->p))) {
        free(offs);
        return lh_error_set(LH_ENOMEM, "out of memory");
    }
    p = &ps->p[ps->n++];
    memset(p, 0, sizeof(*p));
    p->fd = -1;
    p->offs = offs;
    p->n_offs = n;
    fd = open(pack_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 32) {
        if (fd >= 0)
            close(fd);
        return 0; /* unusable: every read from it declines */
    }
    p->fd = fd;
    p->size = (uint64_t)st.st_size;
    if (n > 1)
        qsort(p->offs, n, sizeof(*p->offs), lh_u64_cmp);
    return 0;
}

int lh_pack_reader_new(struct lh_pack_reader **out, const struct lh_packset *ps, size_t budget)
{
    struct lh_pack_reader *r = lh_calloc(1, sizeof(*r));

    *out = NULL;
    if (r == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    r->ps = ps;
    r->budget = budget;
#ifdef LH_HAVE_LIBDEFLATE
    r->dd = libdeflate_alloc_decompressor();
    if (r->dd == NULL) {
        free(r);
        return lh_error_set(LH_ENOMEM, "out of memory");
    }
#endif
    *out = r;
    return 0;
}

static size_t lh_pack_slot(uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> (64 - LH_PACK_CACHE_BITS));
}

static void lh_pack_evict(struct lh_pack_reader *r, struct lh_pack_cent *e)
{
    struct lh_pack_cent **pp = &r->bucket[lh_pack_slot(e->key)];

    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    if (e->older)
        e->older->newer = e->newer;
    else
        r->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        r->newest = e->older;
    r->cached -= e->len;
    free(e->buf);
    free(e);
}

void lh_pack_reader_free(struct lh_pack_reader *r)
{
    if (r == NULL)
        return;
    while (r->oldest)
        lh_pack_evict(r, r->oldest);
#ifdef LH_HAVE_LIBDEFLATE
    libdeflate_free_decompressor(r->dd);
#else
    if (r->zs_ready)
        inflateEnd(&r->zs);
#endif
    free(r->in);
    free(r->last);
    free(r);
}

static struct lh_pack_cent *lh_pack_lookup(struct lh_pack_reader *r, uint64_t key)
{
    struct lh_pack_cent *e;

    for (e = r->bucket[lh_pack_slot(key)]; e; e = e->hnext) {
        if (e->key != key)
            continue;
        if (e != r->newest) { /* most recently used goes last */
            if (e->older)
                e->older->newer = e->newer;
            else
                r->oldest = e->newer;
            e->newer->older = e->older;
            e->older = r->newest;
            e->newer = NULL;
            r->newest->newer = e;
            r->newest = e;
        }
        return e;
    }
    return NULL;
}

/* Takes buf into the cache when it fits the budget (evicting the least recently used); false when
 * it does not fit, and the caller keeps it. */
static bool lh_pack_insert(struct lh_pack_reader *r, uint64_t key, unsigned char *buf, size_t len,
                           int type)
{
    struct lh_pack_cent *e;

    if (len > r->budget / 4)
        return false;
    e = lh_malloc(sizeof(*e));
    if (e == NULL)
        return false;
    while (r->oldest && r->cached + len > r->budget)
        lh_pack_evict(r, r->oldest);
    e->key = key;
    e->buf = buf;
    e->len = len;
    e->type = type;
    e->hnext = r->bucket[lh_pack_slot(key)];
    r->bucket[lh_pack_slot(key)] = e;
    e->older = r->newest;
    e->newer = NULL;
    if (r->newest)
        r->newest->newer = e;
    else
        r->oldest = e;
    r->newest = e;
    r->cached += len;
    return true;
}

/* The end of the entry at off: the next object's offset, or the pack's trailer. 0 if off is not
 * an object of the pack. */
static uint64_t lh_pack_entry_end(const struct lh_pack *p, uint64_t off)
{
    size_t lo = 0, hi = p->n_offs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->offs[mid] <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || p->offs[lo - 1] != off)
        return 0;
    return lo < p->n_offs ? p->offs[lo] : p->size - 20;
}

static int lh_pack_pread(struct lh_pack_reader *r, const struct lh_pack *p, uint64_t off, size_t len)
{
    size_t got = 0;

    if (len > r->in_cap) {
        unsigned char *n = lh_realloc(r->in, len);
        if (n == NULL)
            return -1;
        r->in = n;
        r->in_cap = len;
    }
    while (got < len) {
        ssize_t k = pread(p->fd, r->in + got, len - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

/* Inflates exactly out_len bytes from in into a new buffer (one spare byte, NUL). */
static unsigned char *lh_pack_inflate(struct lh_pack_reader *r, const unsigned char *in,
                                      size_t in_len, size_t out_len)
{
    unsigned char *out = lh_malloc(out_len + 1);

    if (out == NULL)
        return NULL;
#ifdef LH_HAVE_LIBDEFLATE
    {
        size_t got = 0;
        if (libdeflate_zlib_decompress(r->dd, in, in_len, out, out_len, &got) != LIBDEFLATE_SUCCESS ||
            got != out_len) {
            free(out);
            return NULL;
        }
    }
#else
    {
        int zrc;
        if (!r->zs_ready) {
            memset(&r->zs, 0, sizeof(r->zs));
            if (inflateInit(&r->zs) != Z_OK) {
                free(out);
                return NULL;
            }
            r->zs_ready = true;
        } else if (inflateReset(&r->zs) != Z_OK) {
            free(out);
            return NULL;
        }
        r->zs.next_in = (unsigned char *)in;
        r->zs.avail_in = (uInt)in_len;
        r->zs.next_out = out;
        r->zs.avail_out = (uInt)out_len;
        if (in_len > UINT32_MAX || out_len > UINT32_MAX) {
            free(out);
            return NULL;
        }
        zrc = inflate(&r->zs, Z_FINISH);
        if (zrc != Z_STREAM_END || r->zs.avail_out != 0) {
            free(out);
            return NULL;
        }
    }
#endif
    out[out_len] = '\0';
    return out;
}

static bool lh_varint(const unsigned char **pp, const unsigned char *end, uint64_t *out)
{
    const unsigned char *p = *pp;
    uint64_t v = 0;
    unsigned shift = 0;

    do {
        if (p >= end || shift > 56)
            return false;
        v |= (uint64_t)(*p & 0x7f) << shift;
        shift += 7;
    } while (*p++ & 0x80);
    *pp = p;
    *out = v;
    return true;
}

/* Applies delta to base into a new buffer of the delta's result size. */
static unsigned char *lh_pack_patch(const unsigned char *base, size_t base_len,
                                    const unsigned char *d, size_t dlen, size_t *out_len)
{
    const unsigned char *end = d + dlen;
    uint64_t src, dst;
    unsigned char *out;
    size_t pos = 0;

    if (!lh_varint(&d, end, &src) || !lh_varint(&d, end, &dst) || src != base_len ||
        dst > LH_PACK_MAX_OBJECT)
        return NULL;
    out = lh_malloc((size_t)dst + 1);
    if (out == NULL)
        return NULL;
    while (d < end) {
        unsigned c = *d++;
        if (c & 0x80) {
            size_t off = 0, n = 0;
            unsigned i;
            for (i = 0; i < 4; i++)
                if (c & (1u << i)) {
                    if (d >= end)
                        goto bad;
                    off |= (size_t)*d++ << (8 * i);
                }
            for (i = 0; i < 3; i++)
                if (c & (0x10u << i)) {
                    if (d >= end)
                        goto bad;
                    n |= (size_t)*d++ << (8 * i);
                }
            if (n == 0)
                n = 0x10000;
            if (off > base_len || n > base_len - off || n > dst - pos)
                goto bad;
            memcpy(out + pos, base + off, n);
            pos += n;
        } else if (c) {
            if (c > (size_t)(end - d) || c > dst - pos)
                goto bad;
            memcpy(out + pos, d, c);
            d += c;
            pos += c;
        } else {
            goto bad; /* reserved */
        }
    }
    if (pos != dst)
        goto bad;
    out[dst] = '\0';
    *out_len = (size_t)dst;
    return out;
bad:
    free(out);
    return NULL;
}

/* Resolves the object at (pack, off). *buf is cached (not owned) when *owned is false.
 * max: the largest result wanted (only checked for the object asked for, depth 0); returns 1 when
 * it is larger. 0 on success, -1 when declined. */
static int lh_pack_get(struct lh_pack_reader *r, size_t pack, uint64_t off, unsigned depth,
                       uint64_t max, unsigned char **buf, size_t *len, int *type, bool *owned)
{
    const struct lh_pack *p = &r->ps->p[pack];
    uint64_t key = (uint64_t)pack << 40 | off, end, size, ofs = 0;
    const unsigned char *h, *hend;
    struct lh_pack_cent *ce;
    unsigned char *delta, *base, *res;
    size_t base_len, hdr, dlen, rlen = 0;
    int t, base_type, rc;
    bool base_owned, whole;
    unsigned c, shift = 4;

    if ((ce = lh_pack_lookup(r, key)) != NULL) {
        if (depth == 0 && ce->len > max)
            return 1;
        *buf = ce->buf;
        *len = ce->len;
        *type = ce->type;
        *owned = false;
        return 0;
    }
    if (depth > LH_PACK_MAX_CHAIN || p->fd < 0 || (end = lh_pack_entry_end(p, off)) <= off ||
        end > p->size || end - off > LH_PACK_MAX_OBJECT)
        return -1;
    /* a small entry in one read; a big one header first, so a huge object is refused before its
     * bytes are read */
    whole = end - off <= LH_PACK_SMALL_ENTRY;
    if (lh_pack_pread(r, p, off, whole ? (size_t)(end - off) : 32) < 0)
        return -1;
    h = r->in;
    hend = r->in + (whole ? end - off : 32);
    c = *h++;
    t = (int)((c >> 4) & 7);
    size = c & 15;
    while (c & 0x80) {
        if (h >= hend || shift > 57)
            return -1;
        c = *h++;
        size += (uint64_t)(c & 0x7f) << shift;
        shift += 7;
    }
    if (t == 6) {
        if (h >= hend)
            return -1;
        c = *h++;
        ofs = c & 127;
        while (c & 128) {
            if (h >= hend || ofs > (UINT64_MAX >> 8))
                return -1;
            c = *h++;
            ofs = ((ofs + 1) << 7) | (c & 127);
        }
        if (ofs == 0 || ofs > off)
            return -1;
    } else if (t < 1 || t > 4) {
        return -1; /* REF_DELTA (base by id) and reserved types: libgit2's business */
    }
    if (size > LH_PACK_MAX_OBJECT || (t != 6 && depth == 0 && size > max))
        return t != 6 && depth == 0 && size > max ? 1 : -1;
    hdr = (size_t)(h - r->in);
    if (!whole && lh_pack_pread(r, p, off, (size_t)(end - off)) < 0)
        return -1;
    if (t != 6) {
        res = lh_pack_inflate(r, r->in + hdr, (size_t)(end - off) - hdr, (size_t)size);
        if (res == NULL)
            return -1;
        rlen = (size_t)size;
    } else {
        const unsigned char *dp;
        uint64_t src, dst;
        delta = lh_pack_inflate(r, r->in + hdr, (size_t)(end - off) - hdr, (size_t)size);
        if (delta == NULL)
            return -1;
        dlen = (size_t)size;
        dp = delta;
        if (!lh_varint(&dp, delta + dlen, &src) || !lh_varint(&dp, delta + dlen, &dst)) {
            free(delta);
            return -1;
        }
        if (depth == 0 && dst > max) {
            free(delta);
            return 1;
        }
        rc = lh_pack_get(r, pack, off - ofs, depth + 1, UINT64_MAX, &base, &base_len, &base_type,
                         &base_owned);
        if (rc) {
            free(delta);
            return -1;
        }
        res = lh_pack_patch(base, base_len, delta, dlen, &rlen);
        free(delta);
        if (base_owned)
            free(base);
        if (res == NULL)
            return -1;
        t = base_type;
    }
    *buf = res;
    *len = rlen;
    *type = t;
    *owned = !lh_pack_insert(r, key, res, rlen, t);
    return 0;
}

int lh_pack_read(struct lh_pack_reader *r, size_t pack, uint64_t off, uint64_t max,
                 const unsigned char **data, size_t *len, git_object_t *type)
{
    unsigned char *buf;
    bool owned;
    int t, rc;

    free(r->last);
    r->last = NULL;
    if (pack >= r->ps->n)
        return -1;
    rc = lh_pack_get(r, pack, off, 0, max, &buf, len, &t, &owned);
    if (r->in_cap > LH_PACK_KEEP_IN) {
        free(r->in);
        r->in = NULL;
        r->in_cap = 0;
    }
    if (rc)
        return rc;
    if (owned)
        r->last = buf;
    *data = buf;
    *type = t == 1 ? GIT_OBJECT_COMMIT : t == 2 ? GIT_OBJECT_TREE : t == 3 ? GIT_OBJECT_BLOB
                                                                           : GIT_OBJECT_TAG;
    return 0;
}
