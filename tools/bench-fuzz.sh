#!/usr/bin/env bash
# Benchmarks of the fuzz layer (numbers to watch, not tests: nothing here
# fails on a slow machine).
#
#  1. exec/s of fuzz_attach under ASan+UBSan (the `fuzz` preset) next to the
#     exec/s of fuzz_trivial, built the same way in the same run (it only
#     decodes the input), over the same corpus for the same time, and the
#     ratio (goal: at least 0.25). The two take turns, R rounds each, and
#     the medians are compared: this machine's speed drifts by a third
#     from one minute to the next, which one run of each did not survive.
#     Why the goal is out of reach (measured 2026-12-05 on the 2-core
#     machine): the trivial target's whole execution takes about 3.6 us,
#     so 0.25 leaves fuzz_attach about 14 us per input, libFuzzer's own
#     bookkeeping of the coverage a run hits included. Replayed in a loop,
#     one input of a freshly fuzzed corpus (22 ops on average) takes
#     8.5 us with no sanitizer at all and 45 us under ASan+UBSan, where
#     its ~30 allocations alone cost about what the goal allows: a target
#     that only decodes and makes 30 calloc/free pairs of 96 bytes ran at
#     0.28.
#  2. the fail-nth sweep of the whole corpus (ASan+UBSan replay driver):
#     points swept and wall time (goal: at most 10 s).
#
# Usage: tools/bench-fuzz.sh [--seconds S] [--rounds R] [--no-build]
#   --seconds S  each libFuzzer run's time, 1 to 3600 (default 10)
#   --rounds R   runs of each target, 1 to 100 (default 3)
#   --no-build   reuse build/fuzz (the `fuzz` preset) as it is
# Exit status: 0, 1 when a run failed, 2 for a usage error (nothing was
# done).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/args.sh
. tools/lib/build.sh

prog=tools/bench-fuzz.sh
secs=10
rounds=3
build=1
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--seconds) args_value "$@"; secs=$(args_uint --seconds "$2" 1 3600); shift ;;
	--rounds) args_value "$@"; rounds=$(args_uint --rounds "$2" 1 100); shift ;;
	--no-build) build=0 ;;
	*) args_unknown "$1" ;;
	esac
	shift
done
if [ "$build" -eq 0 ] && [ ! -x build/fuzz/fuzz/fuzz_trivial ]; then
	args_die "--no-build: build/fuzz/fuzz/fuzz_trivial is not built yet (run once without --no-build)"
fi

bdir=build/fuzz
if [ "$build" -eq 1 ]; then
	tools_build fuzz "$bdir/bench-build.log" \
		fuzz_attach fuzz_trivial fuzz_attach_replay || exit 1
fi

work=build/bench
rm -rf "$work"
mkdir -p "$work"

# One libFuzzer run of @1 for $secs seconds on a fresh private copy of the
# corpus (so every run starts from the same inputs); prints its average
# exec/s.
run() {
	local name=$1 dir=$work/$1
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	cp corpus/fuzz_attach/* "$dir/corpus/"
	rm -f "$dir"/corpus/README*
	ASAN_OPTIONS=detect_leaks=1 "$bdir/fuzz/$name" -max_total_time="$secs" \
		-max_len=384 -print_final_stats=1 -artifact_prefix="$dir/" \
		"$dir/corpus" >"$dir/log" 2>&1 || {
		echo "bench: $name failed, see $dir/log" >&2
		tail -n 20 "$dir/log" >&2
		exit 1
	}
	sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log"
}

# The median of the numbers on stdin, one per line.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

attach_all=
trivial_all=
for _ in $(seq "$rounds"); do
	attach_all="$attach_all $(run fuzz_attach)"
	trivial_all="$trivial_all $(run fuzz_trivial)"
done
attach=$(printf '%s\n' $attach_all | median)
trivial=$(printf '%s\n' $trivial_all | median)
ratio=$(awk -v a="$attach" -v t="$trivial" 'BEGIN { printf "%.3f", t ? a / t : 0 }')
ok=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.25) ? "meets" : "misses" }')
echo "exec/s (ASan+UBSan, median of $rounds runs of ${secs}s each, taking turns): fuzz_attach $attach (runs:$attach_all), fuzz_trivial $trivial (runs:$trivial_all), ratio $ratio ($ok the 0.25 goal)"

start=$(date +%s.%N)
"$bdir/fuzz/fuzz_attach_replay" --sweep corpus/fuzz_attach >"$work/sweep.log"
end=$(date +%s.%N)
points=$(sed -n 's/.* \([0-9]*\) sweep points$/\1/p' "$work/sweep.log" | tail -n 1)
wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
ok=$(awk -v w="$wall" 'BEGIN { print (w <= 10) ? "meets" : "misses" }')
echo "fail-nth sweep of corpus/fuzz_attach: $points points in ${wall}s ($ok the 10 s goal)"
