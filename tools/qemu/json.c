// SPDX-License-Identifier: MIT
/*
 * The sweep's JSON reader (json.h): a recursive descent over the bytes,
 * one function per kind of value, each advancing a cursor. Strings keep
 * their escapes decoded (\uXXXX as UTF-8; a NUL is refused, since the
 * callers use C strings).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct json_in {
	const char *start;
	const char *p;
	const char *end;
	char *err;
	size_t cap;
	unsigned int depth;
};

static bool json_fail(struct json_in *in, const char *what)
{
	snprintf(in->err, in->cap, "%s at byte %td", what, in->p - in->start);
	return false;
}

static void json_ws(struct json_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' ||
				   *in->p == '\n' || *in->p == '\r'))
		in->p++;
}

static bool json_value(struct json_in *in, struct json *out);

static bool json_word(struct json_in *in, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(in->end - in->p) < n || memcmp(in->p, w, n))
		return json_fail(in, "bad literal");
	in->p += n;
	return true;
}

static int json_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A string at the cursor (after its opening quote) into *@out. */
static bool json_string(struct json_in *in, char **out)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);

	if (!s)
		return json_fail(in, "out of memory");
	for (;;) {
		unsigned int cp;
		char c;
		int k;

		if (in->p >= in->end) {
			free(s);
			return json_fail(in, "unterminated string");
		}
		c = *in->p++;
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20) {
			free(s);
			return json_fail(in, "control byte in string");
		}
		if (n + 5 >= cap) {
			char *ns = realloc(s, cap * 2);

			if (!ns) {
				free(s);
				return json_fail(in, "out of memory");
			}
			s = ns;
			cap *= 2;
		}
		if (c != '\\') {
			s[n++] = c;
			continue;
		}
		if (in->p >= in->end)
			break;
		c = *in->p++;
		switch (c) {
		case 'n': s[n++] = '\n'; break;
		case 't': s[n++] = '\t'; break;
		case 'r': s[n++] = '\r'; break;
		case 'b': s[n++] = '\b'; break;
		case 'f': s[n++] = '\f'; break;
		case '"': case '\\': case '/': s[n++] = c; break;
		case 'u':
			cp = 0;
			for (k = 0; k < 4; k++) {
				int h = in->p < in->end ? json_hex(*in->p) : -1;

				if (h < 0) {
					free(s);
					return json_fail(in, "bad \\u escape");
				}
				cp = cp * 16 + (unsigned int)h;
				in->p++;
			}
			if (!cp) {
				free(s);
				return json_fail(in, "NUL in string");
			}
			if (cp < 0x80) {
				s[n++] = (char)cp;
			} else if (cp < 0x800) {
				s[n++] = (char)(0xc0 | cp >> 6);
				s[n++] = (char)(0x80 | (cp & 0x3f));
			} else {
				s[n++] = (char)(0xe0 | cp >> 12);
				s[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				s[n++] = (char)(0x80 | (cp & 0x3f));
			}
			break;
		default:
			free(s);
			return json_fail(in, "bad escape");
		}
	}
	s[n] = '\0';
	*out = s;
	return true;
}

static bool json_number(struct json_in *in, struct json *out)
{
	char buf[32], *end;
	size_t n = 0;

	while (in->p < in->end && n < sizeof(buf) - 1 &&
	       (*in->p == '-' || (*in->p >= '0' && *in->p <= '9')))
		buf[n++] = *in->p++;
	buf[n] = '\0';
	if (in->p < in->end && (*in->p == '.' || *in->p == 'e' ||
				*in->p == 'E'))
		return json_fail(in, "not an integer");
	errno = 0;
	out->i = strtoll(buf, &end, 10);
	if (!n || *end || errno)
		return json_fail(in, "bad number");
	out->type = JSON_INT;
	return true;
}

/* Append a member to @out's kids (and a key for an object). */
static struct json *json_push(struct json_in *in, struct json *out, char *key)
{
	struct json *nk = realloc(out->kids, (out->n + 1) * sizeof(*nk));
	char **nkeys;

	if (!nk) {
		json_fail(in, "out of memory");
		return NULL;
	}
	out->kids = nk;
	if (out->type == JSON_OBJ) {
		nkeys = realloc(out->keys, (out->n + 1) * sizeof(*nkeys));
		if (!nkeys) {
			json_fail(in, "out of memory");
			return NULL;
		}
		out->keys = nkeys;
		out->keys[out->n] = key;
	}
	memset(&out->kids[out->n], 0, sizeof(out->kids[0]));
	return &out->kids[out->n++];
}

static bool json_container(struct json_in *in, struct json *out, bool obj)
{
	char close = obj ? '}' : ']';

	out->type = obj ? JSON_OBJ : JSON_ARR;
	if (++in->depth > JSON_MAX_DEPTH)
		return json_fail(in, "nested too deep");
	json_ws(in);
	if (in->p < in->end && *in->p == close) {
		in->p++;
		in->depth--;
		return true;
	}
	for (;;) {
		struct json *kid;
		char *key = NULL;

		json_ws(in);
		if (obj) {
			if (in->p >= in->end || *in->p++ != '"' ||
			    !json_string(in, &key))
				return json_fail(in, "expected a key");
			json_ws(in);
			if (in->p >= in->end || *in->p++ != ':') {
				free(key);
				return json_fail(in, "expected ':'");
			}
		}
		kid = json_push(in, out, key);
		if (!kid) {
			free(key);
			return false;
		}
		if (!json_value(in, kid))
			return false;
		json_ws(in);
		if (in->p < in->end && *in->p == ',') {
			in->p++;
			continue;
		}
		if (in->p < in->end && *in->p == close) {
			in->p++;
			in->depth--;
			return true;
		}
		return json_fail(in, obj ? "expected ',' or '}'" :
				 "expected ',' or ']'");
	}
}

static bool json_value(struct json_in *in, struct json *out)
{
	json_ws(in);
	if (in->p >= in->end)
		return json_fail(in, "value expected");
	switch (*in->p) {
	case '{':
		in->p++;
		return json_container(in, out, true);
	case '[':
		in->p++;
		return json_container(in, out, false);
	case '"':
		in->p++;
		out->type = JSON_STR;
		return json_string(in, &out->s);
	case 't':
		out->type = JSON_BOOL;
		out->b = true;
		return json_word(in, "true");
	case 'f':
		out->type = JSON_BOOL;
		return json_word(in, "false");
	case 'n':
		out->type = JSON_NULL;
		return json_word(in, "null");
	default:
		return json_number(in, out);
	}
}

static void json_clear(struct json *j)
{
	size_t i;

	for (i = 0; i < j->n; i++) {
		json_clear(&j->kids[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->kids);
	free(j->keys);
	free(j->s);
}

void json_free(struct json *j)
{
	if (!j)
		return;
	json_clear(j);
	free(j);
}

struct json *json_parse(const char *text, size_t len, char *err, size_t cap)
{
	struct json_in in = { text, text, text + len, err, cap, 0 };
	struct json *j = calloc(1, sizeof(*j));

	if (!j) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	if (!json_value(&in, j))
		goto err_free;
	json_ws(&in);
	if (in.p != in.end) {
		json_fail(&in, "trailing bytes");
		goto err_free;
	}
	return j;

err_free:
	json_free(j);
	return NULL;
}

const struct json *json_get(const struct json *j, const char *key)
{
	size_t i;

	if (!j || j->type != JSON_OBJ)
		return NULL;
	for (i = 0; i < j->n; i++) {
		if (!strcmp(j->keys[i], key))
			return &j->kids[i];
	}
	return NULL;
}

const char *json_get_str(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key);

	return v && v->type == JSON_STR ? v->s : NULL;
}

bool json_get_int(const struct json *j, const char *key, int64_t *out)
{
	const struct json *v = json_get(j, key);

	if (!v || v->type != JSON_INT)
		return false;
	*out = v->i;
	return true;
}
