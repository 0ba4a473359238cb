/* SPDX-License-Identifier: MIT */
/*
 * Memory for the core's objects. Every allocation the core makes after the
 * ctx exists goes through the ctx's allocator: libc by default, or one the
 * user sets before creating any object (an arena, or a test's allocator that
 * fails the Nth allocation so that every ENOMEM unwind runs, as the
 * kernel's fail-nth does with failslab).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *iofd_libc_realloc(void *priv, void *ptr, size_t size)
{
	return realloc(ptr, size);
}

static void iofd_libc_free(void *priv, void *ptr)
{
	free(ptr);
}

const struct iofd_alloc_ops iofd_libc_alloc = {
	.realloc = iofd_libc_realloc,
	.free = iofd_libc_free,
};

int iofd_ctx_set_alloc(struct iofd_ctx *ctx, const struct iofd_alloc_ops *ops,
		       void *priv)
{
	if (!iofd_list_empty(&ctx->backends) || !iofd_list_empty(&ctx->spaces) ||
	    !iofd_list_empty(&ctx->devices))
		return -EBUSY;	/* objects from the old allocator exist */
	if (ops && (!ops->realloc || !ops->free))
		return -EINVAL;
	ctx->alloc = ops ? ops : &iofd_libc_alloc;
	ctx->alloc_priv = ops ? priv : NULL;
	return 0;
}

void *iofd_zalloc(const struct iofd_ctx *ctx, size_t size)
{
	void *p = ctx->alloc->realloc(ctx->alloc_priv, NULL, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *iofd_realloc_array(const struct iofd_ctx *ctx, void *ptr, size_t n,
			 size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes) || bytes == 0)
		return NULL;
	return ctx->alloc->realloc(ctx->alloc_priv, ptr, bytes);
}

void iofd_free(const struct iofd_ctx *ctx, void *ptr)
{
	if (ptr)
		ctx->alloc->free(ctx->alloc_priv, ptr);
}
