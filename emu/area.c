// SPDX-License-Identifier: MIT
/*
 * The area store (area.h): an intrusive AVL tree with the gap
 * augmentation. The recursion depth is the tree height, at most about
 * 1.44 log2(n): under 30 for a million areas.
 *
 * Invariant kept by emu_area_fix on every node whose children changed:
 * height = 1 + max(child heights), max_gap = max(gap_before, child
 * max_gaps). Every function that relinks nodes returns the new subtree
 * root and leaves it fixed.
 */
#include "area.h"

static inline unsigned int emu_area_h(const struct emu_area *a)
{
	return a ? a->height : 0;
}

static inline uint64_t emu_area_mg(const struct emu_area *a)
{
	return a ? a->max_gap : 0;
}

static void emu_area_fix(struct emu_area *a)
{
	unsigned int hl = emu_area_h(a->left), hr = emu_area_h(a->right);
	uint64_t g = a->gap_before;

	a->height = (uint8_t)(1 + (hl > hr ? hl : hr));
	if (emu_area_mg(a->left) > g)
		g = emu_area_mg(a->left);
	if (emu_area_mg(a->right) > g)
		g = emu_area_mg(a->right);
	a->max_gap = g;
}

static struct emu_area *emu_area_rotate_right(struct emu_area *a)
{
	struct emu_area *l = a->left;

	a->left = l->right;
	l->right = a;
	emu_area_fix(a);
	emu_area_fix(l);
	return l;
}

static struct emu_area *emu_area_rotate_left(struct emu_area *a)
{
	struct emu_area *r = a->right;

	a->right = r->left;
	r->left = a;
	emu_area_fix(a);
	emu_area_fix(r);
	return r;
}

static struct emu_area *emu_area_balance(struct emu_area *a)
{
	int bf;

	emu_area_fix(a);
	bf = (int)emu_area_h(a->left) - (int)emu_area_h(a->right);
	if (bf > 1) {
		if (emu_area_h(a->left->left) < emu_area_h(a->left->right))
			a->left = emu_area_rotate_left(a->left);
		return emu_area_rotate_right(a);
	}
	if (bf < -1) {
		if (emu_area_h(a->right->right) < emu_area_h(a->right->left))
			a->right = emu_area_rotate_right(a->right);
		return emu_area_rotate_left(a);
	}
	return a;
}

void emu_area_store_init(struct emu_area_store *s)
{
	s->root = NULL;
	s->nr = 0;
}

/* The lowest area whose last >= @iova, or NULL. */
static struct emu_area *emu_area_lower_bound(const struct emu_area_store *s,
					     uint64_t iova)
{
	struct emu_area *t = s->root, *best = NULL;

	while (t) {
		if (t->last >= iova) {
			best = t;
			t = t->left;
		} else {
			t = t->right;
		}
	}
	return best;
}

struct emu_area *emu_area_first_hit(const struct emu_area_store *s,
				    uint64_t start, uint64_t last)
{
	struct emu_area *a = emu_area_lower_bound(s, start);

	return a && a->iova <= last ? a : NULL;
}

struct emu_area *emu_area_first(const struct emu_area_store *s)
{
	struct emu_area *t = s->root;

	while (t && t->left)
		t = t->left;
	return t;
}

struct emu_area *emu_area_last(const struct emu_area_store *s)
{
	struct emu_area *t = s->root;

	while (t && t->right)
		t = t->right;
	return t;
}

/* The lowest area with iova > @iova, or NULL. */
static struct emu_area *emu_area_after(const struct emu_area_store *s,
				       uint64_t iova)
{
	struct emu_area *t = s->root, *best = NULL;

	while (t) {
		if (t->iova > iova) {
			best = t;
			t = t->left;
		} else {
			t = t->right;
		}
	}
	return best;
}

struct emu_area *emu_area_next(const struct emu_area_store *s,
			       const struct emu_area *area)
{
	return emu_area_after(s, area->iova);
}

/*
 * First node of @t in order with iova > @key and gap_before >= @need.
 * Subtrees whose max_gap is too small are skipped whole, so the walk
 * follows the boundary path plus one successful descent.
 */
static struct emu_area *emu_area_gap_search(struct emu_area *t, uint64_t key,
					    bool keyed, uint64_t need)
{
	struct emu_area *r;

	while (t && t->max_gap >= need) {
		if (keyed && t->iova <= key) {
			t = t->right;
			continue;
		}
		r = emu_area_gap_search(t->left, key, keyed, need);
		if (r)
			return r;
		if (t->gap_before >= need)
			return t;
		/* Everything right of t is past the key too. */
		t = t->right;
		keyed = false;
	}
	return NULL;
}

struct emu_area *emu_area_gap_next(const struct emu_area_store *s,
				   const struct emu_area *after,
				   uint64_t need)
{
	return emu_area_gap_search(s->root, after ? after->iova : 0, !!after,
				   need);
}

static struct emu_area *emu_area_insert_at(struct emu_area *t,
					   struct emu_area *n)
{
	if (!t)
		return n;
	if (n->iova < t->iova)
		t->left = emu_area_insert_at(t->left, n);
	else
		t->right = emu_area_insert_at(t->right, n);
	return emu_area_balance(t);
}

void emu_area_insert(struct emu_area_store *s, struct emu_area *area)
{
	struct emu_area *t = s->root, *pred = NULL, *succ = NULL;

	/* The neighbours of a new leaf are the last turns of its path. */
	while (t) {
		if (area->iova < t->iova) {
			succ = t;
			t = t->left;
		} else {
			pred = t;
			t = t->right;
		}
	}
	area->left = NULL;
	area->right = NULL;
	area->gap_before = pred ? area->iova - pred->last - 1 : 0;
	emu_area_fix(area);
	/* succ is an ancestor of the new leaf: the unwind refixes it. */
	if (succ)
		succ->gap_before = succ->iova - area->last - 1;
	s->root = emu_area_insert_at(s->root, area);
	s->nr++;
}

static struct emu_area *emu_area_remove_min(struct emu_area *t,
					    struct emu_area **min)
{
	if (!t->left) {
		*min = t;
		return t->right;
	}
	t->left = emu_area_remove_min(t->left, min);
	return emu_area_balance(t);
}

/*
 * A node with a right subtree is replaced by that subtree's minimum (its
 * successor), even when it has no left child: that keeps the successor,
 * whose gap_before changed, on the path that gets refixed.
 */
static struct emu_area *emu_area_remove_at(struct emu_area *t,
					   struct emu_area *n)
{
	struct emu_area *m, *rest;

	if (t == n) {
		if (!t->right)
			return t->left;
		rest = emu_area_remove_min(t->right, &m);
		m->left = t->left;
		m->right = rest;
		return emu_area_balance(m);
	}
	if (n->iova < t->iova)
		t->left = emu_area_remove_at(t->left, n);
	else
		t->right = emu_area_remove_at(t->right, n);
	return emu_area_balance(t);
}

/*
 * One descent finds both neighbours: the nearest ancestors where the path
 * turned right (predecessor) and left (successor), unless the node's own
 * subtrees hold closer ones. The removal's own descent then runs over the
 * same, now cached, path.
 */
void emu_area_remove(struct emu_area_store *s, struct emu_area *area)
{
	struct emu_area *t = s->root, *pred = NULL, *succ = NULL;

	while (t != area) {
		if (area->iova < t->iova) {
			succ = t;
			t = t->left;
		} else {
			pred = t;
			t = t->right;
		}
	}
	if (area->left)
		for (pred = area->left; pred->right; pred = pred->right)
			;
	if (area->right)
		for (succ = area->right; succ->left; succ = succ->left)
			;
	if (succ)
		succ->gap_before = pred ? succ->iova - pred->last - 1 : 0;
	s->root = emu_area_remove_at(s->root, area);
	area->left = NULL;
	area->right = NULL;
	s->nr--;
}
