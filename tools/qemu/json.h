/* SPDX-License-Identifier: MIT */
/*
 * A small JSON reader for what the QEMU sweep reads: QMP messages and the
 * shim's counters file. It builds a tree (objects keep their keys in
 * order, numbers are 64-bit integers; a fraction or exponent is refused,
 * which neither source ever sends) and answers lookups by key and index.
 * Input is bounded by its length, nesting by JSON_MAX_DEPTH.
 */
#ifndef IOFD_QEMU_JSON_H
#define IOFD_QEMU_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,
	JSON_STR,
	JSON_ARR,
	JSON_OBJ,
};

struct json {
	enum json_type type;
	bool b;
	int64_t i;
	char *s;		/* JSON_STR, NUL-terminated (no NUL inside) */
	size_t n;		/* members of an array or object */
	struct json *kids;
	char **keys;		/* JSON_OBJ: the key of each member */
};

/*
 * Parse @len bytes at @text (one value, white space around allowed).
 * Returns the tree, or NULL with why in @err (@cap bytes).
 */
struct json *json_parse(const char *text, size_t len, char *err, size_t cap);
void json_free(struct json *j);

/* Member @key of object @j, or NULL (also when @j is not an object). */
const struct json *json_get(const struct json *j, const char *key);
/* The string member @key, or NULL. */
const char *json_get_str(const struct json *j, const char *key);
/* The integer member @key into *@out: false when absent or not one. */
bool json_get_int(const struct json *j, const char *key, int64_t *out);

#endif /* IOFD_QEMU_JSON_H */
