// SPDX-License-Identifier: MIT
/*
 * The type-1 IOMMU driver of a legacy container (type1.h).
 *
 * The valid IOVA list is kept as a reserved set: every domain reserves the
 * complement of its aperture, every attached group its reserved regions
 * (the x86 MSI window), so the list is the set's holes and "inside one
 * list entry" is "hits no reservation". This equals the driver's list as
 * it is rebuilt on every attach and detach.
 *
 * Check order follows the driver's: MAP_DMA (argument words, permission
 * bits against VADDR, alignment to the smallest page size, wraps, an
 * overlapping mapping, the entry limit, the IOVA list, then pinning);
 * UNMAP_DMA (flags, dirty-bitmap words, alignment, v2's rule that a range
 * must not cut a mapping); DIRTY_PAGES (v2 only, one flag at a time).
 */
#include <errno.h>
#include <string.h>

#include <linux/vfio.h>

#include "area.h"
#include "hole.h"
#include "iommu.h"
#include "machine.h"
#include "mm.h"
#include "pages.h"
#include "resv.h"
#include "type1.h"
#include "uaccess.h"
#include "util.h"

/* The driver's dma_entry_limit default, U16_MAX. */
#define EMU_TYPE1_DMA_LIMIT 65535u
/* DIRTY_BITMAP_SIZE_MAX: INT_MAX pages, rounded to whole u64 words. */
#define EMU_TYPE1_DIRTY_BYTES_MAX (1ULL << 28)
/* x86-64 access_ok(): the end of the user address space (4-level). */
#define EMU_USER_END ((1ULL << 47) - EMU_PAGE_SIZE)

struct emu_type1_dma {
	struct emu_area area;		/* first: the store holds &area */
	bool vaddr_invalid;		/* unmapped with FLAG_VADDR */
};

struct emu_type1_domain {
	const struct emu_iommu *iommu;	/* NULL: the slot is free */
	unsigned int nr_groups;
};

struct emu_type1 {
	struct emu *emu;
	bool v2;
	bool nesting;
	struct emu_area_store dmas;
	uint32_t dma_avail;
	unsigned int nr_vaddr_invalid;
	struct emu_resv_set resv;
	struct emu_type1_domain domains[EMU_MAX_DEVICES];
	struct emu_dev *groups[EMU_MAX_DEVICES];
	unsigned int group_domain[EMU_MAX_DEVICES];
	unsigned int nr_groups;
	uint64_t pgsize_bitmap;
	bool dirty_tracking;
};

int emu_type1_open(struct emu *emu, unsigned long type,
		   struct emu_type1 **out)
{
	struct emu_type1 *t;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU &&
	    type != VFIO_TYPE1_NESTING_IOMMU)
		return -EINVAL;
	t = emu_heap_zalloc(emu->heap, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->emu = emu;
	t->v2 = type != VFIO_TYPE1_IOMMU;
	t->nesting = type == VFIO_TYPE1_NESTING_IOMMU;
	emu_area_store_init(&t->dmas, emu->heap);
	emu_resv_init(&t->resv, emu->heap);
	t->dma_avail = EMU_TYPE1_DMA_LIMIT;
	t->pgsize_bitmap = ~(EMU_PAGE_SIZE - 1);
	*out = t;
	return 0;
}

static bool emu_type1_has_domain(const struct emu_type1 *t)
{
	return t->nr_groups > 0;
}

static uint64_t emu_type1_min_pgsize(const struct emu_type1 *t)
{
	return t->pgsize_bitmap & -t->pgsize_bitmap;
}

static void emu_type1_remove_dma(struct emu_type1 *t, struct emu_area *a)
{
	struct emu_type1_dma *d = (struct emu_type1_dma *)a;

	emu_area_remove(&t->dmas, a);
	if (a->loaded)
		emu_pages_unload(t->emu, a);
	emu_pages_del_user(a->pages, a);
	if (d->vaddr_invalid)
		t->nr_vaddr_invalid--;
	t->dma_avail++;
	emu_heap_free(t->emu->heap, d);
}

static void emu_type1_remove_all(struct emu_type1 *t)
{
	struct emu_area *a;

	while ((a = emu_area_first(&t->dmas)))
		emu_type1_remove_dma(t, a);
}

void emu_type1_release(struct emu_type1 *t)
{
	emu_type1_remove_all(t);
	emu_area_store_fini(&t->dmas);
	emu_resv_fini(&t->resv);
	emu_heap_free(t->emu->heap, t);
}

/* vfio_update_pgsize_bitmap: every domain's sizes, sub-page folded. */
static void emu_type1_update_pgsizes(struct emu_type1 *t)
{
	unsigned int i;

	t->pgsize_bitmap = UINT64_MAX;
	for (i = 0; i < EMU_MAX_DEVICES; i++) {
		if (t->domains[i].iommu)
			t->pgsize_bitmap &= t->domains[i].iommu->pgsize_bitmap;
	}
	if (t->pgsize_bitmap & (EMU_PAGE_SIZE - 1)) {
		t->pgsize_bitmap &= ~(EMU_PAGE_SIZE - 1);
		t->pgsize_bitmap |= EMU_PAGE_SIZE;
	}
}

/*
 * Whether a group behind @iommu can join the domain built for @own: the
 * driver tries every domain of the same IOMMU driver and keeps the first
 * the group attaches to.
 */
static bool emu_type1_domain_fits(const struct emu_iommu *own,
				  const struct emu_iommu *iommu)
{
	if (own->profile->iommu_unit == iommu->profile->iommu_unit)
		return true;
	if (own->profile->no_share || iommu->profile->no_share)
		return false;
	return own->pgsize == iommu->pgsize &&
	       own->aperture_last <= iommu->aperture_last &&
	       own->enforce_cc == iommu->enforce_cc;
}

static int emu_type1_reserve_group(struct emu_type1 *t,
				   const struct emu_dev *dev)
{
	const struct emu_profile *p = dev->profile;
	unsigned int i;
	int rc;

	for (i = 0; i < p->nr_resv; i++) {
		rc = emu_resv_add(&t->resv, p->resv[i].start, p->resv[i].last,
				  dev);
		if (rc) {
			emu_resv_remove_owner(&t->resv, dev);
			return rc;
		}
	}
	return 0;
}

int emu_type1_attach_group(struct emu_type1 *t, struct emu_dev *dev)
{
	const struct emu_iommu *iommu = &dev->iommu;
	const struct emu_profile *p = dev->profile;
	unsigned int i, slot = EMU_MAX_DEVICES;
	bool new_domain;
	int rc;

	if (t->nr_vaddr_invalid)
		return -EBUSY;
	/* VT-d cannot enable nesting on a domain. */
	if (t->nesting)
		return -EINVAL;
	/* The aperture and the group's reserved regions exclude no mapping. */
	if (iommu->aperture_last != UINT64_MAX &&
	    emu_area_first_hit(&t->dmas, iommu->aperture_last + 1,
			       UINT64_MAX))
		return -EINVAL;
	for (i = 0; i < p->nr_resv; i++) {
		if (emu_area_first_hit(&t->dmas, p->resv[i].start,
				       p->resv[i].last))
			return -EINVAL;
	}

	for (i = 0; i < EMU_MAX_DEVICES; i++) {
		if (t->domains[i].iommu &&
		    emu_type1_domain_fits(t->domains[i].iommu, iommu)) {
			slot = i;
			break;
		}
	}
	new_domain = slot == EMU_MAX_DEVICES;
	if (new_domain) {
		for (slot = 0; t->domains[slot].iommu; slot++)
			;
		if (iommu->aperture_last != UINT64_MAX) {
			rc = emu_resv_add(&t->resv, iommu->aperture_last + 1,
					  UINT64_MAX, &t->domains[slot]);
			if (rc)
				return rc;
		}
	}
	rc = emu_type1_reserve_group(t, dev);
	if (rc)
		goto err_unreserve_domain;
	if (new_domain)
		t->domains[slot].iommu = iommu;
	t->domains[slot].nr_groups++;
	t->groups[t->nr_groups] = dev;
	t->group_domain[t->nr_groups] = slot;
	t->nr_groups++;
	emu_type1_update_pgsizes(t);
	return 0;

err_unreserve_domain:
	if (new_domain)
		emu_resv_remove_owner(&t->resv, &t->domains[slot]);
	return rc;
}

void emu_type1_detach_group(struct emu_type1 *t, struct emu_dev *dev)
{
	struct emu_type1_domain *d;
	unsigned int i;

	for (i = 0; i < t->nr_groups && t->groups[i] != dev; i++)
		;
	if (i == t->nr_groups)
		return;
	d = &t->domains[t->group_domain[i]];
	t->nr_groups--;
	t->groups[i] = t->groups[t->nr_groups];
	t->group_domain[i] = t->group_domain[t->nr_groups];
	emu_resv_remove_owner(&t->resv, dev);
	if (--d->nr_groups)
		return;
	/* The last domain takes every mapping with it. */
	if (!t->nr_groups)
		emu_type1_remove_all(t);
	emu_resv_remove_owner(&t->resv, d);
	d->iommu = NULL;
	emu_type1_update_pgsizes(t);
}

static bool emu_type1_enforce_cc(const struct emu_type1 *t)
{
	unsigned int i;

	for (i = 0; i < EMU_MAX_DEVICES; i++) {
		if (t->domains[i].iommu && !t->domains[i].iommu->enforce_cc)
			return false;
	}
	return true;
}

int emu_type1_check_extension(const struct emu_type1 *t, unsigned long ext)
{
	switch (ext) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_TYPE1_NESTING_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_UPDATE_VADDR:
		/* No emulated (mdev) group is ever attached here. */
		return t != NULL;
	case VFIO_DMA_CC_IOMMU:
		return t ? emu_type1_enforce_cc(t) : 0;
	default:
		return 0;
	}
}

/*
 * The capability chain of GET_INFO into @buf (room for all of it): each
 * capability 8-byte aligned, "next" the offset of the following one from
 * the start of the info struct. Returns its size.
 */
static size_t emu_type1_info_caps(const struct emu_type1 *t, uint8_t *buf,
				  size_t info_size)
{
	struct vfio_iommu_type1_info_cap_migration mig = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION,
			    .version = 1 },
		.pgsize_bitmap = emu_type1_min_pgsize(t),
		.max_dirty_bitmap_size = EMU_TYPE1_DIRTY_BYTES_MAX,
	};
	struct vfio_iommu_type1_info_dma_avail avail = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			    .version = 1 },
		.avail = t->dma_avail,
	};
	struct vfio_iommu_type1_info_cap_iova_range iova = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			    .version = 1 },
	};
	struct vfio_info_cap_header *h;
	struct emu_hole_iter it;
	uint64_t start, last;
	size_t at = 0, prev;

	memcpy(buf, &mig, sizeof(mig));
	prev = at;
	at += (sizeof(mig) + 7) & ~7;
	memcpy(buf + at, &avail, sizeof(avail));
	h = (struct vfio_info_cap_header *)(buf + prev);
	h->next = (uint32_t)(info_size + at);
	prev = at;
	at += (sizeof(avail) + 7) & ~7;
	emu_hole_iter_init(&it, NULL, &t->resv, 0, UINT64_MAX);
	while (emu_hole_iter_next(&it, &start, &last)) {
		struct vfio_iova_range r = { .start = start, .end = last };

		memcpy(buf + at + sizeof(iova) + iova.nr_iovas * sizeof(r),
		       &r, sizeof(r));
		iova.nr_iovas++;
	}
	memcpy(buf + at, &iova, sizeof(iova));
	h = (struct vfio_info_cap_header *)(buf + prev);
	h->next = (uint32_t)(info_size + at);
	at += sizeof(iova) + iova.nr_iovas * sizeof(struct vfio_iova_range);
	return at;
}

static int emu_type1_get_info(struct emu_type1 *t, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_info,
					     iova_pgsizes);
	/* A reserved set of n intervals leaves at most n + 1 holes. */
	size_t room = 64 + (t->resv.nr + 1) * sizeof(struct vfio_iova_range);
	struct vfio_iommu_type1_info info;
	struct emu *emu = t->emu;
	uint8_t *caps;
	size_t out, size;
	int rc = 0;

	memset(&info, 0, sizeof(info));
	if (emu_copy_from_user(emu, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	out = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	caps = emu_heap_zalloc(emu->heap, room);
	if (!caps)
		return -ENOMEM;
	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = t->pgsize_bitmap;
	info.cap_offset = 0;
	size = emu_type1_info_caps(t, caps, sizeof(info));
	if (info.argsz < sizeof(info) + size) {
		info.argsz = (uint32_t)(sizeof(info) + size);
	} else {
		rc = emu_copy_to_user(emu, (uint8_t *)arg + sizeof(info), caps,
				      size);
		info.cap_offset = sizeof(info);
	}
	emu_heap_free(emu->heap, caps);
	return rc ?: emu_copy_to_user(emu, arg, &info, out);
}

/* Pin and insert a new mapping: 0 or -errno with nothing changed. */
static int emu_type1_add_dma(struct emu_type1 *t, uint64_t iova,
			     uint64_t vaddr, uint64_t size, unsigned int prot)
{
	struct emu *emu = t->emu;
	struct emu_type1_dma *d;
	struct emu_pages *pages;
	struct emu_mm mm;
	int rc;

	rc = emu_pages_create(emu, vaddr, size, prot & EMU_PROT_WRITE,
			      emu->creds.cap_ipc_lock ? EMU_ACCT_NONE :
			      EMU_ACCT_MM, &pages);
	if (rc)
		return rc;
	d = emu_heap_zalloc(emu->heap, sizeof(*d));
	if (!d) {
		rc = -ENOMEM;
		goto out_release_pages;
	}
	d->area.iova = iova;
	d->area.last = iova + size - 1;
	d->area.user_va = vaddr;
	d->area.readable = prot & EMU_PROT_READ;
	d->area.writeable = prot & EMU_PROT_WRITE;
	rc = emu_pages_add_user(pages, &d->area);
	if (rc)
		goto err_free_dma;
	if (emu_type1_has_domain(t)) {
		rc = emu_mm_load(emu, &mm);
		if (!rc) {
			rc = emu_pages_load(emu, &d->area, &mm);
			emu_mm_fini(&mm);
		}
		if (rc)
			goto err_del_user;
	}
	rc = emu_area_insert(&t->dmas, &d->area);
	if (rc)
		goto err_unload;
	t->dma_avail--;
	goto out_release_pages;

err_unload:
	if (d->area.loaded)
		emu_pages_unload(emu, &d->area);
err_del_user:
	emu_pages_del_user(pages, &d->area);
err_free_dma:
	emu_heap_free(emu->heap, d);
out_release_pages:
	emu_pages_release(pages);
	return rc;
}

static int emu_type1_map_dma(struct emu_type1 *t, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_dma_map,
					     size);
	const uint32_t known = VFIO_DMA_MAP_FLAG_READ |
			       VFIO_DMA_MAP_FLAG_WRITE |
			       VFIO_DMA_MAP_FLAG_VADDR;
	struct vfio_iommu_type1_dma_map map;
	struct emu_type1_dma *d;
	unsigned int prot = 0;
	bool set_vaddr;
	uint64_t pgsize, last;

	if (emu_copy_from_user(t->emu, &map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~known))
		return -EINVAL;
	set_vaddr = map.flags & VFIO_DMA_MAP_FLAG_VADDR;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= EMU_PROT_WRITE;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= EMU_PROT_READ;
	if ((prot && set_vaddr) || (!prot && !set_vaddr))
		return -EINVAL;
	pgsize = emu_type1_min_pgsize(t);
	if (!map.size || ((map.size | map.iova | map.vaddr) & (pgsize - 1)))
		return -EINVAL;
	if (__builtin_add_overflow(map.iova, map.size - 1, &last) ||
	    map.vaddr + map.size - 1 < map.vaddr)
		return -EINVAL;

	d = (struct emu_type1_dma *)emu_area_first_hit(&t->dmas, map.iova,
						       last);
	if (set_vaddr) {
		if (!d)
			return -ENOENT;
		if (!d->vaddr_invalid || d->area.iova != map.iova ||
		    d->area.last != last)
			return -EINVAL;
		d->area.user_va = map.vaddr;
		d->vaddr_invalid = false;
		t->nr_vaddr_invalid--;
		return 0;
	}
	if (d)
		return -EEXIST;
	if (!t->dma_avail)
		return -ENOSPC;
	if (emu_resv_first_hit(&t->resv, map.iova, last))
		return -EINVAL;
	return emu_type1_add_dma(t, map.iova, map.vaddr, map.size, prot);
}

/* access_ok() on x86-64: the range lies in the user address space. */
static bool emu_type1_access_ok(uint64_t ptr, uint64_t size)
{
	return size <= EMU_USER_END && ptr <= EMU_USER_END - size;
}

/* verify_bitmap_size: room for @npages bits, within the driver's limit. */
static int emu_type1_bitmap_size(uint64_t npages, uint64_t bytes)
{
	if (!npages || !bytes || bytes > EMU_TYPE1_DIRTY_BYTES_MAX ||
	    bytes < (npages + 63) / 64 * 8)
		return -EINVAL;
	return 0;
}

/*
 * Report mapping @a dirty into the user bitmap at @data, bit 0 being
 * @base: every page of it, since no group of the container tracks pages
 * itself. The words covering it are rewritten; bits before it in its
 * first word are kept, bits after it in its last word cleared.
 */
static int emu_type1_report_dirty(struct emu_type1 *t, uint64_t *data,
				  uint64_t base, const struct emu_area *a,
				  uint64_t pgsize)
{
	uint64_t first = (a->iova - base) / pgsize;
	uint64_t nbits = (a->last - a->iova + 1) / pgsize;
	uint64_t w = first / 64, bit = first % 64, end = bit + nbits, word;
	uint64_t i;

	if (emu_copy_from_user(t->emu, &word, &data[w], sizeof(word)))
		return -EFAULT;
	word &= bit ? (1ULL << bit) - 1 : 0;
	for (i = bit; i < (end + 63) / 64 * 64; i++) {
		if (i < end)
			word |= 1ULL << (i % 64);
		if (i % 64 == 63) {
			if (emu_copy_to_user(t->emu, &data[w + i / 64], &word,
					     sizeof(word)))
				return -EFAULT;
			word = 0;
		}
	}
	return 0;
}

/*
 * A range for unmapping or reading dirty bits must not cut a mapping
 * (v2): none may start before it at its first IOVA or end after it.
 */
static bool emu_type1_cuts(const struct emu_type1 *t, uint64_t iova,
			   uint64_t last)
{
	const struct emu_area *a = emu_area_first_hit(&t->dmas, iova, iova);

	if (a && a->iova != iova)
		return true;
	a = emu_area_first_hit(&t->dmas, last, last);
	return a && a->last != last;
}

static int emu_type1_do_unmap(struct emu_type1 *t,
			      struct vfio_iommu_type1_dma_unmap *unmap,
			      const struct vfio_bitmap *bitmap)
{
	bool all = unmap->flags & VFIO_DMA_UNMAP_FLAG_ALL;
	bool vaddr = unmap->flags & VFIO_DMA_UNMAP_FLAG_VADDR;
	bool dirty = unmap->flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP;
	uint64_t pgsize = emu_type1_min_pgsize(t), size = unmap->size;
	uint64_t iova = unmap->iova, last, unmapped = 0;
	struct emu_area *a, *next;
	int rc = -EINVAL;

	if (iova & (pgsize - 1))
		goto out_report;
	if (all) {
		if (iova || size)
			goto out_report;
		size = UINT64_MAX;
	} else if (!size || (size & (pgsize - 1)) || iova + size - 1 < iova) {
		goto out_report;
	}
	if (dirty && (!t->dirty_tracking || bitmap->pgsize != pgsize))
		goto out_report;
	last = all ? UINT64_MAX : iova + size - 1;
	if (t->v2 && !all && emu_type1_cuts(t, iova, last))
		goto out_report;

	rc = 0;
	for (a = emu_area_first_hit(&t->dmas, iova, last); a; a = next) {
		struct emu_type1_dma *d = (struct emu_type1_dma *)a;

		if (a->iova > last)
			break;
		if (!t->v2 && iova > a->iova)
			break;
		next = emu_area_next(&t->dmas, a);
		if (vaddr) {
			if (d->vaddr_invalid) {
				/* Undo the invalidations of this call. */
				const struct emu_area *b;

				for (b = emu_area_first_hit(&t->dmas, iova,
							    last);
				     b != a; b = emu_area_next(&t->dmas, b)) {
					((struct emu_type1_dma *)b)
						->vaddr_invalid = false;
					t->nr_vaddr_invalid--;
				}
				rc = -EINVAL;
				unmapped = 0;
				break;
			}
			d->vaddr_invalid = true;
			t->nr_vaddr_invalid++;
			unmapped += a->last - a->iova + 1;
			continue;
		}
		if (dirty) {
			rc = emu_type1_report_dirty(t, (uint64_t *)bitmap->data,
						    iova, a, pgsize);
			if (rc)
				break;
		}
		unmapped += a->last - a->iova + 1;
		emu_type1_remove_dma(t, a);
	}
out_report:
	unmap->size = unmapped;
	return rc;
}

static int emu_type1_unmap_dma(struct emu_type1 *t, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_dma_unmap,
					     size);
	const uint32_t known = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
			       VFIO_DMA_UNMAP_FLAG_VADDR |
			       VFIO_DMA_UNMAP_FLAG_ALL;
	struct vfio_iommu_type1_dma_unmap unmap;
	struct vfio_bitmap bitmap = { 0 };
	int rc;

	if (emu_copy_from_user(t->emu, &unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || (unmap.flags & ~known))
		return -EINVAL;
	if ((unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) &&
	    (unmap.flags & (VFIO_DMA_UNMAP_FLAG_ALL |
			    VFIO_DMA_UNMAP_FLAG_VADDR)))
		return -EINVAL;
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
		if (unmap.argsz < minsz + sizeof(bitmap))
			return -EINVAL;
		if (emu_copy_from_user(t->emu, &bitmap, (uint8_t *)arg + minsz,
				       sizeof(bitmap)))
			return -EFAULT;
		if (!emu_type1_access_ok((uintptr_t)bitmap.data, bitmap.size))
			return -EINVAL;
		rc = emu_type1_bitmap_size(bitmap.pgsize ? unmap.size /
					   (bitmap.pgsize & -bitmap.pgsize) :
					   0, bitmap.size);
		if (rc)
			return rc;
	}
	rc = emu_type1_do_unmap(t, &unmap, &bitmap);
	if (rc)
		return rc;
	return emu_copy_to_user(t->emu, arg, &unmap, minsz);
}

/* GET_BITMAP: a range of whole mappings, all of it dirty (see above). */
static int emu_type1_get_bitmap(struct emu_type1 *t, void *arg, size_t minsz,
				uint32_t argsz)
{
	struct vfio_iommu_type1_dirty_bitmap_get range;
	uint64_t pgsize, last;
	struct emu_area *a;
	int rc;

	if (argsz - minsz < sizeof(range))
		return -EINVAL;
	if (emu_copy_from_user(t->emu, &range, (uint8_t *)arg + minsz,
			       sizeof(range)))
		return -EFAULT;
	if (range.iova + range.size < range.iova)
		return -EINVAL;
	if (!emu_type1_access_ok((uintptr_t)range.bitmap.data,
				 range.bitmap.size))
		return -EINVAL;
	rc = emu_type1_bitmap_size(range.bitmap.pgsize ? range.size /
				   (range.bitmap.pgsize &
				    -range.bitmap.pgsize) : 0,
				   range.bitmap.size);
	if (rc)
		return rc;
	pgsize = emu_type1_min_pgsize(t);
	if (range.bitmap.pgsize != pgsize || (range.iova & (pgsize - 1)) ||
	    !range.size || (range.size & (pgsize - 1)))
		return -EINVAL;
	if (!t->dirty_tracking)
		return -EINVAL;
	last = range.iova + range.size - 1;
	if (emu_type1_cuts(t, range.iova, last))
		return -EINVAL;
	for (a = emu_area_first_hit(&t->dmas, range.iova, last);
	     a && a->iova <= last; a = emu_area_next(&t->dmas, a)) {
		rc = emu_type1_report_dirty(t, (uint64_t *)range.bitmap.data,
					    range.iova, a, pgsize);
		if (rc)
			return rc;
	}
	return 0;
}

static int emu_type1_dirty_pages(struct emu_type1 *t, void *arg)
{
	const size_t minsz =
		emu_offsetofend(struct vfio_iommu_type1_dirty_bitmap, flags);
	const uint32_t known = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
			       VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
			       VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	struct vfio_iommu_type1_dirty_bitmap dirty;

	if (!t->v2)
		return -EACCES;
	if (emu_copy_from_user(t->emu, &dirty, arg, minsz))
		return -EFAULT;
	if (dirty.argsz < minsz || (dirty.flags & ~known))
		return -EINVAL;
	/* Exactly one flag. */
	if (!dirty.flags || (dirty.flags & (dirty.flags - 1)))
		return -EINVAL;
	if (dirty.flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_START) {
		t->dirty_tracking = true;
		return 0;
	}
	if (dirty.flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP) {
		t->dirty_tracking = false;
		return 0;
	}
	return emu_type1_get_bitmap(t, arg, minsz, dirty.argsz);
}

int emu_type1_ioctl(struct emu_type1 *t, unsigned int cmd, void *arg)
{
	switch (cmd) {
	case VFIO_CHECK_EXTENSION:
		return emu_type1_check_extension(t, (unsigned long)arg);
	case VFIO_IOMMU_GET_INFO:
		return emu_type1_get_info(t, arg);
	case VFIO_IOMMU_MAP_DMA:
		return emu_type1_map_dma(t, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return emu_type1_unmap_dma(t, arg);
	case VFIO_IOMMU_DIRTY_PAGES:
		return emu_type1_dirty_pages(t, arg);
	default:
		return -ENOTTY;
	}
}

const struct emu_area *emu_type1_lookup(const struct emu_type1 *t,
					const struct emu_dev *dev,
					uint64_t iova)
{
	const struct emu_area *a;
	unsigned int i;

	for (i = 0; i < t->nr_groups && t->groups[i] != dev; i++)
		;
	if (i == t->nr_groups)
		return NULL;
	a = emu_area_first_hit(&t->dmas, iova, iova);
	if (!a || ((const struct emu_type1_dma *)a)->vaddr_invalid)
		return NULL;
	return a;
}
