/* SPDX-License-Identifier: MIT */
/*
 * Run one op-sequence program through libiofd over any host and keep each
 * op's result: the same program runs once over the emulator and once over
 * the real kernel, and the two result lists are compared by main.c.
 *
 * The ops mean what fuzz/harness.c says they mean, so a corpus file does
 * the same thing here as in fuzz_attach, with these differences forced by
 * real hardware:
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

struct hw_run_dev {
	int named;			/* index into cfg->devs, -1: none */
	const char *why;		/* when named < 0 */
	struct iofd_device *dev;	/* NULL while not attached */
};

struct hw_run_scratch {
	bool allocated;
	uint32_t ioas;
};

/* Connections the runner holds on one backend (connect ops, scratch). */
#define HW_RUN_MAX_CONNS 4
/* An object id never allocated, for hwpt's bad-pt. */
#define HW_RUN_BOGUS_ID 0xfff0

struct hw_run_state {
	const struct hw_run_cfg *cfg;
	struct hw_run_result *res;
	struct emu_fault *fault;
	struct iofd_host fault_h;	/* the fault plan's host */
	struct iofd_ctx *ctx;
	struct iofd_backend *be[OP_MAX_BACKENDS];
	struct iofd_space *spaces[OP_MAX_SPACES];
	unsigned int nspaces;
	struct hw_run_dev devs[OP_MAX_DEVICES];
	unsigned int ndevs;
	bool taken[HW_MAX_DEVS];
	unsigned int dev_be[OP_MAX_DEVICES];	/* backend of devN's attach */
	struct hw_run_scratch scratch[OP_MAX_BACKENDS];
	unsigned int conns[OP_MAX_BACKENDS];
	int hfd[OP_MAX_BACKENDS];	/* handed-in iommufd of beK, or -1 */
	unsigned int discard_required;
	/* fault-alloc: fail the core's alloc_nth-th allocation from now. */
	unsigned long alloc_calls;
	unsigned long alloc_nth;
	bool alloc_fired;
	bool sweep_pending;
	struct iofd_error err;
	const char *skip_why;
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

static void *hw_run_page_va(struct hw_run_state *h, unsigned int page)
{
	return (uint8_t *)h->cfg->arena +
	       (size_t)(page % HW_ARENA_SPAN) * OP_PAGE_SIZE;
}

static int hw_run_skip(struct hw_run_state *h, const char *why)
{
	h->skip_why = why;
	return HW_RUN_SKIP;
}

/* ------------------------------------------------------------------ */
/* The watch: above the fault plan, tells the caller of failed DESTROYs   */

/*
 * The clean check must tell an object the core forgot from one it tried to
 * destroy and could not (an injected fault, or the EBUSY that follows from
 * one): the latter is left for the close of the iommufd to release. Only
 * above the fault plan are injected failures visible, so this thin wrapper
 * sits there and reports every IOMMU_DESTROY that failed.
 */
static int hw_run_w_open(void *priv, const char *path, int flags)
{
	struct hw_run_state *h = priv;

	return h->fault_h.ops->open(h->fault_h.priv, path, flags);
}

static int hw_run_w_close(void *priv, int fd)
{
	struct hw_run_state *h = priv;

	return h->fault_h.ops->close(h->fault_h.priv, fd);
}

static int hw_run_w_ioctl(void *priv, int fd, unsigned long request,
			  void *arg)
{
	struct hw_run_state *h = priv;
	int ret = h->fault_h.ops->ioctl(h->fault_h.priv, fd, request, arg);

	if (ret < 0 && request == IOMMU_DESTROY && arg &&
	    h->cfg->destroy_failed)
		h->cfg->destroy_failed(h->cfg->destroy_arg, fd,
				       ((struct iommu_destroy *)arg)->id);
	return ret;
}

static int hw_run_w_fstat(void *priv, int fd, struct stat *st)
{
	struct hw_run_state *h = priv;

	return h->fault_h.ops->fstat(h->fault_h.priv, fd, st);
}

static int hw_run_w_stat(void *priv, const char *path, struct stat *st)
{
	struct hw_run_state *h = priv;

	return h->fault_h.ops->stat(h->fault_h.priv, path, st);
}

static ssize_t hw_run_w_read_file(void *priv, const char *path, char *buf,
				  size_t cap)
{
	struct hw_run_state *h = priv;

	return h->fault_h.ops->read_file(h->fault_h.priv, path, buf, cap);
}

static int hw_run_w_list_dir(void *priv, const char *path, iofd_dir_cb cb,
			     void *arg)
{
	struct hw_run_state *h = priv;

	return h->fault_h.ops->list_dir(h->fault_h.priv, path, cb, arg);
}

static const struct iofd_host_ops hw_run_watch_ops = {
	.open = hw_run_w_open,
	.close = hw_run_w_close,
	.ioctl = hw_run_w_ioctl,
	.fstat = hw_run_w_fstat,
	.stat = hw_run_w_stat,
	.read_file = hw_run_w_read_file,
	.list_dir = hw_run_w_list_dir,
};

/* ------------------------------------------------------------------ */
/* Ops                                                                 */

static int hw_run_device(struct hw_run_state *h, const struct op *op)
{
	const struct hw_run_cfg *cfg = h->cfg;
	const struct emu_profile *want = emu_profile_get(op->device.profile);
	struct hw_run_dev *d = &h->devs[h->ndevs];
	char path[HW_PATH_MAX];
	unsigned int i;
	int ret;

	if (h->ndevs == OP_MAX_DEVICES)
		return hw_run_skip(h, "all 8 devices added");
	h->ndevs++;
	d->named = -1;
	if (op->device.variant != EMU_SYSFS_OK) {
		d->why = "a broken sysfs variant cannot be staged on a real machine";
		return hw_run_skip(h, d->why);
	}
	for (i = 0; i < cfg->ndevs; i++)
		if (!h->taken[i] && cfg->devs[i].profile == want)
			break;
	if (i == cfg->ndevs) {
		d->why = "no free named device has this profile";
		return hw_run_skip(h, d->why);
	}
	h->taken[i] = true;
	h->res->used[i] = true;
	d->named = (int)i;
	if (!cfg->emu)
		return 0;
	ret = emu_device_add(cfg->emu, want, cfg->devs[i].bdf, EMU_SYSFS_OK,
			     path, sizeof(path));
	return ret < 0 ? ret : 0;
}

static int hw_run_space(struct hw_run_state *h)
{
	struct iofd_space *s = NULL;
	int ret;

	if (h->nspaces == OP_MAX_SPACES)
		return hw_run_skip(h, "all 4 spaces created");
	ret = iofd_space_create(h->ctx, &s, &h->err);
	if (ret == 0)
		h->spaces[h->nspaces++] = s;
	return ret;
}

static int hw_run_attach(struct hw_run_state *h, const struct op *op)
{
	unsigned int n = op->attach.dev, m = op->attach.space;
	struct hw_run_dev *d = &h->devs[n];
	struct iofd_device *dev = NULL;
	char name[16];
	int ret;

	if (n >= h->ndevs)
		return hw_run_skip(h, "no such device");
	if (d->named < 0)
		return hw_run_skip(h, d->why);
	if (m >= h->nspaces)
		return hw_run_skip(h, "no such space");
	snprintf(name, sizeof(name), "dev%u", n);
	ret = iofd_device_attach(h->ctx, name, h->cfg->devs[d->named].sysfs,
				 h->spaces[m], h->be[op->attach.be], &dev,
				 &h->err);
	/* A second attach of an attached device must fail; keep the first. */
	if (ret == 0 && !d->dev) {
		d->dev = dev;
		h->dev_be[n] = op->attach.be;
	}
	return ret;
}

static int hw_run_detach(struct hw_run_state *h, const struct op *op)
{
	unsigned int n = op->detach.dev;
	int ret;

	if (n >= h->ndevs || !h->devs[n].dev)
		return hw_run_skip(h, "device not attached");
	/* The device is freed whatever detach returns. */
	ret = iofd_device_detach(h->devs[n].dev, &h->err);
	h->devs[n].dev = NULL;
	return ret;
}

static int hw_run_region_add(struct hw_run_state *h, const struct op *op)
{
	struct iofd_region r;

	if (op->region_add.space >= h->nspaces)
		return hw_run_skip(h, "no such space");
	r = (struct iofd_region){
		.iova = op_page_iova(op->region_add.window,
				     op->region_add.page),
		.size = (uint64_t)op->region_add.npages * OP_PAGE_SIZE,
		.vaddr = hw_run_page_va(h, op->region_add.page),
		.readonly = op->region_add.ro,
	};
	return iofd_space_region_add(h->spaces[op->region_add.space], &r,
				     &h->err);
}

static int hw_run_region_del(struct hw_run_state *h, const struct op *op)
{
	unsigned int m = op->region_del.space, idx = op->region_del.idx;
	const struct iofd_region *r;
	uint64_t iova, size;

	if (m >= h->nspaces)
		return hw_run_skip(h, "no such space");
	r = iofd_space_region_get(h->spaces[m], idx);
	if (r) {
		iova = r->iova;
		size = r->size;
	} else {
		iova = (uint64_t)idx * OP_PAGE_SIZE;
		size = OP_PAGE_SIZE;
	}
	return iofd_space_region_del(h->spaces[m], iova, size, &h->err);
}

/* Connect beK if the runner holds no connection, and allocate its scratch. */
static int hw_run_scratch_get(struct hw_run_state *h, unsigned int k)
{
	struct hw_run_scratch *sc = &h->scratch[k];
	uint32_t id = 0;
	int ret;

	if (h->conns[k] == 0) {
		ret = iofd_backend_connect(h->be[k], &h->err);
		if (ret < 0)
			return ret;
		h->conns[k]++;
	}
	if (!sc->allocated) {
		ret = iofd_backend_alloc_ioas(h->be[k], &id, &h->err);
		if (ret < 0)
			return ret;
		sc->allocated = true;
		sc->ioas = id;
	}
	return 0;
}

static int hw_run_map(struct hw_run_state *h, const struct op *op)
{
	unsigned int k = op->map.be;
	struct hw_run_scratch *sc = &h->scratch[k];
	uint64_t iova = op_page_iova(op->map.window, op->map.page);
	uint64_t len = (uint64_t)op->map.npages * OP_PAGE_SIZE;
	int ret;

	ret = hw_run_scratch_get(h, k);
	if (ret < 0)
		return ret;
	if (op->code == OP_MAP)
		return iofd_backend_map(h->be[k], sc->ioas, iova, len,
					hw_run_page_va(h, op->map.page), false,
					&h->err);
	return iofd_backend_unmap(h->be[k], sc->ioas, iova, len, &h->err);
}

static int hw_run_fault(struct hw_run_state *h, const struct op *op)
{
	if (h->sweep_pending)
		return hw_run_skip(h, "the sweep owns the fault plan");
	emu_fault_fail_nth(h->fault, op->fault.nth,
			   op_errno_value(op->fault.err));
	return 0;
}

static int hw_run_attach_cfg(struct hw_run_state *h, const struct op *op)
{
	unsigned int n = op->attach_cfg.dev, m = op->attach_cfg.space;
	struct hw_run_dev *d = &h->devs[n];
	struct iofd_device_cfg dc = { .fd = -1 };
	struct iofd_device *dev = NULL;
	char name[IOFD_DEVICE_NAME_MAX + 8];
	int ret;

	if (op->attach_cfg.how != OP_HOW_SYSFS ||
	    op->attach_cfg.mix != OP_MIX_OK)
		return hw_run_skip(h, "handed-in fds and foreign objects are not staged in hardware mode");
	if (n >= h->ndevs)
		return hw_run_skip(h, "no such device");
	if (d->named < 0)
		return hw_run_skip(h, d->why);
	if (m >= h->nspaces)
		return hw_run_skip(h, "no such space");
	switch (op->attach_cfg.name) {
	case OP_NAME_NULL:
		dc.name = NULL;
		break;
	case OP_NAME_EMPTY:
		dc.name = "";
		break;
	case OP_NAME_LONG:
		memset(name, 'x', IOFD_DEVICE_NAME_MAX);
		name[IOFD_DEVICE_NAME_MAX] = '\0';
		dc.name = name;
		break;
	case OP_NAME_BLANK:
		snprintf(name, sizeof(name), "dev %u", n);
		dc.name = name;
		break;
	default:
		snprintf(name, sizeof(name), "dev%u", n);
		dc.name = name;
		break;
	}
	dc.sysfs_path = h->cfg->devs[d->named].sysfs;
	dc.flags = (op->attach_cfg.discard_ok ? IOFD_DEVICE_DISCARD_OK : 0) |
		   (op->attach_cfg.bad_flag ? 0x80000000u : 0);
	ret = iofd_device_attach_cfg(h->ctx, &dc, h->spaces[m],
				     h->be[op->attach_cfg.be], &dev, &h->err);
	if (ret == 0 && !d->dev) {
		d->dev = dev;
		h->dev_be[n] = op->attach_cfg.be;
	}
	return ret;
}

static int hw_run_connect(struct hw_run_state *h, const struct op *op)
{
	unsigned int k = op->be.be;
	int ret;

	if (h->conns[k] == HW_RUN_MAX_CONNS)
		return hw_run_skip(h, "the runner holds enough connections");
	ret = iofd_backend_connect(h->be[k], &h->err);
	if (ret == 0)
		h->conns[k]++;
	return ret;
}

/* The last connection takes the scratch IOAS with it (freed first). */
static int hw_run_disconnect(struct hw_run_state *h, const struct op *op)
{
	unsigned int k = op->be.be;
	struct hw_run_scratch *sc = &h->scratch[k];
	int ret = 0;

	if (h->conns[k] == 0)
		return hw_run_skip(h, "the runner holds no connection");
	if (h->conns[k] == 1 && sc->allocated) {
		ret = iofd_backend_free_id(h->be[k], sc->ioas, &h->err);
		sc->allocated = false;
	}
	iofd_backend_disconnect(h->be[k]);
	h->conns[k]--;
	return ret;
}

/* Recreate beK: owned, or on an iommufd the runner opens and hands in. */
static int hw_run_backend(struct hw_run_state *h, const struct op *op)
{
	unsigned int k = op->backend.be;
	const struct iofd_host *host = h->cfg->host;
	struct iofd_backend *be = NULL;
	int ret, fd = -1;

	if (op->backend.mode == OP_BE_BADFD)
		return iofd_backend_create_fd(h->ctx, -1, &be, &h->err);
	ret = iofd_backend_destroy(h->be[k]);
	if (ret < 0)
		return ret;
	h->be[k] = NULL;
	if (h->hfd[k] >= 0) {
		host->ops->close(host->priv, h->hfd[k]);
		h->hfd[k] = -1;
	}
	if (op->backend.mode == OP_BE_FD) {
		/* Below the fault plan: the runner's own open never fails. */
		fd = host->ops->open(host->priv, "/dev/iommu",
				     O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return fd;
		ret = iofd_backend_create_fd(h->ctx, fd, &be, &h->err);
	} else {
		ret = iofd_backend_create(h->ctx, &be, &h->err);
	}
	if (ret < 0) {
		/* The slot must not stay empty: one more try. */
		ret = fd >= 0 ? iofd_backend_create_fd(h->ctx, fd, &be, &h->err) :
				iofd_backend_create(h->ctx, &be, &h->err);
		if (ret < 0) {
			if (fd >= 0)
				host->ops->close(host->priv, fd);
			return ret;
		}
	}
	h->be[k] = be;
	h->hfd[k] = fd;
	return 0;
}

static int hw_run_unmap_all(struct hw_run_state *h, const struct op *op)
{
	unsigned int k = op->be.be;
	uint64_t unmapped = 0;
	int ret;

	ret = hw_run_scratch_get(h, k);
	if (ret < 0)
		return ret;
	return iofd_backend_unmap_all(h->be[k], h->scratch[k].ioas, &unmapped,
				      &h->err);
}

static struct iofd_container *hw_run_container_of_be(struct hw_run_state *h,
						     unsigned int k,
						     unsigned int which)
{
	unsigned int si;
	size_t ci;

	for (si = 0; si < h->nspaces; si++) {
		for (ci = 0; ci < iofd_space_container_count(h->spaces[si]);
		     ci++) {
			struct iofd_container *c =
				iofd_space_container_get(h->spaces[si], ci);

			if (iofd_container_backend(c) != h->be[k])
				continue;
			if (which-- == 0)
				return c;
		}
	}
	return NULL;
}

static int hw_run_ranges(struct hw_run_state *h, const struct op *op)
{
	unsigned int k = op->ranges.be;
	struct iofd_iova_range *r = NULL;
	struct iofd_container *c;
	uint64_t align = 0;
	size_t count = 0;
	uint32_t ioas;
	int ret;

	if (op->ranges.which == 0) {
		ret = hw_run_scratch_get(h, k);
		if (ret < 0)
			return ret;
		ioas = h->scratch[k].ioas;
	} else {
		c = hw_run_container_of_be(h, k, op->ranges.which - 1u);
		if (!c)
			return hw_run_skip(h, "no such container");
		ioas = iofd_container_ioas(c);
	}
	ret = iofd_backend_iova_ranges(h->be[k], ioas, &r, &count, &align,
				       &h->err);
	if (ret == 0)
		iofd_free(h->ctx, r);
	return ret;
}

/* One backend verb on object id 0, which never exists. */
static int hw_run_probe(struct hw_run_state *h, const struct op *op)
{
	struct iofd_backend *be = h->be[op->probe.be];
	struct iofd_iova_range *r = NULL;
	struct iofd_hw_info info;
	uint64_t bitmap[1] = { 0 }, n = 0;
	size_t count = 0;
	uint32_t id = 0;
	int ret;

	switch (op->probe.verb) {
	case OP_PROBE_ALLOC_IOAS:
		ret = iofd_backend_alloc_ioas(be, &id, &h->err);
		if (ret == 0)
			ret = iofd_backend_free_id(be, id, &h->err);
		return ret;
	case OP_PROBE_FREE_ID:
		return iofd_backend_free_id(be, 0, &h->err);
	case OP_PROBE_MAP:
		return iofd_backend_map(be, 0, 0, OP_PAGE_SIZE, h->cfg->arena,
					true, &h->err);
	case OP_PROBE_UNMAP:
		return iofd_backend_unmap(be, 0, 0, OP_PAGE_SIZE, &h->err);
	case OP_PROBE_UNMAP_ALL:
		return iofd_backend_unmap_all(be, 0, &n, &h->err);
	case OP_PROBE_RANGES:
		ret = iofd_backend_iova_ranges(be, 0, &r, &count, NULL,
					       &h->err);
		if (ret == 0)
			iofd_free(h->ctx, r);
		return ret;
	case OP_PROBE_HWPT_ALLOC:
		return iofd_backend_alloc_hwpt(be, 0, 0, 0, &id, &h->err);
	case OP_PROBE_HW_INFO:
		return iofd_backend_get_hw_info(be, 0, &info, &h->err);
	case OP_PROBE_SET_DIRTY:
		return iofd_backend_set_dirty_tracking(be, 0, true, &h->err);
	case OP_PROBE_GET_DIRTY:
		return iofd_backend_get_dirty_bitmap(be, 0, 0, OP_PAGE_SIZE,
						     OP_PAGE_SIZE, bitmap,
						     &h->err);
	default:
		return hw_run_skip(h, "probe verb out of range");
	}
}

static int hw_run_hw_info(struct hw_run_state *h, const struct op *op)
{
	struct hw_run_dev *d = &h->devs[op->hwpt.dev];
	struct iofd_hw_info info;

	if (op->hwpt.dev >= h->ndevs || !d->dev)
		return hw_run_skip(h, "device not attached");
	return iofd_backend_get_hw_info(h->be[h->dev_be[op->hwpt.dev]],
					iofd_device_devid(d->dev), &info,
					&h->err);
}

/* A HWPT over the scratch IOAS (or a bogus id), exercised, freed at once. */
static int hw_run_hwpt(struct hw_run_state *h, const struct op *op)
{
	struct hw_run_dev *d = &h->devs[op->hwpt.dev];
	uint64_t bitmap[1] = { 0 };
	uint32_t hwpt = 0, pt;
	unsigned int k;
	int ret;

	if (op->hwpt.dev >= h->ndevs || !d->dev)
		return hw_run_skip(h, "device not attached");
	k = h->dev_be[op->hwpt.dev];
	ret = hw_run_scratch_get(h, k);
	if (ret < 0)
		return ret;
	pt = op->hwpt.bad_pt ? HW_RUN_BOGUS_ID : h->scratch[k].ioas;
	ret = iofd_backend_alloc_hwpt(h->be[k], iofd_device_devid(d->dev), pt,
				      op->hwpt.dirty ?
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING : 0,
				      &hwpt, &h->err);
	if (ret < 0)
		return ret;
	if (op->hwpt.dirty) {
		ret = iofd_backend_set_dirty_tracking(h->be[k], hwpt, true,
						      &h->err);
		if (ret == 0)
			ret = iofd_backend_get_dirty_bitmap(h->be[k], hwpt, 0,
					OP_PAGE_SIZE * 64, OP_PAGE_SIZE,
					bitmap, &h->err);
	}
	return iofd_backend_free_id(h->be[k], hwpt, &h->err);
}

static int hw_run_dirty(struct hw_run_state *h, const struct op *op)
{
	uint64_t bitmap[1] = { 0 };
	struct iofd_container *c;

	if (op->dirty.space >= h->nspaces)
		return hw_run_skip(h, "no such space");
	c = iofd_space_container_get(h->spaces[op->dirty.space],
				     op->dirty.idx);
	if (!c)
		return hw_run_skip(h, "no such container");
	switch (op->dirty.action) {
	case OP_DIRTY_ON:
	case OP_DIRTY_OFF:
		return iofd_container_set_dirty_tracking(c,
				op->dirty.action == OP_DIRTY_ON, &h->err);
	case OP_DIRTY_QUERY:
		return iofd_container_query_dirty(c,
				op_page_iova(OP_WINDOW_LOW, op->dirty.page),
				(uint64_t)op->dirty.npages * OP_PAGE_SIZE,
				OP_PAGE_SIZE, bitmap, &h->err);
	default:
		return hw_run_skip(h, "only the emulated device can write pages");
	}
}

static int hw_run_discard(struct hw_run_state *h, const struct op *op)
{
	bool require = op->mode.mode == 0;
	int ret;

	ret = iofd_ctx_require_discard(h->ctx, require, &h->err);
	if (ret == 0)
		h->discard_required += require ? 1 : -1;
	return ret;
}

static int hw_run_fault_kind(struct hw_run_state *h, const struct op *op)
{
	if (h->sweep_pending)
		return hw_run_skip(h, "the sweep owns the fault plan");
	emu_fault_fail_every(h->fault, op->fault_kind.kinds,
			     op_req_value(op->fault_kind.req),
			     op_errno_value(op->fault_kind.err));
	return 0;
}

static int hw_run_fault_alloc(struct hw_run_state *h, const struct op *op)
{
	if (h->sweep_pending)
		return hw_run_skip(h, "the sweep owns the fault plan");
	h->alloc_calls = 0;
	h->alloc_nth = op->fault.nth;
	h->alloc_fired = false;
	return 0;
}

/* The core's allocator: fails the armed allocation once, like the harness. */
static void *hw_run_realloc(void *priv, void *ptr, size_t size)
{
	struct hw_run_state *h = priv;

	h->alloc_calls++;
	if (h->alloc_nth && !h->alloc_fired &&
	    h->alloc_calls == h->alloc_nth) {
		h->alloc_fired = true;
		return NULL;
	}
	return realloc(ptr, size);
}

static void hw_run_free(void *priv, void *ptr)
{
	free(ptr);
}

static const struct iofd_alloc_ops hw_run_alloc_ops = {
	.realloc = hw_run_realloc,
	.free = hw_run_free,
};

static int hw_run_op(struct hw_run_state *h, const struct op *op)
{
	switch (op->code) {
	case OP_DEVICE:
		return hw_run_device(h, op);
	case OP_SPACE:
		return hw_run_space(h);
	case OP_ATTACH:
		return hw_run_attach(h, op);
	case OP_DETACH:
		return hw_run_detach(h, op);
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
		return hw_run_attach_cfg(h, op);
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
		return hw_run_skip(h, "no KVM in hardware mode");
	case OP_DISCARD:
		return hw_run_discard(h, op);
	case OP_FAULT_KIND:
		return hw_run_fault_kind(h, op);
	case OP_FAULT_ALLOC:
		return hw_run_fault_alloc(h, op);
	default:
		/* Ops added to the language after this runner learnt it. */
		break;
	}
	return hw_run_skip(h, "op not supported in hardware mode");
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
			 (int)sizeof(r->msg) - 1, h->skip_why ? h->skip_why : "");
	else if (ret < 0)
		snprintf(r->msg, sizeof(r->msg), "%.*s",
			 (int)sizeof(r->msg) - 1, h->err.msg);
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
			h->err.msg);
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
	for (j = 0; j < h->ndevs; j++) {
		if (!h->devs[j].dev)
			continue;
		fired = emu_fault_fired(h->fault);
		ret = iofd_device_detach(h->devs[j].dev, &h->err);
		h->devs[j].dev = NULL;
		hw_run_teardown_step(h, "detach", ret, fired);
	}
	for (j = 0; j < h->nspaces; j++) {
		ret = iofd_space_destroy(h->spaces[j]);
		hw_run_teardown_step(h, "space destroy", ret, true);
	}
	h->nspaces = 0;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		struct hw_run_scratch *sc = &h->scratch[k];

		if (sc->allocated) {
			fired = emu_fault_fired(h->fault);
			ret = iofd_backend_free_id(h->be[k], sc->ioas, &h->err);
			hw_run_teardown_step(h, "free scratch IOAS", ret,
					     fired);
			sc->allocated = false;
		}
		while (h->conns[k]) {
			iofd_backend_disconnect(h->be[k]);
			h->conns[k]--;
		}
	}
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		ret = iofd_backend_destroy(h->be[k]);
		hw_run_teardown_step(h, "backend destroy", ret, true);
		if (ret == 0)
			h->be[k] = NULL;
		/* A handed-in iommufd is closed by its owner, after. */
		if (h->hfd[k] >= 0)
			h->cfg->host->ops->close(h->cfg->host->priv, h->hfd[k]);
		h->hfd[k] = -1;
	}
	iofd_ctx_destroy(h->ctx);
	h->ctx = NULL;
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
	for (k = 0; k < OP_MAX_BACKENDS; k++)
		h->hfd[k] = -1;

	ret = emu_fault_create(cfg->host, &h->fault);
	if (ret < 0)
		goto out_free_state;
	emu_fault_host(h->fault, &h->fault_h);
	watch_h.ops = &hw_run_watch_ops;
	watch_h.priv = h;
	if (cfg->sweep_nth) {
		emu_fault_fail_nth(h->fault, cfg->sweep_nth, cfg->sweep_errno);
		h->sweep_pending = true;
	}
	ret = iofd_ctx_create(&watch_h, &h->ctx, &h->err);
	if (ret < 0)
		goto out_destroy_fault;
	ret = iofd_ctx_set_alloc(h->ctx, &hw_run_alloc_ops, h);
	if (ret < 0)
		goto out_destroy_ctx;
	if (cfg->verbose)
		iofd_ctx_set_trace(h->ctx, hw_run_trace, cfg->log);
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		ret = iofd_backend_create(h->ctx, &h->be[k], &h->err);
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
		h->skip_why = NULL;
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
	iofd_ctx_destroy(h->ctx);
out_destroy_fault:
	emu_fault_destroy(h->fault);
out_free_state:
	free(h);
	return ret;
}
