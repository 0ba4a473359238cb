// SPDX-License-Identifier: MIT
/*
 * The e1000e device model behind the BARs (registers as QEMU 10's e1000e
 * has them, seen through vfio-pci), its DMA engine (the transmit ring
 * through the emulated IOMMU), emu_dma / emu_dma_faults, and /dev/kmsg.
 * Values are the ones a real 6.12.95 showed in the VM check.
 */
#include <linux/pci_regs.h>

#include "conf.h"

#define BAR0 (0ULL << 40)
#define BAR2 (2ULL << 40)
#define CFG (7ULL << 40)
#define RING_IOVA 0x100000ULL
#define DATA_IOVA 0x200000ULL

static uint32_t rd32(struct conf *c, uint64_t off)
{
	uint32_t v = 0xdeadbeef;

	CHECK_EQ(emu_pread(c->t.emu, c->devfd, &v, 4, BAR0 + off), 4);
	return v;
}

static void wr32(struct conf *c, uint64_t off, uint32_t v)
{
	CHECK_EQ(emu_pwrite(c->t.emu, c->devfd, &v, 4, BAR0 + off), 4);
}

static void set_command(struct conf *c, uint16_t cmd)
{
	CHECK_EQ(emu_pwrite(c->t.emu, c->devfd, &cmd, 2, CFG + PCI_COMMAND),
		 2);
}

static void reset_values(void)
{
	struct conf c;
	uint16_t cmd = 0;

	conf_setup(&c, "e1000e");
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, &cmd, 2, CFG + PCI_COMMAND), 2);
	CHECK_EQ(cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
			PCI_COMMAND_MASTER),
		 PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	CHECK_EQ(rd32(&c, 0x0000), 0x140241);		/* CTRL */
	CHECK_EQ(rd32(&c, 0x0008), 0x80283);		/* STATUS */
	CHECK_EQ(rd32(&c, 0x0010), 0x300);		/* EECD */
	CHECK_EQ(rd32(&c, 0x0014), 0x2);		/* EERD */
	CHECK_EQ(rd32(&c, 0x0038), 0x8100);		/* VET */
	CHECK_EQ(rd32(&c, 0x00c4), 0);			/* ITR */
	CHECK_EQ(rd32(&c, 0x0410), 0x602008);		/* TIPG */
	CHECK_EQ(rd32(&c, 0x0e00), 0x68302);		/* LEDCTL */
	CHECK_EQ(rd32(&c, 0x1000), 0x140014);		/* PBA */
	CHECK_EQ(rd32(&c, 0x3840), 0x403);		/* TARC0 */
	CHECK_EQ(rd32(&c, 0x5400), 0x12005452);		/* RAL0 */
	CHECK_EQ(rd32(&c, 0x5404), 0x80005634);		/* RAH0 */
	CHECK_EQ(rd32(&c, 0x5b00), 0x6800200);		/* GCR */
	CHECK_EQ(rd32(&c, 0x5b50), 1);			/* SWSM */
	CHECK_EQ(rd32(&c, 0xb634), 0x88f7);		/* RXCFGL */
	CHECK_EQ(rd32(&c, 0x0004), 0);			/* CTRL_DUP: no read */
	CHECK_EQ(rd32(&c, 0x7ffc), 0);			/* unknown */
	CHECK_EQ(rd32(&c, 0x0420), 0);			/* TDBAL's alias */
	conf_teardown(&c);
}

/* QEMU's NIC N without a MAC gets 52:54:00:12:34:56 + N. */
static void second_device_mac(void)
{
	struct conf c;
	uint32_t v;
	int dev2;

	conf_setup(&c, "e1000e");
	CHECK_EQ(t_add_dev(&c.t, "e1000e", "0000:00:04.0", EMU_SYSFS_OK), 1);
	dev2 = CHECK_OK(t_open_dev(&c.t, 1));
	CHECK_OK(bind_raw(&c.t, dev2, c.iommufd, NULL));
	CHECK_EQ(emu_pread(c.t.emu, dev2, &v, 4, BAR0 + 0x5404), 4);
	CHECK_EQ(v, 0x80005734);
	CHECK_OK(t_close(&c.t, dev2));
	conf_teardown(&c);
}

static void write_semantics(void)
{
	struct conf c;

	conf_setup(&c, "e1000e");
	wr32(&c, 0x3808, 0xffffffff);			/* TDLEN */
	CHECK_EQ(rd32(&c, 0x3808), 0xfff80);
	wr32(&c, 0x3800, 0xffffffff);			/* TDBAL */
	CHECK_EQ(rd32(&c, 0x3800), 0xfffffff0);
	wr32(&c, 0x3810, 0xffffffff);			/* TDH */
	CHECK_EQ(rd32(&c, 0x3810), 0xffff);
	/* The alias writes the register it aliases. */
	wr32(&c, 0x0430, 7);
	CHECK_EQ(rd32(&c, 0x3810), 7);
	/* PHY reset asserts STATUS.PHYRA until STATUS is written. */
	wr32(&c, 0x0000, 0x80140248);
	CHECK_EQ(rd32(&c, 0x0000), 0x80140248);
	CHECK_EQ(rd32(&c, 0x0008), 0x80683);
	wr32(&c, 0x0008, 0);
	CHECK_EQ(rd32(&c, 0x0008), 0x80283);
	/* EECD keeps its read-only bits; CTRL_EXT drops self-clearing ones. */
	wr32(&c, 0x0010, 0);
	CHECK_EQ(rd32(&c, 0x0010), 0x300);
	wr32(&c, 0x0018, 0xffffffff);
	CHECK_EQ(rd32(&c, 0x0018), 0xffffcfff);
	/* Interrupt causes: ICS sets, ICR reads and clears. */
	wr32(&c, 0x00c8, 0x4);
	CHECK_EQ(rd32(&c, 0x00c0), 0x80000004);
	CHECK_EQ(rd32(&c, 0x00c0), 0);
	wr32(&c, 0x00d0, 0xffffffff);
	CHECK_EQ(rd32(&c, 0x00d0), 0x1f782d7);
	wr32(&c, 0x00d8, 0xffffffff);
	CHECK_EQ(rd32(&c, 0x00d0), 0);
	/* SWSM reads set the semaphore bit. */
	wr32(&c, 0x5b50, 0);
	CHECK_EQ(rd32(&c, 0x5b50), 0);
	CHECK_EQ(rd32(&c, 0x5b50), 1);
	/* Statistics are read-only. */
	wr32(&c, 0x4080, 0xffffffff);
	CHECK_EQ(rd32(&c, 0x4080), 0);
	/* A software reset: defaults again, VET too; PBA is kept. */
	wr32(&c, 0x1000, 0x55);
	wr32(&c, 0x0000, 0x04000000);
	CHECK_EQ(rd32(&c, 0x1000), 0x55);
	CHECK_EQ(rd32(&c, 0x3808), 0);
	CHECK_EQ(rd32(&c, 0x0038), 0);
	CHECK_EQ(rd32(&c, 0x0000), 0x140241);
	conf_teardown(&c);
}

static void eeprom_and_phy(void)
{
	uint16_t sum = 0;
	struct conf c;
	uint32_t i, v;

	conf_setup(&c, "e1000e");
	for (i = 0; i < 64; i++) {
		wr32(&c, 0x0014, i << 2 | 1);
		v = rd32(&c, 0x0014);
		CHECK_EQ(v & 0xffff, i << 2 | 2);
		sum += (uint16_t)(v >> 16);
	}
	CHECK_EQ(sum, 0xbaba);
	wr32(&c, 0x0014, 0 << 2 | 1);
	CHECK_EQ(rd32(&c, 0x0014), 0x54520002);
	wr32(&c, 0x0014, 0x40 << 2 | 1);
	CHECK_EQ(rd32(&c, 0x0014), 0x100);
	/* MDIC: PHY 1 register 2 (PHYID1), then PHY 2 (absent). */
	wr32(&c, 0x0020, 0x08000000 | 1u << 21 | 2u << 16);
	CHECK_EQ(rd32(&c, 0x0020), 0x18220141);
	wr32(&c, 0x0020, 0x08000000 | 2u << 21 | 2u << 16);
	CHECK_EQ(rd32(&c, 0x0020), 0x58220141);
	/* A register nobody may write: error bit. */
	wr32(&c, 0x0020, 0x04000000 | 1u << 21 | 1u << 16 | 0x1234);
	CHECK_EQ(rd32(&c, 0x0020), 0x54211234);
	conf_teardown(&c);
}

/* vfio-pci cuts accesses into aligned pieces; QEMU reads whole registers. */
static void access_sizes(void)
{
	struct conf c;
	uint8_t b[8];
	uint32_t v;

	conf_setup(&c, "e1000e");
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, b, 1, BAR0 + 0x9), 1);
	CHECK_EQ(b[0], 0x83);
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, b, 2, BAR0 + 0x2), 2);
	CHECK_EQ(b[0] | b[1] << 8, 0x241);
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, &v, 4, BAR0 + 0xa), 4);
	CHECK_EQ(v, 0x283);
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, b, 8, BAR0 + 0x5400), 8);
	memcpy(&v, b + 4, 4);
	CHECK_EQ(v, 0x80005634);
	b[0] = 0xab;
	CHECK_EQ(emu_pwrite(c.t.emu, c.devfd, b, 1, BAR0 + 0x3805), 1);
	CHECK_EQ(rd32(&c, 0x3804), 0xab);
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, b, 8, BAR0 + 0x1fffc), 4);
	CHECK_ERR(EINVAL, emu_pread(c.t.emu, c.devfd, b, 4, BAR0 + 0x20000));
	CHECK_ERR(EFAULT, emu_pread(c.t.emu, c.devfd, NULL, 4, BAR0));
	/* The I/O window: IOADDR selects, IODATA reads and writes. */
	v = 0x8;
	CHECK_EQ(emu_pwrite(c.t.emu, c.devfd, &v, 4, BAR2), 4);
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, &v, 4, BAR2 + 4), 4);
	CHECK_EQ(v, 0x80283);
	v = 0x3810;
	CHECK_EQ(emu_pwrite(c.t.emu, c.devfd, &v, 4, BAR2), 4);
	v = 0x77;
	CHECK_EQ(emu_pwrite(c.t.emu, c.devfd, &v, 4, BAR2 + 4), 4);
	CHECK_EQ(rd32(&c, 0x3810), 0x77);
	v = 0x20000;
	CHECK_EQ(emu_pwrite(c.t.emu, c.devfd, &v, 4, BAR2), 4);
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, &v, 4, BAR2 + 4), 4);
	CHECK_EQ(v, 0);
	/* Memory decoding off closes BAR0, not the I/O BAR. */
	set_command(&c, PCI_COMMAND_IO);
	CHECK_ERR(EIO, emu_pread(c.t.emu, c.devfd, &v, 4, BAR0 + 8));
	CHECK_ERR(EIO, emu_pwrite(c.t.emu, c.devfd, &v, 4, BAR0 + 8));
	CHECK_ERR(EFAULT, emu_pwrite(c.t.emu, c.devfd, NULL, 4, BAR0 + 8));
	CHECK_EQ(emu_pread(c.t.emu, c.devfd, &v, 4, BAR2), 4);
	set_command(&c, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	/* VFIO_DEVICE_RESET goes through the power state: QEMU keeps all. */
	CHECK_OK(t_ioctl(&c.t, c.devfd, VFIO_DEVICE_RESET, NULL));
	CHECK_EQ(rd32(&c, 0x3804), 0xab);
	conf_teardown(&c);
}

/* The ring at RING_IOVA, TCTL on, the device mastering the bus. */
static void ring_setup(struct conf *c)
{
	set_command(c, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		       PCI_COMMAND_MASTER);
	wr32(c, 0x3800, (uint32_t)RING_IOVA);
	wr32(c, 0x3804, 0);
	wr32(c, 0x3808, 0x1000);
	wr32(c, 0x3810, 0);
	wr32(c, 0x3818, 0);
	wr32(c, 0x0400, 0xa);
}

static void desc_set(struct emu_t *t, unsigned int i, uint64_t data)
{
	uint32_t *d = (uint32_t *)(t->mem + 16 * i);

	d[0] = (uint32_t)data;
	d[1] = (uint32_t)(data >> 32);
	d[2] = 60 | 0x0b000000;		/* EOP | IFCS | RS */
	d[3] = 0;
}

static uint32_t desc_status(struct emu_t *t, unsigned int i)
{
	return ((uint32_t *)(t->mem + 16 * i))[3];
}

static void tx_through_cdev(void)
{
	struct emu_dma_fault f[4];
	uint64_t va;
	struct conf c;

	conf_setup(&c, "e1000e");
	va = t_va(&c.t, 0);
	memset(c.t.mem, 0, 2 * PG);
	CHECK_OK(attach_raw(&c.t, c.devfd, c.ioas, NULL));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, c.ioas, RING_IOVA, PG, va));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, c.ioas, DATA_IOVA, PG,
			       va + PG));
	ring_setup(&c);
	desc_set(&c.t, 0, DATA_IOVA);
	wr32(&c, 0x3818, 1);
	CHECK_EQ(rd32(&c, 0x3810), 1);
	CHECK_EQ(desc_status(&c.t, 0), 1);
	CHECK_EQ(rd32(&c, 0x00c0), 0x80000003);
	CHECK_EQ(emu_dma_faults(c.t.emu, f, 4), 0);
	/* Ring unmapped: the fetch faults and reads zeros, TDH moves on. */
	CHECK_OK(unmap_raw(&c.t, c.iommufd, c.ioas, RING_IOVA, PG, NULL));
	desc_set(&c.t, 1, DATA_IOVA);
	wr32(&c, 0x3818, 2);
	CHECK_EQ(rd32(&c, 0x3810), 2);
	CHECK_EQ(desc_status(&c.t, 1), 0);
	CHECK_EQ(rd32(&c, 0x00c0), 0x80000002);
	CHECK_EQ(emu_dma_faults(c.t.emu, f, 4), 1);
	CHECK_EQ(f[0].dev, 0);
	CHECK_EQ(f[0].iova, RING_IOVA);
	CHECK(!f[0].write);
	CHECK_EQ(f[0].reason, EMU_DMA_FAULT_READ);
	/* Read-only ring: fetched, but the write-back faults. */
	CHECK_OK(map_flags_raw(&c.t, c.iommufd, c.ioas,
			       IOMMU_IOAS_MAP_FIXED_IOVA |
			       IOMMU_IOAS_MAP_READABLE, RING_IOVA, PG, va));
	desc_set(&c.t, 2, DATA_IOVA);
	wr32(&c, 0x3818, 3);
	CHECK_EQ(desc_status(&c.t, 2), 0);
	CHECK_EQ(emu_dma_faults(c.t.emu, f, 4), 1);
	CHECK(f[0].write);
	CHECK_EQ(f[0].iova, RING_IOVA);
	CHECK_EQ(f[0].reason, EMU_DMA_FAULT_WRITE);
	CHECK_OK(unmap_raw(&c.t, c.iommufd, c.ioas, RING_IOVA, PG, NULL));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, c.ioas, RING_IOVA, PG, va));
	/* Bus mastering off: nothing moves and nothing faults. */
	set_command(&c, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	desc_set(&c.t, 3, DATA_IOVA);
	wr32(&c, 0x3818, 4);
	CHECK_EQ(rd32(&c, 0x3810), 4);
	CHECK_EQ(desc_status(&c.t, 3), 0);
	CHECK_EQ(emu_dma_faults(c.t.emu, f, 4), 0);
	/* Detached: blocked. */
	set_command(&c, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		       PCI_COMMAND_MASTER);
	CHECK_OK(detach_raw(&c.t, c.devfd));
	desc_set(&c.t, 4, DATA_IOVA);
	wr32(&c, 0x3818, 5);
	CHECK_EQ(emu_dma_faults(c.t.emu, f, 4), 1);
	CHECK_EQ(f[0].reason, EMU_DMA_FAULT_NO_CONTEXT);
	conf_teardown(&c);
}

/* TDT below TDH: the ring wraps; a TDT past the ring's end is empty. */
static void ring_wraps(void)
{
	uint64_t va;
	struct conf c;
	unsigned int i;

	conf_setup(&c, "e1000e");
	va = t_va(&c.t, 0);
	memset(c.t.mem, 0, PG);
	CHECK_OK(attach_raw(&c.t, c.devfd, c.ioas, NULL));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, c.ioas, RING_IOVA, PG, va));
	ring_setup(&c);
	wr32(&c, 0x3808, 128);			/* 8 descriptors */
	/* One more behind the ring: never to be touched. */
	for (i = 0; i < 9; i++)
		desc_set(&c.t, i, 0);
	wr32(&c, 0x3810, 6);
	wr32(&c, 0x3818, 9);			/* past the end: nothing */
	CHECK_EQ(rd32(&c, 0x3810), 6);
	wr32(&c, 0x3818, 1);
	CHECK_EQ(rd32(&c, 0x3810), 1);
	CHECK_EQ(desc_status(&c.t, 6), 1);
	CHECK_EQ(desc_status(&c.t, 7), 1);
	CHECK_EQ(desc_status(&c.t, 0), 1);
	CHECK_EQ(desc_status(&c.t, 1), 0);
	CHECK_EQ(desc_status(&c.t, 8), 0);
	conf_teardown(&c);
}

/* emu_dma: the engine's translation, callable on its own. */
static void dma_api(void)
{
	struct emu_dma_fault f[2];
	uint8_t buf[2 * PG];
	size_t done;
	struct conf c;

	conf_setup(&c, "e1000e");
	CHECK_ERR(EINVAL, emu_dma(c.t.emu, 5, 0, buf, 1, false, &done));
	CHECK_ERR(EINVAL, emu_dma(c.t.emu, 0, UINT64_MAX, buf, 2, false,
				  &done));
	/* Bus mastering is off after open. */
	CHECK_ERR(EPERM, emu_dma(c.t.emu, 0, 0, buf, 1, false, &done));
	set_command(&c, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK_ERR(EFAULT, emu_dma(c.t.emu, 0, 0, buf, 1, false, &done));
	CHECK_OK(attach_raw(&c.t, c.devfd, c.ioas, NULL));
	CHECK_OK(map_fixed_raw(&c.t, c.iommufd, c.ioas, 0x10000, PG,
			       t_va(&c.t, 0)));
	memset(c.t.mem, 0x11, PG);
	memset(buf, 0x22, sizeof(buf));
	/* Crossing into an unmapped page: the first page moves. */
	CHECK_ERR(EFAULT, emu_dma(c.t.emu, 0, 0x10800, buf, PG, true, &done));
	CHECK_EQ(done, 0x800);
	CHECK_EQ(c.t.mem[0x800], 0x22);
	CHECK_EQ(c.t.mem[0x7ff], 0x11);
	CHECK_EQ(emu_dma_faults(c.t.emu, f, 2), 2);
	CHECK_EQ(f[0].reason, EMU_DMA_FAULT_NO_CONTEXT);
	CHECK_EQ(f[1].iova, 0x11000);
	CHECK_EQ(f[1].reason, EMU_DMA_FAULT_WRITE);
	CHECK_OK(emu_dma(c.t.emu, 0, 0x10000, buf, 16, false, &done));
	CHECK_EQ(buf[0], 0x11);
	CHECK_EQ(done, 16);
	CHECK_ERR(EFAULT, emu_dma(c.t.emu, 0, 1ULL << 39, buf, 1, false,
				  NULL));
	CHECK_EQ(emu_dma_faults(c.t.emu, f, 2), 1);
	CHECK_EQ(f[0].reason, EMU_DMA_FAULT_BEYOND);
	/* Closed, the device reaches nothing. */
	CHECK_OK(t_close(&c.t, c.devfd));
	CHECK_ERR(EPERM, emu_dma(c.t.emu, 0, 0x10000, buf, 1, false, NULL));
	c.devfd = CHECK_OK(t_open_dev(&c.t, 0));
	conf_teardown(&c);
}

/* DMA through the legacy container's type-1 mappings. */
static void dma_through_container(void)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ,
		.iova = 0x10000, .size = PG,
	};
	struct emu_dma_fault f;
	uint8_t b = 0x33;
	struct emu_t t;
	int ctr, g, dev;

	emu_t_setup(&t);
	CHECK_EQ(t_add_dev(&t, "e1000e", "0000:00:03.0", EMU_SYSFS_OK), 0);
	ctr = CHECK_OK(t_open(&t, "/dev/vfio/vfio"));
	g = CHECK_OK(t_open(&t, "/dev/vfio/1"));
	CHECK_OK(t_ioctl(&t, g, VFIO_GROUP_SET_CONTAINER, &ctr));
	CHECK_OK(t_ioctl(&t, ctr, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU));
	m.vaddr = t_va(&t, 0);
	CHECK_OK(t_ioctl(&t, ctr, VFIO_IOMMU_MAP_DMA, &m));
	dev = CHECK_OK(t_ioctl(&t, g, VFIO_GROUP_GET_DEVICE_FD,
			       "0000:00:03.0"));
	{
		uint16_t cmd = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

		CHECK_EQ(emu_pwrite(t.emu, dev, &cmd, 2, CFG + PCI_COMMAND),
			 2);
	}
	t.mem[5] = 0x44;
	CHECK_OK(emu_dma(t.emu, 0, 0x10005, &b, 1, false, NULL));
	CHECK_EQ(b, 0x44);
	CHECK_ERR(EFAULT, emu_dma(t.emu, 0, 0x10005, &b, 1, true, NULL));
	CHECK_EQ(emu_dma_faults(t.emu, &f, 1), 1);
	CHECK_EQ(f.reason, EMU_DMA_FAULT_WRITE);
	CHECK_OK(t_close(&t, dev));
	CHECK_OK(t_close(&t, g));
	CHECK_OK(t_close(&t, ctr));
	emu_t_teardown(&t);
}

/* /dev/kmsg: the driver's fault reports, one record per read. */
static void kmsg(void)
{
	char line[256];
	uint8_t b;
	struct conf c;
	int k;

	conf_setup(&c, "e1000e");
	k = CHECK_OK(t_open(&c.t, "/dev/kmsg"));
	CHECK_ERR(EAGAIN, emu_read(c.t.emu, k, line, sizeof(line)));
	set_command(&c, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK_OK(attach_raw(&c.t, c.devfd, c.ioas, NULL));
	CHECK_ERR(EFAULT, emu_dma(c.t.emu, 0, 0x300010, &b, 1, false, NULL));
	memset(line, 0, sizeof(line));
	CHECK_EQ(emu_read(c.t.emu, k, line, sizeof(line)),
		 strlen("3,0,0,-;DMAR: DRHD: handling fault status reg 2\n"));
	CHECK(!strcmp(line, "3,0,0,-;DMAR: DRHD: handling fault status "
			    "reg 2\n"));
	CHECK_ERR(EINVAL, emu_read(c.t.emu, k, line, 10));
	memset(line, 0, sizeof(line));
	CHECK_OK(emu_read(c.t.emu, k, line, sizeof(line)));
	CHECK(!strcmp(line, "3,1,1,-;DMAR: [DMA Read NO_PASID] Request "
			    "device [00:03.0] fault addr 0x300000 [fault "
			    "reason 0x06] PTE Read access is not set\n"));
	CHECK_ERR(EAGAIN, emu_read(c.t.emu, k, line, sizeof(line)));
	/* A write is a user record. */
	CHECK_EQ(emu_write(c.t.emu, k, "<2>hello\n", 9), 9);
	memset(line, 0, sizeof(line));
	CHECK_OK(emu_read(c.t.emu, k, line, sizeof(line)));
	CHECK(!strcmp(line, "10,2,2,-;hello\n"));
	/* Readers that fall behind the ring are told once. */
	for (b = 0; b < 70; b++)
		emu_dma(c.t.emu, 0, 0x300000, &b, 1, false, NULL);
	CHECK_ERR(EPIPE, emu_read(c.t.emu, k, line, sizeof(line)));
	CHECK_OK(emu_read(c.t.emu, k, line, sizeof(line)));
	CHECK_OK(t_close(&c.t, k));
	conf_teardown(&c);
}

static const struct check_test tests[] = {
	TEST(reset_values),
	TEST(second_device_mac),
	TEST(write_semantics),
	TEST(eeprom_and_phy),
	TEST(access_sizes),
	TEST(tx_through_cdev),
	TEST(ring_wraps),
	TEST(dma_api),
	TEST(dma_through_container),
	TEST(kmsg),
};

CHECK_MAIN(tests)
