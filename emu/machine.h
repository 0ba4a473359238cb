/* SPDX-License-Identifier: MIT */
/*
 * The machine: what one struct emu holds and how its parts reach each
 * other. The fd table maps fds (from 3, lowest free first, like the kernel)
 * to open files: an iommufd context, a VFIO device cdev, /dev/kvm, a KVM
 * VM or a kvm-vfio device. The device list is append-only: device N keeps
 * index N for the machine's life, which is its cdev minor.
 *
 * Files are reference counted like the kernel's struct file: the fd table
 * holds one reference per fd, and a kvm-vfio device holds one on every
 * VFIO file registered with it, so a device fd closed while registered
 * stays open (and bound) until the registration goes.
 *
 * The counters are kept up to date by the modules that create and destroy
 * what they count, so emu_counters_get is exact at any time.
 */
#ifndef EMU_MACHINE_H
#define EMU_MACHINE_H

#include <stdint.h>
#include <sys/types.h>

#include <emu/emu.h>

#include "dma.h"
#include "group.h"
#include "heap.h"
#include "iommu.h"
#include "klog.h"

#define EMU_FD_FIRST 3
#define EMU_FD_MAX 1024		/* like RLIMIT_NOFILE's usual soft limit */
#define EMU_BDF_MAX 32
#define EMU_CONFIG_SIZE 4096	/* PCIe extended config space */
/* A VFIO region's offset in the cdev: index << 40 (vfio_pci_core.h). */
#define EMU_VFIO_OFFSET_SHIFT 40
#define EMU_VFIO_OFFSET_MASK ((1ULL << EMU_VFIO_OFFSET_SHIFT) - 1)

struct emu_container;
struct emu_ictx;
struct emu_vfio_file;
struct emu_vpci;
struct emu_bar_store;
struct emu_kvm_vm;
struct emu_kvm_dev;
struct emu_fault_queue;
struct emu_fail_nth;
struct emu_hugetlb_range;
struct emu_mock_access;

#define EMU_CDEV_NAME_MAX	16	/* "vfio" and an unsigned int */

struct emu_dev {
	const struct emu_profile *profile;
	struct emu_iommu iommu;		/* resolved at emu_device_add */
	enum emu_sysfs_variant variant;
	unsigned int index;		/* N of vfioN, the cdev minor */
	char bdf[EMU_BDF_MAX];
	/* "vfioN", named at emu_device_add: path lookups compare, never print. */
	char cdev[EMU_CDEV_NAME_MAX];
	/* The cdev file bound to an iommufd, or NULL: one bind at a time. */
	struct emu_vfio_file *bound;
	/* Opens of the device: a cdev bind, or each group-path device fd. */
	unsigned int open_count;
	struct emu_group group;
	/*
	 * vfio-pci's state while the device is open (vfio_pci.h): made at
	 * the first BIND, gone when the bound file is released.
	 */
	struct emu_vpci *vpci;
	/* The BARs' bytes, made on first access, kept for the machine. */
	struct emu_bar_store *store;
	/* log2 of the MSI vectors last enabled (vfio-pci keeps it). */
	unsigned int msi_qmax;
	/*
	 * The device model's state (devmodel.h), in its power-on state from
	 * the first BAR access for the machine's life; NULL until then.
	 */
	void *model;
};

enum emu_file_kind {
	EMU_FILE_IOMMUFD,
	EMU_FILE_VFIO,
	EMU_FILE_KVM,			/* /dev/kvm */
	EMU_FILE_KVM_VM,
	EMU_FILE_KVM_DEV,		/* a kvm-vfio device */
	EMU_FILE_FAULT,			/* an iommufd fault queue */
	EMU_FILE_CONTAINER,		/* /dev/vfio/vfio, legacy container */
	EMU_FILE_GROUP,			/* /dev/vfio/GROUP */
	EMU_FILE_KMSG,			/* /dev/kmsg */
	EMU_FILE_FAIL_NTH,		/* /proc/self/task/<tid>/fail-nth */
	EMU_FILE_MOCK_ACCESS,		/* the selftest mock's access fd */
};

/* What an open file allows, from its open flags (the kernel's FMODE_*). */
#define EMU_FMODE_READ 1u
#define EMU_FMODE_WRITE 2u

struct emu_file {
	enum emu_file_kind kind;
	unsigned int refs;
	unsigned int fmode;		/* EMU_FMODE_* */
	uint64_t pos;			/* read/write position */
	bool container_node;		/* an iommufd from /dev/vfio/vfio */
	union {
		struct emu_ictx *ictx;		/* holds one context ref */
		struct emu_vfio_file *vfio;
		struct emu_kvm_vm *vm;
		struct emu_kvm_dev *kdev;
		struct emu_fault_queue *fq;
		struct emu_container *container;
		struct emu_dev *gdev;		/* the group's device */
		struct emu_kmsg_file kmsg;
		pid_t tid;			/* the fail-nth file's task */
		struct emu_mock_access *staccess;
	};
};

/* A region mmap: [start, end) holds a reference on @file (a VMA). */
struct emu_map {
	uint64_t start;
	uint64_t end;
	struct emu_file *file;
};

/* Who is calling: see emu_task_set. pid 0: the thread in the model. */
struct emu_task {
	pid_t pid;
	pid_t tid;
};

struct emu {
	struct emu_file **fds;		/* fds[fd - EMU_FD_FIRST] */
	unsigned int nr_fd_slots;
	unsigned int nr_open;
	unsigned int nr_files;
	struct emu_dev devs[EMU_MAX_DEVICES];
	unsigned int nr_devs;
	unsigned int nr_contexts;
	unsigned int nr_objects;
	uint64_t pinned_pages;
	uint64_t locked_user;		/* pages charged, per-user mode */
	uint64_t locked_mm;		/* pages charged, per-mm mode */
	unsigned int nr_vms;
	unsigned int nr_kvm_devs;
	unsigned int nr_kvm_files;
	unsigned int nr_eventfds;	/* held (eventfd.h) */
	struct emu_map *maps;		/* region mmaps (vfio_region.c) */
	unsigned int nr_maps;
	unsigned int cap_maps;
	unsigned int nr_fail_nth_files;
	struct emu_creds creds;
	enum emu_uaccess_mode uaccess;
	struct emu_mm_cache *mm_cache;	/* the user's, or NULL */
	struct emu_variant variant;
	struct emu_klog klog;
	struct emu_dma_fault dma_faults[EMU_DMA_FAULTS_MAX];
	size_t nr_dma_faults;		/* recorded since emu_dma_faults */
	struct emu_ictx *contexts;	/* every live context, newest first */
	struct emu_task task;
	struct emu_fail_nth *fail_nth;	/* per-task counters (failnth.h) */
	unsigned int nr_fail_nth;
	struct emu_hugetlb_range *hugetlb;	/* mapped huge pages */
	size_t nr_hugetlb;
	uint64_t hugetlb_total;		/* the pool, in huge pages */
	uint64_t hugetlb_used;
	/* The selftest mock's global state (emu/mock). */
	uint64_t mock_memory_limit;	/* SET_TEMP_MEMORY_LIMIT */
	unsigned int mock_next_dev;	/* ida of mock device names */
	/* Where objects come from (heap.h): NULL, libc; or the arena. */
	struct emu_heap *heap;
};

/* Install @file at the lowest free fd: the fd, -EMFILE or -ENOMEM. */
int emu_fd_install(struct emu *emu, struct emu_file *file);
/* The file open at @fd, or NULL. */
struct emu_file *emu_fd_get(const struct emu *emu, int fd);
/* Take @fd out of the table; its reference (or NULL) is the caller's. */
struct emu_file *emu_fd_remove(struct emu *emu, int fd);

/* A new file of @kind with one reference: NULL when out of memory. */
struct emu_file *emu_file_alloc(struct emu *emu, enum emu_file_kind kind);
void emu_file_get(struct emu_file *file);
/* Drop a reference; the last one releases what @file holds (fput). */
void emu_file_put(struct emu *emu, struct emu_file *file);
/* Free a file whose payload was never set up (open failed). */
void emu_file_free(struct emu *emu, struct emu_file *file);

#endif /* EMU_MACHINE_H */
