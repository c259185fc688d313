/*
 * cmd_prereceive.c - `leakhound pre-receive`: the server-side gate. Reads every "<old> <new> <ref>"
 * line git writes to the hook's stdin, skips deletions, and scans all new commits of all refs in one
 * walk (`new... --not --all`: the quarantined objects are seen through GIT_OBJECT_DIRECTORY and
 * GIT_ALTERNATE_OBJECT_DIRECTORIES, refs are still the old ones), annotated tags peeled and their
 * messages scanned. Any finding rejects the whole push (git then moves no ref).
 *
 * Policy: --deadline (default 4 s under GitHub Enterprise, whose own hook timeout is 5 s, else
 * 30 s), --on-deadline deny|allow (default deny: exit 4), --max-commits N and --max-push-bytes SIZE
 * (default LH_DEFAULT_MAX_PUSH_BYTES; more is the same policy, never a silent truncation), a push-option bypass (`git push -o leakhound.skip`) honoured only with
 * --allow-bypass / allow_bypass in the server config / LEAKHOUND_ALLOW_BYPASS=1, and always
 * recorded. Under GitLab (GL_ID / GL_USERNAME) each message line starts with "GL-HOOK-ERR: " so
 * the web UI shows it. All repository text is escaped before it reaches the pusher's terminal.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/gitcli.h"
#include "git/git.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/limits.h"
#include "util/text.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reading more than this from stdin means something is wrong: each ref line is < 300 bytes and a
 * push with 100 000 refs is already extraordinary. */
#define LH_MAX_HOOK_STDIN (64u * 1024 * 1024)
#define LH_MAX_REF_LINES 100000u

int lh_gitcli_read_stdin(char **out, size_t *len)
{
    struct lh_buf b;
    char tmp[65536];
    size_t n;

    lh_buf_init(&b, LH_MAX_HOOK_STDIN);
    while ((n = fread(tmp, 1, sizeof(tmp), stdin)) > 0) {
        if (lh_buf_add(&b, tmp, n)) {
            lh_buf_release(&b);
            return lh_error_set(LH_ELIMIT, "more than %u bytes on standard input",
                                LH_MAX_HOOK_STDIN);
        }
    }
    if (ferror(stdin)) {
        lh_buf_release(&b);
        return lh_error_set(LH_EIO, "reading standard input: %s", strerror(errno));
    }
    if (b.ptr == NULL && lh_buf_add(&b, "", 0)) {
        lh_buf_release(&b);
        return LH_ENOMEM;
    }
    return lh_buf_detach(&b, out, len);
}

/* SIZE: bytes, or K, M or G of them (powers of 1024); 0 is no limit. */
static int o_max_push_bytes(void *ctx, const char *v)
{
    static const char units[] = "kmg";
    const char *u = NULL;
    char *end = NULL;
    unsigned long long n;
    unsigned shift = 0;

    errno = 0;
    n = strtoull(v, &end, 10);
    if (end != v && *end)
        u = strchr(units, tolower((unsigned char)*end));
    if (u && *u) {
        shift = 10u * (unsigned)(u - units + 1);
        end++;
    }
    if (errno || end == v || v[0] == '-' || *end || n > (ULLONG_MAX >> shift)) {
        lh_cli_error("--max-push-bytes: invalid value '%s' (bytes, with an optional K, M or G "
                     "suffix; 0: no limit)", v);
        return LH_EXIT_USAGE;
    }
    *(uint64_t *)ctx = (uint64_t)n << shift;
    return 0;
}

static const struct lh_opt lh_prereceive_opts[] = {
    {"max-push-bytes", 0, true, "SIZE",
     "most bytes of changed files and messages read per push (default 1G, 0: no limit; over it: "
     "the deadline policy)", o_max_push_bytes},
    {NULL, 0, false, NULL, NULL, NULL},
};

static bool lh_bypass_requested(void)
{
    const char *c = getenv("GIT_PUSH_OPTION_COUNT");
    char name[64], *end = NULL;
    long n, i;

    if (c == NULL)
        return false;
    errno = 0;
    n = strtol(c, &end, 10);
    if (errno || end == c || n <= 0 || n > 10000)
        return false;
    for (i = 0; i < n; i++) {
        const char *v;
        snprintf(name, sizeof(name), "GIT_PUSH_OPTION_%ld", i);
        v = getenv(name);
        if (v && (strcmp(v, "leakhound.skip") == 0 || strcmp(v, "leakhound.skip=1") == 0))
            return true;
    }
    return false;
}

static bool lh_env_set(const char *name)
{
    const char *v = getenv(name);
    return v && v[0];
}

static void lh_say(const char *prefix, struct lh_buf *b)
{
    if (b->ptr)
        lh_gitcli_print_lines(prefix, b->ptr);
    lh_buf_reset(b);
}

int lh_cmd_pre_receive(int argc, char **argv)
{
    struct lh_cli cli;
    struct lh_git_repo *repo = NULL;
    struct lh_source *src = NULL;
    struct lh_git_source_opts so;
    struct lh_scan_result res;
    struct lh_git_ref_updates ups = {0};
    struct lh_git_range range;
    struct lh_audit_ctx actx;
    struct lh_audit_ref *arefs = NULL;
    const char **inc = NULL;
    struct lh_buf msg;
    char *in = NULL, *repo_path = NULL;
    const char *where;
    size_t in_len = 0, i, n_inc = 0, n_commits = 0, n;
    uint64_t max_push_bytes = LH_DEFAULT_MAX_PUSH_BYTES;
    bool have_res = false, gitlab, bypass_req, bypass_ok, over = false;
    const char *prefix;
    char **pos;
    int n_pos, rc, status;

    lh_buf_init(&msg, 1 << 22);
    lh_cli_init(&cli, "pre-receive");
    rc = lh_cli_parse(&cli, argc, argv, lh_prereceive_opts, &max_push_bytes,
                      "leakhound pre-receive [OPTIONS] < ref-updates",
                      "The server-side hook: scan every pushed ref's new commits (added lines, "
                      "commit and tag messages) and reject the push on any finding. Reads git's "
                      "'<old> <new> <ref>' lines on standard input.",
                      &pos, &n_pos);
    if (rc >= 0)
        return rc;
    gitlab = lh_env_set("GL_ID") || lh_env_set("GL_USERNAME");
    prefix = gitlab ? "GL-HOOK-ERR: " : NULL;
    lh_audit_ctx_init(&actx);
    actx.mode = "pre-receive";
    if (n_pos) {
        lh_cli_error("pre-receive: takes no arguments (the ref updates come on standard input)");
        rc = LH_EXIT_USAGE;
        goto out;
    }
    rc = lh_gitcli_read_stdin(&in, &in_len);
    if (rc == 0)
        rc = lh_git_parse_ref_updates(&ups, in, in_len, LH_MAX_REF_LINES);
    if (rc) {
        lh_cli_error("pre-receive: %s", lh_error_last());
        rc = LH_EXIT_USAGE;
        goto out;
    }
    rc = lh_gitcli_open(&repo, NULL, LH_GIT_OPEN_FROM_ENV);
    if (rc)
        goto out;
    /* the audit's repository_path (and its repository without GL_PROJECT_PATH/GITHUB_REPO_NAME) */
    where = lh_git_repo_workdir(repo) ? lh_git_repo_workdir(repo) : lh_git_repo_gitdir(repo);
    n = strlen(where);
    while (n > 1 && where[n - 1] == '/')
        n--;
    repo_path = lh_strndup(where, n);
    if (repo_path == NULL) {
        lh_cli_error("out of memory");
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    actx.repository = repo_path;
    rc = lh_cli_setup(&cli);
    if (rc)
        goto out;
    if (!cli.deadline_set && cli.deadline_s <= 0)
        cli.deadline_s = lh_env_set("GITHUB_USER_LOGIN") || lh_env_set("GITHUB_REPO_NAME") ? 4.0
                                                                                         : 30.0;
    bypass_req = lh_bypass_requested();
    bypass_ok = bypass_req && (cli.allow_bypass || (getenv("LEAKHOUND_ALLOW_BYPASS") &&
                                                    strcmp(getenv("LEAKHOUND_ALLOW_BYPASS"), "1") == 0));
    arefs = lh_calloc(ups.len ? ups.len : 1, sizeof(*arefs));
    inc = lh_calloc(ups.len ? ups.len : 1, sizeof(*inc));
    if (arefs == NULL || inc == NULL) {
        lh_cli_error("out of memory");
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    for (i = 0; i < ups.len; i++) {
        arefs[i].name = ups.items[i].ref;
        arefs[i].old_id = ups.items[i].old_id;
        arefs[i].new_id = ups.items[i].new_id;
        if (!lh_git_is_zero_id(ups.items[i].new_id, strlen(ups.items[i].new_id)))
            inc[n_inc++] = ups.items[i].new_id; /* a deletion brings nothing new */
    }
    actx.refs = arefs;
    actx.n_refs = ups.len;
    if (n_inc == 0) {
        lh_cli_audit(&cli, NULL, LH_AUDIT_PUSH_ACCEPTED, &actx, 0);
        rc = LH_EXIT_CLEAN;
        goto out;
    }
    memset(&range, 0, sizeof(range));
    range.include = inc;
    range.n_include = n_inc;
    range.exclude_all_refs = true;
    lh_gitcli_source_opts(&cli, &so);
    so.max_bytes = max_push_bytes;
    rc = lh_git_range_source_new(&src, repo, &range, &so);
    if (rc == LH_ELIMIT || rc == LH_EDEADLINE) {
        over = true;
        lh_buf_addf(&msg, "leakhound: %s\n", lh_error_last());
    } else if (rc) {
        lh_buf_adds(&msg, "leakhound: push rejected: the pushed commits cannot be read: ");
        lh_text_escape(&msg, lh_error_last(), strlen(lh_error_last()));
        lh_buf_adds(&msg, "\n");
        lh_say(prefix, &msg);
        actx.incomplete = true;
        lh_cli_audit(&cli, NULL, LH_AUDIT_SCAN_INCOMPLETE, &actx, LH_EXIT_INCOMPLETE);
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    if (!over) {
        n_commits = lh_git_range_source_commits(src);
        actx.commits = n_commits;
        rc = lh_cli_run(&cli, src, &res);
        have_res = true;
        if (rc) {
            lh_cli_error("%s", lh_error_last());
            rc = LH_EXIT_INCOMPLETE;
            goto out;
        }
        if (res.deadline_hit) {
            over = true;
            lh_buf_addf(&msg, "leakhound: the scan did not finish within the deadline of %.3g s\n",
                        cli.deadline_s);
        } else if (res.source_rc == LH_ELIMIT) {
            /* --max-push-bytes: the scan stopped where the push went over it */
            over = true;
            lh_buf_adds(&msg, "leakhound: ");
            lh_text_escape(&msg, res.source_err, strlen(res.source_err));
            lh_buf_addf(&msg, " (--max-push-bytes %llu)\n", (unsigned long long)max_push_bytes);
            actx.message = "push over --max-push-bytes";
        }
    }
    if (have_res && lh_gitcli_explicit_report(&cli))
        lh_cli_report(&cli, &res, "pre-receive", NULL, NULL);

    if (have_res && res.findings.len) {
        const struct lh_finding *f0 = &res.findings.items[0];
        if (bypass_ok) {
            lh_buf_addf(&msg, "leakhound: WARNING: %zu secret(s) found, but the push was let "
                              "through because it asked for leakhound.skip and this server allows "
                              "that.\nleakhound: this bypass has been recorded.\n",
                        res.findings.len);
            lh_gitcli_describe_findings(&msg, &cli, &res, 20);
            lh_say(prefix, &msg);
            actx.message = "push option leakhound.skip honoured (server allows bypass)";
            lh_cli_audit(&cli, &res, LH_AUDIT_PUSH_BYPASSED, &actx, 0);
            rc = LH_EXIT_CLEAN;
            goto out;
        }
        lh_buf_addf(&msg, "leakhound: push rejected: %zu secret(s) in the pushed commits; no ref "
                          "was updated.\n",
                    res.findings.len);
        lh_gitcli_describe_findings(&msg, &cli, &res, 20);
        lh_buf_adds(&msg, "How to fix: remove the secret from every commit that adds it, then push "
                          "again.\n");
        if (f0->commit) {
            lh_buf_addf(&msg,
                        "  if %.12s is your last commit:   edit the file, then\n"
                        "      git commit --amend --all\n"
                        "  if it is an earlier commit:       git rebase -i %.12s^\n"
                        "      (mark that commit 'edit', remove the secret, then\n"
                        "       git commit --amend --all && git rebase --continue)\n",
                        f0->commit, f0->commit);
        }
        lh_buf_adds(&msg, "Then revoke the credential and issue a new one (see 'revoke:' above): it "
                          "was sent to this server\nand is still in your local history. A false "
                          "positive: add 'leakhound:allow' in a comment on its line.\n");
        if (bypass_req)
            lh_buf_adds(&msg, "leakhound: the push asked for leakhound.skip, but this server does "
                              "not allow bypasses.\n");
        lh_say(prefix, &msg);
        lh_cli_audit(&cli, &res, LH_AUDIT_PUSH_REJECTED, &actx, cli.exit_code);
        rc = cli.exit_code ? cli.exit_code : LH_EXIT_FINDINGS;
        goto out;
    }
    if (over) {
        if (cli.on_deadline == LH_ON_DEADLINE_ALLOW) {
            lh_buf_adds(&msg, "leakhound: WARNING: the push was NOT fully scanned and is allowed "
                              "by policy (on-deadline: allow).\n");
            status = LH_EXIT_CLEAN;
        } else {
            lh_buf_adds(&msg, "leakhound: push rejected: it could not be scanned within the "
                              "server's limits (on-deadline: deny).\nSplit it into smaller pushes, "
                              "or ask the server's administrators.\n");
            status = LH_EXIT_POLICY;
        }
        lh_say(prefix, &msg);
        actx.incomplete = true;
        lh_cli_audit(&cli, have_res ? &res : NULL, LH_AUDIT_DEADLINE_EXCEEDED, &actx, status);
        rc = status;
        goto out;
    }
    if (res.incomplete || res.source_rc) {
        lh_buf_adds(&msg, "leakhound: push rejected: some pushed objects could not be read, so the "
                          "push could not be checked.\n");
        if (res.source_rc) {
            lh_text_escape(&msg, res.source_err, strlen(res.source_err));
            lh_buf_adds(&msg, "\n");
        }
        lh_say(prefix, &msg);
        lh_cli_audit(&cli, &res, LH_AUDIT_SCAN_INCOMPLETE, &actx, LH_EXIT_INCOMPLETE);
        rc = LH_EXIT_INCOMPLETE;
        goto out;
    }
    lh_cli_audit(&cli, &res, LH_AUDIT_PUSH_ACCEPTED, &actx, 0);
    rc = LH_EXIT_CLEAN;
out:
    free(arefs);
    free(inc);
    free(in);
    free(repo_path);
    lh_git_ref_updates_release(&ups);
    lh_buf_release(&msg);
    lh_gitcli_release(&cli, have_res ? &res : NULL, src, repo);
    return rc;
}
