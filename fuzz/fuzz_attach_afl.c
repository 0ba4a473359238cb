/* SPDX-License-Identifier: MIT */
/*
 * fuzz_attach under AFL++, in persistent shared-memory mode: built with
 * afl-clang-fast (tools/afl.sh does it), the fork server starts once after
 * the arena is allocated, and each child runs up to FUZZ_AFL_LOOP inputs
 * read straight from AFL++'s shared memory, with no read() per input. The
 * harness resets its machine after every input (FUZZ_ATTACH_CHECK_RESET=1
 * proves each reset), so nothing one input does reaches the next, which
 * is what persistent mode needs.
 *
 * Built with any other compiler (no __AFL_COMPILER), the same program runs
 * the inputs named on its command line, or stdin, once each: afl-tmin and
 * a person replaying a crash can use it as they would the AFL++ build.
 *
 * A violated invariant aborts (the harness prints the program's text form
 * on stderr first); AFL++ keeps the input under crashes/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

/* Inputs per fork: long enough to amortise the fork, short enough that a
 * slow leak in the core or the emulator cannot build up unnoticed. */
#define FUZZ_AFL_LOOP 10000
#define FUZZ_AFL_MAX_INPUT (1u << 16)

#ifdef __AFL_COMPILER

__AFL_FUZZ_INIT();

int main(void)
{
	struct fuzz_opts o = { .emu_arena = true };
	unsigned char *buf;
	int ret;

	ret = fuzz_attach_driver_init(&o);
	if (ret < 0)
		return ret == -EINVAL ? 2 : 1;
	/* The fork server starts here, after the one-time setup. */
	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(FUZZ_AFL_LOOP)) {
		size_t len = __AFL_FUZZ_TESTCASE_LEN;

		fuzz_attach_run(buf, len, &o);
	}
	fuzz_attach_driver_fini(&o);
	return 0;
}

#else /* !__AFL_COMPILER */

/* Run the input in @f once: 0, or -errno when it cannot be read. */
static int fuzz_afl_run_file(FILE *f, const struct fuzz_opts *o,
			     unsigned char *buf)
{
	size_t len = fread(buf, 1, FUZZ_AFL_MAX_INPUT, f);

	if (ferror(f))
		return -EIO;
	fuzz_attach_run(buf, len, o);
	return 0;
}

int main(int argc, char **argv)
{
	struct fuzz_opts o = { 0 };
	unsigned char *buf;
	int i, ret = 0;

	buf = malloc(FUZZ_AFL_MAX_INPUT);
	if (!buf) {
		ret = 1;
		goto out_free_buffers;
	}
	ret = fuzz_attach_driver_init(&o);
	if (ret < 0) {
		ret = ret == -EINVAL ? 2 : 1;
		goto out_free_buffers;
	}
	if (argc < 2) {
		ret = fuzz_afl_run_file(stdin, &o, buf) ? 1 : 0;
		goto out_free_buffers;
	}
	for (i = 1; i < argc && ret == 0; i++) {
		FILE *f = fopen(argv[i], "rb");

		if (!f || fuzz_afl_run_file(f, &o, buf) < 0) {
			perror(argv[i]);
			ret = 1;
		}
		if (f)
			fclose(f);
	}
out_free_buffers:
	fuzz_attach_driver_fini(&o);
	free(buf);
	return ret;
}

#endif /* __AFL_COMPILER */
