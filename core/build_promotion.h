/* core/build_promotion.h — what the console needs around a promotion run
 * (core/promote.h): the last promotion of an env that can be gone back from,
 * and the promotion written into (or cleared from) the build's history entry.
 * The same bookkeeping `smartops promote` does after its run.
 *
 * Both block on the cluster: not on the UI thread. */
#ifndef CORE_BUILD_PROMOTION_H
#define CORE_BUILD_PROMOTION_H

#include <stddef.h>

#include "core/build_history.h"
#include "core/journal.h"
#include "k8s/client.h"

/* The newest promotion run of tcode to env ("dev"|"prod") that is done (not
 * rolled back): its run id and the build it promoted. 1 found, 0 none, -1
 * with err when the journals cannot be read. */
int build_promotion_last(k8s_client *c, const char *prefix, const char *tcode, const char *env,
			 char *run, size_t runsz, char *build, size_t bsz, k8s_err *err);

/* Marks build id promoted to env at `at` by `by` in the history that holds
 * it (either env's), or clears that mark (clear 1: the promotion was gone
 * back from). 0 (also when no history holds the build), or -1 with err. */
int build_promotion_record(k8s_client *c, const char *prefix, const char *tcode, const char *id,
			   const char *env, const char *by, const char *at, int clear, k8s_err *err);

#endif
