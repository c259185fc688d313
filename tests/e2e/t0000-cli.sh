#!/bin/sh
# t0000: the CLI's contract: exit codes, formats, redaction, colour, broken packs, stdin, files.
. "$(dirname "$0")/lib.sh"

# Planted secrets, assembled at run time so this script holds none.
GH=$(github_token "Zq3xVb7TnLw2Pk9RsYd4Hf6Jm8Cg1A")
AKID="AKIA""Q3WZ7RJX2M5T4KHN"
ASECRET="k7Gq2Vx9Lm4Rt8Zp3Wc6Yb1Nf5Hs0Jd"'/'"Ue2TiQ9x"
mkdir -p tree/src tree/.git
cat >tree/src/config.py <<PY
# settings
AWS_ACCESS_KEY_ID = "$AKID"
aws_secret_access_key = "$ASECRET"
GITHUB = "$GH"
PY
python3 - >tree/src/id_rsa <<'PY'
import base64, random
r = random.Random(7)
body = base64.b64encode(bytes(r.getrandbits(8) for _ in range(1190))).decode()
print("-----BEGIN RSA PRIVATE KEY-----")
for i in range(0, len(body), 64):
    print(body[i:i+64])
print("-----END RSA PRIVATE KEY-----")
PY
printf 'token=%s\n' "$GH" >tree/.git/config  # .git is never walked
mkdir clean && printf 'nothing to see\nhere\n' >clean/readme.txt

t_dir_finds_planted() {
    expect_exit 1 leakhound dir tree
    grep_q 'aws.access-key-id' "$OUT"
    grep_q 'aws.secret-access-key' "$OUT"
    grep_none 'generic' "$OUT"
    grep_q 'github' "$OUT"
    grep_q 'config.py:4' "$OUT"
    grep_q 'id_rsa' "$OUT"
    grep_none "$GH" "$OUT"
    grep_none "$AKID" "$OUT"
    grep_none "$ASECRET" "$OUT"
    grep_none "$GH" "$ERR"
    grep_none '.git/config' "$OUT"
}
test_expect "dir finds the AWS pair, the GitHub token and the RSA key, redacted" t_dir_finds_planted

t_clean() {
    expect_exit 0 leakhound dir clean
}
test_expect "a clean tree exits 0" t_clean

t_exit_code() {
    expect_exit 7 leakhound dir tree --exit-code 7
}
test_expect "--exit-code sets the status for findings" t_exit_code

t_show_secrets() {
    expect_exit 1 leakhound dir tree --show-secrets
    grep_q "$GH" "$OUT"
}
test_expect "--show-secrets reveals" t_show_secrets

t_json() {
    expect_exit 1 leakhound dir tree --format json
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["findings"]) >= 4, d; f=d["findings"][0]; assert f["schema"]=="leakhound.finding/v1"; assert len(f["fingerprint"])==64' "$OUT"
    grep_none "$GH" "$OUT"
}
test_expect "json output is one document of finding records" t_json

t_jsonl() {
    expect_exit 1 leakhound dir tree --format jsonl
    python3 -c '
import json,sys,hashlib
lines=[json.loads(l) for l in open(sys.argv[1])]
assert lines[-1]["schema"]=="leakhound.summary/v1"
gh=[l for l in lines[:-1] if l["rule_id"].startswith("github")]
assert gh, lines
want=hashlib.sha256((gh[0]["rule_id"]+"\0"+sys.argv[2]).encode()).hexdigest()
assert gh[0]["fingerprint"]==want, (gh[0]["fingerprint"], want)
assert gh[0]["line_start"]==4 and gh[0]["col_start"]==11, gh[0]
' "$OUT" "$GH"
}
test_expect "jsonl: fingerprint is sha256(rule_id NUL secret), lines and columns" t_jsonl

t_color() {
    expect_exit 1 leakhound dir tree --color always
    grep_q "$(printf '\033')" "$OUT"
    NO_COLOR=1 expect_exit 1 leakhound dir tree
    grep_none "$(printf '\033')" "$OUT"
    unset NO_COLOR
    expect_exit 1 leakhound dir tree
    grep_none "$(printf '\033')" "$OUT"   # not a terminal
}
test_expect "colour only when asked or on a terminal; NO_COLOR honoured" t_color

t_broken_pack() {
    printf 'rules:\n- id: x.y\n  name: X\n  pattern: "(abc"\n  severity: high\n  confidence: high\n' >bad.yml
    expect_exit 2 leakhound dir clean --rules bad.yml
    grep_q 'bad.yml:4' "$ERR"
    grep_q 'x.y' "$ERR"
    printf 'rules:\n- id: x.y\n  name: X\n  pattern: "a(b)"\n  bogus: 1\n' >bad2.yml
    expect_exit 2 leakhound dir clean --rules bad2.yml
    grep_q 'bad2.yml:5' "$ERR"
    printf 'rules: [\n' >bad3.yml
    expect_exit 2 leakhound dir clean --rules bad3.yml
    grep_q 'bad3.yml:' "$ERR"
}
test_expect "a broken pack exits 2 naming file:line and the rule" t_broken_pack

t_usage() {
    expect_exit 2 leakhound dir
    expect_exit 2 leakhound dir tree --bogus
    expect_exit 2 leakhound nosuchcommand
    expect_exit 2 leakhound dir tree --format xml
    expect_exit 2 leakhound dir does-not-exist
    expect_exit 0 leakhound dir --help
    grep_q 'usage: leakhound dir' "$OUT"
    expect_exit 0 leakhound version
    grep_q 'hyperscan' "$OUT"
    expect_exit 0 leakhound man
    grep_q '^.TH LEAKHOUND' "$OUT"
}
test_expect "usage errors exit 2; help, version and man work" t_usage

t_stdin() {
    printf 'x = "%s"\n' "$GH" | expect_exit 1 leakhound stdin --path piped.txt
    grep_q 'piped.txt:1' "$OUT"
    printf 'hello\n' | expect_exit 0 leakhound stdin
}
test_expect "stdin scans piped text" t_stdin

t_crlf_nul_utf8() {
    mkdir odd
    printf 'a\r\nb\r\nkey = "%s"\r\n' "$GH" >odd/crlf.txt
    expect_exit 1 leakhound dir odd --format jsonl
    python3 -c 'import json,sys; l=json.loads(open(sys.argv[1]).readline()); assert l["line_start"]==3 and l["col_start"]==8, l' "$OUT"
    rm odd/crlf.txt
    printf 'ok\0\0\0 %s\n' "$GH" >odd/nul.bin
    expect_exit 0 leakhound dir odd -v
    grep_q 'binary' "$ERR"
    expect_exit 1 leakhound dir odd --binary
    printf '\377\376 caf\351 %s \200\n' "$GH" >odd/latin1.txt
    rm odd/nul.bin
    expect_exit 1 leakhound dir odd --format json
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT"
}
test_expect "CRLF columns, NUL bytes (binary) and invalid UTF-8 do not stop a scan" t_crlf_nul_utf8

t_max_size() {
    mkdir big
    python3 -c 'import sys; sys.stdout.write("x"*3000000 + "\n" + sys.argv[1] + "\n")' "$GH" >big/large.txt
    expect_exit 0 leakhound dir big --max-file-size 1M -v
    grep_q 'too-large' "$ERR"
    expect_exit 1 leakhound dir big
}
test_expect "files over --max-file-size are skipped and counted" t_max_size

t_escape_path() {
    mkdir esc
    p=$(printf 'esc/evil\033[2Jname.txt')
    printf 'k = "%s"\n' "$GH" >"$p"
    expect_exit 1 leakhound dir esc
    grep_none "$(printf '\033')" "$OUT"
    grep_q 'evil\\x1b\[2Jname' "$OUT"
}
test_expect "control characters in paths are escaped" t_escape_path

test_done
