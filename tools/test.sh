#!/usr/bin/env bash
# The tests: set up, build everything with clang ASan+UBSan, and run every
# test through CTest (unit tests of core/ and emu/, corpus replay, the
# fail-nth sweep, a short libFuzzer run and the real-kernel VM check); then
# build everything again with MemorySanitizer and run the same tests but
# the VM check (which tests the kernel, not our code).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$(nproc)"
ctest --preset asan -j "$(nproc)"

# Every byte the core and the model read must have been written: MSan sees
# all of it, since nothing but libc is linked in.
cmake --preset msan >/dev/null
cmake --build --preset msan -j "$(nproc)"
ctest --preset msan -j "$(nproc)"
