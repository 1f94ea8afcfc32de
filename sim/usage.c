/* Weekly usage pattern of a tenant (see sim/usage.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/usage.h"
#include "util/util.h"

/* Share of the weekday peak per local hour: morning ramp, lunch dip, evening tail. */
static const double weekday_shape[24] = {
	0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.20,  /* 00..07 */
	0.65, 0.95, 1.00, 0.90, 0.45, 0.70, 0.95, 1.00,  /* 08..15 */
	0.90, 0.70, 0.35, 0.15, 0.08, 0.05, 0.03, 0.02,  /* 16..23 */
};
/* Extra share for tenants running night batch jobs, around 02:00 local. */
static const double batch_shape[24] = {
	0, 0.10, 0.45, 0.30, 0.05, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int sim_usage_weekday(const sim_tenant *t, int64_t now_s)
{
	int64_t local = now_s + (int64_t)t->utc_offset_min * 60;

	/* 1970-01-01 was a Thursday (4) */
	return (int)((floor_div(local, 86400) + 4) % 7 + 7) % 7;
}

double sim_usage_rate_env(const sim_tenant *t, int env, int64_t now_s)
{
	int64_t local = now_s + (int64_t)t->utc_offset_min * 60;
	int hour = (int)(local - floor_div(local, 86400) * 86400) / 3600;
	int dow = sim_usage_weekday(t, now_s);
	double share = weekday_shape[hour];

	if (env < 0 || env >= SIM_ENV_COUNT)
		return 0;
	if (dow == 6)
		share *= 0.12;
	else if (dow == 0)
		share *= 0.04;
	if (t->night_batch && env == SIM_ENV_PROD)
		share += batch_shape[hour];
	return share * t->envs[env].peak_rate;
}

double sim_usage_rate(const sim_tenant *t, int64_t now_s)
{
	return sim_usage_rate_env(t, SIM_ENV_PROD, now_s);
}

int64_t sim_usage_start(int64_t now_s)
{
	return floor_div(now_s, 3600) * 3600 - (int64_t)SIM_FLEET_HOURS * 3600;
}

void sim_usage_history(const sim_tenant *t, int env, int64_t start_s, unsigned *counts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t at = start_s + (int64_t)i * 3600;
		uint64_t h = sim_fleet_mix(t->seed ^ ((uint64_t)env << 56) ^ (uint64_t)(at / 3600));
		double u = (double)(h >> 11) / 9007199254740992.0;
		/* the rate at mid-hour, +-30 % of noise and a little jitter at night */
		double v = sim_usage_rate_env(t, env, at + 1800) * (0.7 + 0.6 * u);

		if (v < 3)
			v = floor(v + u * 2.0);
		counts[i] = (unsigned)llround(v);
	}
}

static int week_hour(int64_t unix_s)
{
	return (int)(floor_div(unix_s, 3600) % SIM_USAGE_WEEK_HOURS + SIM_USAGE_WEEK_HOURS) %
	       SIM_USAGE_WEEK_HOURS;
}

int sim_usage_week_parse(const char *start, const char *hours, sim_usage_week *out,
			 char *errbuf, size_t errsize)
{
	double sum[SIM_USAGE_WEEK_HOURS] = {0};
	int n[SIM_USAGE_WEEK_HOURS] = {0};
	int64_t t0 = start ? util_parse_rfc3339(start) : -1;
	const char *p = hours;
	size_t count = 0;
	double total = 0;

	memset(out, 0, sizeof(*out));
	if (t0 < 0)
		return util_seterr(errbuf, errsize, "start \"%s\" is not an RFC 3339 time",
				start ? start : "");
	while (p && *p) {
		char *end;
		unsigned long v;

		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			return util_seterr(errbuf, errsize, "hour %zu: not a count", count + 1);
		v = strtoul(p, &end, 10);
		if (count == SIM_FLEET_HOURS)
			return util_seterr(errbuf, errsize, "more than %d hours", SIM_FLEET_HOURS);
		sum[week_hour(t0 + (int64_t)count * 3600)] += (double)v;
		n[week_hour(t0 + (int64_t)count * 3600)]++;
		total += (double)v;
		count++;
		p = end;
		while (*p == ' ')
			p++;
		if (*p == ',')
			p++;
		else if (*p)
			return util_seterr(errbuf, errsize, "hour %zu: not a count", count + 1);
	}
	if (!count)
		return util_seterr(errbuf, errsize, "no hours");
	for (int h = 0; h < SIM_USAGE_WEEK_HOURS; h++)
		out->rate[h] = (float)(n[h] ? sum[h] / n[h] : total / (double)count);
	return 0;
}

double sim_usage_week_rate(const sim_usage_week *w, int64_t now_s)
{
	return w->rate[week_hour(now_s)];
}
