// SPDX-License-Identifier: MIT
/*
 * The area store (area.h): a B+tree over the areas' IOVAs with the gap
 * augmentation.
 *
 * Nodes: every node has up to EMU_AREA_FAN entries. A leaf entry is one
 * area (its iova as the key, its last, the area pointer); the leaf also
 * stores its lead, the gap of its first area, because that gap depends on
 * the previous leaf. An inner entry is a child with its separator key and
 * the largest gap under it. Whether a node is a leaf follows from its
 * level (every leaf is at depth height - 1), so nodes carry no flag.
 *
 * Separator invariant (inner node n, 1 <= k < n->nr): every area under
 * child k - 1 has last < key[k] <= the iova of every area under child k.
 * So the descent for x (into the child after the last key <= x) reaches
 * the only leaf that can hold the area containing x, and everything left
 * of the path ends before x. key[0] of an inner node is not a separator
 * (it is only carried along when entries move). Removals never need to
 * touch separators; an insert raises the separator right of its path when
 * the new area reaches past it.
 *
 * Fill: non-root nodes are rebalanced (merged with a neighbour, or the
 * two evened out) when a removal leaves them under EMU_AREA_MIN entries.
 * A full node splits in half, except when the new entry goes at one end:
 * then the full part stays full and the new entry gets a node of its own,
 * so an ascending (or descending) build packs its nodes densely; such a
 * one-entry node only survives at the edge of what was being filled.
 *
 * Gap invariant: inner->max_gap[k] is the largest gap of an area under
 * child k, exactly. An update recomputes it on the path it walked, from
 * the nodes of that path (hot in cache); an insert or a removal also
 * changes the gap of the next area, which lies in the next leaf when the
 * changed entry is the last of its leaf, and then that leaf's path is
 * refreshed as well.
 */
#include <errno.h>
#include <stdlib.h>

#include "area.h"
#include "heap.h"

#define EMU_AREA_FAN 16
#define EMU_AREA_MIN (EMU_AREA_FAN / 4)
/*
 * Every node but the root holds at least EMU_AREA_MIN entries or was the
 * one-entry end of a split that left a full node beside it, so a tree of
 * height h holds well over 2^h areas: 32 levels are never reached.
 */
#define EMU_AREA_MAX_DEPTH 32

struct emu_area_node {
	uint64_t key[EMU_AREA_FAN];
	union {
		struct {
			uint64_t last[EMU_AREA_FAN];
			struct emu_area *area[EMU_AREA_FAN];
			uint64_t lead;		/* gap of area[0] */
		} l;
		struct {
			struct emu_area_node *child[EMU_AREA_FAN];
			uint64_t max_gap[EMU_AREA_FAN];
		} i;
	};
	unsigned int nr;
};

/*
 * A root-to-leaf walk: node[d] at depth d and idx[d], the child taken
 * (inner) or a position in the leaf, whose meaning the walker states.
 */
struct emu_area_path {
	struct emu_area_node *node[EMU_AREA_MAX_DEPTH];
	unsigned int idx[EMU_AREA_MAX_DEPTH];
};

/*
 * The entries of up to two nodes laid end to end, for splits and merges
 * (the rare paths): lead is the gap of entry 0 when they are leaves.
 */
struct emu_area_tmp {
	uint64_t key[2 * EMU_AREA_FAN];
	uint64_t last[2 * EMU_AREA_FAN];
	struct emu_area *area[2 * EMU_AREA_FAN];
	struct emu_area_node *child[2 * EMU_AREA_FAN];
	uint64_t max_gap[2 * EMU_AREA_FAN];
	uint64_t lead;
	unsigned int nr;
};

static inline void emu_area_node_prefetch(const struct emu_area_node *n)
{
	const char *p = (const char *)n;
	size_t off;

	/* The key scan and the entry it selects are then one round trip. */
	for (off = 0; off < sizeof(*n); off += 64)
		__builtin_prefetch(p + off);
}

/*
 * How many of key[from, nr) are <= x. Keys are sorted, so this is a
 * position; counting without branches lets every key line load at once.
 */
static inline unsigned int emu_area_count_le(const uint64_t *key,
					     unsigned int from,
					     unsigned int nr, uint64_t x)
{
	unsigned int k, c = 0;

	for (k = from; k < nr; k++)
		c += key[k] <= x;
	return c;
}

static inline uint64_t emu_area_leaf_gap(const struct emu_area_node *n,
					 unsigned int k)
{
	return k ? n->key[k] - n->l.last[k - 1] - 1 : n->l.lead;
}

static uint64_t emu_area_node_max(const struct emu_area_node *n, bool leaf)
{
	uint64_t m = 0, g;
	unsigned int k;

	for (k = 0; k < n->nr; k++) {
		g = leaf ? emu_area_leaf_gap(n, k) : n->i.max_gap[k];
		if (g > m)
			m = g;
	}
	return m;
}

void emu_area_store_init(struct emu_area_store *s, struct emu_heap *heap)
{
	s->root = NULL;
	s->height = 0;
	s->nr = 0;
	s->heap = heap;
}

static void emu_area_free_nodes(struct emu_heap *heap,
				struct emu_area_node *n, unsigned int levels)
{
	unsigned int k;

	if (levels > 1) {
		for (k = 0; k < n->nr; k++)
			emu_area_free_nodes(heap, n->i.child[k], levels - 1);
	}
	emu_heap_free(heap, n);
}

void emu_area_store_fini(struct emu_area_store *s)
{
	if (s->root)
		emu_area_free_nodes(s->heap, s->root, s->height);
	emu_area_store_init(s, s->heap);
}

/*
 * Walk to the leaf for @x (the store is not empty): inner idx is the child
 * taken, the leaf's idx the number of its areas with iova <= x.
 */
static struct emu_area_node *emu_area_descend(const struct emu_area_store *s,
					      uint64_t x,
					      struct emu_area_path *p)
{
	struct emu_area_node *n = s->root;
	unsigned int d, last = s->height - 1;

	for (d = 0; d < last; d++) {
		p->node[d] = n;
		p->idx[d] = emu_area_count_le(n->key, 1, n->nr, x);
		n = n->i.child[p->idx[d]];
		emu_area_node_prefetch(n);
	}
	p->node[last] = n;
	p->idx[last] = emu_area_count_le(n->key, 0, n->nr, x);
	return n;
}

/* Move @p to the first entry of the next leaf; false at the last leaf. */
static bool emu_area_path_next_leaf(const struct emu_area_store *s,
				    struct emu_area_path *p)
{
	unsigned int d = s->height - 1;

	while (d-- > 0) {
		if (p->idx[d] + 1 < p->node[d]->nr) {
			p->idx[d]++;
			for (; d + 1 < s->height; d++) {
				p->node[d + 1] = p->node[d]->i.child[p->idx[d]];
				p->idx[d + 1] = 0;
			}
			return true;
		}
	}
	return false;
}

static bool emu_area_path_first_leaf(const struct emu_area_store *s,
				     const struct emu_area_path *p)
{
	unsigned int d;

	for (d = 0; d + 1 < s->height; d++) {
		if (p->idx[d])
			return false;
	}
	return true;
}

/* Recompute max_gap above depth @d (node[d] is final) up to the root. */
static void emu_area_path_refresh(const struct emu_area_store *s,
				  const struct emu_area_path *p, unsigned int d)
{
	for (; d > 0; d--)
		p->node[d - 1]->i.max_gap[p->idx[d - 1]] =
			emu_area_node_max(p->node[d], d == s->height - 1);
}

struct emu_area *emu_area_first_hit(const struct emu_area_store *s,
				    uint64_t start, uint64_t last)
{
	struct emu_area_path p;
	struct emu_area_node *n;
	unsigned int k;

	if (!s->root)
		return NULL;
	n = emu_area_descend(s, start, &p);
	k = p.idx[s->height - 1];
	if (k && n->l.last[k - 1] >= start) {
		k--;
	} else if (k == n->nr) {
		/* Everything in this leaf ends before start. */
		if (!emu_area_path_next_leaf(s, &p))
			return NULL;
		n = p.node[s->height - 1];
		k = 0;
	}
	return n->key[k] <= last ? n->l.area[k] : NULL;
}

struct emu_area *emu_area_first(const struct emu_area_store *s)
{
	struct emu_area_node *n = s->root;
	unsigned int d;

	if (!n)
		return NULL;
	for (d = 1; d < s->height; d++)
		n = n->i.child[0];
	return n->l.area[0];
}

struct emu_area *emu_area_last(const struct emu_area_store *s)
{
	struct emu_area_node *n = s->root;
	unsigned int d;

	if (!n)
		return NULL;
	for (d = 1; d < s->height; d++)
		n = n->i.child[n->nr - 1];
	return n->l.area[n->nr - 1];
}

struct emu_area *emu_area_next(const struct emu_area_store *s,
			       const struct emu_area *area)
{
	struct emu_area_path p;
	struct emu_area_node *n;
	unsigned int k;

	n = emu_area_descend(s, area->iova, &p);
	k = p.idx[s->height - 1];
	if (k < n->nr)
		return n->l.area[k];
	if (!emu_area_path_next_leaf(s, &p))
		return NULL;
	return p.node[s->height - 1]->l.area[0];
}

/* First area at or after entry @k of leaf @n with a gap >= @need. */
static struct emu_area *emu_area_leaf_gap_scan(const struct emu_area_node *n,
					       unsigned int k, uint64_t need,
					       uint64_t *gap)
{
	for (; k < n->nr; k++) {
		if (emu_area_leaf_gap(n, k) >= need) {
			*gap = emu_area_leaf_gap(n, k);
			return n->l.area[k];
		}
	}
	return NULL;
}

/* The first fitting gap under @n, @levels deep (leaf: 1). */
static struct emu_area *emu_area_gap_down(const struct emu_area_node *n,
					  unsigned int levels, uint64_t need,
					  uint64_t *gap)
{
	unsigned int k;

	for (; levels > 1; levels--) {
		for (k = 0; k < n->nr && n->i.max_gap[k] < need; k++)
			;
		if (k == n->nr)
			return NULL;
		n = n->i.child[k];
	}
	return emu_area_leaf_gap_scan(n, 0, need, gap);
}

/*
 * Subtrees whose max_gap is too small are skipped whole: the walk is the
 * path to @after, back up to the first ancestor with a fitting child to
 * its right, and one descent into that child.
 */
struct emu_area *emu_area_gap_next(const struct emu_area_store *s,
				   const struct emu_area *after,
				   uint64_t need, uint64_t *gap)
{
	struct emu_area_path p;
	struct emu_area_node *n;
	struct emu_area *a;
	unsigned int d, k;

	if (!s->root)
		return NULL;
	if (!after)
		return emu_area_gap_down(s->root, s->height, need, gap);
	n = emu_area_descend(s, after->iova, &p);
	a = emu_area_leaf_gap_scan(n, p.idx[s->height - 1], need, gap);
	if (a)
		return a;
	for (d = s->height - 1; d-- > 0;) {
		n = p.node[d];
		for (k = p.idx[d] + 1; k < n->nr; k++) {
			if (n->i.max_gap[k] >= need)
				return emu_area_gap_down(n->i.child[k],
							 s->height - 1 - d,
							 need, gap);
		}
	}
	return NULL;
}

static void emu_area_tmp_collect(struct emu_area_tmp *t,
				 const struct emu_area_node *n, bool leaf)
{
	unsigned int k, at = t->nr;

	if (leaf && !at)
		t->lead = n->l.lead;
	for (k = 0; k < n->nr; k++) {
		t->key[at + k] = n->key[k];
		if (leaf) {
			t->last[at + k] = n->l.last[k];
			t->area[at + k] = n->l.area[k];
		} else {
			t->child[at + k] = n->i.child[k];
			t->max_gap[at + k] = n->i.max_gap[k];
		}
	}
	t->nr += n->nr;
}

/* Make @n hold entries [from, to) of @t. */
static void emu_area_tmp_fill(const struct emu_area_tmp *t,
			      struct emu_area_node *n, bool leaf,
			      unsigned int from, unsigned int to)
{
	unsigned int k;

	for (k = from; k < to; k++) {
		n->key[k - from] = t->key[k];
		if (leaf) {
			n->l.last[k - from] = t->last[k];
			n->l.area[k - from] = t->area[k];
		} else {
			n->i.child[k - from] = t->child[k];
			n->i.max_gap[k - from] = t->max_gap[k];
		}
	}
	n->nr = to - from;
	if (leaf)
		n->l.lead = from ? t->key[from] - t->last[from - 1] - 1 :
				   t->lead;
}

/*
 * Where a full node splits when an entry is added at @pos: in half,
 * unless the entry goes at an end (an ascending or descending fill),
 * where the old entries stay together and keep their node full.
 */
static unsigned int emu_area_split_point(unsigned int pos)
{
	if (pos == EMU_AREA_FAN)
		return EMU_AREA_FAN;
	if (pos == 0)
		return 1;
	return (EMU_AREA_FAN + 1) / 2;
}

/* One entry on its way into a node: an area or a child. */
struct emu_area_entry {
	uint64_t key;
	uint64_t last;			/* leaf: the area's last */
	struct emu_area *area;
	struct emu_area_node *child;	/* inner: the child and its max gap */
	uint64_t max_gap;
};

/*
 * Put @e at @pos of @n. A full node splits into itself and @spare, and
 * the new right half is returned, for the caller to add to the parent;
 * else NULL. @lead: the gap of @e, stored when it becomes entry 0 of a
 * leaf.
 */
static struct emu_area_node *emu_area_node_add(struct emu_area_node *n,
					       bool leaf, unsigned int pos,
					       const struct emu_area_entry *e,
					       uint64_t lead,
					       struct emu_area_node *spare)
{
	struct emu_area_tmp t;
	unsigned int k, m;

	if (n->nr < EMU_AREA_FAN) {
		for (k = n->nr; k > pos; k--) {
			n->key[k] = n->key[k - 1];
			if (leaf) {
				n->l.last[k] = n->l.last[k - 1];
				n->l.area[k] = n->l.area[k - 1];
			} else {
				n->i.child[k] = n->i.child[k - 1];
				n->i.max_gap[k] = n->i.max_gap[k - 1];
			}
		}
		n->key[pos] = e->key;
		if (leaf) {
			n->l.last[pos] = e->last;
			n->l.area[pos] = e->area;
			if (!pos)
				n->l.lead = lead;
		} else {
			n->i.child[pos] = e->child;
			n->i.max_gap[pos] = e->max_gap;
		}
		n->nr++;
		return NULL;
	}
	t.nr = 0;
	emu_area_tmp_collect(&t, n, leaf);
	for (k = t.nr; k > pos; k--) {
		t.key[k] = t.key[k - 1];
		t.last[k] = t.last[k - 1];
		t.area[k] = t.area[k - 1];
		t.child[k] = t.child[k - 1];
		t.max_gap[k] = t.max_gap[k - 1];
	}
	t.key[pos] = e->key;
	t.last[pos] = e->last;
	t.area[pos] = e->area;
	t.child[pos] = e->child;
	t.max_gap[pos] = e->max_gap;
	if (leaf && !pos)
		t.lead = lead;
	t.nr++;
	m = emu_area_split_point(pos);
	emu_area_tmp_fill(&t, n, leaf, 0, m);
	emu_area_tmp_fill(&t, spare, leaf, m, t.nr);
	return spare;
}

int emu_area_insert(struct emu_area_store *s, struct emu_area *area)
{
	struct emu_area_node *spare[EMU_AREA_MAX_DEPTH + 1], *n, *right;
	struct emu_area_entry e = {
		.key = area->iova, .last = area->last, .area = area,
	};
	struct emu_area_path p, q;
	unsigned int d, h = s->height, need = 0, used = 0, pos;
	uint64_t lead;

	if (!s->root) {
		n = emu_heap_zalloc(s->heap, sizeof(*n));
		if (!n)
			return -ENOMEM;
		n->nr = 0;
		emu_area_node_add(n, true, 0, &e, 0, NULL);
		s->root = n;
		s->height = 1;
		s->nr = 1;
		return 0;
	}
	n = emu_area_descend(s, area->iova, &p);
	/* A node per full node from the leaf up, and a root if all are. */
	for (d = h; d-- > 0 && p.node[d]->nr == EMU_AREA_FAN;)
		need++;
	if (need == h)
		need++;
	for (; used < need; used++) {
		spare[used] = emu_heap_zalloc(s->heap, sizeof(*spare[used]));
		if (!spare[used])
			goto err_free_spares;
	}

	pos = p.idx[h - 1];
	if (pos)
		lead = area->iova - n->l.last[pos - 1] - 1;
	else if (emu_area_path_first_leaf(s, &p))
		lead = 0;
	else	/* the previous area ends lead + 1 before this leaf's first */
		lead = n->l.lead - (n->key[0] - area->iova);
	if (pos == n->nr) {
		/* The next area, if any, is the next leaf's first. */
		q = p;
		if (emu_area_path_next_leaf(s, &q)) {
			struct emu_area_node *y = q.node[h - 1];

			y->l.lead = y->key[0] - area->last - 1;
			emu_area_path_refresh(s, &q, h - 1);
		}
	}
	/* Keep every area left of a separator ending before it. */
	for (d = 0; d + 1 < h; d++) {
		if (p.idx[d] + 1 < p.node[d]->nr &&
		    p.node[d]->key[p.idx[d] + 1] <= area->last)
			p.node[d]->key[p.idx[d] + 1] = area->last + 1;
	}

	/* Bottom up: each split hands its right half to the parent. */
	for (d = h - 1;; d--) {
		right = emu_area_node_add(p.node[d], d == h - 1, pos, &e, lead,
					  used ? spare[need - used] : NULL);
		if (!right)
			break;
		used--;
		e.key = right->key[0];
		e.child = right;
		e.max_gap = emu_area_node_max(right, d == h - 1);
		if (!d) {
			/* A new root above the old one and its new sibling. */
			n = spare[need - used];
			used--;
			n->nr = 1;
			n->key[0] = p.node[0]->key[0];
			n->i.child[0] = p.node[0];
			n->i.max_gap[0] = emu_area_node_max(p.node[0], h == 1);
			emu_area_node_add(n, false, 1, &e, 0, NULL);
			s->root = n;
			s->height++;
			break;
		}
		p.node[d - 1]->i.max_gap[p.idx[d - 1]] =
			emu_area_node_max(p.node[d], d == h - 1);
		pos = p.idx[d - 1] + 1;
	}
	emu_area_path_refresh(s, &p, d);
	s->nr++;
	return 0;

err_free_spares:
	while (used--)
		emu_heap_free(s->heap, spare[used]);
	return -ENOMEM;
}

/*
 * Child @i of @par (depth @d) fell under EMU_AREA_MIN entries: merge it
 * with a neighbour when both fit in one node, else even the two out.
 * Refreshes the max_gap of what remains.
 */
static void emu_area_rebalance(struct emu_heap *heap,
			       struct emu_area_node *par, unsigned int i,
			       bool leaf)
{
	struct emu_area_node *l, *r;
	struct emu_area_tmp t;
	unsigned int li, k, m;

	if (par->nr == 1) {
		/* An end of a one-entry split: nothing to lean on here. */
		l = par->i.child[0];
		if (l->nr) {
			par->i.max_gap[0] = emu_area_node_max(l, leaf);
		} else {
			emu_heap_free(heap, l);
			par->nr = 0;
		}
		return;
	}
	li = i ? i - 1 : i;
	l = par->i.child[li];
	r = par->i.child[li + 1];
	t.nr = 0;
	emu_area_tmp_collect(&t, l, leaf);
	emu_area_tmp_collect(&t, r, leaf);
	/* An inner node's key[0] is stale: the parent knows the boundary. */
	if (!leaf)
		t.key[l->nr] = par->key[li + 1];
	if (t.nr <= EMU_AREA_FAN) {
		emu_area_tmp_fill(&t, l, leaf, 0, t.nr);
		emu_heap_free(heap, r);
		for (k = li + 1; k + 1 < par->nr; k++) {
			par->key[k] = par->key[k + 1];
			par->i.child[k] = par->i.child[k + 1];
			par->i.max_gap[k] = par->i.max_gap[k + 1];
		}
		par->nr--;
	} else {
		m = t.nr / 2;
		emu_area_tmp_fill(&t, l, leaf, 0, m);
		emu_area_tmp_fill(&t, r, leaf, m, t.nr);
		par->key[li + 1] = t.key[m];
		par->i.max_gap[li + 1] = emu_area_node_max(r, leaf);
	}
	par->i.max_gap[li] = emu_area_node_max(l, leaf);
}

void emu_area_remove(struct emu_area_store *s, struct emu_area *area)
{
	struct emu_area_path p, q;
	struct emu_area_node *n, *y;
	unsigned int d, h = s->height, k;
	uint64_t succ_gap = 0;
	bool first;

	n = emu_area_descend(s, area->iova, &p);
	k = p.idx[h - 1] - 1;		/* n->l.area[k] == area */
	first = !k && emu_area_path_first_leaf(s, &p);
	/*
	 * The next area's gap grows to span the removed area and its gap:
	 * it starts after the previous area, or is 0 with no previous one.
	 */
	if (!first)
		succ_gap = (k ? area->iova - n->l.last[k - 1] - 1 :
				n->l.lead) + (area->last - area->iova + 1);
	if (k + 1 < n->nr) {
		if (!k)
			n->l.lead = first ? 0 : succ_gap + n->key[1] -
						area->last - 1;
	} else {
		q = p;
		if (emu_area_path_next_leaf(s, &q)) {
			y = q.node[h - 1];
			y->l.lead = first ? 0 : succ_gap + y->l.lead;
			emu_area_path_refresh(s, &q, h - 1);
		}
	}
	for (; k + 1 < n->nr; k++) {
		n->key[k] = n->key[k + 1];
		n->l.last[k] = n->l.last[k + 1];
		n->l.area[k] = n->l.area[k + 1];
	}
	n->nr--;
	s->nr--;

	for (d = h - 1; d > 0; d--) {
		if (p.node[d]->nr < EMU_AREA_MIN)
			emu_area_rebalance(s->heap, p.node[d - 1],
					   p.idx[d - 1], d == h - 1);
		else
			p.node[d - 1]->i.max_gap[p.idx[d - 1]] =
				emu_area_node_max(p.node[d], d == h - 1);
	}
	/* A root with one child hands over to it; an empty one goes. */
	while (s->height > 1 && s->root->nr == 1) {
		n = s->root;
		s->root = n->i.child[0];
		s->height--;
		emu_heap_free(s->heap, n);
	}
	if (!s->root->nr) {
		emu_heap_free(s->heap, s->root);
		s->root = NULL;
		s->height = 0;
	}
}
