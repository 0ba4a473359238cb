#!/usr/bin/env bash
# Mutation testing of core/: how many error-path bugs the tests catch.
#
# mutgen.pl derives mutants from core/*.c (a cleanup skipped on an unwind
# path, an error left unset, an errno replaced by a constant, and the other
# classes its header lists), each with a stable id. Every mutant is applied
# to a scratch copy of the tree (never the checkout itself), built, and run
# against the kill set, in this order, stopping at the first stage that
# fails:
#   replay  fuzz_attach_replay over corpus/fuzz_attach and corpus/regress
#   sweep   the fail-nth sweep over corpus/fuzz_attach
#   core    the core unit tests (ctest -L core)
# each test as CTest describes it (its command and working directory, the
# asan test preset's environment: ASan+UBSan, leaks detected) but run
# without CTest by a script killset.cmake writes, the tests of one check.h
# executable in one process; a stage that outlives its timeout counts as a
# kill. A mutant that does not
# compile is reported and not counted. The last line is the figure:
#
#   mutants: K killed / N
#
# N counts the mutants that compiled and are not listed in the equivalents
# file (tools/mutants/equivalent.txt: "ID reason", one a line, # comments).
#
# Scratch trees: one per job, DIR/slotJ/src (a copy of the tracked and
# unignored files of the checkout) with its build in src/build/asan. Each
# mutant is applied in place, built (ninja recompiles the one file and
# relinks), run, and the file restored. Without --fast the trees are made
# and built afresh for the run and removed after it; with --fast they are
# kept in DIR between runs and only brought up to date (changed files
# copied, ninja rebuilding what they touch).
#
# Usage: tools/mutants/mutants.sh [-j N] [--fast] [--class C[,C...]]
#          [--file F[,F...]] [--id ID]... [--stages S[,S...]]
#          [--all-stages] [--timeout SECONDS] [--equivalent FILE]
#          [--work DIR] [--list] [--report-only]
#   -j N           jobs (scratch trees) in parallel, 1-8 (default 1)
#   --fast         keep and reuse the scratch trees and their builds
#   --class C      only mutants of these classes (mutgen.pl classes)
#   --file F       only mutants of these files of core/ (device.c, device)
#   --id ID        only this mutant (repeatable)
#   --stages S     the kill set's stages to run: replay, sweep, core
#                  (default all three, in that order)
#   --all-stages   run every stage on every mutant, and tell what each
#                  stage kills alone
#   --timeout S    seconds one stage may take on one mutant (default ten
#                  times what it took on the unmutated tree, at least 30)
#   --equivalent F the equivalents file (default tools/mutants/equivalent.txt)
#   --work DIR     where the scratch trees go (default build/mutants)
#   --list         print the selected mutants and exit
#   --report-only  report again on the selected mutants from the results
#                  a --fast run left in DIR, running nothing
# Builds and tests run under nice -n 10.
# Exit status: 0 every counted mutant was killed and every listed
# equivalent survived; 1 a survivor, a listed equivalent that was killed,
# or a scratch tree that does not build or pass its tests unmutated;
# 2 usage.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
gen=$top/tools/mutants/mutgen.pl
. "$top/tools/lib/scratch.sh"
usage_line="usage: mutants.sh [-j N] [--fast] [--class C[,C...]] [--file F[,F...]] [--id ID]... [--stages S[,S...]] [--all-stages] [--timeout SECONDS] [--equivalent FILE] [--work DIR] [--list] [--report-only]"

# The kill set, in the order it runs: stage name and its CTest selection.
declare -A stage_select=(
	[replay]='-R ^fuzz_corpus_replay$'
	[sweep]='-R ^fuzz_corpus_sweep$'
	[core]='-L ^core$'
)
all_stages=(replay sweep core)

usage_error() {
	echo "mutants.sh: $*" >&2
	echo "$usage_line" >&2
	exit 2
}

need_value() {
	[ $# -ge 2 ] || usage_error "$1 needs a value"
}

jobs=1 fast=0 timeout='' list_only=0 each_stage=0 report_only=0
# The unmutated tree's stages must pass within this.
max_timeout=600
equiv=$top/tools/mutants/equivalent.txt
work=$top/build/mutants
classes=() files=() ids=() stages=("${all_stages[@]}")
while [ $# -gt 0 ]; do
	case "$1" in
	-j|--jobs) need_value "$@"; jobs=$2; shift ;;
	-j*) jobs=${1#-j} ;;
	--fast) fast=1 ;;
	--class) need_value "$@"; IFS=, read -ra v <<<"$2"; classes+=("${v[@]}"); shift ;;
	--file) need_value "$@"; IFS=, read -ra v <<<"$2"; files+=("${v[@]}"); shift ;;
	--id) need_value "$@"; ids+=("$2"); shift ;;
	--stages) need_value "$@"; IFS=, read -ra stages <<<"$2"; shift ;;
	--all-stages) each_stage=1 ;;
	--timeout) need_value "$@"; timeout=$2; shift ;;
	--equivalent) need_value "$@"; equiv=$2; shift ;;
	--work) need_value "$@"; work=$2; shift ;;
	--list) list_only=1 ;;
	--report-only) report_only=1 ;;
	-h|--help) echo "$usage_line"; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done

[[ $jobs =~ ^[1-8]$ ]] || usage_error "bad -j '$jobs' (a number of jobs, 1-8)"
[ -z "$timeout" ] || [[ $timeout =~ ^[1-9][0-9]{0,3}$ ]] ||
	usage_error "bad --timeout '$timeout' (seconds, 1-9999)"
known_classes=$(perl "$gen" classes)
for c in "${classes[@]}"; do
	grep -qxF -- "$c" <<<"$known_classes" ||
		usage_error "unknown class '$c' (one of: $(echo $known_classes))"
done
[ ${#stages[@]} -gt 0 ] || usage_error "--stages names no stage"
for s in "${stages[@]}"; do
	[ -n "${stage_select[$s]+x}" ] ||
		usage_error "unknown stage '$s' (one of: ${all_stages[*]})"
done
# Keep the kill set's own order whatever order --stages gave.
ordered=()
for s in "${all_stages[@]}"; do
	for t in "${stages[@]}"; do
		[ "$s" = "$t" ] && { ordered+=("$s"); break; }
	done
done
stages=("${ordered[@]}")
sources=()
for f in "${files[@]}"; do
	b=${f#core/}
	b=${b%.c}
	[[ $b =~ ^[a-z_]+$ ]] && [ -f "$top/core/$b.c" ] ||
		usage_error "no file '$f' in core/ (a name like device.c)"
	sources+=("core/$b.c")
done
if [ ${#sources[@]} -eq 0 ]; then
	for f in "$top"/core/*.c; do
		sources+=("core/${f##*/}")
	done
fi
[ -f "$equiv" ] && [ -r "$equiv" ] ||
	usage_error "no readable equivalents file '$equiv'"
case "$work" in
/*) ;;
*) work=$PWD/$work ;;
esac
case "$work/" in
"$top/build/"*) ;;
"$top/"*) usage_error "--work '$work' is inside the checkout but not under build/" ;;
esac

# The equivalents: id -> reason.
declare -A equivalent=()
lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case "$line" in ''|'#'*) continue ;; esac
	read -r id reason <<<"$line"
	[ -n "$reason" ] || {
		echo "mutants.sh: $equiv:$lineno: '$id' has no reason" >&2
		exit 2
	}
	equivalent[$id]=$reason
done <"$equiv"

# The selected mutants, tab-separated: id file line class description.
all=$(cd "$top" && perl "$gen" list "${sources[@]}")
all_ids=$(cut -f1 <<<"$all")
selected=$all
if [ ${#classes[@]} -gt 0 ]; then
	selected=$(awk -F'\t' -v list="${classes[*]}" '
		BEGIN { n = split(list, c, " "); for (i = 1; i <= n; i++) want[c[i]] = 1 }
		want[$4]' <<<"$selected")
fi
if [ ${#ids[@]} -gt 0 ]; then
	for id in "${ids[@]}"; do
		grep -qxF -- "$id" <<<"$all_ids" ||
			usage_error "no mutant '$id' in ${sources[*]}"
	done
	selected=$(awk -F'\t' -v list="${ids[*]}" '
		BEGIN { n = split(list, c, " "); for (i = 1; i <= n; i++) want[c[i]] = 1 }
		want[$1]' <<<"$selected")
fi
if [ -z "$selected" ]; then
	echo "mutants.sh: no mutant selected" >&2
	exit 2
fi
if [ "$list_only" -eq 1 ]; then
	echo "$selected"
	exit 0
fi
total=$(wc -l <<<"$selected")

# -- scratch trees ----------------------------------------------------------

if [ "$report_only" -eq 1 ]; then
	[ -d "$work/results" ] ||
		usage_error "--report-only: no results of a --fast run in '$work'"
	run=$work
	results=$run/results
	start=$SECONDS
fi
mkdir -p "$work"
if [ "$report_only" -eq 1 ]; then
	:
elif [ "$fast" -eq 1 ]; then
	run=$work
else
	run=$(mktemp -d "$work/run.XXXXXX")
	trap 'rm -rf "$run"' EXIT
fi
if [ "$report_only" -eq 0 ]; then
	results=$run/results
	mkdir -p "$results"
	rm -f "$results"/*
fi

# Write slot $1's stage scripts (stage_NAME.sh, killset.cmake) from CTest's
# description of each stage's tests, and the build targets each runs (the
# executables of the build tree it names) to targets_NAME.
write_stages() {
	local slot=$1 src=$1/src bdir=$1/src/build/asan s
	for s in "${all_stages[@]}"; do
		# shellcheck disable=SC2086
		(cd "$src" && ctest --preset asan --show-only=json-v1 \
			${stage_select[$s]}) >"$slot/stage_$s.json" || return 1
		cmake -DTESTS="$slot/stage_$s.json" -DPRESETS="$src/CMakePresets.json" \
			-DPRESET=asan -DOUT="$slot/stage_$s.sh" \
			-P "$top/tools/mutants/killset.cmake" || return 1
		perl -0777 -ne 'print "$1\n" while /"command"\s*:\s*\[\s*"([^"]+)"/g' \
			"$slot/stage_$s.json" | while read -r exe; do
			case "$exe" in "$bdir"/*) basename "$exe" ;; esac
		done | sort -u >"$slot/targets_$s"
		[ -s "$slot/targets_$s" ] || return 1
	done
}

# Configure and build slot $1 unmutated; check that it passes every stage,
# and set each stage's timeout from the time it took.
prepare_slot() {
	local slot=$1 src=$1/src log=$1/prepare.log s t t0
	scratch_sync "$top" "$slot"
	# Everything once: CTest names a test's executable only when it exists.
	if ! { (cd "$src" && nice -n 10 cmake --preset asan -DIOFD_LIBFUZZER=OFF) &&
	       nice -n 10 cmake --build "$src/build/asan" -j "$build_jobs" &&
	       write_stages "$slot"; } >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "mutants.sh: the unmutated scratch tree $src does not build (see $log)" >&2
		return 1
	fi
	: >"$slot/timeouts"
	for s in "${stages[@]}"; do
		t0=$SECONDS
		if ! nice -n 10 timeout -k 10 "$max_timeout" \
			bash "$slot/stage_$s.sh" >>"$log" 2>&1; then
			tail -n 30 "$log" >&2
			echo "mutants.sh: the unmutated scratch tree fails stage $s (see $log)" >&2
			return 1
		fi
		# A mutant's stage may take ten times the unmutated one's
		# (at least 30 s) before it counts as hung, or --timeout.
		t=$((10 * (SECONDS - t0 + 1)))
		[ "$t" -ge 30 ] || t=30
		[ -z "$timeout" ] || t=$timeout
		echo "$s $t" >>"$slot/timeouts"
	done
}

# Run one mutant in slot $1: apply, build, run the stages, restore. Prints
# "id<TAB>status<TAB>stages<TAB>seconds" where status is killed, survived
# or uncompiled and stages names the stages that killed it (first, or all
# with --all-stages; "name:timeout" for a stage that timed out).
run_mutant() {
	local slot=$1 id=$2 file=$3 src=$1/src log=$1/log/${2//[:\/]/_}
	local start=$SECONDS status=survived killers='' s rc t
	local pristine=$1/pristine/${3##*/}

	mkdir -p "$slot/log" "$slot/pristine"
	# The slot's copy is unmutated here (restored after every mutant,
	# and synced from the checkout at the start of a run).
	cp -p "$src/$file" "$pristine"
	perl "$gen" apply "$pristine" "$id" >"$slot/mutant.c" 2>"$log" ||
		{ echo "mutants.sh: cannot apply $id" >&2; return 1; }
	if cmp -s "$slot/mutant.c" "$pristine"; then
		echo "mutants.sh: mutant $id changes nothing" >&2
		return 1
	fi
	cp "$slot/mutant.c" "$src/$file"
	# Each stage builds only what it runs, just before it runs: most
	# mutants fall to the first stage, which needs one executable.
	for s in "${stages[@]}"; do
		if ! nice -n 10 cmake --build "$src/build/asan" -j 1 \
			--target $(cat "$slot/targets_$s") >>"$log" 2>&1; then
			status=uncompiled
			killers=''
			break
		fi
		rc=0
		t=$(awk -v s="$s" '$1 == s { print $2 }' "$slot/timeouts")
		nice -n 10 timeout -k 10 "$t" bash "$slot/stage_$s.sh" \
			>>"$log" 2>&1 || rc=$?
		[ "$rc" -eq 0 ] && continue
		status=killed
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && s=$s:timeout
		killers=${killers:+$killers,}$s
		[ "$each_stage" -eq 1 ] || break
	done
	# The restored file is newer than the mutant's object: the next build
	# recompiles it.
	cp "$pristine" "$src/$file"
	touch "$src/$file"
	printf '%s\t%s\t%s\t%s\n' "$id" "$status" "${killers:--}" \
		$((SECONDS - start))
}

# Job $1 of $jobs: every jobs-th selected mutant, from the $1-th.
run_job() {
	local j=$1 slot=$run/slot$1 n=0 i=0 id file line class desc r
	while IFS=$'\t' read -r id file line class desc; do
		i=$((i + 1))
		[ $(((i - 1) % jobs)) -eq $((j - 1)) ] || continue
		r=$(run_mutant "$slot" "$id" "$file") || return 1
		echo "$r" >>"$results/job$j"
		n=$((n + 1))
		printf '[%d/%d] %s %s:%s %s (%s)\n' "$i" "$total" \
			"$(cut -f2 <<<"$r")" "${file#core/}" "$line" "$id" \
			"$(cut -f3 <<<"$r")"
	done <<<"$selected"
}

# Two compilers in all: both for one job, one each for two.
build_jobs=$((jobs > 1 ? 1 : 2))
if [ "$report_only" -eq 0 ]; then
	start=$SECONDS
	echo "mutants.sh: $total mutants, $jobs job(s), stages ${stages[*]}, scratch trees in $run"
	pids=()
	for j in $(seq 1 "$jobs"); do
		prepare_slot "$run/slot$j" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || exit 1
	done
	pids=()
	for j in $(seq 1 "$jobs"); do
		run_job "$j" &
		pids+=($!)
	done
	failed=0
	for p in "${pids[@]}"; do
		wait "$p" || failed=1
	done
	[ "$failed" -eq 0 ] || { echo "mutants.sh: a job failed" >&2; exit 1; }
fi

# -- report -----------------------------------------------------------------

export LC_ALL=C
cat "$results"/job* 2>/dev/null | sort >"$run/all-results"
for id in "${!equivalent[@]}"; do
	echo "$id"
done | sort >"$run/equivalent-ids"
# fields: id file line class desc status killers seconds equivalent(0/1)
report=$(join -t $'\t' <(sort <<<"$selected") "$run/all-results" |
	awk -F'\t' -v OFS='\t' -v eqf="$run/equivalent-ids" '
		BEGIN { while ((getline id < eqf) > 0) eq[id] = 1 }
		{ print $0, ($1 in eq) ? 1 : 0 }')
status=0
survivors=$(awk -F'\t' '$6 == "survived" && !$9' <<<"$report" |
	sort -t $'\t' -k2,2 -k3,3n)
if [ -n "$survivors" ]; then
	awk -F'\t' '{ printf "survived: %s  %s:%s  %s  %s\n", $1, $2, $3, $4, $5 }' \
		<<<"$survivors"
	status=1
fi
wrong=$(awk -F'\t' '$6 == "killed" && $9' <<<"$report")
if [ -n "$wrong" ]; then
	awk -F'\t' '{ printf "listed as equivalent but killed by %s: %s  %s:%s  %s  %s\n",
		$7, $1, $2, $3, $4, $5 }' <<<"$wrong"
	status=1
fi
# An equivalence for a mutant that no longer exists is stale (the code
# changed under it): say so, so that the list is kept true.
printf 'core/%s\n' "${sources[@]#core/}" >"$run/sources"
while read -r id; do
	grep -qxF -- "core/${id%%:*}" "$run/sources" || continue
	grep -qxF -- "$id" <<<"$all_ids" ||
		echo "equivalents file: '$id' is no mutant of core/${id%%:*} (stale?)"
done <"$run/equivalent-ids"
uncompiled=$(awk -F'\t' '$6 == "uncompiled" { printf "%s ", $1 }' <<<"$report")
[ -z "$uncompiled" ] || echo "did not compile (not counted): $uncompiled"
echo "equivalent (listed, survived): $(awk -F'\t' '$6 == "survived" && $9 { n++ }
	END { print n + 0 }' <<<"$report")"
for s in "${stages[@]}"; do
	if [ "$each_stage" -eq 1 ]; then
		echo "stage $s alone kills: $(awk -F'\t' -v s="$s" '
			$6 == "killed" { n = split($7, k, ","); for (i = 1; i <= n; i++)
				{ sub(/:timeout$/, "", k[i]); if (k[i] == s) { c++; break } } }
			END { print c + 0 }' <<<"$report")"
	else
		echo "first killed by $s: $(awk -F'\t' -v s="$s" '
			$6 == "killed" { split($7, k, ","); sub(/:timeout$/, "", k[1]);
				if (k[1] == s) c++ } END { print c + 0 }' <<<"$report")"
	fi
done
echo "timed out: $(awk -F'\t' '$7 ~ /:timeout/ { n++ } END { print n + 0 }' <<<"$report")"
# Per class, and the figure: compiled mutants not listed as equivalent.
counted=$(awk -F'\t' '$6 != "uncompiled" && !$9' <<<"$report")
for c in $known_classes; do
	awk -F'\t' -v c="$c" '$4 == c { n++; if ($6 == "killed") k++ }
		END { if (n) printf "class %-13s %d killed / %d\n", c, k, n }' <<<"$counted"
done
[ "$report_only" -eq 1 ] || echo "wall time: $((SECONDS - start)) s"
awk -F'\t' 'NF { n++; if ($6 == "killed") k++ }
	END { printf "mutants: %d killed / %d\n", k, n }' <<<"$counted"
exit "$status"
