#!/usr/bin/env bash
# Boot the VM check's guest once and report how it ended.
#
# qemu-system-x86_64 with TCG (this machine has no KVM), q35, an Intel IOMMU
# (interrupt remapping is on by default under TCG, which BIND needs) placed
# before the endpoints, and one or more e1000e on pcie.0 from 03.0 up. The
# IOMMU's address width is pinned to 39 bits (aw-bits=39) so the aperture
# the guest sees does not depend on the QEMU version (7.2 defaults to 39,
# 10.0 to 48); the emulator's e1000e profile has the same 39-bit aperture.
#
# QEMU runs in its own session under timeout(1) with stdin from /dev/null;
# whatever happens, the EXIT trap kills that process group, so no process
# is left behind. The guest's console goes to LOG and is printed as it
# comes. The guest is watched: when its console stays silent for STALL
# seconds it is taken as stalled, and when it printed its end marker but
# has not powered off within 20 s it is taken as stuck in shutdown. Either
# way the state of its vCPUs and local APICs is asked of QEMU's monitor
# (a pair of FIFOs) and written to LOG, the guest's last lines are
# printed, and QEMU is stopped: nothing waits out TIMEOUT.
#
# With -N the guest has no vIOMMU: no intel-iommu device and no
# intel_iommu=on (the kernel's iommufd selftests need that: their mock
# devices do not bind behind a real IOMMU).
#
# Usage: run.sh -k BZIMAGE -i INITRAMFS [-n NUM_E1000E] [-t TIMEOUT_S]
#               [-s STALL_S] [-l LOG] [-a EXTRA_APPEND] [-c SMP]
#               [-T single|multi] [-q] [-N]
#   -n N   e1000e devices, 1 to 8 (default 1)
#   -t S   the whole boot's limit, 10 to 86400 seconds (default 300)
#   -s S   console silence taken as a stall, 10 to 3600 seconds (default 60)
#   -c N   vCPUs, 1 to 4 (default 2)
#   -T M   TCG threading: single (every vCPU on one host thread, the
#          default) or multi (a host thread per vCPU; see below)
#   -q     do not print the console as it comes (LOG still has it)
#   -N     no vIOMMU (see above)
# Exit: 0 the guest printed the end marker with rc=0 and powered off; 1 it
# printed rc!=0; 2 a usage error; 3 no marker (timeout, panic, QEMU
# failure); 4 the guest stalled (no console output for STALL seconds);
# 5 the payload passed but the guest did not power off.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/args.sh"
prog=run.sh

kernel="" initrd="" ndev=1 secs=300 stall=60 log="" extra="" smp=2 quiet=0
viommu=1 tcg=single
case "${1:-}" in -h | --help) args_usage "$0"; exit 0 ;; esac
while getopts ":k:i:n:t:s:l:a:c:T:qN" opt; do
	case "$opt" in
	k) kernel="$OPTARG" ;;
	i) initrd="$OPTARG" ;;
	n) ndev=$(args_uint -n "$OPTARG" 1 8) ;;
	t) secs=$(args_uint -t "$OPTARG" 10 86400) ;;
	s) stall=$(args_uint -s "$OPTARG" 10 3600) ;;
	l) log="$OPTARG" ;;
	a) extra="$OPTARG" ;;
	c) smp=$(args_uint -c "$OPTARG" 1 4) ;;
	T) case "$OPTARG" in
	   single | multi) tcg=$OPTARG ;;
	   *) args_die "-T '$OPTARG': expected single or multi" ;;
	   esac ;;
	q) quiet=1 ;;
	N) viommu=0 ;;
	:) args_die "option -$OPTARG needs a value" ;;
	*) args_die "unknown option -$OPTARG" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || args_unknown "$1"
if [ -z "$kernel" ] || [ -z "$initrd" ]; then
	echo "usage: run.sh -k BZIMAGE -i INITRAMFS [-n N] [-t S] [-s S] [-l LOG] [-a APPEND] [-c SMP] [-q] [-N]" >&2
	exit 2
fi
[ -f "$kernel" ] || args_die "-k '$kernel': no such file"
[ -f "$initrd" ] || args_die "-i '$initrd': no such file"

qemu="qemu-system-x86_64"
ver=$("$qemu" --version | head -n 1)
iommu=(-device intel-iommu,aw-bits=39)
iommu_append="intel_iommu=on iommu=nopt"
if [ "$viommu" = 1 ]; then
	echo "run.sh: $ver; intel-iommu aw-bits=39: aperture top 0x7fffffffff"
else
	iommu=()
	iommu_append=""
	echo "run.sh: $ver; no vIOMMU"
fi

scratch=$(mktemp -d)
[ -n "$log" ] || log=$scratch/console.log
: >"$log"
mon=$scratch/monitor
mkfifo "$mon.in" "$mon.out"

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
	rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Ask QEMU's human monitor @1 and print its answer (what it wrote to the
# FIFO within two seconds).
monitor() {
	exec 8<>"$mon.out"
	printf '%s\n' "$1" >"$mon.in"
	timeout 2 cat <&8 | tr -d '\r' | grep -av '^(qemu)' || true
	exec 8<&-
}

# What QEMU knows of a guest that stopped talking: where each vCPU is and
# each local APIC's timer (is it armed, masked, in which mode). Appended
# to the log; the lines that say the most are printed.
monitor_dump() {
	local state

	exec 7<>"$mon.out"	# drain the monitor's banner
	timeout 1 cat <&7 >/dev/null || true
	exec 7<&-
	{
		echo "===== run.sh: QEMU monitor: $1 ====="
		monitor "info status"
		monitor "info registers -a"
		for ((c = 0; c < smp; c++)); do
			echo "--- info lapic $c"
			monitor "info lapic $c"
		done
	} >"$scratch/monitor.txt" 2>&1
	cat "$scratch/monitor.txt" >>"$log"
	state=$(grep -aE '^(VM status|CPU#|RIP=|LVTT|Timer|ICR|TSC)' "$scratch/monitor.txt" | head -n 40)
	echo "run.sh: QEMU's view of the guest (full dump in the console log):"
	printf '%s\n' "$state" | sed 's/^/run.sh:   /'
}

start=$(date +%s)
# setsid gives timeout and QEMU a process group of their own to kill.
setsid timeout -k 5 "$secs" "$qemu" \
	-machine q35 -accel "tcg,thread=$tcg" -cpu max -m 1024 -smp "$smp" -nodefaults \
	-display none -serial stdio -no-reboot \
	-chardev "pipe,id=mon0,path=$mon" -mon chardev=mon0,mode=readline \
	${iommu[@]+"${iommu[@]}"} \
	"${devs[@]}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 $iommu_append panic=-1 quiet iofd.token=$token $extra" \
	</dev/null >>"$log" 2>&1 &
qpid=$!

# Follow the console until QEMU exits, the guest goes silent, or it
# finishes and does not power off. Descriptor 6 reads the log from where
# the last turn stopped.
exec 6<"$log"
shown=0 last=$start ended="" why=""
while kill -0 "$qpid" 2>/dev/null; do
	sleep 1
	now=$(date +%s)
	size=$(stat -c %s "$log")
	if [ "$size" -gt "$shown" ]; then
		if [ "$quiet" = 1 ]; then
			cat <&6 >/dev/null
		else
			cat <&6 | tr -d '\r'
		fi
		shown=$size
		last=$now
	fi
	if [ -z "$ended" ] && grep -aq "IOFD-VM-END $token rc=" "$log"; then
		ended=$now
	fi
	if [ -n "$ended" ] && [ $((now - ended)) -ge 20 ]; then
		why=shutdown
		break
	fi
	if [ -z "$ended" ] && [ $((now - last)) -ge "$stall" ]; then
		why=stall
		break
	fi
done
wall=$(($(date +%s) - start))
[ "$quiet" = 1 ] || cat <&6 | tr -d '\r'
exec 6<&-
echo
if [ -n "$why" ]; then
	if [ "$why" = stall ]; then
		echo "run.sh: the guest stalled: no console output for $stall s (after ${wall} s); its last lines:"
	else
		echo "run.sh: the guest printed its end marker but did not power off within 20 s; its last lines:"
	fi
	tr -d '\r' <"$log" | tail -n 15 | sed 's/^/run.sh: | /'
	monitor_dump "$why after ${wall} s"
	kill -KILL -- "-$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	qpid=""
	qrc=stopped
else
	wait "$qpid" && qrc=0 || qrc=$?
	qpid=""
fi

line=$(grep -a "IOFD-VM-END $token rc=" "$log" | tail -n 1 | tr -d '\r' || true)
if [ -z "$line" ]; then
	if [ "$why" = stall ]; then
		echo "run.sh: FAIL: the guest stalled (no console output for $stall s)"
		exit 4
	elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "run.sh: no end marker: QEMU timed out after ${secs} s"
	else
		echo "run.sh: no end marker: QEMU exited with $qrc after ${wall} s"
	fi
	exit 3
fi
rc=${line##*rc=}
echo "run.sh: guest finished in ${wall} s of wall time (boot, test, power-off), payload rc=$rc"
[ "$rc" = 0 ] || exit 1
if [ "$why" = shutdown ]; then
	echo "run.sh: FAIL: the payload passed but the guest did not power off"
	exit 5
fi
exit 0
