#!/bin/sh
# Installs the Debian 12 packages leakhound builds, tests and benchmarks with. Idempotent; needs root
# (or sudo).
set -eu
pkgs="build-essential cmake pkg-config clang libclang-rt-14-dev git python3 python3-yaml
python3-jsonschema libhyperscan-dev libpcre2-dev libgit2-dev libyaml-dev libjson-c-dev libssl-dev
zlib1g-dev libdeflate-dev libcmocka-dev ripgrep hyperfine time"
# Hyperscan is x86-only; Vectorscan provides the same library elsewhere.
case "$(uname -m)" in x86_64|amd64) ;; *) pkgs=$(echo "$pkgs" | sed 's/libhyperscan-dev/libvectorscan-dev/') ;; esac
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
