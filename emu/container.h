/* SPDX-License-Identifier: MIT */
/*
 * The legacy VFIO container, /dev/vfio/vfio under CONFIG_VFIO_CONTAINER
 * (drivers/vfio/container.c in 6.12): the groups set to it and, once
 * SET_IOMMU found a driver for them, its type-1 IOMMU (type1.h). With no
 * group it is unprivileged: SET_IOMMU is EINVAL, and so is every ioctl
 * but the API version and CHECK_EXTENSION. When its last group leaves the
 * driver is released and the container is unprivileged again.
 *
 * Lifetime: the open file holds a reference, and so does every group set
 * to it, so a container outlives its fd while a group uses it.
 */
#ifndef EMU_CONTAINER_H
#define EMU_CONTAINER_H

#include <stdbool.h>

struct emu;
struct emu_dev;
struct emu_type1;

struct emu_container {
	struct emu *emu;
	unsigned int refs;
	unsigned int nr_groups;
	struct emu_type1 *iommu;	/* NULL until SET_IOMMU */
};

/* A new container with one reference: 0 or -ENOMEM. */
int emu_container_open(struct emu *emu, struct emu_container **out);
void emu_container_put(struct emu_container *c);
int emu_container_ioctl(struct emu_container *c, unsigned int cmd,
			void *arg);

/*
 * VFIO_GROUP_SET_CONTAINER's half: attach @dev's group (to the IOMMU too
 * when one is set: its errno, nothing changed on failure) and take a
 * reference.
 */
int emu_container_attach_group(struct emu_container *c, struct emu_dev *dev);
/* The reverse; may release the IOMMU and drops the group's reference. */
void emu_container_detach_group(struct emu_container *c,
				struct emu_dev *dev);

#endif /* EMU_CONTAINER_H */
