/* SPDX-License-Identifier: MIT */
/*
 * The recorder: a host filter (emu/filter.h) that logs every call through
 * the host table.
 *
 * It takes any struct iofd_host (the emulator's, the real one, a fault plan)
 * and gives back another that forwards each call unchanged and keeps a
 * record of it: which entry of the table, the fd or path, the ioctl request
 * number, the bytes of the uAPI struct before (in) and after (out) the call,
 * the result and the errno. For the few ioctls whose answer lives behind a
 * user pointer (IOMMU_IOAS_IOVA_RANGES, IOMMU_GET_HW_INFO) the pointed-to
 * answer is kept too, and so are the entries of a directory listing, the
 * content of a file read and the bytes of a pread or pwrite.
 * That is what a differential needs to compare the emulator with the real
 * kernel call by call.
 *
 * Records carry a tag the user sets (for example the index of the op that
 * is running), so calls can be grouped by what caused them. Records are
 * kept in memory in call order; emu_rec_print() formats one for people, and
 * an optional log stream receives every record as it is made.
 *
 * The recorder never changes a call or its result. Like every host wrapper
 * it is not thread-safe and has no globals. It includes nothing from core/
 * but iofd/host.h. Request names and struct sizes come from the project's
 * one ioctl table (emu/ioctl_names.h).
 */
#ifndef EMU_RECORDER_H
#define EMU_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <emu/filter.h>
#include <iofd/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest uAPI struct kept whole; every struct the core passes fits. */
#define EMU_REC_ARG_MAX		128
/* Pointed-to answers, file contents and directory listings (truncated). */
#define EMU_REC_EXTRA_MAX	512
#define EMU_REC_PATH_MAX	160

/*
 * One call. For ioctls, in/out hold the first arg_len bytes of the argument
 * (the struct's own size field, capped at the size of the request's uAPI
 * struct in the ioctl table; 0 for requests whose argument is no sized
 * struct), taken just before and just after the call. For fstat and stat, out holds the
 * struct stat when it fits (st_mode and st_rdev are also kept apart).
 * extra holds, per kind: IOVA_RANGES the iommu_iova_range array the kernel
 * filled (num_iovas entries, capped), GET_HW_INFO the report written at
 * data_uptr (data_len bytes), READ_FILE the bytes read, LIST_DIR
 * the names passed to the callback, each followed by '\n', PWRITE the bytes
 * written, PREAD the bytes read.
 */
struct emu_rec_call {
	unsigned long seq;		/* 1, 2, ... in call order */
	unsigned int tag;		/* emu_rec_set_tag at call time */
	enum emu_host_entry kind;
	int fd;				/* close, ioctl, fstat, pread, pwrite;
					 * else -1 */
	int flags;			/* open */
	char path[EMU_REC_PATH_MAX];	/* open, stat, read_file, list_dir */
	unsigned long request;		/* ioctl */
	uint64_t count;			/* pread, pwrite: bytes asked */
	uint64_t offset;		/* pread, pwrite */
	uint32_t arg_len;		/* bytes in in[] and out[] */
	/* Aligned so that they can be read as the uAPI structs they hold. */
	_Alignas(8) uint8_t in[EMU_REC_ARG_MAX];
	_Alignas(8) uint8_t out[EMU_REC_ARG_MAX];
	uint32_t mode;			/* fstat, stat: st_mode */
	uint64_t rdev;			/* fstat, stat: st_rdev */
	uint32_t extra_len;
	bool extra_truncated;
	_Alignas(8) uint8_t extra[EMU_REC_EXTRA_MAX];
	long ret;			/* the host's return value */
	int err;			/* positive errno when ret < 0, else 0 */
};

struct emu_rec;

/*
 * Wrap @lower (copied; its priv must outlive the recorder). Returns 0 or
 * -ENOMEM.
 */
int emu_rec_create(const struct iofd_host *lower, struct emu_rec **out);

/* Free the recorder and its records. NULL is allowed. */
void emu_rec_destroy(struct emu_rec *r);

/* The recording host. Valid while @r lives. */
void emu_rec_host(struct emu_rec *r, struct iofd_host *out);

/* Tag every later record with @tag (0 at creation). */
void emu_rec_set_tag(struct emu_rec *r, unsigned int tag);

/*
 * Also write each record, formatted by emu_rec_print, to @log as it is made
 * (NULL turns that off, the default). The stream stays the caller's.
 */
void emu_rec_set_log(struct emu_rec *r, FILE *log);

/*
 * Number of records kept. When memory for a record cannot be found the call
 * still goes through and is counted in emu_rec_dropped() instead.
 */
size_t emu_rec_count(const struct emu_rec *r);
unsigned long emu_rec_dropped(const struct emu_rec *r);

/* The @idx-th record, or NULL past the end. Valid until the next call. */
const struct emu_rec_call *emu_rec_get(const struct emu_rec *r, size_t idx);

/* Forget every record (the sequence number keeps counting). */
void emu_rec_clear(struct emu_rec *r);

/*
 * Format @c on one line (no newline) into @buf, @cap bytes: kind, fd or
 * path, request name, the struct's fields for the requests the recorder
 * knows, result and errno. Returns the length needed, as snprintf does.
 */
int emu_rec_print(const struct emu_rec_call *c, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* EMU_RECORDER_H */
