/*
 * test_util.c - the base layer: bounded buffers, escaping, UTF-8, line mapping, entropy, hashes,
 * the allocator's failure point, and the finding list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine/finding.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/chunk.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/text.h"

static void test_buf_bounds(void **state)
{
    struct lh_buf b;
    (void)state;

    lh_buf_init(&b, 8);
    assert_int_equal(lh_buf_adds(&b, "abcd"), 0);
    assert_int_equal(lh_buf_addf(&b, "%d", 123), 0);
    assert_string_equal(b.ptr, "abcd123");
    assert_int_equal(lh_buf_adds(&b, "xy"), LH_ELIMIT);
    assert_string_equal(b.ptr, "abcd123"); /* unchanged on failure */
    assert_int_equal(lh_buf_addc(&b, 'z'), 0);
    assert_int_equal(b.len, 8);
    lh_buf_release(&b);
}

static void test_escape_controls(void **state)
{
    struct lh_buf b;
    const char in[] = "a\x1b[31mred\r\n\t\x7f\\ok\xc3\xa9\xff";
    (void)state;

    lh_buf_init(&b, 1024);
    assert_int_equal(lh_text_escape(&b, in, sizeof(in) - 1), 0);
    assert_string_equal(b.ptr, "a\\x1b[31mred\\r\\n\\t\\x7f\\\\ok\xc3\xa9\\xff");
    lh_buf_release(&b);
}

static void test_escape_c1(void **state)
{
    struct lh_buf b;
    const char in[] = "x\xc2\x9by"; /* U+009B, the C1 CSI introducer */
    (void)state;

    lh_buf_init(&b, 64);
    assert_int_equal(lh_text_escape(&b, in, sizeof(in) - 1), 0);
    assert_string_equal(b.ptr, "x\\xc2\\x9by");
    lh_buf_release(&b);
}

static void test_utf8_repair(void **state)
{
    struct lh_buf b;
    const char in[] = "ok\xff\xfe!\xe2\x82\xac\xed\xa0\x80";
    (void)state;

    lh_buf_init(&b, 64);
    assert_int_equal(lh_text_utf8(&b, in, sizeof(in) - 1), 0);
    assert_true(lh_text_is_utf8(b.ptr, b.len));
    assert_false(lh_text_is_utf8(in, sizeof(in) - 1));
    assert_string_equal(b.ptr, "ok\xef\xbf\xbd\xef\xbf\xbd!\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    lh_buf_release(&b);
}

static void test_linecol(void **state)
{
    const char *s = "one\r\ntwo\nthree";
    struct lh_lineidx li;
    uint32_t line, col;
    (void)state;

    lh_text_linecol(s, strlen(s), 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    lh_lineidx_init(&li, s, strlen(s));
    lh_lineidx_map(&li, 5, &line, &col); /* 't' of two, after CRLF */
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    lh_lineidx_map(&li, 11, &line, &col); /* 'r' of three */
    assert_int_equal(line, 3);
    assert_int_equal(col, 3);
    lh_lineidx_map(&li, 1, &line, &col); /* backwards restarts */
    assert_int_equal(line, 1);
    assert_int_equal(col, 2);
}

static void test_entropy(void **state)
{
    (void)state;
    assert_true(lh_entropy("aaaa", 4) == 0.0);
    assert_true(lh_entropy("abcd", 4) > 1.99 && lh_entropy("abcd", 4) < 2.01);
    assert_true(lh_entropy("", 0) == 0.0);
}

static void test_hashes(void **state)
{
    char hex[65], b62[7];
    const void *parts[2] = {"ab", "c"};
    size_t lens[2] = {2, 1};
    (void)state;

    lh_sha256_hex(hex, parts, lens, 2);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(lh_crc32("123456789", 9), 0xcbf43926u);
    lh_base62(b62, 61, 6);
    assert_string_equal(b62, "00000z");
    lh_base62(b62, 62, 6);
    assert_string_equal(b62, "000010");
}

static void test_alloc_fail(void **state)
{
    void *p;
    (void)state;

    lh_alloc_fail_at(2);
    p = lh_malloc(10);
    assert_non_null(p);
    free(p);
    assert_null(lh_malloc(10));
    assert_null(lh_strdup("x"));
    lh_alloc_fail_at(0);
    p = lh_strdup("x");
    assert_non_null(p);
    free(p);
}

static void test_binary(void **state)
{
    (void)state;
    assert_true(lh_is_binary("a\0b", 3));
    assert_false(lh_is_binary("abc", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_bounds),  cmocka_unit_test(test_escape_controls),
        cmocka_unit_test(test_escape_c1),   cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_linecol),     cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_hashes),      cmocka_unit_test(test_alloc_fail),
        cmocka_unit_test(test_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
