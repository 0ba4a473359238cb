/* SPDX-License-Identifier: MIT */
/*
 * A structure-aware mutator for fuzz_attach inputs: it edits the byte form
 * of an op program (op.h) op by op, so a mutation deletes, copies, moves,
 * inserts or rewrites whole ops instead of shifting every op after a
 * flipped length byte into a different one. A share of the calls still
 * goes to the engine's byte-level mutator, so nothing a byte mutation
 * could reach becomes unreachable.
 *
 * Engine-independent: the byte-level fallback is passed in, so the unit
 * test drives it without libFuzzer. Deterministic: the same input, size
 * limit and seed give the same output.
 */
#ifndef FUZZ_MUTATOR_H
#define FUZZ_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

/* The engine's byte mutator (LLVMFuzzerMutate's shape). */
typedef size_t (*fuzz_bytes_mutate_fn)(uint8_t *data, size_t size,
				       size_t max_size);

/*
 * Mutate the @size bytes at @data in place (the buffer holds @max_size)
 * and return the new size, at most @max_size. @bytes is the fallback;
 * NULL: op-level mutations only.
 */
size_t fuzz_mutate(uint8_t *data, size_t size, size_t max_size,
		   unsigned int seed, fuzz_bytes_mutate_fn bytes);

#endif /* FUZZ_MUTATOR_H */
