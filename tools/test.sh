#!/usr/bin/env bash
# The tests: set up, build everything with clang ASan+UBSan, make sure the
# VM check's kernel is there (built once, as a step of its own with its
# progress, before any test runs), and run every test through CTest (unit
# tests of core/ and emu/, corpus replay, the fail-nth sweep, a short
# libFuzzer run, the bad-input suite and the real-kernel VM check, with
# whatever else is registered: the QEMU and kselftest checks); then build
# everything again with MemorySanitizer and run the same tests but the VM
# check (which tests the kernel, not our code) and the QEMU checks (an MSan
# build does not register them: QEMU cannot take an MSan-built shim).
#
# While CTest runs, the long tests' phases are printed as they go, and a
# line names the tests still running whenever nothing was said for 7 s; a
# slow step (apt, configure, a build) says it is still running likewise.
#
# Usage: tools/test.sh [--help]
# Exit status: 0 when every test passed, 1 otherwise, 2 for a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/args.sh
. tools/lib/progress.sh

prog=tools/test.sh
args_none "$0" "$@"

say() { printf 'test: %s\n' "$*"; }
start=$(date +%s)
elapsed() { local t=$(($(date +%s) - start)); printf '%d:%02d' $((t / 60)) $((t % 60)); }

say "step 1/6: tools/setup.sh (installs only what is missing)"
bash tools/setup.sh

say "step 2/6: building with clang ASan+UBSan (build/asan) [$(elapsed)]"
progress_run -q "test: configure (asan)" cmake --preset asan
progress_run "test: build (asan)" nice -n 10 cmake --build --preset asan -j "$(nproc)"

# The VM check needs a kernel of its own; building it inside CTest would
# hide ten minutes behind one "Start vm_check" line.
if [ -f /usr/src/linux-source-6.12.tar.xz ]; then
	say "step 3/6: the VM check's Linux 6.12 kernel (tools/vm/kernel.sh) [$(elapsed)]"
	kdir=$(tools/vm/kernel.sh -j "$(nproc)") || {
		say "the kernel build failed: the VM check cannot run (see the lines above)"
		exit 1
	}
	say "kernel ready: $kdir"
else
	say "step 3/6: no kernel source (/usr/src/linux-source-6.12.tar.xz): the VM check will say why it skips"
fi

say "step 4/6: CTest on the ASan+UBSan build, every test [$(elapsed)]"
rc=0
progress_ctest "ctest (asan)" --preset asan -j "$(nproc)" || rc=$?

# Every byte the core and the model read must have been written: MSan sees
# all of it, since nothing but libc is linked in.
say "step 5/6: building with clang MemorySanitizer (build/msan) [$(elapsed)]"
progress_run -q "test: configure (msan)" cmake --preset msan
progress_run "test: build (msan)" nice -n 10 cmake --build --preset msan -j "$(nproc)"
say "step 6/6: CTest on the MemorySanitizer build, every test but the VM and QEMU checks [$(elapsed)]"
progress_ctest "ctest (msan)" --preset msan -j "$(nproc)" || rc=$?

if [ "$rc" -ne 0 ]; then
	say "FAILED after $(elapsed) (the failing tests are listed above)"
	exit 1
fi
say "all tests passed in $(elapsed)"
