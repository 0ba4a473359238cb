// SPDX-License-Identifier: MIT
/*
 * Per-task fail-nth counters and the fault points built on them
 * (failnth.h). The counters live in a small array of the machine, one
 * entry per task that ever wrote its file; a counter at 0 is "off".
 *
 * Writing follows fs/proc/base.c's proc_fail_nth_write: at most the first
 * 34 bytes are parsed (kstrtouint_from_user's buffer), the number is read
 * like kstrtouint (an optional '+', base from the prefix: 0x hex, 0 octal,
 * else decimal; one optional trailing newline), and the whole count is
 * reported written.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failnth.h"
#include "machine.h"
#include "uaccess.h"

pid_t emu_current_pid(const struct emu *emu)
{
	return emu->task.pid ? emu->task.pid : getpid();
}

pid_t emu_current_tid(const struct emu *emu)
{
	return emu->task.pid ? emu->task.tid : gettid();
}

void emu_task_set(struct emu *emu, pid_t pid, pid_t tid)
{
	emu->task.pid = pid;
	emu->task.tid = pid ? tid : 0;
}

static struct emu_fail_nth *emu_fail_nth_find(struct emu *emu, pid_t tid)
{
	unsigned int i;

	for (i = 0; i < emu->nr_fail_nth; i++) {
		if (emu->fail_nth[i].tid == tid)
			return &emu->fail_nth[i];
	}
	return NULL;
}

bool emu_should_fail(struct emu *emu)
{
	struct emu_fail_nth *f;

	if (!emu->nr_fail_nth)
		return false;
	f = emu_fail_nth_find(emu, emu_current_tid(emu));
	if (!f || !f->nth)
		return false;
	return --f->nth == 0;
}

void *emu_zalloc(struct emu *emu, size_t size)
{
	if (emu_should_fail(emu))
		return NULL;
	return emu_heap_zalloc(emu->heap, size);
}

void *emu_alloc_array(struct emu *emu, size_t n, size_t size)
{
	size_t bytes;

	if (emu_should_fail(emu))
		return NULL;
	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return emu_heap_zalloc(emu->heap, bytes);
}

void *emu_realloc_array(struct emu *emu, void *p, size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	if (emu_should_fail(emu))
		return NULL;
	return emu_heap_realloc(emu->heap, p, bytes);
}

void emu_free(struct emu *emu, void *p)
{
	emu_heap_free(emu->heap, p);
}

int emu_fail_nth_text(struct emu *emu, pid_t tid, char *buf, size_t cap)
{
	struct emu_fail_nth *f = emu_fail_nth_find(emu, tid);

	return snprintf(buf, cap, "%u\n", f ? f->nth : 0);
}

ssize_t emu_fail_nth_read(struct emu *emu, pid_t tid, void *buf,
			  size_t count, uint64_t pos)
{
	char text[16];
	size_t len, n;
	int rc;

	len = (size_t)emu_fail_nth_text(emu, tid, text, sizeof(text));
	if (pos >= len)
		return 0;
	n = len - (size_t)pos;
	if (n > count)
		n = count;
	rc = emu_copy_to_user(emu, buf, text + pos, n);
	if (rc)
		return rc;
	return (ssize_t)n;
}

/* kstrtouint(@s, 0, @out): 0, -EINVAL or -ERANGE. */
static int emu_fail_nth_parse(const char *s, unsigned int *out)
{
	unsigned int base = 10, digit;
	unsigned long long v = 0;
	bool any = false, overflow = false;

	if (*s == '+')
		s++;
	if (s[0] == '0') {
		if (tolower((unsigned char)s[1]) == 'x' &&
		    isxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		} else {
			base = 8;
		}
	}
	for (;; s++) {
		int c = tolower((unsigned char)*s);

		if (c >= '0' && c <= '9')
			digit = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			digit = (unsigned int)(c - 'a' + 10);
		else
			break;
		if (digit >= base)
			break;
		if (v > (~0ULL - digit) / base)
			overflow = true;
		v = v * base + digit;
		any = true;
	}
	if (overflow)
		return -ERANGE;
	if (!any)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	if (v > ~0U)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

ssize_t emu_fail_nth_write(struct emu *emu, pid_t tid, const void *buf,
			   size_t count)
{
	char text[1 + sizeof(unsigned int) * 8 + 1 + 1];
	struct emu_fail_nth *f, *nv;
	size_t n = count < sizeof(text) - 1 ? count : sizeof(text) - 1;
	unsigned int nth;
	int rc;

	rc = emu_copy_from_user(emu, text, buf, n);
	if (rc)
		return rc;
	text[n] = '\0';
	rc = emu_fail_nth_parse(text, &nth);
	if (rc)
		return rc;
	f = emu_fail_nth_find(emu, tid);
	if (!f) {
		/* The counter's own memory is not a fault point. */
		nv = emu_heap_realloc(emu->heap, emu->fail_nth,
				      (emu->nr_fail_nth + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		emu->fail_nth = nv;
		f = &nv[emu->nr_fail_nth++];
		f->tid = tid;
	}
	f->nth = nth;
	return (ssize_t)count;
}

void emu_fail_nth_fini(struct emu *emu)
{
	emu_heap_free(emu->heap, emu->fail_nth);
	emu->fail_nth = NULL;
	emu->nr_fail_nth = 0;
}
