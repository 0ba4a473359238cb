/* SPDX-License-Identifier: MIT */
/*
 * The host-filter base: what every host wrapper is built on.
 *
 * A filter takes a lower struct iofd_host and gives back another whose
 * every entry describes its call once, as a struct emu_host_call, hands
 * it to the filter's hooks and forwards it to the lower host. A filter
 * supplies only what it adds:
 *   before     sees the call first and may change its arguments, or answer
 *              it itself (return false with c->ret set): then the lower host
 *              never sees it;
 *   after      sees the call and its result (c->ret, which it may change),
 *              whether the lower host ran it or before answered it;
 *   dir_entry  sees each name a forwarded list_dir passes to the caller's
 *              callback, just before the callback does.
 * Any hook may be NULL. The fault plan, the recorder, the fuzz harness's
 * call log and the hardware guard are filters; a new entry of the host
 * table is added here (one member of the call, one entry function, one case
 * of the forward) and every filter sees it.
 *
 * Invariants: a call the filter lets through reaches the lower host exactly
 * once, with the arguments the call holds after before; the caller gets
 * c->ret as after leaves it. An entry the lower host lacks (NULL) answers
 * -ENOSYS. The base allocates nothing and keeps no state of its own beyond
 * the struct emu_filter the user provides.
 */
#ifndef EMU_FILTER_H
#define EMU_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iofd/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The entries of the host table, in the order of struct iofd_host_ops. */
enum emu_host_entry {
	EMU_HOST_OPEN,
	EMU_HOST_CLOSE,
	EMU_HOST_IOCTL,
	EMU_HOST_FSTAT,
	EMU_HOST_STAT,
	EMU_HOST_READ_FILE,
	EMU_HOST_LIST_DIR,
	EMU_HOST_PREAD,
	EMU_HOST_PWRITE,
	EMU_HOST_MMAP,
	EMU_HOST_MUNMAP,
	EMU_HOST_ENTRY_COUNT,
};

/* "open", "read_file", ...; "?" out of range. */
const char *emu_host_entry_name(enum emu_host_entry entry);
/*
 * Whether the entry's call names a path, or an fd (at most one holds;
 * munmap names neither, only memory).
 */
bool emu_host_entry_has_path(enum emu_host_entry entry);
bool emu_host_entry_has_fd(enum emu_host_entry entry);

/*
 * One call through the table. Members a given entry does not use are 0,
 * NULL or (fd) -1.
 */
struct emu_host_call {
	enum emu_host_entry entry;
	int fd;			/* close, ioctl, fstat, pread, pwrite, mmap */
	const char *path;	/* open, stat, read_file, list_dir */
	int flags;		/* open, mmap */
	int prot;		/* mmap */
	void *addr;		/* mmap (the hint), munmap */
	void **out;		/* mmap: where the address goes */
	unsigned long request;	/* ioctl */
	void *arg;		/* ioctl */
	struct stat *st;	/* fstat, stat */
	void *buf;		/* read_file, pread; pwrite's data (read only) */
	size_t count;		/* read_file's capacity, pread/pwrite's count,
				 * mmap/munmap's length */
	uint64_t offset;	/* pread, pwrite, mmap */
	iofd_dir_cb cb;		/* list_dir */
	void *cb_arg;
	long ret;		/* the result, once known */
	void *data;		/* the filter's own, for this call */
};

struct emu_filter;

struct emu_filter_ops {
	bool (*before)(void *priv, struct emu_filter *f,
		       struct emu_host_call *c);
	void (*after)(void *priv, struct emu_host_call *c);
	void (*dir_entry)(void *priv, struct emu_host_call *c,
			  const char *name);
};

/*
 * A filter: lives wherever its user puts it (inside the user's own struct,
 * usually), and must outlive the host it gives.
 */
struct emu_filter {
	struct iofd_host lower;
	const struct emu_filter_ops *ops;
	void *priv;
};

/*
 * Set @f up over @lower (copied; its priv must outlive @f) with @ops and
 * @priv, and write the filtering host to @out.
 */
void emu_filter_init(struct emu_filter *f, const struct iofd_host *lower,
		     const struct emu_filter_ops *ops, void *priv,
		     struct iofd_host *out);

/*
 * Run @c on @f's lower host now and return its result (also stored in
 * c->ret). For a before hook that must let the lower host act and still
 * fail the call (a failed close has released the fd all the same).
 */
long emu_filter_forward(struct emu_filter *f, struct emu_host_call *c);

/*
 * Format @c for people into @buf (@cap bytes, NUL-terminated, truncated
 * when it must be): "open(/dev/iommu)", "ioctl(3, IOMMU_IOAS_MAP)",
 * "pread(4, 16 at 0x10000000000)", "mmap(4, 0x20000 at 0)",
 * "munmap(0x7f0000000000, 0x20000)". Returns the length snprintf would.
 */
int emu_host_call_print(const struct emu_host_call *c, char *buf,
			size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* EMU_FILTER_H */
