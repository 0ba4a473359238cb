# Bad input to iofd_hw (run by testlib/badinput.sh; each bad_<name>
# function is one CTest test, label badinput). Every refusal comes before
# anything is opened, bound or run, names the bad value, and exits 2.

hw=$BIN/tools/hw/iofd_hw
prog=$SRC/corpus/fuzz_attach/attach-detach

bad_address() {
	expect 2 "bad PCI address '00:03.0' \(want DDDD:BB:DD.F" \
		"$hw" -d 00:03.0 "$prog"
}

bad_sweep_empty() {
	expect 2 "-s '': want a sweep bound from 0 to 10000" \
		"$hw" --emu-host -s "" -d 0000:00:03.0 "$prog"
}

bad_sweep_word() {
	expect 2 "-s '12x': want a sweep bound from 0 to 10000" \
		"$hw" --emu-host -s 12x -d 0000:00:03.0 "$prog"
}

bad_errno() {
	expect 2 "-e 'EWHAT': not an errno a fault injects" \
		"$hw" --emu-host -e EWHAT -d 0000:00:03.0 "$prog"
}

bad_no_program() {
	expect 2 "no program given" "$hw" -d 0000:00:03.0
}

bad_program_too_large() {
	head -c 65537 /dev/zero >big
	expect 2 "big: larger than the 65536 bytes a program may have" \
		"$hw" --emu-host -d 0000:00:03.0 big
}

bad_text_with_nul() {
	printf 'space\n\0space\n' >p.txt
	expect 2 "p.txt: a text program with a NUL byte at 6" \
		"$hw" --emu-host -d 0000:00:03.0 p.txt
}

bad_text_line() {
	printf 'space\natach dev0 space0 be0\n' >p.txt
	expect 2 "p.txt:2: 'atach' is not an op" \
		"$hw" --emu-host -d 0000:00:03.0 p.txt
}

bad_dir_empty() {
	mkdir progs
	expect 2 "progs: no program in it" \
		"$hw" --emu-host -d 0000:00:03.0 progs
}

bad_dir_too_many() {
	mkdir progs
	for i in $(seq 513); do : >"progs/p$i"; done
	expect 2 "progs: more than the 512 programs a directory may hold" \
		"$hw" --emu-host -d 0000:00:03.0 progs
}

bad_missing_program() {
	expect 2 "nothere: No such file or directory" \
		"$hw" --emu-host -d 0000:00:03.0 nothere
}

bad_record_not_written_on_refusal() {
	mkdir progs
	expect 2 "progs: no program in it" \
		"$hw" --emu-host -r rec.log -d 0000:00:03.0 progs
	[ ! -e rec.log ] || fail "the record file was created before the refusal"
}

# Without /dev/iommu a run is a setup error, not a fidelity figure; with
# it, a device that is not on the bus is refused.
bad_no_iommu_or_no_device() {
	if [ -e /dev/iommu ]; then
		expect 2 "0000:fe:1f.7: no such PCI device" \
			"$hw" -d 0000:fe:1f.7 "$prog"
	else
		expect 2 "/dev/iommu: .*setup error" \
			"$hw" -d 0000:fe:1f.7 "$prog"
	fi
}

# --bind takes a device from its driver only when the allow-list says so.
bad_bind_not_allowed() {
	if [ -e /dev/iommu ]; then
		expect 2 "--bind: 0000:00:03.0 is not in IOFD_HW_BIND_ALLOW" \
			env -u IOFD_HW_BIND_ALLOW "$hw" --bind -d 0000:00:03.0 "$prog"
	else
		expect 2 "/dev/iommu: .*setup error" \
			env -u IOFD_HW_BIND_ALLOW "$hw" --bind -d 0000:00:03.0 "$prog"
	fi
}
