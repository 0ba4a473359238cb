/* SPDX-License-Identifier: MIT */
/*
 * The emulated file namespace: /dev/iommu, /dev/kvm, /dev/kmsg (the
 * machine's kernel log: klog.h), /dev/vfio/vfio (the
 * legacy container), /dev/vfio/N (the group node of group N),
 * /dev/vfio/devices/vfioN and the sysfs of every device, laid out as a
 * Linux 6.12 guest's: the device directory is
 * /sys/devices/pciDDDD:BB/<bdf> (vendor, device, vfio-dev/vfioN/dev and
 * the links iommu_group, driver, subsystem); /sys/bus/pci/devices/<bdf>,
 * /sys/bus/pci/drivers/vfio-pci/<bdf> and
 * /sys/kernel/iommu_groups/N/devices/<bdf> are links to it, each with
 * the kernel's own relative text. Every device is alone in IOMMU group
 * emu_dev_group(dev). Nodes are computed from the device list on every
 * lookup; nothing is stored, so the tree can never disagree with the
 * devices.
 *
 * Beyond the devices: the fail-nth file of the calling task,
 * /proc/self/task/<tid>/fail-nth (also /proc/thread-self/fail-nth), the
 * only file the model opens for reading and writing (failnth.h); and the
 * fault-injection attributes under /sys/kernel/debug (failslab and
 * fail_iommufd, as a kernel with CONFIG_FAILSLAB and CONFIG_IOMMUFD_TEST
 * has them), read-only text the model does not act on: every fault point
 * of the model fails under fail-nth whatever they say, as the kernel's do
 * once the selftest has set them.
 *
 * Path rules, as the kernel's: absolute paths only, repeated '/'
 * collapse, "." and ".." are the directory itself and its parent, links
 * are followed in the middle of a path and, with stat semantics, at its
 * end (40 links at most: ELOOP). A trailing '/' on a non-directory is
 * ENOTDIR.
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
	EMU_N_DEV_KMSG,			/* char 1:11 */
	EMU_N_DEV_VFIO,
	EMU_N_DEV_VFIO_VFIO,		/* char 10:196 */
	EMU_N_DEV_VFIO_GROUP,		/* N: char 510:(N - 1) */
	EMU_N_DEV_VFIO_DEVICES,
	EMU_N_DEV_VFIO_CDEV,		/* vfioN: char 511:N */
	EMU_N_SYS,
	EMU_N_SYS_BUS,
	EMU_N_SYS_BUS_PCI,
	EMU_N_SYS_PCI_DEVICES,
	EMU_N_SYS_PCI_DEV_LINK,		/* devices/<bdf> -> the device dir */
	EMU_N_SYS_PCI_DRIVERS,
	EMU_N_SYS_DRV_VFIO_PCI,		/* drivers/vfio-pci */
	EMU_N_SYS_DRV_DEV_LINK,		/* drivers/vfio-pci/<bdf> */
	EMU_N_SYS_DEVICES,		/* /sys/devices */
	EMU_N_SYS_PCI_ROOT,		/* pciDDDD:BB, of its first device */
	EMU_N_PCI_DIR,			/* pciDDDD:BB/<bdf> */
	EMU_N_PCI_VENDOR,
	EMU_N_PCI_DEVICE,
	EMU_N_PCI_IOMMU_GROUP,		/* <bdf>/iommu_group (a link) */
	EMU_N_PCI_DRIVER,		/* <bdf>/driver (a link) */
	EMU_N_PCI_SUBSYSTEM,		/* <bdf>/subsystem (a link) */
	EMU_N_PCI_VFIO_DEV,		/* <bdf>/vfio-dev */
	EMU_N_PCI_VFIO_N,		/* <bdf>/vfio-dev/vfioN */
	EMU_N_PCI_VFIO_N_DEV,		/* <bdf>/vfio-dev/vfioN/dev */
	EMU_N_SYS_KERNEL,
	EMU_N_SYS_IOMMU_GROUPS,
	EMU_N_GROUP_DIR,		/* iommu_groups/N */
	EMU_N_GROUP_DEVICES,		/* iommu_groups/N/devices */
	EMU_N_GROUP_DEV_LINK,		/* iommu_groups/N/devices/<bdf> */
	EMU_N_PROC,
	EMU_N_PROC_SELF,
	EMU_N_PROC_THREAD_SELF,
	EMU_N_PROC_TASK,		/* /proc/self/task */
	EMU_N_PROC_TID,			/* .../task/<tid>: arg is the tid */
	EMU_N_PROC_FAIL_NTH,		/* .../fail-nth: arg is the tid */
	EMU_N_SYS_DEBUG,		/* /sys/kernel/debug */
	EMU_N_DEBUG_FAIL,		/* debug/<attr set>: arg is its index */
	EMU_N_DEBUG_ATTR,		/* one attribute: arg is set << 8 | attr */
};

enum emu_node_kind {
	EMU_NODE_DIR,
	EMU_NODE_FILE,
	EMU_NODE_CHR,
	EMU_NODE_LINK,
};

struct emu_node {
	enum emu_node_id id;
	struct emu_dev *dev;		/* the device a node belongs to */
	int arg;			/* per id, see emu_node_id */
};

/* The IOMMU group of @dev: alone in it, numbered from 1 as on the
 * reference machine (its host bridge is group 0). */
unsigned int emu_dev_group(const struct emu_dev *dev);

/*
 * Resolve @path, following every link (stat). 0, -ENOENT, -ENOTDIR,
 * -ENAMETOOLONG, -ELOOP, -EFAULT (NULL).
 */
int emu_vfs_lookup(struct emu *emu, const char *path, struct emu_node *out);
/* The same, but a link at the end is the link itself (lstat). */
int emu_vfs_lookup_nofollow(struct emu *emu, const char *path,
			    struct emu_node *out);
enum emu_node_kind emu_vfs_kind(const struct emu_node *node);
void emu_vfs_stat(const struct emu_node *node, struct stat *st);
/* read_file semantics of struct iofd_host_ops. */
ssize_t emu_vfs_read(struct emu *emu, const struct emu_node *node, char *buf,
		     size_t cap);
/* A link's text into @buf (@cap bytes, NUL-terminated): its length,
 * -EINVAL (not a link) or -ENAMETOOLONG. */
ssize_t emu_vfs_readlink(const struct emu_node *node, char *buf, size_t cap);
/* list_dir semantics of struct iofd_host_ops. */
int emu_vfs_list(struct emu *emu, const struct emu_node *node,
		 iofd_dir_cb cb, void *arg);

#endif /* EMU_VFS_H */
