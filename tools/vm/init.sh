#!/bin/sh
# /init of the iofd VM check's initramfs (runs in the guest, busybox sh).
#
# Mounts proc, sysfs and devtmpfs; binds every e1000e (8086:10d3) to
# vfio-pci through driver_override and drivers_probe, in PCI address order,
# so the first gets /dev/vfio/devices/vfio0; creates the device nodes if
# devtmpfs did not; then runs /etc/iofd/payload.sh with the devices' PCI
# addresses in IOFD_DEVICES. Every line it prints itself starts with
# "iofd-vm:". It ends with the marker "IOFD-VM-END <token> rc=<n>", where the
# token comes from iofd.token= on the kernel command line, so the host can
# tell this run's end from anything else on the console, and powers off.
# Nothing here may stop the power-off: a hang would cost the host its
# whole timeout.
#
# Usage: none by hand. It runs only as PID 1 of the guest: anywhere else it
# refuses (exit 2) before it touches anything, since it mounts, binds
# devices to vfio-pci and powers the machine off.
case "${1:-}" in
-h | --help)
	echo "Usage: tools/vm/init.sh is the VM check guest's /init; run tools/vm/check.sh"
	exit 0 ;;
esac
if [ "$$" != 1 ]; then
	echo "init.sh: refusing to run as pid $$: this is the VM check guest's /init (it binds devices to vfio-pci and powers the machine off) and runs only as PID 1 in the guest; run tools/vm/check.sh" >&2
	exit 2
fi
/bin/busybox --install -s /bin
export PATH=/bin

say() { echo "iofd-vm: $*"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/vfio/devices /tmp
mount -t tmpfs tmpfs /tmp

token=none
read -r cmdline </proc/cmdline
for w in $cmdline; do
	case "$w" in iofd.token=*) token="${w#iofd.token=}" ;; esac
done
say "init at $(cut -d' ' -f1 /proc/uptime) s, kernel $(uname -r)"

devices=""
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x8086 ] || continue
	[ "$(cat "$d/device")" = 0x10d3 ] || continue
	bdf="${d##*/}"
	[ -e "$d/driver" ] && echo "$bdf" >"$d/driver/unbind"
	echo vfio-pci >"$d/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	drv=$(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)
	say "$bdf e1000e group $(basename "$(readlink "$d/iommu_group")") driver ${drv:-none}"
	devices="$devices $bdf"
done

# devtmpfs normally provides these; make them from sysfs when it did not.
for v in /sys/bus/pci/devices/*/vfio-dev/vfio*; do
	[ -e "$v/dev" ] || continue
	n="${v##*/}"
	IFS=: read -r maj min <"$v/dev"
	[ -e "/dev/vfio/devices/$n" ] || mknod "/dev/vfio/devices/$n" c "$maj" "$min"
	say "$n is char $(cat "$v/dev")"
done
if [ ! -e /dev/iommu ] && [ -e /sys/class/misc/iommu/dev ]; then
	IFS=: read -r maj min </sys/class/misc/iommu/dev
	mknod /dev/iommu c "$maj" "$min"
fi
[ -e /dev/iommu ] && say "/dev/iommu is char $(cat /sys/class/misc/iommu/dev)"

rc=0
IOFD_DEVICES="${devices# }" sh /etc/iofd/payload.sh || rc=$?
say "payload done at $(cut -d' ' -f1 /proc/uptime) s"
echo "IOFD-VM-END $token rc=$rc"
poweroff -f
