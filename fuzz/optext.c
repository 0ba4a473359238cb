/* SPDX-License-Identifier: MIT */
/*
 * Text form of the op-sequence language: what people write seeds in and
 * what crash reports print. One op per line, words separated by blanks:
 *
 *   device e1000e ok             profile by name, sysfs variant by name
 *   space
 *   attach dev0 space1 be0
 *   detach dev0
 *   region-add space0 16 4 ro    first page, page count, rw|ro
 *   region-add space0 200 4 rw msi   ... in an IOVA window (op.h)
 *   region-del space0 1          region index (or a bogus one: see harness)
 *   map be1 32 2
 *   unmap be1 32 2 4g
 *   fault 3 EINVAL               fail the 3rd host call from now; 0 disarms
 *
 * '#' starts a comment. The printer emits exactly this grammar, so the text
 * of a decoded program parses back to the same program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emu/emu.h>

#include "op.h"

static const char *const op_variant_names[EMU_SYSFS_VARIANT_COUNT] = {
	[EMU_SYSFS_OK]		= "ok",
	[EMU_SYSFS_NO_VFIO_DEV]	= "no-vfio-dev",
	[EMU_SYSFS_GARBAGE_DEV]	= "garbage-dev",
	[EMU_SYSFS_OVERFLOW_DEV] = "overflow-dev",
	[EMU_SYSFS_WRONG_DEVT]	= "wrong-devt",
};

static const char *op_profile_name(unsigned int idx)
{
	const struct emu_profile *p = NULL;

	if (emu_profile_count())
		p = emu_profile_get(idx % emu_profile_count());
	return p ? p->name : "?";
}

/* The low window is the default and is not written. */
static const char *op_window_text(unsigned int window)
{
	if (window == OP_WINDOW_LOW)
		return "";
	return op_window_name(window) ? op_window_name(window) : "?";
}

int op_to_text(const struct op *op, char *buf, size_t cap)
{
	const char *name = op_code_name(op->code);

	switch (op->code) {
	case OP_DEVICE:
		return snprintf(buf, cap, "%s %s %s", name,
				op_profile_name(op->device.profile),
				op->device.variant < EMU_SYSFS_VARIANT_COUNT ?
				op_variant_names[op->device.variant] : "?");
	case OP_SPACE:
		return snprintf(buf, cap, "%s", name);
	case OP_ATTACH:
		return snprintf(buf, cap, "%s dev%u space%u be%u", name,
				op->attach.dev, op->attach.space,
				op->attach.be);
	case OP_DETACH:
		return snprintf(buf, cap, "%s dev%u", name, op->detach.dev);
	case OP_REGION_ADD:
		return snprintf(buf, cap, "%s space%u %u %u %s%s%s", name,
				op->region_add.space, op->region_add.page,
				op->region_add.npages,
				op->region_add.ro ? "ro" : "rw",
				op->region_add.window ? " " : "",
				op_window_text(op->region_add.window));
	case OP_REGION_DEL:
		return snprintf(buf, cap, "%s space%u %u", name,
				op->region_del.space, op->region_del.idx);
	case OP_MAP:
	case OP_UNMAP:
		return snprintf(buf, cap, "%s be%u %u %u%s%s", name,
				op->map.be, op->map.page, op->map.npages,
				op->map.window ? " " : "",
				op_window_text(op->map.window));
	case OP_FAULT:
		return snprintf(buf, cap, "%s %u %s", name, op->fault.nth,
				op_errno_name(op->fault.err) ?
				op_errno_name(op->fault.err) : "?");
	case OP_COUNT:
		break;
	}
	return snprintf(buf, cap, "?");
}

int op_program_to_text(const struct op_program *prog, FILE *out,
		       bool numbered)
{
	char line[128];
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
/* Parsing                                                             */

#define OP_TEXT_MAX_WORDS 6
#define OP_TEXT_LINE_MAX 256

/*
 * Parse a decimal number in [0, max] from @s, optionally after the literal
 * @prefix ("dev", "space", "be"; NULL for none): 0 or -EINVAL.
 */
static int op_parse_num(const char *s, const char *prefix, unsigned long max,
			uint8_t *out)
{
	unsigned long v;
	char *end;

	if (prefix) {
		size_t n = strlen(prefix);

		if (strncmp(s, prefix, n) != 0)
			return -EINVAL;
		s += n;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

static int op_parse_profile(const char *s, uint8_t *out)
{
	size_t i, n = emu_profile_count();

	for (i = 0; i < n && i <= UINT8_MAX; i++) {
		const struct emu_profile *p = emu_profile_get(i);

		if (p && strcmp(p->name, s) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int op_parse_window(const char *s, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < OP_WINDOW_COUNT; i++) {
		if (strcmp(op_window_name(i), s) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int op_parse_variant(const char *s, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < EMU_SYSFS_VARIANT_COUNT; i++) {
		if (strcmp(op_variant_names[i], s) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Parse the words of one line (w[0] is the op name) into @op. */
static int op_parse_words(char **w, unsigned int n, struct op *op)
{
	unsigned int code;
	int ret = 0, idx;

	for (code = 0; code < OP_COUNT; code++)
		if (strcmp(w[0], op_code_name((enum op_code)code)) == 0)
			break;
	if (code == OP_COUNT)
		return -EINVAL;
	memset(op, 0, sizeof(*op));
	op->code = (enum op_code)code;

	switch (op->code) {
	case OP_DEVICE:
		if (n != 3)
			return -EINVAL;
		ret = op_parse_profile(w[1], &op->device.profile);
		if (!ret)
			ret = op_parse_variant(w[2], &op->device.variant);
		return ret;
	case OP_SPACE:
		return n == 1 ? 0 : -EINVAL;
	case OP_ATTACH:
		if (n != 4)
			return -EINVAL;
		ret = op_parse_num(w[1], "dev", OP_MAX_DEVICES - 1,
				   &op->attach.dev);
		if (!ret)
			ret = op_parse_num(w[2], "space", OP_MAX_SPACES - 1,
					   &op->attach.space);
		if (!ret)
			ret = op_parse_num(w[3], "be", OP_MAX_BACKENDS - 1,
					   &op->attach.be);
		return ret;
	case OP_DETACH:
		if (n != 2)
			return -EINVAL;
		return op_parse_num(w[1], "dev", OP_MAX_DEVICES - 1,
				    &op->detach.dev);
	case OP_REGION_ADD:
		if (n != 5 && n != 6)
			return -EINVAL;
		ret = op_parse_num(w[1], "space", OP_MAX_SPACES - 1,
				   &op->region_add.space);
		if (!ret)
			ret = op_parse_num(w[2], NULL, UINT8_MAX,
					   &op->region_add.page);
		if (!ret)
			ret = op_parse_num(w[3], NULL, OP_MAX_PAGES,
					   &op->region_add.npages);
		if (ret)
			return ret;
		if (strcmp(w[4], "ro") == 0)
			op->region_add.ro = true;
		else if (strcmp(w[4], "rw") != 0)
			return -EINVAL;
		if (n == 6)
			return op_parse_window(w[5], &op->region_add.window);
		return 0;
	case OP_REGION_DEL:
		if (n != 3)
			return -EINVAL;
		ret = op_parse_num(w[1], "space", OP_MAX_SPACES - 1,
				   &op->region_del.space);
		if (!ret)
			ret = op_parse_num(w[2], NULL, OP_MAX_REGION_IDX - 1,
					   &op->region_del.idx);
		return ret;
	case OP_MAP:
	case OP_UNMAP:
		if (n != 4 && n != 5)
			return -EINVAL;
		ret = op_parse_num(w[1], "be", OP_MAX_BACKENDS - 1,
				   &op->map.be);
		if (!ret)
			ret = op_parse_num(w[2], NULL, UINT8_MAX,
					   &op->map.page);
		if (!ret)
			ret = op_parse_num(w[3], NULL, OP_MAX_PAGES,
					   &op->map.npages);
		if (!ret && n == 5)
			ret = op_parse_window(w[4], &op->map.window);
		return ret;
	case OP_FAULT:
		if (n != 3)
			return -EINVAL;
		ret = op_parse_num(w[1], NULL, OP_MAX_NTH - 1, &op->fault.nth);
		if (ret)
			return ret;
		idx = op_errno_find(w[2]);
		if (idx < 0)
			return -EINVAL;
		op->fault.err = (uint8_t)idx;
		return 0;
	case OP_COUNT:
		break;
	}
	return -EINVAL;
}

/*
 * Split @line in place into at most OP_TEXT_MAX_WORDS words, dropping a
 * '#' comment. Returns the word count, or -EINVAL for too many words.
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
			return -EINVAL;
		w[n++] = tok;
	}
	return n;
}

int op_program_from_text(const char *text, struct op_program *prog,
			 unsigned int *bad_line)
{
	const char *p = text;
	unsigned int lineno = 0;

	memset(prog, 0, sizeof(*prog));
	*bad_line = 0;
	while (*p) {
		char line[OP_TEXT_LINE_MAX], *w[OP_TEXT_MAX_WORDS];
		size_t len = strcspn(p, "\n");
		struct op op;
		int n;

		lineno++;
		if (len >= sizeof(line)) {
			*bad_line = lineno;
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len;
		if (*p == '\n')
			p++;

		n = op_split_words(line, w);
		if (n == 0)
			continue;
		if (n < 0 || op_parse_words(w, (unsigned int)n, &op) < 0) {
			*bad_line = lineno;
			return -EINVAL;
		}
		if (op_program_append(prog, &op) < 0) {
			*bad_line = lineno;
			return -ENOSPC;
		}
	}
	return 0;
}
