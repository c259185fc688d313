/*
 * test_filter_dedupe.c - one secret at one place gives one finding (lh_filter_dedupe): which of two
 * rules is kept (provider over generic, passed checksum, severity, longer secret, rule id), what
 * counts as one place (path, commit, blob, overlapping line/column spans), the drop counter, that
 * the outcome does not depend on the order the workers produced the findings in, and that the
 * baseline is applied to the survivors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine/finding.h"
#include "filter/baseline.h"
#include "filter/filter.h"
#include "util/alloc.h"

static struct lh_rule env_rule = {.id = (char *)"generic.env-assignment",
                                  .severity = LH_SEV_MEDIUM, .confidence = LH_CONF_LOW};
static struct lh_rule unquoted_rule = {.id = (char *)"generic.config-unquoted",
                                       .severity = LH_SEV_MEDIUM, .confidence = LH_CONF_LOW};
static struct lh_rule jwt_rule = {.id = (char *)"generic.jwt", .severity = LH_SEV_MEDIUM,
                                  .confidence = LH_CONF_MEDIUM};
static struct lh_rule basic_rule = {.id = (char *)"generic.basic-auth-header",
                                    .severity = LH_SEV_MEDIUM, .confidence = LH_CONF_MEDIUM};
/* a provider rule whose id sorts after "generic.": the id cannot be what makes it win */
static struct lh_rule zeta_rule = {.id = (char *)"zeta.session-token", .severity = LH_SEV_MEDIUM,
                                   .confidence = LH_CONF_MEDIUM};
static struct lh_rule npm_a = {.id = (char *)"npm.access-token", .severity = LH_SEV_HIGH,
                               .confidence = LH_CONF_HIGH};
static struct lh_rule npm_b = {.id = (char *)"npm.npmrc-auth-token", .severity = LH_SEV_HIGH,
                               .confidence = LH_CONF_HIGH};
static struct lh_rule crit_rule = {.id = (char *)"acme.key", .severity = LH_SEV_CRITICAL,
                                   .confidence = LH_CONF_HIGH};
static struct lh_rule high_rule = {.id = (char *)"aaa.key", .severity = LH_SEV_HIGH,
                                   .confidence = LH_CONF_HIGH};

struct spec {
    const struct lh_rule *rule;
    const char *path, *commit, *blob;
    uint32_t l0, c0, l1, c1;
    size_t secret_len;
    bool validated;
};

static char *dup_or_null(const char *s)
{
    char *p;

    if (s == NULL)
        return NULL;
    p = lh_strdup(s);
    assert_non_null(p);
    return p;
}

static void push(struct lh_findings *l, const struct spec *s)
{
    struct lh_finding f;

    memset(&f, 0, sizeof(f));
    f.rule = s->rule;
    f.path = dup_or_null(s->path);
    f.commit = dup_or_null(s->commit);
    f.blob_id = dup_or_null(s->blob);
    f.secret = lh_calloc(1, s->secret_len + 1);
    assert_non_null(f.secret);
    memset(f.secret, 'x', s->secret_len);
    f.secret_len = s->secret_len;
    f.line_start = s->l0;
    f.col_start = s->c0;
    f.line_end = s->l1;
    f.col_end = s->c1;
    f.validated = s->validated;
    assert_int_equal(lh_findings_push(l, &f), 0);
}

/* Pushes specs (in the given order), sorts and dedupes like the CLI; returns the drop count. */
static size_t run(struct lh_findings *l, const struct spec *specs, size_t n,
                  struct lh_filter_stats *st)
{
    size_t i;

    lh_findings_init(l);
    for (i = 0; i < n; i++)
        push(l, &specs[i]);
    lh_findings_sort(l);
    return lh_filter_dedupe(l, st);
}

static void test_two_generic_rules_one_finding(void **state)
{
    /* SESSION_SECRET=... on line 8 of a .env: both generic rules report columns 16..55 */
    const struct spec s[] = {
        {&env_rule, ".env", NULL, NULL, 8, 16, 8, 55, 40, false},
        {&unquoted_rule, ".env", NULL, NULL, 8, 16, 8, 55, 40, false},
    };
    struct lh_filter_stats st;
    struct lh_findings l;

    (void)state;
    memset(&st, 0, sizeof(st));
    assert_int_equal(run(&l, s, 2, &st), 1);
    assert_int_equal(l.len, 1);
    /* equal in every respect: the smaller id, whatever the input order */
    assert_string_equal(l.items[0].rule->id, "generic.config-unquoted");
    assert_int_equal(st.dropped[LH_DROP_DUPLICATE], 1);
    assert_int_equal(st.dropped[LH_DROP_BASELINE], 0);
    lh_findings_release(&l);
}

static void test_provider_beats_generic(void **state)
{
    const struct spec s[] = {
        {&jwt_rule, "app.py", NULL, NULL, 3, 10, 3, 200, 191, false},
        {&zeta_rule, "app.py", NULL, NULL, 3, 10, 3, 200, 191, false},
    };
    struct lh_findings l;

    (void)state;
    assert_int_equal(run(&l, s, 2, NULL), 1);
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].rule->id, "zeta.session-token");
    lh_findings_release(&l);
}

static void test_tie_breaks(void **state)
{
    /* a passed checksum wins over the smaller id */
    const struct spec checksum[] = {
        {&npm_a, ".npmrc", NULL, NULL, 2, 34, 2, 73, 40, false},
        {&npm_b, ".npmrc", NULL, NULL, 2, 34, 2, 73, 40, true},
    };
    /* the higher severity wins over the smaller id */
    const struct spec severity[] = {
        {&high_rule, "k.pem", NULL, NULL, 1, 1, 1, 40, 40, false},
        {&crit_rule, "k.pem", NULL, NULL, 1, 1, 1, 40, 40, false},
    };
    /* the longer secret (the span that holds the other) wins over the smaller id */
    const struct spec longer[] = {
        {&npm_a, "sa.json", NULL, NULL, 5, 19, 5, 1756, 1738, false},
        {&npm_b, "sa.json", NULL, NULL, 5, 19, 5, 1758, 1740, false},
    };
    struct lh_findings l;

    (void)state;
    assert_int_equal(run(&l, checksum, 2, NULL), 1);
    assert_string_equal(l.items[0].rule->id, "npm.npmrc-auth-token");
    lh_findings_release(&l);
    assert_int_equal(run(&l, severity, 2, NULL), 1);
    assert_string_equal(l.items[0].rule->id, "acme.key");
    lh_findings_release(&l);
    assert_int_equal(run(&l, longer, 2, NULL), 1);
    assert_string_equal(l.items[0].rule->id, "npm.npmrc-auth-token");
    lh_findings_release(&l);
}

static void test_other_places_are_kept(void **state)
{
    const struct spec s[] = {
        /* same line, columns apart: two secrets */
        {&env_rule, "a.env", NULL, NULL, 1, 1, 1, 20, 20, false},
        {&unquoted_rule, "a.env", NULL, NULL, 1, 21, 1, 40, 20, false},
        /* same span, another file */
        {&env_rule, "b.env", NULL, NULL, 1, 1, 1, 20, 20, false},
        /* same path and span, other blobs (two versions in a history scan) */
        {&env_rule, "c.env", NULL, "blob1", 4, 5, 4, 30, 26, false},
        {&unquoted_rule, "c.env", NULL, "blob2", 4, 5, 4, 30, 26, false},
        /* same path and span, other commits */
        {&env_rule, "d.env", "c1", NULL, 4, 5, 4, 30, 26, false},
        {&unquoted_rule, "d.env", "c2", NULL, 4, 5, 4, 30, 26, false},
        /* a multi-line span that ends just before the next one starts on its last line */
        {&npm_a, "e.txt", NULL, NULL, 1, 5, 3, 10, 60, false},
        {&npm_b, "e.txt", NULL, NULL, 3, 11, 3, 50, 40, false},
    };
    struct lh_filter_stats st;
    struct lh_findings l;

    (void)state;
    memset(&st, 0, sizeof(st));
    assert_int_equal(run(&l, s, sizeof(s) / sizeof(s[0]), &st), 0);
    assert_int_equal(l.len, sizeof(s) / sizeof(s[0]));
    assert_int_equal(st.dropped[LH_DROP_DUPLICATE], 0);
    lh_findings_release(&l);
}

static void test_multiline_overlap(void **state)
{
    /* a PEM block over lines 10..30 and a rule reporting part of its body on line 12 */
    const struct spec s[] = {
        {&npm_b, "key.go", NULL, NULL, 10, 20, 30, 33, 1500, false},
        {&npm_a, "key.go", NULL, NULL, 12, 5, 12, 70, 66, false},
        {&npm_a, "key.go", NULL, NULL, 31, 1, 31, 40, 40, false},
    };
    struct lh_findings l;

    (void)state;
    assert_int_equal(run(&l, s, 3, NULL), 1);
    assert_int_equal(l.len, 2);
    assert_int_equal(l.items[0].line_start, 10);
    assert_string_equal(l.items[0].rule->id, "npm.npmrc-auth-token");
    assert_int_equal(l.items[1].line_start, 31);
    lh_findings_release(&l);
}

static void test_order_independent(void **state)
{
    /* three rules of one confidence on one span, in every input order: the same survivor */
    const struct spec base[] = {
        {&jwt_rule, "h.sh", NULL, NULL, 2, 1, 2, 30, 30, false},
        {&basic_rule, "h.sh", NULL, NULL, 2, 1, 2, 30, 30, false},
        {&zeta_rule, "h.sh", NULL, NULL, 2, 1, 2, 30, 30, false},
    };
    static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    size_t p, k;

    (void)state;
    for (p = 0; p < 6; p++) {
        struct spec s[3];
        struct lh_findings l;
        for (k = 0; k < 3; k++)
            s[k] = base[perms[p][k]];
        assert_int_equal(run(&l, s, 3, NULL), 2);
        assert_int_equal(l.len, 1);
        assert_string_equal(l.items[0].rule->id, "zeta.session-token");
        lh_findings_release(&l);
    }
}

static void test_dedupe_before_baseline(void **state)
{
    /* a baseline written from a scan lists the survivor of the dedupe only; the next scan must drop
     * the survivor as baselined and the other rule's finding as its duplicate, leaving nothing */
    const struct spec s[] = {
        {&env_rule, "repo/.env", NULL, NULL, 8, 16, 8, 55, 40, false},
        {&unquoted_rule, "repo/.env", NULL, NULL, 8, 16, 8, 55, 40, false},
    };
    struct lh_filter *f = NULL;
    struct lh_baseline *b = NULL;
    struct lh_filter_stats st;
    struct lh_findings l;
    size_t i;

    (void)state;
    memset(&st, 0, sizeof(st));
    assert_int_equal(lh_filter_new(&f), 0);
    assert_int_equal(lh_filter_set_root(f, "repo"), 0);
    assert_int_equal(lh_baseline_new(&b), 0);
    lh_findings_init(&l);
    for (i = 0; i < 2; i++) {
        push(&l, &s[i]);
        memset(l.items[i].fingerprint, i == 0 ? 'e' : 'c', 64);
    }
    /* the survivor: generic.config-unquoted (fingerprint "ccc...") */
    {
        char fp[65];
        memset(fp, 'c', 64);
        fp[64] = '\0';
        assert_int_equal(lh_baseline_add(b, fp, "generic.config-unquoted", ".env", 8, false, NULL), 0);
    }
    lh_baseline_sort(b);
    lh_filter_set_baseline(f, b);
    lh_findings_sort(&l);
    lh_filter_collected(f, &l, &st);
    assert_int_equal(l.len, 0);
    assert_int_equal(st.dropped[LH_DROP_DUPLICATE], 1);
    assert_int_equal(st.dropped[LH_DROP_BASELINE], 1);
    lh_findings_release(&l);
    lh_filter_free(f);
    lh_baseline_free(b);
}

static void test_reason_name(void **state)
{
    (void)state;
    assert_string_equal(lh_drop_reason_name(LH_DROP_DUPLICATE), "duplicate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_generic_rules_one_finding),
        cmocka_unit_test(test_provider_beats_generic),
        cmocka_unit_test(test_tie_breaks),
        cmocka_unit_test(test_other_places_are_kept),
        cmocka_unit_test(test_multiline_overlap),
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_dedupe_before_baseline),
        cmocka_unit_test(test_reason_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
