/* SPDX-License-Identifier: MIT */
/*
 * Devices: attach a VFIO device cdev to an address space through a backend,
 * and detach it again in exact reverse.
 *
 * Attach, in order (each step's undo is the unwind label of the same name):
 *   1. open the cdev found through sysfs        err_close_fd
 *   2. take a backend connection                err_disconnect
 *   3. bind the cdev to the iommufd             (undone by closing the fd)
 *   4. attach to a container of the space:      err_detach
 *      first every existing container of the same backend, in order; the
 *      kernel's EINVAL means "incompatible, try the next", any other errno
 *      fails the attach. When none accepts, a new container (a fresh IOAS
 *      filled with the space's regions) is made and the device attached to
 *      it; if that attach fails the new container goes too.
 *   5. read the device info
 * Detach runs 4, 2, 1 backwards and keeps going when a step fails: closing
 * the device fd makes the kernel unbind and detach whatever is left.
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

/* ATTACH_IOMMUFD_PT to @ioas_id; the kernel answers with the HWPT it used. */
static int iofd_device_attach_pt(struct iofd_device *dev, uint32_t ioas_id,
				 struct iofd_error *err)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = ioas_id,
	};
	int ret;

	ret = iofd_host_ioctl(dev->ctx, dev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT,
			      &attach);
	if (ret < 0)
		return iofd_err_set(err, -ret, "device %s: attach to IOAS %u",
				    dev->name, ioas_id);
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

static void iofd_device_join(struct iofd_device *dev, struct iofd_container *c)
{
	struct iofd_trace_event ev = {
		.kind = IOFD_TRACE_ATTACH,
		.device = dev->name,
		.fd = dev->fd,
		.id = c->ioas_id,
		.id2 = dev->hwpt_id,
	};

	dev->container = c;
	iofd_list_add_tail(&c->devices, &dev->container_node);
	iofd_trace(dev->ctx, &ev);
}

static int iofd_device_attach_space(struct iofd_device *dev,
				    struct iofd_space *space,
				    struct iofd_error *err)
{
	struct iofd_container *c;
	struct iofd_list *pos;
	int ret;

	iofd_list_for_each(pos, &space->containers) {
		c = iofd_container_of(pos, struct iofd_container, space_node);
		if (c->be != dev->be)
			continue;
		ret = iofd_device_attach_pt(dev, c->ioas_id, err);
		if (ret == 0) {
			iofd_device_join(dev, c);
			return 0;
		}
		if (ret != -EINVAL) {
			iofd_trace_fail(dev->ctx, dev->name, "attach", -ret);
			return ret;
		}
		/* Incompatible with this IOAS: the next may do. */
	}

	ret = iofd_container_create(space, dev->be, &c, err);
	if (ret) {
		iofd_error_prepend(err, "device %s", dev->name);
		iofd_trace_fail(dev->ctx, dev->name, "new container", -ret);
		return ret;
	}
	ret = iofd_device_attach_pt(dev, c->ioas_id, err);
	if (ret) {
		iofd_trace_fail(dev->ctx, dev->name, "attach", -ret);
		goto err_destroy_container;
	}
	iofd_device_join(dev, c);
	return 0;

err_destroy_container:
	iofd_container_destroy(c, NULL);
	return ret;
}

/* Leave the container; the container goes with its last device. */
static int iofd_device_leave(struct iofd_device *dev, struct iofd_error *err)
{
	struct iofd_container *c = dev->container;
	int ret = 0;

	iofd_list_del(&dev->container_node);
	dev->container = NULL;
	if (iofd_list_empty(&c->devices))
		ret = iofd_container_destroy(c, err);
	return ret;
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

int iofd_device_attach(struct iofd_ctx *ctx, const char *name,
		       const char *sysfs_path, struct iofd_space *space,
		       struct iofd_backend *be, struct iofd_device **out,
		       struct iofd_error *err)
{
	struct iofd_device *dev;
	int ret;

	ret = iofd_device_name_check(name);
	if (ret)
		return iofd_err_set(err, -ret, "attach: bad device name");
	if (!space || !be || space->ctx != ctx || be->ctx != ctx)
		return iofd_err_set(err, EINVAL,
				    "attach %s: space or backend of another context",
				    name);

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return iofd_err_set(err, ENOMEM, "attach %s", name);
	dev->ctx = ctx;
	dev->be = be;
	strcpy(dev->name, name);
	iofd_list_init(&dev->container_node);

	ret = iofd_sysfs_open_cdev(ctx, dev->name, sysfs_path, &dev->fd, err);
	if (ret)
		goto err_free_dev;

	ret = iofd_backend_connect(be, err);
	if (ret) {
		iofd_error_prepend(err, "device %s", dev->name);
		goto err_close_fd;
	}

	ret = iofd_device_bind(dev, err);
	if (ret)
		goto err_disconnect;

	ret = iofd_device_attach_space(dev, space, err);
	if (ret)
		goto err_disconnect;

	ret = iofd_device_get_info(dev, err);
	if (ret)
		goto err_detach;

	iofd_list_add_tail(&ctx->devices, &dev->ctx_node);
	*out = dev;
	return 0;

err_detach:
	iofd_device_detach_pt(dev, NULL);
	iofd_device_leave(dev, NULL);
err_disconnect:
	/* Closing the fd below also undoes the bind. */
	iofd_backend_disconnect(be);
err_close_fd:
	iofd_host_close(ctx, dev->fd);
err_free_dev:
	free(dev);
	return ret;
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
	int ret, first = 0;

	/* Only the first failure is told; every step still runs. */
	ret = iofd_device_detach_pt(dev, err);
	first = ret;
	ret = iofd_device_leave(dev, first ? NULL : err);
	if (!first)
		first = ret;
	iofd_backend_disconnect(dev->be);
	/* The fd is released even when close fails: not a detach failure. */
	ret = iofd_host_close(ctx, dev->fd);
	if (ret)
		iofd_trace_fail(ctx, dev->name, "close", -ret);
	iofd_list_del(&dev->ctx_node);
	iofd_trace(ctx, &ev);
	free(dev);
	return first;
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
