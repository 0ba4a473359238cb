/* SPDX-License-Identifier: MIT */
/*
 * The objects behind the opaque handles of iofd.h, and the helpers the core's
 * files share. Nothing here is exported from libiofd.
 *
 * Ownership: the ctx owns its backends, spaces and devices (one list each);
 * a space owns its containers; a container references its backend (one
 * connection per attached device keeps the backend open) and lists its
 * devices through device->container_node. A device sits on two lists, the
 * ctx's (ctx_node) and its container's (container_node).
 */
#ifndef IOFD_CORE_INTERNAL_H
#define IOFD_CORE_INTERNAL_H

#include <iofd/iofd.h>

#include "list.h"

#define IOFD_HIDDEN __attribute__((visibility("hidden")))

struct iofd_ctx {
	struct iofd_host host;
	iofd_trace_fn trace_fn;
	void *trace_arg;
	struct iofd_list backends;
	struct iofd_list spaces;
	struct iofd_list devices;
};

struct iofd_backend {
	struct iofd_ctx *ctx;
	struct iofd_list ctx_node;
	int fd;			/* -1 while users == 0 */
	unsigned int users;
};

struct iofd_space {
	struct iofd_ctx *ctx;
	struct iofd_list ctx_node;
	struct iofd_region *regions;	/* sorted by iova, no overlap */
	size_t nr_regions;
	size_t cap_regions;
	struct iofd_list containers;
};

struct iofd_container {
	struct iofd_space *space;
	struct iofd_list space_node;
	struct iofd_backend *be;
	uint32_t ioas_id;
	struct iofd_list devices;
};

struct iofd_device {
	struct iofd_ctx *ctx;
	struct iofd_list ctx_node;
	struct iofd_list container_node;
	char name[IOFD_DEVICE_NAME_MAX];
	int fd;
	uint32_t devid;
	uint32_t hwpt_id;
	struct iofd_backend *be;
	struct iofd_container *container;
	struct iofd_device_info info;
};

/* error.c: set @err (if any) and return -@errnum. */
IOFD_HIDDEN int iofd_err_set(struct iofd_error *err, int errnum,
			     const char *fmt, ...) IOFD_PRINTF(3, 4);

/* trace.c */
IOFD_HIDDEN void iofd_trace(const struct iofd_ctx *ctx,
			    const struct iofd_trace_event *ev);
IOFD_HIDDEN void iofd_trace_fail(const struct iofd_ctx *ctx,
				 const char *device, const char *what,
				 int errnum);

/* Host calls through the ctx's table. */
static inline int iofd_host_open(const struct iofd_ctx *ctx, const char *path,
				 int flags)
{
	return ctx->host.ops->open(ctx->host.priv, path, flags);
}

static inline int iofd_host_close(const struct iofd_ctx *ctx, int fd)
{
	return ctx->host.ops->close(ctx->host.priv, fd);
}

static inline int iofd_host_ioctl(const struct iofd_ctx *ctx, int fd,
				  unsigned long req, void *arg)
{
	return ctx->host.ops->ioctl(ctx->host.priv, fd, req, arg);
}

/* sysfs.c: find and open the cdev of the device at @sysfs_path. */
IOFD_HIDDEN int iofd_sysfs_open_cdev(struct iofd_ctx *ctx, const char *name,
				     const char *sysfs_path, int *fd_out,
				     struct iofd_error *err);

/* container.c */
IOFD_HIDDEN int iofd_container_create(struct iofd_space *space,
				      struct iofd_backend *be,
				      struct iofd_container **out,
				      struct iofd_error *err);
IOFD_HIDDEN int iofd_container_destroy(struct iofd_container *c,
				       struct iofd_error *err);
IOFD_HIDDEN int iofd_container_map(struct iofd_container *c,
				   const struct iofd_region *r,
				   struct iofd_error *err);
IOFD_HIDDEN int iofd_container_unmap(struct iofd_container *c,
				     const struct iofd_region *r,
				     struct iofd_error *err);

#endif /* IOFD_CORE_INTERNAL_H */
