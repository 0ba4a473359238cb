/* SPDX-License-Identifier: MIT */
/*
 * The op table (op.h) and the binary form it defines: a bounded reader
 * that turns any byte string into a canonical program, the encoder that
 * turns a program back into the bytes that decode to it, and the field
 * access the mutator edits through.
 *
 * The one rule every direction keeps: a field lives in the bits the table
 * gives it and is reduced modulo its range the same way, so
 * decode(encode(p)) == p for every canonical program p.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include <emu/emu.h>
#include <emu/ioctl_names.h>

#include "op.h"

/* ------------------------------------------------------------------ */
/* Value tables                                                        */

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

/* Bit n of a fault-kind mask is host entry n (emu/filter.h). */
static const char *const op_kinds[OP_KIND_BITS] = {
	"open", "close", "ioctl", "fstat", "stat", "read-file", "list-dir",
};

_Static_assert(EMU_FAULT_LIST_DIR == 1u << (OP_KIND_BITS - 1),
	       "the kinds mask ends with list_dir");

const char *op_kind_name(unsigned int bit)
{
	return bit < OP_KIND_BITS ? op_kinds[bit] : NULL;
}

/*
 * The first entries are the errnos the kernel really returns on the calls
 * the core makes; the rest are ones the core should never see but must
 * still carry through unchanged (the last has no name in libc at all).
 * EINVAL comes first because the core gives it a meaning of its own (an
 * attach refused as incompatible).
 */
static const struct {
	const char *name;
	int value;
} op_errnos[OP_ERRNO_COUNT] = {
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
	{ "E4095", 4095 },
};

int op_errno_value(unsigned int idx)
{
	return idx < OP_ERRNO_COUNT ? op_errnos[idx].value : EINVAL;
}

const char *op_errno_name(unsigned int idx)
{
	return idx < OP_ERRNO_COUNT ? op_errnos[idx].name : NULL;
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

static const uint64_t op_window_bases[OP_WINDOW_COUNT] = {
	[OP_WINDOW_LOW]		= 0,
	[OP_WINDOW_MSI]		= 0xfee00000ULL - OP_WINDOW_LEAD,
	[OP_WINDOW_4G]		= (1ULL << 32) - OP_WINDOW_LEAD,
	[OP_WINDOW_TOP39]	= (1ULL << 39) - OP_WINDOW_LEAD,
	[OP_WINDOW_TOP64]	= 0ULL - OP_WINDOW_LEAD,
};

uint64_t op_window_base(unsigned int window)
{
	return window < OP_WINDOW_COUNT ? op_window_bases[window] : 0;
}

uint64_t op_page_iova(unsigned int window, unsigned int page)
{
	return op_window_base(window) + (uint64_t)page * OP_PAGE_SIZE;
}

/* Names of the values of enumerated fields, indexed by value. */
static const char *const op_variant_names[EMU_SYSFS_VARIANT_COUNT + 1] = {
	[EMU_SYSFS_OK]		= "ok",
	[EMU_SYSFS_NO_VFIO_DEV]	= "no-vfio-dev",
	[EMU_SYSFS_GARBAGE_DEV]	= "garbage-dev",
	[EMU_SYSFS_OVERFLOW_DEV] = "overflow-dev",
	[EMU_SYSFS_WRONG_DEVT]	= "wrong-devt",
};
static const char *const op_how_names[OP_HOW_COUNT + 1] = {
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
static const char *const op_name_names[OP_NAME_COUNT + 1] = {
	"ok", "null", "empty", "long", "blank",
};
static const char *const op_mix_names[OP_MIX_COUNT + 1] = {
	"ok", "null-space", "null-be", "foreign-space", "foreign-be",
};
static const char *const op_be_names[OP_BE_COUNT + 1] = {
	"owned", "fd", "badfd",
};
static const char *const op_probe_names[OP_PROBE_COUNT + 1] = {
	"alloc-ioas", "free-id", "map", "unmap", "unmap-all", "ranges",
	"hwpt-alloc", "hw-info", "set-dirty", "get-dirty",
};
static const char *const op_dirty_names[OP_DIRTY_COUNT + 1] = {
	"on", "off", "query", "mark",
};
static const char *const op_kvm_names[OP_KVM_COUNT + 1] = {
	"on", "off", "bogus",
};
static const char *const op_discard_names[OP_DISCARD_COUNT + 1] = {
	"require", "release",
};
static const char *const op_errors_names[OP_ERRORS_COUNT + 1] = {
	"null", "set",
};
static const char *const op_window_names[OP_WINDOW_COUNT + 1] = {
	"low", "msi", "4g", "top39", "top64",
};
static const char *const op_access_names[3] = { "rw", "ro" };
static const char *const op_dma_dir_names[OP_DMA_DIR_COUNT + 1] = {
	"read", "write",
};

static const char *op_profile_name(unsigned int idx)
{
	const struct emu_profile *p = emu_profile_get(idx);

	return p ? p->name : NULL;
}

#define OP_NAMES(list) (&(const struct op_names){ list, NULL, NULL })
#define OP_NAMES_FN(fn) (&(const struct op_names){ NULL, fn, NULL })

/* ------------------------------------------------------------------ */
/* The table                                                           */

#define OP_OFF(m) ((uint8_t)offsetof(struct op, m))

/* devN, spaceM, beK: a whole byte, written with its prefix. */
#define OP_F_DEV(m, a) { .name = "dev", .offset = OP_OFF(m), .arg = a, \
	.bits = 8, .range = OP_MAX_DEVICES, .ref = OP_REF_DEV, \
	.text = OP_TEXT_NUM, .prefix = "dev" }
#define OP_F_SPACE(m, a) { .name = "space", .offset = OP_OFF(m), .arg = a, \
	.bits = 8, .range = OP_MAX_SPACES, .ref = OP_REF_SPACE, \
	.text = OP_TEXT_NUM, .prefix = "space" }
#define OP_F_BE(m, a) { .name = "be", .offset = OP_OFF(m), .arg = a, \
	.bits = 8, .range = OP_MAX_BACKENDS, .text = OP_TEXT_NUM, \
	.prefix = "be" }
/* A plain number: a whole byte. */
#define OP_F_NUM(n, m, a, r) { .name = n, .offset = OP_OFF(m), .arg = a, \
	.bits = 8, .range = r, .text = OP_TEXT_NUM }
/* A name from @list, in bits [s, s + b) of byte a. */
#define OP_F_NAME(n, m, a, s, b, r, nm) { .name = n, .offset = OP_OFF(m), \
	.arg = a, .shift = s, .bits = b, .range = r, .text = OP_TEXT_NAME, \
	.names = nm }
#define OP_F_FLAG(w, m, a, s) { .name = w, .offset = OP_OFF(m), .arg = a, \
	.shift = s, .bits = 1, .range = 2, .text = OP_TEXT_FLAG, .prefix = w }
#define OP_F_KEY(k, m, a, s, b, r, nm) { .name = k, .offset = OP_OFF(m), \
	.arg = a, .shift = s, .bits = b, .range = r, .text = OP_TEXT_KEY, \
	.prefix = k, .names = nm }
#define OP_F_WINDOW(m, a, s, b) { .name = "window", .offset = OP_OFF(m), \
	.arg = a, .shift = s, .bits = b, .range = OP_WINDOW_COUNT, \
	.text = OP_TEXT_TAIL, .names = OP_NAMES(op_window_names) }

static const struct op_desc op_table[OP_COUNT] = {
	[OP_DEVICE] = { "device", 2, 2,
		"add a device: profile and sysfs variant (devN is the N-th)", {
		{ .name = "profile", .offset = OP_OFF(device.profile),
		  .bits = 8, .range = 0, .text = OP_TEXT_NAME,
		  .names = &(const struct op_names){ NULL, op_profile_name,
			"the emulator's profiles (emu/profile.c)" } },
		OP_F_NAME("variant", device.variant, 1, 0, 8,
			  EMU_SYSFS_VARIANT_COUNT, OP_NAMES(op_variant_names)),
	} },
	[OP_SPACE] = { "space", 0, 0,
		"create an address space (spaceM is the M-th)", { { 0 } } },
	[OP_ATTACH] = { "attach", 3, 3,
		"attach devN, found through sysfs, to spaceM with beK", {
		OP_F_DEV(attach.dev, 0), OP_F_SPACE(attach.space, 1),
		OP_F_BE(attach.be, 2),
	} },
	[OP_DETACH] = { "detach", 1, 1, "detach devN", {
		OP_F_DEV(detach.dev, 0),
	} },
	[OP_REGION_ADD] = { "region-add", 4, 5,
		"add the RAM region of n pages from page to spaceM", {
		OP_F_SPACE(region_add.space, 0),
		OP_F_NUM("page", region_add.page, 1, 256),
		OP_F_NUM("n", region_add.npages, 2, OP_MAX_PAGES + 1),
		OP_F_NAME("access", region_add.ro, 3, 0, 1, 2,
			  OP_NAMES(op_access_names)),
		OP_F_WINDOW(region_add.window, 3, 1, 3),
	} },
	[OP_REGION_DEL] = { "region-del", 2, 2,
		"remove the idx-th region of spaceM (past the last: a bogus one)", {
		OP_F_SPACE(region_del.space, 0),
		OP_F_NUM("idx", region_del.idx, 1, OP_MAX_REGION_IDX),
	} },
	[OP_MAP] = { "map", 4, 4,
		"map n pages from page in beK's scratch IOAS", {
		OP_F_BE(map.be, 0), OP_F_NUM("page", map.page, 1, 256),
		OP_F_NUM("n", map.npages, 2, OP_MAX_PAGES + 1),
		OP_F_WINDOW(map.window, 3, 0, 8),
	} },
	[OP_UNMAP] = { "unmap", 4, 4,
		"unmap n pages from page in beK's scratch IOAS", {
		OP_F_BE(map.be, 0), OP_F_NUM("page", map.page, 1, 256),
		OP_F_NUM("n", map.npages, 2, OP_MAX_PAGES + 1),
		OP_F_WINDOW(map.window, 3, 0, 8),
	} },
	[OP_FAULT] = { "fault", 2, 2,
		"fail the nth host call from now with errno (0 disarms)", {
		OP_F_NUM("nth", fault.nth, 0, OP_MAX_NTH),
		OP_F_NAME("errno", fault.err, 1, 0, 8, OP_ERRNO_COUNT,
			  OP_NAMES_FN(op_errno_name)),
	} },
	[OP_ATTACH_CFG] = { "attach-cfg", 5, 8,
		"attach devN with a configuration: how the cdev is found, flags, name, objects", {
		OP_F_DEV(attach_cfg.dev, 0), OP_F_SPACE(attach_cfg.space, 1),
		OP_F_BE(attach_cfg.be, 2),
		OP_F_NAME("how", attach_cfg.how, 3, 0, 8, OP_HOW_COUNT,
			  OP_NAMES(op_how_names)),
		OP_F_FLAG("discard-ok", attach_cfg.discard_ok, 4, 0),
		OP_F_FLAG("bad-flag", attach_cfg.bad_flag, 4, 1),
		OP_F_KEY("name", attach_cfg.name, 4, 2, 3, OP_NAME_COUNT,
			 OP_NAMES(op_name_names)),
		OP_F_KEY("mix", attach_cfg.mix, 4, 5, 3, OP_MIX_COUNT,
			 OP_NAMES(op_mix_names)),
	} },
	[OP_CONNECT] = { "connect", 1, 1, "take one connection on beK", {
		OP_F_BE(be.be, 0),
	} },
	[OP_DISCONNECT] = { "disconnect", 1, 1,
		"drop one connection on beK", {
		OP_F_BE(be.be, 0),
	} },
	[OP_BACKEND] = { "backend", 2, 2,
		"destroy beK and create it again: owned, on a handed-in fd, or on fd -1", {
		OP_F_BE(backend.be, 0),
		OP_F_NAME("mode", backend.mode, 1, 0, 8, OP_BE_COUNT,
			  OP_NAMES(op_be_names)),
	} },
	[OP_UNMAP_ALL] = { "unmap-all", 1, 1,
		"unmap everything in beK's scratch IOAS", {
		OP_F_BE(be.be, 0),
	} },
	[OP_RANGES] = { "ranges", 2, 2,
		"IOVA ranges of beK's scratch IOAS, or of its container cN", {
		OP_F_BE(ranges.be, 0),
		{ .name = "which", .offset = OP_OFF(ranges.which), .arg = 1,
		  .bits = 8, .range = OP_MAX_WHICH, .text = OP_TEXT_NUM,
		  .prefix = "c", .zero = "scratch", .bias = 1 },
	} },
	[OP_PROBE] = { "probe", 2, 2,
		"one backend verb on object id 0, without connecting", {
		OP_F_BE(probe.be, 0),
		OP_F_NAME("verb", probe.verb, 1, 0, 8, OP_PROBE_COUNT,
			  OP_NAMES(op_probe_names)),
	} },
	[OP_HW_INFO] = { "hw-info", 1, 1, "GET_HW_INFO of attached devN", {
		OP_F_DEV(hwpt.dev, 0),
	} },
	[OP_HWPT] = { "hwpt", 2, 3,
		"allocate a HWPT for attached devN over the scratch IOAS, use it, free it", {
		OP_F_DEV(hwpt.dev, 0),
		OP_F_FLAG("dirty", hwpt.dirty, 1, 0),
		OP_F_FLAG("bad-pt", hwpt.bad_pt, 1, 1),
	} },
	[OP_DIRTY] = { "dirty", 5, 5,
		"dirty tracking of container idx of spaceM: on, off, query or mark pages", {
		OP_F_SPACE(dirty.space, 0),
		OP_F_NUM("idx", dirty.idx, 1, OP_MAX_CIDX),
		OP_F_NAME("action", dirty.action, 2, 0, 8, OP_DIRTY_COUNT,
			  OP_NAMES(op_dirty_names)),
		{ .name = "page", .offset = OP_OFF(dirty.page), .arg = 3,
		  .bits = 8, .range = 256, .text = OP_TEXT_NUM,
		  .when = OP_WHEN_IN, .when_field = 2,
		  .when_set = 1u << OP_DIRTY_QUERY | 1u << OP_DIRTY_MARK },
		{ .name = "n", .offset = OP_OFF(dirty.npages), .arg = 4,
		  .bits = 8, .range = OP_MAX_PAGES + 1, .text = OP_TEXT_NUM,
		  .when = OP_WHEN_IN, .when_field = 2,
		  .when_set = 1u << OP_DIRTY_QUERY | 1u << OP_DIRTY_MARK },
	} },
	[OP_KVM] = { "kvm", 1, 1, "hand the context a kvm-vfio fd, none, or a bogus one", {
		OP_F_NAME("mode", mode.mode, 0, 0, 8, OP_KVM_COUNT,
			  OP_NAMES(op_kvm_names)),
	} },
	[OP_DISCARD] = { "discard", 1, 1, "require RAM discard, or release it", {
		OP_F_NAME("mode", mode.mode, 0, 0, 8, OP_DISCARD_COUNT,
			  OP_NAMES(op_discard_names)),
	} },
	[OP_FAULT_KIND] = { "fault-kind", 3, 3,
		"fail every host call of these kinds (ioctls: of this request) with errno; off disarms", {
		{ .name = "kinds", .offset = OP_OFF(fault_kind.kinds),
		  .bits = OP_KIND_BITS, .range = 1u << OP_KIND_BITS,
		  .text = OP_TEXT_KINDS, .zero = "off" },
		{ .name = "request", .offset = OP_OFF(fault_kind.req),
		  .arg = 1, .bits = 8, .range = OP_REQ_COUNT,
		  .text = OP_TEXT_NAME, .names = OP_NAMES_FN(op_req_name),
		  .when = OP_WHEN_NONZERO, .when_field = 0 },
		{ .name = "errno", .offset = OP_OFF(fault_kind.err), .arg = 2,
		  .bits = 8, .range = OP_ERRNO_COUNT, .text = OP_TEXT_NAME,
		  .names = OP_NAMES_FN(op_errno_name),
		  .when = OP_WHEN_NONZERO, .when_field = 0 },
	} },
	[OP_FAULT_ALLOC] = { "fault-alloc", 1, 1,
		"fail the core's nth memory allocation from now (0 disarms)", {
		OP_F_NUM("nth", fault.nth, 0, OP_MAX_NTH),
	} },
	[OP_ERRORS] = { "errors", 1, 1,
		"core calls get a NULL error object from now, or a real one", {
		OP_F_NAME("mode", mode.mode, 0, 0, 8, OP_ERRORS_COUNT,
			  OP_NAMES(op_errors_names)),
	} },
	[OP_LEAVE] = { "leave", 0, 0,
		"stop: iofd_ctx_destroy alone takes down the rest", { { 0 } } },
	[OP_DMA] = { "dma", 3, 4,
		"devN reads or writes the page at IOVA page by DMA (emulator only)", {
		OP_F_DEV(dma.dev, 0), OP_F_NUM("page", dma.page, 1, 256),
		OP_F_NAME("dir", dma.dir, 2, 0, 1, OP_DMA_DIR_COUNT,
			  OP_NAMES(op_dma_dir_names)),
		OP_F_WINDOW(dma.window, 2, 1, 3),
	} },
};

const struct op_desc *op_desc_get(enum op_code code)
{
	return (unsigned int)code < OP_COUNT ? &op_table[code] : NULL;
}

const char *op_code_name(enum op_code code)
{
	const struct op_desc *d = op_desc_get(code);

	return d ? d->name : NULL;
}

unsigned int op_code_nargs(enum op_code code)
{
	const struct op_desc *d = op_desc_get(code);

	return d ? d->nargs : 0;
}

/* ------------------------------------------------------------------ */
/* Fields                                                              */

static const struct op_field *op_field_desc(enum op_code code,
					    unsigned int field)
{
	const struct op_desc *d = op_desc_get(code);

	return d && field < d->nfields ? &d->fields[field] : NULL;
}

unsigned int op_desc_field_range(const struct op_field *f)
{
	size_t nprofiles;

	if (f->range)
		return f->range;
	nprofiles = emu_profile_count();
	return nprofiles ? (unsigned int)nprofiles : 1;
}

static uint8_t *op_slot(struct op *op, const struct op_field *f)
{
	return (uint8_t *)op + f->offset;
}

unsigned int op_desc_field_value(const struct op *op,
				 const struct op_field *f)
{
	return *((const uint8_t *)op + f->offset);
}

bool op_desc_field_present(const struct op *op, const struct op_field *f)
{
	const struct op_desc *d = &op_table[op->code];
	unsigned int v;

	if (f->when == OP_WHEN_ALWAYS)
		return true;
	v = op_desc_field_value(op, &d->fields[f->when_field]);
	if (f->when == OP_WHEN_NONZERO)
		return v != 0;
	return v < 32 && (f->when_set & (1u << v));
}

/*
 * Reduce the raw argument bytes @a of an op with opcode @code into @op, in
 * table order (a field's presence depends on the fields before it).
 */
static void op_from_args(enum op_code code, const uint8_t *a, struct op *op)
{
	const struct op_desc *d = &op_table[code];
	unsigned int i;

	memset(op, 0, sizeof(*op));
	op->code = code;
	for (i = 0; i < d->nfields; i++) {
		const struct op_field *f = &d->fields[i];
		unsigned int raw = (a[f->arg] >> f->shift) &
				   ((1u << f->bits) - 1);

		if (f->when != OP_WHEN_ALWAYS && !op_desc_field_present(op, f))
			continue;
		/* A whole power-of-two range needs no reduction. */
		if (f->range != 1u << f->bits)
			raw %= op_desc_field_range(f);
		*op_slot(op, f) = (uint8_t)raw;
	}
}

/* The inverse of op_from_args for a canonical @op; returns the arg count. */
static unsigned int op_to_args(const struct op *op, uint8_t *a)
{
	const struct op_desc *d = &op_table[op->code];
	unsigned int i;

	memset(a, 0, OP_MAX_ARGS);
	for (i = 0; i < d->nfields; i++) {
		const struct op_field *f = &d->fields[i];

		a[f->arg] |= (uint8_t)((op_desc_field_value(op, f) &
					((1u << f->bits) - 1)) << f->shift);
	}
	return d->nargs;
}

unsigned int op_field_count(enum op_code code)
{
	const struct op_desc *d = op_desc_get(code);

	return d ? d->nfields : 0;
}

unsigned int op_field_range(enum op_code code, unsigned int field)
{
	const struct op_field *f = op_field_desc(code, field);

	return f ? op_desc_field_range(f) : 1;
}

enum op_ref op_field_ref(enum op_code code, unsigned int field)
{
	const struct op_field *f = op_field_desc(code, field);

	return f ? f->ref : OP_REF_NONE;
}

unsigned int op_field_get(const struct op *op, unsigned int field)
{
	const struct op_field *f = op_field_desc(op->code, field);

	return f ? op_desc_field_value(op, f) : 0;
}

void op_field_set(struct op *op, unsigned int field, unsigned int value)
{
	const struct op_field *f = op_field_desc(op->code, field);
	uint8_t args[OP_MAX_ARGS];
	unsigned int mask;

	if (!f)
		return;
	mask = ((1u << f->bits) - 1) << f->shift;
	op_to_args(op, args);
	value %= op_desc_field_range(f);
	args[f->arg] = (uint8_t)((args[f->arg] & ~mask) | (value << f->shift));
	/* Decoding the new bytes applies the op's presence rules. */
	op_from_args(op->code, args, op);
}

/* ------------------------------------------------------------------ */
/* Binary form                                                         */

void op_program_decode(const uint8_t *data, size_t size,
		       struct op_program *prog)
{
	size_t pos = 0;

	prog->count = 0;
	/* A trailing opcode with missing arguments still counts: they read 0. */
	while (pos < size && prog->count < OP_MAX) {
		uint8_t args[OP_MAX_ARGS] = { 0 };
		enum op_code code = (enum op_code)(data[pos++] % OP_COUNT);
		unsigned int i;

		for (i = 0; i < op_table[code].nargs && pos < size; i++)
			args[i] = data[pos++];
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
	struct op in = *op;
	uint8_t args[OP_MAX_ARGS];

	if (prog->count >= OP_MAX)
		return -ENOSPC;
	in.code = (enum op_code)((unsigned int)in.code % OP_COUNT);
	/* Round-trip through the argument bytes: that is the reduction. */
	op_to_args(&in, args);
	op_from_args(in.code, args, &prog->ops[prog->count++]);
	return 0;
}
