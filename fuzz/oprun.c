/* SPDX-License-Identifier: MIT */
/*
 * The interpreter's loop (oprun.h): set the machine up, run every op
 * through opmean.c's meanings with the runner's hooks around it, and tear
 * everything down in one fixed order. Also the machine's pieces that are
 * not an op's: the counting allocator, the sweep's faults.
 *
 * Every core call of the setup and the teardown goes through the same
 * hooks as the ops' calls, so a runner checks them alike. Nothing of the
 * setup is counted by a sweep: the sweep point is armed after it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oprun.h"

const char *oprun_step_name(enum oprun_step step)
{
	static const char *const names[OPRUN_STEP_COUNT] = {
		[OPRUN_STEP_DETACH] = "detach",
		[OPRUN_STEP_SPACE_DESTROY] = "destroy space",
		[OPRUN_STEP_SCRATCH_FREE] = "free scratch IOAS",
		[OPRUN_STEP_DISCONNECT] = "disconnect",
		[OPRUN_STEP_BACKEND_DESTROY] = "destroy backend",
		[OPRUN_STEP_CTX_DESTROY] = "iofd_ctx_destroy",
		[OPRUN_STEP_KVM_CLOSE] = "close KVM",
	};

	return (unsigned int)step < OPRUN_STEP_COUNT ? names[step] : "?";
}

/* ------------------------------------------------------------------ */
/* The allocator                                                       */

void oprun_alloc_arm(struct oprun_alloc *a, unsigned long nth)
{
	a->calls = 0;
	a->nth = nth;
	a->fired = false;
}

static void *oprun_alloc_realloc(void *priv, void *ptr, size_t size)
{
	struct oprun_alloc *a = priv;

	a->calls++;
	if (a->nth && !a->fired && a->calls == a->nth) {
		a->fired = true;
		a->fires++;
		return NULL;
	}
	return realloc(ptr, size);
}

static void oprun_alloc_free(void *priv, void *ptr)
{
	free(ptr);
}

const struct iofd_alloc_ops oprun_alloc_ops = {
	.realloc = oprun_alloc_realloc,
	.free = oprun_alloc_free,
};

unsigned long oprun_fires(const struct oprun *r)
{
	return r->log.fires + r->alloc.fires;
}

bool oprun_kind_armed(const struct oprun *r)
{
	return r->every_errno != 0;
}

struct iofd_container *oprun_container_of_be(const struct oprun *r,
					     unsigned int k,
					     unsigned int which)
{
	unsigned int si;
	size_t ci;

	for (si = 0; si < r->nspaces; si++) {
		for (ci = 0; ci < iofd_space_container_count(r->spaces[si]);
		     ci++) {
			struct iofd_container *c =
				iofd_space_container_get(r->spaces[si], ci);

			if (iofd_container_backend(c) != r->be[k])
				continue;
			if (which-- == 0)
				return c;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */

/* Arm the sweep's faults: the kind for the whole run, the point once. */
static void oprun_sweep_arm(struct oprun *r)
{
	const struct oprun_cfg *cfg = r->cfg;

	if (cfg->sweep.kinds) {
		r->every_errno = cfg->sweep.kind_errnum;
		emu_fault_fail_every(r->fault, cfg->sweep.kinds,
				     cfg->sweep.request, r->every_errno);
	}
	if (!cfg->sweep.nth)
		return;
	r->sweep_pending = true;
	if (cfg->sweep.alloc) {
		oprun_alloc_arm(&r->alloc, cfg->sweep.nth);
		return;
	}
	r->armed_errno = cfg->sweep.errnum;
	emu_fault_fail_nth(r->fault, cfg->sweep.nth, r->armed_errno);
}

int oprun_init(struct oprun *r, const struct oprun_cfg *cfg)
{
	struct iofd_host fault_h, log_h;
	unsigned int k;
	int ret;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->kvm_fd = r->vm_fd = r->kvm_dev = r->kvm_set = -1;
	for (k = 0; k < OP_MAX_BACKENDS; k++)
		r->hfd[k] = -1;
	ret = emu_fault_create(&cfg->host, &r->fault);
	if (ret < 0)
		return ret;
	emu_fault_host(r->fault, &fault_h);
	oprun_log_init(&r->log, r, &fault_h, cfg->log, &log_h);

	oprun_calling(r, OPRUN_CTX_CREATE);
	ret = iofd_ctx_create(&log_h, &r->ctx, oprun_err(r));
	if (oprun_called(r, OPRUN_CTX_CREATE, OPRUN_SETUP, ret) < 0)
		goto err_fini;
	ret = iofd_ctx_set_alloc(r->ctx, &oprun_alloc_ops, &r->alloc);
	if (ret < 0)
		goto err_fini;
	oprun_set_dirty_sink(r);
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		oprun_calling(r, OPRUN_BACKEND_CREATE);
		ret = iofd_backend_create(r->ctx, &r->be[k], oprun_err(r));
		if (oprun_called(r, OPRUN_BACKEND_CREATE, OPRUN_SETUP,
				 ret) < 0)
			goto err_fini;
	}
	/* The other context talks to the runner's host: never faulted. */
	ret = iofd_ctx_create(&cfg->host, &r->fctx, NULL);
	if (ret == 0)
		ret = iofd_space_create(r->fctx, &r->fspace, NULL);
	if (ret == 0)
		ret = iofd_backend_create(r->fctx, &r->fbe, NULL);
	if (ret < 0)
		goto err_fini;
	oprun_sweep_arm(r);
	return 0;

err_fini:
	oprun_fini(r);
	return ret;
}

/* ------------------------------------------------------------------ */
/* The loop and the teardown                                           */

/* Once the sweep point has fired, the program's fault ops take over. */
static void oprun_note_sweep(struct oprun *r)
{
	bool fired = r->cfg->sweep.alloc ? r->alloc.fired :
		     emu_fault_nth_fired(r->fault);

	if (r->sweep_pending && fired) {
		r->sweep_pending = false;
		r->sweep_fired = true;
	}
}

static void oprun_step(struct oprun *r, enum oprun_step step,
		       unsigned int idx, int ret)
{
	const struct oprun_hooks *h = r->cfg->hooks;

	oprun_note_sweep(r);
	if (h && h->teardown_step)
		h->teardown_step(r->cfg->priv, step, idx, ret);
}

/*
 * Leftovers of an iommufd that closed went with it (the core closes an
 * owned backend's fd with its last user).
 */
static void oprun_forget_closed(struct oprun *r)
{
	unsigned int k;

	for (k = 0; k < OP_MAX_BACKENDS; k++)
		if (r->scratch[k].nleft && (!r->be[k] ||
		    iofd_backend_fd(r->be[k]) != r->scratch[k].left_fd))
			r->scratch[k].nleft = 0;
}

/* The leave teardown: iofd_ctx_destroy alone, then what we own. */
static void oprun_teardown_by_ctx(struct oprun *r)
{
	unsigned int j, k;

	/*
	 * The scratch IOASes are the interpreter's: in a handed-in iommufd
	 * they stay until it closes it, as leftovers; an owned one's close
	 * takes them.
	 */
	for (k = 0; k < OP_MAX_BACKENDS; k++)
		if (r->scratch[k].allocated) {
			oprun_leave_id(r, k, r->scratch[k].ioas);
			r->scratch[k].allocated = false;
		}
	r->ctx_destroying = true;
	iofd_ctx_destroy(r->ctx);
	r->ctx_destroying = false;
	r->ctx = NULL;
	for (j = 0; j < r->ndevs; j++)
		r->devs[j].dev = NULL;
	r->nspaces = 0;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		r->be[k] = NULL;
		if (r->hfd[k] < 0)
			r->scratch[k].nleft = 0;
		r->conns[k] = 0;
	}
	oprun_step(r, OPRUN_STEP_CTX_DESTROY, 0, 0);
	for (k = 0; k < OP_MAX_BACKENDS; k++)
		oprun_hfd_close(r, k);
}

static void oprun_teardown(struct oprun *r)
{
	unsigned int j, k;
	int ret;

	for (j = 0; j < r->ndevs; j++) {
		if (!r->devs[j].dev)
			continue;
		ret = oprun_teardown_detach(r, j);
		oprun_step(r, OPRUN_STEP_DETACH, j, ret);
	}
	for (j = 0; j < r->nspaces; j++) {
		ret = iofd_space_destroy(r->spaces[j]);
		if (ret == 0)
			r->spaces[j] = NULL;
		oprun_step(r, OPRUN_STEP_SPACE_DESTROY, j, ret);
	}
	r->nspaces = 0;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		if (r->scratch[k].allocated) {
			ret = oprun_scratch_free(r, k);
			oprun_step(r, OPRUN_STEP_SCRATCH_FREE, k, ret);
		}
		if (r->be[k]) {
			oprun_conns_drop(r, k);
			oprun_forget_closed(r);
			oprun_step(r, OPRUN_STEP_DISCONNECT, k, 0);
		}
	}
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		if (r->be[k]) {
			r->cur.k = k;
			oprun_calling(r, OPRUN_BACKEND_DESTROY);
			ret = iofd_backend_destroy(r->be[k]);
			oprun_called(r, OPRUN_BACKEND_DESTROY, OPRUN_CLEANUP,
				     ret);
			if (ret == 0)
				r->be[k] = NULL;
			oprun_step(r, OPRUN_STEP_BACKEND_DESTROY, k, ret);
		}
		/* A handed-in iommufd is closed by its owner, after. */
		oprun_hfd_close(r, k);
	}
	iofd_ctx_destroy(r->ctx);
	r->ctx = NULL;
	oprun_step(r, OPRUN_STEP_CTX_DESTROY, 0, 0);
}

/* Close the KVM stand-in, last fd first. */
static void oprun_kvm_close(struct oprun *r)
{
	int *fds[] = { &r->kvm_dev, &r->vm_fd, &r->kvm_fd };
	unsigned int i;
	int ret = 0, one;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0) {
			one = r->cfg->host.ops->close(r->cfg->host.priv,
						      *fds[i]);
			if (one < 0 && !ret)
				ret = one;
		}
		*fds[i] = -1;
	}
	oprun_step(r, OPRUN_STEP_KVM_CLOSE, 0, ret);
}

void oprun_run(struct oprun *r)
{
	const struct op_program *prog = r->cfg->prog;
	const struct oprun_hooks *h = r->cfg->hooks;
	unsigned int i;
	int ret;

	for (i = 0; i < prog->count; i++) {
		const struct op *op = &prog->ops[i];
		const char *why = NULL;

		r->cur_op = i;
		r->skip_why = NULL;
		memset(&r->cur, 0, sizeof(r->cur));
		ret = 0;
		if (h && h->op_begin) {
			ret = h->op_begin(r->cfg->priv, i, op, &why);
			if (ret == OPRUN_SKIPPED)
				r->skip_why = why;
		}
		if (ret == 0)
			ret = oprun_op(r, op);
		oprun_note_sweep(r);
		oprun_forget_closed(r);
		if (h && h->op_end)
			h->op_end(r->cfg->priv, i, op, ret);
		iofd_free(r->ctx, r->cur.ranges);
		r->cur.ranges = NULL;
		if (r->leaving)
			break;
	}
	r->cur_op = prog->count;
	memset(&r->cur, 0, sizeof(r->cur));
	if (h && h->teardown_begin)
		h->teardown_begin(r->cfg->priv);
	if (r->leaving)
		oprun_teardown_by_ctx(r);
	else
		oprun_teardown(r);
	iofd_ctx_destroy(r->fctx);
	r->fctx = NULL;
	oprun_kvm_close(r);
}

void oprun_fini(struct oprun *r)
{
	unsigned int k;

	iofd_ctx_destroy(r->ctx);
	r->ctx = NULL;
	iofd_ctx_destroy(r->fctx);
	r->fctx = NULL;
	for (k = 0; k < OP_MAX_BACKENDS; k++)
		oprun_hfd_close(r, k);
	if (r->fault)
		emu_fault_destroy(r->fault);
	r->fault = NULL;
}
