/* sim/usage.h — a tenant's request rate over the week and its hourly usage history
 * (ConfigMap hypnus-usage). Pure functions of the tenant and the time: thread-safe.
 *
 * The shape: business hours in the tenant's local time (its UTC offset), a lunch dip
 * around 12:00, quiet evenings and nights, quiet weekends (Saturday lighter than a
 * weekday, Sunday almost nothing), and for tenants with night batch jobs a bump
 * around 02:00 local every day. History adds noise per hour, deterministic per
 * tenant, env and hour. */
#ifndef SIM_USAGE_H
#define SIM_USAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/fleet.h"

/* Expected requests per hour at now_s (unix seconds) for the tenant's prod env. */
double sim_usage_rate(const sim_tenant *t, int64_t now_s);
/* The same for env SIM_ENV_PROD or SIM_ENV_DEV. */
double sim_usage_rate_env(const sim_tenant *t, int env, int64_t now_s);
/* First hour of the history that ends with the last full hour before now_s:
 * hour-aligned, SIM_FLEET_HOURS hours earlier. */
int64_t sim_usage_start(int64_t now_s);
/* Fills counts[0..n) with requests in the hours from start_s (hour-aligned), oldest first. */
void sim_usage_history(const sim_tenant *t, int env, int64_t start_s, unsigned *counts, size_t n);
/* Local day of week at now_s for the tenant: 0 = Sunday .. 6 = Saturday. */
int sim_usage_weekday(const sim_tenant *t, int64_t now_s);

/* A week of request rates read from a hypnus-usage ConfigMap: requests per hour for each
 * hour of the week (UTC), the mean over every week of the history. */
#define SIM_USAGE_WEEK_HOURS 168
typedef struct sim_usage_week {
	float rate[SIM_USAGE_WEEK_HOURS];
} sim_usage_week;

/* From the ConfigMap's `start` (RFC 3339, the first hour) and `hours` (comma-separated
 * counts, oldest first, at most SIM_FLEET_HOURS):
 * 0 with *out filled, or -1 with a reason in errbuf (start not a time, a count that is
 * not a number, no counts, too many). Hours of the week the history does not cover
 * get the mean of those it does. */
int sim_usage_week_parse(const char *start, const char *hours, sim_usage_week *out,
			 char *errbuf, size_t errsize);
/* Expected requests per hour at now_s. */
double sim_usage_week_rate(const sim_usage_week *w, int64_t now_s);

#endif
