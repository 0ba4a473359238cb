/* SPDX-License-Identifier: MIT */
/*
 * The machine's kernel log and the emulated /dev/kmsg that reads it.
 *
 * The model writes to it what the kernel would print about what it
 * models: the VT-d driver's report of each DMA fault (dma.c). Records
 * carry a sequence number from 0; the log keeps the last EMU_KLOG_MAX,
 * as the kernel's ring buffer drops its oldest.
 *
 * /dev/kmsg (devkmsg_read/devkmsg_write): every open starts at the oldest
 * record kept; a read returns one whole record as "PRIO,SEQ,TS,-;TEXT\n"
 * (EINVAL when it does not fit the buffer, EPIPE once when records were
 * dropped under the reader, which then goes on from the oldest kept,
 * EAGAIN when there is none yet: the model never blocks, also without
 * O_NONBLOCK). A write adds a record, with "<N>" setting its level; the
 * facility is the user's.
 */
#ifndef EMU_KLOG_H
#define EMU_KLOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct emu;

#define EMU_KLOG_MAX 128
#define EMU_KLOG_TEXT 192

struct emu_klog_rec {
	uint64_t seq;
	uint8_t prio;			/* facility << 3 | level */
	char text[EMU_KLOG_TEXT];
};

struct emu_klog {
	struct emu_klog_rec *v;		/* EMU_KLOG_MAX, made on first use */
	uint64_t next_seq;
};

/* Add a record (level @prio, kernel facility); dropped when out of memory. */
__attribute__((format(printf, 3, 4)))
void emu_klog_add(struct emu *emu, unsigned int prio, const char *fmt, ...);
/* Drop the records (to the machine's heap). */
void emu_klog_fini(struct emu *emu);

struct emu_kmsg_file {
	uint64_t seq;			/* the next record to read */
};

ssize_t emu_kmsg_read(struct emu *emu, struct emu_kmsg_file *f, void *ubuf,
		      size_t count);
ssize_t emu_kmsg_write(struct emu *emu, const void *ubuf, size_t count);

#endif /* EMU_KLOG_H */
