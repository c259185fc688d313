/*
 * ruleset.c - the rule set container: an ordered array of owned rules plus an open-addressing
 * index from id to position, so duplicate-id checks and lookups stay O(1) at LH_MAX_RULES rules.
 *
 * Invariants: ids are unique (the loader enforces it before pushing); the index holds position+1
 * of every rule (0 = empty slot), its size is a power of two and at least twice the rule count, so
 * a probe always ends. Rules are never removed, only marked disabled, and rule pointers stay valid
 * for the set's lifetime (the array holds pointers, not structs).
 */
#include "rules/rules.h"
#include "rules/rules_int.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lh_ruleset {
    struct lh_rule **rules;
    size_t n;
    size_t cap;
    size_t *slots; /* position + 1, 0 = empty */
    size_t nslots; /* power of two, 0 before the first reserve */
};

const char *lh_severity_name(enum lh_severity s)
{
    switch (s) {
    case LH_SEV_CRITICAL:
        return "critical";
    case LH_SEV_HIGH:
        return "high";
    case LH_SEV_MEDIUM:
        return "medium";
    case LH_SEV_LOW:
        return "low";
    }
    return "unknown";
}

const char *lh_confidence_name(enum lh_confidence c)
{
    switch (c) {
    case LH_CONF_HIGH:
        return "high";
    case LH_CONF_MEDIUM:
        return "medium";
    case LH_CONF_LOW:
        return "low";
    }
    return "unknown";
}

static void lh_strv_free(char **v, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

static void lh_located_free(struct lh_located *v, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++)
        free(v[i].text);
    free(v);
}

void lh_rule_free(struct lh_rule *r)
{
    if (r == NULL)
        return;
    if (r->builtin) { /* a copy of a precompiled rule: only the struct is ours */
        free(r);
        return;
    }
    free(r->id);
    free(r->name);
    free(r->pattern);
    lh_strv_free(r->keywords, r->n_keywords);
    free(r->validate);
    lh_strv_free(r->references, r->n_references);
    free(r->remediation);
    lh_strv_free(r->allow, r->n_allow);
    lh_located_free(r->examples, r->n_examples);
    lh_located_free(r->negatives, r->n_negatives);
    free(r->file);
    free(r);
}

int lh_ruleset_new(struct lh_ruleset **out)
{
    *out = lh_calloc(1, sizeof(**out));
    if (*out == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    return 0;
}

void lh_ruleset_free(struct lh_ruleset *rs)
{
    size_t i;

    if (rs == NULL)
        return;
    for (i = 0; i < rs->n; i++)
        lh_rule_free(rs->rules[i]);
    free(rs->rules);
    free(rs->slots);
    free(rs);
}

/* FNV-1a: ids are short and chosen by rule authors, not attackers aiming at collisions; a bad
 * distribution costs time, never correctness. */
static size_t lh_id_hash(const char *id)
{
    uint64_t h = 1469598103934665603ull;

    for (; *id; id++) {
        h ^= (unsigned char)*id;
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

static void lh_index_put(size_t *slots, size_t nslots, const char *id, size_t pos)
{
    size_t mask = nslots - 1, i = lh_id_hash(id) & mask;

    /* terminates: nslots >= 2 * count, so an empty slot exists */
    while (slots[i] != 0)
        i = (i + 1) & mask;
    slots[i] = pos + 1;
}

int lh_ruleset_reserve(struct lh_ruleset *rs, size_t extra)
{
    size_t need, nslots, i, *slots;
    void *p = rs->rules;
    int rc;

    if (extra > SIZE_MAX / 4 - rs->n)
        return lh_error_set(LH_ENOMEM, "out of memory");
    need = rs->n + extra;
    rc = lh_array_grow(&p, &rs->cap, need, sizeof(*rs->rules));
    if (rc)
        return rc;
    rs->rules = p;
    if (need * 2 <= rs->nslots)
        return 0;
    nslots = 16;
    while (nslots < need * 2)
        nslots *= 2;
    slots = lh_calloc(nslots, sizeof(*slots));
    if (slots == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory");
    for (i = 0; i < rs->n; i++)
        lh_index_put(slots, nslots, rs->rules[i]->id, i);
    free(rs->slots);
    rs->slots = slots;
    rs->nslots = nslots;
    return 0;
}

void lh_ruleset_push(struct lh_ruleset *rs, struct lh_rule *r)
{
    rs->rules[rs->n] = r;
    lh_index_put(rs->slots, rs->nslots, r->id, rs->n);
    rs->n++;
}

void lh_ruleset_adopt(struct lh_ruleset *rs, struct lh_ruleset *from)
{
    size_t i;

    for (i = 0; i < from->n; i++)
        lh_ruleset_push(rs, from->rules[i]);
    from->n = 0;
    if (from->slots != NULL)
        memset(from->slots, 0, from->nslots * sizeof(*from->slots));
}

size_t lh_ruleset_count(const struct lh_ruleset *rs)
{
    return rs->n;
}

const struct lh_rule *lh_ruleset_get(const struct lh_ruleset *rs, size_t i)
{
    return i < rs->n ? rs->rules[i] : NULL;
}

static struct lh_rule *lh_ruleset_lookup(const struct lh_ruleset *rs, const char *id)
{
    size_t mask, i;

    if (rs->nslots == 0 || id == NULL)
        return NULL;
    mask = rs->nslots - 1;
    /* bounded: the table always has empty slots (see lh_ruleset_reserve) */
    for (i = lh_id_hash(id) & mask; rs->slots[i] != 0; i = (i + 1) & mask) {
        struct lh_rule *r = rs->rules[rs->slots[i] - 1];

        if (strcmp(r->id, id) == 0)
            return r;
    }
    return NULL;
}

const struct lh_rule *lh_ruleset_find(const struct lh_ruleset *rs, const char *id)
{
    return lh_ruleset_lookup(rs, id);
}

int lh_ruleset_disable(struct lh_ruleset *rs, const char *id)
{
    struct lh_rule *r = lh_ruleset_lookup(rs, id);

    if (r == NULL)
        return lh_error_set(LH_ENOTFOUND, "no rule has the id \"%s\"", id ? id : "");
    r->disabled = true;
    return 0;
}

size_t lh_ruleset_enabled(const struct lh_ruleset *rs)
{
    size_t i, n = 0;

    for (i = 0; i < rs->n; i++)
        n += !rs->rules[i]->disabled;
    return n;
}
