// SPDX-License-Identifier: MIT
/*
 * The machine's lifetime and its device list: emu_create, emu_destroy
 * (which closes every fd as a process exit would, so contexts and their
 * objects go through their normal teardown, and unmaps every region
 * mapping), emu_device_add, the
 * counters and the caller's credentials.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failnth.h"
#include "hugetlb.h"
#include "machine.h"
#include "vfio_pci.h"

int emu_create(struct emu **out)
{
	struct emu *emu = calloc(1, sizeof(*emu));

	if (!emu)
		return -ENOMEM;
	emu->creds.cap_sys_resource = true;
	emu->creds.memlock_limit = UINT64_MAX;
	emu->uaccess = EMU_UACCESS_STRICT;
	*out = emu;
	return 0;
}

void emu_destroy(struct emu *emu)
{
	unsigned int i;

	if (!emu)
		return;
	emu_vregion_maps_release(emu);
	for (i = 0; i < emu->nr_fd_slots; i++) {
		struct emu_file *file = emu_fd_remove(emu, (int)i + EMU_FD_FIRST);

		if (file)
			emu_file_put(emu, file);
	}
	for (i = 0; i < emu->nr_devs; i++)
		emu_vregion_store_free(&emu->devs[i]);
	emu_fail_nth_fini(emu);
	emu_hugetlb_fini(emu);
	free(emu->fds);
	free(emu);
}

/* A bdf must be one path component that the namespace can hold. */
static int emu_bdf_check(const char *bdf)
{
	size_t len;

	if (!bdf)
		return -EINVAL;
	len = strlen(bdf);
	if (len >= EMU_BDF_MAX)
		return -ENAMETOOLONG;
	if (!len || strchr(bdf, '/') || !strcmp(bdf, ".") ||
	    !strcmp(bdf, ".."))
		return -EINVAL;
	return 0;
}

int emu_device_add(struct emu *emu, const struct emu_profile *profile,
		   const char *bdf, enum emu_sysfs_variant variant, char *path,
		   size_t cap)
{
	struct emu_dev *dev;
	unsigned int i;
	int rc, len;

	if (!profile || (unsigned int)variant >= EMU_SYSFS_VARIANT_COUNT)
		return -EINVAL;
	rc = emu_bdf_check(bdf);
	if (rc)
		return rc;
	for (i = 0; i < emu->nr_devs; i++) {
		if (!strcmp(emu->devs[i].bdf, bdf))
			return -EEXIST;
	}
	if (emu->nr_devs == EMU_MAX_DEVICES)
		return -ENOSPC;
	if (path) {
		len = snprintf(path, cap, "/sys/bus/pci/devices/%s", bdf);
		if (len < 0 || (size_t)len >= cap)
			return -ENAMETOOLONG;
	}

	dev = &emu->devs[emu->nr_devs];
	memset(dev, 0, sizeof(*dev));
	dev->profile = profile;
	dev->variant = variant;
	dev->index = emu->nr_devs;
	snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
	snprintf(dev->cdev, sizeof(dev->cdev), "vfio%u", dev->index);
	emu->nr_devs++;
	return (int)dev->index;
}

void emu_counters_get(const struct emu *emu, struct emu_counters *out)
{
	/* Padding too: callers compare snapshots with memcmp. */
	memset(out, 0, sizeof(*out));
	out->fds = emu->nr_open;
	out->contexts = emu->nr_contexts;
	out->objects = emu->nr_objects;
	out->pinned_pages = emu->pinned_pages;
	out->locked_pages = emu->locked_user + emu->locked_mm;
	out->files = emu->nr_files;
	out->kvm_vms = emu->nr_vms;
	out->kvm_devices = emu->nr_kvm_devs;
	out->kvm_vfio_files = emu->nr_kvm_files;
	out->eventfds = emu->nr_eventfds;
	out->mappings = emu->nr_maps;
	out->fail_nth_files = emu->nr_fail_nth_files;
}

void emu_creds_get(const struct emu *emu, struct emu_creds *out)
{
	*out = emu->creds;
}

void emu_creds_set(struct emu *emu, const struct emu_creds *creds)
{
	emu->creds = *creds;
}

void emu_uaccess_set(struct emu *emu, enum emu_uaccess_mode mode)
{
	emu->uaccess = mode;
}
