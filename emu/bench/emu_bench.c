// SPDX-License-Identifier: MIT
/*
 * emu_bench: the cost of the IOAS area store at scale. Not a
 * test: it prints figures.
 *
 * One IOAS, no domain (so nothing is pinned and only the model is timed),
 * grown to N areas (default 1,000,000) through the real ioctl path
 * (emu_host -> dispatch -> handler), then emptied:
 *   map      automatic-IOVA IOMMU_IOAS_MAP of one page each: first fit
 *            lands right after the last area;
 *   unmap    IOMMU_IOAS_UNMAP of one area each, in a shuffled order
 *            (every lookup runs into cold cache lines: the worst case;
 *            what it costs is a few cache misses, the B+tree leaf, the
 *            area and its pages object, as the inner nodes mostly stay
 *            cached);
 *   unmap+   the same after mapping N again, in ascending IOVA order;
 *   skip     with N one-page areas every second page (N one-page holes),
 *            automatic maps of two pages, which must skip every hole
 *            (the gap augmentation's worst case for a linear walk).
 * Each op is timed alone (CLOCK_MONOTONIC); the median is printed per
 * size decade, so growth with n is visible, together with log2(n).
 * Bytes per area: heap in use (mallinfo2) per area at N, everything the
 * model allocates for an area included (the area, its pages object and
 * its share of the B+tree nodes, all from malloc); not available under
 * ASan.
 *
 * Goal: at N = 1,000,000, median map and unmap at most 1 us,
 * at most 128 bytes per area, and cost growing no faster than log n: the
 * per-decade medians show the growth.
 *
 * User copies are TRUSTED by default (memcpy: the model is measured, not
 * a system call); --strict keeps the default STRICT mode to show what a
 * process_vm_readv per copy costs.
 *
 * Usage: emu_bench [--strict] [N]
 */
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/iommufd.h>

#include <emu/emu.h>

#define BENCH_PG 4096ULL
#define BENCH_VA 0x7f0000000000ULL	/* never touched: no domain */

struct bench {
	struct emu *emu;
	struct iofd_host host;
	int fd;
	uint32_t ioas;
};

static uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int bench_ioctl(struct bench *b, unsigned long req, void *arg)
{
	return b->host.ops->ioctl(b->host.priv, b->fd, req, arg);
}

static int bench_map(struct bench *b, uint64_t length, uint64_t *iova,
		     bool fixed)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = b->ioas,
		.user_va = BENCH_VA,
		.length = length,
		.iova = *iova,
	};
	int rc = bench_ioctl(b, IOMMU_IOAS_MAP, &cmd);

	*iova = cmd.iova;
	return rc;
}

static int bench_unmap(struct bench *b, uint64_t iova, uint64_t length)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = b->ioas,
		.iova = iova,
		.length = length,
	};

	return bench_ioctl(b, IOMMU_IOAS_UNMAP, &cmd);
}

static int bench_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of v[lo, hi) (sorts that slice). */
static double bench_median(uint32_t *v, size_t lo, size_t hi)
{
	qsort(v + lo, hi - lo, sizeof(*v), bench_cmp_u32);
	return v[lo + (hi - lo) / 2];
}

/*
 * Print the median of each size decade: samples[i] was taken with i
 * areas in the store (or N - i for a shrinking phase).
 */
static void bench_report(const char *what, uint32_t *ns, size_t n,
			 bool shrinking)
{
	size_t lo = 0, hi = 10;
	double all;

	printf("%-6s", what);
	while (lo < n) {
		size_t a = lo, z = hi < n ? hi : n;
		double med;

		if (shrinking) {
			a = n - z;
			z = n - lo;
		}
		med = bench_median(ns, a, z);
		printf("  n<=%zu: %.0f ns (log2 n %.1f)", hi < n ? hi : n, med,
		       log2((double)(hi < n ? hi : n)));
		lo = hi;
		hi *= 10;
	}
	all = bench_median(ns, 0, n);
	printf("\n%-6s  median over all %zu ops: %.0f ns\n", what, n, all);
}

static void bench_setup(struct bench *b, bool strict)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };

	if (emu_create(&b->emu)) {
		fprintf(stderr, "emu_create failed\n");
		exit(1);
	}
	emu_uaccess_set(b->emu, strict ? EMU_UACCESS_STRICT :
					 EMU_UACCESS_TRUSTED);
	emu_host(b->emu, &b->host);
	b->fd = b->host.ops->open(b->host.priv, "/dev/iommu", O_RDWR);
	if (b->fd < 0 || bench_ioctl(b, IOMMU_IOAS_ALLOC, &alloc)) {
		fprintf(stderr, "setup failed\n");
		exit(1);
	}
	b->ioas = alloc.out_ioas_id;
}

static void bench_teardown(struct bench *b)
{
	b->host.ops->close(b->host.priv, b->fd);
	emu_destroy(b->emu);
}

int main(int argc, char **argv)
{
	size_t n = 1000000, i;
	bool strict = false;
	struct bench b;
	uint64_t *iovas, t0, iova, heap0, heap1;
	uint32_t *ns;
	int argi;

	for (argi = 1; argi < argc; argi++) {
		if (!strcmp(argv[argi], "--strict"))
			strict = true;
		else
			n = strtoull(argv[argi], NULL, 0);
	}
	iovas = malloc(n * sizeof(*iovas));
	ns = malloc(n * sizeof(*ns));
	if (!iovas || !ns || n < 10)
		return 1;
	printf("emu_bench: %zu areas, user copies %s\n", n,
	       strict ? "STRICT" : "TRUSTED");

	bench_setup(&b, strict);
	heap0 = mallinfo2().uordblks;
	for (i = 0; i < n; i++) {
		iova = 0;
		t0 = bench_now_ns();
		if (bench_map(&b, BENCH_PG, &iova, false)) {
			fprintf(stderr, "map %zu failed\n", i);
			return 1;
		}
		ns[i] = (uint32_t)(bench_now_ns() - t0);
		iovas[i] = iova;
	}
	heap1 = mallinfo2().uordblks;
	bench_report("map", ns, n, false);
	if (heap1 > heap0)
		printf("bytes per area: %.1f (heap: area, pages, tree nodes)\n",
		       (double)(heap1 - heap0) / (double)n);
	else
		printf("bytes per area: n/a (no mallinfo2, e.g. under ASan)\n");

	/* Shuffle (a fixed LCG: the run is reproducible), then unmap. */
	for (i = n - 1; i > 0; i--) {
		static uint64_t seed = 0x9e3779b97f4a7c15ULL;
		size_t j;
		uint64_t tmp;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		j = (size_t)((seed >> 33) % (i + 1));
		tmp = iovas[i];
		iovas[i] = iovas[j];
		iovas[j] = tmp;
	}
	for (i = 0; i < n; i++) {
		t0 = bench_now_ns();
		if (bench_unmap(&b, iovas[i], BENCH_PG)) {
			fprintf(stderr, "unmap %zu failed\n", i);
			return 1;
		}
		ns[i] = (uint32_t)(bench_now_ns() - t0);
	}
	bench_report("unmap", ns, n, true);

	/* The same again, unmapping in ascending IOVA order. */
	for (i = 0; i < n; i++) {
		iova = 0;
		if (bench_map(&b, BENCH_PG, &iova, false))
			return 1;
		iovas[i] = iova;
	}
	for (i = 0; i < n; i++) {
		t0 = bench_now_ns();
		if (bench_unmap(&b, iovas[i], BENCH_PG)) {
			fprintf(stderr, "unmap %zu failed\n", i);
			return 1;
		}
		ns[i] = (uint32_t)(bench_now_ns() - t0);
	}
	bench_report("unmap+", ns, n, true);

	/* N one-page holes, then two-page automatic maps skipping them. */
	for (i = 0; i < n; i++) {
		iova = 0x100000000ULL + 2 * BENCH_PG * i;
		if (bench_map(&b, BENCH_PG, &iova, true))
			return 1;
	}
	for (i = 0; i < 1000; i++) {
		iova = 0;
		t0 = bench_now_ns();
		if (bench_map(&b, 2 * BENCH_PG, &iova, false))
			return 1;
		ns[i] = (uint32_t)(bench_now_ns() - t0);
	}
	printf("skip    auto map of 2 pages past %zu one-page holes: median %.0f ns (1000 ops)\n",
	       n, bench_median(ns, 0, 1000));
	bench_teardown(&b);
	free(iovas);
	free(ns);
	return 0;
}
