/* SPDX-License-Identifier: MIT */
/*
 * One QEMU process and its QMP session, for the sweep.
 *
 * QEMU runs in a process group of its own with stdin from /dev/null and
 * stdout and stderr in a log file; QMP is one end of a socket pair handed
 * to it as fd 3 (-chardev socket,fd=3), so nothing is created on disk and
 * no port is taken. Every wait has a deadline (the run's, set at start);
 * when it passes, or QEMU stops answering, the call fails with -ETIMEDOUT
 * or -EPIPE and the caller kills QEMU. Asynchronous events that arrive
 * while a command waits for its reply are kept, so a later wait for an
 * event finds them.
 *
 * The sweep is made a child subreaper (qemu_reaper_init), so what QEMU
 * leaves when it dies (the shim's tree cleaner) is reparented to it and
 * qemu_reap waits for that too: when a run is over, nothing it started
 * is left.
 */
#ifndef IOFD_QEMU_QMP_H
#define IOFD_QEMU_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"

#define QEMU_MAX_EVENTS 32

/* Set from a signal handler: every wait gives up with -EINTR. */
extern volatile int qemu_interrupted;

struct qemu {
	pid_t pid;			/* -1 once reaped */
	int status;			/* wait status, once reaped */
	int qmp;			/* our end of the socket pair */
	char *in;			/* bytes received, not yet a line */
	size_t in_len, in_cap;
	int64_t deadline;		/* CLOCK_MONOTONIC, ms */
	char *events[QEMU_MAX_EVENTS];	/* "NAME device", oldest first */
	unsigned int nr_events;
};

/* Make this process the subreaper of its descendants: 0 or -errno. */
int qemu_reaper_init(void);

/*
 * Start @argv[0] with @argv and @envp, output to @log, within
 * @timeout_s from now for everything that follows; read QMP's greeting
 * and enter command mode. 0, or -errno with why in @err.
 */
int qemu_start(struct qemu *q, char *const argv[], char *const envp[],
	       const char *log, unsigned int timeout_s, char *err, size_t cap);

/*
 * Run the QMP command @cmd (a JSON object text) and return its reply in
 * *@reply (the caller frees it): an object with "return" or "error".
 * 0 or -errno.
 */
int qemu_cmd(struct qemu *q, const char *cmd, struct json **reply);

/* Wait for event @name (for @device when not NULL): 0 or -errno. */
int qemu_wait_event(struct qemu *q, const char *name, const char *device);

/*
 * Send quit and wait for QEMU to exit: 0 with its wait status in
 * q->status, or -errno (then it was killed).
 */
int qemu_quit(struct qemu *q);

/*
 * Kill QEMU (never its process group: the shim's cleaner must outlive it
 * to remove its tree), then reap it and every orphan it left, waiting up
 * to a few seconds for them. Safe to call twice. Frees what @q holds.
 */
void qemu_reap(struct qemu *q);

#endif /* IOFD_QEMU_QMP_H */
