/*
 * walk.c - the directory source. The walk happens up front (sorted, so output order never depends
 * on readdir order); files are read lazily by the workers. Recursion depth is bounded by an explicit
 * stack, so a deeply nested tree cannot exhaust the C stack.
 */
#include "fs/fs.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lh_fs_worker {
    unsigned char *buf;
    size_t cap;
};

struct lh_fs_skip {
    char *path;
    enum lh_skip_reason why;
};

struct lh_fs_source {
    struct lh_source base;
    /* skips seen during the walk, before a consumer installed its on_skip: reported by the first
     * next() call, so a symlink or unreadable directory is always counted */
    struct lh_fs_skip *pending;
    size_t n_pending, cap_pending;
    atomic_flag pending_done;
    char **files;
    size_t n_files, cap_files;
    atomic_size_t next;
    uint64_t max_size;
    bool scan_binary;
    struct lh_fs_worker *workers;
};

static void lh_fs_walk_skip(struct lh_fs_source *s, const char *path, enum lh_skip_reason why)
{
    char *p;

    if (s->base.on_skip) {
        lh_source_skip(&s->base, path, why);
        return;
    }
    /* best effort: a skip we cannot record for lack of memory is still a skip */
    if (lh_array_grow((void **)&s->pending, &s->cap_pending, s->n_pending + 1,
                      sizeof(*s->pending)))
        return;
    p = lh_strdup(path);
    if (p == NULL)
        return;
    s->pending[s->n_pending].path = p;
    s->pending[s->n_pending].why = why;
    s->n_pending++;
}

static int lh_fs_add(struct lh_fs_source *s, const char *path)
{
    char *p;
    int rc = lh_array_grow((void **)&s->files, &s->cap_files, s->n_files + 1, sizeof(char *));

    if (rc)
        return rc;
    p = lh_strdup(path);
    if (p == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    s->files[s->n_files++] = p;
    return 0;
}

static char *lh_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = lh_malloc(a + b + 2);

    if (p == NULL)
        return NULL;
    memcpy(p, dir, a);
    if (a > 0 && dir[a - 1] != '/')
        p[a++] = '/';
    memcpy(p + a, name, b + 1);
    return p;
}

/* Walks dir with an explicit stack of directory paths. */
static int lh_fs_walk(struct lh_fs_source *s, const char *root)
{
    char **stack = NULL;
    size_t n = 0, cap = 0;
    int rc;

    rc = lh_array_grow((void **)&stack, &cap, 1, sizeof(char *));
    if (rc)
        return rc;
    stack[n] = lh_strdup(root);
    if (stack[n] == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto out;
    }
    n++;
    while (n > 0) {
        char *dir = stack[--n];
        DIR *d = opendir(dir);
        struct dirent *de;

        if (d == NULL) {
            lh_fs_walk_skip(s, dir, LH_SKIP_UNREADABLE);
            free(dir);
            continue;
        }
        while ((de = readdir(d)) != NULL) {
            struct stat st;
            char *p;

            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            p = lh_path_join(dir, de->d_name);
            if (p == NULL) {
                rc = lh_error_set(LH_ENOMEM, "out of memory");
                closedir(d);
                free(dir);
                goto out;
            }
            if (lstat(p, &st) != 0) {
                lh_fs_walk_skip(s, p, LH_SKIP_UNREADABLE);
                free(p);
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                if (strcmp(de->d_name, ".git") == 0) {
                    free(p);
                    continue;
                }
                rc = lh_array_grow((void **)&stack, &cap, n + 1, sizeof(char *));
                if (rc) {
                    free(p);
                    closedir(d);
                    free(dir);
                    goto out;
                }
                stack[n++] = p;
                continue;
            }
            if (S_ISLNK(st.st_mode))
                lh_fs_walk_skip(s, p, LH_SKIP_SYMLINK);
            else if (S_ISREG(st.st_mode))
                rc = lh_fs_add(s, p);
            free(p);
            if (rc) {
                closedir(d);
                free(dir);
                goto out;
            }
        }
        closedir(d);
        free(dir);
    }
out:
    while (n > 0)
        free(stack[--n]);
    free(stack);
    return rc;
}

static int lh_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the whole file at path into the worker's buffer. */
static int lh_fs_read(struct lh_fs_source *s, struct lh_fs_worker *w, const char *path,
                      size_t *len, enum lh_skip_reason *why)
{
    struct stat st;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int rc = 0;

    *why = LH_SKIP_UNREADABLE;
    if (fd < 0)
        return LH_EIO;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = LH_EIO;
        goto out;
    }
    if ((uint64_t)st.st_size > s->max_size) {
        *why = LH_SKIP_TOO_LARGE;
        rc = LH_ELIMIT;
        goto out;
    }
    if (w->cap < (size_t)st.st_size + 1) {
        unsigned char *nb = lh_realloc(w->buf, (size_t)st.st_size + 1);
        if (nb == NULL) {
            rc = lh_error_set(LH_ENOMEM, "out of memory reading %s", path);
            goto out;
        }
        w->buf = nb;
        w->cap = (size_t)st.st_size + 1;
    }
    /* the file may change under us: read at most what we sized for */
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, w->buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    *len = got;
out:
    close(fd);
    return rc;
}

static int lh_fs_next(struct lh_source *src, unsigned wi, struct lh_chunk *out)
{
    struct lh_fs_source *s = (struct lh_fs_source *)src;
    struct lh_fs_worker *w = &s->workers[wi];
    size_t k;

    if (!atomic_flag_test_and_set(&s->pending_done))
        for (k = 0; k < s->n_pending; k++)
            lh_source_skip(src, s->pending[k].path, s->pending[k].why);
    for (;;) {
        size_t i = atomic_fetch_add(&s->next, 1);
        enum lh_skip_reason why;
        size_t len = 0;
        int rc;

        if (i >= s->n_files)
            return LH_ITEROVER;
        rc = lh_fs_read(s, w, s->files[i], &len, &why);
        if (rc == LH_ENOMEM)
            return rc;
        if (rc) {
            lh_source_skip(src, s->files[i], why);
            continue;
        }
        if (!s->scan_binary && lh_is_binary(w->buf, len)) {
            lh_source_skip(src, s->files[i], LH_SKIP_BINARY);
            continue;
        }
        memset(out, 0, sizeof(*out));
        out->data = w->buf;
        out->len = len;
        out->path = s->files[i];
        out->kind = LH_SRC_FILE;
        return 0;
    }
}

static void lh_fs_release(struct lh_source *src, unsigned w, struct lh_chunk *c)
{
    (void)src;
    (void)w;
    (void)c; /* the worker's buffer is reused by its next read */
}

static void lh_fs_free(struct lh_source *src)
{
    struct lh_fs_source *s = (struct lh_fs_source *)src;
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->files);
    for (i = 0; i < s->n_pending; i++)
        free(s->pending[i].path);
    free(s->pending);
    if (s->workers)
        for (i = 0; i < s->base.workers; i++)
            free(s->workers[i].buf);
    free(s->workers);
    free(s);
}

static const struct lh_source_ops lh_fs_ops = {lh_fs_next, lh_fs_release, lh_fs_free};

int lh_fs_source_new(struct lh_source **out, const char *const *paths, size_t n,
                     const struct lh_fs_opts *opts)
{
    struct lh_fs_source *s = lh_calloc(1, sizeof(*s));
    unsigned workers = opts && opts->workers ? opts->workers : 1;
    size_t i;
    int rc = 0;

    *out = NULL;
    if (s == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    s->base.ops = &lh_fs_ops;
    s->base.workers = workers;
    s->base.on_skip = opts ? opts->on_skip : NULL;
    s->base.skip_payload = opts ? opts->skip_payload : NULL;
    s->max_size = opts && opts->max_size ? opts->max_size : LH_DEFAULT_MAX_FILE_SIZE;
    s->scan_binary = opts && opts->scan_binary;
    s->workers = lh_calloc(workers, sizeof(*s->workers));
    if (s->workers == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < n; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            rc = lh_error_set(LH_ENOTFOUND, "%s: %s", paths[i], strerror(errno));
            goto fail;
        }
        if (S_ISDIR(st.st_mode))
            rc = lh_fs_walk(s, paths[i]);
        else
            rc = lh_fs_add(s, paths[i]);
        if (rc)
            goto fail;
    }
    if (s->n_files > 1)
        qsort(s->files, s->n_files, sizeof(char *), lh_cmp_str);
    atomic_init(&s->next, 0);
    atomic_flag_clear(&s->pending_done);
    *out = &s->base;
    return 0;
fail:
    lh_fs_free(&s->base);
    return rc;
}

size_t lh_fs_source_count(const struct lh_source *src)
{
    return ((const struct lh_fs_source *)src)->n_files;
}
