// SPDX-License-Identifier: MIT
/*
 * The IOAS ioctls: IOAS_ALLOC (spec 2.2), IOAS_IOVA_RANGES (2.3),
 * IOAS_MAP (2.5, with automatic IOVA per 4.4) and IOAS_UNMAP (2.7). Each
 * handler validates in the spec's order, because that order decides which
 * errno a call with several faults gets.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <linux/iommufd.h>

#include "hole.h"
#include "ioas.h"
#include "iommufd.h"
#include "ucmd.h"
#include "util.h"

int emu_ioas_alloc_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct emu_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	rc = emu_ioas_alloc(ucmd->ictx, &ioas);
	if (rc)
		return rc;
	cmd->out_ioas_id = ioas->obj.id;
	emu_obj_publish(&ucmd->ictx->objs, &ioas->obj);
	emu_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;
}

/*
 * The usable ranges are the holes of the reserved set over the whole
 * 64-bit space; neither areas nor the allowed list take part. Entries past
 * the caller's array are counted but not written, and the struct is
 * written back before EMSGSIZE so the caller learns the count.
 */
int emu_ioas_iova_ranges_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommu_iova_range *out;
	struct emu_hole_iter it;
	struct emu_ioas *ioas;
	uint64_t start, last;
	uint32_t room, total = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = emu_ioas_find(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;

	out = (struct iommu_iova_range *)(uintptr_t)cmd->allowed_iovas;
	room = cmd->num_iovas;
	emu_hole_iter_init(&it, NULL, &ioas->resv, 0, UINT64_MAX);
	while (emu_hole_iter_next(&it, &start, &last)) {
		if (total < room) {
			struct iommu_iova_range r = { .start = start,
						      .last = last };

			if (!out)
				return -EFAULT;
			memcpy(&out[total], &r, sizeof(r));
		}
		total++;
	}
	cmd->num_iovas = total;
	cmd->out_iova_alignment = ioas->iova_alignment;
	emu_ucmd_respond(ucmd, sizeof(*cmd));
	if (total > room)
		return -EMSGSIZE;
	return 0;
}

/*
 * Automatic IOVA (spec 4.4): alignment from the length and the user VA,
 * capped at the huge page size, the page offset of the user VA preserved,
 * first fit over [PAGE_SIZE, U64_MAX - PAGE_SIZE] so that neither the
 * first nor the last page is ever chosen.
 */
static int emu_ioas_alloc_iova(const struct emu_ioas *ioas, uint64_t user_va,
			       uint64_t length, uint64_t *iova)
{
	uint64_t page_offset = user_va % EMU_PAGE_SIZE;
	uint64_t align, start, last, cand;
	struct emu_hole_iter it;

	if (length >= UINT64_MAX / 2)
		return -EOVERFLOW;
	align = emu_roundup_pow2(length);
	if (user_va && (user_va & -user_va) < align)
		align = user_va & -user_va;
	if (align > EMU_HPAGE_SIZE)
		align = EMU_HPAGE_SIZE;
	if (align < ioas->iova_alignment)
		return -EINVAL;

	emu_hole_iter_init(&it, &ioas->areas, &ioas->resv, EMU_PAGE_SIZE,
			   UINT64_MAX - EMU_PAGE_SIZE);
	while (emu_hole_iter_next(&it, &start, &last)) {
		if (!emu_align_up(start, align, &cand))
			continue;
		cand |= page_offset;
		if (cand > last || last - cand < length - 1)
			continue;
		*iova = cand;
		return 0;
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

int emu_ioas_map_ioctl(struct emu_ucmd *ucmd)
{
	const uint32_t known = IOMMU_IOAS_MAP_FIXED_IOVA |
			       IOMMU_IOAS_MAP_WRITEABLE |
			       IOMMU_IOAS_MAP_READABLE;
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct emu_area area = { 0 };
	struct emu_ioas *ioas;
	uint64_t iova = cmd->iova, end;
	int rc;

	if ((cmd->flags & ~known) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->iova == UINT64_MAX || cmd->length == UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)))
		return -EINVAL;
	ioas = emu_ioas_find(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (!cmd->length || cmd->length > UINT64_MAX - EMU_PAGE_SIZE)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->user_va, cmd->length, &end))
		return -EOVERFLOW;
	if (cmd->length % ioas->iova_alignment)
		return -EINVAL;

	if (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA)
		rc = emu_ioas_check_fixed(ioas, iova, cmd->length);
	else
		rc = emu_ioas_alloc_iova(ioas, cmd->user_va, cmd->length,
					 &iova);
	if (rc)
		return rc;
	if ((cmd->user_va % EMU_PAGE_SIZE) % ioas->iova_alignment)
		return -EINVAL;

	/* User memory is not checked: pinning is only counted for now. */
	area.iova = iova;
	area.last = iova + cmd->length - 1;
	area.user_va = cmd->user_va;
	area.writeable = cmd->flags & IOMMU_IOAS_MAP_WRITEABLE;
	rc = emu_ioas_area_add(ioas, &area);
	if (rc)
		return rc;
	cmd->iova = iova;
	emu_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;
}

/*
 * Whole areas only, holes allowed, lowest IOVA first and not atomic: areas
 * removed before an offending one stay removed (spec 2.7). length becomes
 * the number of bytes really unmapped, written back on success only.
 */
int emu_ioas_unmap_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	struct emu_ioas *ioas;
	struct emu_area *area;
	uint64_t last, unmapped = 0;

	ioas = emu_ioas_find(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;

	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		while ((area = emu_area_first(&ioas->areas))) {
			unmapped += area->last - area->iova + 1;
			emu_ioas_area_remove(ioas, area);
		}
		goto out_respond;
	}

	if (cmd->iova == UINT64_MAX || cmd->length == UINT64_MAX)
		return -EOVERFLOW;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->iova, cmd->length - 1, &last))
		return -EOVERFLOW;

	while ((area = emu_area_first_hit(&ioas->areas, cmd->iova, last))) {
		if (area->iova < cmd->iova || area->last > last)
			return -ENOENT;
		unmapped += area->last - area->iova + 1;
		emu_ioas_area_remove(ioas, area);
	}
	if (!unmapped)
		return -ENOENT;

out_respond:
	cmd->length = unmapped;
	emu_ucmd_respond(ucmd, sizeof(*cmd));
	return 0;
}
