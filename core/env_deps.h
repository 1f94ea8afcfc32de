/* core/env_deps.h — what the environments of a fleet wait for outside their
 * workloads: their database and file server, read for the envs that need it and
 * kept, so that the fleet's health (core/fleet.h) names them as causes
 * (core/health.h's health_env_deps) in every view of the fleet.
 *
 * Only envs that wait are read: DbAccess not ready (the database: a live libpq
 * check, core/db_info.h), an ERP AppServer not ready (the file server,
 * core/fs_info.h). An env that no longer waits is forgotten. Each is read again at
 * most every recheck_ms.
 *
 * Call order: env_deps_new -> fleet_set_deps(f, d) -> fleet_load or watch ->
 * env_deps_check (blocking; or env_deps_watch_start, its own thread) ->
 * fleet_deps_changed -> ... env_deps_watch_stop -> fleet_free -> env_deps_free.
 * env_deps_apply is called by the fleet under its own locks; every function is
 * thread-safe.
 */
#ifndef CORE_ENV_DEPS_H
#define CORE_ENV_DEPS_H

#include <stddef.h>
#include <stdint.h>

#include "core/db_info.h"
#include "core/fleet.h"
#include "core/fs_info.h"
#include "core/health.h"

typedef struct env_deps env_deps;

env_deps *env_deps_new(void);
void env_deps_free(env_deps *d);

/* Envs read at once by one env_deps_check (the clients share their connections,
 * k8s/client.h). */
#define ENV_DEPS_READERS 8
/* A live database check's time to connect (seconds; it may take about twice that). */
#define ENV_DEPS_DB_TIMEOUT_S 3

/* Reads what the envs of s wait for (at most max of them a call, and none begun
 * after budget_ms), each at most once per recheck_ms; forgets envs that no longer
 * wait. Blocking (Kubernetes reads and live database checks, 3 s to connect):
 * ENV_DEPS_READERS envs at a time, on threads of its own and the caller's. Calls
 * made at once run one after another. Returns the number of entries that changed
 * (new, read differently, forgotten). */
int env_deps_check(env_deps *d, const fleet_snapshot *s, const fleet_cluster_cfg *cfg, size_t n_cfg,
		   const char *prefix, int recheck_ms, size_t max, int budget_ms);

/* Reads the n envs in w (as fleet_waiting_envs finds them, before a snapshot
 * is built), ENV_DEPS_READERS at a time, none begun after budget_ms; forgets
 * nothing. A check after it, given a recheck_ms that covers these reads, reads
 * only what they missed. Returns the number of entries that changed. */
int env_deps_read(env_deps *d, const fleet_waiting *w, size_t n, const fleet_cluster_cfg *cfg,
		  size_t n_cfg, const char *prefix, int budget_ms);

/* The budget_ms for a check that must end by deadline_ms (util_mono_ms() scale, 0:
 * none), now being now_ms: at most max_ms, and none begun once a live check could
 * no longer connect in time (-1 then: nothing read). Pure. */
int env_deps_budget(int64_t deadline_ms, int64_t now_ms, int max_ms);

/* The database of env ns of cluster ci as last checked live: 1 and *out, or 0. */
int env_deps_db(env_deps *d, size_t ci, const char *ns, db_info *out);

/* The file server of env ns of cluster ci as last read: 1 and *out, or 0. */
int env_deps_fs(env_deps *d, size_t ci, const char *ns, fs_info *out);

/* The cause of env e of cluster ci, when known, applied to r. */
void env_deps_apply(env_deps *d, size_t ci, const model_env *e, health_result *r);

/* The envs whose entries changed (read for the first time, read differently,
 * forgotten) since the last call: at most ENV_DEPS_CHANGED_MAX are kept, each
 * once. Copies them to out and returns their number, or -1 when more changed
 * than were kept (every env's cause may have moved). The list starts again. */
#define ENV_DEPS_CHANGED_MAX 64
typedef struct env_deps_key {
	size_t ci;
	char ns[64];
} env_deps_key;
int env_deps_take_changed(env_deps *d, env_deps_key out[ENV_DEPS_CHANGED_MAX]);

/* A thread that calls env_deps_check on f's latest snapshot every interval_ms and
 * fleet_deps_changed when something changed. */
typedef struct env_deps_watch env_deps_watch;
env_deps_watch *env_deps_watch_start(env_deps *d, fleet *f, const fleet_cluster_cfg *cfg, size_t n_cfg,
				     const char *prefix, int interval_ms);
/* Stops and joins it (a check under way ends first: up to a few seconds). */
void env_deps_watch_stop(env_deps_watch *w);

#endif
