/*
 * loader.c - the YAML rule-pack loader: bytes -> a small tree of our own -> validated rules.
 *
 * libyaml's event parser (streaming, non-recursive) feeds a tree built here, so that every check
 * knows the rule it is in (its id, found before the offending key is looked at) and every node keeps
 * its 1-based line and column. Anchors and aliases are refused (an alias lets a tiny file describe a
 * huge tree), so are nesting deeper than LH_MAX_YAML_DEPTH, files over LH_MAX_YAML_FILE_SIZE and
 * more than LH_MAX_RULES rules. Patterns are compiled once with PCRE2 (no UTF, like the engine) to
 * report syntax errors with the rule's location and to find the secret's capture group.
 *
 * Invariants: the first error stops the load; a load fills a scratch ruleset and moves its rules into
 * the target only when the whole pack (every file of a directory, every embedded file) is valid, so a
 * failed load leaves the target unchanged. Our tree and rules use lh_malloc (and PCRE2 is given a
 * general context that does too) so allocation-failure sweeps reach them; libyaml uses malloc.
 */
#include "rules/builtin.h"
#include "rules/precompiled.h"
#include "rules/rules.h"
#include "rules/rules_int.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include <pcre2.h>

/* ---- the tree -------------------------------------------------------------------------------- */

enum lh_ykind { LH_Y_SCALAR, LH_Y_SEQ, LH_Y_MAP, LH_Y_ALIAS };

/* Nodes live in an arena (a pack is a few MiB at most and the tree dies with the load): one
 * lh_malloc per 64 KiB instead of two or three per scalar keeps a hostile pack of two million tiny
 * scalars at about 60 bytes per scalar. */
struct lh_ynode {
    struct lh_ynode *first; /* children: sequence items; mapping: key, value, key, value, ... */
    struct lh_ynode *last;
    struct lh_ynode *next; /* the next sibling */
    char *text;            /* scalars: a NUL-terminated copy; len excludes the NUL */
    uint32_t len;          /* < LH_MAX_YAML_FILE_SIZE */
    uint32_t line;
    uint32_t col;
    uint32_t n;   /* children */
    uint8_t kind; /* enum lh_ykind */
    bool anchored;
    bool plain; /* a plain scalar: the only style that can be a number or null */
};

#define LH_ARENA_BLOCK (64u * 1024)

struct lh_ablock {
    struct lh_ablock *next;
    size_t cap;
    size_t used;
    _Alignas(8) unsigned char data[];
};

struct lh_arena {
    struct lh_ablock *blocks; /* the first one is the one being filled */
};

struct lh_load {
    const struct lh_ruleset *target; /* rules loaded before: ids must not repeat them */
    struct lh_ruleset *tmp;          /* rules of this load, moved into target on success */
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    const char *name; /* the file name in messages */
    const char *data;
    size_t len;
    char label[160]; /* "rule ID" or "rule #N" while inside a rule, else "" */
};

static void *lh_arena_alloc(struct lh_arena *a, size_t size)
{
    struct lh_ablock *b = a->blocks, *nb;
    size_t cap;

    size = (size + 7) & ~(size_t)7;
    if (b == NULL || b->cap - b->used < size) {
        cap = size > LH_ARENA_BLOCK ? size : LH_ARENA_BLOCK;
        nb = lh_malloc(sizeof(*nb) + cap);
        if (nb == NULL)
            return NULL;
        nb->cap = cap;
        nb->used = 0;
        if (b != NULL && size > LH_ARENA_BLOCK) {
            /* an oversized block is used up at once: keep filling the current one */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->blocks = nb;
        }
        b = nb;
    }
    b->used += size;
    return b->data + b->used - size;
}

static void lh_arena_release(struct lh_arena *a)
{
    struct lh_ablock *b = a->blocks, *next;

    for (; b != NULL; b = next) {
        next = b->next;
        free(b);
    }
    a->blocks = NULL;
}

/* Copies at most 48 bytes of s into buf (>= 64 bytes) for a message, non-printable bytes as '?'. */
static const char *lh_show(char *buf, const char *s, size_t len)
{
    size_t i, n = len > 48 ? 48 : len;

    for (i = 0; i < n; i++)
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (n < len) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static int lh_lerr(const struct lh_load *L, const struct lh_ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int lh_lerr_at(const struct lh_load *L, uint32_t line, uint32_t col, const char *fmt,
                      va_list ap) __attribute__((format(printf, 4, 0)));

static int lh_lerr_at(const struct lh_load *L, uint32_t line, uint32_t col, const char *fmt,
                      va_list ap)
{
    char msg[768];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (L->label[0])
        return lh_error_set(LH_ERULE, "%s:%u:%u: %s: %s", L->name, line, col, L->label, msg);
    return lh_error_set(LH_ERULE, "%s:%u:%u: %s", L->name, line, col, msg);
}

/* Records "FILE:LINE:COL: rule ID: message" for node n (NULL: 1:1) and returns LH_ERULE. */
static int lh_lerr(const struct lh_load *L, const struct lh_ynode *n, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = lh_lerr_at(L, n ? n->line : 1, n ? n->col : 1, fmt, ap);
    va_end(ap);
    return rc;
}

static int lh_lerr_mark(const struct lh_load *L, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int lh_lerr_mark(const struct lh_load *L, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = lh_lerr_at(L, (uint32_t)m.line + 1, (uint32_t)m.column + 1, fmt, ap);
    va_end(ap);
    return rc;
}

static int lh_yaml_syntax(const struct lh_load *L, const yaml_parser_t *p)
{
    uint32_t line = (uint32_t)p->problem_mark.line + 1, col = (uint32_t)p->problem_mark.column + 1;
    const char *problem = p->problem ? p->problem : "unknown error";

    if (p->error == YAML_MEMORY_ERROR)
        return lh_error_set(LH_ENOMEM, "%s: out of memory parsing YAML", L->name);
    if (p->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset, not a mark */
        size_t off = p->problem_offset < L->len ? p->problem_offset : L->len;

        lh_text_linecol(L->data, L->len, off, &line, &col);
        return lh_error_set(LH_ERULE, "%s:%u:%u: YAML syntax error: %s", L->name, line, col,
                            problem);
    }
    if (p->context != NULL)
        return lh_error_set(LH_ERULE, "%s:%u:%u: YAML syntax error: %s (%s at line %u, column %u)",
                            L->name, line, col, problem, p->context,
                            (unsigned)p->context_mark.line + 1, (unsigned)p->context_mark.column + 1);
    return lh_error_set(LH_ERULE, "%s:%u:%u: YAML syntax error: %s", L->name, line, col, problem);
}

/* Makes a node for event ev and hangs it under parent (or makes it the root). */
static int lh_ynode_add(struct lh_arena *a, struct lh_ynode **root, struct lh_ynode *parent,
                        const yaml_event_t *ev, struct lh_ynode **out)
{
    struct lh_ynode *n = lh_arena_alloc(a, sizeof(*n));

    if (n == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    memset(n, 0, sizeof(*n));
    n->line = (uint32_t)ev->start_mark.line + 1;
    n->col = (uint32_t)ev->start_mark.column + 1;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n->kind = LH_Y_SCALAR;
        n->anchored = ev->data.scalar.anchor != NULL;
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        n->len = (uint32_t)ev->data.scalar.length;
        n->text = lh_arena_alloc(a, (size_t)n->len + 1);
        if (n->text == NULL)
            return lh_error_set(LH_ENOMEM, "out of memory");
        memcpy(n->text, ev->data.scalar.value, n->len);
        n->text[n->len] = '\0';
        break;
    case YAML_SEQUENCE_START_EVENT:
        n->kind = LH_Y_SEQ;
        n->anchored = ev->data.sequence_start.anchor != NULL;
        break;
    case YAML_MAPPING_START_EVENT:
        n->kind = LH_Y_MAP;
        n->anchored = ev->data.mapping_start.anchor != NULL;
        break;
    default:
        n->kind = LH_Y_ALIAS;
        break;
    }
    if (parent != NULL)
        parent->n++;
    if (parent == NULL)
        *root = n;
    else if (parent->last == NULL)
        parent->first = parent->last = n;
    else
        parent->last = parent->last->next = n;
    *out = n;
    return 0;
}

/* Parses L->data into a tree held by a; *out is NULL for an empty stream. */
static int lh_ytree_build(struct lh_load *L, struct lh_arena *a, struct lh_ynode **out)
{
    struct lh_ynode *stack[LH_MAX_YAML_DEPTH];
    struct lh_ynode *root = NULL, *n = NULL;
    yaml_parser_t p;
    yaml_event_t ev;
    size_t depth = 0;
    bool have_ev = false, done = false;
    int docs = 0, rc = 0;

    *out = NULL;
    if (!yaml_parser_initialize(&p))
        return lh_error_set(LH_ENOMEM, "%s: out of memory parsing YAML", L->name);
    yaml_parser_set_input_string(&p, (const unsigned char *)L->data, L->len);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            rc = lh_yaml_syntax(L, &p);
            goto out;
        }
        have_ev = true;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                rc = lh_lerr_mark(L, ev.start_mark, "a rule pack is one YAML document, this is a second");
                goto out;
            }
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
            rc = lh_ynode_add(a, &root, depth ? stack[depth - 1] : NULL, &ev, &n);
            if (rc)
                goto out;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth == LH_MAX_YAML_DEPTH) {
                rc = lh_lerr_mark(L, ev.start_mark, "YAML nesting deeper than %u levels",
                                  (unsigned)LH_MAX_YAML_DEPTH);
                goto out;
            }
            rc = lh_ynode_add(a, &root, depth ? stack[depth - 1] : NULL, &ev, &n);
            if (rc)
                goto out;
            stack[depth++] = n;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        have_ev = false;
    }
out:
    if (have_ev)
        yaml_event_delete(&ev);
    yaml_parser_delete(&p);
    if (rc == 0)
        *out = root;
    return rc;
}

/* ---- typed readers --------------------------------------------------------------------------- */

static bool lh_ynull(const struct lh_ynode *n)
{
    if (n->kind != LH_Y_SCALAR || !n->plain)
        return false;
    return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

static const char *lh_ykind(const struct lh_ynode *n)
{
    switch (n->kind) {
    case LH_Y_SEQ:
        return "a list";
    case LH_Y_MAP:
        return "a mapping";
    case LH_Y_ALIAS:
        return "an alias";
    case LH_Y_SCALAR:
        break;
    }
    return lh_ynull(n) ? "an empty value" : "a string";
}

/* Refuses anchors and aliases on any node we read. */
static int lh_yplain(const struct lh_load *L, const struct lh_ynode *n)
{
    if (n->kind == LH_Y_ALIAS)
        return lh_lerr(L, n, "aliases are not allowed");
    if (n->anchored)
        return lh_lerr(L, n, "anchors are not allowed (aliases are not allowed)");
    return 0;
}

static bool lh_yis(const struct lh_ynode *n, const char *s)
{
    size_t len = strlen(s);

    return n->kind == LH_Y_SCALAR && n->len == len && memcmp(n->text, s, len) == 0;
}

/* A scalar as an owned copy. what names the key in messages, item (1-based) the list item or 0.
 * nonempty: "" is refused; nul: NUL bytes are allowed. */
static int lh_ystr(const struct lh_load *L, const struct lh_ynode *n, const char *what, size_t item,
                   bool nonempty, bool nul, char **out, size_t *out_len)
{
    char w[64];
    int rc = lh_yplain(L, n);

    if (rc)
        return rc;
    if (item > 0 && (n->kind != LH_Y_SCALAR || lh_ynull(n) || (nonempty && n->len == 0) ||
                     (!nul && memchr(n->text, '\0', n->len) != NULL))) {
        /* only named when there is something to say: the happy path formats nothing */
        snprintf(w, sizeof(w), "%s item %zu", what, item);
        what = w;
    }
    if (n->kind != LH_Y_SCALAR)
        return lh_lerr(L, n, "%s must be a string, not %s", what, lh_ykind(n));
    if (lh_ynull(n))
        return lh_lerr(L, n, "%s has no value", what);
    if (nonempty && n->len == 0)
        return lh_lerr(L, n, "%s must not be empty", what);
    if (!nul && memchr(n->text, '\0', n->len) != NULL)
        return lh_lerr(L, n, "%s must not contain a NUL byte", what);
    *out = lh_memdup(n->text, n->len);
    if (*out == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    if (out_len)
        *out_len = n->len;
    return 0;
}

static int lh_yseq(const struct lh_load *L, const struct lh_ynode *n, const char *what)
{
    int rc = lh_yplain(L, n);

    if (rc)
        return rc;
    if (n->kind != LH_Y_SEQ)
        return lh_lerr(L, n, "%s must be a list of strings, not %s", what, lh_ykind(n));
    return 0;
}

static int lh_ystrv(const struct lh_load *L, const struct lh_ynode *n, const char *what,
                    char ***out, size_t *out_n)
{
    const struct lh_ynode *k;
    int rc = lh_yseq(L, n, what);

    if (rc)
        return rc;
    *out = lh_calloc(n->n, sizeof(**out));
    if (*out == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    for (k = n->first; k != NULL; k = k->next) {
        rc = lh_ystr(L, k, what, *out_n + 1, true, false, &(*out)[*out_n], NULL);
        if (rc)
            return rc;
        (*out_n)++;
    }
    return 0;
}

static int lh_ylocated(const struct lh_load *L, const struct lh_ynode *n, const char *what,
                       struct lh_located **out, size_t *out_n)
{
    const struct lh_ynode *k;
    int rc = lh_yseq(L, n, what);

    if (rc)
        return rc;
    *out = lh_calloc(n->n, sizeof(**out));
    if (*out == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    for (k = n->first; k != NULL; k = k->next) {
        struct lh_located *x = &(*out)[*out_n];

        rc = lh_ystr(L, k, what, *out_n + 1, false, true, &x->text, &x->len);
        if (rc)
            return rc;
        x->line = k->line;
        x->col = k->col;
        (*out_n)++;
    }
    return 0;
}

static int lh_ynumber(const struct lh_load *L, const struct lh_ynode *n, const char *what,
                      double lo, double hi, double *out)
{
    char buf[64];
    char *end = NULL;
    double v;
    int rc = lh_yplain(L, n);

    if (rc)
        return rc;
    if (n->kind != LH_Y_SCALAR || !n->plain || lh_ynull(n))
        return lh_lerr(L, n, "%s must be a number, not %s", what, lh_ykind(n));
    /* decimal only: strtod alone would also take hex, "inf" and "nan" */
    if (n->len == 0 || strspn(n->text, "0123456789+-.eE") != n->len)
        return lh_lerr(L, n, "%s must be a number, not \"%s\"", what, lh_show(buf, n->text, n->len));
    errno = 0;
    v = strtod(n->text, &end);
    if (end != n->text + n->len || errno != 0 || !isfinite(v))
        return lh_lerr(L, n, "%s must be a number, not \"%s\"", what, lh_show(buf, n->text, n->len));
    if (v < lo || v > hi)
        return lh_lerr(L, n, "%s must be between %g and %g, not %s", what, lo, hi,
                       lh_show(buf, n->text, n->len));
    *out = v;
    return 0;
}

static int lh_yenum(const struct lh_load *L, const struct lh_ynode *n, const char *what,
                    const char *const *names, const int *values, size_t count, const char *list,
                    int *out)
{
    char buf[64];
    size_t i;
    int rc = lh_yplain(L, n);

    if (rc)
        return rc;
    if (n->kind != LH_Y_SCALAR || lh_ynull(n))
        return lh_lerr(L, n, "%s must be one of %s, not %s", what, list, lh_ykind(n));
    for (i = 0; i < count; i++) {
        if (lh_yis(n, names[i])) {
            *out = values[i];
            return 0;
        }
    }
    return lh_lerr(L, n, "%s must be one of %s, not \"%s\"", what, list,
                   lh_show(buf, n->text, n->len));
}

/* ---- patterns -------------------------------------------------------------------------------- */

static void *lh_pcre_malloc(PCRE2_SIZE size, void *data)
{
    (void)data;
    return lh_malloc(size);
}

static void lh_pcre_free(void *p, void *data)
{
    (void)data;
    free(p);
}

/* Compiles pattern like the engine does and finds the secret's capture group. */
static int lh_pattern_check(const struct lh_load *L, const struct lh_ynode *n, const char *what,
                            const char *pattern, size_t len, uint32_t *group)
{
    PCRE2_UCHAR msg[256];
    PCRE2_SIZE off = 0;
    pcre2_code *code;
    uint32_t count = 0;
    int err = 0, rc = 0, num;

    code = pcre2_compile((PCRE2_SPTR)pattern, len, 0, &err, &off, L->cctx);
    if (code == NULL) {
        if (err == PCRE2_ERROR_HEAP_FAILED)
            return lh_error_set(LH_ENOMEM, "out of memory compiling a pattern");
        if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
            memcpy(msg, "unknown error", sizeof("unknown error"));
        return lh_lerr(L, n, "PCRE2 rejected the %s at offset %zu: %s", what, (size_t)off,
                       (const char *)msg);
    }
    if (pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count) != 0)
        count = 0;
    if (count == 0) {
        rc = lh_lerr(L, n, "pattern has no capture group for the secret: write it as (...) or "
                           "(?<secret>...)");
        goto out;
    }
    if (count == 1) {
        *group = 1;
        goto out;
    }
    num = pcre2_substring_number_from_name(code, (PCRE2_SPTR) "secret");
    if (num == PCRE2_ERROR_NOUNIQUESUBSTRING) {
        rc = lh_lerr(L, n, "pattern has more than one group named secret");
        goto out;
    }
    if (num <= 0) {
        rc = lh_lerr(L, n, "pattern has %u capture groups and none is named secret: use "
                           "(?<secret>...) or non-capturing (?:...) groups", count);
        goto out;
    }
    *group = (uint32_t)num;
out:
    pcre2_code_free(code);
    return rc;
}

/* ---- rules ----------------------------------------------------------------------------------- */

enum lh_key {
    LH_K_ID,
    LH_K_NAME,
    LH_K_PATTERN,
    LH_K_KEYWORDS,
    LH_K_MIN_ENTROPY,
    LH_K_VALIDATE,
    LH_K_SEVERITY,
    LH_K_CONFIDENCE,
    LH_K_REFERENCES,
    LH_K_REMEDIATION,
    LH_K_ALLOW,
    LH_K_EXAMPLES,
    LH_K_NEGATIVES,
    LH_K_COUNT
};

static const char *const lh_keys[LH_K_COUNT] = {
    "id",          "name",       "pattern",    "keywords",    "min_entropy",
    "validate",    "severity",   "confidence", "references",  "remediation",
    "allow",       "examples",   "negative_examples",
};

static const enum lh_key lh_required[] = {LH_K_ID, LH_K_NAME, LH_K_PATTERN, LH_K_SEVERITY,
                                          LH_K_CONFIDENCE};

static const char *const lh_sev_names[] = {"critical", "high", "medium", "low"};
static const int lh_sev_values[] = {LH_SEV_CRITICAL, LH_SEV_HIGH, LH_SEV_MEDIUM, LH_SEV_LOW};
static const char *const lh_conf_names[] = {"high", "medium", "low"};
static const int lh_conf_values[] = {LH_CONF_HIGH, LH_CONF_MEDIUM, LH_CONF_LOW};

static bool lh_id_valid(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return false;
    for (i = 1; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static const struct lh_rule *lh_load_find(const struct lh_load *L, const char *id)
{
    const struct lh_rule *r = lh_ruleset_find(L->target, id);

    return r ? r : lh_ruleset_find(L->tmp, id);
}

static int lh_load_value(struct lh_load *L, struct lh_rule *r, enum lh_key k,
                         const struct lh_ynode *v)
{
    const struct lh_rule *first;
    char buf[64];
    size_t len = 0;
    int rc, e = 0;

    switch (k) {
    case LH_K_ID:
        rc = lh_ystr(L, v, "id", 0, true, false, &r->id, &len);
        if (rc)
            return rc;
        if (!lh_id_valid(r->id, len))
            return lh_lerr(L, v, "invalid id \"%s\": use lowercase letters, digits, '.', '_' and "
                                 "'-', starting with a letter or digit",
                           lh_show(buf, r->id, len));
        first = lh_load_find(L, r->id);
        if (first != NULL)
            return lh_lerr(L, v, "duplicate id, first defined at %s:%u", first->file, first->line);
        return 0;
    case LH_K_NAME:
        return lh_ystr(L, v, "name", 0, true, false, &r->name, NULL);
    case LH_K_PATTERN:
        rc = lh_ystr(L, v, "pattern", 0, true, false, &r->pattern, &len);
        if (rc)
            return rc;
        r->pattern_line = v->line;
        r->pattern_col = v->col;
        return lh_pattern_check(L, v, "pattern", r->pattern, len, &r->secret_group);
    case LH_K_KEYWORDS:
        return lh_ystrv(L, v, "keywords", &r->keywords, &r->n_keywords);
    case LH_K_MIN_ENTROPY:
        return lh_ynumber(L, v, "min_entropy", 0.0, 8.0, &r->min_entropy);
    case LH_K_VALIDATE:
        return lh_ystr(L, v, "validate", 0, true, false, &r->validate, NULL);
    case LH_K_SEVERITY:
        rc = lh_yenum(L, v, "severity", lh_sev_names, lh_sev_values, 4,
                      "critical, high, medium, low", &e);
        r->severity = (enum lh_severity)e;
        return rc;
    case LH_K_CONFIDENCE:
        rc = lh_yenum(L, v, "confidence", lh_conf_names, lh_conf_values, 3, "high, medium, low", &e);
        r->confidence = (enum lh_confidence)e;
        return rc;
    case LH_K_REFERENCES:
        return lh_ystrv(L, v, "references", &r->references, &r->n_references);
    case LH_K_REMEDIATION:
        return lh_ystr(L, v, "remediation", 0, false, false, &r->remediation, NULL);
    case LH_K_ALLOW:
        /* compiled (and their errors reported) by the engine, which is the one that runs them */
        return lh_ystrv(L, v, "allow", &r->allow, &r->n_allow);
    case LH_K_EXAMPLES:
        return lh_ylocated(L, v, "examples", &r->examples, &r->n_examples);
    case LH_K_NEGATIVES:
        return lh_ylocated(L, v, "negative_examples", &r->negatives, &r->n_negatives);
    case LH_K_COUNT:
        break;
    }
    return 0;
}

/* Names the rule in messages: by its id when the mapping has a well-formed one, else by index. */
static void lh_load_label(struct lh_load *L, const struct lh_ynode *m, size_t index)
{
    const struct lh_ynode *key;

    snprintf(L->label, sizeof(L->label), "rule #%zu", index);
    if (m->kind != LH_Y_MAP)
        return;
    /* a mapping has an even number of children: every key is followed by its value */
    for (key = m->first; key != NULL && key->next != NULL; key = key->next->next) {
        const struct lh_ynode *v = key->next;

        if (lh_yis(key, "id") && v->kind == LH_Y_SCALAR && v->len <= 128 &&
            lh_id_valid(v->text, v->len)) {
            snprintf(L->label, sizeof(L->label), "rule %s", v->text);
            return;
        }
    }
}

static int lh_load_rule(struct lh_load *L, const struct lh_ynode *m, size_t index)
{
    const struct lh_ynode *seen[LH_K_COUNT] = {0};
    const struct lh_ynode *key;
    struct lh_rule *r = NULL;
    char buf[64];
    size_t i;
    int rc;

    lh_load_label(L, m, index);
    rc = lh_yplain(L, m);
    if (rc)
        goto out;
    if (m->kind != LH_Y_MAP) {
        rc = lh_lerr(L, m, "a rule must be a mapping, not %s", lh_ykind(m));
        goto out;
    }
    if (lh_ruleset_count(L->target) + lh_ruleset_count(L->tmp) >= LH_MAX_RULES) {
        rc = lh_lerr(L, m, "more than %u rules in the rule set", (unsigned)LH_MAX_RULES);
        goto out;
    }
    r = lh_calloc(1, sizeof(*r));
    if (r == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    r->line = m->line;
    r->col = m->col;
    r->file = lh_strdup(L->name);
    if (r->file == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    for (key = m->first; key != NULL && key->next != NULL; key = key->next->next) {
        size_t k;

        rc = lh_yplain(L, key);
        if (rc)
            goto out;
        if (key->kind != LH_Y_SCALAR) {
            rc = lh_lerr(L, key, "keys must be strings, not %s", lh_ykind(key));
            goto out;
        }
        for (k = 0; k < LH_K_COUNT && !lh_yis(key, lh_keys[k]); k++)
            ;
        if (k == LH_K_COUNT) {
            rc = lh_lerr(L, key, "unknown key \"%s\"", lh_show(buf, key->text, key->len));
            goto out;
        }
        if (seen[k] != NULL) {
            rc = lh_lerr(L, key, "duplicate key \"%s\", first at line %u", lh_keys[k], seen[k]->line);
            goto out;
        }
        seen[k] = key;
        rc = lh_load_value(L, r, (enum lh_key)k, key->next);
        if (rc)
            goto out;
    }
    for (i = 0; i < sizeof(lh_required) / sizeof(lh_required[0]); i++) {
        if (seen[lh_required[i]] == NULL) {
            rc = lh_lerr(L, m, "missing required key \"%s\"", lh_keys[lh_required[i]]);
            goto out;
        }
    }
    rc = lh_ruleset_reserve(L->tmp, 1);
    if (rc)
        goto out;
    lh_ruleset_push(L->tmp, r);
    r = NULL;
out:
    lh_rule_free(r);
    return rc;
}

static int lh_load_tree(struct lh_load *L, const struct lh_ynode *root)
{
    static const char shape[] = "the top level must be a mapping with the single key \"rules\"";
    const struct lh_ynode *rules_key = NULL, *rules = NULL, *key, *item;
    char buf[64];
    size_t i;
    int rc;

    L->label[0] = '\0';
    if (root == NULL || lh_ynull(root))
        return lh_lerr(L, root, "%s, not an empty document", shape);
    rc = lh_yplain(L, root);
    if (rc)
        return rc;
    if (root->kind != LH_Y_MAP)
        return lh_lerr(L, root, "%s, not %s", shape, lh_ykind(root));
    for (key = root->first; key != NULL && key->next != NULL; key = key->next->next) {
        rc = lh_yplain(L, key);
        if (rc)
            return rc;
        if (!lh_yis(key, "rules"))
            return lh_lerr(L, key, "unknown top-level key \"%s\" (%s)",
                           key->kind == LH_Y_SCALAR ? lh_show(buf, key->text, key->len) : "?", shape);
        if (rules_key != NULL)
            return lh_lerr(L, key, "duplicate key \"rules\", first at line %u", rules_key->line);
        rules_key = key;
        rules = key->next;
    }
    if (rules == NULL)
        return lh_lerr(L, root, "missing top-level key \"rules\"");
    rc = lh_yplain(L, rules);
    if (rc)
        return rc;
    if (rules->kind != LH_Y_SEQ)
        return lh_lerr(L, rules, "\"rules\" must be a list of rules, not %s", lh_ykind(rules));
    for (item = rules->first, i = 1; item != NULL; item = item->next, i++) {
        rc = lh_load_rule(L, item, i);
        if (rc)
            return rc;
    }
    L->label[0] = '\0';
    return 0;
}

/* Validates one pack into L->tmp. */
static int lh_load_pack(struct lh_load *L, const char *name, const char *data, size_t len)
{
    struct lh_arena arena = {0};
    struct lh_ynode *root = NULL;
    int rc;

    L->name = name ? name : "<buffer>";
    L->data = data;
    L->len = len;
    L->label[0] = '\0';
    if (len > LH_MAX_YAML_FILE_SIZE)
        return lh_error_set(LH_ERULE, "%s:1:1: rule pack is larger than %u bytes", L->name,
                            (unsigned)LH_MAX_YAML_FILE_SIZE);
    rc = lh_ytree_build(L, &arena, &root);
    if (rc == 0)
        rc = lh_load_tree(L, root);
    lh_arena_release(&arena);
    return rc;
}

static void lh_load_release(struct lh_load *L)
{
    lh_ruleset_free(L->tmp);
    pcre2_compile_context_free(L->cctx);
    pcre2_general_context_free(L->gctx);
}

static int lh_load_init(struct lh_load *L, const struct lh_ruleset *target)
{
    memset(L, 0, sizeof(*L));
    L->target = target;
    L->gctx = pcre2_general_context_create(lh_pcre_malloc, lh_pcre_free, NULL);
    if (L->gctx == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    L->cctx = pcre2_compile_context_create(L->gctx);
    if (L->cctx == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    return lh_ruleset_new(&L->tmp);
}

/* Moves the load's rules into rs; the only failure is making room, before anything moves. */
static int lh_load_commit(struct lh_load *L, struct lh_ruleset *rs)
{
    int rc = lh_ruleset_reserve(rs, lh_ruleset_count(L->tmp));

    if (rc)
        return rc;
    lh_ruleset_adopt(rs, L->tmp);
    return 0;
}

/* ---- files ----------------------------------------------------------------------------------- */

static int lh_errno_error(const char *path, int err)
{
    char msg[128];

    if (err == ENOENT || err == ENOTDIR)
        return lh_error_set(LH_ENOTFOUND, "%s: no such file or directory", path);
    if (strerror_r(err, msg, sizeof(msg)) != 0)
        snprintf(msg, sizeof(msg), "error %d", err);
    return lh_error_set(LH_EIO, "%s: %s", path, msg);
}

/* Reads a whole file of at most LH_MAX_YAML_FILE_SIZE bytes into *out (free()). */
static int lh_read_file(const char *path, char **out, size_t *out_len)
{
    size_t cap = LH_MAX_YAML_FILE_SIZE + 1, len = 0;
    struct stat st;
    char *buf = NULL;
    ssize_t got;
    int fd, rc = 0;

    *out = NULL;
    *out_len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lh_errno_error(path, errno);
    if (fstat(fd, &st) != 0) {
        rc = lh_errno_error(path, errno);
        goto out;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > LH_MAX_YAML_FILE_SIZE) {
        rc = lh_error_set(LH_ERULE, "%s:1:1: rule pack is larger than %u bytes", path,
                          (unsigned)LH_MAX_YAML_FILE_SIZE);
        goto out;
    }
    if (S_ISREG(st.st_mode))
        cap = (size_t)st.st_size + 1; /* + 1 to notice a file that grew */
    buf = lh_malloc(cap + 1);
    if (buf == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    /* bounded by cap: a file that grows past the limit while we read is refused below */
    while (len < cap) {
        got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = lh_errno_error(path, errno);
            goto out;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    if (len > LH_MAX_YAML_FILE_SIZE) {
        rc = lh_error_set(LH_ERULE, "%s:1:1: rule pack is larger than %u bytes", path,
                          (unsigned)LH_MAX_YAML_FILE_SIZE);
        goto out;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

static int lh_load_file(struct lh_load *L, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    int rc = lh_read_file(path, &data, &len);

    if (rc == 0)
        rc = lh_load_pack(L, path, data, len);
    free(data);
    return rc;
}

static bool lh_pack_name(const char *name)
{
    size_t len = strlen(name);

    if (name[0] == '.')
        return false;
    return (len > 4 && strcmp(name + len - 4, ".yml") == 0) ||
           (len > 5 && strcmp(name + len - 5, ".yaml") == 0);
}

static int lh_strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every *.yml / *.yaml regular file directly inside dir, in byte order of their names. */
static int lh_load_dir(struct lh_load *L, const char *dir)
{
    size_t dlen = strlen(dir), n = 0, cap = 0, i;
    bool slash = dlen > 0 && dir[dlen - 1] == '/';
    char **paths = NULL;
    struct dirent *de;
    struct stat st;
    DIR *d;
    int rc = 0;

    d = opendir(dir);
    if (d == NULL)
        return lh_errno_error(dir, errno);
    for (;;) {
        void *p = paths;
        size_t nlen;
        char *path;

        errno = 0;
        de = readdir(d);
        if (de == NULL) {
            if (errno != 0)
                rc = lh_errno_error(dir, errno);
            break;
        }
        if (!lh_pack_name(de->d_name))
            continue;
        nlen = strlen(de->d_name);
        path = lh_malloc(dlen + 1 + nlen + 1);
        if (path == NULL) {
            rc = lh_error_set(LH_ENOMEM, "out of memory");
            break;
        }
        memcpy(path, dir, dlen);
        if (!slash)
            path[dlen] = '/';
        memcpy(path + dlen + !slash, de->d_name, nlen + 1);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        rc = lh_array_grow(&p, &cap, n + 1, sizeof(*paths));
        if (rc) {
            free(path);
            break;
        }
        paths = p;
        paths[n++] = path;
    }
    closedir(d);
    if (rc == 0 && n > 1)
        qsort(paths, n, sizeof(*paths), lh_strcmp_ptr);
    for (i = 0; rc == 0 && i < n; i++)
        rc = lh_load_file(L, paths[i]);
    for (i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    return rc;
}

/* ---- the API --------------------------------------------------------------------------------- */

int lh_ruleset_load_path(struct lh_ruleset *rs, const char *path)
{
    struct lh_load L;
    struct stat st;
    int rc;

    if (stat(path, &st) != 0)
        return lh_errno_error(path, errno);
    rc = lh_load_init(&L, rs);
    if (rc)
        goto out;
    if (S_ISDIR(st.st_mode))
        rc = lh_load_dir(&L, path);
    else
        rc = lh_load_file(&L, path);
    if (rc == 0)
        rc = lh_load_commit(&L, rs);
out:
    lh_load_release(&L);
    return rc;
}

int lh_ruleset_load_buffer(struct lh_ruleset *rs, const char *name, const char *data, size_t len)
{
    struct lh_load L;
    int rc = lh_load_init(&L, rs);

    if (rc == 0)
        rc = lh_load_pack(&L, name, data, len);
    if (rc == 0)
        rc = lh_load_commit(&L, rs);
    lh_load_release(&L);
    return rc;
}

int lh_ruleset_load_builtin_yaml(struct lh_ruleset *rs)
{
    struct lh_load L;
    size_t i;
    int rc = lh_load_init(&L, rs);

    /* the table may be empty (a tree without rule files): that loads nothing */
    for (i = 0; rc == 0 && i < lh_builtin_file_count; i++)
        rc = lh_load_pack(&L, lh_builtin_files[i].name, lh_builtin_files[i].data,
                          lh_builtin_files[i].len);
    if (rc == 0)
        rc = lh_load_commit(&L, rs);
    lh_load_release(&L);
    return rc;
}

/* Copies the precompiled rules (the structs only: their strings stay static) into rs, with the
 * same all-or-nothing contract and duplicate-id message as a YAML load. */
static int lh_load_precompiled(struct lh_ruleset *rs, const struct lh_precompiled *pc)
{
    struct lh_ruleset *tmp = NULL;
    size_t i;
    int rc;

    for (i = 0; i < pc->n_rules; i++) {
        const struct lh_rule *first = lh_ruleset_find(rs, pc->rules[i].id);

        if (first != NULL)
            return lh_error_set(LH_ERULE, "%s:%u:%u: rule %s: duplicate id, first defined at %s:%u",
                                pc->rules[i].file, pc->rules[i].line, pc->rules[i].col,
                                pc->rules[i].id, first->file, first->line);
    }
    rc = lh_ruleset_new(&tmp);
    if (rc == 0)
        rc = lh_ruleset_reserve(tmp, pc->n_rules);
    for (i = 0; rc == 0 && i < pc->n_rules; i++) {
        struct lh_rule *r = lh_malloc(sizeof(*r));

        if (r == NULL) {
            rc = lh_error_set(LH_ENOMEM, "out of memory loading the built-in rules");
            break;
        }
        *r = pc->rules[i];
        r->builtin = (uint32_t)i + 1;
        lh_ruleset_push(tmp, r);
    }
    if (rc == 0)
        rc = lh_ruleset_reserve(rs, pc->n_rules);
    if (rc == 0)
        lh_ruleset_adopt(rs, tmp);
    lh_ruleset_free(tmp);
    return rc;
}

int lh_ruleset_load_builtin(struct lh_ruleset *rs)
{
    const struct lh_precompiled *pc = lh_precompiled_get();

    return pc ? lh_load_precompiled(rs, pc) : lh_ruleset_load_builtin_yaml(rs);
}
