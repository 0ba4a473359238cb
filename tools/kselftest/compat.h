/* SPDX-License-Identifier: MIT */
/*
 * Forced into the kernel's iommufd selftests (-include) so that Debian's
 * linux-source-6.12 tree builds against its own 6.12 uAPI headers.
 *
 * The stable tree's selftests use five names that only arrived in later
 * kernels; this header gives them the values upstream gives them and
 * nothing else. A test that uses them asks the 6.12 kernel (or the
 * emulator, which answers as 6.12 does) for newer behaviour, and fails
 * there as it fails on the real kernel:
 *  - IOMMU_HW_INFO_TYPE_DEFAULT (0) and IOMMU_HW_INFO_FLAG_INPUT_TYPE
 *    (bit 0 of iommu_hw_info.flags, which 6.12 requires to be 0);
 *  - iommu_hw_info.in_data_type, upstream a union with out_data_type at
 *    the same offset, so the name is mapped onto that field;
 *  - the mock's MOCK_FLAGS_DEVICE_PASID (bit 2 of the mock device flags,
 *    unknown to 6.12's mock) and MOCK_PASID_WIDTH (20).
 */
#ifndef IOFD_KSELFTEST_COMPAT_H
#define IOFD_KSELFTEST_COMPAT_H

#include <linux/iommufd.h>

#define IOMMU_HW_INFO_TYPE_DEFAULT 0
#define IOMMU_HW_INFO_FLAG_INPUT_TYPE (1 << 0)
#define in_data_type out_data_type

#define MOCK_FLAGS_DEVICE_PASID (1 << 2)
#define MOCK_PASID_WIDTH 20

#endif /* IOFD_KSELFTEST_COMPAT_H */
