#!/usr/bin/env bash
# Build fuzz_attach the OSS-Fuzz way: the compiler, flags and fuzzing engine
# come from the environment, and everything a runner needs lands in $OUT:
#
#   $OUT/fuzz_attach                    the fuzzer
#   $OUT/fuzz_attach_seed_corpus.zip    corpus/fuzz_attach + corpus/regress
#   $OUT/fuzz_attach.dict               the dictionary
#   $OUT/fuzz_attach.options            libFuzzer options (max_len, dict)
#
# Environment (OSS-Fuzz / ClusterFuzzLite conventions; defaults make it run
# standalone with clang's libFuzzer and ASan+UBSan):
#   CC, CXX              compilers (clang, clang++)
#   CFLAGS, CXXFLAGS     sanitizer and coverage flags, e.g.
#                        "-fsanitize=address,fuzzer-no-link"
#   LIB_FUZZING_ENGINE   what links the engine in (-fsanitize=fuzzer, or an
#                        archive such as libAFLDriver.a)
#   OUT                  output directory (build/oss-fuzz/out)
#   WORK                 scratch build directory (build/oss-fuzz/work)
#   SRC                  where the checkout is (the directory above fuzz/)
#
# The libraries (core, emu, the harness) are built with CMake using exactly
# $CC and $CFLAGS; the engine is linked only into the fuzzer, with $CXX as
# OSS-Fuzz does (engines are C++).
set -euo pipefail

src=${SRC:+$SRC/iofd}
if [ -z "$src" ] || [ ! -d "$src/fuzz" ]; then
	src=$(cd "$(dirname "$0")/.." && pwd)
fi
: "${CC:=clang}"
: "${CXX:=clang++}"
: "${CFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all}"
: "${CXXFLAGS:=$CFLAGS}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:=$src/build/oss-fuzz/out}"
: "${WORK:=$src/build/oss-fuzz/work}"

bdir=$WORK/iofd-build
mkdir -p "$OUT" "$bdir"

# IOFD_LIBFUZZER stays off: the engine flags are the environment's, not
# ours. -Werror is the project's; a runner's newer compiler may warn more,
# so warnings do not fail this build.
cmake -S "$src" -B "$bdir" -G Ninja \
	-DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_COMPILER="$CC" \
	-DCMAKE_C_FLAGS="$CFLAGS -Wno-error" \
	-DBUILD_SHARED_LIBS=OFF \
	-DIOFD_LIBFUZZER=OFF
cmake --build "$bdir" -j "${JOBS:-2}" --target fuzz_common

# shellcheck disable=SC2086 # the flag variables are word lists on purpose
$CC $CFLAGS -I"$src/fuzz" -I"$src/emu/include" -I"$src/core/include" -c "$src/fuzz/fuzz_attach_libfuzzer.c" \
	-o "$bdir/fuzz_attach_libfuzzer.o"
# shellcheck disable=SC2086
$CXX $CXXFLAGS "$bdir/fuzz_attach_libfuzzer.o" \
	"$bdir/fuzz/libfuzz_common.a" "$bdir/fuzz/libiofd_oprun.a" \
	"$bdir/core/libiofd.a" "$bdir/emu/libiofd_emu.a" $LIB_FUZZING_ENGINE \
	-o "$OUT/fuzz_attach"

cp "$src/fuzz/fuzz_attach.dict" "$src/fuzz/fuzz_attach.options" "$OUT/"
rm -f "$OUT/fuzz_attach_seed_corpus.zip"
# Flat zip (-j), inputs only: READMEs describe, they are not inputs.
(cd "$src" && find corpus/fuzz_attach corpus/regress -type f \
	! -name 'README*' ! -name '.*' -print0 |
	xargs -0 zip -q -j "$OUT/fuzz_attach_seed_corpus.zip")
echo "fuzz/build.sh: $OUT/fuzz_attach and its seed corpus, dict, options"
