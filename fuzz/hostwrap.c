/* SPDX-License-Identifier: MIT */
/*
 * The interpreter's call log (oprun.h): a host filter between the core and
 * the fault plan that numbers every host call from the start of the
 * program (the count a sweep point names), knows from the plan's failure
 * count whether the plan failed the call, prints each call with its result
 * when given a FILE (" [injected]" marks the faulted one: the call a
 * "fault N" op or a sweep point names), and shows every call to the
 * runner's hooks. It allocates nothing.
 */
#include <string.h>

#include "oprun.h"

static bool oprun_log_before(void *priv, struct emu_filter *f,
			     struct emu_host_call *c)
{
	struct oprun_log *l = priv;
	const struct oprun_cfg *cfg = l->r->cfg;

	l->failed = emu_fault_failed(l->r->fault);
	if (cfg->hooks && cfg->hooks->host_before)
		cfg->hooks->host_before(cfg->priv, c);
	return true;
}

static void oprun_log_after(void *priv, struct emu_host_call *c)
{
	struct oprun_log *l = priv;
	const struct oprun_cfg *cfg = l->r->cfg;
	const char *name;
	char line[160];

	l->calls++;
	l->hit = emu_fault_failed(l->r->fault) != l->failed;
	if (l->hit)
		l->fires++;
	if (l->out) {
		emu_host_call_print(c, line, sizeof(line));
		fprintf(l->out, "        host #%lu %s", l->calls, line);
		if (c->ret < 0) {
			name = strerrorname_np((int)-c->ret);
			fprintf(l->out, " = -%s", name ? name : "E?");
		} else {
			fprintf(l->out, " = %ld", c->ret);
		}
		fprintf(l->out, "%s\n", l->hit ? " [injected]" : "");
	}
	if (cfg->hooks && cfg->hooks->host_call)
		cfg->hooks->host_call(cfg->priv, c, l->hit);
}

static const struct emu_filter_ops oprun_log_ops = {
	.before = oprun_log_before,
	.after = oprun_log_after,
};

void oprun_log_init(struct oprun_log *l, struct oprun *r,
		    const struct iofd_host *lower, FILE *out,
		    struct iofd_host *upper)
{
	memset(l, 0, sizeof(*l));
	l->r = r;
	l->out = out;
	emu_filter_init(&l->filter, lower, &oprun_log_ops, l, upper);
}
