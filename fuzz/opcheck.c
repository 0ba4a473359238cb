/* SPDX-License-Identifier: MIT */
/*
 * Each op's own expectations (the interpreter gives the meaning, oprun.h;
 * this file says what must come of it): one pre/post pair per op, found
 * through a table indexed by opcode. pre runs right before the op's main
 * call (pre.mark is the fault count then), post after the op. A call is
 * "clean" when no fault fired during it: only then is an exact errno
 * expected. Whatever fails must leave what the core shows as it was.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <linux/iommufd.h>

#include "harness_int.h"

typedef void (*fuzz_pre_fn)(struct fuzz_state *h, const struct op *op);
typedef void (*fuzz_post_fn)(struct fuzz_state *h, const struct op *op,
			     int ret);

static bool fuzz_op_clean(const struct fuzz_state *h)
{
	return fuzz_clean(h, h->pre.mark);
}

/*
 * Whether a detach that returned @ret with no fault during it is wrong.
 * It is, unless an earlier fault left the kernel holding an object the
 * core could not free yet (stranded) that keeps an IOAS busy: then the
 * IOAS's DESTROY in a later, fault-free detach meets EBUSY.
 */
static bool fuzz_detach_must_work(const struct fuzz_state *h, bool clean,
				  int ret)
{
	return clean && !(ret == -EBUSY && h->ever_fired);
}

static void fuzz_post_device(struct fuzz_state *h, const struct op *op,
			     int ret)
{
	if (ret < 0)
		fuzz_fail(h, "adding a device to the emulator failed: %d", ret);
}

static void fuzz_post_space(struct fuzz_state *h, const struct op *op,
			    int ret)
{
	if (ret == 0 && !h->r.spaces[h->r.nspaces - 1])
		fuzz_fail(h, "iofd_space_create gave no space");
}

/* ------------------------------------------------------------------ */
/* attach, attach-cfg, detach                                          */

/* Whether @how names a sysfs path or fd that no attach may accept. */
static bool fuzz_bad_how(unsigned int how)
{
	return how == OP_HOW_WRONG_FD || how == OP_HOW_BAD_FD ||
	       how >= OP_HOW_NOTHING;
}

/*
 * An attach must fail (when no fault fired in it) with a bad name, an
 * unknown flag, a space or backend of another context or none, a handed-in
 * fd that is not the device's, a device already attached, discard required
 * by a device that disables it, a bogus kvm-vfio fd.
 */
static void fuzz_pre_attach(struct fuzz_state *h, const struct op *op)
{
	bool cfg = op->code == OP_ATTACH_CFG;
	unsigned int n = cfg ? op->attach_cfg.dev : op->attach.dev;
	unsigned int m = cfg ? op->attach_cfg.space : op->attach.space;

	h->pre.again = h->r.devs[n].dev != NULL;
	h->pre.must_fail = h->pre.again ||
		(cfg && (op->attach_cfg.name != OP_NAME_OK ||
			 op->attach_cfg.bad_flag ||
			 op->attach_cfg.mix != OP_MIX_OK ||
			 fuzz_bad_how(op->attach_cfg.how))) ||
		(h->r.discard_required &&
		 !(cfg && op->attach_cfg.discard_ok)) ||
		h->r.kvm_set == OPRUN_BOGUS_FD;
	fuzz_snap_containers(h, h->r.spaces[m], &h->pre.containers);
}

static void fuzz_post_attach(struct fuzz_state *h, const struct op *op,
			     int ret)
{
	bool cfg = op->code == OP_ATTACH_CFG;
	unsigned int n = cfg ? op->attach_cfg.dev : op->attach.dev;
	unsigned int m = cfg ? op->attach_cfg.space : op->attach.space;
	unsigned int k = cfg ? op->attach_cfg.be : op->attach.be;
	const struct fuzz_containers *before = &h->pre.containers;
	struct iofd_device *d = h->r.cur.dev;
	struct fuzz_containers after;
	struct iofd_container *c;
	bool clean = fuzz_op_clean(h);

	if (!h->r.cur.main_called)
		return;
	fuzz_snap_containers(h, h->r.spaces[m], &after);
	if (iofd_space_container_count(h->r.fspace) != 0 ||
	    iofd_backend_users(h->r.fbe) != 0)
		fuzz_fail(h, "attach changed the other context");
	if (ret < 0) {
		if (memcmp(before, &after, sizeof(after)) != 0)
			fuzz_fail(h, "failed attach changed the containers of space%u",
				  m);
		if (cfg && clean && op->attach_cfg.name == OP_NAME_LONG &&
		    ret != -ENAMETOOLONG)
			fuzz_fail(h, "a %d-byte name gave %d, not -ENAMETOOLONG",
				  IOFD_DEVICE_NAME_MAX, ret);
		if (cfg && clean && op->attach_cfg.how == OP_HOW_BAD_FD &&
		    ret != -EBADF && op->attach_cfg.name == OP_NAME_OK &&
		    !op->attach_cfg.bad_flag && op->attach_cfg.mix == OP_MIX_OK)
			fuzz_fail(h, "a closed fd gave %d, not -EBADF", ret);
		return;
	}
	if (h->pre.must_fail && clean)
		fuzz_fail(h, "dev%u attached though the attach had to fail%s", n,
			  h->pre.again ? " (it was attached already)" : "");
	if (!d)
		fuzz_fail(h, "iofd_device_attach succeeded without a device");
	c = iofd_device_container(d);
	if (!c || iofd_container_backend(c) != h->r.be[k])
		fuzz_fail(h, "dev%u landed in a container of another backend",
			  n);
	/* Either an existing container took it or one new one was added. */
	if (after.count == before->count + 1) {
		if (after.c[before->count] != c ||
		    memcmp(before->c, after.c, sizeof(before->c[0]) *
			   before->count) != 0)
			fuzz_fail(h, "attach rearranged the containers");
	} else if (after.count != before->count) {
		fuzz_fail(h, "attach went from %zu to %zu containers",
			  before->count, after.count);
	}
	if (strcmp(iofd_device_name(d), h->r.cur.name) != 0)
		fuzz_fail(h, "device named \"%s\", attached as \"%s\"",
			  iofd_device_name(d), h->r.cur.name);
	if (h->r.cur.dc.fd >= 0 && iofd_device_fd(d) != h->r.cur.dc.fd)
		fuzz_fail(h, "dev%u was handed fd %d and uses %d", n,
			  h->r.cur.dc.fd, iofd_device_fd(d));
}

/* Its space has a container while it is attached: no destroy. */
static void fuzz_pre_detach(struct fuzz_state *h, const struct op *op)
{
	unsigned int space = h->r.devs[op->detach.dev].space;

	if (iofd_space_destroy(h->r.spaces[space]) != -EBUSY)
		fuzz_fail(h, "space%u with an attached device was destroyed",
			  space);
}

static void fuzz_post_detach(struct fuzz_state *h, const struct op *op,
			     int ret)
{
	if (h->r.cur.main_called && ret < 0 &&
	    fuzz_detach_must_work(h, fuzz_op_clean(h), ret))
		fuzz_fail(h, "detach of dev%u failed with no fault injected",
			  op->detach.dev);
}

/* ------------------------------------------------------------------ */
/* Regions                                                             */

static void fuzz_pre_region_add(struct fuzz_state *h, const struct op *op)
{
	const struct iofd_region *r = &h->r.cur.region;
	size_t i;

	fuzz_snap_regions(h, h->r.spaces[op->region_add.space],
			  &h->pre.regions);
	h->pre.wraps = r->size && r->iova + r->size - 1 < r->iova;
	h->pre.overlap = false;
	for (i = 0; i < h->pre.regions.count; i++)
		if (r->size && !h->pre.wraps &&
		    fuzz_overlaps(r->iova, r->size, h->pre.regions.r[i].iova,
				  h->pre.regions.r[i].size))
			h->pre.overlap = true;
	h->region_space = op->region_add.space;
}

static void fuzz_post_region_add(struct fuzz_state *h, const struct op *op,
				 int ret)
{
	const struct iofd_region *r = &h->r.cur.region;
	struct fuzz_regions after;
	size_t i;

	h->region_space = -1;
	if (!h->r.cur.main_called)
		return;
	fuzz_snap_regions(h, h->r.spaces[op->region_add.space], &after);
	/* With no fault, bad arguments get their documented errno. */
	if (fuzz_op_clean(h)) {
		if (r->size == 0 && ret != -EINVAL)
			fuzz_fail(h, "empty region gave %d, not -EINVAL", ret);
		if (h->pre.wraps && ret != -EOVERFLOW)
			fuzz_fail(h, "a region wrapping past 2^64 gave %d, not -EOVERFLOW",
				  ret);
		if (r->size && h->pre.overlap && ret != -EEXIST)
			fuzz_fail(h, "overlapping region gave %d, not -EEXIST",
				  ret);
	}
	if (ret < 0) {
		if (!fuzz_regions_equal(&h->pre.regions, &after))
			fuzz_fail(h, "failed region-add changed the regions");
		return;
	}
	if (after.count != h->pre.regions.count + 1)
		fuzz_fail(h, "region-add went from %zu to %zu regions",
			  h->pre.regions.count, after.count);
	for (i = 0; i < after.count; i++)
		if (after.r[i].iova == r->iova && after.r[i].size == r->size &&
		    after.r[i].vaddr == r->vaddr &&
		    after.r[i].readonly == r->readonly)
			break;
	if (i == after.count)
		fuzz_fail(h, "the added region is not in the space");
}

static void fuzz_pre_region_del(struct fuzz_state *h, const struct op *op)
{
	struct iofd_space *s = h->r.spaces[op->region_del.space];
	const struct iofd_region *r = &h->r.cur.region;
	size_t i;

	fuzz_snap_regions(h, s, &h->pre.regions);
	h->pre.exists = false;
	for (i = 0; i < h->pre.regions.count; i++)
		if (h->pre.regions.r[i].iova == r->iova &&
		    h->pre.regions.r[i].size == r->size)
			h->pre.exists = true;
	h->pre.tracking = 0;
	for (i = 0; i < iofd_space_container_count(s); i++)
		if (iofd_container_dirty_tracking(iofd_space_container_get(s,
									   i)))
			h->pre.tracking++;
	h->pre.flushes = h->flushes;
	h->flush_armed = true;
	h->flush_want = (struct iofd_region){ .iova = r->iova,
					      .size = r->size };
	h->region_space = op->region_del.space;
}

static void fuzz_post_region_del(struct fuzz_state *h, const struct op *op,
				 int ret)
{
	unsigned int m = op->region_del.space;
	const struct iofd_region *r = &h->r.cur.region;
	struct fuzz_regions after;
	bool clean = fuzz_op_clean(h);
	size_t i;

	h->region_space = -1;
	h->flush_armed = false;
	if (!h->r.cur.main_called)
		return;
	/* The dirty bits of each tracking container reach the sink first. */
	if (ret == 0 && clean && !h->r.null_err &&
	    h->flushes - h->pre.flushes != h->pre.tracking)
		fuzz_fail(h, "%u containers track dirty pages, the sink got %u flushes",
			  h->pre.tracking, h->flushes - h->pre.flushes);
	fuzz_snap_regions(h, h->r.spaces[m], &after);
	/*
	 * With no fault, deleting is exact; unless an earlier undo left a
	 * container of this space differing from it (then its unmap may meet
	 * ENOENT).
	 */
	if (clean && !h->diverged[m]) {
		if (h->pre.exists && ret != 0)
			fuzz_fail(h, "deleting an existing region failed with no fault injected");
		if (!h->pre.exists && ret != -ENOENT)
			fuzz_fail(h, "deleting a missing region gave %d, not -ENOENT",
				  ret);
	}
	if (ret < 0) {
		if (!fuzz_regions_equal(&h->pre.regions, &after))
			fuzz_fail(h, "failed region-del changed the regions");
		return;
	}
	if (after.count + 1 != h->pre.regions.count)
		fuzz_fail(h, "region-del went from %zu to %zu regions",
			  h->pre.regions.count, after.count);
	for (i = 0; i < after.count; i++)
		if (after.r[i].iova == r->iova && after.r[i].size == r->size)
			fuzz_fail(h, "the deleted region is still there");
}

/* ------------------------------------------------------------------ */
/* The scratch IOAS: raw maps against the shadow model                 */

static void fuzz_pre_map(struct fuzz_state *h, const struct op *op)
{
	const struct iofd_region *r = &h->r.cur.region;

	h->pre.model = h->shadow[op->map.be];
	if (op->code == OP_MAP)
		h->pre.want = fuzz_model_map(&h->pre.model, r->iova, r->size,
					     (uint64_t)(uintptr_t)r->vaddr);
	else
		h->pre.want = fuzz_model_unmap(&h->pre.model, r->iova, r->size);
}

/*
 * A call the fault plan failed changed nothing: the model stays. Else the
 * kernel answered: it must be what the model says; except that a HWPT the
 * interpreter could not free yet still holds the scratch IOAS, and its
 * domain's aperture, page size and the device's reserved regions bound
 * what may be mapped there: the kernel refuses the rest with EINVAL and
 * maps nothing. The model knows no domains, so it takes that answer.
 */
static void fuzz_post_map(struct fuzz_state *h, const struct op *op, int ret)
{
	const struct iofd_region *r = &h->r.cur.region;
	unsigned int k = op->map.be;

	if (!h->r.cur.main_called || !fuzz_op_clean(h))
		return;
	if (ret == -EINVAL && op->code == OP_MAP && h->r.scratch[k].nleft)
		return;
	if (ret != h->pre.want)
		fuzz_fail(h, "raw %s of [%#" PRIx64 ", +%#" PRIx64 ") gave %d, the model says %d",
			  op_code_name(op->code), r->iova, r->size, ret,
			  h->pre.want);
	h->shadow[k] = h->pre.model;
}

static void fuzz_pre_unmap_all(struct fuzz_state *h, const struct op *op)
{
	const struct fuzz_areas *sh = &h->shadow[op->be.be];
	unsigned int i;

	h->pre.unmapped_want = 0;
	for (i = 0; i < sh->count; i++)
		h->pre.unmapped_want += sh->a[i].length;
}

/* Unlike a ranged unmap, unmap-all of nothing is 0 bytes and 0. */
static void fuzz_post_unmap_all(struct fuzz_state *h, const struct op *op,
				int ret)
{
	unsigned int k = op->be.be;

	if (!h->r.cur.main_called || !fuzz_op_clean(h))
		return;
	if (ret != 0)
		fuzz_fail(h, "unmap-all gave %d with no fault injected", ret);
	if (h->r.scratch[k].mapped && h->r.cur.unmapped != h->pre.unmapped_want)
		fuzz_fail(h, "unmap-all unmapped %#" PRIx64 " bytes, the model says %#" PRIx64,
			  h->r.cur.unmapped, h->pre.unmapped_want);
	h->shadow[k].count = 0;
}

/* ------------------------------------------------------------------ */
/* Backends                                                            */

static void fuzz_post_backend(struct fuzz_state *h, const struct op *op,
			      int ret)
{
	unsigned int k = op->backend.be;
	struct iofd_backend *be = h->r.be[k];

	if (!h->r.cur.main_called)
		return;
	if (op->backend.mode == OP_BE_BADFD) {
		if (ret != -EBADF)
			fuzz_fail(h, "a handed-in fd -1 gave %d, not -EBADF", ret);
		return;
	}
	if (h->r.cur.users && ret != -EBUSY)
		fuzz_fail(h, "destroying be%u with %u users gave %d, not -EBUSY",
			  k, h->r.cur.users, ret);
	if (ret == -EBUSY && h->r.cur.users)
		return;
	if (!be)
		fuzz_fail(h, "be%u was not made again (%d)", k, ret);
	if (iofd_backend_users(be) != 0 || iofd_backend_fd(be) != h->r.hfd[k])
		fuzz_fail(h, "new be%u has %u users and fd %d, handed %d", k,
			  iofd_backend_users(be), iofd_backend_fd(be),
			  h->r.hfd[k]);
}

/*
 * IOVA ranges of the scratch IOAS or of a container's IOAS: ascending,
 * disjoint, and aligned to a power of two.
 */
static void fuzz_post_ranges(struct fuzz_state *h, const struct op *op,
			     int ret)
{
	const struct oprun_cur *q = &h->r.cur;
	uint64_t align;
	size_t i;

	if (!q->main_called || ret)
		return;
	align = q->c ? iofd_container_iova_alignment(q->c) : q->align;
	if (align == 0 || (align & (align - 1)))
		fuzz_fail(h, "IOAS %u: IOVA alignment %#" PRIx64, q->ioas, align);
	for (i = 0; i < q->nranges; i++)
		if (q->ranges[i].start > q->ranges[i].last ||
		    (i && q->ranges[i - 1].last >= q->ranges[i].start))
			fuzz_fail(h, "IOAS %u: range %zu [%#" PRIx64 ", %#" PRIx64 "] out of order",
				  q->ioas, i, q->ranges[i].start,
				  q->ranges[i].last);
}

/*
 * probe: an owned backend nobody is connected to must refuse with -EBADF
 * before any call; otherwise the kernel refuses id 0 (the exact errno is
 * the emulator's business); alloc-ioas succeeds when connected.
 */
static void fuzz_pre_probe(struct fuzz_state *h, const struct op *op)
{
	unsigned int k = op->probe.be;

	h->pre.unconnected = h->r.hfd[k] < 0 &&
			     iofd_backend_users(h->r.be[k]) == 0;
}

static void fuzz_post_probe(struct fuzz_state *h, const struct op *op,
			    int ret)
{
	if (!h->r.cur.main_called)
		return;
	if (h->pre.unconnected && ret != -EBADF)
		fuzz_fail(h, "%s on an unconnected backend gave %d, not -EBADF",
			  oprun_call_name(h->r.cur.call), ret);
	if (op->probe.verb != OP_PROBE_ALLOC_IOAS && ret == 0)
		fuzz_fail(h, "%s on object 0 succeeded",
			  oprun_call_name(h->r.cur.call));
}

/* ------------------------------------------------------------------ */
/* HWPT, hw info, dirty tracking, discard, KVM                         */

static void fuzz_post_hw_info(struct fuzz_state *h, const struct op *op,
			      int ret)
{
	const struct emu_profile *p = h->r.devs[op->hwpt.dev].profile;
	bool dirty = h->r.cur.info.capabilities & IOMMU_HW_CAP_DIRTY_TRACKING;

	if (!h->r.cur.main_called || ret || !fuzz_op_clean(h))
		return;
	if (dirty != p->dirty_tracking)
		fuzz_fail(h, "dev%u: hw info says dirty tracking %d, profile %s says %d",
			  op->hwpt.dev, dirty, p->name, p->dirty_tracking);
}

/* A dirty-tracking HWPT only where the IOMMU can; never over a bogus id. */
static void fuzz_post_hwpt(struct fuzz_state *h, const struct op *op, int ret)
{
	const struct emu_profile *p = h->r.devs[op->hwpt.dev].profile;

	if (!h->r.cur.main_called || ret)
		return;
	if (op->hwpt.bad_pt && fuzz_op_clean(h))
		fuzz_fail(h, "a HWPT over id %u was allocated", OPRUN_BOGUS_ID);
	if (op->hwpt.dirty && !p->dirty_tracking)
		fuzz_fail(h, "a dirty-tracking HWPT for %s, which cannot track",
			  p->name);
}

static void fuzz_pre_dirty(struct fuzz_state *h, const struct op *op)
{
	h->pre.dirty_before = iofd_container_dirty_tracking(h->r.cur.c);
}

/*
 * on/off is all or nothing and refused (EOPNOTSUPP) where a HWPT cannot
 * track; a query needs tracking on (EINVAL otherwise) and sets no bit
 * past its pages.
 */
static void fuzz_post_dirty(struct fuzz_state *h, const struct op *op,
			    int ret)
{
	struct iofd_container *c = h->r.cur.c;

	if (!h->r.cur.main_called)
		return;
	switch (op->dirty.action) {
	case OP_DIRTY_ON:
	case OP_DIRTY_OFF:
		if (!iofd_container_dirty_capable(c) && ret != -EOPNOTSUPP)
			fuzz_fail(h, "switching tracking where a HWPT cannot track gave %d",
				  ret);
		if (ret < 0 && iofd_container_dirty_tracking(c) !=
		    h->pre.dirty_before)
			fuzz_fail(h, "a failed switch changed the tracking state");
		if (ret == 0 && iofd_container_dirty_tracking(c) !=
		    (op->dirty.action == OP_DIRTY_ON))
			fuzz_fail(h, "tracking switched to the wrong state");
		break;
	case OP_DIRTY_QUERY:
		if (!h->pre.dirty_before && ret != -EINVAL)
			fuzz_fail(h, "a query with tracking off gave %d, not -EINVAL",
				  ret);
		if (ret == 0 && (h->r.cur.bitmap[0] >> op->dirty.npages))
			fuzz_fail(h, "the query set bits past its %u pages",
				  op->dirty.npages);
		break;
	default:
		break;
	}
}

static void fuzz_post_kvm(struct fuzz_state *h, const struct op *op, int ret)
{
	if (ret < 0)
		fuzz_fail(h, "the emulator's KVM could not be opened: %d", ret);
}

static void fuzz_pre_discard(struct fuzz_state *h, const struct op *op)
{
	h->pre.disablers = iofd_ctx_discard_disablers(h->r.ctx);
	h->pre.required = h->r.discard_required;
}

static void fuzz_post_discard(struct fuzz_state *h, const struct op *op,
			      int ret)
{
	bool require = op->mode.mode == OP_DISCARD_REQUIRE;

	if (require && (h->pre.disablers ? ret != -EBUSY : ret != 0))
		fuzz_fail(h, "requiring discard with %u disablers gave %d",
			  h->pre.disablers, ret);
	if (!require && (h->pre.required ? ret != 0 : ret != -EINVAL))
		fuzz_fail(h, "releasing discard required %u times gave %d",
			  h->pre.required, ret);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

static const struct {
	fuzz_pre_fn pre;
	fuzz_post_fn post;
} fuzz_opchecks[OP_COUNT] = {
	[OP_DEVICE]	= { NULL, fuzz_post_device },
	[OP_SPACE]	= { NULL, fuzz_post_space },
	[OP_ATTACH]	= { fuzz_pre_attach, fuzz_post_attach },
	[OP_ATTACH_CFG]	= { fuzz_pre_attach, fuzz_post_attach },
	[OP_DETACH]	= { fuzz_pre_detach, fuzz_post_detach },
	[OP_REGION_ADD]	= { fuzz_pre_region_add, fuzz_post_region_add },
	[OP_REGION_DEL]	= { fuzz_pre_region_del, fuzz_post_region_del },
	[OP_MAP]	= { fuzz_pre_map, fuzz_post_map },
	[OP_UNMAP]	= { fuzz_pre_map, fuzz_post_map },
	[OP_UNMAP_ALL]	= { fuzz_pre_unmap_all, fuzz_post_unmap_all },
	[OP_BACKEND]	= { NULL, fuzz_post_backend },
	[OP_RANGES]	= { NULL, fuzz_post_ranges },
	[OP_PROBE]	= { fuzz_pre_probe, fuzz_post_probe },
	[OP_HW_INFO]	= { NULL, fuzz_post_hw_info },
	[OP_HWPT]	= { NULL, fuzz_post_hwpt },
	[OP_DIRTY]	= { fuzz_pre_dirty, fuzz_post_dirty },
	[OP_KVM]	= { NULL, fuzz_post_kvm },
	[OP_DISCARD]	= { fuzz_pre_discard, fuzz_post_discard },
	[OP_DMA]	= { fuzz_dmacheck_pre, fuzz_dmacheck_post },
};

void fuzz_opcheck_pre(struct fuzz_state *h, const struct op *op)
{
	h->pre.mark = oprun_fires(&h->r);
	if (fuzz_opchecks[op->code].pre)
		fuzz_opchecks[op->code].pre(h, op);
}

void fuzz_opcheck_post(struct fuzz_state *h, const struct op *op, int ret)
{
	if (ret != OPRUN_SKIPPED && fuzz_opchecks[op->code].post)
		fuzz_opchecks[op->code].post(h, op, ret);
}

/*
 * The calls an op makes around its main one: what it needs first and
 * what it frees of its own must work when no fault fired in them. A
 * scratch IOAS may still be held by a leftover the interpreter could not
 * free (EBUSY); a teardown detach follows the detach rule.
 */
void fuzz_opcheck_aux(struct fuzz_state *h, enum oprun_call call,
		      enum oprun_role role, int ret, bool clean)
{
	unsigned int k;

	if (ret >= 0 || !clean || role == OPRUN_MAIN)
		return;
	switch (call) {
	case OPRUN_DEVICE_DETACH:
		if (fuzz_detach_must_work(h, clean, ret))
			fuzz_fail(h, "detach failed with no fault injected");
		return;
	case OPRUN_BACKEND_SET_DIRTY_TRACKING:
	case OPRUN_BACKEND_GET_DIRTY_BITMAP:
		return;
	case OPRUN_BACKEND_FREE_ID:
		for (k = 0; ret == -EBUSY && k < OP_MAX_BACKENDS; k++)
			if (h->r.scratch[k].nleft)
				return;
		break;
	default:
		break;
	}
	fuzz_fail(h, "%s failed (%d) with no fault injected",
		  oprun_call_name(call), ret);
}
