/*
 * repo.c - opening repositories, the process-wide libgit2 options, revision resolution, the hooks
 * directory, and id syntax. Invariant: nothing here writes to a repository.
 */
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int lh_git__error(int code, const char *what)
{
    const git_error *e = git_error_last();

    return lh_error_set(code, "%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

int lh_git_init(void)
{
    /* see git.h: reading never runs repository-configured programs, so another user's repository
     * is safe to read; the writer (install) re-checks ownership itself */
    if (git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0) < 0)
        return lh_git__error(LH_EGIT, "disabling owner validation");
    /* objects are only read, and each is hashed again when git wrote it: verification doubles the
     * read cost of a history scan (measured, issue 6) */
    if (git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0) < 0)
        return lh_git__error(LH_EGIT, "disabling hash verification");
    /* trees and commits are revisited by provenance and merges; 256 MiB keeps them without letting
     * the cache grow with history length */
    if (git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)256 * 1024 * 1024) < 0)
        return lh_git__error(LH_EGIT, "setting the object cache size");
    return 0;
}

static int lh_git_open_handle(git_repository **out, const char *path, unsigned flags)
{
    unsigned gf = 0;
    int rc;

    if (!(flags & LH_GIT_OPEN_SEARCH))
        gf |= GIT_REPOSITORY_OPEN_NO_SEARCH;
    if (flags & LH_GIT_OPEN_FROM_ENV)
        gf |= GIT_REPOSITORY_OPEN_FROM_ENV;
    rc = git_repository_open_ext(out, path ? path : ".", gf, NULL);
    if (rc == GIT_ENOTFOUND)
        return lh_error_set(LH_ENOTFOUND, "%s: not a git repository", path ? path : ".");
    if (rc < 0)
        return lh_git__error(LH_EGIT, path ? path : ".");
    return 0;
}

int lh_git__reopen(const struct lh_git_repo *r, git_repository **out)
{
    return lh_git_open_handle(out, r->open_path, r->flags);
}

int lh_git_repo_open(struct lh_git_repo **out, const char *path, unsigned flags)
{
    struct lh_git_repo *r;
    const char *wd;
    int rc, prev = 0;

    *out = NULL;
    r = lh_calloc(1, sizeof(*r));
    if (r == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    r->flags = flags;
    if (flags & LH_GIT_OPEN_OWNER_CHECK) {
        git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &prev);
        git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 1);
    }
    rc = lh_git_open_handle(&r->repo, path, flags);
    if (flags & LH_GIT_OPEN_OWNER_CHECK)
        git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, prev);
    if (rc)
        goto fail;
    /* workers reopen the git directory itself: no search, same environment */
    r->open_path = lh_strdup(git_repository_path(r->repo));
    r->gitdir = lh_strdup(git_repository_path(r->repo));
    wd = git_repository_workdir(r->repo);
    if (wd)
        r->workdir = lh_strdup(wd);
    r->flags &= ~(unsigned)(LH_GIT_OPEN_SEARCH | LH_GIT_OPEN_OWNER_CHECK);
    if (r->open_path == NULL || r->gitdir == NULL || (wd && r->workdir == NULL)) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    *out = r;
    return 0;
fail:
    lh_git_repo_free(r);
    return rc;
}

void lh_git_repo_free(struct lh_git_repo *r)
{
    if (r == NULL)
        return;
    git_repository_free(r->repo);
    free(r->open_path);
    free(r->gitdir);
    free(r->workdir);
    free(r);
}

const char *lh_git_repo_gitdir(const struct lh_git_repo *r)
{
    return r->gitdir;
}

const char *lh_git_repo_workdir(const struct lh_git_repo *r)
{
    return r->workdir;
}

bool lh_git_repo_is_shallow(const struct lh_git_repo *r)
{
    return git_repository_is_shallow(r->repo) == 1;
}

int lh_git_resolve_commit(struct lh_git_repo *r, const char *rev, char out[LH_GIT_HEX_BUF])
{
    git_object *obj = NULL, *peeled = NULL;
    int rc;

    rc = git_revparse_single(&obj, r->repo, rev);
    if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS || rc == GIT_EINVALIDSPEC) {
        rc = lh_error_set(LH_ENOTFOUND, "%s: no such revision in this repository", rev);
        goto out;
    }
    if (rc < 0) {
        rc = lh_git__error(LH_ENOTFOUND, rev);
        goto out;
    }
    rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
    if (rc < 0) {
        rc = lh_git__error(LH_ENOTFOUND, rev);
        goto out;
    }
    git_oid_tostr(out, LH_GIT_HEX_BUF, git_object_id(peeled));
    rc = 0;
out:
    git_object_free(peeled);
    git_object_free(obj);
    return rc;
}

bool lh_git_has_object(struct lh_git_repo *r, const char *hex)
{
    git_odb *odb = NULL;
    git_oid id;
    bool yes = false;

    if (git_oid_fromstrp(&id, hex) < 0)
        return false;
    if (git_repository_odb(&odb, r->repo) < 0)
        return false;
    yes = git_odb_exists(odb, &id) == 1;
    git_odb_free(odb);
    return yes;
}

static bool lh_ref_exists(git_repository *repo, const char *name)
{
    git_reference *ref = NULL;
    bool yes = git_reference_lookup(&ref, repo, name) == 0;

    git_reference_free(ref);
    return yes;
}

int lh_git_default_branch(struct lh_git_repo *r, const char *remote, char *out, size_t out_len)
{
    char name[512];
    git_reference *ref = NULL;
    const char *cands[4];
    size_t i;

    if (remote == NULL)
        remote = "origin";
    snprintf(name, sizeof(name), "refs/remotes/%s/HEAD", remote);
    if (git_reference_lookup(&ref, r->repo, name) == 0) {
        if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC &&
            lh_ref_exists(r->repo, git_reference_symbolic_target(ref))) {
            snprintf(out, out_len, "%s", git_reference_symbolic_target(ref));
            git_reference_free(ref);
            return 0;
        }
        git_reference_free(ref);
    }
    cands[0] = "main";
    cands[1] = "master";
    for (i = 0; i < 2; i++) {
        snprintf(name, sizeof(name), "refs/remotes/%s/%s", remote, cands[i]);
        if (lh_ref_exists(r->repo, name)) {
            snprintf(out, out_len, "%s", name);
            return 0;
        }
    }
    for (i = 0; i < 2; i++) {
        snprintf(name, sizeof(name), "refs/heads/%s", cands[i]);
        if (lh_ref_exists(r->repo, name)) {
            snprintf(out, out_len, "%s", name);
            return 0;
        }
    }
    return lh_error_set(LH_ENOTFOUND, "cannot tell the default branch of remote '%s'", remote);
}

/* Reads core.hooksPath from one config file; 1 found, 0 not set, <0 error. */
static int lh_hooks_path_from_file(const char *file, char *out, size_t out_len)
{
    git_config *cfg = NULL;
    git_buf b = {0};
    int rc;

    if (git_config_open_ondisk(&cfg, file) < 0)
        return 0; /* no such file: not set */
    rc = git_config_get_string_buf(&b, cfg, "core.hooksPath");
    if (rc == 0) {
        snprintf(out, out_len, "%s", b.ptr);
        rc = 1;
    } else {
        rc = 0;
    }
    git_buf_dispose(&b);
    git_config_free(cfg);
    return rc;
}

/* git's global config file: $GIT_CONFIG_GLOBAL, else $XDG_CONFIG_HOME/git/config or ~/.gitconfig
 * (git reads both; ~/.gitconfig wins, which is what we report). */
static int lh_global_config_path(char *out, size_t out_len)
{
    const char *g = getenv("GIT_CONFIG_GLOBAL");
    const char *home = getenv("HOME");
    git_buf b = {0};

    if (g && g[0]) {
        snprintf(out, out_len, "%s", g);
        return 0;
    }
    if (git_config_find_global(&b) == 0) {
        snprintf(out, out_len, "%s", b.ptr);
        git_buf_dispose(&b);
        return 0;
    }
    git_buf_dispose(&b);
    if (home == NULL)
        return lh_error_set(LH_ENOTFOUND, "HOME is not set: cannot find the global git config");
    snprintf(out, out_len, "%s/.gitconfig", home);
    return 0;
}

/* Expands "~/" and makes a relative path absolute against base. */
static void lh_hooks_abs(char *out, size_t out_len, const char *v, const char *base)
{
    const char *home = getenv("HOME");
    size_t bl;

    if (v[0] == '~' && v[1] == '/' && home) {
        snprintf(out, out_len, "%s/%s", home, v + 2);
    } else if (v[0] == '/' || base == NULL) {
        snprintf(out, out_len, "%s", v);
    } else {
        bl = strlen(base);
        snprintf(out, out_len, "%s%s%s", base, bl && base[bl - 1] == '/' ? "" : "/", v);
    }
}

int lh_git_hooks_dir(struct lh_git_repo *r, bool global, char *out, size_t out_len, bool *shadowed)
{
    char gpath[4096], gval[4096], lval[4096], file[4096];
    int have_global, have_local = 0, rc;

    if (shadowed)
        *shadowed = false;
    rc = lh_global_config_path(gpath, sizeof(gpath));
    if (rc)
        return rc;
    have_global = lh_hooks_path_from_file(gpath, gval, sizeof(gval));
    if (global) {
        if (have_global != 1)
            return lh_error_set(LH_ENOTFOUND,
                                "core.hooksPath is not set in the global git config (%s)", gpath);
        lh_hooks_abs(out, out_len, gval, NULL);
        return 0;
    }
    if (r == NULL)
        return lh_error_set(LH_EINVALID, "no repository");
    snprintf(file, sizeof(file), "%sconfig", git_repository_commondir(r->repo));
    have_local = lh_hooks_path_from_file(file, lval, sizeof(lval));
    if (have_local == 1) {
        if (shadowed)
            *shadowed = have_global == 1;
        lh_hooks_abs(out, out_len, lval, r->workdir ? r->workdir : r->gitdir);
        return 0;
    }
    if (have_global == 1) {
        lh_hooks_abs(out, out_len, gval, r->workdir ? r->workdir : r->gitdir);
        return 0;
    }
    snprintf(out, out_len, "%shooks", git_repository_commondir(r->repo));
    return 0;
}

static bool lh_is_hex(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

bool lh_git_is_hex_id(const char *hex, size_t len)
{
    return (len == 40 || len == 64) && lh_is_hex(hex, len);
}

bool lh_git_is_zero_id(const char *hex, size_t len)
{
    size_t i;

    if (len != 40 && len != 64)
        return false;
    for (i = 0; i < len; i++)
        if (hex[i] != '0')
            return false;
    return true;
}

void lh_git__iso8601(char out[32], const git_time *t)
{
    time_t s = (time_t)t->time;
    struct tm tm;

    if (gmtime_r(&s, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}
