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
#               corpus/regress): what a fuzzing run's output reaches
# The corpus alone is what issue 5 measures: it must reach every branch of
# core/ that can be reached under the emulator (fuzz/UNREACHABLE.md lists
# the others). Exit status: 0, or 1 when a step failed.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/build.sh

tests=0
sweep=0
build=1
out=build/coverage/lcov
corpus=corpus/fuzz_attach
regress=1
while [ $# -gt 0 ]; do
	case "$1" in
	--tests) tests=1 ;;
	--sweep) sweep=1 ;;
	--no-build) build=0 ;;
	--out) out=$2; shift ;;
	--corpus) corpus=$2; regress=0; shift ;;
	*) echo "usage: $0 [--tests] [--sweep] [--no-build] [--out DIR] [--corpus DIR]" >&2
	   exit 1 ;;
	esac
	shift
done

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

info="$out/core.info"
lcov --quiet --capture --directory "$bdir/core" --base-directory . \
	--rc lcov_branch_coverage=1 --output-file "$out/all.info" 2>/dev/null
lcov --quiet --extract "$out/all.info" "$PWD/core/*" \
	--rc lcov_branch_coverage=1 --output-file "$info" 2>/dev/null
# core/tests/ and the real host (libc calls, never run under the emulator)
# are not what the corpus is measured on.
lcov --quiet --remove "$info" "$PWD/core/tests/*" "$PWD/core/host_real.c" \
	--rc lcov_branch_coverage=1 --output-file "$info" 2>/dev/null
genhtml --quiet --branch-coverage --output-directory "$out/html" "$info" \
	>/dev/null 2>&1

# BRH/BRF of every file: branches hit / branches found.
awk -F: '/^BRF:/ { f += $2 } /^BRH:/ { h += $2 }
	END { printf "core branch coverage: %d/%d (%.1f%%)\n", h, f,
		f ? 100 * h / f : 0 }' "$info"
echo "report: $out/html/index.html" >&2
