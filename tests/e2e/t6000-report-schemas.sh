#!/bin/sh
# t6000: every machine format the CLI writes is valid against its schema: json and jsonl against
# schemas/finding.schema.json (draft 2020-12), SARIF against the OASIS SARIF 2.1.0 schema (draft-04),
# GitLab against the secret-detection report format 15.2.4 (draft-07); with and without findings,
# with hostile paths (control bytes, invalid UTF-8, spaces, '%'), from files and from git history;
# no secret in any of them unless --show-secrets; and the unit tests' golden files validate too.
# The external schemas are read where CI puts them ($LH_SCHEMAS, or ../shared/schemas beside the
# repository); none is copied into the repository.
. "$(dirname "$0")/lib.sh"

SCHEMAS=${LH_SCHEMAS:-$LH_SOURCE_DIR/../shared/schemas}
SARIF_SCHEMA=$SCHEMAS/sarif-schema-2.1.0.json
GITLAB_SCHEMA=$SCHEMAS/gitlab-secret-detection-report-format.json
FINDING_SCHEMA=$LH_SOURCE_DIR/schemas/finding.schema.json
VALIDATE="python3 $LH_SOURCE_DIR/tests/e2e/validate_schema.py"

t_prereq() {
    test -r "$SARIF_SCHEMA" || { echo "missing $SARIF_SCHEMA (set LH_SCHEMAS)"; return 1; }
    test -r "$GITLAB_SCHEMA" || { echo "missing $GITLAB_SCHEMA (set LH_SCHEMAS)"; return 1; }
    python3 -c 'import jsonschema' || { echo "python3-jsonschema is not installed"; return 1; }
}
test_expect "the schemas and python3-jsonschema are at hand" t_prereq

# Planted secrets, assembled at run time so this script holds none.
GH=$(github_token "Zq3xVb7TnLw2Pk9RsYd4Hf6Jm8Cg1A")
GH2=$(github_token "Hs5nQw8RtYu2Io4Pa6Sd9Fg1Jk3Lz7")
AKID="AKIA""Q3WZ7RJX2M5T4KHN"
mkdir -p tree/src "tree/we ird" clean
printf '# settings\nAWS_ACCESS_KEY_ID = "%s"\nGITHUB = "%s"\n' "$AKID" "$GH" >tree/src/config.py
printf 'k = "%s"\n' "$GH2" >"tree/we ird/100% $(printf 'caf\351\033[31m')x.txt"
printf 'nothing to see here\n' >clean/readme.txt

# validate FILE...: checks each file against the schema its name says: *.json and *.jsonl against
# finding.schema.json, *.sarif against SARIF, *.gitlab against GitLab's (one python run per schema)
validate() {
    fj=
    fs=
    fg=
    for f in "$@"; do
        case $f in
        *.sarif) fs="$fs $f" ;;
        *.gitlab) fg="$fg $f" ;;
        *) fj="$fj $f" ;;
        esac
    done
    # word splitting is wanted: the names made here have no spaces
    if [ -n "$fj" ]; then $VALIDATE "$FINDING_SCHEMA" $fj || return 1; fi
    if [ -n "$fs" ]; then $VALIDATE "$SARIF_SCHEMA" $fs || return 1; fi
    if [ -n "$fg" ]; then $VALIDATE "$GITLAB_SCHEMA" $fg || return 1; fi
}

# scan NAME EXIT ARGS...: runs leakhound ARGS in every machine format into NAME.<format>, checks
# the exit status, and that no secret and no raw escape byte is in any output
scan() {
    name=$1
    want=$2
    shift 2
    for fmt in json jsonl sarif gitlab; do
        expect_exit "$want" leakhound "$@" --format "$fmt" || return 1
        cp "$OUT" "$name.$fmt"
        if [ "$name" = "${name%-shown}" ]; then
            grep_none "$GH" "$OUT" || return 1
            grep_none "$GH2" "$OUT" || return 1
            grep_none "$AKID" "$OUT" || return 1
        fi
        grep_none "$(printf '\033')" "$OUT" || return 1
    done
}

t_dir_formats() {
    scan dir 1 dir tree
    validate dir.json dir.jsonl dir.sarif dir.gitlab
}
test_expect "dir: json, jsonl, sarif and gitlab validate, no secret in any" t_dir_formats

t_dir_show_secrets() {
    scan dir-shown 1 dir tree --show-secrets
    validate dir-shown.json dir-shown.jsonl dir-shown.sarif dir-shown.gitlab
    grep_q "$GH" dir-shown.jsonl
}
test_expect "dir --show-secrets: every format still validates" t_dir_show_secrets

t_clean_formats() {
    scan clean 0 dir clean
    validate clean.json clean.jsonl clean.sarif clean.gitlab
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["vulnerabilities"]==[] and d["scan"]["status"]=="success", d' clean.gitlab
}
test_expect "a clean scan validates in every format" t_clean_formats

t_reports_in_one_run() {
    expect_exit 1 leakhound dir tree --format text --report sarif=out.sarif \
        --report gitlab=out.gitlab --report json=out.json --report jsonl=out.jsonl
    validate out.sarif out.gitlab out.json out.jsonl
    python3 - out.sarif out.json out.gitlab <<'PY'
import json, sys
sarif, doc, gl = (json.load(open(p)) for p in sys.argv[1:4])
run = sarif["runs"][0]
res, rules = run["results"], run["tool"]["driver"]["rules"]
recs = doc["findings"]
assert len(res) == len(recs) == len(gl["vulnerabilities"]) >= 2, (len(res), len(recs))
for r, f in zip(res, recs):
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"] == f["rule_id"]
    assert r["partialFingerprints"]["leakhound/v1"] == f["fingerprint"]
    reg = r["locations"][0]["physicalLocation"]["region"]
    assert reg["startLine"] == f["line_start"] and reg["startColumn"] == f["col_start"], (reg, f)
    assert reg["endColumn"] == f["col_end"] + 1, (reg, f)
uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in res]
assert "tree/src/config.py" in uris, uris
assert "tree/we%20ird/100%25%20caf%E9%1B%5B31mx.txt" in uris, uris
ids = [v["id"] for v in gl["vulnerabilities"]]
assert len(set(ids)) == len(ids), ids
for v in gl["vulnerabilities"]:
    assert v["location"]["commit"]["sha"] == "0" * 40, v
PY
}
test_expect "--report writes several formats at once; they agree on rules, fingerprints, regions" \
    t_reports_in_one_run

t_git_history() {
    git init -q repo
    printf 'GITHUB = "%s"\n' "$GH" >repo/app.cfg
    git -C repo add app.cfg
    git -C repo commit -q -m "add config"
    git -C repo rm -q app.cfg
    git -C repo commit -q -m "remove config"
    scan hist 1 git repo --all
    validate hist.json hist.jsonl hist.sarif hist.gitlab
    sha=$(git -C repo rev-parse HEAD~1)
    grep_q "\"sha\": \"$sha\"" hist.gitlab
    python3 -c '
import json,sys
f=json.loads(open(sys.argv[1]).readline())
assert f["commit"]==sys.argv[2] and f["source"]=="commit", f
assert f["author"]=="A U Thor" and f["author_email"]=="author@example.com", f
assert f["date"] and f["date"].startswith("2005-04-07"), f' hist.jsonl "$sha"
}
test_expect "git history: commit, author and date validate in every format" t_git_history

t_goldens() {
    g=$LH_SOURCE_DIR/tests/data/golden
    $VALIDATE "$FINDING_SCHEMA" "$g"/report.json "$g"/report-secrets.json "$g"/empty.json
    $VALIDATE "$FINDING_SCHEMA" --jsonl "$g"/report.jsonl "$g"/report-secrets.jsonl "$g"/empty.jsonl
    $VALIDATE "$SARIF_SCHEMA" "$g"/report.sarif "$g"/report-secrets.sarif "$g"/empty.sarif
    $VALIDATE "$GITLAB_SCHEMA" "$g"/report.gitlab.json "$g"/report-secrets.gitlab.json \
        "$g"/empty.gitlab.json
}
test_expect "the unit tests' golden reports validate (NUL, invalid UTF-8, control bytes)" t_goldens

t_validator_rejects() {
    # the validation above can fail: a record without its fingerprint does not pass
    expect_exit 1 leakhound dir tree --format json
    sed 's/"fingerprint"/"fingerprnt"/' "$OUT" >broken.json
    if $VALIDATE "$FINDING_SCHEMA" broken.json 2>err.txt; then
        echo "a broken record validated"
        return 1
    fi
    grep_q 'fingerprint' err.txt
}
test_expect "a broken report is rejected by the validator" t_validator_rejects

test_done
