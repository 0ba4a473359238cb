// SPDX-License-Identifier: MIT
/*
 * IOAS object lifetime and the state rules that tie areas, reservations,
 * the allowed list, domains and pins together (invariants in ioas.h):
 * the domain add/remove that loads and unloads every area, reservations,
 * the shared map core (placement per spec 4.4/4.5, alignment, pinning) and
 * unmap. The ioctl handlers that drive these live in ioas_ioctl.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "access.h"
#include "failnth.h"
#include "hole.h"
#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"
#include "machine.h"
#include "mm.h"
#include "pages.h"
#include "util.h"

int emu_ioas_alloc(struct emu_ictx *ictx, struct emu_ioas **out)
{
	struct emu_ioas *ioas = emu_zalloc(ictx->emu, sizeof(*ioas));
	int rc;

	if (!ioas)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &ioas->obj, EMU_OBJ_IOAS);
	if (rc)
		goto err_free_ioas;
	ioas->ictx = ictx;
	emu_area_store_init(&ioas->areas, ictx->emu->heap);
	emu_resv_init(&ioas->resv, ictx->emu->heap);
	ioas->iova_alignment = 1;
	*out = ioas;
	return 0;

err_free_ioas:
	emu_free(ictx->emu, ioas);
	return rc;
}

void emu_ioas_abort(struct emu_ioas *ioas)
{
	emu_obj_abort(&ioas->ictx->objs, &ioas->obj);
	emu_area_store_fini(&ioas->areas);
	emu_resv_fini(&ioas->resv);
	emu_free(ioas->ictx->emu, ioas);
}

struct emu_ioas *emu_ioas_find(struct emu_ictx *ictx, uint32_t id)
{
	return (struct emu_ioas *)emu_obj_find(&ictx->objs, id, EMU_OBJ_IOAS);
}

struct emu_ioas *emu_ioas_get_user(struct emu_ictx *ictx, uint32_t id)
{
	return (struct emu_ioas *)emu_obj_get_user(ictx, id, EMU_OBJ_IOAS);
}

void emu_ioas_domains_forget(struct emu_ioas *ioas, uint64_t iova,
			     uint64_t last)
{
	struct emu_hwpt *h;

	for (h = ioas->domains; h; h = h->ioas_next)
		emu_hwpt_dirty_forget(h, iova, last);
}

void emu_ioas_area_remove(struct emu_ioas *ioas, struct emu_area *area)
{
	struct emu *emu = ioas->ictx->emu;

	/*
	 * The pages object is needed last but is a cold line of its own:
	 * fetching it now overlaps that miss with the tree work below.
	 */
	__builtin_prefetch(area->pages, 1);
	if (area->loaded)
		emu_pages_unload(emu, area);
	if (ioas->nr_domains)
		emu_ioas_domains_forget(ioas, area->iova, area->last);
	emu_area_remove(&ioas->areas, area);
	emu_pages_del_user(area->pages, area);
	emu_free(emu, area);
}

/*
 * Ask every access of the IOAS to drop its pins inside [iova, iova +
 * length), as iommufd_access_notify_unmap.
 */
static void emu_ioas_notify_unmap(struct emu_ioas *ioas, uint64_t iova,
				  uint64_t length)
{
	struct emu_access *a, *next;

	for (a = ioas->accesses; a; a = next) {
		next = a->ioas_next;
		if (a->ops->unmap)
			a->ops->unmap(a->data, iova, length);
	}
}

/* The kernel's bound on asking accesses that do not let go. */
#define EMU_IOAS_UNMAP_TRIES 100

/*
 * Whole areas only, holes allowed, lowest IOVA first and not atomic: areas
 * removed before an offending one stay removed (spec 2.7). An area an
 * access pins is first released by the accesses, then looked up again.
 */
static int emu_ioas_unmap_span(struct emu_ioas *ioas, uint64_t iova,
			       uint64_t last, uint64_t *unmapped)
{
	struct emu_area *area;
	unsigned int tries = 0;
	uint64_t done = 0;

	area = emu_area_first_hit(&ioas->areas, iova, last);
	while (area) {
		uint64_t area_first = area->iova, area_last = area->last;

		if (area_first < iova || area_last > last) {
			*unmapped = done;
			return -ENOENT;
		}
		if (area->num_accesses) {
			if (++tries > EMU_IOAS_UNMAP_TRIES) {
				*unmapped = done;
				return -EDEADLOCK;
			}
			emu_ioas_notify_unmap(ioas, area_first,
					      area_last - area_first + 1);
			area = emu_area_first_hit(&ioas->areas, area_first,
						  last);
			continue;
		}
		tries = 0;
		done += area_last - area_first + 1;
		emu_ioas_area_remove(ioas, area);
		/* Areas do not overlap: one ending at last is the final hit. */
		if (area_last == last)
			break;
		area = emu_area_first_hit(&ioas->areas, area_last + 1, last);
	}
	*unmapped = done;
	return 0;
}

int emu_ioas_unmap_all(struct emu_ioas *ioas, uint64_t *unmapped)
{
	return emu_ioas_unmap_span(ioas, 0, UINT64_MAX, unmapped);
}

int emu_ioas_unmap_range(struct emu_ioas *ioas, uint64_t iova,
			 uint64_t length, uint64_t *unmapped)
{
	uint64_t last;

	*unmapped = 0;
	if (!length)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return emu_ioas_unmap_span(ioas, iova, last, unmapped);
}

/* Domains hold a user each, so destroy only ever sees an IOAS without any. */
void emu_ioas_destroy(struct emu_obj *obj)
{
	struct emu_ioas *ioas = (struct emu_ioas *)obj;
	uint64_t unmapped;

	emu_ioas_unmap_all(ioas, &unmapped);
	emu_area_store_fini(&ioas->areas);
	emu_resv_fini(&ioas->resv);
	emu_free(ioas->ictx->emu, ioas->allowed);
	emu_free(ioas->ictx->emu, ioas);
}

static bool emu_ioas_allowed_hit(const struct emu_ioas *ioas, uint64_t start,
				 uint64_t last)
{
	uint32_t i;

	for (i = 0; i < ioas->nr_allowed; i++) {
		if (ioas->allowed[i].start <= last &&
		    ioas->allowed[i].last >= start)
			return true;
	}
	return false;
}

int emu_ioas_reserve(struct emu_ioas *ioas, uint64_t start, uint64_t last,
		     const void *owner)
{
	if (emu_area_first_hit(&ioas->areas, start, last) ||
	    emu_ioas_allowed_hit(ioas, start, last))
		return -EADDRINUSE;
	/* The kernel allocates the reserved range's node here. */
	if (emu_should_fail(ioas->ictx->emu))
		return -ENOMEM;
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

	if (align == 1)
		return 0;
	for (a = emu_area_first(&ioas->areas); a;
	     a = emu_area_next(&ioas->areas, a)) {
		uint64_t length = a->last - a->iova + 1;

		if ((a->iova | length | (a->user_va % EMU_PAGE_SIZE)) &
		    (align - 1))
			return -EADDRINUSE;
	}
	return 0;
}

static uint64_t emu_ioas_compute_alignment(const struct emu_ioas *ioas)
{
	const struct emu_access *a;
	const struct emu_hwpt *h;
	uint64_t align = ioas->huge_pages_off ? EMU_PAGE_SIZE : 1;

	for (h = ioas->domains; h; h = h->ioas_next) {
		if (h->iommu->pgsize > align)
			align = h->iommu->pgsize;
	}
	for (a = ioas->accesses; a; a = a->ioas_next) {
		if (a->iova_alignment > align)
			align = a->iova_alignment;
	}
	return align;
}

int emu_ioas_access_check(struct emu_ioas *ioas,
			  const struct emu_access *access)
{
	/* The kernel allocates the access list's slot here. */
	if (emu_should_fail(ioas->ictx->emu))
		return -ENOMEM;
	if (access->iova_alignment > ioas->iova_alignment)
		return emu_ioas_check_alignment(ioas, access->iova_alignment);
	return 0;
}

void emu_ioas_access_link(struct emu_ioas *ioas, struct emu_access *access)
{
	access->ioas_next = ioas->accesses;
	ioas->accesses = access;
	ioas->obj.users++;
	if (access->iova_alignment > ioas->iova_alignment)
		ioas->iova_alignment = access->iova_alignment;
}

void emu_ioas_access_remove(struct emu_ioas *ioas, struct emu_access *access)
{
	struct emu_access **pp;

	for (pp = &ioas->accesses; *pp != access; pp = &(*pp)->ioas_next)
		;
	*pp = access->ioas_next;
	access->ioas_next = NULL;
	ioas->obj.users--;
	ioas->iova_alignment = emu_ioas_compute_alignment(ioas);
}

int emu_ioas_cut(struct emu_ioas *ioas, uint64_t iova)
{
	uint64_t align = ioas->iova_alignment, new_start = iova + 1;
	struct emu_area *area, *rhs;
	int rc;

	area = emu_area_first_hit(&ioas->areas, iova, iova);
	if (!area || iova == area->iova || iova == area->last)
		return 0;
	if ((new_start & (align - 1)) ||
	    ((area->user_va + (new_start - area->iova)) & (align - 1)))
		return -EINVAL;
	rhs = emu_zalloc(ioas->ictx->emu, sizeof(*rhs));
	if (!rhs)
		return -ENOMEM;
	/* An access's pins cannot be split; neither can huge IOMMU pages. */
	if (area->num_accesses || (area->loaded && !ioas->huge_pages_off)) {
		rc = -EINVAL;
		goto err_free_rhs;
	}
	rhs->iova = new_start;
	rhs->last = area->last;
	rhs->user_va = area->user_va + (new_start - area->iova);
	rhs->readable = area->readable;
	rhs->writeable = area->writeable;
	rc = emu_pages_add_user(area->pages, rhs);
	if (rc)
		goto err_free_rhs;
	/* Same pages, same pins: the union of the two spans is the old one. */
	rhs->loaded = area->loaded;
	emu_area_remove(&ioas->areas, area);
	area->last = iova;
	rc = emu_area_insert(&ioas->areas, area);
	if (rc)
		goto err_relink_area;
	rc = emu_area_insert(&ioas->areas, rhs);
	if (rc)
		goto err_unlink_lhs;
	return 0;

err_unlink_lhs:
	emu_area_remove(&ioas->areas, area);
err_relink_area:
	area->last = rhs->last;
	/*
	 * The tree needs a node back only if the removal merged one away;
	 * failing that too means memory is exhausted twice over, and an IOAS
	 * that lost an area silently would be worse than stopping.
	 */
	if (emu_area_insert(&ioas->areas, area))
		abort();
	rhs->loaded = false;
	emu_pages_del_user(rhs->pages, rhs);
err_free_rhs:
	emu_free(ioas->ictx->emu, rhs);
	return rc;
}

int emu_ioas_set_huge_pages(struct emu_ioas *ioas, bool enable)
{
	uint64_t align;
	int rc;

	if (enable) {
		ioas->huge_pages_off = false;
		ioas->iova_alignment = emu_ioas_compute_alignment(ioas);
		return 0;
	}
	if (ioas->huge_pages_off)
		return 0;
	if (ioas->nr_domains && emu_area_store_count(&ioas->areas))
		return -EINVAL;
	align = ioas->iova_alignment > EMU_PAGE_SIZE ? ioas->iova_alignment :
						       EMU_PAGE_SIZE;
	rc = emu_ioas_check_alignment(ioas, align);
	if (rc)
		return rc;
	ioas->huge_pages_off = true;
	ioas->iova_alignment = align;
	return 0;
}

/* Unload every area before @stop (NULL: all). */
static void emu_ioas_unload_until(struct emu_ioas *ioas,
				  const struct emu_area *stop)
{
	struct emu *emu = ioas->ictx->emu;
	struct emu_area *a;

	for (a = emu_area_first(&ioas->areas); a && a != stop;
	     a = emu_area_next(&ioas->areas, a))
		emu_pages_unload(emu, a);
}

/* Pin every area, lowest IOVA first; on failure unpin what was pinned. */
static int emu_ioas_load_all(struct emu_ioas *ioas)
{
	struct emu *emu = ioas->ictx->emu;
	struct emu_area *a;
	struct emu_mm mm;
	int rc;

	if (!emu_area_store_count(&ioas->areas))
		return 0;
	rc = emu_mm_load(emu, &mm);
	if (rc)
		return rc;
	for (a = emu_area_first(&ioas->areas); a;
	     a = emu_area_next(&ioas->areas, a)) {
		rc = emu_pages_load(emu, a, &mm);
		if (rc)
			goto err_unload;
	}
	emu_mm_fini(&mm);
	return 0;

err_unload:
	emu_ioas_unload_until(ioas, a);
	emu_mm_fini(&mm);
	return rc;
}

int emu_ioas_domain_add(struct emu_ioas *ioas, struct emu_hwpt *hwpt)
{
	const struct emu_iommu *p = hwpt->iommu;
	struct emu_hwpt **tail;
	uint64_t align = ioas->iova_alignment;
	int rc;

	if (p->pgsize > EMU_PAGE_SIZE)
		return -EINVAL;
	if (p->pgsize > align)
		align = p->pgsize;
	rc = emu_ioas_check_alignment(ioas, align);
	if (rc)
		return rc;
	if (p->aperture_start) {
		rc = emu_ioas_reserve(ioas, 0, p->aperture_start - 1, hwpt);
		if (rc)
			return rc;
	}
	if (p->aperture_last != UINT64_MAX) {
		rc = emu_ioas_reserve(ioas, p->aperture_last + 1, UINT64_MAX,
				      hwpt);
		if (rc)
			goto err_unreserve;
	}
	if (!ioas->nr_domains) {
		rc = emu_ioas_load_all(ioas);
		if (rc)
			goto err_unreserve;
	}

	for (tail = &ioas->domains; *tail; tail = &(*tail)->ioas_next)
		;
	hwpt->ioas_next = NULL;
	*tail = hwpt;
	ioas->nr_domains++;
	ioas->obj.users++;
	ioas->iova_alignment = align;
	return 0;

err_unreserve:
	emu_ioas_unreserve(ioas, hwpt);
	return rc;
}

void emu_ioas_domain_remove(struct emu_ioas *ioas, struct emu_hwpt *hwpt)
{
	struct emu_hwpt **pp;

	for (pp = &ioas->domains; *pp != hwpt; pp = &(*pp)->ioas_next)
		;
	*pp = hwpt->ioas_next;
	ioas->nr_domains--;
	ioas->obj.users--;
	emu_ioas_unreserve(ioas, hwpt);
	if (!ioas->nr_domains)
		emu_ioas_unload_until(ioas, NULL);
	ioas->iova_alignment = emu_ioas_compute_alignment(ioas);
}

/*
 * The kernel's candidate check for one hole [start, last]: align up, OR
 * in the page offset, and the result must leave room for @length.
 */
static bool emu_ioas_hole_fits(uint64_t start, uint64_t last, uint64_t length,
			       uint64_t align, uint64_t page_offset,
			       uint64_t *iova)
{
	uint64_t cand;

	if (start > last || !emu_align_up(start, align, &cand))
		return false;
	cand |= page_offset;
	if (cand >= last || last - cand < length - 1)
		return false;
	*iova = cand;
	return true;
}

/*
 * First fit inside one span [lo, hi] that no reservation touches: the
 * hole before the first area reaching the span, then the holes between
 * areas in order (found through the gap augmentation, skipping every hole
 * smaller than @length), then the hole after the last area.
 */
static bool emu_ioas_span_fit(const struct emu_ioas *ioas, uint64_t lo,
			      uint64_t hi, uint64_t length, uint64_t align,
			      uint64_t page_offset, uint64_t *iova)
{
	const struct emu_area_store *s = &ioas->areas;
	struct emu_area *k, *q, *m;
	uint64_t gs, gap;

	k = emu_area_first_hit(s, lo, UINT64_MAX);
	if (!k)
		return emu_ioas_hole_fits(lo, hi, length, align, page_offset,
					  iova);
	if (k->iova > lo &&
	    emu_ioas_hole_fits(lo, k->iova - 1 < hi ? k->iova - 1 : hi,
			       length, align, page_offset, iova))
		return true;
	if (k->iova > hi)
		return false;
	for (q = k; (q = emu_area_gap_next(s, q, length, &gap));) {
		gs = q->iova - gap;
		if (gs > hi)
			return false;
		if (emu_ioas_hole_fits(gs, q->iova - 1 < hi ? q->iova - 1 : hi,
				       length, align, page_offset, iova))
			return true;
	}
	m = emu_area_last(s);
	if (m->last >= hi)
		return false;
	return emu_ioas_hole_fits(m->last + 1, hi, length, align, page_offset,
				  iova);
}

/*
 * Automatic IOVA (spec 4.4): alignment from the length and the user VA,
 * capped at the huge page size, the page offset of the user VA preserved,
 * first fit over the allowed ranges (or [PAGE_SIZE, U64_MAX - PAGE_SIZE]
 * without any), so that neither the first nor the last page is chosen.
 */
static int emu_ioas_alloc_iova(const struct emu_ioas *ioas, uint64_t user_va,
			       uint64_t length, uint64_t *iova)
{
	const uint64_t win_lo = EMU_PAGE_SIZE, win_hi = UINT64_MAX -
							 EMU_PAGE_SIZE;
	uint64_t page_offset = user_va % EMU_PAGE_SIZE;
	uint64_t align, lo, hi;
	uint32_t i, nr = ioas->nr_allowed ? ioas->nr_allowed : 1;

	if (length >= UINT64_MAX / 2)
		return -EOVERFLOW;
	align = emu_roundup_pow2(length);
	if (user_va && (user_va & -user_va) < align)
		align = user_va & -user_va;
	/* The cap is the huge page size, PAGE_SIZE in a kernel without THP. */
	if (align > emu_auto_align_cap(ioas->ictx->emu))
		align = emu_auto_align_cap(ioas->ictx->emu);
	if (align < ioas->iova_alignment)
		return -EINVAL;

	for (i = 0; i < nr; i++) {
		struct emu_hole_iter it;
		uint64_t start, last;

		lo = win_lo;
		hi = win_hi;
		if (ioas->nr_allowed) {
			if (ioas->allowed[i].start > lo)
				lo = ioas->allowed[i].start;
			if (ioas->allowed[i].last < hi)
				hi = ioas->allowed[i].last;
			if (lo > hi)
				continue;
			/* The span itself must be able to hold the map. */
			if (!emu_ioas_hole_fits(lo, hi, length, align,
						page_offset, &start))
				continue;
		}
		emu_hole_iter_init(&it, NULL, &ioas->resv, lo, hi);
		while (emu_hole_iter_next(&it, &start, &last)) {
			if (emu_ioas_span_fit(ioas, start, last, length, align,
					      page_offset, iova))
				return 0;
		}
	}
	return -ENOSPC;
}

/* FIXED placement (spec 4.5): alignment, wrap, reserved, then areas. */
static int emu_ioas_check_fixed(const struct emu_ioas *ioas, uint64_t iova,
				uint64_t length)
{
	uint64_t last;

	if (iova % ioas->iova_alignment)
		return -EINVAL;
	if (__builtin_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (emu_resv_first_hit(&ioas->resv, iova, last))
		return -EINVAL;
	if (emu_area_first_hit(&ioas->areas, iova, last))
		return -EEXIST;
	return 0;
}

int emu_ioas_map_frags(struct emu_ioas *ioas, const struct emu_map_frag *f,
		       unsigned int nr, uint64_t length, bool fixed,
		       unsigned int prot, uint64_t *iova)
{
	bool writeable = prot & EMU_PROT_WRITE;
	struct emu *emu = ioas->ictx->emu;
	struct emu_area **areas;
	uint64_t at, align = ioas->iova_alignment;
	struct emu_mm mm;
	unsigned int i, made = 0;
	int rc;

	if (length % align)
		return -EINVAL;
	if (fixed)
		rc = emu_ioas_check_fixed(ioas, *iova, length);
	else
		rc = emu_ioas_alloc_iova(ioas, f[0].user_va, length, iova);
	if (rc)
		return rc;
	/* Per fragment, as iopt_insert_area: write permission, alignment. */
	for (i = 0, at = *iova; i < nr; at += f[i].length, i++) {
		if (writeable && !f[i].pages->writeable)
			return -EPERM;
		if (at % align || (f[i].user_va % EMU_PAGE_SIZE) % align)
			return -EINVAL;
	}

	areas = emu_heap_zalloc(emu->heap, nr * sizeof(*areas));
	if (!areas)
		return -ENOMEM;
	if (ioas->nr_domains) {
		rc = emu_mm_load(emu, &mm);
		if (rc)
			goto err_free_array;
	}
	for (i = 0, at = *iova; i < nr; at += f[i].length, i++) {
		struct emu_area *a = emu_zalloc(emu, sizeof(*a));

		if (!a) {
			rc = -ENOMEM;
			goto err_drop_areas;
		}
		a->iova = at;
		a->last = at + f[i].length - 1;
		a->user_va = f[i].user_va;
		a->readable = prot & EMU_PROT_READ;
		a->writeable = writeable;
		rc = emu_pages_add_user(f[i].pages, a);
		if (rc) {
			emu_free(emu, a);
			goto err_drop_areas;
		}
		areas[made++] = a;
		if (ioas->nr_domains) {
			rc = emu_pages_load(emu, a, &mm);
			if (rc)
				goto err_drop_areas;
		}
	}
	for (i = 0; i < nr; i++) {
		rc = emu_area_insert(&ioas->areas, areas[i]);
		if (rc)
			goto err_unlink_areas;
	}
	if (ioas->nr_domains)
		emu_mm_fini(&mm);
	emu_free(emu, areas);
	return 0;

err_unlink_areas:
	/* Linked, but no call saw them yet: unlinking undoes the insert. */
	while (i--)
		emu_area_remove(&ioas->areas, areas[i]);
err_drop_areas:
	while (made--) {
		if (areas[made]->loaded)
			emu_pages_unload(emu, areas[made]);
		emu_pages_del_user(areas[made]->pages, areas[made]);
		emu_free(emu, areas[made]);
	}
	if (ioas->nr_domains)
		emu_mm_fini(&mm);
err_free_array:
	emu_free(emu, areas);
	return rc;
}
