/*
 * fuzz_baseline.c - the baseline loader (lh_baseline_load_buffer) over arbitrary bytes, and a round
 * trip: whatever loads is sorted, rendered, and the rendering loaded again.
 *
 * A baseline file is read from the repository under scan (`baseline:` in .leakhound.yml), so its
 * bytes are as untrusted as the push. Invariants checked: no crash, leak or read past len; a
 * failure has a message; every entry has a 64-digit lowercase hex fingerprint and a rule, and a
 * pinned one a path; the rendered file loads back with the same number of entries, and each entry's
 * fingerprint matches itself.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/baseline.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/limits.h"

static void check(const struct lh_baseline *b)
{
    size_t i, j, n = lh_baseline_count(b);

    for (i = 0; i < n; i++) {
        const struct lh_baseline_entry *e = lh_baseline_get(b, i);

        if (e == NULL || strlen(e->fingerprint) != 64)
            abort();
        for (j = 0; j < 64; j++)
            if (!((e->fingerprint[j] >= '0' && e->fingerprint[j] <= '9') ||
                  (e->fingerprint[j] >= 'a' && e->fingerprint[j] <= 'f')))
                abort();
        if (e->pinned && e->path == NULL)
            abort();
        if (e->rule)
            (void)strlen(e->rule);
        if (e->reason)
            (void)strlen(e->reason);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_baseline *b = NULL, *again = NULL;
    struct lh_buf out;
    size_t i, n;
    int rc;

    if (size > LH_MAX_YAML_FILE_SIZE + 16)
        return 0;
    lh_buf_init(&out, 64u << 20);
    if (lh_baseline_new(&b) != 0)
        abort();
    rc = lh_baseline_load_buffer(b, "fuzz-baseline.yml", (const char *)data, size);
    if (rc > 0 || (rc < 0 && lh_error_last()[0] == '\0'))
        abort();
    if (rc != 0)
        goto out;
    check(b);
    lh_baseline_sort(b);
    n = lh_baseline_count(b);
    for (i = 0; i < n; i++) {
        const struct lh_baseline_entry *e = lh_baseline_get(b, i);

        if (!lh_baseline_match(b, e->fingerprint, e->path ? e->path : "any/path"))
            abort();
    }
    if (lh_baseline_render(&out, b) != 0)
        goto out;
    if (lh_baseline_new(&again) != 0)
        abort();
    rc = lh_baseline_load_buffer(again, "rendered.yml", out.ptr, out.len);
    if (rc != 0 || lh_baseline_count(again) != n) {
        fprintf(stderr, "fuzz_baseline: rendered baseline does not load back (%s):\n%.*s\n",
                lh_error_last(), (int)out.len, out.ptr);
        abort();
    }
    check(again);
out:
    lh_baseline_free(again);
    lh_baseline_free(b);
    lh_buf_release(&out);
    lh_error_clear();
    return 0;
}
