// SPDX-License-Identifier: MIT
/*
 * emu_digest: the whole state of a machine as one number, so that a
 * machine emu_reset made new can be proven equal to one emu_create made.
 *
 * The struct is hashed byte for byte, padding included (calloc and
 * emu_reset both leave it zero), after every pointer in it has been
 * replaced by what it stands for: the fd table by its open fds and the
 * kind of each file, the mapping list by its ranges, a device's bound
 * file, vfio-pci state, BAR store, model state and group links and the
 * context list and the kernel log's records by whether they exist, the DMA
 * fault records by their fields, the fail-nth counters by the tasks whose
 * counter is set and its value (a counter at 0 is off, as no counter is),
 * the hugetlb ranges by their process and bounds, the heap by the count of
 * blocks it has handed out but the fd table's (whether it is libc or an
 * arena is how, not what, the machine holds; libc's counts none).
 * Everything else is hashed as it lies, so a field added to struct emu is
 * covered without a word here; a pointer added to it is hashed as an
 * address, which differs between two machines and fails the reset check
 * until it is given a line here. Open files are not followed: a file left
 * open is already an fd or a count (nr_files, nr_contexts, nr_objects,
 * ...) that a fresh machine does not have.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "failnth.h"
#include "hugetlb.h"
#include "machine.h"

/* 64-bit FNV-1a. */
#define EMU_FNV_OFFSET 0xcbf29ce484222325ULL
#define EMU_FNV_PRIME 0x100000001b3ULL

static uint64_t emu_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= EMU_FNV_PRIME;
	}
	return h;
}

/* Stands for a pointer that is set: never a real address. */
#define EMU_DIGEST_SET ((void *)1)

static void *emu_digest_ptr(const void *p)
{
	return p ? EMU_DIGEST_SET : NULL;
}

/* A group's links (group.h) by whether each is set. */
static void emu_digest_group(struct emu_group *flat,
			     const struct emu_group *g)
{
	flat->opened = emu_digest_ptr(g->opened);
	flat->container = emu_digest_ptr(g->container);
	flat->ictx = emu_digest_ptr(g->ictx);
	flat->idev = emu_digest_ptr(g->idev);
}

/*
 * The heap's blocks in use but the fd table's array, which a reset keeps
 * (emu_reset) and which is one block of the heap when there is one.
 */
static unsigned long emu_digest_live(const struct emu *emu)
{
	unsigned long live = emu_heap_live(emu->heap);

	return emu->heap && emu->fds ? live - 1 : live;
}

uint64_t emu_digest(const struct emu *emu)
{
	struct emu flat;
	uint64_t h = EMU_FNV_OFFSET;
	unsigned int i;

	memcpy(&flat, emu, sizeof(flat));
	flat.fds = NULL;
	flat.nr_fd_slots = 0;
	flat.maps = NULL;
	flat.cap_maps = 0;
	flat.contexts = emu_digest_ptr(emu->contexts);
	flat.klog.v = emu_digest_ptr(emu->klog.v);
	memset(flat.dma_faults, 0, sizeof(flat.dma_faults));
	flat.fail_nth = NULL;
	flat.nr_fail_nth = 0;
	flat.hugetlb = NULL;
	flat.nr_hugetlb = 0;
	flat.heap = (struct emu_heap *)(uintptr_t)emu_digest_live(emu);
	for (i = 0; i < EMU_MAX_DEVICES; i++) {
		flat.devs[i].bound = emu_digest_ptr(emu->devs[i].bound);
		flat.devs[i].vpci = emu_digest_ptr(emu->devs[i].vpci);
		flat.devs[i].store = emu_digest_ptr(emu->devs[i].store);
		flat.devs[i].model = emu_digest_ptr(emu->devs[i].model);
		emu_digest_group(&flat.devs[i].group, &emu->devs[i].group);
	}
	h = emu_hash(h, &flat, sizeof(flat));

	for (i = 0; i < emu->nr_fd_slots; i++) {
		const struct emu_file *file = emu->fds[i];
		unsigned int slot[2];

		if (!file)
			continue;
		slot[0] = i;
		slot[1] = (unsigned int)file->kind;
		h = emu_hash(h, slot, sizeof(slot));
	}
	for (i = 0; i < emu->nr_maps; i++) {
		h = emu_hash(h, &emu->maps[i].start, sizeof(emu->maps[i].start));
		h = emu_hash(h, &emu->maps[i].end, sizeof(emu->maps[i].end));
	}
	for (i = 0; i < emu->nr_dma_faults && i < EMU_DMA_FAULTS_MAX; i++) {
		const struct emu_dma_fault *f = &emu->dma_faults[i];
		uint64_t rec[4] = { f->dev, f->iova, f->write, f->reason };

		h = emu_hash(h, rec, sizeof(rec));
	}
	for (i = 0; i < emu->nr_fail_nth; i++) {
		if (emu->fail_nth[i].nth)
			h = emu_hash(h, &emu->fail_nth[i],
				     sizeof(emu->fail_nth[i]));
	}
	for (i = 0; i < emu->nr_hugetlb; i++) {
		const struct emu_hugetlb_range *r = &emu->hugetlb[i];

		h = emu_hash(h, &r->pid, sizeof(r->pid));
		h = emu_hash(h, &r->start, sizeof(r->start));
		h = emu_hash(h, &r->end, sizeof(r->end));
	}
	return h;
}
