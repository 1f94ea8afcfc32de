/* Unit tests for core/forecast: from usage ConfigMap data to windows and wakes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/forecast.h"
#include "util/util.h"

#define START 1793577600 /* 2026-11-02T00:00:00Z, a Monday */

/* Weekdays 09:00-17:59 busy (local = UTC here), the rest quiet. */
static char *office_hours(void)
{
	strbuf sb;
	char *s;

	sb_init(&sb, 4096);
	for (int i = 0; i < HYPNUS_HOURS; i++) {
		time_t t = (time_t)(START + (int64_t)i * 3600);
		struct tm tm;
		gmtime_r(&t, &tm);
		sb_addf(&sb, "%s%d", i ? "," : "",
			tm.tm_wday >= 1 && tm.tm_wday <= 5 && tm.tm_hour >= 9 && tm.tm_hour <= 17 ? 40
												   : 0);
	}
	s = sb_detach(&sb, NULL);
	sb_release(&sb);
	return s;
}

static void office_week(void **state)
{
	char *hours = office_hours();
	forecast f;
	/* Saturday 2026-11-28 12:00 UTC: the next wake is Monday 08:59 (cold start 60 s). */
	int64_t now = 1796040000 - 2 * 86400;

	(void)state;
	assert_int_equal(forecast_from_data("2026-11-02T00:00:00Z", "0", "UTC", hours, 60, now, &f),
			 FORECAST_OK);
	assert_int_equal(f.n_windows, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(f.windows[i].wday, (int)i + 1);
		assert_int_equal(f.windows[i].hour, 9);
		assert_int_equal(f.windows[i].hours, 9);
	}
	assert_int_equal(f.n_wakes, 5);
	assert_int_equal(f.wakes[0].wake_utc, 1796040000 + 86400 * 0 - 3 * 3600 - 60);
	assert_int_equal(f.wakes[0].end_utc - f.wakes[0].start_utc, 9 * 3600);
	assert_int_equal(f.cold_start_s, 60);
	assert_string_equal(f.timezone, "UTC");
	free(hours);
}

static void bad_data(void **state)
{
	forecast f;

	(void)state;
	assert_int_equal(forecast_from_data("2026-11-02T00:00:00Z", "0", NULL, "1,2,x", 0, 0, &f),
			 FORECAST_INVALID);
	assert_non_null(strstr(f.err, "hours: value 3 is not a number"));
	assert_int_equal(forecast_from_data("2026-11-02T00:00:00Z", "0", NULL, "", 0, 0, &f),
			 FORECAST_INVALID);
	assert_non_null(strstr(f.err, "expected 1 to 672 values, got 0"));
	/* a short history (a tenant onboarded lately) is a history */
	assert_int_equal(forecast_from_data("2026-11-02T00:00:00Z", "0", NULL, "1,2,3", 0, 0, &f),
			 FORECAST_OK);
	assert_int_equal(forecast_from_data(NULL, "0", NULL, "1", 0, 0, &f), FORECAST_INVALID);
	assert_string_equal(f.err, "start: missing");
	assert_int_equal(forecast_from_data("2026-11-02T00:00:00Z", NULL, NULL, NULL, 0, 0, &f),
			 FORECAST_INVALID);
	assert_int_equal(f.cold_start_s, HYPNUS_DEFAULT_COLD_START_S);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(office_week),
	    cmocka_unit_test(bad_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
