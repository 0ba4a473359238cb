/* SPDX-License-Identifier: MIT */
/*
 * Binary form of the op-sequence language (grammar in op.h): a bounded
 * reader that turns any byte string into a canonical program, and the
 * encoder that turns a program back into the bytes that decode to it.
 *
 * The one rule both directions keep: an op's argument bytes are written in
 * the order of op_args[] below and every value is reduced to its range the
 * same way, so decode(encode(p)) == p for every canonical program p.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include <emu/emu.h>
#include <emu/ioctl_names.h>

#include "op.h"

struct op_desc {
	const char *name;
	unsigned int nargs;
};

static const struct op_desc op_descs[OP_COUNT] = {
	[OP_DEVICE]	= { "device", 2 },
	[OP_SPACE]	= { "space", 0 },
	[OP_ATTACH]	= { "attach", 3 },
	[OP_DETACH]	= { "detach", 1 },
	[OP_REGION_ADD]	= { "region-add", 4 },
	[OP_REGION_DEL]	= { "region-del", 2 },
	[OP_MAP]	= { "map", 4 },
	[OP_UNMAP]	= { "unmap", 4 },
	[OP_FAULT]	= { "fault", 2 },
	[OP_ATTACH_CFG]	= { "attach-cfg", 5 },
	[OP_CONNECT]	= { "connect", 1 },
	[OP_DISCONNECT]	= { "disconnect", 1 },
	[OP_BACKEND]	= { "backend", 2 },
	[OP_UNMAP_ALL]	= { "unmap-all", 1 },
	[OP_RANGES]	= { "ranges", 2 },
	[OP_PROBE]	= { "probe", 2 },
	[OP_HW_INFO]	= { "hw-info", 1 },
	[OP_HWPT]	= { "hwpt", 2 },
	[OP_DIRTY]	= { "dirty", 5 },
	[OP_KVM]	= { "kvm", 1 },
	[OP_DISCARD]	= { "discard", 1 },
	[OP_FAULT_KIND]	= { "fault-kind", 3 },
	[OP_FAULT_ALLOC] = { "fault-alloc", 1 },
	[OP_ERRORS]	= { "errors", 1 },
	[OP_LEAVE]	= { "leave", 0 },
};

/*
 * The ioctls a fault-kind op can single out: every request the core makes
 * (index 0 means all of them). Order is part of the binary form; names
 * come from the project's ioctl table.
 */
static const unsigned long op_reqs[OP_REQ_COUNT] = {
	0,
	IOMMU_IOAS_ALLOC,
	IOMMU_DESTROY,
	IOMMU_IOAS_MAP,
	IOMMU_IOAS_UNMAP,
	IOMMU_IOAS_IOVA_RANGES,
	IOMMU_HWPT_ALLOC,
	IOMMU_GET_HW_INFO,
	IOMMU_HWPT_SET_DIRTY_TRACKING,
	IOMMU_HWPT_GET_DIRTY_BITMAP,
	VFIO_DEVICE_BIND_IOMMUFD,
	VFIO_DEVICE_ATTACH_IOMMUFD_PT,
	VFIO_DEVICE_DETACH_IOMMUFD_PT,
	VFIO_DEVICE_GET_INFO,
	KVM_SET_DEVICE_ATTR,
	KVM_CREATE_DEVICE,
};

unsigned long op_req_value(unsigned int idx)
{
	return idx < OP_REQ_COUNT ? op_reqs[idx] : 0;
}

const char *op_req_name(unsigned int idx)
{
	if (idx >= OP_REQ_COUNT)
		return NULL;
	return idx ? emu_ioctl_name(op_reqs[idx]) : "any";
}

int op_req_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < OP_REQ_COUNT; i++)
		if (strcmp(op_req_name(i), name) == 0)
			return (int)i;
	return -ENOENT;
}

/* Bit n of a fault-kind mask is the n-th kind of emu.h's enum. */
static const char *const op_kinds[OP_KIND_BITS] = {
	"open", "close", "ioctl", "fstat", "stat", "read-file", "list-dir",
};

const char *op_kind_name(unsigned int bit)
{
	return bit < OP_KIND_BITS ? op_kinds[bit] : NULL;
}

struct op_errno {
	const char *name;
	int value;
};

/*
 * The first entries are the errnos the kernel really returns on the calls
 * the core makes; the rest are ones the core should never see but must
 * still carry through unchanged (the last has no name in libc at all).
 * EINVAL comes first because the core gives
 * it a meaning of its own (an attach refused as incompatible).
 */
static const struct op_errno op_errnos[OP_ERRNO_COUNT] = {
	{ "EINVAL", EINVAL },
	{ "ENOMEM", ENOMEM },
	{ "EFAULT", EFAULT },
	{ "EBUSY", EBUSY },
	{ "ENOENT", ENOENT },
	{ "EBADF", EBADF },
	{ "EIO", EIO },
	{ "ENOSPC", ENOSPC },
	{ "EADDRINUSE", EADDRINUSE },
	{ "EEXIST", EEXIST },
	{ "EOPNOTSUPP", EOPNOTSUPP },
	{ "ENOTTY", ENOTTY },
	{ "EPERM", EPERM },
	{ "E2BIG", E2BIG },
	{ "EOVERFLOW", EOVERFLOW },
	{ "ENODEV", ENODEV },
	/* The largest errno: no name, no strerror text; carried through. */
	{ "E4095", 4095 },
};

int op_errno_value(unsigned int idx)
{
	if (idx >= OP_ERRNO_COUNT)
		return EINVAL;
	return op_errnos[idx].value;
}

const char *op_errno_name(unsigned int idx)
{
	if (idx >= OP_ERRNO_COUNT)
		return NULL;
	return op_errnos[idx].name;
}

int op_errno_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < OP_ERRNO_COUNT; i++)
		if (strcmp(op_errnos[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

/* 512 KiB: the first 128 of an op's 256 pages lie below the line. */
#define OP_WINDOW_LEAD (128ULL * OP_PAGE_SIZE)

static const struct {
	const char *name;
	uint64_t base;
} op_windows[OP_WINDOW_COUNT] = {
	[OP_WINDOW_LOW]		= { "low", 0 },
	[OP_WINDOW_MSI]		= { "msi", 0xfee00000ULL - OP_WINDOW_LEAD },
	[OP_WINDOW_4G]		= { "4g", (1ULL << 32) - OP_WINDOW_LEAD },
	[OP_WINDOW_TOP39]	= { "top39", (1ULL << 39) - OP_WINDOW_LEAD },
	[OP_WINDOW_TOP64]	= { "top64", 0ULL - OP_WINDOW_LEAD },
};

uint64_t op_window_base(unsigned int window)
{
	return window < OP_WINDOW_COUNT ? op_windows[window].base : 0;
}

const char *op_window_name(unsigned int window)
{
	return window < OP_WINDOW_COUNT ? op_windows[window].name : NULL;
}

uint64_t op_page_iova(unsigned int window, unsigned int page)
{
	return op_window_base(window) + (uint64_t)page * OP_PAGE_SIZE;
}

const char *op_code_name(enum op_code code)
{
	if ((unsigned int)code >= OP_COUNT)
		return NULL;
	return op_descs[code].name;
}

unsigned int op_code_nargs(enum op_code code)
{
	if ((unsigned int)code >= OP_COUNT)
		return 0;
	return op_descs[code].nargs;
}

/* Reads bytes of the input; past its end every byte reads as 0. */
struct op_reader {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

static uint8_t op_read_byte(struct op_reader *r)
{
	if (r->pos >= r->size)
		return 0;
	return r->data[r->pos++];
}

static uint8_t op_mod(uint8_t v, unsigned int range)
{
	return (uint8_t)(v % range);
}

/*
 * Reduce the raw argument bytes @a of an op with opcode @code into @op. The
 * order of @a is the order of the bytes in the binary form.
 */
static void op_from_args(enum op_code code, const uint8_t *a, struct op *op)
{
	size_t nprofiles = emu_profile_count();

	memset(op, 0, sizeof(*op));
	op->code = code;
	switch (code) {
	case OP_DEVICE:
		op->device.profile = nprofiles ?
			(uint8_t)(a[0] % nprofiles) : 0;
		op->device.variant = op_mod(a[1], EMU_SYSFS_VARIANT_COUNT);
		break;
	case OP_SPACE:
		break;
	case OP_ATTACH:
		op->attach.dev = op_mod(a[0], OP_MAX_DEVICES);
		op->attach.space = op_mod(a[1], OP_MAX_SPACES);
		op->attach.be = op_mod(a[2], OP_MAX_BACKENDS);
		break;
	case OP_DETACH:
		op->detach.dev = op_mod(a[0], OP_MAX_DEVICES);
		break;
	case OP_REGION_ADD:
		op->region_add.space = op_mod(a[0], OP_MAX_SPACES);
		op->region_add.page = a[1];
		op->region_add.npages = op_mod(a[2], OP_MAX_PAGES + 1);
		op->region_add.ro = a[3] & 1;
		op->region_add.window = (uint8_t)(((a[3] >> 1) & 7) %
						  OP_WINDOW_COUNT);
		break;
	case OP_REGION_DEL:
		op->region_del.space = op_mod(a[0], OP_MAX_SPACES);
		op->region_del.idx = op_mod(a[1], OP_MAX_REGION_IDX);
		break;
	case OP_MAP:
	case OP_UNMAP:
		op->map.be = op_mod(a[0], OP_MAX_BACKENDS);
		op->map.page = a[1];
		op->map.npages = op_mod(a[2], OP_MAX_PAGES + 1);
		op->map.window = op_mod(a[3], OP_WINDOW_COUNT);
		break;
	case OP_FAULT:
		op->fault.nth = op_mod(a[0], OP_MAX_NTH);
		op->fault.err = op_mod(a[1], OP_ERRNO_COUNT);
		break;
	case OP_FAULT_ALLOC:
		op->fault.nth = op_mod(a[0], OP_MAX_NTH);
		break;
	case OP_ATTACH_CFG:
		op->attach_cfg.dev = op_mod(a[0], OP_MAX_DEVICES);
		op->attach_cfg.space = op_mod(a[1], OP_MAX_SPACES);
		op->attach_cfg.be = op_mod(a[2], OP_MAX_BACKENDS);
		op->attach_cfg.how = op_mod(a[3], OP_HOW_COUNT);
		op->attach_cfg.discard_ok = a[4] & 1;
		op->attach_cfg.bad_flag = (a[4] >> 1) & 1;
		op->attach_cfg.name = op_mod((a[4] >> 2) & 7, OP_NAME_COUNT);
		op->attach_cfg.mix = op_mod((uint8_t)(a[4] >> 5), OP_MIX_COUNT);
		break;
	case OP_CONNECT:
	case OP_DISCONNECT:
	case OP_UNMAP_ALL:
		op->be.be = op_mod(a[0], OP_MAX_BACKENDS);
		break;
	case OP_BACKEND:
		op->backend.be = op_mod(a[0], OP_MAX_BACKENDS);
		op->backend.mode = op_mod(a[1], OP_BE_COUNT);
		break;
	case OP_RANGES:
		op->ranges.be = op_mod(a[0], OP_MAX_BACKENDS);
		op->ranges.which = op_mod(a[1], OP_MAX_WHICH);
		break;
	case OP_PROBE:
		op->probe.be = op_mod(a[0], OP_MAX_BACKENDS);
		op->probe.verb = op_mod(a[1], OP_PROBE_COUNT);
		break;
	case OP_HW_INFO:
		op->hwpt.dev = op_mod(a[0], OP_MAX_DEVICES);
		break;
	case OP_HWPT:
		op->hwpt.dev = op_mod(a[0], OP_MAX_DEVICES);
		op->hwpt.dirty = a[1] & 1;
		op->hwpt.bad_pt = (a[1] >> 1) & 1;
		break;
	case OP_DIRTY:
		op->dirty.space = op_mod(a[0], OP_MAX_SPACES);
		op->dirty.idx = op_mod(a[1], OP_MAX_CIDX);
		op->dirty.action = op_mod(a[2], OP_DIRTY_COUNT);
		/* A range only means something to query and mark. */
		if (op->dirty.action == OP_DIRTY_QUERY ||
		    op->dirty.action == OP_DIRTY_MARK) {
			op->dirty.page = a[3];
			op->dirty.npages = op_mod(a[4], OP_MAX_PAGES + 1);
		}
		break;
	case OP_KVM:
		op->mode.mode = op_mod(a[0], OP_KVM_COUNT);
		break;
	case OP_DISCARD:
	case OP_ERRORS:
		op->mode.mode = op_mod(a[0], 2);
		break;
	case OP_LEAVE:
		break;
	case OP_FAULT_KIND:
		op->fault_kind.kinds = (uint8_t)(a[0] & OP_KIND_MASK);
		/* Disarming takes no request or errno. */
		if (op->fault_kind.kinds) {
			op->fault_kind.req = op_mod(a[1], OP_REQ_COUNT);
			op->fault_kind.err = op_mod(a[2], OP_ERRNO_COUNT);
		}
		break;
	case OP_COUNT:
		break;
	}
}

/* The inverse of op_from_args for a canonical @op; returns the arg count. */
static unsigned int op_to_args(const struct op *op, uint8_t *a)
{
	switch (op->code) {
	case OP_DEVICE:
		a[0] = op->device.profile;
		a[1] = op->device.variant;
		break;
	case OP_SPACE:
		break;
	case OP_ATTACH:
		a[0] = op->attach.dev;
		a[1] = op->attach.space;
		a[2] = op->attach.be;
		break;
	case OP_DETACH:
		a[0] = op->detach.dev;
		break;
	case OP_REGION_ADD:
		a[0] = op->region_add.space;
		a[1] = op->region_add.page;
		a[2] = op->region_add.npages;
		a[3] = (uint8_t)((op->region_add.ro ? 1 : 0) |
				 (op->region_add.window << 1));
		break;
	case OP_REGION_DEL:
		a[0] = op->region_del.space;
		a[1] = op->region_del.idx;
		break;
	case OP_MAP:
	case OP_UNMAP:
		a[0] = op->map.be;
		a[1] = op->map.page;
		a[2] = op->map.npages;
		a[3] = op->map.window;
		break;
	case OP_FAULT:
		a[0] = op->fault.nth;
		a[1] = op->fault.err;
		break;
	case OP_FAULT_ALLOC:
		a[0] = op->fault.nth;
		break;
	case OP_ATTACH_CFG:
		a[0] = op->attach_cfg.dev;
		a[1] = op->attach_cfg.space;
		a[2] = op->attach_cfg.be;
		a[3] = op->attach_cfg.how;
		a[4] = (uint8_t)((op->attach_cfg.discard_ok ? 1 : 0) |
				 (op->attach_cfg.bad_flag ? 2 : 0) |
				 ((op->attach_cfg.name & 7) << 2) |
				 ((op->attach_cfg.mix & 7) << 5));
		break;
	case OP_CONNECT:
	case OP_DISCONNECT:
	case OP_UNMAP_ALL:
		a[0] = op->be.be;
		break;
	case OP_BACKEND:
		a[0] = op->backend.be;
		a[1] = op->backend.mode;
		break;
	case OP_RANGES:
		a[0] = op->ranges.be;
		a[1] = op->ranges.which;
		break;
	case OP_PROBE:
		a[0] = op->probe.be;
		a[1] = op->probe.verb;
		break;
	case OP_HW_INFO:
		a[0] = op->hwpt.dev;
		break;
	case OP_HWPT:
		a[0] = op->hwpt.dev;
		a[1] = (uint8_t)((op->hwpt.dirty ? 1 : 0) |
				 (op->hwpt.bad_pt ? 2 : 0));
		break;
	case OP_DIRTY:
		a[0] = op->dirty.space;
		a[1] = op->dirty.idx;
		a[2] = op->dirty.action;
		a[3] = op->dirty.page;
		a[4] = op->dirty.npages;
		break;
	case OP_KVM:
	case OP_DISCARD:
	case OP_ERRORS:
		a[0] = op->mode.mode;
		break;
	case OP_LEAVE:
		break;
	case OP_FAULT_KIND:
		a[0] = op->fault_kind.kinds;
		a[1] = op->fault_kind.req;
		a[2] = op->fault_kind.err;
		break;
	case OP_COUNT:
		break;
	}
	return op_code_nargs(op->code);
}

#define OP_MAX_ARGS 5
#define OP_MAX_FIELDS 8

/*
 * Where each field of an op lives in its argument bytes: bits
 * [shift, shift + bits) of byte arg, reduced modulo range (0: the number
 * of emulator profiles). It restates op_from_args; the op_fields test of
 * fuzz_test_mutator checks every field's values round-trip through it.
 */
struct op_field_desc {
	uint8_t arg;
	uint8_t shift;
	uint8_t bits;		/* 0 ends an op's list */
	uint8_t ref;		/* enum op_ref */
	uint16_t range;
};

#define OP_BYTE(arg, range)	{ arg, 0, 8, OP_REF_NONE, range }
#define OP_BITS(arg, shift, bits, range) \
				{ arg, shift, bits, OP_REF_NONE, range }
#define OP_DEV(arg)		{ arg, 0, 8, OP_REF_DEV, OP_MAX_DEVICES }
#define OP_SPC(arg)		{ arg, 0, 8, OP_REF_SPACE, OP_MAX_SPACES }

static const struct op_field_desc op_fields[OP_COUNT][OP_MAX_FIELDS] = {
	[OP_DEVICE]	= { OP_BYTE(0, 0),
			    OP_BYTE(1, EMU_SYSFS_VARIANT_COUNT) },
	[OP_ATTACH]	= { OP_DEV(0), OP_SPC(1),
			    OP_BYTE(2, OP_MAX_BACKENDS) },
	[OP_DETACH]	= { OP_DEV(0) },
	[OP_REGION_ADD]	= { OP_SPC(0), OP_BYTE(1, 256),
			    OP_BYTE(2, OP_MAX_PAGES + 1), OP_BITS(3, 0, 1, 2),
			    OP_BITS(3, 1, 3, OP_WINDOW_COUNT) },
	[OP_REGION_DEL]	= { OP_SPC(0), OP_BYTE(1, OP_MAX_REGION_IDX) },
	[OP_MAP]	= { OP_BYTE(0, OP_MAX_BACKENDS), OP_BYTE(1, 256),
			    OP_BYTE(2, OP_MAX_PAGES + 1),
			    OP_BYTE(3, OP_WINDOW_COUNT) },
	[OP_UNMAP]	= { OP_BYTE(0, OP_MAX_BACKENDS), OP_BYTE(1, 256),
			    OP_BYTE(2, OP_MAX_PAGES + 1),
			    OP_BYTE(3, OP_WINDOW_COUNT) },
	[OP_FAULT]	= { OP_BYTE(0, OP_MAX_NTH),
			    OP_BYTE(1, OP_ERRNO_COUNT) },
	[OP_ATTACH_CFG]	= { OP_DEV(0), OP_SPC(1),
			    OP_BYTE(2, OP_MAX_BACKENDS),
			    OP_BYTE(3, OP_HOW_COUNT), OP_BITS(4, 0, 1, 2),
			    OP_BITS(4, 1, 1, 2),
			    OP_BITS(4, 2, 3, OP_NAME_COUNT),
			    OP_BITS(4, 5, 3, OP_MIX_COUNT) },
	[OP_CONNECT]	= { OP_BYTE(0, OP_MAX_BACKENDS) },
	[OP_DISCONNECT]	= { OP_BYTE(0, OP_MAX_BACKENDS) },
	[OP_BACKEND]	= { OP_BYTE(0, OP_MAX_BACKENDS),
			    OP_BYTE(1, OP_BE_COUNT) },
	[OP_UNMAP_ALL]	= { OP_BYTE(0, OP_MAX_BACKENDS) },
	[OP_RANGES]	= { OP_BYTE(0, OP_MAX_BACKENDS),
			    OP_BYTE(1, OP_MAX_WHICH) },
	[OP_PROBE]	= { OP_BYTE(0, OP_MAX_BACKENDS),
			    OP_BYTE(1, OP_PROBE_COUNT) },
	[OP_HW_INFO]	= { OP_DEV(0) },
	[OP_HWPT]	= { OP_DEV(0), OP_BITS(1, 0, 1, 2),
			    OP_BITS(1, 1, 1, 2) },
	[OP_DIRTY]	= { OP_SPC(0), OP_BYTE(1, OP_MAX_CIDX),
			    OP_BYTE(2, OP_DIRTY_COUNT), OP_BYTE(3, 256),
			    OP_BYTE(4, OP_MAX_PAGES + 1) },
	[OP_KVM]	= { OP_BYTE(0, OP_KVM_COUNT) },
	[OP_DISCARD]	= { OP_BYTE(0, 2) },
	[OP_FAULT_KIND]	= { OP_BITS(0, 0, 7, OP_KIND_MASK + 1),
			    OP_BYTE(1, OP_REQ_COUNT),
			    OP_BYTE(2, OP_ERRNO_COUNT) },
	[OP_FAULT_ALLOC] = { OP_BYTE(0, OP_MAX_NTH) },
	[OP_ERRORS]	= { OP_BYTE(0, 2) },
};

static const struct op_field_desc *op_field_desc(enum op_code code,
						 unsigned int field)
{
	if ((unsigned int)code >= OP_COUNT || field >= OP_MAX_FIELDS ||
	    !op_fields[code][field].bits)
		return NULL;
	return &op_fields[code][field];
}

unsigned int op_field_count(enum op_code code)
{
	unsigned int n = 0;

	while (op_field_desc(code, n))
		n++;
	return n;
}

unsigned int op_field_range(enum op_code code, unsigned int field)
{
	const struct op_field_desc *d = op_field_desc(code, field);
	size_t nprofiles = emu_profile_count();

	if (!d)
		return 1;
	if (d->range)
		return d->range;
	return nprofiles ? (unsigned int)nprofiles : 1;
}

enum op_ref op_field_ref(enum op_code code, unsigned int field)
{
	const struct op_field_desc *d = op_field_desc(code, field);

	return d ? (enum op_ref)d->ref : OP_REF_NONE;
}

unsigned int op_field_get(const struct op *op, unsigned int field)
{
	const struct op_field_desc *d = op_field_desc(op->code, field);
	uint8_t args[OP_MAX_ARGS] = { 0 };

	if (!d)
		return 0;
	op_to_args(op, args);
	return (args[d->arg] >> d->shift) & ((1u << d->bits) - 1);
}

void op_field_set(struct op *op, unsigned int field, unsigned int value)
{
	const struct op_field_desc *d = op_field_desc(op->code, field);
	uint8_t args[OP_MAX_ARGS] = { 0 };
	unsigned int mask;

	if (!d)
		return;
	mask = ((1u << d->bits) - 1) << d->shift;
	op_to_args(op, args);
	value %= op_field_range(op->code, field);
	args[d->arg] = (uint8_t)((args[d->arg] & ~mask) | (value << d->shift));
	/* Decoding the new bytes applies the op's own rules (dirty, kinds). */
	op_from_args(op->code, args, op);
}

void op_program_decode(const uint8_t *data, size_t size,
		       struct op_program *prog)
{
	struct op_reader r = { .data = data, .size = size, .pos = 0 };

	memset(prog, 0, sizeof(*prog));
	/* A trailing opcode with missing arguments still counts: they read 0. */
	while (r.pos < r.size && prog->count < OP_MAX) {
		uint8_t args[OP_MAX_ARGS] = { 0 };
		enum op_code code = (enum op_code)(op_read_byte(&r) % OP_COUNT);
		unsigned int i;

		for (i = 0; i < op_code_nargs(code) && i < OP_MAX_ARGS; i++)
			args[i] = op_read_byte(&r);
		op_from_args(code, args, &prog->ops[prog->count++]);
	}
}

size_t op_program_encode(const struct op_program *prog, uint8_t *buf,
			 size_t cap)
{
	size_t len = 0;
	unsigned int i, j;

	for (i = 0; i < prog->count && i < OP_MAX; i++) {
		uint8_t bytes[1 + OP_MAX_ARGS];
		unsigned int n;

		bytes[0] = (uint8_t)prog->ops[i].code;
		n = 1 + op_to_args(&prog->ops[i], bytes + 1);
		for (j = 0; j < n; j++, len++)
			if (len < cap)
				buf[len] = bytes[j];
	}
	return len;
}

int op_program_append(struct op_program *prog, const struct op *op)
{
	uint8_t args[OP_MAX_ARGS] = { 0 };

	if (prog->count >= OP_MAX)
		return -ENOSPC;
	/* Round-trip through the argument bytes: that is the reduction. */
	op_to_args(op, args);
	op_from_args((enum op_code)(op->code % OP_COUNT), args,
		     &prog->ops[prog->count++]);
	return 0;
}
