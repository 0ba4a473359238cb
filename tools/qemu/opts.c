// SPDX-License-Identifier: MIT
/*
 * iofd_qemu_sweep's options: every one checked before anything runs, a
 * usage error (exit 2) naming the bad value and the accepted form; the
 * known QEMU findings file; and what makes the setup unusable (exit 3): a
 * QEMU that is missing, statically linked or without iommufd, a --preload
 * that is not the shim.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sweep.h"

#ifndef IOFD_QEMU_PRELOAD
#define IOFD_QEMU_PRELOAD ""
#endif
#ifndef IOFD_QEMU_KNOWN
#define IOFD_QEMU_KNOWN ""
#endif

const char *const sweep_config_names[SWEEP_NCONFIGS] = {
	[SWEEP_PLAIN] = "plain",
	[SWEEP_VIOMMU] = "viommu",
};

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
void sweep_unusable(const char *fmt, ...)
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

const struct sweep_known *sweep_known_match(const struct sweep_opts *o,
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

int sweep_dynamic(const char *path)
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

bool sweep_has_iommufd(const char *qemu)
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

void sweep_parse(int argc, char **argv, struct sweep_opts *o)
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
