/*
 * refs.c - parsers for what git writes to the stdin of pre-receive ("<old> <new> <ref>") and
 * pre-push ("<local ref> <local id> <remote ref> <remote id>"). Pure functions over bytes, no
 * repository: they are unit-tested and fuzzed. A ref name is any run of bytes without space or
 * newline (git forbids both in ref names); ids are 40 or 64 hex digits. A trailing "\r" is
 * tolerated (hooks driven by hand on some systems).
 */
#include "git/git.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

void lh_git_ref_updates_release(struct lh_git_ref_updates *u)
{
    size_t i;

    for (i = 0; i < u->len; i++) {
        free(u->items[i].ref);
        free(u->items[i].local_ref);
    }
    free(u->items);
    u->items = NULL;
    u->len = u->cap = 0;
}

/* Splits line[0..len) at single spaces into at most max fields; returns the count, or -1 when
 * there are more fields or an empty one. */
static int lh_fields(const char *line, size_t len, const char **f, size_t *fl, int max)
{
    int n = 0;
    size_t i = 0, start = 0;

    for (i = 0; i <= len; i++) {
        if (i == len || line[i] == ' ') {
            if (i == start || n == max)
                return -1;
            f[n] = line + start;
            fl[n] = i - start;
            n++;
            start = i + 1;
        }
    }
    return n;
}

static int lh_copy_id(char out[LH_GIT_HEX_BUF], const char *s, size_t len)
{
    size_t i;

    if (!lh_git_is_hex_id(s, len))
        return -1;
    for (i = 0; i < len; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 'a' : s[i]);
    out[len] = '\0';
    return 0;
}

static bool lh_ref_ok(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return len > 0;
}

static int lh_parse_lines(struct lh_git_ref_updates *out, const void *data, size_t len,
                          size_t max_lines, bool push)
{
    const char *p = data, *end = p + len;
    size_t lineno = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *f[4];
        size_t fl[4];
        struct lh_git_ref_update u;
        int nf;

        lineno++;
        if (ll && p[ll - 1] == '\r')
            ll--;
        if (ll == 0)
            goto next;
        if (max_lines && out->len >= max_lines)
            return lh_error_set(LH_ELIMIT, "more than %zu ref updates", max_lines);
        memset(&u, 0, sizeof(u));
        nf = lh_fields(p, ll, f, fl, push ? 4 : 3);
        if (nf != (push ? 4 : 3))
            return lh_error_set(LH_EINVALID, "line %zu: expected %s", lineno,
                                push ? "'<local ref> <local id> <remote ref> <remote id>'"
                                     : "'<old id> <new id> <ref>'");
        if (push) {
            if (lh_copy_id(u.new_id, f[1], fl[1]) || lh_copy_id(u.old_id, f[3], fl[3]))
                return lh_error_set(LH_EINVALID, "line %zu: an object id is not 40 or 64 hex digits",
                                    lineno);
            if (!lh_ref_ok(f[0], fl[0]) || !lh_ref_ok(f[2], fl[2]))
                return lh_error_set(LH_EINVALID, "line %zu: a ref name holds control characters",
                                    lineno);
            u.local_ref = lh_strndup(f[0], fl[0]);
            u.ref = lh_strndup(f[2], fl[2]);
        } else {
            if (lh_copy_id(u.old_id, f[0], fl[0]) || lh_copy_id(u.new_id, f[1], fl[1]))
                return lh_error_set(LH_EINVALID, "line %zu: an object id is not 40 or 64 hex digits",
                                    lineno);
            if (!lh_ref_ok(f[2], fl[2]))
                return lh_error_set(LH_EINVALID, "line %zu: the ref name holds control characters",
                                    lineno);
            u.ref = lh_strndup(f[2], fl[2]);
        }
        if (strlen(u.old_id) != strlen(u.new_id)) {
            free(u.ref);
            free(u.local_ref);
            return lh_error_set(LH_EINVALID, "line %zu: ids of different lengths", lineno);
        }
        if (u.ref == NULL || (push && u.local_ref == NULL) ||
            lh_array_grow((void **)&out->items, &out->cap, out->len + 1, sizeof(*out->items))) {
            free(u.ref);
            free(u.local_ref);
            return lh_error_set(LH_ENOMEM, "out of memory");
        }
        out->items[out->len++] = u;
    next:
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return 0;
}

int lh_git_parse_ref_updates(struct lh_git_ref_updates *out, const void *data, size_t len,
                             size_t max_lines)
{
    return lh_parse_lines(out, data, len, max_lines, false);
}

int lh_git_parse_push_updates(struct lh_git_ref_updates *out, const void *data, size_t len,
                              size_t max_lines)
{
    return lh_parse_lines(out, data, len, max_lines, true);
}
