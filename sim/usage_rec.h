/* sim/usage_rec.h — what a Hypnus records of an env's traffic: requests counted per hour
 * of the simulated clock, the finished hours waiting to be written into the env's
 * hypnus-usage ConfigMap, and the edit of that ConfigMap's data (append, keep at most
 * SIM_FLEET_HOURS, start moved on). Pure functions over caller-owned values. */
#ifndef SIM_USAGE_REC_H
#define SIM_USAGE_REC_H

#include <stddef.h>
#include <stdint.h>

#include "sim/fleet.h"

typedef struct sim_usage_rec {
	int64_t hour;      /* start of the hour being counted; 0: nothing seen yet */
	int whole;         /* that hour was seen from its start (a partial first hour is dropped) */
	uint64_t count;    /* requests in it so far */
	int64_t first;     /* start of pending[0] */
	size_t n;          /* finished hours not written yet, oldest first */
	uint32_t pending[SIM_FLEET_HOURS];
} sim_usage_rec;

/* Moves to the hour of now: the hours before it are finished (pending; hours with no
 * request count 0). At most SIM_FLEET_HOURS stay pending, the oldest go first. */
void sim_usage_rec_roll(sim_usage_rec *r, int64_t now);
/* Counts n requests at now (rolls first). */
void sim_usage_rec_add(sim_usage_rec *r, int64_t now, uint64_t n);
/* Counts n requests that arrived evenly over (from, to]: each hour the span crosses gets
 * its share (rounded so that the shares add up to n); an hour already finished keeps
 * what it had and its share goes to the hour being counted. */
void sim_usage_rec_add_span(sim_usage_rec *r, int64_t from, int64_t to, uint64_t n);

/* Requests in a pass where lambda were expected, drawn from u in [0, 1): at least one
 * exactly when u < 1 - exp(-lambda) (the test the traffic simulation makes), Poisson
 * distributed; noise spreads the large counts. */
uint64_t sim_usage_requests(double lambda, double u, uint64_t noise);

/* A history as the ConfigMap holds it. */
typedef struct sim_usage_hist {
	int64_t start;
	size_t n;
	uint32_t hours[SIM_FLEET_HOURS];
} sim_usage_hist;

/* Reads `start` (RFC 3339, on the hour), `utc-offset-minutes` (NULL allowed: an integer
 * in -840..840) and `hours` (1..SIM_FLEET_HOURS comma-separated counts): 0, or -1 with
 * the reason in err. */
int sim_usage_hist_parse(const char *start, const char *offset, const char *hours,
			 sim_usage_hist *h, char *err, size_t errsize);
/* Appends the pending hours of r to h. Hours h covers already are skipped; a gap
 * between its end and the pending hours is filled with zeros (the recorder saw no
 * request there; a gap longer than the window starts the history over). Then the
 * oldest hours beyond SIM_FLEET_HOURS go and start moves on. The number of hours
 * appended. */
size_t sim_usage_hist_append(sim_usage_hist *h, const sim_usage_rec *r);
/* A fresh history of r's pending hours (r->n > 0). */
void sim_usage_hist_from(sim_usage_hist *h, const sim_usage_rec *r);
/* The `hours` string of h (malloc'd). */
char *sim_usage_hist_hours(const sim_usage_hist *h);

#endif
