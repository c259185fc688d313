/*
 * cmd_scan.c - `leakhound dir PATH...` and `leakhound stdin`: scans of files and piped text.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "fs/fs.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct lh_scan_args {
    bool scan_binary;
    const char *path_name;
};

static int o_binary(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_scan_args *)ctx)->scan_binary = true;
    return 0;
}

static int o_path(void *ctx, const char *v)
{
    ((struct lh_scan_args *)ctx)->path_name = v;
    return 0;
}

static const struct lh_opt lh_dir_opts[] = {
    {"binary", 0, false, NULL, "scan binary files too (skipped by default)", o_binary},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const struct lh_opt lh_stdin_opts[] = {
    {"path", 0, true, "NAME", "the name to report the input under (default <stdin>)", o_path},
    {NULL, 0, false, NULL, NULL, NULL},
};

/* Runs src, reports, and turns the result into an exit status. Frees src. */
static int lh_scan_and_report(struct lh_cli *cli, struct lh_source *src, const char *mode)
{
    struct lh_scan_result res;
    int rc, status;

    rc = lh_cli_run(cli, src, &res);
    src->ops->free(src);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        lh_scan_result_release(&res);
        return LH_EXIT_INCOMPLETE;
    }
    if (res.source_rc) {
        lh_cli_error("%s", res.source_err);
    }
    if (res.deadline_hit)
        lh_cli_error("the deadline of %.3g s passed before the scan finished; the result is "
                     "incomplete", cli->deadline_s);
    status = lh_cli_report(cli, &res, mode, NULL, NULL);
    if (status == 0) {
        status = lh_cli_exit_status(cli, &res);
        if (status == LH_EXIT_CLEAN && res.deadline_hit)
            status = LH_EXIT_POLICY;
    }
    lh_cli_audit(cli, &res, lh_cli_scan_event(&res), NULL, status);
    lh_scan_result_release(&res);
    return status;
}

int lh_cmd_dir(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_scan_args args = {0};
    struct lh_fs_opts fo;
    struct lh_source *src = NULL;
    struct stat st;
    char **pos;
    int n_pos, rc;

    lh_cli_init(&cli, "dir");
    rc = lh_cli_parse(&cli, argc, argv, lh_dir_opts, &args, "leakhound dir [OPTIONS] PATH...",
                      "Scan files and directories (recursively; .git directories and symbolic "
                      "links inside them are skipped, binary files are skipped and counted).",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (n_pos == 0) {
        lh_cli_error("dir: no PATH given (see 'leakhound dir --help')");
        return LH_EXIT_USAGE;
    }
    if (n_pos == 1 && stat(pos[0], &st) == 0 && S_ISDIR(st.st_mode))
        cli.config_root = pos[0]; /* its .leakhound.yml applies, its paths are relative to it */
    rc = lh_cli_setup(&cli);
    if (rc)
        goto out;
    memset(&fo, 0, sizeof(fo));
    fo.max_size = cli.max_file_size;
    fo.scan_binary = args.scan_binary;
    fo.workers = cli.jobs ? cli.jobs : 64;
    rc = lh_fs_source_new(&src, (const char *const *)pos, (size_t)n_pos, &fo);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = rc == LH_ENOTFOUND ? LH_EXIT_USAGE : LH_EXIT_INCOMPLETE;
        goto out;
    }
    rc = lh_scan_and_report(&cli, src, "dir");
out:
    lh_cli_release(&cli);
    return rc;
}

int lh_cmd_stdin(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_scan_args args = {0};
    struct lh_source *src = NULL;
    char **pos;
    int n_pos, rc;

    lh_cli_init(&cli, "stdin");
    rc = lh_cli_parse(&cli, argc, argv, lh_stdin_opts, &args, "leakhound stdin [OPTIONS]",
                      "Scan standard input as one file.", &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (n_pos != 0) {
        lh_cli_error("stdin: takes no PATH (did you mean 'leakhound dir'?)");
        return LH_EXIT_USAGE;
    }
    rc = lh_cli_setup(&cli);
    if (rc)
        goto out;
    rc = lh_stdin_source_new(&src, stdin, args.path_name ? args.path_name : "<stdin>",
                             cli.max_file_size);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    rc = lh_scan_and_report(&cli, src, "stdin");
out:
    lh_cli_release(&cli);
    return rc;
}
