/* SPDX-License-Identifier: MIT */
/*
 * The real host on ordinary files: every entry of the table turns libc's
 * -1/errno into -errno (pread and pwrite included, an offset past
 * INT64_MAX being EINVAL), read_file is bounded and says EFBIG when a file
 * does not fit, list_dir skips "." and "..", and stops when the callback
 * asks. (Its iommufd use is checked in the VM, tools/vm.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <iofd/host.h>

#include "check.h"

struct seen {
	int count;
	bool dot;
	char last[64];
};

static int count_entry(void *arg, const char *name)
{
	struct seen *s = arg;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		s->dot = true;
	s->count++;
	snprintf(s->last, sizeof(s->last), "%s", name);
	return 0;
}

static int stop_at_first(void *arg, const char *name)
{
	return 7;
}

static void test_real_host(void)
{
	char dir[] = "/tmp/iofd-host-XXXXXX", path[128], buf[8];
	struct iofd_host h;
	struct seen seen = { 0 };
	struct stat st;
	void *map;
	int fd;

	iofd_host_real(&h);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/dev", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "10:3\n", 5) == 5);
	close(fd);

	CHECK_EQ(h.ops->read_file(h.priv, path, buf, sizeof(buf)), 5);
	CHECK(!strcmp(buf, "10:3\n"));

	/* pread/pwrite at an offset, with the kernel's errno. */
	fd = CHECK_OK(h.ops->open(h.priv, path, O_RDWR | O_CLOEXEC));
	CHECK_EQ(h.ops->pread(h.priv, fd, buf, 2, 2), 2);
	CHECK(!memcmp(buf, ":3", 2));
	CHECK_EQ(h.ops->pwrite(h.priv, fd, "42", 2, 0), 2);
	CHECK_EQ(h.ops->pread(h.priv, fd, buf, 5, 0), 5);
	CHECK(!memcmp(buf, "42:3\n", 5));
	CHECK_EQ(h.ops->pread(h.priv, fd, buf, 4, 5), 0);
	CHECK_ERR(EINVAL, h.ops->pread(h.priv, fd, buf, 1, UINT64_MAX));
	CHECK_ERR(EINVAL, h.ops->pwrite(h.priv, fd, buf, 1, 1ULL << 63));
	/* the largest offset off_t holds is the kernel's to judge */
	CHECK_EQ(h.ops->pread(h.priv, fd, buf, 0, INT64_MAX), 0);
	CHECK_EQ(h.ops->pwrite(h.priv, fd, buf, 0, INT64_MAX), 0);
	/* mmap/munmap, the same way. */
	CHECK_OK(h.ops->mmap(h.priv, NULL, 4096, PROT_READ, MAP_SHARED, fd, 0,
			     &map));
	CHECK(!memcmp(map, "42:3\n", 5));
	CHECK_OK(h.ops->munmap(h.priv, map, 4096));
	CHECK_ERR(EINVAL, h.ops->mmap(h.priv, NULL, 4096, PROT_READ,
				      MAP_SHARED, fd, 1ULL << 63, &map));
	CHECK_ERR(EINVAL, h.ops->mmap(h.priv, NULL, 4096, PROT_READ,
				      MAP_SHARED, fd, 100, &map));
	CHECK_ERR(EINVAL, h.ops->munmap(h.priv, (char *)map + 1, 4096));
	CHECK_OK(h.ops->close(h.priv, fd));
	CHECK_ERR(EBADF, h.ops->mmap(h.priv, NULL, 4096, PROT_READ, MAP_SHARED,
				     fd, 0, &map));
	CHECK_ERR(EBADF, h.ops->pread(h.priv, fd, buf, 1, 0));
	CHECK_ERR(EBADF, h.ops->pwrite(h.priv, fd, buf, 1, 0));
	CHECK_EQ(h.ops->read_file(h.priv, path, buf, 6), 5);	/* just fits */
	CHECK_ERR(EFBIG, h.ops->read_file(h.priv, path, buf, 5));
	CHECK_ERR(EINVAL, h.ops->read_file(h.priv, path, buf, 0));
	CHECK_ERR(ENOENT, h.ops->read_file(h.priv, "/nonexistent/x", buf,
					   sizeof(buf)));
	CHECK_ERR(EISDIR, h.ops->read_file(h.priv, dir, buf, sizeof(buf)));

	CHECK_OK(h.ops->list_dir(h.priv, dir, count_entry, &seen));
	CHECK_EQ(seen.count, 1);
	CHECK(!seen.dot);
	CHECK(!strcmp(seen.last, "dev"));
	CHECK_EQ(h.ops->list_dir(h.priv, dir, stop_at_first, NULL), 7);
	CHECK_ERR(ENOENT, h.ops->list_dir(h.priv, "/nonexistent", count_entry,
					  &seen));

	CHECK_OK(h.ops->stat(h.priv, "/dev/null", &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_ERR(ENOENT, h.ops->stat(h.priv, "/nonexistent", &st));
	fd = CHECK_OK(h.ops->open(h.priv, "/dev/null", O_RDWR | O_CLOEXEC));
	CHECK_OK(h.ops->fstat(h.priv, fd, &st));
	CHECK_EQ(st.st_rdev, makedev(1, 3));
	CHECK_ERR(ENOTTY, h.ops->ioctl(h.priv, fd, 0x3b80, NULL));
	CHECK_OK(h.ops->close(h.priv, fd));
	CHECK_ERR(EBADF, h.ops->close(h.priv, fd));
	CHECK_ERR(EBADF, h.ops->fstat(h.priv, fd, &st));
	CHECK_ERR(ENOENT, h.ops->open(h.priv, "/nonexistent", O_RDONLY));

	unlink(path);
	rmdir(dir);
}

static const struct check_test tests[] = {
	{ "real_host", test_real_host },
};

CHECK_MAIN(tests)
