/* SPDX-License-Identifier: MIT */
/*
 * The fixture every core test starts from: an emulator with devices, a fault
 * plan over its host, and an iofd context over the fault plan, plus the
 * helpers that prove a step left nothing behind (the emulator's counters
 * before and after) and that find the call number of a named step so a
 * test can fail exactly that call.
 */
#ifndef IOFD_CORE_TESTS_FIXTURE_H
#define IOFD_CORE_TESTS_FIXTURE_H

#include <limits.h>
#include <stdbool.h>

#include <emu/emu.h>
#include <iofd/iofd.h>

#define FX_MAX_DEV 8
#define FX_MAX_EVENTS 64

struct fx {
	struct emu *emu;
	struct emu_fault *fault;
	struct iofd_ctx *ctx;
	struct iofd_backend *be;
	struct iofd_space *space;
	char path[FX_MAX_DEV][PATH_MAX];
	int nr_dev;
	/* the trace, as "kind" or "fail:what" strings */
	char events[FX_MAX_EVENTS][48];
	int nr_events;
	/* the core's allocator: fails allocation number alloc_nth (0: none) */
	unsigned long alloc_calls;
	unsigned long alloc_nth;
	bool alloc_fired;
	/* memory the regions point at */
	void *mem;
	size_t mem_size;
};

/* Set up with no device; fx_add_device adds them. */
void fx_init(struct fx *fx);
/* Add a device with profile @profile and sysfs @variant; returns its index. */
int fx_add_device(struct fx *fx, const char *profile,
		  enum emu_sysfs_variant variant);
/*
 * Attach device @idx to @space through fx->be, asserting success. @name
 * names it in errors, NULL for "dev<idx>".
 */
struct iofd_device *fx_attach(struct fx *fx, int idx, const char *name,
			      struct iofd_space *space);
/* Tear everything down and assert the emulator is empty. */
void fx_fini(struct fx *fx);

/*
 * Fail the core's @nth allocation from now on (0 disarms); whether it
 * fired is in fx->alloc_fired.
 */
void fx_alloc_fail_nth(struct fx *fx, unsigned long nth);

/* Assert the emulator's counters equal @want. */
void fx_check_counters(const struct fx *fx, const struct emu_counters *want);

/* Whether the trace holds an event with this text. */
bool fx_traced(const struct fx *fx, const char *text);

/*
 * Assert that the IOAS of container @c holds exactly the regions of its
 * space.
 */
void fx_check_container(const struct fx *fx, const struct iofd_container *c);

/* A region of @pages pages at IOVA page @iova_page backed by fx->mem. */
struct iofd_region fx_region(const struct fx *fx, unsigned int iova_page,
			     unsigned int pages, unsigned int mem_page);

/*
 * A kvm-vfio device in the emulator (a VM of its own): returns its fd, the
 * VM's in *@vm and /dev/kvm's in *@kvm; fx_kvm_vfio_close closes all three.
 */
int fx_kvm_vfio_open(struct fx *fx, int *vm, int *kvm);
void fx_kvm_vfio_close(struct fx *fx, int dev, int vm, int kvm);

#endif /* IOFD_CORE_TESTS_FIXTURE_H */
