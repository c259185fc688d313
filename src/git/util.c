/*
 * util.c - the object-id map, added-line range sets and diff helpers src/git shares.
 * The map is open addressing with linear probing at a load of at most 1/2; ids are already uniform
 * hashes, so their first 8 bytes are the hash.
 */
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

void lh_oidmap_init(struct lh_oidmap *m)
{
    memset(m, 0, sizeof(*m));
}

void lh_oidmap_release(struct lh_oidmap *m)
{
    free(m->slots);
    lh_oidmap_init(m);
}

static inline uint64_t lh_oid_word(const git_oid *id)
{
    uint64_t h;

    memcpy(&h, id->id, sizeof(h));
    return h;
}

/* The slot holding id, or the empty slot where it would go. */
static inline struct lh_oidmap_slot *lh_oidmap_find(const struct lh_oidmap *m, const git_oid *id)
{
    uint64_t w = lh_oid_word(id);
    size_t mask = m->cap - 1, i = (size_t)w & mask;

    for (;;) {
        struct lh_oidmap_slot *s = &m->slots[i];
        if (!s->used)
            return s;
        /* the first word decides almost every comparison */
        if (lh_oid_word(&s->key) == w &&
            memcmp(s->key.id + 8, id->id + 8, GIT_OID_RAWSZ - 8) == 0)
            return s;
        i = (i + 1) & mask;
    }
}

static int lh_oidmap_grow(struct lh_oidmap *m)
{
    struct lh_oidmap n;
    size_t i;

    n.cap = m->cap ? m->cap * 2 : 64;
    n.len = m->len;
    n.slots = lh_calloc(n.cap, sizeof(*n.slots));
    if (n.slots == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    for (i = 0; i < m->cap; i++) {
        if (m->slots[i].used)
            *lh_oidmap_find(&n, &m->slots[i].key) = m->slots[i];
    }
    lh_oidmap_release(m);
    *m = n;
    return 0;
}

int lh_oidmap_put(struct lh_oidmap *m, const git_oid *id, size_t val, bool *added, size_t *slot_val)
{
    struct lh_oidmap_slot *s;
    bool found;
    int rc;

    if ((m->len + 1) * 2 > m->cap) {
        rc = lh_oidmap_grow(m);
        if (rc)
            return rc;
    }
    s = lh_oidmap_find(m, id);
    found = s->used != 0;
    if (!found) {
        s->used = 1;
        s->key = *id;
        s->val = val;
        m->len++;
    }
    if (added)
        *added = !found;
    if (slot_val)
        *slot_val = s->val;
    return 0;
}

size_t *lh_oidmap_ref(const struct lh_oidmap *m, const git_oid *id)
{
    struct lh_oidmap_slot *s;

    if (m->cap == 0)
        return NULL;
    s = lh_oidmap_find(m, id);
    return s->used ? &s->val : NULL;
}

bool lh_oidmap_get(const struct lh_oidmap *m, const git_oid *id, size_t *val)
{
    size_t *p = lh_oidmap_ref(m, id);

    if (p && val)
        *val = *p;
    return p != NULL;
}

void lh_ranges_release(struct lh_ranges *r)
{
    free(r->v);
    r->v = NULL;
    r->n = r->cap = 0;
}

int lh_ranges_add(struct lh_ranges *r, uint32_t first, uint32_t last)
{
    if (r->n && first <= r->v[r->n - 1].last + 1) {
        if (last > r->v[r->n - 1].last)
            r->v[r->n - 1].last = last;
        return 0;
    }
    if (lh_array_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    r->v[r->n].first = first;
    r->v[r->n].last = last;
    r->n++;
    return 0;
}

void lh_ranges_intersect(struct lh_ranges *r, const struct lh_ranges *o)
{
    struct lh_ranges res = {0};
    size_t i = 0, j = 0;

    /* both lists are sorted and disjoint: one merge pass, advancing whichever range ends first */
    while (i < r->n && j < o->n) {
        uint32_t a = r->v[i].first > o->v[j].first ? r->v[i].first : o->v[j].first;
        uint32_t b = r->v[i].last < o->v[j].last ? r->v[i].last : o->v[j].last;
        if (a <= b && lh_ranges_add(&res, a, b)) {
            /* out of memory: keep the wider set (reports more, never fewer) */
            lh_ranges_release(&res);
            return;
        }
        if (r->v[i].last < o->v[j].last)
            i++;
        else
            j++;
    }
    lh_ranges_release(r);
    *r = res;
}

int lh_git__hunk_cb(const git_diff_delta *delta, const git_diff_hunk *hunk, void *payload)
{
    struct lh_ranges *r = payload;

    (void)delta;
    if (hunk->new_lines <= 0)
        return 0;
    if (lh_ranges_add(r, (uint32_t)hunk->new_start,
                      (uint32_t)(hunk->new_start + hunk->new_lines - 1)))
        return GIT_EUSER;
    return 0;
}

void lh_git__diff_opts(git_diff_options *o)
{
    git_diff_options_init(o, GIT_DIFF_OPTIONS_VERSION);
    o->context_lines = 0;
    o->interhunk_lines = 0;
    o->flags |= GIT_DIFF_FORCE_TEXT | GIT_DIFF_IGNORE_SUBMODULES | GIT_DIFF_DISABLE_PATHSPEC_MATCH;
}

int lh_git__added_lines(const git_blob *old, const git_blob *nb, const char *path, bool by_id,
                        struct lh_ranges *out)
{
    git_diff_options o;
    int rc;

    /* by_id (a bare repository): git_diff_blobs, which knows both ids. Otherwise buffers:
     * git_diff_blobs looks up the diff driver in .gitattributes, which loads the whole index
     * (more than all the rest of a pre-commit run in a 10 000-file repository), but
     * git_diff_buffers hashes both sides (SHA-1DC: a third of a 1 000-commit push when done for
     * every file). Text is forced either way; path only names errors. */
    lh_git__diff_opts(&o);
    if (by_id)
        rc = git_diff_blobs(old, NULL, nb, NULL, &o, NULL, NULL, lh_git__hunk_cb, NULL, out);
    else
        rc = git_diff_buffers(git_blob_rawcontent(old), (size_t)git_blob_rawsize(old), NULL,
                              git_blob_rawcontent(nb), (size_t)git_blob_rawsize(nb), NULL, &o,
                              NULL, NULL, lh_git__hunk_cb, NULL, out);
    if (rc < 0)
        return lh_error_last()[0] ? LH_ENOMEM : lh_git__error(LH_EGIT, path);
    return 0;
}
