// SPDX-License-Identifier: MIT
/*
 * One point of iofd_qemu_sweep: QEMU started stopped under the shim with
 * the point's fault in its environment, the firmware run just long
 * enough to number the root port's bus, then the hot-plug (or, with
 * --coldplug, the check of a device given at start), QMP's answers, the
 * shim's counters after the failed add or the unplug, QEMU's exit, and
 * the shim's sysfs tree gone. What happened goes into a struct
 * sweep_result; sweep.c judges it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "qmp.h"
#include "sweep.h"

extern char **environ;

/* Whether process @pid has the shim @shim mapped. */
static bool sweep_shim_loaded(pid_t pid, const char *shim)
{
	char path[64], line[PATH_MAX + 128];
	size_t n = strlen(shim);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		found = p && !strncmp(p, shim, n) && p[n] == '\n';
	}
	if (f)
		fclose(f);
	return found;
}

/* The environment of a run: ours minus what the run sets, plus that. */
static char **sweep_env(const struct sweep_opts *o, long n, int errnum,
			const char *counters)
{
	static const char *const drop[] = { "LD_PRELOAD=", "IOFD_EMU_",
					    "ASAN_OPTIONS=", "TMPDIR=" };
	size_t count = 0, i, k;
	char **env, **e;

	for (e = environ; *e; e++)
		count++;
	env = calloc(count + 9, sizeof(*env));
	if (!env)
		sweep_unusable("out of memory");
	for (e = environ, k = 0; *e; e++) {
		bool keep = true;

		for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
			keep &= strncmp(*e, drop[i], strlen(drop[i])) != 0;
		if (keep)
			env[k++] = *e;
	}
	if (asprintf(&env[k++], "LD_PRELOAD=%s", o->preload) < 0 ||
	    asprintf(&env[k++], "IOFD_EMU_DEVICES=%s", o->device) < 0 ||
	    asprintf(&env[k++], "IOFD_EMU_COUNTERS=%s", counters) < 0 ||
	    asprintf(&env[k++], "IOFD_EMU_VARIANT=aw-bits=48") < 0 ||
	    asprintf(&env[k++], "TMPDIR=%s", o->work) < 0 ||
	    asprintf(&env[k++], "ASAN_OPTIONS=detect_leaks=0") < 0)
		sweep_unusable("out of memory");
	if (n > 0 &&
	    (asprintf(&env[k++], "IOFD_EMU_FAIL_NTH=%ld", n) < 0 ||
	     asprintf(&env[k++], "IOFD_EMU_FAIL_ERRNO=%s",
		      strerrorname_np(errnum)) < 0))
		sweep_unusable("out of memory");
	return env;
}

static void sweep_env_free(char **env)
{
	char **e;

	for (e = env; *e; e++) {
		if (!strncmp(*e, "LD_PRELOAD=", 11) ||
		    !strncmp(*e, "IOFD_EMU_", 9) ||
		    !strncmp(*e, "TMPDIR=", 7) ||
		    !strncmp(*e, "ASAN_OPTIONS=", 13))
			free(*e);
	}
	free(env);
}

static const char *const sweep_counter_names[] = {
	"fds", "contexts", "objects", "pinned_pages", "locked_pages",
	"files", "kvm_vms", "kvm_devices", "kvm_vfio_files", "eventfds",
	"mappings",
};

/*
 * The counters file: *@j its tree (NULL when the run never called the
 * model, which wrote no file). 0, or -errno when it cannot be read.
 */
static int sweep_counters(const char *path, struct json **j)
{
	char buf[4096], err[128];
	ssize_t n;
	int fd;

	*j = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	*j = json_parse(buf, (size_t)n, err, sizeof(err));
	return *j ? 0 : -EPROTO;
}

/* The counters that are not zero, "fds=1 objects=2", into @out ("" none). */
static int sweep_leaks(const char *path, char *out, size_t cap)
{
	struct json *j;
	size_t i, o = 0;
	int64_t v;
	int rc;

	out[0] = '\0';
	rc = sweep_counters(path, &j);
	if (rc || !j)
		return rc;
	for (i = 0; i < sizeof(sweep_counter_names) /
			sizeof(sweep_counter_names[0]); i++) {
		if (!json_get_int(j, sweep_counter_names[i], &v))
			v = -1;
		if (v && o < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%s=%lld",
					      o ? " " : "",
					      sweep_counter_names[i],
					      (long long)v);
	}
	json_free(j);
	return 0;
}

/* The first error line QEMU printed (not ASan's notes), into @out. */
static void sweep_qemu_said(const char *log, char *out, size_t cap)
{
	char line[512];
	FILE *f = fopen(log, "r");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line || !strncmp(line, "==", 2) ||
		    strstr(line, "ASan ") || strstr(line, "False positive") ||
		    strstr(line, "sanitizers/issues") ||
		    strstr(line, "KVM VFIO device isn't created"))
			continue;
		snprintf(out, cap, "%s", line);
		break;
	}
	fclose(f);
}

/* The last @n (at most 8) lines of @log on stderr. */
static void sweep_tail(const char *log, unsigned int n)
{
	char lines[8][512];
	unsigned int i = 0, k;
	FILE *f = fopen(log, "r");

	if (!f)
		return;
	while (fgets(lines[i % 8], sizeof(lines[0]), f))
		i++;
	fclose(f);
	for (k = i > n ? i - n : 0; k < i; k++)
		fprintf(stderr, "    | %s", lines[k % 8]);
}

/*
 * All of the last point's QEMU log on stdout: a leak that is no known
 * finding may not come back when rerun (a race at quit), so its whole
 * report (ASan's stacks of every thread) must be in the sweep's output.
 */
void sweep_log_dump(const struct sweep_opts *o)
{
	char path[PATH_MAX + 16], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/qemu.log", o->work);
	f = fopen(path, "r");
	if (!f)
		return;
	printf("    QEMU's whole log for this point:\n");
	while (fgets(line, sizeof(line), f))
		printf("    | %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/* Device @id in a list of query-pci devices, behind bridges too. */
static const struct json *sweep_pci_find_in(const struct json *devs,
					    const char *id)
{
	const struct json *d;
	const char *q;
	size_t i;

	for (i = 0; devs && devs->type == JSON_ARR && i < devs->n; i++) {
		q = json_get_str(&devs->kids[i], "qdev_id");
		if (q && !strcmp(q, id))
			return &devs->kids[i];
		d = sweep_pci_find_in(json_get(json_get(&devs->kids[i],
							"pci_bridge"),
					       "devices"), id);
		if (d)
			return d;
	}
	return NULL;
}

/*
 * Whether query-pci shows device @id; with @bars, also with BAR 0-3 and
 * the ROM; with @assigned, with the firmware's addresses in BAR 0-3.
 */
static bool sweep_pci_has(const struct json *reply, const char *id,
			  bool bars_too, bool assigned)
{
	const struct json *buses = json_get(reply, "return"), *dev = NULL, *r;
	unsigned int bars = 0;
	int64_t bar, addr;
	size_t i;

	for (i = 0; !dev && buses && buses->type == JSON_ARR &&
	     i < buses->n; i++)
		dev = sweep_pci_find_in(json_get(&buses->kids[i], "devices"),
					id);
	if (!dev || !bars_too)
		return dev != NULL;
	r = json_get(dev, "regions");
	for (i = 0; r && r->type == JSON_ARR && i < r->n; i++) {
		if (!json_get_int(&r->kids[i], "bar", &bar) || bar < 0 ||
		    bar > 6)
			continue;
		if (assigned && bar < 4 &&
		    (!json_get_int(&r->kids[i], "address", &addr) ||
		     addr == -1))
			continue;
		bars |= 1u << bar;
	}
	return (bars & 0x4f) == 0x4f;
}

/* The root port's secondary bus number, 0 until firmware numbers it. */
static int64_t sweep_pci_secondary(const struct json *reply)
{
	const struct json *buses = json_get(reply, "return");
	size_t b, d;
	int64_t v;

	for (b = 0; buses && buses->type == JSON_ARR && b < buses->n; b++) {
		const struct json *devs = json_get(&buses->kids[b], "devices");

		for (d = 0; devs && devs->type == JSON_ARR && d < devs->n;
		     d++) {
			const struct json *bus = json_get(
				json_get(&devs->kids[d], "pci_bridge"), "bus");

			if (json_get_int(bus, "secondary", &v))
				return v;
		}
	}
	return 0;
}

/* Run @cmd and keep its error's text (or "") in @err. 0 or -errno. */
static int sweep_cmd(struct qemu *q, const char *cmd, char *err, size_t cap,
		     struct json **keep)
{
	struct json *reply;
	const char *desc;
	int rc;

	err[0] = '\0';
	rc = qemu_cmd(q, cmd, &reply);
	if (rc)
		return rc;
	desc = json_get_str(json_get(reply, "error"), "desc");
	if (desc)
		snprintf(err, cap, "%s", desc);
	else if (!json_get(reply, "return"))
		snprintf(err, cap, "no return in QMP's reply");
	if (keep)
		*keep = reply;
	else
		json_free(reply);
	return 0;
}

/*
 * Let the firmware number the root port's bus (and, with @coldplug, give
 * the device on the command line its BARs), then stop the machine.
 */
static int sweep_firmware(struct qemu *q, bool coldplug, char *err,
			  size_t cap)
{
	struct json *reply;
	int rc, i;

	rc = sweep_cmd(q, "{\"execute\": \"cont\"}", err, cap, NULL);
	if (rc || *err)
		return rc ? rc : -EIO;
	for (i = 0; i < 3000; i++) {
		rc = sweep_cmd(q, "{\"execute\": \"query-pci\"}", err, cap,
			       &reply);
		if (rc || *err)
			return rc ? rc : -EIO;
		rc = sweep_pci_secondary(reply) != 0 &&
		     (!coldplug || sweep_pci_has(reply, "hostdev0", true,
						 true));
		json_free(reply);
		if (rc)
			break;
		usleep(20000);
	}
	rc = sweep_cmd(q, "{\"execute\": \"stop\"}", err, cap, NULL);
	if (rc || *err)
		return rc ? rc : -EIO;
	if (i == 3000) {
		snprintf(err, cap, "the firmware never numbered the root "
			 "port's bus%s", coldplug ? " or gave the device its "
			 "BARs" : "");
		return -ETIMEDOUT;
	}
	return 0;
}

/* The vfio-pci properties: the host device and the backend, into @buf. */
static void sweep_vfio_props(const struct sweep_opts *o, char *buf,
			     size_t cap)
{
	if (o->sysfsdev)
		snprintf(buf, cap, "sysfsdev=/sys/bus/pci/devices/%s,"
			 "iommufd=iommufd0,id=hostdev0", o->bdf);
	else
		snprintf(buf, cap, "host=%s,iommufd=iommufd0,id=hostdev0",
			 o->bdf);
}

static void sweep_argv(const struct sweep_opts *o, enum sweep_config cfg,
		       char **argv, char *dev, size_t cap)
{
	unsigned int n = 0;
	int len;

	argv[n++] = (char *)o->qemu;
	argv[n++] = "-machine";
	argv[n++] = "q35,accel=tcg";
	argv[n++] = "-nodefaults";
	argv[n++] = "-no-user-config";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-m";
	argv[n++] = "128";
	argv[n++] = "-S";
	argv[n++] = "-chardev";
	argv[n++] = "socket,id=qmp,fd=3";
	argv[n++] = "-mon";
	argv[n++] = "chardev=qmp,mode=control";
	argv[n++] = "-global";
	argv[n++] = "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off";
	if (cfg == SWEEP_VIOMMU) {
		argv[n++] = "-device";
		argv[n++] = "intel-iommu,caching-mode=on";
	}
	argv[n++] = "-object";
	argv[n++] = "iommufd,id=iommufd0";
	argv[n++] = "-device";
	argv[n++] = "pcie-root-port,id=rp0,chassis=1,slot=1";
	if (o->coldplug) {
		len = snprintf(dev, cap, "vfio-pci,bus=pcie.0,addr=03.0,");
		sweep_vfio_props(o, dev + len, cap - (size_t)len);
		argv[n++] = "-device";
		argv[n++] = dev;
	}
	argv[n] = NULL;
}

/* Any of the shim's sysfs trees left in the work directory. */
static bool sweep_tree_left(const struct sweep_opts *o)
{
	DIR *d = opendir(o->work);
	struct dirent *de;
	bool left = false;

	if (!d)
		return false;
	while ((de = readdir(d)))
		left |= !strncmp(de->d_name, "iofd-emu-", 9);
	closedir(d);
	return left;
}

/* The final counters: whether the fault fired, on which call; the total. */
static void sweep_final(const char *counters, struct sweep_result *r)
{
	const struct json *fault, *fired;
	struct json *j;
	int64_t v;

	if (sweep_counters(counters, &j) || !j)
		return;
	if (json_get_int(j, "calls", &v))
		r->calls = (unsigned long)v;
	fault = json_get(j, "fault");
	fired = json_get(fault, "fired");
	r->fired = fired && fired->type == JSON_BOOL && fired->b;
	if (json_get_int(fault, "call", &v))
		r->call = (unsigned long)v;
	if (json_get_str(fault, "what"))
		snprintf(r->what, sizeof(r->what), "%s",
			 json_get_str(fault, "what"));
	json_free(j);
}

/*
 * A device given on the command line (-device vfio-pci on pcie.0): the
 * firmware that just ran must have given its BARs addresses. It stays
 * until quit (QEMU does not unplug at exit), so no counter is asked.
 */
static void sweep_coldplug(struct qemu *q, struct sweep_result *r)
{
	struct json *reply;
	char err[400];
	int rc;

	rc = sweep_cmd(q, "{\"execute\": \"query-pci\"}", err, sizeof(err),
		       &reply);
	if (rc || *err) {
		snprintf(r->problem, sizeof(r->problem), "query-pci: %s",
			 *err ? err : strerror(-rc));
		return;
	}
	r->added = sweep_pci_has(reply, "hostdev0", true, true);
	json_free(reply);
	if (!r->added)
		snprintf(r->problem, sizeof(r->problem), "query-pci does not "
			 "show hostdev0 with the BARs the firmware assigned");
}

/*
 * device_add, query-pci, device_del, and the counters after it all. With
 * no fault (@n 0) the device must show all its BARs; with one, QEMU may
 * have realized it with a BAR or the ROM left out (it warns and goes on),
 * so only the device is asked for.
 */
static void sweep_hotplug(const struct sweep_opts *o, struct qemu *q,
			  long n, const char *counters,
			  struct sweep_result *r)
{
	char cmd[512], err[400];
	struct json *reply;
	int rc;

	snprintf(cmd, sizeof(cmd), "{\"execute\": \"device_add\", "
		 "\"arguments\": {\"driver\": \"vfio-pci\", "
		 "\"%s\": \"%s%s\", \"iommufd\": \"iommufd0\", "
		 "\"bus\": \"rp0\", \"id\": \"hostdev0\"}}",
		 o->sysfsdev ? "sysfsdev" : "host",
		 o->sysfsdev ? "/sys/bus/pci/devices/" : "", o->bdf);
	rc = sweep_cmd(q, cmd, r->add_error, sizeof(r->add_error), NULL);
	if (rc) {
		snprintf(r->problem, sizeof(r->problem),
			 "device_add: QEMU did not answer (%s)", strerror(-rc));
		return;
	}
	r->added = !r->add_error[0];
	if (r->added) {
		rc = sweep_cmd(q, "{\"execute\": \"query-pci\"}", err,
			       sizeof(err), &reply);
		if (rc || *err) {
			snprintf(r->problem, sizeof(r->problem),
				 "query-pci: %s", *err ? err : strerror(-rc));
			return;
		}
		rc = sweep_pci_has(reply, "hostdev0", n == 0, false);
		json_free(reply);
		if (!rc) {
			snprintf(r->problem, sizeof(r->problem), "query-pci "
				 "does not show hostdev0%s",
				 n ? "" : " and its BARs");
			return;
		}
		rc = sweep_cmd(q, "{\"execute\": \"device_del\", "
			       "\"arguments\": {\"id\": \"hostdev0\"}}", err,
			       sizeof(err), NULL);
		if (!rc && !*err)
			rc = qemu_wait_event(q, "DEVICE_DELETED", "hostdev0");
		if (rc || *err) {
			snprintf(r->problem, sizeof(r->problem), "unplug: %s",
				 *err ? err : strerror(-rc));
			return;
		}
	}
	rc = sweep_leaks(counters, r->leak, sizeof(r->leak));
	if (rc)
		snprintf(r->problem, sizeof(r->problem), "counters %s: %s",
			 counters, strerror(-rc));
	r->counted = !rc;
}

void sweep_point(const struct sweep_opts *o, enum sweep_config cfg,
			int errnum, long n, struct sweep_result *r)
{
	char *argv[32], **env, log[PATH_MAX + 16], counters[PATH_MAX + 16];
	char err[400], dev[256];
	struct qemu q;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(log, sizeof(log), "%s/qemu.log", o->work);
	snprintf(counters, sizeof(counters), "%s/counters.json", o->work);
	unlink(counters);
	sweep_argv(o, cfg, argv, dev, sizeof(dev));
	env = sweep_env(o, n, errnum, counters);
	rc = qemu_start(&q, argv, env, log, o->timeout, err, sizeof(err));
	sweep_env_free(env);
	if (rc) {
		snprintf(r->problem, sizeof(r->problem),
			 "QEMU did not start: %s", err);
		goto out_reap;
	}
	if (!sweep_shim_loaded(q.pid, o->shim)) {
		/* Before device_add: QEMU has not opened /dev/iommu yet. */
		qemu_reap(&q);
		sweep_tail(log, 3);
		sweep_unusable("the loader did not load %s into QEMU (its "
			       "words are above): QEMU would run on the real "
			       "kernel", o->shim);
	}
	rc = sweep_firmware(&q, o->coldplug, err, sizeof(err));
	if (rc) {
		snprintf(r->problem, sizeof(r->problem), "firmware: %s",
			 *err ? err : strerror(-rc));
		goto out_reap;
	}
	if (o->coldplug)
		sweep_coldplug(&q, r);
	else
		sweep_hotplug(o, &q, n, counters, r);
	if (r->problem[0])
		goto out_reap;
	rc = qemu_quit(&q);
	if (rc)
		snprintf(r->problem, sizeof(r->problem), "quit: %s",
			 strerror(-rc));
	else if (WIFSIGNALED(q.status))
		snprintf(r->problem, sizeof(r->problem),
			 "QEMU died of signal %d (%s)", WTERMSIG(q.status),
			 strsignal(WTERMSIG(q.status)));
	else if (WEXITSTATUS(q.status))
		snprintf(r->problem, sizeof(r->problem),
			 "QEMU exited with %d", WEXITSTATUS(q.status));
out_reap:
	qemu_reap(&q);
	sweep_final(counters, r);
	sweep_qemu_said(log, r->qemu_said, sizeof(r->qemu_said));
	if (!r->problem[0] && sweep_tree_left(o))
		snprintf(r->problem, sizeof(r->problem),
			 "the shim's sysfs tree was left in %s", o->work);
	if ((r->problem[0] || o->verbose) && !sweep_stop)
		sweep_tail(log, r->problem[0] ? 6 : 3);
}
