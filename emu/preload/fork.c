// SPDX-License-Identifier: MIT
/*
 * The preload shim across fork() (fork.h).
 *
 * The kernel's files outlive a fork: parent and child hold the same
 * iommufd, and what the child maps through it is there for the parent
 * (the kernel's selftests fork_gone and fork_present rely on it). The
 * emulator lives in the process's memory, which a fork copies, so when a
 * process forks with emulated fds open, the parent serves the child:
 *
 *  - before the fork, a reference is taken on every emulated file for the
 *    child (as the kernel's fork takes them) and a socket pair is made;
 *  - in the parent, a dispatcher thread (serve.c) installs those
 *    references as the child's own fds and tells the child their numbers;
 *    from then on it answers the child's requests: it runs each call in
 *    the emulator on behalf of the child (emu_task_set: user memory is
 *    the child's, pins check the child's map, fail-nth counts for the
 *    child's thread) and keeps the set of the child's fds. When the child
 *    is gone (its socket closes) it closes them, as the kernel closes a
 *    dead process's files, and forgets the child's huge pages;
 *  - in the child, the shim's fds are renumbered to those, and every call
 *    into the emulator becomes a request to the parent; the child's own
 *    copy of the emulator is never used again.
 *
 * A process that forks with no emulated fd open gives its child nothing
 * to share: the child runs on its own copy (state.c). A child of a served
 * child is not served: its emulated calls fail with EIO.
 *
 * The fork hooks neither allocate nor free (a sanitizer's fork holds its
 * allocator's locks while they run): the references wait in a fixed
 * slot, and the dispatcher, started when the process first opens an
 * emulated file, does the rest outside the fork. The shim's one lock
 * orders the program's calls, the dispatcher's and fork: the prepare
 * hook runs with it held, so the child's copy is consistent.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <emu/emu.h>

#include "fork.h"
#include "fork_internal.h"
#include "preload.h"

struct emu_preload_fork emu_fork = {
	.sock = -1,
	.ctl = { -1, -1 },
	.pair = { -1, -1 },
	.pending = -1,
};

bool emu_preload_fork_served(void)
{
	return emu_fork.sock >= 0 || emu_fork.orphan;
}

/* ---- the child: every call is a request to the parent ---- */

static int64_t emu_fork_call(struct emu_preload_req *req, struct stat *st)
{
	struct emu_preload_rep rep;
	ssize_t n;

	if (emu_fork.sock < 0)
		return -EIO;
	req->pid = getpid();
	req->tid = gettid();
	n = send(emu_fork.sock, req, sizeof(*req), MSG_NOSIGNAL);
	if (n == (ssize_t)sizeof(*req)) {
		do
			n = recv(emu_fork.sock, &rep, sizeof(rep), 0);
		while (n < 0 && errno == EINTR);
	}
	if (n != (ssize_t)sizeof(rep))
		return -EIO;
	if (st)
		*st = rep.st;
	return rep.rc;
}

static int emu_fork_path_req(struct emu_preload_req *req, const char *path)
{
	if (!path)
		return -EFAULT;
	if (strlen(path) >= sizeof(req->path))
		return -ENAMETOOLONG;
	strcpy(req->path, path);
	return 0;
}

/* @req here (the lock is held), or in the parent when it serves us. */
static int64_t emu_fork_do(struct emu_preload_req *req, struct stat *st)
{
	if (emu_preload_fork_served())
		return emu_fork_call(req, st);
	return emu_preload_run(req, st);
}

/* ---- the host the shim calls: the emulator's, or the parent's ---- */

static int emu_fork_host_open(void *priv, const char *path, int flags)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_OPEN,
				       .flags = flags };
	int rc = emu_fork_path_req(&req, path);

	(void)priv;
	if (rc)
		return rc;
	rc = (int)emu_fork_do(&req, NULL);
	if (rc >= 0 && !emu_preload_fork_served())
		emu_preload_dispatcher_start();
	return rc;
}

static int emu_fork_host_close(void *priv, int fd)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_CLOSE, .fd = fd };

	(void)priv;
	return (int)emu_fork_do(&req, NULL);
}

static int emu_fork_host_ioctl(void *priv, int fd, unsigned long request,
			       void *arg)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_IOCTL, .fd = fd,
				       .request = request,
				       .ptr = (uintptr_t)arg };

	(void)priv;
	return (int)emu_fork_do(&req, NULL);
}

static int emu_fork_host_fstat(void *priv, int fd, struct stat *st)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_FSTAT, .fd = fd };

	(void)priv;
	return (int)emu_fork_do(&req, st);
}

static int emu_fork_host_stat(void *priv, const char *path, struct stat *st)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_STAT };
	int rc = emu_fork_path_req(&req, path);

	(void)priv;
	return rc ? rc : (int)emu_fork_do(&req, st);
}

/*
 * The sysfs tree and its files: the emulator's own in every process (a
 * child's copy has the same devices; the tree is not per process).
 */
static ssize_t emu_fork_host_read_file(void *priv, const char *path,
				       char *buf, size_t cap)
{
	(void)priv;
	return emu_fork.local.ops->read_file(emu_fork.local.priv, path, buf,
					     cap);
}

static int emu_fork_host_list_dir(void *priv, const char *path,
				  iofd_dir_cb cb, void *arg)
{
	(void)priv;
	return emu_fork.local.ops->list_dir(emu_fork.local.priv, path, cb,
					    arg);
}

static ssize_t emu_fork_host_pread(void *priv, int fd, void *buf,
				   size_t count, uint64_t offset)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_PREAD, .fd = fd,
				       .ptr = (uintptr_t)buf, .count = count,
				       .off = offset };

	(void)priv;
	return (ssize_t)emu_fork_do(&req, NULL);
}

static ssize_t emu_fork_host_pwrite(void *priv, int fd, const void *buf,
				    size_t count, uint64_t offset)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_PWRITE, .fd = fd,
				       .ptr = (uintptr_t)buf, .count = count,
				       .off = offset };

	(void)priv;
	return (ssize_t)emu_fork_do(&req, NULL);
}

/*
 * Region mappings are memory of this process: a served child's mmap of
 * an emulated fd is refused (the parent's BAR memory is not the child's);
 * munmap is the process's own either way.
 */
static int emu_fork_host_mmap(void *priv, void *addr, size_t len, int prot,
			      int flags, int fd, uint64_t offset, void **out)
{
	(void)priv;
	if (emu_preload_fork_served())
		return -ENODEV;
	return emu_fork.local.ops->mmap(emu_fork.local.priv, addr, len, prot,
					flags, fd, offset, out);
}

static int emu_fork_host_munmap(void *priv, void *addr, size_t len)
{
	(void)priv;
	return emu_fork.local.ops->munmap(emu_fork.local.priv, addr, len);
}

static const struct iofd_host_ops emu_fork_host_ops = {
	.open = emu_fork_host_open,
	.close = emu_fork_host_close,
	.ioctl = emu_fork_host_ioctl,
	.fstat = emu_fork_host_fstat,
	.stat = emu_fork_host_stat,
	.read_file = emu_fork_host_read_file,
	.list_dir = emu_fork_host_list_dir,
	.pread = emu_fork_host_pread,
	.pwrite = emu_fork_host_pwrite,
	.mmap = emu_fork_host_mmap,
	.munmap = emu_fork_host_munmap,
};

ssize_t emu_preload_fork_rw(int efd, void *buf, size_t count, bool is_write)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_RW, .fd = efd,
				       .flags = is_write,
				       .ptr = (uintptr_t)buf, .count = count };

	return (ssize_t)emu_fork_do(&req, NULL);
}

int emu_preload_fork_dup(int efd)
{
	struct emu_preload_req req = { .op = EMU_PRELOAD_OP_DUP, .fd = efd };

	return (int)emu_fork_do(&req, NULL);
}

/* A hugetlb pool call: @op on [va, va + len) of this process. */
static int64_t emu_fork_huge(enum emu_preload_op op, uint64_t va,
			     uint64_t len)
{
	struct emu_preload_req req = { .op = op, .ptr = va, .count = len,
				       .pid = getpid() };

	return emu_fork_do(&req, NULL);
}

int emu_preload_hugetlb_map(uint64_t va, uint64_t len)
{
	return (int)emu_fork_huge(EMU_PRELOAD_OP_HUGE_MAP, va, len);
}

void emu_preload_hugetlb_unmap(uint64_t va, uint64_t len)
{
	emu_fork_huge(EMU_PRELOAD_OP_HUGE_UNMAP, va, len);
}

bool emu_preload_hugetlb_mapped(uint64_t va, uint64_t len)
{
	return emu_fork_huge(EMU_PRELOAD_OP_HUGE_MAPPED, va, len) > 0;
}

/* ---- fork ---- */

static int emu_fork_efd(unsigned int fd)
{
	return atomic_load_explicit(&emu_preload.emu_fd[fd],
				    memory_order_relaxed) - 1;
}

/*
 * Before the fork (the lock held, nothing allocated): if this process
 * has emulated fds, take a reference on each for the child in a free slot
 * and make the child's socket pair. Anything short of that leaves the
 * child unserved.
 */
void emu_preload_fork_prepare_hook(void)
{
	struct emu_preload_slot *slot = NULL;
	struct emu_file *file;
	unsigned int fd, i;

	emu_fork.pending = -1;
	if (emu_preload_fork_served() ||
	    emu_fork.dispatcher_pid != getpid())
		return;
	for (fd = 0; fd < EMU_PRELOAD_MAX_FD && emu_fork_efd(fd) < 0; fd++)
		;
	if (fd == EMU_PRELOAD_MAX_FD)
		return;
	for (i = 0; i < EMU_PRELOAD_FORK_SLOTS; i++) {
		if (!emu_fork.slots[i].used) {
			slot = &emu_fork.slots[i];
			break;
		}
	}
	if (!slot || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				emu_fork.pair))
		return;
	slot->nr = 0;
	for (; fd < EMU_PRELOAD_MAX_FD; fd++) {
		if (emu_fork_efd(fd) < 0)
			continue;
		file = emu_fd_ref(emu_preload.emu, emu_fork_efd(fd));
		if (!file)
			continue;
		if (slot->nr == EMU_PRELOAD_FORK_FDS) {
			emu_file_unref(emu_preload.emu, file);
			goto err_unref;
		}
		slot->v[slot->nr].fd = (int32_t)fd;
		slot->v[slot->nr++].file = file;
	}
	slot->used = true;
	slot->sock = emu_fork.pair[0];
	emu_fork.pending = (int)i;
	return;

err_unref:
	while (slot->nr)
		emu_file_unref(emu_preload.emu, slot->v[--slot->nr].file);
	REAL(close)(emu_fork.pair[0]);
	REAL(close)(emu_fork.pair[1]);
	emu_fork.pair[0] = emu_fork.pair[1] = -1;
}

/*
 * In the parent, whether or not the fork worked: hand the slot to the
 * dispatcher. Without a child, its end of the socket is closed here, so
 * the dispatcher's message to it fails and the references go back.
 */
void emu_preload_fork_parent_hook(void)
{
	uint32_t slot = (uint32_t)emu_fork.pending;
	struct emu_preload_slot *s;

	if (emu_fork.pending < 0)
		return;
	REAL(close)(emu_fork.pair[1]);
	emu_fork.pair[0] = emu_fork.pair[1] = -1;
	emu_fork.pending = -1;
	if (send(emu_fork.ctl[1], &slot, sizeof(slot), MSG_NOSIGNAL) ==
	    (ssize_t)sizeof(slot))
		return;
	s = &emu_fork.slots[slot];
	while (s->nr)
		emu_file_unref(emu_preload.emu, s->v[--s->nr].file);
	REAL(close)(s->sock);
	s->used = false;
}

/* The child's fds, as the parent installed them: 0, or -1 (unserved). */
static int emu_fork_take_remap(int sock)
{
	struct emu_preload_remap remap;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	unsigned int fd;
	uint32_t k;
	ssize_t n;

	for (fd = 0; fd < EMU_PRELOAD_MAX_FD; fd++)
		atomic_store_explicit(&emu_preload.emu_fd[fd], 0,
				      memory_order_relaxed);
	if (poll(&pfd, 1, EMU_PRELOAD_REMAP_MS) != 1)
		return -1;
	n = recv(sock, &remap, sizeof(remap), 0);
	if (n != (ssize_t)sizeof(remap) || remap.nr > EMU_PRELOAD_FORK_FDS)
		return -1;
	for (k = 0; k < remap.nr; k++) {
		fd = (unsigned int)remap.v[k].fd;
		if (fd < EMU_PRELOAD_MAX_FD && remap.v[k].efd >= 0)
			atomic_store_explicit(&emu_preload.emu_fd[fd],
					      remap.v[k].efd + 1,
					      memory_order_relaxed);
	}
	return 0;
}

/* In the child: its fds are its own, and the parent serves them. */
void emu_preload_fork_child_hook(void)
{
	bool had_fds = false;
	unsigned int fd;

	if (emu_preload_fork_served()) {
		/* A child of a served child: nobody serves it. */
		if (emu_fork.sock >= 0)
			REAL(close)(emu_fork.sock);
		emu_fork.sock = -1;
		emu_fork.orphan = true;
		return;
	}
	for (fd = 0; fd < EMU_PRELOAD_MAX_FD && !had_fds; fd++)
		had_fds = emu_fork_efd(fd) >= 0;
	if (emu_fork.pending < 0) {
		/*
		 * Nothing was open: the child's own copy serves it. Open fds
		 * whose references failed go dead.
		 */
		emu_fork.orphan = had_fds;
		return;
	}
	REAL(close)(emu_fork.pair[0]);
	emu_fork.pending = -1;
	if (emu_fork_take_remap(emu_fork.pair[1])) {
		REAL(close)(emu_fork.pair[1]);
		emu_fork.orphan = true;
	} else {
		emu_fork.sock = emu_fork.pair[1];
	}
	emu_fork.pair[0] = emu_fork.pair[1] = -1;
}

void emu_preload_fork_init(void)
{
	emu_fork.local = emu_preload.raw;
	emu_preload.raw.ops = &emu_fork_host_ops;
	emu_preload.raw.priv = NULL;
}
