/* sim/replicaset.h — the ReplicaSets of a Deployment, as the deployment controller makes
 * them: one per distinct pod template (revision), named <deployment>-<pod-template-hash>,
 * owned by the Deployment (controller), its template the Deployment's with the label
 * pod-template-hash, annotations deployment.kubernetes.io/revision, desired-replicas and
 * max-replicas. The workload controller (sim/workload.c) keeps the records and writes them;
 * these are the pure parts. A Deployment's pods are owned by its current ReplicaSet
 * (ownerReferences Deployment -> ReplicaSet -> Pod, as on a cluster).
 *
 * Thread-safety: no state. */
#ifndef SIM_REPLICASET_H
#define SIM_REPLICASET_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "sim/store.h"

#define SIM_RS_REVISION "deployment.kubernetes.io/revision"

/* The pod-template-hash of a template as written (10 characters of the Kubernetes
 * alphabet; the workload controller names pods with it). out: 16 bytes. */
void sim_rs_pod_template_hash(const cJSON *tmpl, char *out);

/* A key of a pod template that ignores what a client's round trip changes (member order,
 * nulls, empty strings, objects and arrays, metadata.creationTimestamp, the
 * pod-template-hash label): the same for a template and the one `kubectl rollout undo`
 * writes back from a ReplicaSet. */
uint64_t sim_rs_template_key(const cJSON *tmpl);

/* The uid of the ReplicaSet of template hash `hash` of the Deployment of uid
 * `deploy_uid`: UUID-shaped, derived from both, so that the pods the workload controller
 * makes can name their ReplicaSet as owner before it is written (ReplicaSets are written
 * lazily, see sim_rs_materialize; writers pass SIM_KEEP_UID). out: 40 bytes. */
void sim_rs_uid(const char *deploy_uid, const char *hash, char *out);

/* A new ReplicaSet (the caller owns it), its uid sim_rs_uid's for Deployment `deploy` (a whole stored object:
 * metadata.name, .uid, spec.selector, spec.template), template hash `hash`. */
cJSON *sim_rs_new(const cJSON *deploy, const char *hash, int revision, int replicas);

/* The counts the status of a ReplicaSet shows. */
typedef struct sim_rs_counts {
	int replicas, ready;
} sim_rs_counts;

/* Sets a ReplicaSet's revision annotation, spec.replicas (and the desired-replicas and
 * max-replicas annotations) and status (observedGeneration from its generation). */
void sim_rs_set(cJSON *rs, int revision, int desired, const sim_rs_counts *c);

/* ReplicaSets are written lazily: a Deployment whose template never changed gets its
 * (revision 1) ReplicaSet in the store only when a client reads ReplicaSets of its
 * namespace (ns "" = all namespaces), which the API calls this for first. Any thread;
 * what another writer made first (409) is fine. */
void sim_rs_materialize(sim_store *s, const char *ns);

#endif
