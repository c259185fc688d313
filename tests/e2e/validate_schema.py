#!/usr/bin/env python3
"""validate_schema.py SCHEMA [--jsonl] FILE... - validates JSON documents (or every line of a JSON
Lines file: one named *.jsonl, or any with --jsonl) against a JSON Schema. The validator class follows the schema's own "$schema"
(draft-04 for SARIF 2.1.0, draft-07 for GitLab's report, 2020-12 for leakhound's), and every error
is printed with its path. Exits 1 on any invalid document, 2 on usage errors."""
import json
import sys

import jsonschema


def main(argv):
    jsonl = "--jsonl" in argv
    args = [a for a in argv[1:] if a != "--jsonl"]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for path in args[1:]:
        with open(path, encoding="utf-8") as f:  # strict: output must be valid UTF-8
            text = f.read()
        lines = jsonl or path.endswith(".jsonl")
        docs = [json.loads(l) for l in text.splitlines()] if lines else [json.loads(text)]
        if not docs:
            print(f"{path}: empty", file=sys.stderr)
            bad += 1
        for i, doc in enumerate(docs):
            for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                if err.context:  # oneOf/anyOf: say which branch came closest and why it failed
                    err = jsonschema.exceptions.best_match(err.context)
                where = "/".join(str(p) for p in err.absolute_path)
                print(f"{path}:{i + 1}: {cls.__name__}: at /{where}: {err.message[:300]}",
                      file=sys.stderr)
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
