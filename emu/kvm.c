// SPDX-License-Identifier: MIT
/*
 * The KVM model (kvm.h). Answers follow virt/kvm/kvm_main.c and
 * virt/kvm/vfio.c on x86: /dev/kvm ioctls it does not know are EINVAL (the
 * arch default), VM ioctls ENOTTY, device ioctls other than the attribute
 * ones ENOTTY; kvm-vfio has no get_attr (EPERM); an unknown attribute
 * group or attribute is ENXIO. Only KVM_DEV_TYPE_VFIO is registered, so
 * every other device type is ENODEV.
 */
#include <errno.h>

#include <linux/kvm.h>

#include "kvm.h"
#include "machine.h"
#include "uaccess.h"

#define EMU_KVM_API_VERSION 12

static int emu_kvm_create_vm(struct emu *emu, unsigned long type)
{
	struct emu_kvm_vm *vm;
	struct emu_file *file;
	int fd;

	/* KVM_X86_DEFAULT_VM only: no protected VM types are modelled. */
	if (type != 0)
		return -EINVAL;
	vm = emu_heap_zalloc(emu->heap, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	file = emu_file_alloc(emu, EMU_FILE_KVM_VM);
	if (!file)
		goto err_free_vm;
	vm->emu = emu;
	vm->refs = 1;
	file->vm = vm;
	fd = emu_fd_install(emu, file);
	if (fd < 0) {
		emu_file_free(emu, file);
		emu_heap_free(emu->heap, vm);
		return fd;
	}
	emu->nr_vms++;
	return fd;

err_free_vm:
	emu_heap_free(emu->heap, vm);
	return -ENOMEM;
}

int emu_kvm_ioctl(struct emu *emu, unsigned int cmd, void *arg)
{
	switch (cmd) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : EMU_KVM_API_VERSION;
	case KVM_CREATE_VM:
		return emu_kvm_create_vm(emu, (unsigned long)arg);
	case KVM_CHECK_EXTENSION:
		return (unsigned long)arg == KVM_CAP_DEVICE_CTRL ? 1 : 0;
	default:
		return -EINVAL;
	}
}

void emu_kvm_vm_put(struct emu_kvm_vm *vm)
{
	if (--vm->refs)
		return;
	vm->emu->nr_vms--;
	emu_heap_free(vm->emu->heap, vm);
}

static int emu_kvm_create_device(struct emu_kvm_vm *vm, void *arg)
{
	struct emu *emu = vm->emu;
	struct kvm_create_device cd;
	struct emu_kvm_dev *kdev;
	struct emu_file *file;
	int fd;

	if (emu_copy_from_user(emu, &cd, arg, sizeof(cd)))
		return -EFAULT;
	if (cd.type != KVM_DEV_TYPE_VFIO)
		return -ENODEV;
	if (cd.flags & KVM_CREATE_DEVICE_TEST)
		return 0;
	/* Only one kvm-vfio device per VM. */
	if (vm->vfio_dev)
		return -EBUSY;
	kdev = emu_heap_zalloc(emu->heap, sizeof(*kdev));
	if (!kdev)
		return -ENOMEM;
	file = emu_file_alloc(emu, EMU_FILE_KVM_DEV);
	if (!file) {
		emu_heap_free(emu->heap, kdev);
		return -ENOMEM;
	}
	kdev->emu = emu;
	kdev->vm = vm;
	file->kdev = kdev;
	fd = emu_fd_install(emu, file);
	if (fd < 0) {
		emu_file_free(emu, file);
		emu_heap_free(emu->heap, kdev);
		return fd;
	}
	vm->refs++;
	vm->vfio_dev = kdev;
	emu->nr_kvm_devs++;
	cd.fd = (uint32_t)fd;
	/* As KVM: the device and its fd stay even if this write fails. */
	if (emu_copy_to_user(emu, arg, &cd, sizeof(cd)))
		return -EFAULT;
	return 0;
}

int emu_kvm_vm_ioctl(struct emu_kvm_vm *vm, unsigned int cmd, void *arg)
{
	switch (cmd) {
	case KVM_CREATE_DEVICE:
		return emu_kvm_create_device(vm, arg);
	case KVM_CHECK_EXTENSION:
		return (unsigned long)arg == KVM_CAP_DEVICE_CTRL ? 1 : 0;
	default:
		return -ENOTTY;
	}
}

static int emu_kvm_dev_find(const struct emu_kvm_dev *kdev,
			    const struct emu_file *file)
{
	unsigned int i;

	for (i = 0; i < kdev->nr_files; i++) {
		if (kdev->files[i] == file)
			return (int)i;
	}
	return -1;
}

static int emu_kvm_vfio_file_add(struct emu_kvm_dev *kdev, int fd)
{
	struct emu *emu = kdev->emu;
	struct emu_file *file = emu_fd_get(emu, fd);
	struct emu_file **nv;

	if (!file)
		return -EBADF;
	if (file->kind != EMU_FILE_VFIO)
		return -EINVAL;
	if (emu_kvm_dev_find(kdev, file) >= 0)
		return -EEXIST;
	nv = emu_heap_realloc(emu->heap, kdev->files,
			       (kdev->nr_files + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	kdev->files = nv;
	emu_file_get(file);
	kdev->files[kdev->nr_files++] = file;
	emu->nr_kvm_files++;
	return 0;
}

static int emu_kvm_vfio_file_del(struct emu_kvm_dev *kdev, int fd)
{
	struct emu *emu = kdev->emu;
	struct emu_file *file = emu_fd_get(emu, fd);
	int i;

	if (!file)
		return -EBADF;
	i = emu_kvm_dev_find(kdev, file);
	if (i < 0)
		return -ENOENT;
	kdev->files[i] = kdev->files[--kdev->nr_files];
	emu->nr_kvm_files--;
	emu_file_put(emu, file);
	return 0;
}

static int emu_kvm_dev_set_attr(struct emu_kvm_dev *kdev,
				const struct kvm_device_attr *attr)
{
	int32_t fd;

	if (attr->group != KVM_DEV_VFIO_FILE)
		return -ENXIO;
	switch (attr->attr) {
	case KVM_DEV_VFIO_FILE_ADD:
	case KVM_DEV_VFIO_FILE_DEL:
		break;
	default:
		return -ENXIO;
	}
	if (emu_copy_from_user(kdev->emu, &fd,
			       emu_u64_to_user_ptr(attr->addr), sizeof(fd)))
		return -EFAULT;
	if (attr->attr == KVM_DEV_VFIO_FILE_ADD)
		return emu_kvm_vfio_file_add(kdev, fd);
	return emu_kvm_vfio_file_del(kdev, fd);
}

int emu_kvm_dev_ioctl(struct emu_kvm_dev *kdev, unsigned int cmd, void *arg)
{
	struct kvm_device_attr attr;

	switch (cmd) {
	case KVM_SET_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_HAS_DEVICE_ATTR:
		break;
	default:
		return -ENOTTY;
	}
	if (emu_copy_from_user(kdev->emu, &attr, arg, sizeof(attr)))
		return -EFAULT;
	switch (cmd) {
	case KVM_SET_DEVICE_ATTR:
		return emu_kvm_dev_set_attr(kdev, &attr);
	case KVM_GET_DEVICE_ATTR:
		return -EPERM;
	default:
		if (attr.group == KVM_DEV_VFIO_FILE &&
		    (attr.attr == KVM_DEV_VFIO_FILE_ADD ||
		     attr.attr == KVM_DEV_VFIO_FILE_DEL))
			return 0;
		return -ENXIO;
	}
}

void emu_kvm_dev_release(struct emu_kvm_dev *kdev)
{
	struct emu *emu = kdev->emu;

	while (kdev->nr_files) {
		struct emu_file *file = kdev->files[--kdev->nr_files];

		emu->nr_kvm_files--;
		emu_file_put(emu, file);
	}
	emu_heap_free(emu->heap, kdev->files);
	kdev->vm->vfio_dev = NULL;
	emu_kvm_vm_put(kdev->vm);
	emu->nr_kvm_devs--;
	emu_heap_free(emu->heap, kdev);
}
