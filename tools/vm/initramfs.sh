#!/usr/bin/env bash
# Build the VM check's initramfs: busybox-static, /init (tools/vm/init.sh),
# the statically linked iofd_hw and any other static programs, a payload
# script and the corpus.
#
# The archive is written by the kernel's own usr/gen_init_cpio from a list
# file, so no root and no mknod are needed and the result is the same bytes
# for the same inputs. It is uncompressed (the kernel has no RD_* options).
#
# Usage: initramfs.sh -k KERNEL_CACHE_DIR [-t IOFD_HW] [-x PROGRAM]...
#                     -p PAYLOAD.sh [-c CORPUS_DIR]... -o OUT.cpio
#   each -c DIR lands at /corpus/<basename DIR> in the guest; each -x
#   PROGRAM (statically linked) at /bin/<basename PROGRAM>; -t (iofd_hw)
#   may be left out when -x gives the programs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/args.sh"
prog=initramfs.sh
kdir="" tool="" payload="" out=""
corpora=() extras=()
case "${1:-}" in -h | --help) args_usage "$0"; exit 0 ;; esac
while getopts ":k:t:x:p:c:o:" opt; do
	case "$opt" in
	k) kdir="$OPTARG" ;;
	t) tool="$OPTARG" ;;
	x) extras+=("$OPTARG") ;;
	p) payload="$OPTARG" ;;
	c) corpora+=("$OPTARG") ;;
	o) out="$OPTARG" ;;
	:) args_die "option -$OPTARG needs a value" ;;
	*) args_die "unknown option -$OPTARG" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || args_unknown "$1"
if [ -z "$kdir" ] || { [ -z "$tool" ] && [ ${#extras[@]} -eq 0 ]; } ||
	[ -z "$payload" ] || [ -z "$out" ]; then
	echo "usage: initramfs.sh -k KDIR [-t IOFD_HW] [-x PROG]... -p PAYLOAD [-c DIR]... -o OUT" >&2
	exit 2
fi
[ -x "$kdir/gen_init_cpio" ] || args_die "-k '$kdir' is not a kernel cache directory (no gen_init_cpio in it)"
[ -z "$tool" ] || [ -f "$tool" ] || args_die "-t '$tool': no such file"
for x in ${extras[@]+"${extras[@]}"}; do
	[ -f "$x" ] || args_die "-x '$x': no such file"
done
[ -f "$payload" ] || args_die "-p '$payload': no such file"
for c in ${corpora[@]+"${corpora[@]}"}; do
	[ -d "$c" ] || args_die "-c '$c' is not a directory"
done
[ -d "$(dirname -- "$out")" ] || args_die "-o '$out': its directory does not exist"

busybox=/bin/busybox
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked'; then
	# Debian's busybox-static installs /bin/busybox; file(1) may be absent.
	if ! ldd "$busybox" 2>&1 | grep -q 'not a dynamic'; then
		echo "initramfs.sh: $busybox is not statically linked (install busybox-static)" >&2
		exit 1
	fi
fi
for x in ${tool:+"$tool"} ${extras[@]+"${extras[@]}"}; do
	if ldd "$x" >/dev/null 2>&1; then
		echo "initramfs.sh: $x is not statically linked" >&2
		exit 1
	fi
done

list=$(mktemp)
trap 'rm -f "$list"' EXIT
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	for d in /bin /proc /sys /tmp /etc /etc/iofd /corpus; do
		echo "dir $d 0755 0 0"
	done
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh busybox 0777 0 0"
	echo "file /init $here/init.sh 0755 0 0"
	[ -z "$tool" ] || echo "file /bin/iofd_hw $tool 0755 0 0"
	for x in ${extras[@]+"${extras[@]}"}; do
		echo "file /bin/$(basename "$x") $x 0755 0 0"
	done
	echo "file /etc/iofd/payload.sh $payload 0644 0 0"
	for c in ${corpora[@]+"${corpora[@]}"}; do
		name=$(basename "$c")
		echo "dir /corpus/$name 0755 0 0"
		for f in "$c"/*; do
			[ -f "$f" ] || continue
			echo "file /corpus/$name/$(basename "$f") $f 0644 0 0"
		done
	done
} >"$list"

"$kdir/gen_init_cpio" "$list" >"$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs.sh: $out ($(du -k "$out" | cut -f1) KiB)" >&2
