/* Unit tests for core/fleet (tenants and health assembled from projected
 * records) and core/catalog (contracts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/catalog.h"
#include "core/fleet.h"
#include "core/fleet_cache.h"
#include "util/util.h"

/* A tiny cluster: records added by helpers. */
typedef struct fixture {
	project_ns ns[16];
	size_t n_ns;
	project_workload wl[64];
	size_t n_wl;
	project_ingress ing[16];
	size_t n_ing;
	project_pod pods[16];
	size_t n_pods;
} fixture;

static fixture fx;

static void add_ns(const char *tcode, int env, const char *customer)
{
	project_ns *n = &fx.ns[fx.n_ns++];

	memset(n, 0, sizeof(*n));
	tcode_namespace(tcode, (tcode_env)env, n->m.name, sizeof(n->m.name));
	util_strlcpy(n->tcode, tcode, sizeof(n->tcode));
	n->env = (uint8_t)env;
	n->product = MODEL_PRODUCT_ERP;
	util_strlcpy(n->customer, customer, sizeof(n->customer));
	util_strlcpy(n->provider, "aws", sizeof(n->provider));
}

static void add_wl(const char *ns, int tier, const char *comp, const char *role, int desired,
		   int ready)
{
	project_workload *w = &fx.wl[fx.n_wl++];

	memset(w, 0, sizeof(*w));
	util_strlcpy(w->m.ns, ns, sizeof(w->m.ns));
	snprintf(w->m.name, sizeof(w->m.name), "%s%s%s", comp, role ? "-" : "", role ? role : "");
	w->tier = (uint8_t)tier;
	util_strlcpy(w->component, comp, sizeof(w->component));
	util_strlcpy(w->role, role ? role : "", sizeof(w->role));
	w->desired = desired;
	w->ready = ready;
}

static void add_hypnus(const char *ns, int state)
{
	project_workload *w = &fx.wl[fx.n_wl++];

	memset(w, 0, sizeof(*w));
	util_strlcpy(w->m.ns, ns, sizeof(w->m.ns));
	util_strlcpy(w->m.name, "hypnus", sizeof(w->m.name));
	w->tier = PROJECT_TIER_PROXY;
	util_strlcpy(w->component, "hypnus", sizeof(w->component));
	w->desired = w->ready = 1;
	w->hypnus.present = 1;
	w->hypnus.state = (uint8_t)state;
	w->hypnus.idle_timeout_s = 900;
}

/* A full environment; bad names a base component to leave 0/1 ready. */
static void add_env(const char *tcode, int env, const char *bad, int web_ready, int hyp)
{
	char ns[TCODE_NS_SIZE];
	static const char *const base[] = {"license", "lockserver", "dbaccess"};
	size_t i;

	add_ns(tcode, env, "Acme Ltda");
	tcode_namespace(tcode, (tcode_env)env, ns, sizeof(ns));
	for (i = 0; i < ARRAY_SIZE(base); i++)
		add_wl(ns, PROJECT_TIER_BASE, base[i], NULL, 1,
		       bad && !strcmp(bad, base[i]) ? 0 : 1);
	add_wl(ns, PROJECT_TIER_PUBLIC, "appserver", "webapp", hyp == MODEL_HYPNUS_SLEEPING ? 0 : 2,
	       web_ready);
	add_wl(ns, PROJECT_TIER_PUBLIC, "appserver", "rest", hyp == MODEL_HYPNUS_SLEEPING ? 0 : 1,
	       hyp == MODEL_HYPNUS_SLEEPING ? 0 : 1);
	add_hypnus(ns, hyp);
}

static void add_license_pod(const char *ns, const char *reason)
{
	project_pod *p = &fx.pods[fx.n_pods++];

	memset(p, 0, sizeof(*p));
	util_strlcpy(p->m.ns, ns, sizeof(p->m.ns));
	snprintf(p->m.name, sizeof(p->m.name), "license-%zu", fx.n_pods);
	p->tier = PROJECT_TIER_BASE;
	util_strlcpy(p->component, "license", sizeof(p->component));
	util_strlcpy(p->waiting_reason, "CrashLoopBackOff", sizeof(p->waiting_reason));
	util_strlcpy(p->terminated_reason, reason, sizeof(p->terminated_reason));
	p->restarts = 7;
}

static fleet_snapshot *build(const fleet_cluster_state *st, const catalog *cat)
{
	health_opts ho = {util_parse_rfc3339("2026-11-28T12:00:00Z"), 0};
	fleet_cluster_state ok;

	if (!st) {
		memset(&ok, 0, sizeof(ok));
		util_strlcpy(ok.name, "east", sizeof(ok.name));
		st = &ok;
	}
	return fleet_snapshot_build(st, fx.ns, fx.n_ns, fx.wl, fx.n_wl, fx.ing, fx.n_ing, fx.pods,
				    fx.n_pods, cat, NULL, &ho);
}

static int setup(void **state)
{
	memset(&fx, 0, sizeof(fx));
	return 0;
}

static const fleet_tenant *find(const fleet_snapshot *s, const char *tcode)
{
	size_t i;

	for (i = 0; i < s->n_tenants; i++)
		if (!strcmp(fleet_tenant_at(s, i)->t.tcode, tcode))
			return fleet_tenant_at(s, i);
	fail_msg("tenant %s missing", tcode);
	return NULL;
}

static const health_result *env_h(const fleet_snapshot *s, const fleet_tenant *t, int env)
{
	assert_true(t->env[env] >= 0);
	return fleet_env_health(s, t->env[env]);
}

static void test_scenarios(void **state)
{
	fleet_snapshot *s;
	const fleet_tenant *t;

	/* Added out of order: the snapshot sorts by TCODE. */
	add_env("T30000", TCODE_ENV_PROD, "lockserver", 0, MODEL_HYPNUS_ACTIVE);
	add_env("T30000", TCODE_ENV_DEV, NULL, 2, MODEL_HYPNUS_ACTIVE);
	add_env("T10000", TCODE_ENV_PROD, NULL, 2, MODEL_HYPNUS_ACTIVE);
	add_env("T10000", TCODE_ENV_DEV, NULL, 0, MODEL_HYPNUS_SLEEPING);
	add_env("T20000", TCODE_ENV_PROD, NULL, 1, MODEL_HYPNUS_ACTIVE);
	add_env("T20000", TCODE_ENV_DEV, NULL, 2, MODEL_HYPNUS_WAKING);
	add_env("T40000", TCODE_ENV_PROD, "license", 0, MODEL_HYPNUS_ACTIVE);
	add_license_pod("t40000-prod", "ContractInvalid");
	add_env("T50000", TCODE_ENV_DEV, "dbaccess", 0, MODEL_HYPNUS_ACTIVE);
	s = build(NULL, NULL);

	assert_int_equal(s->n_tenants, 5);
	assert_int_equal(s->n_envs, 8);
	assert_string_equal(fleet_tenant_at(s, 0)->t.tcode, "T10000");
	assert_string_equal(fleet_tenant_at(s, 4)->t.tcode, "T50000");

	t = find(s, "T10000");
	assert_int_equal(env_h(s, t, TCODE_ENV_PROD)->state, HEALTH_AVAILABLE);
	assert_int_equal(env_h(s, t, TCODE_ENV_DEV)->state, HEALTH_SLEEPING);
	assert_int_equal(t->health.state, HEALTH_AVAILABLE);
	assert_string_equal(t->t.customer, "Acme Ltda");
	assert_string_equal(t->t.cluster, "east");
	assert_string_equal(t->provider, "aws");

	t = find(s, "T20000");
	assert_int_equal(env_h(s, t, TCODE_ENV_PROD)->state, HEALTH_DEGRADED);
	assert_non_null(strstr(env_h(s, t, TCODE_ENV_PROD)->cause, "webapp 1/2"));
	assert_int_equal(env_h(s, t, TCODE_ENV_DEV)->state, HEALTH_WAKING);

	t = find(s, "T30000");
	assert_int_equal(t->health.state, HEALTH_DOWN);
	assert_true(util_starts_with(env_h(s, t, TCODE_ENV_PROD)->cause, "lockserver down"));
	assert_non_null(strstr(env_h(s, t, TCODE_ENV_PROD)->cause, "wait"));
	assert_true(util_starts_with(t->health.cause, "prod: lockserver down"));

	t = find(s, "T40000");
	assert_int_equal(t->env[TCODE_ENV_DEV], -1);
	assert_int_equal(env_h(s, t, TCODE_ENV_PROD)->state, HEALTH_BLOCKED);
	assert_non_null(strstr(env_h(s, t, TCODE_ENV_PROD)->cause, "ContractInvalid"));

	t = find(s, "T50000"); /* only dev: dev counts as is */
	assert_int_equal(t->env[TCODE_ENV_PROD], -1);
	assert_int_equal(t->health.state, HEALTH_DOWN);
	assert_true(util_starts_with(t->health.cause, "dev: dbaccess down"));

	/* Every env points back at its tenant, after sorting. */
	for (size_t i = 0; i < s->n_envs; i++) {
		const fleet_tenant *o = fleet_tenant_at(s, s->env_tenant[i]);
		char tc[TCODE_SIZE];
		assert_int_equal(tcode_from_namespace(fleet_env(s, i)->ns, tc, NULL), 0);
		assert_string_equal(tc, o->t.tcode);
	}
	assert_int_equal(s->clusters[0].n_tenants, 5);
	assert_int_equal(s->n_pods, 1); /* kept with pods */
	fleet_snapshot_put(s);
}

static void test_unreachable_is_unknown(void **state)
{
	fleet_cluster_state st;
	fleet_snapshot *s;
	const fleet_tenant *t;

	add_env("T10000", TCODE_ENV_PROD, NULL, 2, MODEL_HYPNUS_ACTIVE);
	add_env("T10000", TCODE_ENV_DEV, "license", 0, MODEL_HYPNUS_ACTIVE);
	memset(&st, 0, sizeof(st));
	util_strlcpy(st.name, "west", sizeof(st.name));
	st.reach = FLEET_UNREACHABLE;
	/* since is on the local clock, carried to the cluster's (12:00:00 in
	 * build()) as "that long ago": two minutes ago, a second more if the
	 * wall clock ticks between here and there */
	st.since = util_now_ms() / 1000 - 120;
	util_strlcpy(st.why, "cluster unreachable: connection refused", sizeof(st.why));
	s = build(&st, NULL);
	t = find(s, "T10000");
	assert_int_equal(t->health.state, HEALTH_UNKNOWN);
	assert_int_equal(env_h(s, t, TCODE_ENV_PROD)->state, HEALTH_UNKNOWN);
	assert_true(strstr(env_h(s, t, TCODE_ENV_PROD)->cause, "since 11:58:00") ||
		    strstr(env_h(s, t, TCODE_ENV_PROD)->cause, "since 11:57:59"));
	assert_non_null(strstr(t->health.cause, "connection refused"));
	assert_int_equal(s->clusters[0].reach, FLEET_UNREACHABLE);
	fleet_snapshot_put(s);
}

static const char catalog_json[] =
    "{\"kind\":\"ContractList\",\"items\":["
    "{\"tcode\":\"T20000\",\"customer\":\"Beta SA\",\"model\":\"smart\",\"products\":[\"erp\"],"
    "\"licences\":{\"prod\":10,\"dev\":2},\"valid_until\":\"2026-10-01\",\"provider\":\"gcp\","
    "\"status\":\"active\",\"provisioned\":true,\"timezone\":\"America/Manaus\"},"
    "{\"tcode\":\"T10000\",\"customer\":\"Acme\",\"model\":\"smart\",\"products\":[\"erp\","
    "\"esocial\"],\"licences\":{\"prod\":5,\"dev\":1},\"valid_until\":\"2027-01-31\","
    "\"provider\":\"aws\",\"status\":\"active\",\"provisioned\":true},"
    "{\"customer\":\"no code\"},"
    "{\"tcode\":\"T90000\",\"model\":\"traditional\",\"status\":\"suspended\"}]}";

static void test_catalog_parse(void **state)
{
	catalog c = {0};
	const catalog_entry *e;
	char err[128];

	assert_int_equal(catalog_parse(catalog_json, strlen(catalog_json), &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.n, 3);
	e = catalog_find(&c, "T20000");
	assert_non_null(e);
	assert_string_equal(e->customer, "Beta SA");
	assert_int_equal(e->lic_prod, 10);
	assert_int_equal(e->lic_dev, 2);
	assert_int_equal(e->contract.known, 1);
	assert_int_equal(e->contract.licences, 12);
	assert_int_equal(e->contract.model, MODEL_CONTRACT_SMART);
	assert_int_equal(e->contract.valid_until, util_parse_rfc3339("2026-10-01T23:59:59Z"));
	e = catalog_find(&c, "T10000");
	assert_string_equal(e->contract.products, "erp,esocial");
	e = catalog_find(&c, "T90000");
	assert_int_equal(e->contract.model, MODEL_CONTRACT_TRADITIONAL);
	assert_null(catalog_find(&c, "T55555"));
	catalog_release(&c);
	assert_int_equal(catalog_parse("{\"kind\":1}", 10, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "items"));
	assert_int_equal(catalog_parse("{nope", 5, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not JSON"));
}

static void test_catalog_blocks(void **state)
{
	catalog c = {0};
	fleet_snapshot *s;
	const fleet_tenant *t;

	assert_int_equal(catalog_parse(catalog_json, strlen(catalog_json), &c, NULL, 0), 0);
	add_env("T20000", TCODE_ENV_PROD, NULL, 2, MODEL_HYPNUS_ACTIVE);
	add_env("T10000", TCODE_ENV_PROD, NULL, 2, MODEL_HYPNUS_ACTIVE);
	s = build(NULL, &c);
	t = find(s, "T20000"); /* expired on 2026-10-01, now is 2026-11-28 */
	assert_int_equal(t->health.state, HEALTH_BLOCKED);
	assert_non_null(strstr(t->health.cause, "contract expired 2026-10-01"));
	assert_string_equal(t->t.contract.status, "active");
	t = find(s, "T10000");
	assert_int_equal(t->health.state, HEALTH_AVAILABLE);
	assert_int_equal(t->t.contract.licences, 6);
	fleet_snapshot_put(s);
	catalog_release(&c);
}

static void test_ingress_hosts_and_duplicates(void **state)
{
	fleet_snapshot *s;
	const fleet_tenant *t;
	const model_env *e;

	add_env("T10000", TCODE_ENV_PROD, NULL, 2, MODEL_HYPNUS_ACTIVE);
	add_ns("T10000", TCODE_ENV_PROD, "again"); /* the same namespace twice: counted once */
	memset(&fx.ing[0], 0, sizeof(fx.ing[0]));
	util_strlcpy(fx.ing[0].m.ns, "t10000-prod", sizeof(fx.ing[0].m.ns));
	util_strlcpy(fx.ing[0].m.name, "webapp", sizeof(fx.ing[0].m.name));
	util_strlcpy(fx.ing[0].role, "webapp", sizeof(fx.ing[0].role));
	util_strlcpy(fx.ing[0].host, "webapp-t10000.example", sizeof(fx.ing[0].host));
	fx.n_ing = 1;
	/* A workload in a namespace that is not a tenant's is ignored. */
	add_wl("kube-system", PROJECT_TIER_BASE, "license", NULL, 1, 0);
	s = build(NULL, NULL);
	assert_int_equal(s->n_tenants, 1);
	assert_int_equal(s->n_envs, 1);
	t = find(s, "T10000");
	e = fleet_env(s, t->env[TCODE_ENV_PROD]);
	assert_int_equal(e->n_base, 3);
	assert_int_equal(e->n_public, 2);
	assert_string_equal(e->pub[0].role, "webapp");
	assert_string_equal(model_text(e, e->pub[0].host), "webapp-t10000.example");
	assert_string_equal(model_text(e, e->pub[1].host), "");
	assert_int_equal(t->health.state, HEALTH_AVAILABLE);
	fleet_snapshot_put(s);
}

static void test_many_tenants(void **state)
{
	enum { N = 3000 };
	project_ns *ns = xcalloc(2 * N, sizeof(*ns));
	project_workload *wl = xcalloc(2 * N, sizeof(*wl));
	fleet_cluster_state st;
	fleet_snapshot *s;
	size_t i, down = 0;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < 2 * N; i++) {
		char tc[TCODE_SIZE];
		snprintf(tc, sizeof(tc), "T%05zu", 99999 - i / 2);
		tcode_namespace(tc, (tcode_env)(i & 1), ns[i].m.name, sizeof(ns[i].m.name));
		util_strlcpy(ns[i].tcode, tc, sizeof(ns[i].tcode));
		ns[i].env = (uint8_t)(i & 1);
		util_strlcpy(wl[i].m.ns, ns[i].m.name, sizeof(wl[i].m.ns));
		util_strlcpy(wl[i].m.name, "dbaccess", sizeof(wl[i].m.name));
		util_strlcpy(wl[i].component, "dbaccess", sizeof(wl[i].component));
		wl[i].tier = PROJECT_TIER_BASE;
		wl[i].desired = 1;
		wl[i].ready = (i % 7) ? 1 : 0;
	}
	s = fleet_snapshot_build(&st, ns, 2 * N, wl, 2 * N, NULL, 0, NULL, 0, NULL, NULL, NULL);
	assert_int_equal(s->n_tenants, N);
	assert_int_equal(s->n_envs, 2 * N);
	for (i = 1; i < s->n_tenants; i++)
		assert_true(strcmp(fleet_tenant_at(s, i - 1)->t.tcode, fleet_tenant_at(s, i)->t.tcode) < 0);
	for (i = 0; i < s->n_envs; i++)
		down += fleet_env_health(s, i)->state == HEALTH_DOWN;
	assert_int_equal(down, (2 * N + 6) / 7);
	fleet_snapshot_put(s);
	free(ns);
	free(wl);
}

/* No client: the cluster is unreachable at once; the cached tenants are unknown. */
static void test_load_without_client_uses_cache(void **state)
{
	char dir[] = "/tmp/fleet-test-XXXXXX", *path, err[256];
	fleet_cluster_cfg cfg = {"gone", NULL, NULL, "cluster unreachable: no route",
				 "https://gone.example:6443"};
	fleet_cache_row rows[2];
	fleet_opts fo = {0};
	fleet_snapshot *s;
	fleet *f;

	assert_non_null(mkdtemp(dir));
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < 2; i++) {
		snprintf(rows[i].ns, sizeof(rows[i].ns), "t12345-%s", i ? "dev" : "prod");
		util_strlcpy(rows[i].tcode, "T12345", sizeof(rows[i].tcode));
		rows[i].env = (uint8_t)i;
		rows[i].product = MODEL_PRODUCT_ERP;
		rows[i].state = HEALTH_AVAILABLE;
		util_strlcpy(rows[i].customer, "Acme", sizeof(rows[i].customer));
		util_strlcpy(rows[i].provider, "aws", sizeof(rows[i].provider));
	}
	assert_int_equal(fleet_cache_write(dir, cfg.server, "gone", rows, 2, 1764000000, err,
					   sizeof(err)),
			 0);
	path = fleet_cache_path(dir, cfg.server, "gone");
	fo.cache_dir = dir;
	f = fleet_new(&cfg, 1, &fo);
	assert_int_equal(fleet_load(f), 0);
	s = fleet_snapshot_get(f);
	assert_non_null(s);
	assert_string_equal(s->clusters[0].cache_warn, "");
	assert_int_equal(s->n_tenants, 1);
	assert_string_equal(fleet_tenant_at(s, 0)->t.tcode, "T12345");
	assert_string_equal(fleet_tenant_at(s, 0)->t.customer, "Acme");
	assert_int_equal(fleet_tenant_at(s, 0)->health.state, HEALTH_UNKNOWN);
	assert_non_null(strstr(fleet_tenant_at(s, 0)->health.cause, "no route"));
	assert_int_equal(s->clusters[0].reach, FLEET_UNREACHABLE);
	fleet_free(f);
	/* The snapshot outlives the fleet. */
	assert_string_equal(fleet_tenant_at(s, 0)->t.cluster, "gone");
	fleet_snapshot_put(s);
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_scenarios, setup),
	    cmocka_unit_test_setup(test_unreachable_is_unknown, setup),
	    cmocka_unit_test_setup(test_catalog_parse, setup),
	    cmocka_unit_test_setup(test_catalog_blocks, setup),
	    cmocka_unit_test_setup(test_ingress_hosts_and_duplicates, setup),
	    cmocka_unit_test_setup(test_many_tenants, setup),
	    cmocka_unit_test_setup(test_load_without_client_uses_cache, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
