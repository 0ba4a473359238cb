/* SPDX-License-Identifier: MIT */
/*
 * The harness's call log (hostwrap.h): a host filter that numbers every
 * host call and can print each one with its result.
 */
#include <string.h>

#include "hostwrap.h"

/* Before each call: remember whether the plan had fired already. */
static bool fuzz_log_before(void *priv, struct emu_filter *f,
			    struct emu_host_call *c)
{
	struct fuzz_log_host *w = priv;

	w->fired = w->fault && emu_fault_fired(w->fault);
	return true;
}

/*
 * After each call: a fired flag that went up during it means the plan
 * failed this call (a plan re-armed in between starts low again, so every
 * one-shot fault is counted once). The printed line ends in " [injected]"
 * for that call: it is the call a "fault N" op or a sweep point names.
 */
static void fuzz_log_after(void *priv, struct emu_host_call *c)
{
	struct fuzz_log_host *w = priv;
	const char *name;
	char line[160];

	w->calls++;
	w->hit = w->fault && !w->fired && emu_fault_fired(w->fault);
	if (w->hit)
		w->fires++;
	if (!w->log)
		return;
	emu_host_call_print(c, line, sizeof(line));
	fprintf(w->log, "        host #%lu %s", w->calls, line);
	if (c->ret < 0) {
		name = strerrorname_np((int)-c->ret);
		fprintf(w->log, " = -%s", name ? name : "E?");
	} else {
		fprintf(w->log, " = %ld", c->ret);
	}
	fprintf(w->log, "%s\n", w->hit ? " [injected]" : "");
}

static const struct emu_filter_ops fuzz_log_ops = {
	.before = fuzz_log_before,
	.after = fuzz_log_after,
};

void fuzz_log_host_init(struct fuzz_log_host *w, const struct iofd_host *lower,
			FILE *log, struct iofd_host *out)
{
	memset(w, 0, sizeof(*w));
	w->log = log;
	emu_filter_init(&w->filter, lower, &fuzz_log_ops, w, out);
}
