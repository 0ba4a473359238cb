#!/usr/bin/env bash
# AFL++ on fuzz_attach: build the persistent shared-memory driver
# (fuzz/fuzz_attach_afl.c) with afl-clang-fast, ASan+UBSan by default, and
# run one main and N-1 secondary afl-fuzz instances (N: all cores) for a
# bounded time from corpus/fuzz_attach, in a scratch directory (the
# checkout is never written). Prints each instance's summary and the
# crashes found, with the command that replays one as text, and draws the
# campaign (coverage and corpus size over time, from AFL++'s plot_data)
# into campaign.png in the output directory.
#
# Usage: tools/afl.sh [--seconds S] [--jobs N] [--no-asan] [--no-build]
#                     [--out DIR [--force]]
#   --seconds S  stop every instance after S seconds (default 60)
#   --jobs N     instances (default: nproc)
#   --no-asan    build without sanitizers (faster; invariants still abort)
#   --no-build   reuse build/afl as it is
#   --out DIR    AFL++ output directory (default build/afl/run). A run
#                empties it first, so DIR must be new, empty, or one an
#                earlier afl.sh run made (it holds .iofd-afl-out); --force
#                empties any other directory (never /, $HOME or the
#                checkout or one above them)
# Environment: extra afl-fuzz flags in IOFD_AFL_FLAGS.
# Exit status: 0 when no instance found a crash or hang, 1 otherwise, 2 for
# a usage error (nothing was done), 130 when stopped by Ctrl-C (after the
# summary).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/args.sh
. tools/lib/plot.sh

prog=tools/afl.sh

marker=.iofd-afl-out
secs=60
jobs=$(nproc)
asan=1
build=1
out=build/afl/run
force=0
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--seconds) args_value "$@"; secs=$(args_uint --seconds "$2" 1 604800); shift ;;
	--jobs) args_value "$@"; jobs=$(args_uint --jobs "$2" 1 64); shift ;;
	--no-asan) asan=0 ;;
	--no-build) build=0 ;;
	--out) args_value "$@"; out=$2; shift ;;
	--force) force=1 ;;
	*) args_unknown "$1" ;;
	esac
	shift
done

# What --out may empty: never a directory that holds the checkout or the
# home directory, force or not; else only one this script made, or an
# empty one, unless --force says so.
out_abs=$(realpath -m -- "$out")
for keep in / "$PWD" "$(realpath -m -- "$HOME")"; do
	case "$keep/" in
	"$out_abs"/*) args_die "--out '$out' is $keep or holds it: give a directory of its own" ;;
	esac
done
if [ -e "$out" ] && [ ! -d "$out" ]; then
	args_die "--out '$out' exists and is not a directory"
fi
if [ -d "$out" ] && [ ! -e "$out/$marker" ] && [ "$force" -eq 0 ] &&
	[ -n "$(ls -A -- "$out")" ]; then
	args_die "--out '$out' is not empty and no afl.sh run made it (no $marker in it): give a new or empty directory, or add --force to empty it"
fi
[ -x "$(command -v afl-fuzz)" ] || { echo "afl: afl-fuzz is not installed (tools/setup.sh installs afl++)" >&2; exit 1; }
if [ "$build" -eq 0 ] && [ ! -x build/afl/fuzz/fuzz_attach_afl ]; then
	args_die "--no-build: build/afl/fuzz/fuzz_attach_afl is not built yet (run once without --no-build)"
fi

bdir=build/afl
if [ "$build" -eq 1 ]; then
	mkdir -p "$bdir"
	flags="-O2 -g -fno-omit-frame-pointer"
	if [ "$asan" -eq 1 ]; then
		flags="$flags -fsanitize=address,undefined -fno-sanitize-recover=all"
	fi
	# AFL_QUIET keeps the instrumenting compiler's banner out of the log.
	if ! { AFL_QUIET=1 cmake -S . -B "$bdir" -G Ninja \
			-DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DCMAKE_C_COMPILER=afl-clang-fast \
			-DCMAKE_C_FLAGS="$flags" \
			-DCMAKE_EXE_LINKER_FLAGS="${flags#-O2 -g }" \
			-DIOFD_AFL=ON &&
		AFL_QUIET=1 cmake --build "$bdir" -j 2 \
			--target fuzz_attach_afl; } >"$bdir/build.log" 2>&1; then
		tail -n 30 "$bdir/build.log" >&2
		echo "afl: build failed (see $bdir/build.log)" >&2
		exit 1
	fi
fi
bin=$bdir/fuzz/fuzz_attach_afl

rm -rf -- "$out"
mkdir -p -- "$out"
: >"$out/$marker"
# AFL++ wants every seed to run cleanly: the corpus does, regress may not.
seeds=corpus/fuzz_attach

# No CPU governor or core-pattern tuning here: this runs in containers and
# on shared machines. ASan needs no memory limit (-m none) and its own
# abort-on-error so AFL++ sees the crash.
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1
export AFL_NO_AFFINITY=${AFL_NO_AFFINITY:-1}
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:symbolize=0
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1
common=(-i "$seeds" -o "$out" -m none -t 1000+ -V "$secs"
	-x fuzz/fuzz_attach.dict ${IOFD_AFL_FLAGS:-})

# Background jobs of a script ignore the terminal's Ctrl-C: it reaches
# this script, which stops every instance (they save their state on
# TERM) and goes on to the summary; the EXIT trap leaves none running.
pids=()
stopped=0
stop_all() {
	local p
	for p in ${pids[@]+"${pids[@]}"}; do
		kill -TERM "$p" 2>/dev/null || true
	done
}
trap 'stopped=1; stop_all' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT
afl-fuzz "${common[@]}" -M main -- "$bin" >"$out/main.log" 2>&1 &
pids+=($!)
for i in $(seq 1 $((jobs - 1))); do
	afl-fuzz "${common[@]}" -S "sec$i" -- "$bin" >"$out/sec$i.log" 2>&1 &
	pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do
	# a trapped Ctrl-C interrupts wait: wait again for the same instance
	until wait "$pid"; do
		kill -0 "$pid" 2>/dev/null || { rc=1; break; }
	done
done
[ "$stopped" -eq 0 ] || echo "afl: stopped by Ctrl-C"

crashes=0
hangs=0
for d in "$out"/*/; do
	name=$(basename "$d")
	[ -f "$d/fuzzer_stats" ] || continue
	execs=$(sed -n 's/^execs_done *: *//p' "$d/fuzzer_stats")
	eps=$(sed -n 's/^execs_per_sec *: *//p' "$d/fuzzer_stats")
	paths=$(sed -n 's/^corpus_count *: *//p' "$d/fuzzer_stats")
	c=$(find "$d/crashes" -type f ! -name README.txt 2>/dev/null | wc -l)
	hg=$(find "$d/hangs" -type f 2>/dev/null | wc -l)
	crashes=$((crashes + c))
	hangs=$((hangs + hg))
	echo "afl $name: ${execs:-0} execs, ${eps:-0} exec/s, ${paths:-0} inputs, $c crashes, $hg hangs"
done
echo "afl: $jobs instances, ${secs}s, $crashes crashes, $hangs hangs in $out"
if plot_afl "$out/campaign.png" "AFL++ on fuzz_attach: $jobs instances, ${secs} s" \
	"$out"/*/plot_data; then
	echo "afl: picture of the campaign (edges and corpus over time): $out/campaign.png"
else
	echo "afl: no picture of the campaign (needs gnuplot: tools/setup.sh installs gnuplot-nox; see $out/campaign.png.log)"
fi
if [ -f build/coverage/lcov/html/index.html ]; then
	echo "afl: core branch coverage of a corpus: tools/coverage.sh --corpus $out/main/queue (last report: build/coverage/lcov/html/index.html)"
fi
if [ "$crashes" -ne 0 ] || [ "$hangs" -ne 0 ]; then
	echo "replay one: build/asan/fuzz/fuzz_attach_replay -v $out/<instance>/crashes/<id>"
	exit 1
fi
if [ "$rc" -ne 0 ]; then
	echo "afl: an instance failed; see $out/*.log" >&2
	tail -n 20 "$out/main.log" >&2
	exit 1
fi
[ "$stopped" -eq 0 ] || exit 130
