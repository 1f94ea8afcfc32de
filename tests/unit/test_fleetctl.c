/* Unit tests for sim/rules and sim/fleetctl: the rule parser, the pod policy of every
 * scenario, Hypnus sleep/wake on a manual clock and with the workload controller, and
 * adoption of API-made namespaces with every thread running. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/catalog.h"
#include "sim/fleet.h"
#include "sim/fleetctl.h"
#include "sim/rules.h"
#include "sim/store.h"
#include "sim/usage.h"
#include "sim/workload.h"
#include "util/util.h"

#define P SIM_FLEET_PREFIX

static int64_t the_time;

static int64_t fixed_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

static sim_store *seeded_at(size_t n, uint64_t seed, const char *when)
{
	sim_store *s = sim_store_new(100000);
	sim_err err;

	the_time = util_parse_rfc3339(when);
	sim_store_set_clock(s, fixed_now, &the_time);
	if (sim_fleet_seed(s, n, seed, NULL, &err) < 0)
		fail_msg("seed: %s", err.message);
	return s;
}

static sim_store *seeded(size_t n, uint64_t seed)
{
	return seeded_at(n, seed, "2026-11-25T13:00:00Z");
}

/* ---- rules --------------------------------------------------------------- */

static void test_rules_parse(void **state)
{
	sim_rules r;
	char e[128];
	const sim_rule *app;

	assert_int_equal(sim_rules_parse(SIM_RULES_DEFAULT, &r, e, sizeof(e)), 0);
	assert_int_equal(r.n, 5);
	assert_int_equal(sim_rules_find(&r, "license")->n_needs, 0);
	assert_string_equal(sim_rules_find(&r, "dbaccess")->needs[0], "lockserver");
	assert_null(sim_rules_find(&r, "postgres"));

	assert_int_equal(sim_rules_parse("# comment\n\n appserver: dbaccess, license  lockserver\r\n"
					 "hypnus:appserver",
					 &r, e, sizeof(e)), 0);
	assert_int_equal(r.n, 2);
	app = sim_rules_find(&r, "appserver");
	assert_int_equal(app->n_needs, 3);
	assert_string_equal(app->needs[1], "license");
	assert_string_equal(sim_rules_find(&r, "hypnus")->needs[0], "appserver");

	assert_int_equal(sim_rules_parse("license\n", &r, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "line 1"));
	assert_int_equal(r.n, 0);
	assert_int_equal(sim_rules_parse("a: b\na: c\n", &r, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "twice"));
	assert_int_equal(sim_rules_parse("a: a\n", &r, e, sizeof(e)), -1);
	assert_int_equal(sim_rules_parse("a b: c\n", &r, e, sizeof(e)), -1);
	assert_int_equal(sim_rules_parse("a: c$d\n", &r, e, sizeof(e)), -1);
	assert_int_equal(sim_rules_parse("", &r, e, sizeof(e)), 0);
	assert_int_equal(r.n, 0);
}

/* ---- policy -------------------------------------------------------------- */

typedef struct expect {
	const char *component, *role;
	sim_fleetctl_verdict_t v;
	const char *reason, *message; /* message: a substring */
} expect;

static const sim_fleet_env *find_env(sim_scenario scn, const sim_tenant **tp)
{
	for (size_t i = 0; i < sim_fleet_count(); i++)
		for (int e = 0; e < SIM_ENV_COUNT; e++)
			if (sim_fleet_tenant(i)->envs[e].scenario == scn) {
				*tp = sim_fleet_tenant(i);
				return &sim_fleet_tenant(i)->envs[e];
			}
	fail_msg("no env staged %s", sim_scenario_name(scn));
	return NULL;
}

static void check(sim_fleetctl *c, const char *ns, const expect *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char reason[64] = "", msg[256] = "";
		sim_fleetctl_verdict_t v = sim_fleetctl_verdict(c, ns, x[i].component, x[i].role,
								reason, sizeof(reason), msg,
								sizeof(msg));

		if (v != x[i].v)
			fail_msg("%s %s: verdict %d, want %d (%s: %s)", ns, x[i].component, v,
				 x[i].v, reason, msg);
		if (x[i].reason)
			assert_string_equal(reason, x[i].reason);
		if (x[i].message && !strstr(msg, x[i].message))
			fail_msg("%s %s: message \"%s\" lacks \"%s\"", ns, x[i].component, msg,
				 x[i].message);
	}
}

#define OK_(comp) {comp, NULL, SIM_FLEETCTL_OK, NULL, NULL}
#define WAIT_(comp, pred) {comp, NULL, SIM_FLEETCTL_NOT_READY, "WaitingForPredecessor", "waiting for " pred}

static void test_policy_per_scenario(void **state)
{
	sim_store *s = seeded(50, 11);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1, .no_prewake = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	const sim_tenant *t;
	const sim_fleet_env *e;
	char reason[64], msg[256];

	assert_non_null(c);
	e = find_env(SIM_SCN_AVAILABLE, &t);
	{
		expect x[] = {OK_("license"), OK_("lockserver"), OK_("dbaccess"),
			      {"appserver", "webapp", SIM_FLEETCTL_OK, NULL, NULL}, OK_("hypnus"),
			      OK_("postgres")};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	e = find_env(SIM_SCN_SLEEPING, &t);
	{
		expect x[] = {OK_("license"), OK_("dbaccess"), OK_("hypnus")};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	e = find_env(SIM_SCN_DOWN_LICENSE, &t);
	{
		expect x[] = {{"license", NULL, SIM_FLEETCTL_CRASHLOOP, "Error", "5555"},
			      WAIT_("lockserver", "license"), WAIT_("dbaccess", "lockserver"),
			      WAIT_("appserver", "dbaccess"), WAIT_("hypnus", "appserver")};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	e = find_env(SIM_SCN_DOWN_LOCKSERVER, &t);
	{
		expect x[] = {OK_("license"),
			      {"lockserver", NULL, SIM_FLEETCTL_CRASHLOOP, "OOMKilled", "memory"},
			      WAIT_("dbaccess", "lockserver"), WAIT_("appserver", "dbaccess")};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	e = find_env(SIM_SCN_DOWN_DBACCESS, &t);
	{
		expect x[] = {OK_("license"), OK_("lockserver"),
			      {"dbaccess", NULL, SIM_FLEETCTL_NOT_READY, "Unhealthy", "7890"},
			      WAIT_("appserver", "dbaccess"), WAIT_("hypnus", "appserver")};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	e = find_env(SIM_SCN_DEGRADED, &t);
	for (int r = 0; r < e->n_roles; r++) {
		expect x[] = {{"appserver", e->roles[r],
			       r == e->degraded_role ? SIM_FLEETCTL_NOT_READY : SIM_FLEETCTL_OK,
			       r == e->degraded_role ? "Unhealthy" : NULL,
			       r == e->degraded_role ? "statuscode: 503" : NULL},
			      OK_("dbaccess"), OK_("hypnus")};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	e = find_env(SIM_SCN_BLOCKED, &t);
	assert_int_equal(sim_fleetctl_verdict(c, e->ns, "license", NULL, reason, sizeof(reason),
					      msg, sizeof(msg)), SIM_FLEETCTL_CRASHLOOP);
	assert_true(!strcmp(reason, "ContractExpired") || !strcmp(reason, "ContractInvalid"));
	assert_non_null(strstr(msg, t->tcode));
	{
		expect x[] = {WAIT_("lockserver", "license"), WAIT_("appserver", "dbaccess")};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	/* outside the fleet: no opinion */
	assert_int_equal(sim_fleetctl_verdict(c, "kube-system", "license", NULL, reason,
					      sizeof(reason), msg, sizeof(msg)), SIM_FLEETCTL_OK);
	sim_fleetctl_stop(c);
	sim_store_free(s);
	sim_fleet_reset();
}

static int set_rules(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *data = cJSON_GetObjectItemCaseSensitive(obj, "data");

	cJSON_DeleteItemFromObjectCaseSensitive(data, "rules");
	cJSON_AddStringToObject(data, "rules", ctx);
	return 0;
}

static void test_rules_from_configmap(void **state)
{
	sim_store *s = seeded(50, 12);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1, .no_prewake = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	const sim_resource *cm = sim_resource_find("", "v1", "configmaps");
	const sim_tenant *t;
	const sim_fleet_env *e = find_env(SIM_SCN_DOWN_LICENSE, &t);
	sim_err err;

	assert_int_equal(sim_store_mutate(s, cm, SIM_FLEET_SYSTEM_NS, "predecessor-rules", set_rules,
					  (void *)"license:\nlockserver:\ndbaccess: lockserver\n"
						  "appserver: dbaccess license\n",
					  0, NULL, &err), 0);
	sim_fleetctl_advance(c, 1);
	{
		expect x[] = {OK_("lockserver"), OK_("dbaccess"), WAIT_("appserver", "license"),
			      OK_("hypnus") /* hypnus has no rule now */};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	/* a broken text keeps the rules in force */
	assert_int_equal(sim_store_mutate(s, cm, SIM_FLEET_SYSTEM_NS, "predecessor-rules", set_rules,
					  (void *)"this is not a rule\n", 0, NULL, &err), 0);
	sim_fleetctl_advance(c, 1);
	{
		expect x[] = {OK_("lockserver"), WAIT_("appserver", "license")};
		check(c, e->ns, x, ARRAY_SIZE(x));
	}
	sim_fleetctl_stop(c);
	sim_store_free(s);
	sim_fleet_reset();
}

/* ---- Hypnus -------------------------------------------------------------- */

static const char *hyp_ann(sim_store *s, const char *ns, const char *key, char *buf, size_t size)
{
	sim_obj *o = sim_store_get(s, sim_resource_find("apps", "v1", "deployments"), ns, "hypnus",
				   NULL);
	cJSON *tree, *v;
	char k[128];

	assert_non_null(o);
	tree = sim_obj_parse(o);
	snprintf(k, sizeof(k), P "%s", key);
	v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(tree, "metadata"), "annotations"), k);
	util_strlcpy(buf, cJSON_IsString(v) ? v->valuestring : "", size);
	cJSON_Delete(tree);
	sim_obj_unref(o);
	return buf;
}

static int replicas(sim_store *s, const char *ns, const char *name)
{
	sim_obj *o = sim_store_get(s, sim_resource_find("apps", "v1", "deployments"), ns, name, NULL);
	cJSON *tree;
	int n;

	assert_non_null(o);
	tree = sim_obj_parse(o);
	n = (int)cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "spec"),
						  "replicas")->valuedouble;
	cJSON_Delete(tree);
	sim_obj_unref(o);
	return n;
}

static size_t events_with(sim_store *s, const char *ns, const char *reason)
{
	sim_list l;
	size_t n = 0;

	assert_int_equal(sim_store_list(s, sim_resource_find("", "v1", "events"), ns, NULL, NULL, 0,
					NULL, &l, NULL), 0);
	for (size_t i = 0; i < l.n; i++)
		n += strstr(l.items[i]->json, reason) != NULL;
	sim_list_release(&l);
	return n;
}

static void test_hypnus_manual_clock(void **state)
{
	sim_store *s = seeded(20, 21);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1, .no_prewake = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	const sim_tenant *t;
	const sim_fleet_env *e = find_env(SIM_SCN_AVAILABLE, &t);
	char name[64], buf[64];
	int64_t t0, cold;
	sim_err err;

	snprintf(name, sizeof(name), "appserver-%s", e->roles[0]);
	assert_string_equal(sim_fleetctl_state(c, e->ns), "active");
	sim_fleetctl_advance(c, 60);
	assert_string_equal(sim_fleetctl_state(c, e->ns), "active");
	/* idle past the timeout: asleep, scaled to zero, told */
	sim_fleetctl_advance(c, e->idle_timeout_s);
	assert_string_equal(sim_fleetctl_state(c, e->ns), "sleeping");
	assert_string_equal(hyp_ann(s, e->ns, "hypnus-state", buf, sizeof(buf)), "sleeping");
	assert_int_equal(replicas(s, e->ns, name), 0);
	assert_int_equal(events_with(s, e->ns, "HypnusSleep"), 1);

	/* a request wakes it */
	t0 = sim_fleetctl_now(c);
	assert_int_equal(sim_fleetctl_traffic(c, t->tcode, e->env, &err), 0);
	assert_string_equal(sim_fleetctl_state(c, e->ns), "waking");
	assert_string_equal(hyp_ann(s, e->ns, "hypnus-state", buf, sizeof(buf)), "waking");
	assert_int_equal(util_parse_rfc3339(hyp_ann(s, e->ns, "hypnus-last-wake", buf, sizeof(buf))), t0);
	assert_int_equal(replicas(s, e->ns, name), e->replicas[0]);
	for (int i = 0; i < 20 && strcmp(sim_fleetctl_state(c, e->ns), "active"); i++)
		sim_fleetctl_advance(c, 5);
	assert_string_equal(sim_fleetctl_state(c, e->ns), "active");
	cold = atoi(hyp_ann(s, e->ns, "hypnus-cold-start-seconds", buf, sizeof(buf)));
	assert_true(cold >= 20 && cold <= sim_fleetctl_now(c) - t0);
	assert_int_equal(events_with(s, e->ns, "HypnusAwake"), 1);

	/* errors */
	assert_int_equal(sim_fleetctl_traffic(c, "T12", "prod", &err), -1);
	assert_int_equal(err.code, 400);
	assert_int_equal(sim_fleetctl_traffic(c, t->tcode, "qa", &err), -1);
	assert_int_equal(err.code, 400);
	for (unsigned code = 10000;; code++) {
		char tc[8];

		snprintf(tc, sizeof(tc), "T%05u", code);
		if (!sim_fleet_find(tc)) {
			assert_int_equal(sim_fleetctl_traffic(c, tc, "prod", &err), -1);
			assert_int_equal(err.code, 404);
			break;
		}
	}
	sim_fleetctl_stop(c);
	sim_store_free(s);
	sim_fleet_reset();
}

/* Hypnus wakes a sleeping env ahead of its first busy hour of the day, with no
 * request, a couple of minutes before the hour, and says why. */
static void test_prewake_ahead_of_busy_hours(void **state)
{
	/* a Wednesday, night in Brazil */
	sim_store *s = seeded_at(20, 21, "2026-11-25T05:00:00Z");
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1};
	sim_fleetctl *c;
	const sim_tenant *t;
	const sim_fleet_env *e;
	int64_t woke = 0;
	char msg[128] = "";

	(void)state;
	c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	e = find_env(SIM_SCN_SLEEPING, &t);
	assert_string_equal(sim_fleetctl_state(c, e->ns), "sleeping");
	for (int i = 0; i < 16 * 60 && !woke; i++) {
		sim_fleetctl_advance(c, 60);
		if (strcmp(sim_fleetctl_state(c, e->ns), "sleeping"))
			woke = sim_fleetctl_now(c);
	}
	assert_true(woke > 0);
	/* no request came: the forecast woke it, at most 2 minutes before an hour */
	assert_true(3600 - woke % 3600 <= 120);
	{
		sim_list l;

		assert_int_equal(sim_store_list(s, sim_resource_find("", "v1", "events"), e->ns, NULL,
						NULL, 0, NULL, &l, NULL), 0);
		for (size_t i = 0; i < l.n; i++) {
			const char *m = strstr(l.items[i]->json, "forecast: busy hours from ");

			if (m && strstr(l.items[i]->json, "HypnusWake"))
				snprintf(msg, sizeof(msg), "%.*s", (int)strcspn(m, ";\""), m);
		}
		sim_list_release(&l);
	}
	{
		char want[64], hm[32];

		util_rfc3339(woke - woke % 3600 + 3600, hm, sizeof(hm));
		snprintf(want, sizeof(want), "forecast: busy hours from %.5s UTC", hm + 11);
		assert_string_equal(msg, want);
	}
	/* that hour is busy by the env's usage, and the one before it was not */
	assert_true(sim_usage_rate_env(t, (int)(e - t->envs), woke + 120 + 1800) >
		    sim_usage_rate_env(t, (int)(e - t->envs), woke - 1800));
	sim_fleetctl_stop(c);
	sim_store_free(s);
	sim_fleet_reset();
}

static int annotate_waking(cJSON *obj, void *ctx, sim_err *err)
{
	cJSON *ann = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
						      "annotations");

	cJSON_DeleteItemFromObjectCaseSensitive(ann, P "hypnus-state");
	cJSON_AddStringToObject(ann, P "hypnus-state", "waking");
	return 0;
}

static void test_client_wakes(void **state)
{
	sim_store *s = seeded(20, 22);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1, .no_prewake = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	const sim_tenant *t;
	const sim_fleet_env *e = find_env(SIM_SCN_SLEEPING, &t);
	char name[64];
	sim_err err;

	snprintf(name, sizeof(name), "appserver-%s", e->roles[0]);
	sim_fleetctl_advance(c, 1);
	assert_string_equal(sim_fleetctl_state(c, e->ns), "sleeping");
	assert_int_equal(replicas(s, e->ns, name), 0);
	assert_int_equal(sim_store_mutate(s, sim_resource_find("apps", "v1", "deployments"), e->ns,
					  "hypnus", annotate_waking, NULL, 0, NULL, &err), 0);
	sim_fleetctl_advance(c, 1);
	assert_string_equal(sim_fleetctl_state(c, e->ns), "waking");
	assert_int_equal(replicas(s, e->ns, name), e->replicas[0]);
	sim_fleetctl_stop(c);
	sim_store_free(s);
	sim_fleet_reset();
}

/* The whole loop: real workload controller, fast clock, the controller's own thread. */
static void test_hypnus_with_pods(void **state)
{
	sim_store *s = seeded(10, 23);
	sim_workload_opts wo = {.start_delay_ms = 300, .ready_delay_ms = 300};
	sim_workload *w = sim_workload_start(s, &wo);
	sim_fleetctl_opts o = {.tick_ms = 20, .no_traffic = 1, .no_builds = 1, .no_prewake = 1};
	sim_fleetctl *c;
	const sim_tenant *t = NULL;
	const sim_fleet_env *e = NULL;
	char buf[64];
	int64_t deadline;

	assert_non_null(w);
	/* the available env that falls asleep first */
	for (size_t i = 0; i < sim_fleet_count(); i++)
		for (int k = 0; k < SIM_ENV_COUNT; k++) {
			const sim_fleet_env *x = &sim_fleet_tenant(i)->envs[k];

			if (x->scenario == SIM_SCN_AVAILABLE &&
			    (!e || x->idle_timeout_s < e->idle_timeout_s)) {
				e = x;
				t = sim_fleet_tenant(i);
			}
		}
	assert_non_null(e);
	c = sim_fleetctl_start(s, w, 600, &o, NULL);
	assert_non_null(c);
	deadline = util_mono_ms() + 20000;
	while (strcmp(sim_fleetctl_state(c, e->ns), "sleeping") && util_mono_ms() < deadline) {
		struct timespec ts = {0, 20000000};

		nanosleep(&ts, NULL);
	}
	assert_string_equal(sim_fleetctl_state(c, e->ns), "sleeping");
	assert_int_equal(sim_fleetctl_traffic(c, t->tcode, e->env, NULL), 0);
	deadline = util_mono_ms() + 20000;
	while (strcmp(sim_fleetctl_state(c, e->ns), "active") && util_mono_ms() < deadline) {
		struct timespec ts = {0, 20000000};

		nanosleep(&ts, NULL);
	}
	assert_string_equal(sim_fleetctl_state(c, e->ns), "active");
	assert_true(atoi(hyp_ann(s, e->ns, "hypnus-cold-start-seconds", buf, sizeof(buf))) >= 0);
	assert_string_equal(hyp_ann(s, e->ns, "hypnus-state", buf, sizeof(buf)), "active");
	sim_fleetctl_stop(c);
	sim_workload_stop(w);
	sim_store_free(s);
	sim_fleet_reset();
}

/* Adoption with every thread running: the workload controller asks the policy while the
 * fleet controller adopts and drops namespaces and a reader takes fleet reports. */
static int make_ns(sim_store *s, const char *name, const char *tcode, const char *env)
{
	char text[512];
	cJSON *obj;
	int rc;

	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"" P "tcode\":\"%s\",\"" P
		 "env\":\"%s\"}}}", name, tcode, env);
	obj = cJSON_Parse(text);
	rc = sim_store_create(s, sim_resource_find("", "v1", "namespaces"), "", obj, 0, NULL, NULL);
	cJSON_Delete(obj);
	return rc;
}

static int make_license(sim_store *s, const char *ns)
{
	cJSON *obj = cJSON_Parse(
		"{\"metadata\":{\"name\":\"license\"},\"spec\":{\"replicas\":1,\"selector\":"
		"{\"matchLabels\":{\"app\":\"l\"}},\"template\":{\"metadata\":{\"labels\":"
		"{\"app\":\"l\",\"" P "component\":\"license\"}},\"spec\":{\"containers\":"
		"[{\"name\":\"license\",\"image\":\"l:1\"}]}}}}");
	int rc = sim_store_create(s, sim_resource_find("apps", "v1", "deployments"), ns, obj, 0,
				  NULL, NULL);

	cJSON_Delete(obj);
	return rc;
}

typedef struct reader {
	sim_fleetctl *c;
	int stop;   /* atomic */
	int reports;
} reader;

static void *read_reports(void *arg)
{
	reader *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_SEQ_CST)) {
		free(sim_fleetctl_json(r->c));
		r->reports++;
	}
	return NULL;
}

static const char *license_reason(sim_store *s, const char *ns, char *buf, size_t size)
{
	sim_list l;
	sim_selector *sel = sim_selector_parse_labels(P "component=license", NULL);

	buf[0] = '\0';
	if (sim_store_list(s, sim_resource_find("", "v1", "pods"), ns, sel, NULL, 0, NULL, &l,
			   NULL) == 0) {
		if (l.n) {
			cJSON *pod = sim_obj_parse(l.items[0]);
			const cJSON *cs = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(pod, "status"), "containerStatuses"), 0);
			const cJSON *w = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(cs, "lastState"), "terminated");
			const cJSON *reason = cJSON_GetObjectItemCaseSensitive(w, "reason");

			if (cJSON_IsString(reason))
				util_strlcpy(buf, reason->valuestring, size);
			cJSON_Delete(pod);
		}
		sim_list_release(&l);
	}
	sim_selector_free(sel);
	return buf;
}

static void test_adopt_threads(void **state)
{
	sim_store *s = seeded(10, 5);
	sim_workload_opts wo = {.start_delay_ms = 50, .ready_delay_ms = 50};
	sim_workload *w = sim_workload_start(s, &wo);
	sim_fleetctl_opts o = {.tick_ms = 10, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, w, 60, &o, NULL);
	reader r = {.c = c};
	pthread_t th;
	const sim_contract *expired = NULL;
	char ns[24], buf[64];
	int64_t deadline;
	int rounds = 0;

	assert_non_null(c);
	for (size_t i = 0; i < sim_catalog_count() && !expired; i++)
		if (!sim_catalog_provisioned(sim_catalog_at(i)) &&
		    !strcmp(sim_catalog_at(i)->status, "expired"))
			expired = sim_catalog_at(i);
	assert_non_null(expired);
	assert_int_equal(pthread_create(&th, NULL, read_reports, &r), 0);
	/* namespaces come and go under the running controllers */
	for (size_t i = 0; i < sim_catalog_count(); i++) {
		const sim_contract *k = sim_catalog_at(i);
		struct timespec ts = {0, 5000000};

		if (sim_catalog_provisioned(k) || k == expired)
			continue;
		snprintf(ns, sizeof(ns), "t%s-dev", k->tcode + 1);
		assert_int_equal(make_ns(s, ns, k->tcode, "dev"), 0);
		assert_int_equal(make_license(s, ns), 0);
		nanosleep(&ts, NULL);
		if (i % 2)
			assert_int_equal(sim_store_delete(s, sim_resource_find("", "v1", "namespaces"),
							  "", ns, 0, NULL, NULL), 0);
		rounds++;
	}
	assert_true(rounds >= 4);
	/* the expired one crash-loops its licence server */
	snprintf(ns, sizeof(ns), "t%s-prod", expired->tcode + 1);
	assert_int_equal(make_ns(s, ns, expired->tcode, "prod"), 0);
	assert_int_equal(make_license(s, ns), 0);
	deadline = util_mono_ms() + 20000;
	while (strcmp(license_reason(s, ns, buf, sizeof(buf)), "ContractExpired") &&
	       util_mono_ms() < deadline) {
		struct timespec ts = {0, 20000000};

		nanosleep(&ts, NULL);
	}
	assert_string_equal(buf, "ContractExpired");
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(expired->tcode)), 1);
	__atomic_store_n(&r.stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);
	assert_true(r.reports > 0);
	sim_fleetctl_stop(c);
	sim_workload_stop(w);
	sim_store_free(s);
	sim_fleet_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_parse),
		cmocka_unit_test(test_policy_per_scenario),
		cmocka_unit_test(test_rules_from_configmap),
		cmocka_unit_test(test_hypnus_manual_clock),
		cmocka_unit_test(test_prewake_ahead_of_busy_hours),
		cmocka_unit_test(test_client_wakes),
		cmocka_unit_test(test_hypnus_with_pods),
		cmocka_unit_test(test_adopt_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
