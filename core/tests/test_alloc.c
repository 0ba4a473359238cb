/* SPDX-License-Identifier: MIT */
/*
 * Allocation failures: every allocation the core makes is failed in turn
 * (the fixture's allocator) while attaching, adding regions and reading
 * IOVA ranges; each must fail with ENOMEM, set the error, and leave the
 * emulator and the core exactly as before. Plus the allocator's own rules.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "fixture.h"

static void test_alloc_rules(void)
{
	static const struct iofd_alloc_ops half = { .realloc = NULL };
	struct iofd_space *space;
	struct fx fx;

	fx_init(&fx);
	/* the fixture's space exists: too late to change allocators */
	CHECK_ERR(EBUSY, iofd_ctx_set_alloc(fx.ctx, NULL, NULL));
	iofd_ctx_destroy(fx.ctx);
	{
		struct iofd_host h;

		emu_host(fx.emu, &h);
		CHECK_OK(iofd_ctx_create(&h, &fx.ctx, NULL));
	}
	CHECK_ERR(EINVAL, iofd_ctx_set_alloc(fx.ctx, &half, NULL));
	CHECK_OK(iofd_ctx_set_alloc(fx.ctx, NULL, NULL));	/* libc */
	CHECK_OK(iofd_space_create(fx.ctx, &space, NULL));
	CHECK_OK(iofd_backend_create(fx.ctx, &fx.be, NULL));
	iofd_free(fx.ctx, NULL);
	fx_fini(&fx);
}

/* Attach a second device (regions present) failing allocation @nth. */
static bool attach_alloc_fails(unsigned long nth, const char *profile)
{
	struct iofd_device *first, *dev = NULL;
	struct emu_counters before;
	struct iofd_error err;
	struct iofd_region r;
	size_t containers;
	bool fired;
	int ret;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, profile, EMU_SYSFS_OK);
	r = fx_region(&fx, 0x10, 2, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	CHECK_OK(iofd_device_attach(fx.ctx, "first", fx.path[0], fx.space,
				    fx.be, &first, NULL));
	emu_counters_get(fx.emu, &before);
	containers = iofd_space_container_count(fx.space);

	iofd_error_clear(&err);
	fx_alloc_fail_nth(&fx, nth);
	ret = iofd_device_attach(fx.ctx, "second", fx.path[1], fx.space, fx.be,
				 &dev, &err);
	fired = fx.alloc_fired;
	fx_alloc_fail_nth(&fx, 0);
	if (fired) {
		CHECK_ERR(ENOMEM, ret);
		CHECK_EQ(err.errnum, ENOMEM);
		CHECK(strstr(err.msg, "second") != NULL);
		fx_check_counters(&fx, &before);
		CHECK_EQ(iofd_space_container_count(fx.space), containers);
		CHECK_EQ(iofd_backend_users(fx.be), 1);
		fx_check_container(&fx, iofd_device_container(first));
	} else {
		CHECK_OK(ret);
		CHECK_OK(iofd_device_detach(dev, NULL));
	}
	CHECK_OK(iofd_device_detach(first, NULL));
	fx_fini(&fx);
	return fired;
}

static void test_attach_alloc_sweep(void)
{
	unsigned long nth;

	for (nth = 1; attach_alloc_fails(nth, "e1000e"); nth++)
		CHECK(nth < 50);
	CHECK(nth >= 3);	/* device, ranges buffer, ranges array */
	for (nth = 1; attach_alloc_fails(nth, "noshare"); nth++)
		CHECK(nth < 50);
	CHECK(nth >= 4);	/* + container */
}

static void test_region_alloc_sweep(void)
{
	struct iofd_space *space;
	struct iofd_region r;
	unsigned int i;
	struct fx fx;

	fx_init(&fx);
	/* the region array grows at 8: fail the first and the growth */
	fx_alloc_fail_nth(&fx, 1);
	r = fx_region(&fx, 0, 1, 0);
	CHECK_ERR(ENOMEM, iofd_space_region_add(fx.space, &r, NULL));
	CHECK_EQ(iofd_space_region_count(fx.space), 0);
	fx_alloc_fail_nth(&fx, 0);
	for (i = 0; i < 8; i++) {
		r = fx_region(&fx, i, 1, i);
		CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	}
	fx_alloc_fail_nth(&fx, 1);
	r = fx_region(&fx, 8, 1, 8);
	CHECK_ERR(ENOMEM, iofd_space_region_add(fx.space, &r, NULL));
	CHECK_EQ(iofd_space_region_count(fx.space), 8);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	CHECK_EQ(iofd_space_region_count(fx.space), 9);

	/* objects */
	fx_alloc_fail_nth(&fx, 1);
	CHECK_ERR(ENOMEM, iofd_space_create(fx.ctx, &space, NULL));
	fx_alloc_fail_nth(&fx, 1);
	CHECK_ERR(ENOMEM, iofd_backend_create(fx.ctx, &fx.be, NULL));
	fx_alloc_fail_nth(&fx, 0);
	fx_fini(&fx);
}

static void test_iova_ranges_alloc(void)
{
	struct iofd_iova_range *ranges;
	struct iofd_error err;
	unsigned long nth;
	uint64_t align;
	size_t count;
	uint32_t ioas;
	struct fx fx;

	fx_init(&fx);
	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	CHECK_OK(iofd_backend_alloc_ioas(fx.be, &ioas, NULL));
	for (nth = 1; nth <= 2; nth++) {
		iofd_error_clear(&err);
		fx_alloc_fail_nth(&fx, nth);
		CHECK_ERR(ENOMEM, iofd_backend_iova_ranges(fx.be, ioas, &ranges,
							   &count, &align,
							   &err));
		CHECK(fx.alloc_fired);
		CHECK_EQ(err.errnum, ENOMEM);
	}
	fx_alloc_fail_nth(&fx, 0);
	CHECK_OK(iofd_backend_iova_ranges(fx.be, ioas, &ranges, &count, NULL,
					  NULL));
	CHECK_EQ(count, 1);
	iofd_free(fx.ctx, ranges);
	iofd_backend_disconnect(fx.be);
	CHECK_ERR(EBADF, iofd_backend_iova_ranges(fx.be, ioas, &ranges, &count,
						  NULL, NULL));
	fx_fini(&fx);
}

static const struct check_test tests[] = {
	{ "alloc_rules", test_alloc_rules },
	{ "attach_alloc_sweep", test_attach_alloc_sweep },
	{ "region_alloc_sweep", test_region_alloc_sweep },
	{ "iova_ranges_alloc", test_iova_ranges_alloc },
};

CHECK_MAIN(tests)
