/* SPDX-License-Identifier: MIT */
/*
 * Dirty tracking across the HWPTs of a container. A container tracks only
 * when every one of its devices sits on a HWPT libiofd allocated with dirty
 * tracking (it stops tracking when its last such HWPT goes); switching
 * is all or nothing (HWPTs already switched are switched back when one
 * refuses). The bits of one range are read from every HWPT into one bitmap
 * (the kernel sets bits, never clears them). Before a region is unmapped
 * while tracking is on, its bits are read and handed to the user's sink:
 * after the unmap they are gone with the mapping.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/iommufd.h>

#include "internal.h"

#define IOFD_DIRTY_PAGE 4096u

void iofd_ctx_set_dirty_sink(struct iofd_ctx *ctx, iofd_dirty_fn fn, void *arg)
{
	ctx->dirty_fn = fn;
	ctx->dirty_arg = arg;
}

bool iofd_container_dirty_capable(const struct iofd_container *c)
{
	struct iofd_list *pos;

	if (iofd_list_empty(&c->hwpts))
		return false;
	/* A device on a domain the kernel chose has no HWPT of ours to ask. */
	iofd_list_for_each(pos, &c->devices)
		if (!iofd_container_of(pos, struct iofd_device,
				       container_node)->hwpt)
			return false;
	iofd_list_for_each(pos, &c->hwpts)
		if (!(iofd_container_of(pos, struct iofd_hwpt,
					container_node)->flags &
		      IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
			return false;
	return true;
}

bool iofd_container_dirty_tracking(const struct iofd_container *c)
{
	return c->dirty_tracking;
}

int iofd_container_set_dirty_tracking(struct iofd_container *c, bool enable,
				      struct iofd_error *err)
{
	struct iofd_list *pos, *undo;
	int ret;

	if (!iofd_container_dirty_capable(c))
		return iofd_err_set(err, EOPNOTSUPP,
				    "dirty tracking in IOAS %u: a HWPT cannot track",
				    c->ioas_id);
	iofd_list_for_each(pos, &c->hwpts) {
		struct iofd_hwpt *hwpt = iofd_container_of(pos,
				struct iofd_hwpt, container_node);

		ret = iofd_backend_set_dirty_tracking(c->be, hwpt->id, enable,
						      err);
		if (ret)
			goto err_switch_back;
	}
	c->dirty_tracking = enable;
	return 0;

err_switch_back:
	for (undo = c->hwpts.next; undo != pos; undo = undo->next)
		iofd_backend_set_dirty_tracking(c->be,
				iofd_container_of(undo, struct iofd_hwpt,
						  container_node)->id,
				!enable, NULL);
	return ret;
}

int iofd_container_query_dirty(struct iofd_container *c, uint64_t iova,
			       uint64_t size, uint64_t page_size,
			       uint64_t *bitmap, struct iofd_error *err)
{
	struct iofd_list *pos;
	int ret;

	if (!c->dirty_tracking)
		return iofd_err_set(err, EINVAL,
				    "dirty bits of IOAS %u: tracking is off",
				    c->ioas_id);
	iofd_list_for_each(pos, &c->hwpts) {
		ret = iofd_backend_get_dirty_bitmap(c->be,
				iofd_container_of(pos, struct iofd_hwpt,
						  container_node)->id,
				iova, size, page_size, bitmap, err);
		if (ret)
			return ret;
	}
	return 0;
}

void iofd_dirty_flush(struct iofd_container *c, const struct iofd_region *r)
{
	struct iofd_ctx *ctx = c->space->ctx;
	uint64_t *bitmap;
	size_t words;

	if (!c->dirty_tracking || !ctx->dirty_fn)
		return;
	words = (size_t)((r->size / IOFD_DIRTY_PAGE + 63) / 64);
	bitmap = iofd_zalloc(ctx, (words ? words : 1) * sizeof(*bitmap));
	if (!bitmap) {
		iofd_trace_fail(ctx, NULL, "dirty flush", ENOMEM);
		return;
	}
	/*
	 * A failed read cannot stop the unmap the user asked for; it is
	 * traced by the backend verb and the sink is not called.
	 */
	if (iofd_container_query_dirty(c, r->iova, r->size, IOFD_DIRTY_PAGE,
				       bitmap, NULL) == 0)
		ctx->dirty_fn(ctx->dirty_arg, r->iova, r->size,
			      IOFD_DIRTY_PAGE, bitmap);
	iofd_free(ctx, bitmap);
}
