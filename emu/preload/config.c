// SPDX-License-Identifier: MIT
/*
 * The shim's configuration: every IOFD_EMU_* variable, read and checked
 * once before anything is created (preload.h). A bad value stops the
 * program with status 2 and one line that names the variable, the part
 * at fault (cut to a bounded length, unprintable bytes escaped) and the
 * accepted form; the program never runs on a half-made machine, and
 * never on the real /dev/iommu. A variable that starts with IOFD_EMU_ but
 * is none of these (a typo) is refused too.
 *
 *   IOFD_EMU_DEVICES   comma-separated entries profile@DDDD:BB:DD.F[@variant]
 *                      (at most EMU_MAX_DEVICES); device N is
 *                      /dev/vfio/devices/vfioN. Unset or empty: none.
 *   IOFD_EMU_VARIANT   the machine variant, emu_variant_parse's words
 *                      ("aw-bits=48,thp=off,container=iommufd"), a later
 *                      setting winning over an earlier one. Unset or
 *                      empty: the default (aw-bits=39, THP, the legacy
 *                      container).
 *   IOFD_EMU_TRACE     1: print every emulated call on stderr; 0: don't.
 *   IOFD_EMU_FAIL_NTH  N >= 1: fail the program's Nth call to the model.
 *   IOFD_EMU_FAIL_KIND comma-separated kinds of call to fail every time,
 *                      by the host entry's name (open, close, ioctl,
 *                      fstat, stat, read_file, list_dir, pread, pwrite,
 *                      mmap, munmap; ioctl:NAME or ioctl:0xNUMBER for
 *                      one request).
 *   IOFD_EMU_FAIL_ERRNO the errno of a failed call: a name (ENOMEM) or a
 *                      number; default EINVAL. Only with one of the two.
 *   IOFD_EMU_COUNTERS  a file to keep the model's counters in, as JSON,
 *                      rewritten whenever they change and at exit, by
 *                      the process that called the model (not by a
 *                      launcher that only shares its environment).
 *   IOFD_EMU_HUGEPAGES the machine's hugetlb pool in 2 MiB pages
 *                      (0-1048576), as a kernel booted with hugepages=N;
 *                      MAP_HUGETLB mappings are then served from it
 *                      (selftest.c). Unset: the real kernel's.
 *   IOFD_EMU_CHECK_CLEAN 1: whenever the last emulated fd closes, the
 *                      model must be empty, else the program aborts
 *                      (selftest.h); 0: no check.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <emu/ioctl_names.h>

#include "preload.h"

extern char **environ;

#define EMU_CFG_SHOW 48		/* bytes of a bad value quoted back */
#define EMU_CFG_HUGEPAGES_MAX 1048576UL	/* 2 TiB of 2 MiB pages */
#define EMU_CFG_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const emu_cfg_vars[] = {
	"IOFD_EMU_DEVICES", "IOFD_EMU_VARIANT", "IOFD_EMU_TRACE",
	"IOFD_EMU_FAIL_NTH",
	"IOFD_EMU_FAIL_KIND", "IOFD_EMU_FAIL_ERRNO", "IOFD_EMU_COUNTERS",
	"IOFD_EMU_HUGEPAGES", "IOFD_EMU_CHECK_CLEAN",
};

static const char *const emu_cfg_variants[EMU_SYSFS_VARIANT_COUNT] = {
	[EMU_SYSFS_OK] = "ok",
	[EMU_SYSFS_NO_VFIO_DEV] = "no-vfio-dev",
	[EMU_SYSFS_GARBAGE_DEV] = "garbage-dev",
	[EMU_SYSFS_OVERFLOW_DEV] = "overflow-dev",
	[EMU_SYSFS_WRONG_DEVT] = "wrong-devt",
};


/* @s (@len bytes) quoted for a message: bounded, escaped, into @buf. */
static const char *emu_cfg_quote(const char *s, size_t len, char *buf,
				 size_t cap)
{
	size_t i, o = 0;

	buf[o++] = '"';
	for (i = 0; i < len && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == EMU_CFG_SHOW) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (isprint(c) && c != '"' && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

const char *emu_preload_errname(int errnum, char *buf, size_t cap)
{
	const char *name = strerrorname_np(errnum);

	if (name)
		return name;
	snprintf(buf, cap, "%d", errnum);
	return buf;
}

/* A decimal number 1 .. @max with nothing around it; 0 when it is not. */
static unsigned long emu_cfg_number(const char *s, unsigned long max)
{
	unsigned long v = 0;
	const char *p;

	if (!*s || *s == '0')
		return 0;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > (max - (unsigned long)(*p - '0')) / 10)
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return v;
}

/* @n lower-case hex digits at @s; their value into *@v. */
static bool emu_cfg_hex(const char *s, size_t n, unsigned int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			*v = *v * 16 + (unsigned int)(s[i] - '0');
		else if (s[i] >= 'a' && s[i] <= 'f')
			*v = *v * 16 + (unsigned int)(s[i] - 'a' + 10);
		else
			return false;
	}
	return true;
}

/*
 * DDDD:BB:DD.F exactly, as sysfs names a PCI function: 4, 2 and 2
 * lower-case hex digits (the device below 0x20) and a function 0-7.
 */
static bool emu_cfg_bdf(const char *s, size_t len)
{
	unsigned int v;

	return len == 12 && emu_cfg_hex(s, 4, &v) && s[4] == ':' &&
	       emu_cfg_hex(s + 5, 2, &v) && s[7] == ':' &&
	       emu_cfg_hex(s + 8, 2, &v) && v < 0x20 && s[10] == '.' &&
	       s[11] >= '0' && s[11] <= '7';
}

static void emu_cfg_profiles(char *buf, size_t cap)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < emu_profile_count() && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "",
				      emu_profile_get(i)->name);
}

/* One entry [@s, @s + @len), the @n-th: into @dev, or stop the program. */
static void emu_cfg_device(const char *s, size_t len, unsigned int n,
			   struct emu_preload_device *dev)
{
	const char *at1 = memchr(s, '@', len), *at2 = NULL, *end = s + len;
	char q[EMU_CFG_SHOW * 4 + 16], name[64], list[256];
	size_t plen;
	unsigned int i;

	emu_cfg_quote(s, len, q, sizeof(q));
	if (!len)
		emu_preload_die("bad IOFD_EMU_DEVICES: entry %u is empty; "
				"entries are profile@DDDD:BB:DD.F[@variant], "
				"separated by single commas", n);
	if (!at1)
		emu_preload_die("bad IOFD_EMU_DEVICES entry %u %s: no '@'; "
				"the form is profile@DDDD:BB:DD.F[@variant]",
				n, q);
	plen = (size_t)(at1 - s);
	at2 = memchr(at1 + 1, '@', (size_t)(end - at1 - 1));
	if (plen >= sizeof(name))
		plen = sizeof(name) - 1;
	memcpy(name, s, plen);
	name[plen] = '\0';
	dev->profile = (size_t)(at1 - s) < sizeof(name) ?
		       emu_profile_find(name) : NULL;
	if (!dev->profile) {
		emu_cfg_profiles(list, sizeof(list));
		emu_preload_die("bad IOFD_EMU_DEVICES entry %u %s: unknown "
				"profile; known: %s", n, q, list);
	}
	if (!emu_cfg_bdf(at1 + 1, (size_t)((at2 ? at2 : end) - at1 - 1)))
		emu_preload_die("bad IOFD_EMU_DEVICES entry %u %s: the PCI "
				"address must be DDDD:BB:DD.F (lower-case hex "
				"domain, bus, device < 20, function 0-7), "
				"e.g. 0000:00:03.0", n, q);
	memcpy(dev->bdf, at1 + 1, 12);
	dev->bdf[12] = '\0';
	dev->variant = EMU_SYSFS_OK;
	if (!at2)
		return;
	for (i = 0; i < EMU_SYSFS_VARIANT_COUNT; i++) {
		if (strlen(emu_cfg_variants[i]) == (size_t)(end - at2 - 1) &&
		    !memcmp(emu_cfg_variants[i], at2 + 1,
			    (size_t)(end - at2 - 1))) {
			dev->variant = (enum emu_sysfs_variant)i;
			return;
		}
	}
	emu_preload_die("bad IOFD_EMU_DEVICES entry %u %s: unknown sysfs "
			"variant; known: ok, no-vfio-dev, garbage-dev, "
			"overflow-dev, wrong-devt", n, q);
}

static void emu_cfg_devices(struct emu_preload_config *cfg, const char *spec)
{
	const char *p = spec;
	unsigned int n = 0, i;

	if (!spec || !*spec)
		return;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		n++;
		if (cfg->nr_devs == EMU_MAX_DEVICES)
			emu_preload_die("bad IOFD_EMU_DEVICES: more than %d "
					"devices (entry %u)", EMU_MAX_DEVICES,
					n);
		emu_cfg_device(p, len, n, &cfg->devs[cfg->nr_devs]);
		for (i = 0; i < cfg->nr_devs; i++) {
			if (!strcmp(cfg->devs[i].bdf,
				    cfg->devs[cfg->nr_devs].bdf))
				emu_preload_die("bad IOFD_EMU_DEVICES entry "
						"%u: %s is already entry %u",
						n, cfg->devs[i].bdf, i + 1);
		}
		cfg->nr_devs++;
		if (!comma)
			return;
		p = comma + 1;
	}
}

static void emu_cfg_variant(struct emu_preload_config *cfg, const char *s)
{
	char q[EMU_CFG_SHOW * 4 + 16], qb[EMU_CFG_SHOW * 4 + 16];
	const char *bad = s;

	if (!emu_variant_parse(s, &cfg->variant, &bad))
		return;
	if (!strcspn(bad, ","))
		snprintf(qb, sizeof(qb), "an empty setting");
	else
		emu_cfg_quote(bad, strcspn(bad, ","), qb, sizeof(qb));
	emu_preload_die("bad IOFD_EMU_VARIANT %s at %s: give comma-separated "
			"aw-bits=39|48, thp=on|off, container=vfio|iommufd",
			emu_cfg_quote(s, strlen(s), q, sizeof(q)), qb);
}

/* The errno called @s (a name or a number), or stop the program. */
static int emu_cfg_errno(const char *s)
{
	char q[EMU_CFG_SHOW * 4 + 16];
	unsigned long v = emu_cfg_number(s, 4095);
	int e;

	if (v)
		return (int)v;
	for (e = 1; e < 4096; e++) {
		const char *name = strerrorname_np(e);

		if (name && !strcmp(name, s))
			return e;
	}
	emu_preload_die("bad IOFD_EMU_FAIL_ERRNO %s: not an errno; give a "
			"name such as ENOMEM or a number 1-4095",
			emu_cfg_quote(s, strlen(s), q, sizeof(q)));
}

static void emu_cfg_kind_names(char *buf, size_t cap)
{
	size_t o = 0;
	unsigned int e;

	buf[0] = '\0';
	for (e = 0; e < EMU_HOST_ENTRY_COUNT && o < cap; e++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", e ? ", " : "",
				      emu_host_entry_name(e));
}

static void emu_cfg_kind(struct emu_preload_config *cfg, const char *s,
			 size_t len)
{
	char q[EMU_CFG_SHOW * 4 + 16], req[64], list[256];
	const struct emu_ioctl_desc *desc;
	unsigned int e;

	emu_cfg_quote(s, len, q, sizeof(q));
	if (len > 6 && !memcmp(s, "ioctl:", 6)) {
		char *end;

		if (len - 6 >= sizeof(req) || cfg->fail_request)
			goto err_bad;
		memcpy(req, s + 6, len - 6);
		req[len - 6] = '\0';
		desc = emu_ioctl_find_name(req);
		cfg->fail_request = desc ? desc->request : 0;
		if (!cfg->fail_request && !strncmp(req, "0x", 2) && req[2]) {
			errno = 0;
			cfg->fail_request = strtoul(req, &end, 16);
			if (*end || errno || cfg->fail_request > 0xffffffffUL)
				cfg->fail_request = 0;
		}
		if (!cfg->fail_request)
			emu_preload_die("bad IOFD_EMU_FAIL_KIND %s: unknown "
					"ioctl; give its uAPI name "
					"(ioctl:VFIO_DEVICE_GET_INFO) or "
					"ioctl:0xNUMBER", q);
		cfg->fail_kinds |= EMU_FAULT_IOCTL;
		return;
	}
	/* A kind is a host entry: bit n of the fault plan is entry n. */
	for (e = 0; e < EMU_HOST_ENTRY_COUNT; e++) {
		const char *name = emu_host_entry_name(e);

		if (strlen(name) == len && !memcmp(name, s, len)) {
			cfg->fail_kinds |= 1u << e;
			return;
		}
	}
err_bad:
	emu_cfg_kind_names(list, sizeof(list));
	emu_preload_die("bad IOFD_EMU_FAIL_KIND %s: kinds are %s, and "
			"ioctl:NAME for one request, separated by commas", q,
			list);
}

static void emu_cfg_counters(struct emu_preload_config *cfg, const char *s)
{
	char q[EMU_CFG_SHOW * 4 + 16], dir[PATH_MAX], cwd[PATH_MAX], *slash;
	int n;

	emu_cfg_quote(s, strlen(s), q, sizeof(q));
	if (!*s || s[strlen(s) - 1] == '/')
		emu_preload_die("bad IOFD_EMU_COUNTERS %s: give the path of a "
				"file", q);
	if (s[0] == '/') {
		n = snprintf(cfg->counters, sizeof(cfg->counters), "%s", s);
	} else {
		if (!REAL(getcwd)(cwd, sizeof(cwd)))
			emu_preload_die("IOFD_EMU_COUNTERS %s: cannot read the "
					"working directory: %s", q,
					strerror(errno));
		emu_preload_written_str(cwd);
		n = snprintf(cfg->counters, sizeof(cfg->counters), "%s/%s",
			     cwd, s);
	}
	if (n < 0 || (size_t)n + 5 >= sizeof(cfg->counters))
		emu_preload_die("bad IOFD_EMU_COUNTERS %s: path too long", q);
	snprintf(dir, sizeof(dir), "%s", cfg->counters);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (REAL(access)(dir, W_OK | X_OK) < 0)
		emu_preload_die("bad IOFD_EMU_COUNTERS %s: directory %s: %s",
				q, dir, strerror(errno));
}

/* Refuse IOFD_EMU_* names that are none of ours (a typo fails closed). */
static void emu_cfg_unknown(void)
{
	char q[EMU_CFG_SHOW * 4 + 16];
	char **e;
	size_t i;

	for (e = environ; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
		bool known = false;

		if (strncmp(*e, "IOFD_EMU_", 9))
			continue;
		for (i = 0; i < EMU_CFG_LEN(emu_cfg_vars); i++)
			known |= strlen(emu_cfg_vars[i]) == len &&
				 !memcmp(emu_cfg_vars[i], *e, len);
		if (!known)
			emu_preload_die("unknown variable %s; known: "
					"IOFD_EMU_DEVICES, IOFD_EMU_VARIANT, "
					"IOFD_EMU_TRACE, "
					"IOFD_EMU_FAIL_NTH, IOFD_EMU_FAIL_KIND, "
					"IOFD_EMU_FAIL_ERRNO, IOFD_EMU_COUNTERS, "
					"IOFD_EMU_HUGEPAGES, IOFD_EMU_CHECK_CLEAN",
					emu_cfg_quote(*e, len, q, sizeof(q)));
	}
}

void emu_preload_config_read(struct emu_preload_config *cfg)
{
	const char *trace = getenv("IOFD_EMU_TRACE");
	const char *nth = getenv("IOFD_EMU_FAIL_NTH");
	const char *kind = getenv("IOFD_EMU_FAIL_KIND");
	const char *err = getenv("IOFD_EMU_FAIL_ERRNO");
	const char *counters = getenv("IOFD_EMU_COUNTERS");
	const char *huge = getenv("IOFD_EMU_HUGEPAGES");
	const char *clean = getenv("IOFD_EMU_CHECK_CLEAN");
	char q[EMU_CFG_SHOW * 4 + 16];

	memset(cfg, 0, sizeof(*cfg));
	emu_cfg_unknown();
	emu_cfg_devices(cfg, getenv("IOFD_EMU_DEVICES"));
	emu_variant_default(&cfg->variant);
	if (getenv("IOFD_EMU_VARIANT"))
		emu_cfg_variant(cfg, getenv("IOFD_EMU_VARIANT"));
	if (trace && strcmp(trace, "0") && strcmp(trace, "1"))
		emu_preload_die("bad IOFD_EMU_TRACE %s: give 1 (on) or 0 (off)",
				emu_cfg_quote(trace, strlen(trace), q,
					      sizeof(q)));
	cfg->trace = trace && !strcmp(trace, "1");
	if (nth) {
		cfg->fail_nth = emu_cfg_number(nth, 1000000000UL);
		if (!cfg->fail_nth)
			emu_preload_die("bad IOFD_EMU_FAIL_NTH %s: give a call "
					"number from 1 to 1000000000",
					emu_cfg_quote(nth, strlen(nth), q,
						      sizeof(q)));
	}
	if (kind) {
		const char *p = kind;

		for (;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);

			emu_cfg_kind(cfg, p, len);
			if (!comma)
				break;
			p = comma + 1;
		}
	}
	cfg->fail_errno = EINVAL;
	if (err) {
		if (!nth && !kind)
			emu_preload_die("IOFD_EMU_FAIL_ERRNO is set but no "
					"call is to fail: set IOFD_EMU_FAIL_NTH "
					"or IOFD_EMU_FAIL_KIND too");
		cfg->fail_errno = emu_cfg_errno(err);
	}
	if (counters)
		emu_cfg_counters(cfg, counters);
	cfg->hugepages = -1;
	if (huge) {
		cfg->hugepages = !strcmp(huge, "0") ? 0 :
				 (long)emu_cfg_number(huge,
						      EMU_CFG_HUGEPAGES_MAX);
		if (!cfg->hugepages && strcmp(huge, "0"))
			emu_preload_die("bad IOFD_EMU_HUGEPAGES %s: give a "
					"number of 2 MiB pages from 0 to %lu",
					emu_cfg_quote(huge, strlen(huge), q,
						      sizeof(q)),
					EMU_CFG_HUGEPAGES_MAX);
	}
	if (clean && strcmp(clean, "0") && strcmp(clean, "1"))
		emu_preload_die("bad IOFD_EMU_CHECK_CLEAN %s: give 1 (on) or 0 "
				"(off)",
				emu_cfg_quote(clean, strlen(clean), q,
					      sizeof(q)));
	cfg->check_clean = clean && !strcmp(clean, "1");
}
