// SPDX-License-Identifier: MIT
/*
 * vfio-pci's device side through the host table, errno-exact, with the
 * counters that prove what is held: config space (capability list, write
 * masks, BAR and ROM sizing, the MSI fixup, a fresh copy at each open),
 * SET_IRQS (types, actions, data, held eventfds), regions (capabilities,
 * read/write, EIO with memory off), mmap and munmap (checks, mappings that
 * hold the device, pins that fail), features, reset, hot reset,
 * ioeventfds and dup. Every expected value is the real 6.12.95 kernel's
 * (emu/preload/tests/vfio_probe.e1000e.txt).
 */
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "emu_test.h"

#define CFG (7ULL << 40)
#define BAR(n) ((uint64_t)(n) << 40)

/* A bound e1000e: t, iommufd, devfd. */
struct pci_rig {
	struct emu_t t;
	int iommufd;
	int devfd;
};

static void pci_setup_profile(struct pci_rig *r, const char *profile)
{
	emu_t_setup(&r->t);
	CHECK_EQ(t_add_dev(&r->t, profile, "0000:00:03.0", EMU_SYSFS_OK), 0);
	r->iommufd = CHECK_OK(t_open(&r->t, "/dev/iommu"));
	r->devfd = CHECK_OK(t_open_dev(&r->t, 0));
	CHECK_OK(bind_raw(&r->t, r->devfd, r->iommufd, NULL));
}

static void pci_setup(struct pci_rig *r)
{
	pci_setup_profile(r, "e1000e");
}

static void pci_teardown(struct pci_rig *r)
{
	CHECK_OK(t_close(&r->t, r->devfd));
	CHECK_OK(t_close(&r->t, r->iommufd));
	emu_t_teardown(&r->t);
}

static ssize_t cfg_rd(struct pci_rig *r, unsigned int off, void *buf,
		      size_t n)
{
	return r->t.host.ops->pread(r->t.host.priv, r->devfd, buf, n,
				    CFG + off);
}

static ssize_t cfg_wr(struct pci_rig *r, unsigned int off, const void *buf,
		      size_t n)
{
	return r->t.host.ops->pwrite(r->t.host.priv, r->devfd, buf, n,
				     CFG + off);
}

static uint32_t cfg32(struct pci_rig *r, unsigned int off)
{
	uint32_t v = 0;

	CHECK_EQ(cfg_rd(r, off, &v, 4), 4);
	return v;
}

static uint8_t cfg8(struct pci_rig *r, unsigned int off)
{
	uint8_t v = 0;

	CHECK_EQ(cfg_rd(r, off, &v, 1), 1);
	return v;
}

static void cfg_put8(struct pci_rig *r, unsigned int off, uint8_t v)
{
	CHECK_EQ(cfg_wr(r, off, &v, 1), 1);
}

static void cfg_put32(struct pci_rig *r, unsigned int off, uint32_t v)
{
	CHECK_EQ(cfg_wr(r, off, &v, 4), 4);
}

static unsigned int eventfds(struct pci_rig *r)
{
	struct emu_counters c;

	emu_counters_get(r->t.emu, &c);
	return c.eventfds;
}

static unsigned int mappings(struct pci_rig *r)
{
	struct emu_counters c;

	emu_counters_get(r->t.emu, &c);
	return c.mappings;
}

static void config_layout(void)
{
	struct pci_rig r;
	unsigned int pos, i;
	static const uint8_t chain[][2] = {
		{ 0xc8, PCI_CAP_ID_PM }, { 0xd0, PCI_CAP_ID_MSI },
		{ 0xe0, PCI_CAP_ID_EXP }, { 0xa0, PCI_CAP_ID_MSIX },
	};

	pci_setup(&r);
	CHECK_EQ(cfg32(&r, PCI_VENDOR_ID), 0x10d38086);
	CHECK_EQ(cfg32(&r, PCI_COMMAND), 0x00100103);
	CHECK_EQ(cfg32(&r, PCI_CLASS_REVISION), 0x02000000);
	CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_0), 0xfeb80000);
	CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_2), 0xc041);
	CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_4), 0);
	CHECK_EQ(cfg32(&r, PCI_ROM_ADDRESS), 0xfeb40000);
	CHECK_EQ(cfg32(&r, PCI_SUBSYSTEM_VENDOR_ID), 0x8086);
	CHECK_EQ(cfg32(&r, PCI_INTERRUPT_LINE) & 0xffff, 0x010b);
	/* The capability list in QEMU's order, then extended space. */
	for (pos = cfg8(&r, PCI_CAPABILITY_LIST), i = 0; pos;
	     pos = cfg8(&r, pos + 1), i++) {
		CHECK(i < 4);
		CHECK_EQ(pos, chain[i][0]);
		CHECK_EQ(cfg8(&r, pos), chain[i][1]);
	}
	CHECK_EQ(i, 4);
	CHECK_EQ(cfg32(&r, 0xe0) >> 16, 0x0091);	/* PCIe v1, RC_END */
	CHECK_EQ(cfg32(&r, 0xa0) >> 16, 4);		/* MSI-X, 5 vectors */
	CHECK_EQ(cfg32(&r, 0xa4), 3);			/* table in BAR 3 */
	CHECK_EQ(cfg32(&r, 0x100), 0x14020001);	/* AER v2, next 0x140 */
	CHECK_EQ(cfg32(&r, 0x140), 0x00010003);	/* DSN v1, last */
	CHECK_EQ(cfg32(&r, 0x144), 0xff123456);
	/* The region refuses what runs past it, with EFAULT. */
	CHECK_ERR(EFAULT, cfg_rd(&r, 4094, &i, 4));
	CHECK_ERR(EFAULT, cfg_rd(&r, 4096, &i, 1));
	pci_teardown(&r);
}

/* Every profile is a device with config space of its own to walk and
 * size: a capability list that ends, BARs and ROM that size. */
static void config_every_profile(void)
{
	struct pci_rig r;
	unsigned int pos, n;
	size_t i;

	for (i = 0; i < emu_profile_count(); i++) {
		pci_setup_profile(&r, emu_profile_get(i)->name);
		CHECK(cfg32(&r, PCI_COMMAND) & (PCI_STATUS_CAP_LIST << 16));
		for (pos = cfg8(&r, PCI_CAPABILITY_LIST), n = 0; pos && n < 48;
		     pos = cfg8(&r, pos + 1), n++)
			CHECK(pos >= 0x40 && !(pos & 3));
		CHECK(n > 0 && n < 48);
		cfg_put32(&r, PCI_BASE_ADDRESS_0, 0xffffffff);
		CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_0), 0xfffe0000);
		cfg_put32(&r, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS_MASK);
		CHECK_EQ(cfg32(&r, PCI_ROM_ADDRESS), 0xfffc0000);
		cfg_put8(&r, PCI_COMMAND, 0xff);
		CHECK_EQ(cfg8(&r, PCI_COMMAND), 0x07);
		pci_teardown(&r);
	}
}

static void config_writes(void)
{
	struct pci_rig r;

	pci_setup(&r);
	/* BAR sizing: ones read back as the size mask, type bits kept. */
	cfg_put32(&r, PCI_BASE_ADDRESS_0, 0xffffffff);
	CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_0), 0xfffe0000);
	cfg_put32(&r, PCI_BASE_ADDRESS_2, 0xffffffff);
	CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_2), 0xffffffe1);
	cfg_put32(&r, PCI_BASE_ADDRESS_3, 0);
	CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_3), 0);
	cfg_put32(&r, PCI_BASE_ADDRESS_4, 0xffffffff);
	CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_4), 0);
	/* The ROM BAR: its size mask and the enable bit. */
	cfg_put32(&r, PCI_ROM_ADDRESS, PCI_ROM_ADDRESS_MASK);
	CHECK_EQ(cfg32(&r, PCI_ROM_ADDRESS), 0xfffc0000);
	cfg_put32(&r, PCI_ROM_ADDRESS, 0xfff00001);
	CHECK_EQ(cfg32(&r, PCI_ROM_ADDRESS), 0xfff00001);
	/* Command: I/O, memory, master, SERR, INTx disable only. */
	cfg_put8(&r, PCI_COMMAND, 0xff);
	CHECK_EQ(cfg8(&r, PCI_COMMAND), 0x07);
	cfg_put8(&r, PCI_COMMAND + 1, 0xff);
	CHECK_EQ(cfg8(&r, PCI_COMMAND + 1), 0x05);
	/* Read-only: ids, status, class, header, pin, list pointers. */
	cfg_put8(&r, PCI_VENDOR_ID, 0);
	cfg_put8(&r, PCI_STATUS, 0xff);
	cfg_put8(&r, PCI_INTERRUPT_PIN, 7);
	cfg_put8(&r, PCI_CAPABILITY_LIST, 0);
	CHECK_EQ(cfg32(&r, PCI_VENDOR_ID), 0x10d38086);
	CHECK_EQ(cfg8(&r, PCI_STATUS), 0x10);
	CHECK_EQ(cfg8(&r, PCI_INTERRUPT_PIN), 1);
	CHECK_EQ(cfg8(&r, PCI_CAPABILITY_LIST), 0xc8);
	cfg_put8(&r, PCI_INTERRUPT_LINE, 0x42);
	CHECK_EQ(cfg8(&r, PCI_INTERRUPT_LINE), 0x42);
	/* The device's own space takes writes; MSI-X's registers do not. */
	cfg_put32(&r, 0x40, 0xdeadbeef);
	CHECK_EQ(cfg32(&r, 0x40), 0xdeadbeef);
	cfg_put32(&r, 0x200, 0x12345678);
	CHECK_EQ(cfg32(&r, 0x200), 0x12345678);
	cfg_put32(&r, 0xa0, 0xffffffff);
	CHECK_EQ(cfg32(&r, 0xa0), 0x00040011);
	/* MSI flags: enable only while MSI is on, queue size clamped. */
	cfg_put8(&r, 0xd2, 0xff);
	CHECK_EQ(cfg8(&r, 0xd2), 0x8e);
	cfg_put8(&r, 0xd2, 0);
	CHECK_EQ(cfg8(&r, 0xd2), 0x00);
	cfg_put32(&r, 0xd4, 0xfee00000);
	CHECK_EQ(cfg32(&r, 0xd4), 0xfee00000);
	/* A new open of the device starts from the device's own values. */
	CHECK_OK(t_close(&r.t, r.devfd));
	r.devfd = CHECK_OK(t_open_dev(&r.t, 0));
	CHECK_OK(bind_raw(&r.t, r.devfd, r.iommufd, NULL));
	CHECK_EQ(cfg32(&r, PCI_BASE_ADDRESS_0), 0xfeb80000);
	CHECK_EQ(cfg32(&r, 0x40), 0);
	CHECK_EQ(cfg8(&r, PCI_COMMAND), 0x03);
	pci_teardown(&r);
}

/* One SET_IRQS with up to 8 fds or bools: the raw result. */
static int set_irqs(struct pci_rig *r, uint32_t index, uint32_t flags,
		    uint32_t start, uint32_t count, const void *data,
		    size_t len)
{
	union {
		struct vfio_irq_set s;
		uint8_t b[sizeof(struct vfio_irq_set) + 32];
	} u;

	memset(&u, 0, sizeof(u));
	u.s.argsz = (uint32_t)(sizeof(u.s) + len);
	u.s.flags = flags;
	u.s.index = index;
	u.s.start = start;
	u.s.count = count;
	if (len)
		memcpy(u.s.data, data, len);
	return t_ioctl(&r->t, r->devfd, VFIO_DEVICE_SET_IRQS, &u);
}

#define NONE VFIO_IRQ_SET_DATA_NONE
#define BOOL VFIO_IRQ_SET_DATA_BOOL
#define EFD VFIO_IRQ_SET_DATA_EVENTFD
#define TRIG VFIO_IRQ_SET_ACTION_TRIGGER
#define MASK VFIO_IRQ_SET_ACTION_MASK
#define UNMASK VFIO_IRQ_SET_ACTION_UNMASK

static bool fired(int efd)
{
	uint64_t v;

	return read(efd, &v, sizeof(v)) == sizeof(v);
}

static void irqs(void)
{
	int e1 = eventfd(0, EFD_NONBLOCK), e2 = eventfd(0, EFD_NONBLOCK);
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	int32_t fds[4];
	uint8_t one = 1, ones[4] = { 1, 1, 1, 1 };
	struct pci_rig r;

	CHECK(e1 >= 0 && e2 >= 0);
	pci_setup(&r);
	/* Counts and flags derive from the capabilities. */
	ii.index = VFIO_PCI_MSI_IRQ_INDEX;
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	CHECK(ii.count == 1 && ii.flags == (VFIO_IRQ_INFO_EVENTFD |
					    VFIO_IRQ_INFO_NORESIZE));
	ii.index = VFIO_PCI_INTX_IRQ_INDEX;
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_GET_IRQ_INFO, &ii));
	CHECK_EQ(ii.flags, 0x7);
	/* Validation, in the core's order. */
	CHECK_ERR(EFAULT, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_SET_IRQS, NULL));
	CHECK_ERR(EINVAL, set_irqs(&r, 5, NONE | TRIG, 0, 0, NULL, 0));
	CHECK_ERR(EINVAL, set_irqs(&r, 0, NONE | BOOL | TRIG, 0, 1, &one, 1));
	CHECK_ERR(ENOTTY, set_irqs(&r, 0, NONE | TRIG | MASK, 0, 1, NULL, 0));
	CHECK_ERR(EINVAL, set_irqs(&r, 0, NONE | TRIG, 0, 2, NULL, 0));
	CHECK_ERR(EINVAL, set_irqs(&r, 2, NONE | TRIG, 1, UINT32_MAX, NULL,
				   0));
	CHECK_ERR(EINVAL, set_irqs(&r, 0, BOOL | TRIG, 0, 1, NULL, 0));
	CHECK_ERR(EINVAL, set_irqs(&r, 0, NONE | TRIG, 0, 0, NULL, 0));
	/* A closed fd is EBADF, a non-eventfd EINVAL. */
	fds[0] = 1000;
	CHECK_ERR(EBADF, set_irqs(&r, 0, EFD | TRIG, 0, 1, fds, 4));
	fds[0] = 0;
	CHECK_ERR(EINVAL, set_irqs(&r, 0, EFD | TRIG, 0, 1, fds, 4));
	CHECK_EQ(eventfds(&r), 0);

	/* INTx: trigger, loopback, mask, unmask eventfd, replace, disable. */
	fds[0] = e1;
	CHECK_OK(set_irqs(&r, 0, EFD | TRIG, 0, 1, fds, 4));
	CHECK_EQ(eventfds(&r), 1);
	CHECK_OK(set_irqs(&r, 0, NONE | TRIG, 0, 1, NULL, 0));
	CHECK(fired(e1));
	CHECK_OK(set_irqs(&r, 0, NONE | MASK, 0, 1, NULL, 0));
	CHECK_ERR(ENOTTY, set_irqs(&r, 0, EFD | MASK, 0, 1, fds, 4));
	fds[0] = e2;
	CHECK_OK(set_irqs(&r, 0, EFD | UNMASK, 0, 1, fds, 4));
	CHECK_ERR(EBUSY, set_irqs(&r, 0, EFD | UNMASK, 0, 1, fds, 4));
	CHECK_EQ(eventfds(&r), 2);
	/* INTx disable in the command register silences the loopback. */
	cfg_put8(&r, PCI_COMMAND + 1, PCI_COMMAND_INTX_DISABLE >> 8);
	CHECK_OK(set_irqs(&r, 0, BOOL | TRIG, 0, 1, &one, 1));
	CHECK(!fired(e1));
	cfg_put8(&r, PCI_COMMAND + 1, 0);
	CHECK_OK(set_irqs(&r, 0, EFD | TRIG, 0, 1, fds, 4));	/* replace */
	CHECK_EQ(eventfds(&r), 2);
	CHECK_ERR(EINVAL, set_irqs(&r, 1, EFD | TRIG, 0, 1, fds, 4));
	CHECK_OK(set_irqs(&r, 0, NONE | TRIG, 0, 0, NULL, 0));
	CHECK_EQ(eventfds(&r), 0);
	CHECK_ERR(EINVAL, set_irqs(&r, 0, NONE | TRIG, 0, 0, NULL, 0));

	/* MSI: one vector; the flags fixup now keeps the enable bit. */
	fds[0] = e1;
	CHECK_OK(set_irqs(&r, 1, EFD | TRIG, 0, 1, fds, 4));
	CHECK_ERR(ENOTTY, set_irqs(&r, 1, NONE | MASK, 0, 1, NULL, 0));
	cfg_put8(&r, 0xd2, 0xff);
	CHECK_EQ(cfg8(&r, 0xd2), 0x8f);
	CHECK_OK(set_irqs(&r, 1, NONE | TRIG, 0, 0, NULL, 0));
	CHECK_EQ(eventfds(&r), 0);

	/* MSI-X: a block with a hole, loopback, growth, a bad fd. */
	fds[0] = e1;
	fds[1] = -1;
	fds[2] = e2;
	CHECK_OK(set_irqs(&r, 2, EFD | TRIG, 0, 3, fds, 12));
	CHECK_EQ(eventfds(&r), 2);
	CHECK_OK(set_irqs(&r, 2, BOOL | TRIG, 0, 3, ones, 3));
	CHECK(fired(e1) && fired(e2));
	fds[0] = e2;
	fds[1] = -1;
	CHECK_OK(set_irqs(&r, 2, EFD | TRIG, 3, 2, fds, 8));
	CHECK_EQ(eventfds(&r), 3);
	CHECK_ERR(EINVAL, set_irqs(&r, 2, EFD | TRIG, 4, 2, fds, 8));
	fds[0] = 0;	/* not an eventfd: vector 0 loses its trigger */
	CHECK_ERR(EINVAL, set_irqs(&r, 2, EFD | TRIG, 0, 1, fds, 4));
	CHECK_EQ(eventfds(&r), 2);
	/* A failed first enable leaves MSI-X off. */
	CHECK_OK(set_irqs(&r, 2, NONE | TRIG, 0, 0, NULL, 0));
	fds[0] = e1;
	fds[1] = 0;
	CHECK_ERR(EINVAL, set_irqs(&r, 2, EFD | TRIG, 0, 2, fds, 8));
	CHECK_ERR(EINVAL, set_irqs(&r, 2, NONE | TRIG, 0, 0, NULL, 0));
	CHECK_EQ(eventfds(&r), 0);

	/* ERR and REQ: one eventfd each, -1 releases, -2 is EINVAL. */
	CHECK_ERR(EINVAL, set_irqs(&r, 3, NONE | TRIG, 0, 1, NULL, 0));
	fds[0] = e1;
	CHECK_OK(set_irqs(&r, 3, EFD | TRIG, 0, 1, fds, 4));
	CHECK_OK(set_irqs(&r, 4, EFD | TRIG, 0, 1, fds, 4));
	CHECK_OK(set_irqs(&r, 3, NONE | TRIG, 0, 1, NULL, 0));
	CHECK(fired(e1));
	fds[0] = -2;
	CHECK_ERR(EINVAL, set_irqs(&r, 3, EFD | TRIG, 0, 1, fds, 4));
	CHECK_ERR(ENOTTY, set_irqs(&r, 4, NONE | UNMASK, 0, 1, NULL, 0));
	CHECK_EQ(eventfds(&r), 2);
	/* The program's fds may go: the model's hold stays until close. */
	fds[0] = e2;
	CHECK_OK(set_irqs(&r, 0, EFD | TRIG, 0, 1, fds, 4));
	close(e1);
	close(e2);
	CHECK_EQ(eventfds(&r), 3);
	CHECK_OK(t_close(&r.t, r.devfd));
	CHECK_EQ(eventfds(&r), 0);
	r.devfd = CHECK_OK(t_open_dev(&r.t, 0));
	pci_teardown(&r);
}

static void regions(void)
{
	uint8_t buf[sizeof(struct vfio_region_info) + 16];
	struct vfio_region_info *ri = (void *)buf;
	struct vfio_info_cap_header cap;
	uint32_t v = 0x12345678, got = 0;
	uint16_t sig = 0;
	struct pci_rig r;
	int wo;

	pci_setup(&r);
	/* BAR 3 holds the MSI-X table: mappable, with a capability. */
	memset(buf, 0, sizeof(buf));
	ri->argsz = sizeof(*ri);
	ri->index = 3;
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_GET_REGION_INFO, ri));
	CHECK(ri->argsz == 40 && ri->flags == 0xf && ri->cap_offset == 0);
	ri->argsz = sizeof(buf);
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_GET_REGION_INFO, ri));
	CHECK_EQ(ri->cap_offset, sizeof(*ri));
	memcpy(&cap, buf + ri->cap_offset, sizeof(cap));
	CHECK(cap.id == VFIO_REGION_INFO_CAP_MSIX_MAPPABLE && cap.version == 1 &&
	      cap.next == 0);
	ri->argsz = sizeof(*ri);
	ri->index = 4;
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_GET_REGION_INFO, ri));
	CHECK(ri->size == 0 && ri->flags == 0);
	/* Reads and writes: the BAR's bytes, short at its end. */
	CHECK_EQ(r.t.host.ops->pwrite(r.t.host.priv, r.devfd, &v, 4,
				      BAR(0) + 0x100), 4);
	CHECK_EQ(r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4,
				     BAR(0) + 0x100), 4);
	CHECK_EQ(got, v);
	CHECK_EQ(r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4,
				     BAR(0) + 0x1fffe), 2);
	CHECK_ERR(EINVAL, r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4,
					      BAR(0) + 0x20000));
	CHECK_ERR(EINVAL, r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4,
					      BAR(4)));
	CHECK_ERR(EINVAL, r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4,
					      BAR(8)));
	/* The MSI-X table reads as ones and drops writes. */
	CHECK_EQ(r.t.host.ops->pwrite(r.t.host.priv, r.devfd, &v, 4, BAR(3)),
		 4);
	CHECK_EQ(r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4, BAR(3)),
		 4);
	CHECK_EQ(got, 0xffffffff);
	/* The ROM: a signature, no writes. */
	CHECK_EQ(r.t.host.ops->pread(r.t.host.priv, r.devfd, &sig, 2, BAR(6)),
		 2);
	CHECK_EQ(sig, 0xaa55);
	CHECK_ERR(EINVAL, r.t.host.ops->pwrite(r.t.host.priv, r.devfd, &v, 4,
					       BAR(6)));
	/* Memory decoding off: memory BARs and the ROM EIO, I/O works. */
	cfg_put8(&r, PCI_COMMAND, PCI_COMMAND_IO);
	CHECK_ERR(EIO, r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4,
					   BAR(0)));
	CHECK_ERR(EIO, r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4,
					   BAR(6)));
	CHECK_EQ(r.t.host.ops->pread(r.t.host.priv, r.devfd, &got, 4, BAR(2)),
		 4);
	/* An fd open for writing only cannot read. */
	wo = CHECK_OK(r.t.host.ops->open(r.t.host.priv,
					 "/dev/vfio/devices/vfio0", O_WRONLY));
	CHECK_ERR(EBADF, r.t.host.ops->pread(r.t.host.priv, wo, &got, 4, CFG));
	CHECK_OK(t_close(&r.t, wo));
	pci_teardown(&r);
}

static int t_mmap(struct pci_rig *r, int fd, size_t len, int prot, int flags,
		  uint64_t off, void **p)
{
	return r->t.host.ops->mmap(r->t.host.priv, NULL, len, prot, flags, fd,
				   off, p);
}

static int t_munmap(struct pci_rig *r, void *p, size_t len)
{
	return r->t.host.ops->munmap(r->t.host.priv, p, len);
}

static void mmaps(void)
{
	const int rw = PROT_READ | PROT_WRITE;
	struct emu_counters c;
	struct pci_rig r;
	uint32_t v = 0xcafe, ioas;
	uint8_t *p, *q;
	void *m;
	int fd2, ro;

	pci_setup(&r);
	/* mmap(2)'s and vfio-pci's refusals. */
	fd2 = CHECK_OK(t_open_dev(&r.t, 0));
	CHECK_ERR(EINVAL, t_mmap(&r, fd2, PG, PROT_READ, MAP_SHARED, 0, &m));
	CHECK_ERR(EINVAL, t_mmap(&r, r.devfd, PG, PROT_READ, MAP_PRIVATE, 0,
				 &m));
	CHECK_ERR(EINVAL, t_mmap(&r, r.devfd, 2 * PG, PROT_READ, MAP_SHARED,
				 0x1f000, &m));
	CHECK_ERR(EINVAL, t_mmap(&r, r.devfd, PG, PROT_READ, MAP_SHARED, 0x800,
				 &m));
	CHECK_ERR(EINVAL, t_mmap(&r, r.devfd, 0, PROT_READ, MAP_SHARED, 0, &m));
	CHECK_ERR(EINVAL, t_mmap(&r, r.devfd, PG, PROT_READ, MAP_SHARED,
				 BAR(2), &m));
	CHECK_ERR(EINVAL, t_mmap(&r, r.devfd, PG, PROT_READ, MAP_SHARED,
				 BAR(6), &m));
	CHECK_ERR(EINVAL, t_mmap(&r, r.devfd, PG, PROT_READ, MAP_SHARED,
				 CFG, &m));
	CHECK_ERR(ENODEV, t_mmap(&r, r.iommufd, PG, PROT_READ, MAP_SHARED, 0,
				 &m));
	CHECK_ERR(EBADF, t_mmap(&r, 900, PG, PROT_READ, MAP_SHARED, 0, &m));
	ro = CHECK_OK(r.t.host.ops->open(r.t.host.priv,
					 "/dev/vfio/devices/vfio0", O_RDONLY));
	CHECK_ERR(EACCES, t_mmap(&r, ro, PG, rw, MAP_SHARED, 0, &m));
	CHECK_OK(t_close(&r.t, ro));
	CHECK_OK(t_close(&r.t, fd2));
	CHECK_EQ(mappings(&r), 0);

	/*
	 * A mapping is the BAR: the e1000e's registers from the start
	 * (STATUS's stored part), and pwrite shows through it and back
	 * (MTA[0] and MTA[1], registers the e1000e stores as written).
	 */
	CHECK_OK(t_mmap(&r, r.devfd, 0x20000, rw, MAP_SHARED, 0, &m));
	p = m;
	CHECK_EQ(*(uint32_t *)(p + 0x8), 0x202);
	CHECK_EQ(r.t.host.ops->pwrite(r.t.host.priv, r.devfd, &v, 4,
				      BAR(0) + 0x5200), 4);
	CHECK_EQ(*(uint32_t *)(p + 0x5200), 0xcafe);
	p[0x5204] = 0x5a;
	CHECK_EQ(r.t.host.ops->pread(r.t.host.priv, r.devfd, &v, 1,
				     BAR(0) + 0x5204), 1);
	CHECK_EQ(v & 0xff, 0x5a);
	CHECK_EQ(mappings(&r), 1);

	/* A pin of it (IOAS_MAP with a domain) is EFAULT; without, fine. */
	CHECK_OK(ioas_alloc_raw(&r.t, r.iommufd, &ioas));
	CHECK_OK(map_fixed_raw(&r.t, r.iommufd, ioas, 0x40000000, PG,
			       (uintptr_t)p));
	CHECK_ERR(EFAULT, attach_raw(&r.t, r.devfd, ioas, NULL));
	CHECK_OK(unmap_raw(&r.t, r.iommufd, ioas, 0x40000000, PG, NULL));
	CHECK_OK(attach_raw(&r.t, r.devfd, ioas, NULL));
	CHECK_ERR(EFAULT, map_fixed_raw(&r.t, r.iommufd, ioas, 0x40000000, PG,
					(uintptr_t)p));
	CHECK_OK(detach_raw(&r.t, r.devfd));

	/* Cutting the middle splits it; each piece holds the device. */
	CHECK_OK(t_munmap(&r, p + PG, PG));
	CHECK_EQ(mappings(&r), 2);
	CHECK_ERR(EINVAL, t_munmap(&r, p + 1, PG));
	/* Closing the fd leaves the device open and bound while mapped. */
	CHECK_OK(t_close(&r.t, r.devfd));
	emu_counters_get(r.t.emu, &c);
	CHECK(c.fds == 1 && c.files == 2 && c.objects == 2);
	q = p + 2 * PG;
	CHECK_OK(t_munmap(&r, p, PG));
	CHECK_EQ(mappings(&r), 1);
	/* Something else mapped over it takes its place. */
	m = mmap(q, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0);
	CHECK(m == q);
	emu_mappings_forget(r.t.emu, q, PG);
	CHECK_EQ(mappings(&r), 1);
	CHECK_OK(t_munmap(&r, q, 0x20000 - 2 * PG));
	emu_counters_get(r.t.emu, &c);
	CHECK(c.mappings == 0 && c.files == 1 && c.objects == 1);
	CHECK_OK(destroy_raw(&r.t, r.iommufd, ioas));
	r.devfd = CHECK_OK(t_open_dev(&r.t, 0));
	pci_teardown(&r);
}

static int feature(struct pci_rig *r, uint32_t flags, const void *data,
		   size_t len)
{
	uint8_t buf[sizeof(struct vfio_device_feature) + 16];
	struct vfio_device_feature *f = (void *)buf;

	memset(buf, 0, sizeof(buf));
	f->argsz = (uint32_t)(sizeof(*f) + len);
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	return t_ioctl(&r->t, r->devfd, VFIO_DEVICE_FEATURE, f);
}

static void features_resets(void)
{
	struct vfio_device_low_power_entry_with_wakeup w = { 0 };
	struct vfio_pci_hot_reset_info hi = { .argsz = sizeof(hi) };
	struct vfio_pci_hot_reset hr = { .argsz = sizeof(hr) };
	struct vfio_device_ioeventfd io = { .argsz = sizeof(io) };
	const uint32_t set = VFIO_DEVICE_FEATURE_SET;
	int e = eventfd(0, EFD_NONBLOCK);
	struct pci_rig r;

	pci_setup(&r);
	CHECK_ERR(ENOTTY, feature(&r, VFIO_DEVICE_FEATURE_MIGRATION, NULL, 0));
	CHECK_ERR(ENOTTY, feature(&r, VFIO_DEVICE_FEATURE_GET |
				  VFIO_DEVICE_FEATURE_DMA_LOGGING_START, NULL,
				  0));
	CHECK_ERR(EINVAL, feature(&r, VFIO_DEVICE_FEATURE_PROBE |
				  VFIO_DEVICE_FEATURE_GET |
				  VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL,
				  0));
	CHECK_OK(feature(&r, VFIO_DEVICE_FEATURE_PROBE | set |
			 VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0));
	CHECK_ERR(EINVAL, feature(&r, VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
				  NULL, 0));
	CHECK_ERR(ENOTTY, feature(&r, set | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN,
				  NULL, 0));
	/* Low power with a wakeup eventfd: held until exit. */
	CHECK_ERR(EINVAL, feature(&r, set |
				  VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP,
				  NULL, 0));
	w.wakeup_eventfd = e;
	CHECK_OK(feature(&r, set |
			 VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP, &w,
			 sizeof(w)));
	CHECK_EQ(eventfds(&r), 1);
	CHECK_ERR(EINVAL, feature(&r, set | VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY,
				  NULL, 0));
	CHECK_OK(feature(&r, set | VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0));
	CHECK_OK(feature(&r, set | VFIO_DEVICE_FEATURE_LOW_POWER_EXIT, NULL, 0));
	CHECK_EQ(eventfds(&r), 0);
	/* Resets: the function's works, there is no bus to reset. */
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_RESET, NULL));
	CHECK_ERR(ENODEV, t_ioctl(&r.t, r.devfd,
				  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &hi));
	hi.argsz = 4;
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd,
				  VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &hi));
	CHECK_ERR(ENODEV, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_PCI_HOT_RESET,
				  &hr));
	hr.count = 1;
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_PCI_HOT_RESET,
				  &hr));
	/* ioeventfds: into BARs, not over the MSI-X table, no doubles. */
	io.flags = VFIO_DEVICE_IOEVENTFD_32;
	io.fd = e;
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_IOEVENTFD, &io));
	CHECK_ERR(EEXIST, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_IOEVENTFD, &io));
	CHECK_EQ(eventfds(&r), 1);
	io.offset = BAR(3);
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_IOEVENTFD, &io));
	io.offset = BAR(6);
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_IOEVENTFD, &io));
	io.offset = 0;
	io.flags = VFIO_DEVICE_IOEVENTFD_32 | VFIO_DEVICE_IOEVENTFD_16;
	CHECK_ERR(EINVAL, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_IOEVENTFD, &io));
	io.flags = VFIO_DEVICE_IOEVENTFD_16;
	io.fd = -1;
	CHECK_ERR(ENODEV, t_ioctl(&r.t, r.devfd, VFIO_DEVICE_IOEVENTFD, &io));
	io.flags = VFIO_DEVICE_IOEVENTFD_32;
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_IOEVENTFD, &io));
	CHECK_EQ(eventfds(&r), 0);
	io.fd = e;
	CHECK_OK(t_ioctl(&r.t, r.devfd, VFIO_DEVICE_IOEVENTFD, &io));
	close(e);
	/* Close releases what the device held. */
	CHECK_OK(t_close(&r.t, r.devfd));
	CHECK_EQ(eventfds(&r), 0);
	r.devfd = CHECK_OK(t_open_dev(&r.t, 0));
	pci_teardown(&r);
}

static void dup_fd(void)
{
	struct pci_rig r;
	uint32_t devid = 0;
	int d;

	pci_setup(&r);
	d = CHECK_OK(emu_dup(r.t.emu, r.devfd));
	CHECK(d != r.devfd);
	CHECK_ERR(EBADF, emu_dup(r.t.emu, 999));
	CHECK_OK(t_close(&r.t, r.devfd));
	/* The same open file: still bound through the second fd. */
	CHECK_OK(emu_device_state(r.t.emu, d, &devid, NULL, NULL));
	CHECK(devid != 0);
	CHECK_EQ(cfg_rd(&(struct pci_rig){ .t = r.t, .devfd = d }, 0, &devid,
			2), 2);
	r.devfd = d;
	pci_teardown(&r);
}

static const struct check_test tests[] = {
	TEST(config_layout),
	TEST(config_every_profile),
	TEST(config_writes),
	TEST(irqs),
	TEST(regions),
	TEST(mmaps),
	TEST(features_resets),
	TEST(dup_fd),
};

CHECK_MAIN(tests)
