# Sourced by tools/test.sh (and the long tests it runs): CTest's own output
# with the phases of the long tests in between, and a line naming what
# still runs whenever nothing else was said for a while, so that a test
# command never sits silent.
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

# progress_ctest NAME CTEST_ARG...: run ctest with the arguments, print its
# output as it comes and the phases the tests report (indented, "|"), and
# after every QUIET seconds without a word (7, or IOFD_PROGRESS_QUIET) a
# line with the tests done and those running, with their time so far. A
# stop (Ctrl-C, TERM) takes ctest and its tests down. Returns ctest's
# status.
progress_ctest() {
	local name=$1 out chan pid rc=0 quiet said now alive
	local line part="" cpart="" total=? done=0 t ofd cfd
	local -A running=()

	shift
	quiet=${IOFD_PROGRESS_QUIET:-7}
	out=$(mktemp)
	chan=$(mktemp)
	IOFD_PROGRESS=$chan setsid ctest "$@" >"$out" 2>&1 &
	pid=$!
	# shellcheck disable=SC2064 # the values are this call's
	trap "kill -TERM -- -$pid 2>/dev/null; rm -f '$out' '$chan'" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	exec {ofd}<"$out" {cfd}<"$chan"
	said=$(date +%s)
	while :; do
		kill -0 "$pid" 2>/dev/null && alive=1 || alive=0
		now=$(date +%s)
		# A line read without its newline yet is kept for the next turn.
		while IFS= read -r -u "$ofd" line || { part+=$line; false; }; do
			line=$part$line
			part=""
			printf '%s\n' "$line"
			said=$now
			if [[ $line =~ Start\ +[0-9]+:\ (.+)$ ]]; then
				running[${BASH_REMATCH[1]}]=$now
			elif [[ $line =~ ^\ *([0-9]+)/([0-9]+)\ Test\ +#[0-9]+:\ ([^ ]+) ]]; then
				done=${BASH_REMATCH[1]}
				total=${BASH_REMATCH[2]}
				unset "running[${BASH_REMATCH[3]}]"
			fi
		done
		while IFS= read -r -u "$cfd" line || { cpart+=$line; false; }; do
			printf '        | %s\n' "$cpart$line"
			cpart=""
			said=$now
		done
		[ "$alive" = 1 ] || break
		if [ $((now - said)) -ge "$quiet" ] && [ ${#running[@]} -gt 0 ]; then
			line=""
			for t in "${!running[@]}"; do
				line+=" $t ($((now - running[$t])) s)"
			done
			printf '        %s: %s/%s tests done; running:%s\n' \
				"$name" "$done" "$total" "$line"
			said=$now
		fi
		sleep 1
	done
	[ -z "$part" ] || printf '%s\n' "$part"
	exec {ofd}<&- {cfd}<&-
	wait "$pid" || rc=$?
	trap - EXIT INT TERM
	rm -f "$out" "$chan"
	return $rc
}
