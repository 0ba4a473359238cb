#!/usr/bin/env bash
# The VM check: run iofd's hardware regression mode and the emulator-vs-
# kernel differential on a real Linux 6.12 iommufd, in a QEMU guest.
#
# Steps: take the kernel from the cache or build it (kernel.sh, minutes the
# first time), build the static iofd_hw (tools/hw/build-static.sh), pack the
# initramfs with the corpus and payload.sh (initramfs.sh), boot it
# (run.sh: TCG, q35, intel-iommu, two e1000e) and print what the guest
# printed, then the summary lines and the fidelity figure.
#
# Everything it writes lives outside the repository, under $IOFD_CACHE
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/iofd): the kernel, the static
# build, and a scratch directory per run that is removed at the end.
#
# Exit: 0 pass; 1 a mismatch or the guest failed; 77 this machine cannot
# run the check at all (the reason is printed; CTest reports a skip).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cache_root=${IOFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iofd}
timeout_s=${IOFD_VM_TIMEOUT:-900}

skip() {
	echo "vm_check: SKIP: $*"
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
kdir=$("$here/kernel.sh")
t1=$(date +%s)
echo "vm_check: kernel $kdir ($((t1 - t0)) s)"

# One static build per source tree; the lock keeps two runs from sharing it
# at the same time.
static_dir="$cache_root/hw-static/$(echo "$src" | sha256sum | cut -c1-12)"
mkdir -p "$static_dir"
tool=$(flock "$static_dir.lock" "$src/tools/hw/build-static.sh" "$static_dir")
t2=$(date +%s)
echo "vm_check: static iofd_hw $tool ($((t2 - t1)) s)"

"$here/initramfs.sh" -k "$kdir" -t "$tool" -p "$here/payload.sh" \
	-c "$src/corpus/fuzz_attach" -o "$work/initramfs.cpio"

rc=0
"$here/run.sh" -k "$kdir/bzImage" -i "$work/initramfs.cpio" -n 2 \
	-t "$timeout_s" -l "$work/console.log" || rc=$?

echo
echo "vm_check: ===== results ====="
grep -a -E '^(summary|  ops matching|  kernel clean|  fail-nth|  kernel host calls|differential|fidelity|result|time):?' \
	"$work/console.log" | tr -d '\r' || true
echo "vm_check: mismatches reported by the guest: $(grep -a -c 'MISMATCH' "$work/console.log" || true) lines"
case "$rc" in
0) echo "vm_check: PASS" ;;
1) echo "vm_check: FAIL (the guest found mismatches)" ;;
*) echo "vm_check: FAIL (the guest did not finish: run.sh exit $rc)" ;;
esac
[ "$rc" = 0 ]
