/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach, the engine-independent core: run one op-sequence input (op.h)
 * through the interpreter (oprun.h) against libiofd over a fresh emulator,
 * and check after every op and every call that the core's view and the
 * emulator's view agree, that every kernel object is one the core knows,
 * and that every failure keeps the error contract. The engines (libFuzzer,
 * AFL++, the replay driver and its fail-nth sweeps) are thin wrappers
 * around fuzz_attach_run().
 *
 * A violated invariant is a bug in core/ or emu/ (or in this harness): it is
 * reported on stderr with the program's text form and the process aborts,
 * which every engine treats as a crash.
 */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <emu/emu.h>

#include "oprun.h"

struct fuzz_opts {
	/* Print the program, each op's result and every host call to @log
	 * (stdout if NULL). */
	bool verbose;
	FILE *log;
	/* The sweep's faults (oprun.h); all 0: a plain run. */
	struct oprun_sweep sweep;
	/*
	 * Optional page-aligned OPRUN_ARENA_SIZE bytes to back regions, so a
	 * driver can allocate it once per process; NULL: the harness
	 * allocates one for this input. Its content never carries from one
	 * input to the next: the dma check stamps it before each DMA.
	 */
	void *arena;
	/* Optional OPRUN_ARENA_SIZE bytes for the dma check's copy of it. */
	void *arena_before;
	/*
	 * Optional memory-map cache a driver keeps for the process (the
	 * arena never moves, emu.h); NULL: each MAP reads the map afresh.
	 */
	struct emu_mm_cache *mm_cache;
	/*
	 * Optional machine a driver keeps for the process: every input runs
	 * on it and leaves it reset (emu_reset); NULL: a machine per input.
	 */
	struct emu *emu;
	/*
	 * Prove every reset: after each input the kept machine's digest
	 * must be @fresh_digest, a new machine's (emu_digest), or the run
	 * aborts as on a violated invariant.
	 */
	bool check_reset;
	uint64_t fresh_digest;
	/*
	 * The kept machine takes its objects from an arena (emu_arena_use),
	 * as the fuzzing engines want: the core's allocations stay libc's,
	 * so ASan sees each of them.
	 */
	bool emu_arena;
};

/* The environment variable that sets check_reset for any driver. */
#define FUZZ_CHECK_RESET_ENV "FUZZ_ATTACH_CHECK_RESET"

/* fuzz_attach_run's result for a sweep point whose fault fired. */
#define FUZZ_SWEEP_FIRED 1

/*
 * Run the program in @data under @o. Returns 0; FUZZ_SWEEP_FIRED when
 * @o->sweep.nth was set and the fault fired (0 then means the program makes
 * fewer host calls: the sweep is over); -ENOMEM when the harness could not
 * set itself up. Aborts on a violated invariant.
 */
int fuzz_attach_run(const uint8_t *data, size_t size,
		    const struct fuzz_opts *o);

/*
 * The contracts of the calls no program can vary (contexts need a host and
 * an out pointer, an allocator needs both functions and no object yet, the
 * error helpers take NULL): no input changes their outcome, so they are
 * checked once per process, by fuzz_attach_driver_init. Aborts when one
 * is broken.
 */
void fuzz_attach_check_api(void);

/*
 * What a driver keeps for the whole process: check the API contracts,
 * then give @o the arena, the memory-map cache and the machine every
 * input shares, with the machine's fresh digest; FUZZ_CHECK_RESET_ENV
 * "1" sets @o->check_reset, "0" leaves it as it is. Returns 0, -ENOMEM,
 * or -EINVAL for any other value of that variable (said on stderr,
 * naming it); fuzz_attach_driver_fini frees what it made.
 */
int fuzz_attach_driver_init(struct fuzz_opts *o);
void fuzz_attach_driver_fini(struct fuzz_opts *o);

#endif /* FUZZ_HARNESS_H */
