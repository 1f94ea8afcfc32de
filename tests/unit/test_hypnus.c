/* Unit tests for core/hypnus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/hypnus.h"
#include "util/util.h"

#define START 1793577600 /* 2026-11-02T00:00:00Z, a Monday (Sunday 21:00 at -03:00) */
#define NOW 1796040000	 /* 2026-11-30T12:00:00Z, Monday 09:00 at -03:00 */
#define BRT (-180)

/* Requests in the hour starting at local wall-clock second `local`, week w:
 * weekdays busy 08:00-17:59 with a night batch at 02:00; weekends quiet.
 * Thursday 17:00 is busy only in the first week; Wednesday 08:00 is quiet in
 * the last one. */
static unsigned synthetic(int64_t local, int week)
{
	struct tm tm;
	time_t t = (time_t)local;

	gmtime_r(&t, &tm);
	if (tm.tm_wday == 0 || tm.tm_wday == 6)
		return tm.tm_hour == 11 ? 1 : 0; /* a stray request, below the threshold */
	if (tm.tm_hour == 2)
		return 50;
	if (tm.tm_wday == 4 && tm.tm_hour == 17)
		return week == 0 ? 80 : 0;
	if (tm.tm_wday == 3 && tm.tm_hour == 8 && week == 3)
		return 0;
	if (tm.tm_hour >= 8 && tm.tm_hour <= 17)
		return 100;
	return 0;
}

/* The ConfigMap "hours" string for the synthetic tenant at offset BRT. */
static char *synthetic_hours(void)
{
	strbuf sb;
	char *s;
	int i;

	sb_init(&sb, 4096);
	for (i = 0; i < HYPNUS_HOURS; i++) {
		int64_t local = START + (int64_t)i * 3600 + BRT * 60;
		sb_addf(&sb, "%s%u", i ? "," : "", synthetic(local, i / HYPNUS_WEEK_HOURS));
	}
	s = sb_detach(&sb, NULL);
	sb_release(&sb); /* detach leaves a fresh buffer behind */
	return s;
}

static void load(hypnus_usage *u, const char *offset)
{
	char err[128];
	char *hours = synthetic_hours();

	if (hypnus_usage_parse(u, "2026-11-02T00:00:00Z", offset, "America/Sao_Paulo", hours, err,
			       sizeof(err)))
		fail_msg("parse: %s", err);
	free(hours);
}

static void test_state_names(void **state)
{
	assert_int_equal(hypnus_state_parse("active"), MODEL_HYPNUS_ACTIVE);
	assert_int_equal(hypnus_state_parse("sleeping"), MODEL_HYPNUS_SLEEPING);
	assert_int_equal(hypnus_state_parse("waking"), MODEL_HYPNUS_WAKING);
	assert_int_equal(hypnus_state_parse("Sleeping"), MODEL_HYPNUS_UNKNOWN);
	assert_int_equal(hypnus_state_parse("unknown"), MODEL_HYPNUS_UNKNOWN);
	assert_int_equal(hypnus_state_parse(NULL), MODEL_HYPNUS_UNKNOWN);
	assert_string_equal(hypnus_state_name(MODEL_HYPNUS_WAKING), "waking");
	assert_string_equal(hypnus_weekday_name(0), "Sun");
	assert_string_equal(hypnus_weekday_name(6), "Sat");
	assert_string_equal(hypnus_weekday_name(7), "?");
}

static void test_parse_ok(void **state)
{
	hypnus_usage u;
	strbuf sb;
	char err[128];
	int i;

	load(&u, "-180");
	assert_int_equal(u.start, START);
	assert_int_equal(u.utc_offset_min, -180);
	assert_string_equal(u.timezone, "America/Sao_Paulo");
	/* hour 0 is Sunday 21:00 local: quiet; hour 5+24 is Monday 02:00 local: batch */
	assert_int_equal(u.hours[0], 0);
	assert_int_equal(u.hours[29], 50);

	/* blanks around values, offset and tz optional */
	sb_init(&sb, 4096);
	for (i = 0; i < HYPNUS_HOURS; i++)
		sb_addf(&sb, "%s %d", i ? " ," : "", i);
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T03:00:00Z", NULL, NULL, sb.buf, err, sizeof(err)),
	    0);
	assert_int_equal(u.start, START + 3 * 3600);
	assert_int_equal(u.utc_offset_min, 0);
	assert_int_equal(u.hours[671], 671);
	assert_int_equal(u.n_hours, HYPNUS_HOURS);
	sb_release(&sb);
}

/* A tenant onboarded lately: its history holds only the hours its Hypnus has seen, and
 * the week is read from those alone, not from zeros it never saw. */
static void test_short_history(void **state)
{
	hypnus_usage u;
	hypnus_matrix m;
	hypnus_window w[HYPNUS_MAX_WINDOWS];
	strbuf sb;
	char err[128];
	size_t n;

	/* 30 hours from Monday 2026-11-02 00:00 UTC: busy 09:00-17:59, up to Tuesday 05:59 */
	sb_init(&sb, 256);
	for (int i = 0; i < 30; i++)
		sb_addf(&sb, "%s%d", i ? "," : "", i % 24 >= 9 && i % 24 <= 17 ? 40 : 1);
	assert_int_equal(hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "0", "UTC", sb.buf, err,
					    sizeof(err)),
			 0);
	sb_release(&sb);
	assert_int_equal(u.n_hours, 30);
	assert_int_equal(u.hours[29], 1);
	assert_int_equal(u.hours[30], 0); /* beyond the history: untouched zeros */
	/* p95 of the 30 hours seen (40): 10 % of it is 4 */
	assert_int_equal(hypnus_threshold(&u), 4);
	hypnus_matrix_build(&u, hypnus_threshold(&u), &m);
	assert_true(m.prob[1][10] == 1.0); /* Monday 10:00, seen once, busy */
	assert_true(m.mean[1][10] == 40.0);
	assert_true(m.prob[2][10] == 0.0); /* Tuesday 10:00 is past the history */
	assert_true(m.mean[2][10] == 0.0);
	assert_true(m.prob[1][3] == 0.0);
	assert_true(m.mean[2][5] == 1.0); /* Tuesday 05:00, the last hour seen */
	assert_int_equal(m.max, 40);
	n = hypnus_windows(&m, HYPNUS_MIN_PROB, w, ARRAY_SIZE(w));
	assert_int_equal(n, 1); /* the one busy stretch it saw whole: Monday 09:00, 9 hours */
	assert_int_equal(w[0].wday, 1);
	assert_int_equal(w[0].hour, 9);
	assert_int_equal(w[0].hours, 9);
	/* one hour is a history too */
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", NULL, NULL, " 7 ", err, sizeof(err)), 0);
	assert_int_equal(u.n_hours, 1);
	assert_int_equal(u.hours[0], 7);
}

static void test_parse_errors(void **state)
{
	hypnus_usage u;
	char err[128], *hours = synthetic_hours();
	strbuf sb;

	/* wrong count: none, or more than 4 weeks */
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "0", NULL, "", err, sizeof(err)), -1);
	assert_string_equal(err, "hours: expected 1 to 672 values, got 0");
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "0", NULL, "1,2,", err, sizeof(err)),
	    -1);
	assert_string_equal(err, "hours: value 3 is not a number: \"\"");
	sb_init(&sb, 4096);
	sb_addf(&sb, "%s,", hours);
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "0", NULL, sb.buf, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "hours: expected 1 to 672 values, got 673");
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "0", NULL, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "hours: missing");

	/* non-numbers */
	sb_reset(&sb);
	sb_adds(&sb, hours);
	memcpy(strchr(sb.buf, ','), ",x", 2); /* the second value starts with x */
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "0", NULL, sb.buf, err, sizeof(err)),
	    -1);
	assert_true(util_starts_with(err, "hours: value 2 is not a number: \"x"));
	sb_reset(&sb);
	sb_addf(&sb, "-1%s", strchr(hours, ','));
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "0", NULL, sb.buf, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "hours: value 1 is not a number: \"-1\"");
	sb_reset(&sb);
	sb_addf(&sb, "99999999999%s", strchr(hours, ','));
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "0", NULL, sb.buf, err, sizeof(err)),
	    -1);
	assert_true(util_starts_with(err, "hours: value 1 is not a number"));
	sb_release(&sb);

	/* bad start */
	assert_int_equal(hypnus_usage_parse(&u, "yesterday", "0", NULL, hours, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "start: not an RFC 3339 time: \"yesterday\"");
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:30:00Z", "0", NULL, hours, err, sizeof(err)), -1);
	assert_string_equal(err, "start: not on the hour: \"2026-11-02T00:30:00Z\"");
	assert_int_equal(hypnus_usage_parse(&u, "", "0", NULL, hours, err, sizeof(err)), -1);
	assert_string_equal(err, "start: missing");

	/* bad offset */
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "-3h", NULL, hours, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "utc-offset-minutes: not a number: \"-3h\"");
	assert_int_equal(
	    hypnus_usage_parse(&u, "2026-11-02T00:00:00Z", "9000", NULL, hours, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "utc-offset-minutes: 9000 is outside -840..840");
	free(hours);
}

static void test_matrix(void **state)
{
	hypnus_usage u;
	hypnus_matrix m;

	load(&u, "-180");
	hypnus_matrix_build(&u, HYPNUS_ACTIVE_THRESHOLD, &m);
	assert_true(m.mean[1][10] == 100.0); /* Monday 10:00 */
	assert_true(m.prob[1][10] == 1.0);
	assert_true(m.mean[3][8] == 75.0); /* Wednesday 08:00, quiet one week in four */
	assert_true(m.prob[3][8] == 0.75);
	assert_true(m.prob[4][17] == 0.25); /* Thursday 17:00 once */
	assert_true(m.mean[4][17] == 20.0);
	assert_true(m.prob[2][2] == 1.0);  /* Tuesday night batch */
	assert_true(m.mean[0][11] == 1.0); /* Sunday: a stray request is not activity */
	assert_true(m.prob[0][11] == 0.0);
	assert_true(m.prob[6][10] == 0.0);
	assert_true(m.prob[1][20] == 0.0);
	assert_int_equal(m.max, 100);

	/* a threshold of 0 counts the stray request */
	hypnus_matrix_build(&u, 0, &m);
	assert_true(m.prob[0][11] == 1.0);
}

/* A quiet night's trickle is not a working hour; a night batch is. */
static void test_threshold(void **state)
{
	static hypnus_usage u;
	hypnus_matrix m;
	size_t i;

	memset(&u, 0, sizeof(u));
	u.n_hours = HYPNUS_HOURS;
	for (i = 0; i < HYPNUS_HOURS; i++) {
		int h = (int)(i % 24);
		u.hours[i] = h >= 8 && h < 18 ? 1000 : h == 2 ? 400 : 12;
	}
	/* p95 is a day hour: 10 % of 1000 */
	assert_int_equal(hypnus_threshold(&u), 100);
	hypnus_matrix_build(&u, hypnus_threshold(&u), &m);
	assert_true(m.prob[1][3] == 0.0);  /* 12 requests at 03:00: quiet */
	assert_true(m.prob[1][2] == 1.0);  /* the batch at 02:00 */
	assert_true(m.prob[1][10] == 1.0); /* office hours */
	/* a tenant that barely works keeps the absolute floor */
	memset(u.hours, 0, sizeof(u.hours));
	u.hours[10] = 5;
	assert_int_equal(hypnus_threshold(&u), HYPNUS_ACTIVE_THRESHOLD);
}

static void test_windows(void **state)
{
	hypnus_usage u;
	hypnus_matrix m;
	hypnus_window w[HYPNUS_MAX_WINDOWS];
	size_t n, i;

	load(&u, "-180");
	hypnus_matrix_build(&u, HYPNUS_ACTIVE_THRESHOLD, &m);
	n = hypnus_windows(&m, HYPNUS_MIN_PROB, w, ARRAY_SIZE(w));
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++) {
		int wday = 1 + (int)i / 2;
		assert_int_equal(w[i].wday, wday); /* Monday to Friday only: never a weekend */
		if (i % 2 == 0) {
			assert_int_equal(w[i].hour, 2); /* the night batch */
			assert_int_equal(w[i].hours, 1);
		} else {
			assert_int_equal(w[i].hour, 8);
			assert_int_equal(w[i].hours, wday == 4 ? 9 : 10);
		}
	}
	/* max smaller than the count: the count is still returned */
	assert_int_equal(hypnus_windows(&m, HYPNUS_MIN_PROB, w, 3), 10);
	/* a stricter probability drops Wednesday's 08:00 */
	n = hypnus_windows(&m, 0.9, w, ARRAY_SIZE(w));
	assert_int_equal(n, 10);
	assert_int_equal(w[5].wday, 3);
	assert_int_equal(w[5].hour, 9);
	assert_int_equal(w[5].hours, 9);
}

static void test_offset_shifts_windows(void **state)
{
	hypnus_usage u;
	hypnus_matrix m;
	hypnus_window w[HYPNUS_MAX_WINDOWS];
	size_t n;

	/* the same hours read as UTC: every window three hours later */
	load(&u, "0");
	hypnus_matrix_build(&u, HYPNUS_ACTIVE_THRESHOLD, &m);
	n = hypnus_windows(&m, HYPNUS_MIN_PROB, w, ARRAY_SIZE(w));
	assert_int_equal(n, 10);
	assert_int_equal(w[0].wday, 1);
	assert_int_equal(w[0].hour, 5);
	assert_int_equal(w[1].hour, 11);
	assert_int_equal(w[1].hours, 10);

	/* and read at +09:00 (12 hours east of the truth): Monday 20:00, the batch at 14:00 */
	load(&u, "540");
	hypnus_matrix_build(&u, HYPNUS_ACTIVE_THRESHOLD, &m);
	n = hypnus_windows(&m, HYPNUS_MIN_PROB, w, ARRAY_SIZE(w));
	assert_int_equal(n, 10);
	assert_int_equal(w[0].wday, 1);
	assert_int_equal(w[0].hour, 14);
	assert_int_equal(w[1].wday, 1);
	assert_int_equal(w[1].hour, 20);
	assert_int_equal(w[9].wday, 5);
	assert_int_equal(w[9].hour, 20);
}

static void test_windows_wrap_and_full(void **state)
{
	hypnus_matrix m;
	hypnus_window w[HYPNUS_MAX_WINDOWS];
	int d, h;

	memset(&m, 0, sizeof(m));
	m.prob[6][22] = m.prob[6][23] = m.prob[0][0] = m.prob[0][1] =
	    1.0; /* Saturday 22:00 into Sunday */
	m.prob[3][12] = 0.5;
	assert_int_equal(hypnus_windows(&m, 0.5, w, ARRAY_SIZE(w)), 2);
	assert_int_equal(w[0].wday, 3);
	assert_int_equal(w[0].hour, 12);
	assert_int_equal(w[0].hours, 1);
	assert_int_equal(w[1].wday, 6);
	assert_int_equal(w[1].hour, 22);
	assert_int_equal(w[1].hours, 4);

	memset(&m, 0, sizeof(m));
	assert_int_equal(hypnus_windows(&m, 0.5, w, ARRAY_SIZE(w)), 0);
	for (d = 0; d < 7; d++)
		for (h = 0; h < 24; h++)
			m.prob[d][h] = 1.0;
	assert_int_equal(hypnus_windows(&m, 0.5, w, ARRAY_SIZE(w)), 1);
	assert_int_equal(w[0].hours, 168);
}

static void test_forecast(void **state)
{
	hypnus_usage u;
	hypnus_matrix m;
	hypnus_window w[HYPNUS_MAX_WINDOWS];
	hypnus_wake f[32], next;
	size_t n, nf, i;

	load(&u, "-180");
	hypnus_matrix_build(&u, HYPNUS_ACTIVE_THRESHOLD, &m);
	n = hypnus_windows(&m, HYPNUS_MIN_PROB, w, ARRAY_SIZE(w));

	/* Monday 09:00 local: Monday's 08:00 wake is past */
	nf = hypnus_forecast(w, n, BRT, 120, NOW, f, ARRAY_SIZE(f));
	assert_int_equal(nf, 10);
	assert_int_equal(f[0].wake_utc, 1796101080);		  /* Tue 04:58 UTC */
	assert_int_equal(f[0].wake_local, 1796101080 - 3 * 3600); /* Tue 01:58 local */
	assert_int_equal(f[0].start_utc, 1796101080 + 120);
	assert_int_equal(f[0].end_utc, f[0].start_utc + 3600);
	assert_int_equal(f[0].start_local, f[0].start_utc - 3 * 3600);
	assert_int_equal(f[0].window, 2); /* Tuesday 02:00 */
	assert_int_equal(f[1].window, 3);
	assert_int_equal(f[1].start_local - f[0].start_local, 6 * 3600);
	for (i = 0; i < nf; i++) {
		assert_true(f[i].wake_utc >= NOW && f[i].wake_utc < NOW + 7 * 86400);
		assert_int_equal(f[i].start_utc - f[i].wake_utc, 120);
		if (i)
			assert_true(f[i].wake_utc > f[i - 1].wake_utc);
	}
	/* a week later: next Monday's batch and 08:00 */
	assert_int_equal(f[8].window, 0);
	assert_int_equal(f[9].window, 1);
	assert_int_equal(f[9].wake_utc, NOW + 7 * 86400 - 3600 - 120);

	assert_int_equal(hypnus_next_wake(w, n, BRT, 120, NOW, &next), 0);
	assert_int_equal(next.wake_utc, f[0].wake_utc);

	/* no measured cold start: 90 s */
	assert_int_equal(hypnus_next_wake(w, n, BRT, 0, NOW, &next), 0);
	assert_int_equal(next.start_utc - next.wake_utc, HYPNUS_DEFAULT_COLD_START_S);

	/* a few minutes before Monday's 08:00 wake, it is the next one */
	assert_int_equal(hypnus_next_wake(w, n, BRT, 120, NOW - 3600 - 300, &next), 0);
	assert_int_equal(next.window, 1);
	assert_int_equal(next.wake_utc, NOW - 3600 - 120);

	/* max smaller than the count */
	assert_int_equal(hypnus_forecast(w, n, BRT, 120, NOW, f, 2), 10);
	assert_int_equal(hypnus_next_wake(w, 0, BRT, 120, NOW, &next), -1);
}

static void test_forecast_week_edge(void **state)
{
	hypnus_window w = {0, 0, 2}; /* Sunday 00:00 local */
	hypnus_wake f[4];
	/* Saturday 2026-12-05 23:59:00 at -03:00 */
	int64_t now = 1796515140 + 3 * 3600;

	/* this Sunday's wake (23:58:30) has passed: the one in 7 days - 30 s still counts */
	assert_int_equal(hypnus_forecast(&w, 1, BRT, 90, now, f, 4), 1);
	assert_int_equal(f[0].wake_utc, now + 7 * 86400 - 30);
	assert_int_equal(hypnus_forecast(&w, 1, BRT, 30, now, f, 4), 1);
	assert_int_equal(f[0].wake_utc, now + 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_parse_ok),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_short_history),
	    cmocka_unit_test(test_matrix),
	    cmocka_unit_test(test_windows),
	    cmocka_unit_test(test_offset_shifts_windows),
	    cmocka_unit_test(test_windows_wrap_and_full),
	    cmocka_unit_test(test_threshold),
	    cmocka_unit_test(test_forecast),
	    cmocka_unit_test(test_forecast_week_edge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
