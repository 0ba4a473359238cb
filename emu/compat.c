// SPDX-License-Identifier: MIT
/*
 * The VFIO type-1 container API on an iommufd fd (spec 2.16), on top of
 * the context's compat IOAS (IOMMU_VFIO_IOAS SET). Implemented: the API
 * version, CHECK_EXTENSION, SET_IOMMU, GET_INFO (page sizes, the DMA-avail
 * and IOVA range capabilities), MAP_DMA (always fixed IOVA, always
 * per-mm accounting) and UNMAP_DMA (unmap-all, and whole-area ranges;
 * in TYPE1 mode, where huge pages are off, the ends of the range are cut
 * out of their areas first, so part of a mapping can go). As in 6.12, an
 * UNMAP_DMA of a range with nothing mapped succeeds with size 0.
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
 * One capability of GET_INFO at @off of the user's buffer (@avail bytes
 * there): written only if it fits whole; returns its size, the next one
 * starting at the size rounded up to 8 bytes. The IOVA ranges of the IOVA
 * cap are written one by one while they fit, its header only whole.
 */
static int emu_compat_cap_dma_avail(struct emu *emu, uint8_t *at,
				    size_t avail)
{
	struct vfio_iommu_type1_info_dma_avail cap;

	memset(&cap, 0, sizeof(cap));
	cap.header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	cap.header.version = 1;
	/* iommufd's limit is the memory cgroup's; it reports U32_MAX. */
	cap.avail = UINT32_MAX;
	if (avail >= sizeof(cap) && emu_copy_to_user(emu, at, &cap, sizeof(cap)))
		return -EFAULT;
	return (int)sizeof(cap);
}

static int emu_compat_cap_iova(struct emu *emu, const struct emu_ioas *ioas,
			       uint8_t *at, size_t avail)
{
	struct vfio_iommu_type1_info_cap_iova_range cap;
	const size_t range_sz = sizeof(cap.iova_ranges[0]);
	struct emu_hole_iter it;
	struct vfio_iova_range r;
	uint64_t start, last;

	memset(&cap, 0, sizeof(cap));
	cap.header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	cap.header.version = 1;
	emu_hole_iter_init(&it, NULL, &ioas->resv, 0, UINT64_MAX);
	while (emu_hole_iter_next(&it, &start, &last)) {
		r.start = start;
		r.end = last;
		if (avail >= sizeof(cap) + (cap.nr_iovas + 1) * range_sz &&
		    emu_copy_to_user(emu, at + sizeof(cap) +
				     cap.nr_iovas * range_sz, &r, sizeof(r)))
			return -EFAULT;
		cap.nr_iovas++;
	}
	if (avail >= sizeof(cap) + cap.nr_iovas * range_sz &&
	    emu_copy_to_user(emu, at, &cap, sizeof(cap)))
		return -EFAULT;
	return (int)(sizeof(cap) + cap.nr_iovas * range_sz);
}

/*
 * GET_INFO (vfio_compat.c's iommufd_vfio_iommu_get_info): the struct, and
 * after it the capability chain, DMA_AVAIL then IOVA_RANGE, each written
 * if it fits, a cap's next link only once the cap itself fit. argsz
 * becomes the size of everything; cap_offset is set only if everything
 * fit, while CAPS is always in flags. The struct is written back up to
 * the caller's argsz; nothing is written past it.
 */
static int emu_compat_get_info(struct emu_ictx *ictx, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_iommu_type1_info,
					     iova_pgsizes);
	struct vfio_iommu_type1_info info;
	struct emu *emu = ictx->emu;
	uint8_t *base = arg;
	struct emu_ioas *ioas;
	size_t total = sizeof(info), last_cap = 0, n;
	unsigned int i;
	int cap;

	memset(&info, 0, sizeof(info));
	if (emu_copy_from_user(emu, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	n = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	ioas = ictx->vfio_ioas;
	if (!ioas)
		return -ENODEV;

	info.flags = VFIO_IOMMU_INFO_PGSIZES;
	info.iova_pgsizes = emu_compat_pgsizes(ioas);
	info.cap_offset = 0;
	for (i = 0; i < 2; i++) {
		size_t avail = info.argsz > total ? info.argsz - total : 0;
		uint8_t *at = avail ? base + total : NULL;
		uint32_t next = (uint32_t)total;

		cap = i == 0 ? emu_compat_cap_dma_avail(emu, at, avail) :
			       emu_compat_cap_iova(emu, ioas, at, avail);
		if (cap < 0)
			return cap;
		if (last_cap && info.argsz >= total &&
		    emu_copy_to_user(emu, base + last_cap +
				     offsetof(struct vfio_info_cap_header,
					      next),
				     &next, sizeof(next)))
			return -EFAULT;
		last_cap = total;
		total += ((size_t)cap + 7) & ~(size_t)7;
	}
	if (info.argsz >= total)
		info.cap_offset = sizeof(info);
	info.argsz = (uint32_t)total;
	info.flags |= VFIO_IOMMU_INFO_CAPS;
	return emu_copy_to_user(emu, arg, &info, n);
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
