#!/usr/bin/env bash
# Run vfio_probe under the preload shim and compare every line it prints
# with what a real Linux 6.12.95 answered for the same device (QEMU's
# e1000e bound to vfio-pci in the VM check's guest), recorded by
# record_probe.sh into vfio_probe.e1000e.txt. Any difference fails, and
# is printed as a diff (real kernel lines "-", emulator lines "+").
#
# Usage: probe_diff.sh PROBE PRELOAD GOLDEN
#   PRELOAD is the LD_PRELOAD value (the shim, after ASan's runtime in an
#   ASan build).
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: probe_diff.sh PROBE PRELOAD GOLDEN" >&2
	exit 2
fi
probe=$1 preload=$2 golden=$3
for f in "$probe" "$golden"; do
	[ -f "$f" ] || { echo "probe_diff.sh: no file $f" >&2; exit 2; }
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
LD_PRELOAD=$preload IOFD_EMU_DEVICES=e1000e@0000:00:03.0 \
	"$probe" 0000:00:03.0 >"$out" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
	cat "$out"
	echo "probe_diff.sh: vfio_probe exited with $rc"
	exit 1
fi
if ! diff -u --label real-6.12.95 --label emulator "$golden" "$out"; then
	echo "probe_diff.sh: the emulator differs from the real kernel"
	exit 1
fi
echo "probe_diff.sh: $(wc -l <"$golden") lines, all as the real kernel"
