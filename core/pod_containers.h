/* core/pod_containers.h — the containers of a pod whose logs can be read:
 * its containers in spec order, then its init containers in the order they
 * run (a build's stages are init containers: checkout, sonarqube, ...).
 *
 * Blocking (one GET): call it off the UI thread.
 */
#ifndef CORE_POD_CONTAINERS_H
#define CORE_POD_CONTAINERS_H

#include <stdatomic.h>

#include "k8s/client.h"

#define POD_CONTAINER_NAME_SIZE 64

/* Fills names with at most max names; returns how many, or -1 with err.
 * *n_init (may be NULL) gets how many of them, at the end, are init containers.
 * Given up soon after *cancel (may be NULL) becomes non-zero. */
int pod_containers(k8s_client *c, const char *ns, const char *pod,
		   char (*names)[POD_CONTAINER_NAME_SIZE], int max, int *n_init,
		   const atomic_int *cancel, k8s_err *err);

/* A container's log, line by line to fn, from its last tail lines (< 0: all);
 * with follow, until the container ends or *cancel. container NULL: the pod's
 * only one. Blocking: call it off the UI thread. 0, or -1 with err. */
int pod_log_read(k8s_client *c, const char *ns, const char *pod, const char *container, long tail,
		 int follow, k8s_line_fn fn, void *ctx, const atomic_int *cancel, k8s_err *err);

#endif
