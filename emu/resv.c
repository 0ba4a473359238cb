// SPDX-License-Identifier: MIT
/*
 * Unsorted-array implementation of the reserved-IOVA set (resv.h). A set
 * holds a handful of intervals (one aperture complement per domain, a few
 * regions per attached device), so linear scans are the simple choice.
 */
#include <errno.h>
#include <stdlib.h>

#include "heap.h"
#include "resv.h"

void emu_resv_init(struct emu_resv_set *set, struct emu_heap *heap)
{
	set->v = NULL;
	set->nr = 0;
	set->cap = 0;
	set->heap = heap;
}

void emu_resv_fini(struct emu_resv_set *set)
{
	emu_heap_free(set->heap, set->v);
	emu_resv_init(set, set->heap);
}

int emu_resv_add(struct emu_resv_set *set, uint64_t start, uint64_t last,
		 const void *owner)
{
	if (set->nr == set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 4;
		struct emu_resv *nv = emu_heap_realloc(set->heap, set->v,
						  ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		set->v = nv;
		set->cap = ncap;
	}
	set->v[set->nr].start = start;
	set->v[set->nr].last = last;
	set->v[set->nr].owner = owner;
	set->nr++;
	return 0;
}

void emu_resv_remove_owner(struct emu_resv_set *set, const void *owner)
{
	size_t i, kept = 0;

	for (i = 0; i < set->nr; i++) {
		if (set->v[i].owner != owner)
			set->v[kept++] = set->v[i];
	}
	set->nr = kept;
}

const struct emu_resv *emu_resv_first_hit(const struct emu_resv_set *set,
					  uint64_t start, uint64_t last)
{
	const struct emu_resv *best = NULL;
	size_t i;

	for (i = 0; i < set->nr; i++) {
		const struct emu_resv *r = &set->v[i];

		if (r->last < start || r->start > last)
			continue;
		if (!best || r->start < best->start)
			best = r;
	}
	return best;
}
