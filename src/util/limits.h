/*
 * limits.h - every cap in leakhound, each with the reason it exists. Going over a cap is a counted,
 * reported skip (or a policy decision in hooks), never unbounded memory and never silence.
 * Where users need to change one, the CLI option named beside it does.
 */
#ifndef LH_UTIL_LIMITS_H
#define LH_UTIL_LIMITS_H

/* Files and blobs larger than this are skipped and counted (--max-file-size). Secrets live in
 * source and config files; 10 MiB holds any of those and keeps one blob from dominating memory. */
#define LH_DEFAULT_MAX_FILE_SIZE (10u * 1024 * 1024)

/* How far before Hyperscan's reported end offset PCRE2 looks to confirm a candidate, when a
 * pattern's maximum width is unbounded. Secrets are short; a PEM key block is the longest thing we
 * match whole (an RSA-8192 key is ~6.5 KiB). */
#define LH_CONFIRM_WINDOW (16u * 1024)

/* Confirmed matches kept per rule per chunk. A rule that matches thousands of times in one blob
 * is describing noise; the rest are counted as skipped. */
#define LH_MAX_MATCHES_PER_RULE 64u

/* Findings kept per scan before further ones are counted, dropped and warned about. */
#define LH_DEFAULT_MAX_FINDINGS 100000u

/* Longest secret capture kept; longer captures are truncated for fingerprinting and output. */
#define LH_MAX_SECRET_LEN 8192u

/* A rule pack file larger than this is refused: packs are hand-written YAML. */
#define LH_MAX_YAML_FILE_SIZE (4u * 1024 * 1024)

/* YAML nesting deeper than this is refused (libyaml is recursive-free, our walker is not). */
#define LH_MAX_YAML_DEPTH 32u

/* Rules in one rule set. Hyperscan compile time grows with the pattern count. */
#define LH_MAX_RULES 20000u

/* PCRE2 match and depth limits per confirm: a user rule with catastrophic backtracking fails the
 * confirm (counted) instead of hanging the scan. */
#define LH_PCRE2_MATCH_LIMIT 1000000u
#define LH_PCRE2_DEPTH_LIMIT 10000u

/* Hyperscan end offsets reported for one rule in one chunk before the rule is switched off for the
 * rest of that chunk (a rule matching every byte must not turn a scan quadratic). */
#define LH_MAX_CANDIDATES_PER_RULE 100000u

/* Bytes of changed files and messages one pre-receive run reads from a push before the push is over
 * its limit (--max-push-bytes; the deadline policy decides). The deadline bounds time, this bounds
 * the reading a single push can demand of the server whatever the deadline: a push adding more
 * than 1 GiB of text is a data import, not a code change (the range source reads ~45 MB/s per core). */
#define LH_DEFAULT_MAX_PUSH_BYTES (1024ull * 1024 * 1024)

/* Bytes of Hyperscan scratch one compiled rule set may need. Every scanning thread clones the
 * scratch (hs_clone_scratch), so memory is this times the thread count; the built-in pack needs
 * about 80 KiB, and only a pathological pack (huge bounded repeats, thousands of wide NFAs) comes
 * near this. Over it, building the engine fails with an error naming the rule packs. */
#define LH_MAX_HS_SCRATCH (32u * 1024 * 1024)

#endif
