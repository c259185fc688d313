/*
 * test_engine_lines.c - lh_engine_one_line: which patterns the engine may confirm from the start
 * of a candidate's line. A false "yes" loses matches, so every construct that can consume a
 * newline, and every one the walk does not understand, must answer no; lookarounds, whose text is
 * not part of the match, may read newlines. (That the scanner then finds exactly what a whole-
 * buffer PCRE2 pass finds is test_engine.c's test_trigger_matches_pcre2.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/engine_int.h"

static void expect(const char *pattern, bool one_line)
{
    if (lh_engine_one_line(pattern) != one_line)
        fail_msg("%s: expected %s", pattern, one_line ? "one line" : "not one line");
}

static void test_one_line(void **state)
{
    (void)state;
    /* the two line rules' shapes, literals, classes without '\n', zero-width items */
    expect("(?m:^)[ \\t]{0,64}[A-Za-z0-9_.-]{0,40}(?#trigger)(?i:password|token(?![A-Za-z]))"
           "[ \\t]{0,64}(?::[ \\t]{1,64}|=[ \\t]{0,64})(?<secret>[^\\s\"'#{}\\[\\],][^\\s\"']{11,127})"
           "(?=[ \\t]*(?:#[^\\r\\n]*)?\\r?(?m:$))",
           true);
    expect("\\b(ghp_[A-Za-z0-9]{36})\\b", true);
    expect("abc.def", true);                 /* '.' does not match '\n' by default */
    expect("\\S+\\w\\d\\h\\N\\t\\r\\e\\f\\a\\.\\-\\K\\A\\z\\Z\\G\\B", true);
    expect("[^\\n]{1,9}x", true);
    expect("[^\\s]{1,9}", true);
    expect("[^[:space:]]+", true);
    expect("[^\\v]+", true);
    expect("[[:alnum:][:punct:]]+", true);
    expect("[ -~]+", true);                  /* a range above '\n' */
    expect("[\\]\\-a]+", true);              /* escaped punctuation in a class */
    expect("[]a]+[^]\\n]", true);            /* ']' first is a literal */
    expect("(?<n>a)(?P<m>b)(?'o'c)(?>d)(?|e|f)(?:g)", true);
    expect("(?i)a(?-i:b)(?^:c)(?m)^d$", true);
    expect("\\Qa.b\\E+", true);
    /* lookarounds may read newlines: they are not part of the match */
    expect("(?<=\\n)abc(?=\\s*\\n)", true);
    expect("a(?!\\s*(?=[\\s\\S]))b(?<!\\n\\n)", true);

    /* what can match '\n' */
    expect("a\\sb", false);
    expect("a\\nb", false);
    expect("a\nb", false);                   /* a raw newline */
    expect("a\\\nb", false);                 /* an escaped raw newline */
    expect("a\\vb", false);
    expect("a\\Rb", false);
    expect("a\\Wb", false);
    expect("a\\Db", false);
    expect("a\\Hb", false);
    expect("a\\Xb", false);
    expect("a\\Cb", false);
    expect("a[^x]b", false);                 /* a negated class without '\n' */
    expect("a[\\s]b", false);
    expect("a[\\x00-\\x7f]b", false);        /* escaped range ends are not placed */
    expect("a[\\t-z]b", false);
    expect("a[\t-z]b", false);               /* a raw range across '\n' */
    expect("a[[:space:]]b", false);
    expect("a[[:cntrl:]]b", false);
    expect("a[[:^alpha:]]b", false);
    expect("\\Qa\nb\\E", false);
    expect("(?s)a.b", false);
    expect("(?s:a.b)", false);
    expect("(?x)a b", false);
    expect("(?is)a", false);
    /* syntax the walk does not take on */
    expect("(*CR)a.b", false);
    expect("(*ANY)a", false);
    expect("(a)\\1", false);
    expect("(?<n>a)\\k<n>", false);
    expect("(?<n>a)(?P=n)", false);
    expect("(a|\\((?R)\\))", false);
    expect("(a)(?1)", false);
    expect("(a)(?-1)", false);
    expect("(?(1)a|b)", false);
    expect("a(?C1)b", false);
    expect("a\\x0ab", false);
    expect("a\\012b", false);
    expect("a\\p{Cc}b", false);
    expect("a\\cJb", false);
    expect("a[b", false);                    /* unterminated class */
    expect("a\\", false);
    /* a lookaround closes: what follows is matched again */
    expect("(?=\\n)\\s", false);
    expect("(?:(?=x)\\n)", false);
    expect("((?<=a))[\\s]", false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_line),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
