// SPDX-License-Identifier: MIT
/*
 * The hole iterator (hole.h). Each step finds the used interval (area or
 * reservation) that starts lowest among those reaching into the rest of
 * the window; what lies before it is a hole, and the walk resumes after its
 * end. Reservations may overlap each other, so an interval starting before
 * the cursor can still push the cursor forward. Cursor arithmetic never
 * runs past the window end, which may be U64_MAX.
 */
#include "hole.h"

void emu_hole_iter_init(struct emu_hole_iter *it,
			const struct emu_area_store *areas,
			const struct emu_resv_set *resv, uint64_t start,
			uint64_t last)
{
	it->areas = areas;
	it->resv = resv;
	it->next = start;
	it->last = last;
	it->done = start > last;
}

/* The used interval reaching into [it->next, it->last] that starts lowest. */
static bool emu_hole_first_used(const struct emu_hole_iter *it,
				uint64_t *ustart, uint64_t *ulast)
{
	const struct emu_resv *r;
	const struct emu_area *a = NULL;
	bool found = false;

	if (it->areas)
		a = emu_area_first_hit(it->areas, it->next, it->last);
	if (a) {
		*ustart = a->iova;
		*ulast = a->last;
		found = true;
	}
	r = emu_resv_first_hit(it->resv, it->next, it->last);
	if (r && (!found || r->start < *ustart)) {
		*ustart = r->start;
		*ulast = r->last;
		found = true;
	}
	return found;
}

bool emu_hole_iter_next(struct emu_hole_iter *it, uint64_t *start,
			uint64_t *last)
{
	uint64_t ustart, ulast;

	while (!it->done) {
		if (!emu_hole_first_used(it, &ustart, &ulast)) {
			*start = it->next;
			*last = it->last;
			it->done = true;
			return true;
		}
		if (ustart > it->next) {
			*start = it->next;
			*last = ustart - 1;
			if (ulast >= it->last)
				it->done = true;
			else
				it->next = ulast + 1;
			return true;
		}
		if (ulast >= it->last)
			it->done = true;
		else
			it->next = ulast + 1;
	}
	return false;
}
