// SPDX-License-Identifier: MIT
/*
 * The per-context object table (obj.h): a slot array indexed by id - 1,
 * grown on demand. Finding the lowest free id is a linear scan, matching
 * the kernel's lowest-free-first xarray allocation without its machinery.
 */
#include <errno.h>
#include <stdlib.h>

#include "heap.h"
#include "obj.h"

void emu_objtable_init(struct emu_objtable *t, unsigned int *nr_live,
		       struct emu_heap *heap)
{
	t->slots = NULL;
	t->nr_slots = 0;
	t->nr_used = 0;
	t->nr_live = nr_live;
	t->heap = heap;
}

void emu_objtable_fini(struct emu_objtable *t)
{
	emu_heap_free(t->heap, t->slots);
	t->slots = NULL;
	t->nr_slots = 0;
}

int emu_obj_reserve(struct emu_objtable *t, struct emu_obj *obj,
		    enum emu_obj_type type)
{
	uint32_t i;

	for (i = 0; i < t->nr_slots; i++) {
		if (!t->slots[i])
			break;
	}
	if (i == t->nr_slots) {
		uint32_t ncap;
		struct emu_obj **ns;
		uint32_t j;

		if (t->nr_slots >= EMU_OBJ_ID_MAX)
			return -EBUSY;
		ncap = t->nr_slots ? t->nr_slots * 2 : 16;
		if (ncap > EMU_OBJ_ID_MAX || ncap < t->nr_slots)
			ncap = EMU_OBJ_ID_MAX;
		ns = emu_heap_realloc(t->heap, t->slots,
				      (size_t)ncap * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		for (j = t->nr_slots; j < ncap; j++)
			ns[j] = NULL;
		t->slots = ns;
		t->nr_slots = ncap;
	}
	obj->type = type;
	obj->id = i + 1;
	obj->users = 1;
	obj->published = false;
	t->slots[i] = obj;
	t->nr_used++;
	return 0;
}

void emu_obj_publish(struct emu_objtable *t, struct emu_obj *obj)
{
	obj->published = true;
	(*t->nr_live)++;
}

void emu_obj_abort(struct emu_objtable *t, struct emu_obj *obj)
{
	t->slots[obj->id - 1] = NULL;
	t->nr_used--;
}

void emu_obj_remove(struct emu_objtable *t, struct emu_obj *obj)
{
	t->slots[obj->id - 1] = NULL;
	t->nr_used--;
	obj->published = false;
	(*t->nr_live)--;
}

struct emu_obj *emu_obj_find(const struct emu_objtable *t, uint32_t id,
			     enum emu_obj_type type)
{
	struct emu_obj *obj;

	if (id == 0 || id > t->nr_slots)
		return NULL;
	obj = t->slots[id - 1];
	if (!obj || !obj->published)
		return NULL;
	if (type != EMU_OBJ_ANY && obj->type != type)
		return NULL;
	return obj;
}

struct emu_obj *emu_obj_next(const struct emu_objtable *t, uint32_t id)
{
	uint32_t i;

	if (id == 0)
		id = 1;
	for (i = id - 1; i < t->nr_slots; i++) {
		if (t->slots[i] && t->slots[i]->published)
			return t->slots[i];
	}
	return NULL;
}
