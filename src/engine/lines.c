/*
 * lines.c - deciding from a PCRE2 pattern's text that no match of it can contain a newline.
 *
 * The scanner starts the confirm of such a rule no earlier than the line of its first candidate
 * (scanner.c): a match holding or ending at a candidate lies inside that candidate's line. The
 * answer must never be a false yes, so the walk is conservative: it says yes only for the syntax
 * it understands and rejects the rest (verbs, callouts, conditionals, backreferences, recursion,
 * \x and octal escapes, the s and x options, classes it cannot place '\n' in or out of). What a
 * lookaround reads is not part of the match and is not examined. The pattern is assumed to be one
 * PCRE2 compiles (lh_engine_new rejects the others); the default newline convention (LF) holds.
 */
#include "engine/engine_int.h"

#include <string.h>

/* Whether an item of a character class holds '\n'. */
enum lh_nl { LH_NL_NO, LH_NL_YES, LH_NL_UNKNOWN };

static bool lh_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The escape at p ("\X"), inside a class: a class escape or a literal. */
static enum lh_nl lh_class_escape(const char *p)
{
    if (p[1] == 's' || p[1] == 'v' || p[1] == 'n' || p[1] == '\n')
        return LH_NL_YES;
    if (p[1] != '\0' && strchr("Swdhtrfeab", p[1]) != NULL)
        return LH_NL_NO;
    return lh_alnum(p[1]) || p[1] == '\0' ? LH_NL_UNKNOWN : LH_NL_NO;
}

/* A POSIX class [:name:] at p: its verdict, and *end just past it. */
static enum lh_nl lh_posix(const char *p, const char **end)
{
    static const char *const without[] = {"alnum", "alpha", "digit", "upper", "lower", "xdigit",
                                          "word",  "blank", "punct", "graph", "print"};
    const char *q = strstr(p + 2, ":]");
    size_t n, k;

    *end = q + 2;
    n = (size_t)(q - (p + 2));
    if ((n == 5 && strncmp(p + 2, "space", 5) == 0) || (n == 5 && strncmp(p + 2, "cntrl", 5) == 0))
        return LH_NL_YES;
    for (k = 0; k < sizeof(without) / sizeof(without[0]); k++)
        if (strlen(without[k]) == n && strncmp(p + 2, without[k], n) == 0)
            return LH_NL_NO;
    return LH_NL_UNKNOWN;
}

/* Walks the class at p ('['); *end just past its ']' (NULL when unterminated). True when the class
 * surely cannot match '\n'. */
static bool lh_class(const char *p, const char **end)
{
    bool negated = p[1] == '^', any_yes = false, all_no = true;
    const char *q = p + (negated ? 2 : 1);

    *end = NULL;
    if (*q == ']') { /* a ']' first is a literal */
        q++;
    }
    while (*q && *q != ']') {
        enum lh_nl v;
        bool escape = q[0] == '\\';
        unsigned char lo = (unsigned char)q[0];

        if (q[0] == '[' && q[1] == ':' && strstr(q + 2, ":]")) {
            v = lh_posix(q, &q);
        } else if (escape) {
            v = lh_class_escape(q);
            lo = (unsigned char)q[1];
            escape = lh_alnum(q[1]); /* an escaped punctuation mark is a literal */
            q += q[1] ? 2 : 1;
        } else {
            v = q[0] == '\n' ? LH_NL_YES : LH_NL_NO;
            q++;
        }
        if (q[0] == '-' && q[1] != ']' && q[1] != '\0' && v != LH_NL_YES) {
            /* a range: only one between plain characters can be placed */
            unsigned char hi = (unsigned char)q[1];

            if (escape || q[1] == '\\' || q[1] == '[')
                v = LH_NL_UNKNOWN;
            else
                v = (lo <= '\n' && '\n' <= hi) ? LH_NL_YES : LH_NL_NO;
            q += 2;
            if (v == LH_NL_UNKNOWN && q[-1] == '\\' && *q)
                q++; /* skip the escaped end of the range */
        }
        any_yes = any_yes || v == LH_NL_YES;
        all_no = all_no && v == LH_NL_NO;
    }
    if (*q != ']')
        return false;
    *end = q + 1;
    return negated ? any_yes : all_no;
}

bool lh_engine_one_line(const char *pattern)
{
    /* depth of the innermost open lookaround, 0 outside any: what it reads is not matched */
    size_t depth = 0, look = 0;
    const char *p = pattern;

    while (*p) {
        bool here = look == 0; /* this item is part of the match */

        if (p[0] == '\\') {
            if (p[1] == 'Q') {
                const char *e = strstr(p + 2, "\\E");
                size_t n = e ? (size_t)(e - p) : strlen(p);

                if (here && memchr(p, '\n', n) != NULL)
                    return false;
                p += e ? n + 2 : n;
                continue;
            }
            if (p[1] == '\0' || p[1] == '\n')
                return false;
            /* class escapes without '\n', zero-width assertions, single characters */
            if (here && lh_alnum(p[1]) && strchr("SwdhNbBAzZGKefrta", p[1]) == NULL)
                return false;
            p += 2;
        } else if (p[0] == '[') {
            const char *end;
            bool ok = lh_class(p, &end);

            if (end == NULL || (here && !ok))
                return false;
            p = end;
        } else if (p[0] == '(') {
            size_t k;

            if (p[1] == '*')
                return false; /* verbs, among them newline conventions */
            if (p[1] != '?') {
                depth++;
                p++;
                continue;
            }
            if (p[2] == '#') {
                const char *e = strchr(p, ')');
                if (e == NULL)
                    return false;
                p = e + 1;
                continue;
            }
            depth++;
            if (p[2] == '=' || p[2] == '!' || (p[2] == '<' && (p[3] == '=' || p[3] == '!'))) {
                if (look == 0)
                    look = depth;
                p += p[2] == '<' ? 4 : 3;
                continue;
            }
            if (p[2] == ':' || p[2] == '>' || p[2] == '|') {
                p += 3;
                continue;
            }
            if ((p[2] == '<' || p[2] == '\'') && lh_alnum(p[3])) {
                p += 3; /* a named group; the name is letters, digits and '_' */
                continue;
            }
            if (p[2] == 'P' && p[3] == '<') {
                p += 4;
                continue;
            }
            /* option settings (?imnJU^-) or (?i:...): s and x are refused; anything else is a
             * backreference, recursion, callout or condition */
            for (k = 2; p[k] && strchr("imnJU^-", p[k]) != NULL; k++)
                ;
            if (k == 2 || (p[k] != ')' && p[k] != ':'))
                return false;
            if (p[k] == ')')
                depth--; /* (?i) opens nothing */
            p += k + 1;
        } else if (p[0] == ')') {
            if (depth == look)
                look = 0;
            if (depth > 0)
                depth--;
            p++;
        } else {
            if (here && p[0] == '\n')
                return false;
            p++;
        }
    }
    return true;
}
