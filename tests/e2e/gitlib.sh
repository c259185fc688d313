# gitlib.sh - sourced after lib.sh by the git tests (t3xxx, t4xxx, t5xxx, t9xxx).
#
# test_expect is redefined here so that a failing step fails the test: lib.sh runs the test as the
# condition of an `if`, where POSIX shells ignore `set -e`, so only a test's last command counted.
# Here the subshell is a plain statement and its status is read afterwards.
test_expect() {
    name=$1
    shift
    (set -e; "$@") >"$TRASH/test.log" 2>&1
    st=$?
    if [ "$st" -eq 0 ]; then
        lh_passed=$((lh_passed + 1))
        echo "ok - $name"
    else
        lh_failed=$((lh_failed + 1))
        echo "not ok - $name"
        sed 's/^/#   /' "$TRASH/test.log"
    fi
}

# must_fail CMD...: CMD must exit non-zero (git's test_must_fail, without the signal checks).
must_fail() {
    if "$@"; then
        echo "unexpectedly succeeded: $*"
        return 1
    fi
    return 0
}

# A GitHub token for the commit being made, assembled at run time (see github_token in lib.sh).
tok() { github_token "$1"; }
