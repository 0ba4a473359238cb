// SPDX-License-Identifier: MIT
/*
 * The legacy VFIO container (container.h). The only IOMMU driver
 * registered is type-1 (x86, without VFIO_NOIOMMU), so "poll every
 * driver" is "ask type-1", and SET_IOMMU answers ENODEV when type-1 does
 * not know the type and its open's errno when it refuses it.
 */
#include <errno.h>

#include <linux/vfio.h>

#include "container.h"
#include "machine.h"
#include "type1.h"

int emu_container_open(struct emu *emu, struct emu_container **out)
{
	struct emu_container *c = emu_heap_zalloc(emu->heap, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->emu = emu;
	c->refs = 1;
	*out = c;
	return 0;
}

void emu_container_put(struct emu_container *c)
{
	if (--c->refs)
		return;
	emu_heap_free(c->emu->heap, c);
}

int emu_container_attach_group(struct emu_container *c, struct emu_dev *dev)
{
	int rc;

	if (c->iommu) {
		rc = emu_type1_attach_group(c->iommu, dev);
		if (rc)
			return rc;
	}
	c->nr_groups++;
	c->refs++;
	return 0;
}

void emu_container_detach_group(struct emu_container *c, struct emu_dev *dev)
{
	if (c->iommu)
		emu_type1_detach_group(c->iommu, dev);
	/* The last group deprivileges the container. */
	if (!--c->nr_groups && c->iommu) {
		emu_type1_release(c->iommu);
		c->iommu = NULL;
	}
	emu_container_put(c);
}

/* Attach every group of @c to the new driver, or none. */
static int emu_container_set_iommu(struct emu_container *c,
				   unsigned long type)
{
	struct emu *emu = c->emu;
	struct emu_type1 *t;
	unsigned int i;
	int rc;

	if (!c->nr_groups || c->iommu)
		return -EINVAL;
	if (emu_type1_check_extension(NULL, type) <= 0)
		return -ENODEV;
	rc = emu_type1_open(emu, type, &t);
	if (rc)
		return rc;
	for (i = 0; i < emu->nr_devs; i++) {
		if (emu->devs[i].group.container != c)
			continue;
		rc = emu_type1_attach_group(t, &emu->devs[i]);
		if (rc)
			goto err_release;
	}
	c->iommu = t;
	return 0;

err_release:
	emu_type1_release(t);
	return rc;
}

int emu_container_ioctl(struct emu_container *c, unsigned int cmd,
			void *arg)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return emu_type1_check_extension(c->iommu,
						 (unsigned long)arg);
	case VFIO_SET_IOMMU:
		return emu_container_set_iommu(c, (unsigned long)arg);
	default:
		if (!c->iommu)
			return -EINVAL;
		return emu_type1_ioctl(c->iommu, cmd, arg);
	}
}
