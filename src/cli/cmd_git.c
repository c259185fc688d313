/*
 * cmd_git.c - `leakhound git [REPO] [--range A..B | --since REV | --all]`: range and history scans,
 * and the helpers every git-aware subcommand shares (opening a repository with a clear error,
 * running a git source, the message a hook prints, provenance for history findings).
 *
 * History scans (--all, the default) attribute each finding to the commit that introduced its blob
 * only after the scan, and only for blobs with findings (lh_git_provenance). A progress line goes
 * to stderr while a terminal is attached (--progress auto|always|never).
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/gitcli.h"
#include "git/git.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int lh_gitcli_open(struct lh_git_repo **out, const char *path, unsigned flags)
{
    int rc = lh_git_init();

    if (rc == 0)
        rc = lh_git_repo_open(out, path, flags);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        return rc == LH_ENOTFOUND ? LH_EXIT_USAGE : LH_EXIT_INCOMPLETE;
    }
    return 0;
}

void lh_gitcli_config_root(struct lh_cli *cli, const struct lh_git_repo *repo)
{
    cli->config_root = lh_git_repo_workdir(repo);
    if (cli->config_root == NULL && cli->config_path == NULL)
        cli->no_config = true;
}

void lh_gitcli_source_opts(const struct lh_cli *cli, struct lh_git_source_opts *o)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    memset(o, 0, sizeof(*o));
    o->max_size = cli->max_file_size;
    o->workers = cli->jobs ? cli->jobs : (n > 0 ? (unsigned)(n > 64 ? 64 : n) : 1);
    o->max_commits = (size_t)cli->max_commits;
    if (cli->deadline_s > 0)
        o->deadline_ns = cli->start_ns + (int64_t)(cli->deadline_s * 1e9);
}

bool lh_gitcli_explicit_report(const struct lh_cli *cli)
{
    return cli->output != NULL || cli->n_reports > 0 || cli->format != LH_FMT_TEXT;
}

/* Appends s escaped for a terminal (repository text is untrusted). */
static void lh_esc(struct lh_buf *b, const char *s)
{
    if (s)
        lh_text_escape(b, s, strlen(s));
}

void lh_gitcli_print_lines(const char *prefix, const char *text)
{
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(stderr, "%s%.*s\n", prefix ? prefix : "", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
    fflush(stderr);
}

void lh_gitcli_describe_findings(struct lh_buf *b, const struct lh_cli *cli,
                                 const struct lh_scan_result *r, size_t max)
{
    size_t i;

    for (i = 0; i < r->findings.len && i < max; i++) {
        const struct lh_finding *f = &r->findings.items[i];
        lh_buf_adds(b, "  ");
        if (f->commit) {
            lh_buf_addf(b, "commit %.12s", f->commit);
            if (f->author) {
                lh_buf_adds(b, " (");
                lh_esc(b, f->author);
                if (f->date)
                    lh_buf_addf(b, ", %s", f->date);
                lh_buf_adds(b, ")");
            }
            lh_buf_adds(b, "\n    ");
        }
        lh_esc(b, f->path);
        lh_buf_addf(b, ":%u:%u  %s  ", f->line_start, f->col_start, f->rule->id);
        lh_finding_redact(b, f, cli->show_secrets);
        lh_buf_adds(b, "\n    ");
        lh_esc(b, f->rule->name);
        lh_buf_adds(b, "\n");
        if (f->rule->remediation) {
            size_t n = strlen(f->rule->remediation);
            while (n && (f->rule->remediation[n - 1] == '\n' || f->rule->remediation[n - 1] == ' '))
                n--;
            lh_buf_adds(b, "    revoke: ");
            lh_text_escape(b, f->rule->remediation, n);
            lh_buf_adds(b, "\n");
        }
    }
    if (r->findings.len > max)
        lh_buf_addf(b, "  ... and %zu more\n", r->findings.len - max);
}

/* Replaces each blob finding's path and commit with where its blob was introduced. */
static int lh_attribute(struct lh_git_repo *repo, struct lh_findings *fs)
{
    const char **ids = NULL;
    size_t *which = NULL, n = 0, i;
    struct lh_git_origin *o = NULL;
    int rc = 0;

    ids = lh_calloc(fs->len ? fs->len : 1, sizeof(*ids));
    which = lh_calloc(fs->len ? fs->len : 1, sizeof(*which));
    if (ids == NULL || which == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < fs->len; i++) {
        if (fs->items[i].blob_id && fs->items[i].commit == NULL) {
            ids[n] = fs->items[i].blob_id;
            which[n++] = i;
        }
    }
    if (n == 0)
        goto out;
    rc = lh_git_provenance(&o, repo, ids, n);
    if (rc)
        goto out;
    for (i = 0; i < n; i++) {
        struct lh_finding *f = &fs->items[which[i]];
        if (o[i].commit == NULL)
            continue;
        if (o[i].path) {
            char *p = lh_strdup(o[i].path);
            if (p == NULL) {
                rc = lh_error_set(LH_ENOMEM, "out of memory");
                break;
            }
            free(f->path);
            f->path = p;
        }
        rc = lh_finding_set_provenance(f, o[i].commit, o[i].author, o[i].author_email, o[i].date);
        if (rc)
            break;
    }
    lh_findings_sort(fs);
out:
    lh_git_origins_free(o, n);
    free(ids);
    free(which);
    return rc;
}

struct lh_progress {
    const struct lh_source *src;
    atomic_bool stop;
    int64_t start_ns;
};

static void *lh_progress_main(void *arg)
{
    struct lh_progress *p = arg;
    struct timespec ts = {0, 200 * 1000 * 1000};

    while (!atomic_load(&p->stop)) {
        struct lh_git_progress g;
        lh_git_source_progress(p->src, &g);
        fprintf(stderr, "\rleakhound: %llu/%llu objects, %.1f MiB, %.1f s   ",
                (unsigned long long)g.items_done, (unsigned long long)g.items_total,
                (double)g.bytes_done / (1024.0 * 1024.0), (double)(lh_now_ns() - p->start_ns) / 1e9);
        fflush(stderr);
        nanosleep(&ts, NULL);
    }
    fputs("\r\033[K", stderr);
    fflush(stderr);
    return NULL;
}

struct lh_git_args {
    const char *range;
    const char *since;
    bool all;
    int progress; /* -1 auto, 0 never, 1 always */
    bool no_messages;
};

static int o_range(void *ctx, const char *v)
{
    ((struct lh_git_args *)ctx)->range = v;
    return 0;
}
static int o_since(void *ctx, const char *v)
{
    ((struct lh_git_args *)ctx)->since = v;
    return 0;
}
static int o_all(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_git_args *)ctx)->all = true;
    return 0;
}
static int o_no_messages(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_git_args *)ctx)->no_messages = true;
    return 0;
}
static int o_progress(void *ctx, const char *v)
{
    struct lh_git_args *a = ctx;
    if (strcmp(v, "auto") == 0)
        a->progress = -1;
    else if (strcmp(v, "always") == 0)
        a->progress = 1;
    else if (strcmp(v, "never") == 0)
        a->progress = 0;
    else {
        lh_cli_error("--progress: invalid value '%s' (auto, always or never)", v);
        return LH_EXIT_USAGE;
    }
    return 0;
}

static const struct lh_opt lh_git_opts[] = {
    {"range", 0, true, "A..B", "scan the commits of B not in A (B alone: all of B's history), as diffs", o_range},
    {"since", 0, true, "REV", "scan the commits of HEAD not in REV, as diffs", o_since},
    {"all", 0, false, NULL, "scan every blob reachable from any ref, each once (the default)", o_all},
    {"progress", 0, true, "WHEN", "progress on stderr: auto (a terminal), always, never", o_progress},
    {"no-messages", 0, false, NULL, "do not scan commit and tag messages", o_no_messages},
    {NULL, 0, false, NULL, NULL, NULL},
};

void lh_gitcli_release(struct lh_cli *cli, struct lh_scan_result *res, struct lh_source *src,
                       struct lh_git_repo *repo)
{
    if (res)
        lh_scan_result_release(res);
    if (src)
        src->ops->free(src);
    lh_git_repo_free(repo);
    lh_cli_release(cli);
}

int lh_gitcli_finish(struct lh_cli *cli, struct lh_scan_result *res, const char *mode,
                     const char *root, const char *what_now)
{
    int status;

    if (res->source_rc)
        lh_cli_error("%s", res->source_err);
    if (res->incomplete)
        lh_cli_warn("some objects could not be read (a shallow or partial clone?); the result is "
                    "incomplete");
    if (res->deadline_hit)
        lh_cli_error("the deadline of %.3g s passed before the scan finished; the result is "
                     "incomplete", cli->deadline_s);
    status = lh_cli_report(cli, res, mode, root, res->findings.len ? what_now : NULL);
    if (status == 0) {
        status = lh_cli_exit_status(cli, res);
        if (status == LH_EXIT_CLEAN && res->deadline_hit)
            status = LH_EXIT_POLICY;
    }
    return status;
}

int lh_cmd_git(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_git_args args;
    struct lh_git_repo *repo = NULL;
    struct lh_source *src = NULL;
    struct lh_git_source_opts so;
    struct lh_scan_result res;
    struct lh_progress prog;
    pthread_t th;
    bool have_res = false, show_progress, thread = false;
    char **pos;
    int n_pos, rc;
    char *a = NULL;

    memset(&args, 0, sizeof(args));
    args.progress = -1;
    lh_cli_init(&cli, "git");
    rc = lh_cli_parse(&cli, argc, argv, lh_git_opts, &args,
                      "leakhound git [OPTIONS] [REPO] [--range A..B | --since REV | --all]",
                      "Scan a repository's history: every blob reachable from any ref, each once, "
                      "with the commit that introduced each finding (--all, the default); or the "
                      "added lines of a range of commits (--range, --since).",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (n_pos > 1 || (!!args.range + !!args.since + args.all) > 1) {
        lh_cli_error("git: give at most one REPO and one of --range, --since, --all");
        return LH_EXIT_USAGE;
    }
    rc = lh_gitcli_open(&repo, n_pos ? pos[0] : ".", LH_GIT_OPEN_SEARCH);
    if (rc)
        goto out;
    lh_gitcli_config_root(&cli, repo);
    rc = lh_cli_setup(&cli);
    if (rc)
        goto out;
    lh_gitcli_source_opts(&cli, &so);
    so.no_messages = args.no_messages;
    if (args.range || args.since) {
        const char *inc[1], *exc[1];
        struct lh_git_range r;
        memset(&r, 0, sizeof(r));
        r.include = inc;
        r.exclude = exc;
        if (args.since) {
            inc[0] = "HEAD";
            exc[0] = args.since;
            r.n_include = r.n_exclude = 1;
        } else {
            const char *dots = strstr(args.range, "..");
            if (dots && dots[2] == '.') {
                lh_cli_error("--range: A...B (symmetric difference) is not supported; use A..B");
                rc = LH_EXIT_USAGE;
                goto out;
            }
            if (dots) {
                a = lh_strndup(args.range, (size_t)(dots - args.range));
                if (a == NULL) {
                    rc = LH_EXIT_INCOMPLETE;
                    goto out;
                }
                exc[0] = a[0] ? a : "HEAD";
                inc[0] = dots[2] ? dots + 2 : "HEAD";
                r.n_exclude = 1;
            } else {
                inc[0] = args.range;
            }
            r.n_include = 1;
        }
        so.max_commits = 0;
        rc = lh_git_range_source_new(&src, repo, &r, &so);
    } else {
        rc = lh_git_history_source_new(&src, repo, &so);
    }
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = rc == LH_ENOTFOUND ? LH_EXIT_USAGE : rc == LH_EDEADLINE ? LH_EXIT_POLICY
                                                                     : LH_EXIT_INCOMPLETE;
        goto out;
    }
    show_progress = args.progress == 1 || (args.progress == -1 && isatty(2) && !cli.quiet);
    if (show_progress) {
        prog.src = src;
        prog.start_ns = cli.start_ns;
        atomic_init(&prog.stop, false);
        thread = pthread_create(&th, NULL, lh_progress_main, &prog) == 0;
    }
    rc = lh_cli_run(&cli, src, &res);
    have_res = true;
    if (thread) {
        atomic_store(&prog.stop, true);
        pthread_join(th, NULL);
    }
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    if (!args.range && !args.since && res.findings.len) {
        rc = lh_attribute(repo, &res.findings);
        if (rc) {
            lh_cli_error("attributing findings to commits: %s", lh_error_last());
            rc = LH_EXIT_INCOMPLETE;
            goto out;
        }
    }
    rc = lh_gitcli_finish(&cli, &res, "git", lh_git_repo_workdir(repo),
                          "Each secret above is in the repository's history: anyone with a clone "
                          "has it.\nRevoke it first (see each rule's remediation), then remove it "
                          "from history\n(git filter-repo --replace-text) and ask every clone to "
                          "re-fetch.");
    lh_cli_audit(&cli, &res, lh_cli_scan_event(&res), NULL, rc);
out:
    free(a);
    lh_gitcli_release(&cli, have_res ? &res : NULL, src, repo);
    return rc;
}
