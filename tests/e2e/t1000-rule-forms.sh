#!/bin/sh
# t1000: how secrets are written in source code, and one finding per secret: an AWS secret access
# key in a C/C++ #define and a setenv() call; PEM private keys as quoted C string lines, as Go and
# JavaScript concatenations and as an array of lines (each reported once, on its BEGIN line, and a
# placeholder body not at
# all); an .env line that two generic rules match gives one finding and one counted duplicate; a
# baseline of what a scan reported makes the next scan clean.
. "$(dirname "$0")/lib.sh"

# Secrets are assembled at run time from a seeded generator, so this script holds none.
gen() { # gen KIND SEED
    python3 - "$1" "$2" <<'PY'
import base64, random, string, sys
kind, r = sys.argv[1], random.Random(int(sys.argv[2]))
b64 = string.ascii_letters + string.digits + "+/"
if kind == "aws":
    print(r.choice(string.ascii_letters) + "".join(r.choice(b64) for _ in range(38)) + r.choice(string.digits))
elif kind == "env":
    print("".join(r.choice(string.ascii_letters + string.digits) for _ in range(40)))
else:  # pem body lines, no DER lead-in
    b = base64.b64encode(bytes(r.getrandbits(8) for _ in range(600))).decode()
    print("\n".join("Q" + b[i:i + 63] for i in range(0, len(b), 63)))
PY
}
AWS1=$(gen aws 1)
AWS2=$(gen aws 2)
BODY=$(gen pem 3)
ENVSECRET=$(gen env 4)
B="-----BEGIN"
E="-----END"

# rule_at REPORT PATH LINE: the rule ids reported at PATH:LINE, sorted, one per line
rule_at() {
    python3 - "$@" <<'PY'
import json, sys
ids = sorted(d["rule_id"] for d in map(json.loads, filter(str.strip, open(sys.argv[1])))
             if "rule_id" in d and d["path"].endswith(sys.argv[2]) and d["line_start"] == int(sys.argv[3]))
print("\n".join(ids))
PY
}
nfindings() {
    python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if l.strip() and "rule_id" in json.loads(l)))' "$1"
}

t_aws_define() {
    mkdir aws
    printf '#include <stdlib.h>\n#define AWS_ACCESS_REGION "eu-west-1"\n#define AWS_SECRET_ACCESS_KEY "%s"\n' "$AWS1" >aws/creds.h
    printf 'int main(void)\n{\n    setenv("AWS_SECRET_ACCESS_KEY", "%s", 1);\n    return 0;\n}\n' "$AWS2" >aws/main.c
    expect_exit 1 leakhound dir aws --format jsonl
    test "$(rule_at "$OUT" aws/creds.h 3)" = aws.secret-access-key
    test "$(rule_at "$OUT" aws/main.c 3)" = aws.secret-access-key
}
test_expect "an AWS secret key in a #define and in setenv() is reported" t_aws_define

t_aws_define_example() {
    mkdir awsdoc
    printf '#define AWS_SECRET_ACCESS_KEY "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n' >awsdoc/doc.h
    printf '#define AWS_SECRET_ACCESS_KEY_ENV "AWS_SECRET_ACCESS_KEY"\n' >>awsdoc/doc.h
    expect_exit 0 leakhound dir awsdoc --format jsonl
}
test_expect "the documented example key and a name-only #define are not" t_aws_define_example

t_pem_quoted_lines() {
    mkdir pem
    {
        printf '/* test key */\n'
        printf 'static const char key_pem[] = "%s RSA PRIVATE KEY-----\\n"\n' "$B"
        echo "$BODY" | sed 's/^\(.*\)$/    "\1\\n"/'
        printf '    "%s RSA PRIVATE KEY-----\\n";\n' "$E"
    } >pem/key.c
    {
        printf 'package keys\n\nconst signingKey = "%s PRIVATE KEY-----\\n" +\n' "$B"
        echo "$BODY" | sed 's/^\(.*\)$/\t"\1\\n" +/'
        printf '\t"%s PRIVATE KEY-----\\n"\n' "$E"
    } >pem/key.go
    {
        printf "// fixture\n// more\nconst key = '%s EC PRIVATE KEY-----\\\\n' +\n" "$B"
        echo "$BODY" | sed "s/^\\(.*\\)\$/  '\\1\\\\n' +/"
        printf "  '%s EC PRIVATE KEY-----\\\\n';\n" "$E"
    } >pem/key.js
    {
        printf 'const keyLines = [\n  "%s OPENSSH PRIVATE KEY-----",\n' "$B"
        echo "$BODY" | sed 's/^\(.*\)$/  "\1",/'
        printf '  "%s OPENSSH PRIVATE KEY-----"\n];\n' "$E"
    } >pem/lines.ts
    expect_exit 1 leakhound dir pem --format jsonl
    test "$(nfindings "$OUT")" -eq 4
    test "$(rule_at "$OUT" pem/key.c 2)" = private-key.rsa
    test "$(rule_at "$OUT" pem/key.go 3)" = private-key.pkcs8
    test "$(rule_at "$OUT" pem/key.js 3)" = private-key.ec
    test "$(rule_at "$OUT" pem/lines.ts 2)" = private-key.openssh
}
test_expect "PEM keys as quoted C lines, Go/JS concatenations and an array of lines are reported once each" t_pem_quoted_lines

t_pem_quoted_placeholder() {
    mkdir pemdoc
    printf 'static const char key_pem[] = "%s RSA PRIVATE KEY-----\\n"\n    "...\\n"\n    "%s RSA PRIVATE KEY-----\\n";\n' "$B" "$E" >pemdoc/k.c
    expect_exit 0 leakhound dir pemdoc --format jsonl
}
test_expect "a quoted PEM block with a placeholder body is not" t_pem_quoted_placeholder

t_env_one_finding() {
    mkdir envdir
    printf 'DEBUG=1\nSESSION_SECRET=%s\n' "$ENVSECRET" >envdir/.env
    expect_exit 1 leakhound dir envdir --format jsonl --verbose
    test "$(nfindings "$OUT")" -eq 1
    test "$(rule_at "$OUT" envdir/.env 2 | wc -l)" -eq 1
    grep_q 'suppressed 1 match(es): duplicate' "$ERR"
}
test_expect "an .env line two generic rules match gives one finding, one counted duplicate" t_env_one_finding

t_env_audit_counts_duplicate() {
    expect_exit 1 leakhound dir envdir --format jsonl --audit-log "$TRASH/audit.jsonl"
    python3 - "$TRASH/audit.jsonl" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
assert ev["suppressed"]["duplicate"] == 1, ev["suppressed"]
assert ev["suppressed"]["total"] == 1, ev["suppressed"]
PY
}
test_expect "the audit event counts the duplicate" t_env_audit_counts_duplicate

t_fresh_baseline_is_clean() {
    # a provider token that generic rules also match, and a secret two generic rules match: the
    # baseline lists what the scan reported, so a scan against it reports nothing
    mkdir bl
    printf 'GITHUB_TOKEN=%s\nSESSION_SECRET=%s\n' "$(github_token "Zq3xVb7TnLw2Pk9RsYd4Hf6Jm8Cg1A")" \
        "$ENVSECRET" >bl/.env
    expect_exit 0 leakhound baseline create -o "$TRASH/bl.yml" bl
    test "$(grep -c 'fingerprint:' "$TRASH/bl.yml")" -eq 2
    expect_exit 0 leakhound dir bl --baseline "$TRASH/bl.yml" --format jsonl --verbose
    test "$(nfindings "$OUT")" -eq 0
    grep_q 'suppressed 2 match(es): baseline' "$ERR"
}
test_expect "a scan against a fresh baseline is clean when several rules match one secret" t_fresh_baseline_is_clean

t_baselined_do_not_fill_the_cap() {
    # The baseline is applied to the collected findings, so what it covers is collected first: more
    # baselined findings than the findings cap (LH_DEFAULT_MAX_FINDINGS, 100 000) must not crowd
    # out a new secret that comes after them. 1 600 files of 64 lines (the engine reports at most
    # 64 matches of a rule per file), walked in sorted order with -j1, then the new secret.
    mkdir cap
    printf 'GITHUB_TOKEN=%s\n' "$(github_token "Zq3xVb7TnLw2Pk9RsYd4Hf6Jm8Cg1A")" >cap/old.env
    expect_exit 0 leakhound baseline create -o "$TRASH/cap.yml" cap
    awk '{ for (f = 0; f < 1600; f++) { n = sprintf("cap/f%04d.env", f)
                                         for (i = 0; i < 64; i++) print > n
                                         close(n) } }' cap/old.env
    printf 'GITHUB_TOKEN=%s\n' "$(github_token "Pw8rTn2KxV5bLm9QzH3dYc6Fj1Sg4A")" >cap/zz.env
    expect_exit 1 leakhound dir -j1 cap --baseline "$TRASH/cap.yml" --format jsonl
    test "$(nfindings "$OUT")" -eq 1
    grep_q 'cap/zz.env' "$OUT"
    grep_none 'over the limit' "$ERR"
}
test_expect "baselined findings do not fill the cap that a new secret needs" t_baselined_do_not_fill_the_cap

test_done
