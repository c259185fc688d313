#!/bin/sh
# Rejects unsafe or forbidden calls: sprintf, strcpy, strcat, strtok, gets, atoi anywhere in src/,
# and exit( or printf( outside src/cli (library code never prints or exits).
set -eu
cd "$(dirname "$0")/.."
status=0
if grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strtok|gets|atoi)\s*\(' src/; then
    echo "check-sources: forbidden function above" >&2
    status=1
fi
if grep -rnE '(^|[^_a-z])(exit|printf|puts)\s*\(' src/ --include='*.c' | grep -v '^src/cli/'; then
    echo "check-sources: exit/printf outside src/cli above" >&2
    status=1
fi
[ $status -eq 0 ] && echo "check-sources: ok"
exit $status
