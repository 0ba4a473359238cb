/* SPDX-License-Identifier: MIT */
/*
 * copy_from_user / copy_to_user for the model: every byte the emulator
 * reads from or writes to a caller's pointer goes through here, so a bad
 * pointer is -EFAULT, as with the kernel, instead of a crash.
 *
 * Two modes (emu_uaccess_set): STRICT, the default, moves the bytes with
 * process_vm_readv/process_vm_writev on the own process, which fail with
 * EFAULT exactly where the kernel's copies would (unmapped, unreadable,
 * read-only for a write); TRUSTED only refuses NULL and the zero page and
 * then uses memcpy, for benchmarks that measure the model and not a
 * system call. When the system refuses process_vm_* (a seccomp filter,
 * ENOSYS) STRICT falls back to TRUSTED.
 */
#ifndef EMU_UACCESS_H
#define EMU_UACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct emu;

int emu_copy_from_user(const struct emu *emu, void *dst, const void *usrc,
		       size_t len);
int emu_copy_to_user(const struct emu *emu, void *udst, const void *src,
		     size_t len);
/* Write @len zero bytes at @udst: 0 or -EFAULT. */
int emu_clear_user(const struct emu *emu, void *udst, size_t len);

/*
 * The same, in the memory of process @pid (the owner of pinned pages):
 * the caller's own memory as above, another process's through
 * process_vm_readv/writev, -EFAULT when it is gone or refuses.
 */
int emu_copy_from_mm(const struct emu *emu, pid_t pid, void *dst,
		     const void *usrc, size_t len);
int emu_copy_to_mm(const struct emu *emu, pid_t pid, void *udst,
		   const void *src, size_t len);

static inline void *emu_u64_to_user_ptr(uint64_t v)
{
	return (void *)(uintptr_t)v;
}

#endif /* EMU_UACCESS_H */
