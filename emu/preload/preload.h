/* SPDX-License-Identifier: MIT */
/*
 * libiofd-emu-preload: the emulator under an unmodified, dynamically
 * linked program, through LD_PRELOAD. This header is what the shim's
 * files share; README.md ("Running a program on the emulator") is the
 * user's side.
 *
 * Files, one job each:
 *   real.c      the real libc entry points, resolved on first use
 *   config.c    the environment, validated before anything happens
 *   state.c     start (configuration, emulator, fault plan), the lock,
 *               fork, exec, exit, the counters file, tracing
 *   mirror.c    the sysfs tree materialised on disk, its cleaner
 *               process, and path resolution (which paths are served)
 *   fds.c       entry points on fds: close, read/write, pread/pwrite,
 *               ioctl, fstat, dup*, fcntl, close_range, mmap/munmap
 *   paths.c     entry points on paths: open*, fopen*, stat*, access*,
 *               opendir, readlink*, realpath, chdir/getcwd
 *
 * The process-wide state is unavoidable here (an interposed libc entry
 * point has no context argument): it is the one struct emu_preload, and
 * everything in it is guarded by its lock, except what is written once
 * before anything is served (the configuration) and the fd map, whose
 * entries are read without the lock (an fd that is being closed while
 * another thread uses it is the program's race, as with the kernel).
 *
 * Locking: every call into the emulator holds the lock with all signals
 * blocked, so a signal handler that calls an interposed function never
 * waits for a lock its own thread holds, and a fork in another thread
 * (pthread_atfork) never copies it held. While a thread holds it, the
 * libc calls the shim and the emulator make themselves (the emulator
 * opens /proc/self/maps, the mirror writes files) reach libc directly:
 * emu_preload_inside is set.
 */
#ifndef EMU_PRELOAD_H
#define EMU_PRELOAD_H

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <emu/emu.h>

#define EMU_PRELOAD_EXPORT __attribute__((visibility("default")))

/*
 * Under MemorySanitizer the program's interceptors sit in front of the
 * shim, and the libc definitions the shim calls past itself (REAL()) or
 * raw system calls are not instrumented: what they write looks
 * uninitialised to the shim until it says otherwise.
 */
#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define EMU_PRELOAD_WRITTEN(p, n) __msan_unpoison(p, n)
static inline void emu_preload_written_str(char *s)
{
	do
		__msan_unpoison(s, 1);
	while (*s++);
}
#endif
#endif
#ifndef EMU_PRELOAD_WRITTEN
#define EMU_PRELOAD_WRITTEN(p, n) do { } while (0)
static inline void emu_preload_written_str(char *s)
{
	(void)s;
}
#endif

/* Program fds that can stand for an emulated file: 0 .. MAX - 1. */
#define EMU_PRELOAD_MAX_FD 65536

/* ------------------------------------------------------------------ */
/* real.c: the next definition of each interposed entry point          */

/* glibc's fortified entry points (declared only under _FORTIFY_SOURCE). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t count, off_t off,
		    size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t count, off64_t off,
		      size_t buflen);
ssize_t __readlink_chk(const char *path, char *buf, size_t len,
		       size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t len,
			 size_t buflen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
char *__getcwd_chk(char *buf, size_t size, size_t buflen);

enum emu_real {
#define EMU_REAL(name) EMU_REAL_##name,
#include "real.def"
#undef EMU_REAL
	EMU_REAL_COUNT,
};

/* The libc function @which; never NULL (a missing one stops the program). */
void *emu_preload_real(enum emu_real which);

#define REAL(name) ((__typeof__(&name))emu_preload_real(EMU_REAL_##name))

/* ------------------------------------------------------------------ */
/* config.c                                                            */

struct emu_preload_device {
	const struct emu_profile *profile;
	char bdf[16];
	enum emu_sysfs_variant variant;
};

struct emu_preload_config {
	struct emu_preload_device devs[EMU_MAX_DEVICES];
	unsigned int nr_devs;
	struct emu_variant variant;
	bool trace;
	unsigned long fail_nth;		/* 0: none */
	unsigned int fail_kinds;	/* EMU_FAULT_* bits; 0: none */
	unsigned long fail_request;	/* with EMU_FAULT_IOCTL: 0 any */
	int fail_errno;			/* positive */
	char counters[PATH_MAX];	/* absolute; "" when not asked */
	long hugepages;			/* the hugetlb pool; -1: not served */
	bool check_clean;		/* the unwind check (selftest.h) */
};

/*
 * Read and check every IOFD_EMU_* variable. On a bad one, print why on
 * stderr (bounded: the entry at fault, never the whole value) and stop
 * the process with status 2, before anything was created.
 */
void emu_preload_config_read(struct emu_preload_config *cfg);

/* The name of @errnum ("ENOMEM") or its number as text, into @buf. */
const char *emu_preload_errname(int errnum, char *buf, size_t cap);

/* ------------------------------------------------------------------ */
/* state.c                                                             */

struct emu_preload {
	pthread_mutex_t lock;
	atomic_int state;		/* EMU_PRELOAD_{NEW,STARTING,READY} */
	struct emu_preload_config cfg;
	struct emu *emu;
	struct iofd_host raw;		/* the emulator, unwrapped */
	struct emu_fault *fault;	/* every program call goes through it */
	struct iofd_host host;		/* ... which is this host */
	pid_t owner;			/* the process that started the shim */
	/* The armed fault's firing: which call, what it was. */
	unsigned long fault_call;
	char fault_what[128];
	struct emu_counters written;	/* last counters written to the file */
	bool written_once;
	/* The on-disk tree (mirror.c): root, its cleaner. */
	char mirror[PATH_MAX];
	size_t mirror_len;		/* 0: not built */
	int cleaner_fd;			/* write end of the cleaner's pipe */
	pid_t cleaner;
	/* The fd map: program fd -> emulated fd + 1 (0: not emulated). */
	atomic_int emu_fd[EMU_PRELOAD_MAX_FD];
	atomic_int nr_maps;		/* region mappings, read unlocked */
};

enum {
	EMU_PRELOAD_NEW,
	EMU_PRELOAD_STARTING,
	EMU_PRELOAD_READY,
};

extern struct emu_preload emu_preload;
extern __thread int emu_preload_inside;

/* Start the shim if nobody has yet (the constructor, or the first call). */
void emu_preload_start(void);

/* Take and drop the lock (all signals blocked while held). */
void emu_preload_lock(sigset_t *saved);
void emu_preload_unlock(sigset_t *saved);

/* A call the program made, as the fault report and the trace name it. */
struct emu_preload_call {
	const char *op;		/* "open", "ioctl", "pread", ... */
	int fd;			/* the program's fd, or -1 */
	const char *path;	/* or NULL */
	unsigned long request;	/* ioctl */
	uint64_t off;		/* pread/pwrite/mmap offset */
	size_t len;
	long result;		/* >= 0, or -errno */
};

/*
 * After a call into the emulator, under the lock: trace it, note the
 * armed fault firing on this call (@fired_before: whether it had fired
 * before the call), and rewrite the counters file when the counters
 * changed.
 */
void emu_preload_after_call(bool fired_before,
			    const struct emu_preload_call *call);

/* Print one trace line when IOFD_EMU_TRACE is on. */
__attribute__((format(printf, 1, 2)))
void emu_preload_trace(const char *fmt, ...);

/* Print "iofd-emu: <message>" on stderr and stop with status 2. */
__attribute__((format(printf, 1, 2), noreturn))
void emu_preload_die(const char *fmt, ...);

/* Set errno from a 0-or-negative-errno result; returns -1 or @rc. */
long emu_preload_ret(long rc);

/* Whether this process is the one that owns the mirror and counters. */
bool emu_preload_owner(void);

/* ------------------------------------------------------------------ */
/* mirror.c                                                            */

enum emu_preload_kind {
	EMU_PATH_REAL,		/* not served: libc as it is */
	EMU_PATH_NODE,		/* an emulated device node */
	EMU_PATH_TREE,		/* in the materialised sysfs tree */
};

struct emu_preload_path {
	enum emu_preload_kind kind;
	char virt[PATH_MAX];	/* the path as the emulator names it */
	char real[PATH_MAX];	/* TREE: the same place in the mirror */
};

/*
 * Classify @path (relative to @dirfd, or the working directory for
 * AT_FDCWD), under the lock. A TREE path makes the mirror on first use.
 * Returns 0, or -errno when the mirror cannot be made.
 */
int emu_preload_resolve(int dirfd, const char *path,
			struct emu_preload_path *out);
/* Whether @path is absolute or relative to the cwd and needs resolving. */
bool emu_preload_maybe_served(int dirfd, const char *path);
/* A real path inside the mirror back to the path it stands for. */
bool emu_preload_unmirror(char *path);
/* Remove the mirror and stop its cleaner (owner only; idempotent). */
void emu_preload_mirror_remove(void);

/* ------------------------------------------------------------------ */
/* fds.c                                                               */

/* The emulated fd behind program fd @fd, or -1. Lock-free. */
int emu_preload_efd(int fd);
/*
 * Open the emulated node @path, under the lock: the program's fd or -1
 * with errno.
 */
int emu_preload_open_node(const char *path, int flags);
/* fstat of @fd when it is emulated (*handled), 0 / -1 with errno. */
int emu_preload_fstat(int fd, struct stat *st, bool *handled);

#endif /* EMU_PRELOAD_H */
