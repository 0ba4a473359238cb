#!/usr/bin/env bash
# Set up a directory from which a libFuzzer user runs fuzz_attach the usual
# way, `./fuzz_attach corpus/`: the binary (a link to the `fuzz` preset's
# build, ASan+UBSan, built here if needed), its dictionary and .options
# file beside it, and corpus/ seeded with a copy of corpus/fuzz_attach.
#
# What `./fuzz_attach corpus/` then does: it fuzzes until Ctrl-C or the
# first crash, with -len_control=100 added by the binary itself (any
# custom mutator turns libFuzzer's default off); plain libFuzzer does not
# read fuzz_attach.options, so the dictionary and the length limit apply
# only when given: `./fuzz_attach -dict=fuzz_attach.dict -max_len=384
# -timeout=10 corpus/` is what ClusterFuzz runs. New inputs go into
# corpus/ (named by the SHA-1 of their bytes); a crash, leak or timeout
# goes to ./crash-<sha1> (leak-, timeout-, oom-). `tools/corpus.sh
# DIR/corpus` minimises them with the tracked corpus into
# build/corpus/merged, and --replace makes that corpus/fuzz_attach.
#
# Usage: tools/libfuzzer.sh [--no-build] [DIR]
#   DIR         where (default build/libfuzzer); a new or empty directory,
#               or one this script set up before (its corpus/ is kept)
#   --no-build  reuse build/fuzz as it is
# Exit status: 0, 1 when the build failed, 2 for a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/args.sh
. tools/lib/build.sh

prog=tools/libfuzzer.sh
marker=.iofd-libfuzzer
dir=build/libfuzzer
build=1
given=0
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--no-build) build=0 ;;
	-*) args_unknown "$1" ;;
	*)
		[ "$given" -eq 0 ] || args_unknown "$1"
		[ -n "$1" ] || args_die "DIR is an empty string"
		dir=$1
		given=1 ;;
	esac
	shift
done
if [ -e "$dir" ] && [ ! -d "$dir" ]; then
	args_die "'$dir' exists and is not a directory"
fi
if [ -d "$dir" ] && [ ! -e "$dir/$marker" ] && [ -n "$(ls -A -- "$dir")" ]; then
	args_die "'$dir' is not empty and was not set up by this script (no $marker): give a new or empty directory"
fi
bin=build/fuzz/fuzz/fuzz_attach
if [ "$build" -eq 0 ] && [ ! -x "$bin" ]; then
	args_die "--no-build: $bin is not built yet (run once without --no-build)"
fi

if [ "$build" -eq 1 ]; then
	echo "libfuzzer: building fuzz_attach (the fuzz preset: clang, libFuzzer, ASan+UBSan)"
	tools_build fuzz build/fuzz/libfuzzer-build.log fuzz_attach || exit 1
fi
mkdir -p "$dir"
: >"$dir/$marker"
ln -sfn "$PWD/$bin" "$dir/fuzz_attach"
cp fuzz/fuzz_attach.dict fuzz/fuzz_attach.options "$dir/"
if [ -d "$dir/corpus" ]; then
	echo "libfuzzer: $dir/corpus kept as it is ($(find "$dir/corpus" -type f | wc -l) inputs)"
else
	mkdir "$dir/corpus"
	find corpus/fuzz_attach -type f ! -name 'README*' -exec cp {} "$dir/corpus/" \;
	echo "libfuzzer: $dir/corpus seeded with $(find "$dir/corpus" -type f | wc -l) inputs of corpus/fuzz_attach"
fi
echo "libfuzzer: ready; run it with"
echo "  cd $dir && ./fuzz_attach corpus/"
echo "libfuzzer: then minimise what it found into the tracked corpus with"
echo "  tools/corpus.sh $dir/corpus        (result in build/corpus/merged; --replace to take it)"
