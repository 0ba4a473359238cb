/* SPDX-License-Identifier: MIT */
/*
 * Bounded formatting into a caller's buffer, for printers that build one
 * line in pieces (the recorder's records, the op text form). The buffer is
 * always NUL-terminated once anything was written, never overrun, and the
 * running length counts what the whole line needs, as snprintf does, so a
 * short buffer is detected by comparing the length with its size.
 */
#ifndef EMU_STRBUF_H
#define EMU_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Append printf(@fmt, ...) at *@len of @buf (@cap bytes); add to *@len. */
__attribute__((format(printf, 4, 5)))
static inline void emu_strbuf_printf(char *buf, size_t cap, int *len,
				     const char *fmt, ...)
{
	size_t at = (size_t)*len < cap ? (size_t)*len : cap;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cap ? buf + at : NULL, cap - at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += n;
}

#endif /* EMU_STRBUF_H */
