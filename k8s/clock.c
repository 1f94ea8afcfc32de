/* k8s/clock.c — the server's clock from Date headers. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "k8s/clock.h"

#define RATE_MIN_SPAN_MS 2000 /* samples must span this long to give a rate */
#define TRUST_SPAN_MS 10000   /* ... and this long before a sample may be judged off */
#define RESET_S 60	      /* a sample this far off a trusted estimate starts over */

int k8s_http_date_parse(const char *s, int64_t *unix_s)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char wd[4], mn[4], tz[4];
	int d, y, h, mi, sec, m, used = 0;
	struct tm tm;

	while (*s == ' ' || *s == '\t')
		s++;
	if (sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%n", wd, &d, mn, &y, &h,
		   &mi, &sec, tz, &used) != 8 ||
	    strcmp(tz, "GMT") != 0)
		return -1;
	for (m = 0; m < 12; m++)
		if (!strcasecmp(mn, mon[m]))
			break;
	if (m == 12 || d < 1 || d > 31 || y < 1970 || h > 23 || mi > 59 || sec > 60 || h < 0 ||
	    mi < 0 || sec < 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*unix_s = (int64_t)timegm(&tm);
	return 0;
}

int64_t k8s_clock_now(const k8s_clock *c, int64_t local_ms)
{
	int64_t span = c->last_local_ms - c->first_local_ms;
	double rate = 1.0;

	if (c->n <= 0)
		return local_ms / 1000;
	if (span >= RATE_MIN_SPAN_MS)
		rate = (double)(c->last_server_s - c->first_server_s) * 1000.0 / (double)span;
	if (rate < 0)
		rate = 0;
	return c->last_server_s + (int64_t)((double)(local_ms - c->last_local_ms) * rate / 1000.0);
}

void k8s_clock_observe(k8s_clock *c, int64_t local_ms, int64_t server_s)
{
	int64_t est = k8s_clock_now(c, local_ms), off = est - server_s;

	int trusted = c->n > 0 && c->last_local_ms - c->first_local_ms >= TRUST_SPAN_MS;

	if (c->n <= 0 || (trusted && (off > RESET_S || off < -RESET_S)) ||
	    local_ms < c->last_local_ms) {
		c->n = 0;
		c->first_local_ms = local_ms;
		c->first_server_s = server_s;
	}
	c->n++;
	c->last_local_ms = local_ms;
	c->last_server_s = server_s;
}
