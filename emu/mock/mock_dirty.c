// SPDX-License-Identifier: MIT
/*
 * Dirty tracking of mock domains: IOMMU_TEST_OP_DIRTY, which sets the
 * dirty bit of the mock IOMMU pages a user bitmap names (as a device's
 * writes would), and the mock domain's PTE sizes, by which
 * HWPT_GET_DIRTY_BITMAP reports (hwpt.c).
 *
 * The mock keeps one entry per 2 KiB IOMMU page and marks dirty only the
 * entries the bitmap hits; a read reports whole PTEs, and a PTE is 1 MiB
 * where the domain has that page size and the mapping allowed it, as
 * iommu_map picks it: the IOVA and the memory behind it 1 MiB aligned and
 * the memory contiguous for 1 MiB (inside one huge page of the hugetlb
 * pool), with the whole 1 MiB inside one area.
 */
#include <errno.h>
#include <stdlib.h>

#include "../area.h"
#include "../dirty.h"
#include "../failnth.h"
#include "../hugetlb.h"
#include "../hwpt.h"
#include "../ioas.h"
#include "../pages.h"
#include "../ucmd.h"
#include "../util.h"
#include "mock_internal.h"

static bool emu_mock_huge_pte(const struct emu_hwpt *hwpt, uint64_t head)
{
	const struct emu_area *a;
	struct emu_hugetlb_range r;
	uint64_t va;

	if (!emu_mock_profile_huge(hwpt->iommu->profile))
		return false;
	a = emu_area_first_hit(&hwpt->ioas->areas, head, head);
	if (!a || a->last - head < EMU_MOCK_HUGE_PAGE_SIZE - 1)
		return false;
	va = a->user_va + (head - a->iova);
	if (va % EMU_MOCK_HUGE_PAGE_SIZE)
		return false;
	return emu_hugetlb_find(hwpt->ioas->ictx->emu, a->pages->owner, va,
				&r) &&
	       va + EMU_MOCK_HUGE_PAGE_SIZE <= r.end;
}

void emu_mock_pte(const struct emu_hwpt *hwpt, uint64_t iova, uint64_t *start,
		  uint64_t *last)
{
	uint64_t head = iova & ~(EMU_MOCK_HUGE_PAGE_SIZE - 1);

	if (emu_mock_huge_pte(hwpt, head)) {
		*start = head;
		*last = head + EMU_MOCK_HUGE_PAGE_SIZE - 1;
		return;
	}
	*start = iova & ~(EMU_MOCK_IO_PAGE_SIZE - 1);
	*last = *start + EMU_MOCK_IO_PAGE_SIZE - 1;
}

/*
 * IOMMU_TEST_OP_DIRTY: bit i of the user bitmap dirties the mock entry at
 * index (iova + i * page_size) / page_size, i.e. the 2 KiB IOMMU page at
 * that index times 2 KiB (selftest.c indexes its table so; the selftests
 * use a page_size of 2 KiB), if it is mapped. out_nr_dirty counts them.
 */
int emu_mock_dirty_cmd(struct emu_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;
	struct emu *emu = ucmd->ictx->emu;
	uint64_t iova = cmd->dirty.iova, length = cmd->dirty.length;
	uint64_t page_size = cmd->dirty.page_size, max, i, words;
	struct emu_hwpt *hwpt;
	uint64_t *bits;
	uint64_t count = 0;
	int rc;

	if (!page_size || !length || iova % page_size || length % page_size ||
	    !cmd->dirty.uptr)
		return -EINVAL;
	rc = emu_mock_get_domain(ucmd->ictx, cmd->id, &hwpt);
	if (rc)
		return rc;
	if (!hwpt->dirty_enabled)
		return -EINVAL;
	max = length / page_size;
	words = (max + 63) / 64;
	bits = emu_alloc_array(emu, words, sizeof(*bits));
	if (!bits)
		return -ENOMEM;
	rc = emu_copy_from_user(emu, bits,
				emu_u64_to_user_ptr(cmd->dirty.uptr),
				(max + 7) / 8);
	if (rc)
		goto out_free_bits;
	for (i = 0; i < max; i++) {
		uint64_t entry;

		if (!(bits[i / 64] & (1ULL << (i % 64))))
			continue;
		entry = (iova + i * page_size) / page_size *
			EMU_MOCK_IO_PAGE_SIZE;
		if (!emu_area_first_hit(&hwpt->ioas->areas, entry, entry))
			continue;
		rc = emu_dirty_add(&hwpt->dirty, entry,
				   entry + EMU_MOCK_IO_PAGE_SIZE - 1);
		if (rc)
			goto out_free_bits;
		count++;
	}
	cmd->dirty.out_nr_dirty = count;
	rc = emu_ucmd_respond(ucmd, sizeof(*cmd));
out_free_bits:
	emu_free(emu, bits);
	return rc;
}
