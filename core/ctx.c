/* SPDX-License-Identifier: MIT */
/*
 * The context: the root every other object hangs from. It holds the host
 * table the core calls through and the trace sink, and lists every backend,
 * space and device so that iofd_ctx_destroy can take down whatever a caller
 * left behind, devices first (they hold connections and containers).
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

int iofd_ctx_create(const struct iofd_host *host, struct iofd_ctx **out,
		    struct iofd_error *err)
{
	struct iofd_ctx *ctx;

	if (!out)
		return iofd_err_set(err, EINVAL,
				    "create context: no out pointer for the context");
	if (!host || !host->ops)
		return iofd_err_set(err, EINVAL,
				    "create context: no host (or a host without ops)");
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return iofd_err_set(err, ENOMEM, "create context");
	ctx->host = *host;
	ctx->alloc = &iofd_libc_alloc;
	ctx->kvm_vfio_fd = -1;
	iofd_list_init(&ctx->backends);
	iofd_list_init(&ctx->spaces);
	iofd_list_init(&ctx->devices);
	*out = ctx;
	return 0;
}

void iofd_ctx_destroy(struct iofd_ctx *ctx)
{
	struct iofd_list *pos, *tmp;

	if (!ctx)
		return;
	iofd_list_for_each_safe(pos, tmp, &ctx->devices)
		iofd_device_detach(iofd_container_of(pos, struct iofd_device,
						     ctx_node), NULL);
	iofd_list_for_each_safe(pos, tmp, &ctx->spaces)
		iofd_space_destroy(iofd_container_of(pos, struct iofd_space,
						     ctx_node));
	/*
	 * Connections a caller took with iofd_backend_connect and never
	 * dropped are closed here: the context is going away.
	 */
	iofd_list_for_each_safe(pos, tmp, &ctx->backends) {
		struct iofd_backend *be = iofd_container_of(pos,
				struct iofd_backend, ctx_node);

		while (be->users)
			iofd_backend_disconnect(be);
		iofd_backend_destroy(be);
	}
	free(ctx);
}
