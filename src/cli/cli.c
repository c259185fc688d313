/*
 * cli.c - the machinery every subcommand shares: the option table and parser (which also produces
 * --help and the man page, so the two never disagree), setting up rules/engine/filter, the worker
 * pool that runs a source through engine and filter, reports, and exit codes.
 *
 * The pool: W workers each own a scanner, a finding list and counters; they pull chunks from the
 * source (which is safe for concurrent next() with distinct worker indexes), so no lock is taken on
 * the hot path except when a skip or an error is recorded. Findings are merged and sorted at the end:
 * output is identical for any -j.
 */
#include "cli/cli.h"
#include "engine/finding.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/text.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void lh_cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("leakhound: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void lh_cli_warn(const char *fmt, ...)
{
    va_list ap;

    fputs("leakhound: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int64_t lh_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t lh_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void lh_cli_init(struct lh_cli *cli, const char *cmd)
{
    memset(cli, 0, sizeof(*cli));
    cli->cmd = cmd;
    cli->format = LH_FMT_TEXT;
    cli->color = -1;
    cli->exit_code = LH_EXIT_FINDINGS;
    cli->max_file_size = LH_DEFAULT_MAX_FILE_SIZE;
    cli->start_ms = lh_now_ms();
    cli->start_ns = lh_now_ns();
}

void lh_cli_release(struct lh_cli *cli)
{
    lh_filter_free(cli->filter);
    lh_baseline_free(cli->baseline);
    lh_config_free(cli->config);
    lh_config_free(cli->server);
    cli->baseline = NULL;
    cli->config = NULL;
    cli->server = NULL;
    lh_engine_free(cli->engine);
    lh_ruleset_free(cli->rs);
    cli->filter = NULL;
    cli->engine = NULL;
    cli->rs = NULL;
}

/* ---- option parsing ---------------------------------------------------------------------- */

/* Parses a non-negative integer with an optional K/M/G suffix (powers of 1024). */
static int lh_parse_size(const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    switch (*end) {
    case 'k': case 'K':
        v <<= 10; end++;
        break;
    case 'm': case 'M':
        v <<= 20; end++;
        break;
    case 'g': case 'G':
        v <<= 30; end++;
        break;
    default:
        break;
    }
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int lh_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end != '\0' || s[0] == '-' || v > max)
        return -1;
    *out = v;
    return 0;
}

int lh_cli_parse_seconds(const char *s, double *out)
{
    char *end = NULL;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || v < 0 || v > 1e7)
        return -1;
    if (*end == 's' && end[1] == '\0')
        end++;
    else if (*end == 'm' && end[1] == 's' && end[2] == '\0') {
        v /= 1000.0;
        end += 2;
    }
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int lh_bad_value(const char *opt, const char *value, const char *want)
{
    lh_cli_error("--%s: invalid value '%s' (%s)", opt, value, want);
    return LH_EXIT_USAGE;
}

static int o_rules(void *ctx, const char *v)
{
    struct lh_cli *c = ctx;
    if (c->n_rule_paths >= LH_MAX_RULE_PATHS) {
        lh_cli_error("--rules: at most %d packs", LH_MAX_RULE_PATHS);
        return LH_EXIT_USAGE;
    }
    c->rule_paths[c->n_rule_paths++] = v;
    return 0;
}
static int o_no_builtin(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->no_builtin = true;
    return 0;
}
static int o_format(void *ctx, const char *v)
{
    if (lh_format_parse(&((struct lh_cli *)ctx)->format, v))
        return lh_bad_value("format", v, "text, json, jsonl, sarif or gitlab");
    return 0;
}
static int o_output(void *ctx, const char *v)
{
    ((struct lh_cli *)ctx)->output = v;
    return 0;
}
static int o_report(void *ctx, const char *v)
{
    struct lh_cli *c = ctx;
    const char *eq = strchr(v, '=');
    char name[32];
    size_t n;

    if (eq == NULL || eq == v || eq[1] == '\0' || (n = (size_t)(eq - v)) >= sizeof(name))
        return lh_bad_value("report", v, "FORMAT=PATH");
    memcpy(name, v, n);
    name[n] = '\0';
    if (c->n_reports >= LH_MAX_REPORTS) {
        lh_cli_error("--report: at most %d reports", LH_MAX_REPORTS);
        return LH_EXIT_USAGE;
    }
    if (lh_format_parse(&c->reports[c->n_reports].format, name))
        return lh_bad_value("report", v, "FORMAT is text, json, jsonl, sarif or gitlab");
    c->reports[c->n_reports++].path = eq + 1;
    return 0;
}
static int o_show_secrets(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->show_secrets = true;
    return 0;
}
static int o_color(void *ctx, const char *v)
{
    struct lh_cli *c = ctx;
    if (strcmp(v, "auto") == 0)
        c->color = -1;
    else if (strcmp(v, "always") == 0)
        c->color = 1;
    else if (strcmp(v, "never") == 0)
        c->color = 0;
    else
        return lh_bad_value("color", v, "auto, always or never");
    return 0;
}
static int o_exit_code(void *ctx, const char *v)
{
    unsigned long n;
    if (lh_parse_uint(v, 255, &n))
        return lh_bad_value("exit-code", v, "0-255");
    ((struct lh_cli *)ctx)->exit_code = (int)n;
    return 0;
}
static int o_verbose(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->verbose = true;
    return 0;
}
static int o_quiet(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->quiet = true;
    return 0;
}
static int o_no_validate(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->no_validate = true;
    return 0;
}
static int o_no_inline_allow(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->no_inline_allow = true;
    return 0;
}
static int o_stats(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->stats = true;
    return 0;
}
static int o_cache_dir(void *ctx, const char *v)
{
    ((struct lh_cli *)ctx)->cache_dir = v;
    return 0;
}
static int o_no_cache(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->no_cache = true;
    return 0;
}
static int o_jobs(void *ctx, const char *v)
{
    unsigned long n;
    if (lh_parse_uint(v, 256, &n) || n == 0)
        return lh_bad_value("jobs", v, "1-256");
    ((struct lh_cli *)ctx)->jobs = (unsigned)n;
    return 0;
}
static int o_max_file_size(void *ctx, const char *v)
{
    uint64_t n;
    if (lh_parse_size(v, &n) || n == 0)
        return lh_bad_value("max-file-size", v, "bytes, with an optional K, M or G suffix");
    ((struct lh_cli *)ctx)->max_file_size = n;
    ((struct lh_cli *)ctx)->max_file_size_set = true;
    return 0;
}
static int o_deadline(void *ctx, const char *v)
{
    double s;
    if (lh_cli_parse_seconds(v, &s))
        return lh_bad_value("deadline", v, "seconds, e.g. 4 or 0.5 or 250ms");
    ((struct lh_cli *)ctx)->deadline_s = s;
    ((struct lh_cli *)ctx)->deadline_set = true;
    return 0;
}

/* policy options (config, baseline, audit); see docs/config.md */
static int o_config(void *ctx, const char *v)
{
    ((struct lh_cli *)ctx)->config_path = v;
    return 0;
}
static int o_no_config(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->no_config = true;
    return 0;
}
static int o_server_config(void *ctx, const char *v)
{
    ((struct lh_cli *)ctx)->server_config = v;
    return 0;
}
static int o_baseline(void *ctx, const char *v)
{
    ((struct lh_cli *)ctx)->baseline_path = v;
    return 0;
}
static int o_stale_baseline(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->report_stale_baseline = true;
    return 0;
}
static int o_on_deadline(void *ctx, const char *v)
{
    struct lh_cli *c = ctx;
    if (strcmp(v, "deny") == 0)
        c->on_deadline = LH_ON_DEADLINE_DENY;
    else if (strcmp(v, "allow") == 0)
        c->on_deadline = LH_ON_DEADLINE_ALLOW;
    else
        return lh_bad_value("on-deadline", v, "deny or allow");
    c->on_deadline_set = true;
    return 0;
}
static int o_max_commits(void *ctx, const char *v)
{
    unsigned long n;
    if (lh_parse_uint(v, UINT32_MAX, &n) || n == 0)
        return lh_bad_value("max-commits", v, "a positive number");
    ((struct lh_cli *)ctx)->max_commits = n;
    ((struct lh_cli *)ctx)->max_commits_set = true;
    return 0;
}
static int o_allow_bypass(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_cli *)ctx)->allow_bypass = true;
    ((struct lh_cli *)ctx)->allow_bypass_set = true;
    return 0;
}
static int o_audit_log(void *ctx, const char *v)
{
    if (v[0] == '\0')
        return lh_bad_value("audit-log", v, "a file, - or syslog");
    ((struct lh_cli *)ctx)->audit_log = v;
    return 0;
}

static const struct lh_opt lh_common_opts[] = {
    {"rules", 0, true, "PATH", "add a rule pack (a YAML file or a directory of them); repeatable", o_rules},
    {"no-builtin-rules", 0, false, NULL, "do not load the built-in rule pack", o_no_builtin},
    {"format", 'f', true, "FORMAT", "output format: text, json, jsonl, sarif, gitlab (default text)", o_format},
    {"output", 'o', true, "PATH", "write the report to PATH instead of standard output", o_output},
    {"report", 0, true, "FORMAT=PATH", "also write a report in FORMAT to PATH; repeatable", o_report},
    {"show-secrets", 0, false, NULL, "print secrets in full (they are redacted by default)", o_show_secrets},
    {"color", 0, true, "WHEN", "colour text output: auto, always, never (NO_COLOR is honoured)", o_color},
    {"exit-code", 0, true, "N", "exit status when there are findings (default 1)", o_exit_code},
    {"verbose", 'v', false, NULL, "say what was skipped or suppressed, and why", o_verbose},
    {"quiet", 'q', false, NULL, "print nothing on standard error but errors", o_quiet},
    {"no-validate", 0, false, NULL, "report tokens whose checksum does not validate", o_no_validate},
    {"no-inline-allow", 0, false, NULL, "ignore inline allow markers (leakhound:allow, gitleaks:allow)", o_no_inline_allow},
    {"stats", 0, false, NULL, "print scan statistics on standard error", o_stats},
    {"cache-dir", 0, true, "DIR", "where compiled rule databases are cached", o_cache_dir},
    {"no-cache", 0, false, NULL, "neither read nor write the database cache", o_no_cache},
    {"jobs", 'j', true, "N", "worker threads (default: the number of cores)", o_jobs},
    {"max-file-size", 0, true, "SIZE", "skip files larger than SIZE (default 10M)", o_max_file_size},
    {"deadline", 0, true, "SECONDS", "stop scanning after this much wall time", o_deadline},
    {"config", 0, true, "PATH", "repository config to use (default: .leakhound.yml at the scan root)", o_config},
    {"no-config", 0, false, NULL, "read no repository config", o_no_config},
    {"server-config", 0, true, "PATH", "a config repositories cannot weaken (default $LEAKHOUND_SERVER_CONFIG)", o_server_config},
    {"baseline", 0, true, "FILE", "do not report findings whose fingerprint FILE lists", o_baseline},
    {"report-stale-baseline", 0, false, NULL, "list baseline entries that matched nothing", o_stale_baseline},
    {"audit-log", 0, true, "DEST", "append an audit event per decision to a file, - or syslog", o_audit_log},
    {"on-deadline", 0, true, "POLICY", "hooks: deny (default) or allow a scan the deadline cut short", o_on_deadline},
    {"max-commits", 0, true, "N", "hooks: most new commits to scan per push (over it: the deadline policy)", o_max_commits},
    {"allow-bypass", 0, false, NULL, "hooks: let a requested bypass pass findings (audited)", o_allow_bypass},
    {NULL, 0, false, NULL, NULL, NULL},
};

static void lh_print_opts(FILE *f, const struct lh_opt *opts)
{
    const struct lh_opt *o;

    for (o = opts; o && o->long_name; o++) {
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->long_name,
                     o->has_arg ? " " : "", o->has_arg ? o->arg_name : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", o->long_name, o->has_arg ? " " : "",
                     o->has_arg ? o->arg_name : "");
        fprintf(f, "  %-28s %s\n", left, o->help);
    }
}

/* Writes text with roff's special characters (backslash, leading dot/quote) neutralised. */
static void lh_roff(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

static void lh_man_opts(FILE *f, const struct lh_opt *opts)
{
    const struct lh_opt *o;

    for (o = opts; o && o->long_name; o++) {
        fputs(".TP\n", f);
        if (o->short_name)
            fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
        fputs("\\fB\\-\\-", f);
        lh_roff(f, o->long_name);
        fputs("\\fR", f);
        if (o->has_arg) {
            fputs(" \\fI", f);
            lh_roff(f, o->arg_name);
            fputs("\\fR", f);
        }
        fputc('\n', f);
        lh_roff(f, o->help);
        fputc('\n', f);
    }
}

static const struct lh_opt *lh_find_opt(const struct lh_opt *opts, const char *name, size_t n,
                                        char short_name)
{
    const struct lh_opt *o;

    for (o = opts; o && o->long_name; o++) {
        if (short_name ? o->short_name == short_name
                       : (strlen(o->long_name) == n && strncmp(o->long_name, name, n) == 0))
            return o;
    }
    return NULL;
}

int lh_cli_parse(struct lh_cli *cli, int argc, char **argv, const struct lh_opt *extra, void *ctx,
                 const char *usage, const char *summary, char ***pos, int *n_pos)
{
    int i, np = 0;
    bool only_pos = false;

    /* positionals are compacted to the front of argv+1, in order */
    for (i = 1; i < argc; i++) {
        char *a = argv[i];
        const struct lh_opt *o = NULL;
        void *octx = NULL;
        const char *value = NULL;
        int rc;

        if (only_pos || a[0] != '-' || a[1] == '\0') {
            argv[1 + np++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: %s\n\n%s\n\n", usage, summary);
            if (extra && extra->long_name) {
                printf("Options for %s:\n", cli->cmd);
                lh_print_opts(stdout, extra);
                printf("\n");
            }
            printf("Common options:\n");
            lh_print_opts(stdout, lh_common_opts);
            printf("  -h, --help                   show this help\n\n"
                   "Exit status: 0 clean, 1 findings, 2 usage/config/rule error, 3 scan incomplete,\n"
                   "4 deadline or commit limit exceeded under a deny policy.\n");
            return 0;
        }
        if (strcmp(a, "--help-man") == 0) {
            printf(".SH \"LEAKHOUND %s\"\n.nf\n", cli->cmd);
            lh_roff(stdout, usage);
            printf("\n.fi\n");
            lh_roff(stdout, summary);
            printf("\n");
            lh_man_opts(stdout, extra);
            return 0;
        }
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            o = lh_find_opt(extra, name, n, 0);
            octx = ctx;
            if (o == NULL) {
                o = lh_find_opt(lh_common_opts, name, n, 0);
                octx = cli;
            }
            if (o == NULL) {
                lh_cli_error("unknown option '%.*s' (see 'leakhound %s --help')", (int)(n + 2), a,
                             cli->cmd);
                return LH_EXIT_USAGE;
            }
            if (eq) {
                if (!o->has_arg) {
                    lh_cli_error("option '--%s' takes no value", o->long_name);
                    return LH_EXIT_USAGE;
                }
                value = eq + 1;
            }
        } else {
            if (a[2] != '\0' && !(lh_find_opt(extra, NULL, 0, a[1]) ||
                                  lh_find_opt(lh_common_opts, NULL, 0, a[1]))) {
                lh_cli_error("unknown option '%s'", a);
                return LH_EXIT_USAGE;
            }
            o = lh_find_opt(extra, NULL, 0, a[1]);
            octx = ctx;
            if (o == NULL) {
                o = lh_find_opt(lh_common_opts, NULL, 0, a[1]);
                octx = cli;
            }
            if (o == NULL) {
                lh_cli_error("unknown option '%s' (see 'leakhound %s --help')", a, cli->cmd);
                return LH_EXIT_USAGE;
            }
            if (a[2] != '\0') {
                if (!o->has_arg) {
                    lh_cli_error("unknown option '%s'", a);
                    return LH_EXIT_USAGE;
                }
                value = a + 2; /* -j4 */
            }
        }
        if (o->has_arg && value == NULL) {
            if (i + 1 >= argc) {
                lh_cli_error("option '--%s' needs a value (%s)", o->long_name, o->arg_name);
                return LH_EXIT_USAGE;
            }
            value = argv[++i];
        }
        rc = o->handler(octx, value);
        if (rc)
            return rc;
    }
    *pos = argv + 1;
    *n_pos = np;
    return -1;
}

/* ---- setup ------------------------------------------------------------------------------- */

/* Configs: the server config (pinned) and the repository config (restricted under a server). */
static void lh_restrict_warn(void *payload, const char *where, const char *what)
{
    const struct lh_cli *cli = payload;

    if (!cli->quiet)
        lh_cli_warn("%s: %s", where, what);
}

static int lh_cli_load_configs(struct lh_cli *cli)
{
    const char *server = cli->server_config ? cli->server_config : getenv("LEAKHOUND_SERVER_CONFIG");
    char path[4096];
    int rc;

    if (server && server[0]) {
        rc = lh_config_load_file(&cli->server, server, true);
        if (rc) {
            lh_cli_error("server config: %s", lh_error_last());
            return LH_EXIT_USAGE;
        }
    }
    if (cli->no_config || (cli->server && cli->server->repo_mode == LH_REPO_CONFIG_IGNORE))
        return 0;
    if (cli->config_path) {
        rc = lh_config_load_file(&cli->config, cli->config_path, false);
    } else {
        size_t n = cli->config_root ? strlen(cli->config_root) : 0;
        if (n > 0 && strcmp(cli->config_root, ".") != 0)
            snprintf(path, sizeof(path), "%s%s%s", cli->config_root,
                     cli->config_root[n - 1] == '/' ? "" : "/", LH_CONFIG_FILE);
        else
            snprintf(path, sizeof(path), "%s", LH_CONFIG_FILE);
        rc = lh_config_load_file(&cli->config, path, false);
        if (rc == LH_ENOTFOUND)
            rc = 0; /* no config is an empty config */
    }
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        return LH_EXIT_USAGE;
    }
    if (cli->config && cli->server)
        lh_config_restrict(cli->config, cli->server, lh_restrict_warn, cli);
    return 0;
}

/* Scalar settings: repository config < command line < server config. Restrictions only add up. */
static void lh_cli_apply_scalars(struct lh_cli *cli, const struct lh_config *c, bool pinned)
{
    if (c == NULL)
        return;
    if (c->has_max_file_size && (pinned || !cli->max_file_size_set))
        cli->max_file_size = c->max_file_size;
    if (c->has_inline_allow && !c->inline_allow)
        cli->no_inline_allow = true;
    if (c->audit_log && (pinned || cli->audit_log == NULL))
        cli->audit_log = c->audit_log;
    if (c->baseline && cli->baseline_path == NULL)
        cli->baseline_path = c->baseline;
    if (c->has_deadline && (pinned || !cli->deadline_set))
        cli->deadline_s = c->deadline_s;
    if (c->has_on_deadline && (pinned || !cli->on_deadline_set))
        cli->on_deadline = (int)c->on_deadline;
    if (c->has_max_commits && (pinned || !cli->max_commits_set))
        cli->max_commits = c->max_commits;
    if (c->has_allow_bypass && (pinned || !cli->allow_bypass_set))
        cli->allow_bypass = c->allow_bypass;
}

static int lh_cli_apply_packs(struct lh_cli *cli, const struct lh_config *c)
{
    size_t i;
    int rc;

    for (i = 0; c && i < c->n_rule_packs; i++) {
        rc = lh_ruleset_load_path(cli->rs, c->rule_packs[i].value);
        if (rc == LH_ERULE || rc == LH_EINVALID) {
            lh_cli_error("%s", lh_error_last());
            return LH_EXIT_USAGE;
        }
        if (rc) {
            lh_cli_error("%s: rules.packs: %s", c->rule_packs[i].where, lh_error_last());
            return LH_EXIT_USAGE;
        }
    }
    for (i = 0; c && i < c->n_disable; i++) {
        rc = lh_ruleset_disable(cli->rs, c->disable[i].value);
        if (rc) {
            lh_cli_error("%s: rules.disable: no rule has the id '%s'", c->disable[i].where,
                         c->disable[i].value);
            return LH_EXIT_USAGE;
        }
    }
    return 0;
}

static int lh_cli_apply_filters(struct lh_cli *cli, const struct lh_config *c)
{
    size_t i, k;
    int rc;

    for (i = 0; c && i < c->n_skip_paths; i++) {
        rc = lh_filter_add_path_glob(cli->filter, c->skip_paths[i].value);
        if (rc) {
            lh_cli_error("%s: paths.skip: %s", c->skip_paths[i].where, lh_error_last());
            return LH_EXIT_USAGE;
        }
    }
    for (i = 0; c && i < c->n_allow; i++) {
        const struct lh_config_allow *a = &c->allow[i];
        bool any = a->rule == NULL;
        for (k = 0; !any && k < lh_ruleset_count(cli->rs); k++)
            any = fnmatch(a->rule, lh_ruleset_get(cli->rs, k)->id, 0) == 0;
        if (!any) {
            lh_cli_error("%s: allow: no rule matches '%s'", a->where, a->rule);
            return LH_EXIT_USAGE;
        }
        rc = lh_filter_add_allow(cli->filter, a->rule, a->secret, a->line, a->where);
        if (rc) {
            lh_cli_error("%s", lh_error_last());
            return LH_EXIT_USAGE;
        }
    }
    return 0;
}

int lh_cli_setup(struct lh_cli *cli)
{
    struct lh_engine_opts eo;
    int rc, i;

    rc = lh_cli_load_configs(cli);
    if (rc)
        return rc;
    lh_cli_apply_scalars(cli, cli->config, false);
    lh_cli_apply_scalars(cli, cli->server, true);

    rc = lh_ruleset_new(&cli->rs);
    if (rc == 0 && !cli->no_builtin)
        rc = lh_ruleset_load_builtin(cli->rs);
    for (i = 0; rc == 0 && i < cli->n_rule_paths; i++)
        rc = lh_ruleset_load_path(cli->rs, cli->rule_paths[i]);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        return LH_EXIT_USAGE;
    }
    rc = lh_cli_apply_packs(cli, cli->config);
    if (rc == 0)
        rc = lh_cli_apply_packs(cli, cli->server);
    if (rc)
        return rc;
    if (lh_ruleset_enabled(cli->rs) == 0) {
        lh_cli_error("no rules to scan with (--no-builtin-rules and no --rules)");
        return LH_EXIT_USAGE;
    }
    memset(&eo, 0, sizeof(eo));
    eo.cache_dir = cli->cache_dir;
    eo.no_cache = cli->no_cache;
    eo.no_validate = cli->no_validate;
    rc = lh_engine_new(&cli->engine, cli->rs, &eo);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        return LH_EXIT_USAGE;
    }
    rc = lh_filter_new(&cli->filter);
    if (rc == 0)
        rc = lh_filter_set_root(cli->filter, cli->config_root);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        return LH_EXIT_USAGE;
    }
    lh_filter_set_inline_allow(cli->filter, !cli->no_inline_allow);
    rc = lh_cli_apply_filters(cli, cli->config);
    if (rc == 0)
        rc = lh_cli_apply_filters(cli, cli->server);
    if (rc)
        return rc;
    if (cli->baseline_path) {
        rc = lh_baseline_new(&cli->baseline);
        if (rc == 0)
            rc = lh_baseline_load_file(cli->baseline, cli->baseline_path);
        if (rc == LH_ENOTFOUND && cli->baseline_optional)
            rc = 0;
        if (rc) {
            lh_cli_error("%s", lh_error_last());
            return LH_EXIT_USAGE;
        }
        lh_filter_set_baseline(cli->filter, cli->baseline);
    }
    return 0;
}

/* ---- the worker pool --------------------------------------------------------------------- */

struct lh_pool;

struct lh_worker {
    struct lh_pool *pool;
    unsigned index;
    struct lh_scanner *scanner;
    struct lh_findings findings;
    struct lh_filter_stats filt;
    const struct lh_chunk *chunk;
    struct lh_lineidx li;
    int rc;
    bool done; /* under pool->lock */
    char err[512];
};

struct lh_pool {
    struct lh_cli *cli;
    struct lh_source *src;
    struct lh_scan_result *res;
    atomic_bool stop;
    atomic_uint_fast64_t n_findings; /* kept after each chunk's collected filters */
    atomic_uint_fast64_t dropped_cap;
    int64_t deadline_ns; /* 0: none */
    atomic_bool deadline_hit;
    pthread_mutex_t lock; /* guards res->skipped, stderr lines and the first error */
    pthread_cond_t done_cv; /* signalled as each worker thread ends (under lock) */
    unsigned finished;
};

/* Set when a worker was abandoned at the deadline (stuck inside a library call on a hostile
 * object): its memory and the source are left alone, and main skips library shutdown. */
bool lh_cli_abandoned;
static struct lh_source_ops lh_abandoned_ops;
static void *lh_abandoned_keep; /* keeps abandoned state reachable for leak checkers */

static void lh_source_free_noop(struct lh_source *src)
{
    (void)src;
}

static void lh_pool_skip(void *payload, const char *path, enum lh_skip_reason why)
{
    struct lh_pool *p = payload;

    pthread_mutex_lock(&p->lock);
    p->res->skipped[why]++;
    if (why == LH_SKIP_MISSING_OBJECT || why == LH_SKIP_UNREADABLE)
        p->res->incomplete = true;
    if (p->cli->verbose) {
        struct lh_buf b;
        lh_buf_init(&b, 8192);
        if (lh_text_escape(&b, path, strlen(path)) == 0)
            fprintf(stderr, "leakhound: skipped %s (%s)\n", b.ptr ? b.ptr : "", lh_skip_reason_name(why));
        lh_buf_release(&b);
    }
    pthread_mutex_unlock(&p->lock);
}

static int lh_on_match(void *payload, const struct lh_chunk *c, const struct lh_match *m)
{
    struct lh_worker *w = payload;
    struct lh_pool *p = w->pool;
    struct lh_finding f;
    enum lh_drop_reason why;
    uint32_t l0, l1, col;
    int rc;

    lh_lineidx_map(&w->li, m->secret_start, &l0, &col);
    lh_lineidx_map(&w->li, m->secret_end > m->secret_start ? m->secret_end - 1 : m->secret_start,
                   &l1, &col);
    if (!lh_filter_keep(p->cli->filter, c, m, l0, l1, &why)) {
        w->filt.dropped[why]++;
        return 0;
    }
    rc = lh_finding_init(&f, c, m, &w->li);
    if (rc == 0)
        rc = lh_findings_push(&w->findings, &f);
    if (rc) {
        lh_finding_release(&f);
        return rc;
    }
    return 0;
}

/* A chunk's findings, items[mark..] of the worker's list, go through the collected filters (sort,
 * one finding per secret and place, the baseline) as soon as the chunk is scanned: one place is
 * one chunk, so nothing is decided differently than on the merged list, which gets them again.
 * Only what survives counts against the findings cap, so findings the baseline or the dedupe will
 * drop cannot crowd out a new secret; a chunk's own findings are bounded by the engine's per-rule
 * limits. */
static void lh_worker_settle(struct lh_worker *w, size_t mark)
{
    struct lh_pool *p = w->pool;
    struct lh_findings tail = w->findings;
    uint_fast64_t before, room;
    size_t keep, i;

    if (w->findings.len == mark)
        return;
    tail.items += mark;
    tail.len -= mark;
    tail.cap -= mark;
    lh_findings_sort(&tail);
    lh_filter_collected(p->cli->filter, &tail, &w->filt);
    before = atomic_fetch_add(&p->n_findings, tail.len);
    room = before >= LH_DEFAULT_MAX_FINDINGS ? 0 : LH_DEFAULT_MAX_FINDINGS - before;
    keep = tail.len < room ? tail.len : (size_t)room;
    for (i = keep; i < tail.len; i++)
        lh_finding_release(&tail.items[i]);
    atomic_fetch_add(&p->dropped_cap, tail.len - keep);
    w->findings.len = mark + keep;
}

static void *lh_worker_main(void *arg)
{
    struct lh_worker *w = arg;
    struct lh_pool *p = w->pool;
    struct lh_chunk c;
    size_t mark;
    int rc = 0;

    while (!atomic_load(&p->stop)) {
        if (p->deadline_ns && lh_now_ns() > p->deadline_ns) {
            atomic_store(&p->deadline_hit, true);
            atomic_store(&p->stop, true);
            break;
        }
        rc = p->src->ops->next(p->src, w->index, &c);
        if (rc == LH_ITEROVER) {
            rc = 0;
            break;
        }
        if (rc)
            break;
        w->chunk = &c;
        lh_lineidx_init(&w->li, c.data, c.len);
        mark = w->findings.len;
        rc = lh_scanner_scan(w->scanner, &c, lh_on_match, w);
        lh_worker_settle(w, mark);
        p->src->ops->release(p->src, w->index, &c);
        if (rc)
            break;
    }
    if (rc) {
        w->rc = rc;
        snprintf(w->err, sizeof(w->err), "%s", lh_error_last());
        atomic_store(&p->stop, true);
    }
    pthread_mutex_lock(&p->lock);
    w->done = true;
    p->finished++;
    pthread_cond_signal(&p->done_cv);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Waits for the started workers; with a deadline, only until the deadline plus a short grace (a
 * worker checks the deadline between chunks, so only one stuck inside a single read overstays).
 * Returns true when every worker ended. */
static bool lh_pool_wait(struct lh_pool *p, unsigned started)
{
    struct timespec until;
    int64_t limit;
    bool all;

    pthread_mutex_lock(&p->lock);
    if (p->deadline_ns) {
        /* 250 ms of grace stays inside the gap between our default 4 s and GitHub's 5 s */
        limit = p->deadline_ns + 250000000;
        until.tv_sec = (time_t)(limit / 1000000000);
        until.tv_nsec = (long)(limit % 1000000000);
        while (p->finished < started) {
            if (pthread_cond_timedwait(&p->done_cv, &p->lock, &until) == ETIMEDOUT)
                break;
        }
    } else {
        while (p->finished < started)
            pthread_cond_wait(&p->done_cv, &p->lock);
    }
    all = p->finished >= started;
    pthread_mutex_unlock(&p->lock);
    return all;
}

void lh_scan_result_release(struct lh_scan_result *r)
{
    lh_findings_release(&r->findings);
}

static unsigned lh_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)(n > 64 ? 64 : n) : 1;
}

int lh_cli_run(struct lh_cli *cli, struct lh_source *src, struct lh_scan_result *out)
{
    struct lh_pool *pool;
    struct lh_worker *ws = NULL;
    pthread_t *th = NULL;
    pthread_condattr_t ca;
    unsigned n, i, started = 0;
    bool abandoned = false;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    lh_findings_init(&out->findings);
    n = cli->jobs ? cli->jobs : lh_default_jobs();
    if (n > src->workers)
        n = src->workers;
    if (n == 0)
        n = 1;
    pool = lh_calloc(1, sizeof(*pool));
    if (pool == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    pool->cli = cli;
    pool->src = src;
    pool->res = out;
    atomic_init(&pool->stop, false);
    atomic_init(&pool->n_findings, 0);
    atomic_init(&pool->dropped_cap, 0);
    atomic_init(&pool->deadline_hit, false);
    pool->deadline_ns = cli->deadline_s > 0 ? cli->start_ns + (int64_t)(cli->deadline_s * 1e9) : 0;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->done_cv, &ca);
    pthread_condattr_destroy(&ca);
    src->on_skip = lh_pool_skip;
    src->skip_payload = pool;

    ws = lh_calloc(n, sizeof(*ws));
    th = lh_calloc(n, sizeof(*th));
    if (ws == NULL || th == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        ws[i].pool = pool;
        ws[i].index = i;
        lh_findings_init(&ws[i].findings);
        rc = lh_scanner_new(&ws[i].scanner, cli->engine);
        if (rc)
            goto out;
    }
    if (n == 1 && pool->deadline_ns == 0) {
        /* no deadline to keep: no thread needed */
        lh_worker_main(&ws[0]);
    } else {
        for (i = 0; i < n; i++) {
            if (pthread_create(&th[i], NULL, lh_worker_main, &ws[i]) != 0) {
                atomic_store(&pool->stop, true);
                rc = lh_error_set(LH_ENOMEM, "cannot start a worker thread");
                break;
            }
            started++;
        }
        if (!lh_pool_wait(pool, started)) {
            /* a worker is stuck past the deadline inside one read: leave it; the process ends
             * soon, and the caller must not free what it may still touch */
            abandoned = true;
            atomic_store(&pool->stop, true);
            atomic_store(&pool->deadline_hit, true);
        }
        for (i = 0; i < started; i++) {
            if (abandoned && !ws[i].done)
                pthread_detach(th[i]);
            else
                pthread_join(th[i], NULL);
        }
    }
    for (i = 0; i < n; i++) {
        struct lh_scan_stats st;
        unsigned k;
        if (abandoned && !ws[i].done && i < started)
            continue;
        lh_scanner_stats(ws[i].scanner, &st);
        lh_scan_stats_add(&out->scan, &st);
        for (k = 0; k < LH_DROP__COUNT; k++)
            out->filt.dropped[k] += ws[i].filt.dropped[k];
        if (rc == 0 && lh_findings_merge(&out->findings, &ws[i].findings))
            rc = LH_ENOMEM;
        if (ws[i].rc && out->source_rc == 0) {
            out->source_rc = ws[i].rc;
            snprintf(out->source_err, sizeof(out->source_err), "%s", ws[i].err);
        }
    }
    lh_findings_sort(&out->findings);
    lh_filter_collected(cli->filter, &out->findings, &out->filt);
    out->deadline_hit = atomic_load(&pool->deadline_hit);
    out->findings_dropped_cap = atomic_load(&pool->dropped_cap);
    if (out->source_rc == LH_EINCOMPLETE)
        out->incomplete = true;
out:
    if (abandoned) {
        lh_cli_abandoned = true;
        lh_abandoned_ops = *src->ops;
        lh_abandoned_ops.free = lh_source_free_noop;
        src->ops = &lh_abandoned_ops;
        lh_abandoned_keep = ws;
        /* finished workers' scanners can go; the pool, the stuck workers and src stay */
        for (i = 0; i < n; i++)
            if (ws[i].done || i >= started) {
                lh_scanner_free(ws[i].scanner);
                ws[i].scanner = NULL;
                lh_findings_release(&ws[i].findings);
            }
        free(th);
    } else {
        if (ws)
            for (i = 0; i < n; i++) {
                lh_scanner_free(ws[i].scanner);
                lh_findings_release(&ws[i].findings);
            }
        free(ws);
        free(th);
        src->on_skip = NULL;
        src->skip_payload = NULL;
        pthread_cond_destroy(&pool->done_cv);
        pthread_mutex_destroy(&pool->lock);
        free(pool);
    }
    out->elapsed_ms = (lh_now_ns() - cli->start_ns) / 1000000;
    return rc;
}

/* ---- reports and exit codes -------------------------------------------------------------- */

static bool lh_want_color(const struct lh_cli *cli, FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");

    if (cli->color == 0)
        return false;
    if (cli->color == 1)
        return true;
    if (nc && nc[0])
        return false;
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(fileno(f));
}

static int lh_write_report(struct lh_cli *cli, const struct lh_scan_result *r,
                           struct lh_report_meta *meta, enum lh_format fmt, const char *path)
{
    bool to_stdout = path == NULL || strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "w");
    struct lh_buf b;
    int rc, ret = 0;

    if (f == NULL) {
        lh_cli_error("%s: cannot open for writing: %s", path, strerror(errno));
        return LH_EXIT_USAGE;
    }
    meta->color = fmt == LH_FMT_TEXT && lh_want_color(cli, f);
    lh_buf_init(&b, (size_t)1 << 30);
    rc = lh_report_render(&b, fmt, &r->findings, meta);
    if (rc) {
        lh_cli_error("rendering the %s report: %s", lh_format_name(fmt), lh_error_last());
        ret = LH_EXIT_USAGE;
    } else if (b.len && fwrite(b.ptr, 1, b.len, f) != b.len) {
        lh_cli_error("%s: write error", to_stdout ? "standard output" : path);
        ret = LH_EXIT_USAGE;
    }
    lh_buf_release(&b);
    if (!to_stdout) {
        if (fclose(f) != 0 && ret == 0) {
            lh_cli_error("%s: write error: %s", path, strerror(errno));
            ret = LH_EXIT_USAGE;
        }
    } else if (fflush(stdout) != 0 && ret == 0) {
        ret = LH_EXIT_USAGE;
    }
    return ret;
}

static void lh_print_stats(const struct lh_cli *cli, const struct lh_scan_result *r)
{
    struct rusage ru;
    unsigned k;
    uint64_t skipped = 0;

    getrusage(RUSAGE_SELF, &ru);
    for (k = 0; k < LH_SKIP__COUNT; k++)
        skipped += r->skipped[k];
    fprintf(stderr, "leakhound: stats: chunks %llu, bytes %llu, skipped %llu", (unsigned long long)r->scan.chunks,
            (unsigned long long)r->scan.bytes, (unsigned long long)skipped);
    for (k = 0; k < LH_SKIP__COUNT; k++)
        if (r->skipped[k])
            fprintf(stderr, " (%s %llu)", lh_skip_reason_name((enum lh_skip_reason)k),
                    (unsigned long long)r->skipped[k]);
    fprintf(stderr, "\nleakhound: stats: candidates %llu, confirms %llu, matches %llu, findings %zu\n",
            (unsigned long long)r->scan.candidates, (unsigned long long)r->scan.confirms,
            (unsigned long long)r->scan.matches, r->findings.len);
    fprintf(stderr,
            "leakhound: stats: time: database %s in %.1f ms, match %.1f ms, confirm "
            "%.1f ms (summed over workers), wall %lld ms; peak RSS %ld KiB\n",
            lh_engine_info(cli->engine)->embedded_db ? "built in"
            : lh_engine_info(cli->engine)->cache_hit ? "cached"
                                                      : "compiled",
            lh_engine_info(cli->engine)->compile_ms, r->scan.ns_match / 1e6, r->scan.ns_confirm / 1e6,
            (long long)r->elapsed_ms, ru.ru_maxrss);
}

/* Lists baseline entries that matched nothing in this scan, so a baseline shrinks as secrets are
 * removed. Meaningless for a scan that did not see everything, and said so. */
static void lh_report_stale(const struct lh_cli *cli, const struct lh_scan_result *r)
{
    size_t i, n = 0;
    struct lh_buf b;

    if (cli->baseline == NULL) {
        lh_cli_warn("--report-stale-baseline: no baseline given (--baseline or the config's "
                    "baseline)");
        return;
    }
    if (r->incomplete || r->deadline_hit || r->source_rc) {
        lh_cli_warn("the scan is incomplete: stale baseline entries are not reported");
        return;
    }
    lh_buf_init(&b, 8192);
    for (i = 0; i < lh_baseline_count(cli->baseline); i++) {
        const struct lh_baseline_entry *e = lh_baseline_get(cli->baseline, i);
        if (lh_baseline_hits(cli->baseline, i) != 0)
            continue;
        n++;
        lh_buf_reset(&b);
        if (e->path)
            lh_text_escape(&b, e->path, strlen(e->path));
        fprintf(stderr, "leakhound: stale baseline entry: %s rule %s%s%s", e->fingerprint, e->rule,
                e->path ? (e->pinned ? " pinned to " : " first seen in ") : "",
                e->path && b.ptr ? b.ptr : "");
        if (e->path && e->line)
            fprintf(stderr, ":%u", e->line);
        if (e->file_line)
            fprintf(stderr, " (%s:%u)", cli->baseline_path, e->file_line);
        fputc('\n', stderr);
    }
    lh_buf_release(&b);
    fprintf(stderr, "leakhound: %zu stale baseline entr%s of %zu\n", n, n == 1 ? "y" : "ies",
            lh_baseline_count(cli->baseline));
}

int lh_cli_report(struct lh_cli *cli, const struct lh_scan_result *r, const char *mode,
                  const char *root, const char *what_now)
{
    struct lh_report_meta meta;
    unsigned k;
    int i, rc;

    memset(&meta, 0, sizeof(meta));
    meta.tool_version = LH_VERSION;
    meta.ruleset_hash = lh_engine_info(cli->engine)->ruleset_hash;
    meta.ruleset = cli->rs;
    meta.show_secrets = cli->show_secrets;
    meta.mode = mode;
    meta.root = root;
    meta.start_ms = cli->start_ms;
    meta.end_ms = lh_now_ms();
    for (k = 0; k < LH_SKIP__COUNT; k++)
        meta.skipped[k] = r->skipped[k];
    for (k = 0; k < LH_DROP__COUNT; k++)
        meta.dropped_total += r->filt.dropped[k];
    meta.chunks = r->scan.chunks;
    meta.bytes = r->scan.bytes;
    meta.incomplete = r->incomplete || r->deadline_hit || r->source_rc != 0;
    meta.what_now = what_now;

    if (cli->verbose) {
        for (k = 0; k < LH_DROP__COUNT; k++)
            if (r->filt.dropped[k])
                fprintf(stderr, "leakhound: suppressed %llu match(es): %s\n",
                        (unsigned long long)r->filt.dropped[k],
                        lh_drop_reason_name((enum lh_drop_reason)k));
        if (r->scan.drop_entropy || r->scan.drop_validator || r->scan.drop_allow)
            fprintf(stderr,
                    "leakhound: rejected %llu below min entropy, %llu failing validation, %llu "
                    "allowed by rule\n",
                    (unsigned long long)r->scan.drop_entropy,
                    (unsigned long long)r->scan.drop_validator,
                    (unsigned long long)r->scan.drop_allow);
    }
    if (r->findings_dropped_cap)
        lh_cli_warn("%llu finding(s) over the limit of %u were not reported",
                    (unsigned long long)r->findings_dropped_cap, LH_DEFAULT_MAX_FINDINGS);
    if (r->scan.capped && !cli->quiet)
        lh_cli_warn("%llu match(es) over the per-rule limits were not reported",
                    (unsigned long long)r->scan.capped);
    if (r->scan.pcre_limit && !cli->quiet)
        lh_cli_warn("%llu candidate(s) hit the regex match limit and were not confirmed",
                    (unsigned long long)r->scan.pcre_limit);

    rc = lh_write_report(cli, r, &meta, cli->format, cli->output);
    for (i = 0; rc == 0 && i < cli->n_reports; i++)
        rc = lh_write_report(cli, r, &meta, cli->reports[i].format, cli->reports[i].path);
    if (cli->stats)
        lh_print_stats(cli, r);
    if (cli->report_stale_baseline)
        lh_report_stale(cli, r);
    return rc;
}

int lh_cli_exit_status(const struct lh_cli *cli, const struct lh_scan_result *r)
{
    /* a scan that could not see everything says so first: its findings are reported, but a
     * caller must not read "1" as "these are all of them" */
    if (r->incomplete || r->source_rc != 0)
        return LH_EXIT_INCOMPLETE;
    if (r->findings.len > 0)
        return cli->exit_code;
    return LH_EXIT_CLEAN;
}

/* ---- audit ------------------------------------------------------------------------------- */

enum lh_audit_event lh_cli_scan_event(const struct lh_scan_result *r)
{
    if (r->deadline_hit)
        return LH_AUDIT_DEADLINE_EXCEEDED;
    if (r->incomplete || r->source_rc != 0)
        return LH_AUDIT_SCAN_INCOMPLETE;
    return LH_AUDIT_SCAN_COMPLETED;
}

int lh_cli_audit(struct lh_cli *cli, const struct lh_scan_result *r, enum lh_audit_event event,
                 const struct lh_audit_ctx *extra, int exit_code)
{
    struct lh_audit_ctx ctx;
    int rc;

    if (cli->audit_log == NULL)
        return 0;
    if (extra)
        ctx = *extra;
    else
        lh_audit_ctx_init(&ctx);
    if (ctx.mode == NULL)
        ctx.mode = cli->cmd;
    if (r) {
        if (ctx.findings == NULL)
            ctx.findings = &r->findings;
        if (ctx.suppressed == NULL)
            ctx.suppressed = r->filt.dropped;
        if (ctx.blobs == 0)
            ctx.blobs = r->scan.chunks;
        if (ctx.bytes == 0)
            ctx.bytes = r->scan.bytes;
        if (ctx.duration_ms == 0)
            ctx.duration_ms = r->elapsed_ms;
        if (r->incomplete || r->deadline_hit || r->source_rc != 0)
            ctx.incomplete = true;
    }
    if (ctx.duration_ms == 0)
        ctx.duration_ms = (lh_now_ns() - cli->start_ns) / 1000000;
    if (ctx.ruleset_hash == NULL && cli->engine)
        ctx.ruleset_hash = lh_engine_info(cli->engine)->ruleset_hash;
    if (ctx.tool_version == NULL)
        ctx.tool_version = LH_VERSION;
    ctx.exit_code = exit_code;
    fflush(stdout); /* "-" shares standard output with the report */
    rc = lh_audit_emit(cli->audit_log, event, &ctx);
    if (rc)
        lh_cli_warn("audit log: %s", lh_error_last());
    return rc;
}
