#!/usr/bin/env bash
# Build what the uAPI differential needs outside the CTest presets.
#
#   build.sh static DIR   a statically linked iofd_conform for the VM
#                         check's guest (gcc -static: the guest has no
#                         libc); prints its path.
#   build.sh emu DIR      the emulator's side, dynamically linked: the
#                         preload shim, iofd_conform and iofd_conform_diff;
#                         prints the three paths, one per line.
#
# Each is a CMake build directory of its own (configured once, then only
# rebuilt), at -O2 with gcc and no sanitizer, like tools/hw/build-static.sh:
# gcc's optimisation-dependent warnings stay warnings here, the warning-
# clean builds are the presets. Progress goes to stderr.
set -euo pipefail

usage() {
	echo "usage: build.sh static|emu BUILD_DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
mode=$1 dir=$2
case "$mode" in
static) ldflags="-static" targets=(iofd_conform) ;;
emu) ldflags="" targets=(iofd_emu_preload iofd_conform iofd_conform_diff) ;;
*)
	echo "build.sh: unknown mode '$mode' (want static or emu)" >&2
	usage
	;;
esac
if [ -z "$dir" ]; then
	echo "build.sh: empty BUILD_DIR" >&2
	usage
fi

src=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -f "$dir/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$dir" -G Ninja \
		-DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
		-DCMAKE_C_FLAGS="-Wno-error=format-truncation -Wno-error=maybe-uninitialized -Wno-error=stringop-truncation -Wno-error=stringop-overflow -Wno-error=array-bounds" \
		-DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
fi
nice -n 10 ninja -C "$dir" "${targets[@]}" >&2
if [ "$mode" = static ]; then
	if ldd "$dir/tools/conform/iofd_conform" >/dev/null 2>&1; then
		echo "build.sh: $dir/tools/conform/iofd_conform is not static" >&2
		exit 1
	fi
	echo "$dir/tools/conform/iofd_conform"
else
	echo "$dir/emu/libiofd_emu_preload.so"
	echo "$dir/tools/conform/iofd_conform"
	echo "$dir/tools/conform/iofd_conform_diff"
fi
