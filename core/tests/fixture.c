/* SPDX-License-Identifier: MIT */
/*
 * The core tests' fixture (see fixture.h). The fault plan always sits between
 * the core and the emulator, disarmed unless a test arms it, so every test
 * runs the same layering the fuzz harness runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#include "check.h"
#include "fixture.h"

#define FX_MEM_PAGES 64

static void fx_trace(void *arg, const struct iofd_trace_event *ev)
{
	struct fx *fx = arg;

	if (fx->nr_events == FX_MAX_EVENTS)
		return;
	if (ev->kind == IOFD_TRACE_FAIL)
		snprintf(fx->events[fx->nr_events], sizeof(fx->events[0]),
			 "fail:%s", ev->what);
	else
		snprintf(fx->events[fx->nr_events], sizeof(fx->events[0]),
			 "%s", iofd_trace_kind_name(ev->kind));
	fx->nr_events++;
}

static void *fx_realloc(void *priv, void *ptr, size_t size)
{
	struct fx *fx = priv;

	if (fx->alloc_nth && ++fx->alloc_calls == fx->alloc_nth) {
		fx->alloc_fired = true;
		return NULL;
	}
	return realloc(ptr, size);
}

static void fx_free(void *priv, void *ptr)
{
	free(ptr);
}

static const struct iofd_alloc_ops fx_alloc = {
	.realloc = fx_realloc,
	.free = fx_free,
};

void fx_alloc_fail_nth(struct fx *fx, unsigned long nth)
{
	fx->alloc_calls = 0;
	fx->alloc_nth = nth;
	fx->alloc_fired = false;
}

void fx_init(struct fx *fx)
{
	struct iofd_host emu_h, fault_h;

	memset(fx, 0, sizeof(*fx));
	CHECK_OK(emu_create(&fx->emu));
	emu_host(fx->emu, &emu_h);
	CHECK_OK(emu_fault_create(&emu_h, &fx->fault));
	emu_fault_host(fx->fault, &fault_h);
	CHECK_OK(iofd_ctx_create(&fault_h, &fx->ctx, NULL));
	iofd_ctx_set_trace(fx->ctx, fx_trace, fx);
	CHECK_OK(iofd_ctx_set_alloc(fx->ctx, &fx_alloc, fx));
	CHECK_OK(iofd_backend_create(fx->ctx, &fx->be, NULL));
	CHECK_OK(iofd_space_create(fx->ctx, &fx->space, NULL));
	fx->mem_size = FX_MEM_PAGES * 4096;
	fx->mem = mmap(NULL, fx->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(fx->mem != MAP_FAILED);
}

int fx_add_device(struct fx *fx, const char *profile,
		  enum emu_sysfs_variant variant)
{
	char bdf[16];
	int idx;

	CHECK(fx->nr_dev < FX_MAX_DEV);
	snprintf(bdf, sizeof(bdf), "0000:00:%02x.0", fx->nr_dev + 3);
	idx = emu_device_add(fx->emu, emu_profile_find(profile), bdf, variant,
			     fx->path[fx->nr_dev], sizeof(fx->path[0]));
	CHECK_OK(idx);
	CHECK_EQ(idx, fx->nr_dev);
	return fx->nr_dev++;
}

struct iofd_device *fx_attach(struct fx *fx, int idx, const char *name,
			      struct iofd_space *space)
{
	struct iofd_device *dev = NULL;
	char def[16];

	if (!name) {
		snprintf(def, sizeof(def), "dev%d", idx);
		name = def;
	}
	CHECK_OK(iofd_device_attach(fx->ctx, name, fx->path[idx], space, fx->be,
				    &dev, NULL));
	CHECK(dev != NULL);
	return dev;
}

void fx_fini(struct fx *fx)
{
	const struct emu_counters zero = { 0 };

	iofd_ctx_destroy(fx->ctx);
	emu_fault_destroy(fx->fault);
	fx_check_counters(fx, &zero);
	emu_destroy(fx->emu);
	munmap(fx->mem, fx->mem_size);
}

void fx_check_counters(const struct fx *fx, const struct emu_counters *want)
{
	struct emu_counters got;

	emu_counters_get(fx->emu, &got);
	CHECK_EQ(got.fds, want->fds);
	CHECK_EQ(got.contexts, want->contexts);
	CHECK_EQ(got.objects, want->objects);
	CHECK_EQ(got.pinned_pages, want->pinned_pages);
}

bool fx_traced(const struct fx *fx, const char *text)
{
	int i;

	for (i = 0; i < fx->nr_events; i++)
		if (!strcmp(fx->events[i], text))
			return true;
	return false;
}

struct fx_area_walk {
	const struct iofd_space *space;
	size_t idx;
};

static int fx_area_check(void *arg, uint64_t iova, uint64_t length,
			 uint64_t user_va, bool writeable)
{
	struct fx_area_walk *w = arg;
	const struct iofd_region *r = iofd_space_region_get(w->space, w->idx++);

	CHECK(r != NULL);
	CHECK_EQ(iova, r->iova);
	CHECK_EQ(length, r->size);
	CHECK_EQ(user_va, (uintptr_t)r->vaddr);
	CHECK_EQ(writeable, !r->readonly);
	return 0;
}

void fx_check_container(const struct fx *fx, const struct iofd_container *c)
{
	const struct iofd_backend *be = iofd_container_backend(c);
	struct fx_area_walk w = { .space = fx->space };
	size_t i;

	CHECK_OK(emu_ioas_for_each_area(fx->emu, iofd_backend_fd(be),
					iofd_container_ioas(c), fx_area_check,
					&w));
	CHECK_EQ(w.idx, iofd_space_region_count(fx->space));
	for (i = 0; i < iofd_container_device_count(c); i++) {
		const struct iofd_device *dev = iofd_container_device_get(c, i);
		uint32_t devid, hwpt, ioas;

		CHECK_OK(emu_device_state(fx->emu, iofd_device_fd(dev), &devid,
					  &hwpt, &ioas));
		CHECK_EQ(devid, iofd_device_devid(dev));
		CHECK_EQ(hwpt, iofd_device_hwpt(dev));
		CHECK_EQ(ioas, iofd_container_ioas(c));
	}
}

struct iofd_region fx_region(const struct fx *fx, unsigned int iova_page,
			     unsigned int pages, unsigned int mem_page)
{
	struct iofd_region r = {
		.iova = (uint64_t)iova_page * 4096,
		.size = (uint64_t)pages * 4096,
		.vaddr = (char *)fx->mem + (size_t)mem_page * 4096,
		.readonly = false,
	};

	CHECK((mem_page + pages) * 4096u <= fx->mem_size);
	return r;
}

/* A kvm-vfio device in the emulator; returns its fd (VM fd in *vm). */
int fx_kvm_vfio_open(struct fx *fx, int *vm, int *kvm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	struct iofd_host h;

	emu_host(fx->emu, &h);
	*kvm = CHECK_OK(h.ops->open(h.priv, "/dev/kvm", O_RDWR));
	*vm = CHECK_OK(h.ops->ioctl(h.priv, *kvm, KVM_CREATE_VM, NULL));
	CHECK_OK(h.ops->ioctl(h.priv, *vm, KVM_CREATE_DEVICE, &cd));
	return (int)cd.fd;
}

void fx_kvm_vfio_close(struct fx *fx, int dev, int vm, int kvm)
{
	struct iofd_host h;

	emu_host(fx->emu, &h);
	CHECK_OK(h.ops->close(h.priv, dev));
	CHECK_OK(h.ops->close(h.priv, vm));
	CHECK_OK(h.ops->close(h.priv, kvm));
}
