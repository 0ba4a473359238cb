// SPDX-License-Identifier: MIT
/*
 * A device's IOMMU from its profile and the machine variant (iommu.h).
 *
 * QEMU's intel-iommu with its default options under TCG reports: 16-bit
 * domain ids, the address widths its aw-bits allows (SAGAW 3-level for
 * 39 bits, 3- and 4-level for 48), MGAW = aw-bits - 1, its fault
 * recording register at 0x220 (one of them), 2 MiB and 1 GiB second-
 * level pages, page-selective invalidation, 18 bits of address mask,
 * read and write draining; queued invalidation, interrupt remapping
 * (without x2APIC mode: QEMU offers EIM only with a KVM irqchip), pass-
 * through, its IOTLB registers at 0xf0 and 15 bits of handle mask. No
 * snoop control, no scalable mode, no nesting. Seen on a real 6.12.95
 * in the VM check: "cap d2008c22260206 ecap f00f4a" with aw-bits=39.
 *
 * What Linux derives (drivers/iommu/intel): a second-level domain's
 * aperture is 2^min(widest SAGAW width, MGAW) - 1; its page sizes are
 * 4 KiB plus the second-level large pages; dirty tracking needs scalable
 * mode, second-stage A/D bits and page-walk coherency in scalable mode;
 * a nesting parent needs scalable mode and nesting; a domain enforces
 * cache coherency only with snoop control.
 */
#include <string.h>

#include <linux/iommufd.h>

#include "iommu.h"

/* VT-d capability register fields (VT-d specification, 11.4.2). */
#define VTD_CAP_ND_16BIT	6ULL
#define VTD_CAP_SAGAW_39	(1ULL << 9)
#define VTD_CAP_SAGAW_48	(1ULL << 10)
#define VTD_CAP_MGAW_SHIFT	16
#define VTD_CAP_MGAW_MASK	(0x3fULL << VTD_CAP_MGAW_SHIFT)
#define VTD_CAP_FRO(off)	((uint64_t)(off) / 16 << 24)
#define VTD_CAP_SLLPS_2M	(1ULL << 34)
#define VTD_CAP_SLLPS_1G	(1ULL << 35)
#define VTD_CAP_PSI		(1ULL << 39)
#define VTD_CAP_NFR(n)		((uint64_t)((n) - 1) << 40)
#define VTD_CAP_MAMV(v)		((uint64_t)(v) << 48)
#define VTD_CAP_DWD		(1ULL << 54)
#define VTD_CAP_DRD		(1ULL << 55)

/* Extended capability register fields (11.4.3). */
#define VTD_ECAP_QI		(1ULL << 1)
#define VTD_ECAP_IR		(1ULL << 3)
#define VTD_ECAP_PT		(1ULL << 6)
#define VTD_ECAP_SC		(1ULL << 7)
#define VTD_ECAP_IRO(off)	((uint64_t)(off) / 16 << 8)
#define VTD_ECAP_MHMV(v)	((uint64_t)(v) << 20)
#define VTD_ECAP_NEST		(1ULL << 26)
#define VTD_ECAP_SMTS		(1ULL << 43)
#define VTD_ECAP_SLADS		(1ULL << 45)
#define VTD_ECAP_SLTS		(1ULL << 46)
#define VTD_ECAP_SMPWC		(1ULL << 48)

/* Where QEMU's register block puts things, and its mask widths. */
#define QEMU_VTD_FRCD_OFFSET	0x220
#define QEMU_VTD_IOTLB_OFFSET	0xf0
#define QEMU_VTD_MAMV		18
#define QEMU_VTD_MHMV		15

static uint64_t emu_vtd_qemu_cap(unsigned int aw)
{
	uint64_t cap = VTD_CAP_ND_16BIT | VTD_CAP_SAGAW_39 |
		       (uint64_t)(aw - 1) << VTD_CAP_MGAW_SHIFT |
		       VTD_CAP_FRO(QEMU_VTD_FRCD_OFFSET) | VTD_CAP_SLLPS_2M |
		       VTD_CAP_SLLPS_1G | VTD_CAP_PSI | VTD_CAP_NFR(1) |
		       VTD_CAP_MAMV(QEMU_VTD_MAMV) | VTD_CAP_DWD | VTD_CAP_DRD;

	if (aw >= 48)
		cap |= VTD_CAP_SAGAW_48;
	return cap;
}

static uint64_t emu_vtd_qemu_ecap(void)
{
	return VTD_ECAP_QI | VTD_ECAP_IR | VTD_ECAP_PT |
	       VTD_ECAP_IRO(QEMU_VTD_IOTLB_OFFSET) |
	       VTD_ECAP_MHMV(QEMU_VTD_MHMV);
}

/* Address width of an aperture [0, last]. */
static unsigned int emu_iommu_aw(uint64_t last)
{
	return last == UINT64_MAX ? 64 : 64 - (unsigned int)__builtin_clzll(
						last + 1) - 1;
}

static void emu_iommu_vtd(const struct emu_profile *p,
			  const struct emu_variant *v, struct emu_iommu *out)
{
	unsigned int aw = v->vtd_aw_bits, width, mgaw;
	uint64_t cap = emu_vtd_qemu_cap(aw), ecap = emu_vtd_qemu_ecap();

	if (p->aperture_last) {
		cap &= ~VTD_CAP_MGAW_MASK;
		cap |= (uint64_t)(emu_iommu_aw(p->aperture_last) - 1)
		       << VTD_CAP_MGAW_SHIFT;
	}
	if (p->dirty_tracking)
		ecap |= VTD_ECAP_SMTS | VTD_ECAP_SLTS | VTD_ECAP_SLADS |
			VTD_ECAP_SMPWC;

	width = cap & VTD_CAP_SAGAW_48 ? 48 : 39;
	mgaw = ((cap & VTD_CAP_MGAW_MASK) >> VTD_CAP_MGAW_SHIFT) + 1;
	if (mgaw < width)
		width = mgaw;
	out->aperture_last = (1ULL << width) - 1;
	out->cap_reg = cap;
	out->ecap_reg = ecap;
	/* The driver takes the highest large page level and all below. */
	out->pgsize_bitmap = p->pgsize;
	if (cap & (VTD_CAP_SLLPS_2M | VTD_CAP_SLLPS_1G))
		out->pgsize_bitmap |= 2ULL << 20;
	if (cap & VTD_CAP_SLLPS_1G)
		out->pgsize_bitmap |= 1ULL << 30;
	out->dirty_tracking = (ecap & VTD_ECAP_SMTS) &&
			      (ecap & VTD_ECAP_SLADS) &&
			      (ecap & VTD_ECAP_SMPWC);
	out->nesting = (ecap & VTD_ECAP_SMTS) && (ecap & VTD_ECAP_NEST);
	out->enforce_cc = ecap & VTD_ECAP_SC;
}

void emu_iommu_resolve(const struct emu_profile *p,
		       const struct emu_variant *v, struct emu_iommu *out)
{
	memset(out, 0, sizeof(*out));
	out->profile = p;
	out->pgsize = p->pgsize;
	if (p->hw_info_type == IOMMU_HW_INFO_TYPE_INTEL_VTD) {
		emu_iommu_vtd(p, v, out);
		return;
	}
	out->aperture_start = p->aperture_start;
	out->aperture_last = p->aperture_last;
	out->pgsize_bitmap = p->pgsize;
	out->dirty_tracking = p->dirty_tracking;
	out->nesting = p->nesting;
}
