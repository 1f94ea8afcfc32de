/* core/build_stages.h — the stages of one custom build (its Job's pod's init
 * containers: checkout, sonarqube, compile, upload), each with its state and
 * reason, for the console's build screen. Read from the pod as on any
 * cluster; when the Job or its pod is gone (Jobs have a TTL) the stages are
 * told from the build's history entry instead, and said so.
 *
 * build_stages_from_pod and build_stages_from_entry are pure;
 * build_stages_read blocks (two GETs): not on the UI thread. */
#ifndef CORE_BUILD_STAGES_H
#define CORE_BUILD_STAGES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/build_history.h"
#include "k8s/client.h"

#define BUILD_STAGES_MAX 8

typedef enum build_stage_state {
	BUILD_STAGE_PENDING, /* not started yet (or never: an earlier stage failed) */
	BUILD_STAGE_RUNNING,
	BUILD_STAGE_SUCCEEDED,
	BUILD_STAGE_FAILED,
	BUILD_STAGE_UNKNOWN, /* no pod to tell, and nothing in the history */
} build_stage_state;

typedef struct build_stage {
	char name[32];
	build_stage_state state;
	char reason[64];   /* terminated or waiting reason */
	char message[400]; /* terminated message, one line */
} build_stage;

typedef struct build_stages {
	build_stage st[BUILD_STAGES_MAX];
	size_t n;
	int job;	  /* 1: the Job custombuild-<id> exists */
	char pod[64];	  /* its pod, "" when there is none (gone with the Job, or not made) */
	int from_history; /* 1: states told from the history entry, not a pod */
} build_stages;

/* "pending", "running", "succeeded", "failed", "unknown". */
const char *build_stage_state_name(build_stage_state s);
/* From a build pod's spec.initContainers and status.initContainerStatuses. */
void build_stages_from_pod(const cJSON *pod, build_stages *out);
/* From the history alone: the four usual stages, those before e->stage
 * succeeded, e->stage failed (with e->reason) or running, the rest pending. */
void build_stages_from_entry(const build_entry *e, build_stages *out);
/* The stages of build e (its Job in namespace ns): from the pod when there
 * is one, else from e. 0, or -1 with err when the cluster did not answer. */
int build_stages_read(k8s_client *c, const char *ns, const build_entry *e, build_stages *out,
		      k8s_err *err);

#endif
