// SPDX-License-Identifier: MIT
/*
 * The machine's fd table and file references (machine.h). Like the
 * kernel, a new file gets the lowest free descriptor, and descriptors 0-2
 * are never handed out so an emulated fd never looks like stdio.
 */
#include <errno.h>

#include "container.h"
#include "failnth.h"
#include "fault_queue.h"
#include "group.h"
#include "iommufd.h"
#include "kvm.h"
#include "machine.h"
#include "mock/mock.h"
#include "vfio.h"

int emu_fd_install(struct emu *emu, struct emu_file *file)
{
	unsigned int i;

	for (i = 0; i < emu->nr_fd_slots; i++) {
		if (!emu->fds[i])
			break;
	}
	if (i == emu->nr_fd_slots) {
		unsigned int ncap, j;
		struct emu_file **nf;

		if (emu->nr_fd_slots >= EMU_FD_MAX - EMU_FD_FIRST)
			return -EMFILE;
		ncap = emu->nr_fd_slots ? emu->nr_fd_slots * 2 : 16;
		if (ncap > EMU_FD_MAX - EMU_FD_FIRST)
			ncap = EMU_FD_MAX - EMU_FD_FIRST;
		nf = emu_heap_realloc(emu->heap, emu->fds, ncap * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		for (j = emu->nr_fd_slots; j < ncap; j++)
			nf[j] = NULL;
		emu->fds = nf;
		emu->nr_fd_slots = ncap;
	}
	emu->fds[i] = file;
	emu->nr_open++;
	return (int)i + EMU_FD_FIRST;
}

struct emu_file *emu_fd_get(const struct emu *emu, int fd)
{
	if (fd < EMU_FD_FIRST || (unsigned int)(fd - EMU_FD_FIRST) >=
	    emu->nr_fd_slots)
		return NULL;
	return emu->fds[fd - EMU_FD_FIRST];
}

struct emu_file *emu_fd_remove(struct emu *emu, int fd)
{
	struct emu_file *file = emu_fd_get(emu, fd);

	if (!file)
		return NULL;
	emu->fds[fd - EMU_FD_FIRST] = NULL;
	emu->nr_open--;
	return file;
}

struct emu_file *emu_file_alloc(struct emu *emu, enum emu_file_kind kind)
{
	struct emu_file *file = emu_zalloc(emu, sizeof(*file));

	if (!file)
		return NULL;
	file->kind = kind;
	file->refs = 1;
	file->fmode = EMU_FMODE_READ | EMU_FMODE_WRITE;	/* anon files: O_RDWR */
	emu->nr_files++;
	return file;
}

void emu_file_free(struct emu *emu, struct emu_file *file)
{
	emu->nr_files--;
	emu_free(emu, file);
}

void emu_file_get(struct emu_file *file)
{
	file->refs++;
}

/* The kernel's final fput: what the file holds goes with it. */
void emu_file_put(struct emu *emu, struct emu_file *file)
{
	if (--file->refs)
		return;
	switch (file->kind) {
	case EMU_FILE_IOMMUFD:
		emu_ictx_put(file->ictx);
		break;
	case EMU_FILE_VFIO:
		emu_vfio_release(file->vfio);
		break;
	case EMU_FILE_KVM_VM:
		emu_kvm_vm_put(file->vm);
		break;
	case EMU_FILE_KVM_DEV:
		emu_kvm_dev_release(file->kdev);
		break;
	case EMU_FILE_FAULT:
		emu_fault_queue_release(file->fq);
		break;
	case EMU_FILE_CONTAINER:
		emu_container_put(file->container);
		break;
	case EMU_FILE_GROUP:
		emu_group_release(file->gdev);
		break;
	case EMU_FILE_FAIL_NTH:
		emu->nr_fail_nth_files--;
		break;
	case EMU_FILE_MOCK_ACCESS:
		emu_mock_access_release(file->staccess);
		break;
	case EMU_FILE_KVM:
	case EMU_FILE_KMSG:
		break;
	}
	emu_file_free(emu, file);
}

int emu_dup(struct emu *emu, int fd)
{
	struct emu_file *file = emu_fd_get(emu, fd);
	int nfd;

	if (!file)
		return -EBADF;
	emu_file_get(file);
	nfd = emu_fd_install(emu, file);
	if (nfd < 0)
		file->refs--;	/* the fd's own reference still holds it */
	return nfd;
}
