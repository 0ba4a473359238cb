#!/usr/bin/env bash
# Boot the VM check's guest once and report how it ended.
#
# qemu-system-x86_64 with TCG (this machine has no KVM), q35, an Intel IOMMU
# (interrupt remapping is on by default under TCG, which BIND needs) placed
# before the endpoints, and one or more e1000e on pcie.0 from 03.0 up. The
# IOMMU's address width is pinned to 39 bits (aw-bits=39) so the aperture
# the guest sees does not depend on the QEMU version (7.2 defaults to 39,
# 10.0 to 48); the emulator's e1000e profile has the same 39-bit aperture.
# QEMU runs in its own session under timeout(1) with stdin from /dev/null;
# whatever happens, the EXIT trap kills that process group, so no process
# is left behind. The console goes to LOG and is printed when QEMU is gone.
#
# Usage: run.sh -k BZIMAGE -i INITRAMFS [-n NUM_E1000E] [-t TIMEOUT_S]
#               [-l LOG] [-a EXTRA_APPEND]
# Exit: 0 the guest printed the end marker with rc=0; 1 it printed rc!=0;
# 3 no marker (timeout, panic, QEMU failure).
set -euo pipefail

kernel="" initrd="" ndev=1 secs=300 log="" extra=""
while getopts "k:i:n:t:l:a:" opt; do
	case "$opt" in
	k) kernel="$OPTARG" ;;
	i) initrd="$OPTARG" ;;
	n) ndev="$OPTARG" ;;
	t) secs="$OPTARG" ;;
	l) log="$OPTARG" ;;
	a) extra="$OPTARG" ;;
	*) echo "usage: run.sh -k BZIMAGE -i INITRAMFS [-n N] [-t S] [-l LOG] [-a APPEND]" >&2; exit 2 ;;
	esac
done
if [ -z "$kernel" ] || [ -z "$initrd" ]; then
	echo "usage: run.sh -k BZIMAGE -i INITRAMFS [-n N] [-t S] [-l LOG] [-a APPEND]" >&2
	exit 2
fi
own_log=0
if [ -z "$log" ]; then
	log=$(mktemp)
	own_log=1
fi

qemu="qemu-system-x86_64"
ver=$("$qemu" --version | head -n 1)
echo "run.sh: $ver; intel-iommu aw-bits=39: aperture top 0x7fffffffff"

# A token only this boot prints, so a stale log can never pass.
token="$(date +%s%N)-$$"
devs=()
for ((i = 0; i < ndev; i++)); do
	devs+=(-device "e1000e,bus=pcie.0,addr=$(printf '%02x' $((3 + i))).0")
done

qpid=""
# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -KILL -- "-$qpid" 2>/dev/null || kill -KILL "$qpid" 2>/dev/null || true
	fi
	if [ "$own_log" = 1 ]; then rm -f "$log"; fi
}
trap cleanup EXIT

start=$(date +%s.%N)
# setsid gives timeout and QEMU a process group of their own to kill.
setsid timeout -k 5 "$secs" "$qemu" \
	-machine q35 -accel tcg -cpu max -m 1024 -smp 2 -nodefaults \
	-display none -serial stdio -no-reboot \
	-device intel-iommu,aw-bits=39 \
	"${devs[@]}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 intel_iommu=on iommu=nopt panic=-1 quiet iofd.token=$token $extra" \
	</dev/null >"$log" 2>&1 &
qpid=$!
wait "$qpid" && qrc=0 || qrc=$?
qpid=""
end=$(date +%s.%N)

cat "$log"
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
line=$(grep -a "IOFD-VM-END $token rc=" "$log" | tail -n 1 | tr -d '\r' || true)
if [ -z "$line" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "run.sh: no end marker: QEMU timed out after ${secs} s"
	else
		echo "run.sh: no end marker: QEMU exited with $qrc after ${wall} s"
	fi
	exit 3
fi
rc=${line##*rc=}
echo "run.sh: guest finished in ${wall} s of wall time (boot, test, power-off), payload rc=$rc"
[ "$rc" = 0 ] && exit 0
exit 1
