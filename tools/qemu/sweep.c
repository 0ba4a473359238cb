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
 * caching-mode=on and aw-bits=39: the emulated profile's host IOMMU has a
 * 39-bit aperture, and QEMU refuses a vIOMMU wider than its host's).
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

#include "json.h"
#include "qmp.h"

#ifndef IOFD_QEMU_PRELOAD
#define IOFD_QEMU_PRELOAD ""
#endif
#ifndef IOFD_QEMU_KNOWN
#define IOFD_QEMU_KNOWN ""
#endif

extern char **environ;

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

static const char *const sweep_config_names[SWEEP_NCONFIGS] = {
	[SWEEP_PLAIN] = "plain",
	[SWEEP_VIOMMU] = "viommu",
};

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
};

static volatile sig_atomic_t sweep_stop;
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

static void sweep_usage(FILE *f)
{
	fprintf(f,
		"usage: iofd_qemu_sweep [--qemu PATH] [--preload VALUE] "
		"[--device PROFILE@BDF]\n"
		"                       [--config plain,viommu] [--errno "
		"E[,E...]] [--point N]\n"
		"                       [--max-points N] [--timeout S] "
		"[--sysfsdev] [--coldplug]\n"
		"                       [--known FILE] [-v]\n");
}

__attribute__((format(printf, 1, 2), noreturn))
static void sweep_bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "iofd_qemu_sweep: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	sweep_usage(stderr);
	exit(2);
}

__attribute__((format(printf, 1, 2), noreturn))
static void sweep_unusable(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "iofd_qemu_sweep: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

/* A whole decimal number in [lo, hi] from @s, or a usage error. */
static unsigned long sweep_number(const char *opt, const char *s,
				  unsigned long lo, unsigned long hi)
{
	unsigned long v = 0;
	const char *p;

	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' ||
		    v > (hi - (unsigned long)(*p - '0')) / 10)
			sweep_bad("%s '%.40s': give a whole number from %lu to "
				  "%lu", opt, s, lo, hi);
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (!*s || v < lo || (s[0] == '0' && s[1]))
		sweep_bad("%s '%.40s': give a whole number from %lu to %lu",
			  opt, s, lo, hi);
	return v;
}

/* Split @list at commas into @f's calls; a usage error on an empty item. */
static void sweep_list(const char *opt, const char *list,
		       void (*f)(const char *opt, const char *item, void *arg),
		       void *arg)
{
	char buf[256], *save = NULL, *tok;

	if (!*list || strlen(list) >= sizeof(buf) || list[0] == ',' ||
	    list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		sweep_bad("%s '%.60s': give a comma-separated list", opt,
			  list);
	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		f(opt, tok, arg);
}

static void sweep_add_config(const char *opt, const char *item, void *arg)
{
	struct sweep_opts *o = arg;
	unsigned int i;

	for (i = 0; i < SWEEP_NCONFIGS; i++) {
		if (!strcmp(item, sweep_config_names[i])) {
			o->config[i] = true;
			return;
		}
	}
	sweep_bad("%s '%.40s': configurations are plain and viommu", opt,
		  item);
}

static void sweep_add_errno(const char *opt, const char *item, void *arg)
{
	struct sweep_opts *o = arg;
	int e;

	for (e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcmp(name, item))
			break;
	}
	if (e == 4096)
		sweep_bad("%s '%.40s': give errno names such as ENOMEM or "
			  "EINVAL", opt, item);
	if (o->nr_errnos == SWEEP_MAX_ERRNOS)
		sweep_bad("%s: at most %d errnos", opt, SWEEP_MAX_ERRNOS);
	o->errnos[o->nr_errnos++] = e;
}

/*
 * Read the known QEMU findings: "GLOB<TAB>explanation" lines, '#'
 * comments and blank lines; anything else is a usage error naming the
 * line.
 */
static void sweep_known_read(struct sweep_opts *o, const char *path)
{
	char line[640], *tab;
	unsigned int n = 0;
	FILE *f;

	o->known_file = path;
	o->nr_known = 0;
	if (!*path)
		return;
	f = fopen(path, "r");
	if (!f)
		sweep_bad("--known '%.200s': %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		n++;
		line[strcspn(line, "\n")] = '\0';
		if (!*line || line[0] == '#')
			continue;
		tab = strchr(line, '\t');
		if (!tab || tab == line || !tab[1] ||
		    (size_t)(tab - line) >= sizeof(o->known[0].glob) ||
		    o->nr_known == SWEEP_MAX_KNOWN) {
			fclose(f);
			sweep_bad("--known '%.200s' line %u: give GLOB, a tab "
				  "and the explanation (at most %d lines)",
				  path, n, SWEEP_MAX_KNOWN);
		}
		*tab = '\0';
		snprintf(o->known[o->nr_known].glob,
			 sizeof(o->known[0].glob), "%s", line);
		snprintf(o->known[o->nr_known].why, sizeof(o->known[0].why),
			 "%s", tab + 1);
		o->nr_known++;
	}
	fclose(f);
}

/* The known finding the failed call @what matches, or NULL. */
static const struct sweep_known *sweep_known_match(const struct sweep_opts *o,
						   const char *what)
{
	unsigned int i;

	for (i = 0; *what && i < o->nr_known; i++) {
		if (!fnmatch(o->known[i].glob, what, 0))
			return &o->known[i];
	}
	return NULL;
}

/* The device entry: profile@DDDD:BB:DD.F, the BDF kept for QEMU. */
static void sweep_device(struct sweep_opts *o, const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || strlen(at + 1) != 12 || strchr(at + 1, '@') ||
	    strlen(s) >= sizeof(o->device))
		sweep_bad("--device '%.60s': give PROFILE@DDDD:BB:DD.F, e.g. "
			  "e1000e@0000:00:03.0", s);
	snprintf(o->device, sizeof(o->device), "%s", s);
	snprintf(o->bdf, sizeof(o->bdf), "%s", at + 1);
}

/*
 * --preload: a colon- or space-separated list of libraries, as
 * LD_PRELOAD takes it, each an existing file, the last one the shim (it
 * names its cleaner "iofd-emu-clean"). The loader only warns about an
 * entry it cannot load and runs the program anyway: QEMU would then
 * reach the real /dev/iommu, so the shim's path is kept to find it in
 * QEMU's maps (sweep_shim_loaded).
 */
static void sweep_preload_check(struct sweep_opts *o)
{
	static const char marker[] = "iofd-emu-clean";
	char list[4 * PATH_MAX], *save = NULL, *e, *last = NULL;
	char *buf = NULL;
	struct stat st;
	size_t len = 0;
	FILE *f;

	if (strlen(o->preload) >= sizeof(list))
		sweep_bad("--preload '%.60s...': too long", o->preload);
	snprintf(list, sizeof(list), "%s", o->preload);
	for (e = strtok_r(list, ": ", &save); e;
	     e = strtok_r(NULL, ": ", &save)) {
		if (stat(e, &st) || !S_ISREG(st.st_mode))
			sweep_bad("--preload: '%.200s' is not a file", e);
		last = e;
	}
	if (!last)
		sweep_bad("--preload '%.60s': give the shim's path",
			  o->preload);
	if (!realpath(last, o->shim))
		sweep_bad("--preload: '%.200s': %s", last, strerror(errno));
	f = fopen(o->shim, "r");
	if (f) {
		buf = malloc((size_t)st.st_size + 1);
		len = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
		fclose(f);
	}
	if (!buf || !memmem(buf, len, marker, sizeof(marker) - 1)) {
		free(buf);
		sweep_bad("--preload: '%.200s' is not iofd's shim "
			  "(libiofd_emu_preload.so)", last);
	}
	free(buf);
}

/* Whether process @pid has the shim @shim mapped. */
static bool sweep_shim_loaded(pid_t pid, const char *shim)
{
	char path[64], line[PATH_MAX + 128];
	size_t n = strlen(shim);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		found = p && !strncmp(p, shim, n) && p[n] == '\n';
	}
	if (f)
		fclose(f);
	return found;
}

/* Find @name on PATH (or take it as a path) into @out. */
static bool sweep_which(const char *name, char *out, size_t cap)
{
	const char *path = getenv("PATH");
	char dirs[4096], *save = NULL, *d;

	if (strchr(name, '/')) {
		snprintf(out, cap, "%s", name);
		return access(out, X_OK) == 0;
	}
	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
	for (d = strtok_r(dirs, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(out, cap, "%s/%s", d, name);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

/* 1 when @path is an ELF program with an interpreter (dynamically
 * linked), 0 when it has none, -errno when it is no 64-bit ELF file. */
static int sweep_dynamic(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i, rc = 0;

	if (fd < 0)
		return -errno;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return -ENOEXEC;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph),
			  (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
		    sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP)
			rc = 1;
	}
	close(fd);
	return rc;
}

/* Whether `QEMU -object help` lists iommufd (no shim for this one). */
static bool sweep_has_iommufd(const char *qemu)
{
	char *const argv[] = { (char *)qemu, "-object", "help", NULL };
	char line[256];
	bool found = false;
	int p[2], status;
	FILE *f;
	pid_t pid;

	if (pipe(p) < 0)
		return false;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(qemu, argv);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "  iommufd", 9) &&
		    (line[9] == '\n' || line[9] == ' '))
			found = true;
	}
	if (f)
		fclose(f);
	else
		close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	return found;
}

/* ------------------------------------------------------------------ */
/* One point                                                           */

/* The environment of a run: ours minus what the run sets, plus that. */
static char **sweep_env(const struct sweep_opts *o, long n, int errnum,
			const char *counters)
{
	static const char *const drop[] = { "LD_PRELOAD=", "IOFD_EMU_",
					    "ASAN_OPTIONS=", "TMPDIR=" };
	size_t count = 0, i, k;
	char **env, **e;

	for (e = environ; *e; e++)
		count++;
	env = calloc(count + 8, sizeof(*env));
	if (!env)
		sweep_unusable("out of memory");
	for (e = environ, k = 0; *e; e++) {
		bool keep = true;

		for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
			keep &= strncmp(*e, drop[i], strlen(drop[i])) != 0;
		if (keep)
			env[k++] = *e;
	}
	if (asprintf(&env[k++], "LD_PRELOAD=%s", o->preload) < 0 ||
	    asprintf(&env[k++], "IOFD_EMU_DEVICES=%s", o->device) < 0 ||
	    asprintf(&env[k++], "IOFD_EMU_COUNTERS=%s", counters) < 0 ||
	    asprintf(&env[k++], "TMPDIR=%s", o->work) < 0 ||
	    asprintf(&env[k++], "ASAN_OPTIONS=detect_leaks=0") < 0)
		sweep_unusable("out of memory");
	if (n > 0 &&
	    (asprintf(&env[k++], "IOFD_EMU_FAIL_NTH=%ld", n) < 0 ||
	     asprintf(&env[k++], "IOFD_EMU_FAIL_ERRNO=%s",
		      strerrorname_np(errnum)) < 0))
		sweep_unusable("out of memory");
	return env;
}

static void sweep_env_free(char **env)
{
	char **e;

	for (e = env; *e; e++) {
		if (!strncmp(*e, "LD_PRELOAD=", 11) ||
		    !strncmp(*e, "IOFD_EMU_", 9) ||
		    !strncmp(*e, "TMPDIR=", 7) ||
		    !strncmp(*e, "ASAN_OPTIONS=", 13))
			free(*e);
	}
	free(env);
}

static const char *const sweep_counter_names[] = {
	"fds", "contexts", "objects", "pinned_pages", "locked_pages",
	"files", "kvm_vms", "kvm_devices", "kvm_vfio_files", "eventfds",
	"mappings",
};

/*
 * The counters file: *@j its tree (NULL when the run never called the
 * model, which wrote no file). 0, or -errno when it cannot be read.
 */
static int sweep_counters(const char *path, struct json **j)
{
	char buf[4096], err[128];
	ssize_t n;
	int fd;

	*j = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	*j = json_parse(buf, (size_t)n, err, sizeof(err));
	return *j ? 0 : -EPROTO;
}

/* The counters that are not zero, "fds=1 objects=2", into @out ("" none). */
static int sweep_leaks(const char *path, char *out, size_t cap)
{
	struct json *j;
	size_t i, o = 0;
	int64_t v;
	int rc;

	out[0] = '\0';
	rc = sweep_counters(path, &j);
	if (rc || !j)
		return rc;
	for (i = 0; i < sizeof(sweep_counter_names) /
			sizeof(sweep_counter_names[0]); i++) {
		if (!json_get_int(j, sweep_counter_names[i], &v))
			v = -1;
		if (v && o < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%s=%lld",
					      o ? " " : "",
					      sweep_counter_names[i],
					      (long long)v);
	}
	json_free(j);
	return 0;
}

/* The first error line QEMU printed (not ASan's notes), into @out. */
static void sweep_qemu_said(const char *log, char *out, size_t cap)
{
	char line[512];
	FILE *f = fopen(log, "r");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line || !strncmp(line, "==", 2) ||
		    strstr(line, "ASan ") || strstr(line, "False positive") ||
		    strstr(line, "sanitizers/issues") ||
		    strstr(line, "KVM VFIO device isn't created"))
			continue;
		snprintf(out, cap, "%s", line);
		break;
	}
	fclose(f);
}

/* The last @n (at most 8) lines of @log on stderr. */
static void sweep_tail(const char *log, unsigned int n)
{
	char lines[8][512];
	unsigned int i = 0, k;
	FILE *f = fopen(log, "r");

	if (!f)
		return;
	while (fgets(lines[i % 8], sizeof(lines[0]), f))
		i++;
	fclose(f);
	for (k = i > n ? i - n : 0; k < i; k++)
		fprintf(stderr, "    | %s", lines[k % 8]);
}

/* Device @id in a list of query-pci devices, behind bridges too. */
static const struct json *sweep_pci_find_in(const struct json *devs,
					    const char *id)
{
	const struct json *d;
	const char *q;
	size_t i;

	for (i = 0; devs && devs->type == JSON_ARR && i < devs->n; i++) {
		q = json_get_str(&devs->kids[i], "qdev_id");
		if (q && !strcmp(q, id))
			return &devs->kids[i];
		d = sweep_pci_find_in(json_get(json_get(&devs->kids[i],
							"pci_bridge"),
					       "devices"), id);
		if (d)
			return d;
	}
	return NULL;
}

/*
 * Whether query-pci shows device @id; with @bars, also with BAR 0-3 and
 * the ROM; with @assigned, with the firmware's addresses in BAR 0-3.
 */
static bool sweep_pci_has(const struct json *reply, const char *id,
			  bool bars_too, bool assigned)
{
	const struct json *buses = json_get(reply, "return"), *dev = NULL, *r;
	unsigned int bars = 0;
	int64_t bar, addr;
	size_t i;

	for (i = 0; !dev && buses && buses->type == JSON_ARR &&
	     i < buses->n; i++)
		dev = sweep_pci_find_in(json_get(&buses->kids[i], "devices"),
					id);
	if (!dev || !bars_too)
		return dev != NULL;
	r = json_get(dev, "regions");
	for (i = 0; r && r->type == JSON_ARR && i < r->n; i++) {
		if (!json_get_int(&r->kids[i], "bar", &bar) || bar < 0 ||
		    bar > 6)
			continue;
		if (assigned && bar < 4 &&
		    (!json_get_int(&r->kids[i], "address", &addr) ||
		     addr == -1))
			continue;
		bars |= 1u << bar;
	}
	return (bars & 0x4f) == 0x4f;
}

/* The root port's secondary bus number, 0 until firmware numbers it. */
static int64_t sweep_pci_secondary(const struct json *reply)
{
	const struct json *buses = json_get(reply, "return");
	size_t b, d;
	int64_t v;

	for (b = 0; buses && buses->type == JSON_ARR && b < buses->n; b++) {
		const struct json *devs = json_get(&buses->kids[b], "devices");

		for (d = 0; devs && devs->type == JSON_ARR && d < devs->n;
		     d++) {
			const struct json *bus = json_get(
				json_get(&devs->kids[d], "pci_bridge"), "bus");

			if (json_get_int(bus, "secondary", &v))
				return v;
		}
	}
	return 0;
}

/* Run @cmd and keep its error's text (or "") in @err. 0 or -errno. */
static int sweep_cmd(struct qemu *q, const char *cmd, char *err, size_t cap,
		     struct json **keep)
{
	struct json *reply;
	const char *desc;
	int rc;

	err[0] = '\0';
	rc = qemu_cmd(q, cmd, &reply);
	if (rc)
		return rc;
	desc = json_get_str(json_get(reply, "error"), "desc");
	if (desc)
		snprintf(err, cap, "%s", desc);
	else if (!json_get(reply, "return"))
		snprintf(err, cap, "no return in QMP's reply");
	if (keep)
		*keep = reply;
	else
		json_free(reply);
	return 0;
}

/*
 * Let the firmware number the root port's bus (and, with @coldplug, give
 * the device on the command line its BARs), then stop the machine.
 */
static int sweep_firmware(struct qemu *q, bool coldplug, char *err,
			  size_t cap)
{
	struct json *reply;
	int rc, i;

	rc = sweep_cmd(q, "{\"execute\": \"cont\"}", err, cap, NULL);
	if (rc || *err)
		return rc ? rc : -EIO;
	for (i = 0; i < 3000; i++) {
		rc = sweep_cmd(q, "{\"execute\": \"query-pci\"}", err, cap,
			       &reply);
		if (rc || *err)
			return rc ? rc : -EIO;
		rc = sweep_pci_secondary(reply) != 0 &&
		     (!coldplug || sweep_pci_has(reply, "hostdev0", true,
						 true));
		json_free(reply);
		if (rc)
			break;
		usleep(20000);
	}
	rc = sweep_cmd(q, "{\"execute\": \"stop\"}", err, cap, NULL);
	if (rc || *err)
		return rc ? rc : -EIO;
	if (i == 3000) {
		snprintf(err, cap, "the firmware never numbered the root "
			 "port's bus%s", coldplug ? " or gave the device its "
			 "BARs" : "");
		return -ETIMEDOUT;
	}
	return 0;
}

/* The vfio-pci properties: the host device and the backend, into @buf. */
static void sweep_vfio_props(const struct sweep_opts *o, char *buf,
			     size_t cap)
{
	if (o->sysfsdev)
		snprintf(buf, cap, "sysfsdev=/sys/bus/pci/devices/%s,"
			 "iommufd=iommufd0,id=hostdev0", o->bdf);
	else
		snprintf(buf, cap, "host=%s,iommufd=iommufd0,id=hostdev0",
			 o->bdf);
}

static void sweep_argv(const struct sweep_opts *o, enum sweep_config cfg,
		       char **argv, char *dev, size_t cap)
{
	unsigned int n = 0;
	int len;

	argv[n++] = (char *)o->qemu;
	argv[n++] = "-machine";
	argv[n++] = "q35,accel=tcg";
	argv[n++] = "-nodefaults";
	argv[n++] = "-no-user-config";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-m";
	argv[n++] = "128";
	argv[n++] = "-S";
	argv[n++] = "-chardev";
	argv[n++] = "socket,id=qmp,fd=3";
	argv[n++] = "-mon";
	argv[n++] = "chardev=qmp,mode=control";
	argv[n++] = "-global";
	argv[n++] = "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off";
	if (cfg == SWEEP_VIOMMU) {
		argv[n++] = "-device";
		argv[n++] = "intel-iommu,caching-mode=on,aw-bits=39";
	}
	argv[n++] = "-object";
	argv[n++] = "iommufd,id=iommufd0";
	argv[n++] = "-device";
	argv[n++] = "pcie-root-port,id=rp0,chassis=1,slot=1";
	if (o->coldplug) {
		len = snprintf(dev, cap, "vfio-pci,bus=pcie.0,addr=03.0,");
		sweep_vfio_props(o, dev + len, cap - (size_t)len);
		argv[n++] = "-device";
		argv[n++] = dev;
	}
	argv[n] = NULL;
}

/* Any of the shim's sysfs trees left in the work directory. */
static bool sweep_tree_left(const struct sweep_opts *o)
{
	DIR *d = opendir(o->work);
	struct dirent *de;
	bool left = false;

	if (!d)
		return false;
	while ((de = readdir(d)))
		left |= !strncmp(de->d_name, "iofd-emu-", 9);
	closedir(d);
	return left;
}

/* The final counters: whether the fault fired, on which call; the total. */
static void sweep_final(const char *counters, struct sweep_result *r)
{
	const struct json *fault, *fired;
	struct json *j;
	int64_t v;

	if (sweep_counters(counters, &j) || !j)
		return;
	if (json_get_int(j, "calls", &v))
		r->calls = (unsigned long)v;
	fault = json_get(j, "fault");
	fired = json_get(fault, "fired");
	r->fired = fired && fired->type == JSON_BOOL && fired->b;
	if (json_get_int(fault, "call", &v))
		r->call = (unsigned long)v;
	if (json_get_str(fault, "what"))
		snprintf(r->what, sizeof(r->what), "%s",
			 json_get_str(fault, "what"));
	json_free(j);
}

/*
 * A device given on the command line (-device vfio-pci on pcie.0): the
 * firmware that just ran must have given its BARs addresses. It stays
 * until quit (QEMU does not unplug at exit), so no counter is asked.
 */
static void sweep_coldplug(struct qemu *q, struct sweep_result *r)
{
	struct json *reply;
	char err[400];
	int rc;

	rc = sweep_cmd(q, "{\"execute\": \"query-pci\"}", err, sizeof(err),
		       &reply);
	if (rc || *err) {
		snprintf(r->problem, sizeof(r->problem), "query-pci: %s",
			 *err ? err : strerror(-rc));
		return;
	}
	r->added = sweep_pci_has(reply, "hostdev0", true, true);
	json_free(reply);
	if (!r->added)
		snprintf(r->problem, sizeof(r->problem), "query-pci does not "
			 "show hostdev0 with the BARs the firmware assigned");
}

/*
 * device_add, query-pci, device_del, and the counters after it all. With
 * no fault (@n 0) the device must show all its BARs; with one, QEMU may
 * have realized it with a BAR or the ROM left out (it warns and goes on),
 * so only the device is asked for.
 */
static void sweep_hotplug(const struct sweep_opts *o, struct qemu *q,
			  long n, const char *counters,
			  struct sweep_result *r)
{
	char cmd[512], err[400];
	struct json *reply;
	int rc;

	snprintf(cmd, sizeof(cmd), "{\"execute\": \"device_add\", "
		 "\"arguments\": {\"driver\": \"vfio-pci\", "
		 "\"%s\": \"%s%s\", \"iommufd\": \"iommufd0\", "
		 "\"bus\": \"rp0\", \"id\": \"hostdev0\"}}",
		 o->sysfsdev ? "sysfsdev" : "host",
		 o->sysfsdev ? "/sys/bus/pci/devices/" : "", o->bdf);
	rc = sweep_cmd(q, cmd, r->add_error, sizeof(r->add_error), NULL);
	if (rc) {
		snprintf(r->problem, sizeof(r->problem),
			 "device_add: QEMU did not answer (%s)", strerror(-rc));
		return;
	}
	r->added = !r->add_error[0];
	if (r->added) {
		rc = sweep_cmd(q, "{\"execute\": \"query-pci\"}", err,
			       sizeof(err), &reply);
		if (rc || *err) {
			snprintf(r->problem, sizeof(r->problem),
				 "query-pci: %s", *err ? err : strerror(-rc));
			return;
		}
		rc = sweep_pci_has(reply, "hostdev0", n == 0, false);
		json_free(reply);
		if (!rc) {
			snprintf(r->problem, sizeof(r->problem), "query-pci "
				 "does not show hostdev0%s",
				 n ? "" : " and its BARs");
			return;
		}
		rc = sweep_cmd(q, "{\"execute\": \"device_del\", "
			       "\"arguments\": {\"id\": \"hostdev0\"}}", err,
			       sizeof(err), NULL);
		if (!rc && !*err)
			rc = qemu_wait_event(q, "DEVICE_DELETED", "hostdev0");
		if (rc || *err) {
			snprintf(r->problem, sizeof(r->problem), "unplug: %s",
				 *err ? err : strerror(-rc));
			return;
		}
	}
	rc = sweep_leaks(counters, r->leak, sizeof(r->leak));
	if (rc)
		snprintf(r->problem, sizeof(r->problem), "counters %s: %s",
			 counters, strerror(-rc));
	r->counted = !rc;
}

static void sweep_point(const struct sweep_opts *o, enum sweep_config cfg,
			int errnum, long n, struct sweep_result *r)
{
	char *argv[32], **env, log[PATH_MAX + 16], counters[PATH_MAX + 16];
	char err[400], dev[256];
	struct qemu q;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(log, sizeof(log), "%s/qemu.log", o->work);
	snprintf(counters, sizeof(counters), "%s/counters.json", o->work);
	unlink(counters);
	sweep_argv(o, cfg, argv, dev, sizeof(dev));
	env = sweep_env(o, n, errnum, counters);
	rc = qemu_start(&q, argv, env, log, o->timeout, err, sizeof(err));
	sweep_env_free(env);
	if (rc) {
		snprintf(r->problem, sizeof(r->problem),
			 "QEMU did not start: %s", err);
		goto out_reap;
	}
	if (!sweep_shim_loaded(q.pid, o->shim)) {
		/* Before device_add: QEMU has not opened /dev/iommu yet. */
		qemu_reap(&q);
		sweep_tail(log, 3);
		sweep_unusable("the loader did not load %s into QEMU (its "
			       "words are above): QEMU would run on the real "
			       "kernel", o->shim);
	}
	rc = sweep_firmware(&q, o->coldplug, err, sizeof(err));
	if (rc) {
		snprintf(r->problem, sizeof(r->problem), "firmware: %s",
			 *err ? err : strerror(-rc));
		goto out_reap;
	}
	if (o->coldplug)
		sweep_coldplug(&q, r);
	else
		sweep_hotplug(o, &q, n, counters, r);
	if (r->problem[0])
		goto out_reap;
	rc = qemu_quit(&q);
	if (rc)
		snprintf(r->problem, sizeof(r->problem), "quit: %s",
			 strerror(-rc));
	else if (WIFSIGNALED(q.status))
		snprintf(r->problem, sizeof(r->problem),
			 "QEMU died of signal %d (%s)", WTERMSIG(q.status),
			 strsignal(WTERMSIG(q.status)));
	else if (WEXITSTATUS(q.status))
		snprintf(r->problem, sizeof(r->problem),
			 "QEMU exited with %d", WEXITSTATUS(q.status));
out_reap:
	qemu_reap(&q);
	sweep_final(counters, r);
	sweep_qemu_said(log, r->qemu_said, sizeof(r->qemu_said));
	if (!r->problem[0] && sweep_tree_left(o))
		snprintf(r->problem, sizeof(r->problem),
			 "the shim's sysfs tree was left in %s", o->work);
	if ((r->problem[0] || o->verbose) && !sweep_stop)
		sweep_tail(log, r->problem[0] ? 6 : 3);
}

/* ------------------------------------------------------------------ */
/* The sweep                                                           */

static void sweep_report(const struct sweep_opts *o, enum sweep_config cfg,
			 int errnum, long n, const struct sweep_result *r,
			 struct sweep_tally *t)
{
	bool clean = !r->problem[0] && !r->leak[0];
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
	if (!clean)
		printf("    reproduce: iofd_qemu_sweep --config %s%s%s "
		       "--point %ld%s%s\n", sweep_config_names[cfg],
		       n ? " --errno " : "", n ? ename : "", n,
		       o->sysfsdev ? " --sysfsdev" : "",
		       o->coldplug ? " --coldplug" : "");
	fflush(stdout);
	t->points++;
	if (clean)
		t->clean++;
	else
		t->leaked++;
	if (k)
		t->known++;
}

static void sweep_run(const struct sweep_opts *o, enum sweep_config cfg,
		      struct sweep_tally *t)
{
	struct sweep_result r;
	unsigned int e;
	long n;

	if (o->point <= 0) {
		sweep_point(o, cfg, 0, 0, &r);
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
			sweep_point(o, cfg, o->errnos[e], n, &r);
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

static void sweep_parse(int argc, char **argv, struct sweep_opts *o)
{
	static const struct option longopts[] = {
		{ "qemu", required_argument, NULL, 'q' },
		{ "preload", required_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "errno", required_argument, NULL, 'e' },
		{ "point", required_argument, NULL, 'n' },
		{ "max-points", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "sysfsdev", no_argument, NULL, 's' },
		{ "coldplug", no_argument, NULL, 'C' },
		{ "known", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *qemu = "qemu-system-x86_64";
	bool any = false;
	unsigned int i;
	int c;

	memset(o, 0, sizeof(*o));
	o->preload = IOFD_QEMU_PRELOAD;
	o->point = -1;
	o->max_points = 1000;
	o->timeout = 120;
	sweep_device(o, "e1000e@0000:00:03.0");
	sweep_known_read(o, IOFD_QEMU_KNOWN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			if (!*optarg)
				sweep_bad("--qemu '': give a QEMU binary");
			qemu = optarg;
			break;
		case 'p':
			o->preload = optarg;
			break;
		case 'd':
			sweep_device(o, optarg);
			break;
		case 'c':
			memset(o->config, 0, sizeof(o->config));
			sweep_list("--config", optarg, sweep_add_config, o);
			any = true;
			break;
		case 'e':
			o->nr_errnos = 0;
			sweep_list("--errno", optarg, sweep_add_errno, o);
			break;
		case 'n':
			o->point = (long)sweep_number("--point", optarg, 0,
						      100000);
			break;
		case 'm':
			o->max_points = sweep_number("--max-points", optarg, 1,
						     100000);
			break;
		case 't':
			o->timeout = (unsigned int)sweep_number("--timeout",
								optarg, 5,
								3600);
			break;
		case 's':
			o->sysfsdev = true;
			break;
		case 'C':
			o->coldplug = true;
			break;
		case 'k':
			sweep_known_read(o, optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			sweep_usage(stdout);
			exit(0);
		case ':':
			sweep_bad("%s needs a value", argv[optind - 1]);
		default:
			sweep_bad("unknown option '%.40s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		sweep_bad("unexpected argument '%.40s'", argv[optind]);
	if (o->coldplug && o->point != 0)
		sweep_bad("--coldplug checks a device given at start: it goes "
			  "with --point 0 only");
	if (!any)
		for (i = 0; i < SWEEP_NCONFIGS; i++)
			o->config[i] = true;
	if (!o->nr_errnos)
		o->errnos[o->nr_errnos++] = EINVAL;
	if (!*o->preload)
		sweep_bad("--preload: no shim to preload (this build has "
			  "none for programs built without sanitizers: MSan "
			  "has no shared runtime; use the asan or default "
			  "build's)");
	sweep_preload_check(o);
	if (!sweep_which(qemu, o->qemu, sizeof(o->qemu)))
		sweep_unusable("QEMU '%.200s' not found or not executable",
			       qemu);
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
	printf("qemu sweep: %lu points, %lu clean, %lu leaked\n", t.points,
	       t.clean, t.leaked);
	return t.leaked > t.known ? 1 : 0;
}
