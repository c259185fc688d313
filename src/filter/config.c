/*
 * config.c - loading `.leakhound.yml` (and the server config) strictly, and restricting a repository
 * config under a server config. Every error names FILE:LINE:COL (1-based) and what is wrong; the
 * loader never half-applies a file: a config is returned whole or not at all.
 */
#include "filter/config.h"
#include "filter/yamldoc.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hook deadlines above this are refused: a push that waits over a day is not a policy. */
#define LH_CONFIG_MAX_DEADLINE_S 86400.0

void lh_config_free(struct lh_config *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->n_rule_packs; i++) {
        free(c->rule_packs[i].value);
        free(c->rule_packs[i].where);
    }
    free(c->rule_packs);
    for (i = 0; i < c->n_disable; i++) {
        free(c->disable[i].value);
        free(c->disable[i].where);
    }
    free(c->disable);
    for (i = 0; i < c->n_skip_paths; i++) {
        free(c->skip_paths[i].value);
        free(c->skip_paths[i].where);
    }
    free(c->skip_paths);
    for (i = 0; i < c->n_allow; i++) {
        free(c->allow[i].rule);
        free(c->allow[i].secret);
        free(c->allow[i].line);
        free(c->allow[i].reason);
        free(c->allow[i].where);
    }
    free(c->allow);
    for (i = 0; i < LH_CK__COUNT; i++)
        free(c->where[i]);
    free(c->audit_log);
    free(c->baseline);
    free(c->file);
    free(c->dir);
    free(c);
}

/* ---- helpers ----------------------------------------------------------------------------- */

struct lh_cload {
    struct lh_ydoc d;
    struct lh_config *c;
    bool server;
};

static char *lh_where(struct lh_cload *L, const yaml_node_t *n)
{
    char buf[1200];

    snprintf(buf, sizeof(buf), "%s:%zu:%zu", L->d.name, n->start_mark.line + 1,
             n->start_mark.column + 1);
    return lh_strdup(buf);
}

/* dir + "/" + rel, or rel when it is absolute or dir is "." */
static char *lh_resolve(const char *dir, const char *rel)
{
    size_t a, b;
    char *p;

    if (rel[0] == '/' || dir == NULL || strcmp(dir, ".") == 0 || strcmp(rel, "-") == 0)
        return lh_strdup(rel);
    a = strlen(dir);
    b = strlen(rel);
    p = lh_malloc(a + b + 2);
    if (p == NULL)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, rel, b + 1);
    return p;
}

/* Pushes a string item (value copied) to an item array. */
static int lh_push_item(struct lh_cload *L, struct lh_config_item **items, size_t *n,
                        const char *value, const yaml_node_t *at)
{
    size_t cap = *n; /* arrays are grown one by one: configs are small */
    struct lh_config_item it;

    if (lh_array_grow((void **)items, &cap, *n + 1, sizeof(**items)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    it.value = lh_strdup(value);
    it.where = lh_where(L, at);
    if (it.value == NULL || it.where == NULL) {
        free(it.value);
        free(it.where);
        return lh_error_set(LH_ENOMEM, "out of memory");
    }
    (*items)[(*n)++] = it;
    return 0;
}

/* Reads a list of non-empty strings into items. resolve: resolve each against the config dir. */
static int lh_string_list(struct lh_cload *L, yaml_node_t *v, const char *what,
                          struct lh_config_item **items, size_t *n, bool resolve)
{
    yaml_node_item_t *it;
    int rc = lh_ydoc_expect(&L->d, v, YAML_SEQUENCE_NODE, what);

    for (it = v->data.sequence.items.start; rc == 0 && it < v->data.sequence.items.top; it++) {
        yaml_node_t *e = lh_ydoc_node(&L->d, *it);
        const char *s = NULL;
        char *r = NULL;
        rc = lh_ydoc_string(&L->d, e, what, &s);
        if (rc)
            break;
        if (resolve) {
            r = lh_resolve(L->c->dir, s);
            if (r == NULL)
                return lh_error_set(LH_ENOMEM, "out of memory");
            rc = lh_push_item(L, items, n, r, e);
            free(r);
        } else {
            rc = lh_push_item(L, items, n, s, e);
        }
    }
    return rc;
}

static int lh_set_where(struct lh_cload *L, enum lh_config_key k, const yaml_node_t *v)
{
    free(L->c->where[k]);
    L->c->where[k] = lh_where(L, v);
    return L->c->where[k] ? 0 : lh_error_set(LH_ENOMEM, "out of memory");
}

/* Seconds: a number, or a string "10s" / "250ms". */
static int lh_seconds(struct lh_cload *L, yaml_node_t *v, const char *what, double *out)
{
    const char *s;
    char *end = NULL;
    double x;

    if (v->type != YAML_SCALAR_NODE)
        goto bad;
    s = (const char *)v->data.scalar.value;
    if (s[0] < '0' || s[0] > '9')
        goto bad;
    errno = 0;
    x = strtod(s, &end);
    if (errno || end == s)
        goto bad;
    if (strcmp(end, "ms") == 0)
        x /= 1000.0;
    else if (strcmp(end, "s") != 0 && *end != '\0')
        goto bad;
    if (x < 0 || x > LH_CONFIG_MAX_DEADLINE_S)
        goto bad;
    *out = x;
    return 0;
bad:
    return lh_ydoc_error(&L->d, v, "%s must be a duration such as 10, 10s or 250ms (at most %.0f s)",
                         what, LH_CONFIG_MAX_DEADLINE_S);
}

/* Iterates a mapping's pairs with the key as a string; body uses key, k, v and sets rc. */
#define LH_EACH_PAIR(L, map, key, k, v, rc)                                                        \
    for (yaml_node_pair_t *pr_ = (map)->data.mapping.pairs.start;                                  \
         (rc) == 0 && pr_ < (map)->data.mapping.pairs.top; pr_++)                                  \
        if (((k) = lh_ydoc_node(&(L)->d, pr_->key)), ((v) = lh_ydoc_node(&(L)->d, pr_->value)),    \
            ((rc) = lh_ydoc_string(&(L)->d, (k), "a key", &(key))) == 0)

/* ---- sections ---------------------------------------------------------------------------- */

static int lh_load_rules(struct lh_cload *L, yaml_node_t *m)
{
    yaml_node_t *k, *v;
    const char *key = NULL;
    int rc = lh_ydoc_expect(&L->d, m, YAML_MAPPING_NODE, "rules");

    LH_EACH_PAIR(L, m, key, k, v, rc)
    {
        if (strcmp(key, "packs") == 0)
            rc = lh_string_list(L, v, "rules.packs", &L->c->rule_packs, &L->c->n_rule_packs, true);
        else if (strcmp(key, "disable") == 0)
            rc = lh_string_list(L, v, "rules.disable", &L->c->disable, &L->c->n_disable, false);
        else
            rc = lh_ydoc_error(&L->d, k, "unknown key 'rules.%s' (expected packs, disable)", key);
    }
    return rc;
}

static int lh_load_paths(struct lh_cload *L, yaml_node_t *m)
{
    yaml_node_t *k, *v;
    const char *key = NULL;
    int rc = lh_ydoc_expect(&L->d, m, YAML_MAPPING_NODE, "paths");

    LH_EACH_PAIR(L, m, key, k, v, rc)
    {
        if (strcmp(key, "skip") == 0)
            rc = lh_string_list(L, v, "paths.skip", &L->c->skip_paths, &L->c->n_skip_paths, false);
        else
            rc = lh_ydoc_error(&L->d, k, "unknown key 'paths.%s' (expected skip)", key);
    }
    return rc;
}

static int lh_dup_field(char **dst, const char *s)
{
    free(*dst); /* a repeated key: the last one wins, as at the top level (found by fuzz_config) */
    *dst = lh_strdup(s);
    return *dst ? 0 : lh_error_set(LH_ENOMEM, "out of memory");
}

static int lh_load_allow_entry(struct lh_cload *L, yaml_node_t *m, struct lh_config_allow *a)
{
    yaml_node_t *k, *v;
    const char *key = NULL, *s = NULL;
    int rc = lh_ydoc_expect(&L->d, m, YAML_MAPPING_NODE, "an allow entry");

    LH_EACH_PAIR(L, m, key, k, v, rc)
    {
        char **dst = NULL;
        if (strcmp(key, "rule") == 0)
            dst = &a->rule;
        else if (strcmp(key, "secret") == 0)
            dst = &a->secret;
        else if (strcmp(key, "line") == 0)
            dst = &a->line;
        else if (strcmp(key, "reason") == 0)
            dst = &a->reason;
        if (dst == NULL) {
            rc = lh_ydoc_error(&L->d, k, "unknown key '%s' in an allow entry (expected rule, "
                                         "secret, line, reason)", key);
            break;
        }
        rc = lh_ydoc_string(&L->d, v, key, &s);
        if (rc == 0)
            rc = lh_dup_field(dst, s);
    }
    if (rc == 0 && a->secret == NULL && a->line == NULL)
        rc = lh_ydoc_error(&L->d, m, "an allow entry needs 'secret' or 'line' (a regular "
                                     "expression)");
    if (rc == 0 && a->reason == NULL)
        rc = lh_ydoc_error(&L->d, m, "an allow entry needs a 'reason' (it is what a reviewer "
                                     "reads)");
    if (rc == 0) {
        a->where = lh_where(L, m);
        if (a->where == NULL)
            rc = lh_error_set(LH_ENOMEM, "out of memory");
    }
    return rc;
}

static int lh_load_allow(struct lh_cload *L, yaml_node_t *seq)
{
    yaml_node_item_t *it;
    int rc = lh_ydoc_expect(&L->d, seq, YAML_SEQUENCE_NODE, "allow");

    for (it = seq->data.sequence.items.start; rc == 0 && it < seq->data.sequence.items.top; it++) {
        size_t cap = L->c->n_allow;
        struct lh_config_allow *a;
        if (lh_array_grow((void **)&L->c->allow, &cap, L->c->n_allow + 1, sizeof(*L->c->allow)))
            return lh_error_set(LH_ENOMEM, "out of memory");
        a = &L->c->allow[L->c->n_allow++];
        memset(a, 0, sizeof(*a));
        rc = lh_load_allow_entry(L, lh_ydoc_node(&L->d, *it), a);
    }
    return rc;
}

static int lh_load_hook(struct lh_cload *L, yaml_node_t *m)
{
    struct lh_config *c = L->c;
    yaml_node_t *k, *v;
    const char *key = NULL, *s = NULL;
    int rc = lh_ydoc_expect(&L->d, m, YAML_MAPPING_NODE, "hook");

    LH_EACH_PAIR(L, m, key, k, v, rc)
    {
        if (strcmp(key, "deadline") == 0) {
            rc = lh_seconds(L, v, "hook.deadline", &c->deadline_s);
            c->has_deadline = true;
            if (rc == 0)
                rc = lh_set_where(L, LH_CK_DEADLINE, v);
        } else if (strcmp(key, "on_deadline") == 0) {
            rc = lh_ydoc_string(&L->d, v, "hook.on_deadline", &s);
            if (rc == 0 && strcmp(s, "deny") == 0)
                c->on_deadline = LH_ON_DEADLINE_DENY;
            else if (rc == 0 && strcmp(s, "allow") == 0)
                c->on_deadline = LH_ON_DEADLINE_ALLOW;
            else if (rc == 0)
                rc = lh_ydoc_error(&L->d, v, "hook.on_deadline must be deny or allow, not '%s'", s);
            c->has_on_deadline = true;
            if (rc == 0)
                rc = lh_set_where(L, LH_CK_ON_DEADLINE, v);
        } else if (strcmp(key, "max_commits") == 0) {
            rc = lh_ydoc_uint(&L->d, v, "hook.max_commits", UINT32_MAX, &c->max_commits);
            if (rc == 0 && c->max_commits == 0)
                rc = lh_ydoc_error(&L->d, v, "hook.max_commits must be at least 1");
            c->has_max_commits = true;
            if (rc == 0)
                rc = lh_set_where(L, LH_CK_MAX_COMMITS, v);
        } else if (strcmp(key, "allow_bypass") == 0) {
            rc = lh_ydoc_bool(&L->d, v, "hook.allow_bypass", &c->allow_bypass);
            c->has_allow_bypass = true;
            if (rc == 0)
                rc = lh_set_where(L, LH_CK_ALLOW_BYPASS, v);
        } else {
            rc = lh_ydoc_error(&L->d, k, "unknown key 'hook.%s' (expected deadline, on_deadline, "
                                         "max_commits, allow_bypass)", key);
        }
    }
    return rc;
}

static int lh_load_server(struct lh_cload *L, yaml_node_t *k, yaml_node_t *m)
{
    yaml_node_t *k2, *v;
    const char *key = NULL, *s = NULL;
    int rc;

    if (!L->server)
        return lh_ydoc_error(&L->d, k, "'server' is only allowed in a server config "
                                       "(LEAKHOUND_SERVER_CONFIG or --server-config)");
    rc = lh_ydoc_expect(&L->d, m, YAML_MAPPING_NODE, "server");
    LH_EACH_PAIR(L, m, key, k2, v, rc)
    {
        if (strcmp(key, "repository_config") == 0) {
            rc = lh_ydoc_string(&L->d, v, "server.repository_config", &s);
            if (rc == 0 && strcmp(s, "tighten") == 0)
                L->c->repo_mode = LH_REPO_CONFIG_TIGHTEN;
            else if (rc == 0 && strcmp(s, "ignore") == 0)
                L->c->repo_mode = LH_REPO_CONFIG_IGNORE;
            else if (rc == 0)
                rc = lh_ydoc_error(&L->d, v, "server.repository_config must be tighten or ignore, "
                                             "not '%s'", s);
        } else {
            rc = lh_ydoc_error(&L->d, k2, "unknown key 'server.%s' (expected repository_config)",
                               key);
        }
    }
    return rc;
}

static int lh_load_root(struct lh_cload *L, yaml_node_t *root)
{
    struct lh_config *c = L->c;
    yaml_node_t *k, *v;
    const char *key = NULL, *s = NULL;
    uint64_t version = 0;
    int rc = lh_ydoc_expect(&L->d, root, YAML_MAPPING_NODE, "a leakhound config");

    LH_EACH_PAIR(L, root, key, k, v, rc)
    {
        if (strcmp(key, "version") == 0) {
            rc = lh_ydoc_uint(&L->d, v, "version", 1000, &version);
            if (rc == 0 && version != 1)
                rc = lh_ydoc_error(&L->d, v, "unsupported config version %llu (this leakhound "
                                             "reads version 1)", (unsigned long long)version);
        } else if (strcmp(key, "rules") == 0) {
            rc = lh_load_rules(L, v);
        } else if (strcmp(key, "paths") == 0) {
            rc = lh_load_paths(L, v);
        } else if (strcmp(key, "allow") == 0) {
            rc = lh_load_allow(L, v);
        } else if (strcmp(key, "max_file_size") == 0) {
            rc = lh_ydoc_size(&L->d, v, "max_file_size", &c->max_file_size);
            c->has_max_file_size = true;
            if (rc == 0)
                rc = lh_set_where(L, LH_CK_MAX_FILE_SIZE, v);
        } else if (strcmp(key, "inline_allow") == 0) {
            rc = lh_ydoc_bool(&L->d, v, "inline_allow", &c->inline_allow);
            c->has_inline_allow = true;
            if (rc == 0)
                rc = lh_set_where(L, LH_CK_INLINE_ALLOW, v);
        } else if (strcmp(key, "audit_log") == 0) {
            rc = lh_ydoc_string(&L->d, v, "audit_log", &s);
            if (rc == 0) {
                free(c->audit_log);
                c->audit_log = strcmp(s, "syslog") == 0 ? lh_strdup(s) : lh_resolve(c->dir, s);
                rc = c->audit_log ? lh_set_where(L, LH_CK_AUDIT_LOG, v)
                                  : lh_error_set(LH_ENOMEM, "out of memory");
            }
        } else if (strcmp(key, "baseline") == 0) {
            rc = lh_ydoc_string(&L->d, v, "baseline", &s);
            if (rc == 0) {
                free(c->baseline);
                c->baseline = lh_resolve(c->dir, s);
                rc = c->baseline ? lh_set_where(L, LH_CK_BASELINE, v)
                                 : lh_error_set(LH_ENOMEM, "out of memory");
            }
        } else if (strcmp(key, "hook") == 0) {
            rc = lh_load_hook(L, v);
        } else if (strcmp(key, "server") == 0) {
            rc = lh_load_server(L, k, v);
        } else {
            rc = lh_ydoc_error(&L->d, k, "unknown key '%s' (expected version, rules, paths, allow, "
                                         "max_file_size, inline_allow, audit_log, baseline, hook%s)",
                               key, L->server ? ", server" : "");
        }
    }
    return rc;
}

int lh_config_load_buffer(struct lh_config **out, const char *name, const char *dir,
                          const char *data, size_t len, bool server)
{
    struct lh_cload L;
    yaml_node_t *root;
    int rc;

    *out = NULL;
    memset(&L, 0, sizeof(L));
    L.server = server;
    L.c = lh_calloc(1, sizeof(*L.c));
    if (L.c == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    L.c->is_server = server;
    L.c->inline_allow = true;
    L.c->file = lh_strdup(name);
    L.c->dir = lh_strdup(dir ? dir : ".");
    if (L.c->file == NULL || L.c->dir == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    rc = lh_ydoc_load(&L.d, name, data, len);
    if (rc)
        goto out;
    root = lh_ydoc_root(&L.d);
    if (root != NULL) /* an empty file is an empty config */
        rc = lh_load_root(&L, root);
out:
    lh_ydoc_release(&L.d);
    if (rc) {
        lh_config_free(L.c);
        return rc;
    }
    *out = L.c;
    return 0;
}

int lh_config_load_file(struct lh_config **out, const char *path, bool server)
{
    char *data = NULL, *dir = NULL;
    const char *slash;
    size_t len = 0;
    int rc;

    *out = NULL;
    rc = lh_ydoc_read_file(&data, &len, path, LH_MAX_YAML_FILE_SIZE);
    if (rc)
        goto out;
    slash = strrchr(path, '/');
    dir = slash ? lh_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : lh_strdup(".");
    if (dir == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    rc = lh_config_load_buffer(out, path, dir, data, len, server);
out:
    free(data);
    free(dir);
    return rc;
}

/* ---- the server's restriction ------------------------------------------------------------ */

static void lh_drop_items(struct lh_config_item **items, size_t *n, const char *what,
                          lh_config_warn_cb warn, void *payload)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (warn)
            warn(payload, (*items)[i].where, what);
        free((*items)[i].value);
        free((*items)[i].where);
    }
    free(*items);
    *items = NULL;
    *n = 0;
}

/* True when a pack path stays inside the repository: relative and without a ".." component. */
static bool lh_inside(const char *dir, const char *resolved)
{
    const char *rel = resolved, *p;
    size_t n = strlen(dir);

    if (strcmp(dir, ".") != 0) {
        if (strncmp(resolved, dir, n) != 0 || resolved[n] != '/')
            return false;
        rel = resolved + n + 1;
    }
    if (rel[0] == '/')
        return false;
    for (p = rel; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += len;
        if (*p == '/')
            p++;
    }
    return true;
}

static void lh_drop_scalar(struct lh_config *c, enum lh_config_key k, bool *has, const char *what,
                           lh_config_warn_cb warn, void *payload)
{
    if (*has && warn)
        warn(payload, c->where[k] ? c->where[k] : c->file, what);
    *has = false;
    free(c->where[k]);
    c->where[k] = NULL;
}

void lh_config_restrict(struct lh_config *repo, const struct lh_config *server,
                        lh_config_warn_cb warn, void *payload)
{
    size_t i, kept = 0;
    bool has;
    (void)server; /* the rules are the same for every server config; see docs/config.md */

    lh_drop_items(&repo->disable, &repo->n_disable,
                  "rules.disable is ignored under a server config", warn, payload);
    lh_drop_items(&repo->skip_paths, &repo->n_skip_paths,
                  "paths.skip is ignored under a server config", warn, payload);
    for (i = 0; i < repo->n_allow; i++) {
        if (warn)
            warn(payload, repo->allow[i].where, "allow is ignored under a server config");
        free(repo->allow[i].rule);
        free(repo->allow[i].secret);
        free(repo->allow[i].line);
        free(repo->allow[i].reason);
        free(repo->allow[i].where);
    }
    free(repo->allow);
    repo->allow = NULL;
    repo->n_allow = 0;
    for (i = 0; i < repo->n_rule_packs; i++) {
        struct lh_config_item *it = &repo->rule_packs[i];
        if (lh_inside(repo->dir, it->value)) {
            repo->rule_packs[kept++] = *it;
            continue;
        }
        if (warn)
            warn(payload, it->where, "rules.packs outside the repository are ignored under a "
                                     "server config");
        free(it->value);
        free(it->where);
    }
    repo->n_rule_packs = kept;

    lh_drop_scalar(repo, LH_CK_MAX_FILE_SIZE, &repo->has_max_file_size,
                   "max_file_size is ignored under a server config", warn, payload);
    has = repo->audit_log != NULL;
    lh_drop_scalar(repo, LH_CK_AUDIT_LOG, &has, "audit_log is ignored under a server config", warn,
                   payload);
    free(repo->audit_log);
    repo->audit_log = NULL;
    has = repo->baseline != NULL;
    lh_drop_scalar(repo, LH_CK_BASELINE, &has, "baseline is ignored under a server config", warn,
                   payload);
    free(repo->baseline);
    repo->baseline = NULL;
    lh_drop_scalar(repo, LH_CK_DEADLINE, &repo->has_deadline,
                   "hook.deadline is ignored under a server config", warn, payload);
    lh_drop_scalar(repo, LH_CK_MAX_COMMITS, &repo->has_max_commits,
                   "hook.max_commits is ignored under a server config", warn, payload);
    if (repo->has_inline_allow && repo->inline_allow)
        lh_drop_scalar(repo, LH_CK_INLINE_ALLOW, &repo->has_inline_allow,
                       "inline_allow: true is ignored under a server config", warn, payload);
    if (repo->has_on_deadline && repo->on_deadline == LH_ON_DEADLINE_ALLOW)
        lh_drop_scalar(repo, LH_CK_ON_DEADLINE, &repo->has_on_deadline,
                       "hook.on_deadline: allow is ignored under a server config", warn, payload);
    if (repo->has_allow_bypass && repo->allow_bypass)
        lh_drop_scalar(repo, LH_CK_ALLOW_BYPASS, &repo->has_allow_bypass,
                       "hook.allow_bypass: true is ignored under a server config", warn, payload);
}
