// SPDX-License-Identifier: MIT
/*
 * The VFIO type-1 container API on an iommufd fd (spec 2.16), on top of
 * the context's compat IOAS (IOMMU_VFIO_IOAS SET, or made when a VFIO
 * group is set to the context: group.c), as iommufd's vfio_compat.c
 * serves it: the API version, CHECK_EXTENSION, SET_IOMMU, GET_INFO (page
 * sizes, the DMA-avail and IOVA range capabilities), MAP_DMA (always a
 * fixed IOVA, charged as the context charges IOMMU_IOAS_MAP) and
 * UNMAP_DMA (unmap-all, and ranges made of whole areas; in TYPE1 mode,
 * where huge pages are off, the ends of the range are cut out of their
 * areas first, so part of a mapping can go). As in 6.12, an UNMAP_DMA of
 * a range with nothing mapped succeeds with size 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"
#include "hole.h"
#include "machine.h"
#include "pages.h"
#include "uaccess.h"
#include "util.h"

/* DMA_CC_IOMMU: whether every domain of the compat IOAS enforces it. */
static int emu_compat_cc(struct emu_ictx *ictx)
{
	const struct emu_hwpt *h;

	if (!ictx->vfio_ioas)
		return -ENODEV;
	for (h = ictx->vfio_ioas->domains; h; h = h->ioas_next) {
		if (!h->iommu->enforce_cc)
			return 0;
	}
	return 1;
}

/*
 * The kernel is built without VFIO_NOIOMMU, and iommufd answers no to the
 * nesting and vaddr-update extensions of the type-1 driver.
 */
static int emu_compat_check_extension(struct emu_ictx *ictx,
				      unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		return emu_compat_cc(ictx);
	default:
		return 0;
	}
}

static int emu_compat_set_iommu(struct emu_ictx *ictx, unsigned long type)
{
	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	if (!ictx->vfio_ioas)
		return -ENODEV;
	/* TYPE1 needs areas that can be cut: no huge pages. */
	if (type == VFIO_TYPE1_IOMMU)
		return emu_ioas_set_huge_pages(ictx->vfio_ioas, false);
	return 0;
}

/*
 * iommufd_get_pagesizes: the page sizes every domain has, sizes below
 * PAGE_SIZE folded into PAGE_SIZE, and at least the IOAS alignment.
 */
static uint64_t emu_compat_pgsizes(const struct emu_ioas *ioas)
{
	uint64_t sizes = UINT64_MAX;
	const struct emu_hwpt *h;

	for (h = ioas->domains; h; h = h->ioas_next)
		sizes &= h->iommu->pgsize_bitmap;
	if (sizes & (EMU_PAGE_SIZE - 1)) {
		sizes &= ~(EMU_PAGE_SIZE - 1);
		sizes |= EMU_PAGE_SIZE;
	}
	return sizes > ioas->iova_alignment ? sizes : ioas->iova_alignment;
}

/*
 * The DMA-avail capability at @at (@avail bytes of room): written only
 * when it fits whole. iommufd has no entry limit and says U32_MAX.
 */
static int emu_compat_cap_dma_avail(struct emu *emu, uint8_t *at,
				    size_t avail)
{
	struct vfio_iommu_type1_info_dma_avail cap = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			.version = 1,
		},
		.avail = UINT32_MAX,
	};

	if (avail >= sizeof(cap) && emu_copy_to_user(emu, at, &cap,
						     sizeof(cap)))
		return -EFAULT;
	return sizeof(cap);
}

/*
 * The IOVA range capability at @at: each range is written when it fits,
 * the header (with the count) only when the whole capability does.
 */
static int emu_compat_cap_iova(struct emu *emu, const struct emu_ioas *ioas,
			       uint8_t *at, size_t avail)
{
	struct vfio_iommu_type1_info_cap_iova_range cap = {
		.header = {
			.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			.version = 1,
		},
	};
	struct emu_hole_iter it;
	uint64_t start, last;
	size_t size;

	emu_hole_iter_init(&it, NULL, &ioas->resv, 0, UINT64_MAX);
	while (emu_hole_iter_next(&it, &start, &last)) {
		struct vfio_iova_range r = { .start = start, .end = last };

		size = sizeof(cap) + (cap.nr_iovas + 1) * sizeof(r);
		if (avail >= size &&
		    emu_copy_to_user(emu, at + size - sizeof(r), &r,
				     sizeof(r)))
			return -EFAULT;
		cap.nr_iovas++;
	}
	size = sizeof(cap) + cap.nr_iovas * sizeof(struct vfio_iova_range);
	if (avail >= size && emu_copy_to_user(emu, at, &cap, sizeof(cap)))
		return -EFAULT;
	return (int)size;
}

/*
 * GET_INFO: the struct, then the capability chain at offset sizeof(info),
 * DMA-avail first. Capabilities are written as far as argsz reaches; argsz
 * becomes the size of the whole chain, and cap_offset is set only when
 * all of it was written. Only min(argsz, sizeof(info)) bytes of the
 * struct are written back.
 */
static int emu_compat_get_info(struct emu_ictx *ictx, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_info,
					     iova_pgsizes);
	struct vfio_iommu_type1_info info;
	struct emu *emu = ictx->emu;
	uint8_t *uarg = arg;
	uint32_t total, last_cap = 0;
	struct emu_ioas *ioas;
	size_t out;
	int i, size;

	memset(&info, 0, sizeof(info));
	if (emu_copy_from_user(emu, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	out = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;

	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = emu_compat_pgsizes(ioas);
	info.cap_offset = 0;
	total = sizeof(info);
	for (i = 0; i < 2; i++) {
		size_t avail = info.argsz > total ? info.argsz - total : 0;

		size = i == 0 ? emu_compat_cap_dma_avail(emu, uarg + total,
							 avail)
			      : emu_compat_cap_iova(emu, ioas, uarg + total,
						    avail);
		if (size < 0)
			return size;
		size = (size + 7) & ~7;
		if (last_cap && info.argsz >= total &&
		    emu_copy_to_user(emu, uarg + last_cap +
				     offsetof(struct vfio_info_cap_header,
					      next), &total, sizeof(total)))
			return -EFAULT;
		last_cap = total;
		total += (uint32_t)size;
	}
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = total;
	info.flags |= VFIO_IOMMU_INFO_CAPS;
	return emu_copy_to_user(emu, arg, &info, out);
}

static int emu_compat_map_dma(struct emu_ictx *ictx, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_dma_map,
					     size);
	const uint32_t prot = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct vfio_iommu_type1_dma_map map;
	struct emu_map_frag frag;
	struct emu_pages *pages;
	struct emu_ioas *ioas;
	uint64_t iova, end, unmapped;
	int rc;

	if (emu_copy_from_user(ictx->emu, &map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~prot))
		return -EINVAL;
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;
	if (!map.size || map.size > UINT64_MAX - EMU_PAGE_SIZE)
		return -EINVAL;
	if (__builtin_add_overflow(map.vaddr, map.size, &end))
		return -EOVERFLOW;
	rc = emu_pages_create(ictx->emu, map.vaddr, map.size,
			      map.flags & VFIO_DMA_MAP_FLAG_WRITE,
			      emu_ioas_acct_mode(ictx), &pages);
	if (rc)
		return rc;
	frag.pages = pages;
	frag.user_va = map.vaddr;
	frag.length = map.size;
	iova = map.iova;
	rc = emu_ioas_map_frags(ioas, &frag, 1, map.size, true,
				(map.flags & VFIO_DMA_MAP_FLAG_READ ?
				 EMU_PROT_READ : 0) |
				(map.flags & VFIO_DMA_MAP_FLAG_WRITE ?
				 EMU_PROT_WRITE : 0), &iova);
	emu_pages_release(pages);
	/*
	 * A mapping with neither read nor write is pinned and placed, and
	 * then refused by the IOMMU driver (VT-d: EINVAL) when there is a
	 * domain to map it into; it goes again with nothing left behind.
	 */
	if (!rc && !(map.flags & prot) && ioas->nr_domains) {
		emu_ioas_unmap_range(ioas, map.iova, map.size, &unmapped);
		rc = -EINVAL;
	}
	return rc;
}

/* size becomes the bytes unmapped, written back also on failure. */
static int emu_compat_unmap_dma(struct emu_ictx *ictx, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_dma_unmap,
					     size);
	struct vfio_iommu_type1_dma_unmap unmap;
	struct emu_ioas *ioas;
	uint64_t unmapped = 0;
	int rc;

	if (emu_copy_from_user(ictx->emu, &unmap, arg, minsz))
		return -EFAULT;
	if (unmap.argsz < minsz || (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;
	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size)
			return -EINVAL;
		rc = emu_ioas_unmap_all(ioas, &unmapped);
	} else {
		/* TYPE1 (no huge pages): cut the ends so part of a map goes. */
		if (ioas->huge_pages_off) {
			rc = emu_ioas_cut(ioas, unmap.iova + unmap.size - 1);
			if (!rc && unmap.iova)
				rc = emu_ioas_cut(ioas, unmap.iova - 1);
			if (rc)
				return rc;
		}
		rc = emu_ioas_unmap_range(ioas, unmap.iova, unmap.size,
					  &unmapped);
	}
	/* Written back also on failure: size is what did go. */
	unmap.size = unmapped;
	if (emu_copy_to_user(ictx->emu, arg, &unmap, minsz))
		return -EFAULT;
	return rc;
}

/*
 * As the kernel: the IOAS is allocated (taking an id) before the check,
 * so an existing compat IOAS costs nothing but the id's round trip.
 */
int emu_ictx_compat_ioas_create(struct emu_ictx *ictx)
{
	struct emu_ioas *ioas;
	int rc;

	rc = emu_ioas_alloc(ictx, &ioas);
	if (rc)
		return rc;
	if (ictx->vfio_ioas) {
		emu_ioas_abort(ioas);
		return 0;
	}
	ictx->vfio_ioas = ioas;
	emu_obj_publish(&ictx->objs, &ioas->obj);
	return 0;
}

int emu_iommufd_compat_ioctl(struct emu_ictx *ictx, unsigned int cmd,
			     void *arg)
{
	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return emu_compat_check_extension(ictx, (unsigned long)arg);
	case VFIO_SET_IOMMU:
		return emu_compat_set_iommu(ictx, (unsigned long)arg);
	case VFIO_IOMMU_GET_INFO:
		return emu_compat_get_info(ictx, arg);
	case VFIO_IOMMU_MAP_DMA:
		return emu_compat_map_dma(ictx, arg);
	case VFIO_IOMMU_UNMAP_DMA:
		return emu_compat_unmap_dma(ictx, arg);
	default:
		return -ENOTTY;
	}
}
