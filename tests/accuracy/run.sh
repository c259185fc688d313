#!/bin/sh
# run.sh LEAKHOUND [WORKDIR] - the accuracy suite: generate the corpus (deterministic), scan its files
# with `leakhound dir` and its history with `leakhound git --all`, score the findings against the
# truth manifest. Exits non-zero below recall 0.95 or precision 0.95 (score.py prints why).
#   tests/accuracy/run.sh build/leakhound
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lh=${1:?usage: run.sh LEAKHOUND [WORKDIR]}
case $lh in /*) ;; *) lh=$(pwd)/$lh ;; esac
if [ $# -ge 2 ]; then
    work=$2
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/lh-accuracy.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
corpus=$work/corpus
export XDG_CACHE_HOME="$work/cache"
unset LEAKHOUND_SERVER_CONFIG 2>/dev/null || true

python3 "$here/gen_corpus.py" "$corpus" ${LH_ACCURACY_SEED:+--seed "$LH_ACCURACY_SEED"}

scan() {
    # exit 1 (findings) is the expected outcome; anything but 0 or 1 is an error
    rc=0
    "$@" || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "run.sh: '$*' exited $rc" >&2
        exit 1
    fi
}
(cd "$corpus/files" && scan "$lh" dir . --format jsonl -o "$work/files.jsonl" -q -j 2 --no-config)
scan "$lh" git "$corpus/repo" --all --format jsonl -o "$work/git.jsonl" -q -j 2 --no-config

python3 "$here/score.py" "$corpus/truth.json" "$work/files.jsonl" "$work/git.jsonl"
