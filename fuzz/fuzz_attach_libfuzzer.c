/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach under libFuzzer: the engine calls LLVMFuzzerTestOneInput once
 * per input and the harness core does the rest, on a machine it resets
 * after every input, so inputs cannot influence each other
 * (FUZZ_ATTACH_CHECK_RESET=1 proves each reset, harness.h).
 *
 * What is kept between inputs is what fuzz_attach_driver_init gives: the
 * arena of user memory behind regions and maps (harness.h: the harness
 * never reads or writes it and the emulator only records its addresses,
 * so its content carries nothing from one input to the next; allocating
 * it per input would cost an mmap, a munmap and a TLB shootdown each time
 * under ASan), the memory-map cache over it and the machine, whose objects
 * come from an arena of its own (harness.h: emu_arena). libFuzzer's
 * entry points take no context, so those and the mutator switch are
 * file-scope variables, set once in LLVMFuzzerInitialize.
 *
 * Mutations: FUZZ_ATTACH_MUTATOR in the environment picks them, so both
 * can be measured with one build. "bytes" (and no variable) makes the
 * custom mutator a plain call of LLVMFuzzerMutate, libFuzzer's own
 * mutations with its crossover among them, and the custom crossover
 * declines (returning 0 makes libFuzzer draw another mutation). "ops"
 * makes half the calls op-level (mutator.h) and one crossover in eight
 * splice whole ops.
 *
 * "bytes" is the default: measured from an empty corpus, "ops" reached
 * no more of core's branches (the README gives the figures). Any other
 * value is refused, naming it.
 *
 * Length control: libFuzzer turns -len_control off by default in any
 * binary that defines LLVMFuzzerCustomMutator, even one that only calls
 * LLVMFuzzerMutate, so inputs grow to -max_len at once: longer programs
 * and fewer executions per second, with no mutator that needs them.
 * LLVMFuzzerInitialize runs before libFuzzer parses its flags, so it puts
 * libFuzzer's usual -len_control=100 back when the command line names
 * none; an explicit -len_control=N still wins.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mutator.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed);

/* One custom crossover call in this many splices (returning 0 declines). */
#define FUZZ_CROSSOVER_ONE_IN 8
/* libFuzzer's default where no custom mutator is defined. */
#define FUZZ_LEN_CONTROL_FLAG "-len_control="
#define FUZZ_LEN_CONTROL FUZZ_LEN_CONTROL_FLAG "100"

static bool fuzz_op_level;

static struct fuzz_opts fuzz_opts;

/*
 * @argv with FUZZ_LEN_CONTROL after the program name, unless an argument
 * sets -len_control already; on no memory, @argv as it was. libFuzzer
 * keeps using the array for the whole run, so it is never freed.
 */
static void fuzz_len_control_default(int *argc, char ***argv)
{
	char **args;
	int i;

	for (i = 1; i < *argc; i++)
		if (strncmp((*argv)[i], FUZZ_LEN_CONTROL_FLAG,
			    sizeof(FUZZ_LEN_CONTROL_FLAG) - 1) == 0)
			return;
	args = calloc((size_t)*argc + 2, sizeof(*args));
	if (!args)
		return;
	args[0] = (*argv)[0];
	args[1] = FUZZ_LEN_CONTROL;
	for (i = 1; i < *argc; i++)
		args[i + 1] = (*argv)[i];
	*argv = args;
	(*argc)++;
	fprintf(stderr, "INFO: fuzz_attach: " FUZZ_LEN_CONTROL " unless given: libFuzzer's default, which any custom mutator turns off\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *m = getenv("FUZZ_ATTACH_MUTATOR");
	int ret;

	if (m && strcmp(m, "ops") != 0 && strcmp(m, "bytes") != 0) {
		fprintf(stderr, "fuzz_attach: FUZZ_ATTACH_MUTATOR='%s': want 'bytes' (the default) or 'ops'\n",
			m);
		exit(2);
	}
	fuzz_op_level = m && strcmp(m, "ops") == 0;
	fuzz_len_control_default(argc, argv);
	fuzz_opts.emu_arena = true;
	ret = fuzz_attach_driver_init(&fuzz_opts);
	if (ret == -EINVAL)
		exit(2);
	if (ret < 0) {
		fprintf(stderr, "fuzz_attach: out of memory\n");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* -ENOMEM is the harness's own allocation: not the input's fault. */
	fuzz_attach_run(data, size, &fuzz_opts);
	return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	if (!fuzz_op_level)
		return LLVMFuzzerMutate(data, size, max_size);
	return fuzz_mutate(data, size, max_size, seed, LLVMFuzzerMutate);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_out_size,
				 unsigned int seed)
{
	/*
	 * libFuzzer draws this as often as the mutator itself; declining most
	 * calls keeps crossover near the share it has among its own.
	 */
	if (!fuzz_op_level || seed % FUZZ_CROSSOVER_ONE_IN)
		return 0;
	return fuzz_crossover(data1, size1, data2, size2, out, max_out_size,
			      seed / FUZZ_CROSSOVER_ONE_IN);
}
