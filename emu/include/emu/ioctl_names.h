/* SPDX-License-Identifier: MIT */
/*
 * The one table of ioctl requests the project names: every iommufd ioctl,
 * the VFIO device, group and container ioctls (ioctl_names.c says which
 * two share a number) and the KVM ones a VMM makes around a VFIO device.
 * Request numbers come from the system's uAPI headers; the name is the
 * macro's own. The recorder, the fault ops of the
 * fuzz language, the harness's call log and the hardware tool's reports
 * all take names from here.
 */
#ifndef EMU_IOCTL_NAMES_H
#define EMU_IOCTL_NAMES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct emu_ioctl_desc {
	unsigned long request;
	const char *name;
	/*
	 * Size of the uAPI struct behind the argument when that struct
	 * begins with its own size (iommufd's size, VFIO's argsz); 0 when
	 * the argument is not such a struct.
	 */
	uint32_t size;
};

/* The entry of @request, or NULL for a request the table does not know. */
const struct emu_ioctl_desc *emu_ioctl_find(unsigned long request);
/* The name of @request ("IOMMU_IOAS_MAP"), or NULL. */
const char *emu_ioctl_name(unsigned long request);
/* The entry called @name, or NULL. */
const struct emu_ioctl_desc *emu_ioctl_find_name(const char *name);
/* Entries by index, 0 .. emu_ioctl_count() - 1. */
size_t emu_ioctl_count(void);
const struct emu_ioctl_desc *emu_ioctl_get(size_t idx);

#ifdef __cplusplus
}
#endif

#endif /* EMU_IOCTL_NAMES_H */
