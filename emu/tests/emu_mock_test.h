/* SPDX-License-Identifier: MIT */
/*
 * Helpers for tests that drive the selftest mock (IOMMU_TEST_CMD): built
 * only with the kernel tree's iommufd_test.h (IOFD_EMU_MOCK), which gives
 * struct iommu_test_cmd and the mock's constants.
 */
#ifndef EMU_TESTS_EMU_MOCK_TEST_H
#define EMU_TESTS_EMU_MOCK_TEST_H

#include "emu_test.h"
#include "iommufd_test.h"

static inline int test_cmd(struct emu_t *t, int fd,
			   struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return t_ioctl(t, fd, IOMMU_TEST_CMD, cmd);
}

/*
 * A zeroed command: the union's bytes past the member a test sets stay
 * defined (a designated initializer leaves them unspecified, and the
 * model writes the whole struct back).
 */
static inline struct iommu_test_cmd t_cmd(uint32_t op, uint32_t id)
{
	struct iommu_test_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.op = op;
	cmd.id = id;
	return cmd;
}

#endif /* EMU_TESTS_EMU_MOCK_TEST_H */
