/* SPDX-License-Identifier: MIT */
/*
 * The calling process's memory map, as the kernel's page pinning sees it.
 *
 * The emulator runs inside the process whose memory is being "pinned", so
 * the truth is /proc/self/maps: a range pins only if every page of it lies
 * in mappings that are readable, and writable too when the pin is for
 * write (FOLL_WRITE without FOLL_FORCE refuses read-only mappings). A
 * snapshot is taken once per operation (a MAP, an attach loading every
 * area) and thrown away after, so a change of the process's mappings is
 * seen by the next operation, as with the kernel.
 *
 * With a cache given to the machine (emu_mm_cache_use), emu_mm_load lends
 * the cache's snapshot, kept across operations, instead, and emu_mm_check
 * re-reads it before it refuses a range: refusals stay truthful, only a
 * range unmapped since the last read can still pass.
 */
#ifndef EMU_MM_H
#define EMU_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu_vma {
	uint64_t start;
	uint64_t end;		/* exclusive */
	bool read;
	bool write;
};

struct emu;
struct emu_mm_cache;

struct emu_mm {
	struct emu_vma *v;
	size_t nr;
	struct emu_mm_cache *cache;	/* set: v and nr unused, it answers */
};

/*
 * Snapshot /proc/self/maps for an operation of @emu, or lend its cache:
 * 0, -ENOMEM, or the errno of the read.
 */
int emu_mm_load(struct emu *emu, struct emu_mm *mm);
void emu_mm_fini(struct emu_mm *mm);

/*
 * Whether [va, va + length) could be pinned (for write when @write): 0 or
 * -EFAULT. length 0 checks nothing.
 */
int emu_mm_check(const struct emu_mm *mm, uint64_t va, uint64_t length,
		 bool write);

#endif /* EMU_MM_H */
