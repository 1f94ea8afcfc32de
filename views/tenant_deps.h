/* views/tenant_deps.h — what the tenant screen shows beside the workloads of each
 * env: its database (core/db_info.h, a live check kept 30 s) and its file server
 * (core/fs_info.h). Loaded on the tenant screen's worker (blocking), after the
 * detail snapshot, and handed to the UI thread whole; the drawing is views/tenant.c's.
 */
#ifndef VIEWS_TENANT_DEPS_H
#define VIEWS_TENANT_DEPS_H

#include <stddef.h>
#include <stdint.h>

#include "core/db_info.h"
#include "core/fleet.h"
#include "core/fs_info.h"

/* One entry per env, by namespace; a value the holder frees with tenant_deps_release. */
typedef struct tenant_deps {
	size_t n;
	char (*ns)[64];
	db_info *db;
	int64_t *db_ms; /* when each check was made (wall clock ms) */
	fs_info *fs;
} tenant_deps;

/* The envs of a snapshot, as the worker needs them after it gave the snapshot away. */
typedef struct tenant_env_ref {
	char ns[64];
	k8s_client *client; /* NULL: not reachable (or the env is stale) */
	int product;
} tenant_env_ref;

/* One per env of s (malloc'd). */
tenant_env_ref *tenant_deps_refs(const fleet_snapshot *s, const fleet_cluster_cfg *cfg, size_t n_cfg);
/* Fills out for the n envs of r; prev (may be empty) gives database checks younger
 * than 30 s, kept as they are. Blocking: the worker's. */
void tenant_deps_load(const tenant_env_ref *r, size_t n, const char *prefix, const tenant_deps *prev,
		      tenant_deps *out);
void tenant_deps_copy(const tenant_deps *from, tenant_deps *to);
void tenant_deps_release(tenant_deps *d);
/* The entry for namespace ns, or -1 (d may be NULL). */
int tenant_deps_find(const tenant_deps *d, const char *ns);
/* The env's health with what it waits for outside its workloads (health_env_deps). */
void tenant_deps_health(const model_env *e, const health_result *base, const tenant_deps *dd,
			health_result *out);

#endif
