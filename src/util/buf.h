/*
 * buf.h - a bounded, growable byte buffer (curl's dynbuf). Held by value: lh_buf_init() /
 * lh_buf_release(). Contents are always NUL-terminated after a successful add, so a buffer of text
 * can be used as a C string; binary contents are (ptr, len). Adding past max returns LH_ELIMIT and
 * leaves the buffer as it was. Not thread-safe: one owner.
 */
#ifndef LH_UTIL_BUF_H
#define LH_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct lh_buf {
    char *ptr;
    size_t len;
    size_t cap;
    size_t max; /* the most bytes it may hold, excluding the terminator */
};

void lh_buf_init(struct lh_buf *b, size_t max);
void lh_buf_release(struct lh_buf *b);
void lh_buf_reset(struct lh_buf *b);
int lh_buf_add(struct lh_buf *b, const void *data, size_t len);
int lh_buf_adds(struct lh_buf *b, const char *s);
int lh_buf_addc(struct lh_buf *b, char c);
int lh_buf_addf(struct lh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int lh_buf_vaddf(struct lh_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Hands the contents to the caller (free() them) and resets the buffer. Never NULL on success. */
int lh_buf_detach(struct lh_buf *b, char **out, size_t *out_len);

#endif
