#!/bin/sh
# run.sh - fuzz one target with libFuzzer for a while and print one line for README.md.
#
#   CC=clang cmake -S . -B build-fuzz -DBUILD_FUZZERS=ON && cmake --build build-fuzz --target fuzz_NAME
#   tests/fuzz/run.sh build-fuzz NAME SECONDS
#
# New inputs go to build-fuzz/fuzz-work/NAME (not committed; copy a crash input into corpus/NAME by
# hand after fixing it). The line printed gives the wall time libFuzzer was allowed, the CPU time the
# process actually got (user+sys: on a shared machine it can be far less), the executions and the
# result.
set -u
build=$1 name=$2 secs=$3
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/tests/fuzz/fuzz_$name
work=$build/fuzz-work/$name
log=$build/fuzz-work/$name.log
mkdir -p "$work" "$build/fuzz-work/crashes-$name"
dict=
[ -f "$here/$name.dict" ] && dict=-dict=$here/$name.dict
start=$(date +%s)
# -jobs is not used: one process, one core at most; -rss_limit_mb bounds memory per input.
/usr/bin/env time -f '%U %S' -o "$build/fuzz-work/$name.time" \
    "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 $dict \
    -artifact_prefix="$build/fuzz-work/crashes-$name/" "$work" "$here/corpus/$name" >"$log" 2>&1
rc=$?
end=$(date +%s)
cpu=$(tail -n 1 "$build/fuzz-work/$name.time" 2>/dev/null | awk '{printf "%.0f", $1 + $2}')
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
result=clean
[ "$rc" -ne 0 ] && result="exit $rc: $(ls "$build/fuzz-work/crashes-$name" | head -3 | tr '\n' ' ')"
echo "| fuzz_$name | $(date -u +%Y-%m-%d) | $((end - start)) s wall | ${cpu:-?} s CPU | ${execs:-?} execs | $result |"
