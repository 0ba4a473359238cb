// SPDX-License-Identifier: MIT
/*
 * Area "regions": what a bound vfio-pci device shows of itself. GET_INFO,
 * every region's info, every irq's info, a few config space fields, the
 * e1000e's BAR0 registers as a driver first reads them (reset values of
 * QEMU's device), how writes to them are masked or act, partial and
 * unaligned accesses, the same registers through the I/O port BAR, the
 * BAR being closed while memory decoding is off, reset, and the core's
 * device features.
 */
#include <errno.h>
#include <string.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "conform.h"

struct cf_reg {
	const char *name;
	uint32_t off;
};

/* Registers read at reset, in a driver's order of interest. */
static const struct cf_reg cf_regs[] = {
	{ "ctrl", 0x0000 }, { "status", 0x0008 }, { "eecd", 0x0010 },
	{ "eerd", 0x0014 }, { "ctrl-ext", 0x0018 }, { "mdic", 0x0020 },
	{ "fcal", 0x0028 }, { "vet", 0x0038 }, { "icr", 0x00c0 },
	{ "itr", 0x00c4 }, { "ims", 0x00d0 }, { "iam", 0x00e0 },
	{ "ivar", 0x00e4 }, { "rctl", 0x0100 }, { "tctl", 0x0400 },
	{ "tipg", 0x0410 }, { "ledctl", 0x0e00 }, { "extcnf-ctrl", 0x0f00 },
	{ "pba", 0x1000 }, { "pbs", 0x1008 }, { "eemngctl", 0x1010 },
	{ "flasht", 0x1028 }, { "flswctl", 0x1030 }, { "flol", 0x1050 },
	{ "rdbal0", 0x2800 }, { "rdlen0", 0x2808 }, { "rdh0", 0x2810 },
	{ "rdt0", 0x2818 }, { "rxdctl", 0x2828 }, { "tdbal", 0x3800 },
	{ "tdbah", 0x3804 }, { "tdlen", 0x3808 }, { "tdh", 0x3810 },
	{ "tdt", 0x3818 }, { "txdctl", 0x3828 }, { "tarc0", 0x3840 },
	{ "tarc1", 0x3940 }, { "gptc", 0x4080 }, { "rxcsum", 0x5000 },
	{ "rxudp", 0xb638 }, { "mta0", 0x5200 }, { "ral0", 0x5400 },
	{ "rah0", 0x5404 }, { "ral1", 0x5408 }, { "vfta0", 0x5600 },
	{ "manc", 0x5820 }, { "rxcfgl", 0xb634 }, { "gcr", 0x5b00 },
	{ "alias-tdh", 0x0430 }, { "alias-ral0", 0x0040 },
	{ "factps", 0x5b30 }, { "swsm", 0x5b50 }, { "swsm-again", 0x5b50 },
	{ "eitr0", 0x00e8 }, { "ctrl-dup", 0x0004 }, { "unknown", 0x7ffc },
	{ "high", 0x1fffc },
};

static void cf_reg_rec(struct cf *cf, const char *step, int devfd,
		       uint32_t off)
{
	uint32_t v = 0;
	long rc = cf_bar0_read(devfd, off, &v);

	cf_rec(cf, step, rc, "val=%#x", v);
}

/* Write @val to register @off and read @back (often the same). */
static void cf_reg_wr(struct cf *cf, const char *step, int devfd,
		      uint32_t off, uint32_t val, uint32_t back)
{
	uint32_t v = 0;
	long rc = cf_bar0_write(devfd, off, val);

	cf_bar0_read(devfd, back, &v);
	cf_rec(cf, step, rc, "val=%#x", v);
}

static void cf_regions_info(struct cf *cf, int devfd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char step[64];
	unsigned int i;
	long rc;

	rc = cf_ioctl(devfd, VFIO_DEVICE_GET_INFO, &info);
	cf_rec(cf, "info", rc, "argsz=%#x flags=%#x regions=%u irqs=%u "
	       "cap_offset=%#x", info.argsz, info.flags, info.num_regions,
	       info.num_irqs, info.cap_offset);
	info = (struct vfio_device_info){ .argsz = 16 };
	rc = cf_ioctl(devfd, VFIO_DEVICE_GET_INFO, &info);
	cf_rec(cf, "info-argsz-16", rc, "regions=%u irqs=%u", info.num_regions,
	       info.num_irqs);
	info.argsz = 15;
	cf_rec(cf, "info-argsz-15", cf_ioctl(devfd, VFIO_DEVICE_GET_INFO,
					     &info), NULL);
	for (i = 0; i <= VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri),
					       .index = i };

		rc = cf_ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &ri);
		snprintf(step, sizeof(step), "region-%u", i);
		cf_rec(cf, step, rc, "argsz=%#x flags=%#x size=%#llx "
		       "offset=%#llx cap_offset=%#x", ri.argsz, ri.flags,
		       (unsigned long long)ri.size,
		       (unsigned long long)ri.offset, ri.cap_offset);
	}
	for (i = 0; i <= VFIO_PCI_NUM_IRQS; i++) {
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };

		rc = cf_ioctl(devfd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		snprintf(step, sizeof(step), "irq-%u", i);
		cf_rec(cf, step, rc, "flags=%#x count=%u", ii.flags, ii.count);
	}
	{
		struct vfio_irq_info ii = { .argsz = 8 };

		cf_rec(cf, "irq-argsz", cf_ioctl(devfd,
		       VFIO_DEVICE_GET_IRQ_INFO, &ii), NULL);
	}
}

static void cf_regions_config(struct cf *cf, int devfd)
{
	uint32_t v = 0;
	uint16_t cmd = 0;
	long rc;

	rc = cf_cfg_read(devfd, PCI_VENDOR_ID, &v, 4);
	cf_rec(cf, "cfg-id", rc == 4 ? 0 : rc, "val=%#x", v);
	v = 0;
	rc = cf_cfg_read(devfd, PCI_CLASS_REVISION, &v, 4);
	cf_rec(cf, "cfg-class", rc == 4 ? 0 : rc, "val=%#x", v >> 8);
	rc = cf_cfg_read(devfd, PCI_COMMAND, &cmd, 2);
	cf_rec(cf, "cfg-command", rc == 2 ? 0 : rc, "io=%d mem=%d master=%d",
	       !!(cmd & PCI_COMMAND_IO), !!(cmd & PCI_COMMAND_MEMORY),
	       !!(cmd & PCI_COMMAND_MASTER));
}

static void cf_regions_bar_closed(struct cf *cf, int devfd)
{
	uint16_t cmd = 0;

	cf_cfg_read(devfd, PCI_COMMAND, &cmd, 2);
	cmd &= ~PCI_COMMAND_MEMORY;
	cf_cfg_write(devfd, PCI_COMMAND, &cmd, 2);
	cf_reg_rec(cf, "bar0-memory-off", devfd, 0x0008);
	cf_rec(cf, "bar0-write-memory-off", cf_bar0_write(devfd, 0x3804, 1),
	       NULL);
	cmd |= PCI_COMMAND_MEMORY;
	cf_cfg_write(devfd, PCI_COMMAND, &cmd, 2);
	cf_reg_rec(cf, "bar0-memory-on", devfd, 0x0008);
}

static void cf_regions_eeprom(struct cf *cf, int devfd)
{
	static const uint32_t words[] = { 0, 1, 2, 3, 0xb, 0xd, 0x3f, 0x40 };
	char step[64];
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		snprintf(step, sizeof(step), "eerd-word-%#x", words[i]);
		cf_reg_wr(cf, step, devfd, 0x0014, (words[i] << 2) | 1,
			  0x0014);
	}
	cf_reg_wr(cf, "eerd-no-start", devfd, 0x0014, 1u << 2, 0x0014);
}

/* The PHY behind MDIC: PHY address 1, a read of each register. */
static void cf_regions_phy(struct cf *cf, int devfd)
{
	static const uint32_t regs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 15,
					 0x10, 0x11, 0x16 };
	char step[64];
	size_t i;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		snprintf(step, sizeof(step), "mdic-read-%#x", regs[i]);
		cf_reg_wr(cf, step, devfd, 0x0020,
			  0x08000000 | 1u << 21 | regs[i] << 16, 0x0020);
	}
	cf_reg_wr(cf, "mdic-write-anar", devfd, 0x0020,
		  0x04000000 | 1u << 21 | 4u << 16 | 0x01e1, 0x0020);
	cf_reg_wr(cf, "mdic-read-anar", devfd, 0x0020,
		  0x08000000 | 1u << 21 | 4u << 16, 0x0020);
	cf_reg_wr(cf, "mdic-write-bmsr", devfd, 0x0020,
		  0x04000000 | 1u << 21 | 1u << 16 | 0x1234, 0x0020);
	cf_reg_wr(cf, "mdic-phy-2", devfd, 0x0020,
		  0x08000000 | 2u << 21 | 2u << 16, 0x0020);
	cf_reg_wr(cf, "mdic-page-2", devfd, 0x0020,
		  0x04000000 | 1u << 21 | 0x16u << 16 | 2, 0x0020);
	cf_reg_wr(cf, "mdic-page-2-read", devfd, 0x0020,
		  0x08000000 | 1u << 21 | 0x10u << 16, 0x0020);
	cf_reg_wr(cf, "mdic-page-0", devfd, 0x0020,
		  0x04000000 | 1u << 21 | 0x16u << 16 | 0, 0x0020);
}

static void cf_regions_writes(struct cf *cf, int devfd)
{
	uint64_t bar0 = cf_region_offset(devfd, VFIO_PCI_BAR0_REGION_INDEX);
	uint32_t v = 0;
	uint8_t b[8];
	long rc;

	cf_reg_wr(cf, "wr-tdlen", devfd, 0x3808, 0xffffffff, 0x3808);
	cf_reg_wr(cf, "wr-tdbal", devfd, 0x3800, 0xffffffff, 0x3800);
	cf_reg_wr(cf, "wr-tdbah", devfd, 0x3804, 0xffffffff, 0x3804);
	cf_reg_wr(cf, "wr-tdh", devfd, 0x3810, 0xffffffff, 0x3810);
	cf_reg_wr(cf, "wr-tdh-back", devfd, 0x3810, 0, 0x3810);
	cf_reg_wr(cf, "wr-tdlen-back", devfd, 0x3808, 0, 0x3808);
	cf_reg_wr(cf, "wr-ctrl-phy-rst", devfd, 0x0000, 0x80140248, 0x0008);
	cf_reg_rec(cf, "ctrl-after-phy-rst", devfd, 0x0000);
	cf_reg_wr(cf, "wr-status", devfd, 0x0008, 0, 0x0008);
	cf_reg_wr(cf, "wr-eecd", devfd, 0x0010, 0, 0x0010);
	cf_reg_wr(cf, "wr-ctrl-ext", devfd, 0x0018, 0xffffffff, 0x0018);
	cf_reg_wr(cf, "wr-ctrl-ext-back", devfd, 0x0018, 0, 0x0018);
	cf_reg_wr(cf, "wr-ics", devfd, 0x00c8, 0x4, 0x00c0);
	cf_reg_rec(cf, "icr-cleared", devfd, 0x00c0);
	cf_reg_wr(cf, "wr-ims", devfd, 0x00d0, 0xffffffff, 0x00d0);
	cf_reg_wr(cf, "wr-imc", devfd, 0x00d8, 0xffffffff, 0x00d0);
	cf_reg_wr(cf, "wr-swsm", devfd, 0x5b50, 0, 0x5b50);
	cf_reg_rec(cf, "swsm-set", devfd, 0x5b50);
	cf_reg_wr(cf, "wr-mta0", devfd, 0x5200, 0x12345678, 0x5200);
	cf_reg_wr(cf, "wr-ral1", devfd, 0x5408, 0x87654321, 0x5408);
	cf_reg_wr(cf, "wr-vfta0", devfd, 0x5600, 0xa5a5a5a5, 0x5600);
	cf_reg_wr(cf, "wr-unknown", devfd, 0x7ffc, 0xffffffff, 0x7ffc);
	cf_reg_wr(cf, "wr-counter", devfd, 0x4080, 0xffffffff, 0x4080);
	cf_reg_wr(cf, "wr-itr", devfd, 0x00c4, 0x12345, 0x00c4);
	cf_reg_wr(cf, "wr-tarc0", devfd, 0x3840, 0xffffffff, 0x3840);
	cf_reg_wr(cf, "wr-tarc0-back", devfd, 0x3840, 0x403, 0x3840);
	cf_reg_wr(cf, "wr-gcr", devfd, 0x5b00, 0, 0x5b00);
	cf_reg_wr(cf, "wr-alias-tdh", devfd, 0x0430, 5, 0x3810);
	cf_reg_wr(cf, "wr-tdh-zero", devfd, 0x3810, 0, 0x3810);
	cf_regions_eeprom(cf, devfd);
	cf_regions_phy(cf, devfd);

	/* Accesses narrower than a register, and unaligned ones. */
	memset(b, 0, sizeof(b));
	rc = cf_pread(devfd, b, 1, bar0 + 0x0009);
	cf_rec(cf, "rd-byte", rc < 0 ? rc : 0, "n=%ld val=%#x", rc, b[0]);
	rc = cf_pread(devfd, b, 2, bar0 + 0x0002);
	cf_rec(cf, "rd-half", rc < 0 ? rc : 0, "n=%ld val=%#x", rc,
	       b[0] | b[1] << 8);
	memset(b, 0, sizeof(b));
	rc = cf_pread(devfd, b, 4, bar0 + 0x000a);
	cf_rec(cf, "rd-unaligned", rc < 0 ? rc : 0, "n=%ld val=%#x", rc,
	       b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
	memset(b, 0, sizeof(b));
	rc = cf_pread(devfd, b, 8, bar0 + 0x5400);
	cf_rec(cf, "rd-8", rc < 0 ? rc : 0, "n=%ld lo=%#x hi=%#x", rc,
	       b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24,
	       b[4] | b[5] << 8 | b[6] << 16 | (uint32_t)b[7] << 24);
	b[0] = 0xab;
	rc = cf_pwrite(devfd, b, 1, bar0 + 0x3805);
	cf_bar0_read(devfd, 0x3804, &v);
	cf_rec(cf, "wr-byte", rc < 0 ? rc : 0, "n=%ld val=%#x", rc, v);
	rc = cf_pread(devfd, b, 8, bar0 + 0x1fffc);
	cf_rec(cf, "rd-past-end", rc < 0 ? rc : 0, "n=%ld", rc);
	rc = cf_pread(devfd, b, 4, bar0 + 0x20000);
	cf_rec(cf, "rd-end", rc < 0 ? rc : 0, "n=%ld", rc);
}

static void cf_regions_io(struct cf *cf, int devfd)
{
	uint64_t io = cf_region_offset(devfd, VFIO_PCI_BAR2_REGION_INDEX);
	uint32_t v;
	long rc;

	v = 0x0008;
	rc = cf_pwrite(devfd, &v, 4, io);
	cf_rec(cf, "io-addr", rc < 0 ? rc : 0, "n=%ld", rc);
	v = 0;
	rc = cf_pread(devfd, &v, 4, io);
	cf_rec(cf, "io-addr-read", rc < 0 ? rc : 0, "val=%#x", v);
	v = 0;
	rc = cf_pread(devfd, &v, 4, io + 4);
	cf_rec(cf, "io-data-status", rc < 0 ? rc : 0, "val=%#x", v);
	v = 0x3810;
	cf_pwrite(devfd, &v, 4, io);
	v = 0x77;
	rc = cf_pwrite(devfd, &v, 4, io + 4);
	cf_bar0_read(devfd, 0x3810, &v);
	cf_rec(cf, "io-data-write", rc < 0 ? rc : 0, "tdh=%#x", v);
	v = 0x20000;
	cf_pwrite(devfd, &v, 4, io);
	v = 1;
	rc = cf_pread(devfd, &v, 4, io + 4);
	cf_rec(cf, "io-data-flash", rc < 0 ? rc : 0, "val=%#x", v);
	v = 1;
	rc = cf_pread(devfd, &v, 4, io + 8);
	cf_rec(cf, "io-other", rc < 0 ? rc : 0, "val=%#x", v);
	rc = cf_pread(devfd, &v, 4, io + 0x20);
	cf_rec(cf, "io-end", rc < 0 ? rc : 0, NULL);
	v = 0;
	cf_pwrite(devfd, &v, 4, io);
}

static void cf_regions_other_bars(struct cf *cf, int devfd)
{
	uint64_t flash = cf_region_offset(devfd, VFIO_PCI_BAR1_REGION_INDEX);
	uint64_t rom = cf_region_offset(devfd, VFIO_PCI_ROM_REGION_INDEX);
	uint32_t v = 1;
	long rc;

	rc = cf_pread(devfd, &v, 4, flash + 0x100);
	cf_rec(cf, "flash-read", rc < 0 ? rc : 0, "val=%#x", v);
	rc = cf_pwrite(devfd, &v, 4, rom);
	cf_rec(cf, "rom-write", rc < 0 ? rc : 0, NULL);
	rc = cf_pread(devfd, &v, 4, cf_region_offset(devfd,
			VFIO_PCI_BAR4_REGION_INDEX));
	cf_rec(cf, "bar4-read", rc < 0 ? rc : 0, NULL);
	rc = cf_pread(devfd, &v, 4, 20ULL << 40);
	cf_rec(cf, "bad-index-read", rc < 0 ? rc : 0, NULL);
}

static void cf_regions_features(struct cf *cf, int devfd)
{
	static const struct { const char *name; uint32_t f; } feats[] = {
		{ "migration", VFIO_DEVICE_FEATURE_MIGRATION },
		{ "dma-logging", VFIO_DEVICE_FEATURE_DMA_LOGGING_START },
	};
	struct vfio_device_feature f = { .argsz = sizeof(f) };
	char step[64];
	size_t i;

	for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++) {
		f.flags = feats[i].f | VFIO_DEVICE_FEATURE_PROBE |
			  VFIO_DEVICE_FEATURE_GET;
		snprintf(step, sizeof(step), "feature-%s", feats[i].name);
		cf_rec(cf, step, cf_ioctl(devfd, VFIO_DEVICE_FEATURE, &f),
		       NULL);
	}
	f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | 1;
	cf_rec(cf, "feature-get-set", cf_ioctl(devfd, VFIO_DEVICE_FEATURE, &f),
	       NULL);
	f.flags = 1u << 20;
	cf_rec(cf, "feature-flags", cf_ioctl(devfd, VFIO_DEVICE_FEATURE, &f),
	       NULL);
	f.argsz = 4;
	cf_rec(cf, "feature-argsz", cf_ioctl(devfd, VFIO_DEVICE_FEATURE, &f),
	       NULL);
}

int cf_area_regions(struct cf *cf)
{
	int fd = cf_iommufd_open(), devfd = cf_cdev_open(cf->bdf);
	char step[64];
	size_t i;

	cf_rec(cf, "bind", cf_bind(devfd, fd, NULL), NULL);
	cf_regions_info(cf, devfd);
	cf_regions_config(cf, devfd);
	cf_regions_bar_closed(cf, devfd);
	cf_rec(cf, "reset", cf_ioctl(devfd, VFIO_DEVICE_RESET, NULL), NULL);
	for (i = 0; i < sizeof(cf_regs) / sizeof(cf_regs[0]); i++) {
		snprintf(step, sizeof(step), "reg-%s", cf_regs[i].name);
		cf_reg_rec(cf, step, devfd, cf_regs[i].off);
	}
	cf_regions_writes(cf, devfd);
	cf_regions_io(cf, devfd);
	cf_regions_other_bars(cf, devfd);
	cf_rec(cf, "reset-again", cf_ioctl(devfd, VFIO_DEVICE_RESET, NULL),
	       NULL);
	cf_reg_rec(cf, "tdbah-after-reset", devfd, 0x3804);
	cf_reg_rec(cf, "status-after-reset", devfd, 0x0008);
	/* The device's own software reset, which QEMU does implement. */
	cf_reg_wr(cf, "ctrl-rst", devfd, 0x0000, 0x04140241, 0x3804);
	cf_reg_rec(cf, "vet-after-rst", devfd, 0x0038);
	cf_reg_rec(cf, "pba-after-rst", devfd, 0x1000);
	cf_reg_rec(cf, "ctrl-after-rst", devfd, 0x0000);
	cf_regions_features(cf, devfd);
	cf_close(devfd);
	cf_close(fd);
	return 0;
}
