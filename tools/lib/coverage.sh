# Sourced by tools/coverage.sh and tools/main.sh: the branch coverage of
# core/ as lcov counts it from a gcc --coverage build's counters, the one
# figure both tools print. Run from the top of the checkout.
#
# What counts: core/ only, without core/tests/ and the real host (libc
# calls, never run under the emulator), which the corpus is not measured
# on.

# cov_capture BDIR OUTDIR: capture the counters of BDIR (the `coverage`
# preset's build) into OUTDIR/core.info, keeping what counts.
cov_capture() {
	local bdir=$1 out=$2 info=$2/core.info

	mkdir -p "$out"
	lcov --quiet --capture --directory "$bdir/core" --base-directory . \
		--rc lcov_branch_coverage=1 --output-file "$out/all.info" 2>/dev/null &&
	lcov --quiet --extract "$out/all.info" "$PWD/core/*" \
		--rc lcov_branch_coverage=1 --output-file "$info" 2>/dev/null &&
	lcov --quiet --remove "$info" "$PWD/core/tests/*" "$PWD/core/host_real.c" \
		--rc lcov_branch_coverage=1 --output-file "$info" 2>/dev/null
}

# cov_figure INFO: "HIT FOUND", branches hit and found over every file.
cov_figure() {
	awk -F: '/^BRF:/ { f += $2 } /^BRH:/ { h += $2 }
		END { printf "%d %d\n", h, f }' "$1"
}

# cov_text HIT FOUND: "HIT/FOUND (P%)".
cov_text() {
	awk -v h="$1" -v f="$2" 'BEGIN { printf "%d/%d (%.1f%%)", h, f, f ? 100 * h / f : 0 }'
}

# cov_html INFO OUTDIR: the lcov HTML report of INFO in OUTDIR.
cov_html() {
	genhtml --quiet --branch-coverage --output-directory "$2" "$1" \
		>/dev/null 2>&1
}

# cov_replay REPLAY PATH...: replay every input under the PATHs (files or
# directories) through the replay driver REPLAY, counting what they reach.
# An input that aborts (the regression input of an open bug) still counts
# as far as it went, and does not stop the others: a failing batch is
# replayed again one input at a time.
cov_replay() {
	local replay=$1 f

	shift
	[ $# -gt 0 ] || return 0
	"$replay" "$@" >/dev/null 2>&1 && return 0
	while IFS= read -r -d '' f; do
		"$replay" "$f" >/dev/null 2>&1 || true
	done < <(find "$@" -type f ! -name 'README*' ! -name '.*' -print0)
}
