/*
 * finding.c - copying a match out of its chunk, fingerprints, redaction, and the sorted list.
 * A finding never points into a chunk: chunks are released as soon as they are scanned.
 */
#include "engine/finding.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/limits.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

static int lh_dup_opt(char **dst, const char *src)
{
    char *p = NULL;

    if (src) {
        p = lh_strdup(src);
        if (p == NULL)
            return lh_error_set(LH_ENOMEM, "out of memory");
    }
    free(*dst);
    *dst = p;
    return 0;
}

int lh_finding_init(struct lh_finding *f, const struct lh_chunk *c, const struct lh_match *m,
                    struct lh_lineidx *li)
{
    size_t slen = m->secret_end - m->secret_start;
    const char *id = m->rule->id;
    const void *parts[3];
    size_t lens[3];
    size_t last;
    int rc;

    memset(f, 0, sizeof(*f));
    f->rule = m->rule;
    f->source = c->kind;
    f->entropy = m->entropy;
    f->validated = m->validated;
    if (slen > LH_MAX_SECRET_LEN)
        slen = LH_MAX_SECRET_LEN;
    f->secret = lh_memdup(c->data + m->secret_start, slen);
    f->secret_len = slen;
    f->path = lh_strdup(c->path ? c->path : "");
    if (f->secret == NULL || f->path == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    rc = lh_finding_set_provenance(f, c->commit, c->author, c->author_email, c->date);
    if (rc == 0)
        rc = lh_dup_opt(&f->blob_id, c->blob_id);
    if (rc)
        goto fail;

    parts[0] = id;
    lens[0] = strlen(id);
    parts[1] = "";
    lens[1] = 1; /* the NUL separator */
    parts[2] = f->secret;
    lens[2] = f->secret_len;
    lh_sha256_hex(f->fingerprint, parts, lens, 3);

    /* the span reported is the secret itself: that is what a person has to remove */
    lh_lineidx_map(li, m->secret_start, &f->line_start, &f->col_start);
    last = m->secret_end > m->secret_start ? m->secret_end - 1 : m->secret_start;
    lh_lineidx_map(li, last, &f->line_end, &f->col_end);
    return 0;
fail:
    lh_finding_release(f);
    return rc;
}

int lh_finding_set_provenance(struct lh_finding *f, const char *commit, const char *author,
                              const char *email, const char *date)
{
    int rc = lh_dup_opt(&f->commit, commit);

    if (rc == 0)
        rc = lh_dup_opt(&f->author, author);
    if (rc == 0)
        rc = lh_dup_opt(&f->author_email, email);
    if (rc == 0)
        rc = lh_dup_opt(&f->date, date);
    return rc;
}

void lh_finding_release(struct lh_finding *f)
{
    if (f == NULL)
        return;
    free(f->path);
    free(f->secret);
    free(f->commit);
    free(f->author);
    free(f->author_email);
    free(f->date);
    free(f->blob_id);
    memset(f, 0, sizeof(*f));
}

int lh_finding_redact(struct lh_buf *b, const struct lh_finding *f, bool show_secrets)
{
    size_t keep;
    int rc;

    if (show_secrets)
        return lh_text_escape(b, f->secret, f->secret_len);
    /* at most 4 characters, and never more than a quarter of the secret */
    keep = f->secret_len / 4;
    if (keep > 4)
        keep = 4;
    rc = lh_text_escape(b, f->secret, keep);
    if (rc == 0)
        rc = lh_buf_adds(b, "\xe2\x80\xa6");
    return rc;
}

void lh_findings_init(struct lh_findings *l)
{
    memset(l, 0, sizeof(*l));
}

void lh_findings_release(struct lh_findings *l)
{
    size_t i;

    for (i = 0; i < l->len; i++)
        lh_finding_release(&l->items[i]);
    free(l->items);
    lh_findings_init(l);
}

int lh_findings_push(struct lh_findings *l, struct lh_finding *f)
{
    int rc = lh_array_grow((void **)&l->items, &l->cap, l->len + 1, sizeof(*l->items));

    if (rc)
        return rc;
    l->items[l->len++] = *f;
    memset(f, 0, sizeof(*f));
    return 0;
}

int lh_findings_merge(struct lh_findings *dst, struct lh_findings *src)
{
    int rc;

    if (src->len == 0)
        return 0;
    rc = lh_array_grow((void **)&dst->items, &dst->cap, dst->len + src->len, sizeof(*dst->items));
    if (rc)
        return rc;
    memcpy(dst->items + dst->len, src->items, src->len * sizeof(*src->items));
    dst->len += src->len;
    free(src->items);
    lh_findings_init(src);
    return 0;
}

static int lh_strcmp_null(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

/* Order: place, rule, secret, then the earliest date and commit first, so that among copies of one
 * finding (one secret in several versions of a file) the one kept is the oldest: the commit that
 * introduced it. Blob ids last, to make the order total. */
static int lh_finding_cmp(const void *pa, const void *pb)
{
    const struct lh_finding *a = pa, *b = pb;
    int c = strcmp(a->path, b->path);

    if (c)
        return c;
    if (a->line_start != b->line_start)
        return a->line_start < b->line_start ? -1 : 1;
    if (a->col_start != b->col_start)
        return a->col_start < b->col_start ? -1 : 1;
    c = strcmp(a->rule->id, b->rule->id);
    if (c)
        return c;
    c = strcmp(a->fingerprint, b->fingerprint);
    if (c)
        return c;
    c = lh_strcmp_null(a->date, b->date);
    if (c)
        return c;
    c = lh_strcmp_null(a->commit, b->commit);
    if (c)
        return c;
    return lh_strcmp_null(a->blob_id, b->blob_id);
}

/* b repeats a (sorted before it): the same secret at the same place. Until commits are known
 * (history scans attribute afterwards) copies from different blobs are kept apart, so attribution
 * can still pick the oldest. */
static bool lh_finding_repeats(const struct lh_finding *a, const struct lh_finding *b)
{
    if (strcmp(a->path, b->path) != 0 || a->line_start != b->line_start ||
        a->col_start != b->col_start || strcmp(a->rule->id, b->rule->id) != 0 ||
        strcmp(a->fingerprint, b->fingerprint) != 0)
        return false;
    if (a->commit != NULL && b->commit != NULL)
        return true;
    return lh_strcmp_null(a->commit, b->commit) == 0 && lh_strcmp_null(a->blob_id, b->blob_id) == 0;
}

/* True when a and b are in the same place (path, commit) and their spans overlap. */
static bool lh_finding_overlaps(const struct lh_finding *a, const struct lh_finding *b)
{
    if (strcmp(a->path, b->path) != 0 || lh_strcmp_null(a->commit, b->commit) != 0)
        return false;
    if (a->line_end < b->line_start || b->line_end < a->line_start)
        return false;
    if (a->line_end == b->line_start && a->line_start == a->line_end &&
        b->line_start == b->line_end)
        return !(a->col_end < b->col_start || b->col_end < a->col_start);
    return true;
}

void lh_findings_sort(struct lh_findings *l)
{
    size_t i, j, out = 0;

    if (l->len < 2)
        return;
    qsort(l->items, l->len, sizeof(*l->items), lh_finding_cmp);
    /* exact duplicates (the same blob reached twice) go */
    for (i = 0; i < l->len; i++) {
        if (out > 0 && lh_finding_repeats(&l->items[out - 1], &l->items[i])) {
            lh_finding_release(&l->items[i]);
            continue;
        }
        if (out != i)
            l->items[out] = l->items[i];
        out++;
    }
    l->len = out;
    /* where a format-anchored rule and a vaguer one report the same span, the vaguer one is noise:
     * keep the more confident finding. Sorted by position, so overlaps are near neighbours. */
    for (i = 0; i < l->len; i++) {
        if (l->items[i].rule == NULL)
            continue;
        for (j = i + 1; j < l->len; j++) {
            struct lh_finding *a = &l->items[i], *b = &l->items[j];
            if (b->rule == NULL)
                continue; /* released by an earlier pass of the outer loop */
            if (strcmp(b->path, a->path) != 0 || b->line_start > a->line_end)
                break;
            if (a->rule->confidence == b->rule->confidence ||
                !lh_finding_overlaps(a, b))
                continue;
            lh_finding_release(a->rule->confidence < b->rule->confidence ? a : b);
            if (a->rule == NULL)
                break;
        }
    }
    lh_findings_compact(l);
}

size_t lh_findings_compact(struct lh_findings *l)
{
    size_t i, out = 0, before = l->len;

    for (i = 0; i < l->len; i++) {
        if (l->items[i].rule == NULL)
            continue;
        if (out != i)
            l->items[out] = l->items[i];
        out++;
    }
    l->len = out;
    return before - out;
}
