/* SPDX-License-Identifier: MIT */
/*
 * Device options and the state attach keeps beside the kernel: fds handed
 * in (a device cdev, an iommufd), the usable IOVA ranges a container learns
 * at attach and the regions it refuses because of them, RAM discard
 * accounting on every path, and the lists a detach must walk by the right
 * link.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>

#include "check.h"
#include "fixture.h"

static int open_cdev(struct fx *fx, int idx)
{
	struct iofd_host h;
	char node[64];

	emu_host(fx->emu, &h);
	snprintf(node, sizeof(node), "/dev/vfio/devices/vfio%d", idx);
	return h.ops->open(h.priv, node, O_RDWR);
}

static void test_device_fd_handed_in(void)
{
	const struct emu_counters empty = { 0 };
	struct iofd_device_cfg cfg = { .name = "given" };
	struct iofd_device *dev;
	struct iofd_error err;
	struct emu_counters cnt;
	struct iofd_host h;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	emu_host(fx.emu, &h);

	/* an fd alone: taken as it is, closed on detach */
	cfg.fd = CHECK_OK(open_cdev(&fx, 0));
	CHECK_OK(iofd_device_attach_cfg(fx.ctx, &cfg, fx.space, fx.be, &dev,
					NULL));
	CHECK_EQ(iofd_device_fd(dev), cfg.fd);
	CHECK(iofd_device_devid(dev) != 0);
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_check_counters(&fx, &empty);

	/* with its sysfs path: the devt must match */
	cfg.fd = CHECK_OK(open_cdev(&fx, 0));
	cfg.sysfs_path = fx.path[0];
	CHECK_OK(iofd_device_attach_cfg(fx.ctx, &cfg, fx.space, fx.be, &dev,
					NULL));
	CHECK_OK(iofd_device_detach(dev, NULL));

	/* another device's fd: refused, and closed (it was given to us) */
	cfg.fd = CHECK_OK(open_cdev(&fx, 1));
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_device_attach_cfg(fx.ctx, &cfg, fx.space,
						 fx.be, &dev, &err));
	CHECK(strstr(err.msg, "is not char device") != NULL);
	fx_check_counters(&fx, &empty);

	/* not a char device: /dev/iommu is one, so use a closed fd */
	cfg.sysfs_path = NULL;
	cfg.fd = CHECK_OK(h.ops->open(h.priv, "/dev/iommu", O_RDWR));
	CHECK_OK(h.ops->close(h.priv, cfg.fd));
	iofd_error_clear(&err);
	CHECK_ERR(EBADF, iofd_device_attach_cfg(fx.ctx, &cfg, fx.space, fx.be,
						&dev, &err));
	CHECK_EQ(err.errnum, EBADF);
	CHECK(!strncmp(err.msg, "device given: fstat of fd ", 26));

	/* an open fd that is no char device: a KVM VM's (closed: given) */
	{
		int kvm = CHECK_OK(h.ops->open(h.priv, "/dev/kvm", O_RDWR));

		cfg.fd = CHECK_OK(h.ops->ioctl(h.priv, kvm, KVM_CREATE_VM,
					       NULL));
		iofd_error_clear(&err);
		CHECK_ERR(EBADF, iofd_device_attach_cfg(fx.ctx, &cfg, fx.space,
							fx.be, &dev, &err));
		CHECK_EQ(err.errnum, EBADF);
		CHECK(!strncmp(err.msg, "device given: fd ", 17));
		CHECK(strstr(err.msg, " is not a char device: ") != NULL);
		CHECK_OK(h.ops->close(h.priv, kvm));
		fx_check_counters(&fx, &empty);
	}

	/* bad flags and names close the fd too */
	cfg.fd = CHECK_OK(open_cdev(&fx, 0));
	cfg.flags = 0x80;
	CHECK_ERR(EINVAL, iofd_device_attach_cfg(fx.ctx, &cfg, fx.space,
						 fx.be, &dev, NULL));
	cfg.fd = CHECK_OK(open_cdev(&fx, 0));
	cfg.flags = 0;
	cfg.name = "";
	CHECK_ERR(EINVAL, iofd_device_attach_cfg(fx.ctx, &cfg, fx.space,
						 fx.be, &dev, NULL));
	emu_counters_get(fx.emu, &cnt);
	CHECK_EQ(cnt.fds, 0);
	fx_fini(&fx);
}

static void test_backend_fd_handed_in(void)
{
	struct iofd_backend *be;
	struct emu_counters cnt;
	struct iofd_device *dev;
	struct iofd_host h;
	uint32_t ioas;
	uint64_t gone;
	int fd;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	emu_host(fx.emu, &h);
	CHECK_ERR(EBADF, iofd_backend_create_fd(fx.ctx, -1, &be, NULL));
	fd = CHECK_OK(h.ops->open(h.priv, "/dev/iommu", O_RDWR));
	CHECK_OK(iofd_backend_create_fd(fx.ctx, fd, &be, NULL));
	CHECK_EQ(iofd_backend_fd(be), fd);

	/* verbs work without a connection: the manager keeps it open */
	CHECK_OK(iofd_backend_alloc_ioas(be, &ioas, NULL));
	CHECK_OK(iofd_backend_map(be, ioas, 0, 8192, fx.mem, false, NULL));
	CHECK_OK(iofd_backend_map(be, ioas, 0x10000, 4096, fx.mem, true, NULL));
	CHECK_OK(iofd_backend_unmap_all(be, ioas, &gone, NULL));
	CHECK_EQ(gone, 3 * 4096);
	CHECK_OK(iofd_backend_unmap_all(be, ioas, NULL, NULL));
	CHECK_OK(iofd_backend_free_id(be, ioas, NULL));

	CHECK_OK(iofd_device_attach(fx.ctx, "nic", fx.path[0], fx.space, be,
				    &dev, NULL));
	CHECK_OK(iofd_device_detach(dev, NULL));
	/* the last user left, yet the fd is the manager's: still open */
	CHECK_EQ(iofd_backend_users(be), 0);
	CHECK_EQ(iofd_backend_fd(be), fd);
	emu_counters_get(fx.emu, &cnt);
	CHECK_EQ(cnt.fds, 1);
	CHECK_EQ(cnt.objects, 0);
	CHECK_OK(iofd_backend_destroy(be));
	emu_counters_get(fx.emu, &cnt);
	CHECK_EQ(cnt.fds, 1);
	CHECK_OK(h.ops->close(h.priv, fd));
	fx_fini(&fx);
}

static void test_iova_ranges(void)
{
	struct iofd_iova_range *ranges;
	const struct iofd_iova_range *r;
	struct iofd_container *c;
	struct iofd_device *dev;
	struct iofd_region reg;
	struct iofd_error err;
	uint64_t align;
	size_t count;
	uint32_t ioas;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);

	/* a fresh IOAS: everything, alignment 1 */
	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	CHECK_OK(iofd_backend_alloc_ioas(fx.be, &ioas, NULL));
	CHECK_OK(iofd_backend_iova_ranges(fx.be, ioas, &ranges, &count, &align,
					  NULL));
	CHECK_EQ(count, 1);
	CHECK_EQ(ranges[0].start, 0);
	CHECK_EQ(ranges[0].last, UINT64_MAX);
	CHECK_EQ(align, 1);
	iofd_free(fx.ctx, ranges);
	iofd_error_clear(&err);
	CHECK_ERR(ENOENT, iofd_backend_iova_ranges(fx.be, 99, &ranges, &count,
						   NULL, &err));
	CHECK_EQ(err.errnum, ENOENT);
	CHECK_OK(iofd_backend_free_id(fx.be, ioas, NULL));
	iofd_backend_disconnect(fx.be);

	/* attached: the MSI window is a hole, the aperture ends at 2^39-1 */
	dev = fx_attach(&fx, 0, "nic", fx.space);
	c = iofd_device_container(dev);
	CHECK_EQ(iofd_container_iova_range_count(c), 2);
	r = iofd_container_iova_range_get(c, 0);
	CHECK_EQ(r->start, 0);
	CHECK_EQ(r->last, 0xfedfffff);
	r = iofd_container_iova_range_get(c, 1);
	CHECK_EQ(r->start, 0xfef00000);
	CHECK_EQ(r->last, (1ull << 39) - 1);
	CHECK(iofd_container_iova_range_get(c, 2) == NULL);
	CHECK_EQ(iofd_container_iova_alignment(c), 4096);

	/* regions outside them are refused before anything is mapped */
	reg = fx_region(&fx, 0, 1, 0);
	reg.iova = 0xfee00000;
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_space_region_add(fx.space, &reg, &err));
	CHECK(strstr(err.msg, "outside the usable IOVA") != NULL);
	reg.iova = 0xfedff000;
	reg.size = 0x2000;	/* straddles the hole's start */
	CHECK_ERR(EINVAL, iofd_space_region_add(fx.space, &reg, NULL));
	reg.iova = 1ull << 39;
	reg.size = 4096;
	CHECK_ERR(EINVAL, iofd_space_region_add(fx.space, &reg, NULL));
	CHECK_EQ(iofd_space_region_count(fx.space), 0);
	fx_check_container(&fx, c);
	reg.iova = 0xfef00000;
	CHECK_OK(iofd_space_region_add(fx.space, &reg, NULL));
	fx_check_container(&fx, c);
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_fini(&fx);
}

/* Attach with discard required must fail with the error already set. */
static void test_discard_required_blocks_attach(void)
{
	struct iofd_device_cfg cfg = { .name = "ok", .fd = -1 };
	struct iofd_error err;
	struct iofd_device *dev, *balloon_ok;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	CHECK_ERR(EINVAL, iofd_ctx_require_discard(fx.ctx, false, NULL));
	CHECK_OK(iofd_ctx_require_discard(fx.ctx, true, NULL));

	iofd_error_clear(&err);
	CHECK_ERR(EBUSY, iofd_device_attach(fx.ctx, "nic", fx.path[0],
					    fx.space, fx.be, &dev, &err));
	CHECK_EQ(err.errnum, EBUSY);
	CHECK(strstr(err.msg, "device nic: cannot disable RAM discard") != NULL);
	CHECK(fx_traced(&fx, "fail:disable discard"));
	CHECK_EQ(iofd_ctx_discard_disablers(fx.ctx), 0);
	CHECK_EQ(iofd_backend_users(fx.be), 0);

	/* a device that allows discard attaches all the same */
	cfg.sysfs_path = fx.path[1];
	cfg.flags = IOFD_DEVICE_DISCARD_OK;
	CHECK_OK(iofd_device_attach_cfg(fx.ctx, &cfg, fx.space, fx.be,
					&balloon_ok, NULL));
	CHECK_EQ(iofd_ctx_discard_disablers(fx.ctx), 0);
	CHECK_OK(iofd_device_detach(balloon_ok, NULL));

	CHECK_OK(iofd_ctx_require_discard(fx.ctx, false, NULL));
	dev = fx_attach(&fx, 0, "nic", fx.space);
	CHECK_EQ(iofd_ctx_discard_disablers(fx.ctx), 1);
	iofd_error_clear(&err);
	CHECK_ERR(EBUSY, iofd_ctx_require_discard(fx.ctx, true, &err));
	CHECK_EQ(err.errnum, EBUSY);
	CHECK_OK(iofd_device_detach(dev, NULL));
	CHECK_EQ(iofd_ctx_discard_disablers(fx.ctx), 0);
	CHECK_OK(iofd_ctx_require_discard(fx.ctx, true, NULL));
	fx_fini(&fx);
}

/* Every failed attach gives back the discard disable it took. */
static void test_discard_reenabled_on_unwind(void)
{
	struct iofd_device *dev;
	unsigned long nth;
	bool fired = true;
	struct fx fx;
	int ret;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	for (nth = 1; fired; nth++) {
		CHECK(nth < 50);
		emu_fault_fail_nth(fx.fault, nth, EIO);
		ret = iofd_device_attach(fx.ctx, "nic", fx.path[0], fx.space,
					 fx.be, &dev, NULL);
		fired = emu_fault_fired(fx.fault);
		emu_fault_fail_nth(fx.fault, 0, 0);
		if (fired) {
			CHECK_ERR(EIO, ret);
			CHECK_EQ(iofd_ctx_discard_disablers(fx.ctx), 0);
		} else {
			CHECK_OK(ret);
			CHECK_EQ(iofd_ctx_discard_disablers(fx.ctx), 1);
			CHECK_OK(iofd_device_detach(dev, NULL));
		}
		CHECK_OK(iofd_ctx_require_discard(fx.ctx, true, NULL));
		CHECK_OK(iofd_ctx_require_discard(fx.ctx, false, NULL));
	}
	fx_fini(&fx);
}

/*
 * Devices sit on two lists (the ctx's and their container's). Detach must
 * unlink each through its own node: QEMU once walked the wrong one. Attach
 * six devices over two spaces and three containers, detach from the middle
 * and check every list.
 */
static void test_detach_unlinks_right_lists(void)
{
	struct iofd_device *dev[6];
	struct iofd_space *other;
	struct iofd_container *c;
	int i;
	struct fx fx;

	fx_init(&fx);
	CHECK_OK(iofd_space_create(fx.ctx, &other, NULL));
	for (i = 0; i < 6; i++) {
		char name[8];

		fx_add_device(&fx, i == 4 ? "noshare" : "e1000e", EMU_SYSFS_OK);
		snprintf(name, sizeof(name), "d%d", i);
		CHECK_OK(iofd_device_attach(fx.ctx, name, fx.path[i],
					    i & 1 ? other : fx.space, fx.be,
					    &dev[i], NULL));
	}
	/* space: d0 d2 (shared) + d4 (own); other: d1 d3 d5 */
	CHECK_EQ(iofd_space_container_count(fx.space), 2);
	CHECK_EQ(iofd_space_container_count(other), 1);
	CHECK_OK(iofd_device_detach(dev[2], NULL));
	CHECK_OK(iofd_device_detach(dev[3], NULL));
	c = iofd_space_container_get(fx.space, 0);
	CHECK_EQ(iofd_container_device_count(c), 1);
	CHECK(iofd_container_device_get(c, 0) == dev[0]);
	c = iofd_space_container_get(other, 0);
	CHECK_EQ(iofd_container_device_count(c), 2);
	CHECK(iofd_container_device_get(c, 0) == dev[1]);
	CHECK(iofd_container_device_get(c, 1) == dev[5]);
	fx_check_container(&fx, iofd_device_container(dev[4]));
	CHECK_OK(iofd_device_detach(dev[4], NULL));
	CHECK_EQ(iofd_space_container_count(fx.space), 1);
	CHECK_ERR(EBUSY, iofd_space_destroy(other));
	/* the rest goes with the ctx, walking its own list */
	fx_fini(&fx);
}

static const struct check_test tests[] = {
	{ "device_fd_handed_in", test_device_fd_handed_in },
	{ "backend_fd_handed_in", test_backend_fd_handed_in },
	{ "iova_ranges", test_iova_ranges },
	{ "discard_required_blocks_attach",
	  test_discard_required_blocks_attach },
	{ "discard_reenabled_on_unwind", test_discard_reenabled_on_unwind },
	{ "detach_unlinks_right_lists", test_detach_unlinks_right_lists },
};

CHECK_MAIN(tests)
