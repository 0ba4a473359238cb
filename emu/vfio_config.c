// SPDX-License-Identifier: MIT
/*
 * vfio-pci's virtual config space of an emulated function (vfio_pci.h).
 *
 * The bytes a user of the cdev reads are built at each open from the
 * profile's PCI description (pci_desc.h): the header the host left, the
 * BARs where the host's firmware put them, and each capability with its
 * registers, linked in list order. Which bits take writes is what a
 * real kernel shows for QEMU's e1000e behind vfio-pci 6.12, measured by
 * writing ones and zeros to every byte (emu/preload/vfio_probe.c): the
 * result of vfio-pci's permission tables over the device's own write
 * masks. In particular
 *   - the command register takes I/O, memory, bus master, SERR and INTx
 *     disable, and INTx disable masks INTx as vfio-pci emulates it;
 *   - the BARs and the expansion ROM BAR are virtual: a write keeps only
 *     the address bits the region's size allows (and the ROM's enable
 *     bit), so writing all ones reads back the size mask;
 *   - the MSI flags' low byte takes any write, then loses the enable bit
 *     unless MSI is enabled through SET_IRQS and has its queue size
 *     clamped to what was enabled; address and data take any write;
 *   - MSI-X's registers, the IDs, the class and every list pointer are
 *     read-only;
 *   - bytes no capability claims (the device-specific space, 0x40 up,
 *     and extended space past the last capability) take any write, as
 *     QEMU's devices let them.
 * Status bits that are write-one-to-clear read zero on these devices, so
 * they are modelled as read-only. A reset (VFIO_DEVICE_RESET) leaves this
 * virtual copy alone, as vfio-pci does; the next open rebuilds it.
 */
#include <errno.h>
#include <string.h>

#include <linux/pci_regs.h>

#include "machine.h"
#include "pci_desc.h"
#include "uaccess.h"
#include "util.h"
#include "vfio_pci.h"

/* How many bytes each capability kind claims (as QEMU sizes them). */
static unsigned int emu_pci_cap_len(const struct emu_pci_cap *cap)
{
	switch (cap->kind) {
	case EMU_CAP_PM:
		return PCI_PM_SIZEOF;
	case EMU_CAP_MSI:
		return (cap->w[0] & PCI_MSI_FLAGS_64BIT) ? 14 : 10;
	case EMU_CAP_EXP_V1:
		return PCI_CAP_EXP_ENDPOINT_SIZEOF_V1;
	case EMU_CAP_MSIX:
		return PCI_CAP_MSIX_SIZEOF;
	case EMU_ECAP_AER:
		return 0x48;
	case EMU_ECAP_DSN:
		return PCI_EXT_CAP_DSN_SIZEOF;
	}
	return 0;
}

static bool emu_pci_cap_ext(const struct emu_pci_cap *cap)
{
	return cap->kind == EMU_ECAP_AER || cap->kind == EMU_ECAP_DSN;
}

const struct emu_pci_cap *emu_pci_cap_find(const struct emu_pci_desc *desc,
					   enum emu_pci_cap_kind kind)
{
	unsigned int i;

	for (i = 0; i < desc->nr_caps; i++) {
		if (desc->caps[i].kind == kind)
			return &desc->caps[i];
	}
	return NULL;
}

const struct emu_pci_desc *emu_pci_desc(const struct emu_dev *dev)
{
	return dev->profile->pci;
}

uint32_t emu_pci_irq_count(const struct emu_dev *dev, unsigned int index)
{
	const struct emu_pci_desc *d = emu_pci_desc(dev);
	const struct emu_pci_cap *cap;

	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return d->irq_pin ? 1 : 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		cap = emu_pci_cap_find(d, EMU_CAP_MSI);
		return cap ? 1u << ((cap->w[0] & PCI_MSI_FLAGS_QMASK) >> 1) : 0;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		cap = emu_pci_cap_find(d, EMU_CAP_MSIX);
		return cap ? (cap->w[0] & PCI_MSIX_FLAGS_QSIZE) + 1 : 0;
	case VFIO_PCI_ERR_IRQ_INDEX:
		return emu_pci_is_pcie(dev) ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}

bool emu_pci_is_pcie(const struct emu_dev *dev)
{
	return emu_pci_cap_find(emu_pci_desc(dev), EMU_CAP_EXP_V1) != NULL;
}

bool emu_pci_msix_table(const struct emu_dev *dev, unsigned int *bar,
			uint64_t *offset, uint64_t *size)
{
	const struct emu_pci_cap *cap =
		emu_pci_cap_find(emu_pci_desc(dev), EMU_CAP_MSIX);

	if (!cap)
		return false;
	*bar = cap->w[1] & PCI_MSIX_TABLE_BIR;
	*offset = cap->w[1] & PCI_MSIX_TABLE_OFFSET;
	*size = ((cap->w[0] & PCI_MSIX_FLAGS_QSIZE) + 1) * PCI_MSIX_ENTRY_SIZE;
	return true;
}

static void emu_put16(uint8_t *c, unsigned int off, uint16_t v)
{
	c[off] = (uint8_t)v;
	c[off + 1] = (uint8_t)(v >> 8);
}

static void emu_put32(uint8_t *c, unsigned int off, uint32_t v)
{
	emu_put16(c, off, (uint16_t)v);
	emu_put16(c, off + 2, (uint16_t)(v >> 16));
}

static uint32_t emu_get32(const uint8_t *c, unsigned int off)
{
	return c[off] | (uint32_t)c[off + 1] << 8 | (uint32_t)c[off + 2] << 16 |
	       (uint32_t)c[off + 3] << 24;
}

/* BAR @i's region (0-5, 6 the ROM), or NULL when the profile has none. */
static const struct emu_region_desc *emu_vcfg_bar(const struct emu_dev *dev,
						  unsigned int i)
{
	const struct emu_profile *p = dev->profile;

	if (!p->regions || i >= p->num_regions || !p->regions[i].size)
		return NULL;
	return &p->regions[i];
}

/*
 * vfio_bar_fixup for one register: what BAR @i reads as after @v was
 * written to it. The ROM keeps its enable bit; a BAR its type bits.
 */
static uint32_t emu_vcfg_bar_value(const struct emu_dev *dev, unsigned int i,
				   uint32_t v)
{
	const struct emu_region_desc *r = emu_vcfg_bar(dev, i);
	uint32_t mask;

	if (!r)
		return 0;
	mask = ~(uint32_t)(r->size - 1);
	if (i == VFIO_PCI_ROM_REGION_INDEX)
		return v & (mask | PCI_ROM_ADDRESS_ENABLE);
	if (r->io)
		return (v & mask) | PCI_BASE_ADDRESS_SPACE_IO;
	return v & mask;
}

/* Where the host's firmware put BAR @i (6: ROM) of this device. */
static uint32_t emu_vcfg_bar_base(const struct emu_dev *dev, unsigned int i)
{
	const struct emu_pci_desc *d = emu_pci_desc(dev);
	const struct emu_region_desc *r = emu_vcfg_bar(dev, i);

	if (!r || !d->bar_base[i])
		return 0;
	if (r->io)
		return d->bar_base[i] + 0x40 * dev->index;
	return d->bar_base[i] - 0x100000 * dev->index;
}

/* Write @cap's registers at its offset; @next is the following one's. */
static void emu_vcfg_fill_cap(const struct emu_dev *dev, uint8_t *c,
			      const struct emu_pci_cap *cap, unsigned int next)
{
	unsigned int o = cap->offset;
	uint64_t dsn;

	switch (cap->kind) {
	case EMU_CAP_PM:
		c[o] = PCI_CAP_ID_PM;
		emu_put16(c, o + PCI_PM_PMC, (uint16_t)cap->w[0]);
		break;
	case EMU_CAP_MSI:
		c[o] = PCI_CAP_ID_MSI;
		emu_put16(c, o + PCI_MSI_FLAGS, (uint16_t)cap->w[0]);
		break;
	case EMU_CAP_EXP_V1:
		c[o] = PCI_CAP_ID_EXP;
		emu_put16(c, o + PCI_EXP_FLAGS, (uint16_t)cap->w[0]);
		emu_put32(c, o + PCI_EXP_DEVCAP, cap->w[1]);
		emu_put32(c, o + PCI_EXP_LNKCAP, cap->w[2]);
		emu_put16(c, o + PCI_EXP_LNKSTA, (uint16_t)cap->w[3]);
		break;
	case EMU_CAP_MSIX:
		c[o] = PCI_CAP_ID_MSIX;
		emu_put16(c, o + PCI_MSIX_FLAGS, (uint16_t)cap->w[0]);
		emu_put32(c, o + PCI_MSIX_TABLE, cap->w[1]);
		emu_put32(c, o + PCI_MSIX_PBA, cap->w[2]);
		break;
	case EMU_ECAP_AER:
		emu_put32(c, o, PCI_EXT_CAP_ID_ERR | 2u << 16 | next << 20);
		emu_put32(c, o + PCI_ERR_UNCOR_MASK, cap->w[0]);
		emu_put32(c, o + PCI_ERR_UNCOR_SEVER, cap->w[1]);
		emu_put32(c, o + PCI_ERR_COR_MASK, cap->w[2]);
		emu_put32(c, o + PCI_ERR_CAP, cap->w[3]);
		return;
	case EMU_ECAP_DSN:
		/* QEMU's serial from the MAC 52:54:00:12:34:56 + index. */
		dsn = 0x525400ffff123456ULL + dev->index;
		emu_put32(c, o, PCI_EXT_CAP_ID_DSN | 1u << 16 | next << 20);
		emu_put32(c, o + 4, (uint32_t)dsn);
		emu_put32(c, o + 8, (uint32_t)(dsn >> 32));
		return;
	}
	c[o + PCI_CAP_LIST_NEXT] = (uint8_t)next;
}

/* The config space of a freshly opened device into @c. */
static void emu_vcfg_fill(const struct emu_dev *dev, uint8_t *c)
{
	const struct emu_profile *p = dev->profile;
	const struct emu_pci_desc *d = p->pci;
	unsigned int i, next_std = 0, next_ext = 0;

	memset(c, 0, EMU_CONFIG_SIZE);
	emu_put16(c, PCI_VENDOR_ID, p->vendor);
	emu_put16(c, PCI_DEVICE_ID, p->device);
	emu_put16(c, PCI_COMMAND, d->command);
	c[PCI_REVISION_ID] = d->revision;
	c[PCI_CLASS_PROG] = (uint8_t)p->class_code;
	c[PCI_CLASS_DEVICE] = (uint8_t)(p->class_code >> 8);
	c[PCI_CLASS_DEVICE + 1] = (uint8_t)(p->class_code >> 16);
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	for (i = 0; i < 6; i++)
		emu_put32(c, PCI_BASE_ADDRESS_0 + 4 * i,
			  emu_vcfg_bar_value(dev, i, emu_vcfg_bar_base(dev, i)));
	emu_put32(c, PCI_ROM_ADDRESS,
		  emu_vcfg_bar_value(dev, VFIO_PCI_ROM_REGION_INDEX,
				     emu_vcfg_bar_base(dev, 6)));
	emu_put16(c, PCI_SUBSYSTEM_VENDOR_ID, d->subsys_vendor);
	emu_put16(c, PCI_SUBSYSTEM_ID, d->subsys_device);
	c[PCI_INTERRUPT_LINE] = d->irq_line;
	c[PCI_INTERRUPT_PIN] = d->irq_pin;
	/* Link backwards so each capability knows its successor. */
	for (i = d->nr_caps; i-- > 0;) {
		const struct emu_pci_cap *cap = &d->caps[i];

		if (emu_pci_cap_ext(cap)) {
			emu_vcfg_fill_cap(dev, c, cap, next_ext);
			next_ext = cap->offset;
		} else {
			emu_vcfg_fill_cap(dev, c, cap, next_std);
			next_std = cap->offset;
		}
	}
	if (next_std) {
		c[PCI_CAPABILITY_LIST] = (uint8_t)next_std;
		emu_put16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	}
}

/* Which bits of byte @at of @cap (at @off into it) take writes. */
static uint8_t emu_vcfg_cap_wmask(const struct emu_pci_cap *cap,
				  unsigned int off)
{
	static const uint8_t aer[] = {
		[PCI_ERR_UNCOR_MASK] = 0x30, 0xf0, 0xff, 0x03,
		[PCI_ERR_UNCOR_SEVER] = 0x30, 0xf0, 0xff, 0x03,
		[PCI_ERR_COR_MASK] = 0xc1, 0xf1, 0x00, 0x00,
		[PCI_ERR_CAP] = 0x40, 0x01, 0x00, 0x00,
	};

	switch (cap->kind) {
	case EMU_CAP_PM:
		if (off == PCI_PM_CTRL)
			return PCI_PM_CTRL_STATE_MASK;
		return off == PCI_PM_CTRL + 1 ?
		       (uint8_t)(PCI_PM_CTRL_DATA_SEL_MASK >> 8) : 0;
	case EMU_CAP_MSI:
		/* Flags (fixed up after the write), address, data. */
		return off == PCI_MSI_FLAGS || off >= PCI_MSI_ADDRESS_LO ? 0xff :
									   0;
	case EMU_CAP_EXP_V1:
		/* DEVCTL: extended tags, phantom functions, aux power, MRRS;
		 * the FLR bit always reads as zero. */
		if (off == PCI_EXP_DEVCTL)
			return 0xe0;
		return off == PCI_EXP_DEVCTL + 1 ? 0x70 : 0;
	case EMU_ECAP_AER:
		return off < sizeof(aer) ? aer[off] : 0;
	case EMU_CAP_MSIX:
	case EMU_ECAP_DSN:
		break;
	}
	return 0;
}

/* The write mask of config byte @off, BARs and the ROM excepted. */
static uint8_t emu_vcfg_wmask(const struct emu_dev *dev, unsigned int off)
{
	const struct emu_pci_desc *d = emu_pci_desc(dev);
	unsigned int i;

	if (off < PCI_STD_HEADER_SIZEOF) {
		switch (off) {
		case PCI_COMMAND:
			return PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
			       PCI_COMMAND_MASTER;
		case PCI_COMMAND + 1:
			return (PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE) >>
			       8;
		case PCI_CACHE_LINE_SIZE:
		case PCI_INTERRUPT_LINE:
			return 0xff;
		default:
			return 0;
		}
	}
	for (i = 0; i < d->nr_caps; i++) {
		const struct emu_pci_cap *cap = &d->caps[i];

		if (off >= cap->offset && off < cap->offset +
		    emu_pci_cap_len(cap))
			return emu_vcfg_cap_wmask(cap, off - cap->offset);
	}
	return 0xff;
}

static int emu_vcfg_get(struct emu_dev *dev)
{
	struct emu_vpci *vpci = dev->vpci;

	if (vpci->config)
		return 0;
	vpci->config = emu_heap_zalloc(vpci->heap, EMU_CONFIG_SIZE);
	if (!vpci->config)
		return -ENOMEM;
	emu_vcfg_fill(dev, vpci->config);
	return 0;
}

void emu_vcfg_free(struct emu_vpci *vpci)
{
	emu_heap_free(vpci->heap, vpci->config);
	vpci->config = NULL;
}

int emu_vcfg_command(struct emu_dev *dev, uint16_t *out)
{
	int rc = emu_vcfg_get(dev);

	if (rc)
		return rc;
	*out = (uint16_t)(dev->vpci->config[PCI_COMMAND] |
			  dev->vpci->config[PCI_COMMAND + 1] << 8);
	return 0;
}

/* vfio_msi_config_write's fixup of the flags after a write. */
static void emu_vcfg_msi_fixup(struct emu_dev *dev, uint8_t *flags)
{
	unsigned int qmax = dev->msi_qmax;

	if (dev->vpci->irq.type != VFIO_PCI_MSI_IRQ_INDEX)
		*flags &= (uint8_t)~PCI_MSI_FLAGS_ENABLE;
	if (((*flags & PCI_MSI_FLAGS_QSIZE) >> 4) > qmax)
		*flags = (uint8_t)((*flags & ~PCI_MSI_FLAGS_QSIZE) | qmax << 4);
}

/* Apply @count bytes of @val at @pos, byte by byte, then the fixups. */
static void emu_vcfg_write(struct emu *emu, struct emu_dev *dev,
			   const uint8_t *val, size_t count, unsigned int pos)
{
	const struct emu_pci_cap *msi =
		emu_pci_cap_find(emu_pci_desc(dev), EMU_CAP_MSI);
	uint8_t *c = dev->vpci->config;
	bool intx_off = c[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8);
	unsigned int i, end = pos + (unsigned int)count;

	for (i = pos; i < end; i++) {
		bool bar = i >= PCI_BASE_ADDRESS_0 && i < PCI_CARDBUS_CIS;
		bool rom = i >= PCI_ROM_ADDRESS && i < PCI_ROM_ADDRESS + 4;
		uint8_t m = bar || rom ? 0xff : emu_vcfg_wmask(dev, i);

		c[i] = (uint8_t)((c[i] & ~m) | (val[i - pos] & m));
	}
	for (i = 0; i < 7; i++) {
		unsigned int off = i < 6 ? PCI_BASE_ADDRESS_0 + 4 * i :
					   PCI_ROM_ADDRESS;

		if (off < end && off + 4 > pos)
			emu_put32(c, off, emu_vcfg_bar_value(dev, i,
							     emu_get32(c, off)));
	}
	if (msi && pos <= msi->offset + (unsigned int)PCI_MSI_FLAGS &&
	    end > msi->offset + (unsigned int)PCI_MSI_FLAGS)
		emu_vcfg_msi_fixup(dev, &c[msi->offset + PCI_MSI_FLAGS]);
	if (pos <= PCI_COMMAND + 1 && end > PCI_COMMAND &&
	    intx_off != !!(c[PCI_COMMAND + 1] & (PCI_COMMAND_INTX_DISABLE >> 8)))
		emu_virq_intx_disable_changed(emu, dev, !intx_off);
}

ssize_t emu_vcfg_rw(struct emu *emu, struct emu_dev *dev, void *ubuf,
		    size_t count, uint64_t pos, bool write)
{
	uint64_t size = dev->profile->regions[VFIO_PCI_CONFIG_REGION_INDEX].size;
	uint8_t tmp[EMU_CONFIG_SIZE];
	int rc;

	if (pos >= size || count > size - pos)
		return -EFAULT;
	rc = emu_vcfg_get(dev);
	if (rc)
		return rc;
	if (!write)
		return emu_copy_to_user(emu, ubuf, dev->vpci->config + pos,
					count) ?: (ssize_t)count;
	if (emu_copy_from_user(emu, tmp, ubuf, count))
		return -EFAULT;
	emu_vcfg_write(emu, dev, tmp, count, (unsigned int)pos);
	return (ssize_t)count;
}
