/*
 * config.h - the repository config `.leakhound.yml` and the server-pinned config.
 *
 * A config file adds rule packs, disables rules, skips paths, allows known non-secrets per rule,
 * sets the file size cap, turns inline allow markers off, names an audit log and a baseline, and sets
 * hook policy. Loading is strict: an unknown key, a wrong type or a bad value is LH_EINVALID with
 * "FILE:LINE:COL: what is wrong". docs/config.md documents every key.
 *
 * A server config (LEAKHOUND_SERVER_CONFIG or --server-config) uses the same keys plus a `server:`
 * section. lh_config_restrict() strips from a repository config everything that would weaken the
 * server's policy; the CLI applies the server config after the repository's, so its settings win.
 *
 * Ownership: a struct lh_config owns every string in it. Not thread-safe; read-only once loaded.
 */
#ifndef LH_FILTER_CONFIG_H
#define LH_FILTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_CONFIG_FILE ".leakhound.yml"

enum lh_on_deadline {
    LH_ON_DEADLINE_DENY,  /* an unfinished scan fails the hook (exit 4) */
    LH_ON_DEADLINE_ALLOW, /* an unfinished scan passes, loudly, with a deadline.exceeded event */
};

enum lh_repo_config_mode {
    LH_REPO_CONFIG_TIGHTEN, /* a repository config may only add rules and make policy stricter */
    LH_REPO_CONFIG_IGNORE,  /* a repository config is not read at all */
};

/* A string value with where it was written ("FILE:LINE:COL"), for later error messages. */
struct lh_config_item {
    char *value;
    char *where;
};

struct lh_config_allow {
    char *rule;   /* rule id glob, NULL: every rule */
    char *secret; /* PCRE2 against the secret, or NULL */
    char *line;   /* PCRE2 against the line, or NULL */
    char *reason; /* or NULL */
    char *where;
};

/* The scalar settings, to index lh_config.where. */
enum lh_config_key {
    LH_CK_MAX_FILE_SIZE,
    LH_CK_INLINE_ALLOW,
    LH_CK_AUDIT_LOG,
    LH_CK_BASELINE,
    LH_CK_DEADLINE,
    LH_CK_ON_DEADLINE,
    LH_CK_MAX_COMMITS,
    LH_CK_ALLOW_BYPASS,
    LH_CK__COUNT
};

struct lh_config {
    char *file; /* the name it was loaded under */
    char *dir;  /* directory of the file: relative paths in it resolve against this */

    struct lh_config_item *rule_packs; /* paths as resolved against dir */
    size_t n_rule_packs;
    struct lh_config_item *disable; /* rule ids */
    size_t n_disable;
    struct lh_config_item *skip_paths; /* globs, see lh_filter_add_path_glob */
    size_t n_skip_paths;
    struct lh_config_allow *allow;
    size_t n_allow;

    bool has_max_file_size;
    uint64_t max_file_size;
    bool has_inline_allow;
    bool inline_allow;
    char *audit_log; /* a path (resolved against dir), "-" or "syslog"; NULL when unset */
    char *baseline;  /* resolved against dir; NULL when unset */

    /* hook: */
    bool has_deadline;
    double deadline_s;
    bool has_on_deadline;
    enum lh_on_deadline on_deadline;
    bool has_max_commits;
    uint64_t max_commits;
    bool has_allow_bypass;
    bool allow_bypass;

    char *where[LH_CK__COUNT]; /* "FILE:LINE:COL" of each scalar setting that is set, else NULL */

    /* server: (only in a server config) */
    bool is_server;
    enum lh_repo_config_mode repo_mode;
};

/* Loads a config file. server allows the `server:` section. dir defaults to the file's directory. */
int lh_config_load_file(struct lh_config **out, const char *path, bool server);
/* Loads a config held in memory (e.g. a blob from the pushed tree). name is used in messages; dir
 * resolves relative paths (NULL: "."). */
int lh_config_load_buffer(struct lh_config **out, const char *name, const char *dir,
                          const char *data, size_t len, bool server);
void lh_config_free(struct lh_config *c);

/* Called once per setting that lh_config_restrict removed: where it was written, and why. */
typedef void (*lh_config_warn_cb)(void *payload, const char *where, const char *what);

/* Removes from repo every setting that would weaken server's policy (see docs/config.md):
 * disabled rules, skipped paths, allow regexes, baseline, audit_log, max_file_size, deadline,
 * max_commits, inline_allow: true, on_deadline: allow, allow_bypass: true; and rule packs outside the
 * repository (absolute paths or paths with a ".." component). Stricter settings stay. */
void lh_config_restrict(struct lh_config *repo, const struct lh_config *server,
                        lh_config_warn_cb warn, void *payload);

#endif
