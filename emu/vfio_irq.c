// SPDX-License-Identifier: MIT
/*
 * vfio-pci's interrupts (vfio_pci.h): VFIO_DEVICE_GET_IRQ_INFO and
 * VFIO_DEVICE_SET_IRQS as Linux 6.12 answers them.
 *
 * SET_IRQS first validates the header the way the VFIO core does (argsz,
 * index, start + count within the index's vectors, one data type, the
 * data present), then picks a handler by index and action; a pair with
 * none (MSI masking, two actions at once) is ENOTTY. One interrupt type
 * is live at a time: INTx, MSI or MSI-X is enabled by its first TRIGGER
 * with eventfds and disabled by TRIGGER with DATA_NONE and count 0;
 * anything else while another type is live is EINVAL. DATA_NONE and
 * DATA_BOOL on TRIGGER are the loopback: they signal the vectors'
 * eventfds as if the device had interrupted. MSI-X grows dynamically (an
 * x86 host allocates vectors on demand), MSI does not. ERR (PCIe
 * functions only) and REQ hold one eventfd each.
 *
 * Every eventfd taken is held until it is replaced, its vector is turned
 * off, the type is disabled or the device is closed (eventfd.h), so the
 * machine's eventfd counter shows one left behind. The INTx unmask
 * eventfd is held like the kernel's virqfd, but nothing in the model
 * raises INTx, so it never has anything to unmask.
 */
#include <errno.h>
#include <string.h>

#include <linux/pci_regs.h>

#include "eventfd.h"
#include "machine.h"
#include "uaccess.h"
#include "util.h"
#include "vfio_pci.h"

void emu_virq_init(struct emu_virq *irq)
{
	memset(irq, 0, sizeof(*irq));
	irq->type = VFIO_PCI_NUM_IRQS;
	irq->intx_unmask = -1;
	irq->err_trigger = -1;
	irq->req_trigger = -1;
}

int emu_virq_get_info(struct emu *emu, struct emu_dev *dev, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (emu_copy_from_user(emu, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	if (info.index == VFIO_PCI_ERR_IRQ_INDEX && !emu_pci_is_pcie(dev))
		return -EINVAL;
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	info.count = emu_pci_irq_count(dev, info.index);
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index != VFIO_PCI_MSIX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	return emu_copy_to_user(emu, arg, &info, minsz);
}

/* ------------------------------------------------------------------ */
/* INTx                                                                */

static bool emu_virq_intx_disabled(struct emu_dev *dev)
{
	uint16_t cmd = 0;

	emu_vcfg_command(dev, &cmd);
	return cmd & PCI_COMMAND_INTX_DISABLE;
}

static void emu_virq_intx_send(struct emu_dev *dev)
{
	struct emu_virq *irq = &dev->vpci->irq;

	if (irq->type == VFIO_PCI_INTX_IRQ_INDEX &&
	    !emu_virq_intx_disabled(dev) && irq->trigger[0] >= 0)
		emu_eventfd_signal(irq->trigger[0]);
}

/* Make @n vector slots, none with a trigger: 0 or -ENOMEM. */
static int emu_virq_slots(struct emu_vpci *vpci, unsigned int n)
{
	struct emu_virq *irq = &vpci->irq;
	unsigned int i;

	irq->trigger = emu_heap_zalloc(vpci->heap, n * sizeof(*irq->trigger));
	if (!irq->trigger)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		irq->trigger[i] = -1;
	irq->ntrigger = n;
	return 0;
}

static void emu_virq_slots_free(struct emu_vpci *vpci)
{
	struct emu_virq *irq = &vpci->irq;

	emu_heap_free(vpci->heap, irq->trigger);
	irq->trigger = NULL;
	irq->ntrigger = 0;
	irq->nvec = 0;
	irq->type = VFIO_PCI_NUM_IRQS;
}

static int emu_virq_intx_enable(struct emu_dev *dev, int trigger)
{
	struct emu_virq *irq = &dev->vpci->irq;
	int rc = emu_virq_slots(dev->vpci, 1);

	if (rc)
		return rc;
	irq->trigger[0] = trigger;
	irq->intx_masked = emu_virq_intx_disabled(dev);
	irq->type = VFIO_PCI_INTX_IRQ_INDEX;
	return 0;
}

static void emu_virq_intx_disable(struct emu *emu, struct emu_dev *dev)
{
	struct emu_virq *irq = &dev->vpci->irq;

	emu_eventfd_put(emu, irq->intx_unmask);
	irq->intx_unmask = -1;
	emu_eventfd_put(emu, irq->trigger[0]);
	emu_virq_slots_free(dev->vpci);
}

void emu_virq_intx_disable_changed(struct emu *emu, struct emu_dev *dev,
				   bool disabled)
{
	struct emu_virq *irq = &dev->vpci->irq;

	(void)emu;
	if (irq->type == VFIO_PCI_INTX_IRQ_INDEX)
		irq->intx_masked = disabled;
}

static int emu_virq_intx_trigger(struct emu *emu, struct emu_dev *dev,
				 uint32_t start, uint32_t count,
				 uint32_t flags, const void *data)
{
	struct emu_virq *irq = &dev->vpci->irq;
	bool intx = irq->type == VFIO_PCI_INTX_IRQ_INDEX;
	bool none = irq->type == VFIO_PCI_NUM_IRQS;

	if (intx && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		emu_virq_intx_disable(emu, dev);
		return 0;
	}
	if (!(intx || none) || start != 0 || count != 1)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		int32_t fd;
		int trigger = -1, rc = 0;

		memcpy(&fd, data, sizeof(fd));
		if (fd >= 0) {
			trigger = emu_eventfd_get(emu, fd);
			if (trigger < 0)
				return trigger;
		}
		if (intx) {
			emu_eventfd_put(emu, irq->trigger[0]);
			irq->trigger[0] = trigger;
		} else {
			rc = emu_virq_intx_enable(dev, trigger);
			if (rc)
				emu_eventfd_put(emu, trigger);
		}
		return rc;
	}
	if (!intx)
		return -EINVAL;
	if ((flags & VFIO_IRQ_SET_DATA_NONE) || *(const uint8_t *)data)
		emu_virq_intx_send(dev);
	return 0;
}

static int emu_virq_intx_mask(struct emu *emu, struct emu_dev *dev,
			      uint32_t start, uint32_t count, uint32_t flags,
			      const void *data, bool mask)
{
	struct emu_virq *irq = &dev->vpci->irq;
	int32_t fd;
	int held;

	if (irq->type != VFIO_PCI_INTX_IRQ_INDEX || start != 0 || count != 1)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		if (mask)
			return -ENOTTY;
		memcpy(&fd, data, sizeof(fd));
		if (fd < 0) {
			emu_eventfd_put(emu, irq->intx_unmask);
			irq->intx_unmask = -1;
			return 0;
		}
		held = emu_eventfd_get(emu, fd);
		if (held < 0)
			return held;
		if (irq->intx_unmask >= 0) {
			emu_eventfd_put(emu, held);
			return -EBUSY;
		}
		irq->intx_unmask = held;
		return 0;
	}
	if ((flags & VFIO_IRQ_SET_DATA_NONE) || *(const uint8_t *)data) {
		if (mask)
			irq->intx_masked = true;
		else if (!emu_virq_intx_disabled(dev))
			irq->intx_masked = false;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* MSI and MSI-X                                                       */

static void emu_virq_msi_disable(struct emu *emu, struct emu_dev *dev)
{
	struct emu_virq *irq = &dev->vpci->irq;
	unsigned int i;

	for (i = 0; i < irq->ntrigger; i++)
		emu_eventfd_put(emu, irq->trigger[i]);
	emu_virq_slots_free(dev->vpci);
}

/* vfio_msi_enable: @nvec vectors of @index (start + count). */
static int emu_virq_msi_enable(struct emu_dev *dev, unsigned int index,
			       unsigned int nvec)
{
	struct emu_virq *irq = &dev->vpci->irq;
	int rc;

	/* pci_alloc_irq_vectors(pdev, 1, 0, ...): no range. */
	if (!nvec)
		return -ERANGE;
	rc = emu_virq_slots(dev->vpci, emu_pci_irq_count(dev, index));
	if (rc)
		return rc;
	irq->nvec = nvec;
	irq->type = index;
	if (index == VFIO_PCI_MSI_IRQ_INDEX)
		dev->msi_qmax = 31 - (unsigned int)__builtin_clz(nvec * 2 - 1);
	return 0;
}

/* vfio_msi_set_vector_signal: turn @vector off, then on with @fd >= 0. */
static int emu_virq_msi_vector(struct emu *emu, struct emu_dev *dev,
			       unsigned int vector, int32_t fd)
{
	struct emu_virq *irq = &dev->vpci->irq;
	bool had = irq->trigger[vector] >= 0;
	int held;

	emu_eventfd_put(emu, irq->trigger[vector]);
	irq->trigger[vector] = -1;
	if (fd < 0)
		return 0;
	/* A vector past those allocated: MSI-X allocates it, MSI cannot. */
	if (!had && vector >= irq->nvec &&
	    irq->type != VFIO_PCI_MSIX_IRQ_INDEX)
		return -EINVAL;
	held = emu_eventfd_get(emu, fd);
	if (held < 0)
		return held;
	irq->trigger[vector] = held;
	return 0;
}

/* vfio_msi_set_block: on failure the vectors set so far are turned off. */
static int emu_virq_msi_block(struct emu *emu, struct emu_dev *dev,
			      uint32_t start, uint32_t count,
			      const int32_t *fds)
{
	uint32_t i, j;
	int rc = 0;

	for (i = 0, j = start; i < count && !rc; i++, j++)
		rc = emu_virq_msi_vector(emu, dev, j, fds ? fds[i] : -1);
	if (rc) {
		for (i = start; i < j; i++)
			emu_virq_msi_vector(emu, dev, i, -1);
	}
	return rc;
}

static int emu_virq_msi_trigger(struct emu *emu, struct emu_dev *dev,
				unsigned int index, uint32_t start,
				uint32_t count, uint32_t flags,
				const void *data)
{
	struct emu_virq *irq = &dev->vpci->irq;
	bool same = irq->type == index;
	uint32_t i;
	int rc;

	if (same && !count && (flags & VFIO_IRQ_SET_DATA_NONE)) {
		emu_virq_msi_disable(emu, dev);
		return 0;
	}
	if (!(same || irq->type == VFIO_PCI_NUM_IRQS))
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		if (same)
			return emu_virq_msi_block(emu, dev, start, count, data);
		rc = emu_virq_msi_enable(dev, index, start + count);
		if (rc)
			return rc;
		rc = emu_virq_msi_block(emu, dev, start, count, data);
		if (rc)
			emu_virq_msi_disable(emu, dev);
		return rc;
	}
	if (!same)
		return -EINVAL;
	for (i = start; i < start + count; i++) {
		if (irq->trigger[i] < 0)
			continue;
		if ((flags & VFIO_IRQ_SET_DATA_NONE) ||
		    ((const uint8_t *)data)[i - start])
			emu_eventfd_signal(irq->trigger[i]);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* ERR and REQ: one eventfd each                                       */

static int emu_virq_single(struct emu *emu, int *slot, uint32_t count,
			   uint32_t flags, const void *data)
{
	int32_t fd;
	int held;

	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (*slot < 0)
			return -EINVAL;
		if (count) {
			emu_eventfd_signal(*slot);
			return 0;
		}
		emu_eventfd_put(emu, *slot);
		*slot = -1;
		return 0;
	}
	if (!count)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (*(const uint8_t *)data && *slot >= 0)
			emu_eventfd_signal(*slot);
		return 0;
	}
	memcpy(&fd, data, sizeof(fd));
	if (fd < -1)
		return -EINVAL;
	held = -1;
	if (fd >= 0) {
		held = emu_eventfd_get(emu, fd);
		if (held < 0)
			return held;
	}
	emu_eventfd_put(emu, *slot);
	*slot = held;
	return 0;
}

/* ------------------------------------------------------------------ */
/* VFIO_DEVICE_SET_IRQS                                                */

/* vfio_set_irqs_validate_and_prepare: 0 or -EINVAL; *size of the data. */
static int emu_virq_validate(const struct vfio_irq_set *hdr,
			     uint32_t num_irqs, size_t minsz, size_t *size)
{
	size_t unit;

	if (hdr->argsz < minsz || hdr->index >= VFIO_PCI_NUM_IRQS ||
	    hdr->count >= UINT32_MAX - hdr->start ||
	    (hdr->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			    VFIO_IRQ_SET_ACTION_TYPE_MASK)))
		return -EINVAL;
	if (hdr->start >= num_irqs || hdr->start + hdr->count > num_irqs)
		return -EINVAL;
	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		unit = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		unit = sizeof(uint8_t);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		unit = sizeof(int32_t);
		break;
	default:
		return -EINVAL;
	}
	if (unit && hdr->argsz - minsz < hdr->count * unit)
		return -EINVAL;
	*size = hdr->count * unit;
	return 0;
}

static int emu_virq_dispatch(struct emu *emu, struct emu_dev *dev,
			     const struct vfio_irq_set *hdr, const void *data)
{
	uint32_t action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	struct emu_virq *irq = &dev->vpci->irq;

	switch (hdr->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_MASK ||
		    action == VFIO_IRQ_SET_ACTION_UNMASK)
			return emu_virq_intx_mask(emu, dev, hdr->start,
						  hdr->count, hdr->flags, data,
						  action ==
						  VFIO_IRQ_SET_ACTION_MASK);
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return emu_virq_intx_trigger(emu, dev, hdr->start,
						     hdr->count, hdr->flags,
						     data);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX:
		if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
			return emu_virq_msi_trigger(emu, dev, hdr->index,
						    hdr->start, hdr->count,
						    hdr->flags, data);
		break;
	case VFIO_PCI_ERR_IRQ_INDEX:
	case VFIO_PCI_REQ_IRQ_INDEX:
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER ||
		    (hdr->index == VFIO_PCI_ERR_IRQ_INDEX &&
		     !emu_pci_is_pcie(dev)))
			break;
		if (hdr->start != 0 || hdr->count > 1)
			return -EINVAL;
		return emu_virq_single(emu, hdr->index ==
				       VFIO_PCI_ERR_IRQ_INDEX ?
				       &irq->err_trigger : &irq->req_trigger,
				       hdr->count, hdr->flags, data);
	}
	return -ENOTTY;
}

int emu_virq_set(struct emu *emu, struct emu_dev *dev, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	void *data = NULL;
	size_t size = 0;
	int rc;

	if (emu_copy_from_user(emu, &hdr, arg, minsz))
		return -EFAULT;
	rc = emu_virq_validate(&hdr, emu_pci_irq_count(dev, hdr.index),
			       minsz, &size);
	if (rc)
		return rc;
	if (size) {
		data = emu_heap_zalloc(emu->heap, size);
		if (!data)
			return -ENOMEM;
		if (emu_copy_from_user(emu, data, (char *)arg + minsz, size)) {
			rc = -EFAULT;
			goto out_free_data;
		}
	}
	rc = emu_virq_dispatch(emu, dev, &hdr, data);
out_free_data:
	emu_heap_free(emu->heap, data);
	return rc;
}

void emu_virq_release(struct emu *emu, struct emu_dev *dev)
{
	struct emu_virq *irq = &dev->vpci->irq;

	if (irq->type == VFIO_PCI_INTX_IRQ_INDEX)
		emu_virq_intx_disable(emu, dev);
	else if (irq->type != VFIO_PCI_NUM_IRQS)
		emu_virq_msi_disable(emu, dev);
	emu_eventfd_put(emu, irq->err_trigger);
	emu_eventfd_put(emu, irq->req_trigger);
	emu_virq_init(irq);
}
