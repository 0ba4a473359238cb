// SPDX-License-Identifier: MIT
/*
 * The dma op's verdict (dmacheck.c) on outcomes built by hand over a small
 * arena: each accepts exactly what the model says and refuses a DMA that
 * landed in another page, also touched a second page, read from the wrong
 * page, faulted with another reason or at another IOVA, left no record or
 * one too many, or changed memory while refused.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "harness_int.h"

#define TEST(fn) { #fn, fn }

#define T_PAGES 4
#define T_SIZE ((size_t)T_PAGES * OP_PAGE_SIZE)
#define T_IOVA 0x7000ULL

static uint8_t t_before[T_SIZE], t_arena[T_SIZE], t_buf[OP_PAGE_SIZE];
static struct emu_dma_fault t_fault;

/* Every page distinct before the DMA; the buffer unlike all of them. */
static void t_reset(void)
{
	size_t i;

	for (i = 0; i < T_SIZE; i++)
		t_before[i] = (uint8_t)(i / OP_PAGE_SIZE * 37 + i % 251);
	memcpy(t_arena, t_before, T_SIZE);
	memset(t_buf, 0xd5, sizeof(t_buf));
	t_fault = (struct emu_dma_fault){
		.dev = 1, .iova = T_IOVA, .write = true,
		.reason = EMU_DMA_FAULT_WRITE,
	};
}

static struct fuzz_dma_got t_got(int ret, size_t done, size_t nfaults)
{
	return (struct fuzz_dma_got){
		.ret = ret, .done = done, .faults = &t_fault,
		.nfaults = nfaults, .arena = t_arena, .before = t_before,
		.arena_size = T_SIZE, .buf = t_buf,
	};
}

static struct fuzz_dma_want t_want(enum fuzz_dma_kind kind, unsigned int page,
				   bool write)
{
	return (struct fuzz_dma_want){
		.kind = kind, .page = page, .dev = 1, .iova = T_IOVA,
		.write = write,
	};
}

static bool t_ok(const struct fuzz_dma_want *w, const struct fuzz_dma_got *g)
{
	char msg[256];

	return fuzz_dma_verdict(w, g, msg, sizeof(msg)) == NULL;
}

static void write_lands_in_its_page_only(void)
{
	struct fuzz_dma_want w = t_want(FUZZ_DMA_LAND, 2, true);
	struct fuzz_dma_got g;

	t_reset();
	memcpy(t_arena + 2 * OP_PAGE_SIZE, t_buf, OP_PAGE_SIZE);
	g = t_got(0, OP_PAGE_SIZE, 0);
	CHECK(t_ok(&w, &g));
	/* The model named another page: the write went elsewhere. */
	w.page = 1;
	CHECK(!t_ok(&w, &g));
	w.page = 3;
	CHECK(!t_ok(&w, &g));
	/* One byte of a second page changed too. */
	w.page = 2;
	t_arena[3 * OP_PAGE_SIZE + 17] ^= 1;
	CHECK(!t_ok(&w, &g));
	t_arena[3 * OP_PAGE_SIZE + 17] ^= 1;
	/* A page moved in part, or with a record left behind. */
	g.done = OP_PAGE_SIZE / 2;
	CHECK(!t_ok(&w, &g));
	g = t_got(0, OP_PAGE_SIZE, 1);
	CHECK(!t_ok(&w, &g));
	/* The write did not land at all. */
	t_reset();
	g = t_got(0, OP_PAGE_SIZE, 0);
	CHECK(!t_ok(&w, &g));
}

static void read_comes_from_its_page(void)
{
	struct fuzz_dma_want w = t_want(FUZZ_DMA_LAND, 1, false);
	struct fuzz_dma_got g;

	t_reset();
	memcpy(t_buf, t_before + OP_PAGE_SIZE, OP_PAGE_SIZE);
	g = t_got(0, OP_PAGE_SIZE, 0);
	CHECK(t_ok(&w, &g));
	w.page = 0;
	CHECK(!t_ok(&w, &g));
	/* A read must not write. */
	w.page = 1;
	t_arena[0] ^= 0x80;
	CHECK(!t_ok(&w, &g));
}

static void fault_has_its_record_and_reason(void)
{
	struct fuzz_dma_want w = t_want(FUZZ_DMA_FAULT, 0, true);
	struct fuzz_dma_got g;

	t_reset();
	w.reasons = 1u << EMU_DMA_FAULT_WRITE;
	g = t_got(-EFAULT, 0, 1);
	CHECK(t_ok(&w, &g));
	w.reasons = 1u << EMU_DMA_FAULT_READ | 1u << EMU_DMA_FAULT_BEYOND;
	CHECK(!t_ok(&w, &g));
	w.reasons |= 1u << EMU_DMA_FAULT_WRITE;
	CHECK(t_ok(&w, &g));
	/* Another IOVA, device or direction in the record. */
	t_fault.iova += OP_PAGE_SIZE;
	CHECK(!t_ok(&w, &g));
	t_reset();
	t_fault.dev = 0;
	CHECK(!t_ok(&w, &g));
	t_reset();
	t_fault.write = false;
	CHECK(!t_ok(&w, &g));
	/* No record, or memory changed although refused. */
	t_reset();
	g = t_got(-EFAULT, 0, 0);
	CHECK(!t_ok(&w, &g));
	g = t_got(-EFAULT, 0, 1);
	t_arena[T_SIZE - 1] ^= 1;
	CHECK(!t_ok(&w, &g));
	/* It landed instead. */
	t_reset();
	g = t_got(0, OP_PAGE_SIZE, 0);
	CHECK(!t_ok(&w, &g));
}

static void closed_moves_nothing(void)
{
	struct fuzz_dma_want w = t_want(FUZZ_DMA_CLOSED, 0, true);
	struct fuzz_dma_got g;

	t_reset();
	g = t_got(-EPERM, 0, 0);
	CHECK(t_ok(&w, &g));
	g = t_got(-EPERM, 0, 1);
	CHECK(!t_ok(&w, &g));
	g = t_got(-EFAULT, 0, 1);
	CHECK(!t_ok(&w, &g));
	g = t_got(-EPERM, 0, 0);
	t_arena[5] ^= 1;
	CHECK(!t_ok(&w, &g));
}

static void unknown_keeps_its_records(void)
{
	struct fuzz_dma_want w = t_want(FUZZ_DMA_UNKNOWN, 0, true);
	struct fuzz_dma_got g;

	t_reset();
	t_fault.reason = EMU_DMA_FAULT_NO_CONTEXT;
	g = t_got(-EFAULT, 0, 1);
	CHECK(t_ok(&w, &g));
	g = t_got(-EPERM, 0, 0);
	CHECK(t_ok(&w, &g));
	g = t_got(-EFAULT, 0, 0);
	CHECK(!t_ok(&w, &g));
	g = t_got(-EINVAL, 0, 0);
	CHECK(!t_ok(&w, &g));
	g = t_got(-EPERM, 0, 0);
	t_arena[9] ^= 1;
	CHECK(!t_ok(&w, &g));
}

static const struct check_test tests[] = {
	TEST(write_lands_in_its_page_only),
	TEST(read_comes_from_its_page),
	TEST(fault_has_its_record_and_reason),
	TEST(closed_moves_nothing),
	TEST(unknown_keeps_its_records),
};

CHECK_MAIN(tests)
