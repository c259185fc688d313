#!/bin/sh
# run_engine.sh - engine throughput against ripgrep on the same synthetic corpus (not a test).
#
# For each corpus profile of gen_corpus.py in PROFILES (default "source dense": source text at
# real-code density, then the secret-dense stress corpus), generates (once) a SIZE-MB corpus as one
# file and as a directory tree under bench/out/ (dense: corpus-SIZE.txt, as the first benchmarks
# named it; others: corpus-PROFILE-SIZE.txt), prints its densities (density.py, beside the real
# corpora of real_corpus.sh when they exist), builds bench_engine and leakhound in Release mode in
# $BUILD, then prints side by side:
#   - bench_engine: the engine alone, one thread, in-memory, 1 MiB chunks and whole file;
#   - rg -c -f patterns.txt on the first RG_MB MB of the file (one search thread, one run: with
#     the whole pack ripgrep runs at a few MB/s), Rust regex, with the pack's patterns that
#     ripgrep can express (bench/rg_patterns.py; the rest are listed), and rg -P (PCRE2) with
#     every pattern it accepts;
#   - leakhound dir on the directory tree, -j1 and -j2, when the subcommand exists.
# Environment: PROFILES, SIZE (MB, default 256), BUILD (default build-bench), RUNS (default 5),
# RG_MB (32), RULE_COST=1 to also run the remove-one-rule sweep (on each profile).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SIZE=${SIZE:-256}
RUNS=${RUNS:-5}
BUILD=${BUILD:-$ROOT/build-bench}
PROFILES=${PROFILES:-source dense}
OUT=$ROOT/bench/out
mkdir -p "$OUT"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j2 --target bench_engine leakhound >/dev/null

echo "== machine"
lscpu | sed -n 's/^Model name: *//p'
echo "cores: $(nproc)  memory: $(free -g | awk '/^Mem:/{print $2}') GiB  $(. /etc/os-release; echo "$PRETTY_NAME")"
date -u

# "median-wall-seconds mean-cpu-seconds" of a command over RUNS runs, via hyperfine's JSON (CPU
# is user + system of the command and its children: steadier when other work shares the cores)
median_s() {
    hyperfine --style none --warmup 1 --runs "$RUNS" -i --export-json "$OUT/hf.json" "$1" >/dev/null 2>&1
    python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["user"] + r["system"])' "$OUT/hf.json"
}
mbps() { python3 -c "import sys; print('%.1f' % ($BYTES / float(sys.argv[1]) / 1e6))" "$1"; }

# row LABEL "WALL CPU"
row() {
    set -- "$1" ${2}
    printf '%-58s %10s MB/s wall %8.3f s' "$1" "$(mbps "$2")" "$2"
    if [ -n "${3:-}" ]; then printf '  %10s MB/s cpu %8.3f s' "$(mbps "$3")" "$3"; fi
    printf '\n'
}

# One profile's corpus: generated once, its densities, then the runs below.
run_profile() {
    PROFILE=$1
    if [ "$PROFILE" = dense ]; then
        CORPUS=$OUT/corpus-$SIZE.txt
        TREE=$OUT/corpus-$SIZE
    else
        CORPUS=$OUT/corpus-$PROFILE-$SIZE.txt
        TREE=$OUT/corpus-$PROFILE-$SIZE
    fi
    if [ ! -f "$CORPUS" ]; then
        python3 "$ROOT/bench/gen_corpus.py" --profile "$PROFILE" --size "$SIZE" --single "$CORPUS"
    fi
    if [ ! -d "$TREE" ]; then
        python3 "$ROOT/bench/gen_corpus.py" --profile "$PROFILE" --size "$SIZE" --out "$TREE"
    fi
    echo "=== profile $PROFILE: $CORPUS ($(wc -c <"$CORPUS") bytes)"
    BYTES=$(wc -c <"$CORPUS")
    python3 "$ROOT/bench/density.py" "$CORPUS" $(ls "$OUT"/real-*.txt 2>/dev/null)
    echo "== bench_engine (one thread, in memory)"
    "$BUILD/bench/bench_engine" --runs "$RUNS" "$CORPUS" | tee "$OUT/bench_engine-$PROFILE.txt" | grep -v '^  '

    echo "== ripgrep patterns"
    python3 "$ROOT/bench/rg_patterns.py" --rules "$ROOT/rules" --out "$OUT/rg"
    if [ -s "$OUT/rg/skipped.tsv" ]; then
        echo "not expressible (rule, engine, rg's reason):"
        sed 's/^/  /' "$OUT/rg/skipped.tsv"
    fi


    echo "== side by side ($SIZE MB, median of $RUNS)"
    E1=$(awk '/^1MiB/{print $4, $11}' "$OUT/bench_engine-$PROFILE.txt" | tr -d '(')
    EW=$(awk '/^whole/{print $4, $11}' "$OUT/bench_engine-$PROFILE.txt" | tr -d '(')
    row "bench_engine, 1 MiB chunks, 1 thread" "$E1"
    row "bench_engine, whole file as one chunk, 1 thread" "$EW"
    # ripgrep with the whole pack runs at a few MB/s: it gets the first RG_MB MB, one run
    RG_MB=${RG_MB:-32}
    SLICE=$CORPUS.head$RG_MB
    head -c "$((RG_MB * 1000000))" "$CORPUS" >"$SLICE"
    FULL=$BYTES
    BYTES=$(wc -c <"$SLICE")
    SAVED_RUNS=$RUNS
    RUNS=1
    T=$(median_s "rg -c -f $OUT/rg/patterns.txt $SLICE")
    row "rg -c -f patterns.txt (Rust regex, $(wc -l <"$OUT/rg/patterns.txt") patterns, first $RG_MB MB)" "$T"
    T=$(median_s "rg -P -c -f $OUT/rg/patterns-pcre2.txt $SLICE")
    row "rg -P -c -f patterns-pcre2.txt ($(wc -l <"$OUT/rg/patterns-pcre2.txt") patterns, first $RG_MB MB)" "$T"
    RUNS=$SAVED_RUNS
    BYTES=$FULL
    if "$BUILD/leakhound" dir --help >/dev/null 2>&1; then
        for j in 1 2; do
            T=$(median_s "$BUILD/leakhound dir -j$j --format jsonl --output /dev/null $TREE")
            row "leakhound dir -j$j (tree, $(find "$TREE" -type f | wc -l) files)" "$T"
        done
        echo "== recall on the tree (leakhound dir -j2, planted path:line reported?)"
        "$BUILD/leakhound" dir -j2 --format jsonl --output "$OUT/dir-findings-$PROFILE.jsonl" "$TREE" \
            >/dev/null 2>&1 || true
        python3 - "$TREE/planted.jsonl" "$OUT/dir-findings-$PROFILE.jsonl" "$TREE" <<'EOF'
import collections, json, os, sys
planted = [json.loads(l) for l in open(sys.argv[1])]
found = {}
n = 0
for l in open(sys.argv[2]):
    f = json.loads(l)
    if "rule_id" not in f:
        continue
    n += 1
    p = os.path.relpath(os.path.abspath(f["path"]), sys.argv[3])
    found.setdefault((p, f["line_start"]), []).append(f["rule_id"])
hit = collections.Counter()
tot = collections.Counter()
for p in planted:
    tot[p["kind"]] += 1
    if (p["path"], p["line"]) in found:
        hit[p["kind"]] += 1
print("findings: %d; planted found: %d of %d" % (n, sum(hit.values()), len(planted)))
for k in sorted(tot):
    print("  %-24s %4d of %4d" % (k, hit[k], tot[k]))
EOF
    else
        echo "leakhound dir: not built yet, skipped"
    fi
    if [ "${RULE_COST:-0}" = 1 ]; then
        echo "== remove one rule at a time"
        "$BUILD/bench/bench_engine" --rule-cost --runs 3 --limit-mb 64 "$CORPUS" | tee "$OUT/rule_cost-$PROFILE.txt"
    fi
}

for p in $PROFILES; do
    run_profile "$p"
done
