/* SPDX-License-Identifier: MIT */
/*
 * HWPTs (IOMMU domains) and how a device joins a container through one.
 *
 * Joining container C, in order:
 *   1. every HWPT libiofd already allocated in C, oldest first: the
 *      kernel's EINVAL means "this domain cannot take the device", try the
 *      next; any other errno fails the join;
 *   2. a new HWPT over C's IOAS, with dirty tracking when GET_HW_INFO says
 *      the device's IOMMU can track (a kernel without GET_HW_INFO reports
 *      nothing); the device is attached to it, and the HWPT is freed again
 *      if that attach fails;
 *   3. when the kernel has no user domain allocation for the device
 *      (HWPT_ALLOC: EOPNOTSUPP), the device is attached to the IOAS itself
 *      and the kernel picks or makes a domain (dev->hwpt stays NULL).
 * While the container tracks dirty pages, a new HWPT must track too (it is
 * switched on before the device attaches) and step 3 is not taken.
 * A HWPT goes with its last device. EINVAL out of step 2 tells the caller
 * that C as a whole is incompatible.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include "internal.h"

int iofd_backend_alloc_hwpt(struct iofd_backend *be, uint32_t dev_id,
			    uint32_t pt_id, uint32_t flags, uint32_t *hwpt_id,
			    struct iofd_error *err)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};
	int ret;

	ret = iofd_backend_ioctl(be, IOMMU_HWPT_ALLOC, &cmd,
				 "IOMMU_HWPT_ALLOC", err);
	if (ret) {
		iofd_error_prepend(err, "HWPT for device id %u over %u flags 0x%x",
				   dev_id, pt_id, flags);
		return ret;
	}
	*hwpt_id = cmd.out_hwpt_id;
	return 0;
}

int iofd_backend_get_hw_info(struct iofd_backend *be, uint32_t dev_id,
			     struct iofd_hw_info *info, struct iofd_error *err)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.data_len = sizeof(info->data),
	};
	int ret;

	memset(info, 0, sizeof(*info));
	cmd.data_uptr = (uintptr_t)info->data;
	ret = iofd_backend_ioctl(be, IOMMU_GET_HW_INFO, &cmd,
				 "IOMMU_GET_HW_INFO", err);
	if (ret) {
		iofd_error_prepend(err, "hw info of device id %u", dev_id);
		return ret;
	}
	info->type = cmd.out_data_type;
	info->capabilities = cmd.out_capabilities;
	info->data_len = cmd.data_len;
	return 0;
}

int iofd_backend_set_dirty_tracking(struct iofd_backend *be, uint32_t hwpt_id,
				    bool enable, struct iofd_error *err)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = enable ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
		.hwpt_id = hwpt_id,
	};
	int ret;

	ret = iofd_backend_ioctl(be, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd,
				 "IOMMU_HWPT_SET_DIRTY_TRACKING", err);
	if (ret) {
		iofd_error_prepend(err, "%s dirty tracking of HWPT %u",
				   enable ? "enable" : "disable", hwpt_id);
		return ret;
	}
	return 0;
}

int iofd_backend_get_dirty_bitmap(struct iofd_backend *be, uint32_t hwpt_id,
				  uint64_t iova, uint64_t size,
				  uint64_t page_size, uint64_t *bitmap,
				  struct iofd_error *err)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.iova = iova,
		.length = size,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};
	int ret;

	ret = iofd_backend_ioctl(be, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd,
				 "IOMMU_HWPT_GET_DIRTY_BITMAP", err);
	if (ret) {
		iofd_error_prepend(err,
				   "dirty bitmap of HWPT %u iova 0x%llx size 0x%llx",
				   hwpt_id, (unsigned long long)iova,
				   (unsigned long long)size);
		return ret;
	}
	return 0;
}

/* Step 2: a new HWPT for the device over the container's IOAS. */
static int iofd_hwpt_attach_new(struct iofd_device *dev,
				struct iofd_container *c,
				struct iofd_error *err)
{
	struct iofd_error scratch;
	struct iofd_hw_info info;
	struct iofd_hwpt *hwpt;
	uint32_t flags = 0;
	int ret;

	/* Reserve the bookkeeping first: nothing may fail after the attach. */
	hwpt = iofd_zalloc(dev->ctx, sizeof(*hwpt));
	if (!hwpt)
		return iofd_err_set(err, ENOMEM, "device %s: new HWPT",
				    dev->name);

	/*
	 * A kernel without GET_HW_INFO (before 6.6) answers ENOTTY, one that
	 * refuses the query EOPNOTSUPP: the IOMMU reports no capability.
	 */
	ret = iofd_backend_get_hw_info(c->be, dev->devid, &info, &scratch);
	if (ret && ret != -ENOTTY && ret != -EOPNOTSUPP) {
		iofd_err_pass(err, &scratch, ret);
		iofd_error_prepend(err, "device %s", dev->name);
		goto err_free_hwpt;
	}
	if (ret == 0 && (info.capabilities & IOMMU_HW_CAP_DIRTY_TRACKING))
		flags |= IOMMU_HWPT_ALLOC_DIRTY_TRACKING;

	ret = iofd_backend_alloc_hwpt(c->be, dev->devid, c->ioas_id, flags,
				      &hwpt->id, &scratch);
	if (ret == -EOPNOTSUPP && !c->dirty_tracking) {
		/* Step 3: no user domains here; the kernel picks one. */
		iofd_free(dev->ctx, hwpt);
		return iofd_device_attach_pt(dev, c->ioas_id, err);
	}
	if (ret) {
		iofd_err_pass(err, &scratch, ret);
		iofd_error_prepend(err, "device %s", dev->name);
		goto err_free_hwpt;
	}

	/*
	 * While the container tracks dirty pages (a migration is running),
	 * a domain that would not track them must not join: its DMA writes
	 * would be lost to the dirty log.
	 */
	if (c->dirty_tracking) {
		if (!(flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)) {
			ret = iofd_err_set(err, EOPNOTSUPP,
					   "device %s: IOAS %u tracks dirty pages and the device's IOMMU cannot",
					   dev->name, c->ioas_id);
			goto err_destroy_hwpt;
		}
		ret = iofd_backend_set_dirty_tracking(c->be, hwpt->id, true,
						      err);
		if (ret) {
			iofd_error_prepend(err, "device %s", dev->name);
			goto err_destroy_hwpt;
		}
	}

	ret = iofd_device_attach_pt(dev, hwpt->id, err);
	if (ret)
		goto err_destroy_hwpt;

	hwpt->flags = flags;
	hwpt->users = 1;
	iofd_list_add_tail(&c->hwpts, &hwpt->container_node);
	dev->hwpt = hwpt;
	return 0;

err_destroy_hwpt:
	iofd_backend_release(c->be, hwpt->id, hwpt, NULL);
	return ret;
err_free_hwpt:
	iofd_free(dev->ctx, hwpt);
	return ret;
}

int iofd_hwpt_attach(struct iofd_device *dev, struct iofd_container *c,
		     struct iofd_error *err)
{
	struct iofd_error scratch;
	struct iofd_list *pos;
	int ret;

	iofd_list_for_each(pos, &c->hwpts) {
		struct iofd_hwpt *hwpt = iofd_container_of(pos,
				struct iofd_hwpt, container_node);

		ret = iofd_device_attach_pt(dev, hwpt->id, &scratch);
		if (ret == 0) {
			hwpt->users++;
			dev->hwpt = hwpt;
			return 0;
		}
		if (ret != -EINVAL)
			return iofd_err_pass(err, &scratch, ret);
		/* This domain cannot take the device: the next may. */
	}
	return iofd_hwpt_attach_new(dev, c, err);
}

int iofd_hwpt_detach(struct iofd_device *dev, struct iofd_error *err)
{
	struct iofd_hwpt *hwpt = dev->hwpt;
	int ret = 0;

	if (!hwpt)
		return 0;
	dev->hwpt = NULL;
	if (--hwpt->users == 0) {
		iofd_list_del(&hwpt->container_node);
		ret = iofd_backend_release(dev->container->be, hwpt->id, hwpt,
					   err);
		/* No HWPT of ours left: nothing tracks any more. */
		if (iofd_list_empty(&dev->container->hwpts))
			dev->container->dirty_tracking = false;
	}
	return ret;
}

size_t iofd_container_hwpt_count(const struct iofd_container *c)
{
	return iofd_list_count(&c->hwpts);
}

int iofd_container_hwpt_get(const struct iofd_container *c, size_t idx,
			    uint32_t *hwpt_id, uint32_t *flags)
{
	struct iofd_list *n = iofd_list_nth(&c->hwpts, idx);
	struct iofd_hwpt *hwpt;

	if (!n)
		return -ENOENT;
	hwpt = iofd_container_of(n, struct iofd_hwpt, container_node);
	if (hwpt_id)
		*hwpt_id = hwpt->id;
	if (flags)
		*flags = hwpt->flags;
	return 0;
}
