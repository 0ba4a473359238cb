// SPDX-License-Identifier: MIT
/*
 * The op-level mutator (mutator.h). It works on decoded programs, never on
 * bytes: an edit changes whole ops or one field of one op through op.h's
 * field table, so every value it writes is in range, and the output is
 * op_program_encode of the result. When the result does not fit the size
 * limit, ops are dropped from its end, never cut: the output then decodes
 * to exactly the program it encodes, and its text form encodes back to the
 * same bytes.
 *
 * An edit that leaves the program as it was (a field no value of the
 * others lets matter, a swap of two equal ops) or that does not fit is
 * drawn again, a few times, so a call almost always changes the program.
 *
 * Object references are steered: a devN or spaceM an edit writes names,
 * most of the time, an object an earlier op made, or the next one to be
 * made. Drawn uniformly, most would name a slot no op fills, and the op
 * would only be skipped.
 */
#include <stdbool.h>
#include <string.h>

#include "mutator.h"
#include "op.h"

/* One call in this many goes to the byte-level fallback, when there is one. */
#define FUZZ_BYTES_ONE_IN	2
/* Draws of an edit before giving up on changing the program. */
#define FUZZ_TRIES		8
/* Edits stacked in one call, at most (one, most of the time). */
#define FUZZ_EDITS_MAX		3
/* The longest run of ops a delete or a crossover splice takes. */
#define FUZZ_RUN_MAX		8

struct fuzz_rng {
	uint32_t state;		/* xorshift32: never 0 */
};

static void fuzz_rng_init(struct fuzz_rng *r, unsigned int seed)
{
	uint32_t s = (uint32_t)seed * 2654435761u + 0x9e3779b9u;

	r->state = s ? s : 1;
}

static uint32_t fuzz_rand(struct fuzz_rng *r)
{
	uint32_t x = r->state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	r->state = x;
	return x;
}

/* A number in [0, @n), 0 when @n is 0. */
static unsigned int fuzz_below(struct fuzz_rng *r, unsigned int n)
{
	return n ? fuzz_rand(r) % n : 0;
}

static unsigned int fuzz_min(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

/* How many of @p's first ops fit in @max bytes. */
static unsigned int fuzz_fitting(const struct op_program *p, size_t max)
{
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < p->count; i++) {
		len += 1 + op_code_nargs(p->ops[i].code);
		if (len > max)
			break;
	}
	return i;
}

/* Ops are compared whole: decoding and op_field_set zero an op first. */
static bool fuzz_program_equal(const struct op_program *a,
			       const struct op_program *b)
{
	return a->count == b->count &&
	       memcmp(a->ops, b->ops, a->count * sizeof(a->ops[0])) == 0;
}

/* Insert @op before op @at (<= count); a full program loses its last op. */
static void fuzz_insert(struct op_program *p, unsigned int at,
			const struct op *op)
{
	if (p->count == OP_MAX)
		p->count--;
	if (at > p->count)
		at = p->count;
	memmove(&p->ops[at + 1], &p->ops[at],
		(p->count - at) * sizeof(p->ops[0]));
	p->ops[at] = *op;
	p->count++;
}

/* Delete @n ops from op @at (@at + @n <= count). */
static void fuzz_delete(struct op_program *p, unsigned int at, unsigned int n)
{
	memmove(&p->ops[at], &p->ops[at + n],
		(p->count - at - n) * sizeof(p->ops[0]));
	p->count -= n;
}

/* Append ops [@from, @to) of @src to @dst, as many as OP_MAX lets in. */
static void fuzz_append(struct op_program *dst, const struct op_program *src,
			unsigned int from, unsigned int to)
{
	for (; from < to && dst->count < OP_MAX; from++)
		dst->ops[dst->count++] = src->ops[from];
}

/* How many objects of kind @ref the ops before op @pos of @p make. */
static unsigned int fuzz_live(const struct op_program *p, unsigned int pos,
			      enum op_ref ref)
{
	enum op_code maker = ref == OP_REF_DEV ? OP_DEVICE : OP_SPACE;
	unsigned int i, n = 0;

	for (i = 0; i < pos && i < p->count; i++)
		n += p->ops[i].code == maker;
	return n;
}

/* A new value for field @f of @op, which stands (or will) at @pos of @p. */
static unsigned int fuzz_field_value(struct fuzz_rng *r,
				     const struct op_program *p,
				     unsigned int pos, const struct op *op,
				     unsigned int f)
{
	unsigned int range = op_field_range(op->code, f);
	unsigned int old = op_field_get(op, f);
	enum op_ref ref = op_field_ref(op->code, f);

	if (ref != OP_REF_NONE && fuzz_below(r, 4))
		return fuzz_below(r, fuzz_min(fuzz_live(p, pos, ref) + 1,
					      range));
	/* op_field_set reduces every value below modulo the range. */
	switch (fuzz_below(r, 5)) {
	case 0:
		return old + 1;
	case 1:
		return old + range - 1;
	case 2:
		/*
		 * The ends and the middle of the range: a window's line runs
		 * between pages 127 and 128, 8 of 16 pages is half a region.
		 */
		switch (fuzz_below(r, 3)) {
		case 0:
			return 0;
		case 1:
			return range - 1;
		default:
			return range / 2 - fuzz_below(r, 2);
		}
	case 3:
		return old ^ (1u << fuzz_below(r, 8));
	default:
		return fuzz_rand(r);
	}
}

/* A random op, with every field drawn, for position @pos of @p. */
static void fuzz_random_op(struct fuzz_rng *r, const struct op_program *p,
			   unsigned int pos, struct op *op)
{
	unsigned int f;

	memset(op, 0, sizeof(*op));
	op->code = (enum op_code)fuzz_below(r, OP_COUNT);
	/* In byte order: a field that depends on an earlier one comes later. */
	for (f = 0; f < op_field_count(op->code); f++)
		op_field_set(op, f, fuzz_field_value(r, p, pos, op, f));
}

enum fuzz_edit {
	FUZZ_EDIT_INSERT,
	FUZZ_EDIT_DELETE,
	FUZZ_EDIT_DUPLICATE,
	FUZZ_EDIT_MOVE,
	FUZZ_EDIT_SWAP,
	FUZZ_EDIT_REPLACE,
	FUZZ_EDIT_FIELD,
	FUZZ_EDIT_COUNT,
};

/* How often each edit is drawn, out of their sum. */
static const unsigned int fuzz_edit_weight[FUZZ_EDIT_COUNT] = {
	[FUZZ_EDIT_INSERT]	= 3,
	[FUZZ_EDIT_DELETE]	= 2,
	[FUZZ_EDIT_DUPLICATE]	= 1,
	[FUZZ_EDIT_MOVE]	= 1,
	[FUZZ_EDIT_SWAP]	= 1,
	[FUZZ_EDIT_REPLACE]	= 1,
	[FUZZ_EDIT_FIELD]	= 5,
};

static enum fuzz_edit fuzz_edit_pick(struct fuzz_rng *r)
{
	unsigned int total = 0, x, e;

	for (e = 0; e < FUZZ_EDIT_COUNT; e++)
		total += fuzz_edit_weight[e];
	x = fuzz_below(r, total);
	for (e = 0; x >= fuzz_edit_weight[e]; e++)
		x -= fuzz_edit_weight[e];
	return (enum fuzz_edit)e;
}

/* Apply edit @e to @p; an edit that needs ops @p lacks does nothing. */
static void fuzz_edit_apply(struct fuzz_rng *r, struct op_program *p,
			    enum fuzz_edit e)
{
	unsigned int n = p->count, k = fuzz_below(r, n);
	unsigned int j = fuzz_below(r, n + 1), f;
	struct op op;

	if (!n && e != FUZZ_EDIT_INSERT)
		return;
	switch (e) {
	case FUZZ_EDIT_INSERT:
		fuzz_random_op(r, p, j, &op);
		fuzz_insert(p, j, &op);
		break;
	case FUZZ_EDIT_DELETE:
		/* Mostly one op; sometimes a run, as erasing bytes would. */
		fuzz_delete(p, k, fuzz_below(r, 4) ? 1 :
			    1 + fuzz_below(r, fuzz_min(n - k, FUZZ_RUN_MAX)));
		break;
	case FUZZ_EDIT_DUPLICATE:
		op = p->ops[k];
		fuzz_insert(p, j, &op);
		break;
	case FUZZ_EDIT_MOVE:
		op = p->ops[k];
		fuzz_delete(p, k, 1);
		fuzz_insert(p, fuzz_below(r, n), &op);
		break;
	case FUZZ_EDIT_SWAP:
		j = fuzz_below(r, n);
		op = p->ops[k];
		p->ops[k] = p->ops[j];
		p->ops[j] = op;
		break;
	case FUZZ_EDIT_REPLACE:
		fuzz_random_op(r, p, k, &p->ops[k]);
		break;
	case FUZZ_EDIT_FIELD:
		f = fuzz_below(r, op_field_count(p->ops[k].code));
		op_field_set(&p->ops[k], f,
			     fuzz_field_value(r, p, k, &p->ops[k], f));
		break;
	case FUZZ_EDIT_COUNT:
		break;
	}
}

size_t fuzz_mutate(uint8_t *data, size_t size, size_t max_size,
		   unsigned int seed, fuzz_bytes_mutate_fn bytes)
{
	struct op_program in, out;
	unsigned int edits, tries, i;
	struct fuzz_rng r;

	fuzz_rng_init(&r, seed);
	if (bytes && fuzz_below(&r, FUZZ_BYTES_ONE_IN) == 0)
		return bytes(data, size, max_size);
	op_program_decode(data, size, &in);
	edits = fuzz_below(&r, 4) ? 1 : 2 + fuzz_below(&r, FUZZ_EDITS_MAX - 1);
	for (tries = 0; tries < FUZZ_TRIES; tries++) {
		out = in;
		for (i = 0; i < edits; i++)
			fuzz_edit_apply(&r, &out, fuzz_edit_pick(&r));
		if (!fuzz_program_equal(&in, &out) &&
		    fuzz_fitting(&out, max_size) == out.count)
			return op_program_encode(&out, data, max_size);
	}
	/* No draw both changed the program and fitted. */
	if (bytes)
		return bytes(data, size, max_size);
	out.count = fuzz_fitting(&out, max_size);
	return op_program_encode(&out, data, max_size);
}

size_t fuzz_crossover(const uint8_t *data1, size_t size1,
		      const uint8_t *data2, size_t size2, uint8_t *out,
		      size_t max_out, unsigned int seed)
{
	struct op_program a, b, c = { .count = 0 };
	unsigned int i, j, run;
	struct fuzz_rng r;

	fuzz_rng_init(&r, seed);
	op_program_decode(data1, size1, &a);
	op_program_decode(data2, size2, &b);
	i = fuzz_below(&r, a.count + 1);
	j = fuzz_below(&r, b.count + 1);
	fuzz_append(&c, &a, 0, i);
	if (fuzz_below(&r, 2)) {
		run = 1 + fuzz_below(&r, fuzz_min(b.count - j, FUZZ_RUN_MAX));
		fuzz_append(&c, &b, j, fuzz_min(j + run, b.count));
		fuzz_append(&c, &a, i, a.count);
	} else {
		fuzz_append(&c, &b, j, b.count);
	}
	c.count = fuzz_fitting(&c, max_out);
	return op_program_encode(&c, out, max_out);
}
