# Bad input to the libFuzzer build of fuzz_attach (registered only when it
# is built; run by testlib/badinput.sh).

bad_mutator_unknown() {
	expect 2 "FUZZ_ATTACH_MUTATOR='opz': want 'bytes' \(the default\) or 'ops'" \
		env FUZZ_ATTACH_MUTATOR=opz "$BIN/fuzz/fuzz_attach" -runs=0
}
