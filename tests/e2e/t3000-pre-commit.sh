#!/bin/sh
# t3000: the pre-commit hook through real `git commit`s: the staged blobs (never the work tree), added
# lines only, the temporary index of `commit -a` / `commit <paths>`, `add -p`, linked worktrees.
. "$(dirname "$0")/lib.sh"
. "$LH_SOURCE_DIR/tests/e2e/gitlib.sh"

GH=$(github_token "Zq3xVb7TnLw2Pk9RsYd4Hf6Jm8Cg1A")
GH2=$(github_token "Pw8rTn2KxV5bLm9QzH3dYc6Fj1Sg4A")

git init -q repo
cd repo || exit 1
leakhound install --hook pre-commit >/dev/null || exit 1

t_install() {
    test -x .git/hooks/pre-commit
    grep_q "installed by 'leakhound install'" .git/hooks/pre-commit
    grep_q 'pre-commit "\$@"' .git/hooks/pre-commit
}
test_expect "install writes an executable shim into .git/hooks" t_install

t_first_commit_secret() {
    printf 'token = "%s"\n' "$GH" >config.py
    git add config.py
    expect_exit 1 git commit -q -m first
    grep_q 'config.py:1' "$ERR"
    grep_q 'github.pat.classic' "$ERR"
    grep_none "$GH" "$ERR"
    must_fail git rev-parse -q --verify HEAD
    git rm -q --cached config.py && rm config.py
}
test_expect "a secret in the first commit (unborn HEAD) is stopped" t_first_commit_secret

t_first_commit_clean() {
    printf 'a\nb\nc\n' >app.py
    printf 'x = 1\n' >lib.py
    git add app.py lib.py
    git commit -q -m first
    git rev-parse -q --verify HEAD >/dev/null
}
test_expect "a clean first commit goes through" t_first_commit_clean

t_commit_a() {
    printf 'a\nb\nkey = "%s"\nc\n' "$GH" >app.py
    expect_exit 1 git commit -q -a -m secret
    grep_q 'app.py:3' "$ERR"
    git checkout -q app.py
}
test_expect "git commit -a: the temporary index is scanned" t_commit_a

t_commit_paths() {
    printf 'x = "%s"\n' "$GH" >lib.py
    expect_exit 1 git commit -q -m secret lib.py
    grep_q 'lib.py:1' "$ERR"
    git checkout -q lib.py
}
test_expect "git commit <paths>: the path-limited index is scanned" t_commit_paths

t_add_p_clean_staged() {
    printf 'clean first\n' >big.txt
    seq 1 30 >>big.txt
    git add big.txt && git commit -q -m big
    { printf 'CLEAN ADDITION\n'; seq 1 30; printf 'k = "%s"\n' "$GH"; } >big.txt
    printf 'y\nn\n' | git add -p big.txt >/dev/null 2>&1
    git diff --cached >"$TRASH/staged.diff"
    grep_q 'CLEAN ADDITION' "$TRASH/staged.diff"
    grep_none 'k = ' "$TRASH/staged.diff"
    git commit -q -m partial
    git diff >"$TRASH/wt.diff"
    grep_q 'k = ' "$TRASH/wt.diff"
    git checkout -q big.txt
}
test_expect "git add -p: an unstaged secret in the work tree does not block" t_add_p_clean_staged

t_add_p_secret_staged() {
    { printf 'k = "%s"\n' "$GH"; seq 1 30; printf 'CLEAN TAIL\n'; } >big.txt
    printf 'y\nn\n' | git add -p big.txt >/dev/null 2>&1
    expect_exit 1 git commit -q -m partial2
    grep_q 'big.txt:1' "$ERR"
    git reset -q && git checkout -q big.txt
}
test_expect "git add -p: a staged secret blocks though the work tree line is elsewhere" t_add_p_secret_staged

t_existing_secret_not_reported() {
    printf 'old = "%s"\nline2\n' "$GH2" >legacy.cfg
    git add legacy.cfg && git commit -q --no-verify -m legacy
    printf 'old = "%s"\nline2 changed\nline3\n' "$GH2" >legacy.cfg
    git add legacy.cfg
    git commit -q -m "unrelated change"
    expect_exit 0 leakhound pre-commit
}
test_expect "a secret already in a modified file is not reported for an unrelated change" t_existing_secret_not_reported

t_secret_removed() {
    printf 'line2 changed\nline3\n' >legacy.cfg
    git add legacy.cfg
    git commit -q -m "remove the secret"
}
test_expect "removing a secret in a commit passes" t_secret_removed

t_deleted_and_nothing_staged() {
    expect_exit 0 leakhound pre-commit
    git rm -q legacy.cfg
    expect_exit 0 leakhound pre-commit
    git commit -q -m "delete"
}
test_expect "nothing staged, or only a deletion, is clean" t_deleted_and_nothing_staged

t_read_only() {
    printf 'k = "%s"\n' "$GH" >ro.txt
    git add ro.txt
    cp .git/index "$TRASH/index.before"
    expect_exit 1 leakhound pre-commit
    cmp .git/index "$TRASH/index.before"
    git rm -q --cached ro.txt && rm ro.txt
}
test_expect "the hook never writes the index" t_read_only

t_worktree() {
    git worktree add -q ../wt -b wt-branch
    cd ../wt
    printf 'k = "%s"\n' "$GH" >wt.txt
    git add wt.txt
    expect_exit 1 git commit -q -m wt
    grep_q 'wt.txt:1' "$ERR"
    git rm -q --cached wt.txt && rm wt.txt
    printf 'fine\n' >wt.txt && git add wt.txt && git commit -q -m wt-clean
}
test_expect "a linked worktree uses the shared hook and its own index" t_worktree

t_intent_to_add() {
    printf 'k = "%s"\n' "$GH" >ita.txt
    git add -N ita.txt
    expect_exit 0 leakhound pre-commit
    rm ita.txt && git rm -q --cached ita.txt
}
test_expect "an intent-to-add entry has nothing staged" t_intent_to_add

t_pem_multiline() {
    python3 - >key.pem <<'PY'
import base64, random
r = random.Random(11)
body = base64.b64encode(bytes(r.getrandbits(8) for _ in range(1190))).decode()
print("-----BEGIN RSA PRIVATE KEY-----")
for i in range(0, len(body), 64):
    print(body[i:i+64])
print("-----END RSA PRIVATE KEY-----")
PY
    git add key.pem
    expect_exit 1 leakhound pre-commit
    grep_q 'key.pem:1' "$OUT"
    git rm -q --cached key.pem && rm key.pem
}
test_expect "a PEM block added whole is found whole" t_pem_multiline

t_uninstall() {
    leakhound uninstall --hook pre-commit >/dev/null
    test ! -e .git/hooks/pre-commit
    printf '#!/bin/sh\nexit 0\n' >.git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
    expect_exit 2 leakhound install --hook pre-commit
    grep_q 'not installed by leakhound' "$ERR"
    expect_exit 2 leakhound uninstall --hook pre-commit
    leakhound install --hook pre-commit --force >/dev/null 2>&1
    test -f .git/hooks/pre-commit.leakhound-backup
    grep_q 'leakhound install' .git/hooks/pre-commit
}
test_expect "install refuses a foreign hook without --force; uninstall removes only ours" t_uninstall

t_hooks_path() {
    mkdir -p "$HOME/global-hooks"
    git config --global core.hooksPath "$HOME/global-hooks"
    leakhound install --global --hook pre-push >/dev/null
    test -x "$HOME/global-hooks/pre-push"
    git config core.hooksPath .githooks
    expect_exit 0 leakhound install --hook pre-commit
    grep_q 'overrides the global' "$ERR"
    test -x .githooks/pre-commit
    git config --unset core.hooksPath
    git config --global --unset core.hooksPath
}
test_expect "install follows core.hooksPath and warns when a local one shadows the global one" t_hooks_path

t_no_ca_bundle_parse() {
    # The dynamic binary binds libgit2's CA-bundle parse to its own functions that load nothing
    # (tools/dynamic_tls.c); the static one has no dynamic linker and no TLS at all.
    if ! LD_DEBUG=bindings /bin/true 2>&1 | grep -q binding; then
        return 0 # no glibc LD_DEBUG here: nothing to check
    fi
    if readelf -d "$LEAKHOUND" 2>/dev/null | grep -q NEEDED; then
        LD_DEBUG=bindings leakhound pre-commit >/dev/null 2>"$TRASH/bindings"
        grep_q "libgit2[^ ]* \[0\] to [^ ]*leakhound \[0\]: normal symbol .mbedtls_x509_crt_parse_file'" \
            "$TRASH/bindings"
        grep_none "libgit2[^ ]* \[0\] to [^ ]*libmbedx509[^ ]* \[0\]: normal symbol .mbedtls_x509_crt_parse_file'" \
            "$TRASH/bindings"
    fi
}
test_expect "libgit2's CA-bundle parse binds to leakhound's no-op, not mbedTLS" t_no_ca_bundle_parse

test_done
