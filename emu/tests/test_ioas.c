// SPDX-License-Identifier: MIT
/*
 * IOAS MAP / UNMAP / IOVA_RANGES without devices, through the host table:
 * the validation order of spec 2.5, FIXED overlap (EEXIST), automatic IOVA
 * (4.4), the unmap rules of 2.7 and section 9 (whole areas only, holes
 * allowed, not atomic, length written back), and the EMSGSIZE protocol.
 */
#include "emu_test.h"

struct area_log {
	unsigned int n;
	uint64_t iova[16];
	uint64_t length[16];
};

static int area_log_cb(void *arg, uint64_t iova, uint64_t length,
		       uint64_t user_va, bool writeable)
{
	struct area_log *log = arg;

	if (log->n < 16) {
		log->iova[log->n] = iova;
		log->length[log->n] = length;
	}
	log->n++;
	return 0;
}

static void areas_of(struct emu_t *t, int fd, uint32_t ioas,
		     struct area_log *log)
{
	memset(log, 0, sizeof(*log));
	CHECK_OK(emu_ioas_for_each_area(t->emu, fd, ioas, area_log_cb, log));
}

/* A valid FIXED map; each check below breaks one field of it. */
static struct iommu_ioas_map map_base(uint32_t ioas)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.ioas_id = ioas,
		.user_va = 0x100000,
		.length = PG,
		.iova = 0x10000,
	};

	return cmd;
}

static void map_validation_order(void)
{
	struct iommu_ioas_map cmd;
	struct emu_t t;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));

	cmd = map_base(ioas);
	cmd.flags |= 1u << 5;
	CHECK_ERR(EOPNOTSUPP, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	cmd = map_base(ioas);
	cmd.__reserved = 1;
	CHECK_ERR(EOPNOTSUPP, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	/* EOVERFLOW on iova comes before the unknown IOAS, even w/o FIXED. */
	cmd = map_base(ioas);
	cmd.iova = UINT64_MAX;
	cmd.flags &= ~IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.ioas_id = 99;
	CHECK_ERR(EOVERFLOW, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	cmd = map_base(ioas);
	cmd.length = UINT64_MAX;
	CHECK_ERR(EOVERFLOW, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	cmd = map_base(ioas);
	cmd.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
	cmd.ioas_id = 99;
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	cmd = map_base(ioas);
	cmd.ioas_id = 99;
	CHECK_ERR(ENOENT, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	cmd = map_base(ioas);
	cmd.length = 0;
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	cmd = map_base(ioas);
	cmd.user_va = UINT64_MAX - 10;
	CHECK_ERR(EOVERFLOW, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	cmd = map_base(ioas);
	cmd.iova = UINT64_MAX - 10;
	CHECK_ERR(EOVERFLOW, t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	/* Without a domain alignment is 1: odd values are fine. */
	cmd = map_base(ioas);
	cmd.iova = 0x10001;
	cmd.length = 3;
	cmd.user_va = 0x7;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_IOAS_MAP, &cmd));
	CHECK_EQ(cmd.iova, 0x10001);
	/* NULL user_va is fine with no domain: memory is not touched. */
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0, PG, 0));
	emu_t_expect_counters(&t, 1, 1, 1, 0);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void map_fixed_eexist(void)
{
	struct emu_t t;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x10000, 4 * PG, 0x100000));
	/* Same, inside, straddling start, straddling end, covering. */
	CHECK_ERR(EEXIST, map_fixed_raw(&t, fd, ioas, 0x10000, 4 * PG, 0));
	CHECK_ERR(EEXIST, map_fixed_raw(&t, fd, ioas, 0x11000, PG, 0));
	CHECK_ERR(EEXIST, map_fixed_raw(&t, fd, ioas, 0xf000, 2 * PG, 0));
	CHECK_ERR(EEXIST, map_fixed_raw(&t, fd, ioas, 0x13000, 2 * PG, 0));
	CHECK_ERR(EEXIST, map_fixed_raw(&t, fd, ioas, 0x8000, 16 * PG, 0));
	/* Adjacent on both sides is fine. */
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0xf000, PG, 0));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x14000, PG, 0));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void map_auto_iova(void)
{
	struct emu_t t;
	uint64_t iova;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	/* Page 0 is never chosen: the first 1-page map lands at 0x1000. */
	CHECK_OK(map_auto_raw(&t, fd, ioas, PG, 0x7f0000000000ULL, &iova));
	CHECK_EQ(iova, 0x1000);
	CHECK_OK(map_auto_raw(&t, fd, ioas, PG, 0x7f0000000000ULL, &iova));
	CHECK_EQ(iova, 0x2000);
	/* 3 pages of a 2 MiB-aligned buffer align to 16 KiB. */
	CHECK_OK(map_auto_raw(&t, fd, ioas, 3 * PG, 0x200000, &iova));
	CHECK_EQ(iova, 0x4000);
	/* The page offset of the user VA is kept. */
	CHECK_OK(map_auto_raw(&t, fd, ioas, 0x100, 0x123456, &iova));
	CHECK_EQ(iova % PG, 0x456);
	/* Huge lengths: alignment capped at 2 MiB, length >= 2^63 refused. */
	CHECK_OK(map_auto_raw(&t, fd, ioas, 1ULL << 32, 0, &iova));
	CHECK_EQ(iova, 0x200000);
	CHECK_ERR(EOVERFLOW, map_auto_raw(&t, fd, ioas, UINT64_MAX / 2, 0,
					  NULL));
	CHECK_OK(t_close(&t, fd));

	/* Everything mapped but the last page, never chosen: ENOSPC. */
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0, 1ULL << 63, 0));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 1ULL << 63, (1ULL << 63) - PG,
			       0));
	CHECK_ERR(ENOSPC, map_auto_raw(&t, fd, ioas, PG, 0, NULL));
	CHECK_ERR(ENOSPC, map_auto_raw(&t, fd, ioas, 1, 0, NULL));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void unmap_whole_areas_only(void)
{
	struct area_log log;
	struct emu_t t;
	uint64_t len;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x10000, PG, NULL));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x10000, 2 * PG, 0x100000));
	/* Half an area, the area minus a page, one byte short: ENOENT. */
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x10000, PG, NULL));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x11000, PG, NULL));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x10000, 2 * PG - 1, NULL));
	CHECK_ERR(EINVAL, unmap_raw(&t, fd, ioas, 0x10000, 0, NULL));
	CHECK_ERR(EOVERFLOW, unmap_raw(&t, fd, ioas, PG, UINT64_MAX, NULL));
	CHECK_ERR(EOVERFLOW, unmap_raw(&t, fd, ioas, UINT64_MAX, 1, NULL));
	CHECK_ERR(EOVERFLOW, unmap_raw(&t, fd, ioas, UINT64_MAX - 1, 3,
				       NULL));
	/* The IOAS is looked up before any range check. */
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, 99, 0, 0, NULL));
	areas_of(&t, fd, ioas, &log);
	CHECK_EQ(log.n, 1);
	/* A superset, unaligned, is fine; length = bytes really unmapped. */
	CHECK_OK(unmap_raw(&t, fd, ioas, 0xffff, 2 * PG + 7, &len));
	CHECK_EQ(len, 2 * PG);
	areas_of(&t, fd, ioas, &log);
	CHECK_EQ(log.n, 0);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* Selftest unmap_fully_contained_areas: 4 areas of 8 pages every 16. */
static void unmap_with_holes(void)
{
	struct emu_t t;
	uint64_t len;
	uint32_t ioas;
	unsigned int i;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	for (i = 0; i < 4; i++)
		CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x100000 + i * 16 * PG,
				       8 * PG, 0x400000));
	/* Clipping the first area, clipping the last one. */
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x100000 + PG,
				    63 * PG, NULL));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x100000 + 52 * PG,
				    16 * PG, NULL));
	CHECK_OK(unmap_raw(&t, fd, ioas, 0x100000, 64 * PG, &len));
	CHECK_EQ(len, 32 * PG);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* Areas before the offending one stay removed (spec 2.7, not atomic). */
static void unmap_not_atomic(void)
{
	struct area_log log;
	struct emu_t t;
	uint64_t len = 0x1234;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x10000, PG, 0x100000));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x20000, 2 * PG, 0x100000));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x10000, 0x11000, &len));
	CHECK_EQ(len, 0x11000);		/* not written back on failure */
	areas_of(&t, fd, ioas, &log);
	CHECK_EQ(log.n, 1);
	CHECK_EQ(log.iova[0], 0x20000);
	CHECK_EQ(log.length[0], 2 * PG);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void unmap_all(void)
{
	struct emu_t t;
	uint64_t len;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(unmap_raw(&t, fd, ioas, 0, UINT64_MAX, &len));
	CHECK_EQ(len, 0);
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0, PG, 0x100000));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x7000000, 3 * PG, 0x100000));
	CHECK_OK(unmap_raw(&t, fd, ioas, 0, UINT64_MAX, &len));
	CHECK_EQ(len, 4 * PG);
	CHECK_OK(unmap_raw(&t, fd, ioas, 0, UINT64_MAX, &len));
	CHECK_EQ(len, 0);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void iova_ranges_fresh(void)
{
	struct iommu_iova_range r[2];
	struct iommu_ioas_iova_ranges cmd;
	struct emu_t t;
	uint64_t align;
	uint32_t ioas, total;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	memset(r, 0xab, sizeof(r));
	CHECK_OK(iova_ranges_raw(&t, fd, ioas, r, 2, &total, &align));
	CHECK_EQ(total, 1);
	CHECK_EQ(align, 1);
	CHECK_EQ(r[0].start, 0);
	CHECK_EQ(r[0].last, UINT64_MAX);
	CHECK_EQ(r[1].start, 0xababababababababULL);
	/* EMSGSIZE: count written back, array untouched. */
	memset(r, 0xab, sizeof(r));
	CHECK_ERR(EMSGSIZE, iova_ranges_raw(&t, fd, ioas, r, 0, &total,
					    &align));
	CHECK_EQ(total, 1);
	CHECK_EQ(align, 1);
	CHECK_EQ(r[0].start, 0xababababababababULL);
	/* Mappings do not show up as holes. */
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x10000, PG, 0x100000));
	CHECK_OK(iova_ranges_raw(&t, fd, ioas, r, 1, &total, NULL));
	CHECK_EQ(total, 1);
	CHECK_ERR(ENOENT, iova_ranges_raw(&t, fd, 99, r, 1, NULL, NULL));
	cmd = (struct iommu_ioas_iova_ranges){ .size = sizeof(cmd),
					       .ioas_id = ioas,
					       .__reserved = 1 };
	CHECK_ERR(EOPNOTSUPP, t_ioctl(&t, fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void view_errors(void)
{
	struct area_log log;
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_ERR(ENOENT, emu_ioas_for_each_area(t.emu, fd, 1, area_log_cb,
						 &log));
	CHECK_ERR(EBADF, emu_ioas_for_each_area(t.emu, fd + 1, 1, area_log_cb,
						&log));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static const struct check_test tests[] = {
	TEST(map_validation_order),
	TEST(map_fixed_eexist),
	TEST(map_auto_iova),
	TEST(unmap_whole_areas_only),
	TEST(unmap_with_holes),
	TEST(unmap_not_atomic),
	TEST(unmap_all),
	TEST(iova_ranges_fresh),
	TEST(view_errors),
};

CHECK_MAIN(tests)
