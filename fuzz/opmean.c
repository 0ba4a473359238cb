/* SPDX-License-Identifier: MIT */
/*
 * What each op means (oprun.h): one function per op, found through one
 * table indexed by opcode. Each resolves what the op names (skipping when
 * something does not exist), makes what it needs first, calls the
 * runner's op_pre hook, makes its main libiofd call, and frees what it
 * made for itself. Every core call goes through oprun_calling and
 * oprun_called, so a runner sees each one with its role.
 *
 * Invariants the runners rely on:
 *   - a call is made only when every object the op names exists;
 *   - the scratch IOAS of beK exists only while the interpreter holds a
 *     connection on beK (the last disconnect frees it first);
 *   - a handed-in iommufd is the interpreter's: it is closed only after
 *     its backend is destroyed, on the runner's host (never faulted).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>

#include "opmean.h"

struct iofd_error *oprun_err(struct oprun *r)
{
	const struct oprun_hooks *h = r->cfg->hooks;

	if (r->null_err)
		return NULL;
	if (h && h->err)
		return h->err(r->cfg->priv);
	return &r->err;
}

static const struct {
	const char *name;
	bool has_error;
} oprun_calls[OPRUN_CALL_COUNT] = {
	[OPRUN_CTX_CREATE] = { "iofd_ctx_create", true },
	[OPRUN_SPACE_CREATE] = { "iofd_space_create", true },
	[OPRUN_SPACE_REGION_ADD] = { "iofd_space_region_add", true },
	[OPRUN_SPACE_REGION_DEL] = { "iofd_space_region_del", true },
	[OPRUN_DEVICE_ATTACH] = { "iofd_device_attach", true },
	[OPRUN_DEVICE_ATTACH_CFG] = { "iofd_device_attach_cfg", true },
	[OPRUN_DEVICE_DETACH] = { "iofd_device_detach", true },
	[OPRUN_BACKEND_CREATE] = { "iofd_backend_create", true },
	[OPRUN_BACKEND_CREATE_FD] = { "iofd_backend_create_fd", true },
	[OPRUN_BACKEND_DESTROY] = { "iofd_backend_destroy", false },
	[OPRUN_BACKEND_CONNECT] = { "iofd_backend_connect", true },
	[OPRUN_BACKEND_DISCONNECT] = { "iofd_backend_disconnect", false },
	[OPRUN_BACKEND_ALLOC_IOAS] = { "iofd_backend_alloc_ioas", true },
	[OPRUN_BACKEND_FREE_ID] = { "iofd_backend_free_id", true },
	[OPRUN_BACKEND_MAP] = { "iofd_backend_map", true },
	[OPRUN_BACKEND_UNMAP] = { "iofd_backend_unmap", true },
	[OPRUN_BACKEND_UNMAP_ALL] = { "iofd_backend_unmap_all", true },
	[OPRUN_BACKEND_IOVA_RANGES] = { "iofd_backend_iova_ranges", true },
	[OPRUN_BACKEND_ALLOC_HWPT] = { "iofd_backend_alloc_hwpt", true },
	[OPRUN_BACKEND_GET_HW_INFO] = { "iofd_backend_get_hw_info", true },
	[OPRUN_BACKEND_SET_DIRTY_TRACKING] = { "iofd_backend_set_dirty_tracking", true },
	[OPRUN_BACKEND_GET_DIRTY_BITMAP] = { "iofd_backend_get_dirty_bitmap", true },
	[OPRUN_CONTAINER_SET_DIRTY_TRACKING] = { "iofd_container_set_dirty_tracking", true },
	[OPRUN_CONTAINER_QUERY_DIRTY] = { "iofd_container_query_dirty", true },
	[OPRUN_CTX_SET_KVM_VFIO] = { "iofd_ctx_set_kvm_vfio", false },
	[OPRUN_CTX_REQUIRE_DISCARD] = { "iofd_ctx_require_discard", true },
};

const char *oprun_call_name(enum oprun_call call)
{
	return (unsigned int)call < OPRUN_CALL_COUNT ? oprun_calls[call].name :
	       "?";
}

bool oprun_call_has_error(enum oprun_call call)
{
	return (unsigned int)call < OPRUN_CALL_COUNT &&
	       oprun_calls[call].has_error;
}

void oprun_calling(struct oprun *r, enum oprun_call call)
{
	const struct oprun_hooks *h = r->cfg->hooks;

	if (h && h->calling)
		h->calling(r->cfg->priv, call);
}

int oprun_called(struct oprun *r, enum oprun_call call,
		 enum oprun_role role, int ret)
{
	const struct oprun_hooks *h = r->cfg->hooks;

	if (h && h->called)
		h->called(r->cfg->priv, call, role, ret);
	return ret;
}

int oprun_skip(struct oprun *r, const char *why)
{
	r->skip_why = why;
	return OPRUN_SKIPPED;
}

void oprun_pre_main(struct oprun *r, const struct op *op)
{
	const struct oprun_hooks *h = r->cfg->hooks;

	r->cur.main_called = true;
	if (h && h->op_pre)
		h->op_pre(r->cfg->priv, op);
}

void oprun_pre(struct oprun *r, const struct op *op, enum oprun_call call)
{
	oprun_pre_main(r, op);
	oprun_calling(r, call);
}

void *oprun_page_va(const struct oprun *r, unsigned int page)
{
	return (uint8_t *)r->cfg->arena +
	       (size_t)(page % OPRUN_ARENA_SPAN) * OP_PAGE_SIZE;
}

struct oprun_dev *oprun_attached(struct oprun *r, unsigned int n)
{
	if (n >= r->ndevs || !r->devs[n].dev) {
		r->skip_why = "device not attached";
		return NULL;
	}
	return &r->devs[n];
}

struct iofd_backend *oprun_be(struct oprun *r, unsigned int k)
{
	if (!r->be[k])
		r->skip_why = "the backend is gone: making it again failed";
	return r->be[k];
}

/* ------------------------------------------------------------------ */
/* Devices and spaces                                                  */

#define OPRUN_CDEV_PREFIX "/dev/vfio/devices/vfio"
_Static_assert(EMU_MAX_DEVICES <= 100, "a cdev number has two digits");

/* The default device: the emulator adds one at 0000:00:(N+3).0. */
static int oprun_emu_device(struct oprun *r, unsigned int n,
			    const struct op *op, struct oprun_dev *d)
{
	static const char hex[] = "0123456789abcdef";
	char bdf[] = "0000:00:00.0";
	size_t at;
	int ret;

	if (!r->cfg->emu)
		return oprun_skip(r, "no device for this runner");
	/* Not snprintf: the most frequent op, and ASan's printf is costly. */
	bdf[8] = hex[(n + 3) >> 4];
	bdf[9] = hex[(n + 3) & 15];
	ret = emu_device_add(r->cfg->emu, d->profile, bdf,
			     (enum emu_sysfs_variant)op->device.variant,
			     d->sysfs, sizeof(d->sysfs));
	if (ret < 0)
		return ret;
	d->emu_index = ret;
	/* vfioN for the N-th device added: N < EMU_MAX_DEVICES, 2 digits. */
	strcpy(d->cdev, OPRUN_CDEV_PREFIX);
	at = sizeof(OPRUN_CDEV_PREFIX) - 1;
	if (ret >= 10)
		d->cdev[at++] = (char)('0' + ret / 10);
	d->cdev[at++] = (char)('0' + ret % 10);
	d->cdev[at] = '\0';
	return 0;
}

static int oprun_op_device(struct oprun *r, const struct op *op)
{
	const struct oprun_hooks *h = r->cfg->hooks;
	unsigned int n = r->ndevs;
	struct oprun_dev *d = &r->devs[n];
	const char *why = NULL;
	int ret;

	if (n == OP_MAX_DEVICES)
		return oprun_skip(r, "all 8 devices added");
	memset(d, 0, sizeof(*d));
	d->emu_index = -1;
	d->profile = emu_profile_get(op->device.profile);
	r->ndevs++;
	if (h && h->device_add)
		ret = h->device_add(r->cfg->priv, n, op, d->sysfs, d->cdev,
				    &why);
	else
		ret = oprun_emu_device(r, n, op, d);
	if (ret == OPRUN_SKIPPED) {
		d->why = why ? why : r->skip_why;
		return oprun_skip(r, d->why);
	}
	if (ret < 0) {
		d->why = "adding the device failed";
		return ret;
	}
	d->available = true;
	return 0;
}

static int oprun_op_space(struct oprun *r, const struct op *op)
{
	struct iofd_space *s = NULL;
	int ret;

	if (r->nspaces == OP_MAX_SPACES)
		return oprun_skip(r, "all 4 spaces created");
	oprun_pre(r, op, OPRUN_SPACE_CREATE);
	ret = iofd_space_create(r->ctx, &s, oprun_err(r));
	oprun_called(r, OPRUN_SPACE_CREATE, OPRUN_MAIN, ret);
	if (ret == 0)
		r->spaces[r->nspaces++] = s;
	return ret;
}

/* ------------------------------------------------------------------ */
/* Attach, detach                                                      */

/* attach-cfg's name: none, empty, too long, with a blank, or "devN". */
static void oprun_cfg_name(struct oprun *r, unsigned int n, unsigned int how)
{
	struct oprun_cur *c = &r->cur;

	c->dc.name = c->name;
	switch (how) {
	case OP_NAME_NULL:
		c->dc.name = NULL;
		break;
	case OP_NAME_EMPTY:
		c->name[0] = '\0';
		break;
	case OP_NAME_LONG:
		/* IOFD_DEVICE_NAME_MAX printable bytes: one too many. */
		memset(c->name, 'd', IOFD_DEVICE_NAME_MAX);
		c->name[IOFD_DEVICE_NAME_MAX] = '\0';
		break;
	case OP_NAME_BLANK:
		snprintf(c->name, sizeof(c->name), "dev %u", n);
		break;
	default:
		break;
	}
}

/*
 * The sysfs path attach-cfg passes: none, devN's, or devN's made bad in
 * one way the core must refuse (EINVAL, or ENAMETOOLONG for the long one),
 * built in @bad (PATH_MAX bytes). The bad ones also have components like
 * "x" and ".x" that are fine.
 */
static const char *oprun_cfg_path(const struct oprun_dev *d, unsigned int how,
				  char *bad)
{
	size_t len;

	switch (how) {
	case OP_HOW_FD:
	case OP_HOW_BAD_FD:
	case OP_HOW_NOTHING:
		return NULL;
	case OP_HOW_PATH_REL:
		return d->sysfs + 1;
	case OP_HOW_PATH_DOT:
		snprintf(bad, PATH_MAX, "/x/xx/.x/./%s", d->sysfs);
		return bad;
	case OP_HOW_PATH_DOTDOT:
		snprintf(bad, PATH_MAX, "/x/xx/.x/../%s", d->sysfs);
		return bad;
	case OP_HOW_PATH_LONG:
		/* "/xxxx...x": PATH_MAX - 64 bytes, too long to build on. */
		len = PATH_MAX - 64;
		bad[0] = '/';
		memset(bad + 1, 'x', len - 1);
		bad[len] = '\0';
		return bad;
	case OP_HOW_PATH_WIDE:
		/* Valid, but every message naming it is truncated. */
		bad[0] = '/';
		memset(bad + 1, 'w', 999);
		bad[1000] = '\0';
		return bad;
	default:
		return d->sysfs;
	}
}

/*
 * The cdev fd attach-cfg hands in, opened by the interpreter on the
 * runner's host: devN's node, another device's node (or /dev/iommu) for
 * wrong-fd, an fd number nothing has open for bad-fd. 0 and *@fd, -errno
 * of the open, or OPRUN_SKIPPED when the node is not known.
 */
static int oprun_cfg_fd(struct oprun *r, unsigned int n, unsigned int how,
			int *fd)
{
	const char *path;
	int ret;

	*fd = -1;
	switch (how) {
	case OP_HOW_FD:
	case OP_HOW_FD_SYSFS:
		path = r->devs[n].cdev;
		break;
	case OP_HOW_WRONG_FD:
		path = r->ndevs > 1 ? r->devs[(n + 1) % r->ndevs].cdev :
		       "/dev/iommu";
		break;
	case OP_HOW_BAD_FD:
		*fd = OPRUN_BOGUS_FD;
		return 0;
	default:
		return 0;
	}
	if (!path[0])
		return oprun_skip(r, "no cdev node to hand in");
	ret = r->cfg->host.ops->open(r->cfg->host.priv, path,
				     O_RDWR | O_CLOEXEC);
	if (ret < 0)
		return ret;
	*fd = ret;
	return 0;
}

static int oprun_op_attach(struct oprun *r, const struct op *op)
{
	bool cfg = op->code == OP_ATTACH_CFG;
	unsigned int n = cfg ? op->attach_cfg.dev : op->attach.dev;
	unsigned int m = cfg ? op->attach_cfg.space : op->attach.space;
	unsigned int k = cfg ? op->attach_cfg.be : op->attach.be;
	unsigned int how = cfg ? op->attach_cfg.how : OP_HOW_SYSFS;
	unsigned int mix = cfg ? op->attach_cfg.mix : OP_MIX_OK;
	struct oprun_cur *c = &r->cur;
	struct oprun_dev *d;
	char bad[PATH_MAX];
	enum oprun_call call;
	int ret;

	if (n >= r->ndevs)
		return oprun_skip(r, "no such device");
	d = &r->devs[n];
	if (!d->available)
		return oprun_skip(r, d->why);
	if (m >= r->nspaces)
		return oprun_skip(r, "no such space");
	if (!oprun_be(r, k))
		return OPRUN_SKIPPED;
	snprintf(c->name, sizeof(c->name), "dev%u", n);
	c->dc.name = c->name;
	if (cfg)
		oprun_cfg_name(r, n, op->attach_cfg.name);
	c->dc.sysfs_path = oprun_cfg_path(d, how, bad);
	c->dc.flags = (cfg && op->attach_cfg.discard_ok ?
		       IOFD_DEVICE_DISCARD_OK : 0) |
		      (cfg && op->attach_cfg.bad_flag ?
		       OPRUN_BAD_DEVICE_FLAG : 0);
	c->space = mix == OP_MIX_NULL_SPACE ? NULL :
		   mix == OP_MIX_FOREIGN_SPACE ? r->fspace : r->spaces[m];
	c->be = mix == OP_MIX_NULL_BE ? NULL :
		mix == OP_MIX_FOREIGN_BE ? r->fbe : r->be[k];
	ret = oprun_cfg_fd(r, n, how, &c->dc.fd);
	if (ret)
		return ret;

	call = cfg ? OPRUN_DEVICE_ATTACH_CFG : OPRUN_DEVICE_ATTACH;
	oprun_pre(r, op, call);
	if (cfg)
		ret = iofd_device_attach_cfg(r->ctx, &c->dc, c->space, c->be,
					     &c->dev, oprun_err(r));
	else
		ret = iofd_device_attach(r->ctx, c->name, d->sysfs, c->space,
					 c->be, &c->dev, oprun_err(r));
	oprun_called(r, call, OPRUN_MAIN, ret);
	/* A second attach of an attached device must fail; keep the first. */
	if (ret == 0 && !d->dev) {
		d->dev = c->dev;
		d->space = m;
		d->be = k;
		d->discard_ok = c->dc.flags & IOFD_DEVICE_DISCARD_OK;
		d->kvm_expect = r->kvm_set >= 0 && r->kvm_set == r->kvm_dev;
	}
	return ret;
}

/* The device is let go of whatever detach returns. */
static int oprun_detach(struct oprun *r, unsigned int n, enum oprun_role role)
{
	struct oprun_dev *d = &r->devs[n];
	int ret;

	r->cur.dev = d->dev;
	r->cur_dev = n;
	/* A device's name is shorter than IOFD_DEVICE_NAME_MAX. */
	strcpy(r->cur.name, iofd_device_name(d->dev));
	oprun_calling(r, OPRUN_DEVICE_DETACH);
	ret = iofd_device_detach(d->dev, oprun_err(r));
	d->dev = NULL;
	return oprun_called(r, OPRUN_DEVICE_DETACH, role, ret);
}

static int oprun_op_detach(struct oprun *r, const struct op *op)
{
	if (!oprun_attached(r, op->detach.dev))
		return OPRUN_SKIPPED;
	oprun_pre_main(r, op);
	return oprun_detach(r, op->detach.dev, OPRUN_MAIN);
}

/* ------------------------------------------------------------------ */
/* Regions                                                             */

static int oprun_op_region_add(struct oprun *r, const struct op *op)
{
	int ret;

	if (op->region_add.space >= r->nspaces)
		return oprun_skip(r, "no such space");
	r->cur.region = (struct iofd_region){
		.iova = op_page_iova(op->region_add.window,
				     op->region_add.page),
		.size = (uint64_t)op->region_add.npages * OP_PAGE_SIZE,
		.vaddr = oprun_page_va(r, op->region_add.page),
		.readonly = op->region_add.ro,
	};
	oprun_pre(r, op, OPRUN_SPACE_REGION_ADD);
	ret = iofd_space_region_add(r->spaces[op->region_add.space],
				    &r->cur.region, oprun_err(r));
	return oprun_called(r, OPRUN_SPACE_REGION_ADD, OPRUN_MAIN, ret);
}

static int oprun_op_region_del(struct oprun *r, const struct op *op)
{
	unsigned int m = op->region_del.space, idx = op->region_del.idx;
	const struct iofd_region *reg;
	int ret;

	if (m >= r->nspaces)
		return oprun_skip(r, "no such space");
	reg = iofd_space_region_get(r->spaces[m], idx);
	if (reg)
		r->cur.region = *reg;
	else
		r->cur.region = (struct iofd_region){
			.iova = (uint64_t)idx * OP_PAGE_SIZE,
			.size = OP_PAGE_SIZE,
		};
	oprun_pre(r, op, OPRUN_SPACE_REGION_DEL);
	ret = iofd_space_region_del(r->spaces[m], r->cur.region.iova,
				    r->cur.region.size, oprun_err(r));
	return oprun_called(r, OPRUN_SPACE_REGION_DEL, OPRUN_MAIN, ret);
}

/* ------------------------------------------------------------------ */
/* The scratch IOAS and the interpreter's connections                  */

int oprun_connect(struct oprun *r, unsigned int k,
			 enum oprun_role role)
{
	int ret;

	oprun_calling(r, OPRUN_BACKEND_CONNECT);
	ret = iofd_backend_connect(r->be[k], oprun_err(r));
	oprun_called(r, OPRUN_BACKEND_CONNECT, role, ret);
	if (ret == 0)
		r->conns[k]++;
	return ret;
}

int oprun_free_id(struct oprun *r, unsigned int k, uint32_t id,
			 enum oprun_role role)
{
	int ret;

	oprun_calling(r, OPRUN_BACKEND_FREE_ID);
	ret = iofd_backend_free_id(r->be[k], id, oprun_err(r));
	return oprun_called(r, OPRUN_BACKEND_FREE_ID, role, ret);
}

int oprun_scratch_get(struct oprun *r, unsigned int k)
{
	const struct oprun_hooks *h = r->cfg->hooks;
	struct oprun_scratch *sc = &r->scratch[k];
	uint32_t id = 0;
	int ret;

	if (r->conns[k] == 0) {
		ret = oprun_connect(r, k, OPRUN_SETUP);
		if (ret < 0)
			return ret;
	}
	if (sc->allocated)
		return 0;
	oprun_calling(r, OPRUN_BACKEND_ALLOC_IOAS);
	ret = iofd_backend_alloc_ioas(r->be[k], &id, oprun_err(r));
	oprun_called(r, OPRUN_BACKEND_ALLOC_IOAS, OPRUN_SETUP, ret);
	if (ret < 0)
		return ret;
	sc->allocated = true;
	sc->ioas = id;
	sc->mapped = false;
	if (h && h->scratch_new)
		h->scratch_new(r->cfg->priv, k);
	return 0;
}

/* Keep @id, which the interpreter could not free, for a later try. */
void oprun_leave_id(struct oprun *r, unsigned int k, uint32_t id)
{
	struct oprun_scratch *sc = &r->scratch[k];

	if (sc->nleft == 0)
		sc->left_fd = iofd_backend_fd(r->be[k]);
	sc->left[sc->nleft++] = id;
}

int oprun_scratch_free(struct oprun *r, unsigned int k)
{
	const struct oprun_hooks *h = r->cfg->hooks;
	struct oprun_scratch *sc = &r->scratch[k];
	unsigned int i, kept = 0;
	int ret;

	if (h && h->scratch_put)
		h->scratch_put(r->cfg->priv, k);
	/* They hold the IOAS: they go first; what fails again stays. */
	for (i = 0; i < sc->nleft; i++)
		if (oprun_free_id(r, k, sc->left[i], OPRUN_CLEANUP) < 0)
			sc->left[kept++] = sc->left[i];
	sc->nleft = kept;
	sc->allocated = false;
	ret = oprun_free_id(r, k, sc->ioas, OPRUN_CLEANUP);
	if (ret < 0)
		oprun_leave_id(r, k, sc->ioas);
	return ret;
}

int oprun_scratch_ready(struct oprun *r, unsigned int k)
{
	if (!oprun_be(r, k))
		return OPRUN_SKIPPED;
	return oprun_scratch_get(r, k);
}

void oprun_conns_drop(struct oprun *r, unsigned int k)
{
	while (r->conns[k]) {
		iofd_backend_disconnect(r->be[k]);
		r->conns[k]--;
	}
}

static int oprun_op_connect(struct oprun *r, const struct op *op)
{
	unsigned int k = op->be.be;

	if (!oprun_be(r, k))
		return OPRUN_SKIPPED;
	if (r->conns[k] == OPRUN_MAX_CONNS)
		return oprun_skip(r, "the interpreter holds enough connections");
	oprun_pre_main(r, op);
	return oprun_connect(r, k, OPRUN_MAIN);
}

static int oprun_op_disconnect(struct oprun *r, const struct op *op)
{
	unsigned int k = op->be.be;
	int ret = 0;

	if (!oprun_be(r, k))
		return OPRUN_SKIPPED;
	if (r->conns[k] == 0 && iofd_backend_users(r->be[k]))
		return oprun_skip(r, "the interpreter holds no connection and devices use the backend");
	oprun_pre(r, op, OPRUN_BACKEND_DISCONNECT);
	/* Freed first: on an owned backend the fd may close with the last. */
	if (r->conns[k] == 1 && r->scratch[k].allocated)
		ret = oprun_scratch_free(r, k);
	iofd_backend_disconnect(r->be[k]);
	if (r->conns[k])
		r->conns[k]--;
	return oprun_called(r, OPRUN_BACKEND_DISCONNECT, OPRUN_MAIN, ret);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

static int (*const oprun_ops[OP_COUNT])(struct oprun *r, const struct op *op) = {
	[OP_DEVICE]	= oprun_op_device,
	[OP_SPACE]	= oprun_op_space,
	[OP_ATTACH]	= oprun_op_attach,
	[OP_DETACH]	= oprun_op_detach,
	[OP_REGION_ADD]	= oprun_op_region_add,
	[OP_REGION_DEL]	= oprun_op_region_del,
	[OP_MAP]	= oprun_op_map,
	[OP_UNMAP]	= oprun_op_map,
	[OP_FAULT]	= oprun_op_fault,
	[OP_ATTACH_CFG]	= oprun_op_attach,
	[OP_CONNECT]	= oprun_op_connect,
	[OP_DISCONNECT]	= oprun_op_disconnect,
	[OP_BACKEND]	= oprun_op_backend,
	[OP_UNMAP_ALL]	= oprun_op_unmap_all,
	[OP_RANGES]	= oprun_op_ranges,
	[OP_PROBE]	= oprun_op_probe,
	[OP_HW_INFO]	= oprun_op_hw_info,
	[OP_HWPT]	= oprun_op_hwpt,
	[OP_DIRTY]	= oprun_op_dirty,
	[OP_KVM]	= oprun_op_kvm,
	[OP_DISCARD]	= oprun_op_discard,
	[OP_FAULT_KIND]	= oprun_op_fault_kind,
	[OP_FAULT_ALLOC] = oprun_op_fault_alloc,
	[OP_ERRORS]	= oprun_op_errors,
	[OP_LEAVE]	= oprun_op_leave,
	[OP_DMA]	= oprun_op_dma,
};

int oprun_op(struct oprun *r, const struct op *op)
{
	if ((unsigned int)op->code >= OP_COUNT)
		return oprun_skip(r, "opcode out of range");
	return oprun_ops[op->code](r, op);
}

int oprun_teardown_detach(struct oprun *r, unsigned int n)
{
	return oprun_detach(r, n, OPRUN_CLEANUP);
}
