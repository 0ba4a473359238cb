/* SPDX-License-Identifier: MIT */
/*
 * The VFIO type-1 IOMMU driver behind a legacy container
 * (drivers/vfio/vfio_iommu_type1.c in 6.12), as its uAPI shows it: the
 * groups attached to it and their domains, the list of valid IOVA (the
 * intersection of the domains' apertures minus every group's reserved
 * regions), the DMA mappings (pinned and charged to the mm as long as a
 * domain exists, which is always once SET_IOMMU worked), page sizes, the
 * entry limit, dirty page tracking and the vaddr-update protocol.
 *
 * A mapping is an emu_area in a store of its own (its IOVA, its user VA,
 * its pages object and permissions), so the DMA engine translates through
 * it exactly as through an IOAS. Domains are shared between groups whose
 * IOMMUs could share one (iommu.h), as the driver reuses a compatible
 * domain; only their page sizes, apertures and coherency are visible.
 *
 * An emu_type1 exists from a container's successful SET_IOMMU until its
 * last group leaves (container.c).
 */
#ifndef EMU_TYPE1_H
#define EMU_TYPE1_H

#include <stdbool.h>
#include <stdint.h>

struct emu;
struct emu_area;
struct emu_dev;
struct emu_type1;

/*
 * A new driver instance for SET_IOMMU @type: TYPE1 or TYPE1v2 (nesting is
 * refused when the first group attaches: VT-d cannot enable it). Returns
 * 0, -EINVAL (other type) or -ENOMEM.
 */
int emu_type1_open(struct emu *emu, unsigned long type,
		   struct emu_type1 **out);
/* Unmap and unpin everything and free. */
void emu_type1_release(struct emu_type1 *t);

/*
 * Attach @dev's group: -EINVAL (its aperture or reserved regions would
 * exclude a mapping, nesting asked for), -EBUSY (vaddrs invalid), -ENOMEM.
 * On failure nothing changed.
 */
int emu_type1_attach_group(struct emu_type1 *t, struct emu_dev *dev);
void emu_type1_detach_group(struct emu_type1 *t, struct emu_dev *dev);

/* CHECK_EXTENSION; @t NULL when the container has no driver yet. */
int emu_type1_check_extension(const struct emu_type1 *t, unsigned long ext);

/* The container ioctls the driver serves: GET_INFO, MAP, UNMAP, DIRTY. */
int emu_type1_ioctl(struct emu_type1 *t, unsigned int cmd, void *arg);

/*
 * The mapping holding @iova for a device of @dev's group, or NULL (the
 * group is not attached, or the IOVA is not mapped, or its vaddr is
 * being updated).
 */
const struct emu_area *emu_type1_lookup(const struct emu_type1 *t,
					const struct emu_dev *dev,
					uint64_t iova);

#endif /* EMU_TYPE1_H */
