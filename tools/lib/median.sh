# Sourced by the benchmarks (bench-fuzz.sh, bench-planted.sh).
#
# median: the median of the whole numbers on stdin, one per line (the
# mean of the middle two, rounded down, when there is an even count).
median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
