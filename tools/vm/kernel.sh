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
# progress goes to stderr: what is built and why, then objects built over
# objects to build, the time spent and an estimate of the time left (in
# place on a terminal, a line every 15 s otherwise).
#
# Usage: kernel.sh [-j N | -jN | --jobs N | --jobs=N] [--help]
#   -j N   make jobs, 1 to 256 (default 2, run under nice -n 10)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/args.sh"
prog=kernel.sh
fragment="$here/kernel.config"
jobs=2
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	-j | --jobs) args_value "$@"; jobs=$(args_uint "$1" "$2" 1 256); shift ;;
	-j*) jobs=$(args_uint -j "${1#-j}" 1 256) ;;
	*) args_unknown "$1" ;;
	esac
	shift
done

log() { printf 'kernel.sh: %s\n' "$*" >&2; }

case "${IOFD_KEEP_KERNEL_SRC:-0}" in
0 | 1) ;;
*) args_die "IOFD_KEEP_KERNEL_SRC '${IOFD_KEEP_KERNEL_SRC}' must be 0 or 1" ;;
esac

# What a build compiles (C and assembler objects, host programs), counted
# from make's " CC foo.o" lines in LOG: the progress figure.
objects_built() {
	grep -cE '^  (CC|AS|HOSTCC)  ' "$1" 2>/dev/null || true
}

# Objects a whole build makes: the count the last finished build of any
# configuration wrote to its cache directory, else the count measured for
# tools/vm/kernel.config (tinyconfig plus the fragment, 6.12.95).
objects_total() {
	local f

	f=$(ls -t "$cache_root"/kernel/*/objects 2>/dev/null | head -n 1)
	if [ -n "$f" ] && [ -s "$f" ]; then
		cat "$f"
	else
		echo 1139
	fi
}

mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

# progress LOG START TOTAL: one line saying how far the build writing LOG
# has got.
progress() {
	local built total=$3 t left

	built=$(objects_built "$1")
	t=$(($(date +%s) - $2))
	[ "$built" -le "$total" ] || total=$built
	if [ "$built" -ge $((total / 30)) ] && [ "$built" -gt 0 ]; then
		left="about $(mmss $((t * (total - built) / built))) left"
	else
		left="estimating the time left"
	fi
	printf 'building Linux 6.12: %d/%d objects (%d%%), %s so far, %s' \
		"$built" "$total" $((100 * built / total)) "$(mmss "$t")" "$left"
}

# Print @1 as the current status: in place on a terminal (every call),
# else as a line of its own every 15 s.
status_tty=0
[ -t 2 ] && status_tty=1
status_last=0
status() {
	local now

	if [ "$status_tty" = 1 ]; then
		printf '\r\033[Kkernel.sh: %s' "$1" >&2
		return
	fi
	now=$(date +%s)
	if [ $((now - status_last)) -ge 15 ]; then
		log "$1"
		status_last=$now
	fi
}
status_end() { [ "$status_tty" = 0 ] || printf '\n' >&2; }

tarball=/usr/src/linux-source-6.12.tar.xz
if [ ! -f "$tarball" ]; then
	log "missing $tarball (tools/setup.sh installs linux-source-6.12 from bookworm-backports)"
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
if ! flock -n 9; then
	log "another run is building this kernel ($dir); waiting for it"
	wstart=$(date +%s)
	total=$(objects_total)
	until flock -n 9; do
		status "$(progress "$dir/build.log" "$wstart" "$total") (the other run's build)"
		sleep 2
	done
	status_end
fi

if [ -f "$dir/done" ] && [ -f "$dir/bzImage" ] && [ -x "$dir/gen_init_cpio" ]; then
	log "cached: $dir"
	echo "$dir"
	exit 0
fi

for t in make gcc flex bison bc; do
	command -v "$t" >/dev/null 2>&1 || { log "missing build tool: $t"; exit 1; }
done

total=$(objects_total)
log "the VM check boots its own Linux 6.12 (Debian's linux-source $version,"
log "tinyconfig + tools/vm/kernel.config: iommufd, VFIO cdev, the Intel IOMMU),"
log "because no Debian kernel has CONFIG_IOMMUFD. None is cached for this"
log "configuration, so it is built now, once: about $total objects, 10 to 15"
log "minutes on 2 cores. It is cached in $dir"
log "and every later run reuses it (a build that is stopped starts again)."

src="$dir/src"
rm -rf "$src" "$dir/done" "$dir/objects"
mkdir -p "$src"
start=$(date +%s)
# One background step at a time, its progress said meanwhile; a stop
# (Ctrl-C, TERM) takes the step's whole process group down with us.
bg=""
trap '[ -z "$bg" ] || kill -TERM -- "-$bg" 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# step WHAT CMD...: run CMD in its own process group; until it ends, say
# WHAT with the time it has taken so far (or the build's progress).
step() {
	local what=$1 rc=0

	shift
	setsid "$@" &
	bg=$!
	while kill -0 "$bg" 2>/dev/null; do
		if [ "$what" = build ]; then
			status "$(progress "$dir/build.log" "$bstart" "$total")"
		else
			status "$what ($(mmss $(($(date +%s) - start))) elapsed)"
		fi
		sleep 2
	done
	wait "$bg" || rc=$?
	bg=""
	status_end
	return $rc
}
step "extracting $tarball" tar -xJf "$tarball" -C "$src" --strip-components=1

# merge_config -m merges without running olddefconfig; do that explicitly.
step "configuring (tinyconfig + tools/vm/kernel.config)" sh -c '
	cd "$1" && nice -n 10 make -s tinyconfig >/dev/null &&
	KCONFIG_CONFIG=.config ./scripts/kconfig/merge_config.sh -m .config "$2" >/dev/null &&
	nice -n 10 make -s olddefconfig >/dev/null' sh "$src" "$fragment"

missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	if ! grep -qx -- "$line" "$src/.config"; then
		log "option did not survive olddefconfig: $line"
		missing=1
	fi
done <"$fragment"
[ "$missing" -eq 0 ] || exit 1

log "configured; building bzImage with -j$jobs under nice -n 10 (log: $dir/build.log)"
# Not -s: make's "  CC  foo.o" lines are what the progress counts.
bstart=$(date +%s)
step build sh -c 'exec nice -n 10 make -C "$1" -j"$2" bzImage >"$3" 2>&1' \
	sh "$src" "$jobs" "$dir/build.log" ||
	{ tail -n 30 "$dir/build.log" >&2; exit 1; }
objects_built "$dir/build.log" >"$dir/objects"
# usr/gen_init_cpio is a host program built with the initramfs support.
[ -x "$src/usr/gen_init_cpio" ] ||
	nice -n 10 make -C "$src" -s usr/gen_init_cpio >>"$dir/build.log" 2>&1

cp "$src/arch/x86/boot/bzImage" "$dir/bzImage.tmp"
mv "$dir/bzImage.tmp" "$dir/bzImage"
cp "$src/usr/gen_init_cpio" "$dir/gen_init_cpio"
cp "$src/.config" "$dir/config"
# The source tree is ~1.5 GB and is not needed once the image is built.
[ "${IOFD_KEEP_KERNEL_SRC:-0}" = 1 ] || rm -rf "$src"
echo "$version $(($(date +%s) - start))s" >"$dir/done"
log "built in $(($(date +%s) - start)) s: $dir"
echo "$dir"
