/* SPDX-License-Identifier: MIT */
/*
 * libiofd-emu: a userspace model of the kernel side of the host boundary.
 *
 * One struct emu is one "machine": an fd table of its own, the /dev/iommu
 * node (every open is a fresh iommufd context), emulated VFIO devices with
 * their cdev nodes and sysfs files, and counters that prove nothing leaked.
 * emu_host() gives a struct iofd_host whose calls are answered by the model,
 * in process, with no system call; behaviour follows
 * shared/spec/IOMMUFD-SEMANTICS.md (Linux 6.12) to the errno.
 *
 * Wrappers (emu_fault_*; the recorder) take any host, the emulator's or
 * the real one, and give back another host with something added; they are
 * host filters (emu/filter.h).
 *
 * Everything hangs off its struct: no globals, so two emulators can live side
 * by side and a fuzz input leaves nothing behind. Functions return 0 or a
 * negative errno unless documented otherwise.
 */
#ifndef EMU_EMU_H
#define EMU_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <emu/filter.h>
#include <iofd/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Device profiles                                                     */

struct emu_pci_desc;

#define EMU_MAX_RESV 4

struct emu_iova_range {
	uint64_t start;
	uint64_t last;		/* inclusive */
};

/*
 * One VFIO region of a profile: its size and VFIO_REGION_INFO_FLAG_*; for
 * a BAR, whether it is an I/O port BAR (else memory). A region of size 0
 * is absent (the VGA region of a non-VGA device: GET_REGION_INFO EINVAL).
 */
struct emu_region_desc {
	uint64_t size;
	uint32_t flags;
	bool io;
};

/*
 * What an emulated device and its IOMMU look like. The built-in profiles are
 * constant tables found by name with emu_profile_find().
 */
struct emu_profile {
	const char *name;		/* "e1000e", ... */
	uint16_t vendor;		/* PCI ids, for sysfs */
	uint16_t device;
	uint32_t info_flags;		/* VFIO_DEVICE_FLAGS_* */
	uint32_t num_regions;
	uint32_t num_irqs;
	/*
	 * Domain aperture is [aperture_start, aperture_last]; aperture_last
	 * 0 for a VT-d profile means the machine's (its emu_variant's
	 * aw-bits).
	 */
	uint64_t aperture_start;
	uint64_t aperture_last;
	uint64_t pgsize;		/* smallest IOMMU page size */
	unsigned int nr_resv;		/* device reserved regions (MSI ...) */
	struct emu_iova_range resv[EMU_MAX_RESV];
	/*
	 * IOMMU unit the device sits behind. A domain built for one unit
	 * can be shared by devices of another unit only when neither
	 * profile has no_share set; otherwise attaching to that domain
	 * fails with EINVAL, which is how "incompatible" reaches the core.
	 */
	unsigned int iommu_unit;
	bool no_share;
	/*
	 * The IOMMU tracks dirty pages. For a VT-d profile its extended
	 * capability register then has scalable mode with second-stage
	 * accessed/dirty bits, which QEMU's intel-iommu never offers.
	 */
	bool dirty_tracking;
	/*
	 * The IOMMU builds nesting parents (IOMMU_HWPT_ALLOC_NEST_PARENT).
	 * Not read for a VT-d profile: there the extended capability
	 * register decides, and QEMU's intel-iommu offers no nesting.
	 */
	bool nesting;
	/*
	 * GET_HW_INFO's out_data_type: IOMMU_HW_INFO_TYPE_INTEL_VTD, NONE,
	 * or the selftest mock's own.
	 */
	uint32_t hw_info_type;
	/* num_regions entries (VFIO_DEVICE_GET_REGION_INFO). */
	const struct emu_region_desc *regions;
	/*
	 * The PCI function behind the cdev (emu/pci_desc.h): config
	 * space, capabilities, hence the irq counts.
	 */
	const struct emu_pci_desc *pci;
	/* PCI class code (config offset 9, 3 bytes), e.g. 0x020000. */
	uint32_t class_code;
};

/* The profile called @name, or NULL. */
const struct emu_profile *emu_profile_find(const char *name);
/* Profiles by index (0 .. count-1), for harnesses that pick one by byte. */
size_t emu_profile_count(void);
const struct emu_profile *emu_profile_get(size_t idx);

/*
 * How the device's sysfs files look. Everything but EMU_SYSFS_OK is a broken
 * machine the core must refuse cleanly.
 */
enum emu_sysfs_variant {
	EMU_SYSFS_OK,
	EMU_SYSFS_NO_VFIO_DEV,	/* no vfio-dev/ directory */
	EMU_SYSFS_GARBAGE_DEV,	/* vfio-dev/vfioN/dev holds "xyz\n" */
	EMU_SYSFS_OVERFLOW_DEV,	/* ... holds "99999999999:0\n" */
	EMU_SYSFS_WRONG_DEVT,	/* /dev node's devt differs from dev */
	EMU_SYSFS_VARIANT_COUNT,
};

/* ------------------------------------------------------------------ */
/* Machine variants                                                    */

struct emu;

/*
 * What the machine is, as opposed to what one device is (its profile):
 * the QEMU machine's IOMMU and the kernel's build options, each of which
 * changes what the uAPI answers.
 *
 *  vtd_aw_bits  QEMU intel-iommu's aw-bits: 39 (QEMU before 9.2, and the
 *               VM check, which pins aw-bits=39) or 48 (QEMU 10's
 *               default). It sets the VT-d capability register (MGAW,
 *               SAGAW) and so the aperture of every domain of a VT-d
 *               profile.
 *  thp          CONFIG_TRANSPARENT_HUGEPAGE: automatic IOVA alignment is
 *               capped at 2 MiB with it and at 4 KiB without.
 *  container    which driver serves /dev/vfio/vfio: CONFIG_VFIO_CONTAINER
 *               (the legacy container with the type-1 IOMMU driver) or
 *               CONFIG_IOMMUFD_VFIO_CONTAINER (iommufd: every open is an
 *               iommufd context accounting pins per mm).
 *
 * The default is the VM check's machine: aw-bits 39, THP, the legacy
 * container (tools/vm/kernel.config, tools/vm/run.sh).
 */
enum emu_container_kind {
	EMU_CONTAINER_VFIO,
	EMU_CONTAINER_IOMMUFD,
};

struct emu_variant {
	unsigned int vtd_aw_bits;
	bool thp;
	enum emu_container_kind container;
};

/* The default variant. */
void emu_variant_default(struct emu_variant *out);

/*
 * Parse a comma-separated list of settings over the default:
 * "aw-bits=39|48", "thp=on|off", "container=vfio|iommufd"; the empty
 * string is the default. Returns 0, or -EINVAL with *@bad (if not NULL)
 * pointing at the first setting not understood in @text.
 */
int emu_variant_parse(const char *text, struct emu_variant *out,
		      const char **bad);

/*
 * Give @emu the variant @v. Only before anything depends on it: -EBUSY
 * once a device was added or a file opened; -EINVAL for a value outside
 * the ones above.
 */
int emu_variant_set(struct emu *emu, const struct emu_variant *v);
void emu_variant_get(const struct emu *emu, struct emu_variant *out);

/* ------------------------------------------------------------------ */
/* The emulator                                                        */

int emu_create(struct emu **out);

/*
 * Free the emulator and everything in it, open fds included (as a process
 * exit would). NULL is allowed.
 */
void emu_destroy(struct emu *emu);

/*
 * Make @emu what emu_create gives, keeping the struct (for a harness that
 * runs many inputs on one machine): everything goes as in emu_destroy,
 * open fds included, then devices, counters, credentials, the uaccess
 * mode and the memory-map cache are a new machine's.
 */
void emu_reset(struct emu *emu);

/*
 * The machine's whole state as one number: two machines in the same state
 * give the same digest, so emu_digest of a reset machine must equal a
 * fresh machine's. Stable within one process only (profiles and the
 * memory-map cache count by address).
 */
uint64_t emu_digest(const struct emu *emu);

/*
 * From now on, take every object of the machine from an arena of its own
 * instead of libc (the fd table, files, contexts and their objects, KVM
 * VMs and devices, containers and type-1 state, vfio-pci state, BAR
 * stores and device models, region mappings, the kernel log, fail-nth
 * counters, hugetlb ranges, and the scratch buffers of its calls), for a
 * harness that runs many inputs on one machine under ASan: blocks are
 * recycled by the machine without a malloc each, poisoned while free.
 * What is not the machine's stays libc's: the struct itself, an
 * emu_mm_cache, a fault plan. emu_reset keeps the arena; emu_digest
 * counts its blocks in use, so a reset that leaves one fails the digest
 * check. Only while no file is open and the machine keeps nothing past
 * its files (no fail-nth counter written, no huge page mapped, no kernel
 * log record, no BAR touched): 0 (also when already on), -EBUSY, -ENOMEM.
 */
int emu_arena_use(struct emu *emu);

/* A host whose calls the emulator answers. Valid while @emu lives. */
void emu_host(struct emu *emu, struct iofd_host *out);

/*
 * Add a device with @profile at PCI address @bdf ("0000:00:03.0") whose sysfs
 * looks like @variant. Its cdev is /dev/vfio/devices/vfioN with N the number
 * of devices added before it, char device 511:N; it is alone in IOMMU group
 * N + 1, whose legacy node is /dev/vfio/<N + 1>, char device 510:N. Writes
 * the sysfs directory (/sys/bus/pci/devices/<bdf>) into @path (@cap
 * bytes). Returns the device
 * index N, -EEXIST for a duplicate bdf, -ENOSPC past EMU_MAX_DEVICES,
 * -EINVAL for a NULL profile or a bad variant, -ENAMETOOLONG.
 */
#define EMU_MAX_DEVICES 16
#define EMU_VFIO_MAJOR 511
#define EMU_IOMMU_MAJOR 10
#define EMU_IOMMU_MINOR 257
#define EMU_KVM_MAJOR 10
#define EMU_KVM_MINOR 232
/* /dev/vfio/vfio is misc 10:196; the group nodes are char 510:*. */
#define EMU_VFIO_CONTAINER_MINOR 196
#define EMU_VFIO_GROUP_MAJOR 510
int emu_device_add(struct emu *emu, const struct emu_profile *profile,
		   const char *bdf, enum emu_sysfs_variant variant, char *path,
		   size_t cap);

/* ------------------------------------------------------------------ */
/* Counters and views (for invariant checks)                           */

struct emu_counters {
	unsigned int fds;		/* open fds of any kind */
	unsigned int contexts;		/* live iommufd contexts */
	unsigned int objects;		/* live objects, all contexts */
	uint64_t pinned_pages;		/* pages pinned, all contexts */
	uint64_t locked_pages;		/* RLIMIT_MEMLOCK charge, user + mm */
	unsigned int files;		/* open files, fds or not (a file a
					 * KVM device holds after its fd closed
					 * counts here) */
	unsigned int kvm_vms;		/* live KVM VMs */
	unsigned int kvm_devices;	/* live kvm-vfio devices */
	unsigned int kvm_vfio_files;	/* KVM_DEV_VFIO_FILE registrations */
	unsigned int eventfds;		/* eventfds held (irqs, ioeventfds,
					 * wakeups) */
	unsigned int mappings;		/* live region mmaps (VMAs) */
	unsigned int fail_nth_files;	/* open fail-nth files (in files) */
};

void emu_counters_get(const struct emu *emu, struct emu_counters *out);

typedef int (*emu_area_cb)(void *arg, uint64_t iova, uint64_t length,
			   uint64_t user_va, bool writeable);

/*
 * Call @cb for every area of IOAS @ioas_id in the context behind the
 * iommufd @fd, in ascending IOVA order. Returns 0, -EBADF (not an iommufd
 * fd), -ENOENT (no such IOAS), or the callback's non-zero value.
 */
int emu_ioas_for_each_area(const struct emu *emu, int fd, uint32_t ioas_id,
			   emu_area_cb cb, void *arg);

typedef int (*emu_object_cb)(void *arg, uint32_t id, const char *type);

/*
 * Call @cb for every live object of the context behind the iommufd @fd,
 * in ascending id order, with its type ("ioas", "hwpt", "device",
 * "fault"). Objects being built or torn down inside a call are not live.
 * Returns 0, -EBADF (not an iommufd fd), or the callback's non-zero value.
 */
int emu_ictx_for_each_object(const struct emu *emu, int fd, emu_object_cb cb,
			     void *arg);

/*
 * Where the device behind the cdev @fd stands: *devid its DEVICE object id
 * (0 when not bound), *hwpt_id the HWPT it is attached to and *ioas_id that
 * HWPT's IOAS (both 0 when not attached). Returns 0 or -EBADF (not a device
 * fd). Any out pointer may be NULL.
 */
int emu_device_state(const struct emu *emu, int fd, uint32_t *devid,
		     uint32_t *hwpt_id, uint32_t *ioas_id);

/*
 * Mark [iova, iova + length) dirty in HWPT @hwpt_id of the context behind
 * iommufd @iommufd, as a device's DMA write through that domain would.
 * Dirty state is kept per IOMMU page of the HWPT's profile and only while
 * dirty tracking is enabled (otherwise nothing is recorded and 0 is
 * returned, as hardware sets no dirty bit). Returns 0, -EBADF (not an
 * iommufd fd), -ENOENT (no such HWPT_PAGING), -EINVAL (length 0 or wraps),
 * -EFAULT (part of the range is not mapped: an IOMMU fault, nothing
 * marked).
 */
int emu_hwpt_dirty(struct emu *emu, int iommufd, uint32_t hwpt_id,
		   uint64_t iova, uint64_t length);

/*
 * Whether the VFIO file open at @vfio_fd is registered (KVM_DEV_VFIO_FILE_
 * ADD) with the kvm-vfio device open at @kvm_dev_fd: 1 yes, 0 no, -EBADF
 * when @kvm_dev_fd is not a kvm-vfio device fd or @vfio_fd is not open.
 */
int emu_kvm_vfio_has(const struct emu *emu, int kvm_dev_fd, int vfio_fd);

/* ------------------------------------------------------------------ */
/* Device DMA through the IOMMU                                        */

/*
 * What the VT-d hardware reports for a refused access (the fault reason
 * code of its fault record, as Linux prints it).
 */
enum emu_dma_fault_reason {
	EMU_DMA_FAULT_NO_CONTEXT = 0x2,	/* in no domain (blocked) */
	EMU_DMA_FAULT_BEYOND = 0x4,	/* above the domain's address width */
	EMU_DMA_FAULT_WRITE = 0x5,	/* no write permission (or unmapped) */
	EMU_DMA_FAULT_READ = 0x6,	/* no read permission (or unmapped) */
};

struct emu_dma_fault {
	unsigned int dev;		/* the device's index */
	uint64_t iova;			/* the page refused (page aligned) */
	bool write;
	enum emu_dma_fault_reason reason;
};

/*
 * The device with index @dev (emu_device_add's result) accesses @len bytes
 * at @iova: reads them into @buf, or writes them from @buf, through the
 * IOMMU translation it has now: the domain its cdev is attached to, or
 * the compat IOAS its group's iommufd attached it to, or the type-1
 * mappings of its group's legacy container. Translation is per IOMMU page
 * and stops at the first page refused. *@done (may be NULL) gets the bytes
 * moved. Returns
 *   0        every byte moved;
 *   -EPERM   the device is not open (vfio-pci clears bus mastering at its
 *            last close) or bus mastering is off in its command register:
 *            nothing reaches the IOMMU, nothing moves, no fault;
 *   -EFAULT  the IOMMU refused a page: nothing of that page moved and a
 *            fault was recorded (emu_dma_faults). A cdev bound but not
 *            attached is blocked (NO_CONTEXT); an IOVA past the domain's
 *            aperture is BEYOND; an unmapped page, or one mapped without
 *            the permission, is READ or WRITE;
 *   -EINVAL  no such device, or a range that wraps.
 * The memory behind a mapping is the mapped user memory of this process,
 * so a write is seen by the program that mapped it.
 */
int emu_dma(struct emu *emu, unsigned int dev, uint64_t iova, void *buf,
	    size_t len, bool write, size_t *done);

/*
 * Copy up to @max of the DMA faults recorded since the last call (oldest
 * first) into @out and forget every one of them; returns how many were
 * kept. The machine keeps the last 64; older ones are lost, as the
 * hardware's fault records overflow. They are also what the emulated
 * /dev/kmsg reports, in the VT-d driver's words.
 */
size_t emu_dma_faults(struct emu *emu, struct emu_dma_fault *out,
		      size_t max);

/* ------------------------------------------------------------------ */
/* Credentials of the emulated caller                                  */

/*
 * What the kernel would look at in the calling task: CAP_IPC_LOCK (no
 * locked-memory accounting at all), CAP_SYS_RESOURCE (IOMMU_OPTION
 * RLIMIT_MODE SET) and RLIMIT_MEMLOCK in bytes (UINT64_MAX: unlimited).
 * Defaults: CAP_SYS_RESOURCE, no CAP_IPC_LOCK, unlimited, so pins are
 * charged but never refused until a test lowers the limit. A change
 * applies to pages objects created afterwards (the mode is fixed at MAP
 * time) and to charges taken afterwards (the limit).
 */
struct emu_creds {
	bool cap_ipc_lock;
	bool cap_sys_resource;
	uint64_t memlock_limit;
};

void emu_creds_get(const struct emu *emu, struct emu_creds *out);
void emu_creds_set(struct emu *emu, const struct emu_creds *creds);

/* ------------------------------------------------------------------ */
/* File I/O (used by the preload shim)                                 */

/*
 * read/write/pread/pwrite on an emulated fd, with the kernel's answers
 * (pread and pwrite are also the host table's entries of the same name):
 * a VFIO cdev before BIND gives -EINVAL; after it, the offset selects the
 * region (index << 40, VFIO_PCI_OFFSET_SHIFT) and the config region reads
 * and writes the device's virtual config space. /dev/iommu, /dev/kvm and
 * KVM fds have no read or write: -EINVAL. Returns the byte count or
 * -errno; read/write use and advance the file position.
 */
ssize_t emu_pread(struct emu *emu, int fd, void *buf, size_t count,
		  uint64_t offset);
ssize_t emu_pwrite(struct emu *emu, int fd, const void *buf, size_t count,
		   uint64_t offset);
ssize_t emu_read(struct emu *emu, int fd, void *buf, size_t count);
ssize_t emu_write(struct emu *emu, int fd, const void *buf, size_t count);

/*
 * How the model reads and writes callers' memory (ioctl structs, arrays,
 * bitmaps). STRICT (default): like the kernel's user copies, an unmapped
 * or (for writes) read-only byte gives -EFAULT; it costs a system call
 * per copy. TRUSTED: only NULL and the zero page give -EFAULT; for
 * benchmarks of the model itself.
 */
enum emu_uaccess_mode {
	EMU_UACCESS_STRICT,
	EMU_UACCESS_TRUSTED,
};

void emu_uaccess_set(struct emu *emu, enum emu_uaccess_mode mode);

/*
 * Pinning checks read the process's memory map (/proc/self/maps) once per
 * MAP or attach by default, so every change of the process's mappings is
 * seen at once. A memory-map cache keeps one snapshot across operations
 * and machines, read again only when it does not show a range as
 * pinnable: an EFAULT is still confirmed on a fresh read, but a range
 * unmapped or made read-only since the last read can still pin. For a
 * program that never unmaps or write-protects memory it hands the model
 * (a fuzz harness with a fixed arena, one machine per input) this saves a
 * system call and a parse of the whole map per MAP. The cache is the
 * caller's object, like the machines it serves: not thread-safe, used by
 * one machine at a time, destroyed after the last machine using it.
 */
struct emu_mm_cache;

int emu_mm_cache_create(struct emu_mm_cache **out);
void emu_mm_cache_destroy(struct emu_mm_cache *cache);
/* Pinning checks of @emu go through @cache (NULL: a fresh read each). */
void emu_mm_cache_use(struct emu *emu, struct emu_mm_cache *cache);

/*
 * mmap of a VFIO region at @off (index << 40 | offset into it) of the
 * emulated @fd, checked as mmap(2) and vfio-pci 6.12 check it (see
 * emu/vfio_region.c); *out gets the address. The memory is the BAR's:
 * what pread/pwrite of the region see. Each mapping holds the device
 * file open until it is unmapped (emu_munmap), or forgotten because
 * something else was mapped over it (emu_mappings_forget). Returns 0 or
 * -errno.
 */
int emu_mmap(struct emu *emu, int fd, void *addr, size_t len, int prot,
	     int flags, uint64_t off, void **out);
/* munmap(2) of any memory, region mappings among it: 0 or -errno. */
int emu_munmap(struct emu *emu, void *addr, size_t len);
/* [addr, addr + len) is no longer a region mapping (a MAP_FIXED over it). */
void emu_mappings_forget(struct emu *emu, void *addr, size_t len);

/*
 * The emulated namespace beyond the host table (for the preload shim,
 * which materialises it): the subtrees that stand in for the real ones
 * (/dev/vfio, /sys/bus/pci/devices, ...), one @cb call each (returns 0
 * or the callback's non-zero value); readlink(2) and lstat(2) of a path
 * (the sysfs links iommu_group, driver, subsystem and the device links):
 * the length or 0 / -errno.
 */
int emu_served_roots(struct emu *emu, iofd_dir_cb cb, void *arg);
int emu_readlink(struct emu *emu, const char *path, char *buf, size_t cap);
int emu_lstat(struct emu *emu, const char *path, struct stat *st);

/*
 * A second emulated fd for the file open at @fd (dup(2)): the new fd or
 * -EBADF, -EMFILE, -ENOMEM.
 */
int emu_dup(struct emu *emu, int fd);

/*
 * The machine's hugetlb pool, for a shim that serves MAP_HUGETLB (the
 * kernel's reserved huge pages of 2 MiB; none by default).
 * emu_hugetlb_pool_set sets its size in pages. emu_hugetlb_map takes the
 * pages [va, va + len) needs (len rounded up to whole huge pages; va must
 * be 2 MiB aligned: -EINVAL) for process @pid, -ENOMEM when the pool is
 * short, and records the range as huge pages: physically contiguous within
 * each page and compound, which the selftest mock's huge IOMMU pages and
 * page-reference checks see. emu_hugetlb_unmap gives back the huge pages
 * that [va, va + len) touches; emu_hugetlb_forget all of @pid's (exit).
 */
void emu_hugetlb_pool_set(struct emu *emu, unsigned int pages);
int emu_hugetlb_map(struct emu *emu, pid_t pid, uint64_t va, uint64_t len);
void emu_hugetlb_unmap(struct emu *emu, pid_t pid, uint64_t va, uint64_t len);
void emu_hugetlb_forget(struct emu *emu, pid_t pid);
/* Whether [va, va + len) of @pid touches huge pages of the pool. */
bool emu_hugetlb_mapped(const struct emu *emu, pid_t pid, uint64_t va,
			uint64_t len);

/*
 * Who the next calls come from, for a server that answers several
 * processes (the preload shim after a fork): process @pid, thread @tid.
 * User memory is then read and written in that process, its memory map
 * is what pins check, and fail-nth counts for that thread. @pid 0: the
 * thread that calls (the default).
 */
void emu_task_set(struct emu *emu, pid_t pid, pid_t tid);

/*
 * For a server that gives a forked child fds of its own, as fork gives
 * the child references to the parent's files. emu_fd_ref takes a
 * reference on the file open at @fd: an opaque handle, NULL when @fd is
 * not open; it allocates nothing, so it may run in a fork handler.
 * emu_fd_install_ref installs the file at a new fd, which takes over the
 * reference: the fd, or -EMFILE / -ENOMEM (the reference is dropped).
 * emu_file_unref drops a reference that was not installed.
 */
struct emu_file;
struct emu_file *emu_fd_ref(struct emu *emu, int fd);
int emu_fd_install_ref(struct emu *emu, struct emu_file *file);
void emu_file_unref(struct emu *emu, struct emu_file *file);

/* Whether @fd is an open emulated fd. */
bool emu_fd_is_open(const struct emu *emu, int fd);

/* ------------------------------------------------------------------ */
/* Fault plan: a host wrapper that fails chosen calls                  */

struct emu_fault;

/*
 * Wrap @lower (copied; its priv must outlive the plan). Calls are numbered
 * from 1 in the order they reach the wrapper, every entry of the host table
 * counts. Returns 0 or -ENOMEM.
 */
int emu_fault_create(const struct iofd_host *lower, struct emu_fault **out);
void emu_fault_destroy(struct emu_fault *f);

/* The wrapping host. Valid while @f lives. */
void emu_fault_host(struct emu_fault *f, struct iofd_host *out);

/*
 * Fail call number @nth (counted from now on: the counter restarts at 0)
 * with -@errnum, before the lower host runs it, so no state changes; except
 * close, where the fd is released below all the same. @nth 0 disarms.
 */
void emu_fault_fail_nth(struct emu_fault *f, unsigned long nth, int errnum);

/* Calls seen since the last emu_fault_fail_nth (or creation). */
unsigned long emu_fault_calls(const struct emu_fault *f);

/* Whether a fault fired since fail_nth was last called (either kind). */
bool emu_fault_fired(const struct emu_fault *f);
/* Whether the fail_nth point itself has fired. */
bool emu_fault_nth_fired(const struct emu_fault *f);

/*
 * Calls the plan has failed since it was created, by fail_nth and
 * fail_every alike: a caller that reads it before and after a call knows
 * whether the plan failed that call.
 */
unsigned long emu_fault_failed(const struct emu_fault *f);

/*
 * Kinds of host call, for emu_fault_fail_every (a bit mask): bit n is the
 * host entry n of enum emu_host_entry.
 */
enum emu_fault_kind {
	EMU_FAULT_OPEN = 1u << EMU_HOST_OPEN,
	EMU_FAULT_CLOSE = 1u << EMU_HOST_CLOSE,
	EMU_FAULT_IOCTL = 1u << EMU_HOST_IOCTL,
	EMU_FAULT_FSTAT = 1u << EMU_HOST_FSTAT,
	EMU_FAULT_STAT = 1u << EMU_HOST_STAT,
	EMU_FAULT_READ_FILE = 1u << EMU_HOST_READ_FILE,
	EMU_FAULT_LIST_DIR = 1u << EMU_HOST_LIST_DIR,
	EMU_FAULT_PREAD = 1u << EMU_HOST_PREAD,
	EMU_FAULT_PWRITE = 1u << EMU_HOST_PWRITE,
	EMU_FAULT_MMAP = 1u << EMU_HOST_MMAP,
	EMU_FAULT_MUNMAP = 1u << EMU_HOST_MUNMAP,
	EMU_FAULT_ALL = (1u << EMU_HOST_ENTRY_COUNT) - 1,
};

/*
 * Fail every call whose kind is in @kinds (EMU_FAULT_* bits) with
 * -@errnum, until disarmed with @kinds 0. When @kinds has EMU_FAULT_IOCTL
 * and @request is non-zero, only ioctls with exactly that request number
 * fail. Independent of emu_fault_fail_nth (either may fail a call; the
 * counters of calls and emu_fault_fired cover both). Close behaves as for
 * fail_nth: the fd is released below all the same.
 */
void emu_fault_fail_every(struct emu_fault *f, unsigned int kinds,
			  unsigned long request, int errnum);

#ifdef __cplusplus
}
#endif

#endif /* EMU_EMU_H */
