/* SPDX-License-Identifier: MIT */
/*
 * libiofd: the iommufd VFIO backend as a library.
 *
 * A VMM or a userspace driver hands a VFIO device to /dev/iommu through
 * these objects:
 *
 *   ctx        the root; owns the host table (see host.h) and the trace
 *              sink. Two contexts never share state.
 *   backend    one connection to /dev/iommu: opened by its first user and
 *              closed with its last.
 *   space      an address space: the RAM regions its user added. Each
 *              region is mapped into every container of the space.
 *   container  one IOAS of one backend inside one space (read-only view).
 *   device     one VFIO device cdev, found through sysfs or handed in,
 *              bound to a backend and attached to a container of a space
 *              through a HWPT (an IOMMU domain) of that container.
 *
 * Conventions: every function that can fail returns 0 (or a documented
 * non-negative value) on success and a negative errno on failure. A failing
 * call also fills the optional struct iofd_error (NULL is allowed); a
 * successful call never touches it. Nothing here is thread-safe: one context
 * is used by one thread at a time.
 */
#ifndef IOFD_IOFD_H
#define IOFD_IOFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define IOFD_API __attribute__((visibility("default")))
#define IOFD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define IOFD_API
#define IOFD_PRINTF(a, b)
#endif

/* ------------------------------------------------------------------ */
/* Errors                                                              */

#define IOFD_ERROR_MSG_MAX 320

/*
 * What went wrong: errnum is the positive errno that the failing call
 * returned (negated), msg a human sentence naming the object, the step and
 * the kernel's errno. Callers may add their own context in front with
 * iofd_error_prepend().
 */
struct iofd_error {
	int errnum;
	char msg[IOFD_ERROR_MSG_MAX];
};

/* Reset @err to "no error" (errnum 0, empty message). NULL is allowed. */
IOFD_API void iofd_error_clear(struct iofd_error *err);

/*
 * Put "<formatted text>: " in front of the message of a set error. Does
 * nothing when @err is NULL or unset; the message is truncated to fit.
 */
IOFD_API void iofd_error_prepend(struct iofd_error *err, const char *fmt, ...)
	IOFD_PRINTF(2, 3);

/* ------------------------------------------------------------------ */
/* Trace events                                                        */

enum iofd_trace_kind {
	IOFD_TRACE_CONNECT,	/* fd: the /dev/iommu fd opened or reused */
	IOFD_TRACE_DISCONNECT,	/* fd: the backend fd released */
	IOFD_TRACE_BIND,	/* device, fd: device fd, id: devid */
	IOFD_TRACE_ALLOC_IOAS,	/* fd: backend fd, id: new IOAS */
	IOFD_TRACE_FREE_ID,	/* fd: backend fd, id: the freed object */
	IOFD_TRACE_ATTACH,	/* device, id: IOAS, id2: HWPT the kernel used */
	IOFD_TRACE_MAP,		/* id: IOAS, iova, size */
	IOFD_TRACE_UNMAP,	/* id: IOAS, iova, size */
	IOFD_TRACE_DETACH,	/* device, id: IOAS */
	IOFD_TRACE_FAIL,	/* device (may be NULL), what, errnum */
	IOFD_TRACE_KIND_COUNT,
};

struct iofd_trace_event {
	enum iofd_trace_kind kind;
	const char *device;	/* device name or NULL */
	const char *what;	/* for FAIL: the step that failed */
	int fd;
	uint32_t id;
	uint32_t id2;
	uint64_t iova;
	uint64_t size;
	int errnum;		/* for FAIL: positive errno */
};

typedef void (*iofd_trace_fn)(void *arg, const struct iofd_trace_event *ev);

/* Name of a trace kind ("attach", "map", ...), or "?" when out of range. */
IOFD_API const char *iofd_trace_kind_name(enum iofd_trace_kind kind);

/* ------------------------------------------------------------------ */
/* Context                                                             */

struct iofd_ctx;
struct iofd_backend;
struct iofd_space;
struct iofd_container;
struct iofd_device;

/*
 * Create a context whose system calls all go through @host (copied; the
 * host's priv must outlive the context) and store it in *@out. Returns 0,
 * -ENOMEM, or -EINVAL (@out NULL, @host NULL or without ops).
 */
IOFD_API int iofd_ctx_create(const struct iofd_host *host,
			     struct iofd_ctx **out, struct iofd_error *err);

/*
 * Tear down everything still alive in @ctx: devices are detached, spaces and
 * backends freed, then the context itself. NULL is allowed.
 */
IOFD_API void iofd_ctx_destroy(struct iofd_ctx *ctx);

/*
 * Where the core's memory comes from. realloc(priv, NULL, n) allocates,
 * free(priv, p) releases; both are required. Set it before creating any
 * backend, space or device (-EBUSY otherwise); NULL restores libc. Memory
 * the API hands out (iofd_backend_iova_ranges) is released with iofd_free.
 */
struct iofd_alloc_ops {
	void *(*realloc)(void *priv, void *ptr, size_t size);
	void (*free)(void *priv, void *ptr);
};
IOFD_API int iofd_ctx_set_alloc(struct iofd_ctx *ctx,
				const struct iofd_alloc_ops *ops, void *priv);

/* Release memory the API handed out. NULL is allowed. */
IOFD_API void iofd_free(const struct iofd_ctx *ctx, void *ptr);

/* Send trace events to @fn (NULL turns tracing off, the default). */
IOFD_API void iofd_ctx_set_trace(struct iofd_ctx *ctx, iofd_trace_fn fn,
				 void *arg);

/*
 * Register every attached device with KVM through this kvm-vfio device fd
 * (KVM_CREATE_DEVICE with KVM_DEV_TYPE_VFIO), as KVM_DEV_VFIO_FILE_ADD
 * before bind and KVM_DEV_VFIO_FILE_DEL on detach and on every unwind. -1
 * (the default) turns it off. The fd stays the caller's. Only devices
 * attached afterwards are registered.
 */
IOFD_API void iofd_ctx_set_kvm_vfio(struct iofd_ctx *ctx, int kvm_vfio_fd);

/*
 * RAM discard: attaching a device that pins guest RAM disables uncoordinated
 * discard (a balloon freeing pages the IOMMU still maps would corrupt DMA)
 * unless the device is attached with IOFD_DEVICE_DISCARD_OK. Something that
 * needs discard (a balloon) says so here: @required true fails with -EBUSY
 * while a device has discard disabled; false drops one requirement (-EINVAL
 * when there is none). A device attach fails with -EBUSY while discard is
 * required.
 */
IOFD_API int iofd_ctx_require_discard(struct iofd_ctx *ctx, bool required,
				      struct iofd_error *err);

/* How many attached devices keep RAM discard disabled. */
IOFD_API unsigned int iofd_ctx_discard_disablers(const struct iofd_ctx *ctx);

/*
 * Dirty bits read from the IOMMU just before a region is unmapped while
 * dirty tracking is on (they would be lost with the mapping): bit n of
 * @bitmap covers [iova + n * page_size, +page_size).
 */
typedef void (*iofd_dirty_fn)(void *arg, uint64_t iova, uint64_t size,
			      uint64_t page_size, const uint64_t *bitmap);
IOFD_API void iofd_ctx_set_dirty_sink(struct iofd_ctx *ctx, iofd_dirty_fn fn,
				      void *arg);

/* ------------------------------------------------------------------ */
/* Backend: one /dev/iommu connection                                  */

/*
 * Create a backend that opens /dev/iommu on first use. Nothing is opened
 * yet. Returns 0 or -ENOMEM.
 */
IOFD_API int iofd_backend_create(struct iofd_ctx *ctx,
				 struct iofd_backend **out,
				 struct iofd_error *err);

/*
 * Create a backend on an iommufd @fd handed in by a manager (for example a
 * VMM's parent process). It is never opened or closed by libiofd: the
 * caller closes it after destroying the backend. Returns 0, -EBADF for a
 * negative fd, or -ENOMEM.
 */
IOFD_API int iofd_backend_create_fd(struct iofd_ctx *ctx, int fd,
				    struct iofd_backend **out,
				    struct iofd_error *err);

/*
 * Free a backend that has no user left: 0, or -EBUSY (nothing freed) while
 * a device or caller still holds a connection.
 */
IOFD_API int iofd_backend_destroy(struct iofd_backend *be);

/*
 * Take one connection: the first opens /dev/iommu. Returns 0 or -errno of
 * the open.
 */
IOFD_API int iofd_backend_connect(struct iofd_backend *be,
				  struct iofd_error *err);

/* Drop one connection taken by iofd_backend_connect; the last closes. */
IOFD_API void iofd_backend_disconnect(struct iofd_backend *be);

/* The /dev/iommu fd, or -1 while nobody is connected. */
IOFD_API int iofd_backend_fd(const struct iofd_backend *be);

/* Number of connections held (devices and callers). */
IOFD_API unsigned int iofd_backend_users(const struct iofd_backend *be);

/*
 * Objects libiofd made on this backend's iommufd (IOASes of containers,
 * HWPTs) whose IOMMU_DESTROY failed: they are still in the kernel and
 * libiofd destroys them again at the next chance (after a device fd is
 * closed, when another object is freed, when the last connection goes).
 * An owned backend forgets them when its iommufd closes, which frees them;
 * a handed-in one tries a last time in iofd_backend_destroy and then
 * leaves what remains to the fd's owner (traced as FAIL "abandon id").
 * iofd_backend_stranded_get returns the @idx-th id, oldest first, or 0
 * past the end.
 */
IOFD_API size_t iofd_backend_stranded_count(const struct iofd_backend *be);
IOFD_API uint32_t iofd_backend_stranded_get(const struct iofd_backend *be,
					    size_t idx);

/*
 * IOMMU_IOAS_ALLOC: store the new IOAS id in *@ioas_id. The backend must be
 * connected (-EBADF otherwise). Returns 0 or the kernel's -errno.
 */
IOFD_API int iofd_backend_alloc_ioas(struct iofd_backend *be,
				     uint32_t *ioas_id, struct iofd_error *err);

/* IOMMU_DESTROY of any object id. Returns 0 or the kernel's -errno. */
IOFD_API int iofd_backend_free_id(struct iofd_backend *be, uint32_t id,
				  struct iofd_error *err);

/*
 * IOMMU_IOAS_MAP at the fixed @iova: @size bytes of user memory at @vaddr,
 * readable, and writeable unless @readonly. Returns 0 or -errno.
 */
IOFD_API int iofd_backend_map(struct iofd_backend *be, uint32_t ioas_id,
			      uint64_t iova, uint64_t size, void *vaddr,
			      bool readonly, struct iofd_error *err);

/*
 * IOMMU_IOAS_UNMAP of [@iova, @iova + @size). Returns 0 or -errno (ENOENT
 * when the range cuts an area or covers nothing mapped).
 */
IOFD_API int iofd_backend_unmap(struct iofd_backend *be, uint32_t ioas_id,
				uint64_t iova, uint64_t size,
				struct iofd_error *err);

/*
 * IOMMU_IOAS_UNMAP of everything in the IOAS (the kernel's iova 0, length
 * UINT64_MAX form); *@unmapped (may be NULL) gets the bytes unmapped.
 */
IOFD_API int iofd_backend_unmap_all(struct iofd_backend *be, uint32_t ioas_id,
				    uint64_t *unmapped, struct iofd_error *err);

struct iofd_iova_range {
	uint64_t start;
	uint64_t last;		/* inclusive */
};

/*
 * IOMMU_IOAS_IOVA_RANGES: the usable IOVA ranges of the IOAS, ascending.
 * *@ranges is allocated (release it with iofd_free) and *@count set; *@alignment (may be
 * NULL) gets the IOAS's IOVA alignment. Returns 0, -ENOMEM, -EPROTO for an
 * answer that contradicts itself, or the kernel's -errno.
 */
IOFD_API int iofd_backend_iova_ranges(struct iofd_backend *be,
				      uint32_t ioas_id,
				      struct iofd_iova_range **ranges,
				      size_t *count, uint64_t *alignment,
				      struct iofd_error *err);

/*
 * IOMMU_HWPT_ALLOC of a paging domain for device @dev_id over IOAS @pt_id
 * with IOMMU_HWPT_ALLOC_* @flags. Returns 0 and *@hwpt_id, or -errno.
 */
IOFD_API int iofd_backend_alloc_hwpt(struct iofd_backend *be, uint32_t dev_id,
				     uint32_t pt_id, uint32_t flags,
				     uint32_t *hwpt_id, struct iofd_error *err);

struct iofd_hw_info {
	uint32_t type;		/* enum iommu_hw_info_type */
	uint64_t capabilities;	/* IOMMU_HW_CAP_* */
	uint32_t data_len;	/* the kernel's length of the report */
	uint8_t data[64];	/* the report, first sizeof(data) bytes */
};

/* IOMMU_GET_HW_INFO for device @dev_id. Returns 0 or -errno. */
IOFD_API int iofd_backend_get_hw_info(struct iofd_backend *be, uint32_t dev_id,
				      struct iofd_hw_info *info,
				      struct iofd_error *err);

/* IOMMU_HWPT_SET_DIRTY_TRACKING on one HWPT. Returns 0 or -errno. */
IOFD_API int iofd_backend_set_dirty_tracking(struct iofd_backend *be,
					     uint32_t hwpt_id, bool enable,
					     struct iofd_error *err);

/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP of [@iova, @iova + @size) at @page_size
 * granularity into @bitmap (size / page_size bits, rounded up to u64s; bits
 * are set, never cleared, so several HWPTs can be read into one bitmap).
 * The dirty state read is cleared. Returns 0 or -errno.
 */
IOFD_API int iofd_backend_get_dirty_bitmap(struct iofd_backend *be,
					   uint32_t hwpt_id, uint64_t iova,
					   uint64_t size, uint64_t page_size,
					   uint64_t *bitmap,
					   struct iofd_error *err);

/* ------------------------------------------------------------------ */
/* Space: an address space and its RAM regions                         */

/*
 * A RAM region: @size bytes at @vaddr, mapped at @iova. The kernel maps
 * whole pages, so @iova, @size and @vaddr are multiples of
 * IOFD_REGION_ALIGN (the smallest IOMMU page), and @vaddr is not NULL.
 */
#define IOFD_REGION_ALIGN 4096u

struct iofd_region {
	uint64_t iova;
	uint64_t size;
	void *vaddr;
	bool readonly;
};

/* Create an empty address space. Returns 0 or -ENOMEM. */
IOFD_API int iofd_space_create(struct iofd_ctx *ctx, struct iofd_space **out,
			       struct iofd_error *err);

/*
 * Free a space with no container (no attached device): 0, or -EBUSY and
 * nothing freed.
 */
IOFD_API int iofd_space_destroy(struct iofd_space *space);

/*
 * Add a RAM region and map it into every container of the space. All or
 * nothing: when one container refuses, the containers already mapped are
 * unmapped again and the region is not added. The region is checked
 * before anything happens, with or without containers. Returns 0, -EINVAL
 * (no region, size 0, @iova, @size or @vaddr not a multiple of
 * IOFD_REGION_ALIGN, or @vaddr NULL), -EOVERFLOW (range wraps), -EEXIST
 * (overlaps a region), -ENOMEM, or the kernel's -errno.
 */
IOFD_API int iofd_space_region_add(struct iofd_space *space,
				   const struct iofd_region *region,
				   struct iofd_error *err);

/*
 * Remove the region that starts at @iova with exactly @size bytes, unmapping
 * it from every container. All or nothing, as for add. Returns 0, -ENOENT
 * (no such region), or the kernel's -errno.
 */
IOFD_API int iofd_space_region_del(struct iofd_space *space, uint64_t iova,
				   uint64_t size, struct iofd_error *err);

/*
 * Whether every container of the space still holds exactly its regions.
 * An add or remove that fails in one container is undone in the others;
 * should that undo fail too (twice), a container is left differing and
 * this turns false for good: detach the space's devices and attach them
 * again to start from a fresh IOAS.
 */
IOFD_API bool iofd_space_in_sync(const struct iofd_space *space);

/* Regions, in ascending IOVA order; get returns NULL past the end. */
IOFD_API size_t iofd_space_region_count(const struct iofd_space *space);
IOFD_API const struct iofd_region *
iofd_space_region_get(const struct iofd_space *space, size_t idx);

/* Containers, in creation order; get returns NULL past the end. */
IOFD_API size_t iofd_space_container_count(const struct iofd_space *space);
IOFD_API struct iofd_container *
iofd_space_container_get(const struct iofd_space *space, size_t idx);

/* ------------------------------------------------------------------ */
/* Container: one IOAS of one backend in one space (views only)        */

IOFD_API uint32_t iofd_container_ioas(const struct iofd_container *c);
IOFD_API struct iofd_backend *
iofd_container_backend(const struct iofd_container *c);
IOFD_API size_t iofd_container_device_count(const struct iofd_container *c);
IOFD_API struct iofd_device *
iofd_container_device_get(const struct iofd_container *c, size_t idx);

/*
 * The usable IOVA ranges of the container's IOAS as the kernel reported
 * them after the last attach (a region outside them is refused), and its
 * IOVA alignment.
 */
IOFD_API size_t iofd_container_iova_range_count(const struct iofd_container *c);
IOFD_API const struct iofd_iova_range *
iofd_container_iova_range_get(const struct iofd_container *c, size_t idx);
IOFD_API uint64_t iofd_container_iova_alignment(const struct iofd_container *c);

/* The HWPTs libiofd allocated in this container (auto domains). */
IOFD_API size_t iofd_container_hwpt_count(const struct iofd_container *c);
/* Id and IOMMU_HWPT_ALLOC_* flags of the @idx-th; -ENOENT past the end. */
IOFD_API int iofd_container_hwpt_get(const struct iofd_container *c,
				     size_t idx, uint32_t *hwpt_id,
				     uint32_t *flags);

/* Whether every HWPT of the container was allocated with dirty tracking. */
IOFD_API bool iofd_container_dirty_capable(const struct iofd_container *c);

/*
 * Turn dirty tracking on or off in every HWPT of the container: all or
 * nothing (HWPTs already switched are switched back when one fails).
 * -EOPNOTSUPP when a HWPT was not allocated with dirty tracking.
 */
IOFD_API int iofd_container_set_dirty_tracking(struct iofd_container *c,
					       bool enable,
					       struct iofd_error *err);
IOFD_API bool iofd_container_dirty_tracking(const struct iofd_container *c);

/*
 * Read (and clear) the dirty bits of [@iova, @iova + @size) from every HWPT
 * of the container into @bitmap, see iofd_backend_get_dirty_bitmap.
 */
IOFD_API int iofd_container_query_dirty(struct iofd_container *c,
					uint64_t iova, uint64_t size,
					uint64_t page_size, uint64_t *bitmap,
					struct iofd_error *err);

/* ------------------------------------------------------------------ */
/* Device                                                              */

/* What VFIO_DEVICE_GET_INFO said. */
struct iofd_device_info {
	uint32_t flags;		/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
};

#define IOFD_DEVICE_NAME_MAX 64

/* The device may keep working with RAM discard (it does not pin RAM). */
#define IOFD_DEVICE_DISCARD_OK (1u << 0)
#define IOFD_DEVICE_FLAGS_ALL IOFD_DEVICE_DISCARD_OK

struct iofd_device_cfg {
	const char *name;	/* names the device in errors and traces */
	/*
	 * Where to find the cdev, or NULL when @fd is handed in. With both,
	 * the handed-in fd must be that device's cdev (devt checked).
	 */
	const char *sysfs_path;
	/*
	 * A VFIO cdev fd handed in by a manager, or -1. Handing it in gives
	 * it to libiofd: it is closed on detach, and on a failed attach.
	 */
	int fd;
	uint32_t flags;		/* IOFD_DEVICE_* */
};

/*
 * Find the VFIO device cdev of the device at @sysfs_path (for example
 * /sys/bus/pci/devices/0000:00:03.0), open it, bind it to @be, attach it to a
 * container of @space (an existing one of the same backend if the kernel
 * accepts the device there, else a new IOAS filled with the space's regions)
 * and read its info. @name names the device in errors and traces (1 to
 * IOFD_DEVICE_NAME_MAX - 1 printable characters).
 *
 * On failure everything done so far is undone in reverse order: no fd,
 * kernel object or connection is left behind. Returns 0, -EINVAL (bad name
 * or path, or a node that is not the device's), -ENAMETOOLONG, -ENOMEM, or
 * the -errno of the failing call.
 */
IOFD_API int iofd_device_attach(struct iofd_ctx *ctx, const char *name,
				const char *sysfs_path, struct iofd_space *space,
				struct iofd_backend *be,
				struct iofd_device **out,
				struct iofd_error *err);

/*
 * iofd_device_attach with every option: a device fd handed in, flags.
 * Returns as iofd_device_attach, and -EINVAL for unknown flags, -EBADF for
 * a handed-in fd that is not a char device, -EBUSY when RAM discard is
 * required and the device cannot allow it.
 */
IOFD_API int iofd_device_attach_cfg(struct iofd_ctx *ctx,
				    const struct iofd_device_cfg *cfg,
				    struct iofd_space *space,
				    struct iofd_backend *be,
				    struct iofd_device **out,
				    struct iofd_error *err);

/*
 * Undo iofd_device_attach in exact reverse and free @dev: detach from the
 * IOAS, free the IOAS with its last device, drop the backend connection and
 * close the device fd. Every step runs even when an earlier one fails (the
 * device fd close makes the kernel let go of whatever is left). Returns 0 or
 * the -errno of the first failing step (and sets @err). A failing close is
 * traced but not returned: the fd is released all the same.
 */
IOFD_API int iofd_device_detach(struct iofd_device *dev,
				struct iofd_error *err);

IOFD_API const char *iofd_device_name(const struct iofd_device *dev);
IOFD_API int iofd_device_fd(const struct iofd_device *dev);
IOFD_API uint32_t iofd_device_devid(const struct iofd_device *dev);
/* Whether the device is registered with KVM (see iofd_ctx_set_kvm_vfio). */
IOFD_API bool iofd_device_kvm_registered(const struct iofd_device *dev);
/* The HWPT id the kernel attached the device to (ATTACH's pt_id). */
IOFD_API uint32_t iofd_device_hwpt(const struct iofd_device *dev);
IOFD_API struct iofd_container *
iofd_device_container(const struct iofd_device *dev);
IOFD_API const struct iofd_device_info *
iofd_device_info(const struct iofd_device *dev);

#ifdef __cplusplus
}
#endif

#endif /* IOFD_IOFD_H */
