/* SPDX-License-Identifier: MIT */
/*
 * The op-sequence language every fuzz harness and tool of iofd shares.
 *
 * A byte string decodes into a bounded program of operations on one
 * emulated machine: add emulated devices, create address spaces, attach and
 * detach devices, add and remove RAM regions, map and unmap raw IOVA on a
 * scratch IOAS, arm a fault. Every byte string is a valid program, so a
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
 *                                               bits 1-2 window
 *   5       region-del spaceM <idx>             M % 4, idx % 16
 *   6       map beK <page> <n> [<window>]       K % 2, page, n % 17, window % 4
 *   7       unmap beK <page> <n> [<window>]     K % 2, page, n % 17, window % 4
 *   8       fault <nth> <errno>                 nth % 64, errno % OP_ERRNO_COUNT
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
	OP_COUNT,
};

/* Bounds of the language; the harness sizes its tables from these. */
#define OP_MAX		64	/* ops per program */
#define OP_MAX_DEVICES	8	/* emulated devices per program */
#define OP_MAX_SPACES	4
#define OP_MAX_BACKENDS	2
#define OP_MAX_PAGES	16	/* pages per region or raw map */
#define OP_MAX_REGION_IDX 16
#define OP_MAX_NTH	64	/* fault: fail one of the next 1..63 calls */
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
	};
};

enum op_window {
	OP_WINDOW_LOW,
	OP_WINDOW_MSI,
	OP_WINDOW_4G,
	OP_WINDOW_TOP39,
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
#define OP_ERRNO_COUNT 16
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
