/* SPDX-License-Identifier: MIT */
/*
 * What an op of the op language (op.h) means to libiofd, for every runner:
 * which objects it names (the device, space and backend slots, the scratch
 * IOAS of a backend, the runner's connections and handed-in iommufds), and
 * which libiofd calls it makes with which arguments. fuzz_attach
 * (harness.c) wraps these with its invariant checks, iofd_hw (tools/hw)
 * with its result recording and the skips real hardware forces; a change
 * to an op's meaning is made here, once.
 *
 * An op that names an object that does not exist makes no call: it
 * returns OPRUN_SKIPPED and says why in skip_why. Ops whose runner checks
 * something between resolving the op and calling libiofd come in two
 * halves: *_prepare resolves (and may skip), the other half calls.
 *
 * Every libiofd call made here takes its error object from the hooks and
 * reports its name and result to them, so a runner sees each call.
 */
#ifndef FUZZ_OPRUN_H
#define FUZZ_OPRUN_H

#include <stdbool.h>
#include <stdint.h>

#include <iofd/iofd.h>

#include "op.h"

/* An op's result when it made no call (never a -errno, never 0). */
#define OPRUN_SKIPPED	1
/* Connections a runner holds on one backend (connect ops, scratch). */
#define OPRUN_MAX_CONNS	4
/* An object id never allocated, for hwpt's bad-pt. */
#define OPRUN_BOGUS_ID	0xfff0

struct oprun_hooks {
	/* The error object for the next libiofd call; NULL hook: &r->err. */
	struct iofd_error *(*err)(void *priv);
	/* After every libiofd call made here, with its name and result. */
	void (*called)(void *priv, const char *call, int ret);
	/* beK's scratch IOAS was just allocated. */
	void (*scratch_new)(void *priv, unsigned int k);
	/* beK's scratch IOAS is about to be freed: what holds it goes first. */
	void (*scratch_put)(void *priv, unsigned int k);
};

/* devN: what the runner attaches it from, and its attachment. */
struct oprun_dev {
	const char *sysfs;		/* NULL: not available to this runner */
	const char *why;		/* ... and why, the skip reason */
	struct iofd_device *dev;	/* NULL while not attached */
	unsigned int space;		/* valid while attached */
	unsigned int be;
};

/* The raw-map playground of one backend: an IOAS the runner owns. */
struct oprun_scratch {
	bool allocated;
	uint32_t ioas;
};

struct oprun {
	const struct oprun_hooks *hooks;	/* may be NULL */
	void *priv;
	struct iofd_ctx *ctx;
	/*
	 * The host below the fault plan, for the runner's own opens and
	 * closes (a handed-in iommufd): they are never faulted or counted.
	 */
	struct iofd_host raw;
	/* User memory: op page p is arena page p % OPRUN_ARENA_SPAN. */
	uint8_t *arena;
	/*
	 * The unknown device flag attach-cfg's bad-flag passes: each runner
	 * keeps its own, as the error message names it.
	 */
	uint32_t bad_flag;

	struct iofd_backend *be[OP_MAX_BACKENDS];
	/* beK's handed-in iommufd (-1: it opens its own); the runner's. */
	int hfd[OP_MAX_BACKENDS];
	/* Connections the runner holds; the scratch IOAS lives while any. */
	unsigned int conns[OP_MAX_BACKENDS];
	struct oprun_scratch scratch[OP_MAX_BACKENDS];
	struct iofd_space *spaces[OP_MAX_SPACES];
	unsigned int nspaces;
	struct oprun_dev devs[OP_MAX_DEVICES];
	unsigned int ndevs;
	unsigned int discard_required;	/* requires minus releases */

	struct iofd_error err;
	const char *skip_why;
};

/* Page p of an op is backed by arena page p % OPRUN_ARENA_SPAN. */
#define OPRUN_ARENA_SPAN	64

/* Attach or attach-cfg, resolved. */
struct oprun_attach {
	unsigned int n, m, k;
	struct iofd_device_cfg dc;	/* name, sysfs path, flags, fd -1 */
	struct iofd_space *space;
	struct iofd_backend *be;
	char name[IOFD_DEVICE_NAME_MAX + 1];
};

/* A ranges op's query and answer (free @r with iofd_free). */
struct oprun_ranges {
	struct iofd_container *c;	/* NULL: the scratch IOAS */
	uint32_t ioas;
	struct iofd_iova_range *r;
	size_t count;
	uint64_t align;			/* the scratch IOAS's only */
};

/* Hooks and slots empty: no backend, space or device yet. */
void oprun_init(struct oprun *r, const struct oprun_hooks *hooks, void *priv);
int oprun_skip(struct oprun *r, const char *why);
void *oprun_page_va(const struct oprun *r, unsigned int page);

/* devN when attached; else NULL with skip_why set. */
struct oprun_dev *oprun_attached(struct oprun *r, unsigned int n);

int oprun_space(struct oprun *r);

/*
 * attach/attach-cfg: resolve devN, spaceM, beK, the name and flags, with
 * devN's sysfs path and no fd (a runner may vary them before the call).
 * The call keeps the device in devN's slot unless one is there already.
 */
int oprun_attach_prepare(struct oprun *r, const struct op *op,
			 struct oprun_attach *a);
int oprun_attach(struct oprun *r, const struct op *op, struct oprun_attach *a,
		 struct iofd_device **out);
/* The device is let go of whatever detach returns. */
int oprun_detach(struct oprun *r, unsigned int n);

int oprun_region_add_prepare(struct oprun *r, const struct op *op,
			     struct iofd_region *reg);
int oprun_region_add(struct oprun *r, const struct op *op,
		     const struct iofd_region *reg);
/* The idx-th region of the space, or past the last the bogus one. */
int oprun_region_del_prepare(struct oprun *r, const struct op *op,
			     uint64_t *iova, uint64_t *size);
int oprun_region_del(struct oprun *r, const struct op *op, uint64_t iova,
		     uint64_t size);

/* Connect beK unless the runner holds a connection; allocate its scratch. */
int oprun_scratch_get(struct oprun *r, unsigned int k);
/* Free beK's scratch IOAS (scratch_put first); it is gone whatever. */
int oprun_scratch_free(struct oprun *r, unsigned int k);

/* map/unmap's range and user memory; the call, on beK's scratch IOAS. */
void oprun_map_range(const struct oprun *r, const struct op *op,
		     uint64_t *iova, uint64_t *len, void **va);
int oprun_map(struct oprun *r, const struct op *op);
/* unmap-all of beK's scratch IOAS; @unmapped may be NULL. */
int oprun_unmap_all(struct oprun *r, unsigned int k, uint64_t *unmapped);

int oprun_connect(struct oprun *r, unsigned int k);
/* Drop one connection; the last takes the scratch IOAS with it. */
int oprun_disconnect(struct oprun *r, unsigned int k);
/* Teardown: drop every connection the runner holds on beK. */
void oprun_conns_drop(struct oprun *r, unsigned int k);

/*
 * backend: badfd hands in -1; otherwise beK is destroyed (its slot empty
 * on success), its handed-in iommufd closed, and it is made again, owned
 * (@fd -1) or on an iommufd from oprun_backend_open_fd.
 */
int oprun_backend_badfd(struct oprun *r, struct iofd_backend **be);
int oprun_backend_destroy(struct oprun *r, unsigned int k);
int oprun_hfd_close(struct oprun *r, unsigned int k);
int oprun_backend_open_fd(struct oprun *r);
int oprun_backend_make(struct oprun *r, unsigned int k, int fd);

/* The @which-th container (in space, then creation order) of beK. */
struct iofd_container *oprun_container_of_be(struct oprun *r, unsigned int k,
					     unsigned int which);
int oprun_ranges(struct oprun *r, const struct op *op,
		 struct oprun_ranges *out);

/* probe's one verb on object id 0; alloc-ioas leaves its IOAS in *@id. */
int oprun_probe(struct oprun *r, const struct op *op, uint32_t *id,
		const char **call);
int oprun_free_id(struct oprun *r, unsigned int k, uint32_t id);

int oprun_hw_info(struct oprun *r, const struct op *op,
		  struct iofd_hw_info *info);
/*
 * hwpt for attached devN (@d) over its backend's scratch IOAS (there
 * already) or the bogus id; with dirty, tracking on and one bitmap read.
 */
int oprun_hwpt_alloc(struct oprun *r, const struct op *op,
		     const struct oprun_dev *d, uint32_t *hwpt);
int oprun_hwpt_dirty(struct oprun *r, unsigned int k, uint32_t hwpt);

/* dirty: the idx-th container of spaceM; on/off or query (not mark). */
int oprun_dirty_container(struct oprun *r, const struct op *op,
			  struct iofd_container **c);
int oprun_dirty(struct oprun *r, const struct op *op,
		struct iofd_container *c, uint64_t bitmap[1]);

int oprun_discard(struct oprun *r, const struct op *op);

/*
 * The core's allocator in every engine (iofd_ctx_set_alloc with
 * &oprun_alloc_ops and a struct oprun_alloc as priv): libc, except that
 * the @nth allocation after oprun_alloc_arm fails, once, as fault-alloc
 * and the allocation sweep ask.
 */
struct oprun_alloc {
	unsigned long calls;	/* since the last arm */
	unsigned long nth;	/* 0: disarmed */
	bool fired;
};

void oprun_alloc_arm(struct oprun_alloc *a, unsigned long nth);
void *oprun_alloc_realloc(void *priv, void *ptr, size_t size);
void oprun_alloc_free(void *priv, void *ptr);
extern const struct iofd_alloc_ops oprun_alloc_ops;

#endif /* FUZZ_OPRUN_H */
