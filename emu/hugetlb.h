/* SPDX-License-Identifier: MIT */
/*
 * The emulated machine's hugetlb pool (emu.h, emu_hugetlb_*): how many
 * 2 MiB huge pages it has, which are handed out, and where each process
 * has them mapped. A range here is physically contiguous within each huge
 * page and made of compound pages, which is what the selftest mock looks
 * at (its huge IOMMU pages, MD_CHECK_REFS).
 */
#ifndef EMU_HUGETLB_H
#define EMU_HUGETLB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct emu;

/* One mapping of huge pages: [start, end) of process pid, 2 MiB aligned. */
struct emu_hugetlb_range {
	pid_t pid;
	uint64_t start;
	uint64_t end;
};

/* The range of @pid holding @va, into *@out (may be NULL): false if none. */
bool emu_hugetlb_find(const struct emu *emu, pid_t pid, uint64_t va,
		      struct emu_hugetlb_range *out);

/* Forget every range (machine teardown). */
void emu_hugetlb_fini(struct emu *emu);

#endif /* EMU_HUGETLB_H */
