/* SPDX-License-Identifier: MIT */
/*
 * An open VFIO device cdev (/dev/vfio/devices/vfioN), its ioctls and its
 * read/write (spec 5). Opening is not exclusive; binding is: a device is
 * bound through at most one cdev file at a time, and that file holds the
 * DEVICE object (and through it a reference on the iommufd context) until
 * it is released. A device fd from the legacy group node (group.h) is the
 * same file with access from the start and no BIND, ATTACH or DETACH.
 */
#ifndef EMU_VFIO_H
#define EMU_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct emu;
struct emu_dev;
struct emu_idev;

struct emu_vfio_file {
	struct emu *emu;
	struct emu_dev *dev;
	struct emu_idev *idev;		/* non-NULL while bound */
	bool access;			/* bound, or opened through the group */
	bool group_path;		/* from VFIO_GROUP_GET_DEVICE_FD */
};

/* Returns 0 or -ENOMEM. */
int emu_vfio_open(struct emu *emu, struct emu_dev *dev,
		  struct emu_vfio_file **out);
/*
 * The final release: close the device if this file opened it, unbind
 * (detach, destroy DEVICE, drop ctx ref), free.
 */
void emu_vfio_release(struct emu_vfio_file *vf);
int emu_vfio_ioctl(struct emu_vfio_file *vf, unsigned int cmd, void *arg);
/* pread/pwrite of a region at @off (index << 40 | offset). */
ssize_t emu_vfio_rw(struct emu_vfio_file *vf, void *buf, size_t count,
		    uint64_t off, bool write);

#endif /* EMU_VFIO_H */
