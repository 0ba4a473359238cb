/* SPDX-License-Identifier: MIT */
/*
 * Containers: one IOAS of one backend inside one space.
 *
 * Invariant: a published container's IOAS holds exactly the space's regions,
 * each mapped at its IOVA. A new container is therefore filled with every
 * region of the space (the listener replay) before any device is attached
 * to it, and a failed replay destroys the IOAS, which unmaps whatever the
 * replay had mapped: the kernel's DESTROY of an IOAS drops all its areas.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

int iofd_container_map(struct iofd_container *c, const struct iofd_region *r,
		       struct iofd_error *err)
{
	return iofd_backend_map(c->be, c->ioas_id, r->iova, r->size, r->vaddr,
				r->readonly, err);
}

int iofd_container_unmap(struct iofd_container *c,
			 const struct iofd_region *r, struct iofd_error *err)
{
	return iofd_backend_unmap(c->be, c->ioas_id, r->iova, r->size, err);
}

int iofd_container_create(struct iofd_space *space, struct iofd_backend *be,
			  struct iofd_container **out, struct iofd_error *err)
{
	struct iofd_container *c;
	size_t i;
	int ret;

	c = iofd_zalloc(space->ctx, sizeof(*c));
	if (!c)
		return iofd_err_set(err, ENOMEM, "new container");
	c->space = space;
	c->be = be;
	iofd_list_init(&c->devices);
	iofd_list_init(&c->hwpts);
	c->iova_alignment = 1;

	ret = iofd_backend_alloc_ioas(be, &c->ioas_id, err);
	if (ret)
		goto err_free_container;

	for (i = 0; i < space->nr_regions; i++) {
		ret = iofd_container_map(c, &space->regions[i], err);
		if (ret) {
			iofd_error_prepend(err, "replay into IOAS %u",
					   c->ioas_id);
			goto err_free_ioas;
		}
	}

	iofd_list_add_tail(&space->containers, &c->space_node);
	*out = c;
	return 0;

err_free_ioas:
	/*
	 * Drops the areas the replay made; the first error is the one told.
	 * The container's memory goes with the IOAS (or stays its entry on
	 * the stranded list).
	 */
	iofd_backend_release(be, c->ioas_id, c, NULL);
	return ret;
err_free_container:
	iofd_free(space->ctx, c);
	return ret;
}

int iofd_container_destroy(struct iofd_container *c, struct iofd_error *err)
{
	int ret;

	/*
	 * If DESTROY fails the IOAS stays in the kernel: the backend keeps
	 * it on its stranded list and destroys it again later.
	 */
	iofd_list_del(&c->space_node);
	iofd_free(c->space->ctx, c->ranges);
	ret = iofd_backend_release(c->be, c->ioas_id, c, err);
	return ret;
}

/*
 * Ask the kernel what IOVA is usable now (each attached device adds its
 * reserved regions, each domain its aperture). Called after every attach;
 * on failure the old ranges stay.
 */
int iofd_container_refresh_ranges(struct iofd_container *c,
				  struct iofd_error *err)
{
	struct iofd_iova_range *ranges;
	uint64_t align;
	size_t count;
	int ret;

	ret = iofd_backend_iova_ranges(c->be, c->ioas_id, &ranges, &count,
				       &align, err);
	if (ret)
		return ret;
	iofd_free(c->space->ctx, c->ranges);
	c->ranges = ranges;
	c->nr_ranges = count;
	c->iova_alignment = align;
	return 0;
}

/* A region must lie wholly inside one usable range of every container. */
int iofd_container_check_region(const struct iofd_container *c,
				const struct iofd_region *r,
				struct iofd_error *err)
{
	uint64_t last = r->iova + r->size - 1;
	size_t i;

	/* A published container has had a device attach: ranges are known. */
	for (i = 0; i < c->nr_ranges; i++)
		if (r->iova >= c->ranges[i].start && last <= c->ranges[i].last)
			return 0;
	return iofd_err_set(err, EINVAL,
			    "region 0x%llx-0x%llx is outside the usable IOVA of IOAS %u",
			    (unsigned long long)r->iova,
			    (unsigned long long)last, c->ioas_id);
}

size_t iofd_container_iova_range_count(const struct iofd_container *c)
{
	return c->nr_ranges;
}

const struct iofd_iova_range *
iofd_container_iova_range_get(const struct iofd_container *c, size_t idx)
{
	return idx < c->nr_ranges ? &c->ranges[idx] : NULL;
}

uint64_t iofd_container_iova_alignment(const struct iofd_container *c)
{
	return c->iova_alignment;
}

uint32_t iofd_container_ioas(const struct iofd_container *c)
{
	return c->ioas_id;
}

struct iofd_backend *iofd_container_backend(const struct iofd_container *c)
{
	return c->be;
}

size_t iofd_container_device_count(const struct iofd_container *c)
{
	return iofd_list_count(&c->devices);
}

struct iofd_device *iofd_container_device_get(const struct iofd_container *c,
					      size_t idx)
{
	struct iofd_list *n = iofd_list_nth(&c->devices, idx);

	return n ? iofd_container_of(n, struct iofd_device, container_node) :
		   NULL;
}
