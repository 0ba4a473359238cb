# Bad input to the fuzz tools: fuzz_attach_replay's options and paths, and
# fuzz_text's programs (run by testlib/badinput.sh; each bad_<name>
# function is one CTest test, label badinput). Every refusal names the bad
# value and what is accepted, and writes nothing.

replay=$BIN/fuzz/fuzz_attach_replay
text=$BIN/fuzz/fuzz_text
input=$SRC/corpus/fuzz_attach/attach-detach

bad_replay_fail_nth_word() {
	expect 2 "--fail-nth 'abc': want a host call number, 1 or more" \
		"$replay" --fail-nth abc "$input"
}

bad_replay_fail_nth_negative() {
	expect 2 "--fail-nth '-5': want a host call number" \
		"$replay" --fail-nth -5 "$input"
}

bad_replay_fail_nth_too_big() {
	expect 2 "--fail-nth '18446744073709551616': want a host call number" \
		"$replay" --fail-nth 18446744073709551616 "$input"
	expect 2 "--fail-nth '2\^64': want a host call number" \
		"$replay" --fail-nth '2^64' "$input"
}

bad_replay_fail_nth_zero() {
	expect 2 "--fail-nth '0': want a host call number, 1 or more" \
		"$replay" --fail-nth 0 "$input"
}

bad_replay_errno_without_nth() {
	expect 2 "--errno needs --fail-nth N" \
		"$replay" --errno EINVAL "$input"
}

bad_replay_alloc_without_nth() {
	expect 2 "--alloc needs --fail-nth N" "$replay" --alloc "$input"
}

bad_replay_errno_and_alloc() {
	expect 2 "--errno and --alloc exclude each other" \
		"$replay" --fail-nth 3 --errno EIO --alloc "$input"
}

bad_replay_errno_unknown() {
	expect 2 "--errno 'EWHAT': not an errno a fault injects" \
		"$replay" --fail-nth 1 --errno EWHAT "$input"
}

bad_replay_kind_spec() {
	expect 2 "--kind 'ioctl:NOPE:EIO': want KINDS\[:REQUEST\]:ERRNO" \
		"$replay" --kind ioctl:NOPE:EIO "$input"
}

bad_replay_sweep_with_point() {
	expect 2 "--sweep runs every point itself: no --fail-nth" \
		"$replay" --sweep --fail-nth 2 "$input"
}

bad_replay_missing_value() {
	expect 2 "--fail-nth wants a value" "$replay" "$input" --fail-nth
}

bad_replay_unknown_option() {
	expect 2 "unknown option '--nope'" "$replay" --nope "$input"
}

bad_replay_no_input() {
	expect 2 "no input given" "$replay" -v
}

bad_replay_empty_dir() {
	mkdir empty
	expect 2 "empty: no input in it" "$replay" empty
}

bad_replay_missing_path() {
	expect 2 "nothere: No such file or directory" "$replay" nothere
}

bad_text_unknown_op() {
	printf 'space\natach dev0 space0 be0\n' >p.txt
	expect 1 "p.txt:2: 'atach' is not an op \(see fuzz/GRAMMAR" \
		"$text" encode p.txt out
}

bad_text_too_few_words() {
	printf 'attach dev0 space0\n' >p.txt
	expect 1 "p.txt:1: 'attach' wants <be> after 'space0' \(attach dev<0-7> space<0-3> be<0-1>\)" \
		"$text" encode p.txt out
}

bad_text_too_many_words() {
	printf 'detach dev0 dev1\n' >p.txt
	expect 1 "p.txt:1: 'dev1': one word too many for detach" \
		"$text" encode p.txt out
}

bad_text_out_of_range() {
	printf 'map be0 300 1\n' >p.txt
	expect 1 "p.txt:1: '300': page is 0..255" "$text" encode p.txt out
}

bad_text_bad_name() {
	printf 'device e1000e fine\n' >p.txt
	expect 1 "p.txt:1: 'fine': variant is one of ok, no-vfio-dev" \
		"$text" encode p.txt out
}

bad_text_long_line() {
	printf 'space %0300d\n' 0 >p.txt
	expect 1 "p.txt:1: line of 306 bytes, longer than the 255" \
		"$text" encode p.txt out
}

bad_text_repeated_key() {
	printf 'attach-cfg dev0 space0 be0 fd name:long name:null\n' >p.txt
	expect 1 "p.txt:1: 'name:null': name given twice" \
		"$text" encode p.txt out
}

bad_text_nul_byte() {
	printf 'space\n\0space\n' >p.txt
	expect 1 "p.txt: holds a NUL byte at 6: not a text program" \
		"$text" encode p.txt out
}

bad_text_decode_directory() {
	mkdir progs
	expect 1 "progs: is a directory; give one program file" \
		"$text" decode progs
}

bad_text_usage() {
	expect 2 "usage: fuzz_text decode FILE" "$text" encode only-one
}

bad_replay_check_reset_env() {
	expect 2 "FUZZ_ATTACH_CHECK_RESET='2': want 1" \
		env FUZZ_ATTACH_CHECK_RESET=2 "$replay" "$input"
}
