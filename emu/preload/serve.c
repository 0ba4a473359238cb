// SPDX-License-Identifier: MIT
/*
 * The parent's side of the preload shim across fork (fork.c has the
 * design): one dispatcher thread per process that has emulated files. It
 * takes each new child from the control socket, installs the references
 * the fork took as the child's own fds and tells the child their numbers,
 * then answers every child's requests in the emulator on the child's
 * behalf, and closes a child's fds when its socket closes.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <emu/emu.h>

#include "fork_internal.h"
#include "preload.h"

/* ---- one call into the emulator, for the program or for a child ---- */

int64_t emu_preload_run(const struct emu_preload_req *req, struct stat *st)
{
	const struct iofd_host *h = &emu_fork.local;
	struct emu *emu = emu_preload.emu;
	void *ptr = (void *)(uintptr_t)req->ptr;

	switch (req->op) {
	case EMU_PRELOAD_OP_OPEN:
		return h->ops->open(h->priv, req->path, req->flags);
	case EMU_PRELOAD_OP_CLOSE:
		return h->ops->close(h->priv, req->fd);
	case EMU_PRELOAD_OP_IOCTL:
		return h->ops->ioctl(h->priv, req->fd, req->request, ptr);
	case EMU_PRELOAD_OP_FSTAT:
		return h->ops->fstat(h->priv, req->fd, st);
	case EMU_PRELOAD_OP_STAT:
		return h->ops->stat(h->priv, req->path, st);
	case EMU_PRELOAD_OP_RW:
		return req->flags ? emu_write(emu, req->fd, ptr, req->count) :
				    emu_read(emu, req->fd, ptr, req->count);
	case EMU_PRELOAD_OP_PREAD:
		return h->ops->pread(h->priv, req->fd, ptr, req->count,
				     req->off);
	case EMU_PRELOAD_OP_PWRITE:
		return h->ops->pwrite(h->priv, req->fd, ptr, req->count,
				      req->off);
	case EMU_PRELOAD_OP_DUP:
		return emu_dup(emu, req->fd);
	case EMU_PRELOAD_OP_HUGE_MAP:
		return emu_hugetlb_map(emu, req->pid, req->ptr, req->count);
	case EMU_PRELOAD_OP_HUGE_UNMAP:
		emu_hugetlb_unmap(emu, req->pid, req->ptr, req->count);
		return 0;
	case EMU_PRELOAD_OP_HUGE_MAPPED:
		return emu_hugetlb_mapped(emu, req->pid, req->ptr, req->count);
	default:
		return -EINVAL;
	}
}

/* ---- the parent: the dispatcher ---- */

/* Note the fds a call made for @c (the fds open now that were not). */
static void emu_preload_note_new(struct emu_preload_client *c,
				 const unsigned char *before)
{
	int fd;

	for (fd = 0; fd < EMU_PRELOAD_EFD_MAX; fd++) {
		if (!before[fd] && emu_fd_is_open(emu_preload.emu, fd))
			c->holds[fd] = 1;
	}
}

static void emu_preload_serve_one(struct emu_preload_client *c,
				  const struct emu_preload_req *req,
				  struct emu_preload_rep *rep)
{
	unsigned char before[EMU_PRELOAD_EFD_MAX];
	bool makes_fds = req->op == EMU_PRELOAD_OP_OPEN ||
			 req->op == EMU_PRELOAD_OP_IOCTL ||
			 req->op == EMU_PRELOAD_OP_DUP;
	sigset_t saved;
	int fd;

	emu_preload_lock(&saved);
	if (!c->pid)
		c->pid = req->pid;
	emu_task_set(emu_preload.emu, req->pid, req->tid);
	if (makes_fds) {
		for (fd = 0; fd < EMU_PRELOAD_EFD_MAX; fd++)
			before[fd] = emu_fd_is_open(emu_preload.emu, fd);
	}
	rep->rc = emu_preload_run(req, &rep->st);
	if (makes_fds)
		emu_preload_note_new(c, before);
	if (req->op == EMU_PRELOAD_OP_CLOSE && req->fd >= 0 &&
	    req->fd < EMU_PRELOAD_EFD_MAX)
		c->holds[req->fd] = 0;
	emu_task_set(emu_preload.emu, 0, 0);
	emu_preload_unlock(&saved);
}

/*
 * The dispatcher's clients, taken and given back under the lock: the
 * dispatcher never allocates (see emu_preload_dispatch).
 */
static struct emu_preload_client emu_clients[EMU_PRELOAD_CLIENTS_MAX];

static struct emu_preload_client *emu_preload_client_take(void)
{
	unsigned int i;

	for (i = 0; i < EMU_PRELOAD_CLIENTS_MAX; i++) {
		if (!emu_clients[i].used) {
			memset(&emu_clients[i], 0, sizeof(emu_clients[i]));
			emu_clients[i].used = true;
			return &emu_clients[i];
		}
	}
	return NULL;
}

/* The child is gone: its files close, its huge pages go back. */
static void emu_preload_client_exit(struct emu_preload_client *c)
{
	sigset_t saved;
	int fd;

	emu_preload_lock(&saved);
	for (fd = 0; fd < EMU_PRELOAD_EFD_MAX; fd++) {
		if (c->holds[fd])
			emu_fork.local.ops->close(emu_fork.local.priv, fd);
	}
	if (c->pid)
		emu_hugetlb_forget(emu_preload.emu, c->pid);
	REAL(close)(c->sock);
	c->used = false;
	emu_preload_unlock(&saved);
}

/*
 * A new child (slot @i): install its references as fds of its own, tell
 * it their numbers, and take it on; NULL when it cannot be served (what
 * was installed is closed again).
 */
static struct emu_preload_client *emu_preload_adopt_child(unsigned int i)
{
	struct emu_preload_slot *slot = &emu_fork.slots[i];
	struct emu_preload_remap remap = { 0 };
	struct emu_preload_client *c;
	sigset_t saved;
	uint32_t k;
	int efd;

	emu_preload_lock(&saved);
	c = emu_preload_client_take();
	for (k = 0; k < slot->nr; k++) {
		efd = -1;
		if (c)
			efd = emu_fd_install_ref(emu_preload.emu, slot->v[k].file);
		else
			emu_file_unref(emu_preload.emu, slot->v[k].file);
		if (efd >= EMU_PRELOAD_EFD_MAX) {
			emu_fork.local.ops->close(emu_fork.local.priv, efd);
			efd = -1;
		}
		remap.v[k].fd = slot->v[k].fd;
		remap.v[k].efd = efd;
		if (efd >= 0)
			c->holds[efd] = 1;
	}
	remap.nr = slot->nr;
	if (c)
		c->sock = slot->sock;
	else
		REAL(close)(slot->sock);
	slot->used = false;
	emu_preload_unlock(&saved);
	if (!c)
		return NULL;
	if (send(c->sock, &remap, sizeof(remap), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(remap)) {
		emu_preload_client_exit(c);
		return NULL;
	}
	return c;
}

/*
 * The dispatcher: new children come as slot numbers on the control
 * socket; each child's requests come on its own socket and are answered
 * one at a time.
 *
 * It never allocates: its clients come from a fixed pool and its poll set
 * is on its stack. Two sanitizer forks make an allocation here deadly.
 * One that leaves its allocator's lock alone lets a child inherit that
 * lock held by this thread, and the child hangs at its first malloc. And
 * MSan's fork takes its stack depot's lock before the fork handlers run;
 * the shim's handler then waits for the shim's lock, so a dispatcher that
 * allocated under that lock would wait for the depot's: both threads
 * stuck. The calls it serves for a child still allocate in the emulator
 * under the lock; a program that forks while one runs can meet the same
 * MSan deadlock.
 */
static void *emu_preload_dispatch(void *arg)
{
	struct emu_preload_client *cl[EMU_PRELOAD_CLIENTS_MAX];
	struct pollfd pfd[EMU_PRELOAD_CLIENTS_MAX + 1];
	struct emu_preload_req req;
	struct emu_preload_rep rep;
	size_t nr = 0, k;
	uint32_t slot;
	ssize_t n;

	/* Started up (whatever that allocated): the creator may go on. */
	sem_post(arg);
	for (;;) {
		pfd[0].fd = emu_fork.ctl[0];
		pfd[0].events = POLLIN;
		for (k = 0; k < nr; k++) {
			pfd[k + 1].fd = cl[k]->sock;
			pfd[k + 1].events = POLLIN;
		}
		if (poll(pfd, nr + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents) {
			n = recv(emu_fork.ctl[0], &slot, sizeof(slot), 0);
			if (n == (ssize_t)sizeof(slot) &&
			    slot < EMU_PRELOAD_FORK_SLOTS) {
				struct emu_preload_client *c =
					emu_preload_adopt_child(slot);

				/* The pool is as large as cl[]. */
				if (c)
					cl[nr++] = c;
			}
			continue;
		}
		for (k = nr; k-- > 0;) {
			if (!pfd[k + 1].revents)
				continue;
			n = recv(cl[k]->sock, &req, sizeof(req), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n == (ssize_t)sizeof(req)) {
				req.path[sizeof(req.path) - 1] = '\0';
				memset(&rep, 0, sizeof(rep));
				emu_preload_serve_one(cl[k], &req, &rep);
				if (send(cl[k]->sock, &rep, sizeof(rep),
					 MSG_NOSIGNAL) == (ssize_t)sizeof(rep))
					continue;
			}
			emu_preload_client_exit(cl[k]);
			cl[k] = cl[--nr];
		}
	}
	return NULL;
}

/*
 * Once the process has an emulated file (a child of the process that set
 * the shim up needs its own): outside any fork, so it may allocate and
 * create a thread.
 */
void emu_preload_dispatcher_start(void)
{
	pthread_attr_t attr;
	pthread_t t;
	sem_t started;

	if (emu_fork.dispatcher_pid == getpid())
		return;
	if (emu_fork.ctl[0] >= 0) {
		/* The parent's control socket, inherited: not this process's. */
		REAL(close)(emu_fork.ctl[0]);
		REAL(close)(emu_fork.ctl[1]);
		emu_fork.ctl[0] = emu_fork.ctl[1] = -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		       emu_fork.ctl))
		return;
	/*
	 * The thread's own start-up allocates outside the lock; it is over
	 * before this returns, so no fork can catch it half way.
	 */
	sem_init(&started, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, emu_preload_dispatch, &started)) {
		REAL(close)(emu_fork.ctl[0]);
		REAL(close)(emu_fork.ctl[1]);
		emu_fork.ctl[0] = emu_fork.ctl[1] = -1;
	} else {
		while (sem_wait(&started) && errno == EINTR)
			;
		emu_fork.dispatcher_pid = getpid();
	}
	pthread_attr_destroy(&attr);
	sem_destroy(&started);
}

