#!/usr/bin/env bash
# The main job: set up, build the libFuzzer target, and fuzz the core against
# the emulator for a bounded time starting from corpus/, then print a summary.
#
# New inputs go to a scratch corpus under build/ (libFuzzer writes into its
# first corpus directory), so the checkout's tracked files are never touched.
# IOFD_FUZZ_SECONDS sets the time (default 60). Exit status: 0 when the run
# found nothing, 1 when it found a crash or an invariant violation.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${IOFD_FUZZ_SECONDS:-60}
bash tools/setup.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

work=build/fuzz/main-run
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
seeds=$(find corpus/fuzz_attach corpus/regress -type f ! -name 'README*' | wc -l)

set +e
build/fuzz/fuzz/fuzz_attach -max_total_time="$secs" -print_final_stats=1 \
	-dict=fuzz/fuzz_attach.dict -artifact_prefix="$work/artifacts/" \
	"$work/corpus" corpus/fuzz_attach corpus/regress >"$work/log" 2>&1
rc=$?
set -e

stat() { sed -n "s/^stat::$1: *//p" "$work/log" | tail -n 1; }
cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$work/log" | tail -n 1)
crashes=$(find "$work/artifacts" -type f | wc -l)
echo "fuzz_attach summary"
echo "  time:      ${secs}s against the emulator (ASan+UBSan)"
echo "  seeds:     $seeds (corpus/fuzz_attach, corpus/regress)"
echo "  runs:      $(stat number_of_executed_units)"
echo "  exec/s:    $(stat average_exec_per_sec)"
echo "  coverage:  ${cov:-?}"
echo "  new corpus: $(find "$work/corpus" -type f | wc -l) inputs in $work/corpus"
echo "  peak RSS:  $(stat peak_rss_mb) MB"
echo "  crashes:   $crashes"
if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
	echo "FAILED: see $work/log; replay with build/fuzz/fuzz/fuzz_attach_replay -v $work/artifacts/*"
	tail -n 40 "$work/log"
	exit 1
fi
echo "OK"
