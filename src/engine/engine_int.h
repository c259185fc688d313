/*
 * engine_int.h - what engine.c, scanner.c, cache.c and selftest.c share; not for other modules.
 *
 * An engine holds one entry (struct lh_erule) per enabled rule; the Hyperscan pattern id is the
 * index of that entry. Everything in an engine is written by lh_engine_new and read-only after,
 * except the lazily JIT-compiled PCRE2 codes, which are published once under e->lock through an
 * atomic state (double-checked): a scanner that sees LH_PCRE_READY may use the code without locks.
 */
#ifndef LH_ENGINE_ENGINE_INT_H
#define LH_ENGINE_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hs.h>
#include <pcre2.h>

#include "engine/engine.h"
#include "engine/validate.h"

/* Bumped whenever the cache file layout or anything the key does not cover changes. */
#define LH_CACHE_FORMAT 2u

/* Bytes added to a bounded pattern's max_width so that \b and short lookarounds see context. */
#define LH_WINDOW_MARGIN 16u
/* First confirm window of a pattern without a bounded width; it doubles while a candidate shows
 * that a match began before it (most unbounded matches are a keyword, a few blanks and a token). */
#define LH_UNBOUNDED_WINDOW 256u
/* Bytes the PCRE2 subject extends past a candidate's end (lookahead, \b, $). */
#define LH_LOOKAHEAD_MARGIN 256u

enum lh_pcre_state {
    LH_PCRE_COMPILED = 0, /* not ready: compiled by lh_engine_new (or not yet), JIT not tried */
    LH_PCRE_READY = 1,    /* JIT tried (it may have failed: then the interpreter is used) */
};

struct lh_erule {
    const struct lh_rule *rule;
    size_t rule_index;   /* index in the ruleset */
    char *hs_pattern;    /* the pattern as Hyperscan compiles it (PCRE2-only syntax rewritten) */
    unsigned hs_flags;   /* HS_FLAG_PREFILTER or 0 */
    char *hs_trigger;    /* what Hyperscan compiles when the pattern has a trigger, else NULL */
    uint32_t min_width;  /* hs_expression_info min_width: the shortest match */
    uint32_t max_width;  /* hs_expression_info max_width; UINT32_MAX when unbounded */
    const struct lh_validator *validator; /* NULL when the rule has none */
    pcre2_code *code;    /* compiled in lh_engine_new; JIT-compiled on the first candidate */
    bool jit;            /* pcre2_jit_compile succeeded for complete matches */
    bool jit_partial;    /* ... and for PCRE2_PARTIAL_HARD (clipped subjects) */
    bool one_line;       /* no match can contain '\n' (lh_engine_one_line) */
    pcre2_code **allow;  /* the rule's allow patterns, compiled alongside code */
    size_t n_allow;
    _Atomic int state;   /* enum lh_pcre_state */
};

struct lh_engine {
    const struct lh_ruleset *rs;
    struct lh_engine_opts opts; /* cache_dir is not kept: only used while building */
    struct lh_engine_info info;
    struct lh_erule *rules;     /* enabled rules, in ruleset order */
    size_t n_rules;
    uint32_t max_group;         /* largest secret_group over the rules */
    size_t window;              /* the window cap: opts.window or LH_CONFIRM_WINDOW */
    hs_database_t *db;
    hs_scratch_t *scratch;      /* prototype scratch, cloned by every scanner */
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    pthread_mutex_t lock;       /* guards the JIT compilation of codes */
    bool lock_init;
};

/* Makes a rule's PCRE2 codes ready on first use: compiles them when lh_engine_new left that to
 * later (rules of the precompiled built-in pack, validated when it was generated), then
 * JIT-compiles them; the state is LH_PCRE_READY afterwards. 0, or LH_ENOMEM / LH_ERULE (the rule
 * stays unready and the next call tries again). */
int lh_engine_jit(struct lh_engine *e, struct lh_erule *er);

/* PCRE2 comments a rule may put between items of its pattern's top-level sequence (PCRE2 ignores
 * them): Hyperscan then compiles only the part from LH_TRIGGER_MARK to LH_TRIGGER_END (or to the
 * end), a cheap trigger such as a rare literal for a rule whose head Hyperscan pays for on every
 * byte or every common literal, and the rule becomes a prefilter whose candidates PCRE2 confirms
 * whole. A trigger that stops before the end needs a pattern of bounded width. */
#define LH_TRIGGER_MARK "(?#trigger)"
#define LH_TRIGGER_END "(?#trigger-end)"

/* The trigger's span [*from, *to) in pattern (both 0 when it has none); LH_EINVALID when a marker
 * is inside a group, repeated, out of order, at the end or before a quantifier, or the pattern has
 * a top-level alternation or an unscoped option setting before the trigger. */
int lh_engine_trigger(size_t *from, size_t *to, const char *pattern);

/* Sets er->hs_flags (exact, or HS_FLAG_PREFILTER), er->hs_trigger (lh_malloc'ed; the caller frees
 * it) and the widths from er->hs_pattern;
 * LH_ERULE ("file:line:col: rule ID: ...") when Hyperscan takes the pattern in neither mode or the
 * trigger marker is misplaced. Needs er->rule and er->hs_pattern only. */
int lh_engine_classify(struct lh_erule *er);

/* True when no match of the PCRE2 pattern can contain '\n' (lines.c): what a lookaround reads is
 * not part of a match. Conservative: false for any syntax it does not understand. */
bool lh_engine_one_line(const char *pattern);

/* Rewrites PCRE2-only syntax Hyperscan rejects into an equivalent for end offsets (named groups
 * become plain groups, (?| becomes (?:, \K is dropped). *out is lh_malloc'ed. */
int lh_engine_hs_pattern(char **out, const char *pattern);

/* The cache file path for e's rules (<dir>/<key>.hsdb) into *out (lh_malloc'ed) and the hex key
 * into key; LH_ENOTFOUND when no cache directory can be named (no HOME). */
int lh_cache_path(char **out, char key[65], const struct lh_engine *e, const char *cache_dir);
/* Loads the database for e from path into e->db and the per-rule flags and widths; 0 on a hit,
 * LH_ENOTFOUND on any miss (absent, corrupt, truncated, another key or version). */
int lh_cache_load(struct lh_engine *e, const char *path, const char key[65]);
/* Stores e->db and the per-rule metadata at path (temp file + rename). 0 when written, negative
 * otherwise; callers treat failure as a non-event. */
int lh_cache_store(const struct lh_engine *e, const char *path, const char key[65]);
/* The cache file's bytes for e (what lh_cache_store writes) into *out (lh_malloc'ed). 0, LH_EIO
 * (Hyperscan could not serialize) or LH_ENOMEM. */
int lh_cache_encode(const struct lh_engine *e, const char key[65], unsigned char **out,
                    size_t *out_len);
/* lh_cache_load from memory: fills e->db and the per-rule flags and widths from a cache image; key
 * NULL accepts the key written in the image (the built-in image, generated with its rules). 0, or
 * LH_ENOTFOUND on any mismatch, including a database of another Hyperscan version or for CPU
 * features this machine lacks. */
int lh_cache_decode(struct lh_engine *e, const unsigned char *data, size_t len,
                    const char key[65]);

/* lh_engine_new, leaving out the enabled rules whose skip[rule index] is true (skip may be NULL). */
int lh_engine_build(struct lh_engine **out, const struct lh_ruleset *rs,
                    const struct lh_engine_opts *opts, const bool *skip);

/* Selftest: a relaxed scanner reports matches whatever their entropy, validator or allow verdict. */
void lh_scanner_set_relaxed(struct lh_scanner *s, bool relaxed);

/* Monotonic clock in nanoseconds. */
uint64_t lh_engine_now_ns(void);

#endif
