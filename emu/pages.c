// SPDX-License-Identifier: MIT
/*
 * Pages objects (pages.h). The pinned count is recomputed from the loaded
 * users and the access ranges on every change: a pages object is shared
 * only through COPY and pinned by accesses only in tests of emulated
 * devices, so it has one or two spans almost always and a handful at most,
 * and recomputing keeps the count exact without per-page bookkeeping.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "area.h"
#include "failnth.h"
#include "machine.h"
#include "mm.h"
#include "pages.h"
#include "util.h"
#include "vfio_pci.h"

int emu_pages_create(struct emu *emu, uint64_t user_va, uint64_t length,
		     bool writeable, enum emu_acct acct,
		     struct emu_pages **out)
{
	struct emu_pages *p = emu_zalloc(emu, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->owner = emu_current_pid(emu);
	p->heap = emu->heap;
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
		v = emu_heap_zalloc(p->heap, 2 * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[0] = p->users.one;
		v[1] = area;
		p->users.many = v;
	} else {
		v = emu_heap_realloc(p->heap, p->users.many,
				(p->nr_users + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[p->nr_users] = area;
		p->users.many = v;
	}
	p->nr_users++;
	area->pages = p;
	return 0;
}

static void emu_pages_free(struct emu_pages *p)
{
	emu_heap_free(p->heap, p->accesses);
	emu_heap_free(p->heap, p->aliases);
	emu_heap_free(p->heap, p);
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

		emu_heap_free(p->heap, v);
		p->users.one = only;
	}
	area->pages = NULL;
	if (!p->nr_users && !p->held)
		emu_pages_free(p);
}

void emu_pages_release(struct emu_pages *p)
{
	p->held = false;
	if (!p->nr_users)
		emu_pages_free(p);
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
 * What the pinned set is made of, with one change applied: @extra counts
 * as loaded and @skip as not; @extra_span is one more access range.
 */
struct emu_pages_change {
	const struct emu_area *extra;
	const struct emu_area *skip;
	const struct emu_page_span *extra_span;
};

static bool emu_pages_area_counts(const struct emu_area *a,
				  const struct emu_pages_change *c)
{
	return a != c->skip && (a->loaded || a == c->extra);
}

/*
 * Pages of the union of the loaded users' page spans and the access
 * ranges, with @c applied: -ENOMEM only for the temporary array, which is
 * the model's own and so no fault point.
 */
static int64_t emu_pages_count(struct emu_pages *p,
			       const struct emu_pages_change *c)
{
	struct emu_area **v = emu_pages_users(p);
	struct emu_page_span one[2], *s = one;
	uint64_t total = 0, cur_first = 0, cur_last = 0;
	uint32_t i, n = 0;
	bool open = false;

	for (i = 0; i < p->nr_users; i++) {
		if (emu_pages_area_counts(v[i], c))
			n++;
	}
	n += p->nr_accesses + (c->extra_span ? 1 : 0);
	/* Up to two spans need no allocation: unload of the last user of a
	 * pages object without access pins can never fail. */
	if (n > 2) {
		s = emu_heap_zalloc(p->heap, n * sizeof(*s));
		if (!s)
			return -ENOMEM;
	}
	n = 0;
	for (i = 0; i < p->nr_users; i++) {
		if (emu_pages_area_counts(v[i], c))
			emu_area_page_span(v[i], &s[n++]);
	}
	for (i = 0; i < p->nr_accesses; i++) {
		s[n].first = p->accesses[i].first;
		s[n++].last = p->accesses[i].last;
	}
	if (c->extra_span)
		s[n++] = *c->extra_span;
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
		emu_heap_free(p->heap, s);
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

/* Note where @owner's shared mappings of [va, va + len) are backed. */
static int emu_pages_note_aliases(struct emu_pages *p,
				  const struct emu_mm *owner, uint64_t va,
				  uint64_t len)
{
	struct emu_pages_alias *nv;
	const struct emu_vma *v;
	uint64_t at = va, end = va + len;
	uint32_t i;

	for (; at < end && (v = emu_mm_find(owner, at)); at = v->end) {
		if (!v->shared || !v->ino)
			continue;
		for (i = 0; i < p->nr_aliases; i++) {
			if (p->aliases[i].start == v->start)
				break;
		}
		if (i < p->nr_aliases)
			continue;
		nv = emu_heap_realloc(p->heap, p->aliases,
				      (p->nr_aliases + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		p->aliases = nv;
		nv[p->nr_aliases++] = (struct emu_pages_alias){
			.start = v->start, .end = v->end, .pgoff = v->pgoff,
			.dev = v->dev, .ino = v->ino,
		};
	}
	return 0;
}

/*
 * Whether [va, va + len) can be pinned in the owner's memory: @mm when it
 * is the owner's, else the owner's own map (a process that is gone pins
 * nothing: EFAULT). Memory of a process other than the model's own is
 * noted for emu_pages_alias_va.
 */
static int emu_pages_check_owner(struct emu_pages *p, const struct emu_mm *mm,
				 uint64_t va, uint64_t len)
{
	struct emu_mm own;
	int rc;

	if (p->owner != mm->pid) {
		if (emu_mm_load_pid(p->heap, &own, p->owner))
			return -EFAULT;
		mm = &own;
	}
	rc = emu_mm_check(mm, va, len, p->writeable);
	if (!rc && p->owner != getpid())
		rc = emu_pages_note_aliases(p, mm, va, len);
	if (mm == &own)
		emu_mm_fini(&own);
	return rc;
}

int emu_pages_alias_va(struct emu_pages *p, pid_t pid,
		       const struct emu_mm *local, uint64_t va, uint64_t len,
		       uint64_t *out)
{
	struct emu_pages_alias *a;
	uint64_t off;
	uint32_t i;
	size_t j;

	for (i = 0; i < p->nr_aliases; i++) {
		a = &p->aliases[i];
		if (va >= a->start && va + len <= a->end)
			break;
	}
	if (i == p->nr_aliases)
		return -EFAULT;
	if (!local) {
		if (a->local_pid != pid || !a->local_pid)
			return -EFAULT;
		*out = a->local_start + (va - a->start);
		return 0;
	}
	off = a->pgoff + (va - a->start);
	for (j = 0; j < local->nr; j++) {
		const struct emu_vma *v = &local->v[j];

		if (v->dev != a->dev || v->ino != a->ino || off < v->pgoff ||
		    off + len > v->pgoff + (v->end - v->start))
			continue;
		*out = v->start + (off - v->pgoff);
		a->local_pid = local->pid;
		a->local_start = *out - (va - a->start);
		return 0;
	}
	return -EFAULT;
}

/*
 * Grow the pinned set to @n pages, the new ones being in [va, va + len):
 * the kernel's fault points (the batch's temporary buffer, the pin, the
 * charge), the pin check against the process's map and RLIMIT_MEMLOCK.
 * Nothing changes on failure.
 */
static int emu_pages_grow(struct emu *emu, struct emu_pages *p, uint64_t n,
			  uint64_t va, uint64_t len, const struct emu_mm *mm)
{
	uint64_t *locked = emu_pages_acct_counter(emu, p);
	uint64_t limit = emu->creds.memlock_limit / EMU_PAGE_SIZE;
	uint64_t delta = n - p->npinned;
	int rc;

	if (!delta)
		return 0;
	if (emu_should_fail(emu))
		return -ENOMEM;
	if (emu_should_fail(emu))
		return -EFAULT;
	/* A region mmap is VM_PFNMAP: pin_user_pages refuses it. */
	if (emu_vregion_mapped(emu, va, len))
		return -EFAULT;
	rc = emu_pages_check_owner(p, mm, va, len);
	if (rc)
		return rc;
	if (emu_should_fail(emu))
		return -ENOMEM;
	if (locked && emu->creds.memlock_limit != UINT64_MAX &&
	    (*locked + delta > limit || *locked + delta < *locked))
		return -ENOMEM;
	return 0;
}

/* Set the pinned count to @n (after emu_pages_grow, or to shrink). */
static void emu_pages_set_pinned(struct emu *emu, struct emu_pages *p,
				 uint64_t n)
{
	uint64_t *locked = emu_pages_acct_counter(emu, p);

	if (locked)
		*locked = *locked - p->npinned + n;
	emu->pinned_pages = emu->pinned_pages - p->npinned + n;
	p->npinned = n;
}

int emu_pages_load(struct emu *emu, struct emu_area *area,
		   const struct emu_mm *mm)
{
	struct emu_pages_change c = { .extra = area };
	struct emu_pages *p = area->pages;
	int64_t n;
	int rc;

	n = emu_pages_count(p, &c);
	if (n < 0)
		return (int)n;
	rc = emu_pages_grow(emu, p, (uint64_t)n, area->user_va,
			    area->last - area->iova + 1, mm);
	if (rc)
		return rc;
	emu_pages_set_pinned(emu, p, (uint64_t)n);
	area->loaded = true;
	return 0;
}

/*
 * Recount after a user or a pin went away. Dropping one can only shrink
 * the union; if the count cannot be computed (no memory for a shared
 * object's temporary array), keep the pins until they can be, at the
 * latest when the last span goes, as then it is exact.
 */
static void emu_pages_shrink(struct emu *emu, struct emu_pages *p)
{
	struct emu_pages_change c = { 0 };
	int64_t n = emu_pages_count(p, &c);

	if (n >= 0)
		emu_pages_set_pinned(emu, p, (uint64_t)n);
}

void emu_pages_unload(struct emu *emu, struct emu_area *area)
{
	area->loaded = false;
	emu_pages_shrink(emu, area->pages);
}

static struct emu_pages_access *emu_pages_access_find(struct emu_pages *p,
						      uint64_t first,
						      uint64_t last)
{
	uint32_t i;

	for (i = 0; i < p->nr_accesses; i++) {
		if (p->accesses[i].first == first &&
		    p->accesses[i].last == last)
			return &p->accesses[i];
	}
	return NULL;
}

int emu_pages_access_add(struct emu *emu, struct emu_pages *p,
			 uint64_t first, uint64_t last,
			 const struct emu_mm *mm)
{
	struct emu_page_span span = { .first = first, .last = last };
	struct emu_pages_change c = { .extra_span = &span };
	struct emu_pages_access *acc, *nv;
	int64_t n;
	int rc;

	acc = emu_pages_access_find(p, first, last);
	if (acc) {
		acc->users++;
		return 0;
	}
	nv = emu_realloc_array(emu, p->accesses, p->nr_accesses + 1,
			       sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	p->accesses = nv;
	n = emu_pages_count(p, &c);
	if (n < 0)
		return (int)n;
	rc = emu_pages_grow(emu, p, (uint64_t)n, first * EMU_PAGE_SIZE,
			    (last - first + 1) * EMU_PAGE_SIZE, mm);
	if (rc)
		return rc;
	emu_pages_set_pinned(emu, p, (uint64_t)n);
	acc = &p->accesses[p->nr_accesses++];
	acc->first = first;
	acc->last = last;
	acc->users = 1;
	return 0;
}

void emu_pages_access_remove(struct emu *emu, struct emu_pages *p,
			     uint64_t first, uint64_t last)
{
	struct emu_pages_access *acc = emu_pages_access_find(p, first, last);

	if (!acc || --acc->users)
		return;
	*acc = p->accesses[--p->nr_accesses];
	if (!p->nr_accesses) {
		emu_free(emu, p->accesses);
		p->accesses = NULL;
	}
	emu_pages_shrink(emu, p);
}

unsigned int emu_pages_pinned_at(struct emu_pages *p, uint64_t pfn)
{
	struct emu_area **v = emu_pages_users(p);
	struct emu_page_span s;
	uint32_t i;

	if (!p->npinned)
		return 0;
	for (i = 0; i < p->nr_users; i++) {
		if (!v[i]->loaded)
			continue;
		emu_area_page_span(v[i], &s);
		if (pfn >= s.first && pfn <= s.last)
			return 1;
	}
	for (i = 0; i < p->nr_accesses; i++) {
		if (pfn >= p->accesses[i].first && pfn <= p->accesses[i].last)
			return 1;
	}
	return 0;
}
