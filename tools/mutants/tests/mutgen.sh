#!/usr/bin/env bash
# The mutant generator's own test (CTest mutants_mutgen, label mutants):
# mutgen.pl must derive from tests/fixture.c the mutants of an unwind path
# (a release call under an err_ label dropped, two swapped, a goto past its
# label, the result of an unwind returned as EINVAL), each with its label
# named, and apply one without changing the line count.
#
# Usage: mutgen.sh SRC
set -euo pipefail

[ $# -eq 1 ] && [ -f "$1/tools/mutants/mutgen.pl" ] || {
	echo "usage: mutgen.sh SRC (the top of the checkout)" >&2
	exit 2
}
gen=$1/tools/mutants/mutgen.pl
fixture=$1/tools/mutants/tests/fixture.c

fail() {
	echo "mutgen test: FAIL: $*" >&2
	exit 1
}

list=$(perl "$gen" list "$fixture")
# want CLASS DESCRIPTION: the fixture has exactly one such mutant.
want() {
	local n
	n=$(awk -F'\t' -v c="$1" -v d="$2" '$4 == c && $5 == d' <<<"$list" | wc -l)
	[ "$n" -eq 1 ] || fail "$n mutants '$1: $2' (expected 1); the list:
$list"
}
want skip-cleanup 'iofd_fixture_detach dropped under err_detach'
want skip-cleanup 'iofd_host_close dropped under err_close_fd'
want swap-unwind 'iofd_host_close before iofd_fixture_free'
want goto-past 'goto err_close_fd instead of err_detach'
want errno-const 'return ret becomes -EINVAL'

id=$(awk -F'\t' '$5 == "iofd_host_close dropped under err_close_fd" { print $1 }' <<<"$list")
mutated=$(perl "$gen" apply "$fixture" "$id")
[ "$(wc -l <<<"$mutated")" -eq "$(wc -l <"$fixture")" ] ||
	fail "applying $id changed the line count"
change=$(diff "$fixture" - <<<"$mutated" || true)
grep -q '^> .(void)iofd_host_close;$' <<<"$change" ||
	fail "applying $id did not drop the close: $change"
echo "mutgen test: ok ($(wc -l <<<"$list") mutants of the fixture)"
