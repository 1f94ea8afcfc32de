/* Unit tests for core/health's health_env_deps and core/fs_info's detail wording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/fs_info.h"
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

static void env(model_env *e, int dbaccess_ready, int webapp_ready, int rest_ready)
{
	memset(e, 0, sizeof(*e));
	util_strlcpy(e->ns, "t12345-prod", sizeof(e->ns));
	e->product = MODEL_PRODUCT_ERP;
	add_base(e, "license", 1, 1);
	add_base(e, "lockserver", 1, 1);
	add_base(e, "dbaccess", dbaccess_ready, 1);
	add_pub(e, "webapp", webapp_ready, 1);
	add_pub(e, "rest", rest_ready, 1);
	add_pub(e, "portal", 1, 1);
}

static void run(const model_env *e, const health_deps *d, health_result *r)
{
	health_env(e, NULL, NULL, &opts, r);
	health_env_deps(e, d, r);
}

static void test_db_missing_is_down(void **state)
{
	model_env e;
	health_result r;
	health_deps d = {.db_state = "missing", .db_name = "t12345_prod", .db_host = "pg.example", .db_port = 5432,
			 .db_detail = "database t12345_prod does not exist on pg.example:5432"};

	(void)state;
	env(&e, 1, 1, 1); /* DbAccess up: it waits for nothing */
	run(&e, &d, &r);
	assert_int_equal(r.state, HEALTH_AVAILABLE);
	env(&e, 0, 0, 0);
	run(&e, &d, &r);
	assert_int_equal(r.state, HEALTH_DOWN);
	assert_string_equal(r.cause, "dbaccess waits for its database: t12345_prod does not exist on pg.example:5432");
	/* no Secret: the detail says so */
	d.db_detail = "Secret db-credentials does not exist: the database was not provisioned";
	run(&e, &d, &r);
	assert_string_equal(r.cause, "dbaccess waits for its database: Secret db-credentials does not exist: the "
				     "database was not provisioned");
}

static void test_db_unreachable(void **state)
{
	model_env e;
	health_result r;
	health_deps d = {.db_state = "unreachable", .db_name = "t12345_prod", .db_host = "pg.example", .db_port = 5432,
			 .db_detail = "pg.example:5432 does not answer: connection refused"};

	(void)state;
	env(&e, 1, 1, 1);
	run(&e, &d, &r);
	assert_int_equal(r.state, HEALTH_AVAILABLE); /* DbAccess up: our view alone proves nothing */
	env(&e, 0, 0, 0);
	run(&e, &d, &r);
	assert_int_equal(r.state, HEALTH_DOWN);
	assert_string_equal(r.cause, "dbaccess waits for its database: pg.example:5432 does not answer: connection refused");
	d.db_detail = "pg.example:5432 does not answer: could not translate host name \"pg.example\" to address";
	run(&e, &d, &r);
	assert_string_equal(r.cause, "dbaccess down (0/1 ready); appserver waits for it");
}

static void test_db_ready_or_unknown_changes_nothing(void **state)
{
	model_env e;
	health_result r, plain;
	health_deps d = {.db_state = "ready"};

	(void)state;
	env(&e, 0, 0, 0);
	health_env(&e, NULL, NULL, &opts, &plain);
	run(&e, &d, &r);
	assert_int_equal(r.state, plain.state);
	assert_string_equal(r.cause, plain.cause);
	d.db_state = "unknown";
	run(&e, &d, &r);
	assert_string_equal(r.cause, plain.cause);
	health_env_deps(&e, NULL, &r);
	assert_string_equal(r.cause, plain.cause);
}

static void test_fs_unbound_names_the_claim(void **state)
{
	static const char mounted[][16] = {"rest", "webapp"};
	model_env e;
	health_result r;
	health_deps d = {.fs_phase = "Pending",
			 .fs_detail = "Pending 4m: ProvisioningFailed: quota exceeded; mounted by rest, webapp",
			 .fs_mounted = mounted, .n_fs_mounted = 2};

	(void)state;
	env(&e, 1, 0, 0);
	run(&e, &d, &r);
	assert_int_equal(r.state, HEALTH_DEGRADED);
	assert_string_equal(r.cause, "webapp, rest wait for the file server: claim fileserver Pending 4m: "
				     "ProvisioningFailed: quota exceeded");
	env(&e, 1, 0, 1);
	run(&e, &d, &r);
	assert_string_equal(r.cause, "webapp waits for the file server: claim fileserver Pending 4m: "
				     "ProvisioningFailed: quota exceeded");
	/* not ready, but not mounting it: not the claim's fault */
	d.n_fs_mounted = 1;
	d.fs_mounted = (const char(*)[16]) "rest";
	run(&e, &d, &r);
	assert_string_equal(r.cause, "1 of 3 public services not ready: webapp 0/1");
	/* Bound: nothing to say */
	d.fs_phase = "Bound";
	d.fs_mounted = mounted;
	d.n_fs_mounted = 2;
	run(&e, &d, &r);
	assert_string_equal(r.cause, "1 of 3 public services not ready: webapp 0/1");
	/* no claim at all */
	d.fs_phase = "";
	run(&e, &d, &r);
	assert_string_equal(r.cause, "webapp waits for the file server: there is no claim fileserver");
}

static void test_fs_describe(void **state)
{
	fs_info f;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.present = 1;
	util_strlcpy(f.phase, "Bound", sizeof(f.phase));
	util_strlcpy(f.capacity, "100Gi", sizeof(f.capacity));
	util_strlcpy(f.requested, "100Gi", sizeof(f.requested));
	util_strlcpy(f.mounted_by[0], "rest", sizeof(f.mounted_by[0]));
	util_strlcpy(f.mounted_by[1], "webapp", sizeof(f.mounted_by[1]));
	f.n_mounted = 2;
	fs_info_describe(&f, NULL, NOW - 600, NOW, NULL, NULL);
	assert_string_equal(f.detail, "Bound, 100Gi; mounted by rest, webapp");
	util_strlcpy(f.requested, "200Gi", sizeof(f.requested));
	util_strlcpy(f.unmounted[0], "portal", sizeof(f.unmounted[0]));
	f.n_unmounted = 1;
	fs_info_describe(&f, "EFS is elastic: the size is recorded, not a limit", NOW - 600, NOW, NULL, NULL);
	assert_string_equal(f.detail, "Bound, 100Gi (200Gi requested) (EFS is elastic: the size is recorded, not a "
				      "limit); mounted by rest, webapp; not mounted by portal");
	util_strlcpy(f.phase, "Pending", sizeof(f.phase));
	f.capacity[0] = '\0';
	f.n_unmounted = 0;
	fs_info_describe(&f, NULL, NOW - 240, NOW, "ProvisioningFailed", "quota exceeded");
	assert_string_equal(f.detail, "Pending 4m: ProvisioningFailed: quota exceeded; mounted by rest, webapp");
	fs_info_describe(&f, NULL, NOW - 30, NOW, NULL, NULL);
	assert_string_equal(f.detail, "Pending 30s, 200Gi requested; mounted by rest, webapp");
	memset(&f, 0, sizeof(f));
	fs_info_describe(&f, NULL, 0, NOW, NULL, NULL);
	assert_string_equal(f.detail, "no claim fileserver");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_db_missing_is_down),
	    cmocka_unit_test(test_db_unreachable),
	    cmocka_unit_test(test_db_ready_or_unknown_changes_nothing),
	    cmocka_unit_test(test_fs_unbound_names_the_claim),
	    cmocka_unit_test(test_fs_describe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
