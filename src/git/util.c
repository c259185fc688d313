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
    free(m->keys);
    free(m->vals);
    free(m->used);
    lh_oidmap_init(m);
}

static size_t lh_oid_hash(const git_oid *id)
{
    uint64_t h;

    memcpy(&h, id->id, sizeof(h));
    return (size_t)h;
}

static size_t lh_oidmap_find(const struct lh_oidmap *m, const git_oid *id, bool *found)
{
    size_t mask = m->cap - 1, i = lh_oid_hash(id) & mask;

    while (m->used[i]) {
        if (git_oid_equal(&m->keys[i], id)) {
            *found = true;
            return i;
        }
        i = (i + 1) & mask;
    }
    *found = false;
    return i;
}

static int lh_oidmap_grow(struct lh_oidmap *m)
{
    struct lh_oidmap n;
    size_t i, ncap = m->cap ? m->cap * 2 : 64;
    bool found;

    n.cap = ncap;
    n.len = m->len;
    n.keys = lh_malloc(ncap * sizeof(*n.keys));
    n.vals = lh_malloc(ncap * sizeof(*n.vals));
    n.used = lh_calloc(ncap, 1);
    if (n.keys == NULL || n.vals == NULL || n.used == NULL) {
        free(n.keys);
        free(n.vals);
        free(n.used);
        return lh_error_set(LH_ENOMEM, "out of memory");
    }
    for (i = 0; i < m->cap; i++) {
        size_t j;
        if (!m->used[i])
            continue;
        j = lh_oidmap_find(&n, &m->keys[i], &found);
        n.used[j] = 1;
        n.keys[j] = m->keys[i];
        n.vals[j] = m->vals[i];
    }
    lh_oidmap_release(m);
    *m = n;
    return 0;
}

int lh_oidmap_put(struct lh_oidmap *m, const git_oid *id, size_t val, bool *added, size_t *slot_val)
{
    size_t i;
    bool found;
    int rc;

    if ((m->len + 1) * 2 > m->cap) {
        rc = lh_oidmap_grow(m);
        if (rc)
            return rc;
    }
    i = lh_oidmap_find(m, id, &found);
    if (!found) {
        m->used[i] = 1;
        m->keys[i] = *id;
        m->vals[i] = val;
        m->len++;
    }
    if (added)
        *added = !found;
    if (slot_val)
        *slot_val = m->vals[i];
    return 0;
}

size_t *lh_oidmap_ref(const struct lh_oidmap *m, const git_oid *id)
{
    size_t i;
    bool found;

    if (m->cap == 0)
        return NULL;
    i = lh_oidmap_find(m, id, &found);
    return found ? &m->vals[i] : NULL;
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
