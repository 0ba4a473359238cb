# Sourced by the README's two commands and the long tests they run: no
# step may sit silent. A long command runs through progress_run (its own
# output as it comes, or kept in a log) or progress_ctest (CTest's output
# with the phases of the long tests in between); whenever nothing was said
# for QUIET seconds (7, or IOFD_PROGRESS_QUIET), a line says what is still
# running and for how long.
#
# The channel: ctest is run with IOFD_PROGRESS naming a file; a long test
# (the VM check, the QEMU and kselftest checks) appends one line per phase
# to it with progress_say, and progress_ctest prints those lines as they
# come. Outside progress_ctest (a test run by hand, or by ctest alone)
# progress_say only prints on stdout.

# progress_say WHO MESSAGE...: say a phase of a long test.
progress_say() {
	local who=$1

	shift
	printf '%s: %s\n' "$who" "$*"
	if [ -n "${IOFD_PROGRESS:-}" ]; then
		printf '%s: %s\n' "$who" "$*" >>"$IOFD_PROGRESS" 2>/dev/null || true
	fi
}

# _progress_watch PID OUT SHOW CHAN LINE_FN QUIET_FN: until process PID
# ends, print every new line of the file OUT when SHOW is 1 and hand it to
# LINE_FN, print every new line of CHAN indented after "|", and call
# QUIET_FN SECONDS_SO_FAR whenever nothing was printed for QUIET seconds.
# A stop (Ctrl-C, TERM) takes PID's process group down. Returns PID's
# status.
_progress_watch() {
	local pid=$1 out=$2 show=$3 chan=$4 line_fn=$5 quiet_fn=$6
	local rc=0 quiet said now start alive line part="" cpart="" ofd cfd

	quiet=${IOFD_PROGRESS_QUIET:-7}
	# shellcheck disable=SC2064 # the values are this call's
	trap "kill -TERM -- -$pid 2>/dev/null || kill -TERM $pid 2>/dev/null" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	exec {ofd}<"$out" {cfd}<"$chan"
	start=$(date +%s)
	said=$start
	while :; do
		kill -0 "$pid" 2>/dev/null && alive=1 || alive=0
		now=$(date +%s)
		# A line read without its newline yet is kept for the next turn.
		while IFS= read -r -u "$ofd" line || { part+=$line; false; }; do
			line=$part$line
			part=""
			[ "$show" = 0 ] || { printf '%s\n' "$line"; said=$now; }
			"$line_fn" "$line" "$now"
		done
		while IFS= read -r -u "$cfd" line || { cpart+=$line; false; }; do
			printf '        | %s\n' "$cpart$line"
			cpart=""
			said=$now
		done
		[ "$alive" = 1 ] || break
		if [ $((now - said)) -ge "$quiet" ]; then
			"$quiet_fn" $((now - start))
			said=$now
		fi
		sleep 1
	done
	[ "$show" = 0 ] || [ -z "$part" ] || printf '%s\n' "$part"
	exec {ofd}<&- {cfd}<&-
	wait "$pid" || rc=$?
	trap - EXIT INT TERM
	return $rc
}

# progress_run [-q] NAME CMD...: run CMD in a process group of its own
# (a shell function of the caller: in a subshell) and print its output as
# it comes (with -q, keep it in a temporary log instead, and print the
# log's last 30 lines if CMD fails); whenever it is silent for QUIET
# seconds, say "NAME: still running (N s)" with its last line. Returns
# CMD's status.
progress_run() {
	local show=1 log name pid rc=0 chan last=""

	if [ "$1" = -q ]; then
		show=0
		shift
	fi
	name=$1
	shift
	chan=$(mktemp)
	log=$(mktemp)
	if declare -F "$1" >/dev/null; then
		"$@" >"$log" 2>&1 </dev/null &
	else
		setsid "$@" >"$log" 2>&1 </dev/null &
	fi
	pid=$!
	_progress_run_line() { last=$1; }
	_progress_run_quiet() {
		printf '%s: still running (%d s)%s\n' "$name" "$1" \
			"${last:+; last: ${last:0:90}}"
	}
	_progress_watch "$pid" "$log" "$show" "$chan" _progress_run_line \
		_progress_run_quiet || rc=$?
	[ "$show" = 1 ] || [ "$rc" -eq 0 ] || tail -n 30 "$log"
	rm -f "$chan" "$log"
	return $rc
}

# progress_ctest NAME CTEST_ARG...: run ctest with the arguments, print its
# output as it comes and the phases the tests report, and after QUIET
# seconds without a word a line with the tests done and those running,
# with their time so far. Returns ctest's status.
progress_ctest() {
	local name=$1 out chan pid rc=0 total=? done=0
	local -A running=()

	shift
	out=$(mktemp)
	chan=$(mktemp)
	IOFD_PROGRESS=$chan setsid ctest "$@" >"$out" 2>&1 </dev/null &
	pid=$!
	_progress_ctest_line() {
		if [[ $1 =~ Start\ +[0-9]+:\ (.+)$ ]]; then
			running[${BASH_REMATCH[1]}]=$2
		elif [[ $1 =~ ^\ *([0-9]+)/([0-9]+)\ Test\ +#[0-9]+:\ ([^ ]+) ]]; then
			done=${BASH_REMATCH[1]}
			total=${BASH_REMATCH[2]}
			unset "running[${BASH_REMATCH[3]}]"
		fi
	}
	_progress_ctest_quiet() {
		local t line="" now

		now=$(date +%s)
		for t in "${!running[@]}"; do
			line+=" $t ($((now - running[$t])) s)"
		done
		printf '        %s: %s/%s tests done; running:%s\n' \
			"$name" "$done" "$total" "${line:- (none yet)}"
	}
	_progress_watch "$pid" "$out" 1 "$chan" _progress_ctest_line \
		_progress_ctest_quiet || rc=$?
	rm -f "$out" "$chan"
	return $rc
}
