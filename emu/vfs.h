/* SPDX-License-Identifier: MIT */
/*
 * The emulated file namespace: /dev/iommu, /dev/kvm,
 * /dev/vfio/devices/vfioN and the sysfs tree of every device
 * (/sys/bus/pci/devices/<bdf>/{vendor, device, iommu_group,
 * vfio-dev/vfioN/dev}), with the directories leading to them. On Linux
 * iommu_group is a symlink to /sys/kernel/iommu_groups/N; the model has
 * no links, so it is the directory the link resolves to, and the group
 * number is the device index (one group per device). Nodes are
 * computed from the device list on every lookup; nothing is stored, so the
 * tree can never disagree with the devices.
 *
 * Path rules: absolute paths only, repeated '/' collapse, no "." or ".."
 * handling (they are just names that do not exist). A trailing '/' on a
 * non-directory is ENOTDIR, as on Linux.
 */
#ifndef EMU_VFS_H
#define EMU_VFS_H

#include <sys/stat.h>
#include <sys/types.h>

#include <iofd/host.h>

struct emu;
struct emu_dev;

enum emu_node_id {
	EMU_N_ROOT,
	EMU_N_DEV,
	EMU_N_DEV_IOMMU,		/* char 10:257 */
	EMU_N_DEV_KVM,			/* char 10:232 */
	EMU_N_DEV_VFIO,
	EMU_N_DEV_VFIO_DEVICES,
	EMU_N_DEV_VFIO_CDEV,		/* vfioN: char 511:N */
	EMU_N_SYS,
	EMU_N_SYS_BUS,
	EMU_N_SYS_BUS_PCI,
	EMU_N_SYS_PCI_DEVICES,
	EMU_N_PCI_DIR,			/* <bdf> */
	EMU_N_PCI_VENDOR,
	EMU_N_PCI_DEVICE,
	EMU_N_PCI_IOMMU_GROUP,		/* <bdf>/iommu_group (a directory) */
	EMU_N_PCI_VFIO_DEV,		/* <bdf>/vfio-dev */
	EMU_N_PCI_VFIO_N,		/* <bdf>/vfio-dev/vfioN */
	EMU_N_PCI_VFIO_N_DEV,		/* <bdf>/vfio-dev/vfioN/dev */
};

enum emu_node_kind {
	EMU_NODE_DIR,
	EMU_NODE_FILE,
	EMU_NODE_CHR,
};

struct emu_node {
	enum emu_node_id id;
	struct emu_dev *dev;		/* the device a node belongs to */
};

/* Resolve @path: 0, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -EFAULT (NULL). */
int emu_vfs_lookup(struct emu *emu, const char *path, struct emu_node *out);
enum emu_node_kind emu_vfs_kind(const struct emu_node *node);
void emu_vfs_stat(const struct emu_node *node, struct stat *st);
/* read_file semantics of struct iofd_host_ops. */
ssize_t emu_vfs_read(const struct emu_node *node, char *buf, size_t cap);
/* list_dir semantics of struct iofd_host_ops. */
int emu_vfs_list(struct emu *emu, const struct emu_node *node,
		 iofd_dir_cb cb, void *arg);

#endif /* EMU_VFS_H */
