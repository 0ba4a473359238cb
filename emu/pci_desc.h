/* SPDX-License-Identifier: MIT */
/*
 * What a profile's PCI function looks like to vfio-pci: the header
 * registers the host left in it, the capabilities in list order with
 * their initial registers, and where the host's firmware placed its BARs.
 * vfio_config.c builds the config space a user of the device cdev reads
 * from this (and from the profile's regions, which give the BAR sizes);
 * the irq counts vfio-pci reports (INTx from the interrupt pin, MSI from
 * the MSI capability's multiple-message field, MSI-X from the table
 * size, ERR from the PCIe capability) derive from it too, so no count is
 * written down twice.
 *
 * A device model may replace how its BARs' bytes behave (bar_rw); by
 * default they are plain memory.
 */
#ifndef EMU_PCI_DESC_H
#define EMU_PCI_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct emu;
struct emu_dev;

enum emu_pci_cap_kind {
	EMU_CAP_PM,		/* w[0]: PMC */
	EMU_CAP_MSI,		/* w[0]: flags (64-bit, multiple message) */
	EMU_CAP_EXP_V1,		/* w[0]: flags, w[1]: DEVCAP, w[2]: LNKCAP,
				 * w[3]: LNKSTA */
	EMU_CAP_MSIX,		/* w[0]: control, w[1]: table, w[2]: PBA */
	EMU_ECAP_AER,		/* w[0]: uncorrectable mask, w[1]: severity,
				 * w[2]: correctable mask, w[3]: cap/control */
	EMU_ECAP_DSN,		/* the serial number comes from the device */
};

struct emu_pci_cap {
	enum emu_pci_cap_kind kind;
	uint16_t offset;
	uint32_t w[4];
};

/*
 * A BAR's bytes as a device model gives them: @count bytes at @pos of
 * BAR @bar (or the ROM, index 6) between @kbuf and the device of machine
 * @emu (whose memory a device's DMA reaches). Returns the byte count or
 * -errno; a zero-byte access powers the device on (an mmap of a BAR
 * does it first). NULL in the description: plain memory.
 */
typedef ssize_t (*emu_bar_rw_fn)(struct emu *emu, struct emu_dev *dev,
				 unsigned int bar, uint64_t pos, void *kbuf,
				 size_t count, bool write);

#define EMU_PCI_MAX_CAPS 8

struct emu_pci_desc {
	uint16_t command;		/* as the host's PCI core left it */
	uint16_t subsys_vendor;
	uint16_t subsys_device;
	uint8_t revision;
	uint8_t irq_line;
	uint8_t irq_pin;		/* 0: no INTx */
	/*
	 * Where the reference machine's firmware put BAR 0-5 and the ROM
	 * (index 6) of the first device; device N sits N MiB lower (I/O
	 * BARs N * 0x40 higher). 0 for an absent BAR.
	 */
	uint32_t bar_base[7];
	unsigned int nr_caps;
	struct emu_pci_cap caps[EMU_PCI_MAX_CAPS];	/* list order */
	emu_bar_rw_fn bar_rw;
};

/* The capability of @kind in @desc, or NULL. */
const struct emu_pci_cap *emu_pci_cap_find(const struct emu_pci_desc *desc,
					   enum emu_pci_cap_kind kind);

#endif /* EMU_PCI_DESC_H */
