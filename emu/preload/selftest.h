/* SPDX-License-Identifier: MIT */
/*
 * What the preload shim adds for the kernel's iommufd selftests
 * (emu/preload/selftest.c): the fail-nth file, the selftest's access fds
 * inside IOMMU_TEST_CMD, the hugetlb pool (IOFD_EMU_HUGEPAGES) and the
 * unwind check (IOFD_EMU_CHECK_CLEAN). The shim's entry points call
 * these; the variables are read with the others (config.c).
 */
#ifndef EMU_PRELOAD_SELFTEST_H
#define EMU_PRELOAD_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <iofd/host.h>

/* Give the new emulator its hugetlb pool (start, under the lock). */
void emu_preload_selftest_init(void);

/*
 * After the shim closed an emulated fd (under the lock): with
 * IOFD_EMU_CHECK_CLEAN=1, once no emulated fd is open (fail-nth files
 * aside) the model must be empty (no context, object, pin, charge or
 * file), else the program is aborted with what was left.
 */
void emu_preload_selftest_closed(void);

/*
 * Whether @path (absolute, folded) is the fail-nth file of a thread of
 * this process (/proc/self/task/<tid>/fail-nth, /proc/<pid>/task/<tid>/
 * fail-nth with our pid, /proc/thread-self/fail-nth): if so the
 * emulator's name of it is written into @buf (@cap bytes).
 */
bool emu_preload_fail_nth_path(const char *path, char *buf, size_t cap);

/*
 * MAP_HUGETLB from the emulator's pool (see selftest.c): whether the
 * shim serves it (IOFD_EMU_HUGEPAGES set, and not a call of the shim's
 * own); mmap(2) when it does; munmap(2) of a range with pool pages
 * (false: it has none, libc's munmap serves it; else *@rc is munmap's
 * result with errno set).
 */
bool emu_preload_huge_served(void);
void *emu_preload_huge_mmap(void *addr, size_t len, int prot, int flags,
			    int fd, off_t off);
bool emu_preload_huge_munmap(void *addr, size_t len, int *rc);

/* The shim's fd map, for a call that carries or makes fds. */
struct emu_preload_fd_ops {
	/* A program fd in the emulator's numbering (any number if none). */
	int (*xlate)(int fd);
	/* A program fd standing for new emulated fd @efd, or -errno. */
	int (*adopt)(int efd);
	/* Close program fd @fd that adopt made. */
	void (*drop)(int fd);
};

/*
 * An ioctl on emulated fd @efd (under the lock): false unless @request
 * is IOMMU_TEST_CMD and the shim has the selftest mock. The access ops
 * name the access by its fd, which is translated into the emulator's
 * numbering on a private copy of the struct, and CREATE_ACCESS's new fd
 * gets a program fd. *@rc gets the result, 0 or -errno.
 */
bool emu_preload_test_cmd(const struct iofd_host *host, int efd,
			  unsigned long request, void *arg,
			  const struct emu_preload_fd_ops *fds, int *rc);

#endif /* EMU_PRELOAD_SELFTEST_H */
