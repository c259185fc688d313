#!/bin/sh
# t7900: no secret in any log. A corpus of planted secrets is scanned in every mode (dir, stdin,
# pre-commit, git history) and every output format, with -v, --stats, extra --report files and an
# audit log, and every byte written is searched:
#   - reports (stdout, -o and --report files) may carry the redacted form, a prefix of at most 4
#     characters (design.md), so they must not hold the secret nor any 5-character prefix of it;
#   - logs (standard error under -v/--stats, the audit log) must hold neither the secret nor its
#     4-character redacted prefix;
#   - with --show-secrets the report does hold the secret (so the search can see one), and the logs
#     still do not.
. "$(dirname "$0")/lib.sh"

# Planted secrets, assembled at run time. Each one's first four characters are distinctive, so a
# 4-character prefix found in a log really is a leak (not a provider prefix such as "ghp_").
GH=$(github_token "Nl7wQz3RkVx8Tb2MpYd5Hf9Jc4Ga1E")
PW="Zq8vKt""3xWm7Rb2NpLs9Y"
AKID="AKIA""Q3WZ7RJX2M5T4KHN"
ASECRET="Xk7Gq2Vx9Lm4Rt8Zp3Wc6Yb1Nf5Hs0Jd"'/'"Ue2Ti"
SLACK="xoxb-""2345678901-3456789012-Rk8Zq3Vx7Tb2Lm9Pw4Yd6Hf1"

mkdir -p corpus/src corpus/deploy
cat >corpus/src/settings.py <<EOF
GITHUB_TOKEN = "$GH"
DB_PASSWORD = "$PW"
EOF
cat >corpus/deploy/aws.env <<EOF
AWS_ACCESS_KEY_ID=$AKID
AWS_SECRET_ACCESS_KEY=$ASECRET
SLACK_BOT_TOKEN=$SLACK
EOF
SECRETS="$GH $PW $AKID $ASECRET $SLACK"
prefix() { printf '%s' "$1" | cut -c1-"$2"; }

# check_report FILE: no secret, no prefix longer than the 4 characters the redaction allows
check_report() {
    for s in $SECRETS; do
        if grep -F -q -e "$(prefix "$s" 5)" "$1"; then
            echo "report $1 holds more than 4 characters of a secret ($(prefix "$s" 5)...):"
            cat "$1"
            return 1
        fi
    done
}
# check_log FILE: not even the 4-character redacted prefix
check_log() {
    for s in $SECRETS; do
        case $s in ghp_* | AKIA* | xoxb*) p=$(prefix "$s" 8) ;; *) p=$(prefix "$s" 4) ;; esac
        # for provider-prefixed tokens the first 4 characters are the provider's, not the secret's:
        # search for the 4 characters after the provider prefix instead
        case $s in ghp_* | AKIA* | xoxb*) p=$(printf '%s' "$p" | cut -c5-8) ;; esac
        if grep -F -q -e "$p" "$1"; then
            echo "log $1 holds a secret's redacted prefix ($p):"
            cat "$1"
            return 1
        fi
        if grep -F -q -e "$s" "$1"; then
            echo "log $1 holds a secret"
            return 1
        fi
    done
}

t_sanity() {
    # the planted secrets are found, and --show-secrets shows them: the search below can fail
    expect_exit 1 leakhound dir corpus --show-secrets -f jsonl
    for s in "$GH" "$AKID" "$SLACK"; do grep -F -q -e "$s" "$OUT" || { echo "not found: $s"; cat "$OUT"; false; }; done
    # and the checkers do see what they look for
    if check_log "$OUT" >/dev/null; then echo "check_log missed a revealed secret"; false; fi
    if check_report "$OUT" >/dev/null; then echo "check_report missed a revealed secret"; false; fi
}
test_expect "the planted corpus is found, and --show-secrets reveals it" t_sanity

t_dir_all_formats() {
    for fmt in text json jsonl sarif gitlab; do
        expect_exit 1 leakhound dir corpus -f "$fmt" -v --stats --audit-log "$TRASH/audit-$fmt.jsonl" \
            --report "json=$TRASH/rep-$fmt.json" --report "sarif=$TRASH/rep-$fmt.sarif" \
            -o "$TRASH/main-$fmt.out"
        check_report "$TRASH/main-$fmt.out"
        check_report "$TRASH/rep-$fmt.json"
        check_report "$TRASH/rep-$fmt.sarif"
        check_report "$OUT"
        check_log "$ERR"
        test -s "$TRASH/audit-$fmt.jsonl"
        check_log "$TRASH/audit-$fmt.jsonl"
    done
}
test_expect "dir, every format, -v, --stats, --report, audit log: no secret in any byte" t_dir_all_formats

t_stdin() {
    for fmt in text jsonl sarif; do
        expect_exit 1 leakhound stdin -f "$fmt" -v --stats --audit-log "$TRASH/audit-stdin.jsonl" \
            <corpus/deploy/aws.env
        check_report "$OUT"
        check_log "$ERR"
    done
    check_log "$TRASH/audit-stdin.jsonl"
}
test_expect "stdin: no secret in reports, logs or the audit log" t_stdin

t_show_secrets_logs() {
    expect_exit 1 leakhound dir corpus --show-secrets -v --stats --audit-log "$TRASH/audit-show.jsonl"
    grep -F -q -e "$GH" "$OUT"
    check_log "$ERR"
    check_log "$TRASH/audit-show.jsonl"
}
test_expect "--show-secrets reveals in the report only, never in logs" t_show_secrets_logs

t_git_modes() {
    git init -q repo
    cp -r corpus/src corpus/deploy repo/
    cd repo
    git add src deploy
    expect_exit 1 leakhound pre-commit -v --stats --audit-log "$TRASH/audit-pc.jsonl"
    check_report "$OUT"
    check_log "$ERR"
    check_log "$TRASH/audit-pc.jsonl"
    git commit -q -m "add config" --no-verify
    # a secret in a commit message too
    git commit -q --allow-empty -m "rotate: old token was $SLACK"
    for fmt in text json sarif gitlab; do
        expect_exit 1 leakhound git . --all -f "$fmt" -v --stats --audit-log "$TRASH/audit-git.jsonl"
        check_report "$OUT"
        check_log "$ERR"
    done
    check_log "$TRASH/audit-git.jsonl"
    cd "$TRASH"
}
test_expect "pre-commit and history scans: no secret in reports, logs or the audit log" t_git_modes

t_error_paths() {
    # error messages about bad inputs that hold secrets must not echo them
    printf 'allow:\n  - secret: "%s("\n    reason: r\n' "$PW" >bad-config.yml
    expect_exit 2 leakhound dir corpus --config bad-config.yml -v
    check_log "$ERR"
    printf '%s %s refs/heads/x\n' "$GH" "$AKID" >bad-stdin
    (git init -q --bare srv.git && cd srv.git && expect_exit 2 leakhound pre-receive <../bad-stdin && check_log "$ERR")
}
test_expect "error paths on inputs holding secrets do not echo them" t_error_paths

test_done
