/* SPDX-License-Identifier: MIT */
/*
 * The production host: each entry of the host table is the libc call of the
 * same name on the running kernel, with the C errno turned into the
 * table's -errno convention. Reads of sysfs attributes are bounded and never
 * allocate.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static int iofd_real_open(void *priv, const char *path, int flags)
{
	int fd = open(path, flags);

	return fd < 0 ? -errno : fd;
}

static int iofd_real_close(void *priv, int fd)
{
	/* Linux releases the fd even when close fails: never retry. */
	return close(fd) < 0 ? -errno : 0;
}

static int iofd_real_ioctl(void *priv, int fd, unsigned long request,
			   void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

static int iofd_real_fstat(void *priv, int fd, struct stat *st)
{
	return fstat(fd, st) < 0 ? -errno : 0;
}

static int iofd_real_stat(void *priv, const char *path, struct stat *st)
{
	return stat(path, st) < 0 ? -errno : 0;
}

static ssize_t iofd_real_read_file(void *priv, const char *path, char *buf,
				   size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	if (cap == 0)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (len == cap - 1) {
			char probe;

			/* Full: the file fits only if nothing follows. */
			n = read(fd, &probe, 1);
			if (n < 0 && errno == EINTR)
				continue;
			ret = n < 0 ? -errno : n > 0 ? -EFBIG : (int)len;
			break;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0) {
			ret = (int)len;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	if (ret >= 0)
		buf[len] = '\0';
	return ret;
}

static int iofd_real_list_dir(void *priv, const char *path, iofd_dir_cb cb,
			      void *arg)
{
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	dir = opendir(path);
	if (!dir)
		return -errno;
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			ret = errno ? -errno : 0;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ret = cb(arg, de->d_name);
		if (ret)
			break;
	}
	closedir(dir);
	return ret;
}

static ssize_t iofd_real_pread(void *priv, int fd, void *buf, size_t count,
			       uint64_t offset)
{
	ssize_t n;

	if (offset > INT64_MAX)
		return -EINVAL;
	n = pread(fd, buf, count, (off_t)offset);
	return n < 0 ? -errno : n;
}

static ssize_t iofd_real_pwrite(void *priv, int fd, const void *buf,
				size_t count, uint64_t offset)
{
	ssize_t n;

	if (offset > INT64_MAX)
		return -EINVAL;
	n = pwrite(fd, buf, count, (off_t)offset);
	return n < 0 ? -errno : n;
}

static int iofd_real_mmap(void *priv, void *addr, size_t len, int prot,
			  int flags, int fd, uint64_t offset, void **out)
{
	void *p;

	if (offset > INT64_MAX)
		return -EINVAL;
	p = mmap(addr, len, prot, flags, fd, (off_t)offset);
	if (p == MAP_FAILED)
		return -errno;
	*out = p;
	return 0;
}

static int iofd_real_munmap(void *priv, void *addr, size_t len)
{
	return munmap(addr, len) < 0 ? -errno : 0;
}

static const struct iofd_host_ops iofd_real_ops = {
	.open = iofd_real_open,
	.close = iofd_real_close,
	.ioctl = iofd_real_ioctl,
	.fstat = iofd_real_fstat,
	.stat = iofd_real_stat,
	.read_file = iofd_real_read_file,
	.list_dir = iofd_real_list_dir,
	.pread = iofd_real_pread,
	.pwrite = iofd_real_pwrite,
	.mmap = iofd_real_mmap,
	.munmap = iofd_real_munmap,
};

void iofd_host_real(struct iofd_host *out)
{
	out->ops = &iofd_real_ops;
	out->priv = NULL;
}
