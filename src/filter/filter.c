/*
 * filter.c - the keep/drop decision for confirmed matches. Checks run cheapest first; each drop
 * names its reason so the pipeline can count it (--verbose says why).
 *
 * Invariant: everything here is read-only once setup is done (globs, compiled allow regexes, the
 * PCRE2 match context); per-call PCRE2 match data is allocated and freed inside the call, so any
 * number of workers may share one filter.
 */
#include "filter/filter.h"
#include "filter/baseline.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"

#include <fnmatch.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

struct lh_glob {
    char *pattern;
    bool component; /* no '/': matches any one path component */
};

struct lh_allow {
    char *rule_glob; /* NULL: every rule */
    pcre2_code *secret;
    pcre2_code *line;
};

struct lh_filter {
    bool inline_allow;
    char *root;       /* without trailing '/', NULL when none */
    struct lh_glob *globs;
    size_t n_globs, cap_globs;
    struct lh_allow *allows;
    size_t n_allows, cap_allows;
    pcre2_match_context *mctx;
    struct lh_baseline *baseline;
};

const char *lh_drop_reason_name(enum lh_drop_reason r)
{
    switch (r) {
    case LH_DROP_NOT_ADDED:
        return "not-added";
    case LH_DROP_INLINE_ALLOW:
        return "inline-allow";
    case LH_DROP_PATH:
        return "path";
    case LH_DROP_BASELINE:
        return "baseline";
    case LH_DROP_CONFIG_ALLOW:
        return "config-allow";
    case LH_DROP_DUPLICATE:
        return "duplicate";
    case LH_DROP__COUNT:
        break;
    }
    return "unknown";
}

int lh_filter_new(struct lh_filter **out)
{
    struct lh_filter *f = lh_calloc(1, sizeof(*f));

    *out = NULL;
    if (f == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    f->inline_allow = true;
    *out = f;
    return 0;
}

void lh_filter_free(struct lh_filter *f)
{
    size_t i;

    if (f == NULL)
        return;
    for (i = 0; i < f->n_globs; i++)
        free(f->globs[i].pattern);
    free(f->globs);
    for (i = 0; i < f->n_allows; i++) {
        free(f->allows[i].rule_glob);
        pcre2_code_free(f->allows[i].secret);
        pcre2_code_free(f->allows[i].line);
    }
    free(f->allows);
    pcre2_match_context_free(f->mctx);
    free(f->root);
    free(f);
}

int lh_filter_set_root(struct lh_filter *f, const char *root)
{
    char *r = NULL;
    size_t n;

    if (root) {
        while (root[0] == '.' && root[1] == '/')
            root += 2;
        n = strlen(root);
        while (n > 1 && root[n - 1] == '/')
            n--;
        if (n > 0 && !(n == 1 && root[0] == '.')) {
            r = lh_strndup(root, n);
            if (r == NULL)
                return lh_error_set(LH_ENOMEM, "out of memory");
        }
    }
    free(f->root);
    f->root = r;
    return 0;
}

const char *lh_filter_relpath(const struct lh_filter *f, const char *path)
{
    size_t n;

    while (path[0] == '.' && path[1] == '/')
        path += 2;
    if (f->root) {
        n = strlen(f->root);
        if (strcmp(f->root, "/") == 0 && path[0] == '/')
            path += 1;
        else if (strncmp(path, f->root, n) == 0 && path[n] == '/')
            path += n + 1;
    }
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    return path;
}

int lh_filter_add_path_glob(struct lh_filter *f, const char *glob)
{
    struct lh_glob g;
    size_t n;
    bool anchored = false;

    while (glob[0] == '/') {
        glob++;
        anchored = true;
    }
    n = strlen(glob);
    while (n > 0 && glob[n - 1] == '/')
        n--;
    if (n == 0)
        return lh_error_set(LH_EINVALID, "an empty path glob");
    if (lh_array_grow((void **)&f->globs, &f->cap_globs, f->n_globs + 1, sizeof(*f->globs)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    g.pattern = lh_strndup(glob, n);
    if (g.pattern == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    g.component = !anchored && memchr(g.pattern, '/', n) == NULL;
    f->globs[f->n_globs++] = g;
    return 0;
}

/* True when g matches rel: a component glob any one component, else the path or a leading
 * directory of it. Bounded by the number of '/' in rel. */
static bool lh_glob_match(const struct lh_glob *g, const char *rel)
{
    char buf[4096];
    size_t n = strlen(rel), i, start = 0;

    if (n >= sizeof(buf))
        n = sizeof(buf) - 1; /* a deeper path still matches on its first 4 KiB */
    memcpy(buf, rel, n);
    buf[n] = '\0';
    if (g->component) {
        for (i = 0; i <= n; i++) {
            if (buf[i] == '/' || buf[i] == '\0') {
                char save = buf[i];
                buf[i] = '\0';
                if (i > start && fnmatch(g->pattern, buf + start, 0) == 0)
                    return true;
                buf[i] = save;
                start = i + 1;
            }
        }
        return false;
    }
    for (i = 0; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char save = buf[i];
            buf[i] = '\0';
            if (i > 0 && fnmatch(g->pattern, buf, 0) == 0)
                return true;
            buf[i] = save;
        }
    }
    return false;
}

bool lh_filter_path_excluded(const struct lh_filter *f, const char *path)
{
    const char *rel;
    size_t i;

    if (f->n_globs == 0 || path == NULL)
        return false;
    rel = lh_filter_relpath(f, path);
    for (i = 0; i < f->n_globs; i++)
        if (lh_glob_match(&f->globs[i], rel))
            return true;
    return false;
}

static int lh_allow_compile(pcre2_code **out, const char *re, const char *what, const char *where)
{
    int err = 0;
    PCRE2_SIZE off = 0;
    PCRE2_UCHAR msg[256];

    *out = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                         &err, &off, NULL);
    if (*out != NULL)
        return 0;
    if (err == PCRE2_ERROR_NOMEMORY)
        return lh_error_set(LH_ENOMEM, "out of memory");
    pcre2_get_error_message(err, msg, sizeof(msg));
    return lh_error_set(LH_EINVALID, "%s%s%s: invalid regular expression at offset %zu: %s",
                        where ? where : "", where ? ": " : "", what, (size_t)off, (char *)msg);
}

int lh_filter_add_allow(struct lh_filter *f, const char *rule_glob, const char *secret_re,
                        const char *line_re, const char *where)
{
    struct lh_allow a;
    int rc;

    memset(&a, 0, sizeof(a));
    if (secret_re == NULL && line_re == NULL)
        return lh_error_set(LH_EINVALID, "%s%sallow: needs a secret or a line regular expression",
                            where ? where : "", where ? ": " : "");
    if (f->mctx == NULL) {
        f->mctx = pcre2_match_context_create(NULL);
        if (f->mctx == NULL)
            return lh_error_set(LH_ENOMEM, "out of memory");
        pcre2_set_match_limit(f->mctx, LH_PCRE2_MATCH_LIMIT);
        pcre2_set_depth_limit(f->mctx, LH_PCRE2_DEPTH_LIMIT);
    }
    if (lh_array_grow((void **)&f->allows, &f->cap_allows, f->n_allows + 1, sizeof(*f->allows)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    if (rule_glob && strcmp(rule_glob, "*") != 0) {
        a.rule_glob = lh_strdup(rule_glob);
        if (a.rule_glob == NULL) {
            rc = lh_error_set(LH_ENOMEM, "out of memory");
            goto fail;
        }
    }
    rc = secret_re ? lh_allow_compile(&a.secret, secret_re, "secret", where) : 0;
    if (rc == 0 && line_re)
        rc = lh_allow_compile(&a.line, line_re, "line", where);
    if (rc)
        goto fail;
    f->allows[f->n_allows++] = a;
    return 0;
fail:
    free(a.rule_glob);
    pcre2_code_free(a.secret);
    pcre2_code_free(a.line);
    return rc;
}

const struct lh_baseline *lh_filter_baseline(const struct lh_filter *f)
{
    return f->baseline;
}

void lh_filter_set_baseline(struct lh_filter *f, struct lh_baseline *b)
{
    f->baseline = b;
}

/* 1 on a match, 0 on none; a PCRE2 failure (match limit, no memory) counts as no match, so an
 * allow that cannot be evaluated never hides a finding. */
static int lh_re_match(const struct lh_filter *f, const pcre2_code *re, const unsigned char *p,
                       size_t n)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc;

    if (md == NULL)
        return 0;
    rc = pcre2_match(re, (PCRE2_SPTR)p, n, 0, 0, md, f->mctx);
    pcre2_match_data_free(md);
    return rc >= 0;
}

static bool lh_config_allowed(const struct lh_filter *f, const struct lh_chunk *c,
                              const struct lh_match *m)
{
    size_t i, bol, eol;
    const unsigned char *d = c->data;

    for (i = 0; i < f->n_allows; i++) {
        const struct lh_allow *a = &f->allows[i];
        if (a->rule_glob && fnmatch(a->rule_glob, m->rule->id, 0) != 0)
            continue;
        if (a->secret && !lh_re_match(f, a->secret, d + m->secret_start,
                                      m->secret_end - m->secret_start))
            continue;
        if (a->line) {
            bol = m->secret_start;
            eol = m->secret_end;
            while (bol > 0 && d[bol - 1] != '\n')
                bol--;
            while (eol < c->len && d[eol] != '\n')
                eol++;
            if (eol > bol && d[eol - 1] == '\r')
                eol--;
            if (!lh_re_match(f, a->line, d + bol, eol - bol))
                continue;
        }
        return true;
    }
    return false;
}

void lh_filter_set_inline_allow(struct lh_filter *f, bool on)
{
    f->inline_allow = on;
}

bool lh_filter_outside_added(const struct lh_chunk *c, uint32_t line_start, uint32_t line_end)
{
    size_t lo = 0, hi = c->n_added;

    if (c->added == NULL)
        return false;
    /* binary search for the first range that ends at or after line_start */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->added[mid].last < line_start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return !(lo < c->n_added && c->added[lo].first <= line_end);
}

/* Finds needle in [p, p+n) (memmem is not C11). */
static const char *lh_find(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    if (k == 0 || n < k)
        return NULL;
    for (i = 0; i + k <= n; i++)
        if (p[i] == needle[0] && memcmp(p + i, needle, k) == 0)
            return p + i;
    return NULL;
}

/* True when [p, p+n) holds a same-line marker. "leakhound:allow-next-line" is not one. */
static bool lh_has_line_marker(const char *p, size_t n)
{
    static const char tag[] = "leakhound:allow";
    const char *end = p + n, *q = p;

    while ((q = lh_find(q, (size_t)(end - q), tag)) != NULL) {
        const char *after = q + sizeof(tag) - 1;
        if (after >= end || *after != '-')
            return true;
        q = after;
    }
    return lh_find(p, n, "gitleaks:allow") != NULL ||
           lh_find(p, n, "pragma: allowlist secret") != NULL;
}

static bool lh_has_next_line_marker(const char *p, size_t n)
{
    return lh_find(p, n, "leakhound:allow-next-line") != NULL ||
           lh_find(p, n, "pragma: allowlist nextline secret") != NULL;
}

bool lh_filter_inline_allowed(const struct lh_chunk *c, size_t match_start, uint32_t line)
{
    const char *d = (const char *)c->data;
    size_t bol = match_start, eol = match_start, pbol;

    if (match_start > c->len)
        return false;
    while (bol > 0 && d[bol - 1] != '\n')
        bol--;
    while (eol < c->len && d[eol] != '\n')
        eol++;
    if (lh_has_line_marker(d + bol, eol - bol))
        return true;
    if (line <= 1 || bol == 0)
        return false;
    pbol = bol - 1;
    while (pbol > 0 && d[pbol - 1] != '\n')
        pbol--;
    return lh_has_next_line_marker(d + pbol, bol - 1 - pbol);
}

bool lh_filter_keep(const struct lh_filter *f, const struct lh_chunk *c, const struct lh_match *m,
                    uint32_t line_start, uint32_t line_end, enum lh_drop_reason *why)
{
    if (lh_filter_outside_added(c, line_start, line_end)) {
        *why = LH_DROP_NOT_ADDED;
        return false;
    }
    if (f->inline_allow && lh_filter_inline_allowed(c, m->secret_start, line_start)) {
        *why = LH_DROP_INLINE_ALLOW;
        return false;
    }
    if (lh_filter_path_excluded(f, c->path)) {
        *why = LH_DROP_PATH;
        return false;
    }
    if (f->n_allows && lh_config_allowed(f, c, m)) {
        *why = LH_DROP_CONFIG_ALLOW;
        return false;
    }
    return true;
}
