#!/bin/sh
# run_history.sh REPO - history scan cost against the cost of reading every object (not a test).
#
# Side by side, each the median of RUNS (default 3) runs with a warm page cache, wall seconds and
# peak RSS from /usr/bin/time -f '%e %M':
#   - git cat-file --batch-all-objects --batch --unordered >/dev/null   (the floor: read everything)
#   - leakhound git REPO --all -j1 and -j2                             (when the subcommand exists)
#   - git log -p --all | rg -c -f patterns.txt                          (the naive approach)
# Then the ratio leakhound -j1 / cat-file (target <= 1.5), and, when REPO.planted.jsonl exists
# (bench/gen_history.py writes it), how many planted secrets leakhound reported.
# Environment: BUILD (default build-bench), RUNS (default 3), LEAKHOUND (default $BUILD/leakhound).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPO=${1:?usage: run_history.sh REPO}
REPO=$(cd "$REPO" && pwd)
RUNS=${RUNS:-3}
BUILD=${BUILD:-$ROOT/build-bench}
LH=${LEAKHOUND:-$BUILD/leakhound}
OUT=$ROOT/bench/out/history-run
mkdir -p "$OUT"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

if [ ! -x /usr/bin/time ]; then
    echo "run_history.sh: /usr/bin/time is missing: apt-get install -y time" >&2
    exit 2
fi

echo "== machine"
lscpu | sed -n 's/^Model name: *//p'
echo "cores: $(nproc)  memory: $(free -g | awk '/^Mem:/{print $2}') GiB  $(. /etc/os-release; echo "$PRETTY_NAME")"
date -u
echo "repo: $REPO"
echo "commits: $(git -C "$REPO" rev-list --all --count)  refs: $(git -C "$REPO" for-each-ref | wc -l)"
git -C "$REPO" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
    awk '$1=="blob"{n++; s+=$2} END{printf "unique blobs: %d  blob bytes: %d\n", n, s}'
echo "pack bytes: $(du -cb "$REPO"/objects/pack/*.pack | tail -1 | cut -f1)"

# measure LABEL CMD: RUNS runs of sh -c CMD; prints the median wall seconds, CPU seconds (user +
# system, the steadier figure when other work shares the cores) and peak RSS
measure() {
    label=$1
    cmd=$2
    : >"$OUT/times"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        /usr/bin/time -f '%e %M %U %S' -o "$OUT/t1" sh -c "$cmd" >/dev/null 2>"$OUT/stderr" || true
        tail -1 "$OUT/t1" >>"$OUT/times"
        i=$((i + 1))
    done
    python3 - "$label" "$OUT/times" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
e = statistics.median(float(r[0]) for r in rows)
m = statistics.median(int(r[1]) for r in rows)
c = statistics.median(float(r[2]) + float(r[3]) for r in rows)
print("%-48s %8.2f s wall %8.2f s cpu %8.1f MiB  (wall runs: %s)" % (sys.argv[1], e, c,
      m / 1024.0, " ".join(r[0] for r in rows)))
open(sys.argv[2] + ".median", "w").write("%f %f\n" % (e, c))
EOF
}

python3 "$ROOT/bench/rg_patterns.py" --rules "$ROOT/rules" --out "$OUT/rg" >/dev/null

# warm the page cache once
git -C "$REPO" cat-file --batch-all-objects --batch --unordered >/dev/null

echo "== median of $RUNS (wall, user+sys CPU, peak RSS)"
measure "git cat-file --batch-all-objects --batch" \
    "git -C '$REPO' cat-file --batch-all-objects --batch --unordered"
CAT=$(cat "$OUT/times.median")

if [ -x "$LH" ] && "$LH" git --help >/dev/null 2>&1; then
    "$LH" git "$REPO" --all -j2 --format jsonl --output "$OUT/findings.jsonl" >/dev/null 2>&1 || true
    for j in 1 2; do
        measure "leakhound git --all -j$j" \
            "'$LH' git '$REPO' --all -j$j --format jsonl --output /dev/null"
        if [ "$j" = 1 ]; then LH1=$(cat "$OUT/times.median"); fi
    done
    python3 -c "import sys; a = sys.argv[1].split(); b = sys.argv[2].split(); print('ratio leakhound -j1 / cat-file: wall %.2f, cpu %.2f (target <= 1.5)' % (float(a[0]) / float(b[0]), float(a[1]) / float(b[1])))" "$LH1" "$CAT"
    if [ -f "$REPO.planted.jsonl" ]; then
        python3 - "$REPO.planted.jsonl" "$OUT/findings.jsonl" <<'EOF'
import json, sys
planted = [json.loads(l) for l in open(sys.argv[1])]
found = set()
n = 0
for l in open(sys.argv[2]):
    try:
        f = json.loads(l)
    except ValueError:
        continue
    if "rule_id" in f:
        n += 1
        found.add((f.get("path"), f.get("line_start")))
hit = [p for p in planted if (p["path"], p["line"]) in found]
print("findings: %d; planted secrets found at their planted path:line: %d of %d" % (
    n, len(hit), len(planted)))
for p in planted:
    if p not in hit:
        print("  missed: %s %s:%d (%s, %s)" % (p["kind"], p["path"], p["line"], p["note"], p["commit"][:10]))
EOF
    fi
else
    echo "leakhound git: subcommand not available yet in $LH, skipped"
fi

measure "git log -p --all | rg -c -f patterns.txt" \
    "git -C '$REPO' log -p --all | rg -c -f '$OUT/rg/patterns.txt'"
