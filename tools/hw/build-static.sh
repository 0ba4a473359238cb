#!/usr/bin/env bash
# Build a statically linked iofd_hw for the VM check's initramfs.
#
# The guest has no libc, so the tool is linked with gcc -static against the
# system's Linux uAPI headers. It is the same CMake target as in every other
# build (tools/hw/CMakeLists.txt), configured in a build directory of its
# own outside the source tree, at -O2, with no sanitizer (the sanitizer
# runtimes cannot be linked statically). gcc's optimisation-dependent
# warnings (format-truncation, maybe-uninitialized, stringop-*) stay
# warnings here instead of errors: the warning-clean builds are the presets;
# this one must not stop the VM check over a diagnostic that depends on the
# optimiser's mood.
# Prints the path of the binary on stdout.
#
# Usage: build-static.sh BUILD_DIR
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: build-static.sh BUILD_DIR}

if [ ! -f "$dir/CMakeCache.txt" ]; then
	cmake -S "$src" -B "$dir" -G Ninja \
		-DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
		-DCMAKE_C_FLAGS="-Wno-error=format-truncation -Wno-error=maybe-uninitialized -Wno-error=stringop-truncation -Wno-error=stringop-overflow -Wno-error=array-bounds" \
		-DCMAKE_EXE_LINKER_FLAGS="-static" >/dev/null
fi
nice -n 10 ninja -C "$dir" iofd_hw >&2
if ldd "$dir/tools/hw/iofd_hw" >/dev/null 2>&1; then
	echo "build-static.sh: $dir/tools/hw/iofd_hw is not static" >&2
	exit 1
fi
echo "$dir/tools/hw/iofd_hw"
