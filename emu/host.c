// SPDX-License-Identifier: MIT
/*
 * The emulator's host table (emu_host): each entry of struct
 * iofd_host_ops answered from the model, in process. Paths go to the
 * namespace (vfs.c), fds to the file behind them: an iommufd context or a
 * VFIO cdev. The kernel takes ioctl commands as unsigned int, so the
 * request is truncated to 32 bits before dispatch, as the syscall would.
 */
#include <errno.h>
#include <stdlib.h>

#include "iommufd.h"
#include "machine.h"
#include "vfio.h"
#include "vfs.h"

void emu_file_release(struct emu_file *file)
{
	switch (file->kind) {
	case EMU_FILE_IOMMUFD:
		emu_ictx_put(file->ictx);
		break;
	case EMU_FILE_VFIO:
		emu_vfio_release(file->vfio);
		break;
	}
	free(file);
}

/*
 * Only the char nodes open: every open of /dev/iommu is a new context.
 * Directories give EISDIR; sysfs attributes are read through read_file,
 * never opened, so an open of one is refused with EACCES.
 */
static int emu_host_open(void *priv, const char *path, int flags)
{
	struct emu *emu = priv;
	struct emu_file *file;
	struct emu_node node;
	int rc, fd;

	rc = emu_vfs_lookup(emu, path, &node);
	if (rc)
		return rc;
	switch (emu_vfs_kind(&node)) {
	case EMU_NODE_DIR:
		return -EISDIR;
	case EMU_NODE_FILE:
		return -EACCES;
	case EMU_NODE_CHR:
		break;
	}

	file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;
	if (node.id == EMU_N_DEV_IOMMU) {
		file->kind = EMU_FILE_IOMMUFD;
		rc = emu_ictx_create(emu, &file->ictx);
	} else {
		file->kind = EMU_FILE_VFIO;
		rc = emu_vfio_open(emu, node.dev, &file->vfio);
	}
	if (rc)
		goto err_free_file;
	fd = emu_fd_install(emu, file);
	if (fd < 0) {
		rc = fd;
		goto err_release_file;
	}
	return fd;

err_release_file:
	emu_file_release(file);
	return rc;
err_free_file:
	free(file);
	return rc;
}

static int emu_host_close(void *priv, int fd)
{
	struct emu_file *file = emu_fd_remove(priv, fd);

	if (!file)
		return -EBADF;
	emu_file_release(file);
	return 0;
}

static int emu_host_ioctl(void *priv, int fd, unsigned long request,
			  void *arg)
{
	struct emu_file *file = emu_fd_get(priv, fd);
	unsigned int cmd = (unsigned int)request;

	if (!file)
		return -EBADF;
	switch (file->kind) {
	case EMU_FILE_IOMMUFD:
		return emu_iommufd_ioctl(file->ictx, cmd, arg);
	case EMU_FILE_VFIO:
		return emu_vfio_ioctl(file->vfio, cmd, arg);
	}
	return -ENOTTY;
}

static int emu_host_fstat(void *priv, int fd, struct stat *st)
{
	struct emu_file *file = emu_fd_get(priv, fd);
	struct emu_node node = { .id = EMU_N_DEV_IOMMU, .dev = NULL };

	if (!file)
		return -EBADF;
	if (file->kind == EMU_FILE_VFIO) {
		node.id = EMU_N_DEV_VFIO_CDEV;
		node.dev = file->vfio->dev;
	}
	emu_vfs_stat(&node, st);
	return 0;
}

static int emu_host_stat(void *priv, const char *path, struct stat *st)
{
	struct emu_node node;
	int rc;

	rc = emu_vfs_lookup(priv, path, &node);
	if (rc)
		return rc;
	emu_vfs_stat(&node, st);
	return 0;
}

static ssize_t emu_host_read_file(void *priv, const char *path, char *buf,
				  size_t cap)
{
	struct emu_node node;
	int rc;

	rc = emu_vfs_lookup(priv, path, &node);
	if (rc)
		return rc;
	return emu_vfs_read(&node, buf, cap);
}

static int emu_host_list_dir(void *priv, const char *path, iofd_dir_cb cb,
			     void *arg)
{
	struct emu_node node;
	int rc;

	rc = emu_vfs_lookup(priv, path, &node);
	if (rc)
		return rc;
	return emu_vfs_list(priv, &node, cb, arg);
}

static const struct iofd_host_ops emu_host_ops = {
	.open = emu_host_open,
	.close = emu_host_close,
	.ioctl = emu_host_ioctl,
	.fstat = emu_host_fstat,
	.stat = emu_host_stat,
	.read_file = emu_host_read_file,
	.list_dir = emu_host_list_dir,
};

void emu_host(struct emu *emu, struct iofd_host *out)
{
	out->ops = &emu_host_ops;
	out->priv = emu;
}
