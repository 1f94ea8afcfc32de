/* Unit tests for sim/event_ttl.c: Events expire an hour (the TTL) after their
 * last occurrence on the cluster's clock, whatever the wall clock says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "sim/event_ttl.h"
#include "sim/store.h"
#include "util/util.h"

static int64_t now_s = 1795867200; /* 2026-11-28T12:00:00Z */

static int64_t clock_fn(void *ctx)
{
	(void)ctx;
	return now_s;
}

static void create(sim_store *s, const char *group, const char *plural, const char *ns, const char *text)
{
	cJSON *j = cJSON_Parse(text);
	sim_err err = {0};

	assert_non_null(j);
	if (sim_store_create(s, sim_resource_find(group, "v1", plural), ns, j, 0, NULL, &err))
		fail_msg("create: %s", err.message);
	cJSON_Delete(j);
}

static int exists(sim_store *s, const char *name)
{
	sim_err err = {0};
	sim_obj *o = sim_store_get(s, sim_resource_find("", "v1", "events"), "t1-prod", name, &err);

	if (o)
		sim_obj_unref(o);
	return o != NULL;
}

static void test_expiry_follows_the_last_occurrence(void **state)
{
	sim_store *s = sim_store_new(1000);

	(void)state;
	sim_store_set_clock(s, clock_fn, NULL);
	create(s, "", "namespaces", NULL, "{\"metadata\":{\"name\":\"t1-prod\"}}");
	/* made at 12:00; "again" repeats at 12:50 (lastTimestamp), "series" at 12:55 */
	create(s, "", "events", "t1-prod", "{\"metadata\":{\"name\":\"once\"},\"reason\":\"A\"}");
	create(s, "", "events", "t1-prod",
	       "{\"metadata\":{\"name\":\"again\"},\"reason\":\"B\",\"lastTimestamp\":\"2026-11-28T12:50:00Z\"}");
	create(s, "", "events", "t1-prod",
	       "{\"metadata\":{\"name\":\"series\"},\"reason\":\"C\","
	       "\"series\":{\"count\":3,\"lastObservedTime\":\"2026-11-28T12:55:00.000000Z\"}}");
	now_s += 1800; /* 12:30 */
	assert_int_equal(sim_event_ttl_sweep(s, 3600), 0);
	now_s += 1860; /* 13:01: "once" is past the hour, the repeated ones are not */
	assert_int_equal(sim_event_ttl_sweep(s, 3600), 1);
	assert_false(exists(s, "once"));
	assert_true(exists(s, "again"));
	assert_true(exists(s, "series"));
	now_s += 3000; /* 13:51 */
	assert_int_equal(sim_event_ttl_sweep(s, 3600), 1);
	assert_false(exists(s, "again"));
	assert_true(exists(s, "series"));
	now_s += 600; /* 14:01 */
	assert_int_equal(sim_event_ttl_sweep(s, 3600), 1);
	assert_false(exists(s, "series"));
	/* a TTL of 0 keeps everything */
	create(s, "", "events", "t1-prod", "{\"metadata\":{\"name\":\"kept\"},\"reason\":\"D\"}");
	now_s += 86400;
	assert_int_equal(sim_event_ttl_sweep(s, 0), 0);
	assert_true(exists(s, "kept"));
	/* other kinds never expire */
	create(s, "", "configmaps", "t1-prod", "{\"metadata\":{\"name\":\"cm\"}}");
	now_s += 86400;
	assert_int_equal(sim_event_ttl_sweep(s, 3600), 1);
	{
		sim_err err = {0};
		sim_obj *o = sim_store_get(s, sim_resource_find("", "v1", "configmaps"), "t1-prod", "cm", &err);

		assert_non_null(o);
		sim_obj_unref(o);
	}
	sim_store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expiry_follows_the_last_occurrence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
