/* SPDX-License-Identifier: MIT */
/*
 * The backend: one connection to /dev/iommu and the iommufd verbs on it.
 *
 * The fd is opened by the first user and closed by the last (users counts
 * every attached device and every explicit iofd_backend_connect). Each verb
 * is one ioctl with the uAPI struct filled exactly; a failure is reported
 * with the kernel's errno untouched, because callers act on it (EINVAL on
 * attach means "incompatible", anything else is a real failure).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include <linux/iommufd.h>

#include "internal.h"

#define IOFD_IOMMU_DEV "/dev/iommu"

int iofd_backend_create(struct iofd_ctx *ctx, struct iofd_backend **out,
			struct iofd_error *err)
{
	struct iofd_backend *be;

	be = calloc(1, sizeof(*be));
	if (!be)
		return iofd_err_set(err, ENOMEM, "create backend");
	be->ctx = ctx;
	be->fd = -1;
	iofd_list_add_tail(&ctx->backends, &be->ctx_node);
	*out = be;
	return 0;
}

int iofd_backend_destroy(struct iofd_backend *be)
{
	if (be->users)
		return -EBUSY;
	iofd_list_del(&be->ctx_node);
	free(be);
	return 0;
}

int iofd_backend_connect(struct iofd_backend *be, struct iofd_error *err)
{
	struct iofd_trace_event ev = { .kind = IOFD_TRACE_CONNECT };
	int fd;

	if (be->users == 0) {
		fd = iofd_host_open(be->ctx, IOFD_IOMMU_DEV,
				    O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			iofd_trace_fail(be->ctx, NULL, "connect", -fd);
			return iofd_err_set(err, -fd, "open %s",
					    IOFD_IOMMU_DEV);
		}
		be->fd = fd;
	}
	be->users++;
	ev.fd = be->fd;
	ev.id = be->users;
	iofd_trace(be->ctx, &ev);
	return 0;
}

void iofd_backend_disconnect(struct iofd_backend *be)
{
	struct iofd_trace_event ev = {
		.kind = IOFD_TRACE_DISCONNECT,
		.fd = be->fd,
	};

	if (be->users == 0)
		return;
	if (--be->users == 0) {
		/* A failed close still released the fd: nothing to retry. */
		int ret = iofd_host_close(be->ctx, be->fd);

		if (ret)
			iofd_trace_fail(be->ctx, NULL, "close", -ret);
		be->fd = -1;
	}
	ev.id = be->users;
	iofd_trace(be->ctx, &ev);
}

int iofd_backend_fd(const struct iofd_backend *be)
{
	return be->fd;
}

unsigned int iofd_backend_users(const struct iofd_backend *be)
{
	return be->users;
}

static int iofd_backend_check(const struct iofd_backend *be, const char *what,
			      struct iofd_error *err)
{
	if (be->users == 0)
		return iofd_err_set(err, EBADF, "%s: backend not connected",
				    what);
	return 0;
}

int iofd_backend_alloc_ioas(struct iofd_backend *be, uint32_t *ioas_id,
			    struct iofd_error *err)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	struct iofd_trace_event ev = { .kind = IOFD_TRACE_ALLOC_IOAS };
	int ret;

	ret = iofd_backend_check(be, "alloc IOAS", err);
	if (ret)
		return ret;
	ret = iofd_host_ioctl(be->ctx, be->fd, IOMMU_IOAS_ALLOC, &cmd);
	if (ret < 0) {
		iofd_trace_fail(be->ctx, NULL, "alloc-ioas", -ret);
		return iofd_err_set(err, -ret, "IOMMU_IOAS_ALLOC on iommufd %d",
				    be->fd);
	}
	*ioas_id = cmd.out_ioas_id;
	ev.fd = be->fd;
	ev.id = cmd.out_ioas_id;
	iofd_trace(be->ctx, &ev);
	return 0;
}

int iofd_backend_free_id(struct iofd_backend *be, uint32_t id,
			 struct iofd_error *err)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };
	struct iofd_trace_event ev = { .kind = IOFD_TRACE_FREE_ID };
	int ret;

	ret = iofd_backend_check(be, "free id", err);
	if (ret)
		return ret;
	ret = iofd_host_ioctl(be->ctx, be->fd, IOMMU_DESTROY, &cmd);
	if (ret < 0) {
		iofd_trace_fail(be->ctx, NULL, "free-id", -ret);
		return iofd_err_set(err, -ret, "IOMMU_DESTROY of id %u", id);
	}
	ev.fd = be->fd;
	ev.id = id;
	iofd_trace(be->ctx, &ev);
	return 0;
}

int iofd_backend_map(struct iofd_backend *be, uint32_t ioas_id, uint64_t iova,
		     uint64_t size, void *vaddr, bool readonly,
		     struct iofd_error *err)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)vaddr,
		.length = size,
		.iova = iova,
	};
	struct iofd_trace_event ev = {
		.kind = IOFD_TRACE_MAP,
		.id = ioas_id,
		.iova = iova,
		.size = size,
	};
	int ret;

	ret = iofd_backend_check(be, "map", err);
	if (ret)
		return ret;
	if (!readonly)
		cmd.flags |= IOMMU_IOAS_MAP_WRITEABLE;
	ret = iofd_host_ioctl(be->ctx, be->fd, IOMMU_IOAS_MAP, &cmd);
	if (ret < 0) {
		iofd_trace_fail(be->ctx, NULL, "map", -ret);
		return iofd_err_set(err, -ret,
				    "IOMMU_IOAS_MAP ioas %u iova 0x%llx size 0x%llx",
				    ioas_id, (unsigned long long)iova,
				    (unsigned long long)size);
	}
	ev.fd = be->fd;
	iofd_trace(be->ctx, &ev);
	return 0;
}

int iofd_backend_unmap(struct iofd_backend *be, uint32_t ioas_id,
		       uint64_t iova, uint64_t size, struct iofd_error *err)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = size,
	};
	struct iofd_trace_event ev = {
		.kind = IOFD_TRACE_UNMAP,
		.id = ioas_id,
		.iova = iova,
		.size = size,
	};
	int ret;

	ret = iofd_backend_check(be, "unmap", err);
	if (ret)
		return ret;
	ret = iofd_host_ioctl(be->ctx, be->fd, IOMMU_IOAS_UNMAP, &cmd);
	if (ret < 0) {
		iofd_trace_fail(be->ctx, NULL, "unmap", -ret);
		return iofd_err_set(err, -ret,
				    "IOMMU_IOAS_UNMAP ioas %u iova 0x%llx size 0x%llx",
				    ioas_id, (unsigned long long)iova,
				    (unsigned long long)size);
	}
	ev.fd = be->fd;
	iofd_trace(be->ctx, &ev);
	return 0;
}
