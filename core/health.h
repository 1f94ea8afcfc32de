/* core/health.h — the health of an environment and of a tenant, in words an
 * operator reads (docs/health.md has the rules and the wording).
 *
 * Precedence within one environment (first match wins):
 *   unknown (data stale) > blocked > down > waking > sleeping > degraded > available
 * Severity (for sorting, worst first) is a different order:
 *   down > blocked > unknown > degraded > waking > sleeping > available
 *
 * Pure functions over model values; results are plain values the caller owns.
 * Thread-safe.
 */
#ifndef CORE_HEALTH_H
#define CORE_HEALTH_H

#include <stdint.h>

#include "core/model.h"
#include "core/rules.h"

typedef enum health_state {
	HEALTH_AVAILABLE,
	HEALTH_SLEEPING,
	HEALTH_WAKING,
	HEALTH_DEGRADED,
	HEALTH_DOWN,
	HEALTH_BLOCKED,
	HEALTH_UNKNOWN,
	HEALTH_COUNT
} health_state;

#define HEALTH_CAUSE_SIZE 256
#define HEALTH_LICENSE_COMPONENT "license" /* the base component that checks the contract */

typedef struct health_result {
	health_state state;
	char cause[HEALTH_CAUSE_SIZE]; /* plain words, never empty; truncated if longer */
} health_result;

typedef struct health_opts {
	int64_t now;	   /* unix seconds: contract expiry and dates in causes */
	int tz_offset_min; /* times in causes are shown at this offset from UTC */
} health_opts;

/* "available", "sleeping", "waking", "degraded", "down", "blocked", "unknown". */
const char *health_name(health_state s);
/* The reverse; 0 or -1. */
int health_parse(const char *name, health_state *s);
/* Higher is worse: available 0 .. down 6 (see the order above). */
int health_severity(health_state s);
/* qsort-style comparison on severity, worst first. */
int health_cmp_worst_first(health_state a, health_state b);

/* Health of one environment. contract may be NULL (or not known): no
 * catalogue check then. r may be NULL: the default rules. opts may be NULL:
 * now = wall clock, times in UTC. */
void health_env(const model_env *e, const model_contract *contract, const rules *r,
		const health_opts *opts, health_result *out);

/* What lies outside an environment's workloads, read beside the model (blocking
 * reads, done elsewhere): its database (core/db_info.h) and its file server
 * (core/fs_info.h). A NULL field is not known. */
typedef struct health_deps {
	const char *db_state;  /* "ready", "missing", "unreachable", ... */
	const char *db_name;   /* "t12345_prod" */
	const char *db_host;   /* "pg.example" */
	int db_port;
	const char *db_detail; /* in plain words, from the check */
	const char *fs_phase;  /* the claim's phase; "" when there is no claim */
	const char *fs_detail; /* "Pending 4m: ProvisioningFailed: ..." */
	const char (*fs_mounted)[16]; /* the AppServer roles that mount the claim */
	size_t n_fs_mounted;
} health_deps;

/* Names a dependency as the cause when it is one (the state may change):
 *  - while DbAccess is not ready: a database the server says does not exist
 *    (or not provisioned: no Secret db-credentials): down, "dbaccess waits for its
 *    database: t12345_prod does not exist on pg.example:5432"; one that does not
 *    answer: down, "dbaccess waits for its database: <why>" (a host name we
 *    cannot resolve is never a cause: it may resolve inside the cluster). With
 *    DbAccess ready nothing changes (the database line says what it is);
 *  - a file-server claim not Bound while AppServers that mount it are not ready:
 *    "webapp, rest wait for the file server: claim fileserver Pending 4m: ...".
 * Unknown and blocked stay as they are. d may be NULL (nothing changes). */
void health_env_deps(const model_env *e, const health_deps *d, health_result *out);

/* A tenant's health from its environments' (either may be NULL): unknown if
 * either is unknown; otherwise prod counts fully and a problem only in dev
 * (down, blocked, degraded) makes the tenant at most degraded; dev's sleeping
 * or waking do not show. With no prod, dev counts as is. The cause starts
 * with "prod: " or "dev: ". */
void health_tenant(const health_result *prod, const health_result *dev, health_result *out);

#endif
