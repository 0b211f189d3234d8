#!/usr/bin/env bash
# Installs the dependencies (Debian 12 packages) and builds llmflow into
# build/. Safe to re-run: both steps are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${LLMFLOW_CMAKE_ARGS:-} >/dev/null
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-2}"
