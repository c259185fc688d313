/*
 * fuzz_config.c - the .leakhound.yml loader (lh_config_load_buffer) over arbitrary bytes, as a
 * repository config and as a server config, then lh_config_restrict() of the one by the other.
 *
 * Invariants checked: no crash, leak or read past len; a failure returns a negative code with a
 * non-empty message and no config; a success returns a config whose lists hold non-NULL strings,
 * and restricting it (by itself as the server config, when that also loads) keeps it consistent.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "filter/config.h"
#include "util/error.h"
#include "util/limits.h"

static void check_items(const struct lh_config_item *it, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (it[i].value == NULL)
            abort();
        (void)strlen(it[i].value);
        if (it[i].where)
            (void)strlen(it[i].where);
    }
}

static void check_config(const struct lh_config *c)
{
    size_t i;

    check_items(c->rule_packs, c->n_rule_packs);
    check_items(c->disable, c->n_disable);
    check_items(c->skip_paths, c->n_skip_paths);
    for (i = 0; i < c->n_allow; i++) {
        const struct lh_config_allow *a = &c->allow[i];

        if (a->secret == NULL && a->line == NULL)
            abort(); /* config.h: at least one of the two is required */
        if (a->rule)
            (void)strlen(a->rule);
    }
    for (i = 0; i < LH_CK__COUNT; i++)
        if (c->where[i])
            (void)strlen(c->where[i]);
}

static void count_warn(void *payload, const char *where, const char *what)
{
    size_t *n = payload;

    (void)strlen(where ? where : "");
    (void)strlen(what ? what : "");
    (*n)++;
}

static struct lh_config *load(const uint8_t *data, size_t size, bool server)
{
    struct lh_config *c = NULL;
    int rc = lh_config_load_buffer(&c, "fuzz.yml", "/nonexistent/repo", (const char *)data, size,
                                   server);

    if (rc > 0)
        abort();
    if (rc < 0) {
        if (c != NULL || lh_error_last()[0] == '\0')
            abort();
        return NULL;
    }
    if (c == NULL)
        abort();
    check_config(c);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_config *repo, *server;
    size_t warnings = 0;

    if (size > LH_MAX_YAML_FILE_SIZE + 16)
        return 0;
    repo = load(data, size, false);
    server = load(data, size, true);
    if (repo && server) {
        lh_config_restrict(repo, server, count_warn, &warnings);
        check_config(repo);
    }
    lh_config_free(repo);
    lh_config_free(server);
    lh_error_clear();
    return 0;
}
