/* SPDX-License-Identifier: MIT */
/*
 * Spaces: an address space and the RAM regions its user added.
 *
 * Regions are kept sorted by IOVA and never overlap. Adding or removing one
 * is all or nothing across the space's containers: the containers already
 * changed are changed back when a later one refuses, so that every
 * container's IOAS keeps holding exactly the space's regions. Memory for
 * the new region is reserved before the first map, so nothing can fail
 * after the kernel has been changed everywhere.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int iofd_space_create(struct iofd_ctx *ctx, struct iofd_space **out,
		      struct iofd_error *err)
{
	struct iofd_space *space;

	space = iofd_zalloc(ctx, sizeof(*space));
	if (!space)
		return iofd_err_set(err, ENOMEM, "create space");
	space->ctx = ctx;
	space->in_sync = true;
	iofd_list_init(&space->containers);
	iofd_list_add_tail(&ctx->spaces, &space->ctx_node);
	*out = space;
	return 0;
}

int iofd_space_destroy(struct iofd_space *space)
{
	if (!iofd_list_empty(&space->containers))
		return -EBUSY;
	iofd_list_del(&space->ctx_node);
	iofd_free(space->ctx, space->regions);
	iofd_free(space->ctx, space);
	return 0;
}

/* Index of the first region whose iova is >= @iova. */
static size_t iofd_space_lower_bound(const struct iofd_space *space,
				     uint64_t iova)
{
	size_t lo = 0, hi = space->nr_regions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (space->regions[mid].iova < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int iofd_space_reserve(struct iofd_space *space)
{
	struct iofd_region *grown;
	size_t cap;

	if (space->nr_regions < space->cap_regions)
		return 0;
	cap = space->cap_regions ? space->cap_regions * 2 : 8;
	grown = iofd_realloc_array(space->ctx, space->regions, cap,
				   sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	space->regions = grown;
	space->cap_regions = cap;
	return 0;
}

/*
 * Undo one container's part of a region add (unmap) or remove (map back).
 * The undo restores a state the kernel just had, so it is tried twice: a
 * transient failure must not leave the container's IOAS differing from its
 * space. If both tries fail the container is left differing: the space is
 * marked out of sync for good (iofd_space_in_sync) and the trace says so.
 */
static void iofd_space_undo(struct iofd_container *c,
			    const struct iofd_region *r, bool map)
{
	int tries;

	for (tries = 0; tries < 2; tries++)
		if ((map ? iofd_container_map(c, r, NULL) :
			   iofd_container_unmap(c, r, NULL)) == 0)
			return;
	c->space->in_sync = false;
	iofd_trace_fail(c->space->ctx, NULL,
			map ? "undo remove region" : "undo add region", EIO);
}

int iofd_space_region_add(struct iofd_space *space,
			  const struct iofd_region *region,
			  struct iofd_error *err)
{
	struct iofd_list *pos, *undo;
	uint64_t last;
	size_t idx;
	int ret;

	if (!region)
		return iofd_err_set(err, EINVAL, "add region: no region");
	if (region->size == 0)
		return iofd_err_set(err, EINVAL, "add region at 0x%llx: size 0",
				    (unsigned long long)region->iova);
	/*
	 * Checked here, not left to the kernel: an IOAS with no device yet
	 * takes any alignment and does not touch the memory, so such a
	 * region would be accepted now and make every later attach of the
	 * space fail (its replay, or the domain's alignment check).
	 */
	if (!region->vaddr)
		return iofd_err_set(err, EINVAL,
				    "add region at 0x%llx size 0x%llx: vaddr is NULL",
				    (unsigned long long)region->iova,
				    (unsigned long long)region->size);
	if ((region->iova | region->size | (uintptr_t)region->vaddr) %
	    IOFD_REGION_ALIGN)
		return iofd_err_set(err, EINVAL,
				    "add region at 0x%llx size 0x%llx vaddr %p: not aligned to %u bytes",
				    (unsigned long long)region->iova,
				    (unsigned long long)region->size,
				    region->vaddr, IOFD_REGION_ALIGN);
	if (__builtin_add_overflow(region->iova, region->size - 1, &last))
		return iofd_err_set(err, EOVERFLOW,
				    "add region at 0x%llx size 0x%llx",
				    (unsigned long long)region->iova,
				    (unsigned long long)region->size);

	idx = iofd_space_lower_bound(space, region->iova);
	if ((idx < space->nr_regions && space->regions[idx].iova <= last) ||
	    (idx > 0 && space->regions[idx - 1].iova +
			space->regions[idx - 1].size - 1 >= region->iova))
		return iofd_err_set(err, EEXIST,
				    "add region at 0x%llx size 0x%llx: overlaps a region",
				    (unsigned long long)region->iova,
				    (unsigned long long)region->size);

	iofd_list_for_each(pos, &space->containers) {
		ret = iofd_container_check_region(iofd_container_of(pos,
				struct iofd_container, space_node), region, err);
		if (ret) {
			iofd_error_prepend(err, "add region");
			return ret;
		}
	}

	ret = iofd_space_reserve(space);
	if (ret)
		return iofd_err_set(err, -ret, "add region");

	iofd_list_for_each(pos, &space->containers) {
		struct iofd_container *c = iofd_container_of(pos,
				struct iofd_container, space_node);

		ret = iofd_container_map(c, region, err);
		if (ret) {
			iofd_error_prepend(err, "add region");
			goto err_unmap_done;
		}
	}

	memmove(&space->regions[idx + 1], &space->regions[idx],
		(space->nr_regions - idx) * sizeof(*space->regions));
	space->regions[idx] = *region;
	space->nr_regions++;
	return 0;

err_unmap_done:
	for (undo = space->containers.next; undo != pos; undo = undo->next)
		iofd_space_undo(iofd_container_of(undo, struct iofd_container,
						  space_node), region, false);
	return ret;
}

int iofd_space_region_del(struct iofd_space *space, uint64_t iova,
			  uint64_t size, struct iofd_error *err)
{
	struct iofd_list *pos, *undo;
	struct iofd_region region;
	size_t idx;
	int ret;

	idx = iofd_space_lower_bound(space, iova);
	if (idx == space->nr_regions || space->regions[idx].iova != iova ||
	    space->regions[idx].size != size)
		return iofd_err_set(err, ENOENT,
				    "remove region at 0x%llx size 0x%llx: no such region",
				    (unsigned long long)iova,
				    (unsigned long long)size);
	region = space->regions[idx];

	iofd_list_for_each(pos, &space->containers) {
		struct iofd_container *c = iofd_container_of(pos,
				struct iofd_container, space_node);

		/* The dirty bits of the range go with the mapping: read them. */
		iofd_dirty_flush(c, &region);
		ret = iofd_container_unmap(c, &region, err);
		if (ret) {
			iofd_error_prepend(err, "remove region");
			goto err_remap_done;
		}
	}

	memmove(&space->regions[idx], &space->regions[idx + 1],
		(space->nr_regions - idx - 1) * sizeof(*space->regions));
	space->nr_regions--;
	return 0;

err_remap_done:
	for (undo = space->containers.next; undo != pos; undo = undo->next)
		iofd_space_undo(iofd_container_of(undo, struct iofd_container,
						  space_node), &region, true);
	return ret;
}

size_t iofd_space_region_count(const struct iofd_space *space)
{
	return space->nr_regions;
}

const struct iofd_region *iofd_space_region_get(const struct iofd_space *space,
						size_t idx)
{
	return idx < space->nr_regions ? &space->regions[idx] : NULL;
}

size_t iofd_space_container_count(const struct iofd_space *space)
{
	return iofd_list_count(&space->containers);
}

struct iofd_container *iofd_space_container_get(const struct iofd_space *space,
						size_t idx)
{
	struct iofd_list *n = iofd_list_nth(&space->containers, idx);

	return n ? iofd_container_of(n, struct iofd_container, space_node) :
		   NULL;
}

bool iofd_space_in_sync(const struct iofd_space *space)
{
	return space->in_sync;
}
