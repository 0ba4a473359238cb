/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach, the engine-independent core: run one op-sequence input (op.h)
 * against libiofd over a fresh emulator wrapped in a fault plan, and check
 * after every op that the core's view and the emulator's view agree. The
 * engines (libFuzzer, the replay driver, the fail-nth sweep) are thin
 * wrappers around fuzz_attach_run().
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

#include "op.h"

/*
 * User memory behind regions and raw maps: page p of an op is backed by
 * arena page p % FUZZ_ARENA_SPAN, and a range may run FUZZ_ARENA_SPAN + 16
 * pages at most, so the arena has that many pages.
 */
#define FUZZ_ARENA_SPAN		64
#define FUZZ_ARENA_PAGES	(FUZZ_ARENA_SPAN + OP_MAX_PAGES)
#define FUZZ_ARENA_SIZE		((size_t)FUZZ_ARENA_PAGES * OP_PAGE_SIZE)

struct fuzz_opts {
	/* Print the program and each op's result to @log (stdout if NULL). */
	bool verbose;
	FILE *log;
	/*
	 * Fail-nth sweep point: when non-zero, the fault plan is armed before
	 * the first op to fail host call number @sweep_nth (counted from the
	 * start of the program, teardown included) with -@sweep_errno. Until
	 * that fault has fired the program's own fault ops are skipped, so
	 * the count is the same for every point of a sweep.
	 */
	unsigned long sweep_nth;
	int sweep_errno;
	/*
	 * With @sweep_alloc, @sweep_nth counts the core's memory allocations
	 * (iofd_ctx_set_alloc) instead of host calls, and the one it names
	 * fails (the core sees NULL: ENOMEM); @sweep_errno is not used.
	 */
	bool sweep_alloc;
	/*
	 * Optional page-aligned FUZZ_ARENA_SIZE bytes to back regions, so a
	 * driver can allocate it once per process; NULL: the harness
	 * allocates one for this input. Its content never matters: the
	 * harness does not touch it and the emulator records addresses.
	 */
	void *arena;
};

/* fuzz_attach_run's result for a sweep point whose fault fired. */
#define FUZZ_SWEEP_FIRED 1

/*
 * Run the program in @data under @o. Returns 0; FUZZ_SWEEP_FIRED when
 * @o->sweep_nth was set and the fault fired (0 then means the program makes
 * fewer host calls: the sweep is over); -ENOMEM when the harness could not
 * set itself up. Aborts on a violated invariant.
 */
int fuzz_attach_run(const uint8_t *data, size_t size,
		    const struct fuzz_opts *o);

#endif /* FUZZ_HARNESS_H */
