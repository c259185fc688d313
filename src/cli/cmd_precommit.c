/*
 * cmd_precommit.c - `leakhound pre-commit`: the staged changes (HEAD → index, the index's blobs,
 * never the working tree), added lines only. Opens the repository from git's environment so the
 * temporary index of `git commit -a` / `git commit <paths>` ($GIT_INDEX_FILE) is the one scanned.
 * Read-only: nothing staged is ever touched.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/gitcli.h"
#include "git/git.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/text.h"

#include <string.h>

static const char lh_precommit_what_now[] =
    "The commit was stopped: the secret above is staged.\n"
    "  1. Remove it from the file (read it from the environment or a secret manager instead).\n"
    "  2. Stage the fixed file again:  git add <path>   (or git add -p for part of it)\n"
    "  3. Commit again.\n"
    "If it is a real credential, treat it as leaked only if it was ever pushed; otherwise it never\n"
    "left this machine. A false positive: add 'leakhound:allow' in a comment on that line.\n"
    "'git commit --no-verify' skips this hook, but the server may still reject the push.";

int lh_cmd_pre_commit(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_git_repo *repo = NULL;
    struct lh_source *src = NULL;
    struct lh_git_source_opts so;
    struct lh_scan_result res;
    const char *const *conf;
    size_t n_conf = 0, i;
    bool have_res = false;
    char **pos;
    int n_pos, rc;

    lh_cli_init(&cli, "pre-commit");
    rc = lh_cli_parse(&cli, argc, argv, NULL, NULL, "leakhound pre-commit [OPTIONS]",
                      "Scan the staged changes (HEAD against the index: the index's blobs, never "
                      "the working tree; added lines only). Install as .git/hooks/pre-commit with "
                      "'leakhound install --hook pre-commit'.",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (n_pos) {
        lh_cli_error("pre-commit: takes no arguments");
        return LH_EXIT_USAGE;
    }
    rc = lh_gitcli_open(&repo, NULL, LH_GIT_OPEN_FROM_ENV | LH_GIT_OPEN_SEARCH);
    if (rc)
        goto out;
    lh_gitcli_config_root(&cli, repo);
    rc = lh_cli_setup(&cli);
    if (rc)
        goto out;
    lh_gitcli_source_opts(&cli, &so);
    rc = lh_git_staged_source_new(&src, repo, &so);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = rc == LH_EINVALID ? LH_EXIT_USAGE : LH_EXIT_INCOMPLETE;
        goto out;
    }
    n_conf = lh_git_staged_conflicts(src, &conf);
    rc = lh_cli_run(&cli, src, &res);
    have_res = true;
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    rc = lh_gitcli_finish(&cli, &res, "pre-commit", lh_git_repo_workdir(repo),
                          lh_precommit_what_now);
    if (n_conf) {
        struct lh_buf b;
        lh_buf_init(&b, 1 << 20);
        for (i = 0; i < n_conf && i < 20; i++) {
            lh_buf_adds(&b, i ? ", " : "");
            lh_text_escape(&b, conf[i], strlen(conf[i]));
        }
        lh_cli_error("the index has %zu unresolved conflict(s) (%s%s); they were not scanned: "
                     "resolve them, 'git add' the result and run again",
                     n_conf, b.ptr ? b.ptr : "", n_conf > 20 ? ", ..." : "");
        lh_buf_release(&b);
        if (rc == LH_EXIT_CLEAN)
            rc = LH_EXIT_INCOMPLETE;
    }
    lh_cli_audit(&cli, &res,
                 res.findings.len ? LH_AUDIT_COMMIT_BLOCKED
                 : rc == LH_EXIT_CLEAN ? LH_AUDIT_COMMIT_ALLOWED
                                       : lh_cli_scan_event(&res),
                 NULL, rc);
out:
    lh_gitcli_release(&cli, have_res ? &res : NULL, src, repo);
    return rc;
}
