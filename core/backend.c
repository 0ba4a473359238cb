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

	be = iofd_zalloc(ctx, sizeof(*be));
	if (!be)
		return iofd_err_set(err, ENOMEM, "create backend");
	be->ctx = ctx;
	be->fd = -1;
	be->owned = true;
	iofd_list_init(&be->stranded);
	iofd_list_add_tail(&ctx->backends, &be->ctx_node);
	*out = be;
	return 0;
}

int iofd_backend_create_fd(struct iofd_ctx *ctx, int fd,
			   struct iofd_backend **out, struct iofd_error *err)
{
	struct iofd_backend *be = NULL;
	int ret;

	if (fd < 0)
		return iofd_err_set(err, EBADF, "create backend: iommufd %d",
				    fd);
	ret = iofd_backend_create(ctx, &be, err);
	if (ret)
		return ret;
	be->fd = fd;
	be->owned = false;
	*out = be;
	return 0;
}

/*
 * Forget the stranded objects: their iommufd is closed (the kernel freed
 * them) or is the manager's from now on. What is forgotten while the fd is
 * still open is traced as a failure naming each id.
 */
static void iofd_backend_drop_stranded(struct iofd_backend *be, bool open)
{
	struct iofd_list *pos, *tmp;

	iofd_list_for_each_safe(pos, tmp, &be->stranded) {
		struct iofd_strand *s = iofd_container_of(pos,
				struct iofd_strand, be_node);

		if (open) {
			struct iofd_trace_event ev = {
				.kind = IOFD_TRACE_FAIL, .what = "abandon id",
				.fd = be->fd, .id = s->id, .errnum = EBUSY,
			};

			iofd_trace(be->ctx, &ev);
		}
		iofd_list_del(&s->be_node);
		iofd_free(be->ctx, s);
	}
}

int iofd_backend_destroy(struct iofd_backend *be)
{
	if (be->users)
		return -EBUSY;
	/* Handed in: the fd stays the manager's; a last try first. */
	iofd_backend_retry_stranded(be);
	iofd_backend_drop_stranded(be, !be->owned);
	iofd_list_del(&be->ctx_node);
	iofd_free(be->ctx, be);
	return 0;
}

int iofd_backend_connect(struct iofd_backend *be, struct iofd_error *err)
{
	struct iofd_trace_event ev = { .kind = IOFD_TRACE_CONNECT };
	int fd;

	if (be->users == 0 && be->owned) {
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
	if (--be->users == 0 && be->owned) {
		/* A failed close still released the fd: nothing to retry. */
		int ret = iofd_host_close(be->ctx, be->fd);

		if (ret)
			iofd_trace_fail(be->ctx, NULL, "close", -ret);
		be->fd = -1;
		/* The close took every object of the context with it. */
		iofd_backend_drop_stranded(be, false);
	} else if (be->users == 0) {
		/* No device holds anything any more: the last chance is now. */
		iofd_backend_retry_stranded(be);
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

/*
 * Run one iommufd ioctl on the backend fd. On failure the kernel's errno
 * is returned untouched, a FAIL event is traced and @err says "<what>: ...";
 * the callers add their own detail in front.
 */
int iofd_backend_ioctl(struct iofd_backend *be, unsigned long req, void *arg,
		       const char *what, struct iofd_error *err)
{
	int ret;

	if (be->owned && be->users == 0)
		return iofd_err_set(err, EBADF, "%s: backend not connected",
				    what);
	ret = iofd_host_ioctl(be->ctx, be->fd, req, arg);
	if (ret < 0) {
		iofd_trace_fail(be->ctx, NULL, what, -ret);
		return iofd_err_set(err, -ret, "%s on iommufd %d", what,
				    be->fd);
	}
	return 0;
}

static void iofd_backend_trace(struct iofd_backend *be,
			       enum iofd_trace_kind kind, uint32_t id,
			       uint64_t iova, uint64_t size)
{
	struct iofd_trace_event ev = {
		.kind = kind,
		.fd = be->fd,
		.id = id,
		.iova = iova,
		.size = size,
	};

	iofd_trace(be->ctx, &ev);
}

int iofd_backend_alloc_ioas(struct iofd_backend *be, uint32_t *ioas_id,
			    struct iofd_error *err)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret;

	ret = iofd_backend_ioctl(be, IOMMU_IOAS_ALLOC, &cmd,
				 "IOMMU_IOAS_ALLOC", err);
	if (ret)
		return ret;
	*ioas_id = cmd.out_ioas_id;
	iofd_backend_trace(be, IOFD_TRACE_ALLOC_IOAS, cmd.out_ioas_id, 0, 0);
	return 0;
}

int iofd_backend_free_id(struct iofd_backend *be, uint32_t id,
			 struct iofd_error *err)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };
	int ret;

	ret = iofd_backend_ioctl(be, IOMMU_DESTROY, &cmd, "IOMMU_DESTROY", err);
	if (ret) {
		iofd_error_prepend(err, "free id %u", id);
		return ret;
	}
	iofd_backend_trace(be, IOFD_TRACE_FREE_ID, id, 0, 0);
	return 0;
}

int iofd_backend_release(struct iofd_backend *be, uint32_t id, void *block,
			 struct iofd_error *err)
{
	struct iofd_strand *s = block;
	int ret;

	ret = iofd_backend_free_id(be, id, err);
	if (ret == 0) {
		iofd_free(be->ctx, block);
		iofd_backend_retry_stranded(be);
		return 0;
	}
	/* The bookkeeping is done with: its memory becomes the entry. */
	s->id = id;
	iofd_list_add_tail(&be->stranded, &s->be_node);
	return ret;
}

void iofd_backend_retry_stranded(struct iofd_backend *be)
{
	struct iofd_list *pos, *tmp;

	if (be->owned && be->users == 0)
		return;
	iofd_list_for_each_safe(pos, tmp, &be->stranded) {
		struct iofd_strand *s = iofd_container_of(pos,
				struct iofd_strand, be_node);

		if (iofd_backend_free_id(be, s->id, NULL) == 0) {
			iofd_list_del(&s->be_node);
			iofd_free(be->ctx, s);
		}
	}
}

size_t iofd_backend_stranded_count(const struct iofd_backend *be)
{
	return iofd_list_count(&be->stranded);
}

uint32_t iofd_backend_stranded_get(const struct iofd_backend *be, size_t idx)
{
	struct iofd_list *n = iofd_list_nth(&be->stranded, idx);

	return n ? iofd_container_of(n, struct iofd_strand, be_node)->id : 0;
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
	int ret;

	if (!readonly)
		cmd.flags |= IOMMU_IOAS_MAP_WRITEABLE;
	ret = iofd_backend_ioctl(be, IOMMU_IOAS_MAP, &cmd, "IOMMU_IOAS_MAP",
				 err);
	if (ret) {
		iofd_error_prepend(err, "map IOAS %u iova 0x%llx size 0x%llx",
				   ioas_id, (unsigned long long)iova,
				   (unsigned long long)size);
		return ret;
	}
	iofd_backend_trace(be, IOFD_TRACE_MAP, ioas_id, iova, size);
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
	int ret;

	ret = iofd_backend_ioctl(be, IOMMU_IOAS_UNMAP, &cmd,
				 "IOMMU_IOAS_UNMAP", err);
	if (ret) {
		iofd_error_prepend(err, "unmap IOAS %u iova 0x%llx size 0x%llx",
				   ioas_id, (unsigned long long)iova,
				   (unsigned long long)size);
		return ret;
	}
	iofd_backend_trace(be, IOFD_TRACE_UNMAP, ioas_id, iova, cmd.length);
	return 0;
}

int iofd_backend_unmap_all(struct iofd_backend *be, uint32_t ioas_id,
			   uint64_t *unmapped, struct iofd_error *err)
{
	/* The kernel's own spelling of "everything": iova 0, UINT64_MAX. */
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = 0,
		.length = UINT64_MAX,
	};
	int ret;

	ret = iofd_backend_ioctl(be, IOMMU_IOAS_UNMAP, &cmd,
				 "IOMMU_IOAS_UNMAP", err);
	if (ret) {
		iofd_error_prepend(err, "unmap all of IOAS %u", ioas_id);
		return ret;
	}
	if (unmapped)
		*unmapped = cmd.length;
	iofd_backend_trace(be, IOFD_TRACE_UNMAP, ioas_id, 0, cmd.length);
	return 0;
}

/*
 * IOVA_RANGES with the EMSGSIZE protocol: ask with the array we have; the
 * kernel always answers with the total count, so a too-small array is grown
 * to that and the call repeated. The count changes between two calls only
 * when something attaches meanwhile, so a few rounds always suffice; an
 * answer that contradicts itself (EMSGSIZE for a count that fitted) is
 * EPROTO rather than a loop.
 */
#define IOFD_IOVA_RANGES_TRIES 4

int iofd_backend_iova_ranges(struct iofd_backend *be, uint32_t ioas_id,
			     struct iofd_iova_range **ranges, size_t *count,
			     uint64_t *alignment, struct iofd_error *err)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
	};
	struct iommu_iova_range *buf = NULL, *grown;
	struct iofd_iova_range *out;
	unsigned int tries;
	uint32_t have;
	size_t i;
	int ret;

	if (be->owned && be->users == 0)
		return iofd_err_set(err, EBADF,
				    "IOVA ranges of IOAS %u: backend not connected",
				    ioas_id);
	for (tries = 1;; tries++) {
		have = cmd.num_iovas;
		cmd.allowed_iovas = (uintptr_t)buf;
		ret = iofd_host_ioctl(be->ctx, be->fd, IOMMU_IOAS_IOVA_RANGES,
				      &cmd);
		if (ret != -EMSGSIZE)
			break;
		if (cmd.num_iovas <= have) {
			ret = -EPROTO;
			break;
		}
		if (tries == IOFD_IOVA_RANGES_TRIES)
			break;
		grown = iofd_realloc_array(be->ctx, buf, cmd.num_iovas,
					   sizeof(*buf));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		buf = grown;
	}
	if (ret < 0) {
		iofd_trace_fail(be->ctx, NULL, "IOMMU_IOAS_IOVA_RANGES", -ret);
		ret = iofd_err_set(err, -ret,
				   "IOVA ranges of IOAS %u on iommufd %d",
				   ioas_id, be->fd);
		goto out_free_buf;
	}

	out = iofd_zalloc(be->ctx, (cmd.num_iovas ? cmd.num_iovas : 1) *
				   sizeof(*out));
	if (!out) {
		ret = iofd_err_set(err, ENOMEM, "IOVA ranges of IOAS %u",
				   ioas_id);
		goto out_free_buf;
	}
	for (i = 0; i < cmd.num_iovas; i++) {
		out[i].start = buf[i].start;
		out[i].last = buf[i].last;
	}
	*ranges = out;
	*count = cmd.num_iovas;
	if (alignment)
		*alignment = cmd.out_iova_alignment;
	ret = 0;
out_free_buf:
	iofd_free(be->ctx, buf);
	return ret;
}
