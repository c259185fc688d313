#!/bin/sh
# t7100: the pre-receive deadline holds even when reading an object never returns. libgit2 1.5
# loops forever inflating a truncated loose object (libgit2 issue #7342, fixed upstream by #7346),
# so a worker can be stuck inside libgit2 where no deadline check runs. The hook must still return
# by its --deadline (exit 4 under deny, rejecting the push) and never hang until the host kills it.
# Outcome: exit 4 within the deadline plus a small margin, "deadline" on stderr.
. "$(dirname "$0")/lib.sh"

git init -q --bare server.git
git init -q work
cd work || exit 1
printf 'hello\n' >a && git add a && git commit -q -m init
git push -q ../server.git main 2>/dev/null
printf 'some content that will be truncated\n' >c && git add c && git commit -q -m c
new=$(git rev-parse HEAD)
blob=$(git rev-parse HEAD:c)
git push -q ../server.git main:refs/tmp/c 2>/dev/null
git -C ../server.git update-ref -d refs/tmp/c
f="../server.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)"
chmod u+w "$f"
# a valid zlib stream cut in half: inflate wants more input that never comes
python3 - "$f" <<'PY'
import sys, zlib
d = zlib.compress(b"blob 37\0some content that will be truncated\n")
open(sys.argv[1], "wb").write(d[: len(d) // 2])
PY
cd ../server.git || exit 1
# warm the database cache, so that the deadline is spent on the stuck read, not on compiling
printf 'x\n' | leakhound stdin >/dev/null 2>&1

t_stuck_object_deadline() {
    start=$(date +%s)
    printf '0000000000000000000000000000000000000000 %s refs/heads/main2\n' "$new" |
        expect_exit 4 timeout -k 5 60 "$LEAKHOUND" pre-receive --deadline 3
    end=$(date +%s)
    test $((end - start)) -le 15 || { echo "returned after $((end - start)) s"; false; }
    grep_q 'deadline' "$ERR"
}
test_expect "a worker stuck in libgit2 on a truncated object: the deadline still rejects (exit 4)" \
    t_stuck_object_deadline

test_done
