// SPDX-License-Identifier: MIT
/*
 * Entry points on fds (preload.h): an fd the program holds either is an
 * ordinary one (libc as it is) or stands for an emulated file.
 *
 * An emulated file is backed by a real fd reserved by opening /dev/null,
 * so the numbers the program sees never collide with its real fds and
 * fcntl's flags, poll and exec behave as for any fd; the map says which
 * emulated fd each such number stands for. dup, dup2, dup3 and
 * fcntl(F_DUPFD*) make a second emulated fd for the same file; close and
 * close_range close the emulated fd with the real one.
 *
 * ioctl structs that carry an fd (BIND's iommufd, SET_CONTAINER's
 * container, a kvm-vfio file) are translated to the emulator's numbering
 * on a private copy; the fds in SET_IRQS and friends are eventfds, which
 * are real and stay as they are. Calls that make an emulated fd
 * (KVM_CREATE_VM, KVM_CREATE_DEVICE, IOMMU_FAULT_QUEUE_ALLOC,
 * VFIO_GROUP_GET_DEVICE_FD) get a reserved real fd for it. IOMMU_TEST_CMD
 * (the kernel selftests' mock) does both with its access fds
 * (selftest.c), and MAP_HUGETLB mappings may come from the emulator's
 * pool (selftest.c too).
 *
 * pread, pwrite, mmap and munmap go through the host table (so the fault
 * plan counts and fails them like any other call). mmap of an emulated fd
 * maps the region through the emulator; munmap and MAP_FIXED over a
 * region mapping tell the emulator, which keeps the mappings (only looked
 * at when there is one).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include "fork.h"
#include "preload.h"
#include "selftest.h"

int emu_preload_efd(int fd)
{
	if (fd < 0 || fd >= EMU_PRELOAD_MAX_FD)
		return -1;
	return atomic_load_explicit(&emu_preload.emu_fd[fd],
				    memory_order_relaxed) - 1;
}

static void emu_fds_set(int fd, int efd)
{
	atomic_store_explicit(&emu_preload.emu_fd[fd], efd + 1,
			      memory_order_relaxed);
}

/* Lock, and look @fd up again under the lock: its emulated fd, or -1. */
static int emu_fds_enter(int fd, sigset_t *saved)
{
	int efd;

	emu_preload_lock(saved);
	efd = emu_preload_efd(fd);
	if (efd < 0)
		emu_preload_unlock(saved);
	return efd;
}

/* Whether @fd may be emulated; false: libc serves it as it is. */
static bool emu_fds_maybe(int fd)
{
	return !emu_preload_inside && emu_preload_efd(fd) >= 0;
}

/* A reserved real fd standing for emulated fd @efd; -errno on failure
 * (then @efd is closed). @flags: O_CLOEXEC and the access mode. */
static int emu_fds_standin(int efd, int flags)
{
	const struct iofd_host *h = &emu_preload.host;
	int rfd = REAL(open)("/dev/null",
			     (flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK)) |
			     O_NOCTTY);
	int e = errno;

	if (rfd < 0 || rfd >= EMU_PRELOAD_MAX_FD) {
		if (rfd >= 0)
			REAL(close)(rfd);
		h->ops->close(h->priv, efd);
		return rfd < 0 ? -e : -EMFILE;
	}
	emu_fds_set(rfd, efd);
	return rfd;
}

int emu_preload_open_node(const char *path, int flags)
{
	const struct iofd_host *h = &emu_preload.host;
	bool fired = emu_fault_fired(emu_preload.fault);
	struct emu_preload_call call = { .op = "open", .fd = -1,
					 .path = path };
	int efd;

	efd = h->ops->open(h->priv, path, flags);
	call.result = efd;
	if (efd >= 0)
		call.result = emu_fds_standin(efd, flags);
	emu_preload_after_call(fired, &call);
	return (int)emu_preload_ret(call.result);
}

/* ------------------------------------------------------------------ */
/* close, read, write, pread, pwrite, fstat                            */

EMU_PRELOAD_EXPORT int close(int fd)
{
	struct emu_preload_call call = { .op = "close", .fd = fd };
	const struct iofd_host *h = &emu_preload.host;
	sigset_t saved;
	bool fired;
	int efd;

	if (!emu_fds_maybe(fd))
		return REAL(close)(fd);
	efd = emu_fds_enter(fd, &saved);
	if (efd < 0)
		return REAL(close)(fd);
	fired = emu_fault_fired(emu_preload.fault);
	call.result = h->ops->close(h->priv, efd);
	emu_fds_set(fd, -1);
	REAL(close)(fd);
	emu_preload_selftest_closed();
	emu_preload_after_call(fired, &call);
	emu_preload_unlock(&saved);
	return (int)emu_preload_ret(call.result);
}

/* One read/write/pread/pwrite of an emulated fd. */
static ssize_t emu_fds_rw(int fd, void *buf, size_t count, off_t off,
			  bool positioned, bool is_write)
{
	struct emu_preload_call call = {
		.op = positioned ? (is_write ? "pwrite" : "pread") :
				   (is_write ? "write" : "read"),
		.fd = fd, .off = (uint64_t)off, .len = count,
	};
	const struct iofd_host *h = &emu_preload.host;
	sigset_t saved;
	bool fired;
	int efd;

	efd = emu_fds_enter(fd, &saved);
	if (efd < 0) {
		if (positioned)
			return is_write ? REAL(pwrite)(fd, buf, count, off) :
				       REAL(pread)(fd, buf, count, off);
		return is_write ? REAL(write)(fd, buf, count) :
			       REAL(read)(fd, buf, count);
	}
	fired = emu_fault_fired(emu_preload.fault);
	if (positioned)
		call.result = is_write ?
			      h->ops->pwrite(h->priv, efd, buf, count,
					     (uint64_t)off) :
			      h->ops->pread(h->priv, efd, buf, count,
					    (uint64_t)off);
	else
		call.result = emu_preload_fork_rw(efd, buf, count, is_write);
	emu_preload_after_call(fired, &call);
	emu_preload_unlock(&saved);
	return emu_preload_ret(call.result);
}

EMU_PRELOAD_EXPORT ssize_t read(int fd, void *buf, size_t count)
{
	if (!emu_fds_maybe(fd))
		return REAL(read)(fd, buf, count);
	return emu_fds_rw(fd, buf, count, 0, false, false);
}

EMU_PRELOAD_EXPORT ssize_t __read_chk(int fd, void *buf, size_t count,
				      size_t buflen)
{
	/* A count past the buffer: glibc's own check stops the program. */
	if (count > buflen || !emu_fds_maybe(fd))
		return REAL(__read_chk)(fd, buf, count, buflen);
	return emu_fds_rw(fd, buf, count, 0, false, false);
}

EMU_PRELOAD_EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
	if (!emu_fds_maybe(fd))
		return REAL(write)(fd, buf, count);
	return emu_fds_rw(fd, (void *)buf, count, 0, false, true);
}

EMU_PRELOAD_EXPORT ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	if (!emu_fds_maybe(fd))
		return REAL(pread)(fd, buf, count, off);
	return emu_fds_rw(fd, buf, count, off, true, false);
}

EMU_PRELOAD_EXPORT ssize_t pread64(int fd, void *buf, size_t count,
				   off64_t off)
{
	if (!emu_fds_maybe(fd))
		return REAL(pread64)(fd, buf, count, off);
	return emu_fds_rw(fd, buf, count, off, true, false);
}

EMU_PRELOAD_EXPORT ssize_t __pread_chk(int fd, void *buf, size_t count,
				       off_t off, size_t buflen)
{
	if (count > buflen || !emu_fds_maybe(fd))
		return REAL(__pread_chk)(fd, buf, count, off, buflen);
	return emu_fds_rw(fd, buf, count, off, true, false);
}

EMU_PRELOAD_EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t count,
					 off64_t off, size_t buflen)
{
	if (count > buflen || !emu_fds_maybe(fd))
		return REAL(__pread64_chk)(fd, buf, count, off, buflen);
	return emu_fds_rw(fd, buf, count, off, true, false);
}

EMU_PRELOAD_EXPORT ssize_t pwrite(int fd, const void *buf, size_t count,
				  off_t off)
{
	if (!emu_fds_maybe(fd))
		return REAL(pwrite)(fd, buf, count, off);
	return emu_fds_rw(fd, (void *)buf, count, off, true, true);
}

EMU_PRELOAD_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t count,
				    off64_t off)
{
	if (!emu_fds_maybe(fd))
		return REAL(pwrite64)(fd, buf, count, off);
	return emu_fds_rw(fd, (void *)buf, count, off, true, true);
}

/* fstat of an emulated fd; -1 in *handled when @fd is not one. */
int emu_preload_fstat(int fd, struct stat *st, bool *handled)
{
	struct emu_preload_call call = { .op = "fstat", .fd = fd };
	const struct iofd_host *h = &emu_preload.host;
	sigset_t saved;
	bool fired;
	int efd;

	*handled = false;
	if (!emu_fds_maybe(fd))
		return 0;
	efd = emu_fds_enter(fd, &saved);
	if (efd < 0)
		return 0;
	*handled = true;
	fired = emu_fault_fired(emu_preload.fault);
	call.result = h->ops->fstat(h->priv, efd, st);
	emu_preload_after_call(fired, &call);
	emu_preload_unlock(&saved);
	return (int)emu_preload_ret(call.result);
}

EMU_PRELOAD_EXPORT int fstat(int fd, struct stat *st)
{
	bool handled;
	int rc = emu_preload_fstat(fd, st, &handled);

	return handled ? rc : REAL(fstat)(fd, st);
}

EMU_PRELOAD_EXPORT int fstat64(int fd, struct stat64 *st)
{
	bool handled;
	int rc = emu_preload_fstat(fd, (struct stat *)st, &handled);

	return handled ? rc : REAL(fstat64)(fd, st);
}

/* ------------------------------------------------------------------ */
/* ioctl                                                               */

/*
 * An fd the program passes inside a struct, in the emulator's numbering:
 * its emulated fd; for a real fd of another kind, a stand-in emulated
 * file (/dev/kvm's) that is neither an iommufd nor a VFIO file, so the
 * emulator answers EBADFD / EINVAL at the kernel's point (*@standin gets
 * it, for the caller to close after the call: it is nobody's file); for
 * a closed fd, a number the emulator has not open (EBADF).
 */
static int emu_fds_xlate(int fd, int *standin)
{
	const struct iofd_host *h = &emu_preload.raw;
	int efd = emu_preload_efd(fd);

	if (fd < 0 || efd >= 0)
		return fd < 0 ? fd : efd;
	if (REAL(fcntl)(fd, F_GETFD) < 0)
		return INT32_MAX;
	*standin = h->ops->open(h->priv, "/dev/kvm", O_RDWR);
	return *standin < 0 ? INT32_MAX : *standin;
}

static void emu_fds_drop(int fd);

/* The fd map for IOMMU_TEST_CMD's access fds (selftest.h). */
static int emu_fds_test_xlate(int fd)
{
	int efd = emu_preload_efd(fd);

	return efd >= 0 ? efd : INT32_MAX;
}

static int emu_fds_test_adopt(int efd)
{
	return emu_fds_standin(efd, O_RDWR | O_CLOEXEC);
}

static void emu_fds_test_drop(int fd)
{
	emu_fds_drop(fd);
	REAL(close)(fd);
}

static const struct emu_preload_fd_ops emu_fds_test_ops = {
	.xlate = emu_fds_test_xlate,
	.adopt = emu_fds_test_adopt,
	.drop = emu_fds_test_drop,
};

static int emu_fds_ioctl_run(int efd, unsigned long request, void *arg,
			     int *standin)
{
	const struct iofd_host *h = &emu_preload.host;
	int rc;

	if (emu_preload_test_cmd(h, efd, request, arg, &emu_fds_test_ops,
				 &rc))
		return rc;

	if (request == VFIO_DEVICE_BIND_IOMMUFD && arg) {
		struct vfio_device_bind_iommufd b;

		memcpy(&b, arg, sizeof(b));
		b.iommufd = emu_fds_xlate(b.iommufd, standin);
		rc = h->ops->ioctl(h->priv, efd, request, &b);
		if (rc == 0)
			((struct vfio_device_bind_iommufd *)arg)->out_devid =
				b.out_devid;
		return rc;
	}
	if (request == VFIO_GROUP_SET_CONTAINER && arg) {
		int32_t v;

		memcpy(&v, arg, sizeof(v));
		v = emu_fds_xlate(v, standin);
		return h->ops->ioctl(h->priv, efd, request, &v);
	}
	if (request == KVM_SET_DEVICE_ATTR && arg) {
		struct kvm_device_attr a;
		int32_t v;

		memcpy(&a, arg, sizeof(a));
		if (a.group == KVM_DEV_VFIO_FILE && a.addr &&
		    (a.attr == KVM_DEV_VFIO_FILE_ADD ||
		     a.attr == KVM_DEV_VFIO_FILE_DEL)) {
			memcpy(&v, (void *)(uintptr_t)a.addr, sizeof(v));
			v = emu_fds_xlate(v, standin);
			a.addr = (uintptr_t)&v;
			return h->ops->ioctl(h->priv, efd, request, &a);
		}
	}
	return h->ops->ioctl(h->priv, efd, request, arg);
}

/* Run the ioctl with the fds inside its struct translated. */
static int emu_fds_ioctl_xlate(int efd, unsigned long request, void *arg)
{
	const struct iofd_host *h = &emu_preload.raw;
	int standin = -1;
	int rc = emu_fds_ioctl_run(efd, request, arg, &standin);

	if (standin >= 0)
		h->ops->close(h->priv, standin);
	return rc;
}

/* Give the emulated fds an ioctl made a real number each. */
static long emu_fds_ioctl_adopt(unsigned long request, void *arg, int rc)
{
	if (rc >= 0 && (request == KVM_CREATE_VM ||
			request == VFIO_GROUP_GET_DEVICE_FD))
		return emu_fds_standin(rc, O_RDWR | O_CLOEXEC);
	if (rc == 0 && request == KVM_CREATE_DEVICE) {
		struct kvm_create_device *cd = arg;
		int r;

		if (cd->flags & KVM_CREATE_DEVICE_TEST)
			return 0;
		r = emu_fds_standin((int)cd->fd, O_RDWR | O_CLOEXEC);
		if (r < 0)
			return r;
		cd->fd = (uint32_t)r;
	}
	if (rc == 0 && request == IOMMU_FAULT_QUEUE_ALLOC) {
		struct iommu_fault_alloc *fa = arg;
		int r = emu_fds_standin((int)fa->out_fault_fd,
					O_RDWR | O_CLOEXEC);

		if (r < 0)
			return r;
		fa->out_fault_fd = (uint32_t)r;
	}
	return rc;
}

EMU_PRELOAD_EXPORT int ioctl(int fd, unsigned long request, ...)
{
	struct emu_preload_call call = { .op = "ioctl", .fd = fd,
					 .request = request };
	sigset_t saved;
	va_list ap;
	void *arg;
	bool fired;
	int efd;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!emu_fds_maybe(fd))
		return REAL(ioctl)(fd, request, arg);
	efd = emu_fds_enter(fd, &saved);
	if (efd < 0)
		return REAL(ioctl)(fd, request, arg);
	fired = emu_fault_fired(emu_preload.fault);
	call.result = emu_fds_ioctl_xlate(efd, request, arg);
	call.result = emu_fds_ioctl_adopt(request, arg, (int)call.result);
	emu_preload_after_call(fired, &call);
	emu_preload_unlock(&saved);
	return (int)emu_preload_ret(call.result);
}

/* ------------------------------------------------------------------ */
/* dup, dup2, dup3, fcntl(F_DUPFD*), close_range                       */

/*
 * After the real dup of @oldfd made @newfd: make @newfd stand for a
 * second emulated fd of @oldfd's file when @oldfd is emulated. Under the
 * lock. Returns @newfd, or -errno (then @newfd is closed).
 */
static int emu_fds_dup_finish(int oldfd, int newfd)
{
	int efd = emu_preload_efd(oldfd), nefd;

	if (newfd < 0 || efd < 0)
		return newfd;
	if (newfd >= EMU_PRELOAD_MAX_FD) {
		REAL(close)(newfd);
		return -EMFILE;
	}
	nefd = emu_preload_fork_dup(efd);
	if (nefd < 0) {
		REAL(close)(newfd);
		return nefd;
	}
	emu_fds_set(newfd, nefd);
	emu_preload_trace("dup(%d) = %d", oldfd, newfd);
	return newfd;
}

/* @fd is about to be replaced by dup2/dup3: close its emulated file. */
static void emu_fds_drop(int fd)
{
	const struct iofd_host *h = &emu_preload.raw;
	int efd = emu_preload_efd(fd);

	if (efd < 0)
		return;
	h->ops->close(h->priv, efd);
	emu_fds_set(fd, -1);
}

EMU_PRELOAD_EXPORT int dup(int oldfd)
{
	sigset_t saved;
	int rc;

	if (!emu_fds_maybe(oldfd))
		return REAL(dup)(oldfd);
	emu_preload_lock(&saved);
	rc = REAL(dup)(oldfd);
	rc = rc < 0 ? -errno : emu_fds_dup_finish(oldfd, rc);
	emu_preload_unlock(&saved);
	return (int)emu_preload_ret(rc);
}

static int emu_fds_dup3(int oldfd, int newfd, int flags, bool three)
{
	sigset_t saved;
	int rc;

	if (emu_preload_inside || (emu_preload_efd(oldfd) < 0 &&
				   emu_preload_efd(newfd) < 0))
		return three ? REAL(dup3)(oldfd, newfd, flags) :
			       REAL(dup2)(oldfd, newfd);
	emu_preload_lock(&saved);
	if (oldfd != newfd && REAL(fcntl)(oldfd, F_GETFD) >= 0)
		emu_fds_drop(newfd);
	rc = three ? REAL(dup3)(oldfd, newfd, flags) :
		     REAL(dup2)(oldfd, newfd);
	rc = rc < 0 ? -errno : oldfd == newfd ? rc :
	     emu_fds_dup_finish(oldfd, rc);
	emu_preload_unlock(&saved);
	return (int)emu_preload_ret(rc);
}

EMU_PRELOAD_EXPORT int dup2(int oldfd, int newfd)
{
	return emu_fds_dup3(oldfd, newfd, 0, false);
}

EMU_PRELOAD_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	return emu_fds_dup3(oldfd, newfd, flags, true);
}

static int emu_fds_fcntl(int fd, int cmd, void *arg, bool is64)
{
	sigset_t saved;
	int rc;

	if ((cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC) || !emu_fds_maybe(fd))
		return is64 ? REAL(fcntl64)(fd, cmd, arg) :
			      REAL(fcntl)(fd, cmd, arg);
	emu_preload_lock(&saved);
	rc = REAL(fcntl)(fd, cmd, arg);
	rc = rc < 0 ? -errno : emu_fds_dup_finish(fd, rc);
	emu_preload_unlock(&saved);
	return (int)emu_preload_ret(rc);
}

EMU_PRELOAD_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return emu_fds_fcntl(fd, cmd, arg, false);
}

EMU_PRELOAD_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return emu_fds_fcntl(fd, cmd, arg, true);
}

EMU_PRELOAD_EXPORT int close_range(unsigned int first, unsigned int last,
				   int flags)
{
	sigset_t saved;
	unsigned int fd;
	int rc;

	if (emu_preload_inside || (flags & CLOSE_RANGE_CLOEXEC) ||
	    atomic_load(&emu_preload.state) != EMU_PRELOAD_READY)
		return REAL(close_range)(first, last, flags);
	emu_preload_lock(&saved);
	rc = REAL(close_range)(first, last, flags);
	if (rc == 0) {
		for (fd = first; fd <= last && fd < EMU_PRELOAD_MAX_FD; fd++)
			emu_fds_drop((int)fd);
	}
	rc = rc < 0 ? -errno : 0;
	emu_preload_unlock(&saved);
	return (int)emu_preload_ret(rc);
}

/* ------------------------------------------------------------------ */
/* mmap, munmap                                                        */

static void *emu_fds_mmap(void *addr, size_t len, int prot, int flags, int fd,
			  off64_t off)
{
	struct emu_preload_call call = { .op = "mmap", .fd = fd,
					 .off = (uint64_t)off, .len = len };
	sigset_t saved;
	void *p = MAP_FAILED;
	bool fired;
	int efd;

	efd = emu_fds_enter(fd, &saved);
	if (efd < 0)
		return REAL(mmap)(addr, len, prot, flags, fd, off);
	fired = emu_fault_fired(emu_preload.fault);
	call.result = emu_preload.host.ops->mmap(emu_preload.host.priv, addr,
						 len, prot, flags, efd,
						 (uint64_t)off, &p);
	emu_preload_after_call(fired, &call);
	emu_preload_unlock(&saved);
	if (call.result < 0) {
		errno = (int)-call.result;
		return MAP_FAILED;
	}
	return p;
}

/* A real mapping landed at [p, p + len): forget region mappings there. */
static void emu_fds_mapped_over(void *p, size_t len)
{
	struct emu_counters c;
	sigset_t saved;

	if (p == MAP_FAILED || !atomic_load(&emu_preload.nr_maps))
		return;
	emu_preload_lock(&saved);
	emu_mappings_forget(emu_preload.emu, p, len);
	emu_counters_get(emu_preload.emu, &c);
	atomic_store(&emu_preload.nr_maps, (int)c.mappings);
	emu_preload_unlock(&saved);
}

EMU_PRELOAD_EXPORT void *mmap(void *addr, size_t len, int prot, int flags,
			      int fd, off_t off)
{
	void *p;

	if (!(flags & MAP_ANONYMOUS) && emu_fds_maybe(fd))
		return emu_fds_mmap(addr, len, prot, flags, fd, off);
	if (emu_preload_huge_served())
		p = emu_preload_huge_mmap(addr, len, prot, flags, fd, off);
	else
		p = REAL(mmap)(addr, len, prot, flags, fd, off);
	if ((flags & MAP_FIXED) && !emu_preload_inside)
		emu_fds_mapped_over(p, len);
	return p;
}

EMU_PRELOAD_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags,
				int fd, off64_t off)
{
	void *p;

	if (!(flags & MAP_ANONYMOUS) && emu_fds_maybe(fd))
		return emu_fds_mmap(addr, len, prot, flags, fd, off);
	if (emu_preload_huge_served())
		p = emu_preload_huge_mmap(addr, len, prot, flags, fd, off);
	else
		p = REAL(mmap64)(addr, len, prot, flags, fd, off);
	if ((flags & MAP_FIXED) && !emu_preload_inside)
		emu_fds_mapped_over(p, len);
	return p;
}

EMU_PRELOAD_EXPORT int munmap(void *addr, size_t len)
{
	struct emu_preload_call call = { .op = "munmap", .fd = -1,
					 .off = (uint64_t)(uintptr_t)addr,
					 .len = len };
	sigset_t saved;
	bool fired;
	int rc;

	if (emu_preload_huge_served() &&
	    emu_preload_huge_munmap(addr, len, &rc))
		return rc;
	if (emu_preload_inside || !atomic_load(&emu_preload.nr_maps))
		return REAL(munmap)(addr, len);
	emu_preload_lock(&saved);
	fired = emu_fault_fired(emu_preload.fault);
	call.result = emu_preload.host.ops->munmap(emu_preload.host.priv,
						   addr, len);
	emu_preload_after_call(fired, &call);
	emu_preload_unlock(&saved);
	return (int)emu_preload_ret(call.result);
}
