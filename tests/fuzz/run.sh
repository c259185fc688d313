#!/bin/sh
# run.sh - fuzz one target with libFuzzer for a while and print one line for README.md.
#
#   CC=clang cmake -S . -B build-fuzz -DBUILD_FUZZERS=ON && cmake --build build-fuzz --target fuzz_NAME
#   tests/fuzz/run.sh build-fuzz NAME SECONDS [wall|cpu]
#
# wall (the default): libFuzzer runs for SECONDS of wall-clock time (-max_total_time).
# cpu: it runs until the fuzzer process has used SECONDS of CPU (user+sys, read from /proc every
# 5 s), however long that takes on a shared machine, and is then stopped with SIGINT (libFuzzer
# prints its final statistics and exits 72). A SIGINT sent by hand (kill -INT on the fuzzer) ends
# either mode early the same way; the line then says "interrupted" and the CPU it got.
#
# New inputs go to build-fuzz/fuzz-work/NAME (not committed; copy a crash input into corpus/NAME by
# hand after fixing it). The line printed gives the wall time the run took, the CPU time the
# process actually got (user+sys: on a shared machine it can be far less than the wall time), the
# executions and the result.
set -u
build=$1 name=$2 secs=$3 mode=${4:-wall}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/tests/fuzz/fuzz_$name
work=$build/fuzz-work/$name
log=$build/fuzz-work/$name.log
case $mode in
wall) max_total=$secs ;;
cpu) max_total=$((secs * 20)) ;; # a backstop only: the CPU watcher below ends the run
*)
    echo "usage: $0 BUILD NAME SECONDS [wall|cpu]" >&2
    exit 2
    ;;
esac
mkdir -p "$work" "$build/fuzz-work/crashes-$name"
dict=
[ -f "$here/$name.dict" ] && dict=-dict=$here/$name.dict
start=$(date +%s)
# -jobs is not used: one process, one core at most; -rss_limit_mb bounds memory per input.
/usr/bin/env time -f '%U %S' -o "$build/fuzz-work/$name.time" \
    "$bin" -max_total_time="$max_total" -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 $dict \
    -artifact_prefix="$build/fuzz-work/crashes-$name/" "$work" "$here/corpus/$name" >"$log" 2>&1 &
tpid=$!
reached=
if [ "$mode" = cpu ]; then
    hz=$(getconf CLK_TCK)
    fpid= reached=
    while kill -0 "$tpid" 2>/dev/null; do
        [ -n "$fpid" ] || fpid=$(pgrep -P "$tpid" | head -n 1)
        if [ -n "$fpid" ] && [ -r "/proc/$fpid/stat" ]; then
            # fields 14 and 15 (utime, stime, in clock ticks); the name in (...) has no spaces
            ticks=$(sed 's/^.*) //' "/proc/$fpid/stat" | awk '{ print $12 + $13 }')
            if [ "${ticks:-0}" -ge $((secs * hz)) ]; then
                reached=1
                kill -INT "$fpid"
                break
            fi
        fi
        sleep 5
    done
fi
wait "$tpid"
rc=$?
end=$(date +%s)
cpu=$(tail -n 1 "$build/fuzz-work/$name.time" 2>/dev/null | awk '{printf "%.0f", $1 + $2}')
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
# slow-unit-* files are inputs that took over 10 s of wall time (on a loaded machine: a stall,
# not a bug); libFuzzer goes on after writing one, so they are not failures
crashes=$(ls "$build/fuzz-work/crashes-$name" | grep -v '^slow-unit-' | head -3 | tr '\n' ' ')
if [ "$rc" -eq 0 ]; then
    result=clean
elif [ "$rc" -eq 72 ] && [ -z "$crashes" ] && [ -n "$reached" ]; then
    result=clean
elif [ "$rc" -eq 72 ] && [ -z "$crashes" ]; then
    result="clean (interrupted by hand)"
else
    result="exit $rc: $crashes"
fi
echo "| fuzz_$name | $(date -u +%Y-%m-%d) | $((end - start)) s wall | ${cpu:-?} s CPU | ${execs:-?} execs | $result |"
