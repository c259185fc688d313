#!/bin/sh
# t4010: `leakhound git --all` reads the same content however the history is packed. The history
# source reads packed objects itself (src/git/pack.c: offsets from the .idx, OFS_DELTA chains) and
# leaves the rest to libgit2 (loose objects, REF_DELTA): a secret that lives only in old versions of
# a file (deep in a delta chain), or only in the newest, is found in every layout, and the findings
# are the same in all of them.
. "$(dirname "$0")/lib.sh"
. "$LH_SOURCE_DIR/tests/e2e/gitlib.sh"

OLD=$(tok "De1tAcHa1nOnLyInOlDvErS10nS4bC")
NEW=$(tok "NeWeStVeRs10nOnLy7hJ9kL2mN5pQ8")

git init -q repo
cd repo || exit 1
i=0
while [ "$i" -lt 60 ]; do
    # a file that grows and changes a little each commit: good delta material
    j=0
    : >conf.py
    while [ "$j" -le "$i" ]; do
        printf 'setting_%d = "value %d of a long enough line to delta against"\n' "$j" "$((i * j))" >>conf.py
        j=$((j + 1))
    done
    if [ "$i" -ge 10 ] && [ "$i" -lt 40 ]; then
        printf 'token = "%s"\n' "$OLD" >>conf.py
    fi
    if [ "$i" -eq 59 ]; then
        printf 'api = "%s"\n' "$NEW" >>conf.py
    fi
    git add conf.py && git commit -q -m "step $i"
    if [ "$i" -eq 10 ]; then OLD_COMMIT=$(git rev-parse HEAD); fi
    i=$((i + 1))
done
NEW_COMMIT=$(git rev-parse HEAD)

# scan LABEL: the findings (path, line, commit, fingerprint), sorted, into $TRASH/LABEL
scan() {
    leakhound git --all --format jsonl -j 2 >"$TRASH/$1.jsonl" || test $? -eq 1
    python3 - "$TRASH/$1.jsonl" "$OLD_COMMIT" "$NEW_COMMIT" >"$TRASH/$1" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    f = json.loads(line)
    if "rule_id" not in f:
        assert not any(f.get("skipped", {}).values()), f.get("skipped")
        continue
    rows.append((f["path"], f["line_start"], f["commit"], f["fingerprint"]))
commits = {r[2] for r in rows if r[0] == "conf.py"}
assert sys.argv[2] in commits, ("old secret's introducing commit missing", rows)
assert sys.argv[3] in commits, ("newest-only secret missing", rows)
for r in sorted(rows):
    print(*r)
PY
}

t_aggressive() {
    git repack -q -adf --depth=50 --window=50
    test "$(git count-objects -v | sed -n 's/^count: //p')" = 0
    scan deep
}
test_expect "one pack, deep OFS_DELTA chains: both secrets, each attributed" t_aggressive

t_ref_delta() {
    git -c pack.useDeltaBaseOffset=false repack -q -adf --depth=50 --window=50
    scan ref
    cmp "$TRASH/deep" "$TRASH/ref"
}
test_expect "REF_DELTA pack (read through libgit2): the same findings" t_ref_delta

t_mixed() {
    git repack -q -adf
    # two more commits: a second pack for one, loose objects for the other
    printf 'extra = 1\n' >extra.py && git add extra.py && git commit -q -m extra
    git repack -q -d
    printf 'more = 2\n' >more.py && git add more.py && git commit -q -m more
    test "$(ls .git/objects/pack/*.idx | wc -l)" -ge 2
    scan mixed
    cmp "$TRASH/deep" "$TRASH/mixed"
}
test_expect "several packs plus loose objects: the same findings" t_mixed

test_done
