# Sourced by the scripts of tools/: their arguments and environment are
# checked here, before the script does anything. Every refusal names the
# bad value and the accepted form, goes to stderr and exits with status 2.
#
# A script sets `prog` (its name in messages) and keeps its usage in its
# header comment, from "# Usage:" on (args_usage prints it); then it runs
#
#   args_split "$@"; set -- "${ARGS[@]}"
#
# so that `--opt=value` reads as `--opt value`, and parses its options
# with the helpers below:
#
#   -h | --help) args_usage "$0"; exit 0 ;;
#   --jobs) args_value "$@"; jobs=$(args_uint --jobs "$2" 1 64); shift ;;
#   *) args_unknown "$1" ;;

# args_die MESSAGE...: refuse the command line (exit 2).
args_die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	printf "%s: run '%s --help' for the usage\n" "$prog" "$prog" >&2
	exit 2
}

# args_usage SCRIPT: print SCRIPT's usage, the comment block of its header
# from the line "# Usage:" to the first line that is not a comment.
args_usage() {
	awk '/^# Usage:/ { on = 1 } on && !/^#/ { exit }
	     on { sub(/^# ?/, ""); print }' "$1"
}

# args_split ARG...: ARGS becomes the arguments with every --opt=value
# split in two.
args_split() {
	local a

	ARGS=()
	for a in "$@"; do
		case "$a" in
		--*=*) ARGS+=("${a%%=*}" "${a#*=}") ;;
		*) ARGS+=("$a") ;;
		esac
	done
}

# args_none SCRIPT ARG...: for a script that takes no argument but --help
# (-h): print SCRIPT's usage and exit 0 for that, refuse anything else.
args_none() {
	local script=$1

	shift
	args_split "$@"
	set -- ${ARGS[@]+"${ARGS[@]}"}
	case "${1-}" in
	'') ;;
	-h | --help) args_usage "$script"; exit 0 ;;
	*) args_unknown "$1" ;;
	esac
}

# args_value OPT [VALUE...]: OPT must be followed by a non-empty value.
# Called with the script's remaining arguments ("$@").
args_value() {
	[ $# -ge 2 ] || args_die "option $1 needs a value"
	[ -n "$2" ] || args_die "option $1 needs a value, not an empty string"
}

# args_unknown ARG: refuse an argument the script does not know.
args_unknown() {
	case "$1" in
	-*) args_die "unknown option '$1'" ;;
	*) args_die "unexpected argument '$1'" ;;
	esac
}

# args_uint WHAT VALUE MIN MAX: print VALUE as a number if it is a decimal
# whole number from MIN to MAX, else refuse it, naming it as WHAT (an option
# or a variable). Leading zeros are allowed; signs, spaces and units are not.
args_uint() {
	local what=$1 v=$2 min=$3 max=$4 n

	case "$v" in
	'' | *[!0-9]*)
		args_die "$what '$v' is not a whole number (expected $min to $max)" ;;
	esac
	n=${v#"${v%%[!0]*}"}
	n=${n:-0}
	# More digits than MAX has cannot be in range (and could overflow).
	if [ ${#n} -gt ${#max} ] || [ "$n" -lt "$min" ] || [ "$n" -gt "$max" ]; then
		args_die "$what '$v' is out of range (expected $min to $max)"
	fi
	echo "$n"
}

# args_env_uint VAR DEFAULT MIN MAX: print the value of environment
# variable VAR (DEFAULT when unset), checked as args_uint does. Set but
# empty is refused: it is a mistake, not a request for the default.
args_env_uint() {
	local var=$1

	if [ -z "${!var+set}" ]; then
		echo "$2"
		return
	fi
	args_uint "$var" "${!var}" "$3" "$4"
}
