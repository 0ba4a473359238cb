/* SPDX-License-Identifier: MIT */
/*
 * The area store of one IOAS: the set of mapped IOVA intervals, kept in an
 * intrusive AVL tree ordered by IOVA.
 *
 * Semantics: areas are closed intervals [iova, last] that never overlap,
 * so ordering by iova also orders by last, and "the lowest area reaching
 * past x" is a plain descent. Callers check for overlap before inserting
 * (the store does not), because the errno of a conflict depends on the
 * operation (EEXIST for MAP, EADDRINUSE for a reservation).
 *
 * Augmentation: every area records gap_before, the number of free IOVAs
 * between the previous area's last and its own iova (0 for the first
 * area), and max_gap, the largest gap_before in its subtree. Gaps are a
 * property of the sequence, not of the tree's shape, so rotations only
 * recompute max_gap; an insert or a removal changes the gap_before of one
 * neighbour, which always lies on the path the operation walks. With it,
 * automatic IOVA allocation finds the first hole of a given size in
 * O(log n) instead of walking every hole (emu_area_gap_next).
 *
 * Ownership: the store links areas the caller allocated; it never
 * allocates or frees. An area pointer stays valid while the area is in the
 * store. Every operation is O(log n); emu_area_next is O(log n) too (no
 * parent links, to keep an area small).
 */
#ifndef EMU_AREA_H
#define EMU_AREA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_pages;

struct emu_area {
	struct emu_area *left;		/* tree links: the store's */
	struct emu_area *right;
	uint64_t iova;
	uint64_t last;			/* inclusive */
	uint64_t gap_before;		/* free IOVAs since the previous area */
	uint64_t max_gap;		/* max gap_before in this subtree */
	struct emu_pages *pages;	/* the user memory behind the area */
	uint64_t user_va;		/* user VA of the byte at iova */
	uint8_t height;			/* AVL height, leaf = 1 */
	bool writeable;			/* mapped with IOMMU_IOAS_MAP_WRITEABLE */
	bool loaded;			/* in the domains of its IOAS: pinned */
};

struct emu_area_store {
	struct emu_area *root;
	size_t nr;
};

void emu_area_store_init(struct emu_area_store *s);

static inline size_t emu_area_store_count(const struct emu_area_store *s)
{
	return s->nr;
}

/* The lowest area intersecting [start, last], or NULL. */
struct emu_area *emu_area_first_hit(const struct emu_area_store *s,
				    uint64_t start, uint64_t last);

/* The first area in the store, or NULL when empty. */
struct emu_area *emu_area_first(const struct emu_area_store *s);

/* The last area in the store, or NULL when empty. */
struct emu_area *emu_area_last(const struct emu_area_store *s);

/* The area after @area in IOVA order, or NULL. */
struct emu_area *emu_area_next(const struct emu_area_store *s,
			       const struct emu_area *area);

/*
 * The first area after @after (NULL: from the start) whose gap_before is
 * at least @need (> 0), or NULL. The hole is
 * [area->iova - area->gap_before, area->iova - 1].
 */
struct emu_area *emu_area_gap_next(const struct emu_area_store *s,
				   const struct emu_area *after,
				   uint64_t need);

/*
 * Link @area (iova and last set, not overlapping any area of the store).
 * Never fails.
 */
void emu_area_insert(struct emu_area_store *s, struct emu_area *area);

/* Unlink @area, which is in the store. */
void emu_area_remove(struct emu_area_store *s, struct emu_area *area);

#endif /* EMU_AREA_H */
