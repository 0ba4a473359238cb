/* SPDX-License-Identifier: MIT */
/*
 * Fault injection as the kernel's fail-nth does it (lib/fault-inject.c,
 * fs/proc/base.c): every task has a counter; writing N to
 * /proc/self/task/<tid>/fail-nth sets it, every fault point the task
 * reaches afterwards decrements it, and the point that brings it to zero
 * fails. Reading the file gives the counter, so "0\n" after a run means
 * the failure was injected and anything else that the run had fewer
 * points.
 *
 * The model's fault points stand where the kernel's should_fail() sites
 * stand on the paths it models: every allocation the model makes (the
 * kernel's are slab allocations, all fault points under failslab with
 * ignore-gfp-wait=N, as the selftest sets it), and iommufd's own test
 * sites (iommufd_should_fail): a lookup of an object by a user's id
 * (ENOENT), pinning user pages (EFAULT), charging them (ENOMEM),
 * applying a device's reserved regions (EINVAL), a mock domain's map
 * (ENOENT), an access's single-page read or write (EINVAL).
 *
 * The task is a thread id: the thread that called into the model, or the
 * one a server of several processes names (emu_task_set).
 */
#ifndef EMU_FAILNTH_H
#define EMU_FAILNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct emu;

/* One task's counter; the machine keeps them in a small array. */
struct emu_fail_nth {
	pid_t tid;
	unsigned int nth;
};

/* The calling task's process and thread ids. */
pid_t emu_current_pid(const struct emu *emu);
pid_t emu_current_tid(const struct emu *emu);

/*
 * A fault point: true when the calling task's counter makes this point
 * fail (the caller then fails as the kernel's site does).
 */
bool emu_should_fail(struct emu *emu);

/*
 * calloc / realloc of an array from the machine's heap (heap.h), with a
 * fault point first: NULL = ENOMEM. emu_free gives back what they gave.
 */
void *emu_zalloc(struct emu *emu, size_t size);
void *emu_alloc_array(struct emu *emu, size_t n, size_t size);
void *emu_realloc_array(struct emu *emu, void *p, size_t n, size_t size);
void emu_free(struct emu *emu, void *p);

/* The fail-nth file's text for task @tid into @buf: its length. */
int emu_fail_nth_text(struct emu *emu, pid_t tid, char *buf, size_t cap);

/*
 * The fail-nth file of task @tid: read gives "<counter>\n" from @pos;
 * write parses an unsigned number as the kernel's kstrtouint (base
 * prefixes, one trailing newline; EINVAL, ERANGE, EFAULT) and sets the
 * counter, returning @count. Both return bytes or -errno.
 */
ssize_t emu_fail_nth_read(struct emu *emu, pid_t tid, void *buf,
			  size_t count, uint64_t pos);
ssize_t emu_fail_nth_write(struct emu *emu, pid_t tid, const void *buf,
			   size_t count);

/* Forget every counter (machine teardown). */
void emu_fail_nth_fini(struct emu *emu);

#endif /* EMU_FAILNTH_H */
