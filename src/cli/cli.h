/*
 * cli.h - what every subcommand shares: the common options, setting up the rule set, engine and
 * filter from them, running a source through the pipeline, and rendering/writing the reports and
 * choosing the exit code. src/cli is the only place that prints or exits.
 *
 * A subcommand's main is `int lh_cmd_NAME(int argc, char **argv)`: it parses its own options with
 * lh_cli_parse() (common options + its own table), builds a source, calls lh_cli_scan(), and returns
 * the process exit code.
 */
#ifndef LH_CLI_CLI_H
#define LH_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "filter/baseline.h"
#include "filter/config.h"
#include "filter/filter.h"
#include "report/audit.h"
#include "report/report.h"
#include "rules/rules.h"
#include "util/chunk.h"

enum {
    LH_EXIT_CLEAN = 0,
    LH_EXIT_FINDINGS = 1,
    LH_EXIT_USAGE = 2,      /* usage, config or rule error */
    LH_EXIT_INCOMPLETE = 3, /* missing objects, shallow clone, unreadable repository */
    LH_EXIT_POLICY = 4,     /* deadline or --max-commits exceeded under a deny policy */
};

#define LH_MAX_REPORTS 8
#define LH_MAX_RULE_PATHS 32

struct lh_report_target {
    enum lh_format format;
    const char *path; /* NULL or "-": stdout */
};

struct lh_cli {
    const char *cmd; /* subcommand name */
    /* rules */
    const char *rule_paths[LH_MAX_RULE_PATHS];
    int n_rule_paths;
    bool no_builtin;
    /* output */
    struct lh_report_target reports[LH_MAX_REPORTS];
    int n_reports;
    enum lh_format format;
    const char *output;
    bool show_secrets;
    int color;          /* -1 auto, 0 never, 1 always */
    int exit_code;      /* exit status for findings */
    bool verbose;
    bool quiet;
    bool no_validate;
    bool no_inline_allow;
    bool stats;
    /* engine */
    const char *cache_dir;
    bool no_cache;
    unsigned jobs;      /* 0: number of cores */
    uint64_t max_file_size;
    double deadline_s;  /* 0: none */
    /* policy: config, baseline, audit (src/filter/config.h, docs/config.md, docs/audit.md) */
    const char *config_path;   /* --config: the repository config to use instead of the default */
    const char *config_root;   /* the subcommand says where the default .leakhound.yml lives
                                * (scan root, work tree); NULL: the current directory */
    bool no_config;            /* --no-config: read no repository config */
    const char *server_config; /* --server-config, else $LEAKHOUND_SERVER_CONFIG */
    const char *baseline_path; /* --baseline, else the config's baseline */
    bool report_stale_baseline;
    bool baseline_optional;    /* a missing baseline file is not an error (baseline create) */
    const char *audit_log;     /* --audit-log PATH|-|syslog, else the config's audit_log */
    bool max_file_size_set;    /* given on the command line (a config does not override it) */
    bool deadline_set;
    int on_deadline;           /* enum lh_on_deadline: 0 deny (default), 1 allow */
    uint64_t max_commits;      /* hook: most new commits per push; 0: no limit */
    bool allow_bypass;         /* hook: a bypass request may pass findings (audited) */
    bool on_deadline_set, max_commits_set, allow_bypass_set; /* given on the command line */
    struct lh_config *config;  /* the repository config in effect (restricted under a server
                                * config), or NULL */
    struct lh_config *server;  /* the server config, or NULL */
    struct lh_baseline *baseline;
    /* set up by lh_cli_setup */
    struct lh_ruleset *rs;
    struct lh_engine *engine;
    struct lh_filter *filter;
    int64_t start_ms;
    int64_t start_ns; /* monotonic */
};

/* One subcommand-specific option. handler gets the value (NULL for flags) and returns 0 or an exit
 * code (LH_EXIT_USAGE) after printing its error. */
struct lh_opt {
    const char *long_name; /* without "--" */
    char short_name;       /* 0 for none */
    bool has_arg;
    const char *arg_name;  /* for --help: "N", "PATH" */
    const char *help;
    int (*handler)(void *ctx, const char *value);
};

/* Prints "leakhound: " + the message to stderr. */
void lh_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lh_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void lh_cli_init(struct lh_cli *cli, const char *cmd);
void lh_cli_release(struct lh_cli *cli);

/* Parses argv (argv[0] is the subcommand) against the common options and extra (terminated by a
 * zeroed entry, may be NULL). Positional arguments are returned in *pos / *n_pos (pointers into argv).
 * usage is the one-line synopsis for --help. Returns -1 to go on, or an exit code to return now
 * (0 after --help). */
int lh_cli_parse(struct lh_cli *cli, int argc, char **argv, const struct lh_opt *extra, void *ctx,
                 const char *usage, const char *summary, char ***pos, int *n_pos);

/* Loads the rules, compiles the engine, sets up the filter. Returns 0 or an exit code. */
int lh_cli_setup(struct lh_cli *cli);

/* Result of one pipeline run. */
struct lh_scan_result {
    struct lh_findings findings;
    struct lh_scan_stats scan;
    struct lh_filter_stats filt;
    uint64_t skipped[LH_SKIP__COUNT];
    bool deadline_hit;
    bool incomplete;       /* the source reported missing objects or unreadable input */
    uint64_t findings_dropped_cap;
    int source_rc;         /* non-zero: the source failed with this code */
    char source_err[512];
    int64_t elapsed_ms;
};

void lh_scan_result_release(struct lh_scan_result *r);

/* Runs src through engine and filter with cli->jobs workers (capped by src->workers), collecting
 * sorted findings. Honours cli->deadline_s. Returns 0, or a negative code when setup failed. */
int lh_cli_run(struct lh_cli *cli, struct lh_source *src, struct lh_scan_result *out);

/* True once lh_cli_run left a worker stuck past the deadline: the process should report and end
 * without shutting libraries down. */
extern bool lh_cli_abandoned;

/* Renders every requested report. what_now may be NULL. Returns 0 or LH_EXIT_USAGE on write error. */
int lh_cli_report(struct lh_cli *cli, const struct lh_scan_result *r, const char *mode,
                  const char *root, const char *what_now);

/* Emits one audit event to cli->audit_log (nothing when it is unset), filled from the scan result
 * r (may be NULL), the rule set and the clock; extra (may be NULL) supplies what only the subcommand
 * knows (refs, pusher, commits, a message); its counts are used when non-zero. exit_code is the
 * status being returned (-1: not decided). A write failure is a warning on stderr, never fatal:
 * returns 0 or the LH_E* code. */
int lh_cli_audit(struct lh_cli *cli, const struct lh_scan_result *r, enum lh_audit_event event,
                 const struct lh_audit_ctx *extra, int exit_code);

/* The audit event for a finished dir/stdin/git-style scan: scan.completed, scan.incomplete or
 * deadline.exceeded. */
enum lh_audit_event lh_cli_scan_event(const struct lh_scan_result *r);

/* The exit code for a finished scan: incomplete → 3 (findings are still reported), findings →
 * cli->exit_code, else 0. */
int lh_cli_exit_status(const struct lh_cli *cli, const struct lh_scan_result *r);

/* Parses "4", "0.5", "4s" or "250ms" into seconds; -1 when malformed. */
int lh_cli_parse_seconds(const char *s, double *out);

/* Monotonic nanoseconds and wall-clock milliseconds. */
int64_t lh_now_ns(void);
int64_t lh_now_ms(void);

#endif
