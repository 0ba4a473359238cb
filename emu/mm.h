/* SPDX-License-Identifier: MIT */
/*
 * A process's memory map, as the kernel's page pinning sees it.
 *
 * The emulator runs inside the process whose memory is being "pinned"
 * (or serves one it forked, emu_task_set), so the truth is
 * /proc/<pid>/maps: a range pins only if every page of it lies in
 * mappings that are readable, and writable too when the pin is for write
 * (FOLL_WRITE without FOLL_FORCE refuses read-only mappings); a process
 * that is gone pins nothing. A snapshot is taken once per operation (a
 * MAP, an attach loading every area) and thrown away after, so a change
 * of the process's mappings is seen by the next operation, as with the
 * kernel. Each mapping keeps what identifies its memory (device, inode,
 * file offset), so that a shared mapping's pages can be found again in
 * another process that maps the same memory.
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
#include <sys/types.h>

struct emu_vma {
	uint64_t start;
	uint64_t end;		/* exclusive */
	uint64_t pgoff;		/* file offset of start, in bytes */
	uint64_t dev;		/* major << 32 | minor of the backing file */
	uint64_t ino;		/* 0: anonymous private memory */
	bool read;
	bool write;
	bool shared;
};

struct emu;
struct emu_heap;
struct emu_mm_cache;

struct emu_mm {
	pid_t pid;
	struct emu_vma *v;
	size_t nr;
	struct emu_mm_cache *cache;	/* set: v and nr unused, it answers */
	struct emu_heap *heap;		/* where v comes from (heap.h) */
};

/*
 * Snapshot, for an operation of @emu, the map of the process it acts for
 * (emu_current_pid), in blocks of @emu's heap, or lend @emu's cache when
 * that process is this one: 0, -ENOMEM, or the errno of the read (-ENOENT
 * when the process is gone).
 */
int emu_mm_load(struct emu *emu, struct emu_mm *mm);
/*
 * Snapshot the map of process @pid in blocks of @heap (NULL: libc), never
 * from a cache; as emu_mm_load.
 */
int emu_mm_load_pid(struct emu_heap *heap, struct emu_mm *mm, pid_t pid);
void emu_mm_fini(struct emu_mm *mm);

/*
 * Whether [va, va + length) could be pinned (for write when @write): 0 or
 * -EFAULT. length 0 checks nothing.
 */
int emu_mm_check(const struct emu_mm *mm, uint64_t va, uint64_t length,
		 bool write);

/* The mapping of @mm holding @va (a snapshot's, not the cache's), or NULL. */
const struct emu_vma *emu_mm_find(const struct emu_mm *mm, uint64_t va);

#endif /* EMU_MM_H */
