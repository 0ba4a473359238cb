#!/usr/bin/env bash
# The VM check: run iofd's hardware regression mode and the emulator-vs-
# kernel differential on a real Linux 6.12 iommufd, in a QEMU guest.
#
# Steps: take the kernel from the cache or build it (kernel.sh, minutes the
# first time), build the static iofd_hw (tools/hw/build-static.sh) and
# iofd_conform (tools/conform/build.sh), pack the initramfs with the corpus
# and payload.sh (initramfs.sh), boot it (run.sh: TCG, q35, intel-iommu,
# two e1000e) and print what the guest printed, then the summary lines and
# the fidelity figure; then compare the guest's uAPI conformance transcript
# with the emulator's (tools/conform/differential.sh: fidelity per area).
#
# Everything it writes lives outside the repository, under $IOFD_CACHE
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/iofd): the kernel, the static
# build, and a scratch directory per run that is removed at the end (a
# failed run leaves its console log there, vm-failed-<date>-<pid>.log).
#
# Each phase is said as it starts (tools/lib/progress.sh: on stdout, and
# to the test command's progress channel when it runs under tools/test.sh),
# and the guest's console is printed as it comes. A guest that goes silent
# for IOFD_VM_STALL seconds is stopped and the check fails with that
# reason, its last lines and QEMU's view of its vCPUs (tools/vm/run.sh).
#
# Usage: tools/vm/check.sh [--help]
# Environment: IOFD_VM_TIMEOUT (the whole boot's limit, 10 to 86400 s,
# default 900), IOFD_VM_STALL (console silence taken as a stall, 10 to
# 3600 s, default 60), IOFD_VM_TCG (single, the default, or multi: QEMU's
# TCG threading, see tools/vm/run.sh), IOFD_CACHE (see above).
# Exit: 0 pass; 1 a mismatch or the guest failed; 2 a usage error; 77 this
# machine cannot run the check at all (the reason is printed; CTest
# reports a skip).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$here/../lib/args.sh"
. "$here/../lib/progress.sh"
prog=tools/vm/check.sh
args_none "$0" "$@"
timeout_s=$(args_env_uint IOFD_VM_TIMEOUT 900 10 86400)
stall_s=$(args_env_uint IOFD_VM_STALL 60 10 3600)
tcg=${IOFD_VM_TCG:-single}
case "$tcg" in
single | multi) ;;
*) args_die "IOFD_VM_TCG '$tcg': expected single or multi" ;;
esac
if [ -n "${IOFD_CACHE+set}" ] && [ -z "$IOFD_CACHE" ]; then
	args_die "IOFD_CACHE is set but empty (unset it for the default)"
fi
cache_root=${IOFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iofd}
say() { progress_say vm_check "$@"; }

skip() {
	say "SKIP: $*"
	exit 77
}

# Only what truly prevents the check is a skip; tools/setup.sh installs it.
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 is not installed (tools/setup.sh installs qemu-system-x86)"
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
	skip "no static /bin/busybox (tools/setup.sh installs busybox-static)"
fi
for t in gcc cmake ninja; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
done
[ -f "$(gcc -print-file-name=libc.a)" ] ||
	skip "gcc cannot link statically (no libc.a)"
if [ ! -f /usr/src/linux-source-6.12.tar.xz ] &&
	! ls "$cache_root"/kernel/*/done >/dev/null 2>&1; then
	skip "no kernel source (tools/setup.sh installs linux-source-6.12 from bookworm-backports) and no cached kernel"
fi

mkdir -p "$cache_root"
work=$(mktemp -d "$cache_root/vm-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

t0=$(date +%s)
say "phase 1/4: the kernel (tools/vm/kernel.sh: from the cache, or built once)"
kdir=$("$here/kernel.sh")
t1=$(date +%s)
echo "vm_check: kernel $kdir ($((t1 - t0)) s)"

# One static build per source tree; the lock keeps two runs from sharing it
# at the same time.
tree_key=$(echo "$src" | sha256sum | cut -c1-12)
static_dir="$cache_root/hw-static/$tree_key"
mkdir -p "$static_dir"
say "phase 2/4: a static iofd_hw for the guest (gcc -static)"
tool=$(flock "$static_dir.lock" "$src/tools/hw/build-static.sh" "$static_dir")
t2=$(date +%s)
echo "vm_check: static iofd_hw $tool ($((t2 - t1)) s)"

# The uAPI conformance program rides along (tools/conform): the guest runs
# it after the corpus, and the host compares it with the emulator below.
conform_dir="$cache_root/conform-static/$tree_key"
mkdir -p "$conform_dir"
conform_tool=$(flock "$conform_dir.lock" "$src/tools/conform/build.sh" static "$conform_dir")

say "phase 3/4: the initramfs (busybox, iofd_hw, iofd_conform, the corpus)"
"$here/initramfs.sh" -k "$kdir" -t "$tool" -p "$here/payload.sh" \
	-x "$conform_tool" -c "$src/corpus/fuzz_attach" -o "$work/initramfs.cpio"

say "phase 4/4: booting Linux 6.12 under QEMU TCG (about a minute; a guest silent for ${stall_s} s is stopped)"
# The guest's own phase lines ("iofd-vm: ...") go to the progress channel.
set +e
"$here/run.sh" -k "$kdir/bzImage" -i "$work/initramfs.cpio" -n 2 \
	-t "$timeout_s" -s "$stall_s" -T "$tcg" -l "$work/console.log" |
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		iofd-vm:*) say "guest: ${line#iofd-vm: }" >/dev/null ;;
		run.sh:*) say "${line#run.sh: }" >/dev/null ;;
		esac
	done
rc=${PIPESTATUS[0]}
set -e

echo
echo "vm_check: ===== results ====="
grep -a -E '^(summary|  ops matching|  kernel clean|  fail-nth|  kernel host calls|differential|fidelity|result|time):?' \
	"$work/console.log" | tr -d '\r' || true
echo "vm_check: mismatches reported by the guest: $(grep -a -c 'MISMATCH' "$work/console.log" || true) lines"

# --- the uAPI differential: the guest's transcript against the emulator's,
# per area (tools/conform/differential.sh, exceptions in tools/conform/) ---
echo "vm_check: ===== uAPI differential: real kernel vs emulator ====="
emu_dir="$cache_root/conform-emu/$tree_key"
mkdir -p "$emu_dir"
conform_rc=0
if ! emu_side=$(flock "$emu_dir.lock" "$src/tools/conform/build.sh" emu "$emu_dir"); then
	conform_rc=2
else
	mapfile -t emu_side <<<"$emu_side"
	"$src/tools/conform/differential.sh" -p "${emu_side[0]}" \
		-c "${emu_side[1]}" -d "${emu_side[2]}" "$work/console.log" ||
		conform_rc=$?
fi
case "$conform_rc" in
0) echo "vm_check: uAPI differential: PASS" ;;
*) echo "vm_check: uAPI differential: FAIL (differential.sh exit $conform_rc)" ;;
esac

case "$rc" in
0) say "PASS" ;;
1) say "FAIL (the guest found mismatches)" ;;
4) say "FAIL (the guest stalled: no console output for ${stall_s} s; its last lines and QEMU's view are above)" ;;
5) say "FAIL (the payload passed but the guest did not power off)" ;;
*) say "FAIL (the guest did not finish: run.sh exit $rc)" ;;
esac
if [ "$rc" != 0 ] && [ -f "$work/console.log" ]; then
	# The whole console, with QEMU's monitor dump of a stalled guest,
	# outlives the scratch directory.
	kept="$cache_root/vm-failed-$(date +%Y%m%d-%H%M%S)-$$.log"
	cp "$work/console.log" "$kept"
	say "the guest's whole console log (and QEMU's view of a stalled guest): $kept"
fi
[ "$rc" = 0 ] && [ "$conform_rc" = 0 ]
