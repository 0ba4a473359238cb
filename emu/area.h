/* SPDX-License-Identifier: MIT */
/*
 * The area store of one IOAS: the set of mapped IOVA intervals, indexed by
 * a B+tree ordered by IOVA whose nodes hold their keys inline.
 *
 * Semantics: areas are closed intervals [iova, last] that never overlap,
 * so ordering by iova also orders by last, and "the lowest area reaching
 * past x" is a plain descent. Callers check for overlap before inserting
 * (the store does not), because the errno of a conflict depends on the
 * operation (EEXIST for MAP, EADDRINUSE for a reservation).
 *
 * Why a B+tree: at a million areas a lookup that chases one pointer per
 * level misses the cache at every level below the top few. A leaf here
 * holds the iova and last of up to 16 areas side by side (area.c), so the
 * bottom of a lookup is one node, a few adjacent cache lines fetched
 * together, instead of five to seven binary-tree nodes one after the
 * other; and lookups, first_hit included, are answered from the leaf
 * without touching the areas themselves.
 *
 * Augmentation: the gap of an area is the number of free IOVAs between
 * the previous area's last and its own iova (0 for the first area). Gaps
 * of a leaf's areas are computed from its keys (the first one's is stored
 * in the leaf), and every inner node records the largest gap under each
 * child. With it, automatic IOVA allocation finds the first hole of a
 * given size in O(log n) instead of walking every hole (emu_area_gap_next).
 *
 * Ownership: the store links areas the caller allocated and never frees
 * them; it allocates its own tree nodes, so an insert can fail (-ENOMEM,
 * store unchanged), and a removal never allocates. An area pointer stays
 * valid while the area is in the store (nodes hold pointers to areas;
 * areas never move). Every operation is O(log n), emu_area_next included
 * (no parent or sibling links: it descends again, and the nodes it walks
 * are usually still cached).
 */
#ifndef EMU_AREA_H
#define EMU_AREA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_heap;
struct emu_pages;
struct emu_area_node;

/* What an area lets the device do (the IOMMU PTE's permissions). */
#define EMU_PROT_READ	1u
#define EMU_PROT_WRITE	2u

struct emu_area {
	uint64_t iova;
	uint64_t last;			/* inclusive */
	struct emu_pages *pages;	/* the user memory behind the area */
	uint64_t user_va;		/* user VA of the byte at iova */
	bool readable;			/* the device may read it */
	bool writeable;			/* the device may write it */
	bool loaded;			/* in the domains of its IOAS: pinned */
	uint32_t num_accesses;		/* access pins inside it (access.h) */
};

struct emu_area_store {
	struct emu_area_node *root;	/* NULL when empty */
	unsigned int height;		/* levels, the leaves included */
	size_t nr;
	struct emu_heap *heap;		/* where nodes come from (heap.h) */
};

/* An empty store whose nodes come from @heap (NULL: libc). */
void emu_area_store_init(struct emu_area_store *s, struct emu_heap *heap);
/* Free the tree nodes of an empty store. */
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

/* The last area in the store, or NULL when empty. */
struct emu_area *emu_area_last(const struct emu_area_store *s);

/* The area after @area in IOVA order, or NULL. */
struct emu_area *emu_area_next(const struct emu_area_store *s,
			       const struct emu_area *area);

/*
 * The first area after @after (NULL: from the start) whose gap is at
 * least @need (> 0), or NULL. *@gap gets that gap: the hole is
 * [area->iova - *gap, area->iova - 1].
 */
struct emu_area *emu_area_gap_next(const struct emu_area_store *s,
				   const struct emu_area *after,
				   uint64_t need, uint64_t *gap);

/*
 * Link @area (iova and last set, not overlapping any area of the store):
 * 0, or -ENOMEM when a tree node cannot be allocated (nothing changed).
 */
int emu_area_insert(struct emu_area_store *s, struct emu_area *area);

/* Unlink @area, which is in the store. Never fails. */
void emu_area_remove(struct emu_area_store *s, struct emu_area *area);

#endif /* EMU_AREA_H */
