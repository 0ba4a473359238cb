// SPDX-License-Identifier: MIT
/*
 * The machine's fd table (machine.h). Like the kernel, a new file gets the
 * lowest free descriptor, and descriptors 0-2 are never handed out so an
 * emulated fd never looks like stdio.
 */
#include <errno.h>
#include <stdlib.h>

#include "machine.h"

int emu_fd_install(struct emu *emu, struct emu_file *file)
{
	unsigned int i;

	for (i = 0; i < emu->nr_fd_slots; i++) {
		if (!emu->fds[i])
			break;
	}
	if (i == emu->nr_fd_slots) {
		unsigned int ncap, j;
		struct emu_file **nf;

		if (emu->nr_fd_slots >= EMU_FD_MAX - EMU_FD_FIRST)
			return -EMFILE;
		ncap = emu->nr_fd_slots ? emu->nr_fd_slots * 2 : 16;
		if (ncap > EMU_FD_MAX - EMU_FD_FIRST)
			ncap = EMU_FD_MAX - EMU_FD_FIRST;
		nf = realloc(emu->fds, ncap * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		for (j = emu->nr_fd_slots; j < ncap; j++)
			nf[j] = NULL;
		emu->fds = nf;
		emu->nr_fd_slots = ncap;
	}
	emu->fds[i] = file;
	emu->nr_open++;
	return (int)i + EMU_FD_FIRST;
}

struct emu_file *emu_fd_get(const struct emu *emu, int fd)
{
	if (fd < EMU_FD_FIRST || (unsigned int)(fd - EMU_FD_FIRST) >=
	    emu->nr_fd_slots)
		return NULL;
	return emu->fds[fd - EMU_FD_FIRST];
}

struct emu_file *emu_fd_remove(struct emu *emu, int fd)
{
	struct emu_file *file = emu_fd_get(emu, fd);

	if (!file)
		return NULL;
	emu->fds[fd - EMU_FD_FIRST] = NULL;
	emu->nr_open--;
	return file;
}
