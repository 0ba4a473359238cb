/* SPDX-License-Identifier: MIT */
/*
 * Spaces and backends on the emulator: region bookkeeping and its checks,
 * region add/remove mapping into every container all or nothing (a sweep
 * fails each kernel call in turn), the backend verbs with the kernel's
 * errno, and the error object's contract.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>

#include <emu/filter.h>

#include "check.h"
#include "fixture.h"

static void test_region_checks(void)
{
	struct iofd_error err;
	struct iofd_region r;
	struct fx fx;

	fx_init(&fx);
	r = fx_region(&fx, 0x10, 4, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));

	iofd_error_clear(&err);
	CHECK_ERR(EEXIST, iofd_space_region_add(fx.space, &r, &err));
	CHECK_EQ(err.errnum, EEXIST);
	r = fx_region(&fx, 0x13, 1, 0);		/* last page of the first */
	CHECK_ERR(EEXIST, iofd_space_region_add(fx.space, &r, NULL));
	r = fx_region(&fx, 0x0f, 2, 0);		/* runs into the first */
	CHECK_ERR(EEXIST, iofd_space_region_add(fx.space, &r, NULL));
	r = fx_region(&fx, 0x14, 1, 0);		/* just after: fine */
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	r = fx_region(&fx, 0x0f, 1, 0);		/* just before: fine */
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));

	r.size = 0;
	CHECK_ERR(EINVAL, iofd_space_region_add(fx.space, &r, NULL));
	r.iova = UINT64_MAX - 4095;
	r.size = 8192;
	CHECK_ERR(EOVERFLOW, iofd_space_region_add(fx.space, &r, NULL));
	r.size = 4096;				/* the very last page */
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));

	CHECK_EQ(iofd_space_region_count(fx.space), 4);
	CHECK_ERR(ENOENT, iofd_space_region_del(fx.space, 0x10 * 4096, 4096,
						NULL));
	CHECK_ERR(ENOENT, iofd_space_region_del(fx.space, 0x11 * 4096,
						3 * 4096, &err));
	CHECK_EQ(err.errnum, ENOENT);
	CHECK_OK(iofd_space_region_del(fx.space, 0x10 * 4096, 4 * 4096, NULL));
	CHECK_EQ(iofd_space_region_count(fx.space), 3);
	CHECK_EQ(iofd_space_region_get(fx.space, 0)->iova, 0x0f * 4096);
	CHECK_EQ(iofd_space_region_get(fx.space, 1)->iova, 0x14 * 4096);
	fx_fini(&fx);
}

/*
 * A region must lie inside one usable range of every container: both
 * ends of a range are usable, one byte past either is not. The e1000e
 * profile's ranges are its 39-bit aperture less the x86 MSI window.
 */
static void test_usable_iova_edges(void)
{
	static const struct {
		unsigned int page, pages;
		int errnum;
	} cases[] = {
		{ 0xfedff, 2, EINVAL },		/* runs into the MSI window */
		{ 0xfedff, 1, 0 },		/* ends where it starts */
		{ 0xfeeff, 1, EINVAL },		/* its last page */
		{ 0xfef00, 1, 0 },		/* starts where it ends */
		{ 0x7fffffe, 3, EINVAL },	/* past the aperture */
		{ 0x7ffffff, 1, 0 },		/* the aperture's last page */
		{ 0, 1, 0 },			/* the first page */
	};
	const struct iofd_iova_range *range;
	struct iofd_container *c;
	struct iofd_device *dev;
	struct iofd_error err;
	struct iofd_region r;
	size_t i;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	dev = fx_attach(&fx, 0, NULL, fx.space);
	c = iofd_device_container(dev);
	CHECK_EQ(iofd_container_iova_range_count(c), 2);
	range = iofd_container_iova_range_get(c, 1);
	CHECK_EQ(range->start, 0xfef00000);
	CHECK_EQ(range->last, (1ULL << 39) - 1);
	CHECK(iofd_container_iova_range_get(c, 2) == NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = fx_region(&fx, cases[i].page, cases[i].pages, (unsigned)i * 3);
		iofd_error_clear(&err);
		if (!cases[i].errnum) {
			CHECK_OK(iofd_space_region_add(fx.space, &r, &err));
			continue;
		}
		CHECK_ERR(cases[i].errnum,
			  iofd_space_region_add(fx.space, &r, &err));
		CHECK_EQ(err.errnum, cases[i].errnum);
		CHECK(!strncmp(err.msg, "add region: region 0x", 21));
		CHECK(strstr(err.msg, " is outside the usable IOVA of IOAS ") !=
		      NULL);
	}
	CHECK_EQ(iofd_space_region_count(fx.space), 4);
	fx_check_container(&fx, c);
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_fini(&fx);
}

/* Regions follow into every container while devices are attached. */
static void test_regions_follow_containers(void)
{
	struct iofd_device *a, *b;
	struct iofd_region r;
	int i;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "noshare", EMU_SYSFS_OK);
	a = fx_attach(&fx, 0, "a", fx.space);
	b = fx_attach(&fx, 1, "b", fx.space);
	for (i = 0; i < 20; i++) {
		r = fx_region(&fx, 0x100 + 2 * (unsigned int)i, 1,
			      (unsigned int)i);
		r.readonly = i & 1;
		CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	}
	fx_check_container(&fx, iofd_space_container_get(fx.space, 0));
	fx_check_container(&fx, iofd_space_container_get(fx.space, 1));
	for (i = 0; i < 20; i += 3)
		CHECK_OK(iofd_space_region_del(fx.space,
					       (0x100 + 2 * (uint64_t)i) * 4096,
					       4096, NULL));
	fx_check_container(&fx, iofd_space_container_get(fx.space, 0));
	fx_check_container(&fx, iofd_space_container_get(fx.space, 1));
	CHECK_ERR(EBUSY, iofd_space_destroy(fx.space));
	CHECK_OK(iofd_device_detach(b, NULL));
	CHECK_OK(iofd_device_detach(a, NULL));
	fx_fini(&fx);
}

/*
 * Fail each kernel call of a region add (or remove) across two containers:
 * every container must still hold exactly the space's regions, and the
 * space must be as before.
 */
static void region_sweep(bool del)
{
	struct iofd_device *a, *b;
	struct iofd_region keep, r;
	struct emu_counters before;
	struct iofd_error err;
	unsigned long nth;
	bool fired = true;
	struct fx fx;
	int ret;

	for (nth = 1; fired; nth++) {
		CHECK(nth < 20);
		fx_init(&fx);
		fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
		fx_add_device(&fx, "noshare", EMU_SYSFS_OK);
		keep = fx_region(&fx, 0x1, 1, 0);
		CHECK_OK(iofd_space_region_add(fx.space, &keep, NULL));
		CHECK_OK(iofd_device_attach(fx.ctx, "a", fx.path[0], fx.space,
					    fx.be, &a, NULL));
		CHECK_OK(iofd_device_attach(fx.ctx, "b", fx.path[1], fx.space,
					    fx.be, &b, NULL));
		r = fx_region(&fx, 0x40, 3, 4);
		if (del)
			CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
		emu_counters_get(fx.emu, &before);

		iofd_error_clear(&err);
		emu_fault_fail_nth(fx.fault, nth, EIO);
		ret = del ? iofd_space_region_del(fx.space, r.iova, r.size,
						  &err) :
			    iofd_space_region_add(fx.space, &r, &err);
		fired = emu_fault_fired(fx.fault);
		emu_fault_fail_nth(fx.fault, 0, 0);
		if (fired) {
			CHECK_ERR(EIO, ret);
			CHECK_EQ(err.errnum, EIO);
			CHECK(strstr(err.msg, del ? "remove region" :
					      "add region") != NULL);
			CHECK_EQ(iofd_space_region_count(fx.space), del ? 2 : 1);
			fx_check_counters(&fx, &before);
		} else {
			CHECK_OK(ret);
			CHECK_EQ(iofd_space_region_count(fx.space), del ? 1 : 2);
		}
		fx_check_container(&fx, iofd_space_container_get(fx.space, 0));
		fx_check_container(&fx, iofd_space_container_get(fx.space, 1));
		CHECK_OK(iofd_device_detach(a, NULL));
		CHECK_OK(iofd_device_detach(b, NULL));
		fx_fini(&fx);
	}
	CHECK_EQ(nth, 4);	/* one call per container, then none fired */
}

static void test_region_add_sweep(void)
{
	region_sweep(false);
}

static void test_region_del_sweep(void)
{
	region_sweep(true);
}

/*
 * When the undo of a failed remove fails as well (every MAP refused), the
 * space says it is out of sync instead of pretending.
 */
static void test_undo_failure_marks_space(void)
{
	struct iofd_device *a, *b;
	struct iofd_region r;
	struct fx fx;
	int ret;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "noshare", EMU_SYSFS_OK);
	a = fx_attach(&fx, 0, "a", fx.space);
	b = fx_attach(&fx, 1, "b", fx.space);
	r = fx_region(&fx, 0x40, 2, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	CHECK(iofd_space_in_sync(fx.space));
	/* the second container's unmap fails, then every map back fails */
	emu_fault_fail_nth(fx.fault, 2, ENOMEM);
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_IOAS_MAP, EIO);
	ret = iofd_space_region_del(fx.space, r.iova, r.size, NULL);
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	emu_fault_fail_nth(fx.fault, 0, 0);
	CHECK_ERR(ENOMEM, ret);
	CHECK(fx_traced(&fx, "fail:undo remove region"));
	CHECK(!iofd_space_in_sync(fx.space));
	CHECK_EQ(iofd_space_region_count(fx.space), 1);
	CHECK_OK(iofd_device_detach(a, NULL));
	CHECK_OK(iofd_device_detach(b, NULL));
	CHECK(!iofd_space_in_sync(fx.space));	/* for good */
	fx_fini(&fx);
}

/*
 * A host filter that fails its calls number first..last (from 1) with EIO:
 * several calls in a row, which one fault plan cannot do.
 */
struct failrun {
	struct emu_filter filter;
	unsigned long calls, first, last;
};

static bool failrun_before(void *priv, struct emu_filter *f,
			   struct emu_host_call *c)
{
	struct failrun *fr = priv;

	fr->calls++;
	if (fr->calls < fr->first || fr->calls > fr->last)
		return true;
	c->ret = -EIO;
	return false;
}

static const struct emu_filter_ops failrun_ops = {
	.before = failrun_before,
};

/*
 * An undo is tried exactly twice: the second container's unmap fails and
 * so do the first container's two map-backs (calls 2 to 4 of the remove);
 * a third try would have succeeded, so the space is out of sync only if
 * there was none.
 */
static void test_undo_tried_twice(void)
{
	struct failrun fr = { .first = 0 };
	struct iofd_host lower, h;
	struct iofd_device *a, *b;
	struct iofd_backend *be;
	struct iofd_space *space;
	struct iofd_region r;
	struct iofd_ctx *ctx;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "noshare", EMU_SYSFS_OK);
	emu_fault_host(fx.fault, &lower);
	emu_filter_init(&fr.filter, &lower, &failrun_ops, &fr, &h);
	CHECK_OK(iofd_ctx_create(&h, &ctx, NULL));
	CHECK_OK(iofd_backend_create(ctx, &be, NULL));
	CHECK_OK(iofd_space_create(ctx, &space, NULL));
	CHECK_OK(iofd_device_attach(ctx, "a", fx.path[0], space, be, &a, NULL));
	CHECK_OK(iofd_device_attach(ctx, "b", fx.path[1], space, be, &b, NULL));
	CHECK_EQ(iofd_space_container_count(space), 2);
	r = fx_region(&fx, 0x40, 2, 0);
	CHECK_OK(iofd_space_region_add(space, &r, NULL));

	fr.calls = 0;
	fr.first = 2;
	fr.last = 4;
	CHECK_ERR(EIO, iofd_space_region_del(space, r.iova, r.size, NULL));
	CHECK_EQ(fr.calls, 4);
	CHECK(!iofd_space_in_sync(space));
	fr.first = 0;
	iofd_ctx_destroy(ctx);
	fx_fini(&fx);
}

static void test_backend_verbs(void)
{
	struct iofd_backend *be2;
	struct iofd_error err;
	uint32_t ioas, ioas2;
	int fd;
	struct fx fx;

	fx_init(&fx);
	iofd_error_clear(&err);
	CHECK_ERR(EBADF, iofd_backend_alloc_ioas(fx.be, &ioas, &err));
	CHECK_EQ(err.errnum, EBADF);
	CHECK_ERR(EBADF, iofd_backend_free_id(fx.be, 1, NULL));
	CHECK_ERR(EBADF, iofd_backend_map(fx.be, 1, 0, 4096, fx.mem, false,
					  NULL));
	CHECK_ERR(EBADF, iofd_backend_unmap(fx.be, 1, 0, 4096, NULL));

	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	fd = iofd_backend_fd(fx.be);
	CHECK(fd >= 0);
	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	CHECK_EQ(iofd_backend_fd(fx.be), fd);	/* one fd, two users */
	CHECK_EQ(iofd_backend_users(fx.be), 2);
	CHECK_ERR(EBUSY, iofd_backend_destroy(fx.be));

	CHECK_OK(iofd_backend_alloc_ioas(fx.be, &ioas, NULL));
	CHECK_OK(iofd_backend_alloc_ioas(fx.be, &ioas2, NULL));
	CHECK_EQ(ioas, 1);
	CHECK_EQ(ioas2, 2);
	CHECK_OK(iofd_backend_map(fx.be, ioas, 0x10000, 8192, fx.mem, true,
				  NULL));
	iofd_error_clear(&err);
	CHECK_ERR(EEXIST, iofd_backend_map(fx.be, ioas, 0x11000, 4096, fx.mem,
					   false, &err));
	CHECK_EQ(err.errnum, EEXIST);
	CHECK(strstr(err.msg, "IOMMU_IOAS_MAP") != NULL);
	CHECK_ERR(ENOENT, iofd_backend_unmap(fx.be, ioas, 0x10000, 4096, NULL));
	CHECK_OK(iofd_backend_unmap(fx.be, ioas, 0x10000, 8192, NULL));
	CHECK_ERR(ENOENT, iofd_backend_unmap(fx.be, ioas, 0x10000, 8192, NULL));
	CHECK_OK(iofd_backend_free_id(fx.be, ioas, NULL));
	CHECK_ERR(ENOENT, iofd_backend_free_id(fx.be, ioas, &err));
	CHECK_EQ(err.errnum, ENOENT);
	CHECK_OK(iofd_backend_alloc_ioas(fx.be, &ioas, NULL));
	CHECK_EQ(ioas, 1);			/* lowest free id */

	/* connect failing leaves the backend unconnected */
	CHECK_OK(iofd_backend_create(fx.ctx, &be2, NULL));
	emu_fault_fail_nth(fx.fault, 1, EACCES);
	iofd_error_clear(&err);
	CHECK_ERR(EACCES, iofd_backend_connect(be2, &err));
	CHECK_EQ(err.errnum, EACCES);
	CHECK(strstr(err.msg, "/dev/iommu") != NULL);
	CHECK(fx_traced(&fx, "fail:connect"));
	CHECK_EQ(iofd_backend_users(be2), 0);
	CHECK_EQ(iofd_backend_fd(be2), -1);
	CHECK_OK(iofd_backend_destroy(be2));

	iofd_backend_disconnect(fx.be);
	CHECK_EQ(iofd_backend_fd(fx.be), fd);
	iofd_backend_disconnect(fx.be);
	CHECK_EQ(iofd_backend_fd(fx.be), -1);
	iofd_backend_disconnect(fx.be);		/* harmless */
	CHECK_EQ(iofd_backend_users(fx.be), 0);
	fx_fini(&fx);
}

static void test_error_object(void)
{
	struct iofd_error err;
	char big[400];

	iofd_error_clear(&err);
	CHECK_EQ(err.errnum, 0);
	CHECK_EQ(err.msg[0], '\0');
	iofd_error_prepend(&err, "ignored");	/* unset: untouched */
	CHECK_EQ(err.msg[0], '\0');
	iofd_error_clear(NULL);
	iofd_error_prepend(NULL, "x");

	/* a real failure, then context added by two callers */
	{
		struct fx fx;

		fx_init(&fx);
		CHECK_ERR(EBADF, iofd_backend_free_id(fx.be, 7, &err));
		iofd_error_prepend(&err, "vm %d", 3);
		iofd_error_prepend(&err, "hotplug");
		CHECK(!strncmp(err.msg, "hotplug: vm 3: free id 7: IOMMU_DESTROY: "
			       "backend not connected: ", 62));
		CHECK(strstr(err.msg, "EBADF") != NULL);
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		iofd_error_prepend(&err, "%s", big);	/* truncated, terminated */
		CHECK_EQ(strlen(err.msg), IOFD_ERROR_MSG_MAX - 1);
		CHECK_EQ(err.errnum, EBADF);
		fx_fini(&fx);
	}
	CHECK(!strcmp(iofd_trace_kind_name(IOFD_TRACE_MAP), "map"));
	CHECK(!strcmp(iofd_trace_kind_name(IOFD_TRACE_KIND_COUNT), "?"));
}

static const struct check_test tests[] = {
	{ "region_checks", test_region_checks },
	{ "usable_iova_edges", test_usable_iova_edges },
	{ "regions_follow_containers", test_regions_follow_containers },
	{ "region_add_sweep", test_region_add_sweep },
	{ "region_del_sweep", test_region_del_sweep },
	{ "undo_failure_marks_space", test_undo_failure_marks_space },
	{ "undo_tried_twice", test_undo_tried_twice },
	{ "backend_verbs", test_backend_verbs },
	{ "error_object", test_error_object },
};

CHECK_MAIN(tests)
