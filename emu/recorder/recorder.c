/* SPDX-License-Identifier: MIT */
/*
 * The recorder host wrapper (see recorder.h): forward every call to the
 * lower host unchanged and keep a record of it.
 *
 * Invariants: a call reaches the lower host exactly once, with the caller's
 * own arguments, and the caller gets the lower host's result untouched; the
 * recorder only reads the argument before and after. Reading is limited to
 * what the caller declared (the struct's size field) and to the size of the
 * uAPI struct of that request, so a short struct is never over-read; a NULL
 * argument is not read at all. Records live in one growing array owned by
 * the recorder.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "recorder.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

struct emu_rec {
	struct iofd_host lower;
	unsigned int tag;
	unsigned long seq;
	unsigned long dropped;
	FILE *log;
	struct emu_rec_call *calls;
	size_t count;
	size_t cap;
};

/* Requests the recorder knows: name and the uAPI struct behind the arg. */
struct emu_rec_req {
	unsigned long request;
	const char *name;
	uint32_t size;		/* 0: the argument is not a sized struct */
};

#define EMU_REC_REQ(req, type) { req, #req, sizeof(type) }

static const struct emu_rec_req emu_rec_reqs[] = {
	EMU_REC_REQ(IOMMU_DESTROY, struct iommu_destroy),
	EMU_REC_REQ(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc),
	EMU_REC_REQ(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas),
	EMU_REC_REQ(IOMMU_IOAS_COPY, struct iommu_ioas_copy),
	EMU_REC_REQ(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges),
	EMU_REC_REQ(IOMMU_IOAS_MAP, struct iommu_ioas_map),
	EMU_REC_REQ(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap),
	EMU_REC_REQ(IOMMU_OPTION, struct iommu_option),
	EMU_REC_REQ(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas),
	EMU_REC_REQ(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc),
	EMU_REC_REQ(IOMMU_GET_HW_INFO, struct iommu_hw_info),
	EMU_REC_REQ(IOMMU_HWPT_SET_DIRTY_TRACKING,
		    struct iommu_hwpt_set_dirty_tracking),
	EMU_REC_REQ(IOMMU_HWPT_GET_DIRTY_BITMAP,
		    struct iommu_hwpt_get_dirty_bitmap),
	EMU_REC_REQ(VFIO_DEVICE_BIND_IOMMUFD, struct vfio_device_bind_iommufd),
	EMU_REC_REQ(VFIO_DEVICE_ATTACH_IOMMUFD_PT,
		    struct vfio_device_attach_iommufd_pt),
	EMU_REC_REQ(VFIO_DEVICE_DETACH_IOMMUFD_PT,
		    struct vfio_device_detach_iommufd_pt),
	EMU_REC_REQ(VFIO_DEVICE_GET_INFO, struct vfio_device_info),
	EMU_REC_REQ(VFIO_DEVICE_GET_REGION_INFO, struct vfio_region_info),
	EMU_REC_REQ(VFIO_DEVICE_GET_IRQ_INFO, struct vfio_irq_info),
	{ VFIO_DEVICE_RESET, "VFIO_DEVICE_RESET", 0 },
};

static const struct emu_rec_req *emu_rec_req_find(unsigned long request)
{
	size_t i;

	for (i = 0; i < sizeof(emu_rec_reqs) / sizeof(emu_rec_reqs[0]); i++)
		if (emu_rec_reqs[i].request == request)
			return &emu_rec_reqs[i];
	return NULL;
}

const char *emu_rec_request_name(unsigned long request)
{
	const struct emu_rec_req *q = emu_rec_req_find(request);

	return q ? q->name : NULL;
}

const char *emu_rec_kind_name(enum emu_rec_kind kind)
{
	static const char *const names[EMU_REC_KIND_COUNT] = {
		[EMU_REC_OPEN] = "open",
		[EMU_REC_CLOSE] = "close",
		[EMU_REC_IOCTL] = "ioctl",
		[EMU_REC_FSTAT] = "fstat",
		[EMU_REC_STAT] = "stat",
		[EMU_REC_READ_FILE] = "read_file",
		[EMU_REC_LIST_DIR] = "list_dir",
	};

	if ((unsigned int)kind >= EMU_REC_KIND_COUNT)
		return "?";
	return names[kind];
}

/* ------------------------------------------------------------------ */
/* Records                                                             */

/*
 * A fresh record for the call about to be made, or NULL when memory ran
 * out (the call is then only counted as dropped). The pointer is valid
 * until the next emu_rec_begin.
 */
static struct emu_rec_call *emu_rec_begin(struct emu_rec *r,
					  enum emu_rec_kind kind)
{
	struct emu_rec_call *c;

	r->seq++;
	if (r->count == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct emu_rec_call *n;

		n = realloc(r->calls, ncap * sizeof(*n));
		if (!n) {
			r->dropped++;
			return NULL;
		}
		r->calls = n;
		r->cap = ncap;
	}
	c = &r->calls[r->count++];
	memset(c, 0, sizeof(*c));
	c->seq = r->seq;
	c->tag = r->tag;
	c->kind = kind;
	c->fd = -1;
	return c;
}

static void emu_rec_end(struct emu_rec *r, struct emu_rec_call *c, long ret)
{
	char line[768];

	if (!c)
		return;
	c->ret = ret;
	c->err = ret < 0 ? (int)-ret : 0;
	if (r->log) {
		emu_rec_print(c, line, sizeof(line));
		fprintf(r->log, "%s\n", line);
	}
}

static void emu_rec_path(struct emu_rec_call *c, const char *path)
{
	if (c && path)
		snprintf(c->path, sizeof(c->path), "%s", path);
}

static void emu_rec_extra(struct emu_rec_call *c, const void *data,
			  size_t len)
{
	size_t room = EMU_REC_EXTRA_MAX - c->extra_len;

	if (len > room) {
		len = room;
		c->extra_truncated = true;
	}
	memcpy(c->extra + c->extra_len, data, len);
	c->extra_len += len;
}

/* ------------------------------------------------------------------ */
/* The wrapping host                                                   */

static int emu_rec_open(void *priv, const char *path, int flags)
{
	struct emu_rec *r = priv;
	struct emu_rec_call *c = emu_rec_begin(r, EMU_REC_OPEN);
	int ret;

	emu_rec_path(c, path);
	if (c)
		c->flags = flags;
	ret = r->lower.ops->open(r->lower.priv, path, flags);
	emu_rec_end(r, c, ret);
	return ret;
}

static int emu_rec_close(void *priv, int fd)
{
	struct emu_rec *r = priv;
	struct emu_rec_call *c = emu_rec_begin(r, EMU_REC_CLOSE);
	int ret;

	if (c)
		c->fd = fd;
	ret = r->lower.ops->close(r->lower.priv, fd);
	emu_rec_end(r, c, ret);
	return ret;
}

/* IOVA_RANGES answers through allowed_iovas: keep what the kernel wrote. */
static void emu_rec_ranges(struct emu_rec_call *c, long ret)
{
	struct iommu_ioas_iova_ranges in, out;
	uint64_t n;

	if (c->arg_len < sizeof(in) || (ret != 0 && ret != -EMSGSIZE))
		return;
	memcpy(&in, c->in, sizeof(in));
	memcpy(&out, c->out, sizeof(out));
	if (!out.allowed_iovas)
		return;
	/* The kernel fills at most the capacity the caller gave. */
	n = out.num_iovas < in.num_iovas ? out.num_iovas : in.num_iovas;
	if (n * sizeof(struct iommu_iova_range) > EMU_REC_EXTRA_MAX) {
		n = EMU_REC_EXTRA_MAX / sizeof(struct iommu_iova_range);
		c->extra_truncated = true;
	}
	emu_rec_extra(c, (const void *)(uintptr_t)out.allowed_iovas,
		      n * sizeof(struct iommu_iova_range));
}

/* GET_HW_INFO answers through data_uptr: keep the report's bytes. */
static void emu_rec_hw_info(struct emu_rec_call *c, long ret)
{
	struct iommu_hw_info in, out;
	uint32_t n;

	if (c->arg_len < offsetofend(struct iommu_hw_info, data_uptr) ||
	    ret != 0)
		return;
	memcpy(&in, c->in, sizeof(in));
	memcpy(&out, c->out, sizeof(out));
	if (!out.data_uptr)
		return;
	/* The kernel writes at most the length the caller offered. */
	n = out.data_len < in.data_len ? out.data_len : in.data_len;
	if (n > EMU_REC_EXTRA_MAX) {
		n = EMU_REC_EXTRA_MAX;
		c->extra_truncated = true;
	}
	emu_rec_extra(c, (const void *)(uintptr_t)out.data_uptr, n);
}

static int emu_rec_ioctl(void *priv, int fd, unsigned long request,
			 void *arg)
{
	struct emu_rec *r = priv;
	struct emu_rec_call *c = emu_rec_begin(r, EMU_REC_IOCTL);
	const struct emu_rec_req *q = emu_rec_req_find(request);
	uint32_t declared;
	int ret;

	if (c) {
		c->fd = fd;
		c->request = request;
		/* Both families start with their own size (size / argsz). */
		if (q && q->size && arg) {
			memcpy(&declared, arg, sizeof(declared));
			c->arg_len = declared < q->size ? declared : q->size;
			if (c->arg_len > EMU_REC_ARG_MAX)
				c->arg_len = EMU_REC_ARG_MAX;
			memcpy(c->in, arg, c->arg_len);
		}
	}
	ret = r->lower.ops->ioctl(r->lower.priv, fd, request, arg);
	if (c && c->arg_len) {
		memcpy(c->out, arg, c->arg_len);
		if (request == IOMMU_IOAS_IOVA_RANGES)
			emu_rec_ranges(c, ret);
		else if (request == IOMMU_GET_HW_INFO)
			emu_rec_hw_info(c, ret);
	}
	emu_rec_end(r, c, ret);
	return ret;
}

static void emu_rec_stat_out(struct emu_rec_call *c, const struct stat *st,
			     int ret)
{
	if (!c || ret < 0)
		return;
	c->mode = st->st_mode;
	c->rdev = st->st_rdev;
	if (sizeof(*st) <= EMU_REC_ARG_MAX) {
		c->arg_len = sizeof(*st);
		memcpy(c->out, st, sizeof(*st));
	}
}

static int emu_rec_fstat(void *priv, int fd, struct stat *st)
{
	struct emu_rec *r = priv;
	struct emu_rec_call *c = emu_rec_begin(r, EMU_REC_FSTAT);
	int ret;

	if (c)
		c->fd = fd;
	ret = r->lower.ops->fstat(r->lower.priv, fd, st);
	emu_rec_stat_out(c, st, ret);
	emu_rec_end(r, c, ret);
	return ret;
}

static int emu_rec_stat(void *priv, const char *path, struct stat *st)
{
	struct emu_rec *r = priv;
	struct emu_rec_call *c = emu_rec_begin(r, EMU_REC_STAT);
	int ret;

	emu_rec_path(c, path);
	ret = r->lower.ops->stat(r->lower.priv, path, st);
	emu_rec_stat_out(c, st, ret);
	emu_rec_end(r, c, ret);
	return ret;
}

static ssize_t emu_rec_read_file(void *priv, const char *path, char *buf,
				 size_t cap)
{
	struct emu_rec *r = priv;
	struct emu_rec_call *c = emu_rec_begin(r, EMU_REC_READ_FILE);
	ssize_t ret;

	emu_rec_path(c, path);
	ret = r->lower.ops->read_file(r->lower.priv, path, buf, cap);
	if (c && ret > 0)
		emu_rec_extra(c, buf, (size_t)ret);
	emu_rec_end(r, c, ret);
	return ret;
}

/* Passes each name through to the caller's callback and keeps it. */
struct emu_rec_dir {
	struct emu_rec_call *c;
	iofd_dir_cb cb;
	void *arg;
};

static int emu_rec_dir_entry(void *arg, const char *name)
{
	struct emu_rec_dir *d = arg;

	if (d->c) {
		emu_rec_extra(d->c, name, strlen(name));
		emu_rec_extra(d->c, "\n", 1);
	}
	return d->cb(d->arg, name);
}

static int emu_rec_list_dir(void *priv, const char *path, iofd_dir_cb cb,
			    void *arg)
{
	struct emu_rec *r = priv;
	struct emu_rec_dir d = {
		.c = emu_rec_begin(r, EMU_REC_LIST_DIR), .cb = cb, .arg = arg,
	};
	int ret;

	emu_rec_path(d.c, path);
	ret = r->lower.ops->list_dir(r->lower.priv, path, emu_rec_dir_entry,
				     &d);
	emu_rec_end(r, d.c, ret);
	return ret;
}

static const struct iofd_host_ops emu_rec_ops = {
	.open = emu_rec_open,
	.close = emu_rec_close,
	.ioctl = emu_rec_ioctl,
	.fstat = emu_rec_fstat,
	.stat = emu_rec_stat,
	.read_file = emu_rec_read_file,
	.list_dir = emu_rec_list_dir,
};

int emu_rec_create(const struct iofd_host *lower, struct emu_rec **out)
{
	struct emu_rec *r;

	if (!lower || !lower->ops)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->lower = *lower;
	*out = r;
	return 0;
}

void emu_rec_destroy(struct emu_rec *r)
{
	if (!r)
		return;
	free(r->calls);
	free(r);
}

void emu_rec_host(struct emu_rec *r, struct iofd_host *out)
{
	out->ops = &emu_rec_ops;
	out->priv = r;
}

void emu_rec_set_tag(struct emu_rec *r, unsigned int tag)
{
	r->tag = tag;
}

void emu_rec_set_log(struct emu_rec *r, FILE *log)
{
	r->log = log;
}

size_t emu_rec_count(const struct emu_rec *r)
{
	return r->count;
}

unsigned long emu_rec_dropped(const struct emu_rec *r)
{
	return r->dropped;
}

const struct emu_rec_call *emu_rec_get(const struct emu_rec *r, size_t idx)
{
	return idx < r->count ? &r->calls[idx] : NULL;
}

void emu_rec_clear(struct emu_rec *r)
{
	r->count = 0;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                          */

/* snprintf that appends at *len and never runs past @cap. */
static void emu_rec_put(char *buf, size_t cap, int *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void emu_rec_put(char *buf, size_t cap, int *len, const char *fmt, ...)
{
	size_t at = (size_t)*len < cap ? (size_t)*len : cap;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cap ? buf + at : NULL, cap - at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += n;
}

/* The fields of the out struct that say what the call did. */
static void emu_rec_print_arg(const struct emu_rec_call *c, char *buf,
			      size_t cap, int *len)
{
	const void *o = c->out;

#define EMU_REC_HAS(type) (c->arg_len >= sizeof(type))
	switch (c->request) {
	case IOMMU_DESTROY:
		if (EMU_REC_HAS(struct iommu_destroy))
			emu_rec_put(buf, cap, len, " id=%u",
				    ((const struct iommu_destroy *)o)->id);
		break;
	case IOMMU_IOAS_ALLOC:
		if (EMU_REC_HAS(struct iommu_ioas_alloc))
			emu_rec_put(buf, cap, len, " out_ioas_id=%u",
				    ((const struct iommu_ioas_alloc *)o)->out_ioas_id);
		break;
	case IOMMU_IOAS_MAP:
		if (EMU_REC_HAS(struct iommu_ioas_map)) {
			const struct iommu_ioas_map *m = o;

			emu_rec_put(buf, cap, len,
				    " flags=%#x ioas_id=%u user_va=%#llx length=%#llx iova=%#llx",
				    m->flags, m->ioas_id,
				    (unsigned long long)m->user_va,
				    (unsigned long long)m->length,
				    (unsigned long long)m->iova);
		}
		break;
	case IOMMU_IOAS_UNMAP:
		if (EMU_REC_HAS(struct iommu_ioas_unmap)) {
			const struct iommu_ioas_unmap *u = o;

			emu_rec_put(buf, cap, len,
				    " ioas_id=%u iova=%#llx length=%#llx",
				    u->ioas_id, (unsigned long long)u->iova,
				    (unsigned long long)u->length);
		}
		break;
	case IOMMU_IOAS_IOVA_RANGES:
		if (EMU_REC_HAS(struct iommu_ioas_iova_ranges)) {
			const struct iommu_ioas_iova_ranges *g = o;
			const struct iommu_iova_range *rg =
				(const void *)c->extra;
			size_t i, n = c->extra_len / sizeof(*rg);

			emu_rec_put(buf, cap, len,
				    " ioas_id=%u num_iovas=%u alignment=%#llx",
				    g->ioas_id, g->num_iovas,
				    (unsigned long long)g->out_iova_alignment);
			for (i = 0; i < n; i++)
				emu_rec_put(buf, cap, len, " [%#llx,%#llx]",
					    (unsigned long long)rg[i].start,
					    (unsigned long long)rg[i].last);
		}
		break;
	case IOMMU_HWPT_ALLOC:
		if (EMU_REC_HAS(struct iommu_hwpt_alloc)) {
			const struct iommu_hwpt_alloc *h = o;

			emu_rec_put(buf, cap, len,
				    " flags=%#x dev_id=%u pt_id=%u out_hwpt_id=%u",
				    h->flags, h->dev_id, h->pt_id,
				    h->out_hwpt_id);
		}
		break;
	case IOMMU_GET_HW_INFO:
		if (EMU_REC_HAS(struct iommu_hw_info)) {
			const struct iommu_hw_info *h = o;

			emu_rec_put(buf, cap, len,
				    " dev_id=%u data_len=%u out_data_type=%u out_capabilities=%#llx",
				    h->dev_id, h->data_len, h->out_data_type,
				    (unsigned long long)h->out_capabilities);
			if (c->extra_len) {
				uint32_t i;

				emu_rec_put(buf, cap, len, " data=");
				for (i = 0; i < c->extra_len && i < 32; i++)
					emu_rec_put(buf, cap, len, "%02x",
						    c->extra[i]);
			}
		}
		break;
	case VFIO_DEVICE_BIND_IOMMUFD:
		if (EMU_REC_HAS(struct vfio_device_bind_iommufd)) {
			const struct vfio_device_bind_iommufd *b = o;

			emu_rec_put(buf, cap, len,
				    " flags=%#x iommufd=%d out_devid=%u",
				    b->flags, b->iommufd, b->out_devid);
		}
		break;
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		if (EMU_REC_HAS(struct vfio_device_attach_iommufd_pt))
			emu_rec_put(buf, cap, len, " pt_id=%u",
				    ((const struct vfio_device_attach_iommufd_pt *)o)->pt_id);
		break;
	case VFIO_DEVICE_GET_INFO:
		if (EMU_REC_HAS(struct vfio_device_info)) {
			const struct vfio_device_info *i = o;

			emu_rec_put(buf, cap, len,
				    " argsz=%u flags=%#x num_regions=%u num_irqs=%u",
				    i->argsz, i->flags, i->num_regions,
				    i->num_irqs);
		}
		break;
	default:
		break;
	}
#undef EMU_REC_HAS
}

int emu_rec_print(const struct emu_rec_call *c, char *buf, size_t cap)
{
	const char *name;
	int len = 0;

	if (cap)
		buf[0] = '\0';
	emu_rec_put(buf, cap, &len, "#%lu [%u] %s", c->seq, c->tag,
		    emu_rec_kind_name(c->kind));
	switch (c->kind) {
	case EMU_REC_OPEN:
		emu_rec_put(buf, cap, &len, " %s flags=%#x", c->path, c->flags);
		break;
	case EMU_REC_CLOSE:
	case EMU_REC_FSTAT:
		emu_rec_put(buf, cap, &len, " fd=%d", c->fd);
		break;
	case EMU_REC_IOCTL:
		name = emu_rec_request_name(c->request);
		if (name)
			emu_rec_put(buf, cap, &len, " fd=%d %s", c->fd, name);
		else
			emu_rec_put(buf, cap, &len, " fd=%d req=%#lx", c->fd,
				    c->request);
		if (c->ret >= 0 || c->ret == -EMSGSIZE)
			emu_rec_print_arg(c, buf, cap, &len);
		break;
	case EMU_REC_STAT:
	case EMU_REC_READ_FILE:
	case EMU_REC_LIST_DIR:
		emu_rec_put(buf, cap, &len, " %s", c->path);
		break;
	case EMU_REC_KIND_COUNT:
		break;
	}
	if ((c->kind == EMU_REC_FSTAT || c->kind == EMU_REC_STAT) &&
	    c->ret >= 0)
		emu_rec_put(buf, cap, &len, " mode=%#o rdev=%u:%u",
			    c->mode & S_IFMT, major(c->rdev), minor(c->rdev));
	if (c->kind == EMU_REC_READ_FILE && c->ret > 0) {
		int n = (int)c->extra_len;

		while (n > 0 && c->extra[n - 1] == '\n')
			n--;
		emu_rec_put(buf, cap, &len, " \"%.*s\"", n,
			    (const char *)c->extra);
	}
	if (c->ret < 0)
		emu_rec_put(buf, cap, &len, " = -%d (%s)", c->err,
			    strerrorname_np(c->err) ? strerrorname_np(c->err) :
			    "E?");
	else
		emu_rec_put(buf, cap, &len, " = %ld", c->ret);
	return len;
}
