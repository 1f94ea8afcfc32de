/* Unit tests for the adoption of tenants created through the API (sim/fleetadopt.c)
 * on a manual clock: the usage week parser, time zone offsets, Hypnus and the pod policy
 * of an adopted env, the catalogue flag, deletion of adopted and seeded envs, the
 * relist after the namespace watch lost events, and the usage history an adopted env's
 * Hypnus records (sim/usage_rec.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/catalog.h"
#include "sim/fleet.h"
#include "sim/fleetctl.h"
#include "sim/store.h"
#include "sim/usage.h"
#include "sim/usage_rec.h"
#include "util/util.h"

#define P SIM_FLEET_PREFIX

static int64_t the_time;

static int64_t fixed_now(void *ctx)
{
	return *(const int64_t *)ctx;
}

/* A fleet of n seeded on a Wednesday, 10:00 in Sao Paulo (a busy hour). */
static sim_store *seeded(size_t n, uint64_t seed, size_t window)
{
	sim_store *s = sim_store_new(window);
	sim_err err;

	the_time = util_parse_rfc3339("2026-11-25T13:00:00Z");
	sim_store_set_clock(s, fixed_now, &the_time);
	if (sim_fleet_seed(s, n, seed, NULL, &err) < 0)
		fail_msg("seed: %s", err.message);
	return s;
}

static void done(sim_fleetctl *c, sim_store *s)
{
	sim_fleetctl_stop(c);
	sim_store_free(s);
	sim_fleet_reset();
}

/* The i-th catalogue contract that is not provisioned, in the SMART model, with the
 * status asked for. */
static const sim_contract *unprovisioned(const char *status, int i)
{
	for (size_t k = 0; k < sim_catalog_count(); k++) {
		const sim_contract *c = sim_catalog_at(k);

		if (!sim_catalog_provisioned(c) && !c->traditional && !strcmp(c->status, status) &&
		    i-- == 0)
			return c;
	}
	fail_msg("no unprovisioned %s contract", status);
	return NULL;
}

static void create_json(sim_store *s, const char *group, const char *resource, const char *ns,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void create_json(sim_store *s, const char *group, const char *resource, const char *ns,
			const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	cJSON *obj;
	sim_err err;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	obj = cJSON_Parse(text);
	assert_non_null(obj);
	if (sim_store_create(s, sim_resource_find(group, "v1", resource), ns, obj,
			     0, NULL, &err) < 0)
		fail_msg("create %s: %s", resource, err.message);
	cJSON_Delete(obj);
}

/* A tenant env as the provisioner makes it, reduced to what the fleet reads: the
 * namespace, a public Deployment and (idle > 0) a Hypnus Deployment. */
static void make_env(sim_store *s, const char *tcode, const char *env, const char *ns, int idle,
		     const char *tz)
{
	create_json(s, "", "namespaces", "",
		    "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"" P "tcode\":\"%s\",\"" P
		    "env\":\"%s\",\"" P "product\":\"erp\"},\"annotations\":{\"" P
		    "customer-name\":\"Adopted Ltda\",\"" P "timezone\":\"%s\"}}}",
		    ns, tcode, env, tz);
	create_json(s, "apps", "deployments", ns,
		    "{\"metadata\":{\"name\":\"appserver-webapp\",\"labels\":{\"" P
		    "tier\":\"public\",\"" P "component\":\"appserver\"},\"annotations\":{\"" P
		    "hypnus-replicas\":\"2\"}},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":"
		    "{\"app\":\"w\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"w\"}},"
		    "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"a:1\"}]}}}}");
	if (idle > 0)
		create_json(s, "apps", "deployments", ns,
			    "{\"metadata\":{\"name\":\"hypnus\",\"labels\":{\"" P
			    "component\":\"hypnus\"},\"annotations\":{\"" P
			    "hypnus-state\":\"active\",\"" P "hypnus-idle-timeout\":\"%d\"}},"
			    "\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"h\"}},"
			    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"h\"}},\"spec\":"
			    "{\"containers\":[{\"name\":\"h\",\"image\":\"h:1\"}]}}}}",
			    idle);
}

static void delete_ns(sim_store *s, const char *ns)
{
	sim_err err;

	if (sim_store_delete(s, sim_resource_find("", "v1", "namespaces"), "", ns, 0, NULL, &err) < 0)
		fail_msg("delete %s: %s", ns, err.message);
}

static int replicas(sim_store *s, const char *ns, const char *name, char *ann, size_t asize)
{
	sim_obj *o = sim_store_get(s, sim_resource_find("apps", "v1", "deployments"), ns, name, NULL);
	cJSON *tree, *a;
	int n;

	assert_non_null(o);
	tree = sim_obj_parse(o);
	n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "spec"),
					     "replicas")->valueint;
	a = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(tree, "metadata"), "annotations"), P "hypnus-replicas");
	util_strlcpy(ann, cJSON_IsString(a) ? a->valuestring : "", asize);
	cJSON_Delete(tree);
	sim_obj_unref(o);
	return n;
}

/* The scenario the fleet report gives tcode's env ("" when the env is not listed),
 * and whether the item says adopted. */
static const char *report(sim_fleetctl *c, const char *tcode, const char *env, char *buf,
			  size_t size, int *adopted)
{
	char *text = sim_fleetctl_json(c);
	cJSON *root = cJSON_Parse(text), *it, *e;

	buf[0] = '\0';
	if (adopted)
		*adopted = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "items")) {
		if (strcmp(cJSON_GetObjectItemCaseSensitive(it, "tcode")->valuestring, tcode))
			continue;
		if (adopted)
			*adopted = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "adopted"));
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(it, "envs"))
			if (!strcmp(cJSON_GetObjectItemCaseSensitive(e, "env")->valuestring, env))
				util_strlcpy(buf,
					     cJSON_GetObjectItemCaseSensitive(e, "scenario")->valuestring,
					     size);
	}
	cJSON_Delete(root);
	free(text);
	return buf;
}

/* ---- pure parts ---------------------------------------------------------- */

static void test_usage_week(void **state)
{
	/* two weeks from Monday 2026-11-23 00:00 UTC: week one h % 168, week two that + 2 */
	int64_t start = util_parse_rfc3339("2026-11-23T00:00:00Z");
	strbuf sb;
	sim_usage_week w;
	char e[128];

	sb_init(&sb, 4096);
	for (int i = 0; i < 336; i++)
		sb_addf(&sb, i ? ",%d" : "%d", i % 168 + (i >= 168 ? 2 : 0));
	assert_int_equal(sim_usage_week_parse("2026-11-23T00:00:00Z", sb.buf, &w, e, sizeof(e)), 0);
	/* the same hour of any later week has the mean of both */
	assert_true(sim_usage_week_rate(&w, start + 10 * 3600 + 1800) == 11.0);
	assert_true(sim_usage_week_rate(&w, start + 5 * 7 * 86400 + 100 * 3600) == 101.0);
	assert_true(sim_usage_week_rate(&w, start - 3600) == 168.0); /* hour 167 of the week */

	/* one day only: the other hours get the day's mean */
	assert_int_equal(sim_usage_week_parse("2026-11-23T00:00:00Z",
					      "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,48", &w,
					      e, sizeof(e)), 0);
	assert_true(sim_usage_week_rate(&w, start + 23 * 3600) == 48.0);
	assert_true(sim_usage_week_rate(&w, start + 3 * 3600) == 0.0);
	assert_true(sim_usage_week_rate(&w, start + 30 * 3600) == 2.0);

	/* wrong input: a reason, nothing half-read */
	assert_int_equal(sim_usage_week_parse("yesterday", "1,2", &w, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "not an RFC 3339 time"));
	assert_int_equal(sim_usage_week_parse("2026-11-23T00:00:00Z", "1,x,3", &w, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "hour 2"));
	assert_int_equal(sim_usage_week_parse("2026-11-23T00:00:00Z", "1,2;3", &w, e, sizeof(e)), -1);
	assert_int_equal(sim_usage_week_parse("2026-11-23T00:00:00Z", "", &w, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "no hours"));
	sb_reset(&sb);
	for (int i = 0; i <= SIM_FLEET_HOURS; i++)
		sb_adds(&sb, i ? ",1" : "1");
	assert_int_equal(sim_usage_week_parse("2026-11-23T00:00:00Z", sb.buf, &w, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "more than"));
	sb_release(&sb);
}

static void test_tz_offset(void **state)
{
	int off = 0;

	assert_int_equal(sim_fleet_tz_offset("America/Sao_Paulo", &off), 0);
	assert_int_equal(off, -180);
	assert_int_equal(sim_fleet_tz_offset("America/Manaus", &off), 0);
	assert_int_equal(off, -240);
	assert_int_equal(sim_fleet_tz_offset("America/Noronha", &off), 0);
	assert_int_equal(off, -120);
	assert_int_equal(sim_fleet_tz_offset("America/Rio_Branco", &off), 0);
	assert_int_equal(off, -300);
	assert_int_equal(sim_fleet_tz_offset("Europe/Lisbon", &off), -1);
	assert_int_equal(sim_fleet_tz_offset(NULL, &off), -1);
}

/* ---- an adopted tenant's life -------------------------------------------- */

static void test_adopted_hypnus(void **state)
{
	sim_store *s = seeded(10, 5, 100000);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	const sim_contract *k = unprovisioned("active", 0);
	char tc[8], prod[24], dev[24], buf[64], ann[16];
	int adopted;
	int64_t t0;
	sim_err err;

	util_strlcpy(tc, k->tcode, sizeof(tc));
	snprintf(prod, sizeof(prod), "t%s-prod", tc + 1);
	snprintf(dev, sizeof(dev), "t%s-dev", tc + 1);
	assert_null(sim_fleetctl_state(c, prod));
	assert_int_equal(sim_fleetctl_traffic(c, tc, "prod", &err), -1);
	assert_int_equal(err.code, 404);

	make_env(s, tc, "prod", prod, 600, "America/Manaus");
	make_env(s, tc, "dev", dev, 900, "");
	sim_fleetctl_advance(c, 1);
	assert_string_equal(sim_fleetctl_state(c, prod), "active");
	assert_string_equal(sim_fleetctl_state(c, dev), "active");
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(tc)), 1);
	assert_string_equal(report(c, tc, "prod", buf, sizeof(buf), &adopted), "available");
	assert_int_equal(adopted, 1);
	{
		char r[64] = "", m[256] = "";

		assert_int_equal(sim_fleetctl_verdict(c, prod, "license", NULL, r, sizeof(r), m,
						      sizeof(m)), SIM_FLEETCTL_OK);
		assert_int_equal(sim_fleetctl_verdict(c, prod, "appserver", "webapp", r, sizeof(r),
						      m, sizeof(m)), SIM_FLEETCTL_OK);
	}

	/* prod's 600 s pass: asleep, public to 0 with the awake count kept; dev (900) not */
	sim_fleetctl_advance(c, 500);
	assert_string_equal(sim_fleetctl_state(c, prod), "active");
	sim_fleetctl_advance(c, 110);
	assert_string_equal(sim_fleetctl_state(c, prod), "sleeping");
	assert_string_equal(sim_fleetctl_state(c, dev), "active");
	assert_int_equal(replicas(s, prod, "appserver-webapp", ann, sizeof(ann)), 0);
	assert_string_equal(ann, "2");
	assert_string_equal(report(c, tc, "prod", buf, sizeof(buf), NULL), "sleeping");
	sim_fleetctl_advance(c, 300);
	assert_string_equal(sim_fleetctl_state(c, dev), "sleeping");

	/* a request wakes prod: back to 2, then active after a simulated cold start */
	t0 = sim_fleetctl_now(c);
	assert_int_equal(sim_fleetctl_traffic(c, tc, "prod", &err), 0);
	assert_string_equal(sim_fleetctl_state(c, prod), "waking");
	assert_int_equal(replicas(s, prod, "appserver-webapp", ann, sizeof(ann)), 2);
	for (int i = 0; i < 20 && strcmp(sim_fleetctl_state(c, prod), "active"); i++)
		sim_fleetctl_advance(c, 5);
	assert_string_equal(sim_fleetctl_state(c, prod), "active");
	assert_true(sim_fleetctl_now(c) - t0 >= 20);
	assert_string_equal(report(c, tc, "prod", buf, sizeof(buf), NULL), "available");

	/* one namespace gone: the env leaves, the tenant stays provisioned */
	delete_ns(s, dev);
	sim_fleetctl_advance(c, 1);
	assert_null(sim_fleetctl_state(c, dev));
	assert_string_equal(report(c, tc, "dev", buf, sizeof(buf), NULL), "");
	assert_string_equal(report(c, tc, "prod", buf, sizeof(buf), NULL), "available");
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(tc)), 1);
	assert_int_equal(sim_fleetctl_traffic(c, tc, "dev", &err), -1);
	assert_int_equal(err.code, 404);
	/* both gone: out of the report, unprovisioned */
	delete_ns(s, prod);
	sim_fleetctl_advance(c, 1);
	assert_null(sim_fleetctl_state(c, prod));
	assert_string_equal(report(c, tc, "prod", buf, sizeof(buf), &adopted), "");
	assert_int_equal(adopted, 0);
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(tc)), 0);
	done(c, s);
}

/* Traffic follows the usage ConfigMap when there is one, else the default pattern. */
static void test_adopted_traffic(void **state)
{
	sim_store *s = seeded(10, 5, 100000);
	sim_fleetctl_opts o = {.manual = 1, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	char quiet[8], busy[8], nsq[24], nsb[24], nope[24];
	strbuf sb;

	util_strlcpy(quiet, unprovisioned("active", 0)->tcode, sizeof(quiet));
	util_strlcpy(busy, unprovisioned("active", 1)->tcode, sizeof(busy));
	snprintf(nsq, sizeof(nsq), "t%s-prod", quiet + 1);
	snprintf(nsb, sizeof(nsb), "t%s-prod", busy + 1);
	make_env(s, quiet, "prod", nsq, 600, "America/Sao_Paulo");
	make_env(s, busy, "prod", nsb, 600, "America/Sao_Paulo");
	sb_init(&sb, 2048);
	for (int i = 0; i < SIM_FLEET_HOURS; i++)
		sb_adds(&sb, i ? ",0" : "0");
	create_json(s, "", "configmaps", nsq,
		    "{\"metadata\":{\"name\":\"hypnus-usage\"},\"data\":{\"start\":"
		    "\"2026-10-28T12:00:00Z\",\"hours\":\"%s\"}}", sb.buf);
	sb_release(&sb);
	/* no Hypnus Deployment: adopted but never put to sleep */
	snprintf(nope, sizeof(nope), "t%s-dev", busy + 1);
	make_env(s, busy, "dev", nope, 0, "");

	/* 10:00 on a Wednesday in Sao Paulo: the default pattern is near its peak */
	for (int i = 0; i < 60; i++)
		sim_fleetctl_advance(c, 30);
	assert_string_equal(sim_fleetctl_state(c, nsq), "sleeping");
	assert_string_equal(sim_fleetctl_state(c, nsb), "active");
	assert_string_equal(sim_fleetctl_state(c, nope), "active");
	{
		char ann[16];

		assert_int_equal(replicas(s, nope, "appserver-webapp", ann, sizeof(ann)), 2);
	}
	done(c, s);
}

static void test_adopted_expired(void **state)
{
	sim_store *s = seeded(10, 5, 100000);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	const sim_contract *k = unprovisioned("expired", 0);
	char tc[8], ns[24], r[64] = "", m[256] = "", buf[32];

	util_strlcpy(tc, k->tcode, sizeof(tc));
	snprintf(ns, sizeof(ns), "t%s-prod", tc + 1);
	make_env(s, tc, "prod", ns, 600, "");
	sim_fleetctl_advance(c, 1);
	assert_int_equal(sim_fleetctl_verdict(c, ns, "license", NULL, r, sizeof(r), m, sizeof(m)),
			 SIM_FLEETCTL_CRASHLOOP);
	assert_string_equal(r, "ContractExpired");
	assert_non_null(strstr(m, tc));
	assert_int_equal(sim_fleetctl_verdict(c, ns, "dbaccess", NULL, r, sizeof(r), m, sizeof(m)),
			 SIM_FLEETCTL_NOT_READY);
	assert_string_equal(r, "WaitingForPredecessor");
	assert_string_equal(m, "waiting for lockserver");
	assert_string_equal(report(c, tc, "prod", buf, sizeof(buf), NULL), "blocked");
	done(c, s);
}

/* Seeded envs leave when their namespace goes; recreated, they are adopted. */
static void test_seeded_deleted(void **state)
{
	sim_store *s = seeded(10, 5, 100000);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	const sim_tenant *t = sim_fleet_tenant(3);
	char buf[32];
	int adopted;
	sim_err err;

	delete_ns(s, t->envs[SIM_ENV_DEV].ns);
	sim_fleetctl_advance(c, 1);
	assert_null(sim_fleetctl_state(c, t->envs[SIM_ENV_DEV].ns));
	assert_non_null(sim_fleetctl_state(c, t->envs[SIM_ENV_PROD].ns));
	assert_string_equal(report(c, t->tcode, "dev", buf, sizeof(buf), NULL), "");
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(t->tcode)), 1);
	delete_ns(s, t->envs[SIM_ENV_PROD].ns);
	sim_fleetctl_advance(c, 1);
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(t->tcode)), 0);
	assert_int_equal(sim_fleetctl_traffic(c, t->tcode, "prod", &err), -1);
	assert_int_equal(err.code, 404);
	{
		char r[64] = "", m[256] = "";

		/* no env: pods there are left alone */
		assert_int_equal(sim_fleetctl_verdict(c, t->envs[SIM_ENV_PROD].ns, "license", NULL,
						      r, sizeof(r), m, sizeof(m)), SIM_FLEETCTL_OK);
	}
	/* made again through the API: adopted */
	make_env(s, t->tcode, "prod", t->envs[SIM_ENV_PROD].ns, 600, "");
	sim_fleetctl_advance(c, 1);
	assert_string_equal(sim_fleetctl_state(c, t->envs[SIM_ENV_PROD].ns), "active");
	assert_string_equal(report(c, t->tcode, "prod", buf, sizeof(buf), &adopted), "available");
	assert_int_equal(adopted, 1);
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(t->tcode)), 1);
	/* one env of a seeded tenant made again: listed under the seeded tenant's item */
	{
		const sim_tenant *t5 = sim_fleet_tenant(5);
		char key[32], *text;
		const char *p;
		int n = 0;

		delete_ns(s, t5->envs[SIM_ENV_DEV].ns);
		sim_fleetctl_advance(c, 1);
		make_env(s, t5->tcode, "dev", t5->envs[SIM_ENV_DEV].ns, 600, "");
		sim_fleetctl_advance(c, 1);
		assert_string_equal(report(c, t5->tcode, "dev", buf, sizeof(buf), &adopted), "available");
		assert_int_equal(adopted, 0);
		assert_string_not_equal(report(c, t5->tcode, "prod", buf, sizeof(buf), NULL), "");
		snprintf(key, sizeof(key), "\"tcode\":\"%s\"", t5->tcode);
		text = sim_fleetctl_json(c);
		for (p = text; (p = strstr(p, key)); p++)
			n++;
		free(text);
		assert_int_equal(n, 1);
	}
	/* a second namespace claiming a seeded env that exists is not adopted */
	make_env(s, sim_fleet_tenant(4)->tcode, "prod", "other-prod", 600, "");
	sim_fleetctl_advance(c, 1);
	assert_null(sim_fleetctl_state(c, "other-prod"));
	done(c, s);
}

/* Custom builds run in adopted ERP tenants too (here the only tenant there is). */
static void test_adopted_builds(void **state)
{
	sim_store *s = seeded(0, 5, 100000);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	char tc[8], prod[24], dev[24];
	size_t jobs = 0;
	sim_list l;

	util_strlcpy(tc, unprovisioned("active", 0)->tcode, sizeof(tc));
	snprintf(prod, sizeof(prod), "t%s-prod", tc + 1);
	snprintf(dev, sizeof(dev), "t%s-dev", tc + 1);
	make_env(s, tc, "prod", prod, 600, "");
	make_env(s, tc, "dev", dev, 600, "");
	for (int i = 0; i < 6 * 60; i++)
		sim_fleetctl_advance(c, 60);
	assert_int_equal(sim_store_list(s, sim_resource_find("batch", "v1", "jobs"), NULL, NULL,
					NULL, 0, NULL, &l, NULL), 0);
	for (size_t i = 0; i < l.n; i++) {
		assert_true(!strcmp(l.items[i]->ns, prod) || !strcmp(l.items[i]->ns, dev));
		assert_non_null(strstr(l.items[i]->name, "custombuild-"));
		jobs++;
	}
	sim_list_release(&l);
	assert_true(jobs >= 3); /* one every 10-40 simulated minutes, at most 8 at a time */
	done(c, s);
}

/* A small watch window: the namespace watch loses events, the controller lists again. */
static void test_resync(void **state)
{
	sim_store *s = seeded(2, 5, 300);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	char tc[8], ns[24], dev[24], buf[32];

	util_strlcpy(tc, unprovisioned("active", 0)->tcode, sizeof(tc));
	snprintf(ns, sizeof(ns), "t%s-prod", tc + 1);
	snprintf(dev, sizeof(dev), "t%s-dev", tc + 1);
	make_env(s, tc, "prod", ns, 600, "");
	make_env(s, tc, "dev", dev, 600, "");
	for (int i = 0; i < 400; i++)
		create_json(s, "", "configmaps", SIM_FLEET_SYSTEM_NS, "{\"metadata\":{\"name\":\"filler-%d\"}}", i);
	sim_fleetctl_advance(c, 1); /* 410: nothing adopted yet */
	sim_fleetctl_advance(c, 1); /* listed again */
	assert_string_equal(sim_fleetctl_state(c, ns), "active");
	assert_string_equal(sim_fleetctl_state(c, dev), "active");
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(tc)), 1);

	delete_ns(s, ns);
	delete_ns(s, dev);
	delete_ns(s, sim_fleet_tenant(0)->envs[SIM_ENV_DEV].ns);
	for (int i = 400; i < 800; i++)
		create_json(s, "", "configmaps", SIM_FLEET_SYSTEM_NS, "{\"metadata\":{\"name\":\"filler-%d\"}}", i);
	sim_fleetctl_advance(c, 1);
	sim_fleetctl_advance(c, 1);
	assert_null(sim_fleetctl_state(c, ns));
	assert_null(sim_fleetctl_state(c, dev));
	assert_null(sim_fleetctl_state(c, sim_fleet_tenant(0)->envs[SIM_ENV_DEV].ns));
	assert_int_equal(sim_catalog_provisioned(sim_catalog_find(tc)), 0);
	assert_string_equal(report(c, sim_fleet_tenant(0)->tcode, "dev", buf, sizeof(buf), NULL), "");
	done(c, s);
}

/* ---- the usage history an adopted env's Hypnus records ----------------------- */

static void test_usage_rec(void **state)
{
	static sim_usage_rec r;
	static sim_usage_hist h;
	int64_t t0 = util_parse_rfc3339("2026-11-25T13:00:00Z");
	char e[128], *text;
	double sum;

	/* the first hour is dropped when it was not seen from its start */
	memset(&r, 0, sizeof(r));
	sim_usage_rec_add(&r, t0 + 600, 9);
	sim_usage_rec_add(&r, t0 + 3600, 4);
	sim_usage_rec_add(&r, t0 + 3600 + 1800, 2);
	assert_int_equal(r.n, 0);
	sim_usage_rec_roll(&r, t0 + 4 * 3600 + 5); /* 14:00 done, 15:00 and 16:00 empty */
	assert_int_equal(r.n, 3);
	assert_int_equal(r.first, t0 + 3600);
	assert_int_equal(r.pending[0], 6);
	assert_int_equal(r.pending[1], 0);
	assert_int_equal(r.pending[2], 0);
	sim_usage_rec_roll(&r, t0 + 4 * 3600 + 100); /* the same hour: nothing new */
	assert_int_equal(r.n, 3);

	/* a new history, then an append */
	sim_usage_hist_from(&h, &r);
	text = sim_usage_hist_hours(&h);
	assert_string_equal(text, "6,0,0");
	free(text);
	r.n = 0;
	sim_usage_rec_add(&r, t0 + 4 * 3600 + 200, 11);
	sim_usage_rec_roll(&r, t0 + 5 * 3600);
	assert_int_equal(sim_usage_hist_append(&h, &r), 1);
	assert_int_equal(sim_usage_hist_append(&h, &r), 0); /* it has that hour already */
	text = sim_usage_hist_hours(&h);
	assert_string_equal(text, "6,0,0,11");
	free(text);
	assert_int_equal(h.start, t0 + 3600);

	/* a gap (nobody recorded): zeros; the window stays 672, start moves on */
	r.n = 0;
	sim_usage_rec_add(&r, t0 + 7 * 3600, 3);
	sim_usage_rec_roll(&r, t0 + 8 * 3600);
	assert_int_equal(r.n, 3); /* 17:00, 18:00 empty, 19:00 with 3 */
	r.first += 2 * 3600;      /* as if only 19:00 were pending */
	r.pending[0] = 3;
	r.n = 1;
	assert_int_equal(sim_usage_hist_append(&h, &r), 1);
	text = sim_usage_hist_hours(&h);
	assert_string_equal(text, "6,0,0,11,0,0,3");
	free(text);
	assert_int_equal(sim_usage_hist_parse("2026-11-25T00:00:00Z", "-180", "1,2,3", &h, e,
					      sizeof(e)), 0);
	memset(&r, 0, sizeof(r));
	r.first = h.start + 3 * 3600;
	r.n = SIM_FLEET_HOURS - 1;
	for (size_t i = 0; i < r.n; i++)
		r.pending[i] = 100 + (uint32_t)i;
	assert_int_equal(sim_usage_hist_append(&h, &r), SIM_FLEET_HOURS - 1);
	assert_int_equal(h.n, SIM_FLEET_HOURS);
	assert_int_equal(h.start, util_parse_rfc3339("2026-11-25T02:00:00Z"));
	assert_int_equal(h.hours[0], 3);
	assert_int_equal(h.hours[SIM_FLEET_HOURS - 1], 100 + SIM_FLEET_HOURS - 2);
	/* a recorder nobody read for more than 4 weeks keeps the last 672 hours */
	memset(&r, 0, sizeof(r));
	sim_usage_rec_add(&r, t0, 1);
	sim_usage_rec_add(&r, t0 + 800 * 3600 + 1, 5);
	assert_int_equal(r.n, SIM_FLEET_HOURS);
	assert_int_equal(r.first, t0 + (800 - SIM_FLEET_HOURS) * 3600);

	/* a pass that spans an hour's end: each hour gets its share, the total is kept */
	memset(&r, 0, sizeof(r));
	sim_usage_rec_roll(&r, t0);
	sim_usage_rec_add_span(&r, t0 + 3000, t0 + 3600 + 600, 12);
	sim_usage_rec_add_span(&r, t0 + 3600 + 600, t0 + 3 * 3600 + 1200, 7); /* 3 hours */
	sim_usage_rec_roll(&r, t0 + 4 * 3600);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.pending[0], 6);
	assert_int_equal(r.pending[1], 6 + 3);
	assert_int_equal(r.pending[2], 3);
	assert_int_equal(r.pending[3], 1);
	assert_int_equal(r.pending[0] + r.pending[1] + r.pending[2] + r.pending[3], 19);

	/* what a client may have written instead */
	assert_int_equal(sim_usage_hist_parse("yesterday", NULL, "1", &h, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "not an RFC 3339 time"));
	assert_int_equal(sim_usage_hist_parse("2026-11-25T00:30:00Z", NULL, "1", &h, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "not on the hour"));
	assert_int_equal(sim_usage_hist_parse("2026-11-25T00:00:00Z", "x", "1", &h, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "utc-offset-minutes"));
	assert_int_equal(sim_usage_hist_parse("2026-11-25T00:00:00Z", NULL, "1,,2", &h, e, sizeof(e)), -1);
	assert_non_null(strstr(e, "value 2 is not a count"));
	assert_int_equal(sim_usage_hist_parse("2026-11-25T00:00:00Z", NULL, "", &h, e, sizeof(e)), -1);
	assert_int_equal(sim_usage_hist_parse("2026-11-25T00:00:00Z", NULL, NULL, &h, e, sizeof(e)), -1);
	assert_int_equal(sim_usage_hist_parse("2026-11-25T00:00:00Z", NULL, "99999999999", &h, e,
					      sizeof(e)), -1);

	/* the requests of a pass: some exactly when the traffic test says so, mean lambda */
	for (double lambda = 0.05; lambda < 400; lambda *= 7) {
		uint64_t rng = 42;

		sum = 0;
		for (int i = 0; i < 20000; i++) {
			double u = sim_fleet_unit(&rng);
			uint64_t k = sim_usage_requests(lambda, u, rng);

			assert_int_equal(k > 0, u < 1.0 - exp(-lambda));
			sum += (double)k;
		}
		assert_true(fabs(sum / 20000 - lambda) < 0.05 * lambda + 0.01);
	}
}

/* The ConfigMap's data strings (NULL when absent), and the object's labels. */
static cJSON *usage_cm(sim_store *s, const char *ns)
{
	sim_obj *o = sim_store_get(s, sim_resource_find("", "v1", "configmaps"), ns,
				   "hypnus-usage", NULL);
	cJSON *tree;

	if (!o)
		return NULL;
	tree = sim_obj_parse(o);
	sim_obj_unref(o);
	return tree;
}

static const char *cm_data(const cJSON *cm, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cm, "data"), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void send(sim_fleetctl *c, const char *tcode, int n)
{
	sim_err err;

	for (int i = 0; i < n; i++)
		if (sim_fleetctl_traffic(c, tcode, "prod", &err) < 0)
			fail_msg("traffic: %s", err.message);
}

static void expect_usage(sim_store *s, const char *ns, const char *start, const char *hours)
{
	cJSON *cm = usage_cm(s, ns);

	assert_non_null(cm);
	assert_string_equal(cm_data(cm, "start"), start);
	assert_string_equal(cm_data(cm, "hours"), hours);
	cJSON_Delete(cm);
}

static int count_events(sim_store *s, const char *ns, const char *reason)
{
	sim_list l;
	int n = 0;

	assert_int_equal(sim_store_list(s, sim_resource_find("", "v1", "events"), ns, NULL, NULL, 0,
					NULL, &l, NULL), 0);
	for (size_t i = 0; i < l.n; i++) {
		cJSON *ev = sim_obj_parse(l.items[i]);
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(ev, "reason");

		n += cJSON_IsString(r) && !strcmp(r->valuestring, reason);
		cJSON_Delete(ev);
	}
	sim_list_release(&l);
	return n;
}

/* A new tenant's Hypnus writes each finished hour with the requests it got. */
static void test_adopted_usage(void **state)
{
	sim_store *s = seeded(4, 5, 100000);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	char tc[8], ns[24], dev[24];
	cJSON *cm;

	util_strlcpy(tc, unprovisioned("active", 0)->tcode, sizeof(tc));
	snprintf(ns, sizeof(ns), "t%s-prod", tc + 1);
	snprintf(dev, sizeof(dev), "t%s-dev", tc + 1);
	make_env(s, tc, "prod", ns, 600, "America/Manaus");
	make_env(s, tc, "dev", dev, 0, ""); /* no Hypnus: nobody records */
	sim_fleetctl_tick(c);                  /* adopted at 13:00:00 sharp */
	assert_string_equal(sim_fleetctl_state(c, ns), "active");

	sim_fleetctl_advance(c, 600);
	send(c, tc, 5);
	sim_fleetctl_advance(c, 1800);
	assert_null(usage_cm(s, ns)); /* the hour is not over */
	sim_fleetctl_advance(c, 1200);  /* 14:00 */
	cm = usage_cm(s, ns);
	assert_non_null(cm);
	assert_string_equal(cm_data(cm, "start"), "2026-11-25T13:00:00Z");
	assert_string_equal(cm_data(cm, "hours"), "5");
	assert_string_equal(cm_data(cm, "utc-offset-minutes"), "-240");
	assert_string_equal(cm_data(cm, "timezone"), "America/Manaus");
	{
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cm, "metadata"), "labels");

		assert_string_equal(cJSON_GetObjectItemCaseSensitive(l, P "tcode")->valuestring, tc);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(l, P "component")->valuestring,
				    "hypnus");
	}
	cJSON_Delete(cm);
	assert_null(usage_cm(s, dev));

	/* one write per hour, appended; quiet hours are zeros (it slept: still counted) */
	send(c, tc, 3);
	sim_fleetctl_advance(c, 1800);
	send(c, tc, 4);
	sim_fleetctl_advance(c, 1800);
	expect_usage(s, ns, "2026-11-25T13:00:00Z", "5,7");
	for (int i = 0; i < 4; i++)
		sim_fleetctl_advance(c, 900);
	send(c, tc, 1);
	sim_fleetctl_advance(c, 3600);
	expect_usage(s, ns, "2026-11-25T13:00:00Z", "5,7,0,1");
	assert_string_equal(sim_fleetctl_state(c, ns), "active"); /* the request woke it */
	{
		/* a jump of two hours in one pass: both are written at once */
		sim_obj *before = sim_store_get(s, sim_resource_find("", "v1", "configmaps"), ns,
						"hypnus-usage", NULL);
		uint64_t rv = before->rv;

		sim_obj_unref(before);
		sim_fleetctl_advance(c, 7200);
		expect_usage(s, ns, "2026-11-25T13:00:00Z", "5,7,0,1,0,0");
		before = sim_store_get(s, sim_resource_find("", "v1", "configmaps"), ns, "hypnus-usage",
				       NULL);
		assert_true(before->rv > rv);
		rv = before->rv;
		sim_obj_unref(before);
		sim_fleetctl_advance(c, 600); /* within the hour: no write */
		before = sim_store_get(s, sim_resource_find("", "v1", "configmaps"), ns, "hypnus-usage",
				       NULL);
		assert_int_equal(before->rv, rv);
		sim_obj_unref(before);
	}
	done(c, s);
}

/* A client's history is appended to and kept at 4 weeks; one that cannot be read is
 * replaced, with an Event that tells why. */
static void test_adopted_usage_window(void **state)
{
	sim_store *s = seeded(4, 5, 100000);
	sim_fleetctl_opts o = {.manual = 1, .no_traffic = 1, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	const sim_resource *r_cm = sim_resource_find("", "v1", "configmaps");
	char tc[8], ns[24], want[64];
	strbuf sb;
	cJSON *cm, *obj;
	const char *h;
	sim_err err;

	util_strlcpy(tc, unprovisioned("active", 0)->tcode, sizeof(tc));
	snprintf(ns, sizeof(ns), "t%s-prod", tc + 1);
	make_env(s, tc, "prod", ns, 600, "America/Sao_Paulo");
	sb_init(&sb, 4096);
	for (int i = 0; i < SIM_FLEET_HOURS; i++)
		sb_addf(&sb, i ? ",%d" : "%d", i == 0 ? 77 : i == 1 ? 88 : 0);
	/* 4 weeks ending at 13:00 */
	create_json(s, "", "configmaps", ns,
		    "{\"metadata\":{\"name\":\"hypnus-usage\"},\"data\":{\"start\":"
		    "\"2026-10-28T13:00:00Z\",\"utc-offset-minutes\":\"-180\",\"hours\":\"%s\"}}",
		    sb.buf);
	sb_release(&sb);
	sim_fleetctl_tick(c);
	send(c, tc, 6);
	sim_fleetctl_advance(c, 3600);
	cm = usage_cm(s, ns);
	assert_string_equal(cm_data(cm, "start"), "2026-10-28T14:00:00Z"); /* moved on */
	h = cm_data(cm, "hours");
	assert_true(!strncmp(h, "88,0,", 5));                               /* 77 went */
	assert_string_equal(h + strlen(h) - 4, ",0,6");
	{
		size_t n = 1;

		for (const char *p = h; *p; p++)
			n += *p == ',';
		assert_int_equal(n, SIM_FLEET_HOURS);
	}
	cJSON_Delete(cm);
	assert_int_equal(count_events(s, ns, "HypnusUsageReset"), 0);

	/* a client writes garbage: the traffic goes on, the next hour starts a new history */
	obj = cJSON_Parse("{\"metadata\":{\"name\":\"hypnus-usage\"},\"data\":{\"start\":"
			  "\"2026-10-28T14:00:00Z\",\"hours\":\"1,2,x\"}}");
	assert_int_equal(sim_store_update(s, r_cm, ns, "hypnus-usage", obj, 0, NULL, &err), 0);
	cJSON_Delete(obj);
	sim_fleetctl_advance(c, 600);
	send(c, tc, 2);
	sim_fleetctl_advance(c, 3000);
	cm = usage_cm(s, ns);
	assert_string_equal(cm_data(cm, "start"), "2026-11-25T14:00:00Z");
	assert_string_equal(cm_data(cm, "hours"), "2");
	assert_string_equal(cm_data(cm, "utc-offset-minutes"), "-180");
	assert_string_equal(cm_data(cm, "timezone"), "America/Sao_Paulo");
	cJSON_Delete(cm);
	assert_int_equal(count_events(s, ns, "HypnusUsageReset"), 1);

	/* data that is not even a map: replaced too; the next hour appends again */
	obj = cJSON_Parse("{\"metadata\":{\"name\":\"hypnus-usage\"},\"data\":{\"start\":"
			  "\"soon\"}}");
	assert_int_equal(sim_store_update(s, r_cm, ns, "hypnus-usage", obj, 0, NULL, &err), 0);
	cJSON_Delete(obj);
	send(c, tc, 1);
	sim_fleetctl_advance(c, 3600);
	expect_usage(s, ns, "2026-11-25T15:00:00Z", "1");
	send(c, tc, 2);
	sim_fleetctl_advance(c, 3600);
	expect_usage(s, ns, "2026-11-25T15:00:00Z", "1,2");
	assert_int_equal(count_events(s, ns, "HypnusUsageReset"), 2);

	/* deleted by a client: the next hour starts over */
	assert_int_equal(sim_store_delete(s, r_cm, ns, "hypnus-usage", 0, NULL, &err), 0);
	sim_fleetctl_advance(c, 3600);
	snprintf(want, sizeof(want), "2026-11-25T17:00:00Z");
	expect_usage(s, ns, want, "0");
	done(c, s);
}

/* With traffic on, in a busy hour, the count is what the simulation sent: the hour's
 * rate, give or take. */
static void test_adopted_usage_traffic(void **state)
{
	sim_store *s = seeded(4, 5, 100000);
	sim_fleetctl_opts o = {.manual = 1, .no_builds = 1};
	sim_fleetctl *c = sim_fleetctl_start(s, NULL, 1, &o, NULL);
	char tc[8], ns[24];
	cJSON *cm;
	long n;

	util_strlcpy(tc, unprovisioned("active", 0)->tcode, sizeof(tc));
	snprintf(ns, sizeof(ns), "t%s-prod", tc + 1);
	make_env(s, tc, "prod", ns, 600, "America/Sao_Paulo");
	sim_fleetctl_tick(c); /* 10:00 on a Wednesday in Sao Paulo */
	for (int i = 0; i < 120; i++)
		sim_fleetctl_advance(c, 30);
	cm = usage_cm(s, ns);
	assert_non_null(cm);
	n = strtol(cm_data(cm, "hours"), NULL, 10);
	cJSON_Delete(cm);
	/* peak rates are 300..3000 an hour, 10:00 is the peak of the weekday shape */
	assert_true(n >= 150 && n <= 4000);
	for (int i = 0; i < 120; i++)
		sim_fleetctl_advance(c, 30);
	assert_string_equal(sim_fleetctl_state(c, ns), "active");
	cm = usage_cm(s, ns);
	assert_non_null(strchr(cm_data(cm, "hours"), ','));
	cJSON_Delete(cm);
	done(c, s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_week),
		cmocka_unit_test(test_tz_offset),
		cmocka_unit_test(test_adopted_hypnus),
		cmocka_unit_test(test_adopted_traffic),
		cmocka_unit_test(test_adopted_expired),
		cmocka_unit_test(test_seeded_deleted),
		cmocka_unit_test(test_adopted_builds),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_usage_rec),
		cmocka_unit_test(test_adopted_usage),
		cmocka_unit_test(test_adopted_usage_window),
		cmocka_unit_test(test_adopted_usage_traffic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
