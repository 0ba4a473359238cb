// SPDX-License-Identifier: MIT
/*
 * The VFIO device cdev (vfio.h): the VFIO core's BIND_IOMMUFD,
 * ATTACH/DETACH_IOMMUFD_PT and DEVICE_FEATURE, and vfio-pci's ioctl
 * dispatch (GET_INFO, RESET, the hot-reset pair), opening and closing the
 * device. Config space, interrupts and regions are vfio_config.c,
 * vfio_irq.c and vfio_region.c (vfio_pci.h).
 *
 * VFIO's size convention differs from iommufd's: each ioctl reads exactly
 * its minimum struct, refuses argsz below it with EINVAL and ignores any
 * bytes beyond (no E2BIG). Before BIND every ioctl but BIND is EINVAL,
 * unknown numbers included, and so are read, write and mmap; after it
 * unknown numbers are vfio-pci's ENOTTY.
 *
 * The first BIND, or the first device fd of the legacy group (group.c),
 * opens the device (vfio-pci's open_device): its state (struct emu_vpci)
 * is made then and released when the bound file or the group's last
 * device fd goes, with every eventfd it holds. Every emulated function is a root-complex
 * integrated endpoint, as on the reference machine, so there is no slot
 * or bus to reset: the hot-reset ioctls answer ENODEV after their checks.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "device.h"
#include "eventfd.h"
#include "failnth.h"
#include "group.h"
#include "iommufd.h"
#include "machine.h"
#include "uaccess.h"
#include "util.h"
#include "vfio.h"
#include "vfio_pci.h"

int emu_vfio_open(struct emu *emu, struct emu_dev *dev,
		  struct emu_vfio_file **out)
{
	struct emu_vfio_file *vf = emu_heap_zalloc(emu->heap, sizeof(*vf));

	if (!vf)
		return -ENOMEM;
	vf->emu = emu;
	vf->dev = dev;
	*out = vf;
	return 0;
}

int emu_vpci_open(struct emu *emu, struct emu_dev *dev)
{
	struct emu_vpci *vpci = emu_heap_zalloc(emu->heap, sizeof(*vpci));

	if (!vpci)
		return -ENOMEM;
	vpci->heap = emu->heap;
	emu_virq_init(&vpci->irq);
	vpci->pm_wake = -1;
	dev->vpci = vpci;
	return 0;
}

void emu_vpci_close(struct emu *emu, struct emu_dev *dev)
{
	struct emu_vpci *vpci = dev->vpci;

	if (!vpci)
		return;
	emu_virq_release(emu, dev);
	emu_vregion_ioeventfds_release(emu, vpci);
	emu_eventfd_put(emu, vpci->pm_wake);
	emu_vcfg_free(vpci);
	emu_free(emu, vpci);
	dev->vpci = NULL;
}

void emu_vfio_release(struct emu_vfio_file *vf)
{
	if (vf->group_path) {
		emu_group_device_close(vf);
	} else if (vf->idev) {
		emu_vpci_close(vf->emu, vf->dev);
		emu_idev_unbind(vf->idev);
		vf->dev->bound = NULL;
		vf->dev->open_count--;
		vf->dev->group.cdev_binds--;
	}
	emu_free(vf->emu, vf);
}

ssize_t emu_vfio_rw(struct emu_vfio_file *vf, void *buf, size_t count,
		    uint64_t off, bool write)
{
	return emu_vregion_rw(vf, buf, count, off, write);
}

/* Read the first @minsz bytes of a VFIO struct: 0 or -EFAULT. */
static int emu_vfio_read_arg(struct emu_vfio_file *vf, void *karg,
			     const void *arg, size_t minsz)
{
	return emu_copy_from_user(vf->emu, karg, arg, minsz);
}

/*
 * Spec 5.3, in its order: a device fd from the group node cannot bind, and
 * an open group node blocks the bind; a device open in any other way (a
 * cdev bound, a group-path fd) makes it EINVAL.
 */
static int emu_vfio_bind(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz =
		emu_offsetofend(struct vfio_device_bind_iommufd, out_devid);
	struct vfio_device_bind_iommufd bind;
	struct emu_file *file;
	struct emu_idev *idev;
	uint32_t devid;
	int rc;

	if (emu_vfio_read_arg(vf, &bind, arg, minsz))
		return -EFAULT;
	if (bind.argsz < minsz || bind.flags || bind.iommufd < 0)
		return -EINVAL;
	if (vf->group_path)
		return -EINVAL;
	if (vf->dev->group.opened)
		return -EBUSY;
	if (vf->idev)
		return -EINVAL;
	file = emu_fd_get(vf->emu, bind.iommufd);
	if (!file)
		return -EBADF;
	if (file->kind != EMU_FILE_IOMMUFD)
		return -EBADFD;
	if (vf->dev->open_count)
		return -EINVAL;

	rc = emu_idev_bind(file->ictx, vf->dev, &idev);
	if (rc)
		return rc;
	rc = emu_vpci_open(vf->emu, vf->dev);
	if (rc)
		goto err_unbind;
	devid = idev->obj.id;
	rc = emu_copy_to_user(vf->emu, (char *)arg +
			      offsetof(struct vfio_device_bind_iommufd,
				       out_devid), &devid, sizeof(devid));
	if (rc)
		goto err_close_device;
	vf->idev = idev;
	vf->access = true;
	vf->dev->bound = vf;
	vf->dev->open_count++;
	vf->dev->group.cdev_binds++;
	return 0;

err_close_device:
	emu_vpci_close(vf->emu, vf->dev);
err_unbind:
	emu_idev_unbind(idev);
	return rc;
}

/* Spec 5.5: only pt_id is written back; a failed write undoes it. */
static int emu_vfio_attach(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz =
		emu_offsetofend(struct vfio_device_attach_iommufd_pt, pt_id);
	struct vfio_device_attach_iommufd_pt at;
	uint32_t hwpt_id;
	int rc;

	if (emu_vfio_read_arg(vf, &at, arg, minsz))
		return -EFAULT;
	if (at.argsz < minsz || at.flags)
		return -EINVAL;
	rc = emu_idev_attach(vf->idev, at.pt_id, &hwpt_id);
	if (rc)
		return rc;
	rc = emu_copy_to_user(vf->emu, (char *)arg +
			      offsetof(struct vfio_device_attach_iommufd_pt,
				       pt_id), &hwpt_id, sizeof(hwpt_id));
	if (rc) {
		/*
		 * The kernel detaches on this path; a replaced-away
		 * automatic HWPT is gone already and is not brought back.
		 */
		emu_idev_detach(vf->idev);
	}
	return rc;
}

/* Spec 5.6: succeeds also when not attached. */
static int emu_vfio_detach(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz =
		emu_offsetofend(struct vfio_device_detach_iommufd_pt, flags);
	struct vfio_device_detach_iommufd_pt dt;

	if (emu_vfio_read_arg(vf, &dt, arg, minsz))
		return -EFAULT;
	if (dt.argsz < minsz || dt.flags)
		return -EINVAL;
	emu_idev_detach(vf->idev);
	return 0;
}

/*
 * Spec 5.7 and 9: the profile's flags; 9 regions and 5 irqs. No
 * capability chain (no zPCI, no AtomicOps completer on the root bus), so
 * cap_offset stays 0 and argsz is left as given.
 */
static int emu_vfio_get_info(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_device_info, num_irqs);
	const struct emu_profile *p = vf->dev->profile;
	struct vfio_device_info info;
	size_t out;

	memset(&info, 0, sizeof(info));
	if (emu_vfio_read_arg(vf, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = p->info_flags;
	info.num_regions = p->num_regions;
	info.num_irqs = p->num_irqs;
	info.cap_offset = 0;
	out = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	return emu_copy_to_user(vf->emu, arg, &info, out);
}

/*
 * vfio-pci's function reset (PM reset here: no FLR). It reaches the
 * device, not vfio-pci's virtual config space, which keeps its values.
 */
static int emu_vfio_reset(struct emu_vfio_file *vf)
{
	if (!(vf->dev->profile->info_flags & VFIO_DEVICE_FLAGS_RESET))
		return -EINVAL;
	return 0;
}

static int emu_vfio_hot_reset_info(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz =
		emu_offsetofend(struct vfio_pci_hot_reset_info, count);
	struct vfio_pci_hot_reset_info hdr;

	if (emu_vfio_read_arg(vf, &hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz)
		return -EINVAL;
	return -ENODEV;
}

static int emu_vfio_hot_reset(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_pci_hot_reset, count);
	struct vfio_pci_hot_reset hdr;

	if (emu_vfio_read_arg(vf, &hdr, arg, minsz))
		return -EFAULT;
	if (hdr.argsz < minsz || hdr.flags)
		return -EINVAL;
	/* A cdev-opened device takes only the zero-length fd array. */
	if (hdr.count)
		return -EINVAL;
	return -ENODEV;
}

/* vfio_check_feature: 1 go on, 0 a PROBE that succeeded, or -EINVAL. */
static int emu_vfio_feature_check(uint32_t flags, size_t argsz,
				  uint32_t supported, size_t minsz)
{
	if ((flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)) &
	    ~supported)
		return -EINVAL;
	if (flags & VFIO_DEVICE_FEATURE_PROBE)
		return 0;
	if (!(flags & (VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET)))
		return -EINVAL;
	if (argsz < minsz)
		return -EINVAL;
	return 1;
}

/*
 * vfio-pci's low-power features: entry (with a wakeup eventfd, held until
 * exit or close) and exit. A second entry is EINVAL; exit when not in low
 * power does nothing.
 */
static int emu_vfio_feature_pm(struct emu_vfio_file *vf, uint32_t flags,
			       const void *data, size_t argsz)
{
	const uint32_t id = flags & VFIO_DEVICE_FEATURE_MASK;
	struct vfio_device_low_power_entry_with_wakeup entry;
	struct emu_vpci *vpci = vf->dev->vpci;
	size_t minsz = id == VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP ?
		       sizeof(entry) : 0;
	int rc, held = -1;

	rc = emu_vfio_feature_check(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				    minsz);
	if (rc != 1)
		return rc;
	if (id == VFIO_DEVICE_FEATURE_LOW_POWER_EXIT) {
		vpci->pm_engaged = false;
		emu_eventfd_put(vf->emu, vpci->pm_wake);
		vpci->pm_wake = -1;
		return 0;
	}
	if (minsz) {
		if (emu_copy_from_user(vf->emu, &entry, data, sizeof(entry)))
			return -EFAULT;
		if (entry.wakeup_eventfd < 0)
			return -EINVAL;
		held = emu_eventfd_get(vf->emu, entry.wakeup_eventfd);
		if (held < 0)
			return held;
	}
	if (vpci->pm_engaged) {
		emu_eventfd_put(vf->emu, held);
		return -EINVAL;
	}
	vpci->pm_engaged = true;
	vpci->pm_wake = held;
	return 0;
}

/*
 * VFIO_DEVICE_FEATURE: the core's checks, then the feature. Migration
 * and DMA logging need driver ops vfio-pci lacks (ENOTTY before any flag
 * is looked at); the VF token needs SR-IOV (ENOTTY); the low-power
 * features are vfio-pci's own.
 */
static int emu_vfio_feature(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_device_feature, flags);
	const uint32_t known = VFIO_DEVICE_FEATURE_MASK |
			       VFIO_DEVICE_FEATURE_GET |
			       VFIO_DEVICE_FEATURE_SET |
			       VFIO_DEVICE_FEATURE_PROBE;
	struct vfio_device_feature feat;

	if (emu_vfio_read_arg(vf, &feat, arg, minsz))
		return -EFAULT;
	if (feat.argsz < minsz || (feat.flags & ~known))
		return -EINVAL;
	if (!(feat.flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (feat.flags & VFIO_DEVICE_FEATURE_SET) &&
	    (feat.flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;
	switch (feat.flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
	case VFIO_DEVICE_FEATURE_LOW_POWER_EXIT:
		return emu_vfio_feature_pm(vf, feat.flags,
					   (char *)arg + minsz,
					   feat.argsz - minsz);
	default:
		return -ENOTTY;
	}
}

int emu_vfio_ioctl(struct emu_vfio_file *vf, unsigned int cmd, void *arg)
{
	struct emu_dev *dev = vf->dev;

	if (cmd == VFIO_DEVICE_BIND_IOMMUFD)
		return emu_vfio_bind(vf, arg);
	if (!vf->access)
		return -EINVAL;
	/* cdev-only: on a group-path fd vfio-pci gets them (ENOTTY). */
	if (!vf->group_path && cmd == VFIO_DEVICE_ATTACH_IOMMUFD_PT)
		return emu_vfio_attach(vf, arg);
	if (!vf->group_path && cmd == VFIO_DEVICE_DETACH_IOMMUFD_PT)
		return emu_vfio_detach(vf, arg);
	switch (cmd) {
	case VFIO_DEVICE_FEATURE:
		return emu_vfio_feature(vf, arg);
	case VFIO_DEVICE_GET_INFO:
		return emu_vfio_get_info(vf, arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return emu_vregion_get_info(vf->emu, dev, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return emu_virq_get_info(vf->emu, dev, arg);
	case VFIO_DEVICE_SET_IRQS:
		return emu_virq_set(vf->emu, dev, arg);
	case VFIO_DEVICE_RESET:
		return emu_vfio_reset(vf);
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return emu_vfio_hot_reset_info(vf, arg);
	case VFIO_DEVICE_PCI_HOT_RESET:
		return emu_vfio_hot_reset(vf, arg);
	case VFIO_DEVICE_IOEVENTFD:
		return emu_vregion_ioeventfd(vf->emu, dev, arg);
	default:
		return -ENOTTY;
	}
}
