/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach under libFuzzer: the engine calls LLVMFuzzerTestOneInput once
 * per input and the harness core does the rest. No state is kept here
 * between inputs; the harness builds and tears down a whole machine per
 * input (its arena included), so inputs cannot influence each other.
 */
#include <stddef.h>
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_opts o = { 0 };

	/* -ENOMEM is the harness's own allocation: not the input's fault. */
	fuzz_attach_run(data, size, &o);
	return 0;
}
