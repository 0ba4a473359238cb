/* SPDX-License-Identifier: MIT */
/*
 * Two host wrappers the fuzz_attach harness stacks around the emulator's
 * fault plan (emu.h):
 *
 *   core -> log -> fault plan -> kvm stand-in -> emulator
 *
 * - log: numbers every host call from the start of the program (the count
 *   a sweep point names) and, when given a FILE, prints each call with
 *   its result, so a person can see which call "fault N" or "--fail-nth N"
 *   hits. It sits above the fault plan to see injected failures too.
 * - kvm stand-in: answers KVM_SET_DEVICE_ATTR (KVM_DEV_VFIO_FILE_ADD/DEL)
 *   on one fd number that the emulator does not know, keeping the set of
 *   registered VFIO fds, for emulators without a KVM model. It sits below
 *   the fault plan so faults reach its calls like any other.
 *
 * Neither allocates; both live inside the harness state, one per input.
 */
#ifndef FUZZ_HOSTWRAP_H
#define FUZZ_HOSTWRAP_H

#include <stdbool.h>
#include <stdio.h>

#include <emu/emu.h>
#include <iofd/host.h>

/* More registrations than devices can never be needed. */
#define FUZZ_KVM_MAX_FILES 32

struct fuzz_log_host {
	struct iofd_host lower;
	FILE *log;		/* NULL: count only */
	unsigned long calls;	/* calls seen since the start */
	/* The fault plan below, to mark the call a fault hit (may be NULL). */
	const struct emu_fault *fault;
	bool fired;		/* the plan's fired flag before this call */
	bool hit;		/* the plan fired on this very call */
	unsigned long fires;	/* calls the plan has failed (one-shot) */
};

struct fuzz_kvm_host {
	struct iofd_host lower;
	const struct emu *emu;	/* to tell a VFIO device fd */
	int kvm_fd;		/* the stand-in kvm-vfio device fd number */
	unsigned int nfiles;
	int files[FUZZ_KVM_MAX_FILES];	/* registered VFIO fds */
};

void fuzz_log_host_init(struct fuzz_log_host *w, const struct iofd_host *lower,
			FILE *log, struct iofd_host *out);

void fuzz_kvm_host_init(struct fuzz_kvm_host *w, const struct iofd_host *lower,
			const struct emu *emu, int kvm_fd,
			struct iofd_host *out);

/* Whether @vfio_fd is registered with the stand-in. */
bool fuzz_kvm_host_has(const struct fuzz_kvm_host *w, int vfio_fd);

/* A name for an ioctl request ("IOMMU_IOAS_MAP"), or NULL. */
const char *fuzz_ioctl_name(unsigned long request);

#endif /* FUZZ_HOSTWRAP_H */
