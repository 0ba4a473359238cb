// SPDX-License-Identifier: MIT
/*
 * Which paths the shim serves, and the sysfs tree it serves them from
 * (preload.h).
 *
 * A path is resolved to the absolute path it names (relative ones against
 * the working directory or the directory fd, "." and ".." and repeated
 * slashes folded as the names they are) and then is one of three things:
 * an emulated device node (/dev/iommu, /dev/vfio/devices/vfioN, ... any
 * path under /dev the model has as a char device, and the fail-nth files
 * of this process's threads under /proc), a place inside one of
 * the trees the model stands in for (emu_served_roots: /dev/vfio,
 * /sys/bus/pci/devices, /sys/devices/pci0000:00, ...), or not served.
 *
 * The trees are materialised once, on first use, as real directories and
 * files under $TMPDIR/iofd-emu-PID-XXXXXX, copied from the model's own
 * listing, files and links (broken sysfs variants included, links with
 * the kernel's relative text), so that opendir, readdir, openat relative
 * to a directory fd, read, readlink and realpath work unchanged.
 * Emulated char nodes appear there as empty files; opening one by its
 * real name is served as the node.
 *
 * The tree must go whatever way the process ends. The owner removes it
 * at exit, _exit and exec (state.c); for a kill there is the cleaner: a
 * child forked when the tree is made, holding the read end of a pipe
 * whose write end (close-on-exec) the owner and its forked children
 * hold. When the last holder is gone (killed, or exec'd) the cleaner
 * sees end-of-file, removes the tree and exits; when the owner removes
 * the tree itself it tells the cleaner to quit and reaps it, so no
 * process outlives a clean exit. The cleaner uses system calls only (it
 * is forked from a process that may have threads), keeps no fd of the
 * program's open, and keeps every signal blocked but SIGKILL; it is the
 * program's child, so a program that waits for any child at exit sees
 * it there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload.h"
#include "selftest.h"


/* ------------------------------------------------------------------ */
/* Removing a tree with system calls only                              */

struct emu_dirent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* rm -r of @path (its own buffer, PATH_MAX bytes, used as scratch). */
static void emu_mirror_rmtree(char *path)
{
	char buf[4096];
	size_t len = strlen(path);
	long fd, n, i;

	fd = syscall(SYS_open, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		     O_NOFOLLOW);
	if (fd >= 0) {
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			/* A raw system call: MSan cannot see it fill buf. */
			EMU_PRELOAD_WRITTEN(buf, (size_t)n);
			for (i = 0; i < n;) {
				struct emu_dirent64 *d = (void *)(buf + i);

				i += d->reclen;
				if (!strcmp(d->name, ".") ||
				    !strcmp(d->name, "..") ||
				    len + 2 + strlen(d->name) >= PATH_MAX)
					continue;
				path[len] = '/';
				strcpy(path + len + 1, d->name);
				if (d->type == DT_DIR)
					emu_mirror_rmtree(path);
				else
					syscall(SYS_unlink, path);
				path[len] = '\0';
			}
		}
		syscall(SYS_close, fd);
	}
	syscall(SYS_rmdir, path);
}

/* The cleaner's whole life; never returns. */
static void emu_mirror_cleaner(int rd)
{
	char path[PATH_MAX], c;
	long n;

	memcpy(path, emu_preload.mirror, emu_preload.mirror_len + 1);
	syscall(SYS_prctl, PR_SET_NAME, "iofd-emu-clean", 0, 0, 0);
	syscall(SYS_dup2, rd, 0);
	syscall(SYS_close_range, 1, ~0U, 0);
	syscall(SYS_chdir, "/");
	for (;;) {
		n = syscall(SYS_read, 0, &c, 1);
		if (n > 0)
			EMU_PRELOAD_WRITTEN(&c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	/* End of file: every holder is gone. 'q': the owner cleaned up. */
	if (n <= 0)
		emu_mirror_rmtree(path);
	syscall(SYS_exit_group, 0);
	__builtin_unreachable();
}

static void emu_mirror_start_cleaner(void)
{
	int p[2];
	long pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		emu_preload_die("cannot make the sysfs tree's cleaner: %s",
				strerror(errno));
	/*
	 * A raw fork: no pthread_atfork handlers (the lock is held here),
	 * and the child only makes system calls. Signals are all blocked
	 * under the lock, so the child starts with them blocked.
	 */
	pid = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0)
		emu_preload_die("cannot start the sysfs tree's cleaner: %s",
				strerror(errno));
	if (pid == 0) {
		syscall(SYS_close, p[1]);
		emu_mirror_cleaner(p[0]);
	}
	REAL(close)(p[0]);
	emu_preload.cleaner_fd = p[1];
	emu_preload.cleaner = (pid_t)pid;
}

void emu_preload_mirror_remove(void)
{
	char path[PATH_MAX];
	char q = 'q';
	int status;

	if (!emu_preload.mirror_len)
		return;
	memcpy(path, emu_preload.mirror, emu_preload.mirror_len + 1);
	emu_mirror_rmtree(path);
	emu_preload.mirror_len = 0;
	if (emu_preload.cleaner_fd >= 0) {
		if (REAL(write)(emu_preload.cleaner_fd, &q, 1) < 0)
			q = 0;
		REAL(close)(emu_preload.cleaner_fd);
		emu_preload.cleaner_fd = -1;
		while (waitpid(emu_preload.cleaner, &status, 0) < 0 &&
		       errno == EINTR)
			;
		emu_preload.cleaner = -1;
	}
}

/* ------------------------------------------------------------------ */
/* Making the tree                                                     */

struct emu_mirror_walk {
	char src[PATH_MAX];
	char dst[PATH_MAX];
};

static int emu_mirror_copy_tree(struct emu_mirror_walk *w);

static int emu_mirror_copy_entry(void *arg, const char *name)
{
	const struct iofd_host *h = &emu_preload.raw;
	struct emu_mirror_walk *w = arg, *sub;
	struct stat st;
	char text[256];
	ssize_t n;
	int fd, rc = 0;

	sub = malloc(sizeof(*sub));
	if (!sub)
		return -ENOMEM;
	if ((size_t)snprintf(sub->src, sizeof(sub->src), "%s/%s", w->src,
			     name) >= sizeof(sub->src) ||
	    (size_t)snprintf(sub->dst, sizeof(sub->dst), "%s/%s", w->dst,
			     name) >= sizeof(sub->dst)) {
		rc = -ENAMETOOLONG;
		goto out_free_sub;
	}
	rc = emu_lstat(emu_preload.emu, sub->src, &st);
	if (rc)
		goto out_free_sub;
	if (S_ISLNK(st.st_mode)) {
		rc = emu_readlink(emu_preload.emu, sub->src, text,
				  sizeof(text));
		if (rc >= 0)
			rc = symlink(text, sub->dst) < 0 ? -errno : 0;
		goto out_free_sub;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = mkdir(sub->dst, 0755) < 0 ? -errno : 0;
		if (!rc)
			rc = emu_mirror_copy_tree(sub);
		goto out_free_sub;
	}
	/* Attributes get their text; char nodes an empty stand-in. */
	fd = REAL(open)(sub->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			S_ISREG(st.st_mode) ? 0444 : 0600);
	if (fd < 0) {
		rc = -errno;
		goto out_free_sub;
	}
	if (S_ISREG(st.st_mode)) {
		n = h->ops->read_file(h->priv, sub->src, text, sizeof(text));
		if (n > 0 && REAL(write)(fd, text, (size_t)n) != n)
			rc = -EIO;
	}
	REAL(close)(fd);
out_free_sub:
	free(sub);
	return rc;
}

static int emu_mirror_copy_tree(struct emu_mirror_walk *w)
{
	const struct iofd_host *h = &emu_preload.raw;

	return h->ops->list_dir(h->priv, w->src, emu_mirror_copy_entry, w);
}

/* mkdir -p of @path, which starts with the mirror's root. */
static int emu_mirror_mkdirs(char *path)
{
	char *p;

	for (p = path + emu_preload.mirror_len + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/* Copy one served root into the mirror. */
static int emu_mirror_copy_root(void *arg, const char *root)
{
	struct emu_mirror_walk *w = arg;
	int rc;

	snprintf(w->src, sizeof(w->src), "%s", root);
	snprintf(w->dst, sizeof(w->dst), "%s%s", emu_preload.mirror, root);
	rc = emu_mirror_mkdirs(w->dst);
	return rc ? rc : emu_mirror_copy_tree(w);
}

static void emu_mirror_make(void)
{
	const char *tmp = getenv("TMPDIR");
	struct emu_mirror_walk *w;
	int rc;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	/* The owner's pid in the name says whose tree it is. */
	if ((size_t)snprintf(emu_preload.mirror, sizeof(emu_preload.mirror),
			     "%s/iofd-emu-%d-XXXXXX", tmp, (int)getpid()) >=
	    sizeof(emu_preload.mirror) - 64)
		emu_preload_die("TMPDIR %.64s... is too long for the sysfs "
				"tree", tmp);
	if (!mkdtemp(emu_preload.mirror))
		emu_preload_die("cannot make the sysfs tree in %s: %s", tmp,
				strerror(errno));
	emu_preload.mirror_len = strlen(emu_preload.mirror);
	emu_mirror_start_cleaner();
	w = malloc(sizeof(*w));
	if (!w)
		emu_preload_die("cannot make the sysfs tree: out of memory");
	rc = emu_served_roots(emu_preload.emu, emu_mirror_copy_root, w);
	free(w);
	if (rc)
		emu_preload_die("cannot make the sysfs tree in %s: %s",
				emu_preload.mirror, strerror(-rc));
}

/* ------------------------------------------------------------------ */
/* Resolving paths                                                     */

bool emu_preload_unmirror(char *path)
{
	size_t len = emu_preload.mirror_len;

	if (!len || strncmp(path, emu_preload.mirror, len) ||
	    (path[len] != '/' && path[len]))
		return false;
	if (!path[len])
		strcpy(path, "/");
	else
		memmove(path, path + len, strlen(path + len) + 1);
	return true;
}

/* Fold "//", "/./" and "/../" of the absolute @p in place. */
static void emu_mirror_normalise(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
			continue;
		}
		if (in[0] == '.' && in[1] == '.' && (in[2] == '/' || !in[2])) {
			in += 2;
			while (out > p && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		while (*in && *in != '/')
			*out++ = *in++;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

bool emu_preload_maybe_served(int dirfd, const char *path)
{
	if (!path)
		return false;
	if (path[0] != '/')
		return true;
	/*
	 * Anything that could fold to /dev/... or /sys/... is looked at, and
	 * the fail-nth files under /proc.
	 */
	return strstr(path, "/dev") || strstr(path, "/sys") ||
	       strstr(path, "/..") || strstr(path, "fail-nth");
}

/* The absolute path @path names into @abs: 0, or 1 when it is in the
 * mirror already (served by the real file system as it is). */
static int emu_mirror_absolute(int dirfd, const char *path, char *abs)
{
	char base[PATH_MAX], link[64];
	ssize_t n;

	if (path[0] == '/') {
		if (strlen(path) >= PATH_MAX)
			return -ENAMETOOLONG;
		strcpy(abs, path);
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		if (!REAL(getcwd)(base, sizeof(base)))
			return -errno;
		emu_preload_written_str(base);
	} else {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		n = REAL(readlink)(link, base, sizeof(base) - 1);
		if (n < 0)
			return 0;	/* not a directory we know: as it is */
		EMU_PRELOAD_WRITTEN(base, (size_t)n);
		base[n] = '\0';
	}
	if (emu_preload.mirror_len &&
	    !strncmp(base, emu_preload.mirror, emu_preload.mirror_len))
		return 1;
	if ((size_t)snprintf(abs, PATH_MAX, "%s/%s", base, path) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

struct emu_mirror_match {
	const char *virt;
	bool in;
};

static int emu_mirror_root_match(void *arg, const char *root)
{
	struct emu_mirror_match *m = arg;
	size_t len = strlen(root);

	if (!strncmp(m->virt, root, len) &&
	    (m->virt[len] == '/' || !m->virt[len]))
		m->in = true;
	return m->in;
}

int emu_preload_resolve(int dirfd, const char *path,
			struct emu_preload_path *out)
{
	const struct iofd_host *h = &emu_preload.raw;
	struct emu_mirror_match m = { .virt = out->virt };
	struct stat st;
	int rc;

	out->kind = EMU_PATH_REAL;
	rc = emu_mirror_absolute(dirfd, path, out->virt);
	if (rc)
		return rc < 0 ? rc : 0;
	emu_mirror_normalise(out->virt);
	if (emu_preload_fail_nth_path(out->virt, out->real,
				      sizeof(out->real))) {
		memcpy(out->virt, out->real, sizeof(out->virt));
		out->kind = EMU_PATH_NODE;
		return 0;
	}
	if (!strncmp(out->virt, "/dev/", 5) &&
	    !h->ops->stat(h->priv, out->virt, &st) && S_ISCHR(st.st_mode)) {
		out->kind = EMU_PATH_NODE;
		return 0;
	}
	emu_served_roots(emu_preload.emu, emu_mirror_root_match, &m);
	if (!m.in)
		return 0;
	if (!emu_preload.mirror_len)
		emu_mirror_make();
	if ((size_t)snprintf(out->real, sizeof(out->real), "%s%s",
			     emu_preload.mirror, out->virt) >= sizeof(out->real))
		return -ENAMETOOLONG;
	out->kind = EMU_PATH_TREE;
	return 0;
}
