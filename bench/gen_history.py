#!/usr/bin/env python3
"""gen_history.py - a deterministic synthetic git history, built with `git fast-import`.

The repository looks like years of work on a polyglot code base: files are added, edited (lines
changed, blocks inserted, a few lines deleted; files mostly grow), renamed and deleted; feature
branches fork from main, most merge back, some are left unmerged; release tags are annotated.
About --target-bytes of blob content is written in total across all blob versions, which is what a
history scanner has to read (each unique blob once). A few secrets are planted, and listed with
their commit, path and line in history_planted.jsonl next to the repository:
  - on main, in edits of ordinary files (some of them edited away again later: history-only),
  - one only in a file that a later commit deletes ("deleted-file"),
  - one only on a branch that is never merged ("side-branch").

Invariants: same arguments give the same commits (fixed dates and authors, one seeded RNG; the
commit ids are identical across runs). Secrets are assembled at run time (see gen_corpus.py).
After the import the repository is repacked (`git repack -ad`, or `-adf --window=50` with
--aggressive) so the pack is delta-compressed as in a real clone.

Usage:
  gen_history.py --out bench/out/history.git            # 20000 commits, 1 GiB of blob versions
  gen_history.py --small --out bench/out/history-small.git   # 2000 commits, 50 MB
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_corpus as gc  # noqa: E402

AUTHORS = [("Ada Lovelace", "ada@acme.example"), ("Linus Benedict", "linus@globex.example"),
           ("Grace Hopper", "grace@initech.example"), ("Ken Thompson", "ken@hooli.example"),
           ("Barbara Liskov", "barbara@acme.example"), ("Dennis Ritchie", "dmr@stark.example"),
           ("Margaret Hamilton", "margaret@wayne.example"), ("Alan Kay", "alan@tyrell.example")]

FILE_GROWTH_CAP = 256 * 1024  # past this a file's edits replace lines rather than add them


def protected(path):
    """The deleted-file plant lives here; random edits, renames and deletes leave it alone."""
    return path.startswith("config/legacy/")


class History:
    def __init__(self, a):
        self.a = a
        self.g = gc.Gen(a.seed)
        self.r = self.g.r
        self.mark = 0
        self.when = 1500000000
        self.written = 0          # blob bytes written (all versions)
        self.n_commits = 0
        self.planted = []         # (mark, path, line, kind, note)
        self.langs = {l[0]: l for l in gc.LANGS}
        self.weighted = [l for l in gc.LANGS for _ in range(l[3])]
        self.pool = {}
        for name, fn, _, _ in gc.LANGS:
            lines = []
            while sum(len(x) for x in lines) < 400000:
                lines += fn(self.g, 16384)
            self.pool[name] = lines
        self.nfile = 0

    # --- stream helpers --------------------------------------------------------------------
    def w(self, s):
        self.out.write(s if isinstance(s, bytes) else s.encode())

    def data(self, b):
        if isinstance(b, str):
            b = b.encode()
        self.w(b"data %d\n" % len(b))
        self.w(b)
        self.w(b"\n")

    def new_mark(self):
        self.mark += 1
        return self.mark

    def ident_line(self, what):
        self.when += self.r.randint(60, 4 * 3600)
        name, mail = self.r.choice(AUTHORS)
        return "%s %s <%s> %d +0000\n" % (what, name, mail, self.when)

    # --- content -------------------------------------------------------------------------
    def new_file(self, tree, d=None):
        lang = self.r.choice(self.weighted)
        self.nfile += 1
        d = d or "%s/%s" % (self.r.choice(["src", "lib", "cmd", "deploy", "docs", "scripts",
                                           "internal", "web", "config"]), self.g.word())
        path = "%s/%s_%d%s" % (d, self.g.ident(), self.nfile, self.r.choice(lang[2]))
        if lang[0] == "env":
            path = "%s/.env.%s%d" % (d, self.g.word(), self.nfile)
        budget = int(2 ** self.r.uniform(10, 14.5))
        tree[path] = (lang[0], lang[1](self.g, budget))
        return path

    def block(self, lang, lo, hi):
        pool = self.pool[lang]
        n = self.r.randint(lo, hi)
        j = self.r.randrange(max(1, len(pool) - n))
        return pool[j:j + n]

    def edit(self, tree, path):
        lang, old = tree[path]
        lines = list(old)
        size = sum(len(x) + 1 for x in lines)
        for _ in range(self.r.randint(1, 4)):
            op = self.r.random()
            pos = self.r.randint(0, len(lines))
            if op < 0.45:  # change a few lines in place
                new = self.block(lang, 1, 4)
                lines[pos:pos + len(new)] = new
            elif op < 0.9:  # insert a block (the file grows)
                new = self.block(lang, 2, 30)
                if size > FILE_GROWTH_CAP:
                    del lines[pos:pos + len(new)]
                lines[pos:pos] = new
            else:  # delete a few lines
                del lines[pos:pos + self.r.randint(1, 6)]
        tree[path] = (lang, lines)

    def plant(self, tree, path, kind, mark_fn, note):
        lang, old = tree[path]
        lines = list(old)
        pos = self.r.randint(0, len(lines))
        new, marks = gc.secret_lines(self.g, lang, kind)
        lines[pos:pos] = new
        tree[path] = (lang, lines)
        for off, k in marks:
            self.planted.append((mark_fn, path, pos + off + 1, k, note))

    def emit_file(self, tree, path):
        b = ("\n".join(tree[path][1]) + "\n").encode()
        self.written += len(b)
        self.w("M 100644 inline %s\n" % path)
        self.data(b)

    # --- commits -------------------------------------------------------------------------
    def commit(self, ref, parents, changes, msg=None):
        """changes: list of ('M', path) | ('D', path) | ('R', old, new); tree is already updated."""
        m = self.new_mark()
        self.w("commit %s\nmark :%d\n" % (ref, m))
        a = self.ident_line("author")
        self.w(a)
        self.w(a.replace("author", "committer", 1))
        self.data(msg or self.g.sentence(3, 10))
        if parents:
            self.w("from :%d\n" % parents[0])
            for p in parents[1:]:
                self.w("merge :%d\n" % p)
        for ch in changes:
            if ch[0] == "M":
                self.emit_file(ch[2], ch[1])
            elif ch[0] == "D":
                self.w("D %s\n" % ch[1])
            else:
                self.w('R "%s" "%s"\n' % (ch[1], ch[2]))
        self.w("\n")
        self.n_commits += 1
        return m

    def work_commit(self, tree, hot, budget):
        """One ordinary commit's edits on tree; returns its change list."""
        changes = []
        touched = set()
        if not tree or self.r.random() < 0.25:
            for _ in range(self.r.randint(1, 3)):
                p = self.new_file(tree)
                touched.add(p)
                hot.append(p)
        paths = None
        spent = sum(len(tree[p][1]) * 40 for p in touched)
        tries = 0
        while spent < budget and len(touched) < 12 and tries < 40:
            tries += 1
            if hot and self.r.random() < 0.6:
                p = self.r.choice(hot[-60:])
                if p not in tree or protected(p):
                    continue
            else:
                if paths is None:
                    paths = [q for q in tree if not protected(q)]
                p = self.r.choice(paths)
            if p in touched:
                continue
            self.edit(tree, p)
            touched.add(p)
            hot.append(p)
            spent += sum(len(x) + 1 for x in tree[p][1])
        if len(hot) > 400:
            del hot[:-200]
        if len(tree) > 20 and self.r.random() < 0.03:
            if paths is None:
                paths = [q for q in tree if not protected(q)]
            p = self.r.choice(paths)
            if p not in touched:
                del tree[p]
                changes.append(("D", p))
        if len(tree) > 20 and self.r.random() < 0.02:
            if paths is None:
                paths = [q for q in tree if not protected(q)]
            p = self.r.choice(paths)
            if p not in touched:
                q = "%s/%s" % (self.r.choice(["src", "lib", "pkg", "legacy"]), p.split("/")[-1])
                if q not in tree:
                    tree[q] = tree.pop(p)
                    changes.append(("R", p, q))
        changes += [("M", p, tree) for p in sorted(touched)]
        return changes, sorted(touched)

    def run(self):
        a = self.a
        main_tree = {}
        hot = []
        last = None
        n_main = a.commits
        branch_every = max(20, n_main // 25)
        tag_every = max(50, n_main // 12)
        n_plain = max(1, a.secrets)
        plant_at = sorted(self.r.sample(range(10, n_main - 5), min(n_plain, n_main - 20)))
        deleted_at = n_main // 3
        side_at = n_main // 2
        kinds = list(gc.KINDS)
        k_i = 0
        i = 0
        unmerged = 0
        delete_pending = None
        t0 = time.time()
        while i < n_main:
            remaining = max(1, n_main - i)
            budget = max(2000, (a.target_bytes - self.written) // remaining)
            changes, touched = self.work_commit(main_tree, hot, budget)
            if plant_at and i == plant_at[0]:
                plant_at.pop(0)
                p = touched[0] if touched else self.new_file(main_tree)
                mk = self.mark + 1
                self.plant(main_tree, p, kinds[k_i % len(kinds)], mk, "main")
                k_i += 1
                if p not in touched:
                    changes.append(("M", p, main_tree))
            if i == deleted_at:
                p = "config/legacy/credentials_%d.env" % i
                main_tree[p] = ("env", gc.gen_env(self.g, 600))
                self.plant(main_tree, p, "aws", self.mark + 1, "deleted-file")
                changes.append(("M", p, main_tree))
                delete_pending = (p, i + 7)
            if delete_pending and i == delete_pending[1] and delete_pending[0] in main_tree:
                del main_tree[delete_pending[0]]
                changes.append(("D", delete_pending[0]))
                delete_pending = None
            last = self.commit("refs/heads/main", [last] if last else [], changes)
            i += 1
            if i % tag_every == 0:
                self.w("tag v%d.%d.0\nfrom :%d\n" % (i // (tag_every * 4) + 1, (i // tag_every) % 4,
                                                     last))
                self.w(self.ident_line("tagger"))
                self.data("Release %s" % self.g.sentence(2, 6))
            if i % branch_every == 0 or i == side_at:
                name = "feature/%s-%d" % (self.g.word(), i)
                side_tree = dict(main_tree)
                side_hot = list(hot)
                s_last = last
                side_paths = set()
                deleted_side = set()
                nside = self.r.randint(2, 12)
                for j in range(nside):
                    ch, t = self.work_commit(side_tree, side_hot, budget)
                    side_paths.update(t)
                    deleted_side.update(c[1] for c in ch if c[0] == "D")
                    deleted_side.update(c[1] for c in ch if c[0] == "R")
                    side_paths.update(c[2] for c in ch if c[0] == "R")
                    if i == side_at and j == nside - 1:
                        p = self.new_file(side_tree, "experiments")
                        self.plant(side_tree, p, "github-classic", self.mark + 1, "side-branch")
                        ch.append(("M", p, side_tree))
                    s_last = self.commit("refs/heads/" + name, [s_last], ch)
                if i != side_at and self.r.random() < 0.75:
                    merged = []
                    for p in sorted(side_paths):
                        if p in side_tree:
                            main_tree[p] = side_tree[p]
                            merged.append(("M", p, main_tree))
                    for p in sorted(deleted_side):
                        if p in main_tree and p not in side_tree:
                            del main_tree[p]
                            merged.append(("D", p))
                    last = self.commit("refs/heads/main", [last, s_last], merged,
                                       "Merge branch '%s'" % name)
                else:
                    unmerged += 1
            if i % 1000 == 0 and a.verbose:
                print("  %d commits, %.0f MB, %.0fs" % (self.n_commits, self.written / 1e6,
                                                         time.time() - t0), file=sys.stderr)
        self.unmerged = unmerged


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="path of the bare repository to create")
    ap.add_argument("--commits", type=int, default=20000, help="commits on main (merges and "
                    "feature-branch commits come on top)")
    ap.add_argument("--target-bytes", type=float, default=float(1 << 30),
                    help="blob bytes across all versions (default 1 GiB)")
    ap.add_argument("--small", action="store_true", help="2000 commits, 50 MB")
    ap.add_argument("--secrets", type=int, default=12, help="secrets planted on main")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--aggressive", action="store_true", help="repack -adf --window=50")
    ap.add_argument("--force", action="store_true", help="replace --out if it exists")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.small:
        a.commits, a.target_bytes = 2000, 50e6
    a.target_bytes = int(a.target_bytes)
    a.out = os.path.abspath(a.out)
    if os.path.exists(a.out):
        if not a.force:
            ap.error("%s exists (use --force)" % a.out)
        shutil.rmtree(a.out)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    sh(["git", "init", "-q", "--bare", "-b", "main", a.out], env=env)
    marks = os.path.join(a.out, "bench-marks")
    t0 = time.time()
    p = subprocess.Popen(["git", "-C", a.out, "fast-import", "--quiet", "--export-marks=" + marks],
                         stdin=subprocess.PIPE, env=env)
    h = History(a)
    h.out = p.stdin
    h.run()
    p.stdin.close()
    if p.wait() != 0:
        sys.exit("git fast-import failed")
    t1 = time.time()
    repack = ["git", "-C", a.out, "repack", "-adq"]
    if a.aggressive:
        repack = ["git", "-C", a.out, "repack", "-adfq", "--window=50"]
    sh(repack, env=env)
    sh(["git", "-C", a.out, "prune-packed"], env=env)
    t2 = time.time()

    ids = {}
    with open(marks) as f:
        for ln in f:
            k, v = ln.split()
            ids[int(k[1:])] = v
    man = os.path.abspath(a.out).rstrip("/") + ".planted.jsonl"
    with open(man, "w") as f:
        for mk, path, line, kind, note in h.planted:
            f.write(json.dumps({"commit": ids[mk], "path": path, "line": line, "kind": kind,
                                "note": note}, sort_keys=True) + "\n")
    os.unlink(marks)

    def out(cmd):
        return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout

    n_commits = int(out(["git", "-C", a.out, "rev-list", "--all", "--count"]))
    blobs = 0
    blob_bytes = 0
    for ln in out(["git", "-C", a.out, "cat-file", "--batch-all-objects",
                   "--batch-check=%(objecttype) %(objectsize)"]).splitlines():
        t, s = ln.split()
        if t == "blob":
            blobs += 1
            blob_bytes += int(s)
    pack = 0
    pdir = os.path.join(a.out, "objects", "pack")
    for fn in os.listdir(pdir):
        pack += os.path.getsize(os.path.join(pdir, fn))
    refs = len(out(["git", "-C", a.out, "for-each-ref"]).splitlines())
    print("repo=%s commits=%d refs=%d unmerged_branches=%d unique_blobs=%d blob_bytes=%d "
          "written_bytes=%d pack_bytes=%d planted=%d import_s=%.1f repack_s=%.1f" % (
              a.out, n_commits, refs, h.unmerged, blobs, blob_bytes, h.written, pack,
              len(h.planted), t1 - t0, t2 - t1))
    print("manifest=%s" % man)


if __name__ == "__main__":
    main()
