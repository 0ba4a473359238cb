// SPDX-License-Identifier: MIT
/*
 * The machine's kernel log and /dev/kmsg (klog.h). Timestamps are the
 * sequence number in microseconds: the log has no clock, and a reader
 * orders by sequence anyway.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "klog.h"
#include "machine.h"
#include "uaccess.h"

#define EMU_KLOG_USER_FACILITY 1
#define EMU_KLOG_DEFAULT_LEVEL 4

static uint64_t emu_klog_first(const struct emu_klog *log)
{
	return log->next_seq > EMU_KLOG_MAX ? log->next_seq - EMU_KLOG_MAX : 0;
}

static void emu_klog_store(struct emu *emu, unsigned int prio,
			   const char *text, size_t len)
{
	struct emu_klog *log = &emu->klog;
	struct emu_klog_rec *r;

	if (!log->v) {
		log->v = emu_heap_zalloc(emu->heap,
					 EMU_KLOG_MAX * sizeof(*log->v));
		if (!log->v)
			return;
	}
	r = &log->v[log->next_seq % EMU_KLOG_MAX];
	r->seq = log->next_seq++;
	r->prio = (uint8_t)prio;
	if (len >= sizeof(r->text))
		len = sizeof(r->text) - 1;
	memcpy(r->text, text, len);
	r->text[len] = '\0';
}

void emu_klog_add(struct emu *emu, unsigned int prio, const char *fmt, ...)
{
	char text[EMU_KLOG_TEXT];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	emu_klog_store(emu, prio, text, strlen(text));
}

void emu_klog_fini(struct emu *emu)
{
	emu_heap_free(emu->heap, emu->klog.v);
	emu->klog.v = NULL;
}

ssize_t emu_kmsg_read(struct emu *emu, struct emu_kmsg_file *f, void *ubuf,
		      size_t count)
{
	const struct emu_klog *log = &emu->klog;
	const struct emu_klog_rec *r;
	char line[EMU_KLOG_TEXT + 64];
	int n;

	if (f->seq < emu_klog_first(log)) {
		f->seq = emu_klog_first(log);
		return -EPIPE;
	}
	if (f->seq >= log->next_seq || !log->v)
		return -EAGAIN;
	r = &log->v[f->seq % EMU_KLOG_MAX];
	n = snprintf(line, sizeof(line), "%u,%llu,%llu,-;%s\n", r->prio,
		     (unsigned long long)r->seq, (unsigned long long)r->seq,
		     r->text);
	if ((size_t)n > count)
		return -EINVAL;
	if (emu_copy_to_user(emu, ubuf, line, (size_t)n))
		return -EFAULT;
	f->seq++;
	return n;
}

ssize_t emu_kmsg_write(struct emu *emu, const void *ubuf, size_t count)
{
	unsigned int level = EMU_KLOG_DEFAULT_LEVEL;
	char text[EMU_KLOG_TEXT];
	const char *p = text;
	size_t len = count < sizeof(text) - 1 ? count : sizeof(text) - 1;

	if (emu_copy_from_user(emu, text, ubuf, len))
		return -EFAULT;
	text[len] = '\0';
	if (text[0] == '<' && text[1] >= '0' && text[1] <= '7' &&
	    text[2] == '>') {
		level = (unsigned int)(text[1] - '0');
		p += 3;
	}
	emu_klog_store(emu, EMU_KLOG_USER_FACILITY << 3 | level, p,
		       strcspn(p, "\n"));
	return (ssize_t)count;
}
