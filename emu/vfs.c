// SPDX-License-Identifier: MIT
/*
 * The emulated namespace (vfs.h). Every directory's children come from one
 * enumerator, used both to list a directory and to look a name up in it,
 * so listing and lookup cannot disagree. The broken sysfs variants are
 * decided here: a missing vfio-dev directory, garbage or an overflowing
 * number in the dev attribute, a cdev node whose devt is not the one sysfs
 * announces.
 *
 * A lookup walks the path one name at a time and keeps the path of the
 * node it stands on, without links; a link met on the way is replaced by
 * its text, relative to the link's directory, and the walk starts again
 * from the root on the new path.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "failnth.h"
#include "machine.h"
#include "util.h"
#include "vfs.h"

#define EMU_VFS_MAX_LINKS 40	/* the kernel's MAXSYMLINKS */

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
	{ EMU_N_DEV, "kmsg", EMU_N_DEV_KMSG },
	{ EMU_N_DEV, "kvm", EMU_N_DEV_KVM },
	{ EMU_N_DEV, "vfio", EMU_N_DEV_VFIO },
	{ EMU_N_DEV_VFIO, "devices", EMU_N_DEV_VFIO_DEVICES },
	{ EMU_N_DEV_VFIO, "vfio", EMU_N_DEV_VFIO_VFIO },
	{ EMU_N_SYS, "bus", EMU_N_SYS_BUS },
	{ EMU_N_SYS, "devices", EMU_N_SYS_DEVICES },
	{ EMU_N_SYS, "kernel", EMU_N_SYS_KERNEL },
	{ EMU_N_SYS_BUS, "pci", EMU_N_SYS_BUS_PCI },
	{ EMU_N_SYS_BUS_PCI, "devices", EMU_N_SYS_PCI_DEVICES },
	{ EMU_N_SYS_BUS_PCI, "drivers", EMU_N_SYS_PCI_DRIVERS },
	{ EMU_N_SYS_PCI_DRIVERS, "vfio-pci", EMU_N_SYS_DRV_VFIO_PCI },
	{ EMU_N_SYS_KERNEL, "iommu_groups", EMU_N_SYS_IOMMU_GROUPS },
	{ EMU_N_PCI_DIR, "vendor", EMU_N_PCI_VENDOR },
	{ EMU_N_PCI_DIR, "device", EMU_N_PCI_DEVICE },
	{ EMU_N_PCI_DIR, "iommu_group", EMU_N_PCI_IOMMU_GROUP },
	{ EMU_N_PCI_DIR, "driver", EMU_N_PCI_DRIVER },
	{ EMU_N_PCI_DIR, "subsystem", EMU_N_PCI_SUBSYSTEM },
	{ EMU_N_PCI_VFIO_N, "dev", EMU_N_PCI_VFIO_N_DEV },
	{ EMU_N_GROUP_DIR, "devices", EMU_N_GROUP_DEVICES },
	{ EMU_N_ROOT, "proc", EMU_N_PROC },
	{ EMU_N_PROC, "self", EMU_N_PROC_SELF },
	{ EMU_N_PROC, "thread-self", EMU_N_PROC_THREAD_SELF },
	{ EMU_N_PROC_SELF, "task", EMU_N_PROC_TASK },
	{ EMU_N_PROC_TID, "fail-nth", EMU_N_PROC_FAIL_NTH },
	{ EMU_N_PROC_THREAD_SELF, "fail-nth", EMU_N_PROC_FAIL_NTH },
	{ EMU_N_SYS_KERNEL, "debug", EMU_N_SYS_DEBUG },
};

/*
 * The fault-injection attribute sets under /sys/kernel/debug with their
 * files and default text (lib/fault-inject.c, mm/failslab.c): what a
 * 6.12 kernel with CONFIG_FAILSLAB and CONFIG_IOMMUFD_TEST shows.
 */
struct emu_vfs_attr {
	const char *name;
	const char *text;
};

static const struct emu_vfs_attr emu_vfs_fault_attrs[] = {
	{ "probability", "0\n" },
	{ "interval", "1\n" },
	{ "times", "1\n" },
	{ "space", "0\n" },
	{ "verbose", "2\n" },
	{ "verbose_ratelimit_interval_ms", "5000\n" },
	{ "verbose_ratelimit_burst", "10\n" },
	{ "task-filter", "N\n" },
	{ "ignore-gfp-wait", "Y\n" },	/* failslab only, from here on */
	{ "cache-filter", "N\n" },
};

struct emu_vfs_fault_set {
	const char *name;
	unsigned int nr_attrs;
};

static const struct emu_vfs_fault_set emu_vfs_fault_sets[] = {
	{ "fail_iommufd", 8 },
	{ "failslab", 10 },
};

/*
 * Whether the first @n bytes of two names are the same (up to a NUL in
 * both). Not strcmp or strncmp: under libFuzzer each of those is also
 * reported to the engine as a comparison worth learning from, and the
 * model's lookups are not what the engine should learn.
 */
static bool emu_vfs_name_eq_n(const char *a, const char *b, size_t n)
{
	for (; n && *a && *a == *b; n--) {
		a++;
		b++;
	}
	return !n || *a == *b;
}

static bool emu_vfs_name_eq(const char *a, const char *b)
{
	return emu_vfs_name_eq_n(a, b, SIZE_MAX);
}

unsigned int emu_dev_group(const struct emu_dev *dev)
{
	return dev->index + 1;
}

enum emu_node_kind emu_vfs_kind(const struct emu_node *node)
{
	switch (node->id) {
	case EMU_N_DEV_IOMMU:
	case EMU_N_DEV_KVM:
	case EMU_N_DEV_KMSG:
	case EMU_N_DEV_VFIO_VFIO:
	case EMU_N_DEV_VFIO_GROUP:
	case EMU_N_DEV_VFIO_CDEV:
		return EMU_NODE_CHR;
	case EMU_N_PCI_VENDOR:
	case EMU_N_PCI_DEVICE:
	case EMU_N_PCI_VFIO_N_DEV:
	case EMU_N_PROC_FAIL_NTH:
	case EMU_N_DEBUG_ATTR:
		return EMU_NODE_FILE;
	case EMU_N_SYS_PCI_DEV_LINK:
	case EMU_N_SYS_DRV_DEV_LINK:
	case EMU_N_PCI_IOMMU_GROUP:
	case EMU_N_PCI_DRIVER:
	case EMU_N_PCI_SUBSYSTEM:
	case EMU_N_GROUP_DEV_LINK:
		return EMU_NODE_LINK;
	default:
		return EMU_NODE_DIR;
	}
}

/* "pciDDDD:BB", the root bus directory a device sits under. */
static void emu_vfs_root_name(const struct emu_dev *dev, char *buf,
			      size_t cap)
{
	snprintf(buf, cap, "pci%.7s", dev->bdf);
}

/* Whether @dev is the first device under its root bus directory. */
static bool emu_vfs_root_first(const struct emu *emu,
			       const struct emu_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->index; i++) {
		if (emu_vfs_name_eq_n(emu->devs[i].bdf, dev->bdf, 7))
			return false;
	}
	return true;
}

typedef int (*emu_vfs_child_cb)(void *arg, const char *name,
				const struct emu_node *child);

/* Children that exist per device (or per root bus, or group). */
static int emu_vfs_for_each_dev_child(struct emu *emu,
				      const struct emu_node *dir,
				      emu_vfs_child_cb cb, void *arg)
{
	struct emu_node child;
	char name[32];
	unsigned int i;
	int rc;

	for (i = 0; i < emu->nr_devs; i++) {
		struct emu_dev *dev = &emu->devs[i];

		child.dev = dev;
		switch (dir->id) {
		case EMU_N_DEV_VFIO:
			child.id = EMU_N_DEV_VFIO_GROUP;
			snprintf(name, sizeof(name), "%u", emu_dev_group(dev));
			break;
		case EMU_N_DEV_VFIO_DEVICES:
			child.id = EMU_N_DEV_VFIO_CDEV;
			snprintf(name, sizeof(name), "%s", dev->cdev);
			break;
		case EMU_N_SYS_PCI_DEVICES:
		case EMU_N_SYS_DRV_VFIO_PCI:
			child.id = dir->id == EMU_N_SYS_PCI_DEVICES ?
				   EMU_N_SYS_PCI_DEV_LINK :
				   EMU_N_SYS_DRV_DEV_LINK;
			snprintf(name, sizeof(name), "%s", dev->bdf);
			break;
		case EMU_N_SYS_DEVICES:
			if (!emu_vfs_root_first(emu, dev))
				continue;
			child.id = EMU_N_SYS_PCI_ROOT;
			emu_vfs_root_name(dev, name, sizeof(name));
			break;
		case EMU_N_SYS_PCI_ROOT:
			if (!emu_vfs_name_eq_n(dev->bdf, dir->dev->bdf, 7))
				continue;
			child.id = EMU_N_PCI_DIR;
			snprintf(name, sizeof(name), "%s", dev->bdf);
			break;
		case EMU_N_SYS_IOMMU_GROUPS:
			child.id = EMU_N_GROUP_DIR;
			snprintf(name, sizeof(name), "%u", emu_dev_group(dev));
			break;
		case EMU_N_GROUP_DEVICES:
			if (dev != dir->dev)
				continue;
			child.id = EMU_N_GROUP_DEV_LINK;
			snprintf(name, sizeof(name), "%s", dev->bdf);
			break;
		default:
			return 0;
		}
		rc = cb(arg, name, &child);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The threads of the calling process, as /proc/self/task lists them: the
 * real directory of the process the model serves, read at each lookup.
 */
static int emu_vfs_for_each_task(struct emu *emu, emu_vfs_child_cb cb,
				 void *arg)
{
	struct emu_node child = { .id = EMU_N_PROC_TID };
	char path[64];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)emu_current_pid(emu));
	d = opendir(path);
	if (!d)
		return 0;
	while (!rc && (de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || tid <= 0 || end == de->d_name)
			continue;
		child.arg = (int)tid;
		rc = cb(arg, de->d_name, &child);
	}
	closedir(d);
	return rc;
}

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
		child.arg = dir->arg;
		if (child.id == EMU_N_PROC_FAIL_NTH &&
		    dir->id == EMU_N_PROC_THREAD_SELF)
			child.arg = emu_current_tid(emu);
		rc = cb(arg, emu_vfs_fixed[i].name, &child);
		if (rc)
			return rc;
	}

	switch (dir->id) {
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
	case EMU_N_PROC_TASK:
		return emu_vfs_for_each_task(emu, cb, arg);
	case EMU_N_SYS_DEBUG:
		child.id = EMU_N_DEBUG_FAIL;
		child.dev = NULL;
		for (i = 0; i < EMU_ARRAY_SIZE(emu_vfs_fault_sets); i++) {
			child.arg = (int)i;
			rc = cb(arg, emu_vfs_fault_sets[i].name, &child);
			if (rc)
				return rc;
		}
		return 0;
	case EMU_N_DEBUG_FAIL:
		child.id = EMU_N_DEBUG_ATTR;
		child.dev = NULL;
		for (i = 0; i < emu_vfs_fault_sets[dir->arg].nr_attrs; i++) {
			child.arg = dir->arg << 8 | (int)i;
			rc = cb(arg, emu_vfs_fault_attrs[i].name, &child);
			if (rc)
				return rc;
		}
		return 0;
	default:
		return emu_vfs_for_each_dev_child(emu, dir, cb, arg);
	}
}

ssize_t emu_vfs_readlink(const struct emu_node *node, char *buf, size_t cap)
{
	char root[16];
	int n;

	if (emu_vfs_kind(node) != EMU_NODE_LINK)
		return -EINVAL;
	emu_vfs_root_name(node->dev, root, sizeof(root));
	switch (node->id) {
	case EMU_N_SYS_PCI_DEV_LINK:
		n = snprintf(buf, cap, "../../../devices/%s/%s", root,
			     node->dev->bdf);
		break;
	case EMU_N_SYS_DRV_DEV_LINK:
	case EMU_N_GROUP_DEV_LINK:
		n = snprintf(buf, cap, "../../../../devices/%s/%s", root,
			     node->dev->bdf);
		break;
	case EMU_N_PCI_IOMMU_GROUP:
		n = snprintf(buf, cap, "../../../kernel/iommu_groups/%u",
			     emu_dev_group(node->dev));
		break;
	case EMU_N_PCI_DRIVER:
		n = snprintf(buf, cap, "../../../bus/pci/drivers/vfio-pci");
		break;
	default:
		n = snprintf(buf, cap, "../../../bus/pci");
		break;
	}
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : n;
}

struct emu_vfs_match {
	const char *name;
	struct emu_node *out;
};

static int emu_vfs_match_cb(void *arg, const char *name,
			    const struct emu_node *child)
{
	struct emu_vfs_match *m = arg;

	if (!emu_vfs_name_eq(name, m->name))
		return 0;
	*m->out = *child;
	return 1;
}

/* Resolve the link-free absolute path @cur (no ".", "..") from the root. */
static int emu_vfs_walk_plain(struct emu *emu, const char *cur,
			      struct emu_node *out)
{
	struct emu_node node = { .id = EMU_N_ROOT, .dev = NULL, .arg = 0 };
	char name[NAME_MAX + 1];
	const char *p = cur;
	size_t len;

	for (;;) {
		struct emu_vfs_match m = { .name = name, .out = &node };

		while (*p == '/')
			p++;
		if (!*p)
			break;
		len = strcspn(p, "/");
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		if (emu_vfs_for_each_child(emu, &node, emu_vfs_match_cb,
					   &m) != 1)
			return -ENOENT;
	}
	*out = node;
	return 0;
}

/*
 * Walk @path; @hops links followed so far. @cur is the link-free path of
 * the node walked to (PATH_MAX bytes).
 */
static int emu_vfs_walk(struct emu *emu, const char *path, bool follow_last,
			unsigned int hops, struct emu_node *out)
{
	struct emu_node node = { .id = EMU_N_ROOT, .dev = NULL };
	char cur[PATH_MAX], name[NAME_MAX + 1];
	const char *p = path;
	size_t len, clen = 0;

	cur[0] = '\0';	/* kept terminated at clen: no need to clear it all */

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
		if (emu_vfs_name_eq(name, "."))
			continue;
		if (emu_vfs_name_eq(name, "..")) {
			while (clen && cur[--clen] != '/')
				;
			cur[clen] = '\0';
			emu_vfs_walk_plain(emu, cur, &node);
			continue;
		}
		if (emu_vfs_for_each_child(emu, &node, emu_vfs_match_cb,
					   &m) != 1)
			return -ENOENT;
		if (emu_vfs_kind(&next) == EMU_NODE_LINK &&
		    (follow_last || p[strspn(p, "/")])) {
			char text[PATH_MAX], npath[PATH_MAX];

			if (hops >= EMU_VFS_MAX_LINKS)
				return -ELOOP;
			emu_vfs_readlink(&next, text, sizeof(text));
			if ((size_t)snprintf(npath, sizeof(npath), "%s/%s%s",
					     cur, text, p) >= sizeof(npath))
				return -ENAMETOOLONG;
			return emu_vfs_walk(emu, npath, follow_last, hops + 1,
					    out);
		}
		if (clen + 1 + len >= sizeof(cur))
			return -ENAMETOOLONG;
		cur[clen++] = '/';
		memcpy(cur + clen, name, len + 1);
		clen += len;
		node = next;
	}
	*out = node;
	return 0;
}

static int emu_vfs_lookup_mode(struct emu *emu, const char *path,
			       bool follow_last, struct emu_node *out)
{
	struct emu_node node;
	int rc;

	if (!path)
		return -EFAULT;
	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (path[0] != '/')
		return -ENOENT;
	rc = emu_vfs_walk(emu, path,
			  follow_last || path[strlen(path) - 1] == '/', 0,
			  &node);
	if (rc)
		return rc;
	if (path[strlen(path) - 1] == '/' && emu_vfs_kind(&node) != EMU_NODE_DIR)
		return -ENOTDIR;
	*out = node;
	return 0;
}

int emu_vfs_lookup(struct emu *emu, const char *path, struct emu_node *out)
{
	return emu_vfs_lookup_mode(emu, path, true, out);
}

int emu_vfs_lookup_nofollow(struct emu *emu, const char *path,
			    struct emu_node *out)
{
	return emu_vfs_lookup_mode(emu, path, false, out);
}

/* The device number a char node reports; WRONG_DEVT shifts the cdev's. */
static dev_t emu_vfs_rdev(const struct emu_node *node)
{
	unsigned int minor;

	if (node->id == EMU_N_DEV_IOMMU)
		return makedev(EMU_IOMMU_MAJOR, EMU_IOMMU_MINOR);
	if (node->id == EMU_N_DEV_KVM)
		return makedev(EMU_KVM_MAJOR, EMU_KVM_MINOR);
	if (node->id == EMU_N_DEV_KMSG)
		return makedev(1, 11);
	if (node->id == EMU_N_DEV_VFIO_VFIO)
		return makedev(EMU_IOMMU_MAJOR, EMU_VFIO_CONTAINER_MINOR);
	if (node->id == EMU_N_DEV_VFIO_GROUP)
		return makedev(EMU_VFIO_GROUP_MAJOR, node->dev->index);
	minor = node->dev->index;
	if (node->dev->variant == EMU_SYSFS_WRONG_DEVT)
		minor += 100;
	return makedev(EMU_VFIO_MAJOR, minor);
}

void emu_vfs_stat(const struct emu_node *node, struct stat *st)
{
	char text[PATH_MAX];

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
		if (node->id == EMU_N_PROC_FAIL_NTH) {
			st->st_mode = S_IFREG | 0644;
			st->st_size = 0;
		} else if (node->id == EMU_N_DEBUG_ATTR) {
			st->st_mode = S_IFREG | 0600;
			st->st_size = 0;
		}
		break;
	case EMU_NODE_CHR:
		st->st_mode = S_IFCHR | 0600;
		st->st_rdev = emu_vfs_rdev(node);
		break;
	case EMU_NODE_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_size = emu_vfs_readlink(node, text, sizeof(text));
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

ssize_t emu_vfs_read(struct emu *emu, const struct emu_node *node, char *buf,
		     size_t cap)
{
	char text[64];
	int len;

	switch (emu_vfs_kind(node)) {
	case EMU_NODE_DIR:
		return -EISDIR;
	case EMU_NODE_CHR:
	case EMU_NODE_LINK:
		return -EINVAL;	/* /dev/iommu and the cdevs have no read */
	case EMU_NODE_FILE:
		break;
	}
	if (node->id == EMU_N_PROC_FAIL_NTH) {
		len = emu_fail_nth_text(emu, node->arg, text, sizeof(text));
	} else if (node->id == EMU_N_DEBUG_ATTR) {
		len = snprintf(text, sizeof(text), "%s",
			       emu_vfs_fault_attrs[node->arg & 0xff].text);
	} else {
		len = emu_vfs_attr(node, text, sizeof(text));
	}
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

int emu_served_roots(struct emu *emu, iofd_dir_cb cb, void *arg)
{
	static const char *const fixed[] = {
		"/dev/vfio", "/sys/bus/pci/devices",
		"/sys/bus/pci/drivers/vfio-pci", "/sys/kernel/iommu_groups",
		"/sys/kernel/debug",
	};
	char path[64];
	unsigned int i;
	int rc;

	for (i = 0; i < EMU_ARRAY_SIZE(fixed); i++) {
		rc = cb(arg, fixed[i]);
		if (rc)
			return rc;
	}
	for (i = 0; i < emu->nr_devs; i++) {
		if (!emu_vfs_root_first(emu, &emu->devs[i]))
			continue;
		snprintf(path, sizeof(path), "/sys/devices/");
		emu_vfs_root_name(&emu->devs[i], path + 13, sizeof(path) - 13);
		rc = cb(arg, path);
		if (rc)
			return rc;
	}
	return 0;
}

int emu_readlink(struct emu *emu, const char *path, char *buf, size_t cap)
{
	struct emu_node node;
	int rc;

	rc = emu_vfs_lookup_nofollow(emu, path, &node);
	if (rc)
		return rc;
	return (int)emu_vfs_readlink(&node, buf, cap);
}

int emu_lstat(struct emu *emu, const char *path, struct stat *st)
{
	struct emu_node node;
	int rc;

	rc = emu_vfs_lookup_nofollow(emu, path, &node);
	if (rc)
		return rc;
	emu_vfs_stat(&node, st);
	return 0;
}
