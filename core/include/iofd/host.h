/* SPDX-License-Identifier: MIT */
/*
 * The host boundary: the one seam between libiofd and whatever answers its
 * system calls.
 *
 * The core never calls open, ioctl, close, fstat, stat or reads a file
 * itself; it goes through a struct iofd_host. Device-region I/O (pread,
 * pwrite, mmap and munmap) has its entries too, so that everything a VFIO
 * user does to a device fd can be counted, faulted and recorded by the
 * same wrappers. The real host (iofd_host_real)
 * is plain libc. The emulator (emu/) provides a host that is an in-process
 * model of the kernel, and wrappers (fault plans, the recorder) take a host
 * and give back another. Because ioctl takes the kernel's own request
 * numbers and structs from <linux/iommufd.h> and <linux/vfio.h>, anything
 * that speaks this table can stand under the core.
 *
 * Contract shared by every entry: return a non-negative value on success and
 * a negative errno on failure; never touch the C errno as a way of
 * reporting. A close that fails has still released the fd (as on Linux), so
 * callers never retry one. This header is the only part of core/ that emu/
 * may include.
 */
#ifndef IOFD_HOST_H
#define IOFD_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Called once per directory entry ("." and ".." are never passed). A
 * non-zero return stops the listing and becomes list_dir's return value.
 */
typedef int (*iofd_dir_cb)(void *arg, const char *name);

struct iofd_host_ops {
	/* open(2): returns the new fd or -errno. */
	int (*open)(void *priv, const char *path, int flags);
	/* close(2): 0 or -errno; the fd is gone either way. */
	int (*close)(void *priv, int fd);
	/*
	 * ioctl(2) with a kernel request number and the matching uAPI
	 * struct: the ioctl's non-negative result or -errno.
	 */
	int (*ioctl)(void *priv, int fd, unsigned long request, void *arg);
	/* fstat(2) / stat(2): 0 or -errno. */
	int (*fstat)(void *priv, int fd, struct stat *st);
	int (*stat)(void *priv, const char *path, struct stat *st);
	/*
	 * Read a whole small file (a sysfs attribute) into buf, at most
	 * cap - 1 bytes, NUL-terminated. Returns the number of bytes read,
	 * -EFBIG when the file does not fit, or -errno.
	 */
	ssize_t (*read_file)(void *priv, const char *path, char *buf,
			     size_t cap);
	/* List a directory: 0, -errno, or the callback's non-zero value. */
	int (*list_dir)(void *priv, const char *path, iofd_dir_cb cb,
			void *arg);
	/*
	 * pread(2) / pwrite(2) at @offset (a VFIO device's region I/O):
	 * the byte count or -errno. An offset past INT64_MAX is -EINVAL,
	 * as the kernel answers a negative one.
	 */
	ssize_t (*pread)(void *priv, int fd, void *buf, size_t count,
			 uint64_t offset);
	ssize_t (*pwrite)(void *priv, int fd, const void *buf, size_t count,
			  uint64_t offset);
	/*
	 * mmap(2) of @len bytes of @fd at @offset (a VFIO device's region)
	 * with @prot and @flags, at @addr as mmap(2) takes it: 0 with the
	 * address in *@out, or -errno. An offset past INT64_MAX is -EINVAL.
	 */
	int (*mmap)(void *priv, void *addr, size_t len, int prot, int flags,
		    int fd, uint64_t offset, void **out);
	/* munmap(2) of [@addr, @addr + @len): 0 or -errno. */
	int (*munmap)(void *priv, void *addr, size_t len);
};

struct iofd_host {
	const struct iofd_host_ops *ops;
	void *priv;
};

/* The production host: libc system calls on the running kernel. */
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
void iofd_host_real(struct iofd_host *out);

#ifdef __cplusplus
}
#endif

#endif /* IOFD_HOST_H */
