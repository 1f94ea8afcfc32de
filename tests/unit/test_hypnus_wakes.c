/* core/hypnus_wakes: a namespace's Hypnus events into its recent wakes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/hypnus_wakes.h"
#include "util/util.h"

static project_event ev(const char *object, const char *reason, const char *message, int64_t t)
{
	project_event e;

	memset(&e, 0, sizeof(e));
	util_strlcpy(e.kind, "Deployment", sizeof(e.kind));
	util_strlcpy(e.object, object, sizeof(e.object));
	util_strlcpy(e.reason, reason, sizeof(e.reason));
	util_strlcpy(e.message, message, sizeof(e.message));
	e.last = t;
	return e;
}

static void test_pairs_and_causes(void **state)
{
	/* out of order, with noise: other reasons, other objects */
	project_event e[] = {
		ev("hypnus", "HypnusAwake", "public services ready after a cold start of 40 s", 1040),
		ev("hypnus", "HypnusWake", "request while sleeping; scaling public services back up", 5000),
		ev("hypnus", "HypnusSleep", "idle for 1900 s (timeout 1800 s)", 3000),
		ev("license", "Started", "Started container license", 1010),
		ev("hypnus", "HypnusWake", "forecast: busy hours from 11:00 UTC; scaling up", 1000),
		ev("hypnus", "HypnusAwake", "public services ready after a cold start of 55 s", 5055),
		ev("hypnus", "HypnusWake", "wake requested; scaling public services back up", 9000),
	};
	hypnus_wake_rec w[8];
	size_t n;

	(void)state;
	n = hypnus_wakes(e, NULL, 0, ARRAY_SIZE(e), w, ARRAY_SIZE(w));
	assert_int_equal(n, 3);
	/* newest first; the last one still waking */
	assert_int_equal(w[0].start, 9000);
	assert_int_equal(w[0].ready, 0);
	assert_int_equal(w[0].cause, HYPNUS_WAKE_ASKED);
	assert_int_equal(w[1].start, 5000);
	assert_int_equal(w[1].ready, 5055);
	assert_int_equal(w[1].cause, HYPNUS_WAKE_REQUEST);
	assert_int_equal(w[2].start, 1000);
	assert_int_equal(w[2].ready, 1040);
	assert_int_equal(w[2].cause, HYPNUS_WAKE_FORECAST);
	assert_string_equal(hypnus_wake_cause_name(w[2].cause), "forecast");
	/* max is respected */
	assert_int_equal(hypnus_wakes(e, NULL, 0, ARRAY_SIZE(e), w, 1), 1);
	assert_int_equal(w[0].start, 9000);
}

static void test_orphans_and_same_second(void **state)
{
	project_event e[] = {
		/* an awake whose wake fell out of the event window: dropped */
		ev("hypnus", "HypnusAwake", "public services ready", 100),
		/* wake and awake in the same second: paired, the wake first */
		ev("hypnus", "HypnusAwake", "public services ready", 500),
		ev("hypnus", "HypnusWake", "something else", 500),
		/* no time: skipped */
		ev("hypnus", "HypnusWake", "request while sleeping", 0),
	};
	hypnus_wake_rec w[4];

	(void)state;
	assert_int_equal(hypnus_wakes(e, NULL, 0, ARRAY_SIZE(e), w, 4), 1);
	assert_int_equal(w[0].start, 500);
	assert_int_equal(w[0].ready, 500);
	assert_int_equal(w[0].cause, HYPNUS_WAKE_OTHER);
	assert_int_equal(hypnus_wakes(NULL, NULL, 0, 0, w, 4), 0);
}

static void test_env_filter(void **state)
{
	project_event e[] = {
		ev("hypnus", "HypnusWake", "forecast: busy hours from 11:00 UTC", 100),
		ev("hypnus", "HypnusWake", "request while sleeping", 200),
		ev("hypnus", "HypnusAwake", "public services ready", 230),
	};
	int32_t env_of[] = {0, 1, 1};
	hypnus_wake_rec w[4];

	(void)state;
	assert_int_equal(hypnus_wakes(e, env_of, 1, ARRAY_SIZE(e), w, 4), 1);
	assert_int_equal(w[0].cause, HYPNUS_WAKE_REQUEST);
	assert_int_equal(w[0].ready, 230);
	assert_int_equal(hypnus_wakes(e, env_of, 0, ARRAY_SIZE(e), w, 4), 1);
	assert_int_equal(w[0].cause, HYPNUS_WAKE_FORECAST);
	assert_int_equal(w[0].ready, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs_and_causes),
		cmocka_unit_test(test_orphans_and_same_second),
		cmocka_unit_test(test_env_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
