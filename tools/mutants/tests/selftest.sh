#!/usr/bin/env bash
# The mutation tool's own test (CTest mutants_selftest, label mutants): two
# mutants of core/discard.c run against the replay stage alone, one that the
# replay kills (the error left unset when discard is not required) and one
# it cannot kill (a dropped FAIL trace event: the replay checks no trace),
# so the tool must report a kill and a survivor; then the same with the
# survivor listed as equivalent, and with the killed one listed as
# equivalent. The scratch tree is kept in build/mutants-selftest and reused
# (--fast), so only the first run builds it.
#
# Usage: selftest.sh SRC
set -euo pipefail

[ $# -eq 1 ] && [ -d "$1/tools/mutants" ] || {
	echo "usage: selftest.sh SRC (the top of the checkout)" >&2
	exit 2
}
src=$(cd "$1" && pwd)
tool=$src/tools/mutants/mutants.sh
work=$src/build/mutants-selftest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "mutants selftest: FAIL: $*" >&2
	exit 1
}

pick() {
	"$tool" --list --file discard.c --class "$1" | awk -F'\t' -v d="$2" \
		'index($5, d) && !n++ { print $1 }'
}
killed=$(pick error-unset 'iofd_err_set dropped, -(EINVAL)')
survivor=$(pick drop-trace 'disable discard')
[ -n "$killed" ] && [ -n "$survivor" ] ||
	fail "discard.c no longer has the two mutants this test uses"

# run EXPECTED_STATUS EQUIVALENTS: run both mutants, output in $tmp/out.
run() {
	local want=$1 rc=0
	"$tool" --fast --work "$work" --stages replay --equivalent "$2" \
		--id "$killed" --id "$survivor" >"$tmp/out" 2>&1 || rc=$?
	cat "$tmp/out"
	[ "$rc" -eq "$want" ] || fail "exit status $rc, expected $want"
}

expect_line() {
	grep -qxF -- "$1" "$tmp/out" || fail "no line '$1'"
}

: >"$tmp/none"
run 1 "$tmp/none"
expect_line "survived: $survivor  core/discard.c:$(
	"$tool" --list --id "$survivor" --file discard.c | cut -f3)  drop-trace  trace of \"disable discard\" failing dropped"
expect_line 'first killed by replay: 1'
[ "$(tail -n 1 "$tmp/out")" = 'mutants: 1 killed / 2' ] ||
	fail "last line is not 'mutants: 1 killed / 2'"

echo "$survivor the replay checks no trace" >"$tmp/eq"
run 0 "$tmp/eq"
expect_line 'equivalent (listed, survived): 1'
grep -q '^survived:' "$tmp/out" && fail "a listed equivalent reported as a survivor"
[ "$(tail -n 1 "$tmp/out")" = 'mutants: 1 killed / 1' ] ||
	fail "last line is not 'mutants: 1 killed / 1'"

printf '%s listed on purpose\n%s the replay checks no trace\n' \
	"$killed" "$survivor" >"$tmp/eq"
run 1 "$tmp/eq"
grep -qF "listed as equivalent but killed by replay: $killed" "$tmp/out" ||
	fail "a killed mutant listed as equivalent was not reported"
[ "$(tail -n 1 "$tmp/out")" = 'mutants: 0 killed / 0' ] ||
	fail "last line is not 'mutants: 0 killed / 0'"
echo "mutants selftest: ok"
