/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach_replay: the plain engine. Runs every input file given on the
 * command line (directories: every regular file in them, in name order) once
 * through the fuzz_attach harness, with any compiler and no fuzzing
 * runtime, so CTest and gcc coverage use the same harness as libFuzzer.
 *
 *   fuzz_attach_replay [-v] [--sweep] [--fail-nth N [--errno NAME | --alloc]]
 *                      PATH...
 *
 *   -v            print each program as text, every op's result, and every
 *                 host call numbered (the numbers --fail-nth takes)
 *   --sweep       the fail-nth sweep: per input, one clean run, then for
 *                 each sweep errno one run failing host call 1, 2, 3, ...
 *                 (counted from the start of the program) until the fault
 *                 no longer fires, then the same over the core's memory
 *                 allocations; prints the number of points swept
 *   --fail-nth N  run one sweep point only (to replay a sweep failure):
 *                 host call N with --errno (default EINVAL), or the core's
 *                 allocation N with --alloc
 *
 * Files named README* or starting with '.' are not inputs. A violated
 * invariant aborts the process (the harness prints the program); any other
 * trouble (unreadable file, harness out of memory) exits with status 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* A sweep stops here even if faults keep firing: a runaway guard. */
#define REPLAY_SWEEP_CAP	100000UL
#define REPLAY_MAX_INPUT	(1u << 20)

static const int replay_sweep_errnos[] = { EINVAL, ENOMEM };

struct replay {
	struct fuzz_opts o;
	bool sweep;
	unsigned long inputs;
	unsigned long points;	/* sweep points run, clean runs excluded */
};

/*
 * Read all of @path into a fresh buffer: 0 or -errno. The buffer is the
 * file's size plus the byte that proves the end was reached (a 1 MiB one
 * per input would be an mmap and a munmap each time under ASan, a cost a
 * timing of the harness must not include); a file that is not regular
 * gets the maximum.
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

/* Run one input: once, or the whole sweep. 0 or -errno. */
static int replay_one(struct replay *r, const char *path)
{
	struct fuzz_opts o = r->o;
	unsigned long nth, points = 0;
	uint8_t *data = NULL;
	size_t len = 0, e;
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
	if (o.sweep_nth)
		printf("%s: %s %lu %s\n", path,
		       o.sweep_alloc ? "allocation" : "host call", o.sweep_nth,
		       ret == FUZZ_SWEEP_FIRED ? "failed" :
		       "was never reached");
	ret = 0;
	r->inputs++;
	if (!r->sweep)
		goto out_free;

	/* One pass per errno over host calls, then one over allocations. */
	for (e = 0; e <= sizeof(replay_sweep_errnos) / sizeof(int); e++) {
		o.sweep_alloc = e == sizeof(replay_sweep_errnos) / sizeof(int);
		if (!o.sweep_alloc)
			o.sweep_errno = replay_sweep_errnos[e];
		for (nth = 1; nth <= REPLAY_SWEEP_CAP; nth++) {
			o.sweep_nth = nth;
			ret = fuzz_attach_run(data, len, &o);
			if (ret < 0)
				goto out_free;
			if (ret != FUZZ_SWEEP_FIRED)
				break;
			points++;
		}
		if (nth > REPLAY_SWEEP_CAP) {
			fprintf(stderr, "%s: sweep passed %lu points\n", path,
				REPLAY_SWEEP_CAP);
			ret = -E2BIG;
			goto out_free;
		}
	}
	ret = 0;
	r->points += points;
	printf("%s: %lu sweep points\n", path, points);

out_free:
	if (ret < 0 && ret != -E2BIG)
		fprintf(stderr, "%s: harness failed: %s\n", path,
			strerror(-ret));
	free(data);
	return ret;
}

static bool replay_is_input(const char *name)
{
	return name[0] != '.' && strncmp(name, "README", 6) != 0;
}

static int replay_filter(const struct dirent *d)
{
	return replay_is_input(d->d_name);
}

/* Run @path: a file, or every regular input file of a directory. */
static int replay_path(struct replay *r, const char *path)
{
	struct dirent **names;
	struct stat st;
	int i, n, ret = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_one(r, path);

	n = scandir(path, &names, replay_filter, alphasort);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	for (i = 0; i < n; i++) {
		char child[4096];

		snprintf(child, sizeof(child), "%s/%s", path,
			 names[i]->d_name);
		if (ret == 0 && stat(child, &st) == 0 && S_ISREG(st.st_mode))
			ret = replay_one(r, child);
		free(names[i]);
	}
	free(names);
	return ret;
}

static void replay_usage(void)
{
	fprintf(stderr,
		"usage: fuzz_attach_replay [-v] [--sweep] [--fail-nth N [--errno NAME | --alloc]] PATH...\n");
}

int main(int argc, char **argv)
{
	struct replay r = { .o = { .sweep_errno = EINVAL } };
	void *arena;
	int i, ret = 0, npaths = 0;

	arena = aligned_alloc(OP_PAGE_SIZE, FUZZ_ARENA_SIZE);
	if (!arena)
		return 1;
	r.o.arena = arena;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0) {
			r.o.verbose = true;
		} else if (strcmp(argv[i], "--sweep") == 0) {
			r.sweep = true;
		} else if (strcmp(argv[i], "--alloc") == 0) {
			r.o.sweep_alloc = true;
		} else if (strcmp(argv[i], "--fail-nth") == 0 && i + 1 < argc) {
			r.o.sweep_nth = strtoul(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--errno") == 0 && i + 1 < argc) {
			int idx = op_errno_find(argv[++i]);

			if (idx < 0) {
				fprintf(stderr, "unknown errno %s\n", argv[i]);
				ret = 1;
				goto out_free_arena;
			}
			r.o.sweep_errno = op_errno_value((unsigned int)idx);
		} else if (argv[i][0] == '-') {
			replay_usage();
			ret = 1;
			goto out_free_arena;
		} else {
			npaths++;
		}
	}
	if (npaths == 0 || (r.sweep && r.o.sweep_nth)) {
		replay_usage();
		ret = 1;
		goto out_free_arena;
	}

	for (i = 1; i < argc && ret == 0; i++) {
		if (strcmp(argv[i], "--fail-nth") == 0 ||
		    strcmp(argv[i], "--errno") == 0) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		if (replay_path(&r, argv[i]) < 0)
			ret = 1;
	}
	if (ret == 0) {
		printf("fuzz_attach_replay: %lu inputs ok", r.inputs);
		if (r.sweep)
			printf(", %lu sweep points", r.points);
		printf("\n");
	}

out_free_arena:
	free(arena);
	return ret;
}
