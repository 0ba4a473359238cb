// SPDX-License-Identifier: MIT
/*
 * The fault plan: a host filter (filter.h) that fails one chosen call, or
 * every call of chosen kinds (emu.h).
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
#include <emu/filter.h>

struct emu_fault {
	struct emu_filter filter;
	unsigned long calls;
	unsigned long failed;	/* calls failed since creation */
	unsigned long nth;	/* 0: disarmed */
	int errnum;		/* positive */
	bool fired;		/* by either */
	bool nth_fired;
	unsigned int every_kinds;	/* EMU_FAULT_* bits; 0: off */
	unsigned long every_request;	/* 0: any ioctl */
	int every_errnum;		/* positive */
	struct iofd_host host;		/* the filtering host */
};

_Static_assert(EMU_FAULT_ALL == (1u << EMU_HOST_ENTRY_COUNT) - 1,
	       "one fault kind per host entry");

/*
 * Count this call; the errno to fail it with, or 0 to let it through. The
 * fail_nth point wins when both match.
 */
static int emu_fault_hit(struct emu_fault *f, const struct emu_host_call *c)
{
	f->calls++;
	if (f->nth && !f->nth_fired && f->calls == f->nth) {
		f->fired = true;
		f->nth_fired = true;
		return f->errnum;
	}
	if (!(f->every_kinds & (1u << c->entry)))
		return 0;
	if (c->entry == EMU_HOST_IOCTL && f->every_request &&
	    f->every_request != c->request)
		return 0;
	f->fired = true;
	return f->every_errnum;
}

static bool emu_fault_before(void *priv, struct emu_filter *filter,
			     struct emu_host_call *c)
{
	int e = emu_fault_hit(priv, c);

	if (!e)
		return true;
	((struct emu_fault *)priv)->failed++;
	if (c->entry == EMU_HOST_CLOSE)
		emu_filter_forward(filter, c);
	c->ret = -e;
	return false;
}

static const struct emu_filter_ops emu_fault_filter_ops = {
	.before = emu_fault_before,
};

/*
 * The plan comes from libc: it filters a host, whichever machine (or the
 * real kernel) answers below it, and is the harness's, made and freed
 * around an input, so no machine's heap is the one it belongs to.
 */
int emu_fault_create(const struct iofd_host *lower, struct emu_fault **out)
{
	struct emu_fault *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	emu_filter_init(&f->filter, lower, &emu_fault_filter_ops, f, &f->host);
	*out = f;
	return 0;
}

void emu_fault_destroy(struct emu_fault *f)
{
	free(f);
}

void emu_fault_host(struct emu_fault *f, struct iofd_host *out)
{
	*out = f->host;
}

void emu_fault_fail_nth(struct emu_fault *f, unsigned long nth, int errnum)
{
	f->calls = 0;
	f->nth = nth;
	f->errnum = errnum < 0 ? -errnum : errnum;
	f->fired = false;
	f->nth_fired = false;
}

unsigned long emu_fault_calls(const struct emu_fault *f)
{
	return f->calls;
}

bool emu_fault_fired(const struct emu_fault *f)
{
	return f->fired;
}

bool emu_fault_nth_fired(const struct emu_fault *f)
{
	return f->nth_fired;
}

unsigned long emu_fault_failed(const struct emu_fault *f)
{
	return f->failed;
}

void emu_fault_fail_every(struct emu_fault *f, unsigned int kinds,
			  unsigned long request, int errnum)
{
	f->every_kinds = kinds & EMU_FAULT_ALL;
	f->every_request = request;
	f->every_errnum = errnum < 0 ? -errnum : errnum;
}
