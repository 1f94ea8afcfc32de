/* core/hypnus.c — Hypnus usage history, week matrix and warm-up forecast. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "core/hypnus.h"
#include "util/util.h"

#define DAY_S 86400
#define WEEK_S (7 * DAY_S)

static const char *const state_names[] = {
    [MODEL_HYPNUS_UNKNOWN] = "unknown",
    [MODEL_HYPNUS_ACTIVE] = "active",
    [MODEL_HYPNUS_SLEEPING] = "sleeping",
    [MODEL_HYPNUS_WAKING] = "waking",
};

static const char *const wday_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

const char *hypnus_state_name(model_hypnus_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "unknown";
}

model_hypnus_state hypnus_state_parse(const char *s)
{
	size_t i;

	for (i = MODEL_HYPNUS_ACTIVE; s && i < ARRAY_SIZE(state_names); i++)
		if (!strcmp(s, state_names[i]))
			return (model_hypnus_state)i;
	return MODEL_HYPNUS_UNKNOWN;
}

const char *hypnus_weekday_name(int wday)
{
	return wday >= 0 && wday < 7 ? wday_names[wday] : "?";
}

/* Bounds of s without surrounding blanks. */
static void trim(const char *s, size_t len, const char **b, size_t *n)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	*b = s;
	*n = len;
}

/* A non-negative decimal that fits in 32 bits; 0 or -1. */
static int parse_count(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int hypnus_usage_parse(hypnus_usage *u, const char *start, const char *offset, const char *tz,
		       const char *hours, char *err, size_t errsz)
{
	const char *p, *b;
	char buf[64];
	size_t n, count, i;

	memset(u, 0, sizeof(*u));
	if (!start || !*start)
		return util_seterr(err, errsz, "start: missing");
	trim(start, strlen(start), &b, &n);
	util_strlcpy(buf, b, n + 1 < sizeof(buf) ? n + 1 : sizeof(buf));
	u->start = util_parse_rfc3339(buf);
	if (u->start == -1 || n >= sizeof(buf))
		return util_seterr(err, errsz, "start: not an RFC 3339 time: \"%.40s\"", start);
	if (u->start % 3600)
		return util_seterr(err, errsz, "start: not on the hour: \"%s\"", buf);

	if (offset && *offset) {
		char *end;
		long v;
		errno = 0;
		v = strtol(offset, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (end == offset || *end || errno)
			return util_seterr(err, errsz, "utc-offset-minutes: not a number: \"%.40s\"",
				      offset);
		if (v < -840 || v > 840)
			return util_seterr(err, errsz, "utc-offset-minutes: %ld is outside -840..840",
				      v);
		u->utc_offset_min = (int)v;
	}
	if (tz)
		util_strlcpy(u->timezone, tz, sizeof(u->timezone));

	if (!hours)
		return util_seterr(err, errsz, "hours: missing");
	trim(hours, strlen(hours), &b, &n);
	count = 0;
	if (n) {
		count = 1;
		for (i = 0; i < n; i++)
			count += b[i] == ',';
	}
	if (count < 1 || count > HYPNUS_HOURS)
		return util_seterr(err, errsz, "hours: expected 1 to %d values, got %zu",
				   HYPNUS_HOURS, count);
	u->n_hours = count;
	p = b;
	for (i = 0; i < count; i++) {
		const char *comma = memchr(p, ',', (size_t)(b + n - p));
		const char *vb;
		size_t vn, len = comma ? (size_t)(comma - p) : (size_t)(b + n - p);
		trim(p, len, &vb, &vn);
		if (parse_count(vb, vn, &u->hours[i]) < 0)
			return util_seterr(err, errsz, "hours: value %zu is not a number: \"%.*s\"",
				      i + 1, (int)(vn > 20 ? 20 : vn), vb);
		p += len + 1;
	}
	return 0;
}

/* Local weekday (0 = Sunday) and hour of local wall-clock seconds. */
static void local_cell(int64_t local, int *wday, int *hour)
{
	int64_t days = local / DAY_S;

	if (local % DAY_S < 0)
		days--;
	*wday = (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
	*hour = (int)((local - days * DAY_S) / 3600);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

unsigned hypnus_threshold(const hypnus_usage *u)
{
	uint32_t sorted[HYPNUS_HOURS];
	size_t n = u->n_hours < HYPNUS_HOURS ? u->n_hours : HYPNUS_HOURS;
	unsigned t;

	if (!n)
		return HYPNUS_ACTIVE_THRESHOLD;
	memcpy(sorted, u->hours, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_u32);
	t = (unsigned)(sorted[n * 95 / 100] * HYPNUS_ACTIVE_SHARE);
	return t > HYPNUS_ACTIVE_THRESHOLD ? t : HYPNUS_ACTIVE_THRESHOLD;
}

void hypnus_matrix_build(const hypnus_usage *u, unsigned threshold, hypnus_matrix *m)
{
	double sum[7][24] = {{0}};
	unsigned n[7][24] = {{0}}, active[7][24] = {{0}};
	int d, h;
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < u->n_hours && i < HYPNUS_HOURS; i++) {
		int64_t local = u->start + (int64_t)i * 3600 + (int64_t)u->utc_offset_min * 60;
		local_cell(local, &d, &h);
		sum[d][h] += u->hours[i];
		n[d][h]++;
		active[d][h] += u->hours[i] > threshold;
		if (u->hours[i] > m->max)
			m->max = u->hours[i];
	}
	for (d = 0; d < 7; d++) {
		for (h = 0; h < 24; h++) {
			if (!n[d][h])
				continue;
			m->mean[d][h] = sum[d][h] / n[d][h];
			m->prob[d][h] = (double)active[d][h] / n[d][h];
		}
	}
}

size_t hypnus_windows(const hypnus_matrix *m, double min_prob, hypnus_window *out, size_t max)
{
	unsigned char act[HYPNUS_WEEK_HOURS];
	hypnus_window runs[HYPNUS_MAX_WINDOWS];
	size_t nruns = 0, i, j;
	int first = -1, k;

	for (k = 0; k < HYPNUS_WEEK_HOURS; k++) {
		act[k] = m->prob[k / 24][k % 24] >= min_prob;
		if (!act[k] && first < 0)
			first = k;
	}
	if (first < 0) {
		if (max)
			out[0] = (hypnus_window){0, 0, HYPNUS_WEEK_HOURS};
		return 1;
	}
	/* Walk a whole week starting at an idle hour, so no run is cut in two. */
	for (k = 0; k < HYPNUS_WEEK_HOURS; k++) {
		int idx = (first + k) % HYPNUS_WEEK_HOURS;
		if (!act[idx])
			continue;
		if (k == 0 || !act[(idx + HYPNUS_WEEK_HOURS - 1) % HYPNUS_WEEK_HOURS])
			runs[nruns++] = (hypnus_window){idx / 24, idx % 24, 0};
		runs[nruns - 1].hours++;
	}
	/* Week order by start (insertion sort: at most 84). */
	for (i = 1; i < nruns; i++) {
		hypnus_window w = runs[i];
		for (j = i;
		     j > 0 && runs[j - 1].wday * 24 + runs[j - 1].hour > w.wday * 24 + w.hour; j--)
			runs[j] = runs[j - 1];
		runs[j] = w;
	}
	for (i = 0; i < nruns && i < max; i++)
		out[i] = runs[i];
	return nruns;
}

size_t hypnus_forecast(const hypnus_window *w, size_t n, int utc_offset_min, int cold_start_s,
		       int64_t now, hypnus_wake *out, size_t max)
{
	hypnus_wake c[3 * HYPNUS_MAX_WINDOWS];
	int64_t off = (int64_t)utc_offset_min * 60, lnow = now + off, days, week0;
	size_t nc = 0, i, j;
	int wday, hour, k;

	if (cold_start_s <= 0)
		cold_start_s = HYPNUS_DEFAULT_COLD_START_S;
	if (n > HYPNUS_MAX_WINDOWS)
		n = HYPNUS_MAX_WINDOWS;
	local_cell(lnow, &wday, &hour);
	days = lnow / DAY_S - (lnow % DAY_S < 0);
	week0 = (days - wday) * DAY_S; /* local Sunday 00:00 of this week */
	/* This week and the next two cover [now, now + 7 days] plus the cold start. */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < n; i++) {
			hypnus_wake x;
			x.start_local = week0 + (int64_t)k * WEEK_S +
					(int64_t)(w[i].wday * 24 + w[i].hour) * 3600;
			x.wake_local = x.start_local - cold_start_s;
			x.end_local = x.start_local + (int64_t)w[i].hours * 3600;
			x.start_utc = x.start_local - off;
			x.wake_utc = x.wake_local - off;
			x.end_utc = x.end_local - off;
			x.window = (int)i;
			if (x.wake_utc < now || x.wake_utc >= now + WEEK_S)
				continue;
			for (j = nc; j > 0 && c[j - 1].wake_utc > x.wake_utc; j--)
				c[j] = c[j - 1];
			c[j] = x;
			nc++;
		}
	}
	for (i = 0; i < nc && i < max; i++)
		out[i] = c[i];
	return nc;
}

int hypnus_next_wake(const hypnus_window *w, size_t n, int utc_offset_min, int cold_start_s,
		     int64_t now, hypnus_wake *out)
{
	hypnus_wake first;

	if (!hypnus_forecast(w, n, utc_offset_min, cold_start_s, now, &first, 1))
		return -1;
	if (out)
		*out = first;
	return 0;
}
