# Bad-input cases of the kernel-selftest tools (run by testlib/badinput.sh;
# each bad_<name> function is one CTest test, label badinput):
# tools/kselftest.sh and tools/kselftest/fetch.sh given bad arguments, the
# preload shim given bad values for its selftest settings, and the
# emulator's fail-nth file given garbage.

ksft=$SRC/tools/kselftest.sh

bad_unknown_option() {
	expect 2 "unknown option '--bogus'" "$ksft" --bogus
}

bad_unknown_suite() {
	expect 2 "--suite 'iommufd_mock': expected iommufd or iommufd_fail_nth" \
		"$ksft" --suite iommufd_mock
}

bad_option_without_value() {
	expect 2 'option --suite needs a value' "$ksft" --suite
}

bad_timeout_zero() {
	expect 2 "--timeout '0' is out of range \(expected 1 to 86400\)" \
		"$ksft" --timeout 0
}

bad_timeout_garbage() {
	expect 2 "--timeout '12s' is not a whole number" "$ksft" --timeout 12s
}

bad_timeout_huge() {
	expect 2 "--timeout '99999' is out of range" "$ksft" --timeout 99999
}

bad_suite_empty() {
	expect 2 'option --suite needs a value, not an empty string' \
		"$ksft" --suite=
}

bad_unexpected_argument() {
	expect 2 "unexpected argument 'iommufd'" "$ksft" iommufd
}

# Checked before anything runs: no build, no boot.
bad_vm_timeout_garbage() {
	expect 2 "IOFD_VM_TIMEOUT '1h' is not a whole number" \
		env IOFD_VM_TIMEOUT=1h "$ksft" --build-dir "$SCRATCH/none" --vm
}

bad_vm_timeout_small() {
	expect 2 "IOFD_VM_TIMEOUT '5' is out of range \(expected 10 to 86400\)" \
		env IOFD_VM_TIMEOUT=5 "$ksft" --build-dir "$SCRATCH/none" --vm
}

bad_logs_missing() {
	expect 2 "--logs '$SCRATCH/none' is not a directory" \
		"$ksft" --build-dir "$SCRATCH/none" --logs "$SCRATCH/none"
}

bad_build_dir_missing() {
	expect 2 "--build-dir '$SCRATCH/none' is not a directory" \
		"$ksft" --build-dir "$SCRATCH/none"
}

bad_build_dir_not_a_tree() {
	mkdir empty
	expect 2 "is not an iofd build tree \(no CMakeCache.txt\)" \
		"$ksft" --build-dir empty
}

bad_fetch_unknown_argument() {
	expect 2 "unknown option '--src'" "$SRC/tools/kselftest/fetch.sh" --src
}

bad_fetch_tarball_empty() {
	expect 2 'option --tarball needs a value' \
		"$SRC/tools/kselftest/fetch.sh" --tarball
}

bad_fetch_no_tarball() {
	expect 77 "no kernel source tarball at '$SCRATCH/none.tar.xz'" \
		"$SRC/tools/kselftest/fetch.sh" --tarball "$SCRATCH/none.tar.xz"
}

# The shim (with the sanitizer runtime it needs first) and the helper
# under it, as the build made them.
shim_env=(env "LD_PRELOAD=$IOFD_TEST_PRELOAD")
helper=$BIN/tools/kselftest/fail_nth_write

bad_fail_nth_garbage() {
	expect 1 "write 'abc': Invalid argument" "${shim_env[@]}" "$helper" abc
}

bad_fail_nth_negative() {
	expect 1 "write '-1': Invalid argument" "${shim_env[@]}" "$helper" -1
}

bad_fail_nth_out_of_range() {
	expect 1 "write '4294967296': Numerical result out of range" \
		"${shim_env[@]}" "$helper" 4294967296
}

bad_fail_nth_two_newlines() {
	expect 1 "Invalid argument" "${shim_env[@]}" "$helper" $'7\n\n'
}

bad_hugepages_garbage() {
	expect 2 'bad IOFD_EMU_HUGEPAGES "lots": give a number of 2 MiB pages from 0 to 1048576' \
		"${shim_env[@]}" IOFD_EMU_HUGEPAGES=lots "$helper" 1
}

bad_hugepages_too_many() {
	expect 2 'bad IOFD_EMU_HUGEPAGES "1048577": give a number' \
		"${shim_env[@]}" IOFD_EMU_HUGEPAGES=1048577 "$helper" 1
}

bad_check_clean_garbage() {
	expect 2 'bad IOFD_EMU_CHECK_CLEAN "yes": give 1 \(on\) or 0 \(off\)' \
		"${shim_env[@]}" IOFD_EMU_CHECK_CLEAN=yes "$helper" 1
}

# A suite that dies before its plan fails the run (it is not "0/0 passed").
bad_suite_does_not_start() {
	mkdir -p fake/emu fake/tools/kselftest
	touch fake/CMakeCache.txt fake/emu/libiofd_emu_preload.so
	printf '#!/bin/sh\necho "cannot start" >&2\nexit 1\n' \
		>fake/tools/kselftest/iommufd
	cp fake/tools/kselftest/iommufd fake/tools/kselftest/iommufd_fail_nth
	chmod +x fake/tools/kselftest/iommufd*
	echo "$SCRATCH/fake/emu/libiofd_emu_preload.so" \
		>fake/tools/kselftest/preload
	expect 1 "not ok 1 iommufd \(did not start\)" \
		"$ksft" --build-dir fake --suite iommufd
}
