#!/bin/sh
# t7200: one push of 50 000 commits to a bare repository with the installed pre-receive hook (issue
# 7). The hook must either finish (and then find the secret the last commit adds) or stop at its
# deadline cleanly under the deny policy: in both cases the push is refused, no ref moves, the
# pusher is told why and the audit log has the decision. It must never run on past the deadline: a
# watchdog kills it at deadline + 25 s (room for an ASan build's exit), which fails the test
# because the kill leaves no audit event and no leakhound message. The history is made with
# `git fast-import` (tests/e2e/gen_commits.sh), in a few seconds.
. "$(dirname "$0")/lib.sh"
. "$LH_SOURCE_DIR/tests/e2e/gitlib.sh"

S1=$(tok "FiFtYtHoUsAnDcOmMiTs0aB1cD2eF3g")
DEADLINE=5

SERVER="$TRASH/server.git"
git init -q --bare "$SERVER"
(cd "$SERVER" && leakhound install --hook pre-receive >/dev/null) || exit 1
git init -q client && cd client || exit 1
printf 'hello\n' >README && git add README && git commit -q -m init
git push -q "$SERVER" main 2>/dev/null || exit 1
BASE=$(git rev-parse main)

# the installed hook runs ${LEAKHOUND:-leakhound}: this wrapper adds the policy and the watchdog
cat >"$TRASH/lh-watchdog" <<SH
#!/bin/sh
exec timeout -s KILL $((DEADLINE + 25)) "$LEAKHOUND" "\$@" --deadline $DEADLINE --on-deadline deny \\
    --audit-log "$TRASH/audit.jsonl"
SH
chmod +x "$TRASH/lh-watchdog"

t_50k_commits() {
    # (a larger malloc pad: fast-import otherwise spends more time in brk than in its own work)
    sh "$LH_SOURCE_DIR/tests/e2e/gen_commits.sh" 50000 main "$S1" |
        GLIBC_TUNABLES=glibc.malloc.top_pad=67108864:glibc.malloc.trim_threshold=134217728 \
            git fast-import --quiet
    test "$(git rev-list --count "$BASE..main")" -eq 50000
    LEAKHOUND="$TRASH/lh-watchdog" expect_exit 1 git push "$SERVER" main
    test "$(git -C "$SERVER" rev-parse main)" = "$BASE"
    if grep -q 'secret(s) in the pushed commits' "$ERR"; then
        # it finished: the one secret, in the last commit
        grep_q 'last.cfg:1' "$ERR"
        grep_q '"event":"push.rejected"' "$TRASH/audit.jsonl"
    else
        grep_q 'leakhound: push rejected: it could not be scanned within the server' "$ERR"
        grep_q 'deadline' "$ERR"
        grep_q '"event":"deadline.exceeded"' "$TRASH/audit.jsonl"
        grep_q '"exit_code":4' "$TRASH/audit.jsonl"
    fi
    grep_none "$S1" "$ERR"
}
test_expect "50 000 commits in one push: finished or stopped at the deadline, refused either way" t_50k_commits

test_done
