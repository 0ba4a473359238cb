// SPDX-License-Identifier: MIT
/*
 * The VFIO cdev and device attachment, through the host table: the
 * before-bind rule, BIND (spec 5.3 and 9), GET_INFO, ATTACH with automatic
 * HWPTs, replace, reserved regions and apertures in IOVA_RANGES, sharing
 * between IOMMU units, pin accounting, and the context kept alive by a
 * bound device after /dev/iommu is closed (3.4).
 */
#include "emu_test.h"

#define MSI_START 0xfee00000ULL
#define MSI_LAST 0xfeefffffULL
#define APERTURE_39 ((1ULL << 39) - 1)

/* One context, one IOAS (id 1) and device 0 bound (id 2). */
struct rig {
	struct emu_t t;
	int iommufd;
	int devfd;
	uint32_t ioas;
	uint32_t devid;
};

static void rig_setup(struct rig *r, const char *profile)
{
	emu_t_setup(&r->t);
	CHECK_EQ(t_add_dev(&r->t, profile, "0000:00:03.0", EMU_SYSFS_OK), 0);
	r->iommufd = CHECK_OK(t_open(&r->t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&r->t, r->iommufd, &r->ioas));
	CHECK_EQ(r->ioas, 1);
	r->devfd = CHECK_OK(t_open_dev(&r->t, 0));
	CHECK_OK(bind_raw(&r->t, r->devfd, r->iommufd, &r->devid));
	CHECK_EQ(r->devid, 2);
}

static void rig_teardown(struct rig *r)
{
	CHECK_OK(t_close(&r->t, r->devfd));
	CHECK_OK(t_close(&r->t, r->iommufd));
	emu_t_teardown(&r->t);
}

static void before_bind_einval(void)
{
	struct vfio_device_info info;
	struct emu_t t;
	uint8_t buf[64] = { 0 };
	int devfd;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", "0000:00:03.0", EMU_SYSFS_OK));
	devfd = CHECK_OK(t_open_dev(&t, 0));
	CHECK_ERR(EINVAL, get_info_raw(&t, devfd, &info));
	CHECK_ERR(EINVAL, attach_raw(&t, devfd, 1, NULL));
	CHECK_ERR(EINVAL, detach_raw(&t, devfd));
	CHECK_ERR(EINVAL, t_ioctl(&t, devfd, _IO(VFIO_TYPE, 0x7f), buf));
	CHECK_ERR(EINVAL, t_ioctl(&t, devfd, VFIO_DEVICE_GET_INFO, NULL));
	CHECK_OK(t_close(&t, devfd));
	emu_t_teardown(&t);
}

static void bind_rules(void)
{
	struct vfio_device_bind_iommufd bind;
	uint8_t big[32];
	struct emu_t t;
	int iommufd, devfd, devfd2, otherdev;
	uint32_t devid;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", "0000:00:03.0", EMU_SYSFS_OK));
	CHECK_OK(t_add_dev(&t, "e1000e", "0000:00:04.0", EMU_SYSFS_OK));
	iommufd = CHECK_OK(t_open(&t, "/dev/iommu"));
	devfd = CHECK_OK(t_open_dev(&t, 0));
	devfd2 = CHECK_OK(t_open_dev(&t, 0));
	otherdev = CHECK_OK(t_open_dev(&t, 1));

	CHECK_ERR(EFAULT, t_ioctl(&t, devfd, VFIO_DEVICE_BIND_IOMMUFD, NULL));
	CHECK_ERR(EINVAL, bind_raw(&t, devfd, -1, NULL));
	bind = (struct vfio_device_bind_iommufd){ .argsz = 15,
						  .iommufd = iommufd };
	CHECK_ERR(EINVAL, t_ioctl(&t, devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	bind = (struct vfio_device_bind_iommufd){ .argsz = sizeof(bind),
						  .flags = 1,
						  .iommufd = iommufd };
	CHECK_ERR(EINVAL, t_ioctl(&t, devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	CHECK_ERR(EBADF, bind_raw(&t, devfd, 200, NULL));
	CHECK_ERR(EBADFD, bind_raw(&t, devfd, otherdev, NULL));
	emu_t_expect_counters(&t, 4, 1, 0, 0);

	/* Extra argsz bytes are ignored, junk included (VFIO rule). */
	memset(big, 0x5a, sizeof(big));
	bind = (struct vfio_device_bind_iommufd){ .argsz = sizeof(big),
						  .iommufd = iommufd };
	memcpy(big, &bind, sizeof(bind));
	CHECK_OK(t_ioctl(&t, devfd, VFIO_DEVICE_BIND_IOMMUFD, big));
	memcpy(&bind, big, sizeof(bind));
	CHECK_EQ(bind.out_devid, 1);
	CHECK_EQ(big[16], 0x5a);

	CHECK_ERR(EINVAL, bind_raw(&t, devfd, iommufd, NULL));
	CHECK_ERR(EINVAL, bind_raw(&t, devfd2, iommufd, NULL));
	CHECK_ERR(EBUSY, destroy_raw(&t, iommufd, 1));
	CHECK_OK(emu_device_state(t.emu, devfd, &devid, NULL, NULL));
	CHECK_EQ(devid, 1);
	CHECK_OK(emu_device_state(t.emu, devfd2, &devid, NULL, NULL));
	CHECK_EQ(devid, 0);
	CHECK_ERR(EBADF, emu_device_state(t.emu, iommufd, NULL, NULL, NULL));
	emu_t_expect_counters(&t, 4, 1, 1, 0);

	/* Closing the bound fd unbinds: the device can be bound again. */
	CHECK_OK(t_close(&t, devfd));
	emu_t_expect_counters(&t, 3, 1, 0, 0);
	CHECK_OK(bind_raw(&t, devfd2, iommufd, &devid));
	CHECK_EQ(devid, 1);
	/* A closed fd is EBADF. */
	CHECK_OK(t_close(&t, iommufd));
	CHECK_ERR(EBADF, bind_raw(&t, otherdev, iommufd, NULL));
	CHECK_OK(t_close(&t, devfd2));
	CHECK_OK(t_close(&t, otherdev));
	emu_t_teardown(&t);
}

static void get_info(void)
{
	struct vfio_device_info info;
	uint8_t buf[32];
	struct rig r;

	rig_setup(&r, "e1000e");
	CHECK_OK(get_info_raw(&r.t, r.devfd, &info));
	CHECK_EQ(info.flags, VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI);
	CHECK_EQ(info.num_regions, 9);
	CHECK_EQ(info.num_irqs, 5);
	CHECK_EQ(info.cap_offset, 0);
	CHECK_EQ(info.argsz, sizeof(info));
	/* argsz 16: only 16 bytes written. */
	memset(buf, 0x77, sizeof(buf));
	info = (struct vfio_device_info){ .argsz = 16 };
	memcpy(buf, &info, 16);
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_GET_INFO, buf));
	memcpy(&info, buf, 16);
	CHECK_EQ(info.num_irqs, 5);
	CHECK_EQ(buf[16], 0x77);
	info = (struct vfio_device_info){ .argsz = 15 };
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_GET_INFO, &info));
	/* After bind, unknown numbers are ENOTTY. */
	CHECK_ERR(ENOTTY, t_ioctl(&r.t, r.devfd, _IO(VFIO_TYPE, 0x7f), buf));
	rig_teardown(&r);
}

static void attach_auto_hwpt(void)
{
	uint32_t hwpt, devid, st_hwpt, st_ioas;
	struct rig r;

	rig_setup(&r, "e1000e");
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, &hwpt));
	CHECK_EQ(hwpt, 3);
	CHECK_OK(emu_device_state(r.t.emu, r.devfd, &devid, &st_hwpt,
				  &st_ioas));
	CHECK_EQ(devid, 2);
	CHECK_EQ(st_hwpt, 3);
	CHECK_EQ(st_ioas, 1);
	emu_t_expect_counters(&r.t, 2, 1, 3, 0);
	CHECK_ERR(EBUSY, destroy_raw(&r.t, r.iommufd, r.ioas));
	CHECK_ERR(EBUSY, destroy_raw(&r.t, r.iommufd, hwpt));
	CHECK_ERR(EBUSY, destroy_raw(&r.t, r.iommufd, r.devid));
	/* Attaching to the IOAS again, or to the HWPT itself: same HWPT. */
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, &hwpt));
	CHECK_EQ(hwpt, 3);
	CHECK_OK(attach_raw(&r.t, r.devfd, 3, &hwpt));
	CHECK_EQ(hwpt, 3);

	CHECK_OK(detach_raw(&r.t, r.devfd));
	CHECK_OK(emu_device_state(r.t.emu, r.devfd, &devid, &st_hwpt,
				  &st_ioas));
	CHECK_EQ(st_hwpt, 0);
	CHECK_EQ(st_ioas, 0);
	CHECK_ERR(ENOENT, destroy_raw(&r.t, r.iommufd, 3));
	CHECK_ERR(ENOENT, attach_raw(&r.t, r.devfd, 3, NULL));
	CHECK_OK(detach_raw(&r.t, r.devfd));	/* not attached: still ok */
	CHECK_OK(destroy_raw(&r.t, r.iommufd, r.ioas));
	rig_teardown(&r);
}

static void attach_errors(void)
{
	struct vfio_device_attach_iommufd_pt at;
	struct vfio_device_detach_iommufd_pt dt;
	struct rig r;

	rig_setup(&r, "e1000e");
	CHECK_ERR(ENOENT, attach_raw(&r.t, r.devfd, 0, NULL));
	CHECK_ERR(ENOENT, attach_raw(&r.t, r.devfd, 77, NULL));
	CHECK_ERR(EINVAL, attach_raw(&r.t, r.devfd, r.devid, NULL));
	at = (struct vfio_device_attach_iommufd_pt){ .argsz = 11,
						     .pt_id = r.ioas };
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd,
				  VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	at = (struct vfio_device_attach_iommufd_pt){ .argsz = sizeof(at),
						     .flags = 1,
						     .pt_id = r.ioas };
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd,
				  VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	dt = (struct vfio_device_detach_iommufd_pt){ .argsz = 7 };
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd,
				  VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	emu_t_expect_counters(&r.t, 2, 1, 2, 0);
	rig_teardown(&r);
}

static void iova_ranges_after_attach(void)
{
	struct iommu_iova_range rg[3];
	uint64_t align;
	uint32_t total;
	struct rig r;

	rig_setup(&r, "e1000e");
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, NULL));
	CHECK_OK(iova_ranges_raw(&r.t, r.iommufd, r.ioas, rg, 3, &total,
				 &align));
	CHECK_EQ(total, 2);
	CHECK_EQ(align, 0x1000);
	CHECK_EQ(rg[0].start, 0);
	CHECK_EQ(rg[0].last, 0xfedfffffULL);
	CHECK_EQ(rg[1].start, 0xfef00000ULL);
	CHECK_EQ(rg[1].last, APERTURE_39);
	/* EMSGSIZE with room for one: the first entry is written. */
	memset(rg, 0, sizeof(rg));
	CHECK_ERR(EMSGSIZE, iova_ranges_raw(&r.t, r.iommufd, r.ioas, rg, 1,
					    &total, NULL));
	CHECK_EQ(total, 2);
	CHECK_EQ(rg[0].last, 0xfedfffffULL);
	CHECK_EQ(rg[1].last, 0);

	/* Reserved IOVA: the MSI window and past the aperture. */
	CHECK_ERR(EINVAL, map_fixed_raw(&r.t, r.iommufd, r.ioas, MSI_START, PG,
					t_va(&r.t, 0x100000)));
	CHECK_ERR(EINVAL, map_fixed_raw(&r.t, r.iommufd, r.ioas, MSI_START - PG,
					2 * PG,
					t_va(&r.t, 0x100000)));
	CHECK_ERR(EINVAL, map_fixed_raw(&r.t, r.iommufd, r.ioas, APERTURE_39 + 1, PG,
					t_va(&r.t, 0x100000)));
	/* Alignment is now 4 KiB. */
	CHECK_ERR(EINVAL, map_fixed_raw(&r.t, r.iommufd, r.ioas, 0x800, PG,
					t_va(&r.t, 0x100000)));
	CHECK_ERR(EINVAL, map_fixed_raw(&r.t, r.iommufd, r.ioas, 0x1000, 0x800,
					t_va(&r.t, 0x100000)));
	CHECK_ERR(EINVAL, map_fixed_raw(&r.t, r.iommufd, r.ioas, 0x1000, PG,
					0x100800));
	CHECK_ERR(EINVAL, map_auto_raw(&r.t, r.iommufd, r.ioas, PG, 0x100800,
				       NULL));

	CHECK_OK(detach_raw(&r.t, r.devfd));
	CHECK_OK(iova_ranges_raw(&r.t, r.iommufd, r.ioas, rg, 3, &total,
				 &align));
	CHECK_EQ(total, 1);
	CHECK_EQ(align, 1);
	CHECK_EQ(rg[0].last, UINT64_MAX);
	rig_teardown(&r);
}

/* Mapped IOVA that a new domain or the device would reserve: EADDRINUSE. */
static void attach_conflicts(void)
{
	uint32_t id;
	struct rig r;

	rig_setup(&r, "e1000e");
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, r.ioas, MSI_START, PG,
			       t_va(&r.t, 0x100000)));
	CHECK_ERR(EADDRINUSE, attach_raw(&r.t, r.devfd, r.ioas, NULL));
	CHECK_OK(unmap_raw(&r.t, r.iommufd, r.ioas, 0, UINT64_MAX, NULL));
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, r.ioas, 1ULL << 40, PG,
			       t_va(&r.t, 0x100000)));
	CHECK_ERR(EADDRINUSE, attach_raw(&r.t, r.devfd, r.ioas, NULL));
	CHECK_OK(unmap_raw(&r.t, r.iommufd, r.ioas, 0, UINT64_MAX, NULL));
	/* A sub-page map cannot meet the domain's 4 KiB alignment. */
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, r.ioas, 0x10000, 0x800,
			       t_va(&r.t, 0x100000)));
	CHECK_ERR(EADDRINUSE, attach_raw(&r.t, r.devfd, r.ioas, NULL));
	emu_t_expect_counters(&r.t, 2, 1, 2, 0);
	/* Failed HWPT creations consumed no id. */
	CHECK_OK(ioas_alloc_raw(&r.t, r.iommufd, &id));
	CHECK_EQ(id, 3);
	rig_teardown(&r);
}

static void sharing_between_units(void)
{
	struct emu_t t;
	int iommufd, e1, e2, ns;
	uint32_t ioas, ioas2, h1, h2, h3, id;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", "0000:00:03.0", EMU_SYSFS_OK));
	CHECK_OK(t_add_dev(&t, "e1000e", "0000:00:04.0", EMU_SYSFS_OK));
	CHECK_OK(t_add_dev(&t, "noshare", "0000:00:05.0", EMU_SYSFS_OK));
	iommufd = CHECK_OK(t_open(&t, "/dev/iommu"));
	e1 = CHECK_OK(t_open_dev(&t, 0));
	e2 = CHECK_OK(t_open_dev(&t, 1));
	ns = CHECK_OK(t_open_dev(&t, 2));
	CHECK_OK(ioas_alloc_raw(&t, iommufd, &ioas));		/* 1 */
	CHECK_OK(bind_raw(&t, e1, iommufd, NULL));		/* 2 */
	CHECK_OK(bind_raw(&t, e2, iommufd, NULL));		/* 3 */
	CHECK_OK(bind_raw(&t, ns, iommufd, NULL));		/* 4 */
	CHECK_OK(attach_raw(&t, e1, ioas, &h1));
	CHECK_EQ(h1, 5);
	/* Same unit: the automatic HWPT is shared. */
	CHECK_OK(attach_raw(&t, e2, ioas, &h2));
	CHECK_EQ(h2, 5);
	/* The no_share unit cannot join nor add its own domain. */
	CHECK_ERR(EINVAL, attach_raw(&t, ns, ioas, NULL));
	CHECK_ERR(EINVAL, attach_raw(&t, ns, h1, NULL));
	CHECK_OK(ioas_alloc_raw(&t, iommufd, &ioas2));
	CHECK_EQ(ioas2, 6);			/* no id was consumed */
	CHECK_OK(attach_raw(&t, ns, ioas2, &h3));
	CHECK_EQ(h3, 7);
	/* And the other way round. */
	CHECK_ERR(EINVAL, attach_raw(&t, e1, ioas2, NULL));
	CHECK_OK(emu_device_state(t.emu, e1, NULL, &id, NULL));
	CHECK_EQ(id, 5);			/* failure left it in place */
	/* The shared HWPT lives until its last device leaves. */
	CHECK_OK(detach_raw(&t, e1));
	CHECK_ERR(EBUSY, destroy_raw(&t, iommufd, h1));
	CHECK_OK(detach_raw(&t, e2));
	CHECK_ERR(ENOENT, destroy_raw(&t, iommufd, h1));
	emu_t_expect_counters(&t, 4, 1, 6, 0);
	CHECK_OK(t_close(&t, iommufd));
	CHECK_OK(t_close(&t, ns));
	CHECK_OK(t_close(&t, e2));
	CHECK_OK(t_close(&t, e1));
	emu_t_teardown(&t);
}

static void profiles_that_refuse(void)
{
	struct iommu_iova_range rg[4];
	struct emu_t t;
	int iommufd, big, small, p64;
	uint32_t ioas, h1, h2, total;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", "0000:00:03.0", EMU_SYSFS_OK));
	CHECK_OK(t_add_dev(&t, "small-aperture", "0000:00:04.0",
			   EMU_SYSFS_OK));
	CHECK_OK(t_add_dev(&t, "pgsize-64k", "0000:00:05.0", EMU_SYSFS_OK));
	iommufd = CHECK_OK(t_open(&t, "/dev/iommu"));
	big = CHECK_OK(t_open_dev(&t, 0));
	small = CHECK_OK(t_open_dev(&t, 1));
	p64 = CHECK_OK(t_open_dev(&t, 2));
	CHECK_OK(ioas_alloc_raw(&t, iommufd, &ioas));
	CHECK_OK(bind_raw(&t, big, iommufd, NULL));
	CHECK_OK(bind_raw(&t, small, iommufd, NULL));
	CHECK_OK(bind_raw(&t, p64, iommufd, NULL));
	/* A 64 KiB IOMMU page is larger than PAGE_SIZE: always EINVAL. */
	CHECK_ERR(EINVAL, attach_raw(&t, p64, ioas, NULL));
	CHECK_OK(attach_raw(&t, big, ioas, &h1));
	CHECK_ERR(EINVAL, attach_raw(&t, p64, ioas, NULL));
	CHECK_ERR(EINVAL, attach_raw(&t, p64, h1, NULL));
	/* The small aperture cannot use the big domain: a second domain. */
	CHECK_ERR(EINVAL, attach_raw(&t, small, h1, NULL));
	CHECK_OK(attach_raw(&t, small, ioas, &h2));
	CHECK(h2 != h1);
	CHECK_OK(iova_ranges_raw(&t, iommufd, ioas, rg, 4, &total, NULL));
	CHECK_EQ(total, 2);
	CHECK_EQ(rg[1].last, 0xffffffffULL);
	CHECK_ERR(EINVAL, map_fixed_raw(&t, iommufd, ioas, 1ULL << 32, PG,
					t_va(&t, 0x100000)));
	CHECK_OK(detach_raw(&t, small));
	CHECK_OK(map_fixed_raw(&t, iommufd, ioas, 1ULL << 32, PG,
			       t_va(&t, 0x100000)));
	CHECK_ERR(EADDRINUSE, attach_raw(&t, small, ioas, NULL));
	CHECK_OK(t_close(&t, big));
	CHECK_OK(t_close(&t, small));
	CHECK_OK(t_close(&t, p64));
	CHECK_OK(t_close(&t, iommufd));
	emu_t_teardown(&t);
}

static void replace(void)
{
	uint32_t ioas2, hwpt, id;
	struct rig r;

	rig_setup(&r, "e1000e");
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, &hwpt));
	CHECK_EQ(hwpt, 3);
	CHECK_OK(ioas_alloc_raw(&r.t, r.iommufd, &ioas2));
	CHECK_EQ(ioas2, 4);
	CHECK_OK(attach_raw(&r.t, r.devfd, ioas2, &hwpt));
	CHECK_EQ(hwpt, 5);
	CHECK_ERR(ENOENT, destroy_raw(&r.t, r.iommufd, 3));
	CHECK_OK(destroy_raw(&r.t, r.iommufd, r.ioas));
	CHECK_ERR(EBUSY, destroy_raw(&r.t, r.iommufd, ioas2));
	CHECK_OK(emu_device_state(r.t.emu, r.devfd, NULL, NULL, &id));
	CHECK_EQ(id, 4);
	/* Replace failing (MSI window mapped): old attachment unchanged. */
	CHECK_OK(ioas_alloc_raw(&r.t, r.iommufd, &id));
	CHECK_EQ(id, 1);
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, 1, MSI_START, PG,
			       t_va(&r.t, 0x100000)));
	CHECK_ERR(EADDRINUSE, attach_raw(&r.t, r.devfd, 1, NULL));
	CHECK_OK(emu_device_state(r.t.emu, r.devfd, NULL, &hwpt, &id));
	CHECK_EQ(hwpt, 5);
	CHECK_EQ(id, 4);
	emu_t_expect_counters(&r.t, 2, 1, 4, 0);
	rig_teardown(&r);
}

static void pins_while_attached(void)
{
	struct rig r;

	rig_setup(&r, "e1000e");
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, r.ioas, 0x100000, 4 * PG,
			       t_va(&r.t, 0)));
	emu_t_expect_counters(&r.t, 2, 1, 2, 0);
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, NULL));
	emu_t_expect_counters(&r.t, 2, 1, 3, 4);
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, r.ioas, 0x200000, 2 * PG,
			       t_va(&r.t, 0x100000)));
	emu_t_expect_counters(&r.t, 2, 1, 3, 6);
	CHECK_OK(unmap_raw(&r.t, r.iommufd, r.ioas, 0x100000, 4 * PG, NULL));
	emu_t_expect_counters(&r.t, 2, 1, 3, 2);
	CHECK_OK(detach_raw(&r.t, r.devfd));
	emu_t_expect_counters(&r.t, 2, 1, 2, 0);
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, NULL));
	emu_t_expect_counters(&r.t, 2, 1, 3, 2);
	/* Closing the device drops the domain, hence the pins. */
	CHECK_OK(t_close(&r.t, r.devfd));
	emu_t_expect_counters(&r.t, 1, 1, 1, 0);
	CHECK_ERR(EBADF, attach_raw(&r.t, r.devfd, r.ioas, NULL));
	r.devfd = CHECK_OK(t_open_dev(&r.t, 0));
	CHECK_OK(bind_raw(&r.t, r.devfd, r.iommufd, NULL));
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, NULL));
	emu_t_expect_counters(&r.t, 2, 1, 3, 2);
	/* Closing /dev/iommu first: the device holds the context. */
	CHECK_OK(t_close(&r.t, r.iommufd));
	emu_t_expect_counters(&r.t, 1, 1, 3, 2);
	CHECK_OK(t_close(&r.t, r.devfd));
	emu_t_teardown(&r.t);
}

static void iommufd_closed_while_bound(void)
{
	struct vfio_device_info info;
	uint32_t hwpt;
	struct rig r;
	int fresh;

	rig_setup(&r, "e1000e");
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, r.ioas, 0x100000, PG,
			       t_va(&r.t, 0x100000)));
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, &hwpt));
	CHECK_OK(t_close(&r.t, r.iommufd));
	emu_t_expect_counters(&r.t, 1, 1, 3, 1);
	CHECK_OK(get_info_raw(&r.t, r.devfd, &info));
	CHECK_EQ(info.num_regions, 9);
	CHECK_OK(detach_raw(&r.t, r.devfd));
	emu_t_expect_counters(&r.t, 1, 1, 2, 0);
	/* The old context's ids still answer through the device. */
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, &hwpt));
	CHECK_EQ(hwpt, 3);
	fresh = CHECK_OK(t_open(&r.t, "/dev/iommu"));
	CHECK_ERR(EINVAL, bind_raw(&r.t, r.devfd, fresh, NULL));
	CHECK_OK(t_close(&r.t, fresh));
	CHECK_OK(t_close(&r.t, r.devfd));
	emu_t_teardown(&r.t);
}

/* emu_destroy with everything still open must free it all (ASan checks). */
static void destroy_with_open_fds(void)
{
	struct rig r;

	rig_setup(&r, "e1000e");
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, r.ioas, 0x100000, PG,
			       t_va(&r.t, 0x100000)));
	CHECK_OK(attach_raw(&r.t, r.devfd, r.ioas, NULL));
	CHECK_OK(t_open(&r.t, "/dev/iommu"));
	emu_destroy(r.t.emu);
}

static const struct check_test tests[] = {
	TEST(before_bind_einval),
	TEST(bind_rules),
	TEST(get_info),
	TEST(attach_auto_hwpt),
	TEST(attach_errors),
	TEST(iova_ranges_after_attach),
	TEST(attach_conflicts),
	TEST(sharing_between_units),
	TEST(profiles_that_refuse),
	TEST(replace),
	TEST(pins_while_attached),
	TEST(iommufd_closed_while_bound),
	TEST(destroy_with_open_fds),
};

CHECK_MAIN(tests)
