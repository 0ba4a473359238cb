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
 * Wrappers (emu_fault_*) take any host, the emulator's or the real one, and
 * give back another host with something added.
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

#include <iofd/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Device profiles                                                     */

#define EMU_MAX_RESV 4

struct emu_iova_range {
	uint64_t start;
	uint64_t last;		/* inclusive */
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
	uint64_t aperture_last;		/* domain aperture is [0, this] */
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
	bool dirty_tracking;
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
/* The emulator                                                        */

struct emu;

int emu_create(struct emu **out);

/*
 * Free the emulator and everything in it, open fds included (as a process
 * exit would). NULL is allowed.
 */
void emu_destroy(struct emu *emu);

/* A host whose calls the emulator answers. Valid while @emu lives. */
void emu_host(struct emu *emu, struct iofd_host *out);

/*
 * Add a device with @profile at PCI address @bdf ("0000:00:03.0") whose sysfs
 * looks like @variant. Its cdev is /dev/vfio/devices/vfioN with N the number
 * of devices added before it, char device 511:N. Writes the sysfs directory
 * (/sys/bus/pci/devices/<bdf>) into @path (@cap bytes). Returns the device
 * index N, -EEXIST for a duplicate bdf, -ENOSPC past EMU_MAX_DEVICES,
 * -EINVAL for a NULL profile or a bad variant, -ENAMETOOLONG.
 */
#define EMU_MAX_DEVICES 16
#define EMU_VFIO_MAJOR 511
#define EMU_IOMMU_MAJOR 10
#define EMU_IOMMU_MINOR 257
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

/*
 * Where the device behind the cdev @fd stands: *devid its DEVICE object id
 * (0 when not bound), *hwpt_id the HWPT it is attached to and *ioas_id that
 * HWPT's IOAS (both 0 when not attached). Returns 0 or -EBADF (not a device
 * fd). Any out pointer may be NULL.
 */
int emu_device_state(const struct emu *emu, int fd, uint32_t *devid,
		     uint32_t *hwpt_id, uint32_t *ioas_id);

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

/* Whether the armed fault has fired. */
bool emu_fault_fired(const struct emu_fault *f);

#ifdef __cplusplus
}
#endif

#endif /* EMU_EMU_H */
