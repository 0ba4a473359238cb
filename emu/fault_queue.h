/* SPDX-License-Identifier: MIT */
/*
 * FAULT objects and their fds (IOMMU_FAULT_QUEUE_ALLOC, spec 2.15). The
 * model has no IOPF-capable device, so a queue never holds a fault: read
 * gives 0 bytes, and any response written names an unknown cookie.
 *
 * Invariants: the fd holds one user on the FAULT object (DESTROY is EBUSY
 * until it is closed) and one reference on the context.
 */
#ifndef EMU_FAULT_QUEUE_H
#define EMU_FAULT_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "obj.h"

struct emu;
struct emu_ictx;
struct emu_ucmd;

struct emu_fault_queue {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ictx *ictx;
};

int emu_fault_queue_alloc_ioctl(struct emu_ucmd *ucmd);
/* Destroy op. */
void emu_fault_queue_destroy(struct emu_obj *obj);
/* The fd's final close: drop the object user and the context reference. */
void emu_fault_queue_release(struct emu_fault_queue *fq);
ssize_t emu_fault_queue_read(struct emu_fault_queue *fq, void *buf,
			     size_t count, uint64_t pos);
ssize_t emu_fault_queue_write(struct emu_fault_queue *fq, const void *buf,
			      size_t count, uint64_t pos);

#endif /* EMU_FAULT_QUEUE_H */
