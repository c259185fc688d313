#!/usr/bin/env python3
"""
score.py TRUTH FILES_JSONL GIT_JSONL - recall, precision and F1 of leakhound on the accuracy corpus.

A finding is a true positive when a planted secret in the same scope (files: the `dir` scan;
git: the `git --all` scan) sits on the finding's path and first line and the finding's rule family
(the first dotted part of the rule id: aws, github, generic, private-key, ...) is the secret's family
or one of the families the truth accepts for it. Several findings on one planted secret count once
for recall; extra ones of an accepted family are not false positives (they are right, only
redundant), and they are counted as duplicates. Any other finding is a false positive; when it lands
on a decoy line the decoy's kind is named.

Prints a table per rule family and the overall figures, lists every miss, false positive and
duplicate, and exits 1 when overall recall or precision is below the thresholds (default 0.95 each)
or when there are more duplicates than allowed (default 0: one secret at one place is one finding).
"""
import argparse
import collections
import json
import os
import sys


def load_findings(path, scope, root):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            d = json.loads(line)
            if not d.get("schema", "").startswith("leakhound.finding/"):
                continue
            p = d["path"]
            if root and p.startswith(root + "/"):
                p = p[len(root) + 1:]
            while p.startswith("./"):
                p = p[2:]
            out.append({"scope": scope, "path": p, "line": d["line_start"], "rule": d["rule_id"],
                        "family": d["rule_id"].split(".")[0], "commit": d.get("commit"),
                        "confidence": d.get("confidence")})
    return out


def ratio(a, b):
    return a / b if b else 1.0


def f1(p, r):
    return 2 * p * r / (p + r) if p + r else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth")
    ap.add_argument("files_jsonl")
    ap.add_argument("git_jsonl")
    ap.add_argument("--files-root", default="", help="prefix to strip from paths of the dir scan")
    ap.add_argument("--min-recall", type=float, default=0.95)
    ap.add_argument("--min-precision", type=float, default=0.95)
    ap.add_argument("--max-duplicates", type=int, default=0)
    args = ap.parse_args()

    with open(args.truth) as fh:
        truth = json.load(fh)
    secrets = truth["secrets"]
    decoys = truth["decoys"]
    findings = (load_findings(args.files_jsonl, "files", args.files_root.rstrip("/")) +
                load_findings(args.git_jsonl, "git", ""))

    by_loc = collections.defaultdict(list)
    for i, s in enumerate(secrets):
        by_loc[(s["scope"], s["path"], s["line"])].append(i)
    found = [False] * len(secrets)
    fam = collections.defaultdict(lambda: {"tp": 0, "fn": 0, "fp": 0, "dup": 0})
    fps, dups, dup_list = [], 0, []

    for f in findings:
        hit = None
        for i in by_loc.get((f["scope"], f["path"], f["line"]), []):
            s = secrets[i]
            if f["family"] == s["family"] or f["family"] in s["accept"]:
                hit = i
                if not found[i]:
                    break
        if hit is None:
            fam[f["family"]]["fp"] += 1
            fps.append(f)
        elif found[hit]:
            fam[secrets[hit]["family"]]["dup"] += 1
            dups += 1
            dup_list.append(f)
        else:
            found[hit] = True
    for i, s in enumerate(secrets):
        fam[s["family"]]["tp" if found[i] else "fn"] += 1

    def decoy_at(f):
        for d in decoys:
            if d["scope"] == f["scope"] and d["path"] == f["path"] and d["line"] <= f["line"] <= d["line_end"]:
                return d["kind"]
        return None

    print("%-20s %5s %5s %5s %5s %7s %7s %7s" % ("family", "TP", "FN", "FP", "dup", "recall", "prec", "F1"))
    for name in sorted(fam):
        v = fam[name]
        r = ratio(v["tp"], v["tp"] + v["fn"])
        p = ratio(v["tp"], v["tp"] + v["fp"])
        print("%-20s %5d %5d %5d %5d %7.3f %7.3f %7.3f" % (name, v["tp"], v["fn"], v["fp"], v["dup"], r, p, f1(p, r)))
    tp = sum(v["tp"] for v in fam.values())
    fn = sum(v["fn"] for v in fam.values())
    fp = sum(v["fp"] for v in fam.values())
    recall, precision = ratio(tp, tp + fn), ratio(tp, tp + fp)
    print("%-20s %5d %5d %5d %5d %7.3f %7.3f %7.3f" % ("OVERALL", tp, fn, fp, dups, recall, precision,
                                                      f1(precision, recall)))
    print()
    kinds = truth.get("kinds", [])
    dkinds = sorted({d["kind"] for d in decoys})
    print("corpus: %d planted secrets of %d rule kinds (%d files, %d git); %d decoys of %d kinds"
          % (len(secrets), len(kinds), sum(s["scope"] == "files" for s in secrets),
             sum(s["scope"] == "git" for s in secrets), len(decoys), len(dkinds)))
    for i, s in enumerate(secrets):
        if not found[i]:
            print("MISS  %s:%s:%d expected %s" % (s["scope"], s["path"], s["line"], s["rule"]))
    for f in fps:
        d = decoy_at(f)
        print("FP    %s:%s:%d %s%s" % (f["scope"], f["path"], f["line"], f["rule"],
                                       " (decoy: %s)" % d if d else ""))
    for f in dup_list:
        print("DUP   %s:%s:%d %s" % (f["scope"], f["path"], f["line"], f["rule"]))
    ok = recall >= args.min_recall and precision >= args.min_precision and dups <= args.max_duplicates
    print("%s: recall %.3f (min %.2f), precision %.3f (min %.2f), F1 %.3f, duplicates %d (max %d)"
          % ("PASS" if ok else "FAIL", recall, args.min_recall, precision, args.min_precision,
             f1(precision, recall), dups, args.max_duplicates))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
