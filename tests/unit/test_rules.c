/*
 * test_rules.c - the rule model and the YAML rule-pack loader: a complete pack in memory (every key,
 * block scalars, escapes with NUL and CRLF), directory packs, every loader error with its exact
 * "file:line:col: rule ID:" message, atomic loads (a failed load changes nothing), duplicate ids
 * across packs, disable/find/count, the embedded pack, and an allocation-failure sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/builtin.h"
#include "rules/rules.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/limits.h"

/* Token-like values are fake and short enough not to look like any provider's secret. */
static const char good_pack[] =
    "# a test pack\n"
    "rules:\n"
    "- id: test.token\n"
    "  name: Test token\n"
    "  pattern: '\\b(tok_[a-z0-9]{8})\\b'\n"
    "  keywords: [tok_, 'tok-']\n"
    "  min_entropy: 2.5\n"
    "  validate: not-placeholder\n"
    "  severity: critical\n"
    "  confidence: high\n"
    "  references:\n"
    "  - https://example.com/tokens\n"
    "  remediation: >\n"
    "    Revoke the token\n"
    "    and rotate it.\n"
    "  allow: ['^tok_0+$', EXAMPLE]\n"
    "  examples:\n"
    "  - 'key = tok_abcd1234'\n"
    "  - \"nul\\x00 tok_abcd1234\\r\\n\"\n"
    "  - |\n"
    "    line one tok_abcd1234\n"
    "    line two\n"
    "  negative_examples: [\"tok_short\", '']\n"
    "- id: test.named\n"
    "  name: |-\n"
    "    Named group rule\n"
    "  pattern: \"(?<user>[a-z]+):(?<secret>[0-9]{4})\"\n"
    "  severity: low\n"
    "  confidence: medium\n"
    "- {id: test.flow-1_x, name: Flow, pattern: 'f=(?<token>[0-9]+)', severity: medium, "
    "confidence: low}\n";

/* One valid rule, for error cases that append a line to it. */
#define RULE_HEAD                                                                                  \
    "rules:\n"                                                                                     \
    "- id: t.a\n"                                                                                  \
    "  name: A rule\n"                                                                             \
    "  pattern: '(a+)'\n"                                                                          \
    "  severity: high\n"                                                                           \
    "  confidence: high\n"

static struct lh_ruleset *new_rs(void)
{
    struct lh_ruleset *rs = NULL;

    assert_int_equal(lh_ruleset_new(&rs), 0);
    assert_non_null(rs);
    return rs;
}

static int load_str(struct lh_ruleset *rs, const char *name, const char *yaml)
{
    return lh_ruleset_load_buffer(rs, name, yaml, strlen(yaml));
}

/* Loads yaml as "t.yml" into a fresh ruleset and expects LH_ERULE with exactly message msg. */
static void expect_error(const char *yaml, const char *msg)
{
    struct lh_ruleset *rs = new_rs();

    lh_error_clear();
    assert_int_equal(load_str(rs, "t.yml", yaml), LH_ERULE);
    assert_string_equal(lh_error_last(), msg);
    assert_int_equal(lh_ruleset_count(rs), 0);
    lh_ruleset_free(rs);
}

/* Same, comparing only the first strlen(prefix) bytes (for messages quoting libyaml/PCRE2). */
static void expect_error_prefix(const char *yaml, const char *prefix)
{
    struct lh_ruleset *rs = new_rs();
    char got[1024];

    lh_error_clear();
    assert_int_equal(load_str(rs, "t.yml", yaml), LH_ERULE);
    snprintf(got, sizeof(got), "%.*s", (int)strlen(prefix), lh_error_last());
    assert_string_equal(got, prefix);
    lh_ruleset_free(rs);
}

static void test_good_pack(void **state)
{
    struct lh_ruleset *rs = new_rs();
    const struct lh_rule *r;
    (void)state;

    assert_int_equal(load_str(rs, "mem.yml", good_pack), 0);
    assert_int_equal(lh_ruleset_count(rs), 3);

    r = lh_ruleset_get(rs, 0);
    assert_string_equal(r->id, "test.token");
    assert_string_equal(r->name, "Test token");
    assert_string_equal(r->pattern, "\\b(tok_[a-z0-9]{8})\\b");
    assert_int_equal(r->secret_group, 1);
    assert_int_equal(r->n_keywords, 2);
    assert_string_equal(r->keywords[0], "tok_");
    assert_string_equal(r->keywords[1], "tok-");
    assert_true(r->min_entropy > 2.49 && r->min_entropy < 2.51);
    assert_string_equal(r->validate, "not-placeholder");
    assert_int_equal(r->severity, LH_SEV_CRITICAL);
    assert_int_equal(r->confidence, LH_CONF_HIGH);
    assert_int_equal(r->n_references, 1);
    assert_string_equal(r->references[0], "https://example.com/tokens");
    assert_string_equal(r->remediation, "Revoke the token and rotate it.\n");
    assert_int_equal(r->n_allow, 2);
    assert_string_equal(r->allow[0], "^tok_0+$");
    assert_string_equal(r->allow[1], "EXAMPLE");
    assert_false(r->disabled);
    assert_string_equal(r->file, "mem.yml");
    assert_int_equal(r->line, 3);
    assert_int_equal(r->col, 3);
    assert_int_equal(r->pattern_line, 5);
    assert_int_equal(r->pattern_col, 12);

    assert_int_equal(r->n_examples, 3);
    assert_int_equal(r->examples[0].len, 18);
    assert_string_equal(r->examples[0].text, "key = tok_abcd1234");
    assert_int_equal(r->examples[0].line, 18);
    assert_int_equal(r->examples[0].col, 5);
    /* exact bytes: an escaped NUL and CRLF survive, len counts them, a NUL terminator follows */
    assert_int_equal(r->examples[1].len, 19);
    assert_memory_equal(r->examples[1].text, "nul\0 tok_abcd1234\r\n", 20);
    assert_int_equal(r->examples[1].line, 19);
    assert_string_equal(r->examples[2].text, "line one tok_abcd1234\nline two\n");
    assert_int_equal(r->examples[2].line, 20);
    assert_int_equal(r->n_negatives, 2);
    assert_string_equal(r->negatives[0].text, "tok_short");
    assert_int_equal(r->negatives[1].len, 0);
    assert_int_equal(r->negatives[0].line, 23);
    assert_int_equal(r->negatives[0].col, 23);

    r = lh_ruleset_get(rs, 1);
    assert_string_equal(r->id, "test.named");
    assert_string_equal(r->name, "Named group rule");
    assert_int_equal(r->secret_group, 2);
    assert_int_equal(r->severity, LH_SEV_LOW);
    assert_int_equal(r->confidence, LH_CONF_MEDIUM);
    assert_null(r->validate);
    assert_null(r->remediation);
    assert_int_equal(r->n_examples, 0);
    assert_int_equal(r->min_entropy, 0);
    assert_int_equal(r->line, 24);
    assert_int_equal(r->pattern_line, 27);

    /* one capture group, whatever its name, is the secret */
    r = lh_ruleset_get(rs, 2);
    assert_string_equal(r->id, "test.flow-1_x");
    assert_int_equal(r->secret_group, 1);
    assert_int_equal(r->line, 30);
    assert_int_equal(r->col, 3);

    assert_null(lh_ruleset_get(rs, 3));
    lh_ruleset_free(rs);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(lh_severity_name(LH_SEV_CRITICAL), "critical");
    assert_string_equal(lh_severity_name(LH_SEV_HIGH), "high");
    assert_string_equal(lh_severity_name(LH_SEV_MEDIUM), "medium");
    assert_string_equal(lh_severity_name(LH_SEV_LOW), "low");
    assert_string_equal(lh_confidence_name(LH_CONF_HIGH), "high");
    assert_string_equal(lh_confidence_name(LH_CONF_MEDIUM), "medium");
    assert_string_equal(lh_confidence_name(LH_CONF_LOW), "low");
}

static void test_find_disable_count(void **state)
{
    struct lh_ruleset *rs = new_rs();
    const struct lh_rule *r;
    (void)state;

    assert_int_equal(lh_ruleset_count(rs), 0);
    assert_int_equal(lh_ruleset_enabled(rs), 0);
    assert_null(lh_ruleset_find(rs, "test.token"));
    assert_int_equal(lh_ruleset_disable(rs, "test.token"), LH_ENOTFOUND);

    assert_int_equal(load_str(rs, "mem.yml", good_pack), 0);
    r = lh_ruleset_find(rs, "test.named");
    assert_non_null(r);
    assert_ptr_equal(r, lh_ruleset_get(rs, 1));
    assert_null(lh_ruleset_find(rs, "test"));
    assert_null(lh_ruleset_find(rs, "test.named.x"));
    assert_int_equal(lh_ruleset_enabled(rs), 3);

    assert_int_equal(lh_ruleset_disable(rs, "test.named"), 0);
    assert_true(r->disabled);
    assert_int_equal(lh_ruleset_enabled(rs), 2);
    assert_int_equal(lh_ruleset_count(rs), 3);
    assert_int_equal(lh_ruleset_disable(rs, "test.named"), 0); /* idempotent */
    assert_int_equal(lh_ruleset_enabled(rs), 2);
    assert_int_equal(lh_ruleset_disable(rs, "no.such.rule"), LH_ENOTFOUND);
    assert_string_equal(lh_error_last(), "no rule has the id \"no.such.rule\"");
    lh_ruleset_free(rs);
}

static void test_many_rules_index(void **state)
{
    struct lh_ruleset *rs = new_rs();
    char yaml[256], id[32];
    int i;
    (void)state;

    /* one pack per rule: the id index grows and rehashes across loads, pointers stay valid */
    for (i = 0; i < 300; i++) {
        snprintf(yaml, sizeof(yaml),
                 "rules: [{id: r%d, name: n, pattern: '(x%d)', severity: low, confidence: low}]\n",
                 i, i);
        assert_int_equal(load_str(rs, "many.yml", yaml), 0);
    }
    assert_int_equal(lh_ruleset_count(rs), 300);
    for (i = 0; i < 300; i++) {
        snprintf(id, sizeof(id), "r%d", i);
        assert_ptr_equal(lh_ruleset_find(rs, id), lh_ruleset_get(rs, (size_t)i));
    }
    lh_ruleset_free(rs);
}

static void test_empty_list(void **state)
{
    struct lh_ruleset *rs = new_rs();
    (void)state;

    assert_int_equal(load_str(rs, "empty.yml", "# nothing yet\nrules: []\n"), 0);
    assert_int_equal(lh_ruleset_count(rs), 0);
    assert_int_equal(lh_ruleset_enabled(rs), 0);
    lh_ruleset_free(rs);
}

static void test_errors_document(void **state)
{
    (void)state;
    expect_error("# only a comment\n", "t.yml:1:1: the top level must be a mapping with the single "
                                       "key \"rules\", not an empty document");
    expect_error_prefix("rules: [a, b\n", "t.yml:2:1: YAML syntax error: did not find expected");
    expect_error_prefix("rules:\n- id: a\n  name: \"x\n",
                        "t.yml:4:1: YAML syntax error: found unexpected end of stream");
    expect_error_prefix("rules: [\xff]\n", "t.yml:1:9: YAML syntax error: invalid leading UTF-8");
    expect_error("", "t.yml:1:1: the top level must be a mapping with the single key \"rules\", not "
                     "an empty document");
    expect_error("- a\n", "t.yml:1:1: the top level must be a mapping with the single key "
                          "\"rules\", not a list");
    expect_error("{}\n", "t.yml:1:1: missing top-level key \"rules\"");
    expect_error("rules: []\nextra: 1\n",
                 "t.yml:2:1: unknown top-level key \"extra\" (the top level must be a mapping with "
                 "the single key \"rules\")");
    expect_error("rules: []\nrules: []\n", "t.yml:2:1: duplicate key \"rules\", first at line 1");
    expect_error("rules: x\n", "t.yml:1:8: \"rules\" must be a list of rules, not a string");
    expect_error("rules:\n", "t.yml:1:7: \"rules\" must be a list of rules, not an empty value");
    expect_error("rules: []\n---\nrules: []\n",
                 "t.yml:2:1: a rule pack is one YAML document, this is a second");
    expect_error("rules:\n- just a string\n", "t.yml:2:3: rule #1: a rule must be a mapping, not "
                                              "a string");
    expect_error(RULE_HEAD "- [a]\n", "t.yml:7:3: rule #2: a rule must be a mapping, not a list");
}

static void test_errors_keys(void **state)
{
    (void)state;
    /* unknown key: says which, lists nothing else */
    expect_error(RULE_HEAD "  colour: red\n", "t.yml:7:3: rule t.a: unknown key \"colour\"");
    expect_error(RULE_HEAD "  [a]: b\n", "t.yml:7:3: rule t.a: keys must be strings, not a list");
    expect_error(RULE_HEAD "  name: again\n",
                 "t.yml:7:3: rule t.a: duplicate key \"name\", first at line 3");
    /* the id is found wherever it is in the mapping */
    expect_error("rules:\n- name: x\n  bogus: 1\n  id: late.id\n",
                 "t.yml:3:3: rule late.id: unknown key \"bogus\"");
    expect_error("rules:\n- id: t.a\n  name: x\n  pattern: '(a)'\n  confidence: low\n",
                 "t.yml:2:3: rule t.a: missing required key \"severity\"");
    expect_error("rules:\n- id: t.a\n  pattern: '(a)'\n  severity: low\n  confidence: low\n",
                 "t.yml:2:3: rule t.a: missing required key \"name\"");
    expect_error("rules:\n- name: x\n  pattern: '(a)'\n  severity: low\n  confidence: low\n",
                 "t.yml:2:3: rule #1: missing required key \"id\"");
    expect_error(RULE_HEAD "- {id: t.b, name: x, severity: low, confidence: low}\n",
                 "t.yml:7:3: rule t.b: missing required key \"pattern\"");
}

static void test_errors_types(void **state)
{
    (void)state;
    expect_error(RULE_HEAD "  keywords: {a: b}\n",
                 "t.yml:7:13: rule t.a: keywords must be a list of strings, not a mapping");
    expect_error(RULE_HEAD "  keywords: abc\n",
                 "t.yml:7:13: rule t.a: keywords must be a list of strings, not a string");
    expect_error(RULE_HEAD "  keywords: [a, [b]]\n",
                 "t.yml:7:17: rule t.a: keywords item 2 must be a string, not a list");
    expect_error(RULE_HEAD "  references: [a, '']\n",
                 "t.yml:7:19: rule t.a: references item 2 must not be empty");
    expect_error(RULE_HEAD "  examples: [ok, {a: 1}]\n",
                 "t.yml:7:18: rule t.a: examples item 2 must be a string, not a mapping");
    expect_error(RULE_HEAD "  negative_examples: x\n",
                 "t.yml:7:22: rule t.a: negative_examples must be a list of strings, not a string");
    expect_error(RULE_HEAD "  min_entropy: '3.0'\n",
                 "t.yml:7:16: rule t.a: min_entropy must be a number, not a string");
    expect_error(RULE_HEAD "  min_entropy: high\n",
                 "t.yml:7:16: rule t.a: min_entropy must be a number, not \"high\"");
    expect_error(RULE_HEAD "  min_entropy: 0x10\n",
                 "t.yml:7:16: rule t.a: min_entropy must be a number, not \"0x10\"");
    expect_error(RULE_HEAD "  min_entropy: [3]\n",
                 "t.yml:7:16: rule t.a: min_entropy must be a number, not a list");
    expect_error(RULE_HEAD "  min_entropy: 8.5\n",
                 "t.yml:7:16: rule t.a: min_entropy must be between 0 and 8, not 8.5");
    expect_error(RULE_HEAD "  min_entropy: -1\n",
                 "t.yml:7:16: rule t.a: min_entropy must be between 0 and 8, not -1");
    expect_error(RULE_HEAD "  validate: [a]\n",
                 "t.yml:7:13: rule t.a: validate must be a string, not a list");
    expect_error(RULE_HEAD "  remediation: {a: b}\n",
                 "t.yml:7:16: rule t.a: remediation must be a string, not a mapping");
    expect_error("rules:\n- id: t.a\n  name: [x]\n",
                 "t.yml:3:9: rule t.a: name must be a string, not a list");
    expect_error("rules:\n- id: t.a\n  name:\n", "t.yml:3:8: rule t.a: name has no value");
    expect_error("rules:\n- id: t.a\n  name: ''\n", "t.yml:3:9: rule t.a: name must not be empty");
    expect_error("rules:\n- id: t.a\n  name: \"a\\0b\"\n",
                 "t.yml:3:9: rule t.a: name must not contain a NUL byte");
    expect_error("rules:\n- {id: t.a, name: x, pattern: '(a)', severity: urgent, confidence: low}\n",
                 "t.yml:2:48: rule t.a: severity must be one of critical, high, medium, low, not "
                 "\"urgent\"");
    expect_error("rules:\n- {id: t.a, name: x, pattern: '(a)', severity: High, confidence: low}\n",
                 "t.yml:2:48: rule t.a: severity must be one of critical, high, medium, low, not "
                 "\"High\"");
    expect_error("rules:\n- {id: t.a, name: x, pattern: '(a)', severity: low, confidence: sure}\n",
                 "t.yml:2:65: rule t.a: confidence must be one of high, medium, low, not \"sure\"");
    expect_error("rules:\n- {id: t.a, name: x, pattern: '(a)', severity: low, confidence: [a]}\n",
                 "t.yml:2:65: rule t.a: confidence must be one of high, medium, low, not a list");
}

static void test_errors_ids(void **state)
{
    struct lh_ruleset *rs = new_rs();
    (void)state;

    expect_error("rules:\n- id: T.a\n", "t.yml:2:7: rule #1: invalid id \"T.a\": use lowercase "
                                        "letters, digits, '.', '_' and '-', starting with a letter "
                                        "or digit");
    expect_error("rules:\n- id: .a\n", "t.yml:2:7: rule #1: invalid id \".a\": use lowercase "
                                       "letters, digits, '.', '_' and '-', starting with a letter "
                                       "or digit");
    expect_error("rules:\n- id: 'a b'\n", "t.yml:2:7: rule #1: invalid id \"a b\": use lowercase "
                                          "letters, digits, '.', '_' and '-', starting with a "
                                          "letter or digit");
    expect_error("rules:\n- id: [a]\n", "t.yml:2:7: rule #1: id must be a string, not a list");
    expect_error(RULE_HEAD "- id: t.a\n", "t.yml:7:7: rule t.a: duplicate id, first defined at "
                                          "t.yml:2");

    /* across packs: the second pack fails and names both places; the first stays loaded */
    assert_int_equal(load_str(rs, "a.yml", RULE_HEAD), 0);
    assert_int_equal(load_str(rs, "b.yml", "# b\n" RULE_HEAD), LH_ERULE);
    assert_string_equal(lh_error_last(), "b.yml:3:7: rule t.a: duplicate id, first defined at "
                                         "a.yml:2");
    assert_int_equal(lh_ruleset_count(rs), 1);
    assert_string_equal(lh_ruleset_get(rs, 0)->file, "a.yml");
    lh_ruleset_free(rs);
}

static void test_errors_patterns(void **state)
{
    (void)state;
    expect_error("rules:\n- {id: t.a, pattern: ''}\n",
                 "t.yml:2:22: rule t.a: pattern must not be empty");
    expect_error("rules:\n- id: t.a\n  pattern:\n", "t.yml:3:11: rule t.a: pattern has no value");
    expect_error("rules:\n- id: t.a\n  pattern: '(a'\n",
                 "t.yml:3:12: rule t.a: PCRE2 rejected the pattern at offset 2: missing closing "
                 "parenthesis");
    expect_error("rules:\n- id: t.a\n  pattern: 'abc'\n",
                 "t.yml:3:12: rule t.a: pattern has no capture group for the secret: write it as "
                 "(...) or (?<secret>...)");
    expect_error("rules:\n- id: t.a\n  pattern: '(?:abc)'\n",
                 "t.yml:3:12: rule t.a: pattern has no capture group for the secret: write it as "
                 "(...) or (?<secret>...)");
    expect_error("rules:\n- id: t.a\n  pattern: '(a)(b)'\n",
                 "t.yml:3:12: rule t.a: pattern has 2 capture groups and none is named secret: use "
                 "(?<secret>...) or non-capturing (?:...) groups");
    expect_error("rules:\n- id: t.a\n  pattern: '(?<key>a)(?<value>b)'\n",
                 "t.yml:3:12: rule t.a: pattern has 2 capture groups and none is named secret: use "
                 "(?<secret>...) or non-capturing (?:...) groups");
    expect_error("rules:\n- id: t.a\n  pattern: \"(a)\\0\"\n",
                 "t.yml:3:12: rule t.a: pattern must not contain a NUL byte");
    expect_error(RULE_HEAD "  allow: ['ok', '']\n", "t.yml:7:17: rule t.a: allow item 2 must not "
                                                     "be empty");
}

static void test_errors_anchors_aliases(void **state)
{
    (void)state;
    expect_error("rules:\n- id: t.a\n  name: &n x\n  pattern: *n\n",
                 "t.yml:3:9: rule t.a: anchors are not allowed (aliases are not allowed)");
    expect_error("rules:\n- id: t.a\n  pattern: *n\n",
                 "t.yml:3:12: rule t.a: aliases are not allowed");
    expect_error("rules:\n- &r {id: t.a}\n- *r\n",
                 "t.yml:2:3: rule t.a: anchors are not allowed (aliases are not allowed)");
    expect_error("rules: &x []\n", "t.yml:1:8: anchors are not allowed (aliases are not allowed)");
    expect_error(RULE_HEAD "  keywords: [a, *k]\n", "t.yml:7:17: rule t.a: aliases are not allowed");
}

static void test_errors_limits(void **state)
{
    struct lh_ruleset *rs = new_rs();
    size_t big = LH_MAX_YAML_FILE_SIZE + 1, i, n, cap;
    char *buf, msg[128];
    (void)state;

    /* file size */
    buf = malloc(big);
    assert_non_null(buf);
    memset(buf, ' ', big);
    assert_int_equal(lh_ruleset_load_buffer(rs, "big.yml", buf, big), LH_ERULE);
    snprintf(msg, sizeof(msg), "big.yml:1:1: rule pack is larger than %u bytes",
             (unsigned)LH_MAX_YAML_FILE_SIZE);
    assert_string_equal(lh_error_last(), msg);
    free(buf);

    /* nesting: LH_MAX_YAML_DEPTH levels are read (and refused as a wrong type), one more is not */
    cap = 16 + 2 * (LH_MAX_YAML_DEPTH + 1);
    buf = malloc(cap);
    assert_non_null(buf);
    n = (size_t)snprintf(buf, cap, "rules: ");
    for (i = 1; i < LH_MAX_YAML_DEPTH; i++) /* the top-level mapping is the first level */
        buf[n++] = '[';
    buf[n] = '\0';
    assert_int_equal(lh_ruleset_load_buffer(rs, "deep.yml", buf, n), LH_ERULE);
    assert_null(strstr(lh_error_last(), "nesting"));
    buf[n++] = '[';
    buf[n] = '\0';
    assert_int_equal(lh_ruleset_load_buffer(rs, "deep.yml", buf, n), LH_ERULE);
    snprintf(msg, sizeof(msg), "deep.yml:1:%u: YAML nesting deeper than %u levels",
             (unsigned)(7 + LH_MAX_YAML_DEPTH), (unsigned)LH_MAX_YAML_DEPTH);
    assert_string_equal(lh_error_last(), msg);
    free(buf);

    /* rule count: LH_MAX_RULES load, one more does not (and nothing of that load is kept) */
    cap = 64 + (size_t)(LH_MAX_RULES + 1) * 80;
    buf = malloc(cap);
    assert_non_null(buf);
    n = (size_t)snprintf(buf, cap, "rules:\n");
    for (i = 0; i < LH_MAX_RULES; i++)
        n += (size_t)snprintf(buf + n, cap - n,
                              "- {id: r%zu, name: n, pattern: '(a)', severity: low, confidence: low}\n",
                              i);
    assert_int_equal(lh_ruleset_load_buffer(rs, "max.yml", buf, n), 0);
    assert_int_equal(lh_ruleset_count(rs), LH_MAX_RULES);
    assert_int_equal(load_str(rs, "one-more.yml", "# x\n" RULE_HEAD), LH_ERULE);
    assert_string_equal(lh_error_last(), "one-more.yml:3:3: rule t.a: more than 20000 rules in "
                                         "the rule set");
    lh_ruleset_free(rs);

    rs = new_rs();
    n += (size_t)snprintf(buf + n, cap - n,
                          "- {id: last, name: n, pattern: '(a)', severity: low, confidence: low}\n");
    assert_int_equal(lh_ruleset_load_buffer(rs, "max.yml", buf, n), LH_ERULE);
    snprintf(msg, sizeof(msg), "max.yml:%u:3: rule last: more than %u rules in the rule set",
             (unsigned)LH_MAX_RULES + 2, (unsigned)LH_MAX_RULES);
    assert_string_equal(lh_error_last(), msg);
    assert_int_equal(lh_ruleset_count(rs), 0);
    free(buf);
    lh_ruleset_free(rs);
}

static void test_failed_load_leaves_ruleset(void **state)
{
    struct lh_ruleset *rs = new_rs();
    (void)state;

    assert_int_equal(load_str(rs, "mem.yml", good_pack), 0);
    /* t.a is valid, t.b is not: neither may be kept */
    assert_int_equal(load_str(rs, "t.yml", RULE_HEAD "- {id: t.b, name: x}\n"), LH_ERULE);
    assert_string_equal(lh_error_last(), "t.yml:7:3: rule t.b: missing required key \"pattern\"");
    assert_int_equal(lh_ruleset_count(rs), 3);
    assert_null(lh_ruleset_find(rs, "t.a"));
    assert_int_equal(lh_ruleset_enabled(rs), 3);
    /* and its ids are free for the next load */
    assert_int_equal(load_str(rs, "t.yml", RULE_HEAD), 0);
    assert_int_equal(lh_ruleset_count(rs), 4);
    assert_ptr_equal(lh_ruleset_find(rs, "t.a"), lh_ruleset_get(rs, 3));
    lh_ruleset_free(rs);
}

static void test_load_dir(void **state)
{
    struct lh_ruleset *rs = new_rs();
    const struct lh_rule *r;
    (void)state;

    assert_int_equal(lh_ruleset_load_path(rs, LH_TEST_DATA "/rules/dir"), 0);
    assert_int_equal(lh_ruleset_count(rs), 3);
    r = lh_ruleset_get(rs, 0);
    assert_string_equal(r->id, "dir.first");
    assert_string_equal(r->file, LH_TEST_DATA "/rules/dir/10-first.yml");
    assert_int_equal(r->line, 3);
    assert_int_equal(r->examples[0].line, 8);
    r = lh_ruleset_get(rs, 1);
    assert_string_equal(r->id, "dir.second");
    assert_string_equal(r->file, LH_TEST_DATA "/rules/dir/20-second.yaml");
    assert_int_equal(r->secret_group, 1);
    assert_string_equal(lh_ruleset_get(rs, 2)->id, "dir.third");
    lh_ruleset_free(rs);

    /* a trailing slash, and one file of the directory on its own */
    rs = new_rs();
    assert_int_equal(lh_ruleset_load_path(rs, LH_TEST_DATA "/rules/dir/"), 0);
    assert_string_equal(lh_ruleset_get(rs, 0)->file, LH_TEST_DATA "/rules/dir/10-first.yml");
    assert_int_equal(lh_ruleset_load_path(rs, LH_TEST_DATA "/rules/dir/20-second.yaml"), LH_ERULE);
    assert_string_equal(lh_error_last(), LH_TEST_DATA "/rules/dir/20-second.yaml:3:7: rule "
                                         "dir.second: duplicate id, first defined at "
                                         LH_TEST_DATA "/rules/dir/20-second.yaml:3");
    assert_int_equal(lh_ruleset_count(rs), 3);
    lh_ruleset_free(rs);
}

static void test_load_path_errors(void **state)
{
    struct lh_ruleset *rs = new_rs();
    (void)state;

    assert_int_equal(lh_ruleset_load_path(rs, LH_TEST_DATA "/rules/good.yml"), LH_ENOTFOUND);
    assert_string_equal(lh_error_last(), LH_TEST_DATA "/rules/good.yml: no such file or directory");
    assert_int_equal(lh_ruleset_load_path(rs, LH_TEST_DATA "/rules/dir/10-first.yml/x"),
                     LH_ENOTFOUND);

    assert_int_equal(lh_ruleset_load_path(rs, LH_TEST_DATA "/rules/syntax-error.yml"), LH_ERULE);
    assert_string_equal(lh_error_last(), LH_TEST_DATA "/rules/syntax-error.yml:3:16: YAML syntax "
                                         "error: mapping values are not allowed in this context");

    /* the first file of the directory is good, the second is not: nothing is kept */
    assert_int_equal(lh_ruleset_load_path(rs, LH_TEST_DATA "/rules/broken-dir"), LH_ERULE);
    assert_string_equal(lh_error_last(), LH_TEST_DATA "/rules/broken-dir/2-bad.yml:7:3: rule "
                                         "broken.bad: unknown key \"colour\"");
    assert_int_equal(lh_ruleset_count(rs), 0);
    assert_null(lh_ruleset_find(rs, "broken.good"));
    lh_ruleset_free(rs);
}

static void test_builtin(void **state)
{
    struct lh_ruleset *rs = new_rs();
    size_t i, j, n = 0;
    (void)state;

    assert_int_equal(lh_ruleset_load_builtin(rs), 0);
    for (i = 0; i < lh_builtin_file_count; i++)
        assert_non_null(lh_builtin_files[i].name);
    assert_null(lh_builtin_files[lh_builtin_file_count].name);
    if (lh_builtin_file_count > 0)
        assert_true(lh_ruleset_count(rs) > 0);
    for (i = 0; i < lh_ruleset_count(rs); i++) {
        const struct lh_rule *r = lh_ruleset_get(rs, i);

        assert_true(strncmp(r->file, "rules/", 6) == 0);
        assert_true(r->secret_group >= 1);
        assert_ptr_equal(lh_ruleset_find(rs, r->id), r);
        n += r->n_examples;
        for (j = 0; j < r->n_examples; j++)
            assert_true(r->examples[j].line > r->line);
    }
    if (lh_ruleset_count(rs) > 0)
        assert_true(n > 0);
    /* loading it twice repeats every id */
    if (lh_ruleset_count(rs) > 0) {
        assert_int_equal(lh_ruleset_load_builtin(rs), LH_ERULE);
        assert_non_null(strstr(lh_error_last(), "duplicate id, first defined at rules/"));
    }
    lh_ruleset_free(rs);
}

/* Allocation-failure sweep: every allocation of a load fails in turn; each must give LH_ENOMEM,
 * leak nothing and leave the ruleset as it was. */
static void sweep(int (*load)(struct lh_ruleset *), size_t expect)
{
    unsigned long n;
    int rc = LH_ENOMEM;

    for (n = 1; rc != 0; n++) {
        struct lh_ruleset *rs = new_rs();

        assert_int_equal(load_str(rs, "first.yml", RULE_HEAD), 0);
        lh_alloc_fail_at(n);
        rc = load(rs);
        lh_alloc_fail_at(0);
        if (rc != 0) {
            assert_int_equal(rc, LH_ENOMEM);
            assert_int_equal(lh_ruleset_count(rs), 1);
            assert_null(lh_ruleset_get(rs, 1));
        } else {
            assert_int_equal(lh_ruleset_count(rs), 1 + expect);
        }
        lh_ruleset_free(rs);
        assert_true(n < 100000);
    }
    assert_true(n > 10);
}

static int load_good(struct lh_ruleset *rs)
{
    return load_str(rs, "mem.yml", good_pack);
}

static int load_dir(struct lh_ruleset *rs)
{
    return lh_ruleset_load_path(rs, LH_TEST_DATA "/rules/dir");
}

static void test_alloc_sweep(void **state)
{
    struct lh_ruleset *rs = NULL;
    unsigned long n;
    (void)state;

    sweep(load_good, 3);
    sweep(load_dir, 3);
    for (n = 1;; n++) {
        int rc;

        lh_alloc_fail_at(n);
        rc = lh_ruleset_new(&rs);
        lh_alloc_fail_at(0);
        if (rc == 0)
            break;
        assert_int_equal(rc, LH_ENOMEM);
    }
    lh_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_pack),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_find_disable_count),
        cmocka_unit_test(test_many_rules_index),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_errors_document),
        cmocka_unit_test(test_errors_keys),
        cmocka_unit_test(test_errors_types),
        cmocka_unit_test(test_errors_ids),
        cmocka_unit_test(test_errors_patterns),
        cmocka_unit_test(test_errors_anchors_aliases),
        cmocka_unit_test(test_errors_limits),
        cmocka_unit_test(test_failed_load_leaves_ruleset),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_load_path_errors),
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_alloc_sweep),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
