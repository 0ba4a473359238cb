/* SPDX-License-Identifier: MIT */
/*
 * The differential: the same program ran over the emulator and over the
 * real kernel, each under a recorder; compare them call by call.
 *
 * Calls are grouped by tag (the op that made them; the teardown has the tag
 * after the last op). Inside a group the two call lists are aligned by a
 * longest common subsequence of their keys (kind, plus the request or the
 * path), so one extra call on one side shows as that one call and does not
 * shift every later pair; aligned calls are compared. A pair agrees when
 * it is the same kind of call on the same path or request, with the same
 * result and errno, and the same comparable outputs: every byte of the
 * uAPI struct after the call (ids, iova, lengths, counts, flags), the IOVA
 * ranges behind IOVA_RANGES, the bytes of a sysfs file, the names of a
 * directory, the file type and devt of a stat. A call only one side made
 * is a mismatch too (the sequences diverged).
 *
 * Some values are the machine's and the emulator is right to differ on
 * them; they are the documented exceptions of hw_diff_exceptions[], each
 * with its reason. A pair that differs only in such values counts as
 * agreeing (and the exception's use is counted); anything else is printed
 * with both sides. The fidelity figure is agreeing pairs / calls made.
 *
 * A mismatch already reported as an emulator bug and awaiting its fix is
 * listed in hw_diff_pending[]: it still counts against fidelity and is
 * still printed, marked KNOWN, but does not fail the run, so the VM check
 * stays usable meanwhile. An entry that is no longer seen is reported so
 * that it gets removed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include <emu/ioctl_names.h>

#include "hw.h"

enum hw_diff_exc {
	HW_EXC_NONE = -1,
	HW_EXC_FD_NUMBER,
	HW_EXC_VFIO_MAJOR,
	HW_EXC_APERTURE_TOP,
	HW_EXC_USER_POINTER,
	HW_EXC_VTD_REGS,
	HW_EXC_COUNT,
};

struct hw_diff_exception {
	const char *what;
	const char *reason;
};

/* The documented exceptions: values the emulator is right to differ on. */
static const struct hw_diff_exception hw_diff_exceptions[HW_EXC_COUNT] = {
	[HW_EXC_FD_NUMBER] = {
		"fd numbers (open's result; the fd of close, ioctl, fstat; BIND's iommufd)",
		"the emulator has its own fd table; the kernel's fds are the process's, "
		"which already holds stdio, the tool's files and the guard's kept contexts",
	},
	[HW_EXC_VFIO_MAJOR] = {
		"major number of a VFIO cdev (stat/fstat st_rdev, vfio-dev/vfioN/dev, "
		"the /dev/char/MAJ:MIN fallback path)",
		"the kernel allocates the vfio cdev major dynamically (252 in the VM); "
		"the emulator uses the fixed EMU_VFIO_MAJOR 511; minors must still agree",
	},
	[HW_EXC_APERTURE_TOP] = {
		"the end of the last IOVA range of an attached IOAS (IOVA_RANGES)",
		"it is the emulated IOMMU's aperture, which depends on the QEMU version "
		"(39 bits with 7.2, 48 bits with 10.0); the emulator's e1000e profile has 39",
	},
	[HW_EXC_USER_POINTER] = {
		"addresses of the caller's result buffers (IOVA_RANGES allowed_iovas, "
		"GET_HW_INFO and HWPT_ALLOC data_uptr)",
		"libiofd allocates them afresh in each run, so the two runs pass different "
		"heap addresses; what the kernel wrote there is compared instead (the ranges)",
	},
	[HW_EXC_VTD_REGS] = {
		"VT-d cap_reg and ecap_reg in the GET_HW_INFO report",
		"they are the register values of the IOMMU model (QEMU's intel-iommu: its "
		"version and options such as aw-bits set them); the emulator reports a "
		"VT-d-like summary of its profile; the type, length, flags and "
		"capabilities are compared",
	},
};

/*
 * Mismatches reported as emulator bugs and awaiting the fix: the request,
 * the field as hw_diff_found names it, and the report.
 */
struct hw_diff_pending {
	unsigned long request;
	const char *field;
	const char *report;
};

static const struct hw_diff_pending hw_diff_pending[] = {
	/* None pending. The terminator keeps the array non-empty. */
	{ 0, NULL, NULL },
};


/* A named field of a uAPI struct, for readable reports and exceptions. */
struct hw_diff_field {
	unsigned long request;
	const char *name;
	size_t off;
	size_t len;
	enum hw_diff_exc exc;
};

#define HW_F(req, type, m, exc) \
	{ req, #m, offsetof(type, m), sizeof(((type *)0)->m), exc }

static const struct hw_diff_field hw_diff_fields[] = {
	HW_F(IOMMU_DESTROY, struct iommu_destroy, id, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc, flags, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_ALLOC, struct iommu_ioas_alloc, out_ioas_id, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_MAP, struct iommu_ioas_map, flags, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_MAP, struct iommu_ioas_map, ioas_id, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_MAP, struct iommu_ioas_map, user_va, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_MAP, struct iommu_ioas_map, length, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_MAP, struct iommu_ioas_map, iova, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap, ioas_id, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap, iova, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_UNMAP, struct iommu_ioas_unmap, length, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges, ioas_id, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges, num_iovas, HW_EXC_NONE),
	HW_F(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges, allowed_iovas, HW_EXC_USER_POINTER),
	HW_F(IOMMU_IOAS_IOVA_RANGES, struct iommu_ioas_iova_ranges, out_iova_alignment, HW_EXC_NONE),
	HW_F(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, flags, HW_EXC_NONE),
	HW_F(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, dev_id, HW_EXC_NONE),
	HW_F(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, pt_id, HW_EXC_NONE),
	HW_F(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, out_hwpt_id, HW_EXC_NONE),
	HW_F(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, data_type, HW_EXC_NONE),
	HW_F(IOMMU_HWPT_ALLOC, struct iommu_hwpt_alloc, data_uptr, HW_EXC_USER_POINTER),
	HW_F(IOMMU_GET_HW_INFO, struct iommu_hw_info, dev_id, HW_EXC_NONE),
	HW_F(IOMMU_GET_HW_INFO, struct iommu_hw_info, data_len, HW_EXC_NONE),
	HW_F(IOMMU_GET_HW_INFO, struct iommu_hw_info, out_data_type, HW_EXC_NONE),
	HW_F(IOMMU_GET_HW_INFO, struct iommu_hw_info, out_capabilities, HW_EXC_NONE),
	HW_F(IOMMU_GET_HW_INFO, struct iommu_hw_info, data_uptr, HW_EXC_USER_POINTER),
	HW_F(VFIO_DEVICE_BIND_IOMMUFD, struct vfio_device_bind_iommufd, flags, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_BIND_IOMMUFD, struct vfio_device_bind_iommufd, iommufd, HW_EXC_FD_NUMBER),
	HW_F(VFIO_DEVICE_BIND_IOMMUFD, struct vfio_device_bind_iommufd, out_devid, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_ATTACH_IOMMUFD_PT, struct vfio_device_attach_iommufd_pt, flags, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_ATTACH_IOMMUFD_PT, struct vfio_device_attach_iommufd_pt, pt_id, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_DETACH_IOMMUFD_PT, struct vfio_device_detach_iommufd_pt, flags, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_GET_INFO, struct vfio_device_info, argsz, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_GET_INFO, struct vfio_device_info, flags, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_GET_INFO, struct vfio_device_info, num_regions, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_GET_INFO, struct vfio_device_info, num_irqs, HW_EXC_NONE),
	HW_F(VFIO_DEVICE_GET_INFO, struct vfio_device_info, cap_offset, HW_EXC_NONE),
};

/* One comparison in progress: the pair and what has been found so far. */
struct hw_diff_pair {
	const struct emu_rec_call *e;	/* emulator */
	const struct emu_rec_call *k;	/* kernel */
	FILE *log;
	struct hw_diff_stats *st;
	bool header;			/* the pair's header line is out */
	const char *where;		/* "op #3 `attach dev0 space0 be0`" */
	unsigned int mismatches;
	unsigned int known;		/* differences listed as pending */
	bool used[HW_EXC_COUNT];
};

static void hw_diff_header(struct hw_diff_pair *p)
{
	char line[768];

	if (p->header)
		return;
	p->header = true;
	fprintf(p->log, "  MISMATCH at %s, call %lu/%lu:\n", p->where,
		p->e->seq, p->k->seq);
	emu_rec_print(p->e, line, sizeof(line));
	fprintf(p->log, "    emulator: %s\n", line);
	emu_rec_print(p->k, line, sizeof(line));
	fprintf(p->log, "    kernel:   %s\n", line);
}

/* A difference in @what: an exception when @exc names one, else reported. */
static void hw_diff_found(struct hw_diff_pair *p, enum hw_diff_exc exc,
			  const char *what, unsigned long long ev,
			  unsigned long long kv)
{
	size_t i;

	if (exc != HW_EXC_NONE) {
		p->used[exc] = true;
		return;
	}
	hw_diff_header(p);
	for (i = 0; hw_diff_pending[i].field; i++) {
		if (p->e->kind == EMU_HOST_IOCTL &&
		    hw_diff_pending[i].request == p->e->request &&
		    strcmp(hw_diff_pending[i].field, what) == 0) {
			fprintf(p->log, "    %s: emulator %#llx, kernel %#llx (KNOWN, pending emulator fix)\n",
				what, ev, kv);
			p->st->pending_hits[i]++;
			p->known++;
			return;
		}
	}
	fprintf(p->log, "    %s: emulator %#llx, kernel %#llx\n", what, ev, kv);
	p->mismatches++;
}

static unsigned long long hw_diff_load(const uint8_t *b, size_t len)
{
	unsigned long long v = 0;

	memcpy(&v, b, len < sizeof(v) ? len : sizeof(v));
	return v;
}

static bool hw_diff_aperture_top(uint64_t v)
{
	return v == (1ULL << 39) - 1 || v == (1ULL << 48) - 1 ||
	       v == (1ULL << 57) - 1;
}

static void hw_diff_ranges(struct hw_diff_pair *p)
{
	const struct iommu_iova_range *re = (const void *)p->e->extra;
	const struct iommu_iova_range *rk = (const void *)p->k->extra;
	size_t n = p->e->extra_len / sizeof(*re);
	size_t i;
	char what[48];

	if (p->e->extra_len != p->k->extra_len) {
		hw_diff_found(p, HW_EXC_NONE, "number of ranges returned",
			      n, p->k->extra_len / sizeof(*rk));
		return;
	}
	for (i = 0; i < n; i++) {
		if (re[i].start != rk[i].start) {
			snprintf(what, sizeof(what), "range %zu start", i);
			hw_diff_found(p, HW_EXC_NONE, what, re[i].start,
				      rk[i].start);
		}
		if (re[i].last != rk[i].last) {
			bool top = i == n - 1 &&
				   hw_diff_aperture_top(re[i].last) &&
				   hw_diff_aperture_top(rk[i].last) &&
				   re[i].last != UINT64_MAX;

			snprintf(what, sizeof(what), "range %zu last", i);
			hw_diff_found(p, top ? HW_EXC_APERTURE_TOP : HW_EXC_NONE,
				      what, re[i].last, rk[i].last);
		}
	}
}

/* The report behind GET_HW_INFO's data_uptr. */
static void hw_diff_hw_info(struct hw_diff_pair *p)
{
	struct iommu_hw_info_vtd ve, vk;
	struct iommu_hw_info ie;

	memcpy(&ie, p->e->out, sizeof(ie));
	if (p->e->extra_len != p->k->extra_len) {
		hw_diff_found(p, HW_EXC_NONE, "hw info report length",
			      p->e->extra_len, p->k->extra_len);
		return;
	}
	if (ie.out_data_type != IOMMU_HW_INFO_TYPE_INTEL_VTD ||
	    p->e->extra_len < sizeof(ve)) {
		if (memcmp(p->e->extra, p->k->extra, p->e->extra_len))
			hw_diff_found(p, HW_EXC_NONE, "hw info report bytes",
				      hw_diff_load(p->e->extra,
						   p->e->extra_len),
				      hw_diff_load(p->k->extra,
						   p->k->extra_len));
		return;
	}
	memcpy(&ve, p->e->extra, sizeof(ve));
	memcpy(&vk, p->k->extra, sizeof(vk));
	if (ve.flags != vk.flags)
		hw_diff_found(p, HW_EXC_NONE, "vtd flags", ve.flags, vk.flags);
	if (ve.__reserved != vk.__reserved)
		hw_diff_found(p, HW_EXC_NONE, "vtd __reserved", ve.__reserved,
			      vk.__reserved);
	if (ve.cap_reg != vk.cap_reg)
		hw_diff_found(p, HW_EXC_VTD_REGS, "vtd cap_reg", ve.cap_reg,
			      vk.cap_reg);
	if (ve.ecap_reg != vk.ecap_reg)
		hw_diff_found(p, HW_EXC_VTD_REGS, "vtd ecap_reg", ve.ecap_reg,
			      vk.ecap_reg);
}

/* The uAPI struct after the call: named fields first, then the rest. */
static void hw_diff_ioctl_out(struct hw_diff_pair *p)
{
	bool covered[EMU_REC_ARG_MAX] = { false };
	size_t i, j, len = p->e->arg_len;

	if (p->e->arg_len != p->k->arg_len) {
		hw_diff_found(p, HW_EXC_NONE, "struct bytes recorded",
			      p->e->arg_len, p->k->arg_len);
		return;
	}
	for (i = 0; i < sizeof(hw_diff_fields) / sizeof(hw_diff_fields[0]);
	     i++) {
		const struct hw_diff_field *f = &hw_diff_fields[i];

		if (f->request != p->e->request || f->off + f->len > len)
			continue;
		for (j = f->off; j < f->off + f->len; j++)
			covered[j] = true;
		if (memcmp(p->e->out + f->off, p->k->out + f->off, f->len))
			hw_diff_found(p, f->exc, f->name,
				      hw_diff_load(p->e->out + f->off, f->len),
				      hw_diff_load(p->k->out + f->off, f->len));
	}
	for (j = 0; j < len; j++) {
		char what[32];

		if (covered[j] || p->e->out[j] == p->k->out[j])
			continue;
		snprintf(what, sizeof(what), "struct byte +%zu", j);
		hw_diff_found(p, HW_EXC_NONE, what, p->e->out[j],
			      p->k->out[j]);
	}
	if (p->e->request == IOMMU_IOAS_IOVA_RANGES)
		hw_diff_ranges(p);
	if (p->e->request == IOMMU_GET_HW_INFO)
		hw_diff_hw_info(p);
}

/*
 * Whether two paths name the same thing: equal, or /dev/char/MAJ:MIN of a
 * VFIO cdev with the same minor (*@vfio_major set: the documented
 * exception, the emulator's major is EMU_VFIO_MAJOR).
 */
static bool hw_diff_path_equiv(const char *e, const char *k, bool *vfio_major)
{
	unsigned int ea, ei, ka, ki;

	*vfio_major = false;
	if (strcmp(e, k) == 0)
		return true;
	if (sscanf(e, "/dev/char/%u:%u", &ea, &ei) != 2 ||
	    sscanf(k, "/dev/char/%u:%u", &ka, &ki) != 2)
		return false;
	if (ea != EMU_VFIO_MAJOR || ei != ki)
		return false;
	*vfio_major = true;
	return true;
}

/* "MAJ:MIN\n" with the same minor on both sides: the VFIO major. */
static bool hw_diff_devt_file(const struct emu_rec_call *e,
			      const struct emu_rec_call *k)
{
	unsigned int ea, ei, ka, ki;
	char eb[64], kb[64];
	size_t n = strlen(e->path);

	if (n < 4 || strcmp(e->path + n - 4, "/dev") != 0 ||
	    !strstr(e->path, "/vfio-dev/") || e->extra_len >= sizeof(eb) ||
	    k->extra_len >= sizeof(kb))
		return false;
	memcpy(eb, e->extra, e->extra_len);
	eb[e->extra_len] = '\0';
	memcpy(kb, k->extra, k->extra_len);
	kb[k->extra_len] = '\0';
	return sscanf(eb, "%u:%u", &ea, &ei) == 2 &&
	       sscanf(kb, "%u:%u", &ka, &ki) == 2 && ei == ki;
}

static void hw_diff_pair_run(struct hw_diff_pair *p)
{
	const struct emu_rec_call *e = p->e, *k = p->k;
	bool major;

	if (e->kind != k->kind) {
		hw_diff_found(p, HW_EXC_NONE, "kind of call", e->kind, k->kind);
		return;
	}
	switch (e->kind) {
	case EMU_HOST_OPEN:
	case EMU_HOST_STAT:
	case EMU_HOST_READ_FILE:
	case EMU_HOST_LIST_DIR:
		if (!hw_diff_path_equiv(e->path, k->path, &major)) {
			hw_diff_found(p, HW_EXC_NONE, "path", 0, 0);
			return;
		}
		if (major)
			p->used[HW_EXC_VFIO_MAJOR] = true;
		break;
	default:
		if (e->fd != k->fd)
			hw_diff_found(p, HW_EXC_FD_NUMBER, "fd", e->fd, k->fd);
		break;
	}
	if (e->kind == EMU_HOST_OPEN && e->flags != k->flags)
		hw_diff_found(p, HW_EXC_NONE, "open flags", e->flags, k->flags);
	if (e->kind == EMU_HOST_IOCTL && e->request != k->request) {
		hw_diff_found(p, HW_EXC_NONE, "request", e->request,
			      k->request);
		return;
	}

	/* Result and errno. */
	if (e->kind == EMU_HOST_OPEN && e->ret >= 0 && k->ret >= 0) {
		if (e->ret != k->ret)
			hw_diff_found(p, HW_EXC_FD_NUMBER, "fd opened", e->ret,
				      k->ret);
	} else if (e->kind == EMU_HOST_READ_FILE && hw_diff_devt_file(e, k)) {
		if (e->ret != k->ret ||
		    memcmp(e->extra, k->extra, e->extra_len) != 0)
			p->used[HW_EXC_VFIO_MAJOR] = true;
		return;
	} else if (e->ret != k->ret) {
		hw_diff_found(p, HW_EXC_NONE, e->ret < 0 || k->ret < 0 ?
			      "result (negative: -errno)" : "result",
			      (unsigned long long)e->ret,
			      (unsigned long long)k->ret);
		return;
	}
	if (e->ret < 0 && !(e->kind == EMU_HOST_IOCTL && e->ret == -EMSGSIZE))
		return;

	switch (e->kind) {
	case EMU_HOST_IOCTL:
		hw_diff_ioctl_out(p);
		break;
	case EMU_HOST_FSTAT:
	case EMU_HOST_STAT:
		if ((e->mode & S_IFMT) != (k->mode & S_IFMT))
			hw_diff_found(p, HW_EXC_NONE, "file type",
				      e->mode & S_IFMT, k->mode & S_IFMT);
		if (minor(e->rdev) != minor(k->rdev))
			hw_diff_found(p, HW_EXC_NONE, "devt minor",
				      minor(e->rdev), minor(k->rdev));
		if (major(e->rdev) != major(k->rdev))
			hw_diff_found(p, major(e->rdev) == EMU_VFIO_MAJOR ?
				      HW_EXC_VFIO_MAJOR : HW_EXC_NONE,
				      "devt major", major(e->rdev),
				      major(k->rdev));
		break;
	case EMU_HOST_READ_FILE:
	case EMU_HOST_LIST_DIR:
		if (e->extra_len != k->extra_len ||
		    memcmp(e->extra, k->extra, e->extra_len) != 0)
			hw_diff_found(p, HW_EXC_NONE,
				      e->kind == EMU_HOST_LIST_DIR ?
				      "directory entries" : "file content",
				      e->extra_len, k->extra_len);
		break;
	default:
		break;
	}
}

static void hw_diff_unpaired(const struct emu_rec_call *c, bool kernel,
			     const char *where, FILE *log)
{
	char line[768];

	emu_rec_print(c, line, sizeof(line));
	fprintf(log, "  MISMATCH at %s: only the %s made call %lu: %s\n", where,
		kernel ? "kernel" : "emulator", c->seq, line);
}

/* Index of the first record with tag @tag at or after @from. */
static size_t hw_diff_group(const struct emu_rec *r, size_t from,
			    unsigned int tag, size_t *end)
{
	size_t i = from, n = emu_rec_count(r);

	while (i < n && emu_rec_get(r, i)->tag < tag)
		i++;
	*end = i;
	while (*end < n && emu_rec_get(r, *end)->tag == tag)
		(*end)++;
	return i;
}

/* Same kind of call on the same request or path: worth comparing. */
static bool hw_diff_same_key(const struct emu_rec_call *a,
			     const struct emu_rec_call *b)
{
	bool major;

	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case EMU_HOST_IOCTL:
		return a->request == b->request;
	case EMU_HOST_OPEN:
	case EMU_HOST_STAT:
	case EMU_HOST_READ_FILE:
	case EMU_HOST_LIST_DIR:
		return hw_diff_path_equiv(a->path, b->path, &major);
	default:
		return true;
	}
}

/*
 * Align @ne emulator calls from @ei with @nk kernel calls from @ki: fill
 * @pe[i] with the kernel index paired with emulator call i, or -1. An LCS
 * table; groups are one op's calls, so a few hundred at most. Returns 0 or
 * -ENOMEM (then calls are paired in order).
 */
static int hw_diff_align(const struct emu_rec *emu, size_t ei, size_t ne,
			 const struct emu_rec *real, size_t ki, size_t nk,
			 long *pe)
{
	size_t i, j, w = nk + 1;
	unsigned int *t;

	t = calloc((ne + 1) * w, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = ne; i-- > 0;)
		for (j = nk; j-- > 0;) {
			if (hw_diff_same_key(emu_rec_get(emu, ei + i),
					     emu_rec_get(real, ki + j)))
				t[i * w + j] = t[(i + 1) * w + j + 1] + 1;
			else
				t[i * w + j] = t[(i + 1) * w + j] >
					       t[i * w + j + 1] ?
					       t[(i + 1) * w + j] :
					       t[i * w + j + 1];
		}
	for (i = 0; i < ne; i++)
		pe[i] = -1;
	for (i = 0, j = 0; i < ne && j < nk;) {
		if (hw_diff_same_key(emu_rec_get(emu, ei + i),
				     emu_rec_get(real, ki + j))) {
			pe[i++] = (long)j++;
		} else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	free(t);
	return 0;
}

/* Compare one aligned pair and count it. Returns 1 on a mismatch. */
static unsigned long hw_diff_one(const struct emu_rec_call *e,
				 const struct emu_rec_call *k,
				 const char *where, FILE *log,
				 struct hw_diff_stats *st)
{
	struct hw_diff_pair p = {
		.e = e, .k = k, .log = log, .st = st, .where = where,
	};
	bool excepted = false;
	unsigned int x;

	st->calls++;
	hw_diff_pair_run(&p);
	if (p.mismatches) {
		st->mismatched++;
		return 1;
	}
	for (x = 0; x < HW_EXC_COUNT; x++)
		if (p.used[x]) {
			st->exception_hits[x]++;
			excepted = true;
		}
	if (p.known) {
		st->pending++;
		return 0;
	}
	st->agree++;
	st->excepted += excepted;
	return 0;
}

static unsigned long hw_diff_lone(const struct emu_rec_call *c, bool kernel,
				  const char *where, FILE *log,
				  struct hw_diff_stats *st)
{
	hw_diff_unpaired(c, kernel, where, log);
	st->calls++;
	st->unpaired++;
	st->mismatched++;
	return 1;
}

unsigned long hw_diff(const struct emu_rec *emu, const struct emu_rec *real,
		      const struct op_program *prog, FILE *log,
		      struct hw_diff_stats *st)
{
	size_t ei = 0, ki = 0, ee, ke, i, j, ne, nk;
	unsigned long bad = 0;
	unsigned int tag;
	char where[192], line[128];
	long *pe;

	for (tag = 0; tag <= hw_run_teardown_tag(prog); tag++) {
		ei = hw_diff_group(emu, ei, tag, &ee);
		ki = hw_diff_group(real, ki, tag, &ke);
		ne = ee - ei;
		nk = ke - ki;
		if (tag < prog->count) {
			op_to_text(&prog->ops[tag], line, sizeof(line));
			snprintf(where, sizeof(where), "op #%u `%s`", tag, line);
		} else {
			snprintf(where, sizeof(where), "teardown");
		}
		pe = calloc(ne + 1, sizeof(*pe));
		if (!pe || hw_diff_align(emu, ei, ne, real, ki, nk, pe) < 0) {
			/* No memory for the table: pair in order. */
			for (i = 0; pe && i < ne; i++)
				pe[i] = i < nk ? (long)i : -1;
		}
		/* Walk both lists; a kernel call before its pair is lone. */
		for (i = 0, j = 0; pe && (i < ne || j < nk);) {
			if (i < ne && pe[i] < 0) {
				bad += hw_diff_lone(emu_rec_get(emu, ei + i),
						    false, where, log, st);
				i++;
			} else if (j < nk && (i == ne || (size_t)pe[i] > j)) {
				bad += hw_diff_lone(emu_rec_get(real, ki + j),
						    true, where, log, st);
				j++;
			} else {
				bad += hw_diff_one(emu_rec_get(emu, ei + i),
						   emu_rec_get(real, ki + j),
						   where, log, st);
				i++;
				j++;
			}
		}
		free(pe);
		ei = ee;
		ki = ke;
	}
	return bad;
}

void hw_diff_print_exceptions(const struct hw_diff_stats *st, FILE *log)
{
	unsigned int x;

	if (hw_diff_pending[0].field)
		fprintf(log, "known mismatches (reported, pending an emulator fix):\n");
	for (x = 0; hw_diff_pending[x].field; x++)
		fprintf(log, "  (%u) %-5lu %s %s: %s%s\n", x,
			st->pending_hits[x],
			emu_ioctl_name(hw_diff_pending[x].request),
			hw_diff_pending[x].field, hw_diff_pending[x].report,
			st->pending_hits[x] ? "" :
			" -- NOT SEEN any more: remove this entry");

	fprintf(log, "documented exceptions (values the emulator is right to differ on):\n");
	for (x = 0; x < HW_EXC_COUNT; x++)
		fprintf(log, "  [%u] %-5lu %s\n        why: %s\n", x,
			st->exception_hits[x], hw_diff_exceptions[x].what,
			hw_diff_exceptions[x].reason);
}
