# Bad-input cases of tools/mutants/mutants.sh (run by testlib/badinput.sh;
# each bad_<name> function is one CTest test, label badinput). Every one is
# refused before the tool makes a scratch tree or builds anything.

bad_unknown_option() {
	expect 2 "unknown argument '--frobnicate'" "$SRC/tools/mutants/mutants.sh" --frobnicate
}

bad_jobs_zero() {
	expect 2 "bad -j '0' \(a number of jobs, 1-8\)" "$SRC/tools/mutants/mutants.sh" -j 0
}

bad_jobs_word() {
	expect 2 "bad -j 'many'" "$SRC/tools/mutants/mutants.sh" -j many
}

bad_jobs_too_many() {
	expect 2 "bad -j '64'" "$SRC/tools/mutants/mutants.sh" -j64
}

bad_jobs_missing() {
	expect 2 '-j needs a value' "$SRC/tools/mutants/mutants.sh" -j
}

bad_timeout() {
	expect 2 "bad --timeout '0s' \(seconds, 1-9999\)" "$SRC/tools/mutants/mutants.sh" --timeout 0s
}

bad_class() {
	expect 2 "unknown class 'skip-everything' \(one of: skip-cleanup" \
		"$SRC/tools/mutants/mutants.sh" --class error-unset,skip-everything
}

bad_file() {
	expect 2 "no file 'nosuch.c' in core/" "$SRC/tools/mutants/mutants.sh" --file nosuch.c
}

bad_file_path() {
	expect 2 "no file '\.\./emu/fault\.c' in core/" "$SRC/tools/mutants/mutants.sh" --file ../emu/fault.c
}

bad_id() {
	expect 2 "no mutant 'discard\.c:nothing:error-unset:000000'" \
		"$SRC/tools/mutants/mutants.sh" --file discard.c --id discard.c:nothing:error-unset:000000
}

bad_id_missing() {
	expect 2 '--id needs a value' "$SRC/tools/mutants/mutants.sh" --id
}

bad_stage() {
	expect 2 "unknown stage 'fuzz' \(one of: replay sweep core\)" \
		"$SRC/tools/mutants/mutants.sh" --stages replay,fuzz
}

bad_equivalent_missing() {
	expect 2 "no readable equivalents file '$SCRATCH/none\.txt'" \
		"$SRC/tools/mutants/mutants.sh" --equivalent "$SCRATCH/none.txt"
}

bad_equivalent_no_reason() {
	printf '# a comment\nsome:mutant:id\n' >"$SCRATCH/eq.txt"
	expect 2 "eq\.txt:2: 'some:mutant:id' has no reason" \
		"$SRC/tools/mutants/mutants.sh" --equivalent "$SCRATCH/eq.txt"
}

bad_work_in_checkout() {
	expect 2 "--work '$SRC/core' is inside the checkout but not under build/" \
		"$SRC/tools/mutants/mutants.sh" --work "$SRC/core"
}

bad_report_only_no_results() {
	expect 2 "--report-only: no results of a --fast run in '$SCRATCH/none'" \
		"$SRC/tools/mutants/mutants.sh" --report-only --work "$SCRATCH/none"
}
