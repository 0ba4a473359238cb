/* SPDX-License-Identifier: MIT */
/*
 * HWPTs, dirty tracking and KVM registration on the emulator: the auto
 * domain a container allocates (with dirty tracking when the IOMMU can
 * track), devices sharing it or refused by it, dirty bits set by "DMA"
 * read back per container and handed to the sink before an unmap, the
 * switch rolled back when it fails, and the kvm-vfio registration made
 * before bind and withdrawn on detach and on every unwind.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>

#include "check.h"
#include "fixture.h"

static void test_auto_domain(void)
{
	struct iofd_device *a, *b;
	struct iofd_container *c;
	uint32_t hwpt, flags;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	a = fx_attach(&fx, 0, "a", fx.space);
	c = iofd_device_container(a);
	CHECK_EQ(iofd_container_hwpt_count(c), 1);
	CHECK_OK(iofd_container_hwpt_get(c, 0, &hwpt, &flags));
	CHECK_EQ(flags, 0);			/* e1000e's IOMMU cannot track */
	CHECK_EQ(hwpt, iofd_device_hwpt(a));
	CHECK(!iofd_container_dirty_capable(c));
	CHECK_ERR(ENOENT, iofd_container_hwpt_get(c, 1, NULL, NULL));
	b = fx_attach(&fx, 1, "b", fx.space);
	CHECK_EQ(iofd_device_hwpt(b), hwpt);	/* shared */
	CHECK_EQ(iofd_container_hwpt_count(c), 1);
	CHECK_ERR(EOPNOTSUPP, iofd_container_set_dirty_tracking(c, true, NULL));
	CHECK_OK(iofd_device_detach(a, NULL));
	CHECK_EQ(iofd_container_hwpt_count(c), 1);
	fx_check_container(&fx, c);
	CHECK_OK(iofd_device_detach(b, NULL));
	fx_fini(&fx);
}

struct dirty_seen {
	int calls;
	uint64_t iova;
	uint64_t bits;
};

static void dirty_sink(void *arg, uint64_t iova, uint64_t size,
		       uint64_t page_size, const uint64_t *bitmap)
{
	struct dirty_seen *seen = arg;

	seen->calls++;
	seen->iova = iova;
	seen->bits = bitmap[0];
	CHECK_EQ(page_size, 4096);
}

static void test_dirty_tracking(void)
{
	struct dirty_seen seen = { 0 };
	struct iofd_container *c;
	struct iofd_device *dev;
	struct iofd_error err;
	struct iofd_region r;
	uint64_t bitmap[1];
	uint32_t hwpt, flags;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	iofd_ctx_set_dirty_sink(fx.ctx, dirty_sink, &seen);
	r = fx_region(&fx, 0x100, 8, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	dev = fx_attach(&fx, 0, "d", fx.space);
	c = iofd_device_container(dev);
	CHECK_OK(iofd_container_hwpt_get(c, 0, &hwpt, &flags));
	CHECK_EQ(flags, IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	CHECK(iofd_container_dirty_capable(c));
	CHECK(!iofd_container_dirty_tracking(c));
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_container_query_dirty(c, r.iova, r.size, 4096,
						     bitmap, &err));
	CHECK(strstr(err.msg, "tracking is off") != NULL);

	CHECK_OK(iofd_container_set_dirty_tracking(c, true, NULL));
	CHECK(iofd_container_dirty_tracking(c));
	/* the device writes pages 1 and 3 of the region */
	CHECK_OK(emu_hwpt_dirty(fx.emu, iofd_backend_fd(fx.be), hwpt,
				r.iova + 4096, 4096));
	CHECK_OK(emu_hwpt_dirty(fx.emu, iofd_backend_fd(fx.be), hwpt,
				r.iova + 3 * 4096, 4096));
	bitmap[0] = 0;
	CHECK_OK(iofd_container_query_dirty(c, r.iova, r.size, 4096, bitmap,
					    NULL));
	CHECK_EQ(bitmap[0], 0xa);
	bitmap[0] = 0;				/* read clears */
	CHECK_OK(iofd_container_query_dirty(c, r.iova, r.size, 4096, bitmap,
					    NULL));
	CHECK_EQ(bitmap[0], 0);

	/* the bits of a region are handed over before it is unmapped */
	CHECK_OK(emu_hwpt_dirty(fx.emu, iofd_backend_fd(fx.be), hwpt,
				r.iova + 7 * 4096, 4096));
	CHECK_OK(iofd_space_region_del(fx.space, r.iova, r.size, NULL));
	CHECK_EQ(seen.calls, 1);
	CHECK_EQ(seen.iova, r.iova);
	CHECK_EQ(seen.bits, 0x80);

	/*
	 * While tracking, a device whose IOMMU cannot track is refused: its
	 * new domain would not log its writes. Nothing is left behind.
	 */
	{
		struct emu_counters before;
		struct iofd_device *e;

		fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
		emu_counters_get(fx.emu, &before);
		iofd_error_clear(&err);
		CHECK_ERR(EOPNOTSUPP, iofd_device_attach(fx.ctx, "e", fx.path[1],
							 fx.space, fx.be, &e,
							 &err));
		CHECK(strstr(err.msg, "tracks dirty pages") != NULL);
		fx_check_counters(&fx, &before);
		CHECK_EQ(iofd_container_hwpt_count(c), 1);
	}

	/* a failing switch leaves the state as it was */
	emu_fault_fail_nth(fx.fault, 1, EIO);
	iofd_error_clear(&err);
	CHECK_ERR(EIO, iofd_container_set_dirty_tracking(c, false, &err));
	CHECK_EQ(err.errnum, EIO);
	CHECK(iofd_container_dirty_tracking(c));
	emu_fault_fail_nth(fx.fault, 1, EIO);
	CHECK_ERR(EIO, iofd_container_query_dirty(c, 0, 4096, 4096, bitmap,
						  NULL));
	CHECK_OK(iofd_container_set_dirty_tracking(c, false, NULL));
	CHECK(!iofd_container_dirty_tracking(c));
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_fini(&fx);
}

/*
 * The dirty device's domain refuses the e1000e (its IOMMU cannot track),
 * so the container gets a second HWPT without dirty tracking; then the
 * container as a whole cannot track.
 */
static void test_mixed_domains(void)
{
	struct iofd_device *d, *e;
	struct iofd_container *c;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	d = fx_attach(&fx, 0, "d", fx.space);
	e = fx_attach(&fx, 1, "e", fx.space);
	c = iofd_device_container(d);
	CHECK(iofd_device_container(e) == c);
	CHECK_EQ(iofd_container_hwpt_count(c), 2);
	CHECK(iofd_device_hwpt(d) != iofd_device_hwpt(e));
	CHECK(!iofd_container_dirty_capable(c));
	fx_check_container(&fx, c);
	CHECK_OK(iofd_device_detach(d, NULL));
	CHECK_EQ(iofd_container_hwpt_count(c), 1);
	CHECK_OK(iofd_device_detach(e, NULL));
	fx_fini(&fx);
}

/*
 * A device the kernel put on a domain of its own choosing (HWPT_ALLOC
 * refused) cannot be asked for dirty bits, so its container cannot track,
 * even when the other device's HWPT could; and tracking ends with the last
 * HWPT of ours.
 */
static void test_kernel_domain_cannot_track(void)
{
	struct iofd_device *a, *b;
	struct iofd_container *c;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_HWPT_ALLOC,
			     EOPNOTSUPP);
	a = fx_attach(&fx, 0, "a", fx.space);
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	c = iofd_device_container(a);
	CHECK_EQ(iofd_container_hwpt_count(c), 0);
	CHECK(!iofd_container_dirty_capable(c));
	b = fx_attach(&fx, 1, "b", fx.space);
	CHECK(iofd_device_container(b) == c);
	CHECK_EQ(iofd_container_hwpt_count(c), 1);
	CHECK(!iofd_container_dirty_capable(c));
	CHECK_ERR(EOPNOTSUPP, iofd_container_set_dirty_tracking(c, true, NULL));
	CHECK_OK(iofd_device_detach(a, NULL));
	CHECK(iofd_container_dirty_capable(c));
	CHECK_OK(iofd_container_set_dirty_tracking(c, true, NULL));
	CHECK_OK(iofd_device_detach(b, NULL));
	fx_fini(&fx);
}

/* The backend verbs on their own. */
static void test_hwpt_verbs(void)
{
	struct iofd_hw_info info;
	struct iofd_device *dev;
	struct iofd_error err;
	uint32_t hwpt, ioas;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	dev = fx_attach(&fx, 0, "d", fx.space);
	CHECK_OK(iofd_backend_get_hw_info(fx.be, iofd_device_devid(dev), &info,
					  NULL));
	CHECK_EQ(info.type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	CHECK(info.capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	CHECK_EQ(info.data_len, sizeof(struct iommu_hw_info_vtd));
	iofd_error_clear(&err);
	CHECK_ERR(ENOENT, iofd_backend_get_hw_info(fx.be, 999, &info, &err));
	CHECK(strstr(err.msg, "hw info of device id 999") != NULL);

	CHECK_OK(iofd_backend_alloc_ioas(fx.be, &ioas, NULL));
	CHECK_OK(iofd_backend_alloc_hwpt(fx.be, iofd_device_devid(dev), ioas,
					 IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					 &hwpt, NULL));
	CHECK_OK(iofd_backend_set_dirty_tracking(fx.be, hwpt, true, NULL));
	CHECK_ERR(EBUSY, iofd_backend_free_id(fx.be, ioas, NULL));
	CHECK_OK(iofd_backend_free_id(fx.be, hwpt, NULL));
	CHECK_ERR(ENOENT, iofd_backend_set_dirty_tracking(fx.be, hwpt, false,
							  &err));
	CHECK(strstr(err.msg, "disable dirty tracking") != NULL);
	CHECK_ERR(EOPNOTSUPP, iofd_backend_alloc_hwpt(fx.be,
						      iofd_device_devid(dev),
						      ioas, 1u << 30, &hwpt,
						      NULL));
	CHECK_OK(iofd_backend_free_id(fx.be, ioas, NULL));
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_fini(&fx);
}

static void test_kvm_registration(void)
{
	struct iofd_device *dev;
	struct emu_counters cnt;
	int kdev, vm, kvm, fd;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	kdev = fx_kvm_vfio_open(&fx, &vm, &kvm);
	iofd_ctx_set_kvm_vfio(fx.ctx, kdev);
	dev = fx_attach(&fx, 0, "nic", fx.space);
	CHECK(iofd_device_kvm_registered(dev));
	CHECK_EQ(emu_kvm_vfio_has(fx.emu, kdev, iofd_device_fd(dev)), 1);
	CHECK(fx_traced(&fx, "bind"));
	fd = iofd_device_fd(dev);
	CHECK_OK(iofd_device_detach(dev, NULL));
	emu_counters_get(fx.emu, &cnt);
	CHECK_EQ(cnt.kvm_vfio_files, 0);
	(void)fd;

	/* every attach that fails after the add withdraws it */
	{
		unsigned long nth;
		bool fired = true;
		int ret;

		for (nth = 1; fired; nth++) {
			CHECK(nth < 60);
			emu_fault_fail_nth(fx.fault, nth, EIO);
			fx.nr_events = 0;
			ret = iofd_device_attach(fx.ctx, "nic", fx.path[0],
						 fx.space, fx.be, &dev, NULL);
			fired = emu_fault_fired(fx.fault);
			emu_fault_fail_nth(fx.fault, 0, 0);
			emu_counters_get(fx.emu, &cnt);
			if (fired && !fx_traced(&fx, "fail:kvm del")) {
				CHECK_ERR(EIO, ret);
				CHECK_EQ(cnt.kvm_vfio_files, 0);
			} else if (!fired) {
				CHECK_OK(ret);
				CHECK_EQ(cnt.kvm_vfio_files, 1);
				CHECK_OK(iofd_device_detach(dev, NULL));
			}
		}
	}

	/*
	 * KVM switched off (or to another VM) while a device is registered:
	 * the DEL still goes to the fd the ADD went to.
	 */
	iofd_ctx_set_kvm_vfio(fx.ctx, kdev);
	dev = fx_attach(&fx, 0, "nic", fx.space);
	iofd_ctx_set_kvm_vfio(fx.ctx, -1);
	CHECK_OK(iofd_device_detach(dev, NULL));
	emu_counters_get(fx.emu, &cnt);
	CHECK_EQ(cnt.kvm_vfio_files, 0);
	CHECK(!fx_traced(&fx, "fail:kvm del"));

	/* KVM refusing the add fails the attach with its errno */
	iofd_ctx_set_kvm_vfio(fx.ctx, 999);
	CHECK_ERR(EBADF, iofd_device_attach(fx.ctx, "nic", fx.path[0],
					    fx.space, fx.be, &dev, NULL));
	CHECK(fx_traced(&fx, "fail:kvm add"));
	iofd_ctx_set_kvm_vfio(fx.ctx, -5);	/* off */
	dev = fx_attach(&fx, 0, "nic", fx.space);
	CHECK(!iofd_device_kvm_registered(dev));
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_kvm_vfio_close(&fx, kdev, vm, kvm);
	fx_fini(&fx);
}

static const struct check_test tests[] = {
	{ "auto_domain", test_auto_domain },
	{ "dirty_tracking", test_dirty_tracking },
	{ "mixed_domains", test_mixed_domains },
	{ "kernel_domain_cannot_track", test_kernel_domain_cannot_track },
	{ "hwpt_verbs", test_hwpt_verbs },
	{ "kvm_registration", test_kvm_registration },
};

CHECK_MAIN(tests)
