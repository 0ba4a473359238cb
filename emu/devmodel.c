// SPDX-License-Identifier: MIT
/*
 * The bus between vfio-pci's BAR access and a device model (devmodel.h).
 */
#include <errno.h>
#include <string.h>

#include "devmodel.h"
#include "machine.h"

/* The state, made at its power-on values on first use. */
static void *emu_devmodel_state(struct emu *emu, struct emu_dev *dev,
				const struct emu_devmodel *m)
{
	void *state;

	if (dev->model)
		return dev->model;
	state = emu_heap_zalloc(emu->heap, m->state_size);
	if (state && m->power_on(emu, dev, state)) {
		emu_heap_free(emu->heap, state);
		state = NULL;
	}
	dev->model = state;
	return state;
}

void emu_devmodel_free(struct emu *emu, struct emu_dev *dev)
{
	emu_heap_free(emu->heap, dev->model);
	dev->model = NULL;
}

ssize_t emu_devmodel_rw(struct emu *emu, struct emu_dev *dev,
			const struct emu_devmodel *m, unsigned int bar,
			uint64_t pos, void *kbuf, size_t count, bool write)
{
	uint8_t *buf = kbuf;
	void *state = emu_devmodel_state(emu, dev, m);
	size_t done = 0;

	if (!state)
		return -ENOMEM;
	while (done < count) {
		uint64_t off = pos + done;
		size_t left = count - done;
		unsigned int size = left >= 8 && !(off % 8) ? 8 :
				    left >= 4 && !(off % 4) ? 4 :
				    left >= 2 && !(off % 2) ? 2 : 1;
		unsigned int part = size > 4 ? 4 : size, i;
		uint32_t v;

		/* The device's registers are 32 bits: 8 bytes are two. */
		for (i = 0; i < size; i += part) {
			v = 0;
			if (write) {
				memcpy(&v, buf + done + i, part);
				m->write(emu, dev, state, bar, off + i, part,
					 v);
			} else {
				v = m->read(emu, dev, state, bar, off + i,
					    part);
				memcpy(buf + done + i, &v, part);
			}
		}
		done += size;
	}
	return (ssize_t)count;
}
