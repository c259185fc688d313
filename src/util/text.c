/*
 * text.c - escaping and line mapping. The UTF-8 decoder follows RFC 3629 (no overlongs, no
 * surrogates, nothing above U+10FFFF); every loop is bounded by the input length.
 */
#include "util/text.h"

#include <math.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is invalid. */
static size_t lh_utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t need, i;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (i = 1; i < need; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    if (cp >= 0x80 && cp <= 0x9f)
        return 0; /* C1 controls: treat as invalid so they are escaped too */
    return need;
}

int lh_text_escape(struct lh_buf *b, const void *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = data;
    size_t i = 0;
    int rc = 0;

    while (i < len && rc == 0) {
        unsigned char c = p[i];
        size_t n;
        char esc[4];

        if (c == '\n') {
            rc = lh_buf_add(b, "\\n", 2);
            i++;
            continue;
        }
        if (c == '\r') {
            rc = lh_buf_add(b, "\\r", 2);
            i++;
            continue;
        }
        if (c == '\t') {
            rc = lh_buf_add(b, "\\t", 2);
            i++;
            continue;
        }
        if (c == '\\') {
            rc = lh_buf_add(b, "\\\\", 2);
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            n = 0;
        } else {
            n = lh_utf8_seq(p + i, len - i);
        }
        if (n == 0) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[c >> 4];
            esc[3] = hex[c & 15];
            rc = lh_buf_add(b, esc, 4);
            i++;
            continue;
        }
        rc = lh_buf_add(b, p + i, n);
        i += n;
    }
    return rc;
}

int lh_text_utf8(struct lh_buf *b, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0, start = 0;
    int rc = 0;

    while (i < len && rc == 0) {
        size_t n = p[i] < 0x80 ? 1 : lh_utf8_seq(p + i, len - i);
        if (n == 0) {
            /* C1 controls are valid UTF-8 when encoded as two bytes; lh_utf8_seq rejects them only
             * for terminal use, so accept a well-formed 0xc2 0x80..0x9f here */
            if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
                i += 2;
                continue;
            }
            rc = lh_buf_add(b, p + start, i - start);
            if (rc == 0)
                rc = lh_buf_add(b, "\xef\xbf\xbd", 3);
            i++;
            start = i;
            continue;
        }
        i += n;
    }
    if (rc == 0)
        rc = lh_buf_add(b, p + start, len - start);
    return rc;
}

int lh_text_is_utf8(const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;

    while (i < len) {
        size_t n = p[i] < 0x80 ? 1 : lh_utf8_seq(p + i, len - i);
        if (n == 0) {
            if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
                i += 2;
                continue;
            }
            return 0;
        }
        i += n;
    }
    return 1;
}

double lh_entropy(const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t counts[256];
    double h = 0.0;
    size_t i;

    if (len == 0)
        return 0.0;
    memset(counts, 0, sizeof(counts));
    for (i = 0; i < len; i++)
        counts[p[i]]++;
    for (i = 0; i < 256; i++) {
        if (counts[i]) {
            double f = (double)counts[i] / (double)len;
            h -= f * log2(f);
        }
    }
    return h;
}

void lh_lineidx_init(struct lh_lineidx *li, const void *data, size_t len)
{
    li->data = data;
    li->len = len;
    li->pos = 0;
    li->line = 1;
    li->bol = 0;
}

void lh_lineidx_map(struct lh_lineidx *li, size_t off, uint32_t *line, uint32_t *col)
{
    const unsigned char *nl;

    if (off > li->len)
        off = li->len;
    if (off < li->pos)
        lh_lineidx_init(li, li->data, li->len);
    /* memchr keeps the walk fast on long inputs; each byte is visited once per forward run */
    while (li->pos < off) {
        nl = memchr(li->data + li->pos, '\n', off - li->pos);
        if (nl == NULL) {
            li->pos = off;
            break;
        }
        li->line++;
        li->pos = (size_t)(nl - li->data) + 1;
        li->bol = li->pos;
    }
    *line = li->line;
    *col = (uint32_t)(off - li->bol + 1);
}

void lh_text_linecol(const void *data, size_t len, size_t off, uint32_t *line, uint32_t *col)
{
    struct lh_lineidx li;

    lh_lineidx_init(&li, data, len);
    lh_lineidx_map(&li, off, line, col);
}
