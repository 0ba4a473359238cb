// SPDX-License-Identifier: MIT
/*
 * Sorted-array implementation of the area store (area.h). Lookups are a
 * binary search on the area's last IOVA, which is sorted too because areas
 * never overlap. Insert and remove shift the tail: fine for the few hundred
 * areas a test or fuzz input creates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "area.h"

void emu_area_store_init(struct emu_area_store *s)
{
	s->v = NULL;
	s->nr = 0;
	s->cap = 0;
}

void emu_area_store_fini(struct emu_area_store *s)
{
	free(s->v);
	emu_area_store_init(s);
}

/* Index of the first area whose last >= @iova (s->nr when none). */
static size_t emu_area_lower_bound(const struct emu_area_store *s,
				   uint64_t iova)
{
	size_t lo = 0, hi = s->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].last < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct emu_area *emu_area_first_hit(const struct emu_area_store *s,
				    uint64_t start, uint64_t last)
{
	size_t i = emu_area_lower_bound(s, start);

	if (i == s->nr || s->v[i].iova > last)
		return NULL;
	return &s->v[i];
}

struct emu_area *emu_area_first(const struct emu_area_store *s)
{
	return s->nr ? &s->v[0] : NULL;
}

struct emu_area *emu_area_next(const struct emu_area_store *s,
			       const struct emu_area *area)
{
	size_t i = (size_t)(area - s->v) + 1;

	return i < s->nr ? &s->v[i] : NULL;
}

int emu_area_insert(struct emu_area_store *s, const struct emu_area *tmpl)
{
	size_t i;

	if (s->nr == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;
		struct emu_area *nv = realloc(s->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = ncap;
	}
	i = emu_area_lower_bound(s, tmpl->iova);
	memmove(&s->v[i + 1], &s->v[i], (s->nr - i) * sizeof(*s->v));
	s->v[i] = *tmpl;
	s->nr++;
	return 0;
}

void emu_area_remove(struct emu_area_store *s, struct emu_area *area)
{
	size_t i = (size_t)(area - s->v);

	memmove(&s->v[i], &s->v[i + 1], (s->nr - i - 1) * sizeof(*s->v));
	s->nr--;
}
