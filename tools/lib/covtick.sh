#!/usr/bin/env bash
# One step of tools/main.sh's live core coverage: replay, through the
# coverage build's replay driver, the inputs of the DIRs that no earlier
# step replayed, then capture the counters (which only grow) and write
# "HIT FOUND" to STATE/figure. main.sh runs it in a process group of its
# own every few seconds while libFuzzer runs, so the status line shows the
# core branch figure of tools/coverage.sh, not libFuzzer's edge counter.
#
# Usage: covtick.sh BDIR STATE DIR...
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/lib/coverage.sh

bdir=$1 state=$2
shift 2
mkdir -p "$state"
touch "$state/replayed"
new=$state/new
find "$@" -type f ! -name 'README*' ! -name '.*' 2>/dev/null | LC_ALL=C sort |
	LC_ALL=C comm -23 - "$state/replayed" >"$new" || true
if [ -s "$new" ]; then
	mapfile -t files <"$new"
	nice -n 5 bash -c '. tools/lib/coverage.sh; cov_replay "$@"' covtick \
		"$bdir/fuzz/fuzz_attach_replay" "${files[@]}"
	LC_ALL=C sort -m "$state/replayed" "$new" >"$state/replayed.tmp"
	mv "$state/replayed.tmp" "$state/replayed"
fi
if [ -s "$new" ] || [ ! -f "$state/figure" ]; then
	nice -n 5 bash -c '. tools/lib/coverage.sh; cov_capture "$@"' covtick \
		"$bdir" "$state/lcov"
	cov_figure "$state/lcov/core.info" >"$state/figure.tmp"
	mv "$state/figure.tmp" "$state/figure"
fi
