// SPDX-License-Identifier: MIT
/*
 * Area "objects": the iommufd context and its object table. Ids (lowest
 * free first, one namespace), IOMMU_DESTROY, the dispatcher's rules for
 * every 6.12 ioctl (too short, non-zero tail, unreadable, all-zero
 * struct), numbers outside the table, IOMMU_OPTION's global option,
 * IOMMU_VFIO_IOAS and the fault queue with its fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include "conform.h"

#define CF_OFFSETOFEND(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

/* Every ioctl of 6.12's table: its struct size and its minimum size. */
struct cf_iommufd_ioctl {
	const char *name;
	unsigned long cmd;
	uint32_t ksize;
	uint32_t minsz;
};

#define CF_IOCTL(n, c, t, last) \
	{ n, c, sizeof(struct t), CF_OFFSETOFEND(struct t, last) }

static const struct cf_iommufd_ioctl cf_iommufd_ioctls[] = {
	CF_IOCTL("destroy", IOMMU_DESTROY, iommu_destroy, id),
	CF_IOCTL("ioas-alloc", IOMMU_IOAS_ALLOC, iommu_ioas_alloc,
		 out_ioas_id),
	CF_IOCTL("allow-iovas", IOMMU_IOAS_ALLOW_IOVAS, iommu_ioas_allow_iovas,
		 allowed_iovas),
	CF_IOCTL("copy", IOMMU_IOAS_COPY, iommu_ioas_copy, src_iova),
	CF_IOCTL("iova-ranges", IOMMU_IOAS_IOVA_RANGES, iommu_ioas_iova_ranges,
		 out_iova_alignment),
	CF_IOCTL("map", IOMMU_IOAS_MAP, iommu_ioas_map, iova),
	CF_IOCTL("unmap", IOMMU_IOAS_UNMAP, iommu_ioas_unmap, length),
	CF_IOCTL("option", IOMMU_OPTION, iommu_option, val64),
	CF_IOCTL("vfio-ioas", IOMMU_VFIO_IOAS, iommu_vfio_ioas, __reserved),
	CF_IOCTL("hwpt-alloc", IOMMU_HWPT_ALLOC, iommu_hwpt_alloc, __reserved),
	CF_IOCTL("hw-info", IOMMU_GET_HW_INFO, iommu_hw_info, __reserved),
	CF_IOCTL("set-dirty", IOMMU_HWPT_SET_DIRTY_TRACKING,
		 iommu_hwpt_set_dirty_tracking, __reserved),
	CF_IOCTL("get-dirty", IOMMU_HWPT_GET_DIRTY_BITMAP,
		 iommu_hwpt_get_dirty_bitmap, data),
	CF_IOCTL("invalidate", IOMMU_HWPT_INVALIDATE, iommu_hwpt_invalidate,
		 __reserved),
	CF_IOCTL("fault-alloc", IOMMU_FAULT_QUEUE_ALLOC, iommu_fault_alloc,
		 out_fault_fd),
};

/* The size rules of the dispatcher, then the handler on a zero struct. */
static void cf_objects_sizes(struct cf *cf, int fd)
{
	uint8_t buf[128];
	char step[64];
	size_t i;
	long rc;

	for (i = 0; i < sizeof(cf_iommufd_ioctls) /
		    sizeof(cf_iommufd_ioctls[0]); i++) {
		const struct cf_iommufd_ioctl *c = &cf_iommufd_ioctls[i];
		uint32_t size;

		memset(buf, 0, sizeof(buf));
		size = c->minsz - 1;
		memcpy(buf, &size, sizeof(size));
		snprintf(step, sizeof(step), "%s.size-short", c->name);
		cf_rec(cf, step, cf_ioctl(fd, c->cmd, buf), NULL);

		memset(buf, 0, sizeof(buf));
		size = c->ksize + 8;
		memcpy(buf, &size, sizeof(size));
		buf[c->ksize + 5] = 1;
		snprintf(step, sizeof(step), "%s.size-tail", c->name);
		cf_rec(cf, step, cf_ioctl(fd, c->cmd, buf), NULL);

		snprintf(step, sizeof(step), "%s.null", c->name);
		cf_rec(cf, step, cf_ioctl(fd, c->cmd, NULL), NULL);

		/* A zero tail past the kernel's struct is accepted. */
		memset(buf, 0, sizeof(buf));
		size = c->ksize + 8;
		memcpy(buf, &size, sizeof(size));
		snprintf(step, sizeof(step), "%s.zero", c->name);
		rc = cf_ioctl(fd, c->cmd, buf);
		if (c->cmd == IOMMU_FAULT_QUEUE_ALLOC && rc == 0) {
			struct iommu_fault_alloc *fa = (void *)buf;

			cf_rec(cf, step, rc, "id=%#x", fa->out_fault_id);
			cf_close((int)fa->out_fault_fd);
		} else if (c->cmd == IOMMU_IOAS_ALLOC) {
			struct iommu_ioas_alloc *a = (void *)buf;

			cf_rec(cf, step, rc, "id=%#x", a->out_ioas_id);
		} else {
			cf_rec(cf, step, rc, NULL);
		}
	}
}

/* Numbers the 6.12 table does not hold, and malformed numbers. */
static void cf_objects_numbers(struct cf *cf, int fd)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = 0 };

	/* IOMMU_IOAS_MAP_FILE and IOMMU_VIOMMU_ALLOC came with 6.13. */
	cf_rec(cf, "nr-0x8f", cf_ioctl(fd, _IO(IOMMUFD_TYPE, 0x8f), &d), NULL);
	cf_rec(cf, "nr-0x90", cf_ioctl(fd, _IO(IOMMUFD_TYPE, 0x90), &d), NULL);
	/* Below the table: the VFIO compat handler, which knows nothing. */
	cf_rec(cf, "nr-0x7f", cf_ioctl(fd, _IO(IOMMUFD_TYPE, 0x7f), &d), NULL);
	cf_rec(cf, "nr-destroy-iowr",
	       cf_ioctl(fd, _IOWR(IOMMUFD_TYPE, 0x80, struct iommu_destroy),
			&d), NULL);
	cf_rec(cf, "nr-other-type", cf_ioctl(fd, _IO('x', 0x80), &d), NULL);
}

static long cf_option(int fd, uint32_t option, uint16_t op, uint32_t obj,
		      uint64_t *val)
{
	struct iommu_option o = {
		.size = sizeof(o),
		.option_id = option,
		.op = op,
		.object_id = obj,
		.val64 = *val,
	};
	long rc = cf_ioctl(fd, IOMMU_OPTION, &o);

	*val = o.val64;
	return rc;
}

static void cf_objects_option(struct cf *cf)
{
	int fd = cf_iommufd_open();
	uint64_t v;
	uint32_t ioas;
	long rc;
	struct iommu_option o = {
		.size = sizeof(o),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.__reserved = 1,
	};

	v = 7;
	rc = cf_option(fd, IOMMU_OPTION_RLIMIT_MODE,
		IOMMU_OPTION_OP_GET, 0, &v);
	cf_rec(cf, "option.rlimit-get", rc, "val=%#llx", (unsigned long long)v);
	v = 2;
	cf_rec(cf, "option.rlimit-set-2", cf_option(fd,
		IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &v), NULL);
	v = 1;
	rc = cf_option(fd,
		IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &v);
	cf_rec(cf, "option.rlimit-set-1", rc, "val=%#llx", (unsigned long long)v);
	v = 0;
	rc = cf_option(fd,
		IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 0, &v);
	cf_rec(cf, "option.rlimit-get-after", rc, "val=%#llx", (unsigned long long)v);
	v = 0;
	cf_rec(cf, "option.rlimit-object", cf_option(fd,
		IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_GET, 1, &v), NULL);
	v = 0;
	cf_rec(cf, "option.bad-op", cf_option(fd, IOMMU_OPTION_RLIMIT_MODE, 2,
					      0, &v), NULL);
	v = 0;
	cf_rec(cf, "option.bad-id", cf_option(fd, 7, IOMMU_OPTION_OP_GET, 0,
					      &v), NULL);
	cf_rec(cf, "option.reserved", cf_ioctl(fd, IOMMU_OPTION, &o), NULL);
	v = 0;
	cf_rec(cf, "option.huge-no-object", cf_option(fd,
		IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, 0, &v), NULL);
	ioas = cf_ioas_alloc(fd);
	v = 0;
	cf_rec(cf, "option.rlimit-set-busy", cf_option(fd,
		IOMMU_OPTION_RLIMIT_MODE, IOMMU_OPTION_OP_SET, 0, &v), NULL);
	v = 7;
	rc = cf_option(fd, IOMMU_OPTION_HUGE_PAGES,
		IOMMU_OPTION_OP_GET, ioas, &v);
	cf_rec(cf, "option.huge-get", rc, "val=%#llx", (unsigned long long)v);
	v = 2;
	cf_rec(cf, "option.huge-set-2", cf_option(fd, IOMMU_OPTION_HUGE_PAGES,
		IOMMU_OPTION_OP_SET, ioas, &v), NULL);
	v = 0;
	cf_rec(cf, "option.huge-set-0", cf_option(fd, IOMMU_OPTION_HUGE_PAGES,
		IOMMU_OPTION_OP_SET, ioas, &v), NULL);
	v = 7;
	rc = cf_option(fd, IOMMU_OPTION_HUGE_PAGES,
		IOMMU_OPTION_OP_GET, ioas, &v);
	cf_rec(cf, "option.huge-get-0", rc, "val=%#llx", (unsigned long long)v);
	v = 0;
	cf_rec(cf, "option.huge-wrong-type", cf_option(fd,
		IOMMU_OPTION_HUGE_PAGES, IOMMU_OPTION_OP_GET, ioas + 1, &v),
		NULL);
	cf_close(fd);
}

static long cf_vfio_ioas(int fd, uint16_t op, uint32_t *id, uint16_t rsv)
{
	struct iommu_vfio_ioas v = {
		.size = sizeof(v),
		.ioas_id = *id,
		.op = op,
		.__reserved = rsv,
	};
	long rc = cf_ioctl(fd, IOMMU_VFIO_IOAS, &v);

	*id = v.ioas_id;
	return rc;
}

static void cf_objects_vfio_ioas(struct cf *cf)
{
	int fd = cf_iommufd_open();
	uint32_t ioas = cf_ioas_alloc(fd), id;
	long rc;

	id = 0;
	cf_rec(cf, "vfio-ioas.get-none", cf_vfio_ioas(fd, IOMMU_VFIO_IOAS_GET,
						      &id, 0), NULL);
	id = 99;
	cf_rec(cf, "vfio-ioas.set-bad", cf_vfio_ioas(fd, IOMMU_VFIO_IOAS_SET,
						     &id, 0), NULL);
	id = ioas;
	cf_rec(cf, "vfio-ioas.set", cf_vfio_ioas(fd, IOMMU_VFIO_IOAS_SET,
						 &id, 0), NULL);
	id = 0;
	rc = cf_vfio_ioas(fd, IOMMU_VFIO_IOAS_GET,
						 &id, 0);
	cf_rec(cf, "vfio-ioas.get", rc, "id=%#x", id);
	id = 0;
	cf_rec(cf, "vfio-ioas.reserved", cf_vfio_ioas(fd, IOMMU_VFIO_IOAS_GET,
						      &id, 1), NULL);
	id = 0;
	cf_rec(cf, "vfio-ioas.bad-op", cf_vfio_ioas(fd, 3, &id, 0), NULL);
	/* The compat IOAS is an ordinary object: DESTROY works. */
	{
		struct iommu_destroy d = { .size = sizeof(d), .id = ioas };

		cf_rec(cf, "vfio-ioas.destroy", cf_ioctl(fd, IOMMU_DESTROY,
							 &d), NULL);
	}
	id = 0;
	cf_rec(cf, "vfio-ioas.get-destroyed", cf_vfio_ioas(fd,
		IOMMU_VFIO_IOAS_GET, &id, 0), NULL);
	id = cf_ioas_alloc(fd);
	rc = cf_vfio_ioas(fd, IOMMU_VFIO_IOAS_SET,
						   &id, 0);
	cf_rec(cf, "vfio-ioas.set-2", rc, "id=%#x", id);
	id = 0;
	cf_rec(cf, "vfio-ioas.clear", cf_vfio_ioas(fd, IOMMU_VFIO_IOAS_CLEAR,
						   &id, 0), NULL);
	cf_rec(cf, "vfio-ioas.get-cleared", cf_vfio_ioas(fd,
		IOMMU_VFIO_IOAS_GET, &id, 0), NULL);
	cf_close(fd);
}

static void cf_objects_fault(struct cf *cf)
{
	int fd = cf_iommufd_open();
	struct iommu_fault_alloc fa = { .size = sizeof(fa), .flags = 1 };
	struct iommu_destroy d = { .size = sizeof(d) };
	uint8_t rec[64];
	int ffd;
	long rc;

	cf_rec(cf, "fault.flags", cf_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fa),
	       NULL);
	fa.flags = 0;
	rc = cf_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fa);
	ffd = rc ? -1 : (int)fa.out_fault_fd;
	cf_rec(cf, "fault.alloc", rc, "id=%#x", rc ? 0 : fa.out_fault_id);
	d.id = rc ? 0 : fa.out_fault_id;
	cf_rec(cf, "fault.destroy-open", cf_ioctl(fd, IOMMU_DESTROY, &d),
	       NULL);
	rc = read(ffd, rec, 40);
	cf_rec(cf, "fault.read-empty", rc < 0 ? -errno : rc, NULL);
	rc = read(ffd, rec, 39);
	cf_rec(cf, "fault.read-short", rc < 0 ? -errno : rc, NULL);
	memset(rec, 0, sizeof(rec));
	rec[4] = 7;
	rc = write(ffd, rec, 8);
	cf_rec(cf, "fault.write-bad-code", rc < 0 ? -errno : rc, NULL);
	cf_close(ffd);
	cf_rec(cf, "fault.destroy-closed", cf_ioctl(fd, IOMMU_DESTROY, &d),
	       NULL);
	cf_close(fd);
}

int cf_area_objects(struct cf *cf)
{
	struct iommu_destroy d = { .size = sizeof(d) };
	uint32_t ids[5];
	int fd, i;

	fd = cf_iommufd_open();
	cf_rec(cf, "open", cf_fdres(fd), NULL);
	d.id = 0;
	cf_rec(cf, "destroy-0", cf_ioctl(fd, IOMMU_DESTROY, &d), NULL);
	d.id = 1;
	cf_rec(cf, "destroy-none", cf_ioctl(fd, IOMMU_DESTROY, &d), NULL);
	for (i = 0; i < 3; i++)
		ids[i] = cf_ioas_alloc(fd);
	cf_rec(cf, "ids-first", 0, "ids=%#x,%#x,%#x", ids[0], ids[1], ids[2]);
	d.id = ids[1];
	cf_rec(cf, "destroy-middle", cf_ioctl(fd, IOMMU_DESTROY, &d), NULL);
	cf_rec(cf, "destroy-again", cf_ioctl(fd, IOMMU_DESTROY, &d), NULL);
	ids[3] = cf_ioas_alloc(fd);
	ids[4] = cf_ioas_alloc(fd);
	cf_rec(cf, "ids-reuse", 0, "ids=%#x,%#x", ids[3], ids[4]);
	{
		struct iommu_ioas_alloc a = { .size = sizeof(a), .flags = 1 };

		cf_rec(cf, "ioas-alloc-flags", cf_ioctl(fd, IOMMU_IOAS_ALLOC,
							&a), NULL);
	}
	cf_objects_sizes(cf, fd);
	cf_objects_numbers(cf, fd);
	cf_close(fd);

	/* A new context starts its ids from 1 again. */
	fd = cf_iommufd_open();
	cf_rec(cf, "reopen-id", 0, "id=%#x", cf_ioas_alloc(fd));
	cf_close(fd);

	cf_objects_option(cf);
	cf_objects_vfio_ioas(cf);
	cf_objects_fault(cf);
	return 0;
}
