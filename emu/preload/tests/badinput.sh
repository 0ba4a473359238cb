# Bad-input and life-cycle cases of the preload shim (run by
# testlib/badinput.sh; each bad_<name> function is one CTest test, label
# badinput). The environment gives:
#   IOFD_TEST_PRELOAD  the LD_PRELOAD value that serves a program of this
#                      build (ASan's runtime first in an ASan build)
#   IOFD_TEST_SHIM     the shim alone
#   IOFD_TEST_SAN      asan, msan or none: how the shim was built
#   IOFD_TEST_HELPER   emu/preload/tests/shim_helper
# TMPDIR is the scratch world, so the shim's sysfs tree lands there and
# the runner's "nothing left behind" check covers it.

DEV=e1000e@0000:00:03.0
# A command under the shim: "${SHIM[@]}" IOFD_EMU_...=... PROGRAM. A bad
# value stops the program before main: "$TRUE" exiting 2 proves that it
# never ran. Programs run under the shim are built here (an MSan shim can
# only be preloaded into programs built with MSan).
SHIM=(env "LD_PRELOAD=$IOFD_TEST_PRELOAD")
TRUE=("$IOFD_TEST_HELPER" true)

bad_devices_no_at() {
	expect 2 "bad IOFD_EMU_DEVICES entry 1 \"e1000e\": no '@'" \
		"${SHIM[@]}" IOFD_EMU_DEVICES=e1000e "${TRUE[@]}"
}

bad_devices_unknown_profile() {
	expect 2 'entry 1 "nope@0000:00:03.0": unknown profile; known: e1000e' \
		"${SHIM[@]}" IOFD_EMU_DEVICES=nope@0000:00:03.0 "${TRUE[@]}"
}

bad_devices_bdf_trailing_space() {
	expect 2 'entry 1 "e1000e@0000:00:03.0 ": the PCI address must be DDDD:BB:DD.F' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="e1000e@0000:00:03.0 " "${TRUE[@]}"
}

bad_devices_bdf_short() {
	expect 2 'entry 1 "e1000e@00:03.0": the PCI address must be' \
		"${SHIM[@]}" IOFD_EMU_DEVICES=e1000e@00:03.0 "${TRUE[@]}"
}

bad_devices_bdf_upper_case() {
	expect 2 'entry 2 "e1000e@0000:00:0A.0": the PCI address must be' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV,e1000e@0000:00:0A.0" "${TRUE[@]}"
}

bad_devices_bdf_device_range() {
	expect 2 'entry 1 "e1000e@0000:00:20.0": the PCI address must be' \
		"${SHIM[@]}" IOFD_EMU_DEVICES=e1000e@0000:00:20.0 "${TRUE[@]}"
}

bad_devices_unknown_variant() {
	expect 2 'entry 1 "e1000e@0000:00:03.0@weird": unknown sysfs variant; known: ok, no-vfio-dev' \
		"${SHIM[@]}" IOFD_EMU_DEVICES=e1000e@0000:00:03.0@weird "${TRUE[@]}"
}

bad_devices_extra_at() {
	expect 2 'entry 1 "e1000e@0000:00:03.0@ok@extra": unknown sysfs variant' \
		"${SHIM[@]}" IOFD_EMU_DEVICES=e1000e@0000:00:03.0@ok@extra "${TRUE[@]}"
}

bad_devices_empty_entry() {
	expect 2 'bad IOFD_EMU_DEVICES: entry 2 is empty' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV,,e1000e@0000:00:04.0" "${TRUE[@]}"
}

bad_devices_trailing_comma() {
	expect 2 'bad IOFD_EMU_DEVICES: entry 2 is empty' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV," "${TRUE[@]}"
}

bad_devices_duplicate() {
	expect 2 'bad IOFD_EMU_DEVICES entry 2: 0000:00:03.0 is already entry 1' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV,dirty@0000:00:03.0" "${TRUE[@]}"
}

# 10,000 entries (110 KB): refused at the first bad one, and the
# message stays one short line (never the whole value).
bad_devices_ten_thousand() {
	local spec n
	spec=$(printf 'e1000e@0:0,%.0s' $(seq 1 10000))
	expect 2 'bad IOFD_EMU_DEVICES entry 1 "e1000e@0:0": the PCI address' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="${spec%,}" "${TRUE[@]}"
	n=$("${SHIM[@]}" IOFD_EMU_DEVICES="${spec%,}" "${TRUE[@]}" 2>&1 | wc -c) ||
		true
	[ "$n" -lt 300 ] || fail "the message is $n bytes long"
}

bad_devices_seventeen() {
	local spec i
	spec=$(for ((i = 0; i < 17; i++)); do
		printf 'e1000e@0000:00:%02x.0,' "$i"
	done)
	expect 2 'bad IOFD_EMU_DEVICES: more than 16 devices \(entry 17\)' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="${spec%,}" "${TRUE[@]}"
}

bad_devices_long_garbage() {
	local junk
	junk=$(printf 'x%.0s' $(seq 1 5000))
	expect 2 "entry 1 \"x{48}\\.\\.\\.\": no '@'" \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$junk" "${TRUE[@]}"
}

bad_devices_control_bytes() {
	expect 2 'entry 1 "e1000e@0000:00:03.0\\x09": the PCI address' \
		"${SHIM[@]}" \
		IOFD_EMU_DEVICES="$(printf 'e1000e@0000:00:03.0\t')" "${TRUE[@]}"
}

bad_unknown_variable() {
	expect 2 'unknown variable "IOFD_EMU_DEVICE"; known: IOFD_EMU_DEVICES' \
		env LD_PRELOAD="$IOFD_TEST_PRELOAD" IOFD_EMU_DEVICE=$DEV "${TRUE[@]}"
}

bad_trace_value() {
	expect 2 'bad IOFD_EMU_TRACE "yes": give 1 \(on\) or 0 \(off\)' \
		env IOFD_EMU_TRACE=yes LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_variant_word() {
	expect 2 'bad IOFD_EMU_VARIANT "aw-bits=48,thp=maybe" at "thp=maybe": give comma-separated aw-bits=39\|48' \
		env IOFD_EMU_VARIANT=aw-bits=48,thp=maybe LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_variant_aw_bits() {
	expect 2 'bad IOFD_EMU_VARIANT "aw-bits=57" at "aw-bits=57"' \
		env IOFD_EMU_VARIANT=aw-bits=57 LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_variant_trailing_comma() {
	expect 2 'bad IOFD_EMU_VARIANT "container=iommufd," at an empty setting' \
		env IOFD_EMU_VARIANT=container=iommufd, LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_variant_upper_case() {
	expect 2 'bad IOFD_EMU_VARIANT "AW-BITS=48" at "AW-BITS=48"' \
		env IOFD_EMU_VARIANT=AW-BITS=48 LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_variant_empty_value() {
	expect 2 'bad IOFD_EMU_VARIANT "thp=on,container=" at "container="' \
		env IOFD_EMU_VARIANT=thp=on,container= LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_fail_nth_word() {
	expect 2 'bad IOFD_EMU_FAIL_NTH "abc": give a call number from 1 to 1000000000' \
		env IOFD_EMU_FAIL_NTH=abc LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_fail_nth_zero() {
	expect 2 'bad IOFD_EMU_FAIL_NTH "0"' \
		env IOFD_EMU_FAIL_NTH=0 LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_fail_nth_negative() {
	expect 2 'bad IOFD_EMU_FAIL_NTH "-5"' \
		env IOFD_EMU_FAIL_NTH=-5 LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_fail_nth_huge() {
	expect 2 'bad IOFD_EMU_FAIL_NTH "18446744073709551616"' \
		env IOFD_EMU_FAIL_NTH=18446744073709551616 \
		LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_fail_errno_alone() {
	expect 2 'IOFD_EMU_FAIL_ERRNO is set but no call is to fail' \
		env IOFD_EMU_FAIL_ERRNO=ENOMEM LD_PRELOAD="$IOFD_TEST_PRELOAD" \
		"${TRUE[@]}"
}

bad_fail_errno_name() {
	expect 2 'bad IOFD_EMU_FAIL_ERRNO "ENOPE": not an errno' \
		env IOFD_EMU_FAIL_NTH=1 IOFD_EMU_FAIL_ERRNO=ENOPE \
		LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_fail_kind_name() {
	expect 2 'bad IOFD_EMU_FAIL_KIND "read": kinds are open, close, ioctl' \
		env IOFD_EMU_FAIL_KIND=read LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_fail_kind_ioctl() {
	expect 2 'bad IOFD_EMU_FAIL_KIND "ioctl:VFIO_NOPE": unknown ioctl' \
		env IOFD_EMU_FAIL_KIND=ioctl:VFIO_NOPE \
		LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_counters_no_directory() {
	expect 2 'bad IOFD_EMU_COUNTERS "/nonexistent/c.json": directory /nonexistent' \
		env IOFD_EMU_COUNTERS=/nonexistent/c.json \
		LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

bad_counters_directory() {
	expect 2 'bad IOFD_EMU_COUNTERS "x/": give the path of a file' \
		env IOFD_EMU_COUNTERS=x/ LD_PRELOAD="$IOFD_TEST_PRELOAD" "${TRUE[@]}"
}

# A bad configuration never lets the program run, let alone reach the
# real /dev/iommu: the helper would print what it opened.
bad_config_never_runs_program() {
	expect 2 '^iofd-emu: bad IOFD_EMU_DEVICES entry 2 "junk"' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV,junk" "$IOFD_TEST_HELPER" iommu
	local out
	out=$("${SHIM[@]}" IOFD_EMU_DEVICES="$DEV,junk" "$IOFD_TEST_HELPER" iommu 2>&1) || true
	case "$out" in
	*iommu*char*) fail "the program ran: $out" ;;
	esac
}

# With a good one, /dev/iommu is the emulator's (char 10:257).
bad_iommu_is_emulated() {
	expect 0 '/dev/iommu is char 10:257' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV" "$IOFD_TEST_HELPER" iommu
}

# The sysfs tree goes on every way out (the runner checks TMPDIR).
bad_tree_gone_after_exit() {
	expect 0 '^vendor 0x8086$' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV" "$IOFD_TEST_HELPER" exit
}

bad_tree_gone_after__exit() {
	expect 0 '^vendor 0x8086$' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV" "$IOFD_TEST_HELPER" _exit
}

bad_tree_gone_after_exec() {
	expect 0 '^vendor 0x8086$' "${SHIM[@]}" IOFD_EMU_DEVICES="$DEV" \
		"$IOFD_TEST_HELPER" exec "${TRUE[@]}"
}

# A forked child's exit leaves the parent's tree: the parent reads it
# after both children are gone.
bad_tree_kept_for_parent_after_fork() {
	expect 0 'vendor 0x8086' \
		"${SHIM[@]}" IOFD_EMU_DEVICES="$DEV" "$IOFD_TEST_HELPER" fork
}

# Killed: the cleaner removes the tree and goes; wait for that.
bad_tree_gone_after_kill() {
	expect 0 'killed; tree and cleaner gone' bash -c '
		env LD_PRELOAD="$IOFD_TEST_PRELOAD" IOFD_EMU_DEVICES='"$DEV"' \
			"$IOFD_TEST_HELPER" kill
		[ $? = 137 ] || exit 1
		sid=$(ps -o sid= -p $$ | tr -d " ")
		for i in $(seq 1 200); do
			left=$(ls -d "$TMPDIR"/iofd-emu-* 2>/dev/null)
			procs=$(ps -eo sid=,comm= |
				awk -v s="$sid" "\$1 == s && \$2 == \"iofd-emu-clean\"")
			[ -z "$left$procs" ] && { echo "killed; tree and cleaner gone"; exit 0; }
			sleep 0.05
		done
		echo "left: $left $procs"; exit 1'
}

# A launcher that runs the program three times, then execs it, leaves
# nothing either.
bad_launcher_leaves_nothing() {
	expect 0 'vendor 0x8086' "${SHIM[@]}" IOFD_EMU_DEVICES=$DEV \
		"$IOFD_TEST_HELPER" launch 3
}

# The counters file, written by the process that called the model.
bad_counters_written() {
	EXPECT_WRITES='^c\.json$'
	expect 0 'uapi_check: [0-9]+ checks passed' \
		env IOFD_EMU_COUNTERS=c.json IOFD_EMU_DEVICES=$DEV \
		LD_PRELOAD="$IOFD_TEST_PRELOAD" "$BIN/emu/emu_uapi_check"
	grep -q '"exited": true' c.json || fail "no exit in c.json"
	grep -q '"fds": 0, "contexts": 0, "objects": 0' c.json ||
		fail "counters not zero: $(cat c.json)"
	grep -q '"eventfds": 0, "mappings": 0' c.json || fail "$(cat c.json)"
}

# A fault plan from the environment: call 3 fails, the program sees it,
# the counters file says which call it was.
bad_fault_plan_fires() {
	EXPECT_WRITES='^c\.json$'
	expect 1 'uapi_check:[0-9]+: .* got -12' \
		env IOFD_EMU_FAIL_NTH=3 IOFD_EMU_FAIL_ERRNO=ENOMEM \
		IOFD_EMU_COUNTERS=c.json IOFD_EMU_DEVICES=$DEV \
		LD_PRELOAD="$IOFD_TEST_PRELOAD" "$BIN/emu/emu_uapi_check"
	grep -q '"fired": true, "call": 3, "what": "ioctl IOMMU_DESTROY on fd [0-9]*"' \
		c.json || fail "$(cat c.json)"
}

bad_fault_kind_fires() {
	expect 1 'VFIO_DEVICE_GET_INFO.*got -5' \
		env IOFD_EMU_FAIL_KIND=ioctl:VFIO_DEVICE_GET_INFO \
		IOFD_EMU_FAIL_ERRNO=EIO IOFD_EMU_DEVICES=$DEV \
		LD_PRELOAD="$IOFD_TEST_PRELOAD" "$BIN/emu/emu_uapi_check"
}

# The sanitizer-built shim alone in a program without that sanitizer.
bad_sanitizer_shim_in_plain_program() {
	case "$IOFD_TEST_SAN" in
	asan)
		# ASan's shared runtime, loaded behind the program, says what
		# to do: preload it first. (ASAN_OPTIONS of its own: with
		# abort_on_error the status would be 134.)
		expect 1 'ASan runtime does not come first in initial library list; you should either link runtime to your application or manually preload it with LD_PRELOAD' \
			env ASAN_OPTIONS= LD_PRELOAD="$IOFD_TEST_SHIM" \
			IOFD_EMU_DEVICES=$DEV /bin/true ;;
	msan)
		# MSan has no shared runtime: the loader refuses the shim.
		expect 127 'undefined symbol: __msan' \
			env LD_PRELOAD="$IOFD_TEST_SHIM" IOFD_EMU_DEVICES=$DEV /bin/true ;;
	*)
		expect 0 'vendor 0x8086' env LD_PRELOAD="$IOFD_TEST_SHIM" \
			IOFD_EMU_DEVICES=$DEV "$IOFD_TEST_HELPER" exit ;;
	esac
}
