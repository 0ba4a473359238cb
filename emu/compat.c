// SPDX-License-Identifier: MIT
/*
 * The VFIO type-1 container API on an iommufd fd (spec 2.16), on top of
 * the context's compat IOAS (IOMMU_VFIO_IOAS SET). Implemented: the API
 * version, CHECK_EXTENSION, SET_IOMMU, GET_INFO (page sizes, the IOVA
 * range and DMA-avail capabilities), MAP_DMA (always fixed IOVA, always
 * per-mm accounting) and UNMAP_DMA (unmap-all, and whole-area ranges).
 *
 * Not modelled: TYPE1 (v1) partial unmaps that cut areas; a TYPE1 unmap
 * behaves like TYPE1v2 (ENOENT for a cut).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "ioas.h"
#include "iommufd.h"
#include "hole.h"
#include "hwpt.h"
#include "machine.h"
#include "pages.h"
#include "uaccess.h"
#include "util.h"

static int emu_compat_check_extension(struct emu_ictx *ictx,
				      unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		/* VT-d enforces coherency; it needs the compat IOAS. */
		return ictx->vfio_ioas ? 1 : -ENODEV;
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

/* iommufd_get_pagesizes: every domain's sizes, at least the alignment. */
static uint64_t emu_compat_pgsizes(const struct emu_ioas *ioas)
{
	uint64_t sizes = UINT64_MAX;
	const struct emu_hwpt *h;

	for (h = ioas->domains; h; h = h->ioas_next)
		sizes &= ~(h->profile->pgsize - 1);
	if (sizes & (EMU_PAGE_SIZE - 1)) {
		sizes &= ~(EMU_PAGE_SIZE - 1);
		sizes |= EMU_PAGE_SIZE;
	}
	return sizes & ~(ioas->iova_alignment - 1);
}

/*
 * GET_INFO: the struct, then (room permitting) the capability chain at
 * offset sizeof(info): IOVA_RANGE (the usable ranges) then DMA_AVAIL.
 * When argsz is too small for the chain, argsz grows to the needed size
 * and no capability is written; nothing is written past argsz.
 */
static int emu_compat_get_info(struct emu_ictx *ictx, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_info,
					     iova_pgsizes);
	struct vfio_iommu_type1_info_cap_iova_range *iova_cap;
	struct vfio_iommu_type1_info_dma_avail avail;
	struct vfio_iommu_type1_info info;
	struct emu *emu = ictx->emu;
	struct emu_hole_iter it;
	struct emu_ioas *ioas;
	uint64_t start, last;
	uint32_t nr = 0, i = 0;
	size_t iova_sz, total;
	int rc;

	memset(&info, 0, sizeof(info));
	if (emu_copy_from_user(emu, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;

	emu_hole_iter_init(&it, NULL, &ioas->resv, 0, UINT64_MAX);
	while (emu_hole_iter_next(&it, &start, &last))
		nr++;
	iova_sz = sizeof(*iova_cap) + nr * sizeof(iova_cap->iova_ranges[0]);
	total = sizeof(info) + iova_sz + sizeof(avail);

	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = emu_compat_pgsizes(ioas);
	info.cap_offset = 0;
	if (info.argsz >= total) {
		iova_cap = calloc(1, iova_sz);
		if (!iova_cap)
			return -ENOMEM;
		iova_cap->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
		iova_cap->header.version = 1;
		iova_cap->header.next = sizeof(info) + iova_sz;
		iova_cap->nr_iovas = nr;
		emu_hole_iter_init(&it, NULL, &ioas->resv, 0, UINT64_MAX);
		while (emu_hole_iter_next(&it, &start, &last)) {
			iova_cap->iova_ranges[i].start = start;
			iova_cap->iova_ranges[i].end = last;
			i++;
		}
		memset(&avail, 0, sizeof(avail));
		avail.header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
		avail.header.version = 1;
		avail.avail = 65535;
		rc = emu_copy_to_user(emu, (uint8_t *)arg + sizeof(info),
				      iova_cap, iova_sz);
		free(iova_cap);
		if (rc)
			return rc;
		if (emu_copy_to_user(emu, (uint8_t *)arg + sizeof(info) +
				     iova_sz, &avail, sizeof(avail)))
			return -EFAULT;
		info.flags |= VFIO_IOMMU_INFO_CAPS;
		info.cap_offset = sizeof(info);
	} else {
		info.argsz = (uint32_t)total;
	}
	return emu_copy_to_user(emu, arg, &info,
				info.argsz < sizeof(info) ? info.argsz :
				sizeof(info));
}

static int emu_compat_map_dma(struct emu_ictx *ictx, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_dma_map,
					     size);
	const uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	struct vfio_iommu_type1_dma_map map;
	struct emu_map_frag frag;
	struct emu_pages *pages;
	struct emu_ioas *ioas;
	uint64_t iova, end;
	int rc;

	if (emu_copy_from_user(ictx->emu, &map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz || (map.flags & ~known))
		return -EINVAL;
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;
	if (!map.size || map.size > UINT64_MAX - EMU_PAGE_SIZE)
		return -EINVAL;
	if (__builtin_add_overflow(map.vaddr, map.size, &end))
		return -EOVERFLOW;
	/* VFIO accounting is always per mm, CAP_IPC_LOCK aside. */
	rc = emu_pages_create(ictx->emu, map.vaddr, map.size,
			      map.flags & VFIO_DMA_MAP_FLAG_WRITE,
			      ictx->emu->creds.cap_ipc_lock ? EMU_ACCT_NONE :
			      EMU_ACCT_MM, &pages);
	if (rc)
		return rc;
	frag.pages = pages;
	frag.user_va = map.vaddr;
	frag.length = map.size;
	iova = map.iova;
	rc = emu_ioas_map_frags(ioas, &frag, 1, map.size, true,
				map.flags & VFIO_DMA_MAP_FLAG_WRITE, &iova);
	emu_pages_release(pages);
	return rc;
}

static int emu_compat_unmap_dma(struct emu_ictx *ictx, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_dma_unmap,
					     size);
	struct vfio_iommu_type1_dma_unmap unmap;
	struct emu_ioas *ioas;
	uint64_t unmapped;
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
		unmapped = emu_ioas_unmap_all(ioas);
	} else {
		rc = emu_ioas_unmap_range(ioas, unmap.iova, unmap.size,
					  &unmapped);
		if (rc)
			return rc;
	}
	unmap.size = unmapped;
	return emu_copy_to_user(ictx->emu, arg, &unmap, minsz);
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
