#!/bin/sh
# gen_commits.sh N BRANCH [SECRET] - a `git fast-import` stream of N commits on refs/heads/BRANCH,
# the first on top of BRANCH's current tip. Commit i sets file f(i mod 50).txt to one of two
# one-line contents, alternating, so every commit changes one file while the whole history has
# only 100 blobs (the push is commits and trees; fast to make and to send). With SECRET, the last
# commit also adds "token = SECRET" as last.cfg. Fixed dates: the same arguments give the same
# commits. Used by t7200 and bench/run_hooks.sh part 4.
#   sh tests/e2e/gen_commits.sh 50000 main | git fast-import --quiet
n=${1:?N}
branch=${2:?BRANCH}
secret=${3:-}
exec env LC_ALL=C awk -v n="$n" -v branch="$branch" -v secret="$secret" 'BEGIN {
    for (k = 0; k < 50; k++)
        for (v = 0; v < 2; v++) {
            body = "value " v " of file " k "\n"
            printf "blob\nmark :%d\ndata %d\n%s\n", 1 + k * 2 + v, length(body), body
        }
    for (i = 1; i <= n; i++) {
        msg = "change " i
        printf "commit refs/heads/%s\ncommitter C O Mitter <committer@example.com> %d +0000\n", branch, 1112911993 + i
        printf "data %d\n%s\n", length(msg), msg
        if (i == 1)
            printf "from refs/heads/%s^0\n", branch
        k = i % 50
        printf "M 100644 :%d f%02d.txt\n", 1 + k * 2 + int(i / 50) % 2, k
        if (i == n && secret != "") {
            body = "token = \"" secret "\"\n"
            printf "M 100644 inline last.cfg\ndata %d\n%s\n", length(body), body
        }
        printf "\n"
    }
}'
