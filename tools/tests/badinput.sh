# Bad-input cases of the scripts in tools/ (run by testlib/badinput.sh; each
# bad_<name> function is one CTest test, label badinput). Every refusal is
# exit status 2 with a message naming the bad value, before any side
# effect; --help prints the usage and does nothing else (exit 0).

T=$SRC/tools

# --- --help: the usage, and nothing done ---------------------------------

bad_main_help() { expect 0 '^Usage: tools/main\.sh' "$T/main.sh" --help; }
bad_test_help() { expect 0 '^Usage: tools/test\.sh' "$T/test.sh" --help; }
bad_setup_help() { expect 0 '^Usage: tools/setup\.sh' "$T/setup.sh" -h; }
bad_afl_help() { expect 0 '^Usage: tools/afl\.sh' "$T/afl.sh" --help; }
bad_corpus_help() { expect 0 '^Usage: tools/corpus\.sh' "$T/corpus.sh" --help; }
bad_coverage_help() { expect 0 '^Usage: tools/coverage\.sh' "$T/coverage.sh" --help; }
bad_bench_help() { expect 0 '^Usage: tools/bench-fuzz\.sh' "$T/bench-fuzz.sh" --help; }
bad_vm_check_help() { expect 0 '^Usage: tools/vm/check\.sh' "$T/vm/check.sh" --help; }
bad_vm_run_help() { expect 0 '^Usage: run\.sh -k BZIMAGE' "$T/vm/run.sh" --help; }
bad_vm_kernel_help() { expect 0 '^Usage: kernel\.sh .-j N' "$T/vm/kernel.sh" --help; }
bad_vm_initramfs_help() { expect 0 '^Usage: initramfs\.sh -k' "$T/vm/initramfs.sh" -h; }

# --- runs that would never end ---------------------------------------------

bad_main_seconds_abc() {
	expect 2 "IOFD_FUZZ_SECONDS 'abc' is not a whole number \(expected 1 to 604800\)" \
		env IOFD_FUZZ_SECONDS=abc "$T/main.sh"
}
bad_main_seconds_zero() {
	expect 2 "IOFD_FUZZ_SECONDS '0' is out of range \(expected 1 to" \
		env IOFD_FUZZ_SECONDS=0 "$T/main.sh"
}
bad_main_seconds_negative() {
	expect 2 "IOFD_FUZZ_SECONDS '-5' is not a whole number" \
		env IOFD_FUZZ_SECONDS=-5 "$T/main.sh"
}
bad_main_seconds_empty() {
	expect 2 "IOFD_FUZZ_SECONDS '' is not a whole number" \
		env IOFD_FUZZ_SECONDS= "$T/main.sh"
}
bad_main_seconds_huge() {
	expect 2 "--seconds '18446744073709551616' is out of range" \
		"$T/main.sh" --seconds 18446744073709551616
}
bad_main_seconds_no_value() {
	expect 2 'option --seconds needs a value' "$T/main.sh" --seconds
}
bad_main_unknown_option() {
	expect 2 "unknown option '--secs'" "$T/main.sh" --secs 5
}
bad_bench_seconds_abc() {
	expect 2 "--seconds 'abc' is not a whole number \(expected 1 to 3600\)" \
		"$T/bench-fuzz.sh" --seconds abc
}
bad_bench_rounds_zero() {
	expect 2 "--rounds '0' is out of range \(expected 1 to 100\)" \
		"$T/bench-fuzz.sh" --rounds=0
}
bad_afl_seconds_abc() {
	expect 2 "--seconds 'abc' is not a whole number" "$T/afl.sh" --seconds abc
}

# --- numbers not checked, values missing ------------------------------------

bad_afl_jobs_zero() {
	expect 2 "--jobs '0' is out of range \(expected 1 to 64\)" "$T/afl.sh" --jobs 0
}
bad_afl_jobs_abc() {
	expect 2 "--jobs 'abc' is not a whole number" "$T/afl.sh" --jobs abc
}
bad_afl_jobs_no_value() {
	expect 2 'option --jobs needs a value' "$T/afl.sh" --jobs
}
bad_afl_out_empty_value() {
	expect 2 'option --out needs a value, not an empty string' "$T/afl.sh" --out ''
}
bad_vm_kernel_jobs_abc() {
	expect 2 "-j 'x2' is not a whole number \(expected 1 to 256\)" "$T/vm/kernel.sh" -jx2
}
bad_vm_kernel_jobs_zero() {
	expect 2 "--jobs '0' is out of range" "$T/vm/kernel.sh" --jobs=0
}
bad_vm_kernel_jobs_no_value() {
	expect 2 'option -j needs a value' "$T/vm/kernel.sh" -j
}
bad_vm_kernel_keep_src() {
	expect 2 "IOFD_KEEP_KERNEL_SRC 'yes' must be 0 or 1" \
		env IOFD_KEEP_KERNEL_SRC=yes "$T/vm/kernel.sh"
}
bad_vm_run_ndev_zero() {
	expect 2 "-n '0' is out of range \(expected 1 to 8\)" \
		"$T/vm/run.sh" -k k -i i -n 0
}
bad_vm_run_timeout_abc() {
	expect 2 "-t 'abc' is not a whole number" "$T/vm/run.sh" -k k -i i -t abc
}
bad_vm_run_tcg_mode() {
	expect 2 "-T 'threads': expected single or multi" "$T/vm/run.sh" -k k -i i -T threads
}
bad_vm_run_no_kernel_file() {
	echo initrd >initrd
	expect 2 "-k 'no-such-bzImage': no such file" \
		"$T/vm/run.sh" -k no-such-bzImage -i initrd
}
bad_vm_run_option_no_value() {
	expect 2 'option -k needs a value' "$T/vm/run.sh" -i i -k
}
bad_vm_check_timeout_abc() {
	expect 2 "IOFD_VM_TIMEOUT 'abc' is not a whole number \(expected 10 to 86400\)" \
		env IOFD_VM_TIMEOUT=abc "$T/vm/check.sh"
}
bad_vm_check_stall_short() {
	expect 2 "IOFD_VM_STALL '5' is out of range \(expected 10 to 3600\)" \
		env IOFD_VM_STALL=5 "$T/vm/check.sh"
}
bad_vm_check_cache_empty() {
	expect 2 'IOFD_CACHE is set but empty' env IOFD_CACHE= "$T/vm/check.sh"
}
bad_vm_initramfs_no_tool() {
	mkdir kdir
	printf '#!/bin/sh\n' >kdir/gen_init_cpio
	chmod +x kdir/gen_init_cpio
	expect 2 "-t 'no-such-tool': no such file" \
		"$T/vm/initramfs.sh" -k kdir -t no-such-tool -p p -o out.cpio
}
bad_vm_initramfs_no_extra() {
	mkdir kdir
	printf '#!/bin/sh\n' >kdir/gen_init_cpio
	chmod +x kdir/gen_init_cpio
	expect 2 "-x 'no-such-prog': no such file" \
		"$T/vm/initramfs.sh" -k kdir -x no-such-prog -p p -o out.cpio
}
bad_vm_initramfs_no_program() {
	expect 2 'usage: initramfs\.sh -k KDIR \[-t IOFD_HW\] \[-x PROG\]' \
		"$T/vm/initramfs.sh" -k kdir -p p -o out.cpio
}
bad_vm_run_no_viommu_value() {
	expect 2 "unexpected argument 'yes'" "$T/vm/run.sh" -k k -i i -N yes
}
bad_setup_unknown_option() {
	expect 2 "unknown option '--vm'" "$T/setup.sh" --vm
}
bad_test_unknown_argument() {
	expect 2 "unexpected argument 'asan'" "$T/test.sh" asan
}

# --- destructive options -------------------------------------------------------

# A directory afl.sh did not make is never emptied without --force.
bad_afl_out_foreign_dir() {
	mkdir -p mine
	echo keep >mine/thesis.tex
	expect 2 "--out '[^']*mine' is not empty and no afl.sh run made it \(no \.iofd-afl-out" \
		"$T/afl.sh" --out "$SCRATCH/mine"
	[ "$(cat mine/thesis.tex)" = keep ] || fail "mine/thesis.tex was touched"
}
# Not even with --force: / and the directories that hold the checkout.
bad_afl_out_root_forced() {
	expect 2 "--out '/' is / or holds it" "$T/afl.sh" --out / --force
}
bad_afl_out_checkout_forced() {
	expect 2 "--out '[^']*' is $SRC or holds it" "$T/afl.sh" --out "$SRC" --force
}
bad_afl_out_is_file() {
	echo x >afile
	expect 2 "--out '[^']*afile' exists and is not a directory" \
		"$T/afl.sh" --out "$SCRATCH/afile"
}

# --- nothing to do is not a success --------------------------------------------

bad_coverage_empty_corpus() {
	mkdir empty
	expect 2 "--corpus '[^']*empty' holds no input: there is nothing to measure" \
		"$T/coverage.sh" --corpus "$SCRATCH/empty"
}
bad_coverage_corpus_missing() {
	expect 2 "--corpus '[^']*nowhere' is not a directory" \
		"$T/coverage.sh" --corpus "$SCRATCH/nowhere"
}
bad_coverage_out_no_value() {
	expect 2 'option --out needs a value' "$T/coverage.sh" --out
}
bad_corpus_empty_dir() {
	mkdir empty
	expect 2 "'[^']*empty' holds no input: there is nothing to merge from it" \
		"$T/corpus.sh" "$SCRATCH/empty"
}
bad_corpus_not_a_dir() {
	expect 2 "'[^']*nowhere' is not a directory of inputs" \
		"$T/corpus.sh" "$SCRATCH/nowhere"
}
bad_corpus_unknown_option() {
	expect 2 "unknown option '--merge'" "$T/corpus.sh" --merge
}

# The two cases this file started with.
bad_vm_run_no_args() {
	expect 2 'usage: run\.sh -k BZIMAGE' "$T/vm/run.sh"
}
bad_kernel_unknown_option() {
	expect 2 "unknown option '-x'" "$T/vm/kernel.sh" -x
}

# tools/libfuzzer.sh sets up only a directory of its own.
bad_libfuzzer_help() { expect 0 '^Usage: tools/libfuzzer\.sh' "$T/libfuzzer.sh" --help; }
bad_libfuzzer_foreign_dir() {
	mkdir -p mine
	echo keep >mine/notes
	expect 2 "'[^']*mine' is not empty and was not set up by this script" \
		"$T/libfuzzer.sh" "$SCRATCH/mine"
}
bad_libfuzzer_two_dirs() {
	expect 2 "unexpected argument '[^']*b'" "$T/libfuzzer.sh" "$SCRATCH/a" "$SCRATCH/b"
}

bad_vm_check_tcg_mode() {
	expect 2 "IOFD_VM_TCG 'mttcg': expected single or multi" \
		env IOFD_VM_TCG=mttcg "$T/vm/check.sh"
}
bad_vm_soak_help() { expect 0 '^Usage: tools/vm/soak\.sh' "$T/vm/soak.sh" --help; }
bad_vm_soak_runs_zero() {
	expect 2 "-n '0' is out of range \(expected 1 to 1000\)" "$T/vm/soak.sh" -n 0
}

# The guest's scripts never run on the host: /init would bind devices to
# vfio-pci and power the machine off.
bad_vm_init_on_host() {
	expect 2 'init\.sh: refusing to run as pid [0-9]+: this is the VM check guest' \
		sh "$T/vm/init.sh"
}
bad_vm_payload_on_host() {
	expect 2 'payload\.sh: refusing to run here' \
		env IOFD_DEVICES=0000:00:03.0 sh "$T/vm/payload.sh"
}
bad_vm_init_help() { expect 0 '^Usage: tools/vm/init\.sh' sh "$T/vm/init.sh" --help; }

# --- bench-planted.sh: refused before the scratch tree is made ------------

bad_planted_help() { expect 0 '^Usage: tools/bench-planted\.sh' "$T/bench-planted.sh" --help; }
bad_planted_seeds_zero() {
	expect 2 "--seeds '0' is out of range \(expected 1 to 20\)" \
		"$T/bench-planted.sh" --seeds 0
}
bad_planted_seconds_word() {
	expect 2 "--seconds 'long' is not a whole number" \
		"$T/bench-planted.sh" --seconds long
}
bad_planted_unknown_bug() {
	expect 2 "no bug 'use-after-free' in .*planted-bugs\.txt \(one of: attach-fd-leak" \
		"$T/bench-planted.sh" --bug use-after-free
}
bad_planted_bugs_missing() {
	expect 2 "--bugs 'nothere\.txt' is not a readable file" \
		"$T/bench-planted.sh" --bugs nothere.txt
}
bad_planted_bugs_stale_id() {
	echo 'gone device.c:device_attach_cfg:skip-cleanup:000000 a mutant that no longer exists' >bugs.txt
	expect 2 "bugs\.txt:1: mutgen\.pl derives no mutant 'device\.c:device_attach_cfg:skip-cleanup:000000'" \
		"$T/bench-planted.sh" --bugs "$SCRATCH/bugs.txt"
}
bad_planted_bugs_no_text() {
	printf '# a comment\nleak device.c:device_attach_cfg:skip-cleanup:f420be\n' >bugs.txt
	expect 2 "bugs\.txt:2: 'leak device\.c:device_attach_cfg:skip-cleanup:f420be' is not 'NAME MUTANT-ID what it is'" \
		"$T/bench-planted.sh" --bugs "$SCRATCH/bugs.txt"
}
bad_planted_bugs_twice() {
	printf 'a device.c:device_attach_cfg:skip-cleanup:f420be one\na device.c:device_attach_cfg:skip-cleanup:f420be two\n' >bugs.txt
	expect 2 "bugs\.txt:2: bug 'a' named twice" \
		"$T/bench-planted.sh" --bugs "$SCRATCH/bugs.txt"
}
bad_planted_bugs_empty() {
	echo '# nothing' >bugs.txt
	expect 2 "bugs\.txt names no bug" "$T/bench-planted.sh" --bugs "$SCRATCH/bugs.txt"
}
