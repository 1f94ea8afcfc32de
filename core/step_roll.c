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

STEP_TMPL_EXEC(step_roll, STEP_ROLL_EXEC, roll_tmpl);
