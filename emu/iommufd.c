// SPDX-License-Identifier: MIT
/*
 * The iommufd context: its lifetime (references from fds and bound
 * devices, leaves-first teardown) and the ioctl dispatcher.
 *
 * Dispatch has the kernel's shape (spec 1.3): one table entry per 6.12
 * ioctl naming the full command, the kernel struct size and the minimum
 * size (offsetofend of the last mandatory field, computed on the real uAPI
 * structs). The dispatcher checks the number, reads the size, rejects a
 * short one (EINVAL) or non-zero bytes past the kernel struct (E2BIG),
 * zero-extends a short-but-valid one and runs the handler on that kernel
 * copy. Handlers write back themselves (emu_ucmd_respond) because a few
 * answer even when they fail (IOVA_RANGES with EMSGSIZE).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include "device.h"
#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"
#include "machine.h"
#include "ucmd.h"
#include "util.h"

struct emu_obj_ops {
	void (*destroy)(struct emu_obj *obj);
};

static const struct emu_obj_ops emu_obj_ops[EMU_OBJ_TYPE_COUNT] = {
	[EMU_OBJ_IOAS] = { .destroy = emu_ioas_destroy },
	[EMU_OBJ_HWPT_PAGING] = { .destroy = emu_hwpt_destroy },
	[EMU_OBJ_DEVICE] = { .destroy = emu_idev_destroy },
};

int emu_ictx_create(struct emu *emu, struct emu_ictx **out)
{
	struct emu_ictx *ictx = calloc(1, sizeof(*ictx));

	if (!ictx)
		return -ENOMEM;
	ictx->emu = emu;
	ictx->refs = 1;
	emu_objtable_init(&ictx->objs, &emu->nr_objects);
	emu->nr_contexts++;
	*out = ictx;
	return 0;
}

void emu_ictx_get(struct emu_ictx *ictx)
{
	ictx->refs++;
}

void emu_ictx_obj_destroy(struct emu_ictx *ictx, struct emu_obj *obj)
{
	emu_obj_remove(&ictx->objs, obj);
	emu_obj_ops[obj->type].destroy(obj);
}

/*
 * Final release. No device is bound any more (each would hold a
 * reference), so every object is an IOAS or a HWPT held only by other
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
	emu->nr_contexts--;
	free(ictx);
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

	obj = emu_obj_find(&ucmd->ictx->objs, cmd->id, EMU_OBJ_ANY);
	if (!obj)
		return -ENOENT;
	if (obj->users != 1)
		return -EBUSY;
	emu_ictx_obj_destroy(ucmd->ictx, obj);
	return 0;
}

/* Table entries whose handler is not modelled yet: sizes still apply. */
static int emu_iommufd_unsupported_ioctl(struct emu_ucmd *ucmd)
{
	return -EOPNOTSUPP;
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
	EMU_IOCTL_OP(IOMMU_IOAS_ALLOW_IOVAS, emu_iommufd_unsupported_ioctl,
		     iommu_ioas_allow_iovas, allowed_iovas),
	EMU_IOCTL_OP(IOMMU_IOAS_COPY, emu_iommufd_unsupported_ioctl,
		     iommu_ioas_copy, src_iova),
	EMU_IOCTL_OP(IOMMU_IOAS_IOVA_RANGES, emu_ioas_iova_ranges_ioctl,
		     iommu_ioas_iova_ranges, out_iova_alignment),
	EMU_IOCTL_OP(IOMMU_IOAS_MAP, emu_ioas_map_ioctl,
		     iommu_ioas_map, iova),
	EMU_IOCTL_OP(IOMMU_IOAS_UNMAP, emu_ioas_unmap_ioctl,
		     iommu_ioas_unmap, length),
	EMU_IOCTL_OP(IOMMU_OPTION, emu_iommufd_unsupported_ioctl,
		     iommu_option, val64),
	EMU_IOCTL_OP(IOMMU_VFIO_IOAS, emu_iommufd_unsupported_ioctl,
		     iommu_vfio_ioas, __reserved),
	EMU_IOCTL_OP(IOMMU_HWPT_ALLOC, emu_iommufd_unsupported_ioctl,
		     iommu_hwpt_alloc, __reserved),
	EMU_IOCTL_OP(IOMMU_GET_HW_INFO, emu_iommufd_unsupported_ioctl,
		     iommu_hw_info, __reserved),
	EMU_IOCTL_OP(IOMMU_HWPT_SET_DIRTY_TRACKING,
		     emu_iommufd_unsupported_ioctl,
		     iommu_hwpt_set_dirty_tracking, __reserved),
	EMU_IOCTL_OP(IOMMU_HWPT_GET_DIRTY_BITMAP,
		     emu_iommufd_unsupported_ioctl,
		     iommu_hwpt_get_dirty_bitmap, data),
	EMU_IOCTL_OP(IOMMU_HWPT_INVALIDATE, emu_iommufd_unsupported_ioctl,
		     iommu_hwpt_invalidate, __reserved),
	EMU_IOCTL_OP(IOMMU_FAULT_QUEUE_ALLOC, emu_iommufd_unsupported_ioctl,
		     iommu_fault_alloc, out_fault_fd),
};

/*
 * Numbers below the iommufd range belong to the VFIO type-1 compat shim
 * (spec 2.16). It is not modelled yet: everything is ENOTTY, which the
 * spec allows for a cdev-only emulator only as a stop-gap.
 */
static int emu_iommufd_compat_ioctl(struct emu_ictx *ictx, unsigned int cmd,
				    void *arg)
{
	return -ENOTTY;
}

int emu_iommufd_ioctl(struct emu_ictx *ictx, unsigned int cmd, void *arg)
{
	const struct emu_iommufd_op *op;
	union emu_ucmd_buffer buf;
	struct emu_ucmd ucmd;
	unsigned int nr = _IOC_NR(cmd);
	uint32_t size;

	if (nr < IOMMUFD_CMD_BASE ||
	    nr - IOMMUFD_CMD_BASE >= EMU_ARRAY_SIZE(emu_iommufd_ops))
		return emu_iommufd_compat_ioctl(ictx, cmd, arg);
	/* The size is read before the command is checked, as the kernel does. */
	if (!arg)
		return -EFAULT;
	memcpy(&size, arg, sizeof(size));
	op = &emu_iommufd_ops[nr - IOMMUFD_CMD_BASE];
	if (op->cmd != cmd)
		return -ENOTTY;
	if (size < op->min_size)
		return -EINVAL;

	memset(&buf, 0, sizeof(buf));
	if (size > op->ksize) {
		const unsigned char *tail = (const unsigned char *)arg;
		uint32_t i;

		for (i = op->ksize; i < size; i++) {
			if (tail[i])
				return -E2BIG;
		}
		memcpy(&buf, arg, op->ksize);
	} else {
		memcpy(&buf, arg, size);
	}
	ucmd.ictx = ictx;
	ucmd.ubuffer = arg;
	ucmd.user_size = size;
	ucmd.cmd = &buf;
	return op->execute(&ucmd);
}
