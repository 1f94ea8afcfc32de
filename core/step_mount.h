/* core/step_mount.h — the mount executor: a volume and its mount put into the
 * pod template of a workload that exists (an AppServer Deployment), by
 * server-side apply as a field manager of their own ("smartops-fileserver"),
 * so that the apply sends just those two fields and the workload's other
 * fields, smartops's or anyone's, stay as they are. A rollback gives the
 * manager's fields up (the volume and the mount go; the workload stays).
 *
 * The plan's body is the workload as it should look for the fields the
 * comparison reads: its volumes and its first container's mounts, the lists
 * whole (core/plan.h compares lists element by element), the volume and the
 * mount named STEP_MOUNT_VOLUME among them. Observing, waiting and the
 * journal's form are the Kubernetes executor's (core/step.h).
 */
#ifndef CORE_STEP_MOUNT_H
#define CORE_STEP_MOUNT_H

#include "core/step.h"

#define STEP_MOUNT_EXEC "k8s-mount"
#define STEP_MOUNT_MANAGER "smartops-fileserver"
#define STEP_MOUNT_VOLUME "fileserver"

extern const step_exec step_mount;

#endif
