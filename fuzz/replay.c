/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach_replay: the plain engine. Runs every input file given on the
 * command line (directories: every regular file in them, in name order) once
 * through the fuzz_attach harness, with any compiler and no fuzzing
 * runtime, so CTest and gcc coverage use the same harness as libFuzzer.
 *
 *   fuzz_attach_replay [-v] [--sweep] [--fail-nth N [--errno NAME | --alloc]]
 *                      [--kind KINDS[:REQUEST]:ERRNO] [--check-reset]
 *                      [--arena] PATH...
 *
 *   -v            print each program as text, every op's result, and every
 *                 host call numbered (the numbers --fail-nth takes)
 *   --sweep       the fail-nth sweeps, per input: one clean run; then for
 *                 each sweep errno one run failing host call 1, 2, 3, ...
 *                 (counted from the start of the program) until the fault
 *                 no longer fires, then the same over the core's memory
 *                 allocations; then the two-fault sweeps: for each of a
 *                 few fault kinds armed for the whole run, failing host
 *                 call 1, 2, 3, ... as well. Prints the points swept.
 *   --fail-nth N  run one sweep point only (to replay a sweep failure):
 *                 host call N (1 or more) with --errno (default EINVAL),
 *                 or the core's allocation N with --alloc
 *   --kind SPEC   arm a fault kind for the whole run, as the two-fault
 *                 sweep does: "ioctl:IOMMU_DESTROY:EBUSY", "close:EIO";
 *                 kinds are fault-kind's (op.h), joined by ','
 *   --check-reset after every run (every sweep point too) the machine the
 *                 runs share must digest as a new one once reset
 *                 (FUZZ_ATTACH_CHECK_RESET=1 does the same)
 *   --arena       the machine takes its objects from an arena, as under
 *                 the fuzzing engines (default: libc, every emulator
 *                 allocation in ASan's sight)
 *
 * Files named README* or starting with '.' are not inputs. Every argument
 * is checked before anything runs. A violated invariant aborts the process
 * (the harness prints the program); exit status 1 for any other trouble
 * (unreadable file, harness out of memory), 2 for a bad argument.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <emu/ioctl_names.h>

#include "harness.h"

/* A sweep stops here even if faults keep firing: a runaway guard. */
#define REPLAY_SWEEP_CAP	100000UL
#define REPLAY_MAX_INPUT	(1u << 20)

static const int replay_sweep_errnos[] = { EINVAL, ENOMEM };

/*
 * The faults the two-fault sweep arms for a whole run: the ones a second
 * failure in the same unwind most often meets (a DESTROY kept busy, a
 * DETACH that fails, an UNMAP that stops half way, a close).
 */
static const struct {
	unsigned int kinds;
	unsigned long request;
	int errnum;
} replay_kinds[] = {
	{ EMU_FAULT_IOCTL, IOMMU_DESTROY, EBUSY },
	{ EMU_FAULT_IOCTL, VFIO_DEVICE_DETACH_IOMMUFD_PT, EINVAL },
	{ EMU_FAULT_IOCTL, IOMMU_IOAS_UNMAP, ENOENT },
	{ EMU_FAULT_CLOSE, 0, EIO },
};

#define REPLAY_NKINDS (sizeof(replay_kinds) / sizeof(replay_kinds[0]))

struct replay {
	struct fuzz_opts o;
	bool sweep;
	unsigned long inputs;
	unsigned long single;	/* single-fault points, clean runs excluded */
	unsigned long double_;	/* two-fault points */
};

/*
 * Read all of @path into a fresh buffer: 0 or -errno. The buffer is the
 * file's size plus the byte that proves the end was reached (a 1 MiB one
 * per input would be an mmap and a munmap each time under ASan, a cost a
 * timing of the harness must not include).
 */
static int replay_read(const char *path, uint8_t **out, size_t *len)
{
	uint8_t *buf;
	size_t cap = REPLAY_MAX_INPUT, used = 0;
	struct stat st;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size < (off_t)REPLAY_MAX_INPUT)
		cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t n = read(fd, buf + used, cap - used);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto err_free;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used == cap && cap < REPLAY_MAX_INPUT) {
			/* The file grew since fstat: allow the maximum. */
			uint8_t *big = realloc(buf, REPLAY_MAX_INPUT);

			if (!big) {
				ret = -ENOMEM;
				goto err_free;
			}
			buf = big;
			cap = REPLAY_MAX_INPUT;
		} else if (used == cap) {
			ret = -EFBIG;
			goto err_free;
		}
	}
	*out = buf;
	*len = used;
	goto out_close;

err_free:
	free(buf);
out_close:
	close(fd);
	return ret;
}

/*
 * Sweep host call 1, 2, ... (or allocation 1, 2, ...) under @o until the
 * fault no longer fires: the points swept, or -errno.
 */
static long replay_sweep(const char *path, const uint8_t *data, size_t len,
			 struct fuzz_opts o)
{
	unsigned long nth;
	int ret;

	for (nth = 1; nth <= REPLAY_SWEEP_CAP; nth++) {
		o.sweep.nth = nth;
		ret = fuzz_attach_run(data, len, &o);
		if (ret < 0)
			return ret;
		if (ret != FUZZ_SWEEP_FIRED)
			return (long)nth - 1;
	}
	fprintf(stderr, "%s: sweep passed %lu points\n", path,
		REPLAY_SWEEP_CAP);
	return -E2BIG;
}

/* Every sweep of one input: single faults, then two faults. */
static int replay_sweeps(struct replay *r, const char *path,
			 const uint8_t *data, size_t len)
{
	unsigned long single = 0, twofold = 0;
	struct fuzz_opts o = r->o;
	size_t e, k;
	long n;

	/* One pass per errno over host calls, then one over allocations. */
	for (e = 0; e <= sizeof(replay_sweep_errnos) / sizeof(int); e++) {
		o.sweep.alloc = e == sizeof(replay_sweep_errnos) / sizeof(int);
		if (!o.sweep.alloc)
			o.sweep.errnum = replay_sweep_errnos[e];
		n = replay_sweep(path, data, len, o);
		if (n < 0)
			return (int)n;
		single += (unsigned long)n;
	}
	/* A kind armed for the whole run, and fail-nth over the rest. */
	o.sweep.alloc = false;
	o.sweep.errnum = EINVAL;
	for (k = 0; k < REPLAY_NKINDS; k++) {
		o.sweep.kinds = replay_kinds[k].kinds;
		o.sweep.request = replay_kinds[k].request;
		o.sweep.kind_errnum = replay_kinds[k].errnum;
		n = replay_sweep(path, data, len, o);
		if (n < 0)
			return (int)n;
		twofold += (unsigned long)n;
	}
	r->single += single;
	r->double_ += twofold;
	printf("%s: %lu single-fault and %lu two-fault, %lu sweep points\n",
	       path, single, twofold, single + twofold);
	return 0;
}

/* Run one input: once, or every sweep. 0 or -errno. */
static int replay_one(struct replay *r, const char *path)
{
	struct fuzz_opts o = r->o;
	uint8_t *data = NULL;
	size_t len = 0;
	int ret;

	ret = replay_read(path, &data, &len);
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-ret));
		return ret;
	}
	if (o.verbose)
		fprintf(stdout, "== %s (%zu bytes)\n", path, len);
	ret = fuzz_attach_run(data, len, &o);
	if (ret < 0)
		goto out_free;
	if (o.sweep.nth)
		printf("%s: %s %lu %s\n", path,
		       o.sweep.alloc ? "allocation" : "host call", o.sweep.nth,
		       ret == FUZZ_SWEEP_FIRED ? "failed" :
		       "was never reached");
	r->inputs++;
	ret = r->sweep ? replay_sweeps(r, path, data, len) : 0;

out_free:
	if (ret < 0 && ret != -E2BIG)
		fprintf(stderr, "%s: harness failed: %s\n", path,
			strerror(-ret));
	free(data);
	return ret;
}

static int replay_filter(const struct dirent *d)
{
	return d->d_name[0] != '.' && strncmp(d->d_name, "README", 6) != 0;
}

/*
 * The inputs of @path: itself, or the regular input files of a directory
 * in name order. With @run each is run; else they are only counted.
 * Returns the number of inputs, or -errno (reported).
 */
static long replay_path(struct replay *r, const char *path, bool run)
{
	struct dirent **names;
	struct stat st;
	long count = 0;
	int i, n, ret = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "fuzz_attach_replay: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (run && replay_one(r, path) < 0)
			return -EIO;
		return 1;
	}
	n = scandir(path, &names, replay_filter, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzz_attach_replay: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	for (i = 0; i < n; i++) {
		char child[PATH_MAX];

		snprintf(child, sizeof(child), "%s/%s", path,
			 names[i]->d_name);
		if (stat(child, &st) == 0 && S_ISREG(st.st_mode)) {
			count++;
			if (run && ret == 0 && replay_one(r, child) < 0)
				ret = -EIO;
		}
		free(names[i]);
	}
	free(names);
	return ret < 0 ? ret : count;
}

static void replay_usage(FILE *f)
{
	fprintf(f,
		"usage: fuzz_attach_replay [-v] [--sweep] [--fail-nth N [--errno NAME | --alloc]]\n"
		"                          [--kind KINDS[:REQUEST]:ERRNO] [--check-reset] [--arena] PATH...\n");
}

/* Refuse the command line with a reason: exit status 2. */
__attribute__((format(printf, 1, 2)))
static int replay_refuse(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_attach_replay: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	replay_usage(stderr);
	return 2;
}

/* A call number: decimal digits only, 1 .. ULONG_MAX. */
static int replay_parse_nth(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out == 0)
		return -EINVAL;
	return 0;
}

/* "ioctl,close[:REQUEST]:ERRNO" into @o's fault kind. */
static int replay_parse_kind(const char *s, struct fuzz_opts *o)
{
	char buf[160], *parts[3], *save = NULL, *tok, *kind;
	const struct emu_ioctl_desc *d;
	unsigned int n = 0, bit;
	int idx;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ":", &save); tok && n < 3;
	     tok = strtok_r(NULL, ":", &save))
		parts[n++] = tok;
	if (tok || n < 2)
		return -EINVAL;
	o->sweep.kinds = 0;
	for (kind = strtok_r(parts[0], ",", &save); kind;
	     kind = strtok_r(NULL, ",", &save)) {
		for (bit = 0; bit < OP_KIND_BITS; bit++)
			if (!strcmp(op_kind_name(bit), kind))
				break;
		if (bit == OP_KIND_BITS)
			return -EINVAL;
		o->sweep.kinds |= 1u << bit;
	}
	o->sweep.request = 0;
	if (n == 3) {
		d = emu_ioctl_find_name(parts[1]);
		if (!d)
			return -EINVAL;
		o->sweep.request = d->request;
	}
	idx = op_errno_find(parts[n - 1]);
	if (idx < 0 || !o->sweep.kinds)
		return -EINVAL;
	o->sweep.kind_errnum = op_errno_value((unsigned int)idx);
	return 0;
}

int main(int argc, char **argv)
{
	struct replay r = { .o = { .sweep = { .errnum = EINVAL } } };
	const char **paths;
	bool errno_given = false;
	int i, idx, ret = 0, npaths = 0;
	long n;

	paths = calloc((size_t)argc, sizeof(*paths));
	if (!paths)
		return 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool takes = !strcmp(a, "--fail-nth") || !strcmp(a, "--errno") ||
			     !strcmp(a, "--kind");

		if (takes && i + 1 == argc) {
			ret = replay_refuse("%s wants a value", a);
			goto out_free_paths;
		}
		if (!strcmp(a, "-v")) {
			r.o.verbose = true;
		} else if (!strcmp(a, "--sweep")) {
			r.sweep = true;
		} else if (!strcmp(a, "--check-reset")) {
			r.o.check_reset = true;
		} else if (!strcmp(a, "--arena")) {
			r.o.emu_arena = true;
		} else if (!strcmp(a, "--alloc")) {
			r.o.sweep.alloc = true;
		} else if (!strcmp(a, "--fail-nth")) {
			if (replay_parse_nth(argv[++i], &r.o.sweep.nth) < 0) {
				ret = replay_refuse("--fail-nth '%s': want a host call number, 1 or more (decimal)",
						    argv[i]);
				goto out_free_paths;
			}
		} else if (!strcmp(a, "--errno")) {
			idx = op_errno_find(argv[++i]);
			if (idx < 0) {
				ret = replay_refuse("--errno '%s': not an errno a fault injects (EINVAL, ENOMEM, ... as fuzz/GRAMMAR lists)",
						    argv[i]);
				goto out_free_paths;
			}
			r.o.sweep.errnum = op_errno_value((unsigned int)idx);
			errno_given = true;
		} else if (!strcmp(a, "--kind")) {
			if (replay_parse_kind(argv[++i], &r.o) < 0) {
				ret = replay_refuse("--kind '%s': want KINDS[:REQUEST]:ERRNO, e.g. ioctl:IOMMU_DESTROY:EBUSY or close:EIO",
						    argv[i]);
				goto out_free_paths;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			replay_usage(stdout);
			goto out_free_paths;
		} else if (a[0] == '-') {
			ret = replay_refuse("unknown option '%s'", a);
			goto out_free_paths;
		} else {
			paths[npaths++] = a;
		}
	}
	if (npaths == 0)
		ret = replay_refuse("no input given");
	else if ((errno_given || r.o.sweep.alloc) && !r.o.sweep.nth)
		ret = replay_refuse("%s needs --fail-nth N", errno_given ?
				    "--errno" : "--alloc");
	else if (errno_given && r.o.sweep.alloc)
		ret = replay_refuse("--errno and --alloc exclude each other");
	else if (r.sweep && (r.o.sweep.nth || r.o.sweep.kinds))
		ret = replay_refuse("--sweep runs every point itself: no %s",
				    r.o.sweep.nth ? "--fail-nth" : "--kind");
	if (ret)
		goto out_free_paths;
	/* Every path must exist and hold an input before anything runs. */
	for (i = 0; i < npaths; i++) {
		n = replay_path(&r, paths[i], false);
		if (n == 0)
			fprintf(stderr, "fuzz_attach_replay: %s: no input in it (every file but README* and dotfiles is one)\n",
				paths[i]);
		if (n <= 0) {
			ret = 2;
			goto out_free_paths;
		}
	}

	ret = fuzz_attach_driver_init(&r.o);
	if (ret < 0) {
		if (ret != -EINVAL)
			fprintf(stderr, "fuzz_attach_replay: out of memory\n");
		ret = ret == -EINVAL ? 2 : 1;
		goto out_free_paths;
	}
	for (i = 0; i < npaths && ret == 0; i++)
		if (replay_path(&r, paths[i], true) < 0)
			ret = 1;
	if (ret == 0) {
		printf("fuzz_attach_replay: %lu inputs ok", r.inputs);
		if (r.sweep)
			printf(", %lu single-fault and %lu two-fault, %lu sweep points",
			       r.single, r.double_, r.single + r.double_);
		printf("\n");
	}
	fuzz_attach_driver_fini(&r.o);
out_free_paths:
	free(paths);
	return ret;
}
