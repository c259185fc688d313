#!/usr/bin/env python3
"""density.py - how often a corpus shows what makes secret scanning slow, per MB (10^6 bytes).

The engine's cost on a text grows with what its rules' literals and triggers meet: credential
words (token, secret, password, ...), assignments to credential-like names, URLs, long hex and
base64 runs. This prints those densities for each corpus given, so that the synthetic corpus
(gen_corpus.py --profile source) can be compared with real source text (real_corpus.sh) and the
secret-dense stress profile (--profile dense). Counts are over bytes, case-insensitive where the
engine's rules are.

Usage: density.py CORPUS_FILE...
"""

import re
import sys

METRICS = [
    ("cred-words", rb"(?i)token|secret|passw(?:or)?d|api[_.-]?key|credential"),
    ("cred-assign", rb"(?i)(?:password|passwd|secret|token|api[_.-]?key)[A-Za-z0-9_.-]*[\"']?[ \t]*[:=]"),
    ("urls", rb"://"),
    ("hex32", rb"\b[0-9a-f]{32,}\b"),
    ("base64-40", rb"[A-Za-z0-9+/]{40,}={0,2}"),
    ("uuid", rb"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    print("%-40s %8s" % ("corpus", "MB") + "".join(" %11s" % m[0] for m in METRICS))
    pats = [(name, re.compile(rx)) for name, rx in METRICS]
    for path in sys.argv[1:]:
        data = open(path, "rb").read()
        mb = len(data) / 1e6
        row = "%-40s %8.1f" % (path[-40:], mb)
        for _, rx in pats:
            row += " %11.1f" % (sum(1 for _ in rx.finditer(data)) / mb)
        print(row)


if __name__ == "__main__":
    main()
