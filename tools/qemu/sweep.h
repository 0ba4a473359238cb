/* SPDX-License-Identifier: MIT */
/*
 * iofd_qemu_sweep's parts: the options (opts.c), one QEMU run with one
 * fault (point.c), and the sweep over every point (sweep.c, which says
 * what a point is and when it is clean).
 */
#ifndef IOFD_QEMU_SWEEP_H
#define IOFD_QEMU_SWEEP_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>

#define SWEEP_MAX_ERRNOS 8
#define SWEEP_MAX_KNOWN 32

/* A finding in QEMU the sweep reproduces (known-findings.txt). */
struct sweep_known {
	char glob[128];
	char why[400];
};

enum sweep_config {
	SWEEP_PLAIN,
	SWEEP_VIOMMU,
	SWEEP_NCONFIGS,
};

/* "plain", "viommu". */
extern const char *const sweep_config_names[SWEEP_NCONFIGS];

struct sweep_opts {
	char qemu[PATH_MAX];
	const char *preload;
	char shim[PATH_MAX];		/* the shim's real path, in QEMU's maps */
	char device[64];		/* IOFD_EMU_DEVICES */
	char bdf[16];
	bool config[SWEEP_NCONFIGS];
	int errnos[SWEEP_MAX_ERRNOS];
	unsigned int nr_errnos;
	long point;			/* -1: all */
	unsigned long max_points;
	unsigned int timeout;
	bool sysfsdev;
	bool coldplug;
	bool verbose;
	char work[PATH_MAX];
	const char *known_file;
	struct sweep_known known[SWEEP_MAX_KNOWN];
	unsigned int nr_known;
};

struct sweep_result {
	bool added;
	bool counted;			/* the counters were asked */
	bool fired;
	unsigned long call;		/* the call the fault failed */
	unsigned long calls;		/* calls made in the whole run */
	char what[160];
	char add_error[400];
	char qemu_said[400];		/* QEMU's own first error line */
	char leak[200];
	char problem[400];
};

struct sweep_tally {
	unsigned long points;
	unsigned long clean;
	unsigned long leaked;
	unsigned long known;	/* of the leaked, QEMU findings listed */
	unsigned long raced;	/* of the clean, failed once, clean rerun */
};

/* Set by SIGINT, SIGTERM and SIGHUP: finish the point, then stop. */
extern volatile sig_atomic_t sweep_stop;

/* Parse and check the command line into @o; exits 2 on a usage error. */
void sweep_parse(int argc, char **argv, struct sweep_opts *o);
/* Print the reason on stderr and exit 3: the setup cannot run a sweep. */
__attribute__((format(printf, 1, 2), noreturn))
void sweep_unusable(const char *fmt, ...);
/* The known finding the failed call @what matches, or NULL. */
const struct sweep_known *sweep_known_match(const struct sweep_opts *o,
					    const char *what);
/*
 * 1 when @path is an ELF program with an interpreter (dynamically
 * linked), 0 when it has none, -errno when it is no 64-bit ELF file.
 */
int sweep_dynamic(const char *path);
/* Whether `QEMU -object help` lists iommufd (no shim for this one). */
bool sweep_has_iommufd(const char *qemu);

/* The last point's whole QEMU log on stdout. */
void sweep_log_dump(const struct sweep_opts *o);
/* One QEMU run of configuration @cfg with call @n failed with @errnum (n 0: none). */
void sweep_point(const struct sweep_opts *o, enum sweep_config cfg,
		 int errnum, long n, struct sweep_result *r);

#endif /* IOFD_QEMU_SWEEP_H */
