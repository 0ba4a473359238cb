/* SPDX-License-Identifier: MIT */
/*
 * The reserved-IOVA set of one IOAS: intervals that may never be mapped,
 * each tagged with the owner that put it there (a domain's aperture
 * complement, an attached device's reserved regions). Intervals of different
 * owners may overlap; an owner removes all of its own intervals at once.
 *
 * The set does not look at areas: the IOAS checks mapped IOVA before adding
 * a reservation (EADDRINUSE) and checks reservations before mapping
 * (EINVAL), because each side owns its own errno.
 */
#ifndef EMU_RESV_H
#define EMU_RESV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_resv {
	uint64_t start;
	uint64_t last;		/* inclusive */
	const void *owner;
};

struct emu_heap;

struct emu_resv_set {
	struct emu_resv *v;
	size_t nr;
	size_t cap;
	struct emu_heap *heap;	/* where the array comes from (heap.h) */
};

/* An empty set whose array comes from @heap (NULL: libc). */
void emu_resv_init(struct emu_resv_set *set, struct emu_heap *heap);
void emu_resv_fini(struct emu_resv_set *set);

/* Add [start, last] for @owner. Returns 0 or -ENOMEM (set unchanged). */
int emu_resv_add(struct emu_resv_set *set, uint64_t start, uint64_t last,
		 const void *owner);

/* Drop every interval @owner added. */
void emu_resv_remove_owner(struct emu_resv_set *set, const void *owner);

/*
 * Among the intervals intersecting [start, last], the one that starts
 * lowest; NULL when none does.
 */
const struct emu_resv *emu_resv_first_hit(const struct emu_resv_set *set,
					  uint64_t start, uint64_t last);

#endif /* EMU_RESV_H */
