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
#include <sys/types.h>

struct emu;
struct emu_area;
struct emu_mm;

/*
 * Pages an in-kernel access pinned (emu_pages_access_add): a range of page
 * numbers of the user VA space, with the number of pins taken on exactly
 * that range (the kernel's iopt_pages_access).
 */
struct emu_pages_access {
	uint64_t first;
	uint64_t last;			/* inclusive */
	unsigned int users;
};

/*
 * Where pinned memory of another process lives (a shared mapping of its,
 * [start, end) of its VA space, backed by file offset pgoff of dev:ino),
 * so that the pages can still be reached once that process is gone, as
 * the kernel reaches its pinned pages: through another process that maps
 * the same memory.
 */
struct emu_pages_alias {
	uint64_t start;
	uint64_t end;
	uint64_t pgoff;
	uint64_t dev;
	uint64_t ino;
	pid_t local_pid;	/* where it was last found: that process, */
	uint64_t local_start;	/* at this address (of start) */
};

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
	struct emu_pages_access *accesses;
	uint32_t nr_accesses;
	struct emu_pages_alias *aliases;
	uint32_t nr_aliases;
	pid_t owner;			/* the process whose memory it is */
	bool held;			/* the creator has not released it */
	bool writeable;			/* may back writeable areas */
	uint8_t acct;			/* enum emu_acct */
	struct emu_heap *heap;		/* its machine's, for its frees */
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

/*
 * An in-kernel access pins the pages numbered [first, last] (page numbers
 * of the user VA space, inside the object): a second pin of exactly the
 * same range only counts a user; otherwise what is not pinned yet is
 * pinned and charged as for a load (-EFAULT, -ENOMEM, nothing changed on
 * failure).
 */
int emu_pages_access_add(struct emu *emu, struct emu_pages *pages,
			 uint64_t first, uint64_t last,
			 const struct emu_mm *mm);
/* Drop one pin of exactly [first, last]; unpin what nothing else holds. */
void emu_pages_access_remove(struct emu *emu, struct emu_pages *pages,
			     uint64_t first, uint64_t last);

/*
 * Where [va, va + len) of @pages (pinned memory of another process) is
 * mapped in the process of @local: 0 with *@out, or -EFAULT when it is
 * not (the memory was not shared, or @local does not map it). The place
 * found is remembered; with @local NULL, the place last found in process
 * @pid is given, if any (-EFAULT otherwise), without reading a map.
 */
int emu_pages_alias_va(struct emu_pages *pages, pid_t pid,
		       const struct emu_mm *local, uint64_t va, uint64_t len,
		       uint64_t *out);

/*
 * Pins on the page numbered @pfn of @pages: 1 when it is in the pinned
 * set (the kernel pins a page once per pages object), else 0.
 */
unsigned int emu_pages_pinned_at(struct emu_pages *pages, uint64_t pfn);

#endif /* EMU_PAGES_H */
