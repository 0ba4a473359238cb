// SPDX-License-Identifier: MIT
/*
 * Conformance of the /dev/iommu uAPI (label "conformance"): the size
 * contract of every 6.12 ioctl on a state where the call succeeds (or
 * fails in a known way), the spec 6.2 checklist items that need no mock
 * ioctl (cmd_fail, cmd_ex_fail, global_options, ioas_option_huge_pages,
 * area_allowed, copy_area, iova_ranges, ioas_align_change, the compat
 * ioctls), and the unmap, copy and automatic-IOVA rules of spec 4.
 */
#include "conf.h"

/*
 * The size contract (spec 6.2 #3): each case runs on a fresh rig (a
 * "dirty" device bound and attached through manual HWPT 3, one page
 * mapped at IOVA 0x10000) at the exact size and at ksize + 1 with a zero
 * tail: same result, same bytes written back, tail untouched; then min - 1
 * is EINVAL and a non-zero tail byte E2BIG.
 */
struct size_case {
	const char *name;
	unsigned long cmd;
	uint32_t min_size;
	uint32_t ksize;
	void (*fill)(struct conf *c, uint8_t *buf);
	int expect;
};

static uint64_t size_bitmap[4];

static void fill_destroy(struct conf *c, uint8_t *buf)
{
	struct iommu_destroy x = { .id = 4 };
	uint32_t id;

	CHECK_OK(ioas_alloc_raw(&c->t, c->iommufd, &id));
	CHECK_EQ(id, 4);
	memcpy(buf, &x, sizeof(x));
}

static void fill_ioas_alloc(struct conf *c, uint8_t *buf)
{
}

static void fill_allow(struct conf *c, uint8_t *buf)
{
	struct iommu_ioas_allow_iovas x = { .ioas_id = 1 };

	memcpy(buf, &x, sizeof(x));
}

static void fill_copy(struct conf *c, uint8_t *buf)
{
	struct iommu_ioas_copy x = {
		.flags = IOMMU_IOAS_MAP_READABLE,
		.dst_ioas_id = 1,
		.src_ioas_id = 1,
		.length = PG,
		.src_iova = 0x10000,
	};

	memcpy(buf, &x, sizeof(x));
}

static void fill_ranges(struct conf *c, uint8_t *buf)
{
	struct iommu_ioas_iova_ranges x = { .ioas_id = 1 };

	memcpy(buf, &x, sizeof(x));
}

static void fill_map(struct conf *c, uint8_t *buf)
{
	struct iommu_ioas_map x = {
		.flags = IOMMU_IOAS_MAP_READABLE,
		.ioas_id = 1,
		.user_va = t_va(&c->t, 0x200000),
		.length = PG,
	};

	memcpy(buf, &x, sizeof(x));
}

static void fill_unmap(struct conf *c, uint8_t *buf)
{
	struct iommu_ioas_unmap x = { .ioas_id = 1, .iova = 0x10000,
				      .length = PG };

	memcpy(buf, &x, sizeof(x));
}

static void fill_option(struct conf *c, uint8_t *buf)
{
	struct iommu_option x = { .option_id = IOMMU_OPTION_HUGE_PAGES,
				  .op = IOMMU_OPTION_OP_GET, .object_id = 1 };

	memcpy(buf, &x, sizeof(x));
}

static void fill_vfio_ioas(struct conf *c, uint8_t *buf)
{
	struct iommu_vfio_ioas x = { .op = IOMMU_VFIO_IOAS_GET };

	memcpy(buf, &x, sizeof(x));
}

static void fill_hwpt_alloc(struct conf *c, uint8_t *buf)
{
	struct iommu_hwpt_alloc x = { .dev_id = 2, .pt_id = 1 };

	memcpy(buf, &x, sizeof(x));
}

static void fill_hw_info(struct conf *c, uint8_t *buf)
{
	struct iommu_hw_info x = { .dev_id = 2 };

	memcpy(buf, &x, sizeof(x));
}

static void fill_set_dirty(struct conf *c, uint8_t *buf)
{
	struct iommu_hwpt_set_dirty_tracking x = {
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE, .hwpt_id = 3 };

	memcpy(buf, &x, sizeof(x));
}

static void fill_get_dirty(struct conf *c, uint8_t *buf)
{
	struct iommu_hwpt_get_dirty_bitmap x = {
		.hwpt_id = 3, .iova = 0x10000, .length = PG, .page_size = PG,
		.data = (uintptr_t)size_bitmap };

	memcpy(buf, &x, sizeof(x));
}

static void fill_invalidate(struct conf *c, uint8_t *buf)
{
	struct iommu_hwpt_invalidate x = { .hwpt_id = 3, .entry_num = 0 };

	memcpy(buf, &x, sizeof(x));
}

static void fill_fault(struct conf *c, uint8_t *buf)
{
}

static const struct size_case size_cases[] = {
	{ "DESTROY", IOMMU_DESTROY, 8, 8, fill_destroy, 0 },
	{ "IOAS_ALLOC", IOMMU_IOAS_ALLOC, 12, 12, fill_ioas_alloc, 0 },
	{ "IOAS_ALLOW_IOVAS", IOMMU_IOAS_ALLOW_IOVAS, 24, 24, fill_allow, 0 },
	{ "IOAS_COPY", IOMMU_IOAS_COPY, 40, 40, fill_copy, 0 },
	{ "IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES, 32, 32, fill_ranges,
	  -EMSGSIZE },
	{ "IOAS_MAP", IOMMU_IOAS_MAP, 40, 40, fill_map, 0 },
	{ "IOAS_UNMAP", IOMMU_IOAS_UNMAP, 24, 24, fill_unmap, 0 },
	{ "OPTION", IOMMU_OPTION, 24, 24, fill_option, 0 },
	{ "VFIO_IOAS", IOMMU_VFIO_IOAS, 12, 12, fill_vfio_ioas, -ENODEV },
	{ "HWPT_ALLOC", IOMMU_HWPT_ALLOC, 24, 48, fill_hwpt_alloc, 0 },
	{ "GET_HW_INFO", IOMMU_GET_HW_INFO, 32, 40, fill_hw_info, 0 },
	{ "HWPT_SET_DIRTY_TRACKING", IOMMU_HWPT_SET_DIRTY_TRACKING, 16, 16,
	  fill_set_dirty, 0 },
	{ "HWPT_GET_DIRTY_BITMAP", IOMMU_HWPT_GET_DIRTY_BITMAP, 48, 48,
	  fill_get_dirty, 0 },
	{ "HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, 32, 32, fill_invalidate,
	  -ENOENT },
	{ "FAULT_QUEUE_ALLOC", IOMMU_FAULT_QUEUE_ALLOC, 16, 16, fill_fault,
	  0 },
};

/* One run on a fresh rig; the rig is dropped whole (emu_destroy). */
static int size_case_run(const struct size_case *k, uint32_t size,
			 uint8_t tail, uint8_t *buf)
{
	struct conf c;
	int rc;

	conf_setup_hwpt(&c, "dirty", IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x10000, PG,
			       t_va(&c.t, 0)));
	memset(buf, 0, 64);
	k->fill(&c, buf);
	memcpy(buf, &size, sizeof(size));
	if (size > k->ksize)
		buf[k->ksize] = tail;
	rc = t_ioctl(&c.t, c.iommufd, k->cmd, buf);
	emu_destroy(c.t.emu);
	munmap(c.t.map, T_MEM_SIZE + (2ULL << 20));
	return rc;
}

static void size_contract_every_ioctl(void)
{
	uint8_t exact[64], extra[64], buf[64];
	size_t i;

	for (i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++) {
		const struct size_case *k = &size_cases[i];

		fprintf(stderr, "  %s\n", k->name);
		CHECK_EQ(size_case_run(k, k->ksize, 0, exact), k->expect);
		CHECK_EQ(size_case_run(k, k->ksize + 1, 0, extra), k->expect);
		CHECK(memcmp(exact + 4, extra + 4, k->ksize - 4) == 0);
		CHECK_EQ(extra[k->ksize], 0);
		CHECK_ERR(EINVAL, size_case_run(k, k->min_size - 1, 0, buf));
		CHECK_ERR(E2BIG, size_case_run(k, k->ksize + 1, 0xff, buf));
	}
}

/* 6.2 #2 and #4, plus EFAULT for a struct that is not readable. */
static void cmd_fail_and_ex_fail(void)
{
	struct { struct iommu_destroy d; uint8_t tail[8]; } big;
	struct emu_t t;
	uint8_t *page;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_ERR(ENOENT, destroy_raw(&t, fd, 0));
	CHECK_ERR(EFAULT, t_ioctl(&t, fd, IOMMU_DESTROY, NULL));
	CHECK_ERR(ENOTTY, t_ioctl(&t, fd, _IO(IOMMUFD_TYPE, 0x7f), &big));
	memset(&big, 0, sizeof(big));
	big.d.size = 16;
	CHECK_ERR(ENOENT, t_ioctl(&t, fd, IOMMU_DESTROY, &big));
	big.tail[7] = 1;
	CHECK_ERR(E2BIG, t_ioctl(&t, fd, IOMMU_DESTROY, &big));
	big.d.size = 8;
	CHECK_ERR(ENOENT, t_ioctl(&t, fd, IOMMU_DESTROY, &big));
	big.d.size = 7;
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, IOMMU_DESTROY, &big));
	/* A struct that runs off the end of a mapped page (section 9). */
	page = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	CHECK_OK(munmap(page + PG, PG));
	memset(page, 0, PG);
	*(uint32_t *)(page + PG - 4) = 12;
	CHECK_ERR(EFAULT, t_ioctl(&t, fd, IOMMU_IOAS_ALLOC, page + PG - 4));
	munmap(page, PG);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* 6.2 #5 and section 9's RLIMIT_MODE rows. */
static void global_options(void)
{
	struct emu_creds cr;
	struct emu_t t;
	uint64_t v = 0;
	uint32_t id;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	v = 99;
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
			    IOMMU_OPTION_OP_GET, 0, &v));
	CHECK_EQ(v, 0);
	v = 1;
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
			    IOMMU_OPTION_OP_SET, 0, &v));
	v = 2;
	CHECK_ERR(EINVAL, option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
				     IOMMU_OPTION_OP_SET, 0, &v));
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
			    IOMMU_OPTION_OP_GET, 0, &v));
	CHECK_EQ(v, 1);
	v = 0;
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
			    IOMMU_OPTION_OP_SET, 0, &v));
	CHECK_ERR(EOPNOTSUPP, option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
					 IOMMU_OPTION_OP_GET, 1, &v));
	CHECK_ERR(EOPNOTSUPP, option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
					 7, 0, &v));
	CHECK_ERR(ENOENT, option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_GET, 0, &v));
	CHECK_ERR(ENOENT, option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_SET, 0, &v));
	CHECK_ERR(EOPNOTSUPP, option_raw(&t, fd, 9, IOMMU_OPTION_OP_GET, 0,
					 &v));
	/* Any object in the context: EBUSY; no CAP_SYS_RESOURCE: EPERM. */
	CHECK_OK(ioas_alloc_raw(&t, fd, &id));
	v = 1;
	CHECK_ERR(EBUSY, option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
				    IOMMU_OPTION_OP_SET, 0, &v));
	emu_creds_get(t.emu, &cr);
	cr.cap_sys_resource = false;
	emu_creds_set(t.emu, &cr);
	CHECK_ERR(EPERM, option_raw(&t, fd, IOMMU_OPTION_RLIMIT_MODE,
				    IOMMU_OPTION_OP_SET, 0, &v));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* 6.2 #26 and #28 (no domain). */
static void option_huge_pages(void)
{
	struct emu_t t;
	uint32_t ioas;
	uint64_t v = 0;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
			    IOMMU_OPTION_OP_GET, ioas, &v));
	CHECK_EQ(v, 1);
	v = 0;
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
			    IOMMU_OPTION_OP_SET, ioas, &v));
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
			    IOMMU_OPTION_OP_GET, ioas, &v));
	CHECK_EQ(v, 0);
	v = 2;
	CHECK_ERR(EINVAL, option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
				     IOMMU_OPTION_OP_SET, ioas, &v));
	/* Alignment is PAGE_SIZE now: a half-page user offset is refused. */
	CHECK_ERR(EINVAL, map_fixed_raw(&t, fd, ioas, 0x10000, PG,
					0x100800));
	v = 0;
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
			    IOMMU_OPTION_OP_SET, ioas, &v));
	v = 1;
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
			    IOMMU_OPTION_OP_SET, ioas, &v));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x10000, PG, 0x100800));
	v = 0;
	CHECK_ERR(EADDRINUSE, option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
					 IOMMU_OPTION_OP_SET, ioas, &v));
	CHECK_OK(option_raw(&t, fd, IOMMU_OPTION_HUGE_PAGES,
			    IOMMU_OPTION_OP_GET, ioas, &v));
	CHECK_EQ(v, 1);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* ALLOW_IOVAS (2.4) and 6.2 #15-16. */
static void allow_iovas(void)
{
	struct iommu_iova_range r[2] = {
		{ .start = 0x100000, .last = 0x1fffff },
		{ .start = 0x400000, .last = 0x4fffff },
	};
	uint64_t iova;
	struct conf c;

	conf_setup(&c, "e1000e");
	CHECK_OK(allow_raw(&c.t, c.iommufd, c.ioas, r, 2));
	/* Automatic IOVA stays inside; FIXED ignores the list. */
	CHECK_OK(map_auto_raw(&c.t, c.iommufd, c.ioas, 2 * PG, 0, &iova));
	CHECK_EQ(iova, 0x100000);
	CHECK_OK(map_auto_raw(&c.t, c.iommufd, c.ioas, 0x100000, 0, &iova));
	CHECK_EQ(iova, 0x400000);
	CHECK_ERR(ENOSPC, map_auto_raw(&c.t, c.iommufd, c.ioas, 0x100000, 0,
				       &iova));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, c.ioas, 0x10000000, PG, 0));
	/* A device whose MSI window is allowed cannot attach. */
	r[1].start = MSI_START;
	r[1].last = MSI_START + 0xfff;
	CHECK_OK(allow_raw(&c.t, c.iommufd, c.ioas, r, 2));
	CHECK_OK(unmap_raw(&c.t, c.iommufd, c.ioas, 0, UINT64_MAX, NULL));
	CHECK_ERR(EADDRINUSE, attach_raw(&c.t, c.devfd, c.ioas, NULL));
	/* Cleared: attach works; then allowing the window is refused. */
	CHECK_OK(allow_raw(&c.t, c.iommufd, c.ioas, NULL, 0));
	CHECK_OK(attach_raw(&c.t, c.devfd, c.ioas, NULL));
	CHECK_ERR(EADDRINUSE, allow_raw(&c.t, c.iommufd, c.ioas, r, 2));
	/* Entry checks: empty, one-byte, overlapping, unreadable. */
	r[1] = r[0];
	CHECK_ERR(EINVAL, allow_raw(&c.t, c.iommufd, c.ioas, r, 2));
	r[0].last = r[0].start;
	CHECK_ERR(EINVAL, allow_raw(&c.t, c.iommufd, c.ioas, r, 1));
	CHECK_ERR(EFAULT, allow_raw(&c.t, c.iommufd, c.ioas, NULL, 1));
	CHECK_ERR(ENOENT, allow_raw(&c.t, c.iommufd, 99, r, 1));
	conf_teardown(&c);
}

/* COPY (2.6): sub-ranges, several source areas, shared pins. */
static void copy_rules(void)
{
	struct emu_counters cnt;
	uint64_t dst;
	uint32_t ioas2;
	struct conf c;

	conf_setup(&c, "e1000e");
	CHECK_OK(ioas_alloc_raw(&c.t, c.iommufd, &ioas2));
	/* Two adjacent source areas and one after a hole. */
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x10000, 2 * PG,
			       t_va(&c.t, 0)));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x12000, 2 * PG,
			       t_va(&c.t, 0x10000)));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x20000, PG,
			       t_va(&c.t, 0x20000)));
	/* Across the two adjacent areas, at a byte offset: two areas. */
	dst = 0x800;
	CHECK_OK(copy_raw(&c.t, c.iommufd, IOMMU_IOAS_MAP_FIXED_IOVA |
			  IOMMU_IOAS_MAP_READABLE, ioas2, 1, 0x10800,
			  3 * PG, &dst));
	CHECK_EQ(dst, 0x800);
	CHECK_OK(unmap_raw(&c.t, c.iommufd, ioas2, 0, UINT64_MAX, &dst));
	CHECK_EQ(dst, 3 * PG);
	/* A hole in the source: ENOENT; past U64: EOVERFLOW; order. */
	dst = 0;
	CHECK_ERR(ENOENT, copy_raw(&c.t, c.iommufd, IOMMU_IOAS_MAP_READABLE,
				   ioas2, 1, 0x13000, 0x10000, &dst));
	CHECK_ERR(ENOENT, copy_raw(&c.t, c.iommufd, IOMMU_IOAS_MAP_READABLE,
				   99, 1, 0x10000, PG, &dst));
	CHECK_ERR(ENOENT, copy_raw(&c.t, c.iommufd, IOMMU_IOAS_MAP_READABLE,
				   ioas2, 99, 0x10000, PG, &dst));
	CHECK_ERR(EOVERFLOW, copy_raw(&c.t, c.iommufd,
				      IOMMU_IOAS_MAP_READABLE, ioas2, 1,
				      UINT64_MAX, PG, &dst));
	CHECK_ERR(EINVAL, copy_raw(&c.t, c.iommufd, 0, ioas2, 1, 0x10000, PG,
				   &dst));
	CHECK_ERR(EOPNOTSUPP, copy_raw(&c.t, c.iommufd, 1u << 8, ioas2, 1,
				       0x10000, PG, &dst));
	CHECK_ERR(EINVAL, copy_raw(&c.t, c.iommufd, IOMMU_IOAS_MAP_READABLE,
				   ioas2, 1, 0x10000, 0, &dst));
	/* Automatic placement aligns on the first fragment's user VA. */
	dst = 0;
	CHECK_OK(copy_raw(&c.t, c.iommufd, IOMMU_IOAS_MAP_READABLE, ioas2, 1,
			  0x12000, 2 * PG, &dst));
	CHECK_EQ(dst, 0x2000);
	/* Shared pins: attach to IOAS 1, then copy into IOAS 1 again. */
	CHECK_OK(attach_raw(&c.t, c.devfd, 1, NULL));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 5);
	dst = 0x40000;
	CHECK_OK(copy_raw(&c.t, c.iommufd, IOMMU_IOAS_MAP_FIXED_IOVA |
			  IOMMU_IOAS_MAP_WRITEABLE, 1, 1, 0x10000, 4 * PG,
			  &dst));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 5);
	CHECK_EQ(cnt.locked_pages, 5);
	/* Unmapping the source keeps the copy's pins. */
	CHECK_OK(unmap_raw(&c.t, c.iommufd, 1, 0x10000, 4 * PG, NULL));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 5);
	CHECK_OK(unmap_raw(&c.t, c.iommufd, 1, 0x40000, 4 * PG, NULL));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 1);
	conf_teardown(&c);
}

/* Spec 2.7 and section 9: the unmap rules, one per line. */
static void unmap_rules(void)
{
	uint64_t len;
	struct emu_t t;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(unmap_raw(&t, fd, ioas, 0, UINT64_MAX, &len));
	CHECK_EQ(len, 0);
	CHECK_ERR(EOVERFLOW, unmap_raw(&t, fd, ioas, PG, UINT64_MAX, NULL));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, 99, 0, PG, NULL));
	CHECK_ERR(EINVAL, unmap_raw(&t, fd, ioas, PG, 0, NULL));
	CHECK_ERR(EOVERFLOW, unmap_raw(&t, fd, ioas, UINT64_MAX - PG,
				       2 * PG, NULL));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x10000, 4 * PG, 0x100000));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x10000, 2 * PG, NULL));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x10000, 3 * PG, NULL));
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x10000, 4 * PG - 1, NULL));
	CHECK_OK(unmap_raw(&t, fd, ioas, 0x8000, 0x100000, &len));
	CHECK_EQ(len, 4 * PG);
	CHECK_ERR(ENOENT, unmap_raw(&t, fd, ioas, 0x8000, 0x100000, NULL));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* Spec 4.4: alignment, page offset, reserved ranges, first and last page. */
static void auto_iova_rules(void)
{
	uint64_t iova;
	void *big;
	struct conf c;

	conf_setup(&c, "e1000e");
	/* Fresh, no domain: 1 page at 0x1000; 3 pages of a 2 MiB VA: 16K. */
	CHECK_OK(map_auto_raw(&c.t, c.iommufd, 1, PG, 0x200000, &iova));
	CHECK_EQ(iova, 0x1000);
	CHECK_OK(map_auto_raw(&c.t, c.iommufd, 1, 3 * PG, 0x200000, &iova));
	CHECK_EQ(iova, 0x4000);
	/* Page offset kept, alignment capped at 2 MiB. */
	CHECK_OK(map_auto_raw(&c.t, c.iommufd, 1, 0x100, 0x123456, &iova));
	CHECK_EQ(iova & 0xfff, 0x456);
	CHECK_OK(map_auto_raw(&c.t, c.iommufd, 1, 16ULL << 20, 0, &iova));
	CHECK_EQ(iova, 0x200000);
	CHECK_OK(unmap_raw(&c.t, c.iommufd, 1, 0, UINT64_MAX, NULL));
	/*
	 * With a domain: the MSI window is avoided. Everything below it is
	 * mapped from a 4 GiB reservation that is never touched (pinning is
	 * a check of the process map, not a fault-in).
	 */
	big = mmap(NULL, 1ULL << 32, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(big != MAP_FAILED);
	CHECK_OK(attach_raw(&c.t, c.devfd, 1, NULL));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, PG, MSI_START - PG,
			       (uintptr_t)big + PG));
	CHECK_OK(map_auto_raw(&c.t, c.iommufd, 1, 0x100000,
			      t_va(&c.t, 0x100000), &iova));
	CHECK_EQ(iova, 0xfef00000ULL);
	/* Odd user VA with a domain: alignment below 4K is EINVAL. */
	CHECK_ERR(EINVAL, map_auto_raw(&c.t, c.iommufd, 1, PG,
				       t_va(&c.t, 0x801), &iova));
	CHECK_ERR(ENOSPC, map_auto_raw(&c.t, c.iommufd, 1, 1ULL << 39,
				       t_va(&c.t, 0), &iova));
	conf_teardown(&c);
	munmap(big, 1ULL << 32);
}

/* 6.2 #18 with a domain and the EMSGSIZE protocol. */
static void iova_ranges_protocol(void)
{
	struct iommu_iova_range rg[3];
	uint64_t align;
	uint32_t total;
	struct conf c;

	conf_setup(&c, "e1000e");
	memset(rg, 0xab, sizeof(rg));
	CHECK_ERR(EMSGSIZE, iova_ranges_raw(&c.t, c.iommufd, 1, rg, 0, &total,
					    &align));
	CHECK_EQ(total, 1);
	CHECK_EQ(align, 1);
	CHECK_EQ(rg[0].start, 0xababababababababULL);
	CHECK_OK(attach_raw(&c.t, c.devfd, 1, NULL));
	CHECK_ERR(EMSGSIZE, iova_ranges_raw(&c.t, c.iommufd, 1, rg, 1, &total,
					    &align));
	CHECK_EQ(total, 2);
	CHECK_EQ(rg[0].last, MSI_START - 1);
	CHECK_EQ(rg[1].start, 0xababababababababULL);
	CHECK_OK(iova_ranges_raw(&c.t, c.iommufd, 1, rg, 3, &total, &align));
	CHECK_EQ(align, PG);
	CHECK_EQ(rg[1].start, 0xfef00000ULL);
	CHECK_EQ(rg[1].last, (1ULL << 39) - 1);
	CHECK_ERR(EFAULT, iova_ranges_raw(&c.t, c.iommufd, 1, NULL, 3, &total,
					  &align));
	conf_teardown(&c);
}

/* 6.2 #42-47: the VFIO compat ioctls on /dev/iommu and VFIO_IOAS. */
static void vfio_compat(void)
{
	struct vfio_iommu_type1_dma_unmap un = { .argsz = 1 };
	struct vfio_iommu_type1_dma_map mp = { .argsz = 1 };
	struct vfio_iommu_type1_info info = { .argsz = 1 };
	struct iommu_vfio_ioas vi = { .size = sizeof(vi) };
	struct emu_t t;
	uint32_t ioas;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_EQ(t_ioctl(&t, fd, VFIO_GET_API_VERSION, NULL), 0);
	CHECK_EQ(t_ioctl(&t, fd, VFIO_CHECK_EXTENSION,
			 (void *)VFIO_TYPE1v2_IOMMU), 1);
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, VFIO_IOMMU_UNMAP_DMA, &un));
	un.argsz = sizeof(un);
	un.flags = 1u << 31;
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, VFIO_IOMMU_UNMAP_DMA, &un));
	un.flags = 0;
	CHECK_ERR(ENODEV, t_ioctl(&t, fd, VFIO_IOMMU_UNMAP_DMA, &un));
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, VFIO_IOMMU_MAP_DMA, &mp));
	mp.argsz = sizeof(mp);
	mp.flags = 1u << 31;
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, VFIO_IOMMU_MAP_DMA, &mp));
	mp.flags = 0;
	CHECK_ERR(ENODEV, t_ioctl(&t, fd, VFIO_IOMMU_MAP_DMA, &mp));
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, VFIO_IOMMU_GET_INFO, &info));
	info.argsz = sizeof(info);
	CHECK_ERR(ENODEV, t_ioctl(&t, fd, VFIO_IOMMU_GET_INFO, &info));
	CHECK_ERR(ENODEV, t_ioctl(&t, fd, VFIO_SET_IOMMU,
				  (void *)VFIO_TYPE1v2_IOMMU));
	CHECK_ERR(ENODEV, t_ioctl(&t, fd, VFIO_SET_IOMMU,
				  (void *)VFIO_TYPE1_IOMMU));
	/* 6.2 #47 */
	vi.op = IOMMU_VFIO_IOAS_GET;
	CHECK_ERR(ENODEV, t_ioctl(&t, fd, IOMMU_VFIO_IOAS, &vi));
	vi.op = IOMMU_VFIO_IOAS_SET;
	vi.ioas_id = 0;
	CHECK_ERR(ENOENT, t_ioctl(&t, fd, IOMMU_VFIO_IOAS, &vi));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	vi.ioas_id = ioas;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_VFIO_IOAS, &vi));
	vi.op = IOMMU_VFIO_IOAS_GET;
	vi.ioas_id = 0;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_VFIO_IOAS, &vi));
	CHECK_EQ(vi.ioas_id, ioas);
	/* With a compat IOAS: MAP_DMA / UNMAP_DMA / GET_INFO work. */
	mp.vaddr = 0x100000;
	mp.iova = 0x10000;
	mp.size = PG;
	mp.flags = VFIO_DMA_MAP_FLAG_READ;
	CHECK_OK(t_ioctl(&t, fd, VFIO_IOMMU_MAP_DMA, &mp));
	un.iova = 0x10000;
	un.size = PG;
	CHECK_OK(t_ioctl(&t, fd, VFIO_IOMMU_UNMAP_DMA, &un));
	CHECK_EQ(un.size, PG);
	un.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, VFIO_IOMMU_UNMAP_DMA, &un));
	un.iova = 0;
	un.size = 0;
	CHECK_OK(t_ioctl(&t, fd, VFIO_IOMMU_UNMAP_DMA, &un));
	/* No room for the caps: argsz grows, CAPS is set all the same. */
	CHECK_OK(t_ioctl(&t, fd, VFIO_IOMMU_GET_INFO, &info));
	CHECK_EQ(info.flags, VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS);
	CHECK_EQ(info.cap_offset, 0);
	/* DMA-avail (16 bytes) and one IOVA range (8 + 8 + 16). */
	CHECK_EQ(info.argsz, sizeof(info) + 16 + 32);
	vi.op = IOMMU_VFIO_IOAS_CLEAR;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_VFIO_IOAS, &vi));
	vi.op = IOMMU_VFIO_IOAS_GET;
	CHECK_ERR(ENODEV, t_ioctl(&t, fd, IOMMU_VFIO_IOAS, &vi));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static const struct check_test tests[] = {
	TEST(size_contract_every_ioctl),
	TEST(cmd_fail_and_ex_fail),
	TEST(global_options),
	TEST(option_huge_pages),
	TEST(allow_iovas),
	TEST(copy_rules),
	TEST(unmap_rules),
	TEST(auto_iova_rules),
	TEST(iova_ranges_protocol),
	TEST(vfio_compat),
};

CHECK_MAIN(tests)
