// SPDX-License-Identifier: MIT
/*
 * The area store (area.h) against a reference model: a sorted array of
 * intervals, where every answer is a linear scan. Each test drives the
 * store through many inserts and removals in one pattern (random,
 * ascending, descending, refilling a hole in the middle, the ends of the
 * 64-bit space) and after every step asks the store first_hit, first,
 * last, next and gap_next questions whose answers the model knows; every
 * few hundred steps it also walks the whole store, checking the order and
 * every area's gap. Thousands of areas make a tree several levels deep,
 * so splits, merges and the gap maxima of inner nodes all take part.
 *
 * Deterministic: a fixed-seed generator per test, no time.
 */
#include <stdint.h>
#include <stdlib.h>

#include "area.h"
#include "check.h"

#define TEST(fn) { #fn, fn }

struct model {
	struct emu_area **v;	/* sorted by iova */
	size_t nr;
	size_t cap;
	struct emu_area_store s;
	uint64_t rng;
};

static uint64_t model_rand(struct model *m)
{
	/* xorshift64*: any fixed, well-mixed sequence will do */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t model_below(struct model *m, uint64_t n)
{
	return model_rand(m) % n;
}

static void model_init(struct model *m, uint64_t seed, size_t cap)
{
	m->v = calloc(cap, sizeof(*m->v));
	CHECK(m->v);
	m->nr = 0;
	m->cap = cap;
	m->rng = seed;
	emu_area_store_init(&m->s, NULL);
}

/* Index of the first model area with last >= x (nr when none). */
static size_t model_lower(const struct model *m, uint64_t x)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid]->last >= x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static uint64_t model_gap(const struct model *m, size_t i)
{
	return i ? m->v[i]->iova - m->v[i - 1]->last - 1 : 0;
}

static struct emu_area *model_first_hit(const struct model *m,
					uint64_t start, uint64_t last)
{
	size_t i = model_lower(m, start);

	return i < m->nr && m->v[i]->iova <= last ? m->v[i] : NULL;
}

/* The first area after index @after (SIZE_MAX: all) with gap >= need. */
static size_t model_gap_next(const struct model *m, size_t after,
			     uint64_t need)
{
	size_t i;

	for (i = after == SIZE_MAX ? 0 : after + 1; i < m->nr; i++) {
		if (model_gap(m, i) >= need)
			return i;
	}
	return SIZE_MAX;
}

static void check_gap_next(const struct model *m, size_t after,
			   uint64_t need)
{
	const struct emu_area *a = after == SIZE_MAX ? NULL : m->v[after];
	size_t want = model_gap_next(m, after, need);
	struct emu_area *got;
	uint64_t gap = 0;

	got = emu_area_gap_next(&m->s, a, need, &gap);
	if (want == SIZE_MAX) {
		CHECK(!got);
		return;
	}
	CHECK(got == m->v[want]);
	CHECK_EQ(gap, model_gap(m, want));
}

/* Insert [iova, last] into both unless it overlaps: true when inserted. */
static bool model_insert(struct model *m, uint64_t iova, uint64_t last)
{
	struct emu_area *a;
	size_t i = model_lower(m, iova);

	CHECK(emu_area_first_hit(&m->s, iova, last) ==
	      model_first_hit(m, iova, last));
	if ((i < m->nr && m->v[i]->iova <= last) || m->nr == m->cap)
		return false;
	a = calloc(1, sizeof(*a));
	CHECK(a);
	a->iova = iova;
	a->last = last;
	CHECK_OK(emu_area_insert(&m->s, a));
	memmove(&m->v[i + 1], &m->v[i], (m->nr - i) * sizeof(*m->v));
	m->v[i] = a;
	m->nr++;
	return true;
}

static void model_remove(struct model *m, size_t i)
{
	struct emu_area *a = m->v[i];

	emu_area_remove(&m->s, a);
	memmove(&m->v[i], &m->v[i + 1], (m->nr - i - 1) * sizeof(*m->v));
	m->nr--;
	free(a);
}

/* Questions about random places, answered by both. */
static void model_probe(struct model *m, uint64_t span)
{
	uint64_t start = model_below(m, span), len = 1 + model_below(m, 64);
	uint64_t last = start + len - 1 < start ? UINT64_MAX : start + len - 1;
	size_t i;

	CHECK(emu_area_first_hit(&m->s, start, last) ==
	      model_first_hit(m, start, last));
	CHECK(emu_area_first_hit(&m->s, start, UINT64_MAX) ==
	      model_first_hit(m, start, UINT64_MAX));
	CHECK_EQ(emu_area_store_count(&m->s), m->nr);
	CHECK(emu_area_first(&m->s) == (m->nr ? m->v[0] : NULL));
	CHECK(emu_area_last(&m->s) == (m->nr ? m->v[m->nr - 1] : NULL));
	check_gap_next(m, SIZE_MAX, 1 + model_below(m, 8));
	if (!m->nr)
		return;
	i = model_below(m, m->nr);
	CHECK(emu_area_next(&m->s, m->v[i]) ==
	      (i + 1 < m->nr ? m->v[i + 1] : NULL));
	check_gap_next(m, i, 1 + model_below(m, 8));
	check_gap_next(m, i, 1 + model_gap(m, i + 1 < m->nr ? i + 1 : i));
}

/* Every area in order, and every gap found exactly where it is. */
static void model_walk(struct model *m)
{
	struct emu_area *a = emu_area_first(&m->s);
	size_t i;

	for (i = 0; i < m->nr; i++) {
		CHECK(a == m->v[i]);
		a = emu_area_next(&m->s, a);
		if (i && model_gap(m, i)) {
			check_gap_next(m, i - 1, model_gap(m, i));
			check_gap_next(m, i - 1, model_gap(m, i) + 1);
		}
	}
	CHECK(!a);
}

static void model_fini(struct model *m)
{
	while (m->nr)
		model_remove(m, m->nr - 1);
	CHECK(!emu_area_first(&m->s));
	emu_area_store_fini(&m->s);
	free(m->v);
}

static void model_step_done(struct model *m, uint64_t span,
			    unsigned long step)
{
	model_probe(m, span);
	if (step % 509 == 0)
		model_walk(m);
}

/* Random inserts and removals, growing to ~4000 areas and back, twice. */
static void random_ops(void)
{
	const uint64_t span = 40000;
	struct model m;
	unsigned long step = 0;
	int round;

	model_init(&m, 0x9e3779b97f4a7c15ULL, 8192);
	for (round = 0; round < 4; round++) {
		bool grow = !(round & 1);
		unsigned int n;

		for (n = 0; n < 12000; n++, step++) {
			bool ins = model_below(&m, 100) < (grow ? 70 : 30);

			if (ins || !m.nr) {
				uint64_t at = model_below(&m, span);

				model_insert(&m, at, at + model_below(&m, 5));
			} else {
				model_remove(&m, model_below(&m, m.nr));
			}
			model_step_done(&m, span, step);
		}
	}
	model_walk(&m);
	model_fini(&m);
}

/*
 * Ascending and descending fills (the one-entry end splits), emptied in
 * random order, in ascending and in descending order.
 */
static void ordered_fills(void)
{
	struct model m;
	unsigned long step = 0;
	int round;

	model_init(&m, 12345, 8192);
	for (round = 0; round < 6; round++) {
		uint64_t n, nr = 3000;

		for (n = 0; n < nr; n++, step++) {
			uint64_t k = round & 1 ? nr - 1 - n : n;

			/* Gaps of 0..3 between neighbours. */
			CHECK(model_insert(&m, 10 * k + k % 4, 10 * k + 6));
			model_step_done(&m, 10 * nr, step);
		}
		model_walk(&m);
		/* Deep enough for inner splits and merges. */
		CHECK(m.s.height >= 3);
		while (m.nr) {
			size_t i = round < 2 ? model_below(&m, m.nr) :
				   round < 4 ? 0 : m.nr - 1;

			model_remove(&m, i);
			model_step_done(&m, 10 * nr, step++);
		}
	}
	model_fini(&m);
}

/* A full range with a hole unmapped from its middle, refilled in order. */
static void refill_hole(void)
{
	struct model m;
	unsigned long step = 0;
	uint64_t k;
	int round;

	model_init(&m, 777, 8192);
	for (k = 0; k < 4000; k++)
		CHECK(model_insert(&m, 4 * k, 4 * k + 1));
	for (round = 0; round < 3; round++) {
		uint64_t lo = 1000 + 500 * round, hi = lo + 1500;

		for (k = lo; k < hi; k++) {
			struct emu_area *a = model_first_hit(&m, 4 * k, 4 * k);

			/* A refilled area covers two of the old ones. */
			if (a)
				model_remove(&m, model_lower(&m, a->iova));
			model_step_done(&m, 16000, step++);
		}
		model_walk(&m);
		/* Back in longer areas, ascending: appends inside a leaf. */
		for (k = lo; k < hi; k += 2) {
			CHECK(model_insert(&m, 4 * k, 4 * k + 6));
			model_step_done(&m, 16000, step++);
		}
		model_walk(&m);
	}
	model_fini(&m);
}

/* Areas touching 0 and U64_MAX: no arithmetic may wrap. */
static void address_space_ends(void)
{
	const uint64_t top = UINT64_MAX;
	struct model m;
	unsigned long step = 0;
	uint64_t k;

	model_init(&m, 4242, 8192);
	CHECK(model_insert(&m, 0, 0));
	CHECK(model_insert(&m, top, top));
	CHECK(model_insert(&m, top - 9, top - 1));
	for (k = 0; k < 2000; k++) {
		uint64_t at = k & 1 ? top - 100 - 16 * k : 16 * (k + 1);

		CHECK(model_insert(&m, at, at + 7 + k % 3));
		model_step_done(&m, 40000, step++);
		model_probe(&m, top);
	}
	model_walk(&m);
	check_gap_next(&m, 0, top / 2);
	while (m.nr) {
		model_remove(&m, model_below(&m, m.nr));
		model_step_done(&m, 40000, step++);
		model_probe(&m, top);
	}
	model_fini(&m);
}

static const struct check_test tests[] = {
	TEST(random_ops),
	TEST(ordered_fills),
	TEST(refill_hole),
	TEST(address_space_ends),
};

CHECK_MAIN(tests)
