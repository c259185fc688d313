/*
 * builtin.h - the rule pack embedded at build time by cmake/EmbedRules.cmake: one entry per
 * rules/NAME.yml file, sorted by name, terminated by a zeroed entry. Read-only static data.
 */
#ifndef LH_RULES_BUILTIN_H
#define LH_RULES_BUILTIN_H

#include <stddef.h>

struct lh_builtin_file {
    const char *name;
    const char *data;
    size_t len;
};

extern const struct lh_builtin_file lh_builtin_files[];
extern const size_t lh_builtin_file_count;

#endif
