#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs, builds, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${JOBS:-2}" "$@"
