#!/bin/sh
# real_corpus.sh - corpora of real source text from what a Debian machine already has, for
# bench_engine beside the synthetic corpus (gen_corpus.py, which plants secrets and writes
# `name = "value"` lines far more densely than real code does):
#   bench/out/real-py.txt   every *.py under /usr/lib/python3.11 (Python's standard library)
#   bench/out/real-h.txt    every *.h under /usr/include (C headers)
#   bench/out/real-js.txt   every *.js under /usr/lib/node_modules (npm and its dependencies)
#   bench/out/real-src.txt  the first 200 MB of Python + C headers + Perl modules, in path order
# Files are taken in sorted path order, so the same machine gives the same bytes. Then e.g.
#   build/bench/bench_engine --scan-only --runs 15 bench/out/real-py.txt
set -eu
out=$(cd "$(dirname "$0")" && pwd)/out
mkdir -p "$out"
cat_sorted() { # DIR NAME-GLOB: every matching regular file's bytes, in path order
    [ -d "$1" ] || return 0
    find "$1" -name "$2" -type f | LC_ALL=C sort | xargs -r cat
}
cat_sorted /usr/lib/python3.11 '*.py' >"$out/real-py.txt"
cat_sorted /usr/include '*.h' >"$out/real-h.txt"
cat_sorted /usr/lib/node_modules '*.js' >"$out/real-js.txt"
{ cat_sorted /usr/lib/python3.11 '*.py'; cat_sorted /usr/include '*.h'; cat_sorted /usr/share/perl '*.pm'; } |
    head -c 200000000 >"$out/real-src.txt"
wc -c "$out"/real-*.txt
