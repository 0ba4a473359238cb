/* SPDX-License-Identifier: MIT */
/*
 * Objects whose IOMMU_DESTROY failed (core/backend.c's stranded list):
 * they are listed by iofd_backend_stranded_count/get while they are still
 * in the kernel, destroyed again when a later free succeeds, after a
 * device fd is closed and at a handed-in backend's last disconnect, and
 * forgotten when an owned backend's iommufd closes (the close freed them).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "check.h"
#include "fixture.h"

struct t_objs {
	unsigned int n;
};

static int t_count(void *arg, uint32_t id, const char *type)
{
	((struct t_objs *)arg)->n++;
	return 0;
}

/* Objects alive in the context behind @fd. */
static unsigned int t_objects(struct fx *fx, int fd)
{
	struct t_objs o = { 0 };

	CHECK_OK(emu_ictx_for_each_object(fx->emu, fd, t_count, &o));
	return o.n;
}

/* A detach whose DESTROYs fail strands the HWPT and the IOAS; they go
 * once a later free succeeds. */
static void stranded_then_freed(void)
{
	struct iofd_error err;
	struct iofd_device *d0, *d1;
	struct fx fx;
	int fd;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "noshare", EMU_SYSFS_OK);
	/* A connection of the test's own keeps the iommufd open. */
	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	fd = iofd_backend_fd(fx.be);
	d0 = fx_attach(&fx, 0, NULL, fx.space);
	CHECK_EQ(t_objects(&fx, fd), 3);	/* DEVICE, IOAS, HWPT */

	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_DESTROY, EIO);
	CHECK_ERR(EIO, iofd_device_detach(d0, &err));
	CHECK(strstr(err.msg, "device dev0") != NULL);
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK_EQ(iofd_backend_stranded_count(fx.be), 2);
	CHECK(iofd_backend_stranded_get(fx.be, 0) != 0);
	CHECK_EQ(iofd_backend_stranded_get(fx.be, 2), 0);
	CHECK_EQ(t_objects(&fx, fd), 2);	/* HWPT and IOAS, stranded */

	/* The next successful free takes the stranded ones with it. */
	d1 = fx_attach(&fx, 1, NULL, fx.space);
	CHECK_OK(iofd_device_detach(d1, NULL));
	CHECK_EQ(iofd_backend_stranded_count(fx.be), 0);
	CHECK_EQ(t_objects(&fx, fd), 0);
	iofd_backend_disconnect(fx.be);
	fx_fini(&fx);
}

/* Stranded objects of an owned backend go with its iommufd's close. */
static void forgotten_at_close(void)
{
	struct iofd_device *d0;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	d0 = fx_attach(&fx, 0, NULL, fx.space);
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_DESTROY, EIO);
	CHECK_ERR(EIO, iofd_device_detach(d0, NULL));
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK_EQ(iofd_backend_users(fx.be), 0);
	CHECK_EQ(iofd_backend_fd(fx.be), -1);
	CHECK_EQ(iofd_backend_stranded_count(fx.be), 0);
	fx_fini(&fx);
}

/*
 * A fixture with dev0 attached through a backend on an iommufd the test
 * hands in (its fd returned), with a connection of the test's own when
 * @connect.
 */
static int t_handed_in(struct fx *fx, struct iofd_host *raw,
		       struct iofd_backend **be, bool connect,
		       struct iofd_device **d0)
{
	int fd;

	fx_init(fx);
	fx_add_device(fx, "e1000e", EMU_SYSFS_OK);
	emu_host(fx->emu, raw);
	fd = CHECK_OK(raw->ops->open(raw->priv, "/dev/iommu", O_RDWR));
	CHECK_OK(iofd_backend_create_fd(fx->ctx, fd, be, NULL));
	if (connect)
		CHECK_OK(iofd_backend_connect(*be, NULL));
	CHECK_OK(iofd_device_attach(fx->ctx, "dev0", fx->path[0], fx->space,
				    *be, d0, NULL));
	return fd;
}

/* A device fd's close detaches the device: what it kept busy can go. */
static void retried_after_device_close(void)
{
	struct iofd_backend *be;
	struct iofd_device *d0;
	struct iofd_host raw;
	struct fx fx;
	int fd;

	fd = t_handed_in(&fx, &raw, &be, false, &d0);
	/* DETACH fails: the device stays attached, the DESTROYs meet EBUSY. */
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL,
			     VFIO_DEVICE_DETACH_IOMMUFD_PT, EIO);
	CHECK_ERR(EIO, iofd_device_detach(d0, NULL));
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	/* The device fd's close detached it: the retry after it worked. */
	CHECK_EQ(iofd_backend_stranded_count(be), 0);
	CHECK_EQ(t_objects(&fx, fd), 0);
	CHECK_OK(iofd_backend_destroy(be));
	CHECK_OK(raw.ops->close(raw.priv, fd));
	fx_fini(&fx);
}

/* A handed-in backend's last disconnect is a last chance. */
static void retried_at_last_disconnect(void)
{
	struct iofd_backend *be;
	struct iofd_device *d0;
	struct iofd_host raw;
	struct fx fx;
	int fd;

	fd = t_handed_in(&fx, &raw, &be, true, &d0);
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_DESTROY, EIO);
	CHECK_ERR(EIO, iofd_device_detach(d0, NULL));
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK_EQ(iofd_backend_stranded_count(be), 2);
	CHECK_EQ(t_objects(&fx, fd), 2);
	iofd_backend_disconnect(be);
	CHECK_EQ(iofd_backend_stranded_count(be), 0);
	CHECK_EQ(t_objects(&fx, fd), 0);
	CHECK_OK(iofd_backend_destroy(be));
	CHECK_OK(raw.ops->close(raw.priv, fd));
	fx_fini(&fx);
}

/*
 * An attach that fails after joining its space unwinds through the same
 * DETACH and DESTROYs: with DETACH failing, the device fd's close at the
 * end of the unwind is what frees them, even while the backend stays
 * connected.
 */
static void retried_after_failed_attach(void)
{
	struct iofd_error err;
	struct iofd_device *d0;
	unsigned long calls;
	struct fx fx;
	int fd;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	fd = iofd_backend_fd(fx.be);
	/* The host calls of an attach: its last one is VFIO_DEVICE_GET_INFO. */
	emu_fault_fail_nth(fx.fault, 0, 0);
	d0 = fx_attach(&fx, 0, NULL, fx.space);
	calls = emu_fault_calls(fx.fault);
	CHECK_OK(iofd_device_detach(d0, NULL));
	CHECK_EQ(t_objects(&fx, fd), 0);

	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL,
			     VFIO_DEVICE_DETACH_IOMMUFD_PT, EIO);
	emu_fault_fail_nth(fx.fault, calls, EIO);
	CHECK_ERR(EIO, iofd_device_attach(fx.ctx, "dev0", fx.path[0],
					  fx.space, fx.be, &d0, &err));
	CHECK(strstr(err.msg, "VFIO_DEVICE_GET_INFO") != NULL);
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK_EQ(iofd_backend_stranded_count(fx.be), 0);
	CHECK_EQ(t_objects(&fx, fd), 0);
	iofd_backend_disconnect(fx.be);
	fx_fini(&fx);
}

static const struct check_test tests[] = {
	{ "retried_after_failed_attach", retried_after_failed_attach },
	{ "retried_after_device_close", retried_after_device_close },
	{ "stranded_then_freed", stranded_then_freed },
	{ "forgotten_at_close", forgotten_at_close },
	{ "retried_at_last_disconnect", retried_at_last_disconnect },
};

CHECK_MAIN(tests)
