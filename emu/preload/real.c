// SPDX-License-Identifier: MIT
/*
 * The real libc entry points behind the interposed ones (preload.h),
 * resolved with dlsym(RTLD_NEXT) on first use and kept. Nothing here is
 * assumed ready: another library's constructor may call an interposed
 * function before the shim's own constructor has run, and gets the real
 * function all the same. Resolving twice from two threads is harmless
 * (both find the same pointer). A libc without one of these functions
 * cannot be served, and the program is stopped saying which.
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload.h"

static const char *const emu_real_names[EMU_REAL_COUNT] = {
#define EMU_REAL(name) [EMU_REAL_##name] = #name,
#include "real.def"
#undef EMU_REAL
};

static _Atomic(void *) emu_real_fns[EMU_REAL_COUNT];

void *emu_preload_real(enum emu_real which)
{
	void *fn = atomic_load_explicit(&emu_real_fns[which],
					memory_order_acquire);
	static const char msg1[] = "iofd-emu: this libc has no ";
	static const char msg2[] = "; the shim cannot serve this program\n";
	const char *name;

	if (fn)
		return fn;
	fn = dlsym(RTLD_NEXT, emu_real_names[which]);
	if (!fn) {
		/* write and _exit are interposed too: the system calls. */
		name = emu_real_names[which];
		syscall(SYS_write, 2, msg1, sizeof(msg1) - 1);
		syscall(SYS_write, 2, name, strlen(name));
		syscall(SYS_write, 2, msg2, sizeof(msg2) - 1);
		syscall(SYS_exit_group, 2);
	}
	atomic_store_explicit(&emu_real_fns[which], fn, memory_order_release);
	return fn;
}
