/* SPDX-License-Identifier: MIT */
/*
 * The op-sequence language every fuzz harness and tool of iofd shares.
 *
 * A byte string decodes into a bounded program of operations on one
 * emulated machine: add emulated devices (every profile, broken sysfs
 * variants included), create address spaces, attach devices (found through
 * sysfs or handed in as fds, with or without DISCARD_OK, with bad names,
 * paths, flags and objects of another context) and detach them, add and
 * remove RAM regions, connect, disconnect, close and reopen backends (owned
 * or on a handed-in iommufd), call every backend verb (map, unmap,
 * unmap-all, IOVA ranges, HWPT alloc, hw info, dirty tracking), switch and
 * query a container's dirty tracking, turn KVM on and off, require RAM
 * discard, arm faults by call number, by call kind or on the core's
 * allocations, pass no error object, and stop early to let the context's
 * destroy take the rest down. Every byte string is a valid program, so a
 * fuzzer never wastes an input on a parse error, and a person can read and
 * write the same program as text (optext.c, the fuzz_text tool).
 *
 * Binary grammar (one op after the other, until the input ends or OP_MAX
 * ops have been decoded; the rest of the input is ignored):
 *
 *   op         := opcode arg*              (the opcode fixes the arg count)
 *   opcode     := byte % OP_COUNT
 *   arg        := byte                     (past the end of the input: 0)
 *
 *   opcode  text form                           args (each one byte)
 *   0       device <profile> <variant>          profile % emu_profile_count(),
 *                                               variant % EMU_SYSFS_VARIANT_COUNT
 *   1       space                               -
 *   2       attach devN spaceM beK              N % 8, M % 4, K % 2
 *   3       detach devN                         N % 8
 *   4       region-add spaceM <page> <n> rw|ro [<window>]
 *                                               M % 4, page, n % 17,
 *                                               flags: bit 0 ro,
 *                                               bits 1-3 window % 5
 *   5       region-del spaceM <idx>             M % 4, idx % 16
 *   6       map beK <page> <n> [<window>]       K % 2, page, n % 17, window % 5
 *   7       unmap beK <page> <n> [<window>]     K % 2, page, n % 17, window % 5
 *   8       fault <nth> <errno>                 nth % 64, errno % OP_ERRNO_COUNT
 *   9       attach-cfg devN spaceM beK <how> [discard-ok] [bad-flag]
 *                      [name:<kind>] [mix:<kind>]
 *                                               N % 8, M % 4, K % 2,
 *                                               how % OP_HOW_COUNT,
 *                                               opts: bit 0 discard-ok,
 *                                               bit 1 bad-flag, bits 2-4
 *                                               name % OP_NAME_COUNT, bits
 *                                               5-7 mix % OP_MIX_COUNT
 *   10      connect beK                         K % 2
 *   11      disconnect beK                      K % 2
 *   12      backend beK owned|fd|badfd          K % 2, mode % OP_BE_COUNT
 *   13      unmap-all beK                       K % 2
 *   14      ranges beK <which>                  K % 2, which % 9 (0: the
 *                                               scratch IOAS, 1..8: the
 *                                               which-1'th container of beK)
 *   15      probe beK <verb>                    K % 2, verb % OP_PROBE_COUNT
 *   16      hw-info devN                        N % 8
 *   17      hwpt devN [dirty] [bad-pt]          N % 8, flags % 4 (bit 0
 *                                               dirty, bit 1 bad-pt)
 *   18      dirty spaceM <idx> on|off|query|mark [<page> <n>]
 *                                               M % 4, idx % 8,
 *                                               action % OP_DIRTY_COUNT,
 *                                               page, n % 17 (page and n
 *                                               are 0 for on and off)
 *   19      kvm on|off|bogus                    mode % OP_KVM_COUNT
 *   20      discard require|release             mode % 2
 *   21      fault-kind <kinds> <request> <errno>
 *                                               kinds % 128 (EMU_FAULT_*
 *                                               bits, 0 disarms),
 *                                               request % OP_REQ_COUNT,
 *                                               errno % OP_ERRNO_COUNT
 *                                               (kinds 0: request and
 *                                               errno are 0)
 *   22      fault-alloc <nth>                   nth % 64: fail the core's
 *                                               nth memory allocation from
 *                                               now (0 disarms)
 *   23      errors null|set                     mode % 2: core calls get a
 *                                               NULL iofd_error from now
 *                                               (null) or a real one (set)
 *   24      leave                               -: stop here; the teardown
 *                                               is iofd_ctx_destroy alone
 *
 * Ops 9 and up were added after the first corpus; the bytes of a program
 * that uses only ops 0-8 decode as they always did (canonical opcodes and
 * arguments are below every modulus).
 *
 * Decoding reduces every argument to its range, so a decoded program is in
 * canonical form: encoding it and decoding the bytes again gives the same
 * program (op_program_encode produces exactly the bytes the text tool
 * writes). What an op means when it runs (which device devN is, which
 * memory backs a page, what "skip" means) is the harness's business and is
 * documented in harness.c. A page is always 4 KiB; the IOVA of a page is
 * op_window_base(window) + page * 4096, where the windows put the 256 pages
 * an op can name around the places where the emulated IOMMUs draw lines:
 *
 *   low    0                    (omitted in text)
 *   msi    0xfee00000 - 512 KiB  pages 128.. are the x86 MSI window
 *   4g     4 GiB - 512 KiB       pages 128.. are past a 32-bit aperture
 *   top39  2^39 - 512 KiB        pages 128.. are past a 39-bit aperture
 *   top64  2^64 - 512 KiB        pages 128.. wrap around (EOVERFLOW)
 *
 * Sizes of 0 pages and out-of-range references are deliberately expressible:
 * they drive the error paths of the core.
 */
#ifndef FUZZ_OP_H
#define FUZZ_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum op_code {
	OP_DEVICE,
	OP_SPACE,
	OP_ATTACH,
	OP_DETACH,
	OP_REGION_ADD,
	OP_REGION_DEL,
	OP_MAP,
	OP_UNMAP,
	OP_FAULT,
	OP_ATTACH_CFG,
	OP_CONNECT,
	OP_DISCONNECT,
	OP_BACKEND,
	OP_UNMAP_ALL,
	OP_RANGES,
	OP_PROBE,
	OP_HW_INFO,
	OP_HWPT,
	OP_DIRTY,
	OP_KVM,
	OP_DISCARD,
	OP_FAULT_KIND,
	OP_FAULT_ALLOC,
	OP_ERRORS,
	OP_LEAVE,
	OP_COUNT,
};

/* attach-cfg: how the device's cdev reaches the core. */
enum op_how {
	OP_HOW_SYSFS,		/* sysfs path, no fd (as attach) */
	OP_HOW_FD,		/* a cdev fd handed in, no sysfs path */
	OP_HOW_FD_SYSFS,	/* fd and sysfs path: the core checks the devt */
	OP_HOW_WRONG_FD,	/* another node's fd with this sysfs path */
	OP_HOW_BAD_FD,		/* an fd number that is not open, no path */
	OP_HOW_NOTHING,		/* neither a sysfs path nor an fd */
	OP_HOW_PATH_REL,	/* the sysfs path made relative */
	OP_HOW_PATH_DOT,	/* ... with a "." component */
	OP_HOW_PATH_DOTDOT,	/* ... with a ".." component */
	OP_HOW_PATH_LONG,	/* ... longer than any path built from it fits */
	OP_HOW_PATH_WIDE,	/* a valid 1000-byte path to nothing */
	OP_HOW_COUNT,
};

/* attach-cfg: the name the device is given. */
enum op_name {
	OP_NAME_OK,		/* "devN" */
	OP_NAME_NULL,
	OP_NAME_EMPTY,
	OP_NAME_LONG,		/* IOFD_DEVICE_NAME_MAX printable chars */
	OP_NAME_BLANK,		/* "dev N": not printable throughout */
	OP_NAME_COUNT,
};

/* attach-cfg: where the space and backend passed come from. */
enum op_mix {
	OP_MIX_OK,
	OP_MIX_NULL_SPACE,
	OP_MIX_NULL_BE,
	OP_MIX_FOREIGN_SPACE,	/* a space of another context */
	OP_MIX_FOREIGN_BE,	/* a backend of another context */
	OP_MIX_COUNT,
};

/* backend: what beK is recreated as. */
enum op_be_mode {
	OP_BE_OWNED,		/* iofd_backend_create: opens /dev/iommu */
	OP_BE_FD,		/* iofd_backend_create_fd on a handed-in fd */
	OP_BE_BADFD,		/* iofd_backend_create_fd(-1): must fail */
	OP_BE_COUNT,
};

/* probe: one backend verb on object id 0 (no such object). */
enum op_probe {
	OP_PROBE_ALLOC_IOAS,	/* allocated, then freed at once */
	OP_PROBE_FREE_ID,
	OP_PROBE_MAP,
	OP_PROBE_UNMAP,
	OP_PROBE_UNMAP_ALL,
	OP_PROBE_RANGES,
	OP_PROBE_HWPT_ALLOC,
	OP_PROBE_HW_INFO,
	OP_PROBE_SET_DIRTY,
	OP_PROBE_GET_DIRTY,
	OP_PROBE_COUNT,
};

enum op_dirty_action {
	OP_DIRTY_ON,
	OP_DIRTY_OFF,
	OP_DIRTY_QUERY,
	OP_DIRTY_MARK,		/* the emulated device writes: dirty pages */
	OP_DIRTY_COUNT,
};

enum op_kvm_mode {
	OP_KVM_ON,		/* a real kvm-vfio device of the emulator */
	OP_KVM_OFF,
	OP_KVM_BOGUS,		/* an fd number that is no kvm-vfio device */
	OP_KVM_COUNT,
};

/* fault-kind: which ioctl request an ioctl fault is limited to. */
#define OP_REQ_COUNT 16
/* The request number of index @idx (0: every request), 0 out of range. */
unsigned long op_req_value(unsigned int idx);
/* "any", "IOMMU_IOAS_MAP", ...; NULL when out of range. */
const char *op_req_name(unsigned int idx);
/* Index of the request called @name, or -ENOENT. */
int op_req_find(const char *name);

/* fault-kind: bit names of the kinds mask ("open", "close", ...). */
#define OP_KIND_BITS 7
const char *op_kind_name(unsigned int bit);

/* Bounds of the language; the harness sizes its tables from these. */
#define OP_MAX		64	/* ops per program */
#define OP_MAX_DEVICES	8	/* emulated devices per program */
#define OP_MAX_SPACES	4
#define OP_MAX_BACKENDS	2
#define OP_MAX_PAGES	16	/* pages per region or raw map */
#define OP_MAX_REGION_IDX 16
#define OP_MAX_NTH	64	/* fault: fail one of the next 1..63 calls */
#define OP_MAX_WHICH	9	/* ranges: scratch or one of 8 containers */
#define OP_MAX_CIDX	8	/* dirty: container index in a space */
#define OP_KIND_MASK	127u	/* fault-kind: the EMU_FAULT_* bits */
#define OP_PAGE_SIZE	4096u

/*
 * One decoded operation. Only the member of the union named after the
 * opcode is meaningful; every value is already reduced to its range.
 */
struct op {
	enum op_code code;
	union {
		struct {
			uint8_t profile;	/* index into emu_profile_get */
			uint8_t variant;	/* enum emu_sysfs_variant */
		} device;
		struct {
			uint8_t dev;
			uint8_t space;
			uint8_t be;
		} attach;
		struct {
			uint8_t dev;
		} detach;
		struct {
			uint8_t space;
			uint8_t page;
			uint8_t npages;
			bool ro;
			uint8_t window;		/* enum op_window */
		} region_add;
		struct {
			uint8_t space;
			uint8_t idx;
		} region_del;
		struct {			/* OP_MAP and OP_UNMAP */
			uint8_t be;
			uint8_t page;
			uint8_t npages;
			uint8_t window;		/* enum op_window */
		} map;
		struct {
			uint8_t nth;		/* 0 disarms */
			uint8_t err;		/* index into op_errno_table */
		} fault;
		struct {
			uint8_t dev;
			uint8_t space;
			uint8_t be;
			uint8_t how;		/* enum op_how */
			bool discard_ok;	/* IOFD_DEVICE_DISCARD_OK */
			bool bad_flag;		/* an unknown flag bit too */
			uint8_t name;		/* enum op_name */
			uint8_t mix;		/* enum op_mix */
		} attach_cfg;
		struct {			/* connect, disconnect, unmap-all */
			uint8_t be;
		} be;
		struct {
			uint8_t be;
			uint8_t mode;		/* enum op_be_mode */
		} backend;
		struct {
			uint8_t be;
			uint8_t which;
		} ranges;
		struct {
			uint8_t be;
			uint8_t verb;		/* enum op_probe */
		} probe;
		struct {			/* hw-info (flags 0), hwpt */
			uint8_t dev;
			bool dirty;		/* IOMMU_HWPT_ALLOC_DIRTY_TRACKING */
			bool bad_pt;		/* over an id that is no IOAS */
		} hwpt;
		struct {
			uint8_t space;
			uint8_t idx;		/* container of the space */
			uint8_t action;		/* enum op_dirty_action */
			uint8_t page;
			uint8_t npages;
		} dirty;
		struct {			/* kvm, discard */
			uint8_t mode;
		} mode;
		struct {
			uint8_t kinds;		/* EMU_FAULT_* bits; 0 disarms */
			uint8_t req;		/* index: op_req_value */
			uint8_t err;		/* index into op_errno_table */
		} fault_kind;
	};
};

enum op_window {
	OP_WINDOW_LOW,
	OP_WINDOW_MSI,
	OP_WINDOW_4G,
	OP_WINDOW_TOP39,
	OP_WINDOW_TOP64,	/* pages 128.. wrap past 2^64 */
	OP_WINDOW_COUNT,
};

/* IOVA of page 0 of @window (OP_WINDOW_LOW when out of range). */
uint64_t op_window_base(unsigned int window);
/* "low", "msi", ...; NULL when out of range. */
const char *op_window_name(unsigned int window);
/* IOVA of @page in @window. */
uint64_t op_page_iova(unsigned int window, unsigned int page);

struct op_program {
	unsigned int count;
	struct op ops[OP_MAX];
};

/* The errnos a fault op can inject, by index. */
#define OP_ERRNO_COUNT 17
int op_errno_value(unsigned int idx);
/* "EINVAL", ...; NULL when @idx is out of range. */
const char *op_errno_name(unsigned int idx);
/* Index of the errno called @name, or -ENOENT. */
int op_errno_find(const char *name);

/* Text name of an opcode ("attach"), NULL when out of range. */
const char *op_code_name(enum op_code code);
/* Number of argument bytes that follow the opcode byte. */
unsigned int op_code_nargs(enum op_code code);

/*
 * Decode @size bytes at @data into @prog. Never fails: every input is a
 * program (possibly empty).
 */
void op_program_decode(const uint8_t *data, size_t size,
		       struct op_program *prog);

/*
 * Write the canonical bytes of @prog to @buf. Returns the number of bytes
 * the program needs (which may exceed @cap; then only @cap are written).
 */
size_t op_program_encode(const struct op_program *prog, uint8_t *buf,
			 size_t cap);

/*
 * Append @op to @prog: 0, or -ENOSPC when @prog already holds OP_MAX ops.
 * Values out of range are reduced as decoding would.
 */
int op_program_append(struct op_program *prog, const struct op *op);

/*
 * Fields: the values an op carries, numbered 0 .. op_field_count(code) - 1
 * in the order of their bytes, each taking 0 .. op_field_range() - 1. They
 * let a mutator change one value of an op and keep it canonical without
 * knowing the op's layout. A field may not matter for every value of the
 * others (dirty's page without query or mark, fault-kind's errno with no
 * kinds): setting it then leaves the op as it was.
 */
enum op_ref {
	OP_REF_NONE,
	OP_REF_DEV,		/* devN: the object of the N'th device op */
	OP_REF_SPACE,		/* spaceM: the object of the M'th space op */
};

unsigned int op_field_count(enum op_code code);
/* The number of values field @field of @code takes (at least 1). */
unsigned int op_field_range(enum op_code code, unsigned int field);
/* What the field names, when it names an object an earlier op made. */
enum op_ref op_field_ref(enum op_code code, unsigned int field);
unsigned int op_field_get(const struct op *op, unsigned int field);
/* Set field @field of the canonical @op to @value % its range. */
void op_field_set(struct op *op, unsigned int field, unsigned int value);

/* ------------------------------------------------------------------ */
/* Text form (optext.c)                                                */

/*
 * Format one op as its text line (no newline) into @buf, @cap bytes.
 * Returns the length the line needs, as snprintf does.
 */
int op_to_text(const struct op *op, char *buf, size_t cap);

/*
 * Write @prog to @out, one op per line; with @numbered, each line ends in a
 * comment with its op index ("# op 3"), so the output still parses.
 * Returns 0 or -EIO.
 */
int op_program_to_text(const struct op_program *prog, FILE *out,
		       bool numbered);

/*
 * Parse the text form in @text (NUL-terminated): one op per line, blank
 * lines and everything after '#' ignored. Returns 0, or -EINVAL with
 * *@bad_line set to the 1-based number of the first bad line, or -ENOSPC
 * when there are more than OP_MAX ops (*@bad_line the first one too many).
 */
int op_program_from_text(const char *text, struct op_program *prog,
			 unsigned int *bad_line);

#endif /* FUZZ_OP_H */
