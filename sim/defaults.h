/* sim/defaults.h — the API server's defaulting, the part kubesim's clients rely on.
 * Applied by the store to every object it is about to keep (create, update, patch,
 * controllers' writes), before the no-op check, as the real API server defaults
 * before storage:
 *   StatefulSet  spec.updateStrategy {type: RollingUpdate, rollingUpdate: {partition: 0}}
 *                (a RollingUpdate without rollingUpdate gets partition 0), spec.replicas 1,
 *                spec.revisionHistoryLimit 10, spec.persistentVolumeClaimRetentionPolicy
 *                {whenDeleted: Retain, whenScaled: Retain}
 *   PersistentVolumeClaim  spec.volumeMode Filesystem
 *   Job          spec.parallelism 1, completions 1, backoffLimit 6, completionMode
 *                NonIndexed, suspend false, podReplacementPolicy TerminatingOrFailed
 * Pure; safe from any thread. */
#ifndef SIM_DEFAULTS_H
#define SIM_DEFAULTS_H

#include <cjson/cJSON.h>

#include "sim/resource.h"

/* Fills in what is missing in obj (a whole object of kind res); never overrides. */
void sim_defaults_apply(const sim_resource *res, cJSON *obj);

#endif
