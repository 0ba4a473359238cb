// SPDX-License-Identifier: MIT
/*
 * The fail-nth file and the model's fault points (emu/failnth.h): the
 * file's text and its parser (the kernel's kstrtouint: bases, one newline,
 * EINVAL, ERANGE), the task it belongs to, and a sweep over a sequence of
 * iommufd calls failing point 1, 2, ... that must leave the model empty
 * after every run and end only when the counter was not consumed.
 */
#include <stdio.h>
#include <unistd.h>

#include "emu_test.h"

static int t_fail_nth_open(struct emu_t *t)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	return t_open(t, path);
}

/* Write @text: the byte count or -errno. */
static long t_fail_nth_set(struct emu_t *t, int fd, const char *text)
{
	return emu_pwrite(t->emu, fd, text, strlen(text), 0);
}

/* The file's counter as its text, into @buf. */
static void t_fail_nth_text(struct emu_t *t, int fd, char *buf, size_t cap)
{
	long n = CHECK_OK(emu_pread(t->emu, fd, buf, cap - 1, 0));

	buf[n] = '\0';
}

static void fail_nth_text_and_parser(void)
{
	static const struct {
		const char *in;
		long rc;
		const char *out;
	} cases[] = {
		{ "3", 1, "3\n" },
		{ "7\n", 2, "7\n" },
		{ "+5", 2, "5\n" },
		{ "0x10", 4, "16\n" },
		{ "010", 3, "8\n" },
		{ "0", 1, "0\n" },
		{ "4294967295", 10, "4294967295\n" },
		{ "abc", -EINVAL, NULL },
		{ "", -EINVAL, NULL },
		{ "-1", -EINVAL, NULL },
		{ "5\n\n", -EINVAL, NULL },
		{ "08", -EINVAL, NULL },
		{ "0x", -EINVAL, NULL },
		{ "4294967296", -ERANGE, NULL },
		{ "99999999999999999999999", -ERANGE, NULL },
	};
	char buf[32];
	struct emu_t t;
	size_t i;
	int fd;

	emu_t_setup(&t);
	fd = CHECK_OK(t_fail_nth_open(&t));
	t_fail_nth_text(&t, fd, buf, sizeof(buf));
	CHECK(!strcmp(buf, "0\n"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_OK(t_fail_nth_set(&t, fd, "1"));
		CHECK_EQ(t_fail_nth_set(&t, fd, cases[i].in), cases[i].rc);
		t_fail_nth_text(&t, fd, buf, sizeof(buf));
		if (cases[i].out)
			CHECK(!strcmp(buf, cases[i].out));
		else
			CHECK(!strcmp(buf, "1\n"));	/* unchanged */
	}
	/* Only the first 34 bytes are parsed; the whole count is written. */
	CHECK_EQ(t_fail_nth_set(&t, fd, "0000000000000000000000000000000002junk"),
		 38);
	t_fail_nth_text(&t, fd, buf, sizeof(buf));
	CHECK(!strcmp(buf, "2\n"));
	/* A read from past the text gives nothing. */
	CHECK_EQ(emu_pread(t.emu, fd, buf, sizeof(buf), 2), 0);
	CHECK_ERR(EFAULT, emu_pwrite(t.emu, fd, NULL, 1, 0));
	CHECK_ERR(EFAULT, emu_pread(t.emu, fd, NULL, 4, 0));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void fail_nth_paths(void)
{
	struct stat st;
	char buf[32];
	struct emu_t t;
	int fd, fd2;

	emu_t_setup(&t);
	fd = CHECK_OK(t_fail_nth_open(&t));
	fd2 = CHECK_OK(t_open(&t, "/proc/thread-self/fail-nth"));
	CHECK_OK(t_fail_nth_set(&t, fd, "9"));
	t_fail_nth_text(&t, fd2, buf, sizeof(buf));
	CHECK(!strcmp(buf, "9\n"));
	CHECK_OK(t.host.ops->fstat(t.host.priv, fd2, &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_OK(t_fail_nth_set(&t, fd, "0"));
	CHECK_OK(t_close(&t, fd2));
	CHECK_OK(t_close(&t, fd));
	/* No such thread in this process; no such file of a thread. */
	CHECK_ERR(ENOENT, t_open(&t, "/proc/self/task/0/fail-nth"));
	CHECK_ERR(ENOENT, t_open(&t, "/proc/self/task/2147483647/fail-nth"));
	CHECK_ERR(ENOENT, t_open(&t, "/proc/self/fail-nth"));
	/* The fault-injection attributes: text to read, never opened. */
	CHECK_EQ(t.host.ops->read_file(t.host.priv,
				       "/sys/kernel/debug/failslab/ignore-gfp-wait",
				       buf, sizeof(buf)), 2);
	CHECK(!strcmp(buf, "Y\n"));
	CHECK_EQ(t.host.ops->read_file(t.host.priv,
				       "/sys/kernel/debug/fail_iommufd/verbose",
				       buf, sizeof(buf)), 2);
	CHECK_ERR(ENOENT, t.host.ops->read_file(
			t.host.priv, "/sys/kernel/debug/fail_iommufd/cache-filter",
			buf, sizeof(buf)));
	CHECK_ERR(EACCES, t_open(&t, "/sys/kernel/debug/failslab/verbose"));
	emu_t_teardown(&t);
}

/*
 * A sequence that reaches many fault points: a context, an IOAS, the
 * allowed list, a map, a copy, an unmap. Returns 0 when every step
 * worked; on the first failure it stops and closes all.
 */
static int t_basic_body(struct emu_t *t, int nfd, const char *nth)
{
	struct iommu_iova_range r = { .start = 16 * PG, .last = 1024 * PG };
	struct iommu_ioas_allow_iovas allow = {
		.size = sizeof(allow), .num_iovas = 1,
		.allowed_iovas = (uintptr_t)&r,
	};
	struct iommu_ioas_copy copy = {
		.size = sizeof(copy),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.length = PG,
	};
	uint64_t iova;
	uint32_t ioas;
	int fd, rc;

	if (nth)
		CHECK_OK(t_fail_nth_set(t, nfd, nth));
	fd = t_open(t, "/dev/iommu");
	if (fd < 0)
		return fd;
	rc = ioas_alloc_raw(t, fd, &ioas);
	if (rc)
		goto out_close;
	allow.ioas_id = ioas;
	rc = t_ioctl(t, fd, IOMMU_IOAS_ALLOW_IOVAS, &allow);
	if (rc)
		goto out_close;
	rc = map_auto_raw(t, fd, ioas, 16 * PG, t_va(t, 0), &iova);
	if (rc)
		goto out_close;
	copy.dst_ioas_id = copy.src_ioas_id = ioas;
	copy.src_iova = iova;
	rc = t_ioctl(t, fd, IOMMU_IOAS_COPY, &copy);
	if (rc)
		goto out_close;
	rc = unmap_raw(t, fd, ioas, iova, 16 * PG, NULL);
out_close:
	CHECK_OK(t_close(t, fd));
	return rc;
}

static void fail_nth_sweep_unwinds(void)
{
	char nth[16], buf[16];
	unsigned int n, failed = 0;
	struct emu_t t;
	int nfd, rc;

	emu_t_setup(&t);
	nfd = CHECK_OK(t_fail_nth_open(&t));
	CHECK_OK(t_basic_body(&t, nfd, NULL));
	for (n = 1; n < 400; n++) {
		snprintf(nth, sizeof(nth), "%u", n);
		rc = t_basic_body(&t, nfd, nth);
		t_fail_nth_text(&t, nfd, buf, sizeof(buf));
		CHECK_OK(t_fail_nth_set(&t, nfd, "0"));
		/* Whatever failed, nothing of the run is left. */
		emu_t_expect_counters(&t, 1, 0, 0, 0);
		if (strcmp(buf, "0\n")) {
			/* Not consumed: the whole body ran and worked. */
			CHECK_OK(rc);
			break;
		}
		CHECK(rc < 0);
		failed++;
	}
	CHECK(n < 400);
	/* Every allocation and iommufd site on the way is a point. */
	CHECK(failed >= 10);
	CHECK_OK(t_close(&t, nfd));
	emu_t_teardown(&t);
}

/* The counter is the calling thread's: another task's does not count. */
static void fail_nth_per_task(void)
{
	struct emu_t t;
	uint32_t ioas;
	int nfd, fd;

	emu_t_setup(&t);
	nfd = CHECK_OK(t_fail_nth_open(&t));
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	emu_task_set(t.emu, getpid(), gettid() + 1);
	CHECK_OK(t_fail_nth_set(&t, nfd, "1"));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	emu_task_set(t.emu, 0, 0);
	CHECK_ERR(ENOMEM, ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(t_close(&t, fd));
	CHECK_OK(t_close(&t, nfd));
	emu_t_teardown(&t);
}

static const struct check_test tests[] = {
	TEST(fail_nth_text_and_parser),
	TEST(fail_nth_paths),
	TEST(fail_nth_sweep_unwinds),
	TEST(fail_nth_per_task),
};

CHECK_MAIN(tests)
