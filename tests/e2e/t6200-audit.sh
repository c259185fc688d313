#!/bin/sh
# t6200: audit events (leakhound.audit/v1): from dir and stdin scans, to a file, to standard output
# and to syslog, from the config's audit_log; a real rejected push to a bare repository leaves one
# push.rejected event without the secret; 8 concurrent writers append to one log without
# interleaving. Every event is validated against schemas/audit.schema.json.
. "$(dirname "$0")/lib.sh"

# Only the GitHub rules, so that counts do not depend on the generic rules of the built-in pack.
GHRULES="--no-builtin-rules --rules $LH_SOURCE_DIR/rules/github.yml"
# shellcheck disable=SC2086
leakhound() { "$LEAKHOUND" "$@" $GHRULES; }

SCHEMA="$LH_SOURCE_DIR/schemas/audit.schema.json"
GH=$(github_token "Zq3xVb7TnLw2Pk9RsYd4Hf6Jm8Cg1A")
GH_PREFIX=$(printf %s "$GH" | cut -c1-8)

# Validates every line of a JSON Lines audit log against the schema; prints the events' names.
validate_log() {
    python3 - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
n = 0
for i, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
    assert line.endswith("\n"), "line %d is not terminated" % i
    ev = json.loads(line)
    errs = sorted(v.iter_errors(ev), key=str)
    assert not errs, "line %d: %s" % (i, errs[0])
    print(ev["event"])
    n += 1
assert n > 0, "empty log"
PY
}

# Prints one field (dotted path) of line N (1-based) of a log.
field() {
    python3 -c '
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])-1]
for k in sys.argv[3].split("."):
    ev = ev[int(k)] if isinstance(ev, list) else ev[k]
print(json.dumps(ev) if not isinstance(ev, str) else ev)' "$1" "$2" "$3"
}

mkdir -p tree clean
printf 'GITHUB = "%s"\n' "$GH" >tree/config.py
printf 'GITHUB = "%s"  # leakhound:allow\n' "$GH" >tree/allowed.py
printf 'nothing here\n' >clean/readme.txt

t_dir_event() {
    expect_exit 1 leakhound dir tree --audit-log audit.jsonl
    test "$(wc -l <audit.jsonl)" -eq 1
    validate_log audit.jsonl >events
    grep_q '^scan.completed$' events
    test "$(field audit.jsonl 1 mode)" = dir
    test "$(field audit.jsonl 1 exit_code)" = 1
    test "$(field audit.jsonl 1 counts.findings)" = 1
    test "$(field audit.jsonl 1 findings.0.rule_id)" = github.pat.classic
    test "$(field audit.jsonl 1 suppressed.inline-allow)" = 1
    test "$(field audit.jsonl 1 suppressed.total)" = 1
    fp=$(field audit.jsonl 1 findings.0.fingerprint)
    want=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(b"github.pat.classic\0"+sys.argv[1].encode()).hexdigest())' "$GH")
    test "$fp" = "$want"
    # never the secret, never a redacted prefix of it
    grep_none "$GH" audit.jsonl
    grep_none "$GH_PREFIX" audit.jsonl
    grep_none 'ghp_' audit.jsonl
    # appended, not overwritten
    expect_exit 0 leakhound dir clean --audit-log audit.jsonl
    test "$(wc -l <audit.jsonl)" -eq 2
    test "$(field audit.jsonl 2 exit_code)" = 0
    test "$(field audit.jsonl 2 counts.findings)" = 0
    validate_log audit.jsonl >/dev/null
}
test_expect "dir: one scan.completed event per run, appended, fingerprints only" t_dir_event

t_stdin_stdout() {
    printf 'x = "%s"\n' "$GH" >in.txt
    expect_exit 1 leakhound stdin --audit-log - --output report.txt <in.txt
    test "$(wc -l <"$OUT")" -eq 1
    validate_log "$OUT" >events
    test "$(field "$OUT" 1 mode)" = stdin
    grep_none "$GH_PREFIX" "$OUT"
    grep_q 'github' report.txt
}
test_expect "stdin: --audit-log - writes the event to standard output" t_stdin_stdout

t_env_context() {
    export GL_PROJECT_PATH=group/app GL_USERNAME=alice GL_PROTOCOL=ssh
    expect_exit 1 leakhound stdin --audit-log env.jsonl <in.txt
    unset GL_PROJECT_PATH GL_USERNAME GL_PROTOCOL
    test "$(field env.jsonl 1 repository)" = group/app
    test "$(field env.jsonl 1 pusher)" = alice
    test "$(field env.jsonl 1 protocol)" = ssh
    export GITHUB_REPO_NAME=org/app GITHUB_USER_LOGIN=bob
    expect_exit 1 leakhound stdin --audit-log env.jsonl <in.txt
    unset GITHUB_REPO_NAME GITHUB_USER_LOGIN
    test "$(field env.jsonl 2 repository)" = org/app
    test "$(field env.jsonl 2 pusher)" = bob
    expect_exit 1 leakhound stdin --audit-log env.jsonl <in.txt
    test "$(field env.jsonl 3 pusher)" = "$(id -un)"
    validate_log env.jsonl >/dev/null
}
test_expect "repository, pusher and protocol come from GitLab / GitHub variables, else the OS" t_env_context

t_config_audit_log() {
    cp -r tree cfg
    printf 'audit_log: logs/audit.jsonl\n' >cfg/.leakhound.yml
    mkdir cfg/logs
    expect_exit 1 leakhound dir cfg
    test "$(wc -l <cfg/logs/audit.jsonl)" -eq 1
    # the command line wins over the repository config
    expect_exit 1 leakhound dir cfg --audit-log cli.jsonl
    test "$(wc -l <cfg/logs/audit.jsonl)" -eq 1
    test "$(wc -l <cli.jsonl)" -eq 1
}
test_expect "audit_log in .leakhound.yml, relative to the config" t_config_audit_log

t_syslog_and_failure() {
    expect_exit 1 leakhound stdin --audit-log syslog <in.txt
    # an unwritable log is a warning; the decision stands
    expect_exit 1 leakhound stdin --audit-log "$TRASH/no/such/dir/a.jsonl" <in.txt
    grep_q 'audit log: .*cannot open the audit log' "$ERR"
}
test_expect "syslog destination; an unwritable log warns without changing the exit status" t_syslog_and_failure

t_concurrent_writers() {
    # 60 distinct tokens per input make every event longer than PIPE_BUF (4 KiB)
    python3 - >many.txt <<'PY'
import zlib, random
d = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
r = random.Random(1)
for i in range(60):
    body = "".join(r.choice(d) for _ in range(30))
    c = zlib.crc32(body.encode()) & 0xffffffff
    s = ""
    for _ in range(6):
        s = d[c % 62] + s
        c //= 62
    print('t%d = "%s"' % (i, "ghp" + "_" + body + s))
PY
    # Each run has findings, so it exits 1 (which, under set -e, used to end a writer after its
    # first run); any other status fails the writer, and each writer's status is checked.
    i=0
    pids=
    while [ $i -lt 8 ]; do
        (
            k=0
            while [ $k -lt 15 ]; do
                st=0
                # shellcheck disable=SC2086
                "$LEAKHOUND" stdin --audit-log shared.jsonl -q --output /dev/null $GHRULES <many.txt || st=$?
                [ "$st" -eq 1 ] || { echo "writer $i, run $k: exit $st (expected 1)"; exit 1; }
                k=$((k + 1))
            done
        ) &
        pids="$pids $!"
        i=$((i + 1))
    done
    for p in $pids; do
        wait "$p"
    done
    n=$(wc -l <shared.jsonl)
    [ "$n" -eq 120 ] || { echo "expected 120 events, got $n"; exit 1; }
    test "$(validate_log shared.jsonl | sort -u)" = scan.completed
    python3 -c '
import json,sys
for l in open(sys.argv[1]):
    ev = json.loads(l)
    assert len(l) > 4096, len(l)
    assert ev["counts"]["findings"] == 60, ev["counts"]
' shared.jsonl
}
test_expect "8 concurrent writers append whole lines to one log" t_concurrent_writers

# ---- a real push to a bare repository --------------------------------------------------------

t_rejected_push() {
    git init -q --bare server.git
    cat >server.git/hooks/pre-receive <<EOF
#!/bin/sh
exec "$LEAKHOUND" pre-receive --audit-log "$TRASH/server-audit.jsonl" $GHRULES
EOF
    chmod +x server.git/hooks/pre-receive
    git clone -q "file://$TRASH/server.git" work 2>/dev/null
    (
        cd work &&
            printf 'hello\n' >README && git add README && git commit -q -m init &&
            git push -q origin main
    ) >push1.log 2>&1
    test "$(wc -l <server-audit.jsonl)" -eq 1
    test "$(field server-audit.jsonl 1 event)" = push.accepted
    (
        cd work &&
            printf 'GITHUB = "%s"\n' "$GH" >config.py && git add config.py &&
            git commit -q -m "add config" &&
            ! git push origin main
    ) >push2.log 2>&1 || { cat push2.log; return 1; }
    grep_q 'push rejected' push2.log
    test "$(wc -l <server-audit.jsonl)" -eq 2
    validate_log server-audit.jsonl >events
    test "$(sed -n 2p events)" = push.rejected
    test "$(field server-audit.jsonl 2 mode)" = pre-receive
    # no GL_PROJECT_PATH / GITHUB_REPO_NAME: the repository is the bare repository's path
    srv=$(cd server.git && pwd -P)
    test "$(field server-audit.jsonl 2 repository)" = "$srv"
    test "$(field server-audit.jsonl 2 repository_path)" = "$srv"
    test "$(field server-audit.jsonl 2 refs.0.name)" = refs/heads/main
    test "$(field server-audit.jsonl 2 refs.0.new)" = "$(git -C work rev-parse HEAD)"
    test "$(field server-audit.jsonl 2 refs.0.old)" = "$(git -C work rev-parse HEAD~1)"
    test "$(field server-audit.jsonl 2 counts.commits)" = 1
    test "$(field server-audit.jsonl 2 findings.0.rule_id)" = github.pat.classic
    test "$(field server-audit.jsonl 2 exit_code)" = 1
    grep_none "$GH" server-audit.jsonl
    grep_none "$GH_PREFIX" server-audit.jsonl
    # the server kept its old ref
    test "$(git -C server.git rev-parse main)" = "$(git -C work rev-parse HEAD~1)"
}
t_bypassed_push() {
    # the server config allows bypasses; the push asks for one: it passes, and that is recorded
    git init -q --bare bypass.git
    git -C bypass.git config receive.advertisePushOptions true
    printf 'hook:\n  allow_bypass: true\n' >server.yml
    cat >bypass.git/hooks/pre-receive <<HOOK
#!/bin/sh
exec "$LEAKHOUND" pre-receive --server-config "$TRASH/server.yml" --audit-log "$TRASH/bypass-audit.jsonl" $GHRULES
HOOK
    chmod +x bypass.git/hooks/pre-receive
    git -C work push -q "file://$TRASH/bypass.git" HEAD~1:refs/heads/main 2>/dev/null
    (cd work && git push -o leakhound.skip "file://$TRASH/bypass.git" main) >push3.log 2>&1 ||
        { cat push3.log; return 1; }
    test "$(git -C bypass.git rev-parse main)" = "$(git -C work rev-parse HEAD)"
    validate_log bypass-audit.jsonl >events
    test "$(sed -n 2p events)" = push.bypassed
    test "$(field bypass-audit.jsonl 2 exit_code)" = 0
    test "$(field bypass-audit.jsonl 2 findings.0.rule_id)" = github.pat.classic
    field bypass-audit.jsonl 2 message | grep -q 'leakhound.skip'
    grep_none "$GH_PREFIX" bypass-audit.jsonl
    # without the server's permission the same request is refused
    printf 'hook:\n  allow_bypass: false\n' >server.yml
    git -C bypass.git update-ref refs/heads/main "$(git -C work rev-parse HEAD~1)"
    (cd work && ! git push -o leakhound.skip "file://$TRASH/bypass.git" main) >push4.log 2>&1 ||
        { cat push4.log; return 1; }
    test "$(field bypass-audit.jsonl 3 event)" = push.rejected
}

if "$LEAKHOUND" pre-receive --help >/dev/null 2>&1; then
    test_expect "a rejected push leaves one push.rejected event without the secret" t_rejected_push
    test_expect "a bypass the server config allows is recorded as push.bypassed" t_bypassed_push
fi

test_done
