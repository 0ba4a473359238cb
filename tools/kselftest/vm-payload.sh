#!/bin/sh
# What tools/kselftest.sh --vm runs in the guest (busybox sh, started by
# tools/vm/init.sh): the kernel's iommufd selftests named in
# /corpus/ksft/suites, each line of their output prefixed with
# "ksft-<suite>: " so the host can take the streams apart. debugfs is
# mounted first: iommufd_fail_nth sets fault injection up there and skips
# without it.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo "iofd-vm: huge pages reserved: $(cat /proc/sys/vm/nr_hugepages)"
for s in $(cat /corpus/ksft/suites); do
	echo "iofd-vm: === $s ==="
	"/bin/$s" 2>&1 | sed "s/^/ksft-$s: /"
done
exit 0
