// SPDX-License-Identifier: MIT
/*
 * iofd_conform_diff: join two iofd_conform transcripts (the real kernel's
 * and the emulator's) on their step names and report the fidelity of the
 * second to the first, per area and overall.
 *
 * Usage: iofd_conform_diff [-x EXCEPTIONS] [-v] KERNEL EMULATOR
 *
 * Input lines that do not start with "conform: " are ignored (a whole
 * console log can be given); carriage returns are dropped. A step agrees
 * when both sides have it with the same result and the same keys and
 * values. A step only one side has is a mismatch of its area.
 *
 * The exceptions file names what the emulator is right to differ on, one
 * per line: "AREA STEP KEY REASON...", with AREA and STEP shell patterns
 * (fnmatch) and KEY a key name or "result". A step whose differences all
 * fall under exceptions agrees; each exception's uses are counted, and an
 * exception never used is reported so that it is removed. '#' starts a
 * comment line. The reason is mandatory.
 *
 * Output: every mismatch with both lines ("MISMATCH ..."; with -v also
 * the steps that agreed through an exception), one line per area
 * "fidelity AREA: N/M (P%)", "fidelity overall: N/M (P%)", and the
 * exceptions used. Exit: 0 no mismatch; 1 mismatches; 2 usage error or
 * malformed input (named on stderr).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DF_MAX_KEYS 32

struct df_line {
	char *text;			/* the line after "conform: " */
	char *area;
	char *step;
	char *result;
	unsigned int nr_keys;
	char *key[DF_MAX_KEYS];
	char *val[DF_MAX_KEYS];
	bool matched;
};

struct df_file {
	const char *path;
	struct df_line *v;
	size_t nr, cap;
};

struct df_exception {
	char *area;
	char *step;
	char *key;
	char *reason;
	unsigned int line;
	unsigned int uses;
};

struct df_exceptions {
	struct df_exception *v;
	size_t nr;
};

struct df_area {
	char *name;
	unsigned int agree, total;
};

static void *df_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		fprintf(stderr, "iofd_conform_diff: out of memory\n");
		exit(2);
	}
	return q;
}

static char *df_xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, "iofd_conform_diff: out of memory\n");
		exit(2);
	}
	return d;
}

/* Split @text in place into the fields of @l; false when malformed. */
static bool df_split(char *text, struct df_line *l)
{
	char *save = NULL, *tok;

	memset(l, 0, sizeof(*l));
	l->text = df_xstrdup(text);
	l->area = strtok_r(text, " ", &save);
	l->step = strtok_r(NULL, " ", &save);
	l->result = strtok_r(NULL, " ", &save);
	if (!l->area || !l->step || !l->result)
		return false;
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok || l->nr_keys == DF_MAX_KEYS)
			return false;
		*eq = '\0';
		l->key[l->nr_keys] = tok;
		l->val[l->nr_keys] = eq + 1;
		l->nr_keys++;
	}
	return true;
}

static struct df_line *df_find(struct df_file *f, const char *area,
			       const char *step)
{
	size_t i;

	for (i = 0; i < f->nr; i++) {
		if (!strcmp(f->v[i].area, area) && !strcmp(f->v[i].step, step))
			return &f->v[i];
	}
	return NULL;
}

static int df_load(struct df_file *f, const char *path)
{
	static const char prefix[] = "conform: ";
	char *buf = NULL, *p;
	size_t cap = 0;
	unsigned int lineno = 0;
	FILE *in = fopen(path, "r");

	if (!in) {
		fprintf(stderr, "iofd_conform_diff: cannot open %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	f->path = path;
	while (getline(&buf, &cap, in) >= 0) {
		struct df_line l;
		char *copy;

		lineno++;
		for (p = buf; *p; p++) {
			if (*p == '\r' || *p == '\n')
				*p = ' ';
		}
		p = strstr(buf, prefix);
		if (!p || p != buf)
			continue;
		copy = df_xstrdup(p + sizeof(prefix) - 1);
		if (!df_split(copy, &l)) {
			fprintf(stderr, "iofd_conform_diff: %s:%u: malformed "
				"step line '%s'\n", path, lineno, p);
			free(l.text);
			free(copy);
			fclose(in);
			free(buf);
			return -1;
		}
		if (df_find(f, l.area, l.step)) {
			fprintf(stderr, "iofd_conform_diff: %s:%u: step '%s %s' "
				"appears twice\n", path, lineno, l.area,
				l.step);
			free(l.text);
			free(copy);
			fclose(in);
			free(buf);
			return -1;
		}
		if (f->nr == f->cap) {
			f->cap = f->cap ? 2 * f->cap : 256;
			f->v = df_xrealloc(f->v, f->cap * sizeof(*f->v));
		}
		f->v[f->nr++] = l;
	}
	free(buf);
	fclose(in);
	if (!f->nr) {
		fprintf(stderr, "iofd_conform_diff: %s holds no 'conform: ' "
			"step line\n", path);
		return -1;
	}
	return 0;
}

static int df_load_exceptions(struct df_exceptions *x, const char *path)
{
	char *buf = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	FILE *in = fopen(path, "r");

	if (!in) {
		fprintf(stderr, "iofd_conform_diff: cannot open exceptions "
			"%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&buf, &cap, in) >= 0) {
		char *save = NULL, *area, *step, *key, *reason;

		lineno++;
		buf[strcspn(buf, "\r\n")] = '\0';
		area = strtok_r(buf, " \t", &save);
		if (!area || area[0] == '#')
			continue;
		step = strtok_r(NULL, " \t", &save);
		key = strtok_r(NULL, " \t", &save);
		reason = save ? save + strspn(save, " \t") : NULL;
		if (!step || !key || !reason || !*reason) {
			fprintf(stderr, "iofd_conform_diff: %s:%u: want 'AREA "
				"STEP KEY REASON...'\n", path, lineno);
			fclose(in);
			free(buf);
			return -1;
		}
		x->v = df_xrealloc(x->v, (x->nr + 1) * sizeof(*x->v));
		x->v[x->nr] = (struct df_exception){
			.area = df_xstrdup(area), .step = df_xstrdup(step),
			.key = df_xstrdup(key), .reason = df_xstrdup(reason),
			.line = lineno,
		};
		x->nr++;
	}
	free(buf);
	fclose(in);
	return 0;
}

static struct df_exception *df_excepted(struct df_exceptions *x,
					const struct df_line *l,
					const char *key)
{
	size_t i;

	for (i = 0; i < x->nr; i++) {
		if (!fnmatch(x->v[i].area, l->area, 0) &&
		    !fnmatch(x->v[i].step, l->step, 0) &&
		    !strcmp(x->v[i].key, key))
			return &x->v[i];
	}
	return NULL;
}

static const char *df_value(const struct df_line *l, const char *key)
{
	unsigned int i;

	for (i = 0; i < l->nr_keys; i++) {
		if (!strcmp(l->key[i], key))
			return l->val[i];
	}
	return NULL;
}

/*
 * Compare a pair: 1 agree, 0 mismatch. An exception that excuses a
 * difference is counted only when the pair then agrees.
 */
static int df_compare(struct df_exceptions *x, const struct df_line *k,
		      const struct df_line *e, bool *excused)
{
	struct df_exception *used[DF_MAX_KEYS + 1];
	unsigned int nr_used = 0, i, j;

	*excused = false;
	if (strcmp(k->result, e->result)) {
		used[nr_used] = df_excepted(x, k, "result");
		if (!used[nr_used])
			return 0;
		nr_used++;
	}
	for (i = 0; i < k->nr_keys + e->nr_keys; i++) {
		const struct df_line *a = i < k->nr_keys ? k : e;
		const struct df_line *b = a == k ? e : k;
		unsigned int ai = a == k ? i : i - k->nr_keys;
		const char *bv = df_value(b, a->key[ai]);

		if (bv && !strcmp(bv, a->val[ai]))
			continue;
		if (a == e && bv)
			continue;	/* seen from the kernel's side */
		used[nr_used] = df_excepted(x, k, a->key[ai]);
		if (!used[nr_used])
			return 0;
		for (j = 0; j < nr_used; j++) {
			if (used[j] == used[nr_used])
				break;
		}
		if (j == nr_used)
			nr_used++;
	}
	for (i = 0; i < nr_used; i++)
		used[i]->uses++;
	*excused = nr_used > 0;
	return 1;
}

static struct df_area *df_area(struct df_area **areas, size_t *nr,
			       const char *name)
{
	size_t i;

	for (i = 0; i < *nr; i++) {
		if (!strcmp((*areas)[i].name, name))
			return &(*areas)[i];
	}
	*areas = df_xrealloc(*areas, (*nr + 1) * sizeof(**areas));
	(*areas)[*nr] = (struct df_area){ .name = df_xstrdup(name) };
	return &(*areas)[(*nr)++];
}

static void df_file_free(struct df_file *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++) {
		free(f->v[i].text);
		free(f->v[i].area);	/* the split copy starts here */
	}
	free(f->v);
}

static void df_free(struct df_file *kern, struct df_file *emu,
		    struct df_exceptions *x, struct df_area *areas,
		    size_t nr_areas)
{
	size_t i;

	df_file_free(kern);
	df_file_free(emu);
	for (i = 0; i < x->nr; i++) {
		free(x->v[i].area);
		free(x->v[i].step);
		free(x->v[i].key);
		free(x->v[i].reason);
	}
	free(x->v);
	for (i = 0; i < nr_areas; i++)
		free(areas[i].name);
	free(areas);
}

static void df_usage(FILE *f)
{
	fprintf(f, "usage: iofd_conform_diff [-x EXCEPTIONS] [-v] KERNEL "
		   "EMULATOR\n");
}

int main(int argc, char **argv)
{
	struct df_file kern = { 0 }, emu = { 0 };
	struct df_exceptions x = { 0 };
	struct df_area *areas = NULL;
	unsigned int agree = 0, total = 0, mismatches = 0;
	size_t nr_areas = 0, i;
	bool verbose = false;
	int opt, rc = 2;

	while ((opt = getopt(argc, argv, "x:vh")) != -1) {
		switch (opt) {
		case 'x':
			if (df_load_exceptions(&x, optarg))
				goto out_free;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			df_usage(stdout);
			rc = 0;
			goto out_free;
		default:
			df_usage(stderr);
			goto out_free;
		}
	}
	if (argc - optind != 2) {
		df_usage(stderr);
		goto out_free;
	}
	if (df_load(&kern, argv[optind]) || df_load(&emu, argv[optind + 1]))
		goto out_free;

	for (i = 0; i < kern.nr; i++) {
		struct df_line *k = &kern.v[i];
		struct df_line *e = df_find(&emu, k->area, k->step);
		struct df_area *a = df_area(&areas, &nr_areas, k->area);
		bool excused;

		a->total++;
		if (!e) {
			printf("MISMATCH %s %s: kernel '%s', emulator has no "
			       "such step\n", k->area, k->step, k->text);
			mismatches++;
			continue;
		}
		e->matched = true;
		if (!df_compare(&x, k, e, &excused)) {
			printf("MISMATCH %s %s\n  kernel:   %s\n  emulator: "
			       "%s\n", k->area, k->step, k->text, e->text);
			mismatches++;
			continue;
		}
		if (excused && verbose)
			printf("excepted %s %s\n  kernel:   %s\n  emulator: "
			       "%s\n", k->area, k->step, k->text, e->text);
		a->agree++;
	}
	for (i = 0; i < emu.nr; i++) {
		if (emu.v[i].matched)
			continue;
		df_area(&areas, &nr_areas, emu.v[i].area)->total++;
		printf("MISMATCH %s %s: emulator '%s', kernel has no such "
		       "step\n", emu.v[i].area, emu.v[i].step, emu.v[i].text);
		mismatches++;
	}
	for (i = 0; i < nr_areas; i++) {
		printf("fidelity %s: %u/%u (%.1f%%)\n", areas[i].name,
		       areas[i].agree, areas[i].total,
		       100.0 * areas[i].agree / areas[i].total);
		agree += areas[i].agree;
		total += areas[i].total;
	}
	printf("fidelity overall: %u/%u (%.1f%%)\n", agree, total,
	       100.0 * agree / total);
	for (i = 0; i < x.nr; i++) {
		if (x.v[i].uses)
			printf("exception %s %s %s: %u step(s): %s\n",
			       x.v[i].area, x.v[i].step, x.v[i].key,
			       x.v[i].uses, x.v[i].reason);
		else
			printf("exception %s %s %s (line %u) was not used: "
			       "remove it\n", x.v[i].area, x.v[i].step,
			       x.v[i].key, x.v[i].line);
	}
	rc = mismatches ? 1 : 0;
out_free:
	df_free(&kern, &emu, &x, areas, nr_areas);
	return rc;
}
