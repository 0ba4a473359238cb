/* SPDX-License-Identifier: MIT */
/*
 * The machine: what one struct emu holds and how its parts reach each
 * other. The fd table maps fds (from 3, lowest free first, like the kernel)
 * to open files: an iommufd context or a VFIO device cdev. The device list
 * is append-only: device N keeps index N for the machine's life, which is
 * its cdev minor.
 *
 * The counters are kept up to date by the modules that create and destroy
 * what they count, so emu_counters_get is exact at any time.
 */
#ifndef EMU_MACHINE_H
#define EMU_MACHINE_H

#include <stdint.h>

#include <emu/emu.h>

#define EMU_FD_FIRST 3
#define EMU_FD_MAX 1024		/* like RLIMIT_NOFILE's usual soft limit */
#define EMU_BDF_MAX 32

struct emu_ictx;
struct emu_vfio_file;

struct emu_dev {
	const struct emu_profile *profile;
	enum emu_sysfs_variant variant;
	unsigned int index;		/* N of vfioN, the cdev minor */
	char bdf[EMU_BDF_MAX];
	/* The cdev file bound to an iommufd, or NULL: one bind at a time. */
	struct emu_vfio_file *bound;
};

enum emu_file_kind {
	EMU_FILE_IOMMUFD,
	EMU_FILE_VFIO,
};

struct emu_file {
	enum emu_file_kind kind;
	union {
		struct emu_ictx *ictx;		/* holds one context ref */
		struct emu_vfio_file *vfio;
	};
};

struct emu {
	struct emu_file **fds;		/* fds[fd - EMU_FD_FIRST] */
	unsigned int nr_fd_slots;
	unsigned int nr_open;
	struct emu_dev devs[EMU_MAX_DEVICES];
	unsigned int nr_devs;
	unsigned int nr_contexts;
	unsigned int nr_objects;
	uint64_t pinned_pages;
};

/* Install @file at the lowest free fd: the fd, -EMFILE or -ENOMEM. */
int emu_fd_install(struct emu *emu, struct emu_file *file);
/* The file open at @fd, or NULL. */
struct emu_file *emu_fd_get(const struct emu *emu, int fd);
/* Take @fd out of the table; the file (or NULL) is the caller's now. */
struct emu_file *emu_fd_remove(struct emu *emu, int fd);

/* Release what @file holds and free it (the kernel's final fput). */
void emu_file_release(struct emu_file *file);

#endif /* EMU_MACHINE_H */
