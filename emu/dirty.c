// SPDX-License-Identifier: MIT
/*
 * Dirty interval sets (dirty.h): a sorted array, found into by binary
 * search. Inserting shifts the tail, which is cheap for the usual cases:
 * a handful of ranges, or many pages dirtied in ascending order.
 */
#include <errno.h>
#include <string.h>

#include "dirty.h"
#include "heap.h"

void emu_dirty_init(struct emu_dirty *d, struct emu_heap *heap)
{
	d->v = NULL;
	d->nr = 0;
	d->cap = 0;
	d->heap = heap;
}

void emu_dirty_fini(struct emu_dirty *d)
{
	emu_heap_free(d->heap, d->v);
	emu_dirty_init(d, d->heap);
}

static int emu_dirty_reserve(struct emu_dirty *d, size_t extra)
{
	struct emu_iova_range *nv;
	size_t ncap;

	if (d->nr + extra <= d->cap)
		return 0;
	ncap = d->cap ? d->cap * 2 : 8;
	while (ncap < d->nr + extra)
		ncap *= 2;
	nv = emu_heap_realloc(d->heap, d->v, ncap * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	d->v = nv;
	d->cap = ncap;
	return 0;
}

int emu_dirty_add(struct emu_dirty *d, uint64_t start, uint64_t last)
{
	size_t i, j, lo, hi;
	int rc;

	rc = emu_dirty_reserve(d, 1);
	if (rc)
		return rc;
	/*
	 * Skip intervals that end before start - 1 (no touch, no merge): a
	 * binary search, since adds in ascending order (a bitmap of dirty
	 * pages) would otherwise be quadratic.
	 */
	for (lo = 0, hi = d->nr; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->v[mid].last != UINT64_MAX && d->v[mid].last + 1 < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = lo;
	/* Merge every interval that touches or overlaps [start, last]. */
	for (j = i; j < d->nr && (last == UINT64_MAX ||
				  d->v[j].start <= last + 1); j++) {
		if (d->v[j].start < start)
			start = d->v[j].start;
		if (d->v[j].last > last)
			last = d->v[j].last;
	}
	if (j == i) {
		memmove(&d->v[i + 1], &d->v[i], (d->nr - i) * sizeof(*d->v));
		d->nr++;
	} else if (j > i + 1) {
		memmove(&d->v[i + 1], &d->v[j], (d->nr - j) * sizeof(*d->v));
		d->nr -= j - i - 1;
	}
	d->v[i].start = start;
	d->v[i].last = last;
	return 0;
}

int emu_dirty_clear(struct emu_dirty *d, uint64_t start, uint64_t last)
{
	size_t i, kept = 0;
	int rc;

	/*
	 * Only an interval reaching past both ends is split in two; every
	 * other one is kept, trimmed or dropped in place.
	 */
	for (i = 0; i < d->nr; i++) {
		if (d->v[i].start < start && d->v[i].last > last) {
			rc = emu_dirty_reserve(d, 1);
			if (rc)
				return rc;
			memmove(&d->v[i + 1], &d->v[i],
				(d->nr - i) * sizeof(*d->v));
			d->nr++;
			d->v[i].last = start - 1;
			d->v[i + 1].start = last + 1;
			return 0;
		}
	}
	for (i = 0; i < d->nr; i++) {
		struct emu_iova_range r = d->v[i];

		if (r.last < start || r.start > last) {
			d->v[kept++] = r;
		} else if (r.start < start) {
			d->v[kept].start = r.start;
			d->v[kept++].last = start - 1;
		} else if (r.last > last) {
			d->v[kept].start = last + 1;
			d->v[kept++].last = r.last;
		}
	}
	d->nr = kept;
	return 0;
}
