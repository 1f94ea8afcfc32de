/* core/audit.h — every change the engine makes, recorded twice: as a
 * Kubernetes Event (on the object, or in smartops-system for cluster-scoped
 * ones) and as one line in a local log file:
 *   2026-11-28T15:30:12Z who=olga@host:123 run=t12345-... action=create
 *   object=apps/v1/Deployment t12345-prod/license result=ok
 * The log file is $SMARTOPS_AUDIT_LOG, or $XDG_STATE_HOME/smartops/audit.log,
 * or ~/.local/state/smartops/audit.log. A failure to write the Event is itself
 * logged to the file; neither stops the run. Thread-safe. */
#ifndef CORE_AUDIT_H
#define CORE_AUDIT_H

#include <pthread.h>

#include "core/plan.h"
#include "k8s/client.h"

typedef struct audit {
	k8s_client *c;	  /* borrowed; NULL: file only */
	char *path;	  /* log file, or NULL when none could be chosen */
	char who[160];
	char run[48];
	unsigned seq;
	pthread_mutex_t mu;
} audit;

void audit_init(audit *a, k8s_client *c, const char *who, const char *run);
void audit_release(audit *a);
/* action: "create", "update", "delete", "takeover"...; result: "ok" or the
 * error. s may be NULL for run-level records (then the Event goes on the
 * run's journal ConfigMap). */
void audit_record(audit *a, const char *action, const plan_step *s, const char *result);
/* The log file path chosen from the environment (malloc'd) or NULL. */
char *audit_default_path(void);

#endif
