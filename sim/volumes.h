/* sim/volumes.h — kubesim's storage controllers, on one thread of their own:
 *
 * - StatefulSet claims, as the statefulset controller makes them: for every ordinal
 *   below spec.replicas and every entry of spec.volumeClaimTemplates, a claim
 *   "<template>-<set>-<ordinal>" (data-postgres-0) with the template's spec, its labels
 *   plus the set's selector labels; Event SuccessfulCreate on the set. Claims are kept
 *   when the set shrinks or goes (persistentVolumeClaimRetentionPolicy Retain).
 * - Binding, as the persistentvolume controller and an external provisioner do it: a
 *   claim without storageClassName gets the default StorageClass (annotation
 *   storageclass.kubernetes.io/is-default-class "true"); then Events ExternalProvisioning
 *   (persistentvolume-controller) and Provisioning (the provisioner), the annotations
 *   volume.kubernetes.io/storage-provisioner and volume.beta.kubernetes.io/storage-provisioner,
 *   and after the provisioner's delay either ProvisioningSucceeded and the claim Bound
 *   (spec.volumeName "pvc-<uid>", status.phase, accessModes, capacity, annotations
 *   pv.kubernetes.io/bind-completed and bound-by-controller) or, for a provisioner set to
 *   fail, Warning ProvisioningFailed and the claim left Pending. A claim whose class does
 *   not exist gets Warning ProvisioningFailed and waits for it; one with no class and no
 *   default gets FailedBinding and waits. Volume binding mode is treated as Immediate, and
 *   no PersistentVolume objects are kept (kubesim serves none).
 *
 * - Expansion, as the API server's admission and an external resizer do it: a bound
 *   claim may grow only where its class says allowVolumeExpansion (else 403 Forbidden),
 *   never shrink, and nothing else of its spec changes (422 Invalid); a claim that grew
 *   gets Event Resizing, then after the provisioner's delay status.capacity = the request
 *   and Event VolumeResizeSuccessful (VolumeResizeFailed for a provisioner set to fail).
 *
 * Delays are real (monotonic) milliseconds, per provisioner; by default the homologated
 * ones take their own (nfs.csi.k8s.io 100, efs.csi.aws.com 300,
 * filestore.csi.storage.gke.io 1200), any other binds at once.
 * Talks to the store only through sim/store.h; 404 and 409 are normal.
 */
#ifndef SIM_VOLUMES_H
#define SIM_VOLUMES_H

#include <stddef.h>

#include "sim/store.h"

typedef struct sim_provisioner {
	char name[128];	    /* e.g. "efs.csi.aws.com" */
	int delay_ms;	    /* from Provisioning to the outcome */
	char fail[256];	    /* "" succeeds; else the failure's message */
} sim_provisioner;

/* Parses "NAME=MS" or "NAME=fail:MESSAGE" (kubesim's --provisioner). 0, or -1 with a
 * sentence in err. */
int sim_provisioner_parse(const char *spec, sim_provisioner *out, char *err, size_t errsz);

typedef struct sim_volumes sim_volumes;

/* A Kubernetes quantity in bytes ("100Gi", "1Ti", "1.5T", "512M"); -1 when not one. */
double sim_volumes_quantity(const char *q);

/* 1 when claim ns/name names a StorageClass that allows volume expansion, else 0. Reads
 * the store: call it outside any store callback. */
int sim_volumes_class_expandable(sim_store *s, const char *ns, const char *name);

/* The API server's checks of an update of a claim from old to nw (expandable: what
 * sim_volumes_class_expandable said). 0, or -1 with err set (403 or 422). */
int sim_volumes_check_update(const cJSON *old, const cJSON *nw, int expandable, sim_err *err);

/* Lists what exists, opens the watches, starts the thread. provs (copied) may be NULL.
 * NULL if the store cannot be listed or watched. s must outlive the controller. */
sim_volumes *sim_volumes_start(sim_store *s, const sim_provisioner *provs, size_t n);
void sim_volumes_stop(sim_volumes *v);

#endif
