/* SPDX-License-Identifier: MIT */
/*
 * The invariants over the whole state, checked after every op and every
 * teardown step, faults or not:
 *   (b) every container of every space has at least one device, a
 *       connected backend of ours and an IOAS no other container uses, and
 *       the emulator's areas in that IOAS are exactly the space's regions
 *       (iova, size, user address, writeable == !readonly), unless the
 *       core traced that undoing a region op failed twice in that space
 *       (core/space.c leaves that IOAS differing, on purpose); its usable
 *       IOVA ranges are ascending and its alignment a power of two;
 *   (c) every device of a container is one the interpreter attached into
 *       that space with that backend, and the emulator sees it bound with
 *       the core's devid and attached to the core's HWPT, whose IOAS is
 *       the container's; its info is its profile's;
 *   (e) a backend's user count is its attached devices plus the
 *       interpreter's connections; an owned one has an fd exactly while it
 *       has users, a handed-in one always has the fd it was given;
 *   (g) counts: RAM discard disablers are the attached devices without
 *       DISCARD_OK; KVM's file list is the registered devices (more only
 *       after a failed FILE_DEL); HWPTs listed are used and dirty tracking
 *       is on only where every HWPT can; the emulator's fds and contexts
 *       are exactly those open;
 *   (o) every kernel object in the context of every open iommufd is one
 *       the core holds (a device's DEVICE and HWPT, a container's IOAS and
 *       HWPTs, a stranded id) or the interpreter does (a scratch IOAS and
 *       its leftovers), and each of those exists: after a fault as before.
 *       The same is checked just before an iommufd is closed, so that a
 *       leak is found before the close would hide it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <linux/iommufd.h>

#include "harness_int.h"

/* ------------------------------------------------------------------ */
/* Emulator views                                                      */

static int fuzz_collect_area(void *arg, uint64_t iova, uint64_t length,
			     uint64_t user_va, bool writeable)
{
	struct fuzz_areas *l = arg;

	if (l->count == FUZZ_MAX_AREAS) {
		l->overflow = true;
		return 0;
	}
	l->a[l->count++] = (struct fuzz_area){
		.iova = iova, .length = length, .user_va = user_va,
		.writeable = writeable,
	};
	return 0;
}

void fuzz_areas_of_ioas(struct fuzz_state *h, int fd, uint32_t ioas,
			struct fuzz_areas *out)
{
	int ret;

	/* Only the listed entries are ever read: no need to clear them. */
	out->count = 0;
	out->overflow = false;
	ret = emu_ioas_for_each_area(h->emu, fd, ioas, fuzz_collect_area, out);
	if (ret)
		fuzz_fail(h, "emulator cannot list IOAS %u of fd %d: %d", ioas,
			  fd, ret);
	if (out->overflow)
		fuzz_fail(h, "IOAS %u of fd %d holds more than %d areas", ioas,
			  fd, FUZZ_MAX_AREAS);
}

void fuzz_print_areas(const char *what, const struct fuzz_areas *l)
{
	unsigned int i;

	fprintf(stderr, "fuzz_attach: %s (%u):\n", what, l->count);
	for (i = 0; i < l->count; i++)
		fprintf(stderr, "  [%#" PRIx64 ", +%#" PRIx64 ") va %#" PRIx64
			" %s\n", l->a[i].iova, l->a[i].length,
			l->a[i].user_va, l->a[i].writeable ? "rw" : "ro");
}

bool fuzz_areas_equal(const struct fuzz_areas *x, const struct fuzz_areas *y)
{
	unsigned int i;

	if (x->count != y->count)
		return false;
	for (i = 0; i < x->count; i++) {
		if (x->a[i].iova != y->a[i].iova ||
		    x->a[i].length != y->a[i].length ||
		    x->a[i].user_va != y->a[i].user_va ||
		    x->a[i].writeable != y->a[i].writeable)
			return false;
	}
	return true;
}

/* A space's regions as the areas its containers must hold. */
void fuzz_space_areas(struct fuzz_state *h, struct iofd_space *s,
			     struct fuzz_areas *out)
{
	size_t i, n = iofd_space_region_count(s);

	out->count = 0;
	out->overflow = false;
	if (n > FUZZ_MAX_REGIONS)
		fuzz_fail(h, "space holds %zu regions, more than ops ran", n);
	for (i = 0; i < n; i++) {
		const struct iofd_region *r = iofd_space_region_get(s, i);

		if (!r)
			fuzz_fail(h, "region %zu of %zu is NULL", i, n);
		out->a[out->count++] = (struct fuzz_area){
			.iova = r->iova, .length = r->size,
			.user_va = (uint64_t)(uintptr_t)r->vaddr,
			.writeable = !r->readonly,
		};
	}
	if (iofd_space_region_get(s, n))
		fuzz_fail(h, "region_get(%zu) past the end is not NULL", n);
}

void fuzz_snap_containers(struct fuzz_state *h, struct iofd_space *s,
			  struct fuzz_containers *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->count = iofd_space_container_count(s);
	if (out->count > OP_MAX_DEVICES)
		fuzz_fail(h, "space has %zu containers for at most %d devices",
			  out->count, OP_MAX_DEVICES);
	for (i = 0; i < out->count; i++) {
		out->c[i] = iofd_space_container_get(s, i);
		out->ioas[i] = out->c[i] ? iofd_container_ioas(out->c[i]) : 0;
		out->ndev[i] = out->c[i] ?
			iofd_container_device_count(out->c[i]) : 0;
	}
}

void fuzz_snap_regions(struct fuzz_state *h, struct iofd_space *s,
		       struct fuzz_regions *out)
{
	size_t i;

	out->count = iofd_space_region_count(s);
	if (out->count > FUZZ_MAX_REGIONS)
		fuzz_fail(h, "space holds %zu regions", out->count);
	for (i = 0; i < out->count; i++) {
		const struct iofd_region *r = iofd_space_region_get(s, i);

		if (!r)
			fuzz_fail(h, "region %zu is NULL", i);
		out->r[i] = *r;
	}
}

bool fuzz_regions_equal(const struct fuzz_regions *x,
			const struct fuzz_regions *y)
{
	size_t i;

	if (x->count != y->count)
		return false;
	for (i = 0; i < x->count; i++)
		if (x->r[i].iova != y->r[i].iova ||
		    x->r[i].size != y->r[i].size ||
		    x->r[i].vaddr != y->r[i].vaddr ||
		    x->r[i].readonly != y->r[i].readonly)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Containers and devices                                              */

static int fuzz_backend_index(struct fuzz_state *h,
			      const struct iofd_backend *be)
{
	unsigned int k;

	for (k = 0; k < OP_MAX_BACKENDS; k++)
		if (be && h->r.be[k] == be)
			return (int)k;
	return -1;
}

static int fuzz_dev_slot(struct fuzz_state *h, const struct iofd_device *d)
{
	unsigned int j;

	for (j = 0; j < h->r.ndevs; j++)
		if (h->r.devs[j].dev == d)
			return (int)j;
	return -1;
}

/* (c) for device @d found in container @c of space @si. */
static void fuzz_check_device(struct fuzz_state *h, unsigned int si,
			      struct iofd_container *c, struct iofd_device *d)
{
	const struct iofd_device_info *info;
	const struct emu_profile *p;
	uint32_t devid = 0, hwpt = 0, ioas = 0;
	int slot, k, ret;

	slot = fuzz_dev_slot(h, d);
	if (slot < 0)
		fuzz_fail(h, "space%u holds a device the interpreter does not have attached",
			  si);
	k = fuzz_backend_index(h, iofd_container_backend(c));
	if (h->r.devs[slot].space != si || (int)h->r.devs[slot].be != k)
		fuzz_fail(h, "dev%d sits in space%u be%d, attached to space%u be%u",
			  slot, si, k, h->r.devs[slot].space, h->r.devs[slot].be);
	if (iofd_device_container(d) != c)
		fuzz_fail(h, "dev%d is listed in a container it does not name",
			  slot);
	ret = emu_device_state(h->emu, iofd_device_fd(d), &devid, &hwpt,
			       &ioas);
	if (ret)
		fuzz_fail(h, "dev%d: fd %d is not a device fd of the emulator (%d)",
			  slot, iofd_device_fd(d), ret);
	if (devid == 0 || devid != iofd_device_devid(d))
		fuzz_fail(h, "dev%d: emulator devid %u, core devid %u", slot,
			  devid, iofd_device_devid(d));
	if (hwpt == 0 || hwpt != iofd_device_hwpt(d))
		fuzz_fail(h, "dev%d: emulator hwpt %u, core hwpt %u", slot,
			  hwpt, iofd_device_hwpt(d));
	if (ioas != iofd_container_ioas(c))
		fuzz_fail(h, "dev%d: emulator attached it to IOAS %u, its container is IOAS %u",
			  slot, ioas, iofd_container_ioas(c));
	info = iofd_device_info(d);
	p = h->r.devs[slot].profile;
	if (!info || info->flags != p->info_flags ||
	    info->num_regions != p->num_regions ||
	    info->num_irqs != p->num_irqs)
		fuzz_fail(h, "dev%d: device info differs from its profile %s",
			  slot, p->name);
}

/* (b) and (c) for container @c of space @si. */
static void fuzz_check_container(struct fuzz_state *h, unsigned int si,
				 struct iofd_container *c,
				 const struct fuzz_areas *want)
{
	struct fuzz_areas got;
	size_t j, nr, ndev = iofd_container_device_count(c);
	int k = fuzz_backend_index(h, iofd_container_backend(c));
	uint64_t align;
	int fd;

	if (k < 0)
		fuzz_fail(h, "a container of space%u has a foreign backend", si);
	fd = iofd_backend_fd(h->r.be[k]);
	if (fd < 0)
		fuzz_fail(h, "a container of space%u uses be%d, which has no fd",
			  si, k);
	if (ndev == 0)
		fuzz_fail(h, "container IOAS %u of space%u has no device left",
			  iofd_container_ioas(c), si);
	nr = iofd_container_iova_range_count(c);
	for (j = 0; j < nr; j++) {
		const struct iofd_iova_range *r =
			iofd_container_iova_range_get(c, j);

		if (!r || r->start > r->last ||
		    (j && iofd_container_iova_range_get(c, j - 1)->last >=
		     r->start))
			fuzz_fail(h, "IOAS %u: usable range %zu is out of order",
				  iofd_container_ioas(c), j);
	}
	if (iofd_container_iova_range_get(c, nr))
		fuzz_fail(h, "iova_range_get past the end is not NULL");
	align = iofd_container_iova_alignment(c);
	if (align == 0 || (align & (align - 1)))
		fuzz_fail(h, "IOAS %u: IOVA alignment %#" PRIx64,
			  iofd_container_ioas(c), align);
	fuzz_areas_of_ioas(h, fd, iofd_container_ioas(c), &got);
	if (!h->diverged[si] && !fuzz_areas_equal(&got, want)) {
		fuzz_print_areas("space regions", want);
		fuzz_print_areas("emulator areas", &got);
		fuzz_fail(h, "IOAS %u (be%d) of space%u does not hold exactly the space's regions",
			  iofd_container_ioas(c), k, si);
	}
	for (j = 0; j < ndev; j++) {
		struct iofd_device *d = iofd_container_device_get(c, j);

		if (!d)
			fuzz_fail(h, "device %zu of %zu is NULL", j, ndev);
		fuzz_check_device(h, si, c, d);
	}
	if (iofd_container_device_get(c, ndev))
		fuzz_fail(h, "container device_get past the end is not NULL");
}

/* Two containers never share one IOAS of one backend. */
static void fuzz_check_unique_ioas(struct fuzz_state *h)
{
	struct {
		const struct iofd_backend *be;
		uint32_t ioas;
	} seen[OP_MAX_DEVICES * OP_MAX_SPACES];
	unsigned int nseen = 0, si, i;
	size_t ci;

	for (si = 0; si < h->r.nspaces; si++) {
		struct iofd_space *s = h->r.spaces[si];

		for (ci = 0; ci < iofd_space_container_count(s); ci++) {
			struct iofd_container *c =
				iofd_space_container_get(s, ci);

			for (i = 0; i < nseen; i++)
				if (seen[i].be == iofd_container_backend(c) &&
				    seen[i].ioas == iofd_container_ioas(c))
					fuzz_fail(h, "two containers share IOAS %u",
						  seen[i].ioas);
			if (nseen == sizeof(seen) / sizeof(seen[0]))
				fuzz_fail(h, "more containers than devices");
			seen[nseen].be = iofd_container_backend(c);
			seen[nseen].ioas = iofd_container_ioas(c);
			nseen++;
		}
	}
}

void fuzz_check_backends(struct fuzz_state *h)
{
	unsigned int users[OP_MAX_BACKENDS] = { 0 };
	unsigned int j, k;

	for (j = 0; j < h->r.ndevs; j++)
		if (h->r.devs[j].dev)
			users[h->r.devs[j].be]++;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		struct iofd_backend *be = h->r.be[k];
		int fd;

		if (!be)
			continue;
		fd = iofd_backend_fd(be);
		users[k] += h->r.conns[k];
		if (iofd_backend_users(be) != users[k])
			fuzz_fail(h, "be%u has %u users, expected %u", k,
				  iofd_backend_users(be), users[k]);
		if (h->r.hfd[k] >= 0 && fd != h->r.hfd[k])
			fuzz_fail(h, "be%u was handed iommufd %d, uses %d", k,
				  h->r.hfd[k], fd);
		if (h->r.hfd[k] < 0 && (fd >= 0) != (users[k] > 0))
			fuzz_fail(h, "be%u has fd %d with %u users", k, fd,
				  users[k]);
	}
}

/* ------------------------------------------------------------------ */
/* (o) kernel objects                                                  */

/*
 * A set of object ids as a bitmap: the emulator hands out the lowest free
 * id, so a bounded program's ids stay below FUZZ_MAX_ID. Types are looked
 * up again only for a report (fuzz_object_type).
 */
#define FUZZ_MAX_ID	1024

struct fuzz_objects {
	unsigned int words;		/* bits[] in use; the rest are 0 */
	uint64_t bits[FUZZ_MAX_ID / 64];
	struct fuzz_state *h;
};

static void fuzz_objects_add(struct fuzz_objects *o, uint32_t id)
{
	if (id >= FUZZ_MAX_ID)
		fuzz_fail(o->h, "object id %u past the %d the checks follow",
			  id, FUZZ_MAX_ID);
	while (o->words <= id / 64)
		o->bits[o->words++] = 0;
	o->bits[id / 64] |= 1ULL << (id % 64);
}

/* The type of live object @id in iommufd @fd ("ioas", ...), for reports. */
struct fuzz_find_type {
	uint32_t id;
	const char *type;
};

static int fuzz_find_type_cb(void *arg, uint32_t id, const char *type)
{
	struct fuzz_find_type *f = arg;

	if (id == f->id)
		f->type = type;
	return 0;
}

static const char *fuzz_object_type(struct fuzz_state *h, int fd, uint32_t id)
{
	struct fuzz_find_type f = { .id = id, .type = "object" };

	emu_ictx_for_each_object(h->emu, fd, fuzz_find_type_cb, &f);
	return f.type;
}

static uint64_t fuzz_objects_word(const struct fuzz_objects *o,
				  unsigned int w)
{
	return w < o->words ? o->bits[w] : 0;
}

static int fuzz_collect_object(void *arg, uint32_t id, const char *type)
{
	fuzz_objects_add(arg, id);
	return 0;
}

/* Devices a failed FILE_DEL left with KVM (they stay bound). */
unsigned int fuzz_kvm_held(struct fuzz_state *h)
{
	struct emu_counters cnt;
	unsigned int j, registered = 0;

	emu_counters_get(h->emu, &cnt);
	for (j = 0; j < h->r.ndevs; j++)
		if (h->r.devs[j].dev && h->r.devs[j].kvm_expect)
			registered++;
	return cnt.kvm_vfio_files > registered ?
	       cnt.kvm_vfio_files - registered : 0;
}

/* Whether the core said it left @id in iommufd @fd. */
static bool fuzz_abandoned(const struct fuzz_state *h, int fd, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < h->nabandoned; i++)
		if (h->abandoned[i].fd == fd && h->abandoned[i].id == id)
			return true;
	return false;
}

/* What the core and the interpreter hold on beK (@k < 0: nothing). */
static void fuzz_known_objects(struct fuzz_state *h, int fd, int k,
			       struct fuzz_objects *known)
{
	struct iofd_backend *be = k >= 0 ? h->r.be[k] : NULL;
	const struct oprun_scratch *sc;
	unsigned int j, si, i;
	size_t ci, x, n;

	for (i = 0; i < h->nabandoned; i++)
		if (h->abandoned[i].fd == fd)
			fuzz_objects_add(known, h->abandoned[i].id);
	for (j = 0; j < OP_MAX_BACKENDS; j++) {
		sc = &h->r.scratch[j];
		if (sc->nleft && sc->left_fd == fd)
			for (i = 0; i < sc->nleft; i++)
				fuzz_objects_add(known, sc->left[i]);
	}
	if (k < 0)
		return;
	sc = &h->r.scratch[k];
	for (j = 0; j < h->r.ndevs; j++) {
		struct iofd_device *d = h->r.devs[j].dev;

		if (!d || h->r.devs[j].be != (unsigned int)k)
			continue;
		fuzz_objects_add(known, iofd_device_devid(d));
		fuzz_objects_add(known, iofd_device_hwpt(d));
	}
	for (si = 0; si < h->r.nspaces; si++) {
		struct iofd_space *s = h->r.spaces[si];

		n = iofd_space_container_count(s);
		for (ci = 0; ci < n; ci++) {
			struct iofd_container *c =
				iofd_space_container_get(s, ci);

			if (iofd_container_backend(c) != be)
				continue;
			fuzz_objects_add(known, iofd_container_ioas(c));
			for (x = 0; x < iofd_container_hwpt_count(c); x++) {
				uint32_t id = 0;

				iofd_container_hwpt_get(c, x, &id, NULL);
				fuzz_objects_add(known, id);
			}
		}
	}
	if (sc->allocated)
		fuzz_objects_add(known, sc->ioas);
	if (be)
		for (x = 0; x < iofd_backend_stranded_count(be); x++)
			fuzz_objects_add(known,
					 iofd_backend_stranded_get(be, x));
}

void fuzz_check_context(struct fuzz_state *h, int fd, int k, bool exact)
{
	struct fuzz_objects live, known;
	unsigned int w, held = ~0u, held_hwpts = 0;
	uint64_t extra, missing;
	uint32_t id;
	int ret;

	live.words = known.words = 0;
	live.h = known.h = h;
	ret = emu_ictx_for_each_object(h->emu, fd, fuzz_collect_object, &live);
	if (ret)
		fuzz_fail(h, "cannot list the objects of iommufd %d: %d", fd,
			  ret);
	fuzz_known_objects(h, fd, k, &known);
	for (w = 0; w < live.words || w < known.words; w++) {
		extra = fuzz_objects_word(&live, w) &
			~fuzz_objects_word(&known, w);
		missing = exact ? fuzz_objects_word(&known, w) &
			  ~fuzz_objects_word(&live, w) : 0;
		for (; extra; extra &= extra - 1) {
			const char *type;

			id = w * 64 + (uint32_t)__builtin_ctzll(extra);
			type = fuzz_object_type(h, fd, id);
			if (held == ~0u)
				held = held_hwpts = fuzz_kvm_held(h);
			/*
			 * A DEVICE lives exactly as long as its bound cdev
			 * fd, which the fd counts account for: an unwind may
			 * close the iommufd before the device fd (exact is
			 * false then). And a device file KVM still holds
			 * after a failed FILE_DEL stays bound, with the HWPT
			 * the kernel chose for it if its DETACH failed.
			 */
			if (!strcmp(type, "device") && (!exact || held)) {
				held -= exact;
				continue;
			}
			if (!strcmp(type, "hwpt") && held_hwpts) {
				held_hwpts--;
				continue;
			}
			fuzz_fail(h, "iommufd %d holds %s %u, which neither the core nor the interpreter knows (leaked)",
				  fd, type, id);
		}
		for (; missing; missing &= missing - 1) {
			id = w * 64 + (uint32_t)__builtin_ctzll(missing);
			if (!fuzz_abandoned(h, fd, id))
				fuzz_fail(h, "iommufd %d: object %u, which the core or the interpreter holds, is not in the kernel",
					  fd, id);
		}
	}
}

/* ------------------------------------------------------------------ */
/* (g) counts                                                          */

/* HWPTs of @c: used, and tracking only where every one can. */
static void fuzz_check_hwpts(struct fuzz_state *h, struct iofd_container *c)
{
	size_t n = iofd_container_hwpt_count(c), x, d;
	size_t ndev = iofd_container_device_count(c);
	bool capable = n > 0;

	for (x = 0; x < n; x++) {
		uint32_t id = 0, flags = 0;

		if (iofd_container_hwpt_get(c, x, &id, NULL) ||
		    iofd_container_hwpt_get(c, x, NULL, &flags))
			fuzz_fail(h, "HWPT %zu of %zu missing", x, n);
		if (!(flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
			capable = false;
		for (d = 0; d < ndev; d++)
			if (iofd_device_hwpt(iofd_container_device_get(c, d)) ==
			    id)
				break;
		if (d == ndev)
			fuzz_fail(h, "HWPT %u of IOAS %u has no device", id,
				  iofd_container_ioas(c));
	}
	if (iofd_container_hwpt_get(c, n, NULL, NULL) != -ENOENT)
		fuzz_fail(h, "hwpt_get past the end is not -ENOENT");
	/*
	 * A device on a domain the kernel chose (its HWPT is none of the
	 * container's) cannot be asked for dirty bits: the container cannot
	 * track.
	 */
	for (d = 0; d < ndev; d++) {
		uint32_t dh = iofd_device_hwpt(iofd_container_device_get(c, d));
		uint32_t id = 0;

		for (x = 0; x < n; x++) {
			iofd_container_hwpt_get(c, x, &id, NULL);
			if (id == dh)
				break;
		}
		if (x == n)
			capable = false;
	}
	if (iofd_container_dirty_capable(c) != capable)
		fuzz_fail(h, "IOAS %u: dirty capable %d, its HWPTs say %d",
			  iofd_container_ioas(c),
			  iofd_container_dirty_capable(c), capable);
	if (iofd_container_dirty_tracking(c) && !capable)
		fuzz_fail(h, "IOAS %u tracks dirty pages without the HWPTs for it",
			  iofd_container_ioas(c));
}

static void fuzz_check_counts(struct fuzz_state *h)
{
	unsigned int disablers = 0, registered = 0, fds = 0, contexts = 0;
	unsigned int held, j, k;
	struct emu_counters cnt;
	size_t si, ci;
	bool check;

	for (j = 0; j < h->r.ndevs; j++) {
		const struct oprun_dev *d = &h->r.devs[j];

		if (!d->dev)
			continue;
		if (!d->discard_ok)
			disablers++;
		if (iofd_device_kvm_registered(d->dev) != d->kvm_expect)
			fuzz_fail(h, "dev%u: KVM registered %d, expected %d", j,
				  iofd_device_kvm_registered(d->dev),
				  d->kvm_expect);
		if (d->kvm_expect) {
			registered++;
			if (emu_kvm_vfio_has(h->emu, h->r.kvm_dev,
					     iofd_device_fd(d->dev)) != 1)
				fuzz_fail(h, "dev%u: registered, but KVM does not list fd %d",
					  j, iofd_device_fd(d->dev));
		}
		fds++;
	}
	if (iofd_ctx_discard_disablers(h->r.ctx) != disablers)
		fuzz_fail(h, "%u devices keep RAM discard disabled, the core counts %u",
			  disablers, iofd_ctx_discard_disablers(h->r.ctx));
	if (disablers && h->r.discard_required)
		fuzz_fail(h, "discard is required while %u devices disable it",
			  disablers);
	/*
	 * A failed FILE_DEL (a fault) leaves KVM holding the file until the
	 * kvm-vfio device goes: then KVM may list more than is registered.
	 */
	emu_counters_get(h->emu, &cnt);
	if (cnt.kvm_vfio_files < registered ||
	    (!h->ever_fired && cnt.kvm_vfio_files != registered))
		fuzz_fail(h, "KVM lists %u VFIO files, %u devices are registered",
			  cnt.kvm_vfio_files, registered);
	for (si = 0; si < h->r.nspaces; si++)
		for (ci = 0; ci < iofd_space_container_count(h->r.spaces[si]);
		     ci++)
			fuzz_check_hwpts(h, iofd_space_container_get(
					 h->r.spaces[si], ci));
	check = h->object_calls != h->objects_checked;
	h->objects_checked = h->object_calls;
	for (k = 0; k < OP_MAX_BACKENDS; k++) {
		int fd = h->r.hfd[k] >= 0 ? h->r.hfd[k] :
			 h->r.be[k] ? iofd_backend_fd(h->r.be[k]) : -1;

		if (fd < 0)
			continue;
		fds++;
		contexts++;
		if (check)
			fuzz_check_context(h, fd, h->r.be[k] ? (int)k : -1,
					   true);
	}
	if (h->r.kvm_dev >= 0)
		fds += 3;	/* /dev/kvm, the VM, its kvm-vfio device */
	if (cnt.fds != fds)
		fuzz_fail(h, "the emulator has %u fds open, the core and interpreter hold %u",
			  cnt.fds, fds);
	/*
	 * A VFIO file KVM still holds after its fd closed (a failed
	 * FILE_DEL) stays bound, and keeps its iommufd context alive.
	 */
	held = cnt.files - cnt.fds;
	if (cnt.contexts < contexts || cnt.contexts > contexts + held)
		fuzz_fail(h, "the emulator has %u iommufd contexts, %u are open (%u files held without an fd)",
			  cnt.contexts, contexts, held);
}

void fuzz_check_all(struct fuzz_state *h)
{
	unsigned int si, j, attached[OP_MAX_SPACES] = { 0 };
	size_t ci, found;

	if (oprun_fires(&h->r))
		h->ever_fired = true;
	for (j = 0; j < h->r.ndevs; j++)
		if (h->r.devs[j].dev)
			attached[h->r.devs[j].space]++;
	for (si = 0; si < h->r.nspaces; si++) {
		struct iofd_space *s = h->r.spaces[si];
		struct fuzz_areas want;
		size_t nc = iofd_space_container_count(s);

		fuzz_space_areas(h, s, &want);
		for (j = 1; j < want.count; j++)
			if (want.a[j - 1].iova + (want.a[j - 1].length - 1) >=
			    want.a[j].iova)
				fuzz_fail(h, "regions of space%u not ascending and disjoint",
					  si);
		found = 0;
		for (ci = 0; ci < nc; ci++) {
			struct iofd_container *c =
				iofd_space_container_get(s, ci);

			if (!c)
				fuzz_fail(h, "container %zu of %zu is NULL",
					  ci, nc);
			fuzz_check_container(h, si, c, &want);
			found += iofd_container_device_count(c);
		}
		if (iofd_space_container_get(s, nc))
			fuzz_fail(h, "container_get past the end is not NULL");
		if (found != attached[si])
			fuzz_fail(h, "space%u lists %zu devices, %u are attached",
				  si, found, attached[si]);
	}
	fuzz_check_unique_ioas(h);
	fuzz_check_scratch(h);
	fuzz_check_backends(h);
	fuzz_check_counts(h);
}

/* ------------------------------------------------------------------ */
/* After the teardown                                                  */

/* KVM lists no VFIO file, unless a fault left one for the VM's close. */
void fuzz_check_kvm_files(struct fuzz_state *h)
{
	struct emu_counters cnt;

	if (oprun_fires(&h->r))
		h->ever_fired = true;
	emu_counters_get(h->emu, &cnt);
	if (cnt.kvm_vfio_files && !h->ever_fired)
		fuzz_fail(h, "KVM still lists %u VFIO files after teardown",
			  cnt.kvm_vfio_files);
}

/* No fd, file, context, object, pinned page or KVM state is left. */
void fuzz_check_empty(struct fuzz_state *h)
{
	struct emu_counters cnt;

	emu_counters_get(h->emu, &cnt);
	if (cnt.fds || cnt.files || cnt.contexts || cnt.objects ||
	    cnt.pinned_pages || cnt.kvm_vms || cnt.kvm_devices ||
	    cnt.kvm_vfio_files)
		fuzz_fail(h, "emulator not empty after teardown: %u fds, %u files, %u contexts, %u objects, %" PRIu64 " pinned pages, %u VMs, %u kvm-vfio devices, %u VFIO files in KVM",
			  cnt.fds, cnt.files, cnt.contexts, cnt.objects,
			  cnt.pinned_pages, cnt.kvm_vms, cnt.kvm_devices,
			  cnt.kvm_vfio_files);
}
