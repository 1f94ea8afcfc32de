/* core/health.c — environment and tenant health with their causes. */
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "core/health.h"
#include "core/tcode.h"
#include "util/util.h"

static const char *const state_names[HEALTH_COUNT] = {
    [HEALTH_AVAILABLE] = "available", [HEALTH_SLEEPING] = "sleeping", [HEALTH_WAKING] = "waking",
    [HEALTH_DEGRADED] = "degraded",   [HEALTH_DOWN] = "down",	      [HEALTH_BLOCKED] = "blocked",
    [HEALTH_UNKNOWN] = "unknown",
};

static const int severity[HEALTH_COUNT] = {
    [HEALTH_AVAILABLE] = 0, [HEALTH_SLEEPING] = 1, [HEALTH_WAKING] = 2, [HEALTH_DEGRADED] = 3,
    [HEALTH_UNKNOWN] = 4,   [HEALTH_BLOCKED] = 5,  [HEALTH_DOWN] = 6,
};

const char *health_name(health_state s)
{
	return (unsigned)s < HEALTH_COUNT ? state_names[s] : "?";
}

int health_parse(const char *name, health_state *s)
{
	size_t i;

	for (i = 0; name && i < HEALTH_COUNT; i++) {
		if (!strcmp(name, state_names[i])) {
			*s = (health_state)i;
			return 0;
		}
	}
	return -1;
}

int health_severity(health_state s)
{
	return (unsigned)s < HEALTH_COUNT ? severity[s] : severity[HEALTH_UNKNOWN];
}

int health_cmp_worst_first(health_state a, health_state b)
{
	return health_severity(b) - health_severity(a);
}

static void set(health_result *out, health_state s, const strbuf *sb)
{
	out->state = s;
	util_strlcpy(out->cause, sb->buf, sizeof(out->cause));
}

/* "12:03:10", or "2026-11-27 12:03:10" when not on the day of now (both at the offset). */
static void fmt_time(const health_opts *o, int64_t t, char *buf, size_t size)
{
	struct tm tm, tn;
	time_t tt = (time_t)(t + o->tz_offset_min * 60),
	       tnow = (time_t)(o->now + o->tz_offset_min * 60);

	gmtime_r(&tt, &tm);
	gmtime_r(&tnow, &tn);
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		strftime(buf, size, "%H:%M:%S", &tm);
	else
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static void fmt_date(const health_opts *o, int64_t t, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)(t + o->tz_offset_min * 60);

	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

static int base_failing(const model_base *b)
{
	return b->desired <= 0 || b->ready < b->desired;
}

static int pub_failing(const model_public *p)
{
	return p->desired <= 0 || p->ready < p->desired;
}

static const char *contract_word(const char *s)
{
	if (!s || !*s)
		return NULL;
	if (strstr(s, "ContractExpired"))
		return "ContractExpired";
	if (strstr(s, "ContractInvalid"))
		return "ContractInvalid";
	return NULL;
}

/* Blocked by the catalogue or by the LicenseServer; 1 with the cause in sb. */
static int check_blocked(const model_env *e, const model_contract *c, const health_opts *o,
			 strbuf *sb)
{
	char date[32];
	size_t i;

	if (c && c->known) {
		int expired = !strcasecmp(c->status, "expired");
		int past = c->valid_until > 0 && o->now > c->valid_until;
		if (expired || past) {
			sb_adds(sb, "licence blocked: contract expired");
			if (c->valid_until > 0) {
				fmt_date(o, c->valid_until, date, sizeof(date));
				sb_addf(sb, " %s", date);
			}
			return 1;
		}
		if (!strcasecmp(c->status, "suspended")) {
			sb_adds(sb, "licence blocked: contract suspended");
			return 1;
		}
	}
	for (i = 0; i < e->n_base && i < MODEL_MAX_BASE; i++) {
		const model_base *b = &e->base[i];
		const char *w;
		if (strcmp(b->component, HEALTH_LICENSE_COMPONENT) || !base_failing(b))
			continue;
		w = contract_word(model_text(e, b->terminated_reason));
		if (!w)
			w = contract_word(model_text(e, b->message));
		if (w) {
			sb_addf(sb, "licence blocked: LicenseServer reports %s", w);
			if (b->restarts > 0)
				sb_addf(sb, " (%d restart%s)", (int)b->restarts,
					b->restarts == 1 ? "" : "s");
			return 1;
		}
	}
	return 0;
}

/* "lockserver down (CrashLoopBackOff, 5 restarts)" */
static void describe_down(const model_env *e, const model_base *b, strbuf *sb)
{
	sb_addf(sb, "%s down (", b->component);
	if (b->waiting_reason)
		sb_adds(sb, model_text(e, b->waiting_reason));
	else if (b->terminated_reason)
		sb_adds(sb, model_text(e, b->terminated_reason));
	else if (b->desired <= 0)
		sb_adds(sb, "scaled to 0");
	else
		sb_addf(sb, "%d/%d ready", b->ready, b->desired);
	if (b->restarts > 0)
		sb_addf(sb, ", %d restart%s", (int)b->restarts, b->restarts == 1 ? "" : "s");
	sb_addc(sb, ')');
}

/* Down: the first failing base component along the chain; 1 with the cause in sb. */
static int check_down(const model_env *e, const rules *r, strbuf *sb)
{
	unsigned char failing[RULES_MAX] = {0}, any[RULES_MAX] = {0};
	const model_base *root = NULL;
	size_t nb = e->n_base < MODEL_MAX_BASE ? e->n_base : MODEL_MAX_BASE;
	size_t np = e->n_public < MODEL_MAX_PUBLIC ? e->n_public : MODEL_MAX_PUBLIC;
	size_t i, waiting = 0, also = 0;
	int ri = -1, app;

	for (i = 0; i < nb; i++) {
		int k = rules_find(r, e->base[i].component);
		if (base_failing(&e->base[i])) {
			if (k >= 0)
				failing[k] = any[k] = 1;
			else if (!root)
				root = &e->base[i]; /* outside the rules: used only if nothing in
						       them fails */
		}
	}
	ri = rules_first_failing(r, failing);
	if (ri >= 0) {
		for (i = 0; i < nb; i++)
			if (!strcmp(e->base[i].component, r->comp[ri].name) &&
			    base_failing(&e->base[i]))
				break;
		root = &e->base[i];
	}
	if (!root)
		return 0;
	describe_down(e, root, sb);
	if (ri < 0)
		return 1;
	/* The public services stand for "appserver" in the chain. */
	app = rules_find(r, "appserver");
	for (i = 0; app >= 0 && i < np; i++)
		if (e->pub[i].desired > 0 && e->pub[i].ready < e->pub[i].desired)
			any[app] = 1;
	for (i = 0; i < r->n; i++) {
		size_t k = r->order[i];
		if ((int)k == ri || !any[k] || !rules_needs(r, k, (size_t)ri))
			continue;
		sb_adds(sb, waiting ? ", " : "; ");
		sb_adds(sb, r->comp[k].name);
		waiting++;
	}
	if (waiting)
		sb_adds(sb, waiting == 1 ? " waits for it" : " wait for it");
	/* Failures that do not depend on the root: name them too. */
	for (i = 0; i < nb; i++) {
		const model_base *b = &e->base[i];
		int k = rules_find(r, b->component);
		if (b == root || !base_failing(b) ||
		    (k >= 0 && (k == ri || rules_needs(r, (size_t)k, (size_t)ri))))
			continue;
		sb_adds(sb, also ? ", " : "; also ");
		describe_down(e, b, sb);
		also++;
	}
	return 1;
}

static void count_public(const model_env *e, size_t *n, size_t *ready)
{
	size_t i;

	*n = e->n_public < MODEL_MAX_PUBLIC ? e->n_public : MODEL_MAX_PUBLIC;
	*ready = 0;
	for (i = 0; i < *n; i++)
		if (!pub_failing(&e->pub[i]))
			(*ready)++;
}

void health_env(const model_env *e, const model_contract *contract, const rules *r,
		const health_opts *opts, health_result *out)
{
	rules defaults;
	health_opts o = {0, 0};
	strbuf sb;
	char when[32];
	size_t i, np, nready;

	if (!r) {
		rules_default(&defaults);
		r = &defaults;
	}
	if (opts)
		o = *opts;
	if (!o.now)
		o.now = util_now_ms() / 1000;
	sb_init(&sb, 128);
	count_public(e, &np, &nready);

	if (e->fresh.loading && !e->fresh.stale) {
		/* Workloads not listed yet: nothing can be claimed. From a snapshot,
		 * why says what was seen then (its age is the screen's to say). */
		if (e->fresh.seen_at > 0 && e->fresh.why[0])
			sb_adds(&sb, e->fresh.why);
		else
			sb_adds(&sb, "loading");
		if (!e->fresh.seen_at && e->fresh.why[0])
			sb_addf(&sb, "; %s", e->fresh.why);
		set(out, HEALTH_UNKNOWN, &sb);
		goto out;
	}
	if (e->fresh.stale) {
		sb_adds(&sb, "data stale");
		if (e->fresh.unreachable_since > 0) {
			fmt_time(&o, e->fresh.unreachable_since, when, sizeof(when));
			sb_addf(&sb, " since %s", when);
		}
		if (e->fresh.why[0])
			sb_addf(&sb, " (%s)", e->fresh.why);
		set(out, HEALTH_UNKNOWN, &sb);
		goto out;
	}
	if (check_blocked(e, contract, &o, &sb)) {
		set(out, HEALTH_BLOCKED, &sb);
		goto out;
	}
	if (check_down(e, r, &sb)) {
		set(out, HEALTH_DOWN, &sb);
		goto out;
	}
	if (e->hypnus.present && e->hypnus.state == MODEL_HYPNUS_WAKING) {
		sb_adds(&sb, "waking");
		if (e->hypnus.last_wake > 0) {
			fmt_time(&o, e->hypnus.last_wake, when, sizeof(when));
			sb_addf(&sb, " since %s", when);
		}
		sb_addf(&sb, ": %zu of %zu public services ready", nready, np);
		set(out, HEALTH_WAKING, &sb);
		goto out;
	}
	if (e->hypnus.present && e->hypnus.state == MODEL_HYPNUS_SLEEPING) {
		for (i = 0; i < np; i++)
			if (e->pub[i].desired > 0)
				break;
		if (i == np) {
			sb_adds(&sb, "sleeping by design, wakes on the next request");
			if (e->hypnus.last_activity > 0) {
				fmt_time(&o, e->hypnus.last_activity, when, sizeof(when));
				sb_addf(&sb, " (last request %s)", when);
			}
			set(out, HEALTH_SLEEPING, &sb);
			goto out;
		}
	}
	if (nready < np) {
		size_t listed = 0;
		sb_addf(&sb, "%zu of %zu public service%s not ready: ", np - nready, np,
			np == 1 ? "" : "s");
		for (i = 0; i < np; i++) {
			const model_public *p = &e->pub[i];
			if (!pub_failing(p))
				continue;
			sb_addf(&sb, "%s%s %d/%d", listed++ ? ", " : "", p->role[0] ? p->role : "?",
				p->ready, p->desired);
		}
		set(out, HEALTH_DEGRADED, &sb);
		goto out;
	}
	sb_addf(&sb, "%u base service%s up, %zu public service%s ready", (unsigned)e->n_base,
		e->n_base == 1 ? "" : "s", np, np == 1 ? "" : "s");
	set(out, HEALTH_AVAILABLE, &sb);
out:
	sb_release(&sb);
}

static int base_not_ready(const model_env *e, const char *component)
{
	size_t nb = e->n_base < MODEL_MAX_BASE ? e->n_base : MODEL_MAX_BASE;

	for (size_t i = 0; i < nb; i++)
		if (!strcmp(e->base[i].component, component))
			return e->base[i].desired > 0 && e->base[i].ready < e->base[i].desired;
	return 0;
}

static int db_cause(const model_env *e, const health_deps *d, strbuf *sb)
{
	/* only a DbAccess that is not ready waits for its database */
	if (!d->db_state || !base_not_ready(e, "dbaccess"))
		return 0;
	if (!strcmp(d->db_state, "missing")) {
		const char *detail = d->db_detail ? d->db_detail : "";

		sb_adds(sb, "dbaccess waits for its database: ");
		if (d->db_name && *d->db_name && d->db_host && *d->db_host && !strstr(detail, "Secret"))
			sb_addf(sb, "%s does not exist on %s:%d", d->db_name, d->db_host, d->db_port);
		else
			sb_adds(sb, *detail ? detail : "it does not exist");
		return 1;
	}
	/* Not answering us is a cause only where we could find the server: a name we
	 * cannot resolve may well resolve inside the cluster. */
	if (!strcmp(d->db_state, "unreachable") &&
	    !(d->db_detail && strstr(d->db_detail, "could not translate host name"))) {
		sb_addf(sb, "dbaccess waits for its database: %s",
			d->db_detail && *d->db_detail ? d->db_detail : "it does not answer");
		return 1;
	}
	return 0;
}

static int fs_cause(const model_env *e, const health_deps *d, strbuf *sb)
{
	size_t np = e->n_public < MODEL_MAX_PUBLIC ? e->n_public : MODEL_MAX_PUBLIC, n = 0;
	const char *detail = d->fs_detail ? d->fs_detail : "";
	size_t dl = strcspn(detail, ";");

	if (!d->fs_phase || !strcmp(d->fs_phase, "Bound"))
		return 0;
	for (size_t i = 0; i < np; i++) {
		const model_public *p = &e->pub[i];
		size_t k;

		if (p->desired <= 0 || p->ready >= p->desired)
			continue;
		for (k = 0; k < d->n_fs_mounted; k++)
			if (!strcmp(d->fs_mounted[k], p->role))
				break;
		if (k == d->n_fs_mounted)
			continue;
		sb_addf(sb, "%s%s", n++ ? ", " : "", p->role);
	}
	if (!n)
		return 0;
	sb_addf(sb, " wait%s for the file server: ", n == 1 ? "s" : "");
	if (!*d->fs_phase)
		sb_adds(sb, "there is no claim fileserver");
	else
		sb_addf(sb, "claim fileserver %.*s", (int)dl, detail);
	return 1;
}

void health_env_deps(const model_env *e, const health_deps *d, health_result *out)
{
	strbuf sb;

	if (!d || out->state == HEALTH_UNKNOWN || out->state == HEALTH_BLOCKED)
		return;
	sb_init(&sb, 128);
	if (db_cause(e, d, &sb))
		set(out, HEALTH_DOWN, &sb);
	else if ((out->state == HEALTH_DEGRADED || out->state == HEALTH_WAKING) && fs_cause(e, d, &sb))
		set(out, out->state, &sb);
	sb_release(&sb);
}

static void prefixed(health_result *out, health_state s, const char *env, const health_result *from)
{
	strbuf sb;

	sb_init(&sb, HEALTH_CAUSE_SIZE);
	sb_addf(&sb, "%s: %s", env, from->cause); /* from may be out */
	set(out, s, &sb);
	sb_release(&sb);
}

void health_tenant(const health_result *prod, const health_result *dev, health_result *out)
{
	health_state d;

	if (!prod && !dev) {
		out->state = HEALTH_UNKNOWN;
		util_strlcpy(out->cause, "no environments", sizeof(out->cause));
		return;
	}
	if (prod && prod->state == HEALTH_UNKNOWN) {
		prefixed(out, HEALTH_UNKNOWN, "prod", prod);
		return;
	}
	if (dev && dev->state == HEALTH_UNKNOWN) {
		prefixed(out, HEALTH_UNKNOWN, "dev", dev);
		return;
	}
	if (!prod) {
		prefixed(out, dev->state, "dev", dev);
		return;
	}
	d = HEALTH_AVAILABLE;
	if (dev && (dev->state == HEALTH_DOWN || dev->state == HEALTH_BLOCKED ||
		    dev->state == HEALTH_DEGRADED))
		d = HEALTH_DEGRADED;
	if (health_severity(d) > health_severity(prod->state))
		prefixed(out, d, "dev", dev);
	else
		prefixed(out, prod->state, "prod", prod);
}
