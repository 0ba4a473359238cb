// SPDX-License-Identifier: MIT
/*
 * The hugetlb pool (hugetlb.h): a counter of free pages and an array of
 * mapped ranges. Maps take whole huge pages; an unmap gives back the
 * whole huge pages it covers, splitting a range it cuts in the middle.
 */
#include <errno.h>

#include <emu/emu.h>

#include "hugetlb.h"
#include "machine.h"
#include "util.h"

void emu_hugetlb_pool_set(struct emu *emu, unsigned int pages)
{
	emu->hugetlb_total = pages;
}

bool emu_hugetlb_find(const struct emu *emu, pid_t pid, uint64_t va,
		      struct emu_hugetlb_range *out)
{
	size_t i;

	for (i = 0; i < emu->nr_hugetlb; i++) {
		const struct emu_hugetlb_range *r = &emu->hugetlb[i];

		if (r->pid == pid && va >= r->start && va < r->end) {
			if (out)
				*out = *r;
			return true;
		}
	}
	return false;
}

bool emu_hugetlb_mapped(const struct emu *emu, pid_t pid, uint64_t va,
			uint64_t len)
{
	uint64_t end = va + len;
	size_t i;

	if (end < va)
		end = UINT64_MAX;
	for (i = 0; i < emu->nr_hugetlb; i++) {
		const struct emu_hugetlb_range *r = &emu->hugetlb[i];

		if (r->pid == pid && va < r->end && end > r->start)
			return true;
	}
	return false;
}

static int emu_hugetlb_push(struct emu *emu, pid_t pid, uint64_t start,
			    uint64_t end)
{
	struct emu_hugetlb_range *nv;

	nv = emu_heap_realloc(emu->heap, emu->hugetlb,
			      (emu->nr_hugetlb + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	emu->hugetlb = nv;
	nv[emu->nr_hugetlb].pid = pid;
	nv[emu->nr_hugetlb].start = start;
	nv[emu->nr_hugetlb].end = end;
	emu->nr_hugetlb++;
	return 0;
}

int emu_hugetlb_map(struct emu *emu, pid_t pid, uint64_t va, uint64_t len)
{
	uint64_t pages, end;
	int rc;

	if (!len || va % EMU_HPAGE_SIZE ||
	    !emu_align_up(len, EMU_HPAGE_SIZE, &len) ||
	    __builtin_add_overflow(va, len, &end))
		return -EINVAL;
	pages = len / EMU_HPAGE_SIZE;
	if (pages > emu->hugetlb_total - emu->hugetlb_used)
		return -ENOMEM;
	rc = emu_hugetlb_push(emu, pid, va, end);
	if (rc)
		return rc;
	emu->hugetlb_used += pages;
	return 0;
}

void emu_hugetlb_unmap(struct emu *emu, pid_t pid, uint64_t va, uint64_t len)
{
	uint64_t end = va + len;
	size_t i = 0;

	if (end < va)
		end = UINT64_MAX;
	while (i < emu->nr_hugetlb) {
		struct emu_hugetlb_range *r = &emu->hugetlb[i];
		uint64_t lo = va > r->start ? va : r->start;
		uint64_t hi = end < r->end ? end : r->end;

		if (r->pid != pid || lo >= hi) {
			i++;
			continue;
		}
		lo &= ~(EMU_HPAGE_SIZE - 1);
		if (!emu_align_up(hi, EMU_HPAGE_SIZE, &hi) || hi > r->end)
			hi = r->end;
		emu->hugetlb_used -= (hi - lo) / EMU_HPAGE_SIZE;
		if (lo > r->start && hi < r->end) {
			/* Keep the head; the tail needs its own entry. */
			uint64_t tail_end = r->end;

			r->end = lo;
			if (emu_hugetlb_push(emu, pid, hi, tail_end))
				emu->hugetlb_used -= (tail_end - hi) /
						     EMU_HPAGE_SIZE;
			i++;
		} else if (lo > r->start) {
			r->end = lo;
			i++;
		} else if (hi < r->end) {
			r->start = hi;
			i++;
		} else {
			*r = emu->hugetlb[--emu->nr_hugetlb];
		}
	}
}

void emu_hugetlb_forget(struct emu *emu, pid_t pid)
{
	emu_hugetlb_unmap(emu, pid, 0, UINT64_MAX);
}

void emu_hugetlb_fini(struct emu *emu)
{
	emu_heap_free(emu->heap, emu->hugetlb);
	emu->hugetlb = NULL;
	emu->nr_hugetlb = 0;
	emu->hugetlb_used = 0;
}
