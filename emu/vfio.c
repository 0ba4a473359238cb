// SPDX-License-Identifier: MIT
/*
 * The VFIO device cdev (vfio.h): BIND_IOMMUFD, ATTACH/DETACH_IOMMUFD_PT,
 * DEVICE_FEATURE, and vfio-pci's GET_INFO, GET_REGION_INFO, GET_IRQ_INFO,
 * RESET and region read/write.
 *
 * VFIO's size convention differs from iommufd's: each ioctl reads exactly
 * its minimum struct, refuses argsz below it with EINVAL and ignores any
 * bytes beyond (no E2BIG). Before BIND every ioctl but BIND is EINVAL,
 * unknown numbers included, and so are read and write; after it unknown
 * numbers are vfio-pci's ENOTTY.
 *
 * Config space is vfio-pci's virtual copy: the command register, the BARs
 * (with their size masks, so BAR sizing works) and the interrupt line
 * take writes; every other byte ignores them, as vfio-pci's permission
 * tables do for a device without capabilities.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "device.h"
#include "iommufd.h"
#include "machine.h"
#include "uaccess.h"
#include "util.h"
#include "vfio.h"

#define EMU_VFIO_OFFSET_SHIFT 40
#define EMU_VFIO_OFFSET_MASK ((1ULL << EMU_VFIO_OFFSET_SHIFT) - 1)

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

static const struct emu_region_desc *emu_vfio_region(const struct emu_dev *dev,
						     uint32_t index)
{
	const struct emu_profile *p = dev->profile;
	static const struct emu_region_desc config = {
		.size = 256,
		.flags = VFIO_REGION_INFO_FLAG_READ |
			 VFIO_REGION_INFO_FLAG_WRITE,
	};

	if (index >= p->num_regions)
		return NULL;
	if (p->regions)
		return &p->regions[index];
	return index == VFIO_PCI_CONFIG_REGION_INDEX ? &config : NULL;
}

static void emu_vfio_put16(uint8_t *c, unsigned int off, uint16_t v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static void emu_vfio_put32(uint8_t *c, unsigned int off, uint32_t v)
{
	emu_vfio_put16(c, off, (uint16_t)v);
	emu_vfio_put16(c, off + 2, (uint16_t)(v >> 16));
}

static uint32_t emu_vfio_get32(const uint8_t *c, unsigned int off)
{
	return c[off] | (uint32_t)c[off + 1] << 8 | (uint32_t)c[off + 2] << 16 |
	       (uint32_t)c[off + 3] << 24;
}

/* A BAR register's value for a base of @base: size mask and type bits. */
static uint32_t emu_vfio_bar_value(const struct emu_region_desc *r,
				   uint32_t base)
{
	if (!r || !r->size)
		return 0;
	if (r->io)
		return (base & ~(uint32_t)(r->size - 1) & ~0x3u) |
		       PCI_BASE_ADDRESS_SPACE_IO;
	return base & ~(uint32_t)(r->size - 1) & ~0xfu;
}

/* Write the state after reset into @c (EMU_CONFIG_SIZE bytes). */
static void emu_vfio_config_fill(const struct emu_dev *dev, uint8_t *c)
{
	const struct emu_profile *p = dev->profile;
	unsigned int i;

	memset(c, 0, EMU_CONFIG_SIZE);
	emu_vfio_put16(c, PCI_VENDOR_ID, p->vendor);
	emu_vfio_put16(c, PCI_DEVICE_ID, p->device);
	c[PCI_CLASS_REVISION + 1] = (uint8_t)p->class_code;
	c[PCI_CLASS_REVISION + 2] = (uint8_t)(p->class_code >> 8);
	c[PCI_CLASS_REVISION + 3] = (uint8_t)(p->class_code >> 16);
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	for (i = 0; i < 6; i++)
		emu_vfio_put32(c, PCI_BASE_ADDRESS_0 + 4 * i,
			       emu_vfio_bar_value(emu_vfio_region(dev, i),
						  0xfe000000u - 0x100000u * i));
	emu_vfio_put16(c, PCI_SUBSYSTEM_VENDOR_ID, p->vendor);
	c[PCI_INTERRUPT_PIN] = 1;
}

void emu_vfio_config_reset(struct emu_dev *dev)
{
	if (dev->config)
		emu_vfio_config_fill(dev, dev->config);
}

/* The config space, made (in its reset state) on first use: 0 or -ENOMEM. */
static int emu_vfio_config_get(struct emu_dev *dev)
{
	if (dev->config)
		return 0;
	dev->config = malloc(EMU_CONFIG_SIZE);
	if (!dev->config)
		return -ENOMEM;
	emu_vfio_config_fill(dev, dev->config);
	return 0;
}

/* Whether config byte @off takes writes (see the file comment). */
static bool emu_vfio_config_writable(unsigned int off)
{
	return (off >= PCI_COMMAND && off < PCI_COMMAND + 2) ||
	       (off >= PCI_BASE_ADDRESS_0 && off < PCI_BASE_ADDRESS_5 + 4) ||
	       off == PCI_INTERRUPT_LINE;
}

static ssize_t emu_vfio_config_rw(struct emu_vfio_file *vf, void *buf,
				  size_t count, uint64_t pos, bool write)
{
	struct emu_dev *dev = vf->dev;
	uint64_t size = emu_vfio_region(dev, VFIO_PCI_CONFIG_REGION_INDEX)->size;
	uint8_t tmp[EMU_CONFIG_SIZE];
	unsigned int i;
	int rc;

	if (pos >= size || count > size - pos)
		return -EFAULT;
	rc = emu_vfio_config_get(dev);
	if (rc)
		return rc;
	if (!write)
		return emu_copy_to_user(vf->emu, buf, dev->config + pos, count) ?:
		       (ssize_t)count;
	if (emu_copy_from_user(vf->emu, tmp, buf, count))
		return -EFAULT;
	for (i = 0; i < count; i++) {
		if (emu_vfio_config_writable((unsigned int)(pos + i)))
			dev->config[pos + i] = tmp[i];
	}
	for (i = 0; i < 6; i++) {
		unsigned int off = PCI_BASE_ADDRESS_0 + 4 * i;

		emu_vfio_put32(dev->config, off,
			       emu_vfio_bar_value(emu_vfio_region(dev, i),
						  emu_vfio_get32(dev->config,
								 off)));
	}
	return (ssize_t)count;
}

ssize_t emu_vfio_rw(struct emu_vfio_file *vf, void *buf, size_t count,
		    uint64_t off, bool write)
{
	uint32_t index = (uint32_t)(off >> EMU_VFIO_OFFSET_SHIFT);
	uint64_t pos = off & EMU_VFIO_OFFSET_MASK;
	const struct emu_region_desc *r;
	size_t n;

	if (!vf->idev)
		return -EINVAL;
	r = emu_vfio_region(vf->dev, index);
	if (!r)
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		return emu_vfio_config_rw(vf, buf, count, pos, write);
	if (!r->size || pos >= r->size)
		return -EINVAL;
	if (write && !(r->flags & VFIO_REGION_INFO_FLAG_WRITE))
		return -EINVAL;
	/* Device registers: reads give zeros, writes are accepted. */
	n = count < r->size - pos ? count : (size_t)(r->size - pos);
	if (!write && emu_clear_user(vf->emu, buf, n))
		return -EFAULT;
	return (ssize_t)n;
}

/* Read the first @minsz bytes of a VFIO struct: 0 or -EFAULT. */
static int emu_vfio_read_arg(struct emu_vfio_file *vf, void *karg,
			     const void *arg, size_t minsz)
{
	return emu_copy_from_user(vf->emu, karg, arg, minsz);
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

	if (emu_vfio_read_arg(vf, &bind, arg, minsz))
		return -EFAULT;
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
	devid = idev->obj.id;
	rc = emu_copy_to_user(vf->emu, (char *)arg +
			      offsetof(struct vfio_device_bind_iommufd,
				       out_devid), &devid, sizeof(devid));
	if (rc)
		goto err_unbind;
	vf->idev = idev;
	vf->dev->bound = vf;
	return 0;

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
 * Spec 5.7 and 9: the profile's flags, regions and irqs. No capability
 * chain is modelled, so cap_offset stays 0 and argsz is left as given.
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

/* vfio-pci: index past the regions, or an absent VGA region: EINVAL. */
static int emu_vfio_get_region_info(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_region_info, offset);
	const struct emu_region_desc *r;
	struct vfio_region_info info;

	if (emu_vfio_read_arg(vf, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	r = emu_vfio_region(vf->dev, info.index);
	if (!r || (info.index == VFIO_PCI_VGA_REGION_INDEX && !r->size))
		return -EINVAL;
	info.offset = (uint64_t)info.index << EMU_VFIO_OFFSET_SHIFT;
	info.size = r->size;
	info.flags = r->size ? r->flags : 0;
	info.cap_offset = 0;
	return emu_copy_to_user(vf->emu, arg, &info, minsz);
}

static int emu_vfio_get_irq_info(struct emu_vfio_file *vf, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_irq_info, count);
	const struct emu_profile *p = vf->dev->profile;
	struct vfio_irq_info info;

	if (emu_vfio_read_arg(vf, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= p->num_irqs)
		return -EINVAL;
	info.count = p->irq_counts ? p->irq_counts[info.index] : 0;
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_AUTOMASKED;
	else
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return emu_copy_to_user(vf->emu, arg, &info, minsz);
}

static int emu_vfio_reset(struct emu_vfio_file *vf)
{
	if (!(vf->dev->profile->info_flags & VFIO_DEVICE_FLAGS_RESET))
		return -EINVAL;
	emu_vfio_config_reset(vf->dev);
	return 0;
}

/*
 * VFIO_DEVICE_FEATURE, the core's checks; the device then knows no
 * feature (no migration, no DMA logging, no VF token): ENOTTY.
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
	return -ENOTTY;
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
	case VFIO_DEVICE_FEATURE:
		return emu_vfio_feature(vf, arg);
	case VFIO_DEVICE_GET_INFO:
		return emu_vfio_get_info(vf, arg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return emu_vfio_get_region_info(vf, arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return emu_vfio_get_irq_info(vf, arg);
	case VFIO_DEVICE_RESET:
		return emu_vfio_reset(vf);
	default:
		return -ENOTTY;
	}
}
