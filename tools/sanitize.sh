#!/usr/bin/env bash
# The whole ctest suite against the clang build of tools/clang-build.sh
# (AddressSanitizer, LeakSanitizer, UBSan; build-sanitize/). Tests that
# spawn the llmflow binary get the sanitized one: ctest hands them
# $<TARGET_FILE:llmflow> of this build.
#   tools/sanitize.sh [CTEST ARGS...]     e.g. tools/sanitize.sh -R e2e/hostile
# The first report stops the process (halt_on_error), so a finding fails the
# test that triggered it, with its stack in that test's output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/clang-build.sh
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer   # from llvm-14, for file:line in stacks
# Sanitized code runs several times slower: the docs test's per-command limit grows
# with it (ctest's own limits grow in tests/CMakeLists.txt for this build type).
export LLMFLOW_TIMEOUT_SCALE=5
cd build-sanitize
ctest -j 2 --output-on-failure "$@"
