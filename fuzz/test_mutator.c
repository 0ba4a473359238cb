// SPDX-License-Identifier: MIT
/*
 * The op-level mutator (mutator.h) without libFuzzer: over many random
 * programs and seeds, an output never exceeds the size limit, is the same
 * for the same seed, differs between seeds, leaves every op it did not
 * edit as it was (a mutation changes at most two ops' worth of the
 * program, where a byte mutation can re-frame everything after it), and
 * about one call in four goes to the byte-level fallback, here a stub
 * that counts its calls.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mutator.h"
#include "op.h"

#define TEST(fn) { #fn, fn }
#define ROUNDS 4000
#define BUF 512

static unsigned int stub_calls;

static size_t stub_bytes(uint8_t *data, size_t size, size_t max_size)
{
	stub_calls++;
	if (size)
		data[0] ^= 0x5a;
	return size <= max_size ? size : max_size;
}

static uint32_t t_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* A random input of up to @max bytes. */
static size_t t_input(uint32_t *s, uint8_t *buf, size_t max)
{
	size_t n = t_rand(s) % (max + 1), i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)t_rand(s);
	return n;
}

/* How many ops of @x also stand in @y in the same order (longest run). */
static unsigned int t_common_ops(const struct op_program *x,
				 const struct op_program *y)
{
	static unsigned int lcs[OP_MAX + 1][OP_MAX + 1];
	unsigned int i, j;

	for (i = 0; i <= x->count; i++) {
		for (j = 0; j <= y->count; j++) {
			if (!i || !j)
				lcs[i][j] = 0;
			else if (memcmp(&x->ops[i - 1], &y->ops[j - 1],
					sizeof(x->ops[0])) == 0)
				lcs[i][j] = lcs[i - 1][j - 1] + 1;
			else
				lcs[i][j] = lcs[i - 1][j] > lcs[i][j - 1] ?
					    lcs[i - 1][j] : lcs[i][j - 1];
		}
	}
	return lcs[x->count][y->count];
}

static void size_limit_and_determinism(void)
{
	uint8_t in[BUF], a[BUF], b[BUF];
	uint32_t s = 1;
	unsigned int r, differ = 0;

	for (r = 0; r < ROUNDS; r++) {
		size_t n = t_input(&s, in, 300), max = 1 + t_rand(&s) % BUF;
		size_t na, nb;
		unsigned int seed = t_rand(&s);

		if (n > max)
			n = max;
		memcpy(a, in, n);
		memcpy(b, in, n);
		na = fuzz_mutate(a, n, max, seed, NULL);
		nb = fuzz_mutate(b, n, max, seed, NULL);
		CHECK(na <= max);
		CHECK_EQ(na, nb);
		CHECK(memcmp(a, b, na) == 0);
		memcpy(b, in, n);
		nb = fuzz_mutate(b, n, max, seed + 1, NULL);
		CHECK(nb <= max);
		differ += na != nb || memcmp(a, b, na) != 0;
	}
	/* Different seeds pick different edits almost always. */
	CHECK(differ > ROUNDS * 3 / 4);
}

static void edits_are_op_sized(void)
{
	struct op_program before, after;
	uint8_t in[BUF], out[BUF];
	uint32_t s = 7;
	unsigned int r, changed = 0;

	for (r = 0; r < ROUNDS; r++) {
		size_t n = t_input(&s, in, 200), m;
		unsigned int kept;

		memcpy(out, in, n);
		m = fuzz_mutate(out, n, BUF, t_rand(&s), NULL);
		op_program_decode(in, n, &before);
		op_program_decode(out, m, &after);
		kept = t_common_ops(&before, &after);
		/*
		 * One edit removes, rewrites or moves at most two ops of the
		 * old program (a swap or a move touches two).
		 */
		CHECK(kept + 2 >= before.count);
		CHECK(after.count <= before.count + 1);
		changed += m != n || memcmp(in, out, n) != 0;
	}
	CHECK(changed > ROUNDS * 3 / 4);
}

static void byte_fallback_share(void)
{
	uint8_t buf[BUF];
	uint32_t s = 3;
	unsigned int r;

	stub_calls = 0;
	for (r = 0; r < ROUNDS; r++) {
		size_t n = t_input(&s, buf, 100);

		CHECK(fuzz_mutate(buf, n, BUF, r, stub_bytes) <= BUF);
	}
	/* About one call in four, never all or none. */
	CHECK(stub_calls > ROUNDS / 8);
	CHECK(stub_calls < ROUNDS / 2);
}

static const struct check_test tests[] = {
	TEST(size_limit_and_determinism),
	TEST(edits_are_op_sized),
	TEST(byte_fallback_share),
};

CHECK_MAIN(tests)
