/* The roll executor (see core/step_roll.h): the plan's body is the workload's
 * identity and the one pod-template annotation, applied as they are; a restore
 * gives the manager's field up (core/step_tmpl.h). */
#include "core/step_roll.h"
#include "core/step_tmpl.h"

static const step_tmpl roll_tmpl = {
    .manager = STEP_ROLL_MANAGER,
    .apply_tree = NULL,	  /* the body as it is */
    .restore_tree = NULL, /* every field of the manager given up */
    .absent = "there is nothing to roll",
    .removed = "a rollout is taken back, never deleted with its workload",
};

static int roll_dry_run(step_env *env, const plan_step *s)
{
	return step_tmpl_dry_run(&roll_tmpl, env, s);
}

static engine_status roll_apply(step_env *env, const plan_step *s, const step_seen *seen, step_seen *after)
{
	return step_tmpl_apply(&roll_tmpl, env, s, seen, after);
}

static engine_status roll_restore(step_env *env, const journal_step *js)
{
	return step_tmpl_restore(&roll_tmpl, env, js);
}

static engine_status roll_remove(step_env *env, const journal_step *js)
{
	return step_tmpl_remove(&roll_tmpl, env, js);
}

const step_exec step_roll = {
    .name = STEP_ROLL_EXEC,
    .observe = step_tmpl_observe,
    .access = step_tmpl_access,
    .dry_run = roll_dry_run,
    .apply = roll_apply,
    .check = step_tmpl_check,
    .prior = step_tmpl_prior,
    .ref = step_tmpl_ref,
    .ref_check = step_tmpl_ref_check,
    .undo_access = step_tmpl_undo_access,
    .observe_ref = step_tmpl_observe_ref,
    .holds_others = NULL,
    .remove = roll_remove,
    .restore = roll_restore,
};
