/* SPDX-License-Identifier: MIT */
/*
 * One iommufd ioctl in flight, as a handler sees it: the kernel copy of
 * the user struct (zero-extended to the kernel size) and where it came
 * from. A handler that answers calls emu_ucmd_respond, which writes back
 * min(user size, kernel size) bytes of the whole struct: the caller's
 * trailing bytes past the kernel struct are never touched (spec 1.3).
 */
#ifndef EMU_UCMD_H
#define EMU_UCMD_H

#include <stddef.h>
#include <stdint.h>

#include "iommufd.h"
#include "uaccess.h"

struct emu_ucmd {
	struct emu_ictx *ictx;
	void *ubuffer;
	uint32_t user_size;
	void *cmd;
};

/* Write the struct back: 0 or -EFAULT. */
static inline int emu_ucmd_respond(const struct emu_ucmd *ucmd, size_t ksize)
{
	return emu_copy_to_user(ucmd->ictx->emu, ucmd->ubuffer, ucmd->cmd,
				ucmd->user_size < ksize ? ucmd->user_size :
				ksize);
}

#endif /* EMU_UCMD_H */
