/* SPDX-License-Identifier: MIT */
/*
 * vfio-pci's side of an emulated device, split by job: the virtual config
 * space (vfio_config.c), interrupts (vfio_irq.c), regions with their
 * read/write, mmap and ioeventfds (vfio_region.c). vfio.c owns the cdev
 * and dispatches to these.
 *
 * Lifetimes follow the kernel. struct emu_vpci is vfio-pci's state of an
 * open device: made when the device is first opened (at BIND on the cdev
 * path) and torn down when it is closed, which releases every eventfd it
 * holds; config space is built afresh from the profile at each open, as
 * vfio_config_init does. The BARs' bytes (the "hardware") live with the
 * device for the machine's life. A region mmap holds a reference on the
 * device file, so a device with a mapping left stays open and bound.
 */
#ifndef EMU_VFIO_PCI_H
#define EMU_VFIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vfio.h>

struct emu;
struct emu_dev;
struct emu_file;
struct emu_pci_desc;
struct emu_vfio_file;

/* Interrupt state of an open device (vfio_pci_intrs.c). */
struct emu_virq {
	/* VFIO_PCI_{INTX,MSI,MSIX}_IRQ_INDEX, or VFIO_PCI_NUM_IRQS: none. */
	unsigned int type;
	unsigned int nvec;	/* MSI/MSI-X vectors allocated */
	/*
	 * Per vector: the held trigger eventfd, -1 for none. An MSI/MSI-X
	 * vector has a context exactly while it has a trigger; INTx has
	 * one while type is INTx, with or without a trigger.
	 */
	int *trigger;
	unsigned int ntrigger;
	bool intx_masked;
	int intx_unmask;	/* the unmask virqfd's eventfd, or -1 */
	int err_trigger;	/* -1: none */
	int req_trigger;
};

struct emu_ioeventfd {
	struct emu_ioeventfd *next;
	unsigned int bar;
	uint64_t pos;
	uint64_t data;
	unsigned int count;
	int eventfd;		/* held */
};

struct emu_vpci {
	/* The machine's (heap.h): where the blocks below come from. */
	struct emu_heap *heap;
	uint8_t *config;	/* EMU_CONFIG_SIZE bytes, made on first use */
	struct emu_virq irq;
	bool pm_engaged;	/* VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY */
	int pm_wake;		/* its wakeup eventfd, or -1 */
	struct emu_ioeventfd *ioeventfds;
	unsigned int nr_ioeventfds;
};

/* vfio.c: open_device / close_device. */
int emu_vpci_open(struct emu *emu, struct emu_dev *dev);
void emu_vpci_close(struct emu *emu, struct emu_dev *dev);

/* vfio_config.c */
const struct emu_pci_desc *emu_pci_desc(const struct emu_dev *dev);
/* vfio_pci_get_irq_count: the vectors behind irq @index. */
uint32_t emu_pci_irq_count(const struct emu_dev *dev, unsigned int index);
/* Whether the function has a PCIe capability. */
bool emu_pci_is_pcie(const struct emu_dev *dev);
/* The BAR holding the MSI-X table, its offset and length; false: none. */
bool emu_pci_msix_table(const struct emu_dev *dev, unsigned int *bar,
			uint64_t *offset, uint64_t *size);
/* Config region read/write at @pos from/to the caller's @ubuf. */
ssize_t emu_vcfg_rw(struct emu *emu, struct emu_dev *dev, void *ubuf,
		    size_t count, uint64_t pos, bool write);
/* The virtual command register (the config space made if need be). */
int emu_vcfg_command(struct emu_dev *dev, uint16_t *out);
void emu_vcfg_free(struct emu_vpci *vpci);

/* vfio_irq.c */
int emu_virq_get_info(struct emu *emu, struct emu_dev *dev, void *arg);
int emu_virq_set(struct emu *emu, struct emu_dev *dev, void *arg);
/* The INTx disable bit of the command register changed to @disabled. */
void emu_virq_intx_disable_changed(struct emu *emu, struct emu_dev *dev,
				   bool disabled);
void emu_virq_init(struct emu_virq *irq);
/* Disable everything and release every eventfd (close_device). */
void emu_virq_release(struct emu *emu, struct emu_dev *dev);

/* vfio_region.c */
int emu_vregion_get_info(struct emu *emu, struct emu_dev *dev, void *arg);
ssize_t emu_vregion_rw(struct emu_vfio_file *vf, void *ubuf, size_t count,
		       uint64_t off, bool write);
int emu_vregion_ioeventfd(struct emu *emu, struct emu_dev *dev, void *arg);
void emu_vregion_ioeventfds_release(struct emu *emu, struct emu_vpci *vpci);
/*
 * The bytes of BAR @bar (0-5) that pread, pwrite and every mmap of it
 * share, made on first use, for the device model to keep its registers
 * in: 0 or -ENOMEM.
 */
int emu_vregion_bar_mem(struct emu *emu, struct emu_dev *dev,
			unsigned int bar, void **mem);
/* The device's BAR bytes (machine lifetime): freed by emu_destroy. */
void emu_vregion_store_free(struct emu *emu, struct emu_dev *dev);
/* Whether any of [va, va + len) is a region mapping (VM_PFNMAP). */
bool emu_vregion_mapped(const struct emu *emu, uint64_t va, uint64_t len);
/* Unmap and forget every region mapping (emu_destroy). */
void emu_vregion_maps_release(struct emu *emu);

#endif /* EMU_VFIO_PCI_H */
