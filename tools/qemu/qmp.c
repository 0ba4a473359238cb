// SPDX-License-Identifier: MIT
/*
 * One QEMU process and its QMP session (qmp.h). QMP sends one JSON
 * object per line; a line is read into the buffer until its newline,
 * parsed, and either kept as an event or returned as the reply that was
 * awaited.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

volatile int qemu_interrupted;

static int64_t qemu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int qemu_reaper_init(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0 ? -errno : 0;
}

/* The child's side of the fork: never returns. */
static void qemu_exec(char *const argv[], char *const envp[], const char *log,
		      int sock)
{
	int fd;

	setpgid(0, 0);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		_exit(127);
	dup2(fd, 1);
	dup2(fd, 2);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		_exit(127);
	dup2(fd, 0);
	if (sock != 3 && dup2(sock, 3) < 0)
		_exit(127);
	fcntl(3, F_SETFD, 0);
	close_range(4, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	execve(argv[0], argv, envp);
	dprintf(2, "iofd_qemu_sweep: cannot run %s: %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

/* Read until one whole line is buffered; 0, -ETIMEDOUT or -EPIPE. */
static int qemu_read_line(struct qemu *q, char **line)
{
	for (;;) {
		char *nl = q->in ? memchr(q->in, '\n', q->in_len) : NULL;
		struct pollfd p = { .fd = q->qmp, .events = POLLIN };
		int64_t left;
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - q->in);

			*line = strndup(q->in, len);
			if (!*line)
				return -ENOMEM;
			memmove(q->in, nl + 1, q->in_len - len - 1);
			q->in_len -= len + 1;
			return 0;
		}
		if (q->in_len + 4096 > q->in_cap) {
			size_t ncap = q->in_cap ? q->in_cap * 2 : 65536;
			char *nb;

			if (ncap > (64u << 20))
				return -E2BIG;
			nb = realloc(q->in, ncap);
			if (!nb)
				return -ENOMEM;
			q->in = nb;
			q->in_cap = ncap;
		}
		if (qemu_interrupted)
			return -EINTR;
		left = q->deadline - qemu_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		n = read(q->qmp, q->in + q->in_len, q->in_cap - q->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		q->in_len += (size_t)n;
	}
}

static void qemu_keep_event(struct qemu *q, const struct json *msg)
{
	const char *name = json_get_str(msg, "event");
	const char *dev = json_get_str(json_get(msg, "data"), "device");
	char *e;

	if (q->nr_events == QEMU_MAX_EVENTS) {
		free(q->events[0]);
		memmove(q->events, q->events + 1,
			(QEMU_MAX_EVENTS - 1) * sizeof(q->events[0]));
		q->nr_events--;
	}
	if (asprintf(&e, "%s %s", name, dev ? dev : "") < 0)
		return;
	q->events[q->nr_events++] = e;
}

/*
 * The next message: a reply is returned in *@reply; an event is kept and
 * *@reply set to NULL. 0 or -errno.
 */
static int qemu_next(struct qemu *q, struct json **reply)
{
	char err[128], *line;
	struct json *msg;
	int rc;

	*reply = NULL;
	rc = qemu_read_line(q, &line);
	if (rc)
		return rc;
	msg = json_parse(line, strlen(line), err, sizeof(err));
	free(line);
	if (!msg)
		return -EPROTO;
	if (!json_get(msg, "event")) {
		*reply = msg;
		return 0;
	}
	qemu_keep_event(q, msg);
	json_free(msg);
	return 0;
}

/* The next message that is not an event. */
static int qemu_reply(struct qemu *q, struct json **reply)
{
	int rc;

	do {
		rc = qemu_next(q, reply);
	} while (!rc && !*reply);
	return rc;
}

int qemu_start(struct qemu *q, char *const argv[], char *const envp[],
	       const char *log, unsigned int timeout_s, char *err, size_t cap)
{
	struct json *greeting, *reply;
	int sv[2], rc;

	memset(q, 0, sizeof(*q));
	q->pid = -1;
	q->qmp = -1;
	q->deadline = qemu_now_ms() + (int64_t)timeout_s * 1000;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = -errno;
		snprintf(err, cap, "socketpair: %s", strerror(-rc));
		return rc;
	}
	q->pid = fork();
	if (q->pid < 0) {
		rc = -errno;
		close(sv[0]);
		close(sv[1]);
		snprintf(err, cap, "fork: %s", strerror(-rc));
		return rc;
	}
	if (q->pid == 0)
		qemu_exec(argv, envp, log, sv[1]);
	close(sv[1]);
	q->qmp = sv[0];
	rc = qemu_reply(q, &greeting);
	if (rc) {
		snprintf(err, cap, "no QMP greeting: %s", strerror(-rc));
		return rc;
	}
	json_free(greeting);
	rc = qemu_cmd(q, "{\"execute\": \"qmp_capabilities\"}", &reply);
	if (rc) {
		snprintf(err, cap, "qmp_capabilities: %s", strerror(-rc));
		return rc;
	}
	json_free(reply);
	return 0;
}

int qemu_cmd(struct qemu *q, const char *cmd, struct json **reply)
{
	size_t len = strlen(cmd), off = 0;
	ssize_t n;

	while (off < len) {
		n = send(q->qmp, cmd + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EPIPE;
		off += (size_t)n;
	}
	if (send(q->qmp, "\n", 1, MSG_NOSIGNAL) != 1)
		return -EPIPE;
	return qemu_reply(q, reply);
}

int qemu_wait_event(struct qemu *q, const char *name, const char *device)
{
	struct json *reply;
	char want[256];
	unsigned int i;
	int rc;

	snprintf(want, sizeof(want), "%s %s", name, device ? device : "");
	for (;;) {
		for (i = 0; i < q->nr_events; i++) {
			if (!strcmp(q->events[i], want) ||
			    (!device && !strncmp(q->events[i], want,
						 strlen(want))))
				return 0;
		}
		rc = qemu_next(q, &reply);
		if (rc)
			return rc;
		json_free(reply);	/* a reply nobody waits for */
	}
}

/* waitpid with the run's deadline: 0 when @pid ended, -ETIMEDOUT. */
static int qemu_waitpid(struct qemu *q, int64_t deadline)
{
	for (;;) {
		pid_t r = waitpid(q->pid, &q->status, WNOHANG);

		if (r == q->pid) {
			q->pid = -1;
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (qemu_now_ms() >= deadline || qemu_interrupted)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

int qemu_quit(struct qemu *q)
{
	struct json *reply;
	int rc;

	rc = qemu_cmd(q, "{\"execute\": \"quit\"}", &reply);
	if (!rc)
		json_free(reply);
	/* quit may close the socket before its reply: wait anyway. */
	rc = qemu_waitpid(q, q->deadline);
	if (rc)
		qemu_reap(q);
	return rc;
}

void qemu_reap(struct qemu *q)
{
	int64_t deadline = qemu_now_ms() + 10000;
	unsigned int i;

	if (q->pid > 0) {
		kill(q->pid, SIGKILL);
		if (qemu_waitpid(q, deadline))
			q->pid = -1;
	}
	/* Orphans reparented to us (the shim's cleaner): let them finish. */
	while (qemu_now_ms() < deadline) {
		pid_t r = waitpid(-1, NULL, WNOHANG);

		if (r < 0 && errno == ECHILD)
			break;
		if (r <= 0)
			usleep(10000);
	}
	if (q->qmp >= 0)
		close(q->qmp);
	q->qmp = -1;
	free(q->in);
	q->in = NULL;
	for (i = 0; i < q->nr_events; i++)
		free(q->events[i]);
	q->nr_events = 0;
}
