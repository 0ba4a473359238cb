// SPDX-License-Identifier: MIT
/*
 * The IOAS ioctls: IOAS_ALLOC (spec 2.2), IOAS_IOVA_RANGES (2.3),
 * IOAS_ALLOW_IOVAS (2.4), IOAS_MAP (2.5), IOAS_COPY (2.6), IOAS_UNMAP
 * (2.7), the HUGE_PAGES option (2.8) and VFIO_IOAS (2.9). Each handler
 * validates in the spec's order, because that order decides which errno a
 * call with several faults gets; placement, pinning and the area rules
 * are the IOAS's (ioas.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include "failnth.h"
#include "hole.h"
#include "ioas.h"
#include "iommufd.h"
#include "machine.h"
#include "pages.h"
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
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort_ioas;
	emu_obj_publish(&ucmd->ictx->objs, &ioas->obj);
	return 0;

err_abort_ioas:
	emu_ioas_abort(ioas);
	return rc;
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
	struct emu *emu = ucmd->ictx->emu;
	uint64_t out;
	struct emu_hole_iter it;
	struct emu_ioas *ioas;
	uint64_t start, last;
	uint32_t room, total = 0;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = emu_ioas_get_user(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;

	out = cmd->allowed_iovas;
	room = cmd->num_iovas;
	emu_hole_iter_init(&it, NULL, &ioas->resv, 0, UINT64_MAX);
	while (emu_hole_iter_next(&it, &start, &last)) {
		if (total < room) {
			struct iommu_iova_range r = { .start = start,
						      .last = last };

			rc = emu_copy_to_user(emu, emu_u64_to_user_ptr(
					out + (uint64_t)total * sizeof(r)),
					&r, sizeof(r));
			if (rc)
				return rc;
		}
		total++;
	}
	cmd->num_iovas = total;
	cmd->out_iova_alignment = ioas->iova_alignment;
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		return rc;
	if (total > room)
		return -EMSGSIZE;
	return 0;
}

static int emu_range_cmp(const void *a, const void *b)
{
	const struct emu_iova_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * Spec 2.4: the new list replaces the old one whole, and only once every
 * entry has been read and checked (EFAULT, EINVAL for an empty or one-byte
 * range or an overlap within the call) and no reservation intersects it
 * (EADDRINUSE).
 */
int emu_ioas_allow_iovas_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct emu *emu = ucmd->ictx->emu;
	struct emu_iova_range *list = NULL;
	struct emu_ioas *ioas;
	uint32_t i, j, cap = 0;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = emu_ioas_get_user(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;

	for (i = 0; i < cmd->num_iovas; i++) {
		struct iommu_iova_range r;

		rc = emu_copy_from_user(emu, &r, emu_u64_to_user_ptr(
				cmd->allowed_iovas + (uint64_t)i * sizeof(r)),
				sizeof(r));
		if (rc)
			goto out_free_list;
		if (r.start >= r.last) {
			rc = -EINVAL;
			goto out_free_list;
		}
		for (j = 0; j < i; j++) {
			if (list[j].start <= r.last && list[j].last >= r.start) {
				rc = -EINVAL;
				goto out_free_list;
			}
		}
		if (i == cap) {
			uint32_t ncap = cap ? cap * 2 : 4;
			struct emu_iova_range *nl;

			nl = emu_realloc_array(emu, list, ncap, sizeof(*nl));
			if (!nl) {
				rc = -ENOMEM;
				goto out_free_list;
			}
			list = nl;
			cap = ncap;
		}
		list[i].start = r.start;
		list[i].last = r.last;
	}
	for (j = 0; j < i; j++) {
		if (emu_resv_first_hit(&ioas->resv, list[j].start,
				       list[j].last)) {
			rc = -EADDRINUSE;
			goto out_free_list;
		}
	}
	if (i)
		qsort(list, i, sizeof(*list), emu_range_cmp);
	emu_free(emu, ioas->allowed);
	ioas->allowed = list;
	ioas->nr_allowed = i;
	return 0;

out_free_list:
	emu_free(emu, list);
	return rc;
}

/* The accounting a new pages object gets (spec 4.7). */
/* MAP and COPY flags as the permissions of the areas they make. */
static unsigned int emu_ioas_prot(uint32_t flags)
{
	return (flags & IOMMU_IOAS_MAP_READABLE ? EMU_PROT_READ : 0) |
	       (flags & IOMMU_IOAS_MAP_WRITEABLE ? EMU_PROT_WRITE : 0);
}

enum emu_acct emu_ioas_acct_mode(const struct emu_ictx *ictx)
{
	if (ictx->emu->creds.cap_ipc_lock)
		return EMU_ACCT_NONE;
	return ictx->acct_mm ? EMU_ACCT_MM : EMU_ACCT_USER;
}

int emu_ioas_map_ioctl(struct emu_ucmd *ucmd)
{
	const uint32_t known = IOMMU_IOAS_MAP_FIXED_IOVA |
			       IOMMU_IOAS_MAP_WRITEABLE |
			       IOMMU_IOAS_MAP_READABLE;
	struct iommu_ioas_map *cmd = ucmd->cmd;
	bool writeable = cmd->flags & IOMMU_IOAS_MAP_WRITEABLE;
	struct emu_map_frag frag;
	struct emu_pages *pages;
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
	ioas = emu_ioas_get_user(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (!cmd->length || cmd->length > UINT64_MAX - EMU_PAGE_SIZE)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->user_va, cmd->length, &end))
		return -EOVERFLOW;

	rc = emu_pages_create(ucmd->ictx->emu, cmd->user_va, cmd->length,
			      writeable, emu_ioas_acct_mode(ucmd->ictx),
			      &pages);
	if (rc)
		return rc;
	frag.pages = pages;
	frag.user_va = cmd->user_va;
	frag.length = cmd->length;
	rc = emu_ioas_map_frags(ioas, &frag, 1, cmd->length,
				cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA,
				emu_ioas_prot(cmd->flags), &iova);
	emu_pages_release(pages);
	if (rc)
		return rc;
	/* A failed write-back leaves the mapping in place (spec 2.5 #14). */
	cmd->iova = iova;
	return emu_ucmd_respond(ucmd, sizeof(*cmd));
}

/*
 * The source fragments of a COPY: [src_iova, src_last] must be covered by
 * areas without a gap; each area touched gives one fragment (a slice of
 * its pages object). Returns the count or -ENOENT / -ENOMEM.
 */
static int emu_ioas_copy_frags(struct emu_ioas *src, uint64_t src_iova,
			       uint64_t src_last, struct emu_map_frag **out)
{
	struct emu_heap *heap = src->ictx->emu->heap;
	struct emu_map_frag *v = NULL, *nv;
	struct emu_area *a;
	uint64_t at = src_iova;
	unsigned int nr = 0, cap = 0;

	a = emu_area_first_hit(&src->areas, src_iova, src_last);
	for (; a; a = emu_area_next(&src->areas, a)) {
		uint64_t from, to;

		if (a->iova > at)
			break;
		from = at - a->iova;
		to = (a->last < src_last ? a->last : src_last) - a->iova;
		if (nr == cap) {
			cap = cap ? cap * 2 : 4;
			nv = emu_heap_realloc(heap, v, cap * sizeof(*v));
			if (!nv) {
				emu_heap_free(heap, v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[nr].pages = a->pages;
		v[nr].user_va = a->user_va + from;
		v[nr].length = to - from + 1;
		nr++;
		if (a->last >= src_last) {
			*out = v;
			return (int)nr;
		}
		at = a->last + 1;
	}
	emu_heap_free(heap, v);
	return -ENOENT;
}

int emu_ioas_copy_ioctl(struct emu_ucmd *ucmd)
{
	const uint32_t known = IOMMU_IOAS_MAP_FIXED_IOVA |
			       IOMMU_IOAS_MAP_WRITEABLE |
			       IOMMU_IOAS_MAP_READABLE;
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct emu_ioas *src, *dst;
	struct emu_map_frag *frags;
	uint64_t src_last, iova = cmd->dst_iova;
	int nr, rc;

	if (cmd->flags & ~known)
		return -EOPNOTSUPP;
	if (cmd->length == UINT64_MAX || cmd->src_iova == UINT64_MAX ||
	    cmd->dst_iova == UINT64_MAX)
		return -EOVERFLOW;
	if (!(cmd->flags &
	      (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)))
		return -EINVAL;
	src = emu_ioas_get_user(ucmd->ictx, cmd->src_ioas_id);
	if (!src)
		return -ENOENT;
	if (!cmd->length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->src_iova, cmd->length - 1, &src_last))
		return -EOVERFLOW;
	nr = emu_ioas_copy_frags(src, cmd->src_iova, src_last, &frags);
	if (nr < 0)
		return nr;
	dst = emu_ioas_get_user(ucmd->ictx, cmd->dst_ioas_id);
	if (!dst) {
		rc = -ENOENT;
		goto out_free_frags;
	}
	rc = emu_ioas_map_frags(dst, frags, (unsigned int)nr, cmd->length,
				cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA,
				emu_ioas_prot(cmd->flags), &iova);
	if (rc)
		goto out_free_frags;
	cmd->dst_iova = iova;
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
out_free_frags:
	emu_heap_free(ucmd->ictx->emu->heap, frags);
	return rc;
}

/*
 * length becomes the bytes really unmapped, written back on success; a
 * range with nothing mapped in it is ENOENT here (not for unmap-all, and
 * not on the VFIO compat path, which shares the walk).
 */
int emu_ioas_unmap_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	struct emu_ioas *ioas;
	uint64_t unmapped;
	int rc;

	ioas = emu_ioas_get_user(ucmd->ictx, cmd->ioas_id);
	if (!ioas)
		return -ENOENT;
	if (cmd->iova == 0 && cmd->length == UINT64_MAX) {
		rc = emu_ioas_unmap_all(ioas, &unmapped);
		if (rc)
			return rc;
	} else {
		if (cmd->iova == UINT64_MAX || cmd->length == UINT64_MAX)
			return -EOVERFLOW;
		rc = emu_ioas_unmap_range(ioas, cmd->iova, cmd->length,
					  &unmapped);
		if (rc)
			return rc;
		if (!unmapped)
			return -ENOENT;
	}
	cmd->length = unmapped;
	return emu_ucmd_respond(ucmd, sizeof(*cmd));
}

/* HUGE_PAGES (spec 2.8 3'-9'): the IOAS is looked up before the op. */
int emu_ioas_option_huge_pages(struct emu_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct emu_ioas *ioas;

	ioas = emu_ioas_get_user(ucmd->ictx, cmd->object_id);
	if (!ioas)
		return -ENOENT;
	switch (cmd->op) {
	case IOMMU_OPTION_OP_GET:
		cmd->val64 = ioas->huge_pages_off ? 0 : 1;
		return 0;
	case IOMMU_OPTION_OP_SET:
		if (cmd->val64 > 1)
			return -EINVAL;
		return emu_ioas_set_huge_pages(ioas, cmd->val64 == 1);
	default:
		return -EOPNOTSUPP;
	}
}

/* IOMMU_VFIO_IOAS (spec 2.9): the struct is written back on GET only. */
int emu_ioas_vfio_ioas_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct emu_ictx *ictx = ucmd->ictx;
	struct emu_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		if (!ictx->vfio_ioas)
			return -ENODEV;
		cmd->ioas_id = ictx->vfio_ioas->obj.id;
		return emu_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = emu_ioas_get_user(ictx, cmd->ioas_id);
		if (!ioas)
			return -ENOENT;
		ictx->vfio_ioas = ioas;
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		ictx->vfio_ioas = NULL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}
