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
#  2. with --steady: the CPU time of one execution of each target past
#     its start, (cpu(N2) - cpu(N1)) / (N2 - N1) for -runs N1 and N2 with
#     one -seed, both targets starting from the corpus the last fuzz_attach
#     run of 1. grew (the inputs a campaign runs on, not the seeds), so the
#     start cancels out and the figure is CPU time, which the load of other
#     programs disturbs less than wall time. tools/BENCH-FUZZ.md tells
#     where the microseconds of an execution go, and why 0.25 is out of
#     reach.
#  3. the fail-nth sweep of the whole corpus (ASan+UBSan replay driver):
#     points swept and wall time (goal: at most 10 s).
#
# Usage: tools/bench-fuzz.sh [--seconds S] [--rounds R] [--steady]
#                            [--no-build]
#   --seconds S  each libFuzzer run's time, 1 to 3600 (default 10)
#   --rounds R   runs of each target, 1 to 100 (default 3)
#   --steady     also the CPU time per execution past the start (adds
#                a -runs=20000 and a -runs=60000 run of fuzz_attach, and
#                200000 and 600000 of fuzz_trivial)
#   --no-build   reuse build/fuzz (the `fuzz` preset) as it is
# Exit status: 0, 1 when a run failed, 2 for a usage error (nothing was
# done).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/args.sh
. tools/lib/build.sh
. tools/lib/median.sh

prog=tools/bench-fuzz.sh
secs=10
rounds=3
steady=0
build=1
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--seconds) args_value "$@"; secs=$(args_uint --seconds "$2" 1 3600); shift ;;
	--rounds) args_value "$@"; rounds=$(args_uint --rounds "$2" 1 100); shift ;;
	--steady) steady=1 ;;
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

attach_all=
trivial_all=
for _ in $(seq "$rounds"); do
	attach_all="$attach_all $(run fuzz_attach)"
	trivial_all="$trivial_all $(run fuzz_trivial)"
done
attach=$(printf '%s\n' $attach_all | median)
trivial=$(printf '%s\n' $trivial_all | median)
ratio=$(awk -v a="$attach" -v t="$trivial" 'BEGIN { printf "%.3f", t ? a / t : 0 }')
ok=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.25) ? "meets the 0.25 goal" : "misses the 0.25 goal; tools/BENCH-FUZZ.md says where the time goes" }')
echo "exec/s (ASan+UBSan, median of $rounds runs of ${secs}s each, taking turns): fuzz_attach $attach (runs:$attach_all), fuzz_trivial $trivial (runs:$trivial_all), ratio $ratio ($ok)"

# CPU seconds (user + system) of one libFuzzer run of @1 with -runs=@2 and
# a fixed seed, on a fresh private copy of the corpus fuzz_attach grew.
cpu_run() {
	local name=$1 runs=$2 dir=$work/$1.steady TIMEFORMAT='%U %S' t
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$work/fuzz_attach/corpus" "$dir/corpus"
	t=$( { time "$bdir/fuzz/$name" -seed=1 -runs="$runs" -max_len=384 \
		-artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1; } 2>&1) || {
		echo "bench: $name failed, see $dir/log" >&2
		tail -n 20 "$dir/log" >&2
		exit 1
	}
	awk -v t="$t" 'BEGIN { split(t, f, " "); print f[1] + f[2] }'
}

# Microseconds of CPU per execution of @1 past its seeds.
steady_us() {
	local a b
	a=$(cpu_run "$1" "$2")
	b=$(cpu_run "$1" "$3")
	awk -v a="$a" -v b="$b" -v n=$(($3 - $2)) 'BEGIN { printf "%.1f", (b - a) * 1e6 / n }'
}

if [ "$steady" -eq 1 ]; then
	a_us=$(steady_us fuzz_attach 20000 60000)
	t_us=$(steady_us fuzz_trivial 200000 600000)
	echo "CPU per execution past the start, on the corpus fuzz_attach grew (ASan+UBSan, -seed=1): fuzz_attach ${a_us} us, fuzz_trivial ${t_us} us, ratio $(awk -v a="$a_us" -v t="$t_us" 'BEGIN { printf "%.3f", a ? t / a : 0 }'); load $(cut -d' ' -f1-3 /proc/loadavg)"
fi

start=$(date +%s.%N)
"$bdir/fuzz/fuzz_attach_replay" --sweep corpus/fuzz_attach >"$work/sweep.log"
end=$(date +%s.%N)
points=$(sed -n 's/.* \([0-9]*\) sweep points$/\1/p' "$work/sweep.log" | tail -n 1)
wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
ok=$(awk -v w="$wall" 'BEGIN { print (w <= 10) ? "meets" : "misses" }')
echo "fail-nth sweep of corpus/fuzz_attach: $points points in ${wall}s ($ok the 10 s goal)"
