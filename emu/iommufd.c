// SPDX-License-Identifier: MIT
/*
 * The iommufd context: its lifetime (references from fds and bound
 * devices, leaves-first teardown), IOMMU_DESTROY, IOMMU_OPTION's global
 * RLIMIT_MODE and the ioctl dispatcher.
 *
 * Dispatch has the kernel's shape (spec 1.3): one table entry per 6.12
 * ioctl naming the full command, the kernel struct size and the minimum
 * size (offsetofend of the last mandatory field, computed on the real uAPI
 * structs). The dispatcher reads the size (EFAULT), checks the number
 * (ENOTTY), rejects a short size (EINVAL) or non-zero bytes past the
 * kernel struct (E2BIG), zero-extends a short-but-valid one and runs the
 * handler on that kernel copy. Handlers write back themselves
 * (emu_ucmd_respond) because a few answer even when they fail
 * (IOVA_RANGES with EMSGSIZE, HWPT_INVALIDATE).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include "access.h"
#include "device.h"
#include "failnth.h"
#include "fault_queue.h"
#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"
#include "machine.h"
#include "mock/mock.h"
#include "ucmd.h"
#include "util.h"

struct emu_obj_ops {
	void (*destroy)(struct emu_obj *obj);
};

static const struct emu_obj_ops emu_obj_ops[EMU_OBJ_TYPE_COUNT] = {
	[EMU_OBJ_IOAS] = { .destroy = emu_ioas_destroy },
	[EMU_OBJ_HWPT_PAGING] = { .destroy = emu_hwpt_destroy },
	[EMU_OBJ_DEVICE] = { .destroy = emu_idev_destroy },
	[EMU_OBJ_FAULT] = { .destroy = emu_fault_queue_destroy },
	[EMU_OBJ_HWPT_NESTED] = { .destroy = emu_hwpt_nested_destroy },
	[EMU_OBJ_ACCESS] = { .destroy = emu_access_destroy_obj },
#ifdef IOFD_EMU_MOCK
	[EMU_OBJ_SELFTEST] = { .destroy = emu_mock_selftest_destroy },
#endif
};

int emu_ictx_create(struct emu *emu, struct emu_ictx **out)
{
	struct emu_ictx *ictx = emu_zalloc(emu, sizeof(*ictx));

	if (!ictx)
		return -ENOMEM;
	ictx->emu = emu;
	ictx->refs = 1;
	emu_objtable_init(&ictx->objs, &emu->nr_objects, emu->heap);
	ictx->next = emu->contexts;
	if (emu->contexts)
		emu->contexts->prev = ictx;
	emu->contexts = ictx;
	emu->nr_contexts++;
	*out = ictx;
	return 0;
}

void emu_ictx_get(struct emu_ictx *ictx)
{
	ictx->refs++;
}

struct emu_obj *emu_obj_get_user(struct emu_ictx *ictx, uint32_t id,
				 enum emu_obj_type type)
{
	if (emu_should_fail(ictx->emu))
		return NULL;
	return emu_obj_find(&ictx->objs, id, type);
}

void emu_ictx_obj_destroy(struct emu_ictx *ictx, struct emu_obj *obj)
{
	emu_obj_remove(&ictx->objs, obj);
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
	emu_obj_ops[obj->type].destroy(obj);
}

/*
 * Final release. No device is bound and no fault fd is open any more
 * (each would hold a reference), so every object is held only by other
 * objects; sweeping for users == 1 frees children before their parents.
 */
static void emu_ictx_release(struct emu_ictx *ictx)
{
	struct emu *emu = ictx->emu;
	bool progress = true;

	while (progress) {
		struct emu_obj *obj;
		uint32_t id = 1;

		progress = false;
		while ((obj = emu_obj_next(&ictx->objs, id))) {
			id = obj->id + 1;
			if (obj->users != 1)
				continue;
			emu_ictx_obj_destroy(ictx, obj);
			progress = true;
		}
	}
	emu_objtable_fini(&ictx->objs);
	if (ictx->prev)
		ictx->prev->next = ictx->next;
	else
		emu->contexts = ictx->next;
	if (ictx->next)
		ictx->next->prev = ictx->prev;
	emu->nr_contexts--;
	emu_free(emu, ictx);
}

void emu_ictx_put(struct emu_ictx *ictx)
{
	if (--ictx->refs == 0)
		emu_ictx_release(ictx);
}

/* IOMMU_DESTROY (spec 2.1). */
static int emu_iommufd_destroy_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;
	struct emu_obj *obj;

	obj = emu_obj_get_user(ucmd->ictx, cmd->id, EMU_OBJ_ANY);
	if (!obj)
		return -ENOENT;
	if (obj->users != 1)
		return -EBUSY;
	emu_ictx_obj_destroy(ucmd->ictx, obj);
	return 0;
}

/* RLIMIT_MODE (spec 2.8 steps 3-8): global to the context. */
static int emu_iommufd_option_rlimit(struct emu_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct emu_ictx *ictx = ucmd->ictx;

	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->acct_mm ? 1 : 0;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!ictx->emu->creds.cap_sys_resource)
		return -EPERM;
	if (ictx->objs.nr_used)
		return -EBUSY;
	if (cmd->val64 > 1)
		return -EINVAL;
	ictx->acct_mm = cmd->val64 == 1;
	return 0;
}

/*
 * IOMMU_OPTION (spec 2.8). Only val64 is written back, and also after a
 * SET.
 */
static int emu_iommufd_option_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = emu_iommufd_option_rlimit(ucmd);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = emu_ioas_option_huge_pages(ucmd);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	return emu_copy_to_user(ucmd->ictx->emu,
				(uint8_t *)ucmd->ubuffer +
				offsetof(struct iommu_option, val64),
				&cmd->val64, sizeof(cmd->val64));
}

/* The kernel copy of any command: large enough for every table entry. */
union emu_ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy ioas_copy;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_unmap unmap;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_set_dirty_tracking set_dirty;
	struct iommu_hwpt_get_dirty_bitmap get_dirty;
	struct iommu_hwpt_invalidate invalidate;
	struct iommu_fault_alloc fault_alloc;
#ifdef IOFD_EMU_MOCK
	struct iommu_test_cmd test;
#endif
};

struct emu_iommufd_op {
	unsigned int cmd;	/* 0: empty slot */
	uint32_t min_size;
	uint32_t ksize;
	int (*execute)(struct emu_ucmd *ucmd);
};

#define EMU_IOCTL_OP(_ioctl, _fn, _struct, _last)                          \
	[_IOC_NR(_ioctl) - IOMMUFD_CMD_BASE] = {                           \
		.cmd = _ioctl,                                             \
		.min_size = emu_offsetofend(struct _struct, _last),        \
		.ksize = sizeof(struct _struct),                           \
		.execute = _fn,                                            \
	}

static const struct emu_iommufd_op emu_iommufd_ops[] = {
	EMU_IOCTL_OP(IOMMU_DESTROY, emu_iommufd_destroy_ioctl,
		     iommu_destroy, id),
	EMU_IOCTL_OP(IOMMU_IOAS_ALLOC, emu_ioas_alloc_ioctl,
		     iommu_ioas_alloc, out_ioas_id),
	EMU_IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, emu_ioas_allow_iovas_ioctl,
		     iommu_ioas_allow_iovas, allowed_iovas),
	EMU_IOCTL_OP(IOMMU_IOAS_COPY, emu_ioas_copy_ioctl,
		     iommu_ioas_copy, src_iova),
	EMU_IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, emu_ioas_iova_ranges_ioctl,
		     iommu_ioas_iova_ranges, out_iova_alignment),
	EMU_IOCTL_OP(IOMMU_IOAS_MAP, emu_ioas_map_ioctl,
		     iommu_ioas_map, iova),
	EMU_IOCTL_OP(IOMMU_IOAS_UNMAP, emu_ioas_unmap_ioctl,
		     iommu_ioas_unmap, length),
	EMU_IOCTL_OP(IOMMU_OPTION, emu_iommufd_option_ioctl,
		     iommu_option, val64),
	EMU_IOCTL_OP(IOMMU_VFIO_IOAS, emu_ioas_vfio_ioas_ioctl,
		     iommu_vfio_ioas, __reserved),
	EMU_IOCTL_OP(IOMMU_HWPT_ALLOC, emu_hwpt_alloc_ioctl,
		     iommu_hwpt_alloc, __reserved),
	EMU_IOCTL_OP(IOMMU_GET_HW_INFO, emu_hw_info_ioctl,
		     iommu_hw_info, __reserved),
	EMU_IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING,
		     emu_hwpt_set_dirty_tracking_ioctl,
		     iommu_hwpt_set_dirty_tracking, __reserved),
	EMU_IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP,
		     emu_hwpt_get_dirty_bitmap_ioctl,
		     iommu_hwpt_get_dirty_bitmap, data),
	EMU_IOCTL_OP(IOMMU_HWPT_INVALIDATE, emu_hwpt_invalidate_ioctl,
		     iommu_hwpt_invalidate, __reserved),
	EMU_IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, emu_fault_queue_alloc_ioctl,
		     iommu_fault_alloc, out_fault_fd),
#ifdef IOFD_EMU_MOCK
	EMU_IOCTL_OP(IOMMU_TEST_CMD, emu_mock_test_cmd, iommu_test_cmd, last),
#endif
};

/*
 * copy_struct_from_user: every byte in [ksize, size) must be zero
 * (E2BIG otherwise, EFAULT if unreadable), then min(size, ksize) bytes
 * are copied and the rest of the kernel copy stays zero.
 */
static int emu_iommufd_copy_struct(struct emu *emu, void *kbuf, size_t ksize,
				   const void *arg, uint32_t size)
{
	const uint8_t *tail = (const uint8_t *)arg + ksize;
	uint8_t chunk[64];
	size_t left, n, i;
	int rc;

	if (size > ksize) {
		for (left = size - ksize; left; left -= n, tail += n) {
			n = left < sizeof(chunk) ? left : sizeof(chunk);
			rc = emu_copy_from_user(emu, chunk, tail, n);
			if (rc)
				return rc;
			for (i = 0; i < n; i++) {
				if (chunk[i])
					return -E2BIG;
			}
		}
	}
	return emu_copy_from_user(emu, kbuf, arg, size < ksize ? size : ksize);
}

int emu_iommufd_ioctl(struct emu_ictx *ictx, unsigned int cmd, void *arg)
{
	const struct emu_iommufd_op *op;
	union emu_ucmd_buffer buf;
	struct emu_ucmd ucmd;
	unsigned int nr = _IOC_NR(cmd);
	uint32_t size;
	int rc;

	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= EMU_ARRAY_SIZE(emu_iommufd_ops))
		return emu_iommufd_compat_ioctl(ictx, cmd, arg);
	/* The size is read before the command is checked, as the kernel does. */
	rc = emu_copy_from_user(ictx->emu, &size, arg, sizeof(size));
	if (rc)
		return rc;
	op = &emu_iommufd_ops[nr - IOMMUFD_CMD_BASE];
	if (op->cmd != cmd)
		return -ENOTTY;
	if (size < op->min_size)
		return -EINVAL;

	memset(&buf, 0, sizeof(buf));
	rc = emu_iommufd_copy_struct(ictx->emu, &buf, op->ksize, arg, size);
	if (rc)
		return rc;
	ucmd.ictx = ictx;
	ucmd.ubuffer = arg;
	ucmd.user_size = size;
	ucmd.cmd = &buf;
	/* The context must outlive a handler that drops other references. */
	emu_ictx_get(ictx);
	rc = op->execute(&ucmd);
	emu_ictx_put(ictx);
	return rc;
}
