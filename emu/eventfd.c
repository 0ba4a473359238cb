// SPDX-License-Identifier: MIT
/*
 * Held eventfds (eventfd.h). Whether an fd is an eventfd is what
 * /proc/self/fd says of it, the name the kernel gives every eventfd's
 * anonymous inode. Held duplicates are close-on-exec, like every fd the
 * kernel itself would not show the program.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eventfd.h"
#include "machine.h"

int emu_eventfd_get(struct emu *emu, int fd)
{
	static const char name[] = "anon_inode:[eventfd]";
	char path[64], target[sizeof(name) + 1];
	ssize_t n;
	int held;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target));
	if (n != (ssize_t)sizeof(name) - 1 || memcmp(target, name, (size_t)n))
		return -EINVAL;
	held = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (held < 0)
		return -ENOMEM;
	emu->nr_eventfds++;
	return held;
}

void emu_eventfd_put(struct emu *emu, int held)
{
	if (held < 0)
		return;
	close(held);
	emu->nr_eventfds--;
}

void emu_eventfd_signal(int held)
{
	struct pollfd p = { .fd = held, .events = POLLOUT };
	uint64_t one = 1;

	/*
	 * eventfd_signal never blocks; a write to a full counter would, so
	 * a full counter drops the signal instead.
	 */
	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
		return;
	if (write(held, &one, sizeof(one)) < 0)
		return;
}
