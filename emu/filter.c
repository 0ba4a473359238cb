// SPDX-License-Identifier: MIT
/*
 * The host-filter base (filter.h): one entry function per entry of the
 * host table that describes the call, runs the filter's hooks around it
 * and forwards it; and emu_filter_forward, the one place that turns a
 * described call back into a call of the lower host.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <emu/filter.h>
#include <emu/ioctl_names.h>

static const char *const emu_host_entry_names[EMU_HOST_ENTRY_COUNT] = {
	[EMU_HOST_OPEN] = "open",
	[EMU_HOST_CLOSE] = "close",
	[EMU_HOST_IOCTL] = "ioctl",
	[EMU_HOST_FSTAT] = "fstat",
	[EMU_HOST_STAT] = "stat",
	[EMU_HOST_READ_FILE] = "read_file",
	[EMU_HOST_LIST_DIR] = "list_dir",
	[EMU_HOST_PREAD] = "pread",
	[EMU_HOST_PWRITE] = "pwrite",
	[EMU_HOST_MMAP] = "mmap",
	[EMU_HOST_MUNMAP] = "munmap",
};

const char *emu_host_entry_name(enum emu_host_entry entry)
{
	if ((unsigned int)entry >= EMU_HOST_ENTRY_COUNT)
		return "?";
	return emu_host_entry_names[entry];
}

bool emu_host_entry_has_path(enum emu_host_entry entry)
{
	return entry == EMU_HOST_OPEN || entry == EMU_HOST_STAT ||
	       entry == EMU_HOST_READ_FILE || entry == EMU_HOST_LIST_DIR;
}

bool emu_host_entry_has_fd(enum emu_host_entry entry)
{
	return (unsigned int)entry < EMU_HOST_ENTRY_COUNT &&
	       entry != EMU_HOST_MUNMAP && !emu_host_entry_has_path(entry);
}

/* The caller's list_dir callback, with the filter's dir_entry before it. */
struct emu_filter_dir {
	struct emu_filter *f;
	struct emu_host_call *c;
	iofd_dir_cb cb;
	void *cb_arg;
};

static int emu_filter_dir_entry(void *arg, const char *name)
{
	struct emu_filter_dir *d = arg;

	d->f->ops->dir_entry(d->f->priv, d->c, name);
	return d->cb(d->cb_arg, name);
}

long emu_filter_forward(struct emu_filter *f, struct emu_host_call *c)
{
	const struct iofd_host_ops *ops = f->lower.ops;
	void *lp = f->lower.priv;
	struct emu_filter_dir d;
	long ret = -ENOSYS;

	switch (c->entry) {
	case EMU_HOST_OPEN:
		if (ops->open)
			ret = ops->open(lp, c->path, c->flags);
		break;
	case EMU_HOST_CLOSE:
		if (ops->close)
			ret = ops->close(lp, c->fd);
		break;
	case EMU_HOST_IOCTL:
		if (ops->ioctl)
			ret = ops->ioctl(lp, c->fd, c->request, c->arg);
		break;
	case EMU_HOST_FSTAT:
		if (ops->fstat)
			ret = ops->fstat(lp, c->fd, c->st);
		break;
	case EMU_HOST_STAT:
		if (ops->stat)
			ret = ops->stat(lp, c->path, c->st);
		break;
	case EMU_HOST_READ_FILE:
		if (ops->read_file)
			ret = ops->read_file(lp, c->path, c->buf, c->count);
		break;
	case EMU_HOST_LIST_DIR:
		if (!ops->list_dir)
			break;
		if (!f->ops->dir_entry) {
			ret = ops->list_dir(lp, c->path, c->cb, c->cb_arg);
			break;
		}
		d = (struct emu_filter_dir){
			.f = f, .c = c, .cb = c->cb, .cb_arg = c->cb_arg,
		};
		ret = ops->list_dir(lp, c->path, emu_filter_dir_entry, &d);
		break;
	case EMU_HOST_PREAD:
		if (ops->pread)
			ret = ops->pread(lp, c->fd, c->buf, c->count, c->offset);
		break;
	case EMU_HOST_PWRITE:
		if (ops->pwrite)
			ret = ops->pwrite(lp, c->fd, c->buf, c->count,
					  c->offset);
		break;
	case EMU_HOST_MMAP:
		if (ops->mmap)
			ret = ops->mmap(lp, c->addr, c->count, c->prot,
					c->flags, c->fd, c->offset, c->out);
		break;
	case EMU_HOST_MUNMAP:
		if (ops->munmap)
			ret = ops->munmap(lp, c->addr, c->count);
		break;
	case EMU_HOST_ENTRY_COUNT:
		break;
	}
	c->ret = ret;
	return ret;
}

/* Hooks around the call; the call itself unless before answered it. */
static long emu_filter_run(struct emu_filter *f, struct emu_host_call *c)
{
	if (!f->ops->before || f->ops->before(f->priv, f, c))
		emu_filter_forward(f, c);
	if (f->ops->after)
		f->ops->after(f->priv, c);
	return c->ret;
}

static int emu_filter_open(void *priv, const char *path, int flags)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_OPEN, .fd = -1, .path = path, .flags = flags,
	};

	return (int)emu_filter_run(priv, &c);
}

static int emu_filter_close(void *priv, int fd)
{
	struct emu_host_call c = { .entry = EMU_HOST_CLOSE, .fd = fd };

	return (int)emu_filter_run(priv, &c);
}

static int emu_filter_ioctl(void *priv, int fd, unsigned long request,
			    void *arg)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_IOCTL, .fd = fd, .request = request,
		.arg = arg,
	};

	return (int)emu_filter_run(priv, &c);
}

static int emu_filter_fstat(void *priv, int fd, struct stat *st)
{
	struct emu_host_call c = { .entry = EMU_HOST_FSTAT, .fd = fd, .st = st };

	return (int)emu_filter_run(priv, &c);
}

static int emu_filter_stat(void *priv, const char *path, struct stat *st)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_STAT, .fd = -1, .path = path, .st = st,
	};

	return (int)emu_filter_run(priv, &c);
}

static ssize_t emu_filter_read_file(void *priv, const char *path, char *buf,
				    size_t cap)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_READ_FILE, .fd = -1, .path = path,
		.buf = buf, .count = cap,
	};

	return emu_filter_run(priv, &c);
}

static int emu_filter_list_dir(void *priv, const char *path, iofd_dir_cb cb,
			       void *arg)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_LIST_DIR, .fd = -1, .path = path, .cb = cb,
		.cb_arg = arg,
	};

	return (int)emu_filter_run(priv, &c);
}

static ssize_t emu_filter_pread(void *priv, int fd, void *buf, size_t count,
				uint64_t offset)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_PREAD, .fd = fd, .buf = buf, .count = count,
		.offset = offset,
	};

	return emu_filter_run(priv, &c);
}

static ssize_t emu_filter_pwrite(void *priv, int fd, const void *buf,
				 size_t count, uint64_t offset)
{
	/* The data stays the caller's: no filter writes through buf here. */
	struct emu_host_call c = {
		.entry = EMU_HOST_PWRITE, .fd = fd, .buf = (void *)buf,
		.count = count, .offset = offset,
	};

	return emu_filter_run(priv, &c);
}

static int emu_filter_mmap(void *priv, void *addr, size_t len, int prot,
			   int flags, int fd, uint64_t offset, void **out)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_MMAP, .fd = fd, .addr = addr, .count = len,
		.prot = prot, .flags = flags, .offset = offset, .out = out,
	};

	return (int)emu_filter_run(priv, &c);
}

static int emu_filter_munmap(void *priv, void *addr, size_t len)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_MUNMAP, .fd = -1, .addr = addr, .count = len,
	};

	return (int)emu_filter_run(priv, &c);
}

static const struct iofd_host_ops emu_filter_host_ops = {
	.open = emu_filter_open,
	.close = emu_filter_close,
	.ioctl = emu_filter_ioctl,
	.fstat = emu_filter_fstat,
	.stat = emu_filter_stat,
	.read_file = emu_filter_read_file,
	.list_dir = emu_filter_list_dir,
	.pread = emu_filter_pread,
	.pwrite = emu_filter_pwrite,
	.mmap = emu_filter_mmap,
	.munmap = emu_filter_munmap,
};

void emu_filter_init(struct emu_filter *f, const struct iofd_host *lower,
		     const struct emu_filter_ops *ops, void *priv,
		     struct iofd_host *out)
{
	f->lower = *lower;
	f->ops = ops;
	f->priv = priv;
	out->ops = &emu_filter_host_ops;
	out->priv = f;
}

int emu_host_call_print(const struct emu_host_call *c, char *buf,
			size_t cap)
{
	const char *name = emu_host_entry_name(c->entry);
	const char *req;

	switch (c->entry) {
	case EMU_HOST_IOCTL:
		req = emu_ioctl_name(c->request);
		if (req)
			return snprintf(buf, cap, "%s(%d, %s)", name, c->fd,
					req);
		return snprintf(buf, cap, "%s(%d, %#lx)", name, c->fd,
				c->request);
	case EMU_HOST_PREAD:
	case EMU_HOST_PWRITE:
		return snprintf(buf, cap, "%s(%d, %zu at %#" PRIx64 ")", name,
				c->fd, c->count, c->offset);
	case EMU_HOST_MMAP:
		return snprintf(buf, cap, "%s(%d, %#zx at %#" PRIx64 ")", name,
				c->fd, c->count, c->offset);
	case EMU_HOST_MUNMAP:
		return snprintf(buf, cap, "%s(%p, %#zx)", name, c->addr,
				c->count);
	default:
		if (emu_host_entry_has_path(c->entry))
			return snprintf(buf, cap, "%s(%s)", name,
					c->path ? c->path : "(null)");
		return snprintf(buf, cap, "%s(%d)", name, c->fd);
	}
}
