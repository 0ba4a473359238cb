// SPDX-License-Identifier: MIT
/*
 * The selftest mock (emu/mock) and what it reaches in the model: mock
 * devices and their ids, the mock's GET_HW_INFO, the page checks
 * (MD_CHECK_MAP, MD_CHECK_REFS), access objects (pins, unmap over pins,
 * reads and writes, replace), nested domains with their IOTLB and
 * invalidation, I/O page faults through a fault queue, dirty tracking at
 * the mock's PTE sizes, and memory of another process (emu_task_set):
 * pinned from its map, reached after it is gone through shared memory.
 *
 * Built only with the kernel tree's iommufd_test.h (IOFD_EMU_MOCK), which
 * gives struct iommu_test_cmd and the mock's constants.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu_mock_test.h"

#define MOCK_PG (PG / 2)

static int mock_domain_raw(struct emu_t *t, int fd, uint32_t pt, uint32_t flags,
			   uint32_t *stdev, uint32_t *hwpt, uint32_t *idev)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, pt);
	int rc;

	cmd.mock_domain_flags.dev_flags = flags;
	rc = test_cmd(t, fd, &cmd);

	if (stdev)
		*stdev = rc ? 0 : cmd.mock_domain_flags.out_stdev_id;
	if (hwpt)
		*hwpt = rc ? 0 : cmd.mock_domain_flags.out_hwpt_id;
	if (idev)
		*idev = rc ? 0 : cmd.mock_domain_flags.out_idev_id;
	return rc;
}

static int check_refs_raw(struct emu_t *t, int fd, uint64_t va, uint64_t len,
			  uint32_t refs)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_MD_CHECK_REFS, 0);

	cmd.check_refs.length = len;
	cmd.check_refs.uptr = va;
	cmd.check_refs.refs = refs;
	return test_cmd(t, fd, &cmd);
}

static int check_map_raw(struct emu_t *t, int fd, uint32_t hwpt, uint64_t iova,
			 uint64_t len, uint64_t va)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_MD_CHECK_MAP, hwpt);

	cmd.check_map.iova = iova;
	cmd.check_map.length = len;
	cmd.check_map.uptr = va;
	return test_cmd(t, fd, &cmd);
}

static int create_access_raw(struct emu_t *t, int fd, uint32_t ioas,
			     uint32_t flags, int *afd)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_CREATE_ACCESS, ioas);
	int rc;

	cmd.create_access.flags = flags;
	rc = test_cmd(t, fd, &cmd);

	*afd = rc ? -1 : (int)cmd.create_access.out_access_fd;
	return rc;
}

static int access_pages_raw(struct emu_t *t, int fd, int afd, uint64_t iova,
			    uint64_t len, uint64_t va, uint32_t *item)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_ACCESS_PAGES,
					  (uint32_t)afd);
	int rc;

	cmd.access_pages.iova = iova;
	cmd.access_pages.length = len;
	cmd.access_pages.uptr = va;
	rc = test_cmd(t, fd, &cmd);

	if (item)
		*item = rc ? 0 : cmd.access_pages.out_access_pages_id;
	return rc;
}

static int access_rw_raw(struct emu_t *t, int fd, int afd, uint64_t iova,
			 void *buf, uint64_t len, uint32_t flags)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_ACCESS_RW, (uint32_t)afd);

	cmd.access_rw.iova = iova;
	cmd.access_rw.length = len;
	cmd.access_rw.uptr = (uintptr_t)buf;
	cmd.access_rw.flags = flags;
	return test_cmd(t, fd, &cmd);
}

static void mock_domain_ids_and_info(void)
{
	struct iommu_test_hw_info info;
	struct iommu_hw_info hw = { .size = sizeof(hw),
				    .data_len = sizeof(info),
				    .data_uptr = (uintptr_t)&info };
	struct iommu_iova_range r[2];
	uint32_t ioas, stdev, hwpt, idev, n;
	struct emu_t t;
	uint64_t align;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	/* The selftest object's id comes first, then the device, the HWPT. */
	CHECK_OK(mock_domain_raw(&t, fd, ioas, 0, &stdev, &hwpt, &idev));
	CHECK_EQ(stdev, 2);
	CHECK_EQ(idev, 3);
	CHECK_EQ(hwpt, 4);
	CHECK_OK(iova_ranges_raw(&t, fd, ioas, r, 2, &n, &align));
	CHECK_EQ(n, 1);
	CHECK_EQ(r[0].start, MOCK_APERTURE_START);
	CHECK_EQ(r[0].last, MOCK_APERTURE_LAST);
	CHECK_EQ(align, MOCK_PG);
	hw.dev_id = idev;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_GET_HW_INFO, &hw));
	CHECK_EQ(hw.out_data_type, IOMMU_HW_INFO_TYPE_SELFTEST);
	CHECK_EQ(hw.data_len, sizeof(info));
	CHECK_EQ(info.test_reg, IOMMU_HW_INFO_SELFTEST_REGVAL);
	CHECK_EQ(hw.out_capabilities, IOMMU_HW_CAP_DIRTY_TRACKING);
	CHECK_ERR(EBUSY, destroy_raw(&t, fd, idev));
	CHECK_ERR(EBUSY, destroy_raw(&t, fd, hwpt));
	CHECK_OK(destroy_raw(&t, fd, stdev));
	CHECK_ERR(ENOENT, destroy_raw(&t, fd, hwpt));
	/* 6.12's mock knows NO_DIRTY and HUGE_IOVA only; no id is used up. */
	CHECK_ERR(EINVAL, mock_domain_raw(&t, fd, ioas, 1u << 2, NULL, NULL,
					  NULL));
	CHECK_OK(mock_domain_raw(&t, fd, ioas, MOCK_FLAGS_DEVICE_NO_DIRTY,
				 &stdev, NULL, &idev));
	CHECK_EQ(stdev, 2);
	hw.dev_id = idev;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_GET_HW_INFO, &hw));
	CHECK_EQ(hw.out_capabilities, 0);
	emu_t_expect_counters(&t, 1, 1, 4, 0);
	/* Closing the context takes the mock device with it. */
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void mock_checks_and_reserved(void)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_ADD_RESERVED, 0);
	uint32_t ioas, hwpt;
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(mock_domain_raw(&t, fd, ioas, 0, NULL, &hwpt, NULL));
	CHECK_OK(check_refs_raw(&t, fd, t_va(&t, 0), 4 * PG, 0));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, MOCK_APERTURE_START, 2 * PG,
			       t_va(&t, 0)));
	CHECK_OK(check_map_raw(&t, fd, hwpt, MOCK_APERTURE_START, 2 * PG,
			       t_va(&t, 0)));
	CHECK_ERR(EINVAL, check_map_raw(&t, fd, hwpt, MOCK_APERTURE_START,
					2 * PG, t_va(&t, PG)));
	CHECK_ERR(EINVAL, check_map_raw(&t, fd, hwpt, MOCK_APERTURE_START + 1,
					PG, t_va(&t, 0)));
	CHECK_ERR(EINVAL, check_map_raw(&t, fd, hwpt, MOCK_APERTURE_START,
					4 * PG, t_va(&t, 0)));
	CHECK_ERR(ENOENT, check_map_raw(&t, fd, 77, MOCK_APERTURE_START, PG,
					t_va(&t, 0)));
	CHECK_ERR(ENOENT, check_map_raw(&t, fd, ioas, MOCK_APERTURE_START, PG,
					t_va(&t, 0)));
	/* One pin per page while mapped into a domain. */
	CHECK_OK(check_refs_raw(&t, fd, t_va(&t, 0), 2 * PG, 1));
	CHECK_ERR(EIO, check_refs_raw(&t, fd, t_va(&t, 0), 2 * PG, 0));
	CHECK_OK(check_refs_raw(&t, fd, t_va(&t, 2 * PG), PG, 0));
	CHECK_ERR(EINVAL, check_refs_raw(&t, fd, t_va(&t, 1), PG, 0));
	CHECK_ERR(EFAULT, check_refs_raw(&t, fd, 0x1000, PG, 0));
	/* A reservation over the mapping; one next to it. */
	cmd.id = ioas;
	cmd.add_reserved.start = MOCK_APERTURE_START;
	cmd.add_reserved.length = PG;
	CHECK_ERR(EADDRINUSE, test_cmd(&t, fd, &cmd));
	cmd.add_reserved.length = 0;
	CHECK_ERR(EINVAL, test_cmd(&t, fd, &cmd));
	cmd.add_reserved.start = UINT64_MAX;
	cmd.add_reserved.length = 2;
	CHECK_ERR(EOVERFLOW, test_cmd(&t, fd, &cmd));
	cmd.add_reserved.start = MOCK_APERTURE_START + 4 * PG;
	cmd.add_reserved.length = PG;
	CHECK_OK(test_cmd(&t, fd, &cmd));
	CHECK_ERR(EINVAL, map_fixed_raw(&t, fd, ioas, MOCK_APERTURE_START +
					4 * PG, PG, t_va(&t, 0)));
	CHECK_OK(unmap_raw(&t, fd, ioas, 0, UINT64_MAX, NULL));
	CHECK_OK(check_refs_raw(&t, fd, t_va(&t, 0), 2 * PG, 0));
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT;
	cmd.memory_limit.limit = 11;
	CHECK_ERR(EINVAL, test_cmd(&t, fd, &cmd));
	cmd.memory_limit.limit = 12;
	CHECK_OK(test_cmd(&t, fd, &cmd));
	cmd.op = 1000;
	CHECK_ERR(EOPNOTSUPP, test_cmd(&t, fd, &cmd));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void mock_access_pins_and_rw(void)
{
	uint8_t data[3 * PG], back[3 * PG];
	uint32_t ioas, ioas2, item;
	uint64_t align;
	struct emu_t t;
	int fd, afd, afd2;
	size_t i;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, 0x100000, 4 * PG, t_va(&t, 0)));
	CHECK_OK(create_access_raw(&t, fd, ioas,
				   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES,
				   &afd));
	/* A pinning access raises the alignment to PAGE_SIZE. */
	CHECK_OK(iova_ranges_raw(&t, fd, ioas, NULL, 0, NULL, &align) ==
		 -EMSGSIZE ? 0 : -1);
	CHECK_EQ(align, PG);
	CHECK_ERR(EBUSY, destroy_raw(&t, fd, ioas));
	CHECK_OK(access_pages_raw(&t, fd, afd, 0x101000, 2 * PG, t_va(&t, PG),
				  &item));
	CHECK_OK(check_refs_raw(&t, fd, t_va(&t, PG), 2 * PG, 1));
	CHECK_OK(check_refs_raw(&t, fd, t_va(&t, 0), PG, 0));
	CHECK_ERR(EBADE, access_pages_raw(&t, fd, afd, 0x101000, PG,
					  t_va(&t, 0), NULL));
	CHECK_ERR(ENOENT, access_pages_raw(&t, fd, afd, 0x104000, PG,
					   t_va(&t, 0), NULL));
	CHECK_ERR(EBADFD, access_pages_raw(&t, fd, fd, 0x101000, PG,
					   t_va(&t, PG), NULL));
	/* Read and write through the access, at byte granularity. */
	for (i = 0; i < sizeof(data); i++)
		t.mem[i] = (uint8_t)(i * 7);
	CHECK_OK(access_rw_raw(&t, fd, afd, 0x100003, back, 3 * PG - 5, 0));
	CHECK(!memcmp(back, t.mem + 3, 3 * PG - 5));
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	CHECK_OK(access_rw_raw(&t, fd, afd, 0x100011, data, 100,
			       MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH));
	CHECK(!memcmp(t.mem + 0x11, data, 100));
	CHECK_ERR(ENOENT, access_rw_raw(&t, fd, afd, 0x103ff0, back, 0x20, 0));
	CHECK_ERR(EINVAL, access_rw_raw(&t, fd, afd, 0x100000, back, 0, 0));
	CHECK_ERR(EOPNOTSUPP, access_rw_raw(&t, fd, afd, 0x100000, back, 1,
					    1u << 3));
	/* An unmap over pinned pages makes the access let go. */
	CHECK_OK(unmap_raw(&t, fd, ioas, 0x100000, 4 * PG, NULL));
	CHECK_OK(check_refs_raw(&t, fd, t_va(&t, 0), 4 * PG, 0));
	{
		struct iommu_test_cmd cmd = t_cmd(
			IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, (uint32_t)afd);

		cmd.destroy_access_pages.access_pages_id = item;
		CHECK_ERR(ENOENT, test_cmd(&t, fd, &cmd));
	}
	/* An access without pins may not pin; both move to another IOAS. */
	CHECK_OK(create_access_raw(&t, fd, ioas, 0, &afd2));
	CHECK_ERR(EOPNOTSUPP, access_pages_raw(&t, fd, afd2, 0x100000, PG,
					       t_va(&t, 0), NULL));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas2));
	{
		struct iommu_test_cmd cmd = t_cmd(
			IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, (uint32_t)afd);

		cmd.access_replace_ioas.ioas_id = ioas2;
		CHECK_OK(test_cmd(&t, fd, &cmd));
		CHECK_ERR(EBUSY, destroy_raw(&t, fd, ioas2));
		cmd.id = (uint32_t)afd2;
		CHECK_OK(test_cmd(&t, fd, &cmd));
		cmd.access_replace_ioas.ioas_id = 99;
		CHECK_ERR(ENOENT, test_cmd(&t, fd, &cmd));
	}
	CHECK_OK(destroy_raw(&t, fd, ioas));
	/* The access fds hold the context: it outlives its fd. */
	CHECK_OK(t_close(&t, fd));
	emu_t_expect_counters(&t, 2, 1, 3, 0);
	CHECK_OK(t_close(&t, afd));
	CHECK_OK(t_close(&t, afd2));
	emu_t_teardown(&t);
}

static int invalidate_raw(struct emu_t *t, int fd, uint32_t hwpt,
			  void *reqs, uint32_t len, uint32_t *num,
			  uint32_t reserved)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt,
		.data_uptr = (uintptr_t)reqs,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST,
		.entry_len = len, .entry_num = *num, .__reserved = reserved,
	};
	int rc = t_ioctl(t, fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*num = cmd.entry_num;
	return rc;
}

static int check_iotlb_raw(struct emu_t *t, int fd, uint32_t hwpt,
			   uint32_t id, uint32_t want)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_MD_CHECK_IOTLB, hwpt);

	cmd.check_iotlb.id = id;
	cmd.check_iotlb.iotlb = want;
	return test_cmd(t, fd, &cmd);
}

static void mock_nested_and_iopf(void)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_invalidate_selftest inv[2] = { { 0, 1 }, { 0, 9 } };
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct iommu_test_cmd cmd = t_cmd(0, 0);
	struct iommu_hwpt_page_response resp = { 0 };
	struct iommu_hwpt_pgfault f;
	uint32_t ioas, stdev, idev, parent, nested, num;
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(mock_domain_raw(&t, fd, ioas, 0, &stdev, NULL, &idev));
	alloc.dev_id = idev;
	alloc.pt_id = ioas;
	alloc.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_HWPT_ALLOC, &alloc));
	parent = alloc.out_hwpt_id;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_FAULT_QUEUE_ALLOC, &fa));
	alloc.pt_id = parent;
	alloc.flags = IOMMU_HWPT_FAULT_ID_VALID;
	alloc.fault_id = fa.out_fault_id;
	alloc.data_type = IOMMU_HWPT_DATA_SELFTEST;
	alloc.data_uptr = (uintptr_t)&data;
	alloc.data_len = sizeof(data) + 1;
	CHECK_ERR(EINVAL, t_ioctl(&t, fd, IOMMU_HWPT_ALLOC, &alloc));
	alloc.data_len = sizeof(data);
	CHECK_OK(t_ioctl(&t, fd, IOMMU_HWPT_ALLOC, &alloc));
	nested = alloc.out_hwpt_id;
	CHECK_ERR(EBUSY, destroy_raw(&t, fd, parent));
	CHECK_ERR(EBUSY, destroy_raw(&t, fd, fa.out_fault_id));
	CHECK_OK(check_iotlb_raw(&t, fd, nested, 3, IOMMU_TEST_IOTLB_DEFAULT));
	CHECK_ERR(ENOENT, check_iotlb_raw(&t, fd, parent, 0, 0));
	/* The second entry fails: one handled, and said so. */
	num = 2;
	CHECK_ERR(EINVAL, invalidate_raw(&t, fd, nested, inv, sizeof(inv[0]),
					 &num, 0));
	CHECK_EQ(num, 1);
	CHECK_OK(check_iotlb_raw(&t, fd, nested, 1, 0));
	CHECK_OK(check_iotlb_raw(&t, fd, nested, 0, IOMMU_TEST_IOTLB_DEFAULT));
	/* entry_num is written back even when the struct is refused. */
	num = 5;
	CHECK_ERR(EOPNOTSUPP, invalidate_raw(&t, fd, nested, inv,
					     sizeof(inv[0]), &num, 1));
	CHECK_EQ(num, 0);
	num = 1;
	CHECK_ERR(ENOENT, invalidate_raw(&t, fd, parent, inv, sizeof(inv[0]),
					 &num, 0));
	/* A fault of a device on the queue's HWPT, read, then answered. */
	cmd.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	cmd.id = stdev;
	cmd.mock_domain_replace.pt_id = nested;
	CHECK_OK(test_cmd(&t, fd, &cmd));
	CHECK_ERR(EBUSY, destroy_raw(&t, fd, nested));
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = IOMMU_TEST_OP_TRIGGER_IOPF;
	cmd.trigger_iopf.dev_id = idev;
	cmd.trigger_iopf.pasid = 1;
	cmd.trigger_iopf.addr = 0xdeadbeaf;
	CHECK_OK(test_cmd(&t, fd, &cmd));
	CHECK_EQ(emu_pread(t.emu, (int)fa.out_fault_fd, &f, sizeof(f), 0),
		 sizeof(f));
	CHECK_EQ(f.dev_id, idev);
	CHECK_EQ(f.addr, 0xdeadbeaf);
	CHECK_EQ(f.cookie, 1);
	CHECK_EQ(f.flags, IOMMU_PGFAULT_FLAGS_PASID_VALID |
			  IOMMU_PGFAULT_FLAGS_LAST_PAGE);
	CHECK_EQ(emu_pread(t.emu, (int)fa.out_fault_fd, &f, sizeof(f), 0), 0);
	resp.cookie = 1;
	CHECK_EQ(emu_pwrite(t.emu, (int)fa.out_fault_fd, &resp, sizeof(resp),
			    0), sizeof(resp));
	CHECK_ERR(EINVAL, emu_pwrite(t.emu, (int)fa.out_fault_fd, &resp,
				     sizeof(resp), 0));
	/* A fault left pending goes when the device leaves the HWPT. */
	CHECK_OK(test_cmd(&t, fd, &cmd));
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE;
	cmd.id = stdev;
	cmd.mock_domain_replace.pt_id = parent;
	CHECK_OK(test_cmd(&t, fd, &cmd));
	CHECK_EQ(emu_pread(t.emu, (int)fa.out_fault_fd, &f, sizeof(f), 0), 0);
	CHECK_OK(destroy_raw(&t, fd, nested));
	CHECK_OK(t_close(&t, (int)fa.out_fault_fd));
	CHECK_OK(destroy_raw(&t, fd, fa.out_fault_id));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/* Ask the mock to dirty the entries @bitmap names. */
static int mock_dirty_raw(struct emu_t *t, int fd, uint32_t hwpt,
			  uint64_t iova, uint64_t len, uint64_t *bitmap,
			  uint64_t *nr)
{
	struct iommu_test_cmd cmd = t_cmd(IOMMU_TEST_OP_DIRTY, hwpt);
	int rc;

	cmd.dirty.iova = iova;
	cmd.dirty.length = len;
	cmd.dirty.page_size = MOCK_PG;
	cmd.dirty.uptr = (uintptr_t)bitmap;
	rc = test_cmd(t, fd, &cmd);

	if (nr)
		*nr = rc ? 0 : cmd.dirty.out_nr_dirty;
	return rc;
}

static int get_dirty_raw(struct emu_t *t, int fd, uint32_t hwpt,
			 uint64_t iova, uint64_t len, uint64_t *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt, .iova = iova,
		.length = len, .page_size = MOCK_PG,
		.data = (uintptr_t)bitmap,
	};

	return t_ioctl(t, fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

static int set_dirty_raw(struct emu_t *t, int fd, uint32_t hwpt, bool on)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd), .hwpt_id = hwpt,
		.flags = on ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
	};

	return t_ioctl(t, fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

/* The number of set bits of @words 64-bit words. */
static unsigned int t_popcount(const uint64_t *bm, unsigned int words)
{
	unsigned int i, n = 0;

	for (i = 0; i < words; i++)
		n += (unsigned int)__builtin_popcountll(bm[i]);
	return n;
}

static void mock_dirty_pte_sizes(void)
{
	const uint64_t len = 2ULL << 20, bits = len / MOCK_PG;
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	uint64_t bm[bits / 64], nr;
	uint32_t ioas, idev, hwpt;
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	/* The whole test memory is one huge page of the pool. */
	emu_hugetlb_pool_set(t.emu, 4);
	CHECK_OK(emu_hugetlb_map(t.emu, getpid(), t_va(&t, 0), len));
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(mock_domain_raw(&t, fd, ioas, MOCK_FLAGS_DEVICE_HUGE_IOVA,
				 NULL, NULL, &idev));
	CHECK_OK(map_fixed_raw(&t, fd, ioas, MOCK_APERTURE_START, len,
			       t_va(&t, 0)));
	alloc.dev_id = idev;
	alloc.pt_id = ioas;
	alloc.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_HWPT_ALLOC, &alloc));
	hwpt = alloc.out_hwpt_id;
	memset(bm, 0, sizeof(bm));
	bm[0] = 1;
	CHECK_ERR(EINVAL, mock_dirty_raw(&t, fd, hwpt, MOCK_APERTURE_START,
					 len, bm, NULL));
	CHECK_OK(set_dirty_raw(&t, fd, hwpt, true));
	CHECK_OK(mock_dirty_raw(&t, fd, hwpt, MOCK_APERTURE_START, len, bm,
				&nr));
	CHECK_EQ(nr, 1);
	/* One dirty 2 KiB entry reports its whole 1 MiB PTE. */
	memset(bm, 0, sizeof(bm));
	CHECK_OK(get_dirty_raw(&t, fd, hwpt, MOCK_APERTURE_START, len, bm));
	CHECK_EQ(t_popcount(bm, bits / 64), 512);
	CHECK_EQ(bm[0], UINT64_MAX);
	memset(bm, 0, sizeof(bm));
	CHECK_OK(get_dirty_raw(&t, fd, hwpt, MOCK_APERTURE_START, len, bm));
	CHECK_EQ(t_popcount(bm, bits / 64), 0);
	/* Dirty state of a domain with tracking off is not reported. */
	bm[0] = 1;
	CHECK_OK(mock_dirty_raw(&t, fd, hwpt, MOCK_APERTURE_START, len, bm,
				&nr));
	CHECK_OK(set_dirty_raw(&t, fd, hwpt, false));
	memset(bm, 0, sizeof(bm));
	CHECK_OK(get_dirty_raw(&t, fd, hwpt, MOCK_APERTURE_START, len, bm));
	CHECK_EQ(t_popcount(bm, bits / 64), 0);
	/* Without huge pages behind it the PTE is the mock's 2 KiB. */
	CHECK_OK(destroy_raw(&t, fd, hwpt));
	CHECK_OK(unmap_raw(&t, fd, ioas, 0, UINT64_MAX, NULL));
	emu_hugetlb_unmap(t.emu, getpid(), t_va(&t, 0), len);
	CHECK_OK(map_fixed_raw(&t, fd, ioas, MOCK_APERTURE_START, len,
			       t_va(&t, 0)));
	CHECK_OK(t_ioctl(&t, fd, IOMMU_HWPT_ALLOC, &alloc));
	hwpt = alloc.out_hwpt_id;
	CHECK_OK(set_dirty_raw(&t, fd, hwpt, true));
	memset(bm, 0, sizeof(bm));
	bm[1] = 5;
	CHECK_OK(mock_dirty_raw(&t, fd, hwpt, MOCK_APERTURE_START, len, bm,
				&nr));
	CHECK_EQ(nr, 2);
	memset(bm, 0, sizeof(bm));
	CHECK_OK(get_dirty_raw(&t, fd, hwpt, MOCK_APERTURE_START, len, bm));
	CHECK_EQ(bm[1], 5);
	CHECK_EQ(t_popcount(bm, bits / 64), 2);
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/*
 * Memory of another process: a child holds a shared buffer and sleeps;
 * the model maps its memory on its behalf, pins it from its map when a
 * domain comes, and reads it through an access. Once the child is gone
 * the pins still reach the memory through this process's own mapping of
 * it, while an IOAS whose memory was never pinned cannot be given a
 * domain any more.
 */
static void mock_memory_of_another_process(void)
{
	struct iommu_ioas_map *map;
	uint8_t *buf, back[64];
	uint32_t ioas, ioas2;
	int fd, afd, pipefd[2];
	struct emu_t t;
	pid_t child;
	char c;

	buf = mmap(NULL, 5 * PG, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(buf != MAP_FAILED);
	map = (struct iommu_ioas_map *)(buf + 4 * PG);
	CHECK_OK(pipe(pipefd));
	child = fork();
	CHECK(child >= 0);
	if (!child) {
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	emu_t_setup(&t);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas2));
	CHECK_OK(create_access_raw(&t, fd, ioas, 0, &afd));
	/* The child's call: its struct is in its memory (the shared page). */
	emu_task_set(t.emu, child, child);
	*map = (struct iommu_ioas_map){
		.size = sizeof(*map), .ioas_id = ioas,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)buf, .length = 4 * PG,
		.iova = MOCK_APERTURE_START,
	};
	CHECK_OK(t_ioctl(&t, fd, IOMMU_IOAS_MAP, map));
	map->ioas_id = ioas2;
	CHECK_OK(t_ioctl(&t, fd, IOMMU_IOAS_MAP, map));
	emu_task_set(t.emu, 0, 0);
	memset(buf, 0x5a, 4 * PG);
	CHECK_OK(access_rw_raw(&t, fd, afd, MOCK_APERTURE_START + 7, back,
			       sizeof(back), MOCK_ACCESS_RW_SLOW_PATH));
	CHECK(back[0] == 0x5a && back[63] == 0x5a);
	/* The domain pins from the child's map. */
	CHECK_OK(mock_domain_raw(&t, fd, ioas, 0, NULL, NULL, NULL));
	close(pipefd[1]);
	CHECK_EQ(waitpid(child, NULL, 0), child);
	memset(buf + PG, 0xa5, PG);
	CHECK_OK(access_rw_raw(&t, fd, afd, MOCK_APERTURE_START + PG, back,
			       sizeof(back), 0));
	CHECK(back[0] == 0xa5 && back[63] == 0xa5);
	memset(back, 0x33, sizeof(back));
	CHECK_OK(access_rw_raw(&t, fd, afd, MOCK_APERTURE_START + 2 * PG, back,
			       sizeof(back), MOCK_ACCESS_RW_WRITE));
	CHECK(buf[2 * PG] == 0x33);
	/* Never pinned, and its process gone: nothing to pin from. */
	CHECK_ERR(EFAULT, mock_domain_raw(&t, fd, ioas2, 0, NULL, NULL, NULL));
	CHECK_OK(t_close(&t, afd));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
	munmap(buf, 5 * PG);
}

static const struct check_test tests[] = {
	TEST(mock_domain_ids_and_info),
	TEST(mock_checks_and_reserved),
	TEST(mock_access_pins_and_rw),
	TEST(mock_nested_and_iopf),
	TEST(mock_dirty_pte_sizes),
	TEST(mock_memory_of_another_process),
};

CHECK_MAIN(tests)
