// SPDX-License-Identifier: MIT
/*
 * Area "ioas": an I/O address space without any domain. IOVA_RANGES and
 * its EMSGSIZE answer, ALLOW_IOVAS, MAP (fixed, automatic placement with
 * its alignment, the argument checks), COPY, UNMAP (exact, superset,
 * partial, everything) and what each writes back.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <linux/iommufd.h>

#include "conform.h"

#define CF_ALL ((uint64_t)-1)

/* IOVA_RANGES with room for @num ranges: prints what came back. */
static void cf_ranges(struct cf *cf, const char *step, int fd, uint32_t ioas,
		      uint32_t num)
{
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = ioas,
		.num_iovas = num,
		.allowed_iovas = (uintptr_t)r,
	};
	char text[256];
	size_t at = 0;
	uint32_t i;
	long rc;

	memset(r, 0, sizeof(r));
	rc = cf_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &q);
	text[0] = '\0';
	for (i = 0; i < q.num_iovas && i < num && i < 4 && !rc; i++)
		at += snprintf(text + at, sizeof(text) - at, " r%u=%#llx-%#llx",
			       i, (unsigned long long)r[i].start,
			       (unsigned long long)r[i].last);
	cf_rec(cf, step, rc, "num=%u align=%#llx%s", q.num_iovas,
	       (unsigned long long)q.out_iova_alignment, text);
}

static long cf_allow(int fd, uint32_t ioas, const struct iommu_iova_range *r,
		     uint32_t num)
{
	struct iommu_ioas_allow_iovas a = {
		.size = sizeof(a),
		.ioas_id = ioas,
		.num_iovas = num,
		.allowed_iovas = (uintptr_t)r,
	};

	return cf_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &a);
}

/* MAP with everything chosen by the caller; records iova written back. */
static void cf_map(struct cf *cf, const char *step, int fd, uint32_t ioas,
		   uint32_t flags, uint64_t va, uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = flags,
		.ioas_id = ioas,
		.user_va = va,
		.length = len,
		.iova = iova,
	};
	long rc = cf_ioctl(fd, IOMMU_IOAS_MAP, &m);

	cf_rec(cf, step, rc, "iova=%#llx", (unsigned long long)m.iova);
}

static void cf_unmap_rec(struct cf *cf, const char *step, int fd,
			 uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};
	long rc = cf_ioctl(fd, IOMMU_IOAS_UNMAP, &u);

	cf_rec(cf, step, rc, "length=%#llx", (unsigned long long)u.length);
}

static void cf_copy(struct cf *cf, const char *step, int fd, uint32_t flags,
		    uint32_t dst, uint32_t src, uint64_t len, uint64_t dst_iova,
		    uint64_t src_iova)
{
	struct iommu_ioas_copy c = {
		.size = sizeof(c),
		.flags = flags,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = len,
		.dst_iova = dst_iova,
		.src_iova = src_iova,
	};
	long rc = cf_ioctl(fd, IOMMU_IOAS_COPY, &c);

	cf_rec(cf, step, rc, "dst_iova=%#llx", (unsigned long long)c.dst_iova);
}

#define RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)
#define FIX IOMMU_IOAS_MAP_FIXED_IOVA

int cf_area_ioas(struct cf *cf)
{
	const struct iommu_iova_range allow[] = {
		{ .start = 0x100000, .last = 0x1fffffff },
		{ .start = 0x40000000, .last = 0x7fffffff },
	};
	const struct iommu_iova_range overlap[] = {
		{ .start = 0x100000, .last = 0x2fffff },
		{ .start = 0x200000, .last = 0x3fffff },
	};
	const struct iommu_iova_range backwards[] = {
		{ .start = 0x200000, .last = 0x100000 },
	};
	int fd = cf_iommufd_open();
	uint32_t ioas = cf_ioas_alloc(fd), ioas2 = cf_ioas_alloc(fd);
	uint64_t va = cf_va(cf, 0);

	cf_ranges(cf, "ranges-fresh", fd, ioas, 4);
	cf_ranges(cf, "ranges-none-room", fd, ioas, 0);
	cf_ranges(cf, "ranges-bad-ioas", fd, 999, 4);
	{
		struct iommu_ioas_iova_ranges q = {
			.size = sizeof(q), .ioas_id = ioas, .__reserved = 1,
		};

		cf_rec(cf, "ranges-reserved",
		       cf_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &q), NULL);
	}

	cf_rec(cf, "allow", cf_allow(fd, ioas, allow, 2), NULL);
	cf_ranges(cf, "ranges-allowed", fd, ioas, 4);
	cf_ranges(cf, "ranges-allowed-short", fd, ioas, 1);
	cf_rec(cf, "allow-overlap", cf_allow(fd, ioas, overlap, 2), NULL);
	cf_rec(cf, "allow-backwards", cf_allow(fd, ioas, backwards, 1), NULL);
	cf_rec(cf, "allow-bad-ioas", cf_allow(fd, 999, allow, 1), NULL);
	cf_map(cf, "map-auto-allowed", fd, ioas, RW, va, 4ULL << 20, 0);
	cf_map(cf, "map-fixed-outside-allowed", fd, ioas, RW | FIX, va,
	       CF_PG, 0x90000000);
	cf_rec(cf, "allow-over-mapped", cf_allow(fd, ioas, &allow[1], 1),
	       NULL);
	cf_unmap_rec(cf, "unmap-all-allowed", fd, ioas, 0, CF_ALL);
	cf_rec(cf, "allow-clear", cf_allow(fd, ioas, NULL, 0), NULL);
	cf_ranges(cf, "ranges-cleared", fd, ioas, 4);

	/* Automatic placement: alignment from the length and the VA. */
	cf_map(cf, "map-auto-4m", fd, ioas, RW, va, 4ULL << 20, 0);
	cf_map(cf, "map-auto-1p", fd, ioas, RW, va, CF_PG, 0);
	cf_map(cf, "map-auto-3p", fd, ioas, RW, va, 3 * CF_PG, 0);
	cf_map(cf, "map-auto-offset", fd, ioas, RW, va + 0x123, CF_PG, 0);
	cf_map(cf, "map-auto-64k-va", fd, ioas, RW, va + 0x10000, 0x40000, 0);
	cf_unmap_rec(cf, "unmap-all-auto", fd, ioas, 0, CF_ALL);

	/* Fixed placement and the argument checks. */
	cf_map(cf, "map-fixed", fd, ioas, RW | FIX, va, 0x10000, 0x10000000);
	cf_map(cf, "map-fixed-again", fd, ioas, RW | FIX, va, CF_PG,
	       0x10000000);
	cf_map(cf, "map-fixed-overlap-end", fd, ioas, RW | FIX, va, 0x2000,
	       0x1000f000);
	cf_map(cf, "map-fixed-adjacent", fd, ioas, RW | FIX, va, CF_PG,
	       0x10010000);
	cf_map(cf, "map-fixed-zero-iova", fd, ioas, RW | FIX, va, CF_PG, 0);
	cf_map(cf, "map-fixed-subpage", fd, ioas, RW | FIX, va + 0x10, 0x30,
	       0x20000010);
	cf_map(cf, "map-fixed-null-va", fd, ioas, RW | FIX, 0, CF_PG,
	       0x30000000);
	cf_map(cf, "map-fixed-readonly", fd, ioas,
	       IOMMU_IOAS_MAP_READABLE | FIX, va, CF_PG, 0x31000000);
	cf_map(cf, "map-fixed-noaccess", fd, ioas, FIX, va, CF_PG, 0x32000000);
	cf_map(cf, "map-flags-unknown", fd, ioas, RW | 0x8, va, CF_PG, 0);
	cf_map(cf, "map-length-0", fd, ioas, RW, va, 0, 0);
	cf_map(cf, "map-length-huge", fd, ioas, RW, va, CF_ALL, 0);
	cf_map(cf, "map-iova-wraps", fd, ioas, RW | FIX, va, 0x2000,
	       CF_ALL - CF_PG + 1);
	cf_map(cf, "map-va-wraps", fd, ioas, RW | FIX, CF_ALL - CF_PG + 1,
	       0x2000, 0x40000000);
	cf_map(cf, "map-bad-ioas", fd, 999, RW, va, CF_PG, 0);
	cf_map(cf, "map-wrong-type", fd, 0, RW, va, CF_PG, 0);
	{
		struct iommu_ioas_map m = {
			.size = sizeof(m), .flags = RW, .ioas_id = ioas,
			.__reserved = 1, .user_va = va, .length = CF_PG,
		};

		cf_rec(cf, "map-reserved", cf_ioctl(fd, IOMMU_IOAS_MAP, &m),
		       NULL);
	}
	cf_ranges(cf, "ranges-mapped", fd, ioas, 4);

	/* COPY from what is mapped into the second IOAS. */
	cf_copy(cf, "copy-auto", fd, RW, ioas2, ioas, 0x10000, 0, 0x10000000);
	cf_copy(cf, "copy-fixed", fd, RW | FIX, ioas2, ioas, CF_PG, 0x50000000,
		0x10000000);
	cf_copy(cf, "copy-part", fd, RW | FIX, ioas2, ioas, 0x2000, 0x51000000,
		0x10004000);
	cf_copy(cf, "copy-unmapped", fd, RW, ioas2, ioas, CF_PG, 0,
		0x60000000);
	cf_copy(cf, "copy-past-area", fd, RW, ioas2, ioas, 0x20000, 0,
		0x10000000);
	cf_copy(cf, "copy-flags", fd, RW | 0x8, ioas2, ioas, CF_PG, 0,
		0x10000000);
	cf_copy(cf, "copy-bad-dst", fd, RW, 999, ioas, CF_PG, 0, 0x10000000);
	cf_copy(cf, "copy-same", fd, RW, ioas, ioas, CF_PG, 0, 0x10000000);

	/* UNMAP: areas are cut only where they were mapped. */
	cf_unmap_rec(cf, "unmap-half", fd, ioas, 0x10000000, 0x8000);
	cf_unmap_rec(cf, "unmap-minus-page", fd, ioas, 0x10000000, 0xf000);
	cf_unmap_rec(cf, "unmap-inside", fd, ioas, 0x10004000, 0x2000);
	cf_unmap_rec(cf, "unmap-exact", fd, ioas, 0x10000000, 0x10000);
	cf_unmap_rec(cf, "unmap-again", fd, ioas, 0x10000000, 0x10000);
	cf_unmap_rec(cf, "unmap-superset", fd, ioas, 0x10000000, 0x10000000);
	cf_unmap_rec(cf, "unmap-length-0", fd, ioas, 0x30000000, 0);
	cf_unmap_rec(cf, "unmap-wraps", fd, ioas, CF_PG, CF_ALL);
	cf_unmap_rec(cf, "unmap-bad-ioas", fd, 999, 0, CF_ALL);
	cf_unmap_rec(cf, "unmap-everything", fd, ioas, 0, CF_ALL);
	cf_unmap_rec(cf, "unmap-everything-empty", fd, ioas, 0, CF_ALL);
	cf_unmap_rec(cf, "unmap-empty-range", fd, ioas, 0x10000000, CF_PG);
	cf_unmap_rec(cf, "unmap-copies", fd, ioas2, 0, CF_ALL);
	cf_ranges(cf, "ranges-after", fd, ioas, 4);
	{
		struct iommu_destroy d = { .size = sizeof(d), .id = ioas };

		cf_rec(cf, "destroy", cf_ioctl(fd, IOMMU_DESTROY, &d), NULL);
	}
	cf_close(fd);
	return 0;
}
