/* SPDX-License-Identifier: MIT */
/*
 * A structure-aware mutator for fuzz_attach inputs. libFuzzer's byte
 * mutations mostly break an op program (op.h) at its op boundaries: one
 * inserted or erased byte shifts every op after it into a different one.
 * This mutator decodes the input, edits the program op by op (insert,
 * delete, duplicate, move or swap ops, replace one, change one field of
 * one within its range, splice ops of another input in) and encodes it
 * again, so every op it did not pick means what it meant before. A share
 * of the calls still goes to the engine's byte-level mutator, so nothing a
 * byte mutation could reach becomes unreachable.
 *
 * Engine-independent: the byte-level fallback is passed in, so the unit
 * test (test_mutator.c) drives it without libFuzzer; fuzz_attach_libfuzzer.c
 * wires it to LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver.
 * Deterministic: the same input, size limit and seed give the same output.
 * An op-level output is the canonical encoding of whole ops
 * (op_program_encode), never longer than the size limit.
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

/*
 * Write to @out (@max_out bytes) a program made of ops of the two inputs:
 * a run of @data2's ops spliced into @data1's, or @data1's head followed
 * by @data2's tail. Returns its size, at most @max_out; 0 when no op fits.
 */
size_t fuzz_crossover(const uint8_t *data1, size_t size1,
		      const uint8_t *data2, size_t size2, uint8_t *out,
		      size_t max_out, unsigned int seed);

#endif /* FUZZ_MUTATOR_H */
