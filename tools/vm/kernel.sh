#!/usr/bin/env bash
# Build, or take from the cache, the Linux 6.12 kernel the VM check boots.
#
# The source is Debian's linux-source-6.12 tarball (/usr/src). The kernel is
# configured as tinyconfig plus tools/vm/kernel.config and every line of the
# fragment is checked to have survived olddefconfig (a dropped option would
# silently give a kernel without /dev/iommu). The result lives outside the
# repository in $IOFD_CACHE/kernel/<version>-<fragment hash>/ (IOFD_CACHE
# defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/iofd), holding bzImage and the
# kernel's own usr/gen_init_cpio. A "done" file is written last, so a build
# that was interrupted is redone and never used; a lock file serialises two
# concurrent runs. On success the cache directory is printed on stdout; all
# progress goes to stderr.
#
# Usage: kernel.sh [-j N]      (default -j2, run under nice -n 10)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fragment="$here/kernel.config"
jobs=2
while [ $# -gt 0 ]; do
	case "$1" in
	-j) jobs="$2"; shift 2 ;;
	*) echo "usage: kernel.sh [-j N]" >&2; exit 2 ;;
	esac
done

log() { printf 'kernel.sh: %s\n' "$*" >&2; }

tarball=/usr/src/linux-source-6.12.tar.xz
if [ ! -f "$tarball" ]; then
	log "missing $tarball (install linux-source-6.12 from bookworm-backports: tools/setup.sh --vm)"
	exit 1
fi
version=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || echo unknown)
# The key covers the fragment, the source package version and the recipe
# number below; bump the recipe when a change to this script changes the
# image it builds.
recipe=1
hash=$( (cat "$fragment"; echo "$version recipe=$recipe") | sha256sum | cut -c1-12)
cache_root=${IOFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iofd}
dir="$cache_root/kernel/6.12-${version//[^A-Za-z0-9.+-]/_}-$hash"
mkdir -p "$dir"

exec 9>"$dir/lock"
flock 9

if [ -f "$dir/done" ] && [ -f "$dir/bzImage" ] && [ -x "$dir/gen_init_cpio" ]; then
	log "cached: $dir"
	echo "$dir"
	exit 0
fi

for t in make gcc flex bison bc; do
	command -v "$t" >/dev/null 2>&1 || { log "missing build tool: $t"; exit 1; }
done

src="$dir/src"
rm -rf "$src" "$dir/done"
mkdir -p "$src"
log "extracting $tarball ($version)"
tar -xJf "$tarball" -C "$src" --strip-components=1

start=$(date +%s)
mk() { nice -n 10 make -C "$src" -s "$@"; }
mk tinyconfig >/dev/null
# merge_config -m merges without running olddefconfig; do that explicitly.
(cd "$src" && KCONFIG_CONFIG=.config ./scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null)
mk olddefconfig >/dev/null

missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	if ! grep -qx -- "$line" "$src/.config"; then
		log "option did not survive olddefconfig: $line"
		missing=1
	fi
done <"$fragment"
[ "$missing" -eq 0 ] || exit 1

log "building bzImage with -j$jobs (several minutes on 2 cores)"
mk -j"$jobs" bzImage >"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; exit 1; }
# usr/gen_init_cpio is a host program built with the initramfs support.
[ -x "$src/usr/gen_init_cpio" ] || mk usr/gen_init_cpio >>"$dir/build.log" 2>&1

cp "$src/arch/x86/boot/bzImage" "$dir/bzImage.tmp"
mv "$dir/bzImage.tmp" "$dir/bzImage"
cp "$src/usr/gen_init_cpio" "$dir/gen_init_cpio"
cp "$src/.config" "$dir/config"
# The source tree is ~1.5 GB and is not needed once the image is built.
[ "${IOFD_KEEP_KERNEL_SRC:-0}" = 1 ] || rm -rf "$src"
echo "$version $(($(date +%s) - start))s" >"$dir/done"
log "built in $(($(date +%s) - start)) s: $dir"
echo "$dir"
