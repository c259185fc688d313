/*
 * engine.h - compile a ruleset into one Hyperscan database and scan chunks with it.
 *
 * Two stages (Nosey Parker's matcher): Hyperscan reports end offsets for every rule at once
 * (block mode, no SINGLEMATCH, no SOM_LEFTMOST; HS_FLAG_PREFILTER for patterns Hyperscan cannot
 * take exactly); each candidate is confirmed by the rule's PCRE2 pattern (JIT) inside a bounded
 * window ending at the reported offset, which also extracts the secret capture. Then the rule's
 * min_entropy, validator and allow patterns apply. Overlapping matches of one rule collapse to one,
 * and repeated end offsets of one rule are confirmed once.
 *
 * The engine knows nothing of git: it scans struct lh_chunk bytes.
 *
 * Threads: a compiled struct lh_engine is immutable and shared; each thread owns a struct lh_scanner
 * (a cloned Hyperscan scratch, its own PCRE2 match data and JIT stack).
 *
 * Cache: the serialized database is kept under opts->cache_dir (default
 * $XDG_CACHE_HOME/leakhound, else ~/.cache/leakhound), keyed by SHA-256 of the Hyperscan
 * version/platform, a format version and the ordered patterns and flags. Any mismatch or corrupt
 * file is a miss and a recompile; an unwritable directory is not an error.
 *
 *     struct lh_engine *e; struct lh_scanner *s;
 *     lh_engine_new(&e, rs, NULL); lh_scanner_new(&s, e);
 *     lh_scanner_scan(s, &chunk, on_match, payload);
 *     lh_scanner_free(s); lh_engine_free(e);
 */
#ifndef LH_ENGINE_ENGINE_H
#define LH_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/rules.h"
#include "util/chunk.h"

struct lh_engine_opts {
    const char *cache_dir; /* NULL: the default above */
    bool no_cache;         /* neither read nor write the cache */
    bool no_validate;      /* keep matches whose checksum validator fails (marked validated=false) */
    size_t window;         /* confirm window cap in bytes; 0: LH_CONFIRM_WINDOW. Tests force it tiny */
    size_t max_scratch;    /* Hyperscan scratch cap in bytes; 0: LH_MAX_HS_SCRATCH. Tests force it */
};

struct lh_engine_info {
    bool cache_hit;      /* the database came from the cache (or from the binary) */
    bool embedded_db;    /* ... from the binary: the one generated with the built-in pack */
    bool cache_written;  /* a fresh database was stored */
    double compile_ms;   /* time to compile or deserialize */
    size_t n_patterns;   /* patterns in the Hyperscan database */
    size_t n_prefilter;  /* of which compiled with HS_FLAG_PREFILTER */
    char ruleset_hash[65]; /* SHA-256 over the enabled rules' ids, patterns and options */
};

struct lh_engine;
struct lh_scanner;

/* Compiles (or loads from the cache) the enabled rules of rs. rs must outlive the engine. On a
 * Hyperscan or PCRE2 rejection returns LH_ERULE with "file:line:col: rule ID: ..." as the message;
 * when the compiled set needs more Hyperscan scratch than opts->max_scratch, LH_ELIMIT with a
 * message naming the rule packs. */
int lh_engine_new(struct lh_engine **out, const struct lh_ruleset *rs,
                  const struct lh_engine_opts *opts);
void lh_engine_free(struct lh_engine *e);
const struct lh_engine_info *lh_engine_info(const struct lh_engine *e);
const struct lh_ruleset *lh_engine_ruleset(const struct lh_engine *e);

/* One confirmed match. Offsets are bytes into the chunk's data. */
struct lh_match {
    const struct lh_rule *rule;
    size_t rule_index;   /* index in the ruleset */
    size_t start, end;   /* the whole PCRE2 match */
    size_t secret_start, secret_end;
    double entropy;      /* Shannon bits/byte over the secret */
    bool validated;      /* the rule's checksum validator passed (false when it has none) */
};

/* Return 0 to continue, anything else to stop the scan (lh_scanner_scan returns LH_EUSER). */
typedef int (*lh_match_cb)(void *payload, const struct lh_chunk *c, const struct lh_match *m);

int lh_scanner_new(struct lh_scanner **out, const struct lh_engine *e);
void lh_scanner_free(struct lh_scanner *s);

/* Scans one chunk; calls cb for each confirmed match in increasing (start, rule) order. */
int lh_scanner_scan(struct lh_scanner *s, const struct lh_chunk *c, lh_match_cb cb, void *payload);

/* Counters a scanner accumulates; merge them across threads with lh_scan_stats_add. */
struct lh_scan_stats {
    uint64_t chunks;
    uint64_t bytes;
    uint64_t candidates;       /* Hyperscan end offsets reported */
    uint64_t confirms;         /* PCRE2 confirm attempts */
    uint64_t matches;          /* confirmed matches handed to the callback */
    uint64_t drop_entropy;     /* below min_entropy */
    uint64_t drop_validator;   /* checksum or structure check failed */
    uint64_t drop_allow;       /* a rule allow pattern matched the secret */
    uint64_t capped;           /* over LH_MAX_MATCHES_PER_RULE / LH_MAX_CANDIDATES_PER_RULE */
    uint64_t pcre_limit;       /* PCRE2 match/depth limit hit */
    uint64_t ns_match;         /* time in Hyperscan */
    uint64_t ns_confirm;       /* time in PCRE2 and validators */
};

void lh_scanner_stats(const struct lh_scanner *s, struct lh_scan_stats *out);
void lh_scan_stats_add(struct lh_scan_stats *acc, const struct lh_scan_stats *x);

/* Self-test of a ruleset (what `leakhound rules check` runs): every enabled rule's pattern is
 * compiled alone by Hyperscan and PCRE2, every example must produce a match of that rule whose
 * secret passes the rule's checks, every negative example must produce none. cb is called once per
 * failure with the file, line, rule and message; returns the number of failures (>= 0) or a
 * negative LH_E* code when the check itself could not run. */
typedef void (*lh_selftest_cb)(void *payload, const struct lh_rule *r, const char *file,
                               uint32_t line, const char *msg);
int lh_engine_selftest(const struct lh_ruleset *rs, const struct lh_engine_opts *opts,
                       lh_selftest_cb cb, void *payload);

#endif
