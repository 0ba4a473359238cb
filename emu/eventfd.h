/* SPDX-License-Identifier: MIT */
/*
 * Eventfds the model holds, as the kernel holds an eventfd_ctx: the
 * program's eventfd is one of its real fds (the model has none of its
 * own), so holding it means keeping a duplicate, which keeps the eventfd
 * alive after the program closes its fd, exactly as the kernel's
 * reference does. Every held eventfd is counted in the machine
 * (emu_counters.eventfds), so one that is never released shows.
 */
#ifndef EMU_EVENTFD_H
#define EMU_EVENTFD_H

struct emu;

/*
 * eventfd_ctx_fdget: hold the eventfd open at the process's fd @fd.
 * Returns the held handle (>= 0), -EBADF when @fd is not open, -EINVAL
 * when it is not an eventfd, -ENOMEM when no descriptor is left to hold
 * it with.
 */
int emu_eventfd_get(struct emu *emu, int fd);
/* Release a held handle; -1 is allowed and does nothing. */
void emu_eventfd_put(struct emu *emu, int held);
/* eventfd_signal: add 1 to the eventfd's counter. */
void emu_eventfd_signal(int held);

#endif /* EMU_EVENTFD_H */
