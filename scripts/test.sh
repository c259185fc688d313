#!/usr/bin/env bash
# The whole test suite, as CI runs it: a source check, a gcc build with -Werror and ASan+UBSan
# running every ctest label (unit, e2e, rules, fuzz, accuracy), then a clang -Werror build running
# the unit tests, then the static build (-DLH_STATIC=ON) with a smoke test. Build trees: build-test/,
# build-test-clang/ and build-test-static/.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

echo "== source check"
./scripts/check-sources.sh

echo "== gcc, -Werror, ASan+UBSan"
cmake -S . -B build-test -DCMAKE_C_COMPILER=gcc -DLH_WERROR=ON -DLH_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-test -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-test && ctest --output-on-failure -j"$jobs")

echo "== clang, -Werror"
cmake -S . -B build-test-clang -DCMAKE_C_COMPILER=clang -DLH_WERROR=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-test-clang -j"$jobs"
(cd build-test-clang && ctest --output-on-failure -j"$jobs" -L unit)

echo "== static binary (-DLH_STATIC=ON: every dependency from Debian's static archives)"
cmake -S . -B build-test-static -DLH_STATIC=ON -DLH_WERROR=ON -DBUILD_TESTING=OFF \
    -DBUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-test-static -j"$jobs" --target leakhound
./scripts/check-static.sh build-test-static/leakhound
