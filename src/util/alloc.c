/*
 * alloc.c - allocation wrappers with an armed failure point (curl's torture mode, jq's
 * inject_errors). The counter is atomic so that sweeps also cover code running on workers.
 */
#include "util/alloc.h"
#include "util/error.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_ulong lh_fail_at;
static atomic_ulong lh_count;

static int lh_alloc_should_fail(void)
{
    unsigned long n = atomic_fetch_add(&lh_count, 1) + 1;
    unsigned long at = atomic_load(&lh_fail_at);

    return at != 0 && n >= at;
}

void lh_alloc_fail_at(unsigned long n)
{
    atomic_store(&lh_count, 0);
    atomic_store(&lh_fail_at, n);
}

unsigned long lh_alloc_count(void)
{
    return atomic_load(&lh_count);
}

void *lh_malloc(size_t size)
{
    if (lh_alloc_should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *lh_calloc(size_t n, size_t size)
{
    if (lh_alloc_should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *lh_realloc(void *p, size_t size)
{
    if (lh_alloc_should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void *lh_memdup(const void *p, size_t n)
{
    char *out = lh_malloc(n + 1);

    if (out == NULL)
        return NULL;
    if (n)
        memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

char *lh_strndup(const char *s, size_t n)
{
    return lh_memdup(s, n);
}

char *lh_strdup(const char *s)
{
    return s ? lh_memdup(s, strlen(s)) : NULL;
}

int lh_array_grow(void **items, size_t *cap, size_t need, size_t elem)
{
    size_t ncap = *cap ? *cap : 8;
    void *p;

    if (need <= *cap)
        return 0;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return lh_error_set(LH_ENOMEM, "array too large");
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return lh_error_set(LH_ENOMEM, "array too large");
    p = lh_realloc(*items, ncap * elem);
    if (p == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    *items = p;
    *cap = ncap;
    return 0;
}
