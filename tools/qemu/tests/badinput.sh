# Bad-input cases of iofd_qemu_sweep (run by testlib/badinput.sh; each
# bad_<name> function is one CTest test, label badinput). Every refusal
# happens before a QEMU starts; the runner checks that nothing is left.
# This build's shim is given as --preload where the build has no value
# for QEMU (MSan), so the case reaches the check it is about.

SWEEP="$BIN/tools/qemu/iofd_qemu_sweep"

bad_config_unknown() {
	expect 2 "--config 'bogus': configurations are plain and viommu" \
		"$SWEEP" --config bogus
}

bad_config_empty_item() {
	expect 2 "--config 'plain,,viommu': give a comma-separated list" \
		"$SWEEP" --config plain,,viommu
}

bad_errno_unknown() {
	expect 2 "--errno 'ENOPE': give errno names such as ENOMEM" \
		"$SWEEP" --errno EINVAL,ENOPE
}

bad_point_word() {
	expect 2 "--point 'abc': give a whole number from 0 to 100000" \
		"$SWEEP" --point abc
}

bad_point_negative() {
	expect 2 "--point '-1': give a whole number" "$SWEEP" --point -1
}

bad_point_huge() {
	expect 2 "--point '100001': give a whole number from 0 to 100000" \
		"$SWEEP" --point 100001
}

bad_max_points_zero() {
	expect 2 "--max-points '0': give a whole number from 1 to 100000" \
		"$SWEEP" --max-points 0
}

bad_timeout_small() {
	expect 2 "--timeout '1': give a whole number from 5 to 3600" \
		"$SWEEP" --timeout 1
}

bad_device_form() {
	expect 2 "--device 'e1000e': give PROFILE@DDDD:BB:DD.F" \
		"$SWEEP" --device e1000e
}

bad_qemu_empty() {
	expect 2 "--qemu '': give a QEMU binary" "$SWEEP" --qemu ''
}

bad_qemu_missing() {
	expect 3 "QEMU '/nonexistent/qemu' not found or not executable" \
		"$SWEEP" --preload "$IOFD_TEST_SHIM" --qemu /nonexistent/qemu
}

bad_qemu_not_elf() {
	printf '#!/bin/sh\nexit 0\n' >fake-qemu
	chmod +x fake-qemu
	EXPECT_WRITES='^fake-qemu$'
	expect 3 'fake-qemu is not a 64-bit ELF program' \
		"$SWEEP" --preload "$IOFD_TEST_SHIM" --qemu "$SCRATCH/fake-qemu"
	rm -f fake-qemu
}

bad_qemu_static() {
	local static=/bin/busybox
	if ! ldd "$static" 2>&1 | grep -q 'not a dynamic'; then
		# No static program here: a static one is one gcc can make.
		printf 'int main(void){return 0;}\n' >s.c
		gcc -static -o s s.c 2>/dev/null || fail "no static program"
		static=$SCRATCH/s
		EXPECT_WRITES='^s(\.c)?$'
	fi
	expect 3 'is statically linked: LD_PRELOAD cannot reach it' \
		"$SWEEP" --preload "$IOFD_TEST_SHIM" --qemu "$static"
	rm -f s s.c
}

bad_qemu_without_iommufd() {
	expect 3 '/bin/true has no iommufd backend \(-object iommufd\)' \
		"$SWEEP" --preload "$IOFD_TEST_SHIM" --qemu /bin/true
}

bad_preload_empty() {
	expect 2 '--preload: no shim to preload' "$SWEEP" --preload ''
}

bad_preload_missing() {
	expect 2 "--preload: '/nonexistent/shim.so' is not a file" \
		"$SWEEP" --preload /nonexistent/shim.so
}

bad_preload_not_shim() {
	expect 2 "--preload: '/bin/true' is not iofd's shim" \
		"$SWEEP" --preload /bin/true
}

# A library the loader ignores (it only warns): QEMU would run on the
# real kernel, so the sweep stops before the device is added.
bad_preload_not_loaded() {
	printf 'iofd-emu-clean' >fake.so
	EXPECT_WRITES='^fake\.so$'
	expect 3 'the loader did not load .*/fake.so into QEMU .*: QEMU would run on the real kernel' \
		"$SWEEP" --preload "$SCRATCH/fake.so" --config plain --point 0
	rm -f fake.so
}

# Interrupted in the middle of a point: it says so, and QEMU, the
# shim's cleaner and the work directory are gone.
bad_interrupted() {
	if [[ -z "$IOFD_TEST_FOREIGN" ]]; then
		expect 2 '--preload: no shim to preload' "$SWEEP"
		return
	fi
	expect 1 'iofd_qemu_sweep: interrupted' \
		timeout --preserve-status -s TERM 4 "$SWEEP" --config plain
}

bad_known_missing() {
	expect 2 "--known '/nonexistent/k.txt': No such file" \
		"$SWEEP" --known /nonexistent/k.txt
}

bad_known_line() {
	printf '# ok\nno tab on this line\n' >k.txt
	EXPECT_WRITES='^k\.txt$'
	expect 2 "--known '.*k.txt' line 2: give GLOB, a tab and the explanation" \
		"$SWEEP" --known "$SCRATCH/k.txt"
	rm -f k.txt
}

bad_coldplug_with_point() {
	expect 2 '--coldplug checks a device given at start: it goes with --point 0 only' \
		"$SWEEP" --coldplug --point 3
}

bad_unknown_option() {
	expect 2 "unknown option '--bogus'" "$SWEEP" --bogus
}

bad_option_without_value() {
	expect 2 '--point needs a value' "$SWEEP" --point
}

bad_extra_argument() {
	expect 2 "unexpected argument 'extra'" "$SWEEP" extra
}

bad_help() {
	expect 0 '^usage: iofd_qemu_sweep' "$SWEEP" --help
}
