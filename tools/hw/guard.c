/* SPDX-License-Identifier: MIT */
/*
 * The guard: a host filter (emu/filter.h) over the real host for hardware
 * mode.
 *
 * 1. Allow-list. libiofd under the guard can reach /dev/iommu, the sysfs
 *    directory of each named device and that device's VFIO cdev (by name
 *    under /dev/vfio/devices, or by devt under /dev/char), and nothing else:
 *    any other path is refused with EACCES before the kernel sees it, and a
 *    call on an fd the guard did not open is refused with EBADF. A program
 *    can therefore never touch a device the user did not name, whatever it
 *    says.
 * 2. Keeper (optional). When the caller closes an iommufd, the guard first
 *    duplicates it, so the kernel context survives, and remembers the id of
 *    every object created in that context (IOAS_ALLOC, HWPT_ALLOC, BIND's
 *    devid, ATTACH's pt_id). hw_guard_check then asks the kernel itself
 *    whether each is gone: IOMMU_DESTROY of a destroyed id gives ENOENT; 0
 *    or EBUSY is an object the run left behind. Keeping the context alive
 *    changes nothing libiofd can see: a device fd already holds its
 *    context, and the duplicate is far above the fds libiofd gets.
 *
 * Not a security boundary against the process itself (it is the same
 * process): it keeps a program, or a bug in the core, from reaching
 * devices the user did not name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "hw.h"

#define HW_GUARD_MAX_FDS	64
#define HW_GUARD_MAX_CTX	64
#define HW_GUARD_MAX_IDS	128
/* Kept duplicates live at or above this fd, out of libiofd's way. */
#define HW_GUARD_KEEP_FD_MIN	200

enum hw_guard_fd_kind { HW_GUARD_IOMMUFD, HW_GUARD_DEVICE };

struct hw_guard_fd {
	int fd;
	enum hw_guard_fd_kind kind;
	int ctx;		/* index into ctx[]: the iommufd's context, or
				 * the context the device is bound to; -1 */
};

/* One iommufd context opened through the guard. */
struct hw_guard_ctx {
	int keep_fd;		/* duplicate kept after the caller's close */
	bool open;		/* the caller's fd is still open */
	unsigned int nids;
	uint32_t ids[HW_GUARD_MAX_IDS];	/* in creation order */
	bool excused[HW_GUARD_MAX_IDS];
};

struct hw_guard {
	struct emu_filter filter;
	struct iofd_host host;		/* the guarded host */
	bool keep;
	unsigned long refused;
	unsigned int ndevs;
	char sysfs[OP_MAX_DEVICES][HW_PATH_MAX];
	char cdev[OP_MAX_DEVICES][HW_PATH_MAX];
	char cdev_char[OP_MAX_DEVICES][HW_PATH_MAX];
	unsigned int nfds;
	struct hw_guard_fd fds[HW_GUARD_MAX_FDS];
	unsigned int nctx;
	struct hw_guard_ctx ctx[HW_GUARD_MAX_CTX];
};

/* ------------------------------------------------------------------ */
/* The allow-list                                                      */

/* No "." or ".." component, so a prefix match means what it says. */
static bool hw_guard_path_plain(const char *path)
{
	const char *p = path;

	while ((p = strchr(p, '/'))) {
		p++;
		if ((p[0] == '.' && (p[1] == '/' || p[1] == '\0')) ||
		    (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')))
			return false;
	}
	return true;
}

static bool hw_guard_path_ok(const struct hw_guard *g, const char *path)
{
	unsigned int i;
	size_t n;

	if (!path || !hw_guard_path_plain(path))
		return false;
	if (strcmp(path, "/dev/iommu") == 0)
		return true;
	for (i = 0; i < g->ndevs; i++) {
		n = strlen(g->sysfs[i]);
		if (strncmp(path, g->sysfs[i], n) == 0 &&
		    (path[n] == '\0' || path[n] == '/'))
			return true;
		if (g->cdev[i][0] && strcmp(path, g->cdev[i]) == 0)
			return true;
		if (g->cdev_char[i][0] && strcmp(path, g->cdev_char[i]) == 0)
			return true;
	}
	return false;
}

/* Find the named device's cdev now, the way the kernel publishes it. */
static void hw_guard_find_cdev(struct hw_guard *g, unsigned int i)
{
	char path[HW_PATH_MAX + 64], buf[32];
	struct dirent *de;
	unsigned int maj, min;
	ssize_t n;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%s/vfio-dev", g->sysfs[i]);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vfio", 4) == 0 &&
		    strlen(de->d_name) < 32)
			break;
	}
	if (!de)
		goto out_closedir;
	snprintf(g->cdev[i], sizeof(g->cdev[i]), "/dev/vfio/devices/%.31s",
		 de->d_name);
	snprintf(path, sizeof(path), "%s/vfio-dev/%.31s/dev", g->sysfs[i],
		 de->d_name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out_closedir;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%u:%u", &maj, &min) == 2)
			snprintf(g->cdev_char[i], sizeof(g->cdev_char[i]),
				 "/dev/char/%u:%u", maj, min);
	}
out_closedir:
	closedir(d);
}

static struct hw_guard_fd *hw_guard_fd_find(struct hw_guard *g, int fd)
{
	unsigned int i;

	for (i = 0; i < g->nfds; i++)
		if (g->fds[i].fd == fd)
			return &g->fds[i];
	return NULL;
}

static void hw_guard_fd_forget(struct hw_guard *g, struct hw_guard_fd *f)
{
	*f = g->fds[--g->nfds];
}

static void hw_guard_ctx_add_id(struct hw_guard *g, int ctx, uint32_t id)
{
	struct hw_guard_ctx *c;
	unsigned int i;

	if (ctx < 0 || id == 0)
		return;
	c = &g->ctx[ctx];
	/* An id reused after a destroy moves to the end: it is newer. */
	for (i = 0; i < c->nids; i++)
		if (c->ids[i] == id) {
			memmove(&c->ids[i], &c->ids[i + 1],
				(c->nids - i - 1) * sizeof(c->ids[0]));
			memmove(&c->excused[i], &c->excused[i + 1],
				(c->nids - i - 1) * sizeof(c->excused[0]));
			c->nids--;
			break;
		}
	if (c->nids < HW_GUARD_MAX_IDS) {
		c->excused[c->nids] = false;
		c->ids[c->nids++] = id;
	}
}

void hw_guard_excuse(struct hw_guard *g, int fd, uint32_t id)
{
	struct hw_guard_fd *f = hw_guard_fd_find(g, fd);
	struct hw_guard_ctx *c;
	unsigned int i;

	if (!f || f->ctx < 0)
		return;
	c = &g->ctx[f->ctx];
	for (i = 0; i < c->nids; i++)
		if (c->ids[i] == id)
			c->excused[i] = true;
}

/* IOMMU_DESTROY through the kept fd: 0 or -errno. */
static int hw_guard_destroy_id(int fd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &d) < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------ */
/* The filter's hooks                                                  */

/* Remember what a successful ioctl created, in the right context. */
static void hw_guard_harvest(struct hw_guard *g, struct hw_guard_fd *f,
			     unsigned long request, const void *arg)
{
	struct hw_guard_fd *b;

	switch (request) {
	case IOMMU_IOAS_ALLOC:
		hw_guard_ctx_add_id(g, f->ctx,
				    ((const struct iommu_ioas_alloc *)arg)->out_ioas_id);
		break;
	case IOMMU_HWPT_ALLOC:
		hw_guard_ctx_add_id(g, f->ctx,
				    ((const struct iommu_hwpt_alloc *)arg)->out_hwpt_id);
		break;
	case VFIO_DEVICE_BIND_IOMMUFD: {
		const struct vfio_device_bind_iommufd *bind = arg;

		b = hw_guard_fd_find(g, bind->iommufd);
		if (b && b->kind == HW_GUARD_IOMMUFD) {
			f->ctx = b->ctx;
			hw_guard_ctx_add_id(g, f->ctx, bind->out_devid);
		}
		break;
	}
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		hw_guard_ctx_add_id(g, f->ctx,
				    ((const struct vfio_device_attach_iommufd_pt *)arg)->pt_id);
		break;
	default:
		break;
	}
}

/* A new fd the caller opened through the guard: remember it. */
static void hw_guard_opened(struct hw_guard *g, const char *path, int fd)
{
	bool iommu = strcmp(path, "/dev/iommu") == 0;
	struct hw_guard_fd *f = &g->fds[g->nfds++];

	f->fd = fd;
	f->kind = iommu ? HW_GUARD_IOMMUFD : HW_GUARD_DEVICE;
	f->ctx = -1;
	if (iommu) {
		f->ctx = (int)g->nctx;
		g->ctx[g->nctx] = (struct hw_guard_ctx){ .keep_fd = -1,
							 .open = true };
		g->nctx++;
	}
}

/*
 * The caller closes @f: an iommufd's context is kept alive first (its
 * duplicate is taken before the close runs below).
 */
static void hw_guard_closing(struct hw_guard *g, struct hw_guard_fd *f)
{
	if (f->kind == HW_GUARD_IOMMUFD) {
		struct hw_guard_ctx *c = &g->ctx[f->ctx];

		if (g->keep && c->keep_fd < 0)
			c->keep_fd = fcntl(f->fd, F_DUPFD_CLOEXEC,
					   HW_GUARD_KEEP_FD_MIN);
		c->open = false;
	}
	hw_guard_fd_forget(g, f);
}

/* Refuse @c with @err before the kernel sees it. */
static bool hw_guard_refuse(struct hw_guard *g, struct emu_host_call *c,
			    int err)
{
	g->refused++;
	c->ret = err;
	return false;
}

/*
 * Paths must be on the allow-list and only the two kinds of node are ever
 * opened (the rest is read); fds must be ones the guard saw opened.
 */
static bool hw_guard_before(void *priv, struct emu_filter *filter,
			    struct emu_host_call *c)
{
	struct hw_guard *g = priv;
	struct hw_guard_fd *f = NULL;
	bool iommu;

	if (emu_host_entry_has_path(c->entry) &&
	    !hw_guard_path_ok(g, c->path))
		return hw_guard_refuse(g, c, -EACCES);
	if (emu_host_entry_has_fd(c->entry)) {
		f = hw_guard_fd_find(g, c->fd);
		if (!f)
			return hw_guard_refuse(g, c, -EBADF);
	}
	switch (c->entry) {
	case EMU_HOST_OPEN:
		iommu = strcmp(c->path, "/dev/iommu") == 0;
		if (!iommu && strncmp(c->path, "/dev/", 5) != 0)
			return hw_guard_refuse(g, c, -EACCES);
		if (g->nfds == HW_GUARD_MAX_FDS ||
		    (iommu && g->nctx == HW_GUARD_MAX_CTX)) {
			c->ret = -EMFILE;
			return false;
		}
		break;
	case EMU_HOST_CLOSE:
		hw_guard_closing(g, f);
		break;
	default:
		break;
	}
	return true;
}

static void hw_guard_after(void *priv, struct emu_host_call *c)
{
	struct hw_guard *g = priv;
	struct hw_guard_fd *f;

	if (c->ret < 0)
		return;
	if (c->entry == EMU_HOST_OPEN) {
		hw_guard_opened(g, c->path, (int)c->ret);
	} else if (c->entry == EMU_HOST_IOCTL && c->arg && g->keep) {
		f = hw_guard_fd_find(g, c->fd);
		if (f)
			hw_guard_harvest(g, f, c->request, c->arg);
	}
}

static const struct emu_filter_ops hw_guard_ops = {
	.before = hw_guard_before,
	.after = hw_guard_after,
};

int hw_guard_create(const struct iofd_host *lower, const struct hw_dev *devs,
		    unsigned int ndevs, bool keep, struct hw_guard **out)
{
	struct hw_guard *g;
	unsigned int i;

	if (ndevs > OP_MAX_DEVICES)
		return -E2BIG;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	emu_filter_init(&g->filter, lower, &hw_guard_ops, g, &g->host);
	g->keep = keep;
	g->ndevs = ndevs;
	for (i = 0; i < ndevs; i++) {
		snprintf(g->sysfs[i], sizeof(g->sysfs[i]), "%s", devs[i].sysfs);
		hw_guard_find_cdev(g, i);
	}
	*out = g;
	return 0;
}

void hw_guard_destroy(struct hw_guard *g)
{
	unsigned int i;

	if (!g)
		return;
	for (i = 0; i < g->nctx; i++)
		if (g->ctx[i].keep_fd >= 0)
			close(g->ctx[i].keep_fd);
	free(g);
}

void hw_guard_host(struct hw_guard *g, struct iofd_host *out)
{
	*out = g->host;
}

unsigned long hw_guard_refused(const struct hw_guard *g)
{
	return g->refused;
}

int hw_guard_check(struct hw_guard *g, FILE *log)
{
	bool any_open = false;
	unsigned int i, j;
	int left = 0;

	for (i = 0; i < g->nctx; i++) {
		struct hw_guard_ctx *c = &g->ctx[i];

		if (c->open) {
			any_open = true;
			fprintf(log, "  clean: iommufd context %u was never closed\n",
				i);
			left++;
			continue;
		}
		if (c->keep_fd < 0) {
			fprintf(log, "  clean: iommufd context %u was not kept, its ids cannot be asked about\n",
				i);
			left++;
			continue;
		}
		/*
		 * Excused objects go first, newest first, so that an object
		 * they hold (a HWPT holds its IOAS) is free to go too.
		 */
		for (j = c->nids; j-- > 0;)
			if (c->excused[j])
				hw_guard_destroy_id(c->keep_fd, c->ids[j]);
		for (j = 0; j < c->nids; j++) {
			int ret;

			if (c->excused[j])
				continue;
			ret = hw_guard_destroy_id(c->keep_fd, c->ids[j]);
			if (ret != -ENOENT) {
				fprintf(log, "  clean: context %u id %u is still alive: IOMMU_DESTROY gave %s\n",
					i, c->ids[j], ret == 0 ? "0" :
					strerrorname_np(-ret));
				left++;
			}
		}
		close(c->keep_fd);
		c->keep_fd = -1;
		c->nids = 0;
	}
	/* Context slots are reused only when no open fd still names one. */
	if (!any_open)
		g->nctx = 0;
	return left;
}
