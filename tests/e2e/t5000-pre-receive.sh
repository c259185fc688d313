#!/bin/sh
# t5000: the pre-receive hook over real `git push`es to a bare repository (file://), the model being
# git's t5401: several refs in one push, creation, deletion, tags, force pushes, merges, the
# quarantine, the deadline under both policies, --max-commits, the push-option bypass, GitLab's
# message prefix, and escaping of repository text.
. "$(dirname "$0")/lib.sh"
. "$LH_SOURCE_DIR/tests/e2e/gitlib.sh"

S1=$(tok "SeCoNdReFoNlY0aB1cD2eF3gH4iJ5k")
S2=$(tok "TaGmEsSaGe0nLy9aB8cD7eF6gH5iJ4")
S3=$(tok "EvIlMeRgE0nLy1qW2eR3tY4uI5oP6a")
S4=$(tok "FoRcEpUsH0nLy7zX8cV9bN0mL1kJ2h")
S5=$(tok "AlReAdYoNsErVeR3fG4hJ5kL6zX7cV")

SERVER="$TRASH/server.git"
git init -q --bare "$SERVER"
git -C "$SERVER" config receive.advertisePushOptions true
(cd "$SERVER" && leakhound install --hook pre-receive >/dev/null) || exit 1
git clone -q "file://$SERVER" client 2>/dev/null
cd client || exit 1
printf 'hello\n' >README && git add README && git commit -q -m init
git push -q origin main 2>/dev/null || exit 1

set_hook() { # set_hook ARGS...: the server's pre-receive runs leakhound with ARGS
    printf '#!/bin/sh\nexec "%s" pre-receive %s\n' "$LEAKHOUND" "$*" >"$SERVER/hooks/pre-receive"
    chmod +x "$SERVER/hooks/pre-receive"
}
server_has() { git -C "$SERVER" rev-parse -q --verify "$1" >/dev/null; }

t_clean_push() {
    printf 'more\n' >>README && git commit -q -a -m more
    git push -q origin main
    test "$(git -C "$SERVER" rev-parse main)" = "$(git rev-parse main)"
}
test_expect "a clean push is accepted" t_clean_push

t_second_ref_rejects_all() {
    git checkout -q -b one main && printf 'fine\n' >one.txt && git add one.txt && git commit -q -m one
    git checkout -q -b two main && printf 'k = "%s"\n' "$S1" >two.cfg && git add two.cfg && git commit -q -m two
    BAD=$(git rev-parse HEAD)
    git checkout -q main
    expect_exit 1 git push origin one two
    grep_q 'push rejected' "$ERR"
    grep_q 'two.cfg:1' "$ERR"
    grep_q 'github.pat.classic' "$ERR"
    grep_q "$(echo "$BAD" | cut -c1-12)" "$ERR"
    grep_q 'git rebase -i' "$ERR"
    grep_q 'git commit --amend' "$ERR"
    grep_q 'revoke' "$ERR"
    grep_none "$S1" "$ERR"
    must_fail server_has refs/heads/one
    must_fail server_has refs/heads/two
    # the quarantine is gone with the rejection: the object never reached the repository
    must_fail git -C "$SERVER" cat-file -e "$BAD"
}
test_expect "two refs in one push, only the second with a secret: rejected, no ref moves" t_second_ref_rejects_all

t_branch_create_and_delete() {
    git push -q origin one
    server_has refs/heads/one
    git push -q origin :one
    must_fail server_has refs/heads/one
}
test_expect "branch creation (clean) and deletion are accepted" t_branch_create_and_delete

t_tags() {
    git tag -a v1 -m "release notes: token $S2" main
    expect_exit 1 git push origin v1
    grep_q 'tag message' "$ERR"
    must_fail server_has refs/tags/v1
    git tag -d v1 >/dev/null
    git tag -a v1 -m "clean release" main
    git push -q origin v1
    server_has refs/tags/v1
    git tag light two
    expect_exit 1 git push origin light
    grep_q 'two.cfg' "$ERR"
    git tag -d light >/dev/null
}
test_expect "tag pushes: an annotated tag's message and a tagged commit are scanned" t_tags

t_force_push() {
    git checkout -q -b rewrite main
    printf 'a\n' >r.txt && git add r.txt && git commit -q -m r1
    git push -q origin rewrite
    git reset -q --hard main
    printf 'k = "%s"\n' "$S4" >r.txt && git add r.txt && git commit -q -m r1-bad
    expect_exit 1 git push -f origin rewrite
    grep_q 'r.txt:1' "$ERR"
    git reset -q --hard main
    printf 'b\n' >r.txt && git add r.txt && git commit -q -m r1-clean
    git push -q -f origin rewrite
    test "$(git -C "$SERVER" rev-parse rewrite)" = "$(git rev-parse rewrite)"
    git checkout -q main
}
test_expect "force pushes: a rewrite adding a secret is rejected, a clean one accepted" t_force_push

t_evil_merge() {
    git checkout -q -b side main && printf 's1\ns2\n' >side.txt && git add side.txt && git commit -q -m side
    git push -q origin side
    git checkout -q -b merged main && printf 'm\n' >m.txt && git add m.txt && git commit -q -m m
    git merge -q --no-commit side >/dev/null 2>&1 || true
    printf 's1\nk = "%s"\ns2\n' "$S3" >side.txt && git add side.txt && git commit -q -m "merge side"
    expect_exit 1 git push origin merged
    grep_q 'side.txt:2' "$ERR"
    git reset -q --hard HEAD^
    git merge -q -m "clean merge" side
    git push -q origin merged
    git checkout -q main
}
test_expect "a merge that introduces a secret is rejected; a clean merge is accepted" t_evil_merge

t_existing_not_rescanned() {
    mv "$SERVER/hooks/pre-receive" "$TRASH/hook.saved"
    git checkout -q -b legacy main && printf 'k = "%s"\n' "$S5" >legacy.cfg && git add legacy.cfg && git commit -q -m legacy
    git push -q origin legacy
    mv "$TRASH/hook.saved" "$SERVER/hooks/pre-receive"
    git checkout -q -b on-legacy legacy && printf 'x\n' >y.txt && git add y.txt && git commit -q -m y
    git push -q origin on-legacy
    git checkout -q main
}
test_expect "commits the server already has are not scanned again (--not --all)" t_existing_not_rescanned

t_deadline_deny() {
    set_hook --deadline 0.000001
    git checkout -q -b slow main && printf 'z\n' >z.txt && git add z.txt && git commit -q -m z
    expect_exit 1 git push origin slow
    grep_q 'deadline' "$ERR"
    grep_q 'on-deadline: deny' "$ERR"
    must_fail server_has refs/heads/slow
}
test_expect "deadline exceeded under deny: rejected" t_deadline_deny

t_deadline_allow() {
    set_hook --deadline 0.000001 --on-deadline allow
    git push origin slow 2>"$ERR"
    grep_q 'NOT fully scanned' "$ERR"
    server_has refs/heads/slow
    git checkout -q main
}
test_expect "deadline exceeded under allow: accepted, loudly" t_deadline_allow

t_max_commits() {
    set_hook --max-commits 2
    git checkout -q -b many main
    for i in 1 2 3; do printf '%s\n' "$i" >"n$i.txt" && git add "n$i.txt" && git commit -q -m "n$i"; done
    expect_exit 1 git push origin many
    grep_q 'more than 2 new commits' "$ERR"
    must_fail server_has refs/heads/many
    set_hook --max-commits 5
    git push -q origin many
    git checkout -q main
}
test_expect "--max-commits: over it is the deny policy, never a silent truncation" t_max_commits

t_max_push_bytes() {
    set_hook --max-push-bytes 2K --audit-log "$TRASH/bytes.jsonl"
    git checkout -q -b big main
    awk 'BEGIN { for (i = 0; i < 200; i++) print "line " i " of a file larger than the limit" }' >big.txt
    git add big.txt && git commit -q -m big
    expect_exit 1 git push origin big
    grep_q 'more than 2048 bytes' "$ERR"
    grep_q 'on-deadline: deny' "$ERR"
    must_fail server_has refs/heads/big
    grep_q '"event":"deadline.exceeded"' "$TRASH/bytes.jsonl"
    grep_q 'max-push-bytes' "$TRASH/bytes.jsonl"
    set_hook --max-push-bytes 2K --on-deadline allow
    git push origin big 2>"$ERR"
    grep_q 'NOT fully scanned' "$ERR"
    server_has refs/heads/big
    git checkout -q main
    set_hook --max-push-bytes nonsense
    printf 'x\n' >more.txt && git add more.txt && git commit -q -m more
    expect_exit 1 git push origin main
    grep_q 'invalid value' "$ERR"
}
test_expect "--max-push-bytes: over it is the deny policy (audited); allow lets it through loudly" t_max_push_bytes

t_bypass() {
    set_hook
    git checkout -q -b bypass main && printf 'k = "%s"\n' "$S1" >bp.cfg && git add bp.cfg && git commit -q -m bp
    expect_exit 1 git push -o leakhound.skip origin bypass
    grep_q 'does not allow bypasses' "$ERR"
    set_hook --allow-bypass --audit-log "$TRASH/audit.jsonl"
    expect_exit 1 git push origin bypass
    git push -o leakhound.skip origin bypass 2>"$ERR"
    grep_q 'bypass has been recorded' "$ERR"
    server_has refs/heads/bypass
    grep_q 'push.bypassed' "$TRASH/audit.jsonl"
    git checkout -q main
}
test_expect "the push-option bypass works only when the server allows it, and is recorded" t_bypass

t_gitlab_prefix() {
    printf '#!/bin/sh\nGL_ID=user-1 GL_USERNAME=alice\nexport GL_ID GL_USERNAME\nexec "%s" pre-receive\n' "$LEAKHOUND" >"$SERVER/hooks/pre-receive"
    git checkout -q -b gl main && printf 'k = "%s"\n' "$S1" >gl.cfg && git add gl.cfg && git commit -q -m gl
    expect_exit 1 git push origin gl
    grep_q 'remote: GL-HOOK-ERR: leakhound: push rejected' "$ERR"
    git checkout -q main
}
test_expect "under GitLab every message line carries GL-HOOK-ERR:" t_gitlab_prefix

t_escaping() {
    set_hook
    git checkout -q -b esc main
    name=$(printf 'evil\033[2Jname.cfg')
    printf 'k = "%s"\n' "$S1" >"$name" && git add . && git commit -q -m "esc"
    expect_exit 1 git push origin esc
    grep_q 'evil\\x1b\[2Jname.cfg' "$ERR"
    if grep -q "$(printf '\033')" "$ERR"; then echo "raw ESC reached the pusher"; exit 1; fi
    git checkout -q main
}
test_expect "repository text is escaped before it reaches the pusher" t_escaping

t_stdin_direct() {
    cd "$SERVER"
    z=0000000000000000000000000000000000000000
    new=$(git rev-parse main)
    printf '%s %s refs/heads/x\n' "$z" "$new" | expect_exit 0 leakhound pre-receive
    printf '%s %s refs/heads/main\n' "$new" "$z" | expect_exit 0 leakhound pre-receive
    printf 'garbage\n' | expect_exit 2 leakhound pre-receive
}
test_expect "driven by hand: a known commit, a deletion, garbage" t_stdin_direct

test_done
