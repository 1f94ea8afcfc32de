/* core/hypnus_wakes.h — an environment's recent Hypnus wakes, read from its
 * Events on the Deployment "hypnus": HypnusWake (the wake starts; its message
 * begins with why: "forecast: ...", "request while sleeping", "wake requested")
 * and HypnusAwake (the public services are ready). For each wake: when it began,
 * how long the cold start took (waking -> ready), and whether it came ahead of
 * the users, from the forecast, or on a request, with a user waiting through the
 * cold start. Pure functions over caller-owned values. */
#ifndef CORE_HYPNUS_WAKES_H
#define CORE_HYPNUS_WAKES_H

#include <stddef.h>
#include <stdint.h>

#include "core/project.h"

typedef enum hypnus_wake_cause {
	HYPNUS_WAKE_FORECAST, /* ahead of a busy hour the usage history predicts */
	HYPNUS_WAKE_REQUEST,  /* a request came while it slept: someone waited */
	HYPNUS_WAKE_ASKED,    /* an operator or a client asked (smartops wake) */
	HYPNUS_WAKE_OTHER,
} hypnus_wake_cause;

typedef struct hypnus_wake_rec {
	int64_t start; /* unix seconds of the HypnusWake event */
	int64_t ready; /* of the HypnusAwake that followed it; 0: not ready (yet), or unknown */
	hypnus_wake_cause cause;
} hypnus_wake_rec;

/* "forecast", "request", "asked", "other". */
const char *hypnus_wake_cause_name(hypnus_wake_cause c);

/* From ev[0..n) (any order; events of other objects or reasons are skipped;
 * with ev_env, only those whose ev_env[i] is env — a fleet snapshot's
 * event_env): the wakes, newest first, into out[0..max). Returns how many were
 * written. A HypnusAwake belongs to the latest wake before it; one with no wake
 * before it (the wake's event is gone) is dropped. */
size_t hypnus_wakes(const project_event *ev, const int32_t *ev_env, int32_t env, size_t n,
		    hypnus_wake_rec *out, size_t max);

#endif
