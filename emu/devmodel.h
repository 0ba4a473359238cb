/* SPDX-License-Identifier: MIT */
/*
 * A device model behind a profile's BARs (emu_pci_desc.bar_rw), and the
 * bus between vfio-pci and it: an access vfio-pci makes is cut into
 * naturally aligned pieces of 8, 4, 2 or 1 bytes, each a separate access
 * of the device (an 8-byte one reaching a 4-byte device as two), as
 * vfio_pci_core_do_io_rw does with the ioread/iowrite of each width.
 *
 * A model keeps its state from the machine's power-on for the machine's
 * life: VFIO_DEVICE_RESET resets the PCI function through its power
 * state, which QEMU's devices ignore, so their registers survive it (seen
 * on QEMU 10's e1000e under a real 6.12). The state is made on the first
 * access and freed with the machine.
 */
#ifndef EMU_DEVMODEL_H
#define EMU_DEVMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct emu;
struct emu_dev;

struct emu_devmodel {
	size_t state_size;
	/* The state at the machine's power-on: 0 or -ENOMEM. */
	int (*power_on)(struct emu *emu, struct emu_dev *dev, void *state);
	/*
	 * One device access of @size (1, 2 or 4) bytes at @off of BAR @bar;
	 * reads return the value in the low bytes.
	 */
	uint32_t (*read)(struct emu *emu, struct emu_dev *dev, void *state,
			 unsigned int bar, uint64_t off, unsigned int size);
	void (*write)(struct emu *emu, struct emu_dev *dev, void *state,
		      unsigned int bar, uint64_t off, unsigned int size,
		      uint32_t val);
};

/*
 * @count bytes at @pos of BAR @bar between @kbuf and model @m of @dev
 * (an emu_bar_rw_fn's work): the byte count, or -ENOMEM when the state
 * cannot be made.
 */
ssize_t emu_devmodel_rw(struct emu *emu, struct emu_dev *dev,
			const struct emu_devmodel *m, unsigned int bar,
			uint64_t pos, void *kbuf, size_t count, bool write);

/* The models: their emu_bar_rw_fn. */
ssize_t emu_e1000e_bar_rw(struct emu *emu, struct emu_dev *dev,
			  unsigned int bar, uint64_t pos, void *kbuf,
			  size_t count, bool write);

/* Drop the model's state (to @emu's heap); the next access makes it anew. */
void emu_devmodel_free(struct emu *emu, struct emu_dev *dev);

#endif /* EMU_DEVMODEL_H */
