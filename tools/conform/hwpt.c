// SPDX-License-Identifier: MIT
/*
 * Area "hwpt": the IOMMU as the uAPI shows it. GET_HW_INFO (the VT-d
 * capability registers, the capability bits, the data buffer rules),
 * HWPT_ALLOC (paging domains and everything the driver refuses: nesting
 * parents and dirty tracking without the hardware for them, driver data,
 * nested domains), what a domain does to its IOAS (aperture, alignment,
 * refusals), dirty tracking and invalidation on a domain without them.
 */
#include <errno.h>
#include <string.h>

#include <linux/iommufd.h>

#include "conform.h"

static long cf_hwpt_alloc(int fd, uint32_t flags, uint32_t dev, uint32_t pt,
			  uint32_t type, const void *data, uint32_t len,
			  uint32_t *out)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a),
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
		.data_type = type,
		.data_len = len,
		.data_uptr = (uintptr_t)data,
	};
	long rc = cf_ioctl(fd, IOMMU_HWPT_ALLOC, &a);

	*out = rc ? 0 : a.out_hwpt_id;
	return rc;
}

static void cf_alloc_rec(struct cf *cf, const char *step, int fd,
			 uint32_t flags, uint32_t dev, uint32_t pt,
			 uint32_t type, const void *data, uint32_t len)
{
	uint32_t id;
	long rc = cf_hwpt_alloc(fd, flags, dev, pt, type, data, len, &id);

	cf_rec(cf, step, rc, "id=%#x", id);
}

static void cf_ranges_rec(struct cf *cf, const char *step, int fd,
			  uint32_t ioas)
{
	struct iommu_iova_range r[4];
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = ioas,
		.num_iovas = 4,
		.allowed_iovas = (uintptr_t)r,
	};
	long rc;

	memset(r, 0, sizeof(r));
	rc = cf_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &q);
	cf_rec(cf, step, rc, "num=%u align=%#llx r0=%#llx-%#llx "
	       "r1=%#llx-%#llx", q.num_iovas,
	       (unsigned long long)q.out_iova_alignment,
	       (unsigned long long)r[0].start, (unsigned long long)r[0].last,
	       (unsigned long long)r[1].start, (unsigned long long)r[1].last);
}

static void cf_hw_info(struct cf *cf, int fd, uint32_t devid)
{
	struct iommu_hw_info_vtd vtd;
	uint8_t data[32];
	struct iommu_hw_info h = {
		.size = sizeof(h),
		.dev_id = devid,
	};
	uint64_t tail;
	long rc;

	rc = cf_ioctl(fd, IOMMU_GET_HW_INFO, &h);
	cf_rec(cf, "hw-info-probe", rc, "type=%u len=%u caps=%#llx",
	       h.out_data_type, h.data_len,
	       (unsigned long long)h.out_capabilities);

	memset(data, 0xff, sizeof(data));
	h = (struct iommu_hw_info){
		.size = sizeof(h), .dev_id = devid,
		.data_len = sizeof(vtd) + 8, .data_uptr = (uintptr_t)data,
	};
	rc = cf_ioctl(fd, IOMMU_GET_HW_INFO, &h);
	memcpy(&vtd, data, sizeof(vtd));
	memcpy(&tail, data + sizeof(vtd), sizeof(tail));
	cf_rec(cf, "hw-info-vtd", rc, "type=%u len=%u flags=%#x cap=%#llx "
	       "ecap=%#llx tail=%#llx", h.out_data_type, h.data_len, vtd.flags,
	       (unsigned long long)vtd.cap_reg,
	       (unsigned long long)vtd.ecap_reg, (unsigned long long)tail);

	memset(data, 0xff, sizeof(data));
	h = (struct iommu_hw_info){
		.size = sizeof(h), .dev_id = devid,
		.data_len = 8, .data_uptr = (uintptr_t)data,
	};
	rc = cf_ioctl(fd, IOMMU_GET_HW_INFO, &h);
	memcpy(&tail, data + 8, sizeof(tail));
	cf_rec(cf, "hw-info-short-buffer", rc, "len=%u after=%#llx",
	       h.data_len, (unsigned long long)tail);

	h = (struct iommu_hw_info){ .size = 32, .dev_id = devid,
				    .out_capabilities = 0x55 };
	rc = cf_ioctl(fd, IOMMU_GET_HW_INFO, &h);
	cf_rec(cf, "hw-info-size-32", rc, "len=%u caps=%#llx", h.data_len,
	       (unsigned long long)h.out_capabilities);

	h = (struct iommu_hw_info){ .size = sizeof(h), .dev_id = devid + 100 };
	cf_rec(cf, "hw-info-bad-dev", cf_ioctl(fd, IOMMU_GET_HW_INFO, &h),
	       NULL);
	h = (struct iommu_hw_info){ .size = sizeof(h), .dev_id = devid,
				    .flags = 1 };
	cf_rec(cf, "hw-info-flags", cf_ioctl(fd, IOMMU_GET_HW_INFO, &h), NULL);
	h = (struct iommu_hw_info){ .size = sizeof(h), .dev_id = devid,
				    .data_len = 16, .data_uptr = 8 };
	cf_rec(cf, "hw-info-bad-buffer", cf_ioctl(fd, IOMMU_GET_HW_INFO, &h),
	       NULL);
}

static void cf_dirty(struct cf *cf, int fd, uint32_t hwpt)
{
	struct iommu_hwpt_set_dirty_tracking s = {
		.size = sizeof(s), .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
		.hwpt_id = hwpt,
	};
	uint64_t bitmap[2] = { 0, 0 };
	struct iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g), .hwpt_id = hwpt, .iova = 0,
		.length = 0x10000, .page_size = CF_PG,
		.data = (uintptr_t)bitmap,
	};

	cf_rec(cf, "set-dirty-unsupported", cf_ioctl(fd,
	       IOMMU_HWPT_SET_DIRTY_TRACKING, &s), NULL);
	s.flags = 2;
	cf_rec(cf, "set-dirty-flags", cf_ioctl(fd,
	       IOMMU_HWPT_SET_DIRTY_TRACKING, &s), NULL);
	s.flags = 0;
	s.hwpt_id = hwpt + 100;
	cf_rec(cf, "set-dirty-bad-id", cf_ioctl(fd,
	       IOMMU_HWPT_SET_DIRTY_TRACKING, &s), NULL);
	cf_rec(cf, "get-dirty-unsupported", cf_ioctl(fd,
	       IOMMU_HWPT_GET_DIRTY_BITMAP, &g), NULL);
	g.flags = 2;
	cf_rec(cf, "get-dirty-flags", cf_ioctl(fd,
	       IOMMU_HWPT_GET_DIRTY_BITMAP, &g), NULL);
	g.flags = 0;
	g.iova = CF_PG;
	g.length = 0;
	cf_rec(cf, "get-dirty-wraps", cf_ioctl(fd,
	       IOMMU_HWPT_GET_DIRTY_BITMAP, &g), NULL);
	g.iova = 0x800;
	g.length = 0x10000;
	cf_rec(cf, "get-dirty-unaligned", cf_ioctl(fd,
	       IOMMU_HWPT_GET_DIRTY_BITMAP, &g), NULL);
	g.iova = 0;
	g.page_size = 0;
	cf_rec(cf, "get-dirty-page-0", cf_ioctl(fd,
	       IOMMU_HWPT_GET_DIRTY_BITMAP, &g), NULL);
	g.page_size = CF_PG;
	g.hwpt_id = hwpt + 100;
	cf_rec(cf, "get-dirty-bad-id", cf_ioctl(fd,
	       IOMMU_HWPT_GET_DIRTY_BITMAP, &g), NULL);
}

static void cf_invalidate(struct cf *cf, int fd, uint32_t hwpt)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = { 0 };
	struct iommu_hwpt_invalidate i = {
		.size = sizeof(i), .hwpt_id = hwpt,
		.data_uptr = (uintptr_t)&inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(inv), .entry_num = 1,
	};
	long rc;

	rc = cf_ioctl(fd, IOMMU_HWPT_INVALIDATE, &i);
	cf_rec(cf, "invalidate-paging", rc, "num=%u", i.entry_num);
	i.entry_num = 1;
	i.data_uptr = 0;
	rc = cf_ioctl(fd, IOMMU_HWPT_INVALIDATE, &i);
	cf_rec(cf, "invalidate-no-data", rc, "num=%u", i.entry_num);
	i.entry_num = 0;
	rc = cf_ioctl(fd, IOMMU_HWPT_INVALIDATE, &i);
	cf_rec(cf, "invalidate-probe", rc, "num=%u", i.entry_num);
	i.__reserved = 1;
	rc = cf_ioctl(fd, IOMMU_HWPT_INVALIDATE, &i);
	cf_rec(cf, "invalidate-reserved", rc, "num=%u", i.entry_num);
}

int cf_area_hwpt(struct cf *cf)
{
	struct iommu_hwpt_vtd_s1 s1 = { 0 };
	struct iommu_destroy d = { .size = sizeof(d) };
	int fd = cf_iommufd_open(), devfd = cf_cdev_open(cf->bdf);
	uint32_t devid = 0, ioas = cf_ioas_alloc(fd), hwpt = 0, out = 0;
	uint64_t va = cf_va(cf, 0);
	long rc;

	rc = cf_bind(devfd, fd, &devid);
	cf_rec(cf, "bind", rc, "devid=%#x", devid);
	cf_hw_info(cf, fd, devid);

	rc = cf_hwpt_alloc(fd, 0, devid, ioas, IOMMU_HWPT_DATA_NONE, NULL, 0,
			   &hwpt);
	cf_rec(cf, "alloc", rc, "id=%#x", hwpt);
	cf_ranges_rec(cf, "ranges-domain", fd, ioas);
	cf_alloc_rec(cf, "alloc-nest-parent", fd,
		     IOMMU_HWPT_ALLOC_NEST_PARENT, devid, ioas,
		     IOMMU_HWPT_DATA_NONE, NULL, 0);
	cf_alloc_rec(cf, "alloc-dirty", fd, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		     devid, ioas, IOMMU_HWPT_DATA_NONE, NULL, 0);
	cf_alloc_rec(cf, "alloc-fault-id", fd, IOMMU_HWPT_FAULT_ID_VALID,
		     devid, ioas, IOMMU_HWPT_DATA_NONE, NULL, 0);
	cf_alloc_rec(cf, "alloc-flags", fd, 0x80, devid, ioas,
		     IOMMU_HWPT_DATA_NONE, NULL, 0);
	cf_alloc_rec(cf, "alloc-type-no-len", fd, 0, devid, ioas,
		     IOMMU_HWPT_DATA_VTD_S1, NULL, 0);
	cf_alloc_rec(cf, "alloc-len-no-type", fd, 0, devid, ioas,
		     IOMMU_HWPT_DATA_NONE, &s1, sizeof(s1));
	cf_alloc_rec(cf, "alloc-paging-data", fd, 0, devid, ioas,
		     IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1));
	cf_alloc_rec(cf, "alloc-nested", fd, 0, devid, hwpt,
		     IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1));
	cf_alloc_rec(cf, "alloc-nested-no-data", fd, 0, devid, hwpt,
		     IOMMU_HWPT_DATA_NONE, NULL, 0);
	cf_alloc_rec(cf, "alloc-bad-pt", fd, 0, devid, 999,
		     IOMMU_HWPT_DATA_NONE, NULL, 0);
	cf_alloc_rec(cf, "alloc-pt-device", fd, 0, devid, devid,
		     IOMMU_HWPT_DATA_NONE, NULL, 0);
	cf_alloc_rec(cf, "alloc-bad-dev", fd, 0, devid + 100, ioas,
		     IOMMU_HWPT_DATA_NONE, NULL, 0);
	{
		struct iommu_hwpt_alloc a = {
			.size = sizeof(a), .dev_id = devid, .pt_id = ioas,
			.__reserved = 1,
		};

		cf_rec(cf, "alloc-reserved", cf_ioctl(fd, IOMMU_HWPT_ALLOC,
						      &a), NULL);
	}
	cf_dirty(cf, fd, hwpt);
	cf_invalidate(cf, fd, hwpt);

	/* A domain makes its IOAS page aligned and pins what is mapped. */
	cf_rec(cf, "map-subpage-domain", cf_map_fixed(fd, ioas, 0x20000010,
						      0x30, va + 0x10, true),
	       NULL);
	cf_rec(cf, "map-null-domain", cf_map_fixed(fd, ioas, 0x30000000, CF_PG,
						   0, true), NULL);
	cf_rec(cf, "map-beyond-aperture", cf_map_fixed(fd, ioas,
		1ULL << 50, CF_PG, va, true), NULL);
	cf_rec(cf, "map-domain", cf_map_fixed(fd, ioas, 0x10000000, 0x10000,
					      va, true), NULL);
	cf_ranges_rec(cf, "ranges-domain-mapped", fd, ioas);
	{
		uint64_t v = 0;
		struct iommu_option o = {
			.size = sizeof(o),
			.option_id = IOMMU_OPTION_HUGE_PAGES,
			.op = IOMMU_OPTION_OP_SET, .object_id = ioas,
			.val64 = v,
		};

		cf_rec(cf, "huge-off-with-domain", cf_ioctl(fd, IOMMU_OPTION,
							    &o), NULL);
	}

	/* Attach to the manual domain: the MSI window is reserved now. */
	rc = cf_attach(devfd, hwpt, &out);
	cf_rec(cf, "attach-hwpt", rc, "pt=%#x", out);
	cf_ranges_rec(cf, "ranges-attached", fd, ioas);
	cf_rec(cf, "map-msi-window", cf_map_fixed(fd, ioas, 0xfee00000, CF_PG,
						  va, true), NULL);
	d.id = hwpt;
	cf_rec(cf, "destroy-hwpt-attached", cf_ioctl(fd, IOMMU_DESTROY, &d),
	       NULL);
	d.id = ioas;
	cf_rec(cf, "destroy-ioas-domain", cf_ioctl(fd, IOMMU_DESTROY, &d),
	       NULL);
	cf_rec(cf, "detach", cf_detach(devfd), NULL);
	d.id = hwpt;
	cf_rec(cf, "destroy-hwpt", cf_ioctl(fd, IOMMU_DESTROY, &d), NULL);
	cf_ranges_rec(cf, "ranges-no-domain", fd, ioas);

	/* What an IOAS holds can keep a domain out. */
	{
		uint32_t ioas2 = cf_ioas_alloc(fd);

		cf_rec(cf, "map-subpage", cf_map_fixed(fd, ioas2, 0x20000010,
						       0x30, va + 0x10, true),
		       NULL);
		cf_alloc_rec(cf, "alloc-over-subpage", fd, 0, devid, ioas2,
			     IOMMU_HWPT_DATA_NONE, NULL, 0);
		cf_rec(cf, "attach-over-subpage", cf_attach(devfd, ioas2, NULL),
		       NULL);
		cf_unmap(fd, ioas2, 0, (uint64_t)-1);
		cf_rec(cf, "map-high", cf_map_fixed(fd, ioas2, 1ULL << 50,
						    CF_PG, va, true), NULL);
		cf_alloc_rec(cf, "alloc-over-high", fd, 0, devid, ioas2,
			     IOMMU_HWPT_DATA_NONE, NULL, 0);
		cf_unmap(fd, ioas2, 0, (uint64_t)-1);
		cf_rec(cf, "map-msi", cf_map_fixed(fd, ioas2, 0xfee00000,
						   CF_PG, va, true), NULL);
		cf_alloc_rec(cf, "alloc-over-msi", fd, 0, devid, ioas2,
			     IOMMU_HWPT_DATA_NONE, NULL, 0);
		cf_rec(cf, "attach-over-msi", cf_attach(devfd, ioas2, NULL),
		       NULL);
		cf_unmap(fd, ioas2, 0, (uint64_t)-1);
		cf_rec(cf, "map-unpinnable", cf_map_fixed(fd, ioas2,
			0x10000000, CF_PG, 0, true), NULL);
		cf_rec(cf, "attach-unpinnable", cf_attach(devfd, ioas2, NULL),
		       NULL);
		cf_alloc_rec(cf, "alloc-unpinnable", fd, 0, devid, ioas2,
			     IOMMU_HWPT_DATA_NONE, NULL, 0);
	}
	cf_close(devfd);
	cf_close(fd);
	return 0;
}
