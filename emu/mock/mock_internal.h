/* SPDX-License-Identifier: MIT */
/*
 * What the files of the selftest mock share (emu/mock): its devices'
 * profiles, the selftest's device holder object, the access files, and
 * the IOMMU_TEST_CMD handlers each file implements.
 *
 * The mock IOMMU (selftest.c's mock_ops): aperture [MOCK_APERTURE_START,
 * MOCK_APERTURE_LAST], IOMMU pages of PAGE_SIZE / 2, and with
 * MOCK_FLAGS_DEVICE_HUGE_IOVA also 512 of them (1 MiB); dirty tracking
 * unless MOCK_FLAGS_DEVICE_NO_DIRTY; no reserved regions; any mock device
 * may share any mock domain, a non-dirty-tracking one excepted from a
 * dirty-tracking domain; no domain is shared with another IOMMU.
 */
#ifndef EMU_MOCK_INTERNAL_H
#define EMU_MOCK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../machine.h"
#include "../obj.h"
#include "mock.h"

struct emu_access;
struct emu_ictx;
struct emu_idev;

#define EMU_MOCK_IO_PAGE_SIZE (EMU_PAGE_SIZE / 2)
#define EMU_MOCK_HUGE_PAGE_SIZE (512 * EMU_MOCK_IO_PAGE_SIZE)

/* The profile of a mock device with MOCK_FLAGS_DEVICE_* @flags. */
const struct emu_profile *emu_mock_profile_of(uint32_t flags);
/* Whether domains built for @p have the mock's huge IOMMU page. */
bool emu_mock_profile_huge(const struct emu_profile *p);

/*
 * The selftest's object for one mock device (selftest_obj, TYPE_IDEV):
 * destroying it detaches, unbinds and removes the device.
 */
struct emu_mock_dev {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ictx *ictx;
	struct emu_dev dev;		/* what the DEVICE object binds */
	struct emu_idev *idev;
};

/* An ACCESS_PAGES pin the access file keeps (selftest_access_item). */
struct emu_mock_access_item {
	struct emu_mock_access_item *next;
	uint64_t iova;
	uint64_t length;
	unsigned int id;
};

/* The file behind a CREATE_ACCESS fd (selftest_access). */
struct emu_mock_access {
	struct emu *emu;
	struct emu_access *access;	/* NULL until the fd is installed */
	struct emu_mock_access_item *items;
	unsigned int next_id;
};

/* The paging HWPT @id of the mock driver: 0, -ENOENT, -EINVAL. */
int emu_mock_get_domain(struct emu_ictx *ictx, uint32_t id,
			struct emu_hwpt **out);

/* IOMMU_TEST_CMD handlers, by file. */
int emu_mock_domain_cmd(struct emu_ucmd *ucmd);		/* mock_dev.c */
int emu_mock_replace_cmd(struct emu_ucmd *ucmd);
int emu_mock_check_iotlb_cmd(struct emu_ucmd *ucmd);
int emu_mock_trigger_iopf_cmd(struct emu_ucmd *ucmd);
int emu_mock_create_access_cmd(struct emu_ucmd *ucmd);	/* mock_access.c */
int emu_mock_access_pages_cmd(struct emu_ucmd *ucmd);
int emu_mock_destroy_access_pages_cmd(struct emu_ucmd *ucmd);
int emu_mock_access_rw_cmd(struct emu_ucmd *ucmd);
int emu_mock_access_replace_cmd(struct emu_ucmd *ucmd);
int emu_mock_dirty_cmd(struct emu_ucmd *ucmd);		/* mock_dirty.c */

#endif /* EMU_MOCK_INTERNAL_H */
