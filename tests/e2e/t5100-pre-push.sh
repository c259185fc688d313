#!/bin/sh
# t5100: the pre-push hook: every ref line, new branches bounded by what the remote has, deletions
# skipped, and the pre-commit framework's PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF.
. "$(dirname "$0")/lib.sh"
. "$LH_SOURCE_DIR/tests/e2e/gitlib.sh"

S1=$(tok "PrEpUsHsEcReT0aB1cD2eF3gH4iJ5k")
S2=$(tok "AlReAdYpUsHeD9aB8cD7eF6gH5iJ4k")

git init -q --bare remote.git
git clone -q "file://$TRASH/remote.git" work 2>/dev/null
cd work || exit 1
printf 'a\n' >a.txt && git add a.txt && git commit -q -m a
git push -q origin main 2>/dev/null
leakhound install --hook pre-push >/dev/null || exit 1

t_clean_push() {
    printf 'b\n' >>a.txt && git commit -q -a -m b
    git push -q origin main
}
test_expect "a clean push passes the pre-push hook" t_clean_push

t_several_refs_new_branch() {
    git checkout -q -b clean-branch main && printf 'c\n' >c.txt && git add c.txt && git commit -q -m c
    git checkout -q -b bad-branch main && printf 'k = "%s"\n' "$S1" >bad.cfg && git add bad.cfg && git commit -q -m bad
    git checkout -q main
    expect_exit 1 git push origin clean-branch bad-branch
    # git 2.39 passes a pre-push hook's stdout through to its own stdout (transport.c starts the
    # hook without stdout_to_stderr); git's hook API sends it to stderr: look in both.
    cat "$OUT" "$ERR" >"$TRASH/push.log"
    grep_q 'bad.cfg:1' "$TRASH/push.log"
    must_fail git -C "$TRASH/remote.git" rev-parse -q --verify refs/heads/clean-branch
    git push -q origin clean-branch
}
test_expect "several refs with a new branch: the secret on the second blocks the push" t_several_refs_new_branch

t_only_new_commits() {
    # a secret that the remote already has is not the pusher's to fix
    mv .git/hooks/pre-push "$TRASH/pp"
    git checkout -q -b old main && printf 'k = "%s"\n' "$S2" >old.cfg && git add old.cfg && git commit -q -m old
    git push -q origin old
    mv "$TRASH/pp" .git/hooks/pre-push
    printf 'more\n' >more.txt && git add more.txt && git commit -q -m more
    git push -q origin old
    git checkout -q -b from-old old && git push -q origin from-old
    git checkout -q main
}
test_expect "commits the remote already has are not scanned (existing and new branches)" t_only_new_commits

t_delete() {
    git push -q origin :clean-branch
    must_fail git -C "$TRASH/remote.git" rev-parse -q --verify refs/heads/clean-branch
}
test_expect "a deletion passes" t_delete

t_pre_commit_framework() {
    base=$(git rev-parse main)
    git checkout -q -b fw main && printf 'k = "%s"\n' "$S1" >fw.cfg && git add fw.cfg && git commit -q -m fw
    expect_exit 1 env PRE_COMMIT=1 PRE_COMMIT_FROM_REF="$base" PRE_COMMIT_TO_REF="$(git rev-parse HEAD)" \
        "$LEAKHOUND" pre-push origin "file://$TRASH/remote.git" </dev/null
    grep_q 'fw.cfg:1' "$OUT"
    expect_exit 0 env PRE_COMMIT=1 PRE_COMMIT_FROM_REF="$base" PRE_COMMIT_TO_REF="$base" \
        "$LEAKHOUND" pre-push origin </dev/null
    git checkout -q main
}
test_expect "under the pre-commit framework the range comes from PRE_COMMIT_*_REF" t_pre_commit_framework

test_done
