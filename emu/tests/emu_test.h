/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the emulator's tests. Everything goes through the host
 * table from emu_host(), with the real uAPI structs, exactly as the core
 * will call it. Each helper comes raw (returns 0 / -errno, in the selftest
 * triplet shape; the test wraps it in CHECK_OK or CHECK_ERR). Out
 * parameters are always written (0 on failure) so no compiler sees them
 * unset.
 *
 * emu_t_teardown() is the leak proof every test ends with: the test has
 * closed everything, so every counter must be back to zero.
 */
#ifndef EMU_TESTS_EMU_TEST_H
#define EMU_TESTS_EMU_TEST_H

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <emu/emu.h>

#include "check.h"

#define TEST(fn) { #fn, fn }

#define PG 0x1000ULL

/*
 * Real user memory for maps that get pinned: T_MEM_SIZE bytes, read and
 * write, 2 MiB aligned (t_va(t, off) is its address + off). Pinning checks
 * the process's memory map, so made-up addresses only work on an IOAS
 * without a domain.
 */
#define T_MEM_SIZE (8ULL << 20)

struct emu_t {
	struct emu *emu;
	struct iofd_host host;
	uint8_t *map;		/* the mmap, T_MEM_SIZE + 2 MiB */
	uint8_t *mem;		/* 2 MiB aligned inside it */
};

/* With EMU_TEST_ARENA set, the machine takes its objects from its arena. */
static inline void emu_t_setup(struct emu_t *t)
{
	uintptr_t a;

	CHECK_OK(emu_create(&t->emu));
	if (getenv("EMU_TEST_ARENA"))
		CHECK_OK(emu_arena_use(t->emu));
	emu_host(t->emu, &t->host);
	t->map = mmap(NULL, T_MEM_SIZE + (2ULL << 20), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(t->map != MAP_FAILED);
	a = ((uintptr_t)t->map + (2ULL << 20) - 1) & ~((uintptr_t)(2ULL << 20) - 1);
	t->mem = (uint8_t *)a;
}

static inline uint64_t t_va(const struct emu_t *t, uint64_t off)
{
	return (uint64_t)(uintptr_t)t->mem + off;
}

static inline void emu_t_expect_counters(struct emu_t *t, unsigned int fds,
					 unsigned int contexts,
					 unsigned int objects, uint64_t pinned)
{
	struct emu_counters c;

	emu_counters_get(t->emu, &c);
	CHECK_EQ(c.fds, fds);
	CHECK_EQ(c.contexts, contexts);
	CHECK_EQ(c.objects, objects);
	CHECK_EQ(c.pinned_pages, pinned);
}

static inline void emu_t_teardown(struct emu_t *t)
{
	struct emu_counters c;

	emu_t_expect_counters(t, 0, 0, 0, 0);
	emu_counters_get(t->emu, &c);
	CHECK_EQ(c.locked_pages, 0);
	CHECK_EQ(c.files, 0);
	CHECK_EQ(c.kvm_vms, 0);
	CHECK_EQ(c.kvm_devices, 0);
	CHECK_EQ(c.kvm_vfio_files, 0);
	emu_destroy(t->emu);
	munmap(t->map, T_MEM_SIZE + (2ULL << 20));
}

static inline int t_open(struct emu_t *t, const char *path)
{
	return t->host.ops->open(t->host.priv, path, O_RDWR);
}

static inline int t_close(struct emu_t *t, int fd)
{
	return t->host.ops->close(t->host.priv, fd);
}

static inline int t_ioctl(struct emu_t *t, int fd, unsigned long req,
			  void *arg)
{
	return t->host.ops->ioctl(t->host.priv, fd, req, arg);
}

/* Add a device with profile @name; returns its index. */
static inline int t_add_dev(struct emu_t *t, const char *name,
			    const char *bdf, enum emu_sysfs_variant variant)
{
	char path[128];

	return emu_device_add(t->emu, emu_profile_find(name), bdf, variant,
			      path, sizeof(path));
}

static inline int t_open_dev(struct emu_t *t, int index)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", index);
	return t_open(t, path);
}

static inline int ioas_alloc_raw(struct emu_t *t, int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int rc = t_ioctl(t, fd, IOMMU_IOAS_ALLOC, &cmd);

	if (id)
		*id = rc ? 0 : cmd.out_ioas_id;
	return rc;
}

static inline int destroy_raw(struct emu_t *t, int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return t_ioctl(t, fd, IOMMU_DESTROY, &cmd);
}

static inline int map_fixed_raw(struct emu_t *t, int fd, uint32_t ioas,
				uint64_t iova, uint64_t length,
				uint64_t user_va)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = user_va,
		.length = length,
		.iova = iova,
	};

	return t_ioctl(t, fd, IOMMU_IOAS_MAP, &cmd);
}

static inline int map_auto_raw(struct emu_t *t, int fd, uint32_t ioas,
			       uint64_t length, uint64_t user_va,
			       uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = user_va,
		.length = length,
	};
	int rc = t_ioctl(t, fd, IOMMU_IOAS_MAP, &cmd);

	if (iova)
		*iova = rc ? 0 : cmd.iova;
	return rc;
}

static inline int unmap_raw(struct emu_t *t, int fd, uint32_t ioas,
			    uint64_t iova, uint64_t length, uint64_t *out_len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.iova = iova,
		.length = length,
	};
	int rc = t_ioctl(t, fd, IOMMU_IOAS_UNMAP, &cmd);

	if (out_len)
		*out_len = cmd.length;
	return rc;
}

/* IOVA_RANGES into @ranges (@num entries); *total gets the count. */
static inline int iova_ranges_raw(struct emu_t *t, int fd, uint32_t ioas,
				  struct iommu_iova_range *ranges,
				  uint32_t num, uint32_t *total,
				  uint64_t *alignment)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas,
		.num_iovas = num,
		.allowed_iovas = (uintptr_t)ranges,
	};
	int rc = t_ioctl(t, fd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	if (total)
		*total = cmd.num_iovas;
	if (alignment)
		*alignment = cmd.out_iova_alignment;
	return rc;
}

static inline int bind_raw(struct emu_t *t, int devfd, int iommufd,
			   uint32_t *devid)
{
	struct vfio_device_bind_iommufd cmd = {
		.argsz = sizeof(cmd),
		.iommufd = iommufd,
	};
	int rc = t_ioctl(t, devfd, VFIO_DEVICE_BIND_IOMMUFD, &cmd);

	if (devid)
		*devid = rc ? 0 : cmd.out_devid;
	return rc;
}

static inline int attach_raw(struct emu_t *t, int devfd, uint32_t pt_id,
			     uint32_t *out)
{
	struct vfio_device_attach_iommufd_pt cmd = {
		.argsz = sizeof(cmd),
		.pt_id = pt_id,
	};
	int rc = t_ioctl(t, devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &cmd);

	if (out)
		*out = rc ? 0 : cmd.pt_id;
	return rc;
}

static inline int detach_raw(struct emu_t *t, int devfd)
{
	struct vfio_device_detach_iommufd_pt cmd = { .argsz = sizeof(cmd) };

	return t_ioctl(t, devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &cmd);
}

static inline int get_info_raw(struct emu_t *t, int devfd,
			       struct vfio_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	return t_ioctl(t, devfd, VFIO_DEVICE_GET_INFO, info);
}

#endif /* EMU_TESTS_EMU_TEST_H */
