#!/usr/bin/env bash
# The clang 14 build that tools/sanitize.sh tests and tools/fuzz.sh fuzzes,
# in build-sanitize/: every library compiled with AddressSanitizer, UBSan
# and libFuzzer's coverage instrumentation (-DLLMFLOW_FUZZ=ON), so one
# build serves both (the instrumentation costs the test suite little; two
# builds would cost twice the CPU on 2 cores). -O1 with line tables and
# without NDEBUG: asserts stay on, stacks have line numbers.
#   tools/clang-build.sh [TARGET...]      (default: everything)
# JOBS=N sets the parallelism (default 2); KEEP_GOING=1 reports every
# compile error instead of stopping at the first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --fuzz
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if [ ! -f build-sanitize/build.ninja ]; then
  # C++17: clang 14 cannot compile the ANTLR 4.9 runtime headers as C++20.
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
    -DCMAKE_C_FLAGS_SANITIZE="-O1 -gline-tables-only" -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -gline-tables-only" \
    -DCMAKE_CXX_STANDARD=17 -DLLMFLOW_FUZZ=ON -DLLMFLOW_BUILD_TESTS=ON "${launcher[@]}" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build-sanitize -j "${JOBS:-2}" "${targets[@]}" -- ${KEEP_GOING:+-k 0}
