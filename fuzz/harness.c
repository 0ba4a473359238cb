/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach: run an op-sequence program through the interpreter
 * (oprun.h) over a fresh emulator and prove, with the interpreter's hooks,
 * that the core and the emulator agree after every op and every teardown
 * step, that every core call keeps the error contract, and that nothing
 * is left: every kernel object is one the core or the interpreter knows,
 * before any iommufd is closed, and after the teardown the emulator holds
 * no fd, context, object, pinned page or KVM state.
 *
 * Per input: an emulator that is new, or the driver's one reset after the
 * input before (emu_reset; with check_reset its digest is proven equal to
 * a new machine's), with trusted user copies (the harness runs under
 * ASan, which catches a wild pointer where the model dereferences it); the
 * interpreter's machine over it; and the checks of contract.c (every
 * call), opcheck.c (every op) and invariants.c (the whole state). Nothing
 * survives the input: no global state, no time, no randomness, so an input
 * replays the same way in every engine.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include <emu/ioctl_names.h>

#include "harness_int.h"

const char *fuzz_errname(int errnum)
{
	const char *name = strerrorname_np(errnum);

	return name ? name : "E?";
}

bool fuzz_clean(const struct fuzz_state *h, unsigned long mark)
{
	return oprun_fires(&h->r) == mark;
}

/*
 * Report a violated invariant with everything needed to replay it (the
 * program as text and the sweep point), then abort.
 */
void fuzz_fail(struct fuzz_state *h, const char *fmt, ...)
{
	const struct fuzz_opts *o = h->o;
	char line[160];
	va_list ap;

	fflush(h->log);
	fprintf(stderr, "fuzz_attach: INVARIANT VIOLATED ");
	if (h->step && !strcmp(h->step, "setup")) {
		fprintf(stderr, "in setup: ");
	} else if (h->r.cur_op < h->prog.count) {
		op_to_text(&h->prog.ops[h->r.cur_op], line, sizeof(line));
		fprintf(stderr, "at op #%u `%s`: ", h->r.cur_op, line);
	} else {
		fprintf(stderr, "in teardown (%s): ", h->step ? h->step : "?");
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (o->sweep.kinds) {
		const char *req = emu_ioctl_name(o->sweep.request);
		unsigned int bit;
		const char *sep = "";

		fprintf(stderr, "fuzz_attach: a fault kind fails for the whole run; replay: --kind ");
		for (bit = 0; bit < OP_KIND_BITS; bit++)
			if (o->sweep.kinds & (1u << bit)) {
				fprintf(stderr, "%s%s", sep, op_kind_name(bit));
				sep = ",";
			}
		fprintf(stderr, "%s%s:%s\n", req ? ":" : "", req ? req : "",
			fuzz_errname(o->sweep.kind_errnum));
	}
	if (o->sweep.nth && o->sweep.alloc)
		fprintf(stderr,
			"fuzz_attach: sweep point: allocation %lu fails (%s); replay: --fail-nth %lu --alloc\n",
			o->sweep.nth, h->r.sweep_fired ? "fired" :
			"not fired yet", o->sweep.nth);
	else if (o->sweep.nth)
		fprintf(stderr,
			"fuzz_attach: sweep point: host call %lu fails with %s (%s); replay: --fail-nth %lu --errno %s\n",
			o->sweep.nth, fuzz_errname(o->sweep.errnum),
			h->r.sweep_fired ? "fired" : "not fired yet",
			o->sweep.nth, fuzz_errname(o->sweep.errnum));
	fprintf(stderr, "fuzz_attach: program (%u ops):\n", h->prog.count);
	op_program_to_text(&h->prog, stderr, true);
	fflush(stderr);
	abort();
}

/* ------------------------------------------------------------------ */
/* The interpreter's hooks                                             */

static int fuzz_op_begin(void *priv, unsigned int i, const struct op *op,
			 const char **why)
{
	struct fuzz_state *h = priv;
	char line[160];

	if (h->o->verbose) {
		op_to_text(op, line, sizeof(line));
		fprintf(h->log, "#%-2u %s\n", i, line);
	}
	return 0;
}

static void fuzz_op_pre(void *priv, const struct op *op)
{
	fuzz_opcheck_pre(priv, op);
}

/*
 * With -v: what the op gave, and whether a fault fired in it; a dma op's
 * failure has no message, but the fault it recorded, if any.
 */
static void fuzz_log_result(struct fuzz_state *h, const struct op *op,
			    int ret, bool fired)
{
	const char *mark = fired ? "  [fault fired]" : "";

	if (!h->o->verbose)
		return;
	if (ret == OPRUN_SKIPPED)
		fprintf(h->log, "    -> skip (%s)\n", h->r.skip_why);
	else if (ret < 0 && op->code == OP_DMA)
		fprintf(h->log, "    -> -%s: %s\n", fuzz_errname(-ret),
			h->dma_seen);
	else if (ret < 0)
		fprintf(h->log, "    -> -%s: %s%s\n", fuzz_errname(-ret),
			h->err.msg, mark);
	else
		fprintf(h->log, "    -> 0%s\n", mark);
}

static void fuzz_op_end(void *priv, unsigned int i, const struct op *op,
			int ret)
{
	struct fuzz_state *h = priv;

	fuzz_opcheck_post(h, op, ret);
	fuzz_log_result(h, op, ret, h->r.cur.main_called &&
			!fuzz_clean(h, h->pre.mark));
	/* Nothing called, nothing changed: the last check still holds. */
	if (h->core_calls == h->state_checked_core &&
	    h->r.log.calls == h->state_checked_host)
		return;
	h->state_checked_core = h->core_calls;
	h->state_checked_host = h->r.log.calls;
	fuzz_check_all(h);
}

static struct iofd_error *fuzz_hook_err(void *priv)
{
	return fuzz_err(priv);
}

static void fuzz_calling(void *priv, enum oprun_call call)
{
	fuzz_call_begin(priv, call);
}

static void fuzz_called(void *priv, enum oprun_call call,
			enum oprun_role role, int ret)
{
	struct fuzz_state *h = priv;
	bool clean = fuzz_clean(h, h->call.fires);

	fuzz_check_call(h, call, ret);
	fuzz_opcheck_aux(h, call, role, ret, clean);
	/*
	 * A detach closes the device fd, after which nothing of the core's
	 * is busy any more: with no fault in it, the core must have freed
	 * every object it had stranded on that backend (unless KVM still
	 * holds a device, which keeps what it is attached to).
	 */
	if (call == OPRUN_DEVICE_DETACH && clean) {
		unsigned int k = h->r.devs[h->r.cur_dev].be;
		struct iofd_backend *be = h->r.be[k];

		if (be && iofd_backend_fd(be) >= 0 && !fuzz_kvm_held(h) &&
		    iofd_backend_stranded_count(be))
			fuzz_fail(h, "be%u still has %zu stranded objects after a detach with no fault",
				  k, iofd_backend_stranded_count(be));
	}
	/*
	 * A handed-in iommufd is closed right after its backend goes: what
	 * is in it must be what the core said it left there, and with no
	 * fault in the destroy's last try it left nothing.
	 */
	if (call == OPRUN_BACKEND_DESTROY && ret == 0 &&
	    h->r.hfd[h->r.cur.k] >= 0) {
		fuzz_check_context(h, h->r.hfd[h->r.cur.k], -1, false);
		if (clean && !fuzz_kvm_held(h) &&
		    h->nabandoned != h->call.nabandoned)
			fuzz_fail(h, "be%u left %u ids in its handed-in iommufd with no fault injected",
				  h->r.cur.k, h->nabandoned - h->call.nabandoned);
	}
}

/* Before the core closes an owned backend's iommufd: nothing unknown. */
static void fuzz_host_before(void *priv, const struct emu_host_call *c)
{
	struct fuzz_state *h = priv;
	unsigned int k;

	if (c->entry != EMU_HOST_CLOSE || h->r.ctx_destroying)
		return;
	for (k = 0; k < OP_MAX_BACKENDS; k++)
		if (h->r.be[k] && h->r.hfd[k] < 0 &&
		    iofd_backend_fd(h->r.be[k]) == c->fd)
			fuzz_check_context(h, c->fd, (int)k, false);
}

/* Whether @c may create or destroy an object in an iommufd context. */
static bool fuzz_call_moves_objects(const struct emu_host_call *c)
{
	switch (c->entry) {
	case EMU_HOST_OPEN:
	case EMU_HOST_CLOSE:
		return true;
	case EMU_HOST_IOCTL:
		break;
	default:
		return false;
	}
	switch (c->request) {
	case IOMMU_IOAS_MAP:
	case IOMMU_IOAS_UNMAP:
	case IOMMU_IOAS_COPY:
	case IOMMU_IOAS_IOVA_RANGES:
	case IOMMU_IOAS_ALLOW_IOVAS:
	case IOMMU_OPTION:
	case IOMMU_GET_HW_INFO:
	case IOMMU_HWPT_SET_DIRTY_TRACKING:
	case IOMMU_HWPT_GET_DIRTY_BITMAP:
		return false;
	default:
		return true;
	}
}

static void fuzz_host_call(void *priv, const struct emu_host_call *c,
			   bool injected)
{
	struct fuzz_state *h = priv;

	if (fuzz_call_moves_objects(c))
		h->object_calls++;
	fuzz_call_host(h, c);
}

/* A fresh scratch IOAS holds nothing. */
static void fuzz_scratch_new(void *priv, unsigned int k)
{
	struct fuzz_state *h = priv;

	if (h->r.scratch[k].ioas == 0)
		fuzz_fail(h, "be%u allocated IOAS id 0", k);
	h->shadow[k].count = 0;
}

/* The dirty sink: only a region-del may flush, and only its region. */
static void fuzz_dirty(void *priv, uint64_t iova, uint64_t size,
		       uint64_t page_size, const uint64_t *bitmap)
{
	struct fuzz_state *h = priv;

	if (!h->flush_armed)
		fuzz_fail(h, "dirty bits flushed outside a region removal");
	if (iova != h->flush_want.iova || size != h->flush_want.size ||
	    page_size == 0 || !bitmap)
		fuzz_fail(h, "flushed [%#" PRIx64 ", +%#" PRIx64 ") while removing [%#" PRIx64 ", +%#" PRIx64 ")",
			  iova, size, h->flush_want.iova, h->flush_want.size);
	h->flushes++;
}

static void fuzz_teardown_begin(void *priv)
{
	struct fuzz_state *h = priv;

	h->step = "teardown";
	if (h->o->verbose)
		fprintf(h->log, "teardown:\n");
}

/* Every step must release what it holds, faults or not. */
static void fuzz_teardown_step(void *priv, enum oprun_step step,
			       unsigned int idx, int ret)
{
	struct fuzz_state *h = priv;
	unsigned int k;

	h->step = oprun_step_name(step);
	if (h->o->verbose)
		fprintf(h->log, "  %s %u -> %d\n", h->step, idx, ret);
	switch (step) {
	case OPRUN_STEP_DETACH:
		fuzz_check_all(h);
		break;
	case OPRUN_STEP_SPACE_DESTROY:
		if (ret)
			fuzz_fail(h, "space%u with no device left: destroy gave %d",
				  idx, ret);
		break;
	case OPRUN_STEP_DISCONNECT:
		fuzz_check_backends(h);
		break;
	case OPRUN_STEP_BACKEND_DESTROY:
		if (ret)
			fuzz_fail(h, "be%u with no user: destroy gave %d", idx,
				  ret);
		break;
	case OPRUN_STEP_CTX_DESTROY:
		/* After leave: the context's destroy took everything. */
		for (k = 0; k < OP_MAX_BACKENDS; k++)
			if (h->r.hfd[k] >= 0)
				fuzz_check_context(h, h->r.hfd[k], -1, false);
		fuzz_check_kvm_files(h);
		break;
	case OPRUN_STEP_KVM_CLOSE:
		if (ret)
			fuzz_fail(h, "closing the KVM stand-in gave %d", ret);
		fuzz_check_empty(h);
		break;
	default:
		break;
	}
}

static const struct oprun_hooks fuzz_hooks = {
	.op_begin = fuzz_op_begin,
	.op_pre = fuzz_op_pre,
	.op_end = fuzz_op_end,
	.err = fuzz_hook_err,
	.calling = fuzz_calling,
	.called = fuzz_called,
	.teardown_begin = fuzz_teardown_begin,
	.teardown_step = fuzz_teardown_step,
	.host_before = fuzz_host_before,
	.host_call = fuzz_host_call,
	.scratch_new = fuzz_scratch_new,
	.dirty = fuzz_dirty,
};

/* ------------------------------------------------------------------ */
/* One input                                                           */

static int fuzz_setup(struct fuzz_state *h)
{
	const struct fuzz_opts *o = h->o;
	struct oprun_cfg *cfg = &h->cfg;
	int ret;

	h->region_space = -1;
	h->arena_before = o->arena_before;
	fuzz_sentinel_make(&h->sentinel);
	if (o->arena) {
		h->arena = o->arena;
	} else {
		h->arena = aligned_alloc(OP_PAGE_SIZE, OPRUN_ARENA_SIZE);
		if (!h->arena)
			return -ENOMEM;
		h->own_arena = true;
	}
	if (o->emu) {
		h->emu = o->emu;
	} else {
		ret = emu_create(&h->emu);
		if (ret < 0)
			return ret;
	}
	emu_uaccess_set(h->emu, EMU_UACCESS_TRUSTED);
	emu_mm_cache_use(h->emu, o->mm_cache);
	*cfg = (struct oprun_cfg){
		.prog = &h->prog, .emu = h->emu, .arena = h->arena,
		.sweep = o->sweep,
		.log = o->verbose ? h->log : NULL,
		.hooks = &fuzz_hooks, .priv = h,
	};
	emu_host(h->emu, &cfg->host);
	h->step = "setup";
	ret = oprun_init(&h->r, cfg);
	if (ret < 0)
		fuzz_fail(h, "the interpreter could not set up: %d", ret);
	iofd_ctx_set_trace(h->r.ctx, fuzz_trace, h);
	h->step = NULL;
	return 0;
}

/*
 * Destroy the input's own machine, or reset the driver's and, when asked,
 * prove the reset: its digest must be a new machine's.
 */
static void fuzz_machine_release(struct fuzz_state *h)
{
	const struct fuzz_opts *o = h->o;
	uint64_t digest;

	if (h->emu != o->emu) {
		emu_destroy(h->emu);
		return;
	}
	emu_reset(h->emu);
	if (!o->check_reset)
		return;
	digest = emu_digest(h->emu);
	if (digest != o->fresh_digest) {
		h->step = "reset";
		fuzz_fail(h, "the machine's digest after its reset is %#" PRIx64 ", a new machine's %#" PRIx64,
			  digest, o->fresh_digest);
	}
}

int fuzz_attach_run(const uint8_t *data, size_t size,
		    const struct fuzz_opts *o)
{
	/*
	 * On the stack: a heap block of this size per input would be fresh
	 * memory each time under ASan's quarantine (a page fault and a fill).
	 */
	struct fuzz_state state, *h = &state;
	int ret;

	h->o = o;
	h->r.cur_op = 0;
	h->log = o->log ? o->log : stdout;
	h->emu = NULL;
	h->own_arena = false;
	h->own_before = false;
	h->arena_before = NULL;
	h->dma_stamped = false;
	h->ever_fired = false;
	h->traces = 0;
	h->nabandoned = 0;
	h->object_calls = 0;
	h->objects_checked = ~0UL;
	h->core_calls = 0;
	h->state_checked_core = h->state_checked_host = ~0UL;
	h->flush_armed = false;
	h->flushes = 0;
	h->call.active = false;
	h->step = NULL;
	memset(h->diverged, 0, sizeof(h->diverged));
	memset(h->shadow, 0, sizeof(h->shadow));
	op_program_decode(data, size, &h->prog);

	ret = fuzz_setup(h);
	if (ret < 0)
		goto out_release;
	if (o->verbose) {
		fprintf(h->log, "program (%u ops):\n", h->prog.count);
		op_program_to_text(&h->prog, h->log, true);
		fprintf(h->log, "run:\n");
	}
	oprun_run(&h->r);
	ret = o->sweep.nth && h->r.sweep_fired ? FUZZ_SWEEP_FIRED : 0;
	oprun_fini(&h->r);

out_release:
	fuzz_machine_release(h);
	if (h->own_arena)
		free(h->arena);
	if (h->own_before)
		free(h->arena_before);
	return ret;
}

int fuzz_attach_driver_init(struct fuzz_opts *o)
{
	const char *check = getenv(FUZZ_CHECK_RESET_ENV);

	if (check && strcmp(check, "0") && strcmp(check, "1")) {
		fprintf(stderr, "fuzz_attach: " FUZZ_CHECK_RESET_ENV "='%s': want 1 (check the machine after every reset) or 0\n",
			check);
		return -EINVAL;
	}
	if (check && !strcmp(check, "1"))
		o->check_reset = true;
	fuzz_attach_check_api();
	o->arena = aligned_alloc(OP_PAGE_SIZE, OPRUN_ARENA_SIZE);
	if (!o->arena)
		goto err_fini;
	o->arena_before = malloc(OPRUN_ARENA_SIZE);
	if (!o->arena_before)
		goto err_fini;
	if (emu_mm_cache_create(&o->mm_cache) < 0)
		goto err_fini;
	if (emu_create(&o->emu) < 0)
		goto err_fini;
	if (o->emu_arena && emu_arena_use(o->emu) < 0)
		goto err_fini;
	o->fresh_digest = emu_digest(o->emu);
	return 0;

err_fini:
	fuzz_attach_driver_fini(o);
	return -ENOMEM;
}

void fuzz_attach_driver_fini(struct fuzz_opts *o)
{
	emu_destroy(o->emu);
	o->emu = NULL;
	emu_mm_cache_destroy(o->mm_cache);
	o->mm_cache = NULL;
	free(o->arena_before);
	o->arena_before = NULL;
	free(o->arena);
	o->arena = NULL;
}
