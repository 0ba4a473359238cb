/* SPDX-License-Identifier: MIT */
/*
 * What fork.c (the fork handlers, the host the shim calls, a served
 * child's requests) and serve.c (the parent's dispatcher) share: the
 * request protocol over a child's socket and the one state of the shim
 * across forks (see fork.c for the design).
 */
#ifndef EMU_PRELOAD_FORK_INTERNAL_H
#define EMU_PRELOAD_FORK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <iofd/host.h>

struct emu;
struct emu_file;

/* The model's fd numbers (emu/machine.h: EMU_FD_FIRST .. EMU_FD_MAX). */
#define EMU_PRELOAD_EFD_MAX 1024

enum emu_preload_op {
	EMU_PRELOAD_OP_OPEN,
	EMU_PRELOAD_OP_CLOSE,
	EMU_PRELOAD_OP_IOCTL,
	EMU_PRELOAD_OP_FSTAT,
	EMU_PRELOAD_OP_STAT,
	EMU_PRELOAD_OP_RW,
	EMU_PRELOAD_OP_PREAD,
	EMU_PRELOAD_OP_PWRITE,
	EMU_PRELOAD_OP_DUP,
	EMU_PRELOAD_OP_HUGE_MAP,
	EMU_PRELOAD_OP_HUGE_UNMAP,
	EMU_PRELOAD_OP_HUGE_MAPPED,
};

struct emu_preload_req {
	uint32_t op;
	int32_t pid;
	int32_t tid;
	int32_t fd;
	int32_t flags;		/* open flags; RW: 1 for a write */
	uint64_t request;
	uint64_t ptr;		/* in the child's memory */
	uint64_t count;
	uint64_t off;
	char path[512];
};

struct emu_preload_rep {
	int64_t rc;
	struct stat st;
};

/* Children served at once; a child past them is not served. */
#define EMU_PRELOAD_CLIENTS_MAX 32

/* One served child: its socket and the fds it holds. */
struct emu_preload_client {
	bool used;		/* taken from the dispatcher's pool */
	int sock;
	pid_t pid;		/* from its first request; 0 before */
	unsigned char holds[EMU_PRELOAD_EFD_MAX];
};

/* What a child inherits: its real fd and a reference on the file. */
#define EMU_PRELOAD_FORK_FDS 256

struct emu_preload_inherit {
	int32_t fd;
	int32_t efd;		/* the child's emulator fd, once installed */
	struct emu_file *file;
};

/*
 * One fork's inheritance, from the prepare handler until the dispatcher
 * installed it; the remap message the child waits for is its fd/efd
 * pairs.
 */
#define EMU_PRELOAD_FORK_SLOTS 8

struct emu_preload_slot {
	bool used;
	int sock;		/* the parent's end */
	uint32_t nr;
	struct emu_preload_inherit v[EMU_PRELOAD_FORK_FDS];
};

struct emu_preload_remap {
	uint32_t nr;
	struct {
		int32_t fd;
		int32_t efd;
	} v[EMU_PRELOAD_FORK_FDS];
};

/* How long a child waits for its fds before it gives up on its parent. */
#define EMU_PRELOAD_REMAP_MS 30000

struct emu_preload_fork {
	struct iofd_host local;		/* the emulator's own host */
	/* In a served child: the socket to the parent; -1 otherwise. */
	int sock;
	bool orphan;			/* a child nobody serves */
	/* The dispatcher of this process (started by dispatcher_pid). */
	pid_t dispatcher_pid;
	int ctl[2];			/* [1]: slot numbers to the dispatcher */
	struct emu_preload_slot slots[EMU_PRELOAD_FORK_SLOTS];
	/* Between prepare and the handlers of one fork. */
	int pair[2];
	int pending;			/* slot index, or -1 */
};

extern struct emu_preload_fork emu_fork;

/* Run @req in the emulator (the shim's lock is held). */
int64_t emu_preload_run(const struct emu_preload_req *req, struct stat *st);

/* Start this process's dispatcher, once (the lock is held). */
void emu_preload_dispatcher_start(void);

#endif /* EMU_PRELOAD_FORK_INTERNAL_H */
