/* SPDX-License-Identifier: MIT */
/*
 * Devices: attach a VFIO device cdev to an address space through a backend,
 * and detach it again in exact reverse.
 *
 * Attach, in order (each step's undo is the unwind label of the same name):
 *   1. open the cdev found through sysfs, or take the fd handed in
 *                                                   err_close_fd
 *   2. take a backend connection                    err_disconnect
 *   3. register the fd with KVM (before bind, so KVM sees it at bind time)
 *                                                   err_kvm_del
 *   4. bind the cdev to the iommufd                 (undone by closing the fd)
 *   5. disable RAM discard (unless the device allows it)
 *                                                   err_enable_discard
 *   6. join a container of the space: first every existing container of the
 *      same backend, in order; the kernel's EINVAL means "incompatible, try
 *      the next", any other errno fails the attach. When none accepts, a new
 *      container (a fresh IOAS filled with the space's regions) is made and
 *      joined; if that fails the new container goes too. Joining goes
 *      through a HWPT of the container (hwpt.c).      err_leave
 *   7. read the usable IOVA ranges and the device info
 * Detach runs 6, 5, 3, 2, 1 backwards and keeps going when a step fails:
 * closing the device fd makes the kernel unbind and detach whatever is left.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "internal.h"

static int iofd_device_name_check(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return -EINVAL;
	for (i = 0; name[i]; i++) {
		if (i == IOFD_DEVICE_NAME_MAX - 1)
			return -ENAMETOOLONG;
		if (!isgraph((unsigned char)name[i]))
			return -EINVAL;
	}
	return 0;
}

static int iofd_device_bind(struct iofd_device *dev, struct iofd_error *err)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iofd_backend_fd(dev->be),
	};
	struct iofd_trace_event ev = {
		.kind = IOFD_TRACE_BIND,
		.device = dev->name,
		.fd = dev->fd,
	};
	int ret;

	ret = iofd_host_ioctl(dev->ctx, dev->fd, VFIO_DEVICE_BIND_IOMMUFD,
			      &bind);
	if (ret < 0) {
		iofd_trace_fail(dev->ctx, dev->name, "bind", -ret);
		return iofd_err_set(err, -ret, "device %s: bind to iommufd %d",
				    dev->name, bind.iommufd);
	}
	dev->devid = bind.out_devid;
	ev.id = dev->devid;
	iofd_trace(dev->ctx, &ev);
	return 0;
}

/* ATTACH_IOMMUFD_PT to @pt_id; the kernel answers with the HWPT it used. */
int iofd_device_attach_pt(struct iofd_device *dev, uint32_t pt_id,
			  struct iofd_error *err)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = pt_id,
	};
	int ret;

	ret = iofd_host_ioctl(dev->ctx, dev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
			      &attach);
	if (ret < 0) {
		iofd_trace_fail(dev->ctx, dev->name, "attach", -ret);
		return iofd_err_set(err, -ret, "device %s: attach to %u",
				    dev->name, pt_id);
	}
	dev->hwpt_id = attach.pt_id;
	return 0;
}

static int iofd_device_detach_pt(struct iofd_device *dev,
				 struct iofd_error *err)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};
	int ret;

	ret = iofd_host_ioctl(dev->ctx, dev->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT,
			      &detach);
	if (ret < 0) {
		iofd_trace_fail(dev->ctx, dev->name, "detach", -ret);
		return iofd_err_set(err, -ret, "device %s: detach from IOAS %u",
				    dev->name, dev->container->ioas_id);
	}
	return 0;
}

/*
 * Join container @c (step 6): attach through one of its HWPTs (which
 * undoes itself on failure), then link the device in.
 */
static int iofd_device_join(struct iofd_device *dev, struct iofd_container *c,
			    struct iofd_error *err)
{
	struct iofd_trace_event ev = {
		.kind = IOFD_TRACE_ATTACH,
		.device = dev->name,
		.fd = dev->fd,
		.id = c->ioas_id,
	};
	int ret;

	ret = iofd_hwpt_attach(dev, c, err);
	if (ret)
		return ret;
	dev->container = c;
	iofd_list_add_tail(&c->devices, &dev->container_node);
	ev.id2 = dev->hwpt_id;
	iofd_trace(dev->ctx, &ev);
	return 0;
}

static int iofd_device_attach_space(struct iofd_device *dev,
				    struct iofd_space *space,
				    struct iofd_error *err)
{
	struct iofd_error scratch;
	struct iofd_container *c;
	struct iofd_list *pos;
	int ret;

	iofd_list_for_each(pos, &space->containers) {
		c = iofd_container_of(pos, struct iofd_container, space_node);
		if (c->be != dev->be)
			continue;
		ret = iofd_device_join(dev, c, &scratch);
		if (ret == 0)
			return 0;
		if (ret != -EINVAL)
			return iofd_err_pass(err, &scratch, ret);
		/* Incompatible with this IOAS: the next may do. */
	}

	ret = iofd_container_create(space, dev->be, &c, err);
	if (ret) {
		iofd_error_prepend(err, "device %s", dev->name);
		iofd_trace_fail(dev->ctx, dev->name, "new container", -ret);
		return ret;
	}
	ret = iofd_device_join(dev, c, err);
	if (ret)
		goto err_destroy_container;
	return 0;

err_destroy_container:
	iofd_container_destroy(c, NULL);
	return ret;
}

/*
 * Leave the container (undo of step 6): detach from the HWPT, free the HWPT
 * with its last device and the container with its last device. Every part
 * runs; the first failure is returned. A DESTROY that fails (EBUSY while
 * a failed DETACH left the device attached, or an injected fault) leaves
 * the object on the backend's stranded list.
 */
static int iofd_device_leave(struct iofd_device *dev, struct iofd_error *err)
{
	struct iofd_container *c = dev->container;
	int ret, first;

	first = iofd_device_detach_pt(dev, err);
	ret = iofd_hwpt_detach(dev, first ? NULL : err);
	if (!first && ret) {
		iofd_error_prepend(err, "device %s: leave its HWPT", dev->name);
		first = ret;
	}
	iofd_list_del(&dev->container_node);
	dev->container = NULL;
	if (iofd_list_empty(&c->devices)) {
		ret = iofd_container_destroy(c, first ? NULL : err);
		if (!first && ret) {
			iofd_error_prepend(err, "device %s: free the IOAS of its last container",
					   dev->name);
			first = ret;
		}
	}
	return first;
}

static int iofd_device_get_info(struct iofd_device *dev,
				struct iofd_error *err)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret;

	ret = iofd_host_ioctl(dev->ctx, dev->fd, VFIO_DEVICE_GET_INFO, &info);
	if (ret < 0) {
		iofd_trace_fail(dev->ctx, dev->name, "get info", -ret);
		return iofd_err_set(err, -ret, "device %s: VFIO_DEVICE_GET_INFO",
				    dev->name);
	}
	dev->info.flags = info.flags;
	dev->info.num_regions = info.num_regions;
	dev->info.num_irqs = info.num_irqs;
	return 0;
}

/* Step 1: the device's cdev fd, opened through sysfs or handed in. */
static int iofd_device_open(struct iofd_device *dev,
			    const struct iofd_device_cfg *cfg,
			    struct iofd_error *err)
{
	struct stat st;
	int ret;

	if (cfg->fd < 0)
		return iofd_sysfs_open_cdev(dev->ctx, dev->name,
					    cfg->sysfs_path, &dev->fd, err);
	dev->fd = cfg->fd;
	if (cfg->sysfs_path)
		return iofd_sysfs_check_cdev(dev->ctx, dev->name,
					     cfg->sysfs_path, dev->fd, err);
	ret = dev->ctx->host.ops->fstat(dev->ctx->host.priv, dev->fd, &st);
	if (ret)
		return iofd_err_set(err, -ret, "device %s: fstat of fd %d",
				    dev->name, dev->fd);
	if (!S_ISCHR(st.st_mode))
		return iofd_err_set(err, EBADF,
				    "device %s: fd %d is not a char device",
				    dev->name, dev->fd);
	return 0;
}

int iofd_device_attach_cfg(struct iofd_ctx *ctx,
			   const struct iofd_device_cfg *cfg,
			   struct iofd_space *space, struct iofd_backend *be,
			   struct iofd_device **out, struct iofd_error *err)
{
	struct iofd_device *dev;
	int ret;

	ret = iofd_device_name_check(cfg->name);
	if (ret) {
		iofd_err_set(err, -ret, "attach: bad device name");
		goto err_close_handed_in;
	}
	if (cfg->flags & ~IOFD_DEVICE_FLAGS_ALL) {
		ret = iofd_err_set(err, EINVAL, "attach %s: unknown flags 0x%x",
				   cfg->name, cfg->flags);
		goto err_close_handed_in;
	}
	if (!space || !be || space->ctx != ctx || be->ctx != ctx) {
		ret = iofd_err_set(err, EINVAL,
				   "attach %s: space or backend of another context",
				   cfg->name);
		goto err_close_handed_in;
	}

	dev = iofd_zalloc(ctx, sizeof(*dev));
	if (!dev) {
		ret = iofd_err_set(err, ENOMEM, "attach %s", cfg->name);
		goto err_close_handed_in;
	}
	dev->ctx = ctx;
	dev->be = be;
	dev->fd = -1;
	dev->kvm_fd = -1;
	dev->flags = cfg->flags;
	strcpy(dev->name, cfg->name);
	iofd_list_init(&dev->container_node);

	ret = iofd_device_open(dev, cfg, err);
	if (ret)
		goto err_close_fd;

	ret = iofd_backend_connect(be, err);
	if (ret) {
		iofd_error_prepend(err, "device %s", dev->name);
		goto err_close_fd;
	}

	ret = iofd_kvm_add(dev, err);
	if (ret)
		goto err_disconnect;

	ret = iofd_device_bind(dev, err);
	if (ret)
		goto err_kvm_del;

	ret = iofd_discard_disable(dev, err);
	if (ret)
		goto err_kvm_del;

	ret = iofd_device_attach_space(dev, space, err);
	if (ret)
		goto err_enable_discard;

	ret = iofd_container_refresh_ranges(dev->container, err);
	if (ret) {
		iofd_error_prepend(err, "device %s", dev->name);
		goto err_leave;
	}

	ret = iofd_device_get_info(dev, err);
	if (ret)
		goto err_leave;

	iofd_list_add_tail(&ctx->devices, &dev->ctx_node);
	*out = dev;
	return 0;

err_leave:
	iofd_device_leave(dev, NULL);
err_enable_discard:
	iofd_discard_enable(dev);
err_kvm_del:
	/* Closing the fd below also undoes the bind. */
	iofd_kvm_del(dev);
err_disconnect:
	iofd_backend_disconnect(be);
err_close_fd:
	if (dev->fd >= 0)
		iofd_host_close(ctx, dev->fd);
	/* Closing the fd detached it: what it kept busy can go now. */
	iofd_backend_retry_stranded(be);
	iofd_free(ctx, dev);
	return ret;

err_close_handed_in:
	/* A handed-in fd belongs to libiofd from the call on. */
	if (cfg->fd >= 0)
		iofd_host_close(ctx, cfg->fd);
	return ret;
}

int iofd_device_attach(struct iofd_ctx *ctx, const char *name,
		       const char *sysfs_path, struct iofd_space *space,
		       struct iofd_backend *be, struct iofd_device **out,
		       struct iofd_error *err)
{
	const struct iofd_device_cfg cfg = {
		.name = name,
		.sysfs_path = sysfs_path,
		.fd = -1,
	};

	return iofd_device_attach_cfg(ctx, &cfg, space, be, out, err);
}

int iofd_device_detach(struct iofd_device *dev, struct iofd_error *err)
{
	struct iofd_trace_event ev = {
		.kind = IOFD_TRACE_DETACH,
		.device = dev->name,
		.fd = dev->fd,
		.id = dev->container->ioas_id,
	};
	struct iofd_ctx *ctx = dev->ctx;
	int ret, cret;

	/* Only the first failure is told; every step still runs. */
	ret = iofd_device_leave(dev, err);
	iofd_discard_enable(dev);
	iofd_kvm_del(dev);
	iofd_backend_disconnect(dev->be);
	/* The fd is released even when close fails: not a detach failure. */
	cret = iofd_host_close(ctx, dev->fd);
	if (cret < 0)
		iofd_trace_fail(ctx, dev->name, "close", -cret);
	/* Closing the fd detached it: what it kept busy can go now. */
	iofd_backend_retry_stranded(dev->be);
	iofd_list_del(&dev->ctx_node);
	iofd_trace(ctx, &ev);
	iofd_free(ctx, dev);
	return ret;
}

const char *iofd_device_name(const struct iofd_device *dev)
{
	return dev->name;
}

int iofd_device_fd(const struct iofd_device *dev)
{
	return dev->fd;
}

uint32_t iofd_device_devid(const struct iofd_device *dev)
{
	return dev->devid;
}

uint32_t iofd_device_hwpt(const struct iofd_device *dev)
{
	return dev->hwpt_id;
}

struct iofd_container *iofd_device_container(const struct iofd_device *dev)
{
	return dev->container;
}

const struct iofd_device_info *iofd_device_info(const struct iofd_device *dev)
{
	return &dev->info;
}
