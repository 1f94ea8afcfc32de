/* core/plan_prior.h — what an update is about to change, and what it takes to
 * put it back.
 *
 * Before the engine server-side-applies a configuration to an object that
 * already exists, it records the object's prior state: the live values at
 * exactly the paths of the applied configuration (absent paths left out) and
 * the list of paths whose value the update changes, with the value it writes.
 * A rollback re-applies the prior configuration as the same field manager:
 * values come back, and fields that were absent go again (the manager no
 * longer claims them). Before that it checks that every changed path still
 * holds what the run wrote; if not, someone changed it since and the object is
 * left alone.
 *
 * JSON shape (in the journal step, docs/engine.md):
 *   {"config":{...the prior values...},
 *    "changed":[{"path":["spec","rules",0,"host"],"to":"rest-t1-prod.new"}]}
 * Maps are walked key by key; lists of the same length element by element;
 * a list whose length differs is one value. Pure functions on caller-owned
 * trees; safe from any thread.
 */
#ifndef CORE_PLAN_PRIOR_H
#define CORE_PLAN_PRIOR_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* The prior state of live before applied is applied (both full objects), or
 * NULL when applied changes nothing in live (or live is NULL). New tree. */
cJSON *plan_prior_record(const cJSON *applied, const cJSON *live);

typedef enum plan_prior_state {
	PLAN_PRIOR_AS_WRITTEN, /* the run's values are there: a restore may put the prior back */
	PLAN_PRIOR_AS_BEFORE,  /* the prior values are there: nothing to undo */
	PLAN_PRIOR_CHANGED,    /* a changed path holds something else: changed since */
} plan_prior_state;

/* Compares live (NULL: absent) with a recorded prior state. For
 * PLAN_PRIOR_CHANGED, what gets a sentence naming the first path that moved
 * ("spec.rules[0].host is \"x\", not \"y\" as this run wrote it"). */
plan_prior_state plan_prior_compare(const cJSON *prior, const cJSON *live, char *what,
				    size_t size);

/* The configuration to re-apply (borrowed from prior), or NULL. */
const cJSON *plan_prior_config(const cJSON *prior);
/* How many paths the update changes. */
size_t plan_prior_n_changed(const cJSON *prior);

/* A path array as text: spec.rules[0].host, metadata.labels["a.b/c"]. */
void plan_prior_path_text(const cJSON *path, char *buf, size_t size);

/* 1 if prior has the recorded shape (a "config" object and a "changed"
 * array of {path:[string|number...], to}). */
int plan_prior_valid(const cJSON *prior);

#endif
