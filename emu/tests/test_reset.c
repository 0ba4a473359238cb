// SPDX-License-Identifier: MIT
/*
 * emu_reset and emu_digest: a machine used every way a program can use it
 * (devices, contexts with objects and pins, bound and attached devices,
 * vfio-pci state, BAR stores and mappings, KVM holding a device file,
 * credentials, the uaccess mode, a memory-map cache, a fail-nth counter,
 * the hugetlb pool and its huge pages, and with the selftest mock a mock
 * device on a nested HWPT with an I/O page fault pending in its queue, an
 * access pinning pages and the mock's memory limit) has, after a reset,
 * the digest of a machine just created, and works as one. The digest is
 * tested on its own too: each of those pieces alone changes it, so a
 * reset that forgot any one of them would fail the first test, and
 * machines in the same state give the same digest whatever their
 * addresses. The same holds on the arena (emu_arena_use), where the
 * digest also counts the blocks in use: an object a reset forgot there
 * moves it, and a reset must give every block back, the mock's and the
 * fault queues' included. An object a reset forgot shows there even
 * where the reset's zeroing hides it from every counter: a kvm-vfio
 * device or a container kept alive past the reset is counted block by
 * block. The arena's own contract (zeroed blocks, realloc, reuse oldest
 * first) is tested through its internal header.
 */
#include <linux/kvm.h>
#include <unistd.h>

#include "emu_test.h"
#include "machine.h"
#ifdef IOFD_EMU_MOCK
#include "emu_mock_test.h"
#endif

#define BDF0 "0000:00:03.0"
#define BDF1 "0000:00:04.0"
#define BDF2 "0000:01:00.0"
#define BAR0 0ULL

static uint64_t fresh_digest(void)
{
	struct emu *emu;
	uint64_t d;

	CHECK_OK(emu_create(&emu));
	d = emu_digest(emu);
	emu_destroy(emu);
	return d;
}

static void expect_empty(struct emu_t *t)
{
	struct emu_counters c, zero;

	emu_counters_get(t->emu, &c);
	memset(&zero, 0, sizeof(zero));
	CHECK(!memcmp(&c, &zero, sizeof(c)));
}

/* Set the calling thread's fail-nth counter to @text and close its file. */
static void fail_nth_set(struct emu_t *t, const char *text)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	fd = CHECK_OK(t_open(t, path));
	CHECK_EQ(emu_pwrite(t->emu, fd, text, strlen(text), 0),
		 (long)strlen(text));
	CHECK_OK(t_close(t, fd));
}

/* The pool's huge pages and one of them mapped, at the test's memory. */
static void hugetlb_use(struct emu_t *t)
{
	emu_hugetlb_pool_set(t->emu, 2);
	CHECK_OK(emu_hugetlb_map(t->emu, getpid(), (uintptr_t)t->mem,
				 2ULL << 20));
}

#ifdef IOFD_EMU_MOCK
/*
 * What the selftest mock leaves on @fd: a mock device on a nested HWPT
 * whose fault queue holds a fault, an access pinning pages, and (on the
 * machine, past every fd) the memory limit.
 */
static void use_selftest_mock(struct emu_t *t, int fd)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct iommu_test_cmd cmd;
	uint32_t ioas, stdev, idev;

	CHECK_OK(ioas_alloc_raw(t, fd, &ioas));
	CHECK_OK(map_fixed_raw(t, fd, ioas, MOCK_APERTURE_START, 4 * PG,
			       t_va(t, 0)));
	cmd = t_cmd(IOMMU_TEST_OP_MOCK_DOMAIN, ioas);
	CHECK_OK(test_cmd(t, fd, &cmd));
	stdev = cmd.mock_domain.out_stdev_id;
	idev = cmd.mock_domain.out_idev_id;
	alloc.dev_id = idev;
	alloc.pt_id = ioas;
	alloc.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	CHECK_OK(t_ioctl(t, fd, IOMMU_HWPT_ALLOC, &alloc));
	CHECK_OK(t_ioctl(t, fd, IOMMU_FAULT_QUEUE_ALLOC, &fa));
	alloc.pt_id = alloc.out_hwpt_id;
	alloc.flags = IOMMU_HWPT_FAULT_ID_VALID;
	alloc.fault_id = fa.out_fault_id;
	alloc.data_type = IOMMU_HWPT_DATA_SELFTEST;
	alloc.data_uptr = (uintptr_t)&data;
	alloc.data_len = sizeof(data);
	CHECK_OK(t_ioctl(t, fd, IOMMU_HWPT_ALLOC, &alloc));
	cmd = t_cmd(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, stdev);
	cmd.mock_domain_replace.pt_id = alloc.out_hwpt_id;
	CHECK_OK(test_cmd(t, fd, &cmd));
	cmd = t_cmd(IOMMU_TEST_OP_TRIGGER_IOPF, 0);
	cmd.trigger_iopf.dev_id = idev;
	cmd.trigger_iopf.pasid = 1;
	cmd.trigger_iopf.addr = 0xdeadbeaf;
	CHECK_OK(test_cmd(t, fd, &cmd));
	cmd = t_cmd(IOMMU_TEST_OP_CREATE_ACCESS, ioas);
	cmd.create_access.flags = MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES;
	CHECK_OK(test_cmd(t, fd, &cmd));
	cmd = t_cmd(IOMMU_TEST_OP_ACCESS_PAGES, cmd.create_access.out_access_fd);
	cmd.access_pages.iova = MOCK_APERTURE_START;
	cmd.access_pages.length = 2 * PG;
	cmd.access_pages.uptr = t_va(t, 0);
	CHECK_OK(test_cmd(t, fd, &cmd));
	cmd = t_cmd(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 0);
	cmd.memory_limit.limit = 64;
	CHECK_OK(test_cmd(t, fd, &cmd));
}
#endif

/* Everything a program can leave in a machine, all of it at once. */
static void use_everything(struct emu_t *t, struct emu_mm_cache *cache)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	struct emu_creds creds = { .memlock_limit = 1ULL << 30 };
	uint32_t ioas, hwpt;
	int fd, devfd, kvm, vm;
	int32_t v;
	void *m;
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = KVM_DEV_VFIO_FILE_ADD,
		.addr = (uintptr_t)&v,
	};

	CHECK_EQ(t_add_dev(t, "e1000e", BDF0, EMU_SYSFS_OK), 0);
	CHECK_EQ(t_add_dev(t, "e1000e", BDF1, EMU_SYSFS_WRONG_DEVT), 1);
	CHECK_EQ(t_add_dev(t, "e1000e", BDF2, EMU_SYSFS_OK), 2);
	emu_creds_set(t->emu, &creds);
	emu_uaccess_set(t->emu, EMU_UACCESS_TRUSTED);
	emu_mm_cache_use(t->emu, cache);

	fd = CHECK_OK(t_open(t, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(t, fd, &ioas));
	CHECK_OK(map_fixed_raw(t, fd, ioas, 0x100000, 4 * PG, t_va(t, 0)));
	devfd = CHECK_OK(t_open_dev(t, 0));
	CHECK_OK(bind_raw(t, devfd, fd, NULL));
	CHECK_OK(attach_raw(t, devfd, ioas, &hwpt));
	CHECK_OK(t->host.ops->mmap(t->host.priv, NULL, 0x20000,
				   PROT_READ | PROT_WRITE, MAP_SHARED, devfd,
				   BAR0, &m));
	CHECK_OK(emu_dup(t->emu, fd));

	kvm = CHECK_OK(t_open(t, "/dev/kvm"));
	vm = CHECK_OK(t_ioctl(t, kvm, KVM_CREATE_VM, NULL));
	CHECK_OK(t_ioctl(t, vm, KVM_CREATE_DEVICE, &cd));
	v = devfd;
	CHECK_OK(t_ioctl(t, (int)cd.fd, KVM_SET_DEVICE_ATTR, &a));
	/* KVM keeps the device file (and its bind) past its fd. */
	CHECK_OK(t_close(t, devfd));
#ifdef IOFD_EMU_MOCK
	use_selftest_mock(t, fd);
#endif
	hugetlb_use(t);
	/* Last: every fault point from here on counts it down. */
	fail_nth_set(t, "1000000");
}

static void reset_to_fresh(bool arena)
{
	uint64_t fresh = fresh_digest();
	struct emu_mm_cache *cache;
	struct emu_t t;
	char path[64];
	int round;

	CHECK_OK(emu_mm_cache_create(&cache));
	emu_t_setup(&t);
	if (arena)
		CHECK_OK(emu_arena_use(t.emu));
	CHECK_EQ(emu_digest(t.emu), fresh);
	for (round = 0; round < 2; round++) {
		use_everything(&t, cache);
		CHECK(emu_digest(t.emu) != fresh);
		emu_reset(t.emu);
		CHECK_EQ(emu_digest(t.emu), fresh);
		expect_empty(&t);
	}
	/* A new life: numbering starts again, the defaults are back. */
	CHECK_EQ(emu_device_add(t.emu, emu_profile_find("e1000e"), BDF1,
				EMU_SYSFS_OK, path, sizeof(path)), 0);
	CHECK(!strcmp(path, "/sys/bus/pci/devices/" BDF1));
	CHECK_EQ(t_open(&t, "/dev/iommu"), 3);
	CHECK_OK(t_close(&t, 3));
	emu_t_teardown(&t);
	emu_mm_cache_destroy(cache);
}

static void reset_equals_fresh(void)
{
	reset_to_fresh(false);
}

/* On the arena the same holds: every block is back once reset. */
static void reset_equals_fresh_arena(void)
{
	reset_to_fresh(true);
}

/* The arena's blocks in use, but the fd table's, which a reset keeps. */
static unsigned long blocks(struct emu_t *t)
{
	return emu_heap_live(t->emu->heap) - (t->emu->fds ? 1 : 0);
}

/* An object a reset forgot on the arena moves the digest. */
static void digest_counts_arena_blocks(void)
{
	uint64_t fresh = fresh_digest();
	struct emu_t t;
	void *forgot, *m;
	int fd, devfd;

	emu_t_setup(&t);
	CHECK_OK(emu_arena_use(t.emu));
	CHECK_EQ(emu_digest(t.emu), fresh);
	forgot = emu_heap_zalloc(t.emu->heap, 40);
	CHECK(forgot != NULL);
	CHECK(emu_digest(t.emu) != fresh);
	emu_reset(t.emu);
	CHECK(emu_digest(t.emu) != fresh);
	emu_heap_free(t.emu->heap, forgot);
	CHECK_EQ(emu_digest(t.emu), fresh);
	/* The arena is chosen while nothing is open, and stays chosen. */
	emu_destroy(t.emu);
	CHECK_OK(emu_create(&t.emu));
	emu_host(t.emu, &t.host);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_ERR(EBUSY, emu_arena_use(t.emu));
	CHECK_OK(t_close(&t, fd));
	/* Nor while the machine holds what libc gave past every fd. */
	fail_nth_set(&t, "0");
	CHECK_ERR(EBUSY, emu_arena_use(t.emu));
	emu_reset(t.emu);
	hugetlb_use(&t);
	CHECK_ERR(EBUSY, emu_arena_use(t.emu));
	emu_reset(t.emu);
	fd = CHECK_OK(t_open(&t, "/dev/kmsg"));
	CHECK_EQ(emu_pwrite(t.emu, fd, "x\n", 2, 0), 2);
	CHECK_OK(t_close(&t, fd));
	CHECK_ERR(EBUSY, emu_arena_use(t.emu));
	emu_reset(t.emu);
	/* A BAR's store and model state, and the mapping list emptied. */
	CHECK_EQ(t_add_dev(&t, "e1000e", BDF0, EMU_SYSFS_OK), 0);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	devfd = CHECK_OK(t_open_dev(&t, 0));
	CHECK_OK(bind_raw(&t, devfd, fd, NULL));
	CHECK_OK(t.host.ops->mmap(t.host.priv, NULL, PG, PROT_READ, MAP_SHARED,
				  devfd, BAR0, &m));
	CHECK_OK(t.host.ops->munmap(t.host.priv, m, PG));
	CHECK_OK(t_close(&t, devfd));
	CHECK_OK(t_close(&t, fd));
	CHECK_ERR(EBUSY, emu_arena_use(t.emu));
	emu_reset(t.emu);
	/* The emptied fd table goes back to libc; the next is the arena's. */
	CHECK(t.emu->fds != NULL);
	CHECK_OK(emu_arena_use(t.emu));
	CHECK_OK(emu_arena_use(t.emu));
	CHECK(t.emu->fds == NULL);
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_EQ(blocks(&t), 2);	/* the file and its context */
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/*
 * A reset that forgot the file at @fd: an extra reference keeps it past
 * the reset with everything it holds. The reset zeroes every counter all
 * the same, so only the blocks still in use (@held of them) tell: the
 * digest moves. Dropping the reference and resetting again gives a new
 * machine.
 */
static void forget_file(struct emu_t *t, int fd, unsigned long held)
{
	uint64_t fresh = fresh_digest();
	struct emu_file *file = emu_fd_get(t->emu, fd);

	CHECK(file != NULL);
	emu_file_get(file);
	emu_reset(t->emu);
	CHECK_EQ(blocks(t), held);
	CHECK(emu_digest(t->emu) != fresh);
	emu_file_put(t->emu, file);
	CHECK_EQ(blocks(t), 0);
	emu_reset(t->emu);
	CHECK_EQ(emu_digest(t->emu), fresh);
}

/*
 * KVM's and the legacy container's objects are the arena's. A kvm-vfio
 * device a reset forgot holds six blocks: its file, itself, its VM, its
 * VFIO file list and the device file on it (the file and its cdev
 * state). A container holds two, its file and itself; its type-1 state
 * goes with the last group (as in the kernel), so it is counted on the
 * way: two blocks at SET_IOMMU (the state and its reserved ranges), three
 * a MAP_DMA (the mapping, its pages object and an area tree node).
 */
static void digest_sees_forgotten_objects_arena(void)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = 0x100000,
		.size = 2 * PG,
	};
	int32_t v;
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = KVM_DEV_VFIO_FILE_ADD,
		.addr = (uintptr_t)&v,
	};
	unsigned long before;
	struct emu_t t;
	int kvm, vm, c, g;

	emu_t_setup(&t);
	CHECK_OK(emu_arena_use(t.emu));
	CHECK_EQ(t_add_dev(&t, "e1000e", BDF0, EMU_SYSFS_OK), 0);
	kvm = CHECK_OK(t_open(&t, "/dev/kvm"));
	vm = CHECK_OK(t_ioctl(&t, kvm, KVM_CREATE_VM, NULL));
	CHECK_OK(t_ioctl(&t, vm, KVM_CREATE_DEVICE, &cd));
	v = CHECK_OK(t_open_dev(&t, 0));
	CHECK_OK(t_ioctl(&t, (int)cd.fd, KVM_SET_DEVICE_ATTR, &a));
	forget_file(&t, (int)cd.fd, 6);

	CHECK_EQ(t_add_dev(&t, "e1000e", BDF0, EMU_SYSFS_OK), 0);
	c = CHECK_OK(t_open(&t, "/dev/vfio/vfio"));
	g = CHECK_OK(t_open(&t, "/dev/vfio/1"));
	CHECK_OK(t_ioctl(&t, g, VFIO_GROUP_SET_CONTAINER, &c));
	before = blocks(&t);
	CHECK_OK(t_ioctl(&t, c, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU));
	CHECK_EQ(blocks(&t), before + 2);
	map.vaddr = t_va(&t, 0);
	CHECK_OK(t_ioctl(&t, c, VFIO_IOMMU_MAP_DMA, &map));
	CHECK_EQ(blocks(&t), before + 5);
	/* The group's file goes, and with it every block of type-1. */
	CHECK_OK(t_close(&t, g));
	CHECK_EQ(blocks(&t), before - 1);
	forget_file(&t, c, 2);
	emu_t_teardown(&t);
}

/* The arena's blocks: zeroed, kept by realloc, reused oldest first. */
static void arena_blocks(void)
{
	struct emu_heap *h = emu_heap_create();
	unsigned char *a, *b, *c, *big;
	size_t i;

	CHECK(h != NULL);
	a = emu_heap_zalloc(h, 24);
	b = emu_heap_zalloc(h, 24);
	big = emu_heap_zalloc(h, 4096);
	CHECK(a && b && big && a != b);
	CHECK_EQ(emu_heap_live(h), 3);
	for (i = 0; i < 24; i++)
		CHECK_EQ(a[i], 0);
	for (i = 0; i < 4096; i++)
		CHECK_EQ(big[i], 0);
	memset(a, 0xab, 24);
	a = emu_heap_realloc(h, a, 20);	/* fits: stays */
	CHECK_EQ(a[19], 0xab);
	c = emu_heap_realloc(h, a, 100);	/* moves, content kept */
	CHECK(c != NULL && c != a);
	CHECK_EQ(c[0], 0xab);
	CHECK_EQ(c[23], 0xab);
	CHECK_EQ(emu_heap_live(h), 3);
	emu_heap_free(h, b);
	/* a was freed first (by the realloc): it comes back first. */
	CHECK(emu_heap_zalloc(h, 30) == a);
	CHECK(emu_heap_zalloc(h, 17) == b);
	CHECK_EQ(a[0], 0);
	emu_heap_free(h, a);
	emu_heap_free(h, b);
	emu_heap_free(h, c);
	emu_heap_free(h, big);
	CHECK_EQ(emu_heap_live(h), 0);
	emu_heap_destroy(h);
}

#ifdef IOFD_EMU_MOCK
#define NR_PIECES 16
#else
#define NR_PIECES 14
#endif

/*
 * Each piece alone: the digest moves, and a reset brings it back. The
 * pieces from 9 on are what a machine keeps past every fd (a fail-nth
 * counter, the hugetlb pool and its huge pages, the machine variant, the
 * mock's memory limit) and the kernel-selftest objects a context holds.
 */
static void sees_each_piece(bool arena)
{
	uint64_t fresh = fresh_digest();
	struct emu_creds creds;
	struct emu_mm_cache *cache;
	struct emu_t t;
	struct iommu_fault_alloc fa = { .size = sizeof(fa) };
	struct emu_variant variant;
	uint32_t ioas;
	unsigned int piece;
	int fd, devfd;
	void *m;
#ifdef IOFD_EMU_MOCK
	struct iommu_test_cmd cmd;
#endif

	CHECK_OK(emu_mm_cache_create(&cache));
	emu_t_setup(&t);
	if (arena)
		CHECK_OK(emu_arena_use(t.emu));
	for (piece = 0; piece < NR_PIECES; piece++) {
		switch (piece) {
		case 0:		/* a device */
			CHECK_EQ(t_add_dev(&t, "e1000e", BDF0, EMU_SYSFS_OK), 0);
			break;
		case 1:		/* a KVM VM */
			fd = CHECK_OK(t_open(&t, "/dev/kvm"));
			CHECK_OK(t_ioctl(&t, fd, KVM_CREATE_VM, NULL));
			CHECK_OK(t_close(&t, fd));
			break;
		case 2:		/* an fd */
			CHECK_OK(t_open(&t, "/dev/iommu"));
			break;
		case 3:		/* an object in a context */
			fd = CHECK_OK(t_open(&t, "/dev/iommu"));
			CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
			break;
		case 4:		/* credentials */
			emu_creds_get(t.emu, &creds);
			creds.cap_ipc_lock = true;
			emu_creds_set(t.emu, &creds);
			break;
		case 5:		/* the uaccess mode */
			emu_uaccess_set(t.emu, EMU_UACCESS_TRUSTED);
			break;
		case 6:		/* the memory-map cache */
			emu_mm_cache_use(t.emu, cache);
			break;
		case 7:		/* a bound device and its vfio-pci state */
			CHECK_EQ(t_add_dev(&t, "e1000e", BDF0, EMU_SYSFS_OK), 0);
			fd = CHECK_OK(t_open(&t, "/dev/iommu"));
			devfd = CHECK_OK(t_open_dev(&t, 0));
			CHECK_OK(bind_raw(&t, devfd, fd, NULL));
			break;
		case 8:		/* a region mapping */
			CHECK_EQ(t_add_dev(&t, "e1000e", BDF0, EMU_SYSFS_OK), 0);
			fd = CHECK_OK(t_open(&t, "/dev/iommu"));
			devfd = CHECK_OK(t_open_dev(&t, 0));
			CHECK_OK(bind_raw(&t, devfd, fd, NULL));
			CHECK_OK(t.host.ops->mmap(t.host.priv, NULL, PG,
						  PROT_READ, MAP_SHARED, devfd,
						  BAR0, &m));
			break;
		case 9:		/* a fail-nth counter, its file closed */
			fail_nth_set(&t, "7");
			break;
		case 10:	/* the hugetlb pool */
			emu_hugetlb_pool_set(t.emu, 1);
			break;
		case 11:	/* huge pages mapped */
			hugetlb_use(&t);
			break;
		case 12:	/* an I/O page fault queue */
			fd = CHECK_OK(t_open(&t, "/dev/iommu"));
			CHECK_OK(t_ioctl(&t, fd, IOMMU_FAULT_QUEUE_ALLOC, &fa));
			break;
#ifdef IOFD_EMU_MOCK
		case 13:	/* the machine variant */
			emu_variant_default(&variant);
			variant.vtd_aw_bits = 48;
			CHECK_OK(emu_variant_set(t.emu, &variant));
			break;
		case 14:	/* the mock's memory limit, its fd closed */
			fd = CHECK_OK(t_open(&t, "/dev/iommu"));
			cmd = t_cmd(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 0);
			cmd.memory_limit.limit = 64;
			CHECK_OK(test_cmd(&t, fd, &cmd));
			CHECK_OK(t_close(&t, fd));
			break;
		case 15:	/* the mock's objects: devices, HWPTs, faults */
			fd = CHECK_OK(t_open(&t, "/dev/iommu"));
			use_selftest_mock(&t, fd);
			break;
#endif
		}
		CHECK(emu_digest(t.emu) != fresh);
		emu_reset(t.emu);
		CHECK_EQ(emu_digest(t.emu), fresh);
	}
	emu_t_teardown(&t);
	emu_mm_cache_destroy(cache);
}

static void digest_sees_each_piece(void)
{
	sees_each_piece(false);
}

/* On the arena: every piece's blocks are back after the reset. */
static void digest_sees_each_piece_arena(void)
{
	sees_each_piece(true);
}

/* Machines in the same state: one digest, whatever their addresses. */
static void digest_is_state(void)
{
	struct emu_t a, b;
	uint32_t ia, ib;
	int fa, fb;

	emu_t_setup(&a);
	emu_t_setup(&b);
	CHECK_EQ(t_add_dev(&a, "e1000e", BDF0, EMU_SYSFS_OK), 0);
	CHECK_EQ(t_add_dev(&b, "e1000e", BDF0, EMU_SYSFS_OK), 0);
	fa = CHECK_OK(t_open(&a, "/dev/iommu"));
	fb = CHECK_OK(t_open(&b, "/dev/iommu"));
	CHECK_OK(ioas_alloc_raw(&a, fa, &ia));
	CHECK_OK(ioas_alloc_raw(&b, fb, &ib));
	CHECK_EQ(emu_digest(a.emu), emu_digest(b.emu));
	/* The same fd open on another file kind is another state. */
	CHECK_OK(t_close(&b, fb));
	CHECK_EQ(t_open(&b, "/dev/kvm"), fb);
	CHECK(emu_digest(a.emu) != emu_digest(b.emu));
	CHECK_OK(t_close(&a, fa));
	CHECK_OK(t_close(&b, fb));
	emu_t_teardown(&a);
	emu_t_teardown(&b);
}

static const struct check_test tests[] = {
	TEST(reset_equals_fresh),
	TEST(reset_equals_fresh_arena),
	TEST(digest_counts_arena_blocks),
	TEST(digest_sees_forgotten_objects_arena),
	TEST(arena_blocks),
	TEST(digest_sees_each_piece),
	TEST(digest_sees_each_piece_arena),
	TEST(digest_is_state),
};

CHECK_MAIN(tests)
