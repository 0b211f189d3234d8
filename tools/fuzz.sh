#!/usr/bin/env bash
# A bounded libFuzzer run of parse + check + lower (clang build in build-fuzz/).
#   tools/fuzz.sh [SECONDS]     (default 60)
# Crashing inputs land in build-fuzz/crashes/; copy each one into
# tests/fuzz/regressions/ once fixed so every build replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh --fuzz
secs=${1:-60}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_STANDARD=17 -DLLMFLOW_FUZZ=ON -DLLMFLOW_BUILD_TESTS=ON >/dev/null
fi
cmake --build build-fuzz -j 2 --target fuzz_compile
mkdir -p build-fuzz/corpus build-fuzz/crashes
cp examples/*/app.llmflow tests/golden/diagnostics/*.llmflow tests/fuzz/regressions/* build-fuzz/corpus/ 2>/dev/null || true
build-fuzz/tests/fuzz_compile build-fuzz/corpus -max_total_time="$secs" -max_len=8192 -timeout=10 \
  -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1
