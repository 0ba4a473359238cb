// SPDX-License-Identifier: MIT
/*
 * IOMMU_TEST_CMD: the dispatcher of the selftest interface and the ops
 * that only look at or adjust what exists (selftest.c's iommufd_test):
 * ADD_RESERVED, SET_TEMP_MEMORY_LIMIT, MD_CHECK_MAP, MD_CHECK_REFS. The
 * device, access and dirty ops live in mock_dev.c, mock_access.c and
 * mock_dirty.c.
 *
 * The checks answer what the kernel's answer from page frames, in terms
 * of the model: a page's frame is its user VA in its process, so
 * MD_CHECK_MAP holds when the domain maps each IOVA to the VA given, and
 * MD_CHECK_REFS counts, for each page, the pages objects (of any context)
 * whose pinned set holds it, as each holds one FOLL_PIN reference. A page
 * of a huge page (the emulated hugetlb pool) is compound and, as in the
 * kernel, not checked.
 */
#include <errno.h>
#include <stdlib.h>

#include "../failnth.h"
#include "../hugetlb.h"
#include "../hwpt.h"
#include "../ioas.h"
#include "../iommufd.h"
#include "../mm.h"
#include "../pages.h"
#include "../ucmd.h"
#include "../util.h"
#include "mock_internal.h"

int emu_mock_get_domain(struct emu_ictx *ictx, uint32_t id,
			struct emu_hwpt **out)
{
	struct emu_hwpt *hwpt = emu_hwpt_paging_get(ictx, id);

	if (!hwpt)
		return -ENOENT;
	if (!emu_mock_profile(hwpt->iommu->profile))
		return -EINVAL;
	*out = hwpt;
	return 0;
}

/* A reservation of the IOAS itself: no owner ever takes it back. */
static int emu_mock_add_reserved(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu_ioas *ioas;
	uint64_t last;

	if (!cmd->add_reserved.length)
		return -EINVAL;
	if (__builtin_add_overflow(cmd->add_reserved.start,
				   cmd->add_reserved.length - 1, &last))
		return -EOVERFLOW;
	ioas = emu_ioas_get_user(ucmd->ictx, cmd->id);
	if (!ioas)
		return -ENOENT;
	return emu_ioas_reserve(ioas, cmd->add_reserved.start, last, ioas);
}

/*
 * The bound on the kernel's temporary batches (iommufd_test_memory_limit).
 * The model has no batches, so the value changes nothing it does; it is
 * kept and checked as the kernel does.
 */
static int emu_mock_set_memory_limit(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(uint32_t))
		return -EINVAL;
	ucmd->ictx->emu->mock_memory_limit = cmd->memory_limit.limit;
	return 0;
}

/*
 * MD_CHECK_MAP: every mock page of [iova, iova + length) is mapped in
 * the domain (its IOAS has an area there, as the domain holds every area)
 * to the caller's VA at the same offset from uptr. The VA must be mapped
 * (get_user_pages_fast: EFAULT); a miss is EINVAL.
 */
static int emu_mock_check_map(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu *emu = ucmd->ictx->emu;
	uint64_t iova = cmd->check_map.iova, length = cmd->check_map.length;
	uint64_t uptr = cmd->check_map.uptr, end;
	struct emu_hwpt *hwpt;
	struct emu_area *a;
	struct emu_mm mm;
	int rc;

	if (iova % EMU_MOCK_IO_PAGE_SIZE || length % EMU_MOCK_IO_PAGE_SIZE ||
	    uptr % EMU_MOCK_IO_PAGE_SIZE ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	rc = emu_mock_get_domain(ucmd->ictx, cmd->id, &hwpt);
	if (rc)
		return rc;
	rc = emu_mm_load(emu, &mm);
	if (rc)
		return rc;
	for (; length; length -= EMU_MOCK_IO_PAGE_SIZE,
	     iova += EMU_MOCK_IO_PAGE_SIZE, uptr += EMU_MOCK_IO_PAGE_SIZE) {
		rc = emu_mm_check(&mm, uptr & ~(EMU_PAGE_SIZE - 1),
				  EMU_PAGE_SIZE, false);
		if (rc)
			break;
		a = emu_area_first_hit(&hwpt->ioas->areas, iova, iova);
		if (!a || a->pages->owner != emu_current_pid(emu) ||
		    a->user_va + (iova - a->iova) != uptr) {
			rc = -EINVAL;
			break;
		}
	}
	emu_mm_fini(&mm);
	return rc;
}

/* The distinct pages objects of @pid with pins, over every context. */
struct emu_mock_pinned {
	struct emu_pages **v;
	size_t nr;
	size_t cap;
	struct emu_heap *heap;	/* where v comes from: the machine's */
};

static int emu_mock_pinned_add(struct emu_mock_pinned *set,
			       struct emu_pages *p)
{
	struct emu_pages **nv;
	size_t i;

	for (i = 0; i < set->nr; i++) {
		if (set->v[i] == p)
			return 0;
	}
	if (set->nr == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		nv = emu_heap_realloc(set->heap, set->v,
				      set->cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		set->v = nv;
	}
	set->v[set->nr++] = p;
	return 0;
}

static int emu_mock_pinned_collect(struct emu *emu, pid_t pid,
				   struct emu_mock_pinned *set)
{
	struct emu_ictx *ictx;
	struct emu_obj *obj;
	struct emu_area *a;
	uint32_t id;
	int rc;

	for (ictx = emu->contexts; ictx; ictx = ictx->next) {
		for (id = 1; (obj = emu_obj_next(&ictx->objs, id));
		     id = obj->id + 1) {
			struct emu_ioas *ioas = (struct emu_ioas *)obj;

			if (obj->type != EMU_OBJ_IOAS)
				continue;
			for (a = emu_area_first(&ioas->areas); a;
			     a = emu_area_next(&ioas->areas, a)) {
				if (!a->pages->npinned ||
				    a->pages->owner != pid)
					continue;
				rc = emu_mock_pinned_add(set, a->pages);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

/*
 * MD_CHECK_REFS: each page of [uptr, uptr + length) must be mapped
 * (EFAULT) and, unless it is part of a huge page, pinned exactly @refs
 * times (EIO otherwise).
 */
static int emu_mock_check_refs(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu *emu = ucmd->ictx->emu;
	uint64_t uptr = cmd->check_refs.uptr, length = cmd->check_refs.length;
	struct emu_mock_pinned set = { .heap = emu->heap };
	pid_t pid = emu_current_pid(emu);
	struct emu_mm mm;
	uint64_t end;
	size_t i;
	int rc;

	if (length % EMU_PAGE_SIZE || uptr % EMU_PAGE_SIZE ||
	    __builtin_add_overflow(uptr, length, &end))
		return -EINVAL;
	rc = emu_mm_load(emu, &mm);
	if (rc)
		return rc;
	rc = emu_mock_pinned_collect(emu, pid, &set);
	for (; !rc && length; length -= EMU_PAGE_SIZE, uptr += EMU_PAGE_SIZE) {
		unsigned int pins = 0;

		rc = emu_mm_check(&mm, uptr, EMU_PAGE_SIZE, false);
		if (rc)
			break;
		if (emu_hugetlb_find(emu, pid, uptr, NULL))
			continue;
		for (i = 0; i < set.nr; i++)
			pins += emu_pages_pinned_at(set.v[i],
						    uptr / EMU_PAGE_SIZE);
		if (pins != cmd->check_refs.refs)
			rc = -EIO;
	}
	emu_heap_free(emu->heap, set.v);
	emu_mm_fini(&mm);
	return rc;
}

int emu_mock_test_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return emu_mock_add_reserved(ucmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return emu_mock_domain_cmd(ucmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return emu_mock_replace_cmd(ucmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return emu_mock_check_map(ucmd);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return emu_mock_check_refs(ucmd);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return emu_mock_check_iotlb_cmd(ucmd);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return emu_mock_create_access_cmd(ucmd);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return emu_mock_access_replace_cmd(ucmd);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return emu_mock_access_pages_cmd(ucmd);
	case IOMMU_TEST_OP_ACCESS_RW:
		return emu_mock_access_rw_cmd(ucmd);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return emu_mock_destroy_access_pages_cmd(ucmd);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		return emu_mock_set_memory_limit(ucmd);
	case IOMMU_TEST_OP_DIRTY:
		return emu_mock_dirty_cmd(ucmd);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return emu_mock_trigger_iopf_cmd(ucmd);
	default:
		return -EOPNOTSUPP;
	}
}
