// SPDX-License-Identifier: MIT
/*
 * The op-level mutator (mutator.h) without libFuzzer, over the seed corpus
 * (corpus/fuzz_attach) and random byte strings, with many seeds and size
 * limits: an output never exceeds the limit; an op-level output decodes to
 * a program whose text form encodes back to the same bytes; the same seed
 * gives the same output and different seeds mostly different ones; a call
 * almost always changes the program; about one call in two goes to the
 * byte-level fallback, here a stub that counts its calls in place of
 * LLVMFuzzerMutate; a crossover's ops all come from its two parents. The
 * field table of op.h is checked against the decoder first, since the
 * mutator writes every value through it.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mutator.h"
#include "op.h"

#define TEST(fn) { #fn, fn }
/* Large enough for OP_MAX ops of the longest kind. */
#define BUF 512
#define MAX_INPUTS 256
/* Mutator calls per input in each test. */
#define CALLS 40

struct t_input {
	size_t size;
	uint8_t bytes[BUF];
};

static struct t_input inputs[MAX_INPUTS];
static unsigned int ninputs;
static unsigned int stub_calls;

/* LLVMFuzzerMutate's stand-in: flips a byte and honours the limit. */
static size_t stub_bytes(uint8_t *data, size_t size, size_t max_size)
{
	stub_calls++;
	if (size)
		data[size / 2] ^= 0x5a;
	return size <= max_size ? size : max_size;
}

static uint32_t t_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* The seed corpus, then random byte strings up to MAX_INPUTS inputs. */
static void t_load_inputs(void)
{
	struct dirent *e;
	uint32_t s = 11;
	DIR *d;

	if (ninputs)
		return;
	d = opendir(FUZZ_SEED_CORPUS);
	CHECK(d != NULL);
	while ((e = readdir(d)) && ninputs < MAX_INPUTS / 2) {
		char path[4096];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", FUZZ_SEED_CORPUS,
			 e->d_name);
		f = fopen(path, "rb");
		CHECK(f != NULL);
		inputs[ninputs].size = fread(inputs[ninputs].bytes, 1, BUF, f);
		fclose(f);
		ninputs++;
	}
	closedir(d);
	/* The seeds must be there: without them half the test is idle. */
	CHECK(ninputs >= 16);
	while (ninputs < MAX_INPUTS) {
		struct t_input *in = &inputs[ninputs++];
		size_t i;

		in->size = t_rand(&s) % 300;
		for (i = 0; i < in->size; i++)
			in->bytes[i] = (uint8_t)t_rand(&s);
	}
}

/* A size limit: mostly roomy, sometimes tighter than the input. */
static size_t t_limit(uint32_t *s, size_t size)
{
	if (t_rand(s) % 3)
		return BUF;
	return 1 + t_rand(s) % (size + 16 < BUF ? size + 16 : BUF);
}

/* decode, text, parse, encode: the same bytes back. */
static void t_check_round_trip(const uint8_t *data, size_t size)
{
	struct op_program p, q;
	uint8_t again[BUF];
	struct op_text_error err;
	size_t len = 0;
	char *text = NULL;
	FILE *f;

	op_program_decode(data, size, &p);
	f = open_memstream(&text, &len);
	CHECK(f != NULL);
	CHECK_OK(op_program_to_text(&p, f, false));
	CHECK(fclose(f) == 0);
	CHECK_OK(op_program_from_text(text, &q, &err));
	free(text);
	CHECK_EQ(op_program_encode(&q, again, sizeof(again)), size);
	CHECK(memcmp(again, data, size) == 0);
}

static bool t_program_equal(const struct op_program *a,
			    const struct op_program *b)
{
	return a->count == b->count &&
	       memcmp(a->ops, b->ops, a->count * sizeof(a->ops[0])) == 0;
}

/*
 * An op of code @c with every field at its last value: dirty's mark and
 * fault-kind's full mask make every other field matter.
 */
static void t_op_last_values(struct op *op, enum op_code c)
{
	unsigned int f;

	memset(op, 0, sizeof(*op));
	op->code = c;
	for (f = 0; f < op_field_count(c); f++)
		op_field_set(op, f, op_field_range(c, f) - 1);
}

/* Every field value set and read back, and the op survives its bytes. */
static void op_fields(void)
{
	unsigned int c, f, v, i;
	uint32_t s = 5;

	for (c = 0; c < OP_COUNT; c++) {
		for (f = 0; f < op_field_count((enum op_code)c); f++) {
			unsigned int range = op_field_range((enum op_code)c, f);

			for (v = 0; v < range; v++) {
				struct op_program p = { .count = 1 }, q;
				uint8_t bytes[16];
				size_t n;

				t_op_last_values(&p.ops[0], (enum op_code)c);
				op_field_set(&p.ops[0], f, v);
				CHECK_EQ(op_field_get(&p.ops[0], f), v);
				n = op_program_encode(&p, bytes, sizeof(bytes));
				op_program_decode(bytes, n, &q);
				CHECK(t_program_equal(&p, &q));
			}
		}
	}
	/*
	 * The fields cover an op: any decoded op is rebuilt from nothing by
	 * setting each of its fields (in byte order) to what it reads.
	 */
	for (i = 0; i < 20000; i++) {
		uint8_t bytes[6];
		struct op_program p, q = { .count = 1 };

		for (f = 0; f < sizeof(bytes); f++)
			bytes[f] = (uint8_t)t_rand(&s);
		op_program_decode(bytes, sizeof(bytes), &p);
		p.count = 1;
		q.ops[0].code = p.ops[0].code;
		for (f = 0; f < op_field_count(p.ops[0].code); f++)
			op_field_set(&q.ops[0], f, op_field_get(&p.ops[0], f));
		CHECK(t_program_equal(&p, &q));
	}
}

/* One mutator call: an input, another for crossover, a limit, a seed. */
struct t_case {
	const struct t_input *in, *other;
	size_t size;		/* in's size, at most max */
	size_t max;
	unsigned int seed;
	uint8_t buf[BUF];	/* in's first size bytes, to mutate */
};

/*
 * Draw case @n: CALLS cases per input, with a size limit from t_limit
 * when @tight, else BUF. Returns false past the last case.
 */
static bool t_case_get(struct t_case *c, unsigned int n, uint32_t *s,
		       bool tight)
{
	t_load_inputs();
	if (n >= ninputs * CALLS)
		return false;
	c->in = &inputs[n / CALLS];
	c->other = &inputs[t_rand(s) % ninputs];
	c->max = tight ? t_limit(s, c->in->size) : BUF;
	c->size = c->in->size < c->max ? c->in->size : c->max;
	c->seed = t_rand(s);
	memcpy(c->buf, c->in->bytes, c->size);
	return true;
}

static size_t t_crossover(struct t_case *c)
{
	return fuzz_crossover(c->in->bytes, c->size, c->other->bytes,
			      c->other->size, c->buf, c->max, c->seed + 1);
}

static void size_limit(void)
{
	struct t_case c;
	uint32_t s = 1;
	unsigned int n;

	for (n = 0; t_case_get(&c, n, &s, true); n++) {
		CHECK(fuzz_mutate(c.buf, c.size, c.max, c.seed,
				  n % 2 ? stub_bytes : NULL) <= c.max);
		CHECK(t_crossover(&c) <= c.max);
	}
}

static void round_trip(void)
{
	struct t_case c;
	uint32_t s = 2;
	unsigned int n;

	for (n = 0; t_case_get(&c, n, &s, true); n++) {
		t_check_round_trip(c.buf, fuzz_mutate(c.buf, c.size, c.max,
						      c.seed, NULL));
		t_check_round_trip(c.buf, t_crossover(&c));
	}
}

static void determinism(void)
{
	unsigned int n, differ = 0;
	uint8_t again[BUF];
	struct t_case c;
	uint32_t s = 3;
	size_t m;

	for (n = 0; t_case_get(&c, n, &s, false); n++) {
		m = fuzz_mutate(c.buf, c.size, BUF, c.seed, stub_bytes);
		memcpy(again, c.in->bytes, c.size);
		CHECK_EQ(fuzz_mutate(again, c.size, BUF, c.seed, stub_bytes),
			 m);
		CHECK(memcmp(again, c.buf, m) == 0);
		/* The stub ignores the seed: compare op-level edits. */
		memcpy(c.buf, c.in->bytes, c.size);
		memcpy(again, c.in->bytes, c.size);
		m = fuzz_mutate(c.buf, c.size, BUF, c.seed, NULL);
		differ += fuzz_mutate(again, c.size, BUF, c.seed + 1, NULL) !=
			  m || memcmp(again, c.buf, m) != 0;
	}
	/* Two seeds rarely draw the same edit of the same op. */
	CHECK(differ > n * 9 / 10);
}

static void changes_program(void)
{
	struct op_program before, after;
	unsigned int n, changed = 0;
	struct t_case c;
	uint32_t s = 4;
	size_t m;

	for (n = 0; t_case_get(&c, n, &s, false); n++) {
		m = fuzz_mutate(c.buf, c.size, BUF, c.seed, NULL);
		op_program_decode(c.in->bytes, c.size, &before);
		op_program_decode(c.buf, m, &after);
		changed += !t_program_equal(&before, &after);
	}
	CHECK(changed > n * 98 / 100);
}

static void byte_fallback_share(void)
{
	struct t_case c;
	uint32_t s = 6;
	unsigned int n;

	stub_calls = 0;
	for (n = 0; t_case_get(&c, n, &s, false); n++)
		fuzz_mutate(c.buf, c.size, BUF, c.seed, stub_bytes);
	/* About one call in two (FUZZ_BYTES_ONE_IN): never all, never none. */
	CHECK(stub_calls > n / 4);
	CHECK(stub_calls < n * 3 / 4);
}

/* Is @op one of @p's ops? */
static bool t_has_op(const struct op_program *p, const struct op *op)
{
	unsigned int i;

	for (i = 0; i < p->count; i++)
		if (memcmp(&p->ops[i], op, sizeof(*op)) == 0)
			return true;
	return false;
}

static void crossover_parents(void)
{
	struct op_program pa, pb, pc;
	unsigned int n, k, mixed = 0;
	uint8_t again[BUF];
	struct t_case c;
	uint32_t s = 8;
	size_t m;

	for (n = 0; t_case_get(&c, n, &s, false); n++) {
		m = t_crossover(&c);
		CHECK_EQ(fuzz_crossover(c.in->bytes, c.size, c.other->bytes,
					c.other->size, again, BUF, c.seed + 1),
			 m);
		CHECK(memcmp(again, c.buf, m) == 0);
		op_program_decode(c.in->bytes, c.size, &pa);
		op_program_decode(c.other->bytes, c.other->size, &pb);
		op_program_decode(c.buf, m, &pc);
		for (k = 0; k < pc.count; k++)
			CHECK(t_has_op(&pa, &pc.ops[k]) ||
			      t_has_op(&pb, &pc.ops[k]));
		mixed += !t_program_equal(&pa, &pc);
	}
	CHECK(mixed > n / 2);
}

static const struct check_test tests[] = {
	TEST(op_fields),
	TEST(size_limit),
	TEST(round_trip),
	TEST(determinism),
	TEST(changes_program),
	TEST(byte_fallback_share),
	TEST(crossover_parents),
};

CHECK_MAIN(tests)
