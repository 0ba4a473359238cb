/* SPDX-License-Identifier: MIT */
/*
 * Device discovery against a scripted host: every byte the core reads from
 * sysfs is chosen by the test, so the parser and the devt check meet each
 * malformed shape (names, numbers, newlines, overflows, a node of the wrong
 * kind) and must refuse it with the documented errno, leaving no fd open.
 * The scripted host refuses /dev/iommu, so an attach that got past
 * discovery stops there with EACCES.
 */
#include <errno.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "check.h"
#include "fixture.h"

#define SH_CDEV_FD 100
#define SH_CHAR_FD 101

struct sh {
	const char *entries[4];		/* vfio-dev/ listing */
	int list_err;
	const char *dev;		/* vfio-dev/<first vfioN>/dev */
	int read_err;
	bool has_node;			/* /dev/vfio/devices/<name> */
	bool has_char;			/* /dev/char/MAJ:MIN */
	mode_t mode;			/* what fstat says */
	dev_t rdev;
	int fstat_err;
	int open_fds;
	char opened[64];
};

static int sh_open(void *priv, const char *path, int flags)
{
	struct sh *sh = priv;

	snprintf(sh->opened, sizeof(sh->opened), "%s", path);
	if (!strncmp(path, "/dev/vfio/devices/", 18) && sh->has_node) {
		sh->open_fds++;
		return SH_CDEV_FD;
	}
	if (!strncmp(path, "/dev/char/", 10) && sh->has_char) {
		sh->open_fds++;
		return SH_CHAR_FD;
	}
	if (!strcmp(path, "/dev/iommu"))
		return -EACCES;
	return -ENOENT;
}

static int sh_close(void *priv, int fd)
{
	struct sh *sh = priv;

	CHECK(fd == SH_CDEV_FD || fd == SH_CHAR_FD);
	sh->open_fds--;
	return 0;
}

static int sh_ioctl(void *priv, int fd, unsigned long req, void *arg)
{
	return -ENOTTY;
}

static int sh_fstat(void *priv, int fd, struct stat *st)
{
	struct sh *sh = priv;

	if (sh->fstat_err)
		return -sh->fstat_err;
	memset(st, 0, sizeof(*st));
	st->st_mode = sh->mode;
	st->st_rdev = sh->rdev;
	return 0;
}

static int sh_stat(void *priv, const char *path, struct stat *st)
{
	return -ENOENT;
}

static ssize_t sh_read_file(void *priv, const char *path, char *buf,
			    size_t cap)
{
	struct sh *sh = priv;
	size_t len;

	if (sh->read_err)
		return -sh->read_err;
	if (!sh->dev)
		return -ENOENT;
	len = strlen(sh->dev);
	if (len > cap - 1)
		return -EFBIG;
	memcpy(buf, sh->dev, len + 1);
	return (ssize_t)len;
}

static int sh_list_dir(void *priv, const char *path, iofd_dir_cb cb, void *arg)
{
	struct sh *sh = priv;
	int i, ret;

	if (sh->list_err)
		return -sh->list_err;
	for (i = 0; i < 4 && sh->entries[i]; i++) {
		ret = cb(arg, sh->entries[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct iofd_host_ops sh_ops = {
	.open = sh_open,
	.close = sh_close,
	.ioctl = sh_ioctl,
	.fstat = sh_fstat,
	.stat = sh_stat,
	.read_file = sh_read_file,
	.list_dir = sh_list_dir,
};

/* A machine whose device 10:3 is well formed. */
static struct sh sh_good(void)
{
	struct sh sh = {
		.entries = { "power", "vfio3" },
		.dev = "10:3\n",
		.has_node = true,
		.mode = S_IFCHR | 0600,
		.rdev = makedev(10, 3),
	};

	return sh;
}

/* Attach through @sh; returns the result, checks nothing leaked. */
static int sh_attach(struct sh *sh, struct iofd_error *err, int fd)
{
	struct iofd_device_cfg cfg = {
		.name = "dev",
		.sysfs_path = "/sys/bus/pci/devices/0000:00:03.0",
		.fd = fd,
	};
	struct iofd_host host = { .ops = &sh_ops, .priv = sh };
	struct iofd_backend *be;
	struct iofd_space *space;
	struct iofd_device *dev;
	struct iofd_ctx *ctx;
	int ret;

	if (fd >= 0)
		sh->open_fds++;
	CHECK_OK(iofd_ctx_create(&host, &ctx, NULL));
	CHECK_OK(iofd_backend_create(ctx, &be, NULL));
	CHECK_OK(iofd_space_create(ctx, &space, NULL));
	iofd_error_clear(err);
	ret = iofd_device_attach_cfg(ctx, &cfg, space, be, &dev, err);
	CHECK(ret < 0);			/* /dev/iommu is refused at best */
	CHECK_EQ(err->errnum, -ret);
	CHECK_EQ(sh->open_fds, 0);
	iofd_ctx_destroy(ctx);
	return ret;
}

static void test_well_formed_reaches_connect(void)
{
	struct iofd_error err;
	struct sh sh = sh_good();

	CHECK_ERR(EACCES, sh_attach(&sh, &err, -1));
	CHECK(strstr(err.msg, "open /dev/iommu") != NULL);
	sh.dev = "10:3";			/* no newline is fine */
	CHECK_ERR(EACCES, sh_attach(&sh, &err, -1));
	sh.dev = "0:0\n";
	sh.rdev = makedev(0, 0);
	CHECK_ERR(EACCES, sh_attach(&sh, &err, -1));
	sh.dev = "4095:1048575\n";		/* the largest devt */
	sh.rdev = makedev(4095, 1048575);
	CHECK_ERR(EACCES, sh_attach(&sh, &err, -1));
}

static void test_bad_dev_contents(void)
{
	static const char *const bad[] = {
		"", "\n", "10", "10:", ":3", "10:3\n\n", "10:3x", " 10:3",
		"010:3", "10:03", "4096:0", "0:1048576", "99999999999:0",
		"-1:3", "10::3", "10:3:4", "xyz\n",
	};
	struct iofd_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sh sh = sh_good();

		sh.dev = bad[i];
		CHECK_ERR(EINVAL, sh_attach(&sh, &err, -1));
		CHECK(strstr(err.msg, "does not hold MAJ:MIN") != NULL);
	}
}

static void test_bad_listings(void)
{
	struct iofd_error err;
	struct sh sh = sh_good();

	sh.entries[0] = "vfiox";
	sh.entries[1] = "vfio01";
	sh.entries[2] = "vfio";
	sh.entries[3] = "vfio4294967296";
	CHECK_ERR(ENOENT, sh_attach(&sh, &err, -1));
	CHECK(strstr(err.msg, "no vfioN") != NULL);
	sh = sh_good();
	sh.list_err = EACCES;
	CHECK_ERR(EACCES, sh_attach(&sh, &err, -1));
	sh = sh_good();
	sh.read_err = EIO;
	CHECK_ERR(EIO, sh_attach(&sh, &err, -1));
	sh = sh_good();
	sh.dev = "1234567890123456789012345678901234567890123456789012345678901234:1";
	CHECK_ERR(EFBIG, sh_attach(&sh, &err, -1));
}

static void test_node_checks(void)
{
	struct iofd_error err;
	struct sh sh = sh_good();

	/* the named node is missing: /dev/char/MAJ:MIN stands in */
	sh.has_node = false;
	sh.has_char = true;
	CHECK_ERR(EACCES, sh_attach(&sh, &err, -1));
	sh.has_char = false;
	CHECK_ERR(ENOENT, sh_attach(&sh, &err, -1));
	CHECK(strstr(err.msg, "open /dev/char/10:3") != NULL);

	sh = sh_good();
	sh.mode = S_IFREG | 0600;
	CHECK_ERR(EINVAL, sh_attach(&sh, &err, -1));
	CHECK(strstr(err.msg, "is not char device 10:3") != NULL);
	sh = sh_good();
	sh.rdev = makedev(10, 4);
	CHECK_ERR(EINVAL, sh_attach(&sh, &err, -1));
	sh = sh_good();
	sh.fstat_err = EIO;
	CHECK_ERR(EIO, sh_attach(&sh, &err, -1));
}

static void test_handed_in_fd_checks(void)
{
	struct iofd_error err;
	struct sh sh = sh_good();

	CHECK_ERR(EACCES, sh_attach(&sh, &err, SH_CDEV_FD));
	sh.rdev = makedev(10, 4);
	CHECK_ERR(EINVAL, sh_attach(&sh, &err, SH_CDEV_FD));
	CHECK(strstr(err.msg, "fd 100 is not char device") != NULL);
	sh = sh_good();
	sh.dev = "bad";
	CHECK_ERR(EINVAL, sh_attach(&sh, &err, SH_CDEV_FD));
	sh = sh_good();
	sh.fstat_err = EBADF;
	CHECK_ERR(EBADF, sh_attach(&sh, &err, SH_CDEV_FD));
}

static const struct check_test tests[] = {
	{ "well_formed_reaches_connect", test_well_formed_reaches_connect },
	{ "bad_dev_contents", test_bad_dev_contents },
	{ "bad_listings", test_bad_listings },
	{ "node_checks", test_node_checks },
	{ "handed_in_fd_checks", test_handed_in_fd_checks },
};

CHECK_MAIN(tests)
