/* SPDX-License-Identifier: MIT */
/*
 * The area store of one IOAS: the set of mapped IOVA intervals.
 *
 * Semantics: areas are closed intervals [iova, last] that never overlap;
 * the store keeps them in ascending IOVA order. Callers check for overlap
 * before inserting (the store does not), because the errno of a conflict
 * depends on the operation (EEXIST for MAP, EADDRINUSE for a reservation).
 *
 * Ownership: the store owns its areas. A struct emu_area pointer handed out
 * stays valid only until the next insert or remove on the same store; the
 * present implementation is a sorted array and may move elements. An
 * interval tree can replace it behind this interface.
 */
#ifndef EMU_AREA_H
#define EMU_AREA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_area {
	uint64_t iova;
	uint64_t last;		/* inclusive */
	uint64_t user_va;
	bool writeable;
	uint64_t pinned;	/* pages pinned for this area, 0 when none */
};

struct emu_area_store {
	struct emu_area *v;
	size_t nr;
	size_t cap;
};

void emu_area_store_init(struct emu_area_store *s);
/* Frees the storage; the caller has already dropped any pins. */
void emu_area_store_fini(struct emu_area_store *s);

static inline size_t emu_area_store_count(const struct emu_area_store *s)
{
	return s->nr;
}

/* The lowest area intersecting [start, last], or NULL. */
struct emu_area *emu_area_first_hit(const struct emu_area_store *s,
				    uint64_t start, uint64_t last);

/* The first area in the store, or NULL when empty. */
struct emu_area *emu_area_first(const struct emu_area_store *s);

/* The area after @area in IOVA order, or NULL. */
struct emu_area *emu_area_next(const struct emu_area_store *s,
			       const struct emu_area *area);

/*
 * Insert a copy of @tmpl, which must not overlap any area. Returns 0 or
 * -ENOMEM (store unchanged).
 */
int emu_area_insert(struct emu_area_store *s, const struct emu_area *tmpl);

/* Remove @area (a pointer obtained from this store). */
void emu_area_remove(struct emu_area_store *s, struct emu_area *area);

#endif /* EMU_AREA_H */
