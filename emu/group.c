// SPDX-License-Identifier: MIT
/*
 * The legacy VFIO group node and the device opened through it (group.h).
 * Check order follows drivers/vfio/group.c: SET_CONTAINER reads the fd
 * number (EFAULT), looks it up (EBADF), refuses a group that has an IOMMU
 * already (EINVAL), and only then looks at what the fd is: a container, an
 * iommufd, or neither (EBADFD). GET_DEVICE_FD copies the name (EFAULT, or
 * EINVAL past a page), matches it as vfio-pci does (ENODEV, or EINVAL for
 * an option it refuses), then opens the device.
 */
#include <errno.h>
#include <string.h>

#include <linux/vfio.h>

#include "container.h"
#include "device.h"
#include "group.h"
#include "iommufd.h"
#include "ioas.h"
#include "machine.h"
#include "uaccess.h"
#include "util.h"
#include "vfio.h"
#include "vfio_pci.h"

#define EMU_VF_TOKEN_ARG "vf_token="
#define EMU_UUID_LEN 36

static bool emu_group_has_iommu(const struct emu_group *g)
{
	return g->container || g->ictx;
}

int emu_group_open(struct emu_dev *dev, struct emu_file *file)
{
	struct emu_group *g = &dev->group;

	if (g->cdev_binds || g->opened)
		return -EBUSY;
	g->opened = file;
	file->gdev = dev;
	return 0;
}

/* Drop whatever IOMMU the group was set to. */
static void emu_group_unset(struct emu_dev *dev)
{
	struct emu_group *g = &dev->group;

	if (g->container) {
		emu_container_detach_group(g->container, dev);
		g->container = NULL;
		g->container_users = 0;
	}
	if (g->ictx) {
		emu_ictx_put(g->ictx);
		g->ictx = NULL;
	}
}

void emu_group_release(struct emu_dev *dev)
{
	emu_group_unset(dev);
	dev->group.opened = NULL;
}

static int emu_group_get_status(struct emu *emu, struct emu_dev *dev,
				void *arg)
{
	const size_t minsz = emu_offsetofend(struct vfio_group_status, flags);
	struct vfio_group_status status;

	if (emu_copy_from_user(emu, &status, arg, minsz))
		return -EFAULT;
	if (status.argsz < minsz)
		return -EINVAL;
	/*
	 * Viable: nobody else owns the group's DMA. Only a cdev bind could,
	 * and that keeps this node closed.
	 */
	status.flags = VFIO_GROUP_FLAGS_VIABLE;
	if (emu_group_has_iommu(&dev->group))
		status.flags |= VFIO_GROUP_FLAGS_CONTAINER_SET;
	return emu_copy_to_user(emu, arg, &status, minsz);
}

static int emu_group_set_container(struct emu *emu, struct emu_dev *dev,
				   void *arg)
{
	struct emu_group *g = &dev->group;
	struct emu_file *file;
	int32_t fd;
	int rc;

	if (emu_copy_from_user(emu, &fd, arg, sizeof(fd)))
		return -EFAULT;
	file = emu_fd_get(emu, fd);
	if (!file)
		return -EBADF;
	if (emu_group_has_iommu(g))
		return -EINVAL;
	switch (file->kind) {
	case EMU_FILE_CONTAINER:
		rc = emu_container_attach_group(file->container, dev);
		if (rc)
			return rc;
		g->container = file->container;
		g->container_users = 1;
		return 0;
	case EMU_FILE_IOMMUFD:
		rc = emu_ictx_compat_ioas_create(file->ictx);
		if (rc)
			return rc;
		emu_ictx_get(file->ictx);
		g->ictx = file->ictx;
		return 0;
	default:
		return -EBADFD;
	}
}

static int emu_group_unset_container(struct emu_dev *dev)
{
	struct emu_group *g = &dev->group;

	if (!emu_group_has_iommu(g))
		return -EINVAL;
	if (g->container && g->container_users != 1)
		return -EBUSY;
	emu_group_unset(dev);
	return 0;
}

/*
 * strndup_user(@uname, PAGE_SIZE) into @buf (PAGE_SIZE bytes): -EFAULT
 * for an unreadable byte before the terminating NUL, -EINVAL when there
 * is no NUL within a page.
 */
static int emu_group_name(struct emu *emu, const char *uname, char *buf)
{
	size_t i;

	for (i = 0; i < EMU_PAGE_SIZE; i++) {
		if (emu_copy_from_user(emu, &buf[i],
				       (const char *)((uintptr_t)uname + i), 1))
			return -EFAULT;
		if (!buf[i])
			return 0;
	}
	return -EINVAL;
}

/* uuid_parse's shape: 8-4-4-4-12 hex digits. */
static bool emu_group_uuid_valid(const char *s)
{
	static const unsigned int dashes[] = { 8, 13, 18, 23 };
	unsigned int i, d = 0;

	for (i = 0; i < EMU_UUID_LEN; i++) {
		if (d < EMU_ARRAY_SIZE(dashes) && i == dashes[d]) {
			if (s[i] != '-')
				return false;
			d++;
		} else if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i]) {
			return false;
		}
	}
	return true;
}

/*
 * vfio-pci's match: the device's name, then only spaces and at most one
 * "vf_token=UUID". 1 match, 0 no match, -EINVAL refused (a bad option;
 * a token, since the device is neither a PF nor a VF).
 */
static int emu_group_match(const struct emu_dev *dev, const char *name)
{
	size_t len = strlen(dev->bdf);
	const char *p = name + len;
	bool token = false;

	if (strncmp(dev->bdf, name, len))
		return 0;
	if (*p && *p != ' ')
		return 0;
	while (*p) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (token || strncmp(p, EMU_VF_TOKEN_ARG,
				     strlen(EMU_VF_TOKEN_ARG)))
			return -EINVAL;
		p += strlen(EMU_VF_TOKEN_ARG);
		if (strlen(p) < EMU_UUID_LEN || !emu_group_uuid_valid(p))
			return -EINVAL;
		token = true;
		p += EMU_UUID_LEN;
	}
	return token ? -EINVAL : 1;
}

/*
 * The device's first open through the group: bind it to the group's
 * iommufd and attach it to the compat IOAS, or use the container, whose
 * IOMMU must be set.
 */
static int emu_group_first_open(struct emu_dev *dev)
{
	struct emu_group *g = &dev->group;
	struct emu_idev *idev;
	uint32_t hwpt;
	int rc;

	if (!g->ictx) {
		if (!g->container->iommu)
			return -EINVAL;
		g->container_users++;
		emu_file_get(g->opened);
		return 0;
	}
	rc = emu_idev_bind(g->ictx, dev, &idev);
	if (rc)
		return rc;
	if (!g->ictx->vfio_ioas) {
		rc = -ENODEV;
		goto err_unbind;
	}
	rc = emu_idev_attach(idev, g->ictx->vfio_ioas->obj.id, &hwpt);
	if (rc)
		goto err_unbind;
	g->idev = idev;
	return 0;

err_unbind:
	emu_idev_unbind(idev);
	return rc;
}

/* Undo emu_group_first_open. */
static void emu_group_last_close(struct emu *emu, struct emu_dev *dev)
{
	struct emu_group *g = &dev->group;

	if (g->idev) {
		emu_idev_unbind(g->idev);
		g->idev = NULL;
		return;
	}
	/* The group file the device's use held since its first open. */
	g->container_users--;
	emu_file_put(emu, g->opened);
}

void emu_group_device_close(struct emu_vfio_file *vf)
{
	struct emu_dev *dev = vf->dev;

	if (--dev->open_count)
		return;
	emu_vpci_close(vf->emu, dev);
	emu_group_last_close(vf->emu, dev);
}

static int emu_group_get_device_fd(struct emu *emu, struct emu_dev *dev,
				   void *arg)
{
	struct emu_file *file;
	char *name;
	int rc, fd;

	name = emu_heap_zalloc(emu->heap, EMU_PAGE_SIZE);
	if (!name)
		return -ENOMEM;
	rc = emu_group_name(emu, arg, name);
	if (!rc)
		rc = emu_group_match(dev, name);
	emu_heap_free(emu->heap, name);
	if (rc <= 0)
		return rc ? rc : -ENODEV;

	if (!emu_group_has_iommu(&dev->group))
		return -EINVAL;
	file = emu_file_alloc(emu, EMU_FILE_VFIO);
	if (!file)
		return -ENOMEM;
	rc = emu_vfio_open(emu, dev, &file->vfio);
	if (rc)
		goto err_free_file;
	if (!dev->open_count) {
		rc = emu_group_first_open(dev);
		if (rc)
			goto err_release_vfio;
		rc = emu_vpci_open(emu, dev);
		if (rc) {
			emu_group_last_close(emu, dev);
			goto err_release_vfio;
		}
	}
	dev->open_count++;
	file->vfio->group_path = true;
	file->vfio->access = true;
	fd = emu_fd_install(emu, file);
	if (fd < 0)
		emu_file_put(emu, file);
	return fd;

err_release_vfio:
	emu_vfio_release(file->vfio);
err_free_file:
	emu_file_free(emu, file);
	return rc;
}

int emu_group_ioctl(struct emu *emu, struct emu_dev *dev, unsigned int cmd,
		    void *arg)
{
	switch (cmd) {
	case VFIO_GROUP_GET_DEVICE_FD:
		return emu_group_get_device_fd(emu, dev, arg);
	case VFIO_GROUP_GET_STATUS:
		return emu_group_get_status(emu, dev, arg);
	case VFIO_GROUP_SET_CONTAINER:
		return emu_group_set_container(emu, dev, arg);
	case VFIO_GROUP_UNSET_CONTAINER:
		return emu_group_unset_container(dev);
	default:
		return -ENOTTY;
	}
}
