// SPDX-License-Identifier: MIT
/*
 * Area "cdev": the VFIO device cdev. What it answers before BIND, BIND's
 * checks in the kernel's order, one bind at a time, ATTACH to an IOAS
 * (automatic domains, their ids, reuse and replacement) or to a HWPT,
 * DETACH, and the lifetime rules: a bound device keeps its iommufd
 * context alive after the iommufd fd is closed, and closing the device
 * fd unbinds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "conform.h"

static void cf_attach_rec(struct cf *cf, const char *step, int devfd,
			  uint32_t pt)
{
	uint32_t out = 0;
	long rc = cf_attach(devfd, pt, &out);

	cf_rec(cf, step, rc, "pt=%#x", out);
}

static long cf_destroy(int fd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return cf_ioctl(fd, IOMMU_DESTROY, &d);
}

static void cf_cdev_unbound(struct cf *cf, int devfd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint8_t b[4];
	long rc;

	cf_rec(cf, "unbound-get-info", cf_ioctl(devfd, VFIO_DEVICE_GET_INFO,
						&info), NULL);
	cf_rec(cf, "unbound-unknown", cf_ioctl(devfd, _IO(VFIO_TYPE, 0x7f),
					       &info), NULL);
	cf_rec(cf, "unbound-attach", cf_attach(devfd, 1, NULL), NULL);
	cf_rec(cf, "unbound-pread", cf_pread(devfd, b, 4, 7ULL << 40), NULL);
	rc = read(devfd, b, 4);
	cf_rec(cf, "unbound-read", rc < 0 ? -errno : rc, NULL);
	rc = write(devfd, b, 4);
	cf_rec(cf, "unbound-write", rc < 0 ? -errno : rc, NULL);
}

static void cf_cdev_bind_checks(struct cf *cf, int devfd, int iommufd)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b), .iommufd = iommufd,
	};
	int null = cf_open("/dev/null", O_RDWR);

	b.argsz = 8;
	cf_rec(cf, "bind-argsz", cf_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &b),
	       NULL);
	b.argsz = sizeof(b);
	b.flags = 1;
	cf_rec(cf, "bind-flags", cf_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &b),
	       NULL);
	b.flags = 0;
	b.iommufd = -1;
	cf_rec(cf, "bind-fd-negative", cf_ioctl(devfd,
	       VFIO_DEVICE_BIND_IOMMUFD, &b), NULL);
	b.iommufd = 1000;
	cf_rec(cf, "bind-fd-closed", cf_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD,
					      &b), NULL);
	b.iommufd = null;
	cf_rec(cf, "bind-fd-not-iommufd", cf_ioctl(devfd,
	       VFIO_DEVICE_BIND_IOMMUFD, &b), NULL);
	cf_rec(cf, "bind-null", cf_ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD,
					 NULL), NULL);
	cf_close(null);
}

/* Two devices on one IOAS share its automatic domain. */
static void cf_cdev_two(struct cf *cf, int fd, uint32_t ioas, uint32_t hwpt)
{
	int dev2 = cf_cdev_open(cf->bdf2);
	uint32_t devid2 = 0, out = 0;
	long rc;

	rc = cf_bind(dev2, fd, &devid2);
	cf_rec(cf, "two-bind", rc, "devid=%#x", devid2);
	rc = cf_attach(dev2, ioas, &out);
	cf_rec(cf, "two-attach-shares", rc, "same=%d", out == hwpt);
	cf_rec(cf, "two-detach", cf_detach(dev2), NULL);
	cf_rec(cf, "two-hwpt-stays", cf_destroy(fd, hwpt), NULL);
	cf_close(dev2);
	cf_rec(cf, "two-devid-gone", cf_destroy(fd, devid2), NULL);
}

int cf_area_cdev(struct cf *cf)
{
	int fd = cf_iommufd_open(), fd2 = cf_iommufd_open();
	int devfd = cf_cdev_open(cf->bdf), devfd2;
	uint32_t ioas = cf_ioas_alloc(fd), ioas2 = cf_ioas_alloc(fd);
	uint32_t devid = 0, hwpt = 0, hwpt2 = 0, manual = 0;
	struct stat st;
	long rc;

	cf_rec(cf, "open", cf_fdres(devfd), NULL);
	rc = fstat(devfd, &st) ? -errno : 0;
	cf_rec(cf, "fstat", rc, "chr=%d major=%u minor=%u",
	       S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
	cf_cdev_unbound(cf, devfd);
	cf_cdev_bind_checks(cf, devfd, fd);

	rc = cf_bind(devfd, fd, &devid);
	cf_rec(cf, "bind", rc, "devid=%#x", devid);
	cf_rec(cf, "bind-again", cf_bind(devfd, fd, NULL), NULL);
	devfd2 = cf_cdev_open(cf->bdf);
	cf_rec(cf, "open-second", cf_fdres(devfd2), NULL);
	cf_rec(cf, "bind-second-fd", cf_bind(devfd2, fd, NULL), NULL);
	cf_rec(cf, "bind-second-ctx", cf_bind(devfd2, fd2, NULL), NULL);
	cf_rec(cf, "second-fd-unbound", cf_ioctl(devfd2, VFIO_DEVICE_RESET,
						 NULL), NULL);
	cf_rec(cf, "unknown-bound", cf_ioctl(devfd, _IO(VFIO_TYPE, 0x7f),
					     NULL), NULL);
	cf_rec(cf, "destroy-device", cf_destroy(fd, devid), NULL);

	{
		struct vfio_device_attach_iommufd_pt a = {
			.argsz = 8, .pt_id = ioas,
		};

		cf_rec(cf, "attach-argsz", cf_ioctl(devfd,
		       VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), NULL);
		a.argsz = sizeof(a);
		a.flags = 1;
		cf_rec(cf, "attach-flags", cf_ioctl(devfd,
		       VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a), NULL);
	}
	cf_attach_rec(cf, "attach-0", devfd, 0);
	cf_attach_rec(cf, "attach-device-id", devfd, devid);
	cf_attach_rec(cf, "attach-other-ctx-id", devfd, 77);
	rc = cf_attach(devfd, ioas, &hwpt);
	cf_rec(cf, "attach-ioas", rc, "pt=%#x", hwpt);
	cf_attach_rec(cf, "attach-ioas-again", devfd, ioas);
	cf_attach_rec(cf, "attach-own-hwpt", devfd, hwpt);
	cf_rec(cf, "destroy-auto-hwpt", cf_destroy(fd, hwpt), NULL);
	cf_rec(cf, "destroy-attached-ioas", cf_destroy(fd, ioas), NULL);
	if (cf->bdf2)
		cf_cdev_two(cf, fd, ioas, hwpt);
	rc = cf_attach(devfd, ioas2, &hwpt2);
	cf_rec(cf, "replace-ioas", rc, "pt=%#x", hwpt2);
	cf_rec(cf, "replaced-hwpt-gone", cf_destroy(fd, hwpt), NULL);
	{
		struct iommu_hwpt_alloc a = {
			.size = sizeof(a), .dev_id = devid, .pt_id = ioas,
		};

		rc = cf_ioctl(fd, IOMMU_HWPT_ALLOC, &a);
		manual = rc ? 0 : a.out_hwpt_id;
		cf_rec(cf, "alloc-manual", rc, "id=%#x", manual);
	}
	cf_attach_rec(cf, "replace-manual", devfd, manual);
	cf_rec(cf, "replaced-auto-gone", cf_destroy(fd, hwpt2), NULL);
	cf_attach_rec(cf, "attach-ioas-skips-manual", devfd, ioas);

	{
		struct vfio_device_detach_iommufd_pt dt = { .argsz = 4 };

		cf_rec(cf, "detach-argsz", cf_ioctl(devfd,
		       VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), NULL);
		dt.argsz = sizeof(dt);
		dt.flags = 1;
		cf_rec(cf, "detach-flags", cf_ioctl(devfd,
		       VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), NULL);
	}
	cf_rec(cf, "detach", cf_detach(devfd), NULL);
	cf_rec(cf, "detach-again", cf_detach(devfd), NULL);
	cf_rec(cf, "destroy-manual", cf_destroy(fd, manual), NULL);
	cf_rec(cf, "ids-after", 0, "id=%#x", cf_ioas_alloc(fd));

	/* The bound device holds the context after its fd is closed. */
	rc = cf_attach(devfd, ioas, &hwpt);
	cf_rec(cf, "attach-before-close", rc, "pt=%#x", hwpt);
	cf_close(fd);
	{
		struct vfio_device_info info = { .argsz = sizeof(info) };

		cf_rec(cf, "ctx-closed-get-info", cf_ioctl(devfd,
		       VFIO_DEVICE_GET_INFO, &info), NULL);
	}
	cf_attach_rec(cf, "ctx-closed-attach-old-ioas", devfd, ioas2);
	cf_rec(cf, "ctx-closed-detach", cf_detach(devfd), NULL);
	cf_rec(cf, "ctx-closed-bind-other", cf_bind(devfd2, fd2, NULL), NULL);
	cf_close(devfd);
	rc = cf_bind(devfd2, fd2, &devid);
	cf_rec(cf, "closed-then-bind", rc, "devid=%#x", devid);
	cf_close(devfd2);
	cf_rec(cf, "unbound-by-close", cf_destroy(fd2, devid), NULL);
	cf_close(fd2);
	return 0;
}
