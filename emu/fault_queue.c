// SPDX-License-Identifier: MIT
/*
 * Fault queues (fault_queue.h). Creation is reserve-then-publish like
 * every object; the fd is installed before publication, and if the
 * write-back then fails the fd is taken back out, so a failed call leaves
 * neither an id nor an fd behind.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/iommufd.h>

#include "fault_queue.h"
#include "iommufd.h"
#include "machine.h"
#include "ucmd.h"

int emu_fault_queue_alloc_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct emu_ictx *ictx = ucmd->ictx;
	struct emu *emu = ictx->emu;
	struct emu_fault_queue *fq;
	struct emu_file *file;
	int fd, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	fq = calloc(1, sizeof(*fq));
	if (!fq)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &fq->obj, EMU_OBJ_FAULT);
	if (rc)
		goto err_free_fq;
	fq->ictx = ictx;
	file = emu_file_alloc(emu, EMU_FILE_FAULT);
	if (!file) {
		rc = -ENOMEM;
		goto err_abort_id;
	}
	fd = emu_fd_install(emu, file);
	if (fd < 0) {
		rc = fd;
		goto err_free_file;
	}
	cmd->out_fault_id = fq->obj.id;
	cmd->out_fault_fd = fd;
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_remove_fd;
	/* Only now can nothing fail: the fd takes its holds. */
	file->fq = fq;
	fq->obj.users++;
	emu_ictx_get(ictx);
	emu_obj_publish(&ictx->objs, &fq->obj);
	return 0;

err_remove_fd:
	emu_fd_remove(emu, fd);
err_free_file:
	emu_file_free(emu, file);
err_abort_id:
	emu_obj_abort(&ictx->objs, &fq->obj);
err_free_fq:
	free(fq);
	return rc;
}

void emu_fault_queue_destroy(struct emu_obj *obj)
{
	free(obj);
}

void emu_fault_queue_release(struct emu_fault_queue *fq)
{
	struct emu_ictx *ictx = fq->ictx;

	fq->obj.users--;
	emu_ictx_put(ictx);
}

ssize_t emu_fault_queue_read(struct emu_fault_queue *fq, void *buf,
			     size_t count, uint64_t pos)
{
	if (pos || count % sizeof(struct iommu_hwpt_pgfault))
		return -ESPIPE;
	return 0;
}

/*
 * Each response is read and its code checked before its cookie is looked
 * up; no fault is ever pending, so the first well-formed response fails
 * with EINVAL (unknown cookie).
 */
ssize_t emu_fault_queue_write(struct emu_fault_queue *fq, const void *buf,
			      size_t count, uint64_t pos)
{
	struct iommu_hwpt_page_response resp;

	if (pos || count % sizeof(resp))
		return -ESPIPE;
	if (!count)
		return 0;
	if (emu_copy_from_user(fq->ictx->emu, &resp, buf, sizeof(resp)))
		return -EFAULT;
	if (resp.code != IOMMUFD_PAGE_RESP_SUCCESS &&
	    resp.code != IOMMUFD_PAGE_RESP_INVALID)
		return -EINVAL;
	return -EINVAL;
}
