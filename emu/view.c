// SPDX-License-Identifier: MIT
/*
 * Read-only views of the model for invariant checks (emu.h): the areas of
 * an IOAS, the objects of a context, where a device stands and the kvm-vfio
 * registrations. They never change state and never count as host calls.
 */
#include <errno.h>

#include "device.h"
#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"
#include "kvm.h"
#include "machine.h"
#include "obj.h"
#include "vfio.h"

int emu_ioas_for_each_area(const struct emu *emu, int fd, uint32_t ioas_id,
			   emu_area_cb cb, void *arg)
{
	const struct emu_file *file = emu_fd_get(emu, fd);
	const struct emu_area *a;
	struct emu_ioas *ioas;
	int rc;

	if (!file || file->kind != EMU_FILE_IOMMUFD)
		return -EBADF;
	ioas = emu_ioas_find(file->ictx, ioas_id);
	if (!ioas)
		return -ENOENT;
	for (a = emu_area_first(&ioas->areas); a;
	     a = emu_area_next(&ioas->areas, a)) {
		rc = cb(arg, a->iova, a->last - a->iova + 1, a->user_va,
			a->writeable);
		if (rc)
			return rc;
	}
	return 0;
}

int emu_ictx_for_each_object(const struct emu *emu, int fd, emu_object_cb cb,
			     void *arg)
{
	static const char *const types[EMU_OBJ_TYPE_COUNT] = {
		[EMU_OBJ_IOAS] = "ioas",
		[EMU_OBJ_HWPT_PAGING] = "hwpt",
		[EMU_OBJ_DEVICE] = "device",
		[EMU_OBJ_FAULT] = "fault",
	};
	const struct emu_file *file = emu_fd_get(emu, fd);
	const struct emu_objtable *t;
	uint32_t i;
	int rc;

	if (!file || file->kind != EMU_FILE_IOMMUFD)
		return -EBADF;
	t = &file->ictx->objs;
	for (i = 0; i < t->nr_slots; i++) {
		const struct emu_obj *obj = t->slots[i];

		if (!obj || !obj->published)
			continue;
		rc = cb(arg, obj->id, types[obj->type] ? types[obj->type] :
			"?");
		if (rc)
			return rc;
	}
	return 0;
}

int emu_device_state(const struct emu *emu, int fd, uint32_t *devid,
		     uint32_t *hwpt_id, uint32_t *ioas_id)
{
	const struct emu_file *file = emu_fd_get(emu, fd);
	const struct emu_idev *idev;
	const struct emu_hwpt *hwpt = NULL;

	if (!file || file->kind != EMU_FILE_VFIO)
		return -EBADF;
	idev = file->vfio->idev;
	if (idev)
		hwpt = idev->hwpt;
	if (devid)
		*devid = idev ? idev->obj.id : 0;
	if (hwpt_id)
		*hwpt_id = hwpt ? hwpt->obj.id : 0;
	if (ioas_id)
		*ioas_id = hwpt ? hwpt->ioas->obj.id : 0;
	return 0;
}

int emu_kvm_vfio_has(const struct emu *emu, int kvm_dev_fd, int vfio_fd)
{
	const struct emu_file *kf = emu_fd_get(emu, kvm_dev_fd);
	const struct emu_file *vf = emu_fd_get(emu, vfio_fd);
	unsigned int i;

	if (!kf || kf->kind != EMU_FILE_KVM_DEV || !vf)
		return -EBADF;
	for (i = 0; i < kf->kdev->nr_files; i++) {
		if (kf->kdev->files[i] == vf)
			return 1;
	}
	return 0;
}
