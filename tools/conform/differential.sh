#!/usr/bin/env bash
# The uAPI differential: the emulator's side, and the judgement.
#
# Runs iofd_conform through the preload shim on the emulated twin of the VM
# check's machine: two e1000e at 0000:00:03.0 and 0000:00:04.0 (IOMMU
# groups 1 and 2, found through sysfs as in the guest), on the machine
# variant -v (default: the default variant, intel-iommu aw-bits=39, a
# kernel with THP and the legacy container, as tools/vm builds and boots
# it; IOFD_EMU_VARIANT from the caller's environment is not used), DMA
# faults read from the emulated /dev/kmsg. Then iofd_conform_diff compares that transcript with
# KERNEL (a file holding the real kernel's "conform: " lines: the VM's
# console log, or the transcript recorded in tools/conform/) under the
# exceptions file, and prints the fidelity per area and overall.
#
# Usage: differential.sh -p PRELOAD -c IOFD_CONFORM -d IOFD_CONFORM_DIFF
#                        [-v VARIANT] [-x EXCEPTIONS] [-o EMU_TRANSCRIPT]
#                        KERNEL
#   -p  the LD_PRELOAD value: the shim, after the sanitizer's runtime in
#       an ASan build (colon-separated)
#   -v  the shim's IOFD_EMU_VARIANT (e.g. aw-bits=48); a value the shim
#       refuses is a usage error
#   -x  default: tools/conform/exceptions
#   -o  also keep the emulator's transcript there
# Exit: 0 every step agrees (exceptions applied); 1 a mismatch, or the
# emulator's run failed; 2 a usage error (the shim's included).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage="usage: differential.sh -p PRELOAD -c IOFD_CONFORM -d IOFD_CONFORM_DIFF [-v VARIANT] [-x EXCEPTIONS] [-o EMU_TRANSCRIPT] KERNEL"
preload="" conform="" diff="" exceptions="$here/exceptions" keep="" variant=""
while getopts "p:c:d:v:x:o:" opt; do
	case "$opt" in
	p) preload="$OPTARG" ;;
	c) conform="$OPTARG" ;;
	d) diff="$OPTARG" ;;
	v) variant="$OPTARG" ;;
	x) exceptions="$OPTARG" ;;
	o) keep="$OPTARG" ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ -z "$preload" ] || [ -z "$conform" ] || [ -z "$diff" ]; then
	echo "$usage" >&2
	exit 2
fi
kernel=$1
IFS=: read -r -a preloads <<<"$preload"
for f in "${preloads[@]}" "$exceptions" "$kernel"; do
	if [ ! -f "$f" ] || [ ! -r "$f" ]; then
		echo "differential.sh: '$f' is not a readable file" >&2
		exit 2
	fi
done
for f in "$conform" "$diff"; do
	if [ ! -f "$f" ] || [ ! -x "$f" ]; then
		echo "differential.sh: '$f' is not an executable file" >&2
		exit 2
	fi
done
if [ -n "$keep" ] && [ ! -d "$(dirname -- "$keep")" ]; then
	echo "differential.sh: no directory for -o '$keep'" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/iofd-conform.XXXXXX")
trap 'rm -rf "$work"' EXIT

rc=0
env LD_PRELOAD="$preload" IOFD_EMU_VARIANT="$variant" \
	IOFD_EMU_DEVICES=e1000e@0000:00:03.0,e1000e@0000:00:04.0 \
	"$conform" -k -d 0000:00:03.0 -e 0000:00:04.0 \
	>"$work/emu.txt" 2>"$work/emu.err" </dev/null || rc=$?
if [ "$rc" != 0 ]; then
	# The shim refuses its configuration (-v) with status 2 before the
	# program runs.
	if [ "$rc" = 2 ] && grep -q '^iofd-emu: bad IOFD_EMU_VARIANT' "$work/emu.err"; then
		echo "differential.sh: -v '$variant' is not a machine variant:" >&2
		cat "$work/emu.err" >&2
		exit 2
	fi
	echo "differential.sh: iofd_conform on the emulator failed:" >&2
	cat "$work/emu.err" >&2
	exit 1
fi
if [ -n "$keep" ]; then
	cp "$work/emu.txt" "$keep"
fi
rc=0
"$diff" -x "$exceptions" "$kernel" "$work/emu.txt" || rc=$?
case "$rc" in
0 | 1) exit "$rc" ;;
*) exit 2 ;;
esac
