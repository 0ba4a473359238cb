#!/bin/sh
# What the VM check runs inside the guest (busybox sh), after /init has bound
# the e1000e devices to vfio-pci; IOFD_DEVICES holds their PCI addresses.
#
# 1. Hardware regression + differential over the whole corpus: every program
#    runs on the emulator and on the real /dev/iommu, each op is judged
#    against the emulator, every host call is compared (fidelity figure),
#    and after every run the kernel is proved clean (fds, IOMMU_DESTROY of
#    every id, a re-bind).
# 2. The fail-nth sweep on the real kernel: the programs that build and
#    take down whole attachments (attach, region replay, shared and second
#    containers, two backends, raw maps beside a device) again with host
#    call 1, 2, ... failing, each point judged and proved clean, so every
#    unwind of the core's attach and detach paths is checked against the
#    real kernel's own answers. Every VFIO cdev open and close resets the
#    emulated device (tens of ms under TCG), so the sweep takes a subset
#    to keep the whole check within a minute or two.
# 3. The uAPI conformance program (tools/conform), when it is in the image:
#    every ioctl of iommufd and the VFIO cdev, the legacy group and
#    container path, the device's registers and its DMA, on the first
#    device (the second is its partner), reading DMA faults from
#    /dev/kmsg. It judges nothing: its transcript ("conform: " lines) is
#    compared on the host with the emulator's (tools/conform/
#    differential.sh). The console's kernel messages are turned off for
#    it, so that none lands inside a transcript line.
# The exit status is non-zero when 1 or 2 found a mismatch or 3 could not
# run.
#
# Usage: none by hand. It runs only in the guest, started by its /init
# (PID 1) with IOFD_DEVICES set; anywhere else it refuses (exit 2) before
# it touches a device.
set -u
case "${1:-}" in
-h | --help)
	echo "Usage: tools/vm/payload.sh runs in the VM check's guest, started by its /init; run tools/vm/check.sh"
	exit 0 ;;
esac
if [ "$PPID" != 1 ] || [ -z "${IOFD_DEVICES+set}" ]; then
	echo "payload.sh: refusing to run here: it drives the devices named in IOFD_DEVICES through vfio-pci and runs only in the VM check's guest, started by its /init; run tools/vm/check.sh" >&2
	exit 2
fi
# busybox sh has no arrays: the device options are the positional args.
set --
for d in $IOFD_DEVICES; do
	set -- "$@" -d "$d"
done
if [ $# -eq 0 ]; then
	echo "iofd-vm: no e1000e bound to vfio-pci"
	exit 2
fi
rc=0
echo "iofd-vm: === hardware regression and differential ==="
iofd_hw -D -c "$@" /corpus/fuzz_attach || rc=1
echo "iofd-vm: === fail-nth sweep on the real kernel ==="
for p in attach-detach attach-replay-regions shared-container-e1000e \
	two-backends-two-spaces raw-map-with-device regions-with-devices; do
	[ -f "/corpus/fuzz_attach/$p" ] && set -- "$@" "/corpus/fuzz_attach/$p"
done
iofd_hw -q -c -s 64 "$@" || rc=1
if [ -x /bin/iofd_conform ]; then
	echo "iofd-vm: === uAPI conformance transcript ==="
	set -- $IOFD_DEVICES
	dmesg -n 1
	iofd_conform -k -d "$1" ${2:+-e "$2"} || rc=1
fi
exit $rc
