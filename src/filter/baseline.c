/*
 * baseline.c - the baseline file: strict loading, sorted storage, thread-safe matching with hit
 * counts (for --report-stale-baseline), and a stable, merge-friendly rendering.
 *
 * Invariant: after lh_baseline_sort, entries are ordered by (fingerprint, pin) where an unpinned
 * entry sorts before the pinned ones of the same fingerprint, so one binary search finds them all.
 */
#include "filter/baseline.h"
#include "filter/yamldoc.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/text.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct lh_baseline {
    struct lh_baseline_entry *items;
    atomic_uint_fast64_t *hits; /* parallel to items; allocated by lh_baseline_sort */
    size_t len, cap;
    bool sorted;
};

int lh_baseline_new(struct lh_baseline **out)
{
    *out = lh_calloc(1, sizeof(**out));
    if (*out == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    return 0;
}

static void lh_entry_release(struct lh_baseline_entry *e)
{
    free(e->rule);
    free(e->path);
    free(e->reason);
    memset(e, 0, sizeof(*e));
}

void lh_baseline_free(struct lh_baseline *b)
{
    size_t i;

    if (b == NULL)
        return;
    for (i = 0; i < b->len; i++)
        lh_entry_release(&b->items[i]);
    free(b->items);
    free(b->hits);
    free(b);
}

static bool lh_is_fingerprint(const char *s)
{
    size_t i;

    for (i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[64] == '\0';
}

/* Orders by fingerprint, then unpinned before pinned, then pinned path. */
static int lh_entry_key_cmp(const char *fa, bool pa, const char *patha, const char *fb, bool pb,
                            const char *pathb)
{
    int c = strcmp(fa, fb);

    if (c)
        return c;
    if (pa != pb)
        return pa ? 1 : -1;
    if (!pa)
        return 0;
    return strcmp(patha, pathb);
}

static int lh_entry_cmp(const void *x, const void *y)
{
    const struct lh_baseline_entry *a = x, *b = y;

    return lh_entry_key_cmp(a->fingerprint, a->pinned, a->path, b->fingerprint, b->pinned, b->path);
}

static const struct lh_baseline_entry *lh_baseline_find_key(const struct lh_baseline *b,
                                                            const char *fp, bool pinned,
                                                            const char *path)
{
    size_t i;

    for (i = 0; i < b->len; i++)
        if (lh_entry_key_cmp(b->items[i].fingerprint, b->items[i].pinned, b->items[i].path, fp,
                             pinned, path) == 0)
            return &b->items[i];
    return NULL;
}

/* Adds without the duplicate check; takes a file line for messages. */
static int lh_baseline_push(struct lh_baseline *b, const char *fingerprint, const char *rule,
                            const char *path, uint32_t line, bool pinned, const char *reason,
                            uint32_t file_line)
{
    struct lh_baseline_entry e;
    int rc;

    memset(&e, 0, sizeof(e));
    if (!lh_is_fingerprint(fingerprint))
        return lh_error_set(LH_EINVALID, "baseline: '%s' is not a fingerprint (64 lowercase hex "
                                         "digits)", fingerprint);
    if (pinned && path == NULL)
        return lh_error_set(LH_EINVALID, "baseline: a pinned entry needs a path");
    rc = lh_array_grow((void **)&b->items, &b->cap, b->len + 1, sizeof(*b->items));
    if (rc)
        return lh_error_set(LH_ENOMEM, "out of memory");
    memcpy(e.fingerprint, fingerprint, 65);
    e.rule = lh_strdup(rule);
    e.path = path ? lh_strdup(path) : NULL;
    e.reason = reason ? lh_strdup(reason) : NULL;
    if (e.rule == NULL || (path && e.path == NULL) || (reason && e.reason == NULL)) {
        lh_entry_release(&e);
        return lh_error_set(LH_ENOMEM, "out of memory");
    }
    e.line = line;
    e.pinned = pinned;
    e.file_line = file_line;
    b->items[b->len++] = e;
    b->sorted = false;
    return 0;
}

int lh_baseline_add(struct lh_baseline *b, const char *fingerprint, const char *rule,
                    const char *path, uint32_t line, bool pinned, const char *reason)
{
    if (lh_is_fingerprint(fingerprint) && lh_baseline_find_key(b, fingerprint, pinned, path))
        return 0;
    return lh_baseline_push(b, fingerprint, rule, path, line, pinned, reason, 0);
}

void lh_baseline_sort(struct lh_baseline *b)
{
    size_t i;

    if (b->len > 1)
        qsort(b->items, b->len, sizeof(*b->items), lh_entry_cmp);
    free(b->hits);
    b->hits = NULL;
    if (b->len) {
        b->hits = lh_calloc(b->len, sizeof(*b->hits));
        /* without the counters matching still works; stale reporting says nothing is stale */
        for (i = 0; b->hits && i < b->len; i++)
            atomic_init(&b->hits[i], 0);
    }
    b->sorted = true;
}

size_t lh_baseline_count(const struct lh_baseline *b)
{
    return b->len;
}

const struct lh_baseline_entry *lh_baseline_get(const struct lh_baseline *b, size_t i)
{
    return i < b->len ? &b->items[i] : NULL;
}

/* Index of the first entry with fingerprint fp, or b->len. */
static size_t lh_baseline_lower(const struct lh_baseline *b, const char *fp)
{
    size_t lo = 0, hi = b->len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(b->items[mid].fingerprint, fp) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const char *lh_baseline_reason(const struct lh_baseline *b, const char *fingerprint)
{
    size_t i;

    for (i = lh_baseline_lower(b, fingerprint);
         i < b->len && strcmp(b->items[i].fingerprint, fingerprint) == 0; i++)
        if (b->items[i].reason)
            return b->items[i].reason;
    return NULL;
}

bool lh_baseline_match(const struct lh_baseline *b, const char *fingerprint, const char *path)
{
    size_t i;

    if (b == NULL || !b->sorted)
        return false;
    for (i = lh_baseline_lower(b, fingerprint);
         i < b->len && strcmp(b->items[i].fingerprint, fingerprint) == 0; i++) {
        const struct lh_baseline_entry *e = &b->items[i];
        if (!e->pinned || (path && strcmp(e->path, path) == 0)) {
            if (b->hits)
                atomic_fetch_add(&b->hits[i], 1);
            return true;
        }
    }
    return false;
}

uint64_t lh_baseline_hits(const struct lh_baseline *b, size_t i)
{
    /* without counters (allocation failed) nothing is claimed stale */
    if (b->hits == NULL || i >= b->len)
        return 1;
    return atomic_load(&b->hits[i]);
}

void lh_baseline_reset_hits(struct lh_baseline *b)
{
    size_t i;

    for (i = 0; b->hits && i < b->len; i++)
        atomic_store(&b->hits[i], 0);
}

/* ---- loading ----------------------------------------------------------------------------- */

static int lh_baseline_entry_load(struct lh_baseline *b, struct lh_ydoc *d, yaml_node_t *n)
{
    const char *fp = NULL, *rule = NULL, *path = NULL, *reason = NULL;
    uint64_t line = 0;
    bool pinned = false;
    yaml_node_pair_t *pr;
    int rc;

    rc = lh_ydoc_expect(d, n, YAML_MAPPING_NODE, "a baseline entry");
    if (rc)
        return rc;
    for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = lh_ydoc_node(d, pr->key), *v = lh_ydoc_node(d, pr->value);
        const char *key = NULL;
        rc = lh_ydoc_string(d, k, "a key", &key);
        if (rc)
            return rc;
        if (strcmp(key, "fingerprint") == 0) {
            rc = lh_ydoc_string(d, v, "fingerprint", &fp);
            if (rc == 0 && !lh_is_fingerprint(fp))
                rc = lh_ydoc_error(d, v, "fingerprint must be 64 lowercase hex digits");
        } else if (strcmp(key, "rule") == 0) {
            rc = lh_ydoc_string(d, v, "rule", &rule);
        } else if (strcmp(key, "path") == 0) {
            rc = lh_ydoc_string(d, v, "path", &path);
        } else if (strcmp(key, "line") == 0) {
            rc = lh_ydoc_uint(d, v, "line", UINT32_MAX, &line);
        } else if (strcmp(key, "pinned") == 0) {
            rc = lh_ydoc_bool(d, v, "pinned", &pinned);
        } else if (strcmp(key, "reason") == 0) {
            rc = lh_ydoc_string(d, v, "reason", &reason);
        } else {
            rc = lh_ydoc_error(d, k, "unknown key '%s' in a baseline entry (expected fingerprint, "
                                     "rule, path, line, pinned, reason)", key);
        }
        if (rc)
            return rc;
    }
    if (fp == NULL)
        return lh_ydoc_error(d, n, "a baseline entry needs a fingerprint");
    if (rule == NULL)
        return lh_ydoc_error(d, n, "a baseline entry needs a rule");
    if (pinned && path == NULL)
        return lh_ydoc_error(d, n, "a pinned baseline entry needs a path");
    {
        const struct lh_baseline_entry *dup = lh_baseline_find_key(b, fp, pinned, path);
        if (dup)
            return lh_ydoc_error(d, n, "duplicate baseline entry for %s%s%s (first at line %u)", fp,
                                 pinned ? " at " : "", pinned ? path : "", dup->file_line);
    }
    rc = lh_baseline_push(b, fp, rule, path, (uint32_t)line, pinned, reason,
                          (uint32_t)n->start_mark.line + 1);
    if (rc && rc != LH_ENOMEM)
        rc = lh_ydoc_error(d, n, "%s", lh_error_last());
    return rc;
}

int lh_baseline_load_buffer(struct lh_baseline *b, const char *name, const char *data, size_t len)
{
    struct lh_ydoc d;
    yaml_node_t *root, *entries = NULL;
    yaml_node_pair_t *pr;
    yaml_node_item_t *it;
    bool have_schema = false;
    int rc;

    rc = lh_ydoc_load(&d, name, data, len);
    if (rc)
        return rc;
    root = lh_ydoc_root(&d);
    if (root == NULL) {
        rc = lh_ydoc_error(&d, NULL, "empty baseline (expected schema: %s and entries)",
                           LH_BASELINE_SCHEMA);
        goto out;
    }
    rc = lh_ydoc_expect(&d, root, YAML_MAPPING_NODE, "a baseline");
    if (rc)
        goto out;
    for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = lh_ydoc_node(&d, pr->key), *v = lh_ydoc_node(&d, pr->value);
        const char *key = NULL, *schema = NULL;
        rc = lh_ydoc_string(&d, k, "a key", &key);
        if (rc)
            goto out;
        if (strcmp(key, "schema") == 0) {
            rc = lh_ydoc_string(&d, v, "schema", &schema);
            if (rc == 0 && strcmp(schema, LH_BASELINE_SCHEMA) != 0)
                rc = lh_ydoc_error(&d, v, "unsupported baseline schema '%s' (expected %s)", schema,
                                   LH_BASELINE_SCHEMA);
            have_schema = true;
        } else if (strcmp(key, "entries") == 0) {
            rc = lh_ydoc_expect(&d, v, YAML_SEQUENCE_NODE, "entries");
            entries = v;
        } else {
            rc = lh_ydoc_error(&d, k, "unknown key '%s' in a baseline (expected schema, entries)",
                               key);
        }
        if (rc)
            goto out;
    }
    if (!have_schema) {
        rc = lh_ydoc_error(&d, root, "a baseline needs 'schema: %s'", LH_BASELINE_SCHEMA);
        goto out;
    }
    if (entries == NULL) {
        rc = lh_ydoc_error(&d, root, "a baseline needs 'entries' (a list, possibly [])");
        goto out;
    }
    for (it = entries->data.sequence.items.start; it < entries->data.sequence.items.top; it++) {
        rc = lh_baseline_entry_load(b, &d, lh_ydoc_node(&d, *it));
        if (rc)
            goto out;
    }
    lh_baseline_sort(b);
    if (b->len && b->hits == NULL)
        rc = lh_error_set(LH_ENOMEM, "out of memory");
out:
    lh_ydoc_release(&d);
    return rc;
}

int lh_baseline_load_file(struct lh_baseline *b, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    int rc;

    rc = lh_ydoc_read_file(&data, &len, path, 64u * 1024 * 1024);
    if (rc == 0)
        rc = lh_baseline_load_buffer(b, path, data, len);
    free(data);
    return rc;
}

/* ---- rendering --------------------------------------------------------------------------- */

/* Appends s as a YAML double-quoted scalar. s must be valid UTF-8. Escapes what YAML would fold
 * or refuse: quotes, backslashes, C0 controls, DEL, and the Unicode line breaks NEL, LS and PS. */
static int lh_yaml_quote(struct lh_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc = lh_buf_addc(b, '"');

    for (; rc == 0 && *p; p++) {
        if (*p == '"' || *p == '\\') {
            rc = lh_buf_addc(b, '\\');
            if (rc == 0)
                rc = lh_buf_addc(b, (char)*p);
        } else if (*p < 0x20 || *p == 0x7f) {
            rc = lh_buf_addf(b, "\\x%02x", *p);
        } else if (p[0] == 0xc2 && p[1] == 0x85) {
            rc = lh_buf_adds(b, "\\N");
            p++;
        } else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            rc = lh_buf_adds(b, p[2] == 0xa8 ? "\\L" : "\\P");
            p += 2;
        } else {
            rc = lh_buf_addc(b, (char)*p);
        }
    }
    if (rc == 0)
        rc = lh_buf_addc(b, '"');
    return rc;
}

/* A string as valid UTF-8 (invalid bytes become U+FFFD), quoted. */
static int lh_yaml_quote_bytes(struct lh_buf *b, const char *s)
{
    struct lh_buf u;
    int rc;

    lh_buf_init(&u, b->max);
    rc = lh_text_utf8(&u, s, strlen(s));
    if (rc == 0)
        rc = lh_yaml_quote(b, u.ptr ? u.ptr : "");
    lh_buf_release(&u);
    return rc;
}

int lh_baseline_render(struct lh_buf *out, struct lh_baseline *b)
{
    size_t i;
    int rc;

    lh_baseline_sort(b);
    rc = lh_buf_adds(out,
                     "# leakhound baseline: findings reviewed and accepted. Each entry suppresses "
                     "exactly one\n"
                     "# secret (fingerprint = SHA-256 of rule id NUL secret); a pinned entry only "
                     "at its path.\n"
                     "# Regenerate with 'leakhound baseline create'; review changes like code.\n"
                     "schema: " LH_BASELINE_SCHEMA "\n");
    if (rc == 0)
        rc = lh_buf_adds(out, b->len ? "entries:\n" : "entries: []\n");
    for (i = 0; rc == 0 && i < b->len; i++) {
        const struct lh_baseline_entry *e = &b->items[i];
        rc = lh_buf_addf(out, "  - fingerprint: %s\n    rule: ", e->fingerprint);
        if (rc == 0)
            rc = lh_yaml_quote_bytes(out, e->rule);
        if (rc == 0 && e->path) {
            rc = lh_buf_adds(out, "\n    path: ");
            if (rc == 0)
                rc = lh_yaml_quote_bytes(out, e->path);
        }
        if (rc == 0 && e->line)
            rc = lh_buf_addf(out, "\n    line: %u", e->line);
        if (rc == 0 && e->pinned)
            rc = lh_buf_adds(out, "\n    pinned: true");
        if (rc == 0 && e->reason) {
            rc = lh_buf_adds(out, "\n    reason: ");
            if (rc == 0)
                rc = lh_yaml_quote_bytes(out, e->reason);
        }
        if (rc == 0)
            rc = lh_buf_addc(out, '\n');
    }
    if (rc)
        return lh_error_set(rc, "baseline: %s", rc == LH_ENOMEM ? "out of memory" : "too large");
    return 0;
}
