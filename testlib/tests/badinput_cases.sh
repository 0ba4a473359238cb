# Cases the bad-input runner must fail (testlib/tests/badinput_selftest.sh).

bad_wrong_status() {
	expect 2 'x' sh -c 'echo x; exit 1'
}

bad_wrong_message() {
	expect 2 'the bad value' sh -c 'echo something else; exit 2'
}

bad_leaves_file() {
	expect 2 'x' sh -c 'echo x; touch left-behind; exit 2'
}

bad_leaves_tmp_file() {
	expect 2 'x' sh -c 'echo x; mktemp >/dev/null; exit 2'
}

bad_leaves_process() {
	expect 2 'x' sh -c 'echo x; sleep 30 >/dev/null 2>&1 & exit 2'
}

bad_deletes_file() {
	echo mine >mine
	expect 2 'x' sh -c 'echo x; rm mine; exit 2'
}

# The one clean case: the runner must pass it.
bad_clean() {
	echo mine >mine
	expect 2 'refused: 7' sh -c 'echo "refused: 7" >&2; exit 2'
}
