/* SPDX-License-Identifier: MIT */
/*
 * The host filter the fuzz_attach harness puts above the emulator's fault
 * plan (emu.h):
 *
 *   core -> log -> fault plan -> emulator
 *
 * The log numbers every host call from the start of the program (the count
 * a sweep point names) and, when given a FILE, prints each call with its
 * result, so a person can see which call "fault N" or "--fail-nth N" hits.
 * It sits above the fault plan to see injected failures too. It does not
 * allocate; it lives inside the harness state, one per input.
 */
#ifndef FUZZ_HOSTWRAP_H
#define FUZZ_HOSTWRAP_H

#include <stdbool.h>
#include <stdio.h>

#include <emu/emu.h>
#include <emu/filter.h>
#include <iofd/host.h>

struct fuzz_log_host {
	struct emu_filter filter;
	FILE *log;		/* NULL: count only */
	unsigned long calls;	/* calls seen since the start */
	/* The fault plan below, to mark the call a fault hit (may be NULL). */
	const struct emu_fault *fault;
	bool fired;		/* the plan's fired flag before this call */
	bool hit;		/* the plan fired on this very call */
	unsigned long fires;	/* calls the plan has failed (one-shot) */
};

void fuzz_log_host_init(struct fuzz_log_host *w, const struct iofd_host *lower,
			FILE *log, struct iofd_host *out);

#endif /* FUZZ_HOSTWRAP_H */
