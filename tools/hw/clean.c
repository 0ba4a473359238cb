/* SPDX-License-Identifier: MIT */
/*
 * The clean check of hardware mode: after a run (and every unwind its fault
 * plan forced), the real kernel must hold nothing of it. Three answers, all
 * from the kernel itself:
 *   - /proc/self/fd lists the same fds, with the same targets, as before the
 *     run (every fd libiofd opened was closed);
 *   - IOMMU_DESTROY of every object id the run created gives ENOENT (the
 *     guard's keeper asks; see guard.c);
 *   - the device can be bound again: a fresh /dev/iommu and a fresh open of
 *     its cdev, VFIO_DEVICE_BIND_IOMMUFD succeeds (a device still bound or
 *     held elsewhere would refuse).
 * These run on the real kernel only; an emulator run proves the same with
 * emu_counters.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "hw.h"

int hw_clean_fds(struct hw_clean_fds *out)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int dfd;

	memset(out, 0, sizeof(*out));
	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		ssize_t n;

		if (de->d_name[0] == '.' || *end || fd == dfd)
			continue;
		if (out->count == HW_CLEAN_MAX_FDS)
			break;
		snprintf(path, sizeof(path), "/proc/self/fd/%ld", fd);
		n = readlink(path, out->target[out->count],
			     sizeof(out->target[0]) - 1);
		if (n < 0)
			n = 0;
		out->target[out->count][n] = '\0';
		out->fd[out->count++] = (int)fd;
	}
	closedir(d);
	return 0;
}

static int hw_clean_fd_index(const struct hw_clean_fds *s, int fd)
{
	unsigned int i;

	for (i = 0; i < s->count; i++)
		if (s->fd[i] == fd)
			return (int)i;
	return -1;
}

unsigned int hw_clean_fds_diff(const struct hw_clean_fds *before,
			       const struct hw_clean_fds *after, FILE *log)
{
	unsigned int i, n = 0;
	int j;

	for (i = 0; i < after->count; i++) {
		j = hw_clean_fd_index(before, after->fd[i]);
		if (j < 0 || strcmp(before->target[j], after->target[i]) != 0) {
			fprintf(log, "  clean: fd %d (%s) is open after the run\n",
				after->fd[i], after->target[i]);
			n++;
		}
	}
	for (i = 0; i < before->count; i++) {
		if (hw_clean_fd_index(after, before->fd[i]) < 0) {
			fprintf(log, "  clean: fd %d (%s) was closed by the run\n",
				before->fd[i], before->target[i]);
			n++;
		}
	}
	return n;
}

/* The device's cdev, /dev/vfio/devices/vfioN, from its sysfs directory. */
static int hw_clean_cdev(const struct hw_dev *dev, char *buf, size_t cap)
{
	char path[HW_PATH_MAX + 16];
	struct dirent *de;
	DIR *d;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "%s/vfio-dev", dev->sysfs);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vfio", 4) == 0) {
			snprintf(buf, cap, "/dev/vfio/devices/%.31s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

int hw_clean_rebind(const struct hw_dev *dev, FILE *log)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	char cdev[HW_PATH_MAX];
	int iommufd, devfd, ret;

	ret = hw_clean_cdev(dev, cdev, sizeof(cdev));
	if (ret < 0) {
		fprintf(log, "  clean: %s: no vfio cdev: %s\n", dev->bdf,
			strerrorname_np(-ret));
		return ret;
	}
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0) {
		ret = -errno;
		fprintf(log, "  clean: re-bind: open /dev/iommu: %s\n",
			strerrorname_np(errno));
		return ret;
	}
	devfd = open(cdev, O_RDWR | O_CLOEXEC);
	if (devfd < 0) {
		ret = -errno;
		fprintf(log, "  clean: re-bind %s: open %s: %s\n", dev->bdf,
			cdev, strerrorname_np(errno));
		goto out_close_iommufd;
	}
	bind.iommufd = iommufd;
	if (ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind) < 0) {
		ret = -errno;
		fprintf(log, "  clean: re-bind %s: VFIO_DEVICE_BIND_IOMMUFD: %s\n",
			dev->bdf, strerrorname_np(errno));
	}
	/* Closing the cdev unbinds it again. */
	close(devfd);
out_close_iommufd:
	close(iommufd);
	return ret;
}
