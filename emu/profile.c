// SPDX-License-Identifier: MIT
/*
 * The built-in device profiles: constant descriptions of an emulated PCI
 * function and the IOMMU it sits behind. "e1000e" is QEMU's e1000e behind
 * QEMU's intel-iommu, the device the spec's section 9 was confirmed with
 * (its VT-d registers, and so its aperture, come from the machine
 * variant: iommu.c); the others each change one property so a test or
 * fuzz input can reach one behaviour, and match no QEMU configuration:
 *   small-aperture  domain aperture 4 GiB: mapped IOVA above it makes the
 *                   attach fail with EADDRINUSE
 *   pgsize-64k      IOMMU page size > PAGE_SIZE: every attach is EINVAL
 *                   (spec 2.10 step 9), real kernel behaviour
 *   dirty           IOMMU with dirty tracking
 *   noshare         another IOMMU unit that shares no domain: attaching
 *                   it to an IOAS used by unit 0 is EINVAL, which makes
 *                   the core build a second IOAS
 * Units: a domain is shared freely within one unit (see hwpt.h).
 */
#include <stddef.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include <emu/emu.h>

#include "devmodel.h"
#include "pci_desc.h"
#include "util.h"

#define EMU_RW (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)
#define EMU_RWM (EMU_RW | VFIO_REGION_INFO_FLAG_MMAP)

/*
 * QEMU's e1000e (82574L): BAR0 registers and BAR1 flash 128 KiB each, BAR2
 * 32 bytes of I/O ports, BAR3 the MSI-X table 16 KiB, an option ROM,
 * PCIe config space, no VGA.
 */
static const struct emu_region_desc emu_e1000e_regions[] = {
	[VFIO_PCI_BAR0_REGION_INDEX] = { .size = 0x20000, .flags = EMU_RWM },
	[VFIO_PCI_BAR1_REGION_INDEX] = { .size = 0x20000, .flags = EMU_RWM },
	[VFIO_PCI_BAR2_REGION_INDEX] = { .size = 0x20, .flags = EMU_RW,
					 .io = true },
	[VFIO_PCI_BAR3_REGION_INDEX] = { .size = 0x4000, .flags = EMU_RWM },
	[VFIO_PCI_BAR4_REGION_INDEX] = { .size = 0 },
	[VFIO_PCI_BAR5_REGION_INDEX] = { .size = 0 },
	[VFIO_PCI_ROM_REGION_INDEX] = { .size = 0x40000,
					.flags = VFIO_REGION_INFO_FLAG_READ },
	[VFIO_PCI_CONFIG_REGION_INDEX] = { .size = 4096, .flags = EMU_RW },
	[VFIO_PCI_VGA_REGION_INDEX] = { .size = 0 },
};

/*
 * QEMU's e1000e as vfio-pci in a Linux 6.12 guest shows it on the root
 * bus of a q35 machine (a root-complex integrated endpoint): memory and
 * I/O decoding and SERR on, INTA routed to line 11, BARs where SeaBIOS
 * put them; capabilities PM, MSI (one vector, 64-bit), PCIe v1, MSI-X
 * (five vectors, table and PBA in BAR 3), then AER and the serial number
 * in extended space. So INTx has 1 vector, MSI 1, MSI-X 5, ERR 1.
 */
static const struct emu_pci_desc emu_e1000e_pci = {
	.command = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_SERR,
	.subsys_vendor = 0x8086,
	.subsys_device = 0,
	.irq_line = 11,
	.irq_pin = 1,
	.bar_base = { 0xfeb80000, 0xfeba0000, 0xc040, 0xfebc0000, 0, 0,
		      0xfeb40000 },
	.nr_caps = 6,
	.caps = {
		/* PMC: version 2 (PM 1.1), device-specific init */
		{ EMU_CAP_PM, 0xc8, { 2 | PCI_PM_CAP_DSI } },
		{ EMU_CAP_MSI, 0xd0, { PCI_MSI_FLAGS_64BIT } },
		{ EMU_CAP_EXP_V1, 0xe0,
		  { 1 | PCI_EXP_TYPE_RC_END << 4, 0x00008020, 0x00000411,
		    0x0011 } },
		{ EMU_CAP_MSIX, 0xa0, { 4, 3, 0x2000 | 3 } },
		{ EMU_ECAP_AER, 0x100,
		  { 0x02400000, 0x00462030, 0x0000e000, 0x000000a0 } },
		{ EMU_ECAP_DSN, 0x140, { 0 } },
	},
	.bar_rw = emu_e1000e_bar_rw,	/* QEMU's e1000e: dev_e1000e.c */
};

#define EMU_E1000E_COMMON                                           \
	.vendor = 0x8086,                                           \
	.device = 0x10d3,                                           \
	.info_flags = VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI, \
	.num_regions = 9,                                           \
	.num_irqs = 5,                                              \
	.nr_resv = 1,                                               \
	.resv = { EMU_X86_MSI_RESV },                               \
	.hw_info_type = IOMMU_HW_INFO_TYPE_INTEL_VTD,               \
	.regions = emu_e1000e_regions,                              \
	.pci = &emu_e1000e_pci,                                     \
	.class_code = 0x020000

#define EMU_X86_MSI_RESV { .start = 0xfee00000ULL, .last = 0xfeefffffULL }

static const struct emu_profile emu_profiles[] = {
	{
		.name = "e1000e",
		EMU_E1000E_COMMON,
		.pgsize = 4096,
		.iommu_unit = 0,
	},
	{
		.name = "small-aperture",
		EMU_E1000E_COMMON,
		.aperture_last = (1ULL << 32) - 1,
		.pgsize = 4096,
		.iommu_unit = 2,
	},
	{
		.name = "pgsize-64k",
		EMU_E1000E_COMMON,
		.pgsize = 65536,
		.iommu_unit = 3,
	},
	{
		.name = "dirty",
		EMU_E1000E_COMMON,
		.pgsize = 4096,
		.iommu_unit = 0,
		.dirty_tracking = true,
	},
	{
		.name = "noshare",
		EMU_E1000E_COMMON,
		.pgsize = 4096,
		.iommu_unit = 1,
		.no_share = true,
	},
};

const struct emu_profile *emu_profile_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < EMU_ARRAY_SIZE(emu_profiles); i++) {
		if (!strcmp(emu_profiles[i].name, name))
			return &emu_profiles[i];
	}
	return NULL;
}

size_t emu_profile_count(void)
{
	return EMU_ARRAY_SIZE(emu_profiles);
}

const struct emu_profile *emu_profile_get(size_t idx)
{
	return idx < EMU_ARRAY_SIZE(emu_profiles) ? &emu_profiles[idx] : NULL;
}
