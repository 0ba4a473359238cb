// SPDX-License-Identifier: MIT
/*
 * The shim's life (preload.h): start, the lock, and every way a process
 * stops being this process.
 *
 * Start happens once, at load or on the first interposed call if another
 * library's constructor makes one first: the configuration is read and
 * checked (a bad one stops the program here, before anything exists),
 * the emulator is made with its devices, and the program's calls are put
 * behind a fault plan (armed when the environment asks for one; without
 * one it only counts the calls), so the plan counts from the program's
 * first call to the model. The sysfs tree on disk is made later, on first
 * use (mirror.c).
 *
 * The process that started the shim owns the tree and the counters file.
 * A forked child owns neither: it runs on its own copy of the emulator,
 * or, when it was forked with emulated fds open, on its parent's, which
 * serves it (fork.c); its exit leaves the parent's tree alone (the
 * tree's cleaner waits for every process that holds it). Before an exec
 * the owner writes its counters and removes its tree (the new image
 * starts a shim of its own); if the exec fails, the tree is made again on
 * next use. At exit and _exit the owner writes its counters and removes
 * its tree; a kill is the cleaner's business.
 *
 * The emulator is never destroyed at exit: other threads may still be in
 * it, and the process's end releases everything anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <emu/ioctl_names.h>

#include "fork.h"
#include "preload.h"
#include "selftest.h"

struct emu_preload emu_preload = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cleaner_fd = -1,
	.cleaner = -1,
};

__thread int emu_preload_inside __attribute__((tls_model("initial-exec")));

static sigset_t emu_preload_fork_mask;

long emu_preload_ret(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

bool emu_preload_owner(void)
{
	return emu_preload.owner && getpid() == emu_preload.owner;
}

/* write(2) all of @buf to stderr, past the shim. */
static void emu_preload_stderr(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = syscall(SYS_write, 2, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void emu_preload_die(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "iofd-emu: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	emu_preload_stderr(buf, (size_t)n);
	emu_preload_inside = 1;
	if (emu_preload_owner())
		emu_preload_mirror_remove();
	syscall(SYS_exit_group, 2);
	__builtin_unreachable();
}

void emu_preload_trace(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (!emu_preload.cfg.trace)
		return;
	n = snprintf(buf, sizeof(buf), "[iofd-emu] ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	emu_preload_stderr(buf, (size_t)n);
}

void emu_preload_lock(sigset_t *saved)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, saved);
	pthread_mutex_lock(&emu_preload.lock);
	emu_preload_inside = 1;
}

void emu_preload_unlock(sigset_t *saved)
{
	emu_preload_inside = 0;
	pthread_mutex_unlock(&emu_preload.lock);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* ------------------------------------------------------------------ */
/* The counters file                                                   */

/* @s as the inside of a JSON string (quotes, backslashes, controls). */
static void emu_preload_json_str(const char *s, char *out, size_t cap)
{
	size_t o = 0;

	for (; *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
		else if (c < 0x20)
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static int emu_preload_json(char *buf, size_t cap, bool exited)
{
	const struct emu_preload_config *cfg = &emu_preload.cfg;
	char e[32], what[2 * sizeof(emu_preload.fault_what)];
	struct emu_counters c;

	emu_counters_get(emu_preload.emu, &c);
	emu_preload_json_str(emu_preload.fault_what, what, sizeof(what));
	return snprintf(buf, cap,
			"{\"pid\": %d, \"exited\": %s, \"calls\": %lu,\n"
			" \"fds\": %u, \"contexts\": %u, \"objects\": %u, "
			"\"pinned_pages\": %llu, \"locked_pages\": %llu,\n"
			" \"files\": %u, \"kvm_vms\": %u, \"kvm_devices\": %u, "
			"\"kvm_vfio_files\": %u, \"eventfds\": %u, "
			"\"mappings\": %u,\n"
			" \"fault\": {\"nth\": %lu, \"kinds\": %u, "
			"\"errno\": \"%s\", \"fired\": %s, \"call\": %lu, "
			"\"what\": \"%s\"}}\n",
			(int)getpid(), exited ? "true" : "false",
			emu_fault_calls(emu_preload.fault), c.fds, c.contexts,
			c.objects, (unsigned long long)c.pinned_pages,
			(unsigned long long)c.locked_pages, c.files, c.kvm_vms,
			c.kvm_devices, c.kvm_vfio_files, c.eventfds, c.mappings,
			cfg->fail_nth, cfg->fail_kinds,
			emu_preload_errname(cfg->fail_errno, e, sizeof(e)),
			emu_fault_fired(emu_preload.fault) ? "true" : "false",
			emu_preload.fault_call, what);
}

/*
 * Write the counters file atomically (a temporary file renamed over). A
 * process that never called the model writes nothing: a launcher (a
 * shell, timeout) that runs the program under the same environment must
 * not overwrite the program's counters with its own zeros.
 */
static void emu_preload_counters_write(bool exited)
{
	char tmp[PATH_MAX + 32], buf[1024];
	int fd, n;

	if (!emu_preload.cfg.counters[0] || !emu_preload_owner() ||
	    !emu_fault_calls(emu_preload.fault))
		return;
	n = emu_preload_json(buf, sizeof(buf), exited);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", emu_preload.cfg.counters,
		 (int)getpid());
	fd = REAL(open)(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (REAL(write)(fd, buf, (size_t)n) != n) {
		REAL(close)(fd);
		unlink(tmp);
		return;
	}
	REAL(close)(fd);
	if (rename(tmp, emu_preload.cfg.counters) < 0)
		unlink(tmp);
	emu_counters_get(emu_preload.emu, &emu_preload.written);
	emu_preload.written_once = true;
}

/*
 * The name of ioctl @request on the program's @fd. Two VFIO device
 * ioctls share their numbers with container ones (ioctl_names.h keeps
 * the container's); on a device fd they are the device's.
 */
static const char *emu_preload_ioctl_name(int fd, unsigned long request)
{
	if (emu_device_state(emu_preload.emu, emu_preload_efd(fd), NULL, NULL,
			     NULL) == 0) {
		if (request == VFIO_DEVICE_GET_PCI_HOT_RESET_INFO)
			return "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO";
		if (request == VFIO_DEVICE_PCI_HOT_RESET)
			return "VFIO_DEVICE_PCI_HOT_RESET";
	}
	return emu_ioctl_name(request);
}

/*
 * "ioctl VFIO_DEVICE_GET_INFO on fd 7", "pread (4 bytes at 0x70000000010)
 * on fd 7" and the like, into @buf: what the call was, then where.
 */
static void emu_preload_describe(const struct emu_preload_call *call,
				 char *buf, size_t cap)
{
	bool ioctl = !strcmp(call->op, "ioctl");
	const char *name = ioctl ? emu_preload_ioctl_name(call->fd,
							  call->request) : NULL;
	int n = snprintf(buf, cap, "%s", call->op);

	if (name)
		n += snprintf(buf + n, cap - (size_t)n, " %s", name);
	else if (ioctl)
		n += snprintf(buf + n, cap - (size_t)n, " %#lx", call->request);
	if (call->path)
		n += snprintf(buf + n, cap - (size_t)n, " %s", call->path);
	if (call->len)
		n += snprintf(buf + n, cap - (size_t)n, " (%zu bytes at %#llx)",
			      call->len, (unsigned long long)call->off);
	if (call->fd >= 0)
		snprintf(buf + n, cap - (size_t)n, " on fd %d", call->fd);
}

void emu_preload_after_call(bool fired_before,
			    const struct emu_preload_call *call)
{
	struct emu_counters c;
	char what[sizeof(emu_preload.fault_what)], e[32];
	bool fired = !fired_before && emu_fault_fired(emu_preload.fault);

	if (emu_preload.cfg.trace || fired)
		emu_preload_describe(call, what, sizeof(what));
	if (emu_preload.cfg.trace)
		emu_preload_trace("%s = %ld%s%s", what,
				  call->result < 0 ? -1 : call->result,
				  call->result < 0 ? " " : "",
				  call->result < 0 ?
				  emu_preload_errname((int)-call->result, e,
						      sizeof(e)) : "");
	if (fired) {
		emu_preload.fault_call = emu_fault_calls(emu_preload.fault);
		snprintf(emu_preload.fault_what,
			 sizeof(emu_preload.fault_what), "%s", what);
		emu_preload_trace("the fault plan failed call %lu",
				  emu_preload.fault_call);
	}
	emu_counters_get(emu_preload.emu, &c);
	atomic_store(&emu_preload.nr_maps, (int)c.mappings);
	if (!emu_preload.cfg.counters[0])
		return;
	if (!emu_preload.written_once ||
	    memcmp(&c, &emu_preload.written, sizeof(c)))
		emu_preload_counters_write(false);
}

/* ------------------------------------------------------------------ */
/* Start                                                               */

static void emu_preload_fork_prepare(void)
{
	emu_preload_lock(&emu_preload_fork_mask);
	emu_preload_fork_prepare_hook();
}

static void emu_preload_fork_parent(void)
{
	emu_preload_fork_parent_hook();
	emu_preload_unlock(&emu_preload_fork_mask);
}

static void emu_preload_fork_child(void)
{
	pthread_mutex_init(&emu_preload.lock, NULL);
	emu_preload_inside = 0;
	emu_preload_fork_child_hook();
	pthread_sigmask(SIG_SETMASK, &emu_preload_fork_mask, NULL);
}

/* Everything of start but the state change, under the lock. */
static void emu_preload_make(void)
{
	struct emu_preload_config *cfg = &emu_preload.cfg;
	char e[32];
	unsigned int i;
	int rc;

	emu_preload_config_read(cfg);
	rc = emu_create(&emu_preload.emu);
	if (rc)
		emu_preload_die("cannot make the emulator: %s",
				strerror(-rc));
	rc = emu_variant_set(emu_preload.emu, &cfg->variant);
	if (rc)
		emu_preload_die("cannot set the machine variant: %s",
				strerror(-rc));
	for (i = 0; i < cfg->nr_devs; i++) {
		rc = emu_device_add(emu_preload.emu, cfg->devs[i].profile,
				    cfg->devs[i].bdf, cfg->devs[i].variant,
				    NULL, 0);
		if (rc < 0)
			emu_preload_die("IOFD_EMU_DEVICES entry %u (%s): %s",
					i + 1, cfg->devs[i].bdf,
					emu_preload_errname(-rc, e,
							    sizeof(e)));
	}
	emu_host(emu_preload.emu, &emu_preload.raw);
	emu_preload_fork_init();
	emu_preload_selftest_init();
	rc = emu_fault_create(&emu_preload.raw, &emu_preload.fault);
	if (rc)
		emu_preload_die("cannot make the fault plan: %s",
				strerror(-rc));
	if (cfg->fail_nth)
		emu_fault_fail_nth(emu_preload.fault, cfg->fail_nth,
				   cfg->fail_errno);
	if (cfg->fail_kinds)
		emu_fault_fail_every(emu_preload.fault, cfg->fail_kinds,
				     cfg->fail_request, cfg->fail_errno);
	emu_fault_host(emu_preload.fault, &emu_preload.host);
	emu_preload.owner = getpid();
	if (pthread_atfork(emu_preload_fork_prepare, emu_preload_fork_parent,
			   emu_preload_fork_child))
		emu_preload_die("cannot register the fork handlers");
}

void emu_preload_start(void)
{
	sigset_t saved;

	if (atomic_load(&emu_preload.state) == EMU_PRELOAD_READY)
		return;
	emu_preload_lock(&saved);
	if (atomic_load(&emu_preload.state) == EMU_PRELOAD_NEW) {
		atomic_store(&emu_preload.state, EMU_PRELOAD_STARTING);
		emu_preload_make();
		atomic_store(&emu_preload.state, EMU_PRELOAD_READY);
	}
	emu_preload_unlock(&saved);
}

__attribute__((constructor)) static void emu_preload_ctor(void)
{
	emu_preload_start();
}

/* ------------------------------------------------------------------ */
/* Exit and exec                                                       */

/* The owner's last words: counters, then the tree goes. */
static void emu_preload_leave(void)
{
	sigset_t saved;

	if (atomic_load(&emu_preload.state) != EMU_PRELOAD_READY ||
	    !emu_preload_owner() || emu_preload_inside)
		return;
	emu_preload_lock(&saved);
	emu_preload_counters_write(true);
	emu_preload_mirror_remove();
	emu_preload_unlock(&saved);
}

__attribute__((destructor)) static void emu_preload_dtor(void)
{
	emu_preload_leave();
}

EMU_PRELOAD_EXPORT void _exit(int status)
{
	emu_preload_leave();
	REAL(_exit)(status);
	__builtin_unreachable();
}

EMU_PRELOAD_EXPORT void _Exit(int status)
{
	emu_preload_leave();
	REAL(_Exit)(status);
	__builtin_unreachable();
}

EMU_PRELOAD_EXPORT int execve(const char *path, char *const argv[],
			      char *const envp[])
{
	emu_preload_leave();
	return REAL(execve)(path, argv, envp);
}

EMU_PRELOAD_EXPORT int execv(const char *path, char *const argv[])
{
	emu_preload_leave();
	return REAL(execv)(path, argv);
}

EMU_PRELOAD_EXPORT int execvp(const char *file, char *const argv[])
{
	emu_preload_leave();
	return REAL(execvp)(file, argv);
}

EMU_PRELOAD_EXPORT int execvpe(const char *file, char *const argv[],
			       char *const envp[])
{
	emu_preload_leave();
	return REAL(execvpe)(file, argv, envp);
}

EMU_PRELOAD_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	emu_preload_leave();
	return REAL(fexecve)(fd, argv, envp);
}

/*
 * execl and friends reach execve inside libc, past any interposer, so
 * they are served here: the arguments become an argv (and, for execle,
 * an envp) for execv, execvp or execve.
 */
enum emu_preload_execl {
	EMU_EXECL,
	EMU_EXECLP,
	EMU_EXECLE,
};

static int emu_preload_execl(enum emu_preload_execl how, const char *file,
			     const char *arg0, va_list ap)
{
	char **argv, **envp = NULL;
	size_t n = 1, i;
	va_list aq;
	int rc;

	va_copy(aq, ap);
	while (va_arg(aq, char *))
		n++;
	va_end(aq);
	argv = malloc((n + 1) * sizeof(*argv));
	if (!argv)
		return (int)emu_preload_ret(-ENOMEM);
	argv[0] = (char *)arg0;
	for (i = 1; i <= n; i++)
		argv[i] = va_arg(ap, char *);
	if (how == EMU_EXECLE)
		envp = va_arg(ap, char **);
	switch (how) {
	case EMU_EXECL:
		rc = execv(file, argv);
		break;
	case EMU_EXECLP:
		rc = execvp(file, argv);
		break;
	default:
		rc = execve(file, argv, envp);
		break;
	}
	free(argv);
	return rc;
}

EMU_PRELOAD_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = emu_preload_execl(EMU_EXECL, path, arg, ap);
	va_end(ap);
	return rc;
}

EMU_PRELOAD_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = emu_preload_execl(EMU_EXECLP, file, arg, ap);
	va_end(ap);
	return rc;
}

EMU_PRELOAD_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	int rc;

	va_start(ap, arg);
	rc = emu_preload_execl(EMU_EXECLE, path, arg, ap);
	va_end(ap);
	return rc;
}
