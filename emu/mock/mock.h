/* SPDX-License-Identifier: MIT */
/*
 * The kernel's test-only IOMMU driver and IOMMU_TEST_CMD interface
 * (drivers/iommu/iommufd/selftest.c, CONFIG_IOMMUFD_TEST), as the model
 * serves them: the hooks through which the rest of the model reaches the
 * mock.
 *
 * The mock is compiled only against the kernel tree's own iommufd_test.h
 * (IOFD_EMU_MOCK, see cmake/kselftest.cmake). Without it every hook says
 * "not a mock device" and IOMMU_TEST_CMD is not in the ioctl table, so it
 * is ENOTTY, as on a kernel built without CONFIG_IOMMUFD_TEST.
 */
#ifndef EMU_MOCK_H
#define EMU_MOCK_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <emu/emu.h>

struct emu_hwpt;
struct emu_mock_access;
struct emu_obj;
struct emu_ucmd;

#ifdef IOFD_EMU_MOCK

/* The kernel tree's own (struct iommu_test_cmd, IOMMU_TEST_CMD, ...). */
#include "iommufd_test.h"

/* IOMMU_TEST_CMD (its handler, for the ioctl table). */
int emu_mock_test_cmd(struct emu_ucmd *ucmd);

/* Destroy op of the selftest's device holder (EMU_OBJ_SELFTEST). */
void emu_mock_selftest_destroy(struct emu_obj *obj);

/* Whether @p describes a mock device (its IOMMU is the mock driver). */
bool emu_mock_profile(const struct emu_profile *p);

/*
 * GET_HW_INFO for a mock device: struct iommu_test_hw_info into @buf
 * (@cap bytes at least its size); returns its size, *@type the selftest
 * info type.
 */
uint32_t emu_mock_hw_info(void *buf, size_t cap, uint32_t *type);

/*
 * The mock driver's part of a nested HWPT_ALLOC on @parent (the core's
 * checks are done): data type, flags, the parent's driver, and the
 * user's struct iommu_hwpt_selftest, which sets @nested's IOTLB. Returns
 * 0 or the driver's errno.
 */
int emu_mock_nested_init(struct emu_ucmd *ucmd, const struct emu_hwpt *parent,
			 struct emu_hwpt *nested);

/*
 * HWPT_INVALIDATE on the mock nested @hwpt: the entries of the request in
 * @ucmd, in order; *@done gets how many were handled.
 */
int emu_mock_invalidate(struct emu_ucmd *ucmd, struct emu_hwpt *hwpt,
			uint32_t *done);

/*
 * The IOMMU page (PTE) holding @iova in the mock paging domain @hwpt,
 * [*start, *last]: 1 MiB when the domain has the huge page size and the
 * mapping there is physically contiguous and aligned for it, else the
 * mock's 2 KiB page.
 */
void emu_mock_pte(const struct emu_hwpt *hwpt, uint64_t iova, uint64_t *start,
		  uint64_t *last);

/* The final close of a selftest access fd. */
void emu_mock_access_release(struct emu_mock_access *staccess);

#else /* !IOFD_EMU_MOCK */

static inline bool emu_mock_profile(const struct emu_profile *p)
{
	(void)p;
	return false;
}

static inline uint32_t emu_mock_hw_info(void *buf, size_t cap,
					uint32_t *type)
{
	(void)buf;
	(void)cap;
	(void)type;
	return 0;
}

static inline int emu_mock_nested_init(struct emu_ucmd *ucmd,
				       const struct emu_hwpt *parent,
				       struct emu_hwpt *nested)
{
	(void)ucmd;
	(void)parent;
	(void)nested;
	return -EOPNOTSUPP;
}

static inline int emu_mock_invalidate(struct emu_ucmd *ucmd,
				      struct emu_hwpt *hwpt, uint32_t *done)
{
	(void)ucmd;
	(void)hwpt;
	*done = 0;
	return -EOPNOTSUPP;
}

static inline void emu_mock_pte(const struct emu_hwpt *hwpt, uint64_t iova,
				uint64_t *start, uint64_t *last)
{
	(void)hwpt;
	*start = *last = iova;
}

static inline void emu_mock_access_release(struct emu_mock_access *staccess)
{
	(void)staccess;
}

#endif /* IOFD_EMU_MOCK */

#endif /* EMU_MOCK_H */
