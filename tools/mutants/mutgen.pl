#!/usr/bin/perl
# mutgen.pl: the mutant generator of tools/mutants (mutants.sh drives it).
#
# Reads C files written in the core's style (kernel-like: a function body
# opens with "{" and closes with "}" in column 0, unwind labels err_* and
# out_* in column 0, one statement per line or a statement continued while
# parentheses are open) and derives mutants from them, deterministically:
# the same file always gives the same mutants with the same ids.
#
#   mutgen.pl list FILE...     one line per mutant, tab-separated:
#                              ID FILE LINE CLASS DESCRIPTION
#   mutgen.pl apply FILE ID    print FILE with mutant ID applied (the
#                              line count is kept, so compiler messages
#                              point at the original lines)
#   mutgen.pl classes          the class names, one a line
#
# An id is <file>:<function>:<class>:<hash>, the hash taken over the
# statement's text, the mutation and its rank among identical ones in the
# function, so an id survives edits elsewhere in the file (line numbers do
# not). Classes:
#
#   skip-cleanup   a release call dropped on an unwind path (after an err_*
#                  or out_* label, or in a detach/destroy/leave function)
#   goto-past      a goto err_X sent to the label after err_X, jumping past
#                  err_X's cleanup
#   error-unset    the error object left unset on a failure path:
#                  iofd_err_set dropped (its errno still returned),
#                  iofd_err_pass dropped, or NULL passed for err to a call
#                  whose failure is unwound from
#   drop-context   an iofd_error_prepend dropped (the message loses the
#                  device or step it names)
#   drop-trace     an iofd_trace_fail dropped (the FAIL event is not told)
#   errno-const    a propagated errno replaced by EINVAL, or a specific
#                  errno constant swapped (EINVAL becomes EIO, any other
#                  becomes EINVAL), in returns, errors and comparisons
#   skip-check     the check of a call's result dropped (if (0 && (...)))
#   off-by-one     a relational operator made strict or non-strict
#                  (< <=, > >=); comparisons of a sign (x < 0, x >= 0) are
#                  left alone
#   swap-unwind    two adjacent release calls of an unwind path swapped
#   wrong-head     a list walked from the wrong place: an undo loop started
#                  one node late, or a node converted through the wrong
#                  member of a struct that sits on two lists
use strict;
use warnings;

my @CLASSES = qw(skip-cleanup goto-past error-unset drop-context drop-trace
		 errno-const skip-check off-by-one swap-unwind wrong-head);

# Calls that give something back: what an unwind or a teardown runs.
my $RELEASE = qr/(?:close|free|_del\b|disconnect|destroy|enable|leave|
		    detach|retry|undo|switch_back)/x;
# Functions whose whole body is a teardown.
my $TEARDOWN_FN = qr/(?:_detach|_leave|_destroy|_disconnect|_kvm_del|
		       _discard_enable|retry_destroys)$/x;
# Members of struct iofd_device that are list nodes (it sits on two lists).
my @DEVICE_NODES = qw(ctx_node container_node);

sub usage {
	print STDERR "usage: mutgen.pl list FILE... | apply FILE ID | classes\n";
	exit 2;
}

# 32-bit FNV-1a, printed as 6 hex digits: enough to tell a function's
# mutants apart, short enough to type.
sub short_hash {
	my ($s) = @_;
	my $h = 0x811c9dc5;

	for my $c (unpack('C*', $s)) {
		$h ^= $c;
		$h = ($h * 0x01000193) & 0xffffffff;
	}
	return sprintf('%06x', $h & 0xffffff);
}

# The line with string and character literals and comments blanked to
# spaces (same length), so operators and parentheses can be found by
# position. $in_comment carries a /* */ comment across lines.
sub mask_line {
	my ($line, $in_comment) = @_;
	my @c = split //, $line;
	my $i = 0;

	while ($i < @c) {
		if ($$in_comment) {
			if ($c[$i] eq '*' && $i + 1 < @c && $c[$i + 1] eq '/') {
				$c[$i] = $c[$i + 1] = ' ';
				$$in_comment = 0;
				$i += 2;
				next;
			}
			$c[$i++] = ' ';
			next;
		}
		if ($c[$i] eq '/' && $i + 1 < @c && $c[$i + 1] eq '*') {
			$$in_comment = 1;
			$c[$i] = $c[$i + 1] = ' ';
			$i += 2;
			next;
		}
		if ($c[$i] eq '"' || $c[$i] eq "'") {
			my $q = $c[$i++];

			while ($i < @c && $c[$i] ne $q) {
				$c[$i] = ' ';
				if ($i + 1 < @c && substr($line, $i, 1) eq '\\') {
					$c[$i + 1] = ' ';
					$i++;
				}
				$i++;
			}
			$i++;
			next;
		}
		$i++;
	}
	return join('', @c);
}

sub count_char {
	my ($s, $ch) = @_;
	my $n = () = $s =~ /\Q$ch\E/g;
	return $n;
}

# Split the argument list that opens at $open (an index of "(" in the
# masked $m) into [start, end) spans; returns (spans, index of ")").
sub call_args {
	my ($m, $open) = @_;
	my ($depth, $start, @spans) = (0, $open + 1);

	for my $i ($open .. length($m) - 1) {
		my $ch = substr($m, $i, 1);

		if ($ch eq '(') {
			$depth++;
		} elsif ($ch eq ')') {
			if (--$depth == 0) {
				push @spans, [$start, $i];
				return (\@spans, $i);
			}
		} elsif ($ch eq ',' && $depth == 1) {
			push @spans, [$start, $i];
			$start = $i + 1;
		}
	}
	return (undef, -1);
}

sub trim {
	my ($s) = @_;
	$s =~ s/^\s+|\s+$//g;
	$s =~ s/\s+/ /g;
	return $s;
}

# Parse one file into statements: each with its function, physical lines,
# text (original and masked, lines joined by "\n"), brace depth, the label
# section it is in, the condition guarding it, and the kind of line.
sub parse_file {
	my ($path) = @_;
	open(my $fh, '<', $path) or die "mutgen.pl: cannot read $path: $!\n";
	my @lines = <$fh>;
	close($fh);
	chomp @lines;

	my (@stmts, $fn, $sig, $depth, $in_comment, $label, @blocks, $guard);
	my ($cur, $paren) = (undef, 0);
	$in_comment = 0;
	for my $i (0 .. $#lines) {
		my $line = $lines[$i];
		my $m = mask_line($line, \$in_comment);

		if (!defined $fn) {
			$sig = $1 if $line =~ /^[A-Za-z_].*?\b([a-z_]\w*)\(/ &&
				     $line !~ /;\s*$/;
			if ($line eq '{' && defined $sig) {
				$fn = $sig;
				$depth = 1;
				$label = undef;
				@blocks = ();
				$guard = undef;
			}
			next;
		}
		if ($line =~ /^\}/) {
			$fn = undef;
			$sig = undef;
			next;
		}
		if (!$cur) {
			next if $m =~ /^\s*$/;
			$cur = { fn => $fn, first => $i, text => '', m => '' };
		} else {
			$cur->{text} .= "\n";
			$cur->{m} .= "\n";
		}
		$cur->{text} .= $line;
		$cur->{m} .= $m;
		$cur->{last} = $i;
		$paren += count_char($m, '(') - count_char($m, ')');
		next if $paren > 0;
		my $t = trim($cur->{m});
		my $is_label = $t =~ /^(\w+):$/;
		my $is_header =
			$t =~ /^(?:\}\s*)?(?:if|for|while|else if)\s*\(.*\)(?: \{)?$/ ||
			$t =~ /^(?:\}\s*)?else(?: \{)?$/;
		next unless $t =~ /[;{}]$/ || $is_label || $is_header;

		my $s = $cur;
		$cur = undef;
		$s->{t} = $t;
		$s->{depth} = $depth;
		$s->{label} = $label;
		$s->{guard} = $guard;
		$s->{blocks} = [@blocks];
		$guard = undef;
		if ($is_label) {
			$s->{kind} = 'label';
			$s->{name} = $1;
			# Not $1 again: the test below is a match of its own.
			$label = $s->{name} if $s->{name} =~ /^(?:err|out)_/;
		} elsif ($is_header) {
			$s->{kind} = 'header';
			$guard = $t;
		} else {
			$s->{kind} = 'stmt';
		}
		# Braces: a block's header is what guards its statements.
		my $open = count_char($t, '{');
		my $close = count_char($t, '}');
		for (1 .. $close) {
			pop @blocks;
		}
		if ($open > $close) {
			push @blocks, $t for 1 .. ($open - $close);
		}
		$depth += $open - $close;
		push @stmts, $s;
	}
	return (\@lines, \@stmts);
}

# The condition text of a header ("if (x)" gives "x"), or undef.
sub cond_of {
	my ($h) = @_;
	return undef unless defined $h;
	return $1 if $h =~ /^(?:\}\s*)?(?:else )?if\s*\((.*)\)\s*\{?$/;
	return undef;
}

# Whether $s runs only on a failure path: after an err_ label, or guarded
# (directly or by its block) by a condition that tests a result.
sub failure_context {
	my ($s, $var) = @_;
	return 1 if defined $s->{label} && $s->{label} =~ /^err_/;
	for my $h ($s->{guard}, reverse @{$s->{blocks}}) {
		my $c = cond_of($h);
		next unless defined $c;
		return 1 if $c =~ /\b\Q$var\E\b/;
	}
	return 0;
}

sub on_unwind_path {
	my ($s) = @_;
	return defined $s->{label} || $s->{fn} =~ $TEARDOWN_FN;
}

# Replace the masked span [a, b) of statement $s's text by $new; returns
# the new text of the statement's lines (same count of lines).
sub splice_text {
	my ($s, $a, $b, $new) = @_;
	my $t = $s->{text};
	substr($t, $a, $b - $a) = $new;
	return pad_lines($s, $t);
}

# Keep the statement's line count: extra lines become empty.
sub pad_lines {
	my ($s, $t) = @_;
	my @out = split /\n/, $t, -1;
	my $want = $s->{last} - $s->{first} + 1;
	if (@out > $want) {
		@out = (join(' ', map { trim($_) } @out));
		$out[0] = indent_of($s) . $out[0];
	}
	push @out, '' while @out < $want;
	return \@out;
}

sub indent_of {
	my ($s) = @_;
	return $s->{text} =~ /^(\s*)/ ? $1 : '';
}

# The whole statement replaced by $new (one line, same indentation).
sub replace_stmt {
	my ($s, $new) = @_;
	return pad_lines($s, indent_of($s) . $new);
}

sub errno_swap {
	my ($e) = @_;
	return $e eq 'EINVAL' ? 'EIO' : 'EINVAL';
}

# Every mutant of one file: hashes of {file, line, class, desc, first,
# last, lines}, in source order.
sub mutants_of {
	my ($path) = @_;
	my ($lines, $stmts) = parse_file($path);
	(my $file = $path) =~ s{.*/}{};
	my (@muts, %seen);

	my $add = sub {
		my ($s, $class, $desc, $new) = @_;
		my $key = join("\0", $s->{fn}, $class, trim($s->{text}),
			       join("\n", @$new));
		my $rank = $seen{$key}++;
		(my $fn = $s->{fn}) =~ s/^iofd_//;
		push @muts, {
			id => "$file:$fn:$class:" . short_hash("$key\0$rank"),
			file => $path, line => $s->{first} + 1,
			class => $class, desc => $desc,
			first => $s->{first}, last => $s->{last}, lines => $new,
		};
	};

	for my $k (0 .. $#$stmts) {
		my $s = $stmts->[$k];
		my ($t, $m, $text) = ($s->{t}, $s->{m}, $s->{text});
		my $next = $k < $#$stmts ? $stmts->[$k + 1] : undef;

		if ($s->{kind} eq 'stmt') {
			# skip-cleanup: a release call on an unwind path.
			my ($var, $call) = $t =~ /^(?:(\w+) = )?(\w+)\(.*\);$/;
			if (on_unwind_path($s) && defined $call &&
			    $call =~ $RELEASE &&
			    $call !~ /^iofd_(?:err_|error_|trace)/) {
				# The callee stays referenced: a static one
				# must not turn into an unused function.
				my $new = defined $var ? "$var = 0, (void)$call;" :
					  "(void)$call;";
				$add->($s, 'skip-cleanup',
				       "$call dropped" .
				       (defined $s->{label} ? " under $s->{label}" :
					" in $s->{fn}") .
				       (defined $var ? ", $var = 0" : ''),
				       replace_stmt($s, $new));
			}
			# goto-past: jump to the next label instead.
			if ($t =~ /^goto (\w+);$/) {
				my $to = $1;
				my @labels = map { $_->{name} }
					grep { $_->{kind} eq 'label' &&
					       $_->{fn} eq $s->{fn} } @$stmts;
				for my $j (0 .. $#labels - 1) {
					next unless $labels[$j] eq $to;
					my $past = $labels[$j + 1];
					# The second goto keeps $to used.
					$add->($s, 'goto-past',
					       "goto $past instead of $to",
					       replace_stmt($s,
						"{ goto $past; goto $to; }"));
				}
			}
			# swap-unwind: this release call and the next one.
			if (on_unwind_path($s) && $next &&
			    $next->{kind} eq 'stmt' &&
			    $next->{depth} == $s->{depth} &&
			    $next->{first} == $s->{last} + 1 &&
			    $t =~ /^(\w+)\(.*\);$/ && $1 =~ $RELEASE &&
			    $next->{t} =~ /^(\w+)\(.*\);$/ && $1 =~ $RELEASE) {
				my @a = split /\n/, $text, -1;
				my @b = split /\n/, $next->{text}, -1;
				my $pair = { %$s, last => $next->{last} };
				my ($ca) = $t =~ /^(\w+)/;
				my ($cb) = $next->{t} =~ /^(\w+)/;
				$add->($pair, 'swap-unwind',
				       "$cb before $ca",
				       [@b, @a]);
			}
		}

		# error-unset and errno-const on iofd_err_set calls.
		while ($m =~ /\biofd_err_set\(/g) {
			my $at = pos($m) - length('iofd_err_set(');
			my ($args, $end) = call_args($m, pos($m) - 1);
			next unless $args && @$args >= 3;
			my ($ea, $eb) = @{$args->[1]};
			my $errnum = trim(substr($text, $ea, $eb - $ea));
			if ($t =~ /^iofd_err_set\(/) {
				$add->($s, 'error-unset',
				       "iofd_err_set($errnum) dropped",
				       replace_stmt($s, '(void)0;'));
			} else {
				$add->($s, 'error-unset',
				       "iofd_err_set dropped, -($errnum) still returned",
				       splice_text($s, $at, $end + 1, "-($errnum)"));
			}
			my $to = $errnum =~ /^E[A-Z0-9]+$/ ? errno_swap($errnum) :
				 'EINVAL';
			$add->($s, 'errno-const', "error $errnum becomes $to",
			       splice_text($s, $ea, $eb, " $to"));
		}
		while ($m =~ /\biofd_err_pass\(/g) {
			my $at = pos($m) - length('iofd_err_pass(');
			my ($args, $end) = call_args($m, pos($m) - 1);
			next unless $args && @$args == 3;
			my ($ra, $rb) = @{$args->[2]};
			my $rc = trim(substr($text, $ra, $rb - $ra));
			if ($t =~ /^iofd_err_pass\(/) {
				$add->($s, 'error-unset', 'iofd_err_pass dropped',
				       replace_stmt($s, '(void)0;'));
			} else {
				$add->($s, 'error-unset',
				       "iofd_err_pass dropped, $rc still returned",
				       splice_text($s, $at, $end + 1, "($rc)"));
				$add->($s, 'errno-const',
				       "$rc passed on becomes -EINVAL",
				       splice_text($s, $ra, $rb, ' -EINVAL'));
			}
		}
		# error-unset: NULL for err in a call whose failure is unwound
		# from (the next line checks its result) or returned as is.
		if ($s->{kind} eq 'stmt' &&
		    $t =~ /^(?:(\w+) = |return )(iofd_\w+)\(.*\berr\);$/ &&
		    $2 !~ /^iofd_err_/) {
			my ($var, $call) = ($1, $2);
			my $checked = !defined $var ||
				(defined $next && $next->{kind} eq 'header' &&
				 defined cond_of($next->{t}) &&
				 cond_of($next->{t}) =~ /\b\Q$var\E\b/);
			my $at = rindex($m, 'err)');
			$add->($s, 'error-unset', "$call gets NULL for err",
			       splice_text($s, $at, $at + 3, 'NULL'))
				if $checked && $at >= 0;
		}
		if ($s->{kind} eq 'stmt' && $t =~ /^iofd_error_prepend\(/) {
			$add->($s, 'drop-context', 'iofd_error_prepend dropped',
			       replace_stmt($s, '(void)0;'));
		}
		if ($s->{kind} eq 'stmt' && $t =~ /^iofd_trace_fail\(/ &&
		    trim($text) =~ /"([^"]*)"/) {
			$add->($s, 'drop-trace', "trace of \"$1\" failing dropped",
			       replace_stmt($s, '(void)0;'));
		}

		# errno-const: a propagated result returned as EINVAL.
		if ($s->{kind} eq 'stmt' && $t =~ /^return (ret|first);$/ &&
		    failure_context($s, $1)) {
			$add->($s, 'errno-const', "return $1 becomes -EINVAL",
			       replace_stmt($s, 'return -EINVAL;'));
		}
		# errno-const: a constant errno swapped where it is returned,
		# assigned or compared (the error calls are done above).
		if ($s->{kind} ne 'label') {
			while ($m =~ /(?<![\w])-(E[A-Z0-9]+)\b/g) {
				my $e = $1;
				my $b = pos($m);
				my $a = $b - length($e);
				my $pre = substr($m, 0, $a - 1);
				next if $pre =~ /iofd_err_set\([^;]*$/s;
				my $to = errno_swap($e);
				$add->($s, 'errno-const', "-$e becomes -$to",
				       splice_text($s, $a, $b, $to));
			}
		}

		# skip-check: the result of the call just before not checked.
		if ($s->{kind} eq 'header' && $t =~ /^if \((.*)\)( \{)?$/ &&
		    $k > 0) {
			my $cond = $1;
			my $prev = $stmts->[$k - 1];
			if ($prev->{kind} eq 'stmt' &&
			    $prev->{t} !~ /= iofd_container_of\(/ &&
			    $prev->{t} =~ /^(?:\w+ )*\**(\w+) = [^;]*\w\(.*\);$/ &&
			    $cond =~ /\b\Q$1\E\b/) {
				my $a = index($m, '(') + 1;
				my $b = rindex($m, ')');
				$add->($s, 'skip-check',
				       "result of the call before not checked ($cond)",
				       splice_text($s, $a, $b, "0 && ($cond)"));
			}
		}

		# off-by-one in conditions and returned comparisons.
		if (($s->{kind} eq 'header' && $t =~ /^(?:\}\s*)?(?:if|for|while)/) ||
		    ($s->{kind} eq 'stmt' && $t =~ /^return .*[<>]/)) {
			while ($m =~ /(?<![-<>])(<=|>=|<|>)(?![<>])/g) {
				my $op = $1;
				my $b = pos($m);
				my $a = $b - length($op);
				my $rest = substr($m, $b);
				next if $op =~ /^(?:<|>=)$/ && $rest =~ /^\s*0\b(?!x)/;
				my %flip = ('<' => '<=', '<=' => '<', '>' => '>=',
					    '>=' => '>');
				$add->($s, 'off-by-one', "$op becomes $flip{$op}",
				       splice_text($s, $a, $b, $flip{$op}));
			}
		}

		# wrong-head: an undo loop that starts one node late.
		if ($s->{kind} eq 'header' &&
		    $m =~ /^(\s*for \(\w+ = )([\w>.-]+?)(\.next|->next)(;)/) {
			my $a = length($1) + length($2);
			my $b = $a + length($3);
			$add->($s, 'wrong-head', 'undo loop starts one node late',
			       splice_text($s, $a, $b, "$3->next"));
		}
		# wrong-head: a device node read through its other list member.
		while ($m =~ /\bstruct iofd_device,\s*(\w+)\)/g) {
			my $member = $1;
			my $b = pos($m) - 1;
			my $a = $b - length($member);
			for my $other (grep { $_ ne $member } @DEVICE_NODES) {
				next unless grep { $_ eq $member } @DEVICE_NODES;
				$add->($s, 'wrong-head',
				       "device reached through $other, not $member",
				       splice_text($s, $a, $b, $other));
			}
		}
	}
	return @muts;
}

usage() unless @ARGV;
my $cmd = shift @ARGV;
if ($cmd eq 'classes') {
	usage() if @ARGV;
	print "$_\n" for @CLASSES;
} elsif ($cmd eq 'list') {
	usage() unless @ARGV;
	for my $path (@ARGV) {
		for my $mu (mutants_of($path)) {
			print join("\t", $mu->{id}, $path, $mu->{line},
				   $mu->{class}, $mu->{desc}), "\n";
		}
	}
} elsif ($cmd eq 'apply') {
	usage() unless @ARGV == 2;
	my ($path, $id) = @ARGV;
	my ($mu) = grep { $_->{id} eq $id } mutants_of($path);
	die "mutgen.pl: no mutant $id in $path\n" unless $mu;
	open(my $fh, '<', $path) or die "mutgen.pl: cannot read $path: $!\n";
	my @lines = <$fh>;
	close($fh);
	chomp @lines;
	splice(@lines, $mu->{first}, $mu->{last} - $mu->{first} + 1,
	       @{$mu->{lines}});
	print "$_\n" for @lines;
} else {
	usage();
}
