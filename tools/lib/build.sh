# Sourced by the tools that build a preset before they run (bench-fuzz.sh,
# corpus.sh, coverage.sh; bench-planted.sh in its scratch copy of the
# tree); run from the top of the checkout or of that copy.
#
# tools_build PRESET LOG [TARGET...]: configure and build PRESET (only the
# TARGETs when given) with two jobs, all output to LOG (created beside
# it); on failure print LOG's last 30 lines on stderr and return 1.
tools_build() {
	local preset=$1 log=$2 targets=()

	shift 2
	[ $# -gt 0 ] && targets=(--target "$@")
	mkdir -p "$(dirname "$log")"
	if ! { cmake --preset "$preset" &&
	       cmake --build --preset "$preset" -j 2 "${targets[@]}"; } \
		>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "build of preset $preset failed (see $log)" >&2
		return 1
	fi
}
