/*
 * stdin.c - a source of one chunk: a stream read to its end, bounded by max_size.
 */
#include "fs/fs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/limits.h"

#include <stdlib.h>
#include <string.h>

struct lh_stdin_source {
    struct lh_source base;
    struct lh_buf data;
    char *name;
    bool done;
};

static int lh_stdin_next(struct lh_source *src, unsigned w, struct lh_chunk *out)
{
    struct lh_stdin_source *s = (struct lh_stdin_source *)src;

    (void)w;
    if (s->done)
        return LH_ITEROVER;
    s->done = true;
    memset(out, 0, sizeof(*out));
    out->data = (const unsigned char *)(s->data.ptr ? s->data.ptr : "");
    out->len = s->data.len;
    out->path = s->name;
    out->kind = LH_SRC_STDIN;
    return 0;
}

static void lh_stdin_release(struct lh_source *src, unsigned w, struct lh_chunk *c)
{
    (void)src;
    (void)w;
    (void)c;
}

static void lh_stdin_free(struct lh_source *src)
{
    struct lh_stdin_source *s = (struct lh_stdin_source *)src;

    if (s == NULL)
        return;
    lh_buf_release(&s->data);
    free(s->name);
    free(s);
}

static const struct lh_source_ops lh_stdin_ops = {lh_stdin_next, lh_stdin_release, lh_stdin_free};

int lh_stdin_source_new(struct lh_source **out, FILE *in, const char *name, uint64_t max_size)
{
    struct lh_stdin_source *s = lh_calloc(1, sizeof(*s));
    char block[65536];
    size_t n;
    int rc = 0;

    *out = NULL;
    if (s == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    s->base.ops = &lh_stdin_ops;
    s->base.workers = 1;
    lh_buf_init(&s->data, max_size ? (size_t)max_size : LH_DEFAULT_MAX_FILE_SIZE);
    s->name = lh_strdup(name ? name : "<stdin>");
    if (s->name == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory");
        goto fail;
    }
    while ((n = fread(block, 1, sizeof(block), in)) > 0) {
        rc = lh_buf_add(&s->data, block, n);
        if (rc == LH_ELIMIT) {
            rc = lh_error_set(LH_ELIMIT, "%s: input is larger than the %zu-byte limit "
                              "(--max-file-size)", s->name, s->data.max);
            goto fail;
        }
        if (rc)
            goto fail;
    }
    if (ferror(in)) {
        rc = lh_error_set(LH_EIO, "%s: read error", s->name);
        goto fail;
    }
    *out = &s->base;
    return 0;
fail:
    lh_stdin_free(&s->base);
    return rc;
}
