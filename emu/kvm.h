/* SPDX-License-Identifier: MIT */
/*
 * The KVM model: just enough of /dev/kvm for a VMM's VFIO side. /dev/kvm
 * creates VMs (KVM_CREATE_VM); a VM creates its one kvm-vfio device
 * (KVM_CREATE_DEVICE, KVM_DEV_TYPE_VFIO); the device takes VFIO files
 * (KVM_SET_DEVICE_ATTR, group KVM_DEV_VFIO_FILE, ADD / DEL).
 *
 * Lifetimes follow KVM: a VM lives while its fd or any device fd is open
 * (each device holds a VM reference); a kvm-vfio device lives until its fd
 * is closed (kvm-vfio has a .release), and holds a file reference on every
 * VFIO file registered with it, so a registered device stays open and
 * bound after the user closed its fd, until DEL or the device goes.
 */
#ifndef EMU_KVM_H
#define EMU_KVM_H

struct emu;
struct emu_file;

struct emu_kvm_vm {
	struct emu *emu;
	unsigned int refs;
	struct emu_kvm_dev *vfio_dev;	/* the VM's kvm-vfio device */
};

struct emu_kvm_dev {
	struct emu *emu;
	struct emu_kvm_vm *vm;		/* holds one VM reference */
	struct emu_file **files;	/* registered VFIO files, each held */
	unsigned int nr_files;
};

int emu_kvm_ioctl(struct emu *emu, unsigned int cmd, void *arg);
int emu_kvm_vm_ioctl(struct emu_kvm_vm *vm, unsigned int cmd, void *arg);
int emu_kvm_dev_ioctl(struct emu_kvm_dev *kdev, unsigned int cmd,
		      void *arg);
/* Final release of a VM fd's file / a device fd's file. */
void emu_kvm_vm_put(struct emu_kvm_vm *vm);
void emu_kvm_dev_release(struct emu_kvm_dev *kdev);

#endif /* EMU_KVM_H */
