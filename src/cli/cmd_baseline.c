/*
 * cmd_baseline.c - `leakhound baseline create [-o FILE] [--pin-paths] [--reason TEXT] [OPTIONS]
 * [PATH...]`: scans files like `leakhound dir` (default: the current directory) and writes every
 * finding's fingerprint to a baseline file (src/filter/baseline.h), sorted, one block per entry.
 *
 * An existing baseline (--baseline, or the config's `baseline`) is read for its reasons, which
 * carry over to entries with the same fingerprint; it does not suppress anything here. An
 * incomplete scan writes nothing (exit 3): a partial baseline would silently drop accepted entries.
 * The file is written to a temporary name and renamed, so a reader never sees half a baseline.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "filter/baseline.h"
#include "fs/fs.h"
#include "util/error.h"
#include "util/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lh_baseline_args {
    bool pin_paths;
    const char *reason;
    bool scan_binary;
};

static int o_pin_paths(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_baseline_args *)ctx)->pin_paths = true;
    return 0;
}

static int o_reason(void *ctx, const char *v)
{
    ((struct lh_baseline_args *)ctx)->reason = v;
    return 0;
}

static int o_binary(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_baseline_args *)ctx)->scan_binary = true;
    return 0;
}

static const struct lh_opt lh_baseline_opts[] = {
    {"pin-paths", 0, false, NULL, "pin each entry to the path it was found at", o_pin_paths},
    {"reason", 0, true, "TEXT", "the reason recorded in new entries", o_reason},
    {"binary", 0, false, NULL, "scan binary files too (skipped by default)", o_binary},
    {NULL, 0, false, NULL, NULL, NULL},
};

/* Writes data to path through a temporary file and rename(); "-" or NULL: standard output. */
static int lh_write_file_atomic(const char *path, const char *data, size_t len)
{
    char tmp[4096];
    FILE *f;
    bool write_failed, close_failed;
    int n;

    if (path == NULL || strcmp(path, "-") == 0) {
        if ((len && fwrite(data, 1, len, stdout) != len) || fflush(stdout) != 0) {
            lh_cli_error("standard output: write error");
            return LH_EXIT_USAGE;
        }
        return 0;
    }
    n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        lh_cli_error("%s: path too long", path);
        return LH_EXIT_USAGE;
    }
    f = fopen(tmp, "w");
    if (f == NULL) {
        lh_cli_error("%s: cannot open for writing: %s", tmp, strerror(errno));
        return LH_EXIT_USAGE;
    }
    /* both must run: a short write and a failed close are each an error, and f must be closed */
    write_failed = len && fwrite(data, 1, len, f) != len;
    close_failed = fclose(f) != 0;
    if (write_failed || close_failed) {
        lh_cli_error("%s: write error: %s", tmp, strerror(errno));
        remove(tmp);
        return LH_EXIT_USAGE;
    }
    if (rename(tmp, path) != 0) {
        lh_cli_error("%s: cannot rename to %s: %s", tmp, path, strerror(errno));
        remove(tmp);
        return LH_EXIT_USAGE;
    }
    return 0;
}

/* Builds the new baseline from the findings; reasons carry over from old (may be NULL). */
static int lh_baseline_from(struct lh_baseline *nb, const struct lh_cli *cli,
                            const struct lh_findings *fs, const struct lh_baseline *old,
                            const struct lh_baseline_args *args)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < fs->len; i++) {
        const struct lh_finding *f = &fs->items[i];
        const char *rel = lh_filter_relpath(cli->filter, f->path);
        const char *reason = old ? lh_baseline_reason(old, f->fingerprint) : NULL;
        /* a path that is not UTF-8 cannot be written exactly, so it is never a pin */
        bool pin = args->pin_paths && lh_text_is_utf8(rel, strlen(rel));
        if (reason == NULL)
            reason = args->reason;
        rc = lh_baseline_add(nb, f->fingerprint, f->rule->id, rel[0] ? rel : NULL, f->line_start,
                             pin && rel[0], reason);
    }
    return rc;
}

static int lh_baseline_create(struct lh_cli *cli, char **paths, int n_paths,
                              const struct lh_baseline_args *args)
{
    static const char *const dot[] = {"."};
    struct lh_fs_opts fo;
    struct lh_source *src = NULL;
    struct lh_scan_result res;
    struct lh_baseline *nb = NULL;
    struct lh_buf out;
    struct stat st;
    const char *dest;
    int rc, status = 0;

    if (n_paths == 0) {
        paths = (char **)dot;
        n_paths = 1;
    }
    if (n_paths == 1 && stat(paths[0], &st) == 0 && S_ISDIR(st.st_mode))
        cli->config_root = paths[0];
    cli->baseline_optional = true; /* creating the baseline a config names: it may not exist */
    rc = lh_cli_setup(cli);
    if (rc)
        return rc;
    /* the old baseline only lends its reasons: nothing is suppressed while creating */
    lh_filter_set_baseline(cli->filter, NULL);
    dest = cli->output ? cli->output : (cli->config ? cli->config->baseline : NULL);

    memset(&fo, 0, sizeof(fo));
    fo.max_size = cli->max_file_size;
    fo.scan_binary = args->scan_binary;
    fo.workers = cli->jobs ? cli->jobs : 64;
    rc = lh_fs_source_new(&src, (const char *const *)paths, (size_t)n_paths, &fo);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        return rc == LH_ENOTFOUND ? LH_EXIT_USAGE : LH_EXIT_INCOMPLETE;
    }
    rc = lh_cli_run(cli, src, &res);
    src->ops->free(src);
    if (rc || res.source_rc || res.incomplete || res.deadline_hit || res.findings_dropped_cap) {
        lh_cli_error("%s; no baseline written",
                     rc ? lh_error_last()
                        : res.source_rc ? res.source_err
                        : res.deadline_hit ? "the deadline passed before the scan finished"
                        : res.findings_dropped_cap ? "more findings than the finding limit"
                                                   : "the scan is incomplete");
        lh_scan_result_release(&res);
        return LH_EXIT_INCOMPLETE;
    }
    lh_buf_init(&out, (size_t)256 << 20);
    rc = lh_baseline_new(&nb);
    if (rc == 0)
        rc = lh_baseline_from(nb, cli, &res.findings, cli->baseline, args);
    if (rc == 0)
        rc = lh_baseline_render(&out, nb);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        status = LH_EXIT_USAGE;
        goto out;
    }
    status = lh_write_file_atomic(dest, out.ptr, out.len);
    if (status == 0 && !cli->quiet)
        fprintf(stderr, "leakhound: baseline: %zu entr%s for %zu finding(s) written to %s\n",
                lh_baseline_count(nb), lh_baseline_count(nb) == 1 ? "y" : "ies", res.findings.len,
                dest && strcmp(dest, "-") != 0 ? dest : "standard output");
out:
    lh_baseline_free(nb);
    lh_buf_release(&out);
    lh_scan_result_release(&res);
    return status;
}

int lh_cmd_baseline(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_baseline_args args;
    char **pos;
    int n_pos, rc;

    memset(&args, 0, sizeof(args));
    lh_cli_init(&cli, "baseline");
    rc = lh_cli_parse(&cli, argc, argv, lh_baseline_opts, &args,
                      "leakhound baseline create [-o FILE] [--pin-paths] [--reason TEXT] "
                      "[OPTIONS] [PATH...]",
                      "create: scan PATHs like 'leakhound dir' (default: the current directory) "
                      "and write every finding's fingerprint to a baseline file (-o FILE, else the "
                      "config's baseline, else standard output). Then '--baseline FILE' reports "
                      "only findings that are not in it; reasons of an existing --baseline carry "
                      "over.",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (n_pos == 0 || strcmp(pos[0], "create") != 0) {
        lh_cli_error("baseline: say 'create' (see 'leakhound baseline --help')");
        return LH_EXIT_USAGE;
    }
    rc = lh_baseline_create(&cli, pos + 1, n_pos - 1, &args);
    lh_cli_release(&cli);
    return rc;
}
