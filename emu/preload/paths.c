// SPDX-License-Identifier: MIT
/*
 * Entry points on paths (preload.h): open and its fortified and 64-bit
 * forms, fopen, the stat family, access, opendir, readlink, realpath,
 * chdir and getcwd.
 *
 * A path is resolved (mirror.c) to an emulated node, a place in the
 * emulated sysfs tree, or neither (libc as it is). A node is opened,
 * stat'ed and tested by the emulator. A place in the tree is first asked
 * of the emulator too, through the same counted host calls as the core
 * makes (stat for the stat family and access, read_file to open a file,
 * list_dir to open a directory), so a fault plan reaches the program's
 * sysfs reads as well; then the real file in the materialised tree is
 * what the program gets, so readdir, read and openat below it work
 * unchanged. readlink and realpath answer from the tree, with its root
 * taken off again: a program never sees where the tree lives. What is
 * left to libc: paths reached through functions that open inside libc
 * (scandir, nftw, glob, freopen), and writes into sysfs attributes,
 * which land in the tree and change nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "preload.h"

/* One resolved path, under the lock (start made first). */
struct emu_paths_op {
	struct emu_preload_path p;
	sigset_t saved;
	bool fired;
};

/* Resolve @path; 0 with the lock held, or -errno with it dropped. */
static int emu_paths_enter(struct emu_paths_op *op, int dirfd,
			   const char *path)
{
	int rc;

	emu_preload_start();
	emu_preload_lock(&op->saved);
	rc = emu_preload_resolve(dirfd, path, &op->p);
	if (rc) {
		emu_preload_unlock(&op->saved);
		return rc;
	}
	op->fired = emu_fault_fired(emu_preload.fault);
	return 0;
}

static void emu_paths_leave(struct emu_paths_op *op, const char *what,
			    long result)
{
	struct emu_preload_call call = { .op = what, .fd = -1,
					 .path = op->p.virt,
					 .result = result };

	if (op->p.kind != EMU_PATH_REAL)
		emu_preload_after_call(op->fired, &call);
	emu_preload_unlock(&op->saved);
}

static bool emu_paths_skip(int dirfd, const char *path)
{
	return emu_preload_inside || !emu_preload_maybe_served(dirfd, path);
}

static int emu_paths_no_entry(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return 0;
}

/*
 * The counted host call that stands for opening @virt in the tree:
 * list_dir for a directory, read_file for a file. 0 or -errno.
 */
static int emu_paths_tree_touch(const char *virt, bool dir)
{
	const struct iofd_host *h = &emu_preload.host;
	char buf[256];
	struct stat st;
	ssize_t n;

	if (dir)
		return h->ops->list_dir(h->priv, virt, emu_paths_no_entry,
					NULL);
	n = h->ops->read_file(h->priv, virt, buf, sizeof(buf));
	if (n == -EISDIR || n == -EFBIG)
		return h->ops->stat(h->priv, virt, &st);
	return n < 0 ? (int)n : 0;
}

/* ------------------------------------------------------------------ */
/* open and friends                                                    */

static int emu_paths_open(int dirfd, const char *path, int flags,
			  mode_t mode)
{
	struct emu_paths_op op;
	int rc;

	if (emu_paths_skip(dirfd, path))
		return REAL(openat)(dirfd, path, flags, mode);
	rc = emu_paths_enter(&op, dirfd, path);
	if (rc)
		return (int)emu_preload_ret(rc);
	switch (op.p.kind) {
	case EMU_PATH_NODE:
		rc = emu_preload_open_node(op.p.virt, flags);
		rc = rc < 0 ? -errno : rc;
		emu_preload_unlock(&op.saved);
		return (int)emu_preload_ret(rc);
	case EMU_PATH_TREE:
		rc = emu_paths_tree_touch(op.p.virt, flags & O_DIRECTORY);
		if (!rc) {
			rc = REAL(open)(op.p.real, flags, mode);
			rc = rc < 0 ? -errno : rc;
		}
		emu_paths_leave(&op, "open", rc);
		return (int)emu_preload_ret(rc);
	case EMU_PATH_REAL:
		break;
	}
	emu_preload_unlock(&op.saved);
	return REAL(openat)(dirfd, path, flags, mode);
}

static mode_t emu_paths_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

EMU_PRELOAD_EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = emu_paths_mode(flags, ap);
	va_end(ap);
	return emu_paths_open(AT_FDCWD, path, flags, mode);
}

EMU_PRELOAD_EXPORT int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = emu_paths_mode(flags, ap);
	va_end(ap);
	return emu_paths_open(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

EMU_PRELOAD_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = emu_paths_mode(flags, ap);
	va_end(ap);
	return emu_paths_open(dirfd, path, flags, mode);
}

EMU_PRELOAD_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = emu_paths_mode(flags, ap);
	va_end(ap);
	return emu_paths_open(dirfd, path, flags | O_LARGEFILE, mode);
}

/*
 * The fortified opens: without a mode, O_CREAT and O_TMPFILE are a
 * program bug that glibc's own __open_2 reports; everything else opens.
 */
static bool emu_paths_open_bad(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

EMU_PRELOAD_EXPORT int __open_2(const char *path, int flags)
{
	if (emu_paths_open_bad(flags))
		return REAL(__open_2)(path, flags);
	return emu_paths_open(AT_FDCWD, path, flags, 0);
}

EMU_PRELOAD_EXPORT int __open64_2(const char *path, int flags)
{
	if (emu_paths_open_bad(flags))
		return REAL(__open64_2)(path, flags);
	return emu_paths_open(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

EMU_PRELOAD_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	if (emu_paths_open_bad(flags))
		return REAL(__openat_2)(dirfd, path, flags);
	return emu_paths_open(dirfd, path, flags, 0);
}

EMU_PRELOAD_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	if (emu_paths_open_bad(flags))
		return REAL(__openat64_2)(dirfd, path, flags);
	return emu_paths_open(dirfd, path, flags | O_LARGEFILE, 0);
}

/* fopen's mode string as open flags, or -1 when it is not one. */
static int emu_paths_fopen_flags(const char *mode)
{
	int flags;

	switch (mode[0]) {
	case 'r':
		flags = O_RDONLY;
		break;
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	if (strchr(mode, '+'))
		flags = (flags & ~O_ACCMODE) | O_RDWR;
	if (strchr(mode, 'e'))
		flags |= O_CLOEXEC;
	return flags;
}

static FILE *emu_paths_fopen(const char *path, const char *mode, bool is64)
{
	struct emu_paths_op op;
	FILE *f = NULL;
	int flags, fd, rc;

	if (emu_paths_skip(AT_FDCWD, path) || !mode ||
	    (flags = emu_paths_fopen_flags(mode)) < 0)
		return is64 ? REAL(fopen64)(path, mode) :
			      REAL(fopen)(path, mode);
	rc = emu_paths_enter(&op, AT_FDCWD, path);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	switch (op.p.kind) {
	case EMU_PATH_NODE:
		fd = emu_preload_open_node(op.p.virt, flags);
		emu_preload_unlock(&op.saved);
		if (fd < 0)
			return NULL;
		f = fdopen(fd, mode);
		if (!f) {
			rc = errno;
			close(fd);
			errno = rc;
		}
		return f;
	case EMU_PATH_TREE:
		rc = emu_paths_tree_touch(op.p.virt, false);
		if (!rc) {
			f = is64 ? REAL(fopen64)(op.p.real, mode) :
				   REAL(fopen)(op.p.real, mode);
			rc = f ? 0 : -errno;
		}
		emu_paths_leave(&op, "fopen", rc);
		if (rc)
			errno = -rc;
		return f;
	case EMU_PATH_REAL:
		break;
	}
	emu_preload_unlock(&op.saved);
	return is64 ? REAL(fopen64)(path, mode) : REAL(fopen)(path, mode);
}

EMU_PRELOAD_EXPORT FILE *fopen(const char *path, const char *mode)
{
	return emu_paths_fopen(path, mode, false);
}

EMU_PRELOAD_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	return emu_paths_fopen(path, mode, true);
}

/* ------------------------------------------------------------------ */
/* stat, access                                                        */

/*
 * stat of a served path by the emulator: 1 when @path is not served (the
 * caller asks libc), else 0 / -errno with *st filled.
 */
static int emu_paths_stat(int dirfd, const char *path, struct stat *st,
			  const char *what, bool follow)
{
	const struct iofd_host *h = &emu_preload.host;
	struct emu_paths_op op;
	int rc;

	if (emu_paths_skip(dirfd, path))
		return 1;
	rc = emu_paths_enter(&op, dirfd, path);
	if (rc)
		return rc;
	if (op.p.kind == EMU_PATH_REAL) {
		emu_preload_unlock(&op.saved);
		return 1;
	}
	rc = h->ops->stat(h->priv, op.p.virt, st);
	if (!rc && !follow)
		rc = emu_lstat(emu_preload.emu, op.p.virt, st);
	emu_paths_leave(&op, what, rc);
	return rc;
}

EMU_PRELOAD_EXPORT int stat(const char *path, struct stat *st)
{
	int rc = emu_paths_stat(AT_FDCWD, path, st, "stat", true);

	return rc == 1 ? REAL(stat)(path, st) : (int)emu_preload_ret(rc);
}

EMU_PRELOAD_EXPORT int stat64(const char *path, struct stat64 *st)
{
	int rc = emu_paths_stat(AT_FDCWD, path, (struct stat *)st, "stat",
				true);

	return rc == 1 ? REAL(stat64)(path, st) : (int)emu_preload_ret(rc);
}

EMU_PRELOAD_EXPORT int lstat(const char *path, struct stat *st)
{
	int rc = emu_paths_stat(AT_FDCWD, path, st, "lstat", false);

	return rc == 1 ? REAL(lstat)(path, st) : (int)emu_preload_ret(rc);
}

EMU_PRELOAD_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	int rc = emu_paths_stat(AT_FDCWD, path, (struct stat *)st, "lstat",
				false);

	return rc == 1 ? REAL(lstat64)(path, st) : (int)emu_preload_ret(rc);
}

static int emu_paths_fstatat(int dirfd, const char *path, struct stat *st,
			     int flags, bool *handled)
{
	int rc;

	*handled = true;
	if (path && !*path && (flags & AT_EMPTY_PATH)) {
		rc = emu_preload_fstat(dirfd, st, handled);
		return rc;
	}
	rc = emu_paths_stat(dirfd, path, st, "stat",
			    !(flags & AT_SYMLINK_NOFOLLOW));
	*handled = rc != 1;
	return (int)emu_preload_ret(rc);
}

EMU_PRELOAD_EXPORT int fstatat(int dirfd, const char *path, struct stat *st,
			       int flags)
{
	bool handled;
	int rc = emu_paths_fstatat(dirfd, path, st, flags, &handled);

	return handled ? rc : REAL(fstatat)(dirfd, path, st, flags);
}

EMU_PRELOAD_EXPORT int fstatat64(int dirfd, const char *path,
				 struct stat64 *st, int flags)
{
	bool handled;
	int rc = emu_paths_fstatat(dirfd, path, (struct stat *)st, flags,
				   &handled);

	return handled ? rc : REAL(fstatat64)(dirfd, path, st, flags);
}

EMU_PRELOAD_EXPORT int statx(int dirfd, const char *path, int flags,
			     unsigned int mask, struct statx *stx)
{
	struct stat st;
	bool handled;
	int rc;

	rc = emu_paths_fstatat(dirfd, path, &st, flags, &handled);
	if (!handled)
		return REAL(statx)(dirfd, path, flags, mask, stx);
	if (rc)
		return rc;
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_mode = (uint16_t)st.st_mode;
	stx->stx_nlink = (uint32_t)st.st_nlink;
	stx->stx_size = (uint64_t)st.st_size;
	stx->stx_blksize = 4096;
	stx->stx_rdev_major = major(st.st_rdev);
	stx->stx_rdev_minor = minor(st.st_rdev);
	stx->stx_dev_major = major(st.st_dev);
	stx->stx_dev_minor = minor(st.st_dev);
	return 0;
}

static int emu_paths_access(int dirfd, const char *path)
{
	struct stat st;

	return emu_paths_stat(dirfd, path, &st, "access", true);
}

EMU_PRELOAD_EXPORT int access(const char *path, int mode)
{
	int rc = emu_paths_access(AT_FDCWD, path);

	return rc == 1 ? REAL(access)(path, mode) : (int)emu_preload_ret(rc);
}

EMU_PRELOAD_EXPORT int faccessat(int dirfd, const char *path, int mode,
				 int flags)
{
	int rc = emu_paths_access(dirfd, path);

	return rc == 1 ? REAL(faccessat)(dirfd, path, mode, flags) :
			 (int)emu_preload_ret(rc);
}

/* ------------------------------------------------------------------ */
/* opendir, readlink, realpath, chdir, getcwd                          */

EMU_PRELOAD_EXPORT DIR *opendir(const char *path)
{
	struct emu_paths_op op;
	DIR *d = NULL;
	int rc;

	if (emu_paths_skip(AT_FDCWD, path))
		return REAL(opendir)(path);
	rc = emu_paths_enter(&op, AT_FDCWD, path);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	switch (op.p.kind) {
	case EMU_PATH_NODE:
		rc = -ENOTDIR;
		break;
	case EMU_PATH_TREE:
		rc = emu_paths_tree_touch(op.p.virt, true);
		if (!rc) {
			d = REAL(opendir)(op.p.real);
			rc = d ? 0 : -errno;
		}
		break;
	case EMU_PATH_REAL:
		emu_preload_unlock(&op.saved);
		return REAL(opendir)(path);
	}
	emu_paths_leave(&op, "opendir", rc);
	if (rc)
		errno = -rc;
	return d;
}

/* readlink in the tree: 1 when @path is not served. */
static ssize_t emu_paths_readlink(int dirfd, const char *path, char *buf,
				  size_t len)
{
	struct emu_paths_op op;
	ssize_t n;
	int rc;

	if (emu_paths_skip(dirfd, path))
		return 1;
	rc = emu_paths_enter(&op, dirfd, path);
	if (rc)
		return rc;
	switch (op.p.kind) {
	case EMU_PATH_NODE:
		n = -EINVAL;
		break;
	case EMU_PATH_TREE:
		n = REAL(readlink)(op.p.real, buf, len);
		n = n < 0 ? -errno : n;
		if (n > 0)
			EMU_PRELOAD_WRITTEN(buf, (size_t)n);
		break;
	default:
		emu_preload_unlock(&op.saved);
		return 1;
	}
	emu_paths_leave(&op, "readlink", n);
	return n;
}

EMU_PRELOAD_EXPORT ssize_t readlink(const char *path, char *buf, size_t len)
{
	ssize_t n = emu_paths_readlink(AT_FDCWD, path, buf, len);

	return n == 1 ? REAL(readlink)(path, buf, len) : emu_preload_ret(n);
}

EMU_PRELOAD_EXPORT ssize_t __readlink_chk(const char *path, char *buf,
					  size_t len, size_t buflen)
{
	ssize_t n;

	if (len > buflen)
		return REAL(__readlink_chk)(path, buf, len, buflen);
	n = emu_paths_readlink(AT_FDCWD, path, buf, len);
	return n == 1 ? REAL(readlink)(path, buf, len) : emu_preload_ret(n);
}

EMU_PRELOAD_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *buf,
				      size_t len)
{
	ssize_t n = emu_paths_readlink(dirfd, path, buf, len);

	return n == 1 ? REAL(readlinkat)(dirfd, path, buf, len) :
			emu_preload_ret(n);
}

EMU_PRELOAD_EXPORT ssize_t __readlinkat_chk(int dirfd, const char *path,
					    char *buf, size_t len,
					    size_t buflen)
{
	ssize_t n;

	if (len > buflen)
		return REAL(__readlinkat_chk)(dirfd, path, buf, len, buflen);
	n = emu_paths_readlink(dirfd, path, buf, len);
	return n == 1 ? REAL(readlinkat)(dirfd, path, buf, len) :
			emu_preload_ret(n);
}

EMU_PRELOAD_EXPORT char *realpath(const char *path, char *resolved)
{
	char out[PATH_MAX], *r;
	struct emu_paths_op op;
	int rc = 0;

	if (emu_paths_skip(AT_FDCWD, path))
		return REAL(realpath)(path, resolved);
	rc = emu_paths_enter(&op, AT_FDCWD, path);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	switch (op.p.kind) {
	case EMU_PATH_NODE:
		snprintf(out, sizeof(out), "%s", op.p.virt);
		break;
	case EMU_PATH_TREE:
		r = REAL(realpath)(op.p.real, out);
		rc = r ? 0 : -errno;
		if (r) {
			emu_preload_written_str(out);
			emu_preload_unmirror(out);
		}
		break;
	case EMU_PATH_REAL:
		emu_preload_unlock(&op.saved);
		return REAL(realpath)(path, resolved);
	}
	emu_paths_leave(&op, "realpath", rc);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	if (resolved)
		return strcpy(resolved, out);
	r = strdup(out);
	if (!r)
		errno = ENOMEM;
	return r;
}

EMU_PRELOAD_EXPORT char *__realpath_chk(const char *path, char *resolved,
					size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		return REAL(__realpath_chk)(path, resolved, resolvedlen);
	return realpath(path, resolved);
}

EMU_PRELOAD_EXPORT int chdir(const char *path)
{
	struct emu_paths_op op;
	int rc;

	if (emu_paths_skip(AT_FDCWD, path))
		return REAL(chdir)(path);
	rc = emu_paths_enter(&op, AT_FDCWD, path);
	if (rc)
		return (int)emu_preload_ret(rc);
	if (op.p.kind == EMU_PATH_REAL) {
		emu_preload_unlock(&op.saved);
		return REAL(chdir)(path);
	}
	if (op.p.kind == EMU_PATH_NODE) {
		rc = -ENOTDIR;
	} else {
		rc = REAL(chdir)(op.p.real);
		rc = rc < 0 ? -errno : 0;
	}
	emu_paths_leave(&op, "chdir", rc);
	return (int)emu_preload_ret(rc);
}

EMU_PRELOAD_EXPORT char *getcwd(char *buf, size_t size)
{
	char *r = REAL(getcwd)(buf, size);

	if (r)
		emu_preload_written_str(r);
	if (r && !emu_preload_inside && emu_preload.mirror_len)
		emu_preload_unmirror(r);
	return r;
}

EMU_PRELOAD_EXPORT char *__getcwd_chk(char *buf, size_t size, size_t buflen)
{
	if (size > buflen)
		return REAL(__getcwd_chk)(buf, size, buflen);
	return getcwd(buf, size);
}
