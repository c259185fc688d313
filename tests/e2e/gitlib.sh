# gitlib.sh - sourced after lib.sh by the git tests (t3xxx, t4xxx, t5xxx, t9xxx).
#
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
