#!/usr/bin/env bash
# Branch coverage of core/ by the fuzz corpus: build the `coverage` preset
# (gcc --coverage), replay corpus/fuzz_attach (and corpus/regress) through
# the plain replay driver, optionally run the unit tests too, and write the
# lcov HTML report of core/ only. The last line printed is the figure:
#
#   core branch coverage: 412/430 (95.8%)
#
# Usage: tools/coverage.sh [--tests] [--sweep] [--no-build] [--out DIR]
#                          [--corpus DIR]
#   --tests     also run the CTest unit tests (core/ and emu/) first
#   --sweep     replay with the fail-nth sweep (every error path the corpus
#               reaches under injected faults, not only the clean runs)
#   --no-build  reuse build/coverage as it is
#   --out DIR   where the report goes (default build/coverage/lcov)
#   --corpus DIR  replay DIR instead of corpus/fuzz_attach (and leave out
#               corpus/regress): what a fuzzing run's output reaches; DIR
#               must hold at least one input
# The corpus alone must reach every branch of core/ that can be reached
# under the emulator (fuzz/UNREACHABLE.md lists the others). Exit status:
# 0, 1 when a step failed, 2 for a usage error (nothing was done).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/args.sh
. tools/lib/build.sh
. tools/lib/coverage.sh

prog=tools/coverage.sh
tests=0
sweep=0
build=1
out=build/coverage/lcov
corpus=corpus/fuzz_attach
regress=1
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--tests) tests=1 ;;
	--sweep) sweep=1 ;;
	--no-build) build=0 ;;
	--out) args_value "$@"; out=$2; shift ;;
	--corpus) args_value "$@"; corpus=$2; regress=0; shift ;;
	*) args_unknown "$1" ;;
	esac
	shift
done
[ -d "$corpus" ] || args_die "--corpus '$corpus' is not a directory"
if [ -z "$(find "$corpus" -type f ! -name 'README*' ! -name '.*' -print -quit)" ]; then
	args_die "--corpus '$corpus' holds no input: there is nothing to measure"
fi
if [ -e "$out" ] && [ ! -d "$out" ]; then
	args_die "--out '$out' exists and is not a directory"
fi
if [ "$build" -eq 0 ] && [ ! -x build/coverage/fuzz/fuzz_attach_replay ]; then
	args_die "--no-build: build/coverage is not built yet (run once without --no-build)"
fi

bdir=build/coverage
if [ "$build" -eq 1 ]; then
	tools_build coverage "$bdir/build.log" || exit 1
fi
# Counters start from zero for every run: a figure is one run's.
find "$bdir" -name '*.gcda' -delete
mkdir -p "$out"

if [ "$tests" -eq 1 ]; then
	ctest --test-dir "$bdir" -j 2 -LE fuzz --output-on-failure >/dev/null
fi
replay=("$bdir/fuzz/fuzz_attach_replay")
if [ "$sweep" -eq 1 ]; then
	"${replay[@]}" --sweep "$corpus" >/dev/null
else
	"${replay[@]}" "$corpus" >/dev/null
fi
# Regression inputs of open bugs abort the replay; they still count.
if [ "$regress" -eq 1 ]; then
	for f in corpus/regress/*; do
		case "$(basename "$f")" in README*|.*) continue ;; esac
		( "${replay[@]}" "$f" ) >/dev/null 2>&1 || true
	done
fi

cov_capture "$bdir" "$out"
cov_html "$out/core.info" "$out/html"
echo "core branch coverage: $(cov_text $(cov_figure "$out/core.info"))"
echo "report: $out/html/index.html" >&2
