// SPDX-License-Identifier: MIT
/*
 * The machine's heap (heap.h): libc, or an arena of size classes.
 *
 * Every arena block starts with a header: its class (0 for a block too
 * big for any class, which libc holds and the header's size field
 * measures) and a mark that says whether it is handed out or queued, so
 * a double free or a free of something else stops the program. Classes
 * are EMU_HEAP_GRAIN bytes apart up to EMU_HEAP_CLASSES grains; chunks
 * of EMU_HEAP_CHUNK bytes are carved front to back and never returned
 * before the arena goes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"

#if defined(__SANITIZE_ADDRESS__)
#define EMU_HEAP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMU_HEAP_ASAN 1
#endif
#endif

#ifdef EMU_HEAP_ASAN
#include <sanitizer/asan_interface.h>
#define emu_heap_poison(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define emu_heap_unpoison(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define emu_heap_poison(p, n) ((void)(p), (void)(n))
#define emu_heap_unpoison(p, n) ((void)(p), (void)(n))
#endif

#define EMU_HEAP_GRAIN 16
#define EMU_HEAP_CLASSES 32		/* blocks up to 512 bytes */
#define EMU_HEAP_CHUNK (64 * 1024)
#define EMU_HEAP_LIVE 0x4c495645u	/* "LIVE" */
#define EMU_HEAP_QUEUED 0x51554555u	/* "QUEU" */

struct emu_block {
	uint32_t cls;			/* 0: a big block, libc's */
	uint32_t mark;			/* EMU_HEAP_LIVE or _QUEUED */
	union {
		struct emu_block *next;	/* queued: the next in its class */
		size_t size;		/* a big block's payload */
	};
};

_Static_assert(sizeof(struct emu_block) == EMU_HEAP_GRAIN,
	       "the payload stays aligned as malloc's");

struct emu_chunk {
	struct emu_chunk *next;
	size_t used;
	_Alignas(EMU_HEAP_GRAIN) unsigned char mem[EMU_HEAP_CHUNK];
};

struct emu_heap {
	struct emu_chunk *chunks;	/* the first is carved from */
	struct emu_block *head[EMU_HEAP_CLASSES + 1];
	struct emu_block *tail[EMU_HEAP_CLASSES + 1];
	unsigned long live;
};

struct emu_heap *emu_heap_create(void)
{
	return calloc(1, sizeof(struct emu_heap));
}

void emu_heap_destroy(struct emu_heap *h)
{
	struct emu_chunk *c, *next;

	if (!h)
		return;
	for (c = h->chunks; c; c = next) {
		next = c->next;
		emu_heap_unpoison(c->mem, sizeof(c->mem));
		free(c);
	}
	free(h);
}

unsigned long emu_heap_live(const struct emu_heap *h)
{
	return h ? h->live : 0;
}

static struct emu_block *emu_heap_header(void *p)
{
	struct emu_block *b = (struct emu_block *)p - 1;

	emu_heap_unpoison(b, sizeof(*b));
	return b;
}

/* A new block of class @cls from the chunk, its header unpoisoned. */
static struct emu_block *emu_heap_carve(struct emu_heap *h, unsigned int cls)
{
	size_t need = sizeof(struct emu_block) + (size_t)cls * EMU_HEAP_GRAIN;
	struct emu_chunk *c = h->chunks;
	struct emu_block *b;

	if (!c || c->used + need > sizeof(c->mem)) {
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = h->chunks;
		c->used = 0;
		emu_heap_poison(c->mem, sizeof(c->mem));
		h->chunks = c;
	}
	b = (struct emu_block *)(c->mem + c->used);
	c->used += need;
	emu_heap_unpoison(b, sizeof(*b));
	b->cls = cls;
	return b;
}

void *emu_heap_zalloc(struct emu_heap *h, size_t size)
{
	unsigned int cls;
	struct emu_block *b;

	if (!h)
		return calloc(1, size);
	cls = size ? (unsigned int)((size + EMU_HEAP_GRAIN - 1) / EMU_HEAP_GRAIN) : 1;
	if (cls > EMU_HEAP_CLASSES) {
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->cls = 0;
		b->size = size;
	} else if (h->head[cls]) {
		b = h->head[cls];
		emu_heap_unpoison(b, sizeof(*b));
		h->head[cls] = b->next;
		if (!h->head[cls])
			h->tail[cls] = NULL;
	} else {
		b = emu_heap_carve(h, cls);
		if (!b)
			return NULL;
	}
	b->mark = EMU_HEAP_LIVE;
	size = b->cls ? (size_t)b->cls * EMU_HEAP_GRAIN : size;
	emu_heap_poison(b, sizeof(*b));
	emu_heap_unpoison(b + 1, size);
	memset(b + 1, 0, size);
	h->live++;
	return b + 1;
}

void emu_heap_free(struct emu_heap *h, void *p)
{
	struct emu_block *b;

	if (!h) {
		free(p);
		return;
	}
	if (!p)
		return;
	b = emu_heap_header(p);
	if (b->mark != EMU_HEAP_LIVE) {
		fprintf(stderr, "emu heap: free of %p, which is %s\n", p,
			b->mark == EMU_HEAP_QUEUED ? "free already" :
			"no block of this heap");
		abort();
	}
	h->live--;
	if (!b->cls) {
		free(b);
		return;
	}
	b->mark = EMU_HEAP_QUEUED;
	b->next = NULL;
	if (h->tail[b->cls]) {
		emu_heap_unpoison(h->tail[b->cls], sizeof(*b));
		h->tail[b->cls]->next = b;
		emu_heap_poison(h->tail[b->cls], sizeof(*b));
	} else {
		h->head[b->cls] = b;
	}
	h->tail[b->cls] = b;
	emu_heap_poison(b, sizeof(*b) + (size_t)b->cls * EMU_HEAP_GRAIN);
}

void *emu_heap_realloc(struct emu_heap *h, void *p, size_t size)
{
	struct emu_block *b;
	size_t have;
	bool fits;
	void *n;

	if (!h)
		return realloc(p, size);
	if (!p)
		return emu_heap_zalloc(h, size);
	b = emu_heap_header(p);
	fits = b->cls && size <= (size_t)b->cls * EMU_HEAP_GRAIN;
	have = b->cls ? (size_t)b->cls * EMU_HEAP_GRAIN : b->size;
	emu_heap_poison(b, sizeof(*b));
	if (fits)
		return p;
	n = emu_heap_zalloc(h, size);
	if (!n)
		return NULL;
	memcpy(n, p, have < size ? have : size);
	emu_heap_free(h, p);
	return n;
}
