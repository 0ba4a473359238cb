// SPDX-License-Identifier: MIT
/*
 * The machine's lifetime and its device list: emu_create, emu_destroy
 * (which closes every fd as a process exit would, so contexts and their
 * objects go through their normal teardown, and unmaps every region
 * mapping), emu_reset (the same, keeping the struct for a new life),
 * the machine variant, emu_device_add, the counters and the caller's
 * credentials.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devmodel.h"
#include "failnth.h"
#include "hugetlb.h"
#include "machine.h"
#include "util.h"
#include "vfio_pci.h"

/* What a new machine holds besides zeroes (emu.h: emu_creds, uaccess). */
static void emu_init(struct emu *emu)
{
	emu->creds.cap_sys_resource = true;
	emu->creds.memlock_limit = UINT64_MAX;
	emu->uaccess = EMU_UACCESS_STRICT;
	emu_variant_default(&emu->variant);
}

int emu_create(struct emu **out)
{
	struct emu *emu = calloc(1, sizeof(*emu));

	if (!emu)
		return -ENOMEM;
	emu_init(emu);
	*out = emu;
	return 0;
}

/*
 * Close every fd as a process exit would, so contexts and their objects
 * go through their normal teardown, unmap every region mapping, drop the
 * devices' BAR stores, the fail-nth counters and the hugetlb ranges: what
 * is left is the struct and its fd table.
 */
static void emu_release(struct emu *emu)
{
	unsigned int i;

	emu_vregion_maps_release(emu);
	for (i = 0; i < emu->nr_fd_slots; i++) {
		struct emu_file *file = emu_fd_remove(emu, (int)i + EMU_FD_FIRST);

		if (file)
			emu_file_put(emu, file);
	}
	for (i = 0; i < emu->nr_devs; i++) {
		emu_vregion_store_free(emu, &emu->devs[i]);
		emu_devmodel_free(emu, &emu->devs[i]);
	}
	emu_klog_fini(emu);
	emu_fail_nth_fini(emu);
	emu_hugetlb_fini(emu);
}

void emu_destroy(struct emu *emu)
{
	if (!emu)
		return;
	emu_release(emu);
	emu_heap_free(emu->heap, emu->fds);
	emu_heap_destroy(emu->heap);
	free(emu);
}

void emu_variant_default(struct emu_variant *out)
{
	out->vtd_aw_bits = 39;
	out->thp = true;
	out->container = EMU_CONTAINER_VFIO;
}

static bool emu_variant_valid(const struct emu_variant *v)
{
	return (v->vtd_aw_bits == 39 || v->vtd_aw_bits == 48) &&
	       (v->container == EMU_CONTAINER_VFIO ||
		v->container == EMU_CONTAINER_IOMMUFD);
}

/* The settings emu_variant_parse knows: "name=value" applies @set. */
struct emu_variant_word {
	const char *text;
	void (*set)(struct emu_variant *v);
};

static void emu_variant_aw39(struct emu_variant *v) { v->vtd_aw_bits = 39; }
static void emu_variant_aw48(struct emu_variant *v) { v->vtd_aw_bits = 48; }
static void emu_variant_thp_on(struct emu_variant *v) { v->thp = true; }
static void emu_variant_thp_off(struct emu_variant *v) { v->thp = false; }

static void emu_variant_vfio(struct emu_variant *v)
{
	v->container = EMU_CONTAINER_VFIO;
}

static void emu_variant_iommufd(struct emu_variant *v)
{
	v->container = EMU_CONTAINER_IOMMUFD;
}

static const struct emu_variant_word emu_variant_words[] = {
	{ "aw-bits=39", emu_variant_aw39 },
	{ "aw-bits=48", emu_variant_aw48 },
	{ "thp=on", emu_variant_thp_on },
	{ "thp=off", emu_variant_thp_off },
	{ "container=vfio", emu_variant_vfio },
	{ "container=iommufd", emu_variant_iommufd },
};

int emu_variant_parse(const char *text, struct emu_variant *out,
		      const char **bad)
{
	const char *p = text;
	size_t len, i;

	emu_variant_default(out);
	if (!text)
		return 0;
	while (*p) {
		len = strcspn(p, ",");
		for (i = 0; i < EMU_ARRAY_SIZE(emu_variant_words); i++) {
			if (strlen(emu_variant_words[i].text) == len &&
			    !strncmp(emu_variant_words[i].text, p, len))
				break;
		}
		if (i == EMU_ARRAY_SIZE(emu_variant_words)) {
			if (bad)
				*bad = p;
			return -EINVAL;
		}
		emu_variant_words[i].set(out);
		p += len;
		if (*p == ',' && !*++p) {
			if (bad)
				*bad = p - 1;
			return -EINVAL;
		}
	}
	return 0;
}

int emu_variant_set(struct emu *emu, const struct emu_variant *v)
{
	if (!emu_variant_valid(v))
		return -EINVAL;
	if (emu->nr_devs || emu->nr_files)
		return -EBUSY;
	emu->variant = *v;
	return 0;
}

void emu_variant_get(const struct emu *emu, struct emu_variant *out)
{
	*out = emu->variant;
}

uint64_t emu_auto_align_cap(const struct emu *emu)
{
	return emu->variant.thp ? EMU_HPAGE_SIZE : EMU_PAGE_SIZE;
}

/*
 * Everything goes as in emu_destroy, then the struct is written as
 * emu_create writes it. Only the fd table's array and the heap stay, the
 * slots empty and the heap's blocks all free but the table's once every
 * file is gone: how many slots the table has is no state (an fd past them
 * is as closed as an empty slot), nor where objects come from, and
 * emu_digest leaves both out (it counts the heap's live blocks instead,
 * the table's not among them).
 */
void emu_reset(struct emu *emu)
{
	struct emu_heap *heap;
	struct emu_file **fds;
	unsigned int slots;

	emu_release(emu);
	fds = emu->fds;
	slots = emu->nr_fd_slots;
	heap = emu->heap;
	memset(emu, 0, sizeof(*emu));
	emu_init(emu);
	emu->fds = fds;
	emu->nr_fd_slots = slots;
	emu->heap = heap;
}

/*
 * Whether the machine keeps state in blocks past every file: a fail-nth
 * counter, a huge-page range, the kernel log's records, a device's BAR
 * store or model state. Everything else a machine allocates belongs to an
 * open file, or is the fd table's or the mapping list's empty array.
 */
static bool emu_keeps_blocks(const struct emu *emu)
{
	unsigned int i;

	if (emu->fail_nth || emu->hugetlb || emu->klog.v)
		return true;
	for (i = 0; i < emu->nr_devs; i++) {
		if (emu->devs[i].store || emu->devs[i].model)
			return true;
	}
	return false;
}

int emu_arena_use(struct emu *emu)
{
	struct emu_heap *heap;

	if (emu->heap)
		return 0;
	/* What libc gave would be given back to the arena. */
	if (emu->nr_files || emu_keeps_blocks(emu))
		return -EBUSY;
	heap = emu_heap_create();
	if (!heap)
		return -ENOMEM;
	/* Both arrays are empty with no file open: libc takes them back. */
	emu_heap_free(NULL, emu->fds);
	emu->fds = NULL;
	emu->nr_fd_slots = 0;
	emu_heap_free(NULL, emu->maps);
	emu->maps = NULL;
	emu->cap_maps = 0;
	emu->heap = heap;
	return 0;
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
	emu_iommu_resolve(profile, &emu->variant, &dev->iommu);
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
