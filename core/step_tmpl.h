/* core/step_tmpl.h — what the executors that change a workload that exists by
 * server-side apply as a field manager of their own share (core/step_mount.c
 * the file server's volume and mount, core/step_rpo.c the custom RPO,
 * core/step_roll.c a rollout annotation): the apply and its dry run of just the
 * manager's fields, with retries; a refusal when the workload does not exist;
 * the prior state of the plan's fields; a restore that applies the manager's
 * fields of that prior state again (or gives them all up); and never a delete.
 * Observing, access, waiting and the journal's form are the Kubernetes
 * executor's (step_tmpl_observe ... below, as they are).
 *
 * An executor is its step_tmpl and STEP_TMPL_EXEC (below), which writes the
 * calls and the step_exec table.
 * Same contract as core/step.h: the engine's thread, may block.
 */
#ifndef CORE_STEP_TMPL_H
#define CORE_STEP_TMPL_H

#include "core/step.h"

typedef struct step_tmpl {
	const char *manager; /* the field manager: "smartops-fileserver" */
	/* What the manager applies, from the plan's body (malloc'd tree); NULL: the
	 * body as it is. */
	cJSON *(*apply_tree)(const cJSON *body);
	/* What a restore applies, from the prior configuration the journal holds;
	 * NULL: apiVersion, kind and name only (every field of the manager given up). */
	cJSON *(*restore_tree)(const cJSON *prior);
	/* after "... does not exist: ", e.g. "nothing to mount the volume in" */
	const char *absent;
	/* after "<id>: ", e.g. "a mount is taken out, never deleted with its workload" */
	const char *removed;
} step_tmpl;

/* {apiVersion, kind, metadata{name, namespace}} of an object: an apply of nothing. */
cJSON *step_tmpl_bare(const cJSON *body);

int step_tmpl_dry_run(const step_tmpl *t, step_env *env, const plan_step *s);
engine_status step_tmpl_apply(const step_tmpl *t, step_env *env, const plan_step *s,
			      const step_seen *seen, step_seen *after);
engine_status step_tmpl_restore(const step_tmpl *t, step_env *env, const journal_step *js);
engine_status step_tmpl_remove(const step_tmpl *t, step_env *env, const journal_step *js);

/* As step_exec's: the prior state of the plan's fields (what a rollback compares with). */
cJSON *step_tmpl_prior(step_env *env, const plan_step *s, const step_seen *seen);

/* The Kubernetes executor's, as they are (step_k8s), for the step_exec tables. */
int step_tmpl_observe(step_env *env, const plan_step *s, step_seen *out);
void step_tmpl_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max);
step_wait_state step_tmpl_check(step_env *env, const plan_step *s, char *what, size_t size);
void step_tmpl_ref(const plan_step *s, char *out, size_t size);
int step_tmpl_ref_check(const char *ref, char *err, size_t errsz);
void step_tmpl_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max);
int step_tmpl_observe_ref(step_env *env, const journal_step *js, step_seen *out);

/* const step_exec VAR named NAME, every entry the template's, over the
 * executor's own static const step_tmpl TMPL. */
#define STEP_TMPL_EXEC(VAR, NAME, TMPL)                                                              \
	static int VAR##_dry_run(step_env *env, const plan_step *s)                                \
	{                                                                                          \
		return step_tmpl_dry_run(&(TMPL), env, s);                                         \
	}                                                                                          \
	static engine_status VAR##_apply(step_env *env, const plan_step *s, const step_seen *seen, \
					 step_seen *after)                                         \
	{                                                                                          \
		return step_tmpl_apply(&(TMPL), env, s, seen, after);                              \
	}                                                                                          \
	static engine_status VAR##_restore(step_env *env, const journal_step *js)                  \
	{                                                                                          \
		return step_tmpl_restore(&(TMPL), env, js);                                        \
	}                                                                                          \
	static engine_status VAR##_remove(step_env *env, const journal_step *js)                   \
	{                                                                                          \
		return step_tmpl_remove(&(TMPL), env, js);                                         \
	}                                                                                          \
	const step_exec VAR = {                                                                    \
	    .name = (NAME),                                                                        \
	    .observe = step_tmpl_observe,                                                          \
	    .access = step_tmpl_access,                                                            \
	    .dry_run = VAR##_dry_run,                                                              \
	    .apply = VAR##_apply,                                                                  \
	    .check = step_tmpl_check,                                                              \
	    .prior = step_tmpl_prior,                                                              \
	    .ref = step_tmpl_ref,                                                                  \
	    .ref_check = step_tmpl_ref_check,                                                      \
	    .undo_access = step_tmpl_undo_access,                                                  \
	    .observe_ref = step_tmpl_observe_ref,                                                  \
	    .holds_others = NULL,                                                                  \
	    .remove = VAR##_remove,                                                                \
	    .restore = VAR##_restore,                                                              \
	}

#endif
