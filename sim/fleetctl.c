/* The fleet's controllers: pod policy, Hypnus, builds (see sim/fleetctl.h). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "sim/catalog.h"
#include "sim/fleetctl.h"
#include "sim/fleetctl_int.h"
#include "sim/podlog.h"
#include "sim/rules.h"
#include "sim/sched.h"
#include "sim/usage.h"
#include "sim/workload.h"
#include "util/util.h"

#define P SIM_FLEET_PREFIX
#define WRITE_BUDGET 400    /* last-activity refreshes per pass */
#define MAX_DEPTH 16        /* predecessor chain walk (cycles end here) */

static const char *const state_names[] = {"active", "sleeping", "waking"};

/* ---- clock --------------------------------------------------------------- */

static int64_t clock_now(void *ctx)
{
	sim_fleetctl *c = ctx;

	if (c->o.manual)
		return __atomic_load_n(&c->manual_now, __ATOMIC_SEQ_CST);
	return c->origin_s + (int64_t)((double)(util_mono_ms() - c->mono0_ms) * c->scale / 1000.0);
}

int64_t sim_fleetctl_now(sim_fleetctl *c)
{
	return clock_now(c);
}

int64_t fleetctl_clock(sim_fleetctl *c)
{
	return clock_now(c);
}

/* ---- pod policy ---------------------------------------------------------- */

/* The env of namespace ns: a seeded one whose namespace exists, else an adopted one.
 * c->lock or c->adopt_lock held. */
static env_state *env_of(sim_fleetctl *c, const char *ns)
{
	int env;
	const sim_tenant *t = sim_fleet_find_ns(ns, &env);

	if (t) {
		env_state *e = &c->envs[(size_t)(t - sim_fleet_tenant(0)) * SIM_ENV_COUNT + (size_t)env];

		if (!e->gone)
			return e;
	}
	return fleetadopt_find_ns(c, ns);
}

/* The env of tcode and env index, as env_of. */
static env_state *env_of_tcode(sim_fleetctl *c, const char *tcode, int env)
{
	const sim_tenant *t = sim_fleet_find(tcode);

	if (t) {
		env_state *e = &c->envs[(size_t)(t - sim_fleet_tenant(0)) * SIM_ENV_COUNT + (size_t)env];

		if (!e->gone)
			return e;
	}
	return fleetadopt_find(c, tcode, env);
}

/* The component's own fault in env e (role NULL: the component as a whole). */
static sim_fleetctl_verdict_t own_fault(sim_fleetctl *c, const env_state *e, const char *comp,
					const char *role, char *reason, size_t rsize, char *msg,
					size_t msize)
{
	const sim_fleet_env *fe = &e->t->envs[e->env];

	if (!strcmp(comp, "license")) {
		if (sim_catalog_check(e->t->tcode, fe->env, clock_now(c), reason, rsize, msg,
				      msize) < 0)
			return SIM_FLEETCTL_CRASHLOOP;
		if (fe->scenario == SIM_SCN_DOWN_LICENSE) {
			snprintf(reason, rsize, "Error");
			snprintf(msg, msize, "licenseserver: cannot open port 5555: hardlock not found");
			return SIM_FLEETCTL_CRASHLOOP;
		}
	} else if (!strcmp(comp, "lockserver") && fe->scenario == SIM_SCN_DOWN_LOCKSERVER) {
		snprintf(reason, rsize, "OOMKilled");
		snprintf(msg, msize, "container lockserver exceeded its memory limit");
		return SIM_FLEETCTL_CRASHLOOP;
	} else if (!strcmp(comp, "dbaccess") && fe->scenario == SIM_SCN_DOWN_DBACCESS) {
		snprintf(reason, rsize, "Unhealthy");
		snprintf(msg, msize, "Readiness probe failed: dial tcp :7890: connect: connection refused");
		return SIM_FLEETCTL_NOT_READY;
	} else if (!strcmp(comp, "appserver") && role && fe->scenario == SIM_SCN_DEGRADED &&
		   fe->degraded_role >= 0 && !strcmp(role, fe->roles[fe->degraded_role])) {
		snprintf(reason, rsize, "Unhealthy");
		snprintf(msg, msize, "Readiness probe failed: HTTP probe failed with statuscode: 503");
		return SIM_FLEETCTL_NOT_READY;
	}
	return SIM_FLEETCTL_OK;
}

/* 1 when comp (or anything before it) cannot serve in env e. Rules lock held. */
static int failing(sim_fleetctl *c, const env_state *e, const char *comp, int depth)
{
	char r[64], m[256];
	const sim_rule *rule;

	if (depth > MAX_DEPTH)
		return 0;
	if (own_fault(c, e, comp, NULL, r, sizeof(r), m, sizeof(m)) != SIM_FLEETCTL_OK)
		return 1;
	rule = sim_rules_find(&c->rules, comp);
	for (size_t i = 0; rule && i < rule->n_needs; i++)
		if (failing(c, e, rule->needs[i], depth + 1))
			return 1;
	return 0;
}

sim_fleetctl_verdict_t sim_fleetctl_verdict(sim_fleetctl *c, const char *ns, const char *component,
					    const char *role, char *reason, size_t rsize,
					    char *message, size_t msize)
{
	const env_state *e;
	sim_fleetctl_verdict_t v;
	const sim_rule *rule;

	if (!ns || !component)
		return SIM_FLEETCTL_OK;
	pthread_rwlock_rdlock(&c->adopt_lock);
	e = env_of(c, ns);
	if (!e) {
		pthread_rwlock_unlock(&c->adopt_lock);
		return SIM_FLEETCTL_OK;
	}
	v = own_fault(c, e, component, role, reason, rsize, message, msize);
	if (v != SIM_FLEETCTL_OK) {
		pthread_rwlock_unlock(&c->adopt_lock);
		return v;
	}
	pthread_mutex_lock(&c->rules_lock);
	rule = sim_rules_find(&c->rules, component);
	for (size_t i = 0; rule && i < rule->n_needs; i++) {
		if (failing(c, e, rule->needs[i], 1)) {
			snprintf(reason, rsize, "WaitingForPredecessor");
			snprintf(message, msize, "waiting for %s", rule->needs[i]);
			v = SIM_FLEETCTL_NOT_READY;
			break;
		}
	}
	pthread_mutex_unlock(&c->rules_lock);
	pthread_rwlock_unlock(&c->adopt_lock);
	return v;
}

static const char *label_of(const cJSON *obj, const char *key)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(meta, "labels"), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static sim_pod_verdict pod_policy(void *ctx, const cJSON *pod, char *reason, size_t rsize,
				  char *message, size_t msize)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "namespace");

	if (!cJSON_IsString(ns))
		return SIM_POD_OK;
	switch (sim_fleetctl_verdict(ctx, ns->valuestring, label_of(pod, P "component"),
				     label_of(pod, P "service"), reason, rsize, message, msize)) {
	case SIM_FLEETCTL_NOT_READY:
		return SIM_POD_NOT_READY;
	case SIM_FLEETCTL_CRASHLOOP:
		return SIM_POD_CRASHLOOP;
	default:
		return SIM_POD_OK;
	}
}

/* Reloads the predecessor rules when their ConfigMap changed; 1 if they did. */
static int reload_rules(sim_fleetctl *c)
{
	sim_obj *o = sim_store_get(c->s, c->r_cm, SIM_FLEET_SYSTEM_NS, "predecessor-rules", NULL);
	uint64_t rv = o ? o->rv : 0;
	sim_rules parsed;
	char errbuf[128];
	const char *text = SIM_RULES_DEFAULT;
	cJSON *tree = NULL;
	int changed = 0;

	if (rv == c->rules_rv && c->rules.n)
		goto out;
	if (o) {
		cJSON *v;

		tree = sim_obj_parse(o);
		v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "data"),
						     "rules");
		if (cJSON_IsString(v))
			text = v->valuestring;
	}
	if (sim_rules_parse(text, &parsed, errbuf, sizeof(errbuf)) == 0) {
		pthread_mutex_lock(&c->rules_lock);
		c->rules = parsed;
		pthread_mutex_unlock(&c->rules_lock);
		changed = 1;
	}
	c->rules_rv = rv; /* a bad text keeps the previous rules */
out:
	cJSON_Delete(tree);
	if (o)
		sim_obj_unref(o);
	return changed;
}

/* ---- store writes -------------------------------------------------------- */

static void set_annotation(cJSON *obj, const char *key, const char *value)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	const cJSON *old;
	char k[128];

	if (!ann)
		ann = cJSON_AddObjectToObject(meta, "annotations");
	snprintf(k, sizeof(k), P "%s", key);
	old = cJSON_GetObjectItemCaseSensitive(ann, k);
	if (!cJSON_IsString(old) || strcmp(old->valuestring, value)) {
		const char *const path[] = {"metadata", "annotations", k};

		/* Hypnus changed it: Hypnus owns it (an apply that leaves it out keeps it) */
		sim_patch_take_field(obj, SIM_HYPNUS_MANAGER, "apps/v1", path, 3);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(ann, k);
	cJSON_AddStringToObject(ann, k, value);
}

typedef struct hyp_edit {
	const char *state;      /* or NULL */
	int64_t activity, wake; /* 0 = leave */
	int cold;               /* < 0 = leave */
} hyp_edit;

static int edit_hypnus(cJSON *obj, void *ctx, sim_err *err)
{
	const hyp_edit *h = ctx;
	char buf[40];

	if (h->state)
		set_annotation(obj, "hypnus-state", h->state);
	if (h->activity) {
		util_rfc3339(h->activity, buf, sizeof(buf));
		set_annotation(obj, "hypnus-last-activity", buf);
	}
	if (h->wake) {
		util_rfc3339(h->wake, buf, sizeof(buf));
		set_annotation(obj, "hypnus-last-wake", buf);
	}
	if (h->cold >= 0) {
		snprintf(buf, sizeof(buf), "%d", h->cold);
		set_annotation(obj, "hypnus-cold-start-seconds", buf);
	}
	return 0;
}

static void write_hypnus(sim_fleetctl *c, env_state *e, const hyp_edit *h)
{
	sim_obj *out = NULL;
	sim_err err;

	if (sim_store_mutate(c->s, c->r_deploy, e->t->envs[e->env].ns, "hypnus", edit_hypnus,
			     (void *)h, 0, &out, &err) == 0 && out) {
		e->own_rv = out->rv;
		sim_obj_unref(out);
	}
	if (h->activity)
		e->stored_activity = h->activity;
}

static int edit_replicas(cJSON *obj, void *ctx, sim_err *err)
{
	static const char *const replicas[] = {"spec", "replicas"};
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(spec, "replicas");
	int n = *(const int *)ctx;

	(void)err;
	if (!spec)
		spec = cJSON_AddObjectToObject(obj, "spec");
	if (!cJSON_IsNumber(r) || r->valueint != n) /* Hypnus changed it: Hypnus owns it */
		sim_patch_take_field(obj, SIM_HYPNUS_MANAGER, "apps/v1", replicas, 2);
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "replicas");
	cJSON_AddNumberToObject(spec, "replicas", n);
	return 0;
}

static void scale_public(sim_fleetctl *c, env_state *e, int up)
{
	const sim_fleet_env *fe = &e->t->envs[e->env];

	if (e->ad) {
		fleetadopt_scale(c, e, up);
		return;
	}

	for (int i = 0; i < fe->n_roles; i++) {
		char name[64];
		int n = up ? fe->replicas[i] : 0;

		snprintf(name, sizeof(name), "appserver-%s", fe->roles[i]);
		sim_store_mutate(c->s, c->r_deploy, fe->ns, name, edit_replicas, &n, 0, NULL, NULL);
	}
}

static void emit_event(sim_fleetctl *c, const char *ns, const char *kind, const char *api,
		       const char *obj_name, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void emit_event(sim_fleetctl *c, const char *ns, const char *kind, const char *api,
		       const char *obj_name, const char *reason, const char *fmt, ...)
{
	cJSON *ev = cJSON_CreateObject(), *meta, *inv, *src;
	char name[96], ts[40], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(name, sizeof(name), "%s.%llx%04x", obj_name, (unsigned long long)clock_now(c),
		 ++c->event_seq & 0xffff);
	util_rfc3339(clock_now(c), ts, sizeof(ts));
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	meta = cJSON_AddObjectToObject(ev, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", ns);
	inv = cJSON_AddObjectToObject(ev, "involvedObject");
	cJSON_AddStringToObject(inv, "apiVersion", api);
	cJSON_AddStringToObject(inv, "kind", kind);
	cJSON_AddStringToObject(inv, "namespace", ns);
	cJSON_AddStringToObject(inv, "name", obj_name);
	cJSON_AddStringToObject(ev, "reason", reason);
	cJSON_AddStringToObject(ev, "message", msg);
	cJSON_AddStringToObject(ev, "type", "Normal");
	src = cJSON_AddObjectToObject(ev, "source");
	cJSON_AddStringToObject(src, "component", !strcmp(kind, "Job") ? "custombuild" : "hypnus");
	cJSON_AddStringToObject(ev, "firstTimestamp", ts);
	cJSON_AddStringToObject(ev, "lastTimestamp", ts);
	cJSON_AddNumberToObject(ev, "count", 1);
	sim_store_create(c->s, c->r_event, ns, ev, 0, NULL, NULL);
	cJSON_Delete(ev);
}

void fleetctl_event(sim_fleetctl *c, const char *ns, const char *kind, const char *api,
		    const char *obj_name, const char *reason, const char *msg)
{
	emit_event(c, ns, kind, api, obj_name, reason, "%s", msg);
}

/* ---- Hypnus -------------------------------------------------------------- */

void fleetctl_sleep(sim_fleetctl *c, env_state *e, int64_t now, const char *why)
{
	const sim_fleet_env *fe = &e->t->envs[e->env];
	hyp_edit h = {.state = "sleeping", .activity = e->last_activity, .cold = -1};

	e->state = H_SLEEPING;
	scale_public(c, e, 0);
	write_hypnus(c, e, &h);
	emit_event(c, fe->ns, "Deployment", "apps/v1", "hypnus", "HypnusSleep",
		   "%s; public services scaled to 0", why);
	(void)now;
}

void fleetctl_wake(sim_fleetctl *c, env_state *e, int64_t now, const char *why)
{
	const sim_fleet_env *fe = &e->t->envs[e->env];
	hyp_edit h = {.state = "waking", .activity = e->last_activity, .wake = now, .cold = -1};

	e->state = H_WAKING;
	e->wake_start = now;
	scale_public(c, e, 1);
	write_hypnus(c, e, &h);
	emit_event(c, fe->ns, "Deployment", "apps/v1", "hypnus", "HypnusWake",
		   "%s; scaling public services back up", why);
}

/* 1 when every public pod the env should run is Ready. */
static int public_ready(sim_fleetctl *c, env_state *e, int64_t now)
{
	const sim_fleet_env *fe = &e->t->envs[e->env];
	sim_selector *sel;
	sim_list l;
	int want = 0, ready = 0;

	if (!c->w) /* no pods without a workload controller: a simulated cold start */
		return now - e->wake_start >= 20 + (int64_t)(e->t->seed % 40);
	if (e->ad)
		want = fleetadopt_want(c, e);
	for (int i = 0; i < fe->n_roles; i++)
		want += fe->replicas[i];
	sel = sim_selector_parse_labels(P "tier=public", NULL);
	if (sim_store_list(c->s, c->r_pod, fe->ns, sel, NULL, 0, NULL, &l, NULL) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			cJSON *pod;
			const cJSON *cond;

			if (l.items[i]->deleted_s)
				continue;
			pod = sim_obj_parse(l.items[i]);
			cJSON_ArrayForEach(cond, cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(pod, "status"), "conditions")) {
				const cJSON *ty = cJSON_GetObjectItemCaseSensitive(cond, "type");
				const cJSON *st = cJSON_GetObjectItemCaseSensitive(cond, "status");

				if (cJSON_IsString(ty) && !strcmp(ty->valuestring, "Ready") &&
				    cJSON_IsString(st) && !strcmp(st->valuestring, "True"))
					ready++;
			}
			cJSON_Delete(pod);
		}
		sim_list_release(&l);
	}
	sim_selector_free(sel);
	return ready >= want;
}

static void finish_wake(sim_fleetctl *c, env_state *e, int64_t now)
{
	hyp_edit h = {.state = "active", .cold = (int)(now - e->wake_start)};

	e->state = H_ACTIVE;
	write_hypnus(c, e, &h);
	emit_event(c, e->t->envs[e->env].ns, "Deployment", "apps/v1", "hypnus", "HypnusAwake",
		   "public services ready after a cold start of %d s", h.cold);
}

/* A client changed the hypnus Deployment (kubectl annotate, smartops wake/sleep). */
static void client_change(sim_fleetctl *c, const sim_obj *o)
{
	env_state *e = env_of(c, o->ns);
	cJSON *tree, *ann, *st, *act;
	int64_t now = clock_now(c);

	if (!e || !e->managed || o->rv <= e->own_rv)
		return;
	tree = sim_obj_parse(o);
	ann = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "metadata"),
					       "annotations");
	if (e->ad) {
		const cJSON *idle = cJSON_GetObjectItemCaseSensitive(ann, P "hypnus-idle-timeout");
		int v = cJSON_IsString(idle) ? atoi(idle->valuestring) : 0;

		if (v > 0)
			e->ad->t.envs[e->env].idle_timeout_s = v;
	}
	act = cJSON_GetObjectItemCaseSensitive(ann, P "hypnus-last-activity");
	if (cJSON_IsString(act)) {
		int64_t a = util_parse_rfc3339(act->valuestring);

		if (a > e->last_activity)
			e->last_activity = e->stored_activity = a;
	}
	st = cJSON_GetObjectItemCaseSensitive(ann, P "hypnus-state");
	if (cJSON_IsString(st)) {
		if (!strcmp(st->valuestring, "waking") ||
		    (!strcmp(st->valuestring, "active") && e->state == H_SLEEPING)) {
			if (e->state != H_WAKING) {
				e->last_activity = now;
				fleetctl_wake(c, e, now, "wake requested");
			}
		} else if (!strcmp(st->valuestring, "sleeping") && e->state != H_SLEEPING) {
			fleetctl_sleep(c, e, now, "sleep requested");
		}
	}
	cJSON_Delete(tree);
}

static void drain_watch(sim_fleetctl *c)
{
	sim_event ev;
	sim_err err;
	int rc, n = 0;

	if (!c->watch) {
		sim_selector *sel = sim_selector_parse_labels(P "component=hypnus", NULL);

		c->watch = sim_watch_open(c->s, c->r_deploy, NULL, sel, NULL, sim_store_rv(c->s),
					  &err);
		return;
	}
	while (n++ < 5000 && (rc = sim_watch_next(c->watch, 0, &ev, &err)) == 1) {
		env_state *e = env_of(c, ev.obj->ns);

		if (e && e->ad && ev.type == SIM_DELETED) {
			if (!strcmp(ev.obj->name, "hypnus"))
				e->managed = 0; /* no Hypnus, nothing sleeps */
		} else if (e && e->ad && fleetadopt_hypnus_seen(c, e, ev.obj)) {
			/* an adopted env's Hypnus, read now */
		} else if (ev.type == SIM_MODIFIED) {
			/* the object as it is now, not as this event saw it: a client's
			 * later change (sleep, then at once wake) must not be lost under
			 * our answer to its earlier one */
			sim_obj *cur = sim_store_get(c->s, c->r_deploy, ev.obj->ns, ev.obj->name, NULL);

			if (cur) {
				client_change(c, cur);
				sim_obj_unref(cur);
			}
		}
		sim_event_release(&ev);
	}
	if (n < 5000 && rc < 0) { /* fell out of the window: start again from now */
		sim_watch_close(c->watch);
		c->watch = NULL;
		fleetadopt_recheck(c);
	}
}

/* Expected requests per hour at t for the env. */
static double env_rate(const env_state *e, int64_t t)
{
	return e->ad ? fleetadopt_rate(e, t) : sim_usage_rate_env(e->t, e->env, t);
}

/* Hypnus wakes a sleeping env ahead of a busy hour that its usage says is
 * coming (the hour's expected rate at least a tenth of the week's peak, and at
 * least 2 requests), PREWAKE_LEAD_S before the hour, when the hour before it was
 * quiet: the first users of the morning find it awake. */
#define PREWAKE_LEAD_S 120

static int prewake_due(env_state *e, int64_t now, int64_t *hour)
{
	int64_t next = now - (now % 3600) + 3600;

	if (next - now > PREWAKE_LEAD_S || e->prewake_for == next)
		return 0;
	if (e->busy_rate <= 0) {
		double peak = 0;

		for (int h = 0; h < 168; h++) {
			double r = env_rate(e, next + (int64_t)h * 3600 + 1800);

			if (r > peak)
				peak = r;
		}
		e->busy_rate = (float)(peak / 10 > 2 ? peak / 10 : 2);
	}
	if (env_rate(e, next + 1800) < e->busy_rate || env_rate(e, next - 1800) >= e->busy_rate)
		return 0;
	e->prewake_for = next;
	*hour = next;
	return 1;
}

static void hypnus_env(sim_fleetctl *c, env_state *e, int64_t now, int64_t dt, int *budget)
{
	int64_t hour, idle_from;

	const sim_fleet_env *fe = &e->t->envs[e->env];

	if (!c->o.no_prewake && e->state == H_SLEEPING && prewake_due(e, now, &hour)) {
		char why[96], hm[32];

		util_rfc3339(hour, hm, sizeof(hm));
		snprintf(why, sizeof(why), "forecast: busy hours from %.5s UTC", hm + 11);
		fleetctl_wake(c, e, now, why);
	}
	if (!c->o.no_traffic && dt > 0) {
		double rate = env_rate(e, now);
		double lambda = rate * (double)dt / 3600.0;
		double u = sim_fleet_unit(&e->rng);

		if (e->ad) /* its Hypnus counts them (sim/usage_rec.h) */
			fleetadopt_count(e, now - dt, now, sim_usage_requests(lambda, u, e->rng));
		if (u < 1.0 - exp(-lambda)) {
			e->last_activity = now;
			if (e->state == H_SLEEPING)
				fleetctl_wake(c, e, now, "request while sleeping");
		}
	}
	/* idle since the last request, or since the last wake: a wake with no request
	 * (asked for, or ahead of busy hours) is given a whole idle timeout */
	idle_from = e->last_activity > e->wake_start ? e->last_activity : e->wake_start;
	if (e->state == H_ACTIVE && now - idle_from > fe->idle_timeout_s) {
		char why[96];

		snprintf(why, sizeof(why), "idle for %lld s (timeout %d s)",
			 (long long)(now - idle_from), fe->idle_timeout_s);
		fleetctl_sleep(c, e, now, why);
	} else if (e->state == H_WAKING) {
		if (public_ready(c, e, now))
			finish_wake(c, e, now);
	} else if (e->state == H_ACTIVE && *budget > 0 &&
		   e->last_activity - e->stored_activity >= fe->idle_timeout_s / 4) {
		/* a Hypnus that just started (a new tenant's) says it is active */
		hyp_edit h = {.state = "active", .activity = e->last_activity, .cold = -1};

		write_hypnus(c, e, &h);
		(*budget)--;
	}
}

static void hypnus_pass(sim_fleetctl *c, int64_t now, int64_t dt)
{
	int budget = WRITE_BUDGET;

	for (size_t i = 0; i < c->n_envs; i++)
		if (c->envs[i].managed && !c->envs[i].gone)
			hypnus_env(c, &c->envs[i], now, dt, &budget);
	for (adopted *a = c->adopted_head; a; a = a->next)
		for (int env = 0; env < SIM_ENV_COUNT; env++)
			if (a->present[env] && a->es[env].managed)
				hypnus_env(c, &a->es[env], now, dt, &budget);
}

/* Blocked envs: their license pods tell why in their log. */
static void tell_license(sim_fleetctl *c, env_state *e, int64_t now)
{
	const sim_fleet_env *fe = &e->t->envs[e->env];
	char reason[64], msg[256], line[400];
	sim_selector *sel;
	sim_list l;

	if (e->told_license || sim_catalog_check(e->t->tcode, fe->env, now, reason, sizeof(reason),
						 msg, sizeof(msg)) == 0)
		return;
	sel = sim_selector_parse_labels(P "component=license", NULL);
	if (sim_store_list(c->s, c->r_pod, fe->ns, sel, NULL, 0, NULL, &l, NULL) == 0) {
		for (size_t i = 0; i < l.n; i++) {
			sim_podlog_append(fe->ns, l.items[i]->name, "license",
					  "[INFO ] LicenseServer 3.6.1 starting on port 5555");
			snprintf(line, sizeof(line), "[FATAL] %s: %s", reason, msg);
			sim_podlog_append(fe->ns, l.items[i]->name, "license", line);
			e->told_license = 1;
		}
		sim_list_release(&l);
	}
	sim_selector_free(sel);
}

/* ---- custom builds ------------------------------------------------------- */

/* One container of a build Job, with the contract's env (docs/fleet.md). */
static void build_container(cJSON *list, const char *name, const char *image, const char *const *env)
{
	static const char *const names[] = {"REPO", "COMMIT", "BUILD_ID", "RPO_LOCATION"};
	cJSON *ctr = cJSON_CreateObject(), *ev = cJSON_AddArrayToObject(ctr, "env");

	cJSON_AddStringToObject(ctr, "name", name);
	cJSON_AddStringToObject(ctr, "image", image);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "name", names[i]);
		cJSON_AddStringToObject(e, "value", env[i]);
		cJSON_AddItemToArray(ev, e);
	}
	cJSON_AddItemToArray(list, ctr);
}

static void start_build(sim_fleetctl *c, int64_t now)
{
	static const char *const stages[] = {"checkout", "sonarqube", "compile", "upload"};
	static const char *const images[] = {
		"registry.smart.example.com/smart/git:2.45", "registry.smart.example.com/smart/sonar-scanner:5.0",
		"registry.smart.example.com/smart/advpl-compiler:7.00", "registry.smart.example.com/smart/rpo-upload:1.2",
	};
	size_t n = sim_fleet_count(), total = n + c->n_adopted, slot;
	const sim_tenant *t = NULL;
	adopted *ad = NULL;
	cJSON *job, *meta, *labels, *ann, *spec, *tmpl, *pspec, *list;
	char loc[160], repo[200], commit[48], env_name[8];
	const char *env_vals[4];
	build *b;
	int env;

	for (slot = 0; slot < MAX_BUILDS && c->builds[slot].active; slot++)
		;
	if (slot == MAX_BUILDS || total == 0)
		return;
	/* seeded and adopted tenants alike (the adopted ones after the seeded) */
	for (int tries = 0; tries < 20 && !t; tries++) {
		size_t r = (size_t)(sim_fleet_next(&c->rng) % total);
		const sim_tenant *cand;

		ad = NULL;
		if (r < n) {
			cand = sim_fleet_tenant(r);
		} else {
			for (ad = c->adopted_head; ad && r > n; r--)
				ad = ad->next;
			if (!ad)
				continue;
			cand = &ad->t;
		}
		if (!cand->esocial && !cand->contract_expired)
			t = cand;
	}
	if (!t)
		return;
	env = sim_fleet_unit(&c->rng) < 0.7 ? SIM_ENV_DEV : SIM_ENV_PROD;
	if (env_of(c, t->envs[env].ns) !=
	    (ad ? &ad->es[env]
		: &c->envs[(size_t)(t - sim_fleet_tenant(0)) * SIM_ENV_COUNT + (size_t)env]))
		return; /* its namespace is gone (or not made yet) */
	util_strlcpy(env_name, t->envs[env].env, sizeof(env_name));
	b = &c->builds[slot];
	memset(b, 0, sizeof(*b));
	snprintf(b->id, sizeof(b->id), "%llx",
		 (unsigned long long)(sim_fleet_next(&c->rng) & 0xffffffffull));
	memcpy(b->name, "custombuild-", 12);
	util_strlcpy(b->name + 12, b->id, sizeof(b->name) - 12);
	util_strlcpy(b->ns, t->envs[env].ns, sizeof(b->ns));
	b->fail = sim_fleet_unit(&c->rng) < 0.2 ? 1 + (int)(sim_fleet_next(&c->rng) % 2) : 0;
	b->start_s = now;
	snprintf(loc, sizeof(loc), "%s://smart-rpo/%s", !strcmp(t->provider, "gcp") ? "gs" : "s3", t->lower);
	snprintf(repo, sizeof(repo), "https://git.smart.example.com/%s/custom.git", t->lower);
	snprintf(commit, sizeof(commit), "%016llx%016llx%08llx",
		 (unsigned long long)sim_fleet_next(&c->rng), (unsigned long long)sim_fleet_next(&c->rng),
		 (unsigned long long)(sim_fleet_next(&c->rng) & 0xffffffffull));
	env_vals[0] = repo;
	env_vals[1] = commit;
	env_vals[2] = b->id;
	env_vals[3] = loc;

	job = cJSON_CreateObject();
	cJSON_AddStringToObject(job, "apiVersion", "batch/v1");
	cJSON_AddStringToObject(job, "kind", "Job");
	meta = cJSON_AddObjectToObject(job, "metadata");
	cJSON_AddStringToObject(meta, "name", b->name);
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, P "tcode", t->tcode);
	cJSON_AddStringToObject(labels, P "env", env_name);
	cJSON_AddStringToObject(labels, P "component", "custombuild");
	ann = cJSON_AddObjectToObject(meta, "annotations");
	cJSON_AddStringToObject(ann, P "build-id", b->id);
	cJSON_AddStringToObject(ann, P "commit", commit);
	cJSON_AddStringToObject(ann, P "repo", repo);
	cJSON_AddStringToObject(ann, P "rpo-location", loc);
	/* the fleet's own simulated outcome (it takes no build faults) */
	cJSON_AddStringToObject(ann, "kubesim.io/fail-stage",
				b->fail == 1 ? "sonarqube" : b->fail == 2 ? "compile" : "none");
	spec = cJSON_AddObjectToObject(job, "spec");
	cJSON_AddNumberToObject(spec, "backoffLimit", 0);
	cJSON_AddNumberToObject(spec, "ttlSecondsAfterFinished", 86400);
	tmpl = cJSON_AddObjectToObject(spec, "template");
	meta = cJSON_AddObjectToObject(tmpl, "metadata");
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, P "component", "custombuild");
	pspec = cJSON_AddObjectToObject(tmpl, "spec");
	cJSON_AddStringToObject(pspec, "restartPolicy", "Never");
	list = cJSON_AddArrayToObject(pspec, "initContainers");
	for (size_t i = 0; i < ARRAY_SIZE(stages); i++)
		build_container(list, stages[i], images[i], env_vals);
	list = cJSON_AddArrayToObject(pspec, "containers");
	build_container(list, "finish", images[3], env_vals);
	if (sim_store_create(c->s, c->r_job, b->ns, job, 0, NULL, NULL) == 0) {
		b->active = 1;
		emit_event(c, b->ns, "Job", "batch/v1", b->name, "BuildStarted",
			   "custom build %s for %s started", b->id, t->tcode);
	}
	cJSON_Delete(job);
}

/* 1 complete, 2 failed, 0 running, -1 gone: the Job's status as the workload controller
 * wrote it. */
static int build_outcome(sim_fleetctl *c, const build *b)
{
	sim_obj *o = sim_store_get(c->s, c->r_job, b->ns, b->name, NULL);
	int ret = 0;

	if (!o)
		return -1;
	if (strstr(o->json, "\"type\":\"Complete\",\"status\":\"True\""))
		ret = 1;
	else if (strstr(o->json, "\"type\":\"Failed\",\"status\":\"True\""))
		ret = 2;
	sim_obj_unref(o);
	return ret;
}

static void build_pass(sim_fleetctl *c, int64_t now)
{
	if (!c->o.no_builds && now >= c->next_build) {
		if (c->next_build)
			start_build(c, now);
		c->next_build = now + 600 + (int64_t)(sim_fleet_next(&c->rng) % 1800);
	}
	for (int i = 0; i < MAX_BUILDS; i++) {
		build *b = &c->builds[i];
		int outcome;

		if (b->active && !env_of(c, b->ns))
			b->active = 0; /* its namespace was deleted */
		if (!b->active || !c->w)
			continue;
		outcome = build_outcome(c, b);
		if (outcome == 0)
			continue;
		b->active = 0;
		if (outcome > 0)
			emit_event(c, b->ns, "Job", "batch/v1", b->name,
				   outcome == 1 ? "BuildSucceeded" : "BuildFailed", "custom build %s %s",
				   b->id, outcome == 1 ? "succeeded" : "failed");
	}
}

/* ---- the loop ------------------------------------------------------------ */

void sim_fleetctl_tick(sim_fleetctl *c)
{
	int64_t now = clock_now(c), dt;

	if (reload_rules(c) && c->w)
		sim_workload_kick(c->w);
	pthread_mutex_lock(&c->lock);
	dt = c->last_pass ? now - c->last_pass : 0;
	c->last_pass = now;
	fleetadopt_pass(c);
	drain_watch(c);
	hypnus_pass(c, now, dt);
	fleetadopt_record(c, now);
	for (size_t i = 0; i < c->n_envs; i++)
		if (c->envs[i].t->envs[c->envs[i].env].scenario == SIM_SCN_BLOCKED && c->w &&
		    !c->envs[i].gone)
			tell_license(c, &c->envs[i], now);
	for (adopted *a = c->adopted_head; a && c->w; a = a->next)
		for (int env = 0; env < SIM_ENV_COUNT; env++)
			if (a->present[env])
				tell_license(c, &a->es[env], now);
	build_pass(c, now);
	pthread_mutex_unlock(&c->lock);
}

void sim_fleetctl_advance(sim_fleetctl *c, int64_t seconds)
{
	__atomic_add_fetch(&c->manual_now, seconds, __ATOMIC_SEQ_CST);
	sim_fleetctl_tick(c);
}

static void *loop(void *arg)
{
	sim_fleetctl *c = arg;

	sim_sched_controller_thread();
	while (__atomic_load_n(&c->running, __ATOMIC_SEQ_CST)) {
		sim_fleetctl_tick(c);
		util_sleep_us((int64_t)c->o.tick_ms * 1000);
	}
	return NULL;
}

int sim_fleetctl_traffic(sim_fleetctl *c, const char *tcode, const char *env, sim_err *err)
{
	env_state *e;
	int ei;
	int64_t now;

	if (!sim_catalog_tcode_valid(tcode))
		return sim_err_set(err, 400, "BadRequest", "malformed TCODE \"%s\"",
				   tcode ? tcode : "");
	if (!env || (strcmp(env, "prod") && strcmp(env, "dev")))
		return sim_err_set(err, 400, "BadRequest", "env must be prod or dev");
	ei = strcmp(env, "prod") ? SIM_ENV_DEV : SIM_ENV_PROD;
	pthread_mutex_lock(&c->lock);
	e = env_of_tcode(c, tcode, ei);
	if (!e) {
		pthread_mutex_unlock(&c->lock);
		return sim_err_set(err, 404, "NotFound", "tenant %s has no %s environment in the fleet",
				   tcode, env);
	}
	now = clock_now(c);
	e->last_activity = now;
	if (e->ad)
		fleetadopt_count(e, now, now, 1);
	if (e->managed && e->state == H_SLEEPING)
		fleetctl_wake(c, e, now, "request while sleeping");
	pthread_mutex_unlock(&c->lock);
	return 0;
}

const char *sim_fleetctl_state(sim_fleetctl *c, const char *ns)
{
	env_state *e;
	const char *ret = NULL;

	pthread_mutex_lock(&c->lock);
	e = env_of(c, ns);
	if (e)
		ret = state_names[e->state];
	pthread_mutex_unlock(&c->lock);
	return ret;
}

sim_fleetctl *sim_fleetctl_start(sim_store *s, struct sim_workload *w, double time_scale,
				 const sim_fleetctl_opts *opts, sim_err *err)
{
	sim_fleetctl *c = xcalloc(1, sizeof(*c));
	size_t n = sim_fleet_count();

	c->s = s;
	c->w = w;
	if (opts)
		c->o = *opts;
	if (c->o.tick_ms <= 0)
		c->o.tick_ms = 250;
	c->scale = time_scale > 0 ? time_scale : 1.0;
	c->origin_s = sim_store_now(s);
	c->manual_now = c->origin_s;
	c->mono0_ms = util_mono_ms();
	c->rng = sim_fleet_mix(sim_fleet_seed_value() ^ 0xf1ee7c71ull);
	c->r_deploy = sim_resource_find("apps", "v1", "deployments");
	c->r_cm = sim_resource_find("", "v1", "configmaps");
	c->r_pod = sim_resource_find("", "v1", "pods");
	c->r_event = sim_resource_find("", "v1", "events");
	c->r_job = sim_resource_find("batch", "v1", "jobs");
	c->r_ns = sim_resource_find("", "v1", "namespaces");
	pthread_mutex_init(&c->lock, NULL);
	pthread_rwlock_init(&c->adopt_lock, NULL);
	pthread_mutex_init(&c->rules_lock, NULL);
	sim_rules_parse(SIM_RULES_DEFAULT, &c->rules, NULL, 0);

	c->n_envs = n * SIM_ENV_COUNT;
	c->envs = xcalloc(c->n_envs ? c->n_envs : 1, sizeof(*c->envs));
	for (size_t i = 0; i < n; i++) {
		const sim_tenant *t = sim_fleet_tenant(i);

		for (int env = 0; env < SIM_ENV_COUNT; env++) {
			env_state *e = &c->envs[i * SIM_ENV_COUNT + (size_t)env];
			const sim_fleet_env *fe = &t->envs[env];

			e->t = t;
			e->env = env;
			e->managed = fe->scenario == SIM_SCN_AVAILABLE ||
				     fe->scenario == SIM_SCN_SLEEPING ||
				     fe->scenario == SIM_SCN_WAKING;
			e->state = fe->scenario == SIM_SCN_SLEEPING ? H_SLEEPING
				   : fe->scenario == SIM_SCN_WAKING ? H_WAKING : H_ACTIVE;
			e->last_activity = e->stored_activity = fe->last_activity_s;
			e->wake_start = fe->last_wake_s;
			e->rng = sim_fleet_mix(t->seed ^ (uint64_t)(env + 1) * 0xabcdefull);
		}
	}
	sim_store_set_clock(s, clock_now, c);
	reload_rules(c);
	if (w)
		sim_workload_set_policy(w, pod_policy, c);
	drain_watch(c); /* opens the watch */
	pthread_mutex_lock(&c->lock);
	fleetadopt_start(c);
	pthread_mutex_unlock(&c->lock);
	if (!c->o.manual) {
		c->running = 1;
		if (pthread_create(&c->thread, NULL, loop, c) != 0) {
			c->running = 0;
			sim_err_set(err, 500, "InternalError", "cannot start the fleet controller");
			sim_fleetctl_stop(c);
			return NULL;
		}
	}
	return c;
}

void sim_fleetctl_stop(sim_fleetctl *c)
{
	if (!c)
		return;
	if (c->running) {
		__atomic_store_n(&c->running, 0, __ATOMIC_SEQ_CST);
		pthread_join(c->thread, NULL);
	}
	if (c->w)
		sim_workload_set_policy(c->w, NULL, NULL);
	sim_store_set_clock(c->s, NULL, NULL);
	if (c->watch)
		sim_watch_close(c->watch);
	fleetadopt_free(c);
	pthread_rwlock_destroy(&c->adopt_lock);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->rules_lock);
	free(c->envs);
	free(c);
}
