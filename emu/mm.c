// SPDX-License-Identifier: MIT
/*
 * /proc/<pid>/maps snapshots (mm.h), taken per operation from the
 * machine's heap or, for the own process, kept in a cache the machine's
 * user owns (emu_mm_cache_create). The cache outlives machines and is
 * shared between them, so it and its snapshot come from libc.
 * The file lists mappings in ascending address order without overlap,
 * which the range check relies on: it walks forward from the mapping
 * holding the first page and needs each next mapping to start exactly
 * where the previous one ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <emu/emu.h>

#include "failnth.h"
#include "machine.h"
#include "mm.h"
#include "util.h"

static int emu_mm_push(struct emu_mm *mm, size_t *cap,
		       const struct emu_vma *vma)
{
	if (mm->nr == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct emu_vma *nv = emu_heap_realloc(mm->heap, mm->v,
						      ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		mm->v = nv;
		*cap = ncap;
	}
	mm->v[mm->nr++] = *vma;
	return 0;
}

/*
 * One "start-end perms offset major:minor inode path" line into @vma:
 * false when it does not parse.
 */
static bool emu_mm_parse_line(const char *line, struct emu_vma *vma)
{
	unsigned long long major, minor;
	char *p;

	vma->start = strtoull(line, &p, 16);
	if (*p != '-')
		return false;
	vma->end = strtoull(p + 1, &p, 16);
	if (*p != ' ' || strlen(p) < 5)
		return false;
	vma->read = p[1] == 'r';
	vma->write = p[2] == 'w';
	vma->shared = p[4] == 's';
	vma->pgoff = strtoull(p + 5, &p, 16);
	major = strtoull(p, &p, 16);
	if (*p != ':')
		return false;
	minor = strtoull(p + 1, &p, 16);
	vma->dev = major << 32 | minor;
	vma->ino = strtoull(p, &p, 10);
	return true;
}

static int emu_mm_read(struct emu_heap *heap, struct emu_mm *mm, pid_t pid)
{
	char buf[8192], line[512], path[48];
	size_t cap = 0, ll = 0;
	ssize_t n;
	int fd, rc = 0;

	mm->pid = pid;
	mm->v = NULL;
	mm->nr = 0;
	mm->cache = NULL;
	mm->heap = heap;
	if (pid == getpid())
		snprintf(path, sizeof(path), "/proc/self/maps");
	else
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++) {
			struct emu_vma vma;

			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			ll = 0;
			if (!emu_mm_parse_line(line, &vma))
				continue;
			rc = emu_mm_push(mm, &cap, &vma);
			if (rc)
				goto out_close;
		}
	}
	if (n < 0)
		rc = -errno;
out_close:
	close(fd);
	if (rc)
		emu_mm_fini(mm);
	return rc;
}

/*
 * A cache: a snapshot that outlives operations and machines. Empty (nr 0)
 * until the first load; every process has mappings, so an empty snapshot
 * never passes for a real one.
 */
struct emu_mm_cache {
	struct emu_mm snap;
};

int emu_mm_cache_create(struct emu_mm_cache **out)
{
	struct emu_mm_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	*out = c;
	return 0;
}

void emu_mm_cache_destroy(struct emu_mm_cache *c)
{
	if (!c)
		return;
	free(c->snap.v);
	free(c);
}

void emu_mm_cache_use(struct emu *emu, struct emu_mm_cache *c)
{
	emu->mm_cache = c;
}

/* Replace the cache's snapshot with a fresh read; the old stays on error. */
static int emu_mm_cache_refresh(struct emu_mm_cache *c)
{
	struct emu_mm fresh;
	int rc = emu_mm_read(NULL, &fresh, getpid());

	if (rc)
		return rc;
	free(c->snap.v);
	c->snap = fresh;
	return 0;
}

int emu_mm_load_pid(struct emu_heap *heap, struct emu_mm *mm, pid_t pid)
{
	return emu_mm_read(heap, mm, pid);
}

int emu_mm_load(struct emu *emu, struct emu_mm *mm)
{
	struct emu_mm_cache *c = emu->mm_cache;
	pid_t pid = emu_current_pid(emu);
	int rc;

	if (!c || pid != getpid())
		return emu_mm_read(emu->heap, mm, pid);
	if (!c->snap.nr) {
		rc = emu_mm_cache_refresh(c);
		if (rc)
			return rc;
	}
	mm->pid = pid;
	mm->v = NULL;
	mm->nr = 0;
	mm->cache = c;
	mm->heap = NULL;
	return 0;
}

void emu_mm_fini(struct emu_mm *mm)
{
	if (!mm->cache)
		emu_heap_free(mm->heap, mm->v);
	mm->v = NULL;
	mm->nr = 0;
	mm->cache = NULL;
}

/* The index of the first mapping of @mm ending after @at. */
static size_t emu_mm_lower(const struct emu_mm *mm, uint64_t at)
{
	size_t lo = 0, hi = mm->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mm->v[mid].end <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct emu_vma *emu_mm_find(const struct emu_mm *mm, uint64_t va)
{
	size_t i = emu_mm_lower(mm, va);

	return i < mm->nr && mm->v[i].start <= va ? &mm->v[i] : NULL;
}

static int emu_mm_walk(const struct emu_mm *mm, uint64_t va, uint64_t length,
		       bool write)
{
	uint64_t at, end;
	size_t lo;

	if (!length)
		return 0;
	/* Pins are whole pages. */
	at = va & ~(EMU_PAGE_SIZE - 1);
	if (__builtin_add_overflow(va, length, &end))
		return -EFAULT;
	lo = emu_mm_lower(mm, at);
	for (; lo < mm->nr && at < end; lo++) {
		const struct emu_vma *v = &mm->v[lo];

		if (v->start > at || !v->read || (write && !v->write))
			return -EFAULT;
		at = v->end;
	}
	return at >= end ? 0 : -EFAULT;
}

int emu_mm_check(const struct emu_mm *mm, uint64_t va, uint64_t length,
		 bool write)
{
	if (!mm->cache)
		return emu_mm_walk(mm, va, length, write);
	if (!emu_mm_walk(&mm->cache->snap, va, length, write))
		return 0;
	/* Refuse only on what the map says now. */
	if (emu_mm_cache_refresh(mm->cache))
		return -EFAULT;
	return emu_mm_walk(&mm->cache->snap, va, length, write);
}
