/*
 * bench_engine.c - single-threaded engine throughput on an in-memory corpus (not a test).
 *
 * Loads a rule set (the built-in pack and/or --rules PATH), compiles it (timing a fresh compile,
 * the cache write and a cache hit), reads one corpus file into memory and scans it N times on one
 * thread, in 1 MiB chunks (cut at the last newline, as blobs would be) and as one whole chunk,
 * printing the median MB/s (10^6 bytes per second) and the engine's counters. The whole-chunk
 * figure is subject to the engine's per-chunk caps (LH_MAX_MATCHES_PER_RULE,
 * LH_MAX_CANDIDATES_PER_RULE), which is why its `capped` counter is printed beside it.
 *
 * --rule-cost: for each enabled rule, a fresh rule set without that rule is compiled (no cache)
 * and the same data scanned, right after a scan with the full set (paired, so load drift cancels); the rules whose removal speeds the scan up most are printed with the
 * candidates, confirms and matches they account for ("remove one rule at a time").
 *
 * --scan-only: one engine from the default cache, 1 MiB chunks only (what to run under perf).
 *
 * --dump PATH: every match of the first 1 MiB-chunk run, one line each (corpus offsets of the match
 * and of the secret, rule id, entropy, validated), so that two builds can be compared byte for byte.
 *
 * Timing is clock_gettime(CLOCK_MONOTONIC) around the scan loop only (scanners are created outside
 * the timed region), with the thread's CPU time (CLOCK_THREAD_CPUTIME_ID) beside it: on a shared
 * machine the CPU time is the steadier figure, and --rule-cost ranks rules by it. Nothing here is
 * part of the test suite.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "rules/rules.h"
#include "util/alloc.h"
#include "util/chunk.h"
#include "util/error.h"

#define MIB (1024u * 1024u)

struct bench_opts {
    const char *rules_path;
    bool no_builtin;
    unsigned runs;
    bool rule_cost;
    bool scan_only; /* skip the compile timings and the whole-chunk mode (for perf record) */
    double limit_mb; /* rule-cost: scan only this much of the corpus */
    unsigned top;
    const char *dump; /* write every match of the first 1 MiB-chunk run here */
    const char *corpus;
};

struct run_result {
    double seconds;     /* wall, CLOCK_MONOTONIC */
    double cpu_seconds; /* this thread's CPU time: robust when other work shares the cores */
    struct lh_scan_stats st;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    if (n % 2)
        return v[n / 2];
    return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int read_file(unsigned char **out, size_t *len, const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long sz;
    int rc = -1;

    if (!f) {
        fprintf(stderr, "bench_engine: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0)
        goto out;
    sz = ftell(f);
    if (sz < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto out;
    buf = lh_malloc((size_t)sz + 1);
    if (!buf)
        goto out;
    if (fread(buf, 1, (size_t)sz, f) != (size_t)sz)
        goto out;
    *out = buf;
    *len = (size_t)sz;
    buf = NULL;
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "bench_engine: cannot read %s\n", path);
    free(buf);
    fclose(f);
    return rc;
}

static int build_ruleset(struct lh_ruleset **out, const struct bench_opts *o, const char *disable)
{
    struct lh_ruleset *rs = NULL;
    int rc;

    rc = lh_ruleset_new(&rs);
    if (rc == 0 && !o->no_builtin)
        rc = lh_ruleset_load_builtin(rs);
    if (rc == 0 && o->rules_path)
        rc = lh_ruleset_load_path(rs, o->rules_path);
    if (rc == 0 && disable)
        rc = lh_ruleset_disable(rs, disable);
    if (rc) {
        fprintf(stderr, "bench_engine: rules: %s\n", lh_error_last());
        lh_ruleset_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

/* What a scan's callback counts and, for --dump, writes: one line per match with offsets into the
 * whole corpus (chunk offset + match offsets), so two builds' outputs can be compared with cmp. */
struct tally {
    uint64_t *per_rule;
    FILE *dump;
    size_t base; /* the chunk's offset in the corpus */
};

static int count_match(void *payload, const struct lh_chunk *c, const struct lh_match *m)
{
    struct tally *t = payload;

    (void)c;
    if (t == NULL)
        return 0;
    if (t->per_rule)
        t->per_rule[m->rule_index]++;
    if (t->dump &&
        fprintf(t->dump, "%zu %zu %zu %zu %s %.4f %d\n", t->base + m->start, t->base + m->end,
                t->base + m->secret_start, t->base + m->secret_end, m->rule->id, m->entropy,
                (int)m->validated) < 0)
        return 1;
    return 0;
}

/* Scans data[0..len) once in chunks of at most `chunk` bytes, cut after the last newline. */
static int scan_once(struct run_result *res, const struct lh_engine *e, const unsigned char *data,
                     size_t len, size_t chunk, struct tally *tally)
{
    struct lh_scanner *s = NULL;
    struct lh_chunk c;
    size_t off = 0;
    double t0, c0;
    int rc;

    rc = lh_scanner_new(&s, e);
    if (rc) {
        fprintf(stderr, "bench_engine: scanner: %s\n", lh_error_last());
        return rc;
    }
    memset(&c, 0, sizeof(c));
    c.path = "corpus";
    c.kind = LH_SRC_FILE;
    t0 = now_s();
    c0 = cpu_s();
    while (off < len) {
        size_t n = len - off;

        if (n > chunk) {
            const unsigned char *nl = NULL;
            size_t k;

            for (k = chunk; k > 0; k--) {
                if (data[off + k - 1] == '\n') {
                    nl = data + off + k;
                    break;
                }
            }
            n = nl ? (size_t)(nl - (data + off)) : chunk;
        }
        c.data = data + off;
        c.len = n;
        if (tally)
            tally->base = off;
        rc = lh_scanner_scan(s, &c, count_match, tally);
        if (rc) {
            fprintf(stderr, "bench_engine: scan: %s\n", lh_error_last());
            break;
        }
        off += n;
    }
    res->seconds = now_s() - t0;
    res->cpu_seconds = cpu_s() - c0;
    lh_scanner_stats(s, &res->st);
    lh_scanner_free(s);
    return rc;
}

/* Median wall and CPU seconds over runs; stats of the last run (they are the same every run). */
static int scan_median(double *secs, double *cpu, struct lh_scan_stats *st,
                       const struct lh_engine *e, const unsigned char *data, size_t len,
                       size_t chunk, unsigned runs, struct tally *tally)
{
    double *t = lh_calloc(2 * (size_t)runs, sizeof(*t));
    struct run_result r;
    unsigned i;
    int rc = 0;

    if (!t)
        return LH_ENOMEM;
    memset(&r, 0, sizeof(r));
    for (i = 0; i < runs; i++) {
        rc = scan_once(&r, e, data, len, chunk, i == 0 ? tally : NULL);
        if (rc)
            goto out;
        t[i] = r.seconds;
        t[runs + i] = r.cpu_seconds;
    }
    *secs = median(t, runs);
    *cpu = median(t + runs, runs);
    *st = r.st;
out:
    free(t);
    return rc;
}

static void print_mode(const char *label, double secs, double cpu, const struct lh_scan_stats *st,
                       size_t len)
{
    printf("%-10s %8.1f MB/s  (%.3f s for %.1f MB; thread CPU %.3f s = %.1f MB/s)  chunks=%llu candidates=%llu confirms=%llu "
           "matches=%llu drop_entropy=%llu drop_validator=%llu drop_allow=%llu capped=%llu "
           "pcre_limit=%llu hs_ms=%.1f confirm_ms=%.1f\n",
           label, (double)len / secs / 1e6, secs, (double)len / 1e6, cpu,
           (double)len / cpu / 1e6, (unsigned long long)st->chunks, (unsigned long long)st->candidates,
           (unsigned long long)st->confirms, (unsigned long long)st->matches,
           (unsigned long long)st->drop_entropy, (unsigned long long)st->drop_validator,
           (unsigned long long)st->drop_allow, (unsigned long long)st->capped,
           (unsigned long long)st->pcre_limit, (double)st->ns_match / 1e6,
           (double)st->ns_confirm / 1e6);
}

static int new_engine(struct lh_engine **out, double *wall_ms, const struct lh_ruleset *rs,
                      const char *cache_dir, bool no_cache)
{
    struct lh_engine_opts eo;
    double t0;
    int rc;

    memset(&eo, 0, sizeof(eo));
    eo.cache_dir = cache_dir;
    eo.no_cache = no_cache;
    t0 = now_s();
    rc = lh_engine_new(out, rs, &eo);
    *wall_ms = (now_s() - t0) * 1e3;
    if (rc)
        fprintf(stderr, "bench_engine: engine: %s\n", lh_error_last());
    return rc;
}

struct cost {
    const struct lh_rule *rule;
    double saved_s;
    struct lh_scan_stats st;
};

static int cmp_cost(const void *a, const void *b)
{
    const struct cost *x = a, *y = b;

    return (y->saved_s > x->saved_s) - (y->saved_s < x->saved_s);
}

static int rule_cost(const struct bench_opts *o, const unsigned char *data, size_t len)
{
    struct lh_ruleset *base = NULL;
    struct lh_engine *e = NULL;
    struct lh_scan_stats bst;
    struct cost *costs = NULL;
    size_t i, n_rules, n_costs = 0;
    double base_s, base_s2, base_w, w2, ms;
    int rc;

    if (o->limit_mb > 0 && (double)len > o->limit_mb * 1e6)
        len = (size_t)(o->limit_mb * 1e6);
    rc = build_ruleset(&base, o, NULL);
    if (rc)
        return rc;
    rc = new_engine(&e, &ms, base, NULL, true);
    if (rc)
        goto out;
    rc = scan_median(&base_w, &base_s, &bst, e, data, len, MIB, o->runs, NULL);
    if (rc)
        goto out;
    n_rules = lh_ruleset_count(base);
    printf("rule-cost: %zu rules, %.1f MB in 1 MiB chunks, median of %u runs of thread CPU time "
           "(wall for the baseline: %.4f s)\n",
           n_rules, (double)len / 1e6, o->runs, base_w);
    printf("baseline   %8.1f MB/s  (%.4f s CPU) candidates=%llu confirms=%llu matches=%llu\n",
           (double)len / base_s / 1e6, base_s, (unsigned long long)bst.candidates,
           (unsigned long long)bst.confirms, (unsigned long long)bst.matches);
    fflush(stdout);
    costs = lh_calloc(n_rules ? n_rules : 1, sizeof(*costs));
    if (!costs) {
        rc = LH_ENOMEM;
        goto out;
    }
    for (i = 0; i < n_rules; i++) {
        const struct lh_rule *r = lh_ruleset_get(base, i);
        struct lh_ruleset *rs = NULL;
        struct lh_engine *without = NULL;
        struct lh_scan_stats pst;
        double s, w, pb;

        if (r->disabled)
            continue;
        rc = build_ruleset(&rs, o, r->id);
        if (rc)
            goto out;
        rc = new_engine(&without, &ms, rs, NULL, true);
        /* paired: the full set is timed right before the set without the rule, so drift in
         * the machine's load over the sweep cancels out of the difference */
        if (rc == 0)
            rc = scan_median(&w, &pb, &pst, e, data, len, MIB, o->runs, NULL);
        if (rc == 0)
            rc = scan_median(&w, &s, &costs[n_costs].st, without, data, len, MIB, o->runs, NULL);
        lh_engine_free(without);
        lh_ruleset_free(rs);
        if (rc)
            goto out;
        costs[n_costs].rule = r;
        costs[n_costs].saved_s = pb - s;
        n_costs++;
    }
    /* A second baseline shows how much the machine drifted over the sweep (each saving is
     * measured against a paired baseline, so drift matters only within a pair). */
    rc = scan_median(&w2, &base_s2, &bst, e, data, len, MIB, o->runs, NULL);
    if (rc)
        goto out;
    qsort(costs, n_costs, sizeof(*costs), cmp_cost);
    printf("baseline again %8.1f MB/s (%.4f s CPU): drift %.1f%%\n", (double)len / base_s2 / 1e6,
           base_s2, 100.0 * (base_s2 - base_s) / base_s);
    printf("%-4s %-40s %9s %7s %12s %10s %9s\n", "rank", "rule removed", "saved_ms", "saved%",
           "candidates", "confirms", "matches");
    for (i = 0; i < n_costs && i < o->top; i++) {
        const struct cost *c = &costs[i];

        printf("%-4zu %-40s %9.2f %6.1f%% %12lld %10lld %9lld\n", i + 1, c->rule->id,
               c->saved_s * 1e3, 100.0 * c->saved_s / base_s,
               (long long)bst.candidates - (long long)c->st.candidates,
               (long long)bst.confirms - (long long)c->st.confirms,
               (long long)bst.matches - (long long)c->st.matches);
    }
out:
    free(costs);
    lh_engine_free(e);
    lh_ruleset_free(base);
    return rc;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_engine [--rules PATH] [--no-builtin] [--runs N] [--scan-only] "
            "[--dump PATH] [--rule-cost [--limit-mb MB] [--top N]] CORPUS_FILE\n");
}

static int parse_uint(unsigned *out, const char *s)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || !end || *end || v <= 0 || v > 100000)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int parse_args(struct bench_opts *o, int argc, char **argv)
{
    int i;

    memset(o, 0, sizeof(*o));
    o->runs = 5;
    o->top = 10;
    o->limit_mb = 32;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--rules") == 0 && v) {
            o->rules_path = v;
            i++;
        } else if (strcmp(a, "--no-builtin") == 0) {
            o->no_builtin = true;
        } else if (strcmp(a, "--runs") == 0 && v) {
            if (parse_uint(&o->runs, v))
                return -1;
            i++;
        } else if (strcmp(a, "--top") == 0 && v) {
            if (parse_uint(&o->top, v))
                return -1;
            i++;
        } else if (strcmp(a, "--limit-mb") == 0 && v) {
            char *end = NULL;
            o->limit_mb = strtod(v, &end);
            if (!end || *end)
                return -1;
            i++;
        } else if (strcmp(a, "--dump") == 0 && v) {
            o->dump = v;
            i++;
        } else if (strcmp(a, "--scan-only") == 0) {
            o->scan_only = true;
        } else if (strcmp(a, "--rule-cost") == 0) {
            o->rule_cost = true;
        } else if (a[0] == '-' || o->corpus) {
            return -1;
        } else {
            o->corpus = a;
        }
    }
    return o->corpus ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    struct lh_ruleset *rs = NULL;
    struct lh_engine *e = NULL;
    unsigned char *data = NULL;
    uint64_t *per_rule = NULL;
    struct tally tally;
    char cache_dir[] = "/tmp/lh-bench-cache-XXXXXX";
    bool have_cache = false;
    struct lh_scan_stats st;
    double secs, cpu, ms;
    size_t len = 0, i, n_rules;
    int rc = 1;

    if (parse_args(&o, argc, argv)) {
        usage();
        return 2;
    }
    if (read_file(&data, &len, o.corpus))
        return 1;
    if (o.rule_cost) {
        rc = rule_cost(&o, data, len) ? 1 : 0;
        free(data);
        return rc;
    }
    if (build_ruleset(&rs, &o, NULL))
        goto out;
    n_rules = lh_ruleset_count(rs);
    printf("corpus %s: %.1f MB; rules: %zu (%zu enabled)\n", o.corpus, (double)len / 1e6, n_rules,
           lh_ruleset_enabled(rs));

    if (o.scan_only) {
        if (new_engine(&e, &ms, rs, NULL, false))
            goto out;
        printf("engine ready in %.1f ms (cache hit=%d)\n", ms, lh_engine_info(e)->cache_hit);
        goto scan;
    }
    /* compile without the cache, then write it, then hit it */
    if (new_engine(&e, &ms, rs, NULL, true))
        goto out;
    printf("compile    no cache:   %8.1f ms wall (engine says %.1f ms); patterns=%zu "
           "prefilter=%zu\n",
           ms, lh_engine_info(e)->compile_ms, lh_engine_info(e)->n_patterns,
           lh_engine_info(e)->n_prefilter);
    lh_engine_free(e);
    e = NULL;
    if (!mkdtemp(cache_dir)) {
        fprintf(stderr, "bench_engine: mkdtemp: %s\n", strerror(errno));
        goto out;
    }
    have_cache = true;
    if (new_engine(&e, &ms, rs, cache_dir, false))
        goto out;
    printf("compile    cache miss: %8.1f ms wall (hit=%d written=%d)\n", ms,
           lh_engine_info(e)->cache_hit, lh_engine_info(e)->cache_written);
    lh_engine_free(e);
    e = NULL;
    if (new_engine(&e, &ms, rs, cache_dir, false))
        goto out;
    printf("compile    cache hit:  %8.1f ms wall (hit=%d, engine says %.1f ms)\n", ms,
           lh_engine_info(e)->cache_hit, lh_engine_info(e)->compile_ms);

scan:
    per_rule = lh_calloc(n_rules ? n_rules : 1, sizeof(*per_rule));
    if (!per_rule)
        goto out;
    memset(&tally, 0, sizeof(tally));
    tally.per_rule = per_rule;
    if (o.dump) {
        tally.dump = fopen(o.dump, "w");
        if (!tally.dump) {
            fprintf(stderr, "bench_engine: %s: %s\n", o.dump, strerror(errno));
            goto out;
        }
    }
    printf("scan, single thread, median of %u runs:\n", o.runs);
    fflush(stdout);
    rc = scan_median(&secs, &cpu, &st, e, data, len, MIB, o.runs, &tally);
    if (tally.dump && fclose(tally.dump) != 0 && rc == 0)
        rc = -1;
    tally.dump = NULL;
    if (rc) {
        rc = 1;
        goto out;
    }
    rc = 1;
    print_mode("1MiB", secs, cpu, &st, len);
    fflush(stdout);
    if (!o.scan_only && scan_median(&secs, &cpu, &st, e, data, len, len ? len : 1, o.runs, NULL))
        goto out;
    if (!o.scan_only)
        print_mode("whole", secs, cpu, &st, len);
    printf("matches per rule (1 MiB chunks):\n");
    for (i = 0; i < n_rules; i++)
        if (per_rule[i])
            printf("  %-40s %llu\n", lh_ruleset_get(rs, i)->id, (unsigned long long)per_rule[i]);
    rc = 0;
out:
    if (have_cache) {
        char cmd[128];
        /* the cache directory holds only what the engine wrote there */
        int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache_dir);
        if (n > 0 && (size_t)n < sizeof(cmd) && system(cmd) != 0)
            fprintf(stderr, "bench_engine: could not remove %s\n", cache_dir);
    }
    free(per_rule);
    lh_engine_free(e);
    lh_ruleset_free(rs);
    free(data);
    return rc;
}
