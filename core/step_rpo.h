/* core/step_rpo.h — the RPO executor: the custom RPO an AppServer Deployment
 * runs, put into its pod template by server-side apply as a field manager of
 * its own ("smartops-promote"): the template's annotations the plan names
 * (<prefix>rpo, rpo-build, rpo-commit, rpo-previous) and the env variable
 * STEP_RPO_ENV of its first container (what the AppServer reads at start).
 * Nothing else of the Deployment is sent, so the namespace wizard's fields
 * and Hypnus's replica count stay as they are (a sleeping env is not woken:
 * the new template waits for the next wake).
 *
 * The plan's body is the Deployment as it should look for the fields the
 * comparison reads: those annotations, and the containers by name with the
 * first one's env list whole. A rollback (smartops promote --previous) puts
 * back exactly the values before: the manager's fields of the prior state
 * applied again, or given up when there were none. Observing, waiting and
 * the journal's form are the Kubernetes executor's. */
#ifndef CORE_STEP_RPO_H
#define CORE_STEP_RPO_H

#include "core/step.h"

#define STEP_RPO_EXEC "k8s-rpo"
#define STEP_RPO_MANAGER "smartops-promote"
#define STEP_RPO_ENV "RPO_CUSTOM"

extern const step_exec step_rpo;

#endif
