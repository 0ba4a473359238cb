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

/* 1 done, 0 fall back to memcpy, -EFAULT. */
static int emu_uaccess_vm(void *local, void *remote, size_t len, bool write)
{
	struct iovec l = { .iov_base = local, .iov_len = len };
	struct iovec r = { .iov_base = remote, .iov_len = len };
	ssize_t n;

	if (write)
		n = process_vm_writev(getpid(), &l, 1, &r, 1, 0);
	else
		n = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
	if (n == (ssize_t)len) {
		if (write)
			emu_uaccess_msan_copied(remote, local, len);
		else
			emu_uaccess_msan_copied(local, remote, len);
		return 1;
	}
	if (n < 0 && (errno == ENOSYS || errno == EPERM))
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
	if (emu->uaccess == EMU_UACCESS_STRICT) {
		rc = emu_uaccess_vm(dst, (void *)usrc, len, false);
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
	if (emu->uaccess == EMU_UACCESS_STRICT) {
		rc = emu_uaccess_vm((void *)src, udst, len, true);
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
