/* SPDX-License-Identifier: MIT */
/*
 * Hole iteration over an IOAS's used IOVA: the maximal sub-intervals of a
 * window that are neither reserved nor (optionally) mapped, in ascending
 * order. IOVA_RANGES walks the holes of the reserved set alone; automatic
 * IOVA allocation walks the holes of reserved + areas.
 *
 * The iterator reads the stores it was given and must not outlive a change
 * to them.
 */
#ifndef EMU_HOLE_H
#define EMU_HOLE_H

#include <stdbool.h>
#include <stdint.h>

#include "area.h"
#include "resv.h"

struct emu_hole_iter {
	const struct emu_area_store *areas;	/* NULL: areas do not count */
	const struct emu_resv_set *resv;
	uint64_t next;		/* first IOVA not yet classified */
	uint64_t last;		/* window end, inclusive */
	bool done;
};

void emu_hole_iter_init(struct emu_hole_iter *it,
			const struct emu_area_store *areas,
			const struct emu_resv_set *resv, uint64_t start,
			uint64_t last);

/* The next hole as [*start, *last]; false when there is none left. */
bool emu_hole_iter_next(struct emu_hole_iter *it, uint64_t *start,
			uint64_t *last);

#endif /* EMU_HOLE_H */
