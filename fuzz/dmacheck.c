/* SPDX-License-Identifier: MIT */
/*
 * The dma op's invariant: a device's DMA reaches exactly the arena page
 * the harness's model says its IOVA maps to, and nothing else, or it is
 * refused exactly where the model says, with the matching VT-d fault
 * reason recorded and no memory changed.
 *
 * The model is what the other checks already hold to: the IOAS of an
 * attached device's container holds exactly its space's regions
 * (invariants.c, (b)), so the region of that space that covers the IOVA
 * gives the arena page, and its read-only flag whether a write may pass.
 * Where the core traced that a space's IOAS differs from its regions on
 * purpose, the emulator's areas of that IOAS stand in for them. A device
 * the core does not hold attached has had its cdev closed (vfio-pci
 * clears bus mastering then): nothing reaches the IOMMU, -EPERM. The one
 * exception is a device KVM may still hold after a failed FILE_DEL (one
 * registered with KVM at its last attach, while KVM holds more files than
 * attached devices): its cdev is not released, and what it is attached
 * to is the emulator's, not the core's; there only the records are
 * checked.
 *
 * A fault's reason: the direction's (no such mapping, or no permission)
 * for an IOVA inside the domain's aperture, BEYOND past it. The domain is
 * one some device of the program made; when the program's profiles differ
 * in aperture, an IOVA between the smallest and the largest may give
 * either.
 *
 * At an input's first dma op every arena page is filled with a byte of
 * its own (so a read from the wrong page, or from two, shows), which no
 * word a dma write moves holds in its top byte (so a write that did not
 * land shows), and the arena is copied. After each dma op the arena must
 * be that copy, but for the one page a write landed in, which the copy
 * then takes: the DMA changed no other byte, and nothing else wrote the
 * arena since the last dma op.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_int.h"

#define FUZZ_DMA_PAGES (OPRUN_ARENA_SIZE / OP_PAGE_SIZE)
/* Records one op can leave: the machine keeps no more. */
#define FUZZ_DMA_RECORDS 64

_Static_assert(FUZZ_DMA_PAGES <= 0x50, "every page's stamp is below 0xd0");

/* The byte arena page @p is filled with: 0x80.., below any write's top. */
static uint8_t fuzz_dma_stamp(unsigned int p)
{
	return (uint8_t)(0x80 | p);
}

static const char *fuzz_dma_kind_name(enum fuzz_dma_kind k)
{
	switch (k) {
	case FUZZ_DMA_LAND:
		return "land";
	case FUZZ_DMA_FAULT:
		return "fault";
	case FUZZ_DMA_CLOSED:
		return "refused unopened (-EPERM)";
	case FUZZ_DMA_UNKNOWN:
		return "any, with its record";
	}
	return "?";
}

/* The first byte where [a, a + len) and [b, b + len) differ, or -1. */
static long fuzz_dma_differs(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i;

	if (!memcmp(a, b, len))
		return -1;
	for (i = 0; a[i] == b[i]; i++)
		;
	return (long)i;
}

/* The arena as it was, except page @skip (none when past the arena). */
static const char *fuzz_dma_rest_kept(const struct fuzz_dma_got *g,
				      size_t skip, char *msg, size_t cap)
{
	size_t at = g->arena_size;
	long d;

	if (skip < g->arena_size / OP_PAGE_SIZE)
		at = skip * OP_PAGE_SIZE;
	d = fuzz_dma_differs(g->arena, g->before, at);
	if (d < 0 && at < g->arena_size) {
		at += OP_PAGE_SIZE;
		d = fuzz_dma_differs(g->arena + at, g->before + at,
				     g->arena_size - at);
		if (d >= 0)
			d += (long)at;
	}
	if (d < 0)
		return NULL;
	snprintf(msg, cap, "arena byte %#lx (page %lu) changed", (unsigned long)d,
		 (unsigned long)d / OP_PAGE_SIZE);
	return msg;
}

/* No record, or exactly one for this device, IOVA and direction. */
static const char *fuzz_dma_record(const struct fuzz_dma_want *w,
				   const struct fuzz_dma_got *g, bool one,
				   char *msg, size_t cap)
{
	const struct emu_dma_fault *f = g->faults;

	if (g->nfaults != (one ? 1 : 0)) {
		snprintf(msg, cap, "%zu fault records, %d expected", g->nfaults,
			 one ? 1 : 0);
		return msg;
	}
	if (one && (f->dev != w->dev || f->iova != w->iova ||
		    f->write != w->write)) {
		snprintf(msg, cap, "fault record of device %u at %#" PRIx64
			 " %s, expected device %u at %#" PRIx64 " %s",
			 f->dev, f->iova, f->write ? "write" : "read", w->dev,
			 w->iova, w->write ? "write" : "read");
		return msg;
	}
	return NULL;
}

/* A LAND: the page moved, to or from arena page w->page, and no other. */
static const char *fuzz_dma_landed(const struct fuzz_dma_want *w,
				   const struct fuzz_dma_got *g, char *msg,
				   size_t cap)
{
	size_t at = (size_t)w->page * OP_PAGE_SIZE;
	const char *why;
	long d;

	if (at >= g->arena_size) {
		snprintf(msg, cap, "page %u is past the arena", w->page);
		return msg;
	}
	if (!w->write) {
		why = fuzz_dma_rest_kept(g, SIZE_MAX, msg, cap);
		if (why)
			return why;
		d = fuzz_dma_differs(g->buf, g->before + at, OP_PAGE_SIZE);
		if (d < 0)
			return NULL;
		snprintf(msg, cap, "read byte %#lx differs from arena page %u's",
			 (unsigned long)d, w->page);
		return msg;
	}
	d = fuzz_dma_differs(g->arena + at, g->buf, OP_PAGE_SIZE);
	if (d >= 0) {
		snprintf(msg, cap, "arena page %u byte %#lx is not what was written",
			 w->page, (unsigned long)d);
		return msg;
	}
	return fuzz_dma_rest_kept(g, w->page, msg, cap);
}

const char *fuzz_dma_verdict(const struct fuzz_dma_want *w,
			     const struct fuzz_dma_got *g, char *msg,
			     size_t cap)
{
	int ret = w->kind == FUZZ_DMA_LAND ? 0 :
		  w->kind == FUZZ_DMA_FAULT ? -EFAULT : -EPERM;
	size_t done = w->kind == FUZZ_DMA_LAND ? OP_PAGE_SIZE : 0;
	const char *why;

	/* A translation the model does not know: the records still hold. */
	if (w->kind == FUZZ_DMA_UNKNOWN && (g->ret == 0 || g->ret == -EPERM ||
					    g->ret == -EFAULT)) {
		why = fuzz_dma_record(w, g, g->ret == -EFAULT, msg, cap);
		if (why || g->ret == 0)
			return why;
		return fuzz_dma_rest_kept(g, SIZE_MAX, msg, cap);
	}
	if (w->kind == FUZZ_DMA_UNKNOWN || g->ret != ret || g->done != done) {
		snprintf(msg, cap, "emu_dma gave %d, %zu bytes moved; expected: %s",
			 g->ret, g->done, fuzz_dma_kind_name(w->kind));
		return msg;
	}
	why = fuzz_dma_record(w, g, w->kind == FUZZ_DMA_FAULT, msg, cap);
	if (why)
		return why;
	if (w->kind == FUZZ_DMA_LAND)
		return fuzz_dma_landed(w, g, msg, cap);
	if (w->kind == FUZZ_DMA_FAULT &&
	    !(w->reasons & (1u << g->faults[0].reason))) {
		snprintf(msg, cap, "fault reason %#x, expected one of mask %#x",
			 g->faults[0].reason, w->reasons);
		return msg;
	}
	return fuzz_dma_rest_kept(g, SIZE_MAX, msg, cap);
}

/* ------------------------------------------------------------------ */
/* The model                                                           */

/* The aperture of a domain a device of @p makes. */
static uint64_t fuzz_dma_aperture(struct fuzz_state *h,
				  const struct emu_profile *p)
{
	struct emu_variant v;

	if (p->aperture_last)
		return p->aperture_last;
	emu_variant_get(h->emu, &v);
	return v.vtd_aw_bits >= 64 ? UINT64_MAX :
	       (1ULL << v.vtd_aw_bits) - 1;
}

/* The reasons an IOVA no mapping covers may give (see the top). */
static unsigned int fuzz_dma_unmapped(struct fuzz_state *h, uint64_t iova,
				      bool write)
{
	uint64_t lo = UINT64_MAX, hi = 0, a;
	unsigned int j, reasons = 0;

	for (j = 0; j < h->r.ndevs; j++) {
		if (!h->r.devs[j].available)
			continue;
		a = fuzz_dma_aperture(h, h->r.devs[j].profile);
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
	}
	if (iova <= hi)
		reasons |= 1u << (write ? EMU_DMA_FAULT_WRITE :
				  EMU_DMA_FAULT_READ);
	if (iova > lo)
		reasons |= 1u << EMU_DMA_FAULT_BEYOND;
	return reasons;
}

/*
 * The mapping of @iova for attached device @d: true with its user address
 * and permission, from its space's regions (or, in a diverged space, the
 * emulator's areas of its container's IOAS).
 */
static bool fuzz_dma_lookup(struct fuzz_state *h, const struct oprun_dev *d,
			    uint64_t iova, uint64_t *va, bool *writeable)
{
	struct iofd_container *c = iofd_device_container(d->dev);
	struct fuzz_areas areas;
	unsigned int i;

	if (h->diverged[d->space])
		fuzz_areas_of_ioas(h,
			iofd_backend_fd(iofd_container_backend(c)),
			iofd_container_ioas(c), &areas);
	else
		fuzz_space_areas(h, h->r.spaces[d->space], &areas);
	for (i = 0; i < areas.count; i++) {
		const struct fuzz_area *a = &areas.a[i];

		if (iova >= a->iova && iova - a->iova < a->length) {
			*va = a->user_va + (iova - a->iova);
			*writeable = a->writeable;
			return true;
		}
	}
	return false;
}

/* What the model says the dma op @op must do. */
static void fuzz_dma_expect(struct fuzz_state *h, const struct op *op,
			    struct fuzz_dma_want *w)
{
	const struct oprun_dev *d = &h->r.devs[op->dma.dev];
	uint64_t va, base = (uint64_t)(uintptr_t)h->arena;
	bool writeable;

	*w = (struct fuzz_dma_want){
		.dev = (unsigned int)d->emu_index,
		.iova = h->r.cur.dma_iova,
		.write = op->dma.dir == OP_DMA_WRITE,
	};
	if (!d->dev) {
		w->kind = d->kvm_expect && fuzz_kvm_held(h) ?
			  FUZZ_DMA_UNKNOWN : FUZZ_DMA_CLOSED;
		return;
	}
	if (!fuzz_dma_lookup(h, d, w->iova, &va, &writeable) ||
	    (w->write && !writeable)) {
		w->kind = FUZZ_DMA_FAULT;
		w->reasons = fuzz_dma_unmapped(h, w->iova, w->write);
		return;
	}
	if (va < base || va - base >= OPRUN_ARENA_SIZE || va % OP_PAGE_SIZE)
		fuzz_fail(h, "IOVA %#" PRIx64 " maps to %#" PRIx64
			  ", not a page of the arena", w->iova, va);
	w->kind = FUZZ_DMA_LAND;
	w->page = (unsigned int)((va - base) / OP_PAGE_SIZE);
}

/* ------------------------------------------------------------------ */
/* Around the op                                                       */

void fuzz_dmacheck_pre(struct fuzz_state *h, const struct op *op)
{
	unsigned int p;

	if (!h->arena_before) {
		h->arena_before = malloc(OPRUN_ARENA_SIZE);
		if (!h->arena_before)
			fuzz_fail(h, "no memory for the arena's copy");
		h->own_before = true;
	}
	if (!h->dma_stamped) {
		for (p = 0; p < FUZZ_DMA_PAGES; p++)
			memset(h->arena + (size_t)p * OP_PAGE_SIZE,
			       fuzz_dma_stamp(p), OP_PAGE_SIZE);
		memcpy(h->arena_before, h->arena, OPRUN_ARENA_SIZE);
		h->dma_stamped = true;
	}
	/* Only this op's records count. */
	emu_dma_faults(h->emu, NULL, 0);
	fuzz_dma_expect(h, op, &h->dma_want);
}

void fuzz_dmacheck_post(struct fuzz_state *h, const struct op *op, int ret)
{
	struct emu_dma_fault faults[FUZZ_DMA_RECORDS];
	char msg[256];
	const char *why;
	struct fuzz_dma_got g = {
		.ret = ret, .done = h->r.cur.dma_done, .faults = faults,
		.arena = h->arena, .before = h->arena_before,
		.arena_size = OPRUN_ARENA_SIZE,
		.buf = (const uint8_t *)h->r.dma_buf,
	};

	if (!h->r.cur.main_called)
		fuzz_fail(h, "dma failed before reaching the device: %d", ret);
	g.nfaults = emu_dma_faults(h->emu, faults, FUZZ_DMA_RECORDS);
	if (g.nfaults)
		snprintf(h->dma_seen, sizeof(h->dma_seen),
			 "fault reason %#x at %#" PRIx64, faults[0].reason,
			 faults[0].iova);
	else
		snprintf(h->dma_seen, sizeof(h->dma_seen), "no fault recorded");
	why = fuzz_dma_verdict(&h->dma_want, &g, msg, sizeof(msg));
	if (why)
		fuzz_fail(h, "dev%u's DMA %s IOVA %#" PRIx64 " (%s): %s",
			  op->dma.dev, h->dma_want.write ? "to" : "from",
			  h->dma_want.iova,
			  fuzz_dma_kind_name(h->dma_want.kind), why);
	if (ret || !h->dma_want.write)
		return;
	/* The copy takes what the write changed: one page, or (unknown) any. */
	if (h->dma_want.kind == FUZZ_DMA_LAND)
		memcpy(h->arena_before + (size_t)h->dma_want.page * OP_PAGE_SIZE,
		       h->arena + (size_t)h->dma_want.page * OP_PAGE_SIZE,
		       OP_PAGE_SIZE);
	else
		memcpy(h->arena_before, h->arena, OPRUN_ARENA_SIZE);
}
