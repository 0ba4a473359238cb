/* SPDX-License-Identifier: MIT */
/*
 * The preload shim across fork() (emu/preload/fork.c): a child forked
 * while emulated fds are open shares its parent's emulated files, as a
 * child shares the kernel's, by having the parent serve them. A child
 * forked with none open runs on its own copy of the emulator (state.c).
 *
 * Everything here is called with the shim's lock held (preload.h), but
 * the fork hooks, which run inside the shim's own fork handlers (the
 * lock is held in the prepare and parent hooks, and fresh in the child).
 */
#ifndef EMU_PRELOAD_FORK_H
#define EMU_PRELOAD_FORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Put the sharing host between the emulator's own host (emu_preload.raw
 * on entry, kept) and everything the shim calls: emu_preload.raw becomes
 * it. In the parent it is the emulator's; in a served child every entry
 * is a request to the parent.
 */
void emu_preload_fork_init(void);

/* The fork handlers' part: before, in the parent after, in the child. */
void emu_preload_fork_prepare_hook(void);
void emu_preload_fork_parent_hook(void);
void emu_preload_fork_child_hook(void);

/* Whether this process is a forked child that its parent serves. */
bool emu_preload_fork_served(void);

/* read/write of emulated fd @efd (emu_read, emu_write, or the parent's). */
ssize_t emu_preload_fork_rw(int efd, void *buf, size_t count, bool is_write);
/* emu_dup of emulated fd @efd, here or in the parent. */
int emu_preload_fork_dup(int efd);

/* The emulator's hugetlb pool for this process (emu_hugetlb_*). */
int emu_preload_hugetlb_map(uint64_t va, uint64_t len);
void emu_preload_hugetlb_unmap(uint64_t va, uint64_t len);
bool emu_preload_hugetlb_mapped(uint64_t va, uint64_t len);

#endif /* EMU_PRELOAD_FORK_H */
