// SPDX-License-Identifier: MIT
/*
 * Device DMA through the emulated IOMMU (emu_dma, emu.h; emu_dma_dev,
 * dma.h) and the record of what it refused.
 *
 * The translation a device has is the one its open path gave it: a bound
 * cdev's attachment (none: the blocked domain), the compat IOAS its
 * group's iommufd attached it to, or the type-1 mappings of its group's
 * container. Pages are checked one by one, as the IOMMU walks them, in
 * the order the fault reasons of QEMU's intel-iommu follow: the context
 * (blocked), the address width, then the page's permission.
 *
 * A refusal is recorded twice: in the machine's fault list (emu_dma_faults)
 * and in its kernel log, as Linux's VT-d driver prints a fault record
 * (what a program reading /dev/kmsg sees).
 */
#include <errno.h>
#include <string.h>

#include <linux/pci_regs.h>

#include "area.h"
#include "container.h"
#include "device.h"
#include "dma.h"
#include "hwpt.h"
#include "ioas.h"
#include "klog.h"
#include "machine.h"
#include "type1.h"
#include "uaccess.h"
#include "util.h"
#include "vfio.h"
#include "vfio_pci.h"

#define EMU_KLOG_ERR 3

static const char *emu_dma_reason_text(enum emu_dma_fault_reason r)
{
	switch (r) {
	case EMU_DMA_FAULT_NO_CONTEXT:
		return "Present bit in context entry is clear";
	case EMU_DMA_FAULT_BEYOND:
		return "Access beyond MGAW";
	case EMU_DMA_FAULT_WRITE:
		return "PTE Write access is not set";
	case EMU_DMA_FAULT_READ:
		return "PTE Read access is not set";
	}
	return "Unknown";
}

/* "bb:dd.f" of a "dddd:bb:dd.f" PCI address, as the driver prints it. */
static const char *emu_dma_source(const struct emu_dev *dev)
{
	const char *colon = strchr(dev->bdf, ':');

	return colon ? colon + 1 : dev->bdf;
}

static void emu_dma_fault(struct emu *emu, struct emu_dev *dev,
			  uint64_t iova, bool write,
			  enum emu_dma_fault_reason reason)
{
	struct emu_dma_fault *f;

	f = &emu->dma_faults[emu->nr_dma_faults % EMU_DMA_FAULTS_MAX];
	f->dev = dev->index;
	f->iova = iova & ~(EMU_PAGE_SIZE - 1);
	f->write = write;
	f->reason = reason;
	emu->nr_dma_faults++;
	/* PPF set in the fault status register: 2. */
	emu_klog_add(emu, EMU_KLOG_ERR, "DMAR: DRHD: handling fault status "
		     "reg 2");
	emu_klog_add(emu, EMU_KLOG_ERR, "DMAR: [%s NO_PASID] Request device "
		     "[%s] fault addr 0x%llx [fault reason 0x%02x] %s",
		     write ? "DMA Write" : "DMA Read", emu_dma_source(dev),
		     (unsigned long long)f->iova, reason,
		     emu_dma_reason_text(reason));
}

/*
 * The mapping of @iova for @dev and the aperture it is checked against:
 * 0, or a fault reason (no mapping: the caller's READ or WRITE).
 */
static int emu_dma_lookup(const struct emu_dev *dev, uint64_t iova,
			  const struct emu_area **area)
{
	const struct emu_group *g = &dev->group;
	const struct emu_idev *idev = NULL;

	*area = NULL;
	if (dev->bound)
		idev = dev->bound->idev;
	else if (g->idev)
		idev = g->idev;
	if (idev) {
		if (!idev->hwpt)
			return EMU_DMA_FAULT_NO_CONTEXT;
		if (iova > idev->hwpt->iommu->aperture_last)
			return EMU_DMA_FAULT_BEYOND;
		*area = emu_area_first_hit(&idev->hwpt->ioas->areas, iova,
					   iova);
		return 0;
	}
	if (iova > dev->iommu.aperture_last)
		return EMU_DMA_FAULT_BEYOND;
	if (g->container && g->container->iommu)
		*area = emu_type1_lookup(g->container->iommu, dev, iova);
	return 0;
}

/* Open (vfio-pci's state exists) with bus mastering on. */
static bool emu_dma_master(struct emu_dev *dev)
{
	uint16_t cmd;

	return dev->vpci && !emu_vcfg_command(dev, &cmd) &&
	       (cmd & PCI_COMMAND_MASTER);
}

int emu_dma_dev(struct emu *emu, struct emu_dev *dev, uint64_t iova,
		void *buf, size_t len, bool write, size_t *done)
{
	uint8_t *p = buf;
	uint64_t last;

	*done = 0;
	if (!len)
		return 0;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -EINVAL;
	if (!emu_dma_master(dev))
		return -EPERM;
	while (*done < len) {
		uint64_t at = iova + *done;
		size_t n = EMU_PAGE_SIZE - at % EMU_PAGE_SIZE;
		const struct emu_area *a;
		int reason;
		void *va;

		if (n > len - *done)
			n = len - *done;
		reason = emu_dma_lookup(dev, at, &a);
		if (!reason && (!a || !(write ? a->writeable : a->readable)))
			reason = write ? EMU_DMA_FAULT_WRITE : EMU_DMA_FAULT_READ;
		if (reason) {
			emu_dma_fault(emu, dev, at, write,
				      (enum emu_dma_fault_reason)reason);
			return -EFAULT;
		}
		/*
		 * Pinned memory the program has unmapped since: the kernel's
		 * page would still be there; the model has nothing to move.
		 */
		va = emu_u64_to_user_ptr(a->user_va + (at - a->iova));
		if (write)
			emu_copy_to_user(emu, va, p + *done, n);
		else if (emu_copy_from_user(emu, p + *done, va, n))
			memset(p + *done, 0, n);
		*done += n;
	}
	return 0;
}

int emu_dma(struct emu *emu, unsigned int dev, uint64_t iova, void *buf,
	    size_t len, bool write, size_t *done)
{
	size_t moved = 0;
	int rc = -EINVAL;

	if (dev < emu->nr_devs)
		rc = emu_dma_dev(emu, &emu->devs[dev], iova, buf, len, write,
				 &moved);
	if (done)
		*done = moved;
	return rc;
}

size_t emu_dma_faults(struct emu *emu, struct emu_dma_fault *out,
		      size_t max)
{
	size_t n = emu->nr_dma_faults, kept, first, i;

	kept = n < EMU_DMA_FAULTS_MAX ? n : EMU_DMA_FAULTS_MAX;
	first = n - kept;
	for (i = 0; i < kept && i < max; i++)
		out[i] = emu->dma_faults[(first + i) % EMU_DMA_FAULTS_MAX];
	emu->nr_dma_faults = 0;
	return kept;
}
