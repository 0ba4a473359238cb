// SPDX-License-Identifier: MIT
/*
 * iofd_qemu_sweep: QEMU's own iommufd backend on the emulator, with every
 * uAPI call of a hot-plug failed in turn.
 *
 * One point is one QEMU run under the preload shim: TCG, q35, a
 * pcie-root-port, QMP on a socket pair, started stopped (-S). The
 * firmware runs just long enough to number the root port's bus (so that
 * query-pci can see behind it), then the machine is stopped again. Then
 *   device_add vfio-pci,host=BDF,iommufd=iommufd0,bus=rp0   (or sysfsdev=)
 *   query-pci: the device is behind the root port, with its BARs
 *   device_del and the DEVICE_DELETED event
 *   quit, and QEMU's exit status.
 * The shim's counters file is read after a failed add, and after the
 * unplug: every counter (fds, contexts, objects, pinned and locked pages,
 * files, eventfds, mappings, KVM objects) must be back to zero.
 *
 * Unplug without a guest: q35's root ports normally use ACPI hotplug,
 * whose unplug waits for the guest's _EJ0. With ACPI PCI hotplug off
 * (ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off) the root port uses
 * native PCIe hotplug with a power controller; its empty slot is powered
 * off at reset, a device hot-added to it stays powered off with no guest
 * to turn it on, and QEMU unplugs a device in a powered-off slot at once,
 * without the attention-button round trip to the guest. So device_del
 * completes with DEVICE_DELETED and no OS in the machine.
 *
 * Point 0 runs with no fault: the add must succeed, query-pci must show
 * the device and its BARs, and the counters must go back to zero. Point
 * N (1, 2, ...) fails the program's Nth call to the model
 * (IOFD_EMU_FAIL_NTH=N) with each chosen errno; the sweep ends when the
 * fault no longer fires (N is past the last call). Each point prints
 * which call it was, what QEMU said, and the counters; a point is clean
 * when QEMU answered (the add succeeded or failed with an error), every
 * counter was zero after the failed add or after the unplug, QEMU quit
 * with status 0 and the shim's sysfs tree is gone; anything else counts
 * as leaked, with the reason and the command that reproduces it. The
 * last line is "qemu sweep: P points, C clean, L leaked". With
 * --coldplug, point 0 instead gives the device on the command line and
 * checks that the firmware gave its BARs addresses.
 *
 * Configurations: "plain" (no vIOMMU) and "viommu" (intel-iommu with
 * caching-mode=on and QEMU's default aw-bits, 48). The emulated host is
 * the 48-bit machine variant (IOFD_EMU_VARIANT=aw-bits=48) in both:
 * QEMU refuses a vIOMMU wider than its host IOMMU's aperture.
 *
 * Findings in QEMU itself that a point reproduces are listed in
 * known-findings.txt (--known): such a point is still printed and
 * counted as leaked, with the explanation, but does not fail the sweep.
 *
 * Exit: 0 every point clean or a known finding; 1 a new point leaked
 * (or the run was interrupted); 2 a usage error; 3 the setup is unusable
 * (QEMU missing, statically linked, without iommufd, or point 0 failed).
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qmp.h"
#include "sweep.h"

volatile sig_atomic_t sweep_stop;
static char sweep_workdir[PATH_MAX];

static void sweep_on_signal(int sig)
{
	(void)sig;
	sweep_stop = 1;
	qemu_interrupted = 1;
}

/* rm -r of @path (the work directory, and any tree left in it). */
static void sweep_rmtree(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(path);

	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			if (!lstat(sub, &st) && S_ISDIR(st.st_mode))
				sweep_rmtree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

static void sweep_cleanup(void)
{
	if (sweep_workdir[0])
		sweep_rmtree(sweep_workdir);
}

/* ------------------------------------------------------------------ */
/* The sweep                                                           */

static bool sweep_clean(const struct sweep_result *r)
{
	return !r->problem[0] && !r->leak[0];
}

/* The point's line; returns the known finding it matches, if any. */
static const struct sweep_known *sweep_print(const struct sweep_opts *o,
					     enum sweep_config cfg, int errnum,
					     long n, const struct sweep_result *r)
{
	bool clean = sweep_clean(r);
	const char *ename = n ? strerrorname_np(errnum) : "-";
	const struct sweep_known *k = clean || !n ? NULL :
				      sweep_known_match(o, r->what);

	printf("%s %s #%ld: ", sweep_config_names[cfg], ename, n);
	if (n && r->fired)
		printf("call %lu, %s, failed -> ", r->call, r->what);
	if (r->add_error[0])
		printf("add failed: \"%s\"", r->add_error);
	else if (r->added && !r->problem[0])
		printf(o->coldplug ? "realized, BARs assigned" :
				     "added, unplugged");
	else
		printf("%s", r->problem);
	if (r->qemu_said[0] && !r->add_error[0])
		printf("; QEMU said \"%s\"", r->qemu_said);
	if (r->counted)
		printf("; counters %s%s", r->leak[0] ? "left: " : "zero",
		       r->leak);
	if (r->problem[0] && (r->added || r->add_error[0]))
		printf("; %s", r->problem);
	printf(": %s\n", clean ? "clean" : "LEAKED");
	if (k)
		printf("    known QEMU finding: %s\n", k->why);
	else if (!clean)
		sweep_log_dump(o);
	if (!clean)
		printf("    reproduce: iofd_qemu_sweep --config %s%s%s "
		       "--point %ld%s%s\n", sweep_config_names[cfg],
		       n ? " --errno " : "", n ? ename : "", n,
		       o->sysfsdev ? " --sysfsdev" : "",
		       o->coldplug ? " --coldplug" : "");
	fflush(stdout);
	return k;
}

static void sweep_report(const struct sweep_opts *o, enum sweep_config cfg,
			 int errnum, long n, const struct sweep_result *r,
			 struct sweep_tally *t)
{
	const struct sweep_known *k = sweep_print(o, cfg, errnum, n, r);

	t->points++;
	if (sweep_clean(r))
		t->clean++;
	else
		t->leaked++;
	if (k)
		t->known++;
}

/* Runs of a point that is neither clean nor a known finding, at most. */
#define SWEEP_TRIES 3

/*
 * Point @n, run again (up to SWEEP_TRIES runs in all) while it is neither
 * clean nor a known finding: QEMU itself races at quit now and then (a
 * crash in its QMP monitor thread, away from any failed call), and such a
 * run must not stand for the point. Every failed run is printed whole,
 * log included; a point that is clean on a later run counts as clean and
 * is tallied as raced, one that fails every run is the leak.
 */
static void sweep_point_retried(const struct sweep_opts *o,
				enum sweep_config cfg, int errnum, long n,
				struct sweep_result *r, struct sweep_tally *t)
{
	unsigned int run;

	sweep_point(o, cfg, errnum, n, r);
	for (run = 1; run < SWEEP_TRIES; run++) {
		if (sweep_stop || sweep_clean(r) || (n && !r->fired) ||
		    (n && sweep_known_match(o, r->what)))
			return;
		printf("    run %u of the point failed (running it again):\n    ",
		       run);
		sweep_print(o, cfg, errnum, n, r);
		sweep_point(o, cfg, errnum, n, r);
		if (!sweep_stop && sweep_clean(r)) {
			printf("    run %u was clean: the failure did not come "
			       "back (a race)\n", run + 1);
			t->raced++;
		}
	}
}

static void sweep_run(const struct sweep_opts *o, enum sweep_config cfg,
		      struct sweep_tally *t)
{
	struct sweep_result r;
	unsigned int e;
	long n;

	if (o->point <= 0) {
		sweep_point_retried(o, cfg, 0, 0, &r, t);
		if (sweep_stop)
			return;
		sweep_report(o, cfg, 0, 0, &r, t);
		if (!r.added || r.problem[0])
			sweep_unusable("point 0 (%s, no fault) failed: the "
				       "setup cannot run the sweep",
				       sweep_config_names[cfg]);
		if (o->point == 0)
			return;
	}
	for (e = 0; e < o->nr_errnos && !sweep_stop; e++) {
		for (n = o->point > 0 ? o->point : 1; !sweep_stop; n++) {
			sweep_point_retried(o, cfg, o->errnos[e], n, &r, t);
			if (sweep_stop)
				return;
			if (!r.fired && !r.problem[0] && o->point < 0) {
				printf("%s %s #%ld: the fault is past the "
				       "last call (%lu calls)\n",
				       sweep_config_names[cfg],
				       strerrorname_np(o->errnos[e]), n,
				       r.calls);
				break;
			}
			sweep_report(o, cfg, o->errnos[e], n, &r, t);
			if (o->point > 0 || (unsigned long)n >= o->max_points)
				break;
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sweep_on_signal };
	const char *tmp = getenv("TMPDIR");
	struct sweep_tally t = { 0 };
	struct sweep_opts o;
	unsigned int i;
	int rc;

	sweep_parse(argc, argv, &o);
	rc = sweep_dynamic(o.qemu);
	if (rc < 0)
		sweep_unusable("%s is not a 64-bit ELF program (%s)", o.qemu,
			       strerror(-rc));
	if (!rc)
		sweep_unusable("%s is statically linked: LD_PRELOAD cannot "
			       "reach it, so the emulator cannot serve it",
			       o.qemu);
	if (!sweep_has_iommufd(o.qemu))
		sweep_unusable("%s has no iommufd backend (-object iommufd); "
			       "QEMU 9.0 or newer has it", o.qemu);
	snprintf(o.work, sizeof(o.work), "%s/iofd-qemu-sweep-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(o.work))
		sweep_unusable("cannot make a work directory in %s: %s",
			       tmp && *tmp ? tmp : "/tmp", strerror(errno));
	snprintf(sweep_workdir, sizeof(sweep_workdir), "%s", o.work);
	atexit(sweep_cleanup);
	rc = qemu_reaper_init();
	if (rc)
		sweep_unusable("cannot become a subreaper: %s", strerror(-rc));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < SWEEP_NCONFIGS && !sweep_stop; i++) {
		if (o.config[i])
			sweep_run(&o, (enum sweep_config)i, &t);
	}
	if (sweep_stop) {
		fprintf(stderr, "iofd_qemu_sweep: interrupted\n");
		return 1;
	}
	if (t.known)
		printf("%lu of the %lu leaked are known QEMU findings (%s); "
		       "%lu new\n", t.known, t.leaked, o.known_file,
		       t.leaked - t.known);
	if (t.raced)
		printf("%lu point(s) failed and were clean when rerun: "
		       "QEMU raced (each failed run is printed above)\n",
		       t.raced);
	printf("qemu sweep: %lu points, %lu clean, %lu leaked\n", t.points,
	       t.clean, t.leaked);
	return t.leaked > t.known ? 1 : 0;
}
