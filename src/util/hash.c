/*
 * hash.c - thin wrappers over libcrypto and zlib, so the rest of the tree names no third-party hash.
 */
#include "util/hash.h"

#include <openssl/evp.h>
#include <zlib.h>

void lh_sha256_hex(char out[65], const void *const *parts, const size_t *lens, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t i;

    out[0] = '\0';
    if (ctx == NULL)
        return;
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    for (i = 0; i < n; i++)
        if (EVP_DigestUpdate(ctx, parts[i], lens[i]) != 1)
            goto out;
    if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
        goto out;
    for (i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
out:
    EVP_MD_CTX_free(ctx);
}

uint32_t lh_crc32(const void *data, size_t len)
{
    uLong c = crc32(0L, Z_NULL, 0);

    /* zlib takes uInt lengths; feed large inputs in pieces */
    while (len > 0) {
        uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
        c = crc32(c, data, n);
        data = (const unsigned char *)data + n;
        len -= n;
    }
    return (uint32_t)c;
}

void lh_base62(char *out, uint64_t v, unsigned width)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    unsigned i;

    for (i = width; i > 0; i--) {
        out[i - 1] = digits[v % 62];
        v /= 62;
    }
    out[width] = '\0';
}
