/* SPDX-License-Identifier: MIT */
/*
 * The legacy VFIO group node, /dev/vfio/GROUP (drivers/vfio/group.c in
 * 6.12), for the one-device groups of the model: opening it (exclusive,
 * and refused while a cdev of the device is bound), GET_STATUS,
 * SET_CONTAINER to a legacy container or to an iommufd (whose compat IOAS
 * is then made if missing), UNSET_CONTAINER, and GET_DEVICE_FD, which
 * opens the device through the group.
 *
 * A device opened through the group: its first open uses the group's
 * container (which must have its IOMMU set) or binds the device to the
 * group's iommufd and attaches it to the compat IOAS; later opens share
 * that; the last close undoes it. Such a device fd answers BIND with
 * EINVAL and ATTACH/DETACH with vfio-pci's ENOTTY. In container mode it
 * also keeps the group file open (the group node can be closed and
 * reopened only once the device fds are gone) and counts as a container
 * user (UNSET_CONTAINER: EBUSY).
 *
 * Exclusivity with the cdev: while the group node is open a cdev BIND is
 * EBUSY; while a cdev is bound the group node's open is EBUSY; a cdev
 * BIND while the device is open through the group is EINVAL.
 */
#ifndef EMU_GROUP_H
#define EMU_GROUP_H

#include <stdbool.h>

struct emu;
struct emu_container;
struct emu_dev;
struct emu_file;
struct emu_ictx;
struct emu_idev;
struct emu_vfio_file;

/* The state of a device's group (one device per group). */
struct emu_group {
	struct emu_file *opened;	/* the open group file, or NULL */
	unsigned int cdev_binds;	/* bound cdev fds: the node is closed */
	struct emu_container *container;	/* holds a reference */
	unsigned int container_users;	/* 1 + device opens using it */
	struct emu_ictx *ictx;		/* the iommufd set; holds a ref */
	struct emu_idev *idev;		/* DEVICE of the group-path opens */
};

/* Open the group node of @dev into @file: 0 or -EBUSY. */
int emu_group_open(struct emu_dev *dev, struct emu_file *file);
/* The group file's final release: unset what it set. */
void emu_group_release(struct emu_dev *dev);
int emu_group_ioctl(struct emu *emu, struct emu_dev *dev, unsigned int cmd,
		    void *arg);

/* The final release of a device fd opened through the group. */
void emu_group_device_close(struct emu_vfio_file *vf);

#endif /* EMU_GROUP_H */
