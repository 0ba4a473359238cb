// SPDX-License-Identifier: MIT
/*
 * The VFIO type-1 container API on an iommufd fd (spec 2.16) where the
 * kernel's selftests (vfio_compat_mock_domain) showed the model wrong:
 * UNMAP_DMA of a range with nothing mapped succeeds with size 0; in TYPE1
 * mode part of a mapping can be unmapped (the ends are cut first); and
 * GET_INFO's capability chain is DMA_AVAIL then IOVA_RANGE, each written
 * only if it fits, with CAPS always set and nothing written past argsz.
 */
#include "emu_test.h"

static int compat_map(struct emu_t *t, int fd, uint64_t iova, uint64_t size,
		      uint64_t va)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = va, .iova = iova, .size = size,
	};

	return t_ioctl(t, fd, VFIO_IOMMU_MAP_DMA, &map);
}

static int compat_unmap(struct emu_t *t, int fd, uint64_t iova, uint64_t size,
			uint64_t *out)
{
	struct vfio_iommu_type1_dma_unmap un = {
		.argsz = sizeof(un), .iova = iova, .size = size,
	};
	int rc = t_ioctl(t, fd, VFIO_IOMMU_UNMAP_DMA, &un);

	*out = un.size;
	return rc;
}

/* A context with a compat IOAS in mode @type; returns its fd. */
static int compat_setup(struct emu_t *t, unsigned long type, uint32_t *ioas)
{
	struct iommu_vfio_ioas vi = { .size = sizeof(vi),
				      .op = IOMMU_VFIO_IOAS_SET };
	int fd = CHECK_OK(t_open(t, "/dev/iommu"));

	CHECK_OK(ioas_alloc_raw(t, fd, ioas));
	vi.ioas_id = *ioas;
	CHECK_OK(t_ioctl(t, fd, IOMMU_VFIO_IOAS, &vi));
	CHECK_OK(t_ioctl(t, fd, VFIO_SET_IOMMU, (void *)type));
	return fd;
}

static void compat_unmap_empty_and_cuts(void)
{
	uint64_t size;
	struct emu_t t;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = compat_setup(&t, VFIO_TYPE1_IOMMU, &ioas);
	CHECK_OK(compat_map(&t, fd, 0x100000, 4 * PG, t_va(&t, 0)));
	/* TYPE1: the middle of a mapping goes, its ends stay. */
	CHECK_OK(compat_unmap(&t, fd, 0x101000, 2 * PG, &size));
	CHECK_EQ(size, 2 * PG);
	CHECK_OK(compat_unmap(&t, fd, 0x101000, 2 * PG, &size));
	CHECK_EQ(size, 0);
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x101000, 2 * PG, NULL));
	CHECK_OK(unmap_raw(&t, fd, ioas, 0x103000, PG, &size));
	CHECK_EQ(size, PG);
	CHECK_OK(unmap_raw(&t, fd, ioas, 0x100000, PG, &size));
	CHECK_EQ(size, PG);
	CHECK_OK(t_close(&t, fd));

	/* TYPE1v2 keeps huge pages: a cut is refused as for IOAS_UNMAP. */
	fd = compat_setup(&t, VFIO_TYPE1v2_IOMMU, &ioas);
	CHECK_OK(compat_map(&t, fd, 0x100000, 4 * PG, t_va(&t, 0)));
	CHECK_ERR(ENOENT, compat_unmap(&t, fd, 0x101000, 2 * PG, &size));
	CHECK_EQ(size, 0);
	CHECK_OK(compat_unmap(&t, fd, 0x100000, 4 * PG, &size));
	CHECK_EQ(size, 4 * PG);
	CHECK_OK(compat_unmap(&t, fd, 0x100000, 4 * PG, &size));
	CHECK_EQ(size, 0);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void compat_get_info_chain(void)
{
	union {
		struct vfio_iommu_type1_info info;
		uint8_t bytes[256];
	} u;
	const struct vfio_iommu_type1_info_dma_avail *avail;
	const struct vfio_iommu_type1_info_cap_iova_range *iova;
	struct emu_t t;
	uint32_t ioas, total, argsz;
	int fd;

	emu_t_setup(&t);
	fd = compat_setup(&t, VFIO_TYPE1v2_IOMMU, &ioas);
	/* A fresh IOAS: one range, so 24 + 16 (DMA_AVAIL) + 32 bytes. */
	memset(&u, 0xaa, sizeof(u));
	u.info.argsz = sizeof(u.info);
	CHECK_OK(t_ioctl(&t, fd, VFIO_IOMMU_GET_INFO, &u));
	CHECK_EQ(u.info.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	CHECK_EQ(u.info.cap_offset, 0);
	total = u.info.argsz;
	CHECK_EQ(total, 24 + 16 + 32);
	CHECK_EQ(u.bytes[24], 0xaa);
	/* Room for DMA_AVAIL only: it is written, IOVA_RANGE is not. */
	for (argsz = 24; argsz <= total; argsz++) {
		memset(&u, 0xaa, sizeof(u));
		u.info.argsz = argsz;
		CHECK_OK(t_ioctl(&t, fd, VFIO_IOMMU_GET_INFO, &u));
		CHECK_EQ(u.bytes[argsz], 0xaa);
		CHECK_EQ(u.info.argsz, total);
		avail = (const void *)(u.bytes + 24);
		if (argsz < 24 + sizeof(*avail)) {
			CHECK_EQ(u.bytes[24], 0xaa);
			continue;
		}
		CHECK_EQ(avail->header.id, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
		CHECK_EQ(avail->avail, UINT32_MAX);
		CHECK_EQ(avail->header.next, argsz >= 40 ? 40 : 0);
		CHECK_EQ(u.info.cap_offset, argsz >= total ? 24 : 0);
	}
	iova = (const void *)(u.bytes + 40);
	CHECK_EQ(iova->header.id, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
	CHECK_EQ(iova->header.next, 0);
	CHECK_EQ(iova->nr_iovas, 1);
	CHECK_EQ(iova->iova_ranges[0].start, 0);
	CHECK_EQ(iova->iova_ranges[0].end, UINT64_MAX);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static const struct check_test tests[] = {
	TEST(compat_unmap_empty_and_cuts),
	TEST(compat_get_info_chain),
};

CHECK_MAIN(tests)
