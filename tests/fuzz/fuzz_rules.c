/*
 * fuzz_rules.c - the YAML rule-pack loader (lh_ruleset_load_buffer) over arbitrary bytes.
 *
 * Invariants checked: the loader never crashes, leaks or reads past len (the input is not
 * NUL-terminated); a failure returns a negative code with a non-empty message; a success yields
 * rules whose required strings are present, whose secret group is at least 1, and which can be
 * looked up by id. The same bytes are then loaded a second time into the same ruleset (the
 * duplicate-id path), and the ruleset is freed from whatever state that left.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "util/error.h"
#include "util/limits.h"

static void check_rule(const struct lh_ruleset *rs, const struct lh_rule *r)
{
    size_t i;

    if (r == NULL || r->id == NULL || r->pattern == NULL || r->secret_group < 1)
        abort();
    if (lh_ruleset_find(rs, r->id) == NULL)
        abort();
    /* touch every string so ASan sees an unterminated or freed one */
    (void)strlen(r->id);
    (void)strlen(r->pattern);
    if (r->name)
        (void)strlen(r->name);
    for (i = 0; i < r->n_keywords; i++)
        (void)strlen(r->keywords[i]);
    for (i = 0; i < r->n_references; i++)
        (void)strlen(r->references[i]);
    for (i = 0; i < r->n_allow; i++)
        (void)strlen(r->allow[i]);
    for (i = 0; i < r->n_examples; i++)
        if (r->examples[i].len && r->examples[i].text == NULL)
            abort();
    for (i = 0; i < r->n_negatives; i++)
        if (r->negatives[i].len && r->negatives[i].text == NULL)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lh_ruleset *rs = NULL;
    size_t i, n;
    int rc;

    if (size > LH_MAX_YAML_FILE_SIZE + 16)
        return 0;
    if (lh_ruleset_new(&rs) != 0)
        abort();
    rc = lh_ruleset_load_buffer(rs, "fuzz.yml", (const char *)data, size);
    if (rc > 0 || (rc < 0 && lh_error_last()[0] == '\0'))
        abort();
    n = lh_ruleset_count(rs);
    if (n > LH_MAX_RULES || lh_ruleset_enabled(rs) > n)
        abort();
    for (i = 0; i < n; i++)
        check_rule(rs, lh_ruleset_get(rs, i));
    if (rc == 0 && n > 0) {
        (void)lh_ruleset_disable(rs, lh_ruleset_get(rs, 0)->id);
        rc = lh_ruleset_load_buffer(rs, "fuzz-again.yml", (const char *)data, size);
        if (rc > 0 || (rc < 0 && lh_error_last()[0] == '\0'))
            abort();
    }
    lh_ruleset_free(rs);
    lh_error_clear();
    return 0;
}
