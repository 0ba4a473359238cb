/* SPDX-License-Identifier: MIT */
/*
 * Trace events: every step of connect, bind, alloc, attach, map, unmap and
 * detach, and each failure, handed to the sink the user set on the ctx. With
 * no sink (the default) an event costs one branch.
 */
#include "internal.h"

static const char *const iofd_trace_names[IOFD_TRACE_KIND_COUNT] = {
	[IOFD_TRACE_CONNECT] = "connect",
	[IOFD_TRACE_DISCONNECT] = "disconnect",
	[IOFD_TRACE_BIND] = "bind",
	[IOFD_TRACE_ALLOC_IOAS] = "alloc-ioas",
	[IOFD_TRACE_FREE_ID] = "free-id",
	[IOFD_TRACE_ATTACH] = "attach",
	[IOFD_TRACE_MAP] = "map",
	[IOFD_TRACE_UNMAP] = "unmap",
	[IOFD_TRACE_DETACH] = "detach",
	[IOFD_TRACE_FAIL] = "fail",
};

const char *iofd_trace_kind_name(enum iofd_trace_kind kind)
{
	if ((unsigned int)kind >= IOFD_TRACE_KIND_COUNT)
		return "?";
	return iofd_trace_names[kind];
}

void iofd_ctx_set_trace(struct iofd_ctx *ctx, iofd_trace_fn fn, void *arg)
{
	ctx->trace_fn = fn;
	ctx->trace_arg = arg;
}

void iofd_trace(const struct iofd_ctx *ctx, const struct iofd_trace_event *ev)
{
	if (ctx->trace_fn)
		ctx->trace_fn(ctx->trace_arg, ev);
}

void iofd_trace_fail(const struct iofd_ctx *ctx, const char *device,
		     const char *what, int errnum)
{
	struct iofd_trace_event ev = {
		.kind = IOFD_TRACE_FAIL,
		.device = device,
		.what = what,
		.fd = -1,
		.errnum = errnum,
	};

	iofd_trace(ctx, &ev);
}
