/* SPDX-License-Identifier: MIT */
/*
 * iofd_hw: hardware regression mode and the emulator-vs-kernel
 * differential.
 *
 * Runs op-sequence programs (corpus files, or their text form) through
 * libiofd against the real /dev/iommu, with only the devices the user
 * names, and judges each op against the emulator: the same program runs
 * first over the emulator (the named devices' profiles at the same PCI
 * addresses) and then over the real kernel; an op matches when both give
 * the same result (skipped, success, or the same errno) and an armed fault
 * fired in the same op. The exit status is 0 only when every op and every
 * teardown matched, the emulator ended empty and, with --check-clean, the
 * real kernel was proved clean after every run.
 *
 * Safety: a named device must already be bound to vfio-pci (checked through
 * /sys/bus/pci/devices/BDF/driver) unless --bind asks the tool to bind it,
 * which it does only for a device the IOFD_HW_BIND_ALLOW allow-list names,
 * rolling back on any failure; every host call goes through the guard
 * (guard.c), which refuses any path or fd but /dev/iommu and the named
 * devices. Nothing needs root but --bind: an ordinary user with access to
 * /dev/iommu and the cdevs can run it. Every argument, program and the
 * machine's /dev/iommu are checked before anything is bound or run.
 *
 * Exit: 0 all matched, 1 a mismatch or an unclean kernel, 2 usage or setup
 * error (a refused device or program among them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <iofd/iofd.h>

#include "hw.h"


struct hw_opts {
	struct hw_dev devs[OP_MAX_DEVICES];
	unsigned int ndevs;
	bool bind;
	bool diff;
	bool check_clean;
	bool text;
	bool emu_host;
	bool verbose;
	bool quiet;
	unsigned long sweep_max;
	int sweep_errno;
	const char *record_path;
	FILE *record;
};

struct hw_totals {
	unsigned int programs;
	unsigned long ops;
	unsigned long ops_skipped;
	unsigned long ops_matched;
	unsigned int teardowns_matched;
	unsigned int emu_clean;
	unsigned int runs_checked;
	unsigned int runs_clean;
	unsigned long sweep_points;
	unsigned long sweep_matched;
	unsigned long kernel_calls;
	struct hw_diff_stats diff;
	bool failed;
};

static void hw_usage(FILE *f)
{
	fprintf(f,
		"usage: iofd_hw [options] -d BDF[=PROFILE] [-d ...] PROGRAM|DIR...\n"
		"  -d, --device BDF[=PROFILE]  allow this PCI device (repeatable); it stands\n"
		"                              for the emulator profile PROFILE (e1000e)\n"
		"  -b, --bind                  bind named devices to vfio-pci first (root;\n"
		"                              only devices IOFD_HW_BIND_ALLOW lists)\n"
		"  -D, --diff                  compare every host call with the emulator and\n"
		"                              print the fidelity figure\n"
		"  -c, --check-clean           prove the kernel clean after every run: fds,\n"
		"                              IOMMU_DESTROY of every id, a re-bind\n"
		"  -s, --sweep MAX             also fail host call 1, 2, ... MAX of each\n"
		"                              program (fail-nth), judging every point\n"
		"  -e, --sweep-errno NAME      errno the sweep injects (ENOMEM)\n"
		"  -t, --text                  programs are text even without .txt\n"
		"  -r, --record FILE           log every host call of the kernel runs\n"
		"      --emu-host              the kernel side is a second emulator (tests)\n"
		"  -q, --quiet                 print only mismatches and the summary\n"
		"  -v, --verbose               the core's trace and every teardown step\n"
		"A program is a corpus file (binary) or its text form; a directory means\n"
		"every file in it. Exit: 0 all matched, 1 mismatch or unclean, 2 error.\n");
}

/* ------------------------------------------------------------------ */
/* Devices                                                             */

static int hw_parse_device(struct hw_opts *o, const char *arg)
{
	struct hw_dev *d;
	const char *eq = strchr(arg, '=');
	const char *prof = eq ? eq + 1 : "e1000e";
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	unsigned int i;

	if (o->ndevs == OP_MAX_DEVICES) {
		fprintf(stderr, "iofd_hw: at most %d devices\n", OP_MAX_DEVICES);
		return -E2BIG;
	}
	d = &o->devs[o->ndevs];
	if (n >= sizeof(d->bdf)) {
		fprintf(stderr, "iofd_hw: bad PCI address '%s'\n", arg);
		return -EINVAL;
	}
	memcpy(d->bdf, arg, n);
	d->bdf[n] = '\0';
	if (!hw_pci_bdf_valid(d->bdf)) {
		fprintf(stderr, "iofd_hw: bad PCI address '%s' (want DDDD:BB:DD.F, lower-case hex)\n",
			d->bdf);
		return -EINVAL;
	}
	for (i = 0; i < o->ndevs; i++)
		if (strcmp(o->devs[i].bdf, d->bdf) == 0) {
			fprintf(stderr, "iofd_hw: %s named twice\n", d->bdf);
			return -EEXIST;
		}
	d->profile = emu_profile_find(prof);
	if (!d->profile) {
		fprintf(stderr, "iofd_hw: no emulator profile '%s'\n", prof);
		return -ENOENT;
	}
	/* bdf is at most 15 bytes and sysfs has room for the prefix. */
	strcpy(d->sysfs, "/sys/bus/pci/devices/");
	strcat(d->sysfs, d->bdf);
	o->ndevs++;
	return 0;
}

/*
 * --bind: every named device must be on the allow-list before any is
 * touched; then each is bound, and a failure gives back every device bound
 * so far.
 */
static int hw_bind_devices(const struct hw_opts *o)
{
	char orig[OP_MAX_DEVICES][64];
	const char *allow = getenv("IOFD_HW_BIND_ALLOW"), *bad = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < o->ndevs; i++) {
		ret = allow ? hw_pci_allowed(allow, o->devs[i].bdf, &bad) : 0;
		if (ret < 0) {
			fprintf(stderr, "iofd_hw: IOFD_HW_BIND_ALLOW entry '%s' is no PCI address (want DDDD:BB:DD.F, separated by blanks or commas)\n",
				bad);
			return ret;
		}
		if (ret == 0) {
			fprintf(stderr, "iofd_hw: --bind: %s is not in IOFD_HW_BIND_ALLOW (\"%s\"); refusing to take it from its driver\n",
				o->devs[i].bdf, allow ? allow : "");
			return -EPERM;
		}
	}
	for (i = 0; i < o->ndevs; i++) {
		ret = hw_pci_bind_vfio(o->devs[i].bdf, orig[i], sizeof(orig[i]),
				       stderr);
		if (ret < 0) {
			fprintf(stderr, "iofd_hw: %s: cannot bind to vfio-pci: %s\n",
				o->devs[i].bdf, strerrorname_np(-ret));
			while (i--)
				hw_pci_unbind_vfio(o->devs[i].bdf, orig[i],
						   stderr);
			return ret;
		}
	}
	return 0;
}

/* Every named device must be on vfio-pci, or be put there with --bind. */
static int hw_check_devices(const struct hw_opts *o)
{
	uint16_t vendor, device;
	unsigned int i;
	char drv[64];
	int ret;

	for (i = 0; i < o->ndevs; i++) {
		const struct hw_dev *d = &o->devs[i];

		ret = hw_pci_driver(d->bdf, drv, sizeof(drv));
		if (ret == -ENODEV) {
			fprintf(stderr, "iofd_hw: %s: no such PCI device\n",
				d->bdf);
			return ret;
		}
		if (!o->bind && (ret < 0 || strcmp(drv, "vfio-pci") != 0)) {
			fprintf(stderr, "iofd_hw: %s is bound to %s, not vfio-pci; refusing (use --bind to bind it)\n",
				d->bdf, ret < 0 ? "no driver" : drv);
			return -EPERM;
		}
		if (hw_pci_ids(d->bdf, &vendor, &device) == 0 &&
		    (vendor != d->profile->vendor ||
		     device != d->profile->device))
			fprintf(stderr, "iofd_hw: note: %s is %04x:%04x, profile %s is %04x:%04x\n",
				d->bdf, vendor, device, d->profile->name,
				d->profile->vendor, d->profile->device);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* One run on each side                                                */

struct hw_side {
	struct emu *emu;		/* emulator run, or --emu-host */
	struct hw_guard *guard;		/* kernel run */
	struct emu_rec *rec;
	struct hw_run_result res;
};

static void hw_side_excuse(void *arg, int fd, uint32_t id)
{
	hw_guard_excuse(arg, fd, id);
}

static void hw_side_release(struct hw_side *s)
{
	emu_rec_destroy(s->rec);
	hw_guard_destroy(s->guard);
	emu_destroy(s->emu);
	s->rec = NULL;
	s->guard = NULL;
	s->emu = NULL;
}

/*
 * Run @prog on one side. @kernel: the real host (or the second emulator of
 * --emu-host) under the guard; else the emulator. The side's recorder
 * keeps the calls for the differential.
 */
static int hw_side_run(const struct hw_opts *o, const struct op_program *prog,
		       bool kernel, void *arena, unsigned long sweep_nth,
		       struct hw_side *s)
{
	struct iofd_host bottom, guarded, rec_h;
	struct hw_run_cfg cfg = {
		.prog = prog, .devs = o->devs, .ndevs = o->ndevs,
		.arena = arena,
		.sweep = { .nth = sweep_nth, .errnum = o->sweep_errno },
		.log = stdout,
		.verbose = o->verbose && kernel && !sweep_nth,
	};
	int ret;

	memset(s, 0, sizeof(*s));
	if (!kernel || o->emu_host) {
		ret = emu_create(&s->emu);
		if (ret < 0)
			return ret;
		emu_host(s->emu, &bottom);
		cfg.emu = s->emu;
	} else {
		iofd_host_real(&bottom);
		ret = hw_guard_create(&bottom, o->devs, o->ndevs,
				      o->check_clean, &s->guard);
		if (ret < 0)
			return ret;
		hw_guard_host(s->guard, &guarded);
		bottom = guarded;
		cfg.destroy_failed = hw_side_excuse;
		cfg.destroy_arg = s->guard;
	}
	ret = emu_rec_create(&bottom, &s->rec);
	if (ret < 0)
		return ret;
	if (kernel && o->record && !sweep_nth)
		emu_rec_set_log(s->rec, o->record);
	emu_rec_host(s->rec, &rec_h);
	cfg.host = &rec_h;
	cfg.rec = s->rec;
	return hw_run(&cfg, &s->res);
}

static bool hw_result_equal(const struct hw_op_result *a,
			    const struct hw_op_result *b)
{
	return a->ret == b->ret && a->fired == b->fired;
}

static void hw_print_op(const char *label, const struct hw_op_result *k,
			const struct hw_op_result *e, bool match)
{
	char kb[24], eb[24];

	printf("  %-44s kernel %-12s emulator %-12s %s\n", label,
	       hw_run_ret_name(k->ret, kb, sizeof(kb)),
	       hw_run_ret_name(e->ret, eb, sizeof(eb)),
	       match ? "ok" : "MISMATCH");
	if (!match || (k->ret < 0 && k->ret != OPRUN_SKIPPED))
		if (k->msg[0])
			printf("      kernel:   %s%s\n", k->msg,
			       k->fired ? " [fault fired]" : "");
	if (!match && e->msg[0])
		printf("      emulator: %s%s\n", e->msg,
		       e->fired ? " [fault fired]" : "");
}

/*
 * Compare the two result lists; print every op (or only mismatches with
 * @quiet). Returns the number of mismatches, teardown included.
 */
static unsigned int hw_compare(const struct hw_opts *o,
			       const struct op_program *prog,
			       const struct hw_side *e, const struct hw_side *k,
			       bool quiet, struct hw_totals *t, bool count)
{
	unsigned int i, bad = 0;
	char line[128], label[140];

	for (i = 0; i < prog->count; i++) {
		bool m = hw_result_equal(&k->res.op[i], &e->res.op[i]);

		if (count) {
			t->ops++;
			t->ops_matched += m;
			t->ops_skipped += k->res.op[i].ret == OPRUN_SKIPPED &&
					  e->res.op[i].ret == OPRUN_SKIPPED;
		}
		bad += !m;
		if (quiet && m)
			continue;
		op_to_text(&prog->ops[i], line, sizeof(line));
		snprintf(label, sizeof(label), "#%-2u %s", i, line);
		hw_print_op(label, &k->res.op[i], &e->res.op[i], m);
	}
	if (!hw_result_equal(&k->res.teardown, &e->res.teardown)) {
		bad++;
		hw_print_op("teardown", &k->res.teardown, &e->res.teardown,
			    false);
	} else if (count) {
		t->teardowns_matched++;
	}
	(void)o;
	return bad;
}

/* The emulator must be empty after the teardown, as in fuzz_attach. */
static bool hw_emu_clean(const struct hw_side *s, const char *who)
{
	const struct emu_counters *c = &s->res.left;

	if (!c->fds && !c->contexts && !c->objects && !c->pinned_pages)
		return true;
	printf("  %s not empty after teardown: %u fds, %u contexts, %u objects, %llu pinned pages\n",
	       who, c->fds, c->contexts, c->objects,
	       (unsigned long long)c->pinned_pages);
	return false;
}

/* --check-clean on the kernel side. Returns true when clean. */
static bool hw_kernel_clean(const struct hw_opts *o, struct hw_side *k,
			    const struct hw_clean_fds *before)
{
	struct hw_clean_fds after;
	unsigned int i, bad = 0;
	int ret;

	if (o->emu_host)
		return hw_emu_clean(k, "kernel-side emulator");
	ret = hw_guard_check(k->guard, stdout);
	bad += ret != 0;
	ret = hw_clean_fds(&after);
	if (ret < 0 || hw_clean_fds_diff(before, &after, stdout))
		bad++;
	/* Each device the run used must be free for a new owner. */
	for (i = 0; i < o->ndevs; i++)
		if (k->res.used[i] && hw_clean_rebind(&o->devs[i], stdout) < 0)
			bad++;
	return bad == 0;
}

/* Run @prog once (sweep point @nth, 0: plain) on both sides and judge. */
static void hw_point(const struct hw_opts *o, const char *name,
		     const struct op_program *prog, void *arena,
		     unsigned long nth, bool *fired, struct hw_totals *t)
{
	struct hw_side e, k;
	struct hw_clean_fds before;
	bool ok = true, quiet = o->quiet || nth;
	int ret;

	*fired = false;
	ret = hw_side_run(o, prog, false, arena, nth, &e);
	if (ret < 0) {
		printf("%s: emulator run failed to start: %s\n", name,
		       strerrorname_np(-ret));
		t->failed = true;
		hw_side_release(&e);
		return;
	}
	if (o->check_clean && !o->emu_host)
		hw_clean_fds(&before);
	ret = hw_side_run(o, prog, true, arena, nth, &k);
	if (ret < 0) {
		printf("%s: kernel run failed to start: %s\n", name,
		       strerrorname_np(-ret));
		t->failed = true;
		goto out_release;
	}
	*fired = e.res.sweep_fired || k.res.sweep_fired;
	if (nth && !o->quiet)
		printf("  sweep point %lu (%s):\n", nth,
		       strerrorname_np(o->sweep_errno));
	if (hw_compare(o, prog, &e, &k, quiet, t, !nth))
		ok = false;
	if (e.res.sweep_fired != k.res.sweep_fired) {
		printf("  sweep point %lu fired on the %s only\n", nth,
		       e.res.sweep_fired ? "emulator" : "kernel");
		ok = false;
	}
	if (!hw_emu_clean(&e, "emulator"))
		ok = false;
	else if (!nth)
		t->emu_clean++;
	if (o->check_clean) {
		t->runs_checked++;
		if (hw_kernel_clean(o, &k, &before))
			t->runs_clean++;
		else
			ok = false;
	}
	if (k.guard && hw_guard_refused(k.guard)) {
		printf("  the guard refused %lu calls\n",
		       hw_guard_refused(k.guard));
		ok = false;
	}
	if (!nth) {
		t->kernel_calls += emu_rec_count(k.rec);
		if (o->diff && hw_diff(e.rec, k.rec, prog, stdout, &t->diff))
			ok = false;
	} else {
		t->sweep_points++;
		t->sweep_matched += ok;
		if (!ok)
			printf("  sweep point %lu of %s: MISMATCH\n", nth, name);
	}
	if (!ok)
		t->failed = true;
out_release:
	hw_side_release(&k);
	hw_side_release(&e);
}

static void hw_program(const struct hw_opts *o, const char *path,
		       void *arena, struct hw_totals *t)
{
	struct op_program prog;
	unsigned long nth;
	bool fired;
	int ret;

	ret = hw_progs_load(path, o->text, &prog);
	if (ret < 0) {
		t->failed = true;
		return;
	}
	t->programs++;
	printf("%s (%u ops):\n", path, prog.count);
	hw_point(o, path, &prog, arena, 0, &fired, t);
	for (nth = 1; nth <= o->sweep_max; nth++) {
		hw_point(o, path, &prog, arena, nth, &fired, t);
		if (!fired)
			break;
	}
}

static void hw_summary(const struct hw_opts *o, const struct hw_totals *t)
{
	printf("\nsummary: %u programs, %lu ops (%lu skipped on both sides: not stageable here)\n",
	       t->programs, t->ops, t->ops_skipped);
	printf("  ops matching the emulator: %lu/%lu; teardowns matching: %u/%u; emulator empty after: %u/%u\n",
	       t->ops_matched, t->ops, t->teardowns_matched, t->programs,
	       t->emu_clean, t->programs);
	if (o->check_clean)
		printf("  kernel clean after the run (fds, IOMMU_DESTROY of every id, re-bind): %u/%u runs\n",
		       t->runs_clean, t->runs_checked);
	if (o->sweep_max)
		printf("  fail-nth sweep (%s): %lu/%lu points matched and clean\n",
		       strerrorname_np(o->sweep_errno), t->sweep_matched,
		       t->sweep_points);
	printf("  kernel host calls (plain runs): %lu\n", t->kernel_calls);
	if (o->diff) {
		const struct hw_diff_stats *d = &t->diff;

		printf("differential: %lu calls made, %lu agree (%lu of them thanks to documented exceptions), %lu mismatch (%lu made by one side only), %lu known mismatch pending an emulator fix\n",
		       d->calls, d->agree, d->excepted, d->mismatched,
		       d->unpaired, d->pending);
		printf("fidelity: %lu/%lu = %.1f%%\n", d->agree, d->calls,
		       d->calls ? 100.0 * (double)d->agree / (double)d->calls :
		       100.0);
		hw_diff_print_exceptions(d, stdout);
	}
	printf("result: %s\n", t->failed ? "MISMATCH" : "all matched");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "bind", no_argument, NULL, 'b' },
		{ "diff", no_argument, NULL, 'D' },
		{ "check-clean", no_argument, NULL, 'c' },
		{ "sweep", required_argument, NULL, 's' },
		{ "sweep-errno", required_argument, NULL, 'e' },
		{ "text", no_argument, NULL, 't' },
		{ "record", required_argument, NULL, 'r' },
		{ "emu-host", no_argument, NULL, 'E' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hw_opts o = { .sweep_errno = ENOMEM };
	struct hw_progs progs = { 0 };
	struct hw_totals *t = NULL;
	struct timespec t0, t1;
	void *arena = MAP_FAILED;
	unsigned int p;
	int c, idx, ret = 2;
	char *end;

	while ((c = getopt_long(argc, argv, "d:bDcs:e:tr:qvh", lopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'd':
			if (hw_parse_device(&o, optarg) < 0)
				return 2;
			break;
		case 'b':
			o.bind = true;
			break;
		case 'D':
			o.diff = true;
			break;
		case 'c':
			o.check_clean = true;
			break;
		case 's':
			errno = 0;
			o.sweep_max = strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end ||
			    errno || o.sweep_max > 10000) {
				fprintf(stderr, "iofd_hw: -s '%s': want a sweep bound from 0 to 10000 (decimal)\n",
					optarg);
				return 2;
			}
			break;
		case 'e':
			idx = op_errno_find(optarg);
			if (idx < 0) {
				fprintf(stderr, "iofd_hw: -e '%s': not an errno a fault injects (EINVAL, ENOMEM, ... as fuzz/GRAMMAR lists)\n",
					optarg);
				return 2;
			}
			o.sweep_errno = op_errno_value((unsigned int)idx);
			break;
		case 't':
			o.text = true;
			break;
		case 'r':
			o.record_path = optarg;
			break;
		case 'E':
			o.emu_host = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			hw_usage(stdout);
			return 0;
		default:
			hw_usage(stderr);
			return 2;
		}
	}
	if (optind == argc || o.ndevs == 0) {
		fprintf(stderr, "iofd_hw: %s\n", o.ndevs ? "no program given" :
			"no device given (-d BDF)");
		hw_usage(stderr);
		return 2;
	}
	if (hw_progs_collect(argv + optind, argc - optind, o.text, &progs) < 0)
		return 2;
	/* No iommufd here is a setup error, not a run that matched nothing. */
	if (!o.emu_host && access("/dev/iommu", R_OK | W_OK) != 0) {
		fprintf(stderr, "iofd_hw: /dev/iommu: %s: this machine offers no iommufd (CONFIG_IOMMUFD and an IOMMU) to run on; setup error\n",
			strerror(errno));
		goto out_free;
	}
	if (!o.emu_host && hw_check_devices(&o) < 0)
		goto out_free;
	/* Everything is checked: the first side effects. */
	if (!o.emu_host && o.bind && hw_bind_devices(&o) < 0)
		goto out_free;
	if (o.record_path) {
		o.record = fopen(o.record_path, "we");
		if (!o.record) {
			fprintf(stderr, "iofd_hw: %s: %s\n", o.record_path,
				strerror(errno));
			goto out_free;
		}
	}
	/* One arena for both sides, so user addresses compare equal. */
	arena = mmap(NULL, OPRUN_ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t = calloc(1, sizeof(*t));
	if (arena == MAP_FAILED || !t) {
		fprintf(stderr, "iofd_hw: out of memory\n");
		goto out_free;
	}
	memset(arena, 0, OPRUN_ARENA_SIZE);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (p = 0; p < progs.count; p++)
		hw_program(&o, progs.paths[p], arena, t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	hw_summary(&o, t);
	printf("time: %.2f s\n", (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ret = t->failed ? 1 : 0;

out_free:
	free(t);
	if (arena != MAP_FAILED)
		munmap(arena, OPRUN_ARENA_SIZE);
	if (o.record)
		fclose(o.record);
	hw_progs_free(&progs);
	return ret;
}
