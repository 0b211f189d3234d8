#!/usr/bin/env bash
# Builds the Debian package of llmflow (CPack) and prints its path:
#   bash tools/package.sh            -> build/llmflow_VERSION_ARCH.deb
# Install it with: apt install ./build/llmflow_*.deb (or dpkg -i).
# The package holds the stripped binary, the standard library, the docs and
# examples, and bash completion (cmake/LLMFlowInstall.cmake).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh >&2
BUILD_DIR=${BUILD_DIR:-build}
(cd "$BUILD_DIR" && cpack -G DEB >&2)
ls "$BUILD_DIR"/llmflow_*.deb
