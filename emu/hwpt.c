// SPDX-License-Identifier: MIT
/*
 * HWPT_PAGING objects (hwpt.h). A domain is modelled by the profile of
 * the IOMMU it was built for: aperture, smallest page size, unit and
 * sharing rules. Making it part of its IOAS (aperture reservation,
 * alignment, pins) is the IOAS's job; this file decides who may share it.
 */
#include <errno.h>
#include <stdlib.h>

#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"

bool emu_hwpt_compatible(const struct emu_hwpt *hwpt,
			 const struct emu_profile *profile)
{
	const struct emu_profile *own = hwpt->profile;

	if (own->iommu_unit == profile->iommu_unit)
		return true;
	if (own->no_share || profile->no_share)
		return false;
	return own->pgsize == profile->pgsize &&
	       own->aperture_last <= profile->aperture_last;
}

/*
 * A second IOMMU unit may add its own domain to an IOAS only when neither
 * it nor any unit already there refuses sharing: this is the knob through
 * which "incompatible" (EINVAL) reaches the core.
 */
static int emu_hwpt_check_sharing(const struct emu_ioas *ioas,
				  const struct emu_profile *profile)
{
	const struct emu_hwpt *h;

	for (h = ioas->domains; h; h = h->ioas_next) {
		if (h->profile->iommu_unit == profile->iommu_unit)
			continue;
		if (h->profile->no_share || profile->no_share)
			return -EINVAL;
	}
	return 0;
}

int emu_hwpt_paging_alloc(struct emu_ioas *ioas,
			  const struct emu_profile *profile, bool auto_domain,
			  struct emu_hwpt **out)
{
	struct emu_ictx *ictx = ioas->ictx;
	struct emu_hwpt *hwpt = calloc(1, sizeof(*hwpt));
	int rc;

	if (!hwpt)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &hwpt->obj, EMU_OBJ_HWPT_PAGING);
	if (rc)
		goto err_free_hwpt;
	hwpt->ioas = ioas;
	hwpt->profile = profile;
	hwpt->auto_domain = auto_domain;

	rc = emu_hwpt_check_sharing(ioas, profile);
	if (rc)
		goto err_abort_id;
	rc = emu_ioas_domain_add(ioas, hwpt);
	if (rc)
		goto err_abort_id;
	*out = hwpt;
	return 0;

err_abort_id:
	emu_obj_abort(&ictx->objs, &hwpt->obj);
err_free_hwpt:
	free(hwpt);
	return rc;
}

void emu_hwpt_abort(struct emu_hwpt *hwpt)
{
	struct emu_ioas *ioas = hwpt->ioas;

	emu_ioas_domain_remove(ioas, hwpt);
	emu_obj_abort(&ioas->ictx->objs, &hwpt->obj);
	free(hwpt);
}

void emu_hwpt_destroy(struct emu_obj *obj)
{
	struct emu_hwpt *hwpt = (struct emu_hwpt *)obj;

	emu_ioas_domain_remove(hwpt->ioas, hwpt);
	free(hwpt);
}
