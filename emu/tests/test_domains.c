// SPDX-License-Identifier: MIT
/*
 * Conformance of domains, pinning, the VFIO device and KVM (label
 * "conformance"): HWPT_ALLOC (spec 2.10, 6.2 #36-37), GET_HW_INFO (2.11,
 * 6.2 #12, #39), dirty tracking (2.12-2.13, 6.2 #38, #40-41), user memory
 * pinning and locked-memory accounting (2.5 #11-12, 4.7, section 9), the
 * VFIO cdev's region/irq/reset/read-write (5), the KVM model, and the
 * fault plan's fail-every mode.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"

static void hwpt_alloc_rules(void)
{
	uint32_t h, h2;
	struct conf c;

	conf_setup(&c, "e1000e");
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd,
					     ~IOMMU_HWPT_ALLOC_NEST_PARENT,
					     2, 1, NULL));
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd,
					     IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					     2, 1, NULL));
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd,
					     IOMMU_HWPT_FAULT_ID_VALID, 2, 1,
					     NULL));
	CHECK_ERR(ENOENT, hwpt_alloc_raw(&c.t, c.iommufd, 0, 1, 1, NULL));
	CHECK_ERR(EINVAL, hwpt_alloc_raw(&c.t, c.iommufd, 0, 2, 99, NULL));
	CHECK_ERR(EINVAL, hwpt_alloc_raw(&c.t, c.iommufd, 0, 2, 2, NULL));
	CHECK_OK(hwpt_alloc_raw(&c.t, c.iommufd, 0, 2, 1, &h));
	CHECK_EQ(h, 3);
	/* QEMU's intel-iommu has no nesting in ecap: no nesting parent. */
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd,
					     IOMMU_HWPT_ALLOC_NEST_PARENT, 2, 1,
					     NULL));
	CHECK_OK(hwpt_alloc_raw(&c.t, c.iommufd, 0, 2, 1, &h2));
	CHECK_EQ(h2, 4);
	/* Nested on a non-NEST_PARENT parent, and without data. */
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd, 0, 2, h, NULL));
	/* Attach to the manual HWPT; both it and the IOAS are busy. */
	CHECK_OK(attach_raw(&c.t, c.devfd, h, NULL));
	CHECK_ERR(EBUSY, destroy_raw(&c.t, c.iommufd, h));
	CHECK_ERR(EBUSY, destroy_raw(&c.t, c.iommufd, 1));
	/* Replace onto the other manual HWPT; the first is now free. */
	CHECK_OK(attach_raw(&c.t, c.devfd, h2, NULL));
	CHECK_OK(destroy_raw(&c.t, c.iommufd, h));
	CHECK_ERR(EBUSY, destroy_raw(&c.t, c.iommufd, h2));
	CHECK_OK(detach_raw(&c.t, c.devfd));
	/* A manual HWPT stays after its last device leaves. */
	CHECK_OK(destroy_raw(&c.t, c.iommufd, h2));
	CHECK_ERR(ENOENT, destroy_raw(&c.t, c.iommufd, h2));
	/* Failed creations consume no id. */
	CHECK_OK(hwpt_alloc_raw(&c.t, c.iommufd, 0, 2, 1, &h));
	CHECK_EQ(h, 3);
	emu_t_expect_counters(&c.t, 2, 1, 3, 0);
	conf_teardown(&c);
}

/* 6.2 #37: a dirty HWPT takes only devices whose IOMMU tracks. */
static void dirty_enforced(void)
{
	uint32_t h;
	struct conf c;
	int dev2;

	conf_setup_hwpt(&c, "dirty", IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	CHECK_EQ(t_add_dev(&c.t, "e1000e", "0000:00:04.0", EMU_SYSFS_OK), 1);
	dev2 = CHECK_OK(t_open_dev(&c.t, 1));
	CHECK_OK(bind_raw(&c.t, dev2, c.iommufd, &h));
	CHECK_EQ(h, 4);
	CHECK_ERR(EINVAL, attach_raw(&c.t, dev2, c.hwpt, NULL));
	CHECK_ERR(EOPNOTSUPP, hwpt_alloc_raw(&c.t, c.iommufd,
					     IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
					     4, 1, NULL));
	CHECK_OK(t_close(&c.t, dev2));
	conf_teardown(&c);
}

static void hw_info(void)
{
	struct iommu_hw_info_vtd vtd;
	uint8_t buf[64];
	struct iommu_hw_info cmd;
	struct conf c;

	conf_setup(&c, "dirty");
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.dev_id = 2;
	CHECK_OK(t_ioctl(&c.t, c.iommufd, IOMMU_GET_HW_INFO, &cmd));
	CHECK_EQ(cmd.data_len, sizeof(vtd));
	CHECK_EQ(cmd.out_data_type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	CHECK_EQ(cmd.out_capabilities, IOMMU_HW_CAP_DIRTY_TRACKING);
	/* Larger buffer: tail zeroed; smaller: prefix only. */
	memset(buf, 0xee, sizeof(buf));
	cmd.data_len = 32;
	cmd.data_uptr = (uintptr_t)buf;
	CHECK_OK(t_ioctl(&c.t, c.iommufd, IOMMU_GET_HW_INFO, &cmd));
	memcpy(&vtd, buf, sizeof(vtd));
	CHECK_EQ((vtd.cap_reg >> 16) & 0x3f, 38);
	CHECK(vtd.ecap_reg & (1ULL << 45));
	CHECK_EQ(buf[sizeof(vtd)], 0);
	CHECK_EQ(buf[31], 0);
	CHECK_EQ(buf[32], 0xee);
	memset(buf, 0xee, sizeof(buf));
	cmd.data_len = 4;
	CHECK_OK(t_ioctl(&c.t, c.iommufd, IOMMU_GET_HW_INFO, &cmd));
	CHECK_EQ(cmd.data_len, sizeof(vtd));
	CHECK_EQ(buf[4], 0xee);
	/* 32-byte struct: out_capabilities is not written. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = 32;
	cmd.dev_id = 2;
	cmd.out_capabilities = 0x55;
	CHECK_OK(t_ioctl(&c.t, c.iommufd, IOMMU_GET_HW_INFO, &cmd));
	CHECK_EQ(cmd.out_capabilities, 0x55);
	cmd.size = sizeof(cmd);
	cmd.flags = 1;
	CHECK_ERR(EOPNOTSUPP, t_ioctl(&c.t, c.iommufd, IOMMU_GET_HW_INFO,
				      &cmd));
	cmd.flags = 0;
	cmd.dev_id = 1;
	CHECK_ERR(ENOENT, t_ioctl(&c.t, c.iommufd, IOMMU_GET_HW_INFO, &cmd));
	conf_teardown(&c);
}

static void dirty_bitmap(void)
{
	uint64_t bm[2];
	struct conf c;

	conf_setup_hwpt(&c, "dirty", IOMMU_HWPT_ALLOC_DIRTY_TRACKING);
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x100000, 64 * PG,
			       t_va(&c.t, 0)));
	/* Not enabled: a DMA write records nothing. */
	CHECK_OK(emu_hwpt_dirty(c.t.emu, c.iommufd, 3, 0x100000, PG));
	CHECK_OK(set_dirty_raw(&c.t, c.iommufd, 3,
			       IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	CHECK_OK(emu_hwpt_dirty(c.t.emu, c.iommufd, 3, 0x101000, 1));
	CHECK_OK(emu_hwpt_dirty(c.t.emu, c.iommufd, 3, 0x104000, 2 * PG));
	CHECK_ERR(EFAULT, emu_hwpt_dirty(c.t.emu, c.iommufd, 3, 0x200000,
					 PG));
	CHECK_ERR(ENOENT, emu_hwpt_dirty(c.t.emu, c.iommufd, 1, 0x100000,
					 PG));
	CHECK_ERR(EBADF, emu_hwpt_dirty(c.t.emu, c.devfd, 3, 0x100000, PG));
	memset(bm, 0, sizeof(bm));
	CHECK_OK(get_dirty_raw(&c.t, c.iommufd, 3,
			       IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 0x100000,
			       64 * PG, PG, bm));
	CHECK_EQ(bm[0], 0x32);
	memset(bm, 0, sizeof(bm));
	CHECK_OK(get_dirty_raw(&c.t, c.iommufd, 3, 0, 0x100000, 64 * PG, PG,
			       bm));
	CHECK_EQ(bm[0], 0x32);
	memset(bm, 0, sizeof(bm));
	CHECK_OK(get_dirty_raw(&c.t, c.iommufd, 3, 0, 0x100000, 64 * PG, PG,
			       bm));
	CHECK_EQ(bm[0], 0);
	/* Coarser page size: one bit per 16 KiB. */
	CHECK_OK(emu_hwpt_dirty(c.t.emu, c.iommufd, 3, 0x105000, PG));
	CHECK_OK(get_dirty_raw(&c.t, c.iommufd, 3, 0, 0x100000, 64 * PG,
			       4 * PG, bm));
	CHECK_EQ(bm[0], 0x2);
	/* Validation order. */
	CHECK_ERR(EOPNOTSUPP, get_dirty_raw(&c.t, c.iommufd, 3, 2, 0x100000,
					    PG, PG, bm));
	CHECK_ERR(ENOENT, get_dirty_raw(&c.t, c.iommufd, 1, 0, 0x100000, PG,
					PG, bm));
	CHECK_ERR(EOVERFLOW, get_dirty_raw(&c.t, c.iommufd, 3, 0, PG, 0, PG,
					   bm));
	CHECK_ERR(EINVAL, get_dirty_raw(&c.t, c.iommufd, 3, 0, 0x100800, PG,
					PG, bm));
	CHECK_ERR(EINVAL, get_dirty_raw(&c.t, c.iommufd, 3, 0, 0x100000, PG,
					0, bm));
	CHECK_ERR(EINVAL, get_dirty_raw(&c.t, c.iommufd, 3, 0, 0x101000, PG,
					2 * PG, bm));
	/* Unwritable bitmap: still 0 (6.12 ignores the walk's result). */
	CHECK_OK(emu_hwpt_dirty(c.t.emu, c.iommufd, 3, 0x100000, PG));
	CHECK_OK(get_dirty_raw(&c.t, c.iommufd, 3, 0, 0x100000, PG, PG,
			       (uint64_t *)8));
	CHECK_ERR(EOPNOTSUPP, set_dirty_raw(&c.t, c.iommufd, 3, 2));
	CHECK_ERR(ENOENT, set_dirty_raw(&c.t, c.iommufd, 1, 0));
	CHECK_OK(set_dirty_raw(&c.t, c.iommufd, 3, 0));
	conf_teardown(&c);
}

/* A HWPT without DIRTY_TRACKING has no dirty ops: EOPNOTSUPP. */
static void dirty_needs_flag(void)
{
	uint64_t bm = 0;
	struct conf c;

	conf_setup_hwpt(&c, "dirty", 0);
	CHECK_ERR(EOPNOTSUPP, set_dirty_raw(&c.t, c.iommufd, 3,
					    IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	CHECK_ERR(EOPNOTSUPP, get_dirty_raw(&c.t, c.iommufd, 3, 0, 0, PG, PG,
					    &bm));
	conf_teardown(&c);
}

/* Spec 2.5 #11, section 9: pinning checks the process's memory. */
static void pinning_checks_memory(void)
{
	uint8_t *ro, *hole;
	struct conf c;

	conf_setup(&c, "e1000e");
	ro = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	hole = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hole != MAP_FAILED);
	CHECK_OK(munmap(hole + PG, PG));
	/* No domain: user memory is not looked at. */
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x10000, PG, 0));
	/* ... but attaching pins it: EFAULT, nothing changed. */
	CHECK_ERR(EFAULT, attach_raw(&c.t, c.devfd, 1, NULL));
	emu_t_expect_counters(&c.t, 2, 1, 2, 0);
	CHECK_OK(unmap_raw(&c.t, c.iommufd, 1, 0, UINT64_MAX, NULL));
	CHECK_OK(attach_raw(&c.t, c.devfd, 1, NULL));
	CHECK_ERR(EFAULT, map_fixed_raw(&c.t, c.iommufd, 1, 0x10000, PG, 0));
	CHECK_ERR(EFAULT, map_fixed_raw(&c.t, c.iommufd, 1, 0x10000, 2 * PG,
					(uintptr_t)hole));
	CHECK_ERR(EFAULT, map_fixed_raw(&c.t, c.iommufd, 1, 0x10000, PG,
					(uintptr_t)ro));
	CHECK_OK(map_flags_raw(&c.t, c.iommufd, 1, IOMMU_IOAS_MAP_FIXED_IOVA |
			       IOMMU_IOAS_MAP_READABLE, 0x10000, PG,
			       (uintptr_t)ro));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x20000, PG,
			       (uintptr_t)hole));
	emu_t_expect_counters(&c.t, 2, 1, 3, 2);
	munmap(ro, 2 * PG);
	munmap(hole, PG);
	conf_teardown(&c);
}

/*
 * A memory-map cache (emu_mm_cache_use): memory mapped after the snapshot
 * pins (the miss re-reads the map), a hole and a read-only page are still
 * refused, and a machine without the cache answers from fresh reads.
 */
static void pinning_cache(void)
{
	struct emu_mm_cache *cache;
	uint8_t *early, *late;
	struct conf c;

	CHECK_OK(emu_mm_cache_create(&cache));
	conf_setup(&c, "e1000e");
	emu_mm_cache_use(c.t.emu, cache);
	CHECK_OK(attach_raw(&c.t, c.devfd, 1, NULL));
	early = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(early != MAP_FAILED);
	CHECK_OK(munmap(early + PG, PG));
	/* The first MAP takes the snapshot. */
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x10000, PG,
			       (uintptr_t)early));
	CHECK_ERR(EFAULT, map_fixed_raw(&c.t, c.iommufd, 1, 0x20000, 2 * PG,
					(uintptr_t)early));
	late = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(late != MAP_FAILED);
	CHECK_OK(mprotect(late + PG, PG, PROT_READ));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x20000, PG,
			       (uintptr_t)late));
	CHECK_ERR(EFAULT, map_fixed_raw(&c.t, c.iommufd, 1, 0x30000, PG,
					(uintptr_t)(late + PG)));
	emu_t_expect_counters(&c.t, 2, 1, 3, 2);
	emu_mm_cache_use(c.t.emu, NULL);
	CHECK_ERR(EFAULT, map_fixed_raw(&c.t, c.iommufd, 1, 0x30000, PG,
					(uintptr_t)(late + PG)));
	CHECK_OK(map_flags_raw(&c.t, c.iommufd, 1, IOMMU_IOAS_MAP_FIXED_IOVA |
			       IOMMU_IOAS_MAP_READABLE, 0x30000, PG,
			       (uintptr_t)(late + PG)));
	munmap(early, PG);
	munmap(late, 2 * PG);
	conf_teardown(&c);
	emu_mm_cache_destroy(cache);
}

/* Spec 4.7: charges follow pins; RLIMIT_MEMLOCK; CAP_IPC_LOCK. */
static void accounting(void)
{
	struct emu_counters cnt;
	struct emu_creds cr;
	struct conf c;

	conf_setup(&c, "e1000e");
	CHECK_OK(attach_raw(&c.t, c.devfd, 1, NULL));
	emu_creds_get(c.t.emu, &cr);
	cr.memlock_limit = 4 * PG;
	emu_creds_set(c.t.emu, &cr);
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x10000, 3 * PG,
			       t_va(&c.t, 0)));
	CHECK_ERR(ENOMEM, map_fixed_raw(&c.t, c.iommufd, 1, 0x20000, 2 * PG,
					t_va(&c.t, 0x10000)));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 3);
	CHECK_EQ(cnt.locked_pages, 3);
	/* With CAP_IPC_LOCK new pages objects are not charged. */
	cr.cap_ipc_lock = true;
	emu_creds_set(c.t.emu, &cr);
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, 1, 0x20000, 2 * PG,
			       t_va(&c.t, 0x10000)));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 5);
	CHECK_EQ(cnt.locked_pages, 3);
	CHECK_OK(detach_raw(&c.t, c.devfd));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.pinned_pages, 0);
	CHECK_EQ(cnt.locked_pages, 0);
	conf_teardown(&c);
}

static void vfio_regions_irqs(void)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	struct vfio_device_feature feat = { .argsz = sizeof(feat) };
	uint8_t cfg[64];
	uint32_t bar;
	struct conf c;
	int fd2;

	conf_setup(&c, "e1000e");
	ri.index = VFIO_PCI_BAR0_REGION_INDEX;
	CHECK_OK(t_ioctl(&c.t, c.devfd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	CHECK_EQ(ri.size, 0x20000);
	CHECK_EQ(ri.offset, 0);
	ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
	CHECK_OK(t_ioctl(&c.t, c.devfd, VFIO_DEVICE_GET_REGION_INFO, &ri));
	CHECK_EQ(ri.offset, 7ULL << 40);
	CHECK_EQ(ri.size, 4096);
	ri.index = VFIO_PCI_VGA_REGION_INDEX;
	CHECK_ERR(EINVAL, t_ioctl(&c.t, c.devfd, VFIO_DEVICE_GET_REGION_INFO,
				  &ri));
	ri.index = 9;
	CHECK_ERR(EINVAL, t_ioctl(&c.t, c.devfd, VFIO_DEVICE_GET_REGION_INFO,
				  &ri));
	ri.argsz = 8;
	ri.index = 0;
	CHECK_ERR(EINVAL, t_ioctl(&c.t, c.devfd, VFIO_DEVICE_GET_REGION_INFO,
				  &ri));
	ii.index = VFIO_PCI_MSIX_IRQ_INDEX;
	CHECK_OK(t_ioctl(&c.t, c.devfd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	CHECK_EQ(ii.count, 5);
	/* An x86 host allocates MSI-X vectors dynamically: no NORESIZE. */
	CHECK_EQ(ii.flags, VFIO_IRQ_INFO_EVENTFD);
	ii.index = VFIO_PCI_MSI_IRQ_INDEX;
	CHECK_OK(t_ioctl(&c.t, c.devfd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	CHECK_EQ(ii.flags, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE);
	ii.index = 5;
	CHECK_ERR(EINVAL, t_ioctl(&c.t, c.devfd, VFIO_DEVICE_GET_IRQ_INFO,
				  &ii));
	/* Config space: ids, then BAR sizing through pwrite/pread. */
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, cfg, 64, 7ULL << 40), 64);
	CHECK_EQ(cfg[0] | cfg[1] << 8, 0x8086);
	CHECK_EQ(cfg[2] | cfg[3] << 8, 0x10d3);
	CHECK_EQ(cfg[11], 0x02);
	bar = 0xffffffff;
	CHECK_EQ(emu_pwrite(c.t.emu, c.devfd, &bar, 4, (7ULL << 40) + 0x10),
		 4);
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, &bar, 4, (7ULL << 40) + 0x10),
		 4);
	CHECK_EQ(bar, 0xfffe0000);
	CHECK_ERR(EFAULT, emu_pread(c.t.emu, c.devfd, cfg, 8,
				    (7ULL << 40) + 4092));
	/* A reset leaves vfio-pci's virtual config space as it was. */
	CHECK_OK(t_ioctl(&c.t, c.devfd, VFIO_DEVICE_RESET, NULL));
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, &bar, 4, (7ULL << 40) + 0x10),
		 4);
	CHECK_EQ(bar, 0xfffe0000);
	CHECK_ERR(EINVAL, emu_pread(c.t.emu, c.devfd, cfg, 4,
				    4ULL << 40));
	CHECK_ERR(EINVAL, emu_pread(c.t.emu, c.iommufd, cfg, 4, 0));
	feat.flags = VFIO_DEVICE_FEATURE_PROBE | 0;
	CHECK_ERR(ENOTTY, t_ioctl(&c.t, c.devfd, VFIO_DEVICE_FEATURE, &feat));
	feat.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET;
	CHECK_ERR(EINVAL, t_ioctl(&c.t, c.devfd, VFIO_DEVICE_FEATURE, &feat));
	/* Before bind: reads, writes and every ioctl are EINVAL. */
	fd2 = CHECK_OK(t_open_dev(&c.t, 0));
	CHECK_ERR(EINVAL, emu_pread(c.t.emu, fd2, cfg, 4, 7ULL << 40));
	CHECK_ERR(EINVAL, emu_write(c.t.emu, fd2, cfg, 4));
	CHECK_ERR(EINVAL, t_ioctl(&c.t, fd2, VFIO_DEVICE_GET_REGION_INFO,
				  &ri));
	CHECK_ERR(EINVAL, t_ioctl(&c.t, fd2, VFIO_DEVICE_RESET, NULL));
	CHECK_OK(t_close(&c.t, fd2));
	conf_teardown(&c);
}

static int kvm_set_attr(struct emu_t *t, int fd, uint64_t attr, int32_t *v)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE,
		.attr = attr,
		.addr = (uintptr_t)v,
	};

	return t_ioctl(t, fd, KVM_SET_DEVICE_ATTR, &a);
}

static void kvm_vfio(void)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	struct kvm_device_attr a = { .group = 9 };
	struct emu_counters cnt;
	int kvm, vm, kdev, devfd;
	int32_t v;
	struct conf c;

	conf_setup(&c, "e1000e");
	kvm = CHECK_OK(t_open(&c.t, "/dev/kvm"));
	CHECK_EQ(t_ioctl(&c.t, kvm, KVM_GET_API_VERSION, NULL), 12);
	CHECK_ERR(EINVAL, t_ioctl(&c.t, kvm, KVM_CREATE_VM, (void *)99));
	vm = CHECK_OK(t_ioctl(&c.t, kvm, KVM_CREATE_VM, NULL));
	cd.type = KVM_DEV_TYPE_VFIO + 100;
	CHECK_ERR(ENODEV, t_ioctl(&c.t, vm, KVM_CREATE_DEVICE, &cd));
	cd.type = KVM_DEV_TYPE_VFIO;
	cd.flags = KVM_CREATE_DEVICE_TEST;
	CHECK_OK(t_ioctl(&c.t, vm, KVM_CREATE_DEVICE, &cd));
	cd.flags = 0;
	CHECK_OK(t_ioctl(&c.t, vm, KVM_CREATE_DEVICE, &cd));
	kdev = (int)cd.fd;
	CHECK_ERR(EBUSY, t_ioctl(&c.t, vm, KVM_CREATE_DEVICE, &cd));
	/* ADD: not a VFIO file, bad fd; DEL of an unregistered file. */
	v = c.iommufd;
	CHECK_ERR(EINVAL, kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_ADD, &v));
	v = 999;
	CHECK_ERR(EBADF, kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_ADD, &v));
	CHECK_ERR(EBADF, kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_DEL, &v));
	v = c.devfd;
	CHECK_ERR(ENOENT, kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_DEL, &v));
	CHECK_ERR(EFAULT, kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_ADD,
				       NULL));
	CHECK_ERR(ENXIO, kvm_set_attr(&c.t, kdev, 9, &v));
	CHECK_ERR(ENXIO, t_ioctl(&c.t, kdev, KVM_SET_DEVICE_ATTR, &a));
	CHECK_ERR(EPERM, t_ioctl(&c.t, kdev, KVM_GET_DEVICE_ATTR, &a));
	CHECK_OK(kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_ADD, &v));
	CHECK_ERR(EEXIST, kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_ADD,
				       &v));
	CHECK_EQ(emu_kvm_vfio_has(c.t.emu, kdev, c.devfd), 1);
	CHECK_EQ(emu_kvm_vfio_has(c.t.emu, kdev, c.iommufd), 0);
	CHECK_ERR(EBADF, emu_kvm_vfio_has(c.t.emu, vm, c.devfd));
	CHECK_OK(kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_DEL, &v));
	CHECK_EQ(emu_kvm_vfio_has(c.t.emu, kdev, c.devfd), 0);
	/* A registered device outlives its fd: still bound (DEVICE 2). */
	CHECK_OK(kvm_set_attr(&c.t, kdev, KVM_DEV_VFIO_FILE_ADD, &v));
	devfd = c.devfd;
	CHECK_OK(t_close(&c.t, devfd));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.objects, 2);
	CHECK_EQ(cnt.kvm_vfio_files, 1);
	CHECK_EQ(cnt.files, 5);
	CHECK_EQ(cnt.fds, 4);
	/* The VM fd goes first; the device holds the VM. */
	CHECK_OK(t_close(&c.t, vm));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.kvm_vms, 1);
	CHECK_OK(t_close(&c.t, kdev));
	emu_counters_get(c.t.emu, &cnt);
	CHECK_EQ(cnt.kvm_vms, 0);
	CHECK_EQ(cnt.kvm_devices, 0);
	CHECK_EQ(cnt.objects, 1);
	CHECK_OK(t_close(&c.t, kvm));
	CHECK_OK(t_close(&c.t, c.iommufd));
	emu_t_teardown(&c.t);
}

static void fault_every(void)
{
	struct emu_fault *f;
	struct iofd_host fh;
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	struct emu_t t;
	int fd;

	emu_t_setup(&t);
	CHECK_OK(emu_fault_create(&t.host, &f));
	emu_fault_host(f, &fh);
	emu_fault_fail_every(f, EMU_FAULT_OPEN, 0, EACCES);
	CHECK_ERR(EACCES, fh.ops->open(fh.priv, "/dev/iommu", O_RDWR));
	CHECK_ERR(EACCES, fh.ops->open(fh.priv, "/dev/iommu", O_RDWR));
	CHECK(emu_fault_fired(f));
	emu_fault_fail_every(f, EMU_FAULT_IOCTL, IOMMU_IOAS_ALLOC, ENOMEM);
	fd = CHECK_OK(fh.ops->open(fh.priv, "/dev/iommu", O_RDWR));
	CHECK_ERR(ENOMEM, fh.ops->ioctl(fh.priv, fd, IOMMU_IOAS_ALLOC, &cmd));
	CHECK_ERR(ENOENT, destroy_raw(&t, fd, 1));
	emu_fault_fail_every(f, 0, 0, 0);
	CHECK_OK(fh.ops->ioctl(fh.priv, fd, IOMMU_IOAS_ALLOC, &cmd));
	/* close fails but the fd is gone, as on Linux. */
	emu_fault_fail_every(f, EMU_FAULT_CLOSE, 0, EIO);
	CHECK_ERR(EIO, fh.ops->close(fh.priv, fd));
	emu_fault_fail_every(f, 0, 0, 0);
	CHECK_ERR(EBADF, fh.ops->close(fh.priv, fd));
	emu_fault_destroy(f);
	emu_t_teardown(&t);
}

static const struct check_test tests[] = {
	TEST(hwpt_alloc_rules),
	TEST(dirty_enforced),
	TEST(hw_info),
	TEST(dirty_bitmap),
	TEST(dirty_needs_flag),
	TEST(pinning_checks_memory),
	TEST(pinning_cache),
	TEST(accounting),
	TEST(vfio_regions_irqs),
	TEST(kvm_vfio),
	TEST(fault_every),
};

CHECK_MAIN(tests)
