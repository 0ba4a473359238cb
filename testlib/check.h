/* SPDX-License-Identifier: MIT */
/*
 * The test helpers every unit and conformance test uses: assertions that
 * print the expression, the values and the place, and a tiny runner so that
 * one executable holds several named tests and CTest can run each alone.
 *
 * The helpers come in the selftest triplet shape: call the function under
 * test raw and pass its result to CHECK_OK (must succeed, returns >= 0) or
 * CHECK_ERR (must fail with exactly that errno, as -errno). A failed check
 * prints and exits the process with status 1, so a failing test can never
 * be mistaken for a passing one.
 */
#ifndef IOFD_TESTLIB_CHECK_H
#define IOFD_TESTLIB_CHECK_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check_test {
	const char *name;
	void (*fn)(void);
};

static inline void check_fail_at(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	exit(1);
}

static inline const char *check_errname(long v)
{
	static char buf[64];

	if (v >= 0) {
		snprintf(buf, sizeof(buf), "%ld", v);
		return buf;
	}
	snprintf(buf, sizeof(buf), "-%s(%ld)", strerrorname_np((int)-v) ?
		 strerrorname_np((int)-v) : "?", -v);
	return buf;
}

static inline long check_ok_at(long got, const char *expr, const char *file,
			       int line)
{
	if (got < 0) {
		fprintf(stderr, "%s:%d: %s: expected success, got %s\n", file,
			line, expr, check_errname(got));
		exit(1);
	}
	return got;
}

static inline void check_err_at(long got, int errnum, const char *expr,
				const char *file, int line)
{
	if (got != -(long)errnum) {
		char want[64];

		snprintf(want, sizeof(want), "%s", check_errname(-errnum));
		fprintf(stderr, "%s:%d: %s: expected %s, got %s\n", file, line,
			expr, want, check_errname(got));
		exit(1);
	}
}

static inline void check_u64_at(uint64_t got, uint64_t want, const char *expr,
				const char *file, int line)
{
	if (got != want) {
		fprintf(stderr, "%s:%d: %s: expected %#" PRIx64 ", got %#" PRIx64
			"\n", file, line, expr, want, got);
		exit(1);
	}
}

/* Assert a condition. */
#define CHECK(cond) \
	((cond) ? (void)0 : check_fail_at(__FILE__, __LINE__, #cond))
/* Assert a 0-or-negative-errno result is a success; yields the result. */
#define CHECK_OK(expr) check_ok_at((long)(expr), #expr, __FILE__, __LINE__)
/* Assert a 0-or-negative-errno result is exactly -errnum. */
#define CHECK_ERR(errnum, expr) \
	check_err_at((long)(expr), (errnum), #expr, __FILE__, __LINE__)
/* Assert two integers are equal. */
#define CHECK_EQ(got, want) \
	check_u64_at((uint64_t)(got), (uint64_t)(want), #got, __FILE__, __LINE__)

/*
 * Run the test named argv[1], or every test when there is no argument.
 * Returns the process exit status.
 */
static inline int check_main(int argc, char **argv,
			     const struct check_test *tests, size_t count)
{
	size_t i, ran = 0;

	for (i = 0; i < count; i++) {
		if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
			continue;
		fprintf(stderr, "[ RUN  ] %s\n", tests[i].name);
		tests[i].fn();
		fprintf(stderr, "[  OK  ] %s\n", tests[i].name);
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "");
		return 1;
	}
	return 0;
}

#define CHECK_MAIN(tests) \
	int main(int argc, char **argv) \
	{ \
		return check_main(argc, argv, tests, \
				  sizeof(tests) / sizeof(tests[0])); \
	}

#endif /* IOFD_TESTLIB_CHECK_H */
