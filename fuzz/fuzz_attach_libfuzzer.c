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
 * run. libFuzzer's entry points take no context, so it and the mutator
 * switch are the file-scope variables, set once in LLVMFuzzerInitialize.
 *
 * Mutations are libFuzzer's own (LLVMFuzzerMutate, crossover included)
 * unless FUZZ_ATTACH_MUTATOR=ops is in the environment: then three in four
 * are op-level (mutator.h). Not the default, because it found less: 50 s
 * runs from an empty corpus reached 455 and 452 of core's 496 branches
 * with it, against 463 and 460 with libFuzzer's own (seeds 5 and 9).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mutator.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);

static bool fuzz_op_level;

static void *fuzz_arena;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* NULL is fine: the harness then allocates one per input. */
	const char *m = getenv("FUZZ_ATTACH_MUTATOR");

	fuzz_op_level = m && strcmp(m, "ops") == 0;
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

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	if (!fuzz_op_level)
		return LLVMFuzzerMutate(data, size, max_size);
	return fuzz_mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}
