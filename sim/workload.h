/* sim/workload.h — a small kwok-style controller: Deployments, StatefulSets and Jobs get
 * pods, pods walk Pending -> Running -> Ready on the store's clock, owners' status follows
 * their pods, and core/v1 Events tell what happened. Claims and their binding are
 * sim/volumes.h's.
 *
 * It runs on its own thread and talks to the store only through sim/store.h (list, watch,
 * create, mutate, delete); 404 and 409 answers are normal (others change the cluster too).
 * Simplifications (documented for users of kubesim):
 * - The controller keeps a Deployment's pods itself, but their ownerReferences name its
 *   current ReplicaSet (Deployment -> ReplicaSet -> Pod, as on a cluster; pods met on a
 *   relist are taken back through it). Each Deployment gets one ReplicaSet per distinct
 *   template (sim/replicaset.h), with
 *   its revision, the current one following the pods, so kubectl rollout history and undo
 *   work. A changed template "recreates": old pods are deleted and new ones created at
 *   once (strategy is ignored). StatefulSets create pods in parallel
 *   (podManagementPolicy Parallel) and recreate the same way. A StatefulSet pod mounts a
 *   volume per volumeClaimTemplates entry (claim "<template>-<set>-<ordinal>", made by
 *   sim/volumes.h) and stays Pending, with Warning FailedScheduling, until every claim it
 *   mounts is Bound (asked again every second); its Scheduled event comes at creation.
 * - A Job runs one pod at a time; it succeeds after annotation "kubesim.io/duration-seconds"
 *   (default 5) of store time, or fails if annotation "kubesim.io/outcome" is "failed". A
 *   failed pod is replaced after a back-off (10 s, doubling, at most 6 min) until more than
 *   spec.backoffLimit (default 6) failed; spec.ttlSecondsAfterFinished deletes the finished
 *   Job that long after.
 * - Init containers run one after the other before the containers (phase Pending,
 *   status.initContainerStatuses), 1 s each; a custom-build Job's (init containers checkout,
 *   sonarqube, compile, upload: sim/buildrun.h, docs/fleet.md) run their stages, each its
 *   simulated time, with their logs told as it passes and a failed stage failing the pod.
 * - Events: repeated identical events on one object are counted on one Event; at most
 *   SIM_WORKLOAD_EVENTS_PER_OBJECT per object and opts.max_events in all are kept, the
 *   oldest deleted first.
 *
 * Time: all delays are store-clock time (sim_store_now); the sub-second part is
 * interpolated with the monotonic wall clock because the store clock has whole seconds. */
#ifndef SIM_WORKLOAD_H
#define SIM_WORKLOAD_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "sim/store.h"

#define SIM_WORKLOAD_EVENTS_PER_OBJECT 20

typedef struct sim_workload sim_workload;

typedef struct sim_workload_opts {
	int start_delay_ms;   /* Pending -> Running (default 300) */
	int ready_delay_ms;   /* Running -> Ready (default 300) */
	int max_events;       /* Events kept in all (0 = 20,000; < 0 = emit none) */
	struct sim_faults *faults; /* build faults taken from here (NULL = none) */
} sim_workload_opts;

/* The fleet decides, per pod, whether it may become Ready (predecessor rules, licences).
 * Called on the controller thread, without the store lock held, with the pod's parsed
 * object. Returns SIM_POD_OK (normal life), SIM_POD_NOT_READY (Running but readiness
 * false; reason/message go to the Ready condition), or SIM_POD_CRASHLOOP (container
 * waiting with reason CrashLoopBackOff, restartCount climbing by one at each back-off:
 * 10 s, 20 s, 40 s ... capped at 5 min of store time; lastState.terminated with exitCode
 * 1 and the reason/message). reason/message start empty; leaving them empty gives
 * defaults. Job pods are not asked. */
typedef enum { SIM_POD_OK, SIM_POD_NOT_READY, SIM_POD_CRASHLOOP } sim_pod_verdict;
typedef sim_pod_verdict (*sim_pod_policy_fn)(void *ctx, const cJSON *pod, char *reason,
					     size_t rsize, char *message, size_t msize);

/* Starts the thread, which lists what exists, opens the watches and makes its first
 * pass (so this returns at once, whatever the store holds). o NULL = defaults. Returns
 * NULL if the thread cannot start. s must outlive the controller. */
sim_workload *sim_workload_start(sim_store *s, const sim_workload_opts *o);
/* Installs (or with fn NULL removes) the policy; safe from any thread but the policy
 * itself. The controller never calls an old policy after this returns. */
void sim_workload_set_policy(sim_workload *w, sim_pod_policy_fn fn, void *ctx);
/* Re-evaluates every running pod's policy soon, on the controller thread (the fleet calls
 * this when a predecessor changed). Safe from any thread, also from within the policy. */
void sim_workload_kick(sim_workload *w);
/* The same for the pods of one namespace only (cheaper on a big fleet). */
void sim_workload_kick_ns(sim_workload *w, const char *ns);
/* Stops and joins the thread, frees w. NULL is fine. */
void sim_workload_stop(sim_workload *w);

#endif
