#!/usr/bin/env bash
# Extract, or take from the cache, the parts of Debian's linux-source-6.12
# that the kernel's iommufd selftests need: tools/testing/selftests/iommu,
# the kselftest harness headers, and drivers/iommu/iommufd/iommufd_test.h
# (the IOMMU_TEST_CMD structs, which the emulator's mock is compiled
# against). Nothing of the kernel tree is ever copied into the repository.
#
# The files land in $IOFD_CACHE/kselftest/<version>-<tarball key>/ (IOFD_CACHE
# defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/iofd), a tree rooted like the
# kernel's, so the selftests' relative includes work unchanged. A "done" file
# is written last and a lock serialises concurrent runs (two build presets
# configuring at once). On success the tree's root is printed on stdout.
#
# Usage: fetch.sh [--tarball PATH]   (default /usr/src/linux-source-6.12.tar.xz)
# Exit: 0 done; 1 extraction failed; 2 usage; 77 no tarball (the reason is
# printed on stderr: the caller leaves the mock and the selftests out).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/args.sh"
prog=fetch.sh

tarball=/usr/src/linux-source-6.12.tar.xz
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--tarball) args_value "$@"; tarball=$2; shift ;;
	*) args_unknown "$1" ;;
	esac
	shift
done

if [ ! -f "$tarball" ]; then
	echo "fetch.sh: no kernel source tarball at '$tarball' (install linux-source-6.12 from bookworm-backports: tools/setup.sh)" >&2
	exit 77
fi
for t in tar xz sha256sum flock; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "fetch.sh: missing tool: $t" >&2
		exit 1
	}
done

# What is taken from the tarball (paths below its top directory).
members=(
	tools/testing/selftests/iommu/iommufd.c
	tools/testing/selftests/iommu/iommufd_fail_nth.c
	tools/testing/selftests/iommu/iommufd_utils.h
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h
	drivers/iommu/iommufd/iommufd_test.h
)

# The key: the tarball's identity (size, mtime) and the member list.
key=$( (stat -c '%s %Y' -- "$tarball"; printf '%s\n' "${members[@]}") |
	sha256sum | cut -c1-12)
version=$(dpkg-query -W -f '${Version}' linux-source-6.12 2>/dev/null || echo unknown)
cache_root=${IOFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iofd}
dir="$cache_root/kselftest/6.12-${version//[^A-Za-z0-9.+-]/_}-$key"
mkdir -p "$dir"

exec 9>"$dir/lock"
flock 9

if [ -f "$dir/done" ]; then
	echo "$dir/src"
	exit 0
fi

rm -rf "$dir/src" "$dir/src.tmp"
mkdir -p "$dir/src.tmp"
echo "fetch.sh: extracting the iommufd selftests from $tarball" >&2
if ! tar -xJf "$tarball" -C "$dir/src.tmp" --strip-components=1 \
	--wildcards "${members[@]/#/*/}"; then
	echo "fetch.sh: extraction from '$tarball' failed" >&2
	rm -rf "$dir/src.tmp"
	exit 1
fi
mv "$dir/src.tmp" "$dir/src"
echo "$version" >"$dir/done"
echo "$dir/src"
