/*
 * hash.h - SHA-256 (OpenSSL's libcrypto), CRC32 (zlib), and base62. Pure functions; thread-safe.
 */
#ifndef LH_UTIL_HASH_H
#define LH_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Writes the lowercase hex SHA-256 of the concatenation of parts into out (65 bytes with NUL). */
void lh_sha256_hex(char out[65], const void *const *parts, const size_t *lens, size_t n);

uint32_t lh_crc32(const void *data, size_t len);

/* Writes v in base62 (0-9A-Za-z), left-padded with '0' to width characters; out holds width+1. */
void lh_base62(char *out, uint64_t v, unsigned width);

#endif
