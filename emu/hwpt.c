// SPDX-License-Identifier: MIT
/*
 * HWPT objects (hwpt.h) and the ioctls about domains and the IOMMU:
 * HWPT_ALLOC (spec 2.10), GET_HW_INFO (2.11), HWPT_SET_DIRTY_TRACKING
 * (2.12), HWPT_GET_DIRTY_BITMAP (2.13) and HWPT_INVALIDATE (2.14).
 *
 * A domain is modelled by the IOMMU it was built for (iommu.h): aperture,
 * page sizes, unit and sharing rules, dirty tracking, nesting.
 * Making it part of its IOAS (aperture reservation, alignment, pins) is
 * the IOAS's job; this file decides who may share it and keeps its dirty
 * state. Two IOMMU drivers are modelled: VT-d's for every PCI profile (it
 * has a user-domain allocator, refuses driver data for a paging domain,
 * and reports struct iommu_hw_info_vtd) and the selftest mock's for the
 * mock devices of IOMMU_TEST_CMD (emu/mock), which reports its own info
 * and is the only one that builds nested domains.
 *
 * A valid nested request for a VT-d device is checked up to the driver's
 * data validation and then refused with EOPNOTSUPP: the model has no VT-d
 * stage-1 domains. No VT-d IOMMU of a profile offers nesting (QEMU's
 * intel-iommu does not), so no VT-d NEST_PARENT domain exists to nest on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include "device.h"
#include "failnth.h"
#include "fault_queue.h"
#include "hwpt.h"
#include "ioas.h"
#include "iommufd.h"
#include "machine.h"
#include "mock/mock.h"
#include "ucmd.h"
#include "util.h"

bool emu_hwpt_compatible(const struct emu_hwpt *hwpt,
			 const struct emu_iommu *iommu)
{
	const struct emu_profile *own = hwpt->iommu->profile;
	const struct emu_profile *p = iommu->profile;

	if (hwpt->dirty_ops && !iommu->dirty_tracking)
		return false;
	if (own->iommu_unit == p->iommu_unit)
		return true;
	if (own->no_share || p->no_share)
		return false;
	return hwpt->iommu->pgsize == iommu->pgsize &&
	       hwpt->iommu->aperture_start >= iommu->aperture_start &&
	       hwpt->iommu->aperture_last <= iommu->aperture_last;
}

/*
 * A second IOMMU unit may add its own domain to an IOAS only when neither
 * it nor any unit already there refuses sharing: this is the knob through
 * which "incompatible" (EINVAL) reaches the core.
 */
static int emu_hwpt_check_sharing(const struct emu_ioas *ioas,
				  const struct emu_profile *profile)
{
	const struct emu_hwpt *h;

	for (h = ioas->domains; h; h = h->ioas_next) {
		const struct emu_profile *own = h->iommu->profile;

		if (own->iommu_unit == profile->iommu_unit)
			continue;
		if (own->no_share || profile->no_share)
			return -EINVAL;
	}
	return 0;
}

int emu_hwpt_paging_alloc(struct emu_ioas *ioas,
			  const struct emu_iommu *iommu, bool auto_domain,
			  struct emu_hwpt **out)
{
	struct emu_ictx *ictx = ioas->ictx;
	struct emu_hwpt *hwpt = emu_zalloc(ictx->emu, sizeof(*hwpt));
	int rc;

	if (!hwpt)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &hwpt->obj, EMU_OBJ_HWPT_PAGING);
	if (rc)
		goto err_free_hwpt;
	hwpt->ioas = ioas;
	hwpt->iommu = iommu;
	hwpt->auto_domain = auto_domain;
	emu_dirty_init(&hwpt->dirty, ictx->emu->heap);

	rc = emu_hwpt_check_sharing(ioas, iommu->profile);
	if (rc)
		goto err_abort_id;
	rc = emu_ioas_domain_add(ioas, hwpt);
	if (rc)
		goto err_abort_id;
	*out = hwpt;
	return 0;

err_abort_id:
	emu_obj_abort(&ictx->objs, &hwpt->obj);
err_free_hwpt:
	emu_free(ictx->emu, hwpt);
	return rc;
}

void emu_hwpt_abort(struct emu_hwpt *hwpt)
{
	struct emu_ioas *ioas = hwpt->ioas;

	emu_ioas_domain_remove(ioas, hwpt);
	emu_obj_abort(&ioas->ictx->objs, &hwpt->obj);
	emu_dirty_fini(&hwpt->dirty);
	emu_free(ioas->ictx->emu, hwpt);
}

void emu_hwpt_destroy(struct emu_obj *obj)
{
	struct emu_hwpt *hwpt = (struct emu_hwpt *)obj;
	struct emu *emu = hwpt->ioas->ictx->emu;

	emu_ioas_domain_remove(hwpt->ioas, hwpt);
	emu_dirty_fini(&hwpt->dirty);
	emu_free(emu, hwpt);
}

void emu_hwpt_dirty_forget(struct emu_hwpt *hwpt, uint64_t iova,
			   uint64_t last)
{
	/* Only a split can fail; a leftover dirty bit on unmapped IOVA is
	 * never reported, since the bitmap walk visits mapped areas only. */
	emu_dirty_clear(&hwpt->dirty, iova, last);
}

void emu_hwpt_nested_destroy(struct emu_obj *obj)
{
	struct emu_hwpt *hwpt = (struct emu_hwpt *)obj;

	hwpt->parent->obj.users--;
	if (hwpt->fault)
		hwpt->fault->obj.users--;
	emu_free(hwpt->ioas->ictx->emu, hwpt);
}

static void emu_hwpt_nested_abort(struct emu_hwpt *hwpt)
{
	emu_obj_abort(&hwpt->ioas->ictx->objs, &hwpt->obj);
	emu_hwpt_nested_destroy(&hwpt->obj);
}

/* The one IOMMU driver of a profile: the mock's, or VT-d's. */
static bool emu_hwpt_same_driver(const struct emu_profile *a,
				 const struct emu_profile *b)
{
	return emu_mock_profile(a) == emu_mock_profile(b);
}

/* VT-d's checks of a nested request, which it then refuses (file comment). */
static int emu_hwpt_vtd_nested(struct emu_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommu_hwpt_vtd_s1 s1;

	if (cmd->data_type != IOMMU_HWPT_DATA_VTD_S1)
		return -EOPNOTSUPP;
	if (cmd->data_len < sizeof(s1))
		return -EINVAL;
	if (emu_copy_from_user(ucmd->ictx->emu, &s1,
			       emu_u64_to_user_ptr(cmd->data_uptr),
			       sizeof(s1)))
		return -EFAULT;
	return -EOPNOTSUPP;
}

/*
 * Steps 5n-9n for a nested request of @idev's driver on @parent: the
 * core's checks, then the driver's. The new HWPT holds a user on its
 * parent; it is reserved, not published.
 */
static int emu_hwpt_alloc_nested(struct emu_ucmd *ucmd, struct emu_idev *idev,
				 struct emu_hwpt *parent,
				 struct emu_hwpt **out)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	const struct emu_iommu *iommu = &idev->dev->iommu;
	struct emu_ictx *ictx = ucmd->ictx;
	struct emu_hwpt *hwpt;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_FAULT_ID_VALID) || !cmd->data_len)
		return -EOPNOTSUPP;
	if (parent->auto_domain || !parent->nest_parent ||
	    !emu_hwpt_same_driver(parent->iommu->profile, iommu->profile))
		return -EINVAL;
	if (!emu_mock_profile(iommu->profile))
		return emu_hwpt_vtd_nested(ucmd);

	hwpt = emu_zalloc(ictx->emu, sizeof(*hwpt));
	if (!hwpt)
		return -ENOMEM;
	rc = emu_obj_reserve(&ictx->objs, &hwpt->obj, EMU_OBJ_HWPT_NESTED);
	if (rc) {
		emu_free(ictx->emu, hwpt);
		return rc;
	}
	hwpt->parent = parent;
	parent->obj.users++;
	hwpt->ioas = parent->ioas;
	hwpt->iommu = iommu;
	rc = emu_mock_nested_init(ucmd, parent, hwpt);
	if (rc) {
		emu_hwpt_nested_abort(hwpt);
		return rc;
	}
	*out = hwpt;
	return 0;
}

/* Steps 5-9 for a paging request on @ioas. */
static int emu_hwpt_alloc_paging(struct emu_ucmd *ucmd, struct emu_idev *idev,
				 struct emu_ioas *ioas, struct emu_hwpt **out)
{
	const uint32_t paging_flags = IOMMU_HWPT_ALLOC_NEST_PARENT |
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	const struct emu_iommu *iommu = &idev->dev->iommu;
	struct emu_hwpt *hwpt;
	int rc;

	if (cmd->flags & ~paging_flags)
		return -EOPNOTSUPP;
	if ((cmd->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    !iommu->dirty_tracking)
		return -EOPNOTSUPP;
	/*
	 * A nesting parent needs an IOMMU that nests (VT-d: nesting in ecap;
	 * the mock always). Neither VT-d nor the mock takes driver data for
	 * a paging domain.
	 */
	if ((cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT) && !iommu->nesting)
		return -EOPNOTSUPP;
	if (cmd->data_type != IOMMU_HWPT_DATA_NONE)
		return -EOPNOTSUPP;

	rc = emu_hwpt_paging_alloc(ioas, iommu, false, &hwpt);
	if (rc)
		return rc;
	hwpt->nest_parent = cmd->flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt->dirty_ops = cmd->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	*out = hwpt;
	return 0;
}

static void emu_hwpt_abort_any(struct emu_hwpt *hwpt)
{
	if (hwpt->obj.type == EMU_OBJ_HWPT_NESTED)
		emu_hwpt_nested_abort(hwpt);
	else
		emu_hwpt_abort(hwpt);
}

int emu_hwpt_alloc_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct emu_ictx *ictx = ucmd->ictx;
	struct emu_fault_queue *fq;
	struct emu_idev *idev;
	struct emu_hwpt *hwpt;
	struct emu_obj *pt;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;
	idev = (struct emu_idev *)emu_obj_get_user(ictx, cmd->dev_id,
						   EMU_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	pt = emu_obj_get_user(ictx, cmd->pt_id, EMU_OBJ_ANY);
	if (!pt)
		return -EINVAL;
	if (pt->type == EMU_OBJ_HWPT_PAGING)
		rc = emu_hwpt_alloc_nested(ucmd, idev, (struct emu_hwpt *)pt,
					   &hwpt);
	else if (pt->type == EMU_OBJ_IOAS)
		rc = emu_hwpt_alloc_paging(ucmd, idev, (struct emu_ioas *)pt,
					   &hwpt);
	else
		rc = -EINVAL;
	if (rc)
		return rc;

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		fq = (struct emu_fault_queue *)emu_obj_get_user(
			ictx, cmd->fault_id, EMU_OBJ_FAULT);
		if (!fq) {
			rc = -ENOENT;
			goto err_abort_hwpt;
		}
		hwpt->fault = fq;
		fq->obj.users++;
	}
	cmd->out_hwpt_id = hwpt->obj.id;
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto err_abort_hwpt;
	emu_obj_publish(&ictx->objs, &hwpt->obj);
	return 0;

err_abort_hwpt:
	emu_hwpt_abort_any(hwpt);
	return rc;
}

/*
 * IOMMU_HWPT_INVALIDATE (spec 2.14): nested HWPTs only, whose driver (the
 * mock's) handles the entries in order. entry_num is written back in every
 * case, 0 when the request failed before any entry.
 */
int emu_hwpt_invalidate_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct emu_hwpt *hwpt;
	uint32_t done = 0;
	int rc;

	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out_respond;
	}
	if (cmd->entry_num && (!cmd->data_uptr || !cmd->entry_len)) {
		rc = -EINVAL;
		goto out_respond;
	}
	hwpt = (struct emu_hwpt *)emu_obj_get_user(ucmd->ictx, cmd->hwpt_id,
						   EMU_OBJ_HWPT_NESTED);
	if (!hwpt) {
		rc = -ENOENT;
		goto out_respond;
	}
	rc = emu_mock_invalidate(ucmd, hwpt, &done);
out_respond:
	cmd->entry_num = done;
	if (emu_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}

/*
 * VT-d's report: the device's IOMMU registers (iommu.h), with the SPR17
 * erratum flag Linux sets on every VT-d report (it cannot tell affected
 * parts apart).
 */
static void emu_hwpt_vtd_info(const struct emu_iommu *iommu,
			      struct iommu_hw_info_vtd *out)
{
	memset(out, 0, sizeof(*out));
	out->flags = IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17;
	out->cap_reg = iommu->cap_reg;
	out->ecap_reg = iommu->ecap_reg;
}

int emu_hw_info_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	struct emu *emu = ucmd->ictx->emu;
	union {
		struct iommu_hw_info_vtd vtd;
		uint8_t bytes[64];
	} info;
	const struct emu_iommu *iommu;
	struct emu_idev *idev;
	uint8_t *data = emu_u64_to_user_ptr(cmd->data_uptr);
	uint32_t klen = 0, n;
	int rc;

	/*
	 * The 6.12.95 header splits the spec's u32 __reserved at offset 28
	 * into out_max_pasid_log2 (an output) and three reserved bytes.
	 */
	if (cmd->flags || cmd->__reserved[0] || cmd->__reserved[1] ||
	    cmd->__reserved[2])
		return -EOPNOTSUPP;
	idev = (struct emu_idev *)emu_obj_get_user(ucmd->ictx, cmd->dev_id,
						   EMU_OBJ_DEVICE);
	if (!idev)
		return -ENOENT;
	iommu = &idev->dev->iommu;
	cmd->out_data_type = IOMMU_HW_INFO_TYPE_NONE;
	if (emu_mock_profile(iommu->profile)) {
		klen = emu_mock_hw_info(&info, sizeof(info),
					&cmd->out_data_type);
	} else if (iommu->profile->hw_info_type ==
		   IOMMU_HW_INFO_TYPE_INTEL_VTD) {
		emu_hwpt_vtd_info(iommu, &info.vtd);
		klen = sizeof(info.vtd);
		cmd->out_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	}
	n = cmd->data_len < klen ? cmd->data_len : klen;
	rc = emu_copy_to_user(emu, data, &info, n);
	if (rc)
		return rc;
	if (cmd->data_len > klen) {
		rc = emu_clear_user(emu, data + klen, cmd->data_len - klen);
		if (rc)
			return rc;
	}
	cmd->data_len = klen;
	cmd->out_max_pasid_log2 = 0;	/* no PASID support */
	cmd->out_capabilities = 0;
	if (iommu->dirty_tracking)
		cmd->out_capabilities |= IOMMU_HW_CAP_DIRTY_TRACKING;
	return emu_ucmd_respond(ucmd, sizeof(*cmd));
}

static struct emu_hwpt *emu_hwpt_find(struct emu_ictx *ictx, uint32_t id)
{
	return (struct emu_hwpt *)emu_obj_find(&ictx->objs, id,
					       EMU_OBJ_HWPT_PAGING);
}

struct emu_hwpt *emu_hwpt_paging_get(struct emu_ictx *ictx, uint32_t id)
{
	return (struct emu_hwpt *)emu_obj_get_user(ictx, id,
						   EMU_OBJ_HWPT_PAGING);
}

/*
 * The IOMMU page of @hwpt holding @iova, [*start, *last]: dirty bits live
 * in IOMMU PTEs, so a report covers whole PTEs.
 */
static void emu_hwpt_pte(const struct emu_hwpt *hwpt, uint64_t iova,
			 uint64_t *start, uint64_t *last)
{
	uint64_t pg = hwpt->iommu->pgsize;

	if (emu_mock_profile(hwpt->iommu->profile)) {
		emu_mock_pte(hwpt, iova, start, last);
		return;
	}
	*start = iova & ~(pg - 1);
	*last = *start + pg - 1;
}

int emu_hwpt_set_dirty_tracking_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct emu_hwpt *hwpt;
	bool enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;

	if (cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE)
		return -EOPNOTSUPP;
	hwpt = emu_hwpt_paging_get(ucmd->ictx, cmd->hwpt_id);
	if (!hwpt)
		return -ENOENT;
	if (!hwpt->dirty_ops)
		return -EOPNOTSUPP;
	/* Tracking starts clean: stale dirty bits are dropped first. */
	if (enable && !hwpt->dirty_enabled)
		emu_dirty_fini(&hwpt->dirty);
	hwpt->dirty_enabled = enable;
	return 0;
}

/*
 * The user's bitmap, set through a window of its words: the kernel sets
 * bits and never clears the caller's, so each window is read, or-ed into
 * and written back, once (a report of many small dirty ranges would
 * otherwise cost two copies per range).
 */
#define EMU_HWPT_BITMAP_WIN 512

struct emu_hwpt_bitmap {
	struct emu *emu;
	uint64_t *data;			/* user memory */
	uint64_t nwords;		/* the bitmap's length */
	uint64_t base;			/* first word in win, or UINT64_MAX */
	uint64_t nwin;
	uint64_t win[EMU_HWPT_BITMAP_WIN];
};

static bool emu_hwpt_bitmap_flush(struct emu_hwpt_bitmap *b)
{
	bool ok = true;

	if (b->base != UINT64_MAX)
		ok = !emu_copy_to_user(b->emu, &b->data[b->base], b->win,
				       b->nwin * sizeof(b->win[0]));
	b->base = UINT64_MAX;
	return ok;
}

/* Set bits [first, last]: false when the bitmap cannot be read or written. */
static bool emu_hwpt_bitmap_set(struct emu_hwpt_bitmap *b, uint64_t first,
				uint64_t last)
{
	uint64_t w, bit;

	for (w = first / 64; w <= last / 64; w++) {
		uint64_t lo = w == first / 64 ? first % 64 : 0;
		uint64_t hi = w == last / 64 ? last % 64 : 63;

		if (b->base == UINT64_MAX || w < b->base ||
		    w >= b->base + b->nwin) {
			if (!emu_hwpt_bitmap_flush(b))
				return false;
			b->base = w;
			b->nwin = b->nwords - w < EMU_HWPT_BITMAP_WIN ?
				  b->nwords - w : EMU_HWPT_BITMAP_WIN;
			if (emu_copy_from_user(b->emu, b->win, &b->data[w],
					       b->nwin * sizeof(b->win[0]))) {
				b->base = UINT64_MAX;
				return false;
			}
		}
		for (bit = lo; bit <= hi; bit++)
			b->win[w - b->base] |= 1ULL << bit;
	}
	return true;
}

/*
 * The walk reports the dirty IOMMU pages of [iova, last] at page_size
 * granularity, whole PTEs (clipped to the range), then (without NO_CLEAR)
 * clears the PTEs it walked. With tracking off the driver reports nothing
 * (VT-d's and the mock's read_and_clear_dirty refuse), and as in 6.12 the
 * walk's own failures are not returned: that, or an unwritable bitmap,
 * still answers 0.
 */
int emu_hwpt_get_dirty_bitmap_ioctl(struct emu_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	struct emu *emu = ucmd->ictx->emu;
	uint64_t *data = emu_u64_to_user_ptr(cmd->data);
	uint64_t last, align, end, s, l, pte_first, pte_last;
	struct emu_hwpt_bitmap bm;
	struct emu_hwpt *hwpt;
	size_t i;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = emu_hwpt_paging_get(ucmd->ictx, cmd->hwpt_id);
	if (!hwpt)
		return -ENOENT;
	if (__builtin_add_overflow(cmd->iova, cmd->length - 1, &last))
		return -EOVERFLOW;
	align = hwpt->ioas->iova_alignment;
	end = cmd->iova + cmd->length;
	if (cmd->iova % align || end % align)
		return -EINVAL;
	if (!cmd->page_size)
		return -EINVAL;
	if (cmd->iova % cmd->page_size || end % cmd->page_size)
		return -EINVAL;
	if (!hwpt->dirty_ops)
		return -EOPNOTSUPP;
	if (!cmd->length || !hwpt->dirty_enabled)
		return 0;

	bm.emu = emu;
	bm.data = data;
	bm.nwords = (cmd->length / cmd->page_size + 63) / 64;
	bm.base = UINT64_MAX;
	for (i = 0; i < hwpt->dirty.nr; i++) {
		struct emu_iova_range r = hwpt->dirty.v[i];

		if (r.last < cmd->iova || r.start > last)
			continue;
		emu_hwpt_pte(hwpt, r.start, &r.start, &l);
		emu_hwpt_pte(hwpt, r.last, &s, &r.last);
		if (r.start < cmd->iova)
			r.start = cmd->iova;
		if (r.last > last)
			r.last = last;
		if (!emu_hwpt_bitmap_set(&bm, (r.start - cmd->iova) /
					 cmd->page_size,
					 (r.last - cmd->iova) / cmd->page_size))
			return 0;
	}
	if (!emu_hwpt_bitmap_flush(&bm))
		return 0;
	if (!(cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)) {
		emu_hwpt_pte(hwpt, cmd->iova, &pte_first, &l);
		emu_hwpt_pte(hwpt, last, &s, &pte_last);
		emu_dirty_clear(&hwpt->dirty, pte_first, pte_last);
	}
	return 0;
}

int emu_hwpt_dirty(struct emu *emu, int iommufd, uint32_t hwpt_id,
		   uint64_t iova, uint64_t length)
{
	struct emu_file *file = emu_fd_get(emu, iommufd);
	struct emu_hwpt *hwpt;
	struct emu_area *a;
	uint64_t last, at, pg;
	bool covered = false;

	if (!file || file->kind != EMU_FILE_IOMMUFD)
		return -EBADF;
	hwpt = emu_hwpt_find(file->ictx, hwpt_id);
	if (!hwpt)
		return -ENOENT;
	if (!length || __builtin_add_overflow(iova, length - 1, &last))
		return -EINVAL;
	/* A DMA write to unmapped IOVA faults and dirties nothing. */
	at = iova;
	for (a = emu_area_first_hit(&hwpt->ioas->areas, iova, last); a;
	     a = emu_area_next(&hwpt->ioas->areas, a)) {
		if (a->iova > at)
			break;
		if (a->last >= last) {
			covered = true;
			break;
		}
		at = a->last + 1;
	}
	if (!covered)
		return -EFAULT;
	if (!hwpt->dirty_enabled)
		return 0;
	/* Dirty bits live in IOMMU PTEs: whole IOMMU pages. */
	pg = hwpt->iommu->pgsize;
	iova &= ~(pg - 1);
	last |= pg - 1;
	return emu_dirty_add(&hwpt->dirty, iova, last);
}
