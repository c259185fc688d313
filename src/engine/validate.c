/*
 * validate.c - the named validators a rule's `validate:` key selects (see validate.h).
 *
 * Every validator is a pure function of the secret's bytes: no allocation through the process
 * allocator except json-c's own parse of a JWT header, no global state, bounded work. Inputs are
 * untrusted bytes (not NUL-terminated, may hold any byte value); every scan is bounded by len and
 * every decode writes into a fixed stack buffer whose size caps what is accepted.
 *
 * Checksum validators (github-crc32, npm-crc32, luhn) prove a token is internally consistent.
 * Structure validators (jwt, pem-private, aws-key-id, pypi-macaroon, not-placeholder) reject values
 * that merely look like the credential.
 */
#include "engine/validate.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "util/hash.h"

/* Decoded JWT headers and PyPI macaroons larger than this are not plausible tokens. */
#define VALIDATE_DECODE_MAX 4096

/* Length of the random part and of the checksum in GitHub/npm style tokens. */
#define CRC_TOKEN_RANDOM 30
#define CRC_TOKEN_CHECK 6

static bool is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool has_prefix(const unsigned char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return len >= n && memcmp(s, p, n) == 0;
}

/* Case-insensitive search for an ASCII needle. */
static bool contains_ci(const unsigned char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    size_t i, j;

    if (n == 0 || n > len)
        return n == 0;
    for (i = 0; i + n <= len; i++) {
        for (j = 0; j < n; j++)
            if (lower(s[i + j]) != (unsigned char)needle[j])
                break;
        if (j == n)
            return true;
    }
    return false;
}

/* needle (lower case, n > 0 bytes) in low[0..len), a value already folded to lower case: memchr
 * for the first byte, so a mark costs about one pass over the value (v_not_placeholder checks
 * some fifty marks on every candidate secret of the generic rules). */
static bool contains_lower(const unsigned char *low, size_t len, const char *needle, size_t n)
{
    const unsigned char *p = low, *last;

    if (n > len)
        return false;
    last = low + (len - n);
    while (p <= last) {
        p = memchr(p, (unsigned char)needle[0], (size_t)(last - p) + 1);
        if (p == NULL)
            return false;
        if (memcmp(p + 1, needle + 1, n - 1) == 0)
            return true;
        p++;
    }
    return false;
}

static bool equals_ci(const unsigned char *s, size_t len, const char *word)
{
    return strlen(word) == len && contains_ci(s, len, word);
}

static bool starts_with_ci(const unsigned char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return n <= len && contains_ci(s, n, p);
}

/* ---- CRC32 + base62 tokens (GitHub, npm) ---------------------------------------------------- */

/* body: the 36 characters after the prefix; the last 6 are base62(crc32(first 30)). */
static bool crc_body_ok(const unsigned char *body)
{
    char want[CRC_TOKEN_CHECK + 1];
    size_t i;

    for (i = 0; i < CRC_TOKEN_RANDOM + CRC_TOKEN_CHECK; i++)
        if (!is_alnum(body[i]))
            return false;
    lh_base62(want, lh_crc32(body, CRC_TOKEN_RANDOM), CRC_TOKEN_CHECK);
    return memcmp(want, body + CRC_TOKEN_RANDOM, CRC_TOKEN_CHECK) == 0;
}

/* ghp_ gho_ ghu_ ghs_ ghr_ + 36, or the 36-character body alone. */
static bool v_github_crc32(const unsigned char *s, size_t len)
{
    if (len == CRC_TOKEN_RANDOM + CRC_TOKEN_CHECK)
        return crc_body_ok(s);
    if (len != 4 + CRC_TOKEN_RANDOM + CRC_TOKEN_CHECK)
        return false;
    if (s[0] != 'g' || s[1] != 'h' || strchr("pousr", s[2]) == NULL || s[2] == '\0' || s[3] != '_')
        return false;
    return crc_body_ok(s + 4);
}

static bool v_npm_crc32(const unsigned char *s, size_t len)
{
    if (len == CRC_TOKEN_RANDOM + CRC_TOKEN_CHECK)
        return crc_body_ok(s);
    if (len != 4 + CRC_TOKEN_RANDOM + CRC_TOKEN_CHECK || !has_prefix(s, len, "npm_"))
        return false;
    return crc_body_ok(s + 4);
}

/* ---- base64 ------------------------------------------------------------------------------- */

/* Value of a base64 or base64url digit, -1 otherwise. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/*
 * Decodes base64 or base64url (trailing '=' padding optional) into out (cap bytes). Returns the
 * decoded length, or -1 when the input holds a non-alphabet byte, has an impossible length, or
 * does not fit.
 */
static long b64_decode(unsigned char *out, size_t cap, const unsigned char *in, size_t len)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n = 0, i;

    while (len > 0 && in[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return -1;
    for (i = 0; i < len; i++) {
        int v = b64_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap)
                return -1;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return (long)n;
}

/* ---- JWT ---------------------------------------------------------------------------------- */

static bool is_b64url_segment(const unsigned char *s, size_t len)
{
    size_t i;

    if (len == 0)
        return false;
    for (i = 0; i < len; i++)
        if (!(is_alnum(s[i]) || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

/* Parses exactly len bytes of JSON; true when they form one object (optionally holding key, a
 * string). */
static bool json_object_with(const unsigned char *data, size_t len, const char *key)
{
    struct json_tokener *tok = NULL;
    struct json_object *obj = NULL, *val = NULL;
    bool ok = false;

    if (len == 0 || len > VALIDATE_DECODE_MAX || len > (size_t)INT32_MAX)
        return false;
    tok = json_tokener_new();
    if (tok == NULL)
        goto out;
    obj = json_tokener_parse_ex(tok, (const char *)data, (int)len);
    if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success)
        goto out;
    if (json_tokener_get_parse_end(tok) != len)
        goto out;
    if (!json_object_is_type(obj, json_type_object))
        goto out;
    if (key == NULL) {
        ok = true;
        goto out;
    }
    if (!json_object_object_get_ex(obj, key, &val))
        goto out;
    ok = json_object_is_type(val, json_type_string) && json_object_get_string_len(val) > 0;
out:
    json_object_put(obj);
    if (tok != NULL)
        json_tokener_free(tok);
    return ok;
}

/*
 * header.payload.signature, each non-empty base64url; the header is a JSON object with a string
 * "alg", the payload a JSON object. An unsigned token ("alg":"none", empty signature) carries no
 * secret and is rejected.
 */
static bool v_jwt(const unsigned char *s, size_t len)
{
    unsigned char dec[VALIDATE_DECODE_MAX];
    const unsigned char *dot1, *dot2;
    size_t hlen, plen, slen;
    long n;

    dot1 = memchr(s, '.', len);
    if (dot1 == NULL)
        return false;
    hlen = (size_t)(dot1 - s);
    dot2 = memchr(dot1 + 1, '.', len - hlen - 1);
    if (dot2 == NULL)
        return false;
    plen = (size_t)(dot2 - dot1 - 1);
    slen = len - hlen - plen - 2;
    if (!is_b64url_segment(s, hlen) || !is_b64url_segment(dot1 + 1, plen) ||
        !is_b64url_segment(dot2 + 1, slen))
        return false;
    n = b64_decode(dec, sizeof(dec), s, hlen);
    if (n <= 0 || !json_object_with(dec, (size_t)n, "alg"))
        return false;
    n = b64_decode(dec, sizeof(dec), dot1 + 1, plen);
    /* payloads may be large; one that does not fit the buffer is only checked for shape */
    if (n < 0)
        return plen * 3 / 4 > sizeof(dec);
    return json_object_with(dec, (size_t)n, NULL);
}

/* ---- PEM private keys --------------------------------------------------------------------- */

/* Minimum base64 characters in a plausible private key body (an Ed25519 PKCS#8 key has 64). */
#define PEM_MIN_BODY 64
/* Distinct base64 digits a real key body has far more of; a filler like AAAA... has one. */
#define PEM_MIN_DISTINCT 16

/*
 * Skips a line break at s[i]: a real CR/LF or a JSON/shell-escaped one (\n, \r\n, \\n). Returns the
 * index after it, or i when there is none.
 */
static size_t skip_break(const unsigned char *s, size_t len, size_t i)
{
    size_t j = i;

    if (j < len && (s[j] == '\n' || s[j] == '\r'))
        return j + 1;
    while (j < len && s[j] == '\\')
        j++;
    if (j > i && j < len && (s[j] == 'n' || s[j] == 'r'))
        return j + 1;
    return i;
}

static const unsigned char *find_bytes(const unsigned char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

/*
 * The secret is a whole PEM block (BEGIN line, optional RFC 1421 headers such as Proc-Type or
 * DEK-Info, base64 body, END line), possibly with escaped line breaks, or just the body. The label
 * must name a private key; the body must be base64 of a plausible size and variety. Quotes and
 * commas are skipped like blanks: source code writes a key as one quoted string per line ("...\n"
 * in C or Python, "...\n" + in Go, Java or JavaScript, "...", in an array of lines).
 */
static bool v_pem_private(const unsigned char *s, size_t len)
{
    const unsigned char *begin, *label_end, *end;
    bool seen[64] = {false};
    size_t body = 0, distinct = 0, i;

    begin = find_bytes(s, len, "-----BEGIN ");
    if (begin != NULL) {
        size_t off = (size_t)(begin - s) + 11;
        label_end = find_bytes(s + off, len - off, "-----");
        if (label_end == NULL)
            return false;
        /* "PRIVATE KEY" covers RSA/EC/DSA/OPENSSH/ENCRYPTED/PKCS#8; PGP says "PRIVATE KEY BLOCK" */
        if (find_bytes(s + off, (size_t)(label_end - s) - off, "PRIVATE KEY") == NULL)
            return false;
        i = (size_t)(label_end - s) + 5;
        end = find_bytes(s + i, len - i, "-----END ");
        if (end != NULL)
            len = (size_t)(end - s);
    } else {
        i = 0;
    }
    while (i < len) {
        size_t line_start, k;
        bool header = false;

        /* one line: up to the next real or escaped break */
        line_start = i;
        while (i < len && skip_break(s, len, i) == i)
            i++;
        for (k = line_start; k < i; k++)
            if (s[k] == ':')
                header = true;
        if (!header) {
            for (k = line_start; k < i; k++) {
                int v;
                if (s[k] == ' ' || s[k] == '\t' || s[k] == '"' || s[k] == '\'' || s[k] == ',')
                    continue;
                if (s[k] == '=')
                    continue;
                v = b64_value(s[k]);
                if (v < 0 || s[k] == '-' || s[k] == '_')
                    return false;
                body++;
                if (!seen[v]) {
                    seen[v] = true;
                    distinct++;
                }
            }
        }
        if (i < len)
            i = skip_break(s, len, i);
    }
    return body >= PEM_MIN_BODY && distinct >= PEM_MIN_DISTINCT;
}

/* Largest base64-encoded PEM block decoded (a 4096-bit RSA key PEM is about 3.3 KB). */
#define PEM_B64_DECODE_MAX 8192

/* base64 of a whole PEM private key block, as kubeconfig client-key-data and Helm values hold it. */
static bool v_pem_private_base64(const unsigned char *s, size_t len)
{
    unsigned char dec[PEM_B64_DECODE_MAX];
    long n;

    n = b64_decode(dec, sizeof(dec), s, len);
    if (n <= 0)
        return false;
    return v_pem_private(dec, (size_t)n);
}

/* ---- AWS access key ids ------------------------------------------------------------------- */

static bool is_base32(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
}

static bool v_aws_key_id(const unsigned char *s, size_t len)
{
    static const char *const prefixes[] = {"AKIA", "ASIA", "ABIA", "ACCA"};
    size_t i, from = 4;
    bool known = false;

    if (len != 20)
        return false;
    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (memcmp(s, prefixes[i], 4) == 0)
            known = true;
    if (!known) {
        /* A3T plus one more identifier character */
        if (memcmp(s, "A3T", 3) != 0 || !((s[3] >= 'A' && s[3] <= 'Z') || (s[3] >= '0' && s[3] <= '9')))
            return false;
    }
    for (i = from; i < len; i++)
        if (!is_base32(s[i]))
            return false;
    return true;
}

/* ---- PyPI API tokens (macaroons) ---------------------------------------------------------- */

/*
 * pypi- then base64url of a version-2 macaroon whose first field is the location: 0x02 (version),
 * 0x01 (field: location), a one-byte length, then "pypi.org" or "test.pypi.org". The next field
 * must be the identifier (0x02).
 */
static bool v_pypi_macaroon(const unsigned char *s, size_t len)
{
    unsigned char dec[VALIDATE_DECODE_MAX];
    long n;
    size_t loc;

    if (!has_prefix(s, len, "pypi-"))
        return false;
    s += 5;
    len -= 5;
    if (len < 64)
        return false;
    n = b64_decode(dec, sizeof(dec), s, len);
    if (n < 3 || dec[0] != 0x02 || dec[1] != 0x01)
        return false;
    loc = dec[2];
    if ((size_t)n < 3 + loc + 1)
        return false;
    if (!((loc == 8 && memcmp(dec + 3, "pypi.org", 8) == 0) ||
          (loc == 13 && memcmp(dec + 3, "test.pypi.org", 13) == 0)))
        return false;
    return dec[3 + loc] == 0x02;
}

/* ---- Luhn --------------------------------------------------------------------------------- */

/* 12 to 19 digits, optionally grouped with spaces or dashes, passing the Luhn check. */
static bool v_luhn(const unsigned char *s, size_t len)
{
    unsigned sum = 0, digits = 0;
    size_t i;
    bool dbl = false;

    for (i = len; i > 0; i--) {
        unsigned char c = s[i - 1];
        unsigned d;
        if (c == ' ' || c == '-')
            continue;
        if (c < '0' || c > '9')
            return false;
        d = (unsigned)(c - '0');
        if (dbl) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
        dbl = !dbl;
        digits++;
    }
    return digits >= 12 && digits <= 19 && sum % 10 == 0;
}

/* ---- placeholders ------------------------------------------------------------------------- */

/* True when s is a repetition of its first period bytes, for some period <= 4. */
static bool is_repetition(const unsigned char *s, size_t len)
{
    size_t period, i;

    for (period = 1; period <= 4 && period * 2 <= len; period++) {
        for (i = period; i < len; i++)
            if (lower(s[i]) != lower(s[i - period]))
                break;
        if (i == len)
            return true;
    }
    return false;
}

/* Difference between consecutive bytes, with the digits wrapping (9 then 0 is a step of +1). */
static int seq_step(unsigned char a, unsigned char b)
{
    if (a == '9' && b == '0')
        return 1;
    if (a == '0' && b == '9')
        return -1;
    return (int)lower(b) - (int)lower(a);
}

/* True when every byte is the previous one plus 1 (or every one minus 1): abcdef, 1234567890. */
static bool is_sequence(const unsigned char *s, size_t len)
{
    size_t i;
    int step;

    if (len < 3)
        return false;
    step = seq_step(s[0], s[1]);
    if (step != 1 && step != -1)
        return false;
    for (i = 2; i < len; i++)
        if (seq_step(s[i - 1], s[i]) != step)
            return false;
    return true;
}

/* ALL_CAPS_NAME or dotted.lower.name: an identifier a config file uses to point at a secret. */
static bool is_identifier_reference(const unsigned char *s, size_t len)
{
    bool upper_snake = true, dotted = true, has_us = false, has_dot = false;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            upper_snake = false;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.'))
            dotted = false;
        has_us |= c == '_';
        has_dot |= c == '.';
    }
    if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    return (upper_snake && has_us) || (dotted && has_dot && s[0] != '.' && s[len - 1] != '.');
}

static bool v_not_placeholder(const unsigned char *s, size_t len)
{
    /* substrings that mark a documentation value, a mask or a template anywhere in the value */
    static const char *const marks[] = {
        "example", "changeme", "change_me", "change-me", "xxxx", "****", "....", "redacted",
        "dummy", "sample", "test", "placeholder", "your_", "your-", "yourkey", "yoursecret",
        "yourtoken", "yourpassword", "_here", "-here", "replace_me", "replaceme", "insert_",
        "fixme", "todo", "${", "{{", "}}", "$(", "%(", "<%", "process.env", "os.environ",
        "os.getenv", "getenv(", "system.getenv", "env(", "env[", "env.", "secrets.", "vault(",
        "lookup(", "data:image/", "enc[", "!vault", "#{", "%{",
        /* documented example values (marks are lower case): jwt.io's sample token signature */
        "sflkxwrjsmekkf2qt4fwpmxd36pok6yjv_adqssw5c",
    };
    /* whole values that are not secrets */
    static const char *const words[] = {
        "null", "nil", "none", "true", "false", "undefined", "empty", "secret", "password",
        "passwd", "token", "apikey", "api_key", "qwerty", "letmein", "hunter2", "admin", "root",
        "default", "string", "required", "optional", "pass", "foobar", "foo", "bar", "baz",
    };
    /* references and hashes by prefix */
    static const char *const prefixes[] = {
        "var.", "local.", "module.", "data.", "self.", "this.", "config.", "settings.", "props.",
        "sha1-", "sha256-", "sha384-", "sha512-", "file:", "./", "../", "~/", "arn:aws:",
        /* secret-manager references: 1Password, bank-vaults, helmfile/vals */
        "op://", "vault:", "ref+",
    };
    unsigned char low[512];
    size_t i;

    if (len < 4)
        return false;
    if (len <= sizeof(low)) {
        for (i = 0; i < len; i++)
            low[i] = lower(s[i]);
        for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
            if (contains_lower(low, len, marks[i], strlen(marks[i])))
                return false;
    } else {
        for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
            if (contains_ci(s, len, marks[i]))
                return false;
    }
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (equals_ci(s, len, words[i]))
            return false;
    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (starts_with_ci(s, len, prefixes[i]))
            return false;
    /* <YOUR_KEY>, [token], (secret): bracketed template slots */
    if ((s[0] == '<' && s[len - 1] == '>') || (s[0] == '[' && s[len - 1] == ']') ||
        (s[0] == '(' && s[len - 1] == ')'))
        return false;
    /* $VAR and %VAR% shell / batch references */
    if (s[0] == '$' && len > 1 && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z') ||
                                   (s[1] >= 'a' && s[1] <= 'z')))
        return false;
    if (s[0] == '%' && s[len - 1] == '%')
        return false;
    if (is_repetition(s, len) || is_sequence(s, len))
        return false;
    if (is_identifier_reference(s, len))
        return false;
    return true;
}

/*
 * HTTP Basic credentials: base64 of "user:password" (RFC 7617), printable, with a password of at
 * least 4 bytes that is not a placeholder.
 */
static bool v_basic_auth(const unsigned char *s, size_t len)
{
    unsigned char dec[VALIDATE_DECODE_MAX];
    const unsigned char *colon;
    long n, i;

    n = b64_decode(dec, sizeof(dec), s, len);
    if (n < 3)
        return false;
    for (i = 0; i < n; i++)
        if (dec[i] < 0x20 || dec[i] > 0x7e)
            return false;
    colon = memchr(dec, ':', (size_t)n);
    if (colon == NULL)
        return false;
    i = colon - dec + 1;
    if (n - i < 4)
        return false;
    return v_not_placeholder(dec + i, (size_t)(n - i));
}

static const struct lh_validator validators[] = {
    {"github-crc32", v_github_crc32, true,
     "GitHub ghp_/gho_/ghu_/ghs_/ghr_ token: the last 6 characters are the base62 CRC32 of the 30 "
     "before them"},
    {"npm-crc32", v_npm_crc32, true,
     "npm_ token: the last 6 characters are the base62 CRC32 of the 30 before them"},
    {"luhn", v_luhn, true, "12-19 digits (spaces or dashes allowed) passing the Luhn check"},
    {"jwt", v_jwt, false,
     "three base64url parts; the header is a JSON object with \"alg\", the payload a JSON object, "
     "the signature non-empty"},
    {"pem-private", v_pem_private, false,
     "a PEM private key block (not a public key or certificate) whose base64 body is >= 64 "
     "characters with a realistic variety of digits; escaped \\n line breaks accepted"},
    {"pem-private-base64", v_pem_private_base64, false,
     "base64 of a PEM private key block that passes pem-private (kubeconfig client-key-data)"},
    {"basic-auth", v_basic_auth, false,
     "base64 of printable \"user:password\" with a password of 4+ bytes that passes "
     "not-placeholder"},
    {"aws-key-id", v_aws_key_id, false,
     "20 characters: AKIA/ASIA/ABIA/ACCA or A3T? then base32 (A-Z2-7)"},
    {"pypi-macaroon", v_pypi_macaroon, false,
     "pypi- then base64url of a macaroon whose location is pypi.org (or test.pypi.org)"},
    {"not-placeholder", v_not_placeholder, false,
     "rejects placeholders and references: repeated or sequential characters, example/changeme/"
     "dummy/sample/test/redacted, masks (xxxx, ****), templates (<...>, ${...}, {{...}}, $(...), "
     "%{...}), environment, variable and secret-manager references (op://, vault:, ref+), "
     "integrity hashes, data URIs, jwt.io's sample token"},
    {NULL, NULL, false, NULL},
};

const struct lh_validator *lh_validators(void)
{
    return validators;
}

const struct lh_validator *lh_validator_find(const char *name)
{
    size_t i;

    if (name == NULL)
        return NULL;
    for (i = 0; validators[i].name != NULL; i++)
        if (strcmp(validators[i].name, name) == 0)
            return &validators[i];
    return NULL;
}
