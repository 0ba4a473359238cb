// SPDX-License-Identifier: MIT
/*
 * The op-level mutator (mutator.h). An input is split where the decoder
 * would split it (an opcode byte and its fixed number of argument bytes,
 * at most OP_MAX ops; a last op cut short by the end of the input keeps
 * the bytes it has, the decoder reads the rest as 0), and the output is
 * assembled from whole ops, so every op the mutation did not pick decodes
 * as before (an op the input cut short is written out with the zero
 * arguments the decoder gave it). Assembly stops at the last whole op
 * that fits max_size; the bytes the decoder would ignore (past OP_MAX ops)
 * are dropped.
 */
#include <string.h>

#include "mutator.h"
#include "op.h"

/* One call in this many goes to the byte-level fallback, when there is one. */
#define FUZZ_MUTATE_BYTES_ONE_IN 4
/* An opcode and its arguments (at most 5, op.c), with room to spare. */
#define FUZZ_OP_BYTES_MAX 8

struct fuzz_split {
	unsigned int n;
	size_t at[OP_MAX + 1];		/* op k is [at[k], at[k + 1]) */
};

struct fuzz_out {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

static uint32_t fuzz_rand(uint32_t *state)
{
	/* xorshift32: enough for picking mutations; never 0 once seeded. */
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static uint32_t fuzz_rand_seed(unsigned int seed)
{
	uint32_t s = (uint32_t)seed * 2654435761u + 0x9e3779b9u;

	return s ? s : 1;
}

static size_t fuzz_op_len(uint8_t opcode)
{
	return 1 + op_code_nargs((enum op_code)(opcode % OP_COUNT));
}

static void fuzz_split(const uint8_t *data, size_t size, struct fuzz_split *s)
{
	size_t i = 0;

	s->n = 0;
	while (i < size && s->n < OP_MAX) {
		size_t len = fuzz_op_len(data[i]);

		s->at[s->n++] = i;
		i = len < size - i ? i + len : size;
	}
	s->at[s->n] = i;
}

/* Append @len bytes: false, and nothing appended, when they do not fit. */
static bool fuzz_emit(struct fuzz_out *o, const uint8_t *p, size_t len)
{
	if (len > o->cap - o->len)
		return false;
	memcpy(o->buf + o->len, p, len);
	o->len += len;
	return true;
}

/*
 * Append one op of @len bytes (opcode first), padded with the zero
 * arguments the decoder reads past the end of an input, so an op cut short
 * there keeps its meaning wherever it lands.
 */
static bool fuzz_emit_whole(struct fuzz_out *o, const uint8_t *op, size_t len)
{
	static const uint8_t zero[FUZZ_OP_BYTES_MAX];
	size_t full = fuzz_op_len(op[0]);

	if (full > o->cap - o->len)
		return false;
	return fuzz_emit(o, op, len) && fuzz_emit(o, zero, full - len);
}

static bool fuzz_emit_op(struct fuzz_out *o, const uint8_t *data,
			 const struct fuzz_split *s, unsigned int k)
{
	return fuzz_emit_whole(o, data + s->at[k], s->at[k + 1] - s->at[k]);
}

/* A new op: a random opcode and random arguments, into @op. */
static size_t fuzz_random_op(uint32_t *rs, uint8_t *op)
{
	size_t len, i;

	op[0] = (uint8_t)(fuzz_rand(rs) % OP_COUNT);
	len = fuzz_op_len(op[0]);
	for (i = 1; i < len; i++)
		op[i] = (uint8_t)fuzz_rand(rs);
	return len;
}

enum fuzz_edit {
	FUZZ_EDIT_DELETE,
	FUZZ_EDIT_DUPLICATE,
	FUZZ_EDIT_SWAP,
	FUZZ_EDIT_INSERT,
	FUZZ_EDIT_ARG,
	FUZZ_EDIT_OPCODE,
	FUZZ_EDIT_MOVE,
	FUZZ_EDIT_COUNT,
};

/*
 * Rebuild the program into @o with one edit: op @k (< n) is the one
 * edited, @j (<= n) a second position; @new is the op an insert or an
 * opcode change puts in.
 */
static void fuzz_rebuild(struct fuzz_out *o, const uint8_t *data,
			 const struct fuzz_split *s, enum fuzz_edit e,
			 unsigned int k, unsigned int j, const uint8_t *new,
			 size_t new_len)
{
	unsigned int i;

	for (i = 0; i <= s->n; i++) {
		bool ok = true;

		/* What goes before op i (or at the end, when i == n). */
		if (i == j && (e == FUZZ_EDIT_INSERT ||
			       e == FUZZ_EDIT_DUPLICATE))
			ok = e == FUZZ_EDIT_INSERT ?
			     fuzz_emit_whole(o, new, new_len) :
			     fuzz_emit_op(o, data, s, k);
		if (i == j && e == FUZZ_EDIT_MOVE)
			ok = fuzz_emit_op(o, data, s, k);
		if (!ok || i == s->n)
			return;
		if (i == k && (e == FUZZ_EDIT_DELETE || e == FUZZ_EDIT_MOVE))
			continue;
		if (i == k && (e == FUZZ_EDIT_ARG || e == FUZZ_EDIT_OPCODE))
			ok = fuzz_emit_whole(o, new, new_len);
		else if (e == FUZZ_EDIT_SWAP && i == k)
			ok = fuzz_emit_op(o, data, s, k + 1);
		else if (e == FUZZ_EDIT_SWAP && i == k + 1)
			ok = fuzz_emit_op(o, data, s, k);
		else
			ok = fuzz_emit_op(o, data, s, i);
		if (!ok)
			return;
	}
}

size_t fuzz_mutate(uint8_t *data, size_t size, size_t max_size,
		   unsigned int seed, fuzz_bytes_mutate_fn bytes)
{
	uint8_t out[OP_MAX * FUZZ_OP_BYTES_MAX], new[FUZZ_OP_BYTES_MAX];
	struct fuzz_out o = { .buf = out, .cap = max_size };
	uint32_t rs = fuzz_rand_seed(seed);
	struct fuzz_split s;
	enum fuzz_edit e;
	unsigned int k, j;
	size_t new_len = 0, i;

	if (size > max_size)
		size = max_size;
	if (bytes && fuzz_rand(&rs) % FUZZ_MUTATE_BYTES_ONE_IN == 0)
		return bytes(data, size, max_size);
	if (o.cap > sizeof(out))
		o.cap = sizeof(out);
	fuzz_split(data, size, &s);
	e = (enum fuzz_edit)(fuzz_rand(&rs) % FUZZ_EDIT_COUNT);
	if (!s.n || (e == FUZZ_EDIT_SWAP && s.n < 2))
		e = FUZZ_EDIT_INSERT;
	k = s.n ? fuzz_rand(&rs) % s.n : 0;
	if (e == FUZZ_EDIT_SWAP && k == s.n - 1)
		k--;
	j = fuzz_rand(&rs) % (s.n + 1);

	if (e == FUZZ_EDIT_INSERT) {
		new_len = fuzz_random_op(&rs, new);
	} else if (e == FUZZ_EDIT_ARG || e == FUZZ_EDIT_OPCODE) {
		new_len = s.at[k + 1] - s.at[k];
		memcpy(new, data + s.at[k], new_len);
		if (e == FUZZ_EDIT_OPCODE || new_len < 2) {
			/* A new opcode keeps the old bytes as its arguments. */
			new[0] = (uint8_t)(fuzz_rand(&rs) % OP_COUNT);
			for (i = new_len; i < fuzz_op_len(new[0]); i++)
				new[i] = (uint8_t)fuzz_rand(&rs);
			new_len = fuzz_op_len(new[0]);
		} else {
			new[1 + fuzz_rand(&rs) % (new_len - 1)] =
				(uint8_t)fuzz_rand(&rs);
		}
	}
	fuzz_rebuild(&o, data, &s, e, k, j, new, new_len);
	memcpy(data, out, o.len);
	return o.len;
}
