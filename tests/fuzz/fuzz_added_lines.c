/*
 * fuzz_added_lines.c - the added-lines diff mapper: the input is split at its first NUL byte into
 * an old and a new buffer (no NUL: the old buffer is empty), the two are diffed with libgit2's
 * git_diff_buffers under the options every source uses (lh_git__diff_opts: zero context, text
 * forced) and the new side's hunks collected by lh_git__hunk_cb into a struct lh_ranges, as the
 * staged and range sources do; then lh_ranges_intersect (how a merge keeps only what no parent had)
 * is applied with a second range set derived from the input.
 *
 * Invariants checked, besides no crash, leak or read past len:
 *  - the added ranges are 1-based, sorted, disjoint and not touching (lh_ranges_add merges touching
 *    ranges), and inside the new buffer's line count (a last line without "\n" counts);
 *  - the ranges are the diff: the new lines outside them, in order, are exactly the old lines
 *    outside the hunks' old sides, byte for byte ("\n" included), so every line outside a range
 *    really is unchanged and every line inside one has no unchanged counterpart; identical buffers
 *    give no range, an empty old buffer gives all new lines;
 *  - the intersection with a second set is sorted and disjoint, and is exactly the lines in both
 *    (so a subset of each); the intersection with itself is itself, with nothing is nothing.
 * libgit2 is initialised once, in LLVMFuzzerInitialize.
 */
#include "fuzz.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "git/git_internal.h"

/* A buffer cut into lines: line i (1-based) is p[off[i-1] .. off[i]), its "\n" included. */
struct lines {
    const unsigned char *p;
    size_t n;
    size_t *off; /* n + 1 offsets */
};

static void lines_split(struct lines *l, const unsigned char *p, size_t len)
{
    size_t i, n = 0;

    l->p = p;
    for (i = 0; i < len; i++)
        n += p[i] == '\n';
    if (len && p[len - 1] != '\n')
        n++; /* a last line without a newline */
    l->n = n;
    l->off = malloc((n + 1) * sizeof(*l->off));
    if (l->off == NULL)
        abort();
    l->off[0] = 0;
    for (i = 0, n = 1; i < len; i++)
        if (p[i] == '\n' && n <= l->n)
            l->off[n++] = i + 1;
    l->off[l->n] = len;
}

static bool lines_equal(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
    size_t la = a->off[i] - a->off[i - 1], lb = b->off[j] - b->off[j - 1];

    return la == lb && memcmp(a->p + a->off[i - 1], b->p + b->off[j - 1], la) == 0;
}

/* What the hunk callback below collects: the mapper's ranges, and the old sides for the check. */
struct collect {
    struct lh_ranges added;
    unsigned char *old_changed; /* [1..n_old]: the line is inside some hunk's old side */
    size_t n_old;
};

static int hunk_cb(const git_diff_delta *d, const git_diff_hunk *h, void *payload)
{
    struct collect *c = payload;
    int i;

    if (h->old_lines > 0) {
        if (h->old_start < 1 || (size_t)h->old_start + (size_t)h->old_lines - 1 > c->n_old)
            abort();
        for (i = 0; i < h->old_lines; i++)
            c->old_changed[h->old_start + i] = 1;
    }
    return lh_git__hunk_cb(d, h, &c->added);
}

/* The ranges are 1-based, sorted, disjoint, not touching, and end by line max; marks them in
 * in[1..max] (when in is not NULL). */
static void check_ranges(const struct lh_ranges *r, size_t max, unsigned char *in)
{
    size_t i, k;

    for (i = 0; i < r->n; i++) {
        if (r->v[i].first < 1 || r->v[i].first > r->v[i].last || r->v[i].last > max)
            abort();
        if (i && (uint64_t)r->v[i - 1].last + 1 >= r->v[i].first)
            abort();
        for (k = r->v[i].first; in && k <= r->v[i].last; k++)
            in[k] = 1;
    }
}

static void copy_ranges(struct lh_ranges *dst, const struct lh_ranges *src)
{
    size_t i;

    memset(dst, 0, sizeof(*dst));
    for (i = 0; i < src->n; i++)
        if (lh_ranges_add(dst, src->v[i].first, src->v[i].last))
            abort();
}

/* The intersection of a with b: exactly the lines in both, in[1..max] marking a's and b's lines. */
static void check_intersect(const struct lh_ranges *a, const unsigned char *in_a,
                            const struct lh_ranges *b, const unsigned char *in_b, size_t max)
{
    struct lh_ranges c;
    unsigned char *in_c = calloc(max + 1, 1);
    size_t k;

    if (in_c == NULL)
        abort();
    copy_ranges(&c, a);
    lh_ranges_intersect(&c, b);
    check_ranges(&c, max, in_c);
    for (k = 1; k <= max; k++)
        if (in_c[k] != (in_a[k] & in_b[k]))
            abort();
    lh_ranges_release(&c);
    free(in_c);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (git_libgit2_init() < 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *nul = size ? memchr(data, '\0', size) : NULL;
    const unsigned char *old_p = data, *new_p = data;
    size_t old_len = 0, new_len = size, i, j, max;
    struct lines o, n;
    struct collect c;
    struct lh_ranges b = {0}, none = {0};
    unsigned char *in_a, *in_b;
    git_diff_options opts;

    if (nul) {
        old_len = (size_t)(nul - data);
        new_p = nul + 1;
        new_len = size - old_len - 1;
    }
    lines_split(&o, old_p, old_len);
    lines_split(&n, new_p, new_len);
    memset(&c, 0, sizeof(c));
    c.n_old = o.n;
    c.old_changed = calloc(o.n + 1, 1);
    max = n.n + 2; /* the second set reaches past the end, as a parent's ranges may */
    in_a = calloc(max + 1, 1);
    in_b = calloc(max + 1, 1);
    if (c.old_changed == NULL || in_a == NULL || in_b == NULL)
        abort();

    lh_git__diff_opts(&opts);
    if (git_diff_buffers(old_len ? old_p : NULL, old_len, NULL, new_len ? new_p : NULL, new_len,
                         NULL, &opts, NULL, NULL, hunk_cb, NULL, &c) < 0)
        abort();
    check_ranges(&c.added, n.n, in_a);

    /* unchanged new lines, in order, are the unchanged old lines */
    for (i = 1, j = 1;; i++, j++) {
        while (i <= n.n && in_a[i])
            i++;
        while (j <= o.n && c.old_changed[j])
            j++;
        if (i > n.n || j > o.n)
            break;
        if (!lines_equal(&n, i, &o, j))
            abort();
    }
    if (i <= n.n || j <= o.n)
        abort();
    if (old_len == new_len && memcmp(old_p, new_p, old_len) == 0 && c.added.n)
        abort();
    if (old_len == 0 && n.n &&
        (c.added.n != 1 || c.added.v[0].first != 1 || c.added.v[0].last != n.n))
        abort();

    /* a second set: line k is in it when the input byte at 7k (mod size) is odd */
    for (i = 1; size && i <= max; i++) {
        if (data[(i * 7) % size] & 1) {
            if (lh_ranges_add(&b, (uint32_t)i, (uint32_t)i))
                abort();
            in_b[i] = 1;
        }
    }
    check_ranges(&b, max, NULL);
    check_intersect(&c.added, in_a, &b, in_b, max);
    check_intersect(&b, in_b, &c.added, in_a, max);
    check_intersect(&c.added, in_a, &c.added, in_a, max);
    memset(in_b, 0, max + 1);
    check_intersect(&c.added, in_a, &none, in_b, max);

    lh_ranges_release(&b);
    lh_ranges_release(&c.added);
    free(in_b);
    free(in_a);
    free(c.old_changed);
    free(n.off);
    free(o.off);
    return 0;
}
