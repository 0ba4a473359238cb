// SPDX-License-Identifier: MIT
/*
 * Area "dma": the device reads and writes memory through the IOMMU.
 *
 * The device is an e1000e: its transmit ring (TDBAL/TDBAH/TDLEN, head
 * TDH, tail TDT) lives at an IOVA. Writing TDT makes the device fetch
 * each descriptor from TDH up to TDT, fetch the packet data it points at
 * and, when the descriptor asks for it (RS), write its status back with
 * the DD bit set. So one TDT write is a DMA read of 16 bytes at a chosen
 * IOVA, a read of the data buffer and a 4-byte DMA write, and the result
 * is seen in memory (DD), in TDH and, for an access the IOMMU refuses,
 * in the IOMMU driver's fault report (read from /dev/kmsg with -k).
 * Each trigger causes at most one fault: the IOMMU has one fault record
 * and a second fault before the driver has read the first is lost.
 *
 * The same sequence runs through each way of giving the device an
 * address space: the device cdev attached to an IOAS, the legacy type-1
 * container, and the container API on an iommufd (compat).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "conform.h"

/* e1000e registers (BAR0 offsets) and descriptor bits used here. */
#define E_CTRL 0x0000
#define E_STATUS 0x0008
#define E_ICR 0x00c0
#define E_TCTL 0x0400
#define E_TDBAL 0x3800
#define E_TDBAH 0x3804
#define E_TDLEN 0x3808
#define E_TDH 0x3810
#define E_TDT 0x3818
#define E_TCTL_EN (1u << 1)
#define E_TCTL_PSP (1u << 3)
#define E_CMD_EOP (1u << 24)
#define E_CMD_IFCS (1u << 25)
#define E_CMD_RS (1u << 27)
#define E_STA_DD 1u

#define RING_IOVA 0x100000ULL
#define DATA_IOVA 0x200000ULL
#define HOLE_IOVA 0x300000ULL
/* Offsets of the ring and the data page in the run's memory. */
#define RING_OFF 0x400000ULL
#define DATA_OFF 0x401000ULL

struct cf_desc {
	uint64_t addr;
	uint32_t lower;
	uint32_t upper;
};

/* How a DMA run maps memory for the device. */
struct cf_mapper {
	int fd;			/* iommufd or container */
	uint32_t ioas;		/* IOMMU_IOAS_MAP on it; 0: VFIO MAP_DMA */
};

static long cf_mapper_map(const struct cf_mapper *m, uint64_t iova,
			  uint64_t va, bool writeable)
{
	struct vfio_iommu_type1_dma_map d = {
		.argsz = sizeof(d),
		.flags = VFIO_DMA_MAP_FLAG_READ |
			 (writeable ? VFIO_DMA_MAP_FLAG_WRITE : 0),
		.vaddr = va, .iova = iova, .size = CF_PG,
	};

	if (m->ioas)
		return cf_map_fixed(m->fd, m->ioas, iova, CF_PG, va, writeable);
	return cf_ioctl(m->fd, VFIO_IOMMU_MAP_DMA, &d);
}

static long cf_mapper_unmap(const struct cf_mapper *m, uint64_t iova)
{
	struct vfio_iommu_type1_dma_unmap d = {
		.argsz = sizeof(d), .iova = iova, .size = CF_PG,
	};

	if (m->ioas)
		return cf_unmap(m->fd, m->ioas, iova, CF_PG);
	return cf_ioctl(m->fd, VFIO_IOMMU_UNMAP_DMA, &d);
}

static int cf_kmsg = -1;

/*
 * The VT-d driver rate-limits its fault reports: 10 calls of its limiter
 * in 5 s, three per fault interrupt (the status line, the record, and the
 * look for a next record). The run keeps to 3 faults per window, waiting
 * for a new window when it has seen them.
 */
#define CF_FAULT_WINDOW_MS 5500
#define CF_FAULTS_PER_WINDOW 3
static struct timespec cf_window_start;
static unsigned int cf_window_faults;

static void cf_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long cf_ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000L +
	       (now.tv_nsec - t->tv_nsec) / 1000000L;
}

static void cf_window_wait(void)
{
	long ms;

	if (cf_window_faults < CF_FAULTS_PER_WINDOW)
		return;
	ms = cf_ms_since(&cf_window_start);
	if (ms < CF_FAULT_WINDOW_MS)
		cf_sleep_ms((unsigned int)(CF_FAULT_WINDOW_MS - ms));
	cf_window_faults = 0;
}

static void cf_window_count(unsigned int n)
{
	if (n && !cf_window_faults)
		clock_gettime(CLOCK_MONOTONIC, &cf_window_start);
	cf_window_faults += n;
}

/* One DMA fault report parsed from a kmsg record; false if not one. */
static bool cf_fault_parse(const char *rec, char *out, size_t cap)
{
	const char *msg = strchr(rec, ';'), *p;
	unsigned long long addr;
	unsigned int reason;
	char dev[16];
	bool read;

	if (!msg || !strstr(msg, "DMAR: [DMA "))
		return false;
	read = strstr(msg, "[DMA Read") != NULL;
	p = strstr(msg, "Request device [");
	if (!p || sscanf(p, "Request device [%15[^]]] fault addr %llx "
			 "[fault reason %x]", dev, &addr, &reason) != 3)
		return false;
	snprintf(out, cap, "%s,%s,%#llx,%#x", read ? "read" : "write", dev,
		 addr & ~0xfffULL, reason);
	return true;
}

/*
 * The fault reports since the last call: "faults=N[ fault=...]". Waits
 * up to half a second for the first (the report comes from the IOMMU's
 * fault interrupt, after the access), then takes what has arrived.
 */
static void cf_faults(char *out, size_t cap)
{
	char rec[1024], one[96];
	unsigned int n = 0, tries;
	size_t at;
	ssize_t r;

	if (cf_kmsg < 0) {
		snprintf(out, cap, "faults=-");
		return;
	}
	at = 0;
	out[0] = '\0';
	for (tries = 0; tries < 50 && !n; tries++) {
		while ((r = read(cf_kmsg, rec, sizeof(rec) - 1)) > 0 ||
		       (r < 0 && errno == EPIPE)) {
			if (r <= 0)
				continue;
			rec[r] = '\0';
			if (!cf_fault_parse(rec, one, sizeof(one)))
				continue;
			n++;
			at += snprintf(out + at, cap - at, " fault=%s", one);
		}
		if (!n)
			cf_sleep_ms(10);
	}
	cf_window_count(n);
	{
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "faults=%u%s", n, out);
		snprintf(out, cap, "%s", tmp);
	}
}

/* Write TDT and record what the device did. */
static void cf_kick(struct cf *cf, const char *step, int devfd,
		    uint32_t tdt, const struct cf_desc *d)
{
	uint32_t tdh = 0, icr = 0;
	char faults[512];
	long rc;

	if (cf_kmsg >= 0)
		cf_window_wait();
	rc = cf_bar0_write(devfd, E_TDT, tdt);
	cf_bar0_read(devfd, E_TDH, &tdh);
	cf_bar0_read(devfd, E_ICR, &icr);
	cf_faults(faults, sizeof(faults));
	cf_rec(cf, step, rc, "tdh=%#x icr=%#x sta=%#x %s", tdh, icr,
	       d ? d->upper : 0, faults);
}

static struct cf_desc *cf_ring(struct cf *cf, unsigned int i)
{
	return (struct cf_desc *)(cf->mem + RING_OFF) + i;
}

static void cf_desc_set(struct cf *cf, unsigned int i, uint64_t data)
{
	struct cf_desc *d = cf_ring(cf, i);

	d->addr = data;
	d->lower = 60 | E_CMD_EOP | E_CMD_IFCS | E_CMD_RS;
	d->upper = 0;
}

static void cf_bus_master(int devfd, bool on)
{
	uint16_t cmd = 0;

	cf_cfg_read(devfd, PCI_COMMAND, &cmd, sizeof(cmd));
	cmd |= PCI_COMMAND_MEMORY;
	if (on)
		cmd |= PCI_COMMAND_MASTER;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	cf_cfg_write(devfd, PCI_COMMAND, &cmd, sizeof(cmd));
}

/*
 * The sequence on a device fd whose address space @m maps. @p prefixes
 * the step names. The ring is one page at RING_IOVA, the data one page
 * at DATA_IOVA; the device starts from reset.
 */
static void cf_dma_sequence(struct cf *cf, const char *p, int devfd,
			    const struct cf_mapper *m, bool blockable)
{
	char step[64];
	uint32_t v = 0;

#define STEP(s) (snprintf(step, sizeof(step), "%s.%s", p, s), step)
	memset(cf->mem + RING_OFF, 0, 2 * CF_PG);
	memset(cf->mem + DATA_OFF, 0x5a, 60);
	cf_rec(cf, STEP("reset"), cf_ioctl(devfd, VFIO_DEVICE_RESET, NULL),
	       NULL);
	cf_rec(cf, STEP("map-ring"), cf_mapper_map(m, RING_IOVA,
		cf_va(cf, RING_OFF), true), NULL);
	cf_rec(cf, STEP("map-data"), cf_mapper_map(m, DATA_IOVA,
		cf_va(cf, DATA_OFF), false), NULL);
	cf_bus_master(devfd, true);
	cf_bar0_write(devfd, E_TDBAL, (uint32_t)RING_IOVA);
	cf_bar0_write(devfd, E_TDBAH, 0);
	cf_bar0_write(devfd, E_TDLEN, CF_PG);
	cf_bar0_write(devfd, E_TDH, 0);
	cf_bar0_write(devfd, E_TDT, 0);
	cf_bar0_write(devfd, E_TCTL, E_TCTL_EN | E_TCTL_PSP);
	cf_bar0_read(devfd, E_TCTL, &v);
	cf_rec(cf, STEP("ring-set"), 0, "tctl=%#x", v);

	cf_desc_set(cf, 0, DATA_IOVA);
	cf_kick(cf, STEP("tx"), devfd, 1, cf_ring(cf, 0));

	/* Unmapped ring: the descriptor fetch faults, nothing is written. */
	cf_rec(cf, STEP("unmap-ring"), cf_mapper_unmap(m, RING_IOVA), NULL);
	cf_desc_set(cf, 1, DATA_IOVA);
	cf_kick(cf, STEP("tx-ring-unmapped"), devfd, 2, cf_ring(cf, 1));

	/* Read-only ring: the fetch works, the write-back faults. */
	cf_rec(cf, STEP("map-ring-ro"), cf_mapper_map(m, RING_IOVA,
		cf_va(cf, RING_OFF), false), NULL);
	cf_desc_set(cf, 2, DATA_IOVA);
	cf_kick(cf, STEP("tx-ring-readonly"), devfd, 3, cf_ring(cf, 2));
	cf_mapper_unmap(m, RING_IOVA);
	cf_rec(cf, STEP("map-ring-rw"), cf_mapper_map(m, RING_IOVA,
		cf_va(cf, RING_OFF), true), NULL);

	/* Data at an unmapped IOVA: that read faults, the status is written. */
	cf_desc_set(cf, 3, HOLE_IOVA);
	cf_kick(cf, STEP("tx-data-unmapped"), devfd, 4, cf_ring(cf, 3));

	/* Without bus mastering the device reaches no memory at all. */
	cf_bus_master(devfd, false);
	cf_desc_set(cf, 4, DATA_IOVA);
	cf_kick(cf, STEP("tx-no-master"), devfd, 5, cf_ring(cf, 4));
	cf_bus_master(devfd, true);
	cf_desc_set(cf, 5, DATA_IOVA);
	cf_kick(cf, STEP("tx-master-again"), devfd, 6, cf_ring(cf, 5));

	/* Detached from any domain: blocked. */
	if (blockable) {
		cf_rec(cf, STEP("detach"), cf_detach(devfd), NULL);
		cf_desc_set(cf, 6, DATA_IOVA);
		cf_kick(cf, STEP("tx-detached"), devfd, 7, cf_ring(cf, 6));
	}
	cf_rec(cf, STEP("reset-after"), cf_ioctl(devfd, VFIO_DEVICE_RESET,
						 NULL), NULL);
	cf_bar0_read(devfd, E_TDH, &v);
	cf_rec(cf, STEP("tdh-after-reset"), 0, "tdh=%#x", v);
	cf_mapper_unmap(m, RING_IOVA);
	cf_mapper_unmap(m, DATA_IOVA);
#undef STEP
}

static void cf_dma_cdev(struct cf *cf)
{
	int fd = cf_iommufd_open(), devfd = cf_cdev_open(cf->bdf);
	struct cf_mapper m = { .fd = fd, .ioas = cf_ioas_alloc(fd) };
	uint32_t pt = 0;

	cf_rec(cf, "cdev.bind", cf_bind(devfd, fd, NULL), NULL);
	cf_rec(cf, "cdev.attach", cf_attach(devfd, m.ioas, &pt), NULL);
	cf_dma_sequence(cf, "cdev", devfd, &m, true);
	cf_close(devfd);
	cf_close(fd);
}

/* Through the group: a legacy container (@iommufd false) or an iommufd. */
static void cf_dma_group(struct cf *cf, const char *p, bool iommufd)
{
	char gpath[64], step[64];
	int c, g, devfd;
	struct cf_mapper m;

	cf_group_path(cf, gpath, sizeof(gpath));
	c = iommufd ? cf_iommufd_open() : cf_open("/dev/vfio/vfio", O_RDWR);
	g = cf_open(gpath, O_RDWR);
	snprintf(step, sizeof(step), "%s.set-container", p);
	cf_rec(cf, step, cf_ioctl(g, VFIO_GROUP_SET_CONTAINER, &c), NULL);
	snprintf(step, sizeof(step), "%s.set-iommu", p);
	cf_rec(cf, step, cf_ioctl_val(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU),
	       NULL);
	devfd = (int)cf_ioctl(g, VFIO_GROUP_GET_DEVICE_FD, (void *)cf->bdf);
	snprintf(step, sizeof(step), "%s.device", p);
	cf_rec(cf, step, cf_fdres(devfd), NULL);
	m.fd = c;
	m.ioas = 0;
	cf_dma_sequence(cf, p, devfd, &m, false);
	cf_close(devfd);
	cf_close(g);
	cf_close(c);
}

static void cf_kmsg_open(struct cf *cf)
{
	char rec[1024];

	if (!cf->kmsg)
		return;
	cf_kmsg = cf_open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	cf_rec(cf, "kmsg", cf_fdres(cf_kmsg), NULL);
	/* Skip what is there already. */
	while (cf_kmsg >= 0 && (read(cf_kmsg, rec, sizeof(rec)) > 0 ||
				errno == EPIPE))
		;
}

int cf_area_dma(struct cf *cf)
{
	cf_kmsg_open(cf);
	cf_dma_cdev(cf);
	cf_dma_group(cf, "container", false);
	cf_dma_group(cf, "compat", true);
	cf_close(cf_kmsg);
	cf_kmsg = -1;
	return 0;
}
