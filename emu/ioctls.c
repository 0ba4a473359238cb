// SPDX-License-Identifier: MIT
/*
 * Names of the ioctl requests the model answers (emu.h), from the one
 * list in ioctls.def, so that tools report a call as people know it.
 */
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include <emu/emu.h>

#include "util.h"

static const struct {
	unsigned long request;
	const char *name;
} emu_ioctls[] = {
#define EMU_IOCTL(req) { req, #req },
#include "ioctls.def"
#undef EMU_IOCTL
};

const char *emu_ioctl_name(unsigned long request)
{
	size_t i;

	for (i = 0; i < EMU_ARRAY_SIZE(emu_ioctls); i++) {
		if (emu_ioctls[i].request == request)
			return emu_ioctls[i].name;
	}
	return NULL;
}

unsigned long emu_ioctl_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < EMU_ARRAY_SIZE(emu_ioctls); i++) {
		if (!strcmp(emu_ioctls[i].name, name))
			return emu_ioctls[i].request;
	}
	return 0;
}
