/*
 * cmd_rules.c - `leakhound rules list` and `leakhound rules check [PACK...]`.
 * check runs the engine's selftest: every pattern compiled alone in both engines, every example must
 * match (and pass its checks), every negative example must not. Failures print as FILE:LINE: ...
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "engine/engine.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

struct lh_check_state {
    unsigned failures;
};

static void lh_check_failure(void *payload, const struct lh_rule *r, const char *file,
                             uint32_t line, const char *msg)
{
    struct lh_check_state *st = payload;
    struct lh_buf b;

    st->failures++;
    lh_buf_init(&b, 4096);
    lh_text_escape(&b, msg, strlen(msg));
    printf("%s:%u: rule %s: %s\n", file ? file : "?", line, r ? r->id : "?", b.ptr ? b.ptr : "");
    lh_buf_release(&b);
}

static int lh_rules_load(struct lh_cli *cli, char **packs, int n)
{
    int rc, i;

    rc = lh_ruleset_new(&cli->rs);
    if (rc == 0 && n == 0 && !cli->no_builtin)
        rc = lh_ruleset_load_builtin(cli->rs);
    for (i = 0; rc == 0 && i < cli->n_rule_paths; i++)
        rc = lh_ruleset_load_path(cli->rs, cli->rule_paths[i]);
    for (i = 0; rc == 0 && i < n; i++)
        rc = lh_ruleset_load_path(cli->rs, packs[i]);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        return LH_EXIT_USAGE;
    }
    return 0;
}

static int lh_rules_check(struct lh_cli *cli, char **packs, int n)
{
    struct lh_check_state st = {0};
    struct lh_engine_opts eo;
    int rc = lh_rules_load(cli, packs, n);
    size_t i, ex = 0, neg = 0;

    if (rc)
        return rc;
    memset(&eo, 0, sizeof(eo));
    eo.cache_dir = cli->cache_dir;
    eo.no_cache = cli->no_cache;
    rc = lh_engine_selftest(cli->rs, &eo, lh_check_failure, &st);
    if (rc < 0) {
        lh_cli_error("%s", lh_error_last());
        return LH_EXIT_USAGE;
    }
    for (i = 0; i < lh_ruleset_count(cli->rs); i++) {
        const struct lh_rule *r = lh_ruleset_get(cli->rs, i);
        if (r->disabled)
            continue;
        ex += r->n_examples;
        neg += r->n_negatives;
    }
    printf("%zu rules, %zu examples, %zu negative examples: %u failure%s\n",
           lh_ruleset_enabled(cli->rs), ex, neg, st.failures, st.failures == 1 ? "" : "s");
    return st.failures ? LH_EXIT_FINDINGS : LH_EXIT_CLEAN;
}

static int lh_rules_list(struct lh_cli *cli, char **packs, int n)
{
    int rc = lh_rules_load(cli, packs, n);
    size_t i;

    if (rc)
        return rc;
    for (i = 0; i < lh_ruleset_count(cli->rs); i++) {
        const struct lh_rule *r = lh_ruleset_get(cli->rs, i);
        if (r->disabled)
            continue;
        printf("%-40s %-8s %-6s %s\n", r->id, lh_severity_name(r->severity),
               lh_confidence_name(r->confidence), r->name);
    }
    if (!cli->quiet)
        fprintf(stderr, "%zu rules\n", lh_ruleset_enabled(cli->rs));
    return 0;
}

int lh_cmd_rules(int argc, char **argv)
{
    struct lh_cli cli;
    char **pos;
    int n_pos, rc;

    lh_cli_init(&cli, "rules");
    rc = lh_cli_parse(&cli, argc, argv, NULL, NULL, "leakhound rules list|check [PACK...]",
                      "list: print every rule (id, severity, confidence, name).\n"
                      "check: compile every rule alone in Hyperscan and PCRE2 and run its examples "
                      "(must match) and negative examples (must not); with PACK arguments, checks "
                      "those packs instead of the built-in one.",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (n_pos == 0) {
        lh_cli_error("rules: say 'list' or 'check' (see 'leakhound rules --help')");
        return LH_EXIT_USAGE;
    }
    if (strcmp(pos[0], "list") == 0)
        rc = lh_rules_list(&cli, pos + 1, n_pos - 1);
    else if (strcmp(pos[0], "check") == 0)
        rc = lh_rules_check(&cli, pos + 1, n_pos - 1);
    else {
        lh_cli_error("rules: unknown action '%s' (list or check)", pos[0]);
        rc = LH_EXIT_USAGE;
    }
    lh_cli_release(&cli);
    return rc;
}
