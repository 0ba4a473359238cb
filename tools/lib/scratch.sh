# Sourced by the tools that build a changed copy of the tree (mutants.sh,
# bench-planted.sh): the checkout itself is never modified.
#
# scratch_sync TOP DIR: make DIR/src a copy of the tracked and unignored
# files of checkout TOP (the list is kept in DIR/files). Only what differs
# is copied, with a new time stamp, so that ninja rebuilds from it even
# when the checkout's file is older than what was built last (a changed
# file left by an interrupted run); the rest is left alone, so ninja does
# too; what the checkout no longer has is removed (the build under
# DIR/src/build stays).
scratch_sync() {
	local top=$1 dir=$2 src=$2/src f

	mkdir -p "$src"
	(cd "$top" && git ls-files -co --exclude-standard -z) >"$dir/files"
	while IFS= read -r -d '' f; do
		[ -f "$top/$f" ] || continue
		if ! cmp -s "$top/$f" "$src/$f"; then
			mkdir -p "$(dirname "$src/$f")"
			cp "$top/$f" "$src/$f"
		fi
	done <"$dir/files"
	(cd "$src" && find . -path ./build -prune -o -type f -print0) |
	while IFS= read -r -d '' f; do
		f=${f#./}
		grep -qzxF -- "$f" "$dir/files" || rm -f "$src/$f"
	done
}
