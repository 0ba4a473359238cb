/* SPDX-License-Identifier: MIT */
/*
 * Pages objects: the user memory behind areas, with its pins and its
 * locked-memory charge (spec 4.7).
 *
 * A MAP creates one pages object for [user_va, user_va + length); a COPY
 * makes new areas that share the source's pages objects (one pin, one
 * charge). An area is "loaded" while its IOAS has a domain; the pages
 * pinned for a pages object are exactly the union of the PAGE_SIZE pages
 * its loaded areas touch, so two domains, or a COPY into another
 * domain-backed IOAS, never pin twice. The machine's pinned_pages is the
 * sum over all pages objects.
 *
 * Accounting is fixed when the object is created: none when the caller
 * has CAP_IPC_LOCK, else charged to the user (context mode USER) or to the
 * mm (mode MM), each against the caller's RLIMIT_MEMLOCK. Charges follow
 * the pinned count up and down, so they are all returned when the last
 * pin goes.
 *
 * Lifetime: one reference per area, plus the creator's until it calls
 * emu_pages_release; the object is freed when both are gone, so a MAP
 * that fails half way frees it exactly once.
 */
#ifndef EMU_PAGES_H
#define EMU_PAGES_H

#include <stdbool.h>
#include <stdint.h>

struct emu;
struct emu_area;
struct emu_mm;

enum emu_acct {
	EMU_ACCT_NONE,
	EMU_ACCT_USER,
	EMU_ACCT_MM,
};

struct emu_pages {
	uint64_t user_va;
	uint64_t length;
	uint64_t npinned;		/* PAGE_SIZE pages pinned now */
	/* The areas using the object: inline for one, an array for more. */
	union {
		struct emu_area *one;
		struct emu_area **many;
	} users;
	uint32_t nr_users;
	bool held;			/* the creator has not released it */
	bool writeable;			/* may back writeable areas */
	uint8_t acct;			/* enum emu_acct */
};

/* A new object with no user: 0 or -ENOMEM. */
int emu_pages_create(struct emu *emu, uint64_t user_va, uint64_t length,
		     bool writeable, enum emu_acct acct,
		     struct emu_pages **out);

/* Drop the creator's hold. */
void emu_pages_release(struct emu_pages *pages);

/*
 * Make @area (not loaded) a user of @pages: 0 or -ENOMEM. The last
 * emu_pages_del_user frees the object.
 */
int emu_pages_add_user(struct emu_pages *pages, struct emu_area *area);
/* @area must not be loaded. */
void emu_pages_del_user(struct emu_pages *pages, struct emu_area *area);

/*
 * Load @area: pin what it adds to the pinned set. -EFAULT when the new
 * pages are not mapped in the process with the needed permissions (read,
 * and write for a writeable object), -ENOMEM when the charge exceeds
 * RLIMIT_MEMLOCK. @mm: a snapshot of the process map. On failure nothing
 * changed.
 */
int emu_pages_load(struct emu *emu, struct emu_area *area,
		   const struct emu_mm *mm);
/* Unload @area: unpin and uncharge what only it held. */
void emu_pages_unload(struct emu *emu, struct emu_area *area);

#endif /* EMU_PAGES_H */
