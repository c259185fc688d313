/*
 * text.h - making untrusted bytes safe to show: terminal escaping, JSON-safe UTF-8, line/column
 * mapping. Pure functions; thread-safe.
 */
#ifndef LH_UTIL_TEXT_H
#define LH_UTIL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Appends data to b with every control character (C0, DEL, C1 as bytes 0x80-0x9f are not touched:
 * they are UTF-8 continuation bytes) and every byte of invalid UTF-8 escaped as \xNN, and \n \r \t
 * as \n \r \t. The result is printable on a terminal and cannot move the cursor or set colours. */
int lh_text_escape(struct lh_buf *b, const void *data, size_t len);

/* Appends data to b as valid UTF-8: invalid sequences become U+FFFD. For JSON strings. */
int lh_text_utf8(struct lh_buf *b, const void *data, size_t len);

/* True when data is valid UTF-8. */
int lh_text_is_utf8(const void *data, size_t len);

/* Shannon entropy of data in bits per byte. */
double lh_entropy(const void *data, size_t len);

/* Line (1-based) and column (1-based, in bytes) of byte offset off in data. A "\r\n" ends a line
 * like "\n"; a lone "\r" does not. Linear in off: callers that map many offsets use lh_lineidx. */
void lh_text_linecol(const void *data, size_t len, size_t off, uint32_t *line, uint32_t *col);

/* Incremental mapper for increasing offsets into one buffer. Held by value. */
struct lh_lineidx {
    const unsigned char *data;
    size_t len;
    size_t pos;    /* offsets before pos are mapped */
    uint32_t line; /* line at pos */
    size_t bol;    /* offset where that line begins */
};

void lh_lineidx_init(struct lh_lineidx *li, const void *data, size_t len);
/* Maps off; offsets may go backwards (the mapper restarts then). */
void lh_lineidx_map(struct lh_lineidx *li, size_t off, uint32_t *line, uint32_t *col);

#endif
