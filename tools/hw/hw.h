/* SPDX-License-Identifier: MIT */
/*
 * iofd_hw, the hardware regression and differential tool: the pieces.
 *
 *   pci.c    named devices: PCI address syntax, the vfio-pci driver check,
 *            binding on request, for allow-listed devices (hw_pci_*)
 *   progs.c  the programs the command line names, checked before any run
 *            (hw_progs_*)
 *   guard.c  a host wrapper over the real host that lets libiofd reach only
 *            /dev/iommu and the named devices, and keeps every iommufd
 *            context alive past its close so the clean check can ask the
 *            kernel about the ids afterwards (hw_guard_*)
 *   run.c    run one op-sequence program (fuzz/op.h) through libiofd over
 *            a host, with a fault plan, recording each op's result
 *            (hw_run_*)
 *   clean.c  prove the real kernel clean after a run: fds, IOMMU_DESTROY
 *            of every id, a re-bind (hw_clean_*)
 *   diff.c   compare two recordings call by call, with the table of
 *            documented exceptions (hw_diff_*)
 *   main.c   the command line
 *
 * Everything returns 0 or a negative errno unless documented otherwise.
 */
#ifndef IOFD_HW_H
#define IOFD_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <emu/emu.h>
#include <iofd/host.h>
#include <recorder.h>

#include "oprun.h"

#define HW_BDF_MAX	16	/* "0000:00:03.0" */
#define HW_PATH_MAX	128

/* One device the user named, and the emulator profile it stands for. */
struct hw_dev {
	char bdf[HW_BDF_MAX];
	char sysfs[HW_PATH_MAX];	/* /sys/bus/pci/devices/<bdf> */
	const struct emu_profile *profile;
};

/* ------------------------------------------------------------------ */
/* pci.c                                                               */

/* Whether @s is a full PCI address, DDDD:BB:DD.F in lower-case hex. */
bool hw_pci_bdf_valid(const char *s);

/*
 * The name of the driver @bdf is bound to, into @buf (@cap bytes): 0, or
 * -ENOENT when the device is bound to none, -ENODEV when there is no such
 * device.
 */
int hw_pci_driver(const char *bdf, char *buf, size_t cap);

/*
 * Bind @bdf to vfio-pci: unbind it from its current driver (its name goes
 * to @orig, @cap bytes; "" for none), set its driver_override and ask the
 * PCI core to probe it. Needs write access to sysfs (root). Returns 0 once
 * the device's driver is vfio-pci; on any failure driver_override is
 * cleared and the device given back to @orig, and -errno is returned. The
 * caller checks the allow-list first (hw_pci_allowed).
 */
int hw_pci_bind_vfio(const char *bdf, char *orig, size_t cap, FILE *log);
/* Undo a successful hw_pci_bind_vfio: back to @orig, override cleared. */
void hw_pci_unbind_vfio(const char *bdf, const char *orig, FILE *log);

/*
 * Whether the allow-list @allow (BDFs separated by blanks or commas) names
 * @bdf: 1 yes, 0 no, -EINVAL with *@bad (valid until the next call) set to
 * the first entry that is not a full PCI address.
 */
int hw_pci_allowed(const char *allow, const char *bdf, const char **bad);

/* Where the PCI bus is in sysfs (default /sys/bus/pci): for tests. */
void hw_pci_set_root(const char *root);

/* The PCI vendor and device ids from sysfs. */
int hw_pci_ids(const char *bdf, uint16_t *vendor, uint16_t *device);

/* ------------------------------------------------------------------ */
/* progs.c                                                             */

#define HW_MAX_FILES	512	/* programs one directory may hold */
#define HW_FILE_MAX	65536	/* bytes of one program */

/* The programs to run, in order (paths owned by the list). */
struct hw_progs {
	unsigned int count;
	char **paths;
};

/*
 * The programs named by the @n paths @args (a directory: its programs in
 * name order), each loaded once to prove it loads (@text: text even
 * without .txt). Returns 0, or -errno with the reason printed and nothing
 * kept.
 */
int hw_progs_collect(char *const *args, int n, bool text,
		     struct hw_progs *out);
void hw_progs_free(struct hw_progs *p);
/* Load @path (text by @text or .txt, else binary): 0 or -errno, printed. */
int hw_progs_load(const char *path, bool text, struct op_program *prog);

/* ------------------------------------------------------------------ */
/* guard.c                                                             */

struct hw_guard;

/*
 * Wrap @lower (the real host) so that only /dev/iommu, the sysfs
 * directories of @devs and their cdevs (found now, through vfio-dev) can be
 * opened, stated, read or listed; everything else gets -EACCES, and fds
 * the guard did not open get -EBADF. With @keep, every iommufd context is
 * kept alive past the caller's close (the fd is duplicated first), and the
 * ids of the objects created in it are remembered for hw_guard_check.
 */
int hw_guard_create(const struct iofd_host *lower, const struct hw_dev *devs,
		    unsigned int ndevs, bool keep, struct hw_guard **out);
void hw_guard_destroy(struct hw_guard *g);
void hw_guard_host(struct hw_guard *g, struct iofd_host *out);

/* Calls the guard refused since creation. */
unsigned long hw_guard_refused(const struct hw_guard *g);

/*
 * The core tried to destroy @id through @fd and failed: the object may be
 * left for the close of the iommufd to release, and is no leak.
 */
void hw_guard_excuse(struct hw_guard *g, int fd, uint32_t id);

/*
 * For every kept context: IOMMU_DESTROY of every id ever created in it must
 * give ENOENT, except ids excused by hw_guard_excuse, which are destroyed
 * first (newest first) and may still have been alive; anything else is an
 * object the run left behind, reported to @log. Then the kept fds are
 * closed. Returns the number of ids that were not gone, or -errno.
 */
int hw_guard_check(struct hw_guard *g, FILE *log);

/* ------------------------------------------------------------------ */
/* run.c                                                               */

/* An op's result: OPRUN_SKIPPED when it made no call, else 0 or -errno. */
struct hw_op_result {
	int ret;
	bool fired;		/* an injected fault fired during the op */
	char msg[200];		/* the core's error message, or why skipped */
};

struct hw_run_result {
	unsigned int nops;
	struct hw_op_result op[OP_MAX];
	/* Teardown: the first failing step, or 0. */
	struct hw_op_result teardown;
	bool sweep_fired;
	unsigned long calls;	/* host calls seen by the fault plan */
	/* Which named devices a device op took. */
	bool used[OP_MAX_DEVICES];
	/* Emulator runs: what was left after teardown (all 0 when clean). */
	struct emu_counters left;
};

struct hw_run_cfg {
	const struct op_program *prog;
	const struct hw_dev *devs;	/* the named devices, in order */
	unsigned int ndevs;
	/* Emulator run: the machine the devices are added to; else NULL. */
	struct emu *emu;
	/* The host the fault plan wraps (usually a recorder's). */
	const struct iofd_host *host;
	/* When set, each op's calls are tagged with its index. */
	struct emu_rec *rec;
	/* The interpreter's arena: OPRUN_ARENA_SIZE bytes, page aligned. */
	void *arena;
	/* Sweep point (nth 0: none), as fuzz/oprun.h documents. */
	struct oprun_sweep sweep;
	/*
	 * Told of every IOMMU_DESTROY the core made that failed (injected or
	 * not), with the fd it went to; NULL: nobody asks.
	 */
	void (*destroy_failed)(void *arg, int fd, uint32_t id);
	void *destroy_arg;
	/* Per-op lines and the core's trace go here when verbose. */
	FILE *log;
	bool verbose;
};

/*
 * Run @cfg->prog and tear everything down. Returns 0 (results in @res,
 * whatever the ops gave) or -errno when the run could not be set up.
 */
int hw_run(const struct hw_run_cfg *cfg, struct hw_run_result *res);

/* Tag of the teardown's calls in the recorder: the op count. */
static inline unsigned int hw_run_teardown_tag(const struct op_program *p)
{
	return p->count;
}

/* "0", "skip", "-EINVAL" for an op result. */
const char *hw_run_ret_name(int ret, char *buf, size_t cap);

/* ------------------------------------------------------------------ */
/* clean.c                                                             */

#define HW_CLEAN_MAX_FDS 256

/* The process's open fds, from /proc/self/fd, with their targets. */
struct hw_clean_fds {
	unsigned int count;
	int fd[HW_CLEAN_MAX_FDS];
	char target[HW_CLEAN_MAX_FDS][64];
};

int hw_clean_fds(struct hw_clean_fds *out);

/*
 * Compare two snapshots; report every fd opened or closed in between to
 * @log. Returns the number of differences.
 */
unsigned int hw_clean_fds_diff(const struct hw_clean_fds *before,
			       const struct hw_clean_fds *after, FILE *log);

/*
 * The device is free: a fresh /dev/iommu and the device's cdev, BIND
 * succeeds, then both are closed. Returns 0 or the -errno of the step that
 * failed (reported to @log).
 */
int hw_clean_rebind(const struct hw_dev *dev, FILE *log);

/* ------------------------------------------------------------------ */
/* diff.c                                                              */

struct hw_diff_stats {
	unsigned long calls;		/* pairs compared, plus unpaired calls */
	unsigned long agree;		/* pairs equal in every field */
	unsigned long excepted;		/* equal but for documented exceptions */
	unsigned long mismatched;	/* pairs with an undocumented difference */
	unsigned long unpaired;		/* calls one side made and the other not */
	/* pairs that differ only in known, reported emulator bugs */
	unsigned long pending;
	unsigned long pending_hits[16];
	/* How often each exception of the table was used. */
	unsigned long exception_hits[32];
};

/*
 * Compare the calls of the emulator run (@emu) and of the kernel run
 * (@real) tag by tag, pairing them in order. Every difference that is not a
 * documented exception is printed to @log with both sides; the counts are
 * added to @st. Returns the number of mismatching calls of this program.
 */
unsigned long hw_diff(const struct emu_rec *emu, const struct emu_rec *real,
		      const struct op_program *prog, FILE *log,
		      struct hw_diff_stats *st);

/* Print the exception table with how often each was used. */
void hw_diff_print_exceptions(const struct hw_diff_stats *st, FILE *log);

#endif /* IOFD_HW_H */
