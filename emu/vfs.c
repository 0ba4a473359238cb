// SPDX-License-Identifier: MIT
/*
 * The emulated namespace (vfs.h). Every directory's children come from one
 * enumerator, used both to list a directory and to look a name up in it,
 * so listing and lookup cannot disagree. The broken sysfs variants are
 * decided here: a missing vfio-dev directory, garbage or an overflowing
 * number in the dev attribute, a cdev node whose devt is not the one sysfs
 * announces.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "machine.h"
#include "util.h"
#include "vfs.h"

/* Children that exist whenever their parent does; they inherit its dev. */
struct emu_vfs_fixed {
	enum emu_node_id parent;
	const char *name;
	enum emu_node_id child;
};

static const struct emu_vfs_fixed emu_vfs_fixed[] = {
	{ EMU_N_ROOT, "dev", EMU_N_DEV },
	{ EMU_N_ROOT, "sys", EMU_N_SYS },
	{ EMU_N_DEV, "iommu", EMU_N_DEV_IOMMU },
	{ EMU_N_DEV, "kvm", EMU_N_DEV_KVM },
	{ EMU_N_DEV, "vfio", EMU_N_DEV_VFIO },
	{ EMU_N_DEV_VFIO, "devices", EMU_N_DEV_VFIO_DEVICES },
	{ EMU_N_SYS, "bus", EMU_N_SYS_BUS },
	{ EMU_N_SYS_BUS, "pci", EMU_N_SYS_BUS_PCI },
	{ EMU_N_SYS_BUS_PCI, "devices", EMU_N_SYS_PCI_DEVICES },
	{ EMU_N_PCI_DIR, "vendor", EMU_N_PCI_VENDOR },
	{ EMU_N_PCI_DIR, "device", EMU_N_PCI_DEVICE },
	{ EMU_N_PCI_DIR, "iommu_group", EMU_N_PCI_IOMMU_GROUP },
	{ EMU_N_PCI_VFIO_N, "dev", EMU_N_PCI_VFIO_N_DEV },
};

enum emu_node_kind emu_vfs_kind(const struct emu_node *node)
{
	switch (node->id) {
	case EMU_N_DEV_IOMMU:
	case EMU_N_DEV_KVM:
	case EMU_N_DEV_VFIO_CDEV:
		return EMU_NODE_CHR;
	case EMU_N_PCI_VENDOR:
	case EMU_N_PCI_DEVICE:
	case EMU_N_PCI_VFIO_N_DEV:
		return EMU_NODE_FILE;
	default:
		return EMU_NODE_DIR;
	}
}

typedef int (*emu_vfs_child_cb)(void *arg, const char *name,
				const struct emu_node *child);

static int emu_vfs_for_each_child(struct emu *emu, const struct emu_node *dir,
				  emu_vfs_child_cb cb, void *arg)
{
	struct emu_node child;
	unsigned int i;
	int rc;

	for (i = 0; i < EMU_ARRAY_SIZE(emu_vfs_fixed); i++) {
		if (emu_vfs_fixed[i].parent != dir->id)
			continue;
		child.id = emu_vfs_fixed[i].child;
		child.dev = dir->dev;
		rc = cb(arg, emu_vfs_fixed[i].name, &child);
		if (rc)
			return rc;
	}

	switch (dir->id) {
	case EMU_N_DEV_VFIO_DEVICES:
	case EMU_N_SYS_PCI_DEVICES:
		for (i = 0; i < emu->nr_devs; i++) {
			child.dev = &emu->devs[i];
			child.id = dir->id == EMU_N_DEV_VFIO_DEVICES ?
				   EMU_N_DEV_VFIO_CDEV : EMU_N_PCI_DIR;
			rc = cb(arg, child.id == EMU_N_PCI_DIR ?
				     child.dev->bdf : child.dev->cdev,
				&child);
			if (rc)
				return rc;
		}
		return 0;
	case EMU_N_PCI_DIR:
		if (dir->dev->variant == EMU_SYSFS_NO_VFIO_DEV)
			return 0;
		child.id = EMU_N_PCI_VFIO_DEV;
		child.dev = dir->dev;
		return cb(arg, "vfio-dev", &child);
	case EMU_N_PCI_VFIO_DEV:
		child.id = EMU_N_PCI_VFIO_N;
		child.dev = dir->dev;
		return cb(arg, dir->dev->cdev, &child);
	default:
		return 0;
	}
}

struct emu_vfs_match {
	const char *name;
	struct emu_node *out;
};

static int emu_vfs_match_cb(void *arg, const char *name,
			    const struct emu_node *child)
{
	struct emu_vfs_match *m = arg;

	if (strcmp(name, m->name) != 0)
		return 0;
	*m->out = *child;
	return 1;
}

int emu_vfs_lookup(struct emu *emu, const char *path, struct emu_node *out)
{
	struct emu_node node = { .id = EMU_N_ROOT, .dev = NULL };
	char name[NAME_MAX + 1];
	const char *p = path;
	size_t len;

	if (!path)
		return -EFAULT;
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] != '/')
		return -ENOENT;

	for (;;) {
		struct emu_node next;
		struct emu_vfs_match m = { .name = name, .out = &next };

		while (*p == '/')
			p++;
		if (!*p)
			break;
		len = strcspn(p, "/");
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (emu_vfs_kind(&node) != EMU_NODE_DIR)
			return -ENOTDIR;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (emu_vfs_for_each_child(emu, &node, emu_vfs_match_cb,
					   &m) != 1)
			return -ENOENT;
		node = next;
	}
	if (path[strlen(path) - 1] == '/' &&
	    emu_vfs_kind(&node) != EMU_NODE_DIR)
		return -ENOTDIR;
	*out = node;
	return 0;
}

/* The device number a char node reports; WRONG_DEVT shifts the cdev's. */
static dev_t emu_vfs_rdev(const struct emu_node *node)
{
	unsigned int minor;

	if (node->id == EMU_N_DEV_IOMMU)
		return makedev(EMU_IOMMU_MAJOR, EMU_IOMMU_MINOR);
	if (node->id == EMU_N_DEV_KVM)
		return makedev(EMU_KVM_MAJOR, EMU_KVM_MINOR);
	minor = node->dev->index;
	if (node->dev->variant == EMU_SYSFS_WRONG_DEVT)
		minor += 100;
	return makedev(EMU_VFIO_MAJOR, minor);
}

void emu_vfs_stat(const struct emu_node *node, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_nlink = 1;
	switch (emu_vfs_kind(node)) {
	case EMU_NODE_DIR:
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		break;
	case EMU_NODE_FILE:
		st->st_mode = S_IFREG | 0444;
		st->st_size = 4096;	/* what sysfs reports for attributes */
		break;
	case EMU_NODE_CHR:
		st->st_mode = S_IFCHR | 0600;
		st->st_rdev = emu_vfs_rdev(node);
		break;
	}
}

/* A sysfs attribute's text into @buf (large enough); returns its length. */
static int emu_vfs_attr(const struct emu_node *node, char *buf, size_t cap)
{
	const struct emu_dev *dev = node->dev;

	switch (node->id) {
	case EMU_N_PCI_VENDOR:
		return snprintf(buf, cap, "0x%04x\n", dev->profile->vendor);
	case EMU_N_PCI_DEVICE:
		return snprintf(buf, cap, "0x%04x\n", dev->profile->device);
	default:
		break;
	}
	switch (dev->variant) {
	case EMU_SYSFS_GARBAGE_DEV:
		return snprintf(buf, cap, "xyz\n");
	case EMU_SYSFS_OVERFLOW_DEV:
		return snprintf(buf, cap, "99999999999:0\n");
	default:
		return snprintf(buf, cap, "%u:%u\n", EMU_VFIO_MAJOR,
				dev->index);
	}
}

ssize_t emu_vfs_read(const struct emu_node *node, char *buf, size_t cap)
{
	char text[64];
	int len;

	switch (emu_vfs_kind(node)) {
	case EMU_NODE_DIR:
		return -EISDIR;
	case EMU_NODE_CHR:
		return -EINVAL;	/* /dev/iommu and the cdevs have no read */
	case EMU_NODE_FILE:
		break;
	}
	len = emu_vfs_attr(node, text, sizeof(text));
	if ((size_t)len + 1 > cap)
		return -EFBIG;
	memcpy(buf, text, (size_t)len + 1);
	return len;
}

struct emu_vfs_list_ctx {
	iofd_dir_cb cb;
	void *arg;
};

static int emu_vfs_list_cb(void *arg, const char *name,
			   const struct emu_node *child)
{
	struct emu_vfs_list_ctx *ctx = arg;

	return ctx->cb(ctx->arg, name);
}

int emu_vfs_list(struct emu *emu, const struct emu_node *node,
		 iofd_dir_cb cb, void *arg)
{
	struct emu_vfs_list_ctx ctx = { .cb = cb, .arg = arg };

	if (emu_vfs_kind(node) != EMU_NODE_DIR)
		return -ENOTDIR;
	return emu_vfs_for_each_child(emu, node, emu_vfs_list_cb, &ctx);
}
