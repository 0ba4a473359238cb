#!/usr/bin/env bash
# How fast the fuzz layer finds a known bug: each bug of
# tools/planted-bugs.txt (a mutant of core/ that mutgen.pl derives, named
# by its stable id) is planted in a scratch copy of the tree, never in the
# checkout, and built with the `fuzz` preset (libFuzzer, ASan+UBSan). Then,
# per bug:
#
#   sweep    fuzz_attach_replay --sweep over corpus/fuzz_attach: whether
#            the fail-nth sweep reports it, and the first invariant that
#            fails;
#   fuzz     fuzz_attach from an empty corpus, once per seed 1..N, until
#            it reports the bug or the time runs out: the executions it
#            took (less disturbed by the machine's load than the wall
#            time, but not the same from one run with a seed to the
#            next) and the wall time.
#
# These are figures to watch, not tests: nothing fails on a slow machine.
# A bug that is neither reported by the sweep nor found by any seed in
# time makes the exit status 1, as does a fuzz run that fails on the
# unplanted tree (a false alarm would make every figure meaningless).
#
# Usage: tools/bench-planted.sh [--seeds N] [--seconds S] [--bug NAME]...
#                               [--list]
#   --seeds N    fuzz runs per bug, with seeds 1 to N, 1 to 20 (default 3)
#   --seconds S  the most one fuzz run may take, 1 to 3600 (default 60)
#   --bug NAME   only this bug of the bugs file (repeatable)
#   --bugs FILE  the bugs file (default tools/planted-bugs.txt)
#   --list       print the bugs (name, mutant id, what it is) and exit
# The scratch tree and its build stay in build/planted, so a second run
# rebuilds only what changed. Builds run with two jobs under nice -n 10.
# Exit status: 0, 1 a bug went unfound or the unplanted tree failed,
# 2 usage (nothing was done).
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."
top=$PWD
. tools/lib/args.sh
. tools/lib/build.sh
. tools/lib/median.sh
. tools/lib/scratch.sh

prog=tools/bench-planted.sh
bugs_file=tools/planted-bugs.txt
gen=tools/mutants/mutgen.pl
seeds=3
secs=60
list=0
want=()
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--seeds) args_value "$@"; seeds=$(args_uint --seeds "$2" 1 20); shift ;;
	--seconds) args_value "$@"; secs=$(args_uint --seconds "$2" 1 3600); shift ;;
	--bug) args_value "$@"; want+=("$2"); shift ;;
	--bugs) args_value "$@"; bugs_file=$2
		case "$2" in /*) ;; *) bugs_file=$here/$2 ;; esac
		shift ;;
	--list) list=1 ;;
	*) args_unknown "$1" ;;
	esac
	shift
done

[ -f "$bugs_file" ] && [ -r "$bugs_file" ] ||
	args_die "--bugs '${bugs_file#"$here"/}' is not a readable file"
# The bugs: "NAME ID what it is", one a line, # comments. Every id must be
# one mutgen.pl derives today (an id dies when its statement changes).
all_ids=$(perl "$gen" list core/*.c | cut -f1)
declare -A bug_id=() bug_what=()
names=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case "$line" in '' | '#'*) continue ;; esac
	read -r name id what <<<"$line"
	[ -n "$what" ] || args_die "$bugs_file:$lineno: '$line' is not 'NAME MUTANT-ID what it is'"
	grep -qxF -- "$id" <<<"$all_ids" ||
		args_die "$bugs_file:$lineno: mutgen.pl derives no mutant '$id' from core/ (tools/mutants/mutants.sh --list shows the ids)"
	[[ $name =~ ^[a-z0-9-]+$ ]] ||
		args_die "$bugs_file:$lineno: bad name '$name' (lower case letters, digits and -)"
	[ -z "${bug_id[$name]+x}" ] ||
		args_die "$bugs_file:$lineno: bug '$name' named twice"
	bug_id[$name]=$id
	bug_what[$name]=$what
	names+=("$name")
done <"$bugs_file"
for name in ${want[@]+"${want[@]}"}; do
	[ -n "${bug_id[$name]+x}" ] ||
		args_die "no bug '$name' in $bugs_file (one of: ${names[*]})"
done
[ ${#names[@]} -gt 0 ] || args_die "$bugs_file names no bug"
[ ${#want[@]} -gt 0 ] && names=("${want[@]}")
if [ "$list" -eq 1 ]; then
	for name in "${names[@]}"; do
		printf '%s\t%s\t%s\n' "$name" "${bug_id[$name]}" "${bug_what[$name]}"
	done
	exit 0
fi

work=$top/build/planted
src=$work/src
bdir=$src/build/fuzz
mkdir -p "$work"
scratch_sync "$top" "$work"

# build LOG: the two executables of the scratch tree, as it is now, by
# tools_build in the scratch tree, its subshell and the build under it
# reniced.
build() {
	(cd "$src" && renice -n 10 -p "$BASHPID" >/dev/null &&
	 tools_build fuzz "$1" fuzz_attach fuzz_attach_replay)
}

# fuzz DIR SEED: one run of fuzz_attach from an empty corpus; prints
# "found EXECS SECONDS" or "missed EXECS SECONDS", its log in DIR/log.
fuzz() {
	local dir=$1 seed=$2 start end rc=0 execs
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	start=$(date +%s.%N)
	(cd "$src" && ASAN_OPTIONS=detect_leaks=1 "$bdir/fuzz/fuzz_attach" \
		-seed="$seed" -max_total_time="$secs" -max_len=384 \
		-dict=fuzz/fuzz_attach.dict -print_final_stats=1 \
		-artifact_prefix="$dir/" "$dir/corpus") >"$dir/log" 2>&1 || rc=$?
	end=$(date +%s.%N)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	if [ "$rc" -ne 0 ] && ls "$dir"/crash-* >/dev/null 2>&1; then
		printf 'found'
	elif [ "$rc" -eq 0 ]; then
		printf 'missed'
	else
		echo "bench-planted: fuzz_attach failed without a crash file (exit $rc), see $dir/log" >&2
		tail -n 20 "$dir/log" >&2
		return 1
	fi
	awk -v s="$start" -v e="$end" -v n="${execs:-?}" \
		'BEGIN { printf " %s %.1f\n", n, e - s }'
}

# report_of LOG: the line of LOG that tells what failed, cut short: the
# harness's invariant, else a sanitizer's report, else libFuzzer's.
report_of() {
	local line
	line=$(grep -m1 -oE 'INVARIANT VIOLATED.*|runtime error: .*|ERROR: [A-Za-z]+Sanitizer: .*|ERROR: libFuzzer: .*' "$1" || true)
	echo "${line:-no report in $1}" | cut -c1-120
}

echo "bench-planted: building the unplanted scratch tree in $src"
build "$work/build.log"
unfound=0
# The unplanted tree must not fail: a false alarm is not a find.
r=$(fuzz "$work/clean" 1)
case "$r" in
missed*) echo "unplanted: seed 1 ran ${secs}s without a report ($(cut -d' ' -f2 <<<"$r") executions)" ;;
*) echo "bench-planted: the unplanted tree fails (see $work/clean)" >&2; exit 1 ;;
esac

for name in "${names[@]}"; do
	id=${bug_id[$name]}
	file=core/${id%%:*}
	dir=$work/$name
	rm -rf "$dir"
	mkdir -p "$dir"
	perl "$gen" apply "$src/$file" "$id" >"$dir/planted.c"
	cp "$src/$file" "$dir/pristine.c"
	cp "$dir/planted.c" "$src/$file"
	# Whatever happens below, the scratch tree goes back to the checkout.
	trap 'cp "$dir/pristine.c" "$src/$file"; touch "$src/$file"' EXIT
	build "$dir/build.log"

	# The subshell waits for the replay (the exit after it), so that the
	# shell's note of an abort goes to the log, not to the output.
	if (cd "$src" && "$bdir/fuzz/fuzz_attach_replay" --sweep \
		corpus/fuzz_attach; exit $?) >"$dir/sweep.log" 2>&1; then
		sweep="not reported"
	else
		sweep="reported: $(report_of "$dir/sweep.log")"
	fi
	found=() times=() missed=0 first=
	for seed in $(seq "$seeds"); do
		r=$(fuzz "$dir/seed$seed" "$seed")
		read -r how execs t <<<"$r"
		if [ "$how" = found ]; then
			[ ${#found[@]} -gt 0 ] ||
				first="seed $seed: $(report_of "$dir/seed$seed/log")"
			found+=("$execs")
			times+=("$t")
		else
			missed=$((missed + 1))
		fi
	done
	cp "$dir/pristine.c" "$src/$file"
	touch "$src/$file"
	trap - EXIT

	echo "$name ($id): ${bug_what[$name]}"
	echo "  sweep: $sweep"
	if [ ${#found[@]} -gt 0 ]; then
		med=$(printf '%s\n' "${found[@]}" | median)
		echo "  fuzz: found by ${#found[@]} of $seeds seeds; executions ${found[*]} (median $med); seconds ${times[*]}"
		echo "  fuzz: $first"
	else
		echo "  fuzz: found by no seed in ${secs}s"
	fi
	[ "$missed" -gt 0 ] && echo "  fuzz: $missed seed(s) ran ${secs}s without finding it"
	if [ "$sweep" = "not reported" ] && [ ${#found[@]} -eq 0 ]; then
		unfound=$((unfound + 1))
	fi
done
echo "bench-planted: ${#names[@]} bug(s), $unfound unfound; load $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$unfound" -eq 0 ]
