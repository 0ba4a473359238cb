/* SPDX-License-Identifier: MIT */
/*
 * FAULT objects and their fds (IOMMU_FAULT_QUEUE_ALLOC, spec 2.15): the
 * I/O page faults of devices attached to a HWPT allocated with the queue
 * (only the selftest mock's devices raise any, IOMMU_TEST_OP_TRIGGER_IOPF).
 *
 * A fault is first pending (read() hands it out as one struct
 * iommu_hwpt_pgfault and gives it a cookie, the lowest free from 1), then
 * waits for its response (write() of a struct iommu_hwpt_page_response
 * naming the cookie). When its device leaves the HWPT, or the queue is
 * destroyed, the device's faults are answered INVALID and dropped.
 *
 * Invariants: the fd holds one user on the FAULT object (DESTROY is EBUSY
 * until it is closed) and one reference on the context; each HWPT using
 * the queue holds one user.
 */
#ifndef EMU_FAULT_QUEUE_H
#define EMU_FAULT_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "obj.h"

struct emu;
struct emu_ictx;
struct emu_idev;
struct emu_ucmd;

/* One fault, as the device reported it (a group of one). */
struct emu_fault {
	struct emu_fault *next;
	struct emu_idev *idev;
	uint32_t flags;			/* IOMMU_PGFAULT_FLAGS_* */
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;			/* IOMMU_PGFAULT_PERM_* */
	uint64_t addr;
	uint32_t cookie;		/* 0 while pending */
};

struct emu_fault_queue {
	struct emu_obj obj;		/* first: the table points here */
	struct emu_ictx *ictx;
	struct emu_fault *pending;	/* oldest first */
	struct emu_fault *waiting;	/* handed out, awaiting a response */
};

int emu_fault_queue_alloc_ioctl(struct emu_ucmd *ucmd);
/* Destroy op: every fault left is answered and dropped. */
void emu_fault_queue_destroy(struct emu_obj *obj);
/* The fd's final close: drop the object user and the context reference. */
void emu_fault_queue_release(struct emu_fault_queue *fq);
ssize_t emu_fault_queue_read(struct emu_fault_queue *fq, void *buf,
			     size_t count, uint64_t pos);
ssize_t emu_fault_queue_write(struct emu_fault_queue *fq, const void *buf,
			      size_t count, uint64_t pos);

/* Queue a fault @f of @idev (copied): 0 or -ENOMEM. */
int emu_fault_queue_report(struct emu_fault_queue *fq,
			   const struct emu_fault *f);
/* Answer and drop every fault of @idev (it leaves the HWPT). */
void emu_fault_queue_drop_device(struct emu_fault_queue *fq,
				 const struct emu_idev *idev);

#endif /* EMU_FAULT_QUEUE_H */
