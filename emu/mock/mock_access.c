// SPDX-License-Identifier: MIT
/*
 * The selftest's access files (selftest.c's selftest_access):
 * CREATE_ACCESS makes an ACCESS object (access.h) driven by a file whose
 * fd is returned; ACCESS_PAGES pins a range and keeps it as a numbered
 * item, DESTROY_ACCESS_PAGES unpins one, ACCESS_RW reads or writes through
 * the access, ACCESS_REPLACE_IOAS moves it. The other ops name the access
 * by that fd (in the model's numbering: the preload shim translates).
 *
 * The access's unmap callback unpins every item an unmap reaches, so an
 * IOAS unmap over pinned pages succeeds and the items are gone; closing
 * the fd unpins everything and destroys the access.
 */
#include <errno.h>
#include <stdlib.h>

#include "../access.h"
#include "../area.h"
#include "../failnth.h"
#include "../ioas.h"
#include "../iommufd.h"
#include "../mm.h"
#include "../pages.h"
#include "../ucmd.h"
#include "../util.h"
#include "mock_internal.h"

/* The kernel refuses larger buffers before allocating them. */
#define EMU_MOCK_ACCESS_MAX (16ULL * 1024 * 1024)

static void emu_mock_access_unmap(void *data, uint64_t iova, uint64_t length)
{
	struct emu_mock_access *sa = data;
	struct emu_mock_access_item **pp = &sa->items, *item;
	uint64_t last = iova + length - 1;

	if (last < iova)
		last = UINT64_MAX;
	while ((item = *pp)) {
		if (iova > item->iova + item->length - 1 ||
		    last < item->iova) {
			pp = &item->next;
			continue;
		}
		*pp = item->next;
		emu_access_unpin_pages(sa->access, item->iova, item->length);
		emu_free(sa->emu, item);
	}
}

static const struct emu_access_ops emu_mock_access_ops_pin = {
	.needs_pin_pages = true,
	.unmap = emu_mock_access_unmap,
};

static const struct emu_access_ops emu_mock_access_ops = {
	.unmap = emu_mock_access_unmap,
};

void emu_mock_access_release(struct emu_mock_access *sa)
{
	if (sa->access) {
		emu_mock_access_unmap(sa, 0, UINT64_MAX);
		emu_access_destroy(sa->access);
	}
	emu_free(sa->emu, sa);
}

/* The access behind fd @fd: -EBADFD when it is not an access file. */
static int emu_mock_access_get(struct emu_ucmd *ucmd, uint32_t fd,
			       struct emu_mock_access **out)
{
	struct emu_file *file = emu_fd_get(ucmd->ictx->emu, (int)fd);

	if (!file || file->kind != EMU_FILE_MOCK_ACCESS)
		return -EBADFD;
	*out = file->staccess;
	return 0;
}

int emu_mock_create_access_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu_ictx *ictx = ucmd->ictx;
	struct emu *emu = ictx->emu;
	struct emu_mock_access *sa;
	struct emu_access *access;
	struct emu_file *file;
	int fd, rc;

	if (cmd->create_access.flags &
	    ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	sa = emu_zalloc(emu, sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	sa->emu = emu;
	file = emu_file_alloc(emu, EMU_FILE_MOCK_ACCESS);
	if (!file) {
		emu_free(emu, sa);
		return -ENOMEM;
	}
	file->staccess = sa;
	fd = emu_fd_install(emu, file);
	if (fd < 0) {
		rc = -ENOMEM;
		goto err_put_file;
	}
	rc = emu_access_create(ictx,
			       (cmd->create_access.flags &
				MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES) ?
			       &emu_mock_access_ops_pin : &emu_mock_access_ops,
			       sa, &access);
	if (rc)
		goto err_remove_fd;
	rc = emu_access_attach(access, cmd->id);
	if (rc)
		goto err_destroy_access;
	cmd->create_access.out_access_fd = (uint32_t)fd;
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_destroy_access;
	sa->access = access;
	return 0;

err_destroy_access:
	emu_access_destroy(access);
err_remove_fd:
	emu_fd_remove(emu, fd);
err_put_file:
	emu_file_put(emu, file);
	return rc;
}

/* syzkaller's IOVA: the offset into the nth area of @ioas, or 0. */
static uint64_t emu_mock_syz_iova(const struct emu_ioas *ioas, uint64_t iova)
{
	uint32_t nth = (uint32_t)iova, offset = (uint32_t)(iova >> 32);
	const struct emu_area *a;

	if (!ioas)
		return 0;
	for (a = emu_area_first(&ioas->areas); a;
	     a = emu_area_next(&ioas->areas, a)) {
		if (!nth--)
			return a->iova + offset;
	}
	return 0;
}

/*
 * The pinned pages must be the pages under uptr (offset like iova in its
 * page): the user VA each IOVA page maps must be uptr's, and mapped.
 */
static int emu_mock_access_check_pages(struct emu_mock_access *sa,
				       uint64_t iova, uint64_t length,
				       uint64_t uptr)
{
	const struct emu_ioas *ioas = sa->access->ioas;
	uint64_t at = iova & ~(EMU_PAGE_SIZE - 1);
	uint64_t end = iova + length, user = uptr - (iova - at);
	const struct emu_area *a;
	struct emu_mm mm;
	int rc;

	rc = emu_mm_load(sa->emu, &mm);
	if (rc)
		return rc;
	for (; at < end; at += EMU_PAGE_SIZE, user += EMU_PAGE_SIZE) {
		rc = emu_mm_check(&mm, user, EMU_PAGE_SIZE, false);
		if (rc)
			break;
		a = emu_area_first_hit(&ioas->areas, at, at);
		if (!a || a->pages->owner != emu_current_pid(sa->emu) ||
		    (a->user_va + (at - a->iova)) / EMU_PAGE_SIZE !=
		    user / EMU_PAGE_SIZE) {
			rc = -EBADE;
			break;
		}
	}
	emu_mm_fini(&mm);
	return rc;
}

int emu_mock_access_pages_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu *emu = ucmd->ictx->emu;
	uint64_t iova = cmd->access_pages.iova;
	uint64_t length = cmd->access_pages.length;
	uint32_t flags = cmd->access_pages.flags;
	struct emu_mock_access_item *item;
	struct emu_mock_access *sa;
	int rc;

	if (length > EMU_MOCK_ACCESS_MAX)
		return -ENOMEM;
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	rc = emu_mock_access_get(ucmd, cmd->id, &sa);
	if (rc)
		return rc;
	if (sa->access->ops != &emu_mock_access_ops_pin)
		return -EOPNOTSUPP;
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = emu_mock_syz_iova(sa->access->ioas, iova);
	/* The kernel's array of page pointers for the pin. */
	if (emu_should_fail(emu))
		return -ENOMEM;
	rc = emu_access_pin_pages(sa->access, iova, length,
				  flags & MOCK_FLAGS_ACCESS_WRITE);
	if (rc)
		return rc;
	/* For syzkaller a NULL uptr skips the check. */
	if (cmd->access_pages.uptr) {
		rc = emu_mock_access_check_pages(sa, iova, length,
						 cmd->access_pages.uptr);
		if (rc)
			goto err_unpin;
	}
	item = emu_zalloc(emu, sizeof(*item));
	if (!item) {
		rc = -ENOMEM;
		goto err_unpin;
	}
	item->iova = iova;
	item->length = length;
	item->id = sa->next_id++;
	cmd->access_pages.out_access_pages_id = item->id;
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		emu_free(emu, item);
		goto err_unpin;
	}
	item->next = sa->items;
	sa->items = item;
	return 0;

err_unpin:
	emu_access_unpin_pages(sa->access, iova, length);
	return rc;
}

int emu_mock_destroy_access_pages_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu_mock_access_item **pp, *item;
	struct emu_mock_access *sa;
	int rc;

	rc = emu_mock_access_get(ucmd, cmd->id, &sa);
	if (rc)
		return rc;
	for (pp = &sa->items; (item = *pp); pp = &item->next) {
		if (item->id != cmd->destroy_access_pages.access_pages_id)
			continue;
		*pp = item->next;
		emu_access_unpin_pages(sa->access, item->iova, item->length);
		emu_free(sa->emu, item);
		return 0;
	}
	return -ENOENT;
}

int emu_mock_access_rw_cmd(struct emu_ucmd *ucmd)
{
	const uint32_t known = MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH |
			       MOCK_FLAGS_ACCESS_SYZ;
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu *emu = ucmd->ictx->emu;
	uint64_t iova = cmd->access_rw.iova, length = cmd->access_rw.length;
	void *ubuf = emu_u64_to_user_ptr(cmd->access_rw.uptr);
	uint32_t flags = cmd->access_rw.flags;
	struct emu_mock_access *sa;
	uint8_t *tmp;
	int rc;

	if (length > EMU_MOCK_ACCESS_MAX)
		return -ENOMEM;
	if (flags & ~known)
		return -EOPNOTSUPP;
	rc = emu_mock_access_get(ucmd, cmd->id, &sa);
	if (rc)
		return rc;
	tmp = emu_zalloc(emu, length ? length : 1);
	if (!tmp)
		return -ENOMEM;
	if (flags & MOCK_ACCESS_RW_WRITE) {
		rc = emu_copy_from_user(emu, tmp, ubuf, length);
		if (rc)
			goto out_free_tmp;
	}
	if (flags & MOCK_FLAGS_ACCESS_SYZ)
		iova = emu_mock_syz_iova(sa->access->ioas, iova);
	rc = emu_access_rw(sa->access, iova, tmp, length,
			   flags & (EMU_ACCESS_RW_WRITE |
				    EMU_ACCESS_RW_SLOW_PATH));
	if (rc)
		goto out_free_tmp;
	if (!(flags & MOCK_ACCESS_RW_WRITE))
		rc = emu_copy_to_user(emu, ubuf, tmp, length);
out_free_tmp:
	emu_free(emu, tmp);
	return rc;
}

int emu_mock_access_replace_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu_mock_access *sa;
	int rc;

	rc = emu_mock_access_get(ucmd, cmd->id, &sa);
	if (rc)
		return rc;
	return emu_access_replace(sa->access, cmd->access_replace_ioas.ioas_id);
}
