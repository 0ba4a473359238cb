/* SPDX-License-Identifier: MIT */
/*
 * The shadow model of the scratch IOASes: what the kernel does with raw
 * FIXED_IOVA maps and unmaps in an IOAS with no domain (the interpreter's
 * scratch IOAS never gets one), so that the harness knows what each
 * should hold and what each raw call must return. A call the fault plan
 * failed changed nothing and leaves the model as it was (opcheck.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "harness_int.h"

/* Whether [a, +alen) and [b, +blen) meet; neither may wrap. */
bool fuzz_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

/*
 * A FIXED_IOVA map of [iova, +len): EINVAL for length 0, EOVERFLOW when it
 * wraps, EEXIST when it touches an area, else a new area. Returns the
 * errno the model expects and applies the effect to @sh.
 */
int fuzz_model_map(struct fuzz_areas *sh, uint64_t iova, uint64_t len,
		   uint64_t va)
{
	unsigned int i, at = 0;

	if (len == 0)
		return -EINVAL;
	if (iova + len - 1 < iova)
		return -EOVERFLOW;
	for (i = 0; i < sh->count; i++) {
		if (fuzz_overlaps(iova, len, sh->a[i].iova, sh->a[i].length))
			return -EEXIST;
		if (sh->a[i].iova < iova)
			at = i + 1;
	}
	if (sh->count == FUZZ_MAX_AREAS)
		return -ENOSPC;
	memmove(&sh->a[at + 1], &sh->a[at], sizeof(sh->a[0]) *
		(sh->count - at));
	sh->a[at] = (struct fuzz_area){
		.iova = iova, .length = len, .user_va = va, .writeable = true,
	};
	sh->count++;
	return 0;
}

/*
 * IOMMU_IOAS_UNMAP of [iova, +len): EINVAL for length 0; otherwise areas
 * are removed in ascending order while they lie wholly inside the range,
 * and the first one cut by the range stops the walk with ENOENT (what was
 * removed before it stays removed: the ioctl is not atomic). Nothing
 * removed at all is ENOENT too.
 */
int fuzz_model_unmap(struct fuzz_areas *sh, uint64_t iova, uint64_t len)
{
	unsigned int i = 0, removed = 0;

	if (len == 0)
		return -EINVAL;
	if (iova + len - 1 < iova)
		return -EOVERFLOW;
	while (i < sh->count) {
		struct fuzz_area *a = &sh->a[i];

		if (!fuzz_overlaps(iova, len, a->iova, a->length)) {
			i++;
			continue;
		}
		/* Inclusive lasts: a range may end at 2^64 - 1. */
		if (a->iova < iova ||
		    a->iova + (a->length - 1) > iova + (len - 1))
			return -ENOENT;
		memmove(a, a + 1, sizeof(*a) * (sh->count - i - 1));
		sh->count--;
		removed++;
	}
	return removed ? 0 : -ENOENT;
}

/* (d): each scratch IOAS holds exactly what its shadow says. */
void fuzz_check_scratch(struct fuzz_state *h)
{
	struct fuzz_areas got;
	unsigned int k;

	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		uint32_t ioas = h->r.scratch[k].ioas;

		if (!h->r.scratch[k].allocated)
			continue;
		fuzz_areas_of_ioas(h, iofd_backend_fd(h->r.be[k]), ioas, &got);
		if (!fuzz_areas_equal(&got, &h->shadow[k])) {
			fuzz_print_areas("shadow", &h->shadow[k]);
			fuzz_print_areas("emulator areas", &got);
			fuzz_fail(h, "scratch IOAS %u of be%u differs from its shadow",
				  ioas, k);
		}
	}
}
