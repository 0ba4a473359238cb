/* SPDX-License-Identifier: MIT */
/*
 * RAM discard accounting. A device whose DMA goes through pinned guest RAM
 * must not see that RAM discarded behind its back (a balloon returning a
 * page the IOMMU still maps), so attaching one disables uncoordinated
 * discard, and something that needs discard (a balloon) cannot coexist with
 * it: whichever comes second gets EBUSY. The two counts live on the ctx;
 * a device remembers whether it holds one disable, so every unwind gives
 * back exactly what it took.
 */
#include <errno.h>

#include "internal.h"

int iofd_ctx_require_discard(struct iofd_ctx *ctx, bool required,
			     struct iofd_error *err)
{
	if (!required) {
		if (ctx->discard_required == 0)
			return iofd_err_set(err, EINVAL,
					    "RAM discard: not required");
		ctx->discard_required--;
		return 0;
	}
	if (ctx->discard_disablers)
		return iofd_err_set(err, EBUSY,
				    "RAM discard: disabled by %u attached device(s)",
				    ctx->discard_disablers);
	ctx->discard_required++;
	return 0;
}

unsigned int iofd_ctx_discard_disablers(const struct iofd_ctx *ctx)
{
	return ctx->discard_disablers;
}

int iofd_discard_disable(struct iofd_device *dev, struct iofd_error *err)
{
	struct iofd_ctx *ctx = dev->ctx;

	if (dev->flags & IOFD_DEVICE_DISCARD_OK)
		return 0;
	/*
	 * The error is set here, before any unwind runs: QEMU once unwound
	 * from this step with its Error still NULL.
	 */
	if (ctx->discard_required) {
		iofd_trace_fail(ctx, dev->name, "disable discard", EBUSY);
		return iofd_err_set(err, EBUSY,
				    "device %s: cannot disable RAM discard, it is required",
				    dev->name);
	}
	ctx->discard_disablers++;
	dev->discard_disabled = true;
	return 0;
}

void iofd_discard_enable(struct iofd_device *dev)
{
	if (!dev->discard_disabled)
		return;
	dev->ctx->discard_disablers--;
	dev->discard_disabled = false;
}
