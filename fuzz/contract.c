/* SPDX-License-Identifier: MIT */
/*
 * The error contract of every core call, as iofd.h and the README promise
 * it, checked on every call the interpreter makes:
 *   - a failing call returns -errno and fills the iofd_error with that
 *     errno and a message that names the step (some words before the
 *     errno) and the errno ("(EINVAL)"), and the device for attach and
 *     detach; a successful call leaves a pre-filled sentinel error byte
 *     for byte untouched;
 *   - the errno returned is that of the first host call that failed in it
 *     (injected or not), or of a failure the core may take as an answer
 *     (fuzz_absorbed: it takes it unless nothing else is left, as when a
 *     new container refuses the device too), unless an allocation failed
 *     in it;
 *   - trace events are of known kinds, and a FAIL event names its step
 *     and errno.
 * And the contracts no program can vary, checked once per process
 * (fuzz_attach_check_api): contexts need a host and an out pointer, an
 * allocator needs both functions and no object yet, a new backend lists
 * no stranded object, the error helpers take NULL.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include "harness_int.h"

/* Written into every iofd_error before a call; success must keep it. */
#define FUZZ_SENTINEL_ERRNUM	0x5e5e
#define FUZZ_SENTINEL_BYTE	0xa5

/*
 * The error every core call is handed: filler bytes, an errno no call
 * sets and a short message. A success must leave all of it as it was.
 */
void fuzz_sentinel_make(struct iofd_error *e)
{
	memset(e, FUZZ_SENTINEL_BYTE, sizeof(*e));
	e->errnum = FUZZ_SENTINEL_ERRNUM;
	strcpy(e->msg, "sentinel");
}

struct iofd_error *fuzz_err(struct fuzz_state *h)
{
	memcpy(&h->err, &h->sentinel, sizeof(h->err));
	return &h->err;
}

/*
 * Failures that need not decide the errno of @call: the ones the core may
 * take as answers (any ioctl's EINVAL, which while joining an existing
 * container means "incompatible, try the next"; hw info or a user HWPT
 * the kernel does not offer; IOVA ranges that did not fit; a cdev node
 * missing under /dev/vfio/devices, which sends it to /dev/char; a close,
 * never reported), a dirty-bit read that only hands bits to the sink before a
 * region goes, and those of the steps that undo an attach or a region op,
 * which may run after the core itself refused (a device that cannot track
 * dirty pages, discard required) and are not told.
 */
/*
 * Whether @c is the core retrying the DESTROY of an object it stranded
 * (on the backend whose iommufd @c went to): a retry's failure is never
 * told, whichever call it runs in. The id is still listed while its
 * DESTROY runs.
 */
static bool fuzz_stranded_retry(const struct fuzz_state *h,
				const struct emu_host_call *c)
{
	const struct iommu_destroy *d = c->arg;
	const struct iofd_backend *be;
	unsigned int k;
	size_t x;

	if (c->request != IOMMU_DESTROY || !d || d->size < sizeof(*d))
		return false;
	for (k = 0; k <= OP_MAX_BACKENDS; k++) {
		be = k < OP_MAX_BACKENDS ? h->r.be[k] : h->r.fbe;
		if (!be || iofd_backend_fd(be) != c->fd)
			continue;
		for (x = 0; x < iofd_backend_stranded_count(be); x++)
			if (iofd_backend_stranded_get(be, x) == d->id)
				return true;
	}
	return false;
}

static bool fuzz_absorbed(const struct fuzz_state *h, enum oprun_call call,
			  const struct emu_host_call *c)
{
	bool attach = call == OPRUN_DEVICE_ATTACH ||
		      call == OPRUN_DEVICE_ATTACH_CFG;

	if (c->entry == EMU_HOST_CLOSE)
		return true;
	if (c->entry == EMU_HOST_OPEN)
		return attach && c->ret == -ENOENT;
	if (c->entry != EMU_HOST_IOCTL)
		return false;
	if (c->ret == -EINVAL)
		return true;
	switch (c->request) {
	case IOMMU_GET_HW_INFO:
		return c->ret == -ENOTTY || c->ret == -EOPNOTSUPP;
	case IOMMU_HWPT_ALLOC:
		return c->ret == -EOPNOTSUPP;
	case IOMMU_IOAS_IOVA_RANGES:
		return c->ret == -EMSGSIZE;
	case IOMMU_DESTROY:
		return attach || fuzz_stranded_retry(h, c);
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
	case KVM_SET_DEVICE_ATTR:
		return attach;
	case IOMMU_IOAS_UNMAP:
		return attach || call == OPRUN_SPACE_REGION_ADD;
	case IOMMU_IOAS_MAP:
		return call == OPRUN_SPACE_REGION_DEL;
	case IOMMU_HWPT_GET_DIRTY_BITMAP:
		return call != OPRUN_CONTAINER_QUERY_DIRTY &&
		       call != OPRUN_BACKEND_GET_DIRTY_BITMAP;
	default:
		return false;
	}
}

void fuzz_call_begin(struct fuzz_state *h, enum oprun_call call)
{
	h->core_calls++;
	h->call.active = true;
	h->call.call = call;
	h->call.fires = oprun_fires(&h->r);
	h->call.alloc_fires = h->r.alloc.fires;
	h->call.first_errno = 0;
	h->call.nabsorbed = 0;
	h->call.nabandoned = h->nabandoned;
}

void fuzz_call_host(struct fuzz_state *h, const struct emu_host_call *c)
{
	if (!h->call.active || c->ret >= 0 || h->call.first_errno)
		return;
	if (fuzz_absorbed(h, h->call.call, c)) {
		if (h->call.nabsorbed < sizeof(h->call.absorbed) / sizeof(int))
			h->call.absorbed[h->call.nabsorbed++] = (int)-c->ret;
		return;
	}
	h->call.first_errno = (int)-c->ret;
	h->call.first = *c;
	h->call.first.path = NULL;
	h->call.first.buf = NULL;
	h->call.first.arg = NULL;
	if (c->path) {
		size_t n = strnlen(c->path, sizeof(h->call.first_path) - 1);

		memcpy(h->call.first_path, c->path, n);
		h->call.first_path[n] = '\0';
		h->call.first.path = h->call.first_path;
	}
}

/* What the README promises of a failure's message. */
static void fuzz_check_message(struct fuzz_state *h, const char *call,
			       enum oprun_call id, int ret)
{
	const char *ename = strerrorname_np(-ret);
	char want[48] = "(";
	size_t len = strnlen(h->err.msg, sizeof(h->err.msg));
	const char *at;

	/* A message that fills the buffer may have lost its end. */
	if (len == sizeof(h->err.msg) - 1)
		return;
	/* Not snprintf: every failing call comes here. */
	strncat(want, ename ? ename : "?", sizeof(want) - 3);
	strcat(want, ")");
	at = strstr(h->err.msg, want);
	if (!at)
		fuzz_fail(h, "%s: the message \"%s\" does not name %s", call,
			  h->err.msg, want);
	if (at == h->err.msg || strncmp(h->err.msg, ": ", 2) == 0)
		fuzz_fail(h, "%s: the message \"%s\" names no step", call,
			  h->err.msg);
	if ((id == OPRUN_DEVICE_DETACH ||
	     ((id == OPRUN_DEVICE_ATTACH || id == OPRUN_DEVICE_ATTACH_CFG) &&
	      h->r.cur.dc.name == h->r.cur.name &&
	      !strncmp(h->r.cur.name, "dev", 3) &&
	      h->r.cur.name[3] >= '0' && h->r.cur.name[3] <= '9')) &&
	    h->r.cur.name[0] && !strstr(h->err.msg, h->r.cur.name))
		fuzz_fail(h, "%s: the message \"%s\" does not name the device %s",
			  call, h->err.msg, h->r.cur.name);
}

/* The errno returned is the first unabsorbed host failure's. */
static void fuzz_check_errno(struct fuzz_state *h, const char *call, int ret)
{
	char first[160];
	unsigned int i;

	if (!h->call.first_errno || h->r.alloc.fires != h->call.alloc_fires)
		return;
	if (ret == -h->call.first_errno)
		return;
	for (i = 0; i < h->call.nabsorbed; i++)
		if (ret == -h->call.absorbed[i])
			return;
	emu_host_call_print(&h->call.first, first, sizeof(first));
	fuzz_fail(h, "%s returned -%s, but the first failure in it was %s = -%s",
		  call, fuzz_errname(-ret), first,
		  fuzz_errname(h->call.first_errno));
}

void fuzz_check_call(struct fuzz_state *h, enum oprun_call id, int ret)
{
	const char *call = oprun_call_name(id);

	if (ret < -4095 || ret > 0)
		fuzz_fail(h, "%s returned %d, not 0 or a -errno", call, ret);
	if (ret < 0)
		fuzz_check_errno(h, call, ret);
	h->call.active = false;
	if (!oprun_call_has_error(id))
		return;
	if (h->r.null_err) {
		/* No error object: only the return value says anything. */
		strcpy(h->err.msg, "(errors null)");
		return;
	}
	if (ret == 0) {
		if (memcmp(&h->sentinel, &h->err, sizeof(h->err)) != 0)
			fuzz_fail(h, "%s succeeded but wrote the error (errnum %d, \"%.*s\")",
				  call, h->err.errnum,
				  (int)sizeof(h->err.msg), h->err.msg);
		return;
	}
	if (h->err.errnum != -ret)
		fuzz_fail(h, "%s returned -%s but set errnum %d", call,
			  fuzz_errname(-ret), h->err.errnum);
	if (!memchr(h->err.msg, '\0', sizeof(h->err.msg)))
		fuzz_fail(h, "%s: error message not NUL-terminated", call);
	fuzz_check_message(h, call, id, ret);
}

/*
 * The trace sink, always set: every event must be of a known kind, a FAIL
 * must say what failed and with which errno. A failed undo of a region op
 * marks its space as diverged; an abandoned id is remembered for the check
 * of its iommufd. With -v the events go to the log under each op.
 */
void fuzz_trace(void *arg, const struct iofd_trace_event *ev)
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
	if (ev->kind == IOFD_TRACE_FAIL && !strcmp(ev->what, "abandon id")) {
		if (h->nabandoned == FUZZ_MAX_OBJECTS)
			fuzz_fail(h, "more than %d ids abandoned",
				  FUZZ_MAX_OBJECTS);
		h->abandoned[h->nabandoned++] = (struct fuzz_abandoned){
			.fd = ev->fd, .id = ev->id,
		};
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

/* ------------------------------------------------------------------ */
/* The contracts no program can vary                                   */

static void fuzz_api_fail(const char *what)
{
	fprintf(stderr, "fuzz_attach: API CONTRACT BROKEN: %s\n", what);
	abort();
}

void fuzz_attach_check_api(void)
{
	const struct iofd_alloc_ops half = {
		.realloc = oprun_alloc_ops.realloc,
	};
	const struct iofd_alloc_ops other_half = {
		.free = oprun_alloc_ops.free,
	};
	const struct iofd_host no_ops = { .ops = NULL };
	struct iofd_backend *be = NULL;
	struct iofd_space *space = NULL;
	struct iofd_ctx *ctx = NULL, *busy = NULL;
	struct oprun_alloc alloc = { 0 };
	struct iofd_host host;
	struct iofd_error e;
	struct emu *emu;

	if (emu_create(&emu) < 0)
		fuzz_api_fail("cannot create an emulator");
	emu_host(emu, &host);
	if (iofd_ctx_create(NULL, &ctx, NULL) != -EINVAL ||
	    iofd_ctx_create(&no_ops, &ctx, NULL) != -EINVAL ||
	    iofd_ctx_create(&host, NULL, NULL) != -EINVAL || ctx)
		fuzz_api_fail("iofd_ctx_create accepted a missing host or out");
	if (iofd_ctx_create(&host, &ctx, NULL) != 0 ||
	    iofd_ctx_create(&host, &busy, NULL) != 0)
		fuzz_api_fail("cannot create a context");
	if (iofd_ctx_set_alloc(ctx, &half, NULL) != -EINVAL ||
	    iofd_ctx_set_alloc(ctx, &other_half, NULL) != -EINVAL ||
	    iofd_ctx_set_alloc(ctx, &oprun_alloc_ops, &alloc) != 0 ||
	    iofd_ctx_set_alloc(ctx, NULL, NULL) != 0)
		fuzz_api_fail("iofd_ctx_set_alloc broke its contract");
	if (iofd_space_create(ctx, &space, NULL) != 0 ||
	    iofd_ctx_set_alloc(ctx, NULL, NULL) != -EBUSY ||
	    iofd_ctx_set_alloc(ctx, &oprun_alloc_ops, &alloc) != -EBUSY)
		fuzz_api_fail("allocator changed while a space exists");
	/* A context without a trace sink: its events go nowhere. */
	if (iofd_backend_create(busy, &be, NULL) != 0 ||
	    iofd_backend_connect(be, NULL) != 0 ||
	    iofd_ctx_set_alloc(busy, &half, NULL) != -EBUSY)
		fuzz_api_fail("cannot connect a backend, or its allocator changed");
	if (iofd_backend_stranded_count(be) != 0 ||
	    iofd_backend_stranded_get(be, 0) != 0)
		fuzz_api_fail("a new backend lists stranded objects");
	iofd_backend_disconnect(be);
	iofd_ctx_destroy(busy);
	iofd_ctx_destroy(ctx);
	iofd_ctx_destroy(NULL);
	if (strcmp(iofd_trace_kind_name(IOFD_TRACE_KIND_COUNT), "?") != 0)
		fuzz_api_fail("an unknown trace kind has a name");
	iofd_error_clear(NULL);
	iofd_error_prepend(NULL, "x");
	iofd_error_clear(&e);
	iofd_error_prepend(&e, "x");
	if (e.errnum != 0 || e.msg[0] != '\0')
		fuzz_api_fail("prepending to an unset error set it");
	emu_destroy(emu);
}
