/*
 * yamldoc.c - strict YAML documents for the config and baseline loaders. Invariant: a loaded
 * document has no aliases and no nesting deeper than LH_MAX_YAML_DEPTH, so walking it is linear in
 * its size and bounded in stack depth.
 */
#include "filter/yamldoc.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lh_ydoc_read_file(char **out, size_t *out_len, const char *path, size_t max)
{
    FILE *f = NULL;
    char *p = NULL;
    size_t len = 0, cap = 0, n;
    int rc = 0;

    *out = NULL;
    *out_len = 0;
    f = fopen(path, "rb");
    if (f == NULL)
        return lh_error_set(errno == ENOENT ? LH_ENOTFOUND : LH_EIO, "%s: cannot open: %s", path,
                            strerror(errno));
    for (;;) {
        if (len + 4096 + 1 > cap) {
            rc = lh_array_grow((void **)&p, &cap, len + 4096 + 1, 1);
            if (rc) {
                rc = lh_error_set(LH_ENOMEM, "out of memory");
                goto out;
            }
        }
        n = fread(p + len, 1, cap - len - 1, f);
        len += n;
        if (len > max) {
            rc = lh_error_set(LH_ELIMIT, "%s: larger than %zu bytes", path, max);
            goto out;
        }
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        rc = lh_error_set(LH_EIO, "%s: read error", path);
        goto out;
    }
    p[len] = '\0';
    *out = p;
    *out_len = len;
    p = NULL;
out:
    free(p);
    fclose(f);
    return rc;
}

static int lh_ydoc_mark_error(const char *name, yaml_mark_t m, const char *what)
{
    return lh_error_set(LH_EINVALID, "%s:%zu:%zu: %s", name, m.line + 1, m.column + 1, what);
}

static int lh_ydoc_parser_error(const char *name, const yaml_parser_t *p)
{
    yaml_mark_t m = p->problem_mark;

    if (p->error == YAML_MEMORY_ERROR)
        return lh_error_set(LH_ENOMEM, "out of memory");
    if (p->context)
        return lh_error_set(LH_EINVALID, "%s:%zu:%zu: invalid YAML: %s %s", name, m.line + 1,
                            m.column + 1, p->problem ? p->problem : "error", p->context);
    return lh_error_set(LH_EINVALID, "%s:%zu:%zu: invalid YAML: %s", name, m.line + 1,
                        m.column + 1, p->problem ? p->problem : "error");
}

/* The first pass: refuse anchors, aliases, several documents and deep nesting. */
static int lh_ydoc_precheck(const char *name, const char *data, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    unsigned depth = 0, docs = 0;
    int rc = 0;
    bool done = false;

    if (!yaml_parser_initialize(&p))
        return lh_error_set(LH_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            rc = lh_ydoc_parser_error(name, &p);
            break;
        }
        switch (ev.type) {
        case YAML_ALIAS_EVENT:
            rc = lh_ydoc_mark_error(name, ev.start_mark, "aliases are not allowed here");
            break;
        case YAML_SCALAR_EVENT:
            if (ev.data.scalar.anchor)
                rc = lh_ydoc_mark_error(name, ev.start_mark, "anchors are not allowed here");
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if ((ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                       : ev.data.mapping_start.anchor) != NULL)
                rc = lh_ydoc_mark_error(name, ev.start_mark, "anchors are not allowed here");
            else if (++depth > LH_MAX_YAML_DEPTH)
                rc = lh_ydoc_mark_error(name, ev.start_mark, "nested too deeply");
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                rc = lh_ydoc_mark_error(name, ev.start_mark, "only one YAML document is allowed");
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc)
            break;
    }
    yaml_parser_delete(&p);
    return rc;
}

struct lh_ykey {
    const yaml_node_t *node;
};

static int lh_ykey_cmp(const void *x, const void *y)
{
    const yaml_node_t *a = ((const struct lh_ykey *)x)->node, *b = ((const struct lh_ykey *)y)->node;
    size_t n = a->data.scalar.length < b->data.scalar.length ? a->data.scalar.length
                                                             : b->data.scalar.length;
    int c = memcmp(a->data.scalar.value, b->data.scalar.value, n);

    if (c)
        return c;
    if (a->data.scalar.length != b->data.scalar.length)
        return a->data.scalar.length < b->data.scalar.length ? -1 : 1;
    /* equal keys: the one written first sorts first */
    return a->start_mark.index < b->start_mark.index ? -1 : a->start_mark.index > b->start_mark.index;
}

/* Refuses a mapping that has the same scalar key twice: in a strict file the second one is a
 * mistake, never an override. Sorting keeps this O(k log k) for a mapping of k keys. */
static int lh_ydoc_dupkeys(struct lh_ydoc *d)
{
    yaml_node_t *n;
    struct lh_ykey *keys = NULL;
    size_t cap = 0, k, i;
    int rc = 0;

    for (n = d->doc.nodes.start; rc == 0 && n < d->doc.nodes.top; n++) {
        yaml_node_pair_t *pr;
        if (n->type != YAML_MAPPING_NODE)
            continue;
        k = 0;
        for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
            yaml_node_t *key = yaml_document_get_node(&d->doc, pr->key);
            if (key == NULL || key->type != YAML_SCALAR_NODE)
                continue; /* the loaders refuse non-scalar keys with a better message */
            if (lh_array_grow((void **)&keys, &cap, k + 1, sizeof(*keys))) {
                rc = lh_error_set(LH_ENOMEM, "out of memory");
                break;
            }
            keys[k++].node = key;
        }
        if (rc || k < 2)
            continue;
        qsort(keys, k, sizeof(*keys), lh_ykey_cmp);
        for (i = 1; i < k; i++) {
            const yaml_node_t *a = keys[i - 1].node, *b = keys[i].node;
            if (a->data.scalar.length == b->data.scalar.length &&
                memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length) == 0) {
                rc = lh_ydoc_error(d, b, "duplicate key '%.*s' (first at line %zu)",
                                   (int)(a->data.scalar.length > 64 ? 64 : a->data.scalar.length),
                                   (const char *)a->data.scalar.value, a->start_mark.line + 1);
                break;
            }
        }
    }
    free(keys);
    return rc;
}

int lh_ydoc_load(struct lh_ydoc *d, const char *name, const char *data, size_t len)
{
    yaml_parser_t p;
    int rc;

    memset(d, 0, sizeof(*d));
    d->name = lh_strdup(name);
    if (d->name == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    if (len > LH_MAX_YAML_FILE_SIZE) {
        rc = lh_error_set(LH_ELIMIT, "%s: larger than %u bytes", name, LH_MAX_YAML_FILE_SIZE);
        goto fail;
    }
    rc = lh_ydoc_precheck(name, data, len);
    if (rc)
        goto fail;
    if (!yaml_parser_initialize(&p)) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    if (!yaml_parser_load(&p, &d->doc)) {
        rc = lh_ydoc_parser_error(name, &p);
        yaml_parser_delete(&p);
        goto fail;
    }
    yaml_parser_delete(&p);
    d->loaded = true;
    rc = lh_ydoc_dupkeys(d);
    if (rc)
        goto fail;
    return 0;
fail:
    lh_ydoc_release(d);
    return rc;
}

void lh_ydoc_release(struct lh_ydoc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    free(d->name);
    memset(d, 0, sizeof(*d));
}

yaml_node_t *lh_ydoc_root(struct lh_ydoc *d)
{
    return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

yaml_node_t *lh_ydoc_node(struct lh_ydoc *d, int index)
{
    return yaml_document_get_node(&d->doc, index);
}

int lh_ydoc_error(const struct lh_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return lh_error_set(LH_EINVALID, "%s:%zu:%zu: %s", d->name ? d->name : "?",
                        n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1, msg);
}

const char *lh_ydoc_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_SCALAR_NODE:
        return "a scalar";
    default:
        return "nothing";
    }
}

int lh_ydoc_expect(struct lh_ydoc *d, yaml_node_t *n, yaml_node_type_t type, const char *what)
{
    if (n->type != type)
        return lh_ydoc_error(d, n, "%s must be %s, not %s", what,
                             type == YAML_MAPPING_NODE ? "a mapping" : "a list", lh_ydoc_kind(n));
    return 0;
}

int lh_ydoc_string(struct lh_ydoc *d, yaml_node_t *n, const char *what, const char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return lh_ydoc_error(d, n, "%s must be a string, not %s", what, lh_ydoc_kind(n));
    if (n->data.scalar.length == 0)
        return lh_ydoc_error(d, n, "%s must not be empty", what);
    if (memchr(n->data.scalar.value, '\0', n->data.scalar.length) != NULL)
        return lh_ydoc_error(d, n, "%s must not contain a NUL byte", what);
    *out = (const char *)n->data.scalar.value;
    return 0;
}

static bool lh_ydoc_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

int lh_ydoc_bool(struct lh_ydoc *d, yaml_node_t *n, const char *what, bool *out)
{
    const char *v = (const char *)n->data.scalar.value;

    if (lh_ydoc_plain(n) && strcmp(v, "true") == 0)
        *out = true;
    else if (lh_ydoc_plain(n) && strcmp(v, "false") == 0)
        *out = false;
    else
        return lh_ydoc_error(d, n, "%s must be true or false", what);
    return 0;
}

static int lh_ydoc_digits(const char *v, uint64_t *out, const char **end)
{
    uint64_t x = 0;
    const char *p = v;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (x > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return -1;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    *out = x;
    *end = p;
    return 0;
}

int lh_ydoc_uint(struct lh_ydoc *d, yaml_node_t *n, const char *what, uint64_t max, uint64_t *out)
{
    const char *end = NULL;
    uint64_t v;

    if (!lh_ydoc_plain(n) || lh_ydoc_digits((const char *)n->data.scalar.value, &v, &end) ||
        *end != '\0' || v > max)
        return lh_ydoc_error(d, n, "%s must be a whole number from 0 to %llu", what,
                             (unsigned long long)max);
    *out = v;
    return 0;
}

int lh_ydoc_size(struct lh_ydoc *d, yaml_node_t *n, const char *what, uint64_t *out)
{
    const char *end = NULL;
    uint64_t v;
    unsigned shift = 0;

    if (n->type != YAML_SCALAR_NODE ||
        lh_ydoc_digits((const char *)n->data.scalar.value, &v, &end))
        goto bad;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (*end != '\0' || v == 0 || v > (UINT64_MAX >> shift))
        goto bad;
    *out = v << shift;
    return 0;
bad:
    return lh_ydoc_error(d, n, "%s must be a positive size in bytes, with an optional K, M or G "
                               "suffix (e.g. 10M)", what);
}
