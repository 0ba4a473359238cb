/* SPDX-License-Identifier: MIT */
/*
 * The meaning of each op (op.h) to libiofd, shared by fuzz_attach and
 * iofd_hw: the slots an op names, the scratch IOAS and connection
 * bookkeeping, and the libiofd calls with their arguments. Nothing here
 * checks or records: a runner does that around these functions, through
 * the hooks of oprun.h and the results they return.
 *
 * Invariants the runners rely on:
 *   - a call is made only when every object the op names exists; else
 *     OPRUN_SKIPPED, with skip_why, and no call at all;
 *   - the scratch IOAS of beK exists only while the runner holds a
 *     connection on beK (the last disconnect frees it first);
 *   - a handed-in iommufd is the runner's: it is closed only after its
 *     backend is destroyed, on the raw host (never faulted or counted).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>

#include "oprun.h"

static struct iofd_error *oprun_err(struct oprun *r)
{
	if (r->hooks && r->hooks->err)
		return r->hooks->err(r->priv);
	return &r->err;
}

static int oprun_called(struct oprun *r, const char *call, int ret)
{
	if (r->hooks && r->hooks->called)
		r->hooks->called(r->priv, call, ret);
	return ret;
}

void oprun_init(struct oprun *r, const struct oprun_hooks *hooks, void *priv)
{
	unsigned int k;

	r->hooks = hooks;
	r->priv = priv;
	for (k = 0; k < OP_MAX_BACKENDS; k++)
		r->hfd[k] = -1;
}

int oprun_skip(struct oprun *r, const char *why)
{
	r->skip_why = why;
	return OPRUN_SKIPPED;
}

void *oprun_page_va(const struct oprun *r, unsigned int page)
{
	return r->arena + (size_t)(page % OPRUN_ARENA_SPAN) * OP_PAGE_SIZE;
}

struct oprun_dev *oprun_attached(struct oprun *r, unsigned int n)
{
	if (n >= r->ndevs || !r->devs[n].dev) {
		r->skip_why = "device not attached";
		return NULL;
	}
	return &r->devs[n];
}

int oprun_space(struct oprun *r)
{
	struct iofd_space *s = NULL;
	int ret;

	if (r->nspaces == OP_MAX_SPACES)
		return oprun_skip(r, "all 4 spaces created");
	ret = iofd_space_create(r->ctx, &s, oprun_err(r));
	oprun_called(r, "iofd_space_create", ret);
	if (ret == 0)
		r->spaces[r->nspaces++] = s;
	return ret;
}

/* attach-cfg's name: none, empty, too long, with a blank, or "devN". */
static void oprun_cfg_name(const struct op *op, struct oprun_attach *a)
{
	a->dc.name = a->name;
	switch (op->attach_cfg.name) {
	case OP_NAME_NULL:
		a->dc.name = NULL;
		break;
	case OP_NAME_EMPTY:
		a->name[0] = '\0';
		break;
	case OP_NAME_LONG:
		/* IOFD_DEVICE_NAME_MAX printable bytes: one too many. */
		memset(a->name, 'd', IOFD_DEVICE_NAME_MAX);
		a->name[IOFD_DEVICE_NAME_MAX] = '\0';
		break;
	case OP_NAME_BLANK:
		snprintf(a->name, sizeof(a->name), "dev %u", a->n);
		break;
	default:
		break;
	}
}

int oprun_attach_prepare(struct oprun *r, const struct op *op,
			 struct oprun_attach *a)
{
	bool cfg = op->code == OP_ATTACH_CFG;

	memset(a, 0, sizeof(*a));
	a->n = cfg ? op->attach_cfg.dev : op->attach.dev;
	a->m = cfg ? op->attach_cfg.space : op->attach.space;
	a->k = cfg ? op->attach_cfg.be : op->attach.be;
	if (a->n >= r->ndevs)
		return oprun_skip(r, "no such device");
	if (!r->devs[a->n].sysfs)
		return oprun_skip(r, r->devs[a->n].why);
	if (a->m >= r->nspaces)
		return oprun_skip(r, "no such space");
	snprintf(a->name, sizeof(a->name), "dev%u", a->n);
	a->dc.name = a->name;
	if (cfg)
		oprun_cfg_name(op, a);
	a->dc.sysfs_path = r->devs[a->n].sysfs;
	a->dc.fd = -1;
	a->dc.flags = (cfg && op->attach_cfg.discard_ok ?
		       IOFD_DEVICE_DISCARD_OK : 0) |
		      (cfg && op->attach_cfg.bad_flag ? r->bad_flag : 0);
	a->space = r->spaces[a->m];
	a->be = r->be[a->k];
	return 0;
}

int oprun_attach(struct oprun *r, const struct op *op, struct oprun_attach *a,
		 struct iofd_device **out)
{
	struct oprun_dev *d = &r->devs[a->n];
	int ret;

	*out = NULL;
	if (op->code == OP_ATTACH_CFG) {
		ret = iofd_device_attach_cfg(r->ctx, &a->dc, a->space, a->be,
					     out, oprun_err(r));
		oprun_called(r, "iofd_device_attach_cfg", ret);
	} else {
		ret = iofd_device_attach(r->ctx, a->name, d->sysfs, a->space,
					 a->be, out, oprun_err(r));
		oprun_called(r, "iofd_device_attach", ret);
	}
	/* A second attach of an attached device must fail; keep the first. */
	if (ret == 0 && !d->dev) {
		d->dev = *out;
		d->space = a->m;
		d->be = a->k;
	}
	return ret;
}

int oprun_detach(struct oprun *r, unsigned int n)
{
	struct oprun_dev *d = oprun_attached(r, n);
	int ret;

	if (!d)
		return OPRUN_SKIPPED;
	ret = iofd_device_detach(d->dev, oprun_err(r));
	d->dev = NULL;
	return oprun_called(r, "iofd_device_detach", ret);
}

int oprun_region_add_prepare(struct oprun *r, const struct op *op,
			     struct iofd_region *reg)
{
	if (op->region_add.space >= r->nspaces)
		return oprun_skip(r, "no such space");
	*reg = (struct iofd_region){
		.iova = op_page_iova(op->region_add.window,
				     op->region_add.page),
		.size = (uint64_t)op->region_add.npages * OP_PAGE_SIZE,
		.vaddr = oprun_page_va(r, op->region_add.page),
		.readonly = op->region_add.ro,
	};
	return 0;
}

int oprun_region_add(struct oprun *r, const struct op *op,
		     const struct iofd_region *reg)
{
	int ret;

	ret = iofd_space_region_add(r->spaces[op->region_add.space], reg,
				    oprun_err(r));
	return oprun_called(r, "iofd_space_region_add", ret);
}

int oprun_region_del_prepare(struct oprun *r, const struct op *op,
			     uint64_t *iova, uint64_t *size)
{
	unsigned int m = op->region_del.space, idx = op->region_del.idx;
	const struct iofd_region *reg;

	if (m >= r->nspaces)
		return oprun_skip(r, "no such space");
	reg = iofd_space_region_get(r->spaces[m], idx);
	if (reg) {
		*iova = reg->iova;
		*size = reg->size;
	} else {
		*iova = (uint64_t)idx * OP_PAGE_SIZE;
		*size = OP_PAGE_SIZE;
	}
	return 0;
}

int oprun_region_del(struct oprun *r, const struct op *op, uint64_t iova,
		     uint64_t size)
{
	int ret;

	ret = iofd_space_region_del(r->spaces[op->region_del.space], iova,
				    size, oprun_err(r));
	return oprun_called(r, "iofd_space_region_del", ret);
}

int oprun_scratch_get(struct oprun *r, unsigned int k)
{
	struct oprun_scratch *sc = &r->scratch[k];
	uint32_t id = 0;
	int ret;

	if (r->conns[k] == 0) {
		ret = iofd_backend_connect(r->be[k], oprun_err(r));
		oprun_called(r, "iofd_backend_connect", ret);
		if (ret < 0)
			return ret;
		r->conns[k]++;
	}
	if (!sc->allocated) {
		ret = iofd_backend_alloc_ioas(r->be[k], &id, oprun_err(r));
		oprun_called(r, "iofd_backend_alloc_ioas", ret);
		if (ret < 0)
			return ret;
		sc->allocated = true;
		sc->ioas = id;
		if (r->hooks && r->hooks->scratch_new)
			r->hooks->scratch_new(r->priv, k);
	}
	return 0;
}

int oprun_scratch_free(struct oprun *r, unsigned int k)
{
	struct oprun_scratch *sc = &r->scratch[k];

	if (r->hooks && r->hooks->scratch_put)
		r->hooks->scratch_put(r->priv, k);
	sc->allocated = false;
	return oprun_free_id(r, k, sc->ioas);
}

void oprun_map_range(const struct oprun *r, const struct op *op,
		     uint64_t *iova, uint64_t *len, void **va)
{
	*iova = op_page_iova(op->map.window, op->map.page);
	*len = (uint64_t)op->map.npages * OP_PAGE_SIZE;
	*va = oprun_page_va(r, op->map.page);
}

int oprun_map(struct oprun *r, const struct op *op)
{
	unsigned int k = op->map.be;
	uint64_t iova, len;
	void *va;
	int ret;

	oprun_map_range(r, op, &iova, &len, &va);
	if (op->code == OP_MAP) {
		ret = iofd_backend_map(r->be[k], r->scratch[k].ioas, iova, len,
				       va, false, oprun_err(r));
		return oprun_called(r, "iofd_backend_map", ret);
	}
	ret = iofd_backend_unmap(r->be[k], r->scratch[k].ioas, iova, len,
				 oprun_err(r));
	return oprun_called(r, "iofd_backend_unmap", ret);
}

int oprun_unmap_all(struct oprun *r, unsigned int k, uint64_t *unmapped)
{
	int ret;

	ret = iofd_backend_unmap_all(r->be[k], r->scratch[k].ioas, unmapped,
				     oprun_err(r));
	return oprun_called(r, "iofd_backend_unmap_all", ret);
}

int oprun_connect(struct oprun *r, unsigned int k)
{
	int ret;

	ret = iofd_backend_connect(r->be[k], oprun_err(r));
	oprun_called(r, "iofd_backend_connect", ret);
	if (ret == 0)
		r->conns[k]++;
	return ret;
}

/* Freed first: on an owned backend the fd may close with the last one. */
int oprun_disconnect(struct oprun *r, unsigned int k)
{
	int ret = 0;

	if (r->conns[k] == 1 && r->scratch[k].allocated)
		ret = oprun_scratch_free(r, k);
	iofd_backend_disconnect(r->be[k]);
	r->conns[k]--;
	return ret;
}

void oprun_conns_drop(struct oprun *r, unsigned int k)
{
	while (r->conns[k]) {
		iofd_backend_disconnect(r->be[k]);
		r->conns[k]--;
	}
}

int oprun_backend_badfd(struct oprun *r, struct iofd_backend **be)
{
	int ret;

	*be = NULL;
	ret = iofd_backend_create_fd(r->ctx, -1, be, oprun_err(r));
	return oprun_called(r, "iofd_backend_create_fd", ret);
}

int oprun_backend_destroy(struct oprun *r, unsigned int k)
{
	int ret = iofd_backend_destroy(r->be[k]);

	if (ret == 0)
		r->be[k] = NULL;
	return ret;
}

int oprun_hfd_close(struct oprun *r, unsigned int k)
{
	int ret;

	if (r->hfd[k] < 0)
		return 0;
	ret = r->raw.ops->close(r->raw.priv, r->hfd[k]);
	r->hfd[k] = -1;
	return ret;
}

int oprun_backend_open_fd(struct oprun *r)
{
	return r->raw.ops->open(r->raw.priv, "/dev/iommu", O_RDWR | O_CLOEXEC);
}

int oprun_backend_make(struct oprun *r, unsigned int k, int fd)
{
	struct iofd_backend *be = NULL;
	int ret;

	if (fd >= 0) {
		ret = iofd_backend_create_fd(r->ctx, fd, &be, oprun_err(r));
		oprun_called(r, "iofd_backend_create_fd", ret);
	} else {
		ret = iofd_backend_create(r->ctx, &be, oprun_err(r));
		oprun_called(r, "iofd_backend_create", ret);
	}
	if (ret == 0) {
		r->be[k] = be;
		r->hfd[k] = fd;
	}
	return ret;
}

struct iofd_container *oprun_container_of_be(struct oprun *r, unsigned int k,
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

int oprun_ranges(struct oprun *r, const struct op *op,
		 struct oprun_ranges *out)
{
	unsigned int k = op->ranges.be;
	int ret;

	memset(out, 0, sizeof(*out));
	if (op->ranges.which == 0) {
		ret = oprun_scratch_get(r, k);
		if (ret < 0)
			return ret;
		out->ioas = r->scratch[k].ioas;
	} else {
		out->c = oprun_container_of_be(r, k, op->ranges.which - 1u);
		if (!out->c)
			return oprun_skip(r, "no such container");
		out->ioas = iofd_container_ioas(out->c);
	}
	/* A container's query does without the alignment (it may be NULL). */
	ret = iofd_backend_iova_ranges(r->be[k], out->ioas, &out->r,
				       &out->count,
				       out->c ? NULL : &out->align,
				       oprun_err(r));
	return oprun_called(r, "iofd_backend_iova_ranges", ret);
}

int oprun_probe(struct oprun *r, const struct op *op, uint32_t *id,
		const char **call)
{
	struct iofd_backend *be = r->be[op->probe.be];
	struct iofd_iova_range *ranges = NULL;
	struct iofd_hw_info info;
	uint64_t bitmap[1] = { 0 };
	size_t count = 0;
	int ret;

	*id = 0;
	switch (op->probe.verb) {
	case OP_PROBE_ALLOC_IOAS:
		*call = "iofd_backend_alloc_ioas";
		ret = iofd_backend_alloc_ioas(be, id, oprun_err(r));
		break;
	case OP_PROBE_FREE_ID:
		*call = "iofd_backend_free_id";
		ret = iofd_backend_free_id(be, 0, oprun_err(r));
		break;
	case OP_PROBE_MAP:
		*call = "iofd_backend_map";
		ret = iofd_backend_map(be, 0, 0, OP_PAGE_SIZE, r->arena, true,
				       oprun_err(r));
		break;
	case OP_PROBE_UNMAP:
		*call = "iofd_backend_unmap";
		ret = iofd_backend_unmap(be, 0, 0, OP_PAGE_SIZE, oprun_err(r));
		break;
	case OP_PROBE_UNMAP_ALL:
		*call = "iofd_backend_unmap_all";
		ret = iofd_backend_unmap_all(be, 0, NULL, oprun_err(r));
		break;
	case OP_PROBE_RANGES:
		*call = "iofd_backend_iova_ranges";
		ret = iofd_backend_iova_ranges(be, 0, &ranges, &count, NULL,
					       oprun_err(r));
		iofd_free(r->ctx, ranges);
		break;
	case OP_PROBE_HWPT_ALLOC:
		*call = "iofd_backend_alloc_hwpt";
		ret = iofd_backend_alloc_hwpt(be, 0, 0, 0, id, oprun_err(r));
		break;
	case OP_PROBE_HW_INFO:
		*call = "iofd_backend_get_hw_info";
		ret = iofd_backend_get_hw_info(be, 0, &info, oprun_err(r));
		break;
	case OP_PROBE_SET_DIRTY:
		*call = "iofd_backend_set_dirty_tracking";
		ret = iofd_backend_set_dirty_tracking(be, 0, true,
						      oprun_err(r));
		break;
	case OP_PROBE_GET_DIRTY:
		*call = "iofd_backend_get_dirty_bitmap";
		ret = iofd_backend_get_dirty_bitmap(be, 0, 0, OP_PAGE_SIZE,
						    OP_PAGE_SIZE, bitmap,
						    oprun_err(r));
		break;
	default:
		*call = "?";
		return oprun_skip(r, "probe verb out of range");
	}
	return oprun_called(r, *call, ret);
}

int oprun_free_id(struct oprun *r, unsigned int k, uint32_t id)
{
	int ret = iofd_backend_free_id(r->be[k], id, oprun_err(r));

	return oprun_called(r, "iofd_backend_free_id", ret);
}

int oprun_hw_info(struct oprun *r, const struct op *op,
		  struct iofd_hw_info *info)
{
	struct oprun_dev *d = oprun_attached(r, op->hwpt.dev);
	int ret;

	if (!d)
		return OPRUN_SKIPPED;
	ret = iofd_backend_get_hw_info(r->be[d->be], iofd_device_devid(d->dev),
				       info, oprun_err(r));
	return oprun_called(r, "iofd_backend_get_hw_info", ret);
}

int oprun_hwpt_alloc(struct oprun *r, const struct op *op,
		     const struct oprun_dev *d, uint32_t *hwpt)
{
	unsigned int k = d->be;
	uint32_t pt = op->hwpt.bad_pt ? OPRUN_BOGUS_ID : r->scratch[k].ioas;
	int ret;

	*hwpt = 0;
	ret = iofd_backend_alloc_hwpt(r->be[k], iofd_device_devid(d->dev), pt,
				      op->hwpt.dirty ?
				      IOMMU_HWPT_ALLOC_DIRTY_TRACKING : 0,
				      hwpt, oprun_err(r));
	return oprun_called(r, "iofd_backend_alloc_hwpt", ret);
}

int oprun_hwpt_dirty(struct oprun *r, unsigned int k, uint32_t hwpt)
{
	uint64_t bitmap[1] = { 0 };
	int ret;

	ret = iofd_backend_set_dirty_tracking(r->be[k], hwpt, true,
					      oprun_err(r));
	oprun_called(r, "iofd_backend_set_dirty_tracking", ret);
	if (ret < 0)
		return ret;
	ret = iofd_backend_get_dirty_bitmap(r->be[k], hwpt, 0,
					    OP_PAGE_SIZE * 64, OP_PAGE_SIZE,
					    bitmap, oprun_err(r));
	return oprun_called(r, "iofd_backend_get_dirty_bitmap", ret);
}

int oprun_dirty_container(struct oprun *r, const struct op *op,
			  struct iofd_container **c)
{
	if (op->dirty.space >= r->nspaces)
		return oprun_skip(r, "no such space");
	*c = iofd_space_container_get(r->spaces[op->dirty.space],
				      op->dirty.idx);
	if (!*c)
		return oprun_skip(r, "no such container");
	return 0;
}

int oprun_dirty(struct oprun *r, const struct op *op,
		struct iofd_container *c, uint64_t bitmap[1])
{
	int ret;

	switch (op->dirty.action) {
	case OP_DIRTY_ON:
	case OP_DIRTY_OFF:
		ret = iofd_container_set_dirty_tracking(c,
				op->dirty.action == OP_DIRTY_ON, oprun_err(r));
		return oprun_called(r, "iofd_container_set_dirty_tracking",
				    ret);
	case OP_DIRTY_QUERY:
		/* 16 pages at most: one u64 of bits. */
		ret = iofd_container_query_dirty(c,
				op_page_iova(OP_WINDOW_LOW, op->dirty.page),
				(uint64_t)op->dirty.npages * OP_PAGE_SIZE,
				OP_PAGE_SIZE, bitmap, oprun_err(r));
		return oprun_called(r, "iofd_container_query_dirty", ret);
	default:
		/* mark: the device writing is the runner's business. */
		return oprun_skip(r, "dirty action out of range");
	}
}

int oprun_discard(struct oprun *r, const struct op *op)
{
	bool require = op->mode.mode == 0;
	int ret;

	ret = iofd_ctx_require_discard(r->ctx, require, oprun_err(r));
	oprun_called(r, "iofd_ctx_require_discard", ret);
	if (ret == 0) {
		if (require)
			r->discard_required++;
		else
			r->discard_required--;
	}
	return ret;
}

void oprun_alloc_arm(struct oprun_alloc *a, unsigned long nth)
{
	a->calls = 0;
	a->nth = nth;
	a->fired = false;
}

void *oprun_alloc_realloc(void *priv, void *ptr, size_t size)
{
	struct oprun_alloc *a = priv;

	a->calls++;
	if (a->nth && !a->fired && a->calls == a->nth) {
		a->fired = true;
		return NULL;
	}
	return realloc(ptr, size);
}

void oprun_alloc_free(void *priv, void *ptr)
{
	free(ptr);
}

const struct iofd_alloc_ops oprun_alloc_ops = {
	.realloc = oprun_alloc_realloc,
	.free = oprun_alloc_free,
};
