/* SPDX-License-Identifier: MIT */
/*
 * iofd_conform: a uAPI conformance program written straight against the
 * kernel's interfaces (libc and the Linux uAPI headers only, no iofd
 * header), for a differential between a real kernel and the emulator.
 *
 * It walks every ioctl of /dev/iommu and of the VFIO device cdev, the
 * legacy group and container path (/dev/vfio/vfio, /dev/vfio/GROUP, the
 * type-1 container API on a container and on an iommufd), the device's
 * config space and BAR registers, and DMA by the device (an e1000e's
 * transmit ring fetched and written back through the IOMMU). Every call
 * becomes one transcript line:
 *
 *     <area> <step> <result>[ <key>=<value>]...
 *
 * <result> is "ok", "ret=N" for calls whose return value means something
 * (never an fd number) or the errno name; the keys are what the call
 * wrote back or what was read (ids, IOVAs, lengths, flags, register
 * values), in hex. Step names are unique, so two transcripts can be
 * joined on them (iofd_conform_diff). Nothing machine-specific is printed
 * unless the exceptions file of the diff names it: no pointer, no fd
 * number, no path that holds a group number.
 *
 * The run is deterministic given the machine: the buffers it maps are 2
 * MiB aligned, the IOVAs it picks are fixed, and every step runs whatever
 * the previous ones answered (a step whose input failed to be made runs
 * on -1 and records what that gives), so one difference shows as few
 * lines as the divergence allows.
 */
#ifndef IOFD_CONFORM_H
#define IOFD_CONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The areas, in run order; the diff reports fidelity per area. */
#define CF_AREAS(X)                                                   \
	X(objects, "iommufd objects: ids, destroy, options, sizes")   \
	X(ioas, "IOAS: ranges, allow, map, copy, unmap")              \
	X(hwpt, "HWPT and IOMMU: hw info, alloc, dirty, invalidate")  \
	X(cdev, "VFIO device cdev: bind, attach, detach")             \
	X(group, "legacy group, container and iommufd compat")        \
	X(regions, "device info, regions, irqs, config and BARs")     \
	X(dma, "device DMA through the IOMMU")

struct cf {
	const char *area;		/* the area being run */
	const char *bdf;		/* the device under test */
	const char *bdf2;		/* a second device, or NULL */
	int group;			/* iommu group number of bdf */
	bool kmsg;			/* DMA faults are read from /dev/kmsg */
	unsigned int lines;
	uint8_t *mem;			/* CF_MEM_SIZE bytes, 2 MiB aligned */
};

#define CF_MEM_SIZE (8ULL << 20)
#define CF_PG 0x1000ULL

/*
 * Record one step: @rc is 0, a positive value worth printing, or -errno;
 * @fmt (may be NULL) the keys, printed whatever @rc is.
 */
__attribute__((format(printf, 4, 5)))
void cf_rec(struct cf *cf, const char *step, long rc, const char *fmt, ...);

/* An fd-or-errno result as a step result: the fd number is not printed. */
static inline long cf_fdres(long fd)
{
	return fd < 0 ? fd : 0;
}

/* Raw calls: 0 (or the call's value) or -errno. */
int cf_open(const char *path, int flags);
void cf_close(int fd);
long cf_ioctl(int fd, unsigned long req, void *arg);
long cf_ioctl_val(int fd, unsigned long req, unsigned long val);
long cf_pread(int fd, void *buf, size_t n, uint64_t off);
long cf_pwrite(int fd, const void *buf, size_t n, uint64_t off);

/* Buffers of the run's memory: @off bytes into it. */
static inline uint64_t cf_va(const struct cf *cf, uint64_t off)
{
	return (uint64_t)(uintptr_t)(cf->mem + off);
}

/* iommufd helpers used by several areas (they record nothing). */
int cf_iommufd_open(void);
uint32_t cf_ioas_alloc(int iommufd);
long cf_map_fixed(int iommufd, uint32_t ioas, uint64_t iova, uint64_t len,
		  uint64_t va, bool writeable);
long cf_unmap(int iommufd, uint32_t ioas, uint64_t iova, uint64_t len);
int cf_cdev_open(const char *bdf);
long cf_bind(int devfd, int iommufd, uint32_t *devid);
long cf_attach(int devfd, uint32_t pt, uint32_t *out);
long cf_detach(int devfd);
/* The group node of the device under test: "/dev/vfio/<group>". */
void cf_group_path(const struct cf *cf, char *buf, size_t cap);

/* Device region access through a VFIO device fd (cdev or group). */
uint64_t cf_region_offset(int devfd, unsigned int index);
long cf_cfg_read(int devfd, unsigned int off, void *buf, size_t n);
long cf_cfg_write(int devfd, unsigned int off, const void *buf, size_t n);
long cf_bar0_read(int devfd, unsigned int reg, uint32_t *val);
long cf_bar0_write(int devfd, unsigned int reg, uint32_t val);

#define CF_AREA_DECL(name, what) int cf_area_##name(struct cf *cf);
CF_AREAS(CF_AREA_DECL)
#undef CF_AREA_DECL

#endif /* IOFD_CONFORM_H */
