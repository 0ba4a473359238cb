/* SPDX-License-Identifier: MIT */
/*
 * HWPT objects. A HWPT_PAGING is an IOMMU domain built for one device's
 * IOMMU (iommu.h) and made part of one IOAS. Automatic ones are created
 * when a device attaches to an IOAS and no existing automatic domain of
 * that IOAS accepts it, and destroyed when their last device leaves;
 * manual ones come from IOMMU_HWPT_ALLOC and go with IOMMU_DESTROY. A
 * HWPT_NESTED is a stage-1 domain on a NEST_PARENT paging HWPT (only the
 * selftest mock's IOMMU driver makes them); it maps nothing of its own,
 * and a device attached to it uses its parent's IOAS.
 *
 * Invariants: users = 1 + nr_devices (+ 1 per nested child of a paging
 * HWPT); a paging HWPT holds one user on its IOAS for its whole life, a
 * nested one on its parent, a HWPT with a fault queue one on the queue;
 * a paging HWPT's aperture complement sits in the IOAS reserved set under
 * the HWPT as owner. Dirty state is recorded only while dirty_enabled,
 * and only on IOVA mapped in the IOAS (an unmap forgets it).
 */
#ifndef EMU_HWPT_H
#define EMU_HWPT_H

#include <stdbool.h>

#include <emu/emu.h>

#include "dirty.h"
#include "iommu.h"
#include "obj.h"

struct emu_fault_queue;
struct emu_ictx;
struct emu_ioas;
struct emu_ucmd;

/* A mock nested domain's IOTLB (MOCK_NESTED_DOMAIN_IOTLB_NUM entries). */
#define EMU_HWPT_IOTLB_NUM 4

struct emu_hwpt {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ioas *ioas;		/* nested: the parent's */
	struct emu_hwpt *parent;	/* nested: its paging parent */
	struct emu_fault_queue *fault;	/* IOMMU_HWPT_FAULT_ID_VALID */
	const struct emu_iommu *iommu;	/* the IOMMU it was built for */
	bool auto_domain;
	bool nest_parent;		/* IOMMU_HWPT_ALLOC_NEST_PARENT */
	bool dirty_ops;			/* IOMMU_HWPT_ALLOC_DIRTY_TRACKING */
	bool dirty_enabled;		/* SET_DIRTY_TRACKING(ENABLE) */
	unsigned int nr_devices;
	struct emu_hwpt *ioas_next;	/* next domain of the same IOAS */
	struct emu_dirty dirty;
	uint32_t iotlb[EMU_HWPT_IOTLB_NUM];	/* mock nested domains */
};

/*
 * Build a domain for @iommu on @ioas with a reserved, unpublished
 * id. -EINVAL when the IOAS already holds a domain of another IOMMU unit
 * and either side refuses sharing, or as emu_ioas_domain_add; -ENOMEM,
 * -EBUSY (ids). Publish it with emu_obj_publish or undo with
 * emu_hwpt_abort.
 */
int emu_hwpt_paging_alloc(struct emu_ioas *ioas,
			  const struct emu_iommu *iommu, bool auto_domain,
			  struct emu_hwpt **out);
void emu_hwpt_abort(struct emu_hwpt *hwpt);
/* Destroy op: leave the IOAS and free. */
void emu_hwpt_destroy(struct emu_obj *obj);
/* Destroy op of a nested HWPT: release the parent and the fault queue. */
void emu_hwpt_nested_destroy(struct emu_obj *obj);

/*
 * Whether a device behind @iommu may attach to @hwpt: always within one IOMMU
 * unit; across units only when neither side is no_share, the page sizes
 * agree and the domain's aperture fits the device's IOMMU. A domain with
 * dirty tracking takes only devices whose IOMMU can track (spec 4.9). A
 * refusal is the driver's EINVAL.
 */
bool emu_hwpt_compatible(const struct emu_hwpt *hwpt,
			 const struct emu_iommu *iommu);

/* Forget the dirty state of [iova, last] (unmapped). */
void emu_hwpt_dirty_forget(struct emu_hwpt *hwpt, uint64_t iova,
			   uint64_t last);

/* The paging HWPT @id (by a user's id: a fault point), or NULL. */
struct emu_hwpt *emu_hwpt_paging_get(struct emu_ictx *ictx, uint32_t id);

/* ioctl handlers */
int emu_hwpt_alloc_ioctl(struct emu_ucmd *ucmd);
int emu_hwpt_invalidate_ioctl(struct emu_ucmd *ucmd);
int emu_hw_info_ioctl(struct emu_ucmd *ucmd);
int emu_hwpt_set_dirty_tracking_ioctl(struct emu_ucmd *ucmd);
int emu_hwpt_get_dirty_bitmap_ioctl(struct emu_ucmd *ucmd);

#endif /* EMU_HWPT_H */
