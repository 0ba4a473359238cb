/* SPDX-License-Identifier: MIT */
/*
 * fuzz_text: convert op-sequence programs between their binary form (what
 * the fuzzers and the corpus hold) and their text form (what people read
 * and write), and print the text grammar.
 *
 *   fuzz_text decode FILE          print the program in FILE as text
 *   fuzz_text encode FILE.txt OUT  write the bytes of the text program
 *   fuzz_text canon DIR FILE...    write each FILE's canonical bytes (the
 *                                  encoding of its decoded program) to
 *                                  DIR/<its name>, in one process
 *   fuzz_text grammar              print the text form of every op (the
 *                                  content of fuzz/GRAMMAR)
 *   fuzz_text check SEEDS CORPUS   every SEEDS/NAME.txt encodes to the
 *                                  bytes of CORPUS/NAME, and every input of
 *                                  CORPUS survives decode, text, parse and
 *                                  encode unchanged (the round-trip test)
 *
 * decode accepts any bytes (every byte string is a program); encode
 * refuses a text that does not parse, naming the file, the line, the word
 * and what was expected there, and writes nothing then. Encoding the
 * output of decode gives back the input whenever the input was canonical,
 * as every encoded program is: that is how the corpus seeds are checked.
 * Exit: 0, 1 when a file cannot be read, parsed or written, 2 for usage.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdbool.h>

#include "op.h"

#define FUZZ_TEXT_MAX (1u << 20)

/*
 * Read all of @path (a regular file of at most FUZZ_TEXT_MAX bytes) into a
 * NUL-terminated buffer: 0 or -errno, with the reason printed.
 */
static int fuzz_text_read(const char *path, char **out, size_t *len)
{
	struct stat st;
	FILE *f;
	char *buf;
	size_t n;
	int ret = 0;

	f = fopen(path, "rb");
	if (!f) {
		ret = -errno;
		fprintf(stderr, "fuzz_text: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "fuzz_text: %s: is a directory; give one program file\n",
			path);
		ret = -EISDIR;
		goto out_close;
	}
	buf = malloc(FUZZ_TEXT_MAX + 1);
	if (!buf) {
		ret = -ENOMEM;
		fprintf(stderr, "fuzz_text: %s: out of memory\n", path);
		goto out_close;
	}
	n = fread(buf, 1, FUZZ_TEXT_MAX + 1, f);
	if (ferror(f) || n > FUZZ_TEXT_MAX) {
		ret = ferror(f) ? -EIO : -EFBIG;
		fprintf(stderr, "fuzz_text: %s: %s\n", path, ferror(f) ?
			"read error" : "larger than 1 MiB");
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

	if (fuzz_text_read(path, &data, &len) < 0)
		return 1;
	op_program_decode((const uint8_t *)data, len, &prog);
	free(data);
	return op_program_to_text(&prog, stdout, false) < 0 ? 1 : 0;
}

/* Write the canonical bytes of @prog to @out_path: 0, or 1 on failure. */
static int fuzz_text_write(const struct op_program *prog, const char *out_path)
{
	uint8_t bytes[OP_MAX * (1 + OP_MAX_ARGS)];
	FILE *out;
	size_t n;

	n = op_program_encode(prog, bytes, sizeof(bytes));
	out = fopen(out_path, "wb");
	if (!out) {
		fprintf(stderr, "fuzz_text: %s: %s\n", out_path,
			strerror(errno));
		return 1;
	}
	if (fwrite(bytes, 1, n, out) != n) {
		fprintf(stderr, "fuzz_text: %s: write failed\n", out_path);
		fclose(out);
		remove(out_path);
		return 1;
	}
	if (fclose(out) != 0) {
		fprintf(stderr, "fuzz_text: %s: %s\n", out_path,
			strerror(errno));
		remove(out_path);
		return 1;
	}
	return 0;
}

/*
 * Parse the text program in @path into @prog: 0, or -1 with the file, the
 * line and what is wrong there printed.
 */
static int fuzz_text_parse(const char *path, struct op_program *prog)
{
	struct op_text_error err;
	char *text;
	size_t len;
	int ret;

	if (fuzz_text_read(path, &text, &len) < 0)
		return -1;
	if (strlen(text) != len) {
		fprintf(stderr, "fuzz_text: %s: holds a NUL byte at %zu: not a text program (decode reads binary ones)\n",
			path, strlen(text));
		free(text);
		return -1;
	}
	ret = op_program_from_text(text, prog, &err);
	free(text);
	if (ret < 0) {
		fprintf(stderr, "fuzz_text: %s:%u: %s\n", path, err.line,
			err.msg);
		return -1;
	}
	return 0;
}

static int fuzz_text_encode(const char *path, const char *out_path)
{
	struct op_program prog;

	if (fuzz_text_parse(path, &prog) < 0)
		return 1;
	return fuzz_text_write(&prog, out_path);
}

/* canon: every input in its canonical bytes, under its own name. */
static int fuzz_text_canon(const char *dir, char **paths, int n)
{
	struct op_program prog;
	char out[4096];
	const char *base;
	char *data;
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		if (fuzz_text_read(paths[i], &data, &len) < 0)
			return 1;
		op_program_decode((const uint8_t *)data, len, &prog);
		free(data);
		base = strrchr(paths[i], '/');
		base = base ? base + 1 : paths[i];
		if (snprintf(out, sizeof(out), "%s/%s", dir, base) >=
		    (int)sizeof(out)) {
			fprintf(stderr, "fuzz_text: %s: path too long\n",
				paths[i]);
			return 1;
		}
		if (fuzz_text_write(&prog, out))
			return 1;
	}
	return 0;
}

/* @path's program, encoded: its bytes in @out (@cap), their count or -1. */
static long fuzz_text_seed_bytes(const char *path, uint8_t *out, size_t cap)
{
	struct op_program prog;

	if (fuzz_text_parse(path, &prog) < 0)
		return -1;
	return (long)op_program_encode(&prog, out, cap);
}

/* Whether @data decodes, prints, parses and encodes back to itself. */
static bool fuzz_text_round_trips(const char *path, const uint8_t *data,
				  size_t len)
{
	uint8_t again[OP_MAX * (1 + OP_MAX_ARGS)];
	struct op_text_error err;
	struct op_program p, q;
	char *text = NULL;
	size_t tlen = 0;
	FILE *f;
	bool ok;

	op_program_decode(data, len, &p);
	f = open_memstream(&text, &tlen);
	if (!f || op_program_to_text(&p, f, false) < 0 || fclose(f) != 0) {
		fprintf(stderr, "fuzz_text: %s: cannot print it\n", path);
		free(text);
		return false;
	}
	ok = op_program_from_text(text, &q, &err) == 0 &&
	     op_program_encode(&q, again, sizeof(again)) == len &&
	     memcmp(again, data, len) == 0;
	if (!ok)
		fprintf(stderr, "fuzz_text: %s: decode, text and encode change its bytes\n",
			path);
	free(text);
	return ok;
}

static bool fuzz_text_is_input(const char *name)
{
	return name[0] != '.' && strncmp(name, "README", 6) != 0;
}

/* check: seeds committed as their text says; every input round-trips. */
static int fuzz_text_check(const char *seeds, const char *corpus)
{
	uint8_t want[OP_MAX * (1 + OP_MAX_ARGS)];
	char path[PATH_MAX], *data;
	unsigned int nseeds = 0, ninputs = 0, bad = 0;
	struct dirent *de;
	size_t len, n;
	long got;
	DIR *d;

	d = opendir(seeds);
	if (!d) {
		fprintf(stderr, "fuzz_text: %s: %s\n", seeds, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".txt"))
			continue;
		nseeds++;
		snprintf(path, sizeof(path), "%s/%s", seeds, de->d_name);
		got = fuzz_text_seed_bytes(path, want, sizeof(want));
		snprintf(path, sizeof(path), "%s/%.*s", corpus, (int)(n - 4),
			 de->d_name);
		if (got < 0 || fuzz_text_read(path, &data, &len) < 0) {
			bad++;
			continue;
		}
		if ((size_t)got != len || memcmp(want, data, len)) {
			fprintf(stderr, "fuzz_text: %s differs from its seed text\n",
				path);
			bad++;
		}
		free(data);
	}
	closedir(d);
	d = opendir(corpus);
	if (!d) {
		fprintf(stderr, "fuzz_text: %s: %s\n", corpus, strerror(errno));
		return 1;
	}
	while ((de = readdir(d))) {
		if (!fuzz_text_is_input(de->d_name))
			continue;
		ninputs++;
		snprintf(path, sizeof(path), "%s/%s", corpus, de->d_name);
		if (fuzz_text_read(path, &data, &len) < 0) {
			bad++;
			continue;
		}
		bad += !fuzz_text_round_trips(path, (const uint8_t *)data, len);
		free(data);
	}
	closedir(d);
	if (!nseeds || !ninputs) {
		fprintf(stderr, "fuzz_text: no %s in %s\n", nseeds ? "inputs" :
			"seeds (NAME.txt)", nseeds ? corpus : seeds);
		return 1;
	}
	printf("%u seeds committed as their text says, %u inputs round-trip, %u bad\n",
	       nseeds, ninputs, bad);
	return bad ? 1 : 0;
}

static void fuzz_text_usage(FILE *f)
{
	fprintf(f, "usage: fuzz_text decode FILE\n"
		   "       fuzz_text encode FILE.txt OUT\n"
		   "       fuzz_text canon DIR FILE...\n"
		   "       fuzz_text grammar\n"
		   "       fuzz_text check SEEDS CORPUS\n");
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "decode") == 0)
		return fuzz_text_decode(argv[2]);
	if (argc == 4 && strcmp(argv[1], "encode") == 0)
		return fuzz_text_encode(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "canon") == 0)
		return fuzz_text_canon(argv[2], argv + 3, argc - 3);
	if (argc == 4 && strcmp(argv[1], "check") == 0)
		return fuzz_text_check(argv[2], argv[3]);
	if (argc == 2 && strcmp(argv[1], "grammar") == 0)
		return op_grammar_print(stdout) < 0 ? 1 : 0;
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0)) {
		fuzz_text_usage(stdout);
		return 0;
	}
	fuzz_text_usage(stderr);
	return 2;
}
