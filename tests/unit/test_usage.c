/* Unit tests for sim/usage: the weekly request pattern and the 672-hour history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/fleet.h"
#include "sim/usage.h"
#include "util/util.h"

/* A hand-made tenant in UTC-3 with a weekday peak of 1000 requests per hour. */
static sim_tenant tenant(int night_batch, int offset)
{
	sim_tenant t;

	memset(&t, 0, sizeof(t));
	snprintf(t.tcode, sizeof(t.tcode), "T12345");
	t.utc_offset_min = offset;
	t.timezone = "America/Sao_Paulo";
	t.night_batch = night_batch;
	t.seed = 42;
	t.envs[SIM_ENV_PROD].peak_rate = 1000;
	t.envs[SIM_ENV_DEV].peak_rate = 60;
	return t;
}

/* Unix time of a local wall time in UTC-3 (2026-11-25 is a Wednesday). */
static int64_t local(const char *rfc3339_local, int offset)
{
	int64_t t = util_parse_rfc3339(rfc3339_local);

	assert_true(t > 0);
	return t - (int64_t)offset * 60;
}

static void test_weekday_shape(void **state)
{
	sim_tenant t = tenant(0, -180);
	double wed10 = sim_usage_rate(&t, local("2026-11-25T10:30:00Z", -180));
	double wed12 = sim_usage_rate(&t, local("2026-11-25T12:30:00Z", -180));
	double wed03 = sim_usage_rate(&t, local("2026-11-25T03:30:00Z", -180));
	double sat10 = sim_usage_rate(&t, local("2026-11-28T10:30:00Z", -180));
	double sun10 = sim_usage_rate(&t, local("2026-11-29T10:30:00Z", -180));

	assert_int_equal(sim_usage_weekday(&t, local("2026-11-25T10:30:00Z", -180)), 3);
	assert_int_equal(sim_usage_weekday(&t, local("2026-11-29T00:10:00Z", -180)), 0);
	assert_true(wed10 > 800);
	assert_true(wed12 < wed10 * 0.6); /* lunch dip */
	assert_true(wed03 < wed10 * 0.05);
	assert_true(sat10 < wed10 * 0.2);
	assert_true(sun10 < sat10);
	/* dev follows its own, smaller peak */
	assert_true(sim_usage_rate_env(&t, SIM_ENV_DEV, local("2026-11-25T10:30:00Z", -180)) < 70);
}

static void test_timezone_shifts(void **state)
{
	sim_tenant sp = tenant(0, -180), am = tenant(0, -240);
	int64_t at = util_parse_rfc3339("2026-11-25T11:30:00Z"); /* 08:30 SP, 07:30 Manaus */

	assert_true(sim_usage_rate(&sp, at) > sim_usage_rate(&am, at) * 2);
}

static void test_night_batch(void **state)
{
	sim_tenant plain = tenant(0, -180), batch = tenant(1, -180);
	int64_t two_am = local("2026-11-29T02:30:00Z", -180); /* even on a Sunday */

	assert_true(sim_usage_rate(&batch, two_am) > 10 * sim_usage_rate(&plain, two_am));
	assert_true(sim_usage_rate(&batch, two_am) > 300);
}

static void test_history(void **state)
{
	sim_tenant t = tenant(0, -180);
	int64_t now = util_parse_rfc3339("2026-11-28T12:34:56Z");
	int64_t start = sim_usage_start(now);
	unsigned a[SIM_FLEET_HOURS], b[SIM_FLEET_HOURS];
	double weekday = 0, weekend = 0;
	int n_weekday = 0, n_weekend = 0;

	assert_int_equal(start % 3600, 0);
	assert_int_equal(start, util_parse_rfc3339("2026-11-28T12:00:00Z") - 672 * 3600);
	sim_usage_history(&t, SIM_ENV_PROD, start, a, SIM_FLEET_HOURS);
	sim_usage_history(&t, SIM_ENV_PROD, start, b, SIM_FLEET_HOURS);
	assert_memory_equal(a, b, sizeof(a));
	for (size_t i = 0; i < SIM_FLEET_HOURS; i++) {
		int dow = sim_usage_weekday(&t, start + (int64_t)i * 3600 + 1800);

		if (dow == 0 || dow == 6) {
			weekend += a[i];
			n_weekend++;
		} else {
			weekday += a[i];
			n_weekday++;
		}
	}
	assert_int_equal(n_weekday + n_weekend, SIM_FLEET_HOURS);
	assert_true(weekday / n_weekday > 5 * (weekend / n_weekend));
	/* noise: not every weekday at 10:00 has the same count */
	{
		int differ = 0;

		for (size_t i = 24; i < SIM_FLEET_HOURS; i++)
			if (a[i] != a[i - 24] && a[i] > 100)
				differ++;
		assert_true(differ > 50);
	}
	/* another tenant seed gives another history */
	t.seed = 43;
	sim_usage_history(&t, SIM_ENV_PROD, start, b, SIM_FLEET_HOURS);
	assert_memory_not_equal(a, b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekday_shape),
		cmocka_unit_test(test_timezone_shifts),
		cmocka_unit_test(test_night_batch),
		cmocka_unit_test(test_history),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
