/*
 * fuzz_ref_updates.c - the pre-receive ("<old> <new> <ref>") and pre-push ("<local ref> <local id>
 * <remote ref> <remote id>") stdin parsers over arbitrary bytes, with and without a line limit.
 *
 * Invariants checked: no crash, leak or read past len; every parsed update (including those kept
 * before an error) has two hex ids of the same length, 40 or 64, and a non-empty ref without
 * control characters or spaces (pre-push: a local ref too); a line limit is never exceeded; a
 * failure has a message.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "git/git.h"
#include "util/error.h"

static void check_ref(const char *ref)
{
    const unsigned char *p;

    if (ref == NULL || ref[0] == '\0')
        abort();
    for (p = (const unsigned char *)ref; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == ' ')
            abort();
}

static void run(const uint8_t *data, size_t size, bool push, size_t max_lines)
{
    struct lh_git_ref_updates u;
    size_t i;
    int rc;

    memset(&u, 0, sizeof(u));
    rc = push ? lh_git_parse_push_updates(&u, data, size, max_lines)
              : lh_git_parse_ref_updates(&u, data, size, max_lines);
    if (rc > 0 || (rc < 0 && lh_error_last()[0] == '\0'))
        abort();
    if (rc != 0 && rc != LH_EINVALID && rc != LH_ELIMIT && rc != LH_ENOMEM)
        abort();
    if (max_lines && u.len > max_lines)
        abort();
    for (i = 0; i < u.len; i++) {
        const struct lh_git_ref_update *x = &u.items[i];
        size_t lo = strlen(x->old_id), ln = strlen(x->new_id);

        if (lo != ln || (lo != 40 && lo != 64))
            abort();
        if (!lh_git_is_hex_id(x->old_id, lo) || !lh_git_is_hex_id(x->new_id, ln))
            abort();
        check_ref(x->ref);
        if (push)
            check_ref(x->local_ref);
        else if (x->local_ref != NULL)
            abort();
        (void)lh_git_is_zero_id(x->new_id, ln);
    }
    lh_git_ref_updates_release(&u);
    lh_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, false, 0);
    run(data, size, true, 0);
    run(data, size, false, 2);
    run(data, size, true, 2);
    return 0;
}
