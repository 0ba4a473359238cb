/* SPDX-License-Identifier: MIT */
/*
 * One iommufd context: what a single open of /dev/iommu creates. It owns an
 * object table; it lives while anything references it: each fd opened on
 * it, each VFIO device bound to it and each fault queue fd hold one
 * reference (spec 3.4), so closing /dev/iommu under a bound device changes
 * nothing.
 *
 * When the last reference goes the objects are destroyed leaves-first: the
 * table is swept in ascending id order destroying every object with users
 * == 1, again and again, until it is empty.
 */
#ifndef EMU_IOMMUFD_H
#define EMU_IOMMUFD_H

#include <stdbool.h>

#include "obj.h"

struct emu;
struct emu_ioas;

struct emu_ictx {
	struct emu *emu;
	struct emu_ictx *next;		/* the machine's list of contexts */
	struct emu_ictx *prev;
	unsigned int refs;
	struct emu_objtable objs;
	bool acct_mm;			/* RLIMIT_MODE 1: charge the mm */
	struct emu_ioas *vfio_ioas;	/* IOMMU_VFIO_IOAS compat IOAS */
};

/* A fresh context with one reference. Returns 0 or -ENOMEM. */
int emu_ictx_create(struct emu *emu, struct emu_ictx **out);
void emu_ictx_get(struct emu_ictx *ictx);
/* Drop a reference; the last one releases the context and its objects. */
void emu_ictx_put(struct emu_ictx *ictx);

/*
 * The published object @id of type @type (EMU_OBJ_ANY: any), looked up
 * for an ioctl by a user's id, as the kernel's iommufd_get_object: a
 * fault point first (failnth.h), then the lookup. NULL means ENOENT.
 */
struct emu_obj *emu_obj_get_user(struct emu_ictx *ictx, uint32_t id,
				 enum emu_obj_type type);

/*
 * Take the published @obj out of the table and tear it down with its
 * type's destroy op. The caller has checked it may go (users, or the
 * owner's own rules for auto HWPTs and DEVICE objects).
 */
void emu_ictx_obj_destroy(struct emu_ictx *ictx, struct emu_obj *obj);

/*
 * An ioctl on an iommufd fd: the kernel's table-driven dispatch (spec 1.3)
 * then the handler. Returns the ioctl's result (>= 0) or -errno.
 */
int emu_iommufd_ioctl(struct emu_ictx *ictx, unsigned int cmd, void *arg);

/*
 * Make the compat IOAS unless there is one (a VFIO group set to the
 * context): 0, -ENOMEM or -EBUSY (ids).
 */
int emu_ictx_compat_ioas_create(struct emu_ictx *ictx);

/* The VFIO type-1 container ioctls on an iommufd fd (spec 2.16). */
int emu_iommufd_compat_ioctl(struct emu_ictx *ictx, unsigned int cmd,
			     void *arg);

#endif /* EMU_IOMMUFD_H */
