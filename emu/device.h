/* SPDX-License-Identifier: MIT */
/*
 * DEVICE objects: a VFIO device bound to an iommufd context, and its
 * attachment to a HWPT (spec 3.3, 5.5, 5.6).
 *
 * Invariants: users = 1 (table) + 1 (the VFIO driver, while bound) + 1
 * while attached, so IOMMU_DESTROY always sees EBUSY. While attached, the
 * device's reserved regions sit in its HWPT's IOAS (a nested HWPT's: its
 * parent's) under the DEVICE as owner. A DEVICE bound through a VFIO file
 * holds one reference on its context.
 */
#ifndef EMU_DEVICE_H
#define EMU_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "obj.h"

struct emu_ictx;
struct emu_dev;
struct emu_hwpt;

struct emu_idev {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ictx *ictx;
	struct emu_dev *dev;
	struct emu_hwpt *hwpt;		/* attached to, or NULL */
	bool holds_ctx;			/* bound through a VFIO file */
};

/* Create and publish the DEVICE object: 0, -ENOMEM or -EBUSY (ids). */
int emu_idev_bind(struct emu_ictx *ictx, struct emu_dev *dev,
		  struct emu_idev **out);
/*
 * The same for a device that lives inside @ictx (the selftest's mock
 * device, held by an object of the context): no context reference, as
 * the kernel binds mock devices, so closing the context can free it.
 */
int emu_idev_bind_in_ctx(struct emu_ictx *ictx, struct emu_dev *dev,
			 struct emu_idev **out);
/* Detach, destroy the object and drop the context reference. */
void emu_idev_unbind(struct emu_idev *idev);
/* Destroy op (reached only through unbind). */
void emu_idev_destroy(struct emu_obj *obj);

/*
 * Attach (or replace onto) @pt_id: an IOAS (auto HWPT reused or created)
 * or a HWPT_PAGING or HWPT_NESTED. *out_hwpt_id gets the HWPT used. -ENOENT unknown id,
 * -EINVAL wrong type or incompatible, -EADDRINUSE reserved-region
 * conflict, -ENOMEM. On failure the old attachment is unchanged.
 */
int emu_idev_attach(struct emu_idev *idev, uint32_t pt_id,
		    uint32_t *out_hwpt_id);
/* Detach if attached; never fails. */
void emu_idev_detach(struct emu_idev *idev);

#endif /* EMU_DEVICE_H */
