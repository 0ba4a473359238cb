// SPDX-License-Identifier: MIT
/*
 * fail_nth_write: write TEXT to this thread's fail-nth file
 * (/proc/self/task/<tid>/fail-nth) and print what the file then says.
 * Run under the preload shim it talks to the emulator's file; the
 * bad-input cases (tests/badinput.sh) feed it garbage.
 *
 * Usage: fail_nth_write TEXT
 * Exit: 0 written; 1 the open, write or read failed (the error is
 * printed, naming TEXT); 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[64], buf[32];
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: fail_nth_write TEXT\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "fail_nth_write: open %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	n = write(fd, argv[1], strlen(argv[1]));
	if (n < 0) {
		fprintf(stderr, "fail_nth_write: write '%s': %s\n", argv[1],
			strerror(errno));
		close(fd);
		return 1;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n < 0) {
		fprintf(stderr, "fail_nth_write: read back: %s\n",
			strerror(errno));
		return 1;
	}
	buf[n] = '\0';
	printf("fail-nth: %s", buf);
	return 0;
}
