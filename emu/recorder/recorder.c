/* SPDX-License-Identifier: MIT */
/*
 * The recorder (see recorder.h): a host filter whose hooks keep a record
 * of every call; the base forwards the call itself, unchanged.
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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <emu/ioctl_names.h>
#include <emu/strbuf.h>

#include "recorder.h"

#ifndef offsetofend
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))
#endif

struct emu_rec {
	struct emu_filter filter;
	struct iofd_host host;		/* the recording host */
	unsigned int tag;
	unsigned long seq;
	unsigned long dropped;
	FILE *log;
	struct emu_rec_call *calls;
	size_t count;
	size_t cap;
};

/* ------------------------------------------------------------------ */
/* Records                                                             */

/*
 * A fresh record for the call about to be made, or NULL when memory ran
 * out (the call is then only counted as dropped). The pointer is valid
 * until the next emu_rec_begin.
 */
static struct emu_rec_call *emu_rec_begin(struct emu_rec *r,
					  enum emu_host_entry kind)
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
/* The filter's hooks                                                  */

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

/* The ioctl's argument as the caller declared it, before the call. */
static void emu_rec_ioctl_in(struct emu_rec_call *rc,
			     const struct emu_host_call *c)
{
	const struct emu_ioctl_desc *q = emu_ioctl_find(c->request);
	uint32_t declared;

	rc->request = c->request;
	/* Both families start with their own size (size / argsz). */
	if (!q || !q->size || !c->arg)
		return;
	memcpy(&declared, c->arg, sizeof(declared));
	rc->arg_len = declared < q->size ? declared : q->size;
	if (rc->arg_len > EMU_REC_ARG_MAX)
		rc->arg_len = EMU_REC_ARG_MAX;
	memcpy(rc->in, c->arg, rc->arg_len);
}

static void emu_rec_stat_out(struct emu_rec_call *rc, const struct stat *st)
{
	rc->mode = st->st_mode;
	rc->rdev = st->st_rdev;
	if (sizeof(*st) <= EMU_REC_ARG_MAX) {
		rc->arg_len = sizeof(*st);
		memcpy(rc->out, st, sizeof(*st));
	}
}

/*
 * A record for the call, filled with what is known before it runs. The
 * record's index goes into c->data: records move when the array grows.
 */
static bool emu_rec_before(void *priv, struct emu_filter *f,
			   struct emu_host_call *c)
{
	struct emu_rec *r = priv;
	struct emu_rec_call *rc = emu_rec_begin(r, c->entry);

	c->data = NULL;
	if (!rc)
		return true;
	c->data = (void *)(uintptr_t)(r->count);
	rc->fd = c->fd;
	if (c->path)
		snprintf(rc->path, sizeof(rc->path), "%s", c->path);
	switch (c->entry) {
	case EMU_HOST_OPEN:
		rc->flags = c->flags;
		break;
	case EMU_HOST_IOCTL:
		emu_rec_ioctl_in(rc, c);
		break;
	case EMU_HOST_PREAD:
	case EMU_HOST_PWRITE:
	case EMU_HOST_MMAP:
	case EMU_HOST_MUNMAP:
		rc->count = c->count;
		rc->offset = c->offset;
		if (c->entry == EMU_HOST_PWRITE && c->buf)
			emu_rec_extra(rc, c->buf, c->count);
		break;
	default:
		break;
	}
	return true;
}

/* The record c->data names, or NULL when memory for it ran out. */
static struct emu_rec_call *emu_rec_of(struct emu_rec *r,
				       const struct emu_host_call *c)
{
	size_t idx = (size_t)(uintptr_t)c->data;

	return idx && idx <= r->count ? &r->calls[idx - 1] : NULL;
}

static void emu_rec_after(void *priv, struct emu_host_call *c)
{
	struct emu_rec *r = priv;
	struct emu_rec_call *rc = emu_rec_of(r, c);

	if (!rc)
		return;
	switch (c->entry) {
	case EMU_HOST_IOCTL:
		if (!rc->arg_len)
			break;
		memcpy(rc->out, c->arg, rc->arg_len);
		if (c->request == IOMMU_IOAS_IOVA_RANGES)
			emu_rec_ranges(rc, c->ret);
		else if (c->request == IOMMU_GET_HW_INFO)
			emu_rec_hw_info(rc, c->ret);
		break;
	case EMU_HOST_FSTAT:
	case EMU_HOST_STAT:
		if (c->ret >= 0)
			emu_rec_stat_out(rc, c->st);
		break;
	case EMU_HOST_READ_FILE:
	case EMU_HOST_PREAD:
		if (c->ret > 0)
			emu_rec_extra(rc, c->buf, (size_t)c->ret);
		break;
	default:
		break;
	}
	emu_rec_end(r, rc, c->ret);
}

static void emu_rec_dir_entry(void *priv, struct emu_host_call *c,
			      const char *name)
{
	struct emu_rec_call *rc = emu_rec_of(priv, c);

	if (rc) {
		emu_rec_extra(rc, name, strlen(name));
		emu_rec_extra(rc, "\n", 1);
	}
}

static const struct emu_filter_ops emu_rec_filter_ops = {
	.before = emu_rec_before,
	.after = emu_rec_after,
	.dir_entry = emu_rec_dir_entry,
};

int emu_rec_create(const struct iofd_host *lower, struct emu_rec **out)
{
	struct emu_rec *r;

	if (!lower || !lower->ops)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	emu_filter_init(&r->filter, lower, &emu_rec_filter_ops, r, &r->host);
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
	*out = r->host;
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

/* The fields of the out struct that say what the call did. */
static void emu_rec_print_arg(const struct emu_rec_call *c, char *buf,
			      size_t cap, int *len)
{
	const void *o = c->out;

#define EMU_REC_HAS(type) (c->arg_len >= sizeof(type))
	switch (c->request) {
	case IOMMU_DESTROY:
		if (EMU_REC_HAS(struct iommu_destroy))
			emu_strbuf_printf(buf, cap, len, " id=%u",
				    ((const struct iommu_destroy *)o)->id);
		break;
	case IOMMU_IOAS_ALLOC:
		if (EMU_REC_HAS(struct iommu_ioas_alloc))
			emu_strbuf_printf(buf, cap, len, " out_ioas_id=%u",
				    ((const struct iommu_ioas_alloc *)o)->out_ioas_id);
		break;
	case IOMMU_IOAS_MAP:
		if (EMU_REC_HAS(struct iommu_ioas_map)) {
			const struct iommu_ioas_map *m = o;

			emu_strbuf_printf(buf, cap, len,
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

			emu_strbuf_printf(buf, cap, len,
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

			emu_strbuf_printf(buf, cap, len,
				    " ioas_id=%u num_iovas=%u alignment=%#llx",
				    g->ioas_id, g->num_iovas,
				    (unsigned long long)g->out_iova_alignment);
			for (i = 0; i < n; i++)
				emu_strbuf_printf(buf, cap, len, " [%#llx,%#llx]",
					    (unsigned long long)rg[i].start,
					    (unsigned long long)rg[i].last);
		}
		break;
	case IOMMU_HWPT_ALLOC:
		if (EMU_REC_HAS(struct iommu_hwpt_alloc)) {
			const struct iommu_hwpt_alloc *h = o;

			emu_strbuf_printf(buf, cap, len,
				    " flags=%#x dev_id=%u pt_id=%u out_hwpt_id=%u",
				    h->flags, h->dev_id, h->pt_id,
				    h->out_hwpt_id);
		}
		break;
	case IOMMU_GET_HW_INFO:
		if (EMU_REC_HAS(struct iommu_hw_info)) {
			const struct iommu_hw_info *h = o;

			emu_strbuf_printf(buf, cap, len,
				    " dev_id=%u data_len=%u out_data_type=%u out_capabilities=%#llx",
				    h->dev_id, h->data_len, h->out_data_type,
				    (unsigned long long)h->out_capabilities);
			if (c->extra_len) {
				uint32_t i;

				emu_strbuf_printf(buf, cap, len, " data=");
				for (i = 0; i < c->extra_len && i < 32; i++)
					emu_strbuf_printf(buf, cap, len, "%02x",
						    c->extra[i]);
			}
		}
		break;
	case VFIO_DEVICE_BIND_IOMMUFD:
		if (EMU_REC_HAS(struct vfio_device_bind_iommufd)) {
			const struct vfio_device_bind_iommufd *b = o;

			emu_strbuf_printf(buf, cap, len,
				    " flags=%#x iommufd=%d out_devid=%u",
				    b->flags, b->iommufd, b->out_devid);
		}
		break;
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		if (EMU_REC_HAS(struct vfio_device_attach_iommufd_pt))
			emu_strbuf_printf(buf, cap, len, " pt_id=%u",
				    ((const struct vfio_device_attach_iommufd_pt *)o)->pt_id);
		break;
	case VFIO_DEVICE_GET_INFO:
		if (EMU_REC_HAS(struct vfio_device_info)) {
			const struct vfio_device_info *i = o;

			emu_strbuf_printf(buf, cap, len,
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
	emu_strbuf_printf(buf, cap, &len, "#%lu [%u] %s", c->seq, c->tag,
		    emu_host_entry_name(c->kind));
	switch (c->kind) {
	case EMU_HOST_OPEN:
		emu_strbuf_printf(buf, cap, &len, " %s flags=%#x", c->path, c->flags);
		break;
	case EMU_HOST_CLOSE:
	case EMU_HOST_FSTAT:
		emu_strbuf_printf(buf, cap, &len, " fd=%d", c->fd);
		break;
	case EMU_HOST_PREAD:
	case EMU_HOST_PWRITE:
		emu_strbuf_printf(buf, cap, &len, " fd=%d count=%#" PRIx64
			    " offset=%#" PRIx64, c->fd, c->count, c->offset);
		break;
	case EMU_HOST_IOCTL:
		name = emu_ioctl_name(c->request);
		if (name)
			emu_strbuf_printf(buf, cap, &len, " fd=%d %s", c->fd, name);
		else
			emu_strbuf_printf(buf, cap, &len, " fd=%d req=%#lx", c->fd,
				    c->request);
		if (c->ret >= 0 || c->ret == -EMSGSIZE)
			emu_rec_print_arg(c, buf, cap, &len);
		break;
	case EMU_HOST_STAT:
	case EMU_HOST_READ_FILE:
	case EMU_HOST_LIST_DIR:
		emu_strbuf_printf(buf, cap, &len, " %s", c->path);
		break;
	case EMU_HOST_MMAP:
		emu_strbuf_printf(buf, cap, &len, " fd=%d length=%#" PRIx64
			    " offset=%#" PRIx64, c->fd, c->count, c->offset);
		break;
	case EMU_HOST_MUNMAP:
		emu_strbuf_printf(buf, cap, &len, " length=%#" PRIx64, c->count);
		break;
	case EMU_HOST_ENTRY_COUNT:
		break;
	}
	if ((c->kind == EMU_HOST_FSTAT || c->kind == EMU_HOST_STAT) &&
	    c->ret >= 0)
		emu_strbuf_printf(buf, cap, &len, " mode=%#o rdev=%u:%u",
			    c->mode & S_IFMT, major(c->rdev), minor(c->rdev));
	if (c->kind == EMU_HOST_READ_FILE && c->ret > 0) {
		int n = (int)c->extra_len;

		while (n > 0 && c->extra[n - 1] == '\n')
			n--;
		emu_strbuf_printf(buf, cap, &len, " \"%.*s\"", n,
			    (const char *)c->extra);
	}
	if (c->ret < 0)
		emu_strbuf_printf(buf, cap, &len, " = -%d (%s)", c->err,
			    strerrorname_np(c->err) ? strerrorname_np(c->err) :
			    "E?");
	else
		emu_strbuf_printf(buf, cap, &len, " = %ld", c->ret);
	return len;
}
