/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach under libFuzzer: the engine calls LLVMFuzzerTestOneInput once
 * per input and the harness core does the rest, building and tearing down
 * a whole machine per input, so inputs cannot influence each other.
 *
 * The one thing kept between inputs is the arena of user memory behind
 * regions and maps (harness.h): the harness never reads or writes it and
 * the emulator only records its addresses, so its content carries nothing
 * from one input to the next. Allocating its 320 KiB per input would cost
 * an mmap, a munmap and a TLB shootdown each time under ASan, most of the
 * run. libFuzzer's entry points take no context, so it is the one
 * file-scope variable, set once in LLVMFuzzerInitialize.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void *fuzz_arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* NULL is fine: the harness then allocates one per input. */
	fuzz_arena = aligned_alloc(OP_PAGE_SIZE, FUZZ_ARENA_SIZE);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_opts o = { .arena = fuzz_arena };

	/* -ENOMEM is the harness's own allocation: not the input's fault. */
	fuzz_attach_run(data, size, &o);
	return 0;
}
