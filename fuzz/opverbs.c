/* SPDX-License-Identifier: MIT */
/*
 * The meanings of the backend verbs and the machine-wide ops (oprun.h):
 * map, unmap, unmap-all, backend, ranges, probe, hw-info, hwpt, dirty,
 * kvm, discard, errors, leave, the fault ops and dma. opmean.c holds
 * the rest and the dispatch table; both keep its invariants.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "opmean.h"

/* ------------------------------------------------------------------ */
/* Backend verbs                                                       */

int oprun_op_map(struct oprun *r, const struct op *op)
{
	unsigned int k = op->map.be;
	struct iofd_region *reg = &r->cur.region;
	enum oprun_call call;
	int ret;

	ret = oprun_scratch_ready(r, k);
	if (ret)
		return ret;
	*reg = (struct iofd_region){
		.iova = op_page_iova(op->map.window, op->map.page),
		.size = (uint64_t)op->map.npages * OP_PAGE_SIZE,
		.vaddr = oprun_page_va(r, op->map.page),
	};
	call = op->code == OP_MAP ? OPRUN_BACKEND_MAP : OPRUN_BACKEND_UNMAP;
	oprun_pre(r, op, call);
	if (op->code == OP_MAP)
		ret = iofd_backend_map(r->be[k], r->scratch[k].ioas, reg->iova,
				       reg->size, reg->vaddr, false,
				       oprun_err(r));
	else
		ret = iofd_backend_unmap(r->be[k], r->scratch[k].ioas,
					 reg->iova, reg->size, oprun_err(r));
	if (ret == 0 && op->code == OP_MAP)
		r->scratch[k].mapped = true;
	return oprun_called(r, call, OPRUN_MAIN, ret);
}

int oprun_op_unmap_all(struct oprun *r, const struct op *op)
{
	unsigned int k = op->be.be;
	int ret;

	ret = oprun_scratch_ready(r, k);
	if (ret)
		return ret;
	oprun_pre(r, op, OPRUN_BACKEND_UNMAP_ALL);
	/* With nothing mapped there is nothing to count: NULL is allowed. */
	ret = iofd_backend_unmap_all(r->be[k], r->scratch[k].ioas,
				     r->scratch[k].mapped ? &r->cur.unmapped :
				     NULL, oprun_err(r));
	if (ret == 0)
		r->scratch[k].mapped = false;
	return oprun_called(r, OPRUN_BACKEND_UNMAP_ALL, OPRUN_MAIN, ret);
}

/*
 * Make beK: owned (@fd -1) or on the handed-in @fd, which stays the
 * interpreter's on failure.
 */
static int oprun_backend_make(struct oprun *r, unsigned int k, int fd,
			      enum oprun_role role)
{
	enum oprun_call call = fd >= 0 ? OPRUN_BACKEND_CREATE_FD :
			   OPRUN_BACKEND_CREATE;
	struct iofd_backend *be = NULL;
	int ret;

	oprun_calling(r, call);
	if (fd >= 0)
		ret = iofd_backend_create_fd(r->ctx, fd, &be, oprun_err(r));
	else
		ret = iofd_backend_create(r->ctx, &be, oprun_err(r));
	oprun_called(r, call, role, ret);
	if (ret == 0) {
		r->be[k] = be;
		r->hfd[k] = fd;
	}
	return ret;
}

int oprun_hfd_close(struct oprun *r, unsigned int k)
{
	int ret;

	if (r->hfd[k] < 0)
		return 0;
	ret = r->cfg->host.ops->close(r->cfg->host.priv, r->hfd[k]);
	r->hfd[k] = -1;
	return ret;
}

int oprun_op_backend(struct oprun *r, const struct op *op)
{
	unsigned int k = op->backend.be;
	struct iofd_backend *be = NULL;
	int ret, first, fd = -1;

	if (op->backend.mode == OP_BE_BADFD) {
		oprun_pre(r, op, OPRUN_BACKEND_CREATE_FD);
		ret = iofd_backend_create_fd(r->ctx, -1, &be, oprun_err(r));
		return oprun_called(r, OPRUN_BACKEND_CREATE_FD, OPRUN_MAIN,
				    ret);
	}
	if (!oprun_be(r, k))
		return OPRUN_SKIPPED;
	r->cur.users = iofd_backend_users(r->be[k]);
	r->cur.k = k;
	oprun_pre(r, op, OPRUN_BACKEND_DESTROY);
	ret = iofd_backend_destroy(r->be[k]);
	oprun_called(r, OPRUN_BACKEND_DESTROY, OPRUN_MAIN, ret);
	if (ret < 0)
		return ret;
	r->be[k] = NULL;
	r->scratch[k].nleft = 0;
	oprun_hfd_close(r, k);
	if (op->backend.mode == OP_BE_FD) {
		fd = r->cfg->host.ops->open(r->cfg->host.priv, "/dev/iommu",
					    O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return fd;
	}
	first = oprun_backend_make(r, k, fd, OPRUN_SETUP);
	if (first < 0 && oprun_backend_make(r, k, fd, OPRUN_SETUP) < 0 &&
	    fd >= 0)
		r->cfg->host.ops->close(r->cfg->host.priv, fd);
	return first;
}

int oprun_op_ranges(struct oprun *r, const struct op *op)
{
	unsigned int k = op->ranges.be;
	struct oprun_cur *c = &r->cur;
	int ret;

	if (!oprun_be(r, k))
		return OPRUN_SKIPPED;
	if (op->ranges.which == 0) {
		ret = oprun_scratch_get(r, k);
		if (ret < 0)
			return ret;
		c->ioas = r->scratch[k].ioas;
	} else {
		c->c = oprun_container_of_be(r, k, op->ranges.which - 1u);
		if (!c->c)
			return oprun_skip(r, "no such container");
		c->ioas = iofd_container_ioas(c->c);
	}
	oprun_pre(r, op, OPRUN_BACKEND_IOVA_RANGES);
	/* A container's query does without the alignment (it may be NULL). */
	ret = iofd_backend_iova_ranges(r->be[k], c->ioas, &c->ranges,
				       &c->nranges, c->c ? NULL : &c->align,
				       oprun_err(r));
	return oprun_called(r, OPRUN_BACKEND_IOVA_RANGES, OPRUN_MAIN, ret);
}

int oprun_op_probe(struct oprun *r, const struct op *op)
{
	unsigned int k = op->probe.be;
	struct iofd_backend *be = oprun_be(r, k);
	struct oprun_cur *c = &r->cur;
	struct iofd_iova_range *ranges = NULL;
	static const enum oprun_call calls[OP_PROBE_COUNT] = {
		OPRUN_BACKEND_ALLOC_IOAS, OPRUN_BACKEND_FREE_ID,
		OPRUN_BACKEND_MAP, OPRUN_BACKEND_UNMAP,
		OPRUN_BACKEND_UNMAP_ALL, OPRUN_BACKEND_IOVA_RANGES,
		OPRUN_BACKEND_ALLOC_HWPT, OPRUN_BACKEND_GET_HW_INFO,
		OPRUN_BACKEND_SET_DIRTY_TRACKING,
		OPRUN_BACKEND_GET_DIRTY_BITMAP,
	};
	size_t count = 0;
	int ret;

	if (!be)
		return OPRUN_SKIPPED;
	c->call = calls[op->probe.verb];
	oprun_pre(r, op, c->call);
	switch (op->probe.verb) {
	case OP_PROBE_ALLOC_IOAS:
		ret = iofd_backend_alloc_ioas(be, &c->id, oprun_err(r));
		break;
	case OP_PROBE_FREE_ID:
		ret = iofd_backend_free_id(be, 0, oprun_err(r));
		break;
	case OP_PROBE_MAP:
		ret = iofd_backend_map(be, 0, 0, OP_PAGE_SIZE,
				       r->cfg->arena, true, oprun_err(r));
		break;
	case OP_PROBE_UNMAP:
		ret = iofd_backend_unmap(be, 0, 0, OP_PAGE_SIZE, oprun_err(r));
		break;
	case OP_PROBE_UNMAP_ALL:
		ret = iofd_backend_unmap_all(be, 0, NULL, oprun_err(r));
		break;
	case OP_PROBE_RANGES:
		ret = iofd_backend_iova_ranges(be, 0, &ranges, &count, NULL,
					       oprun_err(r));
		iofd_free(r->ctx, ranges);
		break;
	case OP_PROBE_HWPT_ALLOC:
		ret = iofd_backend_alloc_hwpt(be, 0, 0, 0, &c->id,
					      oprun_err(r));
		break;
	case OP_PROBE_HW_INFO:
		ret = iofd_backend_get_hw_info(be, 0, &c->info, oprun_err(r));
		break;
	case OP_PROBE_SET_DIRTY:
		ret = iofd_backend_set_dirty_tracking(be, 0, true,
						      oprun_err(r));
		break;
	default:
		ret = iofd_backend_get_dirty_bitmap(be, 0, 0, OP_PAGE_SIZE,
						    OP_PAGE_SIZE, c->bitmap,
						    oprun_err(r));
		break;
	}
	oprun_called(r, c->call, OPRUN_MAIN, ret);
	/* An object made by a probe is freed at once, or kept for later. */
	if (ret == 0 && (op->probe.verb == OP_PROBE_ALLOC_IOAS ||
			 op->probe.verb == OP_PROBE_HWPT_ALLOC) &&
	    oprun_free_id(r, k, c->id, OPRUN_CLEANUP) < 0)
		oprun_leave_id(r, k, c->id);
	return ret;
}

int oprun_op_hw_info(struct oprun *r, const struct op *op)
{
	struct oprun_dev *d = oprun_attached(r, op->hwpt.dev);
	int ret;

	if (!d)
		return OPRUN_SKIPPED;
	oprun_pre(r, op, OPRUN_BACKEND_GET_HW_INFO);
	ret = iofd_backend_get_hw_info(r->be[d->be], iofd_device_devid(d->dev),
				       &r->cur.info, oprun_err(r));
	return oprun_called(r, OPRUN_BACKEND_GET_HW_INFO, OPRUN_MAIN, ret);
}

/* Dirty tracking on, and one bitmap read, of a fresh HWPT. */
static void oprun_hwpt_dirty(struct oprun *r, unsigned int k, uint32_t hwpt)
{
	uint64_t bitmap[1] = { 0 };
	int ret;

	oprun_calling(r, OPRUN_BACKEND_SET_DIRTY_TRACKING);
	ret = iofd_backend_set_dirty_tracking(r->be[k], hwpt, true,
					      oprun_err(r));
	oprun_called(r, OPRUN_BACKEND_SET_DIRTY_TRACKING, OPRUN_SETUP, ret);
	if (ret < 0)
		return;
	oprun_calling(r, OPRUN_BACKEND_GET_DIRTY_BITMAP);
	ret = iofd_backend_get_dirty_bitmap(r->be[k], hwpt, 0,
					    OP_PAGE_SIZE * 64, OP_PAGE_SIZE,
					    bitmap, oprun_err(r));
	oprun_called(r, OPRUN_BACKEND_GET_DIRTY_BITMAP, OPRUN_SETUP, ret);
}

int oprun_op_hwpt(struct oprun *r, const struct op *op)
{
	struct oprun_dev *d = oprun_attached(r, op->hwpt.dev);
	uint32_t pt;
	unsigned int k;
	int ret;

	if (!d)
		return OPRUN_SKIPPED;
	k = d->be;
	ret = oprun_scratch_get(r, k);
	if (ret < 0)
		return ret;
	pt = op->hwpt.bad_pt ? OPRUN_BOGUS_ID : r->scratch[k].ioas;
	oprun_pre(r, op, OPRUN_BACKEND_ALLOC_HWPT);
	ret = iofd_backend_alloc_hwpt(r->be[k], iofd_device_devid(d->dev), pt,
				      op->hwpt.dirty ?
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING : 0,
				      &r->cur.hwpt, oprun_err(r));
	oprun_called(r, OPRUN_BACKEND_ALLOC_HWPT, OPRUN_MAIN, ret);
	if (ret < 0)
		return ret;
	if (op->hwpt.dirty)
		oprun_hwpt_dirty(r, k, r->cur.hwpt);
	/* It holds the scratch IOAS: it must go; a one-shot fault passes. */
	if (oprun_free_id(r, k, r->cur.hwpt, OPRUN_CLEANUP) < 0 &&
	    oprun_free_id(r, k, r->cur.hwpt, OPRUN_CLEANUP) < 0)
		oprun_leave_id(r, k, r->cur.hwpt);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dirty tracking, KVM, discard, errors                                */

/* The device writes [iova, +len) through every HWPT of @c. */
static int oprun_dirty_mark(struct oprun *r, struct iofd_container *c,
			    uint64_t iova, uint64_t len)
{
	int fd = iofd_backend_fd(iofd_container_backend(c));
	size_t x;

	if (!r->cfg->emu)
		return oprun_skip(r, "only the emulated device can write pages");
	for (x = 0; x < iofd_container_hwpt_count(c); x++) {
		uint32_t id = 0;

		iofd_container_hwpt_get(c, x, &id, NULL);
		/* -EFAULT (not mapped) and -EINVAL (empty) are the input's. */
		emu_hwpt_dirty(r->cfg->emu, fd, id, iova, len);
	}
	return 0;
}

int oprun_op_dirty(struct oprun *r, const struct op *op)
{
	struct oprun_cur *cur = &r->cur;
	uint64_t iova = op_page_iova(OP_WINDOW_LOW, op->dirty.page);
	uint64_t len = (uint64_t)op->dirty.npages * OP_PAGE_SIZE;
	enum oprun_call call;
	int ret;

	if (op->dirty.space >= r->nspaces)
		return oprun_skip(r, "no such space");
	cur->c = iofd_space_container_get(r->spaces[op->dirty.space],
					  op->dirty.idx);
	if (!cur->c)
		return oprun_skip(r, "no such container");
	switch (op->dirty.action) {
	case OP_DIRTY_ON:
	case OP_DIRTY_OFF:
		call = OPRUN_CONTAINER_SET_DIRTY_TRACKING;
		oprun_pre(r, op, call);
		ret = iofd_container_set_dirty_tracking(cur->c,
				op->dirty.action == OP_DIRTY_ON, oprun_err(r));
		break;
	case OP_DIRTY_QUERY:
		/* 16 pages at most: one u64 of bits. */
		call = OPRUN_CONTAINER_QUERY_DIRTY;
		oprun_pre(r, op, call);
		ret = iofd_container_query_dirty(cur->c, iova, len,
						 OP_PAGE_SIZE, cur->bitmap,
						 oprun_err(r));
		break;
	default:
		return oprun_dirty_mark(r, cur->c, iova, len);
	}
	return oprun_called(r, call, OPRUN_MAIN, ret);
}

/* Open the KVM stand-in on the runner's host: a VMM's /dev/kvm, VM, device. */
static int oprun_kvm_open(struct oprun *r)
{
	const struct iofd_host_ops *ops = r->cfg->host.ops;
	void *priv = r->cfg->host.priv;
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	int ret;

	r->kvm_fd = ops->open(priv, "/dev/kvm", O_RDWR | O_CLOEXEC);
	if (r->kvm_fd < 0)
		return r->kvm_fd;
	r->vm_fd = ops->ioctl(priv, r->kvm_fd, KVM_CREATE_VM, NULL);
	if (r->vm_fd < 0)
		return r->vm_fd;
	ret = ops->ioctl(priv, r->vm_fd, KVM_CREATE_DEVICE, &cd);
	if (ret < 0)
		return ret;
	r->kvm_dev = (int)cd.fd;
	return 0;
}

int oprun_op_kvm(struct oprun *r, const struct op *op)
{
	int ret;

	if (op->mode.mode == OP_KVM_ON && r->kvm_dev < 0) {
		ret = oprun_kvm_open(r);
		if (ret < 0)
			return ret;
	}
	r->kvm_set = op->mode.mode == OP_KVM_ON ? r->kvm_dev :
		     op->mode.mode == OP_KVM_OFF ? -1 : OPRUN_BOGUS_FD;
	oprun_pre(r, op, OPRUN_CTX_SET_KVM_VFIO);
	iofd_ctx_set_kvm_vfio(r->ctx, r->kvm_set);
	return oprun_called(r, OPRUN_CTX_SET_KVM_VFIO, OPRUN_MAIN, 0);
}

int oprun_op_discard(struct oprun *r, const struct op *op)
{
	bool require = op->mode.mode == OP_DISCARD_REQUIRE;
	int ret;

	oprun_pre(r, op, OPRUN_CTX_REQUIRE_DISCARD);
	ret = iofd_ctx_require_discard(r->ctx, require, oprun_err(r));
	oprun_called(r, OPRUN_CTX_REQUIRE_DISCARD, OPRUN_MAIN, ret);
	if (ret == 0) {
		if (require)
			r->discard_required++;
		else
			r->discard_required--;
	}
	return ret;
}

/* The context's dirty sink, handed on to the runner. */
static void oprun_dirty_sink(void *arg, uint64_t iova, uint64_t size,
			     uint64_t page_size, const uint64_t *bitmap)
{
	struct oprun *r = arg;

	r->cfg->hooks->dirty(r->cfg->priv, iova, size, page_size, bitmap);
}

/* A caller that passes no error object takes no dirty bits either. */
int oprun_op_errors(struct oprun *r, const struct op *op)
{
	const struct oprun_hooks *h = r->cfg->hooks;

	r->null_err = op->mode.mode == OP_ERRORS_NULL;
	if (h && h->dirty)
		iofd_ctx_set_dirty_sink(r->ctx, r->null_err ? NULL :
					oprun_dirty_sink, r);
	return 0;
}

void oprun_set_dirty_sink(struct oprun *r)
{
	const struct oprun_hooks *h = r->cfg->hooks;

	if (h && h->dirty)
		iofd_ctx_set_dirty_sink(r->ctx, oprun_dirty_sink, r);
}

int oprun_op_leave(struct oprun *r, const struct op *op)
{
	r->leaving = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */

/* While a sweep point has not fired, the sweep owns the fault plan. */
static bool oprun_sweep_owns(struct oprun *r)
{
	if (r->sweep_pending)
		r->skip_why = "the sweep owns the fault plan";
	return r->sweep_pending;
}

int oprun_op_fault(struct oprun *r, const struct op *op)
{
	if (oprun_sweep_owns(r))
		return OPRUN_SKIPPED;
	r->armed_errno = op_errno_value(op->fault.err);
	emu_fault_fail_nth(r->fault, op->fault.nth, r->armed_errno);
	return 0;
}

int oprun_op_fault_kind(struct oprun *r, const struct op *op)
{
	if (oprun_sweep_owns(r))
		return OPRUN_SKIPPED;
	if (r->cfg->sweep.kinds)
		return oprun_skip(r, "the two-fault sweep owns the fault kinds");
	r->every_errno = op->fault_kind.kinds ?
			 op_errno_value(op->fault_kind.err) : 0;
	emu_fault_fail_every(r->fault, op->fault_kind.kinds,
			     op_req_value(op->fault_kind.req), r->every_errno);
	return 0;
}

int oprun_op_fault_alloc(struct oprun *r, const struct op *op)
{
	if (oprun_sweep_owns(r))
		return OPRUN_SKIPPED;
	oprun_alloc_arm(&r->alloc, op->fault.nth);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Device DMA                                                          */

/*
 * Turn bus mastering on in the command register of the device open at
 * @fd, through its config region, on the runner's host (never faulted,
 * never counted): 0 or -errno.
 */
static int oprun_dma_master(struct oprun *r, int fd)
{
	const struct iofd_host *host = &r->cfg->host;
	struct vfio_region_info ri = {
		.argsz = sizeof(ri), .index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint16_t cmd;
	ssize_t n;
	int ret;

	ret = host->ops->ioctl(host->priv, fd, VFIO_DEVICE_GET_REGION_INFO,
			       &ri);
	if (ret < 0)
		return ret;
	n = host->ops->pread(host->priv, fd, &cmd, sizeof(cmd),
			     ri.offset + PCI_COMMAND);
	if (n != sizeof(cmd))
		return n < 0 ? (int)n : -EIO;
	if (cmd & PCI_COMMAND_MASTER)
		return 0;
	cmd |= PCI_COMMAND_MASTER;
	n = host->ops->pwrite(host->priv, fd, &cmd, sizeof(cmd),
			      ri.offset + PCI_COMMAND);
	if (n != sizeof(cmd))
		return n < 0 ? (int)n : -EIO;
	return 0;
}

int oprun_op_dma(struct oprun *r, const struct op *op)
{
	unsigned int n = op->dma.dev, j;
	bool write = op->dma.dir == OP_DMA_WRITE;
	struct oprun_dev *d;
	int ret;

	if (!r->cfg->emu)
		return oprun_skip(r, "only the emulated device does DMA");
	if (n >= r->ndevs)
		return oprun_skip(r, "no such device");
	d = &r->devs[n];
	if (!d->available)
		return oprun_skip(r, d->why);
	if (d->emu_index < 0)
		return oprun_skip(r, "the runner made devN: its emulated device is not known");
	if (d->dev) {
		ret = oprun_dma_master(r, iofd_device_fd(d->dev));
		if (ret < 0)
			return ret;
	}
	for (j = 0; j < OP_PAGE_SIZE / sizeof(uint32_t); j++)
		r->dma_buf[j] = write ? oprun_dma_word(r->cur_op, j) : 0;
	r->cur.dma_iova = op_page_iova(op->dma.window, op->dma.page);
	/* Not a core call: the runner sees no calling/called around it. */
	oprun_pre_main(r, op);
	return emu_dma(r->cfg->emu, (unsigned int)d->emu_index,
		       r->cur.dma_iova, r->dma_buf, OP_PAGE_SIZE, write,
		       &r->cur.dma_done);
}
