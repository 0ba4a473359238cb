/* SPDX-License-Identifier: MIT */
/*
 * ACCESS objects: an in-kernel user of an IOAS that is not a device behind
 * an IOMMU (an emulated device, the selftest's mock access), as
 * drivers/iommu/iommufd/device.c's iommufd_access. It reads and writes
 * through IOVAs with the CPU (emu_access_rw) and, when its driver needs
 * pages it can keep (needs_pin_pages), pins them (emu_access_pin_pages).
 *
 * Invariants: the object has no uAPI of its own (IOMMU_DESTROY sees EBUSY:
 * users = 1 + the driver's); it holds a reference on its context; while
 * attached it is on its IOAS's access list, holds a user on the IOAS and
 * raises the IOAS's iova_alignment to PAGE_SIZE if it pins. Every pin is
 * counted in the area it lies in (num_accesses) and in the area's pages
 * object (pages.h); an unmap over a pinned area first asks every access
 * of the IOAS to let go (ops->unmap), as the kernel does.
 */
#ifndef EMU_ACCESS_H
#define EMU_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obj.h"

struct emu_ictx;
struct emu_ioas;

/* The access's driver, as iommufd_access_ops. */
struct emu_access_ops {
	bool needs_pin_pages;
	/* Drop every pin of the access intersecting [iova, iova + length). */
	void (*unmap)(void *data, uint64_t iova, uint64_t length);
};

/* IOMMUFD_ACCESS_RW_* of the kernel (the selftest's values are these). */
#define EMU_ACCESS_RW_WRITE (1u << 0)
#define EMU_ACCESS_RW_SLOW_PATH (1u << 2)

struct emu_access {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ictx *ictx;
	struct emu_ioas *ioas;		/* attached to, or NULL */
	const struct emu_access_ops *ops;
	void *data;
	uint64_t iova_alignment;	/* PAGE_SIZE if it pins, else 1 */
	struct emu_access *ioas_next;	/* next access of the same IOAS */
};

/*
 * Create and publish an access of @ops (the driver's @data comes back in
 * its callbacks): 0, -ENOMEM or -EBUSY (ids).
 */
int emu_access_create(struct emu_ictx *ictx, const struct emu_access_ops *ops,
		      void *data, struct emu_access **out);
/* Detach (the driver is told to unpin everything), remove, free. */
void emu_access_destroy(struct emu_access *access);
/* Destroy op (never reached through IOMMU_DESTROY). */
void emu_access_destroy_obj(struct emu_obj *obj);

/*
 * Attach the unattached @access to IOAS @ioas_id: -ENOENT, -EADDRINUSE (an
 * area does not meet the pinning alignment), -ENOMEM.
 */
int emu_access_attach(struct emu_access *access, uint32_t ioas_id);
/*
 * Move @access to IOAS @ioas_id: -ENOENT when not attached or no such
 * IOAS, else as attach; the old IOAS is left (after the driver unpinned
 * everything) only once the new one took it.
 */
int emu_access_replace(struct emu_access *access, uint32_t ioas_id);

/*
 * Pin [iova, iova + length): -EINVAL (length 0, or the range does not
 * start on a page or break between areas on a page boundary), -EOVERFLOW,
 * -ENOENT (not attached, or not covered by areas without a gap), -EPERM
 * (@write on an area mapped without WRITEABLE), -EFAULT / -ENOMEM (the
 * pin). Nothing stays pinned on failure.
 */
int emu_access_pin_pages(struct emu_access *access, uint64_t iova,
			 uint64_t length, bool write);
/* Undo exactly one emu_access_pin_pages of the same range. */
void emu_access_unpin_pages(struct emu_access *access, uint64_t iova,
			    uint64_t length);

/*
 * Copy @length bytes between @data (the model's memory) and the memory
 * mapped at @iova (EMU_ACCESS_RW_*): -EINVAL (length 0), -EOVERFLOW,
 * -ENOENT (not attached, or a gap), -EPERM (read-only area or pages for a
 * write), -EFAULT.
 */
int emu_access_rw(struct emu_access *access, uint64_t iova, void *data,
		  uint64_t length, unsigned int flags);

#endif /* EMU_ACCESS_H */
