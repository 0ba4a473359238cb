/* SPDX-License-Identifier: MIT */
/*
 * Run one op-sequence program through the interpreter (fuzz/oprun.h) over
 * any host and keep each op's result: the same program runs once over the
 * emulator and once over the real kernel, and main.c compares the two.
 *
 * The ops mean what the interpreter makes them mean, exactly as in
 * fuzz_attach; this runner adds what real hardware forces, through the
 * interpreter's hooks, on both sides alike:
 *   devices  devN is still the N-th device op, but it stands for a named
 *            device: the first named device not yet taken whose profile is
 *            the op's. An op asking for a broken sysfs variant, or a
 *            profile no free named device has, leaves devN "not
 *            available". In an emulator run the device is added at the
 *            named device's PCI address, so both runs use the same paths.
 *   skips    ops that need what a real machine here does not have: kvm (no
 *            /dev/kvm), dirty mark and dma (only the emulated device
 *            writes or reads pages on its own), attach-cfg with a handed-in or wrong fd, a bad path or objects
 *            that are not the program's own (the guard lets no such path or
 *            fd through, so they are not staged), and leave (what it leaves
 *            to the close, the clean check would take for leaks).
 *   checks   none abort the run: results are recorded and judged by the
 *            caller (a real kernel may rightly disagree).
 * The stack under libiofd is the interpreter's (call log, fault plan)
 * over cfg->host, a recorder over the emulator or the guarded real host.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include <iofd/iofd.h>

#include "hw.h"

struct hw_run_state {
	const struct hw_run_cfg *cfg;
	struct hw_run_result *res;
	struct oprun_cfg ocfg;
	struct oprun r;
	bool taken[OP_MAX_DEVICES];
	unsigned long fires;		/* at the start of the op or teardown */
};

const char *hw_run_ret_name(int ret, char *buf, size_t cap)
{
	const char *n;

	if (ret == OPRUN_SKIPPED)
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
/* Hooks                                                               */

/* What a real machine cannot stage: skipped on both sides alike. */
static int hw_run_op_begin(void *priv, unsigned int i, const struct op *op,
			   const char **why)
{
	struct hw_run_state *h = priv;

	if (h->cfg->rec)
		emu_rec_set_tag(h->cfg->rec, i);
	h->fires = oprun_fires(&h->r);
	switch (op->code) {
	case OP_KVM:
		*why = "no KVM in hardware mode";
		return OPRUN_SKIPPED;
	case OP_LEAVE:
		/*
		 * What leave hands to the iommufd's close, the clean check
		 * (which keeps every iommufd alive) would count as leaked.
		 */
		*why = "leave is not staged in hardware mode";
		return OPRUN_SKIPPED;
	case OP_DIRTY:
		if (op->dirty.action != OP_DIRTY_MARK)
			break;
		*why = "only the emulated device can write pages";
		return OPRUN_SKIPPED;
	case OP_DMA:
		*why = "only the emulated device does DMA";
		return OPRUN_SKIPPED;
	case OP_ATTACH_CFG:
		if (op->attach_cfg.how == OP_HOW_SYSFS &&
		    op->attach_cfg.mix == OP_MIX_OK)
			break;
		*why = "handed-in fds, bad paths and foreign objects are not staged in hardware mode";
		return OPRUN_SKIPPED;
	default:
		break;
	}
	return 0;
}

static void hw_run_note(struct hw_run_state *h, struct hw_op_result *r,
			int ret)
{
	const char *msg = ret == OPRUN_SKIPPED ? h->r.skip_why :
			  ret < 0 ? h->r.err.msg : "";

	r->ret = ret;
	r->fired = oprun_fires(&h->r) != h->fires;
	snprintf(r->msg, sizeof(r->msg), "%.*s", (int)sizeof(r->msg) - 1,
		 msg ? msg : "");
}

static void hw_run_op_end(void *priv, unsigned int i, const struct op *op,
			  int ret)
{
	struct hw_run_state *h = priv;
	struct hw_op_result *res = &h->res->op[i];
	char line[160], rb[24];

	hw_run_note(h, res, ret);
	if (!h->cfg->verbose)
		return;
	op_to_text(op, line, sizeof(line));
	fprintf(h->cfg->log, "  #%-2u %-36s -> %s%s%s%s\n", i, line,
		hw_run_ret_name(ret, rb, sizeof(rb)), res->msg[0] ? " (" : "",
		res->msg, res->msg[0] ? ")" : "");
}

/*
 * devN: the first free named device with the op's profile; on the
 * emulator side it is added at that device's PCI address. Handed-in fds
 * are not staged, so no cdev is given.
 */
static int hw_run_device_add(void *priv, unsigned int n, const struct op *op,
			     char *sysfs, char *cdev, const char **why)
{
	struct hw_run_state *h = priv;
	const struct hw_run_cfg *cfg = h->cfg;
	const struct emu_profile *want = emu_profile_get(op->device.profile);
	char path[OPRUN_PATH_MAX];
	unsigned int i;
	int ret;

	if (op->device.variant != EMU_SYSFS_OK) {
		*why = "a broken sysfs variant cannot be staged on a real machine";
		return OPRUN_SKIPPED;
	}
	for (i = 0; i < cfg->ndevs; i++)
		if (!h->taken[i] && cfg->devs[i].profile == want)
			break;
	if (i == cfg->ndevs) {
		*why = "no free named device has this profile";
		return OPRUN_SKIPPED;
	}
	h->taken[i] = true;
	h->res->used[i] = true;
	snprintf(sysfs, OPRUN_PATH_MAX, "%s", cfg->devs[i].sysfs);
	cdev[0] = '\0';
	if (!cfg->emu)
		return 0;
	ret = emu_device_add(cfg->emu, want, cfg->devs[i].bdf, EMU_SYSFS_OK,
			     path, sizeof(path));
	return ret < 0 ? ret : 0;
}

static void hw_run_teardown_begin(void *priv)
{
	struct hw_run_state *h = priv;

	if (h->cfg->rec)
		emu_rec_set_tag(h->cfg->rec,
				hw_run_teardown_tag(h->cfg->prog));
	h->fires = oprun_fires(&h->r);
}

/* The teardown's result is its first failing step. */
static void hw_run_teardown_step(void *priv, enum oprun_step step,
				 unsigned int idx, int ret)
{
	struct hw_run_state *h = priv;
	struct hw_op_result *t = &h->res->teardown;

	if (ret >= 0)
		return;
	if (h->cfg->verbose)
		fprintf(h->cfg->log, "    teardown %s %u -> -%s: %s\n",
			oprun_step_name(step), idx,
			strerrorname_np(-ret) ? strerrorname_np(-ret) : "E?",
			h->r.err.msg);
	if (t->ret == 0)
		snprintf(t->msg, sizeof(t->msg), "%s: %.*s",
			 oprun_step_name(step), (int)sizeof(t->msg) - 40,
			 h->r.err.msg);
	if (t->ret == 0)
		t->ret = ret;
}

/*
 * The clean check must tell an object the core forgot from one it tried
 * to destroy and could not (an injected fault, or the EBUSY that follows
 * from one): the latter may stay until its iommufd closes. The call log
 * sees injected failures too, so every failed IOMMU_DESTROY is told.
 */
static void hw_run_host_call(void *priv, const struct emu_host_call *c,
			     bool injected)
{
	struct hw_run_state *h = priv;

	if (c->ret < 0 && c->entry == EMU_HOST_IOCTL &&
	    c->request == IOMMU_DESTROY && c->arg && h->cfg->destroy_failed)
		h->cfg->destroy_failed(h->cfg->destroy_arg, c->fd,
				       ((struct iommu_destroy *)c->arg)->id);
}

static const struct oprun_hooks hw_run_hooks = {
	.op_begin = hw_run_op_begin,
	.op_end = hw_run_op_end,
	.device_add = hw_run_device_add,
	.teardown_begin = hw_run_teardown_begin,
	.teardown_step = hw_run_teardown_step,
	.host_call = hw_run_host_call,
};

int hw_run(const struct hw_run_cfg *cfg, struct hw_run_result *res)
{
	struct hw_run_state *h;
	int ret;

	memset(res, 0, sizeof(*res));
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cfg = cfg;
	h->res = res;
	h->ocfg = (struct oprun_cfg){
		.prog = cfg->prog, .host = *cfg->host, .emu = cfg->emu,
		.arena = cfg->arena, .sweep = cfg->sweep,
		.hooks = &hw_run_hooks,
		.priv = h,
	};
	ret = oprun_init(&h->r, &h->ocfg);
	if (ret < 0)
		goto out_free_state;
	if (cfg->verbose)
		iofd_ctx_set_trace(h->r.ctx, hw_run_trace, cfg->log);
	res->nops = cfg->prog->count;
	oprun_run(&h->r);
	res->teardown.fired = oprun_fires(&h->r) != h->fires;
	res->sweep_fired = h->r.sweep_fired;
	res->calls = h->r.log.calls;
	if (cfg->emu)
		emu_counters_get(cfg->emu, &res->left);
	oprun_fini(&h->r);
	ret = 0;

out_free_state:
	free(h);
	return ret;
}
