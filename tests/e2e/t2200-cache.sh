#!/bin/sh
# t2200: the compiled-database cache under attack and under load. An unusable cache directory, and
# cache files replaced by garbage, truncated or emptied, never fail a scan or change its output;
# 8 concurrent runs sharing one fresh cache directory all succeed with identical output and leave a
# valid cache file (never a torn one, never a temp file). The built-in pack alone uses the database
# built into the binary and never touches the cache; any other set of rules uses the cache.
. "$(dirname "$0")/lib.sh"

GH=$(github_token "Wc5nRk8TbLq2Vx7MzHd4Pj9Fg3Sa6Y")
mkdir t
printf 'GITHUB = "%s"\nnothing else\n' "$GH" >t/config.py

# the reference output, with no cache at all
leakhound dir t --no-cache -f jsonl >ref.jsonl
sed '$d' ref.jsonl >ref.findings # the summary line carries timestamps
test -s ref.findings || { echo "no reference findings"; exit 1; }

same_findings() { # FILE: the findings (all but the summary line) equal the reference
    sed '$d' "$1" >got.findings
    cmp -s got.findings ref.findings || { echo "output differs:"; diff ref.findings got.findings; return 1; }
}

t_cache_is_file() {
    printf 'not a directory\n' >cachefile
    expect_exit 1 leakhound dir t --cache-dir cachefile -f jsonl
    same_findings "$OUT"
    grep_q 'not a directory' cachefile
}
test_expect "a cache path that is a file: the scan works, the file is untouched" t_cache_is_file

t_cache_unreadable() {
    if [ "$(id -u)" -eq 0 ]; then
        echo "running as root: permissions do not bind; checking a directory under a file instead"
        expect_exit 1 leakhound dir t --cache-dir cachefile/sub -f jsonl
        same_findings "$OUT"
        return 0
    fi
    mkdir -p locked && chmod 000 locked
    expect_exit 1 leakhound dir t --cache-dir locked -f jsonl
    chmod 700 locked
    same_findings "$OUT"
}
test_expect "an unreadable cache directory: the scan works, same findings" t_cache_unreadable

# the garbage cases use a one-rule pack: what is under test is the cache file, not the pack's size
cat >small.yml <<'EOF'
rules:
- id: test.github-like
  name: A ghp_ token
  pattern: '\b(ghp_[A-Za-z0-9]{36})\b'
  severity: high
  confidence: high
EOF
leakhound dir t --no-cache --rules small.yml --no-builtin-rules -f jsonl >ref-small.jsonl

t_cache_garbage() {
    sed '$d' ref-small.jsonl >ref.findings
    expect_exit 1 leakhound dir t --cache-dir c1 -f jsonl --rules small.yml --no-builtin-rules
    set -- c1/*.hsdb
    test -f "$1" || { echo "no cache file written"; ls -la c1; false; }
    db=$1
    size=$(wc -c <"$db")
    cp "$db" good.hsdb
    # random bytes of the same size, a truncated copy, an empty file, the header of another key,
    # and a valid file with its database bytes flipped
    for kind in random truncated empty header flipped; do
        case $kind in
        random) head -c "$size" /dev/urandom >"$db" ;;
        truncated) head -c $((size / 2)) good.hsdb >"$db" ;;
        empty) : >"$db" ;;
        header) { printf 'LHDB'; head -c $((size - 4)) /dev/zero; } >"$db" ;;
        flipped) python3 -c 'import sys
d=bytearray(open(sys.argv[1],"rb").read())
for i in range(200, len(d), 97): d[i] ^= 0x5a
open(sys.argv[2],"wb").write(d)' good.hsdb "$db" ;;
        esac
        expect_exit 1 leakhound dir t --cache-dir c1 -f jsonl --stats --rules small.yml \
            --no-builtin-rules || { echo "kind $kind"; return 1; }
        same_findings "$OUT" || { echo "kind $kind"; return 1; }
        grep_q 'database compiled' "$ERR" || { echo "kind $kind: garbage was used"; return 1; }
        # the next run reads a valid file again
        expect_exit 1 leakhound dir t --cache-dir c1 -f jsonl --stats --rules small.yml \
            --no-builtin-rules
        grep_q 'database cached' "$ERR" || { echo "kind $kind: cache not repaired"; return 1; }
    done
    sed '$d' ref.jsonl >ref.findings
}
test_expect "cache files replaced by garbage, truncated or emptied are misses, then repaired" t_cache_garbage

# the built-in pack plus one more rule (matching nothing here): a set the binary has no database
# for, as large as the built-in one, so concurrent compiles overlap
cat >extra.yml <<'EOF'
rules:
- id: test.extra
  name: Never here
  pattern: '\b(zq9x_[A-Za-z0-9]{40})\b'
  severity: low
  confidence: low
EOF

t_builtin_db() {
    expect_exit 1 leakhound dir t --cache-dir fresh -f jsonl --stats
    same_findings "$OUT"
    grep_q 'database built in' "$ERR"
    test ! -e fresh || { echo "the cache was touched:"; ls -la fresh; false; }
    # --no-cache compiles, with the same findings
    expect_exit 1 leakhound dir t --no-cache -f jsonl --stats
    same_findings "$OUT"
    grep_q 'database compiled' "$ERR"
    # one more rule: another set, so the cache (written, then read)
    expect_exit 1 leakhound dir t --cache-dir fresh --rules extra.yml -f jsonl --stats
    same_findings "$OUT"
    grep_q 'database compiled' "$ERR"
    ls fresh | grep -q '\.hsdb$' || { echo "no cache file for the larger set"; false; }
    expect_exit 1 leakhound dir t --cache-dir fresh --rules extra.yml -f jsonl --stats
    grep_q 'database cached' "$ERR"
}
test_expect "the built-in pack uses the database in the binary, other sets the cache" t_builtin_db

t_concurrent() {
    i=0
    while [ $i -lt 8 ]; do
        if [ $((i % 2)) -eq 0 ]; then
            (rc=0; leakhound dir t --cache-dir shared --rules extra.yml -f jsonl -j 1 >"run$i.out" 2>"run$i.err" || rc=$?
             echo $rc >"run$i.rc") &
        else
            (rc=0; leakhound stdin --cache-dir shared --rules extra.yml -f jsonl -j 1 <t/config.py >"run$i.out" 2>"run$i.err" || rc=$?
             echo $rc >"run$i.rc") &
        fi
        i=$((i + 1))
    done
    wait
    i=0
    while [ $i -lt 8 ]; do
        test "$(cat "run$i.rc")" = 1 || { echo "run $i exit $(cat "run$i.rc")"; cat "run$i.err"; return 1; }
        sed '$d' "run$i.out" >"run$i.findings"
        i=$((i + 1))
    done
    for i in 2 4 6; do cmp "run0.findings" "run$i.findings" || return 1; done
    for i in 3 5 7; do cmp "run1.findings" "run$i.findings" || return 1; done
    same_findings run0.out
    grep_q '"path":"<stdin>"' run1.out
    # exactly the one database file, no temp files left behind, and it is valid
    ls shared >listing
    test "$(wc -l <listing)" -eq 1 || { echo "cache dir holds:"; cat listing; false; }
    grep_q '\.hsdb$' listing
    expect_exit 1 leakhound dir t --cache-dir shared --rules extra.yml -f jsonl --stats
    grep_q 'database cached' "$ERR"
    same_findings "$OUT"
}
test_expect "8 concurrent runs on one fresh cache: identical output, one valid cache file" t_concurrent

test_done
