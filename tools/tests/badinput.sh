# Bad-input cases of the scripts in tools/ (run by testlib/badinput.sh; each
# bad_<name> function is one CTest test, label badinput).

bad_vm_run_no_args() {
	expect 2 'usage: run\.sh -k BZIMAGE' "$SRC/tools/vm/run.sh"
}

bad_kernel_unknown_option() {
	expect 2 'usage: kernel\.sh' "$SRC/tools/vm/kernel.sh" -x
}
