#!/bin/sh
# t4000: `leakhound git`: whole-history scans (--all: every blob reachable from any ref, each once,
# attributed to the commit that introduced it) and ranges (--range, --since) as added lines.
. "$(dirname "$0")/lib.sh"
. "$LH_SOURCE_DIR/tests/e2e/gitlib.sh"

DEL=$(tok "Dd1eLe7TeDfIlEs0nLyQ2wX5cV8bN3")
BR=$(tok "Un4mErGeDbRaNcH0nLyK7pQ2xZ9wM1")
TAG=$(tok "OnLy1nAtAgGeDcOmM1tR5sT8uV2wX3")
MSG=$(tok "CoMm1tMeSsAgEsEcReT4aB7cD0eF2g")
OLD=$(tok "BeF0rEtHeRaNgEsTaRt6hJ9kL2mN5p")

git init -q repo
cd repo || exit 1
printf 'readme\n' >README && git add README && git commit -q -m init
printf 'k = "%s"\n' "$OLD" >old.cfg && git add old.cfg && git commit -q -m "old secret"
git tag start
printf 'k = "%s"\n' "$DEL" >deleted.env && git add deleted.env && git commit -q -m "add deleted.env"
DEL_COMMIT=$(git rev-parse HEAD)
git rm -q deleted.env && git commit -q -m "remove deleted.env"
git checkout -q -b feature
printf 'line\nk = "%s"\n' "$BR" >feature.py && git add feature.py && git commit -q -m "feature work"
BR_COMMIT=$(git rev-parse HEAD)
git checkout -q main
git checkout -q --detach
printf 'k = "%s"\n' "$TAG" >tagged.txt && git add tagged.txt && git commit -q -m "tagged only"
git tag -a v0.1 -m "release v0.1"
git checkout -q main
printf 'x\n' >x.txt && git add x.txt && git commit -q -m "ci: token $MSG"
git gc -q

t_all_finds_everything() {
    expect_exit 1 leakhound git --all --format json -j 2
    python3 - "$OUT" "$DEL_COMMIT" "$BR_COMMIT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fs = d["findings"]
by = {}
for f in fs:
    by.setdefault(f["path"], []).append(f)
for p in ("deleted.env", "feature.py", "tagged.txt", "old.cfg", "<commit message>"):
    assert p in by, (p, sorted(by))
assert by["deleted.env"][0]["commit"] == sys.argv[2], by["deleted.env"]
assert by["feature.py"][0]["commit"] == sys.argv[3], by["feature.py"]
assert by["feature.py"][0]["line_start"] == 2
assert by["deleted.env"][0]["author_email"] == "author@example.com"
assert by["deleted.env"][0]["date"].endswith("Z")
assert len(by["deleted.env"]) == 1  # each unique blob once
PY
}
test_expect "--all finds secrets only in a deleted file, an unmerged branch, a tag, a message" t_all_finds_everything

t_jobs_identical() {
    leakhound git --all --format jsonl -j 1 >"$TRASH/j1" || test $? -eq 1
    leakhound git --all --format jsonl -j 2 >"$TRASH/j2" || test $? -eq 1
    # the summary record carries timings; every finding record must match byte for byte
    grep -v 'leakhound.summary' "$TRASH/j1" >"$TRASH/j1f"
    grep -v 'leakhound.summary' "$TRASH/j2" >"$TRASH/j2f"
    test -s "$TRASH/j1f"
    cmp "$TRASH/j1f" "$TRASH/j2f"
    leakhound git --all -j 1 >"$TRASH/t1" || test $? -eq 1
    leakhound git --all -j 2 >"$TRASH/t2" || test $? -eq 1
    grep -v -i 'elapsed\|[0-9] ms\|seconds' "$TRASH/t1" >"$TRASH/t1f" || true
    grep -v -i 'elapsed\|[0-9] ms\|seconds' "$TRASH/t2" >"$TRASH/t2f" || true
    cmp "$TRASH/t1f" "$TRASH/t2f"
}
test_expect "-j1 and -j2 give identical output" t_jobs_identical

t_redacted() {
    expect_exit 1 leakhound git --all
    grep_none "$DEL" "$OUT"
    grep_none "$BR" "$OUT"
    grep_q 'deleted.env' "$OUT"
}
test_expect "history output is redacted" t_redacted

t_range() {
    expect_exit 1 leakhound git --range start..main --format json
    python3 - "$OUT" <<'PY'
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
paths = sorted(set(f["path"] for f in fs))
assert paths == ["<commit message>", "deleted.env"], paths
PY
    expect_exit 0 leakhound git --range main..main
}
test_expect "--range A..B scans only B's new commits" t_range

t_since() {
    expect_exit 1 leakhound git --since start --no-messages --format json
    python3 - "$OUT" <<'PY'
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
assert [f["path"] for f in fs] == ["deleted.env"], fs
assert fs[0]["source"] == "commit"
PY
}
test_expect "--since REV scans HEAD's commits not in REV" t_since

t_unknown_rev() {
    expect_exit 2 leakhound git --range nosuch..main
    grep_q 'nosuch' "$ERR"
}
test_expect "an unknown revision is a usage error naming it" t_unknown_rev

t_not_a_repo() {
    mkdir -p "$TRASH/plain"
    expect_exit 2 leakhound git "$TRASH/plain"
}
test_expect "a directory that is not a repository is a usage error" t_not_a_repo

t_clean_history() {
    git init -q "$TRASH/clean"
    (cd "$TRASH/clean" && printf 'ok\n' >a && git add a && git commit -q -m ok)
    expect_exit 0 leakhound git "$TRASH/clean"
}
test_expect "a clean history exits 0" t_clean_history

t_shallow_incomplete() {
    git clone -q --depth 1 "file://$TRASH/repo" "$TRASH/shallow"
    expect_exit 3 leakhound git "$TRASH/shallow" --all
    grep_q 'incomplete' "$ERR"
}
test_expect "a shallow clone's history scan is incomplete (exit 3)" t_shallow_incomplete

t_bare() {
    git clone -q --bare . "$TRASH/bare.git"
    expect_exit 1 leakhound git "$TRASH/bare.git" --format json
    grep_q 'deleted.env' "$OUT"
}
test_expect "a bare repository is scanned" t_bare

t_repo_config() {
    # leakhound git REPO reads REPO's .leakhound.yml (its work tree), wherever it runs from
    git init -q "$TRASH/cfgrepo"
    (
        cd "$TRASH/cfgrepo" &&
            printf 'k = "%s"\n' "$OLD" >keep.cfg && git add keep.cfg && git commit -q -m secret
    )
    expect_exit 1 leakhound git "$TRASH/cfgrepo"
    printf 'paths:\n  skip: ["*.cfg"]\n' >"$TRASH/cfgrepo/.leakhound.yml"
    (cd "$TRASH" && expect_exit 0 "$LEAKHOUND" git cfgrepo --verbose) || return 1
    grep_q 'suppressed 1 match(es): path' "$ERR"
    printf 'inline_allow: maybe\n' >"$TRASH/cfgrepo/.leakhound.yml"
    expect_exit 2 leakhound git "$TRASH/cfgrepo"
    grep_q 'cfgrepo/.leakhound.yml:1:15: inline_allow must be true or false' "$ERR"
    grep_none 'cfgrepo//' "$ERR"
    # a bare repository has no tree: the current directory's config is not its config
    git clone -q --bare "$TRASH/cfgrepo" "$TRASH/cfgbare.git"
    mkdir -p "$TRASH/elsewhere"
    printf 'inline_allow: maybe\n' >"$TRASH/elsewhere/.leakhound.yml"
    (cd "$TRASH/elsewhere" && expect_exit 1 "$LEAKHOUND" git "$TRASH/cfgbare.git") || return 1
    # --config still applies
    printf 'paths:\n  skip: ["*.cfg"]\n' >"$TRASH/skip.yml"
    expect_exit 0 leakhound git "$TRASH/cfgbare.git" --config "$TRASH/skip.yml"
}
test_expect "the repository's .leakhound.yml applies; a bare repository reads none" t_repo_config

test_done
