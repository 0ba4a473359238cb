// SPDX-License-Identifier: MIT
/*
 * DEVICE objects: bind, attach with replace, detach, unbind (device.h).
 *
 * Attach order follows the kernel: the device's reserved regions go into
 * the target IOAS first (EADDRINUSE on a mapped conflict), then the IOMMU
 * driver decides whether the device may use the domain (EINVAL). For an
 * IOAS target every automatic domain of the IOAS is tried in creation
 * order, a refusal with EINVAL moving on to the next, and only then is a
 * new automatic domain built. A replace switches in one step: the old HWPT
 * is left only once the new one is joined, so a failure changes nothing.
 */
#include <errno.h>
#include <stdlib.h>

#include "device.h"
#include "failnth.h"
#include "fault_queue.h"
#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"
#include "machine.h"

static int emu_idev_bind_common(struct emu_ictx *ictx, struct emu_dev *dev,
				bool holds_ctx, struct emu_idev **out)
{
	struct emu_idev *idev = emu_zalloc(ictx->emu, sizeof(*idev));
	int rc;

	if (!idev)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &idev->obj, EMU_OBJ_DEVICE);
	if (rc)
		goto err_free_idev;
	idev->ictx = ictx;
	idev->dev = dev;
	idev->holds_ctx = holds_ctx;
	idev->obj.users++;	/* the VFIO driver's, until unbind */
	if (holds_ctx)
		emu_ictx_get(ictx);
	emu_obj_publish(&ictx->objs, &idev->obj);
	*out = idev;
	return 0;

err_free_idev:
	emu_free(ictx->emu, idev);
	return rc;
}

int emu_idev_bind(struct emu_ictx *ictx, struct emu_dev *dev,
		  struct emu_idev **out)
{
	return emu_idev_bind_common(ictx, dev, true, out);
}

int emu_idev_bind_in_ctx(struct emu_ictx *ictx, struct emu_dev *dev,
			 struct emu_idev **out)
{
	return emu_idev_bind_common(ictx, dev, false, out);
}

static int emu_idev_reserve_regions(struct emu_idev *idev,
				    struct emu_ioas *ioas)
{
	const struct emu_profile *p = idev->dev->profile;
	unsigned int i;
	int rc;

	/* iopt_table_enforce_dev_resv_regions' own fault point. */
	if (emu_should_fail(idev->ictx->emu))
		return -EINVAL;
	for (i = 0; i < p->nr_resv; i++) {
		rc = emu_ioas_reserve(ioas, p->resv[i].start, p->resv[i].last,
				      idev);
		if (rc)
			goto err_unreserve;
	}
	return 0;

err_unreserve:
	emu_ioas_unreserve(ioas, idev);
	return rc;
}

/*
 * Drop @idev's hold on @old. @drop_regions: the device no longer uses
 * @old's IOAS, so its reserved regions leave it. An automatic HWPT goes
 * with its last device.
 */
static void emu_idev_leave(struct emu_idev *idev, struct emu_hwpt *old,
			   bool drop_regions)
{
	if (drop_regions)
		emu_ioas_unreserve(old->ioas, idev);
	/* Faults the device raised there are answered INVALID. */
	if (old->fault)
		emu_fault_queue_drop_device(old->fault, idev);
	old->nr_devices--;
	old->obj.users--;
	if (old->auto_domain && !old->nr_devices)
		emu_ictx_obj_destroy(idev->ictx, &old->obj);
}

/* Attach or replace @idev onto @hwpt; nothing changes on failure. */
static int emu_idev_join(struct emu_idev *idev, struct emu_hwpt *hwpt)
{
	struct emu_hwpt *old = idev->hwpt;
	bool new_ioas = !old || old->ioas != hwpt->ioas;
	int rc;

	if (hwpt == old)
		return 0;
	if (new_ioas) {
		rc = emu_idev_reserve_regions(idev, hwpt->ioas);
		if (rc)
			return rc;
	}
	/* The kernel allocates the attach handle here. */
	if (emu_should_fail(idev->ictx->emu)) {
		rc = -ENOMEM;
		goto err_unreserve;
	}
	if (!emu_hwpt_compatible(hwpt, &idev->dev->iommu)) {
		rc = -EINVAL;
		goto err_unreserve;
	}

	hwpt->nr_devices++;
	hwpt->obj.users++;
	idev->hwpt = hwpt;
	if (old)
		emu_idev_leave(idev, old, new_ioas);
	else
		idev->obj.users++;
	return 0;

err_unreserve:
	if (new_ioas)
		emu_ioas_unreserve(hwpt->ioas, idev);
	return rc;
}

static int emu_idev_attach_ioas(struct emu_idev *idev, struct emu_ioas *ioas,
				struct emu_hwpt **out)
{
	struct emu_hwpt *hwpt;
	int rc;

	for (hwpt = ioas->domains; hwpt; hwpt = hwpt->ioas_next) {
		if (!hwpt->auto_domain)
			continue;
		rc = emu_idev_join(idev, hwpt);
		if (rc == -EINVAL)
			continue;
		if (rc)
			return rc;
		*out = hwpt;
		return 0;
	}

	rc = emu_hwpt_paging_alloc(ioas, &idev->dev->iommu, true, &hwpt);
	if (rc)
		return rc;
	rc = emu_idev_join(idev, hwpt);
	if (rc)
		goto err_abort_hwpt;
	emu_obj_publish(&idev->ictx->objs, &hwpt->obj);
	*out = hwpt;
	return 0;

err_abort_hwpt:
	emu_hwpt_abort(hwpt);
	return rc;
}

int emu_idev_attach(struct emu_idev *idev, uint32_t pt_id,
		    uint32_t *out_hwpt_id)
{
	struct emu_hwpt *hwpt;
	struct emu_obj *obj;
	int rc;

	obj = emu_obj_get_user(idev->ictx, pt_id, EMU_OBJ_ANY);
	if (!obj)
		return -ENOENT;
	switch (obj->type) {
	case EMU_OBJ_IOAS:
		rc = emu_idev_attach_ioas(idev, (struct emu_ioas *)obj, &hwpt);
		break;
	case EMU_OBJ_HWPT_PAGING:
	case EMU_OBJ_HWPT_NESTED:
		hwpt = (struct emu_hwpt *)obj;
		rc = emu_idev_join(idev, hwpt);
		break;
	default:
		return -EINVAL;
	}
	if (rc)
		return rc;
	*out_hwpt_id = hwpt->obj.id;
	return 0;
}

void emu_idev_detach(struct emu_idev *idev)
{
	struct emu_hwpt *old = idev->hwpt;

	if (!old)
		return;
	idev->hwpt = NULL;
	idev->obj.users--;
	emu_idev_leave(idev, old, true);
}

void emu_idev_destroy(struct emu_obj *obj)
{
	struct emu_idev *idev = (struct emu_idev *)obj;

	emu_idev_detach(idev);
	emu_free(idev->ictx->emu, idev);
}

void emu_idev_unbind(struct emu_idev *idev)
{
	struct emu_ictx *ictx = idev->ictx;
	bool holds_ctx = idev->holds_ctx;

	emu_idev_detach(idev);
	idev->obj.users--;
	emu_ictx_obj_destroy(ictx, &idev->obj);
	if (holds_ctx)
		emu_ictx_put(ictx);
}
