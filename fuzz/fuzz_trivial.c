/* SPDX-License-Identifier: MIT */
/*
 * The yardstick of tools/bench-fuzz.sh: a libFuzzer target built exactly
 * like fuzz_attach (same flags, same libraries linked in, so the engine
 * scans the same coverage counters per run) that only decodes the input
 * into an op program and touches nothing else. fuzz_attach's exec/s
 * divided by this one's says how much of the budget the machine per
 * input (emulator, context, invariants, teardown) takes.
 */
#include <stddef.h>
#include <stdint.h>

#include "op.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct op_program prog;

	op_program_decode(data, size, &prog);
	return 0;
}
