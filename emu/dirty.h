/* SPDX-License-Identifier: MIT */
/*
 * The dirty state of one domain: a set of IOVA intervals whose IOMMU PTEs
 * have the dirty bit set, kept sorted, disjoint and merged. Callers add
 * and clear whole IOMMU pages; the set itself works on any bounds.
 */
#ifndef EMU_DIRTY_H
#define EMU_DIRTY_H

#include <stddef.h>
#include <stdint.h>

#include <emu/emu.h>

struct emu_heap;

struct emu_dirty {
	struct emu_iova_range *v;
	size_t nr;
	size_t cap;
	struct emu_heap *heap;	/* where the array comes from (heap.h) */
};

/* An empty set whose array comes from @heap (NULL: libc). */
void emu_dirty_init(struct emu_dirty *d, struct emu_heap *heap);
void emu_dirty_fini(struct emu_dirty *d);
/* Add [start, last]: 0 or -ENOMEM (set unchanged). */
int emu_dirty_add(struct emu_dirty *d, uint64_t start, uint64_t last);
/*
 * Remove [start, last]: 0 or -ENOMEM (splitting an interval needs room;
 * the set is unchanged then).
 */
int emu_dirty_clear(struct emu_dirty *d, uint64_t start, uint64_t last);

#endif /* EMU_DIRTY_H */
