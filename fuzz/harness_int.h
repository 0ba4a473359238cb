/* SPDX-License-Identifier: MIT */
/*
 * The fuzz_attach harness's parts (harness.h is its engine-facing side):
 *
 *   harness.c     setup, the interpreter's hooks, the teardown's checks,
 *                 reporting
 *   contract.c    the error contract of every core call (sentinel, errno,
 *                 message), the trace sink's, and the API-contract check
 *   invariants.c  whole-state invariants after every op and teardown step,
 *                 the kernel objects of every context among them
 *   shadow.c      the model of the scratch IOASes raw maps work on
 *   opcheck.c     each op's own expectations, before and after it runs
 *   dmacheck.c    the dma op's: where a device's DMA may land or fault
 *
 * A violated invariant is reported by fuzz_fail, which prints everything
 * needed to replay it and aborts: every engine counts that as a crash.
 */
#ifndef FUZZ_HARNESS_INT_H
#define FUZZ_HARNESS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <emu/emu.h>
#include <iofd/iofd.h>

#include "harness.h"
#include "oprun.h"

#define FUZZ_MAX_AREAS		(OP_MAX + 1)
#define FUZZ_MAX_REGIONS	OP_MAX
/* iommufd objects of one context the checks can list. */
#define FUZZ_MAX_OBJECTS	(4 * OP_MAX)

struct fuzz_area {
	uint64_t iova;
	uint64_t length;
	uint64_t user_va;
	bool writeable;
};

struct fuzz_areas {
	unsigned int count;
	bool overflow;
	struct fuzz_area a[FUZZ_MAX_AREAS];
};

/* What a space's container list looks like, to prove a failure kept it. */
struct fuzz_containers {
	size_t count;
	struct iofd_container *c[OP_MAX_DEVICES];
	uint32_t ioas[OP_MAX_DEVICES];
	size_t ndev[OP_MAX_DEVICES];
};

struct fuzz_regions {
	size_t count;
	struct iofd_region r[FUZZ_MAX_REGIONS];
};

/* What an op's checks take before its main call (opcheck.c). */
struct fuzz_pre {
	unsigned long mark;		/* oprun_fires at the main call */
	bool must_fail;
	bool again;			/* attach of an attached device */
	struct fuzz_containers containers;
	struct fuzz_regions regions;
	bool overlap, wraps, exists;
	unsigned int tracking, flushes;
	bool dirty_before;
	struct fuzz_areas model;	/* map, unmap: the shadow after */
	int want;			/* ... and the model's result */
	uint64_t unmapped_want;
	unsigned int disablers, required;
	bool unconnected;
};

/* What a dma op must do (dmacheck.c). */
enum fuzz_dma_kind {
	FUZZ_DMA_LAND,		/* move one page to or from arena page @page */
	FUZZ_DMA_FAULT,		/* -EFAULT: one record, a reason in @reasons */
	FUZZ_DMA_CLOSED,	/* -EPERM: nothing reaches the IOMMU */
	FUZZ_DMA_UNKNOWN,	/* any result, with the records it implies */
};

struct fuzz_dma_want {
	enum fuzz_dma_kind kind;
	unsigned int page;	/* LAND: the arena page */
	unsigned int reasons;	/* FAULT: bit r for emu_dma_fault_reason r */
	unsigned int dev;	/* the emulator's device index */
	uint64_t iova;
	bool write;
};

/* What a dma op did. */
struct fuzz_dma_got {
	int ret;			/* emu_dma's */
	size_t done;
	const struct emu_dma_fault *faults;	/* the records it left */
	size_t nfaults;
	const uint8_t *arena;		/* after the DMA */
	const uint8_t *before;		/* ... and before it */
	size_t arena_size;
	const uint8_t *buf;		/* what the device read into or wrote */
};

/*
 * The core call in progress: the faults it met, and its first failure
 * (kept as it came; printed only if a check fails).
 */
struct fuzz_call {
	bool active;			/* between calling and called */
	enum oprun_call call;
	unsigned long fires;		/* oprun_fires at its start */
	unsigned long alloc_fires;	/* allocations failed at its start */
	int first_errno;		/* of its first unabsorbed host failure */
	struct emu_host_call first;	/* ... that call (path copied below) */
	char first_path[64];
	/* The errnos of the failures the core may have taken as answers. */
	unsigned int nabsorbed;
	int absorbed[8];
	unsigned int nabandoned;	/* h->nabandoned at its start */
};

/* An id a handed-in backend left in its manager's iommufd. */
struct fuzz_abandoned {
	int fd;
	uint32_t id;
};

struct fuzz_state {
	const struct fuzz_opts *o;
	FILE *log;
	struct op_program prog;
	struct oprun_cfg cfg;
	struct oprun r;
	const char *step;		/* teardown step, for messages */
	uint8_t *arena;
	bool own_arena;
	struct emu *emu;

	struct fuzz_pre pre;
	struct fuzz_call call;
	/*
	 * The arena as the last dma op left it (ours to free with
	 * own_before), valid once the first dma op stamped the arena.
	 */
	uint8_t *arena_before;
	bool own_before;
	bool dma_stamped;
	struct fuzz_dma_want dma_want;
	char dma_seen[96];		/* the fault it recorded, for -v */
	/* The model of each scratch IOAS (ascending, disjoint areas). */
	struct fuzz_areas shadow[OP_MAX_BACKENDS];

	/* Dirty sink: the region whose flush is expected, and calls. */
	bool flush_armed;
	struct iofd_region flush_want;
	unsigned int flushes;

	/* Any fault fired at all in this run. */
	bool ever_fired;
	/* Trace events seen (the sink is always set; printed with -v). */
	unsigned long traces;
	/*
	 * The space a region op works on, and the spaces whose containers
	 * may differ from them for good: the core traced a failed undo, the
	 * one case core/space.c documents as leaving an IOAS differing.
	 */
	int region_space;
	bool diverged[OP_MAX_SPACES];
	/*
	 * Host calls that may create or destroy a kernel object (opens,
	 * closes, the ioctls not known to leave the object set alone), and
	 * their count when the contexts' objects were last checked: the
	 * object sets cannot differ from that check until one more is made.
	 */
	unsigned long object_calls, objects_checked;
	/*
	 * Core calls made so far, and core and host calls when the whole
	 * state was last checked: an op that made neither (skipped, or a
	 * fault armed) cannot have changed what the checks look at.
	 */
	unsigned long core_calls;
	unsigned long state_checked_core, state_checked_host;
	/* Ids the core traced as left in a handed-in iommufd. */
	unsigned int nabandoned;
	struct fuzz_abandoned abandoned[FUZZ_MAX_OBJECTS];

	/* Written into before every core call; success must keep it. */
	struct iofd_error err;
	struct iofd_error sentinel;	/* what it is written with */
};

/* harness.c */
void fuzz_fail(struct fuzz_state *h, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
const char *fuzz_errname(int errnum);
/* Whether no fault fired since @mark (an oprun_fires value). */
bool fuzz_clean(const struct fuzz_state *h, unsigned long mark);

/* contract.c */
void fuzz_sentinel_make(struct iofd_error *e);
struct iofd_error *fuzz_err(struct fuzz_state *h);
void fuzz_call_begin(struct fuzz_state *h, enum oprun_call call);
void fuzz_call_host(struct fuzz_state *h, const struct emu_host_call *c);
void fuzz_check_call(struct fuzz_state *h, enum oprun_call call, int ret);
void fuzz_trace(void *arg, const struct iofd_trace_event *ev);

/* invariants.c */
void fuzz_check_all(struct fuzz_state *h);
void fuzz_check_backends(struct fuzz_state *h);
/* Devices a failed FILE_DEL left with KVM (they stay bound). */
unsigned int fuzz_kvm_held(struct fuzz_state *h);
/*
 * The objects of the context behind iommufd @fd (beK's, or none's when
 * @k < 0) must all be ones the core or the interpreter knows (or devices
 * KVM still holds after a failed FILE_DEL); with @exact, every one they
 * know must be there too.
 */
void fuzz_check_context(struct fuzz_state *h, int fd, int k, bool exact);
/* After the teardown: KVM and then the whole machine must be empty. */
void fuzz_check_kvm_files(struct fuzz_state *h);
void fuzz_check_empty(struct fuzz_state *h);
void fuzz_areas_of_ioas(struct fuzz_state *h, int fd, uint32_t ioas,
			struct fuzz_areas *out);
/* A space's regions as the areas its containers must hold. */
void fuzz_space_areas(struct fuzz_state *h, struct iofd_space *s,
		      struct fuzz_areas *out);
bool fuzz_areas_equal(const struct fuzz_areas *x, const struct fuzz_areas *y);
void fuzz_print_areas(const char *what, const struct fuzz_areas *l);
void fuzz_snap_containers(struct fuzz_state *h, struct iofd_space *s,
			  struct fuzz_containers *out);
void fuzz_snap_regions(struct fuzz_state *h, struct iofd_space *s,
		       struct fuzz_regions *out);
bool fuzz_regions_equal(const struct fuzz_regions *x,
			const struct fuzz_regions *y);

/* shadow.c */
bool fuzz_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);
int fuzz_model_map(struct fuzz_areas *sh, uint64_t iova, uint64_t len,
		   uint64_t va);
int fuzz_model_unmap(struct fuzz_areas *sh, uint64_t iova, uint64_t len);
void fuzz_check_scratch(struct fuzz_state *h);

/* dmacheck.c */
/*
 * NULL when @g is what @w says (dmacheck.c has the rules); otherwise why
 * not, written into @msg.
 */
const char *fuzz_dma_verdict(const struct fuzz_dma_want *w,
			     const struct fuzz_dma_got *g, char *msg,
			     size_t cap);
void fuzz_dmacheck_pre(struct fuzz_state *h, const struct op *op);
void fuzz_dmacheck_post(struct fuzz_state *h, const struct op *op, int ret);

/* opcheck.c */
void fuzz_opcheck_pre(struct fuzz_state *h, const struct op *op);
void fuzz_opcheck_post(struct fuzz_state *h, const struct op *op, int ret);
/* A call made for the op's own cleanup or setup: must work unfaulted. */
void fuzz_opcheck_aux(struct fuzz_state *h, enum oprun_call call,
		      enum oprun_role role, int ret, bool clean);

#endif /* FUZZ_HARNESS_INT_H */
