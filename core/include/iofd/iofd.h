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
 *   device     one VFIO device cdev, found through sysfs, bound to a
 *              backend and attached to a container of a space.
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
 * host's priv must outlive the context). Returns 0, or -ENOMEM / -EINVAL.
 */
IOFD_API int iofd_ctx_create(const struct iofd_host *host,
			     struct iofd_ctx **out, struct iofd_error *err);

/*
 * Tear down everything still alive in @ctx: devices are detached, spaces and
 * backends freed, then the context itself. NULL is allowed.
 */
IOFD_API void iofd_ctx_destroy(struct iofd_ctx *ctx);

/* Send trace events to @fn (NULL turns tracing off, the default). */
IOFD_API void iofd_ctx_set_trace(struct iofd_ctx *ctx, iofd_trace_fn fn,
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

/* ------------------------------------------------------------------ */
/* Space: an address space and its RAM regions                         */

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
 * unmapped again and the region is not added. Returns 0, -EINVAL (size 0),
 * -EOVERFLOW (range wraps), -EEXIST (overlaps a region), -ENOMEM, or the
 * kernel's -errno.
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

/* ------------------------------------------------------------------ */
/* Device                                                              */

/* What VFIO_DEVICE_GET_INFO said. */
struct iofd_device_info {
	uint32_t flags;		/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
};

#define IOFD_DEVICE_NAME_MAX 64

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
