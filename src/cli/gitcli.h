/*
 * gitcli.h - helpers the git-aware subcommands share (pre-commit, pre-push, pre-receive, git, ci),
 * defined in cmd_git.c. CLI-side only: they print.
 */
#ifndef LH_CLI_GITCLI_H
#define LH_CLI_GITCLI_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "git/git.h"
#include "util/buf.h"

/* lh_git_init + lh_git_repo_open, printing the error. Returns 0 or an exit code (2 when there is no
 * repository, 3 when it cannot be read). */
int lh_gitcli_open(struct lh_git_repo **out, const char *path, unsigned flags);
/* Points cli->config_root at the repository's work tree, where git runs hooks and where its
 * .leakhound.yml lives. A bare repository has no tree to hold one: without --config, no repository
 * config is read (not one from whatever the current directory is). Call before lh_cli_setup. */
void lh_gitcli_config_root(struct lh_cli *cli, const struct lh_git_repo *repo);
/* Source options from the common options: file size cap, workers, max commits, deadline. */
void lh_gitcli_source_opts(const struct lh_cli *cli, struct lh_git_source_opts *o);
/* True when the user asked for a report format or file (hooks then write it as asked). */
bool lh_gitcli_explicit_report(const struct lh_cli *cli);
/* Appends a terminal-safe description of at most max findings (commit, author, path:line, rule,
 * redacted secret, how to revoke). */
void lh_gitcli_describe_findings(struct lh_buf *b, const struct lh_cli *cli,
                                 const struct lh_scan_result *r, size_t max);
/* Prints text to stderr one line at a time, each line prefixed (prefix may be NULL). */
void lh_gitcli_print_lines(const char *prefix, const char *text);
/* Reports source errors, incompleteness and the deadline, renders the reports, and returns the
 * exit status. */
int lh_gitcli_finish(struct lh_cli *cli, struct lh_scan_result *res, const char *mode,
                     const char *root, const char *what_now);
/* The common end of every git subcommand: releases res (when non-NULL), the source, the repository
 * and the CLI's rule set, engine and filter. Each may be NULL. */
void lh_gitcli_release(struct lh_cli *cli, struct lh_scan_result *res, struct lh_source *src,
                       struct lh_git_repo *repo);
/* Reads all of standard input (bounded) into a NUL-terminated heap buffer (cmd_prereceive.c). */
int lh_gitcli_read_stdin(char **out, size_t *len);

#endif
