/*
 * fuzz_event.c - the GitHub Actions event reader (lh_git_event_parse) over arbitrary bytes, under
 * the event names that select each branch of it: pull_request_target (a pull_request* name), push
 * (any other name) and none.
 *
 * Invariants checked: no crash, leak or read past len; success ⇒ every id is NULL or 40/64 hex
 * digits (its whole length: no NUL hidden inside), the default branch is NULL or non-empty without
 * control characters, and a pull request kind only under a pull_request* name or none; failure ⇒
 * LH_EINVALID, LH_ELIMIT or LH_ENOMEM with a message, and an empty result. No event name reads the
 * bytes exactly as a pull_request* name does (same code, same fields).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "git/git.h"
#include "util/error.h"

static void check_id(const char *id)
{
    if (id != NULL && !lh_git_is_hex_id(id, strlen(id)))
        abort();
}

static void check_branch(const char *b)
{
    const unsigned char *p;

    if (b == NULL)
        return;
    if (b[0] == '\0')
        abort();
    for (p = (const unsigned char *)b; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            abort();
}

static bool same(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Parses under name, checks the invariants, returns the code; *ev is left for the caller. */
static int run(struct lh_git_event *ev, const uint8_t *data, size_t size, const char *name)
{
    int rc;

    lh_error_clear();
    rc = lh_git_event_parse(ev, name, data, size);
    if (rc > 0 || (rc < 0 && lh_error_last()[0] == '\0'))
        abort();
    if (rc != 0) {
        if (rc != LH_EINVALID && rc != LH_ELIMIT && rc != LH_ENOMEM)
            abort();
        if (ev->kind != LH_GIT_EVENT_PUSH || ev->base || ev->head || ev->default_branch)
            abort();
        return rc;
    }
    check_id(ev->base);
    check_id(ev->head);
    check_branch(ev->default_branch);
    if (ev->kind != LH_GIT_EVENT_PUSH && (ev->kind != LH_GIT_EVENT_PULL_REQUEST ||
                                          (name != NULL && strncmp(name, "pull_request", 12) != 0)))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_git_event pr, none, push;
    int rc_pr, rc_none;

    rc_pr = run(&pr, data, size, "pull_request_target");
    rc_none = run(&none, data, size, NULL);
    /* no event name reads the file as a pull_request* name does */
    if (rc_pr != rc_none || pr.kind != none.kind || !same(pr.base, none.base) ||
        !same(pr.head, none.head) || !same(pr.default_branch, none.default_branch))
        abort();
    (void)run(&push, data, size, "push");
    lh_git_event_release(&push);
    lh_git_event_release(&none);
    lh_git_event_release(&pr);
    lh_error_clear();
    return 0;
}
