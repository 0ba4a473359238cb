/* SPDX-License-Identifier: MIT */
/*
 * The error object: an errno and a sentence, filled by the step that failed
 * and prefixed by each caller that adds context on the way out, in the
 * manner of QEMU's Error **errp. The rule the whole core keeps: a failing
 * call always sets it before returning, a successful call never touches it.
 * Setting it never allocates, so it cannot fail on an unwind path.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

void iofd_error_clear(struct iofd_error *err)
{
	if (!err)
		return;
	err->errnum = 0;
	err->msg[0] = '\0';
}

int iofd_err_set(struct iofd_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return -errnum;
	err->errnum = errnum;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s (%s)",
			 strerror(errnum), strerrorname_np(errnum) ?
			 strerrorname_np(errnum) : "?");
	return -errnum;
}

/* Append @s to the NUL-terminated @buf of @cap bytes, truncating. */
static void iofd_error_append(char *buf, size_t cap, const char *s)
{
	size_t len = strnlen(buf, cap - 1);
	size_t n = strnlen(s, cap - 1 - len);

	memcpy(buf + len, s, n);
	buf[len + n] = '\0';
}

void iofd_error_prepend(struct iofd_error *err, const char *fmt, ...)
{
	char old[IOFD_ERROR_MSG_MAX];
	va_list ap;

	if (!err || err->errnum == 0)
		return;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	if (vsnprintf(err->msg, sizeof(err->msg), fmt, ap) < 0)
		err->msg[0] = '\0';
	va_end(ap);
	iofd_error_append(err->msg, sizeof(err->msg), ": ");
	iofd_error_append(err->msg, sizeof(err->msg), old);
}
