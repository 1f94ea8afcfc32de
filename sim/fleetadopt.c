/* Tenants provisioned through the API: the fleet controller adopts a namespace labelled
 * smart.totvs.com/tcode and smart.totvs.com/env that is not a seeded one, drops an env
 * when its namespace goes, and writes the usage history its Hypnus records into its
 * hypnus-usage ConfigMap (see sim/fleetctl_int.h, docs/fleet.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/catalog.h"
#include "sim/fleetctl_int.h"
#include "sim/workload.h"
#include "util/util.h"

#define P SIM_FLEET_PREFIX
#define DEFAULT_IDLE_S 1800  /* the provisioner's default idle timeout */
#define DEFAULT_OFFSET -180  /* UTC-3 when a namespace names no known time zone */
#define DRAIN_MAX 5000       /* events read per watch and pass */
#define USAGE_BUDGET 100     /* hypnus-usage writes per pass */
#define CODES 100000
#define NS_MAX sizeof(((sim_fleet_env *)NULL)->ns) /* longer names are not adopted */

/* ---- lookups ------------------------------------------------------------- */

static unsigned code_of(const char *tcode)
{
	return (unsigned)strtoul(tcode + 1, NULL, 10) % CODES;
}

static size_t ns_bucket(const char *ns)
{
	uint64_t h = 1469598103934665603ull;

	for (; *ns; ns++)
		h = (h ^ (unsigned char)*ns) * 1099511628211ull;
	return (size_t)(h % ADOPT_BUCKETS);
}

static const char *ns_of(const env_state *e)
{
	return e->t->envs[e->env].ns;
}

env_state *fleetadopt_find_ns(sim_fleetctl *c, const char *ns)
{
	if (!c->ns_tab || !ns)
		return NULL;
	for (env_state *e = c->ns_tab[ns_bucket(ns)]; e; e = e->ns_next)
		if (!strcmp(ns_of(e), ns))
			return e;
	return NULL;
}

env_state *fleetadopt_find(sim_fleetctl *c, const char *tcode, int env)
{
	adopted *a;

	if (!c->by_code || !sim_catalog_tcode_valid(tcode) || env < 0 || env >= SIM_ENV_COUNT)
		return NULL;
	a = c->by_code[code_of(tcode)];
	return a && a->present[env] ? &a->es[env] : NULL;
}

static env_state *seeded_env(sim_fleetctl *c, const sim_tenant *t, int env)
{
	return &c->envs[(size_t)(t - sim_fleet_tenant(0)) * SIM_ENV_COUNT + (size_t)env];
}

/* The catalogue says provisioned while any namespace of the tenant exists. */
static void update_catalogue(sim_fleetctl *c, const char *tcode)
{
	const sim_tenant *t = sim_fleet_find(tcode);
	int n = 0;

	for (int env = 0; env < SIM_ENV_COUNT; env++)
		n += (t && !seeded_env(c, t, env)->gone) || fleetadopt_find(c, tcode, env) != NULL;
	sim_catalog_set_provisioned(tcode, n > 0);
}

/* ---- reading objects ----------------------------------------------------- */

static const cJSON *annotations(const cJSON *tree)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "metadata"),
						"annotations");
}

static const char *ann_str(const cJSON *ann, const char *key)
{
	char k[128];
	const cJSON *v;

	snprintf(k, sizeof(k), P "%s", key);
	v = cJSON_GetObjectItemCaseSensitive(ann, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An env's Hypnus as its Deployment's annotations tell: state, idle timeout, last
 * activity (absent: the moment it is first seen), last wake. */
static void read_hypnus(sim_fleetctl *c, env_state *e, const sim_obj *o)
{
	cJSON *tree = sim_obj_parse(o);
	const cJSON *ann = annotations(tree);
	const char *st = ann_str(ann, "hypnus-state"), *v;
	int64_t now = fleetctl_clock(c), t;
	int idle;

	v = ann_str(ann, "hypnus-idle-timeout");
	idle = v ? atoi(v) : 0;
	e->ad->t.envs[e->env].idle_timeout_s = idle > 0 ? idle : DEFAULT_IDLE_S;
	v = ann_str(ann, "hypnus-last-activity");
	t = v ? util_parse_rfc3339(v) : -1;
	e->last_activity = t >= 0 && t <= now ? t : now;
	e->stored_activity = t >= 0 ? e->last_activity : 0; /* 0: written at the next pass */
	v = ann_str(ann, "hypnus-last-wake");
	t = v ? util_parse_rfc3339(v) : -1;
	e->wake_start = t >= 0 && t <= now ? t : now;
	e->state = st && !strcmp(st, "sleeping") ? H_SLEEPING
		   : st && !strcmp(st, "waking") ? H_WAKING : H_ACTIVE;
	e->managed = 1;
	e->own_rv = o->rv;
	cJSON_Delete(tree);
}

/* The usage pattern from a hypnus-usage ConfigMap (o NULL or unreadable: the default
 * pattern of sim/usage.c). */
static void read_usage(adopted *a, int env, const sim_obj *o)
{
	cJSON *tree = o ? sim_obj_parse(o) : NULL;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(tree, "data");
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(data, "start");
	const cJSON *hours = cJSON_GetObjectItemCaseSensitive(data, "hours");
	char errbuf[128];

	a->has_week[env] = cJSON_IsString(start) && cJSON_IsString(hours) &&
			   sim_usage_week_parse(start->valuestring, hours->valuestring,
						&a->week[env], errbuf, sizeof(errbuf)) == 0;
	cJSON_Delete(tree);
}

static void load_hypnus(sim_fleetctl *c, env_state *e)
{
	sim_obj *o = sim_store_get(c->s, c->r_deploy, ns_of(e), "hypnus", NULL);

	if (o) {
		read_hypnus(c, e, o);
		sim_obj_unref(o);
	}
}

static void load_usage(sim_fleetctl *c, env_state *e)
{
	sim_obj *o = sim_store_get(c->s, c->r_cm, ns_of(e), "hypnus-usage", NULL);

	/* the hours Hypnus wrote itself record the traffic, they do not steer it */
	if (!o || o->rv != e->ad->usage_rv[e->env])
		read_usage(e->ad, e->env, o);
	if (o)
		sim_obj_unref(o);
}

int fleetadopt_hypnus_seen(sim_fleetctl *c, env_state *e, const sim_obj *o)
{
	if (strcmp(o->name, "hypnus"))
		return 1; /* not the env's Hypnus: nothing to do */
	if (e->managed && o->rv <= e->own_rv)
		return 1;
	if (e->managed)
		return 0; /* a client's change: the controller's usual way */
	read_hypnus(c, e, o);
	return 1;
}

void fleetadopt_recheck(sim_fleetctl *c)
{
	for (adopted *a = c->adopted_head; a; a = a->next)
		for (int env = 0; env < SIM_ENV_COUNT; env++)
			if (a->present[env] && !a->es[env].managed)
				load_hypnus(c, &a->es[env]);
}

static void recheck_usage(sim_fleetctl *c)
{
	for (adopted *a = c->adopted_head; a; a = a->next)
		for (int env = 0; env < SIM_ENV_COUNT; env++)
			if (a->present[env])
				load_usage(c, &a->es[env]);
}

double fleetadopt_rate(const env_state *e, int64_t now)
{
	const adopted *a = e->ad;

	return a->has_week[e->env] ? sim_usage_week_rate(&a->week[e->env], now)
				   : sim_usage_rate_env(&a->t, e->env, now);
}

/* ---- adopting and dropping ----------------------------------------------- */

static void fill_tenant(adopted *a, const char *tcode, const sim_obj *ns, const cJSON *ann)
{
	const sim_contract *k = sim_catalog_find(tcode);
	const char *v, *product = sim_obj_label(ns, P "product");
	uint64_t rng;

	snprintf(a->t.tcode, sizeof(a->t.tcode), "T%05u", code_of(tcode));
	snprintf(a->t.lower, sizeof(a->t.lower), "t%05u", code_of(tcode));
	v = ann_str(ann, "customer-name");
	util_strlcpy(a->t.customer, v ? v : k ? k->customer : "", sizeof(a->t.customer));
	a->t.esocial = product && !strcmp(product, "esocial");
	v = ann_str(ann, "provider");
	util_strlcpy(a->provider, v ? v : k ? k->provider : "", sizeof(a->provider));
	a->t.provider = a->provider;
	v = ann_str(ann, "timezone");
	if (!v && k && k->timezone) /* the namespace names none: the catalogue's */
		v = k->timezone;
	util_strlcpy(a->timezone, v ? v : "", sizeof(a->timezone));
	a->t.timezone = a->timezone;
	if (sim_fleet_tz_offset(a->timezone, &a->t.utc_offset_min) < 0)
		a->t.utc_offset_min = DEFAULT_OFFSET;
	a->t.seed = sim_fleet_mix(sim_fleet_seed_value() ^ 0xad09700ull ^ code_of(tcode));
	rng = a->t.seed;
	a->t.night_batch = !a->t.esocial && sim_fleet_unit(&rng) < 0.3;
	if (k) {
		memcpy(a->t.valid_until, k->valid_until, sizeof(a->t.valid_until));
		a->t.contract_expired = !strcmp(k->status, "expired");
	}
}

static void fill_env(sim_fleetctl *c, adopted *a, int env, const char *ns)
{
	sim_fleet_env *fe = &a->t.envs[env];
	env_state *e = &a->es[env];
	const sim_contract *k = sim_catalog_find(a->t.tcode);
	uint64_t rng = sim_fleet_mix(a->t.seed ^ (uint64_t)(env + 7));
	int64_t now = fleetctl_clock(c);

	memset(fe, 0, sizeof(*fe));
	fe->env = env == SIM_ENV_PROD ? "prod" : "dev";
	util_strlcpy(fe->ns, ns, sizeof(fe->ns));
	fe->scenario = SIM_SCN_AVAILABLE;
	fe->degraded_role = -1;
	fe->idle_timeout_s = DEFAULT_IDLE_S;
	fe->licences = !k ? 0 : env == SIM_ENV_PROD ? k->lic_prod : k->lic_dev;
	/* the same spread of peak rates as seeded tenants: 300 .. 3000 per hour in prod */
	fe->peak_rate = 300.0 * exp(sim_fleet_unit(&rng) * 2.3);
	if (env == SIM_ENV_DEV)
		fe->peak_rate *= 0.05 + 0.05 * sim_fleet_unit(&rng);
	fe->last_activity_s = now;

	memset(&a->rec[env], 0, sizeof(a->rec[env]));
	a->usage_rv[env] = 0;
	memset(e, 0, sizeof(*e));
	e->t = &a->t;
	e->env = env;
	e->ad = a;
	e->state = H_ACTIVE;
	e->last_activity = e->stored_activity = now;
	e->wake_start = now;
	e->rng = sim_fleet_mix(a->t.seed ^ (uint64_t)(env + 1) * 0xabcdefull);
}

static void drop(sim_fleetctl *c, const char *ns);

/* A namespace was created or changed: adopts it when it is a tenant env nobody holds. */
static void adopt(sim_fleetctl *c, const sim_obj *o)
{
	const char *tcode = sim_obj_label(o, P "tcode"), *env_name = sim_obj_label(o, P "env");
	const sim_tenant *t;
	env_state *e;
	adopted *a;
	cJSON *tree;
	int env;

	if (o->deleted_s) {
		drop(c, o->name); /* Terminating: its objects are gone already */
		return;
	}
	e = fleetadopt_find_ns(c, o->name);
	if (!tcode || !sim_catalog_tcode_valid(tcode) || !env_name ||
	    (strcmp(env_name, "prod") && strcmp(env_name, "dev")) ||
	    strlen(o->name) >= NS_MAX) {
		if (e)
			drop(c, o->name); /* it lost its labels */
		return;
	}
	env = strcmp(env_name, "prod") ? SIM_ENV_DEV : SIM_ENV_PROD;
	if (e) {
		if (e->env == env && code_of(e->t->tcode) == code_of(tcode))
			return; /* known already */
		drop(c, o->name); /* relabelled: adopted again below */
	}
	t = sim_fleet_find(tcode);
	if (t && !seeded_env(c, t, env)->gone)
		return; /* the seeded env (or a second namespace claiming it) */
	if (!c->by_code) {
		c->by_code = xcalloc(CODES, sizeof(*c->by_code));
		c->ns_tab = xcalloc(ADOPT_BUCKETS, sizeof(*c->ns_tab));
	}
	a = c->by_code[code_of(tcode)];
	if (a && a->present[env])
		return; /* another namespace holds this env of the tenant */

	tree = sim_obj_parse(o);
	pthread_rwlock_wrlock(&c->adopt_lock);
	if (!a) {
		a = xcalloc(1, sizeof(*a));
		fill_tenant(a, tcode, o, annotations(tree));
		a->prev = c->adopted_tail;
		if (c->adopted_tail)
			c->adopted_tail->next = a;
		else
			c->adopted_head = a;
		c->adopted_tail = a;
		c->by_code[code_of(tcode)] = a;
		c->n_adopted++;
	}
	fill_env(c, a, env, o->name);
	a->present[env] = 1;
	e = &a->es[env];
	e->ns_next = c->ns_tab[ns_bucket(o->name)];
	c->ns_tab[ns_bucket(o->name)] = e;
	pthread_rwlock_unlock(&c->adopt_lock);
	cJSON_Delete(tree);

	load_hypnus(c, e);
	load_usage(c, e);
	update_catalogue(c, a->t.tcode);
	if (c->w) /* pods that exist already are asked again */
		sim_workload_kick_ns(c->w, o->name);
}

/* A namespace is gone (or terminating): its env leaves the fleet. */
static void drop(sim_fleetctl *c, const char *ns)
{
	int env;
	const sim_tenant *t = sim_fleet_find_ns(ns, &env);
	env_state *e, **pp;
	adopted *a;
	char tcode[8];

	if (t && !seeded_env(c, t, env)->gone) {
		pthread_rwlock_wrlock(&c->adopt_lock);
		seeded_env(c, t, env)->gone = 1;
		pthread_rwlock_unlock(&c->adopt_lock);
		update_catalogue(c, t->tcode);
		return;
	}
	e = fleetadopt_find_ns(c, ns);
	if (!e)
		return;
	a = e->ad;
	memcpy(tcode, a->t.tcode, sizeof(tcode));
	pthread_rwlock_wrlock(&c->adopt_lock);
	for (pp = &c->ns_tab[ns_bucket(ns)]; *pp; pp = &(*pp)->ns_next) {
		if (*pp == e) {
			*pp = e->ns_next;
			break;
		}
	}
	a->present[e->env] = 0;
	e->managed = 0;
	if (!a->present[SIM_ENV_PROD] && !a->present[SIM_ENV_DEV]) {
		if (a->prev)
			a->prev->next = a->next;
		else
			c->adopted_head = a->next;
		if (a->next)
			a->next->prev = a->prev;
		else
			c->adopted_tail = a->prev;
		c->by_code[code_of(tcode)] = NULL;
		c->n_adopted--;
		free(a);
	}
	pthread_rwlock_unlock(&c->adopt_lock);
	update_catalogue(c, tcode);
}

/* ---- watches ------------------------------------------------------------- */

/* Lists the tenant namespaces, adopts the new ones, drops the envs whose namespace is
 * gone, and watches from there. At start, and when the watch lost events. */
static void resync(sim_fleetctl *c)
{
	sim_selector *sel = sim_selector_parse_labels(P "tcode", NULL);
	unsigned char *seen = xcalloc(c->n_envs ? c->n_envs : 1, 1);
	char **gone = NULL;
	size_t n_gone = 0, cap_gone = 0;
	sim_list l;
	sim_err err;

	if (sim_store_list(c->s, c->r_ns, NULL, sel, NULL, 0, NULL, &l, &err) < 0) {
		sim_selector_free(sel);
		free(seen);
		return;
	}
	sim_selector_free(sel);
	for (size_t i = 0; i < l.n; i++) {
		int env;
		const sim_tenant *t = sim_fleet_find_ns(l.items[i]->name, &env);

		if (t && !l.items[i]->deleted_s)
			seen[seeded_env(c, t, env) - c->envs] = 1;
		adopt(c, l.items[i]);
	}
	for (size_t i = 0; i < c->n_envs; i++)
		if (!seen[i] && !c->envs[i].gone)
			drop(c, ns_of(&c->envs[i]));
	/* adopted envs whose namespace is gone (named first: drop may free a tenant) */
	for (adopted *a = c->adopted_head; a; a = a->next) {
		for (int env = 0; env < SIM_ENV_COUNT; env++) {
			sim_obj *o;

			if (!a->present[env])
				continue;
			o = sim_store_get(c->s, c->r_ns, "", a->t.envs[env].ns, NULL);
			if (!o || o->deleted_s) {
				if (n_gone == cap_gone) {
					cap_gone = cap_gone ? 2 * cap_gone : 16;
					gone = xrealloc(gone, cap_gone * sizeof(*gone));
				}
				gone[n_gone++] = xstrdup(a->t.envs[env].ns);
			}
			if (o)
				sim_obj_unref(o);
		}
	}
	for (size_t i = 0; i < n_gone; i++) {
		drop(c, gone[i]);
		free(gone[i]);
	}
	free(gone);
	c->ns_watch = sim_watch_open(c->s, c->r_ns, NULL,
				     sim_selector_parse_labels(P "tcode", NULL), NULL, l.rv, &err);
	sim_list_release(&l);
	free(seen);
}

static void drain_namespaces(sim_fleetctl *c)
{
	sim_event ev;
	sim_err err;
	int rc = 0, n = 0;

	if (!c->ns_watch) {
		resync(c);
		return;
	}
	while (n++ < DRAIN_MAX && (rc = sim_watch_next(c->ns_watch, 0, &ev, &err)) == 1) {
		if (ev.type == SIM_DELETED)
			drop(c, ev.obj->name);
		else
			adopt(c, ev.obj);
		sim_event_release(&ev);
	}
	if (rc < 0) { /* fell out of the window: list again at the next pass */
		sim_watch_close(c->ns_watch);
		c->ns_watch = NULL;
	}
}

static void drain_usage(sim_fleetctl *c)
{
	sim_event ev;
	sim_err err;
	int rc = 0, n = 0;

	if (!c->usage_watch) {
		c->usage_watch = sim_watch_open(c->s, c->r_cm, NULL, NULL,
						sim_selector_parse_fields("metadata.name=hypnus-usage", NULL),
						sim_store_rv(c->s), &err);
		recheck_usage(c);
		return;
	}
	while (n++ < DRAIN_MAX && (rc = sim_watch_next(c->usage_watch, 0, &ev, &err)) == 1) {
		env_state *e = fleetadopt_find_ns(c, ev.obj->ns);

		if (e && ev.type == SIM_DELETED)
			read_usage(e->ad, e->env, NULL);
		else if (e && ev.obj->rv != e->ad->usage_rv[e->env])
			read_usage(e->ad, e->env, ev.obj);
		sim_event_release(&ev);
	}
	if (rc < 0) {
		sim_watch_close(c->usage_watch);
		c->usage_watch = NULL;
	}
}

/* ---- the usage history Hypnus records ------------------------------------ */

void fleetadopt_count(env_state *e, int64_t from, int64_t now, uint64_t n)
{
	if (e->ad && e->managed)
		sim_usage_rec_add_span(&e->ad->rec[e->env], from, now, n);
}

typedef struct usage_edit {
	const adopted *a;
	const sim_usage_rec *r;
	sim_usage_hist h;
	int changed;
	int replaced;      /* the stored data was unreadable: a new history */
	char why[160];
} usage_edit;

static const char *data_str(const cJSON *data, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void set_str(cJSON *obj, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value);
}

/* The tenant's offset and time zone, for a new history. */
static void set_tenant(cJSON *data, const adopted *a)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", a->t.utc_offset_min);
	set_str(data, "utc-offset-minutes", buf);
	set_str(data, "timezone", a->timezone);
}

static void set_hist(cJSON *data, const sim_usage_hist *h)
{
	char buf[40], *hours = sim_usage_hist_hours(h);

	util_rfc3339(h->start, buf, sizeof(buf));
	set_str(data, "start", buf);
	set_str(data, "hours", hours);
	free(hours);
}

/* Appends the pending hours to the stored history; one that cannot be read (a client
 * wrote something else) is replaced by a new history, and the reason told. */
static int edit_usage(cJSON *obj, void *ctx, sim_err *err)
{
	usage_edit *u = ctx;
	cJSON *data = cJSON_GetObjectItemCaseSensitive(obj, "data");
	const cJSON *off = cJSON_GetObjectItemCaseSensitive(data, "utc-offset-minutes");

	(void)err;
	if (!cJSON_IsObject(data)) {
		snprintf(u->why, sizeof(u->why), "data is not a map of strings");
		u->replaced = 1;
	} else if (off && !cJSON_IsString(off)) {
		snprintf(u->why, sizeof(u->why), "utc-offset-minutes is not a string");
		u->replaced = 1;
	} else if (sim_usage_hist_parse(data_str(data, "start"), data_str(data, "utc-offset-minutes"),
					data_str(data, "hours"), &u->h, u->why, sizeof(u->why)) < 0) {
		u->replaced = 1;
	}
	if (u->replaced) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "data");
		data = cJSON_AddObjectToObject(obj, "data");
		set_tenant(data, u->a);
		sim_usage_hist_from(&u->h, u->r);
	} else if (!sim_usage_hist_append(&u->h, u->r)) {
		return 0; /* it has these hours already */
	}
	set_hist(data, &u->h);
	u->changed = 1;
	return 0;
}

static int create_usage(sim_fleetctl *c, env_state *e, usage_edit *u, sim_obj **out,
			sim_err *err)
{
	const sim_fleet_env *fe = &e->t->envs[e->env];
	cJSON *obj = cJSON_CreateObject(), *meta, *labels, *data;
	int rc;

	cJSON_AddStringToObject(obj, "apiVersion", "v1");
	cJSON_AddStringToObject(obj, "kind", "ConfigMap");
	meta = cJSON_AddObjectToObject(obj, "metadata");
	cJSON_AddStringToObject(meta, "name", "hypnus-usage");
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, P "tcode", e->t->tcode);
	cJSON_AddStringToObject(labels, P "env", fe->env);
	cJSON_AddStringToObject(labels, P "product", e->t->esocial ? "esocial" : "erp");
	cJSON_AddStringToObject(labels, P "component", "hypnus");
	data = cJSON_AddObjectToObject(obj, "data");
	set_tenant(data, u->a);
	sim_usage_hist_from(&u->h, u->r);
	set_hist(data, &u->h);
	rc = sim_store_create(c->s, c->r_cm, ns_of(e), obj, 0, out, err);
	cJSON_Delete(obj);
	return rc;
}

/* Writes the finished hours of one env: 1 when it took a write. */
static int write_usage(sim_fleetctl *c, env_state *e)
{
	adopted *a = e->ad;
	sim_usage_rec *r = &a->rec[e->env];
	usage_edit *u = xcalloc(1, sizeof(*u));
	sim_obj *out = NULL;
	sim_err err;
	int rc;

	u->a = a;
	u->r = r;
	rc = sim_store_mutate(c->s, c->r_cm, ns_of(e), "hypnus-usage", edit_usage, u, 0, &out,
			      &err);
	if (rc < 0 && err.code == 404) {
		u->changed = 1;
		rc = create_usage(c, e, u, &out, &err);
	}
	if (rc == 0) { /* else (namespace going, a client creating it): the next pass */
		if (u->changed && out)
			a->usage_rv[e->env] = out->rv;
		r->n = 0;
		if (u->replaced) {
			char msg[256];

			snprintf(msg, sizeof(msg),
				 "usage history was unreadable (%s); started a new one at the last hour",
				 u->why);
			fleetctl_event(c, ns_of(e), "ConfigMap", "v1", "hypnus-usage",
				       "HypnusUsageReset", msg);
		}
	}
	if (out)
		sim_obj_unref(out);
	free(u);
	return 1;
}

void fleetadopt_record(sim_fleetctl *c, int64_t now)
{
	int budget = USAGE_BUDGET;

	for (adopted *a = c->adopted_head; a; a = a->next) {
		for (int env = 0; env < SIM_ENV_COUNT; env++) {
			env_state *e = &a->es[env];

			if (!a->present[env] || !e->managed)
				continue;
			sim_usage_rec_roll(&a->rec[env], now);
			if (a->rec[env].n && budget > 0)
				budget -= write_usage(c, e);
		}
	}
}

void fleetadopt_start(sim_fleetctl *c)
{
	resync(c);
	drain_usage(c);
}

void fleetadopt_pass(sim_fleetctl *c)
{
	drain_namespaces(c);
	drain_usage(c);
}

/* ---- Hypnus scaling ------------------------------------------------------ */

static int deploy_replicas(const cJSON *tree, int *awake)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(tree, "spec"), "replicas");
	const char *h = ann_str(annotations(tree), "hypnus-replicas");
	int now = cJSON_IsNumber(r) ? r->valueint : 1;

	*awake = h && atoi(h) > 0 ? atoi(h) : now > 0 ? now : 1;
	return now;
}

static int edit_scale(cJSON *obj, void *ctx, sim_err *err)
{
	int up = *(const int *)ctx, awake, now = deploy_replicas(obj, &awake);
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	char buf[16];

	(void)err;
	if (!up && now > 0) { /* remember the awake count */
		if (!ann)
			ann = cJSON_AddObjectToObject(meta, "annotations");
		snprintf(buf, sizeof(buf), "%d", now);
		cJSON_DeleteItemFromObjectCaseSensitive(ann, P "hypnus-replicas");
		cJSON_AddStringToObject(ann, P "hypnus-replicas", buf);
	}
	if (!spec)
		spec = cJSON_AddObjectToObject(obj, "spec");
	if (now != (up ? awake : 0)) { /* Hypnus changed it: Hypnus owns it */
		static const char *const replicas[] = {"spec", "replicas"};

		sim_patch_take_field(obj, SIM_HYPNUS_MANAGER, "apps/v1", replicas, 2);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "replicas");
	cJSON_AddNumberToObject(spec, "replicas", up ? awake : 0);
	return 0;
}

static int list_public(sim_fleetctl *c, env_state *e, sim_list *l)
{
	sim_selector *sel = sim_selector_parse_labels(P "tier=public", NULL);
	int rc = sim_store_list(c->s, c->r_deploy, ns_of(e), sel, NULL, 0, NULL, l, NULL);

	sim_selector_free(sel);
	return rc;
}

void fleetadopt_scale(sim_fleetctl *c, env_state *e, int up)
{
	sim_list l;

	if (list_public(c, e, &l) < 0)
		return;
	for (size_t i = 0; i < l.n; i++)
		if (!l.items[i]->deleted_s)
			sim_store_mutate(c->s, c->r_deploy, ns_of(e), l.items[i]->name, edit_scale,
					 &up, 0, NULL, NULL);
	sim_list_release(&l);
}

int fleetadopt_want(sim_fleetctl *c, env_state *e)
{
	sim_list l;
	int want = 0;

	if (list_public(c, e, &l) < 0)
		return 0;
	for (size_t i = 0; i < l.n; i++) {
		cJSON *tree = sim_obj_parse(l.items[i]);
		int awake;

		deploy_replicas(tree, &awake);
		want += awake;
		cJSON_Delete(tree);
	}
	sim_list_release(&l);
	return want;
}

/* ---- the fleet report ---------------------------------------------------- */

static int seeded_present(void *ctx, const sim_tenant *t, int env)
{
	return !seeded_env(ctx, t, env)->gone;
}

static cJSON *find_item(cJSON *items, const char *tcode)
{
	cJSON *it;

	cJSON_ArrayForEach(it, items) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "tcode");

		if (cJSON_IsString(v) && !strcmp(v->valuestring, tcode))
			return it;
	}
	return NULL;
}

void fleetadopt_report(sim_fleetctl *c, cJSON *items)
{
	int64_t now = sim_store_now(c->s);

	for (const adopted *a = c->adopted_head; a; a = a->next) {
		const sim_tenant *t = sim_fleet_find(a->t.tcode);
		cJSON *it = t && (seeded_present(c, t, SIM_ENV_PROD) || seeded_present(c, t, SIM_ENV_DEV))
				    ? find_item(items, a->t.tcode) : NULL;
		cJSON *envs;

		if (!it) {
			it = cJSON_CreateObject();
			cJSON_AddItemToArray(items, it);
			cJSON_AddStringToObject(it, "tcode", a->t.tcode);
			cJSON_AddStringToObject(it, "customer", a->t.customer);
			cJSON_AddStringToObject(it, "product", a->t.esocial ? "esocial" : "erp");
			cJSON_AddStringToObject(it, "provider", a->t.provider);
			cJSON_AddBoolToObject(it, "adopted", 1);
			cJSON_AddArrayToObject(it, "envs");
		}
		envs = cJSON_GetObjectItemCaseSensitive(it, "envs");
		for (int env = 0; env < SIM_ENV_COUNT; env++) {
			const sim_fleet_env *fe = &a->t.envs[env];
			char reason[64], msg[256];
			const char *scn;
			cJSON *eo;

			if (!a->present[env])
				continue;
			if (sim_catalog_check(a->t.tcode, fe->env, now, reason, sizeof(reason), msg,
					      sizeof(msg)) < 0)
				scn = "blocked";
			else if (!(scn = sim_fleet_live_state(c->s, fe->ns)))
				scn = "available";
			eo = cJSON_CreateObject();
			cJSON_AddItemToArray(envs, eo);
			cJSON_AddStringToObject(eo, "env", fe->env);
			cJSON_AddStringToObject(eo, "namespace", fe->ns);
			cJSON_AddStringToObject(eo, "scenario", scn);
			cJSON_AddStringToObject(eo, "cause", "");
			cJSON_AddBoolToObject(eo, "adopted", 1);
		}
	}
}

char *sim_fleetctl_json(sim_fleetctl *c)
{
	cJSON *root;
	char *text, *ret;

	pthread_rwlock_rdlock(&c->adopt_lock);
	root = sim_fleet_report(c->s, seeded_present, c);
	fleetadopt_report(c, cJSON_GetObjectItemCaseSensitive(root, "items"));
	pthread_rwlock_unlock(&c->adopt_lock);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		die("out of memory");
	ret = xstrdup(text);
	cJSON_free(text);
	return ret;
}

void fleetadopt_free(sim_fleetctl *c)
{
	for (adopted *a = c->adopted_head, *next; a; a = next) {
		next = a->next;
		free(a);
	}
	c->adopted_head = c->adopted_tail = NULL;
	free(c->by_code);
	free(c->ns_tab);
	c->by_code = NULL;
	c->ns_tab = NULL;
	if (c->ns_watch)
		sim_watch_close(c->ns_watch);
	if (c->usage_watch)
		sim_watch_close(c->usage_watch);
	c->ns_watch = c->usage_watch = NULL;
}
