#!/usr/bin/env bash
# Install what iofd needs on Debian 12, and nothing when it is all there.
#
# Needed: clang with libFuzzer and the sanitizer runtimes, afl++, lcov, cmake,
# ninja-build, and the Linux uAPI headers >= 6.6 (linux-libc-dev). Debian 12's
# own linux-libc-dev is 6.1 and lacks <linux/iommufd.h>; the newer one comes
# from bookworm-backports, which this script adds with the same archive URI as
# the machine's existing bookworm entry, and from which it installs only that
# one package. Every check is a probe of the real thing (a header symbol, a
# compiler flag), so a second run does no apt work at all. gnuplot-nox
# draws the campaign pictures of tools/main.sh and tools/afl.sh.
#
# Usage: tools/setup.sh [--help]
# Exit status: 0 when everything is present, 1 when something is missing
# and could not be installed, 2 for a usage error.
set -euo pipefail
. "$(dirname "$0")/lib/args.sh"
. "$(dirname "$0")/lib/progress.sh"
prog=tools/setup.sh
args_none "$0" "$@"

log() { printf 'setup: %s\n' "$*"; }

have_cmd() { command -v "$1" >/dev/null 2>&1; }

uapi_ok() {
	grep -qs 'IOMMU_IOAS_MAP' /usr/include/linux/iommufd.h &&
		grep -qs 'VFIO_DEVICE_BIND_IOMMUFD' /usr/include/linux/vfio.h
}

libfuzzer_ok() {
	have_cmd clang || return 1
	local tmp rc
	tmp=$(mktemp -d)
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' >"$tmp/t.c"
	clang -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1 && rc=0 || rc=1
	rm -rf "$tmp"
	return $rc
}

need=()
# Compiling and linking a sanitized libFuzzer target takes seconds, more
# on a loaded machine: said, and said again while it lasts.
log "checking what is installed"
progress_run "setup: probing clang's libFuzzer" libfuzzer_ok ||
	need+=(clang libclang-rt-14-dev)
have_cmd afl-clang-fast || need+=(afl++)
have_cmd lcov || need+=(lcov)
have_cmd cmake || need+=(cmake)
have_cmd ninja || need+=(ninja-build)
have_cmd gcc || need+=(gcc)
have_cmd git || need+=(git)
have_cmd gnuplot || need+=(gnuplot-nox)
need_uapi=0
uapi_ok || need_uapi=1

# --- VM check (tools/vm) and the QEMU sweep ------------------------------
# QEMU 10 (bookworm-backports: the first Debian QEMU with -object iommufd;
# bookworm's own 7.2 has none), a static busybox, the kernel build tools and
# Debian's 6.12 kernel source (bookworm-backports). Each is probed by what it
# installs, so an up-to-date machine does no apt work here either.
qemu_ok() {
	local v
	v=$(qemu-system-x86_64 --version 2>/dev/null | sed -n '1s/^QEMU emulator version \([0-9]*\)\..*/\1/p')
	[ -n "$v" ] && [ "$v" -ge 10 ]
}
need_qemu=0
qemu_ok || need_qemu=1
vm_pkg_ok() {
	case "$1" in
	busybox-static) [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ;;
	libelf-dev) [ -f /usr/include/libelf.h ] ;;
	libssl-dev) [ -f /usr/include/openssl/ssl.h ] ;;
	*) have_cmd "$1" ;;
	esac
}
for p in busybox-static flex bison bc libelf-dev libssl-dev; do
	vm_pkg_ok "$p" || need+=("$p")
done
need_ksrc=0
[ -f /usr/src/linux-source-6.12.tar.xz ] || need_ksrc=1
# --- end VM check --------------------------------------------------------

if [ ${#need[@]} -eq 0 ] && [ $need_uapi -eq 0 ] && [ $need_ksrc -eq 0 ] &&
	[ $need_qemu -eq 0 ]; then
	log "all dependencies present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	log "missing: ${need[*]} $([ $need_uapi -eq 1 ] && echo 'linux-libc-dev>=6.6') $([ $need_qemu -eq 1 ] && echo 'qemu-system-x86>=10'); run as root to install" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o Dpkg::Use-Pty=0 --no-install-recommends)

# The archive URI of the existing bookworm entry, in either sources format.
bookworm_uri() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '
			/^[[:space:]]*$/ { if (ok && u != "") { print u; exit } ok = 0; u = ""; next }
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") ok = 1 }
			END { if (ok && u != "") print u }' "$f" | head -n 1)
		[ -n "$uri" ] && { echo "$uri"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { if ($(i + 1) == "bookworm") { print $i; exit } } }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return; }
	done
	echo "http://deb.debian.org/debian"
}

if [ $need_uapi -eq 1 ] || [ $need_ksrc -eq 1 ] || [ $need_qemu -eq 1 ]; then
	bp=/etc/apt/sources.list.d/iofd-bookworm-backports.sources
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		uri=$(bookworm_uri)
		log "adding bookworm-backports from $uri"
		cat >"$bp" <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	fi
fi

# apt_step WHAT CMD...: say WHAT, run CMD with its output in a log, and
# say that it is still running every few seconds (apt can take minutes).
apt_step() {
	local what=$1

	shift
	log "$what"
	progress_run -q "setup: $what" "$@"
}

apt_step "apt-get update" apt-get update -q -o Dpkg::Use-Pty=0
if [ ${#need[@]} -gt 0 ]; then
	apt_step "installing ${need[*]}" apt-get install "${apt_opts[@]}" "${need[@]}"
fi
if [ $need_uapi -eq 1 ]; then
	apt_step "installing linux-libc-dev from bookworm-backports" \
		apt-get install "${apt_opts[@]}" -t bookworm-backports linux-libc-dev
fi
if [ $need_ksrc -eq 1 ]; then
	apt_step "installing linux-source-6.12 from bookworm-backports (VM check)" \
		apt-get install "${apt_opts[@]}" -t bookworm-backports linux-source-6.12
fi

if [ $need_qemu -eq 1 ]; then
	apt_step "installing qemu-system-x86 10 from bookworm-backports (VM check, QEMU sweep)" \
		apt-get install "${apt_opts[@]}" -t bookworm-backports qemu-system-x86
fi

fail=0
libfuzzer_ok || { log "clang cannot build a libFuzzer target" >&2; fail=1; }
uapi_ok || { log "linux-libc-dev >= 6.6 still missing (<linux/iommufd.h>)" >&2; fail=1; }
for c in afl-clang-fast lcov cmake ninja gnuplot; do
	have_cmd $c || { log "$c still missing" >&2; fail=1; }
done
[ -f /usr/src/linux-source-6.12.tar.xz ] || { log "linux-source-6.12 still missing" >&2; fail=1; }
qemu_ok || { log "qemu-system-x86 >= 10 still missing: $(qemu-system-x86_64 --version 2>&1 | head -n 1)" >&2; fail=1; }
[ $fail -eq 0 ] && log "done"
exit $fail
