// SPDX-License-Identifier: MIT
/*
 * iofd_conform's entry point and the helpers every area shares (see
 * conform.h for what the program is).
 *
 * Usage: iofd_conform [-d BDF] [-e BDF] [-g GROUP] [-k] [-a AREA,...]
 *   -d BDF    the device under test (default 0000:00:03.0), an e1000e
 *             bound to vfio-pci, alone in its IOMMU group
 *   -e BDF    a second such device (steps that need two are skipped
 *             without it)
 *   -g GROUP  the IOMMU group number of the device under test (default:
 *             read from its sysfs iommu_group link)
 *   -k        read the IOMMU's DMA fault reports from /dev/kmsg
 *   -a AREAS  run only these areas (comma-separated; default all)
 * The transcript goes to stdout, one line per step, each prefixed with
 * "conform: ". Exit: 0 the run completed (judging it is the diff's job);
 * 1 it could not run (no memory for its buffers); 2 a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "conform.h"

void cf_rec(struct cf *cf, const char *step, long rc, const char *fmt, ...)
{
	va_list ap;

	printf("conform: %s %s ", cf->area, step);
	if (rc == 0)
		printf("ok");
	else if (rc > 0)
		printf("ret=%ld", rc);
	else
		printf("%s", strerrorname_np((int)-rc) ?
		       strerrorname_np((int)-rc) : "E?");
	if (fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
	cf->lines++;
}

int cf_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

void cf_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

long cf_ioctl(int fd, unsigned long req, void *arg)
{
	long rc = ioctl(fd, req, arg);

	return rc < 0 ? -errno : rc;
}

long cf_ioctl_val(int fd, unsigned long req, unsigned long val)
{
	long rc = ioctl(fd, req, val);

	return rc < 0 ? -errno : rc;
}

long cf_pread(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t rc = pread(fd, buf, n, (off_t)off);

	return rc < 0 ? -errno : rc;
}

long cf_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
	ssize_t rc = pwrite(fd, buf, n, (off_t)off);

	return rc < 0 ? -errno : rc;
}

int cf_iommufd_open(void)
{
	return cf_open("/dev/iommu", O_RDWR);
}

uint32_t cf_ioas_alloc(int iommufd)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	return cf_ioctl(iommufd, IOMMU_IOAS_ALLOC, &a) ? 0 : a.out_ioas_id;
}

long cf_map_fixed(int iommufd, uint32_t ioas, uint64_t iova, uint64_t len,
		  uint64_t va, bool writeable)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 (writeable ? IOMMU_IOAS_MAP_WRITEABLE : 0),
		.ioas_id = ioas,
		.user_va = va,
		.length = len,
		.iova = iova,
	};

	return cf_ioctl(iommufd, IOMMU_IOAS_MAP, &m);
}

long cf_unmap(int iommufd, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};

	return cf_ioctl(iommufd, IOMMU_IOAS_UNMAP, &u);
}

int cf_cdev_open(const char *bdf)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = -1;
	DIR *d;

	/* The cdev's name is the one vfioN directory in vfio-dev/. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "vfio", 4) &&
		    de->d_name[4] >= '0' && de->d_name[4] <= '9')
			n = atoi(de->d_name + 4);
	}
	closedir(d);
	if (n < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/dev/vfio/devices/vfio%d", n);
	return cf_open(path, O_RDWR);
}

long cf_bind(int devfd, int iommufd, uint32_t *devid)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b),
		.iommufd = iommufd,
	};
	long rc = cf_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &b);

	if (devid)
		*devid = rc ? 0 : b.out_devid;
	return rc;
}

long cf_attach(int devfd, uint32_t pt, uint32_t *out)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.pt_id = pt,
	};
	long rc = cf_ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);

	if (out)
		*out = rc ? 0 : a.pt_id;
	return rc;
}

long cf_detach(int devfd)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return cf_ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

void cf_group_path(const struct cf *cf, char *buf, size_t cap)
{
	snprintf(buf, cap, "/dev/vfio/%d", cf->group);
}

uint64_t cf_region_offset(int devfd, unsigned int index)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = index };

	if (cf_ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &ri))
		return (uint64_t)index << 40;
	return ri.offset;
}

/* pread or pwrite of @n bytes at @off of region @index. */
static long cf_region_rw(int devfd, unsigned int index, uint64_t off,
			 void *buf, size_t n, bool write)
{
	uint64_t at = cf_region_offset(devfd, index) + off;

	return write ? cf_pwrite(devfd, buf, n, at) : cf_pread(devfd, buf, n,
							       at);
}

long cf_cfg_read(int devfd, unsigned int off, void *buf, size_t n)
{
	return cf_region_rw(devfd, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, n,
			    false);
}

long cf_cfg_write(int devfd, unsigned int off, const void *buf, size_t n)
{
	return cf_region_rw(devfd, VFIO_PCI_CONFIG_REGION_INDEX, off,
			    (void *)buf, n, true);
}

/* A whole register: 0, or -errno (-EIO for a short access). */
static long cf_bar0_rw(int devfd, unsigned int reg, uint32_t *val,
		       bool write)
{
	long rc = cf_region_rw(devfd, VFIO_PCI_BAR0_REGION_INDEX, reg, val, 4,
			       write);

	return rc == 4 ? 0 : rc < 0 ? rc : -EIO;
}

long cf_bar0_read(int devfd, unsigned int reg, uint32_t *val)
{
	*val = 0;
	return cf_bar0_rw(devfd, reg, val, false);
}

long cf_bar0_write(int devfd, unsigned int reg, uint32_t val)
{
	return cf_bar0_rw(devfd, reg, &val, true);
}

struct cf_area {
	const char *name;
	const char *what;
	int (*run)(struct cf *cf);
};

#define CF_AREA_ENTRY(n, w) { #n, w, cf_area_##n },
static const struct cf_area cf_areas[] = { CF_AREAS(CF_AREA_ENTRY) };
#undef CF_AREA_ENTRY
#define CF_NR_AREAS (sizeof(cf_areas) / sizeof(cf_areas[0]))

static void cf_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: iofd_conform [-d BDF] [-e BDF] [-g GROUP] [-k] "
		   "[-a AREA,...]\nareas:");
	for (i = 0; i < CF_NR_AREAS; i++)
		fprintf(f, " %s", cf_areas[i].name);
	fputc('\n', f);
}

/* A PCI address in the kernel's form: dddd:bb:dd.f, hex digits. */
static bool cf_bdf_valid(const char *s)
{
	static const char shape[] = "hhhh:hh:hh.h";
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return false;
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'h' ? !strchr("0123456789abcdef", s[i]) || !s[i]
				    : s[i] != shape[i])
			return false;
	}
	return true;
}

static int cf_parse_group(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 65535 || s[0] == '+' ||
	    s[0] == ' ')
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* The group number behind /sys/bus/pci/devices/@bdf/iommu_group. */
static int cf_find_group(const char *bdf, int *out)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	return cf_parse_group(base ? base + 1 : link, out);
}

/*
 * Mark the areas named in the comma-separated @list; -1, said on stderr,
 * on an empty list, an empty name or an unknown one.
 */
static int cf_select(const char *list, bool *sel)
{
	const char *p = list;
	size_t i, len;

	if (!*list) {
		fprintf(stderr, "iofd_conform: empty area list for -a\n");
		return -1;
	}
	for (;;) {
		len = strcspn(p, ",");
		for (i = 0; i < CF_NR_AREAS; i++) {
			if (strlen(cf_areas[i].name) == len &&
			    !strncmp(p, cf_areas[i].name, len))
				break;
		}
		if (!len) {
			fprintf(stderr, "iofd_conform: empty area name in "
				"'%s' for -a\n", list);
			return -1;
		}
		if (i == CF_NR_AREAS) {
			fprintf(stderr, "iofd_conform: unknown area '%.*s'\n",
				(int)len, p);
			return -1;
		}
		sel[i] = true;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int main(int argc, char **argv)
{
	struct cf cf = { .bdf = "0000:00:03.0", .group = -1 };
	bool sel[CF_NR_AREAS] = { false }, any = false;
	uint8_t *map;
	size_t i;
	int opt, rc;

	while ((opt = getopt(argc, argv, "d:e:g:ka:h")) != -1) {
		switch (opt) {
		case 'd':
		case 'e':
			if (!cf_bdf_valid(optarg)) {
				fprintf(stderr, "iofd_conform: bad PCI address "
					"'%s' for -%c (want dddd:bb:dd.f, "
					"lower-case hex)\n", optarg, opt);
				return 2;
			}
			*(opt == 'd' ? &cf.bdf : &cf.bdf2) = optarg;
			break;
		case 'g':
			if (cf_parse_group(optarg, &cf.group)) {
				fprintf(stderr, "iofd_conform: bad group "
					"'%s' for -g (want a number 0-65535)\n",
					optarg);
				return 2;
			}
			break;
		case 'k':
			cf.kmsg = true;
			break;
		case 'a':
			if (cf_select(optarg, sel)) {
				cf_usage(stderr);
				return 2;
			}
			any = true;
			break;
		case 'h':
			cf_usage(stdout);
			return 0;
		default:
			cf_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "iofd_conform: unexpected argument '%s'\n",
			argv[optind]);
		cf_usage(stderr);
		return 2;
	}
	if (cf.bdf2 && !strcmp(cf.bdf, cf.bdf2)) {
		fprintf(stderr, "iofd_conform: -e %s names the device under "
			"test again\n", cf.bdf2);
		return 2;
	}
	if (cf.group < 0) {
		rc = cf_find_group(cf.bdf, &cf.group);
		if (rc) {
			fprintf(stderr, "iofd_conform: cannot read the IOMMU "
				"group of %s (%s); pass -g GROUP\n", cf.bdf,
				strerror(-rc));
			return 2;
		}
	}

	map = mmap(NULL, CF_MEM_SIZE + (2ULL << 20), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		perror("iofd_conform: mmap");
		return 1;
	}
	cf.mem = (uint8_t *)(((uintptr_t)map + (2ULL << 20) - 1) &
			     ~(uintptr_t)((2ULL << 20) - 1));
	memset(cf.mem, 0, CF_MEM_SIZE);

	for (i = 0; i < CF_NR_AREAS; i++) {
		if (any && !sel[i])
			continue;
		cf.area = cf_areas[i].name;
		cf_areas[i].run(&cf);
	}
	fprintf(stderr, "iofd_conform: %u steps\n", cf.lines);
	munmap(map, CF_MEM_SIZE + (2ULL << 20));
	return 0;
}
