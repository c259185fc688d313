#!/usr/bin/env python3
"""rg_patterns.py - turn a rule pack's `pattern:` values into pattern files for ripgrep.

For the baseline comparisons in run_engine.sh and run_history.sh: ripgrep (Rust regex, no
PCRE2) is the "naive but fast" way to grep for the same patterns. Each enabled rule's pattern is
converted (named groups `(?<n>` become plain groups, since `rg -f` joins all patterns into one
alternation where two groups of one name clash) and checked by running `rg` on it alone:
  OUT/patterns.txt       patterns ripgrep's default engine accepts (one a line, for `rg -f`)
  OUT/patterns-pcre2.txt every pattern that `rg -P` accepts (for a PCRE2 comparison)
  OUT/skipped.tsv        rule id, engine, reason: the patterns not expressible
A pattern containing a newline escape cannot be used by line-oriented rg without -U; rg says so
and it lands in skipped.tsv like any other rejection.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

import yaml


def check(pattern, pcre2):
    cmd = ["rg", "-q"] + (["-P"] if pcre2 else []) + ["-e", pattern, "/dev/null"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode in (0, 1):
        return None
    lines = [x.strip() for x in p.stderr.splitlines() if x.strip()]
    errs = [x for x in lines if x.startswith("error:") or "not supported" in x
            or "not allowed" in x]
    return " ".join(errs or lines[-1:] or ["rg exit %d" % p.returncode])[:200]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rules", required=True, help="a rules directory (*.yml) or one file")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    files = sorted(glob.glob(os.path.join(a.rules, "*.yml")) + glob.glob(
        os.path.join(a.rules, "*.yaml"))) if os.path.isdir(a.rules) else [a.rules]
    os.makedirs(a.out, exist_ok=True)
    ok, okp, skipped = [], [], []
    total = 0
    for fn in files:
        with open(fn, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for r in doc.get("rules") or []:
            if not isinstance(r, dict) or "pattern" not in r or r.get("disabled"):
                continue
            total += 1
            # rg -f joins the patterns into one alternation, where two (?<secret>...) groups
            # would clash: named groups become plain groups (we only count matching lines)
            pat = re.sub(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>", "(", str(r["pattern"]))
            rid = r.get("id", "?")
            why = check(pat, False)
            if why is None:
                ok.append(pat)
            else:
                skipped.append((rid, "rust-regex", why))
            whyp = check(pat, True)
            if whyp is None:
                okp.append(pat)
            else:
                skipped.append((rid, "pcre2", whyp))
    with open(os.path.join(a.out, "patterns.txt"), "w") as f:
        f.writelines(p + "\n" for p in ok)
    with open(os.path.join(a.out, "patterns-pcre2.txt"), "w") as f:
        f.writelines(p + "\n" for p in okp)
    with open(os.path.join(a.out, "skipped.tsv"), "w") as f:
        for s in skipped:
            f.write("\t".join(x.replace("\t", " ") for x in s) + "\n")
    for name, pcre2 in (("patterns.txt", False), ("patterns-pcre2.txt", True)):
        p = subprocess.run(["rg", "-q"] + (["-P"] if pcre2 else []) + ["-f", os.path.join(a.out, name),
                            "/dev/null"], capture_output=True, text=True)
        if p.returncode not in (0, 1):
            print("rg_patterns: rg rejects %s as a whole: %s" % (name, p.stderr.strip()[-300:]),
                  file=sys.stderr)
            sys.exit(1)
    print("rules=%d rg_default=%d rg_pcre2=%d not_expressible_default=%d not_expressible_pcre2=%d"
          % (total, len(ok), len(okp), total - len(ok), total - len(okp)))
    if total == 0:
        print("rg_patterns: no patterns found under %s" % a.rules, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
