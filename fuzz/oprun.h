/* SPDX-License-Identifier: MIT */
/*
 * The interpreter of the op language (op.h): one loop, in its own library
 * (iofd_oprun), that gives every op its meaning in libiofd calls and owns
 * the machine under them and the teardown order. fuzz_attach and iofd_hw
 * are its clients: they add hooks (fuzz_attach checks invariants around
 * every op and call; iofd_hw records results and skips what a real
 * machine cannot stage), never their own copy of an op's meaning.
 *
 * The machine: the host the runner gives (the emulator's, or the guarded
 * real one behind a recorder) under a fault plan, under a call log that
 * numbers every host call (the count sweep points name) and knows which
 * ones the plan failed, under an iofd context with a counting allocator
 * and two owned backends be0 and be1 (nothing opened yet); and a second
 * context with one space and one backend that the first must never touch.
 * The interpreter's own calls (handed-in fds, the KVM stand-in) go to the
 * runner's host directly: never faulted, never counted.
 *
 * What the ops mean (beyond op.h's one-line summaries, `fuzz_text grammar`):
 *   device     devN is the N-th device op (at most 8); the runner's
 *              device_add hook says which device it is (default: the
 *              emulator adds one at 0000:00:(N+3).0); a device the runner
 *              cannot provide makes devN "not available".
 *   attach     "devN", devN's sysfs path; attach-cfg varies the path (or
 *              hands in devN's cdev fd, another node's, or one not open),
 *              the name, the flags (bad-flag adds OPRUN_BAD_DEVICE_FLAG)
 *              and the objects (NULL, or the other context's). The
 *              interpreter keeps the first device an attach of devN gave.
 *   region-*   region-add backs page p with arena page p % OPRUN_ARENA_SPAN;
 *              region-del removes the idx-th region, past the last the
 *              bogus [idx * 4K, +4K).
 *   map, unmap, unmap-all work on beK's scratch IOAS, which the first such
 *              op makes (a connection and an IOAS of the interpreter's);
 *              unmap-all asks for the unmapped count only when a map op
 *              succeeded since the IOAS was made or last emptied.
 *   connect    one interpreter connection on beK (at most OPRUN_MAX_CONNS).
 *   disconnect drops one; the last frees the scratch IOAS first. With no
 *              interpreter connection the call is made only while nobody
 *              uses beK (the core must take it as a no-op); otherwise it
 *              would take a device's connection, and the op is skipped.
 *   backend    destroys beK (EBUSY while used) and makes it again, owned or
 *              on an iommufd the interpreter opens and hands in; a failed
 *              create is tried once more whatever failed it, so the slot
 *              stays filled unless two creates fail; the op's result is the
 *              destroy's failure or the first create's. badfd hands in -1.
 *   probe      one backend verb on id 0, without connecting; alloc-ioas's
 *              IOAS is freed at once.
 *   hwpt       a HWPT for attached devN over the scratch IOAS (or an id
 *              that is no IOAS), with dirty tracking switched on and one
 *              bitmap read when asked, freed at once: a failed free is
 *              tried once more, and what still fails is kept and freed
 *              before the scratch IOAS.
 *   dirty mark the emulated device writes the pages through every HWPT of
 *              the container (emulator only).
 *   kvm        on opens the machine's /dev/kvm, a VM and its kvm-vfio
 *              device at the first use, and hands the context that fd.
 *   fault*     arm the fault plan or the allocator; while a sweep point
 *              has not fired yet, the sweep owns them and these ops are
 *              skipped, so every point counts the same calls.
 *   leave      stops the program: the teardown is iofd_ctx_destroy alone.
 *   dma        devN reads or writes the one page at the op's IOVA with
 *              emu_dma (emulator only; a runner without the emulator, or
 *              whose device_add hook made devN, skips it). A write moves
 *              the interpreter's r->dma_buf, filled first with
 *              oprun_dma_word(op index, word); a read lands there. While
 *              the core has devN attached, the op first turns bus
 *              mastering on in devN's command register through config
 *              space on the device's fd (as a driver's pci_set_master
 *              does; the core never touches it, and vfio-pci clears it
 *              at the last close); a device not attached is left as it
 *              is, so its DMA shows what the cdev's state gives (closed:
 *              -EPERM). The op's result is emu_dma's.
 * An op that names something that does not exist (devN never added,
 * spaceM not created, beK gone) makes no call: OPRUN_SKIPPED, with why.
 * Teardown: detach every device, destroy the spaces, free the scratch
 * IOASes (kept HWPTs first), drop the interpreter's connections, destroy
 * the backends and close their handed-in iommufds, destroy the contexts,
 * close the KVM stand-in.
 */
#ifndef FUZZ_OPRUN_H
#define FUZZ_OPRUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <emu/emu.h>
#include <emu/filter.h>
#include <iofd/iofd.h>

#include "op.h"

/* An op's result when it made no call (never a -errno, never 0). */
#define OPRUN_SKIPPED		1
/* Connections the interpreter holds on one backend (connect ops). */
#define OPRUN_MAX_CONNS		4
/* An object id never allocated, for hwpt's bad-pt. */
#define OPRUN_BOGUS_ID		0xfff0
/* An fd number no machine hands out, for bad-fd and kvm bogus. */
#define OPRUN_BOGUS_FD		1000
/* The device flag attach-cfg's bad-flag adds: one libiofd does not know. */
#define OPRUN_BAD_DEVICE_FLAG	(1u << 31)
/* Page p of an op is backed by arena page p % OPRUN_ARENA_SPAN. */
#define OPRUN_ARENA_SPAN	64
#define OPRUN_ARENA_SIZE \
	((size_t)(OPRUN_ARENA_SPAN + OP_MAX_PAGES) * OP_PAGE_SIZE)
#define OPRUN_PATH_MAX		128

/* What a core call is to the op that makes it. */
enum oprun_role {
	OPRUN_MAIN,	/* the op's own call: its result is the op's */
	OPRUN_SETUP,	/* what the op needs first (a scratch IOAS) */
	OPRUN_CLEANUP,	/* freeing what the op made for itself */
};

/* The core calls the interpreter makes, as its hooks see them. */
enum oprun_call {
	OPRUN_CTX_CREATE,
	OPRUN_SPACE_CREATE,
	OPRUN_SPACE_REGION_ADD,
	OPRUN_SPACE_REGION_DEL,
	OPRUN_DEVICE_ATTACH,
	OPRUN_DEVICE_ATTACH_CFG,
	OPRUN_DEVICE_DETACH,
	OPRUN_BACKEND_CREATE,
	OPRUN_BACKEND_CREATE_FD,
	OPRUN_BACKEND_DESTROY,
	OPRUN_BACKEND_CONNECT,
	OPRUN_BACKEND_DISCONNECT,
	OPRUN_BACKEND_ALLOC_IOAS,
	OPRUN_BACKEND_FREE_ID,
	OPRUN_BACKEND_MAP,
	OPRUN_BACKEND_UNMAP,
	OPRUN_BACKEND_UNMAP_ALL,
	OPRUN_BACKEND_IOVA_RANGES,
	OPRUN_BACKEND_ALLOC_HWPT,
	OPRUN_BACKEND_GET_HW_INFO,
	OPRUN_BACKEND_SET_DIRTY_TRACKING,
	OPRUN_BACKEND_GET_DIRTY_BITMAP,
	OPRUN_CONTAINER_SET_DIRTY_TRACKING,
	OPRUN_CONTAINER_QUERY_DIRTY,
	OPRUN_CTX_SET_KVM_VFIO,
	OPRUN_CTX_REQUIRE_DISCARD,
	OPRUN_CALL_COUNT,
};

/* "iofd_backend_map", ...: the libiofd function's name. */
const char *oprun_call_name(enum oprun_call call);
/* Whether the call takes an iofd_error (a few report by their result only). */
bool oprun_call_has_error(enum oprun_call call);

/* Teardown steps, in order. */
enum oprun_step {
	OPRUN_STEP_DETACH,		/* idx: the device */
	OPRUN_STEP_SPACE_DESTROY,	/* idx: the space */
	OPRUN_STEP_SCRATCH_FREE,	/* idx: the backend */
	OPRUN_STEP_DISCONNECT,		/* idx: the backend */
	OPRUN_STEP_BACKEND_DESTROY,	/* idx: the backend */
	OPRUN_STEP_CTX_DESTROY,		/* after leave: the whole teardown */
	OPRUN_STEP_KVM_CLOSE,
	OPRUN_STEP_COUNT,
};

const char *oprun_step_name(enum oprun_step step);

struct oprun;

/*
 * What a runner adds. Every hook may be NULL. Hooks run with the
 * interpreter's state as it is at that point and must not change it,
 * except through the oprun_* functions that say they may.
 */
struct oprun_hooks {
	/*
	 * Before op @i: 0 to run it, or OPRUN_SKIPPED with *@why set to
	 * skip it (what the runner cannot stage).
	 */
	int (*op_begin)(void *priv, unsigned int i, const struct op *op,
			const char **why);
	/* Right before the op's main call: what it resolved is in r->cur. */
	void (*op_pre)(void *priv, const struct op *op);
	/* After the op, with its result (or OPRUN_SKIPPED). */
	void (*op_end)(void *priv, unsigned int i, const struct op *op,
		       int ret);
	/* The error object for the next core call (NULL hook: r->err). */
	struct iofd_error *(*err)(void *priv);
	/* Around every core call the interpreter makes. */
	void (*calling)(void *priv, enum oprun_call call);
	void (*called)(void *priv, enum oprun_call call, enum oprun_role role,
		       int ret);
	/*
	 * devN is being added with @op's profile and variant: write its
	 * sysfs directory to @sysfs and its cdev node to @cdev (or "" when
	 * none can be handed in), and return 0; or return OPRUN_SKIPPED with
	 * *@why (devN is then not available), or -errno.
	 */
	int (*device_add)(void *priv, unsigned int n, const struct op *op,
			  char *sysfs, char *cdev, const char **why);
	/* Teardown: before the first step, and after each one. */
	void (*teardown_begin)(void *priv);
	void (*teardown_step)(void *priv, enum oprun_step step,
			      unsigned int idx, int ret);
	/*
	 * Before and after every host call below the core, from the call
	 * log; @injected: the fault plan failed it.
	 */
	void (*host_before)(void *priv, const struct emu_host_call *c);
	void (*host_call)(void *priv, const struct emu_host_call *c,
			  bool injected);
	/* beK's scratch IOAS was just allocated, or is about to be freed. */
	void (*scratch_new)(void *priv, unsigned int k);
	void (*scratch_put)(void *priv, unsigned int k);
	/* The dirty sink of the context (set while errors are not null). */
	void (*dirty)(void *priv, uint64_t iova, uint64_t size,
		      uint64_t page_size, const uint64_t *bitmap);
};

/*
 * The faults of a sweep, armed once the machine is set up (its calls are
 * not counted):
 *   - a point: host call @nth (counted from the start of the program,
 *     teardown included) fails with -@errnum; with @alloc the core's
 *     allocation @nth fails instead. Until it has fired, the program's own
 *     fault ops are skipped, so the count is the same for every point of
 *     a sweep. 0: none.
 *   - a fault kind for the whole run (the two-fault sweep): every call of
 *     @kinds (EMU_FAULT_* bits; an ioctl only of @request, 0 any) fails
 *     with -@kind_errnum; the program's fault-kind ops are skipped. 0: none.
 */
struct oprun_sweep {
	unsigned long nth;
	int errnum;
	bool alloc;
	unsigned int kinds;
	unsigned long request;
	int kind_errnum;
};

struct oprun_cfg {
	const struct op_program *prog;
	/* The host under the fault plan; the interpreter's own calls too. */
	struct iofd_host host;
	/* The emulator behind @host, or NULL (the real kernel). */
	struct emu *emu;
	/* OPRUN_ARENA_SIZE bytes, page aligned: the memory behind pages. */
	void *arena;
	/* The sweep's faults, armed once the machine is set up. */
	struct oprun_sweep sweep;
	/* The call log prints every host call here, when set. */
	FILE *log;
	const struct oprun_hooks *hooks;
	void *priv;
};

/* devN: what it stands for, and its attachment. */
struct oprun_dev {
	const struct emu_profile *profile;
	bool available;
	const char *why;		/* not available: why */
	char sysfs[OPRUN_PATH_MAX];
	char cdev[OPRUN_PATH_MAX];	/* "" when it cannot be handed in */
	struct iofd_device *dev;	/* NULL while not attached */
	unsigned int space;		/* valid while attached */
	unsigned int be;
	/* The emulator's index of the device (emu_dma); -1: not known. */
	int emu_index;
	bool discard_ok;		/* attached with IOFD_DEVICE_DISCARD_OK */
	bool kvm_expect;		/* the real kvm-vfio fd was set at attach */
};

/*
 * Objects the interpreter made on one backend for itself: the scratch
 * IOAS, and what it could not free yet (a HWPT whose DESTROY failed twice,
 * a probe's IOAS), freed before the scratch IOAS. The leftovers live in
 * the iommufd @fd they were made in: when that closes, they are gone.
 */
struct oprun_scratch {
	bool allocated;
	uint32_t ioas;
	/* A map op succeeded since it was made or last unmapped whole. */
	bool mapped;
	unsigned int nleft;
	uint32_t left[OP_MAX];
	int left_fd;
};

/* The resolved arguments of the running op, for op_pre and op_end. */
struct oprun_cur {
	bool main_called;		/* the op's main call was made */
	/* attach, attach-cfg */
	struct iofd_device_cfg dc;	/* name, sysfs path, flags, fd */
	struct iofd_space *space;	/* as passed (mix) */
	struct iofd_backend *be;
	char name[IOFD_DEVICE_NAME_MAX + 1];
	struct iofd_device *dev;	/* what the call gave */
	/* region-add, region-del (iova, size), map, unmap (and vaddr) */
	struct iofd_region region;
	/* unmap-all */
	uint64_t unmapped;
	/* ranges */
	struct iofd_container *c;	/* also dirty's container */
	uint32_t ioas;
	struct iofd_iova_range *ranges;
	size_t nranges;
	uint64_t align;
	/* probe */
	enum oprun_call call;
	uint32_t id;
	/* hw-info */
	struct iofd_hw_info info;
	/* hwpt */
	uint32_t hwpt;
	/* dirty query */
	uint64_t bitmap[1];
	/* dma: what the device was asked to move, and what emu_dma said */
	uint64_t dma_iova;
	size_t dma_done;
	/* backend: users before the destroy; the backend a destroy is of */
	unsigned int users;
	unsigned int k;
};

/*
 * The core's allocator (iofd_ctx_set_alloc with &oprun_alloc_ops and a
 * struct oprun_alloc as priv): libc, except that the @nth allocation after
 * oprun_alloc_arm fails, once, as fault-alloc and the allocation sweep ask.
 */
struct oprun_alloc {
	unsigned long calls;	/* since the last arm */
	unsigned long nth;	/* 0: disarmed */
	bool fired;
	unsigned long fires;	/* allocations failed since creation */
};

void oprun_alloc_arm(struct oprun_alloc *a, unsigned long nth);
extern const struct iofd_alloc_ops oprun_alloc_ops;

/* The call log (hostwrap.c): numbers every host call, knows the faulted. */
struct oprun_log {
	struct emu_filter filter;
	struct oprun *r;
	FILE *out;		/* NULL: count only */
	unsigned long calls;	/* since the start */
	unsigned long failed;	/* the fault plan's count before a call */
	bool hit;		/* the plan failed the last call */
	unsigned long fires;	/* calls the plan failed */
};

void oprun_log_init(struct oprun_log *l, struct oprun *r,
		    const struct iofd_host *lower, FILE *out,
		    struct iofd_host *upper);

struct oprun {
	const struct oprun_cfg *cfg;
	struct iofd_ctx *ctx;
	struct emu_fault *fault;
	struct oprun_log log;
	struct oprun_alloc alloc;

	struct iofd_backend *be[OP_MAX_BACKENDS];	/* NULL: gone */
	/* beK's handed-in iommufd (-1: it opens its own); ours to close. */
	int hfd[OP_MAX_BACKENDS];
	unsigned int conns[OP_MAX_BACKENDS];
	struct oprun_scratch scratch[OP_MAX_BACKENDS];
	struct iofd_space *spaces[OP_MAX_SPACES];
	unsigned int nspaces;
	struct oprun_dev devs[OP_MAX_DEVICES];
	unsigned int ndevs;
	unsigned int discard_required;	/* requires minus releases */

	/* The other context, for the "of another context" attaches. */
	struct iofd_ctx *fctx;
	struct iofd_space *fspace;
	struct iofd_backend *fbe;

	/* The KVM stand-in: /dev/kvm, a VM, its kvm-vfio device (or -1). */
	int kvm_fd, vm_fd, kvm_dev;
	int kvm_set;			/* what the context was handed */

	bool null_err;			/* errors null */
	bool leaving;			/* leave ran */
	/*
	 * iofd_ctx_destroy is running: the core frees what the slots
	 * name, so hooks must not look through them.
	 */
	bool ctx_destroying;
	int armed_errno;		/* of the fail-nth fault last armed */
	int every_errno;		/* of the fail-every fault; 0: none */
	bool sweep_pending;		/* armed and not fired yet */
	bool sweep_fired;

	unsigned int cur_op;		/* op running; prog->count: teardown */
	unsigned int cur_dev;		/* the device being detached */
	struct oprun_cur cur;
	const char *skip_why;
	struct iofd_error err;
	/* What a dma op's device writes from, or reads into. */
	uint32_t dma_buf[OP_PAGE_SIZE / sizeof(uint32_t)];
};

/*
 * Word @j of what a dma write at op @i moves: unique to the op and word,
 * its top byte 0xd0.
 */
static inline uint32_t oprun_dma_word(unsigned int i, unsigned int j)
{
	return 0xd0000000u | (uint32_t)i << 12 | j;
}

/*
 * Set the machine up for @cfg->prog (nothing of the program runs yet).
 * Returns 0, or -errno with everything made so far released.
 */
int oprun_init(struct oprun *r, const struct oprun_cfg *cfg);
/* Run every op, then the teardown. */
void oprun_run(struct oprun *r);
/* Release what is left (after oprun_run, or after a failed hook). */
void oprun_fini(struct oprun *r);

/* Faults fired so far: host calls the plan failed, allocations failed. */
unsigned long oprun_fires(const struct oprun *r);
/* Whether a fault-kind plan is armed (by an op or the two-fault sweep). */
bool oprun_kind_armed(const struct oprun *r);

/* User memory of @page (arena page @page % OPRUN_ARENA_SPAN). */
void *oprun_page_va(const struct oprun *r, unsigned int page);
/* The @which-th container (in space, then creation order) of beK. */
struct iofd_container *oprun_container_of_be(const struct oprun *r,
					     unsigned int k,
					     unsigned int which);

/* --- opmean.c: the meaning of each op, for oprun.c ---------------- */

/* Run @op: its result, OPRUN_SKIPPED with r->skip_why, or -errno. */
int oprun_op(struct oprun *r, const struct op *op);
/* The error object the next core call gets. */
struct iofd_error *oprun_err(struct oprun *r);
/* Report a core call's result to the hooks; returns @ret. */
int oprun_called(struct oprun *r, enum oprun_call call,
		 enum oprun_role role, int ret);
void oprun_calling(struct oprun *r, enum oprun_call call);
int oprun_skip(struct oprun *r, const char *why);
/* Free beK's scratch IOAS, its leftovers first; it is gone whatever. */
int oprun_scratch_free(struct oprun *r, unsigned int k);
/* Keep @id, an object of beK's iommufd the interpreter could not free. */
void oprun_leave_id(struct oprun *r, unsigned int k, uint32_t id);
/* Drop every interpreter connection on beK. */
void oprun_conns_drop(struct oprun *r, unsigned int k);
/* Close beK's handed-in iommufd: 0 or the close's -errno. */
int oprun_hfd_close(struct oprun *r, unsigned int k);
/* The teardown's detach of devN. */
int oprun_teardown_detach(struct oprun *r, unsigned int n);
/* Hand the context's dirty sink to the runner's dirty hook, if any. */
void oprun_set_dirty_sink(struct oprun *r);

#endif /* FUZZ_OPRUN_H */
