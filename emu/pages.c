// SPDX-License-Identifier: MIT
/*
 * Pages objects (pages.h). The pinned count is recomputed from the loaded
 * users on every change: a pages object is shared only through COPY, so
 * it has one user almost always and a handful at most, and recomputing
 * keeps the count exact without per-page bookkeeping.
 */
#include <errno.h>
#include <stdlib.h>

#include "area.h"
#include "machine.h"
#include "mm.h"
#include "pages.h"
#include "util.h"
#include "vfio_pci.h"

int emu_pages_create(struct emu *emu, uint64_t user_va, uint64_t length,
		     bool writeable, enum emu_acct acct,
		     struct emu_pages **out)
{
	struct emu_pages *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->user_va = user_va;
	p->length = length;
	p->writeable = writeable;
	p->acct = (uint8_t)acct;
	p->held = true;
	*out = p;
	return 0;
}

static struct emu_area **emu_pages_users(struct emu_pages *p)
{
	return p->nr_users > 1 ? p->users.many : &p->users.one;
}

int emu_pages_add_user(struct emu_pages *p, struct emu_area *area)
{
	struct emu_area **v;

	if (p->nr_users == 0) {
		p->users.one = area;
	} else if (p->nr_users == 1) {
		v = malloc(2 * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[0] = p->users.one;
		v[1] = area;
		p->users.many = v;
	} else {
		v = realloc(p->users.many, (p->nr_users + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[p->nr_users] = area;
		p->users.many = v;
	}
	p->nr_users++;
	area->pages = p;
	return 0;
}

void emu_pages_del_user(struct emu_pages *p, struct emu_area *area)
{
	struct emu_area **v = emu_pages_users(p);
	uint32_t i;

	for (i = 0; v[i] != area; i++)
		;
	v[i] = v[p->nr_users - 1];
	p->nr_users--;
	if (p->nr_users == 1) {
		struct emu_area *only = v[0];

		free(v);
		p->users.one = only;
	}
	area->pages = NULL;
	if (!p->nr_users && !p->held)
		free(p);
}

void emu_pages_release(struct emu_pages *p)
{
	p->held = false;
	if (!p->nr_users)
		free(p);
}

struct emu_page_span {
	uint64_t first;
	uint64_t last;		/* page numbers, inclusive */
};

static int emu_page_span_cmp(const void *a, const void *b)
{
	const struct emu_page_span *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static void emu_area_page_span(const struct emu_area *a,
			       struct emu_page_span *s)
{
	s->first = a->user_va / EMU_PAGE_SIZE;
	s->last = (a->user_va + (a->last - a->iova)) / EMU_PAGE_SIZE;
}

/*
 * Pages of the union of the loaded users' page spans, counting @extra as
 * loaded and @skip as not: -ENOMEM only for the temporary array.
 */
static int64_t emu_pages_count(struct emu_pages *p, struct emu_area *extra,
			       struct emu_area *skip)
{
	struct emu_area **v = emu_pages_users(p);
	struct emu_page_span one[2], *s = one;
	uint64_t total = 0, cur_first = 0, cur_last = 0;
	uint32_t i, n = 0;
	bool open = false;

	for (i = 0; i < p->nr_users; i++) {
		if (v[i] != skip && (v[i]->loaded || v[i] == extra))
			n++;
	}
	/* Up to two loaded users need no allocation: unload of the last
	 * one can never fail. */
	if (n > 2) {
		s = malloc(n * sizeof(*s));
		if (!s)
			return -ENOMEM;
	}
	n = 0;
	for (i = 0; i < p->nr_users; i++) {
		if (v[i] == skip || !(v[i]->loaded || v[i] == extra))
			continue;
		emu_area_page_span(v[i], &s[n++]);
	}
	qsort(s, n, sizeof(*s), emu_page_span_cmp);
	for (i = 0; i < n; i++) {
		if (open && s[i].first <= cur_last + 1) {
			if (s[i].last > cur_last)
				cur_last = s[i].last;
			continue;
		}
		if (open)
			total += cur_last - cur_first + 1;
		cur_first = s[i].first;
		cur_last = s[i].last;
		open = true;
	}
	if (open)
		total += cur_last - cur_first + 1;
	if (s != one)
		free(s);
	return (int64_t)total;
}

static uint64_t *emu_pages_acct_counter(struct emu *emu,
					const struct emu_pages *p)
{
	switch (p->acct) {
	case EMU_ACCT_USER:
		return &emu->locked_user;
	case EMU_ACCT_MM:
		return &emu->locked_mm;
	default:
		return NULL;
	}
}

int emu_pages_load(struct emu *emu, struct emu_area *area,
		   const struct emu_mm *mm)
{
	struct emu_pages *p = area->pages;
	uint64_t *locked = emu_pages_acct_counter(emu, p);
	uint64_t limit = emu->creds.memlock_limit / EMU_PAGE_SIZE;
	int64_t n;
	uint64_t delta;
	int rc;

	n = emu_pages_count(p, area, NULL);
	if (n < 0)
		return (int)n;
	delta = (uint64_t)n - p->npinned;
	if (delta) {
		/* A region mmap is VM_PFNMAP: pin_user_pages refuses it. */
		if (emu_vregion_mapped(emu, area->user_va,
				       area->last - area->iova + 1))
			return -EFAULT;
		rc = emu_mm_check(mm, area->user_va,
				  area->last - area->iova + 1, p->writeable);
		if (rc)
			return rc;
		if (locked && emu->creds.memlock_limit != UINT64_MAX &&
		    (*locked + delta > limit || *locked + delta < *locked))
			return -ENOMEM;
	}
	if (locked)
		*locked += delta;
	p->npinned = (uint64_t)n;
	emu->pinned_pages += delta;
	area->loaded = true;
	return 0;
}

void emu_pages_unload(struct emu *emu, struct emu_area *area)
{
	struct emu_pages *p = area->pages;
	uint64_t *locked = emu_pages_acct_counter(emu, p);
	int64_t n;
	uint64_t delta;

	area->loaded = false;
	/*
	 * Dropping a user can only shrink the union; if the count cannot be
	 * computed (no memory for a shared object's temporary array), keep
	 * the pins until the object's last user goes, as then it is exact.
	 */
	n = emu_pages_count(p, NULL, area);
	if (n < 0)
		return;
	delta = p->npinned - (uint64_t)n;
	if (locked)
		*locked -= delta;
	p->npinned = (uint64_t)n;
	emu->pinned_pages -= delta;
}
