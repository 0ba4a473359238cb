/* SPDX-License-Identifier: MIT */
/*
 * Attach and detach on the emulator: the happy paths (one device, a shared
 * container, a second container forced by an incompatible device, the
 * replay of existing regions), every attach step failing in turn, and the
 * QEMU bug classes this backend must never bring back (fd left open on an
 * unwind, the kernel's errno lost so "incompatible" looks like a failure).
 */
#include <errno.h>
#include <string.h>

#include <linux/vfio.h>

#include "check.h"
#include "fixture.h"

static void test_attach_detach(void)
{
	const struct emu_counters empty = { 0 };
	struct iofd_error err = { .errnum = 12345 };
	const struct iofd_device_info *info;
	struct iofd_container *c;
	struct iofd_device *dev;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	CHECK_OK(iofd_device_attach(fx.ctx, "nic", fx.path[0], fx.space, fx.be,
				    &dev, &err));
	CHECK_EQ(err.errnum, 12345);	/* success never touches it */
	CHECK(iofd_device_devid(dev) != 0);
	CHECK(iofd_device_hwpt(dev) != 0);
	CHECK(!strcmp(iofd_device_name(dev), "nic"));
	info = iofd_device_info(dev);
	CHECK_EQ(info->flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	CHECK_EQ(info->num_regions, 9);
	CHECK_EQ(info->num_irqs, 5);
	CHECK_EQ(iofd_space_container_count(fx.space), 1);
	c = iofd_space_container_get(fx.space, 0);
	CHECK(iofd_device_container(dev) == c);
	CHECK(iofd_container_ioas(c) != 0);
	CHECK(iofd_container_backend(c) == fx.be);
	CHECK(iofd_container_device_get(c, 0) == dev);
	CHECK(iofd_container_device_get(c, 1) == NULL);
	CHECK(iofd_space_container_get(fx.space, 1) == NULL);
	CHECK_EQ(iofd_backend_users(fx.be), 1);
	CHECK(iofd_backend_fd(fx.be) >= 0);
	fx_check_container(&fx, c);
	CHECK(fx_traced(&fx, "connect"));
	CHECK(fx_traced(&fx, "bind"));
	CHECK(fx_traced(&fx, "alloc-ioas"));
	CHECK(fx_traced(&fx, "attach"));

	CHECK_OK(iofd_device_detach(dev, &err));
	CHECK_EQ(err.errnum, 12345);
	CHECK(fx_traced(&fx, "detach"));
	CHECK(fx_traced(&fx, "free-id"));
	CHECK(fx_traced(&fx, "disconnect"));
	CHECK_EQ(iofd_space_container_count(fx.space), 0);
	CHECK_EQ(iofd_backend_users(fx.be), 0);
	CHECK_EQ(iofd_backend_fd(fx.be), -1);
	fx_check_counters(&fx, &empty);
	fx_fini(&fx);
}

static void test_replay_into_new_container(void)
{
	struct iofd_region r1, r2;
	struct emu_counters cnt;
	struct iofd_device *dev;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	r1 = fx_region(&fx, 0x10, 4, 0);
	r2 = fx_region(&fx, 0x100, 2, 8);
	r2.readonly = true;
	CHECK_OK(iofd_space_region_add(fx.space, &r2, NULL));
	CHECK_OK(iofd_space_region_add(fx.space, &r1, NULL));
	CHECK_EQ(iofd_space_region_count(fx.space), 2);
	CHECK_EQ(iofd_space_region_get(fx.space, 0)->iova, r1.iova);
	CHECK(iofd_space_region_get(fx.space, 2) == NULL);

	dev = fx_attach(&fx, 0, NULL, fx.space);
	fx_check_container(&fx, iofd_device_container(dev));
	emu_counters_get(fx.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 6);	/* the domain pins both regions */
	CHECK_OK(iofd_device_detach(dev, NULL));
	emu_counters_get(fx.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 0);
	fx_fini(&fx);
}

/* Detach the two devices of a shared container in either order. */
static void shared_container(bool first_out_first)
{
	struct iofd_device *a, *b, *first, *second;
	struct iofd_container *c;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	a = fx_attach(&fx, 0, NULL, fx.space);
	b = fx_attach(&fx, 1, NULL, fx.space);
	CHECK_EQ(iofd_space_container_count(fx.space), 1);
	c = iofd_space_container_get(fx.space, 0);
	CHECK(iofd_device_container(b) == c);
	CHECK_EQ(iofd_container_device_count(c), 2);
	CHECK_EQ(iofd_device_hwpt(a), iofd_device_hwpt(b));
	CHECK_EQ(iofd_backend_users(fx.be), 2);
	fx_check_container(&fx, c);

	first = first_out_first ? a : b;
	second = first_out_first ? b : a;
	CHECK_OK(iofd_device_detach(first, NULL));
	CHECK_EQ(iofd_space_container_count(fx.space), 1);
	CHECK_EQ(iofd_container_device_count(c), 1);
	CHECK(iofd_container_device_get(c, 0) == second);
	fx_check_container(&fx, c);
	CHECK_OK(iofd_device_detach(second, NULL));
	CHECK_EQ(iofd_space_container_count(fx.space), 0);
	fx_fini(&fx);
}

static void test_shared_container_fifo(void)
{
	shared_container(true);
}

static void test_shared_container_lifo(void)
{
	shared_container(false);
}

static void test_incompatible_gets_second_container(void)
{
	struct iofd_device *nic, *other;
	struct iofd_region r;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "noshare", EMU_SYSFS_OK);
	r = fx_region(&fx, 0x20, 2, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	nic = fx_attach(&fx, 0, NULL, fx.space);
	other = fx_attach(&fx, 1, NULL, fx.space);
	CHECK_EQ(iofd_space_container_count(fx.space), 2);
	CHECK(iofd_device_container(nic) != iofd_device_container(other));
	fx_check_container(&fx, iofd_device_container(nic));
	fx_check_container(&fx, iofd_device_container(other));
	/* a new region goes into both containers */
	r = fx_region(&fx, 0x40, 1, 4);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	fx_check_container(&fx, iofd_space_container_get(fx.space, 0));
	fx_check_container(&fx, iofd_space_container_get(fx.space, 1));
	CHECK_OK(iofd_device_detach(nic, NULL));
	CHECK_EQ(iofd_space_container_count(fx.space), 1);
	fx_check_container(&fx, iofd_device_container(other));
	CHECK_OK(iofd_device_detach(other, NULL));
	fx_fini(&fx);
}

/*
 * Fail call number @nth of attaching device 1 (device 0 already attached,
 * regions in the space) and check the attach left nothing behind. Returns
 * whether the fault fired.
 */
static bool attach_fails_cleanly(unsigned long nth, int errnum,
				 const char *profile)
{
	struct iofd_error err = { 0 };
	struct emu_counters before;
	struct iofd_device *dev = NULL, *first;
	struct iofd_region r;
	bool fired;
	int ret;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, profile, EMU_SYSFS_OK);
	r = fx_region(&fx, 0x10, 2, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	first = fx_attach(&fx, 0, NULL, fx.space);
	emu_counters_get(fx.emu, &before);

	emu_fault_fail_nth(fx.fault, nth, errnum);
	ret = iofd_device_attach(fx.ctx, "dev1", fx.path[1], fx.space, fx.be,
				 &dev, &err);
	fired = emu_fault_fired(fx.fault);
	emu_fault_fail_nth(fx.fault, 0, 0);
	if (fired) {
		CHECK_ERR(errnum, ret);
		CHECK_EQ(err.errnum, errnum);
		CHECK(strstr(err.msg, "dev1") != NULL);
		CHECK(strstr(err.msg, strerrorname_np(errnum)) != NULL);
		fx_check_counters(&fx, &before);
		CHECK_EQ(iofd_space_container_count(fx.space), 1);
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

static void attach_sweep(const char *profile)
{
	static const int errnos[] = { EIO, ENOMEM, EFAULT };
	unsigned long nth;
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++) {
		for (nth = 1; attach_fails_cleanly(nth, errnos[i], profile);
		     nth++)
			CHECK(nth < 100);
		/* at least list, read, open, fstat, bind, attach, info */
		CHECK(nth > 5);
	}
}

/* Into the existing container. */
static void test_attach_sweep_shared(void)
{
	attach_sweep("e1000e");
}

/* Into a new container, with the replay of the space's region. */
static void test_attach_sweep_new_container(void)
{
	attach_sweep("noshare");
}

/*
 * EINVAL from ATTACH means "incompatible": the core must try another domain
 * (here: a new HWPT in the same container; a whole new IOAS when the
 * container refuses too, see incompatible_gets_second_container). Any
 * other errno is a real failure and must not be taken for it (QEMU once
 * lost the errno and could not tell the two apart).
 */
static void attach_fault_at_existing(int errnum, int want_ret,
				     size_t want_containers)
{
	struct iofd_device *a, *b = NULL;
	struct iofd_error err = { 0 };
	unsigned long nth;
	int ret = 0;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	a = fx_attach(&fx, 0, NULL, fx.space);
	/* Find the call number of the ATTACH to the existing container. */
	for (nth = 1; nth < 100; nth++) {
		fx.nr_events = 0;
		emu_fault_fail_nth(fx.fault, nth, errnum);
		ret = iofd_device_attach(fx.ctx, "dev1", fx.path[1], fx.space,
					 fx.be, &b, &err);
		emu_fault_fail_nth(fx.fault, 0, 0);
		if (errnum == EINVAL ?
		    ret == 0 && iofd_container_hwpt_count(
				iofd_device_container(a)) == 2 :
		    fx_traced(&fx, "fail:attach"))
			break;
		if (ret == 0)
			CHECK_OK(iofd_device_detach(b, NULL));
	}
	CHECK(nth < 100);
	if (want_ret)
		CHECK_ERR(-want_ret, ret);
	else
		CHECK_OK(ret);
	CHECK_EQ(iofd_space_container_count(fx.space), want_containers);
	if (ret == 0) {
		fx_check_container(&fx, iofd_device_container(b));
		CHECK_OK(iofd_device_detach(b, NULL));
	}
	CHECK_OK(iofd_device_detach(a, NULL));
	fx_fini(&fx);
}

static void test_attach_einval_means_incompatible(void)
{
	attach_fault_at_existing(EINVAL, 0, 1);
}

static void test_attach_other_errno_is_failure(void)
{
	attach_fault_at_existing(EIO, -EIO, 1);
	attach_fault_at_existing(EBUSY, -EBUSY, 1);
}

/* The device fd opened in step 1 must be closed when bind fails. */
static void test_bind_failure_closes_fd(void)
{
	const struct emu_counters empty = { 0 };
	struct iofd_device *dev;
	struct emu_counters cnt;
	unsigned long nth;
	struct fx fx;
	int ret;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	for (nth = 1; nth < 50; nth++) {
		fx.nr_events = 0;
		emu_fault_fail_nth(fx.fault, nth, EPERM);
		ret = iofd_device_attach(fx.ctx, "nic", fx.path[0], fx.space,
					 fx.be, &dev, NULL);
		CHECK_ERR(EPERM, ret);
		if (fx_traced(&fx, "fail:bind"))
			break;
	}
	CHECK(nth < 50);
	emu_counters_get(fx.emu, &cnt);
	CHECK_EQ(cnt.fds, 0);
	fx_check_counters(&fx, &empty);
	fx_fini(&fx);
}

static void test_broken_sysfs(void)
{
	static const struct {
		enum emu_sysfs_variant variant;
		int errnum;
	} cases[] = {
		{ EMU_SYSFS_NO_VFIO_DEV, ENOENT },
		{ EMU_SYSFS_GARBAGE_DEV, EINVAL },
		{ EMU_SYSFS_OVERFLOW_DEV, EINVAL },
		{ EMU_SYSFS_WRONG_DEVT, EINVAL },
	};
	const struct emu_counters empty = { 0 };
	struct iofd_error err;
	struct iofd_device *dev;
	size_t i;
	struct fx fx;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_init(&fx);
		fx_add_device(&fx, "e1000e", cases[i].variant);
		iofd_error_clear(&err);
		CHECK_ERR(cases[i].errnum,
			  iofd_device_attach(fx.ctx, "bad", fx.path[0],
					     fx.space, fx.be, &dev, &err));
		CHECK_EQ(err.errnum, cases[i].errnum);
		CHECK(strstr(err.msg, "device bad") != NULL);
		fx_check_counters(&fx, &empty);
		CHECK_EQ(iofd_backend_users(fx.be), 0);
		fx_fini(&fx);
	}
}

static void test_bad_names_and_paths(void)
{
	const struct emu_counters empty = { 0 };
	char long_name[IOFD_DEVICE_NAME_MAX + 1];
	char long_path[5000];
	struct iofd_space *other_space;
	struct iofd_ctx *other;
	struct iofd_device *dev;
	struct iofd_host h;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';

	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, NULL, fx.path[0],
					     fx.space, fx.be, &dev, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "", fx.path[0], fx.space,
					     fx.be, &dev, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "a b", fx.path[0],
					     fx.space, fx.be, &dev, NULL));
	CHECK_ERR(ENAMETOOLONG, iofd_device_attach(fx.ctx, long_name,
						   fx.path[0], fx.space, fx.be,
						   &dev, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "d", NULL, fx.space,
					     fx.be, &dev, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "d",
					     "sys/bus/pci/devices/x",
					     fx.space, fx.be, &dev, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "d",
					     "/sys/bus/pci/devices/../../x",
					     fx.space, fx.be, &dev, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "d",
					     "/sys/bus/./pci/devices",
					     fx.space, fx.be, &dev, NULL));
	CHECK_ERR(ENAMETOOLONG, iofd_device_attach(fx.ctx, "d", long_path,
						   fx.space, fx.be, &dev,
						   NULL));
	CHECK_ERR(ENOENT, iofd_device_attach(fx.ctx, "d",
					     "/sys/bus/pci/devices/0000:09:00.0",
					     fx.space, fx.be, &dev, NULL));

	/* a space of another context */
	emu_host(fx.emu, &h);
	CHECK_OK(iofd_ctx_create(&h, &other, NULL));
	CHECK_OK(iofd_space_create(other, &other_space, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "d", fx.path[0],
					     other_space, fx.be, &dev, NULL));
	iofd_ctx_destroy(other);
	CHECK_ERR(EINVAL, iofd_ctx_create(NULL, &other, NULL));
	fx_check_counters(&fx, &empty);
	fx_fini(&fx);
}

/*
 * A failing detach step must not stop the rest: the device fd close makes
 * the kernel release whatever is left.
 */
static void test_detach_keeps_going(void)
{
	const struct emu_counters empty = { 0 };
	struct iofd_error err;
	struct iofd_device *dev;
	unsigned long nth;
	bool fired = true;
	struct fx fx;
	int ret;

	for (nth = 1; fired; nth++) {
		CHECK(nth < 20);
		fx_init(&fx);
		fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
		dev = fx_attach(&fx, 0, NULL, fx.space);
		iofd_error_clear(&err);
		emu_fault_fail_nth(fx.fault, nth, EIO);
		ret = iofd_device_detach(dev, &err);
		fired = emu_fault_fired(fx.fault);
		if (fired && !fx_traced(&fx, "fail:close")) {
			CHECK_ERR(EIO, ret);
			CHECK_EQ(err.errnum, EIO);
		} else {
			CHECK_OK(ret);		/* a close fails but frees */
			CHECK_EQ(err.errnum, 0);
		}
		CHECK_EQ(iofd_space_container_count(fx.space), 0);
		CHECK_EQ(iofd_backend_users(fx.be), 0);
		fx_check_counters(&fx, &empty);
		fx_fini(&fx);
	}
	CHECK(nth > 3);		/* DETACH, DESTROY, close iommufd, close fd */
}

/*
 * A failed DETACH leaves the device attached, so the DESTROY of its HWPT
 * and IOAS meets EBUSY; once the device fd is closed they must be
 * destroyed after all, even though another device keeps the backend (and
 * so the iommufd context) open.
 */
static void test_failed_detach_frees_domain(void)
{
	struct iofd_space *other;
	struct emu_counters alone, cnt;
	struct iofd_device *a, *b;
	unsigned long nth;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	CHECK_OK(iofd_space_create(fx.ctx, &other, NULL));
	b = fx_attach(&fx, 1, NULL, other);
	emu_counters_get(fx.emu, &alone);
	for (nth = 1; nth < 20; nth++) {
		a = fx_attach(&fx, 0, NULL, fx.space);
		fx.nr_events = 0;
		emu_fault_fail_nth(fx.fault, nth, EIO);
		iofd_device_detach(a, NULL);
		emu_fault_fail_nth(fx.fault, 0, 0);
		emu_counters_get(fx.emu, &cnt);
		CHECK_EQ(cnt.objects, alone.objects);
		CHECK_EQ(cnt.fds, alone.fds);
		CHECK_EQ(cnt.pinned_pages, alone.pinned_pages);
		if (fx_traced(&fx, "fail:detach"))
			break;
	}
	CHECK(nth < 20);
	fx_check_container(&fx, iofd_device_container(b));
	CHECK_OK(iofd_device_detach(b, NULL));
	fx_fini(&fx);
}

/* iofd_ctx_destroy takes down what the caller left attached. */
static void test_ctx_destroy_detaches(void)
{
	struct iofd_region r;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "noshare", EMU_SYSFS_OK);
	r = fx_region(&fx, 0, 1, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	fx_attach(&fx, 0, NULL, fx.space);
	fx_attach(&fx, 1, NULL, fx.space);
	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	fx_fini(&fx);	/* asserts the emulator is empty */
}

static const struct check_test tests[] = {
	{ "attach_detach", test_attach_detach },
	{ "replay_into_new_container", test_replay_into_new_container },
	{ "shared_container_fifo", test_shared_container_fifo },
	{ "shared_container_lifo", test_shared_container_lifo },
	{ "incompatible_gets_second_container",
	  test_incompatible_gets_second_container },
	{ "attach_sweep_shared", test_attach_sweep_shared },
	{ "attach_sweep_new_container", test_attach_sweep_new_container },
	{ "attach_einval_means_incompatible",
	  test_attach_einval_means_incompatible },
	{ "attach_other_errno_is_failure", test_attach_other_errno_is_failure },
	{ "bind_failure_closes_fd", test_bind_failure_closes_fd },
	{ "broken_sysfs", test_broken_sysfs },
	{ "bad_names_and_paths", test_bad_names_and_paths },
	{ "detach_keeps_going", test_detach_keeps_going },
	{ "failed_detach_frees_domain", test_failed_detach_frees_domain },
	{ "ctx_destroy_detaches", test_ctx_destroy_detaches },
};

CHECK_MAIN(tests)
