// SPDX-License-Identifier: MIT
/*
 * The fault plan: a host wrapper that fails one chosen call, or every call
 * of chosen kinds (emu.h).
 *
 * Every entry of the host table counts, numbered from 1 since the plan was
 * last armed with fail_nth. A failing call fails with the chosen errno
 * before the lower host sees it, so nothing changes below, with one
 * exception taken from Linux: a failing close has still released the fd,
 * so the lower close runs and its own result is discarded.
 */
#include <errno.h>
#include <stdlib.h>

#include <emu/emu.h>

struct emu_fault {
	struct iofd_host lower;
	unsigned long calls;
	unsigned long nth;	/* 0: disarmed */
	int errnum;		/* positive */
	bool fired;
	unsigned int every_kinds;	/* EMU_FAULT_* bits; 0: off */
	unsigned long every_request;	/* 0: any ioctl */
	int every_errnum;		/* positive */
};

/*
 * Count this call of @kind (@request for an ioctl); the errno to fail it
 * with, or 0 to let it through. The fail_nth point wins when both match.
 */
static int emu_fault_hit(struct emu_fault *f, unsigned int kind,
			 unsigned long request)
{
	f->calls++;
	if (f->nth && !f->fired && f->calls == f->nth) {
		f->fired = true;
		return f->errnum;
	}
	if (!(f->every_kinds & kind))
		return 0;
	if (kind == EMU_FAULT_IOCTL && f->every_request &&
	    f->every_request != request)
		return 0;
	f->fired = true;
	return f->every_errnum;
}

static int emu_fault_open(void *priv, const char *path, int flags)
{
	struct emu_fault *f = priv;
	int e = emu_fault_hit(f, EMU_FAULT_OPEN, 0);

	if (e)
		return -e;
	return f->lower.ops->open(f->lower.priv, path, flags);
}

static int emu_fault_close(void *priv, int fd)
{
	struct emu_fault *f = priv;
	int e = emu_fault_hit(f, EMU_FAULT_CLOSE, 0);

	if (e) {
		f->lower.ops->close(f->lower.priv, fd);
		return -e;
	}
	return f->lower.ops->close(f->lower.priv, fd);
}

static int emu_fault_ioctl(void *priv, int fd, unsigned long request,
			   void *arg)
{
	struct emu_fault *f = priv;
	int e = emu_fault_hit(f, EMU_FAULT_IOCTL, request);

	if (e)
		return -e;
	return f->lower.ops->ioctl(f->lower.priv, fd, request, arg);
}

static int emu_fault_fstat(void *priv, int fd, struct stat *st)
{
	struct emu_fault *f = priv;
	int e = emu_fault_hit(f, EMU_FAULT_FSTAT, 0);

	if (e)
		return -e;
	return f->lower.ops->fstat(f->lower.priv, fd, st);
}

static int emu_fault_stat(void *priv, const char *path, struct stat *st)
{
	struct emu_fault *f = priv;
	int e = emu_fault_hit(f, EMU_FAULT_STAT, 0);

	if (e)
		return -e;
	return f->lower.ops->stat(f->lower.priv, path, st);
}

static ssize_t emu_fault_read_file(void *priv, const char *path, char *buf,
				   size_t cap)
{
	struct emu_fault *f = priv;
	int e = emu_fault_hit(f, EMU_FAULT_READ_FILE, 0);

	if (e)
		return -e;
	return f->lower.ops->read_file(f->lower.priv, path, buf, cap);
}

static int emu_fault_list_dir(void *priv, const char *path, iofd_dir_cb cb,
			      void *arg)
{
	struct emu_fault *f = priv;
	int e = emu_fault_hit(f, EMU_FAULT_LIST_DIR, 0);

	if (e)
		return -e;
	return f->lower.ops->list_dir(f->lower.priv, path, cb, arg);
}

static const struct iofd_host_ops emu_fault_ops = {
	.open = emu_fault_open,
	.close = emu_fault_close,
	.ioctl = emu_fault_ioctl,
	.fstat = emu_fault_fstat,
	.stat = emu_fault_stat,
	.read_file = emu_fault_read_file,
	.list_dir = emu_fault_list_dir,
};

int emu_fault_create(const struct iofd_host *lower, struct emu_fault **out)
{
	struct emu_fault *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->lower = *lower;
	*out = f;
	return 0;
}

void emu_fault_destroy(struct emu_fault *f)
{
	free(f);
}

void emu_fault_host(struct emu_fault *f, struct iofd_host *out)
{
	out->ops = &emu_fault_ops;
	out->priv = f;
}

void emu_fault_fail_nth(struct emu_fault *f, unsigned long nth, int errnum)
{
	f->calls = 0;
	f->nth = nth;
	f->errnum = errnum < 0 ? -errnum : errnum;
	f->fired = false;
}

unsigned long emu_fault_calls(const struct emu_fault *f)
{
	return f->calls;
}

bool emu_fault_fired(const struct emu_fault *f)
{
	return f->fired;
}

void emu_fault_fail_every(struct emu_fault *f, unsigned int kinds,
			  unsigned long request, int errnum)
{
	f->every_kinds = kinds & EMU_FAULT_ALL;
	f->every_request = request;
	f->every_errnum = errnum < 0 ? -errnum : errnum;
}
