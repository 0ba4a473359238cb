#!/usr/bin/env bash
# The main job: set up, build the libFuzzer target, and fuzz the core against
# the emulator for a bounded time starting from corpus/, then print a summary.
#
# While it fuzzes, a status line says how far it is, at least every 5 s
# (in place on a terminal, a line every 5 s in a log): the time against the
# total with a bar, runs (libFuzzer reports them at each new input and at
# powers of two; between reports "~" marks the count its average exec/s
# gives), exec/s, the core branch coverage the corpus reaches so far (lcov
# over a gcc --coverage replay of every input kept, as tools/coverage.sh
# counts it), the corpus size and the crashes. Ctrl-C stops the run: the
# summary is still printed and nothing is left running.
#
# Each run has a directory of its own, build/fuzz/runs/<date-time>/, and
# build/fuzz/main-run points at the newest: its log, the new inputs
# (libFuzzer writes into its first corpus directory, so the checkout's
# tracked files are never touched), crash artifacts, the lcov report of the
# corpus and campaign.png, a picture of the run (core coverage and corpus
# size over time, drawn by gnuplot). A rerun never deletes a run that found
# a crash; of the others it keeps the newest five.
#
# Usage: tools/main.sh [--seconds S] [--no-coverage] [--help]
#   --seconds S    fuzz for S seconds, 1 to 604800 (default: IOFD_FUZZ_SECONDS,
#                  else 60)
#   --no-coverage  skip the gcc coverage build and the lcov figures (the
#                  summary says how to get them: tools/coverage.sh --corpus)
# Exit status: 0 when the run found nothing, 1 when it found a crash or an
# invariant violation, 2 for a usage error (nothing was done), 130 when
# stopped by Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/args.sh
. tools/lib/coverage.sh
. tools/lib/plot.sh
. tools/lib/progress.sh

prog=tools/main.sh
secs=$(args_env_uint IOFD_FUZZ_SECONDS 60 1 604800)
coverage=1
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--seconds) args_value "$@"; secs=$(args_uint --seconds "$2" 1 604800); shift ;;
	--no-coverage) coverage=0 ;;
	*) args_unknown "$1" ;;
	esac
	shift
done

say() { printf 'main: %s\n' "$*"; }
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

say "step 1/4: tools/setup.sh (installs only what is missing)"
bash tools/setup.sh
say "step 2/4: building the fuzzing build (build/fuzz: clang, libFuzzer, ASan+UBSan)"
progress_run -q "main: configure (fuzz)" cmake --preset fuzz
progress_run "main: build (fuzz)" nice -n 10 cmake --build --preset fuzz -j 2 \
	--target fuzz_attach fuzz_attach_replay
if [ "$coverage" -eq 1 ]; then
	say "step 3/4: building the coverage build (build/coverage: gcc --coverage, for the core branch figure)"
	progress_run -q "main: configure (coverage)" cmake --preset coverage
	progress_run "main: build (coverage)" nice -n 10 cmake --build --preset coverage -j 2 \
		--target fuzz_attach_replay
else
	say "step 3/4: no coverage build (--no-coverage)"
fi

# --- this run's directory; earlier runs kept --------------------------
runs=build/fuzz/runs
mkdir -p "$runs"
if [ -d build/fuzz/main-run ] && [ ! -L build/fuzz/main-run ]; then
	# a run from before runs/ existed
	mv build/fuzz/main-run "$runs/earlier-$(date -r build/fuzz/main-run +%Y%m%d-%H%M%S)"
fi
# Runs that found nothing: the newest five stay. Runs with artifacts stay.
kept_crashes=()
n=0
for d in $(ls -1d "$runs"/*/ 2>/dev/null | sort -r); do
	d=${d%/}
	if [ -n "$(find "$d/artifacts" -type f -print -quit 2>/dev/null)" ]; then
		kept_crashes+=("$d")
		continue
	fi
	n=$((n + 1))
	[ "$n" -lt 5 ] || rm -rf -- "$d"
done
work=$runs/$(date +%Y%m%d-%H%M%S)
[ ! -e "$work" ] || work=$work-$$
mkdir -p "$work/corpus" "$work/artifacts"
ln -sfn "runs/$(basename "$work")" build/fuzz/main-run
seeds=$(find corpus/fuzz_attach corpus/regress -type f ! -name 'README*' | wc -l)

# --- the run ----------------------------------------------------------
fpid="" tpid=""
# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
	local p
	for p in $fpid $tpid; do
		kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT
stopped=0
# The first Ctrl-C stops the fuzzer (which then prints its final stats) and
# goes on to the summary; a second one stops everything at once.
on_int() {
	if [ "$stopped" -eq 1 ]; then
		exit 130
	fi
	stopped=1
	[ -z "$fpid" ] || kill -INT "$fpid" 2>/dev/null || true
}
trap on_int INT
trap 'stopped=1; exit 143' TERM HUP

say "step 4/4: fuzzing for $(mmss "$secs") from $seeds seeds (Ctrl-C stops it early; this run: $work)"
# A session of its own: the terminal's Ctrl-C reaches this script only,
# which passes it on, and the EXIT trap can take the whole group down.
setsid build/fuzz/fuzz/fuzz_attach -max_total_time="$secs" \
	-print_final_stats=1 -dict=fuzz/fuzz_attach.dict \
	-artifact_prefix="$work/artifacts/" \
	"$work/corpus" corpus/fuzz_attach corpus/regress >"$work/log" 2>&1 &
fpid=$!
start=$(date +%s)

cov_state=$work/covtick
if [ "$coverage" -eq 1 ]; then
	find build/coverage -name '*.gcda' -delete
fi
# Start a live coverage step unless one is running or one ran < 8 s ago.
last_tick=0
tick() {
	local now
	[ "$coverage" -eq 1 ] || return 0
	if [ -n "$tpid" ]; then
		kill -0 "$tpid" 2>/dev/null && return 0
		wait "$tpid" 2>/dev/null || true
		tpid=""
	fi
	now=$(date +%s)
	[ $((now - last_tick)) -ge 8 ] || return 0
	last_tick=$now
	setsid tools/lib/covtick.sh build/coverage "$cov_state" \
		corpus/fuzz_attach corpus/regress "$work/corpus" >/dev/null 2>&1 &
	tpid=$!
}

# The newest libFuzzer report line ("#N ... cov: C ft: F corp: K/S ...
# exec/s: E"), as "N C F K E"; zeros before the first.
fuzz_report() {
	{ tac "$work/log" 2>/dev/null || true; } | tr '\r' '\n' |
		grep -a -m 1 -E '^#[0-9]+' | awk '
		{ n = substr($1, 2); c = f = k = e = 0
		  for (i = 2; i < NF; i++) {
			if ($i == "cov:") c = $(i + 1)
			if ($i == "ft:") f = $(i + 1)
			if ($i == "corp:") { k = $(i + 1); sub(/\/.*/, "", k) }
			if ($i == "exec/s:") e = $(i + 1)
		  }
		  last = n " " c " " f " " k " " e }
		END { print (last == "" ? "0 0 0 0 0" : last) }'
}

tty=0
[ -t 1 ] && tty=1
cols=$( { [ "$tty" -eq 1 ] && tput cols 2>/dev/null; } || echo 200)
core_h="" core_f=""
line=""
# 1234 -> 1234, 75123 -> 75.1k, 1234567 -> 1.23M
human() {
	awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%.2fM", n / 1e6;
		else if (n >= 1e4) printf "%.1fk", n / 1e3; else printf "%d", n }'
}
status_line() {
	local t=$1 final=${2:-0} n c f k e runs bar fill width=12 cov new crashes

	read -r n c f k e < <(fuzz_report)
	runs=$(human "$n")
	if [ "$final" -eq 0 ] && [ "$e" -gt 0 ] && [ $((e * t)) -gt "$n" ]; then
		runs="~$(human $((e * t)))"
	fi
	[ "$t" -le "$secs" ] || t=$secs
	fill=$((width * t / secs))
	bar=$(printf '%*s' "$fill" '' | tr ' ' '#')$(printf '%*s' $((width - fill)) '' | tr ' ' '.')
	if [ -f "$cov_state/figure" ]; then
		read -r core_h core_f <"$cov_state/figure"
		cov="core $(cov_text "$core_h" "$core_f")"
	elif [ "$coverage" -eq 1 ]; then
		cov="core (measuring)"
	else
		cov="core (off)"
	fi
	new=$(find "$work/corpus" -type f | wc -l)
	crashes=$(find "$work/artifacts" -type f | wc -l)
	line="[$bar] $(mmss "$t")/$(mmss "$secs") $runs runs $e/s $cov corpus $k (+$new) crashes $crashes"
	printf '%s %s %s %s %s\n' "$t" "$c" "$f" "$k" "${core_h:--}" >>"$work/plot.dat"
}

# A Ctrl-C also kills whatever this loop is running at that moment (a
# find, a sleep): that must not end the script before the summary.
set +e
shown=0
while kill -0 "$fpid" 2>/dev/null; do
	tick
	t=$(($(date +%s) - start))
	status_line "$t"
	if [ "$tty" -eq 1 ]; then
		printf '\r\033[K%s' "${line:0:$((cols - 1))}"
	elif [ $((t - shown)) -ge 4 ]; then
		# 4, not 5: a turn of this loop takes up to a second more
		echo "$line"
		shown=$t
	fi
	sleep 0.5
done
wait "$fpid"
rc=$?
fpid=""
set -e
elapsed=$(($(date +%s) - start))
status_line "$elapsed" 1
[ "$tty" -eq 0 ] || printf '\r\033[K'
echo "$line"
# A live coverage step still running is of no use now: the summary
# measures the whole corpus afresh.
if [ -n "$tpid" ]; then
	kill -TERM -- "-$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
	tpid=""
fi

# --- the summary --------------------------------------------------------
stat() { sed -n "s/^stat::$1: *//p" "$work/log" | tail -n 1; }
libcov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$work/log" | tail -n 1 || true)
crashes=$(find "$work/artifacts" -type f | wc -l)
new=$(find "$work/corpus" -type f | wc -l)

cov_line="not measured (--no-coverage): tools/coverage.sh --corpus $work/corpus measures the new inputs"
report=""
# The seeds' figure, then the figure with the new inputs and its HTML
# report, into $work/final: "seeds_hit seeds_found hit found html".
final_coverage() {
	local bdir=build/coverage replay=build/coverage/fuzz/fuzz_attach_replay
	local html=-

	find "$bdir" -name '*.gcda' -delete
	cov_replay "$replay" corpus/fuzz_attach corpus/regress
	cov_capture "$bdir" "$work/lcov-seeds"
	cov_replay "$replay" "$work/corpus"
	cov_capture "$bdir" "$work/lcov"
	cov_html "$work/lcov/core.info" "$work/lcov/html" &&
		html=$work/lcov/html/index.html
	echo "$(cov_figure "$work/lcov-seeds/core.info") $(cov_figure "$work/lcov/core.info") $html" \
		>"$work/final"
}
if [ "$coverage" -eq 1 ]; then
	say "measuring the core branch coverage of the corpus (lcov, as tools/coverage.sh counts it)"
	final_coverage &
	tpid=$!
	t0=$(date +%s)
	while kill -0 "$tpid" 2>/dev/null; do
		sleep 1
		t=$(($(date +%s) - t0))
		if [ "$tty" -eq 1 ]; then
			printf '\r\033[Kmain: replaying the corpus through the coverage build and counting (%d s)' "$t"
		elif [ $((t % 5)) -eq 0 ]; then
			say "still measuring ($t s)"
		fi
	done
	[ "$tty" -eq 0 ] || printf '\r\033[K'
	wait "$tpid" || true
	tpid=""
	if read -r sh sf th tf html 2>/dev/null <"$work/final"; then
		cov_line="$(cov_text "$th" "$tf") with the new inputs; the seeds alone: $(cov_text "$sh" "$sf")"
		[ "$html" = - ] || report=$html
		# the last point of the picture: the exact figure
		printf '%s %s %s %s %s\n' "$elapsed" \
			$(fuzz_report | awk '{ print $2, $3, $4 }') "$th" >>"$work/plot.dat"
	else
		cov_line="the measurement failed: tools/coverage.sh --corpus $work/corpus"
	fi
fi
picture="none (needs gnuplot: tools/setup.sh installs gnuplot-nox; see $work/campaign.png.log)"
if plot_libfuzzer "$work/plot.dat" "$work/campaign.png" \
	"fuzz_attach for $(mmss "$secs") from $seeds seeds (core/ has ${tf:-?} branches)"; then
	picture=$work/campaign.png
fi

echo
echo "fuzz_attach summary"
if [ "$stopped" -eq 1 ]; then
	echo "  time:       stopped by Ctrl-C after ${elapsed}s of ${secs}s, against the emulator (ASan+UBSan)"
else
	echo "  time:       ${secs}s of fuzzing (${elapsed}s with start-up and shutdown) against the emulator (ASan+UBSan)"
fi
echo "  seeds:      $seeds (corpus/fuzz_attach, corpus/regress)"
echo "  runs:       $(stat number_of_executed_units)"
echo "  exec/s:     $(stat average_exec_per_sec)"
echo "  core branch coverage: $cov_line"
echo "  libFuzzer:  ${libcov:-?} (edges and features of the instrumented code: core/ and the op decoder)"
echo "  new corpus: $new inputs in $work/corpus (tools/corpus.sh $work/corpus merges them into corpus/)"
echo "  peak RSS:   $(stat peak_rss_mb) MB"
echo "  crashes:    $crashes"
echo "  picture:    $picture"
[ -z "$report" ] || echo "  report:     $report (lcov HTML of core/ for this corpus)"
echo "  log:        $work/log (build/fuzz/main-run is the newest run)"
if [ ${#kept_crashes[@]} -gt 0 ]; then
	echo "  kept:       earlier runs with crash artifacts: ${kept_crashes[*]}"
fi
if [ "$crashes" -ne 0 ] || { [ "$rc" -ne 0 ] && [ "$stopped" -eq 0 ]; }; then
	echo "FAILED: see $work/log; replay with build/fuzz/fuzz/fuzz_attach_replay -v $work/artifacts/*"
	tail -n 40 "$work/log"
	exit 1
fi
if [ "$stopped" -eq 1 ]; then
	echo "STOPPED (nothing found before the stop)"
	exit 130
fi
echo "OK"
