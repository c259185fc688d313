/*
 * cmd_prepush.c - `leakhound pre-push [REMOTE [URL]]`: the commits about to be pushed. Reads every
 * "<local ref> <local id> <remote ref> <remote id>" line git writes; deletions are skipped; an
 * update is scanned as `local --not remote-id` when the remote's id is known here, and every update
 * is also bounded by `--not --remotes=REMOTE` (what the remote already has), all in one walk.
 * Under the pre-commit framework (PRE_COMMIT=1) the range comes from PRE_COMMIT_FROM_REF /
 * PRE_COMMIT_TO_REF instead of stdin.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/gitcli.h"
#include "git/git.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const char lh_prepush_what_now[] =
    "The push was stopped: a commit being pushed adds the secret above.\n"
    "Remove it from every commit that adds it, then push again:\n"
    "  in the last commit:     edit the file, then  git commit --amend --all\n"
    "  in an earlier commit C: git rebase -i C^  (mark C 'edit', remove the secret,\n"
    "                          git commit --amend --all, git rebase --continue)\n"
    "The secret has not left this machine yet. A false positive: add 'leakhound:allow' in a\n"
    "comment on its line.";

int lh_cmd_pre_push(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_git_repo *repo = NULL;
    struct lh_source *src = NULL;
    struct lh_git_source_opts so;
    struct lh_scan_result res;
    struct lh_git_ref_updates ups = {0};
    struct lh_git_range range;
    const char **inc = NULL, **exc = NULL;
    size_t n_inc = 0, n_exc = 0, i;
    char *in = NULL;
    size_t in_len = 0;
    bool have_res = false;
    const char *remote = NULL, *pc = getenv("PRE_COMMIT");
    const char *from = getenv("PRE_COMMIT_FROM_REF"), *to = getenv("PRE_COMMIT_TO_REF");
    char **pos;
    int n_pos, rc;

    lh_cli_init(&cli, "pre-push");
    rc = lh_cli_parse(&cli, argc, argv, NULL, NULL, "leakhound pre-push [OPTIONS] [REMOTE [URL]]",
                      "Scan the commits a push would send (git's pre-push hook; reads git's ref "
                      "lines on standard input, or PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF under the "
                      "pre-commit framework).",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (n_pos > 2) {
        lh_cli_error("pre-push: takes at most REMOTE and URL");
        return LH_EXIT_USAGE;
    }
    if (n_pos >= 1)
        remote = pos[0];
    rc = lh_gitcli_open(&repo, NULL, LH_GIT_OPEN_FROM_ENV | LH_GIT_OPEN_SEARCH);
    if (rc)
        goto out;
    lh_gitcli_config_root(&cli, repo);
    rc = lh_cli_setup(&cli);
    if (rc)
        goto out;
    if (pc && strcmp(pc, "1") == 0 && to && to[0]) {
        inc = lh_calloc(1, sizeof(*inc));
        exc = lh_calloc(1, sizeof(*exc));
        if (inc == NULL || exc == NULL) {
            rc = LH_EXIT_INCOMPLETE;
            goto out;
        }
        inc[n_inc++] = to;
        if (from && from[0] && !lh_git_is_zero_id(from, strlen(from)))
            exc[n_exc++] = from;
    } else {
        rc = lh_gitcli_read_stdin(&in, &in_len);
        if (rc == 0)
            rc = lh_git_parse_push_updates(&ups, in, in_len, 100000);
        if (rc) {
            lh_cli_error("pre-push: %s", lh_error_last());
            rc = LH_EXIT_USAGE;
            goto out;
        }
        inc = lh_calloc(ups.len ? ups.len : 1, sizeof(*inc));
        exc = lh_calloc(ups.len ? ups.len : 1, sizeof(*exc));
        if (inc == NULL || exc == NULL) {
            rc = LH_EXIT_INCOMPLETE;
            goto out;
        }
        for (i = 0; i < ups.len; i++) {
            struct lh_git_ref_update *u = &ups.items[i];
            if (lh_git_is_zero_id(u->new_id, strlen(u->new_id)))
                continue; /* a deletion sends nothing */
            inc[n_inc++] = u->new_id;
            /* the remote's id may be unknown here (someone else pushed): then only the remote
             * tracking refs bound the walk */
            if (!lh_git_is_zero_id(u->old_id, strlen(u->old_id)) &&
                lh_git_has_object(repo, u->old_id))
                exc[n_exc++] = u->old_id;
        }
    }
    if (n_inc == 0) {
        rc = LH_EXIT_CLEAN;
        goto out;
    }
    memset(&range, 0, sizeof(range));
    range.include = inc;
    range.n_include = n_inc;
    range.exclude = exc;
    range.n_exclude = n_exc;
    range.exclude_remote = remote ? remote : "*";
    lh_gitcli_source_opts(&cli, &so);
    rc = lh_git_range_source_new(&src, repo, &range, &so);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = rc == LH_ELIMIT || rc == LH_EDEADLINE ? LH_EXIT_POLICY
             : rc == LH_ENOTFOUND                  ? LH_EXIT_USAGE
                                                   : LH_EXIT_INCOMPLETE;
        goto out;
    }
    rc = lh_cli_run(&cli, src, &res);
    have_res = true;
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    rc = lh_gitcli_finish(&cli, &res, "pre-push", lh_git_repo_workdir(repo), lh_prepush_what_now);
    lh_cli_audit(&cli, &res,
                 res.findings.len ? LH_AUDIT_PUSH_REJECTED
                 : rc == LH_EXIT_CLEAN ? LH_AUDIT_PUSH_ACCEPTED
                                       : lh_cli_scan_event(&res),
                 NULL, rc);
out:
    free(inc);
    free(exc);
    free(in);
    lh_git_ref_updates_release(&ups);
    lh_gitcli_release(&cli, have_res ? &res : NULL, src, repo);
    return rc;
}
