#!/usr/bin/env bash
# Run the VM check again and again and count how each run ended: the test
# that the check does not hang (run it while a build loads the machine),
# and the reproducer of the hangs multi-threaded TCG gives
# (IOFD_VM_TCG=multi tools/vm/soak.sh -n 5).
#
# Each run's whole output is kept in DIR/run-<n>.log; one line per run
# says its exit status, wall time and the machine's load average. Stops at
# the first failure with --stop.
#
# Usage: tools/vm/soak.sh [-n RUNS] [--stop] [--out DIR]
#   -n RUNS    1 to 1000 (default 10)
#   --stop     stop at the first run that does not pass
#   --out DIR  where the logs go (default: a new directory under /tmp)
# Environment: what tools/vm/check.sh reads (IOFD_VM_TCG, IOFD_VM_STALL,
# IOFD_VM_TIMEOUT, IOFD_CACHE).
# Exit status: 0 when every run passed, 1 otherwise, 2 for a usage error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/args.sh"
prog=tools/vm/soak.sh
runs=10
stop=0
out=""
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	-n) args_value "$@"; runs=$(args_uint -n "$2" 1 1000); shift ;;
	--stop) stop=1 ;;
	--out) args_value "$@"; out=$2; shift ;;
	*) args_unknown "$1" ;;
	esac
	shift
done
if [ -n "$out" ]; then
	[ ! -e "$out" ] || [ -d "$out" ] || args_die "--out '$out' exists and is not a directory"
	mkdir -p "$out"
else
	out=$(mktemp -d /tmp/iofd-vm-soak.XXXXXX)
fi

echo "soak: $runs runs of tools/vm/check.sh (TCG ${IOFD_VM_TCG:-single}); logs in $out"
pass=0
for ((i = 1; i <= runs; i++)); do
	start=$(date +%s)
	rc=0
	"$here/check.sh" >"$out/run-$i.log" 2>&1 || rc=$?
	why=$(grep -a -m 1 -E '^vm_check: (PASS|FAIL|SKIP)' "$out/run-$i.log" || true)
	echo "soak: run $i/$runs: exit $rc in $(($(date +%s) - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg): ${why#vm_check: }"
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	elif [ "$stop" -eq 1 ]; then
		break
	fi
done
echo "soak: $pass of $((i > runs ? runs : i)) runs passed"
[ "$pass" -eq "$runs" ]
