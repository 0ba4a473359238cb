/* SPDX-License-Identifier: MIT */
/*
 * Text form of the op-sequence language: what people write seeds in and
 * what crash reports print. One op per line: its name, then its fields as
 * the op table (op.c) says, blank-separated; '#' starts a comment. The
 * printer, the parser and the grammar (op_grammar_print, what `fuzz_text
 * grammar` shows and fuzz/GRAMMAR keeps) all walk the table, so the text of
 * a decoded program parses back to the same program and the grammar never
 * differs from what the parser takes.
 *
 * A line's words: the positional fields in table order (a field whose
 * presence depends on an earlier one only when present; a window last and
 * only when not "low"), then the flags and key:value words in any order,
 * each at most once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emu/strbuf.h>

#include "op.h"

#define OP_TEXT_MAX_WORDS 12
#define OP_TEXT_LINE_MAX 256
/* Where the text form is documented: every parse error points there. */
#define OP_TEXT_SEE "see fuzz/GRAMMAR or `fuzz_text grammar`"

/* The name of @v in @f's names, or NULL. */
static const char *op_value_name(const struct op_field *f, unsigned int v)
{
	if (v >= op_desc_field_range(f))
		return NULL;
	if (f->names->get)
		return f->names->get(v);
	return f->names->list[v];
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */

/* One field's word (with its leading blank), or nothing. */
static void op_field_text(const struct op *op, const struct op_field *f,
			  char *buf, size_t cap, int *len)
{
	unsigned int v = op_desc_field_value(op, f), bit;
	const char *name, *sep = "";

	switch (f->text) {
	case OP_TEXT_NUM:
		if (f->zero && v == 0)
			emu_strbuf_printf(buf, cap, len, " %s", f->zero);
		else
			emu_strbuf_printf(buf, cap, len, " %s%u", f->prefix ? f->prefix : "",
			       v - f->bias);
		break;
	case OP_TEXT_NAME:
	case OP_TEXT_TAIL:
		if (f->text == OP_TEXT_TAIL && v == 0)
			break;
		name = op_value_name(f, v);
		emu_strbuf_printf(buf, cap, len, " %s", name ? name : "?");
		break;
	case OP_TEXT_KINDS:
		if (v == 0) {
			emu_strbuf_printf(buf, cap, len, " %s", f->zero);
			break;
		}
		emu_strbuf_printf(buf, cap, len, " ");
		for (bit = 0; bit < OP_KIND_BITS; bit++) {
			if (!(v & (1u << bit)))
				continue;
			emu_strbuf_printf(buf, cap, len, "%s%s", sep, op_kind_name(bit));
			sep = ",";
		}
		break;
	case OP_TEXT_FLAG:
		if (v)
			emu_strbuf_printf(buf, cap, len, " %s", f->prefix);
		break;
	case OP_TEXT_KEY:
		if (v) {
			name = op_value_name(f, v);
			emu_strbuf_printf(buf, cap, len, " %s:%s", f->prefix,
			       name ? name : "?");
		}
		break;
	}
}

int op_to_text(const struct op *op, char *buf, size_t cap)
{
	const struct op_desc *d = op_desc_get(op->code);
	unsigned int i;
	int len = 0;

	if (cap)
		buf[0] = '\0';
	if (!d) {
		emu_strbuf_printf(buf, cap, &len, "?");
		return len;
	}
	emu_strbuf_printf(buf, cap, &len, "%s", d->name);
	for (i = 0; i < d->nfields; i++)
		if (op_desc_field_present(op, &d->fields[i]))
			op_field_text(op, &d->fields[i], buf, cap, &len);
	return len;
}

int op_program_to_text(const struct op_program *prog, FILE *out,
		       bool numbered)
{
	char line[160];
	unsigned int i;

	for (i = 0; i < prog->count; i++) {
		op_to_text(&prog->ops[i], line, sizeof(line));
		if (numbered && fprintf(out, "%-36s # op %u\n", line, i) < 0)
			return -EIO;
		if (!numbered && fprintf(out, "%s\n", line) < 0)
			return -EIO;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The grammar                                                         */

/* A field's place in a synopsis: "dev<0-7>", "<page 0-255>", "[dirty]". */
static void op_field_synopsis(const struct op_field *f, char *buf,
			      size_t cap, int *len)
{
	unsigned int range = op_desc_field_range(f);

	switch (f->text) {
	case OP_TEXT_NUM:
		if (f->zero)
			emu_strbuf_printf(buf, cap, len, "%s|", f->zero);
		if (f->prefix)
			emu_strbuf_printf(buf, cap, len, "%s<%u-%u>", f->prefix, 0,
			       range - 1 - f->bias);
		else
			emu_strbuf_printf(buf, cap, len, "<%s 0-%u>", f->name, range - 1);
		break;
	case OP_TEXT_NAME:
		emu_strbuf_printf(buf, cap, len, "<%s>", f->name);
		break;
	case OP_TEXT_TAIL:
		emu_strbuf_printf(buf, cap, len, "[<%s>]", f->name);
		break;
	case OP_TEXT_KINDS:
		emu_strbuf_printf(buf, cap, len, "<%s>|%s", f->name, f->zero);
		break;
	case OP_TEXT_FLAG:
		emu_strbuf_printf(buf, cap, len, "[%s]", f->prefix);
		break;
	case OP_TEXT_KEY:
		emu_strbuf_printf(buf, cap, len, "[%s:<%s>]", f->prefix, f->name);
		break;
	}
}

/* "attach dev<0-7> space<0-3> be<0-1>" into @buf. */
static void op_synopsis(const struct op_desc *d, char *buf, size_t cap)
{
	unsigned int i;
	int len = 0;

	emu_strbuf_printf(buf, cap, &len, "%s", d->name);
	for (i = 0; i < d->nfields; i++) {
		const struct op_field *f = &d->fields[i];

		emu_strbuf_printf(buf, cap, &len, " ");
		if (f->when != OP_WHEN_ALWAYS)
			emu_strbuf_printf(buf, cap, &len, "[");
		op_field_synopsis(f, buf, cap, &len);
		if (f->when != OP_WHEN_ALWAYS)
			emu_strbuf_printf(buf, cap, &len, "]");
	}
}

/* "ok, no-vfio-dev, ..." : the names a field takes. */
static void op_names_list(const struct op_field *f, char *buf, size_t cap)
{
	unsigned int range = op_desc_field_range(f);
	unsigned int v;
	int len = 0;

	buf[0] = '\0';
	if (f->text == OP_TEXT_KINDS) {
		for (v = 0; v < OP_KIND_BITS; v++)
			emu_strbuf_printf(buf, cap, &len, "%s%s", v ? ", " : "",
			       op_kind_name(v));
		return;
	}
	for (v = f->text == OP_TEXT_NAME ? 0 : 1; v < range; v++)
		emu_strbuf_printf(buf, cap, &len, "%s%s", len ? ", " : "",
		       op_value_name(f, v));
}

int op_grammar_print(FILE *out)
{
	char line[1024];
	unsigned int code, i;

	fprintf(out,
		"The text form of op-sequence programs (fuzz/op.h), derived from the op\n"
		"table in fuzz/op.c by `fuzz_text grammar`.\n\n"
		"One op per line, words separated by blanks; '#' starts a comment.\n"
		"Positional words come in the order shown; [optional] ones last; flags\n"
		"and key:value words after them in any order, each at most once.\n"
		"<x> is one of x's values, listed under the op; <x 0-N> a number.\n\n");
	for (code = 0; code < OP_COUNT; code++) {
		const struct op_desc *d = op_desc_get((enum op_code)code);

		op_synopsis(d, line, sizeof(line));
		fprintf(out, "%s\n    %s\n", line, d->help);
		for (i = 0; i < d->nfields; i++) {
			const struct op_field *f = &d->fields[i];

			if (f->when == OP_WHEN_IN || f->when == OP_WHEN_NONZERO)
				fprintf(out, "    %s: only when %s is %s\n",
					f->name,
					d->fields[f->when_field].name,
					f->when == OP_WHEN_NONZERO ?
					"not off" : "query or mark");
			if (f->text == OP_TEXT_NUM || f->text == OP_TEXT_FLAG)
				continue;
			if (f->names && f->names->where) {
				fprintf(out, "    %s: one of %s\n", f->name,
					f->names->where);
				continue;
			}
			op_names_list(f, line, sizeof(line));
			fprintf(out, "    %s: %s%s\n", f->name, line,
				f->text == OP_TEXT_KINDS ?
				" (one or more, joined by ',')" : "");
		}
	}
	return ferror(out) ? -EIO : 0;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

__attribute__((format(printf, 2, 3)))
static int op_bad(struct op_text_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Find @s among @f's names: its value, or -1. */
static int op_find_name(const struct op_field *f, const char *s)
{
	unsigned int range = op_desc_field_range(f);
	unsigned int v;

	for (v = 0; v < range; v++) {
		const char *name = op_value_name(f, v);

		if (name && strcmp(name, s) == 0)
			return (int)v;
	}
	return -1;
}

/* "ioctl,close" into a kinds mask; every word must be a kind, once. */
static int op_parse_kinds(const char *s, unsigned int *out)
{
	char buf[OP_TEXT_LINE_MAX], *save = NULL, *tok;
	unsigned int bit, mask = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (bit = 0; bit < OP_KIND_BITS; bit++)
			if (strcmp(op_kind_name(bit), tok) == 0)
				break;
		if (bit == OP_KIND_BITS || (mask & (1u << bit)))
			return -EINVAL;
		mask |= 1u << bit;
	}
	if (!mask)
		return -EINVAL;
	*out = mask;
	return 0;
}

/* A decimal in [0, max] with nothing after it: 0, or -EINVAL. */
static int op_parse_decimal(const char *s, unsigned long max,
			    unsigned int *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* Parse @w as the value of @f into @op. */
static int op_parse_field(const struct op_desc *d, const struct op_field *f,
			  const char *w, struct op *op,
			  struct op_text_error *err)
{
	unsigned int range = op_desc_field_range(f);
	char names[768];
	const char *s = w;
	unsigned int v;
	int idx;

	switch (f->text) {
	case OP_TEXT_NUM:
		if (f->zero && strcmp(w, f->zero) == 0) {
			v = 0;
			break;
		}
		if (f->prefix) {
			size_t n = strlen(f->prefix);

			if (strncmp(s, f->prefix, n) != 0)
				return op_bad(err, "'%s': %s wants %s<0-%u>%s%s",
					      w, d->name, f->prefix,
					      range - 1 - f->bias,
					      f->zero ? " or " : "",
					      f->zero ? f->zero : "");
			s += n;
		}
		if (op_parse_decimal(s, range - 1 - f->bias, &v) < 0)
			return op_bad(err, "'%s': %s is %s%s0..%u", w,
				      f->name, f->prefix ? f->prefix : "",
				      f->prefix ? "N with N in " : "",
				      range - 1 - f->bias);
		v += f->bias;
		break;
	case OP_TEXT_KINDS:
		if (strcmp(w, f->zero) == 0) {
			v = 0;
			break;
		}
		if (op_parse_kinds(w, &v) < 0) {
			op_names_list(f, names, sizeof(names));
			return op_bad(err, "'%s': %s is %s, or kinds among %s joined by ','",
				      w, f->name, f->zero, names);
		}
		break;
	default:
		idx = op_find_name(f, s);
		if (idx < 0) {
			op_names_list(f, names, sizeof(names));
			return op_bad(err, "'%s': %s is one of %s", w, f->name,
				      names);
		}
		v = (unsigned int)idx;
		break;
	}
	*((uint8_t *)op + f->offset) = (uint8_t)v;
	return 0;
}

/* The flag or key field @w is the word of, or NULL. */
static const struct op_field *op_option_of(const struct op_desc *d,
					   const char *w, const char **value)
{
	unsigned int i;

	for (i = 0; i < d->nfields; i++) {
		const struct op_field *f = &d->fields[i];
		size_t n = f->prefix ? strlen(f->prefix) : 0;

		if (f->text == OP_TEXT_FLAG && strcmp(w, f->prefix) == 0) {
			*value = NULL;
			return f;
		}
		if (f->text == OP_TEXT_KEY && strncmp(w, f->prefix, n) == 0 &&
		    w[n] == ':') {
			*value = w + n + 1;
			return f;
		}
	}
	return NULL;
}

/* Parse the words of one line (w[0] is the op name) into @op. */
static int op_parse_words(char **w, unsigned int n, struct op *op,
			  struct op_text_error *err)
{
	const struct op_desc *d = NULL;
	const struct op_field *f;
	char synopsis[512];
	const char *value;
	unsigned int code, i, pos = 1, seen = 0;
	int ret;

	for (code = 0; code < OP_COUNT && !d; code++)
		if (strcmp(w[0], op_code_name((enum op_code)code)) == 0)
			d = op_desc_get((enum op_code)code);
	if (!d)
		return op_bad(err, "'%s' is not an op (%s)", w[0],
			      OP_TEXT_SEE);
	memset(op, 0, sizeof(*op));
	op->code = (enum op_code)(code - 1);
	op_synopsis(d, synopsis, sizeof(synopsis));

	for (i = 0; i < d->nfields; i++) {
		f = &d->fields[i];
		if (f->text == OP_TEXT_FLAG || f->text == OP_TEXT_KEY ||
		    !op_desc_field_present(op, f))
			continue;
		if (f->text == OP_TEXT_TAIL &&
		    (pos >= n || op_option_of(d, w[pos], &value)))
			continue;
		if (pos >= n)
			return op_bad(err, "'%s' wants <%s> after '%s' (%s)",
				      d->name, f->name, w[pos - 1], synopsis);
		ret = op_parse_field(d, f, w[pos], op, err);
		if (ret)
			return ret;
		pos++;
	}
	for (; pos < n; pos++) {
		f = op_option_of(d, w[pos], &value);
		if (!f)
			return op_bad(err, "'%s': one word too many for %s (%s)",
				      w[pos], d->name, synopsis);
		if (seen & (1u << (f - d->fields)))
			return op_bad(err, "'%s': %s given twice", w[pos],
				      f->prefix);
		seen |= 1u << (f - d->fields);
		if (!value) {
			*((uint8_t *)op + f->offset) = 1;
			continue;
		}
		ret = op_parse_field(d, f, value, op, err);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Split @line in place into at most OP_TEXT_MAX_WORDS words, dropping a
 * '#' comment. Returns the word count, or -E2BIG for too many words.
 */
static int op_split_words(char *line, char **w)
{
	char *hash = strchr(line, '#');
	char *save = NULL, *tok;
	int n = 0;

	if (hash)
		*hash = '\0';
	for (tok = strtok_r(line, " \t\r", &save); tok;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == OP_TEXT_MAX_WORDS)
			return -E2BIG;
		w[n++] = tok;
	}
	return n;
}

int op_program_from_text(const char *text, struct op_program *prog,
			 struct op_text_error *err)
{
	const char *p = text;
	unsigned int lineno = 0;

	prog->count = 0;
	memset(err, 0, sizeof(*err));
	while (*p) {
		char line[OP_TEXT_LINE_MAX], *w[OP_TEXT_MAX_WORDS];
		size_t len = strcspn(p, "\n");
		struct op op;
		int n, ret;

		err->line = ++lineno;
		if (len >= sizeof(line))
			return op_bad(err, "line of %zu bytes, longer than the %d a line may have",
				      len, OP_TEXT_LINE_MAX - 1);
		memcpy(line, p, len);
		line[len] = '\0';
		p += len;
		if (*p == '\n')
			p++;

		n = op_split_words(line, w);
		if (n == 0)
			continue;
		if (n < 0)
			return op_bad(err, "more than %d words (%s)",
				      OP_TEXT_MAX_WORDS, OP_TEXT_SEE);
		ret = op_parse_words(w, (unsigned int)n, &op, err);
		if (ret)
			return ret;
		if (op_program_append(prog, &op) < 0) {
			op_bad(err, "more than %d ops in one program", OP_MAX);
			return -ENOSPC;
		}
	}
	err->line = 0;
	return 0;
}
