/*
 * provenance.c - which commit introduced a blob, computed only for the blobs a history scan found
 * something in.
 *
 * Every commit reachable from any ref (and HEAD) is listed by our own traversal (missing commits are
 * passed over, as in history.c), then visited oldest first by committer time, ties broken by id so
 * the answer never depends on anything but the repository. A commit's tree is compared with its
 * first parent's by entry id: identical subtrees are never opened, so the walk costs about what
 * listing each commit's changed paths costs. A wanted blob met at a path where the first parent
 * differs counts as introduced there unless another parent has it at that path (a clean merge
 * introduces nothing). The first hit per blob wins; the walk stops once every blob has an origin.
 *
 * While a history source is alive on the repository it already knows each blob's introducing commit
 * and path (history.c walks commits parents first, oldest first): those answers are taken from it,
 * and the walk above runs only for ids it does not list.
 */
#include "git/git_internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

struct lh_pcommit {
    git_oid id;
    int64_t time;
};

struct lh_prov {
    git_repository *repo;
    struct lh_oidmap want; /* blob id -> index into origins */
    struct lh_git_origin *origins;
    size_t remaining;
    git_commit *commit;
    git_tree **others; /* trees of parents 1.. */
    unsigned n_others;
};

static int lh_pc_cmp(const void *a, const void *b)
{
    const struct lh_pcommit *x = a, *y = b;

    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return memcmp(x->id.id, y->id.id, GIT_OID_RAWSZ);
}

int lh_git__origin_fill(struct lh_git_origin *o, const git_commit *c, const char *path)
{
    const git_signature *a = git_commit_author(c);
    char hex[LH_GIT_HEX_BUF], date[32];

    git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
    o->commit = lh_strdup(hex);
    o->path = lh_strdup(path);
    if (a) {
        lh_git__iso8601(date, &a->when);
        o->author = lh_strdup(a->name);
        o->author_email = lh_strdup(a->email);
        o->date = lh_strdup(date);
    }
    if (o->commit == NULL || o->path == NULL || (a && (!o->author || !o->author_email || !o->date)))
        return lh_error_set(LH_ENOMEM, "out of memory");
    return 0;
}

static int lh_prov_record(struct lh_prov *p, size_t idx, const char *path)
{
    int rc = lh_git__origin_fill(&p->origins[idx], p->commit, path);

    if (rc == 0)
        p->remaining--;
    return rc;
}

/* True when some other parent has blob id at path. */
static bool lh_other_parent_has(struct lh_prov *p, const char *path, const git_oid *id)
{
    unsigned k;

    for (k = 0; k < p->n_others; k++) {
        git_tree_entry *e = NULL;
        bool same = false;
        if (p->others[k] && git_tree_entry_bypath(&e, p->others[k], path) == 0)
            same = git_oid_equal(git_tree_entry_id(e), id) != 0;
        git_tree_entry_free(e);
        if (same)
            return true;
    }
    return false;
}

static int lh_prov_tree(struct lh_prov *p, git_tree *nt, git_tree *ot, struct lh_buf *path)
{
    size_t i, n = git_tree_entrycount(nt), plen = path->len;
    int rc = 0;

    for (i = 0; i < n && rc == 0 && p->remaining; i++) {
        const git_tree_entry *e = git_tree_entry_byindex(nt, i);
        const git_tree_entry *oe = ot ? git_tree_entry_byname(ot, git_tree_entry_name(e)) : NULL;
        git_filemode_t m = git_tree_entry_filemode(e);

        if (oe && git_oid_equal(git_tree_entry_id(oe), git_tree_entry_id(e)))
            continue;
        path->len = plen;
        if (plen)
            rc = lh_buf_addc(path, '/');
        if (rc == 0)
            rc = lh_buf_adds(path, git_tree_entry_name(e));
        if (rc)
            break;
        if (m == GIT_FILEMODE_TREE) {
            git_tree *sub = NULL, *osub = NULL;
            if (git_tree_lookup(&sub, p->repo, git_tree_entry_id(e)) < 0)
                continue; /* missing: a partial clone; nothing to attribute below it */
            if (oe && git_tree_entry_filemode(oe) == GIT_FILEMODE_TREE &&
                git_tree_lookup(&osub, p->repo, git_tree_entry_id(oe)) < 0)
                osub = NULL;
            rc = lh_prov_tree(p, sub, osub, path);
            git_tree_free(osub);
            git_tree_free(sub);
        } else if (m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE) {
            size_t *idx = lh_oidmap_ref(&p->want, git_tree_entry_id(e));
            if (idx && p->origins[*idx].commit == NULL &&
                !lh_other_parent_has(p, path->ptr, git_tree_entry_id(e)))
                rc = lh_prov_record(p, *idx, path->ptr);
        }
    }
    path->len = plen;
    if (path->ptr)
        path->ptr[plen] = '\0';
    return rc;
}

/* Lists every reachable commit with its committer time. */
static int lh_prov_list(git_repository *repo, struct lh_pcommit **out, size_t *n_out)
{
    struct lh_oidmap seen;
    git_oid *stack = NULL;
    size_t n = 0, cap = 0, nc = 0, capc = 0;
    struct lh_pcommit *cs = NULL;
    git_reference_iterator *it = NULL;
    git_reference *ref = NULL;
    git_object *obj = NULL;
    int rc = 0;

    lh_oidmap_init(&seen);
    if (git_reference_iterator_new(&it, repo) < 0) {
        rc = lh_git__error(LH_EGIT, "listing refs");
        goto out;
    }
    if (git_revparse_single(&obj, repo, "HEAD^{commit}") == 0) {
        if (lh_array_grow((void **)&stack, &cap, n + 1, sizeof(*stack)) == 0)
            stack[n++] = *git_object_id(obj);
        git_object_free(obj);
        obj = NULL;
    }
    while (git_reference_next(&ref, it) == 0) {
        git_object *peeled = NULL;
        if (git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
            git_object_lookup(&obj, repo, git_reference_target(ref), GIT_OBJECT_ANY) == 0 &&
            git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) == 0) {
            if (lh_array_grow((void **)&stack, &cap, n + 1, sizeof(*stack))) {
                rc = lh_error_set(LH_ENOMEM, "out of memory");
            } else {
                stack[n++] = *git_object_id(peeled);
            }
        }
        git_object_free(peeled);
        git_object_free(obj);
        obj = NULL;
        git_reference_free(ref);
        ref = NULL;
        if (rc)
            goto out;
    }
    while (n > 0) {
        git_oid id = stack[--n];
        git_commit *c = NULL;
        unsigned k;
        bool add;

        rc = lh_oidmap_put(&seen, &id, 0, &add, NULL);
        if (rc)
            goto out;
        if (!add || git_commit_lookup(&c, repo, &id) < 0)
            continue;
        if (lh_array_grow((void **)&cs, &capc, nc + 1, sizeof(*cs))) {
            git_commit_free(c);
            rc = lh_error_set(LH_ENOMEM, "out of memory");
            goto out;
        }
        cs[nc].id = id;
        cs[nc].time = git_commit_time(c);
        nc++;
        for (k = 0; k < git_commit_parentcount(c); k++) {
            const git_oid *pid = git_commit_parent_id(c, k);
            if (lh_oidmap_ref(&seen, pid))
                continue;
            if (lh_array_grow((void **)&stack, &cap, n + 1, sizeof(*stack))) {
                git_commit_free(c);
                rc = lh_error_set(LH_ENOMEM, "out of memory");
                goto out;
            }
            stack[n++] = *pid;
        }
        git_commit_free(c);
    }
    if (nc > 1)
        qsort(cs, nc, sizeof(*cs), lh_pc_cmp);
    *out = cs;
    *n_out = nc;
    cs = NULL;
out:
    free(cs);
    free(stack);
    git_reference_free(ref);
    git_reference_iterator_free(it);
    lh_oidmap_release(&seen);
    return rc;
}

void lh_git_origins_free(struct lh_git_origin *o, size_t n)
{
    size_t i;

    if (o == NULL)
        return;
    for (i = 0; i < n; i++) {
        free(o[i].commit);
        free(o[i].path);
        free(o[i].author);
        free(o[i].author_email);
        free(o[i].date);
    }
    free(o);
}

int lh_git_provenance(struct lh_git_origin **out, struct lh_git_repo *repo,
                      const char *const *blob_ids, size_t n)
{
    struct lh_prov p;
    struct lh_pcommit *cs = NULL;
    struct lh_buf path;
    size_t nc = 0, i;
    int rc = 0;

    *out = NULL;
    memset(&p, 0, sizeof(p));
    p.repo = repo->repo;
    lh_oidmap_init(&p.want);
    lh_buf_init(&path, 64 * 1024);
    p.origins = lh_calloc(n ? n : 1, sizeof(*p.origins));
    if (p.origins == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        git_oid id;
        bool add;
        if (git_oid_fromstrp(&id, blob_ids[i]) < 0) {
            rc = lh_error_set(LH_EINVALID, "%s: not an object id", blob_ids[i]);
            goto out;
        }
        rc = lh_oidmap_put(&p.want, &id, i, &add, NULL);
        if (rc)
            goto out;
        if (add)
            p.remaining++;
    }
    if (p.remaining && repo->history) {
        /* the history source met every blob it lists under its introducing commit */
        size_t resolved = 0;
        rc = lh_git__history_origins(repo, &p.want, p.origins, &resolved);
        if (rc)
            goto out;
        p.remaining -= resolved < p.remaining ? resolved : p.remaining;
    }
    if (p.remaining == 0)
        goto done;
    rc = lh_prov_list(repo->repo, &cs, &nc);
    if (rc)
        goto out;
    for (i = 0; i < nc && p.remaining && rc == 0; i++) {
        git_tree *tree = NULL, *ptree = NULL;
        git_commit *parent = NULL;
        unsigned np, k;

        if (git_commit_lookup(&p.commit, repo->repo, &cs[i].id) < 0)
            continue;
        np = git_commit_parentcount(p.commit);
        if (git_commit_tree(&tree, p.commit) < 0)
            goto next;
        if (np > 0 && git_commit_parent(&parent, p.commit, 0) == 0) {
            if (git_commit_tree(&ptree, parent) < 0)
                ptree = NULL;
            git_commit_free(parent);
            parent = NULL;
        }
        if (np > 1) {
            p.others = lh_calloc(np - 1, sizeof(*p.others));
            if (p.others == NULL) {
                rc = lh_error_set(LH_ENOMEM, "out of memory");
                goto next;
            }
            p.n_others = np - 1;
            for (k = 1; k < np; k++) {
                if (git_commit_parent(&parent, p.commit, k) == 0) {
                    if (git_commit_tree(&p.others[k - 1], parent) < 0)
                        p.others[k - 1] = NULL;
                    git_commit_free(parent);
                    parent = NULL;
                }
            }
        }
        lh_buf_reset(&path);
        path.len = 0;
        rc = lh_prov_tree(&p, tree, ptree, &path);
    next:
        if (p.others) {
            for (k = 0; k < p.n_others; k++)
                git_tree_free(p.others[k]);
            free(p.others);
            p.others = NULL;
            p.n_others = 0;
        }
        git_tree_free(ptree);
        git_tree_free(tree);
        git_commit_free(p.commit);
        p.commit = NULL;
    }
    if (rc)
        goto out;
done:
    /* a blob asked for twice gets the same answer in both slots */
    for (i = 0; i < n; i++) {
        git_oid id;
        size_t first;
        if (p.origins[i].commit || git_oid_fromstrp(&id, blob_ids[i]) < 0 ||
            !lh_oidmap_get(&p.want, &id, &first) || first == i || p.origins[first].commit == NULL)
            continue;
        p.origins[i].commit = lh_strdup(p.origins[first].commit);
        p.origins[i].path = lh_strdup(p.origins[first].path);
        p.origins[i].author = p.origins[first].author ? lh_strdup(p.origins[first].author) : NULL;
        p.origins[i].author_email =
            p.origins[first].author_email ? lh_strdup(p.origins[first].author_email) : NULL;
        p.origins[i].date = p.origins[first].date ? lh_strdup(p.origins[first].date) : NULL;
    }
    *out = p.origins;
    p.origins = NULL;
out:
    lh_git_origins_free(p.origins, n);
    free(cs);
    lh_buf_release(&path);
    lh_oidmap_release(&p.want);
    return rc;
}
