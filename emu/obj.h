/* SPDX-License-Identifier: MIT */
/*
 * The object table of one iommufd context and the header every object
 * embeds first.
 *
 * Ids are u32 in [1, EMU_OBJ_ID_MAX], one namespace for all types, lowest
 * free id first. Creation is "reserve, then publish": emu_obj_reserve takes
 * the id, the object is built, and emu_obj_publish makes it visible; a
 * failed build calls emu_obj_abort and the id is free again, so failed
 * calls consume no id. While reserved, an id is invisible to lookups (and
 * to DESTROY, which sees ENOENT).
 *
 * users: 1 for the table itself plus one per holder (a HWPT on its IOAS, a
 * device on its HWPT, the VFIO driver on a bound DEVICE). IOMMU_DESTROY
 * works only at exactly 1. The model is single-threaded, so the kernel's
 * transient lookup references are not modelled.
 */
#ifndef EMU_OBJ_H
#define EMU_OBJ_H

#include <stdbool.h>
#include <stdint.h>

#define EMU_OBJ_ID_MAX 0x7fffffffu

enum emu_obj_type {
	EMU_OBJ_ANY,		/* lookup wildcard, never an object's type */
	EMU_OBJ_IOAS,
	EMU_OBJ_HWPT_PAGING,
	EMU_OBJ_DEVICE,
	EMU_OBJ_FAULT,
	EMU_OBJ_HWPT_NESTED,
	EMU_OBJ_ACCESS,		/* an in-kernel access (emulated device) */
	EMU_OBJ_SELFTEST,	/* the selftest mock's device holder */
	EMU_OBJ_TYPE_COUNT,
};

struct emu_obj {
	enum emu_obj_type type;
	uint32_t id;
	unsigned int users;
	bool published;
};

struct emu_heap;

struct emu_objtable {
	struct emu_obj **slots;	/* slots[id - 1], NULL when free */
	uint32_t nr_slots;
	uint32_t nr_used;	/* reserved or published ids */
	unsigned int *nr_live;	/* machine-wide count of published objects */
	struct emu_heap *heap;	/* where the slots come from (heap.h) */
};

/* An empty table counting into @nr_live, its slots from @heap (NULL: libc). */
void emu_objtable_init(struct emu_objtable *t, unsigned int *nr_live,
		       struct emu_heap *heap);
/* Frees the slot array; every object must be gone already. */
void emu_objtable_fini(struct emu_objtable *t);

/*
 * Give @obj the lowest free id and type @type, users 1, unpublished.
 * Returns 0, -ENOMEM, or -EBUSY when the id space is exhausted.
 */
int emu_obj_reserve(struct emu_objtable *t, struct emu_obj *obj,
		    enum emu_obj_type type);
void emu_obj_publish(struct emu_objtable *t, struct emu_obj *obj);
/* Release the id of an object that was reserved but never published. */
void emu_obj_abort(struct emu_objtable *t, struct emu_obj *obj);
/* Release the id of a published object (its teardown is the caller's). */
void emu_obj_remove(struct emu_objtable *t, struct emu_obj *obj);

/*
 * The published object @id of type @type (EMU_OBJ_ANY: any type), or NULL
 * when there is none or its type differs.
 */
struct emu_obj *emu_obj_find(const struct emu_objtable *t, uint32_t id,
			     enum emu_obj_type type);

/* The published object with the lowest id >= @id, or NULL. */
struct emu_obj *emu_obj_next(const struct emu_objtable *t, uint32_t id);

#endif /* EMU_OBJ_H */
