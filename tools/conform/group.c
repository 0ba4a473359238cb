// SPDX-License-Identifier: MIT
/*
 * Area "group": the legacy VFIO path. The container (/dev/vfio/vfio) and
 * its type-1 IOMMU (extensions, SET_IOMMU, GET_INFO and its capability
 * chain, MAP_DMA, UNMAP_DMA, DIRTY_PAGES), the group node (status,
 * SET/UNSET_CONTAINER, GET_DEVICE_FD and the device fd it gives), the
 * exclusivity between the group node and the device cdev, and the same
 * container API served by an iommufd (a group set to an iommufd context,
 * its automatic compat IOAS).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "conform.h"

static void cf_ext(struct cf *cf, const char *prefix, int fd)
{
	static const struct { const char *name; unsigned long ext; } exts[] = {
		{ "type1", VFIO_TYPE1_IOMMU },
		{ "type1v2", VFIO_TYPE1v2_IOMMU },
		{ "nesting", VFIO_TYPE1_NESTING_IOMMU },
		{ "noiommu", VFIO_NOIOMMU_IOMMU },
		{ "cc", VFIO_DMA_CC_IOMMU },
		{ "unmap-all", VFIO_UNMAP_ALL },
		{ "update-vaddr", VFIO_UPDATE_VADDR },
		{ "unknown", 99 },
	};
	char step[64];
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		snprintf(step, sizeof(step), "%s.ext-%s", prefix, exts[i].name);
		cf_rec(cf, step, cf_ioctl_val(fd, VFIO_CHECK_EXTENSION,
					      exts[i].ext), NULL);
	}
}

/* GET_INFO with @argsz bytes of room, its capability chain spelled out. */
static void cf_type1_info(struct cf *cf, const char *step, int fd,
			  uint32_t argsz)
{
	uint8_t buf[512];
	struct vfio_iommu_type1_info *info = (void *)buf;
	char text[512];
	size_t at = 0;
	uint32_t off, hops = 0;
	long rc;

	memset(buf, 0, sizeof(buf));
	info->argsz = argsz;
	rc = cf_ioctl(fd, VFIO_IOMMU_GET_INFO, buf);
	text[0] = '\0';
	off = (info->flags & VFIO_IOMMU_INFO_CAPS) && !rc ? info->cap_offset
							   : 0;
	while (off && off + sizeof(struct vfio_info_cap_header) <= argsz &&
	       off < sizeof(buf) - 64 && hops++ < 8) {
		struct vfio_info_cap_header *h = (void *)(buf + off);

		at += snprintf(text + at, sizeof(text) - at, " cap%u.v%u",
			       h->id, h->version);
		if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
			struct vfio_iommu_type1_info_cap_iova_range *r =
				(void *)h;
			uint32_t i;

			at += snprintf(text + at, sizeof(text) - at, "=%u",
				       r->nr_iovas);
			for (i = 0; i < r->nr_iovas && i < 4; i++)
				at += snprintf(text + at, sizeof(text) - at,
					       ",%#llx-%#llx",
					       (unsigned long long)
					       r->iova_ranges[i].start,
					       (unsigned long long)
					       r->iova_ranges[i].end);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
			struct vfio_iommu_type1_info_dma_avail *a = (void *)h;

			at += snprintf(text + at, sizeof(text) - at, "=%u",
				       a->avail);
		} else if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION) {
			struct vfio_iommu_type1_info_cap_migration *m =
				(void *)h;

			at += snprintf(text + at, sizeof(text) - at,
				       "=%#x,%#llx,%#llx", m->flags,
				       (unsigned long long)m->pgsize_bitmap,
				       (unsigned long long)
				       m->max_dirty_bitmap_size);
		}
		off = h->next;
	}
	cf_rec(cf, step, rc, "argsz=%#x flags=%#x pgsizes=%#llx cap_offset=%#x%s",
	       info->argsz, info->flags,
	       (unsigned long long)info->iova_pgsizes, info->cap_offset, text);
}

static long cf_map_dma(int fd, uint32_t flags, uint64_t va, uint64_t iova,
		       uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = va, .iova = iova,
		.size = size,
	};

	return cf_ioctl(fd, VFIO_IOMMU_MAP_DMA, &m);
}

static void cf_unmap_dma(struct cf *cf, const char *step, int fd,
			 uint32_t flags, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
	};
	long rc = cf_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &u);

	cf_rec(cf, step, rc, "size=%#llx", (unsigned long long)u.size);
}

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* MAP_DMA and UNMAP_DMA on a container whose IOMMU is set (@p: prefix). */
static void cf_type1_maps(struct cf *cf, const char *p, int fd)
{
	uint64_t va = cf_va(cf, 0);
	char step[64];

#define STEP(s) (snprintf(step, sizeof(step), "%s.%s", p, s), step)
	cf_rec(cf, STEP("map-no-prot"), cf_map_dma(fd, 0, va, 0x100000,
						   0x10000), NULL);
	cf_rec(cf, STEP("map-flags"), cf_map_dma(fd, RW | 0x80, va, 0x100000,
						 0x10000), NULL);
	cf_rec(cf, STEP("map-unaligned"), cf_map_dma(fd, RW, va, 0x100800,
						     0x10000), NULL);
	cf_rec(cf, STEP("map-size-0"), cf_map_dma(fd, RW, va, 0x100000, 0),
	       NULL);
	cf_rec(cf, STEP("map-iova-wraps"), cf_map_dma(fd, RW, va,
		(uint64_t)-CF_PG, 0x2000), NULL);
	cf_rec(cf, STEP("map-msi-window"), cf_map_dma(fd, RW, va, 0xfee00000,
						      CF_PG), NULL);
	cf_rec(cf, STEP("map-beyond-aperture"), cf_map_dma(fd, RW, va,
		1ULL << 50, CF_PG), NULL);
	cf_rec(cf, STEP("map-null-va"), cf_map_dma(fd, RW, 0, 0x300000, CF_PG),
	       NULL);
	cf_rec(cf, STEP("map"), cf_map_dma(fd, RW, va, 0x100000, 0x10000),
	       NULL);
	cf_rec(cf, STEP("map-overlap"), cf_map_dma(fd, RW, va, 0x10f000,
						   0x2000), NULL);
	cf_rec(cf, STEP("map-readonly"), cf_map_dma(fd, VFIO_DMA_MAP_FLAG_READ,
						    va, 0x200000, CF_PG), NULL);
	cf_rec(cf, STEP("map-writeonly"), cf_map_dma(fd,
		VFIO_DMA_MAP_FLAG_WRITE, va, 0x201000, CF_PG), NULL);
	cf_rec(cf, STEP("map-second"), cf_map_dma(fd, RW, va, 0x110000,
						  0x10000), NULL);
	cf_type1_info(cf, STEP("info-mapped"), fd, 512);
	cf_unmap_dma(cf, STEP("unmap-middle"), fd, 0, 0x104000, 0x2000);
	cf_unmap_dma(cf, STEP("unmap-head"), fd, 0, 0x100000, 0x8000);
	cf_unmap_dma(cf, STEP("unmap-unaligned"), fd, 0, 0x100800, 0x10000);
	cf_unmap_dma(cf, STEP("unmap-size-0"), fd, 0, 0x100000, 0);
	cf_unmap_dma(cf, STEP("unmap-flags"), fd, 0x80, 0x100000, 0x10000);
	cf_unmap_dma(cf, STEP("unmap-all-with-range"), fd,
		     VFIO_DMA_UNMAP_FLAG_ALL, 0x100000, 0x10000);
	cf_unmap_dma(cf, STEP("unmap-exact"), fd, 0, 0x100000, 0x10000);
	cf_unmap_dma(cf, STEP("unmap-again"), fd, 0, 0x100000, 0x10000);
	cf_unmap_dma(cf, STEP("unmap-superset"), fd, 0, 0, 0x1000000);
	cf_rec(cf, STEP("map-after"), cf_map_dma(fd, RW, va, 0x100000, 0x2000),
	       NULL);
	cf_unmap_dma(cf, STEP("unmap-all"), fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0);
	cf_rec(cf, STEP("unknown"), cf_ioctl(fd, _IO(VFIO_TYPE, 0x7f), NULL),
	       NULL);
#undef STEP
}

static void cf_type1_dirty(struct cf *cf, int fd)
{
	struct vfio_iommu_type1_dirty_bitmap d = { .argsz = sizeof(d) };

	d.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
		  VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP;
	cf_rec(cf, "type1.dirty-two-flags", cf_ioctl(fd,
	       VFIO_IOMMU_DIRTY_PAGES, &d), NULL);
	d.flags = 0;
	cf_rec(cf, "type1.dirty-no-flag", cf_ioctl(fd, VFIO_IOMMU_DIRTY_PAGES,
						   &d), NULL);
	d.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	cf_rec(cf, "type1.dirty-get-no-range", cf_ioctl(fd,
	       VFIO_IOMMU_DIRTY_PAGES, &d), NULL);
	d.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
	cf_rec(cf, "type1.dirty-start", cf_ioctl(fd, VFIO_IOMMU_DIRTY_PAGES,
						 &d), NULL);
	d.flags = VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP;
	cf_rec(cf, "type1.dirty-stop", cf_ioctl(fd, VFIO_IOMMU_DIRTY_PAGES,
						&d), NULL);
}

static long cf_set_container(int group, int fd)
{
	return cf_ioctl(group, VFIO_GROUP_SET_CONTAINER, &fd);
}

static void cf_status(struct cf *cf, const char *step, int group)
{
	struct vfio_group_status s = { .argsz = sizeof(s), .flags = 0x80 };
	long rc = cf_ioctl(group, VFIO_GROUP_GET_STATUS, &s);

	cf_rec(cf, step, rc, "flags=%#x", s.flags);
}

static void cf_fstat(struct cf *cf, const char *step, int fd)
{
	struct stat st;
	long rc = fstat(fd, &st) ? -errno : 0;

	cf_rec(cf, step, rc, "mode=%#o", rc ? 0 : st.st_mode);
}

static int cf_device_fd(struct cf *cf, const char *step, int group,
			const char *name)
{
	long rc = cf_ioctl(group, VFIO_GROUP_GET_DEVICE_FD, (void *)name);

	cf_rec(cf, step, cf_fdres(rc), NULL);
	return rc < 0 ? -1 : (int)rc;
}

/* What a device fd from the group path answers. */
static void cf_group_device(struct cf *cf, const char *p, int devfd,
			    int iommufd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char step[64];
	long rc;

#define STEP(s) (snprintf(step, sizeof(step), "%s.%s", p, s), step)
	rc = cf_ioctl(devfd, VFIO_DEVICE_GET_INFO, &info);
	cf_rec(cf, STEP("dev-get-info"), rc, "flags=%#x regions=%u irqs=%u",
	       info.flags, info.num_regions, info.num_irqs);
	cf_rec(cf, STEP("dev-bind"), cf_bind(devfd, iommufd, NULL), NULL);
	cf_rec(cf, STEP("dev-attach"), cf_attach(devfd, 1, NULL), NULL);
	cf_rec(cf, STEP("dev-detach"), cf_detach(devfd), NULL);
	cf_fstat(cf, STEP("dev-fstat"), devfd);
#undef STEP
}

static void cf_group_container(struct cf *cf, const char *gpath)
{
	char name[64];
	int c, g, g2, dev, dev2, cdev, fd;

	c = cf_open("/dev/vfio/vfio", O_RDWR);
	cf_rec(cf, "container.open", cf_fdres(c), NULL);
	{
		struct stat st;
		long rc = fstat(c, &st) ? -errno : 0;

		cf_rec(cf, "container.fstat", rc, "chr=%d major=%u minor=%u",
		       S_ISCHR(st.st_mode), major(st.st_rdev),
		       minor(st.st_rdev));
	}
	cf_rec(cf, "container.api", cf_ioctl_val(c, VFIO_GET_API_VERSION, 0),
	       NULL);
	cf_ext(cf, "container-empty", c);
	cf_rec(cf, "container.set-iommu-no-group",
	       cf_ioctl_val(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), NULL);
	cf_type1_info(cf, "container.info-unset", c, 512);
	cf_rec(cf, "container.map-unset", cf_map_dma(c, RW, cf_va(cf, 0),
						     0x100000, CF_PG), NULL);
	cf_rec(cf, "container.unknown-unset",
	       cf_ioctl(c, _IO(VFIO_TYPE, 0x7f), NULL), NULL);

	g = cf_open(gpath, O_RDWR);
	cf_rec(cf, "group.open", cf_fdres(g), NULL);
	g2 = cf_open(gpath, O_RDWR);
	cf_rec(cf, "group.open-again", cf_fdres(g2), NULL);
	cf_close(g2);
	{
		struct stat st;
		long rc = fstat(g, &st) ? -errno : 0;

		cf_rec(cf, "group.fstat", rc, "chr=%d", S_ISCHR(st.st_mode));
	}
	cf_status(cf, "group.status", g);
	{
		struct vfio_group_status s = { .argsz = 4 };

		cf_rec(cf, "group.status-argsz", cf_ioctl(g,
		       VFIO_GROUP_GET_STATUS, &s), NULL);
	}
	cf_rec(cf, "group.status-null", cf_ioctl(g, VFIO_GROUP_GET_STATUS,
						 NULL), NULL);
	cf_rec(cf, "group.unknown", cf_ioctl(g, _IO(VFIO_TYPE, 0x7f), NULL),
	       NULL);
	cf_close(cf_device_fd(cf, "group.device-no-container", g, cf->bdf));
	fd = cf_iommufd_open();
	cdev = cf_cdev_open(cf->bdf);
	cf_rec(cf, "group.cdev-open-while-group", cf_fdres(cdev), NULL);
	cf_rec(cf, "group.cdev-bind-while-group", cf_bind(cdev, fd, NULL),
	       NULL);
	cf_rec(cf, "group.unset-none", cf_ioctl(g, VFIO_GROUP_UNSET_CONTAINER,
						NULL), NULL);
	cf_rec(cf, "group.set-closed-fd", cf_set_container(g, 1000), NULL);
	{
		int null = cf_open("/dev/null", O_RDWR);

		cf_rec(cf, "group.set-not-container",
		       cf_set_container(g, null), NULL);
		cf_close(null);
	}
	cf_rec(cf, "group.set-null", cf_ioctl(g, VFIO_GROUP_SET_CONTAINER,
					      NULL), NULL);
	cf_rec(cf, "group.set", cf_set_container(g, c), NULL);
	cf_status(cf, "group.status-set", g);
	cf_rec(cf, "group.set-again", cf_set_container(g, c), NULL);
	cf_close(cf_device_fd(cf, "group.device-no-iommu", g, cf->bdf));
	cf_ext(cf, "container-group", c);
	cf_type1_info(cf, "container.info-no-iommu", c, 512);
	cf_rec(cf, "container.set-iommu-unknown",
	       cf_ioctl_val(c, VFIO_SET_IOMMU, 99), NULL);
	cf_rec(cf, "container.set-iommu",
	       cf_ioctl_val(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), NULL);
	cf_rec(cf, "container.set-iommu-again",
	       cf_ioctl_val(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), NULL);
	cf_ext(cf, "container-iommu", c);
	cf_type1_info(cf, "container.info-struct-only", c,
		      sizeof(struct vfio_iommu_type1_info));
	cf_type1_info(cf, "container.info-argsz-short", c, 8);
	cf_type1_info(cf, "container.info", c, 512);
	cf_type1_maps(cf, "type1", c);
	cf_type1_dirty(cf, c);

	cf_close(cf_device_fd(cf, "group.device-bad-name", g, "0000:ff:1f.7"));
	snprintf(name, sizeof(name), "%s junk", cf->bdf);
	cf_close(cf_device_fd(cf, "group.device-name-option", g, name));
	snprintf(name, sizeof(name), "%sjunk", cf->bdf);
	cf_close(cf_device_fd(cf, "group.device-name-suffix", g, name));
	snprintf(name, sizeof(name), "%s vf_token=%s", cf->bdf,
		 "4f6cbd5c-7a4b-4c83-9d6e-2a3b5c7d8e9f");
	cf_close(cf_device_fd(cf, "group.device-vf-token", g, name));
	cf_rec(cf, "group.device-null", cf_fdres(cf_ioctl(g,
	       VFIO_GROUP_GET_DEVICE_FD, NULL)), NULL);
	dev = cf_device_fd(cf, "group.device", g, cf->bdf);
	cf_group_device(cf, "group", dev, fd);
	dev2 = cf_device_fd(cf, "group.device-second", g, cf->bdf);
	cf_rec(cf, "group.cdev-bind-while-device", cf_bind(cdev, fd, NULL),
	       NULL);
	cf_rec(cf, "group.unset-busy", cf_ioctl(g, VFIO_GROUP_UNSET_CONTAINER,
						NULL), NULL);
	cf_close(dev);
	cf_close(dev2);
	cf_rec(cf, "group.unset", cf_ioctl(g, VFIO_GROUP_UNSET_CONTAINER,
					   NULL), NULL);
	cf_rec(cf, "group.unset-again", cf_ioctl(g,
	       VFIO_GROUP_UNSET_CONTAINER, NULL), NULL);
	cf_status(cf, "group.status-unset", g);
	cf_type1_info(cf, "container.info-no-group", c, 512);
	cf_rec(cf, "container.set-iommu-deprivileged",
	       cf_ioctl_val(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), NULL);
	/* A group set to a container keeps it after the container fd goes. */
	cf_rec(cf, "group.set-for-close", cf_set_container(g, c), NULL);
	cf_close(c);
	cf_status(cf, "group.status-container-closed", g);
	cf_rec(cf, "group.unset-container-closed", cf_ioctl(g,
	       VFIO_GROUP_UNSET_CONTAINER, NULL), NULL);
	cf_close(g);

	/* With the group node closed the cdev binds again, and vice versa. */
	cf_rec(cf, "group.cdev-bind-after-close", cf_bind(cdev, fd, NULL),
	       NULL);
	g = cf_open(gpath, O_RDWR);
	cf_rec(cf, "group.open-while-cdev-bound", cf_fdres(g), NULL);
	cf_close(g);
	cf_close(cdev);
	g = cf_open(gpath, O_RDWR);
	cf_rec(cf, "group.open-after-cdev-closed", cf_fdres(g), NULL);
	cf_close(g);
	cf_close(fd);
}

/* The container API on an iommufd, reached through the group. */
static void cf_group_compat(struct cf *cf, const char *gpath)
{
	struct iommu_vfio_ioas v = { .size = sizeof(v),
				     .op = IOMMU_VFIO_IOAS_GET };
	struct iommu_destroy d = { .size = sizeof(d) };
	int fd = cf_iommufd_open(), g = cf_open(gpath, O_RDWR), dev;
	uint32_t pre = cf_ioas_alloc(fd);
	long rc;

	cf_rec(cf, "compat.set", cf_set_container(g, fd), NULL);
	cf_status(cf, "compat.status", g);
	rc = cf_ioctl(fd, IOMMU_VFIO_IOAS, &v);
	cf_rec(cf, "compat.vfio-ioas", rc, "id=%#x", v.ioas_id);
	cf_rec(cf, "compat.api", cf_ioctl_val(fd, VFIO_GET_API_VERSION, 0),
	       NULL);
	cf_ext(cf, "compat-group", fd);
	cf_type1_info(cf, "compat.info-no-domain", fd, 512);
	cf_type1_info(cf, "compat.info-struct-only", fd,
		      sizeof(struct vfio_iommu_type1_info));
	cf_rec(cf, "compat.set-iommu-unknown",
	       cf_ioctl_val(fd, VFIO_SET_IOMMU, 99), NULL);
	cf_rec(cf, "compat.set-iommu",
	       cf_ioctl_val(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), NULL);
	cf_rec(cf, "compat.set-iommu-again",
	       cf_ioctl_val(fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), NULL);
	dev = cf_device_fd(cf, "compat.device", g, cf->bdf);
	cf_group_device(cf, "compat", dev, fd);
	cf_ext(cf, "compat-device", fd);
	cf_type1_info(cf, "compat.info", fd, 512);
	cf_type1_maps(cf, "compat", fd);
	d.id = v.ioas_id;
	cf_rec(cf, "compat.destroy-ioas", cf_ioctl(fd, IOMMU_DESTROY, &d),
	       NULL);
	cf_rec(cf, "compat.dirty", cf_ioctl(fd, VFIO_IOMMU_DIRTY_PAGES, NULL),
	       NULL);
	cf_rec(cf, "compat.unset-busy", cf_ioctl(g, VFIO_GROUP_UNSET_CONTAINER,
						 NULL), NULL);
	cf_close(dev);
	cf_rec(cf, "compat.unset", cf_ioctl(g, VFIO_GROUP_UNSET_CONTAINER,
					    NULL), NULL);
	rc = cf_ioctl(fd, IOMMU_VFIO_IOAS, &v);
	cf_rec(cf, "compat.vfio-ioas-after", rc, "id=%#x", v.ioas_id);
	d.id = pre;
	cf_rec(cf, "compat.destroy-other", cf_ioctl(fd, IOMMU_DESTROY, &d),
	       NULL);
	/* SET_CONTAINER keeps an existing compat IOAS. */
	v.op = IOMMU_VFIO_IOAS_SET;
	v.ioas_id = cf_ioas_alloc(fd);
	rc = cf_ioctl(fd, IOMMU_VFIO_IOAS, &v);
	cf_rec(cf, "compat.preset", rc, "id=%#x", v.ioas_id);
	cf_rec(cf, "compat.set-preset", cf_set_container(g, fd), NULL);
	v.op = IOMMU_VFIO_IOAS_GET;
	rc = cf_ioctl(fd, IOMMU_VFIO_IOAS, &v);
	cf_rec(cf, "compat.vfio-ioas-preset", rc, "id=%#x", v.ioas_id);
	cf_close(g);
	cf_close(fd);
}

int cf_area_group(struct cf *cf)
{
	char gpath[64];

	cf_group_path(cf, gpath, sizeof(gpath));
	cf_group_container(cf, gpath);
	cf_group_compat(cf, gpath);
	return 0;
}
