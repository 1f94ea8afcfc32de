/* core/hypnus.h — Hypnus (scale-to-zero proxy): its state annotation, the
 * usage history and the warm-up forecast.
 *
 * The history is the ConfigMap "hypnus-usage": "start" (RFC 3339 UTC,
 * hour-aligned, the first hour), "utc-offset-minutes" (the tenant's local
 * offset, e.g. "-180"), "timezone" (IANA name, informative) and "hours" (up to
 * 672 comma-separated request counts = 4 weeks, oldest first; a tenant onboarded
 * lately has fewer: the hours its Hypnus has seen).
 *
 * Weekdays follow struct tm: 0 = Sunday .. 6 = Saturday, in the tenant's local
 * time (UTC + utc-offset-minutes). Pure functions over caller-owned values;
 * no allocation; thread-safe.
 */
#ifndef CORE_HYPNUS_H
#define CORE_HYPNUS_H

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#define HYPNUS_HOURS 672 /* 4 weeks */
#define HYPNUS_WEEKS 4
#define HYPNUS_WEEK_HOURS 168
#define HYPNUS_ACTIVE_THRESHOLD 2      /* an hour with more requests than this is active */
#define HYPNUS_ACTIVE_SHARE 0.10       /* ... and more than this share of a busy hour (p95) */
#define HYPNUS_MIN_PROB 0.5	       /* a forecast window: active in at least half the weeks */
#define HYPNUS_DEFAULT_COLD_START_S 90 /* when the tenant has no measured cold start */
#define HYPNUS_MAX_WINDOWS 84	       /* at most every other hour of a week */
#define HYPNUS_USAGE_CONFIGMAP "hypnus-usage"

/* "active", "sleeping", "waking" (annotation hypnus-state); "unknown" otherwise. */
const char *hypnus_state_name(model_hypnus_state s);
/* The annotation value into a state; MODEL_HYPNUS_UNKNOWN if not recognised. */
model_hypnus_state hypnus_state_parse(const char *s);
/* "Sun".."Sat". */
const char *hypnus_weekday_name(int wday);

typedef struct hypnus_usage {
	int64_t start;		      /* unix seconds of the first hour */
	int utc_offset_min;	      /* local = UTC + this */
	char timezone[48];	      /* informative, may be "" */
	uint32_t hours[HYPNUS_HOURS]; /* requests per hour, oldest first */
	size_t n_hours;		      /* how many of them the history holds, 1..HYPNUS_HOURS */
} hypnus_usage;

/* Parses the ConfigMap's data strings into u. offset and tz may be NULL
 * (0 and ""). Returns 0, or -1 with a sentence in err, e.g.
 * "hours: expected 1 to 672 values, got 673", "hours: value 17 is not a number: \"x\"",
 * "start: not an RFC 3339 time: \"yesterday\"", "start: not on the hour". */
int hypnus_usage_parse(hypnus_usage *u, const char *start, const char *offset, const char *tz,
		       const char *hours, char *err, size_t errsz);

/* The week at a glance: local weekday x local hour. */
typedef struct hypnus_matrix {
	double mean[7][24]; /* mean requests per hour */
	double prob[7][24]; /* share of the weeks with more than `threshold` requests, 0..1 */
	uint32_t max;	    /* largest single hour in the history (for a heat map's scale) */
} hypnus_matrix;

/* The threshold for hypnus_matrix_build that fits this tenant: the larger
 * of HYPNUS_ACTIVE_THRESHOLD and HYPNUS_ACTIVE_SHARE of its busy hours (the
 * 95th percentile of the history), so that the trickle of a quiet night is
 * not taken for a working hour, while a night batch or a Saturday morning is. */
unsigned hypnus_threshold(const hypnus_usage *u);

/* Builds m from u. threshold: an hour with more requests than this is active
 * (HYPNUS_ACTIVE_THRESHOLD). Each cell averages the samples that fall in it
 * (4 with a whole history, fewer with a short one: prob is then the share of the
 * weeks seen; a cell the history does not reach stays 0, never active; offsets
 * that are not whole hours land in the hour they start in). */
void hypnus_matrix_build(const hypnus_usage *u, unsigned threshold, hypnus_matrix *m);

/* A run of contiguous local weekday-hours with prob >= min_prob; may wrap
 * past Saturday midnight into Sunday. */
typedef struct hypnus_window {
	int wday;  /* local weekday of the first hour */
	int hour;  /* local hour of the first hour */
	int hours; /* length, 1..168 */
} hypnus_window;

/* Fills out[0..max) with the windows in week order (Sunday 00:00 first, a
 * wrapping window sorted by its start). Returns how many there are (may
 * exceed max). A week where every hour qualifies is one window of 168 hours
 * starting Sunday 00:00. */
size_t hypnus_windows(const hypnus_matrix *m, double min_prob, hypnus_window *out, size_t max);

/* One predicted occurrence of a window. *_utc are unix seconds; *_local are
 * the same instants as local wall-clock seconds (utc + offset; format them
 * with gmtime_r). */
typedef struct hypnus_wake {
	int64_t wake_utc;  /* when to start waking: start - cold start */
	int64_t start_utc; /* first predicted busy hour */
	int64_t end_utc;   /* end of the window */
	int64_t wake_local, start_local, end_local;
	int window; /* index into the windows array */
} hypnus_wake;

/* The predicted wakes with now <= wake_utc < now + 7 days, in time order,
 * into out[0..max); returns how many there are (may exceed max).
 * cold_start_s <= 0 means HYPNUS_DEFAULT_COLD_START_S. */
size_t hypnus_forecast(const hypnus_window *w, size_t n, int utc_offset_min, int cold_start_s,
		       int64_t now, hypnus_wake *out, size_t max);
/* The first predicted wake at or after now; 0, or -1 if there is none. */
int hypnus_next_wake(const hypnus_window *w, size_t n, int utc_offset_min, int cold_start_s,
		     int64_t now, hypnus_wake *out);

#endif
