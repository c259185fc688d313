# lib.sh - sourced by every tests/e2e/tNNNN-*.sh script (git's t/test-lib.sh, in small).
#
# Isolation: a fresh temp directory as HOME and cwd, no system or global git config, fixed dates,
# main as the default branch, a private leakhound cache. Helpers:
#   test_expect NAME CMD...   run CMD in a subshell; a non-zero status is a failure
#   expect_exit N CMD...      run CMD, require exit status N (stdout/stderr kept in $OUT/$ERR files)
#   grep_q PATTERN FILE       like grep -q, but prints the file on failure
#   test_done                 prints "N passed, M failed" and exits non-zero on any failure
set -u
: "${LEAKHOUND:?set LEAKHOUND to the leakhound binary}"
LH_SOURCE_DIR=${LH_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TEST_NAME=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/lh-$TEST_NAME.XXXXXX")
trap 'rm -rf "$TRASH"' EXIT
export HOME="$TRASH/home"
mkdir -p "$HOME"
export XDG_CACHE_HOME="$TRASH/cache"
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL="$TRASH/gitconfig"
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com"
export GIT_AUTHOR_DATE="2005-04-07T22:13:13Z" GIT_COMMITTER_DATE="2005-04-07T22:13:13Z"
export NO_COLOR=1 LC_ALL=C TZ=UTC
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
unset GITHUB_ACTIONS GITHUB_EVENT_PATH GITLAB_CI GITHUB_USER_LOGIN GL_USERNAME CI_COMMIT_SHA
git config --global init.defaultBranch main
git config --global advice.detachedHead false
git config --global protocol.file.allow always
cd "$TRASH" || exit 1
OUT="$TRASH/out"
ERR="$TRASH/err"
lh_passed=0
lh_failed=0

leakhound() { "$LEAKHOUND" "$@"; }

test_expect() {
    name=$1
    shift
    # The subshell is a statement of its own, not the condition of an `if` (where shells ignore
    # `set -e`), so every failing step of a test fails it.
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

expect_exit() {
    want=$1
    shift
    case $- in *e*) lh_errexit=1 ;; *) lh_errexit= ;; esac
    set +e
    "$@" >"$OUT" 2>"$ERR"
    got=$?
    [ -n "$lh_errexit" ] && set -e
    if [ "$got" -ne "$want" ]; then
        echo "expected exit $want, got $got from: $*"
        echo "--- stdout"; cat "$OUT"; echo "--- stderr"; cat "$ERR"
        return 1
    fi
    return 0
}

grep_q() {
    if ! grep -q -e "$1" "$2"; then
        echo "pattern '$1' not found in $2:"; cat "$2"
        return 1
    fi
}

grep_none() {
    if grep -q -e "$1" "$2"; then
        echo "pattern '$1' unexpectedly found in $2:"; cat "$2"
        return 1
    fi
}

# Tokens are assembled at run time so the test sources themselves hold no scannable secret.
github_token() { # prints a classic ghp_ token with a valid CRC32 checksum for the 30 chars in $1
    python3 - "$1" <<'PY'
import sys, zlib
body = sys.argv[1]
c = zlib.crc32(body.encode()) & 0xffffffff
d = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
s = ""
for _ in range(6):
    s = d[c % 62] + s
    c //= 62
print("ghp" + "_" + body + s)
PY
}

test_done() {
    echo "$lh_passed passed, $lh_failed failed"
    [ "$lh_failed" -eq 0 ]
    exit $?
}
