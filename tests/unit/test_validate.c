/*
 * test_validate.c - the named validators: each one's passing and failing inputs. Checksummed tokens
 * are assembled at run time (CRC computed with lh_crc32/lh_base62) so no literal token lives in the
 * source; random-looking bodies come from a fixed-seed generator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "engine/validate.h"
#include "util/hash.h"

static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Fills out with n characters of alphabet, from a deterministic xorshift stream. */
static void fill(char *out, size_t n, const char *alphabet, uint32_t seed)
{
    size_t k = strlen(alphabet), i;
    uint32_t x = seed ? seed : 1;

    for (i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = alphabet[x % k];
    }
    out[n] = '\0';
}

/* prefix + 30 random + base62(crc32(random)); out holds at least strlen(prefix) + 37. */
static void crc_token(char *out, const char *prefix, uint32_t seed)
{
    size_t p = strlen(prefix);

    memcpy(out, prefix, p);
    fill(out + p, 30, alnum, seed);
    lh_base62(out + p + 30, lh_crc32(out + p, 30), 6);
}

static void b64url_encode(char *out, const unsigned char *in, size_t len)
{
    size_t i, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    for (i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = b64url[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out[o++] = b64url[(acc << (6 - bits)) & 63];
    out[o] = '\0';
}

static void b64_encode(char *out, const unsigned char *in, size_t len)
{
    static const char b64std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    for (i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = b64std[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out[o++] = b64std[(acc << (6 - bits)) & 63];
    while (o % 4 != 0)
        out[o++] = '=';
    out[o] = '\0';
}

static bool run(const char *name, const char *s)
{
    const struct lh_validator *v = lh_validator_find(name);

    assert_non_null(v);
    return v->fn((const unsigned char *)s, strlen(s));
}

static void test_table(void **state)
{
    const struct lh_validator *t = lh_validators();
    static const char *const names[] = {"github-crc32", "npm-crc32", "jwt", "pem-private",
                                        "aws-key-id", "pypi-macaroon", "luhn", "not-placeholder",
                                        "pem-private-base64", "basic-auth"};
    size_t i, n = 0;
    (void)state;

    for (i = 0; t[i].name != NULL; i++) {
        assert_non_null(t[i].fn);
        assert_non_null(t[i].doc);
        n++;
    }
    assert_true(n >= 8);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_non_null(lh_validator_find(names[i]));
    assert_null(lh_validator_find("no-such-validator"));
    assert_null(lh_validator_find(NULL));
    assert_true(lh_validator_find("github-crc32")->checksum);
    assert_false(lh_validator_find("jwt")->checksum);
}

static void test_github_crc32(void **state)
{
    static const char *const prefixes[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"};
    char tok[64];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        crc_token(tok, prefixes[i], (uint32_t)(1000 + i));
        assert_true(run("github-crc32", tok));
        assert_true(run("github-crc32", tok + 4)); /* the body alone */
    }
    crc_token(tok, "ghp_", 7);
    tok[39] = tok[39] == 'A' ? 'B' : 'A'; /* checksum digit changed */
    assert_false(run("github-crc32", tok));
    crc_token(tok, "ghp_", 7);
    tok[10] = tok[10] == 'A' ? 'B' : 'A'; /* random part changed */
    assert_false(run("github-crc32", tok));
    crc_token(tok, "ghx_", 7);
    assert_false(run("github-crc32", tok)); /* unknown prefix */
    crc_token(tok, "npm_", 7);
    assert_false(run("github-crc32", tok));
    crc_token(tok, "ghp_", 7);
    tok[39] = '\0';
    assert_false(run("github-crc32", tok)); /* too short */
    assert_false(run("github-crc32", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    assert_false(run("github-crc32", ""));
}

static void test_npm_crc32(void **state)
{
    char tok[64];
    (void)state;

    crc_token(tok, "npm_", 42);
    assert_true(run("npm-crc32", tok));
    crc_token(tok, "npm_", 43);
    assert_true(run("npm-crc32", tok));
    tok[38] = tok[38] == '0' ? '1' : '0';
    assert_false(run("npm-crc32", tok));
    crc_token(tok, "ghp_", 42);
    assert_false(run("npm-crc32", tok));
    crc_token(tok, "npm_", 42);
    tok[12] = '-'; /* not alphanumeric */
    assert_false(run("npm-crc32", tok));
}

static void make_jwt(char *out, const char *header, const char *payload, const char *sig)
{
    size_t n;

    b64url_encode(out, (const unsigned char *)header, strlen(header));
    n = strlen(out);
    out[n++] = '.';
    b64url_encode(out + n, (const unsigned char *)payload, strlen(payload));
    n = strlen(out);
    out[n++] = '.';
    memcpy(out + n, sig, strlen(sig) + 1);
}

static void test_jwt(void **state)
{
    char jwt[512], sig[64];
    (void)state;

    fill(sig, 43, b64url, 99);
    make_jwt(jwt, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"sub\":\"1\",\"iat\":1700000000}", sig);
    assert_true(run("jwt", jwt));
    make_jwt(jwt, "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"k1\"}", "{\"scope\":\"read\"}", sig);
    assert_true(run("jwt", jwt));

    make_jwt(jwt, "{\"typ\":\"JWT\"}", "{\"sub\":\"1\"}", sig); /* no alg */
    assert_false(run("jwt", jwt));
    make_jwt(jwt, "[\"alg\"]", "{\"sub\":\"1\"}", sig); /* not an object */
    assert_false(run("jwt", jwt));
    make_jwt(jwt, "{\"alg\":\"HS256\"} trailing", "{\"sub\":\"1\"}", sig);
    assert_false(run("jwt", jwt));
    make_jwt(jwt, "{\"alg\":\"none\"}", "{\"sub\":\"1\"}", ""); /* unsigned */
    assert_false(run("jwt", jwt));
    make_jwt(jwt, "{\"alg\":\"HS256\"}", "not json", sig);
    assert_false(run("jwt", jwt));
    make_jwt(jwt, "{\"alg\":\"HS256\"}", "{\"sub\":\"1\"}", "sig!nature");
    assert_false(run("jwt", jwt));
    assert_false(run("jwt", "eyJhbGciOiJIUzI1NiJ9.payload"));
    assert_false(run("jwt", "a.b.c"));
    assert_false(run("jwt", "version.1.2"));
}

/* Appends the string s to out (cap bytes), which the caller sized to fit. */
static void append(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out), k = strlen(s);

    assert_true(n + k < cap);
    memcpy(out + n, s, k + 1);
}

/* A PEM block with n_lines of 64 random base64 characters; sep is the line break used. */
static void make_pem(char *out, size_t cap, const char *label, size_t n_lines, const char *sep,
                     uint32_t seed)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char line[65];
    size_t i;

    out[0] = '\0';
    assert_true(strlen(label) * 2 + 40 + n_lines * (64 + strlen(sep)) < cap);
    append(out, cap, "-----BEGIN ");
    append(out, cap, label);
    append(out, cap, "-----");
    append(out, cap, sep);
    for (i = 0; i < n_lines; i++) {
        fill(line, 64, b64, seed + (uint32_t)i);
        append(out, cap, line);
        append(out, cap, sep);
    }
    append(out, cap, "-----END ");
    append(out, cap, label);
    append(out, cap, "-----");
}

static void test_pem_private(void **state)
{
    char pem[2048];
    (void)state;

    make_pem(pem, sizeof(pem), "RSA PRIVATE KEY", 6, "\n", 5);
    assert_true(run("pem-private", pem));
    make_pem(pem, sizeof(pem), "PRIVATE KEY", 3, "\r\n", 6);
    assert_true(run("pem-private", pem));
    make_pem(pem, sizeof(pem), "OPENSSH PRIVATE KEY", 4, "\\n", 7); /* JSON-escaped */
    assert_true(run("pem-private", pem));
    make_pem(pem, sizeof(pem), "ENCRYPTED PRIVATE KEY", 4, "\\\\n", 8); /* double-escaped */
    assert_true(run("pem-private", pem));
    make_pem(pem, sizeof(pem), "PGP PRIVATE KEY BLOCK", 4, "\n", 9);
    assert_true(run("pem-private", pem));
    assert_true(run("pem-private",
                    "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00"
                    "\n\nMHcCAQEEIBkg9aVRtvsdCsBn1xYvvmGT4pnSLvwKpi6QHw2RPh2HoAoGCCqGSM49\n"
                    "AwEHoUQDQgAE4e1vG7JjY9xQbjmW0CFZ1lMSkHDZQJBTxhMpDJJiO5w==\n"
                    "-----END EC PRIVATE KEY-----"));

    make_pem(pem, sizeof(pem), "PUBLIC KEY", 6, "\n", 5);
    assert_false(run("pem-private", pem));
    make_pem(pem, sizeof(pem), "CERTIFICATE", 6, "\n", 5);
    assert_false(run("pem-private", pem));
    make_pem(pem, sizeof(pem), "RSA PRIVATE KEY", 0, "\n", 5); /* empty body */
    assert_false(run("pem-private", pem));
    assert_false(run("pem-private", "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n"
                                    "-----END RSA PRIVATE KEY-----")); /* too short */
    assert_false(run("pem-private", "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"));
    assert_false(run("pem-private", "-----BEGIN PRIVATE KEY-----\n<your key here>\n"
                                    "-----END PRIVATE KEY-----"));
    assert_false(run("pem-private",
                     "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----")); /* filler */
    assert_false(run("pem-private", "-----BEGIN PRIVATE KEY"));
}

static void test_pem_private_base64(void **state)
{
    char pem[2048], enc[4096];
    static char big[12000];
    (void)state;

    make_pem(pem, sizeof(pem), "RSA PRIVATE KEY", 6, "\n", 5);
    b64_encode(enc, (const unsigned char *)pem, strlen(pem));
    assert_true(run("pem-private-base64", enc));
    make_pem(pem, sizeof(pem), "OPENSSH PRIVATE KEY", 4, "\n", 7);
    b64_encode(enc, (const unsigned char *)pem, strlen(pem));
    assert_true(run("pem-private-base64", enc));

    make_pem(pem, sizeof(pem), "CERTIFICATE", 6, "\n", 5); /* certificate-authority-data */
    b64_encode(enc, (const unsigned char *)pem, strlen(pem));
    assert_false(run("pem-private-base64", enc));
    b64_encode(enc, (const unsigned char *)"-----BEGIN RSA PRIVATE KEY-----\n...\n"
                                          "-----END RSA PRIVATE KEY-----\n", 66);
    assert_false(run("pem-private-base64", enc));
    assert_false(run("pem-private-base64", "LS0tLS1CRUdJTi*notbase64*"));
    assert_false(run("pem-private-base64", ""));
    /* larger than the decode buffer: refused, not overflowed */
    memset(big, 'Q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_false(run("pem-private-base64", big));
}

static void test_basic_auth(void **state)
{
    char enc[128];
    (void)state;

    b64_encode(enc, (const unsigned char *)"svc-billing:Kx8vQ2mPz7Lw", 24);
    assert_true(run("basic-auth", enc));
    b64_encode(enc, (const unsigned char *)":Kx8vQ2mPz7Lw", 13); /* empty user is allowed */
    assert_true(run("basic-auth", enc));

    b64_encode(enc, (const unsigned char *)"user:password", 13);
    assert_false(run("basic-auth", enc));
    b64_encode(enc, (const unsigned char *)"username:<password>", 19);
    assert_false(run("basic-auth", enc));
    b64_encode(enc, (const unsigned char *)"user:abc", 8); /* password too short */
    assert_false(run("basic-auth", enc));
    b64_encode(enc, (const unsigned char *)"no-colon-at-all", 15);
    assert_false(run("basic-auth", enc));
    b64_encode(enc, (const unsigned char *)"u:\x01\x02\x03\x04\x05", 7); /* not printable */
    assert_false(run("basic-auth", enc));
    assert_false(run("basic-auth", "realm=\"api\""));
    assert_false(run("basic-auth", "QQ"));
}

static void test_aws_key_id(void **state)
{
    char id[32];
    static const char *const prefixes[] = {"AKIA", "ASIA", "ABIA", "ACCA", "A3TX"};
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        memcpy(id, prefixes[i], 4);
        fill(id + 4, 16, b32, (uint32_t)(300 + i));
        assert_true(run("aws-key-id", id));
    }
    memcpy(id, "AKIA", 4);
    fill(id + 4, 16, b32, 1);
    id[10] = '8'; /* not base32 */
    assert_false(run("aws-key-id", id));
    memcpy(id, "AKIB", 4);
    fill(id + 4, 16, b32, 1);
    assert_false(run("aws-key-id", id));
    memcpy(id, "AKIA", 4);
    fill(id + 4, 15, b32, 1);
    assert_false(run("aws-key-id", id)); /* 19 characters */
    memcpy(id, "akia", 4);
    fill(id + 4, 16, b32, 1);
    assert_false(run("aws-key-id", id));
}

/* pypi- + base64url(0x02 0x01 len location 0x02 len identifier ...) */
static void make_pypi(char *out, const char *location, unsigned char next_field, uint32_t seed)
{
    unsigned char mac[160];
    char ident[80];
    size_t n = 0, l = strlen(location);

    mac[n++] = 0x02;
    mac[n++] = 0x01;
    mac[n++] = (unsigned char)l;
    memcpy(mac + n, location, l);
    n += l;
    mac[n++] = next_field;
    fill(ident, 70, alnum, seed);
    mac[n++] = 70;
    memcpy(mac + n, ident, 70);
    n += 70;
    memcpy(out, "pypi-", 5);
    b64url_encode(out + 5, mac, n);
}

static void test_pypi_macaroon(void **state)
{
    char tok[512];
    (void)state;

    make_pypi(tok, "pypi.org", 0x02, 11);
    assert_true(strncmp(tok, "pypi-AgEIcHlwaS5vcmc", 20) == 0);
    assert_true(run("pypi-macaroon", tok));
    make_pypi(tok, "test.pypi.org", 0x02, 12);
    assert_true(run("pypi-macaroon", tok));

    make_pypi(tok, "evil.org", 0x02, 11);
    assert_false(run("pypi-macaroon", tok));
    make_pypi(tok, "pypi.org", 0x07, 11);
    assert_false(run("pypi-macaroon", tok));
    make_pypi(tok, "pypi.org", 0x02, 11);
    tok[40] = '!';
    assert_false(run("pypi-macaroon", tok));
    make_pypi(tok, "pypi.org", 0x02, 11);
    tok[0] = 'P';
    assert_false(run("pypi-macaroon", tok));
    assert_false(run("pypi-macaroon", "pypi-AgEIcHlwaS5vcmc"));
}

static void test_luhn(void **state)
{
    (void)state;

    assert_true(run("luhn", "4111111111111111"));
    assert_true(run("luhn", "4111 1111 1111 1111"));
    assert_true(run("luhn", "5500-0000-0000-0004"));
    assert_true(run("luhn", "378282246310005"));
    assert_false(run("luhn", "4111111111111112"));
    assert_false(run("luhn", "41111111111a1111"));
    assert_false(run("luhn", "0000000000")); /* too few digits */
    assert_false(run("luhn", "12345678901234567890")); /* too many */
}

static void test_not_placeholder(void **state)
{
    static const char *const rejected[] = {
        "aaaaaaaaaaaa", "************", "xxxxxxxxxxxxxxxx", "XXXX-XXXX-XXXX", "abcdefghij",
        "1234567890", "9876543210", "abababababab", "this-is-an-example-key", "changeme123",
        "CHANGEME", "<YOUR_API_KEY>", "<secret>", "${DB_PASSWORD}", "${{ secrets.NPM_TOKEN }}",
        "{{ vault_password }}", "$(cat /run/secrets/db)", "your_api_key_here", "REDACTED",
        "dummy-token-1234", "sample_secret_value", "testpassword1", "Test1234Key",
        "process.env.API_KEY", "os.environ['TOKEN']", "var.db_password", "$PASSWORD", "%TOKEN%",
        "null", "None", "true", "password", "DB_PASSWORD", "config.db.password",
        "sha512-Abc123DefGhi456JklMno789PqrStu==", "data:image/png;base64,iVBORw0KGgo", "abc",
        "", "[token]", "local.secret_value", "ENC[AES256_GCM,data:abc]",
        /* Puppet/Hiera interpolation and secret-manager references */
        "%{hiera('mysql_password')}", "op://Engineering/payments/api-token",
        "vault:secret/data/db#password", "ref+awssecrets://prod/api#/token",
        /* jwt.io's documented sample token */
        ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0Ijox"
         "NTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMxd36POk6yJV_adQssw5c"),
    };
    static const char *const accepted[] = {
        "h7Tq9vLx2Wm4Pz8RkB3nYc6Fd", "s3cr3t-Pa55w0rd!xQ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCY9k2LmQ",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "Zx81_Qw-4rTy", "correct horse battery staple",
        "hQ7%kP2{mZ9rTw4", "vaultKp9Xz2LmQ7wR", "opts9Xz2LmQ7wR4t",
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
        if (run("not-placeholder", rejected[i]))
            fail_msg("accepted placeholder \"%s\"", rejected[i]);
    }
    for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
        if (!run("not-placeholder", accepted[i]))
            fail_msg("rejected value \"%s\"", accepted[i]);
    }
    /* a mark at either end, in mixed case; values longer than the folding buffer (512) too */
    assert_false(run("not-placeholder", "Kp9Xz2LmQ7wR4tEXAMPLE"));
    assert_false(run("not-placeholder", "ExAmPleKp9Xz2LmQ7wR4t"));
    assert_false(run("not-placeholder", "Kp9Xz2LmQ7wR4t}}"));
    {
        static char big[700];
        uint32_t x = 12345;
        for (i = 0; i + 1 < sizeof(big); i++) { /* not periodic, not a sequence */
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            big[i] = "Kp9Xz2LmQ7wR4tHsBcDfGjNv"[x % 24];
        }
        assert_true(run("not-placeholder", big));
        memcpy(big + sizeof(big) - 9, "REDACTED", 8);
        assert_false(run("not-placeholder", big));
        big[513] = '\0'; /* 513 bytes: still the long path, mark gone */
        assert_true(run("not-placeholder", big));
        memcpy(big + 504, "Redacted", 8); /* 512 bytes: the folded path, mark at the very end */
        big[512] = '\0';
        assert_false(run("not-placeholder", big));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),        cmocka_unit_test(test_github_crc32),
        cmocka_unit_test(test_npm_crc32),    cmocka_unit_test(test_jwt),
        cmocka_unit_test(test_pem_private),  cmocka_unit_test(test_aws_key_id),
        cmocka_unit_test(test_pypi_macaroon), cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_not_placeholder), cmocka_unit_test(test_pem_private_base64),
        cmocka_unit_test(test_basic_auth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
