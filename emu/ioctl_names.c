// SPDX-License-Identifier: MIT
/*
 * The ioctl name table (ioctl_names.h). One entry per request, generated
 * from the macro itself so that a name can never drift from its number.
 *
 * VFIO numbers its ioctls per kind of fd, and two device ioctls share
 * their numbers with container ones: VFIO_DEVICE_GET_PCI_HOT_RESET_INFO
 * is VFIO_IOMMU_GET_INFO and VFIO_DEVICE_PCI_HOT_RESET is
 * VFIO_IOMMU_MAP_DMA. A request alone names one of each pair, so the table
 * keeps the container's, and the device's two have no entry.
 */
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include <emu/ioctl_names.h>

#define EMU_IOCTL_SIZED(req, type) { req, #req, sizeof(type) }
#define EMU_IOCTL_PLAIN(req) { req, #req, 0 }

static const struct emu_ioctl_desc emu_ioctls[] = {
	EMU_IOCTL_SIZED(IOMMU_DESTROY, struct iommu_destroy),
	EMU_IOCTL_SIZED(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc),
	EMU_IOCTL_SIZED(IOMMU_IOAS_ALLOW_IOVAS, struct iommu_ioas_allow_iovas),
	EMU_IOCTL_SIZED(IOMMU_IOAS_COPY, struct iommu_ioas_copy),
	EMU_IOCTL_SIZED(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges),
	EMU_IOCTL_SIZED(IOMMU_IOAS_MAP, struct iommu_ioas_map),
	EMU_IOCTL_SIZED(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap),
	EMU_IOCTL_SIZED(IOMMU_OPTION, struct iommu_option),
	EMU_IOCTL_SIZED(IOMMU_VFIO_IOAS, struct iommu_vfio_ioas),
	EMU_IOCTL_SIZED(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc),
	EMU_IOCTL_SIZED(IOMMU_GET_HW_INFO, struct iommu_hw_info),
	EMU_IOCTL_SIZED(IOMMU_HWPT_SET_DIRTY_TRACKING,
			struct iommu_hwpt_set_dirty_tracking),
	EMU_IOCTL_SIZED(IOMMU_HWPT_GET_DIRTY_BITMAP,
			struct iommu_hwpt_get_dirty_bitmap),
	EMU_IOCTL_SIZED(IOMMU_HWPT_INVALIDATE, struct iommu_hwpt_invalidate),
	EMU_IOCTL_SIZED(IOMMU_FAULT_QUEUE_ALLOC, struct iommu_fault_alloc),
	EMU_IOCTL_SIZED(VFIO_DEVICE_BIND_IOMMUFD,
			struct vfio_device_bind_iommufd),
	EMU_IOCTL_SIZED(VFIO_DEVICE_ATTACH_IOMMUFD_PT,
			struct vfio_device_attach_iommufd_pt),
	EMU_IOCTL_SIZED(VFIO_DEVICE_DETACH_IOMMUFD_PT,
			struct vfio_device_detach_iommufd_pt),
	EMU_IOCTL_SIZED(VFIO_DEVICE_GET_INFO, struct vfio_device_info),
	EMU_IOCTL_SIZED(VFIO_DEVICE_GET_REGION_INFO, struct vfio_region_info),
	EMU_IOCTL_SIZED(VFIO_DEVICE_GET_IRQ_INFO, struct vfio_irq_info),
	EMU_IOCTL_SIZED(VFIO_DEVICE_SET_IRQS, struct vfio_irq_set),
	EMU_IOCTL_PLAIN(VFIO_DEVICE_RESET),
	EMU_IOCTL_SIZED(VFIO_DEVICE_IOEVENTFD, struct vfio_device_ioeventfd),
	EMU_IOCTL_SIZED(VFIO_DEVICE_FEATURE, struct vfio_device_feature),
	EMU_IOCTL_PLAIN(VFIO_GET_API_VERSION),
	EMU_IOCTL_PLAIN(VFIO_CHECK_EXTENSION),
	EMU_IOCTL_PLAIN(VFIO_SET_IOMMU),
	EMU_IOCTL_SIZED(VFIO_GROUP_GET_STATUS, struct vfio_group_status),
	EMU_IOCTL_PLAIN(VFIO_GROUP_SET_CONTAINER),
	EMU_IOCTL_PLAIN(VFIO_GROUP_UNSET_CONTAINER),
	EMU_IOCTL_PLAIN(VFIO_GROUP_GET_DEVICE_FD),
	EMU_IOCTL_SIZED(VFIO_IOMMU_GET_INFO, struct vfio_iommu_type1_info),
	EMU_IOCTL_SIZED(VFIO_IOMMU_MAP_DMA, struct vfio_iommu_type1_dma_map),
	EMU_IOCTL_SIZED(VFIO_IOMMU_UNMAP_DMA,
			struct vfio_iommu_type1_dma_unmap),
	EMU_IOCTL_PLAIN(KVM_GET_API_VERSION),
	EMU_IOCTL_PLAIN(KVM_CREATE_VM),
	EMU_IOCTL_PLAIN(KVM_CREATE_DEVICE),
	EMU_IOCTL_PLAIN(KVM_SET_DEVICE_ATTR),
	EMU_IOCTL_PLAIN(KVM_GET_DEVICE_ATTR),
	EMU_IOCTL_PLAIN(KVM_HAS_DEVICE_ATTR),
};

#define EMU_IOCTL_COUNT (sizeof(emu_ioctls) / sizeof(emu_ioctls[0]))

const struct emu_ioctl_desc *emu_ioctl_find(unsigned long request)
{
	size_t i;

	for (i = 0; i < EMU_IOCTL_COUNT; i++)
		if (emu_ioctls[i].request == request)
			return &emu_ioctls[i];
	return NULL;
}

const char *emu_ioctl_name(unsigned long request)
{
	const struct emu_ioctl_desc *d = emu_ioctl_find(request);

	return d ? d->name : NULL;
}

const struct emu_ioctl_desc *emu_ioctl_find_name(const char *name)
{
	size_t i;

	for (i = 0; i < EMU_IOCTL_COUNT; i++)
		if (strcmp(emu_ioctls[i].name, name) == 0)
			return &emu_ioctls[i];
	return NULL;
}

size_t emu_ioctl_count(void)
{
	return EMU_IOCTL_COUNT;
}

const struct emu_ioctl_desc *emu_ioctl_get(size_t idx)
{
	return idx < EMU_IOCTL_COUNT ? &emu_ioctls[idx] : NULL;
}
