/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach: drive libiofd with an op-sequence program over the emulator
 * and prove after every op that the core and the emulator agree.
 *
 * Per input: a fresh emulator, a fault plan wrapped over its host, an iofd
 * context over the fault plan's host and two backends be0/be1 (nothing
 * opened yet). Nothing survives the input: no global state, no time, no
 * randomness, so an input replays the same way in every engine.
 *
 * What an op means here (the grammar is in op.h):
 *   device     emu_device_add: devN is the N-th device added (at most 8),
 *              PCI address 0000:00:(N+3).0.
 *   space      iofd_space_create: spaceM is the M-th space (at most 4).
 *   attach     iofd_device_attach of devN, named "devN", into spaceM with
 *              beK. Attaching an attached device again is tried too: the
 *              kernel refuses a second bind, so it must fail cleanly.
 *   detach     iofd_device_detach of devN.
 *   region-add iofd_space_region_add at the page's IOVA (op.h: window +
 *              page * 4K), npages * 4K long, backed by arena page
 *              (page % 64).
 *   region-del iofd_space_region_del of the idx-th region of the space;
 *              past the last region, of the bogus [idx * 4K, +4K).
 *   map/unmap  iofd_backend_map/unmap on a scratch IOAS of beK (the first
 *              such op connects beK and allocates it), read-write, with the
 *              same page -> IOVA and arena rule as region-add.
 *   fault      emu_fault_fail_nth(nth, errno): fail the nth host call from
 *              now on.
 * An op whose object does not exist (devN never added, spaceM not
 * created, ...) is skipped: it makes no call.
 *
 * The invariants, checked after every op and every teardown step:
 *   (a) a failing core call returns -errno and fills the iofd_error with
 *       that errno and a message; a successful one leaves a pre-filled
 *       sentinel error byte for byte untouched;
 *   (b) every container of every space has at least one device, a
 *       connected backend of ours and an IOAS no other container uses, and
 *       the emulator's areas in that IOAS are exactly the space's regions
 *       (iova, size, user address, writeable == !readonly);
 *   (c) every device of a container is one the harness attached into that
 *       space with that backend, and the emulator sees it bound with the
 *       core's devid and attached to the core's HWPT, whose IOAS is the
 *       container's; its info is its profile's;
 *   (d) each scratch IOAS holds exactly what a shadow model of raw
 *       map/unmap predicts, and when no fault fired a raw map/unmap
 *       returned what the model says the kernel returns;
 *   (e) a backend's user count is its attached devices plus the scratch
 *       connection, and it has an fd exactly while it has users;
 *   (f) a failed attach or region op changed nothing the core shows; a
 *       detach, or a region-del of an existing region, with no fault fired
 *       succeeds.
 * Teardown detaches every device, destroys the spaces, frees the scratch
 * IOASes, disconnects and destroys the backends and the context, and then
 * the emulator must hold no fd, context, object or pinned page.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <emu/emu.h>
#include <iofd/iofd.h>

#include "harness.h"

#define FUZZ_SKIPPED		1	/* an op's result: it made no call */
#define FUZZ_PATH_MAX		128
#define FUZZ_MAX_AREAS		(OP_MAX + 1)
#define FUZZ_MAX_REGIONS	OP_MAX
/* Written into every iofd_error before a call; success must keep it. */
#define FUZZ_SENTINEL_ERRNUM	0x5e5e
#define FUZZ_SENTINEL_BYTE	0xa5

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

struct fuzz_dev {
	const struct emu_profile *profile;
	char path[FUZZ_PATH_MAX];
	struct iofd_device *dev;	/* NULL while not attached */
	unsigned int space;		/* valid while attached */
	unsigned int be;
};

/*
 * The raw-map playground of one backend: a connection and an IOAS the
 * harness owns, and the model of what that IOAS holds (ascending, disjoint).
 */
struct fuzz_scratch {
	bool connected;
	bool allocated;
	uint32_t ioas;
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
	struct iofd_ctx *ctx;
	struct iofd_backend *be[OP_MAX_BACKENDS];
	struct iofd_space *spaces[OP_MAX_SPACES];
	unsigned int nspaces;
	struct fuzz_dev devs[OP_MAX_DEVICES];
	unsigned int ndevs;
	struct fuzz_scratch scratch[OP_MAX_BACKENDS];

	/* The sweep fault is armed and has not fired yet. */
	bool sweep_pending;
	bool sweep_fired;
	/* The errno of the fault last armed (sweep or fault op). */
	int armed_errno;

	/* The last call's error and why an op was skipped, for -v. */
	struct iofd_error err;
	const char *skip_why;
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
	if (h->o->sweep_nth)
		fprintf(stderr,
			"fuzz_attach: sweep point: host call %lu fails with %s (%s)\n",
			h->o->sweep_nth, fuzz_errname(h->o->sweep_errno),
			h->sweep_fired ? "fired" : "not fired yet");
	fprintf(stderr, "fuzz_attach: program (%u ops):\n", h->prog.count);
	op_program_to_text(&h->prog, stderr, true);
	fflush(stderr);
	abort();
}

/* ------------------------------------------------------------------ */
/* (a) the error contract                                              */

static void fuzz_sentinel(struct iofd_error *err)
{
	memset(err, FUZZ_SENTINEL_BYTE, sizeof(*err));
	err->errnum = FUZZ_SENTINEL_ERRNUM;
	snprintf(err->msg, sizeof(err->msg), "sentinel");
}

/* Arm h->err with the sentinel and return it, for the next core call. */
static struct iofd_error *fuzz_err(struct fuzz_state *h)
{
	fuzz_sentinel(&h->err);
	return &h->err;
}

/* Check the result @ret of the core call @call against h->err. */
static void fuzz_check_call(struct fuzz_state *h, const char *call, int ret)
{
	struct iofd_error sentinel;

	if (ret >= 0) {
		fuzz_sentinel(&sentinel);
		if (memcmp(&sentinel, &h->err, sizeof(sentinel)) != 0)
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

	memset(out, 0, sizeof(*out));
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

	memset(out, 0, sizeof(*out));
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
		if (h->be[k] == be)
			return (int)k;
	return -1;
}

static int fuzz_dev_slot(struct fuzz_state *h, const struct iofd_device *d)
{
	unsigned int j;

	for (j = 0; j < h->ndevs; j++)
		if (h->devs[j].dev == d)
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
	if (h->devs[slot].space != si || (int)h->devs[slot].be != k)
		fuzz_fail(h, "dev%d sits in space%u be%d, attached to space%u be%u",
			  slot, si, k, h->devs[slot].space, h->devs[slot].be);
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
	size_t j, ndev = iofd_container_device_count(c);
	int k = fuzz_backend_index(h, iofd_container_backend(c));
	int fd;

	if (k < 0)
		fuzz_fail(h, "a container of space%u has a foreign backend", si);
	fd = iofd_backend_fd(h->be[k]);
	if (fd < 0)
		fuzz_fail(h, "a container of space%u uses be%d, which has no fd",
			  si, k);
	if (ndev == 0)
		fuzz_fail(h, "container IOAS %u of space%u has no device left",
			  iofd_container_ioas(c), si);

	fuzz_emu_areas(h, fd, iofd_container_ioas(c), &got);
	if (!fuzz_areas_equal(&got, want)) {
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

	for (si = 0; si < h->nspaces; si++) {
		struct iofd_space *s = h->spaces[si];

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

		if (!sc->allocated)
			continue;
		fuzz_emu_areas(h, iofd_backend_fd(h->be[k]), sc->ioas, &got);
		if (!fuzz_areas_equal(&got, &sc->shadow)) {
			fuzz_print_areas("shadow", &sc->shadow);
			fuzz_print_areas("emulator areas", &got);
			fuzz_fail(h, "scratch IOAS %u of be%u differs from its shadow",
				  sc->ioas, k);
		}
	}
}

/* (e): connections of each backend. */
static void fuzz_check_backends(struct fuzz_state *h)
{
	unsigned int users[OP_MAX_BACKENDS] = { 0 };
	unsigned int j, k;

	for (j = 0; j < h->ndevs; j++)
		if (h->devs[j].dev)
			users[h->devs[j].be]++;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		if (h->scratch[k].connected)
			users[k]++;
		if (iofd_backend_users(h->be[k]) != users[k])
			fuzz_fail(h, "be%u has %u users, expected %u", k,
				  iofd_backend_users(h->be[k]), users[k]);
		if ((iofd_backend_fd(h->be[k]) >= 0) != (users[k] > 0))
			fuzz_fail(h, "be%u has fd %d with %u users", k,
				  iofd_backend_fd(h->be[k]), users[k]);
	}
}

static void fuzz_check_all(struct fuzz_state *h)
{
	unsigned int si, j, attached[OP_MAX_SPACES] = { 0 };
	size_t ci, found;

	for (j = 0; j < h->ndevs; j++)
		if (h->devs[j].dev)
			attached[h->devs[j].space]++;

	for (si = 0; si < h->nspaces; si++) {
		struct iofd_space *s = h->spaces[si];
		struct fuzz_areas want;
		size_t nc = iofd_space_container_count(s);

		fuzz_space_areas(h, s, &want);
		for (j = 1; j < want.count; j++)
			if (want.a[j - 1].iova + want.a[j - 1].length >
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
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */

static bool fuzz_fired(struct fuzz_state *h)
{
	return emu_fault_fired(h->fault);
}

/* Once the sweep fault has fired, the program's fault ops take over. */
static void fuzz_note_sweep(struct fuzz_state *h)
{
	if (h->sweep_pending && fuzz_fired(h)) {
		h->sweep_pending = false;
		h->sweep_fired = true;
	}
}

static int fuzz_op_fault(struct fuzz_state *h, const struct op *op)
{
	if (h->sweep_pending) {
		h->skip_why = "the sweep owns the fault plan";
		return FUZZ_SKIPPED;
	}
	h->armed_errno = op_errno_value(op->fault.err);
	emu_fault_fail_nth(h->fault, op->fault.nth, h->armed_errno);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Ops                                                                 */

static int fuzz_op_device(struct fuzz_state *h, const struct op *op)
{
	struct fuzz_dev *slot = &h->devs[h->ndevs];
	char bdf[32];
	int ret;

	if (h->ndevs == OP_MAX_DEVICES) {
		h->skip_why = "all 8 devices added";
		return FUZZ_SKIPPED;
	}
	slot->profile = emu_profile_get(op->device.profile);
	if (!slot->profile)
		fuzz_fail(h, "emulator has no profile %u", op->device.profile);
	snprintf(bdf, sizeof(bdf), "0000:00:%02x.0", h->ndevs + 3);
	ret = emu_device_add(h->emu, slot->profile, bdf,
			     (enum emu_sysfs_variant)op->device.variant,
			     slot->path, sizeof(slot->path));
	if (ret != (int)h->ndevs)
		fuzz_fail(h, "emu_device_add gave %d for device %u", ret,
			  h->ndevs);
	h->ndevs++;
	return 0;
}

static int fuzz_op_space(struct fuzz_state *h)
{
	struct iofd_space *s = NULL;
	int ret;

	if (h->nspaces == OP_MAX_SPACES) {
		h->skip_why = "all 4 spaces created";
		return FUZZ_SKIPPED;
	}
	ret = iofd_space_create(h->ctx, &s, fuzz_err(h));
	fuzz_check_call(h, "iofd_space_create", ret);
	if (ret == 0) {
		if (!s)
			fuzz_fail(h, "iofd_space_create gave no space");
		h->spaces[h->nspaces++] = s;
	}
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

static int fuzz_op_attach(struct fuzz_state *h, const struct op *op)
{
	unsigned int n = op->attach.dev, m = op->attach.space;
	unsigned int k = op->attach.be;
	struct fuzz_containers before, after;
	struct iofd_device *d = NULL;
	struct iofd_container *c;
	bool again;
	char name[16];
	int ret;

	if (n >= h->ndevs) {
		h->skip_why = "no such device";
		return FUZZ_SKIPPED;
	}
	if (m >= h->nspaces) {
		h->skip_why = "no such space";
		return FUZZ_SKIPPED;
	}
	again = h->devs[n].dev != NULL;
	snprintf(name, sizeof(name), "dev%u", n);
	fuzz_snap_containers(h, h->spaces[m], &before);

	ret = iofd_device_attach(h->ctx, name, h->devs[n].path, h->spaces[m],
				 h->be[k], &d, fuzz_err(h));
	fuzz_check_call(h, "iofd_device_attach", ret);
	fuzz_snap_containers(h, h->spaces[m], &after);
	if (ret < 0) {
		/* (f) a failed attach leaves the space as it was. */
		if (memcmp(&before, &after, sizeof(before)) != 0)
			fuzz_fail(h, "failed attach changed the containers of space%u",
				  m);
		return ret;
	}
	if (again)
		fuzz_fail(h, "dev%u attached a second time while attached", n);
	if (!d)
		fuzz_fail(h, "iofd_device_attach succeeded without a device");

	c = iofd_device_container(d);
	if (!c || iofd_container_backend(c) != h->be[k])
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
	if (strcmp(iofd_device_name(d), name) != 0)
		fuzz_fail(h, "device named \"%s\", attached as \"%s\"",
			  iofd_device_name(d), name);
	h->devs[n].dev = d;
	h->devs[n].space = m;
	h->devs[n].be = k;
	return 0;
}

static int fuzz_op_detach(struct fuzz_state *h, const struct op *op)
{
	unsigned int n = op->detach.dev;
	bool fired = fuzz_fired(h);
	int ret;

	if (n >= h->ndevs || !h->devs[n].dev) {
		h->skip_why = "device not attached";
		return FUZZ_SKIPPED;
	}
	/* The device is freed whatever detach returns. */
	ret = iofd_device_detach(h->devs[n].dev, fuzz_err(h));
	h->devs[n].dev = NULL;
	fuzz_check_call(h, "iofd_device_detach", ret);
	if (ret < 0 && (fired || !fuzz_fired(h)))
		fuzz_fail(h, "detach of dev%u failed with no fault injected",
			  n);
	return ret;
}

/* User memory for op page @page: arena page (page % FUZZ_ARENA_SPAN). */
static void *fuzz_page_va(struct fuzz_state *h, unsigned int page)
{
	return h->arena + (size_t)(page % FUZZ_ARENA_SPAN) * OP_PAGE_SIZE;
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

static bool fuzz_overlaps(uint64_t a, uint64_t alen, uint64_t b,
			  uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int fuzz_op_region_add(struct fuzz_state *h, const struct op *op)
{
	unsigned int m = op->region_add.space;
	struct fuzz_regions before, after;
	struct iofd_region r;
	bool fired = fuzz_fired(h), overlap = false;
	size_t i;
	int ret;

	if (m >= h->nspaces) {
		h->skip_why = "no such space";
		return FUZZ_SKIPPED;
	}
	r = (struct iofd_region){
		.iova = op_page_iova(op->region_add.window,
				     op->region_add.page),
		.size = (uint64_t)op->region_add.npages * OP_PAGE_SIZE,
		.vaddr = fuzz_page_va(h, op->region_add.page),
		.readonly = op->region_add.ro,
	};
	fuzz_snap_regions(h, h->spaces[m], &before);
	for (i = 0; i < before.count; i++)
		if (r.size && fuzz_overlaps(r.iova, r.size, before.r[i].iova,
					    before.r[i].size))
			overlap = true;

	ret = iofd_space_region_add(h->spaces[m], &r, fuzz_err(h));
	fuzz_check_call(h, "iofd_space_region_add", ret);
	fuzz_snap_regions(h, h->spaces[m], &after);

	/* (f) with no fault, bad arguments get their documented errno. */
	if (fired || !fuzz_fired(h)) {
		if (r.size == 0 && ret != -EINVAL)
			fuzz_fail(h, "empty region gave %d, not -EINVAL", ret);
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
	unsigned int m = op->region_del.space, idx = op->region_del.idx;
	struct fuzz_regions before, after;
	bool fired = fuzz_fired(h), exists = false;
	uint64_t iova, size;
	size_t i;
	int ret;

	if (m >= h->nspaces) {
		h->skip_why = "no such space";
		return FUZZ_SKIPPED;
	}
	fuzz_snap_regions(h, h->spaces[m], &before);
	if (idx < before.count) {
		iova = before.r[idx].iova;
		size = before.r[idx].size;
	} else {
		iova = (uint64_t)idx * OP_PAGE_SIZE;
		size = OP_PAGE_SIZE;
	}
	for (i = 0; i < before.count; i++)
		if (before.r[i].iova == iova && before.r[i].size == size)
			exists = true;

	ret = iofd_space_region_del(h->spaces[m], iova, size, fuzz_err(h));
	fuzz_check_call(h, "iofd_space_region_del", ret);
	fuzz_snap_regions(h, h->spaces[m], &after);

	/* (f) with no fault, deleting is exact. */
	if (fired || !fuzz_fired(h)) {
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

/* Connect beK and allocate its scratch IOAS, once. 0 or the -errno. */
static int fuzz_scratch_get(struct fuzz_state *h, unsigned int k)
{
	struct fuzz_scratch *sc = &h->scratch[k];
	uint32_t id = 0;
	int ret;

	if (!sc->connected) {
		ret = iofd_backend_connect(h->be[k], fuzz_err(h));
		fuzz_check_call(h, "iofd_backend_connect", ret);
		if (ret < 0)
			return ret;
		sc->connected = true;
	}
	if (!sc->allocated) {
		ret = iofd_backend_alloc_ioas(h->be[k], &id, fuzz_err(h));
		fuzz_check_call(h, "iofd_backend_alloc_ioas", ret);
		if (ret < 0)
			return ret;
		if (id == 0)
			fuzz_fail(h, "be%u allocated IOAS id 0", k);
		sc->allocated = true;
		sc->ioas = id;
		memset(&sc->shadow, 0, sizeof(sc->shadow));
	}
	return 0;
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
	while (i < sh->count) {
		struct fuzz_area *a = &sh->a[i];

		if (!fuzz_overlaps(iova, len, a->iova, a->length)) {
			i++;
			continue;
		}
		if (a->iova < iova || a->iova + a->length > iova + len)
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
	uint64_t iova = op_page_iova(op->map.window, op->map.page);
	uint64_t len = (uint64_t)op->map.npages * OP_PAGE_SIZE;
	void *va = fuzz_page_va(h, op->map.page);
	bool fired;
	int ret, want;

	ret = fuzz_scratch_get(h, k);
	if (ret < 0)
		return ret;

	model = sc->shadow;
	if (op->code == OP_MAP)
		want = fuzz_model_map(&model, iova, len,
				      (uint64_t)(uintptr_t)va);
	else
		want = fuzz_model_unmap(&model, iova, len);

	fired = fuzz_fired(h);
	if (op->code == OP_MAP) {
		ret = iofd_backend_map(h->be[k], sc->ioas, iova, len, va,
				       false, fuzz_err(h));
		fuzz_check_call(h, "iofd_backend_map", ret);
	} else {
		ret = iofd_backend_unmap(h->be[k], sc->ioas, iova, len,
					 fuzz_err(h));
		fuzz_check_call(h, "iofd_backend_unmap", ret);
	}

	if (!fired && fuzz_fired(h)) {
		/* An injected fault fails the call before the kernel runs. */
		if (ret != -h->armed_errno)
			fuzz_fail(h, "injected -%s came back as %d",
				  fuzz_errname(h->armed_errno), ret);
		return ret;
	}
	if (ret != want)
		fuzz_fail(h, "raw %s of [%#" PRIx64 ", +%#" PRIx64 ") gave %d, the model says %d",
			  op_code_name(op->code), iova, len, ret, want);
	sc->shadow = model;
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
		return fuzz_op_attach(h, op);
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
	case OP_COUNT:
		break;
	}
	fuzz_fail(h, "opcode %d out of range", (int)op->code);
}

/* With -v: an op's line before it runs (its trace events follow). */
static void fuzz_log_op(struct fuzz_state *h, const char *what)
{
	if (h->o->verbose)
		fprintf(h->log, "%s\n", what);
}

/* With -v: what the op gave, and whether an armed fault fired in it. */
static void fuzz_log_result(struct fuzz_state *h, int ret, bool fired)
{
	const char *mark = fired ? "  [fault fired]" : "";

	if (!h->o->verbose)
		return;
	if (ret == FUZZ_SKIPPED)
		fprintf(h->log, "    -> skip (%s)\n", h->skip_why);
	else if (ret < 0)
		fprintf(h->log, "    -> -%s: %s%s\n", fuzz_errname(-ret),
			h->err.msg, mark);
	else
		fprintf(h->log, "    -> 0%s\n", mark);
}

/* With -v, the core's trace events go to the log under each op. */
static void fuzz_trace(void *arg, const struct iofd_trace_event *ev)
{
	struct fuzz_state *h = arg;

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

/* Set up the machine: emulator, fault plan, context, two backends. */
static int fuzz_setup(struct fuzz_state *h)
{
	struct iofd_host emu_h, fault_h;
	unsigned int k;
	int ret;

	if (h->o->arena) {
		h->arena = h->o->arena;
	} else {
		h->arena = aligned_alloc(OP_PAGE_SIZE, FUZZ_ARENA_SIZE);
		if (!h->arena)
			return -ENOMEM;
		h->own_arena = true;
	}
	ret = emu_create(&h->emu);
	if (ret < 0)
		return ret;
	emu_host(h->emu, &emu_h);
	ret = emu_fault_create(&emu_h, &h->fault);
	if (ret < 0)
		return ret;
	emu_fault_host(h->fault, &fault_h);
	if (h->o->sweep_nth) {
		h->armed_errno = h->o->sweep_errno;
		emu_fault_fail_nth(h->fault, h->o->sweep_nth, h->armed_errno);
		h->sweep_pending = true;
	}

	h->step = "setup";
	ret = iofd_ctx_create(&fault_h, &h->ctx, fuzz_err(h));
	fuzz_check_call(h, "iofd_ctx_create", ret);
	if (ret < 0)
		fuzz_fail(h, "cannot create a context");
	if (h->o->verbose)
		iofd_ctx_set_trace(h->ctx, fuzz_trace, h);
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		ret = iofd_backend_create(h->ctx, &h->be[k], fuzz_err(h));
		fuzz_check_call(h, "iofd_backend_create", ret);
		if (ret < 0)
			fuzz_fail(h, "cannot create be%u", k);
	}
	return 0;
}

/*
 * Undo everything in the documented order and prove the emulator is empty.
 * Faults may still fire here (a sweep point or an op's fault that has not
 * fired yet): every step must still release what it holds.
 */
static void fuzz_teardown(struct fuzz_state *h)
{
	struct emu_counters cnt;
	unsigned int j, k;
	bool fired;
	int ret;

	h->cur = h->prog.count;
	for (j = 0; j < h->ndevs; j++) {
		char what[48];

		if (!h->devs[j].dev)
			continue;
		snprintf(what, sizeof(what), "teardown: detach dev%u", j);
		fuzz_log_op(h, what);
		h->step = "detach";
		fired = fuzz_fired(h);
		ret = iofd_device_detach(h->devs[j].dev, fuzz_err(h));
		h->devs[j].dev = NULL;
		fuzz_check_call(h, "iofd_device_detach", ret);
		if (ret < 0 && (fired || !fuzz_fired(h)))
			fuzz_fail(h, "detach of dev%u failed with no fault injected",
				  j);
		fuzz_log_result(h, ret, !fired && fuzz_fired(h));
		fuzz_note_sweep(h);
		fuzz_check_all(h);
	}

	h->step = "destroy spaces";
	for (j = 0; j < h->nspaces; j++) {
		ret = iofd_space_destroy(h->spaces[j]);
		if (ret)
			fuzz_fail(h, "space%u with no device left: destroy gave %d",
				  j, ret);
		h->spaces[j] = NULL;
	}
	h->nspaces = 0;

	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		struct fuzz_scratch *sc = &h->scratch[k];

		h->step = "free scratch IOAS";
		if (sc->allocated) {
			char what[48];

			snprintf(what, sizeof(what),
				 "teardown: free scratch IOAS of be%u", k);
			fuzz_log_op(h, what);
			fired = fuzz_fired(h);
			ret = iofd_backend_free_id(h->be[k], sc->ioas,
						   fuzz_err(h));
			fuzz_check_call(h, "iofd_backend_free_id", ret);
			if (ret < 0 && (fired || !fuzz_fired(h)))
				fuzz_fail(h, "freeing scratch IOAS %u failed with no fault injected",
					  sc->ioas);
			fuzz_log_result(h, ret, !fired && fuzz_fired(h));
			sc->allocated = false;
		}
		h->step = "disconnect";
		if (sc->connected) {
			iofd_backend_disconnect(h->be[k]);
			sc->connected = false;
		}
	}
	fuzz_note_sweep(h);
	fuzz_check_backends(h);

	h->step = "destroy backends";
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		ret = iofd_backend_destroy(h->be[k]);
		if (ret)
			fuzz_fail(h, "be%u with no user: destroy gave %d", k,
				  ret);
		h->be[k] = NULL;
	}
	iofd_ctx_destroy(h->ctx);
	h->ctx = NULL;
	fuzz_note_sweep(h);

	h->step = "leak check";
	emu_counters_get(h->emu, &cnt);
	if (cnt.fds || cnt.contexts || cnt.objects || cnt.pinned_pages)
		fuzz_fail(h, "emulator not empty after teardown: %u fds, %u contexts, %u objects, %" PRIu64 " pinned pages",
			  cnt.fds, cnt.contexts, cnt.objects,
			  cnt.pinned_pages);
}

/* Free what fuzz_setup made; safe on a partial setup. */
static void fuzz_release(struct fuzz_state *h)
{
	iofd_ctx_destroy(h->ctx);
	if (h->fault)
		emu_fault_destroy(h->fault);
	emu_destroy(h->emu);
	if (h->own_arena)
		free(h->arena);
}

int fuzz_attach_run(const uint8_t *data, size_t size,
		    const struct fuzz_opts *o)
{
	struct fuzz_state *h;
	unsigned int i;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
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
		char line[128], what[140];
		bool fired = fuzz_fired(h);

		h->cur = i;
		h->skip_why = NULL;
		op_to_text(op, line, sizeof(line));
		snprintf(what, sizeof(what), "#%-2u %s", i, line);
		fuzz_log_op(h, what);
		ret = fuzz_run_op(h, op);
		fuzz_log_result(h, ret, !fired && fuzz_fired(h));
		fuzz_note_sweep(h);
		fuzz_check_all(h);
	}

	fuzz_teardown(h);
	fuzz_note_sweep(h);
	ret = (o->sweep_nth && h->sweep_fired) ? FUZZ_SWEEP_FIRED : 0;

out_release:
	fuzz_release(h);
	free(h);
	return ret;
}
