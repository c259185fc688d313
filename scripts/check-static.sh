#!/bin/sh
# check-static.sh BINARY - the static build (-DLH_STATIC=ON) is really static and really works:
# no program interpreter, no dynamic section; it finds a staged secret in pre-commit, the same
# secret on stdin, and in history with `git --all`, with no library or rule file beside it.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fail() { echo "check-static: $*" >&2; exit 1; }

readelf -lW "$bin" | grep -q 'INTERP' && fail "$bin has a program interpreter (dynamically linked)"
readelf -dW "$bin" | grep -q 'NEEDED' && fail "$bin needs shared libraries"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME="$tmp" XDG_CACHE_HOME="$tmp/cache"
key="AKIA$(printf 'QYLPMN5HHHFPZAM2')" # an AWS key id shape, assembled here
git init -q -b main repo
printf 'aws_access_key_id = "%s"\n' "$key" >repo/settings.py
git -C repo add settings.py

expect() { # CODE COMMAND...: runs it, output in out.txt, exit code must be CODE
    want=$1
    shift
    rc=0
    "$@" >out.txt 2>&1 || rc=$?
    [ "$rc" -eq "$want" ] || { cat out.txt; fail "'$*' exited $rc, expected $want"; }
    grep -q 'aws.access-key-id' out.txt || { cat out.txt; fail "'$*' did not report the key"; }
}
(cd repo && expect 1 "$bin" pre-commit)
printf 'aws_access_key_id = "%s"\n' "$key" >in.txt
expect 1 sh -c "'$bin' stdin <in.txt"
git -C repo -c user.name=t -c user.email=t@example.invalid commit -q -m add
expect 1 "$bin" git repo --all
echo "check-static: $bin is static and finds secrets (pre-commit, stdin, git --all)"
