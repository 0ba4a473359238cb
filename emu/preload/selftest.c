// SPDX-License-Identifier: MIT
/*
 * The preload shim's part for the kernel's iommufd selftests
 * (selftest.h).
 *
 * fail-nth: the kernel's file is per thread under /proc; the emulator
 * serves it (its fault points count, see emu/failnth.h), so the shim only
 * recognises the names a program uses for it and opens the emulator's.
 *
 * Huge pages: the emulated machine has a hugetlb pool of its own
 * (IOFD_EMU_HUGEPAGES, as a kernel booted with hugepages=N), so tests
 * that map huge pages run whatever the host has reserved. A MAP_HUGETLB
 * mapping is made of ordinary memory at a 2 MiB aligned address, its
 * length rounded up to whole huge pages, and the pages are taken from the
 * emulator's pool (ENOMEM when it is short), which records the range as
 * huge pages; munmap of such a range must start on a huge page (EINVAL)
 * and gives the pages back (fds.c's mmap and munmap hand such calls
 * here; everything else goes to libc unchanged).
 *
 * IOMMU_TEST_CMD: the selftest's access ops carry an access fd in the
 * struct's id field. The program's struct keeps its own numbers: the
 * emulator works on a copy whose id is translated, and what it writes
 * back (the whole struct, up to the program's size) is copied over with
 * the program's id restored. A struct the shim cannot read whole goes to
 * the emulator untouched, which then answers EFAULT as the kernel does.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include <emu/emu.h>

#include "fork.h"
#include "preload.h"
#include "selftest.h"

#define EMU_PRELOAD_HPAGE (2UL << 20)

void emu_preload_selftest_init(void)
{
	if (emu_preload.cfg.hugepages >= 0)
		emu_hugetlb_pool_set(emu_preload.emu,
				     (unsigned int)emu_preload.cfg.hugepages);
}

void emu_preload_selftest_closed(void)
{
	struct emu_counters c;
	char msg[256];
	int n;

	/* A served child's files are its parent's to count. */
	if (!emu_preload.cfg.check_clean || emu_preload_fork_served())
		return;
	emu_counters_get(emu_preload.emu, &c);
	/* A fail-nth file holds nothing of the model's. */
	if (c.fds != c.fail_nth_files)
		return;
	if (!c.contexts && !c.objects && !c.pinned_pages && !c.locked_pages &&
	    c.files == c.fail_nth_files && !c.kvm_vms && !c.kvm_devices &&
	    !c.kvm_vfio_files)
		return;
	n = snprintf(msg, sizeof(msg),
		     "iofd-emu: the model did not unwind: no fd is open but "
		     "contexts %u objects %u pinned pages %llu locked pages "
		     "%llu files %u\n", c.contexts, c.objects,
		     (unsigned long long)c.pinned_pages,
		     (unsigned long long)c.locked_pages,
		     c.files - c.fail_nth_files);
	syscall(SYS_write, 2, msg, (size_t)n < sizeof(msg) ? (size_t)n :
		sizeof(msg) - 1);
	abort();
}

/* Ordinary memory at a 2 MiB aligned address, for @len (aligned) bytes. */
static void *emu_preload_huge_area(void *addr, size_t len, int prot,
				   int flags, int fd, off_t off)
{
	uint8_t *raw, *aligned;
	size_t head, tail;
	void *p;

	flags &= ~(int)(MAP_HUGETLB |
			((unsigned int)MAP_HUGE_MASK << MAP_HUGE_SHIFT));
	if (flags & MAP_FIXED)
		return REAL(mmap)(addr, len, prot, flags, fd, off);
	raw = REAL(mmap)(NULL, len + EMU_PRELOAD_HPAGE, PROT_NONE,
				       MAP_PRIVATE | MAP_ANONYMOUS |
				       MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return MAP_FAILED;
	aligned = (uint8_t *)(((uintptr_t)raw + EMU_PRELOAD_HPAGE - 1) &
			      ~(uintptr_t)(EMU_PRELOAD_HPAGE - 1));
	head = (size_t)(aligned - raw);
	tail = EMU_PRELOAD_HPAGE - head;
	p = REAL(mmap)(aligned, len, prot, flags | MAP_FIXED, fd,
				     off);
	if (p == MAP_FAILED) {
		REAL(munmap)(raw, len + EMU_PRELOAD_HPAGE);
		return MAP_FAILED;
	}
	if (head)
		REAL(munmap)(raw, head);
	if (tail)
		REAL(munmap)(aligned + len, tail);
	return p;
}

bool emu_preload_huge_served(void)
{
	return !emu_preload_inside && emu_preload.cfg.hugepages >= 0 &&
	       atomic_load(&emu_preload.state) == EMU_PRELOAD_READY;
}

void *emu_preload_huge_mmap(void *addr, size_t len, int prot, int flags,
			    int fd, off_t off)
{
	sigset_t saved;
	size_t hlen;
	void *p;
	int rc;

	/* A fixed mapping replaces whatever huge pages were there. */
	if ((flags & MAP_FIXED) && len) {
		emu_preload_lock(&saved);
		emu_preload_hugetlb_unmap((uintptr_t)addr, len);
		emu_preload_unlock(&saved);
	}
	if (!(flags & MAP_HUGETLB))
		return REAL(mmap)(addr, len, prot, flags, fd, off);
	hlen = (len + EMU_PRELOAD_HPAGE - 1) & ~(EMU_PRELOAD_HPAGE - 1);
	if (!len || hlen < len ||
	    ((flags & MAP_FIXED) && (uintptr_t)addr % EMU_PRELOAD_HPAGE)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	p = emu_preload_huge_area(addr, hlen, prot, flags, fd, off);
	if (p == MAP_FAILED)
		return p;
	emu_preload_lock(&saved);
	rc = emu_preload_hugetlb_map((uintptr_t)p, hlen);
	emu_preload_unlock(&saved);
	if (rc) {
		REAL(munmap)(p, hlen);
		errno = -rc;
		return MAP_FAILED;
	}
	return p;
}

bool emu_preload_huge_munmap(void *addr, size_t len, int *rc)
{
	size_t hlen = (len + EMU_PRELOAD_HPAGE - 1) & ~(EMU_PRELOAD_HPAGE - 1);
	sigset_t saved;
	bool huge;

	emu_preload_lock(&saved);
	huge = emu_preload_hugetlb_mapped((uintptr_t)addr, len);
	emu_preload_unlock(&saved);
	if (!huge)
		return false;
	/* Huge pages go whole: the start must be one's. */
	if ((uintptr_t)addr % EMU_PRELOAD_HPAGE || hlen < len) {
		errno = EINVAL;
		*rc = -1;
		return true;
	}
	*rc = REAL(munmap)(addr, hlen);
	if (!*rc) {
		emu_preload_lock(&saved);
		emu_preload_hugetlb_unmap((uintptr_t)addr, hlen);
		emu_preload_unlock(&saved);
	}
	return true;
}

/* IOMMU_TEST_CMD and its op numbers, from the kernel's iommufd_test.h. */
#ifdef IOFD_EMU_MOCK
#include "iommufd_test.h"
#endif

/* A decimal number of at most 10 digits ending at '/': its value or -1. */
static long emu_preload_number(const char *s, const char **end)
{
	long v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9' && n < 10) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (!n || *s != '/')
		return -1;
	*end = s;
	return v;
}

bool emu_preload_fail_nth_path(const char *path, char *buf, size_t cap)
{
	const char *p, *end;
	long pid, tid;

	if (!path || strncmp(path, "/proc/", 6))
		return false;
	p = path + 6;
	if (!strcmp(p, "thread-self/fail-nth")) {
		snprintf(buf, cap, "/proc/thread-self/fail-nth");
		return true;
	}
	if (!strncmp(p, "self/", 5)) {
		p += 4;
	} else {
		pid = emu_preload_number(p, &end);
		if (pid != (long)getpid())
			return false;
		p = end;
	}
	if (strncmp(p, "/task/", 6))
		return false;
	tid = emu_preload_number(p + 6, &end);
	if (tid < 0 || strcmp(end, "/fail-nth"))
		return false;
	snprintf(buf, cap, "/proc/self/task/%ld/fail-nth", tid);
	return true;
}

#ifdef IOFD_EMU_MOCK

/* The largest struct a program's size may claim that is copied. */
#define EMU_PRELOAD_TEST_CMD_MAX 4096

static bool emu_preload_copy(void *dst, const void *src, size_t len)
{
	struct iovec l = { .iov_base = dst, .iov_len = len };
	struct iovec r = { .iov_base = (void *)src, .iov_len = len };

	return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len;
}

static bool emu_preload_copy_out(void *dst, const void *src, size_t len)
{
	struct iovec l = { .iov_base = (void *)src, .iov_len = len };
	struct iovec r = { .iov_base = dst, .iov_len = len };

	return process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)len;
}

static bool emu_preload_test_op_has_fd(uint32_t op)
{
	switch (op) {
	case IOMMU_TEST_OP_ACCESS_PAGES:
	case IOMMU_TEST_OP_ACCESS_RW:
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return true;
	default:
		return false;
	}
}

/* The access ops and CREATE_ACCESS, on a copy of the program's struct. */
static int emu_preload_test_cmd_copy(const struct iofd_host *host, int efd,
				     void *arg,
				     const struct iommu_test_cmd *hdr,
				     const struct emu_preload_fd_ops *fds)
{
	size_t n = hdr->size < sizeof(struct iommu_test_cmd) ?
		   hdr->size : sizeof(struct iommu_test_cmd);
	struct iommu_test_cmd *cmd;
	uint8_t *copy;
	int rc, r = -1;

	copy = calloc(1, hdr->size > sizeof(*cmd) ? hdr->size : sizeof(*cmd));
	if (!copy)
		return -ENOMEM;
	if (!emu_preload_copy(copy, arg, hdr->size)) {
		free(copy);
		return host->ops->ioctl(host->priv, efd, IOMMU_TEST_CMD, arg);
	}
	cmd = (struct iommu_test_cmd *)copy;
	if (emu_preload_test_op_has_fd(hdr->op))
		cmd->id = (uint32_t)fds->xlate((int)hdr->id);
	rc = host->ops->ioctl(host->priv, efd, IOMMU_TEST_CMD, copy);
	if (rc == 0 && hdr->op == IOMMU_TEST_OP_CREATE_ACCESS) {
		r = fds->adopt((int)cmd->create_access.out_access_fd);
		if (r < 0)
			rc = r;
		else
			cmd->create_access.out_access_fd = (uint32_t)r;
	}
	cmd->id = hdr->id;
	/* The handlers write back only on success. */
	if (rc == 0 && !emu_preload_copy_out(arg, copy, n)) {
		if (r >= 0)
			fds->drop(r);
		rc = -EFAULT;
	}
	free(copy);
	return rc;
}

bool emu_preload_test_cmd(const struct iofd_host *host, int efd,
			  unsigned long request, void *arg,
			  const struct emu_preload_fd_ops *fds, int *rc)
{
	struct iommu_test_cmd hdr;

	if (request != IOMMU_TEST_CMD)
		return false;
	if (!arg ||
	    !emu_preload_copy(&hdr, arg,
			      offsetof(struct iommu_test_cmd, add_reserved)) ||
	    hdr.size > EMU_PRELOAD_TEST_CMD_MAX ||
	    hdr.size < offsetof(struct iommu_test_cmd, add_reserved) ||
	    (!emu_preload_test_op_has_fd(hdr.op) &&
	     hdr.op != IOMMU_TEST_OP_CREATE_ACCESS)) {
		*rc = host->ops->ioctl(host->priv, efd, IOMMU_TEST_CMD, arg);
		return true;
	}
	*rc = emu_preload_test_cmd_copy(host, efd, arg, &hdr, fds);
	return true;
}

#else /* !IOFD_EMU_MOCK */

bool emu_preload_test_cmd(const struct iofd_host *host, int efd,
			  unsigned long request, void *arg,
			  const struct emu_preload_fd_ops *fds, int *rc)
{
	(void)host;
	(void)efd;
	(void)request;
	(void)arg;
	(void)fds;
	(void)rc;
	return false;
}

#endif /* IOFD_EMU_MOCK */
