/* SPDX-License-Identifier: MIT */
/*
 * KVM registration: a device fd is announced to KVM's VFIO pseudo device
 * (KVM_DEV_VFIO_FILE_ADD) before it is bound, so KVM can pick up what it
 * needs (coherency, the group) at bind time, and withdrawn (FILE_DEL) on
 * detach and on every unwind after the add, to the kvm-vfio fd the add went
 * to. Off unless the user gave the ctx a kvm-vfio device fd.
 */
#include <errno.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "internal.h"

void iofd_ctx_set_kvm_vfio(struct iofd_ctx *ctx, int kvm_vfio_fd)
{
	ctx->kvm_vfio_fd = kvm_vfio_fd < 0 ? -1 : kvm_vfio_fd;
}

static int iofd_kvm_file(struct iofd_device *dev, int kvm_fd, uint64_t op)
{
	int32_t fd = dev->fd;
	struct kvm_device_attr attr = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = op,
		.addr = (uintptr_t)&fd,
	};

	return iofd_host_ioctl(dev->ctx, kvm_fd, KVM_SET_DEVICE_ATTR, &attr);
}

int iofd_kvm_add(struct iofd_device *dev, struct iofd_error *err)
{
	int ret;

	if (dev->ctx->kvm_vfio_fd < 0)
		return 0;
	ret = iofd_kvm_file(dev, dev->ctx->kvm_vfio_fd, KVM_DEV_VFIO_FILE_ADD);
	if (ret < 0) {
		iofd_trace_fail(dev->ctx, dev->name, "kvm add", -ret);
		return iofd_err_set(err, -ret,
				    "device %s: KVM_DEV_VFIO_FILE_ADD to kvm-vfio fd %d (device fd %d)",
				    dev->name, dev->ctx->kvm_vfio_fd, dev->fd);
	}
	/*
	 * The DEL goes where the ADD went, even if the ctx has switched
	 * KVM off or to another VM since.
	 */
	dev->kvm_fd = dev->ctx->kvm_vfio_fd;
	return 0;
}

void iofd_kvm_del(struct iofd_device *dev)
{
	int ret;

	if (dev->kvm_fd < 0)
		return;
	/*
	 * A failed DEL leaves KVM holding a reference it drops when the
	 * kvm-vfio device goes; there is nothing better to do than say so.
	 */
	ret = iofd_kvm_file(dev, dev->kvm_fd, KVM_DEV_VFIO_FILE_DEL);
	if (ret < 0)
		iofd_trace_fail(dev->ctx, dev->name, "kvm del", -ret);
	dev->kvm_fd = -1;
}

bool iofd_device_kvm_registered(const struct iofd_device *dev)
{
	return dev->kvm_fd >= 0;
}
