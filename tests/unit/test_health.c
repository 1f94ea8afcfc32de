/* Unit tests for core/health. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/health.h"
#include "util/util.h"

#define NOW 1796040000 /* 2026-11-30T12:00:00Z */

static const health_opts opts = {NOW, 0};

static void add_base(model_env *e, const char *comp, int ready, int desired)
{
	model_base *b = &e->base[e->n_base++];

	util_strlcpy(b->component, comp, sizeof(b->component));
	b->ready = (int16_t)ready;
	b->desired = (int16_t)desired;
}

static void add_pub(model_env *e, const char *role, int ready, int desired)
{
	model_public *p = &e->pub[e->n_public++];

	util_strlcpy(p->role, role, sizeof(p->role));
	p->ready = (int16_t)ready;
	p->desired = (int16_t)desired;
}

static model_base *base(model_env *e, const char *comp)
{
	size_t i;

	for (i = 0; i < e->n_base; i++)
		if (!strcmp(e->base[i].component, comp))
			return &e->base[i];
	fail_msg("no base %s", comp);
	return NULL;
}

/* A healthy prod environment: 3 base services, 3 public roles, Hypnus active. */
static void healthy(model_env *e)
{
	memset(e, 0, sizeof(*e));
	util_strlcpy(e->ns, "t12345-prod", sizeof(e->ns));
	e->env = TCODE_ENV_PROD;
	e->product = MODEL_PRODUCT_ERP;
	add_base(e, "license", 1, 1);
	add_base(e, "lockserver", 1, 1);
	add_base(e, "dbaccess", 1, 1);
	add_pub(e, "smartclient", 1, 1);
	add_pub(e, "webapp", 1, 1);
	add_pub(e, "rest", 2, 2);
	e->hypnus.present = 1;
	e->hypnus.state = MODEL_HYPNUS_ACTIVE;
}

static void check(const model_env *e, const model_contract *c, health_state want, const char *cause)
{
	health_result r;

	health_env(e, c, NULL, &opts, &r);
	if (r.state != want || strcmp(r.cause, cause))
		fail_msg("got %s \"%s\", want %s \"%s\"", health_name(r.state), r.cause,
			 health_name(want), cause);
}

static void test_names(void **state)
{
	health_state s;
	int i;

	assert_string_equal(health_name(HEALTH_AVAILABLE), "available");
	assert_string_equal(health_name(HEALTH_BLOCKED), "blocked");
	for (i = 0; i < HEALTH_COUNT; i++) {
		assert_int_equal(health_parse(health_name((health_state)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(health_parse("fine", &s), -1);
}

static void test_severity_order(void **state)
{
	static const health_state worst_first[] = {HEALTH_DOWN,	    HEALTH_BLOCKED, HEALTH_UNKNOWN,
						   HEALTH_DEGRADED, HEALTH_WAKING,  HEALTH_SLEEPING,
						   HEALTH_AVAILABLE};
	size_t i;

	for (i = 1; i < ARRAY_SIZE(worst_first); i++) {
		assert_true(health_severity(worst_first[i - 1]) > health_severity(worst_first[i]));
		assert_true(health_cmp_worst_first(worst_first[i - 1], worst_first[i]) < 0);
		assert_true(health_cmp_worst_first(worst_first[i], worst_first[i - 1]) > 0);
	}
	assert_int_equal(health_cmp_worst_first(HEALTH_DOWN, HEALTH_DOWN), 0);
}

static void test_available(void **state)
{
	model_env e;

	healthy(&e);
	check(&e, NULL, HEALTH_AVAILABLE, "3 base services up, 3 public services ready");
}

static void test_down_lockserver_first(void **state)
{
	model_env e;
	model_base *ls;

	healthy(&e);
	ls = base(&e, "lockserver");
	ls->ready = 0;
	model_text_set(&e, &ls->waiting_reason, "CrashLoopBackOff", MODEL_REASON_MAX);
	ls->restarts = 5;
	base(&e, "dbaccess")->ready = 0;
	e.pub[1].ready = 0;
	e.pub[2].ready = 0;
	check(&e, NULL, HEALTH_DOWN,
	      "lockserver down (CrashLoopBackOff, 5 restarts); dbaccess, appserver wait for it");
}

static void test_down_dbaccess_when_lockserver_fine(void **state)
{
	model_env e;
	model_base *db;

	healthy(&e);
	db = base(&e, "dbaccess");
	db->ready = 0;
	model_text_set(&e, &db->terminated_reason, "Error", MODEL_TERMINATED_MAX);
	db->restarts = 1;
	e.pub[0].ready = 0;
	check(&e, NULL, HEALTH_DOWN, "dbaccess down (Error, 1 restart); appserver waits for it");
}

static void test_down_wording_variants(void **state)
{
	model_env e;

	/* no reason: ready count; dependents that are fine are not listed */
	healthy(&e);
	base(&e, "dbaccess")->ready = 0;
	check(&e, NULL, HEALTH_DOWN, "dbaccess down (0/1 ready)");

	healthy(&e);
	base(&e, "license")->desired = 0;
	base(&e, "license")->ready = 0;
	check(&e, NULL, HEALTH_DOWN, "license down (scaled to 0)");

	/* a base component outside the rules only when nothing in them fails */
	healthy(&e);
	add_base(&e, "postgres", 0, 1);
	check(&e, NULL, HEALTH_DOWN, "postgres down (0/1 ready)");
	base(&e, "lockserver")->ready = 0;
	check(&e, NULL, HEALTH_DOWN, "lockserver down (0/1 ready); also postgres down (0/1 ready)");
}

static void test_down_custom_rules(void **state)
{
	model_env e;
	rules r;
	health_result res;
	char err[128];

	/* with dbaccess first in the chain, it is the cause */
	assert_int_equal(
	    rules_parse(
		&r, "dbaccess:\nlicense: dbaccess\nlockserver: license\nappserver: lockserver\n",
		err, sizeof(err)),
	    0);
	healthy(&e);
	base(&e, "lockserver")->ready = 0;
	base(&e, "dbaccess")->ready = 0;
	health_env(&e, NULL, &r, &opts, &res);
	assert_int_equal(res.state, HEALTH_DOWN);
	assert_string_equal(res.cause, "dbaccess down (0/1 ready); lockserver waits for it");
}

static void test_blocked_by_licenseserver(void **state)
{
	model_env e;
	model_base *lic;

	healthy(&e);
	lic = base(&e, "license");
	lic->ready = 0;
	lic->restarts = 7;
	model_text_set(&e, &lic->waiting_reason, "CrashLoopBackOff", MODEL_REASON_MAX);
	model_text_set(&e, &lic->terminated_reason, "ContractExpired", MODEL_TERMINATED_MAX);
	base(&e, "lockserver")->ready = 0;
	check(&e, NULL, HEALTH_BLOCKED,
	      "licence blocked: LicenseServer reports ContractExpired (7 restarts)");

	/* the waiting message names it instead */
	lic->terminated_reason = 0;
	model_text_set(&e, &lic->message, "license check failed: ContractInvalid", MODEL_MESSAGE_MAX);
	check(&e, NULL, HEALTH_BLOCKED,
	      "licence blocked: LicenseServer reports ContractInvalid (7 restarts)");

	/* a LicenseServer that is up again is not blocked, even with the old reason */
	lic->ready = 1;
	base(&e, "lockserver")->ready = 1;
	check(&e, NULL, HEALTH_AVAILABLE, "3 base services up, 3 public services ready");
}

static void test_blocked_by_catalogue(void **state)
{
	model_env e;
	model_contract c;

	healthy(&e);
	memset(&c, 0, sizeof(c));
	c.known = 1;
	util_strlcpy(c.status, "active", sizeof(c.status));
	c.valid_until = 1790899199; /* 2026-10-01T23:59:59Z */
	check(&e, &c, HEALTH_BLOCKED, "licence blocked: contract expired 2026-10-01");

	c.valid_until = NOW + 86400;
	check(&e, &c, HEALTH_AVAILABLE, "3 base services up, 3 public services ready");

	util_strlcpy(c.status, "suspended", sizeof(c.status));
	check(&e, &c, HEALTH_BLOCKED, "licence blocked: contract suspended");

	util_strlcpy(c.status, "expired", sizeof(c.status));
	c.valid_until = 0;
	check(&e, &c, HEALTH_BLOCKED, "licence blocked: contract expired");

	/* a contract not fetched is ignored */
	c.known = 0;
	check(&e, &c, HEALTH_AVAILABLE, "3 base services up, 3 public services ready");
}

static void test_blocked_beats_down_and_sleep(void **state)
{
	model_env e;
	model_contract c;

	healthy(&e);
	memset(&c, 0, sizeof(c));
	c.known = 1;
	util_strlcpy(c.status, "expired", sizeof(c.status));
	base(&e, "dbaccess")->ready = 0;
	e.hypnus.state = MODEL_HYPNUS_SLEEPING;
	check(&e, &c, HEALTH_BLOCKED, "licence blocked: contract expired");
}

static void test_sleeping(void **state)
{
	model_env e;
	size_t i;

	healthy(&e);
	e.hypnus.state = MODEL_HYPNUS_SLEEPING;
	e.hypnus.last_activity = NOW - 3 * 3600 + 70; /* 09:01:10 */
	for (i = 0; i < e.n_public; i++)
		e.pub[i].ready = e.pub[i].desired = 0;
	check(&e, NULL, HEALTH_SLEEPING,
	      "sleeping by design, wakes on the next request (last request 09:01:10)");

	/* a sleeping tenant whose base is down is down */
	base(&e, "lockserver")->ready = 0;
	check(&e, NULL, HEALTH_DOWN, "lockserver down (0/1 ready)");

	/* sleeping annotation but a service still wants replicas: judged as usual */
	base(&e, "lockserver")->ready = 1;
	e.pub[1].desired = 1;
	check(&e, NULL, HEALTH_DEGRADED,
	      "3 of 3 public services not ready: smartclient 0/0, webapp 0/1, rest 0/0");
}

static void test_waking(void **state)
{
	model_env e;

	healthy(&e);
	e.hypnus.state = MODEL_HYPNUS_WAKING;
	e.hypnus.last_wake = NOW - 45; /* 11:59:15 */
	e.pub[0].ready = 0;
	e.pub[2].ready = 0;
	check(&e, NULL, HEALTH_WAKING, "waking since 11:59:15: 1 of 3 public services ready");

	/* Hypnus absent: its annotation is not looked at */
	e.hypnus.present = 0;
	check(&e, NULL, HEALTH_DEGRADED,
	      "2 of 3 public services not ready: smartclient 0/1, rest 0/2");
}

static void test_degraded(void **state)
{
	model_env e;

	healthy(&e);
	e.n_public = 0;
	add_pub(&e, "smartclient", 1, 1);
	add_pub(&e, "webapp", 0, 1);
	add_pub(&e, "rest", 0, 2);
	check(&e, NULL, HEALTH_DEGRADED, "2 of 3 public services not ready: webapp 0/1, rest 0/2");
	e.pub[2].ready = 1;
	e.pub[1].ready = 1;
	check(&e, NULL, HEALTH_DEGRADED, "1 of 3 public services not ready: rest 1/2");
}

static void test_stale(void **state)
{
	model_env e;
	model_contract c;

	healthy(&e);
	e.fresh.stale = 1;
	e.fresh.unreachable_since = NOW - 3600 - 4 * 60 - 50; /* 10:55:10 */
	util_strlcpy(e.fresh.why, "cluster unreachable: connection refused", sizeof(e.fresh.why));
	/* stale wins over everything, even an expired contract */
	memset(&c, 0, sizeof(c));
	c.known = 1;
	util_strlcpy(c.status, "expired", sizeof(c.status));
	check(&e, &c, HEALTH_UNKNOWN,
	      "data stale since 10:55:10 (cluster unreachable: connection refused)");

	/* another day: the date is shown */
	e.fresh.unreachable_since = NOW - 86400;
	check(&e, NULL, HEALTH_UNKNOWN,
	      "data stale since 2026-11-29 12:00:00 (cluster unreachable: connection refused)");

	e.fresh.unreachable_since = 0;
	e.fresh.why[0] = '\0';
	check(&e, NULL, HEALTH_UNKNOWN, "data stale");
}

static void test_time_offset(void **state)
{
	model_env e;
	health_result r;
	health_opts o = {NOW, -180};

	healthy(&e);
	e.fresh.stale = 1;
	e.fresh.unreachable_since = NOW - 10; /* 11:59:50 UTC = 08:59:50 at -03:00 */
	health_env(&e, NULL, NULL, &o, &r);
	assert_string_equal(r.cause, "data stale since 08:59:50");
}

static health_result res(health_state s, const char *cause)
{
	health_result r;

	r.state = s;
	util_strlcpy(r.cause, cause, sizeof(r.cause));
	return r;
}

static void test_tenant_rollup(void **state)
{
	health_result prod, dev, t;

	prod = res(HEALTH_AVAILABLE, "all up");
	dev = res(HEALTH_DOWN, "lockserver down (0/1 ready)");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_DEGRADED);
	assert_string_equal(t.cause, "dev: lockserver down (0/1 ready)");

	dev = res(HEALTH_BLOCKED, "licence blocked: contract suspended");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_DEGRADED);
	assert_string_equal(t.cause, "dev: licence blocked: contract suspended");

	/* prod counts fully */
	prod = res(HEALTH_DOWN, "dbaccess down (0/1 ready)");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_DOWN);
	assert_string_equal(t.cause, "prod: dbaccess down (0/1 ready)");

	prod = res(HEALTH_BLOCKED, "licence blocked: contract expired 2026-10-01");
	dev = res(HEALTH_AVAILABLE, "ok");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_BLOCKED);

	/* equal weight goes to prod */
	prod = res(HEALTH_DEGRADED, "p");
	dev = res(HEALTH_DOWN, "d");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_DEGRADED);
	assert_string_equal(t.cause, "prod: p");

	/* a sleeping or waking dev does not show; a sleeping prod does */
	prod = res(HEALTH_AVAILABLE, "p");
	dev = res(HEALTH_SLEEPING, "d");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_AVAILABLE);
	prod = res(HEALTH_SLEEPING, "p");
	dev = res(HEALTH_DEGRADED, "d");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_DEGRADED);
	assert_string_equal(t.cause, "dev: d");
	dev = res(HEALTH_WAKING, "d");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_SLEEPING);
	assert_string_equal(t.cause, "prod: p");
}

static void test_tenant_unknown_and_missing(void **state)
{
	health_result prod, dev, t;

	prod = res(HEALTH_DOWN, "p");
	dev = res(HEALTH_UNKNOWN, "data stale");
	health_tenant(&prod, &dev, &t);
	assert_int_equal(t.state, HEALTH_UNKNOWN);
	assert_string_equal(t.cause, "dev: data stale");

	prod = res(HEALTH_UNKNOWN, "data stale since 10:00:00");
	health_tenant(&prod, &dev, &t);
	assert_string_equal(t.cause, "prod: data stale since 10:00:00");

	/* only one environment */
	prod = res(HEALTH_AVAILABLE, "p");
	health_tenant(&prod, NULL, &t);
	assert_int_equal(t.state, HEALTH_AVAILABLE);
	assert_string_equal(t.cause, "prod: p");
	dev = res(HEALTH_DOWN, "d");
	health_tenant(NULL, &dev, &t);
	assert_int_equal(t.state, HEALTH_DOWN);
	assert_string_equal(t.cause, "dev: d");
	health_tenant(NULL, NULL, &t);
	assert_int_equal(t.state, HEALTH_UNKNOWN);

	/* out may alias an input */
	prod = res(HEALTH_DOWN, "p");
	health_tenant(&prod, NULL, &prod);
	assert_string_equal(prod.cause, "prod: p");
}

static void test_env_end_to_end(void **state)
{
	model_env p, d;
	health_result rp, rd, t;

	healthy(&p);
	healthy(&d);
	d.env = TCODE_ENV_DEV;
	base(&d, "license")->ready = 0;
	health_env(&p, NULL, NULL, &opts, &rp);
	health_env(&d, NULL, NULL, &opts, &rd);
	health_tenant(&rp, &rd, &t);
	assert_int_equal(t.state, HEALTH_DEGRADED);
	assert_string_equal(t.cause, "dev: license down (0/1 ready)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_severity_order),
	    cmocka_unit_test(test_available),
	    cmocka_unit_test(test_down_lockserver_first),
	    cmocka_unit_test(test_down_dbaccess_when_lockserver_fine),
	    cmocka_unit_test(test_down_wording_variants),
	    cmocka_unit_test(test_down_custom_rules),
	    cmocka_unit_test(test_blocked_by_licenseserver),
	    cmocka_unit_test(test_blocked_by_catalogue),
	    cmocka_unit_test(test_blocked_beats_down_and_sleep),
	    cmocka_unit_test(test_sleeping),
	    cmocka_unit_test(test_waking),
	    cmocka_unit_test(test_degraded),
	    cmocka_unit_test(test_stale),
	    cmocka_unit_test(test_time_offset),
	    cmocka_unit_test(test_tenant_rollup),
	    cmocka_unit_test(test_tenant_unknown_and_missing),
	    cmocka_unit_test(test_env_end_to_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
