#!/bin/sh
# t2000: hostile files through `leakhound dir` and `leakhound stdin`, each with a defined outcome
# (exit status and message): NUL bytes, invalid UTF-8, UTF-16, a 200 MB single line, huge directory
# fan-out and depth, a symlink out of the tree, terminal escapes in paths.
. "$(dirname "$0")/lib.sh"

GH=$(github_token "Hq4vTb8WnKx3Lm7PsZd2Rf5Jc9Ag6E")

# ---- a file of NUL bytes: skipped as binary, counted, named under -v -------------------------
mkdir nul && head -c 65536 /dev/zero >nul/zeros.bin
t_nul() {
    expect_exit 0 leakhound dir nul -v
    grep_q '1 skipped (binary)' "$OUT"
    grep_q 'skipped nul/zeros.bin (binary)' "$ERR"
    expect_exit 0 leakhound dir nul -f jsonl
    python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); assert s["skipped"]["binary"]==1, s' "$OUT"
    # --binary scans it, and there is nothing to find in zeros
    expect_exit 0 leakhound dir nul --binary
}
test_expect "a file of NUL bytes is skipped as binary and counted" t_nul

# ---- invalid UTF-8: scanned, the secret found, output escaped and valid JSON --------------------
mkdir utf8
printf '\377\376\303\050 token = "%s" \342\202\n' "$GH" >utf8/bad.txt
printf 'x\n' >"utf8/$(printf 'name\377\376.txt')"
t_bad_utf8() {
    expect_exit 1 leakhound dir utf8
    grep_q 'github.pat.classic' "$OUT"
    grep_q 'bad.txt:1:' "$OUT"
    grep_none "$GH" "$OUT"
    expect_exit 1 leakhound dir utf8 -f json
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8")); assert any(f["rule_id"]=="github.pat.classic" for f in d["findings"])' "$OUT"
    expect_exit 1 leakhound dir utf8 -f jsonl --show-secrets
    python3 -c 'import json,sys
for l in open(sys.argv[1], encoding="utf-8"): json.loads(l)' "$OUT"
    # the same bytes through stdin
    expect_exit 1 leakhound stdin <utf8/bad.txt
    grep_q 'github.pat.classic' "$OUT"
}
test_expect "invalid UTF-8 is scanned; output stays valid UTF-8 JSON" t_bad_utf8

# ---- UTF-16: NUL bytes make it binary; skipped and counted (a documented limitation) -----------
mkdir utf16
python3 -c 'import sys; open(sys.argv[1],"wb").write(("token = \"%s\"\n" % sys.argv[2]).encode("utf-16"))' utf16/u16.txt "$GH"
t_utf16() {
    expect_exit 0 leakhound dir utf16 -v
    grep_q '1 skipped (binary)' "$OUT"
    grep_q 'skipped utf16/u16.txt (binary)' "$ERR"
    expect_exit 0 leakhound dir utf16 --binary
}
test_expect "UTF-16 is skipped as binary and counted; --binary scans it without error" t_utf16

# ---- a 200 MB single line ------------------------------------------------------------------
mkdir big
{ head -c 200000000 /dev/zero | tr '\0' 'x'; printf ' token = "%s"\n' "$GH"; } >big/oneline.txt
t_big_default() {
    expect_exit 0 leakhound dir big -v
    grep_q '1 skipped (too-large)' "$OUT"
    grep_q 'skipped big/oneline.txt (too-large)' "$ERR"
    expect_exit 0 leakhound dir big -f jsonl
    python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).read().splitlines()[-1]); assert s["skipped"]["too-large"]==1, s' "$OUT"
}
test_expect "a 200 MB single-line file is skipped as too large by default, counted" t_big_default

t_big_raised() {
    expect_exit 1 leakhound dir big --max-file-size 300M --stats -j 2
    grep_q 'oneline.txt:1:200000011' "$OUT"
    grep_q 'github.pat.classic' "$OUT"
    # bounded memory: the file once, plus engine state; never a copy per line or per match
    rss=$(sed -n 's/.*peak RSS \([0-9]*\) KiB.*/\1/p' "$ERR")
    test -n "$rss"
    test "$rss" -lt 716800 || { echo "peak RSS $rss KiB for a 200 MB file"; false; }
}
test_expect "with --max-file-size raised, the 200 MB line is scanned in bounded memory" t_big_raised

t_big_stdin() {
    expect_exit 3 leakhound stdin <big/oneline.txt
    grep_q 'larger than the 10485760-byte limit' "$ERR"
    expect_exit 1 leakhound stdin --max-file-size 300M <big/oneline.txt
    grep_q 'github.pat.classic' "$OUT"
}
test_expect "stdin over the size limit is an incomplete scan (exit 3); raised, it is scanned" t_big_stdin
rm -rf big

# ---- 100 000 files in one tree ------------------------------------------------------------
python3 - "$GH" <<'PY'
import os, sys
for i in range(100000):
    d = "many/d%03d" % (i // 1000)
    if i % 1000 == 0:
        os.makedirs(d)
    with open("%s/f%05d.txt" % (d, i), "w") as f:
        f.write("value %d\n" % i if i != 77777 else 'token = "%s"\n' % sys.argv[1])
PY
t_many() {
    expect_exit 1 leakhound dir many -j 2
    grep_q 'many/d077/f77777.txt:1:' "$OUT"
    grep_q 'in 100000 files' "$OUT"
}
test_expect "100 000 files: every one scanned, the one secret found" t_many
rm -rf many

# ---- a tree nested 1 000 levels deep --------------------------------------------------------
python3 - "$GH" <<'PY'
import os, sys
os.mkdir("deep")
os.chdir("deep")
for _ in range(1000):  # one level at a time: os.makedirs recurses once per level
    os.mkdir("d")
    os.chdir("d")
open("leaf.txt", "w").write('token = "%s"\n' % sys.argv[1])
PY
t_deep() {
    expect_exit 1 leakhound dir deep
    grep_q 'd/d/d/leaf.txt:1:' "$OUT"
}
test_expect "a tree nested 1 000 levels deep is walked to the bottom" t_deep
rm -rf deep

# ---- a symlink pointing outside the tree: not followed, counted ------------------------------
mkdir outside inside
printf 'token = "%s"\n' "$GH" >outside/secret.txt
printf 'ok\n' >inside/fine.txt
ln -s ../outside/secret.txt inside/link.txt
ln -s ../outside inside/linkdir
t_symlink() {
    expect_exit 0 leakhound dir inside -v
    grep_q '2 skipped (symlink)' "$OUT"
    grep_q 'skipped inside/link.txt (symlink)' "$ERR"
    grep_none 'github' "$OUT"
}
test_expect "symlinks out of the tree are not followed, and are counted" t_symlink

# ---- terminal escapes, newlines and \r in paths: escaped on the terminal, exact in JSON ------
mkdir esc
evil=$(printf 'esc/a\033[2J\033]0;pwned\007b\rc\nd.txt')
printf 'token = "%s"\n' "$GH" >"$evil"
t_escapes() {
    expect_exit 1 leakhound dir esc -v --color always
    # no raw ESC, BEL or CR from the path reaches the terminal; colour codes are ours (ESC[...m)
    if tr -d '\n' <"$OUT" | grep -q "$(printf '\033')\[2J"; then echo "raw clear-screen in output"; false; fi
    if grep -q "$(printf '\007')" "$OUT"; then echo "raw BEL in output"; false; fi
    if grep -q "$(printf '\r')" "$OUT"; then echo "raw CR in output"; false; fi
    grep_q 'esc/a\\x1b\[2J\\x1b\]0;pwned\\x07b\\rc\\nd.txt' "$OUT"
    expect_exit 1 leakhound dir esc -f json
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["findings"][0]["path"]==sys.argv[2], d["findings"][0]["path"]' "$OUT" "$evil"
}
test_expect "escape sequences, newlines and CR in paths are escaped in text, exact in JSON" t_escapes

test_done
