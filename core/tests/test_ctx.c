/* SPDX-License-Identifier: MIT */
/*
 * The context's own failures. iofd_ctx_create allocates the context with
 * calloc (there is no ctx allocator before there is a ctx), so this test
 * is linked with -Wl,--wrap=calloc and can make that one call fail.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

static bool calloc_fails;

void *__wrap_calloc(size_t n, size_t size)
{
	if (calloc_fails)
		return NULL;
	return __real_calloc(n, size);
}

static void test_ctx_create_errors(void)
{
	struct iofd_ctx *ctx = (struct iofd_ctx *)&ctx;
	struct iofd_error err;
	struct iofd_host h = { .ops = NULL };
	struct fx fx;

	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_ctx_create(NULL, &ctx, &err));
	CHECK_EQ(err.errnum, EINVAL);
	CHECK(!strcmp(err.msg, "create context: no host (or a host without ops): Invalid argument (EINVAL)"));
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_ctx_create(&h, &ctx, &err));
	CHECK_EQ(err.errnum, EINVAL);

	fx_init(&fx);
	emu_host(fx.emu, &h);
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_ctx_create(&h, NULL, &err));
	CHECK_EQ(err.errnum, EINVAL);
	calloc_fails = true;
	iofd_error_clear(&err);
	CHECK_ERR(ENOMEM, iofd_ctx_create(&h, &ctx, &err));
	calloc_fails = false;
	CHECK_EQ(err.errnum, ENOMEM);
	CHECK(!strcmp(err.msg, "create context: Cannot allocate memory (ENOMEM)"));
	CHECK(ctx == (struct iofd_ctx *)&ctx);	/* untouched */
	CHECK_OK(iofd_ctx_create(&h, &ctx, &err));
	iofd_ctx_destroy(ctx);
	fx_fini(&fx);
}

static const struct check_test tests[] = {
	{ "ctx_create_errors", test_ctx_create_errors },
};

CHECK_MAIN(tests)
