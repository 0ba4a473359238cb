#!/usr/bin/env bash
# Merge and minimise the fuzz_attach corpus with libFuzzer's -merge=1.
#
# Usage: tools/corpus.sh [--replace] [--no-build] [DIR...]
#   --replace   then make corpus/fuzz_attach exactly the result (by hand:
#               look at `git status corpus/` and commit what you want)
#   --no-build  reuse build/fuzz (the `fuzz` preset) as it is
#   DIR         a directory of inputs to merge in (it must hold at least
#               one): a fuzzing run's new corpus, an AFL++ queue, ...
# Exit status: 0, 1 when a step failed, 2 for a usage error (nothing was
# done).
#
# Inputs: corpus/fuzz_attach plus every DIR given (a fuzzing run's new
# corpus, an AFL++ queue, ClusterFuzzLite's corpus). The result is written
# to a scratch directory, build/corpus/merged: a minimal set of inputs that
# keeps every coverage feature of all of them, each in canonical form
# (decoded to text and encoded again by fuzz_text, so it is a program the
# text tool prints and reads back byte for byte). The seeds of fuzz/seeds
# are always kept, under their names; any other input that adds coverage
# is named min-<sha1 prefix>. Every input of the result is replayed once
# (ASan+UBSan) before anything else happens.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/args.sh
. tools/lib/build.sh

prog=tools/corpus.sh
replace=0
build=1
extra=()
args_split "$@"
set -- ${ARGS[@]+"${ARGS[@]}"}
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) args_usage "$0"; exit 0 ;;
	--replace) replace=1 ;;
	--no-build) build=0 ;;
	--) shift; extra+=("$@"); break ;;
	-*) args_unknown "$1" ;;
	*) extra+=("$1") ;;
	esac
	shift
done
for d in ${extra[@]+"${extra[@]}"}; do
	[ -d "$d" ] || args_die "'$d' is not a directory of inputs"
	if [ -z "$(find "$d" -type f ! -name 'README*' ! -name '.*' -print -quit)" ]; then
		args_die "'$d' holds no input: there is nothing to merge from it"
	fi
done
if [ "$build" -eq 0 ] && [ ! -x build/fuzz/fuzz/fuzz_text ]; then
	args_die "--no-build: build/fuzz is not built yet (run once without --no-build)"
fi

bdir=build/fuzz
if [ "$build" -eq 1 ]; then
	tools_build fuzz "$bdir/corpus-build.log" \
		fuzz_attach fuzz_attach_replay fuzz_text || exit 1
fi
fuzzer=$bdir/fuzz/fuzz_attach
text=$bdir/fuzz/fuzz_text
replay=$bdir/fuzz/fuzz_attach_replay

work=build/corpus
rm -rf "$work"
mkdir -p "$work/seeds" "$work/candidates" "$work/merged"

# 1. The seeds, encoded from their text: they stay whatever the merge says.
for s in fuzz/seeds/*.txt; do
	"$text" encode "$s" "$work/seeds/$(basename "$s" .txt)"
done

# 2. Every other input, in canonical form, named by content. Names may
# clash across directories, so each directory is canonicalised apart.
n_in=0
i=0
for dir in corpus/fuzz_attach ${extra[@]+"${extra[@]}"}; do
	i=$((i + 1))
	mkdir -p "$work/canon/$i"
	find "$dir" -type f ! -name 'README*' ! -name '.*' -print0 |
		xargs -0 -r "$text" canon "$work/canon/$i"
	while IFS= read -r -d '' f; do
		n_in=$((n_in + 1))
		sha=$(sha1sum "$f" | cut -c1-12)
		mv "$f" "$work/candidates/min-$sha"
	done < <(find "$work/canon/$i" -type f -print0)
done
# A candidate equal to a seed is that seed.
for s in "$work"/seeds/*; do
	rm -f "$work/candidates/min-$(sha1sum "$s" | cut -c1-12)"
done

# 3. Seeds first, then only the candidates that add coverage to them.
cp "$work"/seeds/* "$work/merged/"
"$fuzzer" -merge=1 -merge_control_file="$work/merge.ctl" \
	"$work/merged" "$work/candidates" >"$work/merge.log" 2>&1 || {
	tail -n 20 "$work/merge.log" >&2
	echo "corpus: merge failed (a candidate crashes? see $work/merge.log)" >&2
	exit 1
}
# libFuzzer names what it adds by its own hash: back to min-<sha1>.
for f in "$work"/merged/*; do
	name=$(basename "$f")
	[ -e "$work/seeds/$name" ] && continue
	case "$name" in min-*) continue ;; esac
	mv "$f" "$work/merged/min-$(sha1sum "$f" | cut -c1-12)"
done

"$replay" "$work/merged" >/dev/null
n_seeds=$(find "$work/seeds" -type f | wc -l)
n_out=$(find "$work/merged" -type f | wc -l)
echo "corpus: $n_in inputs in, $n_out out ($n_seeds seeds + $((n_out - n_seeds)) that add coverage) in $work/merged"

if [ "$replace" -eq 1 ]; then
	find corpus/fuzz_attach -type f ! -name 'README*' -delete
	cp "$work"/merged/* corpus/fuzz_attach/
	echo "corpus: corpus/fuzz_attach replaced; review with git status corpus/"
fi
