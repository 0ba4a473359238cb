/* SPDX-License-Identifier: MIT */
/*
 * The IOAS object: an I/O address space with its areas (mapped IOVA), its
 * reserved set, its iova_alignment and its domains (the HWPT_PAGING
 * objects built on it, in creation order).
 *
 * Invariants:
 *  - no area intersects a reserved interval (reservations are refused with
 *    EADDRINUSE over mapped IOVA; maps are refused with EINVAL over
 *    reserved IOVA);
 *  - iova_alignment = max(1, smallest page size of every domain);
 *  - every area is pinned (area->pinned != 0) exactly while the IOAS has at
 *    least one domain, and the machine's pinned_pages counts those pins;
 *  - users = 1 + number of domains.
 */
#ifndef EMU_IOAS_H
#define EMU_IOAS_H

#include <stdint.h>

#include "area.h"
#include "obj.h"
#include "resv.h"

struct emu_ictx;
struct emu_hwpt;
struct emu_ucmd;

struct emu_ioas {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ictx *ictx;
	struct emu_area_store areas;
	struct emu_resv_set resv;
	uint64_t iova_alignment;
	struct emu_hwpt *domains;	/* list through hwpt->ioas_next */
	unsigned int nr_domains;
};

/* A new empty IOAS with a reserved (unpublished) id: 0 or -errno. */
int emu_ioas_alloc(struct emu_ictx *ictx, struct emu_ioas **out);
/* Undo emu_ioas_alloc before publication. */
void emu_ioas_abort(struct emu_ioas *ioas);
/* Destroy op: unmap (and unpin) everything and free. */
void emu_ioas_destroy(struct emu_obj *obj);

/* Typed lookup: the published IOAS @id or NULL. */
struct emu_ioas *emu_ioas_find(struct emu_ictx *ictx, uint32_t id);

/*
 * Make @hwpt a domain of @ioas (spec 2.10 steps 9-12): -EINVAL when its
 * page size exceeds PAGE_SIZE, -EADDRINUSE when an area cannot meet the new
 * alignment or lies outside the aperture, -ENOMEM. Pins every area when it
 * is the first domain. On failure nothing changed.
 */
int emu_ioas_domain_add(struct emu_ioas *ioas, struct emu_hwpt *hwpt);
/* Reverse of emu_ioas_domain_add; unpins with the last domain. */
void emu_ioas_domain_remove(struct emu_ioas *ioas, struct emu_hwpt *hwpt);

/*
 * Reserve [start, last] for @owner: -EADDRINUSE when mapped IOVA lies
 * inside, -ENOMEM. Earlier reservations of @owner are kept on failure.
 */
int emu_ioas_reserve(struct emu_ioas *ioas, uint64_t start, uint64_t last,
		     const void *owner);
/* Drop every reservation of @owner. */
void emu_ioas_unreserve(struct emu_ioas *ioas, const void *owner);

/* Remove @area (unpinning it). @area pointers are invalid afterwards. */
void emu_ioas_area_remove(struct emu_ioas *ioas, struct emu_area *area);
/* Insert a copy of @tmpl, pinned if the IOAS has domains: 0 or -ENOMEM. */
int emu_ioas_area_add(struct emu_ioas *ioas, const struct emu_area *tmpl);

/* ioctl handlers (ioas_ioctl.c) */
int emu_ioas_alloc_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_iova_ranges_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_map_ioctl(struct emu_ucmd *ucmd);
int emu_ioas_unmap_ioctl(struct emu_ucmd *ucmd);

#endif /* EMU_IOAS_H */
