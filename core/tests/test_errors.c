/* SPDX-License-Identifier: MIT */
/*
 * The error contract, step by step: every step of an attach, a detach, a
 * region change and each backend verb is failed in turn, and the failed
 * call must return the errno of the step, set the error object to it with
 * a message that names the device (where there is one), the step and the
 * errno, trace the failure as "fail:<step>", and leave nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include "check.h"
#include "fixture.h"

/*
 * Assert that @err holds @errnum and that its message holds each of the
 * NULL-terminated fragments, in that order, then the errno's name.
 */
static void check_msg(const struct iofd_error *err, int errnum, ...)
{
	const char *at = err->msg, *frag;
	va_list ap;

	CHECK_EQ(err->errnum, errnum);
	va_start(ap, errnum);
	while ((frag = va_arg(ap, const char *))) {
		const char *found = strstr(at, frag);

		if (!found)
			fprintf(stderr, "message '%s' lacks '%s'\n", err->msg,
				frag);
		CHECK(found != NULL);
		at = found + strlen(frag);
	}
	va_end(ap);
	CHECK(strstr(at, strerrorname_np(errnum)) != NULL);
}

/*
 * The attach steps, each failed with its own host call. Every attach runs
 * with KVM on (a kvm-vfio device set on the ctx), so every unwind after
 * the ADD must DEL.
 */
enum step_setup {
	SETUP_SECOND,		/* device 0 attached first, dev1 joins it */
	SETUP_FIRST,		/* dev1 is the backend's first user */
	SETUP_HANDED_IN,	/* dev1 first, its cdev fd handed in */
	SETUP_DISCARD,		/* dev1 first, RAM discard required */
};

struct attach_step {
	const char *what;
	enum step_setup setup;
	const char *profile;	/* dev1's */
	unsigned int kind;	/* EMU_FAULT_* failing, 0: none */
	unsigned long request;	/* with EMU_FAULT_IOCTL: this one only */
	int errnum;
	const char *msg[3];	/* after "device dev1", in order */
	const char *trace[2];	/* "fail:" events that must be told */
};

static const struct attach_step attach_steps[] = {
	{ "list vfio-dev", SETUP_SECOND, "e1000e", EMU_FAULT_LIST_DIR, 0, EIO,
	  { ": list /sys/", "/vfio-dev" }, { NULL } },
	{ "read dev", SETUP_SECOND, "e1000e", EMU_FAULT_READ_FILE, 0, EIO,
	  { ": read /sys/", "/vfio-dev/vfio", "/dev" }, { NULL } },
	{ "open cdev", SETUP_SECOND, "e1000e", EMU_FAULT_OPEN, 0, EACCES,
	  { ": open /dev/vfio/devices/vfio" }, { NULL } },
	{ "fstat cdev", SETUP_SECOND, "e1000e", EMU_FAULT_FSTAT, 0, EIO,
	  { ": /dev/vfio/devices/vfio", " is not char device " }, { NULL } },
	{ "fstat handed in", SETUP_HANDED_IN, "e1000e", EMU_FAULT_FSTAT, 0,
	  EIO, { ": fstat of fd " }, { NULL } },
	{ "connect", SETUP_HANDED_IN, "e1000e", EMU_FAULT_OPEN, 0, EACCES,
	  { ": open /dev/iommu" }, { "fail:connect" } },
	{ "kvm add", SETUP_SECOND, "e1000e", EMU_FAULT_IOCTL, KVM_SET_DEVICE_ATTR,
	  EIO, { ": KVM_DEV_VFIO_FILE_ADD to kvm-vfio fd " }, { "fail:kvm add" } },
	{ "bind", SETUP_SECOND, "e1000e", EMU_FAULT_IOCTL,
	  VFIO_DEVICE_BIND_IOMMUFD, EIO, { ": bind to iommufd " },
	  { "fail:bind" } },
	{ "discard", SETUP_DISCARD, "e1000e", 0, 0, EBUSY,
	  { ": cannot disable RAM discard" }, { "fail:disable discard" } },
	{ "attach", SETUP_SECOND, "e1000e", EMU_FAULT_IOCTL,
	  VFIO_DEVICE_ATTACH_IOMMUFD_PT, EIO, { ": attach to " },
	  { "fail:attach" } },
	{ "hw info", SETUP_SECOND, "noshare", EMU_FAULT_IOCTL,
	  IOMMU_GET_HW_INFO, EIO,
	  { ": hw info of device id ", ": IOMMU_GET_HW_INFO on iommufd " },
	  { "fail:IOMMU_GET_HW_INFO" } },
	{ "hwpt alloc", SETUP_SECOND, "noshare", EMU_FAULT_IOCTL,
	  IOMMU_HWPT_ALLOC, EIO,
	  { ": HWPT for device id ", ": IOMMU_HWPT_ALLOC on iommufd " },
	  { "fail:IOMMU_HWPT_ALLOC" } },
	{ "ioas alloc", SETUP_FIRST, "e1000e", EMU_FAULT_IOCTL,
	  IOMMU_IOAS_ALLOC, EIO, { ": IOMMU_IOAS_ALLOC on iommufd " },
	  { "fail:IOMMU_IOAS_ALLOC", "fail:new container" } },
	{ "replay", SETUP_FIRST, "e1000e", EMU_FAULT_IOCTL, IOMMU_IOAS_MAP,
	  EIO, { ": replay into IOAS 2: map IOAS 2 iova 0x10000 size 0x2000",
		 ": IOMMU_IOAS_MAP on iommufd " },
	  { "fail:IOMMU_IOAS_MAP", "fail:new container" } },
	{ "iova ranges", SETUP_SECOND, "e1000e", EMU_FAULT_IOCTL,
	  IOMMU_IOAS_IOVA_RANGES, EIO,
	  { ": IOVA ranges of IOAS 2 on iommufd " },
	  { "fail:IOMMU_IOAS_IOVA_RANGES" } },
	{ "get info", SETUP_SECOND, "e1000e", EMU_FAULT_IOCTL,
	  VFIO_DEVICE_GET_INFO, EIO, { ": VFIO_DEVICE_GET_INFO" },
	  { "fail:get info" } },
};

static void attach_step_fails(const struct attach_step *st)
{
	struct iofd_device_cfg cfg = { .name = "dev1", .fd = -1 };
	struct iofd_device *first = NULL, *dev = NULL;
	struct iofd_error err = { 0 };
	struct emu_counters before;
	unsigned int users;
	size_t containers;
	struct emu_counters after;
	struct iofd_region r;
	int kdev, vm, kvm;
	struct fx fx;
	size_t i;
	int ret;

	fprintf(stderr, "step %s\n", st->what);
	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, st->profile, EMU_SYSFS_OK);
	r = fx_region(&fx, 0x10, 2, 0);
	CHECK_OK(iofd_space_region_add(fx.space, &r, NULL));
	kdev = fx_kvm_vfio_open(&fx, &vm, &kvm);
	iofd_ctx_set_kvm_vfio(fx.ctx, kdev);
	if (st->setup == SETUP_SECOND)
		first = fx_attach(&fx, 0, NULL, fx.space);
	if (st->setup == SETUP_DISCARD)
		CHECK_OK(iofd_ctx_require_discard(fx.ctx, true, NULL));
	emu_counters_get(fx.emu, &before);
	users = iofd_backend_users(fx.be);
	containers = iofd_space_container_count(fx.space);
	if (st->setup == SETUP_HANDED_IN) {
		struct iofd_host h;

		emu_host(fx.emu, &h);
		cfg.fd = CHECK_OK(h.ops->open(h.priv, "/dev/vfio/devices/vfio1",
					      O_RDWR));
	} else {
		cfg.sysfs_path = fx.path[1];
	}

	fx.nr_events = 0;
	if (st->kind)
		emu_fault_fail_every(fx.fault, st->kind, st->request,
				     st->errnum);
	ret = iofd_device_attach_cfg(fx.ctx, &cfg, fx.space, fx.be, &dev,
				     &err);
	emu_fault_fail_every(fx.fault, 0, 0, 0);

	CHECK_ERR(st->errnum, ret);
	CHECK(!strncmp(err.msg, "device dev1", 11));
	check_msg(&err, st->errnum, st->msg[0] ? st->msg[0] : "",
		  st->msg[1] ? st->msg[1] : "", st->msg[2] ? st->msg[2] : "",
		  NULL);
	for (i = 0; i < 2 && st->trace[i]; i++)
		CHECK(fx_traced(&fx, st->trace[i]));
	/* a handed-in fd is libiofd's from the call on: closed too */
	fx_check_counters(&fx, &before);
	emu_counters_get(fx.emu, &after);
	CHECK_EQ(after.kvm_vfio_files, before.kvm_vfio_files);
	CHECK_EQ(iofd_backend_users(fx.be), users);
	CHECK_EQ(iofd_space_container_count(fx.space), containers);
	CHECK_EQ(iofd_ctx_discard_disablers(fx.ctx), first ? 1 : 0);
	if (first)
		fx_check_container(&fx, iofd_device_container(first));
	if (st->setup == SETUP_DISCARD)
		CHECK_OK(iofd_ctx_require_discard(fx.ctx, false, NULL));
	if (first)
		CHECK_OK(iofd_device_detach(first, NULL));
	fx_kvm_vfio_close(&fx, kdev, vm, kvm);
	fx_fini(&fx);
}

static void test_attach_step_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(attach_steps) / sizeof(attach_steps[0]); i++)
		attach_step_fails(&attach_steps[i]);
}

/* The detach steps: every one runs, the first failure is the one told. */
struct detach_step {
	const char *what;
	unsigned int kind;	/* EMU_FAULT_* failing, or 0 and: */
	unsigned long request;	/* with EMU_FAULT_IOCTL: this one only */
	unsigned long nth;	/* with kind 0: the detach's nth host call */
	const char *msg[2];	/* after "device dev0"; none: detach succeeds */
	const char *trace[2];
	int destroy_fails;	/* DESTROYs that must fail, retries included */
};

/*
 * Device 0 is alone in its container on IOAS 2 and HWPT 3; a device in
 * another space keeps the backend open, so DESTROYs deferred by a failed
 * DETACH are retried once the device fd is closed.
 */
static const struct detach_step detach_steps[] = {
	{ "detach", EMU_FAULT_IOCTL, VFIO_DEVICE_DETACH_IOMMUFD_PT, 0,
	  { ": detach from IOAS 2" }, { "fail:detach" }, 2 },
	{ "destroy", EMU_FAULT_IOCTL, IOMMU_DESTROY, 0,
	  { ": free id 3: IOMMU_DESTROY on iommufd " },
	  { "fail:IOMMU_DESTROY" }, 4 },
	{ "destroy ioas", 0, 0, 3,
	  { ": free id 2: IOMMU_DESTROY on iommufd " },
	  { "fail:IOMMU_DESTROY" }, 1 },
	{ "kvm del", EMU_FAULT_IOCTL, KVM_SET_DEVICE_ATTR, 0, { NULL },
	  { "fail:kvm del" }, 0 },
	{ "close", EMU_FAULT_CLOSE, 0, 0, { NULL }, { "fail:close" }, 0 },
};

static int count_events(const struct fx *fx, const char *text)
{
	int i, n = 0;

	for (i = 0; i < fx->nr_events; i++)
		n += !strcmp(fx->events[i], text);
	return n;
}

static void detach_step_fails(const struct detach_step *st)
{
	const struct emu_counters empty = { 0 };
	struct iofd_error err = { .errnum = 12345 };
	struct iofd_device *dev, *keeper;
	struct iofd_space *other;
	struct emu_counters cnt;
	int kdev, vm, kvm;
	struct fx fx;
	size_t i;
	int ret;

	fprintf(stderr, "step %s\n", st->what);
	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	kdev = fx_kvm_vfio_open(&fx, &vm, &kvm);
	iofd_ctx_set_kvm_vfio(fx.ctx, kdev);
	dev = fx_attach(&fx, 0, NULL, fx.space);
	CHECK(iofd_device_kvm_registered(dev));
	CHECK_OK(iofd_space_create(fx.ctx, &other, NULL));
	keeper = fx_attach(&fx, 1, "keeper", other);
	CHECK_EQ(iofd_container_ioas(iofd_device_container(dev)), 2);
	CHECK_EQ(iofd_device_hwpt(dev), 3);
	fx.nr_events = 0;
	if (st->kind)
		emu_fault_fail_every(fx.fault, st->kind, st->request, EIO);
	else
		emu_fault_fail_nth(fx.fault, st->nth, EIO);
	ret = iofd_device_detach(dev, &err);
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	emu_fault_fail_nth(fx.fault, 0, 0);
	if (st->msg[0]) {
		CHECK_ERR(EIO, ret);
		CHECK(!strncmp(err.msg, "device dev0", 11));
		check_msg(&err, EIO, st->msg[0], st->msg[1] ? st->msg[1] : "",
			  NULL);
	} else {
		CHECK_OK(ret);
		CHECK_EQ(err.errnum, 12345);	/* untouched */
	}
	for (i = 0; i < 2 && st->trace[i]; i++)
		CHECK(fx_traced(&fx, st->trace[i]));
	CHECK(fx_traced(&fx, "detach"));
	CHECK_EQ(count_events(&fx, "fail:IOMMU_DESTROY"), st->destroy_fails);
	CHECK_EQ(iofd_space_container_count(fx.space), 0);
	CHECK_EQ(iofd_backend_users(fx.be), 1);
	CHECK_EQ(iofd_ctx_discard_disablers(fx.ctx), 1);
	emu_counters_get(fx.emu, &cnt);
	/* the keeper's, and dev0's when its DEL failed (KVM holds it) */
	CHECK_EQ(cnt.kvm_vfio_files, strcmp(st->what, "kvm del") ? 1 : 2);
	/*
	 * What a failed DESTROY left stays until the iommufd closes; a
	 * failed DETACH's deferred DESTROYs have run: only the keeper's
	 * device, IOAS and HWPT are left.
	 */
	if (!strcmp(st->what, "detach"))
		CHECK_EQ(cnt.objects, 3);
	fx_check_container(&fx, iofd_device_container(keeper));
	CHECK_OK(iofd_device_detach(keeper, NULL));
	fx_kvm_vfio_close(&fx, kdev, vm, kvm);
	fx_check_counters(&fx, &empty);
	fx_fini(&fx);
}

static void test_detach_step_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(detach_steps) / sizeof(detach_steps[0]); i++)
		detach_step_fails(&detach_steps[i]);
}

/*
 * Each backend verb failing in the kernel: its errno as it came, the
 * message naming the verb's object and the ioctl, the ioctl traced.
 */
static void test_backend_verb_errors(void)
{
	struct iofd_iova_range *ranges;
	struct iofd_hw_info info;
	struct iofd_error err;
	uint32_t ioas, id;
	uint64_t bitmap[1];
	size_t count;
	struct fx fx;

	fx_init(&fx);
	CHECK_OK(iofd_backend_connect(fx.be, NULL));
	CHECK_OK(iofd_backend_alloc_ioas(fx.be, &ioas, NULL));
	CHECK_OK(iofd_backend_map(fx.be, ioas, 0x10000, 0x2000, fx.mem, false,
				  NULL));
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, 0, EIO);

#define VERB_FAILS(call, ioctl, ...) do {				\
		fx.nr_events = 0;					\
		iofd_error_clear(&err);					\
		CHECK_ERR(EIO, call);					\
		check_msg(&err, EIO, __VA_ARGS__, ioctl " on iommufd ",	\
			  NULL);					\
		CHECK(fx_traced(&fx, "fail:" ioctl));			\
	} while (0)

	VERB_FAILS(iofd_backend_alloc_ioas(fx.be, &id, &err),
		   "IOMMU_IOAS_ALLOC", "");
	VERB_FAILS(iofd_backend_free_id(fx.be, ioas, &err), "IOMMU_DESTROY",
		   "free id 1: ");
	VERB_FAILS(iofd_backend_map(fx.be, ioas, 0x20000, 0x3000, fx.mem, true,
				    &err),
		   "IOMMU_IOAS_MAP", "map IOAS 1 iova 0x20000 size 0x3000: ");
	VERB_FAILS(iofd_backend_unmap(fx.be, ioas, 0x10000, 0x2000, &err),
		   "IOMMU_IOAS_UNMAP", "unmap IOAS 1 iova 0x10000 size 0x2000: ");
	VERB_FAILS(iofd_backend_unmap_all(fx.be, ioas, NULL, &err),
		   "IOMMU_IOAS_UNMAP", "unmap all of IOAS 1: ");
	VERB_FAILS(iofd_backend_alloc_hwpt(fx.be, 5, ioas, 0, &id, &err),
		   "IOMMU_HWPT_ALLOC", "HWPT for device id 5 over 1 flags 0x0: ");
	VERB_FAILS(iofd_backend_get_hw_info(fx.be, 5, &info, &err),
		   "IOMMU_GET_HW_INFO", "hw info of device id 5: ");
	VERB_FAILS(iofd_backend_set_dirty_tracking(fx.be, 6, false, &err),
		   "IOMMU_HWPT_SET_DIRTY_TRACKING",
		   "disable dirty tracking of HWPT 6: ");
	VERB_FAILS(iofd_backend_get_dirty_bitmap(fx.be, 6, 0x10000, 0x2000,
						 4096, bitmap, &err),
		   "IOMMU_HWPT_GET_DIRTY_BITMAP",
		   "dirty bitmap of HWPT 6 iova 0x10000 size 0x2000: ");
#undef VERB_FAILS
	fx.nr_events = 0;
	iofd_error_clear(&err);
	CHECK_ERR(EIO, iofd_backend_iova_ranges(fx.be, ioas, &ranges, &count,
						NULL, &err));
	check_msg(&err, EIO, "IOVA ranges of IOAS 1 on iommufd ", NULL);
	CHECK(fx_traced(&fx, "fail:IOMMU_IOAS_IOVA_RANGES"));

	/*
	 * EMSGSIZE for an array that was big enough (the count did not
	 * grow) is a kernel contradicting itself: EPROTO, not a loop.
	 */
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_IOAS_IOVA_RANGES,
			     EMSGSIZE);
	fx.nr_events = 0;
	iofd_error_clear(&err);
	CHECK_ERR(EPROTO, iofd_backend_iova_ranges(fx.be, ioas, &ranges,
						   &count, NULL, &err));
	check_msg(&err, EPROTO, "IOVA ranges of IOAS 1 on iommufd ", NULL);
	CHECK(fx_traced(&fx, "fail:IOMMU_IOAS_IOVA_RANGES"));
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	iofd_backend_disconnect(fx.be);
	fx_fini(&fx);
}

/*
 * A kernel with no user domains for the device (HWPT_ALLOC: EOPNOTSUPP)
 * gets the device attached to the IOAS itself; when that attach fails,
 * its error is the attach's.
 */
static void test_kernel_domain_attach_fails(void)
{
	const struct emu_counters empty = { 0 };
	struct iofd_device *dev = NULL;
	struct iofd_error err;
	unsigned long nth;
	struct fx fx;
	int ret;

	fx_init(&fx);
	fx_add_device(&fx, "e1000e", EMU_SYSFS_OK);
	/* every ATTACH fails; find the HWPT_ALLOC to refuse */
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL,
			     VFIO_DEVICE_ATTACH_IOMMUFD_PT, EIO);
	for (nth = 1; nth < 40; nth++) {
		fx.nr_events = 0;
		iofd_error_clear(&err);
		emu_fault_fail_nth(fx.fault, nth, EOPNOTSUPP);
		ret = iofd_device_attach(fx.ctx, "dev0", fx.path[0], fx.space,
					 fx.be, &dev, &err);
		emu_fault_fail_nth(fx.fault, 0, 0);
		CHECK(ret < 0);
		if (fx_traced(&fx, "fail:IOMMU_HWPT_ALLOC"))
			break;
	}
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK(nth < 40);
	CHECK(fx_traced(&fx, "fail:attach"));
	CHECK_ERR(EIO, ret);
	check_msg(&err, EIO, "device dev0: attach to 2: ", NULL);
	fx_check_counters(&fx, &empty);
	fx_fini(&fx);
}

/*
 * GET_HW_INFO refused (EOPNOTSUPP), like a kernel without it (ENOTTY),
 * means "no capability": the attach goes on with a HWPT that does not
 * track dirty pages.
 */
static void test_hw_info_refused(void)
{
	struct iofd_device *dev;
	uint32_t flags = 0xff;
	struct fx fx;

	fx_init(&fx);
	fx_add_device(&fx, "dirty", EMU_SYSFS_OK);
	emu_fault_fail_every(fx.fault, EMU_FAULT_IOCTL, IOMMU_GET_HW_INFO,
			     EOPNOTSUPP);
	dev = fx_attach(&fx, 0, NULL, fx.space);
	emu_fault_fail_every(fx.fault, 0, 0, 0);
	CHECK_OK(iofd_container_hwpt_get(iofd_device_container(dev), 0, NULL,
					 &flags));
	CHECK_EQ(flags, 0);
	CHECK_OK(iofd_device_detach(dev, NULL));
	fx_fini(&fx);
}

/* The longest sysfs path libiofd takes leaves room for what it appends. */
static void test_sysfs_path_length(void)
{
	char path[PATH_MAX];
	struct iofd_device *dev;
	struct iofd_error err;
	struct fx fx;
	size_t i;

	fx_init(&fx);

	memset(path, 'a', sizeof(path));
	for (i = 0; i < sizeof(path); i += 100)
		path[i] = '/';			/* components within NAME_MAX */
	path[PATH_MAX - 64] = '\0';		/* too long by one */
	iofd_error_clear(&err);
	CHECK_ERR(ENAMETOOLONG, iofd_device_attach(fx.ctx, "d", path, fx.space,
						   fx.be, &dev, &err));
	check_msg(&err, ENAMETOOLONG, "device d: bad sysfs path", NULL);
	path[PATH_MAX - 65] = '\0';		/* the longest: looked up */
	iofd_error_clear(&err);
	CHECK_ERR(ENOENT, iofd_device_attach(fx.ctx, "d", path, fx.space,
					     fx.be, &dev, &err));
	CHECK_EQ(err.errnum, ENOENT);		/* the message is truncated */
	CHECK(!strncmp(err.msg, "device d: list /aaa", 19));
	fx_fini(&fx);
}

static const struct check_test tests[] = {
	{ "attach_step_errors", test_attach_step_errors },
	{ "detach_step_errors", test_detach_step_errors },
	{ "backend_verb_errors", test_backend_verb_errors },
	{ "sysfs_path_length", test_sysfs_path_length },
	{ "kernel_domain_attach_fails", test_kernel_domain_attach_fails },
	{ "hw_info_refused", test_hw_info_refused },
};

CHECK_MAIN(tests)
