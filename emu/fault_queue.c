// SPDX-License-Identifier: MIT
/*
 * Fault queues (fault_queue.h). Creation is reserve-then-publish like
 * every object; the fd is installed before publication, and if the
 * write-back then fails the fd is taken back out, so a failed call leaves
 * neither an id nor an fd behind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include "device.h"
#include "failnth.h"
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
	fq = emu_zalloc(emu, sizeof(*fq));
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
	emu_free(emu, fq);
	return rc;
}

static void emu_fault_list_free(struct emu *emu, struct emu_fault **list)
{
	struct emu_fault *f;

	while ((f = *list)) {
		*list = f->next;
		emu_free(emu, f);
	}
}

void emu_fault_queue_destroy(struct emu_obj *obj)
{
	struct emu_fault_queue *fq = (struct emu_fault_queue *)obj;
	struct emu *emu = fq->ictx->emu;

	emu_fault_list_free(emu, &fq->pending);
	emu_fault_list_free(emu, &fq->waiting);
	emu_free(emu, fq);
}

void emu_fault_queue_release(struct emu_fault_queue *fq)
{
	struct emu_ictx *ictx = fq->ictx;

	fq->obj.users--;
	emu_ictx_put(ictx);
}

int emu_fault_queue_report(struct emu_fault_queue *fq,
			   const struct emu_fault *f)
{
	struct emu_fault *nf = emu_zalloc(fq->ictx->emu, sizeof(*nf)), **tail;

	if (!nf)
		return -ENOMEM;
	*nf = *f;
	nf->next = NULL;
	nf->cookie = 0;
	for (tail = &fq->pending; *tail; tail = &(*tail)->next)
		;
	*tail = nf;
	return 0;
}

static void emu_fault_list_drop(struct emu *emu, struct emu_fault **list,
				const struct emu_idev *idev)
{
	struct emu_fault *f;

	while ((f = *list)) {
		if (f->idev != idev) {
			list = &f->next;
			continue;
		}
		*list = f->next;
		emu_free(emu, f);
	}
}

void emu_fault_queue_drop_device(struct emu_fault_queue *fq,
				 const struct emu_idev *idev)
{
	emu_fault_list_drop(fq->ictx->emu, &fq->pending, idev);
	emu_fault_list_drop(fq->ictx->emu, &fq->waiting, idev);
}

/* The lowest cookie from 1 no waiting fault has (XA_FLAGS_ALLOC1). */
static uint32_t emu_fault_cookie(const struct emu_fault_queue *fq)
{
	const struct emu_fault *f;
	uint32_t c = 1;

	for (;;) {
		for (f = fq->waiting; f && f->cookie != c; f = f->next)
			;
		if (!f)
			return c;
		c++;
	}
}

/*
 * Hand out whole faults while they fit (a fault does not split); each
 * moves to the waiting list with its cookie. A copy that fails puts the
 * fault back; the call fails only if nothing was read.
 */
ssize_t emu_fault_queue_read(struct emu_fault_queue *fq, void *buf,
			     size_t count, uint64_t pos)
{
	const size_t sz = sizeof(struct iommu_hwpt_pgfault);
	struct iommu_hwpt_pgfault rec;
	struct emu_fault *f;
	size_t done = 0;
	int rc = 0;

	if (pos || count % sz)
		return -ESPIPE;
	while ((f = fq->pending) && count - done >= sz) {
		/* The kernel allocates the cookie's slot here. */
		if (emu_should_fail(fq->ictx->emu)) {
			rc = -ENOMEM;
			break;
		}
		f->cookie = emu_fault_cookie(fq);
		memset(&rec, 0, sizeof(rec));
		rec.flags = f->flags;
		rec.dev_id = f->idev->obj.id;
		rec.pasid = f->pasid;
		rec.grpid = f->grpid;
		rec.perm = f->perm;
		rec.addr = f->addr;
		rec.cookie = f->cookie;
		if (emu_copy_to_user(fq->ictx->emu, (uint8_t *)buf + done,
				     &rec, sz)) {
			f->cookie = 0;
			rc = -EFAULT;
			break;
		}
		fq->pending = f->next;
		f->next = fq->waiting;
		fq->waiting = f;
		done += sz;
	}
	return done ? (ssize_t)done : rc;
}

/*
 * Each response is read and its code checked before its cookie is looked
 * up; the first bad one stops the call, which fails only if it was the
 * first.
 */
ssize_t emu_fault_queue_write(struct emu_fault_queue *fq, const void *buf,
			      size_t count, uint64_t pos)
{
	const size_t sz = sizeof(struct iommu_hwpt_page_response);
	struct iommu_hwpt_page_response resp;
	struct emu_fault **pp, *f;
	size_t done = 0;
	int rc = 0;

	if (pos || count % sz)
		return -ESPIPE;
	while (count > done) {
		if (emu_copy_from_user(fq->ictx->emu, &resp,
				       (const uint8_t *)buf + done, sz)) {
			rc = -EFAULT;
			break;
		}
		if (resp.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    resp.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		for (pp = &fq->waiting; *pp && (*pp)->cookie != resp.cookie;
		     pp = &(*pp)->next)
			;
		if (!(f = *pp)) {
			rc = -EINVAL;
			break;
		}
		*pp = f->next;
		emu_free(fq->ictx->emu, f);
		done += sz;
	}
	return done ? (ssize_t)done : rc;
}
