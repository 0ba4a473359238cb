/* SPDX-License-Identifier: MIT */
/*
 * Built, never run: the public header must compile on its own, first and
 * alone, with the strictest warnings, as a user's first include.
 */
#include <iofd/iofd.h>

int iofd_header_check(void);

int iofd_header_check(void)
{
	return (int)sizeof(struct iofd_error) + IOFD_TRACE_KIND_COUNT;
}
