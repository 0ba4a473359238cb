/* SPDX-License-Identifier: MIT */
/*
 * The IOMMU a device sits behind, resolved once (at emu_device_add) from
 * its profile and the machine's variant. For a VT-d profile the model
 * starts from the capability registers QEMU's intel-iommu reports and
 * derives what Linux 6.12's VT-d driver derives from them: the aperture
 * (MGAW and SAGAW), the domain page sizes (second-level large pages),
 * dirty tracking (scalable mode with second-stage A/D bits), nesting
 * parents (scalable mode with nesting) and cache coherency enforcement
 * (snoop control). Any other IOMMU (the selftest mock's) is its profile's
 * fields as they are.
 *
 * Domains (hwpt.h) point at the emu_iommu of the device they were built
 * for; the machine's device array never moves, so the pointer lives as
 * long as the machine.
 */
#ifndef EMU_IOMMU_H
#define EMU_IOMMU_H

#include <stdbool.h>
#include <stdint.h>

#include <emu/emu.h>

struct emu_iommu {
	const struct emu_profile *profile;	/* unit and sharing rules */
	uint64_t aperture_start;	/* domain aperture [start, last] */
	uint64_t aperture_last;
	uint64_t pgsize;		/* smallest page size */
	uint64_t pgsize_bitmap;		/* every page size of a domain */
	uint64_t cap_reg;		/* VT-d only */
	uint64_t ecap_reg;		/* VT-d only */
	bool dirty_tracking;		/* IOMMU_CAP_DIRTY_TRACKING */
	bool nesting;			/* NEST_PARENT domains */
	bool enforce_cc;		/* IOMMU_CAP_ENFORCE_CACHE_COHERENCY */
};

void emu_iommu_resolve(const struct emu_profile *p,
		       const struct emu_variant *v, struct emu_iommu *out);

#endif /* EMU_IOMMU_H */
