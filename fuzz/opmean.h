/* SPDX-License-Identifier: MIT */
/*
 * Inside the interpreter's op meanings (opmean.c, opverbs.c): the helpers
 * both use and the op functions the dispatch table names. Not for runners.
 */
#ifndef FUZZ_OPMEAN_H
#define FUZZ_OPMEAN_H

#include "oprun.h"

/* The op's main call is next: the runner's op_pre, then calling. */
void oprun_pre(struct oprun *r, const struct op *op, enum oprun_call call);
/*
 * The op's main step is next, and it makes its core calls itself (or
 * none): the runner's op_pre alone.
 */
void oprun_pre_main(struct oprun *r, const struct op *op);
/* devN when attached; else NULL with skip_why set. */
struct oprun_dev *oprun_attached(struct oprun *r, unsigned int n);
/* beK when it exists; else NULL with skip_why set. */
struct iofd_backend *oprun_be(struct oprun *r, unsigned int k);
int oprun_connect(struct oprun *r, unsigned int k, enum oprun_role role);
int oprun_free_id(struct oprun *r, unsigned int k, uint32_t id,
		  enum oprun_role role);
/* Connect beK unless the interpreter holds a connection; its IOAS. */
int oprun_scratch_get(struct oprun *r, unsigned int k);
/* beK and its scratch IOAS, made if need be: 0, OPRUN_SKIPPED or -errno. */
int oprun_scratch_ready(struct oprun *r, unsigned int k);

int oprun_op_map(struct oprun *r, const struct op *op);
int oprun_op_unmap_all(struct oprun *r, const struct op *op);
int oprun_op_backend(struct oprun *r, const struct op *op);
int oprun_op_ranges(struct oprun *r, const struct op *op);
int oprun_op_probe(struct oprun *r, const struct op *op);
int oprun_op_hw_info(struct oprun *r, const struct op *op);
int oprun_op_hwpt(struct oprun *r, const struct op *op);
int oprun_op_dirty(struct oprun *r, const struct op *op);
int oprun_op_kvm(struct oprun *r, const struct op *op);
int oprun_op_discard(struct oprun *r, const struct op *op);
int oprun_op_errors(struct oprun *r, const struct op *op);
int oprun_op_leave(struct oprun *r, const struct op *op);
int oprun_op_fault(struct oprun *r, const struct op *op);
int oprun_op_fault_kind(struct oprun *r, const struct op *op);
int oprun_op_fault_alloc(struct oprun *r, const struct op *op);
int oprun_op_dma(struct oprun *r, const struct op *op);

#endif /* FUZZ_OPMEAN_H */
