// SPDX-License-Identifier: MIT
/*
 * shim_helper: a plain program (libc only) that the preload tests run
 * under the shim, to end its life in each way a process can: it reads an
 * emulated sysfs attribute first (which makes the shim's tree on disk),
 * then
 *   exit       returns from main
 *   _exit      calls _exit
 *   kill       raises SIGKILL
 *   exec PROG  execs PROG (with the same environment)
 *   fork       forks a child that reads the attribute and exits; the
 *              parent then reads it again (the tree must still be there)
 *   launch N   runs itself N times with "exit" (fork and exec), then
 *              execs itself with "exit": a launcher's life
 * and prints what it read. Two modes read nothing:
 *   iommu      opens /dev/iommu and prints what fstat says of it
 *   true       does nothing (for a shim that must stop it before main)
 * Usage: shim_helper MODE [ARG]. Exit 0 when the mode ran as asked
 * (kill: killed), 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define VENDOR "/sys/bus/pci/devices/0000:00:03.0/vendor"

static int read_vendor(void)
{
	char buf[32];
	ssize_t n;
	int fd = open(VENDOR, O_RDONLY);

	if (fd < 0) {
		printf("shim_helper: open %s: %s\n", VENDOR, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	printf("vendor %s", buf);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	struct stat st;
	pid_t pid;
	int status, fd;

	if (!strcmp(mode, "true"))
		return 0;
	if (!strcmp(mode, "iommu")) {
		fd = open("/dev/iommu", O_RDWR);
		if (fd < 0 || fstat(fd, &st) < 0) {
			printf("shim_helper: /dev/iommu: %s\n", strerror(errno));
			return 1;
		}
		printf("/dev/iommu is char %u:%u\n", major(st.st_rdev),
		       minor(st.st_rdev));
		return 0;
	}
	if (read_vendor())
		return 1;
	if (!strcmp(mode, "exit"))
		return 0;
	if (!strcmp(mode, "_exit"))
		_exit(0);
	if (!strcmp(mode, "kill"))
		raise(SIGKILL);
	if (!strcmp(mode, "exec") && argc > 2) {
		execv(argv[2], argv + 2);
		printf("shim_helper: exec %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!strcmp(mode, "launch") && argc > 2) {
		int i, n = atoi(argv[2]);

		for (i = 0; i < n; i++) {
			pid = fork();
			if (pid == 0) {
				execl(argv[0], argv[0], "exit", (char *)NULL);
				_exit(127);
			}
			if (pid < 0 || waitpid(pid, &status, 0) != pid ||
			    !WIFEXITED(status) || WEXITSTATUS(status))
				return 1;
		}
		execl(argv[0], argv[0], "exit", (char *)NULL);
		return 1;
	}
	if (!strcmp(mode, "fork")) {
		pid = fork();
		if (pid == 0)
			_exit(read_vendor() ? 1 : 0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
		pid = fork();
		if (pid == 0)
			exit(read_vendor() ? 1 : 0);
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
		/* The children are gone; the parent's tree must not be. */
		return read_vendor() ? 1 : 0;
	}
	printf("usage: shim_helper exit|_exit|kill|exec PROG|fork|launch N|"
	       "iommu|true\n");
	return 1;
}
