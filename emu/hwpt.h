/* SPDX-License-Identifier: MIT */
/*
 * HWPT_PAGING objects: an IOMMU domain built for one device profile's IOMMU
 * and made part of one IOAS. For now only automatic ones exist: created
 * when a device attaches to an IOAS and no existing automatic domain of
 * that IOAS accepts it, destroyed when their last device leaves.
 *
 * Invariants: users = 1 + nr_devices; the HWPT holds one user on its IOAS
 * for its whole life; its aperture complement sits in the IOAS reserved
 * set under the HWPT as owner.
 */
#ifndef EMU_HWPT_H
#define EMU_HWPT_H

#include <stdbool.h>

#include <emu/emu.h>

#include "obj.h"

struct emu_ioas;

struct emu_hwpt {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ioas *ioas;
	const struct emu_profile *profile;	/* the IOMMU it was built for */
	bool auto_domain;
	unsigned int nr_devices;
	struct emu_hwpt *ioas_next;	/* next domain of the same IOAS */
};

/*
 * Build a domain for @profile's IOMMU on @ioas with a reserved, unpublished
 * id. -EINVAL when the IOAS already holds a domain of another IOMMU unit
 * and either side refuses sharing, or as emu_ioas_domain_add; -ENOMEM,
 * -EBUSY (ids). Publish it with emu_obj_publish or undo with
 * emu_hwpt_abort.
 */
int emu_hwpt_paging_alloc(struct emu_ioas *ioas,
			  const struct emu_profile *profile, bool auto_domain,
			  struct emu_hwpt **out);
void emu_hwpt_abort(struct emu_hwpt *hwpt);
/* Destroy op: leave the IOAS and free. */
void emu_hwpt_destroy(struct emu_obj *obj);

/*
 * Whether a device of @profile may attach to @hwpt: always within one IOMMU
 * unit; across units only when neither side is no_share, the page sizes
 * agree and the domain's aperture fits the device's IOMMU. A refusal is the
 * driver's EINVAL.
 */
bool emu_hwpt_compatible(const struct emu_hwpt *hwpt,
			 const struct emu_profile *profile);

#endif /* EMU_HWPT_H */
