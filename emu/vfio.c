// SPDX-License-Identifier: MIT
/*
 * The VFIO device cdev (vfio.h): BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT and
 * vfio-pci's GET_INFO.
 *
 * VFIO's size convention differs from iommufd's: each ioctl reads exactly
 * its minimum struct, refuses argsz below it with EINVAL and ignores any
 * bytes beyond (no E2BIG). Before BIND every ioctl but BIND is EINVAL,
 * unknown numbers included; after it unknown numbers are ENOTTY.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "device.h"
#include "iommufd.h"
#include "machine.h"
#include "util.h"
#include "vfio.h"

int emu_vfio_open(struct emu *emu, struct emu_dev *dev,
		  struct emu_vfio_file **out)
{
	struct emu_vfio_file *vf = calloc(1, sizeof(*vf));

	if (!vf)
		return -ENOMEM;
	vf->emu = emu;
	vf->dev = dev;
	*out = vf;
	return 0;
}

void emu_vfio_release(struct emu_vfio_file *vf)
{
	if (vf->idev) {
		emu_idev_unbind(vf->idev);
		vf->dev->bound = NULL;
	}
	free(vf);
}

/* Spec 5.3, in its order; the legacy-group steps do not apply to a cdev. */
static int emu_vfio_bind(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz =
		emu_offsetofend(struct vfio_device_bind_iommufd, out_devid);
	struct vfio_device_bind_iommufd bind;
	struct emu_file *file;
	struct emu_idev *idev;
	uint32_t devid;
	int rc;

	if (!arg)
		return -EFAULT;
	memcpy(&bind, arg, minsz);
	if (bind.argsz < minsz || bind.flags || bind.iommufd < 0)
		return -EINVAL;
	if (vf->idev)
		return -EINVAL;
	file = emu_fd_get(vf->emu, bind.iommufd);
	if (!file)
		return -EBADF;
	if (file->kind != EMU_FILE_IOMMUFD)
		return -EBADFD;
	if (vf->dev->bound)
		return -EINVAL;

	rc = emu_idev_bind(file->ictx, vf->dev, &idev);
	if (rc)
		return rc;
	vf->idev = idev;
	vf->dev->bound = vf;
	devid = idev->obj.id;
	memcpy((char *)arg + offsetof(struct vfio_device_bind_iommufd,
				      out_devid), &devid, sizeof(devid));
	return 0;
}

/* Spec 5.5: only pt_id is written back. */
static int emu_vfio_attach(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz =
		emu_offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	struct vfio_device_attach_iommufd_pt at;
	uint32_t hwpt_id;
	int rc;

	if (!arg)
		return -EFAULT;
	memcpy(&at, arg, minsz);
	if (at.argsz < minsz || at.flags)
		return -EINVAL;
	rc = emu_idev_attach(vf->idev, at.pt_id, &hwpt_id);
	if (rc)
		return rc;
	memcpy((char *)arg + offsetof(struct vfio_device_attach_iommufd_pt,
				      pt_id), &hwpt_id, sizeof(hwpt_id));
	return 0;
}

/* Spec 5.6: succeeds also when not attached. */
static int emu_vfio_detach(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz =
		emu_offsetofend(struct vfio_device_detach_iommufd_pt, flags);
	struct vfio_device_detach_iommufd_pt dt;

	if (!arg)
		return -EFAULT;
	memcpy(&dt, arg, minsz);
	if (dt.argsz < minsz || dt.flags)
		return -EINVAL;
	emu_idev_detach(vf->idev);
	return 0;
}

/*
 * Spec 5.7 and 9: the profile's flags, regions and irqs. No capability
 * chain is modelled, so cap_offset stays 0 and argsz is left as given.
 */
static int emu_vfio_get_info(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_device_info, num_irqs);
	const struct emu_profile *p = vf->dev->profile;
	struct vfio_device_info info;
	size_t out;

	if (!arg)
		return -EFAULT;
	memset(&info, 0, sizeof(info));
	memcpy(&info, arg, minsz);
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = p->info_flags;
	info.num_regions = p->num_regions;
	info.num_irqs = p->num_irqs;
	info.cap_offset = 0;
	out = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	memcpy(arg, &info, out);
	return 0;
}

int emu_vfio_ioctl(struct emu_vfio_file *vf, unsigned int cmd, void *arg)
{
	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return emu_vfio_bind(vf, arg);
	if (!vf->idev)
		return -EINVAL;
	switch (cmd) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		return emu_vfio_attach(vf, arg);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return emu_vfio_detach(vf, arg);
	case VFIO_DEVICE_GET_INFO:
		return emu_vfio_get_info(vf, arg);
	default:
		return -ENOTTY;
	}
}
