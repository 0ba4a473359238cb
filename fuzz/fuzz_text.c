/* SPDX-License-Identifier: MIT */
/*
 * fuzz_text: convert op-sequence programs between their binary form (what
 * the fuzzers and the corpus hold) and their text form (what people read
 * and write).
 *
 *   fuzz_text decode FILE          print the program in FILE as text
 *   fuzz_text encode FILE.txt OUT  write the bytes of the text program
 *   fuzz_text canon DIR FILE...    write each FILE's canonical bytes (the
 *                                  encoding of its decoded program) to
 *                                  DIR/<its name>, in one process
 *
 * decode accepts any bytes (every byte string is a program); encode rejects
 * a text that does not parse, naming the line. Encoding the output of
 * decode gives back the input whenever the input was canonical, as every
 * encoded program is: that is how the corpus seeds are checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op.h"

#define FUZZ_TEXT_MAX (1u << 20)

/*
 * Read all of @path (at most FUZZ_TEXT_MAX bytes) into a NUL-terminated
 * buffer: 0 or -errno.
 */
static int fuzz_text_read(const char *path, char **out, size_t *len)
{
	FILE *f;
	char *buf;
	size_t n;
	int ret = 0;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	buf = malloc(FUZZ_TEXT_MAX + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	n = fread(buf, 1, FUZZ_TEXT_MAX + 1, f);
	if (ferror(f) || n > FUZZ_TEXT_MAX) {
		ret = ferror(f) ? -EIO : -EFBIG;
		goto err_free;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	goto out_close;

err_free:
	free(buf);
out_close:
	fclose(f);
	return ret;
}

static int fuzz_text_decode(const char *path)
{
	struct op_program prog;
	char *data;
	size_t len;
	int ret;

	ret = fuzz_text_read(path, &data, &len);
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-ret));
		return 1;
	}
	op_program_decode((const uint8_t *)data, len, &prog);
	free(data);
	return op_program_to_text(&prog, stdout, false) < 0 ? 1 : 0;
}

static int fuzz_text_write(const struct op_program *prog,
			   const char *out_path);

static int fuzz_text_encode(const char *path, const char *out_path)
{
	struct op_program prog;
	unsigned int bad_line;
	char *text;
	size_t len;
	int ret;

	ret = fuzz_text_read(path, &text, &len);
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-ret));
		return 1;
	}
	if (strlen(text) != len) {
		fprintf(stderr, "%s: not a text file\n", path);
		free(text);
		return 1;
	}
	ret = op_program_from_text(text, &prog, &bad_line);
	free(text);
	if (ret < 0) {
		fprintf(stderr, "%s:%u: %s\n", path, bad_line,
			ret == -ENOSPC ? "more than 64 ops" :
			"not an op (see fuzz/op.h)");
		return 1;
	}
	return fuzz_text_write(&prog, out_path);
}

/* Write the canonical bytes of @prog to @out_path: 0, or 1 on failure. */
static int fuzz_text_write(const struct op_program *prog, const char *out_path)
{
	uint8_t bytes[OP_MAX * 8];
	FILE *out;
	size_t n;

	n = op_program_encode(prog, bytes, sizeof(bytes));
	if (n > sizeof(bytes)) {
		fprintf(stderr, "%s: program too long\n", out_path);
		return 1;
	}

	out = fopen(out_path, "wb");
	if (!out) {
		fprintf(stderr, "%s: %s\n", out_path, strerror(errno));
		return 1;
	}
	if (fwrite(bytes, 1, n, out) != n) {
		fprintf(stderr, "%s: write failed\n", out_path);
		fclose(out);
		return 1;
	}
	if (fclose(out) != 0) {
		fprintf(stderr, "%s: %s\n", out_path, strerror(errno));
		return 1;
	}
	return 0;
}

/* canon: every input in its canonical bytes, under its own name. */
static int fuzz_text_canon(const char *dir, char **paths, int n)
{
	struct op_program prog;
	char out[4096];
	const char *base;
	char *data;
	size_t len;
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = fuzz_text_read(paths[i], &data, &len);
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", paths[i], strerror(-ret));
			return 1;
		}
		op_program_decode((const uint8_t *)data, len, &prog);
		free(data);
		base = strrchr(paths[i], '/');
		base = base ? base + 1 : paths[i];
		if (snprintf(out, sizeof(out), "%s/%s", dir, base) >=
		    (int)sizeof(out)) {
			fprintf(stderr, "%s: path too long\n", paths[i]);
			return 1;
		}
		if (fuzz_text_write(&prog, out))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "decode") == 0)
		return fuzz_text_decode(argv[2]);
	if (argc == 4 && strcmp(argv[1], "encode") == 0)
		return fuzz_text_encode(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "canon") == 0)
		return fuzz_text_canon(argv[2], argv + 3, argc - 3);
	fprintf(stderr, "usage: fuzz_text decode FILE\n"
			"       fuzz_text encode FILE.txt OUT\n"
			"       fuzz_text canon DIR FILE...\n");
	return 2;
}
