// SPDX-License-Identifier: MIT
/*
 * The op table (op.h) through its text form: every value of every field
 * of every op prints and parses back to the same op; the parser refuses a
 * bad line naming its number, the word at fault and what was expected
 * (unknown op, too few or too many words, a value out of range, a name
 * that is none of the field's, an over-long line, a flag or key given
 * twice, more ops than a program holds); the grammar names every op.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "op.h"

#define TEST(fn) { #fn, fn }

/* Parse @text: the result, with the error in @err. */
static int t_parse(const char *text, struct op_text_error *err)
{
	static struct op_program p;

	return op_program_from_text(text, &p, err);
}

/* @text must be refused on @line with a message holding @a and @b. */
static void t_refused(const char *text, int want, unsigned int line,
		      const char *a, const char *b)
{
	struct op_text_error err;

	CHECK_ERR(-want, t_parse(text, &err));
	if (err.line != line || !strstr(err.msg, a) ||
	    (b && !strstr(err.msg, b))) {
		fprintf(stderr, "for \"%s\": line %u \"%s\"\n", text, err.line,
			err.msg);
		CHECK(false);
	}
}

static void every_value_round_trips(void)
{
	unsigned int c, f, v;

	for (c = 0; c < OP_COUNT; c++) {
		for (f = 0; f < op_field_count((enum op_code)c); f++) {
			for (v = 0; v < op_field_range((enum op_code)c, f);
			     v++) {
				struct op_program p = { .count = 1 }, q;
				struct op_text_error err;
				char line[200];

				p.ops[0].code = (enum op_code)c;
				op_field_set(&p.ops[0], f, v);
				op_to_text(&p.ops[0], line, sizeof(line));
				CHECK_OK(op_program_from_text(line, &q, &err));
				CHECK_EQ(q.count, 1);
				if (memcmp(&p.ops[0], &q.ops[0], sizeof(q.ops[0]))) {
					fprintf(stderr, "\"%s\" parses to another op\n",
						line);
					CHECK(false);
				}
			}
		}
	}
}

static void refusals_name_the_word(void)
{
	char big[400], *many;
	size_t i;

	t_refused("space\natach dev0 space0 be0\n", -EINVAL, 2,
		  "'atach' is not an op", "fuzz/GRAMMAR");
	t_refused("attach dev0 space0\n", -EINVAL, 1, "wants <be> after 'space0'",
		  "attach dev<0-7> space<0-3> be<0-1>");
	t_refused("detach dev0 dev1\n", -EINVAL, 1,
		  "'dev1': one word too many", NULL);
	t_refused("attach dev9 space0 be0\n", -EINVAL, 1, "'dev9'", "0..7");
	t_refused("attach space0 space0 be0\n", -EINVAL, 1, "'space0'",
		  "dev<0-7>");
	t_refused("map be0 256 1\n", -EINVAL, 1, "'256': page is 0..255",
		  NULL);
	t_refused("device e1000e bogus\n", -EINVAL, 1, "'bogus'",
		  "ok, no-vfio-dev");
	t_refused("fault 3 EWHAT\n", -EINVAL, 1, "'EWHAT'", "EINVAL");
	t_refused("fault-kind ioctl,ioctl any EIO\n", -EINVAL, 1,
		  "'ioctl,ioctl'", "joined by ','");
	t_refused("hwpt dev0 dirty dirty\n", -EINVAL, 1,
		  "'dirty': dirty given twice", NULL);
	t_refused("attach-cfg dev0 space0 be0 sysfs name:long name:null\n",
		  -EINVAL, 1, "'name:null': name given twice", NULL);
	t_refused("attach-cfg dev0 space0 be0 sysfs mix:odd\n", -EINVAL, 1,
		  "'odd'", "foreign-be");
	t_refused("dirty space0 1 on 3 4\n", -EINVAL, 1, "'3': one word too many",
		  NULL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	t_refused(big, -EINVAL, 1, "line of 399 bytes", "255");
	many = malloc(OP_MAX * 8 + 16);
	CHECK(many != NULL);
	many[0] = '\0';
	for (i = 0; i <= OP_MAX; i++)
		strcat(many, "space\n");
	t_refused(many, -ENOSPC, OP_MAX + 1, "more than 64 ops", NULL);
	free(many);
}

static void comments_and_blanks(void)
{
	struct op_text_error err;
	struct op_program p;

	CHECK_OK(op_program_from_text("# a comment\n\n  space  # trailing\n"
				      "attach-cfg dev0 space0 be1 fd mix:null-be discard-ok\n",
				      &p, &err));
	CHECK_EQ(p.count, 2);
	CHECK_EQ(p.ops[1].attach_cfg.mix, OP_MIX_NULL_BE);
	CHECK_EQ(p.ops[1].attach_cfg.discard_ok, 1);
}

static void grammar_names_every_op(void)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	CHECK(f != NULL);
	CHECK_OK(op_grammar_print(f));
	CHECK(fclose(f) == 0);
	for (i = 0; i < OP_COUNT; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n%s", op_code_name(
				 (enum op_code)i));
		CHECK(strstr(text, want) != NULL);
	}
	free(text);
}

static const struct check_test tests[] = {
	TEST(every_value_round_trips),
	TEST(refusals_name_the_word),
	TEST(comments_and_blanks),
	TEST(grammar_names_every_op),
};

CHECK_MAIN(tests)
