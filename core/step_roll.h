/* core/step_roll.h — the roll executor: a workload that exists (DbAccess) is
 * rolled by one annotation of its pod template, server-side applied as a field
 * manager of its own ("smartops-rollout"), so that nothing else of the
 * workload, nor its owners, changes. The annotation's value says what the pods
 * must start with (a hash of their configuration), so a second apply with the
 * same configuration changes nothing. A rollback gives the manager's field up:
 * the template goes back and the workload rolls back. Observing, waiting and the
 * journal's form are the Kubernetes executor's (core/step.h).
 *
 * A workload scaled to zero (a sleeping tenant's) is not woken: only its
 * template changes, its pods start with it at the next wake.
 */
#ifndef CORE_STEP_ROLL_H
#define CORE_STEP_ROLL_H

#include "core/step.h"

#define STEP_ROLL_EXEC "k8s-roll"
#define STEP_ROLL_MANAGER "smartops-rollout"

extern const step_exec step_roll;

#endif
