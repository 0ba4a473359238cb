/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach: drive libiofd with an op-sequence program over the emulator
 * and prove after every op that the core and the emulator agree.
 *
 * Per input: a fresh emulator, the host stack core -> call log -> fault
 * plan -> emulator (hostwrap.h), an iofd context over it
 * with the harness's counting allocator, two owned backends be0/be1
 * (nothing opened yet), and a second context with one space and one
 * backend that the first must never touch. Nothing survives the input: no
 * global state, no time, no randomness, so an input replays the same way in
 * every engine.
 *
 * What an op means here (the grammar is in op.h; the slots and the libiofd
 * calls of each op are oprun.c's, which iofd_hw runs too: this file adds
 * the harness's own objects and the checks around those calls):
 *   device     emu_device_add: devN is the N-th device added (at most 8),
 *              PCI address 0000:00:(N+3).0.
 *   space      iofd_space_create: spaceM is the M-th space (at most 4).
 *   attach     iofd_device_attach of devN, named "devN", into spaceM with
 *              beK. Attaching an attached device again is tried too: the
 *              kernel refuses a second bind, so it must fail cleanly.
 *   attach-cfg iofd_device_attach_cfg: the cdev found through sysfs, or an
 *              fd the harness opened and hands in (devN's, another node's,
 *              one not open), a bad sysfs path, DISCARD_OK, an unknown
 *              flag, a bad name, a NULL or foreign space or backend.
 *   detach     iofd_device_detach of devN (its space must refuse destroy
 *              first: it has a container).
 *   region-add iofd_space_region_add at the page's IOVA (op.h: window +
 *              page * 4K), npages * 4K long, backed by arena page
 *              (page % 64).
 *   region-del iofd_space_region_del of the idx-th region of the space;
 *              past the last region, of the bogus [idx * 4K, +4K).
 *   map/unmap  iofd_backend_map/unmap on a scratch IOAS of beK (the first
 *   unmap-all  such op connects beK and allocates it), read-write, with the
 *              same page -> IOVA and arena rule as region-add.
 *   connect,   a connection the harness holds on beK; the last one's
 *   disconnect disconnect frees the scratch IOAS first.
 *   backend    destroy beK (-EBUSY while used) and create it again, owned
 *              or on an iommufd the harness opens and hands in (closed by
 *              the harness after the destroy); badfd hands in -1.
 *   ranges     iofd_backend_iova_ranges of the scratch IOAS or a container.
 *   probe      one backend verb on object id 0 without connecting.
 *   hw-info,   GET_HW_INFO for devN; a HWPT over the scratch IOAS for devN,
 *   hwpt       exercised (dirty tracking) and freed at once.
 *   dirty      a container's dirty tracking on/off, a query, or the device
 *              writing (emu_hwpt_dirty, when the emulator has it).
 *   kvm        iofd_ctx_set_kvm_vfio: a kvm-vfio device of the emulator's
 *              KVM model (/dev/kvm, a VM and the device are opened at the
 *              first `kvm on`, outside the counted host calls), -1, or an
 *              fd that is none.
 *   discard    iofd_ctx_require_discard(true/false).
 *   fault      emu_fault_fail_nth(nth, errno): fail the nth host call from
 *              now on.
 *   fault-kind emu_fault_fail_every (when the emulator has it).
 *   fault-alloc  fail the core's nth allocation from now on.
 *   errors     core calls get a NULL iofd_error from now (null) or not.
 *   leave      stop: the teardown is iofd_ctx_destroy alone.
 * An op whose object does not exist (devN never added, spaceM not
 * created, ...) is skipped: it makes no call.
 *
 * The invariants, checked after every op and every teardown step:
 *   (a) a failing core call returns -errno and fills the iofd_error with
 *       that errno and a message; a successful one leaves a pre-filled
 *       sentinel error byte for byte untouched; trace events are of known
 *       kinds and a FAIL event names its step and errno;
 *   (b) every container of every space has at least one device, a
 *       connected backend of ours and an IOAS no other container uses, and
 *       the emulator's areas in that IOAS are exactly the space's regions
 *       (iova, size, user address, writeable == !readonly), unless the
 *       core traced that undoing a region op failed twice in that space
 *       (core/space.c leaves that IOAS differing, on purpose); its usable
 *       IOVA ranges are ascending and its alignment a power of two;
 *   (c) every device of a container is one the harness attached into that
 *       space with that backend, and the emulator sees it bound with the
 *       core's devid and attached to the core's HWPT, whose IOAS is the
 *       container's; its info is its profile's;
 *   (d) each scratch IOAS holds exactly what a shadow model of raw
 *       map/unmap/unmap-all predicts, and when no fault fired a raw call
 *       returned what the model says the kernel returns;
 *   (e) a backend's user count is its attached devices plus the harness's
 *       connections; an owned one has an fd exactly while it has users, a
 *       handed-in one always has the fd it was given;
 *   (f) a failed attach or region op changed nothing the core shows; an
 *       attach that had to fail did; a detach, or a region-del of an
 *       existing region, with no fault fired succeeds, and hands the dirty
 *       bits of every tracking container to the sink;
 *   (g) counts (fuzz_check_counts): RAM discard disablers are the attached
 *       devices without DISCARD_OK; KVM's file list is exactly the
 *       registered devices; HWPTs listed are used and dirty tracking only
 *       where every HWPT can; the emulator's fds and contexts are exactly
 *       those open, and while no fault fired its objects too.
 * A fault "fired during a call" is counted, not guessed: the call log
 * counts the host calls the fault plan failed and the allocator its own.
 * Teardown detaches every device, destroys the spaces, frees the scratch
 * IOASes, disconnects and destroys the backends and the contexts, closes
 * what the harness opened, and then the emulator must hold no fd, context,
 * object or pinned page, and KVM no VFIO file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <limits.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>

#include <emu/emu.h>
#include <iofd/iofd.h>

#include "harness.h"
#include "hostwrap.h"
#include "oprun.h"

#define FUZZ_SKIPPED		OPRUN_SKIPPED	/* an op made no call */
#define FUZZ_PATH_MAX		128
#define FUZZ_MAX_AREAS		(OP_MAX + 1)
#define FUZZ_MAX_REGIONS	OP_MAX
/* Written into every iofd_error before a call; success must keep it. */
#define FUZZ_SENTINEL_ERRNUM	0x5e5e
#define FUZZ_SENTINEL_BYTE	0xa5
/* Fd numbers the emulator never hands out (it stops at EMU_FD_MAX). */
#define FUZZ_BOGUS_FD		1000	/* open nowhere */
/* A device flag libiofd does not know. */
#define FUZZ_BAD_DEVICE_FLAG	(1u << 7)

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

/* devN beyond its oprun slot (r.devs[N], whose sysfs is path). */
struct fuzz_dev {
	const struct emu_profile *profile;
	char path[FUZZ_PATH_MAX];
	/* Valid while attached: */
	bool discard_ok;		/* attached with IOFD_DEVICE_DISCARD_OK */
	bool kvm_expect;		/* a real kvm-vfio fd was set at attach */
};

/*
 * What the harness keeps on the scratch IOAS of one backend (r.scratch[K]):
 * the model of what it holds (ascending, disjoint), and stale HWPTs.
 */
struct fuzz_scratch {
	/*
	 * HWPTs over the IOAS whose DESTROY a fault-kind plan kept failing;
	 * past FUZZ_MAX_STALE more, stale_lost says some are not listed.
	 */
	uint32_t stale_hwpt[8];
	unsigned int nr_stale;
	bool stale_lost;
	struct fuzz_areas shadow;
};

struct fuzz_state {
	const struct fuzz_opts *o;
	FILE *log;
	struct op_program prog;
	unsigned int cur;		/* op running; prog.count in teardown */
	const char *step;		/* teardown step, for messages */

	uint8_t *arena;
	bool own_arena;

	struct emu *emu;
	struct emu_fault *fault;
	/*
	 * The op slots (oprun.h): context, backends, spaces, devices,
	 * scratch IOASes, the harness's connections and handed-in iommufds.
	 */
	struct oprun r;
	struct fuzz_dev devs[OP_MAX_DEVICES];
	struct fuzz_scratch scratch[OP_MAX_BACKENDS];

	/* A second context, for the "of another context" checks. */
	struct iofd_ctx *fctx;
	struct iofd_space *fspace;
	struct iofd_backend *fbe;

	/* The host stack: core -> log -> fault plan -> emu. */
	struct iofd_host emu_h;		/* the emulator, for harness calls */
	struct fuzz_log_host logw;
	/*
	 * The emulator's KVM as a VMM holds it: /dev/kvm, a VM and its
	 * kvm-vfio device (all -1 until the first `kvm on`).
	 */
	int kvm_fd, vm_fd, kvm_dev;
	/* The kvm-vfio fd set on the ctx: -1, kvm_dev or bogus. */
	int kvm_set;

	/*
	 * Dirty sink (set unless errors null): the region whose flush is
	 * expected, and calls.
	 */
	bool flush_armed;
	struct iofd_region flush_want;
	unsigned int flushes;

	/*
	 * The core's allocator: counts allocations and fails the nth one
	 * (counted from when it was armed) once.
	 */
	struct oprun_alloc alloc;
	unsigned long alloc_fires;	/* fired under earlier arms */

	/* Any fault fired at all in this run (kernel may keep objects). */
	bool ever_fired;
	/* A fault-kind op is armed. */
	bool kind_armed;
	/* errors null: core calls get no iofd_error. */
	bool null_err;
	/* leave: the program stopped; iofd_ctx_destroy tears down. */
	bool leaving;
	/* Trace events seen (the sink is always set; printed with -v). */
	unsigned long traces;
	/*
	 * The space a region op works on, and the spaces whose containers
	 * may differ from them for good: the core traced a failed undo
	 * ("undo add region" / "undo remove region", both tries failed), the
	 * one case core/space.c documents as leaving an IOAS differing.
	 */
	int region_space;
	bool diverged[OP_MAX_SPACES];

	/* The sweep fault is armed and has not fired yet. */
	bool sweep_pending;
	bool sweep_fired;
	/* The errno of the fail-nth fault last armed (sweep or fault op). */
	int armed_errno;
	/* The errno of the fail-every fault, 0 while none is armed. */
	int every_errno;

	/* The last call's error, for -v; why an op was skipped is r's. */
	struct iofd_error err;
};

/* ------------------------------------------------------------------ */
/* Reporting                                                           */

static const char *fuzz_errname(int errnum)
{
	const char *name = strerrorname_np(errnum);

	return name ? name : "E?";
}

static void fuzz_fail(struct fuzz_state *h, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/*
 * Report a violated invariant with everything needed to replay it (the
 * program as text and the sweep point), then abort: every engine counts
 * that as a crash and keeps the input.
 */
static void fuzz_fail(struct fuzz_state *h, const char *fmt, ...)
{
	char line[128];
	va_list ap;

	fflush(h->log);
	fprintf(stderr, "fuzz_attach: INVARIANT VIOLATED ");
	if (h->cur < h->prog.count) {
		op_to_text(&h->prog.ops[h->cur], line, sizeof(line));
		fprintf(stderr, "at op #%u `%s`: ", h->cur, line);
	} else {
		fprintf(stderr, "in teardown (%s): ",
			h->step ? h->step : "?");
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (h->o->sweep_nth && h->o->sweep_alloc)
		fprintf(stderr,
			"fuzz_attach: sweep point: allocation %lu fails (%s); replay: --fail-nth %lu --alloc\n",
			h->o->sweep_nth,
			h->sweep_fired ? "fired" : "not fired yet",
			h->o->sweep_nth);
	else if (h->o->sweep_nth)
		fprintf(stderr,
			"fuzz_attach: sweep point: host call %lu fails with %s (%s); replay: --fail-nth %lu --errno %s\n",
			h->o->sweep_nth, fuzz_errname(h->o->sweep_errno),
			h->sweep_fired ? "fired" : "not fired yet",
			h->o->sweep_nth, fuzz_errname(h->o->sweep_errno));
	fprintf(stderr, "fuzz_attach: program (%u ops):\n", h->prog.count);
	op_program_to_text(&h->prog, stderr, true);
	fflush(stderr);
	abort();
}

/* ------------------------------------------------------------------ */
/* (a) the error contract                                              */

/*
 * The error every core call is handed: filler bytes, an errno no call
 * sets and a short message. A success must leave all of it as it was. Made
 * once per process: it is armed before every core call of every input.
 */
static const struct iofd_error *fuzz_sentinel(void)
{
	static struct iofd_error sentinel;
	static bool made;

	if (!made) {
		memset(&sentinel, FUZZ_SENTINEL_BYTE, sizeof(sentinel));
		sentinel.errnum = FUZZ_SENTINEL_ERRNUM;
		strcpy(sentinel.msg, "sentinel");
		made = true;
	}
	return &sentinel;
}

/* Arm h->err with the sentinel and return it, for the next core call. */
static struct iofd_error *fuzz_err(struct fuzz_state *h)
{
	memcpy(&h->err, fuzz_sentinel(), sizeof(h->err));
	return h->null_err ? NULL : &h->err;
}

/* Check the result @ret of the core call @call against h->err. */
static void fuzz_check_call(struct fuzz_state *h, const char *call, int ret)
{
	if (ret < -4095)
		fuzz_fail(h, "%s returned %d, not a -errno", call, ret);
	if (h->null_err) {
		/* No error object: only the return value says anything. */
		strcpy(h->err.msg, "(errors null)");
		return;
	}
	if (ret >= 0) {
		if (memcmp(fuzz_sentinel(), &h->err, sizeof(h->err)) != 0)
			fuzz_fail(h, "%s succeeded (%d) but wrote the error (errnum %d, \"%.*s\")",
				  call, ret, h->err.errnum,
				  (int)sizeof(h->err.msg), h->err.msg);
		return;
	}
	if (ret < -4095)
		fuzz_fail(h, "%s returned %d, not a -errno", call, ret);
	if (h->err.errnum != -ret)
		fuzz_fail(h, "%s returned -%s but set errnum %d", call,
			  fuzz_errname(-ret), h->err.errnum);
	if (!memchr(h->err.msg, '\0', sizeof(h->err.msg)))
		fuzz_fail(h, "%s: error message not NUL-terminated", call);
	if (h->err.msg[0] == '\0')
		fuzz_fail(h, "%s returned -%s with an empty message", call,
			  fuzz_errname(-ret));
}

/* ------------------------------------------------------------------ */
/* Emulator views                                                      */

static int fuzz_collect_area(void *arg, uint64_t iova, uint64_t length,
			     uint64_t user_va, bool writeable)
{
	struct fuzz_areas *l = arg;

	if (l->count == FUZZ_MAX_AREAS) {
		l->overflow = true;
		return 0;
	}
	l->a[l->count++] = (struct fuzz_area){
		.iova = iova, .length = length, .user_va = user_va,
		.writeable = writeable,
	};
	return 0;
}

/* The emulator's areas of IOAS @ioas in the context behind @fd. */
static void fuzz_emu_areas(struct fuzz_state *h, int fd, uint32_t ioas,
			   struct fuzz_areas *out)
{
	int ret;

	/* Only the listed entries are ever read: no need to clear 2 KiB. */
	out->count = 0;
	out->overflow = false;
	ret = emu_ioas_for_each_area(h->emu, fd, ioas, fuzz_collect_area, out);
	if (ret)
		fuzz_fail(h, "emulator cannot list IOAS %u of fd %d: %d", ioas,
			  fd, ret);
	if (out->overflow)
		fuzz_fail(h, "IOAS %u of fd %d holds more than %d areas", ioas,
			  fd, FUZZ_MAX_AREAS);
}

static void fuzz_print_areas(const char *what, const struct fuzz_areas *l)
{
	unsigned int i;

	fprintf(stderr, "fuzz_attach: %s (%u):\n", what, l->count);
	for (i = 0; i < l->count; i++)
		fprintf(stderr, "  [%#" PRIx64 ", +%#" PRIx64 ") va %#" PRIx64
			" %s\n", l->a[i].iova, l->a[i].length,
			l->a[i].user_va, l->a[i].writeable ? "rw" : "ro");
}

static bool fuzz_areas_equal(const struct fuzz_areas *x,
			     const struct fuzz_areas *y)
{
	unsigned int i;

	if (x->count != y->count)
		return false;
	for (i = 0; i < x->count; i++) {
		if (x->a[i].iova != y->a[i].iova ||
		    x->a[i].length != y->a[i].length ||
		    x->a[i].user_va != y->a[i].user_va ||
		    x->a[i].writeable != y->a[i].writeable)
			return false;
	}
	return true;
}

/* A space's regions as the areas its containers must hold. */
static void fuzz_space_areas(struct fuzz_state *h, struct iofd_space *s,
			     struct fuzz_areas *out)
{
	size_t i, n = iofd_space_region_count(s);

	out->count = 0;
	out->overflow = false;
	if (n > FUZZ_MAX_REGIONS)
		fuzz_fail(h, "space holds %zu regions, more than ops ran", n);
	for (i = 0; i < n; i++) {
		const struct iofd_region *r = iofd_space_region_get(s, i);

		if (!r)
			fuzz_fail(h, "region %zu of %zu is NULL", i, n);
		out->a[out->count++] = (struct fuzz_area){
			.iova = r->iova, .length = r->size,
			.user_va = (uint64_t)(uintptr_t)r->vaddr,
			.writeable = !r->readonly,
		};
	}
	if (iofd_space_region_get(s, n))
		fuzz_fail(h, "region_get(%zu) past the end is not NULL", n);
}

/* ------------------------------------------------------------------ */
/* Invariants over the whole state                                     */

static int fuzz_backend_index(struct fuzz_state *h,
			      const struct iofd_backend *be)
{
	unsigned int k;

	for (k = 0; k < OP_MAX_BACKENDS; k++)
		if (h->r.be[k] == be)
			return (int)k;
	return -1;
}

static int fuzz_dev_slot(struct fuzz_state *h, const struct iofd_device *d)
{
	unsigned int j;

	for (j = 0; j < h->r.ndevs; j++)
		if (h->r.devs[j].dev == d)
			return (int)j;
	return -1;
}

/* (c) for device @d found in container @c of space @si. */
static void fuzz_check_device(struct fuzz_state *h, unsigned int si,
			      struct iofd_container *c, struct iofd_device *d)
{
	const struct iofd_device_info *info;
	uint32_t devid = 0, hwpt = 0, ioas = 0;
	int slot, k, ret;

	slot = fuzz_dev_slot(h, d);
	if (slot < 0)
		fuzz_fail(h, "space%u holds a device the harness does not have attached",
			  si);
	k = fuzz_backend_index(h, iofd_container_backend(c));
	if (h->r.devs[slot].space != si || (int)h->r.devs[slot].be != k)
		fuzz_fail(h, "dev%d sits in space%u be%d, attached to space%u be%u",
			  slot, si, k, h->r.devs[slot].space, h->r.devs[slot].be);
	if (iofd_device_container(d) != c)
		fuzz_fail(h, "dev%d is listed in a container it does not name",
			  slot);

	ret = emu_device_state(h->emu, iofd_device_fd(d), &devid, &hwpt,
			       &ioas);
	if (ret)
		fuzz_fail(h, "dev%d: fd %d is not a device fd of the emulator (%d)",
			  slot, iofd_device_fd(d), ret);
	if (devid == 0 || devid != iofd_device_devid(d))
		fuzz_fail(h, "dev%d: emulator devid %u, core devid %u", slot,
			  devid, iofd_device_devid(d));
	if (hwpt == 0 || hwpt != iofd_device_hwpt(d))
		fuzz_fail(h, "dev%d: emulator hwpt %u, core hwpt %u", slot,
			  hwpt, iofd_device_hwpt(d));
	if (ioas != iofd_container_ioas(c))
		fuzz_fail(h, "dev%d: emulator attached it to IOAS %u, its container is IOAS %u",
			  slot, ioas, iofd_container_ioas(c));

	info = iofd_device_info(d);
	if (!info || info->flags != h->devs[slot].profile->info_flags ||
	    info->num_regions != h->devs[slot].profile->num_regions ||
	    info->num_irqs != h->devs[slot].profile->num_irqs)
		fuzz_fail(h, "dev%d: device info differs from its profile %s",
			  slot, h->devs[slot].profile->name);
}

/* (b) and (c) for container @c of space @si. */
static void fuzz_check_container(struct fuzz_state *h, unsigned int si,
				 struct iofd_container *c,
				 const struct fuzz_areas *want)
{
	struct fuzz_areas got;
	size_t j, nr, ndev = iofd_container_device_count(c);
	int k = fuzz_backend_index(h, iofd_container_backend(c));
	uint64_t align;
	int fd;

	if (k < 0)
		fuzz_fail(h, "a container of space%u has a foreign backend", si);
	fd = iofd_backend_fd(h->r.be[k]);
	if (fd < 0)
		fuzz_fail(h, "a container of space%u uses be%d, which has no fd",
			  si, k);
	if (ndev == 0)
		fuzz_fail(h, "container IOAS %u of space%u has no device left",
			  iofd_container_ioas(c), si);

	/* The usable IOVA the core keeps: ascending, and every region in it. */
	nr = iofd_container_iova_range_count(c);
	for (j = 0; j < nr; j++) {
		const struct iofd_iova_range *r = iofd_container_iova_range_get(c, j);

		if (!r || r->start > r->last ||
		    (j && iofd_container_iova_range_get(c, j - 1)->last >=
		     r->start))
			fuzz_fail(h, "IOAS %u: usable range %zu is out of order",
				  iofd_container_ioas(c), j);
	}
	if (iofd_container_iova_range_get(c, nr))
		fuzz_fail(h, "iova_range_get past the end is not NULL");
	align = iofd_container_iova_alignment(c);
	if (align == 0 || (align & (align - 1)))
		fuzz_fail(h, "IOAS %u: IOVA alignment %#" PRIx64,
			  iofd_container_ioas(c), align);

	fuzz_emu_areas(h, fd, iofd_container_ioas(c), &got);
	if (!h->diverged[si] && !fuzz_areas_equal(&got, want)) {
		fuzz_print_areas("space regions", want);
		fuzz_print_areas("emulator areas", &got);
		fuzz_fail(h, "IOAS %u (be%d) of space%u does not hold exactly the space's regions",
			  iofd_container_ioas(c), k, si);
	}

	for (j = 0; j < ndev; j++) {
		struct iofd_device *d = iofd_container_device_get(c, j);

		if (!d)
			fuzz_fail(h, "device %zu of %zu is NULL", j, ndev);
		fuzz_check_device(h, si, c, d);
	}
	if (iofd_container_device_get(c, ndev))
		fuzz_fail(h, "container device_get past the end is not NULL");
}

/* Two containers never share one IOAS of one backend. */
static void fuzz_check_unique_ioas(struct fuzz_state *h)
{
	struct {
		const struct iofd_backend *be;
		uint32_t ioas;
	} seen[OP_MAX_DEVICES * OP_MAX_SPACES];
	unsigned int nseen = 0, si, i;
	size_t ci;

	for (si = 0; si < h->r.nspaces; si++) {
		struct iofd_space *s = h->r.spaces[si];

		for (ci = 0; ci < iofd_space_container_count(s); ci++) {
			struct iofd_container *c =
				iofd_space_container_get(s, ci);

			for (i = 0; i < nseen; i++)
				if (seen[i].be == iofd_container_backend(c) &&
				    seen[i].ioas == iofd_container_ioas(c))
					fuzz_fail(h, "two containers share IOAS %u",
						  seen[i].ioas);
			if (nseen == sizeof(seen) / sizeof(seen[0]))
				fuzz_fail(h, "more containers than devices");
			seen[nseen].be = iofd_container_backend(c);
			seen[nseen].ioas = iofd_container_ioas(c);
			nseen++;
		}
	}
}

/* (d): each scratch IOAS against its shadow. */
static void fuzz_check_scratch(struct fuzz_state *h)
{
	struct fuzz_areas got;
	unsigned int k;

	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		struct fuzz_scratch *sc = &h->scratch[k];
		uint32_t ioas = h->r.scratch[k].ioas;

		if (!h->r.scratch[k].allocated)
			continue;
		fuzz_emu_areas(h, iofd_backend_fd(h->r.be[k]), ioas, &got);
		if (!fuzz_areas_equal(&got, &sc->shadow)) {
			fuzz_print_areas("shadow", &sc->shadow);
			fuzz_print_areas("emulator areas", &got);
			fuzz_fail(h, "scratch IOAS %u of be%u differs from its shadow",
				  ioas, k);
		}
	}
}

/*
 * (e): connections of each backend: its attached devices plus the
 * harness's own. An owned backend has an fd exactly while it has users; a
 * handed-in one always has the fd it was given.
 */
static void fuzz_check_backends(struct fuzz_state *h)
{
	unsigned int users[OP_MAX_BACKENDS] = { 0 };
	unsigned int j, k;

	for (j = 0; j < h->r.ndevs; j++)
		if (h->r.devs[j].dev)
			users[h->r.devs[j].be]++;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		int fd = iofd_backend_fd(h->r.be[k]);

		users[k] += h->r.conns[k];
		if (iofd_backend_users(h->r.be[k]) != users[k])
			fuzz_fail(h, "be%u has %u users, expected %u", k,
				  iofd_backend_users(h->r.be[k]), users[k]);
		if (h->r.hfd[k] >= 0 && fd != h->r.hfd[k])
			fuzz_fail(h, "be%u was handed iommufd %d, uses %d", k,
				  h->r.hfd[k], fd);
		if (h->r.hfd[k] < 0 && (fd >= 0) != (users[k] > 0))
			fuzz_fail(h, "be%u has fd %d with %u users", k, fd,
				  users[k]);
	}
}

/*
 * (g) the counts the core and the emulator keep elsewhere:
 *   - RAM discard: the disablers are the attached devices without
 *     IOFD_DEVICE_DISCARD_OK, and requiring discard excludes any;
 *   - KVM: a device is registered exactly when a kvm-vfio device was set
 *     at its attach, and the kvm-vfio device's file list is exactly the
 *     registered devices' fds;
 *   - HWPTs: every HWPT a container lists is used by one of its devices,
 *     and dirty tracking is on only where every HWPT can track;
 *   - the emulator's fds and iommufd contexts are exactly the ones the
 *     harness and the core hold open (a fault never leaks an fd: a failed
 *     close releases it too), and while no fault has fired its objects are
 *     exactly the bound devices, the IOASes and the HWPTs in use (a failed
 *     DESTROY legitimately leaves an object until its iommufd closes).
 */
static void fuzz_check_counts(struct fuzz_state *h)
{
	struct {
		const struct iofd_backend *be;
		uint32_t id;
	} hwpts[OP_MAX_DEVICES];
	unsigned int disablers = 0, registered = 0, nhwpts = 0, fds = 0;
	unsigned int contexts = 0, objects = 0, held, i, j, k;
	struct emu_counters cnt;
	size_t si, ci;

	if (emu_fault_fired(h->fault))
		h->ever_fired = true;

	for (j = 0; j < h->r.ndevs; j++) {
		struct fuzz_dev *fd = &h->devs[j];
		struct oprun_dev *od = &h->r.devs[j];

		if (!od->dev)
			continue;
		if (!fd->discard_ok)
			disablers++;
		if (iofd_device_kvm_registered(od->dev) != fd->kvm_expect)
			fuzz_fail(h, "dev%u: KVM registered %d, expected %d", j,
				  iofd_device_kvm_registered(od->dev),
				  fd->kvm_expect);
		if (fd->kvm_expect) {
			registered++;
			if (emu_kvm_vfio_has(h->emu, h->kvm_dev,
					     iofd_device_fd(od->dev)) != 1)
				fuzz_fail(h, "dev%u: registered, but KVM does not list fd %d",
					  j, iofd_device_fd(od->dev));
		}
		fds++;
		objects++;	/* its DEVICE object */
		for (i = 0; i < nhwpts; i++)
			if (hwpts[i].be == h->r.be[od->be] &&
			    hwpts[i].id == iofd_device_hwpt(od->dev))
				break;
		if (i == nhwpts) {
			hwpts[nhwpts].be = h->r.be[od->be];
			hwpts[nhwpts].id = iofd_device_hwpt(od->dev);
			nhwpts++;
		}
	}
	objects += nhwpts;
	if (iofd_ctx_discard_disablers(h->r.ctx) != disablers)
		fuzz_fail(h, "%u devices keep RAM discard disabled, the core counts %u",
			  disablers, iofd_ctx_discard_disablers(h->r.ctx));
	if (disablers && h->r.discard_required)
		fuzz_fail(h, "discard is required while %u devices disable it",
			  disablers);
	/*
	 * A failed FILE_DEL (a fault) leaves KVM holding the file until the
	 * kvm-vfio device goes: then KVM may list more than is registered.
	 */
	emu_counters_get(h->emu, &cnt);
	if (cnt.kvm_vfio_files < registered ||
	    (!h->ever_fired && cnt.kvm_vfio_files != registered))
		fuzz_fail(h, "KVM lists %u VFIO files, %u devices are registered",
			  cnt.kvm_vfio_files, registered);

	for (si = 0; si < h->r.nspaces; si++) {
		for (ci = 0; ci < iofd_space_container_count(h->r.spaces[si]);
		     ci++) {
			struct iofd_container *c =
				iofd_space_container_get(h->r.spaces[si], ci);
			size_t n = iofd_container_hwpt_count(c), x, d;
			bool capable = n > 0;

			objects++;	/* its IOAS */
			for (x = 0; x < n; x++) {
				uint32_t id = 0, flags = 0;

				if (iofd_container_hwpt_get(c, x, &id, NULL) ||
				    iofd_container_hwpt_get(c, x, NULL, &flags))
					fuzz_fail(h, "HWPT %zu of %zu missing",
						  x, n);
				if (!(flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
					capable = false;
				for (d = 0;
				     d < iofd_container_device_count(c); d++)
					if (iofd_device_hwpt(
					    iofd_container_device_get(c, d)) ==
					    id)
						break;
				if (d == iofd_container_device_count(c))
					fuzz_fail(h, "HWPT %u of IOAS %u has no device",
						  id, iofd_container_ioas(c));
			}
			if (iofd_container_hwpt_get(c, n, NULL, NULL) !=
			    -ENOENT)
				fuzz_fail(h, "hwpt_get past the end is not -ENOENT");
			/*
			 * A device on a domain the kernel chose (its HWPT is
			 * none of the container's) cannot be asked for dirty
			 * bits: the container cannot track.
			 */
			for (d = 0; d < iofd_container_device_count(c); d++) {
				uint32_t dh = iofd_device_hwpt(
					iofd_container_device_get(c, d));
				uint32_t id = 0;

				for (x = 0; x < n; x++) {
					iofd_container_hwpt_get(c, x, &id, NULL);
					if (id == dh)
						break;
				}
				if (x == n)
					capable = false;
			}
			if (iofd_container_dirty_capable(c) != capable)
				fuzz_fail(h, "IOAS %u: dirty capable %d, its HWPTs say %d",
					  iofd_container_ioas(c),
					  iofd_container_dirty_capable(c),
					  capable);
			if (iofd_container_dirty_tracking(c) && !capable)
				fuzz_fail(h, "IOAS %u tracks dirty pages without the HWPTs for it",
					  iofd_container_ioas(c));
		}
	}

	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		if (h->r.hfd[k] >= 0) {
			fds++;
			contexts++;
		} else if (iofd_backend_fd(h->r.be[k]) >= 0) {
			fds++;
			contexts++;
		}
		if (h->r.scratch[k].allocated)
			objects++;
	}
	if (h->kvm_dev >= 0)
		fds += 3;	/* /dev/kvm, the VM, its kvm-vfio device */
	if (cnt.fds != fds)
		fuzz_fail(h, "the emulator has %u fds open, the core and harness hold %u",
			  cnt.fds, fds);
	/*
	 * A VFIO file KVM still holds after its fd closed (a failed
	 * FILE_DEL) stays bound, and keeps its iommufd context alive.
	 */
	held = cnt.files - cnt.fds;
	if (cnt.contexts < contexts || cnt.contexts > contexts + held)
		fuzz_fail(h, "the emulator has %u iommufd contexts, %u are open (%u files held without an fd)",
			  cnt.contexts, contexts, held);
	if (!h->ever_fired && cnt.objects != objects)
		fuzz_fail(h, "the emulator holds %u objects, the core accounts for %u",
			  cnt.objects, objects);
}

static void fuzz_check_all(struct fuzz_state *h)
{
	unsigned int si, j, attached[OP_MAX_SPACES] = { 0 };
	size_t ci, found;

	for (j = 0; j < h->r.ndevs; j++)
		if (h->r.devs[j].dev)
			attached[h->r.devs[j].space]++;

	for (si = 0; si < h->r.nspaces; si++) {
		struct iofd_space *s = h->r.spaces[si];
		struct fuzz_areas want;
		size_t nc = iofd_space_container_count(s);

		fuzz_space_areas(h, s, &want);
		for (j = 1; j < want.count; j++)
			if (want.a[j - 1].iova + (want.a[j - 1].length - 1) >=
			    want.a[j].iova)
				fuzz_fail(h, "regions of space%u not ascending and disjoint",
					  si);
		found = 0;
		for (ci = 0; ci < nc; ci++) {
			struct iofd_container *c =
				iofd_space_container_get(s, ci);

			if (!c)
				fuzz_fail(h, "container %zu of %zu is NULL",
					  ci, nc);
			fuzz_check_container(h, si, c, &want);
			found += iofd_container_device_count(c);
		}
		if (iofd_space_container_get(s, nc))
			fuzz_fail(h, "container_get past the end is not NULL");
		if (found != attached[si])
			fuzz_fail(h, "space%u lists %zu devices, %u are attached",
				  si, found, attached[si]);
	}
	fuzz_check_unique_ioas(h);
	fuzz_check_scratch(h);
	fuzz_check_backends(h);
	fuzz_check_counts(h);
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */

/*
 * Faults fired so far, host calls and allocations together. An op takes a
 * mark before a core call: fuzz_hit says a fault fired since, fuzz_clean
 * that the call certainly ran without one (a fault-kind plan may fail any
 * number of calls without being counted, so while one is armed no call is
 * known to be clean).
 */
static unsigned long fuzz_mark(struct fuzz_state *h)
{
	unsigned long n = h->logw.fires + (h->alloc.fired ? 1 : 0) +
			  h->alloc_fires;

	if (n || h->kind_armed)
		h->ever_fired = true;
	return n;
}

static bool fuzz_hit(struct fuzz_state *h, unsigned long mark)
{
	return fuzz_mark(h) != mark;
}

static bool fuzz_clean(struct fuzz_state *h, unsigned long mark)
{
	return fuzz_mark(h) == mark && !h->kind_armed;
}

static void fuzz_alloc_arm(struct fuzz_state *h, unsigned long nth)
{
	if (h->alloc.fired)
		h->alloc_fires++;
	oprun_alloc_arm(&h->alloc, nth);
}

/*
 * Whether a detach that returned @ret with no fault during it is wrong.
 * It is, unless an earlier fault left the kernel holding an object the
 * core let go of: a DETACH that failed makes the HWPT's DESTROY fail with
 * EBUSY, that HWPT outlives the device (until the iommufd closes) and
 * keeps its IOAS busy, so a later, fault-free detach of the container's
 * last device gets EBUSY from the IOAS's DESTROY.
 */
static bool fuzz_detach_must_work(struct fuzz_state *h, unsigned long mark,
				  int ret)
{
	if (!fuzz_clean(h, mark))
		return false;
	return !(ret == -EBUSY && h->ever_fired);
}

static int fuzz_op_fault_alloc(struct fuzz_state *h, const struct op *op)
{
	if (h->sweep_pending) {
		h->r.skip_why = "the sweep owns the fault plan";
		return FUZZ_SKIPPED;
	}
	fuzz_alloc_arm(h, op->fault.nth);
	return 0;
}

/* Once the sweep fault has fired, the program's fault ops take over. */
static void fuzz_note_sweep(struct fuzz_state *h)
{
	bool fired = h->o->sweep_alloc ? h->alloc.fired :
		     emu_fault_fired(h->fault);

	if (h->sweep_pending && fired) {
		h->sweep_pending = false;
		h->sweep_fired = true;
	}
}

static int fuzz_op_fault(struct fuzz_state *h, const struct op *op)
{
	if (h->sweep_pending) {
		h->r.skip_why = "the sweep owns the fault plan";
		return FUZZ_SKIPPED;
	}
	h->armed_errno = op_errno_value(op->fault.err);
	emu_fault_fail_nth(h->fault, op->fault.nth, h->armed_errno);
	return 0;
}

/*
 * Fail every host call of the chosen kinds (emu_fault_fail_every), when
 * the emulator's fault plan can; otherwise the op is skipped.
 */
static int fuzz_op_fault_kind(struct fuzz_state *h, const struct op *op)
{
	if (h->sweep_pending) {
		h->r.skip_why = "the sweep owns the fault plan";
		return FUZZ_SKIPPED;
	}
#ifdef FUZZ_HAVE_EMU_FAULT_KIND
	h->kind_armed = op->fault_kind.kinds != 0;
	h->every_errno = h->kind_armed ? op_errno_value(op->fault_kind.err) : 0;
	emu_fault_fail_every(h->fault, op->fault_kind.kinds,
			     op_req_value(op->fault_kind.req),
			     h->every_errno);
	return 0;
#else
	h->r.skip_why = "the emulator's fault plan has no kinds";
	return FUZZ_SKIPPED;
#endif
}

/* The device writes [iova, +len) through every HWPT of @c. */
static int fuzz_dirty_mark(struct fuzz_state *h, struct iofd_container *c,
			   uint64_t iova, uint64_t len)
{
#ifdef FUZZ_HAVE_EMU_HWPT_DIRTY
	size_t x;
	int fd = iofd_backend_fd(iofd_container_backend(c));

	for (x = 0; x < iofd_container_hwpt_count(c); x++) {
		uint32_t id = 0;

		iofd_container_hwpt_get(c, x, &id, NULL);
		/* -EFAULT (not mapped) and -EINVAL (empty) are the input's. */
		emu_hwpt_dirty(h->emu, fd, id, iova, len);
	}
	return 0;
#else
	h->r.skip_why = "the emulator cannot mark pages dirty";
	return FUZZ_SKIPPED;
#endif
}

/* ------------------------------------------------------------------ */
/* Ops                                                                 */

static int fuzz_op_device(struct fuzz_state *h, const struct op *op)
{
	static const char hex[] = "0123456789abcdef";
	struct fuzz_dev *slot = &h->devs[h->r.ndevs];
	char bdf[] = "0000:00:00.0";	/* slot ndevs + 3, set below */
	int ret;

	if (h->r.ndevs == OP_MAX_DEVICES) {
		h->r.skip_why = "all 8 devices added";
		return FUZZ_SKIPPED;
	}
	slot->profile = emu_profile_get(op->device.profile);
	if (!slot->profile)
		fuzz_fail(h, "emulator has no profile %u", op->device.profile);
	/* Not snprintf: the most frequent op, and ASan's printf is costly. */
	bdf[8] = hex[(h->r.ndevs + 3) >> 4];
	bdf[9] = hex[(h->r.ndevs + 3) & 15];
	ret = emu_device_add(h->emu, slot->profile, bdf,
			     (enum emu_sysfs_variant)op->device.variant,
			     slot->path, sizeof(slot->path));
	if (ret != (int)h->r.ndevs)
		fuzz_fail(h, "emu_device_add gave %d for device %u", ret,
			  h->r.ndevs);
	h->r.devs[h->r.ndevs].sysfs = slot->path;
	h->r.ndevs++;
	return 0;
}

static int fuzz_op_space(struct fuzz_state *h)
{
	int ret = oprun_space(&h->r);

	if (ret == 0 && !h->r.spaces[h->r.nspaces - 1])
		fuzz_fail(h, "iofd_space_create gave no space");
	return ret;
}

/* What a space's container list looks like, to prove a failure kept it. */
struct fuzz_containers {
	size_t count;
	struct iofd_container *c[OP_MAX_DEVICES];
	uint32_t ioas[OP_MAX_DEVICES];
	size_t ndev[OP_MAX_DEVICES];
};

static void fuzz_snap_containers(struct fuzz_state *h, struct iofd_space *s,
				 struct fuzz_containers *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->count = iofd_space_container_count(s);
	if (out->count > OP_MAX_DEVICES)
		fuzz_fail(h, "space has %zu containers for at most %d devices",
			  out->count, OP_MAX_DEVICES);
	for (i = 0; i < out->count; i++) {
		out->c[i] = iofd_space_container_get(s, i);
		out->ioas[i] = out->c[i] ? iofd_container_ioas(out->c[i]) : 0;
		out->ndev[i] = out->c[i] ?
			iofd_container_device_count(out->c[i]) : 0;
	}
}

/*
 * The sysfs path attach-cfg passes: none, devN's, or devN's made bad in
 * one way the core must refuse (EINVAL, or ENAMETOOLONG for the long one),
 * built in @badpath (PATH_MAX bytes). The bad ones also have components
 * like "x" and ".x" that are fine.
 */
static const char *fuzz_cfg_path(struct fuzz_state *h, unsigned int n,
				 unsigned int how, char *badpath)
{
	const char *path = h->devs[n].path;
	size_t len;

	switch (how) {
	case OP_HOW_FD:
	case OP_HOW_BAD_FD:
	case OP_HOW_NOTHING:
		return NULL;
	case OP_HOW_PATH_REL:
		return path + 1;
	case OP_HOW_PATH_DOT:
		snprintf(badpath, PATH_MAX, "/x/xx/.x/./%s", path);
		return badpath;
	case OP_HOW_PATH_DOTDOT:
		snprintf(badpath, PATH_MAX, "/x/xx/.x/../%s",
			 path);
		return badpath;
	case OP_HOW_PATH_LONG:
		/* "/xxxx...x": PATH_MAX - 64 bytes, too long to build on. */
		len = PATH_MAX - 64;
		badpath[0] = '/';
		memset(badpath + 1, 'x', len - 1);
		badpath[len] = '\0';
		return badpath;
	case OP_HOW_PATH_WIDE:
		/* Valid, but every message naming it is truncated. */
		badpath[0] = '/';
		memset(badpath + 1, 'w', 999);
		badpath[1000] = '\0';
		return badpath;
	default:
		return path;
	}
}

/* Whether @how names a sysfs path or fd that no attach may accept. */
static bool fuzz_cfg_bad_how(unsigned int how)
{
	return how == OP_HOW_WRONG_FD || how == OP_HOW_BAD_FD ||
	       how >= OP_HOW_NOTHING;
}

/*
 * The cdev fd attach-cfg hands in, opened by the harness straight on the
 * emulator (no fault plan: the harness's own calls are not sweep points):
 * devN's node, another device's node (or /dev/iommu) for wrong-fd, an fd
 * number nothing has open for bad-fd. 0 and *@fd, or -errno of the open.
 */
static int fuzz_cfg_fd(struct fuzz_state *h, unsigned int n,
		       unsigned int how, int *fd)
{
	char path[64];
	int ret;

	*fd = -1;
	switch (how) {
	case OP_HOW_FD:
	case OP_HOW_FD_SYSFS:
		snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%u", n);
		break;
	case OP_HOW_WRONG_FD:
		if (h->r.ndevs > 1)
			snprintf(path, sizeof(path),
				 "/dev/vfio/devices/vfio%u", (n + 1) % h->r.ndevs);
		else
			snprintf(path, sizeof(path), "/dev/iommu");
		break;
	case OP_HOW_BAD_FD:
		*fd = FUZZ_BOGUS_FD;
		return 0;
	default:
		return 0;
	}
	ret = h->emu_h.ops->open(h->emu_h.priv, path, O_RDWR | O_CLOEXEC);
	if (ret < 0)
		return ret;
	*fd = ret;
	return 0;
}

/*
 * attach and attach-cfg. With no fault fired during the call, an attach
 * that must fail does: a bad name, an unknown flag, a space or backend of
 * another context, a handed-in fd that is not the device's, a device
 * already attached, discard required by a device that disables it, a
 * bogus kvm-vfio fd. A failed attach leaves the space as it was; a
 * successful one put the device into exactly one container of its
 * backend in the space.
 */
static int fuzz_attach_common(struct fuzz_state *h, const struct op *op)
{
	bool cfg = op->code == OP_ATTACH_CFG;
	unsigned int how = cfg ? op->attach_cfg.how : OP_HOW_SYSFS;
	unsigned int mix = cfg ? op->attach_cfg.mix : OP_MIX_OK;
	bool discard_ok = cfg && op->attach_cfg.discard_ok;
	struct fuzz_containers before, after;
	struct oprun_attach a;
	struct iofd_device *d = NULL;
	struct iofd_container *c;
	unsigned int n, m, k;
	bool again, must_fail;
	unsigned long mark;
	char badpath[PATH_MAX];
	int ret;

	ret = oprun_attach_prepare(&h->r, op, &a);
	if (ret)
		return ret;
	n = a.n;
	m = a.m;
	k = a.k;
	again = h->r.devs[n].dev != NULL;
	a.dc.sysfs_path = fuzz_cfg_path(h, n, how, badpath);
	if (fuzz_cfg_fd(h, n, how, &a.dc.fd) < 0)
		return oprun_skip(&h->r, "the harness cannot open the node to hand in");
	if (mix == OP_MIX_NULL_SPACE)
		a.space = NULL;
	else if (mix == OP_MIX_FOREIGN_SPACE)
		a.space = h->fspace;
	else if (mix == OP_MIX_NULL_BE)
		a.be = NULL;
	else if (mix == OP_MIX_FOREIGN_BE)
		a.be = h->fbe;

	must_fail = again || (cfg && op->attach_cfg.name != OP_NAME_OK) ||
		    (a.dc.flags & FUZZ_BAD_DEVICE_FLAG) || mix != OP_MIX_OK ||
		    fuzz_cfg_bad_how(how) ||
		    (h->r.discard_required && !discard_ok) ||
		    h->kvm_set == FUZZ_BOGUS_FD;
	fuzz_snap_containers(h, h->r.spaces[m], &before);
	mark = fuzz_mark(h);

	ret = oprun_attach(&h->r, op, &a, &d);
	fuzz_snap_containers(h, h->r.spaces[m], &after);
	if (iofd_space_container_count(h->fspace) != 0 ||
	    iofd_backend_users(h->fbe) != 0)
		fuzz_fail(h, "attach changed the other context");
	if (ret < 0) {
		/* (f) a failed attach leaves the space as it was. */
		if (memcmp(&before, &after, sizeof(before)) != 0)
			fuzz_fail(h, "failed attach changed the containers of space%u",
				  m);
		if (cfg && fuzz_clean(h, mark)) {
			if (op->attach_cfg.name == OP_NAME_LONG &&
			    ret != -ENAMETOOLONG)
				fuzz_fail(h, "a %d-byte name gave %d, not -ENAMETOOLONG",
					  IOFD_DEVICE_NAME_MAX, ret);
			if (how == OP_HOW_BAD_FD && ret != -EBADF &&
			    op->attach_cfg.name == OP_NAME_OK &&
			    !op->attach_cfg.bad_flag && mix == OP_MIX_OK)
				fuzz_fail(h, "a closed fd gave %d, not -EBADF",
					  ret);
		}
		return ret;
	}
	if (must_fail && fuzz_clean(h, mark))
		fuzz_fail(h, "dev%u attached though the attach had to fail%s", n,
			  again ? " (it was attached already)" : "");
	if (!d)
		fuzz_fail(h, "iofd_device_attach succeeded without a device");

	c = iofd_device_container(d);
	if (!c || iofd_container_backend(c) != h->r.be[k])
		fuzz_fail(h, "dev%u landed in a container of another backend",
			  n);
	/* Either an existing container took it or one new one was added. */
	if (after.count == before.count + 1) {
		if (after.c[before.count] != c ||
		    memcmp(before.c, after.c, sizeof(before.c[0]) *
			   before.count) != 0)
			fuzz_fail(h, "attach rearranged the containers");
	} else if (after.count != before.count) {
		fuzz_fail(h, "attach went from %zu to %zu containers",
			  before.count, after.count);
	}
	if (strcmp(iofd_device_name(d), a.name) != 0)
		fuzz_fail(h, "device named \"%s\", attached as \"%s\"",
			  iofd_device_name(d), a.name);
	if (a.dc.fd >= 0 && iofd_device_fd(d) != a.dc.fd)
		fuzz_fail(h, "dev%u was handed fd %d and uses %d", n, a.dc.fd,
			  iofd_device_fd(d));
	/* oprun_attach put d, spaceM and beK into devN's slot. */
	h->devs[n].discard_ok = discard_ok;
	h->devs[n].kvm_expect = h->kvm_set >= 0 && h->kvm_set == h->kvm_dev;
	return 0;
}

static int fuzz_op_detach(struct fuzz_state *h, const struct op *op)
{
	unsigned int n = op->detach.dev;
	unsigned long mark = fuzz_mark(h);
	int ret;

	/* Its space has a container while it is attached: no destroy. */
	if (n < h->r.ndevs && h->r.devs[n].dev &&
	    iofd_space_destroy(h->r.spaces[h->r.devs[n].space]) != -EBUSY)
		fuzz_fail(h, "space%u with an attached device was destroyed",
			  h->r.devs[n].space);
	ret = oprun_detach(&h->r, n);
	if (ret < 0 && fuzz_detach_must_work(h, mark, ret))
		fuzz_fail(h, "detach of dev%u failed with no fault injected",
			  n);
	return ret;
}

struct fuzz_regions {
	size_t count;
	struct iofd_region r[FUZZ_MAX_REGIONS];
};

static void fuzz_snap_regions(struct fuzz_state *h, struct iofd_space *s,
			      struct fuzz_regions *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->count = iofd_space_region_count(s);
	if (out->count > FUZZ_MAX_REGIONS)
		fuzz_fail(h, "space holds %zu regions", out->count);
	for (i = 0; i < out->count; i++) {
		const struct iofd_region *r = iofd_space_region_get(s, i);

		if (!r)
			fuzz_fail(h, "region %zu is NULL", i);
		out->r[i] = *r;
	}
}

static bool fuzz_regions_equal(const struct fuzz_regions *x,
			       const struct fuzz_regions *y)
{
	size_t i;

	if (x->count != y->count)
		return false;
	for (i = 0; i < x->count; i++)
		if (x->r[i].iova != y->r[i].iova ||
		    x->r[i].size != y->r[i].size ||
		    x->r[i].vaddr != y->r[i].vaddr ||
		    x->r[i].readonly != y->r[i].readonly)
			return false;
	return true;
}

/* Whether [a, +alen) and [b, +blen) meet; neither may wrap. */
static bool fuzz_overlaps(uint64_t a, uint64_t alen, uint64_t b,
			  uint64_t blen)
{
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

static int fuzz_op_region_add(struct fuzz_state *h, const struct op *op)
{
	unsigned int m = op->region_add.space;
	struct fuzz_regions before, after;
	struct iofd_region r;
	unsigned long mark = fuzz_mark(h);
	bool overlap = false, wraps;
	size_t i;
	int ret;

	ret = oprun_region_add_prepare(&h->r, op, &r);
	if (ret)
		return ret;
	fuzz_snap_regions(h, h->r.spaces[m], &before);
	wraps = r.size && r.iova + r.size - 1 < r.iova;
	for (i = 0; i < before.count; i++)
		if (r.size && !wraps &&
		    fuzz_overlaps(r.iova, r.size, before.r[i].iova,
				  before.r[i].size))
			overlap = true;

	h->region_space = (int)m;
	ret = oprun_region_add(&h->r, op, &r);
	h->region_space = -1;
	fuzz_snap_regions(h, h->r.spaces[m], &after);

	/* (f) with no fault, bad arguments get their documented errno. */
	if (fuzz_clean(h, mark)) {
		if (r.size == 0 && ret != -EINVAL)
			fuzz_fail(h, "empty region gave %d, not -EINVAL", ret);
		if (wraps && ret != -EOVERFLOW)
			fuzz_fail(h, "a region wrapping past 2^64 gave %d, not -EOVERFLOW",
				  ret);
		if (r.size && overlap && ret != -EEXIST)
			fuzz_fail(h, "overlapping region gave %d, not -EEXIST",
				  ret);
	}

	if (ret < 0) {
		if (!fuzz_regions_equal(&before, &after))
			fuzz_fail(h, "failed region-add changed the regions");
		return ret;
	}
	if (after.count != before.count + 1)
		fuzz_fail(h, "region-add went from %zu to %zu regions",
			  before.count, after.count);
	for (i = 0; i < after.count; i++)
		if (after.r[i].iova == r.iova && after.r[i].size == r.size &&
		    after.r[i].vaddr == r.vaddr &&
		    after.r[i].readonly == r.readonly)
			break;
	if (i == after.count)
		fuzz_fail(h, "the added region is not in the space");
	return 0;
}

static int fuzz_op_region_del(struct fuzz_state *h, const struct op *op)
{
	unsigned int m = op->region_del.space;
	struct fuzz_regions before, after;
	unsigned long mark = fuzz_mark(h);
	bool exists = false;
	unsigned int tracking, flushes;
	uint64_t iova, size;
	size_t i;
	int ret;

	ret = oprun_region_del_prepare(&h->r, op, &iova, &size);
	if (ret)
		return ret;
	fuzz_snap_regions(h, h->r.spaces[m], &before);
	for (i = 0; i < before.count; i++)
		if (before.r[i].iova == iova && before.r[i].size == size)
			exists = true;

	tracking = 0;
	for (i = 0; i < iofd_space_container_count(h->r.spaces[m]); i++)
		if (iofd_container_dirty_tracking(
			iofd_space_container_get(h->r.spaces[m], i)))
			tracking++;
	flushes = h->flushes;
	h->flush_armed = true;
	h->flush_want = (struct iofd_region){ .iova = iova, .size = size };
	h->region_space = (int)m;
	ret = oprun_region_del(&h->r, op, iova, size);
	h->region_space = -1;
	h->flush_armed = false;
	/* The dirty bits of each tracking container reach the sink first. */
	if (ret == 0 && fuzz_clean(h, mark) && !h->null_err &&
	    h->flushes - flushes != tracking)
		fuzz_fail(h, "%u containers track dirty pages, the sink got %u flushes",
			  tracking, h->flushes - flushes);
	fuzz_snap_regions(h, h->r.spaces[m], &after);

	/*
	 * (f) with no fault, deleting is exact; unless an earlier undo left a
	 * container of this space differing from it (then its unmap may meet
	 * ENOENT).
	 */
	if (fuzz_clean(h, mark) && !h->diverged[m]) {
		if (exists && ret != 0)
			fuzz_fail(h, "deleting an existing region failed with no fault injected");
		if (!exists && ret != -ENOENT)
			fuzz_fail(h, "deleting a missing region gave %d, not -ENOENT",
				  ret);
	}
	if (ret < 0) {
		if (!fuzz_regions_equal(&before, &after))
			fuzz_fail(h, "failed region-del changed the regions");
		return ret;
	}
	if (after.count + 1 != before.count)
		fuzz_fail(h, "region-del went from %zu to %zu regions",
			  before.count, after.count);
	for (i = 0; i < after.count; i++)
		if (after.r[i].iova == iova && after.r[i].size == size)
			fuzz_fail(h, "the deleted region is still there");
	return 0;
}

/* oprun's scratch_new: a fresh scratch IOAS holds nothing. */
static void fuzz_scratch_new(void *priv, unsigned int k)
{
	struct fuzz_state *h = priv;

	if (h->r.scratch[k].ioas == 0)
		fuzz_fail(h, "be%u allocated IOAS id 0", k);
	memset(&h->scratch[k].shadow, 0, sizeof(h->scratch[k].shadow));
}

/*
 * What the kernel does with a FIXED_IOVA map of [iova, +len) into an IOAS
 * with no domain (the scratch IOAS never gets one): EINVAL for length 0,
 * EEXIST when it touches an area, else a new area. Returns the errno the
 * model expects and applies the effect to @sh.
 */
static int fuzz_model_map(struct fuzz_areas *sh, uint64_t iova, uint64_t len,
			  uint64_t va)
{
	unsigned int i, at = 0;

	if (len == 0)
		return -EINVAL;
	if (iova + len - 1 < iova)
		return -EOVERFLOW;
	for (i = 0; i < sh->count; i++) {
		if (fuzz_overlaps(iova, len, sh->a[i].iova, sh->a[i].length))
			return -EEXIST;
		if (sh->a[i].iova < iova)
			at = i + 1;
	}
	if (sh->count == FUZZ_MAX_AREAS)
		return -ENOSPC;
	memmove(&sh->a[at + 1], &sh->a[at], sizeof(sh->a[0]) *
		(sh->count - at));
	sh->a[at] = (struct fuzz_area){
		.iova = iova, .length = len, .user_va = va, .writeable = true,
	};
	sh->count++;
	return 0;
}

/*
 * IOMMU_IOAS_UNMAP of [iova, +len): EINVAL for length 0; otherwise areas
 * are removed in ascending order while they lie wholly inside the range,
 * and the first one cut by the range stops the walk with ENOENT (what was
 * removed before it stays removed: the ioctl is not atomic). Nothing
 * removed at all is ENOENT too.
 */
static int fuzz_model_unmap(struct fuzz_areas *sh, uint64_t iova,
			    uint64_t len)
{
	unsigned int i = 0, removed = 0;

	if (len == 0)
		return -EINVAL;
	if (iova + len - 1 < iova)
		return -EOVERFLOW;
	while (i < sh->count) {
		struct fuzz_area *a = &sh->a[i];

		if (!fuzz_overlaps(iova, len, a->iova, a->length)) {
			i++;
			continue;
		}
		/* Inclusive lasts: a range may end at 2^64 - 1. */
		if (a->iova < iova ||
		    a->iova + (a->length - 1) > iova + (len - 1))
			return -ENOENT;
		memmove(a, a + 1, sizeof(*a) * (sh->count - i - 1));
		sh->count--;
		removed++;
	}
	return removed ? 0 : -ENOENT;
}

static int fuzz_op_map(struct fuzz_state *h, const struct op *op)
{
	unsigned int k = op->map.be;
	struct fuzz_scratch *sc = &h->scratch[k];
	struct fuzz_areas model;
	uint64_t iova, len;
	void *va;
	unsigned long mark;
	int ret, want;

	ret = oprun_scratch_get(&h->r, k);
	if (ret < 0)
		return ret;
	oprun_map_range(&h->r, op, &iova, &len, &va);

	model = sc->shadow;
	if (op->code == OP_MAP)
		want = fuzz_model_map(&model, iova, len,
				      (uint64_t)(uintptr_t)va);
	else
		want = fuzz_model_unmap(&model, iova, len);

	mark = fuzz_mark(h);
	ret = oprun_map(&h->r, op);

	if (fuzz_hit(h, mark)) {
		/*
		 * An injected fault fails the call before the kernel runs,
		 * with the errno of whichever armed fault took it.
		 */
		if (ret != -h->armed_errno &&
		    (!h->every_errno || ret != -h->every_errno))
			fuzz_fail(h, "injected -%s came back as %d",
				  fuzz_errname(h->armed_errno), ret);
		return ret;
	}
	if (ret != want && h->every_errno && ret == -h->every_errno)
		return ret;	/* failed, uncounted, by the fault-kind plan */
	/*
	 * A HWPT a fault kept alive still holds the scratch IOAS, and its
	 * domain's aperture, page size and the device's reserved regions
	 * now bound what may be mapped there: the kernel refuses the rest
	 * with EINVAL and maps nothing. The model knows no domains, so it
	 * takes that answer as it comes.
	 */
	if (ret == -EINVAL && op->code == OP_MAP &&
	    (sc->nr_stale || sc->stale_lost))
		return ret;
	if (ret != want)
		fuzz_fail(h, "raw %s of [%#" PRIx64 ", +%#" PRIx64 ") gave %d, the model says %d",
			  op_code_name(op->code), iova, len, ret, want);
	sc->shadow = model;
	return ret;
}


/* ------------------------------------------------------------------ */
/* Backend ops: connections, recreation, raw verbs                     */

static int fuzz_op_connect(struct fuzz_state *h, const struct op *op)
{
	if (h->r.conns[op->be.be] == OPRUN_MAX_CONNS)
		return oprun_skip(&h->r, "the harness holds enough connections");
	return oprun_connect(&h->r, op->be.be);
}

/*
 * Drop one harness connection. The last one takes the scratch IOAS with
 * it: freed here first, so that the free is judged before the disconnect
 * (whose close a fault may hit) runs.
 */
static int fuzz_op_disconnect(struct fuzz_state *h, const struct op *op)
{
	unsigned int k = op->be.be;
	struct fuzz_scratch *sc = &h->scratch[k];
	unsigned long mark = fuzz_mark(h);
	int ret = 0;

	if (h->r.conns[k] == 0) {
		/* Nobody connected at all: disconnecting is a no-op. */
		if (iofd_backend_users(h->r.be[k]) == 0) {
			iofd_backend_disconnect(h->r.be[k]);
			return 0;
		}
		return oprun_skip(&h->r, "the harness holds no connection");
	}
	if (h->r.conns[k] == 1 && h->r.scratch[k].allocated) {
		ret = oprun_scratch_free(&h->r, k);
		if (ret < 0 && fuzz_clean(h, mark) && !sc->stale_lost)
			fuzz_fail(h, "freeing scratch IOAS %u failed with no fault injected",
				  h->r.scratch[k].ioas);
		sc->stale_lost = false;
	}
	oprun_disconnect(&h->r, k);
	return ret;
}

/* Close beK's handed-in iommufd (the harness's); it must close. */
static void fuzz_hfd_close(struct fuzz_state *h, unsigned int k)
{
	int fd = h->r.hfd[k], ret = oprun_hfd_close(&h->r, k);

	if (ret)
		fuzz_fail(h, "closing the harness's iommufd fd %d gave %d", fd,
			  ret);
}

/*
 * Close and reopen: recreate beK as an owned backend or on an iommufd the
 * harness opens and hands in. While anyone uses beK, destroy must refuse
 * with -EBUSY and change nothing. badfd hands in -1, which must be refused
 * with -EBADF, and keeps beK.
 */
static int fuzz_op_backend(struct fuzz_state *h, const struct op *op)
{
	unsigned int k = op->backend.be, users, tries;
	struct iofd_backend *be = NULL;
	int ret, fd = -1, first = 0;
	unsigned long mark;

	if (op->backend.mode == OP_BE_BADFD) {
		ret = oprun_backend_badfd(&h->r, &be);
		if (ret != -EBADF || be)
			fuzz_fail(h, "a handed-in fd -1 gave %d, not -EBADF", ret);
		return ret;
	}
	users = iofd_backend_users(h->r.be[k]);
	ret = oprun_backend_destroy(&h->r, k);
	if (users && ret != -EBUSY)
		fuzz_fail(h, "destroying be%u with users gave %d, not -EBUSY",
			  k, ret);
	if (ret == -EBUSY)
		return ret;
	if (ret)
		fuzz_fail(h, "destroying be%u with no user gave %d", k, ret);
	/* Handed in: the caller closes it after the destroy. */
	fuzz_hfd_close(h, k);

	if (op->backend.mode == OP_BE_FD) {
		fd = oprun_backend_open_fd(&h->r);
		if (fd < 0)
			fuzz_fail(h, "the harness cannot open /dev/iommu: %d", fd);
	}
	/*
	 * Creating can fail only by an injected allocation failure; the
	 * slot must not stay empty, so the harness tries once more (the
	 * fault has fired and will not fire again). A handed-in fd stays the
	 * caller's on failure.
	 */
	for (tries = 0; tries < 2; tries++) {
		mark = fuzz_mark(h);
		ret = oprun_backend_make(&h->r, k, fd);
		if (ret == 0 || fuzz_clean(h, mark))
			break;
		first = ret;
	}
	be = h->r.be[k];
	if (ret < 0 || !be)
		fuzz_fail(h, "cannot recreate be%u: %d", k, ret);
	if (iofd_backend_users(be) != 0 || iofd_backend_fd(be) != fd)
		fuzz_fail(h, "new be%u has %u users and fd %d", k,
			  iofd_backend_users(be), iofd_backend_fd(be));
	return first;
}

/* unmap-all on the scratch IOAS: empties it, and says how much went. */
static int fuzz_op_unmap_all(struct fuzz_state *h, const struct op *op)
{
	unsigned int k = op->be.be, i;
	struct fuzz_scratch *sc = &h->scratch[k];
	uint64_t unmapped = 0, want = 0;
	unsigned long mark;
	int ret;

	ret = oprun_scratch_get(&h->r, k);
	if (ret < 0)
		return ret;
	for (i = 0; i < sc->shadow.count; i++)
		want += sc->shadow.a[i].length;
	mark = fuzz_mark(h);
	/* Nothing to count in an empty IOAS: the count may be NULL. */
	ret = oprun_unmap_all(&h->r, k, want ? &unmapped : NULL);
	if (fuzz_hit(h, mark))
		return ret;
	/* A fault-kind plan fails calls uncounted: only its errno is news. */
	if (ret < 0 && h->every_errno && ret == -h->every_errno)
		return ret;
	/* Unlike a ranged unmap, unmap-all of nothing is 0 bytes and 0. */
	if (ret != 0 || unmapped != want)
		fuzz_fail(h, "unmap-all gave %d and %#" PRIx64 " bytes, the model says %#" PRIx64,
			  ret, unmapped, want);
	sc->shadow.count = 0;
	return ret;
}

/*
 * IOVA ranges of the scratch IOAS or of a container's IOAS: ascending,
 * disjoint, and for a container never wider than the aperture of its
 * narrowest device... the emulator decides; what is checked here is that
 * the answer is well formed, and that a container's view equals it right
 * after a refresh (the core refreshes on attach only).
 */
static int fuzz_op_ranges(struct fuzz_state *h, const struct op *op)
{
	struct oprun_ranges q;
	uint64_t align;
	size_t i;
	int ret;

	ret = oprun_ranges(&h->r, op, &q);
	if (ret)
		return ret;
	align = q.c ? iofd_container_iova_alignment(q.c) : q.align;
	if (align == 0 || (align & (align - 1)))
		fuzz_fail(h, "IOAS %u: IOVA alignment %#" PRIx64, q.ioas, align);
	for (i = 0; i < q.count; i++) {
		if (q.r[i].start > q.r[i].last ||
		    (i && q.r[i - 1].last >= q.r[i].start))
			fuzz_fail(h, "IOAS %u: range %zu [%#" PRIx64 ", %#" PRIx64 "] out of order",
				  q.ioas, i, q.r[i].start, q.r[i].last);
	}
	iofd_free(h->r.ctx, q.r);
	return 0;
}

/*
 * probe: one backend verb on object id 0, which never exists, without
 * taking a connection. An owned backend nobody is connected to must
 * refuse with -EBADF before any call; otherwise the kernel refuses (the
 * exact errno is the emulator's business). alloc-ioas succeeds when
 * connected; the IOAS is freed at once.
 */
static int fuzz_op_probe(struct fuzz_state *h, const struct op *op)
{
	struct iofd_backend *be = h->r.be[op->probe.be];
	bool unconnected = h->r.hfd[op->probe.be] < 0 &&
			   iofd_backend_users(be) == 0;
	unsigned long mark = fuzz_mark(h);
	const char *call;
	uint32_t id;
	int ret;

	ret = oprun_probe(&h->r, op, &id, &call);
	if (ret == FUZZ_SKIPPED)
		fuzz_fail(h, "probe verb %u out of range", op->probe.verb);
	if (unconnected && ret != -EBADF)
		fuzz_fail(h, "%s on an unconnected backend gave %d, not -EBADF",
			  call, ret);
	if (op->probe.verb == OP_PROBE_ALLOC_IOAS && ret == 0) {
		ret = oprun_free_id(&h->r, op->probe.be, id);
		if (ret < 0 && fuzz_clean(h, mark))
			fuzz_fail(h, "freeing the probe's IOAS %u failed with no fault",
				  id);
		return ret;
	}
	if (op->probe.verb != OP_PROBE_ALLOC_IOAS && ret == 0)
		fuzz_fail(h, "%s on object 0 succeeded", call);
	return ret;
}

/* ------------------------------------------------------------------ */
/* HWPT, hw info, dirty tracking                                       */

static int fuzz_op_hw_info(struct fuzz_state *h, const struct op *op)
{
	struct fuzz_dev *fd = &h->devs[op->hwpt.dev];
	struct iofd_hw_info info;
	unsigned long mark = fuzz_mark(h);
	int ret;

	ret = oprun_hw_info(&h->r, op, &info);
	if (ret == FUZZ_SKIPPED || ret < 0 || fuzz_hit(h, mark))
		return ret;
	if (!!(info.capabilities & IOMMU_HW_CAP_DIRTY_TRACKING) !=
	    fd->profile->dirty_tracking)
		fuzz_fail(h, "dev%u: hw info says dirty tracking %d, profile %s says %d",
			  op->hwpt.dev,
			  !!(info.capabilities & IOMMU_HW_CAP_DIRTY_TRACKING),
			  fd->profile->name, fd->profile->dirty_tracking);
	return 0;
}

/*
 * A HWPT the harness allocates for devN over its backend's scratch IOAS
 * (or over an id that is no IOAS), exercised and freed at once so the
 * scratch IOAS's model stays domain-free. Allocating with dirty tracking
 * succeeds only for a device whose IOMMU can track.
 */
/*
 * Destroy the HWPTs a fault-kind plan kept alive over beK's scratch IOAS,
 * before the IOAS itself goes (they hold it).
 */
static void fuzz_scratch_free_stale(void *priv, unsigned int k)
{
	struct fuzz_state *h = priv;
	struct fuzz_scratch *sc = &h->scratch[k];
	unsigned int i;

	for (i = 0; i < sc->nr_stale; i++)
		oprun_free_id(&h->r, k, sc->stale_hwpt[i]);
	sc->nr_stale = 0;
}

static int fuzz_op_hwpt(struct fuzz_state *h, const struct op *op)
{
	struct oprun_dev *od = oprun_attached(&h->r, op->hwpt.dev);
	struct fuzz_dev *fd = &h->devs[op->hwpt.dev];
	uint32_t hwpt;
	unsigned long mark;
	unsigned int tries, k;
	int ret, first = 0;

	if (!od)
		return FUZZ_SKIPPED;
	k = od->be;
	ret = oprun_scratch_get(&h->r, k);
	if (ret < 0)
		return ret;
	mark = fuzz_mark(h);
	ret = oprun_hwpt_alloc(&h->r, op, od, &hwpt);
	if (ret < 0)
		return ret;
	if (op->hwpt.bad_pt && fuzz_clean(h, mark))
		fuzz_fail(h, "a HWPT over id %u was allocated", OPRUN_BOGUS_ID);
	if (op->hwpt.dirty && !fd->profile->dirty_tracking)
		fuzz_fail(h, "a dirty-tracking HWPT for %s, which cannot track",
			  fd->profile->name);
	if (op->hwpt.dirty)
		oprun_hwpt_dirty(&h->r, k, hwpt);
	/*
	 * The HWPT holds the scratch IOAS: it must go. A fault may fail the
	 * first DESTROY; one-shot faults do not fire twice, so the harness
	 * tries again and reports the first failure.
	 */
	for (tries = 0; tries < 2; tries++) {
		mark = fuzz_mark(h);
		ret = oprun_free_id(&h->r, k, hwpt);
		if (ret == 0)
			break;
		if (fuzz_clean(h, mark))
			fuzz_fail(h, "freeing HWPT %u failed with no fault",
				  hwpt);
		if (!first)
			first = ret;
	}
	/* Still there (a fault-kind plan fails every DESTROY): free it later. */
	if (ret) {
		struct fuzz_scratch *sc = &h->scratch[k];

		if (sc->nr_stale < sizeof(sc->stale_hwpt) / sizeof(sc->stale_hwpt[0]))
			sc->stale_hwpt[sc->nr_stale++] = hwpt;
		else
			sc->stale_lost = true;
	}
	return first ? first : ret;
}

/*
 * Dirty tracking of the idx-th container of spaceM: on/off is all or
 * nothing and refused (EOPNOTSUPP) where a HWPT cannot track; a query
 * needs tracking on (EINVAL otherwise); mark is the emulated device
 * writing to the pages (when the emulator can say so).
 */
static int fuzz_op_dirty(struct fuzz_state *h, const struct op *op)
{
	uint64_t bitmap[1] = { 0 };
	struct iofd_container *c;
	uint64_t iova, len;
	bool before;
	int ret;

	ret = oprun_dirty_container(&h->r, op, &c);
	if (ret)
		return ret;
	before = iofd_container_dirty_tracking(c);
	iova = op_page_iova(OP_WINDOW_LOW, op->dirty.page);
	len = (uint64_t)op->dirty.npages * OP_PAGE_SIZE;

	switch (op->dirty.action) {
	case OP_DIRTY_ON:
	case OP_DIRTY_OFF:
		ret = oprun_dirty(&h->r, op, c, bitmap);
		if (!iofd_container_dirty_capable(c) && ret != -EOPNOTSUPP)
			fuzz_fail(h, "switching tracking where a HWPT cannot track gave %d",
				  ret);
		if (ret < 0 && iofd_container_dirty_tracking(c) != before)
			fuzz_fail(h, "a failed switch changed the tracking state");
		if (ret == 0 && iofd_container_dirty_tracking(c) !=
		    (op->dirty.action == OP_DIRTY_ON))
			fuzz_fail(h, "tracking switched to the wrong state");
		return ret;
	case OP_DIRTY_QUERY:
		ret = oprun_dirty(&h->r, op, c, bitmap);
		if (!before && ret != -EINVAL)
			fuzz_fail(h, "a query with tracking off gave %d, not -EINVAL",
				  ret);
		if (ret == 0 && (bitmap[0] >> op->dirty.npages))
			fuzz_fail(h, "the query set bits past its %u pages",
				  op->dirty.npages);
		return ret;
	case OP_DIRTY_MARK:
		return fuzz_dirty_mark(h, c, iova, len);
	}
	fuzz_fail(h, "dirty action %u out of range", op->dirty.action);
}

/* The dirty sink: only a region-del may flush, and only its region. */
static void fuzz_dirty_sink(void *arg, uint64_t iova, uint64_t size,
			    uint64_t page_size, const uint64_t *bitmap)
{
	struct fuzz_state *h = arg;

	if (!h->flush_armed)
		fuzz_fail(h, "dirty bits flushed outside a region removal");
	if (iova != h->flush_want.iova || size != h->flush_want.size ||
	    page_size == 0 || !bitmap)
		fuzz_fail(h, "flushed [%#" PRIx64 ", +%#" PRIx64 ") while removing [%#" PRIx64 ", +%#" PRIx64 ")",
			  iova, size, h->flush_want.iova, h->flush_want.size);
	h->flushes++;
}

/* ------------------------------------------------------------------ */
/* KVM, discard, faults by kind                                        */

/*
 * Open /dev/kvm, create a VM and its kvm-vfio device, as a VMM does before
 * it hands devices to KVM. Straight to the emulator: these are the
 * harness's calls, not the core's, so no fault or count applies.
 */
static void fuzz_kvm_open(struct fuzz_state *h)
{
	const struct iofd_host_ops *ops = h->emu_h.ops;
	void *priv = h->emu_h.priv;
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	int ret;

	h->kvm_fd = ops->open(priv, "/dev/kvm", O_RDWR | O_CLOEXEC);
	if (h->kvm_fd < 0)
		fuzz_fail(h, "cannot open the emulator's /dev/kvm: %d",
			  h->kvm_fd);
	h->vm_fd = ops->ioctl(priv, h->kvm_fd, KVM_CREATE_VM, NULL);
	if (h->vm_fd < 0)
		fuzz_fail(h, "KVM_CREATE_VM: %d", h->vm_fd);
	ret = ops->ioctl(priv, h->vm_fd, KVM_CREATE_DEVICE, &cd);
	if (ret < 0)
		fuzz_fail(h, "KVM_CREATE_DEVICE(VFIO): %d", ret);
	h->kvm_dev = (int)cd.fd;
}

/*
 * Close the KVM fds, last one first. Once the VM goes, its kvm-vfio device
 * drops every VFIO file it still holds (one a failed FILE_DEL left), so
 * their devices unbind and their contexts can go.
 */
static void fuzz_kvm_close(struct fuzz_state *h)
{
	int *fds[] = { &h->kvm_dev, &h->vm_fd, &h->kvm_fd };
	unsigned int i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0 && h->emu_h.ops->close(h->emu_h.priv,
							 *fds[i]))
			fuzz_fail(h, "closing KVM fd %d failed", *fds[i]);
		*fds[i] = -1;
	}
}

/*
 * kvm on hands the ctx the emulator's kvm-vfio device, off takes it away,
 * bogus gives an fd that is no kvm-vfio device: every attach must then
 * fail at the registration.
 */
static int fuzz_op_kvm(struct fuzz_state *h, const struct op *op)
{
	if (op->mode.mode == OP_KVM_ON && h->kvm_dev < 0)
		fuzz_kvm_open(h);
	switch (op->mode.mode) {
	case OP_KVM_ON:
		h->kvm_set = h->kvm_dev;
		break;
	case OP_KVM_OFF:
		h->kvm_set = -1;
		break;
	default:
		h->kvm_set = FUZZ_BOGUS_FD;
		break;
	}
	iofd_ctx_set_kvm_vfio(h->r.ctx, h->kvm_set);
	return 0;
}

static int fuzz_op_discard(struct fuzz_state *h, const struct op *op)
{
	bool require = op->mode.mode == 0;
	unsigned int disablers = iofd_ctx_discard_disablers(h->r.ctx);
	unsigned int required = h->r.discard_required;
	int ret;

	ret = oprun_discard(&h->r, op);
	if (require && (disablers ? ret != -EBUSY : ret != 0))
		fuzz_fail(h, "requiring discard with %u disablers gave %d",
			  disablers, ret);
	if (!require && (required ? ret != 0 : ret != -EINVAL))
		fuzz_fail(h, "releasing discard required %u times gave %d",
			  required, ret);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Setup, the op loop, teardown                                        */

static int fuzz_run_op(struct fuzz_state *h, const struct op *op)
{
	switch (op->code) {
	case OP_DEVICE:
		return fuzz_op_device(h, op);
	case OP_SPACE:
		return fuzz_op_space(h);
	case OP_ATTACH:
	case OP_ATTACH_CFG:
		return fuzz_attach_common(h, op);
	case OP_DETACH:
		return fuzz_op_detach(h, op);
	case OP_REGION_ADD:
		return fuzz_op_region_add(h, op);
	case OP_REGION_DEL:
		return fuzz_op_region_del(h, op);
	case OP_MAP:
	case OP_UNMAP:
		return fuzz_op_map(h, op);
	case OP_FAULT:
		return fuzz_op_fault(h, op);
	case OP_CONNECT:
		return fuzz_op_connect(h, op);
	case OP_DISCONNECT:
		return fuzz_op_disconnect(h, op);
	case OP_BACKEND:
		return fuzz_op_backend(h, op);
	case OP_UNMAP_ALL:
		return fuzz_op_unmap_all(h, op);
	case OP_RANGES:
		return fuzz_op_ranges(h, op);
	case OP_PROBE:
		return fuzz_op_probe(h, op);
	case OP_HW_INFO:
		return fuzz_op_hw_info(h, op);
	case OP_HWPT:
		return fuzz_op_hwpt(h, op);
	case OP_DIRTY:
		return fuzz_op_dirty(h, op);
	case OP_KVM:
		return fuzz_op_kvm(h, op);
	case OP_DISCARD:
		return fuzz_op_discard(h, op);
	case OP_FAULT_KIND:
		return fuzz_op_fault_kind(h, op);
	case OP_FAULT_ALLOC:
		return fuzz_op_fault_alloc(h, op);
	case OP_ERRORS:
		/* A caller that passes no error object takes no dirty bits. */
		h->null_err = op->mode.mode == 0;
		iofd_ctx_set_dirty_sink(h->r.ctx, h->null_err ? NULL :
					fuzz_dirty_sink, h);
		return 0;
	case OP_LEAVE:
		h->leaving = true;
		return 0;
	case OP_COUNT:
		break;
	}
	fuzz_fail(h, "opcode %d out of range", (int)op->code);
}

/*
 * With -v: an op's line before it runs (its trace events follow).
 * Formatted only then: teardown logs a line per device.
 */
__attribute__((format(printf, 2, 3)))
static void fuzz_log_op(struct fuzz_state *h, const char *fmt, ...)
{
	va_list ap;

	if (!h->o->verbose)
		return;
	va_start(ap, fmt);
	vfprintf(h->log, fmt, ap);
	va_end(ap);
	fputc('\n', h->log);
}

/* With -v: what the op gave, and whether an armed fault fired in it. */
static void fuzz_log_result(struct fuzz_state *h, int ret, bool fired)
{
	const char *mark = fired ? "  [fault fired]" : "";

	if (!h->o->verbose)
		return;
	if (ret == FUZZ_SKIPPED)
		fprintf(h->log, "    -> skip (%s)\n", h->r.skip_why);
	else if (ret < 0)
		fprintf(h->log, "    -> -%s: %s%s\n", fuzz_errname(-ret),
			h->err.msg, mark);
	else
		fprintf(h->log, "    -> 0%s\n", mark);
}

/*
 * The trace sink, always set: every event must be of a known kind, a FAIL
 * must say what failed and with which errno. With -v the events go to the
 * log under each op.
 */
static void fuzz_trace(void *arg, const struct iofd_trace_event *ev)
{
	struct fuzz_state *h = arg;

	h->traces++;
	if ((unsigned int)ev->kind >= IOFD_TRACE_KIND_COUNT ||
	    strcmp(iofd_trace_kind_name(ev->kind), "?") == 0)
		fuzz_fail(h, "trace event of kind %d", (int)ev->kind);
	if (ev->kind == IOFD_TRACE_FAIL &&
	    (!ev->what || ev->errnum <= 0 || ev->errnum > 4095))
		fuzz_fail(h, "FAIL trace event without a step or errno (%d)",
			  ev->errnum);
	if (ev->kind == IOFD_TRACE_FAIL && strncmp(ev->what, "undo ", 5) == 0) {
		if (h->region_space < 0)
			fuzz_fail(h, "a region undo failed outside a region op");
		h->diverged[h->region_space] = true;
	}
	if (!h->o->verbose)
		return;

	fprintf(h->log, "      trace %-10s", iofd_trace_kind_name(ev->kind));
	if (ev->device)
		fprintf(h->log, " %s", ev->device);
	if (ev->what)
		fprintf(h->log, " %s", ev->what);
	fprintf(h->log, " fd %d id %u id2 %u iova %#" PRIx64 " size %#" PRIx64,
		ev->fd, ev->id, ev->id2, ev->iova, ev->size);
	if (ev->errnum)
		fprintf(h->log, " -%s", fuzz_errname(ev->errnum));
	fprintf(h->log, "\n");
}

/*
 * The contracts of the calls a program cannot vary: contexts need a host
 * and an out pointer, an allocator needs both functions and no object
 * yet, NULL restores libc, trace kinds out of range are "?", and the error
 * helpers accept NULL and leave an unset error alone. Checked once per
 * process: no input changes their outcome and no fault reaches them (the
 * scratch context talks to the bare emulator).
 */
static bool fuzz_api_checked;

static void fuzz_check_api(struct fuzz_state *h, const struct iofd_host *host)
{
	static const struct iofd_alloc_ops half = {
		.realloc = oprun_alloc_realloc,
	};
	static const struct iofd_alloc_ops other_half = {
		.free = oprun_alloc_free,
	};
	struct iofd_backend *be = NULL;
	struct iofd_space *space = NULL;
	const struct iofd_host no_ops = { .ops = NULL };
	struct iofd_ctx *ctx = NULL;
	struct iofd_error e;

	if (iofd_ctx_create(NULL, &ctx, NULL) != -EINVAL ||
	    iofd_ctx_create(&no_ops, &ctx, NULL) != -EINVAL ||
	    iofd_ctx_create(host, NULL, NULL) != -EINVAL || ctx)
		fuzz_fail(h, "iofd_ctx_create accepted a missing host or out");
	if (iofd_ctx_set_alloc(h->r.ctx, &oprun_alloc_ops, &h->alloc) != -EBUSY)
		fuzz_fail(h, "allocator changed while objects exist");
	if (iofd_ctx_set_alloc(h->fctx, &half, NULL) != -EBUSY ||
	    iofd_ctx_set_alloc(h->fctx, NULL, NULL) != -EBUSY)
		fuzz_fail(h, "allocator of the other context changed");
	if (iofd_ctx_create(host, &ctx, NULL) != 0)
		fuzz_fail(h, "cannot create a scratch context");
	if (iofd_ctx_set_alloc(ctx, &half, NULL) != -EINVAL ||
	    iofd_ctx_set_alloc(ctx, &other_half, NULL) != -EINVAL ||
	    iofd_ctx_set_alloc(ctx, &oprun_alloc_ops, &h->alloc) != 0 ||
	    iofd_ctx_set_alloc(ctx, NULL, NULL) != 0)
		fuzz_fail(h, "iofd_ctx_set_alloc broke its contract");
	if (iofd_space_create(ctx, &space, NULL) != 0 ||
	    iofd_ctx_set_alloc(ctx, NULL, NULL) != -EBUSY)
		fuzz_fail(h, "allocator changed while a space exists");
	/* A context without a trace sink: its events go nowhere. */
	if (iofd_backend_create(ctx, &be, NULL) != 0 ||
	    iofd_backend_connect(be, NULL) != 0)
		fuzz_fail(h, "cannot connect a scratch backend");
	iofd_backend_disconnect(be);
	iofd_ctx_destroy(ctx);
	iofd_ctx_destroy(NULL);
	if (strcmp(iofd_trace_kind_name(IOFD_TRACE_KIND_COUNT), "?") != 0)
		fuzz_fail(h, "an unknown trace kind has a name");
	iofd_error_clear(NULL);
	iofd_error_prepend(NULL, "x");
	iofd_error_clear(&e);
	iofd_error_prepend(&e, "x");
	if (e.errnum != 0 || e.msg[0] != '\0')
		fuzz_fail(h, "prepending to an unset error set it");
}

/* oprun's hooks: every core call it makes is checked like the harness's. */
static struct iofd_error *fuzz_oprun_err(void *priv)
{
	return fuzz_err(priv);
}

static void fuzz_oprun_called(void *priv, const char *call, int ret)
{
	fuzz_check_call(priv, call, ret);
}

static const struct oprun_hooks fuzz_oprun_hooks = {
	.err = fuzz_oprun_err,
	.called = fuzz_oprun_called,
	.scratch_new = fuzz_scratch_new,
	.scratch_put = fuzz_scratch_free_stale,
};

_Static_assert(FUZZ_ARENA_SPAN == OPRUN_ARENA_SPAN, "one arena rule");

/*
 * Set up the machine: emulator, the host stack (core -> log -> fault plan
 * -> emulator), context, two owned backends, and a second
 * context with one space and one backend that the first must never touch.
 */
static int fuzz_setup(struct fuzz_state *h)
{
	struct iofd_host fault_h, log_h;
	unsigned int k;
	int ret;

	oprun_init(&h->r, &fuzz_oprun_hooks, h);
	h->r.bad_flag = FUZZ_BAD_DEVICE_FLAG;
	h->kvm_set = -1;
	h->kvm_fd = h->vm_fd = h->kvm_dev = -1;
	h->region_space = -1;
	if (h->o->arena) {
		h->arena = h->o->arena;
	} else {
		h->arena = aligned_alloc(OP_PAGE_SIZE, FUZZ_ARENA_SIZE);
		if (!h->arena)
			return -ENOMEM;
		h->own_arena = true;
	}
	h->r.arena = h->arena;
	ret = emu_create(&h->emu);
	if (ret < 0)
		return ret;
	/*
	 * The harness runs under ASan: a wild pointer the core hands the
	 * model is caught where the model dereferences it, so the model need
	 * not probe each user copy with a system call (STRICT), which would
	 * cost most of an execution. (Pinning still reads the memory map.)
	 */
	emu_uaccess_set(h->emu, EMU_UACCESS_TRUSTED);
	/*
	 * Regions only ever use the arena, which stays mapped read-write
	 * while the program runs: one memory-map snapshot serves every
	 * input instead of a /proc/self/maps read per MAP.
	 */
	emu_mm_cache_set(true);
	emu_host(h->emu, &h->emu_h);
	h->r.raw = h->emu_h;
	ret = emu_fault_create(&h->emu_h, &h->fault);
	if (ret < 0)
		return ret;
	emu_fault_host(h->fault, &fault_h);
	fuzz_log_host_init(&h->logw, &fault_h, h->o->verbose ? h->log : NULL,
			   &log_h);
	h->logw.fault = h->fault;

	h->step = "setup";
	ret = iofd_ctx_create(&log_h, &h->r.ctx, fuzz_err(h));
	fuzz_check_call(h, "iofd_ctx_create", ret);
	if (ret < 0)
		fuzz_fail(h, "cannot create a context");
	ret = iofd_ctx_set_alloc(h->r.ctx, &oprun_alloc_ops, &h->alloc);
	if (ret < 0)
		fuzz_fail(h, "cannot set the allocator: %d", ret);
	iofd_ctx_set_trace(h->r.ctx, fuzz_trace, h);
	iofd_ctx_set_dirty_sink(h->r.ctx, fuzz_dirty_sink, h);
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		ret = iofd_backend_create(h->r.ctx, &h->r.be[k], fuzz_err(h));
		fuzz_check_call(h, "iofd_backend_create", ret);
		if (ret < 0)
			fuzz_fail(h, "cannot create be%u", k);
	}

	ret = iofd_ctx_create(&h->emu_h, &h->fctx, fuzz_err(h));
	if (ret == 0)
		ret = iofd_space_create(h->fctx, &h->fspace, fuzz_err(h));
	if (ret == 0)
		ret = iofd_backend_create(h->fctx, &h->fbe, fuzz_err(h));
	if (ret < 0)
		fuzz_fail(h, "cannot create the other context: %d", ret);
	if (!fuzz_api_checked) {
		fuzz_check_api(h, &h->emu_h);
		fuzz_api_checked = true;
	}

	/*
	 * The sweep point is armed last: the program's calls and allocations
	 * are counted, the harness's setup is not.
	 */
	if (h->o->sweep_nth && h->o->sweep_alloc) {
		fuzz_alloc_arm(h, h->o->sweep_nth);
		h->sweep_pending = true;
	} else if (h->o->sweep_nth) {
		h->armed_errno = h->o->sweep_errno;
		emu_fault_fail_nth(h->fault, h->o->sweep_nth, h->armed_errno);
		h->sweep_pending = true;
	}
	return 0;
}

/*
 * After teardown: KVM lists no VFIO file (unless a fault left one behind,
 * which the kvm-vfio device drops when the VM goes), and once the harness
 * has closed its KVM fds the emulator holds no fd, file, context, object,
 * pinned page or KVM state.
 */
static void fuzz_check_empty(struct fuzz_state *h)
{
	struct emu_counters cnt;

	h->step = "leak check";
	fuzz_mark(h);	/* a fault in the teardown counts as fired */
	emu_counters_get(h->emu, &cnt);
	if (cnt.kvm_vfio_files && !h->ever_fired)
		fuzz_fail(h, "KVM still lists %u VFIO files after teardown",
			  cnt.kvm_vfio_files);
	fuzz_kvm_close(h);
	emu_counters_get(h->emu, &cnt);
	if (cnt.fds || cnt.files || cnt.contexts || cnt.objects ||
	    cnt.pinned_pages || cnt.kvm_vms || cnt.kvm_devices ||
	    cnt.kvm_vfio_files)
		fuzz_fail(h, "emulator not empty after teardown: %u fds, %u files, %u contexts, %u objects, %" PRIu64 " pinned pages, %u VMs, %u kvm-vfio devices, %u VFIO files in KVM",
			  cnt.fds, cnt.files, cnt.contexts, cnt.objects,
			  cnt.pinned_pages, cnt.kvm_vms, cnt.kvm_devices,
			  cnt.kvm_vfio_files);
}

/*
 * The leave teardown: iofd_ctx_destroy alone takes down every device,
 * space, connection and backend the program left, as a VMM exiting
 * without cleaning up would. Then the harness closes what it owns.
 */
static void fuzz_teardown_by_ctx(struct fuzz_state *h)
{
	unsigned int j, k;

	h->cur = h->prog.count;
	fuzz_log_op(h, "teardown: iofd_ctx_destroy");
	h->step = "iofd_ctx_destroy";
	iofd_ctx_destroy(h->r.ctx);
	h->r.ctx = NULL;
	for (j = 0; j < h->r.ndevs; j++)
		h->r.devs[j].dev = NULL;
	h->r.nspaces = 0;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		h->r.be[k] = NULL;
		h->r.scratch[k].allocated = false;
		h->r.conns[k] = 0;
		fuzz_hfd_close(h, k);
	}
	iofd_ctx_destroy(h->fctx);
	h->fctx = NULL;
	fuzz_note_sweep(h);
	fuzz_check_empty(h);
}

/*
 * Undo everything in the documented order and prove the emulator is empty.
 * Faults may still fire here (a sweep point or an op's fault that has not
 * fired yet): every step must still release what it holds.
 */
static void fuzz_teardown(struct fuzz_state *h)
{
	unsigned int j, k;
	unsigned long mark;
	int ret;

	h->cur = h->prog.count;
	for (j = 0; j < h->r.ndevs; j++) {
		if (!h->r.devs[j].dev)
			continue;
		fuzz_log_op(h, "teardown: detach dev%u", j);
		h->step = "detach";
		mark = fuzz_mark(h);
		ret = oprun_detach(&h->r, j);
		if (ret < 0 && fuzz_detach_must_work(h, mark, ret))
			fuzz_fail(h, "detach of dev%u failed with no fault injected",
				  j);
		fuzz_log_result(h, ret, fuzz_hit(h, mark));
		fuzz_note_sweep(h);
		fuzz_check_all(h);
		if (h->leaving)
			break;
	}

	h->step = "destroy spaces";
	for (j = 0; j < h->r.nspaces; j++) {
		ret = iofd_space_destroy(h->r.spaces[j]);
		if (ret)
			fuzz_fail(h, "space%u with no device left: destroy gave %d",
				  j, ret);
		h->r.spaces[j] = NULL;
	}
	h->r.nspaces = 0;

	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		struct fuzz_scratch *sc = &h->scratch[k];

		h->step = "free scratch IOAS";
		if (h->r.scratch[k].allocated) {
			fuzz_log_op(h, "teardown: free scratch IOAS of be%u", k);
			mark = fuzz_mark(h);
			/* Its stale HWPTs go first (scratch_put). */
			ret = oprun_scratch_free(&h->r, k);
			if (ret < 0 && fuzz_clean(h, mark) && !sc->stale_lost)
				fuzz_fail(h, "freeing scratch IOAS %u failed with no fault injected",
					  h->r.scratch[k].ioas);
			fuzz_log_result(h, ret, fuzz_hit(h, mark));
			sc->stale_lost = false;
		}
		h->step = "disconnect";
		oprun_conns_drop(&h->r, k);
	}
	fuzz_note_sweep(h);
	fuzz_check_backends(h);

	h->step = "destroy backends";
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		ret = iofd_backend_destroy(h->r.be[k]);
		if (ret)
			fuzz_fail(h, "be%u with no user: destroy gave %d", k,
				  ret);
		h->r.be[k] = NULL;
		/* A handed-in iommufd is the caller's to close, after. */
		fuzz_hfd_close(h, k);
	}
	iofd_ctx_destroy(h->r.ctx);
	h->r.ctx = NULL;
	iofd_ctx_destroy(h->fctx);
	h->fctx = NULL;
	fuzz_note_sweep(h);

	fuzz_check_empty(h);
}

/* Free what fuzz_setup made; safe on a partial setup. */
static void fuzz_release(struct fuzz_state *h)
{
	iofd_ctx_destroy(h->r.ctx);
	iofd_ctx_destroy(h->fctx);
	if (h->fault)
		emu_fault_destroy(h->fault);
	emu_destroy(h->emu);
	if (h->own_arena)
		free(h->arena);
}

int fuzz_attach_run(const uint8_t *data, size_t size,
		    const struct fuzz_opts *o)
{
	/*
	 * On the stack: a 7 KiB heap block per input would be fresh memory
	 * each time under ASan's quarantine (a page fault and a fill).
	 */
	struct fuzz_state state = { 0 }, *h = &state;
	unsigned int i;
	int ret;

	h->o = o;
	h->log = o->log ? o->log : stdout;
	op_program_decode(data, size, &h->prog);
	h->cur = h->prog.count;

	ret = fuzz_setup(h);
	if (ret < 0)
		goto out_release;

	if (o->verbose) {
		fprintf(h->log, "program (%u ops):\n", h->prog.count);
		op_program_to_text(&h->prog, h->log, true);
		fprintf(h->log, "run:\n");
	}
	for (i = 0; i < h->prog.count; i++) {
		const struct op *op = &h->prog.ops[i];
		unsigned long mark = fuzz_mark(h);

		h->cur = i;
		h->r.skip_why = NULL;
		if (o->verbose) {
			char line[128];

			op_to_text(op, line, sizeof(line));
			fprintf(h->log, "#%-2u %s\n", i, line);
		}
		ret = fuzz_run_op(h, op);
		fuzz_log_result(h, ret, fuzz_hit(h, mark));
		fuzz_note_sweep(h);
		fuzz_check_all(h);
		if (h->leaving)
			break;
	}

	if (h->leaving)
		fuzz_teardown_by_ctx(h);
	else
		fuzz_teardown(h);
	fuzz_note_sweep(h);
	ret = (o->sweep_nth && h->sweep_fired) ? FUZZ_SWEEP_FIRED : 0;

out_release:
	fuzz_release(h);
	return ret;
}
