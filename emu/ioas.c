// SPDX-License-Identifier: MIT
/*
 * IOAS object lifetime and the state rules that tie areas, reservations,
 * domains and pins together (invariants in ioas.h). The ioctl handlers
 * that drive these live in ioas_ioctl.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"
#include "machine.h"
#include "util.h"

int emu_ioas_alloc(struct emu_ictx *ictx, struct emu_ioas **out)
{
	struct emu_ioas *ioas = calloc(1, sizeof(*ioas));
	int rc;

	if (!ioas)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &ioas->obj, EMU_OBJ_IOAS);
	if (rc)
		goto err_free_ioas;
	ioas->ictx = ictx;
	emu_area_store_init(&ioas->areas);
	emu_resv_init(&ioas->resv);
	ioas->iova_alignment = 1;
	*out = ioas;
	return 0;

err_free_ioas:
	free(ioas);
	return rc;
}

void emu_ioas_abort(struct emu_ioas *ioas)
{
	emu_obj_abort(&ioas->ictx->objs, &ioas->obj);
	emu_area_store_fini(&ioas->areas);
	emu_resv_fini(&ioas->resv);
	free(ioas);
}

struct emu_ioas *emu_ioas_find(struct emu_ictx *ictx, uint32_t id)
{
	return (struct emu_ioas *)emu_obj_find(&ictx->objs, id, EMU_OBJ_IOAS);
}

static void emu_ioas_area_pin(struct emu_ioas *ioas, struct emu_area *area)
{
	area->pinned = emu_pages_spanned(area->user_va,
					 area->last - area->iova + 1);
	ioas->ictx->emu->pinned_pages += area->pinned;
}

static void emu_ioas_area_unpin(struct emu_ioas *ioas, struct emu_area *area)
{
	ioas->ictx->emu->pinned_pages -= area->pinned;
	area->pinned = 0;
}

int emu_ioas_area_add(struct emu_ioas *ioas, const struct emu_area *tmpl)
{
	struct emu_area *area;
	int rc;

	rc = emu_area_insert(&ioas->areas, tmpl);
	if (rc)
		return rc;
	if (ioas->nr_domains) {
		area = emu_area_first_hit(&ioas->areas, tmpl->iova, tmpl->iova);
		emu_ioas_area_pin(ioas, area);
	}
	return 0;
}

void emu_ioas_area_remove(struct emu_ioas *ioas, struct emu_area *area)
{
	emu_ioas_area_unpin(ioas, area);
	emu_area_remove(&ioas->areas, area);
}

/* Domains hold a user each, so destroy only ever sees an IOAS without any. */
void emu_ioas_destroy(struct emu_obj *obj)
{
	struct emu_ioas *ioas = (struct emu_ioas *)obj;
	struct emu_area *area;

	while ((area = emu_area_first(&ioas->areas)))
		emu_ioas_area_remove(ioas, area);
	emu_area_store_fini(&ioas->areas);
	emu_resv_fini(&ioas->resv);
	free(ioas);
}

int emu_ioas_reserve(struct emu_ioas *ioas, uint64_t start, uint64_t last,
		     const void *owner)
{
	if (emu_area_first_hit(&ioas->areas, start, last))
		return -EADDRINUSE;
	return emu_resv_add(&ioas->resv, start, last, owner);
}

void emu_ioas_unreserve(struct emu_ioas *ioas, const void *owner)
{
	emu_resv_remove_owner(&ioas->resv, owner);
}

/* Every area must start, end and sit in its page at a multiple of @align. */
static int emu_ioas_check_alignment(const struct emu_ioas *ioas,
				    uint64_t align)
{
	const struct emu_area *a;

	for (a = emu_area_first(&ioas->areas); a;
	     a = emu_area_next(&ioas->areas, a)) {
		uint64_t length = a->last - a->iova + 1;

		if ((a->iova | length | (a->user_va % EMU_PAGE_SIZE)) &
		    (align - 1))
			return -EADDRINUSE;
	}
	return 0;
}

static uint64_t emu_ioas_domains_alignment(const struct emu_ioas *ioas)
{
	const struct emu_hwpt *h;
	uint64_t align = 1;

	for (h = ioas->domains; h; h = h->ioas_next) {
		if (h->profile->pgsize > align)
			align = h->profile->pgsize;
	}
	return align;
}

int emu_ioas_domain_add(struct emu_ioas *ioas, struct emu_hwpt *hwpt)
{
	const struct emu_profile *p = hwpt->profile;
	struct emu_hwpt **tail;
	struct emu_area *area;
	uint64_t align = ioas->iova_alignment;
	int rc;

	if (p->pgsize > EMU_PAGE_SIZE)
		return -EINVAL;
	if (p->pgsize > align)
		align = p->pgsize;
	rc = emu_ioas_check_alignment(ioas, align);
	if (rc)
		return rc;
	if (p->aperture_last != UINT64_MAX) {
		rc = emu_ioas_reserve(ioas, p->aperture_last + 1, UINT64_MAX,
				      hwpt);
		if (rc)
			return rc;
	}

	if (!ioas->nr_domains) {
		for (area = emu_area_first(&ioas->areas); area;
		     area = emu_area_next(&ioas->areas, area))
			emu_ioas_area_pin(ioas, area);
	}
	for (tail = &ioas->domains; *tail; tail = &(*tail)->ioas_next)
		;
	hwpt->ioas_next = NULL;
	*tail = hwpt;
	ioas->nr_domains++;
	ioas->obj.users++;
	ioas->iova_alignment = align;
	return 0;
}

void emu_ioas_domain_remove(struct emu_ioas *ioas, struct emu_hwpt *hwpt)
{
	struct emu_hwpt **pp;
	struct emu_area *area;

	for (pp = &ioas->domains; *pp != hwpt; pp = &(*pp)->ioas_next)
		;
	*pp = hwpt->ioas_next;
	ioas->nr_domains--;
	ioas->obj.users--;
	emu_ioas_unreserve(ioas, hwpt);
	if (!ioas->nr_domains) {
		for (area = emu_area_first(&ioas->areas); area;
		     area = emu_area_next(&ioas->areas, area))
			emu_ioas_area_unpin(ioas, area);
	}
	ioas->iova_alignment = emu_ioas_domains_alignment(ioas);
}
