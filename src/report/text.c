/*
 * text.c - the report for people: one block per finding (severity, rule, confidence; where; the
 * redacted secret; the rule's remediation, wrapped), a blank line between blocks, one summary line,
 * and when something was found, what to do now.
 *
 * Invariants: every byte that comes from scanned content or a rule pack (paths, authors, emails,
 * dates, commit ids, rule names, remediation) goes through lh_text_escape, so no control character
 * reaches the terminal raw; ANSI colour codes are written only when meta->color; the secret is
 * shown whole only under meta->show_secrets; no clock is read.
 */
#include "report/report_int.h"
#include "util/error.h"
#include "util/text.h"

#include <stdarg.h>
#include <string.h>

#define LH_TEXT_WIDTH 100u

#define LH_C_RESET "\033[0m"
#define LH_C_BOLD "\033[1m"
#define LH_C_DIM "\033[2m"

struct lh_text {
    struct lh_buf *out;
    const struct lh_report_meta *meta;
    int rc; /* sticky: the first failure; later calls do nothing */
};

static void lh_t_add(struct lh_text *t, const char *s)
{
    if (t->rc == 0)
        t->rc = lh_buf_adds(t->out, s);
}

static void lh_t_esc(struct lh_text *t, const char *s)
{
    if (t->rc == 0 && s)
        t->rc = lh_text_escape(t->out, s, strlen(s));
}

static void lh_t_color(struct lh_text *t, const char *code)
{
    if (t->meta->color)
        lh_t_add(t, code);
}

static void lh_t_addf(struct lh_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void lh_t_addf(struct lh_text *t, const char *fmt, ...)
{
    va_list ap;

    if (t->rc)
        return;
    va_start(ap, fmt);
    t->rc = lh_buf_vaddf(t->out, fmt, ap);
    va_end(ap);
}

static const char *lh_sev_label(enum lh_severity s)
{
    switch (s) {
    case LH_SEV_CRITICAL:
        return "CRITICAL";
    case LH_SEV_HIGH:
        return "HIGH";
    case LH_SEV_MEDIUM:
        return "MEDIUM";
    case LH_SEV_LOW:
        break;
    }
    return "LOW";
}

static const char *lh_sev_color(enum lh_severity s)
{
    switch (s) {
    case LH_SEV_CRITICAL:
        return "\033[1;31m";
    case LH_SEV_HIGH:
        return "\033[31m";
    case LH_SEV_MEDIUM:
        return "\033[33m";
    case LH_SEV_LOW:
        break;
    }
    return "\033[36m";
}

static bool lh_is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Appends words of s after a prefix of width `col`, wrapping at LH_TEXT_WIDTH with a hanging
 * indent of `indent` spaces. Each word is escaped on its own, so the pack's line breaks become
 * wrapping points, never raw control bytes. */
static void lh_t_wrap(struct lh_text *t, const char *s, size_t col, size_t indent)
{
    bool first = true;
    size_t len, start, i;

    while (*s && t->rc == 0) {
        while (*s && lh_is_space(*s))
            s++;
        if (*s == '\0')
            break;
        for (len = 0; s[len] && !lh_is_space(s[len]); len++)
            ;
        if (!first && col + 1 + len > LH_TEXT_WIDTH) {
            lh_t_add(t, "\n");
            for (i = 0; i < indent; i++)
                lh_t_add(t, " ");
            col = indent;
        } else if (!first) {
            lh_t_add(t, " ");
            col++;
        }
        start = t->out->len;
        if (t->rc == 0)
            t->rc = lh_text_escape(t->out, s, len);
        if (t->rc == 0)
            col += t->out->len - start;
        s += len;
        first = false;
    }
}

static void lh_t_finding(struct lh_text *t, const struct lh_finding *f)
{
    const struct lh_rule *r = f->rule;
    const struct lh_report_meta *meta = t->meta;

    lh_t_color(t, lh_sev_color(r->severity));
    lh_t_add(t, lh_sev_label(r->severity));
    lh_t_color(t, LH_C_RESET);
    lh_t_add(t, " ");
    lh_t_color(t, LH_C_BOLD);
    lh_t_esc(t, r->name ? r->name : r->id);
    lh_t_color(t, LH_C_RESET);
    lh_t_add(t, " [");
    lh_t_esc(t, r->id);
    lh_t_add(t, "] ");
    lh_t_color(t, LH_C_DIM);
    if (r->confidence == LH_CONF_LOW)
        lh_t_add(t, "(low confidence, generic)");
    else
        lh_t_addf(t, "(%s confidence)", lh_confidence_name(r->confidence));
    lh_t_color(t, LH_C_RESET);
    lh_t_add(t, "\n  at ");
    lh_t_esc(t, lh_report_relpath(f->path, meta));
    lh_t_addf(t, ":%u:%u", f->line_start, f->col_start);
    if (f->source == LH_SRC_INDEX)
        lh_t_add(t, " (staged)");
    if (f->commit) {
        size_t n = strlen(f->commit);
        lh_t_add(t, ", commit ");
        if (t->rc == 0)
            t->rc = lh_text_escape(t->out, f->commit, n < 7 ? n : 7);
    }
    if (f->author) {
        lh_t_add(t, " by ");
        lh_t_esc(t, f->author);
    }
    if (f->author_email) {
        lh_t_add(t, f->author ? " <" : " by <");
        lh_t_esc(t, f->author_email);
        lh_t_add(t, ">");
    }
    if (f->date) {
        lh_t_add(t, " on ");
        lh_t_esc(t, f->date);
    }
    lh_t_add(t, "\n  secret: ");
    if (t->rc == 0)
        t->rc = lh_finding_redact(t->out, f, meta->show_secrets);
    if (f->validated)
        lh_t_add(t, " (checksum valid)");
    lh_t_add(t, "\n");
    if (r->remediation) {
        lh_t_add(t, "  remediation: ");
        lh_t_wrap(t, r->remediation, 15, 4);
        lh_t_add(t, "\n");
    }
}

static bool lh_t_counts_files(const char *mode)
{
    return mode == NULL || strcmp(mode, "dir") == 0 || strcmp(mode, "stdin") == 0 ||
           strcmp(mode, "pre-commit") == 0;
}

static void lh_t_size(struct lh_text *t, uint64_t n)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB"};
    double v = (double)n;
    unsigned u = 0;

    if (n < 1000) {
        lh_t_addf(t, "%llu byte%s", (unsigned long long)n, n == 1 ? "" : "s");
        return;
    }
    v /= 1000;
    while (v >= 999.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000;
        u++;
    }
    lh_t_addf(t, "%.1f %s", v, units[u]);
}

static void lh_t_summary(struct lh_text *t, const struct lh_findings *fs)
{
    static const enum lh_severity order[] = {LH_SEV_CRITICAL, LH_SEV_HIGH, LH_SEV_MEDIUM,
                                             LH_SEV_LOW};
    const struct lh_report_meta *meta = t->meta;
    uint64_t counts[4], skipped = 0;
    unsigned kinds = 0, i;
    bool first = true;

    lh_t_color(t, LH_C_BOLD);
    if (fs->len == 0) {
        lh_t_add(t, "no findings");
    } else {
        lh_report_count_severity(fs, counts);
        lh_t_addf(t, "%zu finding%s (", fs->len, fs->len == 1 ? "" : "s");
        for (i = 0; i < 4; i++) {
            if (counts[order[i]] == 0)
                continue;
            lh_t_addf(t, "%s%llu %s", first ? "" : ", ", (unsigned long long)counts[order[i]],
                      lh_severity_name(order[i]));
            first = false;
        }
        lh_t_add(t, ")");
    }
    lh_t_color(t, LH_C_RESET);
    lh_t_addf(t, " in %llu %s%s, ", (unsigned long long)meta->chunks,
              lh_t_counts_files(meta->mode) ? "file" : "blob", meta->chunks == 1 ? "" : "s");
    lh_t_size(t, meta->bytes);
    if (meta->dropped_total)
        lh_t_addf(t, "; %llu suppressed", (unsigned long long)meta->dropped_total);
    for (i = 0; i < LH_SKIP__COUNT; i++) {
        skipped += meta->skipped[i];
        kinds += meta->skipped[i] != 0;
    }
    if (skipped) {
        lh_t_addf(t, "; %llu skipped (", (unsigned long long)skipped);
        first = true;
        for (i = 0; i < LH_SKIP__COUNT; i++) {
            if (meta->skipped[i] == 0)
                continue;
            lh_t_add(t, first ? "" : ", ");
            if (kinds > 1)
                lh_t_addf(t, "%llu ", (unsigned long long)meta->skipped[i]);
            lh_t_add(t, lh_skip_reason_name((enum lh_skip_reason)i));
            first = false;
        }
        lh_t_add(t, ")");
    }
    lh_t_add(t, "\n");
    if (meta->incomplete) {
        lh_t_color(t, "\033[1;31m");
        lh_t_add(t, "INCOMPLETE:");
        lh_t_color(t, LH_C_RESET);
        lh_t_add(t, " some objects or files could not be read; secrets may be missing from this "
                    "report.\n");
    }
}

static void lh_t_what_now(struct lh_text *t)
{
    const char *w = t->meta->what_now;
    size_t n;

    lh_t_add(t, "\n");
    if (w) {
        lh_t_add(t, w);
        n = strlen(w);
        if (n == 0 || w[n - 1] != '\n')
            lh_t_add(t, "\n");
        return;
    }
    lh_t_color(t, LH_C_BOLD);
    lh_t_add(t, "What now:");
    lh_t_color(t, LH_C_RESET);
    lh_t_add(t, "\n"
                "  1. Remove the secret from the code: read it from the environment or a secret\n"
                "     manager at run time.\n"
                "  2. Revoke it at the provider (each finding's remediation says where): once a\n"
                "     secret is written down in a repository, treat it as leaked.\n"
                "  3. Replace it with a short-lived or narrowly scoped credential.\n"
                "A false positive: add 'leakhound:allow' in a comment on its line.\n");
}

int lh_report_text(struct lh_buf *out, const struct lh_findings *fs,
                   const struct lh_report_meta *meta)
{
    struct lh_text t = {out, meta, 0};
    size_t i;

    for (i = 0; i < fs->len && t.rc == 0; i++) {
        lh_t_finding(&t, &fs->items[i]);
        lh_t_add(&t, "\n");
    }
    lh_t_summary(&t, fs);
    if (fs->len > 0)
        lh_t_what_now(&t);
    return t.rc ? lh_report_fail(t.rc, "text") : 0;
}
