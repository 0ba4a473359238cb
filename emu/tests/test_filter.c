/* SPDX-License-Identifier: MIT */
/*
 * The host-filter base (emu/filter.h) and what is built on it: every entry
 * of the host table, pread and pwrite included, reaches the lower host
 * once and unchanged through a filter with no hooks; a before hook that
 * answers keeps the call from the lower host; after sees every result and
 * may change it; dir_entry sees every listed name; a lower host without an
 * entry answers ENOSYS; the fault plan counts and fails pread and pwrite
 * like any call; the ioctl name table is one name per request.
 */
#include <linux/vfio.h>

#include <emu/filter.h>
#include <emu/ioctl_names.h>

#include "emu_test.h"

#define T_BDF "0000:00:03.0"
#define T_CONFIG_OFF ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40)

/* A filter that counts what it sees, and may refuse one entry. */
struct t_spy {
	struct emu_filter f;
	unsigned int before[EMU_HOST_ENTRY_COUNT];
	unsigned int after[EMU_HOST_ENTRY_COUNT];
	unsigned int names;
	long last_ret;
	int refuse;		/* entry answered with -EPERM; -1: none */
	long rewrite;		/* after: a result to put in instead; 0: keep */
};

static bool t_spy_before(void *priv, struct emu_filter *f,
			 struct emu_host_call *c)
{
	struct t_spy *s = priv;

	CHECK(f == &s->f);
	s->before[c->entry]++;
	if ((int)c->entry == s->refuse) {
		c->ret = -EPERM;
		return false;
	}
	return true;
}

static void t_spy_after(void *priv, struct emu_host_call *c)
{
	struct t_spy *s = priv;

	s->after[c->entry]++;
	s->last_ret = c->ret;
	if (s->rewrite)
		c->ret = s->rewrite;
}

static void t_spy_dir_entry(void *priv, struct emu_host_call *c,
			    const char *name)
{
	struct t_spy *s = priv;

	CHECK_EQ(c->entry, EMU_HOST_LIST_DIR);
	CHECK(name[0] != '\0');
	s->names++;
}

static const struct emu_filter_ops t_spy_ops = {
	.before = t_spy_before,
	.after = t_spy_after,
	.dir_entry = t_spy_dir_entry,
};

static void t_spy_init(struct t_spy *s, const struct iofd_host *lower,
		       const struct emu_filter_ops *ops, struct iofd_host *out)
{
	memset(s, 0, sizeof(*s));
	s->refuse = -1;
	emu_filter_init(&s->f, lower, ops, s, out);
}

static int t_count_name(void *arg, const char *name)
{
	(*(unsigned int *)arg)++;
	return 0;
}

/* A bound device fd and its iommufd, opened through @h. */
static void t_bound(struct emu_t *t, const struct iofd_host *h, int *iommufd,
		    int *devfd)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };

	*iommufd = CHECK_OK(h->ops->open(h->priv, "/dev/iommu", O_RDWR));
	*devfd = CHECK_OK(h->ops->open(h->priv, "/dev/vfio/devices/vfio0",
				       O_RDWR));
	bind.iommufd = *iommufd;
	CHECK_OK(h->ops->ioctl(h->priv, *devfd, VFIO_DEVICE_BIND_IOMMUFD,
			       &bind));
}

static void every_entry_forwarded(void)
{
	static const struct emu_filter_ops none = { 0 };
	const char *sys = "/sys/bus/pci/devices/" T_BDF;
	struct iofd_host h;
	struct t_spy s;
	struct emu_t t;
	struct stat st;
	unsigned int direct = 0, filtered = 0;
	char path[128], a[64], b[64];
	uint16_t vendor = 0, want = 0;
	int iommufd, devfd;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", T_BDF, EMU_SYSFS_OK));
	t_spy_init(&s, &t.host, &none, &h);

	t_bound(&t, &h, &iommufd, &devfd);
	CHECK_OK(h.ops->fstat(h.priv, devfd, &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_OK(h.ops->stat(h.priv, "/dev/iommu", &st));
	snprintf(path, sizeof(path), "%s/vendor", sys);
	CHECK_EQ(h.ops->read_file(h.priv, path, a, sizeof(a)),
		 t.host.ops->read_file(t.host.priv, path, b, sizeof(b)));
	CHECK(!strcmp(a, b));
	CHECK_OK(h.ops->list_dir(h.priv, sys, t_count_name, &filtered));
	CHECK_OK(t.host.ops->list_dir(t.host.priv, sys, t_count_name,
				      &direct));
	CHECK(direct > 0);
	CHECK_EQ(filtered, direct);

	/* Config space through the table: the vendor id, then a write. */
	CHECK_EQ(h.ops->pread(h.priv, devfd, &vendor, 2, T_CONFIG_OFF), 2);
	CHECK_EQ(emu_pread(t.emu, devfd, &want, 2, T_CONFIG_OFF), 2);
	CHECK_EQ(vendor, want);
	CHECK_EQ(vendor, emu_profile_find("e1000e")->vendor);
	CHECK_EQ(h.ops->pwrite(h.priv, devfd, &vendor, 2, T_CONFIG_OFF), 2);
	CHECK_ERR(EINVAL, h.ops->pread(h.priv, devfd, &vendor, 2,
				       UINT64_MAX));
	CHECK_ERR(EBADF, h.ops->pwrite(h.priv, 999, &vendor, 2, 0));

	CHECK_OK(h.ops->close(h.priv, devfd));
	CHECK_OK(h.ops->close(h.priv, iommufd));
	emu_t_teardown(&t);
}

static void hooks_see_every_call(void)
{
	const char *sys = "/sys/bus/pci/devices/" T_BDF;
	struct iofd_host h;
	struct t_spy s;
	struct emu_t t;
	struct stat st;
	unsigned int names = 0, e;
	uint16_t vendor;
	char buf[32];
	int iommufd, devfd;
	void *map;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", T_BDF, EMU_SYSFS_OK));
	t_spy_init(&s, &t.host, &t_spy_ops, &h);
	t_bound(&t, &h, &iommufd, &devfd);
	CHECK_OK(h.ops->fstat(h.priv, devfd, &st));
	CHECK_OK(h.ops->stat(h.priv, sys, &st));
	CHECK(h.ops->read_file(h.priv, "/sys/bus/pci/devices/" T_BDF "/vendor",
			       buf, sizeof(buf)) > 0);
	CHECK_OK(h.ops->list_dir(h.priv, sys, t_count_name, &names));
	CHECK_EQ(s.names, names);
	CHECK_EQ(h.ops->pread(h.priv, devfd, &vendor, 2, T_CONFIG_OFF), 2);
	CHECK_EQ(h.ops->pwrite(h.priv, devfd, &vendor, 2, T_CONFIG_OFF), 2);
	CHECK_OK(h.ops->mmap(h.priv, NULL, PG, PROT_READ, MAP_SHARED, devfd, 0,
			     &map));
	CHECK_OK(h.ops->munmap(h.priv, map, PG));
	CHECK_OK(h.ops->close(h.priv, devfd));
	CHECK_OK(h.ops->close(h.priv, iommufd));
	for (e = 0; e < EMU_HOST_ENTRY_COUNT; e++) {
		CHECK(s.before[e] > 0);
		CHECK_EQ(s.after[e], s.before[e]);
	}
	emu_t_teardown(&t);
}

static void before_answers_after_rewrites(void)
{
	struct iofd_host below_h, h;
	struct t_spy below, s;
	struct emu_t t;
	uint16_t vendor = 0;
	int iommufd, devfd;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", T_BDF, EMU_SYSFS_OK));
	t_spy_init(&below, &t.host, &t_spy_ops, &below_h);
	t_spy_init(&s, &below_h, &t_spy_ops, &h);
	t_bound(&t, &h, &iommufd, &devfd);

	s.refuse = EMU_HOST_PREAD;
	CHECK_ERR(EPERM, h.ops->pread(h.priv, devfd, &vendor, 2,
				      T_CONFIG_OFF));
	CHECK_EQ(vendor, 0);
	CHECK_EQ(below.before[EMU_HOST_PREAD], 0);
	CHECK_EQ(s.after[EMU_HOST_PREAD], 1);
	CHECK_EQ(s.last_ret, -EPERM);
	s.refuse = -1;

	s.rewrite = -EIO;
	CHECK_ERR(EIO, h.ops->pwrite(h.priv, devfd, &vendor, 2,
				     T_CONFIG_OFF));
	CHECK_EQ(below.after[EMU_HOST_PWRITE], 1);
	CHECK_EQ(s.last_ret, 2);
	s.rewrite = 0;

	CHECK_OK(h.ops->close(h.priv, devfd));
	CHECK_OK(h.ops->close(h.priv, iommufd));
	emu_t_teardown(&t);
}

static int t_open_only(void *priv, const char *path, int flags)
{
	return 5;
}

static void missing_entry_enosys(void)
{
	static const struct iofd_host_ops open_only = { .open = t_open_only };
	const struct iofd_host lower = { .ops = &open_only };
	static const struct emu_filter_ops none = { 0 };
	struct iofd_host h;
	struct t_spy s;
	char c;

	t_spy_init(&s, &lower, &none, &h);
	CHECK_EQ(h.ops->open(h.priv, "/x", 0), 5);
	CHECK_ERR(ENOSYS, h.ops->pread(h.priv, 5, &c, 1, 0));
	CHECK_ERR(ENOSYS, h.ops->close(h.priv, 5));
}

static void fault_plan_counts_region_io(void)
{
	struct emu_fault *f;
	struct iofd_host fh;
	struct emu_t t;
	uint16_t vendor = 0;
	int iommufd, devfd;

	emu_t_setup(&t);
	CHECK_OK(t_add_dev(&t, "e1000e", T_BDF, EMU_SYSFS_OK));
	CHECK_OK(emu_fault_create(&t.host, &f));
	emu_fault_host(f, &fh);
	t_bound(&t, &fh, &iommufd, &devfd);

	emu_fault_fail_every(f, EMU_FAULT_PREAD, 0, EIO);
	CHECK_ERR(EIO, fh.ops->pread(fh.priv, devfd, &vendor, 2,
				     T_CONFIG_OFF));
	CHECK_EQ(fh.ops->pwrite(fh.priv, devfd, &vendor, 2, T_CONFIG_OFF), 2);
	emu_fault_fail_every(f, EMU_FAULT_PWRITE, 0, ENOMEM);
	CHECK_EQ(fh.ops->pread(fh.priv, devfd, &vendor, 2, T_CONFIG_OFF), 2);
	CHECK_ERR(ENOMEM, fh.ops->pwrite(fh.priv, devfd, &vendor, 2,
					 T_CONFIG_OFF));
	emu_fault_fail_every(f, 0, 0, 0);

	/* fail-nth counts region I/O like any call. */
	emu_fault_fail_nth(f, 2, EFAULT);
	CHECK_EQ(fh.ops->pread(fh.priv, devfd, &vendor, 2, T_CONFIG_OFF), 2);
	CHECK(!emu_fault_fired(f));
	CHECK_ERR(EFAULT, fh.ops->pwrite(fh.priv, devfd, &vendor, 2,
					 T_CONFIG_OFF));
	CHECK(emu_fault_fired(f));
	CHECK_EQ(emu_fault_calls(f), 2);

	CHECK_OK(fh.ops->close(fh.priv, devfd));
	CHECK_OK(fh.ops->close(fh.priv, iommufd));
	emu_fault_destroy(f);
	emu_t_teardown(&t);
}

static void ioctl_names_unique(void)
{
	size_t i, j, n = emu_ioctl_count();
	const struct emu_ioctl_desc *d;

	CHECK(n > 30);
	for (i = 0; i < n; i++) {
		d = emu_ioctl_get(i);
		CHECK(d && d->name && d->request);
		CHECK(emu_ioctl_find(d->request) == d);
		CHECK(emu_ioctl_find_name(d->name) == d);
		for (j = 0; j < i; j++)
			CHECK(emu_ioctl_get(j)->request != d->request);
	}
	CHECK(emu_ioctl_get(n) == NULL);
	CHECK(!strcmp(emu_ioctl_name(IOMMU_IOAS_MAP), "IOMMU_IOAS_MAP"));
	CHECK_EQ(emu_ioctl_find(IOMMU_IOAS_MAP)->size,
		 sizeof(struct iommu_ioas_map));
	CHECK_EQ(emu_ioctl_find(VFIO_DEVICE_RESET)->size, 0);
	CHECK(emu_ioctl_name(0x1234) == NULL);
	CHECK(emu_ioctl_find_name("IOMMU_NOPE") == NULL);
}

static void call_print(void)
{
	struct emu_host_call c = {
		.entry = EMU_HOST_IOCTL, .fd = 3, .request = IOMMU_DESTROY,
	};
	char buf[80];

	emu_host_call_print(&c, buf, sizeof(buf));
	CHECK(!strcmp(buf, "ioctl(3, IOMMU_DESTROY)"));
	c.request = 0x42;
	emu_host_call_print(&c, buf, sizeof(buf));
	CHECK(!strcmp(buf, "ioctl(3, 0x42)"));
	c = (struct emu_host_call){ .entry = EMU_HOST_OPEN, .fd = -1,
				    .path = "/dev/iommu" };
	emu_host_call_print(&c, buf, sizeof(buf));
	CHECK(!strcmp(buf, "open(/dev/iommu)"));
	c = (struct emu_host_call){ .entry = EMU_HOST_PREAD, .fd = 4,
				    .count = 16, .offset = T_CONFIG_OFF };
	emu_host_call_print(&c, buf, sizeof(buf));
	CHECK(!strcmp(buf, "pread(4, 16 at 0x70000000000)"));
	c = (struct emu_host_call){ .entry = EMU_HOST_CLOSE, .fd = 9 };
	emu_host_call_print(&c, buf, sizeof(buf));
	CHECK(!strcmp(buf, "close(9)"));
	CHECK(!strcmp(emu_host_entry_name(EMU_HOST_ENTRY_COUNT), "?"));
	CHECK(emu_host_entry_has_fd(EMU_HOST_PWRITE));
	CHECK(!emu_host_entry_has_fd(EMU_HOST_LIST_DIR));
	CHECK(emu_host_entry_has_path(EMU_HOST_READ_FILE));
	CHECK(!emu_host_entry_has_fd(EMU_HOST_ENTRY_COUNT));
}

static const struct check_test tests[] = {
	TEST(every_entry_forwarded),
	TEST(hooks_see_every_call),
	TEST(before_answers_after_rewrites),
	TEST(missing_entry_enosys),
	TEST(fault_plan_counts_region_io),
	TEST(ioctl_names_unique),
	TEST(call_print),
};

CHECK_MAIN(tests)
