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
	const struct iofd_alloc_ops *alloc;
	void *alloc_priv;
	iofd_dirty_fn dirty_fn;
	void *dirty_arg;
	int kvm_vfio_fd;		/* -1: no KVM registration */
	unsigned int discard_required;	/* balloons and the like */
	unsigned int discard_disablers;	/* attached devices that pin */
	struct iofd_list backends;
	struct iofd_list spaces;
	struct iofd_list devices;
};

struct iofd_backend {
	struct iofd_ctx *ctx;
	struct iofd_list ctx_node;
	int fd;			/* owned: -1 while users == 0 */
	unsigned int users;
	bool owned;		/* false: handed in, never closed by us */
	/*
	 * Objects libiofd made on this iommufd whose IOMMU_DESTROY failed
	 * (struct iofd_strand): still in the kernel, destroyed again at the
	 * next chance (iofd_backend_retry_stranded), forgotten only when the
	 * iommufd they live in is closed.
	 */
	struct iofd_list stranded;
};

/*
 * A stranded object's entry. It lives in the memory of the bookkeeping the
 * object had (its container or HWPT), so stranding allocates nothing and
 * cannot fail.
 */
struct iofd_strand {
	struct iofd_list be_node;
	uint32_t id;
};

struct iofd_space {
	struct iofd_ctx *ctx;
	struct iofd_list ctx_node;
	struct iofd_region *regions;	/* sorted by iova, no overlap */
	size_t nr_regions;
	size_t cap_regions;
	struct iofd_list containers;
	bool in_sync;	/* false once an undo failed twice, for good */
};

/* A HWPT (IOMMU domain) libiofd allocated in a container. */
struct iofd_hwpt {
	struct iofd_list container_node;
	uint32_t id;
	uint32_t flags;			/* IOMMU_HWPT_ALLOC_* */
	unsigned int users;		/* devices attached to it */
};

struct iofd_container {
	struct iofd_space *space;
	struct iofd_list space_node;
	struct iofd_backend *be;
	uint32_t ioas_id;
	struct iofd_list devices;
	struct iofd_list hwpts;
	/* usable IOVA, as the kernel said after the last attach */
	struct iofd_iova_range *ranges;
	size_t nr_ranges;
	uint64_t iova_alignment;
	bool dirty_tracking;
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
	struct iofd_hwpt *hwpt;		/* NULL: attached to the IOAS itself */
	struct iofd_device_info info;
	uint32_t flags;			/* IOFD_DEVICE_* */
	int kvm_fd;			/* kvm-vfio fd it was added to, or -1 */
	bool discard_disabled;
};

/* A container's or HWPT's memory becomes its strand entry (backend.c). */
_Static_assert(sizeof(struct iofd_strand) <= sizeof(struct iofd_container),
	       "a container can hold its strand entry");
_Static_assert(sizeof(struct iofd_strand) <= sizeof(struct iofd_hwpt),
	       "a HWPT can hold its strand entry");

/* alloc.c: the ctx's allocator (zeroed; array with overflow check). */
IOFD_HIDDEN extern const struct iofd_alloc_ops iofd_libc_alloc;
IOFD_HIDDEN void *iofd_zalloc(const struct iofd_ctx *ctx, size_t size);
IOFD_HIDDEN void *iofd_realloc_array(const struct iofd_ctx *ctx, void *ptr,
				     size_t n, size_t size);

/* error.c: set @err (if any) and return -@errnum. */
IOFD_HIDDEN int iofd_err_set(struct iofd_error *err, int errnum,
			     const char *fmt, ...) IOFD_PRINTF(3, 4);

/*
 * Copy a scratch error into the caller's and return @ret. Tentative calls
 * (an attach that may be refused as "incompatible") report into a scratch
 * error, so a refusal that is recovered from never touches the caller's.
 */
static inline int iofd_err_pass(struct iofd_error *err,
				const struct iofd_error *scratch, int ret)
{
	if (err)
		*err = *scratch;
	return ret;
}

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

/*
 * backend.c: IOMMU_DESTROY of @id, an object libiofd made whose
 * bookkeeping is @block (from iofd_zalloc, at least as large as struct
 * iofd_strand). Success frees @block; on failure @block becomes the
 * object's entry on the stranded list (nothing is allocated). Either way
 * the caller is done with @block. Returns 0 or the DESTROY's -errno.
 */
IOFD_HIDDEN int iofd_backend_release(struct iofd_backend *be, uint32_t id,
				     void *block, struct iofd_error *err);
/*
 * backend.c: destroy the stranded objects again (a device that kept them
 * busy may be gone, a fault may have passed); the ones that still fail
 * stay. Nothing is tried while an owned backend is not connected: its
 * iommufd closed, and the objects with it.
 */
IOFD_HIDDEN void iofd_backend_retry_stranded(struct iofd_backend *be);

/*
 * backend.c: one iommufd ioctl on the backend fd; -EBADF when an owned
 * backend is not connected. On failure the kernel's errno is returned as
 * it came, a FAIL event is traced and @err says "<what> on iommufd N: ...".
 */
IOFD_HIDDEN int iofd_backend_ioctl(struct iofd_backend *be, unsigned long req,
				   void *arg, const char *what,
				   struct iofd_error *err);

/* sysfs.c: find and open the cdev of the device at @sysfs_path. */
IOFD_HIDDEN int iofd_sysfs_open_cdev(struct iofd_ctx *ctx, const char *name,
				     const char *sysfs_path, int *fd_out,
				     struct iofd_error *err);
/* sysfs.c: check that the handed-in @fd is the cdev of that device. */
IOFD_HIDDEN int iofd_sysfs_check_cdev(struct iofd_ctx *ctx, const char *name,
				      const char *sysfs_path, int fd,
				      struct iofd_error *err);

/* discard.c: take / drop one device's "discard disabled". */
IOFD_HIDDEN int iofd_discard_disable(struct iofd_device *dev,
				     struct iofd_error *err);
IOFD_HIDDEN void iofd_discard_enable(struct iofd_device *dev);

/* kvm.c: KVM_DEV_VFIO_FILE_ADD / _DEL of the device fd. */
IOFD_HIDDEN int iofd_kvm_add(struct iofd_device *dev, struct iofd_error *err);
IOFD_HIDDEN void iofd_kvm_del(struct iofd_device *dev);

/* hwpt.c: attach to a container through a HWPT, and leave it. */
IOFD_HIDDEN int iofd_hwpt_attach(struct iofd_device *dev,
				 struct iofd_container *c,
				 struct iofd_error *err);
IOFD_HIDDEN int iofd_hwpt_detach(struct iofd_device *dev,
				 struct iofd_error *err);
/* device.c: VFIO_DEVICE_ATTACH_IOMMUFD_PT to @pt_id. */
IOFD_HIDDEN int iofd_device_attach_pt(struct iofd_device *dev,
				      uint32_t pt_id, struct iofd_error *err);

/* dirty.c: hand the dirty bits of @r to the sink before it is unmapped. */
IOFD_HIDDEN void iofd_dirty_flush(struct iofd_container *c,
				  const struct iofd_region *r);

/* container.c */
IOFD_HIDDEN int iofd_container_refresh_ranges(struct iofd_container *c,
					      struct iofd_error *err);
IOFD_HIDDEN int iofd_container_check_region(const struct iofd_container *c,
					    const struct iofd_region *r,
					    struct iofd_error *err);
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
