// SPDX-License-Identifier: MIT
/*
 * libiofd-emu-preload: the emulator under an unmodified program, through
 * LD_PRELOAD.
 *
 * Configuration (read once, at load):
 *   IOFD_EMU_DEVICES  comma-separated "profile@bdf[@variant]" entries, e.g.
 *                     "e1000e@0000:00:03.0,dirty@0000:00:04.0"; variant is
 *                     ok (default), no-vfio-dev, garbage-dev, overflow-dev
 *                     or wrong-devt. Device N is /dev/vfio/devices/vfioN.
 *   IOFD_EMU_TRACE    when set, every emulated call is printed on stderr.
 *
 * What is served: /dev/iommu, /dev/kvm and /dev/vfio/devices/vfioN (open,
 * close, ioctl, read, write, pread, pwrite, fstat, stat), and the
 * emulated sysfs tree under /sys/bus/pci/devices and the /dev/vfio/devices
 * listing (open, stat, opendir/readdir). Everything else goes to libc.
 *
 * How: an emulated fd is backed by a real one reserved by opening
 * /dev/null, so the numbers the program sees never collide with its real
 * fds; a table maps the real fd to the emulator's fd. The sysfs tree and
 * the /dev/vfio/devices listing are materialised once as a real directory
 * tree in a private temporary directory (built from the emulator's own
 * listing and files, broken variants included), and paths under them are
 * rewritten to it, so opendir, readdir, open and read work unchanged.
 * Not covered: fopen (glibc opens through an internal entry point that
 * LD_PRELOAD cannot see), readlink, dup/fcntl(F_DUPFD) of emulated fds,
 * mmap of regions.
 *
 * The process-wide state is unavoidable here (the interposed libc entry
 * points have no context argument): it is the one struct emu_preload
 * below. The shim is not thread-safe; the programs it serves are
 * single-threaded test programs.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include <emu/emu.h>

#define EMU_PRELOAD_MAX_FD 4096

struct emu_preload {
	struct emu *emu;
	struct iofd_host host;
	bool ready;
	bool trace;
	char mirror[64];		/* the materialised tree's root */
	int emu_fd[EMU_PRELOAD_MAX_FD];	/* real fd -> emulator fd + 1 */
	int standin;			/* see emu_preload_xlate_fd */
	int (*real_open)(const char *, int, ...);
	int (*real_openat)(int, const char *, int, ...);
	int (*real_close)(int);
	int (*real_ioctl)(int, unsigned long, ...);
	ssize_t (*real_read)(int, void *, size_t);
	ssize_t (*real_write)(int, const void *, size_t);
	ssize_t (*real_pread)(int, void *, size_t, off_t);
	ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
	int (*real_fstat)(int, struct stat *);
	int (*real_stat)(const char *, struct stat *);
	int (*real_lstat)(const char *, struct stat *);
	DIR *(*real_opendir)(const char *);
};

static struct emu_preload emu_preload;

static const char *const emu_preload_variants[] = {
	[EMU_SYSFS_OK] = "ok",
	[EMU_SYSFS_NO_VFIO_DEV] = "no-vfio-dev",
	[EMU_SYSFS_GARBAGE_DEV] = "garbage-dev",
	[EMU_SYSFS_OVERFLOW_DEV] = "overflow-dev",
	[EMU_SYSFS_WRONG_DEVT] = "wrong-devt",
};

__attribute__((format(printf, 1, 2)))
static void emu_preload_trace(const char *fmt, ...)
{
	va_list ap;

	if (!emu_preload.trace)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "[iofd-emu] ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Set errno from a 0-or-negative-errno result; returns -1 or @rc. */
static long emu_preload_ret(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

static int emu_preload_add_devices(const char *spec)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *bdf = strchr(tok, '@'), *var;
		enum emu_sysfs_variant v = EMU_SYSFS_OK;
		unsigned int i;

		if (!bdf) {
			rc = -EINVAL;
			break;
		}
		*bdf++ = '\0';
		var = strchr(bdf, '@');
		if (var) {
			*var++ = '\0';
			for (i = 0; i < EMU_SYSFS_VARIANT_COUNT; i++) {
				if (!strcmp(var, emu_preload_variants[i]))
					v = (enum emu_sysfs_variant)i;
			}
		}
		rc = emu_device_add(emu_preload.emu, emu_profile_find(tok), bdf,
				    v, NULL, 0);
		if (rc < 0)
			break;
		rc = 0;
	}
	free(copy);
	return rc;
}

struct emu_preload_walk {
	char src[512];
	char dst[512];
};

static int emu_preload_copy_tree(struct emu_preload_walk *w);

static int emu_preload_copy_entry(void *arg, const char *name)
{
	struct emu_preload_walk *w = arg, sub;
	struct stat st;
	char buf[256];
	ssize_t n;
	int fd;

	/* Emulated paths are short; one that does not fit is skipped. */
	if ((size_t)snprintf(sub.src, sizeof(sub.src), "%.250s/%.200s",
			     w->src, name) >= sizeof(sub.src) ||
	    (size_t)snprintf(sub.dst, sizeof(sub.dst), "%.250s/%.200s",
			     w->dst, name) >= sizeof(sub.dst))
		return 0;
	if (emu_preload.host.ops->stat(emu_preload.host.priv, sub.src, &st))
		return 0;
	if (S_ISDIR(st.st_mode)) {
		mkdir(sub.dst, 0755);
		return emu_preload_copy_tree(&sub);
	}
	/* Attributes get their text; char nodes an empty placeholder. */
	fd = emu_preload.real_open(sub.dst, O_WRONLY | O_CREAT | O_TRUNC,
				   0644);
	if (fd < 0)
		return 0;
	if (S_ISREG(st.st_mode)) {
		n = emu_preload.host.ops->read_file(emu_preload.host.priv,
						    sub.src, buf, sizeof(buf));
		if (n > 0 && emu_preload.real_write(fd, buf, (size_t)n) < 0)
			n = -1;
	}
	emu_preload.real_close(fd);
	return 0;
}

static int emu_preload_copy_tree(struct emu_preload_walk *w)
{
	return emu_preload.host.ops->list_dir(emu_preload.host.priv, w->src,
					      emu_preload_copy_entry, w);
}

/* Build the real mirror of /sys/bus/pci/devices and /dev/vfio/devices. */
static int emu_preload_mirror(void)
{
	static const char *const roots[] = { "/sys/bus/pci/devices",
					     "/dev/vfio/devices" };
	struct emu_preload_walk w;
	unsigned int i;

	snprintf(emu_preload.mirror, sizeof(emu_preload.mirror),
		 "/tmp/iofd-emu-XXXXXX");
	if (!mkdtemp(emu_preload.mirror))
		return -errno;
	for (i = 0; i < 2; i++) {
		char path[512], *p;

		snprintf(w.src, sizeof(w.src), "%s", roots[i]);
		snprintf(w.dst, sizeof(w.dst), "%s%s", emu_preload.mirror,
			 roots[i]);
		/* mkdir -p */
		snprintf(path, sizeof(path), "%s", w.dst);
		for (p = path + strlen(emu_preload.mirror) + 1; *p; p++) {
			if (*p == '/') {
				*p = '\0';
				mkdir(path, 0755);
				*p = '/';
			}
		}
		mkdir(path, 0755);
		emu_preload_copy_tree(&w);
	}
	return 0;
}

__attribute__((constructor)) static void emu_preload_init(void)
{
	const char *devs = getenv("IOFD_EMU_DEVICES");

	emu_preload.real_open = dlsym(RTLD_NEXT, "open");
	emu_preload.real_openat = dlsym(RTLD_NEXT, "openat");
	emu_preload.real_close = dlsym(RTLD_NEXT, "close");
	emu_preload.real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	emu_preload.real_read = dlsym(RTLD_NEXT, "read");
	emu_preload.real_write = dlsym(RTLD_NEXT, "write");
	emu_preload.real_pread = dlsym(RTLD_NEXT, "pread");
	emu_preload.real_pwrite = dlsym(RTLD_NEXT, "pwrite");
	emu_preload.real_fstat = dlsym(RTLD_NEXT, "fstat");
	emu_preload.real_stat = dlsym(RTLD_NEXT, "stat");
	emu_preload.real_lstat = dlsym(RTLD_NEXT, "lstat");
	emu_preload.real_opendir = dlsym(RTLD_NEXT, "opendir");
	emu_preload.trace = getenv("IOFD_EMU_TRACE") != NULL;
	emu_preload.standin = -1;
	if (emu_create(&emu_preload.emu))
		return;
	emu_host(emu_preload.emu, &emu_preload.host);
	if (devs && emu_preload_add_devices(devs)) {
		fprintf(stderr, "[iofd-emu] bad IOFD_EMU_DEVICES: %s\n", devs);
		return;
	}
	if (emu_preload_mirror()) {
		fprintf(stderr, "[iofd-emu] cannot build the sysfs mirror\n");
		return;
	}
	emu_preload.ready = true;
}

static int emu_preload_lookup(int fd)
{
	if (!emu_preload.ready || fd < 0 || fd >= EMU_PRELOAD_MAX_FD)
		return -1;
	return emu_preload.emu_fd[fd] - 1;
}

/* rm -r @path (no shell: a child would inherit LD_PRELOAD). */
static void emu_preload_rmtree(const char *path)
{
	char sub[512];
	struct dirent *de;
	DIR *d = emu_preload.real_opendir(path);

	if (d) {
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			if (de->d_type == DT_DIR)
				emu_preload_rmtree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Remove the mirror; the emulator goes with the process. */
__attribute__((destructor)) static void emu_preload_fini(void)
{
	if (!emu_preload.ready)
		return;
	emu_preload.ready = false;
	emu_preload_rmtree(emu_preload.mirror);
	if (emu_preload.standin >= 0)
		emu_preload.host.ops->close(emu_preload.host.priv,
					    emu_preload.standin);
	emu_destroy(emu_preload.emu);
}

/*
 * An fd the program passes inside a struct (BIND's iommufd, a KVM VFIO
 * file) in the emulator's numbering: its emulated fd; for a real fd of
 * another kind, a stand-in emulated file that is neither an iommufd nor a
 * VFIO file (so the emulator answers EBADFD / EINVAL at the kernel's
 * point); for a closed fd, a number the emulator has not open (EBADF).
 */
static int emu_preload_xlate_fd(int fd)
{
	int efd = emu_preload_lookup(fd);

	if (fd < 0 || efd >= 0)
		return fd < 0 ? fd : efd;
	if (fcntl(fd, F_GETFD) < 0)
		return INT32_MAX;
	if (emu_preload.standin < 0)
		emu_preload.standin = emu_preload.host.ops->open(
			emu_preload.host.priv, "/dev/kvm", O_RDWR);
	return emu_preload.standin < 0 ? INT32_MAX : emu_preload.standin;
}

static bool emu_preload_is_node(const char *path)
{
	return path && (!strcmp(path, "/dev/iommu") ||
			!strcmp(path, "/dev/kvm") ||
			!strncmp(path, "/dev/vfio/devices/", 18));
}

/* A path inside a mirrored tree, rewritten into @buf; else @path. */
static const char *emu_preload_redirect(const char *path, char *buf,
					size_t cap)
{
	if (!emu_preload.ready || !path)
		return path;
	if (!strncmp(path, "/sys/bus/pci/devices", 20) ||
	    !strcmp(path, "/dev/vfio/devices") ||
	    !strcmp(path, "/dev/vfio/devices/")) {
		snprintf(buf, cap, "%s%s", emu_preload.mirror, path);
		return buf;
	}
	return path;
}

static int emu_preload_open_node(const char *path, int flags)
{
	int efd, rfd;

	efd = emu_preload.host.ops->open(emu_preload.host.priv, path, flags);
	emu_preload_trace("open(%s) = %d", path, efd);
	if (efd < 0)
		return (int)emu_preload_ret(efd);
	rfd = emu_preload.real_open("/dev/null", O_RDWR |
				    (flags & O_CLOEXEC));
	if (rfd < 0 || rfd >= EMU_PRELOAD_MAX_FD) {
		int e = rfd < 0 ? errno : EMFILE;

		if (rfd >= 0)
			emu_preload.real_close(rfd);
		emu_preload.host.ops->close(emu_preload.host.priv, efd);
		errno = e;
		return -1;
	}
	emu_preload.emu_fd[rfd] = efd + 1;
	return rfd;
}

/* New emulator fds made by an ioctl (KVM, fault queues) get a real fd. */
static int emu_preload_adopt(int efd)
{
	int rfd = emu_preload.real_open("/dev/null", O_RDWR | O_CLOEXEC);

	if (rfd < 0 || rfd >= EMU_PRELOAD_MAX_FD) {
		if (rfd >= 0)
			emu_preload.real_close(rfd);
		emu_preload.host.ops->close(emu_preload.host.priv, efd);
		errno = EMFILE;
		return -1;
	}
	emu_preload.emu_fd[rfd] = efd + 1;
	return rfd;
}

static int emu_preload_open(const char *path, int flags, mode_t mode)
{
	char buf[512];

	if (emu_preload.ready && emu_preload_is_node(path))
		return emu_preload_open_node(path, flags);
	return emu_preload.real_open(emu_preload_redirect(path, buf,
							 sizeof(buf)),
				     flags, mode);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return emu_preload_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
	__attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	char buf[512];

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	if (path[0] == '/')
		return emu_preload_open(path, flags, mode);
	return emu_preload.real_openat(dirfd, emu_preload_redirect(path, buf,
								  sizeof(buf)),
				       flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
	__attribute__((alias("openat")));

int close(int fd)
{
	int efd = emu_preload_lookup(fd), rc;

	if (efd < 0)
		return emu_preload.real_close(fd);
	rc = emu_preload.host.ops->close(emu_preload.host.priv, efd);
	emu_preload_trace("close(%d) = %d", fd, rc);
	emu_preload.emu_fd[fd] = 0;
	emu_preload.real_close(fd);
	return (int)emu_preload_ret(rc);
}

/*
 * Run an emulated ioctl, translating the fds some structs carry from the
 * program's numbering to the emulator's on a private copy (the program's
 * struct keeps its own numbers; these ioctls write back only other
 * fields, which are copied back).
 */
static int emu_preload_ioctl_xlate(int efd, unsigned long request, void *arg)
{
	void *priv = emu_preload.host.priv;
	int rc;

	if (request == VFIO_DEVICE_BIND_IOMMUFD && arg) {
		struct vfio_device_bind_iommufd b;

		memcpy(&b, arg, sizeof(b));
		b.iommufd = emu_preload_xlate_fd(b.iommufd);
		rc = emu_preload.host.ops->ioctl(priv, efd, request, &b);
		if (rc == 0)
			((struct vfio_device_bind_iommufd *)arg)->out_devid =
				b.out_devid;
		return rc;
	}
	if (request == KVM_SET_DEVICE_ATTR && arg) {
		struct kvm_device_attr a;
		int32_t v;

		memcpy(&a, arg, sizeof(a));
		if (a.group == KVM_DEV_VFIO_FILE && a.addr &&
		    (a.attr == KVM_DEV_VFIO_FILE_ADD ||
		     a.attr == KVM_DEV_VFIO_FILE_DEL)) {
			memcpy(&v, (void *)(uintptr_t)a.addr, sizeof(v));
			v = emu_preload_xlate_fd(v);
			a.addr = (uintptr_t)&v;
			return emu_preload.host.ops->ioctl(priv, efd, request,
							   &a);
		}
	}
	return emu_preload.host.ops->ioctl(priv, efd, request, arg);
}

/*
 * Requests that make a new emulator fd get a reserved real fd for it:
 * KVM_CREATE_VM returns it; KVM_CREATE_DEVICE and IOMMU_FAULT_QUEUE_ALLOC
 * return it inside the struct, which is rewritten.
 */
int ioctl(int fd, unsigned long request, ...)
{
	int efd = emu_preload_lookup(fd), rc;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (efd < 0)
		return emu_preload.real_ioctl(fd, request, arg);
	rc = emu_preload_ioctl_xlate(efd, request, arg);
	emu_preload_trace("ioctl(%d, %#lx) = %d", fd, request, rc);
	if (rc >= 0 && request == KVM_CREATE_VM)
		return emu_preload_adopt(rc);
	if (rc == 0 && request == KVM_CREATE_DEVICE) {
		struct kvm_create_device *cd = arg;

		if (!(cd->flags & KVM_CREATE_DEVICE_TEST)) {
			int r = emu_preload_adopt((int)cd->fd);

			if (r < 0)
				return -1;
			cd->fd = (uint32_t)r;
		}
	}
	if (rc == 0 && request == IOMMU_FAULT_QUEUE_ALLOC) {
		struct iommu_fault_alloc *fa = arg;
		int r = emu_preload_adopt((int)fa->out_fault_fd);

		if (r < 0)
			return -1;
		fa->out_fault_fd = (uint32_t)r;
	}
	return (int)emu_preload_ret(rc);
}

ssize_t read(int fd, void *buf, size_t count)
{
	int efd = emu_preload_lookup(fd);

	if (efd < 0)
		return emu_preload.real_read(fd, buf, count);
	return emu_preload_ret(emu_read(emu_preload.emu, efd, buf, count));
}

ssize_t write(int fd, const void *buf, size_t count)
{
	int efd = emu_preload_lookup(fd);

	if (efd < 0)
		return emu_preload.real_write(fd, buf, count);
	return emu_preload_ret(emu_write(emu_preload.emu, efd, buf, count));
}

ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	int efd = emu_preload_lookup(fd);

	if (efd < 0)
		return emu_preload.real_pread(fd, buf, count, off);
	return emu_preload_ret(emu_pread(emu_preload.emu, efd, buf, count,
					 (uint64_t)off));
}

ssize_t pread64(int fd, void *buf, size_t count, off_t off)
	__attribute__((alias("pread")));

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off)
{
	int efd = emu_preload_lookup(fd);

	if (efd < 0)
		return emu_preload.real_pwrite(fd, buf, count, off);
	return emu_preload_ret(emu_pwrite(emu_preload.emu, efd, buf, count,
					  (uint64_t)off));
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t off)
	__attribute__((alias("pwrite")));

int fstat(int fd, struct stat *st)
{
	int efd = emu_preload_lookup(fd);

	if (efd < 0)
		return emu_preload.real_fstat(fd, st);
	return (int)emu_preload_ret(emu_preload.host.ops->fstat(
		emu_preload.host.priv, efd, st));
}

int fstat64(int fd, struct stat64 *st) __attribute__((alias("fstat")));

static int emu_preload_stat(const char *path, struct stat *st,
			    int (*real)(const char *, struct stat *))
{
	char buf[512];

	if (emu_preload.ready && emu_preload_is_node(path))
		return (int)emu_preload_ret(emu_preload.host.ops->stat(
			emu_preload.host.priv, path, st));
	return real(emu_preload_redirect(path, buf, sizeof(buf)), st);
}

int stat(const char *path, struct stat *st)
{
	return emu_preload_stat(path, st, emu_preload.real_stat);
}

int stat64(const char *path, struct stat64 *st)
	__attribute__((alias("stat")));

int lstat(const char *path, struct stat *st)
{
	return emu_preload_stat(path, st, emu_preload.real_lstat);
}

DIR *opendir(const char *path)
{
	char buf[512];

	return emu_preload.real_opendir(emu_preload_redirect(path, buf,
							    sizeof(buf)));
}
