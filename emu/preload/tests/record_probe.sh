#!/usr/bin/env bash
# Record vfio_probe's answers on a real Linux 6.12.95: build the probe
# statically, boot the VM check's guest (tools/vm: TCG, q35, intel-iommu,
# QEMU's e1000e bound to vfio-pci) with it as the payload, and write what
# it printed to vfio_probe.e1000e.txt next to this script. The kernel is
# the VM check's cached build (tools/vm/kernel.sh makes it).
#
# Usage: record_probe.sh KERNEL_CACHE_DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
kdir=${1:?usage: record_probe.sh KERNEL_CACHE_DIR}
[ -f "$kdir/bzImage" ] || { echo "record_probe.sh: no $kdir/bzImage" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -static -O1 -D_GNU_SOURCE -o "$work/vfio_probe" "$src/emu/preload/vfio_probe.c"
cat >"$work/payload.sh" <<'PAYLOAD'
#!/bin/sh
set -- $IOFD_DEVICES
echo "PROBE-BEGIN"
/bin/iofd_hw "$1"
echo "PROBE-END rc=$?"
PAYLOAD
bash "$src/tools/vm/initramfs.sh" -k "$kdir" -t "$work/vfio_probe" \
	-p "$work/payload.sh" -o "$work/initramfs.cpio"
bash "$src/tools/vm/run.sh" -k "$kdir/bzImage" -i "$work/initramfs.cpio" \
	-t 300 >"$work/log" 2>&1 || { tail -20 "$work/log"; exit 1; }
grep -q "PROBE-END rc=0" "$work/log" || { tail -20 "$work/log"; exit 1; }
sed -n '/PROBE-BEGIN/,/PROBE-END/p' "$work/log" | tr -d '\r' | sed '1d;$d' \
	>"$here/vfio_probe.e1000e.txt"
echo "record_probe.sh: $(wc -l <"$here/vfio_probe.e1000e.txt") lines into $here/vfio_probe.e1000e.txt"
