// SPDX-License-Identifier: MIT
/*
 * The machine through the host table: the fd table (from 3, lowest free
 * first), open/close/fstat/stat, the emulated sysfs tree and each broken
 * variant as the core will see it through read_file, list_dir and stat,
 * emu_device_add's contract, the profiles, and the fault plan (fail the nth
 * call before it runs; a failed close still releases the fd).
 */
#include <limits.h>
#include <sys/sysmacros.h>

#include "emu_test.h"

#define BDF "0000:00:03.0"
#define SYSDIR "/sys/bus/pci/devices/" BDF

struct names {
	unsigned int n;
	char name[8][32];
};

static int names_cb(void *arg, const char *name)
{
	struct names *ns = arg;

	if (ns->n < 8)
		snprintf(ns->name[ns->n], sizeof(ns->name[0]), "%s", name);
	ns->n++;
	return 0;
}

static int stop_cb(void *arg, const char *name)
{
	return 42;
}

static bool names_has(const struct names *ns, const char *name)
{
	unsigned int i;

	for (i = 0; i < ns->n && i < 8; i++) {
		if (!strcmp(ns->name[i], name))
			return true;
	}
	return false;
}

static int t_list(struct emu_t *t, const char *path, struct names *ns)
{
	memset(ns, 0, sizeof(*ns));
	return t->host.ops->list_dir(t->host.priv, path, names_cb, ns);
}

static ssize_t t_read(struct emu_t *t, const char *path, char *buf,
		      size_t cap)
{
	return t->host.ops->read_file(t->host.priv, path, buf, cap);
}

static int t_stat(struct emu_t *t, const char *path, struct stat *st)
{
	return t->host.ops->stat(t->host.priv, path, st);
}

static void fd_table(void)
{
	struct stat st;
	struct emu_t t;
	int a, b, c;

	emu_t_setup(&t);
	a = CHECK_OK(t_open(&t, "/dev/iommu"));
	b = CHECK_OK(t_open(&t, "/dev/iommu"));
	c = CHECK_OK(t_open(&t, "/dev/iommu"));
	CHECK_EQ(a, 3);
	CHECK_EQ(b, 4);
	CHECK_EQ(c, 5);
	CHECK_OK(t_close(&t, b));
	CHECK_EQ(CHECK_OK(t_open(&t, "/dev/iommu")), 4);
	emu_t_expect_counters(&t, 3, 3, 0, 0);
	CHECK_ERR(EBADF, t_close(&t, 6));
	CHECK_ERR(EBADF, t_close(&t, -1));
	CHECK_ERR(EBADF, t_close(&t, 0));
	CHECK_ERR(EBADF, t_ioctl(&t, 99, IOMMU_DESTROY, NULL));
	CHECK_ERR(EBADF, t.host.ops->fstat(t.host.priv, 99, &st));
	CHECK_OK(t.host.ops->fstat(t.host.priv, a, &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 10);
	CHECK_EQ(minor(st.st_rdev), 257);
	CHECK_OK(t_close(&t, a));
	CHECK_ERR(EBADF, t_close(&t, a));
	CHECK_OK(t_close(&t, 4));
	CHECK_OK(t_close(&t, c));
	emu_t_teardown(&t);
}

static void open_paths(void)
{
	struct emu_t t;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", BDF, EMU_SYSFS_OK));
	CHECK_ERR(ENOENT, t_open(&t, "/dev/nope"));
	CHECK_ERR(ENOENT, t_open(&t, "/dev/vfio/devices/vfio1"));
	CHECK_ERR(ENOENT, t_open(&t, "dev/iommu"));
	CHECK_ERR(ENOENT, t_open(&t, ""));
	CHECK_ERR(EISDIR, t_open(&t, "/dev"));
	CHECK_ERR(EISDIR, t_open(&t, SYSDIR));
	CHECK_ERR(ENOTDIR, t_open(&t, "/dev/iommu/"));
	CHECK_ERR(ENOTDIR, t_open(&t, "/dev/iommu/x"));
	CHECK_ERR(EACCES, t_open(&t, SYSDIR "/vendor"));
	CHECK_OK(t_close(&t, CHECK_OK(t_open(&t, "//dev//iommu"))));
	CHECK_OK(t_close(&t, CHECK_OK(t_open(&t, "/dev/vfio/devices/vfio0"))));
	emu_t_teardown(&t);
}

static void sysfs_ok(void)
{
	struct names ns;
	struct stat st;
	struct emu_t t;
	char buf[64];
	int fd;

	emu_t_setup(&t);
	CHECK_EQ(t_add_dev(&t, "e1000e", BDF, EMU_SYSFS_OK), 0);
	CHECK_EQ(t_add_dev(&t, "e1000e", "0000:00:04.0", EMU_SYSFS_OK), 1);
	CHECK_EQ(t_read(&t, SYSDIR "/vendor", buf, sizeof(buf)), 7);
	CHECK(!strcmp(buf, "0x8086\n"));
	CHECK_EQ(t_read(&t, SYSDIR "/device", buf, sizeof(buf)), 7);
	CHECK(!strcmp(buf, "0x10d3\n"));
	CHECK_EQ(t_read(&t, SYSDIR "/vfio-dev/vfio0/dev", buf, sizeof(buf)),
		 6);
	CHECK(!strcmp(buf, "511:0\n"));
	CHECK_OK(t_read(&t, "/sys/bus/pci/devices/0000:00:04.0/vfio-dev/"
			"vfio1/dev", buf, sizeof(buf)));
	CHECK(!strcmp(buf, "511:1\n"));
	/* cap - 1 bytes at most. */
	CHECK_ERR(EFBIG, t_read(&t, SYSDIR "/vendor", buf, 7));
	CHECK_EQ(t_read(&t, SYSDIR "/vendor", buf, 8), 7);
	CHECK_ERR(EISDIR, t_read(&t, SYSDIR, buf, sizeof(buf)));
	CHECK_ERR(ENOENT, t_read(&t, SYSDIR "/nope", buf, sizeof(buf)));
	CHECK_ERR(ENOENT, t_read(&t, SYSDIR "/vfio-dev/vfio1/dev", buf,
				 sizeof(buf)));

	CHECK_OK(t_list(&t, SYSDIR, &ns));
	CHECK_EQ(ns.n, 6);
	CHECK(names_has(&ns, "vendor") && names_has(&ns, "device") &&
	      names_has(&ns, "vfio-dev") && names_has(&ns, "iommu_group") &&
	      names_has(&ns, "driver") && names_has(&ns, "subsystem"));
	CHECK_OK(t_list(&t, SYSDIR "/vfio-dev", &ns));
	CHECK_EQ(ns.n, 1);
	CHECK(names_has(&ns, "vfio0"));
	CHECK_OK(t_list(&t, SYSDIR "/vfio-dev/", &ns));
	CHECK_EQ(ns.n, 1);
	CHECK_OK(t_list(&t, "/dev/vfio/devices", &ns));
	CHECK_EQ(ns.n, 2);
	CHECK(names_has(&ns, "vfio0") && names_has(&ns, "vfio1"));
	CHECK_OK(t_list(&t, "/sys/bus/pci/devices", &ns));
	CHECK_EQ(ns.n, 2);
	CHECK_ERR(ENOTDIR, t_list(&t, SYSDIR "/vendor", &ns));
	CHECK_ERR(ENOENT, t_list(&t, "/sys/nope", &ns));
	CHECK_EQ(t.host.ops->list_dir(t.host.priv, SYSDIR, stop_cb, NULL), 42);

	CHECK_OK(t_stat(&t, SYSDIR, &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_OK(t_stat(&t, SYSDIR "/vfio-dev/vfio0/dev", &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_OK(t_stat(&t, "/dev/vfio/devices/vfio1", &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK_EQ(major(st.st_rdev), 511);
	CHECK_EQ(minor(st.st_rdev), 1);
	CHECK_OK(t_stat(&t, "/dev/iommu", &st));
	CHECK_EQ(st.st_rdev, makedev(10, 257));
	CHECK_ERR(ENOENT, t_stat(&t, "/dev/vfio/devices/vfio2", &st));

	fd = CHECK_OK(t_open_dev(&t, 1));
	CHECK_OK(t.host.ops->fstat(t.host.priv, fd, &st));
	CHECK_EQ(st.st_rdev, makedev(511, 1));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

/*
 * The links a VMM resolves, with the kernel's own text (as a 6.12 guest
 * shows them for QEMU's e1000e at 00:03.0), and path walks through them.
 */
static void sysfs_links(void)
{
	char buf[PATH_MAX];
	struct names ns;
	struct stat st;
	struct emu_t t;

	emu_t_setup(&t);
	CHECK_EQ(t_add_dev(&t, "e1000e", BDF, EMU_SYSFS_OK), 0);
	CHECK_EQ(t_add_dev(&t, "e1000e", "0000:01:00.0", EMU_SYSFS_OK), 1);
	CHECK_EQ(emu_readlink(t.emu, SYSDIR, buf, sizeof(buf)), 40);
	CHECK(!strcmp(buf, "../../../devices/pci0000:00/" BDF));
	CHECK_OK(emu_readlink(t.emu, SYSDIR "/iommu_group", buf, sizeof(buf)));
	CHECK(!strcmp(buf, "../../../kernel/iommu_groups/1"));
	CHECK_OK(emu_readlink(t.emu, SYSDIR "/driver", buf, sizeof(buf)));
	CHECK(!strcmp(buf, "../../../bus/pci/drivers/vfio-pci"));
	CHECK_OK(emu_readlink(t.emu, SYSDIR "/subsystem", buf, sizeof(buf)));
	CHECK(!strcmp(buf, "../../../bus/pci"));
	CHECK_OK(emu_readlink(t.emu, "/sys/kernel/iommu_groups/2/devices/"
			      "0000:01:00.0", buf, sizeof(buf)));
	CHECK(!strcmp(buf, "../../../../devices/pci0000:01/0000:01:00.0"));
	CHECK_ERR(EINVAL, emu_readlink(t.emu, SYSDIR "/vendor", buf,
				       sizeof(buf)));
	CHECK_ERR(ENAMETOOLONG, emu_readlink(t.emu, SYSDIR, buf, 8));
	CHECK_ERR(ENOENT, emu_readlink(t.emu, SYSDIR "/nope", buf,
				       sizeof(buf)));
	/* lstat sees the link, stat what it leads to. */
	CHECK_OK(emu_lstat(t.emu, SYSDIR, &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, 40);
	CHECK_OK(t_stat(&t, SYSDIR, &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_OK(t_stat(&t, SYSDIR "/iommu_group", &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_OK(t_list(&t, SYSDIR "/iommu_group/devices", &ns));
	CHECK_EQ(ns.n, 1);
	CHECK(names_has(&ns, BDF));
	CHECK_OK(t_list(&t, "/sys/kernel/iommu_groups", &ns));
	CHECK(ns.n == 2 && names_has(&ns, "1") && names_has(&ns, "2"));
	CHECK_OK(t_list(&t, "/sys/bus/pci/drivers/vfio-pci", &ns));
	CHECK(ns.n == 2 && names_has(&ns, BDF));
	CHECK_OK(t_list(&t, "/sys/devices", &ns));
	CHECK(ns.n == 2 && names_has(&ns, "pci0000:00") &&
	      names_has(&ns, "pci0000:01"));
	/* Walks through links, "." and "..", as the kernel resolves them. */
	CHECK_EQ(t_read(&t, SYSDIR "/subsystem/devices/0000:01:00.0/vendor",
			buf, sizeof(buf)), 7);
	CHECK_EQ(t_read(&t, SYSDIR "/./driver/" BDF "/../" BDF "/device", buf,
			sizeof(buf)), 7);
	CHECK_OK(t_stat(&t, SYSDIR "/..", &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_OK(t_list(&t, SYSDIR "/..", &ns));
	CHECK(ns.n == 1 && names_has(&ns, BDF));
	CHECK_OK(t_stat(&t, "/../..//sys/./bus", &st));
	CHECK_ERR(ENOTDIR, t_stat(&t, SYSDIR "/vendor/", &st));
	CHECK_ERR(ENOENT, t_stat(&t, "/sys/kernel/iommu_groups/3", &st));
	emu_t_teardown(&t);
}

static void sysfs_no_vfio_dev(void)
{
	struct names ns;
	struct stat st;
	struct emu_t t;
	char buf[64];

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", BDF, EMU_SYSFS_NO_VFIO_DEV));
	CHECK_ERR(ENOENT, t_list(&t, SYSDIR "/vfio-dev", &ns));
	CHECK_ERR(ENOENT, t_stat(&t, SYSDIR "/vfio-dev", &st));
	CHECK_ERR(ENOENT, t_read(&t, SYSDIR "/vfio-dev/vfio0/dev", buf,
				 sizeof(buf)));
	CHECK_OK(t_list(&t, SYSDIR, &ns));
	CHECK_EQ(ns.n, 5);
	CHECK(!names_has(&ns, "vfio-dev"));
	CHECK_OK(t_read(&t, SYSDIR "/vendor", buf, sizeof(buf)));
	/* The cdev itself is still there. */
	CHECK_OK(t_stat(&t, "/dev/vfio/devices/vfio0", &st));
	emu_t_teardown(&t);
}

static void sysfs_bad_dev(void)
{
	struct emu_t t;
	char buf[64];

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", BDF, EMU_SYSFS_GARBAGE_DEV));
	CHECK_OK(t_add_dev(&t, "e1000e", "0000:00:04.0",
			   EMU_SYSFS_OVERFLOW_DEV));
	CHECK_EQ(t_read(&t, SYSDIR "/vfio-dev/vfio0/dev", buf, sizeof(buf)),
		 4);
	CHECK(!strcmp(buf, "xyz\n"));
	CHECK_EQ(t_read(&t, "/sys/bus/pci/devices/0000:00:04.0/vfio-dev/"
			"vfio1/dev", buf, sizeof(buf)), 14);
	CHECK(!strcmp(buf, "99999999999:0\n"));
	emu_t_teardown(&t);
}

static void sysfs_wrong_devt(void)
{
	struct stat st;
	struct emu_t t;
	char buf[64];
	int fd;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", "0000:00:02.0", EMU_SYSFS_OK));
	CHECK_EQ(t_add_dev(&t, "e1000e", BDF, EMU_SYSFS_WRONG_DEVT), 1);
	CHECK_OK(t_read(&t, SYSDIR "/vfio-dev/vfio1/dev", buf, sizeof(buf)));
	CHECK(!strcmp(buf, "511:1\n"));
	CHECK_OK(t_stat(&t, "/dev/vfio/devices/vfio1", &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(st.st_rdev, makedev(511, 101));
	fd = CHECK_OK(t_open_dev(&t, 1));
	CHECK_OK(t.host.ops->fstat(t.host.priv, fd, &st));
	CHECK_EQ(st.st_rdev, makedev(511, 101));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static void device_add_contract(void)
{
	const struct emu_profile *p = emu_profile_find("e1000e");
	char path[64], small[8], bdf[16];
	struct emu_t t;
	int i;

	emu_t_setup(&t);
	CHECK_EQ(emu_device_add(t.emu, p, BDF, EMU_SYSFS_OK, path,
				sizeof(path)), 0);
	CHECK(!strcmp(path, SYSDIR));
	CHECK_ERR(EEXIST, emu_device_add(t.emu, p, BDF, EMU_SYSFS_OK, path,
					 sizeof(path)));
	CHECK_ERR(EINVAL, emu_device_add(t.emu, NULL, "0000:00:09.0",
					 EMU_SYSFS_OK, path, sizeof(path)));
	CHECK_ERR(EINVAL, emu_device_add(t.emu, p, "0000:00:09.0",
					 EMU_SYSFS_VARIANT_COUNT, path,
					 sizeof(path)));
	CHECK_ERR(EINVAL, emu_device_add(t.emu, p, "a/b", EMU_SYSFS_OK, path,
					 sizeof(path)));
	CHECK_ERR(ENAMETOOLONG, emu_device_add(t.emu, p, "0000:00:09.0",
					       EMU_SYSFS_OK, small,
					       sizeof(small)));
	for (i = 1; i < EMU_MAX_DEVICES; i++) {
		snprintf(bdf, sizeof(bdf), "0000:01:%02x.0", i);
		CHECK_EQ(emu_device_add(t.emu, p, bdf, EMU_SYSFS_OK, path,
					sizeof(path)), i);
	}
	CHECK_ERR(ENOSPC, emu_device_add(t.emu, p, "0000:02:00.0",
					 EMU_SYSFS_OK, path, sizeof(path)));
	emu_t_teardown(&t);
}

static void profiles(void)
{
	const struct emu_profile *p = emu_profile_find("e1000e");
	size_t i;

	CHECK(p != NULL);
	CHECK_EQ(p->vendor, 0x8086);
	CHECK_EQ(p->device, 0x10d3);
	CHECK_EQ(p->info_flags, 0x3);
	/* VT-d: the aperture is the machine's (test_variant.c). */
	CHECK_EQ(p->aperture_last, 0);
	CHECK_EQ(p->nr_resv, 1);
	CHECK_EQ(p->resv[0].start, 0xfee00000ULL);
	CHECK_EQ(p->resv[0].last, 0xfeefffffULL);
	CHECK(emu_profile_find("nope") == NULL);
	CHECK(emu_profile_find(NULL) == NULL);
	CHECK(emu_profile_find("noshare")->no_share);
	CHECK(emu_profile_find("dirty")->dirty_tracking);
	CHECK_EQ(emu_profile_find("pgsize-64k")->pgsize, 65536);
	CHECK_EQ(emu_profile_find("small-aperture")->aperture_last,
		 0xffffffffULL);
	CHECK(emu_profile_count() >= 5);
	for (i = 0; i < emu_profile_count(); i++)
		CHECK(emu_profile_find(emu_profile_get(i)->name) ==
		      emu_profile_get(i));
	CHECK(emu_profile_get(emu_profile_count()) == NULL);
}

static void fault_nth(void)
{
	struct emu_fault *f;
	struct iofd_host fh;
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	struct stat st;
	struct emu_t t;
	char buf[32];
	int fd;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", BDF, EMU_SYSFS_OK));
	CHECK_OK(emu_fault_create(&t.host, &f));
	emu_fault_host(f, &fh);

	emu_fault_fail_nth(f, 2, ENOMEM);
	fd = CHECK_OK(fh.ops->open(fh.priv, "/dev/iommu", O_RDWR));
	CHECK(!emu_fault_fired(f));
	CHECK_ERR(ENOMEM, fh.ops->ioctl(fh.priv, fd, IOMMU_IOAS_ALLOC, &cmd));
	CHECK(emu_fault_fired(f));
	emu_t_expect_counters(&t, 1, 1, 0, 0);	/* nothing happened below */
	CHECK_OK(fh.ops->ioctl(fh.priv, fd, IOMMU_IOAS_ALLOC, &cmd));
	CHECK_EQ(cmd.out_ioas_id, 1);			/* no id consumed */
	CHECK_EQ(emu_fault_calls(f), 3);

	/* A failing open creates nothing. */
	emu_fault_fail_nth(f, 1, EMFILE);
	CHECK_ERR(EMFILE, fh.ops->open(fh.priv, "/dev/iommu", O_RDWR));
	emu_t_expect_counters(&t, 1, 1, 1, 0);

	/* Every entry counts, with any errno. */
	emu_fault_fail_nth(f, 4, EIO);
	CHECK_OK(fh.ops->stat(fh.priv, "/dev/iommu", &st));
	CHECK_OK(fh.ops->fstat(fh.priv, fd, &st));
	CHECK_OK(fh.ops->read_file(fh.priv, SYSDIR "/vendor", buf,
				   sizeof(buf)));
	CHECK_ERR(EIO, fh.ops->list_dir(fh.priv, SYSDIR, stop_cb, NULL));
	CHECK_EQ(fh.ops->list_dir(fh.priv, SYSDIR, stop_cb, NULL), 42);
	emu_fault_fail_nth(f, 1, EACCES);
	CHECK_ERR(EACCES, fh.ops->read_file(fh.priv, SYSDIR "/vendor", buf,
					    sizeof(buf)));
	emu_fault_fail_nth(f, 1, ENOENT);
	CHECK_ERR(ENOENT, fh.ops->fstat(fh.priv, fd, &st));
	emu_fault_fail_nth(f, 1, ELOOP);
	CHECK_ERR(ELOOP, fh.ops->stat(fh.priv, "/dev/iommu", &st));

	/* nth 0 disarms. */
	emu_fault_fail_nth(f, 0, EIO);
	CHECK_OK(fh.ops->stat(fh.priv, "/dev/iommu", &st));
	CHECK(!emu_fault_fired(f));

	/* A failing close still releases the fd. */
	emu_fault_fail_nth(f, 1, EINTR);
	CHECK_ERR(EINTR, fh.ops->close(fh.priv, fd));
	emu_t_expect_counters(&t, 0, 0, 0, 0);
	CHECK_ERR(EBADF, fh.ops->close(fh.priv, fd));
	/* Each failure counts: ENOMEM EMFILE EIO EACCES ENOENT ELOOP EINTR. */
	CHECK_EQ(emu_fault_failed(f), 7);
	emu_fault_fail_every(f, EMU_FAULT_STAT, 0, EIO);
	CHECK_ERR(EIO, fh.ops->stat(fh.priv, "/dev/iommu", &st));
	CHECK_ERR(EIO, fh.ops->stat(fh.priv, "/dev/iommu", &st));
	CHECK_EQ(emu_fault_failed(f), 9);
	/* A fail_every hit does not keep the nth point from firing. */
	emu_fault_fail_nth(f, 2, ENOENT);
	CHECK_ERR(EIO, fh.ops->stat(fh.priv, "/dev/iommu", &st));
	CHECK(emu_fault_fired(f));
	CHECK(!emu_fault_nth_fired(f));
	CHECK_ERR(ENOENT, fh.ops->stat(fh.priv, "/dev/iommu", &st));
	CHECK(emu_fault_nth_fired(f));
	emu_fault_fail_every(f, 0, 0, 0);
	emu_fault_destroy(f);
	emu_t_teardown(&t);
}

static int stop_obj(void *arg, uint32_t id, const char *type)
{
	return 42;
}

struct t_objs {
	unsigned int n;
	uint32_t id[8];
	const char *type[8];
};

static int t_collect_obj(void *arg, uint32_t id, const char *type)
{
	struct t_objs *o = arg;

	CHECK(o->n < 8);
	o->id[o->n] = id;
	o->type[o->n++] = type;
	return 0;
}

/* The objects of a context, by id and type; the callback can stop it. */
static void objects_listed(void)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct t_objs o = { 0 };
	struct emu_t t;
	uint32_t ioas, ioas2;
	int fd, devfd;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", BDF, EMU_SYSFS_OK));
	fd = CHECK_OK(t_open(&t, "/dev/iommu"));
	devfd = CHECK_OK(t_open_dev(&t, 0));
	CHECK_OK(emu_ictx_for_each_object(t.emu, fd, t_collect_obj, &o));
	CHECK_EQ(o.n, 0);
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas));
	CHECK_OK(ioas_alloc_raw(&t, fd, &ioas2));
	bind.iommufd = fd;
	CHECK_OK(t_ioctl(&t, devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	CHECK_OK(destroy_raw(&t, fd, ioas));
	CHECK_OK(emu_ictx_for_each_object(t.emu, fd, t_collect_obj, &o));
	CHECK_EQ(o.n, 2);
	CHECK_EQ(o.id[0], ioas2);
	CHECK(!strcmp(o.type[0], "ioas"));
	CHECK_EQ(o.id[1], bind.out_devid);
	CHECK(!strcmp(o.type[1], "device"));
	CHECK_EQ(emu_ictx_for_each_object(t.emu, fd, stop_obj, NULL), 42);
	CHECK_ERR(EBADF, emu_ictx_for_each_object(t.emu, devfd, t_collect_obj,
						  &o));
	CHECK_OK(t_close(&t, devfd));
	CHECK_OK(t_close(&t, fd));
	emu_t_teardown(&t);
}

static const struct check_test tests[] = {
	TEST(fd_table),
	TEST(open_paths),
	TEST(sysfs_ok),
	TEST(sysfs_links),
	TEST(sysfs_no_vfio_dev),
	TEST(sysfs_bad_dev),
	TEST(sysfs_wrong_devt),
	TEST(device_add_contract),
	TEST(profiles),
	TEST(fault_nth),
	TEST(objects_listed),
};

CHECK_MAIN(tests)
