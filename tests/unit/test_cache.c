/*
 * test_cache.c - the compiled-database cache: a second build is a hit; a corrupt, truncated,
 * garbage or foreign file under the right name is a miss that recompiles and replaces the file; an
 * unwritable directory and a missing HOME are non-events; no_cache neither reads nor writes.
 * Each test works in its own temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "rules/rules.h"
#include "util/error.h"

static const char pack_a[] = "rules:\n"
                             "- id: c.one\n"
                             "  name: one\n"
                             "  pattern: '\\b(tok_[A-Za-z0-9]{20})\\b'\n"
                             "  severity: low\n"
                             "  confidence: low\n"
                             "- id: c.two\n"
                             "  name: two, prefilter\n"
                             "  pattern: '(?<=pwd=)([\"''])(?<secret>[A-Z0-9]{16})\\1'\n"
                             "  severity: low\n"
                             "  confidence: low\n";

/* Same shape (two rules, one prefilter), other patterns: its file is "other content". */
static const char pack_b[] = "rules:\n"
                             "- id: c.one\n"
                             "  name: one\n"
                             "  pattern: '\\b(xyz_[A-Za-z0-9]{20})\\b'\n"
                             "  severity: low\n"
                             "  confidence: low\n"
                             "- id: c.two\n"
                             "  name: two, prefilter\n"
                             "  pattern: '(?<=pass=)([\"''])(?<secret>[A-Z0-9]{16})\\1'\n"
                             "  severity: low\n"
                             "  confidence: low\n";

struct fx {
    char dir[256];
    struct lh_ruleset *a, *b;
};

static struct lh_ruleset *load(const char *yaml)
{
    struct lh_ruleset *rs = NULL;

    assert_int_equal(lh_ruleset_new(&rs), 0);
    if (lh_ruleset_load_buffer(rs, "cache.yml", yaml, strlen(yaml)) != 0)
        fail_msg("%s", lh_error_last());
    return rs;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/lh-cache-test-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->a = load(pack_a);
    f->b = load(pack_b);
    *state = f;
    return 0;
}

static void rmtree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *de;
    char sub[1024];

    if (d == NULL) {
        unlink(path);
        return;
    }
    chmod(path, 0700);
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
        rmtree(sub);
    }
    closedir(d);
    rmdir(path);
}

static int teardown(void **state)
{
    struct fx *f = *state;

    rmtree(f->dir);
    lh_ruleset_free(f->a);
    lh_ruleset_free(f->b);
    free(f);
    return 0;
}

/* Builds an engine over rs with the cache in dir; checks it finds a planted secret. */
static struct lh_engine_info build(const struct lh_ruleset *rs, const char *dir, bool no_cache)
{
    static const char text[] = "x tok_AbCdEfGhIjKlMnOpQrSt pwd='ABCDEFGH12345678' ";
    struct lh_engine_opts o;
    struct lh_engine *e = NULL;
    struct lh_scanner *s = NULL;
    struct lh_engine_info info;
    struct lh_scan_stats st;
    struct lh_chunk c;

    memset(&o, 0, sizeof(o));
    o.cache_dir = dir;
    o.no_cache = no_cache;
    if (lh_engine_new(&e, rs, &o) != 0)
        fail_msg("%s", lh_error_last());
    info = *lh_engine_info(e);
    assert_int_equal(info.n_patterns, 2);
    assert_int_equal(info.n_prefilter, 1);
    assert_int_equal(lh_scanner_new(&s, e), 0);
    memset(&c, 0, sizeof(c));
    c.data = (const unsigned char *)text;
    c.len = sizeof(text) - 1;
    c.path = "t";
    assert_int_equal(lh_scanner_scan(s, &c, NULL, NULL), 0);
    lh_scanner_stats(s, &st);
    /* pack_a finds both planted secrets, pack_b neither: the database is the right one */
    assert_int_equal(st.matches, strstr(lh_ruleset_get(rs, 0)->pattern, "tok_") ? 2 : 0);
    lh_scanner_free(s);
    lh_engine_free(e);
    return info;
}

/* The one *.hsdb file in dir (asserts there is exactly one). */
static void db_file(char *out, size_t n, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int found = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".hsdb") == 0) {
            snprintf(out, n, "%s/%s", dir, de->d_name);
            found++;
        }
    }
    closedir(d);
    assert_int_equal(found, 1);
}

static size_t file_size(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return (size_t)st.st_size;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    void *p;

    assert_non_null(fp);
    *len = file_size(path);
    p = malloc(*len ? *len : 1);
    assert_int_equal(fread(p, 1, *len, fp), *len);
    fclose(fp);
    return p;
}

/* A miss: recompiled, rewritten, and the next build hits again. */
static void expect_recovery(struct fx *f, const char *path, size_t good_size)
{
    struct lh_engine_info i = build(f->a, f->dir, false);

    assert_false(i.cache_hit);
    assert_true(i.cache_written);
    assert_int_equal(file_size(path), good_size);
    i = build(f->a, f->dir, false);
    assert_true(i.cache_hit);
}

static void test_hit_on_second_build(void **state)
{
    struct fx *f = *state;
    struct lh_engine_info i1, i2;
    char path[1024];

    i1 = build(f->a, f->dir, false);
    assert_false(i1.cache_hit);
    assert_true(i1.cache_written);
    db_file(path, sizeof(path), f->dir);
    i2 = build(f->a, f->dir, false);
    assert_true(i2.cache_hit);
    assert_false(i2.cache_written);
    assert_string_equal(i1.ruleset_hash, i2.ruleset_hash);
    assert_true(i2.compile_ms >= 0.0);
}

static void test_corrupt(void **state)
{
    struct fx *f = *state;
    char path[1024];
    unsigned char *data;
    size_t len, k;

    build(f->a, f->dir, false);
    db_file(path, sizeof(path), f->dir);
    data = read_all(path, &len);
    for (k = len / 2; k < len / 2 + 64 && k < len; k++)
        data[k] ^= 0x5a;
    write_file(path, data, len);
    expect_recovery(f, path, len);
    free(data);
}

static void test_truncated(void **state)
{
    struct fx *f = *state;
    char path[1024];
    unsigned char *data;
    size_t len;

    build(f->a, f->dir, false);
    db_file(path, sizeof(path), f->dir);
    data = read_all(path, &len);
    write_file(path, data, len - 100);
    expect_recovery(f, path, len);
    write_file(path, data, 10);
    expect_recovery(f, path, len);
    write_file(path, data, 0);
    expect_recovery(f, path, len);
    free(data);
}

static void test_garbage(void **state)
{
    struct fx *f = *state;
    char path[1024];
    unsigned char junk[4096];
    size_t len, k;

    build(f->a, f->dir, false);
    db_file(path, sizeof(path), f->dir);
    len = file_size(path);
    for (k = 0; k < sizeof(junk); k++)
        junk[k] = (unsigned char)(k * 131 + 7);
    write_file(path, junk, sizeof(junk));
    expect_recovery(f, path, len);
}

/* Another rule set's valid cache file placed under this rule set's key name. */
static void test_wrong_content(void **state)
{
    struct fx *f = *state;
    char path_a[1024], other[1024], path_b[1024];
    unsigned char *data;
    size_t len_a, len_b;

    build(f->a, f->dir, false);
    db_file(path_a, sizeof(path_a), f->dir);
    len_a = file_size(path_a);
    snprintf(other, sizeof(other), "%s/other", f->dir);
    assert_int_equal(mkdir(other, 0700), 0);
    build(f->b, other, false);
    db_file(path_b, sizeof(path_b), other);
    assert_string_not_equal(strrchr(path_a, '/'), strrchr(path_b, '/'));
    data = read_all(path_b, &len_b);
    write_file(path_a, data, len_b);
    expect_recovery(f, path_a, len_a);
    free(data);
}

static void test_readonly_dir(void **state)
{
    struct fx *f = *state;
    struct lh_engine_info i;
    char ro[1024], file[1024], under[1100];

    /* a cache directory below a regular file: mkdir fails even for root */
    snprintf(file, sizeof(file), "%s/plain-file", f->dir);
    write_file(file, "x", 1);
    snprintf(under, sizeof(under), "%s/cache", file);
    i = build(f->a, under, false);
    assert_false(i.cache_hit);
    assert_false(i.cache_written);

    snprintf(ro, sizeof(ro), "%s/ro", f->dir);
    assert_int_equal(mkdir(ro, 0700), 0);
    assert_int_equal(chmod(ro, 0500), 0);
    if (geteuid() != 0) { /* root writes through 0500 */
        i = build(f->a, ro, false);
        assert_false(i.cache_hit);
        assert_false(i.cache_written);
    }
    chmod(ro, 0700);
}

static void test_no_cache(void **state)
{
    struct fx *f = *state;
    struct lh_engine_info i;
    DIR *d;
    struct dirent *de;
    int entries = 0;

    i = build(f->a, f->dir, true);
    assert_false(i.cache_hit);
    assert_false(i.cache_written);
    d = opendir(f->dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            entries++;
    closedir(d);
    assert_int_equal(entries, 0);
    /* a cached file is not read either */
    build(f->a, f->dir, false);
    i = build(f->a, f->dir, true);
    assert_false(i.cache_hit);
}

static void test_default_dirs(void **state)
{
    struct fx *f = *state;
    char *old_xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    char sub[1024], path[1024];
    struct lh_engine_info i;

    setenv("XDG_CACHE_HOME", f->dir, 1);
    i = build(f->a, NULL, false);
    assert_true(i.cache_written);
    snprintf(sub, sizeof(sub), "%s/leakhound", f->dir);
    db_file(path, sizeof(path), sub);

    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", f->dir, 1);
    i = build(f->a, NULL, false);
    assert_true(i.cache_written);
    snprintf(sub, sizeof(sub), "%s/.cache/leakhound", f->dir);
    db_file(path, sizeof(path), sub);
    i = build(f->a, NULL, false);
    assert_true(i.cache_hit);

    unsetenv("HOME"); /* nowhere to cache: not an error */
    i = build(f->a, NULL, false);
    assert_false(i.cache_hit);
    assert_false(i.cache_written);

    if (old_xdg)
        setenv("XDG_CACHE_HOME", old_xdg, 1);
    if (old_home)
        setenv("HOME", old_home, 1);
    free(old_xdg);
    free(old_home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_on_second_build, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_dirs, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
