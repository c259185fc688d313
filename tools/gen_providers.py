#!/usr/bin/env python3
"""Generates docs/providers.md, the list of providers and rules in the built-in pack (rules/*.yml).

Usage: tools/gen_providers.py [--check] [RULES_DIR] [OUTPUT]

The provider is the first dotted component of a rule id (aws.access-key-id -> aws). With --check,
nothing is written: the script exits 1 when OUTPUT is not what it would generate, so CI can tell
that the listing is stale.

Rule cost: every rule needs a literal anchor, a string of at least MIN_ANCHOR bytes (or a small set
of such strings) that every match contains, so Hyperscan's literal prefilter only wakes the rule
where it can match. The anchor is computed from the pattern (the keywords field is not trusted for
this) and listed in the table. A rule without one must be named in UNANCHORED with the reason; it
is then marked "unanchored" in the table and measured by `bench/bench_engine --rule-cost`. An
unanchored rule missing from UNANCHORED, or a stale UNANCHORED entry, is an error in both modes.
"""
import argparse
import glob
import os
import re
import sys

import yaml

try:  # Python >= 3.11
    import re._constants as sre_c
    import re._parser as sre_p
except ImportError:  # pragma: no cover
    import sre_constants as sre_c
    import sre_parse as sre_p

MIN_ANCHOR = 3
MAX_ALTERNATIVES = 16

# Rules that cannot have a literal anchor of MIN_ANCHOR bytes, and why.
UNANCHORED = {
    "asana.pat": "the documented format is digits, '/', digits, ':', 32 hex digits: no fixed literal "
                 "longer than 2 bytes ('1/', '2/')",
}

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def load(rules_dir):
    rules = []
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.yml"))):
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        for r in doc.get("rules", []):
            rules.append((os.path.basename(path), r))
    return rules


def _pcre_to_python(pattern):
    """The PCRE2 constructs the pack uses that Python's parser spells differently."""
    pattern = re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", r"(?P<\1>", pattern)
    return pattern.replace(r"[^\0]", r"[\s\S]")


def _fixed(op, av):
    """The strings a node always matches, when that is a small fixed set; None otherwise."""
    if op is sre_c.LITERAL:
        return [chr(av)]
    if op is sre_c.AT:  # \b, ^, $: zero width, does not break a literal run
        return [""]
    if op is sre_c.IN:
        chars = []
        for o, v in av:
            if o is sre_c.LITERAL:
                chars.append(chr(v))
            elif o is sre_c.RANGE and v[1] - v[0] < MAX_ALTERNATIVES:
                chars.extend(chr(c) for c in range(v[0], v[1] + 1))
            else:
                return None
        return chars if len(chars) <= MAX_ALTERNATIVES else None
    if op is sre_c.SUBPATTERN:
        return _fixed_seq(list(av[-1]))
    if op is sre_c.BRANCH:
        out = []
        for alt in av[1]:
            f = _fixed_seq(list(alt))
            if f is None:
                return None
            out.extend(f)
        return out if len(out) <= MAX_ALTERNATIVES else None
    if op is sre_c.MAX_REPEAT or op is sre_c.MIN_REPEAT:
        lo, hi, sub = av
        if lo == hi == 1:
            return _fixed_seq(list(sub))
    return None


def _fixed_seq(items):
    cur = [""]
    for op, av in items:
        f = _fixed(op, av)
        if f is None or len(cur) * len(f) > MAX_ALTERNATIVES:
            return None
        cur = [a + b for a in cur for b in f]
    return cur


def _lead_seq(items):
    """The strings every match of a sequence starts with (cut at the first unfixed node)."""
    cur = [""]
    for op, av in items:
        f = _fixed(op, av)
        if f is None or len(cur) * len(f) > MAX_ALTERNATIVES:
            lead = _lead(op, av)
            if lead is not None and len(cur) * len(lead) <= MAX_ALTERNATIVES:
                cur = [a + b for a in cur for b in lead]
            return cur
        cur = [a + b for a in cur for b in f]
    return cur


def _lead(op, av):
    f = _fixed(op, av)
    if f is not None:
        return f
    if op is sre_c.SUBPATTERN:
        return _lead_seq(list(av[-1]))
    if op is sre_c.BRANCH:
        out = []
        for alt in av[1]:
            out.extend(_lead_seq(list(alt)))
        return out if len(out) <= MAX_ALTERNATIVES else None
    if op is sre_c.MAX_REPEAT or op is sre_c.MIN_REPEAT:
        lo, _, sub = av
        return _lead_seq(list(sub)) if lo >= 1 else None
    return None


def _better(a, b):
    if b is None:
        return a
    if a is None:
        return b
    ka, kb = (min(map(len, a)), -len(a)), (min(map(len, b)), -len(b))
    return a if ka >= kb else b


def _seq_anchor(items):
    """The best required literal set of a sequence: runs of fixed nodes, or a required sub-node's."""
    best, cur = None, [""]
    for op, av in items:
        f = _fixed(op, av)
        if f is not None and len(cur) * len(f) <= MAX_ALTERNATIVES:
            cur = [a + b for a in cur for b in f]
            continue
        if f is None:
            # the run so far followed by what the node always starts with
            lead = _lead(op, av)
            if lead is not None and len(cur) * len(lead) <= MAX_ALTERNATIVES:
                joined = [a + b for a in cur for b in lead]
                if all(joined):
                    best = _better(best, joined)
        if all(cur):
            best = _better(best, cur)
        cur = f if f is not None else [""]
        if f is None:
            best = _better(best, _node_anchor(op, av))
    if all(cur):
        best = _better(best, cur)
    return best


def _node_anchor(op, av):
    if op is sre_c.SUBPATTERN:
        return _seq_anchor(list(av[-1]))
    if op is sre_c.BRANCH:
        out = []
        for alt in av[1]:
            a = _seq_anchor(list(alt))
            if a is None:
                return None
            out.extend(a)
        return out
    if op is sre_c.MAX_REPEAT or op is sre_c.MIN_REPEAT:
        lo, _, sub = av
        return _seq_anchor(list(sub)) if lo >= 1 else None
    return None


def anchor(pattern):
    """The literal strings (any one of them) every match of pattern contains, or [] if none."""
    a = _seq_anchor(list(sre_p.parse(_pcre_to_python(pattern))))
    if not a or min(map(len, a)) < MIN_ANCHOR:
        return []
    return sorted(set(a), key=lambda x: (len(x), x))


def check_anchors(rules):
    """Error messages for unanchored rules not in UNANCHORED and for stale UNANCHORED entries."""
    errors = []
    ids = set()
    for fname, r in rules:
        ids.add(r["id"])
        has = bool(anchor(r["pattern"]))
        if not has and r["id"] not in UNANCHORED:
            errors.append(f"rules/{fname}: {r['id']}: no literal anchor of {MIN_ANCHOR}+ bytes in the "
                          "pattern; add one, or list the rule in UNANCHORED with the reason")
        if has and r["id"] in UNANCHORED:
            errors.append(f"rules/{fname}: {r['id']}: anchored, remove it from UNANCHORED")
    for rid in UNANCHORED:
        if rid not in ids:
            errors.append(f"UNANCHORED names {rid}, which is not in the pack")
    return errors


def _anchor_cell(r):
    a = anchor(r["pattern"])
    if not a:
        return "**unanchored**"
    shown = ", ".join("`%s`" % x.replace("|", "\\|").replace("`", "'") for x in a[:3])
    return shown + (f" +{len(a) - 3}" if len(a) > 3 else "")


def render(rules):
    providers = {}
    for fname, r in rules:
        providers.setdefault(r["id"].split(".", 1)[0], []).append((fname, r))
    sev = {}
    for _, r in rules:
        sev[r["severity"]] = sev.get(r["severity"], 0) + 1
    out = [
        "# Built-in rule pack: providers and rules",
        "",
        "Generated by `tools/gen_providers.py` from `rules/*.yml`; do not edit by hand.",
        "",
        f"{len(rules)} rules for {len(providers)} providers and credential kinds "
        + "(" + ", ".join(f"{sev.get(s, 0)} {s}" for s in SEVERITY_ORDER) + ").",
        "",
        "Confidence `high` means the rule is anchored on a documented token format (a prefix, a fixed",
        "structure or a checksum); `medium` needs a provider-specific name next to the value; `low` is a",
        "generic detector (a credential-like name plus entropy and placeholder checks).",
        "",
        "Anchor: the literal (or one of the literals) every match contains, computed from the pattern;",
        "Hyperscan wakes a rule only where its anchor occurs. An **unanchored** rule has none of "
        f"{MIN_ANCHOR}+ bytes",
        "(see UNANCHORED in the generator for why) and its cost is measured by",
        "`bench/bench_engine --rule-cost`.",
        "",
        "| Provider | Rule id | Name | Severity | Confidence | Validator | Anchor | File |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for prov in sorted(providers):
        items = sorted(providers[prov], key=lambda x: (SEVERITY_ORDER[x[1]["severity"]], x[1]["id"]))
        for fname, r in items:
            name = str(r["name"]).replace("|", "\\|")
            out.append(f"| {prov} | `{r['id']}` | {name} | {r['severity']} | {r['confidence']} | "
                       f"{r.get('validate') or ''} | {_anchor_cell(r)} | `rules/{fname}` |")
    return "\n".join(out) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if OUTPUT is stale, write nothing")
    ap.add_argument("rules_dir", nargs="?", default=os.path.join(root, "rules"))
    ap.add_argument("output", nargs="?", default=os.path.join(root, "docs", "providers.md"))
    args = ap.parse_args()

    rules = load(args.rules_dir)
    errors = check_anchors(rules)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    text = render(rules)
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as fh:
                current = fh.read()
        except OSError:
            current = None
        if current != text:
            print(f"{args.output} is stale: run tools/gen_providers.py", file=sys.stderr)
            return 1
        return 0
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
