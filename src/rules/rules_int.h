/*
 * rules_int.h - what the loader needs from the rule set container, private to src/rules.
 *
 * A load validates a pack into a scratch ruleset and only then moves its rules into the target:
 * lh_ruleset_reserve() makes room (the only step that can fail), lh_ruleset_adopt() then moves
 * every rule without allocating, so a failed load leaves the target exactly as it was.
 */
#ifndef LH_RULES_RULES_INT_H
#define LH_RULES_RULES_INT_H

#include "rules/rules.h"

/* Frees a rule and every string it owns. Accepts NULL and any partially filled rule. */
void lh_rule_free(struct lh_rule *r);

/* Makes room for extra more rules (array and id index). 0 or LH_ENOMEM; rs unchanged on failure. */
int lh_ruleset_reserve(struct lh_ruleset *rs, size_t extra);

/* Appends r (owned by rs from now on) and indexes its id. Requires a prior lh_ruleset_reserve()
 * for it; never fails. */
void lh_ruleset_push(struct lh_ruleset *rs, struct lh_rule *r);

/* Moves every rule of from into rs (after lh_ruleset_reserve(rs, lh_ruleset_count(from))) and
 * leaves from empty. Never fails. */
void lh_ruleset_adopt(struct lh_ruleset *rs, struct lh_ruleset *from);

#endif
