/* SPDX-License-Identifier: MIT */
/*
 * The edges of each module, one test per module: argument checks that
 * refuse before anything happens, the less travelled side of every choice
 * (a container of another backend in the same space, a kernel without
 * GET_HW_INFO, a HWPT allocation refused while tracking dirty pages, a
 * failing KVM DEL, an undo of an add that fails twice), and the allocator
 * rules. Each asserts the errno and that nothing leaked.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>

#include "check.h"
#include "fixture.h"

static void test_ctx_and_alloc_edges(void)
{
	static const struct iofd_alloc_ops no_free = {
		.realloc = (void *(*)(void *, void *, size_t))1,
	};
	struct iofd_backend *be;
	struct iofd_ctx *ctx;
	struct iofd_host h = { .ops = NULL };
	struct fx fx;

	iofd_ctx_destroy(NULL);
	CHECK_ERR(EINVAL, iofd_ctx_create(&h, &ctx, NULL));
	fx_init(&fx);
	emu_host(fx.emu, &h);
	CHECK_ERR(EINVAL, iofd_ctx_create(&h, NULL, NULL));
	CHECK_OK(iofd_ctx_create(&h, &ctx, NULL));
	CHECK_ERR(EINVAL, iofd_ctx_set_alloc(ctx, &no_free, NULL));
	CHECK_OK(iofd_backend_create(ctx, &be, NULL));
	CHECK_ERR(EBUSY, iofd_ctx_set_alloc(ctx, NULL, NULL));	/* a backend */
	CHECK_OK(iofd_backend_destroy(be));
	CHECK_OK(iofd_ctx_set_alloc(ctx, NULL, NULL));
	iofd_ctx_destroy(ctx);

	/* a handed-in iommufd whose backend cannot be allocated */
	fx_alloc_fail_nth(&fx, 1);
	CHECK_ERR(ENOMEM, iofd_backend_create_fd(fx.ctx, 5, &be, NULL));
	fx_alloc_fail_nth(&fx, 0);
	fx_fini(&fx);
}

static void test_backend_edges(void)
{
	struct iofd_error err;
	uint32_t hwpt, flags;
	struct iofd_device *dev;
	struct iofd_container *c;
	struct iofd_backend *other;
	struct iofd_ctx *ctx2;
	struct iofd_host h;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	iofd_error_clear(&err);
	CHECK_ERR(ENOENT, iofd_backend_unmap_all(fx.be, 77, NULL, &err));
	CHECK(strstr(err.msg, "unmap all of IOAS 77") != NULL);
	iofd_backend_disconnect(fx.be);

	dev = fx_attach(&fx, 0, "d", fx.space);
	c = iofd_device_container(dev);
	CHECK_OK(iofd_container_hwpt_get(c, 0, &hwpt, NULL));
	CHECK_OK(iofd_container_hwpt_get(c, 0, NULL, &flags));
	CHECK_OK(iofd_container_hwpt_get(c, 0, NULL, NULL));
	CHECK_ERR(ENOENT, iofd_backend_set_dirty_tracking(fx.be, 999, true,
							  &err));
	CHECK(strstr(err.msg, "enable dirty tracking of HWPT 999") != NULL);

	/* a backend of another context is refused */
	emu_host(fx.emu, &h);
	CHECK_OK(iofd_ctx_create(&h, &ctx2, NULL));
	CHECK_OK(iofd_backend_create(ctx2, &other, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "x", fx.path[0],
					     fx.space, other, &dev, NULL));
	CHECK_ERR(EINVAL, iofd_device_attach(fx.ctx, "x", fx.path[0],
					     fx.space, NULL, &dev, NULL));
	iofd_ctx_destroy(ctx2);
	fx_fini(&fx);
}

/* A space with containers on two backends: each device joins its own. */
static void test_two_backends_one_space(void)
{
	struct iofd_backend *be2;
	struct iofd_device *a, *b;
	struct iofd_region r;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	CHECK_OK(iofd_backend_create(fx.ctx, &be2, NULL));
	r = fx_region(&fx, 0x10, 2, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	a = fx_attach(&fx, 0, "a", fx.space);
	CHECK_OK(iofd_device_attach(fx.ctx, "b", fx.path[1], fx.space, be2,
				    &b, NULL));
	CHECK_EQ(iofd_space_container_count(fx.space), 2);
	CHECK(iofd_backend_fd(fx.be) != iofd_backend_fd(be2));
	fx_check_container(&fx, iofd_device_container(a));
	fx_check_container(&fx, iofd_device_container(b));
	CHECK_OK(iofd_device_detach(a, NULL));
	CHECK_OK(iofd_device_detach(b, NULL));
	fx_fini(&fx);
}

/* GET_HW_INFO unknown to the kernel (before 6.6): no capability. */
static void test_no_hw_info(void)
{
	struct iofd_device *dev;
	uint32_t flags;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_GET_HW_INFO,
			     ENOTTY);
	dev = fx_attach(&fx, 0, "d", fx.space);
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK_OK(iofd_container_hwpt_get(iofd_device_container(dev), 0, NULL,
					 &flags));
	CHECK_EQ(flags, 0);	/* no dirty tracking asked for */
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_fini(&fx);
}

/*
 * While tracking: a refused HWPT_ALLOC cannot fall back to a domain the
 * kernel picks, a new dirty HWPT is switched on before the attach, and a
 * failing switch fails the attach. No sink: nothing is flushed; a failing
 * allocation or read on the way to the sink does not stop the unmap.
 */
static void test_tracking_edges(void)
{
	uint64_t bitmap[1];
	uint32_t hwpt;
	struct emu_counters before;
	struct iofd_error err;
	struct iofd_container *c;
	struct iofd_device *a, *b;
	struct iofd_region r;
	unsigned long nth;
	bool done = false;
	int ret;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	a = fx_attach(&fx, 0, "a", fx.space);
	c = iofd_device_container(a);
	CHECK_OK(iofd_container_set_dirty_tracking(c, true, NULL));
	emu_counters_get(fx.emu, &before);

	/* b is refused by a's HWPT (fault), and its own HWPT_ALLOC too */
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_HWPT_ALLOC,
			     EOPNOTSUPP);
	for (nth = 1; nth < 40 && !done; nth++) {
		fx.nr_events = 0;
		emu_fault_fail_nth(fx.fault, nth, EINVAL);
		ret = iofd_device_attach(fx.ctx, "b", fx.path[1], fx.space,
					 fx.be, &b, NULL);
		emu_fault_fail_nth(fx.fault, 0, 0);
		done = fx_traced(&fx, "fail:IOMMU_HWPT_ALLOC");
		if (ret == 0)
			CHECK_OK(iofd_device_detach(b, NULL));
	}
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK(done);
	CHECK_ERR(EOPNOTSUPP, ret);
	fx_check_counters(&fx, &before);

	/* the same refusal with HWPT_ALLOC working: a tracking HWPT joins */
	done = false;
	for (nth = 1; nth < 40 && !done; nth++) {
		fx.nr_events = 0;
		emu_fault_fail_nth(fx.fault, nth, EINVAL);
		ret = iofd_device_attach(fx.ctx, "b", fx.path[1], fx.space,
					 fx.be, &b, NULL);
		emu_fault_fail_nth(fx.fault, 0, 0);
		if (ret == 0 && iofd_container_hwpt_count(c) == 2)
			done = true;
		else if (ret == 0)
			CHECK_OK(iofd_device_detach(b, NULL));
	}
	CHECK(done);
	CHECK(iofd_container_dirty_tracking(c));
	CHECK(iofd_container_dirty_capable(c));

	/*
	 * Switching off fails at the second HWPT: the first is switched
	 * back on, so its device's writes are still logged.
	 */
	r = fx_region(&fx, 0x30, 1, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	emu_fault_fail_nth(fx.fault, 2, EIO);
	CHECK_ERR(EIO, iofd_container_set_dirty_tracking(c, false, NULL));
	emu_fault_fail_nth(fx.fault, 0, 0);
	CHECK(iofd_container_dirty_tracking(c));
	CHECK_OK(iofd_container_hwpt_get(c, 0, &hwpt, NULL));
	CHECK_OK(emu_hwpt_dirty(fx.emu, iofd_backend_fd(fx.be), hwpt, r.iova,
				4096));
	bitmap[0] = 0;
	CHECK_OK(iofd_backend_get_dirty_bitmap(fx.be, hwpt, r.iova, 4096, 4096,
					       bitmap, NULL));
	CHECK_EQ(bitmap[0], 1);
	CHECK_OK(iofd_space_region_del(fx.space, r.iova, r.size, NULL));
	CHECK_OK(iofd_device_detach(b, NULL));

	/* ...and the switch of that new HWPT failing fails the attach */
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL,
			     IOMMU_HWPT_SET_DIRTY_TRACKING, EIO);
	done = false;
	for (nth = 1; nth < 40 && !done; nth++) {
		emu_fault_fail_nth(fx.fault, nth, EINVAL);
		iofd_error_clear(&err);
		ret = iofd_device_attach(fx.ctx, "b", fx.path[1], fx.space,
					 fx.be, &b, &err);
		emu_fault_fail_nth(fx.fault, 0, 0);
		done = ret == -EIO;
		if (ret == 0)
			CHECK_OK(iofd_device_detach(b, NULL));
	}
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK(done);
	CHECK_EQ(err.errnum, EIO);
	CHECK(!strncmp(err.msg, "device b: enable dirty tracking of HWPT ", 40));
	CHECK(strstr(err.msg, "IOMMU_HWPT_SET_DIRTY_TRACKING") != NULL);
	fx_check_counters(&fx, &before);

	/* flushes: no sink; then a sink whose bitmap cannot be allocated */
	r = fx_region(&fx, 0x20, 2, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	CHECK_OK(iofd_space_region_del(fx.space, r.iova, r.size, NULL));
	iofd_ctx_set_dirty_sink(fx.ctx, (iofd_dirty_fn)abort, NULL);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	fx_alloc_fail_nth(&fx, 1);
	CHECK_OK(iofd_space_region_del(fx.space, r.iova, r.size, NULL));
	fx_alloc_fail_nth(&fx, 0);
	CHECK(fx_traced(&fx, "fail:dirty flush"));
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL,
			     IOMMU_HWPT_GET_DIRTY_BITMAP, EIO);
	CHECK_OK(iofd_space_region_del(fx.space, r.iova, r.size, NULL));
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	fx_check_container(&fx, c);
	CHECK_OK(iofd_device_detach(a, NULL));
	fx_fini(&fx);
}

/* A failing KVM DEL is traced; the detach goes on. */
static void test_kvm_del_fails(void)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	struct iofd_device *dev;
	struct iofd_host h;
	int kvm, vm;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	emu_host(fx.emu, &h);
	kvm = CHECK_OK(h.ops->open(h.priv, "/dev/kvm", O_RDWR));
	vm = CHECK_OK(h.ops->ioctl(h.priv, kvm, KVM_CREATE_VM, NULL));
	CHECK_OK(h.ops->ioctl(h.priv, vm, KVM_CREATE_DEVICE, &cd));
	iofd_ctx_set_kvm_vfio(fx.ctx, (int)cd.fd);
	dev = fx_attach(&fx, 0, "nic", fx.space);
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, KVM_SET_DEVICE_ATTR,
			     EIO);
	CHECK_OK(iofd_device_detach(dev, NULL));
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK(fx_traced(&fx, "fail:kvm del"));
	/* KVM let go when its device closed */
	CHECK_OK(h.ops->close(h.priv, (int)cd.fd));
	CHECK_OK(h.ops->close(h.priv, vm));
	CHECK_OK(h.ops->close(h.priv, kvm));
	fx_fini(&fx);
}

/* The undo of a failed add (unmap) failing twice marks the space too. */
static void test_add_undo_fails(void)
{
	struct iofd_device *a, *b;
	struct iofd_region r;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "noshare", EMU_SYSFS_OK);
	a = fx_attach(&fx, 0, "a", fx.space);
	b = fx_attach(&fx, 1, "b", fx.space);
	r = fx_region(&fx, 0x40, 2, 0);
	emu_fault_fail_nth(fx.fault, 2, ENOMEM);
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_IOAS_UNMAP, EIO);
	CHECK_ERR(ENOMEM, iofd_space_region_add(fx.space, &r, NULL));
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	emu_fault_fail_nth(fx.fault, 0, 0);
	CHECK(fx_traced(&fx, "fail:undo add region"));
	CHECK(!iofd_space_in_sync(fx.space));
	CHECK_EQ(iofd_space_region_count(fx.space), 0);
	CHECK_OK(iofd_device_detach(a, NULL));
	CHECK_OK(iofd_device_detach(b, NULL));
	fx_fini(&fx);
}

/* An error message longer than the object: truncated, still terminated. */
static void test_long_error_message(void)
{
	char path[600];
	struct iofd_error err;
	struct iofd_device *dev;
	struct fx fx;

	fx_init(&fx);
	memset(path, 'p', sizeof(path) - 1);
	for (size_t i = 0; i < sizeof(path) - 1; i += 100)
		path[i] = '/';		/* components short of NAME_MAX */
	path[sizeof(path) - 1] = '\0';
	CHECK_ERR(ENOENT, iofd_device_attach(fx.ctx, "d", path, fx.space,
					     fx.be, &dev, &err));
	CHECK_EQ(strlen(err.msg), IOFD_ERROR_MSG_MAX - 1);
	CHECK_EQ(err.errnum, ENOENT);
	fx_fini(&fx);
}

static void test_real_ioctl_success(void)
{
	struct iofd_host h;
	int fds[2], n = -1;

	iofd_host_real(&h);
	CHECK(pipe(fds) == 0);
	CHECK_OK(h.ops->ioctl(h.priv, fds[0], FIONREAD, &n));
	CHECK_EQ(n, 0);
	close(fds[0]);
	close(fds[1]);
}

static const struct check_test tests[] = {
	{ "ctx_and_alloc_edges", test_ctx_and_alloc_edges },
	{ "backend_edges", test_backend_edges },
	{ "two_backends_one_space", test_two_backends_one_space },
	{ "no_hw_info", test_no_hw_info },
	{ "tracking_edges", test_tracking_edges },
	{ "kvm_del_fails", test_kvm_del_fails },
	{ "add_undo_fails", test_add_undo_fails },
	{ "long_error_message", test_long_error_message },
	{ "real_ioctl_success", test_real_ioctl_success },
};

CHECK_MAIN(tests)
