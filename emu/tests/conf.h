/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the conformance suite, on top of emu_test.h: raw helpers for
 * the ioctls emu_test.h does not cover (the caller wraps each in CHECK_OK
 * for must-succeed or CHECK_ERR(errno, ...) for must-fail, the selftest
 * triplet), and the "full" rig: a device of a chosen profile bound to a
 * context with IOAS 1, DEVICE 2, and optionally a manual HWPT 3 with the
 * device attached to it.
 */
#ifndef EMU_TESTS_CONF_H
#define EMU_TESTS_CONF_H

#include <linux/kvm.h>

#include "emu_test.h"

#define MSI_START 0xfee00000ULL

struct conf {
	struct emu_t t;
	int iommufd;
	int devfd;
	uint32_t ioas;		/* 1 */
	uint32_t devid;		/* 2 */
	uint32_t hwpt;		/* 3 when attached through a manual HWPT */
};

static inline int hwpt_alloc_raw(struct emu_t *t, int fd, uint32_t flags,
				 uint32_t dev_id, uint32_t pt_id,
				 uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
	};
	int rc = t_ioctl(t, fd, IOMMU_HWPT_ALLOC, &cmd);

	if (out)
		*out = rc ? 0 : cmd.out_hwpt_id;
	return rc;
}

static inline int copy_raw(struct emu_t *t, int fd, uint32_t flags,
			   uint32_t dst, uint32_t src, uint64_t src_iova,
			   uint64_t length, uint64_t *dst_iova)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = length,
		.dst_iova = *dst_iova,
		.src_iova = src_iova,
	};
	int rc = t_ioctl(t, fd, IOMMU_IOAS_COPY, &cmd);

	if (!rc)
		*dst_iova = cmd.dst_iova;
	return rc;
}

static inline int allow_raw(struct emu_t *t, int fd, uint32_t ioas,
			    const struct iommu_iova_range *r, uint32_t n)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = n,
		.allowed_iovas = (uintptr_t)r,
	};

	return t_ioctl(t, fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

static inline int option_raw(struct emu_t *t, int fd, uint32_t option,
			     uint16_t op, uint32_t object, uint64_t *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option,
		.op = op,
		.object_id = object,
		.val64 = *val,
	};
	int rc = t_ioctl(t, fd, IOMMU_OPTION, &cmd);

	if (!rc)
		*val = cmd.val64;
	return rc;
}

static inline int map_flags_raw(struct emu_t *t, int fd, uint32_t ioas,
				uint32_t flags, uint64_t iova,
				uint64_t length, uint64_t user_va)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = user_va,
		.length = length,
		.iova = iova,
	};

	return t_ioctl(t, fd, IOMMU_IOAS_MAP, &cmd);
}

static inline int set_dirty_raw(struct emu_t *t, int fd, uint32_t hwpt,
				uint32_t flags)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.hwpt_id = hwpt,
	};

	return t_ioctl(t, fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static inline int get_dirty_raw(struct emu_t *t, int fd, uint32_t hwpt,
				uint32_t flags, uint64_t iova,
				uint64_t length, uint64_t page_size,
				uint64_t *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt,
		.flags = flags,
		.iova = iova,
		.length = length,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	return t_ioctl(t, fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* A context with IOAS 1 and device 0 (@profile) bound as DEVICE 2. */
static inline void conf_setup(struct conf *c, const char *profile)
{
	memset(c, 0, sizeof(*c));
	emu_t_setup(&c->t);
	CHECK_EQ(t_add_dev(&c->t, profile, "0000:00:03.0", EMU_SYSFS_OK), 0);
	c->iommufd = CHECK_OK(t_open(&c->t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&c->t, c->iommufd, &c->ioas));
	CHECK_EQ(c->ioas, 1);
	c->devfd = CHECK_OK(t_open_dev(&c->t, 0));
	CHECK_OK(bind_raw(&c->t, c->devfd, c->iommufd, &c->devid));
	CHECK_EQ(c->devid, 2);
}

/* conf_setup, then HWPT 3 (@flags) on IOAS 1 with the device attached. */
static inline void conf_setup_hwpt(struct conf *c, const char *profile,
				   uint32_t flags)
{
	uint32_t pt;

	conf_setup(c, profile);
	CHECK_OK(hwpt_alloc_raw(&c->t, c->iommufd, flags, c->devid, c->ioas,
				&c->hwpt));
	CHECK_EQ(c->hwpt, 3);
	CHECK_OK(attach_raw(&c->t, c->devfd, c->hwpt, &pt));
	CHECK_EQ(pt, 3);
}

static inline void conf_teardown(struct conf *c)
{
	CHECK_OK(t_close(&c->t, c->devfd));
	CHECK_OK(t_close(&c->t, c->iommufd));
	emu_t_teardown(&c->t);
}

#endif /* EMU_TESTS_CONF_H */
