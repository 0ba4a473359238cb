// SPDX-License-Identifier: MIT
/*
 * ACCESS objects (access.h), after drivers/iommu/iommufd/device.c's
 * iommufd_access_* and pages.c's access paths.
 *
 * Ranges are walked as the kernel's "contiguous areas" iterator: from the
 * area holding the first IOVA, each next area must start right after the
 * previous one ends, until one reaches the last IOVA; a gap or a missing
 * first area is ENOENT, found after the areas before it were handled, so
 * a failing pin undoes the pins it took.
 */
#include <errno.h>
#include <stdlib.h>

#include "access.h"
#include "area.h"
#include "failnth.h"
#include "ioas.h"
#include "iommufd.h"
#include "machine.h"
#include "mm.h"
#include "pages.h"
#include "uaccess.h"
#include "util.h"

int emu_access_create(struct emu_ictx *ictx, const struct emu_access_ops *ops,
		      void *data, struct emu_access **out)
{
	struct emu_access *access = emu_zalloc(ictx->emu, sizeof(*access));
	int rc;

	if (!access)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &access->obj, EMU_OBJ_ACCESS);
	if (rc)
		goto err_free_access;
	access->ictx = ictx;
	access->ops = ops;
	access->data = data;
	access->iova_alignment = ops->needs_pin_pages ? EMU_PAGE_SIZE : 1;
	access->obj.users++;	/* the driver's, until emu_access_destroy */
	emu_ictx_get(ictx);
	emu_obj_publish(&ictx->objs, &access->obj);
	*out = access;
	return 0;

err_free_access:
	emu_free(ictx->emu, access);
	return rc;
}

/* Leave the IOAS: the driver drops every pin first. */
static void emu_access_leave(struct emu_access *access)
{
	struct emu_ioas *ioas = access->ioas;

	if (access->ops->unmap)
		access->ops->unmap(access->data, 0, UINT64_MAX);
	emu_ioas_access_remove(ioas, access);
	access->ioas = NULL;
}

void emu_access_destroy_obj(struct emu_obj *obj)
{
	struct emu_access *access = (struct emu_access *)obj;
	struct emu_ictx *ictx = access->ictx;

	if (access->ioas)
		emu_access_leave(access);
	emu_free(ictx->emu, access);
	emu_ictx_put(ictx);
}

void emu_access_destroy(struct emu_access *access)
{
	access->obj.users--;
	emu_ictx_obj_destroy(access->ictx, &access->obj);
}

static int emu_access_change_ioas(struct emu_access *access, uint32_t ioas_id)
{
	struct emu_ioas *ioas, *old = access->ioas;
	int rc;

	ioas = emu_ioas_get_user(access->ictx, ioas_id);
	if (!ioas)
		return -ENOENT;
	if (ioas == old)
		return 0;
	rc = emu_ioas_access_check(ioas, access);
	if (rc)
		return rc;
	/* Nothing can fail from here: the old IOAS goes, the new one comes. */
	if (old)
		emu_access_leave(access);
	emu_ioas_access_link(ioas, access);
	access->ioas = ioas;
	return 0;
}

int emu_access_attach(struct emu_access *access, uint32_t ioas_id)
{
	if (access->ioas)
		return -EINVAL;
	return emu_access_change_ioas(access, ioas_id);
}

int emu_access_replace(struct emu_access *access, uint32_t ioas_id)
{
	if (!access->ioas)
		return -ENOENT;
	return emu_access_change_ioas(access, ioas_id);
}

/* The kernel's iopt_area_contig iterator over [iova, last]. */
struct emu_contig_iter {
	const struct emu_area_store *areas;
	struct emu_area *area;
	uint64_t cur;		/* first IOVA of the range inside area */
	uint64_t last;
};

static struct emu_area *emu_contig_first(struct emu_contig_iter *it,
					 const struct emu_ioas *ioas,
					 uint64_t iova, uint64_t last)
{
	it->areas = &ioas->areas;
	it->cur = iova;
	it->last = last;
	it->area = emu_area_first_hit(it->areas, iova, iova);
	return it->area;
}

static struct emu_area *emu_contig_next(struct emu_contig_iter *it)
{
	if (!it->area || it->last <= it->area->last)
		return NULL;
	it->cur = it->area->last + 1;
	it->area = emu_area_next(it->areas, it->area);
	if (it->area && it->area->iova != it->cur)
		it->area = NULL;
	return it->area;
}

/* Whether the walk reached @last without a gap (after the loop). */
static bool emu_contig_done(const struct emu_contig_iter *it)
{
	return it->area && it->last <= it->area->last;
}

/* The user VA of @iova inside @a. */
static uint64_t emu_area_va(const struct emu_area *a, uint64_t iova)
{
	return a->user_va + (iova - a->iova);
}

/* The page numbers [*first, *last] of [cur, min(last, area end)]. */
static void emu_contig_pages(const struct emu_contig_iter *it,
			     uint64_t *first, uint64_t *last)
{
	uint64_t end = it->last < it->area->last ? it->last : it->area->last;

	*first = emu_area_va(it->area, it->cur) / EMU_PAGE_SIZE;
	*last = emu_area_va(it->area, end) / EMU_PAGE_SIZE;
}

/* Drop the pins of [iova, last] (which the caller pinned). */
static void emu_access_unpin_span(struct emu_access *access, uint64_t iova,
				  uint64_t last)
{
	struct emu *emu = access->ictx->emu;
	struct emu_contig_iter it;
	struct emu_area *a;
	uint64_t first_pg, last_pg;

	for (a = emu_contig_first(&it, access->ioas, iova, last); a;
	     a = emu_contig_next(&it)) {
		emu_contig_pages(&it, &first_pg, &last_pg);
		emu_pages_access_remove(emu, a->pages, first_pg, last_pg);
		a->num_accesses--;
	}
}

/*
 * A pinned range must start on a page and, where it goes on into the next
 * area, end its part of this one on a page boundary: pins are pages.
 */
static bool emu_contig_aligned(const struct emu_contig_iter *it)
{
	if (emu_area_va(it->area, it->cur) % EMU_PAGE_SIZE)
		return false;
	if (!emu_contig_done(it) &&
	    emu_area_va(it->area, it->area->last) % EMU_PAGE_SIZE !=
	    EMU_PAGE_SIZE - 1)
		return false;
	return true;
}

/* The checks every range op starts with; *@last gets the range's end. */
static int emu_access_range(const struct emu_access *access, uint64_t iova,
			    uint64_t length, uint64_t *last)
{
	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, last))
		return -EOVERFLOW;
	if (!access->ioas)
		return -ENOENT;
	return 0;
}

int emu_access_pin_pages(struct emu_access *access, uint64_t iova,
			 uint64_t length, bool write)
{
	struct emu *emu = access->ictx->emu;
	struct emu_contig_iter it;
	uint64_t last, first_pg, last_pg;
	struct emu_area *a;
	struct emu_mm mm;
	int rc;

	rc = emu_access_range(access, iova, length, &last);
	if (rc)
		return rc;
	rc = emu_mm_load(emu, &mm);
	if (rc)
		return rc;
	for (a = emu_contig_first(&it, access->ioas, iova, last); a;
	     a = emu_contig_next(&it)) {
		if (!emu_contig_aligned(&it)) {
			rc = -EINVAL;
			goto err_unpin;
		}
		if (write && !a->writeable) {
			rc = -EPERM;
			goto err_unpin;
		}
		if (write && !a->pages->writeable) {
			rc = -EPERM;
			goto err_unpin;
		}
		emu_contig_pages(&it, &first_pg, &last_pg);
		rc = emu_pages_access_add(emu, a->pages, first_pg, last_pg,
					  &mm);
		if (rc)
			goto err_unpin;
		a->num_accesses++;
	}
	if (!emu_contig_done(&it)) {
		rc = -ENOENT;
		goto err_unpin;
	}
	emu_mm_fini(&mm);
	return 0;

err_unpin:
	if (it.cur > iova)
		emu_access_unpin_span(access, iova, it.cur - 1);
	emu_mm_fini(&mm);
	return rc;
}

void emu_access_unpin_pages(struct emu_access *access, uint64_t iova,
			    uint64_t length)
{
	uint64_t last;

	if (!length || __builtin_add_overflow(iova, length - 1, &last) ||
	    !access->ioas)
		return;
	emu_access_unpin_span(access, iova, last);
}

static int emu_access_copy(struct emu *emu, pid_t pid, uint64_t va,
			   uint8_t *data, uint64_t bytes, unsigned int flags)
{
	if (flags & EMU_ACCESS_RW_WRITE)
		return emu_copy_to_mm(emu, pid, emu_u64_to_user_ptr(va), data,
				      bytes);
	return emu_copy_from_mm(emu, pid, data, emu_u64_to_user_ptr(va),
				bytes);
}

/*
 * One area's part of a read or write. The kernel copies through the
 * process's page tables when the pages are the caller's own, and else
 * (another process's pages, or the selftest's SLOW_PATH) through a pin of
 * each page; a single page that way has a fault point of its own.
 */
static int emu_access_rw_area(struct emu_access *access, struct emu_area *a,
			      uint64_t iova, uint8_t *data, uint64_t bytes,
			      unsigned int flags)
{
	struct emu *emu = access->ictx->emu;
	struct emu_pages *p = a->pages;
	uint64_t va = emu_area_va(a, iova);
	bool change_mm = p->owner != emu_current_pid(emu) ||
			 (flags & EMU_ACCESS_RW_SLOW_PATH);

	pid_t pid = p->owner;
	struct emu_mm local;
	uint64_t lva;
	int rc;

	if ((flags & EMU_ACCESS_RW_WRITE) && !p->writeable)
		return -EPERM;
	if (change_mm && va / EMU_PAGE_SIZE == (va + bytes - 1) / EMU_PAGE_SIZE &&
	    emu_should_fail(emu))
		return -EINVAL;
	rc = emu_access_copy(emu, pid, va, data, bytes, flags);
	if (rc != -EFAULT || pid == emu_current_pid(emu) || !p->npinned)
		return rc;
	/*
	 * The owner is gone but its pages are pinned: the kernel still has
	 * them, and so does any process mapping the same shared memory.
	 */
	pid = emu_current_pid(emu);
	if (!emu_pages_alias_va(p, pid, NULL, va, bytes, &lva) &&
	    !emu_access_copy(emu, pid, lva, data, bytes, flags))
		return 0;
	if (emu_mm_load_pid(emu->heap, &local, pid))
		return -EFAULT;
	rc = emu_pages_alias_va(p, pid, &local, va, bytes, &lva);
	emu_mm_fini(&local);
	if (rc)
		return rc;
	return emu_access_copy(emu, pid, lva, data, bytes, flags);
}

int emu_access_rw(struct emu_access *access, uint64_t iova, void *data,
		  uint64_t length, unsigned int flags)
{
	struct emu_contig_iter it;
	uint8_t *at = data;
	struct emu_area *a;
	uint64_t last;
	int rc;

	rc = emu_access_range(access, iova, length, &last);
	if (rc)
		return rc;
	for (a = emu_contig_first(&it, access->ioas, iova, last); a;
	     a = emu_contig_next(&it)) {
		uint64_t end = last < a->last ? last : a->last;
		uint64_t bytes = end - it.cur + 1;

		if ((flags & EMU_ACCESS_RW_WRITE) && !a->writeable)
			return -EPERM;
		rc = emu_access_rw_area(access, a, it.cur, at, bytes, flags);
		if (rc)
			return rc;
		at += bytes;
	}
	if (!emu_contig_done(&it))
		return -ENOENT;
	return 0;
}
