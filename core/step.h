/* core/step.h — step executors: how the engine observes, checks, makes, waits
 * for and undoes one step of a plan, for each kind of step. The engine keeps
 * the order, the journal (intent before every change, result after), the
 * lease, the audit and the rollback's bookkeeping; an executor only talks to
 * whatever holds its objects (the Kubernetes API, a PostgreSQL server...).
 *
 * A step names its executor (plan_step.exec; NULL is the Kubernetes-object
 * executor, step_k8s) and the journal records the executor's name with the
 * step (only when it is not "k8s"), so that a rollback finds it without the
 * plan (step_exec_find). A new kind of step is one new file: a const
 * step_exec, plus its line in the registry execs[] of core/step.c.
 *
 * Call order, for one step of an apply:
 *   observe -> (access, dry_run: before the first change of the run)
 *   -> [intent journalled] -> apply -> [result journalled] -> check (the
 *   step's wait, polled until done) ;
 * for one step of a rollback, newest first:
 *   observe_ref -> [intent journalled] -> remove | restore -> [result].
 * Every function runs on the engine's thread and may block on the network;
 * none keeps state between calls (what it read is in step_seen). On failure
 * they put a sentence in env->msg and the HTTP-like status in env->http
 * (403: not allowed; 0: no answer).
 */
#ifndef CORE_STEP_H
#define CORE_STEP_H

#include <stdatomic.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/engine.h"
#include "core/journal.h"
#include "core/plan.h"
#include "core/plan_prior.h"
#include "k8s/client.h"

/* What an executor gets from the engine for every call. */
typedef struct step_env {
	k8s_client *client;	  /* borrowed: the cluster of the run */
	const char *prefix;	  /* label prefix, "" for the default */
	const char *tcode;	  /* the tenant */
	const char *run;	  /* this run's id: what the run creates carries it */
	const char *run_label;	  /* "<prefix>run" */
	const atomic_int *cancel; /* engine_cancel(): waits may stop early */
	void *conn;		  /* an executor's own connection (a PGconn), or NULL */
	void (*conn_close)(void *conn); /* closes conn: set by whoever opened it */
	const char *confirm_tcode; /* rollback: the TCODE the operator typed, or NULL */
	char msg[512];		  /* why the last call failed (one line) */
	int http;		  /* its status: 403 not allowed, 0 no answer, ... */
} step_env;

/* One observation of a step's object. */
typedef struct step_seen {
	plan_diff diff;		     /* create (absent), unchanged, change, conflict, terminating */
	char reason[160];	     /* for conflict, terminating and change */
	char uid[48];		     /* the object's identity, "" when absent */
	char run[JOURNAL_RUN_SIZE];  /* the run whose mark it carries, "" */
	int managed;		     /* it carries the mark of smartops at all */
	int replicas_not_ours;	     /* k8s: another manager owns spec.replicas */
	cJSON *live;		     /* k8s: the object as read (owned), NULL when absent */
} step_seen;

void step_seen_release(step_seen *s);
/* Closes an executor's connection held in env (conn_close), if any. The engine
 * calls it when a run ends; whoever else builds a step_env calls it too. */
void step_env_close(step_env *env);

/* For executors: a failure's sentence in env->msg and its status in env->http
 * (0 when err is NULL: no answer). */
void step_fail(step_env *env, const k8s_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A tree as compact JSON text (free it); dies when out of memory. */
char *step_print_tree(const cJSON *tree);

/* One permission a change needs, for the access review. */
typedef struct step_need {
	const char *verb;  /* "create", "patch", "delete" */
	char group[48];	   /* API group, "" for core */
	char resource[40]; /* plural */
	char ns[64];	   /* "" for cluster-wide */
} step_need;

/* The result of one wait check. */
typedef enum step_wait_state {
	STEP_WAIT_NOT_YET, /* what says what is awaited, e.g. "Deployment x/y ready (0/1)" */
	STEP_WAIT_DONE,
	STEP_WAIT_ERROR,  /* could not look (env->msg, env->http): asked again, but a 403 ends it */
	STEP_WAIT_FAILED, /* the object will not get there (a failed Job): env->msg */
} step_wait_state;

typedef struct step_exec {
	const char *name; /* "k8s", "pg-role", "job"...: recorded in the journal */
	int body_public;  /* 1: a step's body only describes it (e.g. its statements)
			     and never holds its secret: a plan shows it even for a
			     step that holds a secret; 0: such a body is never shown */

	/* Reads the step's object and classifies it against the plan (s->body,
	 * s->secret: a secret is compared by existence and owner only). 0, or -1
	 * when it could not be read (env->msg). out is released by the caller. */
	int (*observe)(step_env *env, const plan_step *s, step_seen *out);
	/* Appends the permissions a change of kind d (create or change) needs to
	 * need[*n], at most max in all. */
	void (*access)(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max);
	/* Has the server check the change without making it. 0, or -1 (env->msg). */
	int (*dry_run)(step_env *env, const plan_step *s);
	/* Makes the change seen calls for: a create when seen says absent (never
	 * applied over an object that appeared meanwhile: that is a conflict), an
	 * update of the run's own object. A request that may have taken and lost
	 * its answer is re-observed before it is sent again, and an object that
	 * is not the run's is refused. On ENGINE_ST_OK, after holds the object as
	 * it is now (uid, run). Else FAILED, FORBIDDEN or REFUSED (a conflict),
	 * env->msg set. */
	engine_status (*apply)(step_env *env, const plan_step *s, const step_seen *seen,
			       step_seen *after);
	/* The step's wait (s->wait: exists, ready, complete, bound), checked
	 * once; what (may be NULL) says what is awaited. */
	step_wait_state (*check)(step_env *env, const plan_step *s, char *what, size_t size);
	/* An update's prior state to journal before the change (core/plan_prior.h),
	 * or NULL when the kind keeps none (then rollback keeps updated objects). */
	cJSON *(*prior)(step_env *env, const plan_step *s, const step_seen *seen);

	/* ---- the journal's form: a rollback works from it alone ---- */
	/* The reference of the step's object for the journal (k8s: its API path). */
	void (*ref)(const plan_step *s, char *out, size_t size);
	/* 0 when ref (read back from a journal anyone may edit) names one object
	 * of this kind; -1 with err. */
	int (*ref_check)(const char *ref, char *err, size_t errsz);

	/* ---- undo ---- */
	/* Appends the permissions undoing js needs (delete what the run created,
	 * put back what it updated) to need[*n], at most max in all. May be NULL. */
	void (*undo_access)(const journal_step *js, step_need *need, size_t *n, size_t max);
	/* Reads the object a journal step names (out->live NULL when gone). 0 or -1. */
	int (*observe_ref)(step_env *env, const journal_step *js, step_seen *out);
	/* 1 (and what) when the object holds things the run did not make (a
	 * namespace with others' objects in it): then it is kept. May be NULL. */
	int (*holds_others)(step_env *env, const journal_step *js, char *what, size_t size);
	/* Deletes the object; gone already counts as done. OK, FAILED, FORBIDDEN. */
	engine_status (*remove)(step_env *env, const journal_step *js);
	/* Puts back an update's prior values (js->prior). OK; FAILED; FORBIDDEN;
	 * REFUSED when someone else owns a field now (env->msg says whose). May be
	 * NULL when prior is. */
	engine_status (*restore)(step_env *env, const journal_step *js);
} step_exec;

/* The Kubernetes-object executor (core/step_k8s.c): server-side apply, a
 * create for a new object. */
extern const step_exec step_k8s;

/* A step's executor (NULL in the plan: step_k8s). */
const step_exec *step_exec_of(const plan_step *s);
/* The executor of a journal step: by its recorded name ("" is step_k8s), from
 * the registry; NULL when this version knows no such executor. */
const step_exec *step_exec_find(const char *name);
/* Adds an executor to the registry (tests, and kinds outside core/step.c);
 * at most STEP_EXEC_MAX in all. */
#define STEP_EXEC_MAX 16
int step_exec_register(const step_exec *x);

const char *step_rollback_name(step_rollback r);
int step_rollback_parse(const char *s);

#endif
