/* SPDX-License-Identifier: MIT */
/*
 * Where a machine's objects come from: libc by default, or a per-machine
 * arena (emu_arena_use) for a harness that runs many inputs on one
 * machine under ASan, where each malloc and free costs a stack unwind and
 * a quarantine entry while the emulator is not the code under test.
 *
 * The arena hands out blocks of a few size classes carved from chunks it
 * gets from libc and keeps for the machine's life; a freed block waits at
 * the back of its class's queue, so it is reused as late as the queue
 * allows. Under ASan a block is poisoned from its free to its next
 * allocation and the block headers always are, so a use after free (until
 * the block is reused), a double free or an overflow into the next block
 * is still reported. The arena counts the blocks it has handed out and not
 * taken back: a machine's digest includes the count, so a reset that
 * leaves an object allocated fails the check, as a leak check would.
 *
 * Every function takes the heap (NULL: libc); the free must go to the heap
 * that allocated.
 */
#ifndef EMU_HEAP_H
#define EMU_HEAP_H

#include <stdbool.h>
#include <stddef.h>

struct emu_heap;

/* A new arena: NULL when out of memory. */
struct emu_heap *emu_heap_create(void);
/* Give every chunk back to libc (blocks still handed out go with them). */
void emu_heap_destroy(struct emu_heap *h);
/* Blocks handed out and not freed. */
unsigned long emu_heap_live(const struct emu_heap *h);

/* calloc, realloc and free of @h (NULL: libc's). */
void *emu_heap_zalloc(struct emu_heap *h, size_t size);
void *emu_heap_realloc(struct emu_heap *h, void *p, size_t size);
void emu_heap_free(struct emu_heap *h, void *p);

#endif /* EMU_HEAP_H */
