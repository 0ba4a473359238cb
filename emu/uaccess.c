// SPDX-License-Identifier: MIT
/*
 * User copies (uaccess.h). process_vm_readv/writev on our own pid need no
 * ptrace permission (same thread group) and return a short count at the
 * first byte they cannot move; any short count is EFAULT, as a kernel
 * copy that stops early is.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "failnth.h"
#include "machine.h"
#include "uaccess.h"
#include "util.h"

/*
 * MemorySanitizer does not see into process_vm_readv/writev: tell it the
 * copy happened, moving the source's shadow as memcpy would, so bytes the
 * model reads from or writes to the caller keep their initialised state.
 */
#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define emu_uaccess_msan_copied(dst, src, len) __msan_copy_shadow(dst, src, len)
#endif
#endif
#ifndef emu_uaccess_msan_copied
#define emu_uaccess_msan_copied(dst, src, len) do { } while (0)
#endif

/* The zero page is never mapped for user space; NULL is its first byte. */
static bool emu_uaccess_obviously_bad(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p, end;

	if (__builtin_add_overflow(a, len, &end))
		return true;
	return a < EMU_PAGE_SIZE;
}

/* 1 done, 0 fall back to memcpy (own process only), -EFAULT. */
static int emu_uaccess_vm(pid_t pid, void *local, void *remote, size_t len,
			  bool write)
{
	struct iovec l = { .iov_base = local, .iov_len = len };
	struct iovec r = { .iov_base = remote, .iov_len = len };
	ssize_t n;

	if (write)
		n = process_vm_writev(pid, &l, 1, &r, 1, 0);
	else
		n = process_vm_readv(pid, &l, 1, &r, 1, 0);
	if (n == (ssize_t)len) {
		if (write)
			emu_uaccess_msan_copied(remote, local, len);
		else
			emu_uaccess_msan_copied(local, remote, len);
		return 1;
	}
	if (n < 0 && (errno == ENOSYS || errno == EPERM) && pid == getpid())
		return 0;
	return -EFAULT;
}

int emu_copy_from_user(const struct emu *emu, void *dst, const void *usrc,
		       size_t len)
{
	int rc;

	if (!len)
		return 0;
	if (emu_uaccess_obviously_bad(usrc, len))
		return -EFAULT;
	/* Another process's memory is never trusted. */
	if (emu->uaccess == EMU_UACCESS_STRICT || emu->task.pid) {
		rc = emu_uaccess_vm(emu_current_pid(emu), dst, (void *)usrc,
				    len, false);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	memcpy(dst, usrc, len);
	return 0;
}

int emu_copy_to_user(const struct emu *emu, void *udst, const void *src,
		     size_t len)
{
	int rc;

	if (!len)
		return 0;
	if (emu_uaccess_obviously_bad(udst, len))
		return -EFAULT;
	if (emu->uaccess == EMU_UACCESS_STRICT || emu->task.pid) {
		rc = emu_uaccess_vm(emu_current_pid(emu), (void *)src, udst,
				    len, true);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	memcpy(udst, src, len);
	return 0;
}

int emu_clear_user(const struct emu *emu, void *udst, size_t len)
{
	static const uint8_t zero[256];
	size_t n;
	int rc;

	while (len) {
		n = len < sizeof(zero) ? len : sizeof(zero);
		rc = emu_copy_to_user(emu, udst, zero, n);
		if (rc)
			return rc;
		udst = (uint8_t *)udst + n;
		len -= n;
	}
	return 0;
}

/* A copy in @pid's memory: the caller's own as a user copy, else remote. */
static int emu_copy_mm(const struct emu *emu, pid_t pid, void *local,
		       void *remote, size_t len, bool write)
{
	if (pid == emu_current_pid(emu))
		return write ? emu_copy_to_user(emu, remote, local, len) :
			       emu_copy_from_user(emu, local, remote, len);
	if (!len)
		return 0;
	if (emu_uaccess_obviously_bad(remote, len))
		return -EFAULT;
	return emu_uaccess_vm(pid, local, remote, len, write) == 1 ? 0 :
								      -EFAULT;
}

int emu_copy_from_mm(const struct emu *emu, pid_t pid, void *dst,
		     const void *usrc, size_t len)
{
	return emu_copy_mm(emu, pid, dst, (void *)usrc, len, false);
}

int emu_copy_to_mm(const struct emu *emu, pid_t pid, void *udst,
		   const void *src, size_t len)
{
	return emu_copy_mm(emu, pid, (void *)src, udst, len, true);
}
