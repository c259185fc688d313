/*
 * alloc.h - the allocator every module uses, with a fail-the-Nth hook for allocation-failure sweeps.
 *
 * lh_malloc/lh_calloc/lh_realloc/lh_strdup/lh_memdup behave like their libc namesakes, except that
 * when a failure point is armed with lh_alloc_fail_at(n), the n-th call from then on (1-based, counted
 * across threads) returns NULL, and so does every later one until lh_alloc_fail_at(0) disarms it.
 * Memory is released with free(). Thread-safe.
 */
#ifndef LH_UTIL_ALLOC_H
#define LH_UTIL_ALLOC_H

#include <stddef.h>

void *lh_malloc(size_t size);
void *lh_calloc(size_t n, size_t size);
void *lh_realloc(void *p, size_t size);
char *lh_strdup(const char *s);
char *lh_strndup(const char *s, size_t n);
void *lh_memdup(const void *p, size_t n);

/* Arms (n > 0) or disarms (n == 0) the failure point. */
void lh_alloc_fail_at(unsigned long n);
/* How many allocations were made since the last lh_alloc_fail_at(). */
unsigned long lh_alloc_count(void);

/* Grows *items (of elem-byte elements, capacity *cap) to hold at least need elements, doubling.
 * Returns 0 or LH_ENOMEM; on failure *items and *cap are unchanged. */
int lh_array_grow(void **items, size_t *cap, size_t need, size_t elem);

#endif
