/* SPDX-License-Identifier: MIT */
/*
 * Bad arguments to the API, one kind per test (labels core and badinput):
 * each call must fail with its documented errno, say in the message which
 * argument is at fault, and leave nothing behind: no kernel object, fd or
 * pin in the emulator, no region in the space, and no harm to what comes
 * next (a later attach of the same space must still work).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <linux/kvm.h>

#include "check.h"
#include "fixture.h"

/* Whether @msg holds @part; prints the message when it does not. */
static int msg_has(const char *msg, const char *part)
{
	if (strstr(msg, part))
		return 1;
	fprintf(stderr, "message \"%s\" does not name \"%s\"\n", msg, part);
	return 0;
}

/*
 * @r is refused by the space with -EINVAL and a message holding @part, both
 * before any device is attached and after one is; the space stays empty
 * and usable (the attach in between succeeds, a good region maps).
 */
static void check_bad_region(const struct iofd_region *r, const char *part)
{
	const struct emu_counters none = { 0 };
	struct emu_counters attached;
	struct iofd_error err;
	struct iofd_device *dev;
	struct iofd_region good;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_space_region_add(fx.space, r, &err));
	CHECK_EQ(err.errnum, EINVAL);
	CHECK(msg_has(err.msg, part));
	CHECK_EQ(iofd_space_region_count(fx.space), 0);
	fx_check_counters(&fx, &none);

	/* nothing of it stayed to make the replay or the domain fail */
	dev = fx_attach(&fx, 0, "nic", fx.space);
	emu_counters_get(fx.emu, &attached);
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_space_region_add(fx.space, r, &err));
	CHECK(msg_has(err.msg, part));
	CHECK_EQ(iofd_space_region_count(fx.space), 0);
	fx_check_counters(&fx, &attached);

	good = fx_region(&fx, 0x10, 1, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &good, NULL));
	fx_check_container(&fx, iofd_device_container(dev));
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_fini(&fx);
}

static void test_region_unaligned_iova(void)
{
	struct iofd_region r = { .iova = 0x10800, .size = 0x1000,
				 .vaddr = (void *)0x200000 };

	check_bad_region(&r, "at 0x10800 size 0x1000 vaddr 0x200000: not aligned to 4096");
}

static void test_region_unaligned_size(void)
{
	struct iofd_region r = { .iova = 0x10000, .size = 0x1800,
				 .vaddr = (void *)0x200000 };

	check_bad_region(&r, "size 0x1800 vaddr 0x200000: not aligned");
}

static void test_region_unaligned_vaddr(void)
{
	struct iofd_region r = { .iova = 0x10000, .size = 0x1000,
				 .vaddr = (void *)0x200010 };

	check_bad_region(&r, "vaddr 0x200010: not aligned");
}

static void test_region_null_vaddr(void)
{
	struct iofd_region r = { .iova = 0x10000, .size = 0x1000 };

	check_bad_region(&r, "at 0x10000 size 0x1000: vaddr is NULL");
}

static void test_region_null(void)
{
	check_bad_region(NULL, "add region: no region");
}

static void test_ctx_null_out(void)
{
	struct iofd_error err;
	struct iofd_host h;
	struct fx fx;

	fx_init(&fx);
	emu_host(fx.emu, &h);
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_ctx_create(&h, NULL, &err));
	CHECK(msg_has(err.msg, "no out pointer"));
	CHECK(!strstr(err.msg, "host"));
	fx_fini(&fx);
}

static void test_ctx_null_host(void)
{
	const struct iofd_host no_ops = { .ops = NULL };
	struct iofd_ctx *ctx = NULL;
	struct iofd_error err;

	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_ctx_create(NULL, &ctx, &err));
	CHECK(msg_has(err.msg, "no host"));
	CHECK(ctx == NULL);
	iofd_error_clear(&err);
	CHECK_ERR(EINVAL, iofd_ctx_create(&no_ops, &ctx, &err));
	CHECK(msg_has(err.msg, "without ops"));
	CHECK(ctx == NULL);
}

/* A kvm-vfio fd that is no fd: the message names it, not the device's. */
static void test_kvm_bad_fd(void)
{
	const struct emu_counters none = { 0 };
	struct iofd_error err;
	struct iofd_device *dev = NULL;
	char want[64];
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	iofd_ctx_set_kvm_vfio(fx.ctx, 977);
	iofd_error_clear(&err);
	CHECK_ERR(EBADF, iofd_device_attach(fx.ctx, "nic", fx.path[0],
					    fx.space, fx.be, &dev, &err));
	snprintf(want, sizeof(want), "device nic: KVM_DEV_VFIO_FILE_ADD to kvm-vfio fd 977");
	CHECK(msg_has(err.msg, want));
	CHECK(dev == NULL);
	fx_check_counters(&fx, &none);
	iofd_ctx_set_kvm_vfio(fx.ctx, -1);
	dev = fx_attach(&fx, 0, "nic", fx.space);
	CHECK(!iofd_device_kvm_registered(dev));
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_fini(&fx);
}

static const struct check_test tests[] = {
	{ "region_unaligned_iova", test_region_unaligned_iova },
	{ "region_unaligned_size", test_region_unaligned_size },
	{ "region_unaligned_vaddr", test_region_unaligned_vaddr },
	{ "region_null_vaddr", test_region_null_vaddr },
	{ "region_null", test_region_null },
	{ "ctx_null_out", test_ctx_null_out },
	{ "ctx_null_host", test_ctx_null_host },
	{ "kvm_bad_fd", test_kvm_bad_fd },
};

CHECK_MAIN(tests)
