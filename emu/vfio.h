/* SPDX-License-Identifier: MIT */
/*
 * An open VFIO device cdev (/dev/vfio/devices/vfioN) and its ioctls
 * (spec 5). Opening is not exclusive; binding is: a device is bound through
 * at most one cdev file at a time, and that file holds the DEVICE object
 * (and through it a reference on the iommufd context) until it is closed.
 */
#ifndef EMU_VFIO_H
#define EMU_VFIO_H

struct emu;
struct emu_dev;
struct emu_idev;

struct emu_vfio_file {
	struct emu *emu;
	struct emu_dev *dev;
	struct emu_idev *idev;		/* non-NULL while bound */
};

/* Returns 0 or -ENOMEM. */
int emu_vfio_open(struct emu *emu, struct emu_dev *dev,
		  struct emu_vfio_file **out);
/* The final close: unbind (detach, destroy DEVICE, drop ctx ref), free. */
void emu_vfio_release(struct emu_vfio_file *vf);
int emu_vfio_ioctl(struct emu_vfio_file *vf, unsigned int cmd, void *arg);

#endif /* EMU_VFIO_H */
