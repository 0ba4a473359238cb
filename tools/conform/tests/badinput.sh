# Bad-input cases of the uAPI differential's tools: iofd_conform's options,
# iofd_conform_diff's files, differential.sh and build.sh (run by
# testlib/badinput.sh; each bad_<name> function is one CTest test, label
# badinput). Each must be refused before anything is opened or built. The
# shim's IOFD_EMU_VARIANT has its cases with the shim's.

# expect runs a command, not a shell function: the tools by their paths.
CONFORM=$BIN/tools/conform/iofd_conform
DIFF=$BIN/tools/conform/iofd_conform_diff
PRELOAD=$BIN/emu/libiofd_emu_preload.so
DIFFERENTIAL=$SRC/tools/conform/differential.sh

bad_conform_bdf_short() {
	expect 2 "bad PCI address '00:03\.0' for -d" "$CONFORM" -d 00:03.0
}

bad_conform_bdf_upper_case() {
	expect 2 "bad PCI address '0000:00:0A\.0'" "$CONFORM" -d 0000:00:0A.0
}

bad_conform_bdf_trailing() {
	expect 2 "bad PCI address '0000:00:03\.0x' for -e" \
		"$CONFORM" -g 0 -e 0000:00:03.0x
}

bad_conform_partner_is_device() {
	expect 2 "-e 0000:00:03\.0 names the device under test again" \
		"$CONFORM" -g 0 -d 0000:00:03.0 -e 0000:00:03.0
}

bad_conform_group_word() {
	expect 2 "bad group 'abc' for -g" "$CONFORM" -g abc
}

bad_conform_group_negative() {
	expect 2 "bad group '-1' for -g" "$CONFORM" -g -1
}

bad_conform_group_too_large() {
	expect 2 "bad group '70000' for -g" "$CONFORM" -g 70000
}

bad_conform_group_empty() {
	expect 2 "bad group '' for -g" "$CONFORM" -g ''
}

bad_conform_unknown_area() {
	expect 2 "unknown area 'nope'" "$CONFORM" -g 0 -a ioas,nope
}

bad_conform_empty_area_list() {
	expect 2 "empty area list for -a" "$CONFORM" -g 0 -a ''
}

bad_conform_area_list_trailing_comma() {
	expect 2 "empty area name in 'ioas,' for -a" "$CONFORM" -g 0 -a ioas,
}

bad_conform_area_list_empty_name() {
	expect 2 "empty area name in 'ioas,,dma' for -a" "$CONFORM" -g 0 -a ioas,,dma
}

bad_conform_area_upper_case() {
	expect 2 "unknown area 'IOAS'" "$CONFORM" -g 0 -a IOAS
}

bad_conform_option_without_value() {
	expect 2 "option requires an argument -- 'd'" "$CONFORM" -g 0 -d
}

bad_conform_extra_argument() {
	expect 2 "unexpected argument 'more'" "$CONFORM" -g 0 more
}

bad_conform_unknown_option() {
	expect 2 'usage: iofd_conform' "$CONFORM" -z
}

# No -g and a device this machine cannot have: no group to find.
bad_conform_no_group() {
	expect 2 "cannot read the IOMMU group of ffff:ff:1f\.7.*pass -g" \
		"$CONFORM" -d ffff:ff:1f.7
}

bad_diff_no_arguments() {
	expect 2 'usage: iofd_conform_diff' "$DIFF"
}

bad_diff_one_file() {
	echo "conform: ioas open ok" >k.txt
	expect 2 'usage: iofd_conform_diff' "$DIFF" k.txt
}

bad_diff_missing_file() {
	echo "conform: ioas open ok" >k.txt
	expect 2 "cannot open nothere\.txt" "$DIFF" k.txt nothere.txt
}

# The kernel transcript is one good line; e.txt holds $1 (printf format),
# and the differential must refuse it with a message matching $2.
expect_bad_transcript() {
	echo "conform: ioas open ok" >k.txt
	printf "$1" >e.txt
	expect 2 "$2" "$DIFF" k.txt e.txt
}

bad_diff_no_steps() {
	expect_bad_transcript 'nothing here\n' \
		"e\.txt holds no 'conform: ' step line"
}

bad_diff_malformed_line() {
	expect_bad_transcript 'conform: ioas open ok\nconform: ioas\n' \
		"e\.txt:2: malformed step line 'conform: ioas"
}

bad_diff_malformed_key() {
	expect_bad_transcript 'conform: ioas map ok iova\n' \
		"e\.txt:1: malformed step line"
}

bad_diff_duplicate_step() {
	printf 'conform: ioas open ok\nconform: ioas open EINVAL\n' >k.txt
	expect 2 "k\.txt:2: step 'ioas open' appears twice" "$DIFF" k.txt k.txt
}

bad_diff_exception_without_reason() {
	echo "conform: ioas open ok" >k.txt
	echo "cdev fstat major" >x.txt
	expect 2 "x\.txt:1: want 'AREA STEP KEY REASON\.\.\.'" \
		"$DIFF" -x x.txt k.txt k.txt
}

bad_diff_missing_exceptions() {
	echo "conform: ioas open ok" >k.txt
	expect 2 "cannot open exceptions nothere" "$DIFF" -x nothere k.txt k.txt
}

bad_differential_no_arguments() {
	expect 2 'usage: differential\.sh' "$DIFFERENTIAL"
}

bad_differential_no_preload() {
	echo "conform: ioas open ok" >k.txt
	expect 2 'usage: differential\.sh' "$DIFFERENTIAL" \
		-c "$CONFORM" \
		-d "$DIFF" k.txt
}

bad_differential_missing_kernel() {
	expect 2 "'nothere\.txt' is not a readable file" "$DIFFERENTIAL" \
		-p "$PRELOAD" \
		-c "$CONFORM" \
		-d "$DIFF" nothere.txt
}

# Every part of a colon-separated preload list is looked at.
bad_differential_preload_part_missing() {
	echo "conform: ioas open ok" >k.txt
	expect 2 "'nothere\.so' is not a readable file" "$DIFFERENTIAL" \
		-p "nothere.so:$PRELOAD" \
		-c "$CONFORM" \
		-d "$DIFF" k.txt
}

# The shim judges the variant; differential.sh passes its word on.
bad_differential_variant() {
	echo "conform: ioas open ok" >k.txt
	expect 2 "-v 'aw-bits=40' is not a machine variant" \
		"$DIFFERENTIAL" -p "$IOFD_TEST_PRELOAD" -v aw-bits=40 \
		-c "$CONFORM" -d "$DIFF" k.txt
}

bad_differential_program_not_executable() {
	echo "conform: ioas open ok" >k.txt
	expect 2 "'k\.txt' is not an executable file" "$DIFFERENTIAL" \
		-p "$PRELOAD" -c k.txt \
		-d "$DIFF" k.txt
}

bad_differential_output_nowhere() {
	echo "conform: ioas open ok" >k.txt
	expect 2 "no directory for -o 'no/such/dir/e\.txt'" "$DIFFERENTIAL" \
		-p "$PRELOAD" \
		-c "$CONFORM" \
		-d "$DIFF" \
		-o no/such/dir/e.txt k.txt
}

bad_build_unknown_mode() {
	expect 2 "unknown mode 'dynamic'" "$SRC/tools/conform/build.sh" \
		dynamic out
}

bad_build_no_directory() {
	expect 2 'usage: build\.sh static\|emu BUILD_DIR' \
		"$SRC/tools/conform/build.sh" static
}

bad_build_empty_directory() {
	expect 2 "empty BUILD_DIR" "$SRC/tools/conform/build.sh" emu ''
}
