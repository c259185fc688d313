/*
 * cmd_install.c - `leakhound install --hook NAME [--global] [--force]` and `leakhound uninstall
 * --hook NAME [--global]`: write or remove the 3-line shim (the same text as hooks/NAME) in the
 * hooks directory git will actually use (`git rev-parse --git-path hooks`: core.hooksPath, else
 * <git common dir>/hooks). A hook that is not ours is never overwritten without --force (it is then
 * kept as NAME.leakhound-backup) and never removed. The shim is written to a temporary file and
 * renamed into place, so a hook is never half-written.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/gitcli.h"
#include "git/git.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LH_HOOK_MARK "installed by 'leakhound install'"

struct lh_install_args {
    const char *hook;
    bool global;
    bool force;
};

static int o_hook(void *ctx, const char *v)
{
    ((struct lh_install_args *)ctx)->hook = v;
    return 0;
}
static int o_global(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_install_args *)ctx)->global = true;
    return 0;
}
static int o_force(void *ctx, const char *v)
{
    (void)v;
    ((struct lh_install_args *)ctx)->force = true;
    return 0;
}

static const struct lh_opt lh_install_opts[] = {
    {"hook", 0, true, "NAME", "pre-commit, pre-push or pre-receive (default pre-commit)", o_hook},
    {"global", 0, false, NULL, "the global core.hooksPath directory instead of this repository's", o_global},
    {"force", 0, false, NULL, "replace a hook that is not leakhound's (kept as NAME.leakhound-backup)", o_force},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const struct lh_opt lh_uninstall_opts[] = {
    {"hook", 0, true, "NAME", "pre-commit, pre-push or pre-receive (default pre-commit)", o_hook},
    {"global", 0, false, NULL, "the global core.hooksPath directory instead of this repository's", o_global},
    {NULL, 0, false, NULL, NULL, NULL},
};

static bool lh_hook_known(const char *h)
{
    return strcmp(h, "pre-commit") == 0 || strcmp(h, "pre-push") == 0 ||
           strcmp(h, "pre-receive") == 0;
}

/* 1: the file is ours, 0: someone else's, -1: no such file. */
static int lh_hook_is_ours(const char *path)
{
    char buf[4096];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return errno == ENOENT ? -1 : 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, LH_HOOK_MARK) != NULL;
}

static int lh_mkdirs(const char *dir)
{
    char tmp[4096];
    size_t i, n = strlen(dir);

    if (n >= sizeof(tmp))
        return -1;
    memcpy(tmp, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            tmp[i] = c;
        }
    }
    return 0;
}

/* Finds the hooks directory; prints and returns an exit code on failure. */
static int lh_hooks_target(const struct lh_install_args *a, char *dir, size_t len,
                           struct lh_git_repo **repo)
{
    bool shadowed = false;
    int rc;

    if (!a->global) {
        rc = lh_gitcli_open(repo, ".", LH_GIT_OPEN_SEARCH | LH_GIT_OPEN_OWNER_CHECK);
        if (rc)
            return rc;
    }
    rc = lh_git_hooks_dir(*repo, a->global, dir, len, &shadowed);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        if (a->global)
            lh_cli_error("set one first: git config --global core.hooksPath ~/.config/git/hooks "
                         "(note: it replaces every repository's own .git/hooks)");
        return LH_EXIT_USAGE;
    }
    if (shadowed)
        lh_cli_warn("this repository's core.hooksPath overrides the global one: hooks in the "
                    "global directory do not run here; installing into %s", dir);
    return 0;
}

int lh_cmd_install(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_install_args a = {NULL, false, false};
    struct lh_git_repo *repo = NULL;
    char dir[4096], path[4200], tmp[4300], backup[4300];
    char **pos;
    int n_pos, rc, ours;
    FILE *f;

    lh_cli_init(&cli, "install");
    rc = lh_cli_parse(&cli, argc, argv, lh_install_opts, &a,
                      "leakhound install [--hook pre-commit|pre-push|pre-receive] [--global] "
                      "[--force]",
                      "Install a hook shim that runs leakhound, in the hooks directory git uses "
                      "(core.hooksPath, else .git/hooks).",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (a.hook == NULL)
        a.hook = "pre-commit";
    if (n_pos || !lh_hook_known(a.hook)) {
        lh_cli_error("install: --hook takes pre-commit, pre-push or pre-receive");
        return LH_EXIT_USAGE;
    }
    rc = lh_hooks_target(&a, dir, sizeof(dir), &repo);
    if (rc)
        goto out;
    snprintf(path, sizeof(path), "%s/%s", dir, a.hook);
    ours = lh_hook_is_ours(path);
    if (ours == 0 && !a.force) {
        lh_cli_error("%s exists and was not installed by leakhound; not replacing it (use --force: "
                     "it is then kept as %s.leakhound-backup, or call leakhound from it yourself: "
                     "leakhound %s \"$@\")",
                     path, a.hook, a.hook);
        rc = LH_EXIT_USAGE;
        goto out;
    }
    if (lh_mkdirs(dir) != 0) {
        lh_cli_error("%s: cannot create: %s", dir, strerror(errno));
        rc = LH_EXIT_USAGE;
        goto out;
    }
    snprintf(tmp, sizeof(tmp), "%s/.%s.leakhound-tmp", dir, a.hook);
    f = fopen(tmp, "w");
    if (f == NULL) {
        lh_cli_error("%s: cannot write: %s", tmp, strerror(errno));
        rc = LH_EXIT_USAGE;
        goto out;
    }
    fprintf(f, "#!/bin/sh\n# leakhound %s hook, " LH_HOOK_MARK "; see docs/git.md\n"
               "exec \"${LEAKHOUND:-leakhound}\" %s \"$@\"\n",
            a.hook, a.hook);
    if (fclose(f) != 0 || chmod(tmp, 0755) != 0) {
        lh_cli_error("%s: cannot write: %s", tmp, strerror(errno));
        unlink(tmp);
        rc = LH_EXIT_USAGE;
        goto out;
    }
    if (ours == 0) {
        snprintf(backup, sizeof(backup), "%s.leakhound-backup", path);
        if (rename(path, backup) != 0) {
            lh_cli_error("%s: cannot keep a backup: %s", path, strerror(errno));
            unlink(tmp);
            rc = LH_EXIT_USAGE;
            goto out;
        }
        lh_cli_warn("the previous %s hook was kept as %s", a.hook, backup);
    }
    if (rename(tmp, path) != 0) {
        lh_cli_error("%s: cannot install: %s", path, strerror(errno));
        unlink(tmp);
        rc = LH_EXIT_USAGE;
        goto out;
    }
    printf("leakhound: installed the %s hook in %s\n", a.hook, path);
    rc = 0;
out:
    lh_git_repo_free(repo);
    lh_cli_release(&cli);
    return rc;
}

int lh_cmd_uninstall(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_install_args a = {NULL, false, false};
    struct lh_git_repo *repo = NULL;
    char dir[4096], path[4200];
    char **pos;
    int n_pos, rc, ours;

    lh_cli_init(&cli, "uninstall");
    rc = lh_cli_parse(&cli, argc, argv, lh_uninstall_opts, &a,
                      "leakhound uninstall [--hook pre-commit|pre-push|pre-receive] [--global]",
                      "Remove a hook shim that 'leakhound install' wrote (never anyone else's).",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (a.hook == NULL)
        a.hook = "pre-commit";
    if (n_pos || !lh_hook_known(a.hook)) {
        lh_cli_error("uninstall: --hook takes pre-commit, pre-push or pre-receive");
        return LH_EXIT_USAGE;
    }
    rc = lh_hooks_target(&a, dir, sizeof(dir), &repo);
    if (rc)
        goto out;
    snprintf(path, sizeof(path), "%s/%s", dir, a.hook);
    ours = lh_hook_is_ours(path);
    if (ours < 0) {
        printf("leakhound: no %s hook in %s\n", a.hook, dir);
        rc = 0;
    } else if (ours == 0) {
        lh_cli_error("%s was not installed by leakhound; not removing it", path);
        rc = LH_EXIT_USAGE;
    } else if (unlink(path) != 0) {
        lh_cli_error("%s: cannot remove: %s", path, strerror(errno));
        rc = LH_EXIT_USAGE;
    } else {
        printf("leakhound: removed the %s hook from %s\n", a.hook, dir);
        rc = 0;
    }
out:
    lh_git_repo_free(repo);
    lh_cli_release(&cli);
    return rc;
}
