// SPDX-License-Identifier: MIT
/*
 * The emulator's host table (emu_host) and the file I/O entry points
 * beside it (emu_read & co, for the preload shim; emu_pread and emu_pwrite
 * are the table's entries): each call answered from the model, in
 * process. Paths go to the namespace (vfs.c), fds to the file behind them.
 * The kernel takes ioctl commands as unsigned int, so the request is
 * truncated to 32 bits before dispatch, as the syscall would.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "container.h"
#include "failnth.h"
#include "fault_queue.h"
#include "group.h"
#include "iommufd.h"
#include "klog.h"
#include "kvm.h"
#include "machine.h"
#include "vfio.h"
#include "vfs.h"

/*
 * Only the char nodes and the fail-nth file open: every open of /dev/iommu
 * is a new context, and so is every open of /dev/vfio/vfio where iommufd
 * serves it (the machine variant), then charging pins to the mm as VFIO
 * does; otherwise that is a new legacy container. Directories give
 * EISDIR; sysfs and debugfs attributes are read through read_file, never
 * opened, so an open of one is refused with EACCES.
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
		if (node.id != EMU_N_PROC_FAIL_NTH)
			return -EACCES;
		break;
	case EMU_NODE_LINK:	/* never: the lookup followed it */
		return -ELOOP;
	case EMU_NODE_CHR:
		break;
	}

	switch (node.id) {
	case EMU_N_DEV_VFIO_VFIO:
		if (emu->variant.container == EMU_CONTAINER_VFIO) {
			file = emu_file_alloc(emu, EMU_FILE_CONTAINER);
			if (!file)
				return -ENOMEM;
			rc = emu_container_open(emu, &file->container);
			break;
		}
		/* iommufd serves /dev/vfio/vfio */
		__attribute__((fallthrough));
	case EMU_N_DEV_IOMMU:
		file = emu_file_alloc(emu, EMU_FILE_IOMMUFD);
		if (!file)
			return -ENOMEM;
		rc = emu_ictx_create(emu, &file->ictx);
		if (!rc && node.id == EMU_N_DEV_VFIO_VFIO) {
			file->ictx->acct_mm = true;
			file->container_node = true;
		}
		break;
	case EMU_N_DEV_VFIO_GROUP:
		file = emu_file_alloc(emu, EMU_FILE_GROUP);
		if (!file)
			return -ENOMEM;
		rc = emu_group_open(node.dev, file);
		break;
	case EMU_N_DEV_KVM:
		file = emu_file_alloc(emu, EMU_FILE_KVM);
		if (!file)
			return -ENOMEM;
		rc = 0;
		break;
	case EMU_N_DEV_KMSG:
		/* A new reader starts at the oldest record kept. */
		file = emu_file_alloc(emu, EMU_FILE_KMSG);
		if (!file)
			return -ENOMEM;
		file->kmsg.seq = 0;
		rc = 0;
		break;
	case EMU_N_PROC_FAIL_NTH:
		file = emu_file_alloc(emu, EMU_FILE_FAIL_NTH);
		if (!file)
			return -ENOMEM;
		file->tid = node.arg;
		emu->nr_fail_nth_files++;
		rc = 0;
		break;
	default:
		file = emu_file_alloc(emu, EMU_FILE_VFIO);
		if (!file)
			return -ENOMEM;
		rc = emu_vfio_open(emu, node.dev, &file->vfio);
		break;
	}
	if (rc)
		goto err_free_file;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		file->fmode = EMU_FMODE_READ;
		break;
	case O_WRONLY:
		file->fmode = EMU_FMODE_WRITE;
		break;
	default:
		file->fmode = EMU_FMODE_READ | EMU_FMODE_WRITE;
		break;
	}
	fd = emu_fd_install(emu, file);
	if (fd < 0) {
		emu_file_put(emu, file);
		return fd;
	}
	return fd;

err_free_file:
	emu_file_free(emu, file);
	return rc;
}

static int emu_host_close(void *priv, int fd)
{
	struct emu_file *file = emu_fd_remove(priv, fd);

	if (!file)
		return -EBADF;
	emu_file_put(priv, file);
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
	case EMU_FILE_KVM:
		return emu_kvm_ioctl(priv, cmd, arg);
	case EMU_FILE_KVM_VM:
		return emu_kvm_vm_ioctl(file->vm, cmd, arg);
	case EMU_FILE_KVM_DEV:
		return emu_kvm_dev_ioctl(file->kdev, cmd, arg);
	case EMU_FILE_CONTAINER:
		return emu_container_ioctl(file->container, cmd, arg);
	case EMU_FILE_GROUP:
		return emu_group_ioctl(priv, file->gdev, cmd, arg);
	case EMU_FILE_FAULT:
	case EMU_FILE_KMSG:
	case EMU_FILE_FAIL_NTH:
	case EMU_FILE_MOCK_ACCESS:
		break;
	}
	return -ENOTTY;
}

/*
 * fstat of a char node reports its device; anonymous-inode files (VMs,
 * KVM devices, fault queues) report the anon inode: mode 0600 and no file
 * type bits at all.
 */
static int emu_host_fstat(void *priv, int fd, struct stat *st)
{
	struct emu_file *file = emu_fd_get(priv, fd);
	struct emu_node node = { .id = EMU_N_DEV_IOMMU, .dev = NULL };

	if (!file)
		return -EBADF;
	switch (file->kind) {
	case EMU_FILE_IOMMUFD:
		if (file->container_node)
			node.id = EMU_N_DEV_VFIO_VFIO;
		break;
	case EMU_FILE_CONTAINER:
		node.id = EMU_N_DEV_VFIO_VFIO;
		break;
	case EMU_FILE_GROUP:
		node.id = EMU_N_DEV_VFIO_GROUP;
		node.dev = file->gdev;
		break;
	case EMU_FILE_VFIO:
		if (file->vfio->group_path)
			goto out_anon;
		node.id = EMU_N_DEV_VFIO_CDEV;
		node.dev = file->vfio->dev;
		break;
	case EMU_FILE_KVM:
		node.id = EMU_N_DEV_KVM;
		break;
	case EMU_FILE_KMSG:
		node.id = EMU_N_DEV_KMSG;
		break;
	case EMU_FILE_FAIL_NTH:
		node.id = EMU_N_PROC_FAIL_NTH;
		node.arg = file->tid;
		break;
	default:
out_anon:
		emu_vfs_stat(&node, st);
		st->st_mode = 0600;
		st->st_rdev = 0;
		return 0;
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
	return emu_vfs_read(priv, &node, buf, cap);
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

static ssize_t emu_file_rw(struct emu *emu, int fd, void *buf, size_t count,
			   uint64_t off, bool write)
{
	struct emu_file *file = emu_fd_get(emu, fd);

	if (!file)
		return -EBADF;
	if (!(file->fmode & (write ? EMU_FMODE_WRITE : EMU_FMODE_READ)))
		return -EBADF;
	switch (file->kind) {
	case EMU_FILE_VFIO:
		return emu_vfio_rw(file->vfio, buf, count, off, write);
	case EMU_FILE_FAULT:
		if (write)
			return emu_fault_queue_write(file->fq, buf, count,
						     off);
		return emu_fault_queue_read(file->fq, buf, count, off);
	case EMU_FILE_KMSG:
		if (write)
			return emu_kmsg_write(emu, buf, count);
		return emu_kmsg_read(emu, &file->kmsg, buf, count);
	case EMU_FILE_FAIL_NTH:
		/* The position does not matter for a write (proc_fail_nth_write). */
		if (write)
			return emu_fail_nth_write(emu, file->tid, buf, count);
		return emu_fail_nth_read(emu, file->tid, buf, count, off);
	default:
		return -EINVAL;
	}
}

static ssize_t emu_host_pread(void *priv, int fd, void *buf, size_t count,
			      uint64_t offset)
{
	if (offset > INT64_MAX)
		return -EINVAL;
	return emu_file_rw(priv, fd, buf, count, offset, false);
}

static ssize_t emu_host_pwrite(void *priv, int fd, const void *buf,
			       size_t count, uint64_t offset)
{
	if (offset > INT64_MAX)
		return -EINVAL;
	return emu_file_rw(priv, fd, (void *)buf, count, offset, true);
}

static int emu_host_mmap(void *priv, void *addr, size_t len, int prot,
			 int flags, int fd, uint64_t offset, void **out)
{
	if (offset > INT64_MAX)
		return -EINVAL;
	return emu_mmap(priv, fd, addr, len, prot, flags, offset, out);
}

static int emu_host_munmap(void *priv, void *addr, size_t len)
{
	return emu_munmap(priv, addr, len);
}

static const struct iofd_host_ops emu_host_ops = {
	.open = emu_host_open,
	.close = emu_host_close,
	.ioctl = emu_host_ioctl,
	.fstat = emu_host_fstat,
	.stat = emu_host_stat,
	.read_file = emu_host_read_file,
	.list_dir = emu_host_list_dir,
	.pread = emu_host_pread,
	.pwrite = emu_host_pwrite,
	.mmap = emu_host_mmap,
	.munmap = emu_host_munmap,
};

void emu_host(struct emu *emu, struct iofd_host *out)
{
	out->ops = &emu_host_ops;
	out->priv = emu;
}

ssize_t emu_pread(struct emu *emu, int fd, void *buf, size_t count,
		  uint64_t offset)
{
	return emu_host_pread(emu, fd, buf, count, offset);
}

ssize_t emu_pwrite(struct emu *emu, int fd, const void *buf, size_t count,
		   uint64_t offset)
{
	return emu_host_pwrite(emu, fd, buf, count, offset);
}

ssize_t emu_read(struct emu *emu, int fd, void *buf, size_t count)
{
	struct emu_file *file = emu_fd_get(emu, fd);
	ssize_t n;

	if (!file)
		return -EBADF;
	n = emu_file_rw(emu, fd, buf, count, file->pos, false);
	if (n > 0 && file->kind != EMU_FILE_FAULT &&
	    file->kind != EMU_FILE_KMSG)
		file->pos += (uint64_t)n;
	return n;
}

ssize_t emu_write(struct emu *emu, int fd, const void *buf, size_t count)
{
	struct emu_file *file = emu_fd_get(emu, fd);
	ssize_t n;

	if (!file)
		return -EBADF;
	n = emu_file_rw(emu, fd, (void *)buf, count, file->pos, true);
	if (n > 0 && file->kind != EMU_FILE_FAULT &&
	    file->kind != EMU_FILE_KMSG)
		file->pos += (uint64_t)n;
	return n;
}

struct emu_file *emu_fd_ref(struct emu *emu, int fd)
{
	struct emu_file *file = emu_fd_get(emu, fd);

	if (file)
		emu_file_get(file);
	return file;
}

int emu_fd_install_ref(struct emu *emu, struct emu_file *file)
{
	int fd = emu_fd_install(emu, file);

	if (fd < 0)
		emu_file_put(emu, file);
	return fd;
}

void emu_file_unref(struct emu *emu, struct emu_file *file)
{
	emu_file_put(emu, file);
}

bool emu_fd_is_open(const struct emu *emu, int fd)
{
	return emu_fd_get(emu, fd) != NULL;
}
