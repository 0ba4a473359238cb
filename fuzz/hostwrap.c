/* SPDX-License-Identifier: MIT */
/*
 * The harness's host wrapper (hostwrap.h): a call log that numbers every
 * host call and can print each one with its result.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "hostwrap.h"
#include "op.h"

const char *fuzz_ioctl_name(unsigned long request)
{
	unsigned int i;

	/* Index 0 of the fault-kind table is "any", not a request. */
	for (i = 1; i < OP_REQ_COUNT; i++)
		if (op_req_value(i) == request)
			return op_req_name(i);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The call log                                                        */

/*
 * End a logged call's line with its result, and " [injected]" when the
 * fault plan fired on this very call: that is the call a "fault N" op or
 * a sweep point names.
 */
static void fuzz_log_ret(struct fuzz_log_host *w, long ret)
{
	const char *mark = w->hit ? " [injected]" : "";

	if (ret < 0)
		fprintf(w->log, " = -%s%s\n", strerrorname_np((int)-ret) ?
			strerrorname_np((int)-ret) : "E?", mark);
	else
		fprintf(w->log, " = %ld%s\n", ret, mark);
}

/* Before each call: remember whether the plan had fired already. */
static void fuzz_log_pre(struct fuzz_log_host *w)
{
	w->fired = w->fault && emu_fault_fired(w->fault);
}

/*
 * After each call: a fired flag that went up during it means the plan
 * failed this call. (A plan re-armed in between starts low again, so
 * every one-shot fault is counted once.)
 */
static void fuzz_log_post(struct fuzz_log_host *w)
{
	w->hit = w->fault && !w->fired && emu_fault_fired(w->fault);
	if (w->hit)
		w->fires++;
}

static int fuzz_log_open(void *priv, const char *path, int flags)
{
	struct fuzz_log_host *w = priv;
	int ret;

	fuzz_log_pre(w);
	ret = w->lower.ops->open(w->lower.priv, path, flags);
	w->calls++;
	fuzz_log_post(w);
	if (w->log) {
		fprintf(w->log, "        host #%lu open(%s)", w->calls, path);
		fuzz_log_ret(w, ret);
	}
	return ret;
}

static int fuzz_log_close(void *priv, int fd)
{
	struct fuzz_log_host *w = priv;
	int ret;

	fuzz_log_pre(w);
	ret = w->lower.ops->close(w->lower.priv, fd);
	w->calls++;
	fuzz_log_post(w);
	if (w->log) {
		fprintf(w->log, "        host #%lu close(%d)", w->calls, fd);
		fuzz_log_ret(w, ret);
	}
	return ret;
}

static int fuzz_log_ioctl(void *priv, int fd, unsigned long request,
			  void *arg)
{
	struct fuzz_log_host *w = priv;
	const char *name;
	int ret;

	fuzz_log_pre(w);
	ret = w->lower.ops->ioctl(w->lower.priv, fd, request, arg);
	w->calls++;
	fuzz_log_post(w);
	if (w->log) {
		name = fuzz_ioctl_name(request);
		if (name)
			fprintf(w->log, "        host #%lu ioctl(%d, %s)",
				w->calls, fd, name);
		else
			fprintf(w->log, "        host #%lu ioctl(%d, %#lx)",
				w->calls, fd, request);
		fuzz_log_ret(w, ret);
	}
	return ret;
}

static int fuzz_log_fstat(void *priv, int fd, struct stat *st)
{
	struct fuzz_log_host *w = priv;
	int ret;

	fuzz_log_pre(w);
	ret = w->lower.ops->fstat(w->lower.priv, fd, st);
	w->calls++;
	fuzz_log_post(w);
	if (w->log) {
		fprintf(w->log, "        host #%lu fstat(%d)", w->calls, fd);
		fuzz_log_ret(w, ret);
	}
	return ret;
}

static int fuzz_log_stat(void *priv, const char *path, struct stat *st)
{
	struct fuzz_log_host *w = priv;
	int ret;

	fuzz_log_pre(w);
	ret = w->lower.ops->stat(w->lower.priv, path, st);
	w->calls++;
	fuzz_log_post(w);
	if (w->log) {
		fprintf(w->log, "        host #%lu stat(%s)", w->calls, path);
		fuzz_log_ret(w, ret);
	}
	return ret;
}

static ssize_t fuzz_log_read_file(void *priv, const char *path, char *buf,
				  size_t cap)
{
	struct fuzz_log_host *w = priv;
	ssize_t ret;

	fuzz_log_pre(w);
	ret = w->lower.ops->read_file(w->lower.priv, path, buf, cap);
	w->calls++;
	fuzz_log_post(w);
	if (w->log) {
		fprintf(w->log, "        host #%lu read_file(%s)", w->calls,
			path);
		fuzz_log_ret(w, ret);
	}
	return ret;
}

static int fuzz_log_list_dir(void *priv, const char *path, iofd_dir_cb cb,
			     void *arg)
{
	struct fuzz_log_host *w = priv;
	int ret;

	fuzz_log_pre(w);
	ret = w->lower.ops->list_dir(w->lower.priv, path, cb, arg);
	w->calls++;
	fuzz_log_post(w);
	if (w->log) {
		fprintf(w->log, "        host #%lu list_dir(%s)", w->calls,
			path);
		fuzz_log_ret(w, ret);
	}
	return ret;
}

static const struct iofd_host_ops fuzz_log_ops = {
	.open = fuzz_log_open,
	.close = fuzz_log_close,
	.ioctl = fuzz_log_ioctl,
	.fstat = fuzz_log_fstat,
	.stat = fuzz_log_stat,
	.read_file = fuzz_log_read_file,
	.list_dir = fuzz_log_list_dir,
};

void fuzz_log_host_init(struct fuzz_log_host *w, const struct iofd_host *lower,
			FILE *log, struct iofd_host *out)
{
	memset(w, 0, sizeof(*w));
	w->lower = *lower;
	w->log = log;
	out->ops = &fuzz_log_ops;
	out->priv = w;
}
