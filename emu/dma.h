/* SPDX-License-Identifier: MIT */
/*
 * Device DMA inside the model: what emu_dma (emu.h) does, for a device
 * model that holds its emu_dev (dev_e1000e.c). The machine keeps its last
 * EMU_DMA_FAULTS_MAX faults.
 */
#ifndef EMU_DMA_H
#define EMU_DMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct emu;
struct emu_dev;

#define EMU_DMA_FAULTS_MAX 64

/* emu_dma for @dev; *@done is always set. */
int emu_dma_dev(struct emu *emu, struct emu_dev *dev, uint64_t iova,
		void *buf, size_t len, bool write, size_t *done);

#endif /* EMU_DMA_H */
