/* sim/replicaset.h — the ReplicaSets of a Deployment, as the deployment controller makes
 * them: one per distinct pod template (revision), named <deployment>-<pod-template-hash>,
 * owned by the Deployment (controller), its template the Deployment's with the label
 * pod-template-hash, annotations deployment.kubernetes.io/revision, desired-replicas and
 * max-replicas. The workload controller (sim/workload.c) keeps the records and writes them;
 * these are the pure parts.
 *
 * Thread-safety: no state. */
#ifndef SIM_REPLICASET_H
#define SIM_REPLICASET_H

#include <stdint.h>

#include <cjson/cJSON.h>

#define SIM_RS_REVISION "deployment.kubernetes.io/revision"

/* A key of a pod template that ignores what a client's round trip changes (member order,
 * nulls, empty strings, objects and arrays, metadata.creationTimestamp, the
 * pod-template-hash label): the same for a template and the one `kubectl rollout undo`
 * writes back from a ReplicaSet. */
uint64_t sim_rs_template_key(const cJSON *tmpl);

/* A new ReplicaSet (the caller owns it) for Deployment `deploy` (a whole stored object:
 * metadata.name, .uid, spec.selector, spec.template), template hash `hash`. */
cJSON *sim_rs_new(const cJSON *deploy, const char *hash, int revision, int replicas);

/* The counts the status of a ReplicaSet shows. */
typedef struct sim_rs_counts {
	int replicas, ready;
} sim_rs_counts;

/* Sets a ReplicaSet's revision annotation, spec.replicas (and the desired-replicas and
 * max-replicas annotations) and status (observedGeneration from its generation). */
void sim_rs_set(cJSON *rs, int revision, int desired, const sim_rs_counts *c);

#endif
