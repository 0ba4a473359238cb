/* SPDX-License-Identifier: MIT */
/*
 * The IOAS object: an I/O address space with its areas (mapped IOVA), its
 * reserved set, its allowed list, its iova_alignment and its domains (the
 * HWPT_PAGING objects built on it, in creation order).
 *
 * Invariants:
 *  - no area intersects a reserved interval, and no reserved interval
 *    intersects an allowed range (reservations are refused with
 *    EADDRINUSE over mapped or allowed IOVA; maps are refused with EINVAL
 *    over reserved IOVA; ALLOW_IOVAS is refused with EADDRINUSE over
 *    reserved IOVA);
 *  - iova_alignment = max(1, smallest page size of every domain,
 *    PAGE_SIZE when huge pages are disabled, PAGE_SIZE for each attached
 *    access that pins);
 *  - every area is loaded (pinned through its pages object) exactly while
 *    the IOAS has at least one domain;
 *  - users = 1 + number of domains + number of attached accesses.
 */
#ifndef EMU_IOAS_H
#define EMU_IOAS_H

#include <stdbool.h>
#include <stdint.h>

#include <emu/emu.h>

#include "area.h"
#include "obj.h"
#include "pages.h"
#include "resv.h"

struct emu_access;
struct emu_ictx;
struct emu_hwpt;
struct emu_mm;
struct emu_ucmd;

struct emu_ioas {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ictx *ictx;
	struct emu_area_store areas;
	struct emu_resv_set resv;
	struct emu_iova_range *allowed;	/* sorted, disjoint; NULL: none */
	uint32_t nr_allowed;
	bool huge_pages_off;		/* IOMMU_OPTION_HUGE_PAGES = 0 */
	uint64_t iova_alignment;
	struct emu_hwpt *domains;	/* list through hwpt->ioas_next */
	unsigned int nr_domains;
	struct emu_access *accesses;	/* list through access->ioas_next */
};

/* A new empty IOAS with a reserved (unpublished) id: 0 or -errno. */
int emu_ioas_alloc(struct emu_ictx *ictx, struct emu_ioas **out);
/* Undo emu_ioas_alloc before publication. */
void emu_ioas_abort(struct emu_ioas *ioas);
/* Destroy op: unmap (and unpin) everything and free. */
void emu_ioas_destroy(struct emu_obj *obj);

/* Typed lookup: the published IOAS @id or NULL. */
struct emu_ioas *emu_ioas_find(struct emu_ictx *ictx, uint32_t id);
/* The same by a user's id, for an ioctl: a fault point first. */
struct emu_ioas *emu_ioas_get_user(struct emu_ictx *ictx, uint32_t id);

/*
 * Make @hwpt a domain of @ioas (spec 2.10 steps 9-12): -EINVAL when its
 * page size exceeds PAGE_SIZE, -EADDRINUSE when an area cannot meet the new
 * alignment or mapped or allowed IOVA lies outside the aperture, -EFAULT
 * or -ENOMEM when loading the areas fails (first domain only: later ones
 * share the pins). On failure nothing changed.
 */
int emu_ioas_domain_add(struct emu_ioas *ioas, struct emu_hwpt *hwpt);
/* Reverse of emu_ioas_domain_add; unpins with the last domain. */
void emu_ioas_domain_remove(struct emu_ioas *ioas, struct emu_hwpt *hwpt);

/*
 * Reserve [start, last] for @owner: -EADDRINUSE when mapped or allowed
 * IOVA lies inside, -ENOMEM. Earlier reservations of @owner are kept on
 * failure.
 */
int emu_ioas_reserve(struct emu_ioas *ioas, uint64_t start, uint64_t last,
		     const void *owner);
/* Drop every reservation of @owner. */
void emu_ioas_unreserve(struct emu_ioas *ioas, const void *owner);

/*
 * Whether @access may become a user of @ioas: -EADDRINUSE when its
 * alignment is more than an area meets, -ENOMEM.
 */
int emu_ioas_access_check(struct emu_ioas *ioas,
			  const struct emu_access *access);
/* Make @access (checked, attached nowhere) a user of @ioas. */
void emu_ioas_access_link(struct emu_ioas *ioas, struct emu_access *access);
/* Reverse of emu_ioas_access_add; the access holds no pin any more. */
void emu_ioas_access_remove(struct emu_ioas *ioas, struct emu_access *access);

/*
 * Cut the area holding @iova so that @iova ends one (the VFIO type-1
 * compat unmap of part of a mapping): 0 also when nothing is mapped there
 * or @iova already ends or starts the area; -EINVAL when the cut is not
 * aligned or an access pins the area; -ENOMEM.
 */
int emu_ioas_cut(struct emu_ioas *ioas, uint64_t iova);

/* Remove @area: unload, unlink, drop its pages reference, free. */
void emu_ioas_area_remove(struct emu_ioas *ioas, struct emu_area *area);

/*
 * Drop the dirty state of [iova, last] in every domain of the IOAS: an
 * unmapped range's IOMMU PTEs are gone, and their dirty bits with them.
 */
void emu_ioas_domains_forget(struct emu_ioas *ioas, uint64_t iova,
			     uint64_t last);

/*
 * IOMMU_OPTION_HUGE_PAGES (spec 2.8 5'-7'): enabling always works;
 * disabling is -EINVAL with a domain and an area, -EADDRINUSE when an
 * area does not meet PAGE_SIZE alignment (setting unchanged).
 */
int emu_ioas_set_huge_pages(struct emu_ioas *ioas, bool enable);

/*
 * How a new pages object of @ictx is charged: not at all with
 * CAP_IPC_LOCK, else per the context's RLIMIT_MODE.
 */
enum emu_acct emu_ioas_acct_mode(const struct emu_ictx *ictx);

/* ioctl handlers (ioas_ioctl.c) */
int emu_ioas_alloc_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_iova_ranges_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_allow_iovas_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_map_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_copy_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_unmap_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_option_huge_pages(struct emu_ucmd *ucmd);
int emu_ioas_vfio_ioas_ioctl(struct emu_ucmd *ucmd);

/*
 * The map core shared by MAP, COPY and the VFIO compat MAP_DMA: place
 * @nr fragments (each a slice of a pages object) contiguously from
 * *@iova (FIXED when @fixed, else chosen per spec 4.4 from the first
 * fragment's user VA), check alignment, pin if the IOAS has domains and
 * insert the areas with @prot (EMU_PROT_* bits). Returns 0 with *@iova
 * set, or the spec's errno with nothing changed.
 */
struct emu_map_frag {
	struct emu_pages *pages;
	uint64_t user_va;
	uint64_t length;
};

int emu_ioas_map_frags(struct emu_ioas *ioas, const struct emu_map_frag *f,
		       unsigned int nr, uint64_t length, bool fixed,
		       unsigned int prot, uint64_t *iova);

/*
 * Unmap every area inside [iova, iova + length), the kernel's
 * iopt_unmap_iova: -EINVAL for length 0, -EOVERFLOW when the range wraps,
 * -ENOENT when an area crosses its edge (the areas before it are gone
 * already). Accesses pinning an area are asked to let go first; one that
 * never does makes it -EDEADLOCK. *@unmapped gets the bytes unmapped, on
 * failure too, 0 included: an empty range is a success here
 * (IOMMU_IOAS_UNMAP refuses it itself, the VFIO compat path does not).
 */
int emu_ioas_unmap_range(struct emu_ioas *ioas, uint64_t iova,
			 uint64_t length, uint64_t *unmapped);
/* Unmap everything: 0 or -EDEADLOCK, the bytes unmapped in *@unmapped. */
int emu_ioas_unmap_all(struct emu_ioas *ioas, uint64_t *unmapped);

#endif /* EMU_IOAS_H */
