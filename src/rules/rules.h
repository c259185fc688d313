/*
 * rules.h - the rule model and the YAML rule-pack loader (libyaml).
 *
 * A ruleset is an ordered list of rules loaded from one or more packs (a YAML file, a directory of
 * *.yml / *.yaml files, an in-memory buffer such as the embedded built-in pack). Loading validates
 * the pack's shape strictly: unknown keys, wrong types, duplicate ids, empty patterns and patterns
 * without a secret group are errors whose message starts with "file:line:column: rule ID: ".
 * Whether a pattern compiles is the engine's business (src/engine), never this module's: this
 * module does not include hs.h, though it does use PCRE2 to count capture groups.
 *
 * Ownership: the ruleset owns its rules and every string in them. A loaded ruleset is immutable
 * apart from lh_ruleset_disable(); share it read-only between threads.
 *
 *     struct lh_ruleset *rs = NULL;
 *     if (lh_ruleset_new(&rs) || lh_ruleset_load_builtin(rs) || lh_ruleset_load_path(rs, "x.yml"))
 *         fprintf(stderr, "%s\n", lh_error_last());
 *     ...
 *     lh_ruleset_free(rs);
 */
#ifndef LH_RULES_RULES_H
#define LH_RULES_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lh_severity { LH_SEV_LOW, LH_SEV_MEDIUM, LH_SEV_HIGH, LH_SEV_CRITICAL };
enum lh_confidence { LH_CONF_LOW, LH_CONF_MEDIUM, LH_CONF_HIGH };

const char *lh_severity_name(enum lh_severity s);
const char *lh_confidence_name(enum lh_confidence c);

/* A string from a pack with where it was written. */
struct lh_located {
    char *text;
    size_t len; /* examples may hold any bytes the YAML escapes allow, NUL included */
    uint32_t line;
    uint32_t col;
};

struct lh_rule {
    char *id;      /* stable, dotted, lowercase: [a-z0-9][a-z0-9._-]* */
    char *name;
    char *pattern; /* PCRE2 syntax, also compiled by Hyperscan */
    uint32_t secret_group; /* capture group number holding the secret (1.. ) */
    char **keywords;
    size_t n_keywords;
    double min_entropy; /* 0 = no minimum */
    char *validate;     /* a validator name (src/engine/validate.h) or NULL */
    enum lh_severity severity;
    enum lh_confidence confidence;
    char **references;
    size_t n_references;
    char *remediation; /* may be NULL */
    char **allow;      /* PCRE2 patterns: a secret matching any of them is not reported */
    size_t n_allow;
    struct lh_located *examples;
    size_t n_examples;
    struct lh_located *negatives;
    size_t n_negatives;
    bool disabled;
    /* 1 + the rule's position in the precompiled built-in pack (src/rules/precompiled.h), whose
     * strings and arrays are static data the rule does not own; 0 for a rule loaded from YAML */
    uint32_t builtin;
    /* where the rule is defined */
    char *file;
    uint32_t line;
    uint32_t col;
    uint32_t pattern_line;
    uint32_t pattern_col;
};

struct lh_ruleset;

int lh_ruleset_new(struct lh_ruleset **out);
void lh_ruleset_free(struct lh_ruleset *rs);

/* Loads a pack from a file, or from every *.yml / *.yaml in a directory (sorted, not recursive). */
int lh_ruleset_load_path(struct lh_ruleset *rs, const char *path);
/* Loads a pack held in memory; name is used in messages as the file name. */
int lh_ruleset_load_buffer(struct lh_ruleset *rs, const char *name, const char *data, size_t len);
/* Loads the pack embedded at build time (rules/ in the source tree). */
int lh_ruleset_load_builtin(struct lh_ruleset *rs);

size_t lh_ruleset_count(const struct lh_ruleset *rs);
const struct lh_rule *lh_ruleset_get(const struct lh_ruleset *rs, size_t i);
const struct lh_rule *lh_ruleset_find(const struct lh_ruleset *rs, const char *id);
/* Marks a rule disabled (the engine skips it). LH_ENOTFOUND when no rule has that id. */
int lh_ruleset_disable(struct lh_ruleset *rs, const char *id);
/* Number of rules that are not disabled. */
size_t lh_ruleset_enabled(const struct lh_ruleset *rs);

#endif
