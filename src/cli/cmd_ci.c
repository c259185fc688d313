/*
 * cmd_ci.c - `leakhound ci [REPO]`: scans what a CI run is about, deriving the range itself.
 *
 * GitHub Actions ($GITHUB_EVENT_PATH, at most LH_GIT_EVENT_MAX_SIZE bytes, read by
 * lh_git_event_parse): pull_request / pull_request_target → head.sha --not base.sha; push → after
 * --not before, and for a new branch (before is all zeros) --not the repository's default branch;
 * an event file that is not valid JSON, has a member of the wrong type or an id that is not 40/64
 * hex digits is a usage error (exit 2) naming the member. GitLab CI: a merge request pipeline →
 * CI_COMMIT_SHA --not CI_MERGE_REQUEST_DIFF_BASE_SHA; a push → CI_COMMIT_SHA --not
 * CI_COMMIT_BEFORE_SHA (a new branch: --not CI_DEFAULT_BRANCH). --base / --head override. A clone
 * that lacks the base (shallow) exits 3 and says to fetch full history.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/gitcli.h"
#include "filter/yamldoc.h"
#include "git/git.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lh_ci_args {
    const char *base;
    const char *head;
};

static int o_base(void *ctx, const char *v)
{
    ((struct lh_ci_args *)ctx)->base = v;
    return 0;
}
static int o_head(void *ctx, const char *v)
{
    ((struct lh_ci_args *)ctx)->head = v;
    return 0;
}

static const struct lh_opt lh_ci_opts[] = {
    {"base", 0, true, "REV", "scan commits not in REV (overrides what the CI event says)", o_base},
    {"head", 0, true, "REV", "scan commits of REV (default: the CI event's head, else HEAD)", o_head},
    {NULL, 0, false, NULL, NULL, NULL},
};

static const char *lh_env(const char *n)
{
    const char *v = getenv(n);
    return v && v[0] ? v : NULL;
}

/* Fills base/head from the CI environment. Strings point into ev (released by the caller) or the
 * environment; *default_branch names the branch a new branch is compared against. Returns 0, or
 * an exit code after printing. */
static int lh_ci_detect(struct lh_git_event *ev, const char **base, const char **head,
                        const char **default_branch, const char **what)
{
    const char *path = lh_env("GITHUB_EVENT_PATH");

    if (lh_env("GITHUB_ACTIONS") && path) {
        char *data = NULL;
        size_t len = 0;
        int rc = lh_ydoc_read_file(&data, &len, path, LH_GIT_EVENT_MAX_SIZE);

        if (rc) { /* the message names the file */
            lh_cli_error("ci: cannot read the GitHub event file: %s", lh_error_last());
            return LH_EXIT_USAGE;
        }
        rc = lh_git_event_parse(ev, lh_env("GITHUB_EVENT_NAME"), data, len);
        free(data);
        if (rc) {
            lh_cli_error("ci: %s: %s", path, lh_error_last());
            return LH_EXIT_USAGE;
        }
        *default_branch = ev->default_branch;
        *head = ev->head;
        *base = ev->base;
        *what = ev->kind == LH_GIT_EVENT_PULL_REQUEST ? "GitHub pull request" : "GitHub push";
        return 0;
    }
    if (lh_env("GITLAB_CI")) {
        *head = lh_env("CI_COMMIT_SHA");
        *default_branch = lh_env("CI_DEFAULT_BRANCH");
        if (lh_env("CI_MERGE_REQUEST_DIFF_BASE_SHA")) {
            *base = lh_env("CI_MERGE_REQUEST_DIFF_BASE_SHA");
            *what = "GitLab merge request";
        } else {
            *base = lh_env("CI_COMMIT_BEFORE_SHA");
            *what = "GitLab push";
        }
        return 0;
    }
    return 0;
}

int lh_cmd_ci(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_ci_args args = {0};
    struct lh_git_repo *repo = NULL;
    struct lh_source *src = NULL;
    struct lh_git_source_opts so;
    struct lh_scan_result res;
    struct lh_git_range range;
    struct lh_git_event ev;
    const char *base = NULL, *head = NULL, *defb = NULL, *what = "CI";
    const char *inc[1], *exc[1];
    char base_hex[LH_GIT_HEX_BUF], head_hex[LH_GIT_HEX_BUF], defref[512];
    bool have_res = false;
    char **pos;
    int n_pos, rc;

    lh_git_event_init(&ev);
    lh_cli_init(&cli, "ci");
    rc = lh_cli_parse(&cli, argc, argv, lh_ci_opts, &args, "leakhound ci [OPTIONS] [REPO]",
                      "Scan the commits a CI run is about: a pull/merge request's commits or a "
                      "push's new commits, derived from GitHub Actions ($GITHUB_EVENT_PATH) or "
                      "GitLab CI variables; --base/--head override.",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    if (n_pos > 1) {
        lh_cli_error("ci: at most one REPO");
        return LH_EXIT_USAGE;
    }
    rc = lh_ci_detect(&ev, &base, &head, &defb, &what);
    if (rc)
        goto out;
    if (args.base)
        base = args.base;
    if (args.head)
        head = args.head;
    if (head == NULL)
        head = "HEAD";
    rc = lh_gitcli_open(&repo, n_pos ? pos[0] : ".", LH_GIT_OPEN_SEARCH);
    if (rc)
        goto out;
    lh_gitcli_config_root(&cli, repo);
    rc = lh_cli_setup(&cli);
    if (rc)
        goto out;
    if (lh_git_is_zero_id(head, strlen(head))) {
        fprintf(stderr, "leakhound: ci: the %s deletes a branch: nothing to scan\n", what);
        rc = LH_EXIT_CLEAN;
        goto out;
    }
    if (base == NULL && !args.base && strcmp(what, "CI") == 0) {
        lh_cli_error("ci: no CI environment found (GitHub Actions or GitLab CI); give --base REV");
        rc = LH_EXIT_USAGE;
        goto out;
    }
    if (base && lh_git_is_zero_id(base, strlen(base)))
        base = NULL; /* a new branch: compare with the default branch */
    if (base == NULL) {
        if (defb) {
            /* a name that does not fit would be silently cut into another branch's name */
            if (strlen(defb) + sizeof("refs/remotes/origin/") > sizeof(defref)) {
                lh_cli_error("ci: the default branch name is longer than %zu bytes; give "
                             "--base REV",
                             sizeof(defref) - sizeof("refs/remotes/origin/"));
                rc = LH_EXIT_USAGE;
                goto out;
            }
            snprintf(defref, sizeof(defref), "refs/remotes/origin/%s", defb);
            if (lh_git_resolve_commit(repo, defref, base_hex) != 0)
                snprintf(defref, sizeof(defref), "%s", defb);
        } else if (lh_git_default_branch(repo, NULL, defref, sizeof(defref)) != 0) {
            lh_cli_error("ci: a new branch, and the default branch is unknown; give --base REV");
            rc = LH_EXIT_USAGE;
            goto out;
        }
        base = defref;
    }
    if (lh_git_resolve_commit(repo, head, head_hex) != 0 ||
        lh_git_resolve_commit(repo, base, base_hex) != 0) {
        lh_cli_error("ci: %s", lh_error_last());
        lh_cli_error("ci: this clone lacks a commit the %s needs%s. Fetch the full history: "
                     "actions/checkout with 'fetch-depth: 0', or GIT_DEPTH: 0 in GitLab CI, or "
                     "'git fetch --unshallow'.",
                     what, lh_git_repo_is_shallow(repo) ? " (it is a shallow clone)" : "");
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    fprintf(stderr, "leakhound: ci: %s: scanning %.12s --not %.12s\n", what, head_hex, base_hex);
    inc[0] = head_hex;
    exc[0] = base_hex;
    memset(&range, 0, sizeof(range));
    range.include = inc;
    range.n_include = 1;
    range.exclude = exc;
    range.n_exclude = 1;
    lh_gitcli_source_opts(&cli, &so);
    rc = lh_git_range_source_new(&src, repo, &range, &so);
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        if (rc == LH_EINCOMPLETE)
            lh_cli_error("ci: fetch the full history (fetch-depth: 0 / GIT_DEPTH: 0)");
        rc = rc == LH_ELIMIT || rc == LH_EDEADLINE ? LH_EXIT_POLICY : LH_EXIT_INCOMPLETE;
        goto out;
    }
    rc = lh_cli_run(&cli, src, &res);
    have_res = true;
    if (rc) {
        lh_cli_error("%s", lh_error_last());
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    rc = lh_gitcli_finish(&cli, &res, "ci", lh_git_repo_workdir(repo),
                          "A commit in this change adds the secret above. Remove it from every "
                          "commit that adds it\n(git rebase -i, then force-push the branch), and "
                          "revoke it: it is on the CI server and\nin the branch's history.");
    if (res.incomplete && lh_git_repo_is_shallow(repo))
        lh_cli_error("ci: the clone is shallow; fetch the full history (fetch-depth: 0)");
    lh_cli_audit(&cli, &res, lh_cli_scan_event(&res), NULL, rc);
out:
    lh_git_event_release(&ev);
    lh_gitcli_release(&cli, have_res ? &res : NULL, src, repo);
    return rc;
}
