#!/bin/sh
# run_hooks.sh - latency of the hook paths (not a test).
#
#   1. `leakhound stdin` on a 1 KB input, warm database cache (hyperfine; target <= 10 ms).
#   2. `leakhound pre-commit` in a 10 000-file repository with a typical commit staged (8 files,
#      <= 500 added lines): warm cache, and cold with a fresh XDG_CACHE_HOME before every run
#      (hyperfine; p50 and p99; targets p50 <= 20 ms warm, <= 300 ms cold).
#   3. a 1 000-commit push (~5 MB of added text) to a bare repository with the pre-receive hook
#      installed, against the same push to a bare repository without the hook (prepare: the
#      remote ref is reset, so every run pushes and checks the same 1 000 commits).
#   4. a 50 000-commit push (tests/e2e/gen_commits.sh: each commit changes one of 50 small files),
#      the hook run by hand (-j1, -j2; --deadline 600 so that it finishes), then `git push` with and
#      without the hook (hyperfine, 3 runs).
# Each part is skipped with a message while its subcommand does not exist yet.
# Environment: BUILD (default build-bench), LEAKHOUND (default $BUILD/leakhound), RUNS (default 50),
# PARTS (default "1 2 3 4": the parts to measure; part 2's repository is made whenever 3 runs).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-$ROOT/build-bench}
LH=${LEAKHOUND:-$BUILD/leakhound}
RUNS=${RUNS:-50}
OUT=$ROOT/bench/out/hooks
mkdir -p "$OUT"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid
export XDG_CACHE_HOME="$OUT/xdg-warm"

has() { [ -x "$LH" ] && "$LH" "$1" --help >/dev/null 2>&1; }
want() { case " ${PARTS:-1 2 3 4} " in *" $1 "*) return 0 ;; esac; return 1; }

# pct JSON: p50/p99/mean/min/max wall ms from hyperfine's per-run times, and the mean CPU time
# (steadier than wall time when other work shares the cores)
pct() {
    python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
t = sorted(r["times"])
def q(p):
    k = (len(t) - 1) * p
    lo = int(k); hi = min(lo + 1, len(t) - 1)
    return (t[lo] + (t[hi] - t[lo]) * (k - lo)) * 1e3
codes = sorted(set(r.get("exit_codes") or []))
print("  runs=%d p50=%.1f ms p99=%.1f ms mean=%.1f ms min=%.1f ms max=%.1f ms; mean CPU user+sys "
      "%.1f ms; exit codes=%s" % (len(t), q(0.5), q(0.99), r["mean"] * 1e3, t[0] * 1e3,
                                  t[-1] * 1e3, (r["user"] + r["system"]) * 1e3, codes))
EOF
}

echo "== machine"
lscpu | sed -n 's/^Model name: *//p'
echo "cores: $(nproc)  memory: $(free -g | awk '/^Mem:/{print $2}') GiB  $(. /etc/os-release; echo "$PRETTY_NAME")"
date -u

# ---- 1. stdin, 1 KB ---------------------------------------------------------------------------
if ! want 1; then
    echo "part 1 not asked for (PARTS)"
elif has stdin; then
    python3 - "$OUT/in-1k.txt" <<'EOF'
import sys
sys.path.insert(0, "bench")
import gen_corpus as gc
g = gc.Gen(3)
text = "\n".join(gc.gen_py(g, 2048)) + "\n"
open(sys.argv[1], "w").write(text[:1024])
EOF
    "$LH" stdin <"$OUT/in-1k.txt" >/dev/null 2>&1 || true
    echo "== leakhound stdin, 1 KB input, warm cache"
    hyperfine --style none --warmup 5 --runs 200 -i --export-json "$OUT/stdin.json" \
        "'$LH' stdin < '$OUT/in-1k.txt'" >/dev/null
    pct "$OUT/stdin.json"
else
    echo "leakhound stdin: not available, skipped"
fi

# ---- 2. pre-commit in a 10 000-file repository -------------------------------------------------
REPO=$OUT/repo10k
if [ ! -d "$REPO/.git" ]; then
    rm -rf "$REPO"
    git init -q -b main "$REPO"
    python3 - "$REPO" <<'EOF'
import os, sys
sys.path.insert(0, "bench")
import gen_corpus as gc
g = gc.Gen(11)
langs = [l for l in gc.LANGS for _ in range(l[3])]
for i in range(10000):
    lang = g.r.choice(langs)
    d = os.path.join(sys.argv[1], "pkg%02d" % (i % 40), g.word())
    os.makedirs(d, exist_ok=True)
    budget = int(2 ** g.r.uniform(8, 13.5))  # 256 B .. 11 KiB: a typical source file
    with open(os.path.join(d, "%s_%05d%s" % (g.ident(), i, lang[2][0])), "w") as f:
        f.write("\n".join(lang[1](g, budget)) + "\n")
EOF
    git -C "$REPO" add -A
    git -C "$REPO" commit -q -m "initial import"
fi
# the staged change: 6 files edited (+40 lines each) and 2 new files (+100 lines each): 440 lines
git -C "$REPO" reset -q --hard
git -C "$REPO" clean -qfd
python3 - "$REPO" <<'EOF'
import os, subprocess, sys
sys.path.insert(0, "bench")
import gen_corpus as gc
repo = sys.argv[1]
g = gc.Gen(12)
files = sorted(subprocess.run(["git", "-C", repo, "ls-files"], capture_output=True, text=True,
                              check=True).stdout.split())
for p in g.r.sample(files, 6):
    lines = gc.gen_go(g, 4000)[:40] if p.endswith(".go") else gc.gen_py(g, 4000)[:40]
    with open(os.path.join(repo, p), "a") as f:
        f.write("\n".join(lines) + "\n")
for i in range(2):
    with open(os.path.join(repo, "pkg00", "new_module_%d.py" % i), "w") as f:
        f.write("\n".join(gc.gen_py(g, 9000)[:100]) + "\n")
EOF
git -C "$REPO" add -A
echo "repository: $(git -C "$REPO" ls-files | wc -l) files; staged: $(git -C "$REPO" diff --cached --shortstat)"
if ! want 2; then
    echo "part 2 not asked for (PARTS)"
elif has pre-commit; then
    cd "$REPO"
    "$LH" pre-commit >/dev/null 2>&1 || true
    echo "== leakhound pre-commit, warm cache"
    hyperfine -N --style none --warmup 3 --runs "$RUNS" -i --export-json "$OUT/pc-warm.json" \
        "'$LH' pre-commit" >/dev/null
    pct "$OUT/pc-warm.json"
    echo "== leakhound pre-commit, cold (fresh XDG_CACHE_HOME each run)"
    hyperfine -N --style none --runs "$((RUNS < 10 ? RUNS : 10))" -i --export-json "$OUT/pc-cold.json" \
        --prepare "rm -rf '$OUT/xdg-cold'" \
        "env XDG_CACHE_HOME='$OUT/xdg-cold' '$LH' pre-commit" >/dev/null
    pct "$OUT/pc-cold.json"
    cd "$ROOT"
else
    echo "leakhound pre-commit: not available, skipped"
fi

# ---- 3. 1 000-commit push through pre-receive --------------------------------------------------
if ! want 3; then
    echo "part 3 not asked for (PARTS)"
elif has pre-receive; then
    git -C "$REPO" reset -q --hard
    BASE=$(git -C "$REPO" rev-parse HEAD)
    # the remotes must not know the pushed commits: drop the branch a previous run made
    git -C "$REPO" branch -D push1000 >/dev/null 2>&1 || true
    for b in with-hook no-hook; do
        rm -rf "$OUT/$b.git"
        git clone -q --bare --single-branch -b main "$REPO" "$OUT/$b.git"
    done
    printf '#!/bin/sh\nexec "%s" pre-receive\n' "$LH" >"$OUT/with-hook.git/hooks/pre-receive"
    chmod +x "$OUT/with-hook.git/hooks/pre-receive"
    # 1 000 commits, ~5 KB added each, on a branch of the work repository
    git -C "$REPO" branch -f push1000 "$BASE"
    python3 - "$REPO" <<'EOF' | git -C "$REPO" fast-import --quiet
import sys
sys.path.insert(0, "bench")
import gen_corpus as gc
g = gc.Gen(13)
out = sys.stdout.buffer
files = {}
t = 1700000000
for i in range(1000):
    if not files or g.r.random() < 0.3 or len(files[max(files)]) > 40000:
        name = "push/%s_%04d.py" % (g.ident(), i)
        files[name] = ""
    else:
        name = g.r.choice(sorted(files))
    add = "\n".join(gc.gen_py(g, 4800)) + "\n"
    files[name] += add[:5000]
    body = files[name].encode()
    msg = g.sentence().encode()
    out.write(b"commit refs/heads/push1000\n")
    t += 600
    out.write(b"committer Bench <bench@example.invalid> %d +0000\n" % t)
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    if i == 0:
        out.write(b"from refs/heads/push1000^0\n")
    out.write(b"M 100644 inline %s\ndata %d\n" % (name.encode(), len(body)))
    out.write(body + b"\n\n")
EOF
    echo "push: $(git -C "$REPO" rev-list --count "$BASE..push1000") commits, $(git -C "$REPO" diff --shortstat "$BASE" push1000)"
    NEW=$(git -C "$REPO" rev-parse push1000)
    echo "what the hook scans (run by hand in the remote, before any push):"
    git -C "$REPO" push -q "$OUT/no-hook.git" push1000:refs/heads/tmp-objects
    git -C "$OUT/no-hook.git" update-ref -d refs/heads/tmp-objects
    (cd "$OUT/no-hook.git" && echo "$BASE $NEW refs/heads/main" | "$LH" pre-receive --stats) 2>&1 |
        sed 's/^/  /' || true
    for b in no-hook with-hook; do
        echo "== git push of 1 000 commits, $b"
        hyperfine --style none --warmup 1 --runs 5 -i --export-json "$OUT/push-$b.json" \
            --prepare "git -C '$OUT/$b.git' update-ref refs/heads/main $BASE" \
            "git -C '$REPO' push -q '$OUT/$b.git' push1000:main" >/dev/null
        pct "$OUT/push-$b.json"
    done
else
    echo "leakhound pre-receive: not available, skipped"
fi

# ---- 4. 50 000-commit push ---------------------------------------------------------------------
if ! want 4; then
    echo "part 4 not asked for (PARTS)"
elif has pre-receive; then
    P=$OUT/push50k
    rm -rf "$P"
    mkdir -p "$P"
    git init -q -b main "$P/client"
    git -C "$P/client" commit -q --allow-empty -m init
    BASE=$(git -C "$P/client" rev-parse main)
    for b in with-hook no-hook; do
        git init -q --bare "$P/$b.git"
        git -C "$P/client" push -q "$P/$b.git" main
    done
    printf '#!/bin/sh\nexec "%s" pre-receive --deadline 600\n' "$LH" >"$P/with-hook.git/hooks/pre-receive"
    chmod +x "$P/with-hook.git/hooks/pre-receive"
    sh "$ROOT/tests/e2e/gen_commits.sh" 50000 main |
        GLIBC_TUNABLES=glibc.malloc.top_pad=67108864:glibc.malloc.trim_threshold=134217728 \
            git -C "$P/client" fast-import --quiet
    NEW=$(git -C "$P/client" rev-parse main)
    echo "push: $(git -C "$P/client" rev-list --count "$BASE..main") commits"
    git -C "$P/client" push -q "$P/no-hook.git" main:refs/heads/tmp-objects
    git -C "$P/no-hook.git" update-ref -d refs/heads/tmp-objects
    for j in 1 2; do
        echo "== leakhound pre-receive -j$j on the 50 000 commits, by hand"
        (cd "$P/no-hook.git" && echo "$BASE $NEW refs/heads/main" |
            /usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M KiB" \
                "$LH" pre-receive -j$j --deadline 600 --stats) 2>&1 | sed 's/^leakhound: /  /'
    done
    for b in no-hook with-hook; do
        echo "== git push of 50 000 commits, $b"
        hyperfine --style none --runs 3 -i --export-json "$OUT/push50k-$b.json" \
            --prepare "git -C '$P/$b.git' update-ref refs/heads/main $BASE" \
            "git -C '$P/client' push -q '$P/$b.git' main" >/dev/null
        pct "$OUT/push50k-$b.json"
    done
else
    echo "leakhound pre-receive: not available, skipped"
fi
