#!/usr/bin/env bash
# The kernel side of tools/kselftest.sh --vm: build the iommufd selftests
# statically, boot the real Linux 6.12.95 with them (tools/vm/kernel.sh,
# initramfs.sh, run.sh -N: no vIOMMU, hugepages=128), and leave each
# suite's output in WORK/kernel-<suite>.log.
#
# The kernel is the VM check's, built once into the cache by kernel.sh; its
# configuration (tools/vm/kernel.config) has CONFIG_IOMMUFD_TEST, fault
# injection and hugetlbfs, which the selftests need.
#
# Usage: vm.sh WORK SUITE...   (run by kselftest.sh, which checks
#        IOFD_VM_TIMEOUT, the boot's bound in seconds, and sets it)
# Exit: 0 the guest ran the suites; 1 it did not (the console is printed);
# 2 usage.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
vm=$here/../vm
if [ $# -lt 2 ] || [ ! -d "$1" ] || [ -z "${IOFD_VM_TIMEOUT:-}" ]; then
	echo "usage: IOFD_VM_TIMEOUT=S vm.sh WORK SUITE..." >&2
	exit 2
fi
work=$1
shift

for t in gcc qemu-system-x86_64; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "vm.sh: $t is not installed (tools/setup.sh installs it)" >&2
		exit 1
	}
done
[ -f "$(gcc -print-file-name=libc.a)" ] || {
	echo "vm.sh: gcc cannot link statically (no libc.a)" >&2
	exit 1
}

ksrc=$("$here/fetch.sh")
mkdir -p "$work/bin"
extras=()
for s in "$@"; do
	gcc -static -O2 -w -D_GNU_SOURCE -include "$here/compat.h" \
		-o "$work/bin/$s" "$ksrc/tools/testing/selftests/iommu/$s.c"
	extras+=(-x "$work/bin/$s")
done
# The suites to run ride in as a corpus directory (/corpus/ksft).
mkdir -p "$work/ksft"
printf '%s\n' "$@" >"$work/ksft/suites"

kdir=$("$vm/kernel.sh")
"$vm/initramfs.sh" -k "$kdir" "${extras[@]}" -p "$here/vm-payload.sh" \
	-c "$work/ksft" -o "$work/initramfs.cpio"

# One test may print nothing for minutes under TCG (a fail-nth sweep, the
# 128M dirty bitmaps): silence is taken as a stall only after 15 minutes.
rc=0
"$vm/run.sh" -N -s 900 -k "$kdir/bzImage" -i "$work/initramfs.cpio" -n 1 \
	-t "$IOFD_VM_TIMEOUT" -a "hugepages=128" \
	-l "$work/console.log" >"$work/run.log" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
	cat "$work/run.log"
	exit 1
fi
for s in "$@"; do
	grep -a "^ksft-$s: " "$work/console.log" | tr -d '\r' |
		sed "s/^ksft-$s: //" >"$work/kernel-$s.log" || true
done
grep -a -E '^(run\.sh|iofd-vm):' "$work/run.log" | tr -d '\r' || true
