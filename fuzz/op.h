/* SPDX-License-Identifier: MIT */
/*
 * The op-sequence language every fuzz harness and tool of iofd shares.
 *
 * A byte string decodes into a bounded program of operations on one
 * machine: add devices (every emulator profile, broken sysfs variants
 * included), create address spaces, attach devices (found through sysfs or
 * handed in as fds, with bad names, paths, flags and objects of another
 * context) and detach them, add and remove RAM regions, connect,
 * disconnect, close and reopen backends, call every backend verb, switch
 * and query dirty tracking, turn KVM on and off, require RAM discard, arm
 * faults by call number, by call kind or on the core's allocations, pass
 * no error object, and stop early to let the context's destroy take the
 * rest down. What each op does to libiofd is the interpreter's (oprun.h).
 *
 * One table (op.c) declares every op: its name, and each field's place in
 * the bytes, range, the object it refers to, its value names and its text
 * form. Decoding, encoding, the text printer and parser, the mutator's
 * field edits and the grammar that `fuzz_text grammar` prints (kept in
 * fuzz/GRAMMAR) all walk that table; adding an op is one table entry, an
 * enum value and a union member here, and its meaning in the interpreter.
 *
 * Binary form (every byte string is a program, so a fuzzer never wastes
 * an input on a parse error):
 *
 *   program := op*                     at most OP_MAX ops; the rest of the
 *                                      input is ignored
 *   op      := opcode arg*             opcode = byte % OP_COUNT; the op's
 *                                      table entry fixes the arg count
 *   arg     := byte                    past the end of the input: 0
 *
 * A field is bits [shift, shift + bits) of one arg byte, reduced modulo
 * its range; a field that only means something for some values of an
 * earlier field of the same op (the page range of a dirty query, the
 * request of an armed fault-kind) is 0 otherwise. A decoded program is
 * therefore canonical: encoding it gives bytes that decode to the same
 * program, and its text parses back to it.
 *
 * A page is always OP_PAGE_SIZE; the IOVA of a page is
 * op_window_base(window) + page * OP_PAGE_SIZE, where the windows put the
 * 256 pages an op can name around the places the emulated IOMMUs draw
 * lines (low: 0; msi, 4g, top39, top64: 128 pages below 0xfee00000, 4 GiB,
 * 2^39 and 2^64, so that pages 128.. are past the line). Sizes of 0 pages
 * and references to objects no op made are deliberately expressible: they
 * drive the error paths of the core.
 */
#ifndef FUZZ_OP_H
#define FUZZ_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The opcode of an op is its index here: part of the binary form. */
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
	OP_DMA,
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
	OP_KVM_ON,		/* a kvm-vfio device of the machine */
	OP_KVM_OFF,
	OP_KVM_BOGUS,		/* an fd number that is no kvm-vfio device */
	OP_KVM_COUNT,
};

enum op_discard_mode {
	OP_DISCARD_REQUIRE,
	OP_DISCARD_RELEASE,
	OP_DISCARD_COUNT,
};

enum op_errors_mode {
	OP_ERRORS_NULL,		/* core calls get a NULL iofd_error */
	OP_ERRORS_SET,
	OP_ERRORS_COUNT,
};

enum op_dma_dir {
	OP_DMA_READ,		/* the device reads the page */
	OP_DMA_WRITE,		/* the device writes it */
	OP_DMA_DIR_COUNT,
};

enum op_window {
	OP_WINDOW_LOW,
	OP_WINDOW_MSI,
	OP_WINDOW_4G,
	OP_WINDOW_TOP39,
	OP_WINDOW_TOP64,	/* pages 128.. wrap past 2^64 */
	OP_WINDOW_COUNT,
};

/* Bounds of the language; runners size their tables from these. */
#define OP_MAX		64	/* ops per program */
#define OP_MAX_DEVICES	8	/* devices per program */
#define OP_MAX_SPACES	4
#define OP_MAX_BACKENDS	2
#define OP_MAX_PAGES	16	/* pages per region or raw map */
#define OP_MAX_REGION_IDX 16
#define OP_MAX_NTH	64	/* fault: fail one of the next 1..63 calls */
#define OP_MAX_WHICH	9	/* ranges: scratch or one of 8 containers */
#define OP_MAX_CIDX	8	/* dirty: container index in a space */
#define OP_REQ_COUNT	16	/* fault-kind: requests it can single out */
#define OP_ERRNO_COUNT	17	/* errnos a fault can inject */
/*
 * fault-kind: the kinds mask covers the first OP_KIND_BITS host entries
 * (emu/filter.h), the ones the core calls; region I/O has kinds in the
 * fault plan but the core never makes it.
 */
#define OP_KIND_BITS	7
#define OP_PAGE_SIZE	4096u

/*
 * One decoded operation. Only the member of the union the op's table entry
 * names is meaningful; every value is already reduced to its range.
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
			uint8_t ro;
			uint8_t window;		/* enum op_window */
		} region_add;
		struct {
			uint8_t space;
			uint8_t idx;
		} region_del;
		struct {			/* map, unmap */
			uint8_t be;
			uint8_t page;
			uint8_t npages;
			uint8_t window;		/* enum op_window */
		} map;
		struct {			/* fault, fault-alloc */
			uint8_t nth;		/* 0 disarms */
			uint8_t err;		/* op_errno_value index */
		} fault;
		struct {
			uint8_t dev;
			uint8_t space;
			uint8_t be;
			uint8_t how;		/* enum op_how */
			uint8_t discard_ok;	/* IOFD_DEVICE_DISCARD_OK */
			uint8_t bad_flag;	/* an unknown flag bit too */
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
			uint8_t which;		/* 0 scratch, n: container n-1 */
		} ranges;
		struct {
			uint8_t be;
			uint8_t verb;		/* enum op_probe */
		} probe;
		struct {			/* hw-info (dev only), hwpt */
			uint8_t dev;
			uint8_t dirty;		/* IOMMU_HWPT_ALLOC_DIRTY_TRACKING */
			uint8_t bad_pt;		/* over an id that is no IOAS */
		} hwpt;
		struct {
			uint8_t space;
			uint8_t idx;		/* container of the space */
			uint8_t action;		/* enum op_dirty_action */
			uint8_t page;
			uint8_t npages;
		} dirty;
		struct {			/* kvm, discard, errors */
			uint8_t mode;
		} mode;
		struct {
			uint8_t dev;
			uint8_t page;
			uint8_t dir;		/* enum op_dma_dir */
			uint8_t window;		/* enum op_window */
		} dma;
		struct {
			uint8_t kinds;		/* EMU_FAULT_* bits; 0 disarms */
			uint8_t req;		/* op_req_value index */
			uint8_t err;		/* op_errno_value index */
		} fault_kind;
	};
};

struct op_program {
	unsigned int count;
	struct op ops[OP_MAX];
};

/* ------------------------------------------------------------------ */
/* The table                                                           */

/* What a field names, when it names an object an earlier op made. */
enum op_ref {
	OP_REF_NONE,
	OP_REF_DEV,		/* devN: the object of the N'th device op */
	OP_REF_SPACE,		/* spaceM: the object of the M'th space op */
};

/* How a field is written in the text form. */
enum op_text {
	OP_TEXT_NUM,		/* decimal after the prefix: "dev3", "16" */
	OP_TEXT_NAME,		/* one of the field's names */
	OP_TEXT_TAIL,		/* a name as the last positional word, left
				 * out for value 0 */
	OP_TEXT_KINDS,		/* fault kinds joined by ',' */
	OP_TEXT_FLAG,		/* the word alone when 1; after the
				 * positional words, in any order */
	OP_TEXT_KEY,		/* "key:name" unless 0; likewise */
};

/* When a field is present (else it is 0 and not written). */
enum op_when {
	OP_WHEN_ALWAYS,
	OP_WHEN_IN,		/* field `when_field` is in the `when_set` bits */
	OP_WHEN_NONZERO,	/* field `when_field` is not 0 */
};

/*
 * Value names: a fixed list, or a function for lists known at run time;
 * @where, when set, says where such a list is kept (the grammar points
 * there instead of copying a list that grows elsewhere).
 */
struct op_names {
	const char *const *list;
	const char *(*get)(unsigned int value);
	const char *where;
};

struct op_field {
	const char *name;	/* for the grammar and errors: "dev", "page" */
	uint8_t offset;		/* of its uint8_t in struct op */
	uint8_t arg;		/* its byte, 0-based after the opcode */
	uint8_t shift;		/* its bits in that byte */
	uint8_t bits;
	uint16_t range;		/* values 0 .. range-1; 0: emulator profiles */
	enum op_ref ref;
	enum op_text text;
	const char *prefix;	/* NUM: before the digits; FLAG, KEY: word */
	const struct op_names *names;	/* NAME, TAIL, KEY */
	const char *zero;	/* NUM, KINDS: the word for value 0 */
	uint8_t bias;		/* NUM: written as value - bias (zero: 0) */
	enum op_when when;
	uint8_t when_field;
	uint32_t when_set;
};

#define OP_MAX_ARGS	5
#define OP_MAX_FIELDS	8

struct op_desc {
	const char *name;
	uint8_t nargs;
	uint8_t nfields;
	const char *help;	/* one line for the grammar */
	struct op_field fields[OP_MAX_FIELDS];
};

/* The table entry of @code, or NULL out of range. */
const struct op_desc *op_desc_get(enum op_code code);
/* The number of values @f takes (the emulator's profiles for range 0). */
unsigned int op_desc_field_range(const struct op_field *f);
/* @f's value in @op, and whether the fields before it let it be present. */
unsigned int op_desc_field_value(const struct op *op,
				 const struct op_field *f);
bool op_desc_field_present(const struct op *op, const struct op_field *f);
/* Text name of an opcode ("attach"), NULL when out of range. */
const char *op_code_name(enum op_code code);
/* Number of argument bytes that follow the opcode byte. */
unsigned int op_code_nargs(enum op_code code);

/*
 * Fields, numbered 0 .. op_field_count(code) - 1 in table order, each
 * taking 0 .. op_field_range() - 1: what the mutator edits. A field may not
 * matter for every value of the others (op_when): setting it then leaves
 * the op as it was.
 */
unsigned int op_field_count(enum op_code code);
/* The number of values field @field of @code takes (at least 1). */
unsigned int op_field_range(enum op_code code, unsigned int field);
enum op_ref op_field_ref(enum op_code code, unsigned int field);
unsigned int op_field_get(const struct op *op, unsigned int field);
/* Set field @field of the canonical @op to @value % its range. */
void op_field_set(struct op *op, unsigned int field, unsigned int value);

/* ------------------------------------------------------------------ */
/* Value tables                                                        */

/* fault-kind: the request of index @idx (0: every request), 0 past. */
unsigned long op_req_value(unsigned int idx);
/* "any", "IOMMU_IOAS_MAP", ...; NULL when out of range. */
const char *op_req_name(unsigned int idx);
/* Index of the request called @name, or -ENOENT. */
int op_req_find(const char *name);

/* fault-kind: bit names of the kinds mask ("open", "read-file", ...). */
const char *op_kind_name(unsigned int bit);

/* The errnos a fault can inject, by index (EINVAL out of range). */
int op_errno_value(unsigned int idx);
/* "EINVAL", ...; NULL when @idx is out of range. */
const char *op_errno_name(unsigned int idx);
/* Index of the errno called @name, or -ENOENT. */
int op_errno_find(const char *name);

/* IOVA of page 0 of @window (OP_WINDOW_LOW when out of range). */
uint64_t op_window_base(unsigned int window);
/* IOVA of @page in @window. */
uint64_t op_page_iova(unsigned int window, unsigned int page);

/* ------------------------------------------------------------------ */
/* Binary form                                                         */

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

/* Why a text did not parse: its line (1-based) and what was wrong there. */
struct op_text_error {
	unsigned int line;
	char msg[256];
};

/*
 * Parse the text form in @text (NUL-terminated): one op per line, blank
 * lines and everything after '#' ignored. Returns 0, or -EINVAL (a line
 * does not parse) or -ENOSPC (more than OP_MAX ops) with @err filled: the
 * message names the word at fault and what was expected there.
 */
int op_program_from_text(const char *text, struct op_program *prog,
			 struct op_text_error *err);

/* Print the whole text grammar, derived from the table, to @out. */
int op_grammar_print(FILE *out);

#endif /* FUZZ_OP_H */
