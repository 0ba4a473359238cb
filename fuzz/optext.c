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
 *   attach-cfg dev0 space0 be1 fd discard-ok name:long mix:foreign-be
 *                                how: sysfs fd fd-sysfs wrong-fd bad-fd
 *                                nothing path-rel path-dot path-dotdot
 *                                path-long path-wide;
 *                                name: null empty long blank;
 *                                mix: null-space null-be foreign-space
 *                                foreign-be (ok is the default, unwritten)
 *   connect be0 / disconnect be0 / unmap-all be0
 *   backend be1 fd               recreate be1: owned, fd (handed in), badfd
 *   ranges be0 scratch           IOVA ranges of the scratch IOAS, or c2:
 *                                of the third container of be0
 *   probe be1 hwpt-alloc         one verb on object id 0 (no such object)
 *   hw-info dev0
 *   hwpt dev0 dirty bad-pt       allocate (and free) a HWPT
 *   dirty space0 1 on            container 1 of space0: on, off,
 *   dirty space0 0 query 16 4    query or mark <page> <n>
 *   kvm on / kvm off / kvm bogus
 *   discard require / discard release
 *   fault-kind ioctl,close IOMMU_IOAS_MAP ENOMEM   every such call fails;
 *   fault-kind off                                 the request is "any" or
 *                                                  an ioctl name (op.c)
 *   fault-alloc 2                fail the core's 2nd allocation from now
 *   errors null / errors set     pass a NULL iofd_error, or a real one
 *   leave                        stop; iofd_ctx_destroy takes down the rest
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

static const char *const op_how_names[OP_HOW_COUNT] = {
	[OP_HOW_SYSFS]		= "sysfs",
	[OP_HOW_FD]		= "fd",
	[OP_HOW_FD_SYSFS]	= "fd-sysfs",
	[OP_HOW_WRONG_FD]	= "wrong-fd",
	[OP_HOW_BAD_FD]		= "bad-fd",
	[OP_HOW_NOTHING]	= "nothing",
	[OP_HOW_PATH_REL]	= "path-rel",
	[OP_HOW_PATH_DOT]	= "path-dot",
	[OP_HOW_PATH_DOTDOT]	= "path-dotdot",
	[OP_HOW_PATH_LONG]	= "path-long",
	[OP_HOW_PATH_WIDE]	= "path-wide",
};

static const char *const op_name_names[OP_NAME_COUNT] = {
	[OP_NAME_OK]		= "ok",
	[OP_NAME_NULL]		= "null",
	[OP_NAME_EMPTY]		= "empty",
	[OP_NAME_LONG]		= "long",
	[OP_NAME_BLANK]		= "blank",
};

static const char *const op_mix_names[OP_MIX_COUNT] = {
	[OP_MIX_OK]		= "ok",
	[OP_MIX_NULL_SPACE]	= "null-space",
	[OP_MIX_NULL_BE]	= "null-be",
	[OP_MIX_FOREIGN_SPACE]	= "foreign-space",
	[OP_MIX_FOREIGN_BE]	= "foreign-be",
};

static const char *const op_be_names[OP_BE_COUNT] = {
	[OP_BE_OWNED]		= "owned",
	[OP_BE_FD]		= "fd",
	[OP_BE_BADFD]		= "badfd",
};

static const char *const op_probe_names[OP_PROBE_COUNT] = {
	[OP_PROBE_ALLOC_IOAS]	= "alloc-ioas",
	[OP_PROBE_FREE_ID]	= "free-id",
	[OP_PROBE_MAP]		= "map",
	[OP_PROBE_UNMAP]	= "unmap",
	[OP_PROBE_UNMAP_ALL]	= "unmap-all",
	[OP_PROBE_RANGES]	= "ranges",
	[OP_PROBE_HWPT_ALLOC]	= "hwpt-alloc",
	[OP_PROBE_HW_INFO]	= "hw-info",
	[OP_PROBE_SET_DIRTY]	= "set-dirty",
	[OP_PROBE_GET_DIRTY]	= "get-dirty",
};

static const char *const op_dirty_names[OP_DIRTY_COUNT] = {
	[OP_DIRTY_ON]		= "on",
	[OP_DIRTY_OFF]		= "off",
	[OP_DIRTY_QUERY]	= "query",
	[OP_DIRTY_MARK]		= "mark",
};

static const char *const op_kvm_names[OP_KVM_COUNT] = {
	[OP_KVM_ON]		= "on",
	[OP_KVM_OFF]		= "off",
	[OP_KVM_BOGUS]		= "bogus",
};

static const char *const op_discard_names[2] = { "require", "release" };
static const char *const op_errors_names[2] = { "null", "set" };

/* @names[@v], or "?" when @v is not below @n (never for canonical ops). */
static const char *op_pick(const char *const *names, unsigned int n,
			   unsigned int v)
{
	return v < n ? names[v] : "?";
}

/* "ioctl,close": the kinds of a fault-kind mask, in bit order. */
static void op_kinds_text(unsigned int kinds, char *buf, size_t cap)
{
	unsigned int bit;
	size_t len = 0;

	buf[0] = '\0';
	for (bit = 0; bit < OP_KIND_BITS; bit++) {
		int n;

		if (!(kinds & (1u << bit)))
			continue;
		n = snprintf(buf + len, cap - len, "%s%s", len ? "," : "",
			     op_kind_name(bit));
		if (n < 0 || (size_t)n >= cap - len)
			return;
		len += (size_t)n;
	}
}

/* The low window is the default and is not written. */
static const char *op_window_text(unsigned int window)
{
	if (window == OP_WINDOW_LOW)
		return "";
	return op_window_name(window) ? op_window_name(window) : "?";
}

static int op_attach_cfg_text(const struct op *op, char *buf, size_t cap)
{
	char name[24] = "", mix[24] = "";

	if (op->attach_cfg.name != OP_NAME_OK)
		snprintf(name, sizeof(name), " name:%s",
			 op_pick(op_name_names, OP_NAME_COUNT,
				 op->attach_cfg.name));
	if (op->attach_cfg.mix != OP_MIX_OK)
		snprintf(mix, sizeof(mix), " mix:%s",
			 op_pick(op_mix_names, OP_MIX_COUNT,
				 op->attach_cfg.mix));
	return snprintf(buf, cap, "%s dev%u space%u be%u %s%s%s%s%s",
			op_code_name(op->code), op->attach_cfg.dev,
			op->attach_cfg.space, op->attach_cfg.be,
			op_pick(op_how_names, OP_HOW_COUNT, op->attach_cfg.how),
			op->attach_cfg.discard_ok ? " discard-ok" : "",
			op->attach_cfg.bad_flag ? " bad-flag" : "", name, mix);
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
	case OP_FAULT_ALLOC:
		return snprintf(buf, cap, "%s %u", name, op->fault.nth);
	case OP_ERRORS:
		return snprintf(buf, cap, "%s %s", name,
				op_pick(op_errors_names, 2, op->mode.mode));
	case OP_LEAVE:
		return snprintf(buf, cap, "%s", name);
	case OP_ATTACH_CFG:
		return op_attach_cfg_text(op, buf, cap);
	case OP_CONNECT:
	case OP_DISCONNECT:
	case OP_UNMAP_ALL:
		return snprintf(buf, cap, "%s be%u", name, op->be.be);
	case OP_BACKEND:
		return snprintf(buf, cap, "%s be%u %s", name, op->backend.be,
				op_pick(op_be_names, OP_BE_COUNT,
					op->backend.mode));
	case OP_RANGES:
		if (op->ranges.which == 0)
			return snprintf(buf, cap, "%s be%u scratch", name,
					op->ranges.be);
		return snprintf(buf, cap, "%s be%u c%u", name, op->ranges.be,
				op->ranges.which - 1u);
	case OP_PROBE:
		return snprintf(buf, cap, "%s be%u %s", name, op->probe.be,
				op_pick(op_probe_names, OP_PROBE_COUNT,
					op->probe.verb));
	case OP_HW_INFO:
		return snprintf(buf, cap, "%s dev%u", name, op->hwpt.dev);
	case OP_HWPT:
		return snprintf(buf, cap, "%s dev%u%s%s", name, op->hwpt.dev,
				op->hwpt.dirty ? " dirty" : "",
				op->hwpt.bad_pt ? " bad-pt" : "");
	case OP_DIRTY:
		if (op->dirty.action == OP_DIRTY_ON ||
		    op->dirty.action == OP_DIRTY_OFF)
			return snprintf(buf, cap, "%s space%u %u %s", name,
					op->dirty.space, op->dirty.idx,
					op_dirty_names[op->dirty.action]);
		return snprintf(buf, cap, "%s space%u %u %s %u %u", name,
				op->dirty.space, op->dirty.idx,
				op_pick(op_dirty_names, OP_DIRTY_COUNT,
					op->dirty.action),
				op->dirty.page, op->dirty.npages);
	case OP_KVM:
		return snprintf(buf, cap, "%s %s", name,
				op_pick(op_kvm_names, OP_KVM_COUNT,
					op->mode.mode));
	case OP_DISCARD:
		return snprintf(buf, cap, "%s %s", name,
				op_pick(op_discard_names, 2, op->mode.mode));
	case OP_FAULT_KIND: {
		char kinds[64];

		if (op->fault_kind.kinds == 0)
			return snprintf(buf, cap, "%s off", name);
		op_kinds_text(op->fault_kind.kinds, kinds, sizeof(kinds));
		return snprintf(buf, cap, "%s %s %s %s", name, kinds,
				op_req_name(op->fault_kind.req) ?
				op_req_name(op->fault_kind.req) : "?",
				op_errno_name(op->fault_kind.err) ?
				op_errno_name(op->fault_kind.err) : "?");
	}
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

#define OP_TEXT_MAX_WORDS 10
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

/* Find @s among the @n @names: 0 and *@out its index, or -EINVAL. */
static int op_parse_name(const char *const *names, unsigned int n,
			 const char *s, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = (uint8_t)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* "ioctl,close" into a kinds mask; every word must be a kind. */
static int op_parse_kinds(const char *s, uint8_t *out)
{
	char buf[64], *save = NULL, *tok;
	unsigned int bit, mask = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (bit = 0; bit < OP_KIND_BITS; bit++)
			if (strcmp(op_kind_name(bit), tok) == 0)
				break;
		if (bit == OP_KIND_BITS)
			return -EINVAL;
		mask |= 1u << bit;
	}
	if (!mask)
		return -EINVAL;
	*out = (uint8_t)mask;
	return 0;
}

/* The optional words of attach-cfg after <how>, in any order. */
static int op_parse_cfg_opts(char **w, unsigned int n, struct op *op)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (strcmp(w[i], "discard-ok") == 0)
			op->attach_cfg.discard_ok = true;
		else if (strcmp(w[i], "bad-flag") == 0)
			op->attach_cfg.bad_flag = true;
		else if (strncmp(w[i], "name:", 5) == 0 &&
			 op_parse_name(op_name_names, OP_NAME_COUNT, w[i] + 5,
				       &op->attach_cfg.name) == 0)
			continue;
		else if (strncmp(w[i], "mix:", 4) == 0 &&
			 op_parse_name(op_mix_names, OP_MIX_COUNT, w[i] + 4,
				       &op->attach_cfg.mix) == 0)
			continue;
		else
			return -EINVAL;
	}
	return 0;
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

/* op_parse_words for the ops added after the first corpus (9 and up). */
static int op_parse_words_more(char **w, unsigned int n, struct op *op)
{
	int ret, idx;

	switch (op->code) {
	case OP_FAULT_ALLOC:
		if (n != 2)
			return -EINVAL;
		return op_parse_num(w[1], NULL, OP_MAX_NTH - 1, &op->fault.nth);
	case OP_ERRORS:
		if (n != 2)
			return -EINVAL;
		return op_parse_name(op_errors_names, 2, w[1], &op->mode.mode);
	case OP_LEAVE:
		return n == 1 ? 0 : -EINVAL;
	case OP_ATTACH_CFG:
		if (n < 5)
			return -EINVAL;
		ret = op_parse_num(w[1], "dev", OP_MAX_DEVICES - 1,
				   &op->attach_cfg.dev);
		if (!ret)
			ret = op_parse_num(w[2], "space", OP_MAX_SPACES - 1,
					   &op->attach_cfg.space);
		if (!ret)
			ret = op_parse_num(w[3], "be", OP_MAX_BACKENDS - 1,
					   &op->attach_cfg.be);
		if (!ret)
			ret = op_parse_name(op_how_names, OP_HOW_COUNT, w[4],
					    &op->attach_cfg.how);
		if (!ret)
			ret = op_parse_cfg_opts(w + 5, n - 5, op);
		return ret;
	case OP_CONNECT:
	case OP_DISCONNECT:
	case OP_UNMAP_ALL:
		if (n != 2)
			return -EINVAL;
		return op_parse_num(w[1], "be", OP_MAX_BACKENDS - 1,
				    &op->be.be);
	case OP_BACKEND:
		if (n != 3)
			return -EINVAL;
		ret = op_parse_num(w[1], "be", OP_MAX_BACKENDS - 1,
				   &op->backend.be);
		if (!ret)
			ret = op_parse_name(op_be_names, OP_BE_COUNT, w[2],
					    &op->backend.mode);
		return ret;
	case OP_RANGES:
		if (n != 3)
			return -EINVAL;
		ret = op_parse_num(w[1], "be", OP_MAX_BACKENDS - 1,
				   &op->ranges.be);
		if (ret)
			return ret;
		if (strcmp(w[2], "scratch") == 0)
			return 0;
		ret = op_parse_num(w[2], "c", OP_MAX_WHICH - 2,
				   &op->ranges.which);
		op->ranges.which++;
		return ret;
	case OP_PROBE:
		if (n != 3)
			return -EINVAL;
		ret = op_parse_num(w[1], "be", OP_MAX_BACKENDS - 1,
				   &op->probe.be);
		if (!ret)
			ret = op_parse_name(op_probe_names, OP_PROBE_COUNT,
					    w[2], &op->probe.verb);
		return ret;
	case OP_HW_INFO:
		if (n != 2)
			return -EINVAL;
		return op_parse_num(w[1], "dev", OP_MAX_DEVICES - 1,
				    &op->hwpt.dev);
	case OP_HWPT:
		if (n < 2 || n > 4)
			return -EINVAL;
		ret = op_parse_num(w[1], "dev", OP_MAX_DEVICES - 1,
				   &op->hwpt.dev);
		for (idx = 2; !ret && idx < (int)n; idx++) {
			if (strcmp(w[idx], "dirty") == 0)
				op->hwpt.dirty = true;
			else if (strcmp(w[idx], "bad-pt") == 0)
				op->hwpt.bad_pt = true;
			else
				ret = -EINVAL;
		}
		return ret;
	case OP_DIRTY:
		if (n != 4 && n != 6)
			return -EINVAL;
		ret = op_parse_num(w[1], "space", OP_MAX_SPACES - 1,
				   &op->dirty.space);
		if (!ret)
			ret = op_parse_num(w[2], NULL, OP_MAX_CIDX - 1,
					   &op->dirty.idx);
		if (!ret)
			ret = op_parse_name(op_dirty_names, OP_DIRTY_COUNT,
					    w[3], &op->dirty.action);
		if (ret)
			return ret;
		/* on/off take no range; query/mark need one. */
		if ((op->dirty.action == OP_DIRTY_ON ||
		     op->dirty.action == OP_DIRTY_OFF) != (n == 4))
			return -EINVAL;
		if (n == 4)
			return 0;
		ret = op_parse_num(w[4], NULL, UINT8_MAX, &op->dirty.page);
		if (!ret)
			ret = op_parse_num(w[5], NULL, OP_MAX_PAGES,
					   &op->dirty.npages);
		return ret;
	case OP_KVM:
		if (n != 2)
			return -EINVAL;
		return op_parse_name(op_kvm_names, OP_KVM_COUNT, w[1],
				     &op->mode.mode);
	case OP_DISCARD:
		if (n != 2)
			return -EINVAL;
		return op_parse_name(op_discard_names, 2, w[1],
				     &op->mode.mode);
	case OP_FAULT_KIND:
		if (n == 2 && strcmp(w[1], "off") == 0)
			return 0;
		if (n != 4)
			return -EINVAL;
		ret = op_parse_kinds(w[1], &op->fault_kind.kinds);
		if (ret)
			return ret;
		idx = op_req_find(w[2]);
		if (idx < 0)
			return -EINVAL;
		op->fault_kind.req = (uint8_t)idx;
		idx = op_errno_find(w[3]);
		if (idx < 0)
			return -EINVAL;
		op->fault_kind.err = (uint8_t)idx;
		return 0;
	default:
		break;
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
	default:
		return op_parse_words_more(w, n, op);
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
