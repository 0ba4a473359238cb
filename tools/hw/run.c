/* SPDX-License-Identifier: MIT */
/*
 * Run one op-sequence program through libiofd over any host and keep each
 * op's result: the same program runs once over the emulator and once over
 * the real kernel, and the two result lists are compared by main.c.
 *
 * The ops mean what fuzz/oprun.c makes them mean, the code fuzz_attach runs
 * too, so a corpus file does the same thing here as there, with these
 * differences forced by real hardware:
 *   device   devN is still the N-th device op, but it stands for a named
 *            device: the first named device not yet taken whose profile is
 *            the op's. An op asking for a broken sysfs variant, or a
 *            profile no free named device has, leaves devN "not available"
 *            and every later op on devN is skipped, in both runs alike.
 *            In an emulator run the device is added at the named device's
 *            PCI address, so both runs use the same sysfs paths.
 *   checks   no invariant aborts the run: results are recorded and judged
 *            by the caller (a real kernel may rightly disagree).
 *   ops      the ops that need something a real machine here does not have
 *            are skipped on both sides alike: kvm (no /dev/kvm), dirty mark
 *            (only the emulated device can write), attach-cfg with a
 *            handed-in or wrong fd or a foreign space or backend.
 * Teardown is fuzz_attach's: detach every device, destroy the spaces, free
 * the scratch IOASes, disconnect and destroy the backends (closing a
 * handed-in iommufd after its backend) and the context.
 * The stack under libiofd is: fault plan -> cfg->host (a recorder) -> the
 * emulator or the guarded real host.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>

#include <linux/iommufd.h>

#include <iofd/iofd.h>

#include "hw.h"
#include "oprun.h"

_Static_assert(HW_RUN_SKIP == OPRUN_SKIPPED, "one skip result");
_Static_assert(HW_ARENA_SPAN == OPRUN_ARENA_SPAN, "one arena rule");

/* An unknown device flag, for attach-cfg's bad-flag. */
#define HW_RUN_BAD_DEVICE_FLAG 0x80000000u

struct hw_run_state {
	const struct hw_run_cfg *cfg;
	struct hw_run_result *res;
	struct emu_fault *fault;
	struct iofd_host fault_h;	/* the fault plan's host */
	struct emu_filter watch;	/* above the fault plan */
	/* The op slots; r.devs[N].sysfs is the named device devN took. */
	struct oprun r;
	bool taken[HW_MAX_DEVS];
	/* fault-alloc: fail the core's nth allocation from now. */
	struct oprun_alloc alloc;
	bool sweep_pending;
};

const char *hw_run_ret_name(int ret, char *buf, size_t cap)
{
	const char *n;

	if (ret == HW_RUN_SKIP)
		return "skip";
	if (ret >= 0) {
		snprintf(buf, cap, "%d", ret);
		return buf;
	}
	n = strerrorname_np(-ret);
	snprintf(buf, cap, "-%s", n ? n : "E?");
	return buf;
}

static void hw_run_trace(void *arg, const struct iofd_trace_event *ev)
{
	FILE *log = arg;

	fprintf(log, "      trace %-10s", iofd_trace_kind_name(ev->kind));
	if (ev->device)
		fprintf(log, " %s", ev->device);
	if (ev->what)
		fprintf(log, " %s", ev->what);
	fprintf(log, " id %u id2 %u iova %#" PRIx64 " size %#" PRIx64, ev->id,
		ev->id2, ev->iova, ev->size);
	if (ev->errnum)
		fprintf(log, " -%s", strerrorname_np(ev->errnum) ?
			strerrorname_np(ev->errnum) : "E?");
	fprintf(log, "\n");
}

/* ------------------------------------------------------------------ */
/* The watch: above the fault plan, tells the caller of failed DESTROYs   */

/*
 * The clean check must tell an object the core forgot from one it tried to
 * destroy and could not (an injected fault, or the EBUSY that follows from
 * one): the latter is left for the close of the iommufd to release. Only
 * above the fault plan are injected failures visible, so this filter sits
 * there and reports every IOMMU_DESTROY that failed.
 */
static void hw_run_watch_after(void *priv, struct emu_host_call *c)
{
	struct hw_run_state *h = priv;

	if (c->ret < 0 && c->entry == EMU_HOST_IOCTL &&
	    c->request == IOMMU_DESTROY && c->arg && h->cfg->destroy_failed)
		h->cfg->destroy_failed(h->cfg->destroy_arg, c->fd,
				       ((struct iommu_destroy *)c->arg)->id);
}

static const struct emu_filter_ops hw_run_watch_ops = {
	.after = hw_run_watch_after,
};

/* ------------------------------------------------------------------ */
/* Ops                                                                 */

static int hw_run_device(struct hw_run_state *h, const struct op *op)
{
	const struct hw_run_cfg *cfg = h->cfg;
	const struct emu_profile *want = emu_profile_get(op->device.profile);
	struct oprun_dev *d = &h->r.devs[h->r.ndevs];
	char path[HW_PATH_MAX];
	unsigned int i;
	int ret;

	if (h->r.ndevs == OP_MAX_DEVICES)
		return oprun_skip(&h->r, "all 8 devices added");
	h->r.ndevs++;
	d->sysfs = NULL;
	if (op->device.variant != EMU_SYSFS_OK) {
		d->why = "a broken sysfs variant cannot be staged on a real machine";
		return oprun_skip(&h->r, d->why);
	}
	for (i = 0; i < cfg->ndevs; i++)
		if (!h->taken[i] && cfg->devs[i].profile == want)
			break;
	if (i == cfg->ndevs) {
		d->why = "no free named device has this profile";
		return oprun_skip(&h->r, d->why);
	}
	h->taken[i] = true;
	h->res->used[i] = true;
	d->sysfs = cfg->devs[i].sysfs;
	if (!cfg->emu)
		return 0;
	ret = emu_device_add(cfg->emu, want, cfg->devs[i].bdf, EMU_SYSFS_OK,
			     path, sizeof(path));
	return ret < 0 ? ret : 0;
}

static int hw_run_attach(struct hw_run_state *h, const struct op *op)
{
	struct oprun_attach a;
	struct iofd_device *dev;
	int ret;

	if (op->code == OP_ATTACH_CFG &&
	    (op->attach_cfg.how != OP_HOW_SYSFS ||
	     op->attach_cfg.mix != OP_MIX_OK))
		return oprun_skip(&h->r, "handed-in fds and foreign objects are not staged in hardware mode");
	ret = oprun_attach_prepare(&h->r, op, &a);
	if (ret)
		return ret;
	return oprun_attach(&h->r, op, &a, &dev);
}

static int hw_run_region_add(struct hw_run_state *h, const struct op *op)
{
	struct iofd_region reg;
	int ret;

	ret = oprun_region_add_prepare(&h->r, op, &reg);
	if (ret)
		return ret;
	return oprun_region_add(&h->r, op, &reg);
}

static int hw_run_region_del(struct hw_run_state *h, const struct op *op)
{
	uint64_t iova, size;
	int ret;

	ret = oprun_region_del_prepare(&h->r, op, &iova, &size);
	if (ret)
		return ret;
	return oprun_region_del(&h->r, op, iova, size);
}

static int hw_run_map(struct hw_run_state *h, const struct op *op)
{
	int ret;

	ret = oprun_scratch_get(&h->r, op->map.be);
	if (ret < 0)
		return ret;
	return oprun_map(&h->r, op);
}

static int hw_run_fault(struct hw_run_state *h, const struct op *op)
{
	if (h->sweep_pending)
		return oprun_skip(&h->r, "the sweep owns the fault plan");
	emu_fault_fail_nth(h->fault, op->fault.nth,
			   op_errno_value(op->fault.err));
	return 0;
}

static int hw_run_connect(struct hw_run_state *h, const struct op *op)
{
	if (h->r.conns[op->be.be] == OPRUN_MAX_CONNS)
		return oprun_skip(&h->r, "the runner holds enough connections");
	return oprun_connect(&h->r, op->be.be);
}

static int hw_run_disconnect(struct hw_run_state *h, const struct op *op)
{
	if (h->r.conns[op->be.be] == 0)
		return oprun_skip(&h->r, "the runner holds no connection");
	return oprun_disconnect(&h->r, op->be.be);
}

/*
 * Recreate beK: owned, or on an iommufd the runner opens (below the fault
 * plan: its own open never fails) and hands in. The slot must not stay
 * empty: a failed create is tried once more.
 */
static int hw_run_backend(struct hw_run_state *h, const struct op *op)
{
	unsigned int k = op->backend.be;
	struct iofd_backend *be;
	int ret, fd = -1;

	if (op->backend.mode == OP_BE_BADFD)
		return oprun_backend_badfd(&h->r, &be);
	ret = oprun_backend_destroy(&h->r, k);
	if (ret < 0)
		return ret;
	oprun_hfd_close(&h->r, k);
	if (op->backend.mode == OP_BE_FD) {
		fd = oprun_backend_open_fd(&h->r);
		if (fd < 0)
			return fd;
	}
	ret = oprun_backend_make(&h->r, k, fd);
	if (ret < 0) {
		ret = oprun_backend_make(&h->r, k, fd);
		if (ret < 0 && fd >= 0)
			h->r.raw.ops->close(h->r.raw.priv, fd);
	}
	return ret;
}

static int hw_run_unmap_all(struct hw_run_state *h, const struct op *op)
{
	uint64_t unmapped = 0;
	int ret;

	ret = oprun_scratch_get(&h->r, op->be.be);
	if (ret < 0)
		return ret;
	return oprun_unmap_all(&h->r, op->be.be, &unmapped);
}

static int hw_run_ranges(struct hw_run_state *h, const struct op *op)
{
	struct oprun_ranges q;
	int ret;

	ret = oprun_ranges(&h->r, op, &q);
	if (ret == 0)
		iofd_free(h->r.ctx, q.r);
	return ret;
}

static int hw_run_probe(struct hw_run_state *h, const struct op *op)
{
	const char *call;
	uint32_t id;
	int ret;

	ret = oprun_probe(&h->r, op, &id, &call);
	if (op->probe.verb == OP_PROBE_ALLOC_IOAS && ret == 0)
		ret = oprun_free_id(&h->r, op->probe.be, id);
	return ret;
}

static int hw_run_hw_info(struct hw_run_state *h, const struct op *op)
{
	struct iofd_hw_info info;

	return oprun_hw_info(&h->r, op, &info);
}

/* A HWPT over the scratch IOAS (or a bogus id), exercised, freed at once. */
static int hw_run_hwpt(struct hw_run_state *h, const struct op *op)
{
	struct oprun_dev *d = oprun_attached(&h->r, op->hwpt.dev);
	uint32_t hwpt;
	int ret;

	if (!d)
		return OPRUN_SKIPPED;
	ret = oprun_scratch_get(&h->r, d->be);
	if (ret < 0)
		return ret;
	ret = oprun_hwpt_alloc(&h->r, op, d, &hwpt);
	if (ret < 0)
		return ret;
	if (op->hwpt.dirty)
		oprun_hwpt_dirty(&h->r, d->be, hwpt);
	return oprun_free_id(&h->r, d->be, hwpt);
}

static int hw_run_dirty(struct hw_run_state *h, const struct op *op)
{
	uint64_t bitmap[1] = { 0 };
	struct iofd_container *c;
	int ret;

	ret = oprun_dirty_container(&h->r, op, &c);
	if (ret)
		return ret;
	if (op->dirty.action == OP_DIRTY_MARK)
		return oprun_skip(&h->r, "only the emulated device can write pages");
	return oprun_dirty(&h->r, op, c, bitmap);
}

static int hw_run_fault_kind(struct hw_run_state *h, const struct op *op)
{
	if (h->sweep_pending)
		return oprun_skip(&h->r, "the sweep owns the fault plan");
	emu_fault_fail_every(h->fault, op->fault_kind.kinds,
			     op_req_value(op->fault_kind.req),
			     op_errno_value(op->fault_kind.err));
	return 0;
}

static int hw_run_fault_alloc(struct hw_run_state *h, const struct op *op)
{
	if (h->sweep_pending)
		return oprun_skip(&h->r, "the sweep owns the fault plan");
	oprun_alloc_arm(&h->alloc, op->fault.nth);
	return 0;
}

static int hw_run_op(struct hw_run_state *h, const struct op *op)
{
	switch (op->code) {
	case OP_DEVICE:
		return hw_run_device(h, op);
	case OP_SPACE:
		return oprun_space(&h->r);
	case OP_ATTACH:
		return hw_run_attach(h, op);
	case OP_DETACH:
		return oprun_detach(&h->r, op->detach.dev);
	case OP_REGION_ADD:
		return hw_run_region_add(h, op);
	case OP_REGION_DEL:
		return hw_run_region_del(h, op);
	case OP_MAP:
	case OP_UNMAP:
		return hw_run_map(h, op);
	case OP_FAULT:
		return hw_run_fault(h, op);
	case OP_ATTACH_CFG:
		return hw_run_attach(h, op);
	case OP_CONNECT:
		return hw_run_connect(h, op);
	case OP_DISCONNECT:
		return hw_run_disconnect(h, op);
	case OP_BACKEND:
		return hw_run_backend(h, op);
	case OP_UNMAP_ALL:
		return hw_run_unmap_all(h, op);
	case OP_RANGES:
		return hw_run_ranges(h, op);
	case OP_PROBE:
		return hw_run_probe(h, op);
	case OP_HW_INFO:
		return hw_run_hw_info(h, op);
	case OP_HWPT:
		return hw_run_hwpt(h, op);
	case OP_DIRTY:
		return hw_run_dirty(h, op);
	case OP_KVM:
		return oprun_skip(&h->r, "no KVM in hardware mode");
	case OP_DISCARD:
		return oprun_discard(&h->r, op);
	case OP_FAULT_KIND:
		return hw_run_fault_kind(h, op);
	case OP_FAULT_ALLOC:
		return hw_run_fault_alloc(h, op);
	default:
		/* Ops added to the language after this runner learnt it. */
		break;
	}
	return oprun_skip(&h->r, "op not supported in hardware mode");
}

/* ------------------------------------------------------------------ */
/* Results, teardown                                                   */

static void hw_run_note(struct hw_run_state *h, struct hw_op_result *r,
			int ret, bool fired_before)
{
	r->ret = ret;
	r->fired = !fired_before && emu_fault_fired(h->fault);
	if (ret == HW_RUN_SKIP)
		snprintf(r->msg, sizeof(r->msg), "%.*s",
			 (int)sizeof(r->msg) - 1, h->r.skip_why ? h->r.skip_why : "");
	else if (ret < 0)
		snprintf(r->msg, sizeof(r->msg), "%.*s",
			 (int)sizeof(r->msg) - 1, h->r.err.msg);
	else
		r->msg[0] = '\0';
	if (h->sweep_pending && emu_fault_fired(h->fault)) {
		h->sweep_pending = false;
		h->res->sweep_fired = true;
	}
}

/* Keep the first failing teardown step as the teardown's result. */
static void hw_run_teardown_step(struct hw_run_state *h, const char *what,
				 int ret, bool fired_before)
{
	struct hw_op_result *t = &h->res->teardown;

	if (h->cfg->verbose && ret < 0)
		fprintf(h->cfg->log, "    teardown %s -> -%s: %s\n", what,
			strerrorname_np(-ret) ? strerrorname_np(-ret) : "E?",
			h->r.err.msg);
	if (ret < 0 && t->ret == 0) {
		hw_run_note(h, t, ret, fired_before);
		return;
	}
	if (!fired_before && emu_fault_fired(h->fault))
		t->fired = true;
	if (h->sweep_pending && emu_fault_fired(h->fault)) {
		h->sweep_pending = false;
		h->res->sweep_fired = true;
	}
}

static void hw_run_teardown(struct hw_run_state *h)
{
	unsigned int j, k;
	bool fired;
	int ret;

	if (h->cfg->rec)
		emu_rec_set_tag(h->cfg->rec,
				hw_run_teardown_tag(h->cfg->prog));
	for (j = 0; j < h->r.ndevs; j++) {
		if (!h->r.devs[j].dev)
			continue;
		fired = emu_fault_fired(h->fault);
		ret = oprun_detach(&h->r, j);
		hw_run_teardown_step(h, "detach", ret, fired);
	}
	for (j = 0; j < h->r.nspaces; j++) {
		ret = iofd_space_destroy(h->r.spaces[j]);
		hw_run_teardown_step(h, "space destroy", ret, true);
	}
	h->r.nspaces = 0;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		if (h->r.scratch[k].allocated) {
			fired = emu_fault_fired(h->fault);
			ret = oprun_scratch_free(&h->r, k);
			hw_run_teardown_step(h, "free scratch IOAS", ret,
					     fired);
		}
		oprun_conns_drop(&h->r, k);
	}
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		ret = oprun_backend_destroy(&h->r, k);
		hw_run_teardown_step(h, "backend destroy", ret, true);
		/* A handed-in iommufd is closed by its owner, after. */
		oprun_hfd_close(&h->r, k);
	}
	iofd_ctx_destroy(h->r.ctx);
	h->r.ctx = NULL;
}

int hw_run(const struct hw_run_cfg *cfg, struct hw_run_result *res)
{
	struct hw_run_state *h;
	struct iofd_host watch_h;
	unsigned int i, k;
	int ret;

	memset(res, 0, sizeof(*res));
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cfg = cfg;
	h->res = res;
	oprun_init(&h->r, NULL, NULL);
	h->r.raw = *cfg->host;
	h->r.arena = cfg->arena;
	h->r.bad_flag = HW_RUN_BAD_DEVICE_FLAG;

	ret = emu_fault_create(cfg->host, &h->fault);
	if (ret < 0)
		goto out_free_state;
	emu_fault_host(h->fault, &h->fault_h);
	emu_filter_init(&h->watch, &h->fault_h, &hw_run_watch_ops, h, &watch_h);
	if (cfg->sweep_nth) {
		emu_fault_fail_nth(h->fault, cfg->sweep_nth, cfg->sweep_errno);
		h->sweep_pending = true;
	}
	ret = iofd_ctx_create(&watch_h, &h->r.ctx, &h->r.err);
	if (ret < 0)
		goto out_destroy_fault;
	ret = iofd_ctx_set_alloc(h->r.ctx, &oprun_alloc_ops, &h->alloc);
	if (ret < 0)
		goto out_destroy_ctx;
	if (cfg->verbose)
		iofd_ctx_set_trace(h->r.ctx, hw_run_trace, cfg->log);
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		ret = iofd_backend_create(h->r.ctx, &h->r.be[k], &h->r.err);
		if (ret < 0)
			goto out_destroy_ctx;
	}

	res->nops = cfg->prog->count;
	for (i = 0; i < cfg->prog->count; i++) {
		const struct op *op = &cfg->prog->ops[i];
		bool fired = emu_fault_fired(h->fault);
		char line[128], rb[24];

		if (cfg->rec)
			emu_rec_set_tag(cfg->rec, i);
		h->r.skip_why = NULL;
		ret = hw_run_op(h, op);
		hw_run_note(h, &res->op[i], ret, fired);
		if (cfg->verbose) {
			op_to_text(op, line, sizeof(line));
			fprintf(cfg->log, "  #%-2u %-36s -> %s%s%s%s\n", i, line,
				hw_run_ret_name(ret, rb, sizeof(rb)),
				res->op[i].msg[0] ? " (" : "",
				res->op[i].msg, res->op[i].msg[0] ? ")" : "");
		}
	}
	hw_run_teardown(h);
	res->calls = emu_fault_calls(h->fault);
	if (cfg->emu)
		emu_counters_get(cfg->emu, &res->left);
	ret = 0;
	goto out_destroy_fault;

out_destroy_ctx:
	/* Backends are freed with the context. */
	iofd_ctx_destroy(h->r.ctx);
out_destroy_fault:
	emu_fault_destroy(h->fault);
out_free_state:
	free(h);
	return ret;
}
