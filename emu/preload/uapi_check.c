// SPDX-License-Identifier: MIT
/*
 * uapi_check: a plain uAPI program (libc and the Linux headers only, no
 * iofd header) that walks the e1000e-like device through /dev/iommu and
 * its VFIO cdev, call by call, and checks every result against what the
 * spec says Linux 6.12 returns (shared/spec/IOMMUFD-SEMANTICS.md, sections
 * 1-5 and 9). Run under the preload shim it checks the emulator; run on a
 * machine with the real device at 0000:00:03.0 bound to vfio-pci it
 * checks the kernel the same way.
 *
 * Helpers come in the triplet shape: xioctl() is the raw call (0 or
 * -errno), OK() asserts success and ERR() asserts one exact errno.
 * Usage: uapi_check [bdf]   (default 0000:00:03.0). Exit 0: all matched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#define PG 4096ULL

static int checks;

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static void fail(int line, const char *what, long got)
{
	fprintf(stderr, "uapi_check:%d: %s: got %ld\n", line, what, got);
	exit(1);
}

#define OK(expr) do { long r_ = (expr); checks++; \
	if (r_ < 0) fail(__LINE__, #expr, r_); } while (0)
#define ERR(e, expr) do { long r_ = (expr); checks++; \
	if (r_ != -(long)(e)) fail(__LINE__, #expr " want -" #e, r_); } while (0)
#define EQ(a, b) do { checks++; if ((uint64_t)(a) != (uint64_t)(b)) \
	fail(__LINE__, #a " == " #b, (long)(a)); } while (0)

static int read_text(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/* The one entry of @dir that starts with @prefix, into @out. */
static int find_entry(const char *dir, const char *prefix, char *out,
		      size_t cap)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int found = -ENOENT;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			snprintf(out, cap, "%s", de->d_name);
			found = 0;
		}
	}
	closedir(d);
	return found;
}

int main(int argc, char **argv)
{
	const char *bdf = argc > 1 ? argv[1] : "0000:00:03.0";
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_iova_range rg[4];
	struct iommu_ioas_iova_ranges ranges = { .size = sizeof(ranges) };
	struct iommu_ioas_map map = { .size = sizeof(map) };
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char path[512], name[64], text[64], cdev[128];
	unsigned int major, minor;
	int iommufd, devfd, nullfd;
	uint32_t ioas, hwpt;
	uint16_t vendor;
	struct stat st;
	void *mem;

	/* /dev/iommu dispatch (spec 1.3, 6.2 #2). */
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	OK(iommufd);
	ERR(EFAULT, xioctl(iommufd, IOMMU_DESTROY, NULL));
	ERR(ENOENT, xioctl(iommufd, IOMMU_DESTROY, &destroy));
	ERR(ENOTTY, xioctl(iommufd, _IO(IOMMUFD_TYPE, 0x7f), &destroy));
	ERR(ENOTTY, xioctl(iommufd, _IOWR(IOMMUFD_TYPE, 0x80,
					  struct iommu_destroy), &destroy));
	OK(xioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc));
	ioas = alloc.out_ioas_id;
	EQ(ioas, 1);
	ranges.ioas_id = ioas;
	ERR(EMSGSIZE, xioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &ranges));
	EQ(ranges.num_iovas, 1);
	EQ(ranges.out_iova_alignment, 1);

	/* Discovery through sysfs (DESIGN: vfio-dev/vfioN/dev, devt). */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", bdf);
	OK(read_text(path, text, sizeof(text)));
	EQ(strcmp(text, "0x8086\n"), 0);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	OK(find_entry(path, "vfio", name, sizeof(name)));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev/%s/dev",
		 bdf, name);
	OK(read_text(path, text, sizeof(text)));
	EQ(sscanf(text, "%u:%u", &major, &minor), 2);
	snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/%s", name);
	OK(stat(cdev, &st));
	EQ(S_ISCHR(st.st_mode), 1);
	EQ(st.st_rdev, makedev(major, minor));

	/* The cdev before BIND (5.2), BIND (5.3, section 9). */
	devfd = open(cdev, O_RDWR | O_CLOEXEC);
	OK(devfd);
	ERR(EINVAL, xioctl(devfd, VFIO_DEVICE_GET_INFO, &info));
	ERR(EINVAL, pread(devfd, text, 4, 7ULL << 40) < 0 ? -errno : 0);
	bind.iommufd = -1;
	ERR(EINVAL, xioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	nullfd = open("/dev/null", O_RDWR);
	OK(nullfd);
	bind.iommufd = nullfd;
	ERR(EBADFD, xioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	bind.iommufd = iommufd;
	OK(xioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	EQ(bind.out_devid, 2);
	ERR(EINVAL, xioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	OK(xioctl(devfd, VFIO_DEVICE_GET_INFO, &info));
	EQ(info.flags, VFIO_DEVICE_FLAGS_RESET | VFIO_DEVICE_FLAGS_PCI);
	EQ(info.num_regions, 9);
	EQ(info.num_irqs, 5);
	EQ(pread(devfd, &vendor, 2, 7ULL << 40), 2);
	EQ(vendor, 0x8086);

	/* ATTACH: automatic HWPT, reserved MSI window (5.5, section 9). */
	at.pt_id = ioas;
	OK(xioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at));
	hwpt = at.pt_id;
	EQ(hwpt, 3);
	ranges.num_iovas = 4;
	ranges.allowed_iovas = (uintptr_t)rg;
	OK(xioctl(iommufd, IOMMU_IOAS_IOVA_RANGES, &ranges));
	EQ(ranges.num_iovas, 2);
	EQ(ranges.out_iova_alignment, PG);
	EQ(rg[0].start, 0);
	EQ(rg[0].last, 0xfedfffffULL);
	EQ(rg[1].start, 0xfef00000ULL);

	/* MAP with a domain pins: real memory only (2.5, section 9). */
	mem = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EQ(mem != MAP_FAILED, 1);
	map.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
		    IOMMU_IOAS_MAP_WRITEABLE;
	map.ioas_id = ioas;
	map.user_va = (uintptr_t)mem;
	map.length = 2 * PG;
	map.iova = 0xfee00000ULL;
	ERR(EINVAL, xioctl(iommufd, IOMMU_IOAS_MAP, &map));
	map.iova = 0x100000;
	OK(xioctl(iommufd, IOMMU_IOAS_MAP, &map));
	map.iova = 0x200000;
	map.user_va = 0;
	ERR(EFAULT, xioctl(iommufd, IOMMU_IOAS_MAP, &map));

	/* UNMAP: whole areas only, length written back (2.7, section 9). */
	unmap.ioas_id = ioas;
	unmap.iova = 0x100000;
	unmap.length = PG;
	ERR(ENOENT, xioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap));
	unmap.length = 0x100000;
	OK(xioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap));
	EQ(unmap.length, 2 * PG);

	/* Users block DESTROY (3.3, section 9). */
	destroy.id = ioas;
	ERR(EBUSY, xioctl(iommufd, IOMMU_DESTROY, &destroy));
	destroy.id = hwpt;
	ERR(EBUSY, xioctl(iommufd, IOMMU_DESTROY, &destroy));
	destroy.id = bind.out_devid;
	ERR(EBUSY, xioctl(iommufd, IOMMU_DESTROY, &destroy));

	/* DETACH: the automatic HWPT goes; detach twice is fine (5.6). */
	OK(xioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	OK(xioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt));
	destroy.id = hwpt;
	ERR(ENOENT, xioctl(iommufd, IOMMU_DESTROY, &destroy));
	destroy.id = ioas;
	OK(xioctl(iommufd, IOMMU_DESTROY, &destroy));

	OK(close(devfd));
	OK(close(nullfd));
	OK(close(iommufd));
	munmap(mem, 4 * PG);
	printf("uapi_check: %d checks passed\n", checks);
	return 0;
}
