# Bad input to the libFuzzer build of fuzz_attach (registered only when it
# is built; run by testlib/badinput.sh).

bad_mutator_unknown() {
	expect 2 "FUZZ_ATTACH_MUTATOR='opz': want 'bytes' \(the default\) or 'ops'" \
		env FUZZ_ATTACH_MUTATOR=opz "$BIN/fuzz/fuzz_attach" -runs=0
}

bad_check_reset_value() {
	expect 2 "FUZZ_ATTACH_CHECK_RESET='yes': want 1 \\(check the machine after every reset\\) or 0" \
		env FUZZ_ATTACH_CHECK_RESET=yes "$BIN/fuzz/fuzz_attach" -runs=0
}
