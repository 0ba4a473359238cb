#!/usr/bin/env bash
# The kernel's own iommufd selftests (tools/testing/selftests/iommu of
# Debian's linux-source-6.12) as an outside judge of the emulator, with
# the real kernel as the reference.
#
# On the emulator: runs the suites iommufd and iommufd_fail_nth, built by
# the iofd build (tools/kselftest/CMakeLists.txt), through the preload
# shim, with a hugetlb pool of 128 pages (IOFD_EMU_HUGEPAGES, as the
# reference VM reserves) and the model checked empty at every last close
# (IOFD_EMU_CHECK_CLEAN). Prints one TAP stream of both suites (a failing
# test's output as comments) and "kselftest: emulator P/T passed". It
# passes when the tests that fail are exactly those Linux 6.12.95 fails
# (tools/kselftest/expected-failures, each with its reason).
#
# With --vm, also: builds the same sources statically (gcc -static),
# boots the real 6.12.95 with the test interface (tools/vm/kernel.sh) in
# QEMU without a vIOMMU (q35 + e1000e, hugepages=128, debugfs mounted),
# runs them there, and prints "kselftest: kernel P/T passed" and every test
# whose result differs between the two; then it also needs no difference.
#
# Usage: kselftest.sh [--build-dir DIR] [--suite NAME]... [--timeout S] [--vm]
#                     [--logs DIR] [--help]
#   --build-dir DIR  a configured and built iofd tree (default: build/default,
#                    configured and built here with the default preset)
#   --suite NAME     iommufd or iommufd_fail_nth (default: both)
#   --timeout S      bound on each run of a suite, in seconds, 1-86400
#                    (default 1800)
#   --vm             also run on the real kernel (above); IOFD_VM_TIMEOUT
#                    bounds that boot, 10-86400 seconds (default 3600)
#   --logs DIR       keep each suite's whole output there, an existing
#                    directory (emu-SUITE.log; with --vm kernel-SUITE.log
#                    and the guest's console.log)
# Exit: 0 pass; 1 a result differs; 2 usage; 77 the suites cannot run here
# (the reason is printed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
suites_all=(iommufd iommufd_fail_nth)

. "$here/lib/args.sh"
prog=kselftest.sh

build_dir="" timeout_s=1800 vm=0 logs=""
suites=()
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--build-dir) args_value "$@"; build_dir=$2; shift ;;
	--suite)
		args_value "$@"
		case "$2" in
		iommufd | iommufd_fail_nth) suites+=("$2") ;;
		*) args_die "--suite '$2': expected iommufd or iommufd_fail_nth" ;;
		esac
		shift
		;;
	--timeout) args_value "$@"; timeout_s=$(args_uint --timeout "$2" 1 86400); shift ;;
	--vm) vm=1 ;;
	--logs) args_value "$@"; logs=$2; shift ;;
	*) args_unknown "$1" ;;
	esac
	shift
done
[ ${#suites[@]} -gt 0 ] || suites=("${suites_all[@]}")
# The kernel run's bound (tools/kselftest/vm.sh), checked before anything
# runs.
if [ -n "$logs" ]; then
	[ -d "$logs" ] || args_die "--logs '$logs' is not a directory"
	logs=$(cd "$logs" && pwd)
fi
if [ "$vm" = 1 ]; then
	IOFD_VM_TIMEOUT=$(args_env_uint IOFD_VM_TIMEOUT 3600 10 86400)
fi

if [ -n "$build_dir" ]; then
	[ -d "$build_dir" ] || args_die "--build-dir '$build_dir' is not a directory"
	build_dir=$(cd "$build_dir" && pwd)
	[ -f "$build_dir/CMakeCache.txt" ] ||
		args_die "--build-dir '$build_dir' is not an iofd build tree (no CMakeCache.txt)"
else
	cd "$src"
	# shellcheck source=tools/lib/build.sh
	. "$src/tools/lib/build.sh"
	build_dir=$src/build/default
	tools_build default "$build_dir/kselftest-build.log"
fi

shim=$build_dir/emu/libiofd_emu_preload.so
bindir=$build_dir/tools/kselftest
if [ ! -x "$bindir/iommufd" ] || [ ! -x "$bindir/iommufd_fail_nth" ]; then
	echo "kselftest: SKIP: $build_dir has no iommufd selftests: the kernel source tarball was missing when it was configured (tools/setup.sh installs linux-source-6.12)"
	exit 77
fi
if [ ! -f "$shim" ]; then
	echo "kselftest.sh: $build_dir has no preload shim ($shim)" >&2
	exit 2
fi
# The LD_PRELOAD value the build serves its tests with: the shim, after
# the sanitizer runtime it needs (tools/kselftest/CMakeLists.txt).
if [ ! -s "$bindir/preload" ]; then
	echo "kselftest.sh: $build_dir has no $bindir/preload (reconfigure it)" >&2
	exit 2
fi
preload=$(cat "$bindir/preload")

work=$(mktemp -d "${TMPDIR:-/tmp}/iofd-kselftest.XXXXXX")
# The logs asked for are kept whatever the outcome.
keep_logs() {
	[ -z "$logs" ] ||
		cp -f "$work"/emu-*.log "$work"/kernel-*.log "$work"/console.log \
			"$logs"/ 2>/dev/null || true
	rm -rf "$work"
}
trap keep_logs EXIT

# Results per test: NAME<TAB>ok|fail|skip, in the suite's order, from
# suite $2's output $1; a test in the plan without a result line (the
# suite died) is a failure, and so is a suite without a plan (it did not
# start), as the one test "$2 (did not start)".
results() {
	awk -v suite="$2" '
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
	/^(not )?ok [0-9]+ / {
		res = ($1 == "ok") ? "ok" : "fail"
		n = ($1 == "ok") ? $2 : $3
		name = ($1 == "ok") ? $3 : $4
		if ($0 ~ /# SKIP/)
			res = "skip"
		seen[n] = 1
		print name "\t" res
	}
	END {
		if (!plan)
			print suite " (did not start)\tfail"
		for (i = 1; i <= plan; i++)
			if (!(i in seen))
				print "#" i "\tfail"
	}' "$1"
}

# The output of test NAME in LOG: from its RUN line to its result.
test_output() {
	awk -v name="$2" '
	$0 ~ "^#  RUN +" name " " { on = 1 }
	on { print }
	on && $0 ~ "^(not )?ok [0-9]+ " name "( |$)" { exit }' "$1"
}

# Run every suite on the emulator into $work/emu-<suite>.log.
for s in "${suites[@]}"; do
	(
		cd "$work"
		# Only the suite gets the shim: timeout and env are not built
		# with the build's sanitizer, which the shim may need.
		timeout -k 10 "$timeout_s" env LD_PRELOAD="$preload" \
			IOFD_EMU_HUGEPAGES=128 IOFD_EMU_CHECK_CLEAN=1 \
			"$bindir/$s" </dev/null >"$work/emu-$s.log" 2>&1
	) || true
	results "$work/emu-$s.log" "$s" >"$work/emu-$s.res"
done

# The expected failures: pattern<TAB>reason.
declare -A reason=()
patterns=()
while IFS=$'\t' read -r pat why; do
	case "$pat" in '' | '#'*) continue ;; esac
	patterns+=("$pat")
	reason[$pat]=$why
done <"$here/kselftest/expected-failures"

expected_reason() {
	local p
	for p in "${patterns[@]}"; do
		# shellcheck disable=SC2053 # the pattern is a glob on purpose
		if [[ "$1" == $p ]]; then
			echo "${reason[$p]}"
			return 0
		fi
	done
	return 1
}

# One TAP stream over the suites, and the verdict against the
# expectations.
echo "TAP version 13"
total=0
for s in "${suites[@]}"; do
	total=$((total + $(wc -l <"$work/emu-$s.res")))
done
echo "1..$total"
n=0 pass=0 bad=0
declare -A emu_res=()
for s in "${suites[@]}"; do
	while IFS=$'\t' read -r name res; do
		n=$((n + 1))
		emu_res[$name]=$res
		why=$(expected_reason "$name") || why=""
		if [ "$res" = ok ]; then
			pass=$((pass + 1))
			if [ -n "$why" ]; then
				echo "ok $n $name # unexpected pass: 6.12 fails it: $why"
				bad=$((bad + 1))
			else
				echo "ok $n $name"
			fi
			continue
		fi
		if [ -n "$why" ]; then
			echo "not ok $n $name # expected: $why"
			continue
		fi
		if [ "$res" = skip ]; then
			echo "not ok $n $name # SKIP"
		else
			echo "not ok $n $name"
		fi
		if [ "$name" = "$s (did not start)" ]; then
			tail -n 20 "$work/emu-$s.log" | sed 's/^/# /'
		else
			test_output "$work/emu-$s.log" "$name" | sed 's/^/# /'
		fi
		bad=$((bad + 1))
	done <"$work/emu-$s.res"
done
echo "kselftest: emulator $pass/$total passed"
[ "$bad" = 0 ] || echo "kselftest: $bad result(s) of the emulator differ from 6.12's (above)"

if [ "$vm" = 1 ]; then
	rc=0
	IOFD_VM_TIMEOUT=$IOFD_VM_TIMEOUT "$here/kselftest/vm.sh" "$work" \
		"${suites[@]}" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "kselftest: the kernel run failed (vm.sh exit $rc)"
		exit 1
	fi
	kpass=0 ktotal=0 diffs=0
	for s in "${suites[@]}"; do
		results "$work/kernel-$s.log" "$s" >"$work/kernel-$s.res"
	done
	for s in "${suites[@]}"; do
		while IFS=$'\t' read -r name res; do
			ktotal=$((ktotal + 1))
			[ "$res" = ok ] && kpass=$((kpass + 1))
		done <"$work/kernel-$s.res"
	done
	echo "kselftest: kernel $kpass/$ktotal passed"
	for s in "${suites[@]}"; do
		while IFS=$'\t' read -r name res; do
			if [ "${emu_res[$name]:-missing}" != "$res" ]; then
				echo "kselftest: differs: $name: emulator ${emu_res[$name]:-missing}, kernel $res"
				diffs=$((diffs + 1))
			fi
		done <"$work/kernel-$s.res"
	done
	echo "kselftest: $diffs test(s) differ between the emulator and the kernel"
	[ "$diffs" = 0 ] || bad=$((bad + diffs))
fi
[ "$bad" = 0 ]
