// SPDX-License-Identifier: MIT
/*
 * Machine variants (emu_variant_*) and what follows from them: the VT-d
 * capability registers as QEMU's intel-iommu reports them for aw-bits 39
 * and 48 (the 39-bit pair seen on a real 6.12.95 in the VM check), the
 * aperture, page sizes and capabilities the VT-d driver derives from
 * them, and automatic IOVA alignment with and without THP.
 */
#include "conf.h"

#define CAP_AW39 0xd2008c22260206ULL
#define CAP_AW48 0xd2008c222f0606ULL
#define ECAP_QEMU 0xf00f4aULL
/* Scalable mode, second-stage translation and A/D, page-walk coherency. */
#define ECAP_DIRTY_BITS ((1ULL << 43) | (1ULL << 45) | (1ULL << 46) | \
			 (1ULL << 48))

static void parse(void)
{
	struct emu_variant v;
	const char *bad = NULL;
	const char *text;

	emu_variant_default(&v);
	CHECK_EQ(v.vtd_aw_bits, 39);
	CHECK(v.thp);
	CHECK_EQ(v.container, EMU_CONTAINER_VFIO);
	CHECK_OK(emu_variant_parse(NULL, &v, &bad));
	CHECK_EQ(v.vtd_aw_bits, 39);
	CHECK_OK(emu_variant_parse("", &v, &bad));
	CHECK_OK(emu_variant_parse("aw-bits=48,thp=off,container=iommufd", &v,
				   &bad));
	CHECK_EQ(v.vtd_aw_bits, 48);
	CHECK(!v.thp);
	CHECK_EQ(v.container, EMU_CONTAINER_IOMMUFD);
	/* Later settings win; every parse starts from the default. */
	CHECK_OK(emu_variant_parse("thp=off,thp=on", &v, NULL));
	CHECK(v.thp);
	CHECK_EQ(v.vtd_aw_bits, 39);
	text = "thp=on,aw-bits=40";
	CHECK_ERR(EINVAL, emu_variant_parse(text, &v, &bad));
	CHECK(bad == text + 7);
	text = "aw-bits=48,";
	CHECK_ERR(EINVAL, emu_variant_parse(text, &v, &bad));
	CHECK(bad == text + 10);
	text = ",thp=on";
	CHECK_ERR(EINVAL, emu_variant_parse(text, &v, &bad));
	CHECK(bad == text);
	CHECK_ERR(EINVAL, emu_variant_parse("thp=on,,thp=off", &v, NULL));
	CHECK_ERR(EINVAL, emu_variant_parse("aw-bits=48x", &v, NULL));
	CHECK_ERR(EINVAL, emu_variant_parse("THP=on", &v, NULL));
}

static void set_rules(void)
{
	struct emu_variant v;
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	emu_variant_default(&v);
	v.vtd_aw_bits = 40;
	CHECK_ERR(EINVAL, emu_variant_set(t.emu, &v));
	v.vtd_aw_bits = 48;
	v.container = (enum emu_container_kind)7;
	CHECK_ERR(EINVAL, emu_variant_set(t.emu, &v));
	v.container = EMU_CONTAINER_IOMMUFD;
	CHECK_OK(emu_variant_set(t.emu, &v));
	emu_variant_get(t.emu, &v);
	CHECK_EQ(v.vtd_aw_bits, 48);
	CHECK_EQ(v.container, EMU_CONTAINER_IOMMUFD);
	/* Once a file is open the machine is what it is. */
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_ERR(EBUSY, emu_variant_set(t.emu, &v));
	CHECK_OK(t_close(&t, fd));
	CHECK_OK(emu_variant_set(t.emu, &v));
	CHECK_EQ(t_add_dev(&t, "e1000e", "0000:00:03.0", EMU_SYSFS_OK), 0);
	CHECK_ERR(EBUSY, emu_variant_set(t.emu, &v));
	emu_t_teardown(&t);
}

static int hw_info_raw(struct conf *c, struct iommu_hw_info_vtd *vtd,
		       uint64_t *caps)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = c->devid,
		.data_len = sizeof(*vtd),
		.data_uptr = (uintptr_t)vtd,
	};
	int rc = t_ioctl(&c->t, c->iommufd, IOMMU_GET_HW_INFO, &cmd);

	*caps = cmd.out_capabilities;
	return rc;
}

/* A conf rig on a machine of @variant (emu_variant_parse text). */
static void setup_variant(struct conf *c, const char *profile,
			  const char *variant)
{
	struct emu_variant v;

	memset(c, 0, sizeof(*c));
	emu_t_setup(&c->t);
	CHECK_OK(emu_variant_parse(variant, &v, NULL));
	CHECK_OK(emu_variant_set(c->t.emu, &v));
	CHECK_EQ(t_add_dev(&c->t, profile, "0000:00:03.0", EMU_SYSFS_OK), 0);
	c->iommufd = CHECK_OK(t_open(&c->t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&c->t, c->iommufd, &c->ioas));
	c->devfd = CHECK_OK(t_open_dev(&c->t, 0));
	CHECK_OK(bind_raw(&c->t, c->devfd, c->iommufd, &c->devid));
}

/* The registers, and the aperture an attached IOAS shows. */
static void check_vtd(const char *variant, uint64_t cap, uint64_t top)
{
	struct iommu_iova_range r[2];
	struct iommu_hw_info_vtd vtd;
	uint64_t caps, align;
	uint32_t n;
	struct conf c;

	setup_variant(&c, "e1000e", variant);
	CHECK_OK(hw_info_raw(&c, &vtd, &caps));
	CHECK_EQ(vtd.cap_reg, cap);
	CHECK_EQ(vtd.ecap_reg, ECAP_QEMU);
	CHECK_EQ(vtd.flags, IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17);
	CHECK_EQ(caps, 0);
	CHECK_OK(attach_raw(&c.t, c.devfd, c.ioas, NULL));
	CHECK_OK(iova_ranges_raw(&c.t, c.iommufd, c.ioas, r, 2, &n, &align));
	CHECK_EQ(n, 2);
	CHECK_EQ(r[0].last, MSI_START - 1);
	CHECK_EQ(r[1].last, top);
	/* The first IOVA past the aperture is reserved. */
	CHECK_ERR(EINVAL, map_fixed_raw(&c.t, c.iommufd, c.ioas, top + 1, PG,
					t_va(&c.t, 0)));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, c.ioas, top + 1 - PG, PG,
			       t_va(&c.t, 0)));
	conf_teardown(&c);
}

static void vtd_aw39(void)
{
	check_vtd("", CAP_AW39, (1ULL << 39) - 1);
	check_vtd("aw-bits=39", CAP_AW39, (1ULL << 39) - 1);
}

static void vtd_aw48(void)
{
	check_vtd("aw-bits=48", CAP_AW48, (1ULL << 48) - 1);
}

/* What the driver makes of ecap: no nesting parent, no dirty tracking. */
static void vtd_capabilities(void)
{
	struct iommu_hw_info_vtd vtd;
	uint64_t caps;
	struct conf c;

	setup_variant(&c, "e1000e", "aw-bits=48");
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd,
					     IOMMU_HWPT_ALLOC_NEST_PARENT,
					     c.devid, c.ioas, NULL));
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd,
					     IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					     c.devid, c.ioas, NULL));
	conf_teardown(&c);

	/* The dirty profile's IOMMU has scalable mode with A/D bits. */
	setup_variant(&c, "dirty", "");
	CHECK_OK(hw_info_raw(&c, &vtd, &caps));
	CHECK_EQ(vtd.ecap_reg, ECAP_QEMU | ECAP_DIRTY_BITS);
	CHECK_EQ(vtd.cap_reg, CAP_AW39);
	CHECK_EQ(caps, IOMMU_HW_CAP_DIRTY_TRACKING);
	CHECK_OK(hwpt_alloc_raw(&c.t, c.iommufd,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, c.devid,
				c.ioas, NULL));
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd,
					     IOMMU_HWPT_ALLOC_NEST_PARENT,
					     c.devid, c.ioas, NULL));
	conf_teardown(&c);

	/* small-aperture: MGAW says 32 bits, SAGAW stays QEMU's. */
	setup_variant(&c, "small-aperture", "aw-bits=48");
	CHECK_OK(hw_info_raw(&c, &vtd, &caps));
	CHECK_EQ((vtd.cap_reg >> 16) & 0x3f, 31);
	CHECK_EQ((vtd.cap_reg >> 8) & 0x1f, 0x6);
	conf_teardown(&c);
}

/* VFIO compat: the domain's page sizes, and no cache coherency (no SC). */
static void vtd_compat_view(void)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	struct iommu_vfio_ioas vi = {
		.size = sizeof(vi), .op = IOMMU_VFIO_IOAS_SET,
	};
	struct conf c;

	setup_variant(&c, "e1000e", "");
	vi.ioas_id = c.ioas;
	CHECK_OK(t_ioctl(&c.t, c.iommufd, IOMMU_VFIO_IOAS, &vi));
	CHECK_EQ(t_ioctl(&c.t, c.iommufd, VFIO_CHECK_EXTENSION,
			 (void *)VFIO_DMA_CC_IOMMU), 1);
	CHECK_OK(t_ioctl(&c.t, c.iommufd, VFIO_IOMMU_GET_INFO, &info));
	CHECK_EQ(info.iova_pgsizes, ~(PG - 1));
	CHECK_OK(attach_raw(&c.t, c.devfd, c.ioas, NULL));
	CHECK_EQ(t_ioctl(&c.t, c.iommufd, VFIO_CHECK_EXTENSION,
			 (void *)VFIO_DMA_CC_IOMMU), 0);
	/*
	 * GET_INFO left argsz at the size with its capabilities, as 6.12
	 * does: asking again with that would have them written past @info.
	 */
	CHECK(info.argsz > sizeof(info));
	info.argsz = sizeof(info);
	CHECK_OK(t_ioctl(&c.t, c.iommufd, VFIO_IOMMU_GET_INFO, &info));
	CHECK_EQ(info.iova_pgsizes, PG | (2ULL << 20) | (1ULL << 30));
	conf_teardown(&c);
}

/* Automatic IOVA alignment is capped at the huge page size or 4 KiB. */
static void thp_alignment(void)
{
	struct emu_variant v;
	uint64_t iova;
	struct emu_t t;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(map_auto_raw(&t, fd, ioas, 4ULL << 20, t_va(&t, 0), &iova));
	CHECK_EQ(iova, 2ULL << 20);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);

	emu_t_setup(&t);
	CHECK_OK(emu_variant_parse("thp=off", &v, NULL));
	CHECK_OK(emu_variant_set(t.emu, &v));
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(map_auto_raw(&t, fd, ioas, 4ULL << 20, t_va(&t, 0), &iova));
	CHECK_EQ(iova, PG);
	CHECK_OK(map_auto_raw(&t, fd, ioas, 3 * PG, t_va(&t, 0), &iova));
	CHECK_EQ(iova, PG + (4ULL << 20));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/*
 * An IOMMU other than VT-d has its profile's aperture. A domain is shared
 * across IOMMU units only when its aperture lies within the device's at
 * both ends.
 */
static void aperture_both_ends(void)
{
	struct emu_profile low = *emu_profile_find("e1000e"), high;
	uint32_t ioas, dev_low, dev_high, hwpt_low, hwpt_high;
	char path[128];
	struct emu_t t;
	int fd, cdev_low, cdev_high;

	low.hw_info_type = IOMMU_HW_INFO_TYPE_NONE;
	low.aperture_start = 0;
	low.aperture_last = (1ULL << 32) - 1;
	high = low;
	high.aperture_start = 0x100000;
	high.iommu_unit = low.iommu_unit + 1;
	emu_t_setup(&t);
	CHECK_EQ(emu_device_add(t.emu, &low, "0000:00:03.0", EMU_SYSFS_OK,
				path, sizeof(path)), 0);
	CHECK_EQ(emu_device_add(t.emu, &high, "0000:00:04.0", EMU_SYSFS_OK,
				path, sizeof(path)), 1);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	cdev_low = CHECK_OK(t_open_dev(&t, 0));
	cdev_high = CHECK_OK(t_open_dev(&t, 1));
	CHECK_OK(bind_raw(&t, cdev_low, fd, &dev_low));
	CHECK_OK(bind_raw(&t, cdev_high, fd, &dev_high));
	CHECK_OK(hwpt_alloc_raw(&t, fd, 0, dev_low, ioas, &hwpt_low));
	CHECK_OK(hwpt_alloc_raw(&t, fd, 0, dev_high, ioas, &hwpt_high));
	/* [1 MiB, 4 GiB) lies within [0, 4 GiB); the other way it does not. */
	CHECK_OK(attach_raw(&t, cdev_low, hwpt_high, NULL));
	CHECK_ERR(EINVAL, attach_raw(&t, cdev_high, hwpt_low, NULL));
	CHECK_OK(attach_raw(&t, cdev_high, hwpt_high, NULL));
	CHECK_OK(t_close(&t, cdev_high));
	CHECK_OK(t_close(&t, cdev_low));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static const struct check_test tests[] = {
	TEST(parse),
	TEST(set_rules),
	TEST(vtd_aw39),
	TEST(vtd_aw48),
	TEST(vtd_capabilities),
	TEST(vtd_compat_view),
	TEST(aperture_both_ends),
	TEST(thp_alignment),
};

CHECK_MAIN(tests)
