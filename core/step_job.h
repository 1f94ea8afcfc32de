/* core/step_job.h — the Job executor: a batch/v1 Job that must complete. Its
 * stages are the pod's init containers, in order; progress is read from the
 * pod's status.initContainerStatuses as on any cluster (no private channel):
 * the stage running, the one that failed with its reason and message.
 *
 * Everything but the wait is the Kubernetes executor's (core/step_k8s.c). The
 * wait "complete" is done when the Job has condition Complete=True, failed
 * (the step fails, the stage named with its reason) on Failed=True; "exists"
 * is done once the Job is stored (an apply that does not wait). */
#ifndef CORE_STEP_JOB_H
#define CORE_STEP_JOB_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/step.h"

#define STEP_JOB_EXEC "job"

/* Where a Job's pod is, from its statuses. */
typedef struct job_progress {
	int state;	     /* JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED */
	char stage[32];	     /* the init container running or waiting, the one that
				failed, or the main container's name once they all
				ended; "" before the pod has statuses */
	size_t stage_no;     /* 1-based position of stage among the init containers, 0 */
	size_t n_stages;     /* init containers of the pod */
	char reason[64];     /* the failed stage's terminated.reason, or a waiting reason */
	char message[400];   /* the failed stage's terminated.message (one line) */
	char finished[32];   /* when the Job ended (its condition's lastTransitionTime) */
} job_progress;

enum { JOB_RUNNING, JOB_SUCCEEDED, JOB_FAILED };

const char *job_state_name(int state); /* "running", "succeeded", "failed" */

/* Reads job (its conditions) and pod (may be NULL: not made yet, or gone) into
 * out. Pure. */
void job_progress_read(const cJSON *job, const cJSON *pod, job_progress *out);
/* The terminated.message of init container name in pod, or NULL. */
const char *job_stage_message(const cJSON *pod, const char *name);

/* The newest pod of Job name in ns (label job-name), owned by the caller;
 * NULL when there is none (or on error: err set, err->http 0 no answer). */
cJSON *job_pod(k8s_client *c, const char *ns, const char *name, k8s_err *err);

/* One line for a wait: "stage compile (3/4) of Job t12345-dev/custombuild-7". */
void job_progress_line(const job_progress *p, const char *ns, const char *name, char *out,
		       size_t size);

extern const step_exec step_job;

#endif
