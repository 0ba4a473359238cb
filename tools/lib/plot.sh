# Sourced by tools/main.sh and tools/afl.sh: a picture of a fuzzing
# campaign, coverage and corpus size over time, drawn by gnuplot (Debian's
# gnuplot-nox, which tools/setup.sh installs) into a PNG.
#
# Each function prints nothing and returns 1 when it cannot draw (no
# gnuplot, no data); the caller says so in its summary. gnuplot's own
# messages go to OUT.log beside the picture.

# The gnuplot preamble shared by both pictures: the PNG terminal, the
# axes (coverage on the left, corpus size on the right) and the title @1.
plot_preamble() {
	cat <<EOF
set terminal pngcairo size 960,540 noenhanced font ",10"
set title "$1"
set xlabel "seconds since the start"
set ylabel "coverage"
set y2label "corpus size (inputs)"
set ytics nomirror
set y2tics
set key bottom right
set grid
set xrange [0:*]
set datafile missing "-"
EOF
}

# plot_libfuzzer DATA OUT.png TITLE: DATA holds one sample a line,
# "seconds libfuzzer_cov libfuzzer_ft corpus_inputs core_branches"
# (core_branches "-" when not measured yet), as tools/main.sh writes it.
plot_libfuzzer() {
	local data=$1 png=$2 title=$3

	command -v gnuplot >/dev/null 2>&1 || return 1
	[ -s "$data" ] || return 1
	{
		plot_preamble "$title"
		echo "set output '$png'"
		printf '%s' "plot '$data' using 1:5 with steps lw 2 title 'core branches covered (lcov)', "
		printf '%s' "'' using 1:2 with steps title 'libFuzzer edges (cov)', "
		echo "'' using 1:4 axes x1y2 with steps dt 2 title 'corpus size (right axis)'"
	} | gnuplot >"$png.log" 2>&1 && [ -s "$png" ]
}

# plot_afl OUT.png TITLE PLOT_DATA...: one AFL++ plot_data file per
# instance (its directory names it); edges found and corpus size of each
# over AFL++'s relative_time. The columns are found by their names in the
# header, which AFL++ versions order differently.
plot_afl() {
	local png=$1 title=$2 f name t e c sep=''
	local cmd="plot "

	shift 2
	command -v gnuplot >/dev/null 2>&1 || return 1
	for f in "$@"; do
		[ -s "$f" ] || continue
		read -r t e c < <(head -n 1 "$f" | tr -d '#' | tr ',' '\n' |
			awk '{ gsub(/ /, "") } $0 == "relative_time" { t = NR }
			     $0 == "edges_found" { e = NR } $0 == "corpus_count" { c = NR }
			     END { print t + 0, e + 0, c + 0 }')
		[ "$t" -gt 0 ] && [ "$e" -gt 0 ] && [ "$c" -gt 0 ] || continue
		name=$(basename "$(dirname "$f")")
		cmd+="$sep'$f' using $t:$e with linespoints pt 7 ps 0.6 lw 2 title '$name edges', "
		cmd+="'$f' using $t:$c axes x1y2 with linespoints pt 6 ps 0.6 dt 2 title '$name corpus (right axis)'"
		sep=', '
	done
	[ -n "$sep" ] || return 1
	{
		plot_preamble "$title"
		echo "set datafile separator ','"
		echo "set output '$png'"
		echo "$cmd"
	} | gnuplot >"$png.log" 2>&1 && [ -s "$png" ]
}
