#!/bin/sh
# t6100: suppression that stays reviewable: inline allow markers in several comment syntaxes and
# --no-inline-allow, the repository config (.leakhound.yml) and its FILE:LINE:COL errors, the
# server-pinned config, and the baseline: create -> clean scan -> new secret reported -> stale
# entries reported.
. "$(dirname "$0")/lib.sh"

# Only the GitHub rules, so that counts do not depend on the generic rules of the built-in pack.
GHRULES="--no-builtin-rules --rules $LH_SOURCE_DIR/rules/github.yml"
# shellcheck disable=SC2086
leakhound() { "$LEAKHOUND" "$@" $GHRULES; }

# Tokens assembled at run time so this script holds none.
T1=$(github_token "Zq3xVb7TnLw2Pk9RsYd4Hf6Jm8Cg1A")
T2=$(github_token "Hs5nQw8RtYu2Io4Pa6Sd9Fg1Jk3Lz7")
T3=$(github_token "Mn4bVc7Xz1Lk9Jh2Gf5Ds8Aq3We6Rt")
T4=$(github_token "Pl0oKm9Ij8Uh7Yg6Tf5Rd4Es3Wa2Qz")

# Number of finding records in a jsonl report, and whether one has the given path.
nfindings() {
    python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if l.strip() and "rule_id" in json.loads(l)))' "$1"
}
has_path() {
    python3 -c '
import json,sys
f=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if any(x.get("path")==sys.argv[2] for x in f) else 1)' "$1" "$2" || { cat "$1"; return 1; }
}

mkdir markers
printf 'token = "%s"  # leakhound:allow\n' "$T1" >markers/a.py
printf 'const t = "%s"; // leakhound:allow\n' "$T1" >markers/b.js
printf '<t>%s</t> <!-- gitleaks:allow -->\n' "$T1" >markers/c.html
printf -- "-- leakhound:allow-next-line\nSELECT '%s';\n" "$T1" >markers/d.sql
printf '; pragma: allowlist secret\nt = %s ; pragma: allowlist secret\n' "$T1" >markers/e.ini
printf '/* leakhound:allow-next-line */\nchar *t = "%s";\n' "$T1" >markers/f.c

t_inline_markers() {
    expect_exit 0 leakhound dir markers --verbose
    grep_q 'suppressed 6 match(es): inline-allow' "$ERR"
}
test_expect "inline markers in #, //, <!-- -->, --, ; and /* */ comments suppress" t_inline_markers

t_no_inline_allow() {
    expect_exit 1 leakhound dir markers --no-inline-allow --format jsonl
    test "$(nfindings "$OUT")" -eq 6
}
test_expect "--no-inline-allow reports all six" t_no_inline_allow

t_marker_scope() {
    mkdir scope
    printf 'a = "%s"  # leakhound:allow\nb = "%s"\n' "$T1" "$T2" >scope/x.py
    expect_exit 1 leakhound dir scope --format jsonl
    test "$(nfindings "$OUT")" -eq 1
    grep_q '"line_start":2' "$OUT"
}
test_expect "a marker covers its own line only" t_marker_scope

t_config_inline_off() {
    cp -r markers cfgoff
    printf 'inline_allow: false\n' >cfgoff/.leakhound.yml
    expect_exit 1 leakhound dir cfgoff
}
test_expect "config inline_allow: false turns markers off" t_config_inline_off

# ---- the repository config -------------------------------------------------------------------

mkdir -p repo/src repo/vendor/lib repo/docs
printf 'GITHUB = "%s"\n' "$T1" >repo/src/app.py
printf 'GITHUB = "%s"\n' "$T2" >repo/vendor/lib/x.py
printf 'example: %s EXAMPLE-ONLY\n' "$T3" >repo/docs/guide.md

t_config_applies() {
    cat >repo/.leakhound.yml <<'EOF'
version: 1
paths:
  skip: [vendor]
allow:
  - rule: github.*
    line: 'EXAMPLE-ONLY'
    reason: documentation sample
EOF
    expect_exit 1 leakhound dir repo --verbose --format jsonl
    test "$(nfindings "$OUT")" -eq 1
    has_path "$OUT" repo/src/app.py
    grep_q 'suppressed 1 match(es): path' "$ERR"
    grep_q 'suppressed 1 match(es): config-allow' "$ERR"
    # the same config by --config from elsewhere
    mv repo/.leakhound.yml elsewhere.yml
    expect_exit 1 leakhound dir repo --format jsonl
    test "$(nfindings "$OUT")" -eq 3
    expect_exit 1 leakhound dir repo --config elsewhere.yml --format jsonl
    test "$(nfindings "$OUT")" -eq 1 # globs are relative to the scan root, repo/
    has_path "$OUT" repo/src/app.py
}
test_expect "config: skipped paths and per-rule allow regexes" t_config_applies

t_config_disable() {
    printf 'rules:\n  disable: [github.pat.classic]\n' >dis.yml
    expect_exit 0 leakhound dir repo --config dis.yml
}
test_expect "config: disabled rules" t_config_disable

t_config_errors() {
    printf 'version: 1\npaths:\n  skip: vendor\n' >bad1.yml
    expect_exit 2 leakhound dir repo --config bad1.yml
    grep_q 'bad1.yml:3:9: paths.skip must be a list' "$ERR"
    printf 'hook:\n  deadline: 5s\n  on_deadlin: deny\n' >bad2.yml
    expect_exit 2 leakhound dir repo --config bad2.yml
    grep_q "bad2.yml:3:3: unknown key 'hook.on_deadlin'" "$ERR"
    printf 'rules:\n  disable:\n    - github.pat.classic\n    - no.such.rule\n' >bad3.yml
    expect_exit 2 leakhound dir repo --config bad3.yml
    grep_q "bad3.yml:4:7: rules.disable: no rule has the id 'no.such.rule'" "$ERR"
    printf 'allow:\n  - secret: "(unclosed"\n    reason: x\n' >bad4.yml
    expect_exit 2 leakhound dir repo --config bad4.yml
    grep_q 'bad4.yml:2:5: secret: invalid regular expression' "$ERR"
    printf 'max_file_size: lots\n' >bad5.yml
    expect_exit 2 leakhound dir repo --config bad5.yml
    grep_q 'bad5.yml:1:16: max_file_size must be a positive size' "$ERR"
    expect_exit 2 leakhound dir repo --config missing.yml
    grep_q 'missing.yml' "$ERR"
    # the default .leakhound.yml is strict too
    printf 'inline_allow: maybe\n' >repo/.leakhound.yml
    expect_exit 2 leakhound dir repo
    grep_q 'repo/.leakhound.yml:1:15: inline_allow must be true or false' "$ERR"
    rm repo/.leakhound.yml
}
test_expect "config errors exit 2 with file:line:column" t_config_errors

t_server_config() {
    cp -r markers srv
    cat >srv/.leakhound.yml <<'EOF'
inline_allow: true
paths:
  skip: ['*.py']
rules:
  disable: [github.pat.classic]
EOF
    printf 'inline_allow: false\n' >server.yml
    export LEAKHOUND_SERVER_CONFIG="$TRASH/server.yml"
    expect_exit 1 leakhound dir srv --format jsonl
    unset LEAKHOUND_SERVER_CONFIG
    test "$(nfindings "$OUT")" -eq 6
    grep_q 'srv/.leakhound.yml:5:13: rules.disable is ignored under a server config' "$ERR"
    grep_q 'srv/.leakhound.yml:3:10: paths.skip is ignored under a server config' "$ERR"
    grep_q 'srv/.leakhound.yml:1:15: inline_allow: true is ignored under a server config' "$ERR"
    # repository_config: ignore does not read it at all (inline_allow: false here, as in
    # server.yml: the markers in the files are not the repository config's to turn off)
    printf 'inline_allow: false\nserver:\n  repository_config: ignore\n' >server2.yml
    expect_exit 1 leakhound dir srv --server-config server2.yml --format jsonl
    test "$(nfindings "$OUT")" -eq 6
    grep_none 'ignored' "$ERR"
    # a server section in a repository config is an error
    printf 'server:\n  repository_config: ignore\n' >srv/.leakhound.yml
    expect_exit 2 leakhound dir srv
    grep_q "srv/.leakhound.yml:1:1: 'server' is only allowed in a server config" "$ERR"
}
test_expect "a server config cannot be weakened by the repository's" t_server_config

# ---- the baseline ----------------------------------------------------------------------------

mkdir -p bl/src bl/tests
printf 'GITHUB = "%s"\n' "$T1" >bl/src/old.py
printf 'fixture = "%s"\n' "$T2" >bl/tests/fixture.py

t_baseline_cycle() {
    expect_exit 0 leakhound baseline create -o baseline.yml --reason "accepted in review" bl
    grep_q 'schema: leakhound.baseline/v1' baseline.yml
    test "$(grep -c 'fingerprint:' baseline.yml)" -eq 2
    grep_q 'reason: "accepted in review"' baseline.yml
    grep_q 'path: "src/old.py"' baseline.yml
    grep_none "$T1" baseline.yml
    grep_none "$(printf %s "$T1" | cut -c1-8)" baseline.yml
    # sorted by fingerprint, and stable
    grep 'fingerprint:' baseline.yml | sort -c
    leakhound baseline create -o again.yml --reason "accepted in review" bl 2>/dev/null
    cmp baseline.yml again.yml

    # a clean scan
    expect_exit 0 leakhound dir bl --baseline baseline.yml --verbose
    grep_q 'suppressed 2 match(es): baseline' "$ERR"

    # a new secret is reported, and so is a different secret on a baselined line
    printf 'GITHUB = "%s"  ; OTHER = "%s"\n' "$T1" "$T3" >bl/src/old.py
    printf 'NEW = "%s"\n' "$T4" >bl/src/new.py
    expect_exit 1 leakhound dir bl --baseline baseline.yml --format jsonl
    test "$(nfindings "$OUT")" -eq 2
    has_path "$OUT" bl/src/new.py
    python3 -c '
import json,sys
f=[json.loads(l) for l in open(sys.argv[1]) if "rule_id" in l]
assert any(x["path"]=="bl/src/old.py" and x["col_start"]>30 for x in f), f' "$OUT"

    # the baselined secret moved elsewhere is still baselined (not pinned)
    printf 'moved = "%s"\n' "$T2" >bl/src/moved.py
    rm bl/tests/fixture.py
    expect_exit 1 leakhound dir bl --baseline baseline.yml --format jsonl --report-stale-baseline
    grep_none 'moved.py' "$OUT"
    grep_q '0 stale baseline entries of 2' "$ERR"

    # removing a secret makes its entry stale
    rm bl/src/moved.py
    expect_exit 1 leakhound dir bl --baseline baseline.yml --report-stale-baseline
    grep_q 'stale baseline entry: [0-9a-f]\{64\} rule github.pat.classic first seen in tests/fixture.py:1' "$ERR"
    grep_q '1 stale baseline entry of 2' "$ERR"
}
test_expect "baseline: create, clean scan, new secret reported, stale entries reported" t_baseline_cycle

t_baseline_pinned_and_config() {
    mkdir -p pin/a pin/b
    printf 'x = "%s"\n' "$T2" >pin/a/one.py
    cat >pin/.leakhound.yml <<'EOF'
baseline: .leakhound-baseline.yml
EOF
    # created at the path the config names; reasons carry over on re-creation
    expect_exit 0 leakhound baseline create --pin-paths pin
    grep_q 'pinned: true' pin/.leakhound-baseline.yml
    sed 's/^    pinned: true$/    pinned: true\n    reason: "kept for the docs"/' \
        pin/.leakhound-baseline.yml >tmp.yml && mv tmp.yml pin/.leakhound-baseline.yml
    expect_exit 0 leakhound dir pin
    # the same secret at another path is not covered by a pinned entry
    printf 'x = "%s"\n' "$T2" >pin/b/two.py
    expect_exit 1 leakhound dir pin --format jsonl
    test "$(nfindings "$OUT")" -eq 1
    has_path "$OUT" pin/b/two.py
    expect_exit 0 leakhound baseline create --pin-paths pin
    test "$(grep -c 'kept for the docs' pin/.leakhound-baseline.yml)" -eq 2
    expect_exit 0 leakhound dir pin
}
test_expect "baseline: pinned entries, the config's baseline, reasons carried over" t_baseline_pinned_and_config

t_baseline_errors() {
    printf 'schema: leakhound.baseline/v1\nentries:\n  - fingerprint: nothex\n    rule: x\n' >bad-bl.yml
    expect_exit 2 leakhound dir bl --baseline bad-bl.yml
    grep_q 'bad-bl.yml:3:18: fingerprint must be 64 lowercase hex digits' "$ERR"
    expect_exit 2 leakhound dir bl --baseline no-such-baseline.yml
    grep_q 'no-such-baseline.yml' "$ERR"
}
test_expect "baseline: malformed or missing files are errors" t_baseline_errors

test_done
