/* SPDX-License-Identifier: MIT */
/*
 * The programs iofd_hw runs: the files the command line names, a
 * directory standing for every regular file in it but README* and
 * dotfiles, in name order. Everything is checked before the first run and
 * refused whole, never cut short: a path that does not exist, a directory
 * with no program or more than HW_MAX_FILES, a file over HW_FILE_MAX
 * bytes, a text program holding a NUL byte or a line that does not parse.
 * A binary program is any bytes (op.h): only its size can be wrong.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hw.h"

static bool hw_progs_is_text(bool text, const char *path)
{
	size_t n = strlen(path);

	return text || (n > 4 && strcmp(path + n - 4, ".txt") == 0);
}

int hw_progs_load(const char *path, bool text, struct op_program *prog)
{
	static char buf[HW_FILE_MAX + 2];
	struct op_text_error err;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fprintf(stderr, "iofd_hw: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	/* One byte past the limit says the file does not fit. */
	while (len <= HW_FILE_MAX &&
	       (n = read(fd, buf + len, HW_FILE_MAX + 1 - len)) > 0)
		len += (size_t)n;
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret < 0) {
		fprintf(stderr, "iofd_hw: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	if (len > HW_FILE_MAX) {
		fprintf(stderr, "iofd_hw: %s: larger than the %d bytes a program may have\n",
			path, HW_FILE_MAX);
		return -EFBIG;
	}
	if (!hw_progs_is_text(text, path)) {
		op_program_decode((const uint8_t *)buf, len, prog);
		return 0;
	}
	buf[len] = '\0';
	if (strlen(buf) != len) {
		fprintf(stderr, "iofd_hw: %s: a text program with a NUL byte at %zu (binary programs have no .txt and no -t)\n",
			path, strlen(buf));
		return -EINVAL;
	}
	ret = op_program_from_text(buf, prog, &err);
	if (ret < 0)
		fprintf(stderr, "iofd_hw: %s:%u: %s\n", path, err.line,
			err.msg);
	return ret;
}

static int hw_progs_add(struct hw_progs *p, const char *path)
{
	char **grown;

	if (p->count % 64 == 0) {
		grown = realloc(p->paths, (p->count + 64) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		p->paths = grown;
	}
	p->paths[p->count] = strdup(path);
	if (!p->paths[p->count])
		return -ENOMEM;
	p->count++;
	return 0;
}

static int hw_progs_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int hw_progs_filter(const struct dirent *d)
{
	return d->d_name[0] != '.' && strncmp(d->d_name, "README", 6) != 0;
}

/* Every program of directory @dir, in name order. */
static int hw_progs_dir(struct hw_progs *p, const char *dir)
{
	struct dirent **names;
	char path[PATH_MAX];
	unsigned int found = 0;
	struct stat st;
	int i, n, ret = 0;

	n = scandir(dir, &names, hw_progs_filter, NULL);
	if (n < 0) {
		ret = -errno;
		fprintf(stderr, "iofd_hw: %s: %s\n", dir, strerror(-ret));
		return ret;
	}
	if (n > 1)
		qsort(names, (size_t)n, sizeof(names[0]), hw_progs_name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (!ret && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (++found > HW_MAX_FILES) {
				fprintf(stderr, "iofd_hw: %s: more than the %d programs a directory may hold; name fewer\n",
					dir, HW_MAX_FILES);
				ret = -E2BIG;
			} else {
				ret = hw_progs_add(p, path);
			}
		}
		free(names[i]);
	}
	free(names);
	if (!ret && !found) {
		fprintf(stderr, "iofd_hw: %s: no program in it (every file but README* and dotfiles is one)\n",
			dir);
		ret = -ENOENT;
	}
	return ret;
}

int hw_progs_collect(char *const *args, int n, bool text,
		     struct hw_progs *out)
{
	struct op_program prog;
	struct stat st;
	unsigned int j;
	int i, ret = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n && !ret; i++) {
		if (stat(args[i], &st) < 0) {
			ret = -errno;
			fprintf(stderr, "iofd_hw: %s: %s\n", args[i],
				strerror(-ret));
		} else if (S_ISDIR(st.st_mode)) {
			ret = hw_progs_dir(out, args[i]);
		} else {
			ret = hw_progs_add(out, args[i]);
		}
	}
	for (j = 0; j < out->count && !ret; j++)
		ret = hw_progs_load(out->paths[j], text, &prog);
	if (ret == -ENOMEM)
		fprintf(stderr, "iofd_hw: out of memory\n");
	if (ret)
		hw_progs_free(out);
	return ret;
}

void hw_progs_free(struct hw_progs *p)
{
	unsigned int i;

	for (i = 0; i < p->count; i++)
		free(p->paths[i]);
	free(p->paths);
	p->paths = NULL;
	p->count = 0;
}
