/* views/actions_worker.h — the console's thread for core/actions: checks and
 * runs go there, never on the UI thread. One actions context per cluster of
 * the console (created read-only with --readonly); one job at a time, a new
 * check replacing one not yet started. The worker calls tui_loop_wake() when
 * a job is done; the UI thread takes the result with actions_worker_take.
 *
 * Call order: actions_worker_new (after tui_loop_init) -> submit/take ... ->
 * actions_worker_free (joins the thread).
 */
#ifndef VIEWS_ACTIONS_WORKER_H
#define VIEWS_ACTIONS_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/actions.h"
#include "core/fleet.h"

#define ACTIONS_JOB_MAX 4

typedef struct actions_job {
	uint64_t id;	/* set by submit */
	int run;	/* 0: actions_check each request; 1: actions_run req[0] */
	size_t cluster; /* index into the clusters given to actions_worker_new */
	size_t n;
	actions_request req[ACTIONS_JOB_MAX];
	actions_outcome out[ACTIONS_JOB_MAX]; /* filled by the worker */
} actions_job;

typedef struct actions_worker actions_worker;

/* cfg is borrowed (it must outlive the worker). Dies if no thread can start. */
actions_worker *actions_worker_new(const fleet_cluster_cfg *cfg, size_t n, const char *prefix,
				   int readonly);
void actions_worker_free(actions_worker *w);
/* 1 when the session is read-only (the contexts were created so). */
int actions_worker_readonly(const actions_worker *w);
/* Queues a copy of j (replacing a check not yet started); returns its id,
 * or 0 when a confirmed run still waits (it is never dropped). */
uint64_t actions_worker_submit(actions_worker *w, const actions_job *j);
/* Copies the last finished job into *out and forgets it: 1, or 0 if none. */
int actions_worker_take(actions_worker *w, actions_job *out);
/* 1 while a job waits or runs, or a result waits to be taken. */
int actions_worker_busy(actions_worker *w);

#endif
