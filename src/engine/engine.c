/*
 * engine.c - compiling a ruleset: every enabled rule into one Hyperscan block-mode database (or that
 * database from the cache), and every rule's pattern and allow patterns into PCRE2 codes.
 *
 * Invariants:
 * - Hyperscan pattern id i is e->rules[i], the i-th enabled rule in ruleset order.
 * - Byte semantics everywhere: no HS_FLAG_UTF8/UCP, no PCRE2_UTF/UCP; no SINGLEMATCH (it loses
 *   occurrences), no SOM_LEFTMOST (slow). A pattern Hyperscan cannot take exactly is compiled with
 *   HS_FLAG_PREFILTER (a superset of end offsets); PCRE2 decides.
 * - PCRE2 codes are compiled here (tens of microseconds each, and it validates the pack) but
 *   JIT-compiled only on a rule's first candidate (lh_engine_jit), so a hook starts fast. Rules of
 *   the precompiled built-in pack (src/rules/precompiled.h), validated when the binary was built,
 *   are not even compiled here: lh_engine_jit compiles them on first use.
 * - When the enabled rules are exactly that pack, the ruleset hash and the Hyperscan database are
 *   the ones generated with it (if this Hyperscan and CPU accept the database; else the cache and
 *   the compiler as for any other set). --no-cache forgoes it too, so a benchmark can compile.
 * - After lh_engine_new returns, the engine is read-only except for that one-time JIT publication.
 */
#include "engine/engine_int.h"
#include "rules/precompiled.h"

#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/limits.h"

uint64_t lh_engine_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *lh_pcre_malloc(PCRE2_SIZE size, void *data)
{
    (void)data;
    return lh_malloc(size);
}

static void lh_pcre_free(void *p, void *data)
{
    (void)data;
    free(p);
}

/* ---- the Hyperscan form of a pattern ------------------------------------------------------- */

/* Length of a group name starting at p and ending with term, or 0 when it is not one. */
static size_t lh_group_name(const char *p, char term)
{
    size_t n = 0;

    while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= 'a' && p[n] <= 'z') ||
           (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
        n++;
    return (n > 0 && p[n] == term) ? n + 1 : 0;
}

int lh_engine_hs_pattern(char **out, const char *pattern)
{
    struct lh_buf b;
    const char *p = pattern;
    bool in_class = false;
    int rc = 0;

    *out = NULL;
    lh_buf_init(&b, (size_t)LH_MAX_YAML_FILE_SIZE * 2);
    while (*p && rc == 0) {
        size_t skip = 0;

        if (p[0] == '\\' && p[1] != '\0') {
            if (p[1] == 'K' && !in_class) {
                p += 2; /* \K only moves the reported start; end offsets are unchanged */
                continue;
            }
            if (p[1] == 'Q') { /* copy a literal span verbatim */
                const char *end = strstr(p + 2, "\\E");
                size_t n = end ? (size_t)(end - p) + 2 : strlen(p);
                rc = lh_buf_add(&b, p, n);
                p += n;
                continue;
            }
            rc = lh_buf_add(&b, p, 2);
            p += 2;
            continue;
        }
        if (in_class) {
            if (p[0] == ']')
                in_class = false;
            rc = lh_buf_addc(&b, p[0]);
            p++;
            continue;
        }
        if (p[0] == '[') {
            in_class = true;
            rc = lh_buf_addc(&b, '[');
            p++;
            /* a ']' right after '[' or '[^' is a literal */
            if (*p == '^' && rc == 0) {
                rc = lh_buf_addc(&b, '^');
                p++;
            }
            if (*p == ']' && rc == 0) {
                rc = lh_buf_addc(&b, ']');
                p++;
            }
            continue;
        }
        if (p[0] == '(' && p[1] == '?') {
            if (p[2] == '<' && p[3] != '=' && p[3] != '!')
                skip = lh_group_name(p + 3, '>');
            else if (p[2] == 'P' && p[3] == '<')
                skip = lh_group_name(p + 4, '>') ? lh_group_name(p + 4, '>') + 1 : 0;
            else if (p[2] == '\'')
                skip = lh_group_name(p + 3, '\'');
            else if (p[2] == '|') {
                rc = lh_buf_adds(&b, "(?:"); /* branch reset only renumbers groups */
                p += 3;
                continue;
            }
            if (skip) {
                rc = lh_buf_addc(&b, '(');
                p += 3 + skip;
                continue;
            }
        }
        rc = lh_buf_addc(&b, p[0]);
        p++;
    }
    if (rc == 0)
        rc = lh_buf_detach(&b, out, NULL);
    if (rc)
        lh_buf_release(&b);
    return rc;
}

/* ---- the trigger markers -------------------------------------------------------------------- */

/* Where the comment starting at p ends (just past its ')'), or NULL. */
static const char *lh_comment_end(const char *p)
{
    const char *q = strchr(p + 3, ')');

    return q ? q + 1 : NULL;
}

static bool lh_quantifier(char c)
{
    return c == '*' || c == '+' || c == '?' || c == '{';
}

int lh_engine_trigger(size_t *from, size_t *to, const char *pattern)
{
    const size_t slen = sizeof(LH_TRIGGER_MARK) - 1, elen = sizeof(LH_TRIGGER_END) - 1;
    const char *p = pattern;
    size_t depth = 0, n_start = 0, n_end = 0, k;
    bool alternation = false, options = false, misplaced = false;

    *from = *to = 0;
    while (*p) {
        if (p[0] == '\\' && p[1] == 'Q') { /* a literal span up to \E */
            const char *end = strstr(p + 2, "\\E");
            p = end ? end + 2 : p + strlen(p);
        } else if (p[0] == '\\') {
            p += p[1] ? 2 : 1;
        } else if (p[0] == '[') { /* a class: ']' first is literal; [:name:] inside */
            p += (p[1] == '^') ? 2 : 1;
            if (*p == ']')
                p++;
            while (*p && *p != ']') {
                if (p[0] == '\\' && p[1])
                    p += 2;
                else if (p[0] == '[' && p[1] == ':' && strstr(p + 2, ":]"))
                    p = strstr(p + 2, ":]") + 2;
                else
                    p++;
            }
            if (*p)
                p++;
        } else if (p[0] == '(' && p[1] == '?' && p[2] == '#') {
            const char *end = lh_comment_end(p);
            bool is_start = strncmp(p, LH_TRIGGER_MARK, slen) == 0;
            bool is_end = strncmp(p, LH_TRIGGER_END, elen) == 0;

            if (end == NULL)
                break;
            if (is_start || is_end) {
                misplaced = misplaced || depth != 0 || *end == '\0' || lh_quantifier(*end);
                if (is_start) {
                    n_start++;
                    *from = (size_t)(end - pattern);
                } else {
                    n_end++;
                    misplaced = misplaced || n_start != 1;
                    *to = (size_t)(p - pattern);
                }
            }
            p = end;
        } else {
            if (p[0] == '(' && p[1] == '?' && depth == 0 && n_start == 0) {
                /* (?i) and the like, unscoped, before the trigger would not reach it */
                for (k = 2; (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') ||
                            p[k] == '-' || p[k] == '^';
                     k++)
                    ;
                options = options || (k > 2 && p[k] == ')');
            }
            if (p[0] == '(')
                depth++;
            else if (p[0] == ')' && depth > 0)
                depth--;
            else if (p[0] == '|' && depth == 0)
                alternation = true; /* a part of one branch is not a part of every match */
            p++;
        }
    }
    if (n_start == 0 && n_end == 0)
        return 0;
    if (n_start != 1 || n_end > 1 || misplaced || alternation || options ||
        (n_end == 1 && *to <= *from))
        return LH_EINVALID;
    if (n_end == 0)
        *to = strlen(pattern);
    return 0;
}

/* ---- PCRE2 ----------------------------------------------------------------------------------- */

static int lh_pcre_compile(pcre2_code **out, const struct lh_engine *e, const struct lh_rule *r,
                           const char *pattern, const char *what)
{
    PCRE2_UCHAR msg[256];
    PCRE2_SIZE off = 0;
    int err = 0;

    /* PCRE2_USE_OFFSET_LIMIT: the scanner bounds where a confirm may start (scanner.c) */
    *out = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_USE_OFFSET_LIMIT, &err,
                         &off, e->cctx);
    if (*out)
        return 0;
    if (err == PCRE2_ERROR_NOMEMORY || err == PCRE2_ERROR_HEAP_FAILED)
        return lh_error_set(LH_ENOMEM, "out of memory compiling rule %s", r->id);
    if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
        memcpy(msg, "unknown error", sizeof("unknown error"));
    return lh_error_set(LH_ERULE, "%s:%u:%u: rule %s: PCRE2 rejected the %s at offset %zu: %s",
                        r->file ? r->file : "<rules>", r->pattern_line, r->pattern_col, r->id,
                        what, (size_t)off, (const char *)msg);
}

/* Compiles a rule's pattern and allow patterns (lh_erule_init, or later for a precompiled rule). */
static int lh_erule_compile(struct lh_engine *e, struct lh_erule *er)
{
    const struct lh_rule *r = er->rule;
    size_t k;
    int rc;

    if (er->code == NULL) {
        rc = lh_pcre_compile(&er->code, e, r, r->pattern, "pattern");
        if (rc)
            return rc;
    }
    if (r->n_allow && er->allow == NULL) {
        er->allow = lh_calloc(r->n_allow, sizeof(*er->allow));
        if (er->allow == NULL)
            return lh_error_set(LH_ENOMEM, "out of memory compiling rule %s", r->id);
    }
    for (k = er->n_allow; k < r->n_allow; k++) {
        rc = lh_pcre_compile(&er->allow[k], e, r, r->allow[k], "allow pattern");
        if (rc)
            return rc;
        er->n_allow = k + 1;
    }
    return 0;
}

int lh_engine_jit(struct lh_engine *e, struct lh_erule *er)
{
    size_t i;
    int rc = 0;

    if (atomic_load_explicit(&er->state, memory_order_acquire) == LH_PCRE_READY)
        return 0;
    pthread_mutex_lock(&e->lock);
    if (atomic_load_explicit(&er->state, memory_order_relaxed) != LH_PCRE_READY) {
        rc = lh_erule_compile(e, er);
        if (rc == 0) {
            /* a pattern the JIT cannot take (or JIT unavailable) runs in the interpreter */
            er->jit = pcre2_jit_compile(er->code, PCRE2_JIT_COMPLETE) == 0;
            er->jit_partial = er->jit &&
                              pcre2_jit_compile(er->code, PCRE2_JIT_PARTIAL_HARD) == 0;
            for (i = 0; i < er->n_allow; i++)
                (void)pcre2_jit_compile(er->allow[i], PCRE2_JIT_COMPLETE);
            atomic_store_explicit(&er->state, LH_PCRE_READY, memory_order_release);
        }
    }
    pthread_mutex_unlock(&e->lock);
    return rc;
}

/* ---- Hyperscan ------------------------------------------------------------------------------- */

static int lh_hs_rejected(const struct lh_rule *r, const char *msg)
{
    return lh_error_set(LH_ERULE, "%s:%u:%u: rule %s: Hyperscan rejected the pattern: %s",
                        r->file ? r->file : "<rules>", r->pattern_line, r->pattern_col, r->id,
                        msg);
}

/* Decides exact or prefilter for one rule and records its widths (always those of the whole
 * pattern). A rule with a trigger is a prefilter: Hyperscan compiles only the trigger, a part of the
 * pattern's top-level sequence that every match contains and that matches at least one byte, so
 * for every match it reports an end inside that match, and PCRE2 confirms the whole pattern in a
 * window of the whole pattern's width before each candidate (see scanner.c). */
int lh_engine_classify(struct lh_erule *er)
{
    const struct lh_rule *r = er->rule;
    const char *file = r->file ? r->file : "<rules>";
    hs_expr_info_t *info = NULL;
    hs_compile_error_t *err = NULL;
    size_t from, to;
    bool whole;
    int rc;

    er->hs_flags = 0;
    if (lh_engine_trigger(&from, &to, er->hs_pattern) != 0)
        return lh_error_set(LH_ERULE,
                            "%s:%u:%u: rule %s: %s must appear once (and %s at most once after "
                            "it), outside any group or class, not before a quantifier, in a "
                            "pattern without top-level alternation or unscoped (?flags)",
                            file, r->pattern_line, r->pattern_col, r->id, LH_TRIGGER_MARK,
                            LH_TRIGGER_END);
    if (hs_expression_info(er->hs_pattern, 0, &info, &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        err = NULL;
        er->hs_flags = HS_FLAG_PREFILTER;
        if (hs_expression_info(er->hs_pattern, HS_FLAG_PREFILTER, &info, &err) != HS_SUCCESS) {
            rc = lh_hs_rejected(er->rule, err ? err->message : "unknown error");
            hs_free_compile_error(err);
            return rc;
        }
    }
    er->min_width = info->min_width;
    er->max_width = info->max_width; /* UINT_MAX when unbounded */
    free(info);
    info = NULL;
    if (from == 0)
        return 0;
    /* A trigger that runs to the end reports true end offsets: any pattern may have one (an
     * unbounded exact one would then lose matches longer than LH_CONFIRM_WINDOW, so not that).
     * One that stops earlier reports offsets inside matches: only a bounded pattern, whose window
     * covers a whole match before any of its offsets, may have it. */
    whole = er->hs_pattern[to] == '\0';
    if (er->max_width == UINT32_MAX && (!whole || er->hs_flags == 0))
        return lh_error_set(LH_ERULE,
                            "%s:%u:%u: rule %s: a trigger needs a pattern of bounded width (or, "
                            "running to the end, one Hyperscan takes only as a prefilter)",
                            file, r->pattern_line, r->pattern_col, r->id);
    er->hs_flags = HS_FLAG_PREFILTER;
    er->hs_trigger = lh_malloc(to - from + 1);
    if (er->hs_trigger == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory compiling rule %s", r->id);
    memcpy(er->hs_trigger, er->hs_pattern + from, to - from);
    er->hs_trigger[to - from] = '\0';
    if (hs_expression_info(er->hs_trigger, HS_FLAG_PREFILTER, &info, &err) != HS_SUCCESS) {
        rc = lh_hs_rejected(r, err ? err->message : "unknown error");
        hs_free_compile_error(err);
        return rc;
    }
    rc = info->min_width == 0
             ? lh_error_set(LH_ERULE, "%s:%u:%u: rule %s: the trigger can match an empty string",
                            file, r->pattern_line, r->pattern_col, r->id)
             : 0;
    free(info);
    return rc;
}

static int lh_hs_compile(struct lh_engine *e)
{
    const char **pats = NULL;
    unsigned *flags = NULL, *ids = NULL;
    hs_compile_error_t *err = NULL;
    size_t i;
    int rc = 0;

    for (i = 0; i < e->n_rules; i++) {
        rc = lh_engine_classify(&e->rules[i]);
        if (rc)
            return rc;
    }
    pats = lh_calloc(e->n_rules, sizeof(*pats));
    flags = lh_calloc(e->n_rules, sizeof(*flags));
    ids = lh_calloc(e->n_rules, sizeof(*ids));
    if (pats == NULL || flags == NULL || ids == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory compiling the rule set");
        goto out;
    }
    for (i = 0; i < e->n_rules; i++) {
        pats[i] = e->rules[i].hs_trigger ? e->rules[i].hs_trigger : e->rules[i].hs_pattern;
        flags[i] = e->rules[i].hs_flags;
        ids[i] = (unsigned)i;
    }
    if (hs_compile_multi(pats, flags, ids, (unsigned)e->n_rules, HS_MODE_BLOCK, NULL, &e->db,
                         &err) != HS_SUCCESS) {
        if (err && err->expression >= 0 && (size_t)err->expression < e->n_rules)
            rc = lh_hs_rejected(e->rules[err->expression].rule, err->message);
        else
            rc = lh_error_set(LH_ERULE, "Hyperscan could not compile the rule set: %s",
                              err ? err->message : "unknown error");
        hs_free_compile_error(err);
        e->db = NULL;
    }
out:
    free(pats);
    free(flags);
    free(ids);
    return rc;
}

/* ---- the engine ------------------------------------------------------------------------------ */

/* Every thread clones the scratch, so its size is capped (LH_MAX_HS_SCRATCH). Over the cap, the
 * message names the packs (distinct rule files, in ruleset order, at most four) of the set. */
static int lh_scratch_check(const struct lh_engine *e)
{
    const size_t cap = e->opts.max_scratch ? e->opts.max_scratch : LH_MAX_HS_SCRATCH;
    const char *packs[4];
    size_t size = 0, n_packs = 0, more = 0, i, k;
    struct lh_buf b;
    int rc;

    if (hs_scratch_size(e->scratch, &size) != HS_SUCCESS)
        return lh_error_set(LH_EINVALID, "cannot read the Hyperscan scratch size");
    if (size <= cap)
        return 0;
    for (i = 0; i < e->n_rules; i++) {
        const char *f = e->rules[i].rule->file ? e->rules[i].rule->file : "<rules>";

        for (k = 0; k < n_packs && strcmp(packs[k], f) != 0; k++)
            ;
        if (k < n_packs)
            continue;
        if (n_packs < sizeof(packs) / sizeof(packs[0]))
            packs[n_packs++] = f;
        else
            more++; /* may count a file twice; only says that the list goes on */
    }
    lh_buf_init(&b, 65536);
    rc = 0;
    for (k = 0; k < n_packs && rc == 0; k++)
        rc = lh_buf_addf(&b, "%s%s", k ? ", " : "", packs[k]);
    if (rc == 0 && more)
        rc = lh_buf_adds(&b, " and more");
    rc = lh_error_set(LH_ELIMIT,
                      "rule pack %s: the %zu rules need %zu bytes of Hyperscan scratch per "
                      "thread, over the limit of %zu (LH_MAX_HS_SCRATCH): split the pack or "
                      "simplify its widest patterns",
                      rc == 0 && b.ptr ? b.ptr : "<rules>", e->n_rules, size, cap);
    lh_buf_release(&b);
    return rc;
}

static int lh_ruleset_hash(struct lh_engine *e)
{
    struct lh_buf b;
    const void *parts[1];
    size_t lens[1];
    size_t i, k;
    int rc = 0;

    lh_buf_init(&b, (size_t)1 << 30);
    for (i = 0; i < e->n_rules && rc == 0; i++) {
        const struct lh_rule *r = e->rules[i].rule;

        rc = lh_buf_addf(&b, "%s%c%s%c%.17g%c%s%c", r->id, 0, r->pattern, 0, r->min_entropy, 0,
                         r->validate ? r->validate : "", 0);
        for (k = 0; k < r->n_allow && rc == 0; k++)
            rc = lh_buf_addf(&b, "allow%c%s%c", 0, r->allow[k], 0);
        if (rc == 0)
            rc = lh_buf_addc(&b, '\n');
    }
    if (rc == 0) {
        parts[0] = b.ptr ? b.ptr : "";
        lens[0] = b.len;
        lh_sha256_hex(e->info.ruleset_hash, parts, lens, 1);
    }
    lh_buf_release(&b);
    return rc;
}

static int lh_erule_init(struct lh_engine *e, struct lh_erule *er, const struct lh_rule *r,
                         size_t index)
{
    int rc;

    er->rule = r;
    er->rule_index = index;
    atomic_init(&er->state, LH_PCRE_COMPILED);
    if (r->validate) {
        er->validator = lh_validator_find(r->validate);
        if (er->validator == NULL)
            return lh_error_set(LH_ERULE, "%s:%u:%u: rule %s: unknown validator \"%s\"",
                                r->file ? r->file : "<rules>", r->line, r->col, r->id,
                                r->validate);
    }
    rc = lh_engine_hs_pattern(&er->hs_pattern, r->pattern);
    if (rc)
        return rc;
    er->one_line = lh_engine_one_line(r->pattern);
    /* The precompiled built-in pack was compiled, PCRE2 included, when it was generated: its
     * codes wait for the rule's first candidate (a hook run touches a handful of rules). */
    if (r->builtin == 0) {
        rc = lh_erule_compile(e, er);
        if (rc)
            return rc;
    }
    if (r->secret_group > e->max_group)
        e->max_group = r->secret_group;
    return 0;
}

/* The precompiled built-in pack when e's enabled rules are exactly its rules in its order (the
 * common case: no --rules, nothing disabled), else NULL. Its ruleset hash and Hyperscan database
 * were computed from those very rules when the binary was built. */
static const struct lh_precompiled *lh_engine_precompiled(const struct lh_engine *e)
{
    const struct lh_precompiled *pc = lh_precompiled_get();
    size_t i;

    if (pc == NULL || e->n_rules != pc->n_rules || e->opts.no_cache)
        return NULL;
    for (i = 0; i < e->n_rules; i++)
        if (e->rules[i].rule->builtin != i + 1)
            return NULL;
    return pc;
}

int lh_engine_build(struct lh_engine **out, const struct lh_ruleset *rs,
                    const struct lh_engine_opts *opts, const bool *skip)
{
    const struct lh_precompiled *pc;
    struct lh_engine *e;
    char *path = NULL, key[65];
    uint64_t t0;
    size_t i, n;
    int rc = 0;

    *out = NULL;
    e = lh_calloc(1, sizeof(*e));
    if (e == NULL)
        return lh_error_set(LH_ENOMEM, "out of memory creating the engine");
    e->rs = rs;
    if (opts)
        e->opts = *opts;
    e->opts.cache_dir = NULL;
    e->window = e->opts.window ? e->opts.window : LH_CONFIRM_WINDOW;
    if (pthread_mutex_init(&e->lock, NULL) != 0) {
        rc = lh_error_set(LH_ENOMEM, "cannot create the engine lock");
        goto out;
    }
    e->lock_init = true;
    e->gctx = pcre2_general_context_create(lh_pcre_malloc, lh_pcre_free, NULL);
    e->cctx = e->gctx ? pcre2_compile_context_create(e->gctx) : NULL;
    if (e->cctx == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory creating the engine");
        goto out;
    }

    n = 0;
    for (i = 0; i < lh_ruleset_count(rs); i++)
        if (!lh_ruleset_get(rs, i)->disabled && !(skip && skip[i]))
            n++;
    e->rules = lh_calloc(n ? n : 1, sizeof(*e->rules));
    if (e->rules == NULL) {
        rc = lh_error_set(LH_ENOMEM, "out of memory creating the engine");
        goto out;
    }
    for (i = 0; i < lh_ruleset_count(rs); i++) {
        const struct lh_rule *r = lh_ruleset_get(rs, i);

        if (r->disabled || (skip && skip[i]))
            continue;
        rc = lh_erule_init(e, &e->rules[e->n_rules], r, i);
        e->n_rules++; /* counted even on failure so that _free releases the partial entry */
        if (rc)
            goto out;
    }
    pc = lh_engine_precompiled(e);
    if (pc)
        memcpy(e->info.ruleset_hash, pc->ruleset_hash, sizeof(e->info.ruleset_hash));
    else
        rc = lh_ruleset_hash(e);
    if (rc)
        goto out;

    t0 = lh_engine_now_ns();
    if (e->n_rules > 0) {
        /* the database generated with the built-in pack: no hashing, no file, no compile */
        if (pc && lh_cache_decode(e, pc->hsdb, pc->hsdb_len, NULL) == 0)
            e->info.cache_hit = e->info.embedded_db = true;
        if (!e->info.cache_hit && !e->opts.no_cache &&
            lh_cache_path(&path, key, e, opts ? opts->cache_dir : NULL) == 0 &&
            lh_cache_load(e, path, key) == 0)
            e->info.cache_hit = true;
        if (!e->info.cache_hit) {
            rc = lh_hs_compile(e);
            if (rc)
                goto out;
            if (path && lh_cache_store(e, path, key) == 0)
                e->info.cache_written = true;
        }
        if (hs_alloc_scratch(e->db, &e->scratch) != HS_SUCCESS) {
            rc = lh_error_set(LH_ENOMEM, "cannot allocate Hyperscan scratch space");
            goto out;
        }
        rc = lh_scratch_check(e);
        if (rc)
            goto out;
    }
    e->info.compile_ms = (double)(lh_engine_now_ns() - t0) / 1e6;
    e->info.n_patterns = e->n_rules;
    for (i = 0; i < e->n_rules; i++)
        if (e->rules[i].hs_flags & HS_FLAG_PREFILTER)
            e->info.n_prefilter++;
    lh_error_clear();
out:
    free(path);
    if (rc) {
        lh_engine_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

int lh_engine_new(struct lh_engine **out, const struct lh_ruleset *rs,
                  const struct lh_engine_opts *opts)
{
    return lh_engine_build(out, rs, opts, NULL);
}

void lh_engine_free(struct lh_engine *e)
{
    size_t i, k;

    if (e == NULL)
        return;
    for (i = 0; i < e->n_rules; i++) {
        struct lh_erule *er = &e->rules[i];

        free(er->hs_pattern);
        free(er->hs_trigger);
        pcre2_code_free(er->code);
        for (k = 0; k < er->n_allow; k++)
            pcre2_code_free(er->allow[k]);
        free(er->allow);
    }
    free(e->rules);
    hs_free_scratch(e->scratch);
    hs_free_database(e->db);
    pcre2_compile_context_free(e->cctx);
    pcre2_general_context_free(e->gctx);
    if (e->lock_init)
        pthread_mutex_destroy(&e->lock);
    free(e);
}

const struct lh_engine_info *lh_engine_info(const struct lh_engine *e)
{
    return &e->info;
}

const struct lh_ruleset *lh_engine_ruleset(const struct lh_engine *e)
{
    return e->rs;
}
