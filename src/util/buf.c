/*
 * buf.c - bounded buffer. Growth doubles; the cap is checked before any allocation.
 */
#include "util/buf.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lh_buf_init(struct lh_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void lh_buf_release(struct lh_buf *b)
{
    free(b->ptr);
    lh_buf_init(b, b->max);
}

void lh_buf_reset(struct lh_buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

static int lh_buf_reserve(struct lh_buf *b, size_t extra)
{
    size_t need, ncap;
    char *p;

    if (extra > b->max || b->len > b->max - extra)
        return lh_error_set(LH_ELIMIT, "buffer limit of %zu bytes reached", b->max);
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap *= 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    p = lh_realloc(b->ptr, ncap);
    if (p == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    b->ptr = p;
    b->cap = ncap;
    return 0;
}

int lh_buf_add(struct lh_buf *b, const void *data, size_t len)
{
    int rc = lh_buf_reserve(b, len);

    if (rc)
        return rc;
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

int lh_buf_adds(struct lh_buf *b, const char *s)
{
    return lh_buf_add(b, s, strlen(s));
}

int lh_buf_addc(struct lh_buf *b, char c)
{
    return lh_buf_add(b, &c, 1);
}

int lh_buf_vaddf(struct lh_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n, rc;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return lh_error_set(LH_EINVALID, "bad format");
    rc = lh_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int lh_buf_addf(struct lh_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = lh_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int lh_buf_detach(struct lh_buf *b, char **out, size_t *out_len)
{
    if (b->ptr == NULL) {
        int rc = lh_buf_reserve(b, 0);
        if (rc)
            return rc;
        b->ptr[0] = '\0';
    }
    *out = b->ptr;
    if (out_len)
        *out_len = b->len;
    lh_buf_init(b, b->max);
    return 0;
}
