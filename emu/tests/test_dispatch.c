// SPDX-License-Identifier: MIT
/*
 * The iommufd ioctl dispatcher and the object table, through the host
 * table: the kernel's number and size rules (spec 1.3, 1.4) for every 6.12
 * ioctl, the size contract (min-1 EINVAL, extra non-zero byte E2BIG, extra
 * zero byte same as exact) on the modelled handlers, lowest-free-first ids
 * and reserve-then-publish (a failed creation consumes no id), DESTROY.
 */
#include "emu_test.h"

/* Sizes from the spec's table 1.4, typed here on purpose: they check it. */
struct size_row {
	const char *name;
	unsigned long cmd;
	uint32_t min_size;
	uint32_t ksize;
};

static const struct size_row size_rows[] = {
	{ "DESTROY", IOMMU_DESTROY, 8, 8 },
	{ "IOAS_ALLOC", IOMMU_IOAS_ALLOC, 12, 12 },
	{ "IOAS_ALLOW_IOVAS", IOMMU_IOAS_ALLOW_IOVAS, 24, 24 },
	{ "IOAS_COPY", IOMMU_IOAS_COPY, 40, 40 },
	{ "IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES, 32, 32 },
	{ "IOAS_MAP", IOMMU_IOAS_MAP, 40, 40 },
	{ "IOAS_UNMAP", IOMMU_IOAS_UNMAP, 24, 24 },
	{ "OPTION", IOMMU_OPTION, 24, 24 },
	{ "VFIO_IOAS", IOMMU_VFIO_IOAS, 12, 12 },
	{ "HWPT_ALLOC", IOMMU_HWPT_ALLOC, 24, 48 },
	{ "GET_HW_INFO", IOMMU_GET_HW_INFO, 32, 40 },
	{ "HWPT_SET_DIRTY_TRACKING", IOMMU_HWPT_SET_DIRTY_TRACKING, 16, 16 },
	{ "HWPT_GET_DIRTY_BITMAP", IOMMU_HWPT_GET_DIRTY_BITMAP, 48, 48 },
	{ "HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, 32, 32 },
	{ "FAULT_QUEUE_ALLOC", IOMMU_FAULT_QUEUE_ALLOC, 16, 16 },
};

static void dispatch_null_arg(void)
{
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_ERR(EFAULT, t_ioctl(&t, fd, IOMMU_DESTROY, NULL));
	CHECK_ERR(EFAULT, t_ioctl(&t, fd, IOMMU_IOAS_ALLOC, NULL));
	CHECK_ERR(EFAULT, t_ioctl(&t, fd, IOMMU_IOAS_MAP, NULL));
	/* Outside the table the number is refused before the argument. */
	CHECK_ERR(ENOTTY, t_ioctl(&t, fd, _IO(IOMMUFD_TYPE, 0x7f), NULL));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void dispatch_bad_numbers(void)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = 0 };
	uint8_t big[64] = { 0 };
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	big[0] = 64;
	CHECK_ERR(ENOTTY, t_ioctl(&t, fd, _IO(IOMMUFD_TYPE, 0x7f), big));
	CHECK_ERR(ENOTTY, t_ioctl(&t, fd, _IO(IOMMUFD_TYPE, 0x8f), big));
	/* 0x9f: past 6.12's table, or in the gap before IOMMU_TEST_CMD. */
	CHECK_ERR(ENOTTY, t_ioctl(&t, fd, _IO(IOMMUFD_TYPE, 0x9f), big));
	/* Right nr, but direction/size bits or another type: ENOTTY. */
	CHECK_ERR(ENOTTY, t_ioctl(&t, fd, _IOWR(IOMMUFD_TYPE, 0x80,
						 struct iommu_destroy), &d));
	CHECK_ERR(ENOTTY, t_ioctl(&t, fd, _IO('x', 0x80), &d));
	/* VFIO type-1 compat numbers go to the compat shim (spec 2.16). */
	CHECK_EQ(t_ioctl(&t, fd, VFIO_GET_API_VERSION, NULL), 0);
	CHECK_ERR(ENOTTY, t_ioctl(&t, fd, _IO(VFIO_TYPE, VFIO_BASE + 50),
				  big));
	CHECK_ERR(ENOENT, t_ioctl(&t, fd, IOMMU_DESTROY, &d));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* Every 6.12 ioctl: size min-1 EINVAL, one extra non-zero byte E2BIG. */
static void dispatch_size_all(void)
{
	uint8_t buf[128];
	struct emu_t t;
	size_t i;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	for (i = 0; i < sizeof(size_rows) / sizeof(size_rows[0]); i++) {
		const struct size_row *r = &size_rows[i];
		uint32_t size;

		fprintf(stderr, "  %s\n", r->name);
		memset(buf, 0, sizeof(buf));
		size = r->min_size - 1;
		memcpy(buf, &size, sizeof(size));
		CHECK_ERR(EINVAL, t_ioctl(&t, fd, r->cmd, buf));

		memset(buf, 0, sizeof(buf));
		size = r->ksize + 1;
		memcpy(buf, &size, sizeof(size));
		buf[r->ksize] = 0xff;
		CHECK_ERR(E2BIG, t_ioctl(&t, fd, r->cmd, buf));

		/* Far larger, all zero past ksize: not E2BIG, not EINVAL. */
		buf[r->ksize] = 0;
		size = sizeof(buf);
		memcpy(buf, &size, sizeof(size));
		CHECK(t_ioctl(&t, fd, r->cmd, buf) != -E2BIG);
		/* An all-zero FAULT_QUEUE_ALLOC succeeds: close its fd. */
		if (r->cmd == IOMMU_FAULT_QUEUE_ALLOC)
			CHECK_OK(t_close(&t, ((struct iommu_fault_alloc *)
					      buf)->out_fault_fd));
	}
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/*
 * The size contract on the modelled handlers: each case runs in a fresh
 * context prepared the same way, at exact size and at ksize+1 with a zero
 * tail; result and written-back bytes must match, and the tail byte must
 * stay untouched.
 */
struct size_case {
	const char *name;
	unsigned long cmd;
	uint32_t ksize;
	void (*prepare)(struct emu_t *t, int fd);
	void (*fill)(uint8_t *buf);
	int expect;		/* 0 or -errno at exact size */
};

static void prep_none(struct emu_t *t, int fd)
{
}

static void prep_ioas(struct emu_t *t, int fd)
{
	uint32_t id;

	CHECK_OK(ioas_alloc_raw(t, fd, &id));
	CHECK_EQ(id, 1);
}

static void prep_ioas_mapped(struct emu_t *t, int fd)
{
	prep_ioas(t, fd);
	CHECK_OK(map_fixed_raw(t, fd, 1, 0x2000, PG, 0x10000));
}

static void fill_destroy(uint8_t *buf)
{
	struct iommu_destroy c = { .id = 1 };

	memcpy(buf, &c, sizeof(c));
}

static void fill_ioas_alloc(uint8_t *buf)
{
	struct iommu_ioas_alloc c = { .flags = 0 };

	memcpy(buf, &c, sizeof(c));
}

static void fill_map(uint8_t *buf)
{
	struct iommu_ioas_map c = {
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.ioas_id = 1,
		.user_va = 0x10000,
		.length = PG,
		.iova = 0x2000,
	};

	memcpy(buf, &c, sizeof(c));
}

static void fill_unmap(uint8_t *buf)
{
	struct iommu_ioas_unmap c = { .ioas_id = 1, .iova = 0,
				      .length = 0x100000 };

	memcpy(buf, &c, sizeof(c));
}

static void fill_iova_ranges(uint8_t *buf)
{
	struct iommu_ioas_iova_ranges c = { .ioas_id = 1, .num_iovas = 0 };

	memcpy(buf, &c, sizeof(c));
}

static const struct size_case size_cases[] = {
	{ "DESTROY", IOMMU_DESTROY, 8, prep_ioas, fill_destroy, 0 },
	{ "IOAS_ALLOC", IOMMU_IOAS_ALLOC, 12, prep_none, fill_ioas_alloc, 0 },
	{ "IOAS_MAP", IOMMU_IOAS_MAP, 40, prep_ioas, fill_map, 0 },
	{ "IOAS_UNMAP", IOMMU_IOAS_UNMAP, 24, prep_ioas_mapped, fill_unmap,
	  0 },
	{ "IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES, 32, prep_ioas,
	  fill_iova_ranges, -EMSGSIZE },
};

static int size_case_run(struct emu_t *t, const struct size_case *c,
			 uint32_t size, uint8_t *out)
{
	int fd, rc;

	fd = CHECK_OK(t_open(t, "/dev/iommu"));
	c->prepare(t, fd);
	memset(out, 0, 64);
	c->fill(out);
	memcpy(out, &size, sizeof(size));
	rc = t_ioctl(t, fd, c->cmd, out);
	CHECK_OK(t_close(t, fd));
	return rc;
}

static void dispatch_size_contract(void)
{
	uint8_t exact[64], extra[64];
	struct emu_t t;
	size_t i;

	emu_t_setup(&t);
	for (i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
		const struct size_case *c = &size_cases[i];
		uint32_t size;
		uint8_t buf[64];
		int fd;

		fprintf(stderr, "  %s\n", c->name);
		CHECK_EQ(size_case_run(&t, c, c->ksize, exact), c->expect);
		CHECK_EQ(size_case_run(&t, c, c->ksize + 1, extra), c->expect);
		CHECK(memcmp(exact + 4, extra + 4, c->ksize - 4) == 0);
		CHECK_EQ(extra[c->ksize], 0);

		/* min - 1 and a non-zero tail, on the prepared state. */
		fd = CHECK_OK(t_open(&t, "/dev/iommu"));
		c->prepare(&t, fd);
		memset(buf, 0, sizeof(buf));
		c->fill(buf);
		size = c->ksize - 1;
		memcpy(buf, &size, sizeof(size));
		CHECK_ERR(EINVAL, t_ioctl(&t, fd, c->cmd, buf));
		size = c->ksize + 1;
		memcpy(buf, &size, sizeof(size));
		buf[c->ksize] = 0xff;
		CHECK_ERR(E2BIG, t_ioctl(&t, fd, c->cmd, buf));
		CHECK_OK(t_close(&t, fd));
	}
	emu_t_teardown(&t);
}

/* A short-but-valid struct is zero-extended: HWPT_ALLOC min is 24 of 48. */
static void dispatch_short_valid(void)
{
	struct iommu_hwpt_alloc cmd;
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	memset(&cmd, 0xee, sizeof(cmd));
	cmd.size = 24;
	CHECK_ERR(EOPNOTSUPP, t_ioctl(&t, fd, IOMMU_HWPT_ALLOC, &cmd));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void ids_lowest_free_first(void)
{
	struct iommu_ioas_alloc bad = { .size = sizeof(bad), .flags = 1 };
	struct emu_t t;
	uint32_t id;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &id));
	CHECK_EQ(id, 1);
	CHECK_OK(ioas_alloc_raw(&t, fd, &id));
	CHECK_EQ(id, 2);
	CHECK_OK(ioas_alloc_raw(&t, fd, &id));
	CHECK_EQ(id, 3);
	CHECK_OK(destroy_raw(&t, fd, 2));
	CHECK_OK(ioas_alloc_raw(&t, fd, &id));
	CHECK_EQ(id, 2);
	CHECK_OK(ioas_alloc_raw(&t, fd, &id));
	CHECK_EQ(id, 4);
	/* A failed creation consumes no id. */
	CHECK_ERR(EOPNOTSUPP, t_ioctl(&t, fd, IOMMU_IOAS_ALLOC, &bad));
	CHECK_EQ(bad.out_ioas_id, 0);
	CHECK_OK(ioas_alloc_raw(&t, fd, &id));
	CHECK_EQ(id, 5);
	emu_t_expect_counters(&t, 1, 1, 5, 0);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void destroy_rules(void)
{
	struct emu_t t;
	uint32_t id;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_ERR(ENOENT, destroy_raw(&t, fd, 0));
	CHECK_ERR(ENOENT, destroy_raw(&t, fd, 1));
	CHECK_OK(ioas_alloc_raw(&t, fd, &id));
	/* Mappings never block IOAS destroy. */
	CHECK_OK(map_fixed_raw(&t, fd, id, 0, 4 * PG, 0x100000));
	CHECK_OK(destroy_raw(&t, fd, id));
	CHECK_ERR(ENOENT, destroy_raw(&t, fd, id));
	CHECK_ERR(ENOENT, destroy_raw(&t, fd, 0x7fffffff));
	CHECK_ERR(ENOENT, destroy_raw(&t, fd, UINT32_MAX));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* Each open of /dev/iommu is its own context and id namespace. */
static void contexts_independent(void)
{
	struct emu_t t;
	uint32_t id;
	int a, b;

	emu_t_setup(&t);
	a = CHECK_OK(t_open(&t, "/dev/iommu"));
	b = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, a, &id));
	CHECK_EQ(id, 1);
	CHECK_OK(ioas_alloc_raw(&t, b, &id));
	CHECK_EQ(id, 1);
	CHECK_OK(destroy_raw(&t, a, 1));
	CHECK_ERR(ENOENT, destroy_raw(&t, a, 1));
	emu_t_expect_counters(&t, 2, 2, 1, 0);
	/* Closing with objects left releases them. */
	CHECK_OK(t_close(&t, b));
	CHECK_OK(t_close(&t, a));
	emu_t_teardown(&t);
}

static const struct check_test tests[] = {
	TEST(dispatch_null_arg),
	TEST(dispatch_bad_numbers),
	TEST(dispatch_size_all),
	TEST(dispatch_size_contract),
	TEST(dispatch_short_valid),
	TEST(ids_lowest_free_first),
	TEST(destroy_rules),
	TEST(contexts_independent),
};

CHECK_MAIN(tests)
