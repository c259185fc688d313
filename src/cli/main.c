/*
 * main.c - dispatch to subcommands, `leakhound version`, `leakhound help`, `leakhound man`.
 * Subcommands register in lh_commands[] below; help and the man page are generated from that table
 * and each subcommand's own option table (via --help / --help-man), so they always agree.
 */
#include "cli/cli.h"
#include "cli/commands.h"

#include <git2.h>
#include <hs.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <yaml.h>

struct lh_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct lh_command lh_commands[] = {
    {"dir", lh_cmd_dir, "scan files and directories"},
    {"stdin", lh_cmd_stdin, "scan standard input"},
    {"rules", lh_cmd_rules, "list or check rule packs"},
    {"baseline", lh_cmd_baseline, "write the current findings to a baseline file"},
    {"pre-commit", lh_cmd_pre_commit, "scan staged changes (the pre-commit hook)"},
    {"pre-push", lh_cmd_pre_push, "scan the commits a push would send (the pre-push hook)"},
    {"pre-receive", lh_cmd_pre_receive, "scan pushed commits on the server (the pre-receive hook)"},
    {"git", lh_cmd_git, "scan a repository's history or a range of commits"},
    {"ci", lh_cmd_ci, "scan a pull/merge request or push in GitHub Actions or GitLab CI"},
    {"install", lh_cmd_install, "install a git hook that runs leakhound"},
    {"uninstall", lh_cmd_uninstall, "remove a hook installed by leakhound"},
    {NULL, NULL, NULL},
};

static void lh_usage(FILE *f)
{
    const struct lh_command *c;

    fprintf(f, "usage: leakhound COMMAND [OPTIONS] [ARGS]\n\n"
               "leakhound finds credentials in files, piped text and git repositories.\n\n"
               "Commands:\n");
    for (c = lh_commands; c->name; c++)
        fprintf(f, "  %-12s %s\n", c->name, c->summary);
    fprintf(f, "  %-12s %s\n  %-12s %s\n  %-12s %s\n\n", "version", "print versions", "help",
            "this text; 'leakhound COMMAND --help' for a command", "man",
            "print the manual page (roff)");
    fprintf(f, "Exit status: 0 clean, 1 findings, 2 usage/config/rule error, 3 scan incomplete, "
               "4 deadline or\ncommit limit exceeded under a deny policy.\n");
}

static int lh_version(void)
{
    int maj = 0, min = 0, rev = 0;
    char pcre[64] = "";

    git_libgit2_version(&maj, &min, &rev);
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    printf("leakhound %s\n", LH_VERSION);
    printf("hyperscan %s\npcre2 %s\nlibgit2 %d.%d.%d\nlibyaml %s\n", hs_version(), pcre, maj, min,
           rev, yaml_get_version_string());
    return 0;
}

static int lh_man(void)
{
    const struct lh_command *c;

    printf(".TH LEAKHOUND 1 \"\" \"leakhound %s\" \"User Commands\"\n", LH_VERSION);
    printf(".SH NAME\nleakhound \\- find credentials in files and git history\n");
    printf(".SH SYNOPSIS\n\\fBleakhound\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n");
    printf(".SH DESCRIPTION\nleakhound matches every rule at once with Hyperscan, confirms with "
           "PCRE2, and reports findings with secrets redacted.\n");
    fflush(stdout);
    for (c = lh_commands; c->name; c++) {
        char *av[3];
        av[0] = (char *)c->name;
        av[1] = (char *)"--help-man";
        av[2] = NULL;
        c->fn(2, av);
        fflush(stdout);
    }
    printf(".SH \"COMMON OPTIONS\"\nSee \\fBleakhound dir \\-\\-help\\fR.\n");
    printf(".SH \"EXIT STATUS\"\n0 clean, 1 findings, 2 usage, config or rule error, 3 scan "
           "incomplete, 4 deadline or commit limit exceeded under a deny policy.\n");
    printf(".SH ENVIRONMENT\n\\fBNO_COLOR\\fR disables colour. \\fBXDG_CACHE_HOME\\fR locates the "
           "database cache.\n");
    return 0;
}

int main(int argc, char **argv)
{
    const struct lh_command *c;
    int rc;

    if (argc < 2) {
        lh_usage(stderr);
        return LH_EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        if (argc > 2 && strcmp(argv[1], "help") == 0) {
            for (c = lh_commands; c->name; c++)
                if (strcmp(c->name, argv[2]) == 0) {
                    char *av[3];
                    av[0] = argv[2];
                    av[1] = (char *)"--help";
                    av[2] = NULL;
                    return c->fn(2, av);
                }
        }
        lh_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0)
        return lh_version();
    if (strcmp(argv[1], "man") == 0)
        return lh_man();
    for (c = lh_commands; c->name; c++) {
        if (strcmp(c->name, argv[1]) == 0) {
            /* libgit2's init parses the system's CA certificates (a quarter of a small stdin
             * scan's CPU): only the commands that read repositories pay for it */
            bool git = strcmp(c->name, "dir") != 0 && strcmp(c->name, "stdin") != 0 &&
                       strcmp(c->name, "rules") != 0;
            if (git)
                git_libgit2_init();
            rc = c->fn(argc - 1, argv + 1);
            fflush(stdout);
            fflush(stderr);
            if (lh_cli_abandoned)
                _exit(rc); /* a worker is stuck inside libgit2: do not wait for it or shut down */
            if (git)
                git_libgit2_shutdown();
            return rc;
        }
    }
    fprintf(stderr, "leakhound: error: unknown command '%s' (see 'leakhound help')\n", argv[1]);
    return LH_EXIT_USAGE;
}
