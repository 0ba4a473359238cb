// SPDX-License-Identifier: MIT
/*
 * vfio_probe: a plain uAPI program (libc and the Linux headers only) that
 * walks the device-facing side of a vfio-pci device cdev and prints every
 * answer as one line of text: config space and which of its bits take
 * writes, region and irq information with their capability chains,
 * VFIO_DEVICE_SET_IRQS, mmap, region read/write, VFIO_DEVICE_FEATURE
 * probes, reset and hot-reset information, and the sysfs links a VMM
 * resolves. The output names no address, fd number or time, so two runs
 * on the same device print the same text: run once on a real kernel it
 * records the truth, run under the preload shim it shows the emulator's
 * answers, and a diff of the two is the fidelity check.
 *
 * Usage: vfio_probe [bdf]   (default 0000:00:03.0). Exit 0 when it could
 * bind the device and print everything, 1 when setup failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define PG 4096ULL
#define CFG (7ULL << 40)

static int devfd;

static const char *ename(int e)
{
	static char buf[32];

	if (!e)
		return "0";
	snprintf(buf, sizeof(buf), "-%s", strerrorname_np(e) ?
		 strerrorname_np(e) : "?");
	return buf;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? errno : 0;
}

static ssize_t cfg_rw(void *buf, size_t n, unsigned int off, int write)
{
	ssize_t r = write ? pwrite(devfd, buf, n, CFG + off) :
			    pread(devfd, buf, n, CFG + off);

	return r < 0 ? -errno : r;
}

static uint8_t cfg8(unsigned int off)
{
	uint8_t v = 0;

	cfg_rw(&v, 1, off, 0);
	return v;
}

static void dump_config(const char *tag, unsigned int len)
{
	uint8_t c[4096];
	unsigned int i, j;
	ssize_t r = cfg_rw(c, len, 0, 0);

	printf("%s: pread %u = %zd\n", tag, len, r);
	for (i = 0; r > 0 && i < len; i += 16) {
		int zero = 1;

		for (j = 0; j < 16; j++)
			zero &= !c[i + j];
		if (zero)
			continue;
		printf("%s %03x:", tag, i);
		for (j = 0; j < 16; j++)
			printf(" %02x", c[i + j]);
		printf("\n");
	}
}

/*
 * Which bits of each byte take writes: write ones, read, write zeros,
 * read, put the byte back. The FLR bit of the PCIe device control and the
 * power state of PM control are left alone (they would reset the device).
 */
static void probe_wmask(unsigned int start, unsigned int end,
			unsigned int exp, unsigned int pm)
{
	unsigned int off;

	for (off = start; off < end; off++) {
		uint8_t orig = cfg8(off), ones = 0xff, zero = 0, r1, r0;

		if (exp && off == exp + PCI_EXP_DEVCTL + 1)
			ones = 0x7f;
		if (pm && off == pm + PCI_PM_CTRL)
			ones = 0xfc;
		cfg_rw(&ones, 1, off, 1);
		r1 = cfg8(off);
		cfg_rw(&zero, 1, off, 1);
		r0 = cfg8(off);
		cfg_rw(&orig, 1, off, 1);
		if (r1 != orig || r0 != orig)
			printf("wmask %03x: %02x ones %02x zeros %02x now %02x\n",
			       off, orig, r1, r0, cfg8(off));
	}
}

static void probe_config(void)
{
	uint32_t v, size;
	unsigned int pos, exp = 0, pm = 0, i;
	uint8_t b, b8[8];

	dump_config("config", 4096);
	for (pos = cfg8(PCI_CAPABILITY_LIST), i = 0; pos && i < 48;
	     pos = cfg8(pos + 1), i++) {
		printf("cap %02x at %02x\n", cfg8(pos), pos);
		if (cfg8(pos) == PCI_CAP_ID_EXP)
			exp = pos;
		if (cfg8(pos) == PCI_CAP_ID_PM)
			pm = pos;
	}
	for (pos = 0x100, i = 0; pos && i < 48; i++) {
		cfg_rw(&v, 4, pos, 0);
		if (!v)
			break;
		printf("ecap %04x v%u at %03x\n", v & 0xffff, (v >> 16) & 0xf,
		       pos);
		pos = v >> 20;
	}
	/* BAR and ROM sizing, as a VMM does it. */
	for (pos = PCI_BASE_ADDRESS_0; pos <= PCI_ROM_ADDRESS;
	     pos += pos == PCI_BASE_ADDRESS_5 ? 8 : 4) {
		uint32_t orig;

		cfg_rw(&orig, 4, pos, 0);
		size = pos == PCI_ROM_ADDRESS ? PCI_ROM_ADDRESS_MASK :
						0xffffffffu;
		cfg_rw(&size, 4, pos, 1);
		cfg_rw(&size, 4, pos, 0);
		cfg_rw(&orig, 4, pos, 1);
		cfg_rw(&v, 4, pos, 0);
		printf("size %02x: orig %08x sized %08x restored %08x\n", pos,
		       orig, size, v);
	}
	v = PCI_ROM_ADDRESS_ENABLE | 0xfff00000u;
	cfg_rw(&v, 4, PCI_ROM_ADDRESS, 1);
	cfg_rw(&v, 4, PCI_ROM_ADDRESS, 0);
	printf("rom enable write: %08x\n", v);
	v = 0;
	cfg_rw(&v, 4, PCI_ROM_ADDRESS, 1);
	probe_wmask(0, 0x100, exp, pm);
	probe_wmask(0x100, 0x180, 0, 0);
	/* Sizes and places the region refuses. */
	printf("cfg pread 4 at 4094 = %zd\n", cfg_rw(b8, 4, 4094, 0));
	printf("cfg pread 1 at 4096 = %zd\n", cfg_rw(b8, 1, 4096, 0));
	printf("cfg pread 8 at 0 = %zd\n", cfg_rw(b8, 8, 0, 0));
	printf("cfg pread 3 at 1 = %zd\n", cfg_rw(b8, 3, 1, 0));
	b = 0xff;
	printf("cfg pwrite 1 at 0 = %zd\n", cfg_rw(&b, 1, 0, 1));
}

static void print_caps(const void *base, uint32_t off, uint32_t argsz)
{
	int n = 0;

	while (off && off + 8 <= argsz && n++ < 16) {
		const struct vfio_info_cap_header *h =
			(const void *)((const char *)base + off);

		printf("  cap id %u version %u", h->id, h->version);
		if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP) {
			const struct vfio_region_info_cap_sparse_mmap *s =
				(const void *)h;
			uint32_t i;

			for (i = 0; i < s->nr_areas && i < 8; i++)
				printf(" [%llx+%llx]",
				       (unsigned long long)s->areas[i].offset,
				       (unsigned long long)s->areas[i].size);
		}
		printf("\n");
		off = h->next;
	}
}

static void probe_info(void)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint8_t buf[512];
	unsigned int i;
	int e;

	e = xioctl(devfd, VFIO_DEVICE_GET_INFO, &info);
	printf("get_info = %s flags %#x regions %u irqs %u argsz %u cap %u\n",
	       ename(e), info.flags, info.num_regions, info.num_irqs,
	       info.argsz, info.cap_offset);
	info.argsz = 15;
	printf("get_info argsz 15 = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_GET_INFO, &info)));
	for (i = 0; i <= 10; i++) {
		struct vfio_region_info *r = (void *)buf;

		memset(buf, 0, sizeof(buf));
		r->argsz = sizeof(*r);
		r->index = i;
		e = xioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, r);
		printf("region %u = %s flags %#x size %#llx offset %#llx argsz %u cap %u\n",
		       i, ename(e), r->flags, (unsigned long long)r->size,
		       (unsigned long long)r->offset, r->argsz, r->cap_offset);
		if (e || r->argsz <= sizeof(*r))
			continue;
		r->argsz = sizeof(buf);
		e = xioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, r);
		printf("region %u full = %s flags %#x argsz %u cap %u\n", i,
		       ename(e), r->flags, r->argsz, r->cap_offset);
		print_caps(r, r->cap_offset, sizeof(buf));
	}
	for (i = 0; i <= 5; i++) {
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };

		e = xioctl(devfd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		printf("irq %u = %s flags %#x count %u\n", i, ename(e),
		       ii.flags, ii.count);
	}
}

/* One SET_IRQS with up to 8 data bytes or fds. */
static int set_irqs(uint32_t index, uint32_t flags, uint32_t start,
		    uint32_t count, const void *data, size_t len)
{
	union {
		struct vfio_irq_set s;
		uint8_t b[sizeof(struct vfio_irq_set) + 64];
	} u;

	memset(&u, 0, sizeof(u));
	u.s.argsz = sizeof(u.s) + len;
	u.s.flags = flags;
	u.s.index = index;
	u.s.start = start;
	u.s.count = count;
	if (len)
		memcpy(u.s.data, data, len);
	return xioctl(devfd, VFIO_DEVICE_SET_IRQS, &u);
}

#define NONE VFIO_IRQ_SET_DATA_NONE
#define BOOL VFIO_IRQ_SET_DATA_BOOL
#define EFD VFIO_IRQ_SET_DATA_EVENTFD
#define TRIG VFIO_IRQ_SET_ACTION_TRIGGER
#define MASK VFIO_IRQ_SET_ACTION_MASK
#define UNMASK VFIO_IRQ_SET_ACTION_UNMASK

#define IRQ(label, ...) \
	printf("set_irqs %s = %s\n", label, ename(set_irqs(__VA_ARGS__)))

/* Whether the eventfd has been signalled since the last call. */
static int fired(int efd)
{
	uint64_t v;

	return read(efd, &v, sizeof(v)) == sizeof(v);
}

static void probe_irqs(void)
{
	int e1 = eventfd(0, EFD_NONBLOCK), e2 = eventfd(0, EFD_NONBLOCK);
	int fds[8], bad = open("/dev/null", O_RDONLY), closed = 1000;
	uint8_t one = 1, ones[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	struct vfio_irq_set hdr = { .argsz = sizeof(hdr) - 1 };

	printf("set_irqs argsz short = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_SET_IRQS, &hdr)));
	printf("set_irqs NULL = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_SET_IRQS, NULL)));
	IRQ("index 5", 5, NONE | TRIG, 0, 0, NULL, 0);
	IRQ("bad flags", 0, NONE | TRIG | (1u << 6), 0, 1, NULL, 0);
	IRQ("two data types", 0, NONE | BOOL | TRIG, 0, 1, &one, 1);
	IRQ("two actions", 0, NONE | TRIG | MASK, 0, 1, NULL, 0);
	IRQ("intx count 2", 0, NONE | TRIG, 0, 2, NULL, 0);
	IRQ("intx start 1", 0, NONE | TRIG, 1, 0, NULL, 0);
	IRQ("count overflow", 2, NONE | TRIG, 1, UINT32_MAX, NULL, 0);
	IRQ("bool argsz short", 0, BOOL | TRIG, 0, 1, NULL, 0);
	IRQ("intx trigger none idle", 0, NONE | TRIG, 0, 1, NULL, 0);
	IRQ("intx disable idle", 0, NONE | TRIG, 0, 0, NULL, 0);
	IRQ("intx mask idle", 0, NONE | MASK, 0, 1, NULL, 0);
	IRQ("intx unmask idle", 0, NONE | UNMASK, 0, 1, NULL, 0);
	IRQ("msi disable idle", 1, NONE | TRIG, 0, 0, NULL, 0);
	fds[0] = closed;
	IRQ("intx eventfd closed fd", 0, EFD | TRIG, 0, 1, fds, 4);
	fds[0] = bad;
	IRQ("intx eventfd not eventfd", 0, EFD | TRIG, 0, 1, fds, 4);
	fds[0] = -1;
	IRQ("intx eventfd -1 idle", 0, EFD | TRIG, 0, 1, fds, 4);
	IRQ("intx disable after -1", 0, NONE | TRIG, 0, 0, NULL, 0);
	fds[0] = e1;
	IRQ("intx enable", 0, EFD | TRIG, 0, 1, fds, 4);
	IRQ("intx loopback none", 0, NONE | TRIG, 0, 1, NULL, 0);
	printf("intx fired %d\n", fired(e1));
	IRQ("intx loopback bool", 0, BOOL | TRIG, 0, 1, &one, 1);
	printf("intx fired %d\n", fired(e1));
	IRQ("intx mask", 0, NONE | MASK, 0, 1, NULL, 0);
	IRQ("intx mask bool", 0, BOOL | MASK, 0, 1, &one, 1);
	IRQ("intx mask eventfd", 0, EFD | MASK, 0, 1, fds, 4);
	IRQ("intx loopback masked", 0, NONE | TRIG, 0, 1, NULL, 0);
	printf("intx fired %d\n", fired(e1));
	IRQ("intx unmask", 0, NONE | UNMASK, 0, 1, NULL, 0);
	fds[0] = e2;
	IRQ("intx unmask eventfd", 0, EFD | UNMASK, 0, 1, fds, 4);
	IRQ("intx unmask eventfd again", 0, EFD | UNMASK, 0, 1, fds, 4);
	fds[0] = -1;
	IRQ("intx unmask eventfd off", 0, EFD | UNMASK, 0, 1, fds, 4);
	fds[0] = e2;
	IRQ("intx replace trigger", 0, EFD | TRIG, 0, 1, fds, 4);
	IRQ("msi while intx", 1, EFD | TRIG, 0, 1, fds, 4);
	IRQ("intx disable", 0, NONE | TRIG, 0, 0, NULL, 0);
	IRQ("intx disable again", 0, NONE | TRIG, 0, 0, NULL, 0);
	IRQ("intx loopback off", 0, NONE | TRIG, 0, 1, NULL, 0);

	IRQ("msi count 2", 1, EFD | TRIG, 0, 2, fds, 8);
	fds[0] = e1;
	IRQ("msi enable", 1, EFD | TRIG, 0, 1, fds, 4);
	IRQ("msi loopback", 1, NONE | TRIG, 0, 1, NULL, 0);
	printf("msi fired %d\n", fired(e1));
	IRQ("msi mask", 1, NONE | MASK, 0, 1, NULL, 0);
	IRQ("msi unmask", 1, NONE | UNMASK, 0, 1, NULL, 0);
	IRQ("msix while msi", 2, EFD | TRIG, 0, 1, fds, 4);
	IRQ("intx while msi", 0, EFD | TRIG, 0, 1, fds, 4);
	fds[0] = -1;
	IRQ("msi vector off", 1, EFD | TRIG, 0, 1, fds, 4);
	IRQ("msi loopback no vector", 1, NONE | TRIG, 0, 1, NULL, 0);
	IRQ("msi disable", 1, NONE | TRIG, 0, 0, NULL, 0);

	fds[0] = e1;
	fds[1] = -1;
	fds[2] = e2;
	IRQ("msix enable 3", 2, EFD | TRIG, 0, 3, fds, 12);
	IRQ("msix loopback bools", 2, BOOL | TRIG, 0, 3, ones, 3);
	printf("msix fired %d %d\n", fired(e1), fired(e2));
	fds[0] = e2;
	IRQ("msix grow to 5", 2, EFD | TRIG, 3, 2, fds, 8);
	IRQ("msix past 5", 2, EFD | TRIG, 4, 2, fds, 8);
	fds[0] = bad;
	IRQ("msix bad fd in block", 2, EFD | TRIG, 0, 1, fds, 4);
	IRQ("msix loopback after bad", 2, NONE | TRIG, 0, 5, NULL, 0);
	printf("msix fired %d %d\n", fired(e1), fired(e2));
	IRQ("msix disable", 2, NONE | TRIG, 0, 0, NULL, 0);
	fds[0] = e1;
	fds[1] = bad;
	IRQ("msix enable with bad", 2, EFD | TRIG, 0, 2, fds, 8);
	IRQ("msix disable idle", 2, NONE | TRIG, 0, 0, NULL, 0);

	fds[0] = e1;
	IRQ("err none idle", 3, NONE | TRIG, 0, 1, NULL, 0);
	IRQ("err bool count 0", 3, BOOL | TRIG, 0, 0, NULL, 0);
	IRQ("err eventfd", 3, EFD | TRIG, 0, 1, fds, 4);
	IRQ("err loopback", 3, NONE | TRIG, 0, 1, NULL, 0);
	printf("err fired %d\n", fired(e1));
	fds[0] = -2;
	IRQ("err eventfd -2", 3, EFD | TRIG, 0, 1, fds, 4);
	IRQ("err disable", 3, NONE | TRIG, 0, 0, NULL, 0);
	IRQ("err mask", 3, NONE | MASK, 0, 1, NULL, 0);
	fds[0] = e1;
	IRQ("req eventfd", 4, EFD | TRIG, 0, 1, fds, 4);
	fds[0] = -1;
	IRQ("req eventfd -1", 4, EFD | TRIG, 0, 1, fds, 4);
	IRQ("req unmask", 4, NONE | UNMASK, 0, 1, NULL, 0);
	close(e1);
	close(e2);
	close(bad);
}

static void probe_mmap(int iommufd, uint32_t ioas)
{
	static const struct {
		const char *label;
		unsigned int index;
		uint64_t off, len;
		int prot, flags;
	} cases[] = {
		{ "bar0", 0, 0, 0x20000, PROT_READ | PROT_WRITE, MAP_SHARED },
		{ "bar0 private", 0, 0, 0x20000, PROT_READ, MAP_PRIVATE },
		{ "bar0 past end", 0, 0x1f000, 0x2000, PROT_READ, MAP_SHARED },
		{ "bar0 offset", 0, 0x10000, 0x10000, PROT_READ, MAP_SHARED },
		{ "bar0 unaligned", 0, 0x800, 0x1000, PROT_READ, MAP_SHARED },
		{ "bar1", 1, 0, 0x20000, PROT_READ, MAP_SHARED },
		{ "bar2 io", 2, 0, 0x1000, PROT_READ, MAP_SHARED },
		{ "bar3 msix", 3, 0, 0x4000, PROT_READ, MAP_SHARED },
		{ "bar4 absent", 4, 0, 0x1000, PROT_READ, MAP_SHARED },
		{ "rom", 6, 0, 0x1000, PROT_READ, MAP_SHARED },
		{ "config", 7, 0, 0x1000, PROT_READ, MAP_SHARED },
		{ "vga", 8, 0, 0x1000, PROT_READ, MAP_SHARED },
		{ "index 9", 9, 0, 0x1000, PROT_READ, MAP_SHARED },
		{ "bar0 len 0", 0, 0, 0, PROT_READ, MAP_SHARED },
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
		.ioas_id = ioas,
		.iova = 0x40000000,
		.length = 0x1000,
	};
	uint16_t cmd = PCI_COMMAND_MEMORY;
	unsigned int i;
	int rofd;

	cfg_rw(&cmd, 2, PCI_COMMAND, 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *p = mmap(NULL, cases[i].len, cases[i].prot,
			       cases[i].flags, devfd,
			       ((off_t)cases[i].index << 40) + cases[i].off);

		printf("mmap %s = %s\n", cases[i].label,
		       ename(p == MAP_FAILED ? errno : 0));
		if (p == MAP_FAILED)
			continue;
		if (i == 0) {
			struct iommu_ioas_unmap unmap = {
				.size = sizeof(unmap), .ioas_id = ioas,
				.iova = map.iova, .length = map.length,
			};
			int e;

			/* Register values are the device model's: not shown. */
			printf("mmap bar0 read %s\n",
			       *(volatile uint32_t *)p == 0xffffffffu ?
			       "ones" : "ok");
			map.user_va = (uintptr_t)p;
			e = xioctl(iommufd, IOMMU_IOAS_MAP, &map);
			printf("ioas_map of bar0 mmap = %s\n", ename(e));
			if (!e)
				printf("ioas_unmap = %s\n",
				       ename(xioctl(iommufd, IOMMU_IOAS_UNMAP,
						    &unmap)));
		}
		munmap(p, cases[i].len);
	}
	rofd = -1;
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", devfd);
		rofd = open(path, O_RDONLY);
	}
	printf("reopen O_RDONLY = %s\n", ename(rofd < 0 ? errno : 0));
	if (rofd >= 0) {
		void *p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
			       MAP_SHARED, rofd, 0);

		printf("mmap rdonly fd rw = %s\n",
		       ename(p == MAP_FAILED ? errno : 0));
		if (p != MAP_FAILED)
			munmap(p, 0x1000);
		close(rofd);
	}
}

static void probe_rw(void)
{
	static const struct {
		const char *label;
		unsigned int index;
		uint64_t off;
		size_t len;
		int write;
	} cases[] = {
		{ "bar0 4 at 0", 0, 0, 4, 0 },
		{ "bar0 8 at 0", 0, 0, 8, 0 },
		{ "bar0 4 at end-2", 0, 0x1fffe, 4, 0 },
		{ "bar0 4 at end", 0, 0x20000, 4, 0 },
		{ "bar0 3 at 1", 0, 1, 3, 0 },
		{ "bar2 io 4 at 0", 2, 0, 4, 0 },
		{ "bar2 io 4 at 32", 2, 32, 4, 0 },
		{ "bar3 4 at 0", 3, 0, 4, 0 },
		{ "bar4 absent", 4, 0, 4, 0 },
		{ "rom 4 at 0", 6, 0, 4, 0 },
		{ "rom write", 6, 0, 4, 1 },
		{ "vga", 8, 0, 4, 0 },
		{ "index 9", 9, 0, 4, 0 },
		{ "index 40", 40, 0, 4, 0 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[8] = { 0 };
		off_t off = ((off_t)cases[i].index << 40) + cases[i].off;
		ssize_t r = cases[i].write ?
			pwrite(devfd, buf, cases[i].len, off) :
			pread(devfd, buf, cases[i].len, off);

		printf("rw %s = %zd%s%s\n", cases[i].label, r,
		       r < 0 ? " " : "", r < 0 ? ename(errno) : "");
	}
}

static void probe_features(void)
{
	static const uint32_t ops[] = {
		VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET,
		VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET,
		VFIO_DEVICE_FEATURE_PROBE,
		VFIO_DEVICE_FEATURE_GET,
		VFIO_DEVICE_FEATURE_SET,
		0,
	};
	uint8_t buf[sizeof(struct vfio_device_feature) + 64];
	struct vfio_device_feature *f = (void *)buf;
	unsigned int id, i;

	for (id = 0; id <= 12; id++) {
		printf("feature %u:", id);
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			memset(buf, 0, sizeof(buf));
			f->argsz = sizeof(*f);
			f->flags = id | ops[i];
			printf(" %s", ename(xioctl(devfd, VFIO_DEVICE_FEATURE,
						   f)));
		}
		printf("\n");
	}
	memset(buf, 0, sizeof(buf));
	f->argsz = sizeof(*f) - 1;
	f->flags = VFIO_DEVICE_FEATURE_PROBE | 3;
	printf("feature argsz short = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_FEATURE, f)));
	f->argsz = sizeof(*f);
	f->flags = VFIO_DEVICE_FEATURE_PROBE | (1u << 20) | 3;
	printf("feature unknown flag = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_FEATURE, f)));
	f->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | 3;
	printf("feature get|set = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_FEATURE, f)));
	f->flags = VFIO_DEVICE_FEATURE_SET |
		   VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY;
	printf("low power entry = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_FEATURE, f)));
	printf("low power entry again = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_FEATURE, f)));
	f->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_LOW_POWER_EXIT;
	printf("low power exit = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_FEATURE, f)));
	printf("low power exit again = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_FEATURE, f)));
}

static void probe_reset(void)
{
	uint8_t buf[256];
	struct vfio_pci_hot_reset_info *hi = (void *)buf;
	struct vfio_pci_hot_reset hr = { .argsz = sizeof(hr) };
	uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	uint32_t i;
	int e;

	cfg_rw(&cmd, 2, PCI_COMMAND, 1);
	printf("reset = %s\n", ename(xioctl(devfd, VFIO_DEVICE_RESET, NULL)));
	cmd = 0;
	cfg_rw(&cmd, 2, PCI_COMMAND, 0);
	printf("command after reset %04x\n", cmd);
	memset(buf, 0, sizeof(buf));
	hi->argsz = sizeof(*hi);
	e = xioctl(devfd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi);
	printf("hot_reset_info short = %s argsz %u flags %#x count %u\n",
	       ename(e), hi->argsz, hi->flags, hi->count);
	hi->argsz = sizeof(buf);
	e = xioctl(devfd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, hi);
	printf("hot_reset_info = %s argsz %u flags %#x count %u\n", ename(e),
	       hi->argsz, hi->flags, hi->count);
	for (i = 0; !e && i < hi->count && i < 8; i++)
		printf("  dep %04x:%02x:%02x.%x devid %u\n",
		       hi->devices[i].segment, hi->devices[i].bus,
		       hi->devices[i].devfn >> 3, hi->devices[i].devfn & 7,
		       hi->devices[i].devid);
	printf("hot_reset = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_PCI_HOT_RESET, &hr)));
	hr.argsz = sizeof(hr) - 1;
	printf("hot_reset argsz short = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_PCI_HOT_RESET, &hr)));
	printf("ioctl 0x7f = %s\n",
	       ename(xioctl(devfd, _IO(VFIO_TYPE, VFIO_BASE + 0x7f), buf)));
}

static void probe_ioeventfd(void)
{
	struct vfio_device_ioeventfd io = { .argsz = sizeof(io) };
	int e = eventfd(0, EFD_NONBLOCK);

	io.flags = VFIO_DEVICE_IOEVENTFD_32;
	io.offset = 0;
	io.data = 1;
	io.fd = e;
	printf("ioeventfd bar0 = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_IOEVENTFD, &io)));
	io.fd = -1;
	printf("ioeventfd bar0 off = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_IOEVENTFD, &io)));
	close(e);
}

static void probe_sysfs(const char *bdf)
{
	static const char *const links[] = { "iommu_group", "driver",
					     "subsystem", "" };
	char path[256], target[256], *rp;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s%s%s", bdf,
			 *links[i] ? "/" : "", links[i]);
		n = readlink(path, target, sizeof(target) - 1);
		if (n >= 0)
			target[n] = '\0';
		printf("readlink %s = %s\n", *links[i] ? links[i] : "device",
		       n < 0 ? ename(errno) : target);
		rp = realpath(path, NULL);
		printf("realpath %s = %s\n", *links[i] ? links[i] : "device",
		       rp ? rp : ename(errno));
		free(rp);
	}
}

int main(int argc, char **argv)
{
	const char *bdf = argc > 1 ? argv[1] : "0000:00:03.0";
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	int iommufd;
	void *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	probe_sysfs(bdf);
	iommufd = open("/dev/iommu", O_RDWR);
	devfd = open("/dev/vfio/devices/vfio0", O_RDWR);
	if (iommufd < 0 || devfd < 0) {
		perror("vfio_probe: open");
		return 1;
	}
	p = mmap(NULL, 0x1000, PROT_READ, MAP_SHARED, devfd, 0);
	printf("mmap before bind = %s\n", ename(p == MAP_FAILED ? errno : 0));
	bind.iommufd = iommufd;
	if (xioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ||
	    xioctl(iommufd, IOMMU_IOAS_ALLOC, &alloc)) {
		perror("vfio_probe: bind");
		return 1;
	}
	probe_info();
	probe_config();
	probe_rw();
	probe_features();
	probe_mmap(iommufd, alloc.out_ioas_id);
	at.pt_id = alloc.out_ioas_id;
	printf("attach = %s\n",
	       ename(xioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at)));
	probe_mmap(iommufd, alloc.out_ioas_id);
	probe_irqs();
	probe_ioeventfd();
	probe_reset();
	dump_config("after", 256);
	close(devfd);
	close(iommufd);
	printf("vfio_probe: done\n");
	return 0;
}
