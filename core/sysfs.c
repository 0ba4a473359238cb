/* SPDX-License-Identifier: MIT */
/*
 * Device discovery: from a device's sysfs directory to an open VFIO cdev fd
 * that is provably that device's (or a proof that a handed-in fd is).
 *
 * <sysfs>/vfio-dev/ holds one entry vfioN; <sysfs>/vfio-dev/vfioN/dev holds
 * "MAJ:MIN\n". The node /dev/vfio/devices/vfioN (or, when that is missing,
 * /dev/char/MAJ:MIN) is opened and accepted only if fstat says it is a char
 * device with exactly that devt: a path is a name, the devt is the identity.
 * Every byte read from sysfs is untrusted: names and numbers are parsed
 * strictly and bounded, and nothing here allocates, so a garbage file can
 * leave nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "internal.h"

/* Linux dev_t: 12 bits of major, 20 of minor. */
#define IOFD_MAJOR_MAX 0xfffu
#define IOFD_MINOR_MAX 0xfffffu
/* "vfio" and a decimal u32. */
#define IOFD_CDEV_NAME_MAX 16

struct iofd_cdev_find {
	char name[IOFD_CDEV_NAME_MAX];
	bool found;
};

/* Parse a decimal number of at most @max into *@val; return chars eaten. */
static size_t iofd_parse_dec(const char *s, unsigned long max,
			     unsigned long *val)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i > 0 && v == 0)
			return 0;	/* leading zero */
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > max)
			return 0;
	}
	*val = v;
	return i;
}

static int iofd_cdev_match(void *arg, const char *name)
{
	struct iofd_cdev_find *find = arg;
	unsigned long n;
	size_t len;

	if (strncmp(name, "vfio", 4) != 0)
		return 0;
	len = iofd_parse_dec(name + 4, UINT_MAX, &n);
	if (len == 0 || name[4 + len] != '\0')
		return 0;
	snprintf(find->name, sizeof(find->name), "vfio%lu", n);
	find->found = true;
	return 1;	/* stop: the first vfioN is the device's */
}

/* Accept "MAJ:MIN" with one optional trailing newline, nothing else. */
static int iofd_parse_devt(const char *s, unsigned int *major,
			   unsigned int *minor)
{
	unsigned long maj, min;
	size_t len;

	len = iofd_parse_dec(s, IOFD_MAJOR_MAX, &maj);
	if (len == 0 || s[len] != ':')
		return -EINVAL;
	s += len + 1;
	len = iofd_parse_dec(s, IOFD_MINOR_MAX, &min);
	if (len == 0)
		return -EINVAL;
	s += len;
	if (*s == '\n')
		s++;
	if (*s != '\0')
		return -EINVAL;
	*major = (unsigned int)maj;
	*minor = (unsigned int)min;
	return 0;
}

/*
 * A sysfs path must be absolute, free of "." and ".." components, and short
 * enough that every path built from it fits.
 */
static int iofd_sysfs_path_check(const char *path)
{
	const char *p;
	size_t len;

	if (!path || path[0] != '/')
		return -EINVAL;
	len = strnlen(path, PATH_MAX);
	if (len >= PATH_MAX - 64)
		return -ENAMETOOLONG;
	for (p = path; *p; ) {
		const char *end = strchrnul(p + 1, '/');
		size_t clen = (size_t)(end - (p + 1));

		if ((clen == 1 && p[1] == '.') ||
		    (clen == 2 && p[1] == '.' && p[2] == '.'))
			return -EINVAL;
		p = end;
	}
	return 0;
}

static int iofd_cdev_check(struct iofd_ctx *ctx, int fd, unsigned int major,
			   unsigned int minor)
{
	struct stat st;
	int ret;

	ret = ctx->host.ops->fstat(ctx->host.priv, fd, &st);
	if (ret)
		return ret;
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(major, minor))
		return -EINVAL;
	return 0;
}

/*
 * From the sysfs directory to the cdev's name (vfioN) and devt. Reads two
 * sysfs entries, trusts neither.
 */
static int iofd_sysfs_resolve(struct iofd_ctx *ctx, const char *name,
			      const char *sysfs_path,
			      struct iofd_cdev_find *find, unsigned int *major,
			      unsigned int *minor, struct iofd_error *err)
{
	char path[PATH_MAX], buf[64];
	ssize_t len;
	int ret;

	ret = iofd_sysfs_path_check(sysfs_path);
	if (ret)
		return iofd_err_set(err, -ret, "device %s: bad sysfs path", name);

	snprintf(path, sizeof(path), "%s/vfio-dev", sysfs_path);
	find->found = false;
	ret = ctx->host.ops->list_dir(ctx->host.priv, path, iofd_cdev_match,
				      find);
	if (ret < 0)
		return iofd_err_set(err, -ret, "device %s: list %s", name, path);
	if (!find->found)
		return iofd_err_set(err, ENOENT, "device %s: no vfioN in %s",
				    name, path);

	snprintf(path, sizeof(path), "%s/vfio-dev/%s/dev", sysfs_path,
		 find->name);
	len = ctx->host.ops->read_file(ctx->host.priv, path, buf, sizeof(buf));
	if (len < 0)
		return iofd_err_set(err, (int)-len, "device %s: read %s", name,
				    path);
	ret = iofd_parse_devt(buf, major, minor);
	if (ret)
		return iofd_err_set(err, -ret,
				    "device %s: %s does not hold MAJ:MIN", name,
				    path);
	return 0;
}

int iofd_sysfs_open_cdev(struct iofd_ctx *ctx, const char *name,
			 const char *sysfs_path, int *fd_out,
			 struct iofd_error *err)
{
	struct iofd_cdev_find find;
	unsigned int major, minor;
	char path[PATH_MAX];
	int fd, ret;

	ret = iofd_sysfs_resolve(ctx, name, sysfs_path, &find, &major, &minor,
				 err);
	if (ret)
		return ret;

	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", find.name);
	fd = iofd_host_open(ctx, path, O_RDWR | O_CLOEXEC);
	if (fd == -ENOENT) {
		snprintf(path, sizeof(path), "/dev/char/%u:%u", major, minor);
		fd = iofd_host_open(ctx, path, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0)
		return iofd_err_set(err, -fd, "device %s: open %s", name, path);

	ret = iofd_cdev_check(ctx, fd, major, minor);
	if (ret) {
		iofd_err_set(err, -ret,
			     "device %s: %s is not char device %u:%u", name,
			     path, major, minor);
		goto err_close_fd;
	}
	*fd_out = fd;
	return 0;

err_close_fd:
	iofd_host_close(ctx, fd);
	return ret;
}

int iofd_sysfs_check_cdev(struct iofd_ctx *ctx, const char *name,
			  const char *sysfs_path, int fd,
			  struct iofd_error *err)
{
	struct iofd_cdev_find find;
	unsigned int major, minor;
	int ret;

	ret = iofd_sysfs_resolve(ctx, name, sysfs_path, &find, &major, &minor,
				 err);
	if (ret)
		return ret;
	ret = iofd_cdev_check(ctx, fd, major, minor);
	if (ret)
		return iofd_err_set(err, -ret,
				    "device %s: fd %d is not char device %u:%u",
				    name, fd, major, minor);
	return 0;
}
