#!/bin/sh
# t9000: `leakhound ci`: the range from GitHub Actions event files (pull_request, push, a new
# branch) and GitLab CI variables (merge request, push), --base/--head, and a shallow clone that
# lacks the base (exit 3, says to fetch full history).
. "$(dirname "$0")/lib.sh"
. "$LH_SOURCE_DIR/tests/e2e/gitlib.sh"

S1=$(tok "CiPuLlReQuEsT0aB1cD2eF3gH4iJ5k")
S0=$(tok "OnMaInAlReAdY9aB8cD7eF6gH5iJ4k")

git init -q upstream
cd upstream || exit 1
printf 'k = "%s"\n' "$S0" >legacy.cfg && printf 'a\n' >a.txt && git add . && git commit -q -m base
for i in 1 2 3; do printf '%s\n' "$i" >>a.txt && git commit -q -a -m "main $i"; done
BASE=$(git rev-parse HEAD)
git checkout -q -b feature
printf 'k = "%s"\n' "$S1" >feature.cfg && git add feature.cfg && git commit -q -m feature
printf 'x\n' >x.txt && git add x.txt && git commit -q -m more
HEAD_BAD=$(git rev-parse HEAD)
git checkout -q -b clean main && printf 'ok\n' >ok.txt && git add ok.txt && git commit -q -m ok
HEAD_OK=$(git rev-parse HEAD)
git checkout -q main
cd "$TRASH" || exit 1
git clone -q --no-local "file://$TRASH/upstream" work 2>/dev/null
cd work || exit 1
git fetch -q origin feature:feature clean:clean 2>/dev/null

pr_event() { # pr_event BASE HEAD
    cat >"$TRASH/pr.json" <<JSON
{"action": "synchronize", "number": 7,
 "pull_request": {"base": {"ref": "main", "sha": "$1"}, "head": {"ref": "feature", "sha": "$2"}},
 "repository": {"default_branch": "main", "full_name": "o/r"}}
JSON
}
push_event() { # push_event BEFORE AFTER
    cat >"$TRASH/push.json" <<JSON
{"ref": "refs/heads/feature", "before": "$1", "after": "$2", "created": false,
 "repository": {"default_branch": "main", "full_name": "o/r"}}
JSON
}
gh() { # gh EVENT_NAME FILE ARGS...
    ev=$1 file=$2
    shift 2
    env GITHUB_ACTIONS=true GITHUB_EVENT_NAME="$ev" GITHUB_EVENT_PATH="$file" "$LEAKHOUND" ci "$@"
}
Z=0000000000000000000000000000000000000000

t_gh_pr() {
    pr_event "$BASE" "$HEAD_BAD"
    expect_exit 1 gh pull_request "$TRASH/pr.json" --format json
    python3 - "$OUT" <<'PY'
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
assert [f["path"] for f in fs] == ["feature.cfg"], fs  # legacy.cfg on main is not the PR's
PY
    pr_event "$BASE" "$HEAD_OK"
    expect_exit 0 gh pull_request "$TRASH/pr.json"
}
test_expect "GitHub pull_request: head.sha --not base.sha" t_gh_pr

t_gh_push() {
    push_event "$BASE" "$HEAD_BAD"
    expect_exit 1 gh push "$TRASH/push.json"
    grep_q 'feature.cfg' "$OUT"
    push_event "$HEAD_BAD" "$HEAD_BAD"
    expect_exit 0 gh push "$TRASH/push.json"
}
test_expect "GitHub push: after --not before" t_gh_push

t_gh_new_branch() {
    push_event "$Z" "$HEAD_BAD"
    expect_exit 1 gh push "$TRASH/push.json" --format json
    python3 - "$OUT" <<'PY'
import json, sys
fs = json.load(open(sys.argv[1]))["findings"]
assert [f["path"] for f in fs] == ["feature.cfg"], fs
PY
    push_event "$Z" "$HEAD_OK"
    expect_exit 0 gh push "$TRASH/push.json"
}
test_expect "GitHub push of a new branch: --not the default branch" t_gh_new_branch

t_gh_delete() {
    push_event "$HEAD_BAD" "$Z"
    expect_exit 0 gh push "$TRASH/push.json"
}
test_expect "GitHub push deleting a branch: nothing to scan" t_gh_delete

t_gh_bad_json() {
    printf '{not json' >"$TRASH/bad.json"
    expect_exit 2 gh push "$TRASH/bad.json"
}
test_expect "an unreadable event file is a usage error" t_gh_bad_json

t_gitlab() {
    expect_exit 1 env GITLAB_CI=true CI_COMMIT_SHA="$HEAD_BAD" CI_MERGE_REQUEST_DIFF_BASE_SHA="$BASE" "$LEAKHOUND" ci
    grep_q 'feature.cfg' "$OUT"
    grep_q 'GitLab merge request' "$ERR"
    expect_exit 0 env GITLAB_CI=true CI_COMMIT_SHA="$HEAD_OK" CI_COMMIT_BEFORE_SHA="$BASE" "$LEAKHOUND" ci
    grep_q 'GitLab push' "$ERR"
    expect_exit 1 env GITLAB_CI=true CI_COMMIT_SHA="$HEAD_BAD" CI_COMMIT_BEFORE_SHA="$Z" CI_DEFAULT_BRANCH=main "$LEAKHOUND" ci
}
test_expect "GitLab CI: merge request and push variables" t_gitlab

t_override() {
    expect_exit 1 leakhound ci --base "$BASE" --head "$HEAD_BAD"
    expect_exit 0 leakhound ci --base "$HEAD_BAD" --head "$HEAD_BAD"
    pr_event "$BASE" "$HEAD_BAD"
    expect_exit 0 gh pull_request "$TRASH/pr.json" --head "$HEAD_OK"
}
test_expect "--base/--head override the environment" t_override

t_no_ci() {
    expect_exit 2 leakhound ci
    grep_q 'no CI environment' "$ERR"
}
test_expect "outside CI without --base: a usage error" t_no_ci

t_shallow() {
    git clone -q --depth 1 --branch feature "file://$TRASH/upstream" "$TRASH/shallow" 2>/dev/null
    cd "$TRASH/shallow"
    pr_event "$BASE" "$HEAD_BAD"
    expect_exit 3 gh pull_request "$TRASH/pr.json"
    grep_q 'fetch-depth: 0' "$ERR"
}
test_expect "a shallow clone lacking the base exits 3 and says to fetch full history" t_shallow

test_done
