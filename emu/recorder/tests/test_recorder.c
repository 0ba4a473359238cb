// SPDX-License-Identifier: MIT
/*
 * The recorder over the emulator: every call reaches the lower host once and
 * comes back untouched, and the record holds what the differential compares
 * (kind, path or fd, request, the struct before and after, the IOVA ranges
 * behind IOVA_RANGES, a directory's names, a file's bytes, result, errno,
 * tag). A struct declared shorter than the uAPI one is never over-read.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <emu/emu.h>
#include <emu/ioctl_names.h>
#include <recorder.h>

#include "check.h"

#define BDF "0000:00:03.0"
#define SYSDIR "/sys/bus/pci/devices/" BDF

struct rec_t {
	struct emu *emu;
	struct emu_rec *rec;
	struct iofd_host host;
};

static void rec_setup(struct rec_t *t)
{
	struct iofd_host lower;
	char path[128];

	CHECK_OK(emu_create(&t->emu));
	CHECK_OK(emu_device_add(t->emu, emu_profile_find("e1000e"), BDF,
				EMU_SYSFS_OK, path, sizeof(path)));
	emu_host(t->emu, &lower);
	CHECK_OK(emu_rec_create(&lower, &t->rec));
	emu_rec_host(t->rec, &t->host);
}

static void rec_teardown(struct rec_t *t)
{
	emu_rec_destroy(t->rec);
	emu_destroy(t->emu);
}

static void test_passthrough_and_ioctl(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	const struct emu_rec_call *c;
	struct iommu_ioas_alloc out;
	struct rec_t t;
	int fd;

	rec_setup(&t);
	emu_rec_set_tag(t.rec, 7);
	fd = CHECK_OK(t.host.ops->open(t.host.priv, "/dev/iommu", O_RDWR));
	CHECK_OK(t.host.ops->ioctl(t.host.priv, fd, IOMMU_IOAS_ALLOC, &alloc));
	CHECK(alloc.out_ioas_id != 0);
	CHECK_OK(t.host.ops->close(t.host.priv, fd));
	CHECK_EQ(emu_rec_count(t.rec), 3);

	c = emu_rec_get(t.rec, 0);
	CHECK_EQ(c->kind, EMU_HOST_OPEN);
	CHECK(!strcmp(c->path, "/dev/iommu"));
	CHECK_EQ(c->ret, fd);
	CHECK_EQ(c->tag, 7);
	CHECK_EQ(c->seq, 1);

	c = emu_rec_get(t.rec, 1);
	CHECK_EQ(c->kind, EMU_HOST_IOCTL);
	CHECK_EQ(c->request, IOMMU_IOAS_ALLOC);
	CHECK(!strcmp(emu_ioctl_name(c->request), "IOMMU_IOAS_ALLOC"));
	CHECK_EQ(c->arg_len, sizeof(alloc));
	memcpy(&out, c->out, sizeof(out));
	CHECK_EQ(out.out_ioas_id, alloc.out_ioas_id);
	memcpy(&out, c->in, sizeof(out));
	CHECK_EQ(out.out_ioas_id, 0);
	CHECK_EQ(c->ret, 0);
	CHECK_EQ(c->err, 0);

	c = emu_rec_get(t.rec, 2);
	CHECK_EQ(c->kind, EMU_HOST_CLOSE);
	CHECK_EQ(c->fd, fd);
	CHECK(emu_rec_get(t.rec, 3) == NULL);
	CHECK_EQ(emu_rec_dropped(t.rec), 0);
	rec_teardown(&t);
}

static void test_errno_and_short_struct(void)
{
	struct iommu_ioas_alloc alloc = { .size = 4 };
	const struct emu_rec_call *c;
	struct rec_t t;
	int fd;

	rec_setup(&t);
	CHECK_ERR(ENOENT, t.host.ops->open(t.host.priv, "/dev/nothing", 0));
	c = emu_rec_get(t.rec, 0);
	CHECK_EQ(c->err, ENOENT);
	CHECK_EQ(c->ret, -ENOENT);

	fd = CHECK_OK(t.host.ops->open(t.host.priv, "/dev/iommu", O_RDWR));
	CHECK_ERR(EINVAL, t.host.ops->ioctl(t.host.priv, fd, IOMMU_IOAS_ALLOC,
					    &alloc));
	c = emu_rec_get(t.rec, 2);
	/* Only the 4 bytes the caller declared were read. */
	CHECK_EQ(c->arg_len, 4);
	CHECK_EQ(c->err, EINVAL);
	CHECK_OK(t.host.ops->close(t.host.priv, fd));
	rec_teardown(&t);
}

static void test_iova_ranges_kept(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_iova_range ranges[4], got;
	struct iommu_ioas_iova_ranges q = { .size = sizeof(q) };
	const struct emu_rec_call *c;
	struct rec_t t;
	int fd;

	rec_setup(&t);
	fd = CHECK_OK(t.host.ops->open(t.host.priv, "/dev/iommu", O_RDWR));
	CHECK_OK(t.host.ops->ioctl(t.host.priv, fd, IOMMU_IOAS_ALLOC, &alloc));
	q.ioas_id = alloc.out_ioas_id;
	q.num_iovas = 4;
	q.allowed_iovas = (uintptr_t)ranges;
	CHECK_OK(t.host.ops->ioctl(t.host.priv, fd, IOMMU_IOAS_IOVA_RANGES,
				   &q));
	c = emu_rec_get(t.rec, 2);
	CHECK_EQ(c->extra_len, q.num_iovas * sizeof(ranges[0]));
	memcpy(&got, c->extra, sizeof(got));
	CHECK_EQ(got.start, ranges[0].start);
	CHECK_EQ(got.last, ranges[0].last);
	CHECK_OK(t.host.ops->close(t.host.priv, fd));
	rec_teardown(&t);
}

static int count_cb(void *arg, const char *name)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static void test_sysfs_kept(void)
{
	const struct emu_rec_call *c;
	unsigned int n = 0;
	struct rec_t t;
	char buf[64];
	struct stat st;
	ssize_t len;

	rec_setup(&t);
	CHECK_OK(t.host.ops->list_dir(t.host.priv, SYSDIR "/vfio-dev",
				      count_cb, &n));
	CHECK_EQ(n, 1);
	c = emu_rec_get(t.rec, 0);
	CHECK_EQ(c->kind, EMU_HOST_LIST_DIR);
	CHECK_EQ(c->extra_len, strlen("vfio0\n"));
	CHECK(!memcmp(c->extra, "vfio0\n", c->extra_len));

	len = t.host.ops->read_file(t.host.priv, SYSDIR "/vfio-dev/vfio0/dev",
				    buf, sizeof(buf));
	CHECK_OK(len);
	c = emu_rec_get(t.rec, 1);
	CHECK_EQ(c->extra_len, len);
	CHECK(!memcmp(c->extra, buf, (size_t)len));

	CHECK_OK(t.host.ops->stat(t.host.priv, "/dev/vfio/devices/vfio0", &st));
	c = emu_rec_get(t.rec, 2);
	CHECK_EQ(c->rdev, st.st_rdev);
	CHECK(S_ISCHR(c->mode));

	emu_rec_clear(t.rec);
	CHECK_EQ(emu_rec_count(t.rec), 0);
	rec_teardown(&t);
}

static void test_print(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct rec_t t;
	char line[256];
	int fd;

	rec_setup(&t);
	fd = CHECK_OK(t.host.ops->open(t.host.priv, "/dev/iommu", O_RDWR));
	CHECK_OK(t.host.ops->ioctl(t.host.priv, fd, IOMMU_IOAS_ALLOC, &alloc));
	emu_rec_print(emu_rec_get(t.rec, 1), line, sizeof(line));
	CHECK(strstr(line, "IOMMU_IOAS_ALLOC out_ioas_id=") != NULL);
	CHECK(strstr(line, "= 0") != NULL);
	/* A short buffer truncates but reports the length needed. */
	CHECK(emu_rec_print(emu_rec_get(t.rec, 1), line, 8) >
	      (int)strlen("#2 [0] i"));
	CHECK_EQ(strlen(line), 7);
	CHECK_OK(t.host.ops->close(t.host.priv, fd));
	rec_teardown(&t);
}

/* Region I/O: fd, count, offset and the bytes read or written. */
static void test_region_io_kept(void)
{
	const uint64_t cfg = (uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40;
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	const struct emu_rec_call *c;
	uint16_t vendor = 0;
	struct rec_t t;
	char line[256];
	int iommufd, devfd;

	rec_setup(&t);
	iommufd = CHECK_OK(t.host.ops->open(t.host.priv, "/dev/iommu", O_RDWR));
	devfd = CHECK_OK(t.host.ops->open(t.host.priv,
					  "/dev/vfio/devices/vfio0", O_RDWR));
	bind.iommufd = iommufd;
	CHECK_OK(t.host.ops->ioctl(t.host.priv, devfd,
				   VFIO_DEVICE_BIND_IOMMUFD, &bind));
	emu_rec_clear(t.rec);
	CHECK_EQ(t.host.ops->pread(t.host.priv, devfd, &vendor, 2, cfg), 2);
	CHECK_EQ(t.host.ops->pwrite(t.host.priv, devfd, &vendor, 2, cfg), 2);
	CHECK_ERR(EBADF, t.host.ops->pread(t.host.priv, 999, &vendor, 2, 0));
	CHECK_EQ(emu_rec_count(t.rec), 3);
	c = emu_rec_get(t.rec, 0);
	CHECK_EQ(c->kind, EMU_HOST_PREAD);
	CHECK_EQ(c->fd, devfd);
	CHECK_EQ(c->count, 2);
	CHECK_EQ(c->offset, cfg);
	CHECK_EQ(c->extra_len, 2);
	CHECK(!memcmp(c->extra, &vendor, 2));
	CHECK_EQ(vendor, emu_profile_find("e1000e")->vendor);
	c = emu_rec_get(t.rec, 1);
	CHECK_EQ(c->kind, EMU_HOST_PWRITE);
	CHECK_EQ(c->extra_len, 2);
	CHECK(!memcmp(c->extra, &vendor, 2));
	c = emu_rec_get(t.rec, 2);
	CHECK_EQ(c->err, EBADF);
	CHECK_EQ(c->extra_len, 0);
	emu_rec_print(emu_rec_get(t.rec, 0), line, sizeof(line));
	CHECK(strstr(line, "pread fd=") && strstr(line, "offset=0x70000000000"));
	CHECK_OK(t.host.ops->close(t.host.priv, devfd));
	CHECK_OK(t.host.ops->close(t.host.priv, iommufd));
	rec_teardown(&t);
}

static const struct check_test tests[] = {
	{ "region_io_kept", test_region_io_kept },
	{ "passthrough_and_ioctl", test_passthrough_and_ioctl },
	{ "errno_and_short_struct", test_errno_and_short_struct },
	{ "iova_ranges_kept", test_iova_ranges_kept },
	{ "sysfs_kept", test_sysfs_kept },
	{ "print", test_print },
};

CHECK_MAIN(tests)
