// SPDX-License-Identifier: MIT
/*
 * vfio-pci's regions (vfio_pci.h): VFIO_DEVICE_GET_REGION_INFO with its
 * capability chain, region read/write, mmap and munmap of the BARs, and
 * VFIO_DEVICE_IOEVENTFD, as Linux 6.12 answers them.
 *
 * Offsets carry the region index in their top bits (index << 40). The
 * config region is vfio_config.c's; BARs and the ROM are here; the VGA
 * region of a device without VGA, and every index past the ROM's, is
 * EINVAL. A memory BAR (and the ROM) refuses access with EIO while the
 * virtual command register has memory decoding off or the function is in
 * D3hot; I/O BARs do not look. The MSI-X table's bytes read as ones and
 * drop writes, and so do the ROM BAR's bytes past the ROM image.
 *
 * Every BAR's bytes live in a memfd made on first use (the device's
 * "hardware", kept for the machine's life), so that pread, pwrite and
 * every mmap of the same BAR see the same bytes. A profile's device model
 * may take over the bytes (emu_bar_rw_fn), keeping its registers in that
 * memory (emu_vregion_bar_mem) so that a mapping shows them; the default
 * is that memory, zeros after creation, the ROM holding a minimal option
 * ROM image.
 *
 * An mmap of a BAR is validated as mmap(2) and vfio-pci do it (page
 * aligned offset, non-zero length, MAP_SHARED, a mappable BAR, the
 * request within the page-rounded BAR, PROT_WRITE only on an fd open for
 * writing), then maps that memfd. The model keeps every such mapping
 * (counted in emu_counters.mappings), each holding a reference on the
 * device file as a VMA does: closing the fd does not unbind a device
 * still mapped. munmap cuts, splits and drops them. Such memory is a
 * VM_PFNMAP mapping to the kernel: pinning it for a domain fails with
 * EFAULT (emu_vregion_mapped).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "eventfd.h"
#include "machine.h"
#include "pci_desc.h"
#include "uaccess.h"
#include "util.h"
#include "vfio.h"
#include "vfio_pci.h"

#define EMU_IOEVENTFD_MAX 1000	/* VFIO_PCI_IOEVENTFD_MAX */
#define EMU_ROM_IMAGE 512	/* the option ROM image inside the ROM BAR */

/* The BARs' bytes: one memfd per BAR (0-5) and the ROM (6). */
struct emu_bar_store {
	int fd[7];
	uint8_t *mem[7];
	uint64_t len[7];	/* page-rounded */
};

static const struct emu_region_desc *emu_vregion(const struct emu_dev *dev,
						 uint32_t index)
{
	const struct emu_profile *p = dev->profile;

	if (index >= p->num_regions || !p->regions)
		return NULL;
	return &p->regions[index];
}

/* A minimal option ROM: signature, PCI data structure, one 512-byte
 * image whose init entry returns at once, checksum 0. */
static void emu_vregion_rom_image(const struct emu_dev *dev, uint8_t *rom)
{
	const struct emu_profile *p = dev->profile;
	uint8_t sum = 0;
	unsigned int i;

	memset(rom, 0, EMU_ROM_IMAGE);
	rom[0] = 0x55;
	rom[1] = 0xaa;
	rom[2] = EMU_ROM_IMAGE / 512;
	rom[3] = 0xcb;			/* retf */
	rom[0x18] = 0x1c;		/* PCI data structure at 0x1c */
	memcpy(rom + 0x1c, "PCIR", 4);
	rom[0x20] = (uint8_t)p->vendor;
	rom[0x21] = (uint8_t)(p->vendor >> 8);
	rom[0x22] = (uint8_t)p->device;
	rom[0x23] = (uint8_t)(p->device >> 8);
	rom[0x26] = 0x18;		/* structure length */
	rom[0x28] = (uint8_t)p->class_code;
	rom[0x29] = (uint8_t)(p->class_code >> 8);
	rom[0x2a] = (uint8_t)(p->class_code >> 16);
	rom[0x2c] = EMU_ROM_IMAGE / 512;
	rom[0x31] = 0x80;		/* last image */
	for (i = 0; i < EMU_ROM_IMAGE; i++)
		sum += rom[i];
	rom[6] = (uint8_t)-sum;
}

/* BAR @i's memfd and its mapping in the model, made on first use. */
static int emu_vregion_store(struct emu *emu, struct emu_dev *dev,
			     unsigned int i, uint8_t **mem)
{
	struct emu_bar_store *s = dev->store;
	uint64_t len;
	int fd;

	if (!s) {
		s = emu_heap_zalloc(emu->heap, sizeof(*s));
		if (!s)
			return -ENOMEM;
		memset(s->fd, -1, sizeof(s->fd));
		dev->store = s;
	}
	if (s->mem[i]) {
		*mem = s->mem[i];
		return 0;
	}
	if (!emu_align_up(emu_vregion(dev, i)->size, EMU_PAGE_SIZE, &len))
		return -ENOMEM;
	fd = memfd_create("iofd-emu-bar", MFD_CLOEXEC);
	if (fd < 0)
		return -ENOMEM;
	if (ftruncate(fd, (off_t)len) < 0)
		goto err_close_fd;
	s->mem[i] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s->mem[i] == MAP_FAILED) {
		s->mem[i] = NULL;
		goto err_close_fd;
	}
	s->fd[i] = fd;
	s->len[i] = len;
	if (i == VFIO_PCI_ROM_REGION_INDEX)
		emu_vregion_rom_image(dev, s->mem[i]);
	*mem = s->mem[i];
	return 0;

err_close_fd:
	close(fd);
	return -ENOMEM;
}

int emu_vregion_bar_mem(struct emu *emu, struct emu_dev *dev,
			unsigned int bar, void **mem)
{
	uint8_t *m;
	int rc = emu_vregion_store(emu, dev, bar, &m);

	if (!rc)
		*mem = m;
	return rc;
}

void emu_vregion_store_free(struct emu *emu, struct emu_dev *dev)
{
	struct emu_bar_store *s = dev->store;
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < 7; i++) {
		if (s->mem[i])
			munmap(s->mem[i], s->len[i]);
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	}
	emu_heap_free(emu->heap, s);
	dev->store = NULL;
}

/* ------------------------------------------------------------------ */
/* VFIO_DEVICE_GET_REGION_INFO                                         */

int emu_vregion_get_info(struct emu *emu, struct emu_dev *dev, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap_header cap = {
		.id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE,
		.version = 1,
	};
	const struct emu_region_desc *r;
	struct vfio_region_info info;
	uint64_t toff, tsize;
	unsigned int tbar;
	size_t caps = 0;

	if (emu_copy_from_user(emu, &info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	r = emu_vregion(dev, info.index);
	if (!r || (info.index == VFIO_PCI_VGA_REGION_INDEX && !r->size))
		return -EINVAL;
	info.offset = (uint64_t)info.index << EMU_VFIO_OFFSET_SHIFT;
	info.size = r->size;
	info.flags = r->size ? r->flags : 0;
	info.cap_offset = 0;
	if (info.index <= VFIO_PCI_BAR5_REGION_INDEX &&
	    (info.flags & VFIO_REGION_INFO_FLAG_MMAP) &&
	    emu_pci_msix_table(dev, &tbar, &toff, &tsize) &&
	    tbar == info.index)
		caps = sizeof(cap);
	if (caps) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps) {
			info.argsz = (uint32_t)(sizeof(info) + caps);
		} else {
			if (emu_copy_to_user(emu, (char *)arg + sizeof(info),
					     &cap, caps))
				return -EFAULT;
			info.cap_offset = sizeof(info);
		}
	}
	return emu_copy_to_user(emu, arg, &info, minsz);
}

/* ------------------------------------------------------------------ */
/* Region read and write                                               */

/* Memory decoding on and the function in D0 (__vfio_pci_memory_enabled). */
static int emu_vregion_mem_enabled(struct emu_dev *dev)
{
	const struct emu_pci_cap *pm =
		emu_pci_cap_find(emu_pci_desc(dev), EMU_CAP_PM);
	uint16_t cmd;
	uint8_t state = 0;
	int rc;

	rc = emu_vcfg_command(dev, &cmd);
	if (rc)
		return rc;
	if (pm)
		state = dev->vpci->config[pm->offset + PCI_PM_CTRL] &
			PCI_PM_CTRL_STATE_MASK;
	return (cmd & PCI_COMMAND_MEMORY) && state < 3 ? 0 : -EIO;
}

/*
 * [*xs, *xe): the bytes of BAR @bar that read as ones and drop writes
 * (the MSI-X table, the ROM BAR past its image).
 */
static void emu_vregion_excluded(const struct emu_dev *dev, unsigned int bar,
				 uint64_t *xs, uint64_t *xe)
{
	uint64_t off, size;
	unsigned int tbar;

	*xs = *xe = 0;
	if (bar == VFIO_PCI_ROM_REGION_INDEX) {
		*xs = EMU_ROM_IMAGE;
		*xe = emu_vregion(dev, bar)->size;
	} else if (emu_pci_msix_table(dev, &tbar, &off, &size) && tbar == bar) {
		*xs = off;
		*xe = off + size;
	}
}

/* The bytes of BAR @bar at @pos, between @kbuf and the device. */
static ssize_t emu_vregion_bar_io(struct emu *emu, struct emu_dev *dev,
				  unsigned int bar, uint64_t pos,
				  uint8_t *kbuf, size_t count, bool write)
{
	emu_bar_rw_fn model = emu_pci_desc(dev)->bar_rw;
	uint64_t xs, xe, i;
	uint8_t *mem;
	int rc;

	emu_vregion_excluded(dev, bar, &xs, &xe);
	if (model && bar != VFIO_PCI_ROM_REGION_INDEX && xs == xe)
		return model(emu, dev, bar, pos, kbuf, count, write);
	rc = emu_vregion_store(emu, dev, bar, &mem);
	if (rc)
		return rc;
	for (i = 0; i < count; i++) {
		bool excluded = pos + i >= xs && pos + i < xe;

		if (write && !excluded)
			mem[pos + i] = kbuf[i];
		else if (!write)
			kbuf[i] = excluded ? 0xff : mem[pos + i];
	}
	return (ssize_t)count;
}

/* vfio_pci_bar_rw for BAR 0-5 and the ROM (6). */
static ssize_t emu_vregion_bar_rw(struct emu *emu, struct emu_dev *dev,
				  unsigned int bar, void *ubuf, size_t count,
				  uint64_t pos, bool write)
{
	const struct emu_region_desc *r = emu_vregion(dev, bar);
	uint8_t *kbuf;
	ssize_t n;

	if (!r->size || pos >= r->size)
		return -EINVAL;
	if (count > r->size - pos)
		count = (size_t)(r->size - pos);
	kbuf = emu_heap_zalloc(emu->heap, count ? count : 1);
	if (!kbuf)
		return -ENOMEM;
	/* A write copies its bytes before the decoding check, as 6.12. */
	n = -EFAULT;
	if (write && emu_copy_from_user(emu, kbuf, ubuf, count))
		goto out_free_kbuf;
	if (!r->io) {
		n = emu_vregion_mem_enabled(dev);
		if (n)
			goto out_free_kbuf;
	}
	n = emu_vregion_bar_io(emu, dev, bar, pos, kbuf, count, write);
	if (n > 0 && !write && emu_copy_to_user(emu, ubuf, kbuf, (size_t)n))
		n = -EFAULT;
out_free_kbuf:
	emu_heap_free(emu->heap, kbuf);
	return n;
}

ssize_t emu_vregion_rw(struct emu_vfio_file *vf, void *ubuf, size_t count,
		       uint64_t off, bool write)
{
	uint32_t index = (uint32_t)(off >> EMU_VFIO_OFFSET_SHIFT);
	uint64_t pos = off & EMU_VFIO_OFFSET_MASK;
	struct emu_dev *dev = vf->dev;

	if (!vf->access || index >= dev->profile->num_regions)
		return -EINVAL;
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return emu_vcfg_rw(vf->emu, dev, ubuf, count, pos, write);
	case VFIO_PCI_ROM_REGION_INDEX:
		if (write)
			return -EINVAL;
		return emu_vregion_bar_rw(vf->emu, dev, index, ubuf, count,
					  pos, false);
	case VFIO_PCI_VGA_REGION_INDEX:
		return -EINVAL;
	default:
		return emu_vregion_bar_rw(vf->emu, dev, index, ubuf, count,
					  pos, write);
	}
}

/* ------------------------------------------------------------------ */
/* mmap and munmap                                                     */

bool emu_vregion_mapped(const struct emu *emu, uint64_t va, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < emu->nr_maps; i++) {
		const struct emu_map *m = &emu->maps[i];

		if (va < m->end && va + len > m->start)
			return true;
	}
	return false;
}

/* Room for @n more tracked mappings: 0 or -ENOMEM. */
static int emu_vregion_reserve(struct emu *emu, unsigned int n)
{
	unsigned int ncap = emu->cap_maps ? emu->cap_maps : 8;
	struct emu_map *nm;

	while (ncap < emu->nr_maps + n)
		ncap *= 2;
	if (ncap == emu->cap_maps)
		return 0;
	nm = emu_heap_realloc(emu->heap, emu->maps, ncap * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	emu->maps = nm;
	emu->cap_maps = ncap;
	return 0;
}

/* Track [start, end) of @file; the room was reserved. */
static void emu_vregion_add(struct emu *emu, uint64_t start, uint64_t end,
			    struct emu_file *file)
{
	emu_file_get(file);
	emu->maps[emu->nr_maps++] = (struct emu_map){ start, end, file };
}

/*
 * Forget [start, end) of every tracked mapping: cut, split (the second
 * half takes a file reference of its own, like a VMA split) or drop. A
 * split that finds no memory leaves the second half untracked.
 */
static void emu_vregion_untrack(struct emu *emu, uint64_t start, uint64_t end)
{
	unsigned int i = 0;

	while (i < emu->nr_maps) {
		struct emu_map *m = &emu->maps[i];

		if (end <= m->start || start >= m->end) {
			i++;
			continue;
		}
		if (start > m->start && end < m->end &&
		    !emu_vregion_reserve(emu, 1)) {
			m = &emu->maps[i];
			emu_vregion_add(emu, end, m->end, m->file);
		}
		m = &emu->maps[i];
		if (start > m->start) {
			m->end = start;
			i++;
		} else if (end < m->end) {
			m->start = end;
			i++;
		} else {
			struct emu_file *file = m->file;

			*m = emu->maps[--emu->nr_maps];
			emu_file_put(emu, file);
		}
	}
}

/* mmap(2)'s own checks, then the file's: 0 or -errno. */
static int emu_vregion_mmap_check(const struct emu_file *file, size_t len,
				  int prot, int flags, uint64_t off)
{
	int type = flags & MAP_TYPE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;

	if (off & (EMU_PAGE_SIZE - 1))
		return -EINVAL;
	if (!len || len > (size_t)-EMU_PAGE_SIZE)
		return -EINVAL;
	if (!shared && type != MAP_PRIVATE)
		return -EINVAL;
	if (!(file->fmode & EMU_FMODE_READ))
		return -EACCES;
	if (shared && (prot & PROT_WRITE) && !(file->fmode & EMU_FMODE_WRITE))
		return -EACCES;
	if (file->kind != EMU_FILE_VFIO)
		return -ENODEV;
	return shared ? 0 : 1;	/* 1: vfio-pci refuses a private map */
}

/* vfio_pci_core_mmap's checks: the BAR index, or -EINVAL. */
static int emu_vregion_mmap_bar(const struct emu_vfio_file *vf, size_t len,
				uint64_t off, bool shared)
{
	uint32_t index = (uint32_t)(off >> EMU_VFIO_OFFSET_SHIFT);
	uint64_t pos = off & EMU_VFIO_OFFSET_MASK, phys, req;
	const struct emu_region_desc *r;

	if (!vf->access || index >= vf->dev->profile->num_regions || !shared ||
	    index >= VFIO_PCI_ROM_REGION_INDEX)
		return -EINVAL;
	r = emu_vregion(vf->dev, index);
	if (!r->size || !(r->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return -EINVAL;
	if (!emu_align_up(r->size, EMU_PAGE_SIZE, &phys) ||
	    !emu_align_up(len, EMU_PAGE_SIZE, &req) ||
	    pos + req > phys || pos + req < pos)
		return -EINVAL;
	return (int)index;
}

int emu_mmap(struct emu *emu, int fd, void *addr, size_t len, int prot,
	     int flags, uint64_t off, void **out)
{
	struct emu_file *file = emu_fd_get(emu, fd);
	emu_bar_rw_fn model;
	uint64_t start, alen;
	uint8_t *mem;
	void *p;
	int rc, bar;

	if (!file)
		return -EBADF;
	rc = emu_vregion_mmap_check(file, len, prot, flags, off);
	if (rc < 0)
		return rc;
	bar = emu_vregion_mmap_bar(file->vfio, len, off, rc == 0);
	if (bar < 0)
		return bar;
	model = emu_pci_desc(file->vfio->dev)->bar_rw;
	rc = emu_vregion_store(emu, file->vfio->dev, (unsigned int)bar,
			       &mem);
	if (rc)
		return rc;
	/* A device model has its registers in place before anyone looks. */
	if (model) {
		ssize_t n = model(emu, file->vfio->dev, (unsigned int)bar, 0,
				  NULL, 0, false);

		if (n < 0)
			return (int)n;
	}
	/* The new mapping, and one split if it lands inside an old one. */
	rc = emu_vregion_reserve(emu, 2);
	if (rc)
		return rc;
	p = mmap(addr, len, prot, (flags & ~MAP_TYPE) | MAP_SHARED,
		 file->vfio->dev->store->fd[bar],
		 (off_t)(off & EMU_VFIO_OFFSET_MASK));
	if (p == MAP_FAILED)
		return -errno;
	start = (uint64_t)(uintptr_t)p;
	emu_align_up(len, EMU_PAGE_SIZE, &alen);
	/* A MAP_FIXED map replaced whatever was mapped there. */
	emu_vregion_untrack(emu, start, start + alen);
	emu_vregion_add(emu, start, start + alen, file);
	*out = p;
	return 0;
}

void emu_mappings_forget(struct emu *emu, void *addr, size_t len)
{
	uint64_t start = (uint64_t)(uintptr_t)addr, alen;

	if (!len || !emu_align_up(len, EMU_PAGE_SIZE, &alen) ||
	    start + alen < start)
		return;
	emu_vregion_untrack(emu, start, start + alen);
}

int emu_munmap(struct emu *emu, void *addr, size_t len)
{
	uint64_t start = (uint64_t)(uintptr_t)addr, alen;

	if ((start & (EMU_PAGE_SIZE - 1)) || !len ||
	    !emu_align_up(len, EMU_PAGE_SIZE, &alen) || start + alen < start)
		return -EINVAL;
	if (munmap(addr, len) < 0)
		return -errno;
	emu_vregion_untrack(emu, start, start + alen);
	return 0;
}

void emu_vregion_maps_release(struct emu *emu)
{
	while (emu->nr_maps) {
		struct emu_map *m = &emu->maps[emu->nr_maps - 1];

		munmap((void *)(uintptr_t)m->start, m->end - m->start);
		emu_vregion_untrack(emu, m->start, m->end);
	}
	emu_heap_free(emu->heap, emu->maps);
	emu->maps = NULL;
	emu->cap_maps = 0;
}

/* ------------------------------------------------------------------ */
/* VFIO_DEVICE_IOEVENTFD                                               */

static int emu_vregion_ioeventfd_set(struct emu *emu, struct emu_dev *dev,
				     uint64_t offset, uint64_t data,
				     unsigned int count, int32_t fd)
{
	unsigned int bar = (unsigned int)(offset >> EMU_VFIO_OFFSET_SHIFT);
	uint64_t pos = offset & EMU_VFIO_OFFSET_MASK, toff, tsize;
	struct emu_vpci *vpci = dev->vpci;
	struct emu_ioeventfd **pp, *io;
	unsigned int tbar;
	int held;

	if (bar > VFIO_PCI_BAR5_REGION_INDEX ||
	    pos + count > emu_vregion(dev, bar)->size)
		return -EINVAL;
	if (emu_pci_msix_table(dev, &tbar, &toff, &tsize) && tbar == bar &&
	    !(pos + count <= toff || pos >= toff + tsize))
		return -EINVAL;
	for (pp = &vpci->ioeventfds; *pp; pp = &(*pp)->next) {
		io = *pp;
		if (io->pos != pos || io->bar != bar || io->data != data ||
		    io->count != count)
			continue;
		if (fd != -1)
			return -EEXIST;
		*pp = io->next;
		emu_eventfd_put(emu, io->eventfd);
		emu_heap_free(emu->heap, io);
		vpci->nr_ioeventfds--;
		return 0;
	}
	if (fd < 0)
		return -ENODEV;
	if (vpci->nr_ioeventfds >= EMU_IOEVENTFD_MAX)
		return -ENOSPC;
	io = emu_heap_zalloc(emu->heap, sizeof(*io));
	if (!io)
		return -ENOMEM;
	held = emu_eventfd_get(emu, fd);
	if (held < 0) {
		emu_heap_free(emu->heap, io);
		return held;
	}
	*io = (struct emu_ioeventfd){ .next = vpci->ioeventfds, .bar = bar,
				      .pos = pos, .data = data,
				      .count = count, .eventfd = held };
	vpci->ioeventfds = io;
	vpci->nr_ioeventfds++;
	return 0;
}

int emu_vregion_ioeventfd(struct emu *emu, struct emu_dev *dev, void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_device_ioeventfd, fd);
	struct vfio_device_ioeventfd io;
	unsigned int count;

	if (emu_copy_from_user(emu, &io, arg, minsz))
		return -EFAULT;
	if (io.argsz < minsz || (io.flags & ~VFIO_DEVICE_IOEVENTFD_SIZE_MASK))
		return -EINVAL;
	count = io.flags & VFIO_DEVICE_IOEVENTFD_SIZE_MASK;
	if (__builtin_popcount(count) != 1 || io.fd < -1)
		return -EINVAL;
	return emu_vregion_ioeventfd_set(emu, dev, io.offset, io.data, count,
					 io.fd);
}

void emu_vregion_ioeventfds_release(struct emu *emu, struct emu_vpci *vpci)
{
	while (vpci->ioeventfds) {
		struct emu_ioeventfd *io = vpci->ioeventfds;

		vpci->ioeventfds = io->next;
		emu_eventfd_put(emu, io->eventfd);
		emu_heap_free(emu->heap, io);
	}
	vpci->nr_ioeventfds = 0;
}
