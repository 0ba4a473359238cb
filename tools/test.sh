#!/usr/bin/env bash
# The tests: set up, build everything with clang ASan+UBSan, and run every
# test through CTest (unit tests of core/ and emu/, corpus replay, the
# fail-nth sweep and a short libFuzzer run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)"
ctest --preset asan -j "$(nproc)"
