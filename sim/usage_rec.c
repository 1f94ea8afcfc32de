/* Hourly request counts of an env and their hypnus-usage history (see sim/usage_rec.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/usage_rec.h"
#include "util/util.h"

#define HOUR 3600
#define MAX_HOURS ((size_t)SIM_FLEET_HOURS)

static int64_t hour_of(int64_t t)
{
	int64_t q = t / HOUR;

	return (t % HOUR < 0 ? q - 1 : q) * HOUR;
}

static void push(sim_usage_rec *r, int64_t hour, uint64_t count)
{
	if (!r->n)
		r->first = hour;
	if (r->n == MAX_HOURS) { /* nobody wrote them for 4 weeks: the oldest go */
		memmove(r->pending, r->pending + 1, (MAX_HOURS - 1) * sizeof(r->pending[0]));
		r->n--;
		r->first += HOUR;
	}
	r->pending[r->n++] = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
}

void sim_usage_rec_roll(sim_usage_rec *r, int64_t now)
{
	int64_t h = hour_of(now);

	if (!r->hour) {
		r->hour = h;
		r->whole = now == h;
		r->count = 0;
		return;
	}
	if (h <= r->hour)
		return;
	if (r->whole)
		push(r, r->hour, r->count);
	r->count = 0;
	r->whole = 1;
	/* a jump longer than the window: only its last hours can be kept */
	if ((h - r->hour) / HOUR > (int64_t)MAX_HOURS + 1) {
		r->n = 0;
		r->hour = h - (int64_t)(MAX_HOURS + 1) * HOUR;
	}
	for (r->hour += HOUR; r->hour < h; r->hour += HOUR)
		push(r, r->hour, 0);
}

void sim_usage_rec_add(sim_usage_rec *r, int64_t now, uint64_t n)
{
	sim_usage_rec_roll(r, now);
	r->count += n;
}

void sim_usage_rec_add_span(sim_usage_rec *r, int64_t from, int64_t to, uint64_t n)
{
	uint64_t given = 0;

	if (to - from > (int64_t)MAX_HOURS * HOUR)
		from = to - (int64_t)MAX_HOURS * HOUR; /* older shares could not be kept */
	if (to <= from) {
		sim_usage_rec_add(r, to, n);
		return;
	}
	for (int64_t h = hour_of(from); h < to; h += HOUR) {
		int64_t a = h > from ? h : from, b = h + HOUR < to ? h + HOUR : to;
		uint64_t upto = (uint64_t)llround((double)n * (double)(b - from) / (double)(to - from));

		sim_usage_rec_add(r, a, upto - given);
		given = upto;
	}
}

uint64_t sim_usage_requests(double lambda, double u, uint64_t noise)
{
	if (!(lambda > 0) || !(u < 1.0 - exp(-lambda)))
		return 0;
	if (lambda <= 30) { /* inverse of the Poisson distribution at 1 - u */
		double v = 1.0 - u, p = exp(-lambda), cdf = p;
		uint64_t k = 0;

		while (v > cdf && k < 1000) {
			k++;
			p *= lambda / (double)k;
			cdf += p;
		}
		return k ? k : 1;
	} else { /* normal approximation (Box-Muller on two uniforms from noise) */
		uint64_t a = sim_fleet_mix(noise), b = sim_fleet_mix(a);
		double u1 = ((double)(a >> 11) + 1.0) / 9007199254740993.0;
		double u2 = (double)(b >> 11) / 9007199254740992.0;
		double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
		double k = floor(lambda + sqrt(lambda) * z + 0.5);

		return k < 1 ? 1 : (uint64_t)k;
	}
}

int sim_usage_hist_parse(const char *start, const char *offset, const char *hours,
			 sim_usage_hist *h, char *err, size_t errsize)
{
	const char *p = hours;

	h->n = 0;
	h->start = start ? util_parse_rfc3339(start) : -1;
	if (h->start < 0)
		return util_seterr(err, errsize, "start \"%.40s\" is not an RFC 3339 time",
				   start ? start : "");
	if (h->start % HOUR)
		return util_seterr(err, errsize, "start \"%.40s\" is not on the hour", start);
	if (offset) {
		char *end;
		long v;

		errno = 0;
		v = strtol(offset, &end, 10);
		if (end == offset || *end || errno || v < -840 || v > 840)
			return util_seterr(err, errsize,
					   "utc-offset-minutes \"%.20s\" is not a number in -840..840",
					   offset);
	}
	if (!p || !*p)
		return util_seterr(err, errsize, "hours: no counts");
	for (;;) {
		char *end;
		unsigned long long v;

		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return util_seterr(err, errsize, "hours: value %zu is not a count", h->n + 1);
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || v > UINT32_MAX)
			return util_seterr(err, errsize, "hours: value %zu is too large", h->n + 1);
		if (h->n == MAX_HOURS)
			return util_seterr(err, errsize, "hours: more than %d values", SIM_FLEET_HOURS);
		h->hours[h->n++] = (uint32_t)v;
		p = end;
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (*p++ != ',')
			return util_seterr(err, errsize, "hours: value %zu is not a count", h->n);
	}
}

static void keep_window(sim_usage_hist *h, size_t extra)
{
	size_t drop;

	if (h->n + extra <= MAX_HOURS)
		return;
	drop = h->n + extra - MAX_HOURS;
	if (drop >= h->n) {
		h->start += (int64_t)h->n * HOUR;
		h->n = 0;
		return;
	}
	memmove(h->hours, h->hours + drop, (h->n - drop) * sizeof(h->hours[0]));
	h->n -= drop;
	h->start += (int64_t)drop * HOUR;
}

size_t sim_usage_hist_append(sim_usage_hist *h, const sim_usage_rec *r)
{
	int64_t end = h->start + (int64_t)h->n * HOUR;
	size_t skip = 0, gap = 0, add;

	if (r->first < end)
		skip = (size_t)((end - r->first) / HOUR);
	else
		gap = (size_t)((r->first - end) / HOUR);
	if (skip >= r->n)
		return 0;
	add = r->n - skip;
	if (gap >= MAX_HOURS) { /* nothing of the old history would stay */
		sim_usage_hist_from(h, r);
		return r->n;
	}
	keep_window(h, gap + add);
	/* keep_window may have dropped the whole old history and part of the gap */
	if (h->n == 0) {
		int64_t from = r->first + (int64_t)skip * HOUR;
		size_t room = MAX_HOURS - add;

		gap = (size_t)((from - h->start) / HOUR);
		if (gap > room) {
			h->start += (int64_t)(gap - room) * HOUR;
			gap = room;
		}
	}
	for (size_t i = 0; i < gap; i++)
		h->hours[h->n++] = 0;
	memcpy(h->hours + h->n, r->pending + skip, add * sizeof(h->hours[0]));
	h->n += add;
	return add;
}

void sim_usage_hist_from(sim_usage_hist *h, const sim_usage_rec *r)
{
	h->start = r->first;
	h->n = r->n;
	memcpy(h->hours, r->pending, r->n * sizeof(h->hours[0]));
}

char *sim_usage_hist_hours(const sim_usage_hist *h)
{
	strbuf sb;
	char *s;

	sb_init(&sb, h->n * 6 + 1);
	for (size_t i = 0; i < h->n; i++)
		sb_addf(&sb, i ? ",%u" : "%u", h->hours[i]);
	s = sb_detach(&sb, NULL);
	sb_release(&sb);
	return s;
}
