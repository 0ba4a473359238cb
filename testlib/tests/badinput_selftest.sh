#!/usr/bin/env bash
# The bad-input runner can fail: every case of badinput_cases.sh but
# bad_clean breaks one of its rules and must be reported for that rule;
# bad_clean must pass.
set -u
here=$(cd "$(dirname "$0")" && pwd)
runner=$here/../badinput.sh
cases=$here/badinput_cases.sh
src=$(cd "$here/../.." && pwd)
bad=0
while IFS='|' read -r n why; do
	out=$(bash "$runner" "$cases" "$n" "$src" "$src" 2>&1) && {
		echo "badinput_selftest: case $n passed but breaks a rule"
		bad=1
		continue
	}
	if ! grep -q "FAIL: $why" <<<"$out"; then
		echo "badinput_selftest: case $n failed for another reason than '$why':"
		echo "$out"
		bad=1
	fi
done <<'LIST'
wrong_status|exit status 1, expected 2
wrong_message|output does not match
leaves_file|files created, deleted or changed
leaves_tmp_file|files created, deleted or changed
leaves_process|processes left behind
deletes_file|files created, deleted or changed
LIST
if ! bash "$runner" "$cases" clean "$src" "$src"; then
	echo "badinput_selftest: the clean case failed"
	bad=1
fi
[ "$bad" = 0 ] && echo "badinput_selftest: ok"
exit "$bad"
