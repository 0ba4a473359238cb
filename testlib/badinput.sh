#!/usr/bin/env bash
# The bad-input runner: one case of a cases file, in a scratch world of its
# own, asserting that the entry point refuses the input cleanly.
#
# A cases file is bash. Each case is a function named bad_<name> (the name
# CMake registers, see cmake/badinput.cmake); it may prepare files in the
# current directory and must call `expect` once or more:
#
#   expect STATUS REGEX COMMAND [ARG...]
#
# runs COMMAND in a session of its own with stdin from /dev/null and
# asserts that
#   - it exits with STATUS;
#   - what it printed (stdout and stderr together) matches the extended
#     regular expression REGEX (grep -E), which names the bad value;
#   - it left no process behind in its session;
#   - it created, deleted or changed no file in the scratch world (the
#     current directory, which is also HOME, TMPDIR and XDG_CACHE_HOME),
#     unless the case set EXPECT_WRITES to an ERE of paths it may touch;
#   - the tracked files of the source tree are as they were.
# A case may add its own checks after expect with `fail MESSAGE`.
#
# Variables a case can use: SRC (top of the source tree), BIN (top of the
# build tree), SCRATCH (the scratch world, also the working directory).
# A bad value in a variable reaches a tool through `env NAME=VALUE`.
#
# Usage: badinput.sh CASES_FILE NAME SRC BIN
# Exit: 0 the case passed; 1 it failed (the reason is printed).
set -uo pipefail

if [ $# -ne 4 ]; then
	echo "usage: badinput.sh CASES_FILE NAME SRC BIN" >&2
	exit 2
fi
cases=$(realpath -- "$1") || exit 2
name=$2 SRC=$(realpath -- "$3") BIN=$(realpath -- "$4")
export SRC BIN

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/iofd-badinput.XXXXXX") || exit 1
export SCRATCH
trap 'rm -rf "$SCRATCH"' EXIT
export HOME=$SCRATCH TMPDIR=$SCRATCH XDG_CACHE_HOME=$SCRATCH/.cache
unset IOFD_CACHE
cd "$SCRATCH" || exit 1

fail() {
	printf 'badinput %s: FAIL: %s\n' "$name" "$*"
	exit 1
}

# Every path below the scratch world with its size and mtime.
snapshot() {
	find "$SCRATCH" -mindepth 1 -printf '%P %s %T@\n' 2>/dev/null | LC_ALL=C sort
}

tracked_state() {
	git -C "$SRC" status --porcelain --untracked-files=no 2>/dev/null
	git -C "$SRC" diff --no-ext-diff 2>/dev/null | sha256sum
}

EXPECT_WRITES=''
expect() {
	local want=$1 regex=$2 out rc pid sid left before after changed tree0 tree1
	shift 2
	out=$SCRATCH/.expect-out
	before=$(snapshot | grep -v '^\.expect-out ')
	tree0=$(tracked_state)
	setsid "$@" </dev/null >"$out" 2>&1 &
	pid=$!
	wait "$pid"
	rc=$?
	# setsid(1) forks when it is a process group leader; it is not one
	# here (a background job of a non-interactive shell), so the session
	# id is the command's pid.
	sid=$pid
	left=$(ps -eo sid=,pid=,args= | awk -v s="$sid" '$1 == s')
	if [ -n "$left" ]; then
		ps -eo sid=,pid= | awk -v s="$sid" '$1 == s { print $2 }' |
			xargs -r kill -KILL 2>/dev/null
		fail "processes left behind by '$*':"$'\n'"$left"
	fi
	printf -- '--- %s (exit %d)\n' "$*" "$rc"
	cat "$out"
	[ "$rc" = "$want" ] || fail "exit status $rc, expected $want"
	grep -qE -- "$regex" "$out" || fail "output does not match /$regex/"
	rm -f "$out"
	after=$(snapshot)
	changed=$(diff <(echo "$before") <(echo "$after") | sed -n 's/^[<>] //p' |
		awk '{ print $1 }' | LC_ALL=C sort -u)
	if [ -n "$EXPECT_WRITES" ]; then
		changed=$(echo "$changed" | grep -vE -- "$EXPECT_WRITES")
	fi
	[ -z "$changed" ] || fail "files created, deleted or changed:"$'\n'"$changed"
	tree1=$(tracked_state)
	[ "$tree0" = "$tree1" ] || fail "the tracked files of $SRC changed"
}

# shellcheck source=/dev/null
. "$cases" || fail "cannot read $cases"
declare -F "bad_$name" >/dev/null || fail "no case bad_$name in $cases"
"bad_$name"
echo "badinput $name: ok"
