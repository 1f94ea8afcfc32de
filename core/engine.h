/* core/engine.h — the provisioning engine: applies a plan step by step on a
 * thread of its own, keeping the run's journal in the cluster, holding the
 * tenant's lease, auditing every change; resumes a run or rolls it back.
 *
 * Call order (from any one thread, e.g. a UI thread — nothing here blocks
 * except engine_wait):
 *   e = engine_new(&opts);
 *   engine_start_apply(e, &plan)            a new run
 *   | engine_start_resume(e, &plan, &j)     continue run j (plan rebuilt from j's inputs)
 *   | engine_start_rollback(e, &j)          undo run j: delete what it created, put
 *                                           back what it updated
 *   ... engine_snapshot(e, &p) at will; engine_cancel(e) pauses at the next step ...
 *   rc = engine_wait(e);                    joins the thread
 *   engine_free(e);
 * The start functions take over the plan and journal (the caller's copies are
 * zeroed). opts.on_progress runs on the engine's thread after every change of
 * phase or step; it gets a snapshot it may copy, and must not block.
 *
 * Apply: observe every object (refuse objects that are not ours, terminating
 * namespaces) -> check access (SelfSubjectAccessReview for every verb and
 * resource needed) -> server-side dry run of every change -> take the lease
 * -> write the journal -> per step: wait for the steps it needs (readiness
 * for workloads, per the predecessor rules), re-observe, write the intent,
 * apply (fieldManager smartops), record the result. Nothing is changed
 * before the first three checks passed. Objects created carry the label
 * <prefix>run=<run id>; an object that is already ours keeps its label.
 * Before an update, the object's prior values at the applied paths are
 * journalled with the intent (core/plan_prior.h), so a rollback can put them
 * back; an update whose prior state would not fit in the journal is refused.
 */
#ifndef CORE_ENGINE_H
#define CORE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/journal.h"
#include "core/plan.h"
#include "k8s/client.h"

typedef enum engine_result {
	ENGINE_OK = 0,
	ENGINE_REFUSED = 1, /* stopped before any change (conflict, access, dry run, lease) */
	ENGINE_FAILED = 2,  /* stopped after changes: the journal allows resume or rollback */
	ENGINE_PAUSED = 3,  /* cancelled at a step boundary: resume or roll back */
	ENGINE_DENIED = 4,  /* refused before any change: the cluster does not allow the plan */
} engine_result;

/* How one piece of the engine's work ended: the start functions, and inside
 * the engine each check, wait, step and undo. engine_status_name() names it. */
typedef enum engine_status {
	ENGINE_ST_OK = 0,	  /* done as asked (a start: the thread runs) */
	ENGINE_ST_CANCELLED,	  /* engine_cancel() was called: stopped at a boundary */
	ENGINE_ST_FAILED,	  /* did not work, may later: a timeout, a failed write */
	ENGINE_ST_FORBIDDEN,	  /* the cluster answered 403 */
	ENGINE_ST_REFUSED,	  /* the plan cannot go ahead: conflicts, the dry run */
	ENGINE_ST_NOT_ALLOWED,	  /* the access review denies part of the plan */
	ENGINE_ST_UNCHECKED,	  /* the access review could not be asked */
	ENGINE_ST_NO_JOURNAL,	  /* the journal could not be written */
	ENGINE_ST_READONLY,	  /* start refused: a read-only session (engine_opts.readonly) */
	ENGINE_ST_ALREADY,	  /* start refused: this engine already ran */
	ENGINE_ST_MISMATCH,	  /* start refused: the resumed plan does not match the journal */
	ENGINE_ST_COUNT
} engine_status;

const char *engine_status_name(engine_status s);

/* What the operator may do with a run that stopped (engine_progress.next).
 * The engine's messages say what happened; the words for what to do next are
 * the caller's: the command line names its commands, the console its keys. */
enum {
	ENGINE_NEXT_RESUME = 1 << 0,	     /* resume continues it (re-observes first) */
	ENGINE_NEXT_ROLLBACK = 1 << 1,	     /* rollback undoes what it made */
	ENGINE_NEXT_ROLLBACK_AGAIN = 1 << 2, /* a rollback stopped: run it again to finish */
};

typedef enum engine_phase {
	ENGINE_IDLE,
	ENGINE_OBSERVE,
	ENGINE_ACCESS,
	ENGINE_DRY_RUN,
	ENGINE_LEASE,
	ENGINE_APPLY,
	ENGINE_WAIT,
	ENGINE_ROLLBACK,
	ENGINE_FINISHED,
} engine_phase;

typedef struct engine_progress {
	engine_phase phase;
	char run[JOURNAL_RUN_SIZE];
	size_t n_steps;
	size_t step;		     /* current step index */
	char step_id[PLAN_ID_SIZE];
	char action[16];	     /* "create", "update", "unchanged", "delete", "wait", ... */
	char waiting_for[200];	     /* during waits: what, e.g. "Deployment t12345-prod/license ready (0/1)" */
	int64_t run_started_ms;	     /* util_mono_ms() */
	int64_t step_started_ms;
	size_t created, updated, unchanged, deleted, kept;
	size_t restored;	     /* rollback: updates whose prior values were put back */
	int finished;		     /* 1 once the thread ended */
	engine_result result;	     /* valid when finished */
	char message[1024];	     /* the outcome, or why it stopped (may span lines) */
	unsigned next;		     /* ENGINE_NEXT_* once finished: what may follow */
} engine_progress;

typedef void (*engine_progress_fn)(void *ctx, const engine_progress *p);

typedef struct engine_opts {
	k8s_client *client;	/* borrowed; must outlive the engine */
	const char *prefix;	/* label prefix, NULL: smart.totvs.com/ */
	const char *user;	/* operator name from the kubeconfig, or NULL */
	int wait_timeout_s;	/* per readiness wait; 0: 180 */
	int lease_duration_s;	/* the tenant lease; 0: LEASE_DURATION_S (renewed every third) */
	int readonly;		/* 1: every start is refused (ENGINE_ST_READONLY) before anything
				   is read or written */
	engine_progress_fn on_progress;
	void *ctx;
	int kill_after;		/* tests: SIGKILL after this step index is recorded; -1 never */
	int kill_at_intent;	/* tests: SIGKILL once this step's intent is recorded; -1 never */
	size_t journal_max;	/* the most journal text kept (bytes); 0: JOURNAL_MAX_BYTES */
	const char *confirm_tcode; /* rollback: the TCODE as the operator typed it; steps kept
				      unless confirmed (STEP_ROLLBACK_KEEP_UNLESS_CONFIRMED) are
				      deleted only when it matches the run's; NULL: kept */
} engine_opts;

typedef struct engine engine;

engine *engine_new(const engine_opts *o);
void engine_free(engine *e);

/* ENGINE_ST_OK once the thread runs; ENGINE_ST_ALREADY if one already ran;
 * ENGINE_ST_READONLY in a read-only session (engine_opts.readonly): the one
 * gate every provisioning write passes; ENGINE_ST_MISMATCH (resume) when the
 * plan no longer has the journal's steps (the snapshot's message says so). */
engine_status engine_start_apply(engine *e, plan *p);
engine_status engine_start_resume(engine *e, plan *p, journal *j);
engine_status engine_start_rollback(engine *e, journal *j);

/* Stops at the next step boundary (or during a wait); the run is left paused. */
void engine_cancel(engine *e);
void engine_snapshot(engine *e, engine_progress *out);
/* Joins the thread; returns its result. */
engine_result engine_wait(engine *e);
/* The run's journal as last written (valid after engine_wait). */
const journal *engine_journal(engine *e);

const char *engine_phase_name(engine_phase p);

/* The checks an apply makes before its first change, and nothing else: observe
 * (fills each step's diff and reason), access review, server-side dry run. For
 * a review page (blocking: call it off the UI thread). 0 when an apply would go
 * ahead; -1 with the problems in why, one per line. */
int engine_preflight(k8s_client *c, const char *prefix, const char *user, plan *p, strbuf *why);

/* Whether a Deployment/StatefulSet object is ready: readyReplicas >=
 * spec.replicas and the controller saw the latest generation. Objects of
 * other kinds are ready when they exist. ready/desired may be NULL. */
int engine_object_ready(const cJSON *obj, int *ready, int *desired);

#endif
