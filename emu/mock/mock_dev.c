// SPDX-License-Identifier: MIT
/*
 * The mock IOMMU and its devices (selftest.c's mock_ops, mock_dev,
 * selftest_obj): MOCK_DOMAIN and MOCK_DOMAIN_FLAGS (create a mock device,
 * bind it, attach it), MOCK_DOMAIN_REPLACE, the mock's GET_HW_INFO data,
 * its nested domains (allocation, HWPT_INVALIDATE, MD_CHECK_IOTLB) and
 * TRIGGER_IOPF.
 *
 * A mock device is bound into the context without a context reference:
 * the selftest object that holds it lives in the context, so closing the
 * context destroys the object and with it the device. Fault points stand
 * where selftest.c and the core allocate (the device, its name, the
 * iommu group, the nested domain, the IOPF group).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include "../device.h"
#include "../failnth.h"
#include "../fault_queue.h"
#include "../hwpt.h"
#include "../iommufd.h"
#include "../ucmd.h"
#include "../util.h"
#include "mock_internal.h"

/* An IOMMU unit no PCI profile uses: mock domains are the mock's alone. */
#define EMU_MOCK_UNIT 0x4d4f434bu

#define EMU_MOCK_PROFILE(_dirty)                                        \
	{                                                               \
		.name = "iommufd_mock",                                 \
		.aperture_start = MOCK_APERTURE_START,                  \
		.aperture_last = MOCK_APERTURE_LAST,                    \
		.pgsize = EMU_MOCK_IO_PAGE_SIZE,                        \
		.iommu_unit = EMU_MOCK_UNIT,                            \
		.no_share = true,                                       \
		.dirty_tracking = _dirty,                               \
		.nesting = true,                                        \
		.hw_info_type = IOMMU_HW_INFO_TYPE_SELFTEST,            \
	}

/* Indexed by the device flags: NO_DIRTY is bit 0, HUGE_IOVA bit 1. */
static const struct emu_profile emu_mock_profiles[4] = {
	EMU_MOCK_PROFILE(true),
	EMU_MOCK_PROFILE(false),
	EMU_MOCK_PROFILE(true),
	EMU_MOCK_PROFILE(false),
};

const struct emu_profile *emu_mock_profile_of(uint32_t flags)
{
	return &emu_mock_profiles[flags & (MOCK_FLAGS_DEVICE_NO_DIRTY |
					   MOCK_FLAGS_DEVICE_HUGE_IOVA)];
}

bool emu_mock_profile(const struct emu_profile *p)
{
	return p >= emu_mock_profiles &&
	       p < emu_mock_profiles + EMU_ARRAY_SIZE(emu_mock_profiles);
}

bool emu_mock_profile_huge(const struct emu_profile *p)
{
	return emu_mock_profile(p) &&
	       ((p - emu_mock_profiles) & MOCK_FLAGS_DEVICE_HUGE_IOVA);
}

uint32_t emu_mock_hw_info(void *buf, size_t cap, uint32_t *type)
{
	struct iommu_test_hw_info info = {
		.flags = 0,
		.test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL,
	};

	(void)cap;
	memcpy(buf, &info, sizeof(info));
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return sizeof(info);
}

void emu_mock_selftest_destroy(struct emu_obj *obj)
{
	struct emu_mock_dev *md = (struct emu_mock_dev *)obj;

	emu_idev_unbind(md->idev);
	emu_free(md->ictx->emu, md);
}

/*
 * MOCK_DOMAIN(_FLAGS): the selftest object takes the first id, then the
 * device is created, bound (the DEVICE object's id) and attached to
 * cmd->id (an IOAS: an automatic HWPT's id), and only then is the object
 * published, so a failure at any step leaves nothing.
 */
int emu_mock_domain_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu_ictx *ictx = ucmd->ictx;
	struct emu *emu = ictx->emu;
	struct emu_mock_dev *md;
	uint32_t flags = 0, hwpt_id;
	int rc;

	md = emu_zalloc(emu, sizeof(*md));
	if (!md)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &md->obj, EMU_OBJ_SELFTEST);
	if (rc)
		goto err_free_md;
	md->ictx = ictx;
	if (cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)
		flags = cmd->mock_domain_flags.dev_flags;
	if (flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY |
		      MOCK_FLAGS_DEVICE_HUGE_IOVA)) {
		rc = -EINVAL;
		goto err_abort_obj;
	}
	/* The kernel allocates the mock device, its name and its group. */
	if (emu_should_fail(emu) || emu_should_fail(emu) ||
	    emu_should_fail(emu)) {
		rc = -ENOMEM;
		goto err_abort_obj;
	}
	md->dev.profile = emu_mock_profile_of(flags);
	emu_iommu_resolve(md->dev.profile, &emu->variant, &md->dev.iommu);
	md->dev.index = EMU_MAX_DEVICES;
	rc = emu_idev_bind_in_ctx(ictx, &md->dev, &md->idev);
	if (rc)
		goto err_abort_obj;
	rc = emu_idev_attach(md->idev, cmd->id, &hwpt_id);
	if (rc)
		goto err_unbind;
	cmd->mock_domain.out_hwpt_id = hwpt_id;
	cmd->mock_domain.out_stdev_id = md->obj.id;
	cmd->mock_domain.out_idev_id = md->idev->obj.id;
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_unbind;
	emu_obj_publish(&ictx->objs, &md->obj);
	return 0;

err_unbind:
	emu_idev_unbind(md->idev);
err_abort_obj:
	emu_obj_abort(&ictx->objs, &md->obj);
err_free_md:
	emu_free(emu, md);
	return rc;
}

/* MOCK_DOMAIN_REPLACE: the device of selftest object cmd->id moves. */
int emu_mock_replace_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu_mock_dev *md;
	uint32_t hwpt_id;
	int rc;

	md = (struct emu_mock_dev *)emu_obj_get_user(ucmd->ictx, cmd->id,
						     EMU_OBJ_SELFTEST);
	if (!md)
		return -ENOENT;
	/* iommufd_device_replace needs an attached device. */
	if (!md->idev->hwpt)
		return -EINVAL;
	rc = emu_idev_attach(md->idev, cmd->mock_domain_replace.pt_id,
			     &hwpt_id);
	if (rc)
		return rc;
	cmd->mock_domain_replace.pt_id = hwpt_id;
	return emu_ucmd_respond(ucmd, sizeof(*cmd));
}

/*
 * The mock driver's nested domain (mock_domain_alloc_user with a parent):
 * only the selftest data type and no flags, only on a mock parent, and
 * the user's struct iommu_hwpt_selftest read as iommu_copy_struct_from_user
 * reads it (its length exactly the struct's: EINVAL; EFAULT).
 */
int emu_mock_nested_init(struct emu_ucmd *ucmd, const struct emu_hwpt *parent,
			 struct emu_hwpt *nested)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommu_hwpt_selftest cfg;
	unsigned int i;

	if (cmd->data_type != IOMMU_HWPT_DATA_SELFTEST ||
	    (cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID))
		return -EOPNOTSUPP;
	if (!emu_mock_profile(parent->iommu->profile))
		return -EINVAL;
	if (cmd->data_len != sizeof(cfg))
		return -EINVAL;
	if (emu_copy_from_user(ucmd->ictx->emu, &cfg,
			       emu_u64_to_user_ptr(cmd->data_uptr),
			       sizeof(cfg)))
		return -EFAULT;
	if (emu_should_fail(ucmd->ictx->emu))
		return -ENOMEM;
	for (i = 0; i < EMU_HWPT_IOTLB_NUM; i++)
		nested->iotlb[i] = cfg.iotlb;
	return 0;
}

/*
 * The mock's cache_invalidate_user: each entry read as
 * iommu_copy_struct_from_user_array reads it (entry_len exactly the
 * struct's: EINVAL; EFAULT), then unknown flags (EOPNOTSUPP) and the
 * IOTLB index (EINVAL); the first bad entry stops the walk.
 */
int emu_mock_invalidate(struct emu_ucmd *ucmd, struct emu_hwpt *hwpt,
			uint32_t *done)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct iommu_hwpt_invalidate_selftest inv;
	uint32_t i, j;
	int rc = 0;

	*done = 0;
	if (cmd->data_type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST)
		return -EINVAL;
	for (i = 0; i < cmd->entry_num; i++) {
		if (cmd->entry_len != sizeof(inv)) {
			rc = -EINVAL;
			break;
		}
		if (emu_copy_from_user(ucmd->ictx->emu, &inv,
				       emu_u64_to_user_ptr(
					       cmd->data_uptr +
					       (uint64_t)cmd->entry_len * i),
				       sizeof(inv))) {
			rc = -EFAULT;
			break;
		}
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			for (j = 0; j < EMU_HWPT_IOTLB_NUM; j++)
				hwpt->iotlb[j] = 0;
		} else {
			hwpt->iotlb[inv.iotlb_id] = 0;
		}
		(*done)++;
	}
	return rc;
}

int emu_mock_check_iotlb_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu_hwpt *hwpt;

	hwpt = (struct emu_hwpt *)emu_obj_get_user(ucmd->ictx, cmd->id,
						   EMU_OBJ_HWPT_NESTED);
	if (!hwpt)
		return -ENOENT;
	if (!emu_mock_profile(hwpt->iommu->profile))
		return -EINVAL;
	if (cmd->check_iotlb.id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX ||
	    hwpt->iotlb[cmd->check_iotlb.id] != cmd->check_iotlb.iotlb)
		return -EINVAL;
	return 0;
}

/*
 * TRIGGER_IOPF: the device reports a page request. It reaches a fault
 * queue only when the device is attached to a HWPT that has one (IOPF is
 * enabled on the device only then); either way the report's own result
 * is not returned, as iommu_report_device_fault's is not.
 */
int emu_mock_trigger_iopf_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu_fault f = { 0 };
	struct emu_idev *idev;

	idev = (struct emu_idev *)emu_obj_get_user(
		ucmd->ictx, cmd->trigger_iopf.dev_id, EMU_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	if (!idev->hwpt || !idev->hwpt->fault)
		return 0;
	f.idev = idev;
	f.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE;
	if (cmd->trigger_iopf.pasid != 0)
		f.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	f.pasid = cmd->trigger_iopf.pasid;
	f.grpid = cmd->trigger_iopf.grpid;
	f.perm = cmd->trigger_iopf.perm;
	f.addr = cmd->trigger_iopf.addr;
	emu_fault_queue_report(idev->hwpt->fault, &f);
	return 0;
}
