#!/usr/bin/env bash
# Installs llmflow's build and test dependencies from Debian 12's archive.
# Idempotent: when every package is already present it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  antlr4 libantlr4-runtime-dev default-jre-headless
  llvm-14-dev
  libboost-dev
  libeigen3-dev
  libcurl4-openssl-dev
  libsqlite3-dev sqlite3
  libpq-dev postgresql
  libtoml11-dev
  doctest-dev
  python3
  python3-matplotlib
  graphviz
  openssl
  time
  chromium
)

# Optional groups: --fuzz adds clang and its fuzzer/sanitizer runtimes.
# matplotlib (for Debian's /usr/bin/python3) is in the base set: tools/bench.sh
# and tools/reproduce.sh draw their figures with it, and the docs test runs
# `tools/bench.sh --quick`.
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
